/* SPDX-License-Identifier: MIT */

/*
 * The vdrm-host executable, one process per context: it serves Mesa's vdrm
 * handshake over its socket (capset of the right context type, a context,
 * the shmem blob with its fd, rsp_mem_offset set), and SIGTERM stops it with
 * exit 0 and the socket removed. VDRM_HOST names the executable.
 */

#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "drm_hw.h"
#include "vtest_client.h"
#include "vdrm_host.h"
#include "vtest_codec.h"

#define TMO 5000

struct served {
   char dir[64];
   char path[96];
   pid_t pid;
   int s;
};

/* max_clients NULL: the default. */
static void
start_with(struct served *h, const char *context, const char *max_clients)
{
   const char *exe = getenv("VDRM_HOST");
   struct timespec tick = { 0, 10 * 1000 * 1000 };
   struct stat st;
   int i;

   assert_non_null(exe);
   snprintf(h->dir, sizeof(h->dir), "/tmp/vdrm-cli-XXXXXX");
   assert_non_null(mkdtemp(h->dir));
   snprintf(h->path, sizeof(h->path), "%s/sock", h->dir);
   h->pid = fork();
   assert_true(h->pid >= 0);
   if (h->pid == 0) {
      char *argv[] = { (char *)exe, "--context", (char *)context, "--socket", h->path,
                       max_clients ? "--max-clients" : NULL, (char *)max_clients, NULL };

      execv(exe, argv);
      _exit(127);
   }
   for (i = 0; i < 500 && stat(h->path, &st) != 0; i++) {
      int status;

      /* Gone before listening; exit 77 says the context is not available there
       * (drm_shim_host.sh: no drm-shim for it). */
      if (waitpid(h->pid, &status, WNOHANG) == h->pid) {
         rmdir(h->dir);
         if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
            print_message("# %s: %s exited 77 (context unavailable): SKIPPED\n", context, exe);
            skip();
         }
         fail_msg("%s --context %s exited before listening (status 0x%x)", exe, context, status);
      }
      nanosleep(&tick, NULL);
   }
   assert_int_equal(stat(h->path, &st), 0);
   h->s = vc_connect(h->path);
   assert_true(h->s >= 0);
}

static void
start(struct served *h, const char *context)
{
   start_with(h, context, NULL);
}

/* SIGTERM: exit 0, and the socket is gone. */
static void
stop(struct served *h)
{
   struct stat st;
   int status;

   close(h->s);
   assert_int_equal(kill(h->pid, SIGTERM), 0);
   assert_int_equal(waitpid(h->pid, &status, 0), h->pid);
   assert_true(WIFEXITED(status));
   assert_int_equal(WEXITSTATUS(status), 0);
   assert_int_not_equal(stat(h->path, &st), 0);
   rmdir(h->dir);
}

#define SEND(s, kind, ...) VC_SEND(s, kind, __VA_ARGS__)
#define RECV(s, kind, out) VC_RECV(s, kind, out, TMO)

static void
handshake(const char *context, uint32_t context_type)
{
   struct served h;
   struct vtest_create_renderer_req cr = { 0 };
   struct vtest_protocol_version_rsp ver;
   struct vtest_get_capset_rsp cap;
   struct vtest_get_capset_rsp_view view;
   struct vtest_resource_create_blob_rsp blob;
   struct virgl_renderer_capset_drm drm;
   struct vdrm_shmem *shmem;
   struct vdrm_error err;
   uint8_t buf[1024];
   size_t len;
   uint32_t dwords;
   int fd;

   start(&h, context);
   assert_int_equal(vtest_create_renderer_req_encode(buf, sizeof(buf), &cr, "cli", 4, &len), VDRM_OK);
   assert_int_equal(vc_send(h.s, buf, len), 0);
   SEND(h.s, protocol_version, .version = 4);
   RECV(h.s, protocol_version, &ver);
   assert_int_equal(ver.version, 4);
   SEND(h.s, get_capset, .id = VDRM_HOST_CAPSET_DRM, .version = 0);
   assert_int_equal(vc_recv(h.s, buf, 8, TMO), 0);
   memcpy(&dwords, buf, 4);
   assert_true(dwords * 4 <= sizeof(buf) - 8);
   assert_int_equal(vc_recv(h.s, buf + 8, dwords * 4, TMO), 0);
   assert_int_equal(vtest_get_capset_rsp_decode(buf, 8 + dwords * 4, &cap, &view, &err), VDRM_OK);
   assert_int_equal(cap.valid, 1);
   vtest_get_capset_rsp_caps_get_virgl_renderer_capset_drm(&view, &drm);
   assert_int_equal(drm.context_type, context_type);
   SEND(h.s, context_init, .capset_id = VDRM_HOST_CAPSET_DRM);
   SEND(h.s, resource_create_blob, .type = VCMD_BLOB_TYPE_HOST3D, .flags = VCMD_BLOB_FLAG_MAPPABLE,
        .size_lo = 4096, .id_lo = 0);
   RECV(h.s, resource_create_blob, &blob);
   assert_int_not_equal(blob.res_id, 0);
   fd = vc_recv_fd(h.s, TMO);
   assert_true(fd >= 0);
   shmem = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
   assert_true(shmem != MAP_FAILED);
   assert_true(shmem->rsp_mem_offset >= sizeof(*shmem) && shmem->rsp_mem_offset < 4096);
   munmap(shmem, 4096);
   close(fd);
   stop(&h);
}

static void serves_msm(void **state) { (void)state; handshake("msm", VIRTGPU_DRM_CONTEXT_MSM); }
static void serves_amdgpu(void **state) { (void)state; handshake("amdgpu", VIRTGPU_DRM_CONTEXT_AMDGPU); }
static void serves_i915(void **state) { (void)state; handshake("i915", VIRTGPU_DRM_CONTEXT_I915); }
static void serves_asahi(void **state) { (void)state; handshake("asahi", VIRTGPU_DRM_CONTEXT_ASAHI); }
static void serves_panfrost(void **state) { (void)state; handshake("panfrost", VIRTGPU_DRM_CONTEXT_PANFROST); }

/* --max-clients 1: a second connection is closed unserved; the first is still served. */
static void
max_clients(void **state)
{
   struct served h;
   struct vtest_create_renderer_req cr = { 0 };
   struct vtest_protocol_version_rsp ver;
   uint8_t buf[64];
   size_t len;
   int second;

   (void)state;
   start_with(&h, "panfrost", "1");
   assert_int_equal(vtest_create_renderer_req_encode(buf, sizeof(buf), &cr, "first", 6, &len), VDRM_OK);
   assert_int_equal(vc_send(h.s, buf, len), 0);
   SEND(h.s, protocol_version, .version = 4);
   RECV(h.s, protocol_version, &ver);
   second = vc_connect(h.path);
   assert_true(second >= 0);
   assert_int_equal(vc_closed(second, TMO), 1);
   close(second);
   SEND(h.s, protocol_version, .version = 4);
   RECV(h.s, protocol_version, &ver);
   assert_int_equal(ver.version, 4);
   stop(&h);
}

/* Usage errors: exit 2 before any socket exists. */
static void
bad_usage(void **state)
{
   const char *exe = getenv("VDRM_HOST");
   int status;
   pid_t pid;

   (void)state;
   assert_non_null(exe);
   pid = fork();
   assert_true(pid >= 0);
   if (pid == 0) {
      execl(exe, exe, "--context", "radeon", "--socket", "/nonexistent/sock", (char *)NULL);
      _exit(127);
   }
   assert_int_equal(waitpid(pid, &status, 0), pid);
   assert_true(WIFEXITED(status));
   assert_int_equal(WEXITSTATUS(status), 2);
}

int
main(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(serves_msm),
      cmocka_unit_test(serves_amdgpu),
      cmocka_unit_test(serves_i915),
      cmocka_unit_test(serves_asahi),
      cmocka_unit_test(serves_panfrost),
      cmocka_unit_test(max_clients),
      cmocka_unit_test(bad_usage),
   };

   signal(SIGPIPE, SIG_IGN);
   return cmocka_run_group_tests(tests, NULL, NULL);
}
