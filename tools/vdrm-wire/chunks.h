/*
 * Chunk regions (<chunks>, amdgpu CS_SUBMIT's chunks) shown typed. The
 * region's bytes stay a hex string under the item's name, which is what
 * encode reads; decode adds the key "<item>_typed" (CHUNKS_TYPED_SUFFIX): one
 * object per element of the descriptor table, in table order,
 *
 *   {"desc": I, "chunk": KIND, "offset": BYTES, "length": BYTES,
 *    "value": {<the kind's struct>}  (kinds of exactly or at least one struct)
 *    "elements": [{...}, ...]         (kinds of whole structs, or of any length)
 *    "trailing": HEX}                 (the chunk's bytes past those, when any)
 *
 * Encode ignores "<item>_typed" (README.md, "vdrm-wire").
 */

#ifndef VDRM_WIRE_CHUNKS_H_
#define VDRM_WIRE_CHUNKS_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

#include "vdrm_codec.h"

/* What follows a chunk region item's name in the key of its typed form. */
#define CHUNKS_TYPED_SUFFIX "_typed"

/*
 * Prints ", \"<it->name>_typed\": [...]" for chunk region item it of body b,
 * whose decoded view (b->view_size bytes, validated by b's decoder) is view.
 * Prints nothing when it is no chunk region or its descriptor cannot be used
 * (a table that is not an array item of b, fields outside a table element).
 * False when out of memory.
 */
bool chunks_print(FILE *out, const struct vdrm_body_desc *b, const struct vdrm_item_desc *it,
                  const uint8_t *view);

/*
 * Whether v, a value of "<it->name>_typed", describes the chunks of the
 * decoded view exactly: one entry per table element, each with its index,
 * kind, offset and length, and content ("value", "elements", "trailing")
 * that written back gives every byte of the chunk. False with err filled
 * otherwise.
 */
bool chunks_check(const struct vdrm_body_desc *b, const struct vdrm_item_desc *it,
                  const uint8_t *view, struct json_object *v, char *err, size_t err_size);

#endif /* VDRM_WIRE_CHUNKS_H_ */
