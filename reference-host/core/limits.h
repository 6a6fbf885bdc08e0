/* SPDX-License-Identifier: MIT */

/* The host's limits: checks that name the limit in the error and count the hit. */

#ifndef VH_LIMITS_H_
#define VH_LIMITS_H_

#include <stdbool.h>
#include <stdint.h>

#include "vdrm_host.h"

/* True if used + add stays within max (computed without wrapping). */
static inline bool
vh_within(uint64_t used, uint64_t add, uint64_t max)
{
   return used <= max && add <= max - used;
}

#endif /* VH_LIMITS_H_ */
