/*
 * One wire on every ABI, through the codecs: every conformance vector (the
 * exact LP64 bytes of tests/vectors/NAME.json, listed in the generated
 * abi_vectors_data.c) is decoded by its command's generated decoder and
 * re-encoded to the same bytes; what was decoded is printed: the fixed
 * part's fields (read at the offsets the descriptors give on this ABI), the
 * variable items' places and sizes, and each record of a record chain with
 * its fields. check-headers.sh builds this for -m64 and -m32 and requires
 * both outputs to be the same, so an i386 build reads the values an x86-64
 * build reads (vectors-codec checks those against the vectors' values) and
 * writes the same bytes.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vdrm_codec.h"
#include "vdrm_contexts.h"
#include "ignored.h"

struct abi_vector {
   const char *context;
   const char *command;
   int response;
   const char *name;
   uint32_t len;
   const uint8_t *bytes;
};

extern const struct abi_vector abi_vectors[];
extern const size_t abi_nvectors;

static uint64_t
scalar(const uint8_t *p, const struct vdrm_field_desc *f)
{
   uint64_t v = 0;

   memcpy(&v, p, f->size);   /* little-endian: the low bytes */
   if (f->bit_width)
      v = (v >> f->bit_offset) & ((UINT64_C(1) << f->bit_width) - 1);
   return v;
}

static void
dump(const char *prefix, const struct vdrm_struct_desc *s, const uint8_t *p)
{
   char path[256];

   printf("  %s: struct %s, %" PRIu32 " bytes\n", prefix, s->name, s->size);
   for (uint32_t i = 0; i < s->nfields; i++) {
      const struct vdrm_field_desc *f = &s->fields[i];

      for (uint32_t k = 0; k < f->count; k++) {
         snprintf(path, sizeof(path), f->count > 1 ? "%s.%s[%" PRIu32 "]" : "%s.%s", prefix, f->name, k);
         if (f->type) {
            dump(path, f->type, p + f->offset + (size_t)k * f->type->size);
            continue;
         }
         printf("  %s @%" PRIu32 " = 0x%" PRIx64 "\n", path, f->offset + k * f->size,
                scalar(p + f->offset + (size_t)k * f->size, f));
      }
   }
}

static int
run(const struct abi_vector *v)
{
   const struct vdrm_protocol_desc *p = vdrm_context_by_name(v->context);
   const struct vdrm_msg_desc *m = p ? vdrm_msg_by_name(p, v->command) : NULL;
   const struct vdrm_body_desc *b = m ? (v->response ? &m->rsp : &m->req) : NULL;
   struct vdrm_error err = { 0 };
   uint8_t *msg, *fixed, *view, *out;
   size_t cap, len = 0;
   int ok = 1;

   printf("%s %s %s: %s\n", v->context, v->command, v->response ? "response" : "request", v->name);
   if (!b || !b->fixed) {
      printf("  FAIL: no descriptor\n");
      return 0;
   }
   msg = malloc(v->len ? v->len : 1);
   fixed = calloc(1, b->fixed->size);
   view = calloc(1, b->view_size ? b->view_size : 1);
   cap = (v->len > b->fixed->size ? v->len : b->fixed->size) + (b->pad_to ? b->pad_to : 1) + 8;
   out = malloc(cap);
   if (!msg || !fixed || !view || !out)
      abort();
   memcpy(msg, v->bytes, v->len);
   if (b->decode(msg, v->len, fixed, view, &err)) {
      printf("  FAIL: decode: %s\n", err.message);
      ok = 0;
      goto done;
   }
   dump("fixed", b->fixed, fixed);
   for (uint32_t i = 0; i < b->nitems; i++) {
      const struct vdrm_item_desc *it = &b->items[i];
      struct vdrm_span span;

      memcpy(&span, view + it->span_offset, sizeof(span));
      printf("  %s: at %td, %" PRIu32 " elements, %" PRIu32 " bytes\n", it->name,
             span.data ? span.data - msg : (ptrdiff_t)-1, span.count, span.size);
      for (uint32_t off = 0; it->records && off < span.size;) {
         uint32_t kind, size;
         struct vdrm_span item;
         char where[64];

         if (it->records->step(&span, off, &kind, &size, &item, &err)) {
            printf("  FAIL: record at %" PRIu32 ": %s\n", off, err.message);
            ok = 0;
            break;
         }
         snprintf(where, sizeof(where), "%s@%" PRIu32, it->records->kinds[kind].name, off);
         dump(where, it->records->kinds[kind].type, span.data + off);
         printf("  %s: %" PRIu32 " bytes, item %" PRIu32 " bytes\n", where, size, item.size);
         off += size;
      }
   }
   if (b->encode(out, cap, fixed, view, &len)) {
      printf("  FAIL: encode\n");
      ok = 0;
   } else if (len != v->len || !ignored_same(b->fixed, v->bytes, out, len, &(size_t){ 0 })) {
      printf("  FAIL: re-encoded to %zu different bytes (vector: %" PRIu32 ")\n", len, v->len);
      ok = 0;
   }
done:
   free(msg);
   free(fixed);
   free(view);
   free(out);
   return ok;
}

int
main(void)
{
   size_t failed = 0;

   for (size_t i = 0; i < abi_nvectors; i++)
      failed += !run(&abi_vectors[i]);
   printf("%zu vectors, %zu failed\n", abi_nvectors, failed);
   return failed != 0;
}
