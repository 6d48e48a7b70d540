// SPDX-License-Identifier: GPL-2.0-only
/*
 * `scanwatch report`: the monthly report, shaped like IPA's TALOT2 report, as Markdown and HTML
 * with its charts beside them. Every figure is an exact sum of the daily summaries, the charts'
 * too (rrd/charts.h), each key and area in one colour of its own across every chart. The
 * command reads its options, builds the month's figures (figures.h), has them written
 * (render.c), and frees them.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "alerts.h"
#include "cli.h"
#include "dates.h"
#include "log.h"
#include "daysrc.h"
#include "db_conn.h"
#include "params.h"
#include "points.h"
#include "report_int.h"

/* The command line. */
struct report_opts {
	const char *data_dir, *db_url, *out_dir, *daemon;
	char (*points)[SW_POINT_LEN];
	size_t npoints;
	bool chosen; /* --point given */
	int year, month;
	bool have_month;
	unsigned int top, width, height;
	bool svg, quiet;
	struct alert_engine thresholds;
};

static int set_month(void *field, const char *arg, const char *cmd)
{
	struct report_opts *o = field;

	(void)cmd;
	if (sw_month_parse(arg, &o->year, &o->month))
		return -EINVAL;
	o->have_month = true;
	return 0;
}

static int add_point(void *field, const char *arg, const char *cmd)
{
	struct report_opts *o = field;

	o->chosen = true;
	return param_point_add(o->points, &o->npoints, REPORT_MAX_POINTS, arg, cmd);
}

#define STR_(x) #x
#define STR(x) STR_(x)
#define OPT(f) offsetof(struct report_opts, f)

static const struct param report_params[] = {
	{ "data-dir", 'd', PARAM_STRING, OPT(data_dir), "DIR",
	  "the data directory 'run' or 'replay' wrote" },
	{ "db", 0, PARAM_STRING, OPT(db_url), "URL",
	  "or the central database the sensors add to (charts\n"
	  "then through --rrdcached HOST:PORT)" },
	{ "month", 'm', PARAM_FUNC, 0, "YYYY-MM", "the month to report", .fn = set_month,
	  .takes = "YYYY-MM" },
	{ "out", 'o', PARAM_STRING, OPT(out_dir), "DIR",
	  "where report.md, report.html and the charts go" },
	{ "point", 'p', PARAM_FUNC, 0, "NAME", "this point only (repeatable; default: every point)",
	  .fn = add_point },
	{ "top", 'n', PARAM_UINT, OPT(top), "N", "rows of the ranked tables",
	  STR(CHART_TOP_DEFAULT), .min = 1, .max = CHART_TOP_MAX },
	{ "rrdcached", 'r', PARAM_STRING, OPT(daemon), "ADDR",
	  "read the RRD files through rrdcached" },
	{ "width", 0, PARAM_UINT, OPT(width), "PX", "chart plot width", "700", .min = 200,
	  .max = 4000 },
	{ "height", 0, PARAM_UINT, OPT(height), "PX", "chart plot height", "200", .min = 100,
	  .max = 2000 },
	{ "svg", 0, PARAM_FLAG, OPT(svg), NULL, "each chart as SVG too, beside its PNG" },
	PARAM_END,
};

static const struct param report_tail_params[] = {
	{ "quiet", 'q', PARAM_FLAG, OPT(quiet), NULL, "no progress line on a terminal" },
	{ "verbose", 'v', PARAM_FUNC, 0, NULL, "debug output", .fn = param_verbose },
	PARAM_END,
};

static const struct param_cmd report_cmd = {
	.name = "report",
	.usage = "Usage: scanwatch report (--data-dir DIR | --db URL) --month YYYY-MM --out DIR "
		 "[options]\n",
	.desc = "Write the monthly report, shaped like IPA's TALOT2 report, as OUT/report.md and\n"
		"OUT/report.html with its charts (PNG) beside them: headline figures, the month\n"
		"against the previous one by destination, daily charts and ratio tables by\n"
		"destination and source area, six months of statistics, explanations of the top\n"
		"destinations, backscatter and its likely victims, scanning tools, trends and the\n"
		"month's alerts. Figures are exact sums of the daily summaries, in the tables\n"
		"and in the charts' legends alike; every key and area has one colour of its own\n"
		"in every chart of the report.\n",
	.examples = "  scanwatch report --data-dir /var/lib/scanwatch --month 2009-10 --out "
		    "/var/www/2009-10\n",
};

static int parse_args(struct report_opts *o, int argc, char **argv)
{
	const struct param_set sets[] = { { report_params, o },
					  { alert_cfg_params, &o->thresholds },
					  { report_tail_params, o },
					  {} };
	int err = params_parse(&report_cmd, sets, argc, argv);

	if (err)
		return err;
	if (daysrc_usage("report", o->data_dir, o->db_url))
		return SW_EXIT_USAGE;
	if (!o->have_month || !o->out_dir)
		return usage_error("report", "%s is required",
				   !o->have_month ? "--month" : "--out");
	return 0;
}

/* The summaries to read, and the points of the report: those given, or every one of them. */
static int open_source(struct report_opts *o, struct daysrc *src, struct db_conn *db)
{
	struct stat st;
	int err;

	if (o->data_dir && (stat(o->data_dir, &st) || !S_ISDIR(st.st_mode)))
		return usage_error("report", "data directory '%s' does not exist", o->data_dir);
	err = daysrc_open(src, db, o->data_dir, o->db_url, "report");
	if (err)
		return err;
	for (size_t i = 0; i < o->npoints; i++)
		if (!daysrc_has_point(src, o->points[i]))
			return usage_error("report", "no point '%s' in %s", o->points[i],
					   daysrc_name(src));
	if (o->npoints)
		return 0;
	err = daysrc_points(src, o->points, REPORT_MAX_POINTS, &o->npoints);
	if (err == -E2BIG)
		return usage_error("report", "more than %d points: pick some with --point",
				   REPORT_MAX_POINTS);
	if (err || !o->npoints)
		return usage_error("report", "no point in %s", daysrc_name(src));
	return 0;
}

/* Reads every figure, then writes them. */
static int report_month(struct report_opts *o, const struct daysrc *src)
{
	struct report_figures *f = calloc(1, sizeof(*f));
	struct report r = { .src = src,
			    .data_dir = o->data_dir,
			    .out_dir = o->out_dir,
			    .width = o->width,
			    .height = o->height,
			    .svg = o->svg };
	char errmsg[512];
	int err, ret;

	if (!f)
		return SW_EXIT_FAIL;
	*f = (struct report_figures){ .points = o->points,
				      .npoints = o->npoints,
				      .chosen = o->chosen,
				      .year = o->year,
				      .month = o->month,
				      .top = o->top,
				      .cfg = o->thresholds.cfg };
	err = report_figures_build(f, src, errmsg, sizeof(errmsg));
	if (err) {
		/* Summaries that do not parse are bad input: said before anything is written. */
		sw_err("%s", errmsg);
		ret = err == -EINVAL ? SW_EXIT_USAGE : SW_EXIT_FAIL;
	} else {
		ret = report_render(&r, f, o->daemon, o->quiet);
	}
	report_figures_free(f);
	free(f);
	return ret;
}

int cmd_report(int argc, char **argv)
{
	static char points[REPORT_MAX_POINTS][SW_POINT_LEN];
	struct report_opts o = {
		.points = points, .top = CHART_TOP_DEFAULT, .width = 700, .height = 200
	};
	struct daysrc src = { 0 };
	struct db_conn db;
	int ret;

	alert_engine_init(&o.thresholds);
	ret = parse_args(&o, argc, argv);
	if (!ret)
		ret = open_source(&o, &src, &db);
	if (!ret)
		ret = report_month(&o, &src);
	if (ret == SW_HELP_SHOWN)
		ret = 0;
	daysrc_close(&src);
	alert_engine_close(&o.thresholds);
	return ret;
}
