// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <time.h>

#include "daydata.h"
#include "store.h"

int daydata_visit(const char *data_dir, char (*points)[33], size_t npoints, int64_t from,
		  int64_t to, daydata_fn fn, void *ctx, char *errmsg, size_t errlen)
{
	char dir[PATH_MAX], path[PATH_MAX], date[11];
	int err = 0;

	for (size_t p = 0; p < npoints && !err; p++) {
		snprintf(dir, sizeof(dir), "%s/%s", data_dir, points[p]);
		for (int64_t day = from; day <= to && !err; day++) {
			time_t t = (time_t)(day * 86400);
			struct dayfile df;
			struct tm tm;

			gmtime_r(&t, &tm);
			strftime(date, sizeof(date), "%Y-%m-%d", &tm);
			if (sw_day_path(path, sizeof(path), dir, date, "daily", "txt")) {
				snprintf(errmsg, errlen, "%s: path too long", dir);
				return -ENAMETOOLONG;
			}
			err = dayfile_read(path, &df, errmsg, errlen);
			/* No file: a day nobody counted. ENOTDIR: a point without a daily folder. */
			if (err == -ENOENT || err == -ENOTDIR) {
				err = 0;
				continue;
			}
			if (err)
				break;
			err = fn(ctx, p, day, &df);
			dayfile_free(&df);
		}
	}
	return err;
}
