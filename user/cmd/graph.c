// SPDX-License-Identifier: GPL-2.0-only
/*
 * `scanwatch graph`: draws the chart catalogue (rrd/charts.h) from a data directory as PNG and
 * SVG. Keys and areas are ranked from the exact daily summaries of the window; the curves come
 * from the RRD files, through rrdcached when asked.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <inttypes.h>
#include <limits.h>
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
#include "keyfmt.h"
#include "log.h"
#include "params.h"
#include "parse_num.h"
#include "points.h"
#include "progress.h"
#include "safe_file.h"
#include "summary.h"

#define MAX_POINTS 256
#define MAX_CHARTS 32

/*
 * Parses a time: @EPOCH, YYYY-MM, YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS], all UTC. *whole says how
 * much an end of that form includes: a month, a day, or nothing (an instant).
 */
static int parse_time(const char *s, int64_t *t, int64_t *whole)
{
	int64_t first, last;
	uint64_t v;
	int y, m;

	*whole = 0;
	if (s[0] == '@') {
		if (parse_u64(s + 1, 0, 253402300799ull, &v))
			return -EINVAL;
		*t = (int64_t)v;
		return 0;
	}
	if (!sw_month_parse(s, &y, &m)) {
		sw_month_days(y, m, &first, &last);
		*t = first * SW_DAY_S;
		*whole = (last - first + 1) * SW_DAY_S;
		return 0;
	}
	if (!sw_day_parse(s, &first)) {
		*t = first * SW_DAY_S;
		*whole = SW_DAY_S;
		return 0;
	}
	/* The instant forms: no zone letter, the time is UTC by definition here. */
	if (strchr(s, 'Z'))
		return -EINVAL;
	return sw_time_parse(s, t);
}

/*
 * The newest data of any point, a daily summary's day or an update of its totals: the default
 * end of every window (its day is drawn whole).
 */
static int newest_update(struct rrdio *io, const char *data_dir, char (*points)[SW_POINT_LEN],
			 size_t n, int64_t *last)
{
	char name[PATH_MAX];

	*last = 0;
	for (size_t i = 0; i < n; i++) {
		struct rrdio_meta meta;
		int64_t first, day;

		if (!dayfile_span(data_dir, points[i], &first, &day) &&
		    (day + 1) * SW_DAY_S - 1 > *last)
			*last = (day + 1) * SW_DAY_S - 1;
		if (rrdio_name(io, data_dir, points[i], "totals.rrd", name, sizeof(name)) ||
		    rrdio_info(io, name, &meta))
			continue;
		if ((int64_t)meta.last_s > *last)
			*last = (int64_t)meta.last_s;
	}
	return *last ? 0 : -ENOENT;
}

struct graph_opts {
	const char *data_dir, *out_dir, *daemon;
	struct rrdio *io;
	char (*points)[SW_POINT_LEN];
	size_t npoints;
	bool all_points;
	const char *charts[MAX_CHARTS];
	size_t ncharts;
	int64_t start, end; /* -1: not given */
	struct chart_key key;
	bool have_key;
	int kind;
	unsigned int top, width, height;
	int format; /* FORMAT_*, made png and svg */
	bool png, svg, print, quiet;
	struct daysrc src; /* the data directory's daily summaries */
	struct chart_colours colours; /* one colour per key and area across the run's charts */
	struct progress progress;
	size_t ndrawn, ntodo;
};

static void window_of(const struct graph_opts *o, const struct chart_def *c, int64_t newest,
		      int64_t *s, int64_t *e)
{
	int64_t len = (int64_t)c->days * SW_DAY_S;

	if (o->start >= 0 && o->end >= 0) {
		*s = o->start;
		*e = o->end;
	} else if (o->start >= 0) {
		*s = o->start;
		*e = o->start + len;
	} else {
		/* The newest update's day is drawn whole, though its daily value is not in yet. */
		*e = o->end >= 0 ? o->end : newest + (SW_DAY_S - newest % SW_DAY_S) % SW_DAY_S;
		*s = *e - len;
	}
}

/* The exact summaries of the window's UTC days, of the points drawn. */
static int load_ranking(const struct graph_opts *o, char (*points)[SW_POINT_LEN], size_t n,
			int64_t s, int64_t e, struct tally *t, unsigned int *ndays)
{
	struct daysrc src = daysrc_files(o->data_dir);
	char errmsg[512];
	int64_t from = s / SW_DAY_S, to = (e - 1) / SW_DAY_S;
	unsigned int nd;
	int err;

	*ndays = 0;
	tally_reset(t);
	for (size_t i = 0; i < n; i++) {
		err = summary_load(&src, points[i], from, to, t, &nd, errmsg, sizeof(errmsg));
		if (err) {
			sw_err("%s", errmsg);
			return err == -EINVAL ? -EBADMSG : err;
		}
		*ndays += nd;
	}
	return 0;
}

/* The kind of the key with most accesses in the summaries; scan when they do not have it. */
static int top_kind(const struct tally *t, const struct chart_key *k)
{
	uint64_t best = 0;
	int kind = SW_KIND_SCAN;

	for (size_t i = 0; i < t->nkeys; i++) {
		const struct tally_key *tk = &t->keys[i];

		if (tk->key.cls == k->cls && tk->key.num == k->num && tk->accesses > best) {
			best = tk->accesses;
			kind = tk->key.kind;
		}
	}
	return kind;
}

static void print_info(const char *chart, const char *suffix, const rrd_info_t *info)
{
	char key[32];

	for (int i = 0;; i++) {
		const char *v;

		snprintf(key, sizeof(key), "print[%d]", i);
		v = chart_info_str(info, key);
		if (!v)
			break;
		printf("%s%s %s\n", chart, suffix, v);
	}
}

/* Says on stderr which figures of a chart have no data: all of them, or some by name. */
static void warn_no_data(const char *chart, const char *suffix, const struct chart_req *req,
			 const rrd_info_t *info)
{
	char key[32], names[256] = "", from[11], to[11];
	size_t off = 0;
	int n = 0, none = 0;

	for (;; n++) {
		const char *v, *eq;

		snprintf(key, sizeof(key), "print[%d]", n);
		v = chart_info_str(info, key);
		if (!v)
			break;
		eq = strrchr(v, '=');
		if (!eq || strcmp(eq + 1, "no data"))
			continue;
		none++;
		if (off < sizeof(names) - 40)
			off += (size_t)snprintf(names + off, sizeof(names) - off, "%s%.*s",
						none > 1 ? ", " : "", (int)(eq - v), v);
	}
	if (!none)
		return;
	sw_day_format(req->start / SW_DAY_S, from);
	sw_day_format((req->end - 1) / SW_DAY_S, to);
	if (none == n)
		sw_warn("chart %s%s: no data from %s to %s", chart, suffix, from, to);
	else
		sw_warn("chart %s%s: no data for %s from %s to %s", chart, suffix, names, from, to);
}

static int draw_one(struct graph_opts *o, const struct chart_def *c, const struct chart_req *req,
		    const char *suffix)
{
	static const char *const fmts[2] = { "PNG", "SVG" };
	static const char *const exts[2] = { "png", "svg" };
	char path[PATH_MAX], errmsg[1024];
	bool printed = false;

	progress_say(&o->progress, "drawing %s%s (%zu of %zu)", c->name, suffix, ++o->ndrawn,
		     o->ntodo);
	for (int f = 0; f < 2; f++) {
		rrd_info_t *info = NULL;
		int err;

		if ((f == 0 && !o->png) || (f == 1 && !o->svg))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s%s.%s", o->out_dir, c->name, suffix,
			     exts[f]) >= (int)sizeof(path)) {
			sw_err("%s: output path too long", c->name);
			return -ENAMETOOLONG;
		}
		err = chart_draw(c, req, path, fmts[f], &info, errmsg, sizeof(errmsg));
		if (err) {
			sw_err("chart %s%s: %s", c->name, suffix, errmsg);
			return err;
		}
		printf("%s\n", path);
		if (!printed) {
			warn_no_data(c->name, suffix, req, info);
			if (o->print)
				print_info(c->name, suffix, info);
			printed = true;
		}
		rrd_info_free(info);
	}
	return 0;
}

/* -EBADMSG: a daily summary does not parse (reported); other errors: the chart failed. */
static int draw_chart(struct graph_opts *o, const struct chart_def *c, int64_t newest,
		      struct tally *ranked)
{
	struct chart_req req = {
		.src = &o->src,
		.data_dir = o->data_dir,
		.io = o->io,
		.points = o->points,
		.npoints = o->npoints,
		.all_points = o->all_points,
		.key = o->key,
		.have_key = o->have_key,
		.kind = o->kind,
		.top = o->top,
		.ranked = ranked,
		.width = o->width,
		.height = o->height,
	};
	unsigned int ndays;
	char suffix[96];
	int err, failed = 0;

	window_of(o, c, newest, &req.start, &req.end);
	req.colours = &o->colours;
	if (c->type != CHART_KEY_HW) {
		/* Daily summaries are per day: rank over the days the chart shows. */
		int64_t s = req.start - req.start % SW_DAY_S;
		int64_t e = req.end + (SW_DAY_S - req.end % SW_DAY_S) % SW_DAY_S;

		err = load_ranking(o, o->points, o->npoints, s, e, ranked, &ndays);
		if (err)
			return err;
		snprintf(suffix, sizeof(suffix), "%s%s", o->all_points ? "" : "-",
			 o->all_points ? "" : (o->npoints == 1 ? o->points[0] : "selected"));
		return draw_one(o, c, &req, suffix);
	}
	/* Holt-Winters bands do not add up across points: one chart per point. */
	for (size_t p = 0; p < o->npoints; p++) {
		char kf[32];

		req.points = &o->points[p];
		req.npoints = 1;
		req.all_points = false;
		err = load_ranking(o, req.points, 1, req.start - req.start % SW_DAY_S,
				   req.end + (SW_DAY_S - req.end % SW_DAY_S) % SW_DAY_S, ranked,
				   &ndays);
		if (err)
			return err;
		if (!req.have_key) {
			struct chart_rank *r;
			size_t nr;

			if (chart_rank_keys(ranked, CHART_ACCESSES, &r, &nr))
				return -ENOMEM;
			if (nr) {
				req.key = r[0].key;
				req.have_key = true;
			}
			free(r);
		}
		if (!req.have_key) {
			sw_warn("chart key: no --key and no daily summary of %s to pick one",
				o->points[p]);
			continue;
		}
		if (req.kind < 0)
			req.kind = top_kind(ranked, &req.key);
		chart_key_file(&req.key, kf, sizeof(kf));
		snprintf(suffix, sizeof(suffix), "-%s-%s", kf, o->points[p]);
		if (draw_one(o, c, &req, suffix))
			failed++;
		req.have_key = o->have_key;
		req.key = o->key;
		req.kind = o->kind;
	}
	return failed ? -EIO : 0;
}

static int add_point(void *field, const char *arg, const char *cmd)
{
	struct graph_opts *o = field;

	return param_point_add(o->points, &o->npoints, MAX_POINTS, arg, cmd);
}

static int add_chart(void *field, const char *arg, const char *cmd)
{
	struct graph_opts *o = field;
	bool known = false;

	for (size_t i = 0; i < chart_catalogue_len; i++)
		known |= chart_matches(&chart_catalogue[i], arg);
	if (!known)
		return usage_error(cmd, "unknown chart '%s'", arg);
	if (o->ncharts == MAX_CHARTS)
		return usage_error(cmd, "too many --chart");
	o->charts[o->ncharts++] = arg;
	return 0;
}

static int set_start(void *field, const char *arg, const char *cmd)
{
	int64_t whole;

	if (parse_time(arg, field, &whole))
		return usage_error(cmd, "bad --start time '%s'", arg);
	return 0;
}

static int set_end(void *field, const char *arg, const char *cmd)
{
	int64_t *end = field, whole;

	if (parse_time(arg, end, &whole))
		return usage_error(cmd, "bad --end time '%s'", arg);
	*end += whole;
	return 0;
}

static int set_key(void *field, const char *arg, const char *cmd)
{
	struct graph_opts *o = field;

	if (chart_key_parse(arg, &o->key))
		return usage_error(cmd, "bad --key '%s' (tcp/445, icmp/echo ...)", arg);
	o->have_key = true;
	return 0;
}

static int set_kind(void *field, const char *arg, const char *cmd)
{
	int *kind = field;

	*kind = sw_kind_parse(arg);
	if (*kind < 0)
		return usage_error(cmd, "bad --kind '%s'", arg);
	return 0;
}

#define STR_(x) #x
#define STR(x) STR_(x)

enum { FORMAT_PNG, FORMAT_SVG, FORMAT_BOTH };
static const char *const formats[] = { "png", "svg", "both", NULL };

static const struct param graph_params[] = {
	{ "data-dir", 'd', PARAM_STRING, offsetof(struct graph_opts, data_dir), "DIR",
	  "the data directory 'run' or 'replay' wrote" },
	{ "out", 'o', PARAM_STRING, offsetof(struct graph_opts, out_dir), "DIR",
	  "where the images go (created if missing)" },
	{ "point", 'p', PARAM_FUNC, 0, "NAME",
	  "draw this point only (repeatable; default: all, summed)", .fn = add_point },
	{ "chart", 'c', PARAM_FUNC, 0, "NAME",
	  "a chart or a group below (repeatable; default: all)", .fn = add_chart },
	{ "start", 's', PARAM_FUNC, offsetof(struct graph_opts, start), "T",
	  "window start: YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS] (UTC),\n"
	  "YYYY-MM (first day) or @EPOCH",
	  .fn = set_start },
	{ "end", 'e', PARAM_FUNC, offsetof(struct graph_opts, end), "T",
	  "window end, same forms; a date or month is included whole\n"
	  "(default: the day of the newest update; the window is\n"
	  "each chart's own length before it)",
	  .fn = set_end },
	{ "key", 'k', PARAM_FUNC, 0, "K",
	  "the key of the 'key' chart: tcp/445, udp/53, icmp/echo...\n"
	  "(default: the window's top key)",
	  .fn = set_key },
	{ "kind", 0, PARAM_FUNC, offsetof(struct graph_opts, kind), "KIND",
	  "its kind: scan, backscatter or other (default: the\n"
	  "key's largest in the window)",
	  .fn = set_kind },
	{ "top", 'n', PARAM_UINT, offsetof(struct graph_opts, top), "N",
	  "keys or areas stacked before 'other'", STR(CHART_TOP_DEFAULT), .min = 1,
	  .max = CHART_TOP_MAX },
	{ "rrdcached", 'r', PARAM_STRING, offsetof(struct graph_opts, daemon), "ADDR",
	  "read through rrdcached (unix:/path or host:port)", .takes = "an address",
	  .nonempty = true },
	{ "format", 'f', PARAM_CHOICE, offsetof(struct graph_opts, format), "F",
	  "the images' format", "both", .choices = formats },
	{ "width", 0, PARAM_UINT, offsetof(struct graph_opts, width), "PX", "plot width", "800",
	  .min = 200, .max = 8000 },
	{ "height", 0, PARAM_UINT, offsetof(struct graph_opts, height), "PX", "plot height", "280",
	  .min = 100, .max = 4000 },
	{ "print", 0, PARAM_FLAG, offsetof(struct graph_opts, print), NULL,
	  "also print each chart's totals as 'CHART LABEL=VALUE'" },
	{ "quiet", 'q', PARAM_FLAG, offsetof(struct graph_opts, quiet), NULL,
	  "no progress line on a terminal" },
	{ "verbose", 'v', PARAM_FUNC, 0, NULL, "debug output", .fn = param_verbose },
	PARAM_END,
};

static void graph_charts_help(FILE *f)
{
	fprintf(f, "\nCharts (--chart takes a name or its group):\n");
	for (size_t i = 0; i < chart_catalogue_len; i++)
		fprintf(f, "  %-21s %-13s %s\n", chart_catalogue[i].name, chart_catalogue[i].group,
			chart_catalogue[i].what);
}

static const struct param_cmd graph_cmd = {
	.name = "graph",
	.usage = "Usage: scanwatch graph --data-dir DIR --out DIR [options]\n",
	.desc = "Draw the charts of a data directory with rrdgraph, as PNG and SVG. Per-day charts\n"
		"draw the exact daily summaries (the day in progress up to its last stored\n"
		"interval); the key chart of a window of 3 days or less draws the key's RRD file\n"
		"with its Holt-Winters band. Every total in a legend is exact; a chart or a series\n"
		"without data says \"no data\".\n",
	.more = graph_charts_help,
	.examples =
		"  # every chart of the latest data of every point\n"
		"  scanwatch graph --data-dir /var/lib/scanwatch --out /var/www/scanwatch\n"
		"  # TALOT2's month: keys and areas of October 2009, as PNG\n"
		"  scanwatch graph -d /var/lib/scanwatch -o out --start 2009-10 --end 2009-10 \\\n"
		"      --chart keys --chart areas --chart share --format png\n"
		"  # ISDAS's 445/tcp graph with its Holt-Winters band\n"
		"  scanwatch graph -d /var/lib/scanwatch -o out --point tokyo --chart key \\\n"
		"      --key tcp/445 --start 2008-12-05 --end 2009-02-04\n",
};

static int parse_args(struct graph_opts *o, int argc, char **argv)
{
	const struct param_set sets[] = { { graph_params, o }, {} };
	int err = params_parse(&graph_cmd, sets, argc, argv);

	if (err)
		return err;
	o->png = o->format != FORMAT_SVG;
	o->svg = o->format != FORMAT_PNG;
	if (!o->data_dir)
		return usage_error("graph", "--data-dir is required");
	if (!o->out_dir)
		return usage_error("graph", "--out is required");
	return 0;
}

/* What the options leave unsaid; --point fills points, of MAX_POINTS names. */
static void graph_opts_init(struct graph_opts *o, char (*points)[SW_POINT_LEN])
{
	*o = (struct graph_opts){ .start = -1,
				  .end = -1,
				  .kind = -1,
				  .top = CHART_TOP_DEFAULT,
				  .format = FORMAT_BOTH,
				  .points = points };
}

/* The points asked for, each a directory; or, with none asked for, every point there is. */
static int find_points(struct graph_opts *o, char points[][SW_POINT_LEN])
{
	struct stat st;
	int err;

	for (size_t i = 0; i < o->npoints; i++) {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/%s", o->data_dir, points[i]);
		if (stat(path, &st) || !S_ISDIR(st.st_mode))
			return usage_error("graph", "no point '%s' in %s", points[i], o->data_dir);
	}
	if (o->npoints)
		return 0;
	o->all_points = true;
	err = sw_points_find(o->data_dir, SW_POINTS_DAILY | SW_POINTS_RRD, points, MAX_POINTS,
			     &o->npoints);
	if (err == -E2BIG)
		return usage_error("graph", "more than %d points: pick some with --point",
				   MAX_POINTS);
	if (err || !o->npoints)
		return usage_error("graph", "no point in data directory '%s'", o->data_dir);
	return 0;
}

/* Reads the daily summaries of every day the charts span: 0, -EBADMSG or another error. */
static int check_summaries(struct graph_opts *o, char points[][SW_POINT_LEN],
			   const struct chart_def *const *todo, size_t ntodo, int64_t newest)
{
	int64_t lo = INT64_MAX, hi = INT64_MIN, s, e;
	struct tally ranked;
	unsigned int ndays;
	int err;

	for (size_t i = 0; i < ntodo; i++) {
		window_of(o, todo[i], newest, &s, &e);
		lo = s < lo ? s : lo;
		hi = e > hi ? e : hi;
	}
	tally_init(&ranked);
	err = load_ranking(o, points, o->npoints, lo - (lo % SW_DAY_S + SW_DAY_S) % SW_DAY_S,
			   hi + (SW_DAY_S - hi % SW_DAY_S) % SW_DAY_S, &ranked, &ndays);
	tally_free(&ranked);
	return err;
}

int cmd_graph(int argc, char **argv)
{
	static char points[MAX_POINTS][SW_POINT_LEN], env_daemon[512];
	struct graph_opts o;
	const struct chart_def *todo[64];
	size_t ntodo = 0;
	int64_t newest = 0;
	struct tally ranked;
	struct rrdio io;
	struct stat st;
	int err, failed = 0;

	graph_opts_init(&o, points);
	err = parse_args(&o, argc, argv);
	if (err)
		return err == SW_HELP_SHOWN ? 0 : err;
	if (stat(o.data_dir, &st) || !S_ISDIR(st.st_mode))
		return usage_error("graph", "data directory '%s' does not exist", o.data_dir);
	o.src = daysrc_files(o.data_dir);
	if (o.start >= 0 && o.end >= 0 && o.end <= o.start)
		return usage_error("graph", "--end must come after --start");
	err = find_points(&o, points);
	if (err)
		return err;
	for (size_t i = 0; i < chart_catalogue_len; i++) {
		bool want = !o.ncharts;

		for (size_t j = 0; j < o.ncharts; j++)
			want |= chart_matches(&chart_catalogue[i], o.charts[j]);
		if (want)
			todo[ntodo++] = &chart_catalogue[i];
	}
	/*
	 * librrd sends every read to $RRDCACHED_ADDRESS unless told otherwise, and charts read
	 * series of their own: the variable is taken as --rrdcached, for the sensors' files alone.
	 */
	if (!o.daemon && getenv("RRDCACHED_ADDRESS") && *getenv("RRDCACHED_ADDRESS")) {
		snprintf(env_daemon, sizeof(env_daemon), "%s", getenv("RRDCACHED_ADDRESS"));
		o.daemon = env_daemon;
	}
	unsetenv("RRDCACHED_ADDRESS");
	/* rrdgraph labels its axis in local time; the charts' days are UTC days. */
	if (use_time_zone("UTC"))
		return SW_EXIT_FAIL;
	err = rrdio_open(&io, o.daemon);
	if (err) {
		sw_err("%s", io.errmsg);
		return SW_EXIT_FAIL;
	}
	o.io = &io;
	if ((o.start < 0 || o.end < 0) &&
	    newest_update(&io, o.data_dir, points, o.npoints, &newest)) {
		sw_err("no daily summary or totals.rrd under %s to take the window from: give "
		       "--start and --end",
		       o.data_dir);
		rrdio_close(&io);
		return SW_EXIT_FAIL;
	}
	/* Summaries that do not parse are bad input: say so before anything is written. */
	err = check_summaries(&o, points, todo, ntodo, newest);
	if (err) {
		rrdio_close(&io);
		return err == -EBADMSG ? SW_EXIT_USAGE : SW_EXIT_FAIL;
	}
	/* Made, then opened without following a link there, as every chart in it is (safe_file.h). */
	err = sf_dir(AT_FDCWD, o.out_dir, SW_MODE_PUB_DIR);
	if (err < 0) {
		sw_err("%s: %s", o.out_dir, sf_strerror(err));
		rrdio_close(&io);
		return SW_EXIT_FAIL;
	}
	close(err);
	tally_init(&ranked);
	progress_init(&o.progress, "graph", o.quiet);
	o.ntodo = ntodo;
	for (size_t i = 0; i < ntodo; i++)
		if (todo[i]->type == CHART_KEY_HW)
			o.ntodo += o.npoints - 1;
	for (size_t i = 0; i < ntodo; i++) {
		err = draw_chart(&o, todo[i], newest, &ranked);
		if (err == -EBADMSG) {
			progress_done(&o.progress);
			tally_free(&ranked);
			chart_colours_free(&o.colours);
			rrdio_close(&io);
			return SW_EXIT_USAGE;
		}
		if (err)
			failed++;
	}
	progress_done(&o.progress);
	tally_free(&ranked);
	chart_colours_free(&o.colours);
	rrdio_close(&io);
	return failed ? SW_EXIT_FAIL : 0;
}
