// SPDX-License-Identifier: GPL-2.0-only
/* `scanwatch alerts`: every alert of some days, recomputed from the store (alerts.h). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "alerts.h"
#include "cli.h"
#include "daysrc.h"
#include "db_conn.h"
#include "json.h"
#include "log.h"
#include "parse_num.h"
#include "points.h"

#define MAX_POINTS 256

static void alerts_help(void)
{
	printf("Usage: scanwatch alerts (--data-dir DIR | --db URL) [--point NAME] [--since DAY]\n"
	       "                        [--until DAY] [--json] [options]\n"
	       "\n"
	       "List the alerts of a data directory, oldest first: Holt-Winters failures (from\n"
	       "each point's alerts.log and the week its RRD files keep), surges of a key on the\n"
	       "month and on the ISO week before, and trend alerts (a key's day against its 30 days\n"
	       "before). Surges and trends are recomputed from the exact daily summaries. With\n"
	       "several points, all points together are judged too.\n"
	       "\n"
	       "  -d, --data-dir DIR       the data directory 'run' or 'replay' wrote\n"
	       "      --db URL             or the central database the sensors add to (their\n"
	       "                           alerts.log; no RRD archives there)\n"
	       "  -p, --point NAME         this point only (repeatable; default: every point)\n"
	       "  -s, --since DAY          from this day (YYYY-MM-DD or YYYY-MM; default: the first\n"
	       "                           daily summary)\n"
	       "  -u, --until DAY          to this day, included (default: the last summary)\n"
	       "  -j, --json               one JSON object: {\"alerts\": [...]}\n");
	fputs(ALERT_CFG_HELP, stdout);
	printf("\n"
	       "Examples:\n"
	       "  scanwatch alerts --data-dir /var/lib/scanwatch --since 2009-10\n"
	       "  scanwatch alerts --data-dir /var/lib/scanwatch --surge-pct 100 --json\n");
}

static int parse_day_or_month(const char *s, bool end, int64_t *day)
{
	int y, m;
	int64_t first, last;

	if (!sw_day_parse(s, day))
		return 0;
	if (sw_month_parse(s, &y, &m))
		return -EINVAL;
	sw_month_days(y, m, &first, &last);
	*day = end ? last : first;
	return 0;
}

static void json_num(FILE *f, const char *name, double v, const char *fmt)
{
	fprintf(f, ", \"%s\": ", name);
	if (isnan(v))
		fputs("null", f);
	else
		fprintf(f, fmt, v);
}

static void print_json(FILE *f, const struct alert_list *l)
{
	fprintf(f, "{\"alerts\": [");
	for (size_t i = 0; i < l->n; i++) {
		const struct alert *a = &l->v[i];
		char msg[768];

		alert_describe(a, msg, sizeof(msg));
		fprintf(f, "%s{\"kind\": \"%s\", \"point\": ", i ? ",\n  " : "\n  ",
			alert_kind_names[a->kind]);
		if (a->point[0])
			json_str(f, a->point);
		else
			fputs("null", f);
		fprintf(f,
			", \"key\": \"%s\", \"key_kind\": \"%s\", \"measure\": \"%s\", \"from\": "
			"\"%s\", \"to\": \"%s\", \"at\": %" PRId64,
			a->key, sw_kind_names[a->key_kind], a->sources ? "sources" : "accesses",
			a->from, a->to, a->at);
		if (a->base_from[0])
			fprintf(f, ", \"base_from\": \"%s\", \"base_to\": \"%s\"", a->base_from,
				a->base_to);
		json_num(f, "value", a->value, "%.6g");
		json_num(f, "baseline", a->baseline, "%.6g");
		if (a->kind == ALERT_TREND) {
			json_num(f, "value_sources", a->value_sources, "%.6g");
			json_num(f, "baseline_sources", a->baseline_sources, "%.6g");
			json_num(f, "score", a->score, "%.4f");
		}
		if (a->kind == ALERT_SURGE_MONTH || a->kind == ALERT_SURGE_WEEK)
			json_num(f, "change_pct", a->change_pct, "%.2f");
		if (a->kind == ALERT_HW)
			fprintf(f, ", \"open\": %s", a->open ? "true" : "false");
		fprintf(f, ", \"message\": ");
		json_str(f, msg);
		fputc('}', f);
	}
	fprintf(f, "%s]}\n", l->n ? "\n" : "");
}

static int parse_args(int argc, char **argv, const char **data_dir, const char **db_url,
		      char (*points)[SW_POINT_LEN], size_t *npoints, int64_t *since, int64_t *until,
		      bool *json, struct alert_engine *cfg)
{
	static const struct option opts[] = { { "data-dir", required_argument, NULL, 'd' },
					      { "db", required_argument, NULL, 'B' },
					      { "point", required_argument, NULL, 'p' },
					      { "since", required_argument, NULL, 's' },
					      { "until", required_argument, NULL, 'u' },
					      { "json", no_argument, NULL, 'j' },
					      ALERT_CFG_OPTIONS,
					      { "verbose", no_argument, NULL, 'v' },
					      { "help", no_argument, NULL, 'h' },
					      {} };
	int opt;

	while ((opt = getopt_long(argc, argv, "d:p:s:u:jvh", opts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			*data_dir = optarg;
			break;
		case 'B':
			*db_url = optarg;
			break;
		case 'p':
			if (!point_name_ok(optarg))
				return usage_error("alerts", "bad point name '%s'", optarg);
			if (*npoints == MAX_POINTS)
				return usage_error("alerts", "at most %d points", MAX_POINTS);
			snprintf(points[(*npoints)++], SW_POINT_LEN, "%s", optarg);
			break;
		case 's':
			if (parse_day_or_month(optarg, false, since))
				return usage_error("alerts",
						   "--since takes YYYY-MM-DD or YYYY-MM, not '%s'",
						   optarg);
			break;
		case 'u':
			if (parse_day_or_month(optarg, true, until))
				return usage_error("alerts",
						   "--until takes YYYY-MM-DD or YYYY-MM, not '%s'",
						   optarg);
			break;
		case 'j':
			*json = true;
			break;
		case ALERT_OPT_SURGE_PCT:
		case ALERT_OPT_SURGE_MIN:
		case ALERT_OPT_TREND_SCORE:
		case ALERT_OPT_TREND_MIN:
		case ALERT_OPT_TREND_DAYS:
		case ALERT_OPT_TREND_MIN_SOURCES:
			if (alert_cli_option(cfg, opt, optarg, "alerts"))
				return SW_EXIT_USAGE;
			break;
		case 'v':
			sw_log_set_level(SW_LOG_DEBUG);
			break;
		case 'h':
			alerts_help();
			return SW_HELP_SHOWN;
		default:
			return option_error("alerts", opts, argv);
		}
	}
	if (optind < argc)
		return usage_error("alerts", "unexpected argument '%s'", argv[optind]);
	return daysrc_usage("alerts", *data_dir, *db_url) ? SW_EXIT_USAGE : 0;
}

int cmd_alerts(int argc, char **argv)
{
	static char points[MAX_POINTS][SW_POINT_LEN];
	struct alert_engine cfg; /* only its thresholds: the options are the daemon's */
	struct alert_list l = { 0 };
	const char *data_dir = NULL, *db_url = NULL;
	struct daysrc src;
	struct db_conn db;
	int64_t since = INT64_MIN, until = INT64_MAX, first, last;
	size_t npoints = 0;
	bool json = false, chosen;
	char errmsg[512];
	struct stat st;
	int err;

	alert_engine_init(&cfg);
	err = parse_args(argc, argv, &data_dir, &db_url, points, &npoints, &since, &until, &json,
			 &cfg);
	if (err) {
		alert_engine_close(&cfg);
		return err == SW_HELP_SHOWN ? 0 : err;
	}
	if (data_dir && (stat(data_dir, &st) || !S_ISDIR(st.st_mode)))
		return usage_error("alerts", "data directory '%s' does not exist", data_dir);
	if (since != INT64_MIN && until != INT64_MAX && until < since)
		return usage_error("alerts", "--until must not come before --since");
	err = daysrc_open(&src, &db, data_dir, db_url, "alerts");
	if (err)
		return err;
	for (size_t i = 0; i < npoints; i++)
		if (!daysrc_has_point(&src, points[i])) {
			daysrc_close(&src);
			return usage_error("alerts", "no point '%s' in %s", points[i],
					   daysrc_name(&src));
		}
	chosen = npoints > 0;
	if (!npoints) {
		err = daysrc_points(&src, points, MAX_POINTS, &npoints);
		if (err == -E2BIG) {
			daysrc_close(&src);
			return usage_error("alerts", "more than %d points: pick some with --point",
					   MAX_POINTS);
		}
	}
	/* The days with data bound the days judged: no month of empty files. */
	first = INT64_MAX;
	last = INT64_MIN;
	for (size_t i = 0; i < npoints; i++) {
		int64_t f, t;

		if (daysrc_data_days(&src, points[i], &f, &t))
			continue;
		first = f < first ? f : first;
		last = t > last ? t : last;
	}
	if (since > first)
		first = since;
	if (until < last)
		last = until;
	if (npoints && first <= last) {
		/* All points together only when every point is judged. */
		err = alerts_collect(&src, points, npoints, !chosen && npoints > 1, first, last,
				     &cfg.cfg, &l, errmsg, sizeof(errmsg));
		if (err) {
			sw_err("%s", errmsg);
			daysrc_close(&src);
			alert_list_free(&l);
			alert_engine_close(&cfg);
			return err == -EINVAL ? SW_EXIT_USAGE : SW_EXIT_FAIL;
		}
	}
	daysrc_close(&src);
	if (json) {
		print_json(stdout, &l);
	} else {
		for (size_t i = 0; i < l.n; i++) {
			char msg[768];

			alert_describe(&l.v[i], msg, sizeof(msg));
			printf("%-11s %s\n", alert_kind_names[l.v[i].kind], msg);
		}
		if (!l.n)
			printf("no alert\n");
	}
	alert_list_free(&l);
	alert_engine_close(&cfg);
	return 0;
}
