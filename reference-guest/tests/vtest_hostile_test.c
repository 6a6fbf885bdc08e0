/* SPDX-License-Identifier: MIT */

/*
 * The vtest transport's handshake against a scripted server (a thread of the
 * test on a temporary socket) that answers as a hostile or broken host
 * would: every answer is built with the generated vtest encoders and then
 * bent one way, and the guest must stop with an error naming the command.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "driver.h"
#include "vtest_codec.h"
#include "vtest_socket.h"

enum twist {
   T_NONE,
   T_OLD_VERSION,        /* PROTOCOL_VERSION answers 2 */
   T_CAPSET_HUGE,        /* GET_CAPSET claims 1 GiB */
   T_CAPSET_INVALID,     /* valid 0 */
   T_WRONG_ANSWER_CMD,   /* the ping answered with another command's id */
   T_RES_ID_ZERO,        /* the shmem blob gets resource 0 */
   T_SHORT_SHMEM,        /* its descriptor holds fewer bytes than asked for */
   T_NO_FD,              /* its answer comes without a descriptor */
   T_BAD_RSP_OFFSET,     /* rsp_mem_offset past the shmem */
   T_CLOSE_AT_CAPSET,    /* the server goes away instead of answering */
};

struct server {
   char dir[48], path[96];
   int listen_fd;
   enum twist twist;
   pthread_t thread;
};

static void
send_or_fail(int s, const void *buf, size_t len, int fd)
{
   if (vs_send(s, buf, len, fd))
      fprintf(stderr, "fake server: send failed\n");
}

/* Serves one client, one command at a time, until it hangs up. */
static void *
serve(void *arg)
{
   struct server *sv = arg;
   int s = accept(sv->listen_fd, NULL, NULL);
   uint8_t body[4096], out[512];
   size_t len;

   while (s >= 0) {
      struct vtest_hdr hdr;
      size_t n;

      if (vs_recv(s, &hdr, sizeof(hdr), 5000))
         break;
      n = hdr.cmd == VCMD_CREATE_RENDERER ? hdr.length : (size_t)hdr.length * 4;
      if (n > sizeof(body) || vs_recv(s, body, n, 5000))
         break;
      switch (hdr.cmd) {
      case VCMD_PING_PROTOCOL_VERSION: {
         struct vtest_ping_protocol_version_rsp r = { .hdr = { 0 } };

         vtest_ping_protocol_version_rsp_encode(out, sizeof(out), &r, &len);
         if (sv->twist == T_WRONG_ANSWER_CMD)
            ((struct vtest_hdr *)(void *)out)->cmd = VCMD_GET_PARAM;
         send_or_fail(s, out, len, -1);
         break;
      }
      case VCMD_RESOURCE_BUSY_WAIT: {
         struct vtest_resource_busy_wait_rsp r = { .busy = 0 };

         vtest_resource_busy_wait_rsp_encode(out, sizeof(out), &r, &len);
         send_or_fail(s, out, len, -1);
         break;
      }
      case VCMD_PROTOCOL_VERSION: {
         struct vtest_protocol_version_rsp r = { .version = sv->twist == T_OLD_VERSION ? 2 : 4 };

         vtest_protocol_version_rsp_encode(out, sizeof(out), &r, &len);
         send_or_fail(s, out, len, -1);
         break;
      }
      case VCMD_GET_CAPSET: {
         struct vtest_get_capset_rsp r = { .valid = sv->twist == T_CAPSET_INVALID ? 0 : 1 };
         struct virgl_renderer_capset_drm caps = { .context_type = VIRTGPU_DRM_CONTEXT_MSM };

         if (sv->twist == T_CLOSE_AT_CAPSET)
            goto done;
         vtest_get_capset_rsp_encode(out, sizeof(out), &r, &caps, sizeof(caps), &len);
         if (sv->twist == T_CAPSET_HUGE)
            ((struct vtest_hdr *)(void *)out)->length = 1u << 28;
         send_or_fail(s, out, len, -1);
         break;
      }
      case VCMD_RESOURCE_CREATE_BLOB: {
         struct vtest_resource_create_blob_req req;
         struct vtest_resource_create_blob_rsp r = { .res_id = sv->twist == T_RES_ID_ZERO ? 0 : 1 };
         struct vdrm_error err;
         uint8_t msg[sizeof(req)];
         int fd = memfd_create("fake-shmem", MFD_CLOEXEC);
         uint32_t off = sv->twist == T_BAD_RSP_OFFSET ? 1u << 20 : 16;
         uint64_t size;

         memcpy(msg, &hdr, sizeof(hdr));
         memcpy(msg + sizeof(hdr), body, sizeof(msg) - sizeof(hdr));
         assert_int_equal(vtest_resource_create_blob_req_decode(msg, sizeof(msg), &req, &err), 0);
         size = (uint64_t)req.size_hi << 32 | req.size_lo;
         assert_int_equal(ftruncate(fd, (off_t)(sv->twist == T_SHORT_SHMEM ? size / 2 : size)), 0);
         assert_int_equal(pwrite(fd, &off, 4, offsetof(struct vdrm_shmem, rsp_mem_offset)), 4);
         vtest_resource_create_blob_rsp_encode(out, sizeof(out), &r, &len);
         send_or_fail(s, out, len, sv->twist == T_NO_FD ? -1 : fd);
         if (sv->twist == T_NO_FD)
            send_or_fail(s, "", 1, -1);   /* the carrier byte alone */
         close(fd);
         break;
      }
      case VCMD_GET_PARAM: {
         struct vtest_get_param_rsp r = { .valid = 1, .value = 1 };

         vtest_get_param_rsp_encode(out, sizeof(out), &r, &len);
         send_or_fail(s, out, len, -1);
         break;
      }
      default:
         break;   /* CREATE_RENDERER, CONTEXT_INIT: no answer */
      }
   }
done:
   if (s >= 0)
      close(s);
   return NULL;
}

static int
setup(void **state)
{
   struct server *sv = calloc(1, sizeof(*sv));
   struct sockaddr_un addr = { .sun_family = AF_UNIX };

   snprintf(sv->dir, sizeof(sv->dir), "/tmp/vdrm-guest-test-XXXXXX");
   assert_non_null(mkdtemp(sv->dir));
   snprintf(sv->path, sizeof(sv->path), "%s/sock", sv->dir);
   snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", sv->path);
   sv->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
   assert_true(sv->listen_fd >= 0);
   assert_int_equal(bind(sv->listen_fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
   assert_int_equal(listen(sv->listen_fd, 1), 0);
   *state = sv;
   return 0;
}

static int
teardown(void **state)
{
   struct server *sv = *state;

   close(sv->listen_fd);
   unlink(sv->path);
   rmdir(sv->dir);
   free(sv);
   return 0;
}

/* Opens against the server twisted one way; returns the device's error (copied). */
static void
expect_error(struct server *sv, enum twist twist, const char *error)
{
   struct vg_options o = vg_msm_driver.options;
   struct vg_device *dev;

   sv->twist = twist;
   assert_int_equal(pthread_create(&sv->thread, NULL, serve, sv), 0);
   o.record_fd = -1;
   o.timeout_ms = 5000;
   dev = vg_open_vtest(sv->path, &o);
   assert_non_null(dev);
   if (error) {
      assert_non_null(vg_error(dev));
      assert_string_equal(vg_error(dev), error);
   } else {
      assert_null(vg_error(dev));
   }
   vg_close(dev);   /* the server sees the hang-up and ends */
   pthread_join(sv->thread, NULL);
}

static void
straight_server_opens(void **state)
{
   expect_error(*state, T_NONE, NULL);
}

static void
old_protocol_version(void **state)
{
   expect_error(*state, T_OLD_VERSION, "PROTOCOL_VERSION: the server speaks version 2; syncobjs need 4");
}

static void
huge_capset(void **state)
{
   expect_error(*state, T_CAPSET_HUGE, "GET_CAPSET: answer of 268435456 dwords, at most 16384 taken");
}

static void
invalid_capset(void **state)
{
   expect_error(*state, T_CAPSET_INVALID, "GET_CAPSET: the host has no DRM capset (valid 0)");
}

static void
answer_of_another_command(void **state)
{
   struct server *sv = *state;
   struct vg_options o = vg_msm_driver.options;
   struct vg_device *dev;

   sv->twist = T_WRONG_ANSWER_CMD;
   assert_int_equal(pthread_create(&sv->thread, NULL, serve, sv), 0);
   o.record_fd = -1;
   dev = vg_open_vtest(sv->path, &o);
   /* The generated decoder names the command it expected and the field. */
   assert_non_null(vg_error(dev));
   assert_non_null(strstr(vg_error(dev), "PING_PROTOCOL_VERSION: bad answer: "));
   assert_non_null(strstr(vg_error(dev), "cmd"));
   vg_close(dev);
   pthread_join(sv->thread, NULL);
}

static void
resource_id_zero(void **state)
{
   expect_error(*state, T_RES_ID_ZERO, "RESOURCE_CREATE_BLOB(shmem): the host gave resource id 0");
}

static void
short_shmem_descriptor(void **state)
{
   expect_error(*state, T_SHORT_SHMEM,
                "RESOURCE_CREATE_BLOB(shmem): the host's descriptor holds 8192 bytes, 16384 expected");
}

static void
blob_answer_without_descriptor(void **state)
{
   expect_error(*state, T_NO_FD, "RESOURCE_CREATE_BLOB(shmem): the answer carried no file descriptor");
}

static void
rsp_mem_offset_past_the_shmem(void **state)
{
   expect_error(*state, T_BAD_RSP_OFFSET,
                "shmem: the host's rsp_mem_offset 1048576 is outside [12, 16376] or not 8-aligned");
}

static void
server_gone_mid_handshake(void **state)
{
   expect_error(*state, T_CLOSE_AT_CAPSET,
                "GET_CAPSET: the host closed the connection (waiting for the answer)");
}

/* The caller's I/O (vg_open_vtest_socket): what the device sends, and a host that never answers. */
struct recorded_io {
   uint32_t cmds[4];
   unsigned sent, recvs;
};

static int
recording_send(void *data, int s, const void *buf, size_t len, int fd)
{
   struct recorded_io *io = data;

   (void)s;
   assert_int_equal(fd, -1);
   assert_true(len >= sizeof(struct vtest_hdr));
   if (io->sent < 4)
      memcpy(&io->cmds[io->sent], (const uint8_t *)buf + offsetof(struct vtest_hdr, cmd), sizeof(uint32_t));
   io->sent++;
   return 0;
}

static int
silent_recv(void *data, int s, void *buf, size_t len, int timeout_ms)
{
   (void)s;
   (void)buf;
   (void)len;
   assert_int_equal(timeout_ms, 5);
   ((struct recorded_io *)data)->recvs++;
   return -ETIMEDOUT;
}

static int
no_recv_fd(void *data, int s, int *fd, int timeout_ms)
{
   (void)data;
   (void)s;
   (void)fd;
   (void)timeout_ms;
   fail_msg("no descriptor is read before the handshake's first answer");
   return -EBADMSG;
}

static void
caller_io_is_used_and_socket_owned(void **state)
{
   struct recorded_io rec = { 0 };
   const struct vg_vtest_io io = { recording_send, silent_recv, no_recv_fd, &rec };
   struct vg_options opt = vg_driver_find("msm")->options;
   struct vg_device *dev;
   int sv[2];

   (void)state;
   assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
   opt.timeout_ms = 5;
   dev = vg_open_vtest_socket(sv[0], &io, &opt);
   assert_non_null(dev);
   assert_string_equal(vg_error(dev), "PING_PROTOCOL_VERSION: no answer from the host within 5 ms");
   /* Mesa's order: CREATE_RENDERER, PING, RESOURCE_BUSY_WAIT, then the first answer awaited. */
   assert_int_equal(rec.sent, 3);
   assert_int_equal(rec.cmds[0], VCMD_CREATE_RENDERER);
   assert_int_equal(rec.cmds[1], VCMD_PING_PROTOCOL_VERSION);
   assert_int_equal(rec.cmds[2], VCMD_RESOURCE_BUSY_WAIT);
   assert_int_equal(rec.recvs, 1);
   vg_close(dev);
   /* The device owned the socket: closing it closed sv[0], so its peer reads end of file. */
   assert_int_equal(recv(sv[1], &rec, 1, MSG_DONTWAIT), 0);
   close(sv[1]);
}

int
main(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(straight_server_opens, setup, teardown),
      cmocka_unit_test_setup_teardown(old_protocol_version, setup, teardown),
      cmocka_unit_test_setup_teardown(huge_capset, setup, teardown),
      cmocka_unit_test_setup_teardown(invalid_capset, setup, teardown),
      cmocka_unit_test_setup_teardown(answer_of_another_command, setup, teardown),
      cmocka_unit_test_setup_teardown(resource_id_zero, setup, teardown),
      cmocka_unit_test_setup_teardown(short_shmem_descriptor, setup, teardown),
      cmocka_unit_test_setup_teardown(blob_answer_without_descriptor, setup, teardown),
      cmocka_unit_test_setup_teardown(rsp_mem_offset_past_the_shmem, setup, teardown),
      cmocka_unit_test_setup_teardown(server_gone_mid_handshake, setup, teardown),
      cmocka_unit_test(caller_io_is_used_and_socket_owned),
   };

   return cmocka_run_group_tests(tests, NULL, NULL);
}
