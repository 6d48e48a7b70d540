/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The set of (source, key) pairs seen in a day, exact. IPv4 pairs pack into 8 bytes, so a day of
 * a busy sensor (10 million pairs, nearly all IPv4) stays near 160 MB at most.
 */
#ifndef SW_PAIRSET_H
#define SW_PAIRSET_H

#include <stddef.h>
#include <stdint.h>

#include "scanwatch.h"

struct pair6 {
	struct sw_pair pair; /* key.cls == 0 marks an empty slot */
};

struct pairset {
	uint64_t *v4; /* addr << 32 | packed key; 0 marks an empty slot (no key has class 0) */
	size_t v4_cap, v4_len;
	struct pair6 *v6;
	size_t v6_cap, v6_len;
};

void pairset_init(struct pairset *ps);
void pairset_free(struct pairset *ps);
/* 1 if the pair is new and now in the set, 0 if it was there, -ENOMEM. */
int pairset_add(struct pairset *ps, const struct sw_pair *pair);
size_t pairset_len(const struct pairset *ps);
/* Bytes the set holds, for the memory figure of `make bench`. */
size_t pairset_bytes(const struct pairset *ps);

#endif
