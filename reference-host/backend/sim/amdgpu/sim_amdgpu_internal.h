/* SPDX-License-Identifier: MIT */

/* The sim amdgpu device's state; see sim_amdgpu.h for what it models. */

#ifndef VDRM_SIM_AMDGPU_INTERNAL_H_
#define VDRM_SIM_AMDGPU_INTERNAL_H_

#include <stdbool.h>
#include <stdint.h>

#include "idmap.h"
#include "sim_amdgpu.h"
#include "sim_internal.h"

struct sa_device;
struct sa_file;
struct sa_ctx;

/* A GEM object: the generic memfd object plus what amdgpu keeps of it. */
struct sa_bo {
   struct sim_gem gem;          /* first: sim_gem_alloc() allocates the whole */
   uint64_t alignment;
   uint64_t domains;
   uint64_t create_flags;
   uint64_t charged_vram;       /* bytes charged to the heaps, given back at free */
   uint64_t charged_vis;
   uint64_t charged_gtt;
   struct kamdgpu_gem_metadata md;
};

/* One GPU VA mapping of a file (bo NULL: a PRT range). */
struct sa_mapping {
   uint64_t start;
   uint64_t end;                /* exclusive */
   uint64_t offset;
   uint32_t flags;
   uint32_t handle;
   struct sa_bo *bo;            /* referenced while mapped */
};

/* (IP type, ring) of a context: its sequence numbers and the jobs not retired. */
struct sa_entity {
   uint64_t next_seq;           /* the kernel starts at 1 */
   struct vh_idmap pending;     /* low 32 bits of seq -> struct sa_job */
};

struct sa_ctx {
   uint32_t id;
   int32_t priority;
   uint32_t stable_pstate;
   bool reset;                  /* a job of it faulted */
   struct sa_file *file;
   struct sa_entity *entities[KAMDGPU_HW_IP_NUM][KAMDGPU_RING_MAX];
};

/* A submission and its completion fence. */
struct sa_job {
   struct vdrm_backend_fence base;
   uint32_t refcount;           /* the device's list while pending, every fence reference */
   struct sa_device *dev;
   struct sa_ctx *ctx;          /* NULL once the context is gone */
   uint32_t ip, ring;
   uint64_t seq;
   uint64_t retire_at;
   bool retired;
   bool faults;
   uint64_t fault_addr;
   uint32_t nr_bos;
   struct sa_bo **bos;          /* referenced while pending */
   struct sa_bo *fence_bo;      /* referenced while pending */
   uint32_t fence_offset;
   struct sa_job *prev, *next;  /* on the device's pending list */
};

struct sa_file {
   struct sim_file base;        /* first: the generic handles and GEM functions */
   struct sa_mapping *maps;     /* sorted by start, disjoint */
   uint32_t nmaps, capmaps;
   struct vh_idmap ctxs;        /* id -> struct sa_ctx */
   uint32_t next_ctx;
   bool vmid_reserved;
};

struct sa_device {
   struct sim_device base;      /* first: the clock and generic stats */
   struct vdrm_sim_amdgpu_config config;
   struct vdrm_sim_amdgpu_profile profile;
   uint64_t ring_busy_until[KAMDGPU_HW_IP_NUM][KAMDGPU_RING_MAX];
   struct sa_job *jobs;         /* pending, any order */
   struct sa_ctx *pstate_owner;
   struct vdrm_sim_amdgpu_stats stats;
   struct drm_amdgpu_info_gpuvm_fault last_fault;
};

static inline struct sa_device *
sa_dev(struct vdrm_backend *dev)
{
   return (struct sa_device *)dev;
}

static inline struct sa_file *
sa_file(struct vdrm_backend_file *f)
{
   return (struct sa_file *)f;
}

static inline struct sa_device *
sa_file_dev(struct sa_file *f)
{
   return (struct sa_device *)f->base.dev;
}

/* sim_amdgpu_device.c */
int sa_info(struct vdrm_backend_file *f, const struct drm_amdgpu_info *q, void *out);

/* sim_amdgpu_gem.c */
struct sa_bo *sa_bo_lookup(struct sa_file *f, uint32_t handle);
/* References a pending job holds (the last one gives the memory back to its heap). */
void sa_bo_ref_job(struct sa_bo *bo);
void sa_bo_unref_job(struct sa_bo *bo);
int sa_gem_create(struct vdrm_backend_file *f, const struct kamdgpu_gem_create_in *in, uint32_t *handle);
int sa_gem_close(struct vdrm_backend_file *f, uint32_t handle);
int sa_gem_export(struct vdrm_backend_file *f, uint32_t handle, int *fd);
int sa_gem_metadata(struct vdrm_backend_file *f, uint32_t handle, uint32_t op, struct kamdgpu_gem_metadata *md);
int sa_gem_op(struct vdrm_backend_file *f, uint32_t handle, uint32_t op, struct kamdgpu_gem_create_in *info);
int sa_gem_va(struct vdrm_backend_file *f, const struct kamdgpu_gem_va *va);
/* True if [va, va + size) lies inside mappings of buffers. */
bool sa_va_backed(struct sa_file *f, uint64_t va, uint64_t size);
void sa_file_close_gems(struct sa_file *f);

/* sim_amdgpu_cs.c */
int sa_ctx_ioctl(struct vdrm_backend_file *f, struct kamdgpu_ctx *args);
int sa_vm(struct vdrm_backend_file *f, uint32_t op, uint32_t flags);
int sa_cs(struct vdrm_backend_file *f, const struct vdrm_backend_amdgpu_cs *cs, uint64_t *seq,
          struct vdrm_backend_fence **fence);
int sa_wait_cs(struct vdrm_backend_file *f, uint32_t ctx_id, uint32_t ip_type, uint32_t ip_instance,
               uint32_t ring, uint64_t seq, int64_t timeout_ns, uint32_t *busy);
void sa_retire(struct sa_device *dev);
void sa_retire_all(struct sa_device *dev);
void sa_file_close_ctxs(struct sa_file *f);
void sa_fence_ref(struct vdrm_backend_fence *fence);
void sa_fence_unref(struct vdrm_backend_fence *fence);
int sa_fence_signaled(struct vdrm_backend_fence *fence);
int sa_fence_wait(struct vdrm_backend_fence *fence, int64_t timeout_ns);

#endif /* VDRM_SIM_AMDGPU_INTERNAL_H_ */
