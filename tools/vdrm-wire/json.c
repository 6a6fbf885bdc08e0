#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct parser {
   const char *start;
   const char *p;
   const char *end;
   char *err;
   size_t err_size;
   unsigned depth;
};

#define MAX_DEPTH 64

static bool
fail(struct parser *ps, const char *what)
{
   snprintf(ps->err, ps->err_size, "JSON: %s at byte %zu", what, (size_t)(ps->p - ps->start));
   return false;
}

static void
skip_ws(struct parser *ps)
{
   while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\r' || *ps->p == '\t'))
      ps->p++;
}

static bool parse_value(struct parser *ps, struct json *out);

int
json_hexval(char c)
{
   if (c >= '0' && c <= '9')
      return c - '0';
   if (c >= 'a' && c <= 'f')
      return c - 'a' + 10;
   if (c >= 'A' && c <= 'F')
      return c - 'A' + 10;
   return -1;
}

/* Strings are byte strings: \u00XX is byte XX; other code points become UTF-8. */
static bool
parse_string(struct parser *ps, char **out, size_t *out_len)
{
   size_t cap = 16, n = 0;
   char *buf = malloc(cap);

   if (!buf)
      return fail(ps, "out of memory");
   ps->p++; /* opening quote */
   while (ps->p < ps->end && *ps->p != '"') {
      unsigned cp = (unsigned char)*ps->p++;
      char enc[4];
      size_t enc_len = 1;

      if (cp == '\\') {
         if (ps->p >= ps->end)
            break;
         char e = *ps->p++;
         switch (e) {
         case '"': cp = '"'; break;
         case '\\': cp = '\\'; break;
         case '/': cp = '/'; break;
         case 'b': cp = '\b'; break;
         case 'f': cp = '\f'; break;
         case 'n': cp = '\n'; break;
         case 'r': cp = '\r'; break;
         case 't': cp = '\t'; break;
         case 'u':
            if (ps->end - ps->p < 4) {
               free(buf);
               return fail(ps, "short \\u escape");
            }
            cp = 0;
            for (int i = 0; i < 4; i++) {
               int h = json_hexval(ps->p[i]);
               if (h < 0) {
                  free(buf);
                  return fail(ps, "bad \\u escape");
               }
               cp = cp * 16 + (unsigned)h;
            }
            ps->p += 4;
            if (cp > 0xff) {
               free(buf);
               return fail(ps, "\\u escape above \\u00ff in a byte string");
            }
            break;
         default:
            free(buf);
            return fail(ps, "bad escape");
         }
      }
      enc[0] = (char)cp;
      if (n + enc_len + 1 > cap) {
         cap *= 2;
         char *nb = realloc(buf, cap);
         if (!nb) {
            free(buf);
            return fail(ps, "out of memory");
         }
         buf = nb;
      }
      memcpy(buf + n, enc, enc_len);
      n += enc_len;
   }
   if (ps->p >= ps->end) {
      free(buf);
      return fail(ps, "unterminated string");
   }
   ps->p++;
   buf[n] = '\0';
   *out = buf;
   *out_len = n;
   return true;
}

static bool
parse_number(struct parser *ps, struct json *out)
{
   uint64_t v = 0;
   bool any = false;

   out->type = JSON_NUMBER;
   out->negative = false;
   if (*ps->p == '-') {
      out->negative = true;
      ps->p++;
   }
   while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') {
      unsigned d = (unsigned)(*ps->p - '0');
      if (v > (UINT64_MAX - d) / 10)
         return fail(ps, "integer does not fit in 64 bits");
      v = v * 10 + d;
      any = true;
      ps->p++;
   }
   if (!any)
      return fail(ps, "bad number");
   if (ps->p < ps->end && (*ps->p == '.' || *ps->p == 'e' || *ps->p == 'E'))
      return fail(ps, "only integers are allowed");
   out->magnitude = v;
   return true;
}

static bool
push(struct parser *ps, struct json *out, size_t *cap, struct json *v, char *key)
{
   if (out->len == *cap) {
      size_t nc = *cap ? *cap * 2 : 4;
      struct json *nchildren = realloc(out->children, nc * sizeof(*nchildren));
      if (!nchildren)
         return fail(ps, "out of memory");
      out->children = nchildren;
      if (out->type == JSON_OBJECT) {
         char **nkeys = realloc(out->keys, nc * sizeof(*nkeys));
         if (!nkeys)
            return fail(ps, "out of memory");
         out->keys = nkeys;
      }
      *cap = nc;
   }
   out->children[out->len] = *v;
   if (out->type == JSON_OBJECT)
      out->keys[out->len] = key;
   out->len++;
   return true;
}

static bool
parse_container(struct parser *ps, struct json *out, bool object)
{
   size_t cap = 0;
   char close = object ? '}' : ']';

   out->type = object ? JSON_OBJECT : JSON_ARRAY;
   if (++ps->depth > MAX_DEPTH)
      return fail(ps, "nested too deeply");
   ps->p++;
   skip_ws(ps);
   if (ps->p < ps->end && *ps->p == close) {
      ps->p++;
      ps->depth--;
      return true;
   }
   for (;;) {
      struct json v = { 0 };
      char *key = NULL;
      size_t key_len;

      skip_ws(ps);
      if (object) {
         if (ps->p >= ps->end || *ps->p != '"')
            return fail(ps, "expected a key");
         if (!parse_string(ps, &key, &key_len))
            return false;
         skip_ws(ps);
         if (ps->p >= ps->end || *ps->p != ':') {
            free(key);
            return fail(ps, "expected ':'");
         }
         ps->p++;
      }
      if (!parse_value(ps, &v) || !push(ps, out, &cap, &v, key)) {
         free(key);
         json_free(&v);
         return false;
      }
      skip_ws(ps);
      if (ps->p < ps->end && *ps->p == ',') {
         ps->p++;
         continue;
      }
      if (ps->p < ps->end && *ps->p == close) {
         ps->p++;
         ps->depth--;
         return true;
      }
      return fail(ps, object ? "expected ',' or '}'" : "expected ',' or ']'");
   }
}

static bool
literal(struct parser *ps, const char *word)
{
   size_t n = strlen(word);
   if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
      return fail(ps, "unexpected character");
   ps->p += n;
   return true;
}

static bool
parse_value(struct parser *ps, struct json *out)
{
   skip_ws(ps);
   if (ps->p >= ps->end)
      return fail(ps, "unexpected end");
   switch (*ps->p) {
   case '{':
      return parse_container(ps, out, true);
   case '[':
      return parse_container(ps, out, false);
   case '"':
      out->type = JSON_STRING;
      return parse_string(ps, &out->str, &out->len);
   case 't':
      out->type = JSON_BOOL;
      out->magnitude = 1;
      return literal(ps, "true");
   case 'f':
      out->type = JSON_BOOL;
      return literal(ps, "false");
   case 'n':
      out->type = JSON_NULL;
      return literal(ps, "null");
   default:
      return parse_number(ps, out);
   }
}

bool
json_parse(const char *text, size_t len, struct json *out, char *err, size_t err_size)
{
   struct parser ps = { text, text, text + len, err, err_size, 0 };

   memset(out, 0, sizeof(*out));
   if (!parse_value(&ps, out)) {
      json_free(out);
      return false;
   }
   skip_ws(&ps);
   if (ps.p != ps.end) {
      json_free(out);
      return fail(&ps, "trailing characters");
   }
   return true;
}

void
json_free(struct json *v)
{
   if (v->type == JSON_ARRAY || v->type == JSON_OBJECT) {
      for (size_t i = 0; i < v->len; i++) {
         json_free(&v->children[i]);
         if (v->type == JSON_OBJECT)
            free(v->keys[i]);
      }
      free(v->children);
      free(v->keys);
   }
   free(v->str);
   memset(v, 0, sizeof(*v));
}

const struct json *
json_get(const struct json *obj, const char *key)
{
   if (obj->type != JSON_OBJECT)
      return NULL;
   for (size_t i = 0; i < obj->len; i++) {
      if (strcmp(obj->keys[i], key) == 0)
         return &obj->children[i];
   }
   return NULL;
}
