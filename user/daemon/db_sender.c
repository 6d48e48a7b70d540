// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <signal.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "db_sender.h"
#include "log.h"

#define PAUSE_MAX_S 30
#define SQLSTATE_CONTRADICTION "SW001"

void db_sender_init(struct db_sender *s)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	s->pause_s = 1;
}

/* One line when a failure starts or changes, debug lines while it lasts (as run.c's faults). */
static void fault(struct db_sender *s, int err, const char *msg)
{
	s->failures++;
	if (s->fault != err) {
		s->fault = err;
		sw_warn("database: %s; what is stored is queued in DATA_DIR/POINT/" DB_SPOOL_DIR
			" and sent when it works (logged again then)",
			msg);
		return;
	}
	sw_debug("database: failed again (%" PRIu64 " times in a row): %s", s->failures, msg);
}

static void fault_ok(struct db_sender *s)
{
	if (s->failures)
		sw_info("database: works again after %" PRIu64 " failed attempt(s); sending what "
			"was queued",
			s->failures);
	s->fault = 0;
	s->failures = 0;
	s->pause_s = 1;
}

static bool connect_db(struct db_sender *s)
{
	int err;

	if (db_conn_ok(&s->conn))
		return true;
	err = db_conn_open(&s->conn, s->conn.url, s->conn.app);
	if (err) {
		fault(s, err, s->conn.errmsg);
		return false;
	}
	return true;
}

/* A contradiction is reported once per point and day; its record is kept aside. */
static void rejected(struct db_sender *s, struct db_spool *sp, const char *name, const char *msg)
{
	char day[48];
	int err = db_spool_reject(sp, name);

	s->rejected++;
	snprintf(day, sizeof(day), "%s %.40s", sp->point, msg);
	if (err) {
		sw_err("point %s: %s", sp->point, sp->errmsg);
		return;
	}
	if (strncmp(day, s->last_day_rejected, sizeof(day))) {
		snprintf(s->last_day_rejected, sizeof(s->last_day_rejected), "%s", day);
		sw_err("database: %s; nothing was overwritten: the record is kept in %s/" DB_SPOOL_DIR
		       "/rejected/%s (README.md, \"Central database\")",
		       msg, sp->point_dir, name);
		return;
	}
	sw_debug("database: %s; kept in rejected/%s", msg, name);
}

/* Sends one record in its own transaction: 0 sent or set aside, -1 try again later. */
static int send_one(struct db_sender *s, struct db_spool *sp, const char *name)
{
	const char *params[1];
	PGresult *r;
	char *buf;
	size_t len;
	int ret = 0;

	if (db_spool_read(sp, name, &buf, &len)) {
		fault(s, -EIO, sp->errmsg);
		return -1;
	}
	params[0] = buf;
	r = PQexecParams(s->conn.pg, "SELECT sw_apply($1::jsonb)", 1, NULL, params, NULL, NULL, 0);
	free(buf);
	if (PQresultStatus(r) == PGRES_TUPLES_OK) {
		if (db_spool_remove(sp, name))
			sw_warn("point %s: %s (sent already: it is skipped if sent again)",
				sp->point, sp->errmsg);
		s->sent++;
	} else if (PQstatus(s->conn.pg) != CONNECTION_OK) {
		/* One outage, one line: a lost connection and the failed reconnects after it. */
		fault(s, -EHOSTUNREACH, db_conn_error(&s->conn));
		db_conn_close(&s->conn);
		ret = -1;
	} else {
		const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
		char line[512];

		snprintf(line, sizeof(line), "point %s: %s", sp->point,
			 msg ? msg : db_conn_error(&s->conn));
		if (state && !strcmp(state, SQLSTATE_CONTRADICTION)) {
			rejected(s, sp, name, msg ? msg : line);
		} else {
			/* Refused (privileges, a schema changed under us): kept, retried later. */
			fault(s, state ? (int)strtol(state, NULL, 36) : -EIO, line);
			ret = -1;
		}
	}
	PQclear(r);
	return ret;
}

/* Everything spooled, point by point: 0 when all is sent, -1 after a failure. */
static int send_all(struct db_sender *s)
{
	char name[DB_REC_NAME];

	if (!connect_db(s))
		return -1;
	for (size_t i = 0; i < s->nspools; i++) {
		while (db_spool_oldest(s->spools[i], name)) {
			bool stop;

			if (send_one(s, s->spools[i], name))
				return -1;
			pthread_mutex_lock(&s->mu);
			stop = s->stop;
			pthread_mutex_unlock(&s->mu);
			if (stop)
				return 0;
		}
	}
	fault_ok(s);
	return 0;
}

static void deadline_in(struct timespec *ts, unsigned int s)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += s;
}

static void *sender_main(void *arg)
{
	struct db_sender *s = arg;
	struct timespec until;

	for (;;) {
		int ret;

		pthread_mutex_lock(&s->mu);
		s->kick = false;
		pthread_mutex_unlock(&s->mu);
		ret = send_all(s);
		pthread_mutex_lock(&s->mu);
		if (!ret && !s->kick)
			s->idle = true;
		pthread_cond_broadcast(&s->cv);
		if (s->stop) {
			pthread_mutex_unlock(&s->mu);
			break;
		}
		if (ret) {
			/* Down: new records wait for the pause, they do not make more attempts. */
			deadline_in(&until, s->pause_s);
			while (!s->stop &&
			       pthread_cond_timedwait(&s->cv, &s->mu, &until) != ETIMEDOUT)
				;
			s->pause_s = s->pause_s * 2 > PAUSE_MAX_S ? PAUSE_MAX_S : s->pause_s * 2;
		} else {
			while (!s->stop && !s->kick)
				pthread_cond_wait(&s->cv, &s->mu);
		}
		pthread_mutex_unlock(&s->mu);
	}
	return NULL;
}

int db_sender_start(struct db_sender *s)
{
	sigset_t all, old;
	int err;

	/*
	 * Signals are the drain loop's (its signalfd): a thread that did not block them would take
	 * SIGTERM's default action for the whole process.
	 */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&s->thread, NULL, sender_main, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);

	if (err)
		return -err;
	s->started = true;
	return 0;
}

void db_sender_kick(struct db_sender *s)
{
	pthread_mutex_lock(&s->mu);
	s->kick = true;
	s->idle = false;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

size_t db_sender_finish(struct db_sender *s, unsigned int wait_s)
{
	struct timespec until;
	size_t left = 0;
	bool joined = true;

	if (!s->started)
		goto count;
	deadline_in(&until, wait_s);
	pthread_mutex_lock(&s->mu);
	/* A last look at the spools, whatever the pause. */
	s->kick = true;
	s->idle = false;
	pthread_cond_broadcast(&s->cv);
	while (!s->idle && pthread_cond_timedwait(&s->cv, &s->mu, &until) != ETIMEDOUT)
		;
	s->stop = true;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	/* A transaction that hangs (a server stopped with SIGSTOP) is not waited for. */
	deadline_in(&until, 2);
	if (pthread_timedjoin_np(s->thread, NULL, &until)) {
		joined = false;
		s->abandoned = true;
		sw_warn("database: a transaction still runs; its record stays queued");
	}
	s->started = false;
count:
	for (size_t i = 0; i < s->nspools; i++)
		left += db_spool_count(s->spools[i]);
	if (joined)
		db_conn_close(&s->conn);
	return left;
}
