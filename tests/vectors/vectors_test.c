/*
 * Conformance vectors through the generated codecs (not through vdrm-wire):
 * every vector of tests/vectors/NAME.json is decoded by its command's
 * validating decoder, its fields compared with the vector's values, and
 * re-encoded by the typed *_encode() function to the same bytes. Then every
 * truncation of it must be rejected, and mutated copies (hostile counts,
 * flipped bits) must never make a decoder read or write out of bounds (the
 * suite runs under ASan+UBSan). Every mutated copy a host would accept
 * (requests decoded by the decoder their hdr.cmd selects) re-encodes through
 * its body's encode function to its own bytes, up to three named
 * normalisations: (a) trailing bytes after the content dropped, (b) a fixed
 * part shorter than the struct (older sender) completed with zeros, (c)
 * implicit padding cleared, (d) fields the host ignores cleared, (e) a
 * message shorter than its alignment allows padded with zeros to it.
 *
 * A bytes item whose value is typed ({"type": ...}, vdrm-wire's form for the
 * struct its selector names) is written back to bytes through vdrm-wire's
 * items code and compared with every byte the decoder located; a response's
 * selector is read from the request its vector gives ("request", hex), which
 * must decode with that command's request decoder. A chunk region (amdgpu
 * CS_SUBMIT chunks) is compared as hex, byte for byte, and its typed form
 * ("chunks_typed", decode only) is written back chunk by chunk and compared
 * with the bytes each table element locates.
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

#include "chunks.h"
#include "fields.h"
#include "io.h"
#include "ignored.h"
#include "reencode.h"
#include "items.h"
#include "jsonin.h"
#include "vdrm_contexts.h"

#define MAX_MSG (1u << 16)
#define MAX_FILES 16

struct vector {
   const char *file;
   const char *name;
   const struct vdrm_protocol_desc *proto;
   const struct vdrm_msg_desc *msg;
   const struct vdrm_body_desc *body;
   struct json_object *value;
   uint8_t *bytes;
   size_t len;
   uint8_t *request_fixed;   /* the decoded fixed part of "request", or NULL */
   int64_t fds;      /* file descriptors the request carries ("fds"), or -1 when not given */
};

struct suite {
   struct json_object *docs[MAX_FILES];
   unsigned ndocs;
   struct vector *v;
   size_t nv;
};

static char **files;
static int nfiles;

/* A decoded fixed part and view, as large as the body's descriptor says. */
struct decoded {
   uint8_t *fixed;
   uint8_t *view;
};

static struct decoded
decoded_new(const struct vdrm_body_desc *b)
{
   struct decoded d = {
      calloc(1, b->fixed->size ? b->fixed->size : 1),
      calloc(1, b->view_size ? b->view_size : 1),
   };

   assert_non_null(d.fixed);
   assert_non_null(d.view);
   return d;
}

static void
decoded_free(struct decoded *d)
{
   free(d->fixed);
   free(d->view);
}

/* A string member of a vector, or NULL. */
static const char *
member_str(struct json_object *obj, const char *key)
{
   size_t len;

   return jsonin_str(jsonin_get(obj, key), &len);
}

static void
load_vector(const char *file, const struct vdrm_protocol_desc *p, struct json_object *e, size_t i,
            struct vector *v)
{
   const char *cmd = member_str(e, "command"), *dir = member_str(e, "direction");
   const char *name = member_str(e, "name");
   struct json_object *hex = jsonin_get(e, "hex");
   struct out_buf raw = { .limit = MAX_MSG };
   char err[256];

   memset(v, 0, sizeof(*v));
   v->file = file;
   v->proto = p;
   v->name = name ? name : "?";
   v->value = jsonin_get(e, "value");
   if (!cmd || !dir || !hex || !v->value)
      fail_msg("%s: vector %zu lacks command, direction, hex or value", file, i);
   v->msg = vdrm_msg_by_name(p, cmd);
   if (!v->msg)
      fail_msg("%s: %s: unknown command %s", file, v->name, cmd);
   v->body = strcmp(dir, "response") == 0 ? &v->msg->rsp : &v->msg->req;
   if (!v->body->fixed)
      fail_msg("%s: %s: %s has no %s", file, v->name, cmd, dir);
   if (!out_buf_hex(&raw, hex, "hex", err, sizeof(err)) || raw.len == 0)
      fail_msg("%s: %s: bad hex: %s", file, v->name, err);
   v->bytes = raw.data;
   v->len = raw.len;
   if (jsonin_get(e, "request")) {
      const struct vdrm_body_desc *rb = &v->msg->req;
      struct out_buf req = { .limit = MAX_MSG };
      struct vdrm_error derr = { 0 };
      uint8_t *view = calloc(1, rb->view_size ? rb->view_size : 1);
      uint32_t opcode = 0;

      assert_non_null(view);
      if (v->body != &v->msg->rsp)
         fail_msg("%s: %s: only a response names its request", file, v->name);
      if (!out_buf_hex(&req, jsonin_get(e, "request"), "request", err, sizeof(err)) || req.len < 4)
         fail_msg("%s: %s: bad request hex: %s", file, v->name, err);
      memcpy(&opcode, req.data, sizeof(opcode));
      if (opcode != v->msg->opcode)
         fail_msg("%s: %s: the request is command %u, not %s", file, v->name, opcode, v->msg->name);
      v->request_fixed = calloc(1, rb->fixed->size ? rb->fixed->size : 1);
      assert_non_null(v->request_fixed);
      if (rb->decode(req.data, req.len, v->request_fixed, view, &derr))
         fail_msg("%s: %s: its request does not decode: %s", file, v->name, derr.message);
      free(view);
      free(req.data);
   }
   v->fds = -1;
   if (jsonin_get(e, "fds")) {
      bool negative;
      uint64_t n;

      if (!jsonin_int(jsonin_get(e, "fds"), &negative, &n) || negative || v->body != &v->msg->req)
         fail_msg("%s: %s: \"fds\" must be a count, on a request", file, v->name);
      v->fds = (int64_t)n;
   }
}

static int
load(void **state)
{
   struct suite *s = calloc(1, sizeof(*s));
   char err[256];

   assert_non_null(s);
   for (int f = 0; f < nfiles; f++) {
      size_t len;
      char *text = (char *)read_all(files[f], &len);
      struct json_object *doc = text ? jsonin_parse(text, len, err, sizeof(err)) : NULL;

      if (!doc)
         fail_msg("%s: %s", files[f], text ? err : "cannot read");
      free(text);
      s->docs[s->ndocs++] = doc;
      const char *ctx = member_str(doc, "context");
      struct json_object *vs = jsonin_get(doc, "vectors");
      if (!ctx || !json_object_is_type(vs, json_type_array))
         fail_msg("%s: needs \"context\" and an array \"vectors\"", files[f]);
      const struct vdrm_protocol_desc *p = vdrm_context_by_name(ctx);
      if (!p)
         fail_msg("%s: unknown context %s", files[f], ctx);
      size_t n = json_object_array_length(vs);
      s->v = realloc(s->v, (s->nv + n) * sizeof(*s->v));
      assert_non_null(s->v);
      for (size_t i = 0; i < n; i++)
         load_vector(files[f], p, json_object_array_get_idx(vs, i), i, &s->v[s->nv++]);
   }
   *state = s;
   return 0;
}

static int
unload(void **state)
{
   struct suite *s = *state;

   for (size_t i = 0; i < s->nv; i++) {
      free(s->v[i].bytes);
      free(s->v[i].request_fixed);
   }
   for (unsigned i = 0; i < s->ndocs; i++)
      json_object_put(s->docs[i]);
   free(s->v);
   free(s);
   return 0;
}

/*
 * Decodes a copy of bytes that is exactly len long with body b, so that ASan
 * sees any over-read. The view points into *copy, which the caller frees.
 */
static int
decode_copy(const struct vdrm_body_desc *b, const uint8_t *bytes, size_t len, struct decoded *d,
            struct vdrm_error *err, uint8_t **copy)
{
   *copy = malloc(len ? len : 1);
   assert_non_null(*copy);
   memcpy(*copy, bytes, len);
   return b->decode(*copy, len, d->fixed, d->view, err);
}

static int
decode_exact(const struct vector *v, const uint8_t *bytes, size_t len, struct decoded *d,
             struct vdrm_error *err)
{
   uint8_t *copy;
   int ret = decode_copy(v->body, bytes, len, d, err, &copy);

   free(copy);
   return ret;
}

/*
 * A chunk region's value holds its chunks typed as well ("<item>_typed"):
 * each entry locates the chunk its table element does and writes back to
 * every byte of it.
 */
static void
check_chunks(const struct vector *v, const struct decoded *d, const struct vdrm_item_desc *it)
{
   size_t n = strlen(it->name);
   char *key = malloc(n + sizeof(CHUNKS_TYPED_SUFFIX));
   struct json_object *jv;
   char err[256];

   assert_non_null(key);
   memcpy(key, it->name, n);
   memcpy(key + n, CHUNKS_TYPED_SUFFIX, sizeof(CHUNKS_TYPED_SUFFIX));
   jv = jsonin_get(v->value, key);
   if (!jv)
      fail_msg("%s: %s: value lacks %s", v->file, v->name, key);
   if (!chunks_check(v->body, it, d->view, jv, err, sizeof(err)))
      fail_msg("%s: %s: %s", v->file, v->name, err);
   free(key);
}

/* Stores in the length field of the header at msg what frames k bytes (at most). */
static void
set_framed_length(const struct vdrm_framing *f, uint8_t *msg, size_t k)
{
   uint32_t v;

   if (f->counts_header)
      v = (uint32_t)(k / f->unit);
   else
      v = k >= f->header_size ? (uint32_t)((k - f->header_size) / f->unit) : 0;
   memcpy(msg + f->length_offset, &v, sizeof(v));
}

static void
check_items(const struct vector *v, const struct decoded *d)
{
   const struct vdrm_body_desc *b = v->body;
   const struct vdrm_struct_desc *rq = v->msg->req.fixed;
   const struct items_ctx ctx = { .body = d->fixed, .body_size = b->fixed->size,
                                  .request = v->request_fixed,
                                  .request_size = v->request_fixed ? rq->size : 0 };
   char err[256];

   for (uint32_t i = 0; i < b->nitems; i++) {
      const struct vdrm_item_desc *it = &b->items[i];
      struct json_object *jv = jsonin_get(v->value, it->name);
      struct out_buf want = { .limit = v->len };
      struct vdrm_span span = reencode_span(d->view, it);
      uint32_t stride = vdrm_span_stride(&span, it->elem_size);

      if (!jv)
         fail_msg("%s: %s: value lacks item %s", v->file, v->name, it->name);
      /* The item's value, written as bytes, must be what the decoder located. */
      if (!items_write(&want, it, jv, it->kind == VDRM_ITEM_ARRAY ? stride : it->elem_size, &ctx,
                       err, sizeof(err)))
         fail_msg("%s: %s: %s: %s", v->file, v->name, it->name, err);
      if (want.len != span.size || (span.size && memcmp(want.data, span.data, span.size)))
         fail_msg("%s: %s: %s differs from the vector's value", v->file, v->name, it->name);
      free(want.data);
      if (it->chunks)
         check_chunks(v, d, it);
   }
}

/* Each vector decodes, holds the vector's field values, and re-encodes to its bytes. */
static void
test_decode_encode(void **state)
{
   struct suite *s = *state;

   for (size_t i = 0; i < s->nv; i++) {
      const struct vector *v = &s->v[i];
      const struct vdrm_body_desc *b = v->body;
      struct vdrm_error err = { 0 };
      struct decoded d = decoded_new(b);
      const char **ignore = items_nonfield_keys(b);
      uint8_t *want = calloc(1, b->fixed->size ? b->fixed->size : 1);
      size_t cap = reencode_cap(b, v->len), len = 0;
      uint8_t *out = malloc(cap);
      char msg[256];
      uint8_t *copy;

      assert_non_null(ignore);
      assert_non_null(want);
      assert_non_null(out);
      if (decode_copy(b, v->bytes, v->len, &d, &err, &copy))
         fail_msg("%s: %s: decode failed: %s", v->file, v->name, err.message);
      if (!fields_write(b->fixed, v->value, want, b->fixed->size, ignore, msg, sizeof(msg)))
         fail_msg("%s: %s: %s", v->file, v->name, msg);
      ignored_clear(b->fixed, want);   /* a decoder returns what the host ignores as zero */
      if (memcmp(want, d.fixed, b->fixed->size))
         fail_msg("%s: %s: decoded fixed fields differ from the vector's values", v->file, v->name);
      check_items(v, &d);
      if (v->fds >= 0 && (b->fds ? b->fds(d.fixed) : 0) != (uint64_t)v->fds)
         fail_msg("%s: %s: the request carries %u file descriptors, the vector says %lld", v->file, v->name,
                  b->fds ? b->fds(d.fixed) : 0, (long long)v->fds);
      if (b->encode(out, cap, d.fixed, d.view, &len))
         fail_msg("%s: %s: encode failed", v->file, v->name);
      size_t where = 0;
      if (len != v->len || !ignored_same(b->fixed, v->bytes, out, len, &where))
         fail_msg("%s: %s: re-encoding gives %zu bytes (vector: %zu), different at %zu", v->file, v->name,
                  len, v->len, where);
      free(copy);
      free(out);
      free(want);
      free(ignore);
      decoded_free(&d);
   }
}

/*
 * Every shorter message that cuts into the content is rejected, naming the
 * command: within the framed part with a length that frames what is left,
 * within the trailer with the length kept.
 */
static void
test_truncations(void **state)
{
   struct suite *s = *state;

   for (size_t i = 0; i < s->nv; i++) {
      const struct vector *v = &s->v[i];
      const struct vdrm_framing *f = v->body->framing;
      size_t framed = reencode_framed_bytes(v->body, v->bytes, v->len);
      struct decoded d = decoded_new(v->body);
      struct vdrm_error err;
      size_t need;

      {
         /* Decode the whole vector once to learn where its non-rest items end. */
         uint8_t *copy;

         assert_int_equal(decode_copy(v->body, v->bytes, v->len, &d, &err, &copy), VDRM_OK);
         need = v->body->min_size;
         for (uint32_t k = 0; k < v->body->nitems; k++) {
            const struct vdrm_item_desc *it = &v->body->items[k];
            struct vdrm_span span = reencode_span(d.view, it);

            if (!it->takes_rest && span.size && (size_t)(span.data - copy) + span.size > need)
               need = (size_t)(span.data - copy) + span.size;
         }
         free(copy);
      }
      for (size_t k = 0; k < need; k++) {
         uint8_t *t = malloc(v->len);
         int ret;

         assert_non_null(t);
         memcpy(t, v->bytes, v->len);
         if (k < framed && k >= f->length_offset + 4)
            set_framed_length(f, t, k);
         memset(&err, 0, sizeof(err));
         ret = decode_exact(v, t, k, &d, &err);
         free(t);
         if (ret == VDRM_OK)
            fail_msg("%s: %s: truncated to %zu of %zu bytes, yet accepted", v->file, v->name, k, need);
         if (!err.command || !err.message[0])
            fail_msg("%s: %s: truncation to %zu gave no error message", v->file, v->name, k);
      }
      decoded_free(&d);
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

/* ---- re-encoding accepted hostile copies ---- */

struct hostile_stats {
   unsigned total;
   unsigned accepted;
   unsigned other_command;   /* a mutated hdr.cmd made it another (valid) command */
   unsigned identical;       /* re-encoded to exactly the accepted bytes */
   unsigned trailing;        /* (a) bytes after the described content dropped */
   unsigned zero_extended;   /* (b) a short fixed part completed with zeros */
   unsigned padding;         /* (c) implicit padding cleared by the encoder */
   unsigned ignored;         /* (d) a field the host ignores, cleared */
   unsigned padded;          /* (e) an unpadded message padded to its alignment */
};

/*
 * Decodes one hostile copy t (v->len bytes) as a host would: a request by the
 * decoder its hdr.cmd selects. An accepted copy must re-encode to its own
 * bytes up to the named normalisations.
 */
static void
try_hostile(const struct vector *v, const uint8_t *t, const char *mutation,
            struct hostile_stats *st)
{
   const struct vdrm_body_desc *b = v->body;
   const struct vdrm_msg_desc *m = v->msg;
   bool request = v->body == &v->msg->req;
   struct vdrm_error err;
   struct decoded d;
   uint8_t *copy;
   char why[300];

   st->total++;
   if (request) {
      uint32_t cmd;
      memcpy(&cmd, t + v->proto->request_framing->cmd_offset, sizeof(cmd));
      m = vdrm_msg_by_opcode(v->proto, cmd);
      if (!m || !m->req.fixed)
         return; /* unknown command: the host rejects it */
      b = &m->req;
   }
   d = decoded_new(b);
   if (decode_copy(b, t, v->len, &d, &err, &copy) != VDRM_OK) {
      free(copy);
      decoded_free(&d);
      return;
   }
   st->accepted++;
   st->other_command += m != v->msg;
   int identical = 0;
   int norm = reencode_check(b, copy, v->len, d.fixed, d.view, why, sizeof(why), &identical);
   if (norm < 0)
      fail_msg("%s: %s: copy with %s %s", v->file, v->name, mutation, why);
   st->identical += identical;
   st->trailing += !!(norm & REENCODE_TRAILING);
   st->zero_extended += !!(norm & REENCODE_ZERO_EXTEND);
   st->padding += !!(norm & REENCODE_PADDING);
   st->ignored += !!(norm & REENCODE_IGNORED);
   st->padded += !!(norm & REENCODE_PAD_TO);
   free(copy);
   decoded_free(&d);
}

/*
 * Hostile copies: every word set to large values, and random bit flips. Must
 * never crash, and every accepted copy re-encodes to itself (normalised).
 */
static void
test_hostile_copies(void **state)
{
   static const uint32_t words[] = { 0xffffffffu, 0x80000000u, 0x7fffffffu, 0x10000u, 0x1u };
   struct suite *s = *state;
   uint32_t seed = 0x9e3779b9u;
   struct hostile_stats st = { 0 };
   char mutation[160];

   for (size_t i = 0; i < s->nv; i++) {
      const struct vector *v = &s->v[i];
      uint8_t *t = malloc(v->len + 1);

      assert_non_null(t);
      for (size_t off = 0; off + 4 <= v->len; off += 4) {
         for (size_t w = 0; w < sizeof(words) / sizeof(words[0]); w++) {
            memcpy(t, v->bytes, v->len);
            memcpy(t + off, &words[w], 4);
            snprintf(mutation, sizeof(mutation), "word 0x%08x at %zu", words[w], off);
            try_hostile(v, t, mutation, &st);
         }
      }
      for (unsigned n = 0; n < 400; n++) {
         int used = snprintf(mutation, sizeof(mutation), "bit flips (byte.bit)");
         memcpy(t, v->bytes, v->len);
         for (unsigned f = 1 + next_random(&seed) % 4; f; f--) {
            size_t at = next_random(&seed) % v->len;
            unsigned bit = next_random(&seed) % 8;
            t[at] ^= (uint8_t)(1u << bit);
            if ((size_t)used < sizeof(mutation))
               used += snprintf(mutation + used, sizeof(mutation) - (size_t)used, " %zu.%u", at, bit);
         }
         try_hostile(v, t, mutation, &st);
      }
      free(t);
   }
   print_message("%u hostile copies decoded, %u accepted as well-formed (%u as another command)\n",
                 st.total, st.accepted, st.other_command);
   print_message("re-encoded: %u identical; normalised: %u (a) trailing bytes dropped, "
                 "%u (b) zero-extended fixed part, %u (c) implicit padding cleared, "
                 "%u (d) ignored fields cleared, %u (e) padded to the alignment\n",
                 st.identical, st.trailing, st.zero_extended, st.padding, st.ignored, st.padded);
   /* Each accepted copy is identical or explained by at least one normalisation. */
   assert_true(st.accepted > 0);
}

int
main(int argc, char **argv)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_decode_encode),
      cmocka_unit_test(test_truncations),
      cmocka_unit_test(test_hostile_copies),
   };

   if (argc < 2 || argc - 1 > MAX_FILES) {
      fprintf(stderr, "usage: %s FILE.json... (at most %d files)\n", argv[0], MAX_FILES);
      return 2;
   }
   files = argv + 1;
   nfiles = argc - 1;
   return cmocka_run_group_tests(tests, load, unload);
}
