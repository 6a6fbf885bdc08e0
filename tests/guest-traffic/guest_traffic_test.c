/*
 * The guest-traffic corpus through the generated decoders
 * (tests/guest-traffic/README.md).
 *
 * Every accept case of tests/guest-traffic/NAME.json is a request exactly as
 * a Mesa guest driver builds it, uninitialised bytes included. It must decode
 * with VDRM_OK from an exactly sized heap copy through its command's request
 * body descriptor, the decoded fixed part must hold the case's "fields", and
 * the transport's stream walk (vdrm_stream_next with the context's alignment)
 * must take it as one whole request. Every reject case must fail with exactly
 * its status, field, offset and command, and a non-empty message.
 *
 * A case marked "known_defect" holds the right expectation for a decoder that
 * is known to behave otherwise today: it is counted and printed as an expected
 * failure (XFAIL). Once it behaves as the case says, the mark is stale and the
 * test fails until the mark is removed.
 *
 * The test also checks the corpus itself: an accept case's hdr.cmd must be its
 * command's opcode and hdr.len the number of its bytes, and every "garbage"
 * range must lie inside the message, in order, and hold non-zero bytes (the
 * corpus models uninitialised bytes with a non-zero pattern).
 *
 * usage: guest-traffic-test FILE.json...
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
#include <json-c/json.h>

#include "jsonin.h"
#include "outbuf.h"
#include "vdrm_contexts.h"

#define MAX_FILES 16

struct gcase {
   const char *file;
   const char *name;
   const char *message;
   const char *known_defect;   /* NULL unless marked */
   bool accept;
   /* reject cases */
   const char *status;
   const char *field;
   const char *command;
   uint32_t offset;
   /* accept cases */
   struct json_object *fields; /* NULL or an object, owned by the document */
   const struct vdrm_protocol_desc *proto;
   const struct vdrm_msg_desc *msg;
   const struct vdrm_body_desc *body;
   uint8_t *bytes;
   size_t len;
};

struct suite {
   struct json_object *docs[MAX_FILES];
   unsigned ndocs;
   struct gcase *c;
   size_t nc;
};

static char **files;
static int nfiles;

static const char *
str_or(const char *s, const char *dflt)
{
   return s ? s : dflt;
}

static const char *
get_str(struct json_object *o, const char *key)
{
   struct json_object *v = jsonin_get(o, key);

   return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* A JSON integer that fits in uint32_t. */
static bool
get_u32(struct json_object *v, uint32_t *out)
{
   bool negative;
   uint64_t magnitude;

   if (!v || !jsonin_int(v, &negative, &magnitude) || negative || magnitude > UINT32_MAX)
      return false;
   *out = (uint32_t)magnitude;
   return true;
}

/* Decodes the hex string v into a heap buffer of exactly its length (1 byte if empty). */
static bool
unhex(struct json_object *v, uint8_t **out, size_t *len)
{
   struct out_buf b = { .limit = UINT32_MAX };
   char err[128];
   bool ok = v && out_buf_hex(&b, v, "hex", err, sizeof(err));

   if (ok) {
      *len = b.len;
      *out = malloc(b.len ? b.len : 1);
      assert_non_null(*out);
      if (b.len)
         memcpy(*out, b.data, b.len);
   }
   free(b.data);
   return ok;
}

static uint32_t
le32(const uint8_t *p)
{
   return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Checks the "garbage" list of an accept case against its bytes. */
static const char *
check_garbage(struct json_object *g, const uint8_t *bytes, size_t len)
{
   uint64_t end = 0;

   if (!g || !json_object_is_type(g, json_type_array))
      return "lacks a \"garbage\" list";
   for (size_t i = 0; i < json_object_array_length(g); i++) {
      struct json_object *r = json_object_array_get_idx(g, i);
      uint32_t off, n;
      struct json_object *why;

      if (!json_object_is_type(r, json_type_array) || json_object_array_length(r) != 3 ||
          !get_u32(json_object_array_get_idx(r, 0), &off) ||
          !get_u32(json_object_array_get_idx(r, 1), &n))
         return "a garbage range is not [offset, length, \"why\"]";
      why = json_object_array_get_idx(r, 2);
      if (!json_object_is_type(why, json_type_string) || !json_object_get_string_len(why))
         return "a garbage range does not say why";
      if (n == 0 || off < end || (uint64_t)off + n > len)
         return "a garbage range is empty, out of order or past the message";
      for (uint32_t j = off; j < off + n; j++) {
         if (bytes[j] == 0)
            return "a garbage range holds a zero byte (the corpus models garbage as non-zero)";
      }
      end = (uint64_t)off + n;
   }
   return NULL;
}

/* Fills c from the JSON case e; returns NULL or what is wrong with it. */
static const char *
load_case(struct gcase *c, const char *file, const struct vdrm_protocol_desc *p,
          struct json_object *e, bool accept)
{
   const char *direction;

   memset(c, 0, sizeof(*c));
   c->file = file;
   c->proto = p;
   c->accept = accept;
   c->name = get_str(e, "name");
   c->message = get_str(e, "message");
   c->known_defect = get_str(e, "known_defect");
   direction = str_or(get_str(e, "direction"), "request");
   if (!c->name || !c->message || !get_str(e, "why"))
      return "lacks name, message or why";
   if (strcmp(direction, "request"))
      return "the corpus holds requests only (direction must be \"request\")";
   c->msg = vdrm_msg_by_name(p, c->message);
   if (!c->msg)
      return "its message does not exist in the context";
   c->body = &c->msg->req;
   if (!c->body->fixed || !c->body->decode)
      return "its message has no request decoder";
   if (!unhex(jsonin_get(e, "hex"), &c->bytes, &c->len))
      return "bad or missing hex";
   if (accept) {
      const char *why;

      if (!get_str(e, "mesa"))
         return "does not name the Mesa function it models (\"mesa\")";
      c->fields = jsonin_get(e, "fields");
      if (c->fields && !json_object_is_type(c->fields, json_type_object))
         return "\"fields\" is not an object";
      if (c->len < sizeof(struct vdrm_ccmd_req))
         return "shorter than a request header";
      if (le32(c->bytes) != c->msg->opcode)
         return "hdr.cmd is not the opcode of its message";
      if (le32(c->bytes + 4) != c->len)
         return "hdr.len differs from the number of bytes (a guest sends exactly hdr.len)";
      why = check_garbage(jsonin_get(e, "garbage"), c->bytes, c->len);
      if (why)
         return why;
   } else {
      c->status = get_str(e, "status");
      c->field = get_str(e, "field");
      if (!c->status || !c->field || !get_u32(jsonin_get(e, "offset"), &c->offset))
         return "lacks status, field or offset";
      c->command = str_or(get_str(e, "command"), c->message);
   }
   return NULL;
}

static struct json_object *
read_json(const char *file, char *err, size_t err_size)
{
   FILE *f = fopen(file, "rb");
   char *text = NULL;
   size_t len = 0, cap = 0, n;
   struct json_object *doc;

   if (!f) {
      snprintf(err, err_size, "cannot open");
      return NULL;
   }
   do {
      if (cap - len < 4096) {
         char *more = realloc(text, cap + 65536);
         assert_non_null(more);
         text = more;
         cap += 65536;
      }
      n = fread(text + len, 1, cap - len - 1, f);
      len += n;
   } while (n > 0);
   fclose(f);
   text[len] = '\0';
   doc = jsonin_parse(text, len, err, err_size);
   free(text);
   return doc;
}

/* Loads one file's cases into s; returns NULL or what is wrong. */
static const char *
load_file(struct suite *s, const char *file)
{
   static char err[256];
   struct json_object *doc = read_json(file, err, sizeof(err));
   const struct vdrm_protocol_desc *p;
   const char *ctx;

   if (!doc)
      return err;
   s->docs[s->ndocs++] = doc;
   ctx = get_str(doc, "context");
   p = ctx ? vdrm_context_by_name(ctx) : NULL;
   if (!p)
      return "needs \"context\", the name of a known context";
   for (int k = 0; k < 2; k++) {
      struct json_object *list = jsonin_get(doc, k ? "reject" : "accept");
      size_t n;
      struct gcase *more;

      if (!list || !json_object_is_type(list, json_type_array))
         return "needs an \"accept\" and a \"reject\" list";
      n = json_object_array_length(list);
      more = realloc(s->c, (s->nc + n + 1) * sizeof(*s->c));
      assert_non_null(more);
      s->c = more;
      for (size_t i = 0; i < n; i++) {
         struct gcase *c = &s->c[s->nc];
         const char *why = load_case(c, file, p, json_object_array_get_idx(list, i), !k);

         s->nc++;   /* owns what load_case allocated, even on error */
         if (why) {
            print_error("%s: %s case %zu (%s): %s\n", file, k ? "reject" : "accept", i,
                        str_or(c->name, "?"), why);
            return "bad case";
         }
         for (size_t j = 0; j + 1 < s->nc; j++) {
            if (s->c[j].proto == p && strcmp(s->c[j].name, c->name) == 0) {
               print_error("%s: case name \"%s\" is not unique\n", file, c->name);
               return "bad case";
            }
         }
      }
   }
   return NULL;
}

static int
load(void **state)
{
   struct suite *s = calloc(1, sizeof(*s));

   assert_non_null(s);
   *state = s;
   for (int f = 0; f < nfiles; f++) {
      const char *why = load_file(s, files[f]);

      if (why) {
         print_error("%s: %s\n", files[f], why);
         return -1;   /* cmocka still runs unload() */
      }
   }
   return 0;
}

static int
unload(void **state)
{
   struct suite *s = *state;

   for (size_t i = 0; i < s->nc; i++)
      free(s->c[i].bytes);
   for (unsigned i = 0; i < s->ndocs; i++)
      json_object_put(s->docs[i]);
   free(s->c);
   free(s);
   return 0;
}

/* Runs the body's decoder on the case's bytes into an exactly sized fixed part. */
static int
decode(const struct gcase *c, uint8_t **fixed_out, struct vdrm_error *err)
{
   uint8_t *fixed = calloc(1, c->body->fixed->size ? c->body->fixed->size : 1);
   void *view = calloc(1, c->body->view_size ? c->body->view_size : 1);
   int ret;

   assert_non_null(fixed);
   assert_non_null(view);
   memset(err, 0, sizeof(*err));
   ret = c->body->decode(c->bytes, c->len, fixed, view, err);
   free(view);
   if (fixed_out)
      *fixed_out = fixed;
   else
      free(fixed);
   return ret;
}

/* The scalar field at a dotted path of desc, and its offset in the struct. */
static const struct vdrm_field_desc *
find_field(const struct vdrm_struct_desc *desc, const char *path, uint32_t *offset)
{
   *offset = 0;
   for (;;) {
      const char *dot = strchr(path, '.');
      size_t n = dot ? (size_t)(dot - path) : strlen(path);
      const struct vdrm_field_desc *f = NULL;

      for (uint32_t i = 0; i < desc->nfields; i++) {
         if (strlen(desc->fields[i].name) == n && strncmp(desc->fields[i].name, path, n) == 0) {
            f = &desc->fields[i];
            break;
         }
      }
      if (!f)
         return NULL;
      *offset += f->offset;
      if (!dot)
         return f;
      if ((f->kind != VDRM_KIND_STRUCT && f->kind != VDRM_KIND_UNION) || !f->type ||
          f->count != 1)
         return NULL;
      desc = f->type;
      path = dot + 1;
   }
}

/* Reads a plain scalar field: its value as sign and magnitude; false if it is none. */
static bool
read_scalar(const struct vdrm_field_desc *f, const uint8_t *p, bool *negative, uint64_t *magnitude)
{
   bool is_signed;
   uint64_t u;
   int64_t s;

   if (f->count != 1 || f->bit_width)
      return false;
   switch (f->kind) {
   case VDRM_KIND_U8: case VDRM_KIND_U16: case VDRM_KIND_U32: case VDRM_KIND_U64:
      is_signed = false;
      break;
   case VDRM_KIND_I8: case VDRM_KIND_I16: case VDRM_KIND_I32: case VDRM_KIND_I64:
   case VDRM_KIND_INT:
      is_signed = true;
      break;
   default:
      return false;
   }
   switch (f->size) {
   case 1: { uint8_t v; memcpy(&v, p, 1); u = v; s = (int8_t)v; break; }
   case 2: { uint16_t v; memcpy(&v, p, 2); u = v; s = (int16_t)v; break; }
   case 4: { uint32_t v; memcpy(&v, p, 4); u = v; s = (int32_t)v; break; }
   case 8: { uint64_t v; memcpy(&v, p, 8); u = v; memcpy(&s, &v, 8); break; }
   default:
      return false;
   }
   *negative = is_signed && s < 0;
   *magnitude = *negative ? (uint64_t)0 - (uint64_t)s : u;
   return true;
}

/* Compares the decoded fixed part with the case's "fields"; NULL or what differs. */
static const char *
check_fields(const struct gcase *c, const uint8_t *fixed, char *buf, size_t size)
{
   if (!c->fields)
      return NULL;
   json_object_object_foreach(c->fields, key, want) {
      uint32_t off;
      const struct vdrm_field_desc *f = find_field(c->body->fixed, key, &off);
      bool wneg, gneg;
      uint64_t wmag, gmag;

      if (!f || !read_scalar(f, fixed + off, &gneg, &gmag)) {
         snprintf(buf, size, "field \"%s\" is no scalar of the fixed part", key);
         return buf;
      }
      if (!jsonin_int(want, &wneg, &wmag)) {
         snprintf(buf, size, "field \"%s\": expected value is not an integer", key);
         return buf;
      }
      if (wneg != gneg || wmag != gmag) {
         snprintf(buf, size, "field \"%s\" decoded as %s%llu, expected %s%llu", key,
                  gneg ? "-" : "", (unsigned long long)gmag, wneg ? "-" : "",
                  (unsigned long long)wmag);
         return buf;
      }
   }
   return NULL;
}

/* Walks the case's bytes as an EXECBUFFER payload: NULL or what the walk reported. */
static const char *
check_stream(const struct gcase *c, char *buf, size_t size)
{
   struct vdrm_stream s;
   struct vdrm_ccmd_req hdr;
   const uint8_t *msg;
   struct vdrm_error err;
   int ret;

   memset(&err, 0, sizeof(err));
   vdrm_stream_init(&s, c->bytes, c->len, c->proto->alignment);
   ret = vdrm_stream_next(&s, &msg, &hdr, &err);
   if (ret == 1 && msg == c->bytes && hdr.len == c->len)
      ret = vdrm_stream_next(&s, &msg, &hdr, &err) == 0 ? 0 : -1;
   else if (ret == 1)
      ret = -1;
   if (ret == 0)
      return NULL;
   snprintf(buf, size, "stream walk: %s %s offset %u: %s", vdrm_status_name(err.status),
            str_or(err.field, "(null)"), err.offset, err.message);
   return buf;
}

static void
report(const char *what, const struct gcase *c, const char *problem)
{
   print_message("%s %s: %s %s \"%s\"\n   %s\n", what, c->file, c->accept ? "accept" : "reject",
                 c->message, c->name, problem);
   if (c->known_defect)
      print_message("   known defect: %s\n", c->known_defect);
}

struct tally {
   unsigned ok, xfail, stale, failed;
};

static void
judge(struct tally *t, const struct gcase *c, const char *problem)
{
   if (!problem) {
      if (c->known_defect) {
         report("STALE (known defect fixed: drop the mark)", c, "now behaves as the case says");
         t->stale++;
      } else {
         t->ok++;
      }
   } else if (c->known_defect) {
      report("XFAIL", c, problem);
      t->xfail++;
   } else {
      report("FAIL", c, problem);
      t->failed++;
   }
}

static void
summary(const char *kind, size_t n, const struct tally *t)
{
   print_message("%zu %s cases: %u as expected, %u known defects (expected failures), "
                 "%u stale known-defect marks, %u failed\n",
                 n, kind, t->ok, t->xfail, t->stale, t->failed);
}

static void
test_accept(void **state)
{
   struct suite *s = *state;
   struct tally t = { 0 };
   size_t n = 0;

   for (size_t i = 0; i < s->nc; i++) {
      const struct gcase *c = &s->c[i];
      char buf[512];
      const char *problem = NULL;
      struct vdrm_error err;
      uint8_t *fixed = NULL;
      int ret;

      if (!c->accept)
         continue;
      n++;
      ret = decode(c, &fixed, &err);
      if (ret != VDRM_OK) {
         snprintf(buf, sizeof(buf), "decoder: %s field \"%s\" offset %u: %s",
                  vdrm_status_name(err.status), str_or(err.field, "(null)"), err.offset,
                  err.message);
         problem = buf;
      } else {
         problem = check_fields(c, fixed, buf, sizeof(buf));
         if (!problem)
            problem = check_stream(c, buf, sizeof(buf));
      }
      free(fixed);
      judge(&t, c, problem);
   }
   summary("accept", n, &t);
   assert_int_equal(t.failed + t.stale, 0);
}

static void
test_reject(void **state)
{
   struct suite *s = *state;
   struct tally t = { 0 };
   size_t n = 0;

   for (size_t i = 0; i < s->nc; i++) {
      const struct gcase *c = &s->c[i];
      char buf[512];
      const char *problem = NULL;
      struct vdrm_error err;
      int ret;

      if (c->accept)
         continue;
      n++;
      ret = decode(c, NULL, &err);
      if (ret == VDRM_OK) {
         snprintf(buf, sizeof(buf), "decoder: VDRM_OK; expected %s field \"%s\" offset %u",
                  c->status, c->field, c->offset);
         problem = buf;
      } else if ((int)err.status != ret || strcmp(vdrm_status_name(err.status), c->status) ||
                 !err.field || strcmp(err.field, c->field) || err.offset != c->offset ||
                 !err.command || strcmp(err.command, c->command) || !err.message[0]) {
         snprintf(buf, sizeof(buf),
                  "expected: %s field \"%s\" offset %u command \"%s\"\n"
                  "   decoder:  %s field \"%s\" offset %u command \"%s\" message \"%s\"",
                  c->status, c->field, c->offset, c->command, vdrm_status_name(err.status),
                  str_or(err.field, "(null)"), err.offset, str_or(err.command, "(null)"),
                  err.message);
         problem = buf;
      }
      judge(&t, c, problem);
   }
   summary("reject", n, &t);
   assert_int_equal(t.failed + t.stale, 0);
}

int
main(int argc, char **argv)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_accept),
      cmocka_unit_test(test_reject),
   };

   if (argc < 2 || argc - 1 > MAX_FILES) {
      fprintf(stderr, "usage: %s FILE.json... (at most %d)\n", argv[0], MAX_FILES);
      return 2;
   }
   files = argv + 1;
   nfiles = argc - 1;
   return cmocka_run_group_tests(tests, load, unload);
}
