/* SPDX-License-Identifier: MIT */

#include "idmap.h"

#include <errno.h>
#include <stdlib.h>

static uint32_t
slot_of(const struct vh_idmap *m, uint32_t key)
{
   return (key * 0x9e3779b1u) & (m->cap - 1);
}

static int
grow(struct vh_idmap *m)
{
   uint32_t cap = m->cap ? m->cap * 2 : 16;
   struct vh_idmap n = { 0 };

   if (cap == 0 || cap > (1u << 30))
      return -ENOMEM;
   n.keys = calloc(cap, sizeof(*n.keys));
   n.vals = calloc(cap, sizeof(*n.vals));
   if (!n.keys || !n.vals) {
      free(n.keys);
      free(n.vals);
      return -ENOMEM;
   }
   n.cap = cap;
   for (uint32_t i = 0; i < m->cap; i++) {
      if (m->keys[i]) {
         uint32_t s = slot_of(&n, m->keys[i]);

         while (n.keys[s])
            s = (s + 1) & (cap - 1);
         n.keys[s] = m->keys[i];
         n.vals[s] = m->vals[i];
         n.count++;
      }
   }
   free(m->keys);
   free(m->vals);
   *m = n;
   return 0;
}

int
vh_idmap_put(struct vh_idmap *m, uint32_t key, void *val)
{
   uint32_t s;

   if (key == 0)
      return -EINVAL;
   if (vh_idmap_get(m, key))
      return -EEXIST;
   /* Keep the load at most one half. */
   if ((uint64_t)(m->count + 1) * 2 > m->cap) {
      int ret = grow(m);

      if (ret)
         return ret;
   }
   s = slot_of(m, key);
   while (m->keys[s])
      s = (s + 1) & (m->cap - 1);
   m->keys[s] = key;
   m->vals[s] = val;
   m->count++;
   return 0;
}

static int64_t
find(const struct vh_idmap *m, uint32_t key)
{
   uint32_t s;

   if (!m->cap || key == 0)
      return -1;
   s = slot_of(m, key);
   while (m->keys[s]) {
      if (m->keys[s] == key)
         return s;
      s = (s + 1) & (m->cap - 1);
   }
   return -1;
}

void *
vh_idmap_get(const struct vh_idmap *m, uint32_t key)
{
   int64_t s = find(m, key);

   return s < 0 ? NULL : m->vals[s];
}

static void
remove_slot(struct vh_idmap *m, uint32_t s)
{
   uint32_t mask = m->cap - 1;
   uint32_t hole = s;
   uint32_t i = (s + 1) & mask;

   /* Backward shift: move later entries of the run into the hole when their home allows. */
   while (m->keys[i]) {
      uint32_t home = slot_of(m, m->keys[i]);

      if (((i - home) & mask) >= ((i - hole) & mask)) {
         m->keys[hole] = m->keys[i];
         m->vals[hole] = m->vals[i];
         hole = i;
      }
      i = (i + 1) & mask;
   }
   m->keys[hole] = 0;
   m->vals[hole] = NULL;
   m->count--;
}

void *
vh_idmap_remove(struct vh_idmap *m, uint32_t key)
{
   int64_t s = find(m, key);
   void *val;

   if (s < 0)
      return NULL;
   val = m->vals[s];
   remove_slot(m, (uint32_t)s);
   return val;
}

void *
vh_idmap_pop(struct vh_idmap *m, uint32_t *key)
{
   for (uint32_t i = 0; i < m->cap; i++) {
      if (m->keys[i]) {
         void *val = m->vals[i];

         if (key)
            *key = m->keys[i];
         remove_slot(m, i);
         return val;
      }
   }
   return NULL;
}

uint64_t
vh_idmap_bytes(const struct vh_idmap *m)
{
   return (uint64_t)m->cap * (sizeof(*m->keys) + sizeof(*m->vals));
}

void
vh_idmap_fini(struct vh_idmap *m)
{
   free(m->keys);
   free(m->vals);
   m->keys = NULL;
   m->vals = NULL;
   m->cap = m->count = 0;
}
