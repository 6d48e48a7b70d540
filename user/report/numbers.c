// SPDX-License-Identifier: GPL-2.0-only
/*
 * The report's small pieces: captions, month names, durations, and a month's figures loaded
 * from the daily summaries.
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

/* A table's label, above it: "Table 2-3: ...". */
void __attribute__((format(printf, 2, 3))) report_caption(struct report *r, const char *fmt, ...)
{
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	doc_para(&r->doc, "**%s**", text);
}

void report_month_name(int y, int m, char out[32])
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = 1 };

	strftime(out, 32, "%B %Y", &tm);
}

void report_add_months(int *y, int *m, int n)
{
	int v = *y * 12 + (*m - 1) + n;

	*y = v / 12;
	*m = v % 12 + 1;
}

void report_area_label(int a, char out[8])
{
	if (a == SW_AREA_UNKNOWN)
		snprintf(out, 8, "unknown");
	else
		sw_area_name(a, out);
}

void report_duration_str(uint64_t ns, char *buf, size_t len)
{
	uint64_t s = ns / 1000000000ULL;

	if (s >= 86400)
		snprintf(buf, len, "%" PRIu64 " d %" PRIu64 " h %" PRIu64 " min", s / 86400,
			 s % 86400 / 3600, s % 3600 / 60);
	else if (s >= 3600)
		snprintf(buf, len, "%" PRIu64 " h %" PRIu64 " min", s / 3600, s % 3600 / 60);
	else if (s >= 60)
		snprintf(buf, len, "%" PRIu64 " min %" PRIu64 " s", s / 60, s % 60);
	else
		snprintf(buf, len, "%.3f s", ns / 1e9);
}

void report_time_ns_str(uint64_t ns, char *buf, size_t len)
{
	time_t t = (time_t)(ns / 1000000000ULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
}

/* The selected points' summaries of days [from, to], added up; *pd: point-days found. */
static int load_span(struct report *r, int64_t from, int64_t to, struct tally *t, unsigned int *pd)
{
	*pd = 0;
	for (size_t i = 0; i < r->npoints; i++) {
		unsigned int nd;
		int err = summary_load(&r->src, r->points[i], from, to, t, &nd, r->errmsg,
				       sizeof(r->errmsg));

		if (err)
			return err;
		*pd += nd;
	}
	return 0;
}

int report_load_month(struct report *r, int y, int m, struct tally *t, unsigned int *pd)
{
	int64_t f, l;

	sw_month_days(y, m, &f, &l);
	return load_span(r, f, l, t, pd);
}

void report_top_keys(struct report *r, const struct tally_key **keys, size_t n, size_t max)
{
	static const char *const heads[] = { "key", "kind", "accesses", "sources" };
	char a[32], b[32];

	doc_table(&r->doc, 4, "llrr", heads);
	for (size_t i = 0; i < n && i < max; i++) {
		char key[SW_KEY_STRLEN];
		const char *row[4] = { key, sw_kind_names[keys[i]->key.kind],
				       fmt_count(keys[i]->accesses, a),
				       fmt_count(keys[i]->sources, b) };

		sw_key_str(&keys[i]->key, key);
		doc_row(&r->doc, row);
	}
	doc_table_end(&r->doc);
}
