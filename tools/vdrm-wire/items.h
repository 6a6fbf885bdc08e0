/*
 * The variable parts of a message (tail items) as JSON: arrays of objects or
 * numbers, text as strings, data as hex, record chains as arrays of objects.
 */

#ifndef VDRM_WIRE_ITEMS_H_
#define VDRM_WIRE_ITEMS_H_

#include <stdbool.h>
#include <stdio.h>

#include "json.h"
#include "vdrm_codec.h"

/* A growing output buffer; bytes past len up to cap are zero. */
struct out_buf {
   uint8_t *data;
   size_t len;
   size_t cap;
};

bool out_buf_put(struct out_buf *b, const void *src, size_t n);

/* Appends the bytes of a hex string. */
bool out_buf_hex(struct out_buf *b, const struct json *v, const char *name, char *err,
                 size_t err_size);

void print_hex(FILE *out, const uint8_t *p, size_t n);

/* Prints the value of item it found at span (validated by the message's decoder). */
void items_print(FILE *out, const struct vdrm_item_desc *it, const struct vdrm_span *span);

/* Appends the bytes of item it from its JSON value; array elements are stride bytes apart. */
bool items_write(struct out_buf *b, const struct vdrm_item_desc *it, const struct json *v,
                 uint32_t stride, char *err, size_t err_size);

/*
 * The keys of a message object that are not fields of its fixed part
 * ("message", "trailing" and the item names), NULL-terminated in out[n].
 */
void items_nonfield_keys(const struct vdrm_body_desc *b, const char **out, size_t n);

#endif /* VDRM_WIRE_ITEMS_H_ */
