/* SPDX-License-Identifier: MIT */

/*
 * vtest harness: the whole vtest socket protocol in process, as a client
 * attacks it first: the server in process (vtest_server.h), this harness
 * the client at its socket's other end. The input is
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
#include <unistd.h>

#include "fuzz.h"
#include "vtest_codec.h"
#include "vtest_server.h"

#define PUMP_ROUNDS 8u

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
send_requests(struct fz_vtest_server *f, const uint8_t *p, size_t n)
{
   size_t off = 0;

   while (off < n && !f->dropped) {
      struct vdrm_error err;
      uint64_t extent;
      int nfds;

      if (vtest_request_extent(p + off, n - off, &extent, &err) != VDRM_OK || extent > n - off ||
          (nfds = request_fds(p + off, (size_t)extent)) < 0) {
         fz_vtest_server_send(f, p + off, n - off, -1);
         break;
      }
      fz_vtest_server_send(f, p + off, (size_t)extent, -1);
      for (int i = 0; i < nfds && i < (int)VT_CONN_MAX_RX_FDS; i++) {
         int fd = memfd_create("vtest-fuzz", MFD_CLOEXEC);
         static const uint8_t carrier = 0;

         FZ_CHECK(fd >= 0 && ftruncate(fd, 4096) == 0, "memfd: %s", strerror(errno));
         fz_vtest_server_send(f, &carrier, 1, fd);
         close(fd);
      }
      off += (size_t)extent;
      fz_vtest_server_pump(f);
   }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
   struct fz_vtest_server f;

   if (size < 1)
      return 0;
   fz_vtest_server_init(&f, &fz_contexts[data[0] % fz_ncontexts]);
   send_requests(&f, data + 1, size - 1);
   /* Time passes: stalled requests, fences and waits get their chance. */
   for (uint32_t i = 0; i < PUMP_ROUNDS && !f.dropped && vt_session_ticking(&f.c); i++)
      fz_vtest_server_advance(&f, 1000000);
   fz_vtest_server_hang_up(&f);
   /* FUZZ_VERBOSE: how far the input got (to tell a seed that reaches the handlers). */
   if (getenv("FUZZ_VERBOSE"))
      fprintf(stderr, "vtest on %s: %llu requests served%s%s\n", f.sim.ctx->name, (unsigned long long)f.c.requests,
              f.dropped ? ", dropped: " : "", f.dropped ? f.c.reason : "");
   fz_vtest_server_fini(&f);
   return 0;
}
