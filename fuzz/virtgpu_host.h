/* SPDX-License-Identifier: MIT */

/*
 * A hostile host behind a fake virtio_gpu kernel, for libvdrm-guest's
 * virtio-gpu transport (struct vg_virtgpu_sys). Each ioctl is served by
 * the reference host in process (fuzz/guest.h: the context's sim backend),
 * so an input without edits is an honest host; then the input rewrites
 * what the guest reads. At each answer (GET_CAPS, every
 * RESOURCE_CREATE_BLOB, every EXECBUFFER) one control byte is read:
 *
 *   bits 0-3   edits that follow
 *   bit 4      the ioctl fails (EIO)
 *   bit 5      EXECBUFFER: the out-fence never signals
 *   bit 6      RESOURCE_CREATE_BLOB: the blob's mmap fails (ENOMEM)
 *
 * and each edit is u16 offset (little-endian), u8 length, that many bytes
 * written over the answer: over the capset (offset modulo its size) for
 * GET_CAPS; else over the shmem the guest sees, at offset bit 15 set:
 * offset & 0x7fff from its start (seqno, rsp_mem_offset, the context's
 * fields such as async_error), clear: offset from the response region the
 * honest host chose (the slots the guest reserved). Edits are cut at the
 * end of what they cover. A missing byte reads as 0: past the input the
 * host is honest.
 *
 * The guest's view of the shmem is an allocation of exactly its size
 * (reads past it are ASan reports), kept in step with the host's: copied
 * to the host before each call, back after it.
 */

#ifndef VDRM_FUZZ_VIRTGPU_HOST_H_
#define VDRM_FUZZ_VIRTGPU_HOST_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest.h"
#include "input.h"
#include "vdrm_guest.h"

#define FZ_VIRTGPU_FD 1000   /* the render node's fd: never opened, never a real descriptor */
#define FZ_VIRTGPU_BOS 32u

struct fz_virtgpu_bo {
   bool live;
   uint32_t res_id;
   uint64_t size;
   int fd;             /* the host's descriptor of its memory */
   uint8_t *host_map;  /* shmem only: the host's mapping */
   uint8_t *view;      /* shmem only: the guest's copy, until it unmaps it */
   bool map_fails;
};

struct fz_virtgpu {
   struct fz_guest host;
   struct fz_input in;
   struct fz_virtgpu_bo bos[FZ_VIRTGPU_BOS];   /* GEM handle n is bos[n - 1] */
   struct fz_virtgpu_bo *shmem;
   uint32_t rsp_mem_offset;      /* as the honest host wrote it */
   uint64_t fence_id;
};

/* The host of context ctx, answering as data says (kept, not copied). */
void fz_virtgpu_init(struct fz_virtgpu *v, const struct fz_context *ctx, const uint8_t *data, size_t size);
/* The system calls to hand to vg_open_virtgpu(FZ_VIRTGPU_FD, ...). */
struct vg_virtgpu_sys fz_virtgpu_sys(struct fz_virtgpu *v);
/* Frees what the guest left (its leaks are LeakSanitizer's), then the host; aborts on an fd left open. */
void fz_virtgpu_fini(struct fz_virtgpu *v);

#endif /* VDRM_FUZZ_VIRTGPU_HOST_H_ */
