#include "chunks.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "jsonin.h"
#include "outbuf.h"
#include "text.h"

/* The keys of an entry of the typed form. */
static const char *const entry_keys[] = { "desc", "chunk", "offset", "length", "value", "elements",
                                          "trailing", NULL };

/* A chunk region's descriptor, its table item and the spans the decoder found. */
struct region {
   const struct vdrm_chunks_desc *c;
   const struct vdrm_item_desc *table_it;
   struct vdrm_span table;
   struct vdrm_span chunks;
};

/* Where one table element says its chunk is. */
struct chunk_loc {
   uint64_t id, offset, length;
   const struct vdrm_chunk_desc *kind;   /* NULL: an id the descriptor does not know */
   bool inside;                          /* the chunk lies within the region */
};

static bool
field_usable(uint32_t offset, uint8_t size, uint32_t elem_size)
{
   return (size == 1 || size == 2 || size == 4 || size == 8) && offset <= elem_size &&
          elem_size - offset >= size;
}

/* The region of item it of body b with the spans of view; false when the descriptor is unusable. */
static bool
region_of(const struct vdrm_body_desc *b, const struct vdrm_item_desc *it, const uint8_t *view,
          struct region *r)
{
   const struct vdrm_chunks_desc *c = it->chunks;
   const struct vdrm_item_desc *t;

   if (!c || it->kind != VDRM_ITEM_DATA || c->table_item >= b->nitems ||
       &b->items[c->table_item] == it)
      return false;
   t = &b->items[c->table_item];
   if (t->kind != VDRM_ITEM_ARRAY || t->elem_size == 0 ||
       !field_usable(c->id_offset, c->id_size, t->elem_size) ||
       !field_usable(c->offset_offset, c->offset_size, t->elem_size) ||
       !field_usable(c->length_offset, c->length_size, t->elem_size) ||
       t->span_offset > b->view_size || b->view_size - t->span_offset < sizeof(struct vdrm_span) ||
       it->span_offset > b->view_size || b->view_size - it->span_offset < sizeof(struct vdrm_span))
      return false;
   r->c = c;
   r->table_it = t;
   memcpy(&r->table, view + t->span_offset, sizeof(r->table));
   memcpy(&r->chunks, view + it->span_offset, sizeof(r->chunks));
   return true;
}

static uint64_t
load_uint(const uint8_t *p, uint8_t size)
{
   uint64_t v = 0;

   memcpy(&v, p, size); /* little-endian host, as is the wire */
   return v;
}

/*
 * Reads table element j (zero-extended when the message's stride is shorter
 * than the element) into elem (table_it->elem_size bytes) and where it says
 * its chunk is.
 */
static void
locate(const struct region *r, uint32_t j, uint8_t *elem, struct chunk_loc *loc)
{
   const struct vdrm_chunks_desc *c = r->c;
   uint32_t size = r->table_it->elem_size;
   uint32_t stride = vdrm_span_stride(&r->table, size);
   uint64_t units;

   memset(elem, 0, size);
   memcpy(elem, r->table.data + (size_t)j * stride, stride < size ? stride : size);
   loc->id = load_uint(elem + c->id_offset, c->id_size);
   loc->offset = load_uint(elem + c->offset_offset, c->offset_size);
   units = load_uint(elem + c->length_offset, c->length_size);
   loc->kind = NULL;
   for (uint32_t k = 0; k < c->nkinds; k++) {
      if (c->kinds[k].id == loc->id)
         loc->kind = &c->kinds[k];
   }
   loc->inside = c->length_unit == 0 || units <= UINT64_MAX / c->length_unit;
   loc->length = loc->inside ? units * c->length_unit : 0;
   loc->inside = loc->inside && loc->offset <= r->chunks.size &&
                 loc->length <= r->chunks.size - loc->offset;
}

/* Whether a kind's bytes can be shown as its struct: one (or an array) of them. */
static bool
kind_typed(const struct vdrm_chunk_desc *k)
{
   return k && k->type && k->type->size > 0 && k->size_rule <= VDRM_CHUNK_ANY;
}

static bool
kind_single(const struct vdrm_chunk_desc *k)
{
   return k->size_rule == VDRM_CHUNK_EXACT || k->size_rule == VDRM_CHUNK_AT_LEAST;
}

/*
 * How many bytes of chunk p[0..n) of kind k the typed form shows: one struct
 * (exact, at-least) or as many whole ones as fit (array, any), each with no
 * non-zero byte outside its fields (mask: what they describe). 0 when none
 * can be shown; *shown is false then.
 */
static uint64_t
typed_bytes(const struct vdrm_chunk_desc *k, const uint8_t *mask, const uint8_t *p, uint64_t n,
            bool *shown)
{
   uint32_t size = k->type->size;
   uint64_t count = kind_single(k) ? (n >= size ? 1 : 0) : n / size;

   *shown = kind_single(k) ? count == 1 : true;
   for (uint64_t e = 0; *shown && e < count; e++) {
      for (uint32_t i = 0; i < size; i++) {
         if (p[e * size + i] && !mask[i]) {
            *shown = false;
            break;
         }
      }
   }
   return *shown ? count * size : 0;
}

/* The bytes of k's struct its fields describe (k->type->size of them), or NULL when out of memory. */
static uint8_t *
kind_mask(const struct vdrm_chunk_desc *k)
{
   uint8_t *mask = calloc(1, k->type->size);

   if (mask)
      fields_mark(mask, k->type->size, 0, k->type);
   return mask;
}

/* Prints one struct of type d, found at p (d->size bytes), as an object. */
static void
print_struct(FILE *out, const struct vdrm_struct_desc *d, const uint8_t *p)
{
   struct vdrm_field_desc f = { d->name, 0, 1, VDRM_KIND_STRUCT, 0, 0, 0, d, 0 };

   print_element(out, &f, p);
}

/* Prints the entry of table element j. False when out of memory. */
static bool
print_entry(FILE *out, const struct region *r, uint32_t j, uint8_t *elem)
{
   struct chunk_loc loc;
   const uint8_t *p;
   uint64_t done = 0;

   locate(r, j, elem, &loc);
   fprintf(out, "%s{\"desc\": %" PRIu32 ", \"chunk\": ", j ? ", " : "", j);
   if (loc.kind)
      fprintf(out, "\"%s\"", loc.kind->name);
   else
      fprintf(out, "%" PRIu64, loc.id);
   fprintf(out, ", \"offset\": %" PRIu64 ", \"length\": %" PRIu64, loc.offset, loc.length);
   if (!loc.inside) {
      /* Cannot happen: the decoder keeps every chunk within the region. */
      fputc('}', out);
      return true;
   }
   p = r->chunks.data + loc.offset;
   if (kind_typed(loc.kind)) {
      const struct vdrm_chunk_desc *k = loc.kind;
      uint8_t *mask = kind_mask(k);
      bool shown;

      if (!mask)
         return false;
      done = typed_bytes(k, mask, p, loc.length, &shown);
      free(mask);
      if (shown && kind_single(k)) {
         fputs(", \"value\": ", out);
         print_struct(out, k->type, p);
      } else if (shown) {
         fputs(", \"elements\": [", out);
         for (uint64_t at = 0; at < done; at += k->type->size) {
            if (at)
               fputs(", ", out);
            print_struct(out, k->type, p + at);
         }
         fputc(']', out);
      }
   }
   if (done < loc.length) {
      fputs(", \"trailing\": ", out);
      print_hex(out, p + done, (size_t)(loc.length - done));
   }
   fputc('}', out);
   return true;
}

bool
chunks_print(FILE *out, const struct vdrm_body_desc *b, const struct vdrm_item_desc *it,
             const uint8_t *view)
{
   struct region r;
   uint8_t *elem;
   bool ok = true;

   if (!region_of(b, it, view, &r))
      return true;
   elem = malloc(r.table_it->elem_size);
   if (!elem)
      return false;
   fprintf(out, ", \"%s" CHUNKS_TYPED_SUFFIX "\": [", it->name);
   for (uint32_t j = 0; ok && j < r.table.count; j++)
      ok = print_entry(out, &r, j, elem);
   fputc(']', out);
   free(elem);
   return ok;
}

/* Whether member key of e is the integer want. */
static bool
int_is(struct json_object *e, const char *key, uint64_t want)
{
   bool negative;
   uint64_t mag;

   return jsonin_int(jsonin_get(e, key), &negative, &mag) && !negative && mag == want;
}

/* Appends to b the bytes of entry e's "value" or "elements" (kind k). */
static bool
write_content(struct out_buf *b, const struct vdrm_chunk_desc *k, struct json_object *e,
              const char *what, char *err, size_t err_size)
{
   struct json_object *value = jsonin_get(e, "value"), *elements = jsonin_get(e, "elements");
   struct vdrm_field_desc f;
   size_t n;
   uint8_t *tmp;
   bool ok = true;
   char why[256];

   if (!value && !elements)
      return true;
   if (!kind_typed(k) || (value && elements) || (value && !kind_single(k)) ||
       (elements && kind_single(k))) {
      snprintf(err, err_size, "%s: \"%s\" is not how %s shows", what, value ? "value" : "elements",
               k ? k->name : "a chunk of an unknown kind");
      return false;
   }
   if (elements && !json_object_is_type(elements, json_type_array)) {
      snprintf(err, err_size, "%s: \"elements\" must be an array", what);
      return false;
   }
   n = value ? 1 : json_object_array_length(elements);
   f = (struct vdrm_field_desc){ k->name, 0, 1, VDRM_KIND_STRUCT, 0, 0, 0, k->type, 0 };
   tmp = malloc(k->type->size);
   if (!tmp) {
      snprintf(err, err_size, "%s: out of memory", what);
      return false;
   }
   for (size_t i = 0; ok && i < n; i++) {
      memset(tmp, 0, k->type->size);
      ok = write_element(&f, value ? value : json_object_array_get_idx(elements, i), tmp, why,
                         sizeof(why));
      if (!ok)
         snprintf(err, err_size, "%s: %s", what, why);
      if (ok && k->type->size > b->limit - b->len) {
         snprintf(err, err_size, "%s: %zu %s hold more than the chunk's %zu bytes", what, n,
                  value ? "struct" : "elements", b->limit);
         ok = false;
      }
      if (ok && !out_buf_put(b, tmp, k->type->size)) {
         snprintf(err, err_size, "%s: out of memory", what);
         ok = false;
      }
   }
   free(tmp);
   return ok;
}

/* Checks entry e against table element j. */
static bool
check_entry(const struct region *r, uint32_t j, uint8_t *elem, struct json_object *e,
            const char *name, char *err, size_t err_size)
{
   struct chunk_loc loc;
   struct json_object *chunk = jsonin_get(e, "chunk"), *trailing = jsonin_get(e, "trailing");
   size_t len;
   const char *kind;
   struct out_buf bytes = { 0 };
   char what[96];
   bool ok;

   snprintf(what, sizeof(what), "%s" CHUNKS_TYPED_SUFFIX "[%" PRIu32 "]", name, j);
   if (!json_object_is_type(e, json_type_object)) {
      snprintf(err, err_size, "%s: expected an object, got %.40s", what, jsonin_show(e));
      return false;
   }
   json_object_object_foreach(e, key, val) {
      bool known = false;

      (void)val;
      for (const char *const *k = entry_keys; *k && !known; k++)
         known = strcmp(*k, key) == 0;
      if (!known) {
         snprintf(err, err_size, "%s: unknown key '%.40s'", what, key);
         return false;
      }
   }
   locate(r, j, elem, &loc);
   kind = jsonin_str(chunk, &len);
   if (!int_is(e, "desc", j) ||
       !(loc.kind ? kind && strlen(loc.kind->name) == len && memcmp(kind, loc.kind->name, len) == 0
                  : int_is(e, "chunk", loc.id)) ||
       !int_is(e, "offset", loc.offset) || !int_is(e, "length", loc.length)) {
      snprintf(err, err_size, "%s: desc, chunk, offset and length must be %" PRIu32
               ", %s, %" PRIu64 " and %" PRIu64, what, j, loc.kind ? loc.kind->name : "its id",
               loc.offset, loc.length);
      return false;
   }
   if (!loc.inside) {
      snprintf(err, err_size, "%s: the chunk runs past the region", what);
      return false;
   }
   bytes.limit = (size_t)loc.length;
   ok = write_content(&bytes, loc.kind, e, what, err, err_size);
   if (ok && trailing) {
      const char *hex = jsonin_str(trailing, &len);
      char twhat[112];

      snprintf(twhat, sizeof(twhat), "%s.trailing", what);
      if (hex && len / 2 > bytes.limit - bytes.len) {
         snprintf(err, err_size, "%s: %zu bytes, the chunk has %zu left", twhat, len / 2,
                  bytes.limit - bytes.len);
         ok = false;
      } else {
         ok = out_buf_hex(&bytes, trailing, twhat, err, err_size);
      }
   }
   if (ok && (bytes.len != loc.length ||
              (bytes.len && memcmp(bytes.data, r->chunks.data + loc.offset, bytes.len)))) {
      snprintf(err, err_size, "%s: gives %zu bytes that differ from the %" PRIu64
               " bytes of the chunk", what, bytes.len, loc.length);
      ok = false;
   }
   free(bytes.data);
   return ok;
}

bool
chunks_check(const struct vdrm_body_desc *b, const struct vdrm_item_desc *it, const uint8_t *view,
             struct json_object *v, char *err, size_t err_size)
{
   struct region r;
   uint8_t *elem;
   bool ok = true;

   if (!region_of(b, it, view, &r)) {
      snprintf(err, err_size, "%s: not a chunk region with a usable descriptor", it->name);
      return false;
   }
   if (!json_object_is_type(v, json_type_array) || json_object_array_length(v) != r.table.count) {
      snprintf(err, err_size, "%s" CHUNKS_TYPED_SUFFIX ": expected an array of %" PRIu32
               " entries, got %.40s", it->name, r.table.count, jsonin_show(v));
      return false;
   }
   elem = malloc(r.table_it->elem_size);
   if (!elem) {
      snprintf(err, err_size, "%s: out of memory", it->name);
      return false;
   }
   for (uint32_t j = 0; ok && j < r.table.count; j++)
      ok = check_entry(&r, j, elem, json_object_array_get_idx(v, j), it->name, err, err_size);
   free(elem);
   return ok;
}
