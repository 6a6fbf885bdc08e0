/* SPDX-License-Identifier: MIT */

/*
 * The msm handlers: every MSM_CCMD_*, called by msm_dispatch() with the
 * decoded request (fixed part zero-extended, ignored fields cleared, spans
 * into the submitted batch). Each checks what the kernel cannot: res_ids
 * and queue ids are the guest's own and known, offsets and lengths lie
 * inside their buffers, the fence ring of a queue exists; everything else
 * is the kernel's to refuse. A failure of a command without a response
 * rejects it (the core counts async_error); a command with a response
 * reports the kernel's answer in ret.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "msm_codec.h"
#include "msm_kernel.h"

/* The first revision of the wire format carries no global_faults; 2 does. */
#define MSM_WIRE_FORMAT_VERSION 2u

struct msm_queue {
   uint32_t id;
   uint32_t prio;
   uint32_t ring;   /* prio + 1, below the context's ring count */
};

struct msm_state {
   struct vh_idmap queues;   /* kernel queue id -> struct msm_queue */
   uint32_t priorities;
};

static struct msm_state *
state(struct vh_context *ctx)
{
   return ctx->type_data;
}

static const struct vdrm_backend_msm_ops *
kernel(struct vh_context *ctx)
{
   return vh_backend(ctx)->msm;
}

/* The names of the errnos msm ioctls return (portable: no strerrorname_np()). */
static const char *
errname(int ret)
{
   switch (-ret) {
   case EPERM: return "EPERM";
   case ENOENT: return "ENOENT";
   case EINTR: return "EINTR";
   case EIO: return "EIO";
   case EAGAIN: return "EAGAIN";
   case ENOMEM: return "ENOMEM";
   case EFAULT: return "EFAULT";
   case EBUSY: return "EBUSY";
   case EINVAL: return "EINVAL";
   case ENOSPC: return "ENOSPC";
   case ERANGE: return "ERANGE";
   case ENOSYS: return "ENOSYS";
   case EOPNOTSUPP: return "EOPNOTSUPP";
   case ETIMEDOUT: return "ETIMEDOUT";
   default: return "errno";
   }
}

/* A kernel refusal of a command without a response. */
static int
kernel_failed(struct vh_context *ctx, const char *command, const char *field, const char *ioctl,
              int ret)
{
   return vh_reject(ctx, VDRM_E_HANDLER, command, field, "%s failed: %d (%s)", ioctl, ret,
                    errname(ret));
}

static struct vh_object *
lookup_res(struct vh_context *ctx, uint32_t res_id, const char *command, const char *field)
{
   struct vh_object *obj = vh_object_lookup(ctx, res_id);

   if (!obj)
      vh_reject(ctx, VDRM_E_NOT_ALLOWED, command, field, "%u is not a buffer resource of this context",
                res_id);
   return obj;
}

static struct msm_queue *
lookup_queue(struct vh_context *ctx, uint32_t id, const char *command, const char *field)
{
   struct msm_queue *q = vh_idmap_get(&state(ctx)->queues, id);

   if (!q)
      vh_reject(ctx, VDRM_E_NOT_ALLOWED, command, field, "%u is not a submitqueue of this context", id);
   return q;
}

static int
h_nop(void *c, const struct msm_ccmd_nop_req *req)
{
   (void)c;
   (void)req;
   return 0;
}

static int
queue_new(struct vh_context *ctx, struct drm_msm_submitqueue *q, int *ret)
{
   struct msm_state *st = state(ctx);
   struct msm_queue *mq;
   int put;

   if (vh_limit(ctx, VDRM_HOST_LIMIT_QUEUES, st->queues.count, 1, "IOCTL_SIMPLE", "payload"))
      return -1;
   q->id = 0;   /* out only */
   *ret = kernel(ctx)->submitqueue_new(vh_file(ctx), q);
   if (*ret)
      return 0;
   /* The queue's fence ring must exist whatever the kernel accepted. */
   if (q->prio >= st->priorities) {
      kernel(ctx)->submitqueue_close(vh_file(ctx), q->id);
      return vh_reject(ctx, VDRM_E_LIMIT, "IOCTL_SIMPLE", "payload.prio",
                       "the kernel accepted priority %u, but the context has rings for %u",
                       q->prio, st->priorities);
   }
   mq = malloc(sizeof(*mq));
   put = mq ? vh_idmap_put(&st->queues, q->id, mq) : -ENOMEM;
   if (put) {
      free(mq);
      kernel(ctx)->submitqueue_close(vh_file(ctx), q->id);
      /* A kernel answering id 0 or an id already in use (a noop shim does) is not trusted. */
      if (put == -ENOMEM)
         return vh_reject(ctx, VDRM_E_HANDLER, "IOCTL_SIMPLE", "payload", "out of memory");
      return vh_reject(ctx, VDRM_E_HANDLER, "IOCTL_SIMPLE", "payload.id",
                       "the kernel answered queue id %u, %s", q->id, q->id ? "already in use" : "which no queue has");
   }
   *mq = (struct msm_queue){ .id = q->id, .prio = q->prio, .ring = q->prio + 1 };
   ctx->stats.queues = st->queues.count;
   return 0;
}

static int
queue_close(struct vh_context *ctx, uint32_t id, int *ret)
{
   struct msm_state *st = state(ctx);

   if (!lookup_queue(ctx, id, "IOCTL_SIMPLE", "payload"))
      return -1;
   *ret = kernel(ctx)->submitqueue_close(vh_file(ctx), id);
   if (*ret == 0) {
      free(vh_idmap_remove(&st->queues, id));
      ctx->stats.queues = st->queues.count;
   }
   return 0;
}

static int
h_ioctl_simple(void *c, const struct msm_ccmd_ioctl_simple_req *req,
               const struct msm_ccmd_ioctl_simple_req_view *view)
{
   struct vh_context *ctx = c;
   uint64_t size = msm_ccmd_ioctl_simple_rsp_host_size(req);
   uint32_t out = VDRM_IOC_OUT_SIZE(req->cmd);
   struct msm_ccmd_ioctl_simple_rsp rsp = { .hdr = { 0 } };
   uint8_t after[128] = { 0 };   /* the argument after the call (the decoder bounds it to 128) */
   void *shadow;
   size_t len;
   int ret = 0;

   if (vh_rsp_begin(ctx, size, "IOCTL_SIMPLE", &shadow))
      return -1;
   /* The decoder allows these three, each with its exact argument size. */
   switch (VDRM_IOC_NR(req->cmd) - KMSM_DRM_COMMAND_BASE) {
   case KMSM_IOCTL_GET_PARAM: {
      struct msm_ioctl_param p;

      msm_ccmd_ioctl_simple_req_payload_get_msm_ioctl_param(view, &p);
      ret = kernel(ctx)->get_param(vh_file(ctx), &p);
      memcpy(after, &p, sizeof(p));
      break;
   }
   case KMSM_IOCTL_SUBMITQUEUE_NEW: {
      struct drm_msm_submitqueue q;

      msm_ccmd_ioctl_simple_req_payload_get_drm_msm_submitqueue(view, &q);
      if (queue_new(ctx, &q, &ret))
         return -1;
      memcpy(after, &q, sizeof(q));
      break;
   }
   case KMSM_IOCTL_SUBMITQUEUE_CLOSE: {
      uint32_t id;

      msm_ccmd_ioctl_simple_req_payload_get_u32(view, &id);
      if (queue_close(ctx, id, &ret))
         return -1;
      memcpy(after, &id, sizeof(id));
      break;
   }
   default:
      return vh_reject(ctx, VDRM_E_NOT_ALLOWED, "IOCTL_SIMPLE", "cmd", "ioctl 0x%08x is not forwarded",
                       req->cmd);
   }
   if (out > view->payload.size)
      out = view->payload.size;
   rsp.ret = ret ? -1 : 0;   /* drmIoctl(): the errno is not transported */
   if (msm_ccmd_ioctl_simple_rsp_encode(shadow, (size_t)size, &rsp, after, out, &len))
      return vh_reject(ctx, VDRM_E_HANDLER, "IOCTL_SIMPLE", "", "response does not encode");
   vh_rsp_commit(ctx, (uint32_t)len);
   return 0;
}

static int
h_gem_new(void *c, const struct msm_ccmd_gem_new_req *req)
{
   struct vh_context *ctx = c;
   const uint64_t page = 4096;
   uint64_t charged = req->size > UINT64_MAX - (page - 1) ? UINT64_MAX :
                      (req->size + page - 1) & ~(page - 1);
   uint32_t handle;
   int ret;

   if (vh_limit(ctx, VDRM_HOST_LIMIT_OBJECTS, ctx->objects, 1, "GEM_NEW", "blob_id") ||
       vh_limit(ctx, VDRM_HOST_LIMIT_BUFFER_BYTES, ctx->buffer_bytes, charged, "GEM_NEW", "size"))
      return -1;
   if (vh_blob_id_pending(ctx, req->blob_id))
      return vh_reject(ctx, VDRM_E_NOT_ALLOWED, "GEM_NEW", "blob_id",
                       "%u already names a buffer that awaits its blob", req->blob_id);
   ret = kernel(ctx)->gem_new(vh_file(ctx), req->size, req->flags, &handle);
   if (ret)
      return kernel_failed(ctx, "GEM_NEW", "size", "DRM_MSM_GEM_NEW", ret);
   if (req->iova) {
      ret = kernel(ctx)->gem_set_iova(vh_file(ctx), handle, req->iova);
      if (ret) {
         vh_backend(ctx)->gem_close(vh_file(ctx), handle);
         return kernel_failed(ctx, "GEM_NEW", "iova", "MSM_INFO_SET_IOVA", ret);
      }
   }
   if (vh_object_create(ctx, handle, charged, req->blob_id)) {
      vh_backend(ctx)->gem_close(vh_file(ctx), handle);
      return vh_reject(ctx, VDRM_E_HANDLER, "GEM_NEW", "", "out of memory");
   }
   return 0;
}

static int
h_gem_set_iova(void *c, const struct msm_ccmd_gem_set_iova_req *req)
{
   struct vh_context *ctx = c;
   struct vh_object *obj = lookup_res(ctx, req->res_id, "GEM_SET_IOVA", "res_id");
   int ret;

   if (!obj)
      return -1;
   ret = kernel(ctx)->gem_set_iova(vh_file(ctx), obj->handle, req->iova);
   if (ret)
      return kernel_failed(ctx, "GEM_SET_IOVA", "iova", "MSM_INFO_SET_IOVA", ret);
   return 0;
}

static int
h_gem_cpu_prep(void *c, const struct msm_ccmd_gem_cpu_prep_req *req)
{
   struct vh_context *ctx = c;
   uint64_t size = msm_ccmd_gem_cpu_prep_rsp_host_size(req);
   struct msm_ccmd_gem_cpu_prep_rsp rsp = { .hdr = { 0 } };
   struct vh_object *obj = lookup_res(ctx, req->res_id, "GEM_CPU_PREP", "res_id");
   void *shadow;
   size_t len;

   if (!obj || vh_rsp_begin(ctx, size, "GEM_CPU_PREP", &shadow))
      return -1;
   /* Never block the host: NOSYNC answers -EBUSY and the guest polls. */
   rsp.ret = kernel(ctx)->gem_cpu_prep(vh_file(ctx), obj->handle, req->op | KMSM_PREP_NOSYNC, 0);
   if (msm_ccmd_gem_cpu_prep_rsp_encode(shadow, (size_t)size, &rsp, &len))
      return vh_reject(ctx, VDRM_E_HANDLER, "GEM_CPU_PREP", "", "response does not encode");
   vh_rsp_commit(ctx, (uint32_t)len);
   return 0;
}

static int
h_gem_set_name(void *c, const struct msm_ccmd_gem_set_name_req *req,
               const struct msm_ccmd_gem_set_name_req_view *view)
{
   struct vh_context *ctx = c;
   struct vh_object *obj = lookup_res(ctx, req->res_id, "GEM_SET_NAME", "res_id");
   const char *name = (const char *)view->payload.data;
   uint32_t n;
   int ret;

   if (!obj)
      return -1;
   /*
    * The name is text up to its first NUL, cut to what the kernel stores:
    * gallium sends 32 bytes with the NUL last, Turnip any length, and a
    * debugging name must not cost the guest its context.
    */
   n = (uint32_t)strnlen(name, view->payload.size);
   if (n > KMSM_GEM_NAME_SIZE - 1)
      n = KMSM_GEM_NAME_SIZE - 1;
   ret = kernel(ctx)->gem_set_name(vh_file(ctx), obj->handle, name, n);
   if (ret)
      return kernel_failed(ctx, "GEM_SET_NAME", "payload", "MSM_INFO_SET_NAME", ret);
   return 0;
}

static int
h_gem_submit(void *c, const struct msm_ccmd_gem_submit_req *req,
             const struct msm_ccmd_gem_submit_req_view *view)
{
   struct vh_context *ctx = c;
   struct msm_queue *q = lookup_queue(ctx, req->queue_id, "GEM_SUBMIT", "queue_id");
   struct drm_msm_gem_submit_bo *bos;
   struct drm_msm_gem_submit_cmd *cmds;
   struct vdrm_backend_msm_submit s;
   struct vdrm_backend_fence *fence;
   size_t bos_bytes = (size_t)view->bos.count * sizeof(*bos);
   uint8_t *scratch;
   int ret;

   if (!q)
      return -1;
   if (q->ring >= ctx->rings.count)
      return vh_reject(ctx, VDRM_E_LIMIT, "GEM_SUBMIT", "queue_id", "ring %u of queue %u does not exist",
                       q->ring, q->id);
   if (vh_limit(ctx, VDRM_HOST_LIMIT_PENDING_FENCES, vh_rings_pending(&ctx->rings), 1, "GEM_SUBMIT",
                "fence"))
      return -1;
   /* Both arrays come out of the batch, so their size is bounded by max_message_size. */
   scratch = vh_scratch(ctx, bos_bytes + (size_t)view->cmds.count * sizeof(*cmds));
   if (!scratch)
      return vh_reject(ctx, VDRM_E_HANDLER, "GEM_SUBMIT", "", "out of memory");
   bos = (struct drm_msm_gem_submit_bo *)(void *)scratch;
   cmds = (struct drm_msm_gem_submit_cmd *)(void *)(scratch + bos_bytes);
   for (uint32_t i = 0; i < view->bos.count; i++) {
      struct vh_object *obj;

      msm_ccmd_gem_submit_req_bos_get(view, i, &bos[i]);
      obj = vh_object_lookup(ctx, bos[i].handle);
      if (!obj)
         return vh_reject(ctx, VDRM_E_NOT_ALLOWED, "GEM_SUBMIT", "bos[].handle",
                          "bos[%u]: %u is not a buffer resource of this context", i, bos[i].handle);
      bos[i].handle = obj->handle;
   }
   /* The getter returns relocs cleared; the decoder refused nr_relocs and pad. */
   for (uint32_t i = 0; i < view->cmds.count; i++)
      msm_ccmd_gem_submit_req_cmds_get(view, i, &cmds[i]);
   if (vh_rings_reserve(&ctx->rings, q->ring))
      return vh_reject(ctx, VDRM_E_HANDLER, "GEM_SUBMIT", "", "out of memory");
   s = (struct vdrm_backend_msm_submit){
      .flags = req->flags | KMSM_SUBMIT_FENCE_SN_IN,
      .queue_id = q->id,
      .fence = req->fence,
      .nr_bos = view->bos.count,
      .nr_cmds = view->cmds.count,
      .bos = bos,
      .cmds = cmds,
   };
   ret = kernel(ctx)->gem_submit(vh_file(ctx), &s, &fence);
   if (ret)
      return kernel_failed(ctx, "GEM_SUBMIT", "", "DRM_MSM_GEM_SUBMIT", ret);
   vh_rings_add_submit(&ctx->rings, q->ring, fence);
   return 0;
}

static int
h_gem_upload(void *c, const struct msm_ccmd_gem_upload_req *req,
             const struct msm_ccmd_gem_upload_req_view *view)
{
   struct vh_context *ctx = c;
   struct vh_object *obj = lookup_res(ctx, req->res_id, "GEM_UPLOAD", "res_id");
   int ret;

   if (!obj)
      return -1;
   if ((uint64_t)req->off + req->len > obj->size)
      return vh_reject(ctx, VDRM_E_LIMIT, "GEM_UPLOAD", "off", "%u + %u bytes run past the %llu-byte buffer",
                       req->off, req->len, (unsigned long long)obj->size);
   ret = vh_backend(ctx)->gem_write(vh_file(ctx), obj->handle, req->off, view->payload.data,
                                    view->payload.size);
   if (ret)
      return kernel_failed(ctx, "GEM_UPLOAD", "payload", "the buffer's mapping", ret);
   return 0;
}

static int
h_submitqueue_query(void *c, const struct msm_ccmd_submitqueue_query_req *req)
{
   struct vh_context *ctx = c;
   uint64_t size = msm_ccmd_submitqueue_query_rsp_host_size(req);
   struct msm_ccmd_submitqueue_query_rsp rsp = { .hdr = { 0 } };
   struct msm_queue *q = lookup_queue(ctx, req->queue_id, "SUBMITQUEUE_QUERY", "queue_id");
   uint32_t out_len = req->len;
   void *shadow, *data;
   size_t len;
   int ret;

   /* The response carries len payload bytes: it must fit the region and the shadow. */
   if (!q || vh_rsp_begin(ctx, size, "SUBMITQUEUE_QUERY", &shadow))
      return -1;
   data = vh_scratch(ctx, req->len ? req->len : 1);
   if (!data)
      return vh_reject(ctx, VDRM_E_HANDLER, "SUBMITQUEUE_QUERY", "", "out of memory");
   memset(data, 0, req->len);
   ret = kernel(ctx)->submitqueue_query(vh_file(ctx), q->id, req->param, data, &out_len);
   rsp.ret = ret;
   rsp.out_len = ret ? 0 : out_len;
   if (msm_ccmd_submitqueue_query_rsp_encode(shadow, (size_t)size, &rsp, data, req->len, &len))
      return vh_reject(ctx, VDRM_E_HANDLER, "SUBMITQUEUE_QUERY", "", "response does not encode");
   vh_rsp_commit(ctx, (uint32_t)len);
   return 0;
}

static int
h_wait_fence(void *c, const struct msm_ccmd_wait_fence_req *req)
{
   struct vh_context *ctx = c;
   uint64_t size = msm_ccmd_wait_fence_rsp_host_size(req);
   struct msm_ccmd_wait_fence_rsp rsp = { .hdr = { 0 } };
   struct msm_queue *q = lookup_queue(ctx, req->queue_id, "WAIT_FENCE", "queue_id");
   void *shadow;
   size_t len;

   if (!q || vh_rsp_begin(ctx, size, "WAIT_FENCE", &shadow))
      return -1;
   /* Never block the host: a zero timeout answers -ETIMEDOUT while pending. */
   rsp.ret = kernel(ctx)->wait_fence(vh_file(ctx), q->id, req->fence, 0);
   if (msm_ccmd_wait_fence_rsp_encode(shadow, (size_t)size, &rsp, &len))
      return vh_reject(ctx, VDRM_E_HANDLER, "WAIT_FENCE", "", "response does not encode");
   vh_rsp_commit(ctx, (uint32_t)len);
   return 0;
}

static int
h_set_debuginfo(void *c, const struct msm_ccmd_set_debuginfo_req *req,
                const struct msm_ccmd_set_debuginfo_req_view *view)
{
   struct vh_context *ctx = c;
   int ret;

   (void)req;
   ret = kernel(ctx)->set_param(vh_file(ctx), KMSM_PARAM_COMM, view->comm.data, view->comm.size);
   if (ret)
      return kernel_failed(ctx, "SET_DEBUGINFO", "comm", "MSM_PARAM_COMM", ret);
   ret = kernel(ctx)->set_param(vh_file(ctx), KMSM_PARAM_CMDLINE, view->cmdline.data,
                                view->cmdline.size);
   if (ret)
      return kernel_failed(ctx, "SET_DEBUGINFO", "cmdline", "MSM_PARAM_CMDLINE", ret);
   return 0;
}

static const struct msm_handlers msm_handlers = {
   .nop = h_nop,
   .ioctl_simple = h_ioctl_simple,
   .gem_new = h_gem_new,
   .gem_set_iova = h_gem_set_iova,
   .gem_cpu_prep = h_gem_cpu_prep,
   .gem_set_name = h_gem_set_name,
   .gem_submit = h_gem_submit,
   .gem_upload = h_gem_upload,
   .submitqueue_query = h_submitqueue_query,
   .wait_fence = h_wait_fence,
   .set_debuginfo = h_set_debuginfo,
};

static int
msm_dispatch_one(struct vh_context *ctx, const uint8_t *msg, size_t len, struct vdrm_error *err)
{
   return msm_dispatch(&msm_handlers, ctx, msg, len, err);
}

static int
msm_init(struct vh_context *ctx)
{
   struct msm_ioctl_param p = { .pipe = KMSM_PIPE_3D0, .param = KMSM_PARAM_PRIORITIES };
   struct msm_state *st;
   int ret;

   /* One GPU ring per priority level, plus ring 0; virtio-gpu has at most 64. */
   if (kernel(ctx)->get_param(vh_file(ctx), &p) || p.value == 0 || p.value > 63)
      return VDRM_HOST_E_BACKEND;
   st = calloc(1, sizeof(*st));
   if (!st)
      return VDRM_HOST_E_NOMEM;
   st->priorities = (uint32_t)p.value;
   ret = vh_rings_init(&ctx->rings, vh_backend(ctx), st->priorities + 1);
   if (ret) {
      free(st);
      return ret;
   }
   ctx->type_data = st;
   return VDRM_HOST_OK;
}

static void
msm_fini(struct vh_context *ctx)
{
   struct msm_state *st = state(ctx);
   struct msm_queue *q;

   if (!st)
      return;
   /* The kernel closes the queues with the file. */
   while ((q = vh_idmap_pop(&st->queues, NULL)))
      free(q);
   vh_idmap_fini(&st->queues);
   free(st);
   ctx->type_data = NULL;
}

static void
msm_batch_done(struct vh_context *ctx)
{
   struct msm_ioctl_param p = { .pipe = KMSM_PIPE_3D0, .param = KMSM_PARAM_FAULTS };

   if (!vh_shmem_present(&ctx->shmem))
      return;
   if (kernel(ctx)->get_param(vh_file(ctx), &p) == 0)
      vh_shmem_store(&ctx->shmem, offsetof(struct msm_shmem, global_faults), (uint32_t)p.value);
}

static uint64_t
msm_heap_bytes(const struct vh_context *ctx)
{
   const struct msm_state *st = ctx->type_data;

   return sizeof(*st) + vh_idmap_bytes(&st->queues) + (uint64_t)st->queues.count * sizeof(struct msm_queue);
}

int vh_msm_fill_capset(struct vdrm_backend_file *f, struct virgl_renderer_capset_drm *caps);

const struct vh_context_type vh_msm_context_type = {
   .name = "msm",
   .context_type = VIRTGPU_DRM_CONTEXT_MSM,
   .wire_format_version = MSM_WIRE_FORMAT_VERSION,
   .alignment = MSM_CCMD_ALIGNMENT,
   .shmem_size = sizeof(struct msm_shmem),
   .async_error_offset = offsetof(struct msm_shmem, async_error),
   .table = msm_ccmd_table,
   .table_count = MSM_CCMD_COUNT,
   .fill_capset = vh_msm_fill_capset,
   .init = msm_init,
   .fini = msm_fini,
   .dispatch = msm_dispatch_one,
   .batch_done = msm_batch_done,
   .heap_bytes = msm_heap_bytes,
};
