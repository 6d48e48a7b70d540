// SPDX-License-Identifier: GPL-2.0-only
/*
 * The report's sections on destinations and areas: the month against the one before, the
 * month's shares with its charts, and the shares over the last six months.
 */
#include <stdio.h>

#include "keyfmt.h"
#include "report_int.h"

static void compare_table(struct report *r, const struct report_figures *f)
{
	const struct report_month *m = f->cur, *p = f->prev;
	const struct report_compare *cmp = &f->compare;
	char h2[48], h3[48], h4[48], h5[48];
	const char *heads[7] = { "key", "kind", h2, h3, h4, h5, "change" };

	snprintf(h2, sizeof(h2), "%s accesses", p->short_name);
	snprintf(h3, sizeof(h3), "%s accesses", m->short_name);
	snprintf(h4, sizeof(h4), "%s a day", p->short_name);
	snprintf(h5, sizeof(h5), "%s a day", m->short_name);
	doc_table(&r->doc, 7, "llrrrrr", heads);
	for (size_t i = 0; i < cmp->n; i++) {
		const struct report_cmp_row *row = &cmp->rows[i];
		char key[SW_KEY_STRLEN], a[32], b[32], c[32], d[32], ch[32];
		double vc = (double)row->cur / m->point_days,
		       vp = (double)row->prev / p->point_days;
		const char *cells[7] = { key, sw_kind_names[row->key.kind], a, b, c, d, ch };

		sw_key_str(&row->key, key);
		fmt_count(row->prev, a);
		fmt_count(row->cur, b);
		snprintf(c, sizeof(c), "%.1f", vp);
		snprintf(d, sizeof(d), "%.1f", vc);
		if (!row->prev)
			snprintf(ch, sizeof(ch), "new");
		else
			snprintf(ch, sizeof(ch), "%+.1f %%", (vc - vp) / vp * 100.0);
		doc_row(&r->doc, cells);
	}
	doc_table_end(&r->doc);
}

/* A sentence for each key of the table that rose by the surge threshold, or that none did. */
static void risen(struct report *r, const struct report_figures *f)
{
	const struct report_compare *cmp = &f->compare;
	size_t n = 0;

	for (size_t i = 0; i < cmp->n; i++) {
		const struct report_cmp_row *row = &cmp->rows[i];
		double vc = (double)row->cur / f->cur->point_days;
		double vp = (double)row->prev / f->prev->point_days;
		char key[SW_KEY_STRLEN];

		if (!row->rose)
			continue;
		sw_key_str(&row->key, key);
		if (row->prev)
			doc_para(
				&r->doc,
				"Accesses to **%s** (%s) rose **%+.1f %%** a day from %s, over the "
				"alert threshold of +%g %%.",
				key, sw_kind_names[row->key.kind], (vc - vp) / vp * 100.0,
				f->prev->name, f->cfg.surge_pct);
		else
			doc_para(&r->doc, "**%s** (%s) is new this month: %.1f accesses a day.",
				 key, sw_kind_names[row->key.kind], vc);
		n++;
	}
	if (!n)
		doc_para(&r->doc, "No destination rose by the alert threshold of +%g %%.",
			 f->cfg.surge_pct);
}

void report_section_compare(struct report *r, const struct report_figures *f)
{
	const struct report_month *m = f->cur, *p = f->prev;

	doc_heading(&r->doc, 2, "2. %s against %s, by destination", m->name, p->name);
	if (!m->point_days || !p->point_days) {
		doc_para(&r->doc, "%s has no daily summary to compare with.",
			 m->point_days ? p->name : m->name);
		return;
	}
	if (!f->compare.ok)
		return;
	doc_para(&r->doc,
		 "The month's top %u destinations and the previous month's, by accesses. A day "
		 "means a day of one monitoring point (%u point-days in %s, %u in %s): the change "
		 "compares these daily means, so months of different lengths compare fairly.",
		 f->top, m->point_days, m->name, p->point_days, p->name);
	report_caption(r, "Table 2-1: accesses by destination, %s and %s (TALOT2's chart 1-2)",
		       p->name, m->name);
	compare_table(r, f);
	risen(r, f);
}

static const char ratio_note[] =
	"Ratios are rounded to 0.1 % (half up), so that their total may not make 100 % exactly.";

/* A ratio table's row: rank, the key (and its kind) or the area, the figure and its share. */
static void ratio_row(struct report *r, bool areas, const char *rank, const char *label,
		      const char *kind, uint64_t v, uint64_t total)
{
	char a[32], f[16];
	const char *krow[5] = { rank, label, kind, fmt_count(v, a), fmt_share(v, total, f) };
	const char *arow[4] = { rank, label, a, f };

	doc_row(&r->doc, areas ? arow : krow);
}

/* The share of each of the top keys (or areas) in the month's accesses (or sources). */
static void ratio_table(struct report *r, const struct report_figures *f, bool areas, bool sources)
{
	static const char *const kh[] = { "rank", "key", "kind", "accesses", "share" };
	static const char *const ksh[] = { "rank", "key", "kind", "sources", "share" };
	static const char *const ah[] = { "rank", "area", "accesses", "share" };
	static const char *const ash[] = { "rank", "area", "sources", "share" };
	const struct report_ratio *t = &f->ratio[areas][sources];
	char a[32], rank[16], other[48];

	if (!t->ok)
		return;
	doc_table(&r->doc, areas ? 4 : 5, areas ? "rlrr" : "rllrr",
		  areas ? (sources ? ash : ah) : (sources ? ksh : kh));
	for (size_t i = 0; i < t->nrows; i++) {
		const struct report_ratio_row *row = &t->rows[i];
		char label[SW_KEY_STRLEN];

		snprintf(rank, sizeof(rank), "%zu", i + 1);
		if (areas)
			report_area_label(row->area, label);
		else
			sw_key_str(&row->key, label);
		ratio_row(r, areas, rank, label, sw_kind_names[row->key.kind], row->value,
			  t->total);
	}
	if (t->nitems > t->nrows) {
		snprintf(other, sizeof(other), "other (%zu)", t->nitems - t->nrows);
		ratio_row(r, areas, "", other, "", t->total - t->shown, t->total);
	}
	fmt_count(t->total, a);
	if (areas) {
		const char *row[4] = { "", "**total**", a, "100 %" };

		doc_row(&r->doc, row);
	} else {
		const char *row[5] = { "", "**total**", "", a, "100 %" };

		doc_row(&r->doc, row);
	}
	doc_table_end(&r->doc);
}

void report_section_month(struct report *r, const struct report_figures *f)
{
	const char *name = f->cur->name;

	doc_heading(&r->doc, 2, "3. Unwanted access in %s", name);
	doc_heading(&r->doc, 3, "(1) By destination (key)");
	report_chart_month(r, f, "keys-accesses", "Chart 2-1: accesses per day by destination");
	report_chart_month(r, f, "keys-sources", "Chart 2-2: sources per day by destination");
	doc_heading(&r->doc, 3, "(2) Ratio by destination (key)");
	report_caption(r, "Table 2-3: ratio of accesses by destination in %s (TALOT2's chart 2-3)",
		       name);
	ratio_table(r, f, false, false);
	report_caption(r, "Table 2-4: ratio of sources by destination in %s (TALOT2's chart 2-4)",
		       name);
	ratio_table(r, f, false, true);
	doc_note(&r->doc, "%s", ratio_note);
	report_chart_month(r, f, "keys-share-accesses",
			   "Chart 2-3: share of each destination in the day's accesses");
	doc_heading(&r->doc, 3, "(3) By source area");
	report_chart_month(r, f, "areas-accesses", "Chart 2-5: accesses per day by source area");
	report_caption(r, "Table 2-6: ratio of accesses by source area in %s (TALOT2's chart 2-6)",
		       name);
	ratio_table(r, f, true, false);
	report_chart_month(r, f, "areas-sources", "Chart 2-7: sources per day by source area");
	report_caption(r, "Table 2-8: ratio of sources by source area in %s (TALOT2's chart 2-8)",
		       name);
	ratio_table(r, f, true, true);
	doc_note(&r->doc,
		 "%s Areas are the sources' countries in the country database the "
		 "sensor used (unknown: not in it, or no database).",
		 ratio_note);
}

static void share_table(struct report *r, const struct report_figures *f, bool areas, bool sources)
{
	const struct report_share *t = &f->share[areas][sources];
	const char *heads[REPORT_SIX + 1];

	if (!t->ok)
		return;
	heads[0] = areas ? "area" : "key (kind)";
	for (int i = 0; i < REPORT_SIX; i++)
		heads[i + 1] = f->months[i].short_name;
	doc_table(&r->doc, REPORT_SIX + 1, "lrrrrrr", heads);
	for (size_t j = 0; j < t->n; j++) {
		const struct report_share_row *s = &t->rows[j];
		char label[48], cells[REPORT_SIX][16];
		const char *row[REPORT_SIX + 1] = { label };

		if (areas) {
			report_area_label(s->area, label);
		} else {
			char key[SW_KEY_STRLEN];

			sw_key_str(&s->key, key);
			snprintf(label, sizeof(label), "%s (%s)", key, sw_kind_names[s->key.kind]);
		}
		for (int i = 0; i < REPORT_SIX; i++) {
			if (!f->months[i].point_days)
				snprintf(cells[i], sizeof(cells[i]), "no data");
			else
				fmt_share(s->v[i], t->totals[i], cells[i]);
			row[i + 1] = cells[i];
		}
		doc_row(&r->doc, row);
	}
	doc_table_end(&r->doc);
}

/* Table 3-0: each month's totals and means a point-day. */
static void six_table(struct report *r, const struct report_figures *f)
{
	static const char *const heads[] = { "month",	"point-days",	  "accesses",
					     "sources", "accesses a day", "sources a day" };

	report_caption(r, "Table 3-0: accesses and sources from %s to %s", f->months[0].name,
		       f->cur->name);
	doc_table(&r->doc, 6, "lrrrrr", heads);
	for (int i = 0; i < REPORT_SIX; i++) {
		const struct report_month *m = &f->months[i];
		const char *none[6] = { m->short_name, "0",	  "no data",
					"no data",     "no data", "no data" };

		if (m->point_days)
			report_days_row(r, m->short_name, m->point_days, &m->totals);
		else
			doc_row(&r->doc, none);
	}
	doc_table_end(&r->doc);
}

void report_section_six(struct report *r, const struct report_figures *f)
{
	const char *from = f->months[0].name, *to = f->cur->name;

	doc_heading(&r->doc, 2, "4. Statistics of the last six months");
	six_table(r, f);
	doc_heading(&r->doc, 3, "(1) Ratio by destination (key)");
	report_caption(r,
		       "Table 3-1: ratio of accesses by destination, %s to %s (TALOT2's chart 3-1)",
		       from, to);
	share_table(r, f, false, false);
	report_caption(r,
		       "Table 3-2: ratio of sources by destination, %s to %s (TALOT2's chart 3-2)",
		       from, to);
	share_table(r, f, false, true);
	doc_heading(&r->doc, 3, "(2) Ratio by source area");
	report_caption(r,
		       "Table 3-3: ratio of accesses by source area, %s to %s (TALOT2's chart 3-3)",
		       from, to);
	share_table(r, f, true, false);
	report_caption(r,
		       "Table 3-4: ratio of sources by source area, %s to %s (TALOT2's chart 3-4)",
		       from, to);
	share_table(r, f, true, true);
	doc_note(&r->doc, "%s The rows are the destinations and areas first over the six months.",
		 ratio_note);
}
