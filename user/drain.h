/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Lossless drain of a sensor's interval tables: flip the generation the program writes to,
 * wait for programs still running on the old one, read it whole with batch lookups, and empty it
 * once the caller has what it read.
 */
#ifndef SW_DRAIN_H
#define SW_DRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "scanwatch.h"

struct sensor;

struct sw_key_rec {
	struct sw_key key;
	struct sw_key_val val; /* summed over CPUs */
};

struct sw_pair_rec {
	struct sw_pair pair;
	struct sw_pair_val val; /* times in wall-clock nanoseconds */
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
};

/* Scratch buffers for batch reads, reused across drains. */
struct drain_buf {
	void *keys, *vals;
	size_t cap; /* entries */
	size_t n; /* entries the last read found */
	size_t key_size, val_size;
};

struct drainer {
	struct drain_buf kbuf, pbuf;
	/* Added to the kernel's CLOCK_MONOTONIC_COARSE times to get wall-clock ones (0 in replay). */
	int64_t mono_to_wall_ns;
	int ncpus;
};

void drainer_init(struct drainer *d, int ncpus, int replay);
void drainer_free(struct drainer *d);
void interval_reset(struct sw_interval *iv);
void interval_free(struct sw_interval *iv);

/* Points the program at the other generation and waits until nothing writes the old one. */
int drain_flip(struct sensor *s);
/* Reads the generation that drain_flip retired into iv (which is reset first). */
int drain_read(struct drainer *d, struct sensor *s, struct sw_interval *iv);
/* Empties the retired generation for its next turn. */
int drain_clear(struct drainer *d, struct sensor *s);
/* flip + read + clear. */
int drain_interval(struct drainer *d, struct sensor *s, struct sw_interval *iv);
/* Packets whose key or source could not be stored. */
uint64_t interval_dropped(const struct sw_interval *iv);

#endif
