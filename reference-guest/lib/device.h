/* SPDX-License-Identifier: MIT */

/*
 * Inside a vg_device: the state both transports share, and the operations
 * each transport provides (vtest.c, virtgpu.c), like Mesa vdrm's
 * vdrm_device_funcs.
 */

#ifndef VG_DEVICE_H_
#define VG_DEVICE_H_

#include <stdarg.h>

#include "vdrm_guest.h"

#define VG_REQBUF_SIZE 0x8000u        /* buffered ccmds sent as one batch */
#define VG_DEFAULT_SHMEM_SIZE 0x4000u
#define VG_DEFAULT_TIMEOUT_MS 10000
#define VG_RECENT 64u                 /* ccmds remembered to name the one the host refused */

struct vg_blob {
   uint64_t size;
   uint32_t flags;
   uint32_t blob_id;
   uint32_t res_id;     /* 0 until known */
   uint32_t handle;     /* virtgpu GEM handle */
   int fd;              /* vtest: the blob's descriptor, once received */
   void *map;
   uint64_t ticket;     /* vtest: which answer carries res_id and fd */
   bool pending;
};

struct vg_transport_ops {
   const char *name;
   /* Sends cmds (a whole number of ccmds): a plain flush when eb is NULL. */
   int (*submit)(struct vg_device *dev, const void *cmds, size_t len, const struct vg_execbuf *eb,
                 struct vg_fence *fence);
   /* Returns once the host has run everything submitted before. */
   int (*sync)(struct vg_device *dev);
   int (*blob_create)(struct vg_device *dev, struct vg_blob *blob, const void *ccmd, size_t len);
   /* Makes blob->res_id (and whatever mapping needs) known. */
   int (*blob_resolve)(struct vg_device *dev, struct vg_blob *blob);
   void *(*blob_map)(struct vg_device *dev, struct vg_blob *blob);
   void (*blob_destroy)(struct vg_device *dev, struct vg_blob *blob);
   /* Makes fence->fd known (vtest: reads its answer); the wait itself is common. */
   int (*fence_resolve)(struct vg_device *dev, struct vg_fence *fence);
   void (*fence_forget)(struct vg_device *dev, struct vg_fence *fence);
   int (*syncobj_create)(struct vg_device *dev, uint32_t *handle);
   void (*syncobj_destroy)(struct vg_device *dev, uint32_t handle);
   void (*close)(struct vg_device *dev);
};

struct vg_recent {
   uint32_t seqno;
   const char *command;
};

struct vg_device {
   const struct vg_transport_ops *ops;
   void *transport;                     /* the transport's own state */
   int watch_fd;                        /* hangs up when the host is gone (vtest's socket), or -1 */
   struct vg_options opt;
   struct virgl_renderer_capset_drm caps;

   uint8_t *shmem;                      /* mapped shmem blob, opt.shmem_size bytes */
   uint32_t rsp_mem_offset;             /* as the host wrote it, checked */
   uint32_t rsp_mem_len;
   uint32_t next_rsp_off;

   uint32_t next_seqno;                 /* the last seqno handed out */
   uint32_t next_blob_id;
   uint32_t async_error;                /* the last value seen */
   uint32_t checked_seqno;              /* the host had passed it at the last check */

   uint8_t reqbuf[VG_REQBUF_SIZE];
   size_t reqbuf_len;
   size_t reserved;                     /* vg_req_space() room not yet pushed */

   struct vg_recent recent[VG_RECENT];
   uint32_t recent_count;

   struct vg_stats stats;
   char error[512];
};

/* For the transports. */
struct vg_device *vg_device_alloc(const struct vg_options *opt, const struct vg_transport_ops *ops);
int vg_failv(struct vg_device *dev, const char *command, const char *fmt, va_list ap);
bool vg_failed(const struct vg_device *dev);
/* Checks the shmem the host mapped: rsp_mem_offset within it and past the context's struct. */
int vg_shmem_attach(struct vg_device *dev, void *map);
uint32_t vg_shmem_seqno(const struct vg_device *dev);
/* Checks async_error (and that seqno passed what it must); reports the refused command. */
int vg_check_host(struct vg_device *dev, uint32_t must_pass);
/*
 * Waits for fd to become readable within timeout_ms: 0, 1 on timeout, -1
 * with errno; EPIPE when watch (>= 0, the host's socket) hangs up first.
 */
int vg_fd_wait(int fd, int watch, int timeout_ms);
/* Writes every byte (the --record stream). */
void vg_record(struct vg_device *dev, const void *buf, size_t len);

#endif
