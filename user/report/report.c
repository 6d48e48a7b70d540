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
#include "report_int.h"

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
	report_section_summary(r);
	report_section_compare(r);
	report_section_month(r);
	report_section_six(r);
	report_section_explain(r);
	report_section_backscatter(r);
	report_section_fingerprints(r);
	report_section_trends(r);
	report_section_alerts(r);
	report_section_points(r);
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
	report_month_name(r->year, r->month, r->cur_name);
	py = r->year;
	pm = r->month;
	report_add_months(&py, &pm, -1);
	report_month_name(py, pm, r->prev_name);
	snprintf(r->prev_short, sizeof(r->prev_short), "%04d-%02d", py, pm);
	tally_init(&r->cur);
	tally_init(&r->prev);
	/* Summaries that do not parse are bad input: said before anything is written. */
	if (report_load_month(r, r->year, r->month, &r->cur, &r->pd_cur) ||
	    report_load_month(r, py, pm, &r->prev, &r->pd_prev)) {
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
