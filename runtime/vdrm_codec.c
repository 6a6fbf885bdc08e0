/* SPDX-License-Identifier: MIT */

#include "vdrm_codec.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const status_names[VDRM_STATUS_COUNT] = {
   [VDRM_OK] = "VDRM_OK",
   [VDRM_E_SHORT] = "VDRM_E_SHORT",
   [VDRM_E_TRUNCATED] = "VDRM_E_TRUNCATED",
   [VDRM_E_OVERFLOW] = "VDRM_E_OVERFLOW",
   [VDRM_E_NONZERO] = "VDRM_E_NONZERO",
   [VDRM_E_LIMIT] = "VDRM_E_LIMIT",
   [VDRM_E_NOT_ALLOWED] = "VDRM_E_NOT_ALLOWED",
   [VDRM_E_LENGTH] = "VDRM_E_LENGTH",
   [VDRM_E_ALIGN] = "VDRM_E_ALIGN",
   [VDRM_E_OPCODE] = "VDRM_E_OPCODE",
   [VDRM_E_RSP_BOUNDS] = "VDRM_E_RSP_BOUNDS",
   [VDRM_E_NOSPC] = "VDRM_E_NOSPC",
   [VDRM_E_HANDLER] = "VDRM_E_HANDLER",
};

const char *
vdrm_status_name(enum vdrm_status status)
{
   if ((unsigned)status >= VDRM_STATUS_COUNT)
      return "VDRM_E_UNKNOWN";
   return status_names[status];
}

int
vdrm_fail(struct vdrm_error *err, enum vdrm_status status, uint32_t offset,
          const char *command, const char *field, const char *fmt, ...)
{
   if (err) {
      int n;
      va_list ap;

      err->status = status;
      err->offset = offset;
      err->command = command;
      err->field = field;
      n = snprintf(err->message, sizeof(err->message), "%s: %s%s", command, field,
                   field[0] ? ": " : "");
      if (n < 0 || (size_t)n >= sizeof(err->message))
         n = 0;
      va_start(ap, fmt);
      vsnprintf(err->message + n, sizeof(err->message) - (size_t)n, fmt, ap);
      va_end(ap);
   }
   return (int)status;
}

void
vdrm_error_rename(struct vdrm_error *err, const char *command)
{
   char rest[sizeof(err->message)];
   size_t old;

   if (!err)
      return;
   old = strlen(err->command);
   /* The message starts "COMMAND: "; keep what follows it. */
   snprintf(rest, sizeof(rest), "%s",
            strncmp(err->message, err->command, old) == 0 && err->message[old] == ':' ?
            err->message + old : err->message);
   snprintf(err->message, sizeof(err->message), "%s%s", command, rest);
   err->command = command;
}

/* The vdrm transport's request header (drm_hw.h): cmd at 0, len at 4 in bytes, header included. */
static const struct vdrm_framing ccmd_request_framing = {
   sizeof(struct vdrm_ccmd_req), offsetof(struct vdrm_ccmd_req, len),
   offsetof(struct vdrm_ccmd_req, cmd), 1, true, "hdr.len",
};

/* A vdrm response header whose len (in bytes, header included) is at len_offset. */
static struct vdrm_framing
ccmd_response_framing(size_t len_offset)
{
   struct vdrm_framing f = { (uint32_t)len_offset + 4u, (uint32_t)len_offset, -1, 1, true, "hdr.len" };

   return f;
}

int
vdrm_frame_bytes(const struct vdrm_framing *f, const void *buf, size_t len, uint64_t *bytes)
{
   uint32_t field;

   if (len < (size_t)f->length_offset + sizeof(field))
      return VDRM_E_SHORT;
   memcpy(&field, (const uint8_t *)buf + f->length_offset, sizeof(field));
   *bytes = (uint64_t)field * f->unit + (f->counts_header ? 0u : f->header_size);
   return VDRM_OK;
}

int
vdrm_frame_decode(const struct vdrm_framing *f, const void *buf, size_t len, uint32_t min_size,
                  size_t size, void *out, uint32_t *msg_len, const char *command,
                  struct vdrm_error *err)
{
   uint32_t field;
   uint64_t bytes;

   if (vdrm_frame_bytes(f, buf, len, &bytes))
      return vdrm_fail(err, VDRM_E_SHORT, 0, command, "hdr",
                       "%zu bytes cannot hold the header", len);
   memcpy(&field, (const uint8_t *)buf + f->length_offset, sizeof(field));
   if (bytes > len) {
      if (bytes == field)
         return vdrm_fail(err, VDRM_E_TRUNCATED, f->length_offset, command, f->length_name,
                          "%u exceeds the %zu bytes available", field, len);
      return vdrm_fail(err, VDRM_E_TRUNCATED, f->length_offset, command, f->length_name,
                       "%u (%llu bytes) exceeds the %zu bytes available", field,
                       (unsigned long long)bytes, len);
   }
   if (bytes > UINT32_MAX)
      return vdrm_fail(err, VDRM_E_OVERFLOW, f->length_offset, command, f->length_name,
                       "%u (%llu bytes) exceeds 4 GiB - 1", field, (unsigned long long)bytes);
   if (bytes < min_size) {
      if (bytes == field)
         return vdrm_fail(err, VDRM_E_SHORT, f->length_offset, command, f->length_name,
                          "%u is below the minimum size %u", field, min_size);
      return vdrm_fail(err, VDRM_E_SHORT, f->length_offset, command, f->length_name,
                       "%u (%llu bytes) is below the minimum size %u", field,
                       (unsigned long long)bytes, min_size);
   }
   memset(out, 0, size);
   memcpy(out, buf, bytes < size ? (size_t)bytes : size);
   if (msg_len)
      *msg_len = (uint32_t)bytes;
   return VDRM_OK;
}

int
vdrm_decode_fixed(const void *buf, size_t len, uint32_t min_size, size_t size,
                  size_t len_offset, void *out, uint32_t *msg_len,
                  const char *command, struct vdrm_error *err)
{
   struct vdrm_framing f = ccmd_response_framing(len_offset);

   return vdrm_frame_decode(&f, buf, len, min_size, size, out, msg_len, command, err);
}

int
vdrm_take(const uint8_t *msg, uint32_t msg_len, size_t *off, uint64_t count,
          uint32_t elem_size, struct vdrm_span *span, const char *command,
          const char *field, struct vdrm_error *err)
{
   size_t avail = *off <= msg_len ? msg_len - *off : 0;

   if (count > UINT32_MAX)
      return vdrm_fail(err, VDRM_E_OVERFLOW, (uint32_t)*off, command, field,
                       "count %llu does not fit in 32 bits", (unsigned long long)count);
   /* Compare by division so that count * elem_size is never computed unchecked. */
   if (elem_size != 0 && count > avail / elem_size)
      return vdrm_fail(err, VDRM_E_TRUNCATED, (uint32_t)*off, command, field,
                       "%llu x %u bytes at offset %zu run past the %u bytes of the message",
                       (unsigned long long)count, elem_size, *off, msg_len);
   span->data = msg + *off;
   span->count = (uint32_t)count;
   span->size = (uint32_t)count * elem_size;
   *off += span->size;
   return VDRM_OK;
}

int
vdrm_frame_encode(const struct vdrm_framing *f, void *buf, size_t cap, uint64_t size,
                  uint64_t trailer, const void *fixed, size_t fixed_size, uint32_t cmd,
                  size_t *len_out)
{
   uint64_t framed = size - trailer, counted;
   uint32_t len;

   if (size > UINT32_MAX)
      return VDRM_E_OVERFLOW;
   if (trailer > size || size > cap || fixed_size > framed ||
       (size_t)f->length_offset + sizeof(len) > fixed_size ||
       (f->cmd_offset >= 0 && (size_t)f->cmd_offset + sizeof(cmd) > fixed_size) ||
       (!f->counts_header && framed < f->header_size))
      return VDRM_E_NOSPC;
   counted = f->counts_header ? framed : framed - f->header_size;
   if (counted % f->unit)
      return VDRM_E_ALIGN;
   len = (uint32_t)(counted / f->unit);
   memcpy(buf, fixed, fixed_size);
   memset((uint8_t *)buf + fixed_size, 0, (size_t)size - fixed_size);
   memcpy((uint8_t *)buf + f->length_offset, &len, sizeof(len));
   if (f->cmd_offset >= 0)
      memcpy((uint8_t *)buf + f->cmd_offset, &cmd, sizeof(cmd));
   *len_out = (size_t)size;
   return VDRM_OK;
}

int
vdrm_encode_request(void *buf, size_t cap, uint64_t size, const void *fixed, size_t fixed_size,
                    uint32_t cmd, size_t *len_out)
{
   return vdrm_frame_encode(&ccmd_request_framing, buf, cap, size, 0, fixed, fixed_size, cmd, len_out);
}

int
vdrm_encode_response(void *buf, size_t cap, uint64_t size, const void *fixed, size_t fixed_size,
                     size_t len_offset, size_t *len_out)
{
   struct vdrm_framing f = ccmd_response_framing(len_offset);

   return vdrm_frame_encode(&f, buf, cap, size, 0, fixed, fixed_size, 0, len_out);
}

/* The command id of a request that holds at least its header. */
static uint32_t
frame_cmd(const struct vdrm_framing *f, const void *msg)
{
   uint32_t cmd;

   memcpy(&cmd, (const uint8_t *)msg + f->cmd_offset, sizeof(cmd));
   return cmd;
}

int
vdrm_frame_decode_request(const struct vdrm_framing *f, const struct vdrm_ccmd_info *table,
                          uint32_t count, const char *context, const void *msg, size_t len,
                          void *req, void *view, struct vdrm_error *err)
{
   uint32_t cmd;

   if (len < f->header_size)
      return vdrm_fail(err, VDRM_E_SHORT, 0, context, "hdr", "%zu bytes cannot hold the header", len);
   cmd = frame_cmd(f, msg);
   if (cmd >= count || !table[cmd].decode)
      return vdrm_fail(err, VDRM_E_OPCODE, (uint32_t)f->cmd_offset, context, "hdr.cmd",
                       "unknown command %u", cmd);
   return table[cmd].decode(msg, len, req, view, err);
}

int
vdrm_frame_dispatch(const struct vdrm_framing *f, const struct vdrm_ccmd_info *table, uint32_t count,
                    const char *context, const void *handlers, void *ctx, const void *msg,
                    size_t len, void *req, void *view, struct vdrm_error *err)
{
   const struct vdrm_ccmd_info *row;
   int ret = vdrm_frame_decode_request(f, table, count, context, msg, len, req, view, err);

   if (ret)
      return ret;
   row = &table[frame_cmd(f, req)];
   if (!row->invoke(handlers, ctx, req, view, &ret))
      return vdrm_fail(err, VDRM_E_OPCODE, (uint32_t)f->cmd_offset, row->name, "hdr.cmd", "no handler");
   if (ret)
      return vdrm_fail(err, VDRM_E_HANDLER, 0, row->name, "", "handler failed: %d", ret);
   return VDRM_OK;
}

int
vdrm_request_extent(const struct vdrm_framing *f, const struct vdrm_ccmd_info *table, uint32_t count,
                    const char *context, const void *buf, size_t len, uint64_t *extent,
                    struct vdrm_error *err)
{
   const struct vdrm_ccmd_info *row;
   uint64_t framed = 0;
   uint32_t cmd;

   if (len < f->header_size) {
      *extent = f->header_size;
      return VDRM_OK;
   }
   cmd = frame_cmd(f, buf);
   if (cmd >= count || !table[cmd].decode)
      return vdrm_fail(err, VDRM_E_OPCODE, (uint32_t)f->cmd_offset, context, "hdr.cmd",
                       "unknown command %u", cmd);
   row = &table[cmd];
   if (row->extent) {
      int ret = row->extent(buf, len, extent, err);

      if (ret)
         return ret;
      framed = *extent;
   } else if (vdrm_frame_bytes(row->framing ? row->framing : f, buf, len, &framed)) {
      return vdrm_fail(err, VDRM_E_SHORT, 0, row->name, "hdr", "%zu bytes cannot hold the header", len);
   }
   if (framed > UINT32_MAX)
      return vdrm_fail(err, VDRM_E_OVERFLOW, f->length_offset, row->name, "",
                       "%llu bytes exceed 4 GiB - 1", (unsigned long long)framed);
   *extent = framed < f->header_size ? f->header_size : framed;
   return VDRM_OK;
}

int
vdrm_decode_request(const struct vdrm_ccmd_info *table, uint32_t count, const char *context,
                    const void *msg, size_t len, void *req, void *view, struct vdrm_error *err)
{
   return vdrm_frame_decode_request(&ccmd_request_framing, table, count, context, msg, len, req, view,
                                    err);
}

int
vdrm_dispatch(const struct vdrm_ccmd_info *table, uint32_t count, const char *context,
              const void *handlers, void *ctx, const void *msg, size_t len, void *req, void *view,
              struct vdrm_error *err)
{
   return vdrm_frame_dispatch(&ccmd_request_framing, table, count, context, handlers, ctx, msg, len,
                              req, view, err);
}

void
vdrm_stream_init(struct vdrm_stream *s, const void *buf, size_t size, uint32_t alignment)
{
   s->buf = buf;
   s->size = size;
   s->pos = 0;
   s->alignment = alignment;
}

int
vdrm_stream_next(struct vdrm_stream *s, const uint8_t **msg, struct vdrm_ccmd_req *hdr,
                 struct vdrm_error *err)
{
   size_t left = s->size - s->pos;
   uint32_t at = (uint32_t)s->pos;

   if (s->size > UINT32_MAX) {
      vdrm_fail(err, VDRM_E_OVERFLOW, 0, "stream", "", "%zu bytes exceed 4 GiB - 1", s->size);
      return -1;
   }
   if (left == 0)
      return 0;
   if (left < sizeof(*hdr)) {
      vdrm_fail(err, VDRM_E_TRUNCATED, at, "stream", "",
                "%zu trailing bytes are too few for a header", left);
      return -1;
   }
   memcpy(hdr, s->buf + s->pos, sizeof(*hdr));
   if (hdr->len < sizeof(*hdr) || hdr->len > left) {
      vdrm_fail(err, hdr->len < sizeof(*hdr) ? VDRM_E_SHORT : VDRM_E_TRUNCATED, at, "stream",
                "hdr.len", "%u is outside [%zu, %zu] (cmd %u)", hdr->len, sizeof(*hdr), left,
                hdr->cmd);
      return -1;
   }
   /* Whole dwords in every context: Mesa's amdgpu guest sends SET_METADATA
      unpadded, 4-aligned only (the length rule of the transport). */
   if (hdr->len % VDRM_STREAM_LEN_ALIGN) {
      vdrm_fail(err, VDRM_E_ALIGN, at, "stream", "hdr.len",
                "%u is not a multiple of %u (cmd %u)", hdr->len, VDRM_STREAM_LEN_ALIGN, hdr->cmd);
      return -1;
   }
   if (hdr->rsp_off % s->alignment) {
      vdrm_fail(err, VDRM_E_ALIGN, at, "stream", "hdr.rsp_off",
                "%u is not a multiple of %u (cmd %u)", hdr->rsp_off, s->alignment, hdr->cmd);
      return -1;
   }
   *msg = s->buf + s->pos;
   s->pos += hdr->len;
   return 1;
}

int
vdrm_rsp_check(const struct vdrm_rsp_region *r, uint32_t rsp_off, uint64_t len,
               const char *command, struct vdrm_error *err)
{
   if (len < sizeof(struct vdrm_ccmd_rsp))
      return vdrm_fail(err, VDRM_E_RSP_BOUNDS, offsetof(struct vdrm_ccmd_req, rsp_off), command,
                       "hdr.rsp_off", "a %llu-byte response cannot hold its header",
                       (unsigned long long)len);
   if (rsp_off > r->size || len > r->size - rsp_off)
      return vdrm_fail(err, VDRM_E_RSP_BOUNDS, offsetof(struct vdrm_ccmd_req, rsp_off), command, "hdr.rsp_off",
                       "a %llu-byte response at %u does not fit the %u-byte response region",
                       (unsigned long long)len, rsp_off, r->size);
   return VDRM_OK;
}

uint32_t
vdrm_rsp_commit(struct vdrm_rsp_region *r, uint32_t rsp_off, const void *shadow, uint32_t len)
{
   uint32_t reserved;
   uint8_t *dst = r->mem + rsp_off;

   /* vdrm_rsp_check() refuses such lengths; never read a header that is not there. */
   if (len < sizeof(struct vdrm_ccmd_rsp))
      return 0;
   /* The guest may change the region at any time: read its length once. */
   memcpy(&reserved, dst, sizeof(reserved));
   if (reserved < len)
      len = reserved;
   memcpy(dst, shadow, len);
   if (len >= sizeof(uint32_t))
      memcpy(dst, &len, sizeof(len));
   return len;
}

const struct vdrm_msg_desc *
vdrm_msg_by_opcode(const struct vdrm_protocol_desc *p, uint32_t opcode)
{
   for (uint32_t i = 0; i < p->nmsgs; i++) {
      if (p->msgs[i].opcode == opcode)
         return &p->msgs[i];
   }
   return NULL;
}

const struct vdrm_msg_desc *
vdrm_msg_by_name(const struct vdrm_protocol_desc *p, const char *name)
{
   for (uint32_t i = 0; i < p->nmsgs; i++) {
      if (strcmp(p->msgs[i].name, name) == 0)
         return &p->msgs[i];
   }
   return NULL;
}
