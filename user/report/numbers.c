// SPDX-License-Identifier: GPL-2.0-only
/* The report's small pieces: captions, area names, durations, times, rows and a table of keys. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "keyfmt.h"
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

void report_days_row(struct report *r, const char *name, unsigned int days,
		     const struct summary_totals *t)
{
	char a[32], b[32], c[32], d[32], e[16];
	const char *row[6] = { name, e, a, b, c, d };

	snprintf(e, sizeof(e), "%u", days);
	fmt_count(t->accesses, a);
	fmt_count(t->sources, b);
	fmt_count(per_day(t->accesses, days), c);
	fmt_count(per_day(t->sources, days), d);
	doc_row(&r->doc, row);
}

void report_top_keys(struct report *r, const struct tally_key *const *keys, size_t n, size_t max)
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
