/* SPDX-License-Identifier: MIT */

/* Whether what a decoder returned stays inside the bytes it was given. */

#ifndef VDRM_FUZZ_VIEWS_H_
#define VDRM_FUZZ_VIEWS_H_

#include <stddef.h>
#include <stdint.h>

#include "vdrm_codec.h"

/*
 * Aborts unless every non-empty span of the view of body b (items, and the
 * items of every record of a record chain) lies inside buf (len bytes).
 */
void fz_check_views(const struct vdrm_body_desc *b, const void *view, const uint8_t *buf, size_t len);

/* Aborts unless a refusal says what it refused: a status, the command, a message. */
void fz_check_error(const struct vdrm_error *err, int ret);

#endif /* VDRM_FUZZ_VIEWS_H_ */
