#include "items.h"

#include <stdlib.h>
#include <string.h>

#include "fields.h"

#define MAX_ELEM 4096

/* Makes room for n more bytes; what it adds is zero. */
static bool
out_buf_reserve(struct out_buf *b, size_t n)
{
   if (b->len + n > b->cap) {
      size_t nc = (b->len + n) * 2;
      uint8_t *nb = realloc(b->data, nc);
      if (!nb)
         return false;
      memset(nb + b->cap, 0, nc - b->cap);
      b->data = nb;
      b->cap = nc;
   }
   return true;
}

bool
out_buf_put(struct out_buf *b, const void *src, size_t n)
{
   if (!out_buf_reserve(b, n))
      return false;
   memcpy(b->data + b->len, src, n);
   b->len += n;
   return true;
}

/* Appends n zero bytes (the buffer is zero past len). */
static bool
out_buf_zeros(struct out_buf *b, size_t n)
{
   if (!out_buf_reserve(b, n))
      return false;
   b->len += n;
   return true;
}

bool
out_buf_hex(struct out_buf *b, const struct json *v, const char *name, char *err, size_t err_size)
{
   if (v->type != JSON_STRING || v->len % 2) {
      snprintf(err, err_size, "%s: expected a hex string", name);
      return false;
   }
   for (size_t i = 0; i < v->len; i += 2) {
      int hi = json_hexval(v->str[i]), lo = json_hexval(v->str[i + 1]);
      uint8_t byte;
      if (hi < 0 || lo < 0) {
         snprintf(err, err_size, "%s: expected a hex string", name);
         return false;
      }
      byte = (uint8_t)(hi * 16 + lo);
      if (!out_buf_put(b, &byte, 1))
         return false;
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

static void
print_text(FILE *out, const uint8_t *p, size_t n)
{
   fputc('"', out);
   for (size_t i = 0; i < n; i++) {
      if (p[i] == '"' || p[i] == '\\')
         fprintf(out, "\\%c", p[i]);
      else if (p[i] >= 0x20 && p[i] < 0x7f)
         fputc(p[i], out);
      else
         fprintf(out, "\\u%04x", p[i]);
   }
   fputc('"', out);
}

/* A field descriptor for one element of an array item (a struct or a scalar). */
static struct vdrm_field_desc
element_field(const struct vdrm_item_desc *it)
{
   struct vdrm_field_desc f = { it->name, 0, 1, it->elem_kind, 0, 0, 0, it->elem };

   if (!it->elem)
      f.size = (uint8_t)it->elem_size;
   return f;
}

/* Each record as {"record": KIND, its struct's fields..., its trailing item}. */
static void
print_records(FILE *out, const struct vdrm_item_desc *it, const struct vdrm_span *span)
{
   const struct vdrm_records_desc *r = it->records;

   fputc('[', out);
   for (uint32_t off = 0; off < span->size;) {
      uint32_t kind, size;
      struct vdrm_span item;
      uint64_t tmp[MAX_ELEM / 8] = { 0 };
      int first = 0;

      if (r->step(span, off, &kind, &size, &item, NULL) != VDRM_OK || kind >= r->nkinds)
         break; /* cannot happen: the message's decoder walked the chain */
      const struct vdrm_record_desc *k = &r->kinds[kind];
      fprintf(out, "%s{\"record\": \"%s\"", off ? ", " : "", k->name);
      memcpy(tmp, span->data + off, k->type->size);
      fields_print(out, k->type, (const uint8_t *)tmp, k->type->size, &first);
      if (k->item) {
         fprintf(out, ", \"%s\": ", k->item->name);
         items_print(out, k->item, &item);
      }
      fputc('}', out);
      off += size;
   }
   fputc(']', out);
}

void
items_print(FILE *out, const struct vdrm_item_desc *it, const struct vdrm_span *span)
{
   if (it->kind == VDRM_ITEM_TEXT) {
      print_text(out, span->data, span->size);
   } else if (it->kind == VDRM_ITEM_DATA) {
      print_hex(out, span->data, span->size);
   } else if (it->kind == VDRM_ITEM_RECORDS) {
      print_records(out, it, span);
   } else {
      uint32_t stride = vdrm_span_stride(span, it->elem_size);
      struct vdrm_field_desc elem = element_field(it);

      fputc('[', out);
      for (uint32_t j = 0; j < span->count; j++) {
         uint64_t tmp[MAX_ELEM / 8] = { 0 };

         memcpy(tmp, span->data + (size_t)j * stride, stride < it->elem_size ? stride : it->elem_size);
         if (j)
            fputs(", ", out);
         print_element(out, &elem, (const uint8_t *)tmp);
      }
      fputc(']', out);
   }
}

static bool
write_records(struct out_buf *b, const struct vdrm_item_desc *it, const struct json *v, char *err,
              size_t err_size)
{
   const struct vdrm_records_desc *r = it->records;

   if (v->type != JSON_ARRAY) {
      snprintf(err, err_size, "%s: expected an array of records", it->name);
      return false;
   }
   for (size_t i = 0; i < v->len; i++) {
      const struct json *rec = &v->children[i];
      const struct json *kind = json_get(rec, "record");
      const struct vdrm_record_desc *k = NULL;
      uint64_t tmp[MAX_ELEM / 8] = { 0 };

      for (uint32_t j = 0; kind && kind->type == JSON_STRING && j < r->nkinds; j++) {
         if (strcmp(r->kinds[j].name, kind->str) == 0)
            k = &r->kinds[j];
      }
      if (!k) {
         snprintf(err, err_size, "%s[%zu]: \"record\" must name a kind", it->name, i);
         return false;
      }
      const char *ignore[] = { "record", k->item ? k->item->name : NULL, NULL };
      if (!fields_write(k->type, rec, (uint8_t *)tmp, k->type->size, ignore, err, err_size) ||
          !out_buf_put(b, tmp, k->type->size))
         return false;
      if (k->item) {
         const struct json *iv = json_get(rec, k->item->name);
         if (!iv) {
            snprintf(err, err_size, "%s[%zu]: missing '%s'", it->name, i, k->item->name);
            return false;
         }
         if (!items_write(b, k->item, iv, k->item->elem_size, err, err_size))
            return false;
      }
   }
   return true;
}

bool
items_write(struct out_buf *b, const struct vdrm_item_desc *it, const struct json *v,
            uint32_t stride, char *err, size_t err_size)
{
   if (it->kind == VDRM_ITEM_TEXT) {
      if (v->type != JSON_STRING) {
         snprintf(err, err_size, "%s: expected a string", it->name);
         return false;
      }
      return out_buf_put(b, v->str, v->len);
   }
   if (it->kind == VDRM_ITEM_DATA)
      return out_buf_hex(b, v, it->name, err, err_size);
   if (it->kind == VDRM_ITEM_RECORDS)
      return write_records(b, it, v, err, err_size);
   if (v->type != JSON_ARRAY) {
      snprintf(err, err_size, "%s: expected an array", it->name);
      return false;
   }
   struct vdrm_field_desc elem = element_field(it);
   for (size_t j = 0; j < v->len; j++) {
      uint64_t tmp[MAX_ELEM / 8] = { 0 };

      if (!write_element(&elem, &v->children[j], (uint8_t *)tmp, err, err_size))
         return false;
      if (!out_buf_put(b, tmp, stride < it->elem_size ? stride : it->elem_size) ||
          !out_buf_zeros(b, stride > it->elem_size ? stride - it->elem_size : 0))
         return false;
   }
   return true;
}

void
items_nonfield_keys(const struct vdrm_body_desc *b, const char **out, size_t n)
{
   size_t k = 0;

   out[k++] = "message";
   out[k++] = "trailing";
   for (uint32_t i = 0; i < b->nitems && k + 1 < n; i++)
      out[k++] = b->items[i].name;
   out[k] = NULL;
}
