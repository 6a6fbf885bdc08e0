/* The bytes of a message being encoded: a growing buffer with a hard limit. */

#ifndef VDRM_WIRE_OUTBUF_H_
#define VDRM_WIRE_OUTBUF_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

/* Bytes past len up to cap are zero; len never exceeds limit once set. */
struct out_buf {
   uint8_t *data;
   size_t len;
   size_t cap;
   size_t limit;   /* most bytes it may hold: hdr.len when encoding a message */
};

/*
 * Whether n more bytes fit under the limit; if not, says so in err naming
 * what (a field, item or "trailing").
 */
bool out_buf_fits(const struct out_buf *b, uint64_t n, const char *what, char *err,
                  size_t err_size);

/* Appends n bytes (zeros when src is NULL); false when out of memory or over the limit. */
bool out_buf_put(struct out_buf *b, const void *src, size_t n);

/* Appends the bytes of JSON hex string v; what names it in errors. */
bool out_buf_hex(struct out_buf *b, struct json_object *v, const char *what, char *err,
                 size_t err_size);

#endif /* VDRM_WIRE_OUTBUF_H_ */
