// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>

#include "capture_time.h"

#define NS_PER_S 1000000000ULL

int capture_time_ns(const struct timeval *ts, uint64_t *ns)
{
	uint64_t s;

	if (ts->tv_sec < 0 || ts->tv_usec < 0 || (uint64_t)ts->tv_usec >= NS_PER_S)
		return -ERANGE;
	s = (uint64_t)ts->tv_sec;
	if (__builtin_mul_overflow(s, NS_PER_S, ns) ||
	    __builtin_add_overflow(*ns, (uint64_t)ts->tv_usec, ns))
		return -ERANGE;
	return 0;
}
