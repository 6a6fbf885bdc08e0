/* SPDX-License-Identifier: MIT */

/*
 * The i915 handlers on the sim's i915 device (Tiger Lake): every command,
 * success and each failure path, through guest_base.h's test guest, its
 * requests built with the generated encoders and its answers read with the
 * generated decoders;
 * then every defect of generated/doc/i915.md's "Upstream defects" section
 * made impossible, one test each, named upstream_defect_<the defect's name>
 * (check_defects.py fails when a listed defect has no such test).
 */

#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "guest_base.h"
#include "i915_codec.h"
#include "i915_kernel.h"
#include "sim_i915.h"
#include "vdrm_host.h"

struct ig_opts {
   const struct vdrm_sim_i915_profile *profile;
   bool privileged;
   bool set_limits;
   struct vdrm_host_limits limits;
   uint32_t shmem_size;   /* 0: 8192 */
};

/* Everything the host made the kernel allocate is gone with it. */
static void
drained(struct vdrm_backend *dev)
{
   struct vdrm_sim_i915_stats s;

   vdrm_sim_advance(dev, 10000000000ull);
   vdrm_sim_i915_get_stats(dev, &s);
   assert_int_equal(s.files, 0);
   assert_int_equal(s.objects, 0);
   assert_int_equal(s.contexts, 0);
   assert_int_equal(s.vms, 0);
   assert_int_equal(s.bindings, 0);
   assert_int_equal(s.pending, 0);
   assert_int_equal(s.fences, 0);
}

static struct tguest *
ig_new(const struct ig_opts *opts)
{
   static const struct ig_opts defaults;
   const struct ig_opts *o = opts ? opts : &defaults;
   struct tguest *g = tg_alloc();
   struct vdrm_sim_i915_config sc = {
      .profile = o->profile, .clock = VDRM_SIM_CLOCK_MANUAL, .submit_ns = 1000, .privileged = o->privileged,
   };

   assert_int_equal(vdrm_sim_i915_create(&sc, &g->sim), 0);
   tg_init(g, &(struct tg_config){
      .name = "i915 guest",
      .shmem_header = sizeof(struct i915_shmem),
      .shmem_size = o->shmem_size ? o->shmem_size : 8192,
      .limits = o->set_limits ? &o->limits : NULL,
      .drained = drained,
   });
   return g;
}

static struct vdrm_sim_i915_stats
sim(struct tguest *g)
{
   struct vdrm_sim_i915_stats s;

   vdrm_sim_i915_get_stats(g->sim, &s);
   return s;
}

static int
setup(void **state)
{
   *state = ig_new(NULL);
   return 0;
}

static uint64_t
banned_mask(struct tguest *g)
{
   return __atomic_load_n((uint64_t *)(void *)(g->shmem + offsetof(struct i915_shmem, banned_ctx_mask)),
                          __ATOMIC_ACQUIRE);
}

/* A response slot marked as a guest marks it before sending. */
static void
reserve(struct tguest *g, uint32_t off, uint32_t size)
{
   memset(g->rsp + off, 0, size);
   memcpy(g->rsp + off, &size, sizeof(size));
}

static uint32_t
rsp_len(struct tguest *g, uint32_t off)
{
   uint32_t v;

   memcpy(&v, g->rsp + off, sizeof(v));
   return v;
}

/* ---- request builders ---- */

static void
ioctl_req(struct tguest *g, uint32_t cmd, const void *arg, uint32_t rsp_off)
{
   struct i915_ccmd_ioctl_simple_req req = { .hdr = tg_hdr(g, rsp_off), .cmd = cmd, .pad = 0xdeadbeef };
   size_t len;

   reserve(g, rsp_off, 64);
   assert_int_equal(i915_ccmd_ioctl_simple_req_encode(TG_ROOM(g), &req, arg, &len), VDRM_OK);
   g->len += len;
}

/* Runs one IOCTL_SIMPLE alone; its ret, the argument after the call in out (may be NULL). */
static int
do_ioctl(struct tguest *g, uint32_t cmd, const void *arg, void *out)
{
   struct i915_ccmd_ioctl_simple_rsp rsp;
   struct i915_ccmd_ioctl_simple_rsp_view view;

   ioctl_req(g, cmd, arg, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(i915_ccmd_ioctl_simple_rsp_decode(g->rsp, rsp_len(g, 0), &rsp, &view, NULL), VDRM_OK);
   if (out)
      memcpy(out, view.payload.data, view.payload.size);
   return rsp.ret;
}

static int
getparam(struct tguest *g, uint32_t param, uint32_t *value)
{
   struct i915_ccmd_getparam_req req = { .hdr = tg_hdr(g, 0), .param = param, .value = 0x5a5a5a5a };
   struct i915_ccmd_getparam_rsp rsp;
   size_t len;

   reserve(g, 0, 64);
   assert_int_equal(i915_ccmd_getparam_req_encode(TG_ROOM(g), &req, &len), VDRM_OK);
   g->len += len;
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(i915_ccmd_getparam_rsp_decode(g->rsp, rsp_len(g, 0), &rsp, NULL), VDRM_OK);
   *value = rsp.value;
   return rsp.ret;
}

/* QUERYPARAM: ret, the item length in *length, the payload copied to data. */
static int
query(struct tguest *g, uint32_t id, uint32_t length, uint32_t flags, int32_t *out_len, void *data)
{
   struct i915_ccmd_queryparam_req req = { .hdr = tg_hdr(g, 0), .query_id = id, .length = length, .flags = flags };
   struct i915_ccmd_queryparam_rsp rsp;
   struct i915_ccmd_queryparam_rsp_view view;
   size_t len;

   /* The guest's reserved length bounds what the host writes. */
   reserve(g, 0, 16 + length);
   assert_int_equal(i915_ccmd_queryparam_req_encode(TG_ROOM(g), &req, &len), VDRM_OK);
   g->len += len;
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(i915_ccmd_queryparam_rsp_decode(g->rsp, rsp_len(g, 0), &rsp, &view, NULL), VDRM_OK);
   assert_int_equal(view.payload.size, length);
   if (data)
      memcpy(data, view.payload.data, view.payload.size);
   *out_len = rsp.length;
   return rsp.ret;
}

static void
gem_create_req(struct tguest *g, uint32_t blob_id, uint64_t size)
{
   struct i915_ccmd_gem_create_req req = { .hdr = tg_hdr(g, 0), .size = size, .blob_id = blob_id };
   size_t len;

   assert_int_equal(i915_ccmd_gem_create_req_encode(TG_ROOM(g), &req, &len), VDRM_OK);
   g->len += len;
}

static void
gem_create_ext_req(struct tguest *g, uint32_t blob_id, uint64_t size, uint32_t flags, const void *ext,
                   uint32_t ext_size)
{
   struct i915_ccmd_gem_create_ext_req req = {
      .hdr = tg_hdr(g, 0), .size = size, .blob_id = blob_id, .gem_flags = flags, .ext_size = ext_size,
   };
   size_t len;

   assert_int_equal(i915_ccmd_gem_create_ext_req_encode(TG_ROOM(g), &req, ext, &len), VDRM_OK);
   g->len += len;
}

/* A buffer and its blob (RESOURCE_CREATE_BLOB after its GEM_CREATE); res_id, fd kept if fd. */
static uint32_t
bo(struct tguest *g, uint32_t blob_id, uint64_t size, int *fd)
{
   uint32_t res;
   int bfd;

   gem_create_req(g, blob_id, size);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(vdrm_host_blob_create(g->client, blob_id, size, VDRM_HOST_BLOB_MAPPABLE | VDRM_HOST_BLOB_SHAREABLE,
                                          &res, &bfd), VDRM_HOST_OK);
   if (fd)
      *fd = bfd;
   else
      close(bfd);
   return res;
}

static void
context_create_req(struct tguest *g, uint32_t flags, const void *params, uint32_t size, uint32_t rsp_off)
{
   struct i915_ccmd_gem_context_create_req req = { .hdr = tg_hdr(g, rsp_off), .flags = flags, .params_size = size };
   size_t len;

   reserve(g, rsp_off, 64);
   assert_int_equal(i915_ccmd_gem_context_create_req_encode(TG_ROOM(g), &req, params, &len), VDRM_OK);
   g->len += len;
}

static int
context_create(struct tguest *g, uint32_t flags, const void *params, uint32_t size, uint32_t *ctx_id)
{
   struct i915_ccmd_gem_context_create_rsp rsp;

   context_create_req(g, flags, params, size, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(i915_ccmd_gem_context_create_rsp_decode(g->rsp, rsp_len(g, 0), &rsp, NULL), VDRM_OK);
   *ctx_id = rsp.ctx_id;
   return rsp.ret;
}

/* A setparam record (and data) appended at p; returns the bytes written. */
static size_t
setparam(uint8_t *p, uint64_t param, uint64_t value, const void *data, uint32_t size)
{
   struct drm_i915_gem_context_create_ext_setparam sp = {
      .base = { .next_extension = 0xfeedfacecafe0000ull, .name = KI915_CONTEXT_CREATE_EXT_SETPARAM },
      .param = { .size = size, .param = param, .value = value },
   };

   memcpy(p, &sp, sizeof(sp));
   if (size)
      memcpy(p + sizeof(sp), data, size);
   return sizeof(sp) + size;
}

static void
execbuf_req(struct tguest *g, uint64_t flags, uint64_t ctx_id, const struct drm_i915_gem_exec_object2 *objs,
            uint32_t n, const struct drm_i915_gem_relocation_entry *relocs, uint32_t m, uint32_t batch_len)
{
   struct i915_ccmd_gem_execbuffer2_req req = {
      .hdr = tg_hdr(g, 0), .flags = flags, .context_id = ctx_id, .buffer_count = n,
      .batch_len = batch_len, .relocs_count = m,
   };
   size_t len;

   reserve(g, 0, 64);
   assert_int_equal(i915_ccmd_gem_execbuffer2_req_encode(TG_ROOM(g), &req, objs, relocs, &len), VDRM_OK);
   g->len += len;
}

static int
exec_ret(struct tguest *g)
{
   struct i915_ccmd_gem_execbuffer2_rsp rsp;

   assert_int_equal(i915_ccmd_gem_execbuffer2_rsp_decode(g->rsp, rsp_len(g, 0), &rsp, NULL), VDRM_OK);
   return rsp.ret;
}

static void
mmap_mode_req(struct tguest *g, uint32_t res, uint32_t mode)
{
   struct i915_ccmd_gem_set_mmap_mode_req req = { .hdr = tg_hdr(g, 0), .res_id = res, .flags = mode };
   size_t len;

   assert_int_equal(i915_ccmd_gem_set_mmap_mode_req_encode(TG_ROOM(g), &req, &len), VDRM_OK);
   g->len += len;
}

static int
busy(struct tguest *g, uint32_t res, int32_t *word)
{
   struct i915_ccmd_gem_busy_req req = { .hdr = tg_hdr(g, 0), .res_id = res };
   struct i915_ccmd_gem_busy_rsp rsp;
   size_t len;

   reserve(g, 0, 64);
   assert_int_equal(i915_ccmd_gem_busy_req_encode(TG_ROOM(g), &req, &len), VDRM_OK);
   g->len += len;
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(i915_ccmd_gem_busy_rsp_decode(g->rsp, rsp_len(g, 0), &rsp, NULL), VDRM_OK);
   *word = rsp.busy;
   return rsp.ret;
}

static uint32_t
vm_create(struct tguest *g)
{
   struct drm_i915_gem_vm_control v = { 0 };

   assert_int_equal(do_ioctl(g, KI915_IOCTL_GEM_VM_CREATE, &v, &v), 0);
   assert_true(v.vm_id != 0);
   return v.vm_id;
}

static uint32_t
ctx_simple(struct tguest *g)
{
   struct drm_i915_gem_context_create c = { 0 };

   assert_int_equal(do_ioctl(g, KI915_IOCTL_GEM_CONTEXT_CREATE, &c, &c), 0);
   assert_true(c.ctx_id != 0);
   return c.ctx_id;
}

static uint64_t
read_u64(int fd, uint64_t off)
{
   uint64_t v = 0;

   assert_int_equal(pread(fd, &v, sizeof(v), (off_t)off), (ssize_t)sizeof(v));
   return v;
}

/* ---- capset, params, queries ---- */

static void
capset_is_tiger_lake(void **state)
{
   struct tguest *g = TG(state);
   struct virgl_renderer_capset_drm caps;
   size_t size;

   assert_int_equal(vdrm_host_get_capset(g->host, VDRM_HOST_CAPSET_DRM, 0, &caps, sizeof(caps), &size), VDRM_HOST_OK);
   assert_int_equal(caps.context_type, VIRTGPU_DRM_CONTEXT_I915);
   assert_int_equal(caps.wire_format_version, 1);
   assert_int_equal(caps.version_major, KI915_VERSION_MAJOR);
   assert_int_equal(caps.u.intel.pci_device_id, 0x9a49);
   assert_int_equal(caps.u.intel.pci_revision_id, 1);
   assert_int_equal(caps.u.intel.pci_dev, 2);
   assert_int_equal(vdrm_host_num_rings(g->client), 64);
}

static void
getparam_answers(void **state)
{
   struct tguest *g = TG(state);
   uint32_t v;

   assert_int_equal(getparam(g, KI915_PARAM_CHIPSET_ID, &v), 0);
   assert_int_equal(v, 0x9a49);
   assert_int_equal(getparam(g, KI915_PARAM_REVISION, &v), 0);
   assert_int_equal(v, 1);
   assert_int_equal(getparam(g, KI915_PARAM_HAS_EXEC_SOFTPIN, &v), 0);
   assert_int_equal(v, 1);
   assert_int_equal(getparam(g, KI915_PARAM_EU_TOTAL, &v), 0);
   assert_int_equal(v, 96);
   assert_int_equal(getparam(g, KI915_PARAM_HAS_SECURE_BATCHES, &v), 0);
   assert_int_equal(v, 0);   /* not privileged */
   /* What the kernel refuses: a positive errno and value -1. */
   assert_int_equal(getparam(g, 999, &v), EINVAL);
   assert_int_equal(v, 0xffffffffu);
   assert_int_equal(getparam(g, 1, &v), EINVAL);
}

static void
getparam_mmap_gtt_version_capped(void **state)
{
   struct vdrm_sim_i915_profile p = vdrm_sim_profile_tgl;
   struct ig_opts o = { .profile = &p };
   struct tguest *g;
   uint32_t v;

   (void)state;
   p.param[KI915_PARAM_MMAP_GTT_VERSION] = 6;
   g = ig_new(&o);
   assert_int_equal(getparam(g, KI915_PARAM_MMAP_GTT_VERSION, &v), 0);
   assert_int_equal(v, 4);
   tg_free(g);
}

static void
getparam_without_shmem_room_rejected(void **state)
{
   struct tguest *g = TG(state);
   struct i915_ccmd_getparam_req req = { .hdr = tg_hdr(g, g->rsp_size - 8), .param = KI915_PARAM_CHIPSET_ID };
   size_t len;

   assert_int_equal(i915_ccmd_getparam_req_encode(TG_ROOM(g), &req, &len), VDRM_OK);
   g->len += len;
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "GETPARAM", "VDRM_E_RSP_BOUNDS", NULL));
}

static void
queryparam_engines_two_step(void **state)
{
   struct tguest *g = TG(state);
   uint8_t buf[1024];
   int32_t n;
   struct drm_i915_query_engine_info h;
   struct drm_i915_engine_info e;

   assert_int_equal(query(g, KI915_QUERY_ENGINE_INFO, 0, 0, &n, NULL), 0);
   assert_int_equal(n, 16 + 5 * 56);
   assert_int_equal(query(g, KI915_QUERY_ENGINE_INFO, (uint32_t)n, 0, &n, buf), 0);
   memcpy(&h, buf, sizeof(h));
   assert_int_equal(h.num_engines, 5);
   memcpy(&e, buf + 16 + 2 * 56, sizeof(e));
   assert_int_equal(e.engine.engine_class, KI915_ENGINE_CLASS_VIDEO);
   assert_int_equal(e.capabilities, 3);
   /* Too small a buffer: the item fails, the ioctl does not. */
   assert_int_equal(query(g, KI915_QUERY_ENGINE_INFO, 16, 0, &n, buf), 0);
   assert_int_equal(n, -EINVAL);
}

static void
queryparam_regions_topology_and_errors(void **state)
{
   struct tguest *g = TG(state);
   uint8_t buf[512];
   struct drm_i915_query_memory_regions h;
   struct drm_i915_memory_region_info r;
   struct drm_i915_query_topology_info t;
   int32_t n;

   assert_int_equal(query(g, KI915_QUERY_MEMORY_REGIONS, 16 + 88, 0, &n, buf), 0);
   assert_int_equal(n, 16 + 88);
   memcpy(&h, buf, sizeof(h));
   memcpy(&r, buf + 16, sizeof(r));
   assert_int_equal(h.num_regions, 1);
   assert_int_equal(r.region.memory_class, KI915_MEMORY_CLASS_SYSTEM);
   assert_int_equal(r.probed_size, 16ull << 30);
   assert_int_equal(query(g, KI915_QUERY_TOPOLOGY_INFO, 0, 0, &n, NULL), 0);
   assert_int_equal(query(g, KI915_QUERY_TOPOLOGY_INFO, (uint32_t)n, 0, &n, buf), 0);
   memcpy(&t, buf, sizeof(t));
   assert_int_equal(t.max_subslices, 6);
   assert_int_equal(buf[16], 1);                      /* slice mask */
   assert_int_equal(buf[16 + t.subslice_offset], 0x3f);
   assert_int_equal(query(g, KI915_QUERY_GUC_SUBMISSION_VERSION, 16, 0, &n, buf), 0);
   assert_int_equal(n, -ENODEV);
   assert_int_equal(query(g, 77, 0, 0, &n, NULL), 0);
   assert_int_equal(n, -EINVAL);
   assert_int_equal(query(g, KI915_QUERY_ENGINE_INFO, 0, 1, &n, NULL), 0);
   assert_int_equal(n, -EINVAL);
}

static void
queryparam_past_response_region_rejected(void **state)
{
   struct tguest *g = TG(state);
   struct i915_ccmd_queryparam_req req = { .hdr = tg_hdr(g, 0), .query_id = 2, .length = g->rsp_size };
   size_t len;

   reserve(g, 0, 16);
   assert_int_equal(i915_ccmd_queryparam_req_encode(TG_ROOM(g), &req, &len), VDRM_OK);
   g->len += len;
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "QUERYPARAM", "VDRM_E_RSP_BOUNDS", NULL));
   assert_int_equal(rsp_len(g, 0), 16);   /* nothing written */
}

/* ---- buffers ---- */

static void
gem_create_blob_maps_the_buffer(void **state)
{
   struct tguest *g = TG(state);
   int fd;
   uint32_t res = bo(g, 1, 5000, &fd);
   uint8_t *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
   struct vdrm_host_stats st;

   assert_true(res != 0);
   assert_true(p != MAP_FAILED);
   p[8191] = 0x42;   /* the kernel rounded the buffer to two pages */
   munmap(p, 8192);
   assert_int_equal(sim(g).last_create_size, 0);   /* GEM_CREATE, not _EXT */
   vdrm_host_get_stats(g->client, &st);
   assert_int_equal(st.objects, 1);
   assert_int_equal(st.buffer_bytes, 8192);
   close(fd);
   assert_int_equal(vdrm_host_resource_unref(g->client, res), VDRM_HOST_OK);
   assert_int_equal(sim(g).objects, 0);
}

static void
gem_create_failures(void **state)
{
   struct tguest *g = TG(state);
   uint32_t res;
   int fd;

   /* A blob id already awaiting its blob. */
   gem_create_req(g, 7, 4096);
   gem_create_req(g, 7, 4096);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "GEM_CREATE", "blob_id", "awaits its blob", NULL));
   /* The kernel refuses size 0: no buffer, and the blob creation finds none. */
   gem_create_req(g, 8, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "GEM_CREATE", "DRM_IOCTL_I915_GEM_CREATE failed", "EINVAL", NULL));
   assert_int_equal(vdrm_host_blob_create(g->client, 8, 4096, VDRM_HOST_BLOB_MAPPABLE, &res, &fd), VDRM_HOST_E_NOENT);
   /* blob_id 0 is the decoder's to refuse. */
   gem_create_req(g, 0, 4096);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "GEM_CREATE", "blob_id", NULL));
   /* The first one is still there for its blob. */
   assert_int_equal(vdrm_host_blob_create(g->client, 7, 4096, VDRM_HOST_BLOB_MAPPABLE, &res, &fd), VDRM_HOST_OK);
   close(fd);
}

static void
gem_create_limits(void **state)
{
   struct ig_opts o = { .set_limits = true };
   struct tguest *g;

   (void)state;
   for (int i = 0; i < VDRM_HOST_LIMIT_COUNT; i++)
      o.limits.max[i] = vdrm_host_limit_default(i);
   o.limits.max[VDRM_HOST_LIMIT_OBJECTS] = 1;
   o.limits.max[VDRM_HOST_LIMIT_BUFFER_BYTES] = 1 << 20;
   g = ig_new(&o);
   gem_create_req(g, 1, 2 << 20);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "GEM_CREATE", "max_buffer_bytes", NULL));
   gem_create_req(g, 1, 4096);
   gem_create_req(g, 2, 4096);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "GEM_CREATE", "max_objects", NULL));
   assert_int_equal(sim(g).objects, 1);
   tg_free(g);
}

static void
gem_create_ext_regions_and_pat(void **state)
{
   struct tguest *g = TG(state);
   uint8_t ext[256];
   size_t n = 0;
   struct drm_i915_gem_create_ext_memory_regions m = {
      .base = { .next_extension = 0x4141414141414141ull, .name = KI915_GEM_CREATE_EXT_MEMORY_REGIONS },
      .num_regions = 1, .regions = 0x7fff00001000ull,   /* guest addresses: never used */
   };
   struct drm_i915_gem_memory_class_instance sys = { KI915_MEMORY_CLASS_SYSTEM, 0 };
   struct drm_i915_gem_create_ext_set_pat sp = {
      .base = { .next_extension = 0x99, .name = KI915_GEM_CREATE_EXT_SET_PAT }, .pat_index = 1,
   };
   uint32_t res;
   int fd;

   memcpy(ext + n, &m, sizeof(m));
   n += sizeof(m);
   memcpy(ext + n, &sys, sizeof(sys));
   n += sizeof(sys);
   memcpy(ext + n, &sp, sizeof(sp));
   n += sizeof(sp);
   gem_create_ext_req(g, 3, 100, 0, ext, (uint32_t)n);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(sim(g).last_create_pat, 1);
   assert_int_equal(sim(g).last_create_regions, 1);
   assert_int_equal(sim(g).last_create_size, 4096);
   assert_int_equal(sim(g).chain_records, 2);
   assert_int_equal(vdrm_host_blob_create(g->client, 3, 4096, VDRM_HOST_BLOB_MAPPABLE, &res, &fd), VDRM_HOST_OK);
   close(fd);
   /* No extensions at all. */
   gem_create_ext_req(g, 4, 4096, 0, NULL, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(sim(g).last_create_pat, -1);
}

static void
gem_create_ext_failures(void **state)
{
   struct tguest *g = TG(state);
   struct drm_i915_gem_create_ext_set_pat sp = { .base = { .name = KI915_GEM_CREATE_EXT_SET_PAT }, .pat_index = 9 };
   struct i915_user_extension unknown = { .name = 7 };
   struct drm_i915_gem_create_ext_memory_regions m = {
      .base = { .name = KI915_GEM_CREATE_EXT_MEMORY_REGIONS }, .num_regions = 3,
   };

   /* The kernel's refusal (no PAT index 9 on this device) fails the request. */
   gem_create_ext_req(g, 1, 4096, 0, &sp, sizeof(sp));
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "GEM_CREATE_EXT", "DRM_IOCTL_I915_GEM_CREATE_EXT failed", "EINVAL", NULL));
   /* A record the protocol does not know never reaches the kernel. */
   gem_create_ext_req(g, 1, 4096, 0, &unknown, sizeof(unknown));
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "GEM_CREATE_EXT", "extensions[].name", NULL));
   /* Regions that run past ext_size. */
   gem_create_ext_req(g, 1, 4096, 0, &m, sizeof(m));
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "GEM_CREATE_EXT", "region_list", "VDRM_E_TRUNCATED", NULL));
   /* NEEDS_CPU_ACCESS means nothing without local memory: the kernel refuses it. */
   gem_create_ext_req(g, 1, 4096, KI915_GEM_CREATE_EXT_FLAG_NEEDS_CPU_ACCESS, NULL, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_int_equal(sim(g).objects, 0);
   assert_int_equal(sim(g).create_ext_calls, 2);
}

static void
set_mmap_mode(void **state)
{
   struct tguest *g = TG(state);
   uint32_t res = bo(g, 1, 4096, NULL);

   mmap_mode_req(g, res, KI915_MMAP_OFFSET_WC);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(sim(g).last_mmap_mode, KI915_MMAP_OFFSET_WC);
   mmap_mode_req(g, res, KI915_MMAP_OFFSET_WB);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(sim(g).last_mmap_mode, KI915_MMAP_OFFSET_WB);
   /* FIXED is for local memory: the kernel refuses it on Tiger Lake. */
   mmap_mode_req(g, res, KI915_MMAP_OFFSET_FIXED);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "GEM_SET_MMAP_MODE", "ENODEV", NULL));
   /* A res_id the context does not know (the deployed host accepts it silently). */
   mmap_mode_req(g, res + 100, KI915_MMAP_OFFSET_WC);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "GEM_SET_MMAP_MODE", "res_id", "not a buffer resource", NULL));
   mmap_mode_req(g, res, 5);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "GEM_SET_MMAP_MODE", "flags", NULL));
}

/* ---- IOCTL_SIMPLE ---- */

static void
ioctl_domain_and_tiling(void **state)
{
   struct tguest *g = TG(state);
   uint32_t res = bo(g, 1, 65536, NULL);
   struct drm_i915_gem_set_domain d = { .handle = res, .read_domains = 0x1, .write_domain = 0x1 };
   struct drm_i915_gem_set_tiling st = { .handle = res, .tiling_mode = KI915_TILING_X, .stride = 1024 };
   struct drm_i915_gem_get_tiling gt = { .handle = res };

   assert_int_equal(do_ioctl(g, KI915_IOCTL_GEM_SET_DOMAIN, &d, NULL), 0);
   d.write_domain = 0x2;   /* a GPU domain: the kernel refuses */
   assert_int_equal(do_ioctl(g, KI915_IOCTL_GEM_SET_DOMAIN, &d, NULL), EINVAL);
   d = (struct drm_i915_gem_set_domain){ .handle = res + 50, .read_domains = 0x1 };
   assert_int_equal(do_ioctl(g, KI915_IOCTL_GEM_SET_DOMAIN, &d, NULL), EINVAL);

   assert_int_equal(do_ioctl(g, KI915_IOCTL_GEM_SET_TILING, &st, &st), 0);
   assert_int_equal(st.handle, res);   /* the guest's name comes back, not the host's handle */
   assert_int_equal(st.swizzle_mode, KI915_BIT_6_SWIZZLE_NONE);
   assert_int_equal(do_ioctl(g, KI915_IOCTL_GEM_GET_TILING, &gt, &gt), 0);
   assert_int_equal(gt.handle, res);
   assert_int_equal(gt.tiling_mode, KI915_TILING_X);
   st = (struct drm_i915_gem_set_tiling){ .handle = res, .tiling_mode = KI915_TILING_Y, .stride = 100 };
   assert_int_equal(do_ioctl(g, KI915_IOCTL_GEM_SET_TILING, &st, NULL), EINVAL);
   /* Unknown res_id: EINVAL and a zeroed argument, the kernel not asked. */
   st = (struct drm_i915_gem_set_tiling){ .handle = 999, .tiling_mode = KI915_TILING_X, .stride = 512 };
   assert_int_equal(do_ioctl(g, KI915_IOCTL_GEM_SET_TILING, &st, &st), EINVAL);
   assert_int_equal(st.tiling_mode, 0);
   gt.handle = 999;
   assert_int_equal(do_ioctl(g, KI915_IOCTL_GEM_GET_TILING, &gt, NULL), EINVAL);
}

static void
ioctl_aperture_and_reg_read(void **state)
{
   struct tguest *g = TG(state);
   struct drm_i915_gem_get_aperture ap = { 0 };
   struct drm_i915_reg_read r = { .offset = KI915_REG_RENDER_RING_TIMESTAMP | KI915_REG_READ_8B_WA };

   assert_int_equal(do_ioctl(g, KI915_IOCTL_GEM_GET_APERTURE, &ap, &ap), 0);
   assert_int_equal(ap.aper_size, 4ull << 30);
   assert_true(ap.aper_available_size < ap.aper_size);
   vdrm_sim_advance(g->sim, 1000000000ull);
   assert_int_equal(do_ioctl(g, KI915_IOCTL_REG_READ, &r, &r), 0);
   assert_int_equal(r.val, 19200000);
   r.offset = 0x1000;
   assert_int_equal(do_ioctl(g, KI915_IOCTL_REG_READ, &r, NULL), EINVAL);
}

static void
ioctl_contexts(void **state)
{
   struct tguest *g = TG(state);
   uint32_t c1 = ctx_simple(g), c2 = ctx_simple(g);
   struct drm_i915_gem_context_create bad = { .pad = 0x80 };
   struct drm_i915_gem_context_destroy d = { .ctx_id = c1 };
   struct drm_i915_gem_context_param p = { .ctx_id = c2, .param = KI915_CONTEXT_PARAM_GTT_SIZE };

   assert_true(c1 != c2);
   assert_int_equal(sim(g).contexts, 2);
   /* Flags the kernel does not know. */
   assert_int_equal(do_ioctl(g, KI915_IOCTL_GEM_CONTEXT_CREATE, &bad, NULL), EINVAL);
   assert_int_equal(do_ioctl(g, KI915_IOCTL_GEM_CONTEXT_GETPARAM, &p, &p), 0);
   assert_int_equal(p.value, 1ull << 48);
   assert_int_equal(do_ioctl(g, KI915_IOCTL_GEM_CONTEXT_DESTROY, &d, NULL), 0);
   assert_int_equal(sim(g).contexts, 1);
   /* Destroyed, never created, the default context: ENOENT without the kernel. */
   assert_int_equal(do_ioctl(g, KI915_IOCTL_GEM_CONTEXT_DESTROY, &d, NULL), ENOENT);
   d.ctx_id = 4242;
   assert_int_equal(do_ioctl(g, KI915_IOCTL_GEM_CONTEXT_DESTROY, &d, NULL), ENOENT);
   d.ctx_id = 0;
   assert_int_equal(do_ioctl(g, KI915_IOCTL_GEM_CONTEXT_DESTROY, &d, NULL), ENOENT);
   p.ctx_id = c1;
   assert_int_equal(do_ioctl(g, KI915_IOCTL_GEM_CONTEXT_GETPARAM, &p, NULL), ENOENT);
   /* pad of CONTEXT_DESTROY is the decoder's. */
   {
      struct drm_i915_gem_context_destroy dp = { .ctx_id = c2, .pad = 1 };

      ioctl_req(g, KI915_IOCTL_GEM_CONTEXT_DESTROY, &dp, 0);
      assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
      assert_true(tg_line_has(g, "IOCTL_SIMPLE", "payload.pad", NULL));
   }
}

static void
ioctl_context_params(void **state)
{
   struct tguest *g = TG(state);
   uint32_t c = ctx_simple(g), vm = vm_create(g);
   struct drm_i915_gem_context_param p = { .ctx_id = c, .param = KI915_CONTEXT_PARAM_PRIORITY };

   assert_int_equal(do_ioctl(g, KI915_IOCTL_GEM_CONTEXT_SETPARAM, &p, NULL), 0);
   /* Any priority but the default, raised or lowered (the protocol's rule). */
   p.value = 1;
   assert_int_equal(do_ioctl(g, KI915_IOCTL_GEM_CONTEXT_SETPARAM, &p, NULL), EPERM);
   p.value = (uint64_t)-5;
   assert_int_equal(do_ioctl(g, KI915_IOCTL_GEM_CONTEXT_SETPARAM, &p, NULL), EPERM);
   assert_int_equal(do_ioctl(g, KI915_IOCTL_GEM_CONTEXT_GETPARAM, &p, NULL), EPERM);
   p.value = 0;
   assert_int_equal(do_ioctl(g, KI915_IOCTL_GEM_CONTEXT_GETPARAM, &p, &p), 0);
   assert_int_equal(p.value, 0);
   p = (struct drm_i915_gem_context_param){ .ctx_id = c, .param = KI915_CONTEXT_PARAM_RECOVERABLE };
   assert_int_equal(do_ioctl(g, KI915_IOCTL_GEM_CONTEXT_SETPARAM, &p, NULL), 0);
   assert_int_equal(do_ioctl(g, KI915_IOCTL_GEM_CONTEXT_GETPARAM, &p, &p), 0);
   assert_int_equal(p.value, 0);
   /* GETPARAM VM hands out a new id, which the context then owns. */
   p = (struct drm_i915_gem_context_param){ .ctx_id = c, .param = KI915_CONTEXT_PARAM_VM };
   assert_int_equal(do_ioctl(g, KI915_IOCTL_GEM_CONTEXT_GETPARAM, &p, &p), 0);
   assert_true(p.value != 0 && p.value != vm);
   assert_int_equal(sim(g).vms, 2);
   {
      struct drm_i915_gem_vm_control v = { .vm_id = (uint32_t)p.value };

      assert_int_equal(do_ioctl(g, KI915_IOCTL_GEM_VM_DESTROY, &v, NULL), 0);
   }
   /* SETPARAM VM: unknown ids answered ENOENT; known ones the kernel refuses after creation. */
   p = (struct drm_i915_gem_context_param){ .ctx_id = c, .param = KI915_CONTEXT_PARAM_VM, .value = 77 };
   assert_int_equal(do_ioctl(g, KI915_IOCTL_GEM_CONTEXT_SETPARAM, &p, NULL), ENOENT);
   p.value = vm;
   assert_int_equal(do_ioctl(g, KI915_IOCTL_GEM_CONTEXT_SETPARAM, &p, NULL), EINVAL);
   p = (struct drm_i915_gem_context_param){ .ctx_id = c, .param = KI915_CONTEXT_PARAM_GTT_SIZE };
   assert_int_equal(do_ioctl(g, KI915_IOCTL_GEM_CONTEXT_SETPARAM, &p, NULL), EINVAL);
   /* Parameters off the list (ENGINES above all) are the decoder's to refuse. */
   p = (struct drm_i915_gem_context_param){ .ctx_id = c, .param = KI915_CONTEXT_PARAM_ENGINES,
                                            .size = 16, .value = 0x7ffe00000000ull };
   ioctl_req(g, KI915_IOCTL_GEM_CONTEXT_SETPARAM, &p, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "IOCTL_SIMPLE", "payload.param", NULL));
}

static void
ioctl_vms(void **state)
{
   struct tguest *g = TG(state);
   uint32_t vm = vm_create(g);
   struct drm_i915_gem_vm_control v = { .vm_id = vm };

   assert_int_equal(sim(g).vms, 1);
   assert_int_equal(do_ioctl(g, KI915_IOCTL_GEM_VM_DESTROY, &v, NULL), 0);
   assert_int_equal(sim(g).vms, 0);
   assert_int_equal(do_ioctl(g, KI915_IOCTL_GEM_VM_DESTROY, &v, NULL), ENOENT);
   v.vm_id = 0;
   assert_int_equal(do_ioctl(g, KI915_IOCTL_GEM_VM_DESTROY, &v, NULL), ENOENT);
}

static void
ioctl_not_forwarded(void **state)
{
   struct tguest *g = TG(state);
   uint8_t arg[16] = { 0 };

   /* DRM_IOCTL_I915_GEM_MMAP_OFFSET is not on the list. */
   ioctl_req(g, 0xc0106464u, arg, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "IOCTL_SIMPLE", "cmd", "not forwarded", NULL));
   assert_int_equal(rsp_len(g, 0), 64);   /* no response written */
}

static void
ioctl_id_limit(void **state)
{
   struct ig_opts o = { .set_limits = true };
   struct tguest *g;
   struct drm_i915_gem_vm_control v = { 0 };

   (void)state;
   for (int i = 0; i < VDRM_HOST_LIMIT_COUNT; i++)
      o.limits.max[i] = vdrm_host_limit_default(i);
   o.limits.max[VDRM_HOST_LIMIT_QUEUES] = 2;
   g = ig_new(&o);
   ctx_simple(g);
   vm_create(g);
   ioctl_req(g, KI915_IOCTL_GEM_VM_CREATE, &v, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "IOCTL_SIMPLE", "max_queues", NULL));
   context_create_req(g, KI915_CONTEXT_CREATE_FLAGS_USE_EXTENSIONS, NULL, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "GEM_CONTEXT_CREATE", "max_queues", NULL));
   assert_int_equal(sim(g).vms, 1);
   assert_int_equal(sim(g).contexts, 1);
   tg_free(g);
}

/* ---- GEM_CONTEXT_CREATE ---- */

static void
context_create_with_params(void **state)
{
   struct tguest *g = TG(state);
   uint32_t vm = vm_create(g), id;
   uint8_t params[512];
   size_t n = 0;
   struct {
      struct i915_context_param_engines h;
      struct i915_engine_class_instance e[2];
   } engines = { .h = { 0 }, .e = { { KI915_ENGINE_CLASS_COPY, 0 }, { KI915_ENGINE_CLASS_RENDER, 0 } } };

   n += setparam(params + n, KI915_CONTEXT_PARAM_VM, vm, NULL, 0);
   n += setparam(params + n, KI915_CONTEXT_PARAM_ENGINES, 0x1234, &engines, sizeof(engines));
   n += setparam(params + n, KI915_CONTEXT_PARAM_RECOVERABLE, 0, NULL, 0);
   assert_int_equal(context_create(g, KI915_CONTEXT_CREATE_FLAGS_USE_EXTENSIONS, params, (uint32_t)n, &id), 0);
   assert_true(id != 0);
   assert_int_equal(sim(g).chain_records, 3);
   /* The engine map decides the ring: index 1 is render; index 2 does not exist. */
   {
      uint32_t res = bo(g, 1, 4096, NULL);
      struct drm_i915_gem_exec_object2 o = { .handle = res };

      execbuf_req(g, 1, id, &o, 1, NULL, 0, 0);
      assert_int_equal(tg_flush_fence(g, 2, 1), VDRM_HOST_OK);
      assert_int_equal(exec_ret(g), 0);
      execbuf_req(g, 2, id, &o, 1, NULL, 0, 0);
      assert_int_equal(tg_flush(g), VDRM_HOST_OK);
      assert_int_equal(exec_ret(g), EINVAL);
   }
}

static void
context_create_answers(void **state)
{
   struct tguest *g = TG(state);
   uint8_t params[256];
   uint32_t id = 0;
   size_t n;

   /* PRIORITY above zero as unsigned: EPERM, nothing created. */
   n = setparam(params, KI915_CONTEXT_PARAM_PRIORITY, 1, NULL, 0);
   assert_int_equal(context_create(g, KI915_CONTEXT_CREATE_FLAGS_USE_EXTENSIONS, params, (uint32_t)n, &id), EPERM);
   /* A VM this context does not hold. */
   n = setparam(params, KI915_CONTEXT_PARAM_VM, 55, NULL, 0);
   assert_int_equal(context_create(g, KI915_CONTEXT_CREATE_FLAGS_USE_EXTENSIONS, params, (uint32_t)n, &id), ENOENT);
   /* The kernel's refusals: a VM value with data, BANNABLE off without privilege. */
   n = setparam(params, KI915_CONTEXT_PARAM_BANNABLE, 0, NULL, 0);
   assert_int_equal(context_create(g, KI915_CONTEXT_CREATE_FLAGS_USE_EXTENSIONS, params, (uint32_t)n, &id), EPERM);
   {
      struct drm_i915_gem_context_param_sseu s = {
         .engine = { KI915_ENGINE_CLASS_COPY, 0 }, .slice_mask = 1, .subslice_mask = 1,
         .min_eus_per_subslice = 8, .max_eus_per_subslice = 8,
      };

      n = setparam(params, KI915_CONTEXT_PARAM_SSEU, 0, &s, sizeof(s));
      assert_int_equal(context_create(g, KI915_CONTEXT_CREATE_FLAGS_USE_EXTENSIONS, params, (uint32_t)n, &id), ENODEV);
      s.engine.engine_class = KI915_ENGINE_CLASS_RENDER;
      n = setparam(params, KI915_CONTEXT_PARAM_SSEU, 0, &s, sizeof(s));
      assert_int_equal(context_create(g, KI915_CONTEXT_CREATE_FLAGS_USE_EXTENSIONS, params, (uint32_t)n, &id), 0);
   }
   /* Protected content needs a non-recoverable context first. */
   n = setparam(params, KI915_CONTEXT_PARAM_PROTECTED_CONTENT, 1, NULL, 0);
   assert_int_equal(context_create(g, KI915_CONTEXT_CREATE_FLAGS_USE_EXTENSIONS, params, (uint32_t)n, &id), EPERM);
   n = setparam(params, KI915_CONTEXT_PARAM_RECOVERABLE, 0, NULL, 0);
   n += setparam(params + n, KI915_CONTEXT_PARAM_PROTECTED_CONTENT, 1, NULL, 0);
   assert_int_equal(context_create(g, KI915_CONTEXT_CREATE_FLAGS_USE_EXTENSIONS, params, (uint32_t)n, &id), 0);
   assert_int_equal(sim(g).contexts, 2);
   /* Unknown creation flags. */
   assert_int_equal(context_create(g, 0x10, NULL, 0, &id), EINVAL);
}

static void
context_create_without_params_passes_no_chain(void **state)
{
   struct tguest *g = TG(state);
   uint32_t id;

   /* USE_EXTENSIONS with params_size 0: the kernel gets no chain (the deployed host passes its heap). */
   assert_int_equal(context_create(g, KI915_CONTEXT_CREATE_FLAGS_USE_EXTENSIONS, NULL, 0, &id), 0);
   assert_int_equal(sim(g).last_context_extensions, 0);
   assert_int_equal(sim(g).chain_records, 0);
}

static void
context_create_malformed_rejected(void **state)
{
   struct tguest *g = TG(state);
   uint8_t params[256];
   size_t n;

   /* A parameter off the creation list; a record name that is not SETPARAM; data not whole words. */
   n = setparam(params, KI915_CONTEXT_PARAM_RINGSIZE, 4096, NULL, 0);
   context_create_req(g, KI915_CONTEXT_CREATE_FLAGS_USE_EXTENSIONS, params, (uint32_t)n, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "GEM_CONTEXT_CREATE", "params[].param.param", NULL));
   n = setparam(params, KI915_CONTEXT_PARAM_RECOVERABLE, 0, NULL, 0);
   ((struct i915_user_extension *)(void *)params)->name = 1;
   context_create_req(g, KI915_CONTEXT_CREATE_FLAGS_USE_EXTENSIONS, params, (uint32_t)n, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "GEM_CONTEXT_CREATE", "params[].base.name", NULL));
   n = setparam(params, KI915_CONTEXT_PARAM_SSEU, 0, "abcdef", 6);
   context_create_req(g, KI915_CONTEXT_CREATE_FLAGS_USE_EXTENSIONS, params, (uint32_t)n, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   /* No response left behind, no context created. */
   assert_int_equal(rsp_len(g, 0), 64);
   assert_int_equal(sim(g).context_create_calls, 0);
}

/* ---- GEM_EXECBUFFER2, GEM_BUSY ---- */

static void
execbuffer_relocates_and_fences(void **state)
{
   struct tguest *g = TG(state);
   int fd;
   uint32_t target = bo(g, 1, 8192, NULL), batch = bo(g, 2, 4096, &fd);
   uint32_t c = ctx_simple(g);
   struct drm_i915_gem_exec_object2 o[2] = {
      { .handle = target, .flags = KI915_EXEC_OBJECT_PINNED | KI915_EXEC_OBJECT_SUPPORTS_48B_ADDRESS,
        .offset = 0x200000000ull },
      { .handle = batch, .relocation_count = 2, .relocs_ptr = 0x7ffd12345678ull },
   };
   struct drm_i915_gem_relocation_entry r[2] = {
      { .target_handle = target, .delta = 0x10, .offset = 64 },   /* a res_id: translated */
      { .target_handle = target, .delta = 0x20, .offset = 128 },
   };
   int32_t word;

   execbuf_req(g, KI915_EXEC_RENDER, c, o, 2, r, 2, 0);
   assert_int_equal(tg_flush_fence(g, 2, 9), VDRM_HOST_OK);
   assert_int_equal(exec_ret(g), 0);
   assert_int_equal(sim(g).execbuffers, 1);
   assert_int_equal(sim(g).relocs_applied, 2);
   assert_true(sim(g).last_exec_flags & KI915_EXEC_FENCE_OUT);
   /* The kernel wrote the target's GPU address into the batch's memory, seen through the blob. */
   assert_int_equal(read_u64(fd, 64), 0x200000010ull);
   assert_int_equal(read_u64(fd, 128), 0x200000020ull);
   close(fd);
   /* The fence of ring 2 waits for the submission; the buffer is busy until then. */
   assert_int_equal(busy(g, target, &word), 0);
   assert_int_equal(word, 1 << 16);   /* read by the render class */
   assert_int_equal(vdrm_host_fence_wait(g->client, 2, 9, 0), VDRM_HOST_E_TIMEOUT);
   vdrm_sim_advance(g->sim, 1000);
   assert_int_equal(vdrm_host_fence_wait(g->client, 2, 9, 0), VDRM_HOST_OK);
   assert_int_equal(busy(g, target, &word), 0);
   assert_int_equal(word, 0);
   /* HANDLE_LUT: the target is an index. */
   r[0] = (struct drm_i915_gem_relocation_entry){ .target_handle = 0, .delta = 8, .offset = 256 };
   o[1].relocation_count = 1;
   execbuf_req(g, KI915_EXEC_RENDER | KI915_EXEC_HANDLE_LUT, c, o, 2, r, 1, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(exec_ret(g), 0);
   r[0].target_handle = 5;   /* no such index: the kernel's ENOENT */
   execbuf_req(g, KI915_EXEC_RENDER | KI915_EXEC_HANDLE_LUT, c, o, 2, r, 1, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(exec_ret(g), ENOENT);
}

static void
execbuffer_answers(void **state)
{
   struct tguest *g = TG(state);
   uint32_t res = bo(g, 1, 4096, NULL);
   struct drm_i915_gem_exec_object2 o = { .handle = res };
   struct drm_i915_gem_exec_object2 two[2] = { { .handle = res }, { .handle = res } };
   uint64_t calls;

   /* Unknown res_id, unknown context, batch past its buffer: answered without the kernel. */
   o.handle = 77;
   execbuf_req(g, 0, 0, &o, 1, NULL, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(exec_ret(g), EINVAL);
   o.handle = res;
   execbuf_req(g, 0, 9, &o, 1, NULL, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(exec_ret(g), ENOENT);
   execbuf_req(g, 0, 1ull << 32, &o, 1, NULL, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(exec_ret(g), ENOENT);
   {
      struct i915_ccmd_gem_execbuffer2_req req = {
         .hdr = tg_hdr(g, 0), .buffer_count = 1, .batch_start_offset = 4000, .batch_len = 200,
      };
      size_t len;

      assert_int_equal(i915_ccmd_gem_execbuffer2_req_encode(TG_ROOM(g), &req, &o, NULL, &len), VDRM_OK);
      g->len += len;
      assert_int_equal(tg_flush(g), VDRM_HOST_OK);
      assert_int_equal(exec_ret(g), EINVAL);
   }
   assert_int_equal(sim(g).execbuffer_calls, 0);
   /* The kernel's: duplicates, no objects, a legacy ring the device lacks, the BSD selector elsewhere. */
   execbuf_req(g, 0, 0, two, 2, NULL, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(exec_ret(g), EINVAL);
   execbuf_req(g, 0, 0, NULL, 0, NULL, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(exec_ret(g), EINVAL);
   execbuf_req(g, 7, 0, &o, 1, NULL, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(exec_ret(g), EINVAL);
   execbuf_req(g, KI915_EXEC_BLT | (1u << KI915_EXEC_BSD_SHIFT), 0, &o, 1, NULL, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(exec_ret(g), EINVAL);
   calls = sim(g).execbuffer_calls;
   assert_int_equal(calls, 4);
   /* The video engines: BSD ring 2 is vcs1, BLT the copy engine. */
   execbuf_req(g, KI915_EXEC_BSD | (2u << KI915_EXEC_BSD_SHIFT), 0, &o, 1, NULL, 0, 0);
   assert_int_equal(tg_flush_fence(g, 3, 1), VDRM_HOST_OK);
   assert_int_equal(exec_ret(g), 0);
   execbuf_req(g, KI915_EXEC_BLT, 0, &o, 1, NULL, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(exec_ret(g), 0);
   /* A relocation whose target res_id the context does not know. */
   {
      struct drm_i915_gem_exec_object2 ro = { .handle = res, .relocation_count = 1 };
      struct drm_i915_gem_relocation_entry r = { .target_handle = 555, .offset = 8 };

      execbuf_req(g, 0, 0, &ro, 1, &r, 1, 0);
      assert_int_equal(tg_flush(g), VDRM_HOST_OK);
      assert_int_equal(exec_ret(g), EINVAL);
   }
   assert_int_equal(sim(g).execbuffer_calls, calls + 2);
}

static void
execbuffer_rejections(void **state)
{
   struct tguest *g = TG(state);
   uint32_t res = bo(g, 1, 4096, NULL);
   struct drm_i915_gem_exec_object2 o = { .handle = res, .relocation_count = 2 };
   struct drm_i915_gem_relocation_entry r = { .target_handle = res };

   /* More relocations claimed than the message holds. */
   execbuf_req(g, 0, 0, &o, 1, &r, 1, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "GEM_EXECBUFFER2", "relocations", NULL));
   /* Engine 63 would be ring 64: there is none. */
   o.relocation_count = 0;
   execbuf_req(g, 63, 0, &o, 1, NULL, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "GEM_EXECBUFFER2", "flags", "ring 64", NULL));
   assert_int_equal(rsp_len(g, 0), 64);
   assert_int_equal(sim(g).execbuffer_calls, 0);
}

static void
execbuffer_pending_limit(void **state)
{
   struct ig_opts o = { .set_limits = true };
   struct tguest *g;
   uint32_t res;
   struct drm_i915_gem_exec_object2 ob;

   (void)state;
   for (int i = 0; i < VDRM_HOST_LIMIT_COUNT; i++)
      o.limits.max[i] = vdrm_host_limit_default(i);
   o.limits.max[VDRM_HOST_LIMIT_PENDING_FENCES] = 1;
   g = ig_new(&o);
   res = bo(g, 1, 4096, NULL);
   ob = (struct drm_i915_gem_exec_object2){ .handle = res };
   execbuf_req(g, 0, 0, &ob, 1, NULL, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   execbuf_req(g, 0, 0, &ob, 1, NULL, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "GEM_EXECBUFFER2", "max_pending_fences", NULL));
   vdrm_sim_advance(g->sim, 1000);
   execbuf_req(g, 0, 0, &ob, 1, NULL, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   tg_free(g);
}

static void
execbuffer_hang_bans_the_context(void **state)
{
   struct tguest *g = TG(state);
   int fd;
   uint32_t res = bo(g, 1, 4096, &fd);
   uint32_t c = ctx_simple(g);
   uint32_t magic = VDRM_SIM_HANG_MAGIC;
   struct drm_i915_gem_exec_object2 o = { .handle = res };
   struct drm_i915_reset_stats rs = { .ctx_id = c };
   struct drm_i915_gem_context_destroy d = { .ctx_id = c };

   assert_int_equal(pwrite(fd, &magic, sizeof(magic), 0), (ssize_t)sizeof(magic));
   close(fd);
   execbuf_req(g, 0, c, &o, 1, NULL, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(exec_ret(g), 0);
   assert_int_equal(banned_mask(g), 0);
   /* The banned context's next submission: EIO, and its bit in the shmem. */
   execbuf_req(g, 0, c, &o, 1, NULL, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(exec_ret(g), EIO);
   assert_int_equal(banned_mask(g), 1ull << c);
   assert_int_equal(do_ioctl(g, KI915_IOCTL_GET_RESET_STATS, &rs, &rs), 0);
   assert_int_equal(rs.batch_active, 1);
   assert_int_equal(rs.reset_count, 0);   /* not privileged */
   rs.ctx_id = 0;   /* the default context's statistics need CAP_SYS_ADMIN */
   assert_int_equal(do_ioctl(g, KI915_IOCTL_GET_RESET_STATS, &rs, NULL), EPERM);
   rs.ctx_id = 99;
   assert_int_equal(do_ioctl(g, KI915_IOCTL_GET_RESET_STATS, &rs, NULL), ENOENT);
   /* Destroying the context clears its bit. */
   assert_int_equal(do_ioctl(g, KI915_IOCTL_GEM_CONTEXT_DESTROY, &d, NULL), 0);
   assert_int_equal(banned_mask(g), 0);
}

static void
gem_busy_unknown(void **state)
{
   struct tguest *g = TG(state);
   int32_t word = 5;

   assert_int_equal(busy(g, 1234, &word), EINVAL);
   assert_int_equal(word, 0);
}

static void
unref_while_busy(void **state)
{
   struct tguest *g = TG(state);
   uint32_t res = bo(g, 1, 4096, NULL);
   struct drm_i915_gem_exec_object2 o = { .handle = res, .flags = KI915_EXEC_OBJECT_WRITE };

   execbuf_req(g, 0, 0, &o, 1, NULL, 0, 0);
   assert_int_equal(tg_flush_fence(g, 1, 1), VDRM_HOST_OK);
   assert_int_equal(vdrm_host_resource_unref(g->client, res), VDRM_HOST_OK);
   /* The GPU still holds it. */
   assert_int_equal(sim(g).objects, 1);
   vdrm_sim_advance(g->sim, 1000);
   assert_int_equal(vdrm_host_fence_wait(g->client, 1, 1, 0), VDRM_HOST_OK);
   assert_int_equal(sim(g).objects, 0);
}

/* A request that fails after reserving its response leaves nothing for the next one. */
static void
failed_response_is_dropped(void **state)
{
   struct tguest *g = TG(state);
   uint8_t arg[16] = { 0 };
   int fd;
   uint32_t res;

   reserve(g, 64, 64);
   ioctl_req(g, 0xc0106464u, arg, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   gem_create_req(g, 1, 4096);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(rsp_len(g, 0), 64);
   assert_int_equal(rsp_len(g, 64), 64);
   assert_int_equal(vdrm_host_blob_create(g->client, 1, 4096, VDRM_HOST_BLOB_MAPPABLE, &res, &fd), VDRM_HOST_OK);
   close(fd);
   assert_int_equal(tg_seqno_published(g), g->seqno);
}

/* ---- upstream defects ---- */

/* drm_i915_reset_stats.flags: refused before the kernel sees it. */
static void
upstream_defect_drm_i915_reset_stats_flags(void **state)
{
   struct tguest *g = TG(state);
   uint32_t c = ctx_simple(g);
   struct drm_i915_reset_stats rs = { .ctx_id = c, .flags = 1 };

   ioctl_req(g, KI915_IOCTL_GET_RESET_STATS, &rs, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "IOCTL_SIMPLE", "payload.flags", "VDRM_E_NONZERO", NULL));
   assert_int_equal(rsp_len(g, 0), 64);
   assert_int_equal(sim(g).reset_stats_calls, 0);
   rs.flags = 0;
   assert_int_equal(do_ioctl(g, KI915_IOCTL_GET_RESET_STATS, &rs, NULL), 0);
}

/* drm_i915_gem_vm_control.extensions: a host address the kernel would read; never forwarded. */
static void
upstream_defect_drm_i915_gem_vm_control_extensions(void **state)
{
   struct tguest *g = TG(state);
   uint32_t vm = vm_create(g);
   struct drm_i915_gem_vm_control c = { .extensions = 0x7fff00000000ull };
   struct drm_i915_gem_vm_control d = { .extensions = 0x1000, .vm_id = vm };
   uint64_t calls = sim(g).vm_calls;

   ioctl_req(g, KI915_IOCTL_GEM_VM_CREATE, &c, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "IOCTL_SIMPLE", "payload.extensions", "VDRM_E_NONZERO", NULL));
   ioctl_req(g, KI915_IOCTL_GEM_VM_DESTROY, &d, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_int_equal(sim(g).vm_calls, calls);
   assert_int_equal(sim(g).host_pointers_read, 0);
   assert_int_equal(sim(g).vms, 1);
}

/* drm_i915_gem_vm_control.flags. */
static void
upstream_defect_drm_i915_gem_vm_control_flags(void **state)
{
   struct tguest *g = TG(state);
   uint32_t vm = vm_create(g);
   struct drm_i915_gem_vm_control c = { .flags = 1 };
   struct drm_i915_gem_vm_control d = { .flags = 2, .vm_id = vm };
   uint64_t calls = sim(g).vm_calls;

   ioctl_req(g, KI915_IOCTL_GEM_VM_CREATE, &c, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "IOCTL_SIMPLE", "payload.flags", "VDRM_E_NONZERO", NULL));
   ioctl_req(g, KI915_IOCTL_GEM_VM_DESTROY, &d, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_int_equal(sim(g).vm_calls, calls);
   assert_int_equal(sim(g).vms, 1);
}

/*
 * drm_i915_gem_create_ext_protected_content (36 bytes on i386, 40 on LP64):
 * the wire record is always 40 bytes; a 36-byte one is refused as
 * truncated instead of being misread, and the host hands the kernel the
 * struct in its own layout whatever the last 4 bytes held.
 */
static void
upstream_defect_drm_i915_gem_create_ext_protected_content(void **state)
{
   struct tguest *g = TG(state);
   uint8_t rec[40] = { 0 };
   struct i915_user_extension h = { .name = KI915_GEM_CREATE_EXT_PROTECTED_CONTENT };

   assert_int_equal(sizeof(struct vdrm_wire_drm_i915_gem_create_ext_protected_content), 40);
   memcpy(rec, &h, sizeof(h));
   gem_create_ext_req(g, 1, 4096, 0, rec, 36);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "GEM_CREATE_EXT", "extensions", "VDRM_E_TRUNCATED", NULL));
   assert_int_equal(sim(g).create_ext_calls, 0);
   memset(rec + 36, 0xab, 4);   /* the implicit padding: not the kernel's business */
   gem_create_ext_req(g, 1, 4096, 0, rec, 40);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_true(sim(g).last_create_protected);
   assert_int_equal(sim(g).chain_records, 1);
}

/* i915_context_param_engines.extensions: a guest pointer; refused before the kernel. */
static void
upstream_defect_i915_context_param_engines_extensions(void **state)
{
   struct tguest *g = TG(state);
   /* The head (extensions) and one engine: 12 bytes, as the guest packs them. */
   uint8_t engines[12] = { 0 };
   struct i915_engine_class_instance render = { KI915_ENGINE_CLASS_RENDER, 0 };
   uint64_t ext = 0x7ffc00001000ull;
   uint8_t params[256];
   size_t n;
   uint32_t id;

   memcpy(engines, &ext, sizeof(ext));
   memcpy(engines + 8, &render, sizeof(render));
   n = setparam(params, KI915_CONTEXT_PARAM_ENGINES, 0, engines, sizeof(engines));

   context_create_req(g, KI915_CONTEXT_CREATE_FLAGS_USE_EXTENSIONS, params, (uint32_t)n, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "GEM_CONTEXT_CREATE", "params[].value.extensions", "VDRM_E_NONZERO", NULL));
   assert_int_equal(rsp_len(g, 0), 64);
   assert_int_equal(sim(g).context_create_calls, 0);
   assert_int_equal(sim(g).host_pointers_read, 0);
   memset(engines, 0, sizeof(ext));
   n = setparam(params, KI915_CONTEXT_PARAM_ENGINES, 0, engines, sizeof(engines));
   assert_int_equal(context_create(g, KI915_CONTEXT_CREATE_FLAGS_USE_EXTENSIONS, params, (uint32_t)n, &id), 0);
}

/* Puts a 36-byte request first so that the next one starts 4 bytes past an 8-byte boundary. */
static void
misalign(struct tguest *g)
{
   struct drm_i915_gem_set_domain d = { .handle = 0xffff, .read_domains = 1 };
   size_t before = g->len;

   ioctl_req(g, KI915_IOCTL_GEM_SET_DOMAIN, &d, 128);
   assert_int_equal(g->len - before, 36);
   assert_int_equal(g->len % 8, 4);
}

/*
 * i915_ccmd_gem_create_req: read at a 4-byte boundary without a struct
 * pointer (UBSan's alignment check runs); the kernel's rounded size is
 * recorded, so a blob creation asking for the rounded size works, and a
 * failed one leaves the buffer waiting instead of leaking it.
 */
static void
upstream_defect_i915_ccmd_gem_create_req(void **state)
{
   struct tguest *g = TG(state);
   struct vdrm_host_stats st;
   uint32_t res;
   int fd;

   misalign(g);
   gem_create_req(g, 1, 100);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(vdrm_host_blob_create(g->client, 1, 8192, VDRM_HOST_BLOB_MAPPABLE, &res, &fd), VDRM_HOST_E_INVAL);
   assert_int_equal(vdrm_host_blob_create(g->client, 1, 4096, VDRM_HOST_BLOB_MAPPABLE, &res, &fd), VDRM_HOST_OK);
   close(fd);
   vdrm_host_get_stats(g->client, &st);
   assert_int_equal(st.objects, 1);
   assert_int_equal(sim(g).objects, 1);
   assert_int_equal(vdrm_host_resource_unref(g->client, res), VDRM_HOST_OK);
   assert_int_equal(sim(g).objects, 0);
}

/* i915_ccmd_gem_create_req.pad: refused. */
static void
upstream_defect_i915_ccmd_gem_create_req_pad(void **state)
{
   struct tguest *g = TG(state);
   struct i915_ccmd_gem_create_req req = { .hdr = tg_hdr(g, 0), .size = 4096, .blob_id = 1, .pad = 1 };
   size_t len;

   assert_int_equal(i915_ccmd_gem_create_req_encode(TG_ROOM(g), &req, &len), VDRM_OK);
   g->len += len;
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "GEM_CREATE", "pad", "VDRM_E_NONZERO", NULL));
   assert_int_equal(sim(g).objects, 0);
}

/*
 * i915_ccmd_gem_create_ext_req: misaligned, with records after a region
 * list of odd length (only 4-byte aligned): the host rebuilds the chain in
 * aligned memory of its own; the guest's next_extension and regions
 * addresses are never used.
 */
static void
upstream_defect_i915_ccmd_gem_create_ext_req(void **state)
{
   struct tguest *g = TG(state);
   uint8_t ext[256];
   size_t n = 0;
   struct drm_i915_gem_create_ext_memory_regions m = {
      .base = { .next_extension = 0xdeadbeefdeadbeefull, .name = KI915_GEM_CREATE_EXT_MEMORY_REGIONS },
      .num_regions = 1, .regions = 0xdeadbeefdeadbeefull,
   };
   struct drm_i915_gem_memory_class_instance sys = { KI915_MEMORY_CLASS_SYSTEM, 0 };
   struct drm_i915_gem_create_ext_set_pat sp = {
      .base = { .next_extension = 0x1, .name = KI915_GEM_CREATE_EXT_SET_PAT }, .pat_index = 3,
   };
   uint32_t res;
   int fd;

   memcpy(ext + n, &m, sizeof(m));
   n += sizeof(m);
   memcpy(ext + n, &sys, sizeof(sys));
   n += sizeof(sys);
   assert_int_equal(n % 8, 4);
   memcpy(ext + n, &sp, sizeof(sp));
   n += sizeof(sp);
   misalign(g);
   gem_create_ext_req(g, 2, 3 * 4096 + 1, 0, ext, (uint32_t)n);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(sim(g).chain_records, 2);
   assert_int_equal(sim(g).last_create_pat, 3);
   assert_int_equal(sim(g).last_create_size, 4 * 4096);
   assert_int_equal(vdrm_host_blob_create(g->client, 2, 4 * 4096, VDRM_HOST_BLOB_MAPPABLE, &res, &fd), VDRM_HOST_OK);
   close(fd);
}

/* i915_ccmd_gem_create_ext_req.extensions PROTECTED_CONTENT: 40 bytes on the wire, whatever the host's ABI. */
static void
upstream_defect_i915_ccmd_gem_create_ext_req_extensions_protected_content(void **state)
{
   struct tguest *g = TG(state);
   uint8_t ext[80] = { 0 };
   struct i915_user_extension h = { .name = KI915_GEM_CREATE_EXT_PROTECTED_CONTENT };
   struct drm_i915_gem_create_ext_set_pat sp = { .base = { .name = KI915_GEM_CREATE_EXT_SET_PAT }, .pat_index = 2 };

   /* Protected content, then SET_PAT: the second record starts at 40 on the wire. */
   memcpy(ext, &h, sizeof(h));
   memcpy(ext + 40, &sp, sizeof(sp));
   gem_create_ext_req(g, 1, 4096, 0, ext, 80);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_true(sim(g).last_create_protected);
   assert_int_equal(sim(g).last_create_pat, 2);
   /* An i386 sender's 36-byte step puts SET_PAT at 36: refused, never misread. */
   memset(ext, 0, sizeof(ext));
   memcpy(ext, &h, sizeof(h));
   memcpy(ext + 36, &sp, sizeof(sp));
   gem_create_ext_req(g, 2, 4096, 0, ext, 76);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_int_equal(sim(g).create_ext_calls, 1);
}

/*
 * i915_ccmd_gem_execbuffer2_req: misaligned; relocation targets translated
 * (a res_id never reaches the kernel as a handle); the host adds only
 * FENCE_OUT; engine 63 has no ring, so the ring check can fail.
 */
static void
upstream_defect_i915_ccmd_gem_execbuffer2_req(void **state)
{
   struct tguest *g = TG(state);
   int fd;
   /* Create some buffers first so that res_ids and GEM handles differ. */
   uint32_t a = bo(g, 1, 4096, NULL), b = bo(g, 2, 4096, NULL);
   uint32_t target, batch;
   struct drm_i915_gem_exec_object2 o[2];
   struct drm_i915_gem_relocation_entry r;

   assert_int_equal(vdrm_host_resource_unref(g->client, a), VDRM_HOST_OK);
   target = bo(g, 3, 4096, NULL);
   batch = bo(g, 4, 4096, &fd);
   o[0] = (struct drm_i915_gem_exec_object2){ .handle = target, .flags = KI915_EXEC_OBJECT_PINNED,
                                              .offset = 0x40000000ull };
   o[1] = (struct drm_i915_gem_exec_object2){ .handle = batch, .relocation_count = 1 };
   r = (struct drm_i915_gem_relocation_entry){ .target_handle = target, .offset = 16 };
   misalign(g);
   execbuf_req(g, 0, 0, o, 2, &r, 1, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(exec_ret(g), 0);
   /* The address written is the target's, not the one of whatever the host's handle == res_id names. */
   assert_int_equal(read_u64(fd, 16), 0x40000000ull);
   close(fd);
   assert_int_equal(sim(g).last_exec_flags, KI915_EXEC_FENCE_OUT);
   assert_int_equal(sim(g).unsafe_flags_seen, 0);
   execbuf_req(g, 63, 0, o, 2, &r, 1, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_int_equal(sim(g).execbuffer_calls, 1);
   (void)b;
}

/* i915_ccmd_gem_execbuffer2_req check flags: SECURE, fences and extensions are never the guest's. */
static void
upstream_defect_i915_ccmd_gem_execbuffer2_req_check_flags(void **state)
{
   struct tguest *g = TG(state);
   uint32_t res = bo(g, 1, 4096, NULL);
   struct drm_i915_gem_exec_object2 o = { .handle = res };
   const uint64_t bad[] = {
      KI915_EXEC_SECURE, KI915_EXEC_FENCE_IN, KI915_EXEC_FENCE_OUT, KI915_EXEC_FENCE_ARRAY,
      KI915_EXEC_FENCE_SUBMIT, KI915_EXEC_USE_EXTENSIONS, KI915_EXEC_IS_PINNED,
      KI915_EXEC_RESOURCE_STREAMER, 1ull << 26, 1ull << 40,
   };

   for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
      execbuf_req(g, KI915_EXEC_RENDER | bad[i], 0, &o, 1, NULL, 0, 0);
      assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
      assert_true(tg_line_has(g, "GEM_EXECBUFFER2", "flags", "VDRM_E_NOT_ALLOWED", NULL));
   }
   assert_int_equal(sim(g).execbuffer_calls, 0);
   assert_int_equal(sim(g).unsafe_flags_seen, 0);
   /* Every flag a guest may choose still works. */
   execbuf_req(g, KI915_EXEC_RENDER | KI915_EXEC_NO_RELOC | KI915_EXEC_HANDLE_LUT | KI915_EXEC_BATCH_FIRST |
               KI915_EXEC_GEN7_SOL_RESET, 0, &o, 1, NULL, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(exec_ret(g), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, tg_teardown)

int
main(void)
{
   const struct CMUnitTest tests[] = {
      T(capset_is_tiger_lake),
      T(getparam_answers),
      cmocka_unit_test(getparam_mmap_gtt_version_capped),
      T(getparam_without_shmem_room_rejected),
      T(queryparam_engines_two_step),
      T(queryparam_regions_topology_and_errors),
      T(queryparam_past_response_region_rejected),
      T(gem_create_blob_maps_the_buffer),
      T(gem_create_failures),
      cmocka_unit_test(gem_create_limits),
      T(gem_create_ext_regions_and_pat),
      T(gem_create_ext_failures),
      T(set_mmap_mode),
      T(ioctl_domain_and_tiling),
      T(ioctl_aperture_and_reg_read),
      T(ioctl_contexts),
      T(ioctl_context_params),
      T(ioctl_vms),
      T(ioctl_not_forwarded),
      cmocka_unit_test(ioctl_id_limit),
      T(context_create_with_params),
      T(context_create_answers),
      T(context_create_without_params_passes_no_chain),
      T(context_create_malformed_rejected),
      T(execbuffer_relocates_and_fences),
      T(execbuffer_answers),
      T(execbuffer_rejections),
      cmocka_unit_test(execbuffer_pending_limit),
      T(execbuffer_hang_bans_the_context),
      T(gem_busy_unknown),
      T(unref_while_busy),
      T(failed_response_is_dropped),
      cmocka_unit_test_setup_teardown(upstream_defect_drm_i915_reset_stats_flags, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(upstream_defect_drm_i915_gem_vm_control_extensions, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(upstream_defect_drm_i915_gem_vm_control_flags, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(upstream_defect_drm_i915_gem_create_ext_protected_content, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(upstream_defect_i915_context_param_engines_extensions, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(upstream_defect_i915_ccmd_gem_create_req, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(upstream_defect_i915_ccmd_gem_create_req_pad, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(upstream_defect_i915_ccmd_gem_create_ext_req, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(upstream_defect_i915_ccmd_gem_create_ext_req_extensions_protected_content, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(upstream_defect_i915_ccmd_gem_execbuffer2_req, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(upstream_defect_i915_ccmd_gem_execbuffer2_req_check_flags, setup, tg_teardown),
   };

   return cmocka_run_group_tests(tests, NULL, NULL);
}
