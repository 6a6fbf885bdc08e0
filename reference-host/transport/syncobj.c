/* SPDX-License-Identifier: MIT */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

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
      vt_syncobj_unref(v);
   vh_idmap_fini(&t->map);
}

int
vt_syncobj_add(struct vt_syncobjs *t, struct vt_syncobj *s, uint32_t *handle)
{
   int ret;

   if (t->map.count >= t->max)
      return -ENOSPC;
   /* Handles are never reused while one is alive; skip 0 and live ones on wrap. */
   do {
      *handle = t->next++;
      if (!t->next)
         t->next = 1;
   } while (vh_idmap_get(&t->map, *handle));
   ret = vh_idmap_put(&t->map, *handle, s);
   if (ret)
      return ret;
   s->refs++;
   return 0;
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
   s->binary_fd = -1;
   s->token_fd = -1;
   if (flags & VT_SYNCOBJ_CREATE_SIGNALED) {
      s->binary_fence = true;
      s->binary_signaled = true;
   }
   ret = vt_syncobj_add(t, s, handle);
   if (ret)
      free(s);
   return ret;
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
   vt_syncobj_unref(v);
   return 0;
}

void
vt_syncobj_ref(struct vt_syncobj *s)
{
   s->refs++;
}

static void
drop_payload_fd(struct vt_syncobj *s)
{
   if (s->binary_fd >= 0)
      close(s->binary_fd);
   s->binary_fd = -1;
}

void
vt_syncobj_unref(struct vt_syncobj *s)
{
   if (--s->refs)
      return;
   drop_payload_fd(s);
   if (s->registry) {
      if (s->reg_prev)
         s->reg_prev->reg_next = s->reg_next;
      else
         s->registry->head = s->reg_next;
      if (s->reg_next)
         s->reg_next->reg_prev = s->reg_prev;
      close(s->token_fd);
   }
   free(s);
}

int
vt_syncobj_install_fd(struct vt_syncobj *s, int fence_fd)
{
   drop_payload_fd(s);
   s->binary_fence = fence_fd >= 0;
   s->binary_signaled = false;
   s->binary_fd = fence_fd;
   return fence_fd >= 0 ? 0 : -EINVAL;
}

void
vt_syncobj_install_point(struct vt_syncobj *s, uint64_t point)
{
   if (point > s->pending_point)
      s->pending_point = point;
}

void
vt_syncobj_signal_point(struct vt_syncobj *s, uint64_t point)
{
   if (point > s->point)
      s->point = point;
}

void
vt_syncobj_signal_now(struct vt_syncobj *s, uint64_t point)
{
   if (point) {
      vt_syncobj_signal_point(s, point);
      vt_syncobj_install_point(s, point);
      return;
   }
   drop_payload_fd(s);
   s->binary_fence = true;
   s->binary_signaled = true;
}

void
vt_syncobj_reset(struct vt_syncobj *s)
{
   drop_payload_fd(s);
   s->binary_fence = false;
   s->binary_signaled = false;
}

bool
vt_syncobj_ready(struct vt_syncobj *s, uint64_t point)
{
   if (point)
      return s->point >= point;
   if (s->binary_fd >= 0) {
      struct pollfd p = { .fd = s->binary_fd, .events = POLLIN };

      /* A descriptor that hung up or is invalid has nothing left to wait for. */
      if (poll(&p, 1, 0) != 0) {
         drop_payload_fd(s);
         s->binary_signaled = true;
      }
   }
   return s->binary_fence && s->binary_signaled;
}

bool
vt_syncobj_has_fence(const struct vt_syncobj *s, uint64_t point)
{
   return point ? s->point >= point || s->pending_point >= point : s->binary_fence;
}

int
vt_syncobj_export_fence(struct vt_syncobj *s, int *fd)
{
   if (!s->binary_fence)
      return -EINVAL;
   if (!vt_syncobj_ready(s, 0)) {
      *fd = fcntl(s->binary_fd, F_DUPFD_CLOEXEC, 0);
      return *fd < 0 ? -errno : 0;
   }
   /* Signalled: a fence descriptor that polls readable at once. */
   *fd = eventfd(1, EFD_CLOEXEC);
   return *fd < 0 ? -errno : 0;
}

int
vt_syncobj_export_token(struct vt_syncobj_registry *r, struct vt_syncobj *s, int *fd)
{
   if (!s->registry) {
      struct stat st;
      int tok = memfd_create("vdrm-syncobj", MFD_CLOEXEC);

      if (tok < 0)
         return -errno;
      if (fstat(tok, &st)) {
         int err = -errno;

         close(tok);
         return err;
      }
      s->token_fd = tok;
      s->token_dev = st.st_dev;
      s->token_ino = st.st_ino;
      s->registry = r;
      s->reg_prev = NULL;
      s->reg_next = r->head;
      if (r->head)
         r->head->reg_prev = s;
      r->head = s;
   }
   *fd = fcntl(s->token_fd, F_DUPFD_CLOEXEC, 0);
   return *fd < 0 ? -errno : 0;
}

struct vt_syncobj *
vt_syncobj_lookup_token(struct vt_syncobj_registry *r, int fd)
{
   struct stat st;

   if (fstat(fd, &st))
      return NULL;
   for (struct vt_syncobj *s = r->head; s; s = s->reg_next) {
      if (s->token_dev == st.st_dev && s->token_ino == st.st_ino)
         return s;
   }
   return NULL;
}
