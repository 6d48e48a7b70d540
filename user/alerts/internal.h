/* SPDX-License-Identifier: GPL-2.0-only */
/* What the files of user/alerts share among themselves and nobody else needs. */
#ifndef SW_ALERTS_INTERNAL_H
#define SW_ALERTS_INTERNAL_H

#include "alerts.h"

#define ALERT_TREND_WINDOW 30 /* a key's day is judged against the 30 days before */
#define ALERT_HW_ARCHIVE_S (7 * SW_DAY_S) /* rrd/rrdstore.c keeps a week of failures */

struct rrdio;

void alert_fill_key(struct alert *a, const char *point, const struct sw_key *k);
/* One file's failure runs (rel: "totals.rrd" or "keys/NAME.rrd"), rows ending in [from_s, to_s]. */
int alerts_hw_scan_file(struct rrdio *io, const char *data_dir, const char *point, const char *rel,
			int64_t from_s, int64_t to_s, struct alert_list *out, char *errmsg,
			size_t errlen);
void alert_argv_free(char **argv);
/* Children that have ended are reaped; a new alert runs the command (or logs that it cannot). */
void alert_reap(struct alert_engine *e);
void alert_raise(struct alert_engine *e, const struct alert *a);

#endif
