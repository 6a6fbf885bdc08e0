/* SPDX-License-Identifier: MIT */

/*
 * panfrost over libvdrm-guest. Mesa has no guest for this context, so it
 * follows the spec (spec/panfrost.xml): the GPU is described by GET_PARAM
 * alone (the capset has no panfrost member), read once in one batch;
 * buffers are CREATE_BO travelling with a blob of exactly its size, their
 * GPU addresses (which the host kernel assigns) read with GET_BO_OFFSET
 * the first time a submission needs them; uploads are CPU writes through
 * the blob's mapping (there is no upload command); submissions are SUBMIT
 * of a job chain on ring 0, the context's one fence timeline. The context
 * has no async_error: a refused SUBMIT or CREATE_BO is silent.
 */

#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "panfrost_codec.h"

/* DRM_PANFROST_PARAM_* (kernel UAPI; libdrm ships no panfrost_drm.h). */
enum {
   PARAM_GPU_PROD_ID = 0,
   PARAM_GPU_REVISION = 1,
   PARAM_SHADER_PRESENT = 2,
   PARAM_JS_PRESENT = 7,
};

#define PAGE 4096ull
#define MAX_BOS 16u
#define JOB_TYPE_NULL 1u   /* MALI_JOB_TYPE_NULL: a job that does nothing and completes */

struct vg_driver {
   struct vg_device *dev;
   uint64_t prod_id;        /* GET_PARAM answers at start-up, re-checked every frame */
   uint64_t revision;
   uint64_t shader_present;
};
VG_DRIVER_DEVICE_FIRST;

static int
get_param(struct vg_driver *drv, uint32_t param, struct vg_rsp *rsp, const char *name)
{
   struct panfrost_ccmd_get_param_req req = { .pad = 0, .param = param };
   size_t len;
   void *buf;
   int st;

   if (vg_req_begin(drv->dev, &req.hdr, (uint32_t)panfrost_ccmd_get_param_rsp_size(), rsp, name) ||
       !(buf = vg_req_space(drv->dev, sizeof(req))))
      return -1;
   if ((st = panfrost_ccmd_get_param_req_encode(buf, sizeof(req), &req, &len)))
      return vg_encode_failed(drv->dev, name, st);
   return vg_req_push(drv->dev, len, name);
}

/* ret is drmIoctl()'s 0 or -1: the errno does not travel. */
static int
get_param_answer(struct vg_driver *drv, const struct vg_rsp *rsp, uint64_t *value)
{
   struct panfrost_ccmd_get_param_rsp r;
   struct vdrm_error err;
   uint8_t buf[sizeof(r)];
   size_t len;

   if (vg_rsp_read(drv->dev, rsp, buf, sizeof(buf), &len))
      return -1;
   if (panfrost_ccmd_get_param_rsp_decode(buf, len, &r, &err))
      return vg_fail(drv->dev, rsp->command, "response: %s", err.message);
   if (r.ret)
      return vg_kernel_failed(drv->dev, rsp->command, r.ret);
   *value = r.value;
   return 0;
}

static int
pan_create(struct vg_device *dev, struct vg_driver **out)
{
   struct vg_rsp prod, rev, shaders, js;
   uint64_t js_present;
   struct vg_driver *drv;

   if (!(drv = vg_driver_alloc(dev, sizeof(*drv), "panfrost")))
      return -1;
   /* What the driver needs to know of the GPU, asked in one batch: one round trip. */
   if (get_param(drv, PARAM_GPU_PROD_ID, &prod, "GET_PARAM(GPU_PROD_ID)") ||
       get_param(drv, PARAM_GPU_REVISION, &rev, "GET_PARAM(GPU_REVISION)") ||
       get_param(drv, PARAM_SHADER_PRESENT, &shaders, "GET_PARAM(SHADER_PRESENT)") ||
       get_param(drv, PARAM_JS_PRESENT, &js, "GET_PARAM(JS_PRESENT)") ||
       get_param_answer(drv, &prod, &drv->prod_id) || get_param_answer(drv, &rev, &drv->revision) ||
       get_param_answer(drv, &shaders, &drv->shader_present) || get_param_answer(drv, &js, &js_present))
      goto fail;
   /* Job slot 1 runs the vertex/compute chains submitted here. */
   if (!drv->prod_id || !drv->shader_present || !(js_present & 2u)) {
      vg_fail(dev, "GET_PARAM", "GPU 0x%llx with shader cores 0x%llx and job slots 0x%llx is not usable",
              (unsigned long long)drv->prod_id, (unsigned long long)drv->shader_present,
              (unsigned long long)js_present);
      goto fail;
   }
   *out = drv;
   return 0;
fail:
   free(drv);
   return -1;
}

static struct vg_bo *
pan_bo_new(struct vg_driver *drv, uint64_t size)
{
   struct panfrost_ccmd_create_bo_req req;
   uint8_t buf[sizeof(req)];
   struct vg_bo *bo;
   size_t len;
   int st;

   size = (size + PAGE - 1) & ~(PAGE - 1);
   if (!size || size > UINT32_MAX) {
      vg_fail(drv->dev, "CREATE_BO", "a %llu-byte buffer does not fit its 32-bit size", (unsigned long long)size);
      return NULL;
   }
   if (!(bo = vg_bo_alloc(drv->dev, sizeof(*bo), "CREATE_BO")))
      return NULL;
   if (vg_req_begin(drv->dev, &req.hdr, 0, NULL, "CREATE_BO"))
      goto fail;
   req.pad = 0;
   req.size = (uint32_t)size;
   req.blob_id = vg_blob_id_next(drv->dev);
   req.flags = 0;   /* executable: the command buffer holds job descriptors */
   if ((st = panfrost_ccmd_create_bo_req_encode(buf, sizeof(buf), &req, &len))) {
      vg_encode_failed(drv->dev, "CREATE_BO", st);
      goto fail;
   }
   /* The CREATE_BO travels with the blob, whose size must be the same; neither waits. */
   bo->blob = vg_blob_create(drv->dev, size, VG_BLOB_MAPPABLE, req.blob_id, buf, len, "CREATE_BO");
   if (!bo->blob)
      goto fail;
   bo->size = size;
   return bo;
fail:
   free(bo);
   return NULL;
}

static int
get_bo_offset(struct vg_driver *drv, struct vg_bo *bo, struct vg_rsp *rsp)
{
   struct panfrost_ccmd_get_bo_offset_req req = { .pad = 0 };
   size_t len;
   void *buf;
   int st;

   if (!vg_bo_res_id(drv->dev, bo) ||
       vg_req_begin(drv->dev, &req.hdr, (uint32_t)panfrost_ccmd_get_bo_offset_rsp_size(), rsp, "GET_BO_OFFSET") ||
       !(buf = vg_req_space(drv->dev, sizeof(req))))
      return -1;
   req.res_id = bo->id;
   if ((st = panfrost_ccmd_get_bo_offset_req_encode(buf, sizeof(req), &req, &len)))
      return vg_encode_failed(drv->dev, "GET_BO_OFFSET", st);
   return vg_req_push(drv->dev, len, "GET_BO_OFFSET");
}

static int
get_bo_offset_answer(struct vg_driver *drv, struct vg_bo *bo, const struct vg_rsp *rsp)
{
   struct panfrost_ccmd_get_bo_offset_rsp r;
   struct vdrm_error err;
   uint8_t buf[sizeof(r)];
   size_t len;

   if (vg_rsp_read(drv->dev, rsp, buf, sizeof(buf), &len))
      return -1;
   if (panfrost_ccmd_get_bo_offset_rsp_decode(buf, len, &r, &err))
      return vg_fail(drv->dev, rsp->command, "response: %s", err.message);
   if (r.ret || !r.offset || r.offset % PAGE)
      return vg_fail(drv->dev, rsp->command, "res_id %u: ret %d, GPU address 0x%llx", bo->id, r.ret,
                     (unsigned long long)r.offset);
   bo->iova = r.offset;
   return 0;
}

/* The GPU addresses the host kernel gave the buffers, asked together the first time they are needed. */
static int
resolve_addresses(struct vg_driver *drv, struct vg_bo *const *bos, uint32_t n)
{
   struct vg_rsp rsps[MAX_BOS];

   for (uint32_t i = 0; i < n; i++) {
      if (!bos[i]->iova && get_bo_offset(drv, bos[i], &rsps[i]))
         return -1;
   }
   for (uint32_t i = 0; i < n; i++) {
      if (!bos[i]->iova && get_bo_offset_answer(drv, bos[i], &rsps[i]))
         return -1;
   }
   return 0;
}

/*
 * One NULL job (64-bit descriptor, job index 1, no dependencies, no next
 * job): the smallest chain the job manager runs and completes. A marker
 * follows the 32-byte header.
 */
static uint32_t
pan_emit_cmds(struct vg_driver *drv, void *map, uint32_t cap, uint32_t frame)
{
   uint32_t words[10] = {
      0, 0,                             /* exception status, first incomplete task */
      0, 0,                             /* fault pointer */
      1u | JOB_TYPE_NULL << 1 | 1u << 16, /* 64-bit descriptor, job type, job index 1 */
      0,                                /* dependencies */
      0, 0,                             /* next job: none */
      0x76646d67u /* "vdmg" */, frame,
   };

   (void)drv;
   if (cap < sizeof(words))
      return 0;
   memcpy(map, words, sizeof(words));
   return sizeof(words);
}

static int
pan_submit(struct vg_driver *drv, struct vg_bo *cmd, uint32_t cmd_size, struct vg_bo *const *bos,
           uint32_t nbos, struct vg_fence *fence)
{
   struct vg_bo *all[MAX_BOS];
   struct vg_blob *blobs[MAX_BOS];
   uint32_t res_ids[MAX_BOS];
   struct panfrost_ccmd_submit_req req;
   uint8_t buf[sizeof(req) + sizeof(res_ids)];
   uint32_t n = 0;
   size_t len;
   int st;

   (void)cmd_size;   /* the chain's jobs say where it ends */
   if (nbos >= MAX_BOS)
      return vg_fail(drv->dev, "SUBMIT", "%u buffers, at most %u here", nbos, MAX_BOS - 1);
   /* The job chain's buffer is one of the submission's, listed first. */
   all[n++] = cmd;
   for (uint32_t i = 0; i < nbos; i++) {
      if (bos[i] != cmd)
         all[n++] = bos[i];
   }
   if (resolve_addresses(drv, all, n))
      return -1;
   for (uint32_t i = 0; i < n; i++) {
      res_ids[i] = all[i]->id;
      blobs[i] = all[i]->blob;
   }
   if (vg_req_begin(drv->dev, &req.hdr, 0, NULL, "SUBMIT"))
      return -1;
   req.jc = cmd->iova;
   req.requirements = 0;   /* a vertex/compute chain (job slot 1) */
   req.res_id_count = n;
   if ((st = panfrost_ccmd_submit_req_encode(buf, sizeof(buf), &req, res_ids, &len)))
      return vg_encode_failed(drv->dev, "SUBMIT", st);
   return vg_execbuf(drv->dev, &(struct vg_execbuf){
                        .ccmd = buf,
                        .len = len,
                        .command = "SUBMIT",
                        .ring_idx = 0,   /* the context's one timeline */
                        .blobs = blobs,
                        .num_blobs = n,
                     }, fence);
}

/* The parameters a frame re-reads, each checked against the start-up answer. */
enum { Q_PROD_ID, Q_REVISION, Q_SHADER_PRESENT, Q_COUNT };

static const struct {
   uint32_t param;
   const char *name;
} queries[Q_COUNT] = {
   [Q_PROD_ID] = { PARAM_GPU_PROD_ID, "GET_PARAM(GPU_PROD_ID)" },
   [Q_REVISION] = { PARAM_GPU_REVISION, "GET_PARAM(GPU_REVISION)" },
   [Q_SHADER_PRESENT] = { PARAM_SHADER_PRESENT, "GET_PARAM(SHADER_PRESENT)" },
};

static int
pan_query_begin(struct vg_driver *drv, uint32_t index, struct vg_query *q)
{
   if (index >= Q_COUNT)
      return vg_fail(drv->dev, "query", "panfrost has no query %u", index);
   q->index = index;
   q->name = queries[index].name;
   return get_param(drv, queries[index].param, &q->rsp, q->name);
}

static int
pan_query_end(struct vg_driver *drv, struct vg_query *q)
{
   const uint64_t expected[Q_COUNT] = { drv->prod_id, drv->revision, drv->shader_present };

   if (q->index >= Q_COUNT)
      return vg_fail(drv->dev, "query", "panfrost has no query %u", q->index);
   if (get_param_answer(drv, &q->rsp, &q->value))
      return -1;
   if (q->value != expected[q->index])
      return vg_fail(drv->dev, q->name, "answered 0x%llx, 0x%llx at start-up", (unsigned long long)q->value,
                     (unsigned long long)expected[q->index]);
   return 0;
}

const struct vg_driver_ops vg_panfrost_driver = {
   .name = "panfrost",
   .options = {
      .context_type = VIRTGPU_DRM_CONTEXT_PANFROST,
      .shmem_min = sizeof(struct vdrm_shmem),
      .async_error_offset = 0,   /* the context has none */
   },
   .create = pan_create,
   .destroy = vg_driver_destroy,       /* nothing to release on the host */
   .bo_new = pan_bo_new,
   .bo_map = vg_bo_map,
   .bo_upload = vg_bo_upload_mapped,   /* no upload command in this protocol */
   .bo_free = vg_bo_free,              /* the kernel keeps the buffer while a job uses it */
   .emit_cmds = pan_emit_cmds,
   .submit = pan_submit,
   .wait = vg_driver_wait,
   .nqueries = Q_COUNT,
   .query_begin = pan_query_begin,
   .query_end = pan_query_end,
};
