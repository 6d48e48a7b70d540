/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The exact daily summaries, one day of one point at a time, for the charts: a per-day bar is
 * the day's figure as the summary has it (the day in progress up to its last stored interval),
 * never an average read back from an RRD archive.
 */
#ifndef SW_DAYDATA_H
#define SW_DAYDATA_H

#include <stddef.h>
#include <stdint.h>

#include "dayfile.h"

/* point indexes points[]; day is days since the epoch. A non-zero return stops the visit. */
typedef int (*daydata_fn)(void *ctx, size_t point, int64_t day, const struct dayfile *df);

/*
 * Calls fn for every daily summary the points have over days [from, to], in order of point then
 * day. 0, fn's error, or -EINVAL with the file, line and reason in errmsg.
 */
int daydata_visit(const char *data_dir, char (*points)[33], size_t npoints, int64_t from,
		  int64_t to, daydata_fn fn, void *ctx, char *errmsg, size_t errlen);

#endif
