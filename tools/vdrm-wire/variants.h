/*
 * Bytes items that hold structs (<variants>, ioctl arguments by command
 * number) as typed JSON objects: {"type": NAME, <the struct's fields>} or,
 * for a scalar, {"type": "u32", "value": N}; "trailing" (hex) holds the bytes
 * past the type. Only bytes the typed form gives back exactly are shown typed;
 * everything else stays a hex string (README.md, "vdrm-wire").
 */

#ifndef VDRM_WIRE_VARIANTS_H_
#define VDRM_WIRE_VARIANTS_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

#include "outbuf.h"
#include "vdrm_codec.h"

/*
 * Where the selector of a variants item is read: the fixed part of the body
 * holding the item, the fixed part of the request a response answers and,
 * for the trailing item of a record, the record's struct (zero-extended to
 * its whole size), each with its size; NULL when not available (a response
 * decoded without its request, an item outside a record).
 */
struct items_ctx {
   const uint8_t *body;
   size_t body_size;
   const uint8_t *request;
   size_t request_size;
   const uint8_t *record;
   size_t record_size;
};

/*
 * The variant the selector of vs picks. NULL with *available false when the
 * selector cannot be read, NULL with *available true when it picks none.
 */
const struct vdrm_variant_desc *variants_select(const struct vdrm_variants_desc *vs,
                                                const struct items_ctx *ctx, bool *available);

/*
 * Prints the n bytes at p of item it typed, when its selector picks a type
 * and the typed form encodes back to exactly these bytes. Returns false when
 * it printed nothing (the caller prints hex); *oom is set when that is
 * because memory ran out.
 */
bool variants_print(FILE *out, const struct vdrm_item_desc *it, const struct items_ctx *ctx,
                    const uint8_t *p, size_t n, bool *oom);

/* Appends the bytes of the typed value v (an object with "type") of item it. */
bool variants_write(struct out_buf *b, const struct vdrm_item_desc *it, const struct items_ctx *ctx,
                    struct json_object *v, char *err, size_t err_size);

#endif /* VDRM_WIRE_VARIANTS_H_ */
