#include "fields.h"

#include <inttypes.h>
#include <string.h>

#include "jsonin.h"

static bool
kind_signed(uint8_t kind)
{
   return kind == VDRM_KIND_I8 || kind == VDRM_KIND_I16 || kind == VDRM_KIND_I32 ||
          kind == VDRM_KIND_I64 || kind == VDRM_KIND_INT;
}

static uint64_t
load(const uint8_t *p, unsigned size)
{
   uint64_t v = 0;
   memcpy(&v, p, size); /* little-endian host, as is the wire */
   return v;
}

static void
store(uint8_t *p, unsigned size, uint64_t v)
{
   memcpy(p, &v, size);
}

static void
print_scalar(FILE *out, const struct vdrm_field_desc *f, const uint8_t *p)
{
   uint64_t v = load(p, f->size);

   if (f->bit_width) {
      v = (v >> f->bit_offset) & ((f->bit_width == 64) ? UINT64_MAX : ((1ull << f->bit_width) - 1));
      fprintf(out, "%" PRIu64, v);
   } else if (kind_signed(f->kind)) {
      unsigned shift = 64 - 8 * f->size;
      fprintf(out, "%" PRId64, (int64_t)(v << shift) >> shift);
   } else {
      fprintf(out, "%" PRIu64, v);
   }
}

static void print_object(FILE *out, const struct vdrm_struct_desc *desc, const uint8_t *base);

void
print_element(FILE *out, const struct vdrm_field_desc *f, const uint8_t *p)
{
   if (f->kind == VDRM_KIND_STRUCT || f->kind == VDRM_KIND_UNION)
      print_object(out, f->type, p);
   else
      print_scalar(out, f, p);
}

void
fields_print(FILE *out, const struct vdrm_struct_desc *desc, const uint8_t *base, size_t limit,
             int *first)
{
   for (uint32_t i = 0; i < desc->nfields; i++) {
      const struct vdrm_field_desc *f = &desc->fields[i];
      uint32_t elem = f->type ? f->type->size : f->size;

      if ((uint64_t)f->offset + (uint64_t)elem * f->count > limit)
         continue;
      fprintf(out, "%s\"%s\": ", *first ? "" : ", ", f->name);
      *first = 0;
      if (f->count == 1 && !(f->kind == VDRM_KIND_CHAR)) {
         print_element(out, f, base + f->offset);
         continue;
      }
      fputc('[', out);
      for (uint32_t j = 0; j < f->count; j++) {
         if (j)
            fputs(", ", out);
         print_element(out, f, base + f->offset + (size_t)j * elem);
      }
      fputc(']', out);
   }
}

static void
print_object(FILE *out, const struct vdrm_struct_desc *desc, const uint8_t *base)
{
   int first = 1;

   fputc('{', out);
   fields_print(out, desc, base, desc->size, &first);
   fputc('}', out);
}

/*
 * The largest value of f, and the largest magnitude of a negative one (0:
 * none). Signed bitfields take negative values but print as unsigned.
 */
static void
scalar_range(const struct vdrm_field_desc *f, uint64_t *max, uint64_t *neg_max)
{
   unsigned bits = f->bit_width ? f->bit_width : 8u * f->size;
   uint64_t all = bits == 64 ? UINT64_MAX : (1ull << bits) - 1;

   *neg_max = kind_signed(f->kind) ? (all >> 1) + 1 : 0;
   *max = kind_signed(f->kind) && !f->bit_width ? all >> 1 : all;
   if (f->kind == VDRM_KIND_CHAR)
      *max = 0xff;
}

static bool
write_scalar(const struct vdrm_field_desc *f, struct json_object *v, uint8_t *p, char *err,
             size_t err_size)
{
   uint64_t max, neg_max, mag, raw;
   bool negative;

   if (!jsonin_int(v, &negative, &mag)) {
      snprintf(err, err_size, "%s: expected an integer, got %.40s", f->name, jsonin_show(v));
      return false;
   }
   scalar_range(f, &max, &neg_max);
   if (negative ? mag > neg_max : mag > max) {
      snprintf(err, err_size, "%s: %s%" PRIu64 " is out of range (%s%" PRIu64 "..%" PRIu64 ")",
               f->name, negative ? "-" : "", mag, neg_max ? "-" : "", neg_max, max);
      return false;
   }
   raw = negative ? (uint64_t)0 - mag : mag;
   if (f->bit_width) {
      uint64_t mask = ((f->bit_width == 64) ? UINT64_MAX : ((1ull << f->bit_width) - 1)) << f->bit_offset;
      uint64_t unit = load(p, f->size);
      unit = (unit & ~mask) | ((raw << f->bit_offset) & mask);
      store(p, f->size, unit);
   } else {
      store(p, f->size, raw);
   }
   return true;
}

bool
write_element(const struct vdrm_field_desc *f, struct json_object *v, uint8_t *p, char *err,
              size_t err_size)
{
   if (f->kind == VDRM_KIND_STRUCT || f->kind == VDRM_KIND_UNION) {
      if (!json_object_is_type(v, json_type_object)) {
         snprintf(err, err_size, "%s: expected an object, got %.40s", f->name, jsonin_show(v));
         return false;
      }
      return fields_write(f->type, v, p, f->type->size, NULL, err, err_size);
   }
   return write_scalar(f, v, p, err, err_size);
}

void
fields_mark(uint8_t *mask, size_t size, uint64_t base, const struct vdrm_struct_desc *desc)
{
   for (uint32_t i = 0; i < desc->nfields; i++) {
      const struct vdrm_field_desc *f = &desc->fields[i];
      uint32_t elem = f->type ? f->type->size : f->size;

      for (uint32_t j = 0; j < f->count; j++) {
         uint64_t at = base + f->offset + (uint64_t)j * elem;

         if (f->kind == VDRM_KIND_STRUCT || f->kind == VDRM_KIND_UNION) {
            if (f->type)
               fields_mark(mask, size, at, f->type);
            continue;
         }
         for (uint64_t k = at; k < at + f->size && k < size; k++)
            mask[k] = 1;
      }
   }
}

static bool
ignored(const char *const *ignore, const char *key)
{
   for (; ignore && *ignore; ignore++) {
      if (strcmp(*ignore, key) == 0)
         return true;
   }
   return false;
}

bool
fields_write(const struct vdrm_struct_desc *desc, struct json_object *obj, uint8_t *base,
             size_t limit, const char *const *ignore, char *err, size_t err_size)
{
   if (!json_object_is_type(obj, json_type_object)) {
      snprintf(err, err_size, "%s: expected an object, got %.40s", desc->name, jsonin_show(obj));
      return false;
   }
   json_object_object_foreach(obj, key, val) {
      bool known = ignored(ignore, key);
      (void)val;
      for (uint32_t i = 0; i < desc->nfields && !known; i++)
         known = strcmp(desc->fields[i].name, key) == 0;
      if (!known) {
         snprintf(err, err_size, "%s has no field '%.40s'", desc->name, key);
         return false;
      }
   }
   for (uint32_t i = 0; i < desc->nfields; i++) {
      const struct vdrm_field_desc *f = &desc->fields[i];
      struct json_object *v = jsonin_get(obj, f->name);
      uint32_t elem = f->type ? f->type->size : f->size;
      bool is_array = f->count != 1 || f->kind == VDRM_KIND_CHAR;

      if (!v) {
         if ((uint64_t)f->offset + (uint64_t)elem * f->count > limit)
            continue;
         snprintf(err, err_size, "%s: missing field '%s'", desc->name, f->name);
         return false;
      }
      if (!is_array) {
         if (!write_element(f, v, base + f->offset, err, err_size))
            return false;
         continue;
      }
      if (!json_object_is_type(v, json_type_array) || json_object_array_length(v) != f->count) {
         snprintf(err, err_size, "%s: expected an array of %u", f->name, f->count);
         return false;
      }
      for (uint32_t j = 0; j < f->count; j++) {
         if (!write_element(f, json_object_array_get_idx(v, j), base + f->offset + (size_t)j * elem,
                            err, err_size))
            return false;
      }
   }
   return true;
}
