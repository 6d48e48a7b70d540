/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A connection to the central PostgreSQL database (README.md, "Central database"): the URL
 * checked, the connection made with a bounded timeout, the schema version checked. Shared by
 * the sensor's sender (db_sender.h) and the central host's reader (db_read.h).
 */
#ifndef SW_DB_CONN_H
#define SW_DB_CONN_H

#include <stdbool.h>
#include <stddef.h>

#define SW_DB_SCHEMA_VERSION 3
/* Seconds a connection attempt may take, unless the URL says connect_timeout itself. */
#define SW_DB_CONNECT_TIMEOUT_S "10"

typedef struct pg_conn PGconn;

struct db_conn {
	const char *url;
	char app[64]; /* application_name: what pg_stat_activity shows */
	PGconn *pg;
	char errmsg[512];
};

/*
 * Connects and checks the schema. 0, or with errmsg set (one line):
 *  -EINVAL        the URL does not parse;
 *  -EHOSTUNREACH  no server answers, or it does not take connections yet (starting, stopping):
 *                 worth trying again later;
 *  -EACCES        the server refused (credentials, no such database or role);
 *  -EPROTO        no scanwatch schema there, or a version this scanwatch does not know.
 */
int db_conn_open(struct db_conn *c, const char *url, const char *app);
/* The same without the schema check (db-init makes it). */
int db_conn_connect(struct db_conn *c, const char *url, const char *app);
/* Checks the URL only (no network): 0 or -EINVAL with errmsg. */
int db_conn_parse(struct db_conn *c, const char *url);
/* The schema's version: 0 when the database has none, or -errno with errmsg. */
int db_conn_schema_version(struct db_conn *c, int *version);
bool db_conn_ok(const struct db_conn *c);
void db_conn_close(struct db_conn *c);
/* What libpq said last, as one line. */
const char *db_conn_error(struct db_conn *c);

#endif
