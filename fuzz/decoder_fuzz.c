/* SPDX-License-Identifier: MIT */

/*
 * Decoder harness of one protocol (FUZZ_CONTEXT, vtest included): the input,
 * in an allocation of exactly its size, through every request and every
 * response decoder of the protocol, then through the host's own path (the
 * stream walk and the dispatch table for a ccmd context, the request extent
 * and the table for vtest). For each accepted message: every span of its
 * view lies inside the input, and it re-encodes to its own bytes up to the
 * normalisations the spec names (tests/common/reencode.h), and its encoder
 * refuses a buffer one byte too small. For each refusal: a status, the
 * command and a message.
 */

#include <string.h>

#include "contexts.h"
#include "fuzz.h"
#include "reencode.h"
#include "vdrm_contexts.h"
#include "views.h"

#ifndef FUZZ_CONTEXT
#error "FUZZ_CONTEXT names the protocol (-DFUZZ_CONTEXT=\"msm\")"
#endif

static void *
alloc(size_t n)
{
   void *p = malloc(n ? n : 1);

   FZ_CHECK(p, "out of memory");
   return p;
}

/*
 * The encoder of an accepted message, given one byte less than it needs (in
 * an allocation of exactly that size), refuses with VDRM_E_NOSPC and writes
 * nothing past it.
 */
static void
check_nospc(const struct vdrm_msg_desc *m, const struct vdrm_body_desc *b, const void *fixed, const void *view,
            size_t len)
{
   size_t cap = reencode_cap(b, len), need = 0, got = 0;
   uint8_t *buf = alloc(cap);
   int ret;

   FZ_CHECK(b->encode(buf, cap, fixed, view, &need) == VDRM_OK && need > 0, "%s: does not encode", m->name);
   free(buf);
   buf = alloc(need - 1);
   ret = b->encode(buf, need - 1, fixed, view, &got);
   FZ_CHECK(ret == VDRM_E_NOSPC, "%s: encoding %zu bytes into %zu: %s", m->name, need, need - 1,
            vdrm_status_name(ret));
   free(buf);
}

/*
 * One decoder on a copy of the input; out and view exactly as large as the
 * decoder's (the table row's for a request). An accepted message must lie
 * inside the copy and re-encode through its body's encoder, which must not
 * write past a buffer too small for it.
 */
static void
decode_one(const struct vdrm_msg_desc *m, const struct vdrm_body_desc *b, vdrm_decode_fn decode,
           size_t fixed_size, size_t view_size, const uint8_t *in, size_t len)
{
   uint8_t *fixed = alloc(fixed_size), *view = alloc(view_size);
   struct vdrm_error err;
   char why[300];
   int ret;

   memset(&err, 0, sizeof(err));
   ret = decode(in, len, fixed, view, &err);
   if (ret == VDRM_OK) {
      fz_check_views(b, view, in, len);
      FZ_CHECK(reencode_check(b, in, len, fixed, view, why, sizeof(why), NULL) >= 0, "%s %s: %s", m->name,
               b == &m->req ? "request" : "response", why);
      check_nospc(m, b, fixed, view, len);
   } else {
      fz_check_error(&err, ret);
   }
   free(fixed);
   free(view);
}

/*
 * Every request decoder of the table, each on its own copy of the input
 * whose command id is its opcode (so every decoder meets every input, and
 * what it accepts re-encodes with that opcode).
 */
static void
request_decoders(const struct vdrm_protocol_desc *p, const struct vdrm_ccmd_info *table, uint32_t count,
                 const uint8_t *data, size_t len)
{
   for (uint32_t op = 0; op < count; op++) {
      const struct vdrm_ccmd_info *row = &table[op];
      const struct vdrm_framing *f = row->framing ? row->framing : p->request_framing;
      const struct vdrm_msg_desc *m;
      uint8_t *in;

      if (!row->decode)
         continue;
      m = vdrm_msg_by_opcode(p, op);
      FZ_CHECK(m && m->req.fixed, "%s: table row %u has no descriptor", p->name, op);
      in = alloc(len);
      memcpy(in, data, len);
      if (f->cmd_offset >= 0 && len >= (size_t)f->cmd_offset + sizeof(op))
         memcpy(in + f->cmd_offset, &op, sizeof(op));
      decode_one(m, &m->req, row->decode, row->size, row->view_size, in, len);
      free(in);
   }
}

/* Storage for any request of a table, and its view. */
static void
table_storage(const struct vdrm_ccmd_info *table, uint32_t count, uint8_t **req, uint8_t **view)
{
   size_t rmax = 1, vmax = 1;

   for (uint32_t i = 0; i < count; i++) {
      rmax = table[i].size > rmax ? table[i].size : rmax;
      vmax = table[i].view_size > vmax ? table[i].view_size : vmax;
   }
   *req = alloc(rmax);
   *view = alloc(vmax);
}

/* A ccmd context: the stream walk, each request by the table row its hdr.cmd selects. */
static void
host_stream(const struct vdrm_protocol_desc *p, const struct vdrm_ccmd_info *table, uint32_t count,
            const uint8_t *in, size_t len)
{
   struct vdrm_stream s;
   struct vdrm_ccmd_req hdr;
   struct vdrm_error err;
   const uint8_t *msg;
   uint8_t *req, *view;
   int ret;

   table_storage(table, count, &req, &view);
   vdrm_stream_init(&s, in, len, p->alignment);
   while ((ret = vdrm_stream_next(&s, &msg, &hdr, &err)) > 0) {
      FZ_CHECK(msg >= in && hdr.len <= len - (size_t)(msg - in), "stream: a request past the batch");
      ret = vdrm_decode_request(table, count, p->name, msg, hdr.len, req, view, &err);
      if (ret != VDRM_OK) {
         fz_check_error(&err, ret);
         ret = 0;
         break;   /* the host ends the batch at a refused request */
      }
      fz_check_views(&vdrm_msg_by_opcode(p, hdr.cmd)->req, view, msg, hdr.len);
   }
   if (ret < 0)   /* the walk itself refused the stream */
      fz_check_error(&err, (int)err.status);
   free(req);
   free(view);
}

/* vtest: requests one after the other by their extent, as the transport reads them. */
static void
host_framed(const struct vdrm_protocol_desc *p, const struct vdrm_ccmd_info *table, uint32_t count,
            const uint8_t *in, size_t len)
{
   const struct vdrm_framing *f = p->request_framing;
   struct vdrm_error err;
   uint8_t *req, *view;
   size_t off = 0;

   table_storage(table, count, &req, &view);
   while (off < len) {
      uint64_t extent;
      int ret = vdrm_request_extent(f, table, count, p->name, in + off, len - off, &extent, &err);
      uint32_t cmd;

      if (ret != VDRM_OK) {
         fz_check_error(&err, ret);
         break;
      }
      FZ_CHECK(extent > 0, "%s: an empty request", p->name);
      if (extent > len - off)
         break;   /* the rest has not arrived */
      ret = vdrm_frame_decode_request(f, table, count, p->name, in + off, (size_t)extent, req, view, &err);
      if (ret != VDRM_OK) {
         fz_check_error(&err, ret);
         break;
      }
      memcpy(&cmd, in + off + f->cmd_offset, sizeof(cmd));
      fz_check_views(&vdrm_msg_by_opcode(p, cmd)->req, view, in + off, (size_t)extent);
      off += (size_t)extent;
   }
   free(req);
   free(view);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
   const struct vdrm_protocol_desc *p = vdrm_context_by_name(FUZZ_CONTEXT);
   uint32_t count;
   const struct vdrm_ccmd_info *table = fz_table(FUZZ_CONTEXT, &count);
   uint8_t *in = alloc(size);

   FZ_CHECK(p, "no protocol %s", FUZZ_CONTEXT);
   memcpy(in, data, size);
   request_decoders(p, table, count, data, size);
   for (uint32_t i = 0; i < p->nmsgs; i++) {
      const struct vdrm_msg_desc *m = &p->msgs[i];

      if (m->rsp.fixed)
         decode_one(m, &m->rsp, m->rsp.decode, m->rsp.fixed->size, m->rsp.view_size, in, size);
   }
   if (p->ccmd)
      host_stream(p, table, count, in, size);
   else
      host_framed(p, table, count, in, size);
   free(in);
   return 0;
}
