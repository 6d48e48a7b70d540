// SPDX-License-Identifier: GPL-2.0-only
/*
 * The report's first sections: the month's summary (kinds, per watched address, peak
 * rates, research scanners), the comparison with the month before, and the six months.
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
#include "report_int.h"

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
	report_caption(r, "Table 1-3: accesses and sources per watched address and per day in %s",
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
	report_caption(r, "Table 1-4: the busiest second of each monitoring point in %s",
		       r->cur_name);
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
	report_caption(r, "Table 1-5: the research scanners' top destinations in %s", r->cur_name);
	report_top_keys(r, keys, r->cur.research->nkeys, 5);
	free(keys);
	free(areas);
}

void report_section_summary(struct report *r)
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
	report_caption(r, "Table 1-1: accesses and sources of each monitoring point in %s",
		       r->cur_name);
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

	report_caption(r, "Table 1-2: accesses and sources by kind in %s", r->cur_name);
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
	report_add_months(&y0, &m0, -(SIX - 1));
	sw_month_days(y0, m0, &first6, &l);
	report_chart(r, "points-accesses", first6, r->last, NULL, NULL,
		     "Chart 1-1a: accesses per monitoring point per day, the last six months");
	report_chart(r, "points-sources", first6, r->last, NULL, NULL,
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

void report_section_compare(struct report *r)
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
	report_caption(r, "Table 2-1: accesses by destination, %s and %s (TALOT2's chart 1-2)",
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

			report_area_label((int)x, cc);
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

void report_section_month(struct report *r)
{
	doc_heading(&r->doc, 2, "3. Unwanted access in %s", r->cur_name);
	doc_heading(&r->doc, 3, "(1) By destination (key)");
	report_chart(r, "keys-accesses", r->first, r->last, &r->cur, NULL,
		     "Chart 2-1: accesses per day by destination");
	report_chart(r, "keys-sources", r->first, r->last, &r->cur, NULL,
		     "Chart 2-2: sources per day by destination");
	doc_heading(&r->doc, 3, "(2) Ratio by destination (key)");
	report_caption(r, "Table 2-3: ratio of accesses by destination in %s (TALOT2's chart 2-3)",
		       r->cur_name);
	ratio_table(r, false, false);
	report_caption(r, "Table 2-4: ratio of sources by destination in %s (TALOT2's chart 2-4)",
		       r->cur_name);
	ratio_table(r, false, true);
	doc_note(&r->doc, "%s", ratio_note);
	report_chart(r, "keys-share-accesses", r->first, r->last, &r->cur, NULL,
		     "Chart 2-3: share of each destination in the day's accesses");
	doc_heading(&r->doc, 3, "(3) By source area");
	report_chart(r, "areas-accesses", r->first, r->last, &r->cur, NULL,
		     "Chart 2-5: accesses per day by source area");
	report_caption(r, "Table 2-6: ratio of accesses by source area in %s (TALOT2's chart 2-6)",
		       r->cur_name);
	ratio_table(r, true, false);
	report_chart(r, "areas-sources", r->first, r->last, &r->cur, NULL,
		     "Chart 2-7: sources per day by source area");
	report_caption(r, "Table 2-8: ratio of sources by source area in %s (TALOT2's chart 2-8)",
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
			report_area_label(items[j].area, label);
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

void report_section_six(struct report *r)
{
	static const char *const heads[] = { "month",	"point-days",	  "accesses",
					     "sources", "accesses a day", "sources a day" };
	struct tally m[SIX];
	unsigned int pd[SIX];
	char names[SIX][8], long_names[SIX][32];
	int y = r->year, mo = r->month;

	report_add_months(&y, &mo, -(SIX - 1));
	for (int i = 0; i < SIX; i++) {
		tally_init(&m[i]);
		pd[i] = 0;
		snprintf(names[i], sizeof(names[i]), "%04d-%02d", y, mo);
		report_month_name(y, mo, long_names[i]);
		if (report_load_month(r, y, mo, &m[i], &pd[i]))
			sw_warn("%s", r->errmsg);
		report_add_months(&y, &mo, 1);
	}
	doc_heading(&r->doc, 2, "4. Statistics of the last six months");
	report_caption(r, "Table 3-0: accesses and sources from %s to %s", long_names[0],
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
	report_caption(r,
		       "Table 3-1: ratio of accesses by destination, %s to %s (TALOT2's chart 3-1)",
		       long_names[0], long_names[SIX - 1]);
	six_share_table(r, m, pd, names, false, false);
	report_caption(r,
		       "Table 3-2: ratio of sources by destination, %s to %s (TALOT2's chart 3-2)",
		       long_names[0], long_names[SIX - 1]);
	six_share_table(r, m, pd, names, false, true);
	doc_heading(&r->doc, 3, "(2) Ratio by source area");
	report_caption(r,
		       "Table 3-3: ratio of accesses by source area, %s to %s (TALOT2's chart 3-3)",
		       long_names[0], long_names[SIX - 1]);
	six_share_table(r, m, pd, names, true, false);
	report_caption(r,
		       "Table 3-4: ratio of sources by source area, %s to %s (TALOT2's chart 3-4)",
		       long_names[0], long_names[SIX - 1]);
	six_share_table(r, m, pd, names, true, true);
	doc_note(&r->doc, "%s The rows are the destinations and areas first over the six months.",
		 ratio_note);
	for (int i = 0; i < SIX; i++)
		tally_free(&m[i]);
}
