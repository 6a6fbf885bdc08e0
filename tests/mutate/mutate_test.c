/* SPDX-License-Identifier: MIT */

/*
 * vdrm_mutate_stream() on every context: mutations of a valid stream stay a
 * stream the host's walker accepts and mostly requests the decoders accept
 * (measured over chains of mutations), the same seed gives the same bytes,
 * nothing is written past max_size (ASan: every buffer is exactly max_size
 * bytes), empty or garbage input is handled, element fields change in
 * place; vdrm_crossover_stream() splices whole requests.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "amdgpu_codec.h"
#include "amdgpu_mutator.h"
#include "asahi_codec.h"
#include "asahi_mutator.h"
#include "i915_mutator.h"
#include "msm_codec.h"
#include "msm_mutator.h"
#include "panfrost_mutator.h"
#include "vtest_mutator.h"

#define MUTATIONS 1000u
#define MAX_SIZE 4096u

static const struct vdrm_mutator_desc *const contexts[] = {
   &msm_mutator, &amdgpu_mutator, &i915_mutator, &asahi_mutator, &panfrost_mutator, &vtest_mutator,
};
#define NCONTEXTS (sizeof(contexts) / sizeof(contexts[0]))

/* Whether the host's walker takes every byte of the stream as whole requests. */
static bool
walks(const struct vdrm_mutator_desc *ctx, const uint8_t *data, size_t size)
{
   const struct vdrm_protocol_desc *p = ctx->protocol;

   if (p->ccmd) {
      struct vdrm_stream s;
      const uint8_t *msg;
      struct vdrm_ccmd_req hdr;
      int ret;

      vdrm_stream_init(&s, data, size, p->alignment);
      while ((ret = vdrm_stream_next(&s, &msg, &hdr, NULL)) == 1)
         ;
      return ret == 0;
   }
   for (size_t pos = 0; pos < size;) {
      uint64_t extent;

      if (p->request_extent(data + pos, size - pos, &extent, NULL) != VDRM_OK || extent > size - pos ||
          extent < p->request_framing->header_size)
         return false;
      pos += (size_t)extent;
   }
   return true;
}

/* How many requests of the stream the context's decoders accept, and how many there are. */
static void
decodes(const struct vdrm_mutator_desc *ctx, const uint8_t *data, size_t size, unsigned *ok, unsigned *all)
{
   const struct vdrm_protocol_desc *p = ctx->protocol;
   static _Alignas(16) uint8_t req[8192], view[8192];

   for (size_t pos = 0; pos < size;) {
      uint64_t extent;
      size_t len;
      uint32_t cmd;
      const struct vdrm_msg_desc *d;

      if (p->ccmd) {
         uint32_t l;

         memcpy(&l, data + pos + 4, sizeof(l));
         len = l;
      } else {
         if (p->request_extent(data + pos, size - pos, &extent, NULL) != VDRM_OK)
            return;
         len = (size_t)extent;
      }
      memcpy(&cmd, data + pos + p->request_framing->cmd_offset, sizeof(cmd));
      d = vdrm_msg_by_opcode(p, cmd);
      (*all)++;
      if (d && d->req.decode(data + pos, len, req, view, NULL) == VDRM_OK)
         (*ok)++;
      pos += len;
   }
}

/* A valid stream of a few requests built from the context's descriptors. */
static size_t
seed_stream(const struct vdrm_mutator_desc *ctx, uint8_t *buf, size_t cap)
{
   size_t size = 0;

   for (unsigned i = 0; i < 4; i++) {
      size_t len;

      assert_int_equal(vdrm_mutate_build(ctx, 7u * i + 1u, buf + size, cap - size, &len), VDRM_OK);
      size += len;
   }
   return size;
}

/* A deterministic stand-in for LLVMFuzzerMutate: flips a byte, sometimes shrinks. */
static size_t
flip_fallback(uint8_t *data, size_t size, size_t max_size)
{
   static uint32_t n;

   (void)max_size;
   if (!size)
      return 0;
   n = n * 1103515245u + 12345u;
   data[(n >> 8) % size] ^= (uint8_t)(n >> 24 | 1u);
   return (n & 0x70000u) == 0 && size > 1 ? size - 1 : size;
}

static void
built_requests_are_well_formed(void **state)
{
   (void)state;
   for (unsigned c = 0; c < NCONTEXTS; c++) {
      const struct vdrm_mutator_desc *ctx = contexts[c];
      unsigned ok = 0, all = 0;
      uint8_t *buf = malloc(MAX_SIZE);

      assert_non_null(buf);
      for (unsigned seed = 0; seed < 200; seed++) {
         size_t len;

         assert_int_equal(vdrm_mutate_build(ctx, seed, buf, MAX_SIZE, &len), VDRM_OK);
         assert_true(len > 0 && len <= MAX_SIZE);
         assert_true(walks(ctx, buf, len));
         decodes(ctx, buf, len, &ok, &all);
      }
      free(buf);
      assert_int_equal(all, 200);
      print_message("%s: %u of 200 built requests decode\n", ctx->protocol->name, ok);
      /* Built requests get random values in open fields, which some decoders refuse; most pass. */
      assert_true(ok * 2 >= all);
   }
}

static void
mutations_keep_the_stream_walkable(void **state)
{
   (void)state;
   for (unsigned c = 0; c < NCONTEXTS; c++) {
      const struct vdrm_mutator_desc *ctx = contexts[c];
      uint8_t *data = malloc(MAX_SIZE);
      size_t size;
      unsigned valid = 0, ok = 0, all = 0, changed = 0;

      assert_non_null(data);
      size = seed_stream(ctx, data, MAX_SIZE);
      assert_true(walks(ctx, data, size));
      for (unsigned i = 0; i < MUTATIONS; i++) {
         uint8_t before[MAX_SIZE];
         size_t old = size;

         memcpy(before, data, size);
         size = vdrm_mutate_stream(ctx, data, size, MAX_SIZE, i, i % 3 ? NULL : flip_fallback);
         assert_true(size <= MAX_SIZE);
         changed += size != old || memcmp(before, data, size) != 0;
         if (walks(ctx, data, size)) {
            valid++;
            decodes(ctx, data, size, &ok, &all);
         } else {
            /* Start the chain again from a valid stream, as a fuzzer's corpus would. */
            size = seed_stream(ctx, data, MAX_SIZE);
         }
      }
      print_message("%s: %u of %u mutations keep every header valid; %u of %u requests decode; "
                    "%u changed the stream\n", ctx->protocol->name, valid, MUTATIONS, ok, all, changed);
      /* The brief's floor is nine in ten; every context measures 1000 of 1000 today. */
      assert_true(valid * 100 >= MUTATIONS * 98);
      /* Most mutated requests still pass the decoders, so the fuzzer reaches the handlers. */
      assert_true(ok * 10 >= all * 6);
      assert_true(changed * 10 >= MUTATIONS * 9);
      free(data);
   }
}

static void
same_seed_same_bytes(void **state)
{
   (void)state;
   for (unsigned c = 0; c < NCONTEXTS; c++) {
      const struct vdrm_mutator_desc *ctx = contexts[c];
      uint8_t *seed = malloc(MAX_SIZE), *a = malloc(MAX_SIZE), *b = malloc(MAX_SIZE);
      size_t size, na, nb;
      unsigned differ = 0;

      assert_true(seed && a && b);
      size = seed_stream(ctx, seed, MAX_SIZE);
      for (unsigned s = 0; s < 200; s++) {
         memcpy(a, seed, size);
         memcpy(b, seed, size);
         na = vdrm_mutate_stream(ctx, a, size, MAX_SIZE, s, NULL);
         nb = vdrm_mutate_stream(ctx, b, size, MAX_SIZE, s, NULL);
         assert_int_equal(na, nb);
         assert_memory_equal(a, b, na);
         /* Another seed, another mutation (not always: some mutations agree). */
         memcpy(b, seed, size);
         nb = vdrm_mutate_stream(ctx, b, size, MAX_SIZE, s + 1000u, NULL);
         differ += na != nb || memcmp(a, b, na) != 0;
      }
      assert_true(differ >= 150);
      free(seed);
      free(a);
      free(b);
   }
}

static void
never_past_max_size(void **state)
{
   (void)state;
   for (unsigned c = 0; c < NCONTEXTS; c++) {
      const struct vdrm_mutator_desc *ctx = contexts[c];
      uint8_t full[MAX_SIZE];
      size_t size = seed_stream(ctx, full, sizeof(full));

      for (unsigned s = 0; s < MUTATIONS; s++) {
         /* Exactly max bytes: ASan reports any write past them. */
         size_t max = size + s % 24;
         uint8_t *data = malloc(max);

         assert_non_null(data);
         memcpy(data, full, size);
         assert_true(vdrm_mutate_stream(ctx, data, size, max, s, s % 2 ? flip_fallback : NULL) <= max);
         free(data);
      }
   }
}

static void
empty_input_gets_a_request(void **state)
{
   (void)state;
   for (unsigned c = 0; c < NCONTEXTS; c++) {
      const struct vdrm_mutator_desc *ctx = contexts[c];
      unsigned grown = 0;

      for (unsigned s = 0; s < 100; s++) {
         uint8_t *data = malloc(MAX_SIZE);
         size_t size;

         assert_non_null(data);
         size = vdrm_mutate_stream(ctx, data, 0, MAX_SIZE, s, flip_fallback);
         assert_true(size <= MAX_SIZE);
         assert_true(walks(ctx, data, size));
         grown += size > 0;
         free(data);
      }
      assert_true(grown >= 95);
      /* No room: nothing written, nothing returned. */
      assert_int_equal(vdrm_mutate_stream(ctx, NULL, 0, 0, 1, flip_fallback), 0);
   }
}

static void
garbage_input_is_handled(void **state)
{
   (void)state;
   for (unsigned c = 0; c < NCONTEXTS; c++) {
      const struct vdrm_mutator_desc *ctx = contexts[c];
      uint32_t x = 12345u;

      for (unsigned s = 0; s < MUTATIONS; s++) {
         size_t size = s % 97, max = size + s % 13;
         uint8_t *data = malloc(max ? max : 1);

         assert_non_null(data);
         for (size_t i = 0; i < size; i++) {
            x = x * 1664525u + 1013904223u;
            data[i] = (uint8_t)(x >> 24);
         }
         assert_true(vdrm_mutate_stream(ctx, data, size, max, s, s % 2 ? flip_fallback : NULL) <= max);
         free(data);
      }
   }
}

/* A valid prefix followed by garbage keeps its requests: the mutator works on them. */
static void
garbage_after_requests_kept_or_dropped(void **state)
{
   uint8_t data[MAX_SIZE];
   struct msm_ccmd_nop_req nop = { .hdr = MSM_CCMD(NOP, sizeof(nop)) };
   size_t len, size;
   unsigned dropped = 0;

   (void)state;
   for (unsigned s = 0; s < 200; s++) {
      assert_int_equal(msm_ccmd_nop_req_encode(data, sizeof(data), &nop, &len), VDRM_OK);
      memcpy(data + len, "\x01\x02\x03", 3);
      size = vdrm_mutate_stream(&msm_mutator, data, len + 3, sizeof(data), s, NULL);
      assert_true(size <= sizeof(data));
      dropped += walks(&msm_mutator, data, size);
   }
   /* Dropping the three bytes is one of the mutations, and the only one that makes the stream whole. */
   assert_true(dropped > 0 && dropped < 200);
}

/* A stream longer than the mutator tells apart keeps its later requests whole. */
static void
long_stream_keeps_its_tail(void **state)
{
   enum { NOPS = 600, MAX = NOPS * 16 + 4096 };
   struct msm_ccmd_nop_req nop = { .hdr = MSM_CCMD(NOP, sizeof(nop)) };
   uint8_t *seed = malloc(MAX), *data = malloc(MAX);

   (void)state;
   assert_true(seed && data);
   for (unsigned i = 0; i < NOPS; i++)
      memcpy(seed + i * sizeof(nop), &nop, sizeof(nop));
   for (unsigned s = 0; s < 300; s++) {
      struct vdrm_stream st;
      const uint8_t *msg;
      struct vdrm_ccmd_req hdr;
      unsigned count = 0;
      size_t size;

      memcpy(data, seed, NOPS * sizeof(nop));
      size = vdrm_mutate_stream(&msm_mutator, data, NOPS * sizeof(nop), MAX, s, NULL);
      vdrm_stream_init(&st, data, size, MSM_CCMD_ALIGNMENT);
      while (vdrm_stream_next(&st, &msg, &hdr, NULL) == 1)
         count++;
      assert_int_equal(st.pos, size);
      /* At most one request deleted, and the last 88 NOPs untouched. */
      assert_true(count >= NOPS - 1);
      assert_memory_equal(data + size - 88 * sizeof(nop), seed + (NOPS - 88) * sizeof(nop), 88 * sizeof(nop));
   }
   free(seed);
   free(data);
}

/*
 * A field of an element of GEM_SUBMIT's bos or cmds changes in place: the
 * header and the fixed part stay, only bytes of the arrays differ, and some
 * of those mutations give a bo a small handle (the ids a host knows).
 */
static void
element_fields_change_in_place(void **state)
{
   struct msm_ccmd_gem_submit_req req = { .hdr = MSM_CCMD(GEM_SUBMIT, 0), .nr_bos = 2, .nr_cmds = 1 };
   struct drm_msm_gem_submit_bo bos[2] = { { .handle = 100 }, { .handle = 200 } };
   struct drm_msm_gem_submit_cmd cmds[1] = { { .type = 1, .size = 64 } };
   uint8_t seed[512], data[512];
   size_t len, fixed = offsetof(struct msm_ccmd_gem_submit_req, payload);
   unsigned in_place = 0, small_handle = 0;

   (void)state;
   assert_int_equal(msm_ccmd_gem_submit_req_encode(seed, sizeof(seed), &req, bos, cmds, &len), VDRM_OK);
   for (unsigned s = 0; s < 2000; s++) {
      size_t size;

      memcpy(data, seed, len);
      size = vdrm_mutate_stream(&msm_mutator, data, len, sizeof(data), s, NULL);
      if (size != len || memcmp(data, seed, fixed) != 0 || memcmp(data, seed, len) == 0)
         continue;
      in_place++;
      for (unsigned i = 0; i < 2; i++) {
         struct drm_msm_gem_submit_bo bo;

         memcpy(&bo, data + fixed + i * sizeof(bo), sizeof(bo));
         small_handle += bo.handle != bos[i].handle && bo.handle < 8;
      }
   }
   print_message("msm GEM_SUBMIT: %u of 2000 mutations inside the arrays, %u small handles\n", in_place,
                 small_handle);
   assert_true(in_place >= 20);
   assert_true(small_handle >= 5);
}

/*
 * Built asahi SUBMITs carry a command buffer of whole records (RENDER with
 * its 240-byte body, COMPUTE, attachments) that the decoder walks.
 */
static void
record_chains_built_whole(void **state)
{
   unsigned submits = 0, with_records = 0, decoded = 0;

   (void)state;
   for (unsigned s = 0; s < 3000; s++) {
      uint8_t buf[MAX_SIZE];
      struct asahi_ccmd_submit_req req;
      struct asahi_ccmd_submit_req_view view;
      size_t len;

      assert_int_equal(vdrm_mutate_build(&asahi_mutator, s, buf, sizeof(buf), &len), VDRM_OK);
      if (((const struct vdrm_ccmd_req *)(const void *)buf)->cmd != ASAHI_CCMD_SUBMIT)
         continue;
      submits++;
      memcpy(&req, buf, sizeof(req));
      if (req.cmdbuf_size == 0)
         continue;
      with_records++;
      if (asahi_ccmd_submit_req_decode(buf, len, &req, &view, NULL) == VDRM_OK) {
         decoded++;
         assert_int_equal(view.cmdbuf.size, req.cmdbuf_size);
      }
   }
   print_message("asahi SUBMIT: %u built, %u with records, %u of them decode\n", submits, with_records, decoded);
   assert_true(with_records >= 50);
   assert_true(decoded * 10 >= with_records * 8);
}

/* A field of a record changes in place: hdr.len and the fixed part stay, bytes inside the command buffer differ. */
static void
record_fields_change_in_place(void **state)
{
   uint8_t seed[MAX_SIZE], data[MAX_SIZE];
   struct asahi_ccmd_submit_req req;
   struct asahi_ccmd_submit_req_view view;
   size_t len = 0, fixed = offsetof(struct asahi_ccmd_submit_req, payload);
   unsigned in_place = 0;

   (void)state;
   /* The first built SUBMIT with records that decodes. */
   for (unsigned s = 0; len == 0; s++) {
      assert_true(s < 3000);
      assert_int_equal(vdrm_mutate_build(&asahi_mutator, s, seed, sizeof(seed), &len), VDRM_OK);
      memcpy(&req, seed, sizeof(req));
      if (req.hdr.cmd != ASAHI_CCMD_SUBMIT || req.cmdbuf_size == 0 ||
          asahi_ccmd_submit_req_decode(seed, len, &req, &view, NULL) != VDRM_OK)
         len = 0;
   }
   for (unsigned s = 0; s < 2000; s++) {
      size_t size;

      memcpy(data, seed, len);
      size = vdrm_mutate_stream(&asahi_mutator, data, len, sizeof(data), s, NULL);
      if (size != len || memcmp(data, seed, fixed) != 0)
         continue;
      /* Only bytes of the command buffer differ. */
      in_place += memcmp(data + fixed + req.cmdbuf_size, seed + fixed + req.cmdbuf_size,
                         len - fixed - req.cmdbuf_size) == 0 && memcmp(data, seed, len) != 0;
   }
   print_message("asahi SUBMIT: %u of 2000 mutations inside the command buffer\n", in_place);
   assert_true(in_place >= 20);
}

/* Built amdgpu CS_SUBMITs carry a descriptor table and the chunks it locates, which the decoder takes. */
static void
chunk_tables_built_whole(void **state)
{
   unsigned submits = 0, with_chunks = 0, decoded = 0;

   (void)state;
   for (unsigned s = 0; s < 3000; s++) {
      uint8_t buf[MAX_SIZE];
      struct amdgpu_ccmd_cs_submit_req req;
      struct amdgpu_ccmd_cs_submit_req_view view;
      size_t len;

      assert_int_equal(vdrm_mutate_build(&amdgpu_mutator, s, buf, sizeof(buf), &len), VDRM_OK);
      if (((const struct vdrm_ccmd_req *)(const void *)buf)->cmd != AMDGPU_CCMD_CS_SUBMIT)
         continue;
      submits++;
      memcpy(&req, buf, sizeof(req));
      if (req.num_chunks == 0)
         continue;
      with_chunks++;
      if (amdgpu_ccmd_cs_submit_req_decode(buf, len, &req, &view, NULL) == VDRM_OK) {
         decoded++;
         assert_int_equal(view.descs.count, req.num_chunks);
      }
   }
   print_message("amdgpu CS_SUBMIT: %u built, %u with chunks, %u of them decode\n", submits, with_chunks,
                 decoded);
   assert_true(with_chunks >= 50);
   assert_true(decoded * 10 >= with_chunks * 8);
}

/* Whether each request of the stream is byte for byte one of a's or b's. */
static bool
made_of(const struct vdrm_mutator_desc *ctx, const uint8_t *out, size_t size, const uint8_t *a, size_t a_size,
        const uint8_t *b, size_t b_size)
{
   struct vdrm_stream s;
   const uint8_t *msg;
   struct vdrm_ccmd_req hdr;

   vdrm_stream_init(&s, out, size, ctx->protocol->alignment);
   while (vdrm_stream_next(&s, &msg, &hdr, NULL) == 1) {
      bool found = false;

      for (int k = 0; k < 2 && !found; k++) {
         const uint8_t *in = k ? b : a;
         size_t in_size = k ? b_size : a_size;

         for (size_t pos = 0; pos + hdr.len <= in_size && !found; pos += 4)
            found = memcmp(in + pos, msg, hdr.len) == 0;
      }
      if (!found)
         return false;
   }
   return s.pos == size;
}

static void
crossover_splices_whole_requests(void **state)
{
   (void)state;
   for (unsigned c = 0; c < NCONTEXTS; c++) {
      const struct vdrm_mutator_desc *ctx = contexts[c];
      uint8_t a[MAX_SIZE], b[MAX_SIZE];
      size_t na = seed_stream(ctx, a, sizeof(a)), nb = 0;
      unsigned mixed = 0;

      for (unsigned i = 0; i < 3; i++) {
         size_t len;

         assert_int_equal(vdrm_mutate_build(ctx, 1000u + i, b + nb, sizeof(b) - nb, &len), VDRM_OK);
         nb += len;
      }
      for (unsigned s = 0; s < 300; s++) {
         size_t max = s % 2 ? na + nb : na / 2 + s % 64;
         uint8_t *out = malloc(max);
         size_t n, n2;

         assert_non_null(out);
         n = vdrm_crossover_stream(ctx, a, na, b, nb, out, max, s);
         assert_true(n <= max);
         assert_true(walks(ctx, out, n));
         if (ctx->protocol->ccmd)
            assert_true(made_of(ctx, out, n, a, na, b, nb));
         mixed += n != na || memcmp(out, a, n) != 0;
         /* The same seed, the same splice. */
         {
            uint8_t *again = malloc(max);

            assert_non_null(again);
            n2 = vdrm_crossover_stream(ctx, a, na, b, nb, again, max, s);
            assert_int_equal(n, n2);
            assert_memory_equal(out, again, n);
            free(again);
         }
         free(out);
      }
      assert_true(mixed >= 150);
      /* Nothing to splice: nothing written. */
      assert_int_equal(vdrm_crossover_stream(ctx, NULL, 0, NULL, 0, a, sizeof(a), 3), 0);
   }
}

int
main(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(built_requests_are_well_formed),
      cmocka_unit_test(mutations_keep_the_stream_walkable),
      cmocka_unit_test(same_seed_same_bytes),
      cmocka_unit_test(never_past_max_size),
      cmocka_unit_test(empty_input_gets_a_request),
      cmocka_unit_test(garbage_input_is_handled),
      cmocka_unit_test(garbage_after_requests_kept_or_dropped),
      cmocka_unit_test(long_stream_keeps_its_tail),
      cmocka_unit_test(element_fields_change_in_place),
      cmocka_unit_test(record_chains_built_whole),
      cmocka_unit_test(record_fields_change_in_place),
      cmocka_unit_test(chunk_tables_built_whole),
      cmocka_unit_test(crossover_splices_whole_requests),
   };

   return cmocka_run_group_tests(tests, NULL, NULL);
}
