/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The drain's table of one interval's (source, key) pairs: the log holds a record per eviction,
 * so one pair may come several times, from several CPUs. Open addressing over an index into the
 * caller's array of pairs, each slot tagged with the hash's upper half so that a probe rarely
 * reads a pair it does not want; sized once per interval for every record it may receive, so it
 * never grows while in use, and emptied with one memset.
 */
#ifndef SW_PAIRTAB_H
#define SW_PAIRTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scanwatch.h"

/*
 * A slot is epoch << 56 | tag << 32 | index, the tag 24 bits of the hash. A slot of another epoch
 * is empty: a new interval only changes the epoch, and the whole table is cleared once every 255
 * intervals (or when it grows) instead of before each.
 */
struct pairtab {
	uint64_t *slots;
	size_t cap; /* allocated slots */
	uint64_t mask; /* slots in use this interval - 1 */
	uint64_t epoch; /* 1 to 255 */
	uint64_t used; /* the largest mask + 1 since the last clear */
};

/* Empties the table and makes room for n distinct pairs. 0 or -ENOMEM. */
int pairtab_reset(struct pairtab *t, size_t n);
void pairtab_free(struct pairtab *t);

static inline uint64_t pairtab_hash(const struct sw_pair *p)
{
	uint64_t a, b;
	uint32_t k;

	__builtin_memcpy(&a, p->addr, 8);
	__builtin_memcpy(&b, p->addr + 8, 8);
	__builtin_memcpy(&k, &p->key, 4);
	/* murmur3's finaliser over the three words folded together. */
	a ^= (b << 29 | b >> 35) ^ ((uint64_t)k * 0x9e3779b97f4a7c15ull);
	a ^= a >> 33;
	a *= 0xff51afd7ed558ccdull;
	a ^= a >> 33;
	a *= 0xc4ceb9fe1a85ec53ull;
	return a ^ (a >> 33);
}

/* Starts loading the slot a later lookup of hash h probes first. */
static inline void pairtab_prefetch(const struct pairtab *t, uint64_t h)
{
	__builtin_prefetch(&t->slots[h & t->mask], 1);
}

/*
 * The index in pairs[] a lookup of hash h will most likely return when its pair is there (its
 * home slot holds h's tag), else otherwise: a guess read from a slot prefetched earlier, to
 * prefetch that pair, without branches a cold mix of new pairs would mispredict. A pair pushed
 * past its home slot is not found: it is only a hint.
 */
static inline size_t pairtab_guess(const struct pairtab *t, uint64_t h, size_t otherwise)
{
	uint64_t s = t->slots[h & t->mask], mine = t->epoch << 56 | (h >> 40) << 32;

	return (s & 0xffffffff00000000ull) == mine ? (uint32_t)s : otherwise;
}

/*
 * The index in pairs[] of the pair p (hash h), appended at *n when new (*added set). The caller
 * fills a new pair's counts; pairs[] must have room for one more.
 */
static inline size_t pairtab_find_or_add(struct pairtab *t, uint64_t h, const struct sw_pair *p,
					 const struct sw_pair *pairs, size_t stride, size_t *n,
					 bool *added)
{
	uint64_t mine = t->epoch << 56 | (h >> 40) << 32, i = h & t->mask;

	for (;; i = (i + 1) & t->mask) {
		uint64_t s = t->slots[i];
		size_t idx;

		if (s >> 56 != t->epoch) {
			idx = (*n)++;
			t->slots[i] = mine | idx;
			*added = true;
			return idx;
		}
		idx = (uint32_t)s;
		if ((s & 0xffffffff00000000ull) == mine &&
		    !__builtin_memcmp((const char *)pairs + idx * stride, p, sizeof(*p))) {
			*added = false;
			return idx;
		}
	}
}

#endif
