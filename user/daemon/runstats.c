// SPDX-License-Identifier: GPL-2.0-only
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "keyfmt.h"
#include "log.h"
#include "runstats.h"

void runstats_init(struct runstats *rs, const char *point)
{
	memset(rs, 0, sizeof(*rs));
	rs->point = point;
	rs->research_prefixes = -1;
}

static bool ranks_before(const struct runstats_key *a, const struct tally_key *b)
{
	if (a->accesses != b->accesses)
		return a->accesses > b->accesses;
	return sw_key_cmp(&a->key, &b->key) < 0;
}

/* Keeps the RUNSTATS_TOP keys of most accesses, ties in key order: one pass, no sort of all. */
static void add_top(struct runstats *rs, const struct tally_key *k)
{
	size_t i = rs->ntop;

	if (!k->accesses)
		return;
	while (i > 0 && !ranks_before(&rs->top[i - 1], k))
		i--;
	if (i == RUNSTATS_TOP)
		return;
	if (rs->ntop < RUNSTATS_TOP)
		rs->ntop++;
	memmove(&rs->top[i + 1], &rs->top[i], (rs->ntop - 1 - i) * sizeof(rs->top[0]));
	rs->top[i] = (struct runstats_key){ .key = k->key, .accesses = k->accesses };
}

void runstats_interval(struct runstats *rs, const struct tally *iv, uint64_t start_s,
		       uint32_t len_s, uint64_t pairs, uint64_t keys, uint64_t max_pairs,
		       uint64_t max_keys, double drain_s, double store_s, uint64_t now_s)
{
	rs->iv_start_s = start_s;
	rs->iv_len_s = len_s;
	rs->iv_accesses = rs->iv_sources = 0;
	rs->ntop = 0;
	for (size_t i = 0; i < iv->nkeys; i++) {
		const struct tally_key *k = &iv->keys[i];

		if (k->key.kind >= SW_NKINDS)
			continue;
		rs->accesses[k->key.kind] += k->accesses;
		rs->sources[k->key.kind] += k->sources;
		rs->iv_accesses += k->accesses;
		rs->iv_sources += k->sources;
		add_top(rs, k);
	}
	for (size_t i = 0; iv->research && i < iv->research->nkeys; i++) {
		rs->research_accesses += iv->research->keys[i].accesses;
		rs->research_sources += iv->research->keys[i].sources;
	}
	rs->iv_dropped = tally_dropped(iv);
	rs->dropped += rs->iv_dropped;
	rs->intervals++;
	rs->pairs = pairs;
	rs->keys = keys;
	rs->max_pairs = max_pairs;
	rs->max_keys = max_keys;
	rs->drain_s = drain_s;
	rs->store_s = store_s;
	rs->last_drain_s = now_s;
}

void runstats_day(struct runstats *rs, const struct tally *day)
{
	rs->day_peak = day->peak;
	rs->day_peak_s = day->peak_s;
}

void runstats_log(const struct runstats *rs)
{
	time_t from = (time_t)rs->iv_start_s, to = (time_t)(rs->iv_start_s + rs->iv_len_s);
	char a[16], b[16];
	struct tm tm;

	gmtime_r(&from, &tm);
	strftime(a, sizeof(a), "%H:%M:%S", &tm);
	gmtime_r(&to, &tm);
	strftime(b, sizeof(b), "%H:%M:%SZ", &tm);
	sw_info("point %s: %s-%s: %" PRIu64 " accesses, %" PRIu64 " new sources, %" PRIu64
		" dropped; drain %.1f ms, store %.1f ms",
		rs->point, a, b, rs->iv_accesses, rs->iv_sources, rs->iv_dropped, rs->drain_s * 1e3,
		rs->store_s * 1e3);
}
