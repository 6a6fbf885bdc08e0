/* SPDX-License-Identifier: MIT */

#include "vdrm_mutate.h"

#include <stdlib.h>
#include <string.h>

/* Requests of a stream the mutator tells apart; any after them ride along unchanged. */
#define MAX_REQUESTS 512u
/* The largest request struct the mutator copies (every context's are far smaller). */
#define MAX_STRUCT 2048u
/* Elements or bytes a built or resized item gets at most, so that messages stay small. */
#define SMALL_COUNT 5u
#define SOME_BYTES 64u
/* Bytes of the records or chunks a built request carries at most (three of asahi's largest records fit). */
#define MAX_BUILT 1024u
/* Attempts at a mutation that fits before giving up on the input. */
#define ATTEMPTS 8

/* splitmix64: a few lines, and the same sequence for the same seed everywhere. */
struct rng {
   uint64_t state;
};

static uint64_t
rng_next(struct rng *r)
{
   uint64_t z = (r->state += 0x9e3779b97f4a7c15ull);

   z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
   z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
   return z ^ (z >> 31);
}

static uint32_t
rng_below(struct rng *r, uint32_t n)
{
   return n ? (uint32_t)(rng_next(r) % n) : 0;
}

static bool
rng_one_in(struct rng *r, uint32_t n)
{
   return rng_below(r, n) == 0;
}

static uint32_t
get_u32(const uint8_t *p)
{
   uint32_t v;

   memcpy(&v, p, sizeof(v));
   return v;
}

static void
put_u32(uint8_t *p, uint32_t v)
{
   memcpy(p, &v, sizeof(v));
}

/* memcpy() that may be given no bytes (and then a NULL source). */
static void
copy(uint8_t *dst, const uint8_t *src, size_t n)
{
   if (n)
      memcpy(dst, src, n);
}

static uint64_t
get_field(const uint8_t *fixed, const struct vdrm_mut_field *f)
{
   uint64_t v = 0;

   memcpy(&v, fixed + f->offset, f->size);   /* little-endian hosts only, as the wire */
   return v;
}

static void
put_field(uint8_t *fixed, const struct vdrm_mut_field *f, uint64_t v)
{
   memcpy(fixed + f->offset, &v, f->size);
}

/* ---- the stream: where each request starts and ends ---- */

struct walk {
   uint32_t n;
   size_t off[MAX_REQUESTS + 1];   /* off[n]: where the walkable part ends */
};

/* Bytes of the valid request at buf (left bytes remain), or 0 when none starts there. */
static size_t
request_bytes(const struct vdrm_protocol_desc *p, const uint8_t *buf, size_t left)
{
   uint64_t extent;

   if (p->ccmd) {
      struct vdrm_ccmd_req hdr;

      if (left < sizeof(hdr))
         return 0;
      memcpy(&hdr, buf, sizeof(hdr));
      if (hdr.len < sizeof(hdr) || hdr.len > left || hdr.len % VDRM_STREAM_LEN_ALIGN ||
          hdr.rsp_off % p->alignment)
         return 0;
      return hdr.len;
   }
   if (left < p->request_framing->header_size ||
       p->request_extent(buf, left, &extent, NULL) != VDRM_OK ||
       extent < p->request_framing->header_size || extent > left)
      return 0;
   return (size_t)extent;
}

static void
walk_stream(const struct vdrm_protocol_desc *p, const uint8_t *data, size_t size, struct walk *w)
{
   size_t pos = 0, n;

   w->n = 0;
   while (pos < size && w->n < MAX_REQUESTS && (n = request_bytes(p, data + pos, size - pos)) != 0) {
      w->off[w->n++] = pos;
      pos += n;
   }
   w->off[w->n] = pos;
}

const struct vdrm_mut_msg *
vdrm_mut_msg_by_opcode(const struct vdrm_mutator_desc *ctx, uint32_t opcode)
{
   for (uint32_t i = 0; i < ctx->nmsgs; i++) {
      if (ctx->msgs[i].opcode == opcode)
         return &ctx->msgs[i];
   }
   return NULL;
}

static const struct vdrm_framing *
request_framing(const struct vdrm_mutator_desc *ctx, uint32_t opcode)
{
   const struct vdrm_msg_desc *d = vdrm_msg_by_opcode(ctx->protocol, opcode);

   return d && d->req.framing ? d->req.framing : ctx->protocol->request_framing;
}

static uint32_t
request_opcode(const struct vdrm_mutator_desc *ctx, const uint8_t *msg)
{
   const struct vdrm_framing *f = ctx->protocol->request_framing;

   return f->cmd_offset >= 0 ? get_u32(msg + f->cmd_offset) : 0;
}

/* ---- values ---- */

static uint64_t
field_mask(const struct vdrm_mut_field *f)
{
   return f->size >= 8 ? UINT64_MAX : (1ull << (8u * f->size)) - 1u;
}

/* A value a checker gets wrong: the edges of the type, one off the old value, random bits. */
static uint64_t
interesting(const struct vdrm_mut_field *f, uint64_t old, struct rng *r)
{
   uint64_t all = field_mask(f);

   switch (rng_below(r, 8)) {
   case 0: return 0;
   case 1: return 1;
   case 2: return all;
   case 3: return all >> 1;              /* the largest signed value */
   case 4: return (all >> 1) + 1u;       /* the smallest signed value */
   case 5: return old + 1u;
   case 6: return old - 1u;
   default: return rng_next(r);
   }
}

static bool
has_max(const struct vdrm_mut_field *f)
{
   return f->max != VDRM_MUT_NO_MAX;
}

/* Mostly what a host accepts of a bounded field: at least min, in its grain (values[0]). */
static uint64_t
plausible(const struct vdrm_mut_field *f, uint64_t v, struct rng *r)
{
   if (rng_one_in(r, 8))
      return v;
   if (f->nvalues && f->values[0] > 1)
      v -= v % f->values[0];
   return v < f->min ? f->min : v;
}

/* A value for an item's count or length: small mostly, the limit and one past it. */
static uint64_t
size_value(const struct vdrm_mut_field *f, uint64_t old, struct rng *r)
{
   uint64_t small = f->nvalues && f->values[0] > 1 ? f->values[0] * rng_below(r, SMALL_COUNT)
                                                   : rng_below(r, SMALL_COUNT);

   switch (rng_below(r, 10)) {
   case 0: return has_max(f) ? f->max : plausible(f, rng_below(r, SOME_BYTES), r);
   case 1: return has_max(f) ? f->max + 1u : old + 1u;
   case 2: return old + 1u;
   case 3: return old ? old - 1u : 0;
   case 4: return plausible(f, rng_below(r, SOME_BYTES), r);
   default: return plausible(f, small, r);
   }
}

static uint64_t
pick_value(const struct vdrm_mut_field *f, uint64_t old, struct rng *r)
{
   uint64_t v;

   switch (f->role) {
   case VDRM_MUT_ZERO:
      v = rng_one_in(r, 8) ? interesting(f, old, r) : 0;
      break;
   case VDRM_MUT_VALUES:
      if (f->nvalues && !rng_one_in(r, f->closed ? 16 : 4))
         v = f->values[rng_below(r, f->nvalues)];
      else
         v = interesting(f, old, r);
      break;
   case VDRM_MUT_FLAGS:
      if (f->nvalues && !rng_one_in(r, f->closed ? 16 : 4)) {
         v = 0;
         for (uint32_t i = 0; i < f->nvalues; i++) {
            if (rng_one_in(r, 3))
               v |= f->values[i];
         }
      } else {
         v = old ^ (1ull << rng_below(r, 8u * f->size));
      }
      break;
   case VDRM_MUT_SIZE:
      v = size_value(f, old, r);
      break;
   case VDRM_MUT_RANGE:
      if (!rng_one_in(r, 4)) {
         /* Inside the bounds; without a maximum, near the minimum. */
         uint64_t span = !has_max(f) ? SOME_BYTES : f->max > f->min ? f->max - f->min : 0;

         v = f->min + (span < UINT32_MAX ? rng_below(r, (uint32_t)span + 1u) : rng_next(r) % span);
         if (f->nvalues && f->values[0] > 1)
            v -= v % f->values[0];
      } else {
         switch (rng_below(r, 4)) {
         case 0: v = f->min; break;
         case 1: v = f->min ? f->min - 1u : 0; break;
         case 2: v = has_max(f) ? f->max + 1u : f->min + 1u; break;
         default: v = interesting(f, old, r); break;
         }
      }
      break;
   case VDRM_MUT_ID:
      v = rng_one_in(r, 8) ? interesting(f, old, r) : rng_below(r, 8);
      break;
   default:
      v = interesting(f, old, r);
      break;
   }
   return v & field_mask(f);
}

/* ---- laying out one request ---- */

static uint32_t
round_up(uint64_t v, uint32_t unit)
{
   return (uint32_t)((v + unit - 1u) / unit * unit);
}

/*
 * Writes a request of row m into out (cap bytes): the fixed part, then var
 * (var_len bytes of a variable part) cut or zero-extended to the length the
 * fixed part gives, and a header that frames it. Returns its bytes, 0 when
 * it does not fit.
 */
static size_t
lay_out(const struct vdrm_mutator_desc *ctx, const struct vdrm_mut_msg *m, const uint8_t *fixed,
        uint32_t rest, const uint8_t *var, size_t var_len, uint8_t *out, size_t cap)
{
   const struct vdrm_protocol_desc *p = ctx->protocol;
   const struct vdrm_framing *f = request_framing(ctx, m->opcode);
   uint64_t trailer = 0;
   uint64_t total = m->size ? m->size(fixed, rest, &trailer) : m->fixed_size;
   uint64_t framed, counted;
   size_t n;

   if (total > UINT32_MAX || trailer > total || total - trailer < m->fixed_size)
      return 0;
   /* The stream rules: whole dwords on the ccmd stream, whole units elsewhere. */
   framed = round_up(total - trailer, p->ccmd ? VDRM_STREAM_LEN_ALIGN : f->unit);
   total = framed + trailer;
   if (total > cap || total > UINT32_MAX)
      return 0;
   memcpy(out, fixed, m->fixed_size);
   n = (size_t)total - m->fixed_size;
   if (var_len > n)
      var_len = n;
   if (var_len)
      memcpy(out + m->fixed_size, var, var_len);
   memset(out + m->fixed_size + var_len, 0, n - var_len);
   counted = f->counts_header ? framed : framed - f->header_size;
   put_u32(out + f->length_offset, (uint32_t)(counted / f->unit));
   if (f->cmd_offset >= 0)
      put_u32(out + f->cmd_offset, m->opcode);
   if (p->ccmd) {
      /* The walker refuses a misaligned rsp_off: keep the one the request had, aligned. */
      uint32_t rsp_off = get_u32(out + offsetof(struct vdrm_ccmd_req, rsp_off));

      put_u32(out + offsetof(struct vdrm_ccmd_req, rsp_off), rsp_off - rsp_off % p->alignment);
   }
   return (size_t)total;
}

/* Elements of the item taking the rest in a request of len bytes (0 when it has none). */
static uint32_t
rest_count(const struct vdrm_mut_msg *m, size_t len)
{
   if (!m->rest_unit || len <= m->fixed_size)
      return 0;
   return (uint32_t)((len - m->fixed_size) / m->rest_unit);
}

/* The header fields every ccmd request has beyond cmd and len. */
static void
plausible_ccmd_header(const struct vdrm_mutator_desc *ctx, uint8_t *fixed, struct rng *r)
{
   uint32_t align = ctx->protocol->alignment;

   put_u32(fixed + offsetof(struct vdrm_ccmd_req, seqno), rng_below(r, 64));
   put_u32(fixed + offsetof(struct vdrm_ccmd_req, rsp_off), rng_one_in(r, 2) ? 0 : rng_below(r, 64) * align);
}

/*
 * A record chain of one to three records into buf (at most cap bytes):
 * each a zeroed struct of its kind, its tag and the fields the host checks
 * set. Returns its bytes.
 */
static size_t
build_chain(const struct vdrm_mut_chain *c, struct rng *r, uint8_t *buf, size_t cap)
{
   size_t used = 0;

   for (uint32_t i = 1 + rng_below(r, 3); i > 0 && c->nkinds; i--) {
      const struct vdrm_mut_record *k = &c->kinds[rng_below(r, c->nkinds)];
      uint8_t *rec = buf + used;

      if (k->size > cap - used)
         break;
      memset(rec, 0, k->size);
      if (c->tag_size)
         memcpy(rec + c->tag_offset, &k->tag, c->tag_size);
      for (uint32_t j = 0; j < k->nfields; j++) {
         const struct vdrm_mut_field *f = &k->fields[j];

         /* What a host checks gets a value it takes; the rest (and the record's own item) stays zero. */
         if (f->role == VDRM_MUT_VALUES && f->closed && f->nvalues)
            put_field(rec, f, f->values[rng_below(r, f->nvalues)]);
         else if (f->role == VDRM_MUT_VALUES || f->role == VDRM_MUT_RANGE || f->role == VDRM_MUT_ID ||
                  (f->role == VDRM_MUT_FLAGS && f->closed))
            put_field(rec, f, pick_value(f, 0, r));
      }
      used += k->size;
   }
   return used;
}

/*
 * A chunk table of one to three descriptors (b's first item) and the chunks
 * they locate (its second) into buf: each chunk of another kind, as large
 * as its kind says, zeroed, at an 8-byte-aligned offset (every kind's
 * alignment divides 8). *count: descriptors, *region: the chunks' bytes.
 * Returns the bytes written, 0 when they do not fit.
 */
static size_t
build_chunks(const struct vdrm_body_desc *b, struct rng *r, uint8_t *buf, size_t cap, uint32_t *count,
             size_t *region)
{
   const struct vdrm_item_desc *table = &b->items[0];
   const struct vdrm_chunks_desc *c = b->nitems > 1 ? b->items[1].chunks : NULL;
   uint32_t n, first;
   size_t table_bytes, off = 0;

   if (!c || !c->nkinds || !c->length_unit)
      return 0;
   /* Distinct kinds: some may come once only (amdgpu's BO_HANDLES). */
   n = 1 + rng_below(r, c->nkinds < 3 ? c->nkinds : 3);
   first = rng_below(r, c->nkinds);
   table_bytes = (size_t)n * table->elem_size;
   if (table_bytes > cap)
      return 0;
   memset(buf, 0, table_bytes);
   for (uint32_t i = 0; i < n; i++) {
      const struct vdrm_chunk_desc *k = &c->kinds[(first + i) % c->nkinds];
      uint8_t *desc = buf + (size_t)i * table->elem_size;
      size_t size = k->type ? k->type->size : 0, start = (off + 7u) & ~(size_t)7u;
      uint64_t v;

      if (k->size_rule == VDRM_CHUNK_ARRAY)
         size *= rng_below(r, 3);
      else if (k->size_rule == VDRM_CHUNK_ANY)
         size = rng_below(r, 16);
      size = (size + c->length_unit - 1u) / c->length_unit * c->length_unit;
      if (size > cap - table_bytes || start > cap - table_bytes - size)
         return 0;
      /* The chunk and the alignment gap before it: zero, never stack bytes. */
      memset(buf + table_bytes + off, 0, start + size - off);
      off = start;
      v = k->id;
      memcpy(desc + c->id_offset, &v, c->id_size);
      v = off;
      memcpy(desc + c->offset_offset, &v, c->offset_size);
      v = size / c->length_unit;
      memcpy(desc + c->length_offset, &v, c->length_size);
      off += size;
   }
   *count = n;
   *region = off;
   return table_bytes + off;
}

/* A fresh request of row m with plausible fields, its items small. */
static size_t
build(const struct vdrm_mutator_desc *ctx, const struct vdrm_mut_msg *m, struct rng *r, uint8_t *out,
      size_t cap)
{
   _Alignas(8) uint8_t fixed[MAX_STRUCT];
   uint8_t var[MAX_BUILT];
   const struct vdrm_msg_desc *d = vdrm_msg_by_opcode(ctx->protocol, m->opcode);
   size_t var_len = 0, n, header = ctx->protocol->request_framing->header_size, region;
   uint32_t rest = rng_below(r, SMALL_COUNT), count;

   if (m->struct_size > sizeof(fixed))
      return 0;
   memset(fixed, 0, m->struct_size);
   if (ctx->protocol->ccmd)
      plausible_ccmd_header(ctx, fixed, r);
   for (uint32_t i = 0; i < m->nfields; i++) {
      const struct vdrm_mut_field *f = &m->fields[i];

      if (f->role == VDRM_MUT_SIZE)
         put_field(fixed, f, plausible(f, (f->nvalues ? f->values[0] : 1u) * rng_below(r, SMALL_COUNT), r));
      else if (f->role != VDRM_MUT_ZERO && (f->closed || f->role == VDRM_MUT_VALUES ||
                                           f->role == VDRM_MUT_RANGE || rng_one_in(r, 2)))
         put_field(fixed, f, pick_value(f, 0, r));
   }
   /* Items mostly zero (padding and must-be-zero members pass), sometimes random. */
   if (m->chunks && d && !rng_one_in(r, 8) &&
       (var_len = build_chunks(&d->req, r, var, sizeof(var), &count, &region)) != 0) {
      uint64_t v = count;

      memcpy(fixed + m->chunks->count_offset, &v, m->chunks->count_size);
      v = region;
      if (m->chunks->length_offset >= 0)
         memcpy(fixed + m->chunks->length_offset, &v, m->chunks->length_size);
      else if (m->rest_unit)
         rest = (uint32_t)(region / m->rest_unit);
   } else if (m->chain && !rng_one_in(r, 8)) {
      uint64_t bytes;

      var_len = build_chain(m->chain, r, var, sizeof(var));
      bytes = var_len;
      memcpy(fixed + m->chain->length_offset, &bytes, m->chain->length_size);
   } else if (rng_one_in(r, 4)) {
      var_len = SOME_BYTES;
      for (size_t i = 0; i < var_len; i++)
         var[i] = (uint8_t)rng_next(r);
   }
   n = lay_out(ctx, m, fixed, rest, var, var_len, out, cap);
   if (n == 0) {
      /* A value sized it past cap (an ioctl number's size, a length): the smallest request instead. */
      memset(fixed + header, 0, m->struct_size - header);
      n = lay_out(ctx, m, fixed, 0, NULL, 0, out, cap);
   }
   return n;
}

int
vdrm_mutate_build(const struct vdrm_mutator_desc *ctx, unsigned int seed, uint8_t *buf, size_t cap,
                  size_t *len)
{
   struct rng r = { seed };

   if (!ctx->nmsgs)
      return VDRM_E_NOSPC;
   *len = build(ctx, &ctx->msgs[rng_below(&r, ctx->nmsgs)], &r, buf, cap);
   return *len ? VDRM_OK : VDRM_E_NOSPC;
}

/* The fixed part of the request msg (len bytes) in fixed, zero-extended; false when too big. */
static bool
copy_fixed(const struct vdrm_mut_msg *m, const uint8_t *msg, size_t len, uint8_t *fixed)
{
   if (m->struct_size > MAX_STRUCT)
      return false;
   memset(fixed, 0, m->struct_size);
   memcpy(fixed, msg, len < m->fixed_size ? len : m->fixed_size);
   return true;
}

/* The variable part of a request of len bytes: what follows its fixed part. */
static size_t
var_bytes(const struct vdrm_mut_msg *m, size_t len)
{
   return len > m->fixed_size ? len - m->fixed_size : 0;
}

/*
 * The view the context's decoder makes of msg (its spans point into msg;
 * the caller frees it), or NULL when it refuses msg or memory runs out.
 */
static void *
decode_view(const struct vdrm_msg_desc *d, const struct vdrm_mut_msg *m, const uint8_t *msg, size_t len)
{
   void *req = calloc(1, m->struct_size);
   void *view = calloc(1, d->req.view_size ? d->req.view_size : 1);

   if (!req || !view || d->req.decode(msg, len, req, view, NULL) != VDRM_OK) {
      free(view);
      view = NULL;
   }
   free(req);
   return view;
}

/*
 * A field of one element of an array of structs changed in place (the
 * request's bytes copied into out; its length stays). The elements are
 * located by the context's decoder, so only in a request it accepts. 0 when
 * it does not or the array is empty.
 */
static size_t
mutate_element(const struct vdrm_mutator_desc *ctx, const struct vdrm_mut_msg *m, const uint8_t *msg,
               size_t len, struct rng *r, uint8_t *out, size_t cap)
{
   const struct vdrm_msg_desc *d = vdrm_msg_by_opcode(ctx->protocol, m->opcode);
   const struct vdrm_mut_item *it = &m->items[rng_below(r, m->nitems)];
   const struct vdrm_mut_field *f = &it->fields[rng_below(r, it->nfields)];
   const struct vdrm_item_desc *item;
   struct vdrm_span span;
   void *view;
   size_t n = 0;

   if (!d || !d->req.decode || it->item >= d->req.nitems || len > cap || !(view = decode_view(d, m, msg, len)))
      return 0;
   item = &d->req.items[it->item];
   memcpy(&span, (const uint8_t *)view + item->span_offset, sizeof(span));
   if (span.count) {
      uint32_t stride = vdrm_span_stride(&span, item->elem_size);
      size_t at = (size_t)(span.data - msg) + (size_t)rng_below(r, span.count) * stride;

      /* A stride shorter than the struct leaves its last fields out. */
      if (f->offset + f->size <= stride) {
         memcpy(out, msg, len);
         put_field(out + at, f, pick_value(f, get_field(out + at, f), r));
         n = len;
      }
   }
   free(view);
   return n;
}

/* Records of a chain the mutator tells apart; any after them are left alone. */
#define MAX_RECORDS 64u

/*
 * A field of one record of the request's record chain changed in place, the
 * records found by the context's decoder and its record step. 0 when the
 * decoder refuses the request or the chain is empty.
 */
static size_t
mutate_record(const struct vdrm_mutator_desc *ctx, const struct vdrm_mut_msg *m, const uint8_t *msg,
              size_t len, struct rng *r, uint8_t *out, size_t cap)
{
   const struct vdrm_msg_desc *d = vdrm_msg_by_opcode(ctx->protocol, m->opcode);
   const struct vdrm_records_desc *rd;
   struct vdrm_span chain, item;
   uint32_t offs[MAX_RECORDS], kinds[MAX_RECORDS], sizes[MAX_RECORDS], count = 0, off = 0;
   void *view;
   size_t n = 0;

   if (!d || !d->req.nitems || !(rd = d->req.items[0].records) || !rd->step || len > cap ||
       !(view = decode_view(d, m, msg, len)))
      return 0;
   memcpy(&chain, (const uint8_t *)view + d->req.items[0].span_offset, sizeof(chain));
   while (count < MAX_RECORDS && off < chain.size &&
          rd->step(&chain, off, &kinds[count], &sizes[count], &item, NULL) == VDRM_OK && sizes[count]) {
      offs[count] = off;
      off += sizes[count++];
   }
   if (count) {
      uint32_t j = rng_below(r, count);
      const struct vdrm_mut_record *k = kinds[j] < m->chain->nkinds ? &m->chain->kinds[kinds[j]] : NULL;
      const struct vdrm_mut_field *f = k && k->nfields ? &k->fields[rng_below(r, k->nfields)] : NULL;

      if (f && f->offset + f->size <= sizes[j]) {
         size_t at = (size_t)(chain.data - msg) + offs[j];

         memcpy(out, msg, len);
         put_field(out + at, f, pick_value(f, get_field(out + at, f), r));
         n = len;
      }
   }
   free(view);
   return n;
}

/*
 * One request rewritten into out: a field changed (and its length
 * following), its opcode changed, its header's other fields changed, or its
 * item taking the rest resized. 0 when the result does not fit.
 */
static size_t
rewrite(const struct vdrm_mutator_desc *ctx, const uint8_t *msg, size_t len, struct rng *r, uint8_t *out,
        size_t cap)
{
   _Alignas(8) uint8_t fixed[MAX_STRUCT];
   const struct vdrm_mut_msg *m = vdrm_mut_msg_by_opcode(ctx, request_opcode(ctx, msg));
   const struct vdrm_mut_field *off_by_one = NULL;
   uint32_t rest;
   size_t n;

   if (!m || rng_one_in(r, 10)) {
      /* Reread the bytes as another request: a valid opcode from the table. */
      m = &ctx->msgs[rng_below(r, ctx->nmsgs)];
      if (!copy_fixed(m, msg, len, fixed))
         return 0;
      return lay_out(ctx, m, fixed, rest_count(m, len), msg + (len < m->fixed_size ? len : m->fixed_size),
                     var_bytes(m, len), out, cap);
   }
   if ((m->nitems || m->chain) && rng_one_in(r, 3)) {
      /* Inside the request's arrays of structs or its records. */
      n = m->chain && (!m->nitems || rng_one_in(r, 2)) ? mutate_record(ctx, m, msg, len, r, out, cap)
                                                       : mutate_element(ctx, m, msg, len, r, out, cap);
      if (n)
         return n;
   }
   if (!copy_fixed(m, msg, len, fixed))
      return 0;
   rest = rest_count(m, len);
   switch (rng_below(r, 8)) {
   case 0:
      if (ctx->protocol->ccmd) {
         plausible_ccmd_header(ctx, fixed, r);
         break;
      }
      /* fall through */
   case 1:
      if (m->rest_unit) {
         rest = rng_one_in(r, 2) ? rng_below(r, SMALL_COUNT) : rest + 1u;
         break;
      }
      /* fall through */
   default:
      if (m->nfields) {
         const struct vdrm_mut_field *f = &m->fields[rng_below(r, m->nfields)];

         put_field(fixed, f, pick_value(f, get_field(fixed, f), r));
         if (f->role == VDRM_MUT_SIZE && rng_one_in(r, 16))
            off_by_one = f;
      } else if (ctx->protocol->ccmd) {
         plausible_ccmd_header(ctx, fixed, r);
      } else {
         return 0;   /* nothing to change in a request without fields: another mutation */
      }
      break;
   }
   n = lay_out(ctx, m, fixed, rest, msg + (len < m->fixed_size ? len : m->fixed_size), var_bytes(m, len),
               out, cap);
   if (n && off_by_one) {
      /* A count that disagrees with its item by one, on purpose: the length stays as laid out. */
      uint64_t v = get_field(out, off_by_one);

      put_field(out, off_by_one, (rng_one_in(r, 2) ? v + 1u : v - 1u) & field_mask(off_by_one));
      /* Off the ccmd stream a count of the trailer moves the next request: not that one. */
      if (request_bytes(ctx->protocol, out, n) != n)
         put_field(out, off_by_one, v);
   }
   return n;
}

/* Byte mutation of what follows a request's header (its header and length kept). */
static size_t
havoc(const struct vdrm_mutator_desc *ctx, const uint8_t *msg, size_t len, struct rng *r, uint8_t *out,
      size_t cap, size_t (*fallback)(uint8_t *, size_t, size_t))
{
   size_t header = ctx->protocol->request_framing->header_size, body = len - header, got;
   const struct vdrm_mut_msg *m;
   _Alignas(8) uint8_t fixed[MAX_STRUCT];

   if (len > cap || len <= header)
      return 0;
   memcpy(out, msg, len);
   if (fallback) {
      got = fallback(out + header, body, body);
      if (got < body)
         memset(out + header + got, 0, body - got);
   } else {
      for (uint32_t i = 1 + rng_below(r, 4); i > 0; i--)
         out[header + rng_below(r, (uint32_t)body)] ^= (uint8_t)(1u << rng_below(r, 8));
   }
   /* Off the ccmd stream a request's size lives in its fields: lay it out again so the stream holds. */
   m = vdrm_mut_msg_by_opcode(ctx, request_opcode(ctx, out));
   if (m && (!ctx->protocol->ccmd || rng_one_in(r, 2)) && copy_fixed(m, out, len, fixed)) {
      uint8_t *copy = malloc(len);
      size_t n = 0;

      if (copy) {
         memcpy(copy, out, len);
         n = lay_out(ctx, m, fixed, rest_count(m, len), copy + m->fixed_size, var_bytes(m, len), out, cap);
         free(copy);
      }
      return n;
   }
   return len;
}

/* ---- the stream ---- */

/*
 * out = data with requests [a, b) replaced by ins (ins_len bytes), the
 * garbage after the walkable part kept unless drop_tail. Returns the new
 * size, 0 when it would exceed max.
 */
static size_t
splice(const uint8_t *data, size_t size, const struct walk *w, uint32_t a, uint32_t b, const uint8_t *ins,
       size_t ins_len, bool drop_tail, uint8_t *out, size_t max)
{
   size_t head = w->off[a], tail_from = w->off[b], tail_to = drop_tail ? w->off[w->n] : size;
   size_t total;

   if (tail_to < tail_from)
      tail_to = tail_from;
   total = head + ins_len + (size - tail_from) - (size - tail_to);
   if (total > max || total == 0)
      return 0;
   copy(out, data, head);
   copy(out + head, ins, ins_len);
   copy(out + head + ins_len, data + tail_from, tail_to - tail_from);
   return total;
}

static size_t
request_len(const struct walk *w, uint32_t i)
{
   return w->off[i + 1] - w->off[i];
}

/* One attempt: the new stream in out, its size, or 0 when this mutation did not fit. */
static size_t
mutate_once(const struct vdrm_mutator_desc *ctx, const uint8_t *data, size_t size, const struct walk *w,
            struct rng *r, uint8_t *out, uint8_t *scratch, size_t max,
            size_t (*fallback)(uint8_t *, size_t, size_t))
{
   uint32_t n = w->n, i = rng_below(r, n), j = rng_below(r, n + 1u);
   size_t len;
   /* Bytes after the last request that are no request (not just past MAX_REQUESTS). */
   bool garbage = w->off[n] < size && request_bytes(ctx->protocol, data + w->off[n], size - w->off[n]) == 0;

   if (n == 0 || rng_one_in(r, 8)) {
      if (garbage && rng_one_in(r, 4))
         return splice(data, size, w, n, n, NULL, 0, true, out, max);
      len = build(ctx, &ctx->msgs[rng_below(r, ctx->nmsgs)], r, scratch, max);
      return len ? splice(data, size, w, j, j, scratch, len, false, out, max) : 0;
   }
   switch (rng_below(r, 16)) {
   case 0:
      if (n > 1)
         return splice(data, size, w, i, i + 1u, NULL, 0, false, out, max);
      /* fall through */
   case 1:   /* the same request again, right after or elsewhere */
      j = rng_one_in(r, 2) ? i + 1u : j;
      return splice(data, size, w, j, j, data + w->off[i], request_len(w, i), false, out, max);
   case 2:   /* two requests swapped */
      if (n > 1) {
         uint32_t a = i < j ? i : j, b = i < j ? j : i;

         if (b >= n || a == b)
            return 0;
         len = 0;
         memcpy(scratch, data + w->off[b], request_len(w, b));
         len += request_len(w, b);
         memcpy(scratch + len, data + w->off[a + 1u], w->off[b] - w->off[a + 1u]);
         len += w->off[b] - w->off[a + 1u];
         memcpy(scratch + len, data + w->off[a], request_len(w, a));
         len += request_len(w, a);
         return splice(data, size, w, a, b + 1u, scratch, len, false, out, max);
      }
      return 0;
   case 3:
   case 4:
      len = havoc(ctx, data + w->off[i], request_len(w, i), r, scratch, max, fallback);
      return len ? splice(data, size, w, i, i + 1u, scratch, len, false, out, max) : 0;
   default:
      len = rewrite(ctx, data + w->off[i], request_len(w, i), r, scratch, max);
      return len ? splice(data, size, w, i, i + 1u, scratch, len, false, out, max) : 0;
   }
}

size_t
vdrm_mutate_stream(const struct vdrm_mutator_desc *ctx, uint8_t *data, size_t size, size_t max_size,
                   unsigned int seed, size_t (*fallback)(uint8_t *, size_t, size_t))
{
   struct rng r = { seed };
   struct walk *w;
   uint8_t *out, *scratch;
   size_t got = 0;

   if (size > max_size)
      size = max_size;
   if (!data || max_size == 0 || ctx->nmsgs == 0)
      return data ? size : 0;
   w = malloc(sizeof(*w));
   out = malloc(max_size);
   scratch = malloc(max_size);
   if (!w || !out || !scratch)
      goto out;
   walk_stream(ctx->protocol, data, size, w);
   if (w->n == 0 && size > 0 && fallback && rng_one_in(&r, 4)) {
      /* Nothing a host would walk: plain byte mutation may find a stream in it. */
      got = fallback(data, size, max_size);
      goto out;
   }
   for (int attempt = 0; attempt < ATTEMPTS && !got; attempt++) {
      got = mutate_once(ctx, data, size, w, &r, out, scratch, max_size, fallback);
      /* A value set to what it was is no mutation: try another. */
      if (got == size && memcmp(out, data, size) == 0)
         got = 0;
   }
   if (got)
      memcpy(data, out, got);
   else
      got = size;
out:
   free(w);
   free(out);
   free(scratch);
   return got ? got : size;
}

size_t
vdrm_crossover_stream(const struct vdrm_mutator_desc *ctx, const uint8_t *a, size_t a_size, const uint8_t *b,
                      size_t b_size, uint8_t *out, size_t max_out, unsigned int seed)
{
   struct rng r = { seed };
   struct walk *wa = malloc(sizeof(*wa)), *wb = malloc(sizeof(*wb));
   size_t head, run, rest, got = 0;
   uint32_t i, j, k;

   if (!wa || !wb || !out)
      goto out;
   if (!a)
      a_size = 0;
   if (!b)
      b_size = 0;
   walk_stream(ctx->protocol, a, a_size, wa);
   walk_stream(ctx->protocol, b, b_size, wb);
   /* a's first i requests, b's requests j .. k-1, then the rest of a's. */
   i = rng_below(&r, wa->n + 1u);
   j = rng_below(&r, wb->n + 1u);
   k = j + rng_below(&r, wb->n - j + 1u);
   head = wa->off[i];
   rest = wa->off[wa->n] - head;
   if (head > max_out)
      goto out;
   while (k > j && head + (wb->off[k] - wb->off[j]) > max_out)
      k--;
   run = wb->off[k] - wb->off[j];
   if (head + run + rest > max_out)
      rest = 0;
   copy(out, a, head);
   copy(out + head, b ? b + wb->off[j] : NULL, run);
   copy(out + head + run, a ? a + head : NULL, rest);
   got = head + run + rest;
out:
   free(wa);
   free(wb);
   return got;
}
