// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "daysrc.h"
#include "db_conn.h"
#include "db_read.h"
#include "log.h"
#include "points.h"
#include "store.h"

int daysrc_usage(const char *cmd, const char *data_dir, const char *db_url)
{
	if (!data_dir == !db_url)
		return usage_error(cmd, data_dir ? "give --data-dir or --db, not both" :
						   "--data-dir is required (or --db URL)");
	return 0;
}

int daysrc_open(struct daysrc *s, struct db_conn *c, const char *data_dir, const char *db_url,
		const char *cmd)
{
	char app[64];

	*s = daysrc_files(data_dir);
	if (daysrc_usage(cmd, data_dir, db_url))
		return SW_EXIT_USAGE;
	if (data_dir)
		return 0;
	memset(c, 0, sizeof(*c));
	snprintf(app, sizeof(app), "scanwatch %s", cmd);
	if (db_conn_open(c, db_url, app)) {
		sw_err("--db: %s", c->errmsg);
		return SW_EXIT_FAIL;
	}
	s->db = c;
	return 0;
}

void daysrc_close(struct daysrc *s)
{
	if (s->db)
		db_conn_close(s->db);
	s->db = NULL;
}

const char *daysrc_name(const struct daysrc *s)
{
	return s->db ? "the database" : s->data_dir;
}

static int files_days(const char *data_dir, const char *point, int64_t from, int64_t to,
		      daysrc_day_fn fn, void *ctx, char *errmsg, size_t errlen)
{
	char dir[PATH_MAX], path[PATH_MAX], date[11];
	int err = 0;

	snprintf(dir, sizeof(dir), "%s/%s", data_dir, point);
	for (int64_t day = from; day <= to && !err; day++) {
		struct dayfile df;

		sw_day_format(day, date);
		sw_day_path(path, sizeof(path), dir, date, "daily", "txt");
		err = dayfile_read(path, &df, errmsg, errlen);
		/* ENOTDIR: a file beside the points (a log, say) is no point. */
		if (err == -ENOENT || err == -ENOTDIR) {
			err = 0;
			continue;
		}
		/* A copy, or a file moved from elsewhere, would count another day twice. */
		if (!err && (strcmp(df.point, point) || strcmp(df.date, date))) {
			snprintf(errmsg, errlen,
				 "%s is the summary of point %s on %s, not of %s on %s", path,
				 df.point, df.date, point, date);
			dayfile_free(&df);
			err = -EINVAL;
		}
		if (!err)
			err = fn(ctx, &df);
	}
	return err;
}

int daysrc_days(const struct daysrc *s, const char *point, int64_t from, int64_t to,
		daysrc_day_fn fn, void *ctx, char *errmsg, size_t errlen)
{
	if (s->db)
		return db_read_days(s->db, point, from, to, fn, ctx, errmsg, errlen);
	return files_days(s->data_dir, point, from, to, fn, ctx, errmsg, errlen);
}

int daysrc_points(const struct daysrc *s, char (*names)[SW_POINT_LEN], size_t max, size_t *n)
{
	if (s->db)
		return db_read_points(s->db, names, max, n);
	return sw_points_find(s->data_dir, SW_POINTS_DAILY, names, max, n);
}

bool daysrc_has_point(const struct daysrc *s, const char *point)
{
	char path[PATH_MAX];
	struct stat st;
	int64_t f, l;

	if (s->db)
		return !db_read_data_days(s->db, point, &f, &l);
	snprintf(path, sizeof(path), "%s/%s/daily", s->data_dir, point);
	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

int daysrc_data_days(const struct daysrc *s, const char *point, int64_t *first, int64_t *last)
{
	if (s->db)
		return db_read_data_days(s->db, point, first, last);
	return dayfile_span(s->data_dir, point, first, last);
}

int daysrc_victims(const struct daysrc *s, struct victim_set *set, const char *point, int64_t from,
		   int64_t to, char *errmsg, size_t errlen)
{
	if (s->db)
		return db_read_victims(s->db, set, point, from, to, errmsg, errlen);
	return victims_load(set, s->data_dir, point, from, to, errmsg, errlen);
}

int daysrc_alerts_log(const struct daysrc *s, const char *point, struct alert_list *out,
		      char *errmsg, size_t errlen)
{
	if (s->db)
		return db_read_alerts_log(s->db, point, out, errmsg, errlen);
	return alerts_log_read(s->data_dir, point, out, errmsg, errlen);
}
