/* SPDX-License-Identifier: MIT */

/*
 * A hostile vtest server for libvdrm-guest's vtest transport (struct
 * vg_vtest_io). The reference host's vtest server runs in process
 * (vtest_server.h, on the context's sim backend), so an input without
 * control bytes is an honest server; then the input bends what the guest
 * reads. At each read of the guest (an answer, a part of one, or a
 * descriptor with its carrier byte) one control byte is read:
 *
 *   bits 0-3   edits that follow
 *   bit 4      the server hangs up here (the guest's socket hangs up too)
 *   bit 5      no answer in time (-ETIMEDOUT)
 *   bit 6      a descriptor read: none comes (-EBADMSG)
 *   bit 7      a descriptor read: an empty memfd comes instead
 *
 * and each edit is u8 target, u16 offset (little-endian), u8 length, that
 * many bytes written: target 0 over the bytes this read returns (offset
 * modulo their number), 1 over the shmem from its start, 2 over the shmem
 * from the response region the honest host chose, any other nowhere. Edits
 * are cut at the end of what they cover. Before each read the sim's clock
 * moves a second (the GPU work is done before the guest looks).
 */

#ifndef VDRM_FUZZ_VTEST_HOST_H_
#define VDRM_FUZZ_VTEST_HOST_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "input.h"
#include "vdrm_guest.h"
#include "vtest_server.h"

#define FZ_VTEST_HOST_FDS 128u   /* descriptors answered and not yet read by the guest */

struct fz_vtest_host {
   struct fz_vtest_server server;
   struct fz_input in;
   int guest_socket;         /* handed to the guest (its watch fd), or -1 once handed */
   int far_end;              /* the other end: closed when the server hangs up */
   bool gone;
   uint8_t *answers;         /* answered, not yet read */
   size_t len, cap;
   struct { size_t at; int fd; } fds[FZ_VTEST_HOST_FDS];   /* at: index in answers of its carrier byte */
   uint32_t nfds;
   bool shmem_seen;          /* the first descriptor read: the shmem */
   uint8_t *shmem;           /* mapped here too, for the edits */
   size_t shmem_size;
   uint32_t rsp_mem_offset;  /* as the honest host wrote it */
};

/* The server of context ctx, bending its answers as data says (kept, not copied). */
void fz_vtest_host_init(struct fz_vtest_host *h, const struct fz_context *ctx, const uint8_t *data, size_t size);
/* The I/O and the socket to hand to vg_open_vtest_socket() (which owns the socket from then on). */
struct vg_vtest_io fz_vtest_host_io(struct fz_vtest_host *h);
int fz_vtest_host_take_socket(struct fz_vtest_host *h);
/* Frees what is left and the server; aborts on a descriptor left open. */
void fz_vtest_host_fini(struct fz_vtest_host *h);

#endif /* VDRM_FUZZ_VTEST_HOST_H_ */
