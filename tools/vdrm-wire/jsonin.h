/*
 * Reading JSON with json-c: a whole document, strictly, with integers exact
 * over the full range of the wire's 64-bit fields.
 */

#ifndef VDRM_WIRE_JSONIN_H_
#define VDRM_WIRE_JSONIN_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

/*
 * Parses text (len bytes, text[len] must be NUL). Returns the document, to be
 * released with json_object_put(), or NULL with a message in err.
 */
struct json_object *jsonin_parse(const char *text, size_t len, char *err, size_t err_size);

/* The value of a JSON integer as sign and magnitude; false if v is no integer. */
bool jsonin_int(const struct json_object *v, bool *negative, uint64_t *magnitude);

/* Member key of obj, or NULL (also when obj is not an object). */
struct json_object *jsonin_get(const struct json_object *obj, const char *key);

/* The bytes of a JSON string and their number, or NULL if v is no string. */
const char *jsonin_str(struct json_object *v, size_t *len);

/* A short rendering of v for error messages ("1.5", "\"12\"", "an array"). */
const char *jsonin_show(struct json_object *v);

#endif /* VDRM_WIRE_JSONIN_H_ */
