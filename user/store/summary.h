/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef SW_SUMMARY_H
#define SW_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parse_num.h"
#include "tally.h"

struct summary_totals {
	uint64_t accesses, sources, dropped, lost_sources;
	uint64_t kind_accesses[SW_NKINDS], kind_sources[SW_NKINDS];
	uint64_t fp[SW_NFPS];
	uint64_t peak, peak_s; /* the busiest second (tally.h) */
};

struct daysrc;

/*
 * Sums the daily summaries of one point (or all, point NULL) over days [from, to] since the epoch.
 * -EINVAL (bad input) for a file that does not parse, belongs to another point or day, or whose
 * counts would pass 2^64 - 1 once added up; errmsg names it.
 */
int summary_load(const struct daysrc *src, const char *point, int64_t from, int64_t to,
		 struct tally *out, unsigned int *ndays, char *errmsg, size_t errlen);
/*
 * The watched addresses of the days summed (dayfile.h's watched): per watched address per day
 * is a total divided by address_days, the watched addresses added up over the days with a
 * summary. Known only when every such day says how many addresses it watched.
 */
struct summary_watch {
	sw_u128 address_days; /* of the days that know theirs */
	sw_u128 min, max; /* watched addresses of a day, over those days */
	unsigned int known_days, unknown_days;
};

/* summary_load(), and the days' watched addresses added to *w (zeroed by the caller). */
int summary_load_watch(const struct daysrc *src, const char *point, int64_t from, int64_t to,
		       struct tally *out, struct summary_watch *w, unsigned int *ndays,
		       char *errmsg, size_t errlen);
void summary_watch_add(struct summary_watch *w, const struct summary_watch *more);
/* v per watched address per day; false (n/a) when a day does not know, or there is none. */
bool summary_per_address(const struct summary_watch *w, uint64_t v, double *out);
/* Keys and areas ordered by accesses, descending; the caller frees both arrays. */
int summary_rank(const struct tally *t, const struct tally_key ***keys, int **areas,
		 size_t *nareas);
void summary_totals(const struct tally *t, struct summary_totals *s);
/* The same of t's research group: all zero when it has none. */
void summary_research_totals(const struct tally *t, struct summary_totals *s);

#endif
