/* SPDX-License-Identifier: MIT */

/*
 * i915 over libvdrm-guest. Mesa's Intel virtio layer is not in its tree, so
 * this follows the spec (spec/i915.xml) and iris's use of the kernel: a GEM
 * context created with an engine map (render engine only) and
 * non-recoverable, its GTT size read once; buffers are GEM_CREATE_EXT in
 * system memory travelling with their blob and softpinned at guest-chosen
 * addresses; uploads are CPU writes through the blob's mapping (no upload
 * command exists); submissions are GEM_EXECBUFFER2 with the batch first,
 * no relocations, on ring 1 + engine index with an out-fence. A wait also
 * checks the shmem's banned_ctx_mask, the one place a refused or hung
 * submission shows; GETPARAMs and GET_RESET_STATS are re-asked per frame.
 */

#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "i915_codec.h"

#define PAGE 4096ull
#define VA_START (1ull << 32)   /* iris keeps the low 4 GiB for its special heaps */
#define MAX_BOS 16u
#define MAX_PENDING 8u            /* submissions whose answers are still to be read */
#define MI_NOOP 0u
#define MI_NOOP_ID (1u << 22)     /* the low 22 bits go to the NOPID register */
#define MI_BATCH_BUFFER_END (0x0au << 23)

/* A submission's answer, read once its fence has signalled (then it costs no round trip). */
struct pending_submit {
   const struct vg_fence *fence;
   struct vg_rsp rsp;
};

struct vg_driver {
   struct vg_device *dev;
   uint32_t ctx_id;
   struct pending_submit pending[MAX_PENDING];
   uint64_t va_next;          /* bump allocator over the context's GTT */
   uint64_t va_end;
};
VG_DRIVER_DEVICE_FIRST;

/* Every ret of this protocol is 0 or a positive errno. */
static int
host_failed(struct vg_driver *drv, const char *command, int32_t ret)
{
   return vg_fail(drv->dev, command, "the host failed it (errno %d)", ret);
}

/* IOCTL_SIMPLE of ioctl cmd with arg (its size is the ioctl's); the answer lands in *rsp. */
static int
ioctl_simple(struct vg_driver *drv, uint32_t cmd, const void *arg, struct vg_rsp *rsp, const char *name)
{
   struct i915_ccmd_ioctl_simple_req req = { .cmd = cmd, .pad = 0 };
   uint64_t size = i915_ccmd_ioctl_simple_req_size(cmd);
   uint64_t rsp_size = i915_ccmd_ioctl_simple_rsp_host_size(&req);
   size_t len;
   void *buf;
   int st;

   if (vg_req_begin(drv->dev, &req.hdr, (uint32_t)rsp_size, rsp, name) || !(buf = vg_req_space(drv->dev, size)))
      return -1;
   if ((st = i915_ccmd_ioctl_simple_req_encode(buf, size, &req, arg, &len)))
      return vg_encode_failed(drv->dev, name, st);
   return vg_req_push(drv->dev, len, name);
}

/* Reads an IOCTL_SIMPLE answer: ret must be 0; the argument as the kernel left it into out. */
static int
ioctl_simple_answer(struct vg_driver *drv, const struct vg_rsp *rsp, void *out, size_t out_size)
{
   uint8_t buf[256];
   struct i915_ccmd_ioctl_simple_rsp r;
   struct i915_ccmd_ioctl_simple_rsp_view view;
   struct vdrm_error err;
   size_t len;

   if (vg_rsp_read(drv->dev, rsp, buf, sizeof(buf), &len))
      return -1;
   if (i915_ccmd_ioctl_simple_rsp_decode(buf, len, &r, &view, &err))
      return vg_fail(drv->dev, rsp->command, "response: %s", err.message);
   if (r.ret)
      return host_failed(drv, rsp->command, r.ret);
   return vg_payload_copy(drv->dev, rsp->command, &view.payload, out, out_size, out_size);
}

static int
getparam(struct vg_driver *drv, uint32_t param, struct vg_rsp *rsp, const char *name)
{
   struct i915_ccmd_getparam_req req = { .param = param, .value = 0 };
   size_t len;
   void *buf;
   int st;

   if (vg_req_begin(drv->dev, &req.hdr, (uint32_t)i915_ccmd_getparam_rsp_host_size(&req), rsp, name) ||
       !(buf = vg_req_space(drv->dev, sizeof(req))))
      return -1;
   if ((st = i915_ccmd_getparam_req_encode(buf, sizeof(req), &req, &len)))
      return vg_encode_failed(drv->dev, name, st);
   return vg_req_push(drv->dev, len, name);
}

static int
getparam_answer(struct vg_driver *drv, const struct vg_rsp *rsp, uint32_t *value)
{
   struct i915_ccmd_getparam_rsp r;
   struct vdrm_error err;
   uint8_t buf[sizeof(r)];
   size_t len;

   if (vg_rsp_read(drv->dev, rsp, buf, sizeof(buf), &len))
      return -1;
   if (i915_ccmd_getparam_rsp_decode(buf, len, &r, &err))
      return vg_fail(drv->dev, rsp->command, "response: %s", err.message);
   if (r.ret)
      return host_failed(drv, rsp->command, r.ret);
   *value = r.value;
   return 0;
}

/* A SETPARAM record of a context creation, with its data, appended at p; its size. */
static size_t
setparam(uint8_t *p, uint64_t param, uint64_t value, const void *data, uint32_t size)
{
   struct drm_i915_gem_context_create_ext_setparam sp = {
      .base = { .next_extension = 0, .name = I915_CONTEXT_CREATE_EXT_SETPARAM },
      .param = { .ctx_id = 0, .size = size, .param = param, .value = value },
   };

   memcpy(p, &sp, sizeof(sp));
   if (size)
      memcpy(p + sizeof(sp), data, size);
   return sizeof(sp) + size;
}

/* GEM_CONTEXT_CREATE as iris makes its contexts: an engine map of the render engine, not recoverable. */
static int
context_create(struct vg_driver *drv, struct vg_rsp *rsp)
{
   struct {
      struct i915_context_param_engines h;
      struct i915_engine_class_instance e[1];
   } engines = { .h = { .extensions = 0 }, .e = { { I915_ENGINE_CLASS_RENDER, 0 } } };
   struct i915_ccmd_gem_context_create_req req = { .flags = I915_CONTEXT_CREATE_FLAGS_USE_EXTENSIONS };
   uint8_t params[2 * sizeof(struct drm_i915_gem_context_create_ext_setparam) + sizeof(engines)];
   size_t n = 0, len;
   uint64_t size;
   void *buf;
   int st;

   n += setparam(params + n, I915_CONTEXT_PARAM_ENGINES, 0, &engines, sizeof(engines));
   n += setparam(params + n, I915_CONTEXT_PARAM_RECOVERABLE, 0, NULL, 0);
   req.params_size = (uint32_t)n;
   size = i915_ccmd_gem_context_create_req_size(req.params_size);
   if (vg_req_begin(drv->dev, &req.hdr, (uint32_t)i915_ccmd_gem_context_create_rsp_host_size(&req), rsp,
                    "GEM_CONTEXT_CREATE") ||
       !(buf = vg_req_space(drv->dev, size)))
      return -1;
   if ((st = i915_ccmd_gem_context_create_req_encode(buf, size, &req, params, &len)))
      return vg_encode_failed(drv->dev, "GEM_CONTEXT_CREATE", st);
   return vg_req_push(drv->dev, len, "GEM_CONTEXT_CREATE");
}

static int
context_create_answer(struct vg_driver *drv, const struct vg_rsp *rsp)
{
   struct i915_ccmd_gem_context_create_rsp r;
   struct vdrm_error err;
   uint8_t buf[sizeof(r)];
   size_t len;

   if (vg_rsp_read(drv->dev, rsp, buf, sizeof(buf), &len))
      return -1;
   if (i915_ccmd_gem_context_create_rsp_decode(buf, len, &r, &err))
      return vg_fail(drv->dev, rsp->command, "response: %s", err.message);
   if (r.ret || !r.ctx_id)
      return vg_fail(drv->dev, rsp->command, "errno %d, ctx_id %u", r.ret, r.ctx_id);
   drv->ctx_id = r.ctx_id;
   return 0;
}

static int
i915_create(struct vg_device *dev, struct vg_driver **out)
{
   const struct virgl_renderer_capset_drm *caps = vg_caps(dev);
   struct drm_i915_gem_context_param gtt = { .param = I915_CONTEXT_PARAM_GTT_SIZE };
   struct vg_rsp chipset_rsp, softpin_rsp, ctx_rsp, gtt_rsp;
   uint32_t chipset, softpin;
   struct vg_driver *drv;

   if (!(drv = vg_driver_alloc(dev, sizeof(*drv), "i915")))
      return -1;
   /* One batch for what needs no answer first, one for the context's GTT: two round trips. */
   if (getparam(drv, I915_PARAM_CHIPSET_ID, &chipset_rsp, "GETPARAM(CHIPSET_ID)") ||
       getparam(drv, I915_PARAM_HAS_EXEC_SOFTPIN, &softpin_rsp, "GETPARAM(HAS_EXEC_SOFTPIN)") ||
       context_create(drv, &ctx_rsp) || getparam_answer(drv, &chipset_rsp, &chipset) ||
       getparam_answer(drv, &softpin_rsp, &softpin) || context_create_answer(drv, &ctx_rsp))
      goto fail;
   if (chipset != caps->u.intel.pci_device_id || !softpin) {
      vg_fail(dev, "GETPARAM", "chipset 0x%x (the capset says 0x%x), softpin %u", chipset,
              caps->u.intel.pci_device_id, softpin);
      goto fail;
   }
   gtt.ctx_id = drv->ctx_id;
   if (ioctl_simple(drv, DRM_IOCTL_I915_GEM_CONTEXT_GETPARAM, &gtt, &gtt_rsp, "IOCTL_SIMPLE(CONTEXT_GETPARAM GTT_SIZE)") ||
       ioctl_simple_answer(drv, &gtt_rsp, &gtt, sizeof(gtt)))
      goto fail;
   if (gtt.value <= VA_START) {
      vg_fail(dev, "IOCTL_SIMPLE(CONTEXT_GETPARAM GTT_SIZE)", "a %llu-byte GTT leaves no room above 4 GiB",
              (unsigned long long)gtt.value);
      goto fail;
   }
   drv->va_next = VA_START;
   drv->va_end = gtt.value;
   *out = drv;
   return 0;
fail:
   free(drv);
   return -1;
}

static void
i915_destroy(struct vg_driver *drv)
{
   struct drm_i915_gem_context_destroy d = { .ctx_id = drv ? drv->ctx_id : 0 };
   struct vg_rsp rsp;

   if (!drv)
      return;
   /* Destroyed without waiting for the answer: nothing follows that needs it. */
   ioctl_simple(drv, DRM_IOCTL_I915_GEM_CONTEXT_DESTROY, &d, &rsp, "IOCTL_SIMPLE(CONTEXT_DESTROY)");
   vg_driver_destroy(drv);
}

static struct vg_bo *
i915_bo_new(struct vg_driver *drv, uint64_t size)
{
   /* One MEMORY_REGIONS record listing system memory, laid end to end (no tail padding). */
   const struct drm_i915_gem_create_ext_memory_regions regions = {
      .base = { .name = I915_GEM_CREATE_EXT_MEMORY_REGIONS }, .num_regions = 1, .regions = 0,
   };
   const struct drm_i915_gem_memory_class_instance system = { I915_MEMORY_CLASS_SYSTEM, 0 };
   uint8_t ext[sizeof(regions) + sizeof(system)];
   struct i915_ccmd_gem_create_ext_req req;
   uint8_t buf[sizeof(req) + sizeof(ext)];
   struct vg_bo *bo;
   size_t len;
   int st;

   if (vg_va_fit(drv->dev, drv->va_next, drv->va_end, &size, PAGE, "GEM_CREATE_EXT") ||
       !(bo = vg_bo_alloc(drv->dev, sizeof(*bo), "GEM_CREATE_EXT")))
      return NULL;
   if (vg_req_begin(drv->dev, &req.hdr, 0, NULL, "GEM_CREATE_EXT"))
      goto fail;
   memcpy(ext, &regions, sizeof(regions));
   memcpy(ext + sizeof(regions), &system, sizeof(system));
   req.size = size;
   req.blob_id = vg_blob_id_next(drv->dev);
   req.gem_flags = 0;
   req.ext_size = sizeof(ext);
   req.pad = 0;
   if ((st = i915_ccmd_gem_create_ext_req_encode(buf, sizeof(buf), &req, ext, &len))) {
      vg_encode_failed(drv->dev, "GEM_CREATE_EXT", st);
      goto fail;
   }
   /* The GEM_CREATE_EXT travels with the blob; neither waits for the host. */
   bo->blob = vg_blob_create(drv->dev, size, VG_BLOB_MAPPABLE | VG_BLOB_SHAREABLE, req.blob_id, buf, len,
                             "GEM_CREATE_EXT");
   if (!bo->blob)
      goto fail;
   bo->size = size;
   bo->iova = drv->va_next;   /* softpinned there by every submission */
   drv->va_next += size;
   return bo;
fail:
   free(bo);
   return NULL;
}

/* A batch of two no-ops, the second writing the frame to NOPID, and the end: 16 bytes, 8-aligned. */
static uint32_t
i915_emit_cmds(struct vg_driver *drv, void *map, uint32_t cap, uint32_t frame)
{
   uint32_t words[4] = { MI_NOOP, MI_NOOP | MI_NOOP_ID | (frame & 0x3fffffu), MI_BATCH_BUFFER_END, MI_NOOP };

   (void)drv;
   if (cap < sizeof(words))
      return 0;
   memcpy(map, words, sizeof(words));
   return sizeof(words);
}

static int
i915_submit(struct vg_driver *drv, struct vg_bo *cmd, uint32_t cmd_size, struct vg_bo *const *bos,
            uint32_t nbos, struct vg_fence *fence)
{
   struct drm_i915_gem_exec_object2 objs[MAX_BOS];
   struct vg_blob *blobs[MAX_BOS];
   struct i915_ccmd_gem_execbuffer2_req req;
   uint8_t buf[sizeof(req) + sizeof(objs)];
   struct pending_submit *slot = NULL;
   uint32_t n = 0;
   size_t len;
   int st;

   if (nbos >= MAX_BOS)
      return vg_fail(drv->dev, "GEM_EXECBUFFER2", "%u buffers, at most %u here", nbos, MAX_BOS - 1);
   for (uint32_t i = 0; i < MAX_PENDING && !slot; i++) {
      if (!drv->pending[i].fence)
         slot = &drv->pending[i];
   }
   if (!slot)
      return vg_fail(drv->dev, "GEM_EXECBUFFER2", "more than %u submissions not waited for", MAX_PENDING);
   /* The batch first (I915_EXEC_BATCH_FIRST), then the buffers it uses, all softpinned. */
   for (uint32_t i = 0; i <= nbos; i++) {
      struct vg_bo *bo = i == 0 ? cmd : bos[i - 1];

      if (i > 0 && bo == cmd)
         continue;
      if (!vg_bo_res_id(drv->dev, bo))
         return -1;
      objs[n] = (struct drm_i915_gem_exec_object2){
         .handle = bo->id,
         .offset = bo->iova,
         .flags = EXEC_OBJECT_PINNED | EXEC_OBJECT_SUPPORTS_48B_ADDRESS | (bo == cmd ? 0 : EXEC_OBJECT_WRITE),
      };
      blobs[n++] = bo->blob;
   }
   /* The kernel's refusal is only in the answer (the deployed guest never reads it): kept for the wait. */
   if (vg_req_begin(drv->dev, &req.hdr, (uint32_t)i915_ccmd_gem_execbuffer2_rsp_size(), &slot->rsp,
                    "GEM_EXECBUFFER2"))
      return -1;
   /* Engine 0 of the context's map; no relocations, the addresses are the guest's. */
   req.flags = I915_EXEC_NO_RELOC | I915_EXEC_HANDLE_LUT | I915_EXEC_BATCH_FIRST;
   req.context_id = drv->ctx_id;
   req.buffer_count = n;
   req.batch_start_offset = 0;
   req.batch_len = cmd_size;
   req.relocs_count = 0;
   if ((st = i915_ccmd_gem_execbuffer2_req_encode(buf, sizeof(buf), &req, objs, NULL, &len)))
      return vg_encode_failed(drv->dev, "GEM_EXECBUFFER2", st);
   if (vg_execbuf(drv->dev, &(struct vg_execbuf){
                     .ccmd = buf,
                     .len = len,
                     .command = "GEM_EXECBUFFER2",
                     .ring_idx = 1 + (uint32_t)(req.flags & I915_EXEC_RING_MASK),
                     .blobs = blobs,
                     .num_blobs = n,
                  }, fence))
      return -1;
   slot->fence = fence;
   return 0;
}

/* The answer of the submission fence belongs to: errno 0, or the kernel refused it. */
static int
submit_answer(struct vg_driver *drv, const struct vg_fence *fence)
{
   struct i915_ccmd_gem_execbuffer2_rsp r;
   struct vdrm_error err;
   uint8_t buf[sizeof(r)];
   size_t len;

   for (uint32_t i = 0; i < MAX_PENDING; i++) {
      struct pending_submit *p = &drv->pending[i];

      if (p->fence != fence)
         continue;
      p->fence = NULL;
      if (vg_rsp_read(drv->dev, &p->rsp, buf, sizeof(buf), &len))
         return -1;
      if (i915_ccmd_gem_execbuffer2_rsp_decode(buf, len, &r, &err))
         return vg_fail(drv->dev, p->rsp.command, "response: %s", err.message);
      return r.ret ? host_failed(drv, p->rsp.command, r.ret) : 0;
   }
   return vg_fail(drv->dev, "GEM_EXECBUFFER2", "a fence of no submission");
}

/*
 * After the fence: the submission's answer (already in place, no round
 * trip), and the context must not be banned, the host's report of a hang.
 */
static int
i915_wait(struct vg_driver *drv, struct vg_fence *fence, int timeout_ms)
{
   const volatile struct i915_shmem *shmem = vg_shmem(drv->dev);
   int ret = vg_fence_wait(drv->dev, fence, timeout_ms);

   if (ret || submit_answer(drv, fence))
      return ret ? ret : -1;
   if (drv->ctx_id < 64 && (shmem->banned_ctx_mask & (1ull << drv->ctx_id)))
      return vg_fail(drv->dev, "GEM_EXECBUFFER2", "the kernel banned GEM context %u", drv->ctx_id);
   return 0;
}

/* The queries a frame repeats: what the capset says of the device, and the context's resets. */
enum { Q_CHIPSET_ID, Q_REVISION, Q_RESET_STATS, Q_COUNT };

static int
i915_query_begin(struct vg_driver *drv, uint32_t index, struct vg_query *q)
{
   struct drm_i915_reset_stats rs = { .ctx_id = drv->ctx_id };

   q->index = index;
   switch (index) {
   case Q_CHIPSET_ID:
      q->name = "GETPARAM(CHIPSET_ID)";
      return getparam(drv, I915_PARAM_CHIPSET_ID, &q->rsp, q->name);
   case Q_REVISION:
      q->name = "GETPARAM(REVISION)";
      return getparam(drv, I915_PARAM_REVISION, &q->rsp, q->name);
   case Q_RESET_STATS:
      q->name = "IOCTL_SIMPLE(GET_RESET_STATS)";
      return ioctl_simple(drv, DRM_IOCTL_I915_GET_RESET_STATS, &rs, &q->rsp, q->name);
   default:
      return vg_fail(drv->dev, "query", "i915 has no query %u", index);
   }
}

static int
i915_query_end(struct vg_driver *drv, struct vg_query *q)
{
   const struct virgl_renderer_capset_drm *caps = vg_caps(drv->dev);
   struct drm_i915_reset_stats rs;
   uint32_t v, expected;

   switch (q->index) {
   case Q_CHIPSET_ID:
   case Q_REVISION:
      if (getparam_answer(drv, &q->rsp, &v))
         return -1;
      q->value = v;
      expected = q->index == Q_CHIPSET_ID ? caps->u.intel.pci_device_id : caps->u.intel.pci_revision_id;
      if (v != expected)
         return vg_fail(drv->dev, q->name, "answered 0x%x, the capset says 0x%x", v, expected);
      return 0;
   case Q_RESET_STATS:
      if (ioctl_simple_answer(drv, &q->rsp, &rs, sizeof(rs)))
         return -1;
      q->value = rs.batch_active + rs.batch_pending;
      if (q->value)
         return vg_fail(drv->dev, q->name, "the context lost %u active and %u pending batches", rs.batch_active,
                        rs.batch_pending);
      return 0;
   default:
      return vg_fail(drv->dev, "query", "i915 has no query %u", q->index);
   }
}

const struct vg_driver_ops vg_i915_driver = {
   .name = "i915",
   .options = {
      .context_type = VIRTGPU_DRM_CONTEXT_I915,
      .shmem_min = sizeof(struct i915_shmem),
      .async_error_offset = 0,   /* the context has none: banned_ctx_mask instead */
   },
   .create = i915_create,
   .destroy = i915_destroy,
   .bo_new = i915_bo_new,
   .bo_map = vg_bo_map,
   .bo_upload = vg_bo_upload_mapped,   /* no upload command in this protocol */
   .bo_free = vg_bo_free,              /* closing its GEM handle unbinds it from the GTT */
   .emit_cmds = i915_emit_cmds,
   .submit = i915_submit,
   .wait = i915_wait,
   .nqueries = Q_COUNT,
   .query_begin = i915_query_begin,
   .query_end = i915_query_end,
};
