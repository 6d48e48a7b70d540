/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What `run` measured of each point since it started and in its last stored interval: the
 * figures of the -v line per interval, of the Prometheus textfile (prom.h) and of the status the
 * daemon gives systemd.
 */
#ifndef SW_RUNSTATS_H
#define SW_RUNSTATS_H

#include <stddef.h>
#include <stdint.h>

#include "scanwatch.h"
#include "tally.h"

#define RUNSTATS_TOP 10 /* keys of an interval shown */

struct runstats_key {
	struct sw_key key;
	uint64_t accesses;
};

struct runstats {
	const char *point;
	/* Since the daemon started. */
	uint64_t accesses[SW_NKINDS];
	uint64_t sources[SW_NKINDS]; /* (source, key) pairs first seen that day */
	uint64_t dropped;
	uint64_t intervals;
	/* The research group's (--research), kept out of the figures above. */
	uint64_t research_accesses, research_sources;
	/* The last interval stored. */
	uint64_t iv_start_s;
	uint32_t iv_len_s;
	uint64_t iv_accesses, iv_sources, iv_dropped;
	struct runstats_key top[RUNSTATS_TOP]; /* most accesses first */
	size_t ntop;
	uint64_t pairs, keys; /* entries the drained tables held */
	uint64_t max_pairs, max_keys;
	double drain_s, store_s;
	uint64_t last_drain_s; /* wall clock; 0: none yet */
	/* The day of the last interval stored: its busiest second so far, and when it began. */
	uint64_t day_peak, day_peak_s;
	long research_prefixes; /* in the kernel's research list; -1: unknown */
};

void runstats_init(struct runstats *rs, const char *point);
/*
 * One interval stored: iv is the store's tally of it; pairs and keys the entries its tables
 * held, of max_pairs and max_keys; drain_s the drain's time (flip, read, clear), store_s the
 * store's (daily files and RRD).
 */
void runstats_interval(struct runstats *rs, const struct tally *iv, uint64_t start_s,
		       uint32_t len_s, uint64_t pairs, uint64_t keys, uint64_t max_pairs,
		       uint64_t max_keys, double drain_s, double store_s, uint64_t now_s);
/* The day the interval was stored in, as its daily summary holds it after the interval. */
void runstats_day(struct runstats *rs, const struct tally *day);
/* The interval's line: accesses, new sources, dropped, drain and store time (info). */
void runstats_log(const struct runstats *rs);

#endif
