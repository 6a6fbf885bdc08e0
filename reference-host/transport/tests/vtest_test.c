/* SPDX-License-Identifier: MIT */

/*
 * The vtest server over a real Unix socket on a temporary path, served by a
 * thread of the test (the only caller of the host while it runs): Mesa's
 * vdrm sequence for msm, and one client's garbage, stall, flood or
 * disconnect affecting no other. Every message is built with the generated
 * encoders and every answer read with the generated decoders; each test
 * checks that the process holds as many descriptors after as before.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/eventfd.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "fd_count.h"
#include "msm_codec.h"
#include "msm_kernel.h"
#include "server.h"
#include "sim.h"
#include "syncobj.h"
#include "vdrm_host.h"
#include "vtest_client.h"
#include "vtest_codec.h"

#define VA 0x100000000ull
#define TMO 5000

struct fixture {
   int fds_before;
   char dir[64];
   char path[128];
   struct vdrm_backend *sim;
   struct vdrm_host *host;
   struct vt_server *srv;
   pthread_t thread;
   bool joined;
   pthread_mutex_t lock;
   char lines[32][512];
   uint32_t nlines;
};

static void
log_line(void *data, const char *line)
{
   struct fixture *f = data;

   pthread_mutex_lock(&f->lock);
   if (f->nlines < 32)
      snprintf(f->lines[f->nlines++], sizeof(f->lines[0]), "%s", line);
   pthread_mutex_unlock(&f->lock);
}

static uint32_t
lines_with(struct fixture *f, const char *a, const char *b)
{
   uint32_t n = 0;

   pthread_mutex_lock(&f->lock);
   for (uint32_t i = 0; i < f->nlines; i++)
      n += strstr(f->lines[i], a) && (!b || strstr(f->lines[i], b));
   pthread_mutex_unlock(&f->lock);
   return n;
}

static void *
run(void *arg)
{
   struct fixture *f = arg;

   vt_server_run(f->srv);
   return NULL;
}

static int
setup_with(void **state, struct vt_server_config cfg)
{
   struct fixture *f = calloc(1, sizeof(*f));
   struct vdrm_sim_config sc = { .clock = VDRM_SIM_CLOCK_MONOTONIC, .submit_ns = 2000000 };

   f->fds_before = tg_count_fds();
   pthread_mutex_init(&f->lock, NULL);
   snprintf(f->dir, sizeof(f->dir), "/tmp/vdrm-vtest-XXXXXX");
   assert_non_null(mkdtemp(f->dir));
   snprintf(f->path, sizeof(f->path), "%s/sock", f->dir);
   cfg.socket_path = f->path;
   cfg.log = log_line;
   cfg.log_data = f;
   assert_int_equal(vdrm_sim_create(&sc, &f->sim), 0);
   assert_int_equal(vdrm_host_create(f->sim, NULL, &f->host), VDRM_HOST_OK);
   assert_int_equal(vt_server_create(f->host, &cfg, &f->srv), 0);
   assert_int_equal(pthread_create(&f->thread, NULL, run, f), 0);
   *state = f;
   return 0;
}

static int
setup(void **state)
{
   return setup_with(state, (struct vt_server_config){ 0 });
}

static int
setup_small_tx(void **state)
{
   return setup_with(state, (struct vt_server_config){ .max_tx_bytes = 4096 });
}

/* The transport's own limits, small enough to reach. */
static int
setup_small_limits(void **state)
{
   return setup_with(state, (struct vt_server_config){
      .max_rx_bytes = 4096, .max_syncobjs = 4, .max_waits = 2 });
}

static void
stop(struct fixture *f)
{
   if (!f->srv || f->joined)
      return;
   vt_server_stop(f->srv);
   pthread_join(f->thread, NULL);
   f->joined = true;   /* tests stop before teardown does: join once */
}

static int
teardown(void **state)
{
   struct fixture *f = *state;
   struct stat st;

   stop(f);
   vt_server_destroy(f->srv);
   /* Clean shutdown: the socket is gone, and so is everything the clients held. */
   assert_int_not_equal(stat(f->path, &st), 0);
   vdrm_host_destroy(f->host);
   {
      struct vdrm_sim_stats s;

      vdrm_sim_get_stats(f->sim, &s);
      assert_int_equal(s.files, 0);
      assert_int_equal(s.objects, 0);
   }
   vdrm_backend_destroy(f->sim);
   rmdir(f->dir);
   assert_int_equal(tg_count_fds(), f->fds_before);
   pthread_mutex_destroy(&f->lock);
   free(f);
   return 0;
}

/* ---- a client ---- */

struct vc {
   int s;
   int shmem_fd;
   uint8_t *shmem;
   uint32_t shmem_res;
   uint32_t seqno;
};

static void
send_msg(struct vc *c, const void *buf, size_t len)
{
   assert_int_equal(vc_send(c->s, buf, len), 0);
}

#define SEND(c, kind, ...) VC_SEND((c)->s, kind, __VA_ARGS__)
#define RECV(c, kind, out) VC_RECV((c)->s, kind, out, TMO)

static void
create_renderer(struct vc *c, const char *name)
{
   struct vtest_create_renderer_req r = { 0 };
   uint8_t buf[128];
   size_t len;

   assert_int_equal(vtest_create_renderer_req_encode(buf, sizeof(buf), &r, name,
                                                     (uint32_t)strlen(name) + 1, &len),
                    VDRM_OK);
   send_msg(c, buf, len);
}

/* A round trip: once it is answered, everything sent before has run. */
static void
barrier(struct vc *c)
{
   struct vtest_ping_protocol_version_rsp rsp;

   SEND(c, ping_protocol_version, .hdr = { 0 });
   RECV(c, ping_protocol_version, &rsp);
}

static uint32_t
create_blob(struct vc *c, uint32_t blob_id, uint64_t size, int *fd)
{
   struct vtest_resource_create_blob_rsp rsp;

   SEND(c, resource_create_blob, .type = VCMD_BLOB_TYPE_HOST3D, .flags = VCMD_BLOB_FLAG_MAPPABLE,
        .size_lo = (uint32_t)size, .size_hi = (uint32_t)(size >> 32), .id_lo = blob_id);
   RECV(c, resource_create_blob, &rsp);
   *fd = vc_recv_fd(c->s, TMO);
   assert_true(*fd >= 0);
   return rsp.res_id;
}

/* Mesa's vdrm start: renderer, version, capset, context, shmem. */
static void
vc_open(struct fixture *f, struct vc *c, const char *name)
{
   struct vtest_ping_protocol_version_rsp ping;
   struct vtest_resource_busy_wait_rsp busy;
   struct vtest_protocol_version_rsp ver;
   struct vtest_get_param_rsp param;
   struct vtest_get_capset_rsp cap;
   struct vtest_get_capset_rsp_view view;
   struct virgl_renderer_capset_drm drm;
   struct vdrm_error err;
   uint8_t buf[1024];
   uint32_t len;

   memset(c, 0, sizeof(*c));
   c->s = vc_connect(f->path);
   assert_true(c->s >= 0);
   create_renderer(c, name);
   SEND(c, ping_protocol_version, .hdr = { 0 });
   SEND(c, resource_busy_wait, .handle = 0, .flags = 0);
   RECV(c, ping_protocol_version, &ping);
   RECV(c, resource_busy_wait, &busy);
   assert_int_equal(busy.busy, 0);
   SEND(c, protocol_version, .version = 4);
   RECV(c, protocol_version, &ver);
   assert_int_equal(ver.version, 4);
   SEND(c, get_capset, .id = VDRM_HOST_CAPSET_DRM, .version = 0);
   assert_int_equal(vc_recv(c->s, buf, 8, TMO), 0);
   memcpy(&len, buf, 4);
   assert_true(len * 4 <= sizeof(buf) - 8);
   assert_int_equal(vc_recv(c->s, buf + 8, len * 4, TMO), 0);
   assert_int_equal(vtest_get_capset_rsp_decode(buf, 8 + len * 4, &cap, &view, &err), VDRM_OK);
   assert_int_equal(cap.valid, 1);
   vtest_get_capset_rsp_caps_get_virgl_renderer_capset_drm(&view, &drm);
   assert_int_equal(drm.context_type, VIRTGPU_DRM_CONTEXT_MSM);
   SEND(c, context_init, .capset_id = VDRM_HOST_CAPSET_DRM);
   c->shmem_res = create_blob(c, 0, 4096, &c->shmem_fd);
   c->shmem = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, c->shmem_fd, 0);
   assert_true(c->shmem != MAP_FAILED);
   SEND(c, get_param, .param = VCMD_PARAM_HAS_TIMELINE_SYNCOBJ);
   RECV(c, get_param, &param);
   assert_int_equal(param.valid, 1);
}

static void
vc_close(struct vc *c)
{
   if (c->shmem)
      munmap(c->shmem, 4096);
   if (c->shmem_fd > 0)
      close(c->shmem_fd);
   if (c->s >= 0)
      close(c->s);
   c->s = -1;
}

/* SUBMIT_CMD2 of a ccmd stream on ring (RING_IDX when ring != ~0), with syncobjs. */
static void
submit(struct vc *c, const void *cmds, size_t size, uint32_t ring, const struct vtest_syncobj *in,
       uint32_t nin, const struct vtest_syncobj *out, uint32_t nout)
{
   struct vtest_submit_cmd2_req r = {
      .batch_count = 1,
      .batch = {
         .flags = ring != ~0u ? VCMD_SUBMIT_CMD2_FLAG_RING_IDX : 0,
         .cmd_offset = 9,
         .cmd_size = (uint32_t)(size / 4),
         .ring_idx = ring != ~0u ? ring : 0,
         .num_in_syncobj = nin,
         .num_out_syncobj = nout,
      },
   };
   size_t cap = 64 + size + 16 * (nin + nout), len;
   uint8_t *buf = malloc(cap);

   assert_int_equal(vtest_submit_cmd2_req_encode(buf, cap, &r, cmds, (uint32_t)size, in, out, &len),
                    VDRM_OK);
   send_msg(c, buf, len);
   free(buf);
}

static size_t
ccmd_gem_new(struct vc *c, uint8_t *buf, size_t cap, uint32_t blob_id)
{
   struct msm_ccmd_gem_new_req req = {
      .hdr = { .seqno = ++c->seqno }, .iova = VA + blob_id * 0x10000ull, .size = 4096,
      .flags = KMSM_BO_WC, .blob_id = blob_id,
   };
   size_t len;

   assert_int_equal(msm_ccmd_gem_new_req_encode(buf, cap, &req, &len), VDRM_OK);
   return len;
}

/* SUBMITQUEUE_NEW through IOCTL_SIMPLE, its answer at rsp_off 0 of the region. */
static uint32_t
new_queue(struct vc *c)
{
   struct drm_msm_submitqueue q = { .prio = 0 };
   struct msm_ccmd_ioctl_simple_req req = {
      .hdr = { .seqno = ++c->seqno, .rsp_off = 0 },
      .cmd = (3u << 30) | ((uint32_t)sizeof(q) << 16) | ((uint32_t)'d' << 8) | 0x4a,
   };
   struct msm_ccmd_ioctl_simple_rsp rsp;
   struct msm_ccmd_ioctl_simple_rsp_view view;
   struct vdrm_error err;
   uint8_t buf[128];
   uint32_t rsp_size = 8 + sizeof(q);
   size_t len;

   memcpy(c->shmem + 16, &rsp_size, 4);
   assert_int_equal(msm_ccmd_ioctl_simple_req_encode(buf, sizeof(buf), &req, &q, &len), VDRM_OK);
   submit(c, buf, len, ~0u, NULL, 0, NULL, 0);
   barrier(c);
   assert_int_equal(msm_ccmd_ioctl_simple_rsp_decode(c->shmem + 16, rsp_size, &rsp, &view, &err),
                    VDRM_OK);
   assert_int_equal(rsp.ret, 0);
   msm_ccmd_ioctl_simple_rsp_payload_get_drm_msm_submitqueue(&view, &q);
   return q.id;
}

static uint32_t
async_error(struct vc *c)
{
   uint32_t v;

   memcpy(&v, c->shmem + offsetof(struct msm_shmem, async_error), 4);
   return v;
}

static uint32_t
syncobj_create(struct vc *c)
{
   struct vtest_drm_sync_create_rsp rsp;

   SEND(c, drm_sync_create, .flags = 0);
   RECV(c, drm_sync_create, &rsp);
   assert_int_not_equal(rsp.handle, 0);
   return rsp.handle;
}

static int64_t
deadline_in(int64_t ms)
{
   struct timespec ts;

   clock_gettime(CLOCK_MONOTONIC, &ts);
   return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec + ms * 1000000;
}

/* ---- tests ---- */

static void
mesa_sequence_msm(void **state)
{
   struct fixture *f = *state;
   struct vc c;
   uint8_t cmds[512];
   size_t n;
   uint32_t res, q, h_bin, h_tl, magic = 0xc0ffee11, back = 0;
   int fd, fd2;
   uint8_t *map, *map2;

   vc_open(f, &c, "mesa-sequence");
   q = new_queue(&c);

   /* GEM_NEW under blob_id 1, then its blob; map it and write through it. */
   n = ccmd_gem_new(&c, cmds, sizeof(cmds), 1);
   submit(&c, cmds, n, ~0u, NULL, 0, NULL, 0);
   res = create_blob(&c, 1, 4096, &fd);
   assert_int_not_equal(res, c.shmem_res);
   map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
   assert_true(map != MAP_FAILED);
   memcpy(map + 64, &magic, 4);
   /* RESOURCE_EXPORT_FD gives the same memory again. */
   SEND(&c, resource_export_fd, .res_handle = res);
   {
      struct vtest_resource_export_fd_rsp rsp;

      RECV(&c, resource_export_fd, &rsp);
   }
   fd2 = vc_recv_fd(c.s, TMO);
   assert_true(fd2 >= 0);
   map2 = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd2, 0);
   assert_true(map2 != MAP_FAILED);
   memcpy(&back, map2 + 64, 4);
   assert_int_equal(back, magic);

   /* GEM_SUBMIT on ring 1 (priority 0) signalling a binary and a timeline syncobj. */
   h_bin = syncobj_create(&c);
   h_tl = syncobj_create(&c);
   {
      struct drm_msm_gem_submit_bo bo = { .flags = KMSM_SUBMIT_BO_READ, .handle = res };
      struct drm_msm_gem_submit_cmd cmd = { .type = KMSM_SUBMIT_CMD_BUF, .size = 16 };
      struct msm_ccmd_gem_submit_req req = {
         .hdr = { .seqno = ++c.seqno }, .flags = KMSM_PIPE_3D0, .queue_id = q, .nr_bos = 1,
         .nr_cmds = 1, .fence = 1,
      };
      struct vtest_syncobj out[2] = { { .handle = h_bin }, { .handle = h_tl, .point = 5 } };

      assert_int_equal(msm_ccmd_gem_submit_req_encode(cmds, sizeof(cmds), &req, &bo, &cmd, &n), VDRM_OK);
      submit(&c, cmds, n, 1, NULL, 0, out, 2);
   }
   /* The binary one, waited for in the stream (no WAIT_FD). */
   {
      struct vtest_drm_sync_wait_req r = { .num_handles = 1, .flags = 0 };
      struct vtest_drm_sync_wait_rsp rsp;
      struct vtest_drm_sync_wait_rsp_view view;
      struct vtest_drm_sync_wait_result res_;
      struct vdrm_error err;
      int64_t dl = deadline_in(TMO);
      uint8_t buf[64];
      size_t len;

      r.timeout_lo = (uint32_t)dl;
      r.timeout_hi = (uint32_t)((uint64_t)dl >> 32);
      assert_int_equal(vtest_drm_sync_wait_req_encode(buf, sizeof(buf), &r, &h_bin, &len), VDRM_OK);
      send_msg(&c, buf, len);
      assert_int_equal(vc_recv(c.s, buf, 16, TMO), 0);
      assert_int_equal(vtest_drm_sync_wait_rsp_decode(buf, 16, &rsp, &view, &err), VDRM_OK);
      vtest_drm_sync_wait_rsp_result_get(&view, 0, &res_);
      assert_int_equal(res_.status, 0);
   }
   /* The timeline point, with WAIT_FD: the result comes through a pipe. */
   {
      struct vtest_drm_sync_timeline_wait_req r = {
         .num_handles = 1, .timeout_lo = UINT32_MAX, .timeout_hi = INT32_MAX,
         .flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FD,
      };
      struct vtest_drm_sync_timeline_wait_rsp rsp;
      struct vtest_drm_sync_timeline_wait_rsp_view view;
      struct vtest_drm_sync_wait_result res_;
      struct vdrm_error err;
      struct pollfd p;
      uint64_t point = 5;
      uint8_t buf[64];
      size_t len;
      int pfd;

      assert_int_equal(vtest_drm_sync_timeline_wait_req_encode(buf, sizeof(buf), &r, &point, &h_tl, &len),
                       VDRM_OK);
      send_msg(&c, buf, len);
      assert_int_equal(vc_recv(c.s, buf, 8, TMO), 0);
      assert_int_equal(vtest_drm_sync_timeline_wait_rsp_decode(buf, 8, &rsp, &view, &err), VDRM_OK);
      pfd = vc_recv_fd(c.s, TMO);
      assert_true(pfd >= 0);
      /* The client blocks reading it (Mesa's vpipe reads without polling). */
      assert_false(fcntl(pfd, F_GETFL) & O_NONBLOCK);
      p = (struct pollfd){ .fd = pfd, .events = POLLIN };
      assert_int_equal(poll(&p, 1, TMO), 1);
      assert_int_equal(read(pfd, &res_, sizeof(res_)), sizeof(res_));
      assert_int_equal(res_.status, 0);
      close(pfd);
   }
   /* DRM_SYNC_QUERY: the point reached. */
   {
      struct vtest_drm_sync_query_req r = { .num_handles = 1 };
      uint8_t buf[64];
      uint64_t point;
      size_t len;

      assert_int_equal(vtest_drm_sync_query_req_encode(buf, sizeof(buf), &r, &h_tl, &len), VDRM_OK);
      send_msg(&c, buf, len);
      assert_int_equal(vc_recv(c.s, buf, 16, TMO), 0);
      memcpy(&point, buf + 8, 8);
      assert_int_equal(point, 5);
   }
   assert_int_equal(async_error(&c), 0);
   SEND(&c, drm_sync_destroy, .handle = h_bin);
   SEND(&c, drm_sync_destroy, .handle = h_tl);
   SEND(&c, resource_unref, .res_handle = res);
   SEND(&c, resource_unref, .res_handle = c.shmem_res);
   barrier(&c);
   munmap(map, 4096);
   munmap(map2, 4096);
   close(fd);
   close(fd2);
   vc_close(&c);
   assert_int_equal(lines_with(f, "dropped", NULL), 0);
}

/* A malformed ccmd batch between two good ones: refused by the context, the client goes on. */
static void
malformed_batch_between_good_ones(void **state)
{
   struct fixture *f = *state;
   struct vc c;
   uint8_t cmds[256], bad[16] = { 0xff, 0xff, 0xff, 0x7f, 16, 0, 0, 0 };
   size_t n;
   int fd;

   vc_open(f, &c, "malformed-batch");
   n = ccmd_gem_new(&c, cmds, sizeof(cmds), 1);
   submit(&c, cmds, n, ~0u, NULL, 0, NULL, 0);
   submit(&c, bad, sizeof(bad), ~0u, NULL, 0, NULL, 0);
   n = ccmd_gem_new(&c, cmds, sizeof(cmds), 2);
   submit(&c, cmds, n, ~0u, NULL, 0, NULL, 0);
   barrier(&c);
   assert_int_equal(async_error(&c), 1);
   /* Both good GEM_NEWs ran: their blobs exist. */
   close((create_blob(&c, 1, 4096, &fd), fd));
   close((create_blob(&c, 2, 4096, &fd), fd));
   vc_close(&c);
   assert_int_equal(lines_with(f, "dropped", NULL), 0);
}

/* Garbage drops its sender (one line naming it) and nobody else. */
static void
garbage_client(void **state)
{
   struct fixture *f = *state;
   struct vc good, bad = { .s = vc_connect(f->path) };
   uint8_t junk[4096];

   vc_open(f, &good, "good");
   for (size_t i = 0; i < sizeof(junk); i++)
      junk[i] = (uint8_t)(i * 7 + 3);
   assert_true(bad.s >= 0);
   (void)vc_send(bad.s, junk, sizeof(junk));
   assert_int_equal(vc_closed(bad.s, TMO), 1);
   close(bad.s);
   barrier(&good);
   vc_close(&good);
   stop(f);
   assert_int_equal(lines_with(f, "dropped", NULL), 1);
   for (uint32_t i = 0; i < f->nlines; i++)
      print_message("log: %s\n", f->lines[i]);
   assert_int_equal(lines_with(f, "(pid", "dropped: vtest: hdr.cmd: unknown command"), 1);
}

/* A malformed vtest message (a wrong length) between two good ones drops its sender only. */
static void
malformed_message_between_good_ones(void **state)
{
   struct fixture *f = *state;
   struct vc a, b;
   struct vtest_get_param_req r = { .param = VCMD_PARAM_MAX_TIMELINE_COUNT };
   uint8_t buf[32];
   size_t len;

   vc_open(f, &a, "a");
   vc_open(f, &b, "b");
   barrier(&a);
   assert_int_equal(vtest_get_param_req_encode(buf, sizeof(buf), &r, &len), VDRM_OK);
   buf[0] = 2;   /* hdr.length 2, with one more dword: framed, but not GET_PARAM's length */
   memset(buf + len, 0, 4);
   send_msg(&a, buf, len + 4);
   {
      /* Never served: the server may already have closed the connection, so
         this send may fail (EPIPE) and that is not the test's concern. */
      struct vtest_ping_protocol_version_req ping = { .hdr = { 0 } };
      uint8_t pb[sizeof(ping)];
      size_t pl;

      assert_int_equal(vtest_ping_protocol_version_req_encode(pb, sizeof(pb), &ping, &pl), VDRM_OK);
      (void)vc_send(a.s, pb, pl);
   }
   assert_int_equal(vc_closed(a.s, TMO), 1);
   barrier(&b);
   vc_close(&a);
   vc_close(&b);
   stop(f);
   assert_int_equal(lines_with(f, "dropped", "GET_PARAM"), 1);
}

/* Half a message holds only its sender; the rest later is served. */
static void
stall_mid_message(void **state)
{
   struct fixture *f = *state;
   struct vc a, b;
   struct vtest_get_param_req r = { .param = VCMD_PARAM_HAS_TIMELINE_SYNCOBJ };
   struct vtest_get_param_rsp rsp;
   uint8_t buf[32];
   size_t len;

   vc_open(f, &a, "staller");
   assert_int_equal(vtest_get_param_req_encode(buf, sizeof(buf), &r, &len), VDRM_OK);
   send_msg(&a, buf, 5);
   vc_open(f, &b, "other");
   barrier(&b);
   barrier(&b);
   send_msg(&a, buf + 5, len - 5);
   RECV(&a, get_param, &rsp);
   assert_int_equal(rsp.valid, 1);
   vc_close(&a);
   vc_close(&b);
}

/* A client gone before reading its answers (descriptors included) hurts nobody. */
static void
disconnect_before_reply(void **state)
{
   struct fixture *f = *state;
   struct vc a = { .s = vc_connect(f->path) }, b;

   create_renderer(&a, "leaver");
   SEND(&a, protocol_version, .version = 4);
   SEND(&a, context_init, .capset_id = VDRM_HOST_CAPSET_DRM);
   SEND(&a, resource_create_blob, .type = VCMD_BLOB_TYPE_HOST3D, .flags = VCMD_BLOB_FLAG_MAPPABLE,
        .size_lo = 4096, .id_lo = 0);
   for (int i = 0; i < 64; i++)
      SEND(&a, ping_protocol_version, .hdr = { 0 });
   close(a.s);
   vc_open(f, &b, "stayer");
   barrier(&b);
   vc_close(&b);
   stop(f);
   assert_int_equal(lines_with(f, "dropped", NULL), 0);
}

/* DRM_SYNC_WAIT of one syncobj, answered in the stream: the kernel's status. */
static int32_t
syncobj_wait_status(struct vc *c, uint32_t handle, int64_t timeout_ms)
{
   struct vtest_drm_sync_wait_req r = { .num_handles = 1 };
   struct vtest_drm_sync_wait_rsp rsp;
   struct vtest_drm_sync_wait_rsp_view view;
   struct vtest_drm_sync_wait_result res;
   struct vdrm_error err;
   int64_t dl = deadline_in(timeout_ms);
   uint8_t buf[64];
   size_t len;

   r.timeout_lo = (uint32_t)dl;
   r.timeout_hi = (uint32_t)((uint64_t)dl >> 32);
   assert_int_equal(vtest_drm_sync_wait_req_encode(buf, sizeof(buf), &r, &handle, &len), VDRM_OK);
   send_msg(c, buf, len);
   assert_int_equal(vc_recv(c->s, buf, 16, TMO), 0);
   assert_int_equal(vtest_drm_sync_wait_rsp_decode(buf, 16, &rsp, &view, &err), VDRM_OK);
   vtest_drm_sync_wait_rsp_result_get(&view, 0, &res);
   return res.status;
}

/*
 * The syncobj commands the GPU does not drive, as the kernel answers them:
 * a wait on a syncobj without a fence is -EINVAL, SIGNAL gives it a
 * signalled one, RESET takes it away, TIMELINE_SIGNAL moves a timeline's
 * point (QUERY reads it), TRANSFER copies a signalled point into a binary
 * syncobj.
 */
static void
syncobj_signal_reset_transfer(void **state)
{
   struct fixture *f = *state;
   struct vc c;
   uint32_t bin, tl;
   uint8_t buf[64];
   size_t len;

   vc_open(f, &c, "syncobjs");
   bin = syncobj_create(&c);
   tl = syncobj_create(&c);
   assert_int_equal(syncobj_wait_status(&c, bin, 50), -EINVAL);
   {
      struct vtest_drm_sync_signal_req r = { .num_handles = 1 };

      assert_int_equal(vtest_drm_sync_signal_req_encode(buf, sizeof(buf), &r, &bin, &len), VDRM_OK);
      send_msg(&c, buf, len);
   }
   assert_int_equal(syncobj_wait_status(&c, bin, 50), 0);
   {
      struct vtest_drm_sync_reset_req r = { .num_handles = 1 };

      assert_int_equal(vtest_drm_sync_reset_req_encode(buf, sizeof(buf), &r, &bin, &len), VDRM_OK);
      send_msg(&c, buf, len);
   }
   assert_int_equal(syncobj_wait_status(&c, bin, 50), -EINVAL);
   {
      struct vtest_drm_sync_timeline_signal_req r = { .num_handles = 1 };
      uint64_t point = 7;

      assert_int_equal(vtest_drm_sync_timeline_signal_req_encode(buf, sizeof(buf), &r, &point, &tl, &len),
                       VDRM_OK);
      send_msg(&c, buf, len);
   }
   {
      struct vtest_drm_sync_query_req r = { .num_handles = 1 };
      uint64_t point;

      assert_int_equal(vtest_drm_sync_query_req_encode(buf, sizeof(buf), &r, &tl, &len), VDRM_OK);
      send_msg(&c, buf, len);
      assert_int_equal(vc_recv(c.s, buf, 16, TMO), 0);
      memcpy(&point, buf + 8, 8);
      assert_int_equal(point, 7);
   }
   SEND(&c, drm_sync_transfer, .dst_handle = bin, .src_handle = tl, .src_point_lo = 7);
   assert_int_equal(syncobj_wait_status(&c, bin, 50), 0);
   SEND(&c, drm_sync_destroy, .handle = bin);
   SEND(&c, drm_sync_destroy, .handle = tl);
   barrier(&c);
   assert_int_equal(lines_with(f, "dropped", NULL), 0);
   vc_close(&c);
}

/*
 * SUBMIT_CMD2 with IN_FENCE_FD and OUT_FENCE_FD: the client's stream waits
 * (nothing after it is answered) until the in-fence is readable; then the
 * batch runs (its GEM_NEW's blob can be created) and the out-fence, the
 * descriptor alone, becomes readable when the ring's fence retires.
 */
static void
submit_fence_fds(void **state)
{
   struct fixture *f = *state;
   struct vtest_ping_protocol_version_rsp ping;
   struct vc c;
   uint8_t cmds[128];
   size_t n, len;
   uint64_t one = 1;
   struct pollfd p;
   int in, out, blob;

   vc_open(f, &c, "fences");
   n = ccmd_gem_new(&c, cmds, sizeof(cmds), 5);
   {
      struct vtest_submit_cmd2_req r = {
         .batch_count = 1,
         .batch = {
            .flags = VCMD_SUBMIT_CMD2_FLAG_RING_IDX | VCMD_SUBMIT_CMD2_FLAG_IN_FENCE_FD |
                     VCMD_SUBMIT_CMD2_FLAG_OUT_FENCE_FD,
            .cmd_offset = 9, .cmd_size = (uint32_t)(n / 4), .ring_idx = 1,
         },
      };
      uint8_t buf[256];

      assert_int_equal(vtest_submit_cmd2_req_encode(buf, sizeof(buf), &r, cmds, (uint32_t)n, NULL, NULL, &len),
                       VDRM_OK);
      send_msg(&c, buf, len);
   }
   in = eventfd(0, EFD_CLOEXEC);
   assert_true(in >= 0);
   assert_int_equal(vc_send_fd(c.s, in), 0);
   SEND(&c, ping_protocol_version, .hdr = { 0 });
   p = (struct pollfd){ .fd = c.s, .events = POLLIN };
   assert_int_equal(poll(&p, 1, 200), 0);   /* held back behind the in-fence */
   assert_int_equal(write(in, &one, sizeof(one)), sizeof(one));
   out = vc_recv_fd(c.s, TMO);
   assert_true(out >= 0);
   RECV(&c, ping_protocol_version, &ping);
   p = (struct pollfd){ .fd = out, .events = POLLIN };
   assert_int_equal(poll(&p, 1, TMO), 1);
   create_blob(&c, 5, 4096, &blob);
   assert_int_equal(async_error(&c), 0);
   close(blob);
   close(out);
   close(in);
   vc_close(&c);
}

static void
syncobj_signal(struct vc *c, uint32_t handle)
{
   struct vtest_drm_sync_signal_req r = { .num_handles = 1 };
   uint8_t buf[32];
   size_t len;

   assert_int_equal(vtest_drm_sync_signal_req_encode(buf, sizeof(buf), &r, &handle, &len), VDRM_OK);
   send_msg(c, buf, len);
}

/* EXPORT_SYNC_FILE's answer: the empty header, then the descriptor. */
static int
export_sync_file(struct vc *c, uint32_t handle)
{
   struct vtest_drm_sync_export_sync_file_rsp rsp;

   SEND(c, drm_sync_export_sync_file, .handle = handle);
   RECV(c, drm_sync_export_sync_file, &rsp);
   return vc_recv_fd(c->s, TMO);
}

static int
readable(int fd, int timeout_ms)
{
   struct pollfd p = { .fd = fd, .events = POLLIN };

   return poll(&p, 1, timeout_ms);
}

/*
 * Sync files in and out of a syncobj: an imported fence (an eventfd the
 * test signals) makes waits time out until it signals; a submit's binary
 * out-syncobj exports a descriptor that becomes readable when the submit
 * retires; a signalled payload exports one readable at once; a binary
 * TRANSFER of a pending fence does not hold the stream. A syncobj without a
 * fence cannot be exported (the kernel's -EINVAL): that client is dropped.
 */
static void
syncobj_sync_files(void **state)
{
   struct fixture *f = *state;
   struct vc c;
   struct vtest_syncobj out;
   uint8_t cmds[128];
   uint64_t one = 1;
   uint32_t imp, sub, copy, empty;
   int in, fd;

   vc_open(f, &c, "syncfiles");
   imp = syncobj_create(&c);
   sub = syncobj_create(&c);
   copy = syncobj_create(&c);
   empty = syncobj_create(&c);
   in = eventfd(0, EFD_CLOEXEC);
   assert_true(in >= 0);
   SEND(&c, drm_sync_import_sync_file, .handle = imp);
   assert_int_equal(vc_send_fd(c.s, in), 0);
   assert_int_equal(syncobj_wait_status(&c, imp, 20), -ETIME);
   SEND(&c, drm_sync_transfer, .dst_handle = copy, .src_handle = imp);
   fd = export_sync_file(&c, imp);
   assert_true(fd >= 0);
   assert_int_equal(readable(fd, 0), 0);
   assert_int_equal(write(in, &one, sizeof(one)), sizeof(one));
   assert_int_equal(readable(fd, TMO), 1);
   assert_int_equal(syncobj_wait_status(&c, imp, 1000), 0);
   assert_int_equal(syncobj_wait_status(&c, copy, 1000), 0);
   close(fd);

   out = (struct vtest_syncobj){ .handle = sub };
   submit(&c, cmds, ccmd_gem_new(&c, cmds, sizeof(cmds), 9), 1, NULL, 0, &out, 1);
   fd = export_sync_file(&c, sub);
   assert_true(fd >= 0);
   assert_int_equal(readable(fd, TMO), 1);
   assert_int_equal(syncobj_wait_status(&c, sub, 1000), 0);
   close(fd);

   syncobj_signal(&c, empty);
   fd = export_sync_file(&c, empty);
   assert_int_equal(readable(fd, 0), 1);
   close(fd);
   assert_int_equal(lines_with(f, "dropped", NULL), 0);
   {
      struct vtest_drm_sync_reset_req r = { .num_handles = 1 };
      uint8_t buf[32];
      size_t len;

      assert_int_equal(vtest_drm_sync_reset_req_encode(buf, sizeof(buf), &r, &empty, &len), VDRM_OK);
      send_msg(&c, buf, len);
   }
   SEND(&c, drm_sync_export_sync_file, .handle = empty);
   assert_int_equal(vc_closed(c.s, TMO), 1);
   assert_int_equal(lines_with(f, "dropped", "DRM_SYNC_EXPORT_SYNC_FILE: syncobj 4 has no fence"), 1);
   close(in);
   vc_close(&c);
}

/* FD_TO_HANDLE with a descriptor: the new handle, in an answer headed HANDLE_TO_FD. */
static uint32_t
fd_to_handle(struct vc *c, int fd)
{
   struct vtest_drm_sync_fd_to_handle_rsp rsp;

   SEND(c, drm_sync_fd_to_handle, .hdr = { 0 });
   assert_int_equal(vc_send_fd(c->s, fd), 0);
   RECV(c, drm_sync_fd_to_handle, &rsp);
   assert_int_equal(rsp.hdr.cmd, VCMD_DRM_SYNC_HANDLE_TO_FD);
   return rsp.handle;
}

/*
 * A syncobj shared through HANDLE_TO_FD / FD_TO_HANDLE: the other client's
 * handle sees the first one's signal and keeps the syncobj after the first
 * destroys its handle. A descriptor that is no syncobj's (a memfd) drops the
 * client that sent it, and only that one.
 */
static void
syncobj_shared_between_clients(void **state)
{
   struct fixture *f = *state;
   struct vtest_drm_sync_handle_to_fd_rsp rsp;
   struct vc a, b;
   uint32_t ha, hb, ha2;
   int tok, other;

   vc_open(f, &a, "exporter");
   vc_open(f, &b, "importer");
   ha = syncobj_create(&a);
   SEND(&a, drm_sync_handle_to_fd, .handle = ha);
   RECV(&a, drm_sync_handle_to_fd, &rsp);
   tok = vc_recv_fd(a.s, TMO);
   assert_true(tok >= 0);
   hb = fd_to_handle(&b, tok);
   ha2 = fd_to_handle(&a, tok);
   assert_int_not_equal(ha2, ha);
   assert_int_equal(syncobj_wait_status(&b, hb, 20), -EINVAL);
   syncobj_signal(&a, ha);
   barrier(&a);   /* another connection: its signal has run before b asks */
   assert_int_equal(syncobj_wait_status(&b, hb, 1000), 0);
   SEND(&a, drm_sync_destroy, .handle = ha);
   SEND(&a, drm_sync_destroy, .handle = ha2);
   barrier(&a);
   assert_int_equal(syncobj_wait_status(&b, hb, 1000), 0);

   other = memfd_create("not-a-syncobj", MFD_CLOEXEC);
   assert_true(other >= 0);
   SEND(&b, drm_sync_fd_to_handle, .hdr = { 0 });
   assert_int_equal(vc_send_fd(b.s, other), 0);
   assert_int_equal(vc_closed(b.s, TMO), 1);
   assert_int_equal(lines_with(f, "dropped", "the descriptor is no syncobj of this server"), 1);
   barrier(&a);
   close(other);
   close(tok);
   vc_close(&a);
   vc_close(&b);
}

/*
 * A disconnect storm: 256 clients in waves of 16, each gone at another point
 * (right after connecting, mid-header, after its context and shmem, with a
 * GEM_NEW submitted and its answers unread). A round trip after each wave
 * keeps the connections under the server's limit. The server stays up, a
 * client after the storm is served, the storm left no device file or GEM
 * object behind, and teardown finds every fd released.
 */
static void
disconnect_storm(void **state)
{
   struct fixture *f = *state;
   struct vc b;
   uint8_t cmds[128];

   for (int wave = 0; wave < 16; wave++) {
      int s[16];

      for (int i = 0; i < 16; i++) {
         struct vc c = { .s = i % 4 == 3 ? -1 : vc_connect(f->path) };

         switch (i % 4) {
         case 0:
            break;
         case 1: {
            uint8_t half[3] = { 5, 0, 0 };

            (void)vc_send(c.s, half, sizeof(half));
            break;
         }
         case 2:
            create_renderer(&c, "storm");
            SEND(&c, protocol_version, .version = 4);
            SEND(&c, context_init, .capset_id = VDRM_HOST_CAPSET_DRM);
            SEND(&c, resource_create_blob, .type = VCMD_BLOB_TYPE_HOST3D,
                 .flags = VCMD_BLOB_FLAG_MAPPABLE, .size_lo = 4096, .id_lo = 0);
            break;
         default: {
            size_t n;

            vc_open(f, &c, "storm");
            n = ccmd_gem_new(&c, cmds, sizeof(cmds), 3);
            submit(&c, cmds, n, ~0u, NULL, 0, NULL, 0);
            SEND(&c, resource_create_blob, .type = VCMD_BLOB_TYPE_HOST3D,
                 .flags = VCMD_BLOB_FLAG_MAPPABLE, .size_lo = 4096, .id_lo = 3);
            munmap(c.shmem, 4096);
            close(c.shmem_fd);
            break;
         }
         }
         assert_true(c.s >= 0);
         s[i] = c.s;
      }
      for (int i = 0; i < 16; i++)
         close(s[i]);
      vc_open(f, &b, "between waves");
      barrier(&b);
      vc_close(&b);
   }
   vc_open(f, &b, "after the storm");
   barrier(&b);
   /* With the loop stopped and b still connected, the kernel holds b's file alone. */
   stop(f);
   {
      struct vdrm_sim_stats st;

      vdrm_sim_get_stats(f->sim, &st);
      assert_int_equal(st.files, 1);
      assert_int_equal(st.objects, 0);
   }
   vc_close(&b);
}

/* Two clients at once: each its own res_ids, neither can reach the other's. */
static void
two_clients_own_resources(void **state)
{
   struct fixture *f = *state;
   struct vc a, b;
   uint8_t cmds[128];
   uint32_t ra;
   size_t n;
   int fd;

   vc_open(f, &a, "a");
   vc_open(f, &b, "b");
   n = ccmd_gem_new(&a, cmds, sizeof(cmds), 7);
   submit(&a, cmds, n, ~0u, NULL, 0, NULL, 0);
   ra = create_blob(&a, 7, 4096, &fd);
   close(fd);
   /* b has no resource ra (unless its shmem has that id): exporting it drops b, not a. */
   if (ra != b.shmem_res) {
      SEND(&b, resource_export_fd, .res_handle = ra);
      assert_int_equal(vc_closed(b.s, TMO), 1);
   }
   /* a still has it. */
   SEND(&a, resource_export_fd, .res_handle = ra);
   {
      struct vtest_resource_export_fd_rsp rsp;

      RECV(&a, resource_export_fd, &rsp);
   }
   fd = vc_recv_fd(a.s, TMO);
   assert_true(fd >= 0);
   close(fd);
   vc_close(&a);
   vc_close(&b);
   stop(f);
   assert_int_equal(lines_with(f, "dropped", "RESOURCE_EXPORT_FD"), ra != b.shmem_res ? 1 : 0);
}

/* A client flooding requests without reading the answers does not starve another. */
static void
flood_does_not_starve(void **state)
{
   struct fixture *f = *state;
   struct vc a = { .s = vc_connect(f->path) }, b;
   uint8_t buf[8 * 512];
   size_t len = 0;
   struct timespec t0, t1;

   create_renderer(&a, "flooder");
   for (int i = 0; i < 512; i++) {
      struct vtest_ping_protocol_version_req r = { 0 };
      size_t l;

      assert_int_equal(vtest_ping_protocol_version_req_encode(buf + len, sizeof(buf) - len, &r, &l), VDRM_OK);
      len += l;
   }
   /* Fill the server's view of a: its answers pile up past the limit, unread. */
   for (int i = 0; i < 64; i++) {
      struct pollfd p = { .fd = a.s, .events = POLLOUT };

      if (poll(&p, 1, 10) != 1)
         break;
      if (send(a.s, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
         break;
   }
   clock_gettime(CLOCK_MONOTONIC, &t0);
   vc_open(f, &b, "victim");
   for (int i = 0; i < 50; i++)
      barrier(&b);
   clock_gettime(CLOCK_MONOTONIC, &t1);
   assert_true(t1.tv_sec - t0.tv_sec < 3);
   close(a.s);
   vc_close(&b);
}

/* The first command must be CREATE_RENDERER; a virgl-only opcode is unknown. */
static void
session_rules(void **state)
{
   struct fixture *f = *state;
   struct vc a = { .s = vc_connect(f->path) }, b;

   SEND(&a, protocol_version, .version = 4);
   assert_int_equal(vc_closed(a.s, TMO), 1);
   close(a.s);
   b.s = vc_connect(f->path);
   create_renderer(&b, "old");
   SEND(&b, protocol_version, .version = 2);
   assert_int_equal(vc_closed(b.s, TMO), 1);
   close(b.s);
   stop(f);
   assert_int_equal(lines_with(f, "dropped", "CREATE_RENDERER"), 1);
   assert_int_equal(lines_with(f, "dropped", "PROTOCOL_VERSION: version 2"), 1);
}

/* A WAIT_FD wait for one syncobj (WAIT_FOR_SUBMIT, deadline 10 s away): its pipe. */
static int
wait_fd(struct vc *c, uint32_t handle)
{
   struct vtest_drm_sync_wait_req r = {
      .num_handles = 1, .flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FD | VT_SYNCOBJ_WAIT_FOR_SUBMIT,
   };
   struct vtest_drm_sync_wait_rsp rsp;
   struct vtest_drm_sync_wait_rsp_view view;
   struct vdrm_error err;
   int64_t dl = deadline_in(10000);
   uint8_t buf[64];
   size_t len;

   r.timeout_lo = (uint32_t)dl;
   r.timeout_hi = (uint32_t)((uint64_t)dl >> 32);
   assert_int_equal(vtest_drm_sync_wait_req_encode(buf, sizeof(buf), &r, &handle, &len), VDRM_OK);
   send_msg(c, buf, len);
   assert_int_equal(vc_recv(c->s, buf, 8, TMO), 0);
   assert_int_equal(vtest_drm_sync_wait_rsp_decode(buf, 8, &rsp, &view, &err), VDRM_OK);
   return vc_recv_fd(c->s, TMO);
}

/*
 * Each limit of the transport drops the client that reaches it, with its
 * own log line, and nobody else: the fifth syncobj of four, the third
 * WAIT_FD wait of two (a signal ends the first two: their pipes get the
 * result), a request larger than the receive buffer.
 */
static void
transport_limits(void **state)
{
   struct fixture *f = *state;
   struct vtest_drm_sync_wait_result res;
   struct vc a, b, big, ok;
   uint32_t h[4];
   int p1, p2;

   vc_open(f, &ok, "innocent");
   vc_open(f, &a, "syncobjs");
   for (int i = 0; i < 4; i++)
      h[i] = syncobj_create(&a);
   SEND(&a, drm_sync_create, .flags = 0);
   assert_int_equal(vc_closed(a.s, TMO), 1);
   assert_int_equal(lines_with(f, "dropped", "DRM_SYNC_CREATE: the limit of 4 syncobjs is reached"), 1);
   (void)h;

   vc_open(f, &b, "waits");
   h[0] = syncobj_create(&b);
   p1 = wait_fd(&b, h[0]);
   p2 = wait_fd(&b, h[0]);
   assert_true(p1 >= 0 && p2 >= 0);
   syncobj_signal(&b, h[0]);
   assert_int_equal(readable(p1, TMO), 1);
   assert_int_equal(read(p1, &res, sizeof(res)), sizeof(res));
   assert_int_equal(res.status, 0);
   assert_int_equal(readable(p2, TMO), 1);
   assert_int_equal(read(p2, &res, sizeof(res)), sizeof(res));
   assert_int_equal(res.status, 0);
   close(p1);
   close(p2);
   h[1] = syncobj_create(&b);
   p1 = wait_fd(&b, h[1]);
   p2 = wait_fd(&b, h[1]);
   {
      struct vtest_drm_sync_wait_req r = {
         .num_handles = 1, .flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FD | VT_SYNCOBJ_WAIT_FOR_SUBMIT,
      };
      int64_t dl = deadline_in(10000);
      uint8_t buf[64];
      size_t len;

      r.timeout_lo = (uint32_t)dl;
      r.timeout_hi = (uint32_t)((uint64_t)dl >> 32);
      assert_int_equal(vtest_drm_sync_wait_req_encode(buf, sizeof(buf), &r, &h[1], &len), VDRM_OK);
      send_msg(&b, buf, len);
   }
   assert_int_equal(vc_closed(b.s, TMO), 1);
   assert_int_equal(lines_with(f, "dropped", "DRM_SYNC_WAIT: the limit of 2 waits is reached"), 1);
   close(p1);
   close(p2);

   vc_open(f, &big, "big");
   {
      static uint8_t cmds[8192];

      submit(&big, cmds, sizeof(cmds), ~0u, NULL, 0, NULL, 0);
   }
   assert_int_equal(vc_closed(big.s, TMO), 1);
   assert_int_equal(lines_with(f, "dropped", "above the receive limit of 4096"), 1);

   barrier(&ok);
   assert_int_equal(lines_with(f, "dropped", NULL), 3);
   vc_close(&a);
   vc_close(&b);
   vc_close(&big);
   vc_close(&ok);
}

int
main(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(mesa_sequence_msm, setup, teardown),
      cmocka_unit_test_setup_teardown(syncobj_signal_reset_transfer, setup, teardown),
      cmocka_unit_test_setup_teardown(submit_fence_fds, setup, teardown),
      cmocka_unit_test_setup_teardown(syncobj_sync_files, setup, teardown),
      cmocka_unit_test_setup_teardown(syncobj_shared_between_clients, setup, teardown),
      cmocka_unit_test_setup_teardown(malformed_batch_between_good_ones, setup, teardown),
      cmocka_unit_test_setup_teardown(garbage_client, setup, teardown),
      cmocka_unit_test_setup_teardown(malformed_message_between_good_ones, setup, teardown),
      cmocka_unit_test_setup_teardown(stall_mid_message, setup, teardown),
      cmocka_unit_test_setup_teardown(disconnect_before_reply, setup, teardown),
      cmocka_unit_test_setup_teardown(disconnect_storm, setup, teardown),
      cmocka_unit_test_setup_teardown(two_clients_own_resources, setup, teardown),
      cmocka_unit_test_setup_teardown(flood_does_not_starve, setup_small_tx, teardown),
      cmocka_unit_test_setup_teardown(session_rules, setup, teardown),
      cmocka_unit_test_setup_teardown(transport_limits, setup_small_limits, teardown),
   };

   return cmocka_run_group_tests(tests, NULL, NULL);
}
