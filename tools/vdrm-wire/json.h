/*
 * A small JSON reader for vdrm-wire: enough for its message format, with
 * integers kept exact in 64 bits and strings kept as byte strings.
 */

#ifndef VDRM_WIRE_JSON_H_
#define VDRM_WIRE_JSON_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json {
   enum json_type type;
   bool negative;          /* numbers: value is -magnitude */
   uint64_t magnitude;     /* numbers and bools */
   char *str;              /* strings (bytes, NUL-terminated for convenience) and object keys */
   size_t len;             /* string length in bytes, or number of children */
   struct json *children;  /* array elements or object values */
   char **keys;            /* object keys, parallel to children */
};

/* Parses text; on failure returns false and writes a message to err. */
bool json_parse(const char *text, size_t len, struct json *out, char *err, size_t err_size);
void json_free(struct json *v);

/* Member of an object, or NULL. */
const struct json *json_get(const struct json *obj, const char *key);

/* Value of a hex digit, or -1. */
int json_hexval(char c);

#endif /* VDRM_WIRE_JSON_H_ */
