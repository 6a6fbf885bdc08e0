/* SPDX-License-Identifier: MIT */

/* The sim device: creation, its clock, open files, the operation table. */

#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim_internal.h"

static uint64_t
monotonic_ns(void)
{
   struct timespec ts;

   clock_gettime(CLOCK_MONOTONIC, &ts);
   return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t
sim_now(struct sim_device *dev)
{
   uint64_t t = dev->advanced;

   if (dev->config.clock == VDRM_SIM_CLOCK_MONOTONIC)
      t += monotonic_ns() - dev->clock_base;
   return t;
}

bool
sim_sleep_until(struct sim_device *dev, uint64_t t, int64_t timeout_ns)
{
   uint64_t now = sim_now(dev);
   uint64_t wait;
   struct timespec ts;

   if (now >= t)
      return true;
   if (dev->config.clock != VDRM_SIM_CLOCK_MONOTONIC || timeout_ns <= 0)
      return false;
   wait = t - now;
   if (wait > (uint64_t)timeout_ns)
      wait = (uint64_t)timeout_ns;
   ts.tv_sec = (time_t)(wait / 1000000000u);
   ts.tv_nsec = (long)(wait % 1000000000u);
   while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
      ;
   return sim_now(dev) >= t;
}

void
vdrm_sim_advance(struct vdrm_backend *dev, uint64_t ns)
{
   sim_dev(dev)->advanced += ns;
   sim_retire(sim_dev(dev));
}

uint64_t
vdrm_sim_now(struct vdrm_backend *dev)
{
   return sim_now(sim_dev(dev));
}

void
vdrm_sim_get_stats(struct vdrm_backend *dev, struct vdrm_sim_stats *stats)
{
   sim_retire(sim_dev(dev));
   *stats = sim_dev(dev)->stats;
}

const struct vdrm_sim_profile *
vdrm_sim_get_profile(struct vdrm_backend *dev)
{
   return &sim_dev(dev)->profile;
}

static int
sim_get_version(struct vdrm_backend *dev, struct vdrm_backend_version *v)
{
   *v = sim_dev(dev)->profile.version;
   return 0;
}

static int
sim_open(struct vdrm_backend *dev, struct vdrm_backend_file **out)
{
   struct sim_file *f = calloc(1, sizeof(*f));

   if (!f)
      return -ENOMEM;
   f->base.dev = dev;
   f->dev = sim_dev(dev);
   f->next_handle = 1;
   f->next_queue = 1;   /* the kernel's default queue 0 is not reachable through the protocol */
   f->dev->stats.files++;
   *out = &f->base;
   return 0;
}

static void
sim_close(struct vdrm_backend_file *file)
{
   struct sim_file *f = sim_file(file);

   if (!f)
      return;
   sim_retire(f->dev);
   sim_file_close_queues(f);
   sim_vm_fini(f);
   sim_file_close_gems(f);
   vh_idmap_fini(&f->handles);
   vh_idmap_fini(&f->queues);
   free(f->comm);
   free(f->cmdline);
   f->dev->stats.files--;
   free(f);
}

static void
sim_destroy(struct vdrm_backend *dev)
{
   struct sim_device *d = sim_dev(dev);

   /* Whatever is still running completes now: its objects and queues go with it. */
   sim_retire_all(d);
   free(d->timelines);
   free(d);
}

static const struct vdrm_backend_ops sim_ops = {
   .name = "sim",
   .context_type = VIRTGPU_DRM_CONTEXT_MSM,
   .destroy = sim_destroy,
   .get_version = sim_get_version,
   .open = sim_open,
   .close = sim_close,
   .gem_close = sim_gem_close,
   .gem_export = sim_gem_export,
   .gem_write = sim_gem_write,
   .fence_ref = sim_fence_ref,
   .fence_unref = sim_fence_unref,
   .fence_signaled = sim_fence_signaled,
   .fence_wait = sim_fence_wait,
   .msm = &sim_msm_ops,
};

const struct vdrm_backend_msm_ops sim_msm_ops = {
   .get_param = sim_get_param,
   .set_param = sim_set_param,
   .gem_new = sim_gem_new,
   .gem_set_iova = sim_vm_set_iova,
   .gem_set_name = sim_gem_set_name,
   .gem_cpu_prep = sim_gem_cpu_prep,
   .gem_submit = sim_gem_submit,
   .wait_fence = sim_wait_fence,
   .submitqueue_new = sim_submitqueue_new,
   .submitqueue_close = sim_submitqueue_close,
   .submitqueue_query = sim_submitqueue_query,
};

int
vdrm_sim_create(const struct vdrm_sim_config *config, struct vdrm_backend **out)
{
   struct sim_device *d = calloc(1, sizeof(*d));

   if (!d)
      return -ENOMEM;
   if (config)
      d->config = *config;
   d->profile = d->config.profile ? *d->config.profile : vdrm_sim_profile_a630;
   d->config.profile = &d->profile;
   if (d->profile.priorities == 0 || d->profile.priorities > 63) {
      free(d);
      return -EINVAL;
   }
   d->ntimelines = d->profile.priorities;
   d->timelines = calloc(d->ntimelines, sizeof(*d->timelines));
   if (!d->timelines) {
      free(d);
      return -ENOMEM;
   }
   d->base.ops = &sim_ops;
   d->clock_base = monotonic_ns();
   *out = &d->base;
   return 0;
}
