/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Where the exact figures are read from: the one loader of "a point's days" (and of its
 * victims and alerts.log) that summary, report, alerts and the daemon's alert engine use, with
 * two back ends: a data directory's files, or the central database (db_read.h), which holds the
 * same rows (README.md, "Central database"). Whatever the back end, a day reads as a dayfile.
 */
#ifndef SW_DAYSRC_H
#define SW_DAYSRC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alertlog.h"
#include "dates.h"
#include "dayfile.h"
#include "points.h"
#include "victims.h"

struct db_conn;

struct daysrc {
	const char *data_dir; /* the files; NULL when db is set */
	struct db_conn *db;
};

static inline struct daysrc daysrc_files(const char *data_dir)
{
	return (struct daysrc){ .data_dir = data_dir };
}

/*
 * The source a reading command names: --data-dir DIR or --db URL, exactly one. 0, or the exit
 * code after one line (SW_EXIT_USAGE: neither or both; SW_EXIT_FAIL: the database refused).
 */
int daysrc_usage(const char *cmd, const char *data_dir, const char *db_url);
int daysrc_open(struct daysrc *s, struct db_conn *c, const char *data_dir, const char *db_url,
		const char *cmd);
void daysrc_close(struct daysrc *s);

/* For messages: the data directory, or "the database". */
const char *daysrc_name(const struct daysrc *s);

/* Called with each day found, in order; df is the callee's to keep (dayfile_free) or not. */
typedef int (*daysrc_day_fn)(void *ctx, struct dayfile *df);

/* The point's days in [from, to] (days since the epoch) that have a summary. */
int daysrc_days(const struct daysrc *s, const char *point, int64_t from, int64_t to,
		daysrc_day_fn fn, void *ctx, char *errmsg, size_t errlen);
/* The points with daily summaries, sorted; -E2BIG beyond max. */
int daysrc_points(const struct daysrc *s, char (*names)[SW_POINT_LEN], size_t max, size_t *n);
bool daysrc_has_point(const struct daysrc *s, const char *point);
/* First and last day with a summary of a point (NULL: any); -ENOENT if none. */
int daysrc_data_days(const struct daysrc *s, const char *point, int64_t *first, int64_t *last);
int daysrc_victims(const struct daysrc *s, struct victim_set *set, const char *point, int64_t from,
		   int64_t to, char *errmsg, size_t errlen);
/* The point's alerts.log as alerts_log_read() reads it. */
int daysrc_alerts_log(const struct daysrc *s, const char *point, struct alert_list *out,
		      char *errmsg, size_t errlen);

#endif
