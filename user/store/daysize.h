/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The ceiling of a day's source set (--max-day-pairs): how many (source, key) pairs each point
 * may hold in memory for the day. Its default is sized from the memory this process may have;
 * a ceiling given is checked against it at start, so that a day never runs out of memory half
 * way (README.md, "The day's source set").
 */
#ifndef SW_DAYSIZE_H
#define SW_DAYSIZE_H

#include <stddef.h>
#include <stdint.h>

#define SW_MAX_DAY_PAIRS_LIMIT (1ull << 38)
/* The default's share of the memory: a quarter, whatever the number of points. */
#define SW_DAY_PAIRS_MEMORY_SHARE 4

/* The memory this process may have, and what limits it ("MemTotal", "memory.max", ...). */
struct day_memory {
	uint64_t bytes;
	char what[64];
};

/* The smallest of MemTotal, the cgroup's memory.max, RLIMIT_AS and RLIMIT_DATA. */
int day_memory_read(struct day_memory *m);
/*
 * Sets *max_pairs to the default when it is 0 (the pairs of every point together fit in a
 * quarter of the memory, each IPv6 at its worst), else checks that npoints sets that full fit
 * in the memory. 0, or -ENOMEM with one line in errmsg.
 */
int day_pairs_resolve(uint64_t *max_pairs, unsigned int npoints, const struct day_memory *m,
		      char *errmsg, size_t errlen);

/* --max-day-pairs's value, or a usage error (SW_EXIT_USAGE) in one line. */
int day_pairs_option(const char *cmd, const char *arg, uint64_t *max_pairs);
/* day_memory_read and day_pairs_resolve for a command's start; -errno after one error line. */
int day_pairs_setup(uint64_t *max_pairs, unsigned int npoints);

#endif
