/* SPDX-License-Identifier: MIT */

/*
 * The reference host of the virtio-gpu DRM native context protocols, as an
 * in-process API (a vtest or virtio-gpu transport sits on top of it).
 *
 *   host     one per GPU: a kernel backend, the limits, the log sink, the
 *            capability set read from the device once at creation;
 *   client   one per guest connection (a vtest socket, a VM): at most one
 *            context, initialised with a capset id;
 *   context  the guest context: its shared-memory buffer, resources (by
 *            res_id, which the host assigns), fence rings, and the handlers
 *            of its protocol (the backend's driver decides which one).
 *
 * Every function returns 0 (VDRM_HOST_OK) or a positive enum vdrm_host_status.
 * Nothing is thread-safe: a caller serialises all calls on one host. The
 * guest may read and write the shared-memory buffer at any time.
 */

#ifndef VDRM_HOST_H_
#define VDRM_HOST_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vdrm_backend;
struct vdrm_host;
struct vdrm_host_client;

/* VIRTIO_GPU_CAPSET_DRM: the only capset id a context is created with. */
#define VDRM_HOST_CAPSET_DRM 6u

/* virtio-gpu blob flags (VIRTGPU_BLOB_FLAG_*). */
#define VDRM_HOST_BLOB_MAPPABLE 0x1u
#define VDRM_HOST_BLOB_SHAREABLE 0x2u
#define VDRM_HOST_BLOB_CROSS_DEVICE 0x4u

/* Everything a guest can make the host allocate, each bounded by its own limit. */
enum vdrm_host_limit {
   VDRM_HOST_LIMIT_CONTEXTS,        /* contexts per host */
   VDRM_HOST_LIMIT_OBJECTS,         /* GEM objects per context, with or without a blob */
   VDRM_HOST_LIMIT_BUFFER_BYTES,    /* bytes of those objects (page-rounded) per context */
   VDRM_HOST_LIMIT_QUEUES,          /* submitqueues per context */
   VDRM_HOST_LIMIT_PENDING_FENCES,  /* submits not retired plus ring fences not delivered, per context */
   VDRM_HOST_LIMIT_BLOBS,           /* blob resources (res_ids) per context, the shmem included */
   VDRM_HOST_LIMIT_MESSAGE_SIZE,    /* bytes of one ccmd batch */
   VDRM_HOST_LIMIT_SHMEM_SIZE,      /* bytes of the shared-memory blob */
   VDRM_HOST_LIMIT_RESPONSE_SIZE,   /* bytes of one response (the host's shadow buffer) */
   VDRM_HOST_LIMIT_COUNT,
};

struct vdrm_host_limits {
   uint64_t max[VDRM_HOST_LIMIT_COUNT];
};

enum vdrm_host_status {
   VDRM_HOST_OK = 0,
   VDRM_HOST_E_INVAL,       /* an argument is invalid */
   VDRM_HOST_E_NOENT,       /* no such resource, blob id or fence */
   VDRM_HOST_E_EXIST,       /* already there (a second context, a second shmem) */
   VDRM_HOST_E_NOCTX,       /* the client has no context yet */
   VDRM_HOST_E_NOMEM,       /* the host ran out of memory */
   VDRM_HOST_E_BACKEND,     /* the kernel backend failed */
   VDRM_HOST_E_PROTOCOL,    /* a ccmd batch was rejected from some request on (logged) */
   VDRM_HOST_E_TIMEOUT,     /* a wait timed out */
   /* A limit was reached: VDRM_HOST_E_LIMIT + enum vdrm_host_limit. */
   VDRM_HOST_E_LIMIT,
   VDRM_HOST_E_LIMIT_CONTEXTS = VDRM_HOST_E_LIMIT + VDRM_HOST_LIMIT_CONTEXTS,
   VDRM_HOST_E_LIMIT_OBJECTS = VDRM_HOST_E_LIMIT + VDRM_HOST_LIMIT_OBJECTS,
   VDRM_HOST_E_LIMIT_BUFFER_BYTES = VDRM_HOST_E_LIMIT + VDRM_HOST_LIMIT_BUFFER_BYTES,
   VDRM_HOST_E_LIMIT_QUEUES = VDRM_HOST_E_LIMIT + VDRM_HOST_LIMIT_QUEUES,
   VDRM_HOST_E_LIMIT_PENDING_FENCES = VDRM_HOST_E_LIMIT + VDRM_HOST_LIMIT_PENDING_FENCES,
   VDRM_HOST_E_LIMIT_BLOBS = VDRM_HOST_E_LIMIT + VDRM_HOST_LIMIT_BLOBS,
   VDRM_HOST_E_LIMIT_MESSAGE_SIZE = VDRM_HOST_E_LIMIT + VDRM_HOST_LIMIT_MESSAGE_SIZE,
   VDRM_HOST_E_LIMIT_SHMEM_SIZE = VDRM_HOST_E_LIMIT + VDRM_HOST_LIMIT_SHMEM_SIZE,
   VDRM_HOST_E_LIMIT_RESPONSE_SIZE = VDRM_HOST_E_LIMIT + VDRM_HOST_LIMIT_RESPONSE_SIZE,
   VDRM_HOST_STATUS_COUNT = VDRM_HOST_E_LIMIT + VDRM_HOST_LIMIT_COUNT,
};

/* "VDRM_HOST_E_LIMIT_QUEUES"; "max_queues"; the default of a limit. */
const char *vdrm_host_status_name(int status);
const char *vdrm_host_limit_name(enum vdrm_host_limit limit);
uint64_t vdrm_host_limit_default(enum vdrm_host_limit limit);

/* One line, no newline, already rate-limited per context. */
typedef void (*vdrm_host_log_fn)(void *data, const char *line);
/* Nanoseconds of a monotonic clock (the log's rate limit). */
typedef uint64_t (*vdrm_host_clock_fn)(void *data);

struct vdrm_host_config {
   struct vdrm_host_limits limits;
   vdrm_host_log_fn log;           /* NULL: stderr */
   void *log_data;
   uint32_t log_burst;             /* lines per context per interval */
   uint64_t log_interval_ns;
   vdrm_host_clock_fn clock;       /* NULL: CLOCK_MONOTONIC */
   void *clock_data;
};

/* Defaults: every limit at its default, 10 lines per second per context, stderr. */
void vdrm_host_config_init(struct vdrm_host_config *config);

/* The backend must outlive the host. config NULL: defaults. */
int vdrm_host_create(struct vdrm_backend *backend, const struct vdrm_host_config *config,
                     struct vdrm_host **host);
/* Destroys every client left. */
void vdrm_host_destroy(struct vdrm_host *host);

/*
 * The capability set (struct virgl_renderer_capset_drm) of capset_id at
 * version: copies min(cap, its size) bytes into buf and stores its size.
 */
int vdrm_host_get_capset(struct vdrm_host *host, uint32_t capset_id, uint32_t version, void *buf,
                         size_t cap, size_t *size);

int vdrm_host_client_create(struct vdrm_host *host, struct vdrm_host_client **client);
/* Destroys its context and resources; pending GPU work still completes in the backend. */
void vdrm_host_client_destroy(struct vdrm_host_client *client);

/* Creates the client's context; name (may be NULL) appears in its log lines. */
int vdrm_host_context_init(struct vdrm_host_client *client, uint32_t capset_id, const char *name);
/* Fence rings of the context: ring 0 is the CPU, ring N the GPU timeline of priority N - 1. */
uint32_t vdrm_host_num_rings(struct vdrm_host_client *client);

/*
 * RESOURCE_CREATE_BLOB (blob_mem HOST3D): blob_id 0 creates the context's
 * shared-memory buffer (once; VDRM_HOST_BLOB_MAPPABLE required), any other
 * id the resource of the buffer a preceding GEM_NEW-like ccmd created under
 * it (size at most that buffer's). *res_id is the new resource, *fd a new
 * file descriptor of its memory that the caller owns (mmap it; close it).
 */
int vdrm_host_blob_create(struct vdrm_host_client *client, uint32_t blob_id, uint64_t size,
                          uint32_t flags, uint32_t *res_id, int *fd);
/* A new file descriptor of a resource's memory, owned by the caller. */
int vdrm_host_resource_export(struct vdrm_host_client *client, uint32_t res_id, int *fd);
/* Drops a resource; GPU work still using its buffer is unaffected. */
int vdrm_host_resource_unref(struct vdrm_host_client *client, uint32_t res_id);

/* vdrm_host_submit() flag: after the batch, create fence fence_id on ring_idx. */
#define VDRM_HOST_SUBMIT_FENCE 0x1u

/*
 * EXECBUFFER: runs a batch of ccmds (decoded in place; the buffer must not
 * change during the call). VDRM_HOST_E_PROTOCOL when some request was
 * rejected: it and the rest of the batch were dropped, one line was logged,
 * async_error was counted; whatever ran before it stands. With
 * VDRM_HOST_SUBMIT_FENCE a fence is created even then (ring_idx must be
 * below vdrm_host_num_rings(), checked before anything runs).
 */
int vdrm_host_submit(struct vdrm_host_client *client, const void *cmds, size_t size, uint32_t flags,
                     uint32_t ring_idx, uint64_t fence_id);

/* A fence of ring_idx: 0 when signaled, VDRM_HOST_E_TIMEOUT after timeout_ns. */
int vdrm_host_fence_wait(struct vdrm_host_client *client, uint32_t ring_idx, uint64_t fence_id,
                         int64_t timeout_ns);

typedef void (*vdrm_host_fence_fn)(void *data, uint32_t ring_idx, uint64_t fence_id);
/*
 * Calls fn for every fence that has signaled and was not delivered yet, in
 * creation order on each ring; returns how many.
 */
uint32_t vdrm_host_fence_poll(struct vdrm_host_client *client, vdrm_host_fence_fn fn, void *data);

struct vdrm_host_stats {
   uint64_t batches;              /* submitted batches */
   uint64_t requests;             /* requests completed */
   uint64_t rejected;             /* requests rejected (each ends its batch) */
   uint64_t limit_hits[VDRM_HOST_LIMIT_COUNT];
   uint64_t log_lines;            /* lines written */
   uint64_t log_suppressed;       /* lines the rate limit dropped */
   uint32_t async_errors;         /* async_error increments */
   uint32_t resources;            /* live res_ids */
   uint32_t objects;              /* live GEM objects */
   uint32_t queues;
   uint32_t pending_fences;
   uint64_t buffer_bytes;
   uint64_t shmem_bytes;          /* size of the shared-memory blob, 0 before it exists */
   uint64_t heap_bytes;           /* host memory the context holds besides the shmem */
};

int vdrm_host_get_stats(struct vdrm_host_client *client, struct vdrm_host_stats *stats);

#ifdef __cplusplus
}
#endif

#endif /* VDRM_HOST_H_ */
