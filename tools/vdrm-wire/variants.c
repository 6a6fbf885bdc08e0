#include "variants.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "jsonin.h"
#include "text.h"

/* The keys of a typed value that are not fields of its type. */
static const char *const typed_keys[] = { "type", "trailing", NULL };

const struct vdrm_variant_desc *
variants_select(const struct vdrm_variants_desc *vs, const struct items_ctx *ctx, bool *available)
{
   const uint8_t *base = NULL;
   size_t size = 0;
   uint64_t v = 0;

   *available = false;
   if (ctx && vs->in_record) {
      base = ctx->record;
      size = ctx->record_size;
   } else if (ctx) {
      base = vs->in_request ? ctx->request : ctx->body;
      size = vs->in_request ? ctx->request_size : ctx->body_size;
   }
   if (!base || vs->selector_size == 0 || vs->selector_size > sizeof(v) ||
       vs->selector_offset > size || size - vs->selector_offset < vs->selector_size)
      return NULL;
   if (vs->select != VDRM_SELECT_VALUE && vs->select != VDRM_SELECT_IOC_NR)
      return NULL;
   *available = true;
   memcpy(&v, base + vs->selector_offset, vs->selector_size); /* little-endian, as is the wire */
   if (vs->select == VDRM_SELECT_IOC_NR) {
      uint32_t nr = VDRM_IOC_NR(v);

      if (nr < vs->base)
         return NULL;
      v = nr - vs->base;
   }
   for (uint32_t i = 0; i < vs->nvariants; i++) {
      if (vs->variants[i].value == v)
         return &vs->variants[i];
   }
   return NULL;
}

/* The JSON name of a scalar variant's type, or NULL when it has none. */
static const char *
scalar_name(const struct vdrm_variant_desc *row)
{
   static const char *const names[] = {
      [VDRM_KIND_U8] = "u8",   [VDRM_KIND_U16] = "u16", [VDRM_KIND_U32] = "u32",
      [VDRM_KIND_U64] = "u64", [VDRM_KIND_I8] = "i8",   [VDRM_KIND_I16] = "i16",
      [VDRM_KIND_I32] = "i32", [VDRM_KIND_I64] = "i64", [VDRM_KIND_CHAR] = "char",
      [VDRM_KIND_INT] = "int",
   };

   if (row->kind >= sizeof(names) / sizeof(names[0]) || !names[row->kind])
      return NULL;
   if (row->size != 1 && row->size != 2 && row->size != 4 && row->size != 8)
      return NULL;
   return names[row->kind];
}

/*
 * Whether a struct variant can be shown typed at all: its descriptor agrees
 * with the variant's size and no field is named like a key of the typed form.
 */
static bool
struct_usable(const struct vdrm_variant_desc *row)
{
   const struct vdrm_struct_desc *d = row->type;

   if (!d || d->size != row->size || d->size == 0 || row->min_size > d->size)
      return false;
   for (uint32_t i = 0; i < d->nfields; i++) {
      for (const char *const *k = typed_keys; *k; k++) {
         if (strcmp(d->fields[i].name, *k) == 0)
            return false;
      }
   }
   return true;
}

/* The name "type" holds for row, or NULL when it cannot be shown typed. */
static const char *
row_name(const struct vdrm_variant_desc *row)
{
   if (row->type)
      return struct_usable(row) ? row->type->name : NULL;
   return scalar_name(row);
}

static uint64_t
field_end(const struct vdrm_field_desc *f)
{
   uint32_t elem = f->type ? f->type->size : f->size;

   return (uint64_t)f->offset + (uint64_t)elem * f->count;
}

/*
 * The bytes a typed value holding the fields marked present stands for: the
 * whole struct when every field is present, otherwise up to the end of the
 * last present one (an older, shorter revision). Decode and encode both use
 * this rule, so a payload is shown typed only when it gives back its length.
 */
static uint64_t
typed_length(const struct vdrm_struct_desc *d, const bool *present)
{
   uint64_t end = 0;
   bool all = true;

   for (uint32_t i = 0; i < d->nfields; i++) {
      if (!present[i])
         all = false;
      else if (field_end(&d->fields[i]) > end)
         end = field_end(&d->fields[i]);
   }
   return all ? d->size : end;
}

/*
 * Whether the n bytes at p print typed as struct d: at least its oldest
 * revision, every byte the printed fields leave out zero (padding, a field
 * cut in two), and a shorter payload exactly as long as its printed fields.
 * -1: out of memory.
 */
static int
struct_fits(const struct vdrm_variant_desc *row, const uint8_t *p, size_t n)
{
   const struct vdrm_struct_desc *d = row->type;
   size_t limit = n < d->size ? n : d->size;
   bool *present;
   uint8_t *mask;
   int ok = 1;

   if (n == 0 || n < row->min_size)
      return 0;
   present = calloc(d->nfields ? d->nfields : 1, sizeof(*present));
   mask = calloc(1, d->size);
   if (!present || !mask) {
      free(present);
      free(mask);
      return -1;
   }
   for (uint32_t i = 0; i < d->nfields; i++) {
      const struct vdrm_field_desc *f = &d->fields[i];

      present[i] = field_end(f) <= limit;
      if (!present[i])
         continue;
      if (f->kind == VDRM_KIND_STRUCT || f->kind == VDRM_KIND_UNION) {
         uint32_t elem = f->type ? f->type->size : 0;
         for (uint32_t j = 0; j < f->count && f->type; j++)
            fields_mark(mask, d->size, f->offset + (uint64_t)j * elem, f->type);
      } else {
         for (uint64_t k = f->offset; k < field_end(f); k++)
            mask[k] = 1;
      }
   }
   for (size_t i = 0; i < limit && ok; i++) {
      if (p[i] && !mask[i])
         ok = 0;
   }
   if (ok && n < d->size && typed_length(d, present) != n)
      ok = 0;
   free(present);
   free(mask);
   return ok;
}

/* A field descriptor for the value of a scalar variant. */
static struct vdrm_field_desc
scalar_field(const struct vdrm_variant_desc *row)
{
   struct vdrm_field_desc f = { "value", 0, 1, row->kind, (uint8_t)row->size, 0, 0, NULL, 0 };

   return f;
}

bool
variants_print(FILE *out, const struct vdrm_item_desc *it, const struct items_ctx *ctx,
               const uint8_t *p, size_t n, bool *oom)
{
   const struct vdrm_variant_desc *row;
   const char *name;
   bool available;
   size_t size;

   *oom = false;
   if (!it->variants || it->kind != VDRM_ITEM_DATA)
      return false;
   row = variants_select(it->variants, ctx, &available);
   name = row ? row_name(row) : NULL;
   if (!name)
      return false;
   if (row->type) {
      int fits = struct_fits(row, p, n);

      if (fits < 0)
         *oom = true;
      if (fits <= 0)
         return false;
      size = row->type->size;
      int first = 0;
      fprintf(out, "{\"type\": \"%s\"", name);
      fields_print(out, row->type, p, n < size ? n : size, &first);
   } else {
      struct vdrm_field_desc f = scalar_field(row);

      size = row->size;
      if (n == 0 || n < size || n < row->min_size)
         return false;
      fprintf(out, "{\"type\": \"%s\", \"value\": ", name);
      print_element(out, &f, p);
   }
   if (n > size) {
      fputs(", \"trailing\": ", out);
      print_hex(out, p + size, n - size);
   }
   fputc('}', out);
   return true;
}

/* What holds the selector of vs, for errors. */
static const char *
selector_owner(const struct vdrm_variants_desc *vs)
{
   return vs->in_record ? "record" : vs->in_request ? "request" : "message";
}

/* The variant a typed value names: the one the selector picks, else any of that type. */
static const struct vdrm_variant_desc *
write_row(const struct vdrm_item_desc *it, const struct items_ctx *ctx, const char *type,
          size_t type_len, char *err, size_t err_size)
{
   const struct vdrm_variants_desc *vs = it->variants;
   bool available;
   const struct vdrm_variant_desc *row = variants_select(vs, ctx, &available);
   const char *name;

   if (available) {
      name = row ? row_name(row) : NULL;
      if (!row)
         snprintf(err, err_size, "%s: the %s's selector picks no type: give the bytes as hex",
                  it->name, selector_owner(vs));
      else if (!name)
         snprintf(err, err_size, "%s: %s has no typed form: give the bytes as hex", it->name,
                  row->name ? row->name : "its variant");
      else if (strlen(name) != type_len || memcmp(name, type, type_len) != 0)
         snprintf(err, err_size, "%s: the %s's selector picks \"%s\"%s%s, not \"%.40s\"", it->name,
                  selector_owner(vs), name, row->name ? " for " : "",
                  row->name ? row->name : "", type);
      else
         return row;
      return NULL;
   }
   for (uint32_t i = 0; i < vs->nvariants; i++) {
      name = row_name(&vs->variants[i]);
      if (name && strlen(name) == type_len && memcmp(name, type, type_len) == 0)
         return &vs->variants[i];
   }
   snprintf(err, err_size, "%s: no variant has type \"%.40s\"", it->name, type);
   return NULL;
}

/* The bytes of the fields of struct variant row given in obj (its size in *len), into tmp. */
static bool
write_struct(const struct vdrm_item_desc *it, const struct vdrm_variant_desc *row,
             struct json_object *obj, uint8_t *tmp, uint64_t *len, char *err, size_t err_size)
{
   const struct vdrm_struct_desc *d = row->type;
   bool *present = calloc(d->nfields ? d->nfields : 1, sizeof(*present));
   char why[256];

   if (!present) {
      snprintf(err, err_size, "%s: out of memory", it->name);
      return false;
   }
   for (uint32_t i = 0; i < d->nfields; i++)
      present[i] = jsonin_get(obj, d->fields[i].name) != NULL;
   *len = typed_length(d, present);
   free(present);
   if (*len < row->min_size || *len == 0) {
      snprintf(err, err_size, "%s: %" PRIu64 " bytes of %s, fewer than its oldest revision (%u)",
               it->name, *len, d->name, row->min_size);
      return false;
   }
   if (*len < d->size && jsonin_get(obj, "trailing")) {
      snprintf(err, err_size, "%s: \"trailing\" follows only a whole %s", it->name, d->name);
      return false;
   }
   /* Fields ending within len are required, so a shorter value is a prefix of the struct. */
   if (!fields_write(d, obj, tmp, (size_t)*len, typed_keys, why, sizeof(why))) {
      snprintf(err, err_size, "%s: %s", it->name, why);
      return false;
   }
   return true;
}

/* The value of scalar variant row given in obj, into tmp. */
static bool
write_scalar_value(const struct vdrm_item_desc *it, const struct vdrm_variant_desc *row,
                   struct json_object *obj, uint8_t *tmp, char *err, size_t err_size)
{
   struct vdrm_field_desc f = scalar_field(row);
   struct json_object *value = jsonin_get(obj, "value");
   char why[256];

   json_object_object_foreach(obj, key, val) {
      (void)val;
      if (strcmp(key, "type") && strcmp(key, "value") && strcmp(key, "trailing")) {
         snprintf(err, err_size, "%s: a %s has no field '%.40s'", it->name, scalar_name(row), key);
         return false;
      }
   }
   if (!value) {
      snprintf(err, err_size, "%s: missing \"value\"", it->name);
      return false;
   }
   if (!write_element(&f, value, tmp, why, sizeof(why))) {
      snprintf(err, err_size, "%s: %s", it->name, why);
      return false;
   }
   return true;
}

bool
variants_write(struct out_buf *b, const struct vdrm_item_desc *it, const struct items_ctx *ctx,
               struct json_object *v, char *err, size_t err_size)
{
   size_t type_len;
   const char *type = jsonin_str(jsonin_get(v, "type"), &type_len);
   const struct vdrm_variant_desc *row;
   struct json_object *trailing;
   uint8_t *tmp;
   uint64_t len;
   bool ok;

   if (!it->variants || it->kind != VDRM_ITEM_DATA || !type) {
      snprintf(err, err_size, "%s: expected a hex string or an object with \"type\", got %.40s",
               it->name, jsonin_show(v));
      return false;
   }
   row = write_row(it, ctx, type, type_len, err, err_size);
   if (!row)
      return false;
   /* Bounded by the descriptor: the type's size, or 8 bytes for a scalar. */
   tmp = calloc(1, row->type ? row->type->size : sizeof(uint64_t));
   if (!tmp) {
      snprintf(err, err_size, "%s: out of memory", it->name);
      return false;
   }
   len = row->size;
   if (row->type)
      ok = write_struct(it, row, v, tmp, &len, err, err_size);
   else
      ok = write_scalar_value(it, row, v, tmp, err, err_size);
   ok = ok && out_buf_fits(b, len, it->name, err, err_size);
   if (ok && !out_buf_put(b, tmp, (size_t)len)) {
      snprintf(err, err_size, "%s: out of memory", it->name);
      ok = false;
   }
   free(tmp);
   trailing = jsonin_get(v, "trailing");
   if (ok && trailing) {
      char what[64];

      snprintf(what, sizeof(what), "%s.trailing", it->name);
      ok = out_buf_hex(b, trailing, what, err, err_size);
   }
   return ok;
}
