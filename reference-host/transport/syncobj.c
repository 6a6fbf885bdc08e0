/* SPDX-License-Identifier: MIT */

#include <errno.h>
#include <stdlib.h>

#include "syncobj.h"

void
vt_syncobjs_init(struct vt_syncobjs *t, uint32_t max)
{
   *t = (struct vt_syncobjs){ .next = 1, .max = max };
}

void
vt_syncobjs_fini(struct vt_syncobjs *t)
{
   uint32_t key;
   void *v;

   while ((v = vh_idmap_pop(&t->map, &key)))
      free(v);
   vh_idmap_fini(&t->map);
}

int
vt_syncobj_create(struct vt_syncobjs *t, uint32_t flags, uint32_t *handle)
{
   struct vt_syncobj *s;
   int ret;

   if (t->map.count >= t->max)
      return -ENOSPC;
   s = calloc(1, sizeof(*s));
   if (!s)
      return -ENOMEM;
   if (flags & VT_SYNCOBJ_CREATE_SIGNALED) {
      s->binary_fence = true;
      s->binary_signaled = true;
   }
   /* Handles are never reused while one is alive; skip 0 and live ones on wrap. */
   do {
      *handle = t->next++;
      if (!t->next)
         t->next = 1;
   } while (vh_idmap_get(&t->map, *handle));
   ret = vh_idmap_put(&t->map, *handle, s);
   if (ret) {
      free(s);
      return ret;
   }
   return 0;
}

struct vt_syncobj *
vt_syncobj_get(struct vt_syncobjs *t, uint32_t handle)
{
   return handle ? vh_idmap_get(&t->map, handle) : NULL;
}

int
vt_syncobj_destroy(struct vt_syncobjs *t, uint32_t handle)
{
   void *v = handle ? vh_idmap_remove(&t->map, handle) : NULL;

   if (!v)
      return -ENOENT;
   free(v);
   return 0;
}

uint32_t
vt_syncobj_install(struct vt_syncobj *s, uint64_t point)
{
   if (point) {
      if (point > s->pending_point)
         s->pending_point = point;
      return 0;
   }
   s->binary_fence = true;
   s->binary_signaled = false;
   return ++s->binary_gen;
}

void
vt_syncobj_signal(struct vt_syncobj *s, uint64_t point, uint32_t gen)
{
   if (point) {
      if (point > s->point)
         s->point = point;
   } else if (s->binary_fence && s->binary_gen == gen) {
      s->binary_signaled = true;
   }
}

void
vt_syncobj_signal_now(struct vt_syncobj *s, uint64_t point)
{
   if (point) {
      if (point > s->point)
         s->point = point;
      if (point > s->pending_point)
         s->pending_point = point;
      return;
   }
   s->binary_gen++;
   s->binary_fence = true;
   s->binary_signaled = true;
}

void
vt_syncobj_reset(struct vt_syncobj *s)
{
   s->binary_gen++;
   s->binary_fence = false;
   s->binary_signaled = false;
}

bool
vt_syncobj_ready(const struct vt_syncobj *s, uint64_t point)
{
   return point ? s->point >= point : s->binary_fence && s->binary_signaled;
}

bool
vt_syncobj_has_fence(const struct vt_syncobj *s, uint64_t point)
{
   return point ? s->point >= point || s->pending_point >= point : s->binary_fence;
}
