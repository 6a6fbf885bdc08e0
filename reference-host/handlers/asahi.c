/* SPDX-License-Identifier: MIT */

/*
 * The asahi handlers: every ASAHI_CCMD_*, called by asahi_dispatch() with
 * the decoded request (fixed part zero-extended, ignored fields cleared,
 * spans into the submitted batch, every multi-byte field copied out with
 * memcpy so that the 4-byte stream alignment never matters). Each checks
 * what the kernel cannot: res_ids, VM ids, queue ids and object handles are
 * this context's own and known, offsets and lengths lie inside their
 * buffers, ioctl numbers are exactly the ones forwarded, response sizes are
 * computed in 64 bits and fit the response region; everything else is the
 * kernel's to refuse. A failure of a command without a response rejects it
 * (the core counts async_error); a command with a response reports the
 * kernel's answer in ret.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "asahi_codec.h"
#include "asahi_kernel.h"
#include "context.h"

/* 2: the flat SUBMIT command buffer and the GET_PARAMS response without virt_uabi_version. */
#define ASAHI_WIRE_FORMAT_VERSION 2u
/* Ring 0 is the CPU; ring 1 LOW, ring 2 MEDIUM (the priorities the protocol allows). */
#define ASAHI_RINGS 3u

struct asahi_queue {
   uint32_t id;
   uint32_t vm_id;
   uint32_t prio;
   uint32_t ring;   /* prio + 1 */
};

struct asahi_object {
   uint32_t handle;   /* object_handle */
   uint32_t res_id;   /* the buffer it was made from */
};

struct asahi_state {
   struct vh_idmap vms;       /* vm_id -> (void *)1 */
   struct vh_idmap queues;    /* queue_id -> struct asahi_queue */
   struct vh_idmap objects;   /* object_handle -> struct asahi_object */
};

static struct asahi_state *
state(struct vh_context *ctx)
{
   return ctx->type_data;
}

static const struct vdrm_backend_asahi_ops *
kernel(struct vh_context *ctx)
{
   return vh_backend(ctx)->asahi;
}

static const char *
errname(int ret)
{
   const char *n = strerrorname_np(-ret);

   return n ? n : "unknown errno";
}

static int
kernel_failed(struct vh_context *ctx, const char *command, const char *field, const char *ioctl, int ret)
{
   return vh_reject(ctx, VDRM_E_HANDLER, command, field, "%s failed: %d (%s)", ioctl, ret, errname(ret));
}

static bool
vm_known(struct vh_context *ctx, uint32_t vm_id)
{
   return vm_id && vh_idmap_get(&state(ctx)->vms, vm_id) != NULL;
}

static int
unknown_vm(struct vh_context *ctx, const char *command, const char *field, uint32_t vm_id)
{
   return vh_reject(ctx, VDRM_E_NOT_ALLOWED, command, field, "%u is not a VM of this context", vm_id);
}

static struct asahi_queue *
lookup_queue(struct vh_context *ctx, uint32_t id, const char *command, const char *field)
{
   struct asahi_queue *q = vh_idmap_get(&state(ctx)->queues, id);

   if (!q)
      vh_reject(ctx, VDRM_E_NOT_ALLOWED, command, field, "%u is not a queue of this context", id);
   return q;
}

/* size rounded up to the GPU page, saturating (what the kernel allocates and the context is charged). */
static uint64_t
page_round(uint64_t size)
{
   return size > UINT64_MAX - (KASAHI_PAGE_SIZE - 1) ? UINT64_MAX - (KASAHI_PAGE_SIZE - 1) :
          (size + KASAHI_PAGE_SIZE - 1) & ~(uint64_t)(KASAHI_PAGE_SIZE - 1);
}

static int
h_nop(void *c, const struct asahi_ccmd_nop_req *req)
{
   (void)c;
   (void)req;
   return 0;
}

/* ---- IOCTL_SIMPLE ---- */

static int
vm_create(struct vh_context *ctx, struct drm_asahi_vm_create *a, int *ret)
{
   struct asahi_state *st = state(ctx);

   /* A VM is a GPU page table in the kernel: it counts with the queues (max_queues). */
   if (vh_limit(ctx, VDRM_HOST_LIMIT_QUEUES, (uint64_t)st->queues.count + st->vms.count, 1,
                "IOCTL_SIMPLE", "payload"))
      return -1;
   a->vm_id = 0;   /* out only */
   *ret = kernel(ctx)->vm_create(vh_file(ctx), a);
   if (*ret)
      return 0;
   if (!a->vm_id || vh_idmap_put(&st->vms, a->vm_id, (void *)1)) {
      struct drm_asahi_vm_destroy d = { .vm_id = a->vm_id };

      kernel(ctx)->vm_destroy(vh_file(ctx), &d);
      return vh_reject(ctx, VDRM_E_HANDLER, "IOCTL_SIMPLE", "payload", "cannot record VM %u", a->vm_id);
   }
   return 0;
}

static int
vm_destroy(struct vh_context *ctx, const struct drm_asahi_vm_destroy *a, int *ret)
{
   if (!vm_known(ctx, a->vm_id))
      return unknown_vm(ctx, "IOCTL_SIMPLE", "payload.vm_id", a->vm_id);
   *ret = kernel(ctx)->vm_destroy(vh_file(ctx), a);
   if (*ret == 0)
      vh_idmap_remove(&state(ctx)->vms, a->vm_id);
   return 0;
}

static int
queue_create(struct vh_context *ctx, struct drm_asahi_queue_create *a, int *ret)
{
   struct asahi_state *st = state(ctx);
   struct asahi_queue *q;

   if (!vm_known(ctx, a->vm_id))
      return unknown_vm(ctx, "IOCTL_SIMPLE", "payload.vm_id", a->vm_id);
   if (vh_limit(ctx, VDRM_HOST_LIMIT_QUEUES, (uint64_t)st->queues.count + st->vms.count, 1,
                "IOCTL_SIMPLE", "payload"))
      return -1;
   a->queue_id = 0;   /* out only */
   *ret = kernel(ctx)->queue_create(vh_file(ctx), a);
   if (*ret)
      return 0;
   /* Recorded from the whole argument as the kernel left it (the decoder bounded priority to MEDIUM). */
   q = malloc(sizeof(*q));
   if (!q || a->priority + 1 >= ASAHI_RINGS || !a->queue_id ||
       vh_idmap_put(&st->queues, a->queue_id, q)) {
      struct drm_asahi_queue_destroy d = { .queue_id = a->queue_id };

      free(q);
      kernel(ctx)->queue_destroy(vh_file(ctx), &d);
      return vh_reject(ctx, VDRM_E_HANDLER, "IOCTL_SIMPLE", "payload", "cannot record queue %u", a->queue_id);
   }
   *q = (struct asahi_queue){ .id = a->queue_id, .vm_id = a->vm_id, .prio = a->priority,
                              .ring = a->priority + 1 };
   ctx->stats.queues = st->queues.count;
   return 0;
}

static int
queue_destroy(struct vh_context *ctx, const struct drm_asahi_queue_destroy *a, int *ret)
{
   struct asahi_state *st = state(ctx);

   if (!lookup_queue(ctx, a->queue_id, "IOCTL_SIMPLE", "payload.queue_id"))
      return -1;
   *ret = kernel(ctx)->queue_destroy(vh_file(ctx), a);
   if (*ret == 0) {
      /* Forgotten: a later SUBMIT naming it is refused by the host. */
      free(vh_idmap_remove(&st->queues, a->queue_id));
      ctx->stats.queues = st->queues.count;
   }
   return 0;
}

/* The whole ioctl number a guest kernel builds for nr: direction, type and size included. */
static uint32_t
expected_ioctl(uint32_t nr)
{
   switch (nr) {
   case KASAHI_IOCTL_GET_TIME: return DRM_IOCTL_KASAHI_GET_TIME;
   case KASAHI_IOCTL_VM_CREATE: return DRM_IOCTL_KASAHI_VM_CREATE;
   case KASAHI_IOCTL_VM_DESTROY: return DRM_IOCTL_KASAHI_VM_DESTROY;
   case KASAHI_IOCTL_QUEUE_CREATE: return DRM_IOCTL_KASAHI_QUEUE_CREATE;
   case KASAHI_IOCTL_QUEUE_DESTROY: return DRM_IOCTL_KASAHI_QUEUE_DESTROY;
   default: return 0;
   }
}

static int
h_ioctl_simple(void *c, const struct asahi_ccmd_ioctl_simple_req *req,
               const struct asahi_ccmd_ioctl_simple_req_view *view)
{
   struct vh_context *ctx = c;
   uint32_t nr = VDRM_IOC_NR(req->cmd) - KASAHI_DRM_COMMAND_BASE;
   struct asahi_ccmd_ioctl_simple_rsp rsp = { .hdr = { 0 } };
   uint8_t after[128] = { 0 };   /* the whole argument after the call */
   uint64_t size;
   uint32_t out;
   void *shadow;
   size_t len;
   int ret = 0;

   /* Not the number's field alone: a short or write-only variant would leave the argument half read. */
   if (req->cmd != expected_ioctl(nr))
      return vh_reject(ctx, VDRM_E_NOT_ALLOWED, "IOCTL_SIMPLE", "cmd",
                       "ioctl 0x%08x is not 0x%08x, the number of the ioctl it names", req->cmd,
                       expected_ioctl(nr));
   size = asahi_ccmd_ioctl_simple_rsp_host_size(req);
   out = VDRM_IOC_OUT_SIZE(req->cmd);
   if (vh_rsp_begin(ctx, size, "IOCTL_SIMPLE", &shadow))
      return -1;
   switch (nr) {
   case KASAHI_IOCTL_GET_TIME: {
      struct drm_asahi_get_time a;

      asahi_ccmd_ioctl_simple_req_payload_get_drm_asahi_get_time(view, &a);
      a.gpu_timestamp = 0;   /* out only */
      ret = kernel(ctx)->get_time(vh_file(ctx), &a);
      memcpy(after, &a, sizeof(a));
      break;
   }
   case KASAHI_IOCTL_VM_CREATE: {
      struct drm_asahi_vm_create a;

      asahi_ccmd_ioctl_simple_req_payload_get_drm_asahi_vm_create(view, &a);
      if (vm_create(ctx, &a, &ret))
         return -1;
      memcpy(after, &a, sizeof(a));
      break;
   }
   case KASAHI_IOCTL_VM_DESTROY: {
      struct drm_asahi_vm_destroy a;

      asahi_ccmd_ioctl_simple_req_payload_get_drm_asahi_vm_destroy(view, &a);
      if (vm_destroy(ctx, &a, &ret))
         return -1;
      memcpy(after, &a, sizeof(a));
      break;
   }
   case KASAHI_IOCTL_QUEUE_CREATE: {
      struct drm_asahi_queue_create a;

      asahi_ccmd_ioctl_simple_req_payload_get_drm_asahi_queue_create(view, &a);
      if (queue_create(ctx, &a, &ret))
         return -1;
      memcpy(after, &a, sizeof(a));
      break;
   }
   case KASAHI_IOCTL_QUEUE_DESTROY: {
      struct drm_asahi_queue_destroy a;

      asahi_ccmd_ioctl_simple_req_payload_get_drm_asahi_queue_destroy(view, &a);
      if (queue_destroy(ctx, &a, &ret))
         return -1;
      memcpy(after, &a, sizeof(a));
      break;
   }
   }
   rsp.ret = ret ? -1 : 0;   /* drmIoctl(): the errno is not transported */
   if (asahi_ccmd_ioctl_simple_rsp_encode(shadow, (size_t)size, &rsp, after, out, &len))
      return vh_reject(ctx, VDRM_E_HANDLER, "IOCTL_SIMPLE", "", "response does not encode");
   vh_rsp_commit(ctx, (uint32_t)len);
   return 0;
}

/* ---- GET_PARAMS ---- */

static int
h_get_params(void *c, const struct asahi_ccmd_get_params_req *req)
{
   struct vh_context *ctx = c;
   /* 8 + params.size in 64 bits: UINT64_MAX when it cannot be a response at all. */
   uint64_t size = asahi_ccmd_get_params_rsp_host_size(req);
   struct asahi_ccmd_get_params_rsp rsp = { .hdr = { 0 } };
   struct drm_asahi_get_params a = req->params;
   void *shadow, *data;
   size_t len;
   int ret;

   /* The whole response, params.size bytes of payload included, must fit the region and the shadow. */
   if (vh_rsp_begin(ctx, size, "GET_PARAMS", &shadow))
      return -1;
   data = vh_scratch(ctx, (size_t)a.size);
   if (!data)
      return vh_reject(ctx, VDRM_E_HANDLER, "GET_PARAMS", "", "out of memory");
   memset(data, 0, (size_t)a.size);
   a.pointer = 0;   /* the host's buffer, never the guest's value */
   ret = kernel(ctx)->get_params(vh_file(ctx), &a, data);
   rsp.ret = ret ? -1 : 0;
   if (asahi_ccmd_get_params_rsp_encode(shadow, (size_t)size, &rsp, data, (uint32_t)a.size, &len))
      return vh_reject(ctx, VDRM_E_HANDLER, "GET_PARAMS", "", "response does not encode");
   vh_rsp_commit(ctx, (uint32_t)len);
   return 0;
}

/* ---- GEM_NEW ---- */

static int
h_gem_new(void *c, const struct asahi_ccmd_gem_new_req *req)
{
   struct vh_context *ctx = c;
   uint64_t charged = page_round(req->size);
   uint32_t vm_id = (req->flags & KASAHI_GEM_VM_PRIVATE) ? req->vm_id : 0;
   uint32_t handle;
   int ret;

   if (vh_limit(ctx, VDRM_HOST_LIMIT_OBJECTS, ctx->objects, 1, "GEM_NEW", "blob_id") ||
       vh_limit(ctx, VDRM_HOST_LIMIT_BUFFER_BYTES, ctx->buffer_bytes, charged, "GEM_NEW", "size"))
      return -1;
   if (vh_blob_id_pending(ctx, req->blob_id))
      return vh_reject(ctx, VDRM_E_NOT_ALLOWED, "GEM_NEW", "blob_id",
                       "%u already names a buffer that awaits its blob", req->blob_id);
   if ((vm_id || req->addr) && !vm_known(ctx, req->vm_id))
      return unknown_vm(ctx, "GEM_NEW", "vm_id", req->vm_id);
   /* The initial mapping maps: UNBIND and SINGLE_PAGE are not mappings of the whole buffer. */
   if (req->addr && (req->bind_flags & ~(KASAHI_BIND_READ | KASAHI_BIND_WRITE)))
      return vh_reject(ctx, VDRM_E_NOT_ALLOWED, "GEM_NEW", "bind_flags",
                       "0x%x: the initial mapping takes DRM_ASAHI_BIND_READ and WRITE only", req->bind_flags);
   ret = kernel(ctx)->gem_create(vh_file(ctx), req->size, req->flags, vm_id, &handle);
   if (ret)
      return kernel_failed(ctx, "GEM_NEW", "size", "DRM_ASAHI_GEM_CREATE", ret);
   if (req->addr) {
      struct drm_asahi_gem_bind_op op = {
         .flags = req->bind_flags, .handle = handle, .offset = 0, .range = charged, .addr = req->addr,
      };

      ret = kernel(ctx)->vm_bind(vh_file(ctx), req->vm_id, &op, 1);
      if (ret) {
         vh_backend(ctx)->gem_close(vh_file(ctx), handle);
         return kernel_failed(ctx, "GEM_NEW", "addr", "DRM_ASAHI_VM_BIND", ret);
      }
   }
   /* The size is kept in 64 bits: a blob of 4 GiB or more matches its buffer. */
   if (vh_object_create(ctx, handle, charged, req->blob_id)) {
      vh_backend(ctx)->gem_close(vh_file(ctx), handle);
      return vh_reject(ctx, VDRM_E_HANDLER, "GEM_NEW", "", "out of memory");
   }
   return 0;
}

/* ---- VM_BIND ---- */

static int
h_vm_bind(void *c, const struct asahi_ccmd_vm_bind_req *req, const struct asahi_ccmd_vm_bind_req_view *view)
{
   struct vh_context *ctx = c;
   struct drm_asahi_gem_bind_op *ops;
   int ret;

   if (!vm_known(ctx, req->vm_id))
      return unknown_vm(ctx, "VM_BIND", "vm_id", req->vm_id);
   if (view->ops.count == 0)
      return 0;   /* nothing to change; the kernel is not asked */
   /* count * 32 bytes: the decoder made stride at least 32, so the ops came out of the batch. */
   ops = vh_scratch(ctx, (size_t)view->ops.count * sizeof(*ops));
   if (!ops)
      return vh_reject(ctx, VDRM_E_HANDLER, "VM_BIND", "", "out of memory");
   for (uint32_t i = 0; i < view->ops.count; i++) {
      struct drm_asahi_gem_bind_op *op = &ops[i];
      struct vh_object *obj;
      uint64_t need;

      asahi_ccmd_vm_bind_req_ops_get(view, i, op);
      if (op->flags & KASAHI_BIND_UNBIND) {
         op->handle = 0;   /* ignored by the kernel for UNBIND */
         op->offset = 0;
         continue;
      }
      obj = vh_object_lookup(ctx, op->handle);
      if (!obj)
         return vh_reject(ctx, VDRM_E_NOT_ALLOWED, "VM_BIND", "ops[].handle",
                          "ops[%u]: %u is not a buffer resource of this context", i, op->handle);
      need = (op->flags & KASAHI_BIND_SINGLE_PAGE) ? KASAHI_PAGE_SIZE : op->range;
      if (op->offset > obj->size || need > obj->size - op->offset)
         return vh_reject(ctx, VDRM_E_LIMIT, "VM_BIND", "ops[].offset",
                          "ops[%u]: %llu + %llu bytes run past the %llu-byte buffer", i,
                          (unsigned long long)op->offset, (unsigned long long)need,
                          (unsigned long long)obj->size);
      op->handle = obj->handle;
   }
   ret = kernel(ctx)->vm_bind(vh_file(ctx), req->vm_id, ops, view->ops.count);
   if (ret)
      return kernel_failed(ctx, "VM_BIND", "ops", "DRM_ASAHI_VM_BIND", ret);
   return 0;
}

/* ---- SUBMIT ---- */

static int
h_submit(void *c, const struct asahi_ccmd_submit_req *req, const struct asahi_ccmd_submit_req_view *view)
{
   struct vh_context *ctx = c;
   struct asahi_queue *q = lookup_queue(ctx, req->queue_id, "SUBMIT", "queue_id");
   struct vdrm_backend_asahi_sync *syncs;
   struct vdrm_backend_asahi_submit s;
   struct vdrm_backend_fence *fence;
   uint32_t n = 0;
   int ret;

   if (!q)
      return -1;
   if (q->ring >= ctx->rings.count)
      return vh_reject(ctx, VDRM_E_LIMIT, "SUBMIT", "queue_id", "ring %u of queue %u does not exist", q->ring,
                       q->id);
   if (vh_limit(ctx, VDRM_HOST_LIMIT_PENDING_FENCES, vh_rings_pending(&ctx->rings), 1, "SUBMIT", "queue_id"))
      return -1;
   /* extres came out of the batch, so this is bounded by max_message_size. */
   syncs = vh_scratch(ctx, (size_t)view->extres.count * sizeof(*syncs));
   if (!syncs)
      return vh_reject(ctx, VDRM_E_HANDLER, "SUBMIT", "", "out of memory");
   for (uint32_t i = 0; i < view->extres.count; i++) {
      struct asahi_ccmd_submit_res r;
      struct vh_object *obj;

      asahi_ccmd_submit_req_extres_get(view, i, &r);
      r.flags &= ASAHI_EXTRES_READ | ASAHI_EXTRES_WRITE;   /* other bits are ignored */
      if (!r.flags)
         continue;
      obj = vh_object_lookup(ctx, r.res_id);
      if (!obj)
         return vh_reject(ctx, VDRM_E_NOT_ALLOWED, "SUBMIT", "extres[].res_id",
                          "extres[%u]: %u is not a buffer resource of this context", i, r.res_id);
      syncs[n].handle = obj->handle;
      syncs[n].flags = ((r.flags & ASAHI_EXTRES_READ) ? KASAHI_SYNC_READ : 0) |
                       ((r.flags & ASAHI_EXTRES_WRITE) ? KASAHI_SYNC_WRITE : 0);
      n++;
   }
   if (vh_rings_reserve(&ctx->rings, q->ring))
      return vh_reject(ctx, VDRM_E_HANDLER, "SUBMIT", "", "out of memory");
   s = (struct vdrm_backend_asahi_submit){
      .flags = req->flags,
      .queue_id = q->id,
      .cmdbuf = view->cmdbuf.data,
      .cmdbuf_size = view->cmdbuf.size,
      .nr_syncs = n,
      .syncs = syncs,
   };
   ret = kernel(ctx)->submit(vh_file(ctx), &s, &fence);
   if (ret)
      return kernel_failed(ctx, "SUBMIT", "", "DRM_ASAHI_SUBMIT", ret);
   vh_rings_add_submit(&ctx->rings, q->ring, fence);
   return 0;
}

/* ---- GEM_BIND_OBJECT ---- */

static int
bind_object(struct vh_context *ctx, const struct asahi_ccmd_gem_bind_object_req *req)
{
   struct asahi_state *st = state(ctx);
   uint64_t size = asahi_ccmd_gem_bind_object_rsp_host_size(req);
   struct asahi_ccmd_gem_bind_object_rsp rsp = { .hdr = { 0 } };
   struct drm_asahi_gem_bind_object a = req->bind;
   struct asahi_object *o;
   struct vh_object *obj;
   void *shadow;
   size_t len;
   int ret;

   if (vh_rsp_begin(ctx, size, "GEM_BIND_OBJECT", &shadow))
      return -1;
   obj = vh_object_lookup(ctx, a.handle);
   if (!obj) {
      rsp.ret = -ENOENT;   /* as documented: a negative errno, the kernel not asked */
   } else if (a.offset > obj->size || a.range > obj->size - a.offset) {
      return vh_reject(ctx, VDRM_E_LIMIT, "GEM_BIND_OBJECT", "bind.offset",
                       "%llu + %llu bytes run past the %llu-byte buffer", (unsigned long long)a.offset,
                       (unsigned long long)a.range, (unsigned long long)obj->size);
   } else {
      a.handle = obj->handle;
      a.object_handle = 0;   /* out only */
      ret = kernel(ctx)->gem_bind_object(vh_file(ctx), &a);
      if (ret == 0) {
         o = malloc(sizeof(*o));
         if (!o || !a.object_handle || vh_idmap_put(&st->objects, a.object_handle, o)) {
            struct drm_asahi_gem_bind_object u = { .op = KASAHI_BIND_OBJECT_OP_UNBIND,
                                                   .object_handle = a.object_handle };

            free(o);
            kernel(ctx)->gem_bind_object(vh_file(ctx), &u);
            return vh_reject(ctx, VDRM_E_HANDLER, "GEM_BIND_OBJECT", "", "cannot record object %u",
                             a.object_handle);
         }
         *o = (struct asahi_object){ .handle = a.object_handle, .res_id = obj->res_id };
      }
      rsp.ret = ret ? -1 : 0;
      rsp.object_handle = ret ? 0 : a.object_handle;
   }
   if (asahi_ccmd_gem_bind_object_rsp_encode(shadow, (size_t)size, &rsp, &len))
      return vh_reject(ctx, VDRM_E_HANDLER, "GEM_BIND_OBJECT", "", "response does not encode");
   vh_rsp_commit(ctx, (uint32_t)len);
   return 0;
}

static int
unbind_object(struct vh_context *ctx, const struct asahi_ccmd_gem_bind_object_req *req)
{
   struct asahi_state *st = state(ctx);
   struct drm_asahi_gem_bind_object a = req->bind;
   int ret;

   /* No response: Mesa sends it with rsp_off 0 and does not wait, so nothing is written there. */
   if (!vh_idmap_get(&st->objects, a.object_handle))
      return vh_reject(ctx, VDRM_E_NOT_ALLOWED, "GEM_BIND_OBJECT", "bind.object_handle",
                       "%u is not an object of this context", a.object_handle);
   ret = kernel(ctx)->gem_bind_object(vh_file(ctx), &a);
   if (ret)
      return kernel_failed(ctx, "GEM_BIND_OBJECT", "bind", "DRM_ASAHI_GEM_BIND_OBJECT(UNBIND)", ret);
   free(vh_idmap_remove(&st->objects, a.object_handle));
   return 0;
}

static int
h_gem_bind_object(void *c, const struct asahi_ccmd_gem_bind_object_req *req)
{
   struct vh_context *ctx = c;

   switch (req->bind.op) {
   case KASAHI_BIND_OBJECT_OP_BIND:
      return bind_object(ctx, req);
   case KASAHI_BIND_OBJECT_OP_UNBIND:
      return unbind_object(ctx, req);
   default:
      return vh_reject(ctx, VDRM_E_NOT_ALLOWED, "GEM_BIND_OBJECT", "bind.op", "op %u is neither BIND nor UNBIND",
                       req->bind.op);
   }
}

static const struct asahi_handlers asahi_handlers = {
   .nop = h_nop,
   .ioctl_simple = h_ioctl_simple,
   .get_params = h_get_params,
   .gem_new = h_gem_new,
   .vm_bind = h_vm_bind,
   .submit = h_submit,
   .gem_bind_object = h_gem_bind_object,
};

static int
asahi_dispatch_one(struct vh_context *ctx, const uint8_t *msg, size_t len, struct vdrm_error *err)
{
   return asahi_dispatch(&asahi_handlers, ctx, msg, len, err);
}

static int
asahi_init(struct vh_context *ctx)
{
   struct asahi_state *st;
   int ret;

   if (!kernel(ctx))
      return VDRM_HOST_E_BACKEND;
   st = calloc(1, sizeof(*st));
   if (!st)
      return VDRM_HOST_E_NOMEM;
   ret = vh_rings_init(&ctx->rings, vh_backend(ctx), ASAHI_RINGS);
   if (ret) {
      free(st);
      return ret;
   }
   ctx->type_data = st;
   return VDRM_HOST_OK;
}

static void
asahi_fini(struct vh_context *ctx)
{
   struct asahi_state *st = state(ctx);
   void *p;

   if (!st)
      return;
   /* The kernel releases VMs, queues and objects with the file. */
   while ((p = vh_idmap_pop(&st->queues, NULL)))
      free(p);
   while ((p = vh_idmap_pop(&st->objects, NULL)))
      free(p);
   vh_idmap_fini(&st->queues);
   vh_idmap_fini(&st->objects);
   vh_idmap_fini(&st->vms);
   free(st);
   ctx->type_data = NULL;
}

static uint64_t
asahi_heap_bytes(const struct vh_context *ctx)
{
   const struct asahi_state *st = ctx->type_data;

   return sizeof(*st) + vh_idmap_bytes(&st->vms) + vh_idmap_bytes(&st->queues) + vh_idmap_bytes(&st->objects) +
          (uint64_t)st->queues.count * sizeof(struct asahi_queue) +
          (uint64_t)st->objects.count * sizeof(struct asahi_object);
}

int vh_asahi_fill_capset(struct vdrm_backend_file *f, struct virgl_renderer_capset_drm *caps);

const struct vh_context_type vh_asahi_context_type = {
   .name = "asahi",
   .context_type = VIRTGPU_DRM_CONTEXT_ASAHI,
   .wire_format_version = ASAHI_WIRE_FORMAT_VERSION,
   .alignment = ASAHI_CCMD_ALIGNMENT,
   .shmem_size = sizeof(struct asahi_shmem),
   .async_error_offset = offsetof(struct asahi_shmem, async_error),
   .table = asahi_ccmd_table,
   .table_count = ASAHI_CCMD_COUNT,
   .fill_capset = vh_asahi_fill_capset,
   .init = asahi_init,
   .fini = asahi_fini,
   .dispatch = asahi_dispatch_one,
   .batch_done = NULL,
   .heap_bytes = asahi_heap_bytes,
};
