/* SPDX-License-Identifier: MIT */

/* A context instance: the batch walk, responses, resources and limits. */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "context.h"
#include "limits.h"

int
vh_context_create(const struct vh_context_type *type, struct vdrm_backend *backend,
                  const struct vdrm_host_limits *limits, const struct vh_log_sink *sink, uint32_t id,
                  const char *name, struct vh_context **out)
{
   struct vh_context *ctx = calloc(1, sizeof(*ctx));
   int ret;

   if (!ctx)
      return VDRM_HOST_E_NOMEM;
   ctx->sink = sink;
   ctx->type = type;
   ctx->limits = limits;
   ctx->id = id;
   ctx->next_res_id = 1;
   vh_shmem_init(&ctx->shmem);
   /* Printable characters of the name only: it ends up in log lines. */
   {
      char clean[48] = "";
      size_t n = 0;

      for (const char *p = name; p && *p && n < sizeof(clean) - 1; p++)
         clean[n++] = (*p >= 0x20 && *p < 0x7f && *p != '"') ? *p : '?';
      clean[n] = '\0';
      snprintf(ctx->who, sizeof(ctx->who), "ctx %u \"%s\" (%s)", id, clean, type->name);
   }
   if (backend->ops->open(backend, &ctx->file)) {
      free(ctx);
      return VDRM_HOST_E_BACKEND;
   }
   ret = type->init(ctx);
   if (ret) {
      backend->ops->close(ctx->file);
      free(ctx);
      return ret;
   }
   *out = ctx;
   return VDRM_HOST_OK;
}

static void
object_release(struct vh_context *ctx, struct vh_object *obj)
{
   if (--obj->refcount)
      return;
   if (!obj->shmem) {
      /* The backend keeps the buffer while submits still use it. */
      vh_backend(ctx)->gem_close(ctx->file, obj->handle);
      ctx->objects--;
      ctx->buffer_bytes -= obj->size;
   }
   free(obj);
}

void
vh_context_destroy(struct vh_context *ctx)
{
   struct vh_object *obj;

   if (!ctx)
      return;
   while ((obj = vh_idmap_pop(&ctx->by_res, NULL)))
      object_release(ctx, obj);
   while ((obj = vh_idmap_pop(&ctx->by_blob, NULL)))
      object_release(ctx, obj);
   vh_idmap_fini(&ctx->by_res);
   vh_idmap_fini(&ctx->by_blob);
   vh_rings_fini(&ctx->rings);
   ctx->type->fini(ctx);
   vh_backend(ctx)->close(ctx->file);
   vh_shmem_fini(&ctx->shmem);
   free(ctx->shadow);
   free(ctx->scratch);
   free(ctx);
}

void
vh_context_log(struct vh_context *ctx, const uint32_t *seqno, bool in_batch,
               const struct vdrm_error *err)
{
   vh_log_error(ctx->sink, &ctx->log, ctx->who, seqno, in_batch, err);
   ctx->stats.log_lines = ctx->log.lines;
   ctx->stats.log_suppressed = ctx->log.suppressed;
}

/* A request was dropped: the guest learns it through async_error. */
static void
count_async_error(struct vh_context *ctx)
{
   if (vh_shmem_present(&ctx->shmem) && ctx->type->async_error_offset) {   /* 0: the type has none */
      vh_shmem_increment(&ctx->shmem, ctx->type->async_error_offset);
      ctx->stats.async_errors++;
   }
}

static int
reject_batch(struct vh_context *ctx, const uint32_t *seqno, const struct vdrm_error *err)
{
   ctx->stats.rejected++;
   vh_context_log(ctx, seqno, true, err);
   count_async_error(ctx);
   return VDRM_HOST_E_PROTOCOL;
}

int
vh_context_submit(struct vh_context *ctx, const void *buf, size_t size)
{
   struct vdrm_stream s;
   struct vdrm_error err;
   const uint8_t *msg;
   int r, ret = VDRM_HOST_OK;

   ctx->stats.batches++;
   if (size > ctx->limits->max[VDRM_HOST_LIMIT_MESSAGE_SIZE]) {
      ctx->stats.limit_hits[VDRM_HOST_LIMIT_MESSAGE_SIZE]++;
      vdrm_fail(&err, VDRM_E_LIMIT, 0, "stream", "size", "limit %s: %zu bytes exceed %llu",
                vdrm_host_limit_name(VDRM_HOST_LIMIT_MESSAGE_SIZE), size,
                (unsigned long long)ctx->limits->max[VDRM_HOST_LIMIT_MESSAGE_SIZE]);
      reject_batch(ctx, NULL, &err);
      ret = VDRM_HOST_E_LIMIT_MESSAGE_SIZE;
      goto done;
   }
   vdrm_stream_init(&s, buf, size, ctx->type->alignment);
   while ((r = vdrm_stream_next(&s, &msg, &ctx->hdr, &err)) == 1) {
      ctx->herr.status = VDRM_OK;
      r = ctx->type->dispatch(ctx, msg, ctx->hdr.len, &err);
      if (r) {
         /* A handler's own reason is more precise than "handler failed". */
         if (r == VDRM_E_HANDLER && ctx->herr.status != VDRM_OK)
            err = ctx->herr;
         /* Where in the batch: the request's start plus the offset in it. */
         err.offset += (uint32_t)(msg - (const uint8_t *)buf);
         ret = reject_batch(ctx, &ctx->hdr.seqno, &err);
         goto done;
      }
      ctx->stats.requests++;
      if (vh_shmem_present(&ctx->shmem))
         vh_shmem_publish_seqno(&ctx->shmem, ctx->hdr.seqno);
   }
   if (r < 0)
      ret = reject_batch(ctx, NULL, &err);
done:
   if (ctx->type->batch_done)
      ctx->type->batch_done(ctx);
   return ret;
}

int
vh_context_refuse(struct vh_context *ctx, int status, const char *command, const char *field,
                  const char *fmt, ...)
{
   struct vdrm_error err;
   char reason[sizeof(err.message)];
   va_list ap;

   va_start(ap, fmt);
   vsnprintf(reason, sizeof(reason), fmt, ap);
   va_end(ap);
   vdrm_fail(&err, status >= VDRM_HOST_E_LIMIT ? VDRM_E_LIMIT : VDRM_E_NOT_ALLOWED, 0, command, field,
             "%s (%s)", reason, vdrm_host_status_name(status));
   vh_context_log(ctx, NULL, false, &err);
   return status;
}

int
vh_reject(struct vh_context *ctx, enum vdrm_status status, const char *command, const char *field,
          const char *fmt, ...)
{
   char reason[sizeof(ctx->herr.message)];
   va_list ap;

   va_start(ap, fmt);
   vsnprintf(reason, sizeof(reason), fmt, ap);
   va_end(ap);
   vdrm_fail(&ctx->herr, status, 0, command, field, "%s", reason);
   return -1;
}

int
vh_limit(struct vh_context *ctx, enum vdrm_host_limit limit, uint64_t used, uint64_t add,
         const char *command, const char *field)
{
   uint64_t max = ctx->limits->max[limit];

   if (vh_within(used, add, max))
      return 0;
   ctx->stats.limit_hits[limit]++;
   return vh_reject(ctx, VDRM_E_LIMIT, command, field, "limit %s: %llu in use + %llu exceeds %llu",
                    vdrm_host_limit_name(limit), (unsigned long long)used, (unsigned long long)add,
                    (unsigned long long)max);
}

int
vh_rsp_begin(struct vh_context *ctx, uint64_t len, const char *command, void **shadow)
{
   int ret;

   if (!vh_shmem_present(&ctx->shmem))
      return vh_reject(ctx, VDRM_E_RSP_BOUNDS, command, "hdr.rsp_off",
                       "no shared-memory buffer to answer in yet");
   ret = vdrm_rsp_check(&ctx->shmem.region, ctx->hdr.rsp_off, len, command, &ctx->herr);
   if (ret)
      return -1;
   if (len > ctx->shadow_cap) {
      ctx->stats.limit_hits[VDRM_HOST_LIMIT_RESPONSE_SIZE]++;
      return vh_reject(ctx, VDRM_E_LIMIT, command, "hdr.rsp_off",
                       "limit %s: a %llu-byte response exceeds %u",
                       vdrm_host_limit_name(VDRM_HOST_LIMIT_RESPONSE_SIZE), (unsigned long long)len,
                       ctx->shadow_cap);
   }
   memset(ctx->shadow, 0, (size_t)len);
   *shadow = ctx->shadow;
   return 0;
}

void
vh_rsp_commit(struct vh_context *ctx, uint32_t len)
{
   vdrm_rsp_commit(&ctx->shmem.region, ctx->hdr.rsp_off, ctx->shadow, len);
}

void *
vh_scratch(struct vh_context *ctx, size_t len)
{
   if (len == 0)
      len = 1;
   if (len > ctx->scratch_cap) {
      size_t cap = ctx->scratch_cap ? ctx->scratch_cap : 256;
      uint8_t *p;

      while (cap < len)
         cap *= 2;
      p = realloc(ctx->scratch, cap);
      if (!p)
         return NULL;
      ctx->scratch = p;
      ctx->scratch_cap = cap;
   }
   return ctx->scratch;
}

struct vh_object *
vh_object_lookup(struct vh_context *ctx, uint32_t res_id)
{
   struct vh_object *obj = vh_idmap_get(&ctx->by_res, res_id);

   return obj && !obj->shmem ? obj : NULL;
}

bool
vh_blob_id_pending(struct vh_context *ctx, uint32_t blob_id)
{
   return vh_idmap_get(&ctx->by_blob, blob_id) != NULL;
}

int
vh_object_create(struct vh_context *ctx, uint32_t handle, uint64_t size, uint32_t blob_id)
{
   struct vh_object *obj = calloc(1, sizeof(*obj));

   if (!obj)
      return VDRM_HOST_E_NOMEM;
   obj->refcount = 1;
   obj->handle = handle;
   obj->size = size;
   obj->blob_id = blob_id;
   if (vh_idmap_put(&ctx->by_blob, blob_id, obj)) {
      free(obj);
      return VDRM_HOST_E_NOMEM;
   }
   ctx->objects++;
   ctx->buffer_bytes += size;
   return VDRM_HOST_OK;
}

/* The next free res_id: they count up from 1 and skip ones in use after a wrap. */
static uint32_t
alloc_res_id(struct vh_context *ctx)
{
   for (uint64_t tries = 0; tries <= UINT32_MAX; tries++) {
      uint32_t id = ctx->next_res_id++;

      if (ctx->next_res_id == 0)
         ctx->next_res_id = 1;
      if (id && !vh_idmap_get(&ctx->by_res, id))
         return id;
   }
   return 0;
}

static int
errno_status(int err)
{
   return err == -ENOMEM ? VDRM_HOST_E_NOMEM : VDRM_HOST_E_BACKEND;
}

#define BLOB "RESOURCE_CREATE_BLOB"

static int
shmem_create(struct vh_context *ctx, uint64_t size, uint32_t flags, struct vh_object **out)
{
   uint64_t max = ctx->limits->max[VDRM_HOST_LIMIT_SHMEM_SIZE];
   struct vh_object *obj;
   int ret;

   if (vh_shmem_present(&ctx->shmem))
      return vh_context_refuse(ctx, VDRM_HOST_E_EXIST, BLOB, "blob_id", "the context has its shmem already");
   if (!(flags & VDRM_HOST_BLOB_MAPPABLE))
      return vh_context_refuse(ctx, VDRM_HOST_E_INVAL, BLOB, "blob_flags", "the shmem must be mappable");
   ret = vh_shmem_create(&ctx->shmem, size, ctx->type->shmem_size, max);
   if (ret == VDRM_HOST_E_INVAL)
      return vh_context_refuse(ctx, ret, BLOB, "size", "a %llu-byte shmem cannot hold the %u-byte %s header",
                               (unsigned long long)size, ctx->type->shmem_size, ctx->type->name);
   if (ret == VDRM_HOST_E_LIMIT_SHMEM_SIZE) {
      ctx->stats.limit_hits[VDRM_HOST_LIMIT_SHMEM_SIZE]++;
      return vh_context_refuse(ctx, ret, BLOB, "size", "limit %s: %llu bytes exceed %llu",
                               vdrm_host_limit_name(VDRM_HOST_LIMIT_SHMEM_SIZE), (unsigned long long)size,
                               (unsigned long long)(max < UINT32_MAX ? max : UINT32_MAX));
   }
   if (ret)
      return vh_context_refuse(ctx, ret, BLOB, "size", "cannot allocate the shmem");
   /* Responses are built here first (transport rule shadow-response). */
   ctx->shadow_cap = (uint32_t)(ctx->limits->max[VDRM_HOST_LIMIT_RESPONSE_SIZE] < UINT32_MAX ?
                                ctx->limits->max[VDRM_HOST_LIMIT_RESPONSE_SIZE] : UINT32_MAX);
   ctx->shadow = malloc(ctx->shadow_cap ? ctx->shadow_cap : 1);
   obj = calloc(1, sizeof(*obj));
   if (!ctx->shadow || !obj) {
      free(obj);
      free(ctx->shadow);
      ctx->shadow = NULL;
      ctx->shadow_cap = 0;
      vh_shmem_fini(&ctx->shmem);
      return vh_context_refuse(ctx, VDRM_HOST_E_NOMEM, BLOB, "", "out of memory");
   }
   obj->refcount = 1;
   obj->shmem = true;
   obj->size = size;
   *out = obj;
   return VDRM_HOST_OK;
}

int
vh_context_blob_create(struct vh_context *ctx, uint32_t blob_id, uint64_t size, uint32_t flags,
                       uint32_t *res_id, int *fd)
{
   const uint32_t known = VDRM_HOST_BLOB_MAPPABLE | VDRM_HOST_BLOB_SHAREABLE | VDRM_HOST_BLOB_CROSS_DEVICE;
   struct vh_object *obj = NULL;
   uint32_t id;
   int nfd = -1, ret;

   if (flags & ~known)
      return vh_context_refuse(ctx, VDRM_HOST_E_INVAL, BLOB, "blob_flags", "unknown flags 0x%x",
                               flags & ~known);
   if (size == 0)
      return vh_context_refuse(ctx, VDRM_HOST_E_INVAL, BLOB, "size", "zero");
   if (!vh_within(ctx->by_res.count, 1, ctx->limits->max[VDRM_HOST_LIMIT_BLOBS])) {
      ctx->stats.limit_hits[VDRM_HOST_LIMIT_BLOBS]++;
      return vh_context_refuse(ctx, VDRM_HOST_E_LIMIT_BLOBS, BLOB, "", "limit %s: %u resources already",
                               vdrm_host_limit_name(VDRM_HOST_LIMIT_BLOBS), ctx->by_res.count);
   }
   id = alloc_res_id(ctx);
   if (!id)
      return vh_context_refuse(ctx, VDRM_HOST_E_NOMEM, BLOB, "", "no free res_id");

   if (blob_id == 0) {
      ret = shmem_create(ctx, size, flags, &obj);
      if (ret)
         return ret;
      nfd = fcntl(ctx->shmem.fd, F_DUPFD_CLOEXEC, 0);
      if (nfd < 0 || vh_idmap_put(&ctx->by_res, id, obj)) {
         if (nfd >= 0)
            close(nfd);
         free(obj);
         free(ctx->shadow);
         ctx->shadow = NULL;
         ctx->shadow_cap = 0;
         vh_shmem_fini(&ctx->shmem);
         return vh_context_refuse(ctx, VDRM_HOST_E_NOMEM, BLOB, "", "out of memory or fds");
      }
   } else {
      obj = vh_idmap_get(&ctx->by_blob, blob_id);
      /* The blob must match a buffer the guest created under this id, and fit in it. */
      if (!obj)
         return vh_context_refuse(ctx, VDRM_HOST_E_NOENT, BLOB, "blob_id",
                                  "%u names no buffer awaiting its blob", blob_id);
      if (size > obj->size)
         return vh_context_refuse(ctx, VDRM_HOST_E_INVAL, BLOB, "size",
                                  "%llu bytes exceed the %llu-byte buffer of blob %u",
                                  (unsigned long long)size, (unsigned long long)obj->size, blob_id);
      ret = vh_backend(ctx)->gem_export(ctx->file, obj->handle, &nfd);
      if (ret)
         return vh_context_refuse(ctx, errno_status(ret), BLOB, "", "export failed: %d", ret);
      if (vh_idmap_put(&ctx->by_res, id, obj)) {
         close(nfd);
         return vh_context_refuse(ctx, VDRM_HOST_E_NOMEM, BLOB, "", "out of memory");
      }
      vh_idmap_remove(&ctx->by_blob, blob_id);
   }
   obj->res_id = id;
   *res_id = id;
   *fd = nfd;
   return VDRM_HOST_OK;
}

int
vh_context_export(struct vh_context *ctx, uint32_t res_id, int *fd)
{
   struct vh_object *obj = vh_idmap_get(&ctx->by_res, res_id);
   int nfd, ret;

   if (!obj)
      return vh_context_refuse(ctx, VDRM_HOST_E_NOENT, "RESOURCE_EXPORT", "res_id",
                               "%u is not a resource of this context", res_id);
   if (obj->shmem) {
      nfd = fcntl(ctx->shmem.fd, F_DUPFD_CLOEXEC, 0);
      if (nfd < 0)
         return vh_context_refuse(ctx, VDRM_HOST_E_NOMEM, "RESOURCE_EXPORT", "", "out of fds");
   } else {
      ret = vh_backend(ctx)->gem_export(ctx->file, obj->handle, &nfd);
      if (ret)
         return vh_context_refuse(ctx, errno_status(ret), "RESOURCE_EXPORT", "", "export failed: %d", ret);
   }
   *fd = nfd;
   return VDRM_HOST_OK;
}

int
vh_context_unref(struct vh_context *ctx, uint32_t res_id)
{
   struct vh_object *obj = vh_idmap_remove(&ctx->by_res, res_id);

   if (!obj)
      return vh_context_refuse(ctx, VDRM_HOST_E_NOENT, "RESOURCE_UNREF", "res_id",
                               "%u is not a resource of this context", res_id);
   /* The shmem stays mapped for the context's life: only its res_id goes. */
   object_release(ctx, obj);
   return VDRM_HOST_OK;
}

void
vh_context_stats(struct vh_context *ctx, struct vdrm_host_stats *stats)
{
   uint64_t heap = sizeof(*ctx);

   *stats = ctx->stats;
   stats->resources = ctx->by_res.count;
   stats->objects = ctx->objects;
   stats->buffer_bytes = ctx->buffer_bytes;
   stats->pending_fences = vh_rings_pending(&ctx->rings);
   stats->shmem_bytes = vh_shmem_present(&ctx->shmem) ? ctx->shmem.size : 0;
   heap += vh_idmap_bytes(&ctx->by_res) + vh_idmap_bytes(&ctx->by_blob);
   heap += (uint64_t)(ctx->by_res.count + ctx->by_blob.count) * sizeof(struct vh_object);
   heap += vh_rings_heap_bytes(&ctx->rings);
   heap += ctx->shadow ? ctx->shadow_cap : 0;
   heap += ctx->scratch_cap;
   if (ctx->type->heap_bytes)
      heap += ctx->type->heap_bytes(ctx);
   stats->heap_bytes = heap;
}
