/* SPDX-License-Identifier: MIT */

#define _GNU_SOURCE
#include <stdatomic.h>
#include <stddef.h>
#include <sys/mman.h>
#include <unistd.h>

#include "shmem.h"
#include "vdrm_host.h"

void
vh_shmem_init(struct vh_shmem *s)
{
   *s = (struct vh_shmem){ .fd = -1 };
}

int
vh_shmem_create(struct vh_shmem *s, uint64_t size, uint32_t hdr_size, uint64_t max_size)
{
   struct vdrm_shmem hdr = { 0 };
   void *map;
   int fd;

   /*
    * The deployed host checks only sizeof(struct vdrm_shmem): a smaller
    * buffer than the context's header would make size - hdr_size wrap.
    */
   if (size < hdr_size || size < sizeof(struct vdrm_shmem))
      return VDRM_HOST_E_INVAL;
   if (size > max_size || size > UINT32_MAX)
      return VDRM_HOST_E_LIMIT_SHMEM_SIZE;
   fd = memfd_create("vdrm-shmem", MFD_CLOEXEC);
   if (fd < 0)
      return VDRM_HOST_E_NOMEM;
   if (ftruncate(fd, (off_t)size) != 0) {
      close(fd);
      return VDRM_HOST_E_NOMEM;
   }
   map = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
   if (map == MAP_FAILED) {
      close(fd);
      return VDRM_HOST_E_NOMEM;
   }
   s->fd = fd;
   s->map = map;
   s->size = (uint32_t)size;
   s->hdr_size = hdr_size;
   s->region.mem = s->map + hdr_size;
   s->region.size = s->size - hdr_size;
   /* The host sets rsp_mem_offset once, before the guest sees the buffer. */
   hdr.rsp_mem_offset = hdr_size;
   vh_shmem_store(s, offsetof(struct vdrm_shmem, rsp_mem_offset), hdr.rsp_mem_offset);
   return VDRM_HOST_OK;
}

void
vh_shmem_fini(struct vh_shmem *s)
{
   if (s->map)
      munmap(s->map, s->size);
   if (s->fd >= 0)
      close(s->fd);
   vh_shmem_init(s);
}

static _Atomic uint32_t *
word(struct vh_shmem *s, uint32_t offset)
{
   /* Every header field is a naturally aligned u32 of the page-aligned mapping. */
   return (_Atomic uint32_t *)(void *)(s->map + offset);
}

void
vh_shmem_publish_seqno(struct vh_shmem *s, uint32_t seqno)
{
   atomic_exchange_explicit(word(s, offsetof(struct vdrm_shmem, seqno)), seqno, memory_order_release);
}

uint32_t
vh_shmem_increment(struct vh_shmem *s, uint32_t offset)
{
   return atomic_fetch_add_explicit(word(s, offset), 1u, memory_order_release) + 1u;
}

void
vh_shmem_store(struct vh_shmem *s, uint32_t offset, uint32_t value)
{
   atomic_store_explicit(word(s, offset), value, memory_order_release);
}
