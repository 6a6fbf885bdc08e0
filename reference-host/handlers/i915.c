/* SPDX-License-Identifier: MIT */

/*
 * The i915 handlers: every I915_CCMD_*, called by i915_dispatch() with the
 * decoded request (fixed part zero-extended, ignored fields cleared, spans
 * into the submitted batch; the decoders have refused what spec/i915.xml
 * forbids: ioctls and context parameters off the lists, must-be-zero
 * fields, unknown extension records, guest-chosen execbuffer flags, too few
 * relocations). Each handler checks what the kernel cannot: res_ids are the
 * context's own buffers (translated to GEM handles, relocation targets
 * included), GEM context and VM ids are ones this context created, offsets
 * lie inside their buffers, pointers are the host's own (extension chains
 * relinked in the host's copy, no guest address ever reaches the kernel),
 * the fence ring of a submission exists. Responses carry 0 or a POSITIVE
 * errno; a request the host refuses outright is rejected (no response,
 * async_error counted), and a rejected request never leaves a response
 * behind for the next one.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "i915_codec.h"
#include "i915_kernel.h"
#include "limits.h"

#define I915_WIRE_FORMAT_VERSION 1u
/* Ring 0 and one ring per engine index: ring_idx = 1 + (flags & I915_EXEC_RING_MASK), virtio-gpu's 64 at most. */
#define I915_RINGS 64u

static char known_id;   /* the value stored for ids this context owns */

struct i915_state {
   struct vh_idmap gem_ctxs;   /* GEM context ids this context created */
   struct vh_idmap vms;        /* VM ids it holds */
};

static struct i915_state *
state(struct vh_context *ctx)
{
   return ctx->type_data;
}

static const struct vdrm_backend_i915_ops *
kernel(struct vh_context *ctx)
{
   return vh_backend(ctx)->i915;
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

static int
oom(struct vh_context *ctx, const char *command)
{
   return vh_reject(ctx, VDRM_E_HANDLER, command, "", "out of memory");
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

static bool
ctx_known(struct vh_context *ctx, uint64_t id)
{
   return id == 0 || (id <= UINT32_MAX && vh_idmap_get(&state(ctx)->gem_ctxs, (uint32_t)id));
}

static bool
vm_known(struct vh_context *ctx, uint64_t id)
{
   return id && id <= UINT32_MAX && vh_idmap_get(&state(ctx)->vms, (uint32_t)id);
}

/* GEM contexts and VMs are what i915 has instead of queues: one limit for both. */
static int
id_limit(struct vh_context *ctx, const char *command, const char *field)
{
   struct i915_state *st = state(ctx);

   return vh_limit(ctx, VDRM_HOST_LIMIT_QUEUES, (uint64_t)st->gem_ctxs.count + st->vms.count, 1, command, field);
}

static void
ids_changed(struct vh_context *ctx)
{
   ctx->stats.queues = state(ctx)->gem_ctxs.count + state(ctx)->vms.count;
}

/* Records a new GEM context; on failure it is destroyed again and the request rejected. */
static int
record_ctx(struct vh_context *ctx, uint32_t id, const char *command)
{
   if (vh_idmap_put(&state(ctx)->gem_ctxs, id, &known_id)) {
      struct drm_i915_gem_context_destroy d = { .ctx_id = id };

      kernel(ctx)->gem_context_destroy(vh_file(ctx), &d);
      return oom(ctx, command);
   }
   ids_changed(ctx);
   return 0;
}

static int
record_vm(struct vh_context *ctx, uint32_t id, const char *command)
{
   if (vh_idmap_put(&state(ctx)->vms, id, &known_id)) {
      struct drm_i915_gem_vm_control v = { .vm_id = id };

      kernel(ctx)->gem_vm_destroy(vh_file(ctx), &v);
      return oom(ctx, command);
   }
   ids_changed(ctx);
   return 0;
}

/* i915_shmem.banned_ctx_mask, updated atomically (the guest reads it any time). */
static void
banned_update(struct vh_context *ctx, uint64_t ctx_id, bool banned)
{
   uint64_t *mask, bit;

   if (ctx_id >= 64 || !vh_shmem_present(&ctx->shmem))
      return;
   mask = (uint64_t *)(void *)(ctx->shmem.map + offsetof(struct i915_shmem, banned_ctx_mask));
   bit = 1ull << ctx_id;
   if (banned)
      __atomic_fetch_or(mask, bit, __ATOMIC_RELEASE);
   else
      __atomic_fetch_and(mask, ~bit, __ATOMIC_RELEASE);
}

/* ---- IOCTL_SIMPLE ---- */

/* The argument after the call and the answer; -1 when the request is rejected. */
static int
simple_ioctl(struct vh_context *ctx, const struct i915_ccmd_ioctl_simple_req *req,
             const struct i915_ccmd_ioctl_simple_req_view *view, uint8_t *after, int *ret)
{
   const struct vdrm_backend_i915_ops *k = kernel(ctx);
   struct vdrm_backend_file *f = vh_file(ctx);
   struct i915_state *st = state(ctx);
   const char *cmd = "IOCTL_SIMPLE";

   switch (req->cmd) {
   case KI915_IOCTL_GEM_SET_DOMAIN: {
      struct drm_i915_gem_set_domain a;
      struct vh_object *obj;

      i915_ccmd_ioctl_simple_req_payload_get_drm_i915_gem_set_domain(view, &a);
      obj = vh_object_lookup(ctx, a.handle);
      if (!obj) {
         *ret = EINVAL;
         return 0;
      }
      a.handle = obj->handle;
      *ret = -k->gem_set_domain(f, &a);
      return 0;
   }
   case KI915_IOCTL_GEM_SET_TILING: {
      struct drm_i915_gem_set_tiling a;
      struct vh_object *obj;
      uint32_t res;

      i915_ccmd_ioctl_simple_req_payload_get_drm_i915_gem_set_tiling(view, &a);
      res = a.handle;
      obj = vh_object_lookup(ctx, res);
      if (!obj) {
         *ret = EINVAL;
         return 0;
      }
      a.handle = obj->handle;
      *ret = -k->gem_set_tiling(f, &a);
      a.handle = res;   /* the guest's name, never the host's handle */
      memcpy(after, &a, sizeof(a));
      return 0;
   }
   case KI915_IOCTL_GEM_GET_TILING: {
      struct drm_i915_gem_get_tiling a;
      struct vh_object *obj;
      uint32_t res;

      i915_ccmd_ioctl_simple_req_payload_get_drm_i915_gem_get_tiling(view, &a);
      res = a.handle;
      obj = vh_object_lookup(ctx, res);
      if (!obj) {
         *ret = EINVAL;
         return 0;
      }
      a.handle = obj->handle;
      *ret = -k->gem_get_tiling(f, &a);
      a.handle = res;
      memcpy(after, &a, sizeof(a));
      return 0;
   }
   case KI915_IOCTL_GEM_GET_APERTURE: {
      struct drm_i915_gem_get_aperture a = { 0 };   /* all output */

      *ret = -k->gem_get_aperture(f, &a);
      memcpy(after, &a, sizeof(a));
      return 0;
   }
   case KI915_IOCTL_GEM_CONTEXT_CREATE: {
      struct drm_i915_gem_context_create a;
      struct ki915_gem_context_create_ext e;

      i915_ccmd_ioctl_simple_req_payload_get_drm_i915_gem_context_create(view, &a);
      if (id_limit(ctx, cmd, "payload"))
         return -1;
      /* The kernel reads pad as the creation flags; no extension chain. */
      e = (struct ki915_gem_context_create_ext){ .flags = a.pad };
      *ret = -k->gem_context_create_ext(f, &e);
      if (*ret == 0) {
         if (record_ctx(ctx, e.ctx_id, cmd))
            return -1;
         a.ctx_id = e.ctx_id;
      }
      memcpy(after, &a, sizeof(a));
      return 0;
   }
   case KI915_IOCTL_GEM_CONTEXT_DESTROY: {
      struct drm_i915_gem_context_destroy a;

      i915_ccmd_ioctl_simple_req_payload_get_drm_i915_gem_context_destroy(view, &a);
      if (a.ctx_id == 0 || !ctx_known(ctx, a.ctx_id)) {
         *ret = ENOENT;
         return 0;
      }
      banned_update(ctx, a.ctx_id, false);
      *ret = -k->gem_context_destroy(f, &a);
      if (*ret == 0) {
         vh_idmap_remove(&st->gem_ctxs, a.ctx_id);
         ids_changed(ctx);
      }
      return 0;
   }
   case KI915_IOCTL_REG_READ: {
      struct drm_i915_reg_read a;

      i915_ccmd_ioctl_simple_req_payload_get_drm_i915_reg_read(view, &a);
      *ret = -k->reg_read(f, &a);
      memcpy(after, &a, sizeof(a));
      return 0;
   }
   case KI915_IOCTL_GET_RESET_STATS: {
      struct drm_i915_reset_stats a;

      i915_ccmd_ioctl_simple_req_payload_get_drm_i915_reset_stats(view, &a);
      if (!ctx_known(ctx, a.ctx_id)) {
         *ret = ENOENT;
         return 0;
      }
      *ret = -k->get_reset_stats(f, &a);
      memcpy(after, &a, sizeof(a));
      return 0;
   }
   case KI915_IOCTL_GEM_CONTEXT_GETPARAM:
   case KI915_IOCTL_GEM_CONTEXT_SETPARAM: {
      bool get = req->cmd == KI915_IOCTL_GEM_CONTEXT_GETPARAM;
      struct drm_i915_gem_context_param a;

      i915_ccmd_ioctl_simple_req_payload_get_drm_i915_gem_context_param(view, &a);
      if (!ctx_known(ctx, a.ctx_id)) {
         *ret = ENOENT;
         return 0;
      }
      /* Only the default priority (the protocol's rule, for get and set alike). */
      if (a.param == KI915_CONTEXT_PARAM_PRIORITY && a.value > 0) {
         *ret = EPERM;
         return 0;
      }
      if (get) {
         if (a.param == KI915_CONTEXT_PARAM_VM && id_limit(ctx, cmd, "payload.param"))
            return -1;
         *ret = -k->gem_context_getparam(f, &a);
         if (*ret == 0 && a.param == KI915_CONTEXT_PARAM_VM && record_vm(ctx, (uint32_t)a.value, cmd))
            return -1;
      } else {
         if (a.param == KI915_CONTEXT_PARAM_VM && !vm_known(ctx, a.value)) {
            *ret = ENOENT;
            return 0;
         }
         *ret = -k->gem_context_setparam(f, &a);
      }
      memcpy(after, &a, sizeof(a));
      return 0;
   }
   case KI915_IOCTL_GEM_VM_CREATE: {
      struct drm_i915_gem_vm_control a;

      i915_ccmd_ioctl_simple_req_payload_get_drm_i915_gem_vm_control(view, &a);
      if (id_limit(ctx, cmd, "payload"))
         return -1;
      a.vm_id = 0;   /* out only */
      *ret = -k->gem_vm_create(f, &a);
      if (*ret == 0 && record_vm(ctx, a.vm_id, cmd))
         return -1;
      memcpy(after, &a, sizeof(a));
      return 0;
   }
   case KI915_IOCTL_GEM_VM_DESTROY: {
      struct drm_i915_gem_vm_control a;

      i915_ccmd_ioctl_simple_req_payload_get_drm_i915_gem_vm_control(view, &a);
      if (!vm_known(ctx, a.vm_id)) {
         *ret = ENOENT;
         return 0;
      }
      *ret = -k->gem_vm_destroy(f, &a);
      if (*ret == 0) {
         vh_idmap_remove(&st->vms, a.vm_id);
         ids_changed(ctx);
      }
      return 0;
   }
   default:
      return vh_reject(ctx, VDRM_E_NOT_ALLOWED, cmd, "cmd", "ioctl 0x%08x is not forwarded", req->cmd);
   }
}

static int
h_ioctl_simple(void *c, const struct i915_ccmd_ioctl_simple_req *req,
               const struct i915_ccmd_ioctl_simple_req_view *view)
{
   struct vh_context *ctx = c;
   uint64_t size = i915_ccmd_ioctl_simple_rsp_host_size(req);
   uint32_t out = VDRM_IOC_OUT_SIZE(req->cmd);
   struct i915_ccmd_ioctl_simple_rsp rsp = { .hdr = { 0 } };
   uint8_t after[128] = { 0 };
   void *shadow;
   size_t len;
   int ret = 0;

   if (vh_rsp_begin(ctx, size, "IOCTL_SIMPLE", &shadow))
      return -1;
   /* A rejection below drops the shadow: nothing stays behind for a later request. */
   if (simple_ioctl(ctx, req, view, after, &ret))
      return -1;
   if (out > view->payload.size)
      out = view->payload.size;
   rsp.ret = ret;
   if (i915_ccmd_ioctl_simple_rsp_encode(shadow, (size_t)size, &rsp, after, out, &len))
      return vh_reject(ctx, VDRM_E_HANDLER, "IOCTL_SIMPLE", "", "response does not encode");
   vh_rsp_commit(ctx, (uint32_t)len);
   return 0;
}

/* ---- GETPARAM, QUERYPARAM ---- */

static int
h_getparam(void *c, const struct i915_ccmd_getparam_req *req)
{
   struct vh_context *ctx = c;
   uint64_t size = i915_ccmd_getparam_rsp_host_size(req);
   struct i915_ccmd_getparam_rsp rsp = { .hdr = { 0 } };
   int32_t value = 0;
   void *shadow;
   size_t len;
   int kret;

   if (vh_rsp_begin(ctx, size, "GETPARAM", &shadow))
      return -1;
   kret = kernel(ctx)->getparam(vh_file(ctx), (int32_t)req->param, &value);
   /* Partial GTT mappings (version 5 and up) cannot cross virtio-gpu. */
   if (kret == 0 && req->param == KI915_PARAM_MMAP_GTT_VERSION && value > KI915_MMAP_GTT_VERSION_MAX_VIRTIO)
      value = KI915_MMAP_GTT_VERSION_MAX_VIRTIO;
   rsp.ret = -kret;
   rsp.value = kret ? 0xffffffffu : (uint32_t)value;
   if (i915_ccmd_getparam_rsp_encode(shadow, (size_t)size, &rsp, &len))
      return vh_reject(ctx, VDRM_E_HANDLER, "GETPARAM", "", "response does not encode");
   vh_rsp_commit(ctx, (uint32_t)len);
   return 0;
}

static int
h_queryparam(void *c, const struct i915_ccmd_queryparam_req *req)
{
   struct vh_context *ctx = c;
   uint64_t size = i915_ccmd_queryparam_rsp_host_size(req);
   struct i915_ccmd_queryparam_rsp rsp = { .hdr = { 0 } };
   struct ki915_query_item item;
   void *shadow;
   uint8_t *data;
   size_t len;
   int kret;

   /* 16 + length bytes must fit the response region and the shadow: that bounds length. */
   if (vh_rsp_begin(ctx, size, "QUERYPARAM", &shadow))
      return -1;
   if (req->length > INT32_MAX)
      return vh_reject(ctx, VDRM_E_LIMIT, "QUERYPARAM", "length", "%u does not fit the kernel's int",
                       req->length);
   data = vh_scratch(ctx, req->length);
   if (!data)
      return oom(ctx, "QUERYPARAM");
   memset(data, 0, req->length);
   item = (struct ki915_query_item){
      .query_id = req->query_id,
      .length = (int32_t)req->length,
      .flags = req->flags,
      .data_ptr = (uint64_t)(uintptr_t)data,
   };
   kret = kernel(ctx)->query(vh_file(ctx), &item);
   rsp.ret = -kret;
   rsp.length = kret ? 0 : item.length;
   if (i915_ccmd_queryparam_rsp_encode(shadow, (size_t)size, &rsp, data, req->length, &len))
      return vh_reject(ctx, VDRM_E_HANDLER, "QUERYPARAM", "", "response does not encode");
   vh_rsp_commit(ctx, (uint32_t)len);
   return 0;
}

/* ---- buffers ---- */

static uint64_t
page_round(uint64_t size)
{
   const uint64_t page = 4096;

   return size > UINT64_MAX - (page - 1) ? UINT64_MAX : (size + page - 1) & ~(page - 1);
}

/* The limits and the blob id of a new buffer. */
static int
create_checks(struct vh_context *ctx, uint64_t size, uint32_t blob_id, const char *command)
{
   if (vh_limit(ctx, VDRM_HOST_LIMIT_OBJECTS, ctx->objects, 1, command, "blob_id") ||
       vh_limit(ctx, VDRM_HOST_LIMIT_BUFFER_BYTES, ctx->buffer_bytes, page_round(size), command, "size"))
      return -1;
   if (vh_blob_id_pending(ctx, blob_id))
      return vh_reject(ctx, VDRM_E_NOT_ALLOWED, command, "blob_id",
                       "%u already names a buffer that awaits its blob", blob_id);
   return 0;
}

/*
 * Records the buffer under its blob id with the size the kernel allocated,
 * so that a blob of any size up to it succeeds and a refused one leaves it
 * waiting (nothing leaks); on failure the handle is closed.
 */
static int
record_buffer(struct vh_context *ctx, uint32_t handle, uint64_t size, uint32_t blob_id, const char *command)
{
   if (vh_object_create(ctx, handle, size, blob_id)) {
      vh_backend(ctx)->gem_close(vh_file(ctx), handle);
      return oom(ctx, command);
   }
   return 0;
}

static int
h_gem_create(void *c, const struct i915_ccmd_gem_create_req *req)
{
   struct vh_context *ctx = c;
   uint64_t size = req->size;
   uint32_t handle;
   int ret;

   if (create_checks(ctx, req->size, req->blob_id, "GEM_CREATE"))
      return -1;
   ret = kernel(ctx)->gem_create(vh_file(ctx), &size, &handle);
   if (ret)
      return kernel_failed(ctx, "GEM_CREATE", "size", "DRM_IOCTL_I915_GEM_CREATE", ret);
   return record_buffer(ctx, handle, size, req->blob_id, "GEM_CREATE");
}

/* 8-byte aligned room for n bytes in the scratch being built. */
static void *
bump(uint8_t *base, size_t *used, size_t n)
{
   void *p = base + *used;

   *used += (n + 7) & ~(size_t)7;
   return p;
}

static int
h_gem_create_ext(void *c, const struct i915_ccmd_gem_create_ext_req *req,
                 const struct i915_ccmd_gem_create_ext_req_view *view)
{
   struct vh_context *ctx = c;
   const struct vdrm_span *region = &view->extensions;
   struct ki915_gem_create_ext a = { .size = req->size, .flags = req->gem_flags };
   struct i915_user_extension *prev = NULL;
   size_t need = 0, used = 0;
   uint8_t *base;
   int ret;

   if (create_checks(ctx, req->size, req->blob_id, "GEM_CREATE_EXT"))
      return -1;
   /* Every record becomes a host struct (its own ABI) plus its region array, 8-byte aligned. */
   for (uint32_t off = 0; off < region->size;) {
      struct i915_ccmd_gem_create_ext_req_extensions_record rec;

      if (i915_ccmd_gem_create_ext_req_extensions_step(region, off, &rec, &ctx->herr))
         return -1;
      need += sizeof(struct drm_i915_gem_create_ext_memory_regions) + 8 + rec.item.size + 8;
      off += rec.size;
   }
   base = vh_scratch(ctx, need);
   if (!base)
      return oom(ctx, "GEM_CREATE_EXT");
   for (uint32_t off = 0; off < region->size;) {
      struct i915_ccmd_gem_create_ext_req_extensions_record rec;
      struct i915_user_extension *cur = NULL;

      i915_ccmd_gem_create_ext_req_extensions_step(region, off, &rec, &ctx->herr);
      switch (rec.kind) {
      case I915_CCMD_GEM_CREATE_EXT_REQ_EXTENSIONS_MEMORY_REGIONS: {
         struct drm_i915_gem_create_ext_memory_regions *m = bump(base, &used, sizeof(*m));
         void *list = bump(base, &used, rec.item.size);

         memcpy(m, region->data + off, sizeof(*m));
         if (rec.item.size)
            memcpy(list, rec.item.data, rec.item.size);
         /* The guest's address is never used: the host's copy of the array. */
         m->regions = (uint64_t)(uintptr_t)list;
         cur = &m->base;
         break;
      }
      case I915_CCMD_GEM_CREATE_EXT_REQ_EXTENSIONS_PROTECTED_CONTENT: {
         /* Read as the wire's 40-byte record, handed over in the host's own layout. */
         struct vdrm_wire_drm_i915_gem_create_ext_protected_content w;
         struct drm_i915_gem_create_ext_protected_content *pc = bump(base, &used, sizeof(*pc));

         memcpy(&w, region->data + off, sizeof(w));
         memset(pc, 0, sizeof(*pc));
         pc->base = w.base;
         pc->flags = w.flags;
         cur = &pc->base;
         break;
      }
      case I915_CCMD_GEM_CREATE_EXT_REQ_EXTENSIONS_SET_PAT: {
         struct drm_i915_gem_create_ext_set_pat *sp = bump(base, &used, sizeof(*sp));

         memcpy(sp, region->data + off, sizeof(*sp));
         cur = &sp->base;
         break;
      }
      }
      cur->next_extension = 0;
      if (prev)
         prev->next_extension = (uint64_t)(uintptr_t)cur;
      else
         a.extensions = (uint64_t)(uintptr_t)cur;
      prev = cur;
      off += rec.size;
   }
   ret = kernel(ctx)->gem_create_ext(vh_file(ctx), &a);
   if (ret)
      return kernel_failed(ctx, "GEM_CREATE_EXT", "extensions", "DRM_IOCTL_I915_GEM_CREATE_EXT", ret);
   return record_buffer(ctx, a.handle, a.size, req->blob_id, "GEM_CREATE_EXT");
}

static int
h_gem_set_mmap_mode(void *c, const struct i915_ccmd_gem_set_mmap_mode_req *req)
{
   struct vh_context *ctx = c;
   struct vh_object *obj = lookup_res(ctx, req->res_id, "GEM_SET_MMAP_MODE", "res_id");
   uint64_t offset;
   int ret;

   if (!obj)
      return -1;
   /* The kernel decides which kinds of CPU mapping the buffer can have (FIXED: local memory only). */
   ret = kernel(ctx)->gem_mmap_offset(vh_file(ctx), obj->handle, req->flags, &offset);
   if (ret)
      return kernel_failed(ctx, "GEM_SET_MMAP_MODE", "flags", "DRM_IOCTL_I915_GEM_MMAP_OFFSET", ret);
   return 0;
}

static int
h_gem_busy(void *c, const struct i915_ccmd_gem_busy_req *req)
{
   struct vh_context *ctx = c;
   uint64_t size = i915_ccmd_gem_busy_rsp_host_size(req);
   struct i915_ccmd_gem_busy_rsp rsp = { .hdr = { 0 } };
   struct vh_object *obj;
   uint32_t busy = 0;
   void *shadow;
   size_t len;

   if (vh_rsp_begin(ctx, size, "GEM_BUSY", &shadow))
      return -1;
   obj = vh_object_lookup(ctx, req->res_id);
   if (!obj) {
      rsp.ret = EINVAL;
   } else {
      int kret = kernel(ctx)->gem_busy(vh_file(ctx), obj->handle, &busy);

      rsp.ret = -kret;
      rsp.busy = kret ? 0 : (int32_t)busy;
   }
   if (i915_ccmd_gem_busy_rsp_encode(shadow, (size_t)size, &rsp, &len))
      return vh_reject(ctx, VDRM_E_HANDLER, "GEM_BUSY", "", "response does not encode");
   vh_rsp_commit(ctx, (uint32_t)len);
   return 0;
}

/* ---- GEM contexts ---- */

static int
h_gem_context_create(void *c, const struct i915_ccmd_gem_context_create_req *req,
                     const struct i915_ccmd_gem_context_create_req_view *view)
{
   struct vh_context *ctx = c;
   const struct vdrm_span *region = &view->params;
   uint64_t size = i915_ccmd_gem_context_create_rsp_host_size(req);
   struct i915_ccmd_gem_context_create_rsp rsp = { .hdr = { 0 } };
   struct ki915_gem_context_create_ext a = { .flags = req->flags };
   struct drm_i915_gem_context_create_ext_setparam *prev = NULL;
   size_t need = 0, used = 0;
   uint8_t *base;
   void *shadow;
   size_t len;
   int answer = 0;

   if (vh_rsp_begin(ctx, size, "GEM_CONTEXT_CREATE", &shadow) ||
       id_limit(ctx, "GEM_CONTEXT_CREATE", "flags"))
      return -1;
   for (uint32_t off = 0; off < region->size;) {
      struct i915_ccmd_gem_context_create_req_params_record rec;

      if (i915_ccmd_gem_context_create_req_params_step(region, off, &rec, &ctx->herr))
         return -1;
      need += sizeof(struct drm_i915_gem_context_create_ext_setparam) + rec.item.size + 16;
      off += rec.size;
   }
   base = vh_scratch(ctx, need);
   if (!base)
      return oom(ctx, "GEM_CONTEXT_CREATE");
   for (uint32_t off = 0; off < region->size;) {
      struct i915_ccmd_gem_context_create_req_params_record rec;
      struct drm_i915_gem_context_create_ext_setparam *sp;

      i915_ccmd_gem_context_create_req_params_step(region, off, &rec, &ctx->herr);
      sp = bump(base, &used, sizeof(*sp));
      memcpy(sp, region->data + off, sizeof(*sp));
      sp->base.next_extension = 0;
      if (sp->param.param == KI915_CONTEXT_PARAM_ENGINES) {
         struct i915_context_param_engines e;

         /* The map's own extension chain would be a guest address read by the host kernel. */
         i915_ccmd_gem_context_create_req_params_setparam_value_get_i915_context_param_engines(&rec, &e);
         if (e.extensions)
            return vh_reject(ctx, VDRM_E_NONZERO, "GEM_CONTEXT_CREATE", "params[].value.extensions",
                             "an engine map's extension chain must be zero, is 0x%llx",
                             (unsigned long long)e.extensions);
      }
      if (sp->param.size) {
         void *data = bump(base, &used, rec.item.size);

         memcpy(data, rec.item.data, rec.item.size);
         sp->param.value = (uint64_t)(uintptr_t)data;
      } else if (sp->param.param == KI915_CONTEXT_PARAM_PRIORITY && sp->param.value > 0) {
         answer = EPERM;
      } else if (sp->param.param == KI915_CONTEXT_PARAM_VM && !vm_known(ctx, sp->param.value)) {
         answer = ENOENT;
      }
      if (prev)
         prev->base.next_extension = (uint64_t)(uintptr_t)sp;
      else
         a.extensions = (uint64_t)(uintptr_t)sp;
      prev = sp;
      off += rec.size;
   }
   if (answer) {
      rsp.ret = answer;
   } else {
      int kret = kernel(ctx)->gem_context_create_ext(vh_file(ctx), &a);

      rsp.ret = -kret;
      if (kret == 0) {
         if (record_ctx(ctx, a.ctx_id, "GEM_CONTEXT_CREATE"))
            return -1;
         rsp.ctx_id = a.ctx_id;
      }
   }
   if (i915_ccmd_gem_context_create_rsp_encode(shadow, (size_t)size, &rsp, &len))
      return vh_reject(ctx, VDRM_E_HANDLER, "GEM_CONTEXT_CREATE", "", "response does not encode");
   vh_rsp_commit(ctx, (uint32_t)len);
   return 0;
}

/* ---- submission ---- */

static int
h_gem_execbuffer2(void *c, const struct i915_ccmd_gem_execbuffer2_req *req,
                  const struct i915_ccmd_gem_execbuffer2_req_view *view)
{
   struct vh_context *ctx = c;
   uint64_t size = i915_ccmd_gem_execbuffer2_rsp_host_size(req);
   struct i915_ccmd_gem_execbuffer2_rsp rsp = { .hdr = { 0 } };
   uint32_t ring = 1 + (uint32_t)(req->flags & KI915_EXEC_RING_MASK);
   uint32_t n = view->objects.count, m = view->relocs.count, taken = 0;
   struct drm_i915_gem_exec_object2 *objs;
   struct drm_i915_gem_relocation_entry *relocs;
   struct vdrm_backend_fence *fence = NULL;
   struct ki915_execbuffer2 eb;
   size_t objs_bytes = (size_t)n * sizeof(*objs);
   uint8_t *scratch;
   void *shadow;
   size_t len;
   int ret = 0;

   if (ring >= ctx->rings.count)
      return vh_reject(ctx, VDRM_E_LIMIT, "GEM_EXECBUFFER2", "flags", "ring %u (engine %u) does not exist",
                       ring, ring - 1);
   if (vh_rsp_begin(ctx, size, "GEM_EXECBUFFER2", &shadow) ||
       vh_limit(ctx, VDRM_HOST_LIMIT_PENDING_FENCES, vh_rings_pending(&ctx->rings), 1, "GEM_EXECBUFFER2",
                "flags"))
      return -1;
   /* Both arrays come out of the batch: bounded by max_message_size. */
   scratch = vh_scratch(ctx, objs_bytes + (size_t)m * sizeof(*relocs));
   if (!scratch)
      return oom(ctx, "GEM_EXECBUFFER2");
   objs = (struct drm_i915_gem_exec_object2 *)(void *)scratch;
   relocs = (struct drm_i915_gem_relocation_entry *)(void *)(scratch + objs_bytes);
   if (!ctx_known(ctx, req->context_id))
      ret = ENOENT;
   for (uint32_t i = 0; i < n && !ret; i++) {
      struct vh_object *obj;

      i915_ccmd_gem_execbuffer2_req_objects_get(view, i, &objs[i]);
      obj = vh_object_lookup(ctx, objs[i].handle);
      if (!obj) {
         ret = EINVAL;
         break;
      }
      objs[i].handle = obj->handle;
      /* Each object's share of the relocations, in order; the decoder checked they suffice. */
      objs[i].relocs_ptr = objs[i].relocation_count ? (uint64_t)(uintptr_t)(relocs + taken) : 0;
      taken += objs[i].relocation_count;
   }
   for (uint32_t i = 0; i < m && !ret; i++) {
      i915_ccmd_gem_execbuffer2_req_relocs_get(view, i, &relocs[i]);
      /* Without HANDLE_LUT the target is a handle: the guest's res_id becomes the host's. */
      if (!(req->flags & KI915_EXEC_HANDLE_LUT)) {
         struct vh_object *t = vh_object_lookup(ctx, relocs[i].target_handle);

         if (!t) {
            ret = EINVAL;
            break;
         }
         relocs[i].target_handle = t->handle;
      }
   }
   if (!ret && n) {
      /* The batch lies inside its buffer. */
      uint32_t res = 0;
      struct drm_i915_gem_exec_object2 o;
      struct vh_object *batch;

      i915_ccmd_gem_execbuffer2_req_objects_get(view, (req->flags & KI915_EXEC_BATCH_FIRST) ? 0 : n - 1, &o);
      res = o.handle;
      batch = vh_object_lookup(ctx, res);
      if ((uint64_t)req->batch_start_offset + req->batch_len > batch->size)
         ret = EINVAL;
   }
   if (!ret) {
      if (vh_rings_reserve(&ctx->rings, ring))
         return oom(ctx, "GEM_EXECBUFFER2");
      eb = (struct ki915_execbuffer2){
         .buffers_ptr = (uint64_t)(uintptr_t)objs,
         .buffer_count = n,
         .batch_start_offset = req->batch_start_offset,
         .batch_len = req->batch_len,
         /* The decoder allowed only the guest's bits; the out-fence is the host's. */
         .flags = req->flags | KI915_EXEC_FENCE_OUT,
         .rsvd1 = req->context_id,
      };
      ret = -kernel(ctx)->gem_execbuffer2(vh_file(ctx), &eb, &fence);
      if (ret == 0)
         vh_rings_add_submit(&ctx->rings, ring, fence);
      else if (ret == EIO)
         banned_update(ctx, req->context_id, true);
   }
   rsp.ret = ret;
   if (i915_ccmd_gem_execbuffer2_rsp_encode(shadow, (size_t)size, &rsp, &len))
      return vh_reject(ctx, VDRM_E_HANDLER, "GEM_EXECBUFFER2", "", "response does not encode");
   vh_rsp_commit(ctx, (uint32_t)len);
   return 0;
}

static const struct i915_handlers i915_handlers = {
   .ioctl_simple = h_ioctl_simple,
   .getparam = h_getparam,
   .queryparam = h_queryparam,
   .gem_create = h_gem_create,
   .gem_create_ext = h_gem_create_ext,
   .gem_context_create = h_gem_context_create,
   .gem_execbuffer2 = h_gem_execbuffer2,
   .gem_set_mmap_mode = h_gem_set_mmap_mode,
   .gem_busy = h_gem_busy,
};

static int
i915_dispatch_one(struct vh_context *ctx, const uint8_t *msg, size_t len, struct vdrm_error *err)
{
   return i915_dispatch(&i915_handlers, ctx, msg, len, err);
}

static int
i915_init(struct vh_context *ctx)
{
   struct i915_state *st;
   int ret;

   if (!kernel(ctx))
      return VDRM_HOST_E_BACKEND;
   st = calloc(1, sizeof(*st));
   if (!st)
      return VDRM_HOST_E_NOMEM;
   ret = vh_rings_init(&ctx->rings, vh_backend(ctx), I915_RINGS);
   if (ret) {
      free(st);
      return ret;
   }
   ctx->type_data = st;
   return VDRM_HOST_OK;
}

static void
i915_fini(struct vh_context *ctx)
{
   struct i915_state *st = state(ctx);

   if (!st)
      return;
   /* The kernel destroys the contexts and VMs with the file. */
   vh_idmap_fini(&st->gem_ctxs);
   vh_idmap_fini(&st->vms);
   free(st);
   ctx->type_data = NULL;
}

static uint64_t
i915_heap_bytes(const struct vh_context *ctx)
{
   const struct i915_state *st = ctx->type_data;

   return sizeof(*st) + vh_idmap_bytes(&st->gem_ctxs) + vh_idmap_bytes(&st->vms);
}

int vh_i915_fill_capset(struct vdrm_backend_file *f, struct virgl_renderer_capset_drm *caps);

const struct vh_context_type vh_i915_context_type = {
   .name = "i915",
   .context_type = VIRTGPU_DRM_CONTEXT_I915,
   .wire_format_version = I915_WIRE_FORMAT_VERSION,
   .alignment = I915_CCMD_ALIGNMENT,
   .shmem_size = sizeof(struct i915_shmem),
   .async_error_offset = 0,   /* i915_shmem has no async_error counter */
   .table = i915_ccmd_table,
   .table_count = I915_CCMD_COUNT,
   .fill_capset = vh_i915_fill_capset,
   .init = i915_init,
   .fini = i915_fini,
   .dispatch = i915_dispatch_one,
   .heap_bytes = i915_heap_bytes,
};
