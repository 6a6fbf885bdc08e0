/*
 * vdrm-wire: decode, encode and validate ccmd streams and responses of any
 * context, driven only by the generated codecs and descriptors.
 *
 *   vdrm-wire decode   --context NAME [--response CMD [--request HEX]] [FILE]
 *   vdrm-wire encode   --context NAME [--response CMD [--request HEX]] [FILE]
 *   vdrm-wire validate --context NAME [FILE]
 *
 * --request gives the bytes of the request a response answers, so that the
 * response's bytes items chosen by a field of the request print typed.
 * Chunk regions (amdgpu CS_SUBMIT) print as hex and, decode only, typed
 * chunk by chunk under "<item>_typed" (chunks.h).
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chunks.h"
#include "fields.h"
#include "io.h"
#include "items.h"
#include "jsonin.h"
#include "text.h"
#include "vdrm_contexts.h"

/* A decoded message: its fixed part and view, as large as the descriptor says. */
struct message_buffers {
   uint8_t *fixed;
   uint8_t *view;
};

static int
usage(void)
{
   fprintf(stderr,
           "usage: vdrm-wire decode --context NAME [--response CMD [--request HEX]] [FILE]\n"
           "       vdrm-wire encode --context NAME [--response CMD [--request HEX]] [FILE]\n"
           "       vdrm-wire validate --context NAME [FILE]\n"
           "FILE defaults to standard input; output goes to standard output.\n"
           "HEX: the bytes of the request the response answers, as hex.\n");
   return 2;
}

/* The decoded fixed part of the request a response answers (--request), or none. */
struct request_fixed {
   uint8_t *fixed;
   size_t size;
};

/*
 * Prints one decoded message (request or response) as a JSON object; req is
 * the request a response answers, when known; msg_len is the framed part's
 * bytes (its header's length). False when out of memory.
 */
static bool
print_message(FILE *out, const struct vdrm_msg_desc *m, const struct vdrm_body_desc *b,
              const uint8_t *msg, uint32_t msg_len, const struct message_buffers *bufs,
              const struct request_fixed *req)
{
   const struct items_ctx ctx = { .body = bufs->fixed, .body_size = b->fixed->size,
                                  .request = req->fixed, .request_size = req->size };
   size_t end = b->data_offset;
   int first = 0;

   fprintf(out, "{\"message\": \"%s\"", m->name);
   fields_print(out, b->fixed, bufs->fixed, msg_len, &first);
   for (uint32_t i = 0; i < b->nitems; i++) {
      const struct vdrm_item_desc *it = &b->items[i];
      struct vdrm_span span;

      memcpy(&span, bufs->view + it->span_offset, sizeof(span));
      fprintf(out, ", \"%s\": ", it->name);
      if (!items_print(out, it, &span, &ctx))
         return false;
      /* A chunk region's chunks, typed by its table (decode only: encode reads the hex). */
      if (it->chunks && !chunks_print(out, b, it, bufs->view))
         return false;
      if (span.size && !it->trailer)
         end = (size_t)(span.data - msg) + span.size;
   }
   /* Bytes of the framed part past the described content: kept only when not all zero. */
   for (size_t i = end; i < msg_len; i++) {
      if (msg[i]) {
         fputs(", \"trailing\": ", out);
         print_hex(out, msg + end, msg_len - end);
         break;
      }
   }
   fputc('}', out);
   return true;
}

static int
decode_one(FILE *out, const struct vdrm_msg_desc *m, const struct vdrm_body_desc *b,
           const uint8_t *msg, size_t len, const struct request_fixed *req, struct vdrm_error *err)
{
   struct message_buffers bufs = {
      calloc(1, b->fixed->size ? b->fixed->size : 1),
      calloc(1, b->view_size ? b->view_size : 1),
   };
   uint32_t msg_len;
   int ret = VDRM_E_NOSPC;

   if (!bufs.fixed || !bufs.view) {
      vdrm_fail(err, VDRM_E_NOSPC, 0, m->name, "", "%s: out of memory", m->name);
      goto out;
   }
   ret = b->decode(msg, len, bufs.fixed, bufs.view, err);
   if (ret)
      goto out;
   {
      uint64_t framed = 0;

      vdrm_frame_bytes(b->framing, msg, len, &framed);   /* the decoder checked it */
      msg_len = (uint32_t)framed;
   }
   if (out && !print_message(out, m, b, msg, msg_len, &bufs, req)) {
      ret = vdrm_fail(err, VDRM_E_NOSPC, 0, m->name, "", "%s: out of memory", m->name);
      goto out;
   }
out:
   free(bufs.fixed);
   free(bufs.view);
   return ret;
}

/*
 * Walks a stream of requests that is not a ccmd stream (vtest): each
 * request's extent (header, framed part, trailer) from the protocol's
 * request_extent(). File descriptors are not in the bytes.
 */
static int
walk_framed(const struct vdrm_protocol_desc *p, const uint8_t *buf, size_t len, FILE *out)
{
   const struct vdrm_framing *f = p->request_framing;
   const struct request_fixed no_request = { NULL, 0 };
   struct vdrm_error err = { 0 };
   unsigned count = 0;
   size_t pos = 0;

   if (out)
      fputc('[', out);
   while (pos < len) {
      const struct vdrm_msg_desc *m;
      uint64_t extent;
      uint32_t cmd;

      if (p->request_extent(buf + pos, len - pos, &extent, &err)) {
         if (out)
            fputs("\n]\n", out);
         fprintf(stderr, "offset %zu: %s [%s]\n", pos + err.offset, err.message, vdrm_status_name(err.status));
         return 1;
      }
      if (extent > len - pos) {
         if (out)
            fputs("\n]\n", out);
         fprintf(stderr, "offset %zu: %s: the request needs %llu bytes, %zu are left [%s]\n", pos, p->name,
                 (unsigned long long)extent, len - pos, vdrm_status_name(VDRM_E_TRUNCATED));
         return 1;
      }
      memcpy(&cmd, buf + pos + f->cmd_offset, sizeof(cmd));
      m = vdrm_msg_by_opcode(p, cmd);
      if (out)
         fputs(count ? ",\n " : "\n ", out);
      if (decode_one(out, m, &m->req, buf + pos, (size_t)extent, &no_request, &err)) {
         if (out)
            fputs("\n]\n", out);
         fprintf(stderr, "offset %zu: %s [%s]\n", pos + err.offset, err.message, vdrm_status_name(err.status));
         return 1;
      }
      pos += (size_t)extent;
      count++;
   }
   if (out)
      fputs(count ? "\n]\n" : "]\n", out);
   else
      printf("ok: %u messages, %zu bytes\n", count, len);
   return 0;
}

static int
walk(const struct vdrm_protocol_desc *p, const uint8_t *buf, size_t len, FILE *out)
{
   const struct request_fixed no_request = { NULL, 0 };
   struct vdrm_stream s;
   struct vdrm_ccmd_req hdr;
   struct vdrm_error err = { 0 };
   const uint8_t *msg;
   unsigned count = 0;
   int r;

   if (!p->ccmd)
      return walk_framed(p, buf, len, out);
   vdrm_stream_init(&s, buf, len, p->alignment);
   if (out)
      fputc('[', out);
   while ((r = vdrm_stream_next(&s, &msg, &hdr, &err)) == 1) {
      const struct vdrm_msg_desc *m = vdrm_msg_by_opcode(p, hdr.cmd);
      size_t at = (size_t)(msg - buf);

      if (!m) {
         fprintf(stderr, "offset %zu: %s: hdr.cmd: unknown command %u\n", at, p->name, hdr.cmd);
         return 1;
      }
      if (out)
         fputs(count ? ",\n " : "\n ", out);
      if (decode_one(out, m, &m->req, msg, hdr.len, &no_request, &err)) {
         if (out)
            fputs("\n]\n", out);
         fprintf(stderr, "offset %zu: %s [%s]\n", at + err.offset, err.message,
                 vdrm_status_name(err.status));
         return 1;
      }
      count++;
   }
   if (r < 0) {
      if (out)
         fputs("\n]\n", out);
      fprintf(stderr, "offset %u: %s [%s]\n", err.offset, err.message, vdrm_status_name(err.status));
      return 1;
   }
   if (out)
      fputs(count ? "\n]\n" : "]\n", out);
   else
      printf("ok: %u messages, %zu bytes\n", count, len);
   return 0;
}

/*
 * The JSON value of the scalar field at byte offset off of desc, following
 * nested structs (hdr.len, or hdr.base.len of amdgpu responses), or NULL.
 */
static struct json_object *
json_at_offset(const struct vdrm_struct_desc *desc, struct json_object *obj, uint32_t off)
{
   for (uint32_t i = 0; obj && json_object_is_type(obj, json_type_object) && i < desc->nfields; i++) {
      const struct vdrm_field_desc *f = &desc->fields[i];
      struct json_object *v = jsonin_get(obj, f->name);

      if (f->kind == VDRM_KIND_STRUCT && f->count == 1 && off >= f->offset &&
          off < f->offset + f->type->size)
         return json_at_offset(f->type, v, off - f->offset);
      if (f->kind != VDRM_KIND_STRUCT && f->kind != VDRM_KIND_UNION && f->offset == off)
         return v;
   }
   return NULL;
}

/* Writes n zero bytes: the part of hdr.len beyond the content. */
static void
write_zeros(FILE *out, uint64_t n)
{
   static const uint8_t zeros[4096];

   while (n) {
      size_t k = n < sizeof(zeros) ? (size_t)n : sizeof(zeros);
      fwrite(zeros, 1, k, out);
      n -= k;
   }
}

/*
 * The fixed part and items of message object obj into ob: the framed part
 * (hdr_len bytes at most: what the length says), then the trailer.
 */
static bool
encode_body(struct out_buf *ob, const struct vdrm_msg_desc *m, const struct vdrm_body_desc *b,
            struct json_object *obj, uint64_t hdr_len, const struct request_fixed *req,
            char *err, size_t err_size)
{
   const char **ignore = items_nonfield_keys(b);
   struct json_object *trailing = jsonin_get(obj, "trailing");
   /* The fixed part as written, for variants selectors: ob->data moves as items grow. */
   uint8_t *fixed;
   struct items_ctx ctx = { .body_size = b->fixed->size, .request = req->fixed,
                            .request_size = req->size };
   bool ok, framed = true;

   if (!ignore) {
      snprintf(err, err_size, "%s: out of memory", m->name);
      return false;
   }
   ok = fields_write(b->fixed, obj, ob->data, hdr_len, ignore, err, err_size);
   free(ignore);
   if (!ok)
      return false;
   fixed = malloc(b->fixed->size ? b->fixed->size : 1);
   if (!fixed) {
      snprintf(err, err_size, "%s: out of memory", m->name);
      return false;
   }
   memcpy(fixed, ob->data, b->fixed->size);
   ctx.body = fixed;
   ok = true;
   ob->len = b->data_offset;
   for (uint32_t i = 0; ok && i < b->nitems; i++) {
      const struct vdrm_item_desc *it = &b->items[i];
      struct json_object *v = jsonin_get(obj, it->name);
      uint32_t stride = it->elem_size;

      if (it->trailer && framed) {
         /* The framed part ends at hdr_len: its trailing bytes, then zeros. */
         if (trailing && !out_buf_hex(ob, trailing, "trailing", err, err_size)) {
            ok = false;
            break;
         }
         if (ob->len > hdr_len) {
            snprintf(err, err_size, "%s: content is %zu bytes but the length frames %" PRIu64, m->name,
                     ob->len, hdr_len);
            ok = false;
            break;
         }
         if (!out_buf_put(ob, NULL, (size_t)(hdr_len - ob->len))) {
            snprintf(err, err_size, "%s: out of memory", m->name);
            ok = false;
            break;
         }
         ob->limit = SIZE_MAX;
         framed = false;
      }
      if (!v) {
         snprintf(err, err_size, "%s: missing item '%s'", m->name, it->name);
         ok = false;
         break;
      }
      if (it->stride_offset >= 0)
         memcpy(&stride, fixed + it->stride_offset, sizeof(stride));
      ok = items_write(ob, it, v, stride, &ctx, err, err_size);
   }
   free(fixed);
   if (!ok)
      return false;
   return !framed || !trailing || out_buf_hex(ob, trailing, "trailing", err, err_size);
}

/* Encodes one JSON message object; writes its bytes to out. */
static bool
encode_one(FILE *out, const struct vdrm_protocol_desc *p, const struct vdrm_msg_desc *only,
           const struct request_fixed *req, struct json_object *obj, char *err, size_t err_size)
{
   size_t name_len;
   const char *name = jsonin_str(jsonin_get(obj, "message"), &name_len);
   const struct vdrm_msg_desc *m;
   const struct vdrm_body_desc *b;
   struct json_object *jlen;
   struct out_buf ob = { 0 };
   uint64_t hdr_len;
   bool negative, ok = false;

   if (!name) {
      snprintf(err, err_size, "each message needs \"message\"");
      return false;
   }
   m = strlen(name) == name_len ? vdrm_msg_by_name(p, name) : NULL;
   if (!m || (only && m != only)) {
      snprintf(err, err_size, "%s: unknown or unexpected message %.40s", p->name, name);
      return false;
   }
   b = only ? &m->rsp : &m->req;
   /* The header's length, as its framing gives it (vdrm: hdr.len in bytes, the header counted). */
   jlen = json_at_offset(b->fixed, obj, b->framing->length_offset);
   if (!jsonin_int(jlen, &negative, &hdr_len) || negative || hdr_len > UINT32_MAX) {
      snprintf(err, err_size, "%s: the length (%s) is missing or out of range", m->name, b->framing->length_name);
      return false;
   }
   hdr_len = hdr_len * b->framing->unit + (b->framing->counts_header ? 0 : b->framing->header_size);
   /* The fixed part is always whole; what follows it must fit in hdr.len. */
   ob.cap = b->fixed->size > b->data_offset ? b->fixed->size : b->data_offset;
   ob.data = calloc(1, ob.cap ? ob.cap : 1);
   ob.limit = (size_t)hdr_len;
   if (!ob.data) {
      snprintf(err, err_size, "%s: out of memory", m->name);
      return false;
   }
   if (!encode_body(&ob, m, b, obj, hdr_len, req, err, err_size))
      goto out;
   if (ob.limit == SIZE_MAX) {
      fwrite(ob.data, 1, ob.len, out);   /* the framed part and the trailer */
      ok = true;
      goto out;
   }
   if (ob.len > hdr_len && b->nitems) {
      snprintf(err, err_size, "%s: content is %zu bytes but %s frames %" PRIu64, m->name, ob.len,
               b->framing->length_name, hdr_len);
      goto out;
   }
   fwrite(ob.data, 1, ob.len < hdr_len ? ob.len : (size_t)hdr_len, out);
   write_zeros(out, hdr_len > ob.len ? hdr_len - ob.len : 0);
   ok = true;
out:
   free(ob.data);
   return ok;
}

static int
encode(const struct vdrm_protocol_desc *p, const struct vdrm_msg_desc *only,
       const struct request_fixed *req, const uint8_t *text, size_t len)
{
   struct json_object *doc;
   char err[256];
   int ret = 0;

   doc = jsonin_parse((const char *)text, len, err, sizeof(err));
   if (!doc) {
      fprintf(stderr, "%s\n", err);
      return 1;
   }
   if (!json_object_is_type(doc, json_type_array)) {
      fprintf(stderr, "JSON: expected an array of messages\n");
      json_object_put(doc);
      return 1;
   }
   for (size_t i = 0; i < json_object_array_length(doc) && !ret; i++) {
      if (!encode_one(stdout, p, only, req, json_object_array_get_idx(doc, i), err, sizeof(err))) {
         fprintf(stderr, "message %zu: %s\n", i, err);
         ret = 1;
      }
   }
   json_object_put(doc);
   return ret;
}

/*
 * Decodes the request (hex) that a response of m answers with m's request
 * decoder and keeps its fixed part in *req. Returns 0, or 2 after a message.
 */
static int
load_request(const struct vdrm_msg_desc *m, const char *hex, struct request_fixed *req)
{
   const struct vdrm_body_desc *b = &m->req;
   struct json_object *text = json_object_new_string(hex);
   struct out_buf bytes = { .limit = strlen(hex) / 2 };
   uint8_t *view = calloc(1, b->view_size ? b->view_size : 1);
   struct vdrm_error err = { 0 };
   char why[256];
   uint32_t cmd = 0;
   int ret = 2;

   req->size = b->fixed->size;
   req->fixed = calloc(1, req->size ? req->size : 1);
   if (!text || !view || !req->fixed) {
      fprintf(stderr, "--request: out of memory\n");
      goto out;
   }
   if (!out_buf_hex(&bytes, text, "--request", why, sizeof(why))) {
      fprintf(stderr, "%s\n", why);
      goto out;
   }
   if (bytes.len < sizeof(cmd)) {
      fprintf(stderr, "--request: %zu bytes hold no hdr.cmd\n", bytes.len);
      goto out;
   }
   memcpy(&cmd, bytes.data, sizeof(cmd));
   if (cmd != m->opcode) {
      fprintf(stderr, "--request: not a %s request (hdr.cmd %u, not %u)\n", m->name, cmd,
              m->opcode);
      goto out;
   }
   if (b->decode(bytes.data, bytes.len, req->fixed, view, &err)) {
      fprintf(stderr, "--request: offset %u: %s [%s]\n", err.offset, err.message,
              vdrm_status_name(err.status));
      goto out;
   }
   ret = 0;
out:
   if (ret) {
      free(req->fixed);
      req->fixed = NULL;
   }
   json_object_put(text);
   free(bytes.data);
   free(view);
   return ret;
}

int
main(int argc, char **argv)
{
   const char *verb, *context = NULL, *response = NULL, *request = NULL, *file = NULL;
   const struct vdrm_protocol_desc *p;
   const struct vdrm_msg_desc *only = NULL;
   struct request_fixed req = { NULL, 0 };
   uint8_t *data;
   size_t len;
   int ret;

   if (argc < 2)
      return usage();
   verb = argv[1];
   for (int i = 2; i < argc; i++) {
      if (strcmp(argv[i], "--context") == 0 && i + 1 < argc)
         context = argv[++i];
      else if (strcmp(argv[i], "--response") == 0 && i + 1 < argc)
         response = argv[++i];
      else if (strcmp(argv[i], "--request") == 0 && i + 1 < argc)
         request = argv[++i];
      else if (argv[i][0] == '-' && argv[i][1])
         return usage();
      else if (!file)
         file = argv[i];
      else
         return usage();
   }
   if (!context || (request && !response))
      return usage();
   p = vdrm_context_by_name(context);
   if (!p) {
      fprintf(stderr, "unknown context '%s'\n", context);
      return 2;
   }
   if (response) {
      only = vdrm_msg_by_name(p, response);
      if (!only || !only->rsp.fixed) {
         fprintf(stderr, "%s has no command %s with a response\n", p->name, response);
         return 2;
      }
      if (request && load_request(only, request, &req))
         return 2;
   }
   data = read_all(file, &len);
   if (!data) {
      free(req.fixed);
      return 1;
   }
   if (strcmp(verb, "decode") == 0 && only) {
      struct vdrm_error err = { 0 };
      fputc('[', stdout);
      ret = decode_one(stdout, only, &only->rsp, data, len, &req, &err);
      if (ret)
         fprintf(stderr, "offset %u: %s [%s]\n", err.offset, err.message, vdrm_status_name(err.status));
      fputs("]\n", stdout);
      ret = ret ? 1 : 0;
   } else if (strcmp(verb, "decode") == 0) {
      ret = walk(p, data, len, stdout);
   } else if (strcmp(verb, "validate") == 0 && !only) {
      ret = walk(p, data, len, NULL);
   } else if (strcmp(verb, "encode") == 0) {
      ret = encode(p, only, &req, data, len);
   } else {
      ret = usage();
   }
   free(data);
   free(req.fixed);
   return ret;
}
