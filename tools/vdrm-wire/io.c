#include "io.h"

#include <stdio.h>
#include <stdlib.h>

uint8_t *
read_all(const char *path, size_t *len)
{
   FILE *f = path ? fopen(path, "rb") : stdin;
   size_t cap = 4096, n = 0;
   uint8_t *buf;

   if (!f) {
      perror(path);
      return NULL;
   }
   buf = malloc(cap);
   while (buf) {
      size_t got = fread(buf + n, 1, cap - n - 1, f);
      n += got;
      if (n + 1 < cap)
         break;
      cap *= 2;
      uint8_t *nb = realloc(buf, cap);
      if (!nb) {
         free(buf);
         buf = NULL;
      }
      buf = nb;
   }
   if (path)
      fclose(f);
   if (buf)
      buf[n] = 0;
   *len = n;
   return buf;
}
