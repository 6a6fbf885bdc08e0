/* SPDX-License-Identifier: MIT */

/*
 * Guest-side harness of one context (FUZZ_CONTEXT): what a guest reads from
 * a hostile host. The input is
 *
 *   bytes 0-3   rsp_off the guest chose for its request (little-endian)
 *   bytes 4-7   the bytes it reserved there for the response
 *   bytes 8..   the shared-memory buffer as the host left it
 *
 * and the guest, as a careful one does: reads the shmem header (seqno,
 * rsp_mem_offset) and of its context's shmem struct only the fields
 * rsp_mem_offset says the host knows; finds the response region only when
 * rsp_mem_offset lies inside the buffer; copies the reserved slot out of
 * shared memory (into an allocation of exactly its size, so a decoder that
 * reads past it is an ASan report) before decoding it with every response
 * decoder of the context. Accepted views must lie inside the copy; a
 * refusal must say what it refused.
 *
 * The reference guest (reference-guest/) will bring its own shmem reader
 * and response path; they replace the reads below once they exist.
 */

#include <string.h>

#include "contexts.h"
#include "fuzz.h"
#include "vdrm_contexts.h"
#include "views.h"

#ifndef FUZZ_CONTEXT
#error "FUZZ_CONTEXT names the context (-DFUZZ_CONTEXT=\"msm\")"
#endif

struct slot {
   uint32_t rsp_off;
   uint32_t reserved;
};

/*
 * The response slot, copied out of shmem (len bytes), or NULL when the
 * header or the slot does not fit: a guest then reports a broken host.
 */
static uint8_t *
read_slot(const struct fz_context *ctx, const uint8_t *shmem, size_t len, struct slot slot)
{
   struct vdrm_shmem hdr;
   uint8_t known[256];
   uint8_t *copy;
   size_t region;

   if (len < sizeof(hdr))
      return NULL;
   memcpy(&hdr, shmem, sizeof(hdr));
   /* The context's own fields: those before rsp_mem_offset, inside the buffer. */
   FZ_CHECK(ctx->shmem_struct_size <= sizeof(known), "%s: shmem struct of %u bytes", ctx->name,
            ctx->shmem_struct_size);
   memset(known, 0, sizeof(known));
   {
      size_t n = ctx->shmem_struct_size;

      n = hdr.rsp_mem_offset < n ? hdr.rsp_mem_offset : n;
      n = len < n ? len : n;
      memcpy(known, shmem, n);
   }
   if (hdr.rsp_mem_offset < sizeof(hdr) || hdr.rsp_mem_offset > len)
      return NULL;
   region = len - hdr.rsp_mem_offset;
   if (slot.rsp_off > region || slot.reserved > region - slot.rsp_off)
      return NULL;
   copy = malloc(slot.reserved ? slot.reserved : 1);
   FZ_CHECK(copy, "out of memory");
   memcpy(copy, shmem + hdr.rsp_mem_offset + slot.rsp_off, slot.reserved);
   return copy;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
   const struct fz_context *ctx = fz_context(FUZZ_CONTEXT);
   const struct vdrm_protocol_desc *p = vdrm_context_by_name(FUZZ_CONTEXT);
   struct slot slot;
   uint8_t *shmem, *rsp;
   size_t len;

   FZ_CHECK(p, "no protocol %s", FUZZ_CONTEXT);
   if (size < sizeof(slot))
      return 0;
   memcpy(&slot, data, sizeof(slot));
   len = size - sizeof(slot);
   shmem = malloc(len ? len : 1);
   FZ_CHECK(shmem, "out of memory");
   memcpy(shmem, data + sizeof(slot), len);
   rsp = read_slot(ctx, shmem, len, slot);
   for (uint32_t i = 0; rsp && i < p->nmsgs; i++) {
      const struct vdrm_body_desc *b = &p->msgs[i].rsp;
      uint8_t *fixed, *view;
      struct vdrm_error err;
      int ret;

      if (!b->fixed)
         continue;
      fixed = malloc(b->fixed->size);
      view = malloc(b->view_size ? b->view_size : 1);
      FZ_CHECK(fixed && view, "out of memory");
      memset(&err, 0, sizeof(err));
      ret = b->decode(rsp, slot.reserved, fixed, view, &err);
      if (ret == VDRM_OK)
         fz_check_views(b, view, rsp, slot.reserved);
      else
         fz_check_error(&err, ret);
      free(fixed);
      free(view);
   }
   free(rsp);
   free(shmem);
   return 0;
}
