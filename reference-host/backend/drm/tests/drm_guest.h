/* SPDX-License-Identifier: MIT */

/*
 * A guest of one context on the drm backend, in process: the host, a
 * client with its context and shmem mapped as a guest maps it, and a batch
 * that the tests fill with the generated encoders.
 */

#ifndef VDRM_DRM_GUEST_H_
#define VDRM_DRM_GUEST_H_

#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "drm_hw.h"
#include "vdrm_host.h"

struct drm_guest {
   struct vdrm_backend *dev;
   struct vdrm_host *host;
   struct vdrm_host_client *client;
   int shmem_fd;
   uint8_t *shmem;
   uint32_t shmem_size;
   uint8_t *rsp;               /* shmem + rsp_mem_offset */
   uint32_t rsp_size;
   uint8_t batch[16384];
   size_t len;
   uint32_t seqno;
   char last_line[512];        /* the host's last log line */
};

/* The room left in the batch, as the encoders take it. */
#define DG_ROOM(g) ((g)->batch + (g)->len), (sizeof((g)->batch) - (g)->len)

/* A guest of context_type's context on the drm backend, with an 8 KiB shmem. */
struct drm_guest *drm_guest_new(uint32_t context_type);
void drm_guest_free(struct drm_guest *g);

/*
 * The header of the next request (seqno counted); rsp_size bytes at rsp_off
 * are reserved as Mesa does (zeroed, the size in the first word).
 */
struct vdrm_ccmd_req drm_guest_hdr(struct drm_guest *g, uint32_t rsp_off, uint32_t rsp_size);
/* Runs the batch built so far, with a fence on ring_idx if fence_id; vdrm_host_submit()'s status. */
int drm_guest_flush(struct drm_guest *g, uint32_t ring_idx, uint64_t fence_id);

#endif /* VDRM_DRM_GUEST_H_ */
