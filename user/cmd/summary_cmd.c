// SPDX-License-Identifier: GPL-2.0-only
/* `scanwatch summary`: exact figures over a day or a month, summed from the daily files. */
#include <dirent.h>
#include <errno.h>
#include <stddef.h>
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
#include "params.h"
#include "parse_num.h"
#include "points.h"
#include "store.h"
#include "summary.h"

static int rank_research(const struct tally *t, const struct tally_key ***keys, size_t *n)
{
	int *areas;
	size_t nareas;

	*keys = NULL;
	*n = 0;
	if (!tally_has_research(t))
		return 0;
	if (summary_rank(t->research, keys, &areas, &nareas))
		return -ENOMEM;
	free(areas);
	*n = t->research->nkeys;
	return 0;
}

static void json_keys(FILE *f, const struct tally_key **keys, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char name[SW_KEY_STRLEN];

		sw_key_str(&keys[i]->key, name);
		fprintf(f,
			"%s{\"key\": \"%s\", \"kind\": \"%s\", \"accesses\": %" PRIu64
			", \"sources\": %" PRIu64 "}",
			i ? ", " : "", name, sw_kind_names[keys[i]->key.kind], keys[i]->accesses,
			keys[i]->sources);
	}
}

static void text_keys(FILE *f, const struct tally_key **keys, size_t n)
{
	fprintf(f, "  %-12s %-12s %12s %10s\n", "key", "kind", "accesses", "sources");
	for (size_t i = 0; i < n; i++) {
		char name[SW_KEY_STRLEN];

		sw_key_str(&keys[i]->key, name);
		fprintf(f, "  %-12s %-12s %12" PRIu64 " %10" PRIu64 "\n", name,
			sw_kind_names[keys[i]->key.kind], keys[i]->accesses, keys[i]->sources);
	}
}

static void print_json(FILE *f, const char *point, const char *from, const char *to,
		       const struct tally *t, const struct summary_watch *w,
		       const struct tally_key **keys, const int *areas, size_t nareas,
		       const struct tally_key **rkeys, size_t nrkeys)
{
	char n1[SW_U128_STRLEN], n2[SW_U128_STRLEN], n3[SW_U128_STRLEN];
	double pa, ps;
	struct summary_totals s, rs;

	summary_totals(t, &s);
	summary_research_totals(t, &rs);
	fprintf(f, "{\"point\": ");
	if (point)
		fprintf(f, "\"%s\"", point);
	else
		fprintf(f, "null");
	fprintf(f,
		", \"from\": \"%s\", \"to\": \"%s\", \"accesses\": %" PRIu64
		", \"sources\": %" PRIu64 ", \"kinds\": {",
		from, to, s.accesses, s.sources);
	for (int k = 0; k < SW_NKINDS; k++)
		fprintf(f, "%s\"%s\": %" PRIu64, k ? ", " : "", sw_kind_names[k],
			s.kind_accesses[k]);
	fprintf(f, "}, \"keys\": [");
	json_keys(f, keys, t->nkeys);
	fprintf(f, "], \"areas\": [");
	for (size_t i = 0; i < nareas; i++) {
		char cc[3];

		sw_area_name(areas[i], cc);
		fprintf(f,
			"%s{\"area\": \"%s\", \"accesses\": %" PRIu64 ", \"sources\": %" PRIu64 "}",
			i ? ", " : "", cc, t->area_accesses[areas[i]], t->area_sources[areas[i]]);
	}
	fprintf(f, "], \"fingerprints\": {");
	for (int fp = 0; fp < SW_NFPS; fp++)
		fprintf(f, "%s\"%s\": %" PRIu64, fp ? ", " : "", sw_fp_names[fp], s.fp[fp]);
	fprintf(f,
		"}, \"research\": {\"accesses\": %" PRIu64 ", \"sources\": %" PRIu64
		", \"dropped\": %" PRIu64 ", \"keys\": [",
		rs.accesses, rs.sources, rs.dropped);
	json_keys(f, rkeys, nrkeys);
	fprintf(f, "]}, \"dropped\": %" PRIu64 ", \"lost_sources\": %" PRIu64, s.dropped,
		s.lost_sources);
	/* null: no access, or only summaries without it (an older scanwatch's, the database's). */
	fprintf(f, ", \"peak\": %" PRIu64 ", \"peak_at\": ", s.peak);
	if (s.peak) {
		char when[SW_UTC_LEN];

		sw_utc_second(s.peak_s, when);
		fprintf(f, "\"%s\"", when);
	} else {
		fprintf(f, "null");
	}
	/* %.17g: the very double, so that a reader gets back the exact quotient. */
	if (summary_per_address(w, s.accesses, &pa) && summary_per_address(w, s.sources, &ps))
		fprintf(f,
			", \"per_address\": {\"addresses_min\": %s, \"addresses_max\": %s, "
			"\"address_days\": %s, \"accesses\": %.17g, \"sources\": %.17g}}\n",
			sw_fmt_u128(w->min, n1), sw_fmt_u128(w->max, n2),
			sw_fmt_u128(w->address_days, n3), pa, ps);
	else
		fprintf(f, ", \"per_address\": null}\n");
}

/* The line beside the totals: figures that compare a sensor of one address with a /17's. */
static void print_per_address(FILE *f, const struct summary_watch *w,
			      const struct summary_totals *s)
{
	char n1[SW_U128_STRLEN], n2[SW_U128_STRLEN], n3[SW_U128_STRLEN];
	double pa, ps;

	if (summary_per_address(w, s->accesses, &pa) && summary_per_address(w, s->sources, &ps)) {
		fprintf(f, "  per watched address a day: %.6g accesses, %.6g sources (", pa, ps);
		if (w->min == w->max)
			fprintf(f, "%s addresses", sw_fmt_u128(w->min, n1));
		else
			fprintf(f, "%s to %s addresses", sw_fmt_u128(w->min, n1),
				sw_fmt_u128(w->max, n2));
		fprintf(f, ", %s address-days)\n", sw_fmt_u128(w->address_days, n3));
	} else if (w->unknown_days) {
		fprintf(f,
			"  per watched address a day: n/a (%u of %u daily summaries from a run "
			"without --watch, which counts every address arriving, or from an older "
			"scanwatch)\n",
			w->unknown_days, w->unknown_days + w->known_days);
	} else {
		fprintf(f, "  per watched address a day: n/a (no daily summary)\n");
	}
}

static void print_text(FILE *f, const char *point, const char *from, const char *to,
		       const struct tally *t, const struct summary_watch *w,
		       const struct tally_key **keys, const int *areas, size_t nareas,
		       const struct tally_key **rkeys, size_t nrkeys)
{
	struct summary_totals s, rs;

	summary_totals(t, &s);
	summary_research_totals(t, &rs);
	fprintf(f, "%s, %s to %s: %" PRIu64 " accesses from %" PRIu64 " sources (gross)\n",
		point ? point : "all points", from, to, s.accesses, s.sources);
	print_per_address(f, w, &s);
	for (int k = 0; k < SW_NKINDS; k++)
		fprintf(f, "  %-12s %12" PRIu64 " accesses %10" PRIu64 " sources\n",
			sw_kind_names[k], s.kind_accesses[k], s.kind_sources[k]);
	fprintf(f,
		"  fingerprints: mirai %" PRIu64 ", zmap %" PRIu64 ", masscan %" PRIu64
		"; dropped %" PRIu64 "\n",
		s.fp[SW_FP_MIRAI], s.fp[SW_FP_ZMAP], s.fp[SW_FP_MASSCAN], s.dropped);
	if (s.peak) {
		char when[SW_UTC_LEN];

		sw_utc_second(s.peak_s, when);
		fprintf(f, "  peak: %" PRIu64 " accesses in one second, at %s%s\n", s.peak, when,
			point ? "" : " (the busiest point's)");
	} else if (s.accesses) {
		fprintf(f, "  peak: not recorded (daily files of a scanwatch from before the peak "
			   "rate)\n");
	}
	/* Sources are a floor when the day's set was full: say by how much, never hide it. */
	if (s.lost_sources)
		fprintf(f,
			"  lost sources: %" PRIu64 " (source, key) pairs the day's set had no room "
			"for (--max-day-pairs): not in the sources above\n",
			s.lost_sources);
	fputc('\n', f);
	text_keys(f, keys, t->nkeys);
	fprintf(f, "\n  %-12s %12s %10s\n", "area", "accesses", "sources");
	for (size_t i = 0; i < nareas; i++) {
		char cc[3];

		sw_area_name(areas[i], cc);
		fprintf(f, "  %-12s %12" PRIu64 " %10" PRIu64 "\n", cc, t->area_accesses[areas[i]],
			t->area_sources[areas[i]]);
	}
	if (!nrkeys)
		return;
	fprintf(f,
		"\n  research scanners, kept out of every figure above: %" PRIu64
		" accesses from %" PRIu64 " sources (gross); dropped %" PRIu64 "\n\n",
		rs.accesses, rs.sources, rs.dropped);
	text_keys(f, rkeys, nrkeys);
}

struct summary_args {
	const char *data_dir, *db_url, *point;
	int64_t from, to; /* days since the epoch */
	bool json;
};

/* A day's figures: --day sets both ends of the span. */
static int set_day(void *field, const char *arg, const char *cmd)
{
	struct summary_args *a = field;

	(void)cmd;
	if (sw_day_parse(arg, &a->from))
		return -EINVAL;
	a->to = a->from;
	return 0;
}

static int set_month(void *field, const char *arg, const char *cmd)
{
	struct summary_args *a = field;
	int y, m;

	(void)cmd;
	if (sw_month_parse(arg, &y, &m))
		return -EINVAL;
	sw_month_days(y, m, &a->from, &a->to);
	return 0;
}

/* One end of the span: --from or --to. */
static int set_end(void *field, const char *arg, const char *cmd)
{
	(void)cmd;
	return sw_day_parse(arg, field) ? -EINVAL : 0;
}

#define ARG(f) offsetof(struct summary_args, f)

static const struct param summary_params[] = {
	{ "data-dir", 'd', PARAM_STRING, ARG(data_dir), "DIR",
	  "the data directory 'run' or 'replay' wrote" },
	{ "db", 0, PARAM_STRING, ARG(db_url), "URL", "or the central database the sensors add to" },
	{ "point", 'p', PARAM_FUNC, ARG(point), "NAME", "this point only (default: all, summed)",
	  .fn = param_point },
	{ "day", 0, PARAM_FUNC, 0, "YYYY-MM-DD", "one day", .fn = set_day, .takes = "YYYY-MM-DD" },
	{ "month", 0, PARAM_FUNC, 0, "YYYY-MM", "one month", .fn = set_month, .takes = "YYYY-MM" },
	{ "from", 0, PARAM_FUNC, ARG(from), "YYYY-MM-DD", "the first day of a span...",
	  .fn = set_end, .takes = "YYYY-MM-DD" },
	{ "to", 0, PARAM_FUNC, ARG(to), "YYYY-MM-DD", "...and its last, included", .fn = set_end,
	  .takes = "YYYY-MM-DD" },
	{ "json", 'j', PARAM_FLAG, ARG(json), NULL, "one JSON object" },
	PARAM_END,
};

static const char summary_desc[] =
	"Exact accesses and gross sources per key, kind and area, summed from the daily summaries\n"
	"of one point or of all. Over several days, sources is the sum of the daily counts.\n"
	"With --watch, the daily summaries know the addresses watched: accesses and sources per\n"
	"watched address per day are the totals divided by those counts added up over the days\n"
	"(n/a, JSON per_address null, when a day was counted without --watch).\n"
	"The peak is the most accesses a point counted in one second of those days, and when\n"
	"(UTC); over all points, the busiest point's.\n"
	"Research scanners (run --research) are a group of their own, out of those figures.\n"
	"--db reads the same figures from the central database the sensors add to.\n";

static const struct param_cmd summary_cmd = {
	.name = "summary",
	.usage = "Usage: scanwatch summary (--data-dir DIR | --db URL) [--point NAME]\n"
		 "                         (--day YYYY-MM-DD | --month YYYY-MM\n"
		 "                         | --from YYYY-MM-DD --to YYYY-MM-DD) [--json]\n",
	.desc = summary_desc,
	.examples =
		"  scanwatch summary --data-dir /var/lib/scanwatch --month 2009-10 --json\n"
		"  scanwatch summary --db postgresql://report@central/scanwatch --month 2009-10\n",
};

static int parse_args(struct summary_args *a, int argc, char **argv)
{
	const struct param_set sets[] = { { summary_params, a }, {} };
	int err = params_parse(&summary_cmd, sets, argc, argv);

	if (err)
		return err;
	if (daysrc_usage("summary", a->data_dir, a->db_url))
		return SW_EXIT_USAGE;
	if (a->from < 0 || a->to < 0 || a->to < a->from)
		return usage_error("summary", "give --day, --month, or --from and --to");
	if (a->to - a->from > 3700)
		return usage_error("summary", "at most ten years at once");
	return 0;
}

int cmd_summary(int argc, char **argv)
{
	struct summary_args a = { .from = -1, .to = -1 };
	struct summary_watch w = { 0 };
	const struct tally_key **keys, **rkeys;
	struct daysrc src;
	struct db_conn db;
	char errmsg[512], df[11], dt[11];
	struct tally t;
	unsigned int ndays;
	size_t nareas, nrkeys;
	int *areas, err;

	err = parse_args(&a, argc, argv);
	if (err)
		return err == SW_HELP_SHOWN ? 0 : err;

	err = daysrc_open(&src, &db, a.data_dir, a.db_url, "summary");
	if (err)
		return err;
	tally_init(&t);
	err = summary_load_watch(&src, a.point, a.from, a.to, &t, &w, &ndays, errmsg,
				 sizeof(errmsg));
	daysrc_close(&src);
	if (err) {
		sw_err("%s", errmsg);
		tally_free(&t);
		return err == -EINVAL ? SW_EXIT_USAGE : SW_EXIT_FAIL;
	}
	if (a.point && !ndays)
		sw_warn("no daily summary of point %s between the dates given", a.point);
	if (summary_rank(&t, &keys, &areas, &nareas)) {
		tally_free(&t);
		return SW_EXIT_FAIL;
	}
	if (rank_research(&t, &rkeys, &nrkeys)) {
		free(keys);
		free(areas);
		tally_free(&t);
		return SW_EXIT_FAIL;
	}
	sw_day_format(a.from, df);
	sw_day_format(a.to, dt);
	if (a.json)
		print_json(stdout, a.point, df, dt, &t, &w, keys, areas, nareas, rkeys, nrkeys);
	else
		print_text(stdout, a.point, df, dt, &t, &w, keys, areas, nareas, rkeys, nrkeys);
	free(rkeys);
	free(keys);
	free(areas);
	tally_free(&t);
	return 0;
}
