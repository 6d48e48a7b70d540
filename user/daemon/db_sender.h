/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The thread that sends the points' spools (db_spool.h) to the central database, one record a
 * transaction, oldest first. The store never waits for it: storing an interval only writes its
 * record into the spool and wakes this thread. A database that is down or unreachable is logged
 * once, retried with a growing pause (1 s to 30 s), and logged again when it is back; a record
 * the database contradicts is reported and set aside (README.md, "Central database").
 */
#ifndef SW_DB_SENDER_H
#define SW_DB_SENDER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "db_conn.h"
#include "db_spool.h"

#define DB_SENDER_MAX_POINTS 64

struct db_sender {
	struct db_conn conn; /* the thread's, once started */
	struct db_spool *spools[DB_SENDER_MAX_POINTS];
	size_t nspools;
	pthread_t thread;
	bool started;
	bool abandoned; /* stopped in a transaction: its state is the thread's until exit */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	/* Under mu. */
	bool stop, kick, idle;
	/* The thread's own. */
	int fault; /* the failure being logged, 0: none */
	uint64_t failures, sent, rejected;
	unsigned int pause_s;
	char last_day_rejected[48]; /* "point date" whose contradictions were reported */
};

void db_sender_init(struct db_sender *s);
/* Starts the thread with a connection opened already (or not: conn.pg NULL). */
int db_sender_start(struct db_sender *s);
/* A record was added to a spool. */
void db_sender_kick(struct db_sender *s);
/*
 * Waits until every spool is sent or wait_s seconds have passed, then stops the thread (one
 * in the middle of a transaction is left to the process's exit: the record stays spooled).
 * Returns the records still spooled.
 */
size_t db_sender_finish(struct db_sender *s, unsigned int wait_s);

#endif
