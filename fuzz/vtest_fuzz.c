/* SPDX-License-Identifier: MIT */

/*
 * vtest harness: the whole vtest socket protocol in process, as a client
 * attacks it first. One end of a socketpair is a transport client
 * (transport/client.h: its connection, session and syncobjs, served by the
 * same entry points the server's poll loop calls); the harness is the
 * client at the other end. The input is
 *
 *   byte 0      the host's sim backend: the context at index byte % 5
 *               (msm, amdgpu, i915, asahi, panfrost);
 *   bytes 1..   vtest requests, sent as a client sends them: each request,
 *               then one carrier byte per descriptor it carries (by the
 *               generated vtest_*_request_fds()), each with a memfd in
 *               SCM_RIGHTS. Past the first request that does not decode,
 *               the rest goes out as it is.
 *
 * The server is pumped after every request (read, fences, requests,
 * answers) with the clock moving, the answers and their descriptors are
 * read and closed, and finally the client hangs up. Nothing may be left:
 * memory (LeakSanitizer), descriptors (counted), kernel objects (the sim).
 */

#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backend.h"
#include "client.h"
#include "contexts.h"
#include "fuzz.h"
#include "guest.h"
#include "vdrm_host.h"
#include "vtest_codec.h"

#define READ_BUDGET (64u << 10)
#define REQUEST_BUDGET 64u
#define PUMP_ROUNDS 8u

struct vt_fuzz {
   const struct fz_context *ctx;
   struct vdrm_backend *dev;
   struct vdrm_host *host;
   struct vt_client_limits limits;
   struct vt_syncobj_registry registry;   /* the server's: syncobjs exported as descriptors */
   struct vt_client c;
   int peer;            /* the client's end */
   bool dropped;        /* the server gave up on the client */
};

/* Reads and discards the answers and closes the descriptors they carry. */
static void
drain(struct vt_fuzz *f)
{
   for (;;) {
      union {
         char buf[CMSG_SPACE(sizeof(int) * 16)];
         struct cmsghdr align;
      } ctl;
      uint8_t buf[4096];
      struct iovec iov = { buf, sizeof(buf) };
      struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
                            .msg_controllen = sizeof(ctl.buf) };
      ssize_t n = recvmsg(f->peer, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

      for (struct cmsghdr *cm = n >= 0 ? CMSG_FIRSTHDR(&msg) : NULL; cm; cm = CMSG_NXTHDR(&msg, cm)) {
         if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
            size_t nfds = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);

            for (size_t i = 0; i < nfds; i++) {
               int fd;

               memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(fd));
               close(fd);
            }
         }
      }
      if (n <= 0)
         return;
   }
}

/* One round of what the server's loop does for a client that has input. */
static void
pump(struct vt_fuzz *f)
{
   if (f->dropped)
      return;
   if (vt_conn_read(&f->c.conn, READ_BUDGET)) {
      f->dropped = true;
      return;
   }
   vt_session_poll(&f->c);
   if (vt_session_process(&f->c, REQUEST_BUDGET))
      f->dropped = true;
   vt_conn_flush(&f->c.conn);
   drain(f);
}

/* Sends len bytes (with fd, if not -1, on the first byte), pumping while the socket is full. */
static void
send_bytes(struct vt_fuzz *f, const uint8_t *p, size_t len, int fd)
{
   while (len && !f->dropped) {
      union {
         char buf[CMSG_SPACE(sizeof(int))];
         struct cmsghdr align;
      } ctl;
      struct iovec iov = { (void *)p, len };
      struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
      ssize_t n;

      if (fd >= 0) {
         struct cmsghdr *cm;

         msg.msg_control = ctl.buf;
         msg.msg_controllen = sizeof(ctl.buf);
         cm = CMSG_FIRSTHDR(&msg);
         cm->cmsg_level = SOL_SOCKET;
         cm->cmsg_type = SCM_RIGHTS;
         cm->cmsg_len = CMSG_LEN(sizeof(int));
         memcpy(CMSG_DATA(cm), &fd, sizeof(fd));
      }
      n = sendmsg(f->peer, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n < 0) {
         FZ_CHECK(errno == EAGAIN || errno == EWOULDBLOCK, "send: %s", strerror(errno));
         pump(f);
         continue;
      }
      fd = -1;   /* it went with the first byte */
      p += n;
      len -= (size_t)n;
   }
}

/* The descriptors the request at p (whole, len bytes) carries; -1 when it does not decode. */
static int
request_fds(const uint8_t *p, size_t len)
{
   union vtest_ccmd_req_any req;
   union vtest_ccmd_view_any view;
   struct vdrm_error err;
   uint32_t cmd;

   if (vdrm_frame_decode_request(&vtest_request_framing, vtest_ccmd_table, VTEST_CCMD_COUNT, "vtest", p, len,
                                 &req, &view, &err) != VDRM_OK)
      return -1;
   cmd = req.resource_unref.hdr.cmd;
   return vtest_ccmd_table[cmd].request_fds ? (int)vtest_ccmd_table[cmd].request_fds(&req) : 0;
}

/* The input's requests, each with its descriptors, the server pumped after each. */
static void
send_requests(struct vt_fuzz *f, const uint8_t *p, size_t n)
{
   size_t off = 0;

   while (off < n && !f->dropped) {
      struct vdrm_error err;
      uint64_t extent;
      int nfds;

      if (vtest_request_extent(p + off, n - off, &extent, &err) != VDRM_OK || extent > n - off ||
          (nfds = request_fds(p + off, (size_t)extent)) < 0) {
         send_bytes(f, p + off, n - off, -1);
         break;
      }
      send_bytes(f, p + off, (size_t)extent, -1);
      for (int i = 0; i < nfds && i < (int)VT_CONN_MAX_RX_FDS; i++) {
         int fd = memfd_create("vtest-fuzz", MFD_CLOEXEC);
         static const uint8_t carrier = 0;

         FZ_CHECK(fd >= 0 && ftruncate(fd, 4096) == 0, "memfd: %s", strerror(errno));
         send_bytes(f, &carrier, 1, fd);
         close(fd);
      }
      off += (size_t)extent;
      pump(f);
   }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
   struct vdrm_host_config hc;
   struct vt_fuzz f;
   int sv[2], fds_before, ret;

   if (size < 1)
      return 0;
   memset(&f, 0, sizeof(f));
   fds_before = fz_count_fds();
   f.ctx = &fz_contexts[data[0] % fz_ncontexts];
   ret = f.ctx->backend_create(&f.dev);
   FZ_CHECK(ret == 0, "%s sim: %d", f.ctx->name, ret);
   fz_host_config(&hc);
   ret = vdrm_host_create(f.dev, &hc, &f.host);
   FZ_CHECK(ret == VDRM_HOST_OK, "host: %s", vdrm_host_status_name(ret));
   FZ_CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0, "socketpair: %s",
            strerror(errno));
   f.limits = (struct vt_client_limits){ .max_rx_bytes = 256u << 10, .max_tx_bytes = 1u << 20,
                                         .max_syncobjs = 64, .max_waits = 16 };
   f.registry = (struct vt_syncobj_registry){ 0 };
   vt_client_init(&f.c, NULL, f.host, &f.registry, &f.limits, 1, sv[0]);
   f.peer = sv[1];

   send_requests(&f, data + 1, size - 1);
   /* Time passes: stalled requests, fences and waits get their chance. */
   for (uint32_t i = 0; i < PUMP_ROUNDS && !f.dropped && vt_session_ticking(&f.c); i++) {
      f.ctx->advance(f.dev, 1000000);
      pump(&f);
   }
   shutdown(f.peer, SHUT_WR);
   pump(&f);
   /* FUZZ_VERBOSE: how far the input got (to tell a seed that reaches the handlers). */
   if (getenv("FUZZ_VERBOSE"))
      fprintf(stderr, "vtest on %s: %llu requests served%s%s\n", f.ctx->name, (unsigned long long)f.c.requests,
              f.dropped ? ", dropped: " : "", f.dropped ? f.c.reason : "");
   vt_client_fini(&f.c);
   drain(&f);
   close(f.peer);
   vdrm_host_destroy(f.host);
   f.ctx->advance(f.dev, 10000000000ull);
   vdrm_backend_destroy(f.dev);
   FZ_CHECK(fz_count_fds() == fds_before, "vtest on %s: %d file descriptor(s) left open", f.ctx->name,
            fz_count_fds() - fds_before);
   return 0;
}
