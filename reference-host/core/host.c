/* SPDX-License-Identifier: MIT */

/* The in-process API (vdrm_host.h): host, clients, and their one context each. */

#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "context.h"
#include "limits.h"
#include "log.h"
#include "vdrm_host.h"

struct vdrm_host {
   struct vdrm_backend *backend;
   const struct vh_context_type *type;
   struct vdrm_host_config config;
   struct vh_log_sink sink;
   struct virgl_renderer_capset_drm capset;
   uint32_t contexts;
   uint32_t next_ctx_id;
   struct vdrm_host_client *clients;   /* every client, for destroy */
};

struct vdrm_host_client {
   struct vdrm_host *host;
   struct vh_context *ctx;
   struct vdrm_host_client *prev, *next;
};

static const struct vh_context_type *const context_types[] = {
   &vh_msm_context_type,
   &vh_i915_context_type,
   &vh_amdgpu_context_type,
   &vh_asahi_context_type,
   &vh_panfrost_context_type,
};

static int
fill_capset(struct vdrm_host *host)
{
   struct vdrm_backend_version v;
   struct vdrm_backend_file *f;
   int ret;

   memset(&host->capset, 0, sizeof(host->capset));
   if (host->backend->ops->get_version(host->backend, &v))
      return VDRM_HOST_E_BACKEND;
   host->capset.wire_format_version = host->type->wire_format_version;
   host->capset.version_major = v.major;
   host->capset.version_minor = v.minor;
   host->capset.version_patchlevel = v.patchlevel;
   host->capset.context_type = host->type->context_type;
   /* The capset comes from the device itself, through an open of it like a context's. */
   if (host->backend->ops->open(host->backend, &f))
      return VDRM_HOST_E_BACKEND;
   ret = host->type->fill_capset(f, &host->capset);
   host->backend->ops->close(f);
   return ret ? VDRM_HOST_E_BACKEND : VDRM_HOST_OK;
}

int
vdrm_host_create(struct vdrm_backend *backend, const struct vdrm_host_config *config,
                 struct vdrm_host **out)
{
   struct vdrm_host *host;
   int ret;

   if (!backend || !out)
      return VDRM_HOST_E_INVAL;
   host = calloc(1, sizeof(*host));
   if (!host)
      return VDRM_HOST_E_NOMEM;
   host->backend = backend;
   if (config)
      host->config = *config;
   else
      vdrm_host_config_init(&host->config);
   vh_log_sink_init(&host->sink, &host->config);
   host->next_ctx_id = 1;
   for (size_t i = 0; i < sizeof(context_types) / sizeof(context_types[0]); i++) {
      if (context_types[i]->context_type == backend->ops->context_type)
         host->type = context_types[i];
   }
   if (!host->type) {
      free(host);
      return VDRM_HOST_E_INVAL;
   }
   ret = fill_capset(host);
   if (ret) {
      free(host);
      return ret;
   }
   *out = host;
   return VDRM_HOST_OK;
}

void
vdrm_host_destroy(struct vdrm_host *host)
{
   if (!host)
      return;
   while (host->clients)
      vdrm_host_client_destroy(host->clients);
   free(host);
}

int
vdrm_host_get_capset(struct vdrm_host *host, uint32_t capset_id, uint32_t version, void *buf,
                     size_t cap, size_t *size)
{
   size_t n = sizeof(host->capset);

   if (capset_id != VDRM_HOST_CAPSET_DRM || version != 0)
      return VDRM_HOST_E_INVAL;
   if (buf)
      memcpy(buf, &host->capset, cap < n ? cap : n);
   if (size)
      *size = n;
   return VDRM_HOST_OK;
}

int
vdrm_host_client_create(struct vdrm_host *host, struct vdrm_host_client **out)
{
   struct vdrm_host_client *c = calloc(1, sizeof(*c));

   if (!c)
      return VDRM_HOST_E_NOMEM;
   c->host = host;
   c->next = host->clients;
   if (host->clients)
      host->clients->prev = c;
   host->clients = c;
   *out = c;
   return VDRM_HOST_OK;
}

void
vdrm_host_client_destroy(struct vdrm_host_client *c)
{
   if (!c)
      return;
   if (c->ctx) {
      vh_context_destroy(c->ctx);
      c->host->contexts--;
   }
   if (c->prev)
      c->prev->next = c->next;
   else
      c->host->clients = c->next;
   if (c->next)
      c->next->prev = c->prev;
   free(c);
}

int
vdrm_host_context_init(struct vdrm_host_client *c, uint32_t capset_id, const char *name)
{
   struct vdrm_host *host = c->host;
   int ret;

   if (capset_id != VDRM_HOST_CAPSET_DRM)
      return VDRM_HOST_E_INVAL;
   if (c->ctx)
      return VDRM_HOST_E_EXIST;
   if (!vh_within(host->contexts, 1, host->config.limits.max[VDRM_HOST_LIMIT_CONTEXTS]))
      return VDRM_HOST_E_LIMIT_CONTEXTS;
   ret = vh_context_create(host->type, host->backend, &host->config.limits, &host->sink,
                           host->next_ctx_id, name, &c->ctx);
   if (ret)
      return ret;
   host->next_ctx_id++;
   host->contexts++;
   return VDRM_HOST_OK;
}

uint32_t
vdrm_host_num_rings(struct vdrm_host_client *c)
{
   return c->ctx ? c->ctx->rings.count : 0;
}

int
vdrm_host_blob_create(struct vdrm_host_client *c, uint32_t blob_id, uint64_t size, uint32_t flags,
                      uint32_t *res_id, int *fd)
{
   if (!c->ctx)
      return VDRM_HOST_E_NOCTX;
   if (!res_id || !fd)
      return VDRM_HOST_E_INVAL;
   return vh_context_blob_create(c->ctx, blob_id, size, flags, res_id, fd);
}

int
vdrm_host_resource_export(struct vdrm_host_client *c, uint32_t res_id, int *fd)
{
   if (!c->ctx)
      return VDRM_HOST_E_NOCTX;
   return vh_context_export(c->ctx, res_id, fd);
}

int
vdrm_host_resource_unref(struct vdrm_host_client *c, uint32_t res_id)
{
   if (!c->ctx)
      return VDRM_HOST_E_NOCTX;
   return vh_context_unref(c->ctx, res_id);
}

int
vdrm_host_submit(struct vdrm_host_client *c, const void *cmds, size_t size, uint32_t flags,
                 uint32_t ring_idx, uint64_t fence_id)
{
   struct vh_context *ctx = c->ctx;
   int ret, fret;

   if (!ctx)
      return VDRM_HOST_E_NOCTX;
   if ((flags & ~VDRM_HOST_SUBMIT_FENCE) || (size && !cmds))
      return VDRM_HOST_E_INVAL;
   if (flags & VDRM_HOST_SUBMIT_FENCE) {
      /* Checked before anything runs, so that a refused fence leaves nothing half done. */
      if (ring_idx >= ctx->rings.count)
         return vh_context_refuse(ctx, VDRM_HOST_E_INVAL, "SUBMIT", "ring_idx", "%u, but the context has %u rings",
                                  ring_idx, ctx->rings.count);
      if (!vh_within(vh_rings_pending(&ctx->rings), 1,
                     ctx->limits->max[VDRM_HOST_LIMIT_PENDING_FENCES])) {
         ctx->stats.limit_hits[VDRM_HOST_LIMIT_PENDING_FENCES]++;
         return vh_context_refuse(ctx, VDRM_HOST_E_LIMIT_PENDING_FENCES, "SUBMIT", "fence_id",
                                  "limit %s reached",
                                  vdrm_host_limit_name(VDRM_HOST_LIMIT_PENDING_FENCES));
      }
   }
   ret = vh_context_submit(ctx, cmds, size);
   if (flags & VDRM_HOST_SUBMIT_FENCE) {
      /* Even after a rejected batch: the guest waits for this fence. */
      fret = vh_rings_fence_create(&ctx->rings, ring_idx, fence_id);
      if (fret && !ret)
         ret = fret;
   }
   return ret;
}

int
vdrm_host_fence_wait(struct vdrm_host_client *c, uint32_t ring_idx, uint64_t fence_id,
                     int64_t timeout_ns)
{
   if (!c->ctx)
      return VDRM_HOST_E_NOCTX;
   if (ring_idx >= c->ctx->rings.count)
      return VDRM_HOST_E_INVAL;
   return vh_rings_wait(&c->ctx->rings, ring_idx, fence_id, timeout_ns);
}

uint32_t
vdrm_host_fence_poll(struct vdrm_host_client *c, vdrm_host_fence_fn fn, void *data)
{
   if (!c->ctx)
      return 0;
   return vh_rings_poll(&c->ctx->rings, fn, data);
}

int
vdrm_host_get_stats(struct vdrm_host_client *c, struct vdrm_host_stats *stats)
{
   if (!c->ctx)
      return VDRM_HOST_E_NOCTX;
   vh_context_stats(c->ctx, stats);
   return VDRM_HOST_OK;
}
