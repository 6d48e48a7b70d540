// SPDX-License-Identifier: GPL-2.0-only
/*
 * `scanwatch report`: the monthly report, shaped like IPA's TALOT2 report, as Markdown and HTML
 * with its charts beside them. Every figure is an exact sum of the daily summaries, the charts'
 * too (rrd/charts.h), each key and area in one colour of its own across every chart.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "alerts.h"
#include "charts.h"
#include "cli.h"
#include "dates.h"
#include "daysrc.h"
#include "db_conn.h"
#include "doc.h"
#include "keyfmt.h"
#include "log.h"
#include "parse_num.h"
#include "numfmt.h"
#include "points.h"
#include "portkb.h"
#include "progress.h"
#include "safe_file.h"
#include "summary.h"
#include "victims.h"

#define MAX_POINTS 256
#define SIX 6
#define VICTIMS_SHOWN 20
#define KEY_CHARTS_MAX 4

struct report {
	const char *data_dir, *db_url, *out_dir;
	struct daysrc src; /* the daily summaries: files or the database */
	struct db_conn db;
	char (*points)[SW_POINT_LEN];
	size_t npoints;
	bool chosen; /* --point given: "all points" is only these */
	int year, month;
	int64_t first, last; /* the month's days */
	unsigned int top, width, height;
	struct alert_config cfg;
	struct rrdio io;
	struct doc doc;
	struct tally cur, prev;
	unsigned int pd_cur, pd_prev; /* point-days with a summary */
	char cur_name[32], prev_name[32]; /* "October 2009" */
	char prev_short[8]; /* "2009-09" */
	unsigned int drawn, failed;
	bool svg; /* each chart as SVG too, beside its PNG */
	bool quiet;
	struct chart_colours colours; /* one per key and area, across every chart */
	struct progress progress;
	char errmsg[512];
};

/* ---- numbers ---- */

/* The same numbers as the charts' legends print (numfmt.h). */
#define fmt_count sw_fmt_count
#define fmt_share sw_fmt_share
#define per_day sw_per_day

/* A table's label, above it: "Table 2-3: ...". */
static void __attribute__((format(printf, 2, 3))) caption(struct report *r, const char *fmt, ...)
{
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	doc_para(&r->doc, "**%s**", text);
}

static void month_name(int y, int m, char out[32])
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = 1 };

	strftime(out, 32, "%B %Y", &tm);
}

static void add_months(int *y, int *m, int n)
{
	int v = *y * 12 + (*m - 1) + n;

	*y = v / 12;
	*m = v % 12 + 1;
}

static void area_label(int a, char out[8])
{
	if (a == SW_AREA_UNKNOWN)
		snprintf(out, 8, "unknown");
	else
		sw_area_name(a, out);
}

static void duration_str(uint64_t ns, char *buf, size_t len)
{
	uint64_t s = ns / 1000000000ULL;

	if (s >= 86400)
		snprintf(buf, len, "%" PRIu64 " d %" PRIu64 " h %" PRIu64 " min", s / 86400,
			 s % 86400 / 3600, s % 3600 / 60);
	else if (s >= 3600)
		snprintf(buf, len, "%" PRIu64 " h %" PRIu64 " min", s / 3600, s % 3600 / 60);
	else if (s >= 60)
		snprintf(buf, len, "%" PRIu64 " min %" PRIu64 " s", s / 60, s % 60);
	else
		snprintf(buf, len, "%.3f s", ns / 1e9);
}

static void time_ns_str(uint64_t ns, char *buf, size_t len)
{
	time_t t = (time_t)(ns / 1000000000ULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
}

/* ---- data ---- */

/* The selected points' summaries of days [from, to], added up; *pd: point-days found. */
static int load_span(struct report *r, int64_t from, int64_t to, struct tally *t, unsigned int *pd)
{
	*pd = 0;
	for (size_t i = 0; i < r->npoints; i++) {
		unsigned int nd;
		int err = summary_load(&r->src, r->points[i], from, to, t, &nd, r->errmsg,
				       sizeof(r->errmsg));

		if (err)
			return err;
		*pd += nd;
	}
	return 0;
}

static int load_month(struct report *r, int y, int m, struct tally *t, unsigned int *pd)
{
	int64_t f, l;

	sw_month_days(y, m, &f, &l);
	return load_span(r, f, l, t, pd);
}

/* ---- charts ---- */

static void image_size(const rrd_info_t *info, unsigned int *w, unsigned int *h)
{
	*w = *h = 0;
	for (; info; info = info->next) {
		if (info->type != RD_I_CNT)
			continue;
		if (!strcmp(info->key, "image_width"))
			*w = (unsigned int)info->value.u_cnt;
		else if (!strcmp(info->key, "image_height"))
			*h = (unsigned int)info->value.u_cnt;
	}
}

/*
 * A chart's legend as rrdgraph wrote it into the image, each of its lines after the other:
 * "tcp/445 2,688 tcp/23 2,232 ...; total 12,360". The text of the image for a reader who cannot
 * see it, and what a check reads the legend from.
 */
static void legend_text(const rrd_info_t *info, char *buf, size_t len)
{
	char key[32];
	size_t off = 0;
	long y = -1;

	buf[0] = '\0';
	for (int i = 0;; i++) {
		const char *leg, *co, *p;
		long x0, y0;

		snprintf(key, sizeof(key), "legend[%d]", i);
		leg = chart_info_str(info, key);
		if (!leg)
			break;
		snprintf(key, sizeof(key), "coords[%d]", i);
		co = chart_info_str(info, key);
		if (!co || sscanf(co, "%ld,%ld", &x0, &y0) != 2)
			y0 = y;
		for (p = leg; *p == ' '; p++)
			;
		if (!*p)
			continue;
		if (off < len)
			off += (size_t)snprintf(buf + off, len - off, "%s",
						!off	? "" :
						y0 != y ? "; " :
							  " ");
		y = y0;
		/* Runs of blanks that line the columns up are one space in the text. */
		for (; *p && off + 1 < len; p++)
			if (*p != ' ' || (p[1] && p[1] != ' '))
				buf[off++] = *p;
		if (off < len)
			buf[off] = '\0';
	}
}

/*
 * Draws one chart of the catalogue over the days [from, to] into the output folder and puts it
 * in the document, or a note of why it could not be drawn.
 */
static void chart(struct report *r, const char *name, int64_t from, int64_t to,
		  const struct tally *ranked, const struct alert *key, const char *caption)
{
	const struct chart_def *c = chart_find(name);
	char file[128], path[PATH_MAX], errmsg[1024], legend[2048], alt[2560];
	struct chart_req req = {
		.src = &r->src,
		.data_dir = r->data_dir,
		.io = &r->io,
		.points = r->points,
		.npoints = r->npoints,
		.all_points = !r->chosen,
		.start = from * SW_DAY_S,
		.end = (to + 1) * SW_DAY_S,
		.kind = -1,
		.top = r->top,
		.ranked = ranked,
		.colours = &r->colours,
		.width = r->width,
		.height = r->height,
	};
	rrd_info_t *info = NULL;
	unsigned int w, h;
	int err;

	if (!c)
		return;
	snprintf(file, sizeof(file), "%s.png", name);
	if (key) {
		char kf[32];

		for (size_t i = 0; i < r->npoints; i++)
			if (!strcmp(r->points[i], key->point))
				req.points = &r->points[i];
		req.npoints = 1;
		req.all_points = false;
		req.kind = key->key_kind;
		req.have_key = !chart_key_parse(key->key, &req.key);
		chart_key_file(&req.key, kf, sizeof(kf));
		snprintf(file, sizeof(file), "key-%s-%s.png", kf, key->point);
	}
	snprintf(path, sizeof(path), "%s/%s", r->out_dir, file);
	progress_say(&r->progress, "drawing %s", caption);
	err = chart_draw(c, &req, path, "PNG", &info, errmsg, sizeof(errmsg));
	if (!err && r->svg) {
		/* The same chart as a vector image, for print (and for reading its legend back). */
		snprintf(path + strlen(path) - 3, 4, "svg");
		err = chart_draw(c, &req, path, "SVG", NULL, errmsg, sizeof(errmsg));
	}
	if (err) {
		r->failed++;
		rrd_info_free(info);
		doc_note(&r->doc, "%s: not drawn (%s).", caption, errmsg);
		return;
	}
	image_size(info, &w, &h);
	legend_text(info, legend, sizeof(legend));
	snprintf(alt, sizeof(alt), "%s. Legend: %s", caption, legend);
	rrd_info_free(info);
	r->drawn++;
	doc_image(&r->doc, file, w, h, caption, alt);
}

/* ---- sections ---- */

/* "256", "1 to 256" when the days differ, "n/a" when a day does not know. */
static const char *watched_str(const struct summary_watch *w, char *buf, size_t len)
{
	char lo[SW_COUNT128_STRLEN], hi[SW_COUNT128_STRLEN];

	if (!w->known_days || w->unknown_days)
		snprintf(buf, len, "n/a");
	else if (w->min == w->max)
		snprintf(buf, len, "%s", sw_fmt_count128(w->min, lo));
	else
		snprintf(buf, len, "%s to %s", sw_fmt_count128(w->min, lo),
			 sw_fmt_count128(w->max, hi));
	return buf;
}

static void per_address_row(struct report *r, const char *name, const struct summary_watch *w,
			    uint64_t acc, uint64_t src)
{
	char wa[2 * SW_COUNT128_STRLEN], ad[SW_COUNT128_STRLEN], ra[SW_RATE_STRLEN],
		rs[SW_RATE_STRLEN];
	double va, vs;
	bool known = summary_per_address(w, acc, &va) && summary_per_address(w, src, &vs);
	const char *row[5] = { name, watched_str(w, wa, sizeof(wa)),
			       known ? sw_fmt_count128(w->address_days, ad) : "n/a",
			       known ? sw_fmt_rate(va, ra) : "n/a",
			       known ? sw_fmt_rate(vs, rs) : "n/a" };

	doc_row(&r->doc, row);
}

/*
 * Accesses and sources per watched address and per day: the scale on which a sensor of one
 * address, a /24's and a /17's compare. Only where some day says how many it watched.
 */
static void per_address_table(struct report *r, const struct summary_watch *pw,
			      const uint64_t *pacc, const uint64_t *psrc,
			      const struct summary_watch *all, const struct summary_totals *s)
{
	static const char *const heads[] = { "point", "watched addresses", "address-days",
					     "accesses a day per address",
					     "sources a day per address" };

	if (!all->known_days) {
		doc_para(&r->doc,
			 "Per watched address: n/a, since no point was run with --watch in %s: "
			 "each counted every address that traffic arrived at.",
			 r->cur_name);
		return;
	}
	caption(r, "Table 1-3: accesses and sources per watched address and per day in %s",
		r->cur_name);
	doc_table(&r->doc, 5, "lrrrr", heads);
	for (size_t i = 0; i < r->npoints; i++)
		per_address_row(r, r->points[i], &pw[i], pacc[i], psrc[i]);
	if (r->npoints > 1)
		per_address_row(r, "**all points**", all, s->accesses, s->sources);
	doc_table_end(&r->doc);
	doc_note(&r->doc,
		 "Per watched address and per day: accesses (sources) divided by the address-days, "
		 "the addresses each point watched (--watch, an address in two prefixes counted "
		 "once) added up over its days with data; a day whose set changed counts its "
		 "largest. n/a: a day was counted without --watch (every address that traffic "
		 "arrived at) or by an older scanwatch.");
}

/* A point's month, for the table of peak rates. */
struct point_peak {
	uint64_t peak, peak_s, accesses;
	unsigned int days;
};

/*
 * The busiest second of each point beside its mean over the month's days with data: a flood of
 * a few seconds that the month's (or an interval's) average hides.
 */
static void peak_table(struct report *r, const struct point_peak *pp,
		       const struct summary_totals *all)
{
	static const char *const heads[] = { "point", "peak accesses in one second",
					     "that second (UTC)", "mean accesses a second" };
	char a[32], when[SW_UTC_LEN], mean[32];

	if (!all->peak) {
		doc_para(&r->doc,
			 "No daily summary of %s records its busiest second (summaries of an older "
			 "scanwatch, or of the database, do not).",
			 r->cur_name);
		return;
	}
	sw_utc_second(all->peak_s, when);
	doc_para(&r->doc,
		 "The busiest second of %s: **%s** accesses in one second at one monitoring point, "
		 "at %s. The peak is the most accesses a point counted in any one second; the "
		 "mean spreads the point's month over every second of its days with data.",
		 r->cur_name, fmt_count(all->peak, a), when);
	caption(r, "Table 1-4: the busiest second of each monitoring point in %s", r->cur_name);
	doc_table(&r->doc, 4, "lrlr", heads);
	for (size_t i = 0; i < r->npoints; i++) {
		const char *row[4] = { r->points[i], "-", "-", "-" };

		if (!pp[i].days)
			continue;
		if (pp[i].peak) {
			sw_utc_second(pp[i].peak_s, when);
			row[1] = fmt_count(pp[i].peak, a);
			row[2] = when;
		}
		snprintf(mean, sizeof(mean), "%.2f",
			 (double)pp[i].accesses / ((double)pp[i].days * SW_DAY_S));
		row[3] = mean;
		doc_row(&r->doc, row);
	}
	doc_table_end(&r->doc);
}

/* The research group (run --research), apart: none of the report's other figures has it. */
static void section_research(struct report *r)
{
	static const char *const heads[] = { "key", "kind", "accesses", "sources" };
	const struct tally_key **keys;
	struct summary_totals s, ps;
	char a[32], b[32], c[32], d[32];
	int *areas;
	size_t nareas;

	if (!tally_has_research(&r->cur) && !tally_has_research(&r->prev))
		return;
	summary_research_totals(&r->cur, &s);
	summary_research_totals(&r->prev, &ps);
	doc_heading(&r->doc, 3, "Research scanners");
	doc_para(&r->doc,
		 "The sources of the research list (projects that scan the whole Internet and "
		 "publish what they find; `scanwatch run --research`) are counted apart, in none "
		 "of this report's other figures: **%s** accesses from **%s** sources (gross) in "
		 "%s%s%s%s%s%s.",
		 fmt_count(s.accesses, a), fmt_count(s.sources, b), r->cur_name,
		 r->pd_prev ? ", against " : "", r->pd_prev ? fmt_count(ps.accesses, c) : "",
		 r->pd_prev ? " from " : "", r->pd_prev ? fmt_count(ps.sources, d) : "",
		 r->pd_prev ? " in the month before" : "");
	if (!tally_has_research(&r->cur) || summary_rank(r->cur.research, &keys, &areas, &nareas))
		return;
	caption(r, "Table 1-5: the research scanners' top destinations in %s", r->cur_name);
	doc_table(&r->doc, 4, "llrr", heads);
	for (size_t i = 0; i < r->cur.research->nkeys && i < 5; i++) {
		char key[SW_KEY_STRLEN];
		const char *row[4] = { key, sw_kind_names[keys[i]->key.kind],
				       fmt_count(keys[i]->accesses, a),
				       fmt_count(keys[i]->sources, b) };

		sw_key_str(&keys[i]->key, key);
		doc_row(&r->doc, row);
	}
	doc_table_end(&r->doc);
	free(keys);
	free(areas);
}

static void section_summary(struct report *r)
{
	static const char *const heads[] = { "point",	"days with data", "accesses",
					     "sources", "accesses a day", "sources a day" };
	static const char *const kheads[] = { "kind", "accesses", "share", "sources", "share" };
	struct summary_totals s, sp;
	char a[32], b[32], c[32], d[32], e[32], f[16], g[16];
	struct summary_watch pw[MAX_POINTS], all = { 0 };
	uint64_t pacc[MAX_POINTS] = { 0 }, psrc[MAX_POINTS] = { 0 };
	int y0 = r->year, m0 = r->month;
	struct point_peak peaks[MAX_POINTS];
	int64_t first6, l;

	summary_totals(&r->cur, &s);
	doc_heading(&r->doc, 2, "1. Summary");
	if (!r->pd_cur) {
		doc_para(&r->doc, "No daily summary of %s in %s: nothing to report.", r->cur_name,
			 daysrc_name(&r->src));
		return;
	}
	doc_para(&r->doc,
		 "In %s, unwanted (one-sided) access totalled **%s** for the %zu monitoring "
		 "point%s and the gross number of sources (\\*) was **%s**: one monitoring point "
		 "received **%s** accesses from **%s** sources per day.",
		 r->cur_name, fmt_count(s.accesses, a), r->npoints, r->npoints == 1 ? "" : "s",
		 fmt_count(s.sources, b), fmt_count(per_day(s.accesses, r->pd_cur), c),
		 fmt_count(per_day(s.sources, r->pd_cur), d));
	doc_note(
		&r->doc,
		"(\\*) Gross number of sources: a source is counted once per day, per monitoring point "
		"and per destination (key), and the month's figure is the sum of its days. Per day "
		"means per point and per day with data (%u point-days this month), rounded.",
		r->pd_cur);
	memset(peaks, 0, sizeof(peaks));
	caption(r, "Table 1-1: accesses and sources of each monitoring point in %s", r->cur_name);
	doc_table(&r->doc, 6, "lrrrrr", heads);
	for (size_t i = 0; i < r->npoints; i++) {
		struct tally t;
		unsigned int nd;
		const char *row[6];

		tally_init(&t);
		memset(&pw[i], 0, sizeof(pw[i]));
		if (!summary_load_watch(&r->src, r->points[i], r->first, r->last, &t, &pw[i], &nd,
					r->errmsg, sizeof(r->errmsg))) {
			summary_totals(&t, &sp);
			pacc[i] = sp.accesses;
			psrc[i] = sp.sources;
			summary_watch_add(&all, &pw[i]);
			peaks[i] = (struct point_peak){ sp.peak, sp.peak_s, sp.accesses, nd };
			snprintf(e, sizeof(e), "%u", nd);
			row[0] = r->points[i];
			row[1] = e;
			row[2] = fmt_count(sp.accesses, a);
			row[3] = fmt_count(sp.sources, b);
			row[4] = fmt_count(per_day(sp.accesses, nd), c);
			row[5] = fmt_count(per_day(sp.sources, nd), d);
			doc_row(&r->doc, row);
		}
		tally_free(&t);
	}
	if (r->npoints > 1) {
		const char *row[6] = { "**all points**",
				       e,
				       fmt_count(s.accesses, a),
				       fmt_count(s.sources, b),
				       fmt_count(per_day(s.accesses, r->pd_cur), c),
				       fmt_count(per_day(s.sources, r->pd_cur), d) };

		snprintf(e, sizeof(e), "%u", r->pd_cur);
		doc_row(&r->doc, row);
	}
	doc_table_end(&r->doc);

	caption(r, "Table 1-2: accesses and sources by kind in %s", r->cur_name);
	doc_table(&r->doc, 5, "lrrrr", kheads);
	for (int k = 0; k < SW_NKINDS; k++) {
		const char *row[5] = { sw_kind_names[k], fmt_count(s.kind_accesses[k], a),
				       fmt_share(s.kind_accesses[k], s.accesses, f),
				       fmt_count(s.kind_sources[k], b),
				       fmt_share(s.kind_sources[k], s.sources, g) };

		doc_row(&r->doc, row);
	}
	doc_table_end(&r->doc);
	per_address_table(r, pw, pacc, psrc, &all, &s);
	peak_table(r, peaks, &s);

	if (r->pd_prev) {
		struct summary_totals ps;
		double ca, cs;

		summary_totals(&r->prev, &ps);
		ca = ps.accesses ? ((double)s.accesses / r->pd_cur) /
						   ((double)ps.accesses / r->pd_prev) * 100.0 -
					   100.0 :
				   NAN;
		cs = ps.sources ? ((double)s.sources / r->pd_cur) /
						  ((double)ps.sources / r->pd_prev) * 100.0 -
					  100.0 :
				  NAN;
		doc_para(&r->doc,
			 "Against %s (%s accesses from %s sources per point per day), accesses per "
			 "point per day changed by **%+.1f %%** and sources by **%+.1f %%**.",
			 r->prev_name, fmt_count(per_day(ps.accesses, r->pd_prev), a),
			 fmt_count(per_day(ps.sources, r->pd_prev), b), ca, cs);
	} else {
		doc_para(&r->doc, "%s has no daily summary to compare with.", r->prev_name);
	}
	add_months(&y0, &m0, -(SIX - 1));
	sw_month_days(y0, m0, &first6, &l);
	chart(r, "points-accesses", first6, r->last, NULL, NULL,
	      "Chart 1-1a: accesses per monitoring point per day, the last six months");
	chart(r, "points-sources", first6, r->last, NULL, NULL,
	      "Chart 1-1b: sources per monitoring point per day, the last six months");
	section_research(r);
}

struct cmp_row {
	struct sw_key key;
	uint64_t cur, prev;
};

static int cmp_cmp_rows(const void *a, const void *b)
{
	const struct cmp_row *x = a, *y = b;

	if (x->cur != y->cur)
		return x->cur > y->cur ? -1 : 1;
	if (x->prev != y->prev)
		return x->prev > y->prev ? -1 : 1;
	return sw_key_cmp(&x->key, &y->key);
}

static int add_cmp_key(struct cmp_row *rows, size_t *n, const struct sw_key *k)
{
	for (size_t i = 0; i < *n; i++)
		if (!sw_key_cmp(&rows[i].key, k))
			return 0;
	rows[(*n)++].key = *k;
	return 1;
}

static void section_compare(struct report *r)
{
	static const char *const heads_tpl[] = { "key", "kind", NULL, NULL, NULL, NULL, "change" };
	const struct tally_key **kc = NULL, **kp = NULL;
	const char *heads[7];
	struct cmp_row *rows;
	char h2[48], h3[48], h4[48], h5[48];
	int *ac = NULL, *ap = NULL;
	size_t nac, nap, n = 0, nsurge = 0;

	doc_heading(&r->doc, 2, "2. %s against %s, by destination", r->cur_name, r->prev_name);
	if (!r->pd_cur || !r->pd_prev) {
		doc_para(&r->doc, "%s has no daily summary to compare with.",
			 r->pd_cur ? r->prev_name : r->cur_name);
		return;
	}
	rows = calloc(2 * r->top + 1, sizeof(*rows));
	if (!rows || summary_rank(&r->cur, &kc, &ac, &nac) ||
	    summary_rank(&r->prev, &kp, &ap, &nap)) {
		free(rows);
		return;
	}
	/* The month's top keys and the previous month's, so that a key that fell is seen. */
	for (size_t i = 0; i < r->cur.nkeys && i < r->top; i++)
		add_cmp_key(rows, &n, &kc[i]->key);
	for (size_t i = 0; i < r->prev.nkeys && i < r->top; i++)
		add_cmp_key(rows, &n, &kp[i]->key);
	for (size_t i = 0; i < n; i++) {
		const struct tally_key *c = tally_find(&r->cur, &rows[i].key);
		const struct tally_key *p = tally_find(&r->prev, &rows[i].key);

		rows[i].cur = c ? c->accesses : 0;
		rows[i].prev = p ? p->accesses : 0;
	}
	qsort(rows, n, sizeof(*rows), cmp_cmp_rows);
	memcpy(heads, heads_tpl, sizeof(heads));
	snprintf(h2, sizeof(h2), "%s accesses", r->prev_short);
	snprintf(h3, sizeof(h3), "%04d-%02d accesses", r->year, r->month);
	snprintf(h4, sizeof(h4), "%s a day", r->prev_short);
	snprintf(h5, sizeof(h5), "%04d-%02d a day", r->year, r->month);
	heads[2] = h2;
	heads[3] = h3;
	heads[4] = h4;
	heads[5] = h5;
	doc_para(&r->doc,
		 "The month's top %u destinations and the previous month's, by accesses. A day "
		 "means a day of one monitoring point (%u point-days in %s, %u in %s): the change "
		 "compares these daily means, so months of different lengths compare fairly.",
		 r->top, r->pd_cur, r->cur_name, r->pd_prev, r->prev_name);
	caption(r, "Table 2-1: accesses by destination, %s and %s (TALOT2's chart 1-2)",
		r->prev_name, r->cur_name);
	doc_table(&r->doc, 7, "llrrrrr", heads);
	for (size_t i = 0; i < n; i++) {
		char key[SW_KEY_STRLEN], a[32], b[32], c[32], d[32], ch[32];
		double vc = (double)rows[i].cur / r->pd_cur, vp = (double)rows[i].prev / r->pd_prev;
		const char *row[7];

		sw_key_str(&rows[i].key, key);
		snprintf(c, sizeof(c), "%.1f", vp);
		snprintf(d, sizeof(d), "%.1f", vc);
		if (!rows[i].prev)
			snprintf(ch, sizeof(ch), "new");
		else
			snprintf(ch, sizeof(ch), "%+.1f %%", (vc - vp) / vp * 100.0);
		row[0] = key;
		row[1] = sw_kind_names[rows[i].key.kind];
		row[2] = fmt_count(rows[i].prev, a);
		row[3] = fmt_count(rows[i].cur, b);
		row[4] = c;
		row[5] = d;
		row[6] = ch;
		doc_row(&r->doc, row);
	}
	doc_table_end(&r->doc);
	for (size_t i = 0; i < n; i++) {
		char key[SW_KEY_STRLEN];
		double vc = (double)rows[i].cur / r->pd_cur, vp = (double)rows[i].prev / r->pd_prev;

		if (rows[i].cur < r->cfg.surge_min ||
		    (rows[i].prev &&
		     (double)rows[i].cur * r->pd_prev * 100.0 <
			     (double)rows[i].prev * r->pd_cur * (100.0 + r->cfg.surge_pct)))
			continue;
		sw_key_str(&rows[i].key, key);
		if (rows[i].prev)
			doc_para(
				&r->doc,
				"Accesses to **%s** (%s) rose **%+.1f %%** a day from %s, over the "
				"alert threshold of +%g %%.",
				key, sw_kind_names[rows[i].key.kind], (vc - vp) / vp * 100.0,
				r->prev_name, r->cfg.surge_pct);
		else
			doc_para(&r->doc, "**%s** (%s) is new this month: %.1f accesses a day.",
				 key, sw_kind_names[rows[i].key.kind], vc);
		nsurge++;
	}
	if (!nsurge)
		doc_para(&r->doc, "No destination rose by the alert threshold of +%g %%.",
			 r->cfg.surge_pct);
	free(rows);
	free(kc);
	free(ac);
	free(kp);
	free(ap);
}

static const char ratio_note[] =
	"Ratios are rounded to 0.1 % (half up), so that their total may not make 100 % exactly.";

/* The share of each of the top keys (or areas) in the month's accesses (or sources). */
static void ratio_table(struct report *r, bool areas, bool sources)
{
	static const char *const kh[] = { "rank", "key", "kind", NULL, "share" };
	static const char *const ah[] = { "rank", "area", NULL, "share" };
	const char *heads[5];
	struct summary_totals s;
	uint64_t total, shown = 0;
	size_t n, nitems = 0, *order = NULL;
	const char *what = sources ? "sources" : "accesses";
	char a[32], f[16], rank[16], other[48], key[SW_KEY_STRLEN], cc[8];

	summary_totals(&r->cur, &s);
	total = sources ? s.sources : s.accesses;
	for (int i = 0; i < (areas ? 4 : 5); i++)
		heads[i] = areas ? ah[i] : kh[i];
	heads[areas ? 2 : 3] = what;
	n = areas ? SW_NAREAS : r->cur.nkeys;
	order = malloc((n + 1) * sizeof(*order));
	if (!order)
		return;
	for (size_t i = 0; i < n; i++) {
		uint64_t v = areas ? (sources ? r->cur.area_sources[i] : r->cur.area_accesses[i]) :
				     (sources ? r->cur.keys[i].sources : r->cur.keys[i].accesses);

		if (v)
			order[nitems++] = i;
	}
	/* By the measure, descending; ties in key or area order. */
	for (size_t i = 1; i < nitems; i++) {
		for (size_t j = i; j > 0; j--) {
			size_t x = order[j - 1], y = order[j];
			uint64_t vx = areas ? (sources ? r->cur.area_sources[x] :
							 r->cur.area_accesses[x]) :
					      (sources ? r->cur.keys[x].sources :
							 r->cur.keys[x].accesses);
			uint64_t vy = areas ? (sources ? r->cur.area_sources[y] :
							 r->cur.area_accesses[y]) :
					      (sources ? r->cur.keys[y].sources :
							 r->cur.keys[y].accesses);
			bool swap = vy > vx ||
				    (vy == vx && (areas ? y < x :
							  sw_key_cmp(&r->cur.keys[y].key,
								     &r->cur.keys[x].key) < 0));

			if (!swap)
				break;
			order[j - 1] = y;
			order[j] = x;
		}
	}
	doc_table(&r->doc, areas ? 4 : 5, areas ? "rlrr" : "rllrr", heads);
	for (size_t i = 0; i < nitems && i < r->top; i++) {
		size_t x = order[i];
		uint64_t v = areas ? (sources ? r->cur.area_sources[x] : r->cur.area_accesses[x]) :
				     (sources ? r->cur.keys[x].sources : r->cur.keys[x].accesses);

		snprintf(rank, sizeof(rank), "%zu", i + 1);
		shown += v;
		if (areas) {
			const char *row[4] = { rank, cc, fmt_count(v, a), fmt_share(v, total, f) };

			area_label((int)x, cc);
			doc_row(&r->doc, row);
		} else {
			const char *row[5] = { rank, key, sw_kind_names[r->cur.keys[x].key.kind],
					       fmt_count(v, a), fmt_share(v, total, f) };

			sw_key_str(&r->cur.keys[x].key, key);
			doc_row(&r->doc, row);
		}
	}
	if (nitems > r->top) {
		snprintf(other, sizeof(other), "other (%zu)", nitems - r->top);
		if (areas) {
			const char *row[4] = { "", other, fmt_count(total - shown, a),
					       fmt_share(total - shown, total, f) };

			doc_row(&r->doc, row);
		} else {
			const char *row[5] = { "", other, "", fmt_count(total - shown, a),
					       fmt_share(total - shown, total, f) };

			doc_row(&r->doc, row);
		}
	}
	if (areas) {
		const char *row[4] = { "", "**total**", fmt_count(total, a), "100 %" };

		doc_row(&r->doc, row);
	} else {
		const char *row[5] = { "", "**total**", "", fmt_count(total, a), "100 %" };

		doc_row(&r->doc, row);
	}
	doc_table_end(&r->doc);
	free(order);
}

static void section_month(struct report *r)
{
	doc_heading(&r->doc, 2, "3. Unwanted access in %s", r->cur_name);
	doc_heading(&r->doc, 3, "(1) By destination (key)");
	chart(r, "keys-accesses", r->first, r->last, &r->cur, NULL,
	      "Chart 2-1: accesses per day by destination");
	chart(r, "keys-sources", r->first, r->last, &r->cur, NULL,
	      "Chart 2-2: sources per day by destination");
	doc_heading(&r->doc, 3, "(2) Ratio by destination (key)");
	caption(r, "Table 2-3: ratio of accesses by destination in %s (TALOT2's chart 2-3)",
		r->cur_name);
	ratio_table(r, false, false);
	caption(r, "Table 2-4: ratio of sources by destination in %s (TALOT2's chart 2-4)",
		r->cur_name);
	ratio_table(r, false, true);
	doc_note(&r->doc, "%s", ratio_note);
	chart(r, "keys-share-accesses", r->first, r->last, &r->cur, NULL,
	      "Chart 2-3: share of each destination in the day's accesses");
	doc_heading(&r->doc, 3, "(3) By source area");
	chart(r, "areas-accesses", r->first, r->last, &r->cur, NULL,
	      "Chart 2-5: accesses per day by source area");
	caption(r, "Table 2-6: ratio of accesses by source area in %s (TALOT2's chart 2-6)",
		r->cur_name);
	ratio_table(r, true, false);
	chart(r, "areas-sources", r->first, r->last, &r->cur, NULL,
	      "Chart 2-7: sources per day by source area");
	caption(r, "Table 2-8: ratio of sources by source area in %s (TALOT2's chart 2-8)",
		r->cur_name);
	ratio_table(r, true, true);
	doc_note(&r->doc,
		 "%s Areas are the sources' countries in the country database the "
		 "sensor used (unknown: not in it, or no database).",
		 ratio_note);
}

/* Items ranked over the six months, for the share tables. */
struct six_item {
	struct sw_key key;
	int area;
	uint64_t total;
};

static int cmp_six(const void *a, const void *b)
{
	const struct six_item *x = a, *y = b;

	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	if (x->area != y->area)
		return x->area < y->area ? -1 : 1;
	return sw_key_cmp(&x->key, &y->key);
}

static void six_share_table(struct report *r, struct tally *m, const unsigned int *pd,
			    char names[SIX][8], bool areas, bool sources)
{
	struct tally all;
	struct six_item *items;
	size_t n = 0;
	const char *heads[SIX + 1];
	uint64_t totals[SIX];

	tally_init(&all);
	for (int i = 0; i < SIX; i++) {
		struct summary_totals s;

		tally_merge(&all, &m[i]);
		summary_totals(&m[i], &s);
		totals[i] = sources ? s.sources : s.accesses;
	}
	items = calloc((areas ? SW_NAREAS : all.nkeys) + 1, sizeof(*items));
	if (!items) {
		tally_free(&all);
		return;
	}
	if (areas) {
		for (int a = 0; a < SW_NAREAS; a++) {
			uint64_t v = sources ? all.area_sources[a] : all.area_accesses[a];

			if (v)
				items[n++] = (struct six_item){ .area = a, .total = v };
		}
	} else {
		for (size_t i = 0; i < all.nkeys; i++) {
			uint64_t v = sources ? all.keys[i].sources : all.keys[i].accesses;

			if (v)
				items[n++] =
					(struct six_item){ .key = all.keys[i].key, .total = v };
		}
	}
	qsort(items, n, sizeof(*items), cmp_six);
	heads[0] = areas ? "area" : "key (kind)";
	for (int i = 0; i < SIX; i++)
		heads[i + 1] = names[i];
	doc_table(&r->doc, SIX + 1, "lrrrrrr", heads);
	for (size_t j = 0; j < n && j < r->top; j++) {
		char label[48], cells[SIX][16];
		const char *row[SIX + 1];

		if (areas) {
			area_label(items[j].area, label);
		} else {
			char key[SW_KEY_STRLEN];

			sw_key_str(&items[j].key, key);
			snprintf(label, sizeof(label), "%s (%s)", key,
				 sw_kind_names[items[j].key.kind]);
		}
		row[0] = label;
		for (int i = 0; i < SIX; i++) {
			uint64_t v = 0;

			if (!pd[i]) {
				snprintf(cells[i], sizeof(cells[i]), "no data");
			} else {
				if (areas) {
					v = sources ? m[i].area_sources[items[j].area] :
						      m[i].area_accesses[items[j].area];
				} else {
					const struct tally_key *tk =
						tally_find(&m[i], &items[j].key);

					v = tk ? (sources ? tk->sources : tk->accesses) : 0;
				}
				fmt_share(v, totals[i], cells[i]);
			}
			row[i + 1] = cells[i];
		}
		doc_row(&r->doc, row);
	}
	doc_table_end(&r->doc);
	free(items);
	tally_free(&all);
}

static void section_six(struct report *r)
{
	static const char *const heads[] = { "month",	"point-days",	  "accesses",
					     "sources", "accesses a day", "sources a day" };
	struct tally m[SIX];
	unsigned int pd[SIX];
	char names[SIX][8], long_names[SIX][32];
	int y = r->year, mo = r->month;

	add_months(&y, &mo, -(SIX - 1));
	for (int i = 0; i < SIX; i++) {
		tally_init(&m[i]);
		pd[i] = 0;
		snprintf(names[i], sizeof(names[i]), "%04d-%02d", y, mo);
		month_name(y, mo, long_names[i]);
		if (load_month(r, y, mo, &m[i], &pd[i]))
			sw_warn("%s", r->errmsg);
		add_months(&y, &mo, 1);
	}
	doc_heading(&r->doc, 2, "4. Statistics of the last six months");
	caption(r, "Table 3-0: accesses and sources from %s to %s", long_names[0],
		long_names[SIX - 1]);
	doc_table(&r->doc, 6, "lrrrrr", heads);
	for (int i = 0; i < SIX; i++) {
		struct summary_totals s;
		char a[32], b[32], c[32], d[32], e[16];
		const char *row[6] = { names[i], e, a, b, c, d };

		if (!pd[i]) {
			const char *none[6] = { names[i],  "0",	      "no data",
						"no data", "no data", "no data" };

			doc_row(&r->doc, none);
			continue;
		}
		summary_totals(&m[i], &s);
		snprintf(e, sizeof(e), "%u", pd[i]);
		fmt_count(s.accesses, a);
		fmt_count(s.sources, b);
		fmt_count(per_day(s.accesses, pd[i]), c);
		fmt_count(per_day(s.sources, pd[i]), d);
		doc_row(&r->doc, row);
	}
	doc_table_end(&r->doc);
	doc_heading(&r->doc, 3, "(1) Ratio by destination (key)");
	caption(r, "Table 3-1: ratio of accesses by destination, %s to %s (TALOT2's chart 3-1)",
		long_names[0], long_names[SIX - 1]);
	six_share_table(r, m, pd, names, false, false);
	caption(r, "Table 3-2: ratio of sources by destination, %s to %s (TALOT2's chart 3-2)",
		long_names[0], long_names[SIX - 1]);
	six_share_table(r, m, pd, names, false, true);
	doc_heading(&r->doc, 3, "(2) Ratio by source area");
	caption(r, "Table 3-3: ratio of accesses by source area, %s to %s (TALOT2's chart 3-3)",
		long_names[0], long_names[SIX - 1]);
	six_share_table(r, m, pd, names, true, false);
	caption(r, "Table 3-4: ratio of sources by source area, %s to %s (TALOT2's chart 3-4)",
		long_names[0], long_names[SIX - 1]);
	six_share_table(r, m, pd, names, true, true);
	doc_note(&r->doc, "%s The rows are the destinations and areas first over the six months.",
		 ratio_note);
	for (int i = 0; i < SIX; i++)
		tally_free(&m[i]);
}

static void section_explain(struct report *r)
{
	static const char *const heads[] = { "key",	"kind",		  "accesses",
					     "service", "interpretation", "source" };
	const struct tally_key **keys;
	int *areas;
	size_t nareas;

	doc_heading(&r->doc, 2, "5. Supplementary explanations");
	if (!r->cur.nkeys || summary_rank(&r->cur, &keys, &areas, &nareas)) {
		doc_para(&r->doc, "No destination was accessed in %s.", r->cur_name);
		return;
	}
	doc_para(&r->doc,
		 "The destinations accessed most in %s, explained by scanwatch's built-in port "
		 "knowledge base, each with where its facts can be checked.",
		 r->cur_name);
	caption(r, "Table 5-1: the destinations accessed most in %s", r->cur_name);
	doc_table(&r->doc, 6, "llrlll", heads);
	for (size_t i = 0; i < r->cur.nkeys && i < r->top; i++) {
		const struct portkb_entry *e = portkb_find(&keys[i]->key);
		char key[SW_KEY_STRLEN], a[32], text[1024];
		const char *row[6];

		sw_key_str(&keys[i]->key, key);
		if (e && keys[i]->key.kind == SW_KIND_BACKSCATTER && strncmp(key, "icmp", 4))
			snprintf(text, sizeof(text),
				 "Backscatter: answers from this service of hosts whose address a "
				 "flood forged as ours. %s",
				 e->text);
		else
			snprintf(text, sizeof(text), "%s",
				 e ? e->text : "Not in the built-in knowledge base.");
		row[0] = key;
		row[1] = sw_kind_names[keys[i]->key.kind];
		row[2] = fmt_count(keys[i]->accesses, a);
		row[3] = e ? e->service : "";
		row[4] = text;
		row[5] = e ? e->source : "";
		doc_row(&r->doc, row);
	}
	doc_table_end(&r->doc);
	free(keys);
	free(areas);
}

static void section_backscatter(struct report *r)
{
	static const char *const kheads[] = { "key", "accesses", "sources",
					      "share of backscatter" };
	static const char *const vheads[] = { "victim (source)", "packets",
					      "answered from",	 "first seen (UTC)",
					      "last seen (UTC)", "duration" };
	const struct tally_key **ranked;
	struct summary_totals s;
	struct victim_set vs;
	char a[32], b[32], f[16];
	size_t nk = 0, nareas;
	int *areas;

	summary_totals(&r->cur, &s);
	doc_heading(&r->doc, 2, "6. Backscatter and the floods' likely victims");
	doc_para(&r->doc,
		 "Backscatter is what the victims of spoofed floods send back to the addresses "
		 "the attacker forged: SYN+ACK and RST from their services, ICMP echo replies, "
		 "unreachables and time exceeded. In %s, **%s** accesses (%s of all) were "
		 "backscatter, from **%s** sources (gross).",
		 r->cur_name, fmt_count(s.kind_accesses[SW_KIND_BACKSCATTER], a),
		 fmt_share(s.kind_accesses[SW_KIND_BACKSCATTER], s.accesses, f),
		 fmt_count(s.kind_sources[SW_KIND_BACKSCATTER], b));
	if (summary_rank(&r->cur, &ranked, &areas, &nareas))
		return;
	caption(r, "Table 6-1: backscatter by the service that answered, %s", r->cur_name);
	doc_table(&r->doc, 4, "lrrr", kheads);
	for (size_t i = 0; i < r->cur.nkeys; i++) {
		const struct tally_key *k = ranked[i];
		char key[SW_KEY_STRLEN];
		const char *row[4] = { key, a, b, f };

		if (k->key.kind != SW_KIND_BACKSCATTER)
			continue;
		sw_key_str(&k->key, key);
		fmt_count(k->accesses, a);
		fmt_count(k->sources, b);
		fmt_share(k->accesses, s.kind_accesses[SW_KIND_BACKSCATTER], f);
		doc_row(&r->doc, row);
		nk++;
	}
	if (!nk) {
		const char *row[4] = { "none", "0", "0", "-" };

		doc_row(&r->doc, row);
	}
	doc_table_end(&r->doc);
	free(ranked);
	free(areas);

	victims_init(&vs);
	for (size_t i = 0; i < r->npoints; i++)
		if (daysrc_victims(&r->src, &vs, r->points[i], r->first, r->last, r->errmsg,
				   sizeof(r->errmsg)))
			sw_warn("%s", r->errmsg);
	victims_sort(&vs);
	if (!vs.n) {
		doc_para(&r->doc, "No source of backscatter was recorded in %s.", r->cur_name);
	} else {
		doc_para(&r->doc,
			 "The likely victims are the sources of that backscatter: **%s** addresses "
			 "answered, %s shown by packets, with the services that answered and how "
			 "long they did.",
			 fmt_count(vs.n, a), vs.n > VICTIMS_SHOWN ? "the first twenty" : "all");
		caption(r, "Table 6-2: the floods' likely victims, %s", r->cur_name);
		doc_table(&r->doc, 6, "lrllll", vheads);
		for (size_t i = 0; i < vs.n && i < VICTIMS_SHOWN; i++) {
			const struct victim *v = &vs.v[i];
			char keys[128], first[32], last[32], dur[48];
			const char *row[6] = { v->addr, a, keys, first, last, dur };
			size_t o = 0;

			fmt_count(v->packets, a);
			keys[0] = '\0';
			for (unsigned int k = 0; k < v->nkeys; k++)
				o += snprintf(keys + o, sizeof(keys) - o, "%s%s", k ? " " : "",
					      v->keys[k].key);
			if (v->more_keys)
				snprintf(keys + o, sizeof(keys) - o, " +%u", v->more_keys);
			time_ns_str(v->first_ns, first, sizeof(first));
			time_ns_str(v->last_ns, last, sizeof(last));
			duration_str(v->last_ns - v->first_ns, dur, sizeof(dur));
			doc_row(&r->doc, row);
		}
		doc_table_end(&r->doc);
		doc_note(&r->doc,
			 "From the sources of backscatter the sensor records each day; a victim's "
			 "duration is from its first to its last answer seen this month.%s",
			 vs.bad_lines ? " Some lines cut short by a crash were passed over." : "");
	}
	victims_free(&vs);
	chart(r, "kinds-accesses", r->first, r->last, &r->cur, NULL,
	      "Chart 6-1: scan, backscatter and other accesses per day");
}

static void section_fingerprints(struct report *r)
{
	static const char *const heads[] = { "tool", "packets", "share of scan accesses",
					     "keys it scanned most" };
	static const char *const tools[SW_NFPS] = { "Mirai", "ZMap", "masscan" };
	struct summary_totals s;

	summary_totals(&r->cur, &s);
	doc_heading(&r->doc, 2, "7. Scanning tools");
	doc_para(&r->doc,
		 "Scan packets that carry a tool's fingerprint: Mirai's TCP sequence number equal "
		 "to the destination address, ZMap's IP ID 54321, masscan's IP ID derived from "
		 "destination, port and sequence number, as masscan builds it. A packet may carry "
		 "more than one.");
	caption(r, "Table 7-1: packets of each scanning tool in %s", r->cur_name);
	doc_table(&r->doc, 4, "lrrl", heads);
	for (int f = 0; f < SW_NFPS; f++) {
		char a[32], sh[16], top[128] = "";
		const char *row[4] = { tools[f], fmt_count(s.fp[f], a),
				       fmt_share(s.fp[f], s.kind_accesses[SW_KIND_SCAN], sh), top };
		const struct tally_key *best[3] = { NULL, NULL, NULL };
		size_t o = 0;

		for (size_t i = 0; i < r->cur.nkeys; i++) {
			const struct tally_key *k = &r->cur.keys[i];

			if (!k->fp[f])
				continue;
			for (int j = 0; j < 3; j++) {
				if (!best[j] || k->fp[f] > best[j]->fp[f] ||
				    (k->fp[f] == best[j]->fp[f] &&
				     sw_key_cmp(&k->key, &best[j]->key) < 0)) {
					for (int m = 2; m > j; m--)
						best[m] = best[m - 1];
					best[j] = k;
					break;
				}
			}
		}
		for (int j = 0; j < 3 && best[j]; j++) {
			char key[SW_KEY_STRLEN], c[32];

			sw_key_str(&best[j]->key, key);
			o += snprintf(top + o, sizeof(top) - o, "%s%s (%s)", j ? ", " : "", key,
				      fmt_count(best[j]->fp[f], c));
		}
		doc_row(&r->doc, row);
	}
	doc_table_end(&r->doc);
	chart(r, "fingerprints", r->first, r->last, &r->cur, NULL,
	      "Chart 7-1: packets of each scanning tool per day");
}

/* The last day of the month with a summary of the points. */
static int64_t last_day_with_data(struct report *r)
{
	int64_t best = INT64_MIN;

	for (size_t i = 0; i < r->npoints; i++) {
		int64_t f, l;

		if (!daysrc_data_days(&r->src, r->points[i], &f, &l) && l >= r->first) {
			if (l > r->last)
				l = r->last;
			if (l > best)
				best = l;
		}
	}
	return best;
}

static void section_trends(struct report *r)
{
	static const char *const heads[] = { "key",
					     "kind",
					     "accesses",
					     "sources",
					     "accesses, 30-day mean",
					     "sources, 30-day mean",
					     "score" };
	struct trend_score *ts = NULL;
	int64_t day = last_day_with_data(r);
	size_t n = 0;
	char date[11];

	doc_heading(&r->doc, 2, "8. Trends");
	if (day == INT64_MIN)
		return;
	sw_day_format(day, date);
	if (alerts_trend_scores(&r->src, r->npoints == 1 ? r->points[0] : NULL, day, &r->cfg, &ts,
				&n, r->errmsg, sizeof(r->errmsg))) {
		sw_warn("%s", r->errmsg);
		return;
	}
	doc_para(&r->doc,
		 "Each destination's last day of the month (%s) against its mean day over the days "
		 "with data among the 30 before, as SANS ISC ranks ports: the score is the "
		 "geometric mean of the two ratios (accesses + 1) / (mean accesses + 1) and "
		 "(sources + 1) / (mean sources + 1); 1 is a usual day. There is no score without "
		 "a baseline of %u days with data or more. A trend alert is raised when the score "
		 "reaches %g on a day of %" PRIu64 " accesses and %" PRIu64 " sources or more.",
		 date, r->cfg.trend_days, r->cfg.trend_score, r->cfg.trend_min,
		 r->cfg.trend_min_sources);
	if (!n) {
		doc_para(&r->doc,
			 "No score: fewer than %u of the 30 days before %s have a daily summary.",
			 r->cfg.trend_days, date);
		free(ts); /* allocated for the day's keys even when none scores */
		return;
	}
	caption(r, "Table 8-1: trend scores of %s", date);
	doc_table(&r->doc, 7, "llrrrrr", heads);
	for (size_t i = 0; i < n && i < r->top; i++) {
		char key[SW_KEY_STRLEN], a[32], b[32], c[32], d[32], e[32];
		const char *row[7] = { key, sw_kind_names[ts[i].key.kind], a, b, c, d, e };

		sw_key_str(&ts[i].key, key);
		fmt_count(ts[i].accesses, a);
		fmt_count(ts[i].sources, b);
		snprintf(c, sizeof(c), "%.1f", ts[i].mean_accesses);
		snprintf(d, sizeof(d), "%.1f", ts[i].mean_sources);
		snprintf(e, sizeof(e), "%.2f", ts[i].score);
		doc_row(&r->doc, row);
	}
	doc_table_end(&r->doc);
	free(ts);
}

static void section_alerts(struct report *r)
{
	static const char *const heads[] = {
		"kind", "point", "key", "kind of key", "when", "what"
	};
	struct alert_list l = { 0 };
	unsigned int keycharts = 0;
	int err;

	doc_heading(&r->doc, 2, "9. Alerts of %s", r->cur_name);
	err = alerts_collect(&r->src, r->points, r->npoints, !r->chosen && r->npoints > 1, r->first,
			     r->last, &r->cfg, &l, r->errmsg, sizeof(r->errmsg));
	if (err)
		sw_warn("alerts: %s", r->errmsg);
	doc_para(
		&r->doc,
		"Surges are destinations whose accesses a day rose by +%g %% or more (with %" PRIu64
		" accesses or more) on the month or the ISO week before; trends are defined in "
		"section 8; Holt-Winters failures are where the RRD files' forecast (a band of "
		"two deviations around the prediction) failed 7 times in 9 steps. `scanwatch "
		"alerts` lists them for any period.",
		r->cfg.surge_pct, r->cfg.surge_min);
	if (!l.n) {
		doc_para(&r->doc, "No alert in %s.", r->cur_name);
		alert_list_free(&l);
		return;
	}
	caption(r, "Table 9-1: the alerts of %s", r->cur_name);
	doc_table(&r->doc, 6, "llllll", heads);
	for (size_t i = 0; i < l.n; i++) {
		const struct alert *a = &l.v[i];
		char when[64], what[768];
		const char *row[6] = { alert_kind_names[a->kind],
				       a->point[0] ? a->point : "all",
				       a->key,
				       sw_kind_names[a->key_kind],
				       when,
				       what };

		if (!strcmp(a->from, a->to))
			snprintf(when, sizeof(when), "%s", a->from);
		else
			snprintf(when, sizeof(when), "%s to %s", a->from, a->to);
		alert_describe(a, what, sizeof(what));
		doc_row(&r->doc, row);
	}
	doc_table_end(&r->doc);
	/* ISDAS's view of a surging port: the key over two months, with its forecast band. */
	for (size_t i = 0; i < l.n && keycharts < KEY_CHARTS_MAX; i++) {
		const struct alert *a = &l.v[i];
		char caption[256];
		int py = r->year, pm = r->month;
		int64_t pf, plast;

		if (a->kind != ALERT_SURGE_MONTH || !a->point[0])
			continue;
		add_months(&py, &pm, -1);
		sw_month_days(py, pm, &pf, &plast);
		snprintf(caption, sizeof(caption),
			 "Chart 9-%u: %s (%s) at %s per day, %s and %s, with its Holt-Winters "
			 "failures",
			 keycharts + 1, a->key, sw_kind_names[a->key_kind], a->point, r->prev_name,
			 r->cur_name);
		chart(r, "key", pf, r->last, NULL, a, caption);
		keycharts++;
	}
	alert_list_free(&l);
}

static void section_points(struct report *r)
{
	static const char *const heads[] = { "key", "kind", "accesses", "sources" };

	if (r->npoints < 2)
		return;
	doc_heading(&r->doc, 2, "10. Monitoring points");
	for (size_t p = 0; p < r->npoints; p++) {
		const struct tally_key **keys;
		struct summary_totals s;
		struct tally t;
		unsigned int nd;
		int *areas;
		size_t nareas;
		char a[32], b[32], c[32], d[32];

		tally_init(&t);
		if (summary_load(&r->src, r->points[p], r->first, r->last, &t, &nd, r->errmsg,
				 sizeof(r->errmsg)) ||
		    summary_rank(&t, &keys, &areas, &nareas)) {
			tally_free(&t);
			continue;
		}
		summary_totals(&t, &s);
		doc_heading(&r->doc, 3, "%s", r->points[p]);
		doc_para(&r->doc,
			 "**%s** accesses from **%s** sources over %u days with data: %s accesses "
			 "from %s sources per day.",
			 fmt_count(s.accesses, a), fmt_count(s.sources, b), nd,
			 fmt_count(per_day(s.accesses, nd), c),
			 fmt_count(per_day(s.sources, nd), d));
		if (t.nkeys) {
			caption(r, "Table 10-%zu: the top destinations of %s", p + 1, r->points[p]);
			doc_table(&r->doc, 4, "llrr", heads);
			for (size_t i = 0; i < t.nkeys && i < 5; i++) {
				char key[SW_KEY_STRLEN];
				const char *row[4] = { key, sw_kind_names[keys[i]->key.kind],
						       fmt_count(keys[i]->accesses, a),
						       fmt_count(keys[i]->sources, b) };

				sw_key_str(&keys[i]->key, key);
				doc_row(&r->doc, row);
			}
			doc_table_end(&r->doc);
		}
		free(keys);
		free(areas);
		tally_free(&t);
	}
}

static int write_report(struct report *r)
{
	char title[128], list[1024];
	size_t o = 0;
	int err;

	snprintf(title, sizeof(title), "Report from the Internet monitoring: %s", r->cur_name);
	err = doc_open(&r->doc, r->out_dir, "report", title);
	if (err) {
		snprintf(r->errmsg, sizeof(r->errmsg), "cannot write the report in %s: %s",
			 r->out_dir, strerror(-err));
		return err;
	}
	list[0] = '\0';
	for (size_t i = 0; i < r->npoints && o < sizeof(list) - 40; i++)
		o += snprintf(list + o, sizeof(list) - o, "%s`%s`", i ? ", " : "", r->points[i]);
	doc_para(&r->doc,
		 "Monitoring points: %s. Days are those of the daily summaries (the sensors' "
		 "`--tz`); times are UTC. Made by scanwatch " SW_VERSION
		 " from the exact daily summaries, its charts too: a chart's legend gives the "
		 "same figures as the tables.",
		 list);
	section_summary(r);
	section_compare(r);
	section_month(r);
	section_six(r);
	section_explain(r);
	section_backscatter(r);
	section_fingerprints(r);
	section_trends(r);
	section_alerts(r);
	section_points(r);
	err = doc_close(&r->doc);
	if (err)
		snprintf(r->errmsg, sizeof(r->errmsg), "cannot write the report in %s: %s",
			 r->out_dir, strerror(-err));
	return err;
}

static void report_help(void)
{
	printf("Usage: scanwatch report (--data-dir DIR | --db URL) --month YYYY-MM --out DIR "
	       "[options]\n"
	       "\n"
	       "Write the monthly report, shaped like IPA's TALOT2 report, as OUT/report.md and\n"
	       "OUT/report.html with its charts (PNG) beside them: headline figures, the month\n"
	       "against the previous one by destination, daily charts and ratio tables by\n"
	       "destination and source area, six months of statistics, explanations of the top\n"
	       "destinations, backscatter and its likely victims, scanning tools, trends and the\n"
	       "month's alerts. Figures are exact sums of the daily summaries, in the tables\n"
	       "and in the charts' legends alike; every key and area has one colour of its own\n"
	       "in every chart of the report.\n"
	       "\n"
	       "  -d, --data-dir DIR       the data directory 'run' or 'replay' wrote\n"
	       "      --db URL             or the central database the sensors add to (charts\n"
	       "                           then through --rrdcached HOST:PORT)\n"
	       "  -m, --month YYYY-MM      the month to report\n"
	       "  -o, --out DIR            where report.md, report.html and the charts go\n"
	       "  -p, --point NAME         this point only (repeatable; default: every point)\n"
	       "  -n, --top N              rows of the ranked tables (1-%d, default 10)\n"
	       "  -r, --rrdcached ADDR     read the RRD files through rrdcached\n"
	       "      --width PX           chart plot width (default 700)\n"
	       "      --height PX          chart plot height (default 200)\n"
	       "      --svg                each chart as SVG too, beside its PNG\n",
	       CHART_TOP_MAX);
	fputs(ALERT_CFG_HELP, stdout);
	printf("  -q, --quiet              no progress line on a terminal\n"
	       "  -v, --verbose            debug output\n"
	       "\n"
	       "Example:\n"
	       "  scanwatch report --data-dir /var/lib/scanwatch --month 2009-10 --out "
	       "/var/www/2009-10\n");
}

static int parse_args(struct report *r, struct alert_engine *thresholds, const char **daemon,
		      bool *have_month, int argc, char **argv)
{
	enum { O_WIDTH = 256, O_HEIGHT, O_SVG, O_DB };
	static const struct option opts[] = { { "data-dir", required_argument, NULL, 'd' },
					      { "db", required_argument, NULL, O_DB },
					      { "month", required_argument, NULL, 'm' },
					      { "out", required_argument, NULL, 'o' },
					      { "point", required_argument, NULL, 'p' },
					      { "top", required_argument, NULL, 'n' },
					      { "rrdcached", required_argument, NULL, 'r' },
					      { "width", required_argument, NULL, O_WIDTH },
					      { "height", required_argument, NULL, O_HEIGHT },
					      { "svg", no_argument, NULL, O_SVG },
					      ALERT_CFG_OPTIONS,
					      { "quiet", no_argument, NULL, 'q' },
					      { "verbose", no_argument, NULL, 'v' },
					      { "help", no_argument, NULL, 'h' },
					      {} };
	int opt;

	while ((opt = getopt_long(argc, argv, "d:m:o:p:n:r:qvh", opts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			r->data_dir = optarg;
			break;
		case O_DB:
			r->db_url = optarg;
			break;
		case 'm':
			if (sw_month_parse(optarg, &r->year, &r->month))
				return usage_error("report", "--month takes YYYY-MM, not '%s'",
						   optarg);
			*have_month = true;
			break;
		case 'o':
			r->out_dir = optarg;
			break;
		case 'p':
			if (!point_name_ok(optarg))
				return usage_error("report", "bad point name '%s'", optarg);
			if (r->npoints == MAX_POINTS)
				return usage_error("report", "at most %d points", MAX_POINTS);
			snprintf(r->points[r->npoints++], SW_POINT_LEN, "%s", optarg);
			r->chosen = true;
			break;
		case 'n':
			if (parse_uint(optarg, 1, CHART_TOP_MAX, &r->top))
				return usage_error("report", "--top takes 1 to %d", CHART_TOP_MAX);
			break;
		case 'r':
			*daemon = optarg;
			break;
		case O_WIDTH:
			if (parse_uint(optarg, 200, 4000, &r->width))
				return usage_error("report", "--width takes 200 to 4000");
			break;
		case O_HEIGHT:
			if (parse_uint(optarg, 100, 2000, &r->height))
				return usage_error("report", "--height takes 100 to 2000");
			break;
		case O_SVG:
			r->svg = true;
			break;
		case 'q':
			r->quiet = true;
			break;
		case ALERT_OPT_SURGE_PCT:
		case ALERT_OPT_SURGE_MIN:
		case ALERT_OPT_TREND_SCORE:
		case ALERT_OPT_TREND_MIN:
		case ALERT_OPT_TREND_DAYS:
		case ALERT_OPT_TREND_MIN_SOURCES:
			if (alert_cli_option(thresholds, opt, optarg, "report"))
				return SW_EXIT_USAGE;
			break;
		case 'v':
			sw_log_set_level(SW_LOG_DEBUG);
			break;
		case 'h':
			report_help();
			return SW_HELP_SHOWN;
		default:
			return option_error("report", opts, argv);
		}
	}
	if (optind < argc)
		return usage_error("report", "unexpected argument '%s'", argv[optind]);
	if (daysrc_usage("report", r->data_dir, r->db_url))
		return SW_EXIT_USAGE;
	if (!*have_month || !r->out_dir)
		return usage_error("report", "%s is required", !*have_month ? "--month" : "--out");
	return 0;
}

/*
 * The month's keys and areas take their colours first, most accessed first, so that the
 * colours a reader knows (tcp/445's blue) go to the series that matter; the charts add the rest.
 */
static void seed_colours(struct report *r)
{
	chart_colours_add(&r->colours, "other");
	for (int m = 0; m < 2; m++) {
		struct chart_rank *k = NULL, *a = NULL;
		size_t nk = 0, na = 0;

		if (!chart_rank_keys(&r->cur, m ? CHART_SOURCES : CHART_ACCESSES, &k, &nk))
			for (size_t i = 0; i < nk && i < r->top; i++) {
				char name[24];

				chart_key_str(&k[i].key, name, sizeof(name));
				chart_colours_add(&r->colours, name);
			}
		if (!chart_rank_areas(&r->cur, m ? CHART_SOURCES : CHART_ACCESSES, &a, &na))
			for (size_t i = 0; i < na && i < r->top; i++) {
				char cc[3];

				sw_area_name(a[i].area, cc);
				chart_colours_add(&r->colours, cc);
			}
		free(k);
		free(a);
	}
}

int cmd_report(int argc, char **argv)
{
	static char points[MAX_POINTS][SW_POINT_LEN], env_daemon[512];
	struct report *r = calloc(1, sizeof(*r));
	struct alert_engine thresholds;
	const char *daemon = NULL;
	bool have_month = false;
	struct stat st;
	int err, py, pm, ret = SW_EXIT_FAIL;

	if (!r)
		return SW_EXIT_FAIL;
	alert_engine_init(&thresholds);
	r->points = points;
	r->top = CHART_TOP_DEFAULT;
	r->width = 700;
	r->height = 200;
	err = parse_args(r, &thresholds, &daemon, &have_month, argc, argv);
	if (err) {
		ret = err == SW_HELP_SHOWN ? 0 : err;
		goto out;
	}
	ret = SW_EXIT_USAGE;
	if (r->data_dir && (stat(r->data_dir, &st) || !S_ISDIR(st.st_mode))) {
		usage_error("report", "data directory '%s' does not exist", r->data_dir);
		goto out;
	}
	ret = daysrc_open(&r->src, &r->db, r->data_dir, r->db_url, "report");
	if (ret)
		goto out;
	ret = SW_EXIT_USAGE;
	for (size_t i = 0; i < r->npoints; i++) {
		if (!daysrc_has_point(&r->src, points[i])) {
			usage_error("report", "no point '%s' in %s", points[i],
				    daysrc_name(&r->src));
			goto out;
		}
	}
	if (!r->npoints) {
		err = daysrc_points(&r->src, points, MAX_POINTS, &r->npoints);
		if (err == -E2BIG) {
			usage_error("report", "more than %d points: pick some with --point",
				    MAX_POINTS);
			goto out;
		}
		if (err || !r->npoints) {
			usage_error("report", "no point in %s", daysrc_name(&r->src));
			goto out;
		}
	}
	r->cfg = thresholds.cfg;
	sw_month_days(r->year, r->month, &r->first, &r->last);
	month_name(r->year, r->month, r->cur_name);
	py = r->year;
	pm = r->month;
	add_months(&py, &pm, -1);
	month_name(py, pm, r->prev_name);
	snprintf(r->prev_short, sizeof(r->prev_short), "%04d-%02d", py, pm);
	tally_init(&r->cur);
	tally_init(&r->prev);
	/* Summaries that do not parse are bad input: said before anything is written. */
	if (load_month(r, r->year, r->month, &r->cur, &r->pd_cur) ||
	    load_month(r, py, pm, &r->prev, &r->pd_prev)) {
		sw_err("%s", r->errmsg);
		goto out_tally;
	}
	if (!r->pd_cur)
		sw_warn("no daily summary of %s in %s", r->cur_name, daysrc_name(&r->src));
	ret = SW_EXIT_FAIL;
	/* Made, then opened without following a link there, as every file in it is (safe_file.h). */
	err = sf_dir(AT_FDCWD, r->out_dir, SW_MODE_PUB_DIR);
	if (err < 0) {
		sw_err("%s: %s", r->out_dir, sf_strerror(err));
		goto out_tally;
	}
	close(err);
	/* librrd would send the charts' own series to $RRDCACHED_ADDRESS: it is --rrdcached. */
	if (!daemon && getenv("RRDCACHED_ADDRESS") && *getenv("RRDCACHED_ADDRESS")) {
		snprintf(env_daemon, sizeof(env_daemon), "%s", getenv("RRDCACHED_ADDRESS"));
		daemon = env_daemon;
	}
	unsetenv("RRDCACHED_ADDRESS");
	/* rrdgraph labels its axes in local time; the charts' days are UTC days. */
	if (use_time_zone("UTC"))
		goto out_tally;
	if (rrdio_open(&r->io, daemon)) {
		sw_err("%s", r->io.errmsg);
		goto out_tally;
	}
	seed_colours(r);
	progress_init(&r->progress, "report", r->quiet);
	err = write_report(r);
	progress_done(&r->progress);
	rrdio_close(&r->io);
	if (err) {
		sw_err("%s", r->errmsg);
		goto out_tally;
	}
	printf("%s/report.md\n%s/report.html\n", r->out_dir, r->out_dir);
	if (r->failed)
		sw_warn("%u of %u charts could not be drawn (the report says why)", r->failed,
			r->failed + r->drawn);
	ret = 0;
out_tally:
	chart_colours_free(&r->colours);
	tally_free(&r->cur);
	tally_free(&r->prev);
out:
	daysrc_close(&r->src);
	alert_engine_close(&thresholds);
	free(r);
	return ret;
}
