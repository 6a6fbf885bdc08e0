/* SPDX-License-Identifier: MIT */

/*
 * The panfrost handlers: every PANFROST_CCMD_*, called by panfrost_dispatch()
 * with the decoded request (fixed part zero-extended, pads checked, the
 * res_ids span bounded by hdr.len). Each checks what the kernel cannot:
 * res_ids are buffers of this context, translated to their GEM handles
 * before the kernel sees anything; counts come out of the message; waits
 * never block the host. The deployed host's silent failures are gone:
 *
 *  - SUBMIT and CREATE_BO (no response) reject the request when a res_id is
 *    unknown or the kernel refuses: the batch stops there, the line is
 *    logged, the seqno of the request is not published and the EXECBUFFER
 *    fails (panfrost has no async_error to count it in).
 *  - A command with a response answers ret -1 for an unknown res_id (what
 *    the kernel answers for an unknown handle) instead of leaving the slot
 *    as it was, and the seqno is published as for any answer.
 *  - WAIT_BO polls (its deadline is made 0); MMAP_BO never discloses the
 *    host's fake mmap offset.
 *
 * The capability set has no panfrost part (virgl_renderer_capset_drm's union
 * stays zero); the guest reads every GPU property with GET_PARAM.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "panfrost_codec.h"
#include "panfrost_kernel.h"

/* The deployed host reports wire_format_version 0. */
#define PANFROST_WIRE_FORMAT_VERSION 0u
/* The single fence timeline. */
#define PANFROST_RING 0u

static const struct vdrm_backend_panfrost_ops *
kernel(struct vh_context *ctx)
{
   return vh_backend(ctx)->panfrost;
}

static const char *
errname(int ret)
{
   const char *n = strerrorname_np(-ret);

   return n ? n : "unknown errno";
}

/* A kernel refusal of a command without a response. */
static int
kernel_failed(struct vh_context *ctx, const char *command, const char *field, const char *ioctl,
              int ret)
{
   return vh_reject(ctx, VDRM_E_HANDLER, command, field, "%s failed: %d (%s)", ioctl, ret,
                    errname(ret));
}

/* drmIoctl()'s result as the wire carries it: the errno is not transported. */
static int
ioctl_ret(int ret)
{
   return ret ? -1 : 0;
}

static int
h_submit(void *c, const struct panfrost_ccmd_submit_req *req,
         const struct panfrost_ccmd_submit_req_view *view)
{
   struct vh_context *ctx = c;
   struct vdrm_backend_panfrost_submit s;
   struct vdrm_backend_fence *fence;
   uint32_t *handles;
   int ret;

   if (vh_limit(ctx, VDRM_HOST_LIMIT_PENDING_FENCES, vh_rings_pending(&ctx->rings), 1, "SUBMIT",
                "res_id_count"))
      return -1;
   /*
    * The decoder bounded res_id_count by hdr.len (32 + 4 * count, without
    * overflow), so the handles take at most max_message_size bytes of heap;
    * zero of them is an ordinary, empty list.
    */
   handles = vh_scratch(ctx, (size_t)view->res_ids.count * sizeof(*handles));
   if (!handles)
      return vh_reject(ctx, VDRM_E_HANDLER, "SUBMIT", "", "out of memory");
   for (uint32_t i = 0; i < view->res_ids.count; i++) {
      struct vh_object *obj;
      uint32_t res_id;

      panfrost_ccmd_submit_req_res_ids_get(view, i, &res_id);
      obj = vh_object_lookup(ctx, res_id);
      if (!obj)
         return vh_reject(ctx, VDRM_E_NOT_ALLOWED, "SUBMIT", "res_ids",
                          "res_ids[%u]: %u is not a buffer resource of this context", i, res_id);
      handles[i] = obj->handle;
   }
   if (vh_rings_reserve(&ctx->rings, PANFROST_RING))
      return vh_reject(ctx, VDRM_E_HANDLER, "SUBMIT", "", "out of memory");
   s = (struct vdrm_backend_panfrost_submit){
      .jc = req->jc,
      .requirements = req->requirements,
      .bo_handle_count = view->res_ids.count,
      .bo_handles = handles,
   };
   ret = kernel(ctx)->submit(vh_file(ctx), &s, &fence);
   if (ret)
      return kernel_failed(ctx, "SUBMIT", "jc", "DRM_IOCTL_PANFROST_SUBMIT", ret);
   /* The timeline's latest fence: later EXECBUFFER fences on ring 0 wait for it. */
   vh_rings_add_submit(&ctx->rings, PANFROST_RING, fence);
   return 0;
}

static int
h_wait_bo(void *c, const struct panfrost_ccmd_wait_bo_req *req)
{
   struct vh_context *ctx = c;
   uint64_t size = panfrost_ccmd_wait_bo_rsp_host_size(req);
   struct panfrost_ccmd_wait_bo_rsp rsp = { .hdr = { 0 } };
   struct vh_object *obj;
   void *shadow;
   size_t len;

   if (vh_rsp_begin(ctx, size, "WAIT_BO", &shadow))
      return -1;
   obj = vh_object_lookup(ctx, req->res_id);
   /*
    * Never block the thread that runs the stream: the guest's deadline (on a
    * clock it cannot read) becomes 0, which polls; a busy buffer answers -1
    * and the guest asks again.
    */
   rsp.ret = obj ? ioctl_ret(kernel(ctx)->wait_bo(vh_file(ctx), obj->handle, 0)) : -1;
   if (panfrost_ccmd_wait_bo_rsp_encode(shadow, (size_t)size, &rsp, &len))
      return vh_reject(ctx, VDRM_E_HANDLER, "WAIT_BO", "", "response does not encode");
   vh_rsp_commit(ctx, (uint32_t)len);
   return 0;
}

static int
h_create_bo(void *c, const struct panfrost_ccmd_create_bo_req *req)
{
   struct vh_context *ctx = c;
   const uint64_t page = 4096, heap_chunk = 2u << 20;
   uint64_t unit = (req->flags & KPAN_BO_HEAP) ? heap_chunk : page;
   uint64_t charged = ((uint64_t)req->size + unit - 1) / unit * unit;
   uint64_t gpu_va;
   uint32_t handle;
   int ret;

   if (vh_limit(ctx, VDRM_HOST_LIMIT_OBJECTS, ctx->objects, 1, "CREATE_BO", "blob_id") ||
       vh_limit(ctx, VDRM_HOST_LIMIT_BUFFER_BYTES, ctx->buffer_bytes, charged, "CREATE_BO", "size"))
      return -1;
   if (vh_blob_id_pending(ctx, req->blob_id))
      return vh_reject(ctx, VDRM_E_NOT_ALLOWED, "CREATE_BO", "blob_id",
                       "%u already names a buffer that awaits its blob", req->blob_id);
   /* A refused allocation fails the request: nothing is filed under blob_id. */
   ret = kernel(ctx)->create_bo(vh_file(ctx), req->size, req->flags, &handle, &gpu_va);
   if (ret)
      return kernel_failed(ctx, "CREATE_BO", ret == -EINVAL ? "flags" : "size",
                           "DRM_IOCTL_PANFROST_CREATE_BO", ret);
   if (vh_object_create(ctx, handle, charged, req->blob_id)) {
      vh_backend(ctx)->gem_close(vh_file(ctx), handle);
      return vh_reject(ctx, VDRM_E_HANDLER, "CREATE_BO", "", "out of memory");
   }
   return 0;
}

static int
h_mmap_bo(void *c, const struct panfrost_ccmd_mmap_bo_req *req)
{
   struct vh_context *ctx = c;
   uint64_t size = panfrost_ccmd_mmap_bo_rsp_host_size(req);
   struct panfrost_ccmd_mmap_bo_rsp rsp = { .hdr = { 0 } };
   struct vh_object *obj;
   uint64_t offset;
   void *shadow;
   size_t len;

   if (vh_rsp_begin(ctx, size, "MMAP_BO", &shadow))
      return -1;
   obj = vh_object_lookup(ctx, req->res_id);
   /*
    * ret tells whether the kernel would let the buffer be mapped (heaps and
    * non-zero flags are refused); the offset is the host's own business and
    * the guest maps through the blob: it is always answered as 0.
    */
   rsp.ret = obj ? ioctl_ret(kernel(ctx)->mmap_bo(vh_file(ctx), obj->handle, req->flags, &offset)) : -1;
   rsp.offset = 0;
   if (panfrost_ccmd_mmap_bo_rsp_encode(shadow, (size_t)size, &rsp, &len))
      return vh_reject(ctx, VDRM_E_HANDLER, "MMAP_BO", "", "response does not encode");
   vh_rsp_commit(ctx, (uint32_t)len);
   return 0;
}

static int
h_get_param(void *c, const struct panfrost_ccmd_get_param_req *req)
{
   struct vh_context *ctx = c;
   uint64_t size = panfrost_ccmd_get_param_rsp_host_size(req);
   struct panfrost_ccmd_get_param_rsp rsp = { .hdr = { 0 } };
   uint64_t value = 0;
   void *shadow;
   size_t len;
   int ret;

   if (vh_rsp_begin(ctx, size, "GET_PARAM", &shadow))
      return -1;
   ret = kernel(ctx)->get_param(vh_file(ctx), req->param, &value);
   rsp.ret = ioctl_ret(ret);
   rsp.value = ret ? 0 : value;
   if (panfrost_ccmd_get_param_rsp_encode(shadow, (size_t)size, &rsp, &len))
      return vh_reject(ctx, VDRM_E_HANDLER, "GET_PARAM", "", "response does not encode");
   vh_rsp_commit(ctx, (uint32_t)len);
   return 0;
}

static int
h_get_bo_offset(void *c, const struct panfrost_ccmd_get_bo_offset_req *req)
{
   struct vh_context *ctx = c;
   uint64_t size = panfrost_ccmd_get_bo_offset_rsp_host_size(req);
   struct panfrost_ccmd_get_bo_offset_rsp rsp = { .hdr = { 0 } };
   struct vh_object *obj;
   uint64_t offset = 0;
   void *shadow;
   size_t len;
   int ret = -ENOENT;

   if (vh_rsp_begin(ctx, size, "GET_BO_OFFSET", &shadow))
      return -1;
   obj = vh_object_lookup(ctx, req->res_id);
   if (obj)
      ret = kernel(ctx)->get_bo_offset(vh_file(ctx), obj->handle, &offset);
   rsp.ret = ioctl_ret(ret);
   rsp.offset = ret ? 0 : offset;
   if (panfrost_ccmd_get_bo_offset_rsp_encode(shadow, (size_t)size, &rsp, &len))
      return vh_reject(ctx, VDRM_E_HANDLER, "GET_BO_OFFSET", "", "response does not encode");
   vh_rsp_commit(ctx, (uint32_t)len);
   return 0;
}

static int
h_madvise(void *c, const struct panfrost_ccmd_madvise_req *req)
{
   struct vh_context *ctx = c;
   uint64_t size = panfrost_ccmd_madvise_rsp_host_size(req);
   struct panfrost_ccmd_madvise_rsp rsp = { .hdr = { 0 } };
   struct vh_object *obj;
   uint32_t retained = 0;
   void *shadow;
   size_t len;
   int ret = -ENOENT;

   if (vh_rsp_begin(ctx, size, "MADVISE", &shadow))
      return -1;
   obj = vh_object_lookup(ctx, req->res_id);
   if (obj)
      ret = kernel(ctx)->madvise(vh_file(ctx), obj->handle, req->madv, &retained);
   rsp.ret = ioctl_ret(ret);
   rsp.retained = ret ? 0 : retained;
   if (panfrost_ccmd_madvise_rsp_encode(shadow, (size_t)size, &rsp, &len))
      return vh_reject(ctx, VDRM_E_HANDLER, "MADVISE", "", "response does not encode");
   vh_rsp_commit(ctx, (uint32_t)len);
   return 0;
}

static const struct panfrost_handlers panfrost_handlers = {
   .submit = h_submit,
   .wait_bo = h_wait_bo,
   .create_bo = h_create_bo,
   .mmap_bo = h_mmap_bo,
   .get_param = h_get_param,
   .get_bo_offset = h_get_bo_offset,
   .madvise = h_madvise,
};

static int
panfrost_dispatch_one(struct vh_context *ctx, const uint8_t *msg, size_t len, struct vdrm_error *err)
{
   return panfrost_dispatch(&panfrost_handlers, ctx, msg, len, err);
}

static int
panfrost_init(struct vh_context *ctx)
{
   if (!kernel(ctx))
      return VDRM_HOST_E_BACKEND;
   /* One fence timeline, ring 0: the most recent SUBMIT's job. */
   return vh_rings_init(&ctx->rings, vh_backend(ctx), 1);
}

static void
panfrost_fini(struct vh_context *ctx)
{
   (void)ctx;
}

/* Nothing of panfrost's own: the device must answer GET_PARAM, the union stays zero. */
static int
panfrost_fill_capset(struct vdrm_backend_file *f, struct virgl_renderer_capset_drm *caps)
{
   const struct vdrm_backend_panfrost_ops *k = f->dev->ops->panfrost;
   uint64_t v;

   (void)caps;
   if (!k || k->get_param(f, KPAN_PARAM_GPU_PROD_ID, &v))
      return -EINVAL;
   return 0;
}

const struct vh_context_type vh_panfrost_context_type = {
   .name = "panfrost",
   .context_type = VIRTGPU_DRM_CONTEXT_PANFROST,
   .wire_format_version = PANFROST_WIRE_FORMAT_VERSION,
   .alignment = PANFROST_CCMD_ALIGNMENT,
   /* No shmem struct of its own: a plain vdrm_shmem, rsp_mem_offset 8, no async_error. */
   .shmem_size = sizeof(struct vdrm_shmem),
   .async_error_offset = 0,
   .table = panfrost_ccmd_table,
   .table_count = PANFROST_CCMD_COUNT,
   .fill_capset = panfrost_fill_capset,
   .init = panfrost_init,
   .fini = panfrost_fini,
   .dispatch = panfrost_dispatch_one,
};
