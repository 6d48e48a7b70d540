/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What `run` and `replay` share about the central database (README.md, "Central database"):
 * the --db and --db-wait options, the checks at start, each point's spool hooked to its store
 * and to the alert engine, and the sender thread. Without --db every call does nothing.
 */
#ifndef SW_DB_SINK_H
#define SW_DB_SINK_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include "db_sender.h"
#include "db_spool.h"
#include "store.h"

struct alert_engine;

enum { DB_OPT_URL = 0x1200, DB_OPT_WAIT };

struct db_sink_point {
	struct db_sink *sink;
	struct db_spool spool;
	struct store_hook hook;
	bool open;
};

struct db_sink {
	const char *url;
	int wait_s; /* -1: the command's default */
	struct db_sender sender;
	struct db_sink_point points[DB_SENDER_MAX_POINTS];
	size_t npoints;
};

void db_sink_init(struct db_sink *k);
/* Handles DB_OPT_*: 0, or SW_EXIT_USAGE after one line. */
int db_sink_option(struct db_sink *k, int opt, const char *arg, const char *cmd);
static inline bool db_sink_on(const struct db_sink *k)
{
	return k->url != NULL;
}
/*
 * At start, before anything is attached: the URL, the server, the schema. A server that cannot
 * be reached is logged and the start goes on (its records wait on disk); any other failure is
 * one line and an error.
 */
int db_sink_open(struct db_sink *k, const char *app);
/* A point: its spool, the store's hook (set it before the store opens a day), the check that
 * the database lets this role write it. */
int db_sink_point(struct db_sink *k, struct point_store *ps, const char *data_dir,
		  const char *point);
/* Alerts appended to alerts.log go to the database too. */
void db_sink_alerts(struct db_sink *k, struct alert_engine *e);
/* Starts sending (after privileges are dropped: the thread must not keep any). */
int db_sink_start(struct db_sink *k);
/*
 * Waits for the queue (--db-wait, or default_wait_s), stops; returns the records left or set
 * aside because the database contradicted them.
 */
size_t db_sink_finish(struct db_sink *k, unsigned int default_wait_s);
void db_sink_close(struct db_sink *k);

#endif
