/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The queue of what a point has to add to the central database, on the sensor's own disk:
 * DATA_DIR/POINT/db-spool/, one file per record (JSON, the argument of the database's
 * sw_apply()), numbered in the order they were made, sent in that order and removed once the
 * database committed them (README.md, "Central database").
 *
 * An interval's record is written before its daily file, as NUMBER-SEQ-DATE.pending, and renamed
 * NUMBER.rec once the daily file holds the interval: a daemon that dies in between leaves a
 * pending record, which the next start keeps when the day's file has reached SEQ and drops when
 * it has not (the kernel still holds that interval, and it is stored again).
 */
#ifndef SW_DB_SPOOL_H
#define SW_DB_SPOOL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "interval.h"
#include "points.h"
#include "store.h"

#define DB_SPOOL_DIR "db-spool"
#define DB_REC_NAME 64

struct db_spool {
	char point[SW_POINT_LEN];
	char point_dir[PATH_MAX]; /* DATA_DIR/POINT */
	int dirfd; /* DATA_DIR/POINT/db-spool */
	uint64_t next; /* number of the next record */
	char pending[DB_REC_NAME]; /* the interval waiting for its daily file; "" none */
	uint64_t alert_lines; /* alert lines of alerts.log queued so far */
	/* The sender's side: record names read from the directory, oldest first. */
	char (*names)[DB_REC_NAME];
	size_t nnames, at, cap;
	char errmsg[512];
};

/* Opens (makes) the spool, settles pending records, queues alerts.log's lines. */
int db_spool_open(struct db_spool *sp, const char *data_dir, const char *point);
void db_spool_close(struct db_spool *sp);

/* The store's side: an interval before its daily file is written, then whether it was. */
int db_spool_interval(struct db_spool *sp, const struct point_store *ps,
		      const struct sw_interval *iv, uint64_t prev_seq);
void db_spool_settle(struct db_spool *sp, bool stored);
/* A day read back from its files: the whole day, checked against the database's copy. */
int db_spool_day(struct db_spool *sp, const struct point_store *ps);
/* One line appended to alerts.log. */
int db_spool_alert(struct db_spool *sp, const char *line);

/*
 * The sender's side. Names the oldest record (false: none); reads it (free *buf); removes it
 * once committed, or moves it to db-spool/rejected/ when the database contradicts it.
 */
bool db_spool_oldest(struct db_spool *sp, char name[DB_REC_NAME]);
int db_spool_read(struct db_spool *sp, const char *name, char **buf, size_t *len);
int db_spool_remove(struct db_spool *sp, const char *name);
int db_spool_reject(struct db_spool *sp, const char *name);
/* Records waiting (a directory listing). */
size_t db_spool_count(struct db_spool *sp);

#endif
