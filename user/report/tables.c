// SPDX-License-Identifier: GPL-2.0-only
/*
 * The report's first section: the month's summary (each point, kinds, per watched address, peak
 * rates, the month before, research scanners).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "dates.h"
#include "keyfmt.h"
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
static void per_address_table(struct report *r, const struct report_figures *f)
{
	static const char *const heads[] = { "point", "watched addresses", "address-days",
					     "accesses a day per address",
					     "sources a day per address" };
	const struct summary_totals *s = &f->cur->totals;

	if (!f->watch.known_days) {
		doc_para(&r->doc,
			 "Per watched address: n/a, since no point was run with --watch in %s: "
			 "each counted every address that traffic arrived at.",
			 f->cur->name);
		return;
	}
	report_caption(r, "Table 1-3: accesses and sources per watched address and per day in %s",
		       f->cur->name);
	doc_table(&r->doc, 5, "lrrrr", heads);
	for (size_t i = 0; i < f->npoints; i++) {
		const struct report_point *p = &f->point[i];

		per_address_row(r, f->points[i], &p->watch, p->totals.accesses, p->totals.sources);
	}
	if (f->npoints > 1)
		per_address_row(r, "**all points**", &f->watch, s->accesses, s->sources);
	doc_table_end(&r->doc);
	doc_note(&r->doc,
		 "Per watched address and per day: accesses (sources) divided by the address-days, "
		 "the addresses each point watched (--watch, an address in two prefixes counted "
		 "once) added up over its days with data; a day whose set changed counts its "
		 "largest. n/a: a day was counted without --watch (every address that traffic "
		 "arrived at) or by an older scanwatch.");
}

/*
 * The busiest second of each point beside its mean over the month's days with data: a flood of
 * a few seconds that the month's (or an interval's) average hides.
 */
static void peak_table(struct report *r, const struct report_figures *f)
{
	static const char *const heads[] = { "point", "peak accesses in one second",
					     "that second (UTC)", "mean accesses a second" };
	const struct summary_totals *all = &f->cur->totals;
	char a[32], when[SW_UTC_LEN], mean[32];

	if (!all->peak) {
		doc_para(&r->doc,
			 "No daily summary of %s records its busiest second (summaries of an older "
			 "scanwatch, or of the database, do not).",
			 f->cur->name);
		return;
	}
	sw_utc_second(all->peak_s, when);
	doc_para(&r->doc,
		 "The busiest second of %s: **%s** accesses in one second at one monitoring point, "
		 "at %s. The peak is the most accesses a point counted in any one second; the "
		 "mean spreads the point's month over every second of its days with data.",
		 f->cur->name, fmt_count(all->peak, a), when);
	report_caption(r, "Table 1-4: the busiest second of each monitoring point in %s",
		       f->cur->name);
	doc_table(&r->doc, 4, "lrlr", heads);
	for (size_t i = 0; i < f->npoints; i++) {
		const struct report_point *p = &f->point[i];
		const char *row[4] = { f->points[i], "-", "-", "-" };

		if (!p->loaded || !p->days)
			continue;
		if (p->totals.peak) {
			sw_utc_second(p->totals.peak_s, when);
			row[1] = fmt_count(p->totals.peak, a);
			row[2] = when;
		}
		snprintf(mean, sizeof(mean), "%.2f",
			 (double)p->totals.accesses / ((double)p->days * SW_DAY_S));
		row[3] = mean;
		doc_row(&r->doc, row);
	}
	doc_table_end(&r->doc);
}

/* The research group (run --research), apart: none of the report's other figures has it. */
static void section_research(struct report *r, const struct report_figures *f)
{
	const struct summary_totals *s = &f->cur->research, *ps = &f->prev->research;
	bool prev = f->prev->point_days;
	char a[32], b[32], c[32], d[32];

	if (!tally_has_research(&f->cur->t) && !tally_has_research(&f->prev->t))
		return;
	doc_heading(&r->doc, 3, "Research scanners");
	doc_para(&r->doc,
		 "The sources of the research list (projects that scan the whole Internet and "
		 "publish what they find; `scanwatch run --research`) are counted apart, in none "
		 "of this report's other figures: **%s** accesses from **%s** sources (gross) in "
		 "%s%s%s%s%s%s.",
		 fmt_count(s->accesses, a), fmt_count(s->sources, b), f->cur->name,
		 prev ? ", against " : "", prev ? fmt_count(ps->accesses, c) : "",
		 prev ? " from " : "", prev ? fmt_count(ps->sources, d) : "",
		 prev ? " in the month before" : "");
	if (!tally_has_research(&f->cur->t) || !f->research_rank.ok)
		return;
	report_caption(r, "Table 1-5: the research scanners' top destinations in %s", f->cur->name);
	report_top_keys(r, f->research_rank.keys, f->cur->t.research->nkeys, REPORT_POINT_TOP);
}

/* Table 1-1: each point's month, and all of them. */
static void points_table(struct report *r, const struct report_figures *f)
{
	static const char *const heads[] = { "point",	"days with data", "accesses",
					     "sources", "accesses a day", "sources a day" };

	report_caption(r, "Table 1-1: accesses and sources of each monitoring point in %s",
		       f->cur->name);
	doc_table(&r->doc, 6, "lrrrrr", heads);
	for (size_t i = 0; i < f->npoints; i++)
		if (f->point[i].loaded)
			report_days_row(r, f->points[i], f->point[i].days, &f->point[i].totals);
	if (f->npoints > 1)
		report_days_row(r, "**all points**", f->cur->point_days, &f->cur->totals);
	doc_table_end(&r->doc);
}

/* Table 1-2: the month by kind. */
static void kinds_table(struct report *r, const struct report_figures *f)
{
	static const char *const heads[] = { "kind", "accesses", "share", "sources", "share" };
	const struct summary_totals *s = &f->cur->totals;
	char a[32], b[32], fa[16], fs[16];

	report_caption(r, "Table 1-2: accesses and sources by kind in %s", f->cur->name);
	doc_table(&r->doc, 5, "lrrrr", heads);
	for (int k = 0; k < SW_NKINDS; k++) {
		const char *row[5] = { sw_kind_names[k], fmt_count(s->kind_accesses[k], a),
				       fmt_share(s->kind_accesses[k], s->accesses, fa),
				       fmt_count(s->kind_sources[k], b),
				       fmt_share(s->kind_sources[k], s->sources, fs) };

		doc_row(&r->doc, row);
	}
	doc_table_end(&r->doc);
}

/* A change of a mean per point-day, in %; NaN when there was none before. */
static double change(uint64_t cur, unsigned int pd_cur, uint64_t prev, unsigned int pd_prev)
{
	return prev ? ((double)cur / pd_cur) / ((double)prev / pd_prev) * 100.0 - 100.0 : NAN;
}

static void against_prev(struct report *r, const struct report_figures *f)
{
	const struct report_month *m = f->cur, *p = f->prev;
	char a[32], b[32];

	if (!p->point_days) {
		doc_para(&r->doc, "%s has no daily summary to compare with.", p->name);
		return;
	}
	doc_para(&r->doc,
		 "Against %s (%s accesses from %s sources per point per day), accesses per "
		 "point per day changed by **%+.1f %%** and sources by **%+.1f %%**.",
		 p->name, fmt_count(per_day(p->totals.accesses, p->point_days), a),
		 fmt_count(per_day(p->totals.sources, p->point_days), b),
		 change(m->totals.accesses, m->point_days, p->totals.accesses, p->point_days),
		 change(m->totals.sources, m->point_days, p->totals.sources, p->point_days));
}

void report_section_summary(struct report *r, const struct report_figures *f)
{
	const struct report_month *m = f->cur;
	char a[32], b[32], c[32], d[32];

	doc_heading(&r->doc, 2, "1. Summary");
	if (!m->point_days) {
		doc_para(&r->doc, "No daily summary of %s in %s: nothing to report.", m->name,
			 f->src_name);
		return;
	}
	doc_para(&r->doc,
		 "In %s, unwanted (one-sided) access totalled **%s** for the %zu monitoring "
		 "point%s and the gross number of sources (\\*) was **%s**: one monitoring point "
		 "received **%s** accesses from **%s** sources per day.",
		 m->name, fmt_count(m->totals.accesses, a), f->npoints, f->npoints == 1 ? "" : "s",
		 fmt_count(m->totals.sources, b),
		 fmt_count(per_day(m->totals.accesses, m->point_days), c),
		 fmt_count(per_day(m->totals.sources, m->point_days), d));
	doc_note(
		&r->doc,
		"(\\*) Gross number of sources: a source is counted once per day, per monitoring point "
		"and per destination (key), and the month's figure is the sum of its days. Per day "
		"means per point and per day with data (%u point-days this month), rounded.",
		m->point_days);
	points_table(r, f);
	kinds_table(r, f);
	per_address_table(r, f);
	peak_table(r, f);
	against_prev(r, f);
	report_chart_six(r, f, "points-accesses",
			 "Chart 1-1a: accesses per monitoring point per day, the last six months");
	report_chart_six(r, f, "points-sources",
			 "Chart 1-1b: sources per monitoring point per day, the last six months");
	section_research(r, f);
}
