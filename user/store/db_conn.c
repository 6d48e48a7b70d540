// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "db_conn.h"

/* libpq's messages end in a newline and may span lines: one line for the log. */
static void one_line(char *dst, size_t len, const char *src)
{
	size_t o = 0;

	for (; src && *src && o + 1 < len; src++) {
		char ch = *src == '\n' || *src == '\t' ? ' ' : *src;

		if (ch == ' ' && (o == 0 || dst[o - 1] == ' '))
			continue;
		dst[o++] = ch;
	}
	while (o && dst[o - 1] == ' ')
		o--;
	dst[o] = '\0';
}

const char *db_conn_error(struct db_conn *c)
{
	static __thread char buf[512];

	one_line(buf, sizeof(buf), c->pg ? PQerrorMessage(c->pg) : c->errmsg);
	return buf;
}

int db_conn_parse(struct db_conn *c, const char *url)
{
	char *err = NULL, line[400];
	PQconninfoOption *opts = PQconninfoParse(url, &err);

	c->url = url;
	if (opts) {
		PQconninfoFree(opts);
		return 0;
	}
	one_line(line, sizeof(line), err ? err : "out of memory");
	snprintf(c->errmsg, sizeof(c->errmsg), "not a PostgreSQL connection string or URI: %s",
		 line);
	PQfreemem(err);
	return -EINVAL;
}

bool db_conn_ok(const struct db_conn *c)
{
	return c->pg && PQstatus(c->pg) == CONNECTION_OK;
}

void db_conn_close(struct db_conn *c)
{
	if (c->pg)
		PQfinish(c->pg);
	c->pg = NULL;
}

int db_conn_schema_version(struct db_conn *c, int *version)
{
	PGresult *r = PQexec(c->pg, "SELECT to_regclass('scanwatch_schema') IS NOT NULL");
	int err = 0;

	*version = 0;
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		snprintf(c->errmsg, sizeof(c->errmsg), "database: %s", db_conn_error(c));
		PQclear(r);
		return -EIO;
	}
	if (strcmp(PQgetvalue(r, 0, 0), "t")) {
		PQclear(r);
		return 0;
	}
	PQclear(r);
	r = PQexec(c->pg, "SELECT max(version) FROM scanwatch_schema");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		snprintf(c->errmsg, sizeof(c->errmsg), "database: cannot read scanwatch_schema: %s",
			 db_conn_error(c));
		err = -EIO;
	} else {
		*version = atoi(PQgetvalue(r, 0, 0));
	}
	PQclear(r);
	return err;
}

int db_conn_connect(struct db_conn *c, const char *url, const char *app)
{
	/* Later keywords win: the URL's own connect_timeout replaces ours. */
	const char *keys[] = { "connect_timeout", "application_name", "dbname", NULL };
	const char *vals[] = { SW_DB_CONNECT_TIMEOUT_S, app, url, NULL };
	int err;

	db_conn_close(c);
	err = db_conn_parse(c, url);
	if (err)
		return err;
	/*
	 * PQping tells a server that answered and refused from one that is not there or not ready;
	 * one that became ready in between is asked again.
	 */
	for (int tries = 0;; tries++) {
		PGPing ping;

		c->pg = PQconnectdbParams(keys, vals, 1);
		if (!c->pg) {
			snprintf(c->errmsg, sizeof(c->errmsg), "database: out of memory");
			return -ENOMEM;
		}
		if (PQstatus(c->pg) == CONNECTION_OK)
			break;
		ping = PQpingParams(keys, vals, 1);
		snprintf(c->errmsg, sizeof(c->errmsg), "%s", db_conn_error(c));
		db_conn_close(c);
		if (ping != PQPING_OK)
			return -EHOSTUNREACH;
		if (tries)
			return -EACCES;
	}
	/* Our sessions read and write UTC epoch seconds; the server's zone must not matter. */
	PQclear(PQexec(c->pg, "SET TIME ZONE 'UTC'"));
	return 0;
}

int db_conn_open(struct db_conn *c, const char *url, const char *app)
{
	int version, err = db_conn_connect(c, url, app);

	if (err)
		return err;
	err = db_conn_schema_version(c, &version);
	if (err) {
		db_conn_close(c);
		return err;
	}
	if (version != SW_DB_SCHEMA_VERSION) {
		if (version)
			snprintf(
				c->errmsg, sizeof(c->errmsg),
				"database %s has scanwatch schema version %d; this scanwatch knows "
				"version %d only",
				PQdb(c->pg), version, SW_DB_SCHEMA_VERSION);
		else
			snprintf(c->errmsg, sizeof(c->errmsg),
				 "database %s has no scanwatch schema: apply it with 'scanwatch "
				 "db-init --db URL'",
				 PQdb(c->pg));
		db_conn_close(c);
		return -EPROTO;
	}
	return 0;
}
