/*
 * The round-trip property of the generated codecs: a message a decoder
 * accepted re-encodes, through its body's encode function, to its own
 * bytes up to five named normalisations. Shared by the vectors test's
 * hostile copies and the fuzzers' decoder harnesses.
 */

#ifndef VDRM_TESTS_REENCODE_H_
#define VDRM_TESTS_REENCODE_H_

#include <stddef.h>
#include <stdint.h>

#include "vdrm_codec.h"

/* What re-encoding may change; anything else is a failure. */
enum {
   REENCODE_TRAILING = 1,      /* (a) bytes after the described content dropped */
   REENCODE_ZERO_EXTEND = 2,   /* (b) a fixed part shorter than the struct (older sender) completed with zeros */
   REENCODE_PADDING = 4,       /* (c) implicit padding cleared */
   REENCODE_IGNORED = 8,       /* (d) a field the host ignores cleared */
   REENCODE_PAD_TO = 16,       /* (e) a message shorter than its alignment allows padded with zeros */
};

/* The span of item it in a decoded view. */
struct vdrm_span reencode_span(const void *view, const struct vdrm_item_desc *it);

/* The bytes of the framed part of msg (len bytes), by its header's length, at most len. */
size_t reencode_framed_bytes(const struct vdrm_body_desc *b, const uint8_t *msg, size_t len);

/* Room for re-encoding a message of len bytes: content, a whole fixed part, padding. */
size_t reencode_cap(const struct vdrm_body_desc *b, size_t len);

/*
 * Re-encodes the message body b accepted from msg (len bytes, the buffer it
 * was decoded from; fixed and view as the decoder returned them) and
 * compares the result with msg. Returns the REENCODE_* normalisations that
 * explain every difference (0: identical), or -1 with why (n bytes) saying
 * what differs, at which offset. *identical (may be NULL) tells whether the
 * bytes came back exactly.
 */
int reencode_check(const struct vdrm_body_desc *b, const uint8_t *msg, size_t len, const void *fixed,
                   const void *view, char *why, size_t n, int *identical);

#endif /* VDRM_TESTS_REENCODE_H_ */
