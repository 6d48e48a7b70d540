/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The monthly report's figures: every total, table and chart window it shows, built once from
 * the store before a line of it is written, so that the section writers only render them and a
 * bad summary is said before anything is. The charts are drawn by rrd/charts.c, which reads its
 * day series itself, over the windows, points and rankings given here.
 */
#ifndef SW_REPORT_FIGURES_H
#define SW_REPORT_FIGURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alerts.h"
#include "points.h"
#include "summary.h"
#include "victims.h"

#define REPORT_MAX_POINTS 256
#define REPORT_SIX 6 /* months of the statistics, the report's last */
#define REPORT_POINT_TOP 5 /* destinations of a point's section, and of the research scanners */
#define REPORT_FP_TOP 3 /* keys named beside each scanning tool */

/* One month of the points, added up. */
struct report_month {
	struct tally t;
	struct summary_totals totals, research;
	unsigned int point_days; /* with a summary */
	int64_t first, last; /* its days */
	char name[32]; /* "October 2009" */
	char short_name[8]; /* "2009-10" */
};

/* Keys and areas by accesses (summary_rank()); ok false when that failed. */
struct report_ranked {
	const struct tally_key **keys;
	int *areas;
	size_t nareas;
	bool ok;
};

/* One point's month; a point whose summaries were refused has no row (loaded false, no totals). */
struct report_point {
	bool loaded, ranked;
	unsigned int days;
	struct summary_totals totals;
	struct summary_watch watch;
	size_t nkeys;
	struct tally_key top[REPORT_POINT_TOP]; /* its first destinations, ranked */
};

/* A key of the month's or the previous month's top, in both. */
struct report_cmp_row {
	struct sw_key key;
	uint64_t cur, prev;
	bool rose; /* by the surge threshold a day, or new */
};

struct report_compare {
	struct report_cmp_row *rows;
	size_t n;
	bool ok;
};

/* A key's (or an area's) share in the month: the top rows, the rest summed after them. */
struct report_ratio_row {
	struct sw_key key;
	int area;
	uint64_t value;
};

struct report_ratio {
	struct report_ratio_row *rows; /* the first top of nitems */
	size_t nrows, nitems;
	uint64_t total, shown;
	bool ok;
};

/* A key's (or an area's) figure in each of the six months, ranked over the six. */
struct report_share_row {
	struct sw_key key;
	int area;
	uint64_t v[REPORT_SIX];
};

struct report_share {
	struct report_share_row *rows;
	size_t n;
	uint64_t totals[REPORT_SIX];
	bool ok;
};

struct report_figures {
	/* What the figures are of: the caller's to set before report_figures_build(). */
	char (*points)[SW_POINT_LEN];
	size_t npoints;
	bool chosen; /* --point given: "all points" is only these */
	int year, month;
	unsigned int top; /* rows of the ranked tables */
	struct alert_config cfg;

	/* The rest is built. */
	const char *src_name; /* where the summaries are: daysrc_name() */
	struct report_month months[REPORT_SIX]; /* oldest first: the month is the last */
	const struct report_month *cur, *prev;
	struct report_ranked cur_rank, prev_rank, research_rank;
	struct report_point *point; /* npoints of them */
	struct summary_watch watch; /* of every point */
	struct report_compare compare;
	struct report_ratio ratio[2][2]; /* [by area][of sources] */
	struct report_share share[2][2]; /* the same over the six months */
	const struct tally_key *fp_top[SW_NFPS][REPORT_FP_TOP]; /* NULL past the last */
	struct victim_set victims;
	int64_t trend_day; /* the month's last day with data, or INT64_MIN */
	bool scored; /* trends scored for it (else the section has no table) */
	struct trend_score *trends;
	size_t ntrends;
	struct alert_list alerts;
};

/*
 * Reads the store for every figure of the report. 0; -EINVAL when the month's or the previous
 * month's summaries are refused (bad input), -ENOMEM; errmsg says which. What the later sections
 * cannot read (a month of the six, victims, trends, alerts) is warned about, as the report notes
 * its absence. report_figures_free() in every case.
 */
int report_figures_build(struct report_figures *f, const struct daysrc *src, char *errmsg,
			 size_t errlen);
void report_figures_free(struct report_figures *f);

void report_month_name(int y, int m, char out[32]);
void report_add_months(int *y, int *m, int n);

/* The parts of report_figures_build(), each over what the ones before built. */
int report_figures_months(struct report_figures *f, const struct daysrc *src, char *errmsg,
			  size_t errlen);
int report_figures_points(struct report_figures *f, const struct daysrc *src);
void report_figures_tables(struct report_figures *f);
void report_figures_events(struct report_figures *f, const struct daysrc *src, char *errmsg,
			   size_t errlen);
void report_figures_free_tables(struct report_figures *f);

#endif
