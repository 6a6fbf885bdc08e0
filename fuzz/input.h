/* SPDX-License-Identifier: MIT */

/*
 * A hostile host's script (the guest harnesses): the input read a piece at
 * a time as the host answers. A missing byte reads as 0, so past the input
 * the host is honest.
 */

#ifndef VDRM_FUZZ_INPUT_H_
#define VDRM_FUZZ_INPUT_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fz_input {
   const uint8_t *p;
   size_t len;
   bool hostile;   /* some control byte was not 0 */
};

/* The next n bytes into buf, zeros past the end. */
void fz_take(struct fz_input *in, void *buf, size_t n);
/* An answer's control byte (0: answered honestly). */
uint8_t fz_control(struct fz_input *in);
/* Writes the next len bytes at off in [base, base + size), cut at its end (base NULL: consumed, not written). */
void fz_edit(struct fz_input *in, uint8_t *base, size_t size, size_t off, size_t len);

#endif /* VDRM_FUZZ_INPUT_H_ */
