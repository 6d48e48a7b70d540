// SPDX-License-Identifier: GPL-2.0-only
/* `scanwatch db-init`: makes the central database's schema, or says which version it has. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <libpq-fe.h>

#include "cli.h"
#include "db_conn.h"
#include "log.h"
#include "params.h"

/* user/store/schema/NNN_*.sql, in order: migration N makes version N. */
static const char *const migrations[] = {
#include "db_schema.h"
};

#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

struct db_init_opts {
	const char *url;
};

static const struct param db_init_params[] = {
	{ "db", 0, PARAM_STRING, offsetof(struct db_init_opts, url), "URL",
	  "the database, as libpq takes it (postgresql://...)" },
	PARAM_END,
};

static const struct param_cmd db_init_cmd = {
	.name = "db-init",
	.usage = "Usage: scanwatch db-init --db URL\n",
	.desc = "Make scanwatch's tables, functions and the roles scanwatch_sensor and "
		"scanwatch_report\n"
		"in a PostgreSQL database (as its owner, with the right to create roles), in one\n"
		"transaction; a database that has them already is left as it is. README.md, "
		"\"Central\n"
		"database\", says how to give each sensor a role of its own.\n",
	.examples = "  scanwatch db-init --db postgresql://postgres@central/scanwatch\n",
};

static int parse_args(int argc, char **argv, const char **url)
{
	struct db_init_opts o = { *url };
	const struct param_set sets[] = { { db_init_params, &o }, {} };
	int err = params_parse(&db_init_cmd, sets, argc, argv);

	*url = o.url;
	if (err)
		return err;
	if (!*url)
		return usage_error("db-init", "--db is required");
	return 0;
}

static int exec_ok(struct db_conn *c, const char *sql)
{
	PGresult *r = PQexec(c->pg, sql);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;

	PQclear(r);
	return ok ? 0 : -EIO;
}

int cmd_db_init(int argc, char **argv)
{
	const char *url = NULL;
	struct db_conn c = { 0 };
	int version, err;

	err = parse_args(argc, argv, &url);
	if (err)
		return err == SW_HELP_SHOWN ? 0 : err;
	err = db_conn_connect(&c, url, "scanwatch db-init");
	if (!err)
		err = db_conn_schema_version(&c, &version);
	if (err) {
		sw_err("--db: %s", c.errmsg);
		db_conn_close(&c);
		return SW_EXIT_FAIL;
	}
	if (version > NMIGRATIONS) {
		sw_err("database %s has scanwatch schema version %d; this scanwatch knows version %d "
		       "only",
		       PQdb(c.pg), version, NMIGRATIONS);
		db_conn_close(&c);
		return SW_EXIT_FAIL;
	}
	if (exec_ok(&c, "BEGIN")) {
		sw_err("database: %s", db_conn_error(&c));
		db_conn_close(&c);
		return SW_EXIT_FAIL;
	}
	for (int v = version; v < NMIGRATIONS; v++) {
		if (exec_ok(&c, migrations[v])) {
			sw_err("database: schema version %d not made: %s", v + 1,
			       db_conn_error(&c));
			db_conn_close(&c);
			return SW_EXIT_FAIL;
		}
	}
	if (exec_ok(&c, "COMMIT")) {
		sw_err("database: %s", db_conn_error(&c));
		db_conn_close(&c);
		return SW_EXIT_FAIL;
	}
	if (version == NMIGRATIONS)
		printf("database %s: scanwatch schema version %d already\n", PQdb(c.pg), version);
	else
		printf("database %s: scanwatch schema version %d made\n", PQdb(c.pg), NMIGRATIONS);
	db_conn_close(&c);
	return 0;
}
