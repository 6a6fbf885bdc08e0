#include "items.h"

#include <stdlib.h>
#include <string.h>

#include "chunks.h"
#include "fields.h"
#include "jsonin.h"
#include "text.h"

/* A field descriptor for one element of an array item (a struct or a scalar). */
static struct vdrm_field_desc
element_field(const struct vdrm_item_desc *it)
{
   struct vdrm_field_desc f = { it->name, 0, 1, it->elem_kind, 0, 0, 0, it->elem, 0 };

   if (!it->elem)
      f.size = (uint8_t)it->elem_size;
   return f;
}

static size_t
min_size(size_t a, size_t b)
{
   return a < b ? a : b;
}

/*
 * The context of a record's trailing item: the message's, with the record's
 * struct (rec, size bytes) as where a selector of the record is read.
 */
static struct items_ctx
record_ctx(const struct items_ctx *ctx, const uint8_t *rec, size_t size)
{
   struct items_ctx r = { 0 };

   if (ctx)
      r = *ctx;
   r.record = rec;
   r.record_size = size;
   return r;
}

/* Each record as {"record": KIND, its struct's fields..., its trailing item}. */
static bool
print_records(FILE *out, const struct vdrm_item_desc *it, const struct vdrm_span *span,
              const struct items_ctx *ctx)
{
   const struct vdrm_records_desc *r = it->records;
   bool ok = true;

   fputc('[', out);
   for (uint32_t off = 0; ok && off < span->size;) {
      uint32_t kind, size;
      struct vdrm_span item;
      uint8_t *rec;
      int first = 0;

      if (r->step(span, off, &kind, &size, &item, NULL) != VDRM_OK || kind >= r->nkinds || !size)
         break; /* cannot happen: the message's decoder walked the chain */
      const struct vdrm_record_desc *k = &r->kinds[kind];
      /* A record may be shorter than its struct (older sender): zero-extended. */
      rec = calloc(1, k->type->size ? k->type->size : 1);
      if (!rec)
         return false;
      memcpy(rec, span->data + off, min_size(k->type->size, min_size(size, span->size - off)));
      fprintf(out, "%s{\"record\": \"%s\"", off ? ", " : "", k->name);
      fields_print(out, k->type, rec, k->type->size, &first);
      if (k->item) {
         /* Its variants, if any, are chosen by a field of the record. */
         const struct items_ctx rctx = record_ctx(ctx, rec, k->type->size);

         fprintf(out, ", \"%s\": ", k->item->name);
         ok = items_print(out, k->item, &item, &rctx);
      }
      free(rec);
      fputc('}', out);
      off += size;
   }
   fputc(']', out);
   return ok;
}

bool
items_print(FILE *out, const struct vdrm_item_desc *it, const struct vdrm_span *span,
            const struct items_ctx *ctx)
{
   if (it->kind == VDRM_ITEM_TEXT) {
      print_text(out, span->data, span->size);
   } else if (it->kind == VDRM_ITEM_DATA) {
      bool oom = false;

      if (variants_print(out, it, ctx, span->data, span->size, &oom))
         return true;
      if (oom)
         return false;
      print_hex(out, span->data, span->size);
   } else if (it->kind == VDRM_ITEM_RECORDS) {
      return print_records(out, it, span, ctx);
   } else {
      uint32_t stride = vdrm_span_stride(span, it->elem_size);
      struct vdrm_field_desc elem = element_field(it);
      /* One element, zero-extended when the message's stride is shorter. */
      uint8_t *tmp = malloc(it->elem_size ? it->elem_size : 1);

      if (!tmp)
         return false;
      fputc('[', out);
      for (uint32_t j = 0; j < span->count; j++) {
         memset(tmp, 0, it->elem_size);
         memcpy(tmp, span->data + (size_t)j * stride, min_size(stride, it->elem_size));
         if (j)
            fputs(", ", out);
         print_element(out, &elem, tmp);
      }
      fputc(']', out);
      free(tmp);
   }
   return true;
}

/* Writes record rec (index i) of chain it. */
static bool
write_record(struct out_buf *b, const struct vdrm_item_desc *it, struct json_object *rec, size_t i,
             const struct items_ctx *ctx, char *err, size_t err_size)
{
   const struct vdrm_records_desc *r = it->records;
   size_t len;
   const char *kind = jsonin_str(jsonin_get(rec, "record"), &len);
   const struct vdrm_record_desc *k = NULL;
   uint8_t *tmp;
   bool ok;

   for (uint32_t j = 0; kind && j < r->nkinds; j++) {
      if (strlen(r->kinds[j].name) == len && memcmp(r->kinds[j].name, kind, len) == 0)
         k = &r->kinds[j];
   }
   if (!k) {
      snprintf(err, err_size, "%s[%zu]: \"record\" must name a kind", it->name, i);
      return false;
   }
   if (!out_buf_fits(b, k->type->size, it->name, err, err_size))
      return false;
   tmp = calloc(1, k->type->size ? k->type->size : 1);
   if (!tmp) {
      snprintf(err, err_size, "%s: out of memory", it->name);
      return false;
   }
   const char *ignore[] = { "record", k->item ? k->item->name : NULL, NULL };
   ok = fields_write(k->type, rec, tmp, k->type->size, ignore, err, err_size);
   if (ok && !out_buf_put(b, tmp, k->type->size)) {
      snprintf(err, err_size, "%s: out of memory", it->name);
      ok = false;
   }
   if (ok && k->item) {
      /* The record as written selects its item's variant. */
      const struct items_ctx rctx = record_ctx(ctx, tmp, k->type->size);
      struct json_object *iv = jsonin_get(rec, k->item->name);

      if (!iv) {
         snprintf(err, err_size, "%s[%zu]: missing '%s'", it->name, i, k->item->name);
         ok = false;
      } else {
         ok = items_write(b, k->item, iv, k->item->elem_size, &rctx, err, err_size);
      }
   }
   free(tmp);
   return ok;
}

static bool
write_array(struct out_buf *b, const struct vdrm_item_desc *it, struct json_object *v,
            uint32_t stride, char *err, size_t err_size)
{
   struct vdrm_field_desc elem = element_field(it);
   size_t n = json_object_array_length(v);
   size_t each = min_size(stride, it->elem_size);
   uint8_t *tmp;
   bool ok = true;

   /* The whole array must fit before anything is allocated for it. */
   if (n > UINT32_MAX || !out_buf_fits(b, (uint64_t)n * stride, it->name, err, err_size)) {
      if (n > UINT32_MAX)
         snprintf(err, err_size, "%s: %zu elements do not fit in a message", it->name, n);
      return false;
   }
   tmp = malloc(it->elem_size ? it->elem_size : 1);
   if (!tmp) {
      snprintf(err, err_size, "%s: out of memory", it->name);
      return false;
   }
   for (size_t j = 0; ok && j < n; j++) {
      memset(tmp, 0, it->elem_size);
      ok = write_element(&elem, json_object_array_get_idx(v, j), tmp, err, err_size);
      /* A stride beyond the struct is zero padding. */
      if (ok && (!out_buf_put(b, tmp, each) || !out_buf_put(b, NULL, stride - each))) {
         snprintf(err, err_size, "%s: out of memory", it->name);
         ok = false;
      }
   }
   free(tmp);
   return ok;
}

bool
items_write(struct out_buf *b, const struct vdrm_item_desc *it, struct json_object *v,
            uint32_t stride, const struct items_ctx *ctx, char *err, size_t err_size)
{
   if (it->kind == VDRM_ITEM_TEXT)
      return text_write(b, v, it->name, err, err_size);
   if (it->kind == VDRM_ITEM_DATA && it->variants && json_object_is_type(v, json_type_object))
      return variants_write(b, it, ctx, v, err, err_size);
   if (it->kind == VDRM_ITEM_DATA)
      return out_buf_hex(b, v, it->name, err, err_size);
   if (!json_object_is_type(v, json_type_array)) {
      snprintf(err, err_size, "%s: expected an array%s, got %.40s", it->name,
               it->kind == VDRM_ITEM_RECORDS ? " of records" : "", jsonin_show(v));
      return false;
   }
   if (it->kind != VDRM_ITEM_RECORDS)
      return write_array(b, it, v, stride, err, err_size);
   for (size_t i = 0; i < json_object_array_length(v); i++) {
      if (!write_record(b, it, json_object_array_get_idx(v, i), i, ctx, err, err_size))
         return false;
   }
   return true;
}

const char **
items_nonfield_keys(const struct vdrm_body_desc *b)
{
   /* One block: the pointers, then the "<item>_typed" keys of chunk regions they point to. */
   size_t nkeys = (size_t)b->nitems + 3, text = 0, k = 0;
   const char **keys;
   char *at;

   for (uint32_t i = 0; i < b->nitems; i++) {
      if (b->items[i].chunks) {
         nkeys++;
         text += strlen(b->items[i].name) + sizeof(CHUNKS_TYPED_SUFFIX);
      }
   }
   keys = calloc(1, nkeys * sizeof(*keys) + text);
   if (!keys)
      return NULL;
   at = (char *)(keys + nkeys);
   keys[k++] = "message";
   keys[k++] = "trailing";
   for (uint32_t i = 0; i < b->nitems; i++) {
      const char *name = b->items[i].name;

      keys[k++] = name;
      if (b->items[i].chunks) {
         size_t n = strlen(name);

         memcpy(at, name, n);
         memcpy(at + n, CHUNKS_TYPED_SUFFIX, sizeof(CHUNKS_TYPED_SUFFIX));
         keys[k++] = at;
         at += n + sizeof(CHUNKS_TYPED_SUFFIX);
      }
   }
   return keys;
}
