/*
 * Byte strings in vdrm-wire's JSON: data as hex strings, text as JSON
 * strings when it is valid UTF-8 and as {"hex": "..."} when it is not.
 */

#ifndef VDRM_WIRE_TEXT_H_
#define VDRM_WIRE_TEXT_H_

#include <stdbool.h>
#include <stdio.h>

#include "outbuf.h"

/* Whether p[0..n) is UTF-8 as RFC 3629 defines it (no overlongs, surrogates or > U+10FFFF). */
bool utf8_valid(const uint8_t *p, size_t n);

/* Prints p[0..n) as a hex string. */
void print_hex(FILE *out, const uint8_t *p, size_t n);

/* Prints text p[0..n): a JSON string, or {"hex": ...} when not UTF-8. */
void print_text(FILE *out, const uint8_t *p, size_t n);

/* Appends the bytes of text value v (either form); what names it in errors. */
bool text_write(struct out_buf *b, struct json_object *v, const char *what, char *err,
                size_t err_size);

#endif /* VDRM_WIRE_TEXT_H_ */
