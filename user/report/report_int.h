/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the files of user/report that write the report share: the documents and charts being
 * written, and the sections, each rendering the figures (figures.h) without reading the store.
 */
#ifndef SW_REPORT_INT_H
#define SW_REPORT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "charts.h"
#include "doc.h"
#include "figures.h"
#include "numfmt.h"
#include "progress.h"

#define VICTIMS_SHOWN 20
#define KEY_CHARTS_MAX 4

/* The report being written. */
struct report {
	const struct daysrc *src; /* the day series the charts draw */
	const char *data_dir, *out_dir;
	unsigned int width, height;
	bool svg; /* each chart as SVG too, beside its PNG */
	struct rrdio io;
	struct doc doc;
	struct chart_colours colours; /* one per key and area, across every chart */
	struct progress progress;
	unsigned int drawn, failed;
};

/*
 * Writes the report of f into r->out_dir (made if missing), its charts read through daemon
 * (rrdcached) or from the files: 0, or SW_EXIT_FAIL once said. r has its options set.
 */
int report_render(struct report *r, const struct report_figures *f, const char *daemon, bool quiet);

/* The same numbers as the charts' legends print (numfmt.h). */
#define fmt_count sw_fmt_count
#define fmt_share sw_fmt_share
#define per_day sw_per_day

void report_section_summary(struct report *r, const struct report_figures *f);
void report_section_compare(struct report *r, const struct report_figures *f);
void report_section_month(struct report *r, const struct report_figures *f);
void report_section_six(struct report *r, const struct report_figures *f);
void report_section_explain(struct report *r, const struct report_figures *f);
void report_section_backscatter(struct report *r, const struct report_figures *f);
void report_section_fingerprints(struct report *r, const struct report_figures *f);
void report_section_trends(struct report *r, const struct report_figures *f);
void report_section_alerts(struct report *r, const struct report_figures *f);
void report_section_points(struct report *r, const struct report_figures *f);

/* A table's label, above it: "Table 2-3: ...". */
void __attribute__((format(printf, 2, 3))) report_caption(struct report *r, const char *fmt, ...);
void report_area_label(int a, char out[8]);
void report_duration_str(uint64_t ns, char *buf, size_t len);
void report_time_ns_str(uint64_t ns, char *buf, size_t len);
/* A row of a table of days: name, days, accesses, sources, accesses and sources a day. */
void report_days_row(struct report *r, const char *name, unsigned int days,
		     const struct summary_totals *t);
/* A table of the first max of keys (ranked): key, kind, accesses, sources. */
void report_top_keys(struct report *r, const struct tally_key *const *keys, size_t n, size_t max);

/*
 * Draws one chart of the catalogue into the output folder and puts it in the document, or a
 * note of why it could not be drawn: over the month, its series ranked by the month's figures;
 * over the six months; or an alert's key over the month and the one before.
 */
void report_chart_month(struct report *r, const struct report_figures *f, const char *name,
			const char *caption);
void report_chart_six(struct report *r, const struct report_figures *f, const char *name,
		      const char *caption);
void report_chart_key(struct report *r, const struct report_figures *f, const struct alert *key,
		      const char *caption);

#endif
