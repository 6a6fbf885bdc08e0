/* SPDX-License-Identifier: MIT */

/*
 * A map from non-zero 32-bit ids to pointers (open addressing, linear
 * probing, backward-shift deletion). Holds no memory until the first put.
 */

#ifndef VH_IDMAP_H_
#define VH_IDMAP_H_

#include <stdint.h>

struct vh_idmap {
   uint32_t *keys;   /* 0: empty slot */
   void **vals;
   uint32_t cap;     /* a power of two, or 0 */
   uint32_t count;
};

/* 0, -EEXIST when key is present, -EINVAL for key 0, -ENOMEM. */
int vh_idmap_put(struct vh_idmap *m, uint32_t key, void *val);
void *vh_idmap_get(const struct vh_idmap *m, uint32_t key);
/* Removes key and returns its value, or NULL. */
void *vh_idmap_remove(struct vh_idmap *m, uint32_t key);
/* Removes some entry, storing its key; NULL when the map is empty. For teardown. */
void *vh_idmap_pop(struct vh_idmap *m, uint32_t *key);
/* Bytes of the table. */
uint64_t vh_idmap_bytes(const struct vh_idmap *m);
void vh_idmap_fini(struct vh_idmap *m);

#endif /* VH_IDMAP_H_ */
