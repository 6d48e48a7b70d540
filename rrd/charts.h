/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The chart catalogue of `scanwatch graph`: one definition per chart, the argument vector each
 * one hands to rrd_graph_v, and what its legend says. Per-day charts draw the exact daily
 * summaries (daysrc.h) as series in memory (memseries.h); the key chart of a short
 * window draws the rows of the key's RRD file (README.md, "RRD files") with its Holt-Winters
 * archives. Every total in a legend is an exact count, and rrdgraph's own total of what it drew
 * is checked against it before a chart is kept.
 */
#ifndef SW_CHARTS_H
#define SW_CHARTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rrd.h>

#include "colours.h"
#include "memseries.h"
#include "points.h"
#include "rrdio.h"
#include "scanwatch.h"
#include "tally.h"

#define CHART_TOP_DEFAULT 10
#define CHART_TOP_MAX 20

enum chart_type {
	CHART_POINTS, /* per point per day, and the mean of the points */
	CHART_KEYS, /* top keys stacked per day, the rest as "other" */
	CHART_AREAS, /* top areas stacked per day, the rest as "other" */
	CHART_KEY_SHARE, /* the same as percentages of the day's total */
	CHART_AREA_SHARE,
	CHART_KEY_HW, /* one key, its Holt-Winters band and failures */
	CHART_KINDS, /* scan, backscatter, other */
	CHART_FINGERPRINTS, /* Mirai, ZMap, masscan */
};

enum chart_measure { CHART_ACCESSES, CHART_SOURCES };

struct chart_def {
	const char *name; /* what --chart takes */
	const char *group; /* --chart also takes this: every chart of the group */
	enum chart_type type;
	enum chart_measure measure;
	unsigned int days; /* the window when neither --start nor --end is given */
	const char *what; /* one line for --help */
};

extern const struct chart_def chart_catalogue[];
extern const size_t chart_catalogue_len;

/* The chart named so, or NULL. */
const struct chart_def *chart_find(const char *name);
/* Whether name is the chart's own name or its group's. */
bool chart_matches(const struct chart_def *c, const char *name);

/* A key as the charts name it: kinds merged, since one RRD file holds all three. */
struct chart_key {
	__u8 cls;
	__u16 num;
};

void chart_key_str(const struct chart_key *k, char *buf, size_t len);
/* "tcp_445", "icmp_echo", "frag": the file name under keys/, without ".rrd". */
void chart_key_file(const struct chart_key *k, char *buf, size_t len);
/* Parses "tcp/445", "icmp/echo", "frag"...; 0 or -EINVAL. */
int chart_key_parse(const char *str, struct chart_key *k);

/* A ranked series: a key or an area with its exact figure over the window. */
struct chart_rank {
	struct chart_key key; /* keys only */
	int area; /* areas only: sw_area_index() */
	uint64_t value;
};

/*
 * Ranks keys (kinds merged) or areas of the daily summaries by the measure, descending, ties in
 * key or area order. The caller frees *out.
 */
int chart_rank_keys(const struct tally *t, enum chart_measure m, struct chart_rank **out,
		    size_t *n);
int chart_rank_areas(const struct tally *t, enum chart_measure m, struct chart_rank **out,
		     size_t *n);

/* What one drawing needs; the CLI fills it, tests too. */
struct daysrc;

struct chart_req {
	const struct daysrc *src; /* the daily summaries: the data directory's or the database's */
	const char *data_dir; /* the RRD files', or NULL (then only rrdcached's, by address) */
	struct rrdio *io; /* the files themselves, or rrdcached (rrdio_open) */
	char (*points)[SW_POINT_LEN]; /* the points summed (or drawn one by one) */
	size_t npoints;
	bool all_points; /* no --point: titles say "all points" */
	int64_t start, end; /* epoch seconds; per-day charts round both to UTC midnight */
	struct chart_key key; /* CHART_KEY_HW */
	bool have_key;
	int kind; /* CHART_KEY_HW: the kind whose Holt-Winters archives are drawn, or -1 */
	unsigned int top; /* stacked series before "other" */
	const struct tally *ranked; /* daily summaries over the window, all points given */
	struct chart_colours
		*colours; /* shared by several charts (names added as drawn), or NULL */
	unsigned int width, height; /* of the plot area, pixels */
};

/* A growable argument vector of owned strings, as rrd_graph_v takes it. */
struct chart_argv {
	char **v;
	int n; /* argc: the last is followed by NULL */
	size_t cap;
	int err; /* first error while building: -ENOMEM */
};

void chart_argv_free(struct chart_argv *av);

/* One figure of a legend, as --print shows it: "LABEL=VALUE" or "LABEL=no data". */
struct chart_figure {
	char label[40];
	bool have; /* false: no day (or row) of the window has data */
	bool share; /* value is a percentage */
	double value; /* an exact count, or a share in % */
	int print; /* rrdgraph's PRINT of the same total over what it drew, or -1 */
};

/* What one drawing is made of. */
struct chart_built {
	struct chart_argv av;
	struct memseries ms; /* the series the chart draws from memory */
	struct chart_figure *fig;
	size_t nfig, figcap;
	int nprint; /* PRINTs in av */
};

void chart_built_free(struct chart_built *b);

/*
 * Builds the rrd_graph_v arguments of one chart into out file path (its --imgformat set from
 * format, "PNG" or "SVG") and the figures of its legend. 0, or -errno with one line in errmsg
 * (-ENOENT: nothing to draw from).
 */
int chart_build(const struct chart_def *c, const struct chart_req *req, const char *out_path,
		const char *format, struct chart_built *out, char *errmsg, size_t errlen);

/*
 * Draws one chart to out_path, written under a temporary name and renamed. On success *info is
 * rrd_graph_v's answer (legend[N], image size ...) whose print[N] are the chart's figures in
 * legend order, "LABEL=VALUE" or "LABEL=no data", for the caller to rrd_info_free; info may be
 * NULL when the caller has no use for it. A figure rrdgraph did not draw as the summaries have
 * it fails the chart (-EIO).
 */
int chart_draw(const struct chart_def *c, const struct chart_req *req, const char *out_path,
	       const char *format, rrd_info_t **info, char *errmsg, size_t errlen);

/* The value of key ("print[0]", "legend[3]") in a graphv answer, or NULL. */
const char *chart_info_str(const rrd_info_t *info, const char *key);

#endif
