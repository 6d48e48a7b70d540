// SPDX-License-Identifier: GPL-2.0-only
/*
 * `scanwatch report`: the monthly report, shaped like IPA's TALOT2 report, as Markdown and HTML
 * with its charts beside them. Every figure is an exact sum of the daily summaries, the charts'
 * too (rrd/charts.h), each key and area in one colour of its own across every chart.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alerts.h"
#include "cli.h"
#include "dates.h"
#include "daysrc.h"
#include "db_conn.h"
#include "log.h"
#include "parse_num.h"
#include "points.h"
#include "report_int.h"
#include "safe_file.h"

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

static int write_report(struct report *r, const struct report_figures *f)
{
	char title[128], list[1024];
	size_t o = 0;
	int err;

	snprintf(title, sizeof(title), "Report from the Internet monitoring: %s", f->cur->name);
	err = doc_open(&r->doc, r->out_dir, "report", title);
	if (err)
		return err;
	list[0] = '\0';
	for (size_t i = 0; i < f->npoints && o < sizeof(list) - 40; i++)
		o += snprintf(list + o, sizeof(list) - o, "%s`%s`", i ? ", " : "", f->points[i]);
	doc_para(&r->doc,
		 "Monitoring points: %s. Days are those of the daily summaries (the sensors' "
		 "`--tz`); times are UTC. Made by scanwatch " SW_VERSION
		 " from the exact daily summaries, its charts too: a chart's legend gives the "
		 "same figures as the tables.",
		 list);
	report_section_summary(r, f);
	report_section_compare(r, f);
	report_section_month(r, f);
	report_section_six(r, f);
	report_section_explain(r, f);
	report_section_backscatter(r, f);
	report_section_fingerprints(r, f);
	report_section_trends(r, f);
	report_section_alerts(r, f);
	report_section_points(r, f);
	return doc_close(&r->doc);
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

static int parse_args(struct report_opts *r, int argc, char **argv)
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
			r->have_month = true;
			break;
		case 'o':
			r->out_dir = optarg;
			break;
		case 'p':
			if (!point_name_ok(optarg))
				return usage_error("report", "bad point name '%s'", optarg);
			if (r->npoints == REPORT_MAX_POINTS)
				return usage_error("report", "at most %d points",
						   REPORT_MAX_POINTS);
			snprintf(r->points[r->npoints++], SW_POINT_LEN, "%s", optarg);
			r->chosen = true;
			break;
		case 'n':
			if (parse_uint(optarg, 1, CHART_TOP_MAX, &r->top))
				return usage_error("report", "--top takes 1 to %d", CHART_TOP_MAX);
			break;
		case 'r':
			r->daemon = optarg;
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
			if (alert_cli_option(&r->thresholds, opt, optarg, "report"))
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
	if (!r->have_month || !r->out_dir)
		return usage_error("report", "%s is required",
				   !r->have_month ? "--month" : "--out");
	return 0;
}

/*
 * The month's keys and areas take their colours first, most accessed first, so that the
 * colours a reader knows (tcp/445's blue) go to the series that matter; the charts add the rest.
 */
static void seed_colours(struct report *r, const struct report_figures *f)
{
	chart_colours_add(&r->colours, "other");
	for (int m = 0; m < 2; m++) {
		struct chart_rank *k = NULL, *a = NULL;
		size_t nk = 0, na = 0;

		if (!chart_rank_keys(&f->cur->t, m ? CHART_SOURCES : CHART_ACCESSES, &k, &nk))
			for (size_t i = 0; i < nk && i < f->top; i++) {
				char name[24];

				chart_key_str(&k[i].key, name, sizeof(name));
				chart_colours_add(&r->colours, name);
			}
		if (!chart_rank_areas(&f->cur->t, m ? CHART_SOURCES : CHART_ACCESSES, &a, &na))
			for (size_t i = 0; i < na && i < f->top; i++) {
				char cc[3];

				sw_area_name(a[i].area, cc);
				chart_colours_add(&r->colours, cc);
			}
		free(k);
		free(a);
	}
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

/* The output folder, the time zone of the charts' axes and the RRD files' reader. */
static int open_output(const struct report_opts *o, struct report *r)
{
	static char env_daemon[512];
	const char *daemon = o->daemon;
	int fd;

	/* Made, then opened without following a link there, as every file in it is (safe_file.h). */
	fd = sf_dir(AT_FDCWD, o->out_dir, SW_MODE_PUB_DIR);
	if (fd < 0) {
		sw_err("%s: %s", o->out_dir, sf_strerror(fd));
		return fd;
	}
	close(fd);
	/* librrd would send the charts' own series to $RRDCACHED_ADDRESS: it is --rrdcached. */
	if (!daemon && getenv("RRDCACHED_ADDRESS") && *getenv("RRDCACHED_ADDRESS")) {
		snprintf(env_daemon, sizeof(env_daemon), "%s", getenv("RRDCACHED_ADDRESS"));
		daemon = env_daemon;
	}
	unsetenv("RRDCACHED_ADDRESS");
	/* rrdgraph labels its axes in local time; the charts' days are UTC days. */
	if (use_time_zone("UTC"))
		return -EINVAL;
	if (rrdio_open(&r->io, daemon)) {
		sw_err("%s", r->io.errmsg);
		return -EIO;
	}
	return 0;
}

/* Writes the report of the figures; 0, or SW_EXIT_FAIL once said. */
static int render(const struct report_opts *o, const struct daysrc *src,
		  const struct report_figures *f)
{
	struct report r = { .src = src,
			    .data_dir = o->data_dir,
			    .out_dir = o->out_dir,
			    .width = o->width,
			    .height = o->height,
			    .svg = o->svg };
	int err;

	if (open_output(o, &r))
		return SW_EXIT_FAIL;
	seed_colours(&r, f);
	progress_init(&r.progress, "report", o->quiet);
	err = write_report(&r, f);
	progress_done(&r.progress);
	rrdio_close(&r.io);
	chart_colours_free(&r.colours);
	if (err) {
		sw_err("cannot write the report in %s: %s", o->out_dir, strerror(-err));
		return SW_EXIT_FAIL;
	}
	printf("%s/report.md\n%s/report.html\n", o->out_dir, o->out_dir);
	if (r.failed)
		sw_warn("%u of %u charts could not be drawn (the report says why)", r.failed,
			r.failed + r.drawn);
	return 0;
}

/* Reads every figure, then writes them. */
static int report_month(struct report_opts *o, const struct daysrc *src)
{
	struct report_figures *f = calloc(1, sizeof(*f));
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
	/* Summaries that do not parse are bad input: said before anything is written. */
	if (err)
		sw_err("%s", errmsg);
	ret = err == -EINVAL ? SW_EXIT_USAGE : err ? SW_EXIT_FAIL : render(o, src, f);
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
