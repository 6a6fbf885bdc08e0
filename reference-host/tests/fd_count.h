/* SPDX-License-Identifier: MIT */

/* Open file descriptors of the process: tests compare it before and after. */

#ifndef VH_TEST_FD_COUNT_H_
#define VH_TEST_FD_COUNT_H_

int tg_count_fds(void);

#endif
