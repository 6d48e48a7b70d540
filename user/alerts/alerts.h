/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Alerts (README.md "Monthly report and alerts" defines each one):
 *  - hw: a Holt-Winters failure run in the FAILURES archive of totals.rrd or a key's file;
 *  - surge-month, surge-week: a key's accesses a day up by at least the threshold (+40 %, as
 *    TALOT2 reported 445/tcp) on the month or the ISO week before;
 *  - trend: a key's daily trend score (its day against the 30 days before, in accesses and in
 *    sources, as SANS ISC ranks ports) crossing the threshold.
 * Surges and trends are computed from the exact daily summaries, so `scanwatch alerts` and the
 * report can always recompute them; Holt-Winters failures exist only in a week-long archive, so
 * whoever sees one (the daemon, replay) writes it to DATA_DIR/POINT/alerts.log.
 */
#ifndef SW_ALERTS_H
#define SW_ALERTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "alertlog.h"
#include "dates.h"
#include "keyfmt.h"
#include "params.h"
#include "points.h"
#include "tally.h"

struct daysrc;
struct rrdio;
struct rrdstore;

struct alert_config {
	double surge_pct; /* a surge is a rise of at least this much, in % */
	uint64_t surge_min; /* ...of a key with at least this many accesses in the period */
	double trend_score; /* a trend alert when the score reaches this */
	uint64_t trend_min; /* ...on a day the key had at least this many accesses */
	uint64_t trend_min_sources; /* ...and this many sources */
	unsigned int trend_days; /* no score without this many days with data among the 30 */
};

#define ALERT_SURGE_PCT 40.0
#define ALERT_SURGE_MIN 100
#define ALERT_TREND_SCORE 3.0
#define ALERT_TREND_MIN 50
#define ALERT_TREND_MIN_SOURCES 10
#define ALERT_TREND_DAYS 7

void alert_config_default(struct alert_config *c);

/*
 * Surges of [from, to] against [base_from, base_to] (a month, a week): keys of at least
 * cfg->surge_min accesses whose accesses per point-day rose by cfg->surge_pct or more. point
 * NULL is every point together. Nothing when the baseline has no daily summary.
 */
int alerts_surges(const struct daysrc *src, const char *point, enum alert_kind kind, int64_t from,
		  int64_t to, int64_t base_from, int64_t base_to, const struct alert_config *cfg,
		  struct alert_list *out, char *errmsg, size_t errlen);

/* A key's trend on one day. */
struct trend_score {
	struct sw_key key;
	uint64_t accesses, sources; /* of the day */
	double mean_accesses, mean_sources; /* a day, over the days with data among the 30 before */
	double score;
};

/*
 * The trend scores of every key on day (sorted by score, descending; *n 0 when the day has no
 * summary or fewer than cfg->trend_days of the 30 before have one). The caller frees *out.
 */
int alerts_trend_scores(const struct daysrc *src, const char *point, int64_t day,
			const struct alert_config *cfg, struct trend_score **out, size_t *n,
			char *errmsg, size_t errlen);
/* Trend alerts of the days [from, to]: the score reached the threshold that day, not before. */
int alerts_trends(const struct daysrc *src, const char *point, int64_t from, int64_t to,
		  const struct alert_config *cfg, struct alert_list *out, char *errmsg,
		  size_t errlen);

/*
 * Holt-Winters failure runs in the FAILURES archives of a point's totals.rrd and keys/NAME.rrd
 * (io NULL: the local files), rows ending in [from_s, to_s].
 */
int alerts_hw_scan(struct rrdio *io, const char *data_dir, const char *point, int64_t from_s,
		   int64_t to_s, struct alert_list *out, char *errmsg, size_t errlen);

/*
 * Every alert of the days [from, to] for the points given (and every point of the source
 * together, with_all): surges of the months and weeks that overlap the days, trends
 * of the days, and Holt-Winters runs from the logs and the archives. Sorted.
 */
int alerts_collect(const struct daysrc *src, char (*points)[SW_POINT_LEN], size_t npoints,
		   bool with_all, int64_t from, int64_t to, const struct alert_config *cfg,
		   struct alert_list *out, char *errmsg, size_t errlen);

/* ---- the daemon's side: evaluate as data comes, log, and run a command ---- */

#define ALERT_MAX_CHILDREN 8
#define ALERT_TIMEOUT_DEFAULT 30

struct alert_engine;

struct alert_point {
	struct alert_engine *eng;
	char name[SW_POINT_LEN];
	struct rrdstore *rs; /* the files it writes, and how (local, rrdcached) */
	char last_date[11]; /* the day of the last interval seen */
	uint64_t next_hw_s; /* when the failure archives are next read */
	int64_t hw_seen_s; /* rows up to here are judged */
	struct alert_list hw; /* runs raised or logged: never raised twice */
};

struct alert_engine {
	struct alert_config cfg;
	const char *data_dir;
	char **argv; /* the command, split on blanks; NULL: none */
	unsigned int timeout_s;
	uint64_t hw_every_s; /* 0: every interval */
	struct alert_point points[64];
	size_t npoints;
	/* Told of every line appended to an alerts.log (the central database: db_sink.h). */
	void (*logged)(void *ctx, const struct alert *a);
	void *logged_ctx;
	pid_t children[ALERT_MAX_CHILDREN];
	size_t nchildren;
	uint64_t raised;
};

/*
 * The alert options as tables of params.h over a struct alert_engine: the thresholds, and
 * --alert-command and --alert-timeout of the commands that raise alerts.
 */
extern const struct param alert_cfg_params[];
extern const struct param alert_cli_params[];

void alert_engine_init(struct alert_engine *e);
/* Before the first tick. hw_every_s: how often the failure archives are read (0: each tick). */
int alert_engine_open(struct alert_engine *e, const char *data_dir, uint64_t hw_every_s);
/* A point and the RRD store it writes (NULL: no Holt-Winters archives); NULL when full. */
struct alert_point *alert_engine_point(struct alert_engine *e, const char *name,
				       struct rrdstore *rs);
/*
 * After each stored interval: date is the day it was stored under, end_s its end. Judges the
 * days that ended since the last call and reads the failure archives when due; every new alert
 * is logged, appended to alerts.log, and handed to the command, which is never waited for.
 */
void alert_tick(struct alert_point *p, const char *date, uint64_t end_s);
/* Reads the failure archives once more (the end of a replay). */
void alert_flush(struct alert_point *p, uint64_t end_s);
/* Waits for running commands (each bounded by the timeout) and frees everything. */
void alert_engine_close(struct alert_engine *e);

#endif
