/* SPDX-License-Identifier: MIT */

/* The in-process guest of the drm backend tests (drm_guest.h). */

#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "drm_guest.h"
#include "drm_test.h"

static void
capture(void *data, const char *line)
{
   struct drm_guest *g = data;

   snprintf(g->last_line, sizeof(g->last_line), "%s", line);
   if (getenv("DG_DEBUG"))
      fprintf(stderr, "log: %s\n", line);
}

struct drm_guest *
drm_guest_new(uint32_t context_type)
{
   struct drm_guest *g = calloc(1, sizeof(*g));
   struct vdrm_host_config hc;
   struct vdrm_shmem hdr;
   uint32_t res;

   assert_non_null(g);
   g->dev = drm_test_backend(context_type);
   vdrm_host_config_init(&hc);
   hc.log = capture;
   hc.log_data = g;
   assert_int_equal(vdrm_host_create(g->dev, &hc, &g->host), VDRM_HOST_OK);
   assert_int_equal(vdrm_host_client_create(g->host, &g->client), VDRM_HOST_OK);
   assert_int_equal(vdrm_host_context_init(g->client, VDRM_HOST_CAPSET_DRM, "drm backend test"), VDRM_HOST_OK);
   g->shmem_size = 8192;
   assert_int_equal(vdrm_host_blob_create(g->client, 0, g->shmem_size, VDRM_HOST_BLOB_MAPPABLE, &res, &g->shmem_fd),
                    VDRM_HOST_OK);
   g->shmem = mmap(NULL, g->shmem_size, PROT_READ | PROT_WRITE, MAP_SHARED, g->shmem_fd, 0);
   assert_true(g->shmem != MAP_FAILED);
   memcpy(&hdr, g->shmem, sizeof(hdr));
   assert_true(hdr.rsp_mem_offset < g->shmem_size);
   g->rsp = g->shmem + hdr.rsp_mem_offset;
   g->rsp_size = g->shmem_size - hdr.rsp_mem_offset;
   return g;
}

void
drm_guest_free(struct drm_guest *g)
{
   munmap(g->shmem, g->shmem_size);
   close(g->shmem_fd);
   vdrm_host_destroy(g->host);
   vdrm_backend_destroy(g->dev);
   free(g);
}

struct vdrm_ccmd_req
drm_guest_hdr(struct drm_guest *g, uint32_t rsp_off, uint32_t rsp_size)
{
   assert_true((uint64_t)rsp_off + rsp_size <= g->rsp_size && rsp_size >= 4);
   memset(g->rsp + rsp_off, 0, rsp_size);
   memcpy(g->rsp + rsp_off, &rsp_size, sizeof(rsp_size));
   return (struct vdrm_ccmd_req){ .seqno = ++g->seqno, .rsp_off = rsp_off };
}

int
drm_guest_flush(struct drm_guest *g, uint32_t ring_idx, uint64_t fence_id)
{
   int ret = vdrm_host_submit(g->client, g->batch, g->len, fence_id ? VDRM_HOST_SUBMIT_FENCE : 0, ring_idx,
                              fence_id);

   g->len = 0;
   return ret;
}
