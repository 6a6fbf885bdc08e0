#include "ignored.h"

#include <stdlib.h>
#include <string.h>

/* Marks the bytes of the ignored fields of desc at base in mask (n bytes). */
static void
mark(const struct vdrm_struct_desc *desc, size_t base, uint8_t *mask, size_t n)
{
   for (uint32_t i = 0; i < desc->nfields; i++) {
      const struct vdrm_field_desc *f = &desc->fields[i];
      size_t each = f->type ? f->type->size : f->size;

      for (uint32_t k = 0; k < f->count; k++) {
         size_t at = base + f->offset + (size_t)k * each;

         if (f->type && f->kind == VDRM_KIND_STRUCT)
            mark(f->type, at, mask, n);
         else if (f->flags & VDRM_FIELD_IGNORED)
            for (size_t j = at; j < at + each && j < n; j++)
               mask[j] = 1;
      }
   }
}

void
ignored_clear(const struct vdrm_struct_desc *desc, uint8_t *p)
{
   uint8_t *mask = calloc(1, desc->size ? desc->size : 1);

   if (!mask)
      abort();
   mark(desc, 0, mask, desc->size);
   for (size_t i = 0; i < desc->size; i++)
      if (mask[i])
         p[i] = 0;
   free(mask);
}

bool
ignored_same(const struct vdrm_struct_desc *desc, const uint8_t *want, const uint8_t *enc, size_t len,
             size_t *where)
{
   uint8_t *mask = calloc(1, len ? len : 1);
   bool same = true;

   if (!mask)
      abort();
   mark(desc, 0, mask, len);
   for (size_t i = 0; i < len && same; i++) {
      if (mask[i] ? enc[i] != 0 : enc[i] != want[i]) {
         *where = i;
         same = false;
      }
   }
   free(mask);
   return same;
}
