/* Reading and writing struct fields through the generated descriptors. */

#ifndef VDRM_WIRE_FIELDS_H_
#define VDRM_WIRE_FIELDS_H_

#include <stdbool.h>
#include <stdio.h>

#include <json-c/json.h>

#include "vdrm_codec.h"

/*
 * Prints the fields of desc found in base as JSON members (no braces),
 * skipping fields that end beyond limit bytes. *first tracks comma placement.
 */
void fields_print(FILE *out, const struct vdrm_struct_desc *desc, const uint8_t *base,
                  size_t limit, int *first);

/*
 * Writes the members of obj that desc names into base (size bytes). Fields
 * that end beyond limit may be absent; others are required. Returns false
 * and fills err on a missing, extra or out-of-range value.
 */
bool fields_write(const struct vdrm_struct_desc *desc, struct json_object *obj, uint8_t *base,
                  size_t limit, const char *const *ignore, char *err, size_t err_size);

/*
 * Marks in mask (size bytes) the bytes the scalar members of desc, placed at
 * byte base, describe (through nested structs and unions; bytes at or past
 * size are not marked). Implicit padding stays unmarked.
 */
void fields_mark(uint8_t *mask, size_t size, uint64_t base, const struct vdrm_struct_desc *desc);

/* One value of field f (a struct as an object, a scalar as a number). */
void print_element(FILE *out, const struct vdrm_field_desc *f, const uint8_t *p);
bool write_element(const struct vdrm_field_desc *f, struct json_object *v, uint8_t *p, char *err,
                   size_t err_size);

#endif /* VDRM_WIRE_FIELDS_H_ */
