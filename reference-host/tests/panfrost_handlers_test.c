/* SPDX-License-Identifier: MIT */

/*
 * The panfrost handlers on the sim's panfrost device (a Mali-G57):
 * guest_base.h's test guest with panfrost's builders (pg_*: requests built
 * with the generated encoders, answers read with the generated decoders),
 * every handler's success and failure paths, and every defect of
 * generated/doc/panfrost.md's "Upstream defects" section made impossible,
 * one test each named upstream_defect_<name> (check_defects.py checks the
 * names), plus the defects the message descriptions name.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "guest_base.h"
#include "panfrost/sim_panfrost.h"
#include "panfrost_codec.h"
#include "panfrost_kernel.h"
#include "vdrm_host.h"

#define SENTINEL 0xa5u

struct pg_opts {
   bool real_clock;          /* default: the manual clock */
   uint64_t job_ns;          /* default 1000 */
   uint32_t shmem_size;      /* 0: 4096; UINT32_MAX: none */
   bool set_limits;
   struct vdrm_host_limits limits;
};

/* Everything the host made the kernel allocate is gone once pending work completes. */
static void
drained(struct vdrm_backend *sim)
{
   struct vdrm_sim_panfrost_stats s;

   vdrm_sim_advance(sim, 10000000000ull);
   vdrm_sim_panfrost_get_stats(sim, &s);
   assert_int_equal(s.pending, 0);
   assert_int_equal(s.files, 0);
   assert_int_equal(s.objects, 0);
   assert_int_equal(s.mappings, 0);
   assert_int_equal(s.fences, 0);
}

static struct tguest *
pg_new(const struct pg_opts *opts)
{
   static const struct pg_opts defaults;
   const struct pg_opts *o = opts ? opts : &defaults;
   struct tguest *g = tg_alloc();
   struct vdrm_sim_panfrost_config sc = {
      .clock = o->real_clock ? VDRM_SIM_CLOCK_MONOTONIC : VDRM_SIM_CLOCK_MANUAL,
      .job_ns = o->job_ns ? o->job_ns : 1000,
   };

   assert_int_equal(vdrm_sim_panfrost_create(&sc, &g->sim), 0);
   tg_init(g, &(struct tg_config){
      .name = "panfrost guest",
      /* No shmem struct of panfrost's own: the region starts right after vdrm_shmem. */
      .shmem_header = sizeof(struct vdrm_shmem),
      .shmem_size = o->shmem_size == UINT32_MAX ? 0 : o->shmem_size ? o->shmem_size : 4096,
      .limits = o->set_limits ? &o->limits : NULL,
      .drained = drained,
   });
   return g;
}

static struct vdrm_sim_panfrost_stats
pg_sim(struct tguest *g)
{
   struct vdrm_sim_panfrost_stats s;

   vdrm_sim_panfrost_get_stats(g->sim, &s);
   return s;
}

static int
pg_setup(void **state)
{
   *state = pg_new(NULL);
   return 0;
}

/* Requests from now on start at 4 mod 8 in the batch (and thus in memory). */
static void
pg_misalign(struct tguest *g)
{
   assert_int_equal(g->len, 0);
   g->start = 4;
}

/* The last request appended, to patch hostile bytes into. */
static uint8_t *last_msg;

static uint32_t
pg_submit(struct tguest *g, uint64_t jc, uint32_t requirements, const uint32_t *res_ids, uint32_t n)
{
   struct panfrost_ccmd_submit_req req = {
      .hdr = tg_hdr(g, 0), .jc = jc, .requirements = requirements, .res_id_count = n,
   };
   size_t len;

   last_msg = g->batch + g->start + g->len;
   assert_int_equal(panfrost_ccmd_submit_req_encode(TG_ROOM(g), &req, res_ids, &len), VDRM_OK);
   g->len += len;
   return g->seqno;
}

static uint32_t
pg_wait_bo(struct tguest *g, uint32_t res_id, int64_t timeout_ns, uint32_t rsp_off)
{
   struct panfrost_ccmd_wait_bo_req req = { .hdr = tg_hdr(g, rsp_off), .res_id = res_id, .timeout_ns = timeout_ns };
   size_t len;

   last_msg = g->batch + g->start + g->len;
   assert_int_equal(panfrost_ccmd_wait_bo_req_encode(TG_ROOM(g), &req, &len), VDRM_OK);
   g->len += len;
   return g->seqno;
}

static uint32_t
pg_create_bo(struct tguest *g, uint32_t blob_id, uint32_t size, uint32_t flags)
{
   struct panfrost_ccmd_create_bo_req req = { .hdr = tg_hdr(g, 0), .size = size, .blob_id = blob_id, .flags = flags };
   size_t len;

   last_msg = g->batch + g->start + g->len;
   assert_int_equal(panfrost_ccmd_create_bo_req_encode(TG_ROOM(g), &req, &len), VDRM_OK);
   g->len += len;
   return g->seqno;
}

static uint32_t
pg_mmap_bo(struct tguest *g, uint32_t res_id, uint32_t flags, uint32_t rsp_off)
{
   struct panfrost_ccmd_mmap_bo_req req = { .hdr = tg_hdr(g, rsp_off), .res_id = res_id, .flags = flags };
   size_t len;

   last_msg = g->batch + g->start + g->len;
   assert_int_equal(panfrost_ccmd_mmap_bo_req_encode(TG_ROOM(g), &req, &len), VDRM_OK);
   g->len += len;
   return g->seqno;
}

static uint32_t
pg_get_param(struct tguest *g, uint32_t param, uint32_t rsp_off)
{
   struct panfrost_ccmd_get_param_req req = { .hdr = tg_hdr(g, rsp_off), .param = param };
   size_t len;

   last_msg = g->batch + g->start + g->len;
   assert_int_equal(panfrost_ccmd_get_param_req_encode(TG_ROOM(g), &req, &len), VDRM_OK);
   g->len += len;
   return g->seqno;
}

static uint32_t
pg_get_bo_offset(struct tguest *g, uint32_t res_id, uint32_t rsp_off)
{
   struct panfrost_ccmd_get_bo_offset_req req = { .hdr = tg_hdr(g, rsp_off), .res_id = res_id };
   size_t len;

   last_msg = g->batch + g->start + g->len;
   assert_int_equal(panfrost_ccmd_get_bo_offset_req_encode(TG_ROOM(g), &req, &len), VDRM_OK);
   g->len += len;
   return g->seqno;
}

static uint32_t
pg_madvise(struct tguest *g, uint32_t res_id, uint32_t madv, uint32_t rsp_off)
{
   struct panfrost_ccmd_madvise_req req = { .hdr = tg_hdr(g, rsp_off), .res_id = res_id, .madv = madv };
   size_t len;

   last_msg = g->batch + g->start + g->len;
   assert_int_equal(panfrost_ccmd_madvise_req_encode(TG_ROOM(g), &req, &len), VDRM_OK);
   g->len += len;
   return g->seqno;
}

/* Fills a response slot (and 8 bytes after it) with a pattern no answer contains. */
static void
pg_reserve(struct tguest *g, uint32_t rsp_off, uint32_t size)
{
   assert_true(rsp_off + size + 8 <= g->rsp_size);
   memset(g->rsp + rsp_off, SENTINEL, size + 8);
}

static bool
pg_untouched(struct tguest *g, uint32_t off, uint32_t size)
{
   for (uint32_t i = 0; i < size; i++) {
      if (g->rsp[off + i] != SENTINEL)
         return false;
   }
   return true;
}

/* A buffer and its blob resource; the fd is kept in *fd when fd is not NULL. */
static uint32_t
pg_bo(struct tguest *g, uint32_t blob_id, uint32_t size, uint32_t flags, int *fd)
{
   uint32_t res_id;
   int bfd;

   assert_int_equal(g->len, 0);
   pg_create_bo(g, blob_id, size, flags);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(vdrm_host_blob_create(g->client, blob_id, size, VDRM_HOST_BLOB_MAPPABLE, &res_id, &bfd),
                    VDRM_HOST_OK);
   if (fd)
      *fd = bfd;
   else
      close(bfd);
   return res_id;
}

static struct panfrost_ccmd_get_param_rsp
pg_param(struct tguest *g, uint32_t param)
{
   struct panfrost_ccmd_get_param_rsp rsp;
   struct vdrm_error err;
   const uint32_t off = 256;

   pg_reserve(g, off, sizeof(rsp));
   pg_get_param(g, param, off);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(panfrost_ccmd_get_param_rsp_decode(g->rsp + off, sizeof(rsp), &rsp, &err), VDRM_OK);
   return rsp;
}

static struct panfrost_ccmd_get_bo_offset_rsp
pg_offset(struct tguest *g, uint32_t res_id)
{
   struct panfrost_ccmd_get_bo_offset_rsp rsp;
   struct vdrm_error err;
   const uint32_t off = 320;

   pg_reserve(g, off, sizeof(rsp));
   pg_get_bo_offset(g, res_id, off);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(panfrost_ccmd_get_bo_offset_rsp_decode(g->rsp + off, sizeof(rsp), &rsp, &err), VDRM_OK);
   return rsp;
}

static struct panfrost_ccmd_wait_bo_rsp
pg_wait(struct tguest *g, uint32_t res_id, int64_t timeout_ns)
{
   struct panfrost_ccmd_wait_bo_rsp rsp;
   struct vdrm_error err;
   const uint32_t off = 384;

   pg_reserve(g, off, sizeof(rsp));
   pg_wait_bo(g, res_id, timeout_ns, off);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(panfrost_ccmd_wait_bo_rsp_decode(g->rsp + off, sizeof(rsp), &rsp, &err), VDRM_OK);
   return rsp;
}

static struct panfrost_ccmd_madvise_rsp
pg_madv(struct tguest *g, uint32_t res_id, uint32_t madv)
{
   struct panfrost_ccmd_madvise_rsp rsp;
   struct vdrm_error err;
   const uint32_t off = 448;

   pg_reserve(g, off, sizeof(rsp));
   pg_madvise(g, res_id, madv, off);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(panfrost_ccmd_madvise_rsp_decode(g->rsp + off, sizeof(rsp), &rsp, &err), VDRM_OK);
   return rsp;
}

static struct panfrost_ccmd_mmap_bo_rsp
pg_mmap(struct tguest *g, uint32_t res_id, uint32_t flags)
{
   struct panfrost_ccmd_mmap_bo_rsp rsp;
   struct vdrm_error err;
   const uint32_t off = 512;

   pg_reserve(g, off, sizeof(rsp));
   pg_mmap_bo(g, res_id, flags, off);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(panfrost_ccmd_mmap_bo_rsp_decode(g->rsp + off, sizeof(rsp), &rsp, &err), VDRM_OK);
   return rsp;
}

/* A 4 KiB NOEXEC buffer and its GPU address. */
static uint32_t
pg_buffer(struct tguest *g, uint32_t blob_id, uint64_t *va)
{
   uint32_t res = pg_bo(g, blob_id, 4096, KPAN_BO_NOEXEC, NULL);
   struct panfrost_ccmd_get_bo_offset_rsp o = pg_offset(g, res);

   assert_int_equal(o.ret, 0);
   if (va)
      *va = o.offset;
   return res;
}

static uint64_t
mono_ns(void)
{
   struct timespec ts;

   clock_gettime(CLOCK_MONOTONIC, &ts);
   return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---------------------------------------------------------------- type --- */

static void
capset_has_no_panfrost_part(void **state)
{
   struct tguest *g = TG(state);
   struct virgl_renderer_capset_drm caps, zero;
   size_t size;

   memset(&caps, 0xff, sizeof(caps));
   memset(&zero, 0, sizeof(zero));
   assert_int_equal(vdrm_host_get_capset(g->host, VDRM_HOST_CAPSET_DRM, 0, &caps, sizeof(caps), &size),
                    VDRM_HOST_OK);
   assert_int_equal(size, sizeof(caps));
   assert_int_equal(caps.wire_format_version, 0);
   assert_int_equal(caps.context_type, VIRTGPU_DRM_CONTEXT_PANFROST);
   assert_int_equal(caps.version_major, KPAN_VERSION_MAJOR);
   assert_int_equal(caps.version_minor, KPAN_VERSION_MINOR);
   assert_memory_equal(&caps.u, &zero.u, sizeof(caps.u));
}

static void
one_ring_only(void **state)
{
   struct tguest *g = TG(state);

   assert_int_equal(vdrm_host_num_rings(g->client), 1);
   pg_get_param(g, KPAN_PARAM_GPU_PROD_ID, 0);
   assert_int_equal(tg_flush_fence(g, 1, 7), VDRM_HOST_E_INVAL);
   assert_int_equal(tg_stats(g).requests, 0);   /* refused before anything ran */
   pg_get_param(g, KPAN_PARAM_GPU_PROD_ID, 0);
   assert_int_equal(tg_flush_fence(g, 0, 7), VDRM_HOST_OK);
   /* No job yet: the fence retires at once. */
   assert_int_equal(vdrm_host_fence_poll(g->client, NULL, NULL), 1);
}

static void
shmem_is_plain_vdrm_shmem(void **state)
{
   struct pg_opts o = { .shmem_size = UINT32_MAX };
   struct tguest *g = pg_new(&o);
   uint32_t res;
   int fd;

   (void)state;
   assert_int_equal(vdrm_host_blob_create(g->client, 0, 7, VDRM_HOST_BLOB_MAPPABLE, &res, &fd),
                    VDRM_HOST_E_INVAL);
   /* Before the shmem exists nothing can be answered. */
   pg_get_param(g, KPAN_PARAM_GPU_PROD_ID, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "GET_PARAM", "hdr.rsp_off", NULL));
   /* 8 bytes hold the whole header: an empty response region, no async_error. */
   tg_shmem(g, 8);
   assert_int_equal(g->rsp_size, 0);
   pg_get_param(g, KPAN_PARAM_GPU_PROD_ID, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_int_equal(tg_stats(g).async_errors, 0);
   assert_int_equal(tg_seqno_published(g), 0);
   tg_free(g);
}

/* ----------------------------------------------------------- GET_PARAM --- */

static void
get_param_answers_the_g57_profile(void **state)
{
   struct tguest *g = TG(state);
   const struct vdrm_sim_panfrost_profile *p = &vdrm_sim_profile_mali_g57;
   struct panfrost_ccmd_get_param_rsp r;
   uint64_t t0;

   r = pg_param(g, KPAN_PARAM_GPU_PROD_ID);
   assert_int_equal(r.ret, 0);
   assert_int_equal(r.value, 0x9093);
   assert_int_equal(pg_param(g, KPAN_PARAM_GPU_REVISION).value, p->gpu_revision);
   assert_int_equal(pg_param(g, KPAN_PARAM_SHADER_PRESENT).value, p->shader_present);
   assert_int_equal(pg_param(g, KPAN_PARAM_TILER_PRESENT).value, p->tiler_present);
   assert_int_equal(pg_param(g, KPAN_PARAM_L2_PRESENT).value, p->l2_present);
   assert_int_equal(pg_param(g, KPAN_PARAM_AS_PRESENT).value, p->as_present);
   assert_int_equal(pg_param(g, KPAN_PARAM_JS_PRESENT).value, p->js_present);
   assert_int_equal(pg_param(g, KPAN_PARAM_MMU_FEATURES).value, p->mmu_features);
   assert_int_equal(pg_param(g, KPAN_PARAM_MAX_THREADS).value, p->max_threads);
   assert_int_equal(pg_param(g, KPAN_PARAM_TEXTURE_FEATURES0 + 2).value, p->texture_features[2]);
   assert_int_equal(pg_param(g, KPAN_PARAM_JS_FEATURES0 + 1).value, p->js_features[1]);
   assert_int_equal(pg_param(g, KPAN_PARAM_JS_FEATURES0 + 15).value, 0);
   assert_int_equal(pg_param(g, KPAN_PARAM_NR_CORE_GROUPS).value, 1);
   assert_int_equal(pg_param(g, KPAN_PARAM_SYSTEM_TIMESTAMP_FREQUENCY).value, p->timestamp_hz);
   for (uint32_t i = 0; i <= KPAN_PARAM_SYSTEM_TIMESTAMP_FREQUENCY; i++)
      assert_int_equal(pg_param(g, i).ret, 0);
   /* The timestamp follows the sim clock. */
   t0 = pg_param(g, KPAN_PARAM_SYSTEM_TIMESTAMP).value;
   vdrm_sim_advance(g->sim, 1000000000ull);
   assert_int_equal(pg_param(g, KPAN_PARAM_SYSTEM_TIMESTAMP).value, t0 + p->timestamp_hz);
}

static void
get_param_unknown_is_ret_minus_one(void **state)
{
   struct tguest *g = TG(state);
   struct panfrost_ccmd_get_param_rsp r;

   /* Newer than this kernel (1.3), and never defined: the kernel's -EINVAL as ret -1. */
   r = pg_param(g, KPAN_PARAM_ALLOWED_JM_CTX_PRIORITIES);
   assert_int_equal(r.ret, -1);
   assert_int_equal(r.value, 0);
   r = pg_param(g, 0xffffffffu);
   assert_int_equal(r.ret, -1);
   assert_int_equal(r.value, 0);
   assert_int_equal(tg_stats(g).rejected, 0);
}

static void
get_param_response_outside_region_rejected(void **state)
{
   struct tguest *g = TG(state);
   uint64_t before = pg_sim(g).get_params;

   pg_get_param(g, KPAN_PARAM_GPU_PROD_ID, g->rsp_size - 8);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "GET_PARAM", NULL));
   assert_int_equal(pg_sim(g).get_params, before);
}

/* ----------------------------------------------------------- CREATE_BO --- */

static void
create_bo_places_buffers_in_gpu_va(void **state)
{
   struct tguest *g = TG(state);
   uint64_t va[4];
   uint32_t res[4];
   int fd;
   uint8_t *map;

   res[0] = pg_bo(g, 1, 4096, KPAN_BO_NOEXEC, &fd);
   res[1] = pg_bo(g, 2, 5000, KPAN_BO_NOEXEC, NULL);
   res[2] = pg_bo(g, 3, 3u << 20, KPAN_BO_NOEXEC, NULL);   /* 2 MiB aligned */
   res[3] = pg_bo(g, 4, 64 * 1024, 0, NULL);               /* executable: size aligned */
   for (int i = 0; i < 4; i++) {
      struct panfrost_ccmd_get_bo_offset_rsp o = pg_offset(g, res[i]);

      assert_int_equal(o.ret, 0);
      va[i] = o.offset;
      assert_true(va[i] >= (32u << 20) && va[i] < (4ull << 30));
      assert_int_equal(va[i] % 4096, 0);
   }
   assert_int_equal(va[2] % (2u << 20), 0);
   assert_int_equal(va[3] % (64 * 1024), 0);
   /* Disjoint: 4 KiB, 8 KiB (5000 rounded), 3 MiB, 64 KiB. */
   assert_true(va[1] >= va[0] + 4096 || va[0] >= va[1] + 8192);
   assert_true(va[2] >= va[1] + 8192 || va[1] >= va[2] + (3u << 20));
   assert_int_equal(pg_sim(g).mappings, 4);
   assert_int_equal(tg_stats(g).buffer_bytes, 4096 + 8192 + (3u << 20) + 64 * 1024);
   /* The blob maps the buffer's memory. */
   map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
   assert_true(map != MAP_FAILED);
   memcpy(map, "panfrost", 8);
   {
      int fd2;
      uint8_t buf[8];

      assert_int_equal(vdrm_host_resource_export(g->client, res[0], &fd2), VDRM_HOST_OK);
      assert_int_equal(pread(fd2, buf, 8, 0), 8);
      assert_memory_equal(buf, "panfrost", 8);
      close(fd2);
   }
   munmap(map, 4096);
   close(fd);
   /* Unref releases the object and its address. */
   assert_int_equal(vdrm_host_resource_unref(g->client, res[2]), VDRM_HOST_OK);
   assert_int_equal(pg_sim(g).mappings, 3);
}

static void
create_bo_heap_rounds_to_2m(void **state)
{
   struct tguest *g = TG(state);
   uint32_t res = pg_bo(g, 1, 4096, KPAN_BO_NOEXEC | KPAN_BO_HEAP, NULL);
   struct panfrost_ccmd_get_bo_offset_rsp o = pg_offset(g, res);

   assert_int_equal(o.ret, 0);
   assert_int_equal(o.offset % (2u << 20), 0);
   assert_int_equal(tg_stats(g).buffer_bytes, 2u << 20);
}

static void
create_bo_kernel_refusals_fail_the_request(void **state)
{
   struct tguest *g = TG(state);
   struct {
      uint32_t size, flags;
   } bad[] = {
      { 0, KPAN_BO_NOEXEC },                      /* zero size */
      { 4096, 0x8 },                              /* unknown flag */
      { 4096, KPAN_BO_NOEXEC | KPAN_BO_WB_MMAP }, /* unknown to this kernel */
      { 4096, KPAN_BO_HEAP },                     /* heap without NOEXEC */
      { 32u << 20, 0 },                           /* executable above 16 MiB */
   };

   for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
      uint32_t res;
      int fd;

      pg_create_bo(g, 10 + i, bad[i].size, bad[i].flags);
      assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
      assert_true(tg_line_has(g, "CREATE_BO", "DRM_IOCTL_PANFROST_CREATE_BO", NULL));
      /* Nothing is filed: the blob names no buffer. */
      assert_int_equal(vdrm_host_blob_create(g->client, 10 + i, 4096, VDRM_HOST_BLOB_MAPPABLE, &res, &fd),
                       VDRM_HOST_E_NOENT);
   }
   assert_int_equal(tg_stats(g).objects, 0);
   assert_int_equal(pg_sim(g).objects, 0);
}

static void
create_bo_blob_id_checks(void **state)
{
   struct tguest *g = TG(state);
   uint64_t ioctls = pg_sim(g).ioctls;

   pg_create_bo(g, 0, 4096, KPAN_BO_NOEXEC);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "CREATE_BO", "blob_id", NULL));
   pg_create_bo(g, 5, 4096, KPAN_BO_NOEXEC);
   pg_create_bo(g, 5, 4096, KPAN_BO_NOEXEC);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "CREATE_BO", "blob_id", "awaits its blob", NULL));
   assert_int_equal(pg_sim(g).ioctls, ioctls + 1);
   assert_int_equal(pg_sim(g).objects, 1);
}

static void
create_bo_limits(void **state)
{
   struct pg_opts o = { .set_limits = true };
   struct tguest *g;

   (void)state;
   for (int i = 0; i < VDRM_HOST_LIMIT_COUNT; i++)
      o.limits.max[i] = vdrm_host_limit_default(i);
   o.limits.max[VDRM_HOST_LIMIT_OBJECTS] = 2;
   o.limits.max[VDRM_HOST_LIMIT_BUFFER_BYTES] = 3u << 20;
   g = pg_new(&o);
   pg_create_bo(g, 1, 4096, KPAN_BO_NOEXEC | KPAN_BO_HEAP);   /* charged 2 MiB */
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   pg_create_bo(g, 2, (1u << 20) + 1, KPAN_BO_NOEXEC);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "CREATE_BO", "size", "max_buffer_bytes", NULL));
   pg_create_bo(g, 2, 4096, KPAN_BO_NOEXEC);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   pg_create_bo(g, 3, 4096, KPAN_BO_NOEXEC);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "CREATE_BO", "max_objects", NULL));
   assert_int_equal(pg_sim(g).objects, 2);
   tg_free(g);
}

static void
create_bo_gpu_va_exhausted(void **state)
{
   struct pg_opts o = { .set_limits = true };
   struct tguest *g;

   (void)state;
   for (int i = 0; i < VDRM_HOST_LIMIT_COUNT; i++)
      o.limits.max[i] = vdrm_host_limit_default(i);
   o.limits.max[VDRM_HOST_LIMIT_BUFFER_BYTES] = 8ull << 30;
   g = pg_new(&o);
   /* [32 MiB, 4 GiB) holds three 1 GiB buffers, not four. */
   for (uint32_t i = 1; i <= 3; i++) {
      pg_create_bo(g, i, 1u << 30, KPAN_BO_NOEXEC);
      assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   }
   pg_create_bo(g, 4, 1u << 30, KPAN_BO_NOEXEC);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "CREATE_BO", "ENOSPC", NULL));
   /* Smaller ones still fit. */
   pg_create_bo(g, 4, 1u << 20, KPAN_BO_NOEXEC);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(pg_sim(g).objects, 4);
   tg_free(g);
}

/* The deployed host takes the buffer out of the blob table before checking the size (a leak). */
static void
blob_size_mismatch_keeps_the_buffer(void **state)
{
   struct tguest *g = TG(state);
   uint32_t res;
   int fd;

   pg_create_bo(g, 1, 4096, KPAN_BO_NOEXEC);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(vdrm_host_blob_create(g->client, 1, 8192, VDRM_HOST_BLOB_MAPPABLE, &res, &fd),
                    VDRM_HOST_E_INVAL);
   assert_int_equal(vdrm_host_blob_create(g->client, 1, 4096, VDRM_HOST_BLOB_MAPPABLE, &res, &fd),
                    VDRM_HOST_OK);
   close(fd);
   assert_int_equal(tg_stats(g).objects, 1);
}

/* ------------------------------------------------------------- MMAP_BO --- */

static void
mmap_bo_answers(void **state)
{
   struct tguest *g = TG(state);
   uint32_t res = pg_bo(g, 1, 4096, KPAN_BO_NOEXEC, NULL);
   uint32_t heap = pg_bo(g, 2, 4096, KPAN_BO_NOEXEC | KPAN_BO_HEAP, NULL);
   struct panfrost_ccmd_mmap_bo_rsp r;

   r = pg_mmap(g, res, 0);
   assert_int_equal(r.ret, 0);
   assert_int_equal(r.offset, 0);
   /* The kernel refuses heaps and flags: ret -1. */
   assert_int_equal(pg_mmap(g, heap, 0).ret, -1);
   assert_int_equal(pg_mmap(g, res, 1).ret, -1);
   assert_int_equal(tg_stats(g).rejected, 0);
}

/* ------------------------------------------------------- GET_BO_OFFSET --- */

static void
get_bo_offset_answers(void **state)
{
   struct tguest *g = TG(state);
   uint32_t a = pg_bo(g, 1, 4096, KPAN_BO_NOEXEC, NULL);
   uint32_t b = pg_bo(g, 2, 4096, KPAN_BO_NOEXEC, NULL);
   struct panfrost_ccmd_get_bo_offset_rsp ra = pg_offset(g, a), rb = pg_offset(g, b);

   assert_int_equal(ra.ret, 0);
   assert_int_equal(rb.ret, 0);
   assert_true(ra.offset != rb.offset);
   assert_int_equal(pg_offset(g, a).offset, ra.offset);   /* stable */
}

/* ------------------------------------------------------------- WAIT_BO --- */

static void
wait_bo_idle_and_busy(void **state)
{
   struct tguest *g = TG(state);
   uint64_t va;
   uint32_t res = pg_buffer(g, 1, &va);

   assert_int_equal(pg_wait(g, res, 0).ret, 0);
   pg_submit(g, va, 0, &res, 1);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(pg_wait(g, res, 0).ret, -1);
   assert_int_equal(pg_wait(g, res, INT64_MAX).ret, -1);
   vdrm_sim_advance(g->sim, 1000);
   assert_int_equal(pg_wait(g, res, 0).ret, 0);
   assert_int_equal(pg_sim(g).blocking_waits, 0);
}

/* ------------------------------------------------------------- MADVISE --- */

static void
madvise_and_reclaim(void **state)
{
   struct tguest *g = TG(state);
   int fd;
   uint32_t res = pg_bo(g, 1, 4096, KPAN_BO_NOEXEC, &fd);
   uint32_t keep = pg_bo(g, 2, 4096, KPAN_BO_NOEXEC, NULL);
   struct panfrost_ccmd_madvise_rsp r;
   uint8_t byte = 0x5a;

   assert_int_equal(pwrite(fd, &byte, 1, 0), 1);
   r = pg_madv(g, res, KPAN_MADV_DONTNEED);
   assert_int_equal(r.ret, 0);
   assert_int_equal(r.retained, 1);
   assert_int_equal(r.pad, 0);
   /* Marked needed again before reclaim: retained. */
   r = pg_madv(g, keep, KPAN_MADV_DONTNEED);
   r = pg_madv(g, keep, KPAN_MADV_WILLNEED);
   assert_int_equal(r.retained, 1);
   assert_int_equal(vdrm_sim_panfrost_reclaim(g->sim), 1);
   r = pg_madv(g, res, KPAN_MADV_WILLNEED);
   assert_int_equal(r.ret, 0);
   assert_int_equal(r.retained, 0);
   /* The contents are gone, and stay purged. */
   assert_int_equal(pread(fd, &byte, 1, 0), 1);
   assert_int_equal(byte, 0);
   assert_int_equal(pg_madv(g, res, KPAN_MADV_DONTNEED).retained, 0);
   assert_int_equal(pg_madv(g, keep, KPAN_MADV_WILLNEED).retained, 1);
   close(fd);
}

static void
madvise_busy_buffer_not_reclaimed(void **state)
{
   struct tguest *g = TG(state);
   uint64_t va;
   uint32_t res = pg_buffer(g, 1, &va);

   pg_submit(g, va, 0, &res, 1);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(pg_madv(g, res, KPAN_MADV_DONTNEED).retained, 1);
   assert_int_equal(vdrm_sim_panfrost_reclaim(g->sim), 0);
   vdrm_sim_advance(g->sim, 1000);
   assert_int_equal(vdrm_sim_panfrost_reclaim(g->sim), 1);
}

static void
madvise_bad_value(void **state)
{
   struct tguest *g = TG(state);
   uint32_t res = pg_bo(g, 1, 4096, KPAN_BO_NOEXEC, NULL);
   struct panfrost_ccmd_madvise_rsp r = pg_madv(g, res, 2);

   assert_int_equal(r.ret, -1);
   assert_int_equal(r.retained, 0);
}

/* -------------------------------------------------------------- SUBMIT --- */

static void
submit_runs_the_job_and_fences_follow_it(void **state)
{
   struct tguest *g = TG(state);
   uint64_t va;
   uint32_t a = pg_buffer(g, 1, &va);
   uint32_t b = pg_buffer(g, 2, NULL);
   uint32_t ids[2] = { a, b };
   struct vdrm_sim_panfrost_stats s;
   uint32_t seqno;

   seqno = pg_submit(g, va + 64, KPAN_JD_REQ_FS, ids, 2);
   assert_int_equal(tg_flush_fence(g, 0, 1), VDRM_HOST_OK);
   assert_int_equal(tg_seqno_published(g), seqno);
   s = pg_sim(g);
   assert_int_equal(s.submits, 1);
   assert_int_equal(s.last_bo_count, 2);
   assert_int_equal(s.last_jc, va + 64);
   assert_int_equal(s.last_requirements, KPAN_JD_REQ_FS);
   assert_int_equal(s.pending, 1);
   assert_int_equal(tg_stats(g).pending_fences, 2);   /* the job and the ring fence */
   assert_int_equal(vdrm_host_fence_poll(g->client, NULL, NULL), 0);
   assert_int_equal(vdrm_host_fence_wait(g->client, 0, 1, 0), VDRM_HOST_E_TIMEOUT);
   vdrm_sim_advance(g->sim, 1000);
   assert_int_equal(vdrm_host_fence_poll(g->client, NULL, NULL), 1);
   s = pg_sim(g);
   assert_int_equal(s.pending, 0);
   assert_int_equal(s.faults, 0);
   /* Unref while a job runs: the kernel keeps the buffer until the job is done. */
   pg_submit(g, va, 0, ids, 2);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(vdrm_host_resource_unref(g->client, b), VDRM_HOST_OK);
   assert_int_equal(pg_sim(g).objects, 2);
   vdrm_sim_advance(g->sim, 1000);
   assert_int_equal(pg_sim(g).objects, 1);
}

static void
submit_implicit_sync_and_slots(void **state)
{
   struct tguest *g = TG(state);
   uint64_t va;
   uint32_t a = pg_buffer(g, 1, &va);
   uint32_t b = pg_buffer(g, 2, NULL);

   /* Vertex job on a, then a fragment job on a (waits for it), then one on b alone. */
   pg_submit(g, va, 0, &a, 1);
   pg_submit(g, va, KPAN_JD_REQ_FS, &a, 1);
   assert_int_equal(tg_flush_fence(g, 0, 1), VDRM_HOST_OK);
   pg_submit(g, va, 0, &b, 1);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   vdrm_sim_advance(g->sim, 1000);
   /* The first job is done; the fragment job waited for it, so the fence (its) is not. */
   assert_int_equal(pg_sim(g).pending, 2);
   assert_int_equal(vdrm_host_fence_poll(g->client, NULL, NULL), 0);
   vdrm_sim_advance(g->sim, 1000);
   assert_int_equal(vdrm_host_fence_poll(g->client, NULL, NULL), 1);
   assert_int_equal(pg_sim(g).pending, 0);
}

static void
submit_without_buffers(void **state)
{
   struct tguest *g = TG(state);
   uint64_t va;

   pg_buffer(g, 1, &va);
   pg_submit(g, va, 0, NULL, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(pg_sim(g).submits, 1);
   assert_int_equal(pg_sim(g).last_bo_count, 0);
}

static void
submit_kernel_refusals_reject(void **state)
{
   struct tguest *g = TG(state);
   uint64_t va;
   uint32_t res = pg_buffer(g, 1, &va);
   uint32_t seqno = g->seqno;

   pg_submit(g, 0, 0, &res, 1);   /* jc 0 */
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "SUBMIT", "DRM_IOCTL_PANFROST_SUBMIT", "EINVAL", NULL));
   pg_submit(g, va, 0x4, &res, 1);   /* unknown requirement */
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_int_equal(tg_seqno_published(g), seqno);   /* neither is published */
   assert_int_equal(pg_sim(g).submits, 0);
   pg_submit(g, va, KPAN_JD_REQ_CYCLE_COUNT, &res, 1);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(pg_sim(g).submits, 1);
}

static void
submit_faults_counted(void **state)
{
   struct tguest *g = TG(state);
   uint64_t va;
   int fd;
   uint32_t res = pg_buffer(g, 1, &va);
   uint32_t purged = pg_bo(g, 2, 4096, KPAN_BO_NOEXEC, &fd);

   /* jc in no buffer of the file: the job faults. */
   pg_submit(g, 0x1000, 0, &res, 1);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   vdrm_sim_advance(g->sim, 1000);
   assert_int_equal(pg_sim(g).faults, 1);
   /* A purged buffer in the list: it faults too. */
   assert_int_equal(pg_madv(g, purged, KPAN_MADV_DONTNEED).ret, 0);
   assert_int_equal(vdrm_sim_panfrost_reclaim(g->sim), 1);
   pg_submit(g, va, 0, &purged, 1);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   vdrm_sim_advance(g->sim, 1000);
   assert_int_equal(pg_sim(g).faults, 2);
   close(fd);
}

static void
submit_pending_limit(void **state)
{
   struct pg_opts o = { .set_limits = true };
   struct tguest *g;
   uint64_t va;
   uint32_t res;

   (void)state;
   for (int i = 0; i < VDRM_HOST_LIMIT_COUNT; i++)
      o.limits.max[i] = vdrm_host_limit_default(i);
   o.limits.max[VDRM_HOST_LIMIT_PENDING_FENCES] = 2;
   g = pg_new(&o);
   res = pg_buffer(g, 1, &va);
   pg_submit(g, va, 0, &res, 1);
   pg_submit(g, va, 0, &res, 1);
   pg_submit(g, va, 0, &res, 1);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "SUBMIT", "max_pending_fences", NULL));
   assert_int_equal(pg_sim(g).submits, 2);
   vdrm_sim_advance(g->sim, 10000);
   pg_submit(g, va, 0, &res, 1);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   tg_free(g);
}

static void
rejected_request_ends_the_batch(void **state)
{
   struct tguest *g = TG(state);

   pg_reserve(g, 0, 16);
   pg_submit(g, 0x1000, 0, (uint32_t[]){ 77 }, 1);
   pg_get_param(g, KPAN_PARAM_GPU_PROD_ID, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(pg_untouched(g, 0, 16));
   /* The next batch runs. */
   assert_int_equal(pg_param(g, KPAN_PARAM_GPU_PROD_ID).ret, 0);
}

/* ------------------------------------------------------ upstream defects --- */

/*
 * panfrost_ccmd_submit_req: res_id_count bounded by hdr.len (no over-read),
 * handles on the heap bounded by the message (no VLA, zero fine), unknown
 * res_ids and kernel failures fail the request (no lost job reported as
 * success), no in-fence to leak, and a request at 4 mod 8 read correctly.
 */
static void
upstream_defect_panfrost_ccmd_submit_req(void **state)
{
   struct tguest *g = TG(state);
   uint64_t va;
   uint32_t res = pg_buffer(g, 1, &va);
   uint32_t ids[2] = { res, res };
   struct vdrm_sim_panfrost_stats s0 = pg_sim(g), s;
   uint32_t count;
   uint64_t heap0 = tg_stats(g).heap_bytes;

   /* A count one past the payload: refused before anything reads it. */
   pg_submit(g, va, 0, ids, 2);
   count = 3;
   memcpy(last_msg + offsetof(struct panfrost_ccmd_submit_req, res_id_count), &count, 4);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "SUBMIT", "res_ids", "VDRM_E_TRUNCATED", NULL));
   /* 2^32 - 1 entries in a 32-byte message: refused, nothing allocated. */
   pg_submit(g, va, 0, NULL, 0);
   count = UINT32_MAX;
   memcpy(last_msg + offsetof(struct panfrost_ccmd_submit_req, res_id_count), &count, 4);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "SUBMIT", "res_ids", NULL));
   assert_true(tg_stats(g).heap_bytes < heap0 + 4096);
   s = pg_sim(g);
   assert_int_equal(s.submit_calls, s0.submit_calls);
   /* An unknown res_id (or the shmem's) fails the request; the kernel never sees the job. */
   pg_submit(g, va, 0, (uint32_t[]){ res, 999 }, 2);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "SUBMIT", "res_ids", "999 is not a buffer resource", NULL));
   pg_submit(g, va, 0, &g->shmem_res, 1);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_int_equal(pg_sim(g).submit_calls, s0.submit_calls);
   /* A kernel failure is reported, not swallowed. */
   pg_submit(g, 0, 0, &res, 1);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "SUBMIT", "DRM_IOCTL_PANFROST_SUBMIT", NULL));
   /* Requests at 4 mod 8 (64-bit jc misaligned for the struct) read correctly. */
   pg_misalign(g);
   pg_submit(g, va + 8, 0, ids, 2);   /* 40 bytes: the next one is at 4 mod 8 too */
   assert_int_equal((uintptr_t)last_msg % 8, 4);
   pg_submit(g, va + 16, 0, &res, 1);
   assert_int_equal((uintptr_t)last_msg % 8, 4);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   s = pg_sim(g);
   assert_int_equal(s.submits, 2);
   assert_int_equal(s.last_jc, va + 16);
   assert_int_equal(s.last_bo_count, 1);
   g->start = 0;
   /* The in-process API takes no in-fence: nothing to create, import or leak. */
   assert_int_equal(tg_stats(g).async_errors, 0);
}

/*
 * panfrost_ccmd_wait_bo_req: the i386 28-byte layout refused, the deadline
 * never blocks the stream (polls), an unknown res_id answered -1, at 4 mod 8.
 */
static void
upstream_defect_panfrost_ccmd_wait_bo_req(void **state)
{
   struct pg_opts o = { .real_clock = true, .job_ns = 3000000000ull };
   struct tguest *g = pg_new(&o);
   struct panfrost_ccmd_wait_bo_rsp r;
   struct vdrm_error err;
   uint64_t va, t0;
   uint32_t res, len, seqno;

   (void)state;
   res = pg_buffer(g, 1, &va);
   /* 28 bytes, as an i386 build of the deployed header lays it out. */
   pg_reserve(g, 0, 8);
   pg_wait_bo(g, res, 0, 0);
   len = 28;
   memcpy(last_msg + 4, &len, 4);
   g->len -= 4;
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "WAIT_BO", "VDRM_E_SHORT", NULL));
   assert_true(pg_untouched(g, 0, 8));
   /* A busy buffer and a deadline of "forever": answered at once with -1. */
   pg_submit(g, va, 0, &res, 1);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   t0 = mono_ns();
   r = pg_wait(g, res, INT64_MAX);
   assert_true(mono_ns() - t0 < 1000000000ull);
   assert_int_equal(r.ret, -1);
   assert_int_equal(pg_sim(g).blocking_waits, 0);
   /* An unknown res_id: answered -1 (not left as it was), its seqno published. */
   pg_reserve(g, 0, 8);
   seqno = pg_wait_bo(g, 4242, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_false(pg_untouched(g, 0, 8));
   assert_int_equal(panfrost_ccmd_wait_bo_rsp_decode(g->rsp, 8, &r, &err), VDRM_OK);
   assert_int_equal(r.ret, -1);
   assert_int_equal(tg_seqno_published(g), seqno);
   /* At 4 mod 8. */
   pg_misalign(g);
   pg_reserve(g, 4, 8);
   pg_wait_bo(g, res, 0, 4);
   assert_int_equal((uintptr_t)last_msg % 8, 4);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(panfrost_ccmd_wait_bo_rsp_decode(g->rsp + 4, 8, &r, &err), VDRM_OK);
   assert_int_equal(r.ret, -1);
   g->start = 0;
   tg_free(g);
}

/* panfrost_ccmd_wait_bo_req.timeout_ns: the implicit padding before it must be zero. */
static void
upstream_defect_panfrost_ccmd_wait_bo_req_timeout_ns(void **state)
{
   struct tguest *g = TG(state);
   uint32_t res = pg_bo(g, 1, 4096, KPAN_BO_NOEXEC, NULL);
   uint64_t waits = pg_sim(g).waits;

   for (unsigned i = 20; i < 24; i++) {
      pg_reserve(g, 0, 8);
      pg_wait_bo(g, res, 0, 0);
      last_msg[i] = 0x01;
      assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
      assert_true(tg_line_has(g, "WAIT_BO", "timeout_ns", "VDRM_E_NONZERO", NULL));
      assert_true(pg_untouched(g, 0, 8));
   }
   assert_int_equal(pg_sim(g).waits, waits);
   assert_int_equal(pg_wait(g, res, 0).ret, 0);
}

/*
 * A plain-int ret: 4 bytes at ret_off, exactly 0 or -1 (never a raw
 * -errno), the rest of the answer as given and nothing past it written.
 */
static void
check_ret(struct tguest *g, uint32_t off, uint32_t size, uint32_t ret_off, int32_t want)
{
   int32_t ret;
   uint32_t len;

   memcpy(&len, g->rsp + off, 4);
   assert_int_equal(len, size);
   memcpy(&ret, g->rsp + off + ret_off, 4);
   assert_int_equal(ret, want);
   assert_true(pg_untouched(g, off + size, 8));
}

/* panfrost_ccmd_wait_bo_rsp.ret: 0 idle, -1 busy (not -EBUSY), -1 unknown. */
static void
upstream_defect_panfrost_ccmd_wait_bo_rsp_ret(void **state)
{
   struct tguest *g = TG(state);
   uint64_t va;
   uint32_t res = pg_buffer(g, 1, &va);

   pg_reserve(g, 0, 8);
   pg_wait_bo(g, res, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   check_ret(g, 0, 8, 4, 0);
   pg_submit(g, va, 0, &res, 1);
   pg_reserve(g, 0, 8);
   pg_wait_bo(g, res, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   check_ret(g, 0, 8, 4, -1);
   pg_reserve(g, 0, 8);
   pg_wait_bo(g, 999, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   check_ret(g, 0, 8, 4, -1);
}

/* panfrost_ccmd_create_bo_req.pad: non-zero refused before the kernel sees anything. */
static void
upstream_defect_panfrost_ccmd_create_bo_req_pad(void **state)
{
   struct tguest *g = TG(state);
   uint64_t ioctls = pg_sim(g).ioctls;
   uint32_t pad = 1, res;
   int fd;

   pg_create_bo(g, 1, 4096, KPAN_BO_NOEXEC);
   memcpy(last_msg + offsetof(struct panfrost_ccmd_create_bo_req, pad), &pad, 4);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "CREATE_BO", "pad", "VDRM_E_NONZERO", NULL));
   assert_int_equal(pg_sim(g).ioctls, ioctls);
   assert_int_equal(vdrm_host_blob_create(g->client, 1, 4096, VDRM_HOST_BLOB_MAPPABLE, &res, &fd),
                    VDRM_HOST_E_NOENT);
}

/* CREATE_BO's ignored ioctl result: a refused allocation files nothing (no handle-0 resource). */
static void
upstream_defect_panfrost_ccmd_create_bo_req_ignored_failure(void **state)
{
   struct tguest *g = TG(state);
   uint32_t res;
   int fd;

   pg_create_bo(g, 1, 0, KPAN_BO_NOEXEC);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "CREATE_BO", "DRM_IOCTL_PANFROST_CREATE_BO", "EINVAL", NULL));
   assert_int_equal(vdrm_host_blob_create(g->client, 1, 4096, VDRM_HOST_BLOB_MAPPABLE, &res, &fd),
                    VDRM_HOST_E_NOENT);
   assert_int_equal(tg_stats(g).objects, 0);
   /* The blob_id is free for a request that works. */
   res = pg_bo(g, 1, 4096, KPAN_BO_NOEXEC, NULL);
   assert_int_equal(pg_offset(g, res).ret, 0);
}

/*
 * panfrost_ccmd_mmap_bo_rsp: written right at rsp_off 4 mod 8, and the
 * host's fake mmap offset (which the kernel did hand out) never reaches the
 * guest.
 */
static void
upstream_defect_panfrost_ccmd_mmap_bo_rsp(void **state)
{
   struct tguest *g = TG(state);
   uint32_t res = pg_bo(g, 1, 4096, KPAN_BO_NOEXEC, NULL);
   struct panfrost_ccmd_mmap_bo_rsp r;
   struct vdrm_error err;

   pg_reserve(g, 12, 16);
   pg_mmap_bo(g, res, 0, 12);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(panfrost_ccmd_mmap_bo_rsp_decode(g->rsp + 12, 16, &r, &err), VDRM_OK);
   assert_int_equal(r.ret, 0);
   assert_int_equal(r.offset, 0);
   assert_int_equal(pg_sim(g).mmap_offsets, 1);
   assert_true(pg_sim(g).last_mmap_offset >= (1ull << 32));
   for (uint32_t i = 0; i < 8; i++)
      assert_int_equal(g->rsp[12 + 8 + i], 0);
}

/* panfrost_ccmd_mmap_bo_rsp.ret */
static void
upstream_defect_panfrost_ccmd_mmap_bo_rsp_ret(void **state)
{
   struct tguest *g = TG(state);
   uint32_t res = pg_bo(g, 1, 4096, KPAN_BO_NOEXEC, NULL);

   pg_reserve(g, 0, 16);
   pg_mmap_bo(g, res, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   check_ret(g, 0, 16, 4, 0);
   pg_reserve(g, 0, 16);
   pg_mmap_bo(g, res, 2, 0);   /* -EINVAL in the kernel */
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   check_ret(g, 0, 16, 4, -1);
   pg_reserve(g, 0, 16);
   pg_mmap_bo(g, 999, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   check_ret(g, 0, 16, 4, -1);
}

/* panfrost_ccmd_get_param_req.pad */
static void
upstream_defect_panfrost_ccmd_get_param_req_pad(void **state)
{
   struct tguest *g = TG(state);
   uint64_t before = pg_sim(g).get_params;
   uint32_t pad = 0x80000000u;

   pg_reserve(g, 0, 16);
   pg_get_param(g, KPAN_PARAM_GPU_PROD_ID, 0);
   memcpy(last_msg + offsetof(struct panfrost_ccmd_get_param_req, pad), &pad, 4);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "GET_PARAM", "pad", "VDRM_E_NONZERO", NULL));
   assert_true(pg_untouched(g, 0, 16));
   assert_int_equal(pg_sim(g).get_params, before);
}

/* panfrost_ccmd_get_param_rsp: a request at 4 mod 8 answered at rsp_off 4 mod 8. */
static void
upstream_defect_panfrost_ccmd_get_param_rsp(void **state)
{
   struct tguest *g = TG(state);
   struct panfrost_ccmd_get_param_rsp r;
   struct vdrm_error err;

   pg_misalign(g);
   pg_reserve(g, 4, 16);
   pg_get_param(g, KPAN_PARAM_SHADER_PRESENT, 4);
   assert_int_equal((uintptr_t)last_msg % 8, 4);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(panfrost_ccmd_get_param_rsp_decode(g->rsp + 4, 16, &r, &err), VDRM_OK);
   assert_int_equal(r.ret, 0);
   assert_int_equal(r.value, vdrm_sim_profile_mali_g57.shader_present);
   g->start = 0;
}

/* panfrost_ccmd_get_param_rsp.ret */
static void
upstream_defect_panfrost_ccmd_get_param_rsp_ret(void **state)
{
   struct tguest *g = TG(state);

   pg_reserve(g, 0, 16);
   pg_get_param(g, KPAN_PARAM_GPU_PROD_ID, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   check_ret(g, 0, 16, 4, 0);
   pg_reserve(g, 0, 16);
   pg_get_param(g, 1000, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   check_ret(g, 0, 16, 4, -1);
}

/* panfrost_ccmd_get_bo_offset_req.pad */
static void
upstream_defect_panfrost_ccmd_get_bo_offset_req_pad(void **state)
{
   struct tguest *g = TG(state);
   uint32_t res = pg_bo(g, 1, 4096, KPAN_BO_NOEXEC, NULL);
   uint64_t ioctls = pg_sim(g).ioctls;
   uint32_t pad = 1;

   pg_reserve(g, 0, 16);
   pg_get_bo_offset(g, res, 0);
   memcpy(last_msg + offsetof(struct panfrost_ccmd_get_bo_offset_req, pad), &pad, 4);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "GET_BO_OFFSET", "pad", "VDRM_E_NONZERO", NULL));
   assert_true(pg_untouched(g, 0, 16));
   assert_int_equal(pg_sim(g).ioctls, ioctls);
}

/* panfrost_ccmd_get_bo_offset_rsp: at 4 mod 8, the 64-bit address intact. */
static void
upstream_defect_panfrost_ccmd_get_bo_offset_rsp(void **state)
{
   struct tguest *g = TG(state);
   uint32_t res = pg_bo(g, 1, 4096, KPAN_BO_NOEXEC, NULL);
   uint64_t va = pg_offset(g, res).offset;
   struct panfrost_ccmd_get_bo_offset_rsp r;
   struct vdrm_error err;

   pg_misalign(g);
   pg_reserve(g, 20, 16);
   pg_get_bo_offset(g, res, 20);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(panfrost_ccmd_get_bo_offset_rsp_decode(g->rsp + 20, 16, &r, &err), VDRM_OK);
   assert_int_equal(r.ret, 0);
   assert_int_equal(r.offset, va);
   g->start = 0;
}

/* panfrost_ccmd_get_bo_offset_rsp.ret */
static void
upstream_defect_panfrost_ccmd_get_bo_offset_rsp_ret(void **state)
{
   struct tguest *g = TG(state);
   uint32_t res = pg_bo(g, 1, 4096, KPAN_BO_NOEXEC, NULL);
   uint64_t zero = 0;

   pg_reserve(g, 0, 16);
   pg_get_bo_offset(g, res, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   check_ret(g, 0, 16, 4, 0);
   pg_reserve(g, 0, 16);
   pg_get_bo_offset(g, 999, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   check_ret(g, 0, 16, 4, -1);
   assert_memory_equal(g->rsp + 8, &zero, 8);
}

/* panfrost_ccmd_madvise_rsp.ret: at offset 8 here, pad zero. */
static void
upstream_defect_panfrost_ccmd_madvise_rsp_ret(void **state)
{
   struct tguest *g = TG(state);
   uint32_t res = pg_bo(g, 1, 4096, KPAN_BO_NOEXEC, NULL);
   uint32_t pad;

   pg_reserve(g, 0, 16);
   pg_madvise(g, res, KPAN_MADV_DONTNEED, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   check_ret(g, 0, 16, 8, 0);
   memcpy(&pad, g->rsp + 4, 4);
   assert_int_equal(pad, 0);
   pg_reserve(g, 0, 16);
   pg_madvise(g, res, 7, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   check_ret(g, 0, 16, 8, -1);
   pg_reserve(g, 0, 16);
   pg_madvise(g, 999, KPAN_MADV_WILLNEED, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   check_ret(g, 0, 16, 8, -1);
}

/*
 * Every res_id command, named in the protocol description: an unknown
 * res_id (or the shmem's) is never "success with nothing written": SUBMIT
 * fails, the others answer ret -1 and publish their seqno; the kernel is
 * never asked with a guest's id.
 */
static void
upstream_defect_panfrost_unknown_res_id(void **state)
{
   struct tguest *g = TG(state);
   uint32_t ids[] = { 999, 0 };
   uint64_t ioctls;

   ids[1] = g->shmem_res;
   ioctls = pg_sim(g).ioctls;
   for (unsigned i = 0; i < 2; i++) {
      uint32_t seqno;

      pg_reserve(g, 0, 16);
      pg_reserve(g, 32, 16);
      pg_reserve(g, 64, 16);
      pg_reserve(g, 96, 16);
      pg_wait_bo(g, ids[i], 0, 0);
      pg_mmap_bo(g, ids[i], 0, 32);
      pg_get_bo_offset(g, ids[i], 64);
      seqno = pg_madvise(g, ids[i], KPAN_MADV_WILLNEED, 96);
      assert_int_equal(tg_flush(g), VDRM_HOST_OK);
      assert_int_equal(tg_seqno_published(g), seqno);
      check_ret(g, 0, 8, 4, -1);
      check_ret(g, 32, 16, 4, -1);
      check_ret(g, 64, 16, 4, -1);
      check_ret(g, 96, 16, 8, -1);
      pg_submit(g, 0x1000, 0, &ids[i], 1);
      assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
      assert_int_equal(tg_seqno_published(g), seqno);
   }
   assert_int_equal(pg_sim(g).ioctls, ioctls);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, pg_setup, tg_teardown)
   const struct CMUnitTest tests[] = {
      T(capset_has_no_panfrost_part),
      T(one_ring_only),
      cmocka_unit_test(shmem_is_plain_vdrm_shmem),
      T(get_param_answers_the_g57_profile),
      T(get_param_unknown_is_ret_minus_one),
      T(get_param_response_outside_region_rejected),
      T(create_bo_places_buffers_in_gpu_va),
      T(create_bo_heap_rounds_to_2m),
      T(create_bo_kernel_refusals_fail_the_request),
      T(create_bo_blob_id_checks),
      cmocka_unit_test(create_bo_limits),
      cmocka_unit_test(create_bo_gpu_va_exhausted),
      T(blob_size_mismatch_keeps_the_buffer),
      T(mmap_bo_answers),
      T(get_bo_offset_answers),
      T(wait_bo_idle_and_busy),
      T(madvise_and_reclaim),
      T(madvise_busy_buffer_not_reclaimed),
      T(madvise_bad_value),
      T(submit_runs_the_job_and_fences_follow_it),
      T(submit_implicit_sync_and_slots),
      T(submit_without_buffers),
      T(submit_kernel_refusals_reject),
      T(submit_faults_counted),
      cmocka_unit_test(submit_pending_limit),
      T(rejected_request_ends_the_batch),
      cmocka_unit_test_setup_teardown(upstream_defect_panfrost_ccmd_submit_req, pg_setup, tg_teardown),
      cmocka_unit_test(upstream_defect_panfrost_ccmd_wait_bo_req),
      cmocka_unit_test_setup_teardown(upstream_defect_panfrost_ccmd_wait_bo_req_timeout_ns, pg_setup, tg_teardown),
      cmocka_unit_test_setup_teardown(upstream_defect_panfrost_ccmd_wait_bo_rsp_ret, pg_setup, tg_teardown),
      cmocka_unit_test_setup_teardown(upstream_defect_panfrost_ccmd_create_bo_req_pad, pg_setup, tg_teardown),
      cmocka_unit_test_setup_teardown(upstream_defect_panfrost_ccmd_create_bo_req_ignored_failure, pg_setup, tg_teardown),
      cmocka_unit_test_setup_teardown(upstream_defect_panfrost_ccmd_mmap_bo_rsp, pg_setup, tg_teardown),
      cmocka_unit_test_setup_teardown(upstream_defect_panfrost_ccmd_mmap_bo_rsp_ret, pg_setup, tg_teardown),
      cmocka_unit_test_setup_teardown(upstream_defect_panfrost_ccmd_get_param_req_pad, pg_setup, tg_teardown),
      cmocka_unit_test_setup_teardown(upstream_defect_panfrost_ccmd_get_param_rsp, pg_setup, tg_teardown),
      cmocka_unit_test_setup_teardown(upstream_defect_panfrost_ccmd_get_param_rsp_ret, pg_setup, tg_teardown),
      cmocka_unit_test_setup_teardown(upstream_defect_panfrost_ccmd_get_bo_offset_req_pad, pg_setup, tg_teardown),
      cmocka_unit_test_setup_teardown(upstream_defect_panfrost_ccmd_get_bo_offset_rsp, pg_setup, tg_teardown),
      cmocka_unit_test_setup_teardown(upstream_defect_panfrost_ccmd_get_bo_offset_rsp_ret, pg_setup, tg_teardown),
      cmocka_unit_test_setup_teardown(upstream_defect_panfrost_ccmd_madvise_rsp_ret, pg_setup, tg_teardown),
      cmocka_unit_test_setup_teardown(upstream_defect_panfrost_unknown_res_id, pg_setup, tg_teardown),
   };
#undef T

   return cmocka_run_group_tests(tests, NULL, NULL);
}
