/* SPDX-License-Identifier: MIT */

/*
 * What the harnesses need to know of each context beyond its descriptor:
 * its dispatch table, how to create its sim backend and move its clock, and
 * the request its guest driver sends to create a buffer under a blob id
 * (before RESOURCE_CREATE_BLOB names it).
 */

#ifndef VDRM_FUZZ_CONTEXTS_H_
#define VDRM_FUZZ_CONTEXTS_H_

#include <stddef.h>
#include <stdint.h>

#include "vdrm_codec.h"

struct vdrm_backend;

struct fz_context {
   const char *name;
   const struct vdrm_ccmd_info *table;
   uint32_t count;
   /* The sim device of the context (manual clock); 0 or a negative errno. */
   int (*backend_create)(struct vdrm_backend **dev);
   void (*advance)(struct vdrm_backend *dev, uint64_t ns);
   /* Encodes the buffer-creating request for blob_id (the context's GEM_NEW or GEM_CREATE). */
   int (*buffer_req)(void *buf, size_t cap, uint32_t seqno, uint32_t blob_id, uint64_t size, size_t *len);
   /*
    * NULL, or the request that creates what the context's submits name (an
    * msm submitqueue, an amdgpu context), answered at rsp_off 0, so that
    * inputs reach the submit handlers without finding that first.
    */
   int (*queue_req)(void *buf, size_t cap, uint32_t seqno, size_t *len);
   /* The context's shmem struct (struct vdrm_shmem when it has none of its own). */
   uint32_t shmem_struct_size;
};

/* The five DRM contexts, in a fixed order. */
extern const struct fz_context fz_contexts[];
extern const uint32_t fz_ncontexts;

/* The context called name; aborts for an unknown one (a build error of a harness). */
const struct fz_context *fz_context(const char *name);

/* The dispatch table of a protocol (the five contexts and vtest) and its rows. */
const struct vdrm_ccmd_info *fz_table(const char *name, uint32_t *count);

#endif /* VDRM_FUZZ_CONTEXTS_H_ */
