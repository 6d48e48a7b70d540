/* SPDX-License-Identifier: GPL-2.0-only */
/* Counts per key and per area over an interval, a day or a month: what summaries are made of. */
#ifndef SW_TALLY_H
#define SW_TALLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scanwatch.h"

/* "AA".."ZZ" and "??" for unknown. */
#define SW_NAREAS (26 * 26 + 1)
#define SW_AREA_UNKNOWN (26 * 26)

struct tally_key {
	struct sw_key key;
	uint64_t accesses;
	uint64_t sources; /* (source, key) pairs first seen in the span, summed over its days */
	uint64_t lost; /* accesses whose source found the pair table full */
	uint64_t fp[SW_NFPS];
};

struct tally {
	struct tally_key *keys;
	size_t nkeys, keys_cap;
	uint32_t *index; /* open addressing over keys: slot holds index + 1, 0 is empty */
	size_t index_cap;
	uint64_t area_accesses[SW_NAREAS];
	uint64_t area_sources[SW_NAREAS];
	uint64_t stats[SW_NSTATS];
	/*
	 * (source, key) pairs first seen in the span that the day's set had no room for
	 * (--max-day-pairs): not in any key's sources. A pair that comes back in a later
	 * interval is counted again, since the set cannot remember it.
	 */
	uint64_t lost_sources;
	/*
	 * The research group (--research): accesses from the research list's sources, by key
	 * (SW_CLS_RESEARCH taken off), with their sources and lost; its areas, stats and
	 * lost_sources stay zero. Kept out of every figure above; NULL until it has a key.
	 */
	struct tally *research;
	/*
	 * Peak rate: the most accesses one point counted in one wall-clock second of the span,
	 * and the start of that second (seconds since the epoch; 0 when peak is 0). A span of
	 * several points has the busiest point's second: seconds of different points are not
	 * added up.
	 */
	uint64_t peak, peak_s;
};

void tally_init(struct tally *t);
void tally_free(struct tally *t);
void tally_reset(struct tally *t);
/* Finds a key's counters, adding zeroed ones if missing; NULL only on ENOMEM. */
struct tally_key *tally_key(struct tally *t, const struct sw_key *key);
const struct tally_key *tally_find(const struct tally *t, const struct sw_key *key);
/* The research group, made when missing; NULL only on ENOMEM. */
struct tally *tally_research(struct tally *t);
/* Whether t has a research group with a key in it. */
bool tally_has_research(const struct tally *t);
/*
 * Adds src to dst. A count that would pass 2^64 - 1 stops there instead of wrapping around, and
 * the merge returns -EOVERFLOW: such figures are refused, never shown (README.md, "Daily
 * summary files").
 */
int tally_merge(struct tally *dst, const struct tally *src);
/* Takes the peak second (peak, at) into t if it beats t's: larger, or as large and earlier. */
void tally_peak(struct tally *t, uint64_t peak, uint64_t at);
/* -EOVERFLOW when a total over keys or areas (what summaries print) would pass 2^64 - 1. */
int tally_check_totals(const struct tally *t);
/* Packets counted in no key or no source, the research group's too: the overflow figure. */
uint64_t tally_dropped(const struct tally *t);

int sw_area_index(const char *cc);
void sw_area_name(int idx, char out[3]);

#endif
