#include "jsonin.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

/* Deeper than any message needs (stream, message, struct, records, items, struct). */
#define MAX_DEPTH 64

/* Line and column (from 1) of byte off, for error messages. */
static void
position(const char *text, size_t off, unsigned *line, unsigned *col)
{
   *line = 1;
   *col = 1;
   for (size_t i = 0; i < off; i++) {
      if (text[i] == '\n') {
         ++*line;
         *col = 1;
      } else {
         ++*col;
      }
   }
}

/* Whether the decimal digits d[0..n) (no leading zeros) exceed limit. */
static bool
digits_exceed(const char *d, size_t n, const char *limit)
{
   size_t ln = strlen(limit);

   return n != ln ? n > ln : memcmp(d, limit, n) > 0;
}

/*
 * json-c clamps an integer literal beyond 64 bits to INT64_MIN or UINT64_MAX
 * without telling the caller, so such literals are found in the text. Runs
 * on text json-c accepted: numbers are well formed. Names the last object
 * key before the literal, which is the field it belongs to.
 */
static bool
check_integer_ranges(const char *text, size_t len, char *err, size_t err_size)
{
   const char *str = NULL, *key = NULL;
   size_t str_len = 0, key_len = 0;

   for (size_t i = 0; i < len; i++) {
      char c = text[i];

      if (c == '"') {
         size_t start = ++i;
         while (text[i] != '"')
            i += text[i] == '\\' ? 2 : 1;
         str = text + start;
         str_len = i - start;
      } else if (c == ':' && str) {
         key = str;
         key_len = str_len;
      } else if (c == '-' || (c >= '0' && c <= '9')) {
         size_t start = i, d = i + (c == '-');
         size_t end = d;
         bool integer;

         while (end < len && text[end] >= '0' && text[end] <= '9')
            end++;
         integer = end > d && text[end] != '.' && text[end] != 'e' && text[end] != 'E';
         if (integer && digits_exceed(text + d, end - d,
                                      c == '-' ? "9223372036854775808" : "18446744073709551615")) {
            unsigned line, col;
            position(text, start, &line, &col);
            snprintf(err, err_size, "JSON line %u, column %u: %s%.*s%s%.*s does not fit in 64 bits",
                     line, col, key ? "\"" : "", key ? (int)(key_len > 40 ? 40 : key_len) : 0,
                     key ? key : "", key ? "\": " : "", (int)(end - start), text + start);
            return false;
         }
         while (end < len && strchr("0123456789.eE+-", text[end]))
            end++;
         i = end - 1;
      }
   }
   return true;
}

struct json_object *
jsonin_parse(const char *text, size_t len, char *err, size_t err_size)
{
   struct json_tokener *tok;
   struct json_object *doc;
   const char *nul = memchr(text, 0, len);

   if (len >= INT_MAX) {
      snprintf(err, err_size, "JSON: %zu bytes are more than json-c parses (2 GiB)", len);
      return NULL;
   }
   if (nul) {
      snprintf(err, err_size, "JSON: NUL byte at byte %zu", (size_t)(nul - text));
      return NULL;
   }
   tok = json_tokener_new_ex(MAX_DEPTH);
   if (!tok) {
      snprintf(err, err_size, "JSON: out of memory");
      return NULL;
   }
   /* Strict: no comments, trailing commas, single quotes or trailing text. */
   json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
   /* The NUL after the text ends the document, so a final number is complete. */
   doc = json_tokener_parse_ex(tok, text, (int)len + 1);
   if (!doc && json_tokener_get_error(tok) == json_tokener_success) {
      snprintf(err, err_size, "JSON: the document is null");
   } else if (!doc) {
      unsigned line, col;
      size_t at = json_tokener_get_parse_end(tok);

      position(text, at < len ? at : len, &line, &col);
      snprintf(err, err_size, "JSON line %u, column %u: %s", line, col,
               json_tokener_error_desc(json_tokener_get_error(tok)));
   } else if (!check_integer_ranges(text, len, err, err_size)) {
      json_object_put(doc);
      doc = NULL;
   }
   json_tokener_free(tok);
   return doc;
}

bool
jsonin_int(const struct json_object *v, bool *negative, uint64_t *magnitude)
{
   int64_t s;

   if (!json_object_is_type(v, json_type_int))
      return false;
   /*
    * json-c keeps an integer as int64 or uint64: get_int64 is exact for
    * negative values (and saturates above INT64_MAX), get_uint64 is exact for
    * the others (and gives 0 for negative ones).
    */
   s = json_object_get_int64(v);
   *negative = s < 0;
   *magnitude = s < 0 ? (uint64_t)0 - (uint64_t)s : json_object_get_uint64(v);
   return true;
}

struct json_object *
jsonin_get(const struct json_object *obj, const char *key)
{
   struct json_object *v = NULL;

   if (!json_object_is_type(obj, json_type_object) || !json_object_object_get_ex(obj, key, &v))
      return NULL;
   return v;
}

const char *
jsonin_str(struct json_object *v, size_t *len)
{
   if (!json_object_is_type(v, json_type_string))
      return NULL;
   *len = (size_t)json_object_get_string_len(v);
   return json_object_get_string(v);
}

const char *
jsonin_show(struct json_object *v)
{
   if (json_object_is_type(v, json_type_array))
      return "an array";
   if (json_object_is_type(v, json_type_object))
      return "an object";
   return json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}
