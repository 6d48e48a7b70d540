// SPDX-License-Identifier: GPL-2.0-only
/* `scanwatch alerts`: every alert of some days, recomputed from the store (alerts.h). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
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
#include "params.h"
#include "parse_num.h"
#include "points.h"

#define MAX_POINTS 256

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

struct alerts_args {
	const char *data_dir, *db_url;
	char (*points)[SW_POINT_LEN];
	size_t npoints;
	int64_t since, until;
	bool json;
};

static int add_point(void *field, const char *arg, const char *cmd)
{
	struct alerts_args *o = field;

	return param_point_add(o->points, &o->npoints, MAX_POINTS, arg, cmd);
}

static int set_since(void *field, const char *arg, const char *cmd)
{
	(void)cmd;
	return parse_day_or_month(arg, false, field);
}

static int set_until(void *field, const char *arg, const char *cmd)
{
	(void)cmd;
	return parse_day_or_month(arg, true, field);
}

static const struct param alerts_params[] = {
	{ "data-dir", 'd', PARAM_STRING, offsetof(struct alerts_args, data_dir), "DIR",
	  "the data directory 'run' or 'replay' wrote" },
	{ "db", 0, PARAM_STRING, offsetof(struct alerts_args, db_url), "URL",
	  "or the central database the sensors add to (their\n"
	  "alerts.log; no RRD archives there)" },
	{ "point", 'p', PARAM_FUNC, 0, "NAME", "this point only (repeatable; default: every point)",
	  .fn = add_point },
	{ "since", 's', PARAM_FUNC, offsetof(struct alerts_args, since), "DAY",
	  "from this day (YYYY-MM-DD or YYYY-MM; default: the first\n"
	  "daily summary)",
	  .fn = set_since, .takes = "YYYY-MM-DD or YYYY-MM" },
	{ "until", 'u', PARAM_FUNC, offsetof(struct alerts_args, until), "DAY",
	  "to this day, included (default: the last summary)", .fn = set_until,
	  .takes = "YYYY-MM-DD or YYYY-MM" },
	{ "json", 'j', PARAM_FLAG, offsetof(struct alerts_args, json), NULL,
	  "one JSON object: {\"alerts\": [...]}" },
	PARAM_END,
};

static const struct param verbose_params[] = {
	{ "verbose", 'v', PARAM_FUNC, 0, NULL, "debug output", .fn = param_verbose },
	PARAM_END,
};

static const struct param_cmd alerts_cmd = {
	.name = "alerts",
	.usage =
		"Usage: scanwatch alerts (--data-dir DIR | --db URL) [--point NAME] [--since DAY]\n"
		"                        [--until DAY] [--json] [options]\n",
	.desc = "List the alerts of a data directory, oldest first: Holt-Winters failures (from\n"
		"each point's alerts.log and the week its RRD files keep), surges of a key on the\n"
		"month and on the ISO week before, and trend alerts (a key's day against its 30 "
		"days\n"
		"before). Surges and trends are recomputed from the exact daily summaries. With\n"
		"several points, all points together are judged too.\n",
	.examples = "  scanwatch alerts --data-dir /var/lib/scanwatch --since 2009-10\n"
		    "  scanwatch alerts --data-dir /var/lib/scanwatch --surge-pct 100 --json\n",
};

static int parse_args(int argc, char **argv, const char **data_dir, const char **db_url,
		      char (*points)[SW_POINT_LEN], size_t *npoints, int64_t *since, int64_t *until,
		      bool *json, struct alert_engine *cfg)
{
	struct alerts_args o = { *data_dir, *db_url, points, *npoints, *since, *until, *json };
	const struct param_set sets[] = {
		{ alerts_params, &o }, { alert_cfg_params, cfg }, { verbose_params, NULL }, {}
	};
	int err = params_parse(&alerts_cmd, sets, argc, argv);

	*data_dir = o.data_dir;
	*db_url = o.db_url;
	*npoints = o.npoints;
	*since = o.since;
	*until = o.until;
	*json = o.json;
	if (err)
		return err;
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
