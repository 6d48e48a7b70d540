// SPDX-License-Identifier: GPL-2.0-only
/*
 * The report's later sections: what the top keys are, floods' backscatter and their
 * victims, scanning tools' fingerprints, trends, alerts and the monitoring points.
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

void report_section_explain(struct report *r)
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
	report_caption(r, "Table 5-1: the destinations accessed most in %s", r->cur_name);
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

void report_section_backscatter(struct report *r)
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
	report_caption(r, "Table 6-1: backscatter by the service that answered, %s", r->cur_name);
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
		report_caption(r, "Table 6-2: the floods' likely victims, %s", r->cur_name);
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
			report_time_ns_str(v->first_ns, first, sizeof(first));
			report_time_ns_str(v->last_ns, last, sizeof(last));
			report_duration_str(v->last_ns - v->first_ns, dur, sizeof(dur));
			doc_row(&r->doc, row);
		}
		doc_table_end(&r->doc);
		doc_note(&r->doc,
			 "From the sources of backscatter the sensor records each day; a victim's "
			 "duration is from its first to its last answer seen this month.%s",
			 vs.bad_lines ? " Some lines cut short by a crash were passed over." : "");
	}
	victims_free(&vs);
	report_chart(r, "kinds-accesses", r->first, r->last, &r->cur, NULL,
		     "Chart 6-1: scan, backscatter and other accesses per day");
}

void report_section_fingerprints(struct report *r)
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
	report_caption(r, "Table 7-1: packets of each scanning tool in %s", r->cur_name);
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
	report_chart(r, "fingerprints", r->first, r->last, &r->cur, NULL,
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

void report_section_trends(struct report *r)
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
	report_caption(r, "Table 8-1: trend scores of %s", date);
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

void report_section_alerts(struct report *r)
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
	report_caption(r, "Table 9-1: the alerts of %s", r->cur_name);
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
		report_add_months(&py, &pm, -1);
		sw_month_days(py, pm, &pf, &plast);
		snprintf(caption, sizeof(caption),
			 "Chart 9-%u: %s (%s) at %s per day, %s and %s, with its Holt-Winters "
			 "failures",
			 keycharts + 1, a->key, sw_kind_names[a->key_kind], a->point, r->prev_name,
			 r->cur_name);
		report_chart(r, "key", pf, r->last, NULL, a, caption);
		keycharts++;
	}
	alert_list_free(&l);
}

void report_section_points(struct report *r)
{
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
			report_caption(r, "Table 10-%zu: the top destinations of %s", p + 1,
				       r->points[p]);
			report_top_keys(r, keys, t.nkeys, 5);
		}
		free(keys);
		free(areas);
		tally_free(&t);
	}
}
