/* SPDX-License-Identifier: MIT */

/* The asahi sim's state, on the generic sim (sim_internal.h). */

#ifndef VDRM_SIM_ASAHI_INTERNAL_H_
#define VDRM_SIM_ASAHI_INTERNAL_H_

#include "sim_asahi.h"
#include "sim_internal.h"

struct sa_vm;

/* A GEM object: the generic one plus the VM a VM_PRIVATE object belongs to. */
struct sa_gem {
   struct sim_gem base;
   uint32_t private_vm;      /* 0 unless VM_PRIVATE */
};

struct sa_mapping {
   uint64_t start;
   uint64_t end;             /* exclusive */
   uint64_t offset;
   uint32_t flags;
   struct sim_gem *gem;      /* a reference */
};

struct sa_vm {
   uint32_t refcount;        /* its file's table, queues */
   uint32_t id;
   uint64_t kernel_start;
   uint64_t kernel_end;
   struct sa_mapping *maps;  /* sorted by start, disjoint */
   uint32_t count;
   uint32_t cap;
};

/* A queue: the generic one (timeline, pending submits) plus its VM. */
struct sa_queue {
   struct sim_queue base;
   struct sa_vm *vm;         /* a reference until QUEUE_DESTROY */
   uint64_t usc_exec_base;
   uint32_t next_seqno;
};

struct sa_object {
   struct sim_gem *gem;      /* a reference */
   uint64_t offset;
   uint64_t range;
   uint32_t flags;
};

struct sa_file {
   struct sim_file base;     /* handles -> struct sa_gem, queues -> struct sa_queue */
   struct vh_idmap vms;      /* id -> struct sa_vm */
   uint32_t next_vm;
   struct vh_idmap objects;  /* object_handle -> struct sa_object */
   uint32_t next_object;
   struct sa_file *prev, *next;
};

struct sa_device {
   struct sim_device base;   /* clock, KASAHI_PRIORITIES timelines, generic stats */
   struct vdrm_sim_asahi_profile profile;
   struct vdrm_sim_asahi_stats astats;
   struct sa_file *files;    /* newest first */
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

/* Next free id of a table counting up from 1 (0 when all are taken). */
uint32_t sa_alloc_id(struct vh_idmap *m, uint32_t *next);

/* sim_asahi_vm.c */
struct sa_vm *sa_vm_lookup(struct sa_file *f, uint32_t id);
void sa_vm_unref(struct sa_device *dev, struct sa_vm *vm);
int sa_vm_create(struct vdrm_backend_file *f, struct drm_asahi_vm_create *args);
int sa_vm_destroy(struct vdrm_backend_file *f, const struct drm_asahi_vm_destroy *args);
int sa_vm_bind(struct vdrm_backend_file *f, uint32_t vm_id, const struct drm_asahi_gem_bind_op *ops,
               uint32_t count);
void sa_file_close_vms(struct sa_file *f);

/* sim_asahi_queue.c */
int sa_queue_create(struct vdrm_backend_file *f, struct drm_asahi_queue_create *args);
int sa_queue_destroy(struct vdrm_backend_file *f, const struct drm_asahi_queue_destroy *args);
int sa_submit(struct vdrm_backend_file *f, const struct vdrm_backend_asahi_submit *submit,
              struct vdrm_backend_fence **fence);
void sa_file_close_queues(struct sa_file *f);

#endif /* VDRM_SIM_ASAHI_INTERNAL_H_ */
