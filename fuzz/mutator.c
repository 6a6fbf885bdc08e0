/* SPDX-License-Identifier: MIT */

/*
 * libFuzzer's custom mutator for the harnesses whose input is a request
 * stream (stream, decoder and vtest): the generated, spec-driven mutation
 * of runtime/vdrm_mutate.h, which keeps headers, opcodes, lengths and counts
 * plausible so that inputs get past the length checks into the handlers,
 * alongside libFuzzer's plain byte mutation of the whole input (one in four
 * times, and as the fallback inside a request); crossing over splices two
 * streams at request boundaries.
 *
 *   FUZZ_MUTATOR  the protocol whose table mutates ("msm", ..., "vtest")
 *   FUZZ_SKIP     bytes before the stream the harness reads itself (its
 *                 control byte), left to the plain mutation
 *
 * Only with libFuzzer (LLVMFuzzerMutate); other engines mutate bytes.
 */

#include <string.h>

#include "amdgpu_mutator.h"
#include "asahi_mutator.h"
#include "fuzz.h"
#include "i915_mutator.h"
#include "msm_mutator.h"
#include "panfrost_mutator.h"
#include "vtest_mutator.h"

#ifndef FUZZ_MUTATOR
#error "FUZZ_MUTATOR names the protocol of the stream (-DFUZZ_MUTATOR=\"msm\")"
#endif
#ifndef FUZZ_SKIP
#define FUZZ_SKIP 0
#endif

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);
size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1, const uint8_t *data2, size_t size2,
                                 uint8_t *out, size_t max_out_size, unsigned int seed);

static const struct vdrm_mutator_desc *
mutator(void)
{
   static const struct vdrm_mutator_desc *const all[] = {
      &msm_mutator, &amdgpu_mutator, &i915_mutator, &asahi_mutator, &panfrost_mutator, &vtest_mutator,
   };

   for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
      if (strcmp(all[i]->protocol->name, FUZZ_MUTATOR) == 0)
         return all[i];
   }
   FZ_CHECK(0, "no mutator table for %s", FUZZ_MUTATOR);
   return NULL;
}

size_t
LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
   if (seed % 4 == 0 || max_size <= FUZZ_SKIP)
      return LLVMFuzzerMutate(data, size, max_size);
   if (size < FUZZ_SKIP) {
      memset(data + size, 0, FUZZ_SKIP - size);
      size = FUZZ_SKIP;
   }
   return FUZZ_SKIP + vdrm_mutate_stream(mutator(), data + FUZZ_SKIP, size - FUZZ_SKIP, max_size - FUZZ_SKIP,
                                         seed / 4, LLVMFuzzerMutate);
}

/* The first input's bytes before the stream, then the two streams spliced (0: nothing fits). */
size_t
LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1, const uint8_t *data2, size_t size2, uint8_t *out,
                          size_t max_out_size, unsigned int seed)
{
   if (size1 < FUZZ_SKIP || size2 < FUZZ_SKIP || max_out_size <= FUZZ_SKIP)
      return 0;
   memcpy(out, data1, FUZZ_SKIP);
   return FUZZ_SKIP + vdrm_crossover_stream(mutator(), data1 + FUZZ_SKIP, size1 - FUZZ_SKIP, data2 + FUZZ_SKIP,
                                            size2 - FUZZ_SKIP, out + FUZZ_SKIP, max_out_size - FUZZ_SKIP, seed);
}
