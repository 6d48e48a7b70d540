/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The set of (source, key) pairs seen in a day, exact. IPv4 pairs pack into 8 bytes, IPv6 pairs
 * take their 20. The set is split into shards by hash so that growing never holds two copies of
 * the whole set: a day of a busy sensor (10 million pairs, nearly all IPv4) stays near 120 MB,
 * and no insert ever pays for rehashing more than a shard.
 */
#ifndef SW_PAIRSET_H
#define SW_PAIRSET_H

#include <stddef.h>
#include <stdint.h>

#include "scanwatch.h"

#define PAIRSET_SHARD_BITS 8
#define PAIRSET_NSHARDS (1u << PAIRSET_SHARD_BITS)

/* Open addressing, linear probing; allocated on its first pair. */
struct pairset_shard {
	void *tab; /* uint64_t for IPv4 (0 is empty), struct sw_pair for IPv6 (key.cls 0 is empty) */
	uint32_t cap, len;
};

struct pairset {
	struct pairset_shard v4[PAIRSET_NSHARDS], v6[PAIRSET_NSHARDS];
	size_t len, bytes;
	size_t max_len; /* the ceiling: pairs it takes at most; 0 for none */
	void *scratch; /* a growing shard's entries, set aside while its table grows in place */
	size_t scratch_bytes;
};

void pairset_init(struct pairset *ps);
void pairset_free(struct pairset *ps);
/*
 * 1 if the pair is new and now in the set, 0 if it was there, -ENOSPC if it is new and the set
 * holds its ceiling already, -ENOMEM.
 */
int pairset_add(struct pairset *ps, const struct sw_pair *pair);
/*
 * Makes room for that many IPv4 and IPv6 pairs at once (a day read back from its log), so that
 * loading them never grows a shard: 0 or -ENOMEM.
 */
int pairset_reserve(struct pairset *ps, size_t n_v4, size_t n_v6);
/* At most max_len pairs from now on (0: no ceiling); those it holds already stay. */
void pairset_set_max(struct pairset *ps, size_t max_len);
/*
 * Bytes a set of n pairs may take at most, growth included: every pair IPv6 and every shard
 * just grown (the least full it gets). What a ceiling is checked against.
 */
size_t pairset_bytes_max(size_t n);
/*
 * Starts loading the slot a later pairset_add or pairset_has of the pair will probe: the set is
 * far larger than the caches, and a loop that prefetches a few pairs ahead hides the misses.
 */
void pairset_prefetch(const struct pairset *ps, const struct sw_pair *pair);
/* 1 if the pair is in the set. */
int pairset_has(const struct pairset *ps, const struct sw_pair *pair);
size_t pairset_len(const struct pairset *ps);
/* Of those, the IPv4 pairs. */
size_t pairset_len_v4(const struct pairset *ps);
/* Bytes the set holds, for the memory figure of `make bench`. */
size_t pairset_bytes(const struct pairset *ps);

#endif
