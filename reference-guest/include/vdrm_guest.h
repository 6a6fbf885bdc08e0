/* SPDX-License-Identifier: MIT */

/*
 * libvdrm-guest: the guest side of a DRM native context, over vtest's socket
 * or a virtio_gpu render node. A driver layer builds its ccmds with the
 * generated encoders and hands them to a vg_device, which
 *   - buffers requests and flushes them when the buffer is full, when an
 *     answer is needed, or before anything that must follow them;
 *   - numbers them (seqno) and hands out response slots in the shmem's
 *     response region;
 *   - creates blobs with the guest's blob_ids, maps them, submits batches on
 *     a ring with syncobjs and an out-fence, waits for fences;
 *   - watches the context's async_error and reports every failure once,
 *     naming the command that caused it (vg_error()).
 * Everything the host writes (shmem, responses, vtest answers) is checked
 * before it is used. One thread per device.
 */

#ifndef VDRM_GUEST_H_
#define VDRM_GUEST_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drm_hw.h"

#ifdef __cplusplus
extern "C" {
#endif

/* VIRTIO_GPU_CAPSET_DRM: the capset of every DRM native context. */
#define VG_CAPSET_DRM 6u

/* vtest's default socket. */
#define VG_VTEST_DEFAULT_SOCKET "/tmp/.virgl_test"

struct vg_device;

/* What a context needs from the transport (the driver layer's constants). */
struct vg_options {
   uint32_t context_type;        /* VIRTGPU_DRM_CONTEXT_*; the capset must name it */
   uint32_t shmem_size;          /* bytes of the shmem blob; 0: 16 KiB */
   uint32_t shmem_min;           /* the context's shmem struct: the host's rsp_mem_offset must cover it */
   uint32_t async_error_offset;  /* offset of the context's async_error in the shmem, 0 when it has none */
   int timeout_ms;               /* longest wait for the host before giving up; 0: 10 s */
   int record_fd;                /* >= 0: every ccmd sent is also written there, in order */
   const char *name;             /* the renderer name vtest's CREATE_RENDERER carries; NULL: "vdrm-guest" */
};

/* Counters of what the device sent and how often it had to wait for the host. */
struct vg_stats {
   uint64_t messages;      /* transport messages: vtest requests or virtgpu ioctls */
   uint64_t bytes;         /* their bytes (vtest: on the socket; virtgpu: the ioctl payloads) */
   uint64_t ccmds;         /* ccmd requests */
   uint64_t ccmd_bytes;    /* their bytes */
   uint64_t flushes;       /* batches of buffered ccmds sent */
   uint64_t round_trips;   /* times the guest blocked until the host answered a request */
   uint64_t fence_waits;   /* fence waits (blocking on GPU work, not on the protocol) */
   uint64_t errors;        /* failures reported (the first is vg_error()'s) */
};

/* The virtio_gpu system calls the transport makes, so a test can fake them. */
struct vg_virtgpu_sys {
   int (*ioctl)(void *data, int fd, unsigned long request, void *arg);   /* 0 or -1 with errno */
   void *(*mmap)(void *data, size_t len, int fd, uint64_t offset);       /* MAP_FAILED with errno */
   int (*munmap)(void *data, void *addr, size_t len);
   int (*close)(void *data, int fd);
   void *data;
};

/* The real ones (ioctl(2) retried on EINTR/EAGAIN as drmIoctl does, mmap(2), munmap(2)). */
extern const struct vg_virtgpu_sys vg_virtgpu_sys_default;

/*
 * The vtest socket I/O the transport does, so a test can stand in for the
 * host: each returns 0 or -errno (-EPIPE: the host is gone, -ETIMEDOUT: no
 * answer within timeout_ms, -EBADMSG: recv_fd found no descriptor).
 */
struct vg_vtest_io {
   int (*send)(void *data, int s, const void *buf, size_t len, int fd);   /* all of buf; fd >= 0 on one more byte */
   int (*recv)(void *data, int s, void *buf, size_t len, int timeout_ms); /* exactly len bytes */
   int (*recv_fd)(void *data, int s, int *fd, int timeout_ms);           /* one byte and its descriptor */
   void *data;
};

/* The real ones, on the socket. */
extern const struct vg_vtest_io vg_vtest_io_default;

/*
 * A device connected to a host, or NULL when out of memory. On failure the
 * device exists and vg_error() says why; it can only be closed.
 */
struct vg_device *vg_open_vtest(const char *socket_path, const struct vg_options *opt);
/* s: a socket connected to a vtest server, owned by the device from then on (also on failure); io NULL: the real I/O. */
struct vg_device *vg_open_vtest_socket(int s, const struct vg_vtest_io *io, const struct vg_options *opt);
/* fd: an open virtio_gpu render node, owned by the device from then on. */
struct vg_device *vg_open_virtgpu(int fd, const struct vg_virtgpu_sys *sys, const struct vg_options *opt);
void vg_close(struct vg_device *dev);

/* The first failure ("GEM_SUBMIT seqno 12: ..."), or NULL while there was none. */
const char *vg_error(const struct vg_device *dev);
/* Records a failure of the driver layer or the caller, naming command; returns -1. */
int vg_fail(struct vg_device *dev, const char *command, const char *fmt, ...)
   __attribute__((format(printf, 3, 4)));
const struct vg_stats *vg_stats(const struct vg_device *dev);
/* The capset the host reported (its context_type checked). */
const struct virgl_renderer_capset_drm *vg_caps(const struct vg_device *dev);
/* "vtest" or "virtgpu". */
const char *vg_transport_name(const struct vg_device *dev);
/* Milliseconds on the monotonic clock the library's deadlines use. */
uint64_t vg_now_ms(void);

/* ---- ccmd requests ---- */

/* A response slot in the shmem's response region. */
struct vg_rsp {
   uint32_t seqno;    /* of the request it answers */
   uint32_t off;      /* in the response region */
   uint32_t size;     /* bytes reserved */
   const char *command;
};

/*
 * Starts a request: assigns hdr->seqno and, with rsp_size > 0, a response
 * slot (hdr->rsp_off, *rsp). Then build it with its encoder in the room
 * vg_req_space() returns and queue it with vg_req_push().
 */
int vg_req_begin(struct vg_device *dev, struct vdrm_ccmd_req *hdr, uint32_t rsp_size,
                 struct vg_rsp *rsp, const char *command);
/* Room for size bytes at the end of the request buffer (flushed first when full), or NULL. */
void *vg_req_space(struct vg_device *dev, size_t size);
/* The len bytes built in that room are a request of command; queued, not sent. */
int vg_req_push(struct vg_device *dev, size_t len, const char *command);
/* Sends what is buffered (ring 0, no fence). */
int vg_flush(struct vg_device *dev);
/*
 * Waits until the host has run the request rsp answers (a round trip unless
 * it already has), then copies the response (at most cap bytes, as many as
 * the host says it wrote, never more than reserved) to buf; *len is that size.
 */
int vg_rsp_read(struct vg_device *dev, const struct vg_rsp *rsp, void *buf, size_t cap, size_t *len);
/* True when the host has run request seqno (wrap-around compare); never blocks. */
bool vg_seqno_passed(const struct vg_device *dev, uint32_t seqno);
/* Flushes and waits until the host has run everything sent: a round trip. */
int vg_sync(struct vg_device *dev);
/* The shmem as the host last wrote it, for a context's own fields (read with care). */
const volatile void *vg_shmem(const struct vg_device *dev);

/* ---- blobs ---- */

#define VG_BLOB_MAPPABLE 1u   /* VIRTGPU_BLOB_FLAG_USE_MAPPABLE */
#define VG_BLOB_SHAREABLE 2u  /* VIRTGPU_BLOB_FLAG_USE_SHAREABLE */

struct vg_blob;

/* A fresh guest-chosen blob_id (never 0, the shmem's). */
uint32_t vg_blob_id_next(struct vg_device *dev);
/*
 * Creates a HOST3D blob for the buffer that ccmd (a request begun with
 * vg_req_begin() and built into a buffer of the caller: len bytes, the
 * context's buffer creation, e.g. msm GEM_NEW) creates with blob_id. Does not
 * wait for the host: the blob's res_id is known when first asked for.
 */
struct vg_blob *vg_blob_create(struct vg_device *dev, uint64_t size, uint32_t flags, uint32_t blob_id,
                               const void *ccmd, size_t len, const char *command);
/* The resource id the host gave it (the first call may wait for the host), or 0. */
uint32_t vg_blob_res_id(struct vg_device *dev, struct vg_blob *blob);
/* The guest's mapping of it (mapped on first call), or NULL. */
void *vg_blob_map(struct vg_device *dev, struct vg_blob *blob);
/* The virtio_gpu GEM handle (virtgpu transport only; 0 on vtest). */
uint32_t vg_blob_handle(const struct vg_blob *blob);
uint64_t vg_blob_size(const struct vg_blob *blob);
/* Flushes what may name it, then releases it. */
void vg_blob_destroy(struct vg_device *dev, struct vg_blob *blob);

/* ---- submission and fences ---- */

/* A DRM syncobj of the host (vtest) or the guest kernel (virtgpu), and a point. */
struct vg_syncobj {
   uint32_t handle;
   uint32_t flags;
   uint64_t point;
};

/* A fence of one submission, waited for with vg_fence_wait(). */
struct vg_fence {
   int fd;            /* a sync file, once known; -1 before */
   uint32_t ring;
   uint64_t ticket;   /* vtest: which answer carries the fd */
   bool pending;      /* the answer is still to be read */
};

struct vg_execbuf {
   const void *ccmd;             /* the submission, begun with vg_req_begin() */
   size_t len;
   const char *command;
   uint32_t ring_idx;            /* its fence's ring */
   const struct vg_syncobj *in_syncobjs;
   uint32_t num_in_syncobjs;
   const struct vg_syncobj *out_syncobjs;
   uint32_t num_out_syncobjs;
   struct vg_blob *const *blobs; /* buffers it uses (virtio_gpu needs their handles) */
   uint32_t num_blobs;
};

/*
 * Flushes what is buffered, then sends the submission on its ring; with
 * fence != NULL asks for an out-fence. Never waits for the host.
 */
int vg_execbuf(struct vg_device *dev, const struct vg_execbuf *eb, struct vg_fence *fence);
/* 0 once signalled, 1 when timeout_ms passed first, -1 on failure (vg_error()). */
int vg_fence_wait(struct vg_device *dev, struct vg_fence *fence, int timeout_ms);
void vg_fence_release(struct vg_device *dev, struct vg_fence *fence);

int vg_syncobj_create(struct vg_device *dev, uint32_t *handle);
void vg_syncobj_destroy(struct vg_device *dev, uint32_t handle);

#ifdef __cplusplus
}
#endif

#endif
