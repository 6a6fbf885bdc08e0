/* SPDX-License-Identifier: MIT */

/*
 * The shared-memory blob of a context (transport rules shmem-allocation,
 * shadow-response, seqno-publication): a memfd the host maps and the guest
 * maps too, its header, and its response region.
 */

#ifndef VH_SHMEM_H_
#define VH_SHMEM_H_

#include <stdbool.h>
#include <stdint.h>

#include "vdrm_codec.h"

struct vh_shmem {
   int fd;                          /* -1 before the guest creates it */
   uint8_t *map;
   uint32_t size;
   uint32_t hdr_size;               /* rsp_mem_offset */
   struct vdrm_rsp_region region;   /* the response region, after the header */
};

void vh_shmem_init(struct vh_shmem *s);
static inline bool
vh_shmem_present(const struct vh_shmem *s)
{
   return s->map != NULL;
}

/*
 * Creates it: size must hold the context's header (hdr_size bytes) and be
 * at most max_size; the region is size - hdr_size bytes. VDRM_HOST_OK,
 * VDRM_HOST_E_INVAL (too small), VDRM_HOST_E_LIMIT_SHMEM_SIZE or
 * VDRM_HOST_E_NOMEM.
 */
int vh_shmem_create(struct vh_shmem *s, uint64_t size, uint32_t hdr_size, uint64_t max_size);
void vh_shmem_fini(struct vh_shmem *s);

/* Stores seqno into vdrm_shmem.seqno with an atomic exchange, release ordering. */
void vh_shmem_publish_seqno(struct vh_shmem *s, uint32_t seqno);
/* Atomically adds one to the u32 at offset (async_error); returns the new value. */
uint32_t vh_shmem_increment(struct vh_shmem *s, uint32_t offset);
/* Atomically stores a u32 at offset, release ordering. */
void vh_shmem_store(struct vh_shmem *s, uint32_t offset, uint32_t value);

#endif /* VH_SHMEM_H_ */
