// SPDX-License-Identifier: GPL-2.0-only
/*
 * The chart catalogue. Every per-day chart works in one unit: the day's count. The RRD files
 * hold, per step, the count of that step as a GAUGE; a day's consolidated AVERAGE times the steps
 * in a day (86400 / the file's own step) is that day's sum. Totals in the legends are VDEF TOTALs
 * over the day's count divided by 86400, which rrdtool multiplies back by each value's width:
 * exact whatever the resolution the plot ends up in, and blind to unknown days rather than
 * treating them as zero.
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
#include "keyfmt.h"
#include "safe_file.h"

#include <rrd_client.h> /* after rrd.h, which it needs */

#define DAY_S 86400
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

/* ---- colours ---- */

/*
 * Fixed colours for the names that recur: TALOT2's ten keys and the ports most scanned today,
 * the countries that lead most months, kinds and fingerprints. Neighbours in this table are
 * chosen to differ, since they often sit next to each other in a stack.
 */
static const struct {
	const char *name;
	const char *colour;
} palette[] = {
	/* TALOT2's ten (matplotlib's tab10 less its grey, and a navy) */
	{ "tcp/445", "#1f77b4" },
	{ "tcp/135", "#ff7f0e" },
	{ "icmp/echo", "#2ca02c" },
	{ "tcp/1433", "#d62728" },
	{ "tcp/22", "#9467bd" },
	{ "tcp/2967", "#8c564b" },
	{ "tcp/1434", "#e377c2" },
	{ "tcp/139", "#bcbd22" },
	{ "tcp/5900", "#17becf" },
	{ "tcp/4899", "#393b79" },
	/* the ports scanned most today (Kelly's colours of maximum contrast) */
	{ "tcp/23", "#b3446c" },
	{ "tcp/80", "#f3c300" },
	{ "tcp/443", "#f99379" },
	{ "tcp/3389", "#008856" },
	{ "tcp/8080", "#604e97" },
	{ "tcp/2323", "#f6a600" },
	{ "tcp/5555", "#2b3d26" },
	{ "tcp/3306", "#e68fac" },
	{ "tcp/6379", "#654522" },
	{ "tcp/25", "#be0032" },
	{ "udp/53", "#8db600" },
	{ "udp/123", "#a1caf1" },
	{ "udp/137", "#c2b280" },
	{ "udp/161", "#e25822" },
	{ "udp/1434", "#882d17" },
	{ "udp/1900", "#dcd300" },
	{ "frag", "#969696" },
	{ "CN", "#d62728" },
	{ "US", "#1f77b4" },
	{ "JP", "#ff7f0e" },
	{ "KR", "#2ca02c" },
	{ "TW", "#9467bd" },
	{ "RU", "#8c564b" },
	{ "BR", "#e377c2" },
	{ "DE", "#bcbd22" },
	{ "IN", "#17becf" },
	{ "NL", "#393b79" },
	{ "FR", "#e6550d" },
	{ "GB", "#31a354" },
	{ "VN", "#756bb1" },
	{ "HK", "#843c39" },
	{ "??", "#7f7f7f" },
	{ "scan", "#d62728" },
	{ "backscatter", "#1f77b4" },
	{ "other", "#d4d4d4" },
	{ "mirai", "#e6550d" },
	{ "zmap", "#3182bd" },
	{ "masscan", "#31a354" },
	{ "total", "#000000" },
};

static uint32_t fnv1a(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

void chart_colour(const char *series, char out[CHART_COLOUR_LEN])
{
	uint32_t h;
	double hue, sat, val, c, x, m, r, g, b;

	for (size_t i = 0; i < sizeof(palette) / sizeof(palette[0]); i++)
		if (!strcmp(palette[i].name, series)) {
			snprintf(out, CHART_COLOUR_LEN, "%s", palette[i].colour);
			return;
		}
	/* Saturation and value stay in a band that reads on white and never turns grey. */
	h = fnv1a(series);
	hue = (double)(h % 360);
	sat = 0.50 + (double)((h >> 9) % 36) / 100.0;
	val = 0.55 + (double)((h >> 17) % 31) / 100.0;
	c = val * sat;
	x = c * (1 - fabs(fmod(hue / 60.0, 2) - 1));
	m = val - c;
	r = g = b = 0;
	if (hue < 60)
		r = c, g = x;
	else if (hue < 120)
		r = x, g = c;
	else if (hue < 180)
		g = c, b = x;
	else if (hue < 240)
		g = x, b = c;
	else if (hue < 300)
		r = x, b = c;
	else
		r = c, b = x;
	snprintf(out, CHART_COLOUR_LEN, "#%02x%02x%02x", (unsigned int)lround((r + m) * 255),
		 (unsigned int)lround((g + m) * 255), (unsigned int)lround((b + m) * 255));
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
	if (av->n + 1 >= av->cap) {
		int ncap = av->cap ? av->cap * 2 : 64;
		char **nv = realloc(av->v, (size_t)ncap * sizeof(*nv));

		if (!nv) {
			av->err = -ENOMEM;
			return;
		}
		av->v = nv;
		av->cap = ncap;
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
	struct chart_argv *av;
	int seq; /* vnames v0, v1 ...: rrdgraph wants them short and unique */
	char *errmsg;
	size_t errlen;
};

static const char *const kind_ds[SW_NKINDS] = { "scan", "backscatter", "other" };

struct probe {
	unsigned long step;
};

/*
 * Reads a file's step through rrdio, so through the daemon when there is one and a central store
 * needs no local copy. -ENOENT when the file is not there: for keys and areas that only means it
 * is not tracked.
 */
static int probe_file(const struct builder *b, const char *name, struct probe *p)
{
	struct rrdio_meta meta;
	int err;

	memset(p, 0, sizeof(*p));
	err = rrdio_info(b->req->io, name, &meta);
	if (err) {
		if (err == -ENOENT)
			snprintf(b->errmsg, b->errlen, "%s: no such file", name);
		else
			snprintf(b->errmsg, b->errlen, "%s", b->req->io->errmsg);
		return err;
	}
	if (!meta.step_s) {
		snprintf(b->errmsg, b->errlen, "%s: no step in its header", name);
		return -EINVAL;
	}
	p->step = meta.step_s;
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

/* The name librrd or rrdcached knows the file by (rrdio_name). */
static void point_path(const struct builder *b, size_t point, const char *rel, char *buf,
		       size_t len)
{
	if (rrdio_name(b->req->io, b->req->data_dir, b->req->points[point], rel, buf, len))
		buf[0] = '\0'; /* fails to open: the caller reports it as missing */
}

/* Appends ",vN,ADDNAN" (or "vN" first) to an RPN sum; -E2BIG when it no longer fits. */
static int rpn_add(char *rpn, size_t len, size_t *off, const char *fmt, int id, bool first)
{
	char term[32];

	snprintf(term, sizeof(term), fmt, id);
	*off += (size_t)snprintf(rpn + *off, len - *off, "%s%s%s", first ? "" : ",", term,
				 first ? "" : ",ADDNAN");
	return *off >= len - 1 ? -E2BIG : 0;
}

/*
 * Defines, from the file rel of every point that has it, the given data sources added up:
 *   vname    the count per day, from the daily archives (what per-day charts draw);
 *   vname_r  the count per second, from the finest archive that covers the window, for exact
 *            totals: it takes in a partial day (the sensor's first day, a day it was down for a
 *            while) at the resolution that archive has, where a daily average cannot.
 * Returns how many points had the file; 0 leaves both undefined.
 */
static int def_daily(struct builder *b, const char *vname, const char *rel, const char *const *ds,
		     int nds)
{
	char path[PATH_MAX], esc[2 * PATH_MAX], day[256], fine[256], sum[1024], sumr[1024];
	size_t soff = 0, roff = 0;
	int found = 0;

	for (size_t p = 0; p < b->req->npoints; p++) {
		size_t doff = 0, foff = 0;
		struct probe pr;
		int id = b->seq++;

		point_path(b, p, rel, path, sizeof(path));
		if (probe_file(b, path, &pr))
			continue;
		escape(path, esc, sizeof(esc));
		for (int d = 0; d < nds; d++) {
			arg(b->av, "DEF:v%d_%d=%s:%s:AVERAGE:step=%d", id, d, esc, ds[d], DAY_S);
			arg(b->av, "DEF:w%d_%d=%s:%s:AVERAGE:step=%lu", id, d, esc, ds[d], pr.step);
			doff += (size_t)snprintf(day + doff, sizeof(day) - doff, "%sv%d_%d%s",
						 d ? "," : "", id, d, d ? ",ADDNAN" : "");
			foff += (size_t)snprintf(fine + foff, sizeof(fine) - foff, "%sw%d_%d%s",
						 d ? "," : "", id, d, d ? ",ADDNAN" : "");
		}
		/* The day's average count per step, times the steps of this file in a day. */
		arg(b->av, "CDEF:v%d=%s,%lu,/,%d,*", id, day, pr.step, DAY_S);
		arg(b->av, "CDEF:w%d=%s,%lu,/", id, fine, pr.step);
		if (rpn_add(sum, sizeof(sum), &soff, "v%d", id, !found) ||
		    rpn_add(sumr, sizeof(sumr), &roff, "w%d", id, !found)) {
			b->av->err = -E2BIG;
			break;
		}
		found++;
	}
	if (found) {
		arg(b->av, "CDEF:%s=%s", vname, sum);
		arg(b->av, "CDEF:%s_r=%s", vname, sumr);
	}
	return found;
}

/* "2009-10-01 to 2009-10-31" for whole days (end exclusive), times otherwise. */
static void period_str(int64_t start, int64_t end, char *buf, size_t len)
{
	bool days = start % DAY_S == 0 && end % DAY_S == 0;
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

/* The options every chart shares: size, window, title, axis, colours, the daemon. */
static void header(struct builder *b, const char *out_path, const char *format, int64_t start,
		   int64_t end, const char *title, const char *vlabel)
{
	const struct chart_req *req = b->req;

	arg(b->av, "graphv");
	arg(b->av, "%s", out_path);
	arg(b->av, "--imgformat=%s", format);
	arg(b->av, "--start=%" PRId64, start);
	/* rrdgraph's totals take in the step that starts at --end: stop one second short. */
	arg(b->av, "--end=%" PRId64, end - 1);
	arg(b->av, "--width=%u", req->width ? req->width : 800);
	arg(b->av, "--height=%u", req->height ? req->height : 280);
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
	if (start % DAY_S == 0 && end % DAY_S == 0 && end - start <= 35 * DAY_S)
		arg(b->av, "--x-grid=HOUR:24:DAY:7:DAY:%d:86400:%%m/%%d",
		    end - start <= 16 * DAY_S ? 1 : 2);
	if (req->io->daemon)
		arg(b->av, "--daemon=%s", req->io->daemon);
}

/* vname_T: the series' total over the window, from its count per second vname_r. */
static void total_def(struct builder *b, const char *vname)
{
	arg(b->av, "VDEF:%s_T=%s_r,TOTAL", vname, vname);
}

/* The total in the legend after the series, and as print[N] "LABEL=TOTAL" for scripts. */
static void total_print(struct builder *b, const char *vname, const char *label, const char *eol)
{
	char esc[128];

	escape(label, esc, sizeof(esc));
	arg(b->av, "GPRINT:%s_T:%%12.0lf%s", vname, eol);
	arg(b->av, "PRINT:%s_T:%s=%%.0lf", vname, esc);
}

static void total(struct builder *b, const char *vname, const char *label, const char *eol)
{
	total_def(b, vname);
	total_print(b, vname, label, eol);
}

/* Day boundaries in UTC: the daily archives consolidate on them. */
static void day_window(const struct chart_req *req, int64_t *s, int64_t *e)
{
	*s = req->start - ((req->start % DAY_S) + DAY_S) % DAY_S;
	*e = req->end + ((DAY_S - req->end % DAY_S) % DAY_S);
	if (*e <= *s)
		*e = *s + DAY_S;
}

static void legend_name(const char *name, char *buf, size_t len)
{
	char esc[64];

	escape(name, esc, sizeof(esc));
	snprintf(buf, len, "%-11s", esc);
}

static const char *const acc_ds[] = { "acc_scan", "acc_backscatter", "acc_other" };
static const char *const src_ds[] = { "src_scan", "src_backscatter", "src_other" };

static int need_totals(struct builder *b, const char *vname, enum chart_measure m)
{
	if (def_daily(b, vname, "totals.rrd", m == CHART_ACCESSES ? acc_ds : src_ds, 3))
		return 0;
	return -ENOENT; /* errmsg holds the last file's reason */
}

static int build_points(struct builder *b, const struct chart_def *c, const char *out,
			const char *fmt)
{
	const struct chart_req *req = b->req;
	struct chart_req one = *req;
	struct builder sub;
	int64_t s, e;
	char title[256], period[64], who[64], lbl[64], col[CHART_COLOUR_LEN], sum[4096], cnt[4096];
	char sumr[4096];
	size_t soff = 0, coff = 0, roff = 0;
	int drawn = 0;

	day_window(req, &s, &e);
	period_str(s, e, period, sizeof(period));
	who_str(req, who, sizeof(who));
	snprintf(title, sizeof(title), "%s: %s per day of each point, %s", who,
		 measure_word(c->measure), period);
	header(b, out, fmt, s, e, title,
	       c->measure == CHART_ACCESSES ? "accesses per day" : "sources per day");
	sum[0] = cnt[0] = sumr[0] = '\0';
	for (size_t p = 0; p < req->npoints; p++) {
		char vn[16];

		/* One point at a time, so each keeps its own line and its own step. */
		one.points = &req->points[p];
		one.npoints = 1;
		sub = *b;
		sub.req = &one;
		snprintf(vn, sizeof(vn), "p%zu", p);
		if (need_totals(&sub, vn, c->measure)) {
			b->seq = sub.seq;
			continue;
		}
		b->seq = sub.seq;
		chart_colour(req->points[p], col);
		legend_name(req->points[p], lbl, sizeof(lbl));
		arg(b->av, "LINE1.5:%s%s:%s", vn, col, lbl);
		total(b, vn, req->points[p], drawn % 2 ? "\\l" : "   ");
		soff += (size_t)snprintf(sum + soff, sizeof(sum) - soff, "%s%s%s", drawn ? "," : "",
					 vn, drawn ? ",ADDNAN" : "");
		roff += (size_t)snprintf(sumr + roff, sizeof(sumr) - roff, "%s%s_r%s",
					 drawn ? "," : "", vn, drawn ? ",ADDNAN" : "");
		coff += (size_t)snprintf(cnt + coff, sizeof(cnt) - coff, "%s%s,UN,0,1,IF%s",
					 drawn ? "," : "", vn, drawn ? ",+" : "");
		drawn++;
		if (soff >= sizeof(sum) - 64 || coff >= sizeof(cnt) - 64 ||
		    roff >= sizeof(sumr) - 64) {
			snprintf(b->errmsg, b->errlen, "too many points for one chart");
			return -E2BIG;
		}
	}
	if (!drawn) {
		if (!b->errmsg[0])
			snprintf(b->errmsg, b->errlen, "no point has a totals.rrd");
		return -ENOENT;
	}
	if (drawn % 2)
		arg(b->av, "COMMENT:\\l");
	/* TALOT2's "per monitoring point per day": the mean over the points that have the day. */
	arg(b->av, "CDEF:all=%s", sum);
	arg(b->av, "CDEF:all_r=%s", sumr);
	arg(b->av, "CDEF:n=%s", cnt);
	arg(b->av, "CDEF:mean=all,n,/");
	chart_colour("total", col);
	legend_name("mean/point", lbl, sizeof(lbl));
	arg(b->av, "LINE2.5:mean%s:%s", col, lbl);
	arg(b->av, "VDEF:meanavg=mean,AVERAGE");
	arg(b->av, "GPRINT:meanavg:%%12.0lf per day   ");
	arg(b->av, "COMMENT:all points");
	total(b, "all", "all", "\\l");
	return 0;
}

/* The top items of a stacked chart: keys or areas, each with its file and legend name. */
struct stack_item {
	char rel[64];
	char name[24];
	const char *const *ds;
	int nds;
};

static const char *const area_acc_ds[] = { "acc" };
static const char *const area_src_ds[] = { "src" };

/*
 * Picks the top items the daily summaries rank first, skipping any without an RRD file at any
 * point (an untracked key): its traffic stays in "other", which is the total minus the items.
 */
static int pick_top(struct builder *b, const struct chart_def *c, bool areas,
		    struct stack_item *items, size_t *nitems)
{
	const struct chart_req *req = b->req;
	struct chart_rank *r = NULL;
	size_t nr = 0, k = 0;
	int err;

	*nitems = 0;
	if (!req->ranked)
		return 0;
	err = areas ? chart_rank_areas(req->ranked, c->measure, &r, &nr) :
		      chart_rank_keys(req->ranked, c->measure, &r, &nr);
	if (err)
		return err;
	for (size_t i = 0; i < nr && k < req->top; i++) {
		struct stack_item *it = &items[k];
		char file[32], path[PATH_MAX];
		struct probe pr;
		bool any = false;

		if (areas) {
			char cc[3];

			sw_area_name(r[i].area, cc);
			snprintf(it->name, sizeof(it->name), "%s", cc);
			snprintf(it->rel, sizeof(it->rel), "areas/%s.rrd",
				 r[i].area == SW_AREA_UNKNOWN ? "unknown" : cc);
			it->ds = c->measure == CHART_ACCESSES ? area_acc_ds : area_src_ds;
			it->nds = 1;
		} else {
			chart_key_str(&r[i].key, it->name, sizeof(it->name));
			chart_key_file(&r[i].key, file, sizeof(file));
			snprintf(it->rel, sizeof(it->rel), "keys/%s.rrd", file);
			it->ds = c->measure == CHART_ACCESSES ? acc_ds : src_ds;
			it->nds = 3;
		}
		for (size_t p = 0; p < req->npoints && !any; p++) {
			point_path(b, p, it->rel, path, sizeof(path));
			any = !probe_file(b, path, &pr);
		}
		if (any)
			k++;
	}
	free(r);
	b->errmsg[0] = '\0';
	*nitems = k;
	return 0;
}

static int build_stack(struct builder *b, const struct chart_def *c, const char *out,
		       const char *fmt)
{
	const struct chart_req *req = b->req;
	bool areas = c->type == CHART_AREAS || c->type == CHART_AREA_SHARE;
	bool share = c->type == CHART_KEY_SHARE || c->type == CHART_AREA_SHARE;
	struct stack_item items[CHART_TOP_MAX];
	char title[256], period[64], who[64], lbl[64], col[CHART_COLOUR_LEN], top[2048];
	char topr[2048];
	size_t nitems, toff = 0, troff = 0;
	int64_t s, e;
	int err, drawn = 0;

	day_window(req, &s, &e);
	period_str(s, e, period, sizeof(period));
	who_str(req, who, sizeof(who));
	if (share)
		snprintf(title, sizeof(title), "%s: share of %s by %s, %s", who,
			 measure_word(c->measure), areas ? "source area" : "key", period);
	else
		snprintf(title, sizeof(title), "%s: %s per day by %s, %s", who,
			 measure_word(c->measure), areas ? "source area" : "key", period);
	header(b, out, fmt, s, e, title,
	       share ? (c->measure == CHART_ACCESSES ? "% of accesses" : "% of sources") :
		       (c->measure == CHART_ACCESSES ? "accesses per day" : "sources per day"));
	if (share) {
		arg(b->av, "--upper-limit=100");
		arg(b->av, "--rigid");
	}
	err = need_totals(b, "tot", c->measure);
	if (err)
		return err;
	/* Defined first: the shares divide by it, and rrdgraph resolves names in order. */
	total_def(b, "tot");
	err = pick_top(b, c, areas, items, &nitems);
	if (err)
		return err;
	top[0] = topr[0] = '\0';
	for (size_t i = 0; i < nitems; i++) {
		char vn[16], raw[16];

		snprintf(raw, sizeof(raw), "i%zu", i);
		snprintf(vn, sizeof(vn), "k%zu", i);
		if (!def_daily(b, raw, items[i].rel, items[i].ds, items[i].nds))
			continue;
		/* A day the key's file lacks but the totals have is a day of zero for it. */
		arg(b->av, "CDEF:%s=%s,UN,tot,UN,UNKN,0,IF,%s,IF", vn, raw, raw);
		arg(b->av, "CDEF:%s_r=%s_r,UN,tot_r,UN,UNKN,0,IF,%s_r,IF", vn, raw, raw);
		toff += (size_t)snprintf(top + toff, sizeof(top) - toff, "%s%s%s", drawn ? "," : "",
					 vn, drawn ? ",+" : "");
		troff += (size_t)snprintf(topr + troff, sizeof(topr) - troff, "%s%s_r%s",
					  drawn ? "," : "", vn, drawn ? ",+" : "");
		drawn++;
	}
	/* "other": what the totals hold beyond the items drawn; rounding must not go below 0. */
	if (drawn) {
		arg(b->av, "CDEF:oth=tot,%s,-,0,MAX", top);
		arg(b->av, "CDEF:oth_r=tot_r,%s,-,0,MAX", topr);
	} else {
		arg(b->av, "CDEF:oth=tot");
		arg(b->av, "CDEF:oth_r=tot_r");
	}
	for (int i = 0; i <= drawn; i++) {
		char vn[16], pv[16];
		const char *name = i < drawn ? items[i].name : "other";

		snprintf(vn, sizeof(vn), i < drawn ? "k%d" : "oth", i);
		chart_colour(name, col);
		legend_name(strcmp(name, "??") ? name : "unknown", lbl, sizeof(lbl));
		if (share) {
			snprintf(pv, sizeof(pv), "s%d", i);
			arg(b->av, "CDEF:%s=%s,tot,/,100,*", pv, vn);
			arg(b->av, "AREA:%s%s:%s%s", pv, col, lbl, i ? ":STACK" : "");
			/* The window's share: the item's total over the window's total. */
			total_def(b, vn);
			arg(b->av, "CDEF:%s_q=tot,POP,%s_T,tot_T,/,100,*", vn, vn);
			arg(b->av, "VDEF:%s_Q=%s_q,MAXIMUM", vn, vn);
			arg(b->av, "GPRINT:%s_Q:%%6.1lf %%%%%s", vn, i % 3 == 2 ? "\\l" : "   ");
			arg(b->av, "PRINT:%s_Q:%s=%%.4lf", vn, name);
		} else {
			arg(b->av, "AREA:%s%s:%s%s", vn, col, lbl, i ? ":STACK" : "");
			total(b, vn, name, i % 3 == 2 ? "\\l" : "   ");
		}
	}
	if ((drawn + 1) % 3)
		arg(b->av, "COMMENT:\\l");
	arg(b->av, "COMMENT:total");
	total_print(b, "tot", "total", "\\l");
	return 0;
}

static int build_kinds(struct builder *b, const struct chart_def *c, const char *out,
		       const char *fmt)
{
	const struct chart_req *req = b->req;
	const char *const *ds = c->measure == CHART_ACCESSES ? acc_ds : src_ds;
	char title[256], period[64], who[64], lbl[64], col[CHART_COLOUR_LEN];
	int64_t s, e;
	int drawn = 0;

	day_window(req, &s, &e);
	period_str(s, e, period, sizeof(period));
	who_str(req, who, sizeof(who));
	snprintf(title, sizeof(title), "%s: scan vs backscatter %s per day, %s", who,
		 measure_word(c->measure), period);
	header(b, out, fmt, s, e, title,
	       c->measure == CHART_ACCESSES ? "accesses per day" : "sources per day");
	for (int k = 0; k < SW_NKINDS; k++) {
		char vn[16];

		snprintf(vn, sizeof(vn), "%s", kind_ds[k]);
		if (!def_daily(b, vn, "totals.rrd", &ds[k], 1))
			continue;
		drawn++;
		chart_colour(kind_ds[k], col);
		legend_name(kind_ds[k], lbl, sizeof(lbl));
		arg(b->av, "%s:%s%s:%s", k == SW_KIND_OTHER ? "LINE1" : "LINE2", vn, col, lbl);
		total(b, vn, kind_ds[k], "\\l");
	}
	return drawn ? 0 : -ENOENT;
}

static int build_fingerprints(struct builder *b, const struct chart_def *c, const char *out,
			      const char *fmt)
{
	static const char *const fp_ds[] = { "acc" };
	const struct chart_req *req = b->req;
	char title[256], period[64], who[64], lbl[64], col[CHART_COLOUR_LEN], rel[64];
	int64_t s, e;

	(void)c;
	day_window(req, &s, &e);
	period_str(s, e, period, sizeof(period));
	who_str(req, who, sizeof(who));
	snprintf(title, sizeof(title), "%s: scanning tools by fingerprint, %s", who, period);
	header(b, out, fmt, s, e, title, "packets per day");
	/* All scans are not drawn (they would flatten the tools' lines): each tool's share of them
	 * is in the legend instead. */
	if (!def_daily(b, "scan", "totals.rrd", &acc_ds[SW_KIND_SCAN], 1))
		return -ENOENT;
	total_def(b, "scan");
	for (int f = 0; f < SW_NFPS; f++) {
		char vn[16];

		snprintf(vn, sizeof(vn), "%s", sw_fp_names[f]);
		snprintf(rel, sizeof(rel), "fingerprints/%s.rrd", sw_fp_names[f]);
		chart_colour(sw_fp_names[f], col);
		legend_name(sw_fp_names[f], lbl, sizeof(lbl));
		if (!def_daily(b, vn, rel, fp_ds, 1)) {
			arg(b->av, "COMMENT:%s%35s\\l", lbl, "(no file)");
			continue;
		}
		arg(b->av, "LINE2:%s%s:%s", vn, col, lbl);
		total(b, vn, sw_fp_names[f], "");
		arg(b->av, "CDEF:%s_q=scan,POP,%s_T,scan_T,/,100,*", vn, vn);
		arg(b->av, "VDEF:%s_Q=%s_q,MAXIMUM", vn, vn);
		arg(b->av, "GPRINT:%s_Q:%%6.1lf %%%% of all scans\\l", vn);
	}
	arg(b->av, "COMMENT:all scans  ");
	total_print(b, "scan", "scan", "\\l");
	b->errmsg[0] = '\0';
	return 0;
}

static int build_key_hw(struct builder *b, const struct chart_def *c, const char *out,
			const char *fmt)
{
	const struct chart_req *req = b->req;
	char title[256], period[64], who[64], lbl[64], col[CHART_COLOUR_LEN], band[16];
	char name[24], file[32], rel[64], path[PATH_MAX], esc[2 * PATH_MAX], unit[48];
	struct probe pr;
	bool hw;
	int64_t s = req->start, e = req->end;
	unsigned long res;
	int kind = req->kind >= 0 ? req->kind : SW_KIND_SCAN;
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
	err = probe_file(b, path, &pr);
	if (err)
		return err;
	hw = has_hw(b, path);
	escape(path, esc, sizeof(esc));
	/* Short windows in the sensor's own steps, longer ones per hour as ISDAS drew them. */
	res = e - s <= 3 * DAY_S ? pr.step : (pr.step > HOUR_S ? pr.step : HOUR_S);
	if (res == 60)
		snprintf(unit, sizeof(unit), "accesses per minute");
	else if (res == HOUR_S)
		snprintf(unit, sizeof(unit), "accesses per hour");
	else
		snprintf(unit, sizeof(unit), "accesses per %lu s", res);
	period_str(s, e, period, sizeof(period));
	who_str(req, who, sizeof(who));
	snprintf(title, sizeof(title), "%s: %s (%s) with its Holt-Winters band, %s", who, name,
		 kind_ds[kind], period);
	header(b, out, fmt, s, e, title, unit);
	arg(b->av, "DEF:o=%s:acc_%s:AVERAGE:step=%lu", esc, kind_ds[kind], res);
	/* Each value is an average count per step: scale to the unit, and to a rate for TOTAL. */
	arg(b->av, "CDEF:obs=o,%lu,/,%lu,*", pr.step, res);
	/* The total from the finest archive covering the window, as for every other chart. */
	arg(b->av, "DEF:of=%s:acc_%s:AVERAGE:step=%lu", esc, kind_ds[kind], pr.step);
	arg(b->av, "CDEF:o_r=of,%lu,/", pr.step);
	chart_colour(name, col);
	if (hw) {
		arg(b->av, "DEF:p=%s:acc_%s:HWPREDICT", esc, kind_ds[kind]);
		arg(b->av, "DEF:d=%s:acc_%s:DEVPREDICT", esc, kind_ds[kind]);
		arg(b->av, "DEF:f=%s:acc_%s:FAILURES", esc, kind_ds[kind]);
		arg(b->av, "CDEF:pred=p,%lu,/,%lu,*", pr.step, res);
		arg(b->av, "CDEF:lo=p,d,2,*,-,0,MAX,%lu,/,%lu,*", pr.step, res);
		arg(b->av, "CDEF:hi=p,d,2,*,+,%lu,/,%lu,*", pr.step, res);
		arg(b->av, "CDEF:band=hi,lo,-");
		snprintf(band, sizeof(band), "%s40", col);
		arg(b->av, "AREA:lo");
		arg(b->av, "AREA:band%s:expected (prediction +- 2 deviations)\\l:STACK", band);
		arg(b->av, "LINE1:pred#606060:prediction:dashes");
		arg(b->av, "COMMENT:\\l");
	} else {
		arg(b->av, "COMMENT:(no Holt-Winters archives in %s)\\l", file);
	}
	legend_name(name, lbl, sizeof(lbl));
	arg(b->av, "LINE1.5:obs%s:%s", col, lbl);
	arg(b->av, "VDEF:o_T=o_r,TOTAL");
	arg(b->av, "VDEF:o_M=obs,MAXIMUM");
	arg(b->av, "GPRINT:o_T:total %%.0lf");
	arg(b->av, "GPRINT:o_M:  peak %%.0lf\\l");
	arg(b->av, "PRINT:o_T:%s=%%.0lf", name);
	if (hw) {
		/* A failure is a step whose value left the band too often in the window. */
		/* TICK's legend, unlike LINE's, gets no room for its marker. */
		arg(b->av, "TICK:f#e00000a0:1.0:  Holt-Winters failure\\l");
		arg(b->av, "VDEF:f_M=f,MAXIMUM");
		arg(b->av, "PRINT:f_M:failures=%%.0lf");
	}
	return 0;
}

int chart_build(const struct chart_def *c, const struct chart_req *req, const char *out_path,
		const char *format, struct chart_argv *av, char *errmsg, size_t errlen)
{
	struct builder b = { .req = req, .av = av, .errmsg = errmsg, .errlen = errlen };
	int err;

	errmsg[0] = '\0';
	if (req->top > CHART_TOP_MAX) {
		snprintf(errmsg, errlen, "at most %d stacked series", CHART_TOP_MAX);
		return -EINVAL;
	}
	if (!req->npoints) {
		snprintf(errmsg, errlen, "no point to draw");
		return -ENOENT;
	}
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
	if (!err && av->err)
		err = av->err;
	if (err && !errmsg[0])
		snprintf(errmsg, errlen, "%s", strerror(-err));
	return err;
}

int chart_draw(const struct chart_def *c, const struct chart_req *req, const char *out_path,
	       const char *format, rrd_info_t **info, char *errmsg, size_t errlen)
{
	struct chart_argv av = { 0 };
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
	err = chart_build(c, req, file, format, &av, errmsg, errlen);
	if (!err) {
		rrd_clear_error();
		res = rrd_graph_v(av.n, av.v);
		if (!res || rrd_test_error()) {
			snprintf(errmsg, errlen, "%s: %s", c->name,
				 rrd_test_error() ? rrd_get_error() : "rrd_graph_v failed");
			rrd_clear_error();
			err = -EIO;
		}
	}
	chart_argv_free(&av);
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
