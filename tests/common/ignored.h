/*
 * Fields the host ignores and clears (VDRM_FIELD_IGNORED): what the tests
 * that compare decoded values and re-encoded bytes with a vector allow.
 */

#ifndef VDRM_TESTS_IGNORED_H_
#define VDRM_TESTS_IGNORED_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vdrm_codec.h"

/* Zeroes the ignored fields of the struct desc at p (nested structs too), as a decoder does. */
void ignored_clear(const struct vdrm_struct_desc *desc, uint8_t *p);

/*
 * Whether enc (re-encoded) equals want (the original) but for the ignored
 * fields of the fixed part desc, which enc must hold as zeros; *where gets
 * the first offset that differs otherwise.
 */
bool ignored_same(const struct vdrm_struct_desc *desc, const uint8_t *want, const uint8_t *enc,
                  size_t len, size_t *where);

#endif /* VDRM_TESTS_IGNORED_H_ */
