// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <libpq-fe.h>

#include "alerts.h"
#include "cli.h"
#include "db_sink.h"
#include "log.h"
#include "parse_num.h"

void db_sink_init(struct db_sink *k)
{
	memset(k, 0, sizeof(*k));
	k->wait_s = -1;
	db_sender_init(&k->sender);
}

int db_sink_option(struct db_sink *k, int opt, const char *arg, const char *cmd)
{
	unsigned int v;

	if (opt == DB_OPT_URL) {
		k->url = arg;
		return 0;
	}
	if (parse_uint(arg, 0, 86400, &v))
		return usage_error(cmd, "--db-wait takes 0 to 86400 seconds, not '%s'", arg);
	k->wait_s = (int)v;
	return 0;
}

int db_sink_open(struct db_sink *k, const char *app)
{
	struct db_conn *c = &k->sender.conn;
	int err;

	if (!k->url)
		return 0;
	snprintf(c->app, sizeof(c->app), "%s", app);
	err = db_conn_open(c, k->url, c->app);
	if (err == -EHOSTUNREACH) {
		/* The sender's first failure is this one: logged here, not twice. */
		k->sender.fault = err;
		k->sender.failures = 1;
		sw_warn("database: cannot connect at start (%s); what is stored is queued in "
			"DATA_DIR/POINT/" DB_SPOOL_DIR " and sent when it works (logged then)",
			c->errmsg);
		return 0;
	}
	if (err)
		sw_err("--db: %s", c->errmsg);
	return err;
}

/* May this connection add rows of the point? Asked once, at start, when connected. */
static int check_point(struct db_sink *k, const char *point)
{
	struct db_conn *c = &k->sender.conn;
	const char *params[1] = { point };
	PGresult *r;
	int err = 0;

	if (!db_conn_ok(c))
		return 0;
	r = PQexecParams(c->pg, "SELECT sw_can_write($1), current_user", 1, NULL, params, NULL,
			 NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		sw_err("--db: cannot check the role's points: %s", db_conn_error(c));
		err = -EIO;
	} else if (strcmp(PQgetvalue(r, 0, 0), "t")) {
		sw_err("--db: role %s may not add rows of point %s (README.md, \"Central database\": "
		       "roles)",
		       PQgetvalue(r, 0, 1), point);
		err = -EACCES;
	}
	PQclear(r);
	return err;
}

static void hook_day_loaded(void *ctx, const struct point_store *ps)
{
	struct db_sink_point *p = ctx;

	if (db_spool_day(&p->spool, ps))
		sw_warn("point %s: the database will not be checked against %s: %s", ps->day.point,
			ps->day.date, p->spool.errmsg);
	else
		db_sender_kick(&p->sink->sender);
}

static int hook_prepare(void *ctx, const struct point_store *ps, const struct sw_interval *iv,
			uint64_t prev_seq)
{
	struct db_sink_point *p = ctx;
	int err = db_spool_interval(&p->spool, ps, iv, prev_seq);

	if (err)
		sw_debug("point %s: %s", ps->day.point, p->spool.errmsg);
	return err;
}

static void hook_done(void *ctx, const struct point_store *ps, bool stored)
{
	struct db_sink_point *p = ctx;

	(void)ps;
	db_spool_settle(&p->spool, stored);
	if (stored)
		db_sender_kick(&p->sink->sender);
}

int db_sink_point(struct db_sink *k, struct point_store *ps, const char *data_dir,
		  const char *point)
{
	struct db_sink_point *p;
	int err;

	if (!k->url)
		return 0;
	if (k->npoints == DB_SENDER_MAX_POINTS) {
		sw_err("--db: at most %d points", DB_SENDER_MAX_POINTS);
		return -E2BIG;
	}
	err = check_point(k, point);
	if (err)
		return err;
	p = &k->points[k->npoints];
	p->sink = k;
	err = db_spool_open(&p->spool, data_dir, point);
	if (err) {
		sw_err("point %s: %s", point, p->spool.errmsg);
		db_spool_close(&p->spool);
		return err;
	}
	p->open = true;
	k->npoints++;
	k->sender.spools[k->sender.nspools++] = &p->spool;
	p->hook = (struct store_hook){
		.ctx = p, .day_loaded = hook_day_loaded, .prepare = hook_prepare, .done = hook_done
	};
	ps->hook = &p->hook;
	return 0;
}

static void alert_logged(void *ctx, const struct alert *a)
{
	struct db_sink *k = ctx;
	char line[1024];

	for (size_t i = 0; i < k->npoints; i++) {
		struct db_sink_point *p = &k->points[i];

		if (strcmp(p->spool.point, a->point))
			continue;
		alerts_log_format(a, line, sizeof(line));
		if (db_spool_alert(&p->spool, line))
			sw_warn("point %s: an alert is not queued for the database: %s", a->point,
				p->spool.errmsg);
		else
			db_sender_kick(&k->sender);
	}
}

void db_sink_alerts(struct db_sink *k, struct alert_engine *e)
{
	if (!k->url)
		return;
	e->logged = alert_logged;
	e->logged_ctx = k;
}

int db_sink_start(struct db_sink *k)
{
	int err;

	if (!k->url)
		return 0;
	err = db_sender_start(&k->sender);
	if (err)
		sw_err("database: cannot start the thread that sends: %s", strerror(-err));
	return err;
}

size_t db_sink_finish(struct db_sink *k, unsigned int default_wait_s)
{
	size_t left;

	/* A start that failed before sending began has nothing to say about the database. */
	if (!k->url || !k->sender.started)
		return 0;
	left = db_sender_finish(&k->sender,
				k->wait_s >= 0 ? (unsigned int)k->wait_s : default_wait_s);
	if (left)
		sw_warn("database: %zu record(s) not sent yet stay queued in DATA_DIR/POINT/" DB_SPOOL_DIR
			"; the next run or replay with --db sends them",
			left);
	if (k->sender.rejected)
		sw_warn("database: %" PRIu64
			" record(s) contradicted it and are kept in DATA_DIR/POINT/" DB_SPOOL_DIR
			"/rejected",
			k->sender.rejected);
	if (!left && !k->sender.rejected)
		sw_info("database: every stored interval is in the database (%" PRIu64
			" record(s) sent)",
			k->sender.sent);
	return left + k->sender.rejected;
}

void db_sink_close(struct db_sink *k)
{
	if (!k->url || k->sender.abandoned)
		return;
	if (k->sender.started)
		db_sender_finish(&k->sender, 0);
	db_conn_close(&k->sender.conn);
	for (size_t i = 0; i < k->npoints; i++)
		db_spool_close(&k->points[i].spool);
	k->npoints = 0;
}
