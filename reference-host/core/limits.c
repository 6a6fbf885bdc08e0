/* SPDX-License-Identifier: MIT */

/* Names and defaults of the limits, names of the statuses. */

#include <stddef.h>

#include "limits.h"

static const struct {
   const char *name;
   uint64_t def;
} limits[VDRM_HOST_LIMIT_COUNT] = {
   [VDRM_HOST_LIMIT_CONTEXTS] = { "max_contexts", 64 },
   [VDRM_HOST_LIMIT_OBJECTS] = { "max_objects", 16384 },
   [VDRM_HOST_LIMIT_BUFFER_BYTES] = { "max_buffer_bytes", 4ull << 30 },
   [VDRM_HOST_LIMIT_QUEUES] = { "max_queues", 64 },
   [VDRM_HOST_LIMIT_PENDING_FENCES] = { "max_pending_fences", 4096 },
   [VDRM_HOST_LIMIT_BLOBS] = { "max_blobs", 16384 },
   [VDRM_HOST_LIMIT_MESSAGE_SIZE] = { "max_message_size", 16u << 20 },
   [VDRM_HOST_LIMIT_SHMEM_SIZE] = { "max_shmem_size", 16u << 20 },
   [VDRM_HOST_LIMIT_RESPONSE_SIZE] = { "max_response_size", 4096 },
};

static const char *const status_names[VDRM_HOST_E_LIMIT] = {
   [VDRM_HOST_OK] = "VDRM_HOST_OK",
   [VDRM_HOST_E_INVAL] = "VDRM_HOST_E_INVAL",
   [VDRM_HOST_E_NOENT] = "VDRM_HOST_E_NOENT",
   [VDRM_HOST_E_EXIST] = "VDRM_HOST_E_EXIST",
   [VDRM_HOST_E_NOCTX] = "VDRM_HOST_E_NOCTX",
   [VDRM_HOST_E_NOMEM] = "VDRM_HOST_E_NOMEM",
   [VDRM_HOST_E_BACKEND] = "VDRM_HOST_E_BACKEND",
   [VDRM_HOST_E_PROTOCOL] = "VDRM_HOST_E_PROTOCOL",
   [VDRM_HOST_E_TIMEOUT] = "VDRM_HOST_E_TIMEOUT",
};

static const char *const limit_status_names[VDRM_HOST_LIMIT_COUNT] = {
   [VDRM_HOST_LIMIT_CONTEXTS] = "VDRM_HOST_E_LIMIT_CONTEXTS",
   [VDRM_HOST_LIMIT_OBJECTS] = "VDRM_HOST_E_LIMIT_OBJECTS",
   [VDRM_HOST_LIMIT_BUFFER_BYTES] = "VDRM_HOST_E_LIMIT_BUFFER_BYTES",
   [VDRM_HOST_LIMIT_QUEUES] = "VDRM_HOST_E_LIMIT_QUEUES",
   [VDRM_HOST_LIMIT_PENDING_FENCES] = "VDRM_HOST_E_LIMIT_PENDING_FENCES",
   [VDRM_HOST_LIMIT_BLOBS] = "VDRM_HOST_E_LIMIT_BLOBS",
   [VDRM_HOST_LIMIT_MESSAGE_SIZE] = "VDRM_HOST_E_LIMIT_MESSAGE_SIZE",
   [VDRM_HOST_LIMIT_SHMEM_SIZE] = "VDRM_HOST_E_LIMIT_SHMEM_SIZE",
   [VDRM_HOST_LIMIT_RESPONSE_SIZE] = "VDRM_HOST_E_LIMIT_RESPONSE_SIZE",
};

const char *
vdrm_host_status_name(int status)
{
   if (status >= 0 && status < VDRM_HOST_E_LIMIT)
      return status_names[status];
   if (status >= VDRM_HOST_E_LIMIT && status < VDRM_HOST_STATUS_COUNT)
      return limit_status_names[status - VDRM_HOST_E_LIMIT];
   return "VDRM_HOST_E_UNKNOWN";
}

const char *
vdrm_host_limit_name(enum vdrm_host_limit limit)
{
   return (unsigned)limit < VDRM_HOST_LIMIT_COUNT ? limits[limit].name : "unknown";
}

uint64_t
vdrm_host_limit_default(enum vdrm_host_limit limit)
{
   return (unsigned)limit < VDRM_HOST_LIMIT_COUNT ? limits[limit].def : 0;
}

void
vdrm_host_config_init(struct vdrm_host_config *config)
{
   *config = (struct vdrm_host_config){ 0 };
   for (unsigned i = 0; i < VDRM_HOST_LIMIT_COUNT; i++)
      config->limits.max[i] = limits[i].def;
   config->log_burst = 10;
   config->log_interval_ns = 1000000000u;
}
