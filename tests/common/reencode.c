#include "reencode.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct vdrm_span
reencode_span(const void *view, const struct vdrm_item_desc *it)
{
   struct vdrm_span span;

   memcpy(&span, (const uint8_t *)view + it->span_offset, sizeof(span));
   return span;
}

size_t
reencode_framed_bytes(const struct vdrm_body_desc *b, const uint8_t *msg, size_t len)
{
   uint64_t n = 0;

   if (vdrm_frame_bytes(b->framing, msg, len, &n) != VDRM_OK)
      return 0;
   return n > len ? len : (size_t)n;
}

size_t
reencode_cap(const struct vdrm_body_desc *b, size_t len)
{
   return (len > b->fixed->size ? len : b->fixed->size) + (b->pad_to ? b->pad_to : 1) + 8;
}

/* The bytes the trailer items of a decoded message occupy. */
static size_t
trailer_bytes(const struct vdrm_body_desc *b, const void *view)
{
   size_t n = 0;

   for (uint32_t i = 0; i < b->nitems; i++) {
      if (b->items[i].trailer)
         n += reencode_span(view, &b->items[i]).size;
   }
   return n;
}

/* What a byte of a message is, for the comparison of a re-encoding. */
enum { UNDESCRIBED, DESCRIBED, IGNORED };

/* Marks bytes [from, to) of mask (n bytes) as described by a field or item (or ignored). */
static void
mark(uint8_t *mask, size_t n, size_t from, size_t to, uint8_t what)
{
   for (size_t i = from; i < to && i < n; i++)
      mask[i] = what;
}

/* Marks the fields of desc at base, up to end (a shorter element or record). */
static void
mark_struct(uint8_t *mask, size_t n, size_t base, size_t end, const struct vdrm_struct_desc *desc)
{
   for (uint32_t i = 0; i < desc->nfields; i++) {
      const struct vdrm_field_desc *f = &desc->fields[i];

      for (uint32_t j = 0; j < f->count; j++) {
         size_t at = base + f->offset + (size_t)j * (f->type ? f->type->size : f->size);

         if (f->kind == VDRM_KIND_STRUCT || f->kind == VDRM_KIND_UNION)
            mark_struct(mask, n, at, end, f->type);
         else
            mark(mask, n, at, at + f->size < end ? at + f->size : end,
                 f->flags & VDRM_FIELD_IGNORED ? IGNORED : DESCRIBED);
      }
   }
}

/* Marks the bytes item it describes at span, which starts at base in the message. */
static void
mark_item(uint8_t *mask, size_t n, size_t base, const struct vdrm_item_desc *it,
          const struct vdrm_span *span)
{
   if (it->kind == VDRM_ITEM_TEXT || it->kind == VDRM_ITEM_DATA) {
      mark(mask, n, base, base + span->size, DESCRIBED);
   } else if (it->kind == VDRM_ITEM_ARRAY) {
      uint32_t stride = vdrm_span_stride(span, it->elem_size);
      size_t each = stride < it->elem_size ? stride : it->elem_size;

      for (uint32_t j = 0; j < span->count; j++) {
         size_t at = base + (size_t)j * stride;
         if (it->elem)
            mark_struct(mask, n, at, at + each, it->elem);
         else
            mark(mask, n, at, at + each, DESCRIBED);
      }
   } else {
      const struct vdrm_records_desc *r = it->records;

      for (uint32_t off = 0; off < span->size;) {
         uint32_t kind, size;
         struct vdrm_span item;

         if (r->step(span, off, &kind, &size, &item, NULL) != VDRM_OK || kind >= r->nkinds || !size)
            break;
         const struct vdrm_record_desc *k = &r->kinds[kind];
         size_t type_end = k->type->size < size ? k->type->size : size;
         mark_struct(mask, n, base + off, base + off + type_end, k->type);
         if (k->item && item.size)
            mark_item(mask, n, base + (size_t)(item.data - span->data), k->item, &item);
         off += size;
      }
   }
}

/* An accepted message and what its decoder returned. */
struct accepted {
   const struct vdrm_body_desc *b;
   const uint8_t *msg;
   uint32_t mlen;           /* the bytes of the message: the framed part its length gives, and the trailer */
   const void *view;
   char *why;
   size_t nwhy;
};

static int __attribute__((format(printf, 3, 4)))
differs(const struct accepted *a, size_t off, const char *fmt, ...)
{
   int used = snprintf(a->why, a->nwhy, "re-encodes differently at offset %zu: ", off);
   va_list ap;

   if (used >= 0 && (size_t)used < a->nwhy) {
      va_start(ap, fmt);
      vsnprintf(a->why + used, a->nwhy - (size_t)used, fmt, ap);
      va_end(ap);
   }
   return -1;
}

/*
 * Compares the re-encoding enc (elen bytes) of an accepted message with its
 * bytes; returns the normalisations that explain every difference, or -1.
 */
static int
compare_reencoded(const struct accepted *a, const uint8_t *enc, size_t elen)
{
   const struct vdrm_body_desc *b = a->b;
   size_t content_end = b->fixed->size, n, hdr_at = b->framing->length_offset;
   uint32_t enc_len;
   int norm = 0;
   uint8_t *described;

   for (uint32_t i = 0; i < b->nitems; i++) {
      struct vdrm_span span = reencode_span(a->view, &b->items[i]);
      if (span.size && (size_t)(span.data - a->msg) + span.size > content_end)
         content_end = (size_t)(span.data - a->msg) + span.size;
   }
   n = elen > a->mlen ? elen : a->mlen;
   n = n > content_end ? n : content_end;
   described = calloc(1, n);
   if (!described)
      abort();
   mark_struct(described, n, 0, b->fixed->size, b->fixed);
   for (uint32_t i = 0; i < b->nitems; i++) {
      struct vdrm_span span = reencode_span(a->view, &b->items[i]);
      if (span.size)
         mark_item(described, n, (size_t)(span.data - a->msg), &b->items[i], &span);
   }
   memcpy(&enc_len, enc + hdr_at, sizeof(enc_len));
   if (reencode_framed_bytes(b, enc, elen) + trailer_bytes(b, a->view) != elen)
      norm = differs(a, hdr_at, "the length says %u, the encoder wrote %zu bytes", enc_len, elen);
   for (size_t o = 0; o < n && norm >= 0; o++) {
      bool in_msg = o < a->mlen, in_enc = o < elen;
      uint8_t m = in_msg ? a->msg[o] : 0, e = in_enc ? enc[o] : 0;

      if (o >= hdr_at && o < hdr_at + 4)
         continue; /* hdr.len: follows the length, checked above and below */
      if (in_msg && in_enc && m == e)
         continue;
      if (in_msg && !in_enc && o >= content_end) {
         norm |= REENCODE_TRAILING;          /* (a) dropped: the tail beyond the content */
      } else if (!in_msg && in_enc && e == 0 && o < b->fixed->size) {
         norm |= REENCODE_ZERO_EXTEND;       /* (b) the fixed part of an older sender, completed */
      } else if (!in_msg && in_enc && e == 0 && b->pad_to > 1 && elen % b->pad_to == 0 &&
                 o >= a->mlen && a->mlen % b->pad_to != 0 && elen - a->mlen < b->pad_to) {
         norm |= REENCODE_PAD_TO;            /* (e) zeros up to the alignment the encoder pads to */
      } else if (in_msg && in_enc && e == 0 && o >= content_end) {
         norm |= REENCODE_TRAILING;          /* (a) trailing bytes inside the padded length, cleared */
      } else if (in_msg && in_enc && e == 0 && described[o] == UNDESCRIBED) {
         norm |= REENCODE_PADDING;           /* (c) a hole no field describes, cleared */
      } else if (in_msg && in_enc && e == 0 && described[o] == IGNORED) {
         norm |= REENCODE_IGNORED;           /* (d) a field the host ignores, cleared */
      } else if (in_msg || in_enc) {
         norm = differs(a, o, "%s %02x, re-encoded %s %02x", in_msg ? "accepted" : "beyond hdr.len", m,
                        in_enc ? "to" : "dropped,", e);
      }
   }
   if (norm >= 0 && a->mlen != elen &&
       !(norm & (REENCODE_TRAILING | REENCODE_ZERO_EXTEND | REENCODE_PAD_TO)))
      norm = differs(a, hdr_at, "hdr.len %u becomes %zu without trailing bytes or a short fixed part",
                     a->mlen, elen);
   free(described);
   return norm;
}

int
reencode_check(const struct vdrm_body_desc *b, const uint8_t *msg, size_t len, const void *fixed,
               const void *view, char *why, size_t n, int *identical)
{
   struct accepted a = { b, msg, 0, view, why, n };
   size_t cap, elen = 0;
   uint8_t *enc;
   int norm;

   a.mlen = (uint32_t)(reencode_framed_bytes(b, msg, len) + trailer_bytes(b, view));
   cap = reencode_cap(b, a.mlen);
   enc = malloc(cap);
   if (!enc)
      abort();
   if (b->encode(enc, cap, fixed, view, &elen) != VDRM_OK) {
      snprintf(why, n, "was accepted but does not re-encode in %zu bytes", cap);
      free(enc);
      return -1;
   }
   norm = compare_reencoded(&a, enc, elen);
   if (identical)
      *identical = elen == a.mlen && memcmp(enc, msg, elen) == 0;
   free(enc);
   return norm;
}
