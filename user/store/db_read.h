/* SPDX-License-Identifier: GPL-2.0-only */
/* The database back end of daysrc.h: the central host reads what the sensors added. */
#ifndef SW_DB_READ_H
#define SW_DB_READ_H

#include "daysrc.h"
#include "db_conn.h"
#include "points.h"

int db_read_days(struct db_conn *c, const char *point, int64_t from, int64_t to, daysrc_day_fn fn,
		 void *ctx, char *errmsg, size_t errlen);
int db_read_points(struct db_conn *c, char (*names)[SW_POINT_LEN], size_t max, size_t *n);
int db_read_data_days(struct db_conn *c, const char *point, int64_t *first, int64_t *last);
int db_read_victims(struct db_conn *c, struct victim_set *set, const char *point, int64_t from,
		    int64_t to, char *errmsg, size_t errlen);
int db_read_alerts_log(struct db_conn *c, const char *point, struct alert_list *out, char *errmsg,
		       size_t errlen);

#endif
