/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One interval's counts as the drain hands them to the store: its keys with their counts, its
 * (source, key) pairs each once, the program's stats, and where the accesses were found.
 */
#ifndef SW_INTERVAL_H
#define SW_INTERVAL_H

#include <stddef.h>
#include <stdint.h>

#include "scanwatch.h"

struct sw_key_rec {
	struct sw_key key;
	struct sw_key_val val; /* summed over CPUs and records */
};

struct sw_pair_rec {
	struct sw_pair pair;
	struct sw_pair_val val; /* times in wall-clock nanoseconds */
};

/*
 * Where one generation's accesses were found, before the drain merged them: every access the
 * program counted is in exactly one of the log's records, a cache slot, the overflow table or
 * (no room for its key there) the kernel's keys_lost; the tests check it on every drain.
 */
struct sw_census {
	uint64_t log_records, log_packets;
	uint64_t cache_slots, cache_packets; /* slots in use */
	uint64_t overflow_packets; /* under their keys in the overflow table */
	uint64_t kernel_keys_lost; /* stats[SW_STAT_KEYS_LOST] as the program counted it */
	/* Moved to keys_lost by the drain: keys past --max-keys; of those, from the overflow table. */
	uint64_t keys_over_packets, keys_over_overflow;
};

/* One interval's counts, as read from one generation. */
struct sw_interval {
	uint64_t start_s; /* wall clock; set by the caller */
	uint32_t len_s;
	struct sw_key_rec *keys;
	size_t nkeys, keys_cap;
	struct sw_pair_rec *pairs;
	size_t npairs, pairs_cap;
	uint64_t stats[SW_NSTATS];
	/*
	 * Peak rate: the most accesses the program counted in one wall-clock second of the
	 * interval (every CPU's added up), and that second (since the epoch; 0 with no access).
	 * Seconds a ring overwrote are not among those compared: peak is then a floor.
	 */
	uint64_t peak, peak_s;
	uint64_t peak_overwritten;
	struct sw_census census;
};

void interval_reset(struct sw_interval *iv);
void interval_free(struct sw_interval *iv);
/* Packets whose key or source could not be stored. */
uint64_t interval_dropped(const struct sw_interval *iv);

#endif
