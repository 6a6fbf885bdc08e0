/* SPDX-License-Identifier: MIT */

/*
 * msm over libvdrm-guest, shaped like freedreno's virtio backend: buffers
 * are GEM_NEW with a guest-chosen iova and blob_id plus their blob, uploads
 * are GEM_UPLOAD, submissions GEM_SUBMIT with a guest-assigned fence on the
 * queue's ring (priority + 1) and an out-fence; parameters come from the
 * capset, and the per-frame queries (GET_PARAM through IOCTL_SIMPLE,
 * SUBMITQUEUE_QUERY) are answered in response slots read later.
 */

#include <stdlib.h>
#include <string.h>

#include <msm_drm.h>

#include "common.h"
#include "driver.h"
#include "msm_codec.h"

#ifndef MSM_SUBMITQUEUE_PARAM_FAULTS
#define MSM_SUBMITQUEUE_PARAM_FAULTS 0   /* newer msm_drm.h than libdrm's */
#endif

#define PAGE 4096ull
#define UPLOAD_CHUNK 4096u   /* GEM_UPLOAD payloads per request, well inside the request buffer */

struct msm_bo {
   struct vg_bo base;
};

struct vg_driver {
   struct vg_device *dev;
   uint32_t queue_id;
   uint32_t prio;
   uint32_t fence;        /* the last fence number assigned */
   uint64_t va_next;      /* bump allocator over the capset's range */
   uint64_t va_end;
};
VG_DRIVER_DEVICE_FIRST;

/* IOCTL_SIMPLE of ioctl cmd with arg (its size is the ioctl's); the answer lands in *rsp. */
static int
ioctl_simple(struct vg_driver *drv, uint32_t cmd, const void *arg, struct vg_rsp *rsp, const char *name)
{
   struct msm_ccmd_ioctl_simple_req req = { .cmd = cmd };
   uint64_t size = msm_ccmd_ioctl_simple_req_size(cmd);
   uint64_t rsp_size;
   size_t len;
   void *buf;
   int st;

   rsp_size = msm_ccmd_ioctl_simple_rsp_host_size(&req);
   if (vg_req_begin(drv->dev, &req.hdr, (uint32_t)rsp_size, rsp, name))
      return -1;
   if (!(buf = vg_req_space(drv->dev, size)))
      return -1;
   if ((st = msm_ccmd_ioctl_simple_req_encode(buf, size, &req, arg, &len)))
      return vg_encode_failed(drv->dev, name, st);
   return vg_req_push(drv->dev, len, name);
}

/*
 * Reads an IOCTL_SIMPLE answer: ret must be 0 and the payload hold at least
 * need bytes; out_size bytes of it go to out, zero-extended (an older
 * kernel's shorter argument).
 */
static int
ioctl_simple_answer(struct vg_driver *drv, const struct vg_rsp *rsp, void *out, size_t out_size, size_t need)
{
   uint8_t buf[256];
   struct msm_ccmd_ioctl_simple_rsp r;
   struct msm_ccmd_ioctl_simple_rsp_view view;
   struct vdrm_error err;
   size_t len;

   if (vg_rsp_read(drv->dev, rsp, buf, sizeof(buf), &len))
      return -1;
   if (msm_ccmd_ioctl_simple_rsp_decode(buf, len, &r, &view, &err))
      return vg_fail(drv->dev, rsp->command, "response: %s", err.message);
   if (r.ret)
      return vg_kernel_failed(drv->dev, rsp->command, r.ret);
   return vg_payload_copy(drv->dev, rsp->command, &view.payload, out, out_size, need);
}

static int
msm_create(struct vg_device *dev, struct vg_driver **out)
{
   const struct virgl_renderer_capset_drm *caps = vg_caps(dev);
   struct drm_msm_submitqueue q = { .flags = 0, .prio = 0 };
   struct vg_driver *drv;
   struct vg_rsp rsp;

   if (caps->u.msm.priorities < 1)
      return vg_fail(dev, "capset", "msm: no submitqueue priorities");
   if (caps->u.msm.va_size < PAGE || caps->u.msm.va_start % PAGE ||
       caps->u.msm.va_start > UINT64_MAX - caps->u.msm.va_size)
      return vg_fail(dev, "capset", "msm: GPU address range 0x%llx + 0x%llx is not usable",
                     (unsigned long long)caps->u.msm.va_start, (unsigned long long)caps->u.msm.va_size);
   if (!(drv = vg_driver_alloc(dev, sizeof(*drv), "msm")))
      return -1;
   drv->va_next = caps->u.msm.va_start;
   drv->va_end = caps->u.msm.va_start + caps->u.msm.va_size;
   /* The one synchronous step: the queue's id is needed by every submit. */
   q.prio = caps->u.msm.priorities > 1 ? 1 : 0;
   if (ioctl_simple(drv, DRM_IOCTL_MSM_SUBMITQUEUE_NEW, &q, &rsp, "IOCTL_SIMPLE(SUBMITQUEUE_NEW)") ||
       ioctl_simple_answer(drv, &rsp, &q, sizeof(q), sizeof(q))) {
      free(drv);
      return -1;
   }
   drv->queue_id = q.id;
   drv->prio = q.prio;
   *out = drv;
   return 0;
}

static void
msm_destroy(struct vg_driver *drv)
{
   struct vg_rsp rsp;

   if (!drv)
      return;
   /* Closed without waiting for the answer: nothing follows that needs it. */
   ioctl_simple(drv, DRM_IOCTL_MSM_SUBMITQUEUE_CLOSE, &drv->queue_id, &rsp, "IOCTL_SIMPLE(SUBMITQUEUE_CLOSE)");
   vg_driver_destroy(drv);
}

static struct vg_bo *
msm_bo_new(struct vg_driver *drv, uint64_t size)
{
   struct msm_ccmd_gem_new_req req;
   uint8_t buf[sizeof(req)];
   struct msm_bo *bo;
   size_t len;
   int st;

   if (vg_va_fit(drv->dev, drv->va_next, drv->va_end, &size, PAGE, "GEM_NEW") ||
       !(bo = vg_bo_alloc(drv->dev, sizeof(*bo), "GEM_NEW")))
      return NULL;
   bo->base.size = size;
   bo->base.iova = drv->va_next;
   drv->va_next += size;
   if (vg_req_begin(drv->dev, &req.hdr, 0, NULL, "GEM_NEW"))
      goto fail;
   req.iova = bo->base.iova;
   req.size = size;
   req.flags = MSM_BO_WC;
   req.blob_id = vg_blob_id_next(drv->dev);
   if ((st = msm_ccmd_gem_new_req_encode(buf, sizeof(buf), &req, &len))) {
      vg_encode_failed(drv->dev, "GEM_NEW", st);
      goto fail;
   }
   /* The GEM_NEW travels with the blob; neither waits for the host. */
   bo->base.blob = vg_blob_create(drv->dev, size, VG_BLOB_MAPPABLE, req.blob_id, buf, len, "GEM_NEW");
   if (!bo->base.blob)
      goto fail;
   return &bo->base;
fail:
   free(bo);
   return NULL;
}

static int
msm_bo_upload(struct vg_driver *drv, struct vg_bo *bo, uint64_t off, const void *data, uint32_t len)
{
   const uint8_t *p = data;

   if (off > bo->size || len > bo->size - off)
      return vg_fail(drv->dev, "GEM_UPLOAD", "%u bytes at %llu run past the %llu-byte buffer", len,
                     (unsigned long long)off, (unsigned long long)bo->size);
   if (!vg_bo_res_id(drv->dev, bo))
      return -1;
   while (len) {
      uint32_t n = len < UPLOAD_CHUNK ? len : UPLOAD_CHUNK;
      struct msm_ccmd_gem_upload_req req;
      uint64_t size = msm_ccmd_gem_upload_req_size(n);
      size_t out;
      void *buf;
      int st;

      if (vg_req_begin(drv->dev, &req.hdr, 0, NULL, "GEM_UPLOAD") ||
          !(buf = vg_req_space(drv->dev, size)))
         return -1;
      req.res_id = bo->id;
      req.pad = 0;
      req.off = (uint32_t)off;
      req.len = n;
      if ((st = msm_ccmd_gem_upload_req_encode(buf, size, &req, p, &out)))
         return vg_encode_failed(drv->dev, "GEM_UPLOAD", st);
      if (vg_req_push(drv->dev, out, "GEM_UPLOAD"))
         return -1;
      p += n;
      off += n;
      len -= n;
   }
   return 0;
}

static void
msm_bo_free(struct vg_driver *drv, struct vg_bo *bo)
{
   struct msm_ccmd_gem_set_iova_req req;
   size_t len;
   void *buf;

   if (!bo)
      return;
   /* As freedreno does: the iova is released before the buffer. */
   if (vg_bo_res_id(drv->dev, bo) && !vg_req_begin(drv->dev, &req.hdr, 0, NULL, "GEM_SET_IOVA") &&
       (buf = vg_req_space(drv->dev, sizeof(req)))) {
      req.iova = 0;
      req.res_id = bo->id;
      req.__pad = 0;
      if (msm_ccmd_gem_set_iova_req_encode(buf, sizeof(req), &req, &len) == VDRM_OK)
         vg_req_push(drv->dev, len, "GEM_SET_IOVA");
   }
   vg_bo_free(drv, bo);
}

/* Adreno PM4 type-7 packet header (parity bits as the CP checks them). */
static uint32_t
odd_parity(uint32_t v)
{
   return (0x9669u >> (0xfu & (v ^ (v >> 4) ^ (v >> 8) ^ (v >> 12) ^ (v >> 16) ^ (v >> 20) ^ (v >> 24) ^
                                (v >> 28)))) & 1u;
}

static uint32_t
pkt7(uint32_t opcode, uint32_t count)
{
   return 0x70000000u | count | (odd_parity(count) << 15) | ((opcode & 0x7fu) << 16) |
          (odd_parity(opcode) << 23);
}

static uint32_t
msm_emit_cmds(struct vg_driver *drv, void *map, uint32_t cap, uint32_t frame)
{
   const uint32_t cp_nop = 0x10;
   uint32_t words[4] = { pkt7(cp_nop, 3), 0x76646d67u /* "vdmg" */, frame, drv->fence + 1 };

   if (cap < sizeof(words))
      return 0;
   memcpy(map, words, sizeof(words));
   return sizeof(words);
}

static int
msm_submit(struct vg_driver *drv, struct vg_bo *cmd, uint32_t cmd_size, struct vg_bo *const *bos,
           uint32_t nbos, struct vg_fence *fence)
{
   struct drm_msm_gem_submit_bo sbos[16];
   struct vg_blob *blobs[16];
   struct drm_msm_gem_submit_cmd scmd = { .type = MSM_SUBMIT_CMD_BUF, .size = cmd_size };
   struct msm_ccmd_gem_submit_req req;
   uint8_t buf[sizeof(req) + sizeof(sbos) + sizeof(scmd)];
   uint32_t n = 0;
   size_t len;
   int st;

   if (nbos >= 16)
      return vg_fail(drv->dev, "GEM_SUBMIT", "%u buffers, at most 15 here", nbos);
   /* The command buffer is one of the submit's buffers; cmds name it by index. */
   for (uint32_t i = 0; i <= nbos; i++) {
      struct vg_bo *bo = i < nbos ? bos[i] : cmd;

      if (bo == cmd && i < nbos)
         continue;
      if (!vg_bo_res_id(drv->dev, bo))
         return -1;
      if (bo == cmd)
         scmd.submit_idx = n;
      sbos[n] = (struct drm_msm_gem_submit_bo){
         .flags = bo == cmd ? MSM_SUBMIT_BO_READ : MSM_SUBMIT_BO_READ | MSM_SUBMIT_BO_WRITE,
         .handle = bo->id,
         .presumed = bo->iova,
      };
      blobs[n++] = bo->blob;
   }
   if (vg_req_begin(drv->dev, &req.hdr, 0, NULL, "GEM_SUBMIT"))
      return -1;
   req.flags = MSM_PIPE_3D0;
   req.queue_id = drv->queue_id;
   req.nr_bos = n;
   req.nr_cmds = 1;
   req.fence = ++drv->fence;
   if ((st = msm_ccmd_gem_submit_req_encode(buf, sizeof(buf), &req, sbos, &scmd, &len)))
      return vg_encode_failed(drv->dev, "GEM_SUBMIT", st);
   return vg_execbuf(drv->dev, &(struct vg_execbuf){
                        .ccmd = buf,
                        .len = len,
                        .command = "GEM_SUBMIT",
                        .ring_idx = drv->prio + 1,   /* ring 0 is the CPU's */
                        .blobs = blobs,
                        .num_blobs = n,
                     }, fence);
}

/* The queries a frame repeats, each checked against what the capset said. */
enum { Q_GPU_ID, Q_CHIP_ID, Q_FAULTS, Q_COUNT };

static int
msm_query_begin(struct vg_driver *drv, uint32_t index, struct vg_query *q)
{
   struct msm_ccmd_submitqueue_query_req req;
   struct msm_ioctl_param p = { .pipe = MSM_PIPE_3D0 };
   size_t len;
   void *buf;
   int st;

   q->index = index;
   switch (index) {
   case Q_GPU_ID:
   case Q_CHIP_ID:
      p.param = index == Q_GPU_ID ? MSM_PARAM_GPU_ID : MSM_PARAM_CHIP_ID;
      q->name = index == Q_GPU_ID ? "IOCTL_SIMPLE(GET_PARAM GPU_ID)" : "IOCTL_SIMPLE(GET_PARAM CHIP_ID)";
      return ioctl_simple(drv, DRM_IOCTL_MSM_GET_PARAM, &p, &q->rsp, q->name);
   case Q_FAULTS:
      q->name = "SUBMITQUEUE_QUERY(FAULTS)";
      if (vg_req_begin(drv->dev, &req.hdr, (uint32_t)msm_ccmd_submitqueue_query_rsp_size(4), &q->rsp,
                       q->name) ||
          !(buf = vg_req_space(drv->dev, sizeof(req))))
         return -1;
      req.queue_id = drv->queue_id;
      req.param = MSM_SUBMITQUEUE_PARAM_FAULTS;
      req.len = 4;
      if ((st = msm_ccmd_submitqueue_query_req_encode(buf, sizeof(req), &req, &len)))
         return vg_encode_failed(drv->dev, q->name, st);
      return vg_req_push(drv->dev, len, q->name);
   default:
      return vg_fail(drv->dev, "query", "msm has no query %u", index);
   }
}

static int
msm_query_end(struct vg_driver *drv, struct vg_query *q)
{
   const struct virgl_renderer_capset_drm *caps = vg_caps(drv->dev);
   struct msm_ccmd_submitqueue_query_rsp r;
   struct msm_ccmd_submitqueue_query_rsp_view view;
   struct msm_submitqueue_query_faults faults;
   struct msm_ioctl_param p;
   struct vdrm_error err;
   uint8_t buf[64];
   uint64_t expected;
   size_t len;

   switch (q->index) {
   case Q_GPU_ID:
   case Q_CHIP_ID:
      if (ioctl_simple_answer(drv, &q->rsp, &p, sizeof(p), offsetof(struct msm_ioctl_param, value) + sizeof(p.value)))
         return -1;
      q->value = p.value;
      expected = q->index == Q_GPU_ID ? caps->u.msm.gpu_id : caps->u.msm.chip_id;
      if (q->value != expected)
         return vg_fail(drv->dev, q->name, "answered 0x%llx, the capset says 0x%llx",
                        (unsigned long long)q->value, (unsigned long long)expected);
      return 0;
   case Q_FAULTS:
      if (vg_rsp_read(drv->dev, &q->rsp, buf, sizeof(buf), &len))
         return -1;
      if (msm_ccmd_submitqueue_query_rsp_decode(buf, len, &r, &view, &err))
         return vg_fail(drv->dev, q->name, "response: %s", err.message);
      if (r.ret || r.out_len != 4)
         return vg_fail(drv->dev, q->name, "ret %d, out_len %u", r.ret, r.out_len);
      msm_ccmd_submitqueue_query_rsp_payload_get_msm_submitqueue_query_faults(&view, &faults);
      q->value = faults.faults;
      if (q->value)
         return vg_fail(drv->dev, q->name, "the queue has %llu faults", (unsigned long long)q->value);
      return 0;
   default:
      return vg_fail(drv->dev, "query", "msm has no query %u", q->index);
   }
}

const struct vg_driver_ops vg_msm_driver = {
   .name = "msm",
   .options = {
      .context_type = VIRTGPU_DRM_CONTEXT_MSM,
      .shmem_min = offsetof(struct msm_shmem, async_error) + sizeof(uint32_t),
      .async_error_offset = offsetof(struct msm_shmem, async_error),
   },
   .create = msm_create,
   .destroy = msm_destroy,
   .bo_new = msm_bo_new,
   .bo_map = vg_bo_map,
   .bo_upload = msm_bo_upload,
   .bo_free = msm_bo_free,
   .emit_cmds = msm_emit_cmds,
   .submit = msm_submit,
   .wait = vg_driver_wait,
   .nqueries = Q_COUNT,
   .query_begin = msm_query_begin,
   .query_end = msm_query_end,
};
