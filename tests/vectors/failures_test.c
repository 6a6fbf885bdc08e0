/*
 * Decode-failure vectors through the generated decoders: every case of
 * tests/vectors/failures/NAME.json holds the exact bytes of a message that
 * breaks one rule and the error the decoder must report for it. Each case is
 * decoded from an exactly sized heap copy by its command's request or
 * response body descriptor; status, field, offset and command must equal the
 * case's, and the message must not be empty. A case's "base", the valid
 * message it was derived from, must decode without error.
 *
 * A case marked "known_defect" holds the correct expectation for a decoder
 * that is known to report something else: it is counted and printed as an
 * expected failure. Once the decoder reports what the case expects, the mark
 * is stale and the test fails until it is removed.
 *
 * Every decoder of every context must also have cases for the checks every
 * message gets at run time: its header's length (hdr.len, or the field the
 * body's framing names) below the minimum (VDRM_E_SHORT; not for a length
 * that does not count the header when the minimum is the header), past the
 * buffer (VDRM_E_TRUNCATED), and for responses a buffer too short for the
 * header; each context needs one request too short for the header.
 *
 * usage: vectors-failures-test FILE.json...
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

#include "outbuf.h"
#include "vdrm_contexts.h"

struct fcase {
   const char *file;
   const char *name;
   const char *message;
   const char *direction;
   const char *status;
   const char *field;
   const char *command;      /* what err.command must be: "command" or the message */
   const char *known_defect; /* NULL unless marked */
   uint32_t offset;
   const struct vdrm_protocol_desc *proto;
   const struct vdrm_msg_desc *msg;
   const struct vdrm_body_desc *body;
   uint8_t *bytes, *base;
   size_t len, base_len;
   bool has_base;
};

struct suite {
   struct json_object *docs[16];
   unsigned ndocs;
   struct fcase *c;
   size_t nc;
};

static char **files;
static int nfiles;

static const char *
str_or(const char *s, const char *dflt)
{
   return s ? s : dflt;
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

static const char *
get_str(struct json_object *o, const char *key)
{
   struct json_object *v;

   if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
      return NULL;
   return json_object_get_string(v);
}

/* Fills c from the JSON case e; returns NULL or what is wrong with it. */
static const char *
load_case(struct fcase *c, const char *file, const struct vdrm_protocol_desc *p,
          struct json_object *e)
{
   struct json_object *off;
   struct json_object *hex = NULL, *base = NULL;

   json_object_object_get_ex(e, "hex", &hex);
   json_object_object_get_ex(e, "base", &base);

   memset(c, 0, sizeof(*c));
   c->file = file;
   c->proto = p;
   c->name = get_str(e, "name");
   c->message = get_str(e, "message");
   c->direction = get_str(e, "direction");
   c->status = get_str(e, "status");
   c->field = get_str(e, "field");
   c->known_defect = get_str(e, "known_defect");
   if (!c->name || !c->message || !c->direction || !c->status || !c->field || !hex ||
       !json_object_object_get_ex(e, "offset", &off) || !json_object_is_type(off, json_type_int))
      return "lacks name, message, direction, status, field, offset or hex";
   c->offset = (uint32_t)json_object_get_int64(off);
   c->command = str_or(get_str(e, "command"), c->message);
   if (strcmp(c->direction, "request") && strcmp(c->direction, "response"))
      return "direction is neither request nor response";
   c->msg = vdrm_msg_by_name(p, c->message);
   if (!c->msg)
      return "its message does not exist in the context";
   c->body = strcmp(c->direction, "response") == 0 ? &c->msg->rsp : &c->msg->req;
   if (!c->body->fixed || !c->body->decode)
      return "its message has no decoder in that direction";
   if (!unhex(hex, &c->bytes, &c->len))
      return "bad hex";
   if (base) {
      c->has_base = true;
      if (!unhex(base, &c->base, &c->base_len))
         return "bad base hex";
   }
   return NULL;
}

/* Loads one file's cases into s; returns NULL or what is wrong. */
static const char *
load_file(struct suite *s, const char *file)
{
   struct json_object *doc = json_object_from_file(file), *cases;
   const struct vdrm_protocol_desc *p;
   const char *ctx;

   if (!doc)
      return str_or(json_util_get_last_err(), "cannot read JSON");
   s->docs[s->ndocs++] = doc;
   ctx = get_str(doc, "context");
   if (!ctx || !json_object_object_get_ex(doc, "cases", &cases) ||
       !json_object_is_type(cases, json_type_array))
      return "needs \"context\" and a \"cases\" list";
   p = vdrm_context_by_name(ctx);
   if (!p)
      return "unknown context";
   size_t n = json_object_array_length(cases);
   struct fcase *more = realloc(s->c, (s->nc + n) * sizeof(*s->c));
   assert_non_null(more);
   s->c = more;
   for (size_t i = 0; i < n; i++) {
      struct fcase *c = &s->c[s->nc];
      const char *why = load_case(c, file, p, json_object_array_get_idx(cases, i));

      s->nc++;    /* owns what load_case allocated, even on error */
      if (why) {
         print_error("%s: case %zu (%s): %s\n", file, i, str_or(c->name, "?"), why);
         return "bad case";
      }
      for (size_t j = 0; j + 1 < s->nc; j++) {
         if (s->c[j].proto == p && strcmp(s->c[j].name, c->name) == 0) {
            print_error("%s: case name \"%s\" is not unique\n", file, c->name);
            return "bad case";
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

   for (size_t i = 0; i < s->nc; i++) {
      free(s->c[i].bytes);
      free(s->c[i].base);
   }
   for (unsigned i = 0; i < s->ndocs; i++)
      json_object_put(s->docs[i]);
   free(s->c);
   free(s);
   return 0;
}

/* Runs the body's decoder on bytes, with exactly sized fixed part and view. */
static int
decode(const struct vdrm_body_desc *body, const uint8_t *bytes, size_t len,
       struct vdrm_error *err)
{
   void *fixed = calloc(1, body->fixed->size ? body->fixed->size : 1);
   void *view = calloc(1, body->view_size ? body->view_size : 1);
   int ret;

   assert_non_null(fixed);
   assert_non_null(view);
   memset(err, 0, sizeof(*err));
   ret = body->decode(bytes, len, fixed, view, err);
   free(view);
   free(fixed);
   return ret;
}

/* Whether the decoder's report equals the case's expectation. */
static bool
matches(const struct fcase *c, int ret, const struct vdrm_error *err)
{
   return ret != VDRM_OK && (int)err->status == ret &&
          strcmp(vdrm_status_name(err->status), c->status) == 0 &&
          err->field && strcmp(err->field, c->field) == 0 && err->offset == c->offset &&
          err->command && strcmp(err->command, c->command) == 0 && err->message[0] != '\0';
}

static void
report(const char *what, const struct fcase *c, int ret, const struct vdrm_error *err)
{
   print_message("%s %s: %s %s \"%s\"\n"
                 "   expected: %s field \"%s\" offset %u command \"%s\"\n"
                 "   decoder:  %s field \"%s\" offset %u command \"%s\" message \"%s\"\n",
                 what, c->file, c->message, c->direction, c->name, c->status, c->field,
                 c->offset, c->command,
                 ret == VDRM_OK ? "VDRM_OK" : vdrm_status_name(err->status),
                 str_or(err->field, "(null)"), ret == VDRM_OK ? 0u : err->offset,
                 str_or(err->command, "(null)"), ret == VDRM_OK ? "" : err->message);
   if (c->known_defect)
      print_message("   known defect: %s\n", c->known_defect);
}

static void
test_cases(void **state)
{
   struct suite *s = *state;
   unsigned failed = 0, xfail = 0, stale = 0;

   for (size_t i = 0; i < s->nc; i++) {
      const struct fcase *c = &s->c[i];
      struct vdrm_error err;
      int ret;

      if (c->has_base) {
         ret = decode(c->body, c->base, c->base_len, &err);
         if (ret != VDRM_OK) {
            print_message("FAIL %s: \"%s\": its base is rejected: %s\n", c->file, c->name,
                          err.message);
            failed++;
         }
      }
      ret = decode(c->body, c->bytes, c->len, &err);
      if (matches(c, ret, &err)) {
         if (c->known_defect) {
            report("STALE (known defect fixed: drop the mark)", c, ret, &err);
            stale++;
         }
      } else if (c->known_defect) {
         report("XFAIL", c, ret, &err);
         xfail++;
      } else {
         report("FAIL", c, ret, &err);
         failed++;
      }
   }
   print_message("%zu failure vectors: %zu as expected, %u known defects (expected failures), "
                 "%u stale known-defect marks, %u failed\n",
                 s->nc, s->nc - failed - xfail - stale, xfail, stale, failed);
   assert_int_equal(failed + stale, 0);
}

static bool
has_case(const struct suite *s, const struct vdrm_protocol_desc *p, const char *message,
         const char *direction, const char *field, const char *status)
{
   for (size_t i = 0; i < s->nc; i++) {
      const struct fcase *c = &s->c[i];

      if (c->proto == p && (!message || strcmp(c->message, message) == 0) &&
          strcmp(c->direction, direction) == 0 && strcmp(c->field, field) == 0 &&
          strcmp(c->status, status) == 0)
         return true;
   }
   return false;
}

/* The checks of the runtime, named per decoder by the descriptors. */
static void
test_runtime_checks_covered(void **state)
{
   struct suite *s = *state;
   unsigned missing = 0;

   for (unsigned k = 0; vdrm_contexts[k]; k++) {
      const struct vdrm_protocol_desc *p = vdrm_contexts[k];
      bool loaded = false;

      for (size_t i = 0; i < s->nc; i++)
         loaded |= s->c[i].proto == p;
      if (!loaded)
         continue;
      if (!has_case(s, p, NULL, "request", "hdr", "VDRM_E_SHORT")) {
         print_message("%s: no request too short for its header\n", p->name);
         missing++;
      }
      for (uint32_t m = 0; m < p->nmsgs; m++) {
         for (int d = 0; d < 2; d++) {
            const struct vdrm_msg_desc *msg = &p->msgs[m];
            const struct vdrm_body_desc *body = d ? &msg->rsp : &msg->req;
            const char *dir = d ? "response" : "request";
            const char *need[3][2] = {
               { body->framing->length_name, "VDRM_E_SHORT" },
               { body->framing->length_name, "VDRM_E_TRUNCATED" },
               { "hdr", "VDRM_E_SHORT" },
            };
            /* A length that does not count the header cannot be below a minimum that is the header. */
            bool can_be_short = body->framing->counts_header || body->min_size > body->framing->header_size;

            if (!body->fixed || !body->decode)
               continue;
            for (int n = can_be_short ? 0 : 1; n < (d ? 3 : 2); n++) {
               if (!has_case(s, p, msg->name, dir, need[n][0], need[n][1])) {
                  print_message("%s: %s %s: no case for %s %s\n", p->name, msg->name, dir,
                                need[n][0], need[n][1]);
                  missing++;
               }
            }
         }
      }
   }
   assert_int_equal(missing, 0);
}

int
main(int argc, char **argv)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cases),
      cmocka_unit_test(test_runtime_checks_covered),
   };

   if (argc < 2) {
      fprintf(stderr, "usage: %s FILE.json...\n", argv[0]);
      return 2;
   }
   files = argv + 1;
   nfiles = argc - 1 > 16 ? 16 : argc - 1;
   return cmocka_run_group_tests(tests, load, unload);
}
