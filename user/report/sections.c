// SPDX-License-Identifier: GPL-2.0-only
/*
 * The report's later sections: what the top keys are, floods' backscatter and their
 * victims, scanning tools' fingerprints, trends, alerts and the monitoring points.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "dates.h"
#include "keyfmt.h"
#include "portkb.h"
#include "report_int.h"

/* A key's entry of the knowledge base, said of its backscatter when that is what it is. */
static void explain_text(const struct tally_key *k, const struct portkb_entry *e, char *text,
			 size_t len)
{
	char key[SW_KEY_STRLEN];

	sw_key_str(&k->key, key);
	if (e && k->key.kind == SW_KIND_BACKSCATTER && strncmp(key, "icmp", 4))
		snprintf(text, len,
			 "Backscatter: answers from this service of hosts whose address a "
			 "flood forged as ours. %s",
			 e->text);
	else
		snprintf(text, len, "%s", e ? e->text : "Not in the built-in knowledge base.");
}

void report_section_explain(struct report *r, const struct report_figures *f)
{
	static const char *const heads[] = { "key",	"kind",		  "accesses",
					     "service", "interpretation", "source" };
	const struct report_month *m = f->cur;

	doc_heading(&r->doc, 2, "5. Supplementary explanations");
	if (!m->t.nkeys || !f->cur_rank.ok) {
		doc_para(&r->doc, "No destination was accessed in %s.", m->name);
		return;
	}
	doc_para(&r->doc,
		 "The destinations accessed most in %s, explained by scanwatch's built-in port "
		 "knowledge base, each with where its facts can be checked.",
		 m->name);
	report_caption(r, "Table 5-1: the destinations accessed most in %s", m->name);
	doc_table(&r->doc, 6, "llrlll", heads);
	for (size_t i = 0; i < m->t.nkeys && i < f->top; i++) {
		const struct tally_key *k = f->cur_rank.keys[i];
		const struct portkb_entry *e = portkb_find(&k->key);
		char key[SW_KEY_STRLEN], a[32], text[1024];
		const char *row[6] = { key,
				       sw_kind_names[k->key.kind],
				       fmt_count(k->accesses, a),
				       e ? e->service : "",
				       text,
				       e ? e->source : "" };

		sw_key_str(&k->key, key);
		explain_text(k, e, text, sizeof(text));
		doc_row(&r->doc, row);
	}
	doc_table_end(&r->doc);
}

/* Table 6-1: backscatter by the service that answered. */
static void backscatter_keys(struct report *r, const struct report_figures *f)
{
	static const char *const heads[] = { "key", "accesses", "sources", "share of backscatter" };
	const struct report_month *m = f->cur;
	uint64_t all = m->totals.kind_accesses[SW_KIND_BACKSCATTER];
	char a[32], b[32], s[16];
	size_t n = 0;

	report_caption(r, "Table 6-1: backscatter by the service that answered, %s", m->name);
	doc_table(&r->doc, 4, "lrrr", heads);
	for (size_t i = 0; i < m->t.nkeys; i++) {
		const struct tally_key *k = f->cur_rank.keys[i];
		char key[SW_KEY_STRLEN];
		const char *row[4] = { key, a, b, s };

		if (k->key.kind != SW_KIND_BACKSCATTER)
			continue;
		sw_key_str(&k->key, key);
		fmt_count(k->accesses, a);
		fmt_count(k->sources, b);
		fmt_share(k->accesses, all, s);
		doc_row(&r->doc, row);
		n++;
	}
	if (!n) {
		const char *row[4] = { "none", "0", "0", "-" };

		doc_row(&r->doc, row);
	}
	doc_table_end(&r->doc);
}

static void victim_row(struct report *r, const struct victim *v)
{
	char a[32], keys[128], first[32], last[32], dur[48];
	const char *row[6] = { v->addr, a, keys, first, last, dur };
	size_t o = 0;

	fmt_count(v->packets, a);
	keys[0] = '\0';
	for (unsigned int k = 0; k < v->nkeys; k++)
		o += snprintf(keys + o, sizeof(keys) - o, "%s%s", k ? " " : "", v->keys[k].key);
	if (v->more_keys)
		snprintf(keys + o, sizeof(keys) - o, " +%u", v->more_keys);
	report_time_ns_str(v->first_ns, first, sizeof(first));
	report_time_ns_str(v->last_ns, last, sizeof(last));
	report_duration_str(v->last_ns - v->first_ns, dur, sizeof(dur));
	doc_row(&r->doc, row);
}

/* Table 6-2: the sources of that backscatter, the floods' likely victims. */
static void victims_table(struct report *r, const struct report_figures *f)
{
	static const char *const heads[] = { "victim (source)",	 "packets",	    "answered from",
					     "first seen (UTC)", "last seen (UTC)", "duration" };
	const struct victim_set *vs = &f->victims;
	char a[32];

	if (!vs->n) {
		doc_para(&r->doc, "No source of backscatter was recorded in %s.", f->cur->name);
		return;
	}
	doc_para(&r->doc,
		 "The likely victims are the sources of that backscatter: **%s** addresses "
		 "answered, %s shown by packets, with the services that answered and how "
		 "long they did.",
		 fmt_count(vs->n, a), vs->n > VICTIMS_SHOWN ? "the first twenty" : "all");
	report_caption(r, "Table 6-2: the floods' likely victims, %s", f->cur->name);
	doc_table(&r->doc, 6, "lrllll", heads);
	for (size_t i = 0; i < vs->n && i < VICTIMS_SHOWN; i++)
		victim_row(r, &vs->v[i]);
	doc_table_end(&r->doc);
	doc_note(&r->doc,
		 "From the sources of backscatter the sensor records each day; a victim's "
		 "duration is from its first to its last answer seen this month.%s",
		 vs->bad_lines ? " Some lines cut short by a crash were passed over." : "");
}

void report_section_backscatter(struct report *r, const struct report_figures *f)
{
	const struct summary_totals *s = &f->cur->totals;
	char a[32], b[32], sh[16];

	doc_heading(&r->doc, 2, "6. Backscatter and the floods' likely victims");
	doc_para(&r->doc,
		 "Backscatter is what the victims of spoofed floods send back to the addresses "
		 "the attacker forged: SYN+ACK and RST from their services, ICMP echo replies, "
		 "unreachables and time exceeded. In %s, **%s** accesses (%s of all) were "
		 "backscatter, from **%s** sources (gross).",
		 f->cur->name, fmt_count(s->kind_accesses[SW_KIND_BACKSCATTER], a),
		 fmt_share(s->kind_accesses[SW_KIND_BACKSCATTER], s->accesses, sh),
		 fmt_count(s->kind_sources[SW_KIND_BACKSCATTER], b));
	if (!f->cur_rank.ok)
		return;
	backscatter_keys(r, f);
	victims_table(r, f);
	report_chart_month(r, f, "kinds-accesses",
			   "Chart 6-1: scan, backscatter and other accesses per day");
}

/* "tcp/23 (2,232), tcp/2323 (120)": the keys each tool scanned most. */
static void fingerprint_keys(const struct report_figures *f, int fp, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (int j = 0; j < REPORT_FP_TOP && f->fp_top[fp][j]; j++) {
		const struct tally_key *k = f->fp_top[fp][j];
		char key[SW_KEY_STRLEN], c[32];

		sw_key_str(&k->key, key);
		o += snprintf(buf + o, len - o, "%s%s (%s)", j ? ", " : "", key,
			      fmt_count(k->fp[fp], c));
	}
}

void report_section_fingerprints(struct report *r, const struct report_figures *f)
{
	static const char *const heads[] = { "tool", "packets", "share of scan accesses",
					     "keys it scanned most" };
	static const char *const tools[SW_NFPS] = { "Mirai", "ZMap", "masscan" };
	const struct summary_totals *s = &f->cur->totals;

	doc_heading(&r->doc, 2, "7. Scanning tools");
	doc_para(&r->doc,
		 "Scan packets that carry a tool's fingerprint: Mirai's TCP sequence number equal "
		 "to the destination address, ZMap's IP ID 54321, masscan's IP ID derived from "
		 "destination, port and sequence number, as masscan builds it. A packet may carry "
		 "more than one.");
	report_caption(r, "Table 7-1: packets of each scanning tool in %s", f->cur->name);
	doc_table(&r->doc, 4, "lrrl", heads);
	for (int fp = 0; fp < SW_NFPS; fp++) {
		char a[32], sh[16], top[128];
		const char *row[4] = { tools[fp], fmt_count(s->fp[fp], a),
				       fmt_share(s->fp[fp], s->kind_accesses[SW_KIND_SCAN], sh),
				       top };

		fingerprint_keys(f, fp, top, sizeof(top));
		doc_row(&r->doc, row);
	}
	doc_table_end(&r->doc);
	report_chart_month(r, f, "fingerprints",
			   "Chart 7-1: packets of each scanning tool per day");
}

static void trends_table(struct report *r, const struct report_figures *f, const char *date)
{
	static const char *const heads[] = { "key",
					     "kind",
					     "accesses",
					     "sources",
					     "accesses, 30-day mean",
					     "sources, 30-day mean",
					     "score" };

	report_caption(r, "Table 8-1: trend scores of %s", date);
	doc_table(&r->doc, 7, "llrrrrr", heads);
	for (size_t i = 0; i < f->ntrends && i < f->top; i++) {
		const struct trend_score *ts = &f->trends[i];
		char key[SW_KEY_STRLEN], a[32], b[32], c[32], d[32], e[32];
		const char *row[7] = { key, sw_kind_names[ts->key.kind], a, b, c, d, e };

		sw_key_str(&ts->key, key);
		fmt_count(ts->accesses, a);
		fmt_count(ts->sources, b);
		snprintf(c, sizeof(c), "%.1f", ts->mean_accesses);
		snprintf(d, sizeof(d), "%.1f", ts->mean_sources);
		snprintf(e, sizeof(e), "%.2f", ts->score);
		doc_row(&r->doc, row);
	}
	doc_table_end(&r->doc);
}

void report_section_trends(struct report *r, const struct report_figures *f)
{
	char date[11];

	doc_heading(&r->doc, 2, "8. Trends");
	if (!f->scored)
		return;
	sw_day_format(f->trend_day, date);
	doc_para(&r->doc,
		 "Each destination's last day of the month (%s) against its mean day over the days "
		 "with data among the 30 before, as SANS ISC ranks ports: the score is the "
		 "geometric mean of the two ratios (accesses + 1) / (mean accesses + 1) and "
		 "(sources + 1) / (mean sources + 1); 1 is a usual day. There is no score without "
		 "a baseline of %u days with data or more. A trend alert is raised when the score "
		 "reaches %g on a day of %" PRIu64 " accesses and %" PRIu64 " sources or more.",
		 date, f->cfg.trend_days, f->cfg.trend_score, f->cfg.trend_min,
		 f->cfg.trend_min_sources);
	if (!f->ntrends) {
		doc_para(&r->doc,
			 "No score: fewer than %u of the 30 days before %s have a daily summary.",
			 f->cfg.trend_days, date);
		return;
	}
	trends_table(r, f, date);
}

static void alerts_table(struct report *r, const struct report_figures *f)
{
	static const char *const heads[] = {
		"kind", "point", "key", "kind of key", "when", "what"
	};

	report_caption(r, "Table 9-1: the alerts of %s", f->cur->name);
	doc_table(&r->doc, 6, "llllll", heads);
	for (size_t i = 0; i < f->alerts.n; i++) {
		const struct alert *a = &f->alerts.v[i];
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
}

/* ISDAS's view of a surging port: the key over two months, with its forecast band. */
static void alert_charts(struct report *r, const struct report_figures *f)
{
	unsigned int n = 0;

	for (size_t i = 0; i < f->alerts.n && n < KEY_CHARTS_MAX; i++) {
		const struct alert *a = &f->alerts.v[i];
		char caption[256];

		if (a->kind != ALERT_SURGE_MONTH || !a->point[0])
			continue;
		snprintf(caption, sizeof(caption),
			 "Chart 9-%u: %s (%s) at %s per day, %s and %s, with its Holt-Winters "
			 "failures",
			 n + 1, a->key, sw_kind_names[a->key_kind], a->point, f->prev->name,
			 f->cur->name);
		report_chart_key(r, f, a, caption);
		n++;
	}
}

void report_section_alerts(struct report *r, const struct report_figures *f)
{
	doc_heading(&r->doc, 2, "9. Alerts of %s", f->cur->name);
	doc_para(
		&r->doc,
		"Surges are destinations whose accesses a day rose by +%g %% or more (with %" PRIu64
		" accesses or more) on the month or the ISO week before; trends are defined in "
		"section 8; Holt-Winters failures are where the RRD files' forecast (a band of "
		"two deviations around the prediction) failed 7 times in 9 steps. `scanwatch "
		"alerts` lists them for any period.",
		f->cfg.surge_pct, f->cfg.surge_min);
	if (!f->alerts.n) {
		doc_para(&r->doc, "No alert in %s.", f->cur->name);
		return;
	}
	alerts_table(r, f);
	alert_charts(r, f);
}

static void point_section(struct report *r, const struct report_figures *f, size_t i)
{
	const struct report_point *p = &f->point[i];
	const struct tally_key *keys[REPORT_POINT_TOP];
	char a[32], b[32], c[32], d[32];

	doc_heading(&r->doc, 3, "%s", f->points[i]);
	doc_para(&r->doc,
		 "**%s** accesses from **%s** sources over %u days with data: %s accesses "
		 "from %s sources per day.",
		 fmt_count(p->totals.accesses, a), fmt_count(p->totals.sources, b), p->days,
		 fmt_count(per_day(p->totals.accesses, p->days), c),
		 fmt_count(per_day(p->totals.sources, p->days), d));
	if (!p->nkeys)
		return;
	for (size_t k = 0; k < REPORT_POINT_TOP; k++)
		keys[k] = &p->top[k];
	report_caption(r, "Table 10-%zu: the top destinations of %s", i + 1, f->points[i]);
	report_top_keys(r, keys, p->nkeys, REPORT_POINT_TOP);
}

void report_section_points(struct report *r, const struct report_figures *f)
{
	if (f->npoints < 2)
		return;
	doc_heading(&r->doc, 2, "10. Monitoring points");
	for (size_t i = 0; i < f->npoints; i++)
		if (f->point[i].ranked)
			point_section(r, f, i);
}
