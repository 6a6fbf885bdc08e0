/* SPDX-License-Identifier: MIT */

#define _GNU_SOURCE
#include "guest.h"

#include <dirent.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "backend.h"
#include "fuzz.h"
#include "vdrm_host.h"

int
fz_count_fds(void)
{
   DIR *d = opendir("/proc/self/fd");
   struct dirent *e;
   int n = 0;

   FZ_CHECK(d, "cannot list /proc/self/fd");
   while ((e = readdir(d)))
      n += e->d_name[0] != '.';
   closedir(d);
   return n - 1;   /* the directory's own descriptor */
}

/* The host's log lines are the fuzzer's noise: dropped (FUZZ_VERBOSE: shown), but still formatted and rate-limited. */
static void
log_line(void *data, const char *line)
{
   (void)data;
   if (getenv("FUZZ_VERBOSE"))
      fprintf(stderr, "  %s\n", line);
}

void
fz_host_config(struct vdrm_host_config *hc)
{
   vdrm_host_config_init(hc);
   hc->log = log_line;
   if (getenv("FUZZ_VERBOSE"))
      hc->log_burst = 100000;   /* every line, to read */
   /* Limits a few requests reach, so that inputs of a few KiB meet every limit's path. */
   hc->limits.max[VDRM_HOST_LIMIT_OBJECTS] = 24;
   hc->limits.max[VDRM_HOST_LIMIT_BUFFER_BYTES] = 64u << 20;
   hc->limits.max[VDRM_HOST_LIMIT_QUEUES] = 4;
   hc->limits.max[VDRM_HOST_LIMIT_PENDING_FENCES] = 16;
   hc->limits.max[VDRM_HOST_LIMIT_BLOBS] = 24;
}

void
fz_sim_init(struct fz_sim *s, const struct fz_context *ctx)
{
   struct vdrm_host_config hc;
   int ret;

   s->ctx = ctx;
   s->fds_before = fz_count_fds();
   ret = ctx->backend_create(&s->dev);
   FZ_CHECK(ret == 0, "%s sim: %d", ctx->name, ret);
   fz_host_config(&hc);
   ret = vdrm_host_create(s->dev, &hc, &s->host);
   FZ_CHECK(ret == VDRM_HOST_OK, "host: %s", vdrm_host_status_name(ret));
}

void
fz_sim_fini(struct fz_sim *s, const char *who)
{
   vdrm_host_destroy(s->host);
   /* Pending GPU work still holds kernel objects; let it complete before the device goes. */
   s->ctx->advance(s->dev, 10000000000ull);
   vdrm_backend_destroy(s->dev);
   FZ_CHECK(fz_count_fds() == s->fds_before, "%s%s: %d file descriptor(s) left open", who, s->ctx->name,
            fz_count_fds() - s->fds_before);
}

void
fz_guest_init(struct fz_guest *g, const struct fz_context *ctx)
{
   int ret;

   memset(g, 0, sizeof(*g));
   g->shmem_fd = -1;
   fz_sim_init(&g->sim, ctx);
   ret = vdrm_host_client_create(g->sim.host, &g->client);
   FZ_CHECK(ret == VDRM_HOST_OK, "client: %s", vdrm_host_status_name(ret));
   ret = vdrm_host_context_init(g->client, VDRM_HOST_CAPSET_DRM, "fuzz");
   FZ_CHECK(ret == VDRM_HOST_OK, "context: %s", vdrm_host_status_name(ret));
   g->rings = vdrm_host_num_rings(g->client);
   FZ_CHECK(g->rings > 0, "a context without rings");
}

void
fz_guest_shmem(struct fz_guest *g)
{
   uint32_t res;
   int ret = vdrm_host_blob_create(g->client, 0, FZ_SHMEM_SIZE, VDRM_HOST_BLOB_MAPPABLE, &res, &g->shmem_fd);

   /* The input ran once before: it may have taken blob id 0 or every res_id. */
   if (ret != VDRM_HOST_OK)
      return;
   g->shmem = mmap(NULL, FZ_SHMEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, g->shmem_fd, 0);
   FZ_CHECK(g->shmem != MAP_FAILED, "shmem mmap");
}

void
fz_guest_buffers(struct fz_guest *g)
{
   for (uint32_t i = 0; i < FZ_BUFFERS; i++) {
      uint8_t req[256];
      uint32_t blob_id = i + 1;
      uint64_t size = 4096u << i;
      size_t len;
      int fd;

      FZ_CHECK(g->sim.ctx->buffer_req(req, sizeof(req), ++g->seqno, blob_id, size, &len) == VDRM_OK,
               "%s: buffer request", g->sim.ctx->name);
      /* Either may fail when the input ran before and took the blob id. */
      if (vdrm_host_submit(g->client, req, len, 0, 0, 0) != VDRM_HOST_OK)
         continue;
      if (vdrm_host_blob_create(g->client, blob_id, size, VDRM_HOST_BLOB_MAPPABLE, &g->res[i], &fd) ==
          VDRM_HOST_OK) {
         g->attached |= 1u << blob_id;
         close(fd);
      }
   }
}

void
fz_guest_attach(struct fz_guest *g)
{
   struct vdrm_host_stats st;

   /* Only when some buffer may still await its blob: more objects than attached blobs. */
   if (vdrm_host_get_stats(g->client, &st) != VDRM_HOST_OK ||
       st.objects <= (uint32_t)__builtin_popcount(g->attached))
      return;
   for (uint32_t blob_id = 1; blob_id < FZ_BLOB_IDS; blob_id++) {
      uint32_t res;
      int fd;

      if (g->attached & (1u << blob_id))
         continue;
      /* One page: no buffer is smaller, and a blob may be smaller than its buffer. */
      if (vdrm_host_blob_create(g->client, blob_id, 4096, VDRM_HOST_BLOB_MAPPABLE, &res, &fd) == VDRM_HOST_OK) {
         g->attached |= 1u << blob_id;
         close(fd);
      }
   }
}

void
fz_guest_queue(struct fz_guest *g)
{
   uint8_t req[256];
   size_t len;

   if (!g->sim.ctx->queue_req || !g->shmem)
      return;
   FZ_CHECK(g->sim.ctx->queue_req(req, sizeof(req), ++g->seqno, &len) == VDRM_OK, "%s: queue request", g->sim.ctx->name);
   /* Fails when the input ran before and took what it needs; the input then goes on without. */
   (void)vdrm_host_submit(g->client, req, len, 0, 0, 0);
}

/* What a batch may end with: anything else means the host lost track of something. */
static int
expected_status(int ret)
{
   return ret == VDRM_HOST_OK || ret == VDRM_HOST_E_PROTOCOL ||
          (ret >= VDRM_HOST_E_LIMIT && ret < VDRM_HOST_STATUS_COUNT);
}

void
fz_guest_submit(struct fz_guest *g, const uint8_t *cmds, size_t len, int fence)
{
   uint8_t *copy = malloc(len ? len : 1);
   uint32_t ring = fence ? (uint32_t)(g->fence_id % g->rings) : 0;
   int ret;

   FZ_CHECK(copy, "out of memory");
   memcpy(copy, cmds, len);
   ret = vdrm_host_submit(g->client, copy, len, fence ? VDRM_HOST_SUBMIT_FENCE : 0, ring, ++g->fence_id);
   FZ_CHECK(expected_status(ret), "%s: submit of %zu bytes: %s", g->sim.ctx->name, len, vdrm_host_status_name(ret));
   free(copy);
}

static void
count_fence(void *data, uint32_t ring, uint64_t fence_id)
{
   (void)ring;
   (void)fence_id;
   (*(uint32_t *)data)++;
}

void
fz_guest_retire(struct fz_guest *g, uint64_t ns)
{
   uint32_t n = 0;

   g->sim.ctx->advance(g->sim.dev, ns);
   vdrm_host_fence_poll(g->client, count_fence, &n);
}

void
fz_guest_fini(struct fz_guest *g)
{
   struct vdrm_host_stats st;

   /* FUZZ_VERBOSE: what the input made the host do (to tell a seed that reaches the handlers). */
   if (getenv("FUZZ_VERBOSE") && vdrm_host_get_stats(g->client, &st) == VDRM_HOST_OK)
      fprintf(stderr, "%s: %llu batches, %llu requests completed, %llu rejected, %u resources\n", g->sim.ctx->name,
              (unsigned long long)st.batches, (unsigned long long)st.requests,
              (unsigned long long)st.rejected, st.resources);
   if (g->shmem)
      munmap(g->shmem, FZ_SHMEM_SIZE);
   if (g->shmem_fd >= 0)
      close(g->shmem_fd);
   fz_sim_fini(&g->sim, "");
}
