/*
 * Conformance vectors through the generated codecs (not through vdrm-wire):
 * every vector of tests/vectors/NAME.json is decoded by its command's
 * validating decoder, its fields compared with the vector's values, and
 * re-encoded by the typed *_encode() function to the same bytes. Then every
 * truncation of it must be rejected, and mutated copies (hostile counts,
 * flipped bytes) must never make a decoder read or write out of bounds
 * (the suite runs under ASan+UBSan).
 *
 * usage: vectors-test FILE.json...
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fields.h"
#include "io.h"
#include "items.h"
#include "json.h"
#include "vdrm_contexts.h"

#define MAX_MSG (1u << 16)

struct vector {
   const char *file;
   const char *name;
   const struct vdrm_protocol_desc *proto;
   const struct vdrm_msg_desc *msg;
   const struct vdrm_body_desc *body;
   const struct json *value;
   uint8_t *bytes;
   size_t len;
};

struct suite {
   struct json docs[16];
   unsigned ndocs;
   struct vector *v;
   size_t nv;
};

static char **files;
static int nfiles;

/* Aligned scratch for a decoded fixed part and its view. */
struct decoded {
   uint64_t fixed[MAX_MSG / 8];
   uint64_t view[64];
};



static int
load(void **state)
{
   struct suite *s = calloc(1, sizeof(*s));
   char err[256];

   assert_non_null(s);
   for (int f = 0; f < nfiles; f++) {
      size_t len;
      char *text = (char *)read_all(files[f], &len);
      struct json *doc = &s->docs[s->ndocs++];

      if (!text || !json_parse(text, len, doc, err, sizeof(err)))
         fail_msg("%s: %s", files[f], text ? err : "cannot read");
      free(text);
      const struct json *ctx = json_get(doc, "context");
      const struct json *vs = json_get(doc, "vectors");
      assert_non_null(ctx);
      assert_non_null(vs);
      const struct vdrm_protocol_desc *p = vdrm_context_by_name(ctx->str);
      if (!p)
         fail_msg("%s: unknown context %s", files[f], ctx->str);
      s->v = realloc(s->v, (s->nv + vs->len) * sizeof(*s->v));
      assert_non_null(s->v);
      for (size_t i = 0; i < vs->len; i++) {
         const struct json *e = &vs->children[i];
         struct vector *v = &s->v[s->nv++];
         const struct json *cmd = json_get(e, "command"), *dir = json_get(e, "direction");
         const struct json *hex = json_get(e, "hex"), *name = json_get(e, "name");

         memset(v, 0, sizeof(*v));
         v->file = files[f];
         v->proto = p;
         v->name = name ? name->str : "?";
         v->value = json_get(e, "value");
         if (!cmd || !dir || !hex || !v->value)
            fail_msg("%s: vector %zu lacks command, direction, hex or value", files[f], i);
         v->msg = vdrm_msg_by_name(p, cmd->str);
         if (!v->msg)
            fail_msg("%s: %s: unknown command %s", files[f], v->name, cmd->str);
         v->body = strcmp(dir->str, "response") == 0 ? &v->msg->rsp : &v->msg->req;
         if (!v->body->fixed)
            fail_msg("%s: %s: %s has no %s", files[f], v->name, cmd->str, dir->str);
         struct out_buf raw = { 0 };
         if (!out_buf_hex(&raw, hex, "hex", err, sizeof(err)) || raw.len == 0 || raw.len > MAX_MSG)
            fail_msg("%s: %s: bad hex", files[f], v->name);
         v->bytes = raw.data;
         v->len = raw.len;
      }
   }
   *state = s;
   return 0;
}

static int
unload(void **state)
{
   struct suite *s = *state;

   for (size_t i = 0; i < s->nv; i++)
      free(s->v[i].bytes);
   for (unsigned i = 0; i < s->ndocs; i++)
      json_free(&s->docs[i]);
   free(s->v);
   free(s);
   return 0;
}

/*
 * Decodes a copy of bytes that is exactly len long, so that ASan sees any
 * over-read. The view points into *copy, which the caller frees.
 */
static int
decode_copy(const struct vector *v, const uint8_t *bytes, size_t len, struct decoded *d,
            struct vdrm_error *err, uint8_t **copy)
{
   *copy = malloc(len ? len : 1);
   assert_non_null(*copy);
   memcpy(*copy, bytes, len);
   return v->body->decode(*copy, len, d->fixed, d->view, err);
}

static int
decode_exact(const struct vector *v, const uint8_t *bytes, size_t len, struct decoded *d,
             struct vdrm_error *err)
{
   uint8_t *copy;
   int ret = decode_copy(v, bytes, len, d, err, &copy);

   free(copy);
   return ret;
}

static void
check_items(const struct vector *v, const struct decoded *d)
{
   const struct vdrm_body_desc *b = v->body;
   char err[256];

   for (uint32_t i = 0; i < b->nitems; i++) {
      const struct vdrm_item_desc *it = &b->items[i];
      const struct json *jv = json_get(v->value, it->name);
      struct out_buf want = { 0 };
      struct vdrm_span span;
      uint32_t stride;

      memcpy(&span, (const uint8_t *)d->view + it->span_offset, sizeof(span));
      stride = vdrm_span_stride(&span, it->elem_size);
      if (!jv)
         fail_msg("%s: %s: value lacks item %s", v->file, v->name, it->name);
      /* The item's value, written as bytes, must be what the decoder located. */
      if (!items_write(&want, it, jv, it->kind == VDRM_ITEM_ARRAY ? stride : it->elem_size, err,
                       sizeof(err)))
         fail_msg("%s: %s: %s: %s", v->file, v->name, it->name, err);
      if (want.len != span.size || (span.size && memcmp(want.data, span.data, span.size)))
         fail_msg("%s: %s: %s differs from the vector's value", v->file, v->name, it->name);
      free(want.data);
   }
}

/* Each vector decodes, holds the vector's field values, and re-encodes to its bytes. */
static void
test_decode_encode(void **state)
{
   struct suite *s = *state;
   static struct decoded d;
   static uint8_t out[MAX_MSG];

   for (size_t i = 0; i < s->nv; i++) {
      const struct vector *v = &s->v[i];
      const struct vdrm_body_desc *b = v->body;
      struct vdrm_error err = { 0 };
      const char *ignore[24];
      uint64_t want[MAX_MSG / 8] = { 0 };
      char msg[256];
      size_t len = 0;
      uint8_t *copy;

      memset(&d, 0, sizeof(d));
      if (decode_copy(v, v->bytes, v->len, &d, &err, &copy))
         fail_msg("%s: %s: decode failed: %s", v->file, v->name, err.message);
      items_nonfield_keys(b, ignore, sizeof(ignore) / sizeof(ignore[0]));
      if (!fields_write(b->fixed, v->value, (uint8_t *)want, b->fixed->size, ignore, msg, sizeof(msg)))
         fail_msg("%s: %s: %s", v->file, v->name, msg);
      if (memcmp(want, d.fixed, b->fixed->size))
         fail_msg("%s: %s: decoded fixed fields differ from the vector's values", v->file, v->name);
      check_items(v, &d);
      if (b->encode(out, sizeof(out), d.fixed, d.view, &len))
         fail_msg("%s: %s: encode failed", v->file, v->name);
      if (len != v->len || memcmp(out, v->bytes, len))
         fail_msg("%s: %s: re-encoding gives %zu different bytes (vector: %zu)", v->file, v->name,
                  len, v->len);
      free(copy);
   }
}

/* Every shorter hdr.len that cuts into the content is rejected, naming the command. */
static void
test_truncations(void **state)
{
   struct suite *s = *state;
   static struct decoded d;

   for (size_t i = 0; i < s->nv; i++) {
      const struct vector *v = &s->v[i];
      uint32_t len_off = v->body == &v->msg->req ? 4 : 0;
      struct vdrm_error err;
      size_t need;

      memset(&d, 0, sizeof(d));
      {
         /* Decode the whole vector once to learn where its non-rest items end. */
         uint8_t *copy;

         assert_int_equal(decode_copy(v, v->bytes, v->len, &d, &err, &copy), VDRM_OK);
         need = v->body->min_size;
         for (uint32_t k = 0; k < v->body->nitems; k++) {
            const struct vdrm_item_desc *it = &v->body->items[k];
            struct vdrm_span span;

            memcpy(&span, (const uint8_t *)d.view + it->span_offset, sizeof(span));
            if (!it->takes_rest && span.size && (size_t)(span.data - copy) + span.size > need)
               need = (size_t)(span.data - copy) + span.size;
         }
         free(copy);
      }
      for (size_t k = 0; k < need; k++) {
         uint8_t *t = malloc(v->len);
         uint32_t hl = (uint32_t)k;
         int ret;

         assert_non_null(t);
         memcpy(t, v->bytes, v->len);
         if (k >= len_off + 4)
            memcpy(t + len_off, &hl, 4);
         memset(&err, 0, sizeof(err));
         ret = decode_exact(v, t, k, &d, &err);
         free(t);
         if (ret == VDRM_OK)
            fail_msg("%s: %s: truncated to %zu of %zu bytes, yet accepted", v->file, v->name, k, need);
         if (!err.command || !err.message[0])
            fail_msg("%s: %s: truncation to %zu gave no error message", v->file, v->name, k);
      }
   }
}

static uint32_t
next_random(uint32_t *x)
{
   *x ^= *x << 13;
   *x ^= *x >> 17;
   *x ^= *x << 5;
   return *x;
}

/* A request decoder dispatches on hdr.cmd: a mutated cmd decodes as another command. */
static bool
same_command(const struct vector *v, const uint8_t *msg)
{
   uint32_t cmd;

   if (v->body != &v->msg->req)
      return true;
   memcpy(&cmd, msg, sizeof(cmd));
   return cmd == v->msg->opcode;
}

/* Decodes one hostile copy t of v; a copy that passes is re-encoded too. Returns 1 if it passed. */
static unsigned
try_hostile(const struct vector *v, const uint8_t *t)
{
   static struct decoded d;
   static uint8_t out[MAX_MSG];
   struct vdrm_error err;
   uint8_t *copy;
   size_t len;
   unsigned passed = 0;

   if (decode_copy(v, t, v->len, &d, &err, &copy) == VDRM_OK) {
      passed = 1;
      if (same_command(v, copy))
         v->body->encode(out, sizeof(out), d.fixed, d.view, &len);
   }
   free(copy);
   return passed;
}

/* Hostile copies: every word set to large values, and random byte flips. Must never crash. */
static void
test_hostile_copies(void **state)
{
   static const uint32_t words[] = { 0xffffffffu, 0x80000000u, 0x7fffffffu, 0x10000u, 0x1u };
   struct suite *s = *state;
   uint32_t seed = 0x9e3779b9u;
   unsigned accepted = 0, total = 0;

   for (size_t i = 0; i < s->nv; i++) {
      const struct vector *v = &s->v[i];
      uint8_t *t = malloc(v->len + 1);

      assert_non_null(t);
      for (size_t off = 0; off + 4 <= v->len; off += 4) {
         for (size_t w = 0; w < sizeof(words) / sizeof(words[0]); w++, total++) {
            memcpy(t, v->bytes, v->len);
            memcpy(t + off, &words[w], 4);
            accepted += try_hostile(v, t);
         }
      }
      for (unsigned n = 0; n < 400; n++, total++) {
         memcpy(t, v->bytes, v->len);
         for (unsigned f = 1 + next_random(&seed) % 4; f; f--)
            t[next_random(&seed) % v->len] ^= (uint8_t)(1u << (next_random(&seed) % 8));
         accepted += try_hostile(v, t);
      }
      free(t);
   }
   print_message("%u hostile copies decoded, %u accepted as well-formed\n", total, accepted);
}

int
main(int argc, char **argv)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_decode_encode),
      cmocka_unit_test(test_truncations),
      cmocka_unit_test(test_hostile_copies),
   };

   if (argc < 2) {
      fprintf(stderr, "usage: %s FILE.json...\n", argv[0]);
      return 2;
   }
   files = argv + 1;
   nfiles = argc - 1 > 16 ? 16 : argc - 1;
   return cmocka_run_group_tests(tests, load, unload);
}
