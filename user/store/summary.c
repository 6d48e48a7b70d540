// SPDX-License-Identifier: GPL-2.0-only
/* Exact figures over some days, summed from the daily summaries: loaded, ranked and totalled. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "dates.h"
#include "dayfile.h"
#include "daysrc.h"
#include "db_conn.h"
#include "keyfmt.h"
#include "log.h"
#include "numfmt.h"
#include "parse_num.h"
#include "points.h"
#include "store.h"
#include "summary.h"

#define SUMMARY_MAX_POINTS 4096

struct merge_ctx {
	struct tally *out;
	struct summary_watch *watch; /* NULL: not asked */
	unsigned int *ndays;
	char *errmsg;
	size_t errlen;
};

static int merge_day(void *ctx, struct dayfile *df)
{
	struct merge_ctx *m = ctx;
	int err = tally_merge(m->out, &df->t);

	/* Refused, never shown wrapped around or saturated (README.md, "Daily summary files"). */
	if (!err)
		err = tally_check_totals(m->out);
	if (err == -EOVERFLOW) {
		snprintf(m->errmsg, m->errlen,
			 "the summary of point %s on %s: counts too large: added up with the days "
			 "before, they pass 2^64 - 1",
			 df->point, df->date);
		err = -EINVAL;
	} else if (err) {
		snprintf(m->errmsg, m->errlen, "out of memory");
	}
	if (m->watch) {
		struct summary_watch one = { .address_days = df->watched,
					     .min = df->watched,
					     .max = df->watched,
					     .known_days = df->watched != 0,
					     .unknown_days = df->watched == 0 };

		summary_watch_add(m->watch, &one);
	}
	(*m->ndays)++;
	dayfile_free(df);
	return err;
}

void summary_watch_add(struct summary_watch *w, const struct summary_watch *more)
{
	if (more->known_days) {
		if (!w->known_days || more->min < w->min)
			w->min = more->min;
		if (more->max > w->max)
			w->max = more->max;
	}
	w->address_days = sw_u128_add_sat(w->address_days, more->address_days);
	w->known_days += more->known_days;
	w->unknown_days += more->unknown_days;
}

bool summary_per_address(const struct summary_watch *w, uint64_t v, double *out)
{
	if (!w->known_days || w->unknown_days)
		return false;
	/*
	 * In long double, where both are exact below 2^64 (a /64 and a /24 together: 2^64 + 256),
	 * then rounded once more: a /24's figure is v / 256 to the last bit.
	 */
	*out = (double)((long double)v / (long double)w->address_days);
	return true;
}

int summary_load(const struct daysrc *src, const char *point, int64_t from, int64_t to,
		 struct tally *out, unsigned int *ndays, char *errmsg, size_t errlen)
{
	return summary_load_watch(src, point, from, to, out, NULL, ndays, errmsg, errlen);
}

int summary_load_watch(const struct daysrc *src, const char *point, int64_t from, int64_t to,
		       struct tally *out, struct summary_watch *w, unsigned int *ndays,
		       char *errmsg, size_t errlen)
{
	struct merge_ctx m = { out, w, ndays, errmsg, errlen };
	char(*names)[SW_POINT_LEN] = NULL;
	size_t n = 0;
	int err;

	*ndays = 0;
	if (point)
		return daysrc_days(src, point, from, to, merge_day, &m, errmsg, errlen);
	names = calloc(SUMMARY_MAX_POINTS, sizeof(*names));
	if (!names)
		return -ENOMEM;
	err = daysrc_points(src, names, SUMMARY_MAX_POINTS, &n);
	if (err)
		snprintf(errmsg, errlen, "%s: %s", daysrc_name(src),
			 err == -E2BIG ? "more points than summary can add up" : strerror(-err));
	for (size_t i = 0; !err && i < n; i++)
		err = daysrc_days(src, names[i], from, to, merge_day, &m, errmsg, errlen);
	free(names);
	return err;
}

static int cmp_keys(const void *a, const void *b)
{
	const struct tally_key *x = *(const struct tally_key *const *)a;
	const struct tally_key *y = *(const struct tally_key *const *)b;

	if (x->accesses != y->accesses)
		return x->accesses > y->accesses ? -1 : 1;
	return sw_key_cmp(&x->key, &y->key);
}

static int cmp_areas(const void *a, const void *b, void *ctx)
{
	const struct tally *t = ctx;
	int x = *(const int *)a, y = *(const int *)b;

	if (t->area_accesses[x] != t->area_accesses[y])
		return t->area_accesses[x] > t->area_accesses[y] ? -1 : 1;
	return x - y;
}

int summary_rank(const struct tally *t, const struct tally_key ***keys, int **areas, size_t *nareas)
{
	*keys = malloc((t->nkeys + 1) * sizeof(**keys));
	*areas = malloc(SW_NAREAS * sizeof(**areas));
	if (!*keys || !*areas) {
		free(*keys);
		free(*areas);
		return -ENOMEM;
	}
	for (size_t i = 0; i < t->nkeys; i++)
		(*keys)[i] = &t->keys[i];
	qsort(*keys, t->nkeys, sizeof(**keys), cmp_keys);
	*nareas = 0;
	for (int a = 0; a < SW_NAREAS; a++)
		if (t->area_accesses[a] || t->area_sources[a])
			(*areas)[(*nareas)++] = a;
	qsort_r(*areas, *nareas, sizeof(**areas), cmp_areas, (void *)t);
	return 0;
}

void summary_totals(const struct tally *t, struct summary_totals *s)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < t->nkeys; i++) {
		const struct tally_key *k = &t->keys[i];

		s->accesses += k->accesses;
		s->sources += k->sources;
		s->kind_accesses[k->key.kind] += k->accesses;
		s->kind_sources[k->key.kind] += k->sources;
		for (int f = 0; f < SW_NFPS; f++)
			s->fp[f] += k->fp[f];
	}
	s->dropped = tally_dropped(t);
	s->lost_sources = t->lost_sources;
	s->peak = t->peak;
	s->peak_s = t->peak_s;
}

void summary_research_totals(const struct tally *t, struct summary_totals *s)
{
	if (t->research)
		summary_totals(t->research, s);
	else
		memset(s, 0, sizeof(*s));
}

/* The research group's keys by accesses, descending: NULL with n 0 when it has none. */
