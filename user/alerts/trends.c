// SPDX-License-Identifier: GPL-2.0-only
/*
 * Trends: a key's day against its mean over the 30 days before (alerts.h).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "alerts.h"
#include "daysrc.h"
#include "internal.h"
#include "summary.h"
#define TREND_DAYS ALERT_TREND_WINDOW
#define RING_DAYS (TREND_DAYS + 2) /* a day, its 30 days before, and the day before's first */

struct day_slot {
	int64_t day; /* INT64_MIN: empty */
	bool have;
	struct tally t;
};

static struct day_slot *ring_new(void)
{
	struct day_slot *r = calloc(RING_DAYS, sizeof(*r));

	for (int i = 0; r && i < RING_DAYS; i++) {
		r[i].day = INT64_MIN;
		tally_init(&r[i].t);
	}
	return r;
}

static void ring_free(struct day_slot *r)
{
	for (int i = 0; r && i < RING_DAYS; i++)
		tally_free(&r[i].t);
	free(r);
}

static struct day_slot *slot_of(struct day_slot *r, int64_t day)
{
	struct day_slot *s = &r[((day % RING_DAYS) + RING_DAYS) % RING_DAYS];

	return s->day == day ? s : NULL;
}

static int ring_load(struct day_slot *r, const struct daysrc *src, const char *point, int64_t day,
		     char *errmsg, size_t errlen)
{
	struct day_slot *s = &r[((day % RING_DAYS) + RING_DAYS) % RING_DAYS];
	unsigned int nd;
	int err;

	tally_reset(&s->t);
	s->day = day;
	err = summary_load(src, point, day, day, &s->t, &nd, errmsg, errlen);
	s->have = !err && nd > 0;
	return err;
}

/*
 * The mean a day over the days with data among the 30 before day; false when fewer than
 * min_days of them have data: a baseline of a day or two says nothing about a usual day.
 */
static bool baseline(struct day_slot *r, int64_t day, const struct sw_key *k, unsigned int min_days,
		     double *ma, double *ms)
{
	uint64_t sa = 0, ss = 0;
	unsigned int nb = 0;

	for (int64_t d = day - TREND_DAYS; d < day; d++) {
		struct day_slot *s = slot_of(r, d);
		const struct tally_key *tk;

		if (!s || !s->have)
			continue;
		nb++;
		tk = tally_find(&s->t, k);
		if (tk) {
			sa += tk->accesses;
			ss += tk->sources;
		}
	}
	if (!nb || nb < min_days)
		return false;
	*ma = (double)sa / nb;
	*ms = (double)ss / nb;
	return true;
}

/*
 * The score: the geometric mean of the day's accesses and sources, each over its mean a day in
 * the 30 days before, with one added to every count so that a key new today or quiet before
 * gets a finite score that grows with its size.
 */
static double score_of(uint64_t a, uint64_t s, double ma, double ms)
{
	return sqrt((a + 1.0) / (ma + 1.0) * ((s + 1.0) / (ms + 1.0)));
}

static bool day_score(struct day_slot *r, int64_t day, const struct sw_key *k,
		      unsigned int min_days, struct trend_score *ts)
{
	struct day_slot *s = slot_of(r, day);
	const struct tally_key *tk;

	if (!s || !s->have)
		return false;
	tk = tally_find(&s->t, k);
	memset(ts, 0, sizeof(*ts));
	ts->key = *k;
	ts->accesses = tk ? tk->accesses : 0;
	ts->sources = tk ? tk->sources : 0;
	if (!baseline(r, day, k, min_days, &ts->mean_accesses, &ts->mean_sources))
		return false;
	ts->score = score_of(ts->accesses, ts->sources, ts->mean_accesses, ts->mean_sources);
	return true;
}

static int cmp_scores(const void *x, const void *y)
{
	const struct trend_score *a = x, *b = y;

	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	if (a->accesses != b->accesses)
		return a->accesses > b->accesses ? -1 : 1;
	return sw_key_cmp(&a->key, &b->key);
}

int alerts_trend_scores(const struct daysrc *src, const char *point, int64_t day,
			const struct alert_config *cfg, struct trend_score **out, size_t *n,
			char *errmsg, size_t errlen)
{
	struct day_slot *r = ring_new(), *s;
	int err = r ? 0 : -ENOMEM;

	*out = NULL;
	*n = 0;
	for (int64_t d = day - TREND_DAYS; !err && d <= day; d++)
		err = ring_load(r, src, point, d, errmsg, errlen);
	s = err ? NULL : slot_of(r, day);
	if (s && s->have) {
		*out = calloc(s->t.nkeys + 1, sizeof(**out));
		if (!*out)
			err = -ENOMEM;
		for (size_t i = 0; !err && i < s->t.nkeys; i++)
			if (day_score(r, day, &s->t.keys[i].key, cfg->trend_days, &(*out)[*n]))
				(*n)++;
		if (*n)
			qsort(*out, *n, sizeof(**out), cmp_scores);
	}
	ring_free(r);
	return err;
}

static bool trend_hit(struct day_slot *r, int64_t day, const struct sw_key *k,
		      const struct alert_config *cfg, struct trend_score *ts)
{
	return day_score(r, day, k, cfg->trend_days, ts) && ts->accesses >= cfg->trend_min &&
	       ts->sources >= cfg->trend_min_sources && ts->score >= cfg->trend_score;
}

int alerts_trends(const struct daysrc *src, const char *point, int64_t from, int64_t to,
		  const struct alert_config *cfg, struct alert_list *out, char *errmsg,
		  size_t errlen)
{
	struct day_slot *r = ring_new();
	int err = r ? 0 : -ENOMEM;

	for (int64_t d = from - TREND_DAYS - 1; !err && d <= to; d++) {
		struct day_slot *s;

		err = ring_load(r, src, point, d, errmsg, errlen);
		s = slot_of(r, d);
		if (err || d < from || !s->have)
			continue;
		for (size_t i = 0; !err && i < s->t.nkeys; i++) {
			const struct sw_key *k = &s->t.keys[i].key;
			struct trend_score ts, prev;
			struct alert a = { .kind = ALERT_TREND };

			/* An alert when the score gets there, not every day it stays there. */
			if (!trend_hit(r, d, k, cfg, &ts) || trend_hit(r, d - 1, k, cfg, &prev))
				continue;
			alert_fill_key(&a, point, k);
			a.value = (double)ts.accesses;
			a.baseline = ts.mean_accesses;
			a.value_sources = (double)ts.sources;
			a.baseline_sources = ts.mean_sources;
			a.score = ts.score;
			sw_day_format(d, a.from);
			sw_day_format(d, a.to);
			sw_day_format(d - TREND_DAYS, a.base_from);
			sw_day_format(d - 1, a.base_to);
			a.at = (d + 1) * SW_DAY_S;
			err = alert_list_add(out, &a);
		}
	}
	ring_free(r);
	return err;
}
