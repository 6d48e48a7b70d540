/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Lossless drain of a sensor's counting state (README.md, "How counting works"): flip the
 * generation the program writes to, wait for programs still running on the old one, read its
 * caches and log in place through their mappings and its overflow table with batch lookups,
 * merge the records into the interval's pairs and keys, and empty the generation once the caller
 * has stored what it read.
 */
#ifndef SW_DRAIN_H
#define SW_DRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "cstate.h"
#include "interval.h"
#include "pairtab.h"
#include "scanwatch.h"

struct sensor;

/* Scratch buffers for batch reads, reused across drains. */
struct drain_buf {
	void *keys, *vals;
	size_t cap; /* entries */
	size_t n; /* entries the last read found */
	size_t key_size, val_size;
};

/* What the drain knows of a key besides its counts. */
struct drain_key {
	uint64_t first_ns; /* its first packet's time, UINT64_MAX when only in the overflow table */
	uint64_t overflow; /* of its packets, from the overflow table */
};

struct drainer {
	struct drain_buf kbuf; /* the overflow table */
	struct cstate_gen gen;
	struct pairtab pairs; /* the interval's pairs, by (source, key) */
	uint32_t *pair_key; /* for each of the interval's pairs, its key's index */
	size_t pair_key_cap;
	uint32_t *key_index; /* open addressing over the interval's keys: index + 1, 0 empty */
	size_t key_index_cap;
	struct drain_key *key_aux;
	size_t key_aux_cap;
	uint32_t *order; /* scratch for the --max-pairs cut */
	size_t order_cap;
	struct sw_second *secs; /* every CPU's seconds of the generation, to add up */
	size_t secs_cap;
	/* Added to the kernel's CLOCK_MONOTONIC_COARSE times to get wall-clock ones (0 in replay). */
	int64_t mono_to_wall_ns;
	int ncpus;
};

void drainer_init(struct drainer *d, int ncpus, int replay);
void drainer_free(struct drainer *d);

/* Points the program at the other generation and waits until nothing writes the old one. */
int drain_flip(struct sensor *s);
/*
 * Reads the generation that drain_flip retired into iv (which is reset first): the pairs, each
 * once; the keys, summed from the records and the overflow table; the stats; and the cuts of
 * --max-keys and --max-pairs, whose packets go to keys_lost and to their keys' lost.
 */
int drain_read(struct drainer *d, struct sensor *s, struct sw_interval *iv);
/*
 * The same for any generation, the one programs count in too (`scanwatch top`): nothing is
 * written, so the drain's exactness is untouched, but records written meanwhile may be missed
 * or torn, and what is read is an estimate of that moment.
 */
int drain_read_gen(struct drainer *d, struct sensor *s, __u32 gen, struct sw_interval *iv);
/* Empties the retired generation for its next turn. */
int drain_clear(struct drainer *d, struct sensor *s);
/* flip + read + clear. */
int drain_interval(struct drainer *d, struct sensor *s, struct sw_interval *iv);

#endif
