/* SPDX-License-Identifier: MIT */

#define _GNU_SOURCE
#include "guest_base.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "backend.h"

static void
capture(void *data, const char *line)
{
   struct tguest *g = data;

   snprintf(g->lines[g->nlines % TG_MAX_LINES], sizeof(g->lines[0]), "%s", line);
   g->nlines++;
   if (getenv("TG_DEBUG"))
      fprintf(stderr, "log: %s\n", line);
}

static uint64_t
fake_clock(void *data)
{
   return ((struct tguest *)data)->now;
}

struct tguest *
tg_alloc(void)
{
   struct tguest *g = calloc(1, sizeof(*g));

   assert_non_null(g);
   g->fds_before = tg_count_fds();
   g->shmem_fd = -1;
   return g;
}

void
tg_init(struct tguest *g, const struct tg_config *c)
{
   struct vdrm_host_config hc;

   assert_non_null(g->sim);
   vdrm_host_config_init(&hc);
   if (c->limits)
      hc.limits = *c->limits;
   hc.log = capture;
   hc.log_data = g;
   hc.log_burst = c->log_burst ? c->log_burst : 1000;
   hc.clock = fake_clock;
   hc.clock_data = g;
   assert_int_equal(vdrm_host_create(g->sim, &hc, &g->host), VDRM_HOST_OK);
   assert_int_equal(vdrm_host_client_create(g->host, &g->client), VDRM_HOST_OK);
   assert_int_equal(vdrm_host_context_init(g->client, VDRM_HOST_CAPSET_DRM, c->name), VDRM_HOST_OK);
   g->drained = c->drained;
   g->shmem_header = c->shmem_header;
   g->start = c->start;
   if (c->shmem_size)
      tg_shmem(g, c->shmem_size);
}

void
tg_shmem(struct tguest *g, uint32_t size)
{
   struct vdrm_shmem hdr;

   assert_null(g->shmem);
   assert_int_equal(vdrm_host_blob_create(g->client, 0, size, VDRM_HOST_BLOB_MAPPABLE, &g->shmem_res,
                                          &g->shmem_fd), VDRM_HOST_OK);
   g->shmem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, g->shmem_fd, 0);
   assert_true(g->shmem != MAP_FAILED);
   g->shmem_size = size;
   memcpy(&hdr, g->shmem, sizeof(hdr));
   if (g->shmem_header)
      assert_int_equal(hdr.rsp_mem_offset, g->shmem_header);
   else
      assert_true(hdr.rsp_mem_offset >= sizeof(hdr) && hdr.rsp_mem_offset < size);
   g->rsp = g->shmem + hdr.rsp_mem_offset;
   g->rsp_size = size - hdr.rsp_mem_offset;
}

void
tg_free(struct tguest *g)
{
   if (g->shmem)
      munmap(g->shmem, g->shmem_size);
   if (g->shmem_fd >= 0)
      close(g->shmem_fd);
   vdrm_host_destroy(g->host);
   if (g->drained) {
      g->drained(g->sim);
      vdrm_backend_destroy(g->sim);
   }
   assert_int_equal(tg_count_fds(), g->fds_before);
   free(g);
}

int
tg_teardown(void **state)
{
   tg_free(*state);
   return 0;
}

struct vdrm_ccmd_req
tg_hdr(struct tguest *g, uint32_t rsp_off)
{
   return (struct vdrm_ccmd_req){ .seqno = ++g->seqno, .rsp_off = rsp_off };
}

void
tg_raw(struct tguest *g, const void *msg, size_t len)
{
   assert_true(g->start + g->len + len <= sizeof(g->batch));
   memcpy(g->batch + g->start + g->len, msg, len);
   g->len += len;
}

static int
submit(struct tguest *g, uint32_t flags, uint32_t ring, uint64_t fence_id)
{
   int ret = vdrm_host_submit(g->client, g->batch + g->start, g->len, flags, ring, fence_id);

   if (getenv("TG_DEBUG") && ret)
      fprintf(stderr, "flush: %d, last line: %s\n", ret, tg_last_line(g));
   g->len = 0;
   return ret;
}

int
tg_flush(struct tguest *g)
{
   return submit(g, 0, 0, 0);
}

int
tg_flush_fence(struct tguest *g, uint32_t ring, uint64_t fence_id)
{
   return submit(g, VDRM_HOST_SUBMIT_FENCE, ring, fence_id);
}

void
tg_reserve(struct tguest *g, uint32_t rsp_off, uint32_t size)
{
   assert_true(rsp_off + size <= g->rsp_size);
   memset(g->rsp + rsp_off, 0xee, size);   /* what a reused slot may hold */
   memcpy(g->rsp + rsp_off, &size, sizeof(size));
}

uint8_t *
tg_rsp(struct tguest *g, uint32_t rsp_off)
{
   return g->rsp + rsp_off;
}

uint32_t
tg_shmem_u32(struct tguest *g, size_t offset)
{
   assert_true(offset + sizeof(uint32_t) <= g->shmem_size);
   return atomic_load_explicit((_Atomic uint32_t *)(void *)(g->shmem + offset), memory_order_acquire);
}

uint32_t
tg_seqno_published(struct tguest *g)
{
   return tg_shmem_u32(g, offsetof(struct vdrm_shmem, seqno));
}

struct vdrm_host_stats
tg_stats(struct tguest *g)
{
   struct vdrm_host_stats s;

   assert_int_equal(vdrm_host_get_stats(g->client, &s), VDRM_HOST_OK);
   return s;
}

const char *
tg_last_line(struct tguest *g)
{
   return g->nlines ? g->lines[(g->nlines - 1) % TG_MAX_LINES] : "";
}

bool
tg_line_has(struct tguest *g, const char *s1, ...)
{
   const char *line = tg_last_line(g);
   va_list ap;
   bool ok = true;

   va_start(ap, s1);
   for (const char *s = s1; s; s = va_arg(ap, const char *)) {
      if (!strstr(line, s)) {
         print_error("log line \"%s\" lacks \"%s\"\n", line, s);
         ok = false;
      }
   }
   va_end(ap);
   return ok;
}
