/* SPDX-License-Identifier: MIT */

/*
 * Every asahi handler on the asahi sim backend: its success path and each
 * failure path; and each defect generated/doc/asahi.md lists under
 * "Upstream defects" shown impossible (upstream_defect_*). guest_base.h's
 * test guest, with asahi's request builders below, builds every request
 * with the generated encoders and reads responses with the generated
 * decoders.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness.h"   /* the guest, tg_sim_drained() */
#include "asahi_codec.h"
#include "asahi_kernel.h"
#include "sim_asahi.h"
#include "vdrm_host.h"

#define KSTART 0x7000000000ull              /* the kernel window every VM here reserves */
#define KEND (KSTART + 0x20000000ull)
#define VA 0x100000000ull                   /* where buffers go */
#define PAGE KASAHI_PAGE_SIZE

struct ag_opts {
   bool privileged;
   bool set_limits;
   struct vdrm_host_limits limits;
   bool no_shmem;
};

/* Everything the host made the kernel allocate is gone once pending work completed: VMs and bindings too. */
static void
drained(struct vdrm_backend *sim)
{
   struct vdrm_sim_asahi_stats a;

   tg_sim_drained(sim);
   vdrm_sim_asahi_get_stats(sim, &a);
   assert_int_equal(a.vms, 0);
   assert_int_equal(a.bound_objects, 0);
}

static struct tguest *
ag_new(const struct ag_opts *o)
{
   struct tguest *g = tg_alloc();
   struct vdrm_sim_config sc = { .clock = VDRM_SIM_CLOCK_MANUAL, .submit_ns = 1000 };

   sc.privileged = o && o->privileged;
   assert_int_equal(vdrm_sim_asahi_create(&sc, NULL, &g->sim), 0);
   tg_init(g, &(struct tg_config){
      .name = "test guest",
      .shmem_header = sizeof(struct asahi_shmem),
      .shmem_size = o && o->no_shmem ? 0 : 4096,
      .limits = o && o->set_limits ? &o->limits : NULL,
      .drained = drained,
   });
   return g;
}

static int
setup(void **state)
{
   *state = ag_new(NULL);
   return 0;
}

/* ---- building and running batches ---- */

static uint32_t
async_error(struct tguest *g)
{
   return tg_shmem_u32(g, offsetof(struct asahi_shmem, async_error));
}

static struct vdrm_sim_stats
sim_stats(struct tguest *g)
{
   struct vdrm_sim_stats s;

   vdrm_sim_get_stats(g->sim, &s);
   return s;
}

static struct vdrm_sim_asahi_stats
asahi_stats(struct tguest *g)
{
   struct vdrm_sim_asahi_stats s;

   vdrm_sim_asahi_get_stats(g->sim, &s);
   return s;
}

/* A batch that must be rejected: the status, one more async_error, one log line naming what. */
static void
expect_rejected(struct tguest *g, const char *command, const char *field)
{
   uint32_t before = async_error(g);
   uint32_t lines = g->nlines;

   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_int_equal(async_error(g), before + 1);
   assert_int_equal(g->nlines, lines + 1);
   if (!tg_line_has(g, "ctx 1 \"test guest\" (asahi)", command, field, NULL))
      fail_msg("expected a log line naming %s and %s, got: %s", command, field,
               g->nlines ? tg_last_line(g) : "(none)");
}

static uint32_t
ag_nop(struct tguest *g)
{
   struct asahi_ccmd_nop_req req = { .hdr = tg_hdr(g, 0) };
   size_t len;

   assert_int_equal(asahi_ccmd_nop_req_encode(TG_ROOM(g), &req, &len), VDRM_OK);
   g->len += len;
   return g->seqno;
}

static uint32_t
ag_ioctl(struct tguest *g, uint32_t cmd, const void *arg, uint32_t rsp_off)
{
   struct asahi_ccmd_ioctl_simple_req req = { .hdr = tg_hdr(g, rsp_off), .cmd = cmd };
   size_t len;

   assert_int_equal(asahi_ccmd_ioctl_simple_req_encode(TG_ROOM(g), &req, arg, &len), VDRM_OK);
   g->len += len;
   return g->seqno;
}

/* Runs one IOCTL_SIMPLE at offset 256 and returns ret; the argument after the call in *out. */
static int32_t
ioctl_ret(struct tguest *g, uint32_t cmd, const void *arg, void *out, size_t out_size)
{
   struct asahi_ccmd_ioctl_simple_rsp rsp;
   struct asahi_ccmd_ioctl_simple_rsp_view view;
   struct vdrm_error err;
   uint32_t size = 8 + VDRM_IOC_OUT_SIZE(cmd);

   tg_reserve(g, 256, size);
   ag_ioctl(g, cmd, arg, 256);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(asahi_ccmd_ioctl_simple_rsp_decode(g->rsp + 256, size, &rsp, &view, &err), VDRM_OK);
   assert_int_equal(view.payload.size, VDRM_IOC_OUT_SIZE(cmd));
   if (out)
      memcpy(out, view.payload.data, out_size < view.payload.size ? out_size : view.payload.size);
   return rsp.ret;
}

static uint32_t
ag_vm(struct tguest *g)
{
   struct drm_asahi_vm_create a = { .kernel_start = KSTART, .kernel_end = KEND };

   assert_int_equal(ioctl_ret(g, DRM_IOCTL_KASAHI_VM_CREATE, &a, &a, sizeof(a)), 0);
   assert_int_not_equal(a.vm_id, 0);
   return a.vm_id;
}

static uint32_t
ag_queue(struct tguest *g, uint32_t vm, uint32_t prio)
{
   struct drm_asahi_queue_create a = { .vm_id = vm, .priority = prio, .usc_exec_base = VA };

   assert_int_equal(ioctl_ret(g, DRM_IOCTL_KASAHI_QUEUE_CREATE, &a, &a, sizeof(a)), 0);
   assert_int_not_equal(a.queue_id, 0);
   return a.queue_id;
}

static uint32_t
ag_gem_new(struct tguest *g, uint32_t blob_id, uint64_t size, uint32_t flags, uint32_t bind_flags,
           uint32_t vm, uint64_t addr)
{
   struct asahi_ccmd_gem_new_req req = {
      .hdr = tg_hdr(g, 0), .flags = flags, .bind_flags = bind_flags, .vm_id = vm, .blob_id = blob_id,
      .size = size, .addr = addr,
   };
   size_t len;

   assert_int_equal(asahi_ccmd_gem_new_req_encode(TG_ROOM(g), &req, &len), VDRM_OK);
   g->len += len;
   return g->seqno;
}

/* A buffer with its blob; returns its res_id (fd kept in *fd when fd is not NULL). */
static uint32_t
ag_bo(struct tguest *g, uint32_t blob_id, uint64_t size, uint32_t flags, uint32_t vm, uint64_t addr, int *fd)
{
   uint32_t res;
   int f;

   ag_gem_new(g, blob_id, size, flags, KASAHI_BIND_READ | KASAHI_BIND_WRITE, vm, addr);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(vdrm_host_blob_create(g->client, blob_id, (size + PAGE - 1) & ~(uint64_t)(PAGE - 1),
                                          VDRM_HOST_BLOB_MAPPABLE, &res, &f), VDRM_HOST_OK);
   if (fd)
      *fd = f;
   else
      close(f);
   return res;
}

static uint32_t
ag_vm_bind(struct tguest *g, uint32_t vm, const struct drm_asahi_gem_bind_op *ops, uint32_t count,
           uint32_t stride)
{
   struct asahi_ccmd_vm_bind_req req = { .hdr = tg_hdr(g, 0), .vm_id = vm, .stride = stride, .count = count };
   size_t len;

   assert_int_equal(asahi_ccmd_vm_bind_req_encode(TG_ROOM(g), &req, ops, &len), VDRM_OK);
   g->len += len;
   return g->seqno;
}

static struct drm_asahi_gem_bind_op
map_op(uint32_t res, uint64_t offset, uint64_t range, uint64_t addr)
{
   return (struct drm_asahi_gem_bind_op){ .flags = KASAHI_BIND_READ | KASAHI_BIND_WRITE, .handle = res,
                                          .offset = offset, .range = range, .addr = addr };
}

static struct drm_asahi_gem_bind_op
unmap_op(uint64_t range, uint64_t addr)
{
   return (struct drm_asahi_gem_bind_op){ .flags = KASAHI_BIND_UNBIND, .range = range, .addr = addr };
}

static uint32_t
ag_submit(struct tguest *g, uint32_t queue, uint32_t flags, const void *cmdbuf, uint32_t cmdbuf_size,
          const struct asahi_ccmd_submit_res *extres, uint32_t n)
{
   struct asahi_ccmd_submit_req req = {
      .hdr = tg_hdr(g, 0), .flags = flags, .queue_id = queue, .cmdbuf_size = cmdbuf_size, .extres_count = n,
   };
   size_t len;

   assert_int_equal(asahi_ccmd_submit_req_encode(TG_ROOM(g), &req, cmdbuf, extres, &len), VDRM_OK);
   g->len += len;
   return g->seqno;
}

/* A command buffer of one command of type (payload words first = word, payload 32 bytes). */
/* One command: a header and a body of the size its kind has (a render or a compute command). */
struct one_cmd {
   struct kasahi_cmd_header h;
   uint32_t payload[60];   /* sizeof(struct drm_asahi_cmd_render) */
};

static struct one_cmd
cmd_of(uint16_t type, uint32_t word)
{
   struct one_cmd c = { .h = { .cmd_type = type,
                               .size = type == KASAHI_CMD_RENDER ? sizeof(struct drm_asahi_cmd_render)
                                                                 : sizeof(struct drm_asahi_cmd_compute),
                               .vdm_barrier = KASAHI_BARRIER_NONE, .cdm_barrier = KASAHI_BARRIER_NONE } };

   c.payload[0] = word;
   return c;
}

/* The bytes a command occupies in the command buffer. */
static uint32_t
cmd_len(const struct one_cmd *c)
{
   return (uint32_t)sizeof(c->h) + c->h.size;
}

static uint32_t
ag_bind_object(struct tguest *g, uint32_t op, uint32_t flags, uint32_t res, uint64_t offset, uint64_t range,
               uint32_t object, uint32_t rsp_off)
{
   struct asahi_ccmd_gem_bind_object_req req = {
      .hdr = tg_hdr(g, rsp_off),
      .bind = { .op = op, .flags = flags, .handle = res, .offset = offset, .range = range,
                .object_handle = object },
   };
   size_t len;

   assert_int_equal(asahi_ccmd_gem_bind_object_req_encode(TG_ROOM(g), &req, &len), VDRM_OK);
   g->len += len;
   return g->seqno;
}

/* BIND at offset 512: ret, and the object handle in *object. */
static int32_t
bind_object_ret(struct tguest *g, uint32_t flags, uint32_t res, uint64_t offset, uint64_t range, uint32_t *object)
{
   struct asahi_ccmd_gem_bind_object_rsp rsp;
   struct vdrm_error err;

   tg_reserve(g, 512, 12);
   ag_bind_object(g, KASAHI_BIND_OBJECT_OP_BIND, flags, res, offset, range, 0, 512);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(asahi_ccmd_gem_bind_object_rsp_decode(g->rsp + 512, 12, &rsp, &err), VDRM_OK);
   if (object)
      *object = rsp.object_handle;
   return rsp.ret;
}

static uint32_t
ag_get_params(struct tguest *g, uint32_t group, uint64_t size, uint32_t rsp_off)
{
   struct asahi_ccmd_get_params_req req = {
      .hdr = tg_hdr(g, rsp_off), .params = { .param_group = group, .size = size },
   };
   size_t len;

   assert_int_equal(asahi_ccmd_get_params_req_encode(TG_ROOM(g), &req, &len), VDRM_OK);
   g->len += len;
   return g->seqno;
}

/* ---- NOP ---- */

static void
nop_publishes_seqno(void **state)
{
   struct tguest *g = TG(state);
   uint32_t s = ag_nop(g);

   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(tg_seqno_published(g), s);
   assert_int_equal(tg_stats(g).requests, 1);
}

/* ---- capset ---- */

static void
capset_header_only(void **state)
{
   struct tguest *g = TG(state);
   struct virgl_renderer_capset_drm caps, zero;
   size_t size;

   assert_int_equal(vdrm_host_get_capset(g->host, VDRM_HOST_CAPSET_DRM, 0, &caps, sizeof(caps), &size),
                    VDRM_HOST_OK);
   assert_int_equal(size, sizeof(caps));
   assert_int_equal(caps.wire_format_version, 2);
   assert_int_equal(caps.context_type, VIRTGPU_DRM_CONTEXT_ASAHI);
   assert_int_equal(caps.version_major, KASAHI_VERSION_MAJOR);
   memset(&zero, 0, sizeof(zero));
   assert_memory_equal(&caps.u, &zero.u, sizeof(caps.u));
   /* Rings: the CPU, LOW and MEDIUM. */
   assert_int_equal(vdrm_host_num_rings(g->client), 3);
}

/* ---- IOCTL_SIMPLE ---- */

static void
ioctl_get_time(void **state)
{
   struct tguest *g = TG(state);
   struct drm_asahi_get_time a = { 0 };

   vdrm_sim_advance(g->sim, 12345);
   assert_int_equal(ioctl_ret(g, DRM_IOCTL_KASAHI_GET_TIME, &a, &a, sizeof(a)), 0);
   assert_int_equal(a.gpu_timestamp, vdrm_sim_now(g->sim));
   /* The kernel refuses flags: ret -1, the errno not transported. */
   a = (struct drm_asahi_get_time){ .flags = 1 };
   assert_int_equal(ioctl_ret(g, DRM_IOCTL_KASAHI_GET_TIME, &a, &a, sizeof(a)), -1);
}

static void
ioctl_vm_create_destroy(void **state)
{
   struct tguest *g = TG(state);
   struct drm_asahi_vm_create c = { .kernel_start = KSTART, .kernel_end = KSTART + PAGE };
   struct drm_asahi_vm_destroy d;
   uint32_t vm;

   /* A window below vm_kernel_min_size: the kernel refuses. */
   assert_int_equal(ioctl_ret(g, DRM_IOCTL_KASAHI_VM_CREATE, &c, &c, sizeof(c)), -1);
   assert_int_equal(c.vm_id, 0);
   vm = ag_vm(g);
   assert_int_equal(asahi_stats(g).vms, 1);
   d = (struct drm_asahi_vm_destroy){ .vm_id = vm };
   assert_int_equal(ioctl_ret(g, DRM_IOCTL_KASAHI_VM_DESTROY, &d, NULL, 0), 0);
   assert_int_equal(asahi_stats(g).vms, 0);
   /* Now unknown to the host: rejected before the kernel. */
   tg_reserve(g, 256, 8);
   ag_ioctl(g, DRM_IOCTL_KASAHI_VM_DESTROY, &d, 256);
   expect_rejected(g, "IOCTL_SIMPLE", "payload.vm_id");
}

static void
ioctl_vm_limit(void **state)
{
   struct tguest *g = TG(state);

   for (int i = 0; i < 64; i++)
      ag_vm(g);
   {
      struct drm_asahi_vm_create c = { .kernel_start = KSTART, .kernel_end = KEND };

      ag_ioctl(g, DRM_IOCTL_KASAHI_VM_CREATE, &c, 256);
      expect_rejected(g, "IOCTL_SIMPLE", "limit max_queues: 64 in use + 1 exceeds 64");
   }
}

static void
ioctl_queue_create_destroy(void **state)
{
   struct tguest *g = TG(state);
   uint32_t vm = ag_vm(g);
   uint32_t q = ag_queue(g, vm, KASAHI_PRIORITY_MEDIUM);
   struct drm_asahi_queue_create c = { .vm_id = vm, .flags = 1 };
   struct drm_asahi_queue_destroy d = { .queue_id = q };

   assert_int_equal(tg_stats(g).queues, 1);
   /* The kernel refuses flags. */
   assert_int_equal(ioctl_ret(g, DRM_IOCTL_KASAHI_QUEUE_CREATE, &c, &c, sizeof(c)), -1);
   assert_int_equal(c.queue_id, 0);
   /* A VM the context does not have: rejected by the host. */
   c = (struct drm_asahi_queue_create){ .vm_id = vm + 7 };
   ag_ioctl(g, DRM_IOCTL_KASAHI_QUEUE_CREATE, &c, 256);
   expect_rejected(g, "IOCTL_SIMPLE", "payload.vm_id");
   /* HIGH: the decoder refuses it. */
   c = (struct drm_asahi_queue_create){ .vm_id = vm, .priority = KASAHI_PRIORITY_HIGH };
   ag_ioctl(g, DRM_IOCTL_KASAHI_QUEUE_CREATE, &c, 256);
   expect_rejected(g, "IOCTL_SIMPLE", "priority");

   assert_int_equal(ioctl_ret(g, DRM_IOCTL_KASAHI_QUEUE_DESTROY, &d, NULL, 0), 0);
   assert_int_equal(tg_stats(g).queues, 0);
   assert_int_equal(sim_stats(g).queues, 0);
   ag_ioctl(g, DRM_IOCTL_KASAHI_QUEUE_DESTROY, &d, 256);
   expect_rejected(g, "IOCTL_SIMPLE", "payload.queue_id");
}

static void
ioctl_queue_keeps_vm(void **state)
{
   struct tguest *g = TG(state);
   uint32_t vm = ag_vm(g);
   struct drm_asahi_vm_destroy d = { .vm_id = vm };

   ag_queue(g, vm, KASAHI_PRIORITY_LOW);
   assert_int_equal(ioctl_ret(g, DRM_IOCTL_KASAHI_VM_DESTROY, &d, NULL, 0), 0);
   /* The kernel keeps the VM while the queue uses it. */
   assert_int_equal(asahi_stats(g).vms, 1);
}

static void
ioctl_queue_limit(void **state)
{
   struct ag_opts o = { .set_limits = true };
   struct tguest *g;
   uint32_t vm;

   (void)state;
   for (int i = 0; i < VDRM_HOST_LIMIT_COUNT; i++)
      o.limits.max[i] = vdrm_host_limit_default(i);
   o.limits.max[VDRM_HOST_LIMIT_QUEUES] = 3;   /* the VM counts too */
   g = ag_new(&o);
   vm = ag_vm(g);
   ag_queue(g, vm, 0);
   ag_queue(g, vm, 1);
   {
      struct drm_asahi_queue_create c = { .vm_id = vm };

      ag_ioctl(g, DRM_IOCTL_KASAHI_QUEUE_CREATE, &c, 256);
      expect_rejected(g, "IOCTL_SIMPLE", "max_queues");
   }
   assert_int_equal(tg_stats(g).limit_hits[VDRM_HOST_LIMIT_QUEUES], 1);
   tg_free(g);
}

static void
ioctl_number_checked_whole(void **state)
{
   struct tguest *g = TG(state);
   struct drm_asahi_vm_create c = { .kernel_start = KSTART, .kernel_end = KEND };
   struct drm_asahi_get_time t = { 0 };

   /* Write-only VM_CREATE: the right number field and size, the wrong direction. */
   ag_ioctl(g, KASAHI_IOW(KASAHI_IOCTL_VM_CREATE, struct drm_asahi_vm_create), &c, 256);
   expect_rejected(g, "IOCTL_SIMPLE", "cmd");
   /* Another ioctl type than 'd'. */
   ag_ioctl(g, DRM_IOCTL_KASAHI_GET_TIME ^ (0x01u << 8), &t, 256);
   expect_rejected(g, "IOCTL_SIMPLE", "cmd");
   /* An ioctl that is not forwarded (GEM_CREATE's number). */
   ag_ioctl(g, KASAHI_IOWR(0x05u, struct drm_asahi_get_time), &t, 256);
   expect_rejected(g, "IOCTL_SIMPLE", "cmd");
   assert_int_equal(asahi_stats(g).vms, 0);
}

static void
ioctl_needs_shmem(void **state)
{
   struct ag_opts o = { .no_shmem = true };
   struct tguest *g = ag_new(&o);
   struct drm_asahi_get_time t = { 0 };

   (void)state;
   ag_ioctl(g, DRM_IOCTL_KASAHI_GET_TIME, &t, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "IOCTL_SIMPLE", "hdr.rsp_off", NULL));
   tg_free(g);
}

/* IOCTL_SIMPLE's deployed defects (1)-(3): a short or write-only QUEUE_CREATE never records a queue. */
static void
ioctl_queue_create_short_or_write_only(void **state)
{
   struct tguest *g = TG(state);
   uint32_t vm = ag_vm(g);
   uint8_t arg[8] = { 0 };
   struct drm_asahi_queue_create c = { .vm_id = vm };

   memcpy(arg + 4, &vm, 4);
   /* An 8-byte QUEUE_CREATE: the priority would lie past the payload. */
   ag_ioctl(g, KASAHI_IOC(3u, KASAHI_IOCTL_QUEUE_CREATE, 8), arg, 256);
   expect_rejected(g, "IOCTL_SIMPLE", "payload");
   /* Write-only: the kernel's queue_id would never come back. */
   ag_ioctl(g, KASAHI_IOW(KASAHI_IOCTL_QUEUE_CREATE, struct drm_asahi_queue_create), &c, 256);
   expect_rejected(g, "IOCTL_SIMPLE", "cmd");
   assert_int_equal(sim_stats(g).queues, 0);
   assert_int_equal(tg_stats(g).queues, 0);
}

/* ---- GET_PARAMS ---- */

static void
get_params_global(void **state)
{
   struct tguest *g = TG(state);
   struct asahi_ccmd_get_params_rsp rsp;
   struct asahi_ccmd_get_params_rsp_view view;
   struct drm_asahi_params_global p;
   struct vdrm_error err;
   uint32_t size = 8 + sizeof(p);

   tg_reserve(g, 1024, size);
   ag_get_params(g, 0, sizeof(p), 1024);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(asahi_ccmd_get_params_rsp_decode(g->rsp + 1024, size, &rsp, &view, &err), VDRM_OK);
   assert_int_equal(rsp.ret, 0);
   assert_int_equal(view.payload.size, sizeof(p));
   asahi_ccmd_get_params_rsp_payload_get_drm_asahi_params_global(&view, &p);
   assert_int_equal(p.gpu_generation, 13);
   assert_int_equal(p.gpu_variant, 'G');
   assert_int_equal(p.chip_id, 0x8103);
   assert_int_equal(p.num_clusters_total, 1);
   assert_int_equal(p.core_masks[0], 0xff);
   assert_int_equal(p.vm_start, vdrm_sim_asahi_profile_g13g.params.vm_start);
   assert_int_equal(p.vm_end, vdrm_sim_asahi_profile_g13g.params.vm_end);
   assert_int_equal(p.vm_kernel_min_size, 0x20000000ull);
   assert_int_equal(p.max_commands_per_submission, 64);
   assert_int_equal(p.command_timestamp_frequency_hz, 24000000);
   assert_int_equal(p.features & KASAHI_FEATURE_SOFT_FAULTS, KASAHI_FEATURE_SOFT_FAULTS);
}

static void
get_params_prefix_and_more(void **state)
{
   struct tguest *g = TG(state);
   struct asahi_ccmd_get_params_rsp rsp;
   struct asahi_ccmd_get_params_rsp_view view;
   struct vdrm_error err;
   uint8_t zero[16] = { 0 };

   /* 16 bytes: a prefix (features, generation, variant). */
   tg_reserve(g, 0, 24);
   ag_get_params(g, 0, 16, 0);
   /* 608: the kernel knows 592; the rest reads zero. */
   tg_reserve(g, 64, 8 + 608);
   ag_get_params(g, 0, 608, 64);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(asahi_ccmd_get_params_rsp_decode(g->rsp, 24, &rsp, &view, &err), VDRM_OK);
   assert_int_equal(view.payload.size, 16);
   assert_int_equal(view.payload.data[8], 13);
   assert_int_equal(asahi_ccmd_get_params_rsp_decode(g->rsp + 64, 616, &rsp, &view, &err), VDRM_OK);
   assert_int_equal(rsp.ret, 0);
   assert_memory_equal(view.payload.data + 592, zero, 16);
   assert_int_equal(asahi_stats(g).get_params_size, 608);
}

static void
get_params_refused(void **state)
{
   struct tguest *g = TG(state);
   uint64_t before;

   before = asahi_stats(g).get_params;
   /* Only group 0. */
   ag_get_params(g, 1, 592, 0);
   expect_rejected(g, "GET_PARAMS", "params.param_group");
   /* More than the response region (4080 bytes) holds. */
   ag_get_params(g, 0, 8192, 0);
   expect_rejected(g, "GET_PARAMS", "hdr.rsp_off");
   /* Neither reached the kernel. */
   assert_int_equal(asahi_stats(g).get_params, before);
}

/* ---- GEM_NEW ---- */

static void
gem_new_blob_maps_data(void **state)
{
   struct tguest *g = TG(state);
   int fd, fd2;
   uint32_t res = ag_bo(g, 5, 3 * PAGE, KASAHI_GEM_WRITEBACK, 0, 0, &fd);
   uint8_t *p, *q;

   assert_int_not_equal(res, 0);
   assert_int_equal(sim_stats(g).objects, 1);
   assert_int_equal(tg_stats(g).buffer_bytes, 3 * PAGE);
   p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
   assert_true(p != MAP_FAILED);
   memcpy(p + PAGE, "agx", 4);
   assert_int_equal(vdrm_host_resource_export(g->client, res, &fd2), VDRM_HOST_OK);
   q = mmap(NULL, 3 * PAGE, PROT_READ, MAP_SHARED, fd2, 0);
   assert_true(q != MAP_FAILED);
   assert_string_equal((const char *)q + PAGE, "agx");
   munmap(p, 3 * PAGE);
   munmap(q, 3 * PAGE);
   close(fd);
   close(fd2);
   assert_int_equal(vdrm_host_resource_unref(g->client, res), VDRM_HOST_OK);
   assert_int_equal(sim_stats(g).objects, 0);
}

static void
gem_new_maps_at_addr(void **state)
{
   struct tguest *g = TG(state);
   uint32_t vm = ag_vm(g);
   struct vdrm_sim_asahi_mapping m;
   uint32_t res = ag_bo(g, 5, 2 * PAGE - 100, 0, vm, VA, NULL);

   assert_int_equal(vdrm_sim_asahi_find_mapping(g->sim, vm, VA + PAGE, &m), 0);
   assert_int_equal(m.start, VA);
   assert_int_equal(m.end, VA + 2 * PAGE);
   assert_int_equal(m.flags, KASAHI_BIND_READ | KASAHI_BIND_WRITE);
   /* The mapping keeps the object alive after its resource goes; the VM's end frees it. */
   assert_int_equal(vdrm_host_resource_unref(g->client, res), VDRM_HOST_OK);
   assert_int_equal(sim_stats(g).objects, 1);
   assert_int_equal(sim_stats(g).mappings, 1);
   /* VM_PRIVATE in a VM of this context. */
   ag_bo(g, 6, PAGE, KASAHI_GEM_VM_PRIVATE, vm, VA + 4 * PAGE, NULL);
   assert_int_equal(vdrm_sim_asahi_mapping_count(g->sim, vm), 2);
}

static void
gem_new_refused(void **state)
{
   struct tguest *g = TG(state);
   uint32_t vm = ag_vm(g);

   /* The same blob_id twice before its blob exists. */
   ag_gem_new(g, 9, PAGE, 0, 0, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   ag_gem_new(g, 9, PAGE, 0, 0, 0, 0);
   expect_rejected(g, "GEM_NEW", "blob_id");
   /* A VM the context does not have, for the mapping or VM_PRIVATE. */
   ag_gem_new(g, 10, PAGE, 0, KASAHI_BIND_READ, vm + 1, VA);
   expect_rejected(g, "GEM_NEW", "vm_id");
   ag_gem_new(g, 10, PAGE, KASAHI_GEM_VM_PRIVATE, 0, vm + 1, 0);
   expect_rejected(g, "GEM_NEW", "vm_id");
   /* The kernel refuses an unknown flag: the failure is counted and logged. */
   ag_gem_new(g, 10, PAGE, 0x10, 0, 0, 0);
   expect_rejected(g, "GEM_NEW", "DRM_ASAHI_GEM_CREATE");
   /* The mapping fails (inside the kernel's window): the buffer is closed again. */
   ag_gem_new(g, 10, PAGE, 0, KASAHI_BIND_READ, vm, KSTART);
   expect_rejected(g, "GEM_NEW", "DRM_ASAHI_VM_BIND");
   assert_int_equal(sim_stats(g).objects, 1);
   assert_int_equal(tg_stats(g).objects, 1);
   /* No blob could ever take blob_id 0: the decoder refuses it. */
   ag_gem_new(g, 0, PAGE, 0, 0, 0, 0);
   expect_rejected(g, "GEM_NEW", "blob_id");
}

static void
gem_new_limits(void **state)
{
   struct ag_opts o = { .set_limits = true };
   struct tguest *g;

   (void)state;
   for (int i = 0; i < VDRM_HOST_LIMIT_COUNT; i++)
      o.limits.max[i] = vdrm_host_limit_default(i);
   o.limits.max[VDRM_HOST_LIMIT_OBJECTS] = 1;
   o.limits.max[VDRM_HOST_LIMIT_BUFFER_BYTES] = 4 * PAGE;
   g = ag_new(&o);
   ag_gem_new(g, 1, 5 * PAGE, 0, 0, 0, 0);
   expect_rejected(g, "GEM_NEW", "max_buffer_bytes");
   ag_gem_new(g, 1, PAGE, 0, 0, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   ag_gem_new(g, 2, PAGE, 0, 0, 0, 0);
   expect_rejected(g, "GEM_NEW", "max_objects");
   tg_free(g);
}

/* ---- VM_BIND ---- */

static void
vm_bind_map_unmap_split(void **state)
{
   struct tguest *g = TG(state);
   uint32_t vm = ag_vm(g);
   uint32_t res = ag_bo(g, 1, 4 * PAGE, 0, 0, 0, NULL);
   struct drm_asahi_gem_bind_op ops[2] = { map_op(res, 0, 4 * PAGE, VA), unmap_op(PAGE, VA + PAGE) };
   struct vdrm_sim_asahi_mapping m;

   /* Map four pages, then unmap the second: two mappings remain. */
   ag_vm_bind(g, vm, ops, 2, sizeof(ops[0]));
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(vdrm_sim_asahi_mapping_count(g->sim, vm), 2);
   assert_int_equal(vdrm_sim_asahi_find_mapping(g->sim, vm, VA + PAGE, &m), -ENOENT);
   assert_int_equal(vdrm_sim_asahi_find_mapping(g->sim, vm, VA + 2 * PAGE, &m), 0);
   assert_int_equal(m.start, VA + 2 * PAGE);
   assert_int_equal(m.offset, 2 * PAGE);
   /* A map over mapped addresses replaces what was there. */
   ops[0] = map_op(res, 3 * PAGE, PAGE, VA + 3 * PAGE);
   ag_vm_bind(g, vm, ops, 1, sizeof(ops[0]));
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(vdrm_sim_asahi_find_mapping(g->sim, vm, VA + 3 * PAGE, &m), 0);
   assert_int_equal(m.start, VA + 3 * PAGE);
   assert_int_equal(m.offset, 3 * PAGE);
   assert_int_equal(vdrm_sim_asahi_mapping_count(g->sim, vm), 3);
   /* SINGLE_PAGE: one page of the buffer over a larger range. */
   ops[0] = map_op(res, 0, 8 * PAGE, VA + 16 * PAGE);
   ops[0].flags |= KASAHI_BIND_SINGLE_PAGE;
   ag_vm_bind(g, vm, ops, 1, sizeof(ops[0]));
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   /* Unmap everything. */
   ops[0] = unmap_op(64 * PAGE, VA);
   ag_vm_bind(g, vm, ops, 1, sizeof(ops[0]));
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(vdrm_sim_asahi_mapping_count(g->sim, vm), 0);
   assert_int_equal(sim_stats(g).mappings, 0);
   /* No ops: nothing asked of the kernel. */
   ag_vm_bind(g, vm, ops, 0, sizeof(ops[0]));
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
}

static void
vm_bind_longer_stride(void **state)
{
   struct tguest *g = TG(state);
   uint32_t vm = ag_vm(g);
   uint32_t res = ag_bo(g, 1, PAGE, 0, 0, 0, NULL);
   struct drm_asahi_gem_bind_op op = map_op(res, 0, PAGE, VA);

   /* A newer guest's 48-byte ops, the extra bytes zero. */
   ag_vm_bind(g, vm, &op, 1, 48);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(vdrm_sim_asahi_mapping_count(g->sim, vm), 1);
}

static void
vm_bind_refused(void **state)
{
   struct tguest *g = TG(state);
   uint32_t vm = ag_vm(g), vm2 = ag_vm(g);
   uint32_t res = ag_bo(g, 1, 2 * PAGE, 0, 0, 0, NULL);
   uint32_t priv = ag_bo(g, 2, PAGE, KASAHI_GEM_VM_PRIVATE, vm2, 0, NULL);
   struct drm_asahi_gem_bind_op op = map_op(res, 0, PAGE, VA);

   ag_vm_bind(g, vm + 100, &op, 1, sizeof(op));
   expect_rejected(g, "VM_BIND", "vm_id");
   op.handle = res + 100;
   ag_vm_bind(g, vm, &op, 1, sizeof(op));
   expect_rejected(g, "VM_BIND", "ops[].handle");
   /* Past the end of the buffer, found by the host. */
   op = map_op(res, PAGE, 2 * PAGE, VA);
   ag_vm_bind(g, vm, &op, 1, sizeof(op));
   expect_rejected(g, "VM_BIND", "ops[].offset");
   /* What the kernel refuses: unaligned address, the kernel's window, a private object of another VM. */
   op = map_op(res, 0, PAGE, VA + 4096);
   ag_vm_bind(g, vm, &op, 1, sizeof(op));
   expect_rejected(g, "VM_BIND", "DRM_ASAHI_VM_BIND");
   op = map_op(res, 0, PAGE, KEND - PAGE);
   ag_vm_bind(g, vm, &op, 1, sizeof(op));
   expect_rejected(g, "VM_BIND", "DRM_ASAHI_VM_BIND");
   op = map_op(priv, 0, PAGE, VA);
   ag_vm_bind(g, vm, &op, 1, sizeof(op));
   expect_rejected(g, "VM_BIND", "DRM_ASAHI_VM_BIND");
   op.flags = 0;   /* neither READ nor WRITE */
   ag_vm_bind(g, vm2, &op, 1, sizeof(op));
   expect_rejected(g, "VM_BIND", "DRM_ASAHI_VM_BIND");
   assert_int_equal(sim_stats(g).mappings, 0);
   /* In its own VM the private object maps. */
   op = map_op(priv, 0, PAGE, VA);
   ag_vm_bind(g, vm2, &op, 1, sizeof(op));
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
}

/* VM_BIND's deployed defects: strides below 32 and a count * stride that wraps in 32 bits. */
static void
vm_bind_short_stride_and_wrap(void **state)
{
   struct tguest *g = TG(state);
   uint32_t vm = ag_vm(g);
   struct asahi_ccmd_vm_bind_req req = { .hdr = tg_hdr(g, 0), .vm_id = vm, .stride = 8, .count = 4 };
   uint8_t ops[32] = { 0 };

   req.hdr.cmd = ASAHI_CCMD_VM_BIND;
   req.hdr.len = sizeof(req) + sizeof(ops);
   tg_raw(g, &req, sizeof(req));
   tg_raw(g, ops, sizeof(ops));
   expect_rejected(g, "VM_BIND", "stride");
   req = (struct asahi_ccmd_vm_bind_req){ .hdr = tg_hdr(g, 0), .vm_id = vm, .stride = 0x10000, .count = 0x10000 };
   req.hdr.cmd = ASAHI_CCMD_VM_BIND;
   req.hdr.len = sizeof(req);   /* what 0x10000 * 0x10000 is in 32 bits, plus 28 */
   tg_raw(g, &req, sizeof(req));
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "VM_BIND", NULL));
   assert_int_equal(sim_stats(g).mappings, 0);
}

/* ---- SUBMIT ---- */

static void
submit_fences_on_queue_ring(void **state)
{
   struct tguest *g = TG(state);
   uint32_t vm = ag_vm(g);
   uint32_t q = ag_queue(g, vm, KASAHI_PRIORITY_MEDIUM);
   struct one_cmd c = cmd_of(KASAHI_CMD_RENDER, 0);

   ag_submit(g, q, 0, &c, cmd_len(&c), NULL, 0);
   assert_int_equal(tg_flush_fence(g, 2, 77), VDRM_HOST_OK);
   assert_int_equal(sim_stats(g).pending, 1);
   assert_int_equal(vdrm_host_fence_wait(g->client, 2, 77, 0), VDRM_HOST_E_TIMEOUT);
   vdrm_sim_advance(g->sim, 1000);
   assert_int_equal(vdrm_host_fence_wait(g->client, 2, 77, 0), VDRM_HOST_OK);
   assert_int_equal(asahi_stats(g).commands, 1);
   assert_int_equal(sim_stats(g).submits, 1);
}

static void
submit_implicit_sync(void **state)
{
   struct tguest *g = TG(state);
   uint32_t vm = ag_vm(g);
   uint32_t lo = ag_queue(g, vm, KASAHI_PRIORITY_LOW), med = ag_queue(g, vm, KASAHI_PRIORITY_MEDIUM);
   uint32_t res = ag_bo(g, 1, PAGE, 0, 0, 0, NULL);
   uint32_t priv = ag_bo(g, 2, PAGE, KASAHI_GEM_VM_PRIVATE, vm, 0, NULL);
   struct asahi_ccmd_submit_res w = { .res_id = res, .flags = ASAHI_EXTRES_WRITE };
   struct asahi_ccmd_submit_res r[3] = {
      { .res_id = res, .flags = ASAHI_EXTRES_READ | 0x40 },   /* other bits ignored */
      { .res_id = priv, .flags = ASAHI_EXTRES_READ },         /* no implicit fences */
      { .res_id = 9999, .flags = 0 },                         /* neither bit: ignored */
   };
   struct one_cmd c = cmd_of(KASAHI_CMD_COMPUTE, 0);

   /* A writer on LOW, then a reader on MEDIUM: the reader waits for the writer. */
   ag_submit(g, lo, 0, &c, cmd_len(&c), &w, 1);
   assert_int_equal(tg_flush_fence(g, 1, 1), VDRM_HOST_OK);
   ag_submit(g, med, 0, &c, cmd_len(&c), r, 3);
   assert_int_equal(tg_flush_fence(g, 2, 2), VDRM_HOST_OK);
   vdrm_sim_advance(g->sim, 1000);
   assert_int_equal(vdrm_host_fence_wait(g->client, 1, 1, 0), VDRM_HOST_OK);
   assert_int_equal(vdrm_host_fence_wait(g->client, 2, 2, 0), VDRM_HOST_E_TIMEOUT);
   vdrm_sim_advance(g->sim, 1000);
   assert_int_equal(vdrm_host_fence_wait(g->client, 2, 2, 0), VDRM_HOST_OK);
   assert_int_equal(asahi_stats(g).syncs, 3);
   assert_int_equal(asahi_stats(g).syncs_skipped, 1);
}

static void
submit_refused(void **state)
{
   struct tguest *g = TG(state);
   uint32_t vm = ag_vm(g);
   uint32_t q = ag_queue(g, vm, KASAHI_PRIORITY_LOW);
   struct one_cmd c = cmd_of(KASAHI_CMD_RENDER, 0);
   struct asahi_ccmd_submit_res bad = { .res_id = 4242, .flags = ASAHI_EXTRES_READ };
   struct drm_asahi_queue_destroy d = { .queue_id = q };
   uint8_t many[65 * (8 + 64)];

   ag_submit(g, q + 10, 0, &c, cmd_len(&c), NULL, 0);
   expect_rejected(g, "SUBMIT", "queue_id");
   ag_submit(g, q, 0, &c, cmd_len(&c), &bad, 1);
   expect_rejected(g, "SUBMIT", "extres[].res_id");
   /* What the kernel refuses: flags, a barrier ahead, too many commands. What the
      decoders refuse before it: an unknown command type, a body of the wrong size,
      attachments that are not whole entries. */
   ag_submit(g, q, 1, &c, cmd_len(&c), NULL, 0);
   expect_rejected(g, "SUBMIT", "DRM_ASAHI_SUBMIT");
   c = cmd_of(7, 0);
   ag_submit(g, q, 0, &c, cmd_len(&c), NULL, 0);
   expect_rejected(g, "SUBMIT", "cmdbuf[].cmd_type");
   c = cmd_of(KASAHI_CMD_RENDER, 0);
   c.h.vdm_barrier = 3;
   ag_submit(g, q, 0, &c, cmd_len(&c), NULL, 0);
   expect_rejected(g, "SUBMIT", "DRM_ASAHI_SUBMIT");
   c = cmd_of(KASAHI_CMD_RENDER, 0);
   c.h.size = 40;   /* a render body is 240 bytes */
   ag_submit(g, q, 0, &c, cmd_len(&c), NULL, 0);
   expect_rejected(g, "SUBMIT", "cmdbuf: 48 bytes");
   for (int i = 0; i < 65; i++) {
      struct one_cmd k = cmd_of(KASAHI_CMD_COMPUTE, 0);

      memcpy(many + i * cmd_len(&k), &k, cmd_len(&k));
   }
   ag_submit(g, q, 0, many, sizeof(many), NULL, 0);
   expect_rejected(g, "SUBMIT", "DRM_ASAHI_SUBMIT");
   c = cmd_of(KASAHI_SET_VERTEX_ATTACHMENTS, 0);   /* 64 bytes: not whole attachments */
   ag_submit(g, q, 0, &c, cmd_len(&c), NULL, 0);
   expect_rejected(g, "SUBMIT", "cmdbuf[].size");
   assert_int_equal(sim_stats(g).submits, 0);
   /* A destroyed queue is forgotten: the host refuses it (the deployed host asks the kernel). */
   assert_int_equal(ioctl_ret(g, DRM_IOCTL_KASAHI_QUEUE_DESTROY, &d, NULL, 0), 0);
   c = cmd_of(KASAHI_CMD_RENDER, 0);
   ag_submit(g, q, 0, &c, cmd_len(&c), NULL, 0);
   expect_rejected(g, "SUBMIT", "queue_id");
}

static void
submit_hang_faults(void **state)
{
   struct tguest *g = TG(state);
   uint32_t vm = ag_vm(g);
   uint32_t q = ag_queue(g, vm, KASAHI_PRIORITY_LOW);
   struct one_cmd c = cmd_of(KASAHI_CMD_COMPUTE, VDRM_SIM_HANG_MAGIC);

   ag_submit(g, q, 0, &c, cmd_len(&c), NULL, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   vdrm_sim_advance(g->sim, 1000);
   assert_int_equal(sim_stats(g).faults, 1);
}

static void
submit_pending_limit(void **state)
{
   struct ag_opts o = { .set_limits = true };
   struct tguest *g;
   uint32_t q;
   struct one_cmd c = cmd_of(KASAHI_CMD_RENDER, 0);

   (void)state;
   for (int i = 0; i < VDRM_HOST_LIMIT_COUNT; i++)
      o.limits.max[i] = vdrm_host_limit_default(i);
   o.limits.max[VDRM_HOST_LIMIT_PENDING_FENCES] = 2;
   g = ag_new(&o);
   q = ag_queue(g, ag_vm(g), 0);
   ag_submit(g, q, 0, &c, cmd_len(&c), NULL, 0);
   ag_submit(g, q, 0, &c, cmd_len(&c), NULL, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   ag_submit(g, q, 0, &c, cmd_len(&c), NULL, 0);
   expect_rejected(g, "SUBMIT", "max_pending_fences");
   /* Pending work at tg_teardown still completes in the backend (ag_free checks). */
   tg_free(g);
}

/* SUBMIT's deployed defect: extres_count * 8 wrapping (on 32-bit hosts) cannot defeat the length check. */
static void
submit_extres_count_wrap(void **state)
{
   struct tguest *g = TG(state);
   uint32_t q = ag_queue(g, ag_vm(g), 0);
   struct asahi_ccmd_submit_req req = {
      .hdr = tg_hdr(g, 0), .queue_id = q, .cmdbuf_size = 0, .extres_count = 0x20000001,
   };
   struct asahi_ccmd_submit_res r = { 0 };

   req.hdr.cmd = ASAHI_CCMD_SUBMIT;
   req.hdr.len = sizeof(req) + 8;
   tg_raw(g, &req, sizeof(req));
   tg_raw(g, &r, sizeof(r));
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "SUBMIT", "extres", NULL));
   assert_int_equal(sim_stats(g).submits, 0);
}

/* ---- GEM_BIND_OBJECT ---- */

static void
bind_object_bind_unbind(void **state)
{
   struct tguest *g = TG(state);
   uint32_t res = ag_bo(g, 1, 2 * PAGE, 0, 0, 0, NULL);
   uint32_t obj = 0;
   uint8_t before[16];

   assert_int_equal(bind_object_ret(g, KASAHI_BIND_OBJECT_USAGE_TIMESTAMPS, res, 64, 256, &obj), 0);
   assert_int_not_equal(obj, 0);
   assert_int_equal(asahi_stats(g).bound_objects, 1);
   /* The object keeps its buffer alive. */
   assert_int_equal(vdrm_host_resource_unref(g->client, res), VDRM_HOST_OK);
   assert_int_equal(sim_stats(g).objects, 1);
   /* UNBIND as Mesa sends it: rsp_off 0, no response; whatever is at offset 0 stays. */
   tg_reserve(g, 0, 16);
   memcpy(before, g->rsp, sizeof(before));
   ag_bind_object(g, KASAHI_BIND_OBJECT_OP_UNBIND, 0, 0, 0, 0, obj, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_memory_equal(g->rsp, before, sizeof(before));
   assert_int_equal(asahi_stats(g).bound_objects, 0);
   assert_int_equal(sim_stats(g).objects, 0);
}

static void
bind_object_refused(void **state)
{
   struct tguest *g = TG(state);
   uint32_t res = ag_bo(g, 1, PAGE, 0, 0, 0, NULL);
   uint32_t obj = 1;
   struct asahi_ccmd_gem_bind_object_req req;
   size_t len;

   /* Unknown res_id: -ENOENT in the response, as documented. */
   assert_int_equal(bind_object_ret(g, KASAHI_BIND_OBJECT_USAGE_TIMESTAMPS, res + 5, 0, 64, &obj), -ENOENT);
   assert_int_equal(obj, 0);
   /* The kernel refuses other flags: -1. */
   assert_int_equal(bind_object_ret(g, 2, res, 0, 64, &obj), -1);
   /* Past the buffer: rejected by the host. */
   ag_bind_object(g, KASAHI_BIND_OBJECT_OP_BIND, 1, res, PAGE - 8, 64, 0, 512);
   expect_rejected(g, "GEM_BIND_OBJECT", "bind.offset");
   /* UNBIND of an object this context does not have. */
   ag_bind_object(g, KASAHI_BIND_OBJECT_OP_UNBIND, 0, 0, 0, 0, 77, 0);
   expect_rejected(g, "GEM_BIND_OBJECT", "bind.object_handle");
   ag_bind_object(g, 2, 0, 0, 0, 0, 77, 0);
   expect_rejected(g, "GEM_BIND_OBJECT", "bind.op");
   /* pad: the decoder refuses it. */
   req = (struct asahi_ccmd_gem_bind_object_req){ .hdr = tg_hdr(g, 512), .bind = { .handle = res, .range = 64 } };
   assert_int_equal(asahi_ccmd_gem_bind_object_req_encode(TG_ROOM(g), &req, &len), VDRM_OK);
   g->batch[g->start + g->len + offsetof(struct asahi_ccmd_gem_bind_object_req, bind.pad)] = 1;
   g->len += len;
   expect_rejected(g, "GEM_BIND_OBJECT", "bind.pad");
   assert_int_equal(asahi_stats(g).bound_objects, 0);
}

/* ---- upstream defects (generated/doc/asahi.md) ---- */

/*
 * SUBMIT's command buffer: the deployed host passes it to the kernel unread,
 * and the kernel loses step with its own framing on a RENDER or COMPUTE body
 * longer than its struct or an attachment body that is not whole entries.
 * Each is refused by the decoder, never reaches the device, and the next
 * good submit on the same queue goes through.
 */
static void
cmdbuf_refused(void **state, uint16_t type, uint16_t size, const char *field)
{
   struct tguest *g = TG(state);
   uint32_t q = ag_queue(g, ag_vm(g), KASAHI_PRIORITY_LOW);
   uint8_t buf[8 + 512] = { 0 };
   struct kasahi_cmd_header h = { .cmd_type = type, .size = size,
                                  .vdm_barrier = KASAHI_BARRIER_NONE, .cdm_barrier = KASAHI_BARRIER_NONE };
   struct one_cmd good = cmd_of(KASAHI_CMD_COMPUTE, 0);

   assert_true(size <= sizeof(buf) - sizeof(h));
   memcpy(buf, &h, sizeof(h));
   ag_submit(g, q, 0, buf, (uint32_t)sizeof(h) + size, NULL, 0);
   expect_rejected(g, "SUBMIT", field);
   assert_int_equal(sim_stats(g).submits, 0);
   ag_submit(g, q, 0, &good, cmd_len(&good), NULL, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(sim_stats(g).submits, 1);
}

static void
upstream_defect_asahi_ccmd_submit_req_cmdbuf_render(void **state)
{
   cmdbuf_refused(state, KASAHI_CMD_RENDER, 480, "cmdbuf[].hdr.size");
}

static void
upstream_defect_asahi_ccmd_submit_req_cmdbuf_compute(void **state)
{
   cmdbuf_refused(state, KASAHI_CMD_COMPUTE, 128, "cmdbuf[].hdr.size");
}

static void
upstream_defect_asahi_ccmd_submit_req_cmdbuf_set_vertex_attachments(void **state)
{
   cmdbuf_refused(state, KASAHI_SET_VERTEX_ATTACHMENTS, 64, "cmdbuf[].size");
}

static void
upstream_defect_asahi_ccmd_submit_req_cmdbuf_set_fragment_attachments(void **state)
{
   cmdbuf_refused(state, KASAHI_SET_FRAGMENT_ATTACHMENTS, 40, "cmdbuf[].size");
}

static void
upstream_defect_asahi_ccmd_submit_req_cmdbuf_set_compute_attachments(void **state)
{
   cmdbuf_refused(state, KASAHI_SET_COMPUTE_ATTACHMENTS, 16, "cmdbuf[].size");
}

/*
 * GET_PARAMS: the response size is computed in 64 bits and must fit the
 * region (0x100000008 no longer becomes a 16-byte buffer the kernel
 * overruns); pad and the length are checked; the 64-bit fields of a
 * request at a 4-mod-8 offset read correctly (UBSan would flag a
 * misaligned read).
 */
static void
upstream_defect_asahi_ccmd_get_params_req(void **state)
{
   struct tguest *g = TG(state);
   uint64_t asked = asahi_stats(g).get_params;
   uint8_t region[64];
   struct asahi_ccmd_get_params_req req;
   struct asahi_ccmd_get_params_rsp rsp;
   struct asahi_ccmd_get_params_rsp_view view;
   struct vdrm_error err;
   size_t len;

   memset(g->rsp, 0x5a, 64);
   memcpy(region, g->rsp, sizeof(region));
   ag_get_params(g, 0, 0x100000008ull, 0);
   expect_rejected(g, "GET_PARAMS", "hdr.rsp_off");
   ag_get_params(g, 0, UINT64_MAX, 0);
   expect_rejected(g, "GET_PARAMS", "hdr.rsp_off");
   assert_memory_equal(g->rsp, region, sizeof(region));
   assert_int_equal(asahi_stats(g).get_params, asked);
   /* pad is not forwarded: refused. */
   req = (struct asahi_ccmd_get_params_req){ .hdr = tg_hdr(g, 0), .params = { .pad = 1, .size = 16 } };
   assert_int_equal(asahi_ccmd_get_params_req_encode(TG_ROOM(g), &req, &len), VDRM_OK);
   g->len += len;
   expect_rejected(g, "GET_PARAMS", "params.pad");
   /* hdr.len must be exactly 40. */
   req = (struct asahi_ccmd_get_params_req){ .hdr = tg_hdr(g, 0), .params = { .size = 16 } };
   req.hdr.cmd = ASAHI_CCMD_GET_PARAMS;
   req.hdr.len = sizeof(req) + 4;
   tg_raw(g, &req, sizeof(req));
   tg_raw(g, "\0\0\0\0", 4);
   expect_rejected(g, "GET_PARAMS", "hdr.len");
   /* At a 4-mod-8 address, a good request reads its 64-bit size right. */
   g->start = 4;
   tg_reserve(g, 0, 8 + 592);
   ag_get_params(g, 0, 592, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(asahi_ccmd_get_params_rsp_decode(g->rsp, 600, &rsp, &view, &err), VDRM_OK);
   assert_int_equal(rsp.ret, 0);
   assert_int_equal(view.payload.size, 592);
   assert_int_equal(asahi_stats(g).get_params_size, 592);
}

/*
 * GEM_NEW: the size is kept in 64 bits (a 4 GiB+ buffer's blob matches);
 * a blob creation that fails leaves the buffer awaiting its blob (no
 * leak: a later, right one succeeds, and unref frees it); bind_flags
 * UNBIND or SINGLE_PAGE are refused; hdr.len is checked; a 4-mod-8
 * request reads its 64-bit size and address right.
 */
static void
upstream_defect_asahi_ccmd_gem_new_req(void **state)
{
   struct ag_opts o = { .set_limits = true };
   const uint64_t big = (4ull << 30) + PAGE;
   struct vdrm_sim_asahi_mapping m;
   struct tguest *g;
   uint32_t vm, res;
   int fd;

   (void)state;
   for (int i = 0; i < VDRM_HOST_LIMIT_COUNT; i++)
      o.limits.max[i] = vdrm_host_limit_default(i);
   o.limits.max[VDRM_HOST_LIMIT_BUFFER_BYTES] = 8ull << 30;
   g = ag_new(&o);
   g->start = 4;
   vm = ag_vm(g);
   ag_gem_new(g, 1, big, 0, KASAHI_BIND_READ, vm, VA);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(vdrm_sim_asahi_find_mapping(g->sim, vm, VA + big - 1, &m), 0);
   assert_int_equal(m.end, VA + big);
   assert_int_equal(m.object_size, big);
   /* Too large a blob fails, and the buffer still awaits its blob. */
   assert_int_equal(vdrm_host_blob_create(g->client, 1, big + PAGE, VDRM_HOST_BLOB_MAPPABLE, &res, &fd),
                    VDRM_HOST_E_INVAL);
   assert_int_equal(vdrm_host_blob_create(g->client, 1, big, VDRM_HOST_BLOB_MAPPABLE, &res, &fd), VDRM_HOST_OK);
   close(fd);
   assert_int_equal(tg_stats(g).buffer_bytes, big);
   assert_int_equal(vdrm_host_resource_unref(g->client, res), VDRM_HOST_OK);
   assert_int_equal(tg_stats(g).objects, 0);
   /* The initial mapping takes READ and WRITE only. */
   ag_gem_new(g, 2, PAGE, 0, KASAHI_BIND_UNBIND, vm, VA + big);
   expect_rejected(g, "GEM_NEW", "bind_flags");
   ag_gem_new(g, 2, PAGE, 0, KASAHI_BIND_READ | KASAHI_BIND_SINGLE_PAGE, vm, VA + big);
   expect_rejected(g, "GEM_NEW", "bind_flags");
   assert_int_equal(tg_stats(g).objects, 0);
   /* A short request is refused, not zero-extended. */
   {
      struct asahi_ccmd_gem_new_req req = { .hdr = tg_hdr(g, 0), .blob_id = 3, .size = PAGE };

      req.hdr.cmd = ASAHI_CCMD_GEM_NEW;
      req.hdr.len = 32;
      tg_raw(g, &req, 32);
      expect_rejected(g, "GEM_NEW", "hdr.len");
   }
   tg_free(g);
}

/*
 * GEM_BIND_OBJECT: hdr.len is checked; a 4-mod-8 request reads its 64-bit
 * offset and range right; an UNBIND writes no response (Mesa's rsp_off 0
 * is left alone), and one that fails is counted in async_error and logged
 * instead of vanishing.
 */
static void
upstream_defect_asahi_ccmd_gem_bind_object_req(void **state)
{
   struct tguest *g = TG(state);
   uint32_t res, obj = 0;
   uint8_t before[16];

   g->start = 4;
   res = ag_bo(g, 1, PAGE, 0, 0, 0, NULL);
   assert_int_equal(bind_object_ret(g, KASAHI_BIND_OBJECT_USAGE_TIMESTAMPS, res, 2 * 4096, 4096, &obj), 0);
   assert_int_not_equal(obj, 0);
   /* Short: refused. */
   {
      struct asahi_ccmd_gem_bind_object_req req = { .hdr = tg_hdr(g, 512), .bind = { .handle = res, .range = 8 } };

      req.hdr.cmd = ASAHI_CCMD_GEM_BIND_OBJECT;
      req.hdr.len = 48;
      tg_raw(g, &req, 48);
      expect_rejected(g, "GEM_BIND_OBJECT", "hdr.len");
   }
   tg_reserve(g, 0, 16);
   memcpy(before, g->rsp, sizeof(before));
   ag_bind_object(g, KASAHI_BIND_OBJECT_OP_UNBIND, 0, 0, 0, 0, obj, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_memory_equal(g->rsp, before, sizeof(before));
   /* Once more: the object is gone, and the failure is seen. */
   ag_bind_object(g, KASAHI_BIND_OBJECT_OP_UNBIND, 0, 0, 0, 0, obj, 0);
   expect_rejected(g, "GEM_BIND_OBJECT", "bind.object_handle");
   assert_memory_equal(g->rsp, before, sizeof(before));
}

/* ---- the whole context ---- */

static void
teardown_with_everything_live(void **state)
{
   struct tguest *g = TG(state);
   uint32_t vm = ag_vm(g);
   uint32_t q = ag_queue(g, vm, KASAHI_PRIORITY_MEDIUM);
   uint32_t res = ag_bo(g, 1, PAGE, 0, vm, VA, NULL);
   struct asahi_ccmd_submit_res w = { .res_id = res, .flags = ASAHI_EXTRES_WRITE };
   struct one_cmd c = cmd_of(KASAHI_CMD_RENDER, 0);
   uint32_t obj;

   assert_int_equal(bind_object_ret(g, 1, res, 0, 64, &obj), 0);
   ag_submit(g, q, 0, &c, cmd_len(&c), &w, 1);
   assert_int_equal(tg_flush_fence(g, 2, 5), VDRM_HOST_OK);
   assert_true(tg_stats(g).heap_bytes > 0);
   /* ag_free: VMs, mappings, queues, objects and the pending submit all go. */
}

int
main(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(nop_publishes_seqno, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(capset_header_only, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(ioctl_get_time, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(ioctl_vm_create_destroy, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(ioctl_vm_limit, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(ioctl_queue_create_destroy, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(ioctl_queue_keeps_vm, setup, tg_teardown),
      cmocka_unit_test(ioctl_queue_limit),
      cmocka_unit_test_setup_teardown(ioctl_number_checked_whole, setup, tg_teardown),
      cmocka_unit_test(ioctl_needs_shmem),
      cmocka_unit_test_setup_teardown(ioctl_queue_create_short_or_write_only, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(get_params_global, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(get_params_prefix_and_more, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(get_params_refused, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(gem_new_blob_maps_data, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(gem_new_maps_at_addr, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(gem_new_refused, setup, tg_teardown),
      cmocka_unit_test(gem_new_limits),
      cmocka_unit_test_setup_teardown(vm_bind_map_unmap_split, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(vm_bind_longer_stride, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(vm_bind_refused, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(vm_bind_short_stride_and_wrap, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(submit_fences_on_queue_ring, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(submit_implicit_sync, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(submit_refused, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(submit_hang_faults, setup, tg_teardown),
      cmocka_unit_test(submit_pending_limit),
      cmocka_unit_test_setup_teardown(submit_extres_count_wrap, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(bind_object_bind_unbind, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(bind_object_refused, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(upstream_defect_asahi_ccmd_get_params_req, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(upstream_defect_asahi_ccmd_submit_req_cmdbuf_render, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(upstream_defect_asahi_ccmd_submit_req_cmdbuf_compute, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(upstream_defect_asahi_ccmd_submit_req_cmdbuf_set_vertex_attachments, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(upstream_defect_asahi_ccmd_submit_req_cmdbuf_set_fragment_attachments, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(upstream_defect_asahi_ccmd_submit_req_cmdbuf_set_compute_attachments, setup, tg_teardown),
      cmocka_unit_test(upstream_defect_asahi_ccmd_gem_new_req),
      cmocka_unit_test_setup_teardown(upstream_defect_asahi_ccmd_gem_bind_object_req, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(teardown_with_everything_live, setup, tg_teardown),
   };

   return cmocka_run_group_tests(tests, NULL, NULL);
}
