// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "db_read.h"
#include "keyfmt.h"
#include "log.h"
#include "parse_num.h"
#include "points.h"

/* Days as numbers since the epoch, on both sides: no time zone in between. */
#define DAY_NUM "(day - DATE '1970-01-01')"
#define DAY_RANGE                                                     \
	"point = $1 AND day BETWEEN DATE '1970-01-01' + $2::integer " \
	"AND DATE '1970-01-01' + $3::integer"

static PGresult *query(struct db_conn *c, const char *sql, int n, const char *const *params,
		       char *errmsg, size_t errlen)
{
	PGresult *r = PQexecParams(c->pg, sql, n, NULL, params, NULL, NULL, 0);

	if (PQresultStatus(r) == PGRES_TUPLES_OK)
		return r;
	snprintf(errmsg, errlen, "database: %s", db_conn_error(c));
	PQclear(r);
	return NULL;
}

static uint64_t u64(const PGresult *r, int row, int col)
{
	return strtoull(PQgetvalue(r, row, col), NULL, 10);
}

static int64_t i64(const PGresult *r, int row, int col)
{
	return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

/* The next rows of a result that belong to day (results are ordered by day). */
static bool at_day(const PGresult *r, int row, int64_t day)
{
	return row < PQntuples(r) && i64(r, row, 0) == day;
}

static int bad_row(char *errmsg, size_t errlen, const char *point, const char *date,
		   const char *what)
{
	snprintf(errmsg, errlen, "database: point %s, %s: %s", point, date, what);
	return -EINVAL;
}

#define KEY_COLS "key, kind, accesses, sources, mirai, zmap, masscan, lost"
#define NQUERIES 5

/* From *row on, the rows of day of a sw_day_key or sw_day_research result (KEY_COLS) into df. */
static int read_keys(const PGresult *r, int *row, int64_t day, struct dayfile *df, bool research,
		     char *errmsg, size_t errlen)
{
	for (; at_day(r, *row, day); (*row)++) {
		struct tally *t = research ? tally_research(&df->t) : &df->t;
		struct tally_key *tk;
		struct sw_key key;

		if (sw_key_parse(PQgetvalue(r, *row, 1), PQgetvalue(r, *row, 2), &key))
			return bad_row(errmsg, errlen, df->point, df->date, "bad key or kind");
		tk = t ? tally_key(t, &key) : NULL;
		if (!tk) {
			snprintf(errmsg, errlen, "out of memory");
			return -ENOMEM;
		}
		tk->accesses = u64(r, *row, 3);
		tk->sources = u64(r, *row, 4);
		tk->fp[SW_FP_MIRAI] = u64(r, *row, 5);
		tk->fp[SW_FP_ZMAP] = u64(r, *row, 6);
		tk->fp[SW_FP_MASSCAN] = u64(r, *row, 7);
		tk->lost = u64(r, *row, 8);
	}
	return 0;
}

int db_read_days(struct db_conn *c, const char *point, int64_t from, int64_t to, daysrc_day_fn fn,
		 void *ctx, char *errmsg, size_t errlen)
{
	/* watched NULL, a day the database took before version 3, reads as the files' unknown: 0. */
	static const char *const sql[NQUERIES] = {
		"SELECT " DAY_NUM
		", tz, seq, pairs, peak, peak_s, coalesce(watched, 0) FROM sw_day "
		"WHERE " DAY_RANGE " ORDER BY day",
		"SELECT " DAY_NUM ", stat, value FROM sw_day_stat WHERE " DAY_RANGE " ORDER BY day",
		"SELECT " DAY_NUM ", " KEY_COLS " FROM sw_day_key WHERE " DAY_RANGE " ORDER BY day",
		"SELECT " DAY_NUM ", area, accesses, sources FROM sw_day_area WHERE " DAY_RANGE
		" ORDER BY day",
		"SELECT " DAY_NUM ", " KEY_COLS " FROM sw_day_research WHERE " DAY_RANGE
		" ORDER BY day",
	};
	char f[24], t[24];
	const char *params[3] = { point, f, t };
	PGresult *r[NQUERIES] = { NULL };
	int row[NQUERIES] = { 0 }, err = 0;

	snprintf(f, sizeof(f), "%" PRId64, from);
	snprintf(t, sizeof(t), "%" PRId64, to);
	for (int i = 0; i < NQUERIES && !err; i++) {
		r[i] = query(c, sql[i], 3, params, errmsg, errlen);
		if (!r[i])
			err = -EIO;
	}
	for (row[0] = 0; !err && row[0] < PQntuples(r[0]); row[0]++) {
		int64_t day = i64(r[0], row[0], 0);
		struct dayfile df;

		dayfile_init(&df);
		snprintf(df.point, sizeof(df.point), "%s", point);
		sw_day_format(day, df.date);
		snprintf(df.tz, sizeof(df.tz), "%s", PQgetvalue(r[0], row[0], 1));
		df.seq = u64(r[0], row[0], 2);
		df.pairs = u64(r[0], row[0], 3);
		tally_peak(&df.t, u64(r[0], row[0], 4), u64(r[0], row[0], 5));
		for (; !err && at_day(r[1], row[1], day); row[1]++) {
			int s = dayfile_stat_index(PQgetvalue(r[1], row[1], 1));

			if (s < 0)
				err = bad_row(errmsg, errlen, point, df.date, "unknown stat");
			else
				df.t.stats[s] = u64(r[1], row[1], 2);
		}
		if (!err && parse_u128(PQgetvalue(r[0], row[0], 6), &df.watched))
			err = bad_row(errmsg, errlen, point, df.date,
				      "bad number of watched addresses");
		if (!err)
			err = read_keys(r[2], &row[2], day, &df, false, errmsg, errlen);
		for (; !err && at_day(r[3], row[3], day); row[3]++) {
			int a = sw_area_index(PQgetvalue(r[3], row[3], 1));

			df.t.area_accesses[a] = u64(r[3], row[3], 2);
			df.t.area_sources[a] = u64(r[3], row[3], 3);
		}
		if (!err)
			err = read_keys(r[4], &row[4], day, &df, true, errmsg, errlen);
		if (!err)
			err = fn(ctx, &df);
		else
			dayfile_free(&df);
	}
	for (int i = 0; i < NQUERIES; i++)
		PQclear(r[i]);
	return err;
}

int db_read_points(struct db_conn *c, char (*names)[SW_POINT_LEN], size_t max, size_t *n)
{
	char errmsg[512];
	PGresult *r = query(c, "SELECT DISTINCT point COLLATE \"C\" p FROM sw_day ORDER BY p", 0,
			    NULL, errmsg, sizeof(errmsg));
	int err = 0;

	*n = 0;
	if (!r) {
		sw_err("%s", errmsg);
		return -EIO;
	}
	for (int i = 0; i < PQntuples(r); i++) {
		const char *p = PQgetvalue(r, i, 0);

		if (!point_name_ok(p))
			continue;
		if (*n == max) {
			err = -E2BIG;
			break;
		}
		snprintf(names[(*n)++], SW_POINT_LEN, "%s", p);
	}
	PQclear(r);
	return err;
}

int db_read_data_days(struct db_conn *c, const char *point, int64_t *first, int64_t *last)
{
	const char *params[1] = { point };
	char errmsg[512];
	PGresult *r =
		point ? query(c,
			      "SELECT min" DAY_NUM ", max" DAY_NUM " FROM sw_day WHERE point = $1",
			      1, params, errmsg, sizeof(errmsg)) :
			query(c, "SELECT min" DAY_NUM ", max" DAY_NUM " FROM sw_day", 0, NULL,
			      errmsg, sizeof(errmsg));
	int err = 0;

	if (!r) {
		sw_err("%s", errmsg);
		return -EIO;
	}
	if (PQgetisnull(r, 0, 0)) {
		err = -ENOENT;
	} else {
		*first = i64(r, 0, 0);
		*last = i64(r, 0, 1);
	}
	PQclear(r);
	return err;
}

int db_read_victims(struct db_conn *c, struct victim_set *set, const char *point, int64_t from,
		    int64_t to, char *errmsg, size_t errlen)
{
	char f[24], t[24];
	const char *params[3] = { point, f, t };
	PGresult *r;
	int64_t day = INT64_MIN;
	int err = 0;

	snprintf(f, sizeof(f), "%" PRId64, from);
	snprintf(t, sizeof(t), "%" PRId64, to);
	r = query(c,
		  "SELECT " DAY_NUM ", addr, key, packets, first_ns, last_ns FROM sw_victim "
		  "WHERE " DAY_RANGE " ORDER BY day, seq, n",
		  3, params, errmsg, errlen);
	if (!r)
		return -EIO;
	for (int i = 0; !err && i < PQntuples(r); i++) {
		if (i64(r, i, 0) != day) {
			day = i64(r, i, 0);
			set->files++;
		}
		err = victims_add(set, PQgetvalue(r, i, 1), PQgetvalue(r, i, 2), u64(r, i, 3),
				  u64(r, i, 4), u64(r, i, 5));
		if (err)
			snprintf(errmsg, errlen, "out of memory");
	}
	PQclear(r);
	return err;
}

int db_read_alerts_log(struct db_conn *c, const char *point, struct alert_list *out, char *errmsg,
		       size_t errlen)
{
	const char *params[1] = { point };
	char line[1024];
	unsigned int bad = 0;
	PGresult *r = query(c, "SELECT line FROM sw_alert WHERE point = $1 ORDER BY n", 1, params,
			    errmsg, errlen);
	int err = 0;

	if (!r)
		return -EIO;
	for (int i = 0; !err && i < PQntuples(r); i++) {
		snprintf(line, sizeof(line), "%s", PQgetvalue(r, i, 0));
		err = alerts_log_parse(point, line, out, &bad);
	}
	PQclear(r);
	if (bad)
		sw_warn("database: alerts of point %s: %u line(s) that are not alerts passed over",
			point, bad);
	return err;
}
