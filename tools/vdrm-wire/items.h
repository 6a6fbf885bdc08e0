/*
 * The variable parts of a message (tail items) as JSON: arrays of objects or
 * numbers, text as strings, data as hex or, when it holds a struct its
 * selector names, as a typed object (variants.h), record chains as arrays of
 * objects (a record's trailing bytes typed by a field of the record).
 */

#ifndef VDRM_WIRE_ITEMS_H_
#define VDRM_WIRE_ITEMS_H_

#include <stdbool.h>
#include <stdio.h>

#include "outbuf.h"
#include "variants.h"
#include "vdrm_codec.h"

/*
 * Prints the value of item it found at span (validated by the message's
 * decoder); ctx says where a variants selector can be read (NULL: nowhere,
 * bytes print as hex). False when out of memory.
 */
bool items_print(FILE *out, const struct vdrm_item_desc *it, const struct vdrm_span *span,
                 const struct items_ctx *ctx);

/*
 * Appends the bytes of item it from its JSON value; array elements are stride
 * bytes apart. A typed bytes value must be of the type ctx's selector picks
 * (any variant's type when the selector is not available).
 */
bool items_write(struct out_buf *b, const struct vdrm_item_desc *it, struct json_object *v,
                 uint32_t stride, const struct items_ctx *ctx, char *err, size_t err_size);

/*
 * The keys of a message object that are not fields of its fixed part
 * ("message", "trailing", the item names and, after a chunk region's name,
 * the decode-only "<name>_typed" that encode ignores, chunks.h),
 * NULL-terminated; free() it. NULL when out of memory.
 */
const char **items_nonfield_keys(const struct vdrm_body_desc *b);

#endif /* VDRM_WIRE_ITEMS_H_ */
