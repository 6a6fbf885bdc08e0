/* SPDX-License-Identifier: MIT */

/*
 * Stream harness of one context (FUZZ_CONTEXT): the whole host path in
 * process on the context's sim backend. The input is what a guest puts in
 * EXECBUFFER:
 *
 *   byte 0      control: bits 0-2 requests per batch (0: all in one batch),
 *               bit 3 a fence with every batch (rings in turn), bit 4 the
 *               GPU clock moved and fences delivered after every batch;
 *   bytes 1..   ccmd requests, cut into batches at the boundaries their
 *               hdr.len gives (a bad hdr.len ends the walk: the rest is one
 *               batch, which the host must refuse).
 *
 * After each batch, the buffers it created under blob ids get their
 * resources, as a guest's RESOURCE_CREATE_BLOB would. The requests run once
 * on a context without shmem (a guest may submit
 * before creating it), then after the shmem, FZ_BUFFERS buffers and (msm,
 * amdgpu) a submitqueue or GPU context exist.
 */

#include <string.h>

#include "fuzz.h"
#include "guest.h"

#ifndef FUZZ_CONTEXT
#error "FUZZ_CONTEXT names the context (-DFUZZ_CONTEXT=\"msm\")"
#endif

enum { PER_BATCH_MASK = 0x7, FENCE_EACH = 0x8, RETIRE_EACH = 0x10 };

/* Where the batch that starts at off ends: after per requests (0: all), or at a bad hdr.len. */
static size_t
batch_end(const uint8_t *p, size_t n, size_t off, unsigned per)
{
   for (unsigned taken = 0; off < n && (per == 0 || taken < per); taken++) {
      uint32_t len;

      if (n - off < sizeof(struct vdrm_ccmd_req))
         return n;
      memcpy(&len, p + off + offsetof(struct vdrm_ccmd_req, len), sizeof(len));
      if (len < sizeof(struct vdrm_ccmd_req) || len % VDRM_STREAM_LEN_ALIGN || len > n - off)
         return n;
      off += len;
   }
   return off;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
   const struct fz_context *ctx = fz_context(FUZZ_CONTEXT);
   struct fz_guest g;
   unsigned control, per;
   const uint8_t *cmds;
   size_t n;

   if (size < 1)
      return 0;
   control = data[0];
   per = control & PER_BATCH_MASK;
   cmds = data + 1;
   n = size - 1;

   fz_guest_init(&g, ctx);
   fz_guest_submit(&g, cmds, n, 0);
   fz_guest_shmem(&g);
   fz_guest_buffers(&g);
   fz_guest_queue(&g);
   for (size_t off = 0; off < n;) {
      size_t end = batch_end(cmds, n, off, per);

      fz_guest_submit(&g, cmds + off, end - off, control & FENCE_EACH);
      fz_guest_attach(&g);
      if (control & RETIRE_EACH)
         fz_guest_retire(&g, 1000);
      off = end;
   }
   fz_guest_retire(&g, 1000000000ull);
   fz_guest_fini(&g);
   return 0;
}
