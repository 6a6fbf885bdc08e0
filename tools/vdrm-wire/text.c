#include "text.h"

#include <string.h>

#include "jsonin.h"

bool
utf8_valid(const uint8_t *p, size_t n)
{
   for (size_t i = 0; i < n;) {
      uint8_t c = p[i];
      size_t more;
      uint32_t cp, min;

      if (c < 0x80) {
         i++;
         continue;
      }
      if (c >= 0xc2 && c <= 0xdf)
         more = 1, cp = c & 0x1fu, min = 0x80;
      else if (c >= 0xe0 && c <= 0xef)
         more = 2, cp = c & 0x0fu, min = 0x800;
      else if (c >= 0xf0 && c <= 0xf4)
         more = 3, cp = c & 0x07u, min = 0x10000;
      else
         return false;
      if (n - i - 1 < more)
         return false;
      for (size_t k = 1; k <= more; k++) {
         if ((p[i + k] & 0xc0) != 0x80)
            return false;
         cp = cp << 6 | (p[i + k] & 0x3fu);
      }
      if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
         return false;
      i += more + 1;
   }
   return true;
}

void
print_hex(FILE *out, const uint8_t *p, size_t n)
{
   fputc('"', out);
   for (size_t i = 0; i < n; i++)
      fprintf(out, "%02x", p[i]);
   fputc('"', out);
}

void
print_text(FILE *out, const uint8_t *p, size_t n)
{
   if (!utf8_valid(p, n)) {
      fputs("{\"hex\": ", out);
      print_hex(out, p, n);
      fputc('}', out);
      return;
   }
   /* Controls and DEL escaped, the rest (UTF-8 sequences included) as is. */
   fputc('"', out);
   for (size_t i = 0; i < n; i++) {
      if (p[i] == '"' || p[i] == '\\')
         fprintf(out, "\\%c", p[i]);
      else if (p[i] < 0x20 || p[i] == 0x7f)
         fprintf(out, "\\u%04x", p[i]);
      else
         fputc(p[i], out);
   }
   fputc('"', out);
}

bool
text_write(struct out_buf *b, struct json_object *v, const char *what, char *err, size_t err_size)
{
   struct json_object *hex = jsonin_get(v, "hex");
   size_t len;
   const char *s = jsonin_str(v, &len);

   if (hex && json_object_object_length(v) == 1)
      return out_buf_hex(b, hex, what, err, err_size);
   if (!s) {
      snprintf(err, err_size, "%s: expected a string or {\"hex\": ...}, got %.40s", what,
               jsonin_show(v));
      return false;
   }
   /* A JSON string is text; other bytes travel as hex, which keeps decode's choice unique. */
   if (!utf8_valid((const uint8_t *)s, len)) {
      snprintf(err, err_size, "%s: not valid UTF-8; write such bytes as {\"hex\": ...}", what);
      return false;
   }
   if (!out_buf_fits(b, len, what, err, err_size))
      return false;
   if (!out_buf_put(b, s, len)) {
      snprintf(err, err_size, "%s: out of memory", what);
      return false;
   }
   return true;
}
