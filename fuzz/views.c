/* SPDX-License-Identifier: MIT */

#include "views.h"

#include <string.h>

#include "fuzz.h"

static void
check_span(const char *what, const struct vdrm_span *span, const uint8_t *buf, size_t len)
{
   uintptr_t at = (uintptr_t)span->data, lo = (uintptr_t)buf;

   if (!span->size)
      return;
   FZ_CHECK(at >= lo && at - lo <= len && span->size <= len - (at - lo),
            "%s: a span of %u bytes at %+lld of a %zu-byte message", what, span->size,
            (long long)(at - lo), len);
}

/* The spans the records of a record chain locate, each inside the chain. */
static void
check_records(const struct vdrm_item_desc *it, const struct vdrm_span *chain, const uint8_t *buf, size_t len)
{
   const struct vdrm_records_desc *r = it->records;

   for (uint32_t off = 0; off < chain->size;) {
      struct vdrm_span item = { 0 };
      uint32_t kind, size;

      if (r->step(chain, off, &kind, &size, &item, NULL) != VDRM_OK)
         return;   /* the decoder accepted the chain, so only a kind it does not describe stops here */
      FZ_CHECK(size > 0 && size <= chain->size - off, "%s: record of %u bytes at %u of %u", it->name, size, off,
               chain->size);
      check_span(it->name, &item, chain->data + off, size);
      check_span(it->name, &item, buf, len);
      off += size;
   }
}

void
fz_check_views(const struct vdrm_body_desc *b, const void *view, const uint8_t *buf, size_t len)
{
   for (uint32_t i = 0; i < b->nitems; i++) {
      const struct vdrm_item_desc *it = &b->items[i];
      struct vdrm_span span;

      memcpy(&span, (const uint8_t *)view + it->span_offset, sizeof(span));
      check_span(it->name, &span, buf, len);
      if (it->kind == VDRM_ITEM_ARRAY && span.count)
         FZ_CHECK(span.size % span.count == 0, "%s: %u bytes for %u elements", it->name, span.size, span.count);
      if (it->kind == VDRM_ITEM_RECORDS && span.size)
         check_records(it, &span, buf, len);
   }
}

void
fz_check_error(const struct vdrm_error *err, int ret)
{
   FZ_CHECK(ret > VDRM_OK && ret < VDRM_STATUS_COUNT, "status %d", ret);
   FZ_CHECK((int)err->status == ret, "err.status %d, returned %d", err->status, ret);
   FZ_CHECK(err->command && err->command[0] && err->message[0], "a refusal without command or message (%s)",
            vdrm_status_name(err->status));
}
