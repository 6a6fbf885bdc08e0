/* SPDX-License-Identifier: MIT */

/* The sim backend's state; see sim.h for what it models. */

#ifndef VDRM_SIM_INTERNAL_H_
#define VDRM_SIM_INTERNAL_H_

#include <stdbool.h>
#include <stdint.h>

#include "idmap.h"
#include "msm_kernel.h"
#include "sim.h"

#define SIM_PAGE_SIZE 4096u
/* The scheduler priorities of one kernel ring (NR_SCHED_PRIORITIES). */
#define SIM_SCHED_PRIORITIES 3u

struct sim_device;
struct sim_file;

struct sim_gem {
   struct sim_device *dev;
   uint32_t refcount;        /* handles, pending submits */
   int memfd;
   uint64_t size;            /* page aligned */
   uint32_t flags;
   char name[KMSM_GEM_NAME_SIZE];
   /* GPU address in its file's address space. */
   struct sim_file *vm_file; /* NULL once that file is closed */
   uint64_t iova;
   bool mapped;              /* iova holds a reserved range */
   bool unmap_pending;       /* released while busy: freed when idle */
   uint32_t busy_read;       /* pending submits reading it */
   uint32_t busy_write;      /* pending submits writing it */
};

/* A reserved GPU address range. */
struct sim_mapping {
   uint64_t start;
   uint64_t end;             /* exclusive */
   struct sim_gem *gem;
};

struct sim_vm {
   struct sim_mapping *maps; /* sorted by start, disjoint */
   uint32_t count;
   uint32_t cap;
};

struct sim_queue {
   uint32_t refcount;        /* its file's table, pending submits */
   uint32_t id;
   uint32_t prio;
   uint32_t flags;
   uint32_t faults;
   uint32_t last_fence;
   bool has_fence;
   struct vh_idmap pending;  /* fence seqno -> struct sim_submit */
};

/* A submit and its completion fence. */
struct sim_submit {
   struct vdrm_backend_fence base;
   uint32_t refcount;        /* the timeline while pending, every fence reference */
   struct sim_queue *queue;  /* referenced while pending */
   uint32_t fence;
   uint64_t retire_at;
   bool retired;
   bool faulted;
   uint32_t nr_bos;
   struct sim_gem **bos;     /* referenced while pending */
   uint8_t *bo_write;        /* per bo: the submit writes it */
   struct sim_submit *next;  /* on its timeline */
};

/* Submits of one priority level, in the order they complete. */
struct sim_timeline {
   struct sim_submit *head;
   struct sim_submit *tail;
   uint64_t last_retire_at;
};

struct sim_file {
   struct vdrm_backend_file base;
   struct sim_device *dev;
   struct vh_idmap handles;  /* handle -> struct sim_gem */
   uint32_t next_handle;
   struct vh_idmap queues;   /* id -> struct sim_queue */
   uint32_t next_queue;
   struct sim_vm vm;
   char *comm;
   char *cmdline;
};

struct sim_device {
   struct vdrm_backend base;
   struct vdrm_sim_config config;
   struct vdrm_sim_profile profile;
   uint64_t clock_base;      /* CLOCK_MONOTONIC at creation */
   uint64_t advanced;        /* added by vdrm_sim_advance() */
   struct sim_timeline *timelines;   /* profile.priorities of them */
   uint32_t ntimelines;
   struct vdrm_sim_stats stats;
};

static inline struct sim_device *
sim_dev(struct vdrm_backend *dev)
{
   return (struct sim_device *)dev;
}

static inline struct sim_file *
sim_file(struct vdrm_backend_file *f)
{
   return (struct sim_file *)f;
}

/* sim_device.c */
uint64_t sim_now(struct sim_device *dev);
/* Sleeps until the clock reaches t or for at most timeout_ns; false when t is not reached. */
bool sim_sleep_until(struct sim_device *dev, uint64_t t, int64_t timeout_ns);

/* sim_gem.c */
struct sim_gem *sim_gem_lookup(struct sim_file *f, uint32_t handle);
void sim_gem_ref(struct sim_gem *gem);
void sim_gem_unref(struct sim_gem *gem);
void sim_gem_idle_check(struct sim_gem *gem);
void sim_file_close_gems(struct sim_file *f);
extern const struct vdrm_backend_msm_ops sim_msm_ops;
/* A new object of size bytes (page aligned) under a new handle; obj_size >= sizeof(struct sim_gem). */
int sim_gem_alloc(struct sim_file *f, uint64_t size, uint32_t flags, size_t obj_size, struct sim_gem **out,
                  uint32_t *handle);
int sim_gem_new(struct vdrm_backend_file *f, uint64_t size, uint32_t flags, uint32_t *handle);
int sim_gem_close(struct vdrm_backend_file *f, uint32_t handle);
int sim_gem_export(struct vdrm_backend_file *f, uint32_t handle, int *fd);
int sim_gem_write(struct vdrm_backend_file *f, uint32_t handle, uint64_t offset, const void *data,
                  size_t len);
int sim_gem_set_name(struct vdrm_backend_file *f, uint32_t handle, const char *name, uint32_t len);
int sim_gem_cpu_prep(struct vdrm_backend_file *f, uint32_t handle, uint32_t op, int64_t timeout_ns);

/* sim_vm.c */
int sim_vm_set_iova(struct vdrm_backend_file *f, uint32_t handle, uint64_t iova);
void sim_vm_release(struct sim_gem *gem);
void sim_vm_fini(struct sim_file *f);

/* sim_queue.c */
int sim_submitqueue_new(struct vdrm_backend_file *f, struct drm_msm_submitqueue *q);
int sim_submitqueue_close(struct vdrm_backend_file *f, uint32_t id);
int sim_submitqueue_query(struct vdrm_backend_file *f, uint32_t id, uint32_t param, void *data,
                          uint32_t *len);
int sim_gem_submit(struct vdrm_backend_file *f, const struct vdrm_backend_msm_submit *s,
                   struct vdrm_backend_fence **fence);
int sim_wait_fence(struct vdrm_backend_file *f, uint32_t queue_id, uint32_t fence, int64_t timeout_ns);
void sim_retire(struct sim_device *dev);
void sim_retire_all(struct sim_device *dev);
void sim_file_close_queues(struct sim_file *f);
void sim_fence_ref(struct vdrm_backend_fence *fence);
void sim_fence_unref(struct vdrm_backend_fence *fence);
int sim_fence_signaled(struct vdrm_backend_fence *fence);
int sim_fence_wait(struct vdrm_backend_fence *fence, int64_t timeout_ns);

/* sim_param.c */
int sim_get_param(struct vdrm_backend_file *f, struct msm_ioctl_param *p);
int sim_set_param(struct vdrm_backend_file *f, uint32_t param, const void *data, uint32_t len);

#endif /* VDRM_SIM_INTERNAL_H_ */
