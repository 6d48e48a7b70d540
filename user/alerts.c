// SPDX-License-Identifier: GPL-2.0-only
/*
 * Alerts: what each one means is in alerts.h and README.md ("Monthly report and alerts"). The
 * daemon's side (alert_engine) evaluates them as intervals are stored, and runs the operator's
 * command in a supervising child so that the drain never waits for it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "alerts.h"
#include "cli.h"
#include "dates.h"
#include "daysrc.h"
#include "log.h"
#include "parse_num.h"
#include "points.h"
#include "priv.h"
#include "rrdio.h"
#include "rrdstore.h"
#include "store.h"
#include "summary.h"
#include "safe_file.h"

#define TREND_DAYS 30
#define RING_DAYS (TREND_DAYS + 2) /* a day, its 30 days before, and the day before's first */
#define HW_ARCHIVE_S (7 * SW_DAY_S) /* rrd/rrdstore.c keeps a week of failures */
#define LOG_FILE "alerts.log"
#define KILL_GRACE_MS 1000
#define HW_WINDOW 9 /* rows a failure is judged over (rrd/rrdstore.c) */

const char *const alert_kind_names[ALERT_NKINDS] = {
	[ALERT_HW] = "hw",
	[ALERT_SURGE_MONTH] = "surge-month",
	[ALERT_SURGE_WEEK] = "surge-week",
	[ALERT_TREND] = "trend",
};

/* ---- lists ---- */

int alert_list_add(struct alert_list *l, const struct alert *a)
{
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 16;
		struct alert *nv = realloc(l->v, ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		l->v = nv;
		l->cap = ncap;
	}
	l->v[l->n++] = *a;
	return 0;
}

void alert_list_free(struct alert_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int cmp_alerts(const void *x, const void *y)
{
	const struct alert *a = x, *b = y;
	int c;

	if (a->at != b->at)
		return a->at < b->at ? -1 : 1;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if ((c = strcmp(a->point, b->point)))
		return c;
	if ((c = strcmp(a->key, b->key)))
		return c;
	if (a->key_kind != b->key_kind)
		return a->key_kind < b->key_kind ? -1 : 1;
	return (int)a->sources - (int)b->sources;
}

void alert_list_sort(struct alert_list *l)
{
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), cmp_alerts);
}

static const char *who(const struct alert *a)
{
	return a->point[0] ? a->point : "all points";
}

void alert_describe(const struct alert *a, char *buf, size_t len)
{
	const char *measure = a->sources ? "sources" : "accesses";
	const char *kind =
		a->key_kind >= 0 && a->key_kind < SW_NKINDS ? sw_kind_names[a->key_kind] : "?";
	const char *what = a->kind == ALERT_SURGE_MONTH ? "month" : "week";

	switch (a->kind) {
	case ALERT_SURGE_MONTH:
	case ALERT_SURGE_WEEK:
		if (isnan(a->change_pct))
			snprintf(buf, len,
				 "%s: %s (%s) %s new on the %s before: %.1f a day from %s to %s, "
				 "none from %s to %s",
				 who(a), a->key, kind, measure, what, a->value, a->from, a->to,
				 a->base_from, a->base_to);
		else
			snprintf(buf, len,
				 "%s: %s (%s) %s %+.1f %% on the %s before: %.1f a day from %s to "
				 "%s, %.1f from %s to %s",
				 who(a), a->key, kind, measure, a->change_pct, what, a->value,
				 a->from, a->to, a->baseline, a->base_from, a->base_to);
		break;
	case ALERT_TREND:
		snprintf(buf, len,
			 "%s: %s (%s) trend score %.2f on %s: %.0f accesses and %.0f sources, "
			 "against %.1f and %.1f a day from %s to %s",
			 who(a), a->key, kind, a->score, a->from, a->value, a->value_sources,
			 a->baseline, a->baseline_sources, a->base_from, a->base_to);
		break;
	case ALERT_HW: {
		char pred[32];

		if (isnan(a->baseline))
			snprintf(pred, sizeof(pred), "?");
		else
			snprintf(pred, sizeof(pred), "%.1f", a->baseline);
		snprintf(buf, len,
			 "%s: Holt-Winters failure of %s (%s) %s from %s to %s%s: %.0f observed "
			 "where %s was predicted",
			 who(a), strcmp(a->key, "total") ? a->key : "all keys", kind, measure,
			 a->from, a->to, a->open ? " (still failing)" : "", a->value, pred);
		break;
	}
	default:
		snprintf(buf, len, "%s: ?", who(a));
	}
}

void alert_config_default(struct alert_config *c)
{
	c->surge_pct = ALERT_SURGE_PCT;
	c->surge_min = ALERT_SURGE_MIN;
	c->trend_score = ALERT_TREND_SCORE;
	c->trend_min = ALERT_TREND_MIN;
	c->trend_days = ALERT_TREND_DAYS;
	c->trend_min_sources = ALERT_TREND_MIN_SOURCES;
}

/* ---- calendar ---- */

static void month_of(int64_t day, int *y, int *m)
{
	time_t t = (time_t)(day * SW_DAY_S);
	struct tm tm;

	gmtime_r(&t, &tm);
	*y = tm.tm_year + 1900;
	*m = tm.tm_mon + 1;
}

static void prev_month(int *y, int *m)
{
	if (--*m == 0) {
		*m = 12;
		--*y;
	}
}

/* "2009-10-05T07:00Z" */
static void time_str(int64_t t, char out[ALERT_TIME_LEN])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, ALERT_TIME_LEN, "%Y-%m-%dT%H:%MZ", &tm);
}

static int64_t time_parse(const char *s)
{
	int64_t t;

	return sw_time_parse(s, &t) ? -1 : t;
}

/* ---- points and days ---- */

static void days_of_point(const char *data_dir, const char *point, int64_t *first, int64_t *last)
{
	char path[PATH_MAX], date[11];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s/daily", data_dir, point);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		int64_t day;

		if (len != 14 || strcmp(de->d_name + 10, ".txt"))
			continue;
		snprintf(date, sizeof(date), "%.10s", de->d_name);
		if (sw_day_parse(date, &day))
			continue;
		if (day < *first)
			*first = day;
		if (day > *last)
			*last = day;
	}
	closedir(d);
}

int alert_data_days(const char *data_dir, const char *point, int64_t *first, int64_t *last)
{
	char names[256][SW_POINT_LEN];
	size_t n = 0;

	*first = INT64_MAX;
	*last = INT64_MIN;
	if (point) {
		days_of_point(data_dir, point, first, last);
	} else {
		int err = sw_points_find(data_dir, SW_POINTS_DAILY, names, 256, &n);

		if (err)
			return err;
		for (size_t i = 0; i < n; i++)
			days_of_point(data_dir, names[i], first, last);
	}
	return *first <= *last ? 0 : -ENOENT;
}

/* ---- surges ---- */

static void fill_key(struct alert *a, const char *point, const struct sw_key *k)
{
	snprintf(a->point, sizeof(a->point), "%s", point ? point : "");
	sw_key_str(k, a->key);
	a->key_kind = k->kind;
	a->change_pct = NAN;
	a->score = NAN;
	a->value_sources = NAN;
	a->baseline_sources = NAN;
}

int alerts_surges(const struct daysrc *src, const char *point, enum alert_kind kind, int64_t from,
		  int64_t to, int64_t base_from, int64_t base_to, const struct alert_config *cfg,
		  struct alert_list *out, char *errmsg, size_t errlen)
{
	struct tally cur, base;
	unsigned int nd, nb;
	int err;

	tally_init(&cur);
	tally_init(&base);
	err = summary_load(src, point, from, to, &cur, &nd, errmsg, errlen);
	if (!err)
		err = summary_load(src, point, base_from, base_to, &base, &nb, errmsg, errlen);
	for (size_t i = 0; !err && nd && nb && i < cur.nkeys; i++) {
		const struct tally_key *k = &cur.keys[i];
		const struct tally_key *b = tally_find(&base, &k->key);
		uint64_t ba = b ? b->accesses : 0;
		struct alert a = { .kind = kind };

		if (k->accesses < cfg->surge_min)
			continue;
		/* a/nd >= (1 + pct/100) * ba/nb, in products of whole numbers: exact at the line. */
		if (ba &&
		    (double)k->accesses * nb * 100.0 < (double)ba * nd * (100.0 + cfg->surge_pct))
			continue;
		fill_key(&a, point, &k->key);
		a.value = (double)k->accesses / nd;
		a.baseline = (double)ba / nb;
		if (ba)
			a.change_pct = (a.value - a.baseline) / a.baseline * 100.0;
		sw_day_format(from, a.from);
		sw_day_format(to, a.to);
		sw_day_format(base_from, a.base_from);
		sw_day_format(base_to, a.base_to);
		a.at = (to + 1) * SW_DAY_S;
		err = alert_list_add(out, &a);
	}
	tally_free(&cur);
	tally_free(&base);
	return err;
}

/* ---- trend ---- */

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
			fill_key(&a, point, k);
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

/* ---- Holt-Winters failures ---- */

/* "keys/tcp_445.rrd" -> "tcp/445"; "totals.rrd" -> "total". */
static void key_of_rel(const char *rel, char out[SW_KEY_STRLEN])
{
	const char *base = strrchr(rel, '/');
	char *us, *dot;

	if (!strcmp(rel, "totals.rrd")) {
		snprintf(out, SW_KEY_STRLEN, "total");
		return;
	}
	snprintf(out, SW_KEY_STRLEN, "%s", base ? base + 1 : rel);
	dot = strrchr(out, '.');
	if (dot)
		*dot = '\0';
	us = strchr(out, '_');
	if (us)
		*us = '/';
}

/* "acc_scan" -> accesses of scan; false for a data source of another schema. */
static bool ds_measure(const char *ds, bool *sources, int *kind)
{
	if (strncmp(ds, "acc_", 4) && strncmp(ds, "src_", 4))
		return false;
	*sources = ds[0] == 's';
	*kind = sw_kind_parse(ds + 4);
	return *kind >= 0;
}

static void free_fetch(char **names, unsigned long nds, rrd_value_t *data)
{
	for (unsigned long i = 0; names && i < nds; i++)
		rrd_freemem(names[i]);
	rrd_freemem(names);
	rrd_freemem(data);
}

/* Rows ending at t0, t0 + step ... of data source ds in an archive of cf: n values, NAN if none. */
static void fetch_series(struct rrdio *io, const char *name, const char *cf, unsigned long step,
			 unsigned long ds, int64_t t0, size_t n, double *out)
{
	time_t start = (time_t)(t0 - (int64_t)step), end = (time_t)(t0 + (int64_t)(n - 1) * step);
	unsigned long st = step, nds = 0;
	char **names = NULL;
	rrd_value_t *data = NULL;

	for (size_t i = 0; i < n; i++)
		out[i] = NAN;
	if (rrdio_fetch(io, name, cf, &start, &end, &st, &nds, &names, &data))
		return;
	for (time_t ti = start + (time_t)st; st == step && ti <= end && ds < nds;
	     ti += (time_t)st) {
		int64_t i = ((int64_t)ti - t0) / (int64_t)step;

		if (ti >= t0 && ((int64_t)ti - t0) % (int64_t)step == 0 && i < (int64_t)n)
			out[i] = data[(size_t)((ti - start) / (time_t)st - 1) * nds + ds];
	}
	free_fetch(names, nds, data);
}

/*
 * What started a failure: the first row of the window that flagged it whose observation lies
 * outside the band (prediction +- 2 deviations, rrdtool's default), with its prediction.
 */
static void hw_cause(struct rrdio *io, const char *name, unsigned long step, unsigned long ds,
		     int64_t t, double *obs, double *pred)
{
	double o[HW_WINDOW], p[HW_WINDOW], d[HW_WINDOW];
	int64_t t0 = t - (int64_t)(HW_WINDOW - 1) * (int64_t)step;

	fetch_series(io, name, "AVERAGE", step, ds, t0, HW_WINDOW, o);
	fetch_series(io, name, "HWPREDICT", step, ds, t0, HW_WINDOW, p);
	fetch_series(io, name, "DEVPREDICT", step, ds, t0, HW_WINDOW, d);
	for (int i = 0; i < HW_WINDOW; i++) {
		if (isnan(o[i]) || isnan(p[i]) || isnan(d[i]))
			continue;
		if (o[i] > p[i] + 2 * d[i] || o[i] < p[i] - 2 * d[i]) {
			*obs = o[i];
			*pred = p[i];
			return;
		}
	}
	*obs = o[HW_WINDOW - 1];
	*pred = p[HW_WINDOW - 1];
}

static int hw_scan_file(struct rrdio *io, const char *data_dir, const char *point, const char *rel,
			int64_t from_s, int64_t to_s, struct alert_list *out, char *errmsg,
			size_t errlen)
{
	char name[PATH_MAX];
	time_t start = (time_t)from_s - 1, end = (time_t)to_s;
	unsigned long step = 0, nds = 0, rows;
	char **names = NULL;
	rrd_value_t *data = NULL;
	int err = 0;

	if (rrdio_name(io, data_dir, point, rel, name, sizeof(name)))
		return 0;
	if (rrdio_fetch(io, name, "FAILURES", &start, &end, &step, &nds, &names, &data)) {
		/* A file without Holt-Winters archives (intervals under a minute) has none. */
		if (strstr(io->errmsg, "does not contain an RRA matching") ||
		    strstr(io->errmsg, "No such file"))
			return 0;
		snprintf(errmsg, errlen, "%s", io->errmsg);
		return -EIO;
	}
	rows = step ? (unsigned long)(end - start) / step : 0;
	for (unsigned long ds = 0; !err && ds < nds; ds++) {
		bool sources;
		int kind;

		if (!ds_measure(names[ds], &sources, &kind))
			continue;
		for (unsigned long i = 0; !err && i < rows; i++) {
			int64_t t = (int64_t)start + (int64_t)(i + 1) * (int64_t)step;
			double v = data[i * nds + ds];
			struct alert a = { .kind = ALERT_HW };
			unsigned long j = i;

			if (!(v > 0.5) || t < from_s || t > to_s)
				continue;
			while (j + 1 < rows && data[(j + 1) * nds + ds] > 0.5 &&
			       (int64_t)start + (int64_t)(j + 2) * (int64_t)step <= to_s)
				j++;
			snprintf(a.point, sizeof(a.point), "%s", point);
			key_of_rel(rel, a.key);
			a.key_kind = kind;
			a.sources = sources;
			a.at = t;
			time_str(t, a.from);
			time_str((int64_t)start + (int64_t)(j + 1) * (int64_t)step, a.to);
			a.open = (int64_t)start + (int64_t)(j + 2) * (int64_t)step > to_s;
			hw_cause(io, name, step, ds, t, &a.value, &a.baseline);
			a.change_pct = a.score = a.value_sources = a.baseline_sources = NAN;
			err = alert_list_add(out, &a);
			i = j;
		}
	}
	free_fetch(names, nds, data);
	return err;
}

/* totals.rrd and keys/NAME.rrd of a point, from its own folder. */
static int list_kind_files(const char *data_dir, const char *point, char (**rels)[64], size_t *n)
{
	char path[PATH_MAX];
	struct dirent *de;
	size_t cap = 64;
	DIR *d;

	*n = 0;
	*rels = malloc(cap * sizeof(**rels));
	if (!*rels)
		return -ENOMEM;
	snprintf((*rels)[(*n)++], 64, "totals.rrd");
	snprintf(path, sizeof(path), "%s/%s/keys", data_dir, point);
	d = opendir(path);
	while (d && (de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (len < 5 || len > 40 || strcmp(de->d_name + len - 4, ".rrd"))
			continue;
		if (*n == cap) {
			void *nr = realloc(*rels, 2 * cap * sizeof(**rels));

			if (!nr) {
				closedir(d);
				return -ENOMEM;
			}
			*rels = nr;
			cap *= 2;
		}
		snprintf((*rels)[(*n)++], 64, "keys/%s", de->d_name);
	}
	if (d)
		closedir(d);
	return 0;
}

int alerts_hw_scan(struct rrdio *io, const char *data_dir, const char *point, int64_t from_s,
		   int64_t to_s, struct alert_list *out, char *errmsg, size_t errlen)
{
	struct rrdio local = { 0 };
	struct rrdio_meta meta;
	char(*rels)[64] = NULL, name[PATH_MAX];
	size_t n = 0;
	int err;

	if (!io)
		io = &local;
	/* Only the week before the last update is kept: fetch no more than that. */
	if (rrdio_name(io, data_dir, point, "totals.rrd", name, sizeof(name)) ||
	    rrdio_info(io, name, &meta))
		return 0;
	if (from_s < (int64_t)meta.last_s - HW_ARCHIVE_S - (int64_t)meta.step_s)
		from_s = (int64_t)meta.last_s - HW_ARCHIVE_S - (int64_t)meta.step_s;
	if (to_s > (int64_t)meta.last_s)
		to_s = (int64_t)meta.last_s;
	if (from_s > to_s)
		return 0;
	err = list_kind_files(data_dir, point, &rels, &n);
	for (size_t i = 0; !err && i < n; i++)
		err = hw_scan_file(io, data_dir, point, rels[i], from_s, to_s, out, errmsg, errlen);
	free(rels);
	return err;
}

/* ---- alerts.log ---- */

static void num_str(double v, char *buf, size_t len)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.6g", v);
}

static const char *dash(const char *s)
{
	return s[0] ? s : "-";
}

void alerts_log_format(const struct alert *a, char *buf, size_t len)
{
	char v[6][32];

	num_str(a->value, v[0], sizeof(v[0]));
	num_str(a->baseline, v[1], sizeof(v[1]));
	num_str(a->value_sources, v[2], sizeof(v[2]));
	num_str(a->baseline_sources, v[3], sizeof(v[3]));
	num_str(a->change_pct, v[4], sizeof(v[4]));
	num_str(a->score, v[5], sizeof(v[5]));
	snprintf(buf, len, "%s %" PRId64 " %s %s %s %s %s %s %s %s %s %s %s %s %s %s %s",
		 alert_kind_names[a->kind], a->at, a->point, a->key, sw_kind_names[a->key_kind],
		 a->sources ? "sources" : "accesses", a->from, a->to, dash(a->base_from),
		 dash(a->base_to), v[0], v[1], v[2], v[3], v[4], v[5],
		 a->kind != ALERT_HW ? "-" :
		 a->open	     ? "open" :
				       "closed");
}

int alerts_log_append(const char *data_dir, const struct alert *a)
{
	char path[PATH_MAX], line[1024];
	struct stat st;
	FILE *f;
	int err = 0;

	if (!a->point[0])
		return 0; /* all points together: recomputed from the summaries, no file of its own */
	snprintf(path, sizeof(path), "%s/%s/" LOG_FILE, data_dir, a->point);
	f = sf_fopen_path(path, "a", SW_MODE_FILE, &err);
	if (!f)
		return err;
	if (!fstat(fileno(f), &st) && st.st_size == 0)
		fprintf(f, "# scanwatch alerts (README.md \"Monthly report and alerts\"):\n"
			   "# KIND AT POINT KEY KEYKIND MEASURE FROM TO BASE_FROM BASE_TO VALUE "
			   "BASELINE VALUE_SOURCES BASELINE_SOURCES CHANGE_PCT SCORE STATE\n");
	alerts_log_format(a, line, sizeof(line));
	fprintf(f, "%s\n", line);
	if (fflush(f))
		err = -errno;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

static bool same_series(const struct alert *a, const struct alert *b)
{
	return a->kind == b->kind && a->key_kind == b->key_kind && a->sources == b->sources &&
	       !strcmp(a->point, b->point) && !strcmp(a->key, b->key);
}

static double num_parse(const char *s)
{
	char *end;
	double v;

	if (!strcmp(s, "-"))
		return NAN;
	v = strtod(s, &end);
	return *end ? NAN : v;
}

int alerts_log_parse(const char *point, char *line, struct alert_list *out, unsigned int *bad)
{
	char *w[17], *save = NULL;
	struct alert a = { 0 };
	int nw = 0, kind;
	uint64_t at;
	bool found = false;

	if (line[0] == '#')
		return 0;
	for (char *t = strtok_r(line, " \n", &save); t && nw < 17; t = strtok_r(NULL, " \n", &save))
		w[nw++] = t;
	if (nw == 0)
		return 0;
	/* A line cut short by a crash, or not ours: counted and passed over. */
	if (nw != 17) {
		(*bad)++;
		return 0;
	}
	/* Other kinds are recomputed from the daily summaries. */
	if (strcmp(w[0], "hw"))
		return 0;
	if (parse_u64(w[1], 0, INT64_MAX, &at) || strcmp(w[2], point) ||
	    strlen(w[3]) >= SW_KEY_STRLEN || (kind = sw_kind_parse(w[4])) < 0 ||
	    strlen(w[6]) >= ALERT_TIME_LEN || strlen(w[7]) >= ALERT_TIME_LEN ||
	    time_parse(w[6]) < 0 || time_parse(w[7]) < 0) {
		(*bad)++;
		return 0;
	}
	a.kind = ALERT_HW;
	a.at = (int64_t)at;
	snprintf(a.point, sizeof(a.point), "%s", w[2]);
	snprintf(a.key, sizeof(a.key), "%s", w[3]);
	a.key_kind = kind;
	a.sources = !strcmp(w[5], "sources");
	snprintf(a.from, sizeof(a.from), "%s", w[6]);
	snprintf(a.to, sizeof(a.to), "%s", w[7]);
	a.value = num_parse(w[10]);
	a.baseline = num_parse(w[11]);
	a.value_sources = a.baseline_sources = a.change_pct = a.score = NAN;
	a.open = !strcmp(w[16], "open");
	/* A run is logged when it starts and again when it ends: the last line tells. */
	for (size_t i = 0; i < out->n; i++)
		if (same_series(&out->v[i], &a) && !strcmp(out->v[i].from, a.from)) {
			out->v[i] = a;
			found = true;
		}
	return found ? 0 : alert_list_add(out, &a);
}

int alerts_log_read(const char *data_dir, const char *point, struct alert_list *out, char *errmsg,
		    size_t errlen)
{
	char path[PATH_MAX], line[1024];
	unsigned int bad = 0;
	FILE *f;
	int err = 0;

	snprintf(path, sizeof(path), "%s/%s/" LOG_FILE, data_dir, point);
	f = sf_fopen_path(path, "r", 0, &err);
	if (!f) {
		if (err == -ENOENT)
			return 0;
		snprintf(errmsg, errlen, "%s: %s", path, sf_strerror(err));
		return err;
	}
	while (!err && fgets(line, sizeof(line), f))
		err = alerts_log_parse(point, line, out, &bad);
	fclose(f);
	if (bad)
		sw_warn("%s: %u line(s) that are not alerts passed over", path, bad);
	return err;
}

/* ---- everything of some days ---- */

/* Runs seen in the archive and in the log are one when they overlap: the log may know the start. */
static int merge_hw(struct alert_list *out, const struct alert_list *scan)
{
	int err = 0;

	for (size_t i = 0; !err && i < scan->n; i++) {
		const struct alert *s = &scan->v[i];
		bool found = false;

		for (size_t j = 0; j < out->n && !found; j++) {
			struct alert *o = &out->v[j];

			if (!same_series(o, s) || strcmp(o->from, s->to) > 0 ||
			    strcmp(s->from, o->to) > 0)
				continue;
			found = true;
			if (strcmp(s->to, o->to) >= 0) {
				snprintf(o->to, sizeof(o->to), "%s", s->to);
				o->open = s->open;
			}
			if (strcmp(s->from, o->from) < 0) {
				*o = *s;
			}
		}
		if (!found)
			err = alert_list_add(out, s);
	}
	return err;
}

static int collect_one(const struct daysrc *src, const char *point, int64_t from, int64_t to,
		       const struct alert_config *cfg, struct alert_list *out, char *errmsg,
		       size_t errlen)
{
	int y, m, ye, me, err = 0;
	int64_t mf, ml;

	/* Months that overlap the days: a month in progress is judged on its days so far. */
	month_of(from, &y, &m);
	month_of(to, &ye, &me);
	while (!err && (y < ye || (y == ye && m <= me))) {
		int py = y, pm = m;
		int64_t bf, bl;

		sw_month_days(y, m, &mf, &ml);
		prev_month(&py, &pm);
		sw_month_days(py, pm, &bf, &bl);
		err = alerts_surges(src, point, ALERT_SURGE_MONTH, mf, ml, bf, bl, cfg, out, errmsg,
				    errlen);
		if (++m == 13) {
			m = 1;
			y++;
		}
	}
	/* ISO weeks, Monday to Sunday, that overlap the days. */
	for (int64_t mon = from - sw_weekday(from); !err && mon <= to; mon += 7)
		err = alerts_surges(src, point, ALERT_SURGE_WEEK, mon, mon + 6, mon - 7, mon - 1,
				    cfg, out, errmsg, errlen);
	if (!err)
		err = alerts_trends(src, point, from, to, cfg, out, errmsg, errlen);
	if (!err && point) {
		struct alert_list logged = { 0 }, scan = { 0 };
		int64_t t0 = from * SW_DAY_S, t1 = (to + 1) * SW_DAY_S;

		err = daysrc_alerts_log(src, point, &logged, errmsg, errlen);
		/* The archives are the sensors' files: the database has what their logs say. */
		if (!err && src->data_dir)
			err = alerts_hw_scan(NULL, src->data_dir, point, t0, t1, &scan, errmsg,
					     errlen);
		if (!err)
			err = merge_hw(&logged, &scan);
		for (size_t i = 0; !err && i < logged.n; i++) {
			int64_t s = time_parse(logged.v[i].from), e = time_parse(logged.v[i].to);

			/* Runs that overlap the days. */
			if (e >= t0 && s <= t1)
				err = alert_list_add(out, &logged.v[i]);
		}
		alert_list_free(&logged);
		alert_list_free(&scan);
	}
	return err;
}

int alerts_collect(const struct daysrc *src, char (*points)[SW_POINT_LEN], size_t npoints,
		   bool with_all, int64_t from, int64_t to, const struct alert_config *cfg,
		   struct alert_list *out, char *errmsg, size_t errlen)
{
	int err = 0;

	for (size_t i = 0; !err && i < npoints; i++)
		err = collect_one(src, points[i], from, to, cfg, out, errmsg, errlen);
	if (!err && with_all)
		err = collect_one(src, NULL, from, to, cfg, out, errmsg, errlen);
	alert_list_sort(out);
	return err;
}

/* ---- the engine ---- */

static int parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (!*s || *end || errno || !(v >= min && v <= max))
		return -EINVAL;
	*out = v;
	return 0;
}

static void free_argv(char **argv)
{
	for (size_t i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}

static int split_command(const char *cmd, char ***out)
{
	char *copy = strdup(cmd), *save = NULL;
	size_t n = 0;
	char **argv = calloc(strlen(cmd) / 2 + 2, sizeof(*argv));

	if (!copy || !argv) {
		free(copy);
		free(argv);
		return -ENOMEM;
	}
	for (char *t = strtok_r(copy, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		argv[n] = strdup(t);
		if (!argv[n++]) {
			free(copy);
			free_argv(argv);
			return -ENOMEM;
		}
	}
	free(copy);
	if (!n) {
		free(argv);
		return -EINVAL;
	}
	*out = argv;
	return 0;
}

int alert_cli_option(struct alert_engine *e, int opt, const char *arg, const char *cmd)
{
	uint64_t v;

	switch (opt) {
	case ALERT_OPT_COMMAND:
		free_argv(e->argv);
		e->argv = NULL;
		if (split_command(arg, &e->argv))
			return usage_error(cmd, "--alert-command needs a command");
		return 0;
	case ALERT_OPT_TIMEOUT:
		if (parse_uint(arg, 1, 3600, &e->timeout_s))
			return usage_error(cmd, "--alert-timeout takes 1 to 3600 seconds");
		return 0;
	case ALERT_OPT_SURGE_PCT:
		if (parse_double(arg, 0.1, 1e6, &e->cfg.surge_pct))
			return usage_error(cmd, "--surge-pct takes a percentage above 0, not '%s'",
					   arg);
		return 0;
	case ALERT_OPT_SURGE_MIN:
		if (parse_u64(arg, 1, UINT32_MAX, &v))
			return usage_error(cmd, "--surge-min takes a positive count");
		e->cfg.surge_min = v;
		return 0;
	case ALERT_OPT_TREND_SCORE:
		if (parse_double(arg, 1.01, 1e6, &e->cfg.trend_score))
			return usage_error(cmd, "--trend-score takes a number above 1, not '%s'",
					   arg);
		return 0;
	case ALERT_OPT_TREND_MIN:
		if (parse_u64(arg, 1, UINT32_MAX, &v))
			return usage_error(cmd, "--trend-min takes a positive count");
		e->cfg.trend_min = v;
		return 0;
	case ALERT_OPT_TREND_DAYS:
		if (parse_u64(arg, 1, TREND_DAYS, &v))
			return usage_error(cmd, "--trend-days takes 1 to %d days", TREND_DAYS);
		e->cfg.trend_days = (unsigned int)v;
		return 0;
	case ALERT_OPT_TREND_MIN_SOURCES:
		if (parse_u64(arg, 1, UINT32_MAX, &v))
			return usage_error(cmd, "--trend-min-sources takes a positive count");
		e->cfg.trend_min_sources = v;
		return 0;
	}
	return usage_error(cmd, "unknown alert option");
}

void alert_engine_init(struct alert_engine *e)
{
	memset(e, 0, sizeof(*e));
	alert_config_default(&e->cfg);
	e->timeout_s = ALERT_TIMEOUT_DEFAULT;
}

int alert_engine_open(struct alert_engine *e, const char *data_dir, uint64_t hw_every_s)
{
	e->data_dir = data_dir;
	e->hw_every_s = hw_every_s;
	return 0;
}

struct alert_point *alert_engine_point(struct alert_engine *e, const char *name,
				       struct rrdstore *rs)
{
	struct alert_point *p;
	char errmsg[512];

	if (e->npoints == sizeof(e->points) / sizeof(e->points[0]))
		return NULL;
	p = &e->points[e->npoints++];
	memset(p, 0, sizeof(*p));
	p->eng = e;
	p->rs = rs;
	snprintf(p->name, sizeof(p->name), "%s", name);
	/* Runs already logged (by a daemon before this one) are not raised again. */
	if (alerts_log_read(e->data_dir, name, &p->hw, errmsg, sizeof(errmsg)))
		sw_warn("point %s: %s", name, errmsg);
	return p;
}

static void reap(struct alert_engine *e)
{
	for (size_t i = 0; i < e->nchildren;) {
		if (waitpid(e->children[i], NULL, WNOHANG) == e->children[i]) {
			e->children[i] = e->children[--e->nchildren];
			continue;
		}
		i++;
	}
}

static void set_env_num(const char *name, double v, const char *fmt)
{
	char buf[64];

	if (isnan(v))
		buf[0] = '\0';
	else
		snprintf(buf, sizeof(buf), fmt, v);
	setenv(name, buf, 1);
}

static void set_env(const struct alert *a, const char *msg)
{
	char at[32];

	setenv("SW_ALERT_KIND", alert_kind_names[a->kind], 1);
	setenv("SW_ALERT_POINT", a->point, 1);
	setenv("SW_ALERT_KEY", a->key, 1);
	setenv("SW_ALERT_KEY_KIND", sw_kind_names[a->key_kind], 1);
	setenv("SW_ALERT_MEASURE", a->sources ? "sources" : "accesses", 1);
	set_env_num("SW_ALERT_VALUE", a->value, "%.6g");
	set_env_num("SW_ALERT_BASELINE", a->baseline, "%.6g");
	set_env_num("SW_ALERT_CHANGE_PCT", a->change_pct, "%.1f");
	set_env_num("SW_ALERT_SCORE", a->score, "%.3f");
	setenv("SW_ALERT_FROM", a->from, 1);
	setenv("SW_ALERT_TO", a->to, 1);
	setenv("SW_ALERT_BASE_FROM", a->base_from, 1);
	setenv("SW_ALERT_BASE_TO", a->base_to, 1);
	snprintf(at, sizeof(at), "%" PRId64, a->at);
	setenv("SW_ALERT_AT", at, 1);
	setenv("SW_ALERT_MESSAGE", msg, 1);
}

static int wait_exit(int pidfd, pid_t pid, int timeout_ms, int *status)
{
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
	int r;

	do
		r = poll(&pfd, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r <= 0)
		return -ETIMEDOUT;
	return waitpid(pid, status, 0) == pid ? 0 : -errno;
}

/*
 * The supervisor: a child of the daemon that starts the command, waits for it up to the
 * timeout, then kills it. The daemon only reaps the supervisor, which is bounded too.
 */
static void __attribute__((noreturn))
supervise(const struct alert_engine *e, const struct alert *a, const char *msg)
{
	char errmsg[256];
	sigset_t none;
	int status = 0, pidfd, fd;
	pid_t pid;

	/* Nothing of the daemon's (BPF maps, the day's logs, signalfd) goes to the command. */
	close_range(3, ~0U, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	/* Nor its privileges: replay runs as root with all of them (README.md, "Alerts"). */
	if (priv_shed(errmsg, sizeof(errmsg))) {
		fprintf(stderr, "scanwatch: warning: alert command %s not run: %s\n", e->argv[0],
			errmsg);
		_exit(1);
	}
	set_env(a, msg);
	pid = fork();
	if (pid < 0)
		_exit(1);
	if (pid == 0) {
		fd = open("/dev/null", O_RDONLY);
		if (fd >= 0 && fd != 0) {
			dup2(fd, 0);
			close(fd);
		}
		execvp(e->argv[0], e->argv);
		sw_warn("alert command %s: %s", e->argv[0], strerror(errno));
		_exit(127);
	}
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0 || wait_exit(pidfd, pid, (int)e->timeout_s * 1000, &status)) {
		kill(pid, SIGTERM);
		if (pidfd < 0 || wait_exit(pidfd, pid, KILL_GRACE_MS, &status)) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
		}
		sw_warn("alert command %s killed after %u s: it took too long", e->argv[0],
			e->timeout_s);
		_exit(1);
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) && WEXITSTATUS(status) != 127)
		sw_warn("alert command %s exited with %d", e->argv[0], WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		sw_warn("alert command %s killed by signal %d", e->argv[0], WTERMSIG(status));
	_exit(0);
}

static void run_command(struct alert_engine *e, const struct alert *a, const char *msg)
{
	pid_t pid;

	reap(e);
	if (e->nchildren == ALERT_MAX_CHILDREN) {
		sw_warn("alert command not run: %d of them still running", ALERT_MAX_CHILDREN);
		return;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		sw_warn("alert command not run: fork: %s", strerror(errno));
		return;
	}
	if (pid == 0)
		supervise(e, a, msg);
	e->children[e->nchildren++] = pid;
}

static void raise_alert(struct alert_engine *e, const struct alert *a)
{
	char msg[768];
	int err;

	alert_describe(a, msg, sizeof(msg));
	sw_warn("alert: %s", msg);
	err = alerts_log_append(e->data_dir, a);
	if (err)
		sw_warn("point %s: cannot append to %s/%s/" LOG_FILE ": %s", a->point, e->data_dir,
			a->point, sf_strerror(err));
	else if (e->logged && a->point[0])
		e->logged(e->logged_ctx, a);
	e->raised++;
	if (e->argv)
		run_command(e, a, msg);
}

/* Days [d0, d1] have ended: their trends, the weeks and months they close. */
static void judge_days(struct alert_point *p, int64_t d0, int64_t d1)
{
	struct alert_engine *e = p->eng;
	struct daysrc src = daysrc_files(e->data_dir);
	struct alert_list l = { 0 };
	char errmsg[512];
	int err;

	err = alerts_trends(&src, p->name, d0, d1, &e->cfg, &l, errmsg, sizeof(errmsg));
	for (int64_t d = d0; !err && d <= d1; d++) {
		int y, m, py, pm;
		int64_t mf, ml, bf, bl;

		if (sw_weekday(d) == 6)
			err = alerts_surges(&src, p->name, ALERT_SURGE_WEEK, d - 6, d, d - 13,
					    d - 7, &e->cfg, &l, errmsg, sizeof(errmsg));
		month_of(d, &y, &m);
		sw_month_days(y, m, &mf, &ml);
		if (err || d != ml)
			continue;
		py = y;
		pm = m;
		prev_month(&py, &pm);
		sw_month_days(py, pm, &bf, &bl);
		err = alerts_surges(&src, p->name, ALERT_SURGE_MONTH, mf, ml, bf, bl, &e->cfg, &l,
				    errmsg, sizeof(errmsg));
	}
	if (err)
		sw_warn("point %s: alerts of %" PRId64 " day(s) not judged: %s", p->name,
			d1 - d0 + 1, errmsg);
	alert_list_sort(&l);
	for (size_t i = 0; i < l.n; i++)
		raise_alert(e, &l.v[i]);
	alert_list_free(&l);
}

static int hw_step(const struct alert_point *p)
{
	return p->rs && p->rs->step_s ? (int)p->rs->step_s : 60;
}

static void check_hw(struct alert_point *p, uint64_t end_s)
{
	struct alert_engine *e = p->eng;
	struct alert_list scan = { 0 };
	int64_t from = p->hw_seen_s ? p->hw_seen_s : (int64_t)end_s - HW_ARCHIVE_S;
	char first_row[ALERT_TIME_LEN], errmsg[512];
	int err = 0;

	if (!p->rs)
		return;
	/* The archive keeps a week: more (a capture's clock that jumps years) is rows nobody has. */
	if (from < (int64_t)end_s - HW_ARCHIVE_S)
		from = (int64_t)end_s - HW_ARCHIVE_S;
	time_str(from, first_row);
	for (size_t i = 0; !err && i < p->rs->nfiles; i++) {
		const struct rrd_file *f = &p->rs->files[i];

		if (f->schema != RRD_SCH_KINDS || !f->exists)
			continue;
		err = hw_scan_file(&p->rs->io, e->data_dir, p->name, f->rel, from, (int64_t)end_s,
				   &scan, errmsg, sizeof(errmsg));
	}
	if (err) {
		sw_warn("point %s: Holt-Winters failures not read: %s", p->name, errmsg);
		alert_list_free(&scan);
		return;
	}
	for (size_t i = 0; i < scan.n; i++) {
		struct alert *s = &scan.v[i], *known = NULL;

		for (size_t j = 0; j < p->hw.n && !known; j++) {
			struct alert *k = &p->hw.v[j];

			/* The same run: it started then, or it goes on from the row seen last. */
			if (same_series(k, s) &&
			    (!strcmp(k->from, s->from) || (k->open && !strcmp(s->from, first_row))))
				known = k;
		}
		if (!known) {
			if (!alert_list_add(&p->hw, s))
				raise_alert(e, s);
			continue;
		}
		if (strcmp(known->to, s->to) > 0)
			continue;
		snprintf(known->to, sizeof(known->to), "%s", s->to);
		if (known->open && !s->open) {
			known->open = false;
			if (!alerts_log_append(e->data_dir, known) && e->logged)
				e->logged(e->logged_ctx, known);
			sw_info("point %s: Holt-Winters failure of %s (%s) %s since %s ended at %s",
				p->name, known->key, sw_kind_names[known->key_kind],
				known->sources ? "sources" : "accesses", known->from, known->to);
		}
	}
	alert_list_free(&scan);
	/* Runs over a week old can no longer come back from the archive. */
	for (size_t j = 0; j < p->hw.n;) {
		if (!p->hw.v[j].open &&
		    time_parse(p->hw.v[j].to) < (int64_t)end_s - HW_ARCHIVE_S - 2 * hw_step(p)) {
			p->hw.v[j] = p->hw.v[--p->hw.n];
			continue;
		}
		j++;
	}
	/* The last row is read again next time: a run that goes on is seen to go on. */
	p->hw_seen_s = (int64_t)end_s;
}

static void judge_until(struct alert_point *p, const char *date)
{
	int64_t d0, d1;

	if (p->last_date[0] && strcmp(date, p->last_date) > 0 && !sw_day_parse(p->last_date, &d0) &&
	    !sw_day_parse(date, &d1))
		judge_days(p, d0, d1 - 1);
	if (!p->last_date[0] || strcmp(date, p->last_date) > 0)
		snprintf(p->last_date, sizeof(p->last_date), "%s", date);
}

void alert_tick(struct alert_point *p, const char *date, uint64_t end_s)
{
	if (!p)
		return;
	reap(p->eng);
	if (date && date[0])
		judge_until(p, date);
	if (end_s >= p->next_hw_s) {
		check_hw(p, end_s);
		p->next_hw_s = end_s + p->eng->hw_every_s;
	}
}

void alert_flush(struct alert_point *p, uint64_t end_s)
{
	char date[11];

	if (!p)
		return;
	/* Observation ended at end_s: a day that ended by then is judged now. */
	sw_date_of((time_t)end_s, date);
	judge_until(p, date);
	check_hw(p, end_s);
}

void alert_engine_close(struct alert_engine *e)
{
	for (size_t i = 0; i < e->nchildren; i++)
		waitpid(e->children[i], NULL, 0);
	e->nchildren = 0;
	for (size_t i = 0; i < e->npoints; i++)
		alert_list_free(&e->points[i].hw);
	free_argv(e->argv);
	e->argv = NULL;
}
