/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Points by name: what a name may be, and the points a data directory holds. A point's name is
 * also a directory name, a pin directory's and a file's part, so it is kept short and plain.
 */
#ifndef SW_POINTS_H
#define SW_POINTS_H

#include <stdbool.h>
#include <stddef.h>

/* 1 to 32 of [A-Za-z0-9_-], not starting with '-'; SW_POINT_LEN holds one and its NUL. */
#define SW_POINT_NAME_MAX 32
#define SW_POINT_LEN (SW_POINT_NAME_MAX + 1)

bool point_name_ok(const char *name);

/* What makes a directory under the data directory a point: */
enum sw_points_by {
	SW_POINTS_DAILY = 1, /* a daily/ directory (what summaries, reports and alerts read) */
	SW_POINTS_RRD = 2, /* a totals.rrd (what charts draw) */
};

/*
 * The points under data_dir that have any of by's files, sorted by name, at most max: 0,
 * -E2BIG when there are more, or -errno when data_dir cannot be read.
 */
int sw_points_find(const char *data_dir, unsigned int by, char (*names)[SW_POINT_LEN], size_t max,
		   size_t *n);

#endif
