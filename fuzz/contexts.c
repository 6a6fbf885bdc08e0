/* SPDX-License-Identifier: MIT */

#include "contexts.h"

#include <string.h>

#include "amdgpu_codec.h"
#include "amdgpu_kernel.h"
#include "asahi_codec.h"
#include "fuzz.h"
#include "i915_codec.h"
#include "msm_codec.h"
#include "msm_kernel.h"
#include "panfrost_codec.h"
#include "sim.h"
#include "amdgpu/sim_amdgpu.h"
#include "asahi/sim_asahi.h"
#include "sim_i915.h"
#include "panfrost/sim_panfrost.h"
#include "vdrm_contexts.h"
#include "vtest_codec.h"

/* GPU time of one submit: long enough that work is still pending when the next batch comes. */
#define SUBMIT_NS 1000u

static struct vdrm_ccmd_req
hdr(uint32_t seqno)
{
   return (struct vdrm_ccmd_req){ .seqno = seqno };
}

/* msm: an Adreno 740 (four rings, preemption), the richest profile. */
static int
msm_backend(struct vdrm_backend **dev)
{
   struct vdrm_sim_config c = { .profile = &vdrm_sim_profile_a740, .clock = VDRM_SIM_CLOCK_MANUAL,
                                .submit_ns = SUBMIT_NS };

   return vdrm_sim_create(&c, dev);
}

static int
msm_buffer(void *buf, size_t cap, uint32_t seqno, uint32_t blob_id, uint64_t size, size_t *len)
{
   struct msm_ccmd_gem_new_req req = { .hdr = hdr(seqno), .size = size, .flags = KMSM_BO_WC, .blob_id = blob_id };

   return msm_ccmd_gem_new_req_encode(buf, cap, &req, len);
}

/* SUBMITQUEUE_NEW (priority 0) through IOCTL_SIMPLE, the ioctl number as the guest kernel builds it. */
static int
msm_queue(void *buf, size_t cap, uint32_t seqno, size_t *len)
{
   const struct drm_msm_submitqueue q = { 0 };
   const uint32_t nr = (3u << 30) | ((uint32_t)sizeof(q) << 16) | ((uint32_t)'d' << 8) | 0x4au;
   struct msm_ccmd_ioctl_simple_req req = { .hdr = hdr(seqno), .cmd = nr };

   return msm_ccmd_ioctl_simple_req_encode(buf, cap, &req, &q, len);
}

static int
amdgpu_backend(struct vdrm_backend **dev)
{
   struct vdrm_sim_amdgpu_config c = { .clock = VDRM_SIM_CLOCK_MANUAL, .submit_ns = SUBMIT_NS };

   return vdrm_sim_amdgpu_create(&c, dev);
}

static int
amdgpu_buffer(void *buf, size_t cap, uint32_t seqno, uint32_t blob_id, uint64_t size, size_t *len)
{
   struct amdgpu_ccmd_gem_new_req req = {
      .hdr = hdr(seqno), .blob_id = blob_id,
      .r = { .alloc_size = size, .phys_alignment = 4096, .preferred_heap = KAMDGPU_GEM_DOMAIN_GTT },
   };

   return amdgpu_ccmd_gem_new_req_encode(buf, cap, &req, len);
}

static int
amdgpu_queue(void *buf, size_t cap, uint32_t seqno, size_t *len)
{
   struct amdgpu_ccmd_create_ctx_req req = { .hdr = hdr(seqno) };

   return amdgpu_ccmd_create_ctx_req_encode(buf, cap, &req, len);
}

static int
i915_backend(struct vdrm_backend **dev)
{
   struct vdrm_sim_i915_config c = { .clock = VDRM_SIM_CLOCK_MANUAL, .submit_ns = SUBMIT_NS };

   return vdrm_sim_i915_create(&c, dev);
}

static int
i915_buffer(void *buf, size_t cap, uint32_t seqno, uint32_t blob_id, uint64_t size, size_t *len)
{
   struct i915_ccmd_gem_create_req req = { .hdr = hdr(seqno), .size = size, .blob_id = blob_id };

   return i915_ccmd_gem_create_req_encode(buf, cap, &req, len);
}

static int
asahi_backend(struct vdrm_backend **dev)
{
   struct vdrm_sim_config c = { .clock = VDRM_SIM_CLOCK_MANUAL, .submit_ns = SUBMIT_NS };

   return vdrm_sim_asahi_create(&c, NULL, dev);
}

static int
asahi_buffer(void *buf, size_t cap, uint32_t seqno, uint32_t blob_id, uint64_t size, size_t *len)
{
   struct asahi_ccmd_gem_new_req req = { .hdr = hdr(seqno), .blob_id = blob_id, .size = size };

   return asahi_ccmd_gem_new_req_encode(buf, cap, &req, len);
}

static int
panfrost_backend(struct vdrm_backend **dev)
{
   struct vdrm_sim_panfrost_config c = { .clock = VDRM_SIM_CLOCK_MANUAL, .job_ns = SUBMIT_NS };

   return vdrm_sim_panfrost_create(&c, dev);
}

static int
panfrost_buffer(void *buf, size_t cap, uint32_t seqno, uint32_t blob_id, uint64_t size, size_t *len)
{
   struct panfrost_ccmd_create_bo_req req = { .hdr = hdr(seqno), .size = (uint32_t)size, .blob_id = blob_id };

   return panfrost_ccmd_create_bo_req_encode(buf, cap, &req, len);
}

#define TABLE(name) name##_ccmd_table, sizeof(name##_ccmd_table) / sizeof(name##_ccmd_table[0])

const struct fz_context fz_contexts[] = {
   { "msm", TABLE(msm), msm_backend, vdrm_sim_advance, msm_buffer, msm_queue, sizeof(struct msm_shmem) },
   { "amdgpu", TABLE(amdgpu), amdgpu_backend, vdrm_sim_amdgpu_advance, amdgpu_buffer, amdgpu_queue, sizeof(struct amdvgpu_shmem) },
   { "i915", TABLE(i915), i915_backend, vdrm_sim_advance, i915_buffer, NULL, sizeof(struct i915_shmem) },
   { "asahi", TABLE(asahi), asahi_backend, vdrm_sim_advance, asahi_buffer, NULL, sizeof(struct asahi_shmem) },
   { "panfrost", TABLE(panfrost), panfrost_backend, vdrm_sim_advance, panfrost_buffer, NULL, sizeof(struct vdrm_shmem) },
};
const uint32_t fz_ncontexts = sizeof(fz_contexts) / sizeof(fz_contexts[0]);

const struct fz_context *
fz_context(const char *name)
{
   for (uint32_t i = 0; i < fz_ncontexts; i++) {
      if (strcmp(fz_contexts[i].name, name) == 0)
         return &fz_contexts[i];
   }
   FZ_CHECK(0, "no context %s", name);
   return NULL;
}

const struct vdrm_ccmd_info *
fz_table(const char *name, uint32_t *count)
{
   if (strcmp(name, "vtest") == 0) {
      *count = VTEST_CCMD_COUNT;
      return vtest_ccmd_table;
   }
   const struct fz_context *c = fz_context(name);
   *count = c->count;
   return c->table;
}
