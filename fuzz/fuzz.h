/* SPDX-License-Identifier: MIT */

/*
 * What every harness shares: the libFuzzer entry point (the replay driver
 * calls the same one), and a check that aborts, so that libFuzzer, AFL++ and
 * the replay test all see a property that does not hold as a crash.
 */

#ifndef VDRM_FUZZ_H_
#define VDRM_FUZZ_H_

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_CHECK(cond, ...)                                                  \
   do {                                                                      \
      if (!(cond)) {                                                         \
         fprintf(stderr, "%s:%d: %s: ", __FILE__, __LINE__, #cond);          \
         fprintf(stderr, __VA_ARGS__);                                       \
         fputc('\n', stderr);                                                \
         abort();                                                            \
      }                                                                      \
   } while (0)

/* Open file descriptors of the process (each harness checks none is left behind). */
int fz_count_fds(void);

#endif /* VDRM_FUZZ_H_ */
