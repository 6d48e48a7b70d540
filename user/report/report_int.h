/* SPDX-License-Identifier: GPL-2.0-only */
/* What the files of user/report share: the report being written and the steps that write it. */
#ifndef SW_REPORT_INT_H
#define SW_REPORT_INT_H

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

#define MAX_POINTS 256
#define SIX 6
#define VICTIMS_SHOWN 20
#define KEY_CHARTS_MAX 4

struct report {
	const char *data_dir, *db_url, *out_dir;
	struct daysrc src; /* the daily summaries: files or the database */
	struct db_conn db;
	char (*points)[SW_POINT_LEN];
	size_t npoints;
	bool chosen; /* --point given: "all points" is only these */
	int year, month;
	int64_t first, last; /* the month's days */
	unsigned int top, width, height;
	struct alert_config cfg;
	struct rrdio io;
	struct doc doc;
	struct tally cur, prev;
	unsigned int pd_cur, pd_prev; /* point-days with a summary */
	char cur_name[32], prev_name[32]; /* "October 2009" */
	char prev_short[8]; /* "2009-09" */
	unsigned int drawn, failed;
	bool svg; /* each chart as SVG too, beside its PNG */
	bool quiet;
	struct chart_colours colours; /* one per key and area, across every chart */
	struct progress progress;
	char errmsg[512];
};

/* The same numbers as the charts' legends print (numfmt.h). */
#define fmt_count sw_fmt_count
#define fmt_share sw_fmt_share
#define per_day sw_per_day

void report_section_explain(struct report *r);
void report_section_backscatter(struct report *r);
void report_section_fingerprints(struct report *r);
void report_section_trends(struct report *r);
void report_section_alerts(struct report *r);
void report_section_points(struct report *r);
/* A table's label, above it: "Table 2-3: ...". */
void __attribute__((format(printf, 2, 3))) report_caption(struct report *r, const char *fmt, ...);
void report_month_name(int y, int m, char out[32]);
void report_add_months(int *y, int *m, int n);
void report_area_label(int a, char out[8]);
void report_duration_str(uint64_t ns, char *buf, size_t len);
void report_time_ns_str(uint64_t ns, char *buf, size_t len);
int report_load_month(struct report *r, int y, int m, struct tally *t, unsigned int *pd);
void report_chart(struct report *r, const char *name, int64_t from, int64_t to,
		  const struct tally *ranked, const struct alert *key, const char *caption);
void report_section_summary(struct report *r);
void report_section_compare(struct report *r);
void report_section_month(struct report *r);
void report_section_six(struct report *r);

/* A table of the first max of keys (ranked): key, kind, accesses, sources. */
void report_top_keys(struct report *r, const struct tally_key **keys, size_t n, size_t max);

#endif
