/* SPDX-License-Identifier: MIT */

#include "input.h"

#include <string.h>

void
fz_take(struct fz_input *in, void *buf, size_t n)
{
   size_t have = in->len < n ? in->len : n;

   memcpy(buf, in->p, have);
   memset((uint8_t *)buf + have, 0, n - have);
   in->p += have;
   in->len -= have;
}

uint8_t
fz_control(struct fz_input *in)
{
   uint8_t control;

   fz_take(in, &control, 1);
   in->hostile |= control != 0;
   return control;
}

void
fz_edit(struct fz_input *in, uint8_t *base, size_t size, size_t off, size_t len)
{
   uint8_t bytes[255];

   if (len > sizeof(bytes))
      len = sizeof(bytes);
   fz_take(in, bytes, len);
   if (base && off < size)
      memcpy(base + off, bytes, len < size - off ? len : size - off);
}
