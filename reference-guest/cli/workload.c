/* SPDX-License-Identifier: MIT */

#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "workload.h"

#define IN_FLIGHT 2u              /* frames submitted and not yet waited for */
#define DATA_SIZE 65536u          /* each data buffer */
#define CMD_SIZE 4096u
#define UPLOAD_BYTES 6144u        /* per frame: more than one upload ccmd */
#define CPU_BYTES 4096u
#define CACHE_SIZE 16u
#define MAX_QUERIES 8u
#define FENCE_TIMEOUT_MS 10000

enum { BO_CMD, BO_UPLOAD, BO_CPU, BO_COUNT };

static const uint64_t bo_sizes[BO_COUNT] = { CMD_SIZE, DATA_SIZE, DATA_SIZE };

/* Idle buffers by size, as a driver's bucket cache keeps them. */
struct bo_cache {
   struct vg_bo *bos[CACHE_SIZE];
   uint32_t count;
};

struct frame {
   bool busy;
   uint32_t number;
   struct vg_bo *bos[BO_COUNT];
   struct vg_fence fence;
   struct vg_query queries[MAX_QUERIES];
   uint32_t nqueries;
};

struct workload {
   const struct vg_driver_ops *ops;
   struct vg_device *dev;
   struct vg_driver *drv;
   struct bo_cache cache;
   struct frame frames[IN_FLIGHT];
   struct vg_workload_result *res;
};

static struct vg_bo *
cache_get(struct workload *w, uint64_t size)
{
   uint32_t best = w->cache.count;

   /* The smallest idle buffer that is large enough. */
   for (uint32_t i = 0; i < w->cache.count; i++) {
      uint64_t s = w->cache.bos[i]->size;

      if (s >= size && (best == w->cache.count || s < w->cache.bos[best]->size))
         best = i;
   }
   if (best < w->cache.count) {
      struct vg_bo *bo = w->cache.bos[best];

      w->cache.bos[best] = w->cache.bos[--w->cache.count];
      return bo;
   }
   w->res->buffers_created++;
   return w->ops->bo_new(w->drv, size);
}

static void
cache_put(struct workload *w, struct vg_bo *bo)
{
   if (!bo)
      return;
   if (w->cache.count < CACHE_SIZE)
      w->cache.bos[w->cache.count++] = bo;
   else
      w->ops->bo_free(w->drv, bo);
}

/* The bytes frame n writes at i: distinct per frame, per buffer and per offset. */
static uint8_t
pattern(uint32_t n, uint32_t which, uint32_t i)
{
   return (uint8_t)(n * 31u + which * 101u + i * 7u + (i >> 8));
}

static void
fill(uint8_t *dst, uint32_t n, uint32_t which, uint32_t len)
{
   for (uint32_t i = 0; i < len; i++)
      dst[i] = pattern(n, which, i);
}

static uint32_t
data_offset(uint32_t n, uint32_t len)
{
   return (n * 4096u) % (DATA_SIZE - len + 1);
}

static int
check_bytes(struct workload *w, struct frame *f, uint32_t which, uint32_t len)
{
   const uint8_t *map = w->ops->bo_map(w->drv, f->bos[which]);
   uint32_t off = data_offset(f->number, len);

   if (!map)
      return -1;
   for (uint32_t i = 0; i < len; i++) {
      if (map[off + i] != pattern(f->number, which, i))
         return vg_fail(w->dev, which == BO_UPLOAD ? "GEM_UPLOAD" : "map",
                        "frame %u: byte %u of the %s buffer reads 0x%02x, 0x%02x written", f->number, off + i,
                        which == BO_UPLOAD ? "uploaded" : "CPU-written", map[off + i],
                        pattern(f->number, which, i));
   }
   w->res->bytes_checked += len;
   return 0;
}

/* Waits for a frame's fence, then checks what it left and returns its buffers to the cache. */
static int
retire(struct workload *w, struct frame *f)
{
   int ret;

   if (!f->busy)
      return 0;
   ret = w->ops->wait(w->drv, &f->fence, FENCE_TIMEOUT_MS);
   if (ret > 0)
      return vg_fail(w->dev, "fence", "frame %u: not signalled within %d ms", f->number, FENCE_TIMEOUT_MS);
   if (ret < 0)
      return -1;
   /* The host ran everything before the submission: its answers are in place. */
   if (check_bytes(w, f, BO_UPLOAD, UPLOAD_BYTES) || check_bytes(w, f, BO_CPU, CPU_BYTES))
      return -1;
   for (uint32_t i = 0; i < f->nqueries; i++) {
      if (w->ops->query_end(w->drv, &f->queries[i]))
         return -1;
      w->res->queries_checked++;
   }
   vg_fence_release(w->dev, &f->fence);
   for (uint32_t i = 0; i < BO_COUNT; i++) {
      cache_put(w, f->bos[i]);
      f->bos[i] = NULL;
   }
   f->busy = false;
   return 0;
}

/* A frame of queries alone: sent together, then each answer read and checked. */
static int
queries_frame(struct workload *w, struct frame *f, uint32_t n)
{
   f->number = n;
   f->nqueries = w->ops->nqueries < MAX_QUERIES ? w->ops->nqueries : MAX_QUERIES;
   for (uint32_t i = 0; i < f->nqueries; i++) {
      if (w->ops->query_begin(w->drv, i, &f->queries[i]))
         return -1;
   }
   for (uint32_t i = 0; i < f->nqueries; i++) {
      if (w->ops->query_end(w->drv, &f->queries[i]))
         return -1;
      w->res->queries_checked++;
   }
   return 0;
}

static int
frame(struct workload *w, struct frame *f, uint32_t n)
{
   uint8_t upload[UPLOAD_BYTES];
   uint8_t *map;
   uint32_t cmd_size;

   f->number = n;
   for (uint32_t i = 0; i < BO_COUNT; i++) {
      if (!(f->bos[i] = cache_get(w, bo_sizes[i])))
         return -1;
   }
   /* A CPU write through the mapping and an upload through the host. */
   if (!(map = w->ops->bo_map(w->drv, f->bos[BO_CPU])))
      return -1;
   fill(map + data_offset(n, CPU_BYTES), n, BO_CPU, CPU_BYTES);
   fill(upload, n, BO_UPLOAD, UPLOAD_BYTES);
   if (w->ops->bo_upload(w->drv, f->bos[BO_UPLOAD], data_offset(n, UPLOAD_BYTES), upload, UPLOAD_BYTES))
      return -1;
   f->nqueries = w->ops->nqueries < MAX_QUERIES ? w->ops->nqueries : MAX_QUERIES;
   for (uint32_t i = 0; i < f->nqueries; i++) {
      if (w->ops->query_begin(w->drv, i, &f->queries[i]))
         return -1;
   }
   if (!(map = w->ops->bo_map(w->drv, f->bos[BO_CMD])))
      return -1;
   cmd_size = w->ops->emit_cmds(w->drv, map, CMD_SIZE, n);
   if (!cmd_size)
      return vg_fail(w->dev, "emit", "frame %u: no command buffer", n);
   if (w->ops->submit(w->drv, f->bos[BO_CMD], cmd_size, &f->bos[BO_UPLOAD], BO_COUNT - 1, &f->fence))
      return -1;
   f->busy = true;
   return 0;
}

int
vg_workload_run(const struct vg_driver_ops *ops, struct vg_device *dev, struct vg_driver *drv,
                const struct vg_workload_config *config, struct vg_workload_result *res)
{
   uint32_t frames = config->frames;
   struct workload w = { .ops = ops, .dev = dev, .drv = drv, .res = res };
   const struct vg_stats *st = vg_stats(dev);
   uint64_t last_progress = vg_now_ms();
   int ret = 0;

   memset(res, 0, sizeof(*res));
   res->setup_round_trips = st->round_trips;
   for (uint32_t n = 0; n < frames && !ret; n++) {
      struct frame *f = &w.frames[n % IN_FLIGHT];
      struct vg_stats before = *st;
      uint64_t rt;

      if (config->queries_only)
         ret = queries_frame(&w, f, n);
      else
         ret = retire(&w, f) || frame(&w, f, n) ? -1 : 0;
      rt = st->round_trips - before.round_trips;
      if (n < VG_WARMUP_FRAMES) {
         res->warmup_round_trips += rt;
      } else {
         res->steady_round_trips += rt;
         if (rt > res->steady_max_round_trips)
            res->steady_max_round_trips = rt;
         res->steady_messages += st->messages - before.messages;
         res->steady_bytes += st->bytes - before.bytes;
         res->steady_ccmds += st->ccmds - before.ccmds;
      }
      if (!ret)
         res->frames_done = n + 1;
      if (config->progress && vg_now_ms() - last_progress >= 1000) {
         last_progress = vg_now_ms();
         config->progress(config->progress_data, n + 1, frames);
      }
   }
   for (uint32_t i = 0; i < IN_FLIGHT; i++) {
      struct frame *f = &w.frames[(frames + i) % IN_FLIGHT];

      if (!ret)
         ret = retire(&w, f);
      if (f->busy)
         vg_fence_release(dev, &f->fence);
      for (uint32_t b = 0; b < BO_COUNT; b++)
         cache_put(&w, f->bos[b]);
   }
   for (uint32_t i = 0; i < w.cache.count; i++)
      ops->bo_free(drv, w.cache.bos[i]);
   return ret || vg_error(dev) ? -1 : 0;
}
