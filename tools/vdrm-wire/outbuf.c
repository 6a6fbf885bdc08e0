#include "outbuf.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonin.h"

bool
out_buf_fits(const struct out_buf *b, uint64_t n, const char *what, char *err, size_t err_size)
{
   if (n == 0 || (b->len <= b->limit && n <= b->limit - b->len))
      return true;
   snprintf(err, err_size, "%s: %" PRIu64 " bytes do not fit: hdr.len %zu leaves %zu", what, n,
            b->limit, b->len < b->limit ? b->limit - b->len : 0);
   return false;
}

bool
out_buf_put(struct out_buf *b, const void *src, size_t n)
{
   if (n == 0)
      return true;
   if (b->len > b->limit || n > b->limit - b->len)
      return false;
   if (b->len + n > b->cap) {
      /* Doubles, but never past the limit: the buffer stays bounded by hdr.len. */
      size_t nc = b->len + n > b->limit / 2 ? b->limit : (b->len + n) * 2;
      uint8_t *nb = realloc(b->data, nc);
      if (!nb)
         return false;
      memset(nb + b->cap, 0, nc - b->cap);
      b->data = nb;
      b->cap = nc;
   }
   if (src)
      memcpy(b->data + b->len, src, n);
   b->len += n;
   return true;
}

static int
hexval(char c)
{
   if (c >= '0' && c <= '9')
      return c - '0';
   if (c >= 'a' && c <= 'f')
      return c - 'a' + 10;
   if (c >= 'A' && c <= 'F')
      return c - 'A' + 10;
   return -1;
}

bool
out_buf_hex(struct out_buf *b, struct json_object *v, const char *what, char *err, size_t err_size)
{
   size_t len;
   const char *s = jsonin_str(v, &len);

   if (!s || len % 2) {
      snprintf(err, err_size, "%s: expected a hex string, got %.40s", what, jsonin_show(v));
      return false;
   }
   if (!out_buf_fits(b, len / 2, what, err, err_size))
      return false;
   for (size_t i = 0; i < len; i += 2) {
      int hi = hexval(s[i]), lo = hexval(s[i + 1]);
      uint8_t byte;

      if (hi < 0 || lo < 0) {
         snprintf(err, err_size, "%s: '%c%c' at %zu is not hex", what, s[i], s[i + 1], i);
         return false;
      }
      byte = (uint8_t)(hi * 16 + lo);
      if (!out_buf_put(b, &byte, 1)) {
         snprintf(err, err_size, "%s: out of memory", what);
         return false;
      }
   }
   return true;
}
