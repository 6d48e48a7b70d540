/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The alerts a point raised, as DATA_DIR/POINT/alerts.log keeps them: what the daemon and
 * replay append, and what the report, `scanwatch alerts` and the central database read back.
 */
#ifndef SW_ALERTLOG_H
#define SW_ALERTLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keyfmt.h"
#include "points.h"

enum alert_kind { ALERT_HW, ALERT_SURGE_MONTH, ALERT_SURGE_WEEK, ALERT_TREND, ALERT_NKINDS };

extern const char *const alert_kind_names[ALERT_NKINDS];

#define ALERT_LOG_FILE "alerts.log" /* in DATA_DIR/POINT */

#define ALERT_TIME_LEN 20 /* "2009-10-05T07:00Z" or "2009-10-05" */

struct alert {
	enum alert_kind kind;
	char point[SW_POINT_LEN]; /* "" for all points together */
	char key[SW_KEY_STRLEN]; /* "tcp/445"; "total" for totals.rrd */
	int key_kind; /* enum sw_kind */
	bool sources; /* the measure: sources, or accesses */
	/* The period judged (days), or a failure run's first and last failing rows (UTC). */
	char from[ALERT_TIME_LEN], to[ALERT_TIME_LEN];
	char base_from[11], base_to[11]; /* the period it is compared with; "" for hw */
	int64_t at; /* when it can be raised: the period's end, or the first failing row's end */
	/*
	 * Surges and trend: the day's count or the period's mean a day, and the baseline's. hw: the
	 * count observed in the first failing step and what Holt-Winters predicted (NAN when its
	 * archive no longer has it).
	 */
	double value, baseline;
	double value_sources, baseline_sources; /* trend: the same for sources; NAN otherwise */
	double change_pct; /* surges; NAN for a key the baseline did not have, and otherwise */
	double score; /* trend; NAN otherwise */
	bool open; /* hw: still failing at the last row seen */
};

struct alert_list {
	struct alert *v;
	size_t n, cap;
};

int alert_list_add(struct alert_list *l, const struct alert *a);
void alert_list_free(struct alert_list *l);
/* By time, then kind, point, key: the order of every listing. */
void alert_list_sort(struct alert_list *l);
/* One line: what happened, where, by how much. */
void alert_describe(const struct alert *a, char *buf, size_t len);

/* The point's alerts.log, one line per alert (README.md); hw runs: the last line of each. */
int alerts_log_read(const char *data_dir, const char *point, struct alert_list *out, char *errmsg,
		    size_t errlen);
int alerts_log_append(const char *data_dir, const struct alert *a);
/* One line of alerts.log as append writes it, without its newline. */
void alerts_log_format(const struct alert *a, char *buf, size_t len);
/* Reads one line into out as alerts_log_read() does (bad: lines passed over). */
int alerts_log_parse(const char *point, char *line, struct alert_list *out, unsigned int *bad);

/* "2009-10-05T07:00Z" of a time, and back (-1 when it is not one). */
void alert_time_str(int64_t t, char out[ALERT_TIME_LEN]);
int64_t alert_time_parse(const char *s);
/* The same series: kind, point, key and measure. */
bool alert_same_series(const struct alert *a, const struct alert *b);

#endif
