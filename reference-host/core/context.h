/* SPDX-License-Identifier: MIT */

/*
 * A context instance: one per guest context. The core owns the transport
 * (stream walk, shmem, responses, seqno, async_error), the resources, the
 * fence rings, the limits and the log; a protocol's handlers (context_type.h)
 * run one request at a time through the helpers declared here.
 */

#ifndef VH_CONTEXT_H_
#define VH_CONTEXT_H_

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "backend.h"
#include "context_type.h"
#include "idmap.h"
#include "log.h"
#include "rings.h"
#include "shmem.h"
#include "vdrm_host.h"

/* A buffer the guest created (GEM_NEW-like), or the shmem blob's resource. */
struct vh_object {
   uint32_t refcount;
   uint32_t handle;     /* backend GEM handle; 0 for the shmem */
   uint32_t blob_id;
   uint32_t res_id;     /* 0 until its blob exists */
   uint64_t size;       /* bytes charged to max_buffer_bytes (page-rounded) */
   bool shmem;
};

struct vh_context {
   const struct vh_log_sink *sink;
   const struct vh_context_type *type;
   const struct vdrm_host_limits *limits;
   uint32_t id;
   char who[96];                        /* "ctx 3 \"name\" (msm)" for log lines */
   struct vdrm_backend_file *file;

   struct vh_shmem shmem;
   uint8_t *shadow;                     /* max_response_size bytes, once the shmem exists */
   uint32_t shadow_cap;
   uint8_t *scratch;                    /* handlers' translation space, grown as needed */
   size_t scratch_cap;

   struct vh_idmap by_res;              /* res_id -> struct vh_object */
   struct vh_idmap by_blob;             /* blob_id -> struct vh_object awaiting its blob */
   uint32_t next_res_id;
   uint32_t objects;                    /* GEM objects alive */
   uint64_t buffer_bytes;

   struct vh_rings rings;

   /* The request being run and the handler's reason for rejecting it. */
   struct vdrm_ccmd_req hdr;
   struct vdrm_error herr;

   struct vh_log_limiter log;
   struct vdrm_host_stats stats;
   void *type_data;
};

/* ---- used by the host (host.c) ---- */

int vh_context_create(const struct vh_context_type *type, struct vdrm_backend *backend,
                      const struct vdrm_host_limits *limits, const struct vh_log_sink *sink,
                      uint32_t id, const char *name, struct vh_context **out);
void vh_context_destroy(struct vh_context *ctx);
/* EXECBUFFER: walks the batch; VDRM_HOST_OK or VDRM_HOST_E_PROTOCOL / _E_LIMIT_MESSAGE_SIZE. */
int vh_context_submit(struct vh_context *ctx, const void *buf, size_t size);
int vh_context_blob_create(struct vh_context *ctx, uint32_t blob_id, uint64_t size, uint32_t flags,
                           uint32_t *res_id, int *fd);
int vh_context_export(struct vh_context *ctx, uint32_t res_id, int *fd);
int vh_context_unref(struct vh_context *ctx, uint32_t res_id);
void vh_context_stats(struct vh_context *ctx, struct vdrm_host_stats *stats);
/* Logs err for this context, rate-limited (in_batch: err->offset is in the batch). */
void vh_context_log(struct vh_context *ctx, const uint32_t *seqno, bool in_batch,
                    const struct vdrm_error *err);
/*
 * A guest's API request (blob creation, export, unref, a fence) refused:
 * logs "COMMAND: field: reason" and returns status.
 */
int vh_context_refuse(struct vh_context *ctx, int status, const char *command, const char *field,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* ---- used by handlers ---- */

/*
 * Rejects the current request: records why (command, field, reason) and
 * returns -1 for the handler to return. The core then logs it, counts
 * async_error and drops the rest of the batch.
 */
int vh_reject(struct vh_context *ctx, enum vdrm_status status, const char *command, const char *field,
              const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/*
 * Checks that used + add stays within the limit: 0, or counts the hit and
 * rejects the request naming the limit.
 */
int vh_limit(struct vh_context *ctx, enum vdrm_host_limit limit, uint64_t used, uint64_t add,
             const char *command, const char *field);

/*
 * Starts the response to the current request: the shmem must exist, a
 * response of len bytes must fit the response region at hdr.rsp_off and the
 * shadow buffer (max_response_size). On success *shadow is len zeroed bytes
 * to build it in; otherwise the request is rejected (-1).
 */
int vh_rsp_begin(struct vh_context *ctx, uint64_t len, const char *command, void **shadow);
/* Copies the finished response (len bytes of the shadow) into the region. */
void vh_rsp_commit(struct vh_context *ctx, uint32_t len);

/* len bytes of scratch space, valid until the next call (grows; NULL: out of memory). */
void *vh_scratch(struct vh_context *ctx, size_t len);

/* A GEM resource by res_id (NULL for unknown ids and for the shmem). */
struct vh_object *vh_object_lookup(struct vh_context *ctx, uint32_t res_id);
/* True if a buffer awaits its blob under blob_id. */
bool vh_blob_id_pending(struct vh_context *ctx, uint32_t blob_id);
/*
 * Records a new buffer (backend handle, size charged) awaiting its blob
 * under blob_id; the limits must have been checked. VDRM_HOST_* status.
 */
int vh_object_create(struct vh_context *ctx, uint32_t handle, uint64_t size, uint32_t blob_id);

static inline struct vdrm_backend_file *
vh_file(struct vh_context *ctx)
{
   return ctx->file;
}

static inline const struct vdrm_backend_ops *
vh_backend(struct vh_context *ctx)
{
   return ctx->file->dev->ops;
}

#endif /* VH_CONTEXT_H_ */
