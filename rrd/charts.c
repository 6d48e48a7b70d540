// SPDX-License-Identifier: GPL-2.0-only
/*
 * The chart catalogue. Every per-day chart works in one unit, the day's count, and takes it from
 * the daily summaries: a series in memory (memseries) with a row per day, unknown on a day no
 * point of the chart has a summary for. The key chart of a short window takes its rows from the
 * key's RRD file the same way, as counts per row. rrdgraph gets each series as counts per value
 * at least a pixel wide, draws count / days (or rows) per value, and totals count / seconds per
 * value with VDEF TOTAL, which multiplies back by the width: its total of what it drew is the
 * sum of the rows, which chart_draw checks against the exact figure the legend prints.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "charts.h"
#include "dates.h"
#include "daysrc.h"
#include "grow.h"
#include "keyfmt.h"
#include "numfmt.h"
#include "safe_file.h"
#include "summary.h"

#include <rrd_client.h> /* after rrd.h, which it needs */

#define HOUR_S 3600

const struct chart_def chart_catalogue[] = {
	{ "points-accesses", "points", CHART_POINTS, CHART_ACCESSES, 183,
	  "accesses a day of each point, and their mean (183 days)" },
	{ "points-sources", "points", CHART_POINTS, CHART_SOURCES, 183,
	  "sources a day of each point, and their mean (183 days)" },
	{ "keys-accesses", "keys", CHART_KEYS, CHART_ACCESSES, 31,
	  "accesses a day by key: top keys stacked, then other" },
	{ "keys-sources", "keys", CHART_KEYS, CHART_SOURCES, 31,
	  "sources a day by key: top keys stacked, then other" },
	{ "areas-accesses", "areas", CHART_AREAS, CHART_ACCESSES, 31,
	  "accesses a day by source country: top areas stacked" },
	{ "areas-sources", "areas", CHART_AREAS, CHART_SOURCES, 31,
	  "sources a day by source country: top areas stacked" },
	{ "keys-share-accesses", "share", CHART_KEY_SHARE, CHART_ACCESSES, 31,
	  "share of each top key in the day's accesses (100 %)" },
	{ "keys-share-sources", "share", CHART_KEY_SHARE, CHART_SOURCES, 31,
	  "share of each top key in the day's sources (100 %)" },
	{ "areas-share-accesses", "share", CHART_AREA_SHARE, CHART_ACCESSES, 31,
	  "share of each top area in the day's accesses (100 %)" },
	{ "areas-share-sources", "share", CHART_AREA_SHARE, CHART_SOURCES, 31,
	  "share of each top area in the day's sources (100 %)" },
	{ "key", "key", CHART_KEY_HW, CHART_ACCESSES, 61,
	  "one key, Holt-Winters band, failures; per point (61 days)" },
	{ "kinds-accesses", "kinds", CHART_KINDS, CHART_ACCESSES, 31,
	  "scan vs backscatter (and other) accesses a day" },
	{ "kinds-sources", "kinds", CHART_KINDS, CHART_SOURCES, 31,
	  "scan vs backscatter (and other) sources a day" },
	{ "fingerprints", "fingerprints", CHART_FINGERPRINTS, CHART_ACCESSES, 31,
	  "Mirai, ZMap, masscan packets a day, share of all scans" },
};

const size_t chart_catalogue_len = sizeof(chart_catalogue) / sizeof(chart_catalogue[0]);

const struct chart_def *chart_find(const char *name)
{
	for (size_t i = 0; i < chart_catalogue_len; i++)
		if (!strcmp(chart_catalogue[i].name, name))
			return &chart_catalogue[i];
	return NULL;
}

bool chart_matches(const struct chart_def *c, const char *name)
{
	return !strcmp(c->name, name) || !strcmp(c->group, name);
}

/* ---- keys and ranking ---- */

void chart_key_str(const struct chart_key *k, char *buf, size_t len)
{
	struct sw_key sk = { .cls = k->cls, .num = k->num };
	char s[SW_KEY_STRLEN];

	sw_key_str(&sk, s);
	snprintf(buf, len, "%s", s);
}

void chart_key_file(const struct chart_key *k, char *buf, size_t len)
{
	chart_key_str(k, buf, len);
	for (char *p = buf; *p; p++)
		if (*p == '/')
			*p = '_';
}

int chart_key_parse(const char *str, struct chart_key *k)
{
	struct sw_key sk;

	if (sw_key_parse(str, "scan", &sk))
		return -EINVAL;
	k->cls = sk.cls;
	k->num = sk.num;
	return 0;
}

static int key_order(const struct chart_key *a, const struct chart_key *b)
{
	if (a->cls != b->cls)
		return a->cls < b->cls ? -1 : 1;
	if (a->num != b->num)
		return a->num < b->num ? -1 : 1;
	return 0;
}

static int cmp_by_key(const void *a, const void *b)
{
	return key_order(&((const struct chart_rank *)a)->key,
			 &((const struct chart_rank *)b)->key);
}

static int cmp_by_value(const void *a, const void *b)
{
	const struct chart_rank *x = a, *y = b;

	if (x->value != y->value)
		return x->value > y->value ? -1 : 1;
	if (x->area != y->area)
		return x->area < y->area ? -1 : 1;
	return key_order(&x->key, &y->key);
}

int chart_rank_keys(const struct tally *t, enum chart_measure m, struct chart_rank **out, size_t *n)
{
	struct chart_rank *r = calloc(t->nkeys + 1, sizeof(*r));
	size_t j = 0;

	if (!r)
		return -ENOMEM;
	for (size_t i = 0; i < t->nkeys; i++) {
		r[i].key.cls = t->keys[i].key.cls;
		r[i].key.num = t->keys[i].key.num;
		r[i].value = m == CHART_ACCESSES ? t->keys[i].accesses : t->keys[i].sources;
	}
	/* Kinds of one key are separate in the summaries but share one RRD file: merge them. */
	qsort(r, t->nkeys, sizeof(*r), cmp_by_key);
	for (size_t i = 0; i < t->nkeys; i++) {
		if (j && !key_order(&r[j - 1].key, &r[i].key)) {
			r[j - 1].value += r[i].value;
			continue;
		}
		r[j++] = r[i];
	}
	qsort(r, j, sizeof(*r), cmp_by_value);
	*out = r;
	*n = j;
	return 0;
}

int chart_rank_areas(const struct tally *t, enum chart_measure m, struct chart_rank **out,
		     size_t *n)
{
	struct chart_rank *r = calloc(SW_NAREAS, sizeof(*r));
	size_t j = 0;

	if (!r)
		return -ENOMEM;
	for (int a = 0; a < SW_NAREAS; a++) {
		uint64_t v = m == CHART_ACCESSES ? t->area_accesses[a] : t->area_sources[a];

		if (!v)
			continue;
		r[j].area = a;
		r[j++].value = v;
	}
	qsort(r, j, sizeof(*r), cmp_by_value);
	*out = r;
	*n = j;
	return 0;
}

/* ---- argument vector ---- */

void chart_argv_free(struct chart_argv *av)
{
	for (int i = 0; i < av->n; i++)
		free(av->v[i]);
	free(av->v);
	memset(av, 0, sizeof(*av));
}

static void __attribute__((format(printf, 2, 3))) arg(struct chart_argv *av, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int len;

	if (av->err)
		return;
	if (SW_GROW(av->v, av->cap, (size_t)av->n + 2, 64)) {
		av->err = -ENOMEM;
		return;
	}
	va_start(ap, fmt);
	len = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (len < 0) {
		av->err = -ENOMEM;
		return;
	}
	av->v[av->n++] = s;
	av->v[av->n] = NULL;
}

/* rrdgraph splits its arguments on ':'; a path or a legend must escape its own. */
static void escape(const char *in, char *out, size_t len)
{
	size_t j = 0;

	for (; *in && j + 2 < len; in++) {
		if (*in == ':' || *in == '\\')
			out[j++] = '\\';
		out[j++] = *in;
	}
	out[j] = '\0';
}

/* ---- building ---- */

struct builder {
	const struct chart_req *req;
	struct chart_built *out;
	struct chart_argv *av;
	struct memseries *ms;
	struct chart_colours local; /* colours of this chart when the request brings none */
	char *errmsg;
	size_t errlen;
};

static const char *const kind_ds[SW_NKINDS] = { "scan", "backscatter", "other" };

static struct chart_figure *figure(struct builder *b, const char *label)
{
	struct chart_built *o = b->out;
	struct chart_figure *f;

	if (SW_GROW(o->fig, o->figcap, o->nfig + 1, 16)) {
		b->av->err = -ENOMEM;
		return NULL;
	}
	f = &o->fig[o->nfig++];
	memset(f, 0, sizeof(*f));
	snprintf(f->label, sizeof(f->label), "%s", label);
	f->print = -1;
	return f;
}

static const char *colour_of(struct builder *b, const char *name, char out[CHART_COLOUR_LEN])
{
	struct chart_colours *m = b->req->colours ? b->req->colours : &b->local;

	if (chart_colours_add(m, name))
		chart_colour(name, out);
	else
		chart_colour_in(m, name, out);
	return out;
}

/* The name librrd or rrdcached knows the file by (rrdio_name); "" when it cannot be named. */
static void point_path(const struct builder *b, size_t point, const char *rel, char *buf,
		       size_t len)
{
	/* Without a data directory (the database's figures) only rrdcached's files can be read. */
	if ((!b->req->data_dir && !b->req->io->remote) ||
	    rrdio_name(b->req->io, b->req->data_dir, b->req->points[point], rel, buf, len))
		buf[0] = '\0';
}

/* A file's step through rrdio (so through rrdcached when there is one); -ENOENT: no file. */
static int probe_file(const struct builder *b, const char *name, unsigned long *step)
{
	struct rrdio_meta meta;
	int err;

	*step = 0;
	if (!name[0])
		return -ENOENT;
	err = rrdio_info(b->req->io, name, &meta);
	if (err)
		return err;
	if (!meta.step_s) {
		snprintf(b->errmsg, b->errlen, "%s: no step in its header", name);
		return -EINVAL;
	}
	*step = meta.step_s;
	return 0;
}

/* Whether the file has the Holt-Winters archives the key chart draws. */
static bool has_hw(const struct builder *b, const char *name)
{
	rrd_info_t *info;
	int hw = 0;

	rrd_clear_error();
	info = b->req->io->daemon ? rrdc_info(name) : rrd_info_r(name);
	rrd_clear_error();
	for (rrd_info_t *i = info; i; i = i->next)
		if (i->type == RD_I_STR && strstr(i->key, "].cf") &&
		    (!strcmp(i->value.u_str, "HWPREDICT") ||
		     !strcmp(i->value.u_str, "DEVPREDICT") || !strcmp(i->value.u_str, "FAILURES")))
			hw++;
	rrd_info_free(info);
	return hw == 3;
}

/* ":daemon=ADDR" for a DEF of a sensor's file when reading through rrdcached, else "". */
static void daemon_opt(const struct builder *b, char *buf, size_t len)
{
	char esc[600];

	buf[0] = '\0';
	if (!b->req->io->daemon)
		return;
	escape(b->req->io->daemon, esc, sizeof(esc));
	snprintf(buf, len, ":daemon=%s", esc);
}

/* "2009-10-01 to 2009-10-31" for whole days (end exclusive), times otherwise. */
static void period_str(int64_t start, int64_t end, char *buf, size_t len)
{
	bool days = start % SW_DAY_S == 0 && end % SW_DAY_S == 0;
	time_t s = (time_t)start, e = (time_t)(days ? end - 1 : end);
	struct tm ts, te;
	char a[32], z[32];

	gmtime_r(&s, &ts);
	gmtime_r(&e, &te);
	strftime(a, sizeof(a), days ? "%Y-%m-%d" : "%Y-%m-%d %H:%M", &ts);
	strftime(z, sizeof(z), days ? "%Y-%m-%d" : "%Y-%m-%d %H:%M", &te);
	snprintf(buf, len, "%s to %s%s", a, z, days ? "" : " UTC");
}

static void who_str(const struct chart_req *req, char *buf, size_t len)
{
	if (req->all_points && req->npoints != 1)
		snprintf(buf, len, "all points (%zu)", req->npoints);
	else if (req->npoints == 1)
		snprintf(buf, len, "%s", req->points[0]);
	else
		snprintf(buf, len, "%zu points", req->npoints);
}

static const char *measure_word(enum chart_measure m)
{
	return m == CHART_ACCESSES ? "accesses" : "sources";
}

/* The options every chart shares: size, window, title, axis, colours. */
static void header(struct builder *b, const char *out_path, const char *format, int64_t start,
		   int64_t end, const char *what, const char *vlabel)
{
	const struct chart_req *req = b->req;
	char title[256], period[64], who[64];

	arg(b->av, "graphv");
	arg(b->av, "%s", out_path);
	arg(b->av, "--imgformat=%s", format);
	arg(b->av, "--start=%" PRId64, start);
	/* rrdgraph's totals take in the step that starts at --end: stop one second short. */
	arg(b->av, "--end=%" PRId64, end - 1);
	arg(b->av, "--width=%u", req->width ? req->width : 800);
	arg(b->av, "--height=%u", req->height ? req->height : 280);
	/* Every title: "who: what, period". */
	period_str(start, end, period, sizeof(period));
	who_str(req, who, sizeof(who));
	snprintf(title, sizeof(title), "%s: %s, %s", who, what, period);
	arg(b->av, "--title=%s", title);
	arg(b->av, "--vertical-label=%s", vlabel);
	arg(b->av, "--lower-limit=0");
	/* Counts are whole: no "500 m" ticks on a quiet day. */
	arg(b->av, "--units-exponent=0");
	arg(b->av, "--color=BACK#ffffff");
	arg(b->av, "--color=SHADEA#ffffff");
	arg(b->av, "--color=SHADEB#ffffff");
	arg(b->av, "--color=CANVAS#ffffff");
	arg(b->av, "--color=GRID#d8d8d8");
	arg(b->av, "--color=MGRID#a8a8a8");
	arg(b->av, "--border=0");
	/* A month: a line a day, the date under every day or every other, centred on it. */
	if (start % SW_DAY_S == 0 && end % SW_DAY_S == 0 && end - start <= 35 * SW_DAY_S)
		arg(b->av, "--x-grid=HOUR:24:DAY:7:DAY:%d:86400:%%m/%%d",
		    end - start <= 16 * SW_DAY_S ? 1 : 2);
}

static void legend_name(const char *name, char *buf, size_t len)
{
	char esc[64];

	escape(name, esc, sizeof(esc));
	snprintf(buf, len, "%-11s", esc);
}

/*
 * Defines series s of the table as vname (its count per row, or the mean per row of a value
 * that covers several) and vname_c (the count per value), vname_r (per second, for TOTAL).
 */
static void def_series(struct builder *b, const char *vname, size_t s)
{
	unsigned long bs = b->ms->step_s * b->ms->bin;

	arg(b->av, "DEF:%s_c=" MEMSERIES_FILE ":s%zu:AVERAGE:step=%lu", vname, s, bs);
	arg(b->av, "CDEF:%s=%s_c,%u,/", vname, vname, b->ms->bin);
	arg(b->av, "CDEF:%s_r=%s_c,%lu,/", vname, vname, bs);
}

/*
 * The series' exact total in the legend (or "no data"), its figure, and rrdgraph's TOTAL of the
 * drawn values as a PRINT for chart_draw to check it by.
 */
static struct chart_figure *total(struct builder *b, const char *vname, size_t s, const char *label,
				  const char *eol)
{
	struct chart_figure *f = figure(b, label);
	char n[SW_COUNT_STRLEN];
	double sum;

	if (!f)
		return NULL;
	f->have = memseries_total(b->ms, s, &sum);
	f->value = sum;
	if (!f->have) {
		arg(b->av, "COMMENT:%12s%s", "no data", eol);
		return f;
	}
	arg(b->av, "VDEF:%s_T=%s_r,TOTAL", vname, vname);
	arg(b->av, "PRINT:%s_T:%%.0lf", vname);
	f->print = b->out->nprint++;
	arg(b->av, "COMMENT:%12s%s", sw_fmt_count((uint64_t)llround(sum), n), eol);
	return f;
}

/* A share of the window, as the report's tables round it. */
static void share_fig(struct builder *b, const char *label, double part, double whole, bool have,
		      const char *suffix, const char *eol)
{
	struct chart_figure *f = figure(b, label);
	char s[SW_SHARE_STRLEN];

	if (!f)
		return;
	f->share = true;
	f->have = have && whole > 0;
	f->value = f->have ? 100.0 * part / whole : 0;
	if (f->have)
		sw_fmt_share((uint64_t)llround(part), (uint64_t)llround(whole), s);
	arg(b->av, "COMMENT:%10s%s%s", f->have ? s : "no data", f->have ? suffix : "", eol);
}

/* ---- what the daily summaries give ---- */

enum extract_what {
	X_TOTAL, /* every access (or source) of the day */
	X_KIND, /* of one kind */
	X_KEY, /* of one key, kinds merged */
	X_KEY_KIND, /* of one key and kind */
	X_AREA,
	X_FP, /* scan packets with a fingerprint */
	X_HAVE, /* 1: the point has a summary of the day */
};

struct extract {
	enum extract_what what;
	int point; /* -1: every point of the chart */
	bool sources;
	int kind, area, fp;
	struct chart_key key;
	size_t series;
};

struct day_visit {
	struct builder *b;
	int64_t d0;
	size_t point; /* of the days being visited */
	struct extract *x;
	size_t nx;
};

static uint64_t key_count(const struct tally *t, const struct chart_key *k, int kind, bool src)
{
	uint64_t v = 0;

	for (int d = 0; d < SW_NKINDS; d++) {
		struct sw_key sk = { .cls = k->cls, .kind = (__u8)d, .num = k->num };
		const struct tally_key *tk;

		if (kind >= 0 && d != kind)
			continue;
		tk = tally_find(t, &sk);
		if (tk)
			v += src ? tk->sources : tk->accesses;
	}
	return v;
}

static int visit_day(void *ctx, struct dayfile *df)
{
	struct day_visit *v = ctx;
	struct summary_totals st;
	size_t point = v->point, row;
	int64_t day;

	if (sw_day_parse(df->date, &day) || day < v->d0 ||
	    (size_t)(day - v->d0) >= v->b->ms->nrows) {
		dayfile_free(df);
		return 0; /* not a day asked for: a source answers only those */
	}
	row = (size_t)(day - v->d0);
	summary_totals(&df->t, &st);
	for (size_t i = 0; i < v->nx; i++) {
		const struct extract *x = &v->x[i];
		uint64_t n = 0;

		if (x->point >= 0 && (size_t)x->point != point)
			continue;
		switch (x->what) {
		case X_TOTAL:
			n = x->sources ? st.sources : st.accesses;
			break;
		case X_KIND:
			n = x->sources ? st.kind_sources[x->kind] : st.kind_accesses[x->kind];
			break;
		case X_KEY:
			n = key_count(&df->t, &x->key, -1, x->sources);
			break;
		case X_KEY_KIND:
			n = key_count(&df->t, &x->key, x->kind, x->sources);
			break;
		case X_AREA:
			n = x->sources ? df->t.area_sources[x->area] : df->t.area_accesses[x->area];
			break;
		case X_FP:
			n = st.fp[x->fp];
			break;
		case X_HAVE:
			n = 1;
			break;
		}
		memseries_put(v->b->ms, x->series, row, (double)n);
	}
	dayfile_free(df);
	return 0;
}

/*
 * Day boundaries of the window: the days the chart draws, from the one start falls in to the
 * one before end (a date given as --end is whole already). A day is a day of the summaries.
 */
static void day_window(const struct chart_req *req, int64_t *d0, int64_t *d1)
{
	int64_t s = req->start, e = req->end;

	*d0 = (s - ((s % SW_DAY_S) + SW_DAY_S) % SW_DAY_S) / SW_DAY_S;
	*d1 = (e + ((SW_DAY_S - e % SW_DAY_S) % SW_DAY_S)) / SW_DAY_S - 1;
	if (*d1 < *d0)
		*d1 = *d0;
}

/* A table of a row per day of [d0, d1], fitted to the chart's width. */
static int day_table(struct builder *b, int64_t d0, int64_t d1)
{
	int err = memseries_init(b->ms, d0 * SW_DAY_S, SW_DAY_S, (size_t)(d1 - d0 + 1));

	if (err) {
		snprintf(b->errmsg, b->errlen, "bad window");
		return err;
	}
	memseries_fit(b->ms, d0 * SW_DAY_S, (d1 + 1) * SW_DAY_S - 1,
		      b->req->width ? b->req->width : 800);
	return 0;
}

/* Adds a series to the table and what fills it from the summaries. */
static int want(struct builder *b, struct extract *x, size_t *nx, struct extract e)
{
	int err = memseries_add(b->ms, &e.series);

	if (err)
		return err;
	x[(*nx)++] = e;
	return 0;
}

static int fill_days(struct builder *b, int64_t d0, int64_t d1, struct extract *x, size_t nx)
{
	struct day_visit v = { .b = b, .d0 = d0, .x = x, .nx = nx };
	int err = 0;

	if (!b->req->src)
		return 0; /* no summaries: every day is one nobody counted */
	for (v.point = 0; !err && v.point < b->req->npoints; v.point++)
		err = daysrc_days(b->req->src, b->req->points[v.point], d0, d1, visit_day, &v,
				  b->errmsg, b->errlen);
	return err;
}

/* "accesses per day", or the mean a day of the days each bar covers. */
static void per_day_label(const struct builder *b, const char *what, char *buf, size_t len)
{
	if (b->ms->bin > 1)
		snprintf(buf, len, "%s per day (mean of %u days a bar)", what, b->ms->bin);
	else
		snprintf(buf, len, "%s per day", what);
}

/* ---- the charts ---- */

static int build_points(struct builder *b, const struct chart_def *c, const char *out,
			const char *fmt)
{
	const struct chart_req *req = b->req;
	bool src = c->measure == CHART_SOURCES;
	char what[128], lbl[64], col[CHART_COLOUR_LEN], vl[64];
	char n[SW_COUNT_STRLEN];
	struct extract *x = calloc(req->npoints + 2, sizeof(*x));
	size_t nx = 0, all, cnt;
	struct chart_figure *f;
	int64_t d0, d1;
	double total_all, point_days;
	int err;

	if (!x)
		return -ENOMEM;
	day_window(req, &d0, &d1);
	err = day_table(b, d0, d1);
	for (size_t p = 0; !err && p < req->npoints; p++)
		err = want(b, x, &nx,
			   (struct extract){ .what = X_TOTAL, .point = (int)p, .sources = src });
	err = err   ?:
		      want(b, x, &nx,
			   (struct extract){ .what = X_TOTAL, .point = -1, .sources = src });
	err = err ?: want(b, x, &nx, (struct extract){ .what = X_HAVE, .point = -1 });
	err = err ?: fill_days(b, d0, d1, x, nx);
	free(x);
	if (err)
		return err;
	all = req->npoints;
	cnt = req->npoints + 1;
	snprintf(what, sizeof(what), "%s per day of each point", measure_word(c->measure));
	per_day_label(b, measure_word(c->measure), vl, sizeof(vl));
	header(b, out, fmt, d0 * SW_DAY_S, (d1 + 1) * SW_DAY_S, what, vl);
	for (size_t p = 0; p < req->npoints; p++) {
		char vn[16];

		snprintf(vn, sizeof(vn), "p%zu", p);
		def_series(b, vn, p);
		legend_name(req->points[p], lbl, sizeof(lbl));
		arg(b->av, "LINE1.5:%s%s:%s", vn, colour_of(b, req->points[p], col), lbl);
		total(b, vn, p, req->points[p], p % 2 ? "\\l" : "   ");
	}
	if (req->npoints % 2)
		arg(b->av, "COMMENT:\\l");
	/* TALOT2's "per monitoring point per day": over the points that have the day. */
	def_series(b, "all", all);
	def_series(b, "n", cnt);
	arg(b->av, "CDEF:mean=n_c,0,GT,all_c,n_c,/,UNKN,IF");
	chart_colour("total", col);
	legend_name("mean/point", lbl, sizeof(lbl));
	arg(b->av, "LINE2.5:mean%s:%s", col, lbl);
	f = figure(b, "per-point-day");
	if (f) {
		f->have = memseries_total(b->ms, all, &total_all) &&
			  memseries_total(b->ms, cnt, &point_days) && point_days > 0;
		f->value = f->have ? (double)sw_per_day((uint64_t)llround(total_all),
							(uint64_t)llround(point_days)) :
				     0;
		arg(b->av, "COMMENT:%12s%s",
		    f->have ? sw_fmt_count((uint64_t)f->value, n) : "no data",
		    f->have ? " a day   " : "   ");
	}
	arg(b->av, "COMMENT:all points");
	total(b, "all", all, "all", "\\l");
	return 0;
}

/* The top items of a stacked chart: keys (kinds merged) or areas, with their legend names. */
struct stack_item {
	struct chart_key key;
	int area;
	char name[24];
};

static int pick_top(struct builder *b, const struct chart_def *c, bool areas,
		    struct stack_item *items, size_t *nitems)
{
	const struct chart_req *req = b->req;
	struct chart_rank *r = NULL;
	size_t nr = 0;
	int err;

	*nitems = 0;
	if (!req->ranked)
		return 0;
	err = areas ? chart_rank_areas(req->ranked, c->measure, &r, &nr) :
		      chart_rank_keys(req->ranked, c->measure, &r, &nr);
	if (err)
		return err;
	for (size_t i = 0; i < nr && *nitems < req->top; i++) {
		struct stack_item *it = &items[(*nitems)++];

		it->key = r[i].key;
		it->area = r[i].area;
		if (areas) {
			char cc[3];

			sw_area_name(r[i].area, cc);
			snprintf(it->name, sizeof(it->name), "%s", cc);
		} else {
			chart_key_str(&r[i].key, it->name, sizeof(it->name));
		}
	}
	free(r);
	return 0;
}

static int build_stack(struct builder *b, const struct chart_def *c, const char *out,
		       const char *fmt)
{
	const struct chart_req *req = b->req;
	bool areas = c->type == CHART_AREAS || c->type == CHART_AREA_SHARE;
	bool share = c->type == CHART_KEY_SHARE || c->type == CHART_AREA_SHARE;
	bool src = c->measure == CHART_SOURCES;
	struct stack_item items[CHART_TOP_MAX];
	struct extract x[CHART_TOP_MAX + 1];
	char what[128], lbl[64], col[CHART_COLOUR_LEN], vl[80];
	size_t nitems, nx = 0, tot, oth;
	double tot_sum = 0;
	bool tot_have;
	int64_t d0, d1;
	int err;

	day_window(req, &d0, &d1);
	err = pick_top(b, c, areas, items, &nitems);
	err = err ?: day_table(b, d0, d1);
	err = err   ?:
		      want(b, x, &nx,
			   (struct extract){ .what = X_TOTAL, .point = -1, .sources = src });
	for (size_t i = 0; !err && i < nitems; i++)
		err = want(b, x, &nx,
			   (struct extract){ .what = areas ? X_AREA : X_KEY,
					     .point = -1,
					     .sources = src,
					     .key = items[i].key,
					     .area = items[i].area });
	err = err ?: fill_days(b, d0, d1, x, nx);
	err = err ?: memseries_add(b->ms, &oth);
	if (err)
		return err;
	/* "other": the day's total less the items drawn, exactly. */
	tot = x[0].series;
	for (size_t r = 0; r < b->ms->nrows; r++) {
		double t = memseries_rows(b->ms, tot)[r];

		if (isnan(t))
			continue;
		for (size_t i = 0; i < nitems; i++)
			t -= memseries_rows(b->ms, x[i + 1].series)[r];
		memseries_rows(b->ms, oth)[r] = t;
	}
	tot_have = memseries_total(b->ms, tot, &tot_sum);

	if (share) {
		snprintf(what, sizeof(what), "share of %s by %s", measure_word(c->measure),
			 areas ? "source area" : "key");
		snprintf(vl, sizeof(vl), "%% of %s", measure_word(c->measure));
	} else {
		snprintf(what, sizeof(what), "%s per day by %s", measure_word(c->measure),
			 areas ? "source area" : "key");
		per_day_label(b, measure_word(c->measure), vl, sizeof(vl));
	}
	header(b, out, fmt, d0 * SW_DAY_S, (d1 + 1) * SW_DAY_S, what, vl);
	if (share) {
		arg(b->av, "--upper-limit=100");
		arg(b->av, "--rigid");
	}
	def_series(b, "tot", tot);
	for (size_t i = 0; i <= nitems; i++) {
		const char *name = i < nitems ? items[i].name : "other";
		size_t s = i < nitems ? x[i + 1].series : oth;
		const char *eol = i % 3 == 2 ? "\\l" : "   ";
		char vn[16];

		snprintf(vn, sizeof(vn), i < nitems ? "k%zu" : "oth", i);
		def_series(b, vn, s);
		colour_of(b, name, col);
		legend_name(strcmp(name, "??") ? name : "unknown", lbl, sizeof(lbl));
		if (share) {
			double part;
			bool have = memseries_total(b->ms, s, &part);

			/* A day's share: of the sums the value covers, so a wide bar is exact too. */
			arg(b->av, "CDEF:%s_s=tot_c,0,GT,%s_c,tot_c,/,100,*,UNKN,IF", vn, vn);
			arg(b->av, "AREA:%s_s%s:%s%s", vn, col, lbl, i ? ":STACK" : "");
			share_fig(b, name, part, tot_sum, have && tot_have, "", eol);
		} else {
			arg(b->av, "AREA:%s%s:%s%s", vn, col, lbl, i ? ":STACK" : "");
			total(b, vn, s, name, eol);
		}
	}
	if ((nitems + 1) % 3)
		arg(b->av, "COMMENT:\\l");
	arg(b->av, "COMMENT:total      ");
	total(b, "tot", tot, "total", "\\l");
	return 0;
}

static int build_kinds(struct builder *b, const struct chart_def *c, const char *out,
		       const char *fmt)
{
	const struct chart_req *req = b->req;
	char what[128], lbl[64], col[CHART_COLOUR_LEN], vl[64];
	struct extract x[SW_NKINDS];
	size_t nx = 0;
	int64_t d0, d1;
	int err;

	day_window(req, &d0, &d1);
	err = day_table(b, d0, d1);
	for (int k = 0; !err && k < SW_NKINDS; k++)
		err = want(b, x, &nx,
			   (struct extract){ .what = X_KIND,
					     .point = -1,
					     .kind = k,
					     .sources = c->measure == CHART_SOURCES });
	err = err ?: fill_days(b, d0, d1, x, nx);
	if (err)
		return err;
	snprintf(what, sizeof(what), "scan vs backscatter %s per day", measure_word(c->measure));
	per_day_label(b, measure_word(c->measure), vl, sizeof(vl));
	header(b, out, fmt, d0 * SW_DAY_S, (d1 + 1) * SW_DAY_S, what, vl);
	for (int k = 0; k < SW_NKINDS; k++) {
		def_series(b, kind_ds[k], x[k].series);
		legend_name(kind_ds[k], lbl, sizeof(lbl));
		arg(b->av, "%s:%s%s:%s", k == SW_KIND_OTHER ? "LINE1" : "LINE2", kind_ds[k],
		    colour_of(b, kind_ds[k], col), lbl);
		total(b, kind_ds[k], x[k].series, kind_ds[k], "\\l");
	}
	return 0;
}

static int build_fingerprints(struct builder *b, const struct chart_def *c, const char *out,
			      const char *fmt)
{
	const struct chart_req *req = b->req;
	char lbl[64], col[CHART_COLOUR_LEN];
	struct extract x[SW_NFPS + 1];
	size_t nx = 0;
	double scans = 0;
	bool have_scans;
	int64_t d0, d1;
	int err;

	(void)c;
	day_window(req, &d0, &d1);
	err = day_table(b, d0, d1);
	err = err   ?:
		      want(b, x, &nx,
			   (struct extract){ .what = X_KIND, .point = -1, .kind = SW_KIND_SCAN });
	for (int f = 0; !err && f < SW_NFPS; f++)
		err = want(b, x, &nx, (struct extract){ .what = X_FP, .point = -1, .fp = f });
	err = err ?: fill_days(b, d0, d1, x, nx);
	if (err)
		return err;
	header(b, out, fmt, d0 * SW_DAY_S, (d1 + 1) * SW_DAY_S, "scanning tools by fingerprint",
	       b->ms->bin > 1 ? "packets per day (mean a bar)" : "packets per day");
	/* All scans are not drawn (they would flatten the tools' lines): each tool's share of them
	 * is in the legend instead. */
	def_series(b, "scan", x[0].series);
	have_scans = memseries_total(b->ms, x[0].series, &scans);
	for (int f = 0; f < SW_NFPS; f++) {
		double n;
		bool have = memseries_total(b->ms, x[f + 1].series, &n);

		def_series(b, sw_fp_names[f], x[f + 1].series);
		legend_name(sw_fp_names[f], lbl, sizeof(lbl));
		arg(b->av, "LINE2:%s%s:%s", sw_fp_names[f], colour_of(b, sw_fp_names[f], col), lbl);
		total(b, sw_fp_names[f], x[f + 1].series, sw_fp_names[f], "");
		snprintf(lbl, sizeof(lbl), "%s-share", sw_fp_names[f]);
		share_fig(b, lbl, n, scans, have && have_scans, " of all scans", "\\l");
	}
	arg(b->av, "COMMENT:all scans  ");
	total(b, "scan", x[0].series, "scan", "\\l");
	return 0;
}

/* The rows of a key file's data source over the window, as counts: 0, or -errno. */
static int key_rows(struct builder *b, const char *path, const char *ds, unsigned long file_step,
		    int64_t *s, int64_t *e, size_t *series)
{
	time_t fs = (time_t)*s, fe = (time_t)(*e - 1);
	unsigned long step = file_step, nds = 0, col = ULONG_MAX;
	char **names = NULL;
	rrd_value_t *data = NULL;
	size_t rows;
	int err;

	err = rrdio_fetch(b->req->io, path, "AVERAGE", &fs, &fe, &step, &nds, &names, &data);
	if (err) {
		snprintf(b->errmsg, b->errlen, "%s", b->req->io->errmsg);
		return err;
	}
	for (unsigned long i = 0; i < nds; i++) {
		if (!strcmp(names[i], ds))
			col = i;
		rrd_freemem(names[i]);
	}
	rrd_freemem(names);
	rows = step ? (size_t)((fe - fs) / (time_t)step) : 0;
	if (col == ULONG_MAX || !rows) {
		rrd_freemem(data);
		snprintf(b->errmsg, b->errlen, "%s: no data source %s", path, ds);
		return -EINVAL;
	}
	err = memseries_init(b->ms, (int64_t)fs, step, rows);
	err = err ?: memseries_add(b->ms, series);
	for (size_t r = 0; !err && r < rows; r++) {
		double v = data[r * nds + col];

		/* A consolidated row holds the mean count of its steps. */
		if (!isnan(v))
			memseries_put(b->ms, *series, r, v * (double)(step / file_step));
	}
	rrd_freemem(data);
	*s = (int64_t)fs;
	*e = (int64_t)fe;
	return err;
}

static void unit_of(unsigned long step, char *buf, size_t len)
{
	if (step == 60)
		snprintf(buf, len, "accesses per minute");
	else if (step == HOUR_S)
		snprintf(buf, len, "accesses per hour");
	else if (step % 60 == 0 && step < HOUR_S)
		snprintf(buf, len, "accesses per %lu minutes", step / 60);
	else if (step % HOUR_S == 0 && step < SW_DAY_S)
		snprintf(buf, len, "accesses per %lu hours", step / HOUR_S);
	else
		snprintf(buf, len, "accesses per %lu s", step);
}

static int build_key_hw(struct builder *b, const struct chart_def *c, const char *out,
			const char *fmt)
{
	const struct chart_req *req = b->req;
	char what[128], lbl[64], col[CHART_COLOUR_LEN], band[16];
	char name[24], file[32], rel[64], path[PATH_MAX], esc[2 * PATH_MAX], unit[64], dopt[640];
	char note[160] = "";
	unsigned long fstep = 0;
	bool have_file, hw = false, rows_mode;
	int64_t s = req->start, e = req->end, d0, d1;
	int kind = req->kind >= 0 ? req->kind : SW_KIND_SCAN;
	size_t obs;
	double peak = NAN;
	int err;

	(void)c;
	if (!req->have_key) {
		snprintf(b->errmsg, b->errlen, "the key chart needs --key (e.g. --key tcp/445)");
		return -EINVAL;
	}
	if (req->npoints != 1) {
		snprintf(b->errmsg, b->errlen, "the key chart is drawn for one point at a time");
		return -EINVAL;
	}
	chart_key_str(&req->key, name, sizeof(name));
	chart_key_file(&req->key, file, sizeof(file));
	snprintf(rel, sizeof(rel), "keys/%s.rrd", file);
	point_path(b, 0, rel, path, sizeof(path));
	err = probe_file(b, path, &fstep);
	if (err && err != -ENOENT)
		return err;
	have_file = !err;
	if (have_file)
		hw = has_hw(b, path);
	escape(path, esc, sizeof(esc));
	daemon_opt(b, dopt, sizeof(dopt));
	/*
	 * A short window in the file's own rows (the sensor's steps while they are kept), with the
	 * Holt-Winters band; a longer one, a key without a file, or rows no finer than a day: per
	 * day from the daily summaries, which are exact where averaged archives are not.
	 */
	rows_mode = have_file && e - s <= 3 * SW_DAY_S;
	if (rows_mode) {
		err = key_rows(b, path,
			       kind == SW_KIND_SCAN	   ? "acc_scan" :
			       kind == SW_KIND_BACKSCATTER ? "acc_backscatter" :
							     "acc_other",
			       fstep, &s, &e, &obs);
		if (err)
			return err;
		if (b->ms->step_s >= SW_DAY_S) {
			memseries_free(b->ms);
			rows_mode = false;
		}
	}
	if (rows_mode) {
		memseries_fit(b->ms, s, e - 1, req->width ? req->width : 800);
		unit_of(b->ms->step_s, unit, sizeof(unit));
		if (b->ms->bin > 1)
			snprintf(note, sizeof(note),
				 "each point of the line is the mean of %u rows", b->ms->bin);
	} else {
		struct extract x;
		size_t nx = 0;

		day_window(req, &d0, &d1);
		s = d0 * SW_DAY_S;
		e = (d1 + 1) * SW_DAY_S;
		err = day_table(b, d0, d1);
		err = err   ?:
			      want(b, &x, &nx,
				   (struct extract){ .what = X_KEY_KIND,
						     .point = 0,
						     .key = req->key,
						     .kind = kind });
		err = err ?: fill_days(b, d0, d1, &x, nx);
		if (err)
			return err;
		obs = x.series;
		per_day_label(b, "accesses", unit, sizeof(unit));
		if (!have_file)
			snprintf(note, sizeof(note),
				 "%s has no RRD file\\: per day from the daily summaries", name);
		else if (hw)
			snprintf(
				note, sizeof(note),
				"per day from the daily summaries; the band is drawn over 3 days or less");
	}
	/* The highest value drawn: a row's count, or the mean a row of a wider value. */
	for (size_t r = 0; r < b->ms->nrows; r += b->ms->bin) {
		double sum = NAN;

		for (size_t i = r; i < r + b->ms->bin && i < b->ms->nrows; i++) {
			double v = memseries_rows(b->ms, obs)[i];

			if (!isnan(v))
				sum = isnan(sum) ? v : sum + v;
		}
		if (!isnan(sum) && (isnan(peak) || sum / b->ms->bin > peak))
			peak = sum / b->ms->bin;
	}
	snprintf(what, sizeof(what), "%s (%s)%s", name, kind_ds[kind],
		 rows_mode && hw ? " with its Holt-Winters band" : "");
	header(b, out, fmt, s, e, what, unit);
	def_series(b, "obs", obs);
	colour_of(b, name, col);
	if (rows_mode && hw) {
		double scale = (double)b->ms->step_s / (double)fstep;

		arg(b->av, "DEF:p=%s:acc_%s:HWPREDICT%s", esc, kind_ds[kind], dopt);
		arg(b->av, "DEF:d=%s:acc_%s:DEVPREDICT%s", esc, kind_ds[kind], dopt);
		arg(b->av, "CDEF:pred=p,%g,*", scale);
		arg(b->av, "CDEF:lo=p,d,2,*,-,0,MAX,%g,*", scale);
		arg(b->av, "CDEF:hi=p,d,2,*,+,%g,*", scale);
		arg(b->av, "CDEF:band=hi,lo,-");
		snprintf(band, sizeof(band), "%s40", col);
		arg(b->av, "AREA:lo");
		arg(b->av, "AREA:band%s:expected (prediction +- 2 deviations)\\l:STACK", band);
		arg(b->av, "LINE1:pred#606060:prediction:dashes");
		arg(b->av, "COMMENT:\\l");
	} else if (rows_mode) {
		arg(b->av, "COMMENT:(no Holt-Winters archives in %s)\\l", file);
	}
	legend_name(name, lbl, sizeof(lbl));
	arg(b->av, "LINE1.5:obs%s:%s", col, lbl);
	arg(b->av, "COMMENT:total");
	total(b, "obs", obs, name, "");
	if (!isnan(peak)) {
		char pk[SW_COUNT_STRLEN];

		arg(b->av, "COMMENT:   peak %s\\l", sw_fmt_count((uint64_t)llround(peak), pk));
	} else {
		arg(b->av, "COMMENT:\\l");
	}
	if (note[0])
		arg(b->av, "COMMENT:(%s)\\l", note);
	if (hw) {
		struct chart_figure *f = figure(b, "failures");

		/* A failure is a step whose value left the band too often in the window. */
		arg(b->av, "DEF:f=%s:acc_%s:FAILURES%s", esc, kind_ds[kind], dopt);
		arg(b->av, "CDEF:f0=f,UN,0,f,IF");
		/* TICK's legend, unlike LINE's, gets no room for its marker. */
		arg(b->av, "TICK:f#e00000a0:1.0:  Holt-Winters failure\\l");
		arg(b->av, "VDEF:f_M=f0,MAXIMUM");
		arg(b->av, "PRINT:f_M:%%.0lf");
		if (f) {
			f->have = true;
			f->value = NAN; /* rrdgraph's, from the failures archive */
			f->print = b->out->nprint++;
		}
	}
	return 0;
}

void chart_built_free(struct chart_built *b)
{
	chart_argv_free(&b->av);
	memseries_free(&b->ms);
	free(b->fig);
	memset(b, 0, sizeof(*b));
}

int chart_build(const struct chart_def *c, const struct chart_req *req, const char *out_path,
		const char *format, struct chart_built *out, char *errmsg, size_t errlen)
{
	struct builder b = { .req = req,
			     .out = out,
			     .av = &out->av,
			     .ms = &out->ms,
			     .errmsg = errmsg,
			     .errlen = errlen };
	int err;

	memset(out, 0, sizeof(*out));
	errmsg[0] = '\0';
	if (req->top > CHART_TOP_MAX) {
		snprintf(errmsg, errlen, "at most %d stacked series", CHART_TOP_MAX);
		return -EINVAL;
	}
	if (!req->npoints) {
		snprintf(errmsg, errlen, "no point to draw");
		return -ENOENT;
	}
	if (!c->name) /* the catalogue's own; keeps the compiler from a dead default */
		return -EINVAL;
	/* "other" keeps its grey: every item gets another colour. */
	chart_colours_add(req->colours ? req->colours : &b.local, "other");
	switch (c->type) {
	case CHART_POINTS:
		err = build_points(&b, c, out_path, format);
		break;
	case CHART_KEYS:
	case CHART_AREAS:
	case CHART_KEY_SHARE:
	case CHART_AREA_SHARE:
		err = build_stack(&b, c, out_path, format);
		break;
	case CHART_KEY_HW:
		err = build_key_hw(&b, c, out_path, format);
		break;
	case CHART_KINDS:
		err = build_kinds(&b, c, out_path, format);
		break;
	case CHART_FINGERPRINTS:
		err = build_fingerprints(&b, c, out_path, format);
		break;
	default:
		err = -EINVAL;
	}
	chart_colours_free(&b.local);
	if (!err && out->av.err)
		err = out->av.err;
	if (err && !errmsg[0])
		snprintf(errmsg, errlen, "%s", strerror(-err));
	if (err)
		chart_built_free(out);
	return err;
}

/* rrdgraph's print[N], or NULL. */
static rrd_info_t *print_entry(rrd_info_t *info, int n)
{
	char key[32];

	snprintf(key, sizeof(key), "print[%d]", n);
	for (; info; info = info->next)
		if (!strcmp(info->key, key) && info->type == RD_I_STR)
			return info;
	return NULL;
}

/*
 * Checks what rrdgraph totalled of what it drew against the exact figures, then replaces its
 * print[N] with the figures, "LABEL=VALUE" in legend order. -EIO with errmsg on a difference.
 */
static int settle_figures(const struct chart_def *c, const struct chart_built *bt, rrd_info_t *info,
			  char *errmsg, size_t errlen)
{
	rrd_info_t *last = info;
	double drawn[bt->nprint > 0 ? bt->nprint : 1];

	for (int i = 0; i < bt->nprint; i++) {
		rrd_info_t *p = print_entry(info, i);

		drawn[i] = p ? strtod(p->value.u_str, NULL) : NAN;
	}
	for (size_t i = 0; i < bt->nfig; i++) {
		const struct chart_figure *f = &bt->fig[i];

		if (f->print < 0 || isnan(f->value))
			continue;
		if (!(fabs(drawn[f->print] - f->value) < 0.5)) {
			snprintf(errmsg, errlen,
				 "%s: rrdgraph drew %.0f for %s where the summaries hold %.0f",
				 c->name, drawn[f->print], f->label, f->value);
			return -EIO;
		}
	}
	/* Its print[N] become ours, and figures without a PRINT are added after. */
	for (rrd_info_t *p = info; p; p = p->next) {
		if (!strncmp(p->key, "print[", 6) && p->type == RD_I_STR) {
			free(p->value.u_str);
			p->value.u_str = NULL;
		}
		last = p;
	}
	for (size_t i = 0; i < bt->nfig; i++) {
		const struct chart_figure *f = &bt->fig[i];
		char *v = NULL, *key = NULL;
		rrd_info_t *p;
		int n;

		if (!f->have)
			n = asprintf(&v, "%s=no data", f->label);
		else if (f->share)
			n = asprintf(&v, "%s=%.4f", f->label, f->value);
		else if (isnan(f->value))
			n = asprintf(&v, "%s=%.0f", f->label, drawn[f->print]);
		else
			n = asprintf(&v, "%s=%.0f", f->label, f->value);
		if (n < 0)
			return -ENOMEM;
		p = print_entry(info, (int)i);
		if (p) {
			p->value.u_str = v;
			continue;
		}
		if (asprintf(&key, "print[%zu]", i) < 0) {
			free(v);
			return -ENOMEM;
		}
		last = rrd_info_push(last, key, RD_I_STR, (rrd_infoval_t){ .u_str = v });
		free(v);
	}
	return 0;
}

int chart_draw(const struct chart_def *c, const struct chart_req *req, const char *out_path,
	       const char *format, rrd_info_t **info, char *errmsg, size_t errlen)
{
	struct chart_built bt;
	char tmp[SF_TMP_LEN], base[NAME_MAX + 1], file[32];
	rrd_info_t *res = NULL;
	int dfd, fd, err;

	if (info)
		*info = NULL;
	/*
	 * librrd opens the name it is given: it gets the new file itself, made without following
	 * a link (safe_file.h), and the finished chart is renamed into place.
	 */
	dfd = sf_parent(out_path, base, sizeof(base));
	if (dfd < 0) {
		snprintf(errmsg, errlen, "%s: %s", out_path, sf_strerror(dfd));
		return dfd;
	}
	fd = sf_tmp(dfd, base, SW_MODE_PUB_FILE, tmp);
	if (fd < 0) {
		snprintf(errmsg, errlen, "%s: %s", out_path, sf_strerror(fd));
		close(dfd);
		return fd;
	}
	snprintf(file, sizeof(file), "/proc/self/fd/%d", fd);
	err = chart_build(c, req, file, format, &bt, errmsg, errlen);
	if (!err) {
		rrd_clear_error();
		memseries_publish(&bt.ms);
		res = rrd_graph_v(bt.av.n, bt.av.v);
		memseries_unpublish();
		if (!res || rrd_test_error()) {
			snprintf(errmsg, errlen, "%s: %s", c->name,
				 rrd_test_error() ? rrd_get_error() : "rrd_graph_v failed");
			rrd_clear_error();
			err = -EIO;
		} else {
			err = settle_figures(c, &bt, res, errmsg, errlen);
		}
		chart_built_free(&bt);
	}
	if (close(fd) && !err) {
		err = -errno;
		snprintf(errmsg, errlen, "%s: %s", out_path, strerror(errno));
	}
	if (!err && renameat(dfd, tmp, dfd, base)) {
		err = -errno;
		snprintf(errmsg, errlen, "%s: %s", out_path, strerror(errno));
	}
	if (err) {
		rrd_info_free(res);
		unlinkat(dfd, tmp, 0);
	} else if (info) {
		*info = res;
	} else {
		rrd_info_free(res);
	}
	close(dfd);
	return err;
}

const char *chart_info_str(const rrd_info_t *info, const char *key)
{
	for (; info; info = info->next)
		if (!strcmp(info->key, key) && info->type == RD_I_STR)
			return info->value.u_str;
	return NULL;
}
