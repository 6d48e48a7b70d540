/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The exact daily summary of one point: a line-oriented text file, DATA_DIR/POINT/daily/DATE.txt,
 * documented in README.md ("Daily summary files"). Month figures are sums of these days.
 */
#ifndef SW_DAYFILE_H
#define SW_DAYFILE_H

#include <stddef.h>
#include <stdint.h>

#include "parse_num.h"
#include "points.h"
#include "tally.h"

#define SW_DAYFILE_FORMAT 1
#define SW_TZ_LEN 64

struct dayfile {
	char point[SW_POINT_LEN];
	char date[11]; /* YYYY-MM-DD */
	char tz[SW_TZ_LEN];
	uint64_t seq; /* the last drain stored in it */
	uint64_t pairs; /* records of sources/DATE.pairs it accounts for */
	/*
	 * The addresses the day was counted for (--watch, overlaps merged; the largest set of the
	 * day); 0: unknown, a day counted without --watch in part or whole, or by an older version.
	 */
	sw_u128 watched;
	struct tally t;
};

void dayfile_init(struct dayfile *df);
void dayfile_free(struct dayfile *df);
/* Written to a temporary name, synced, then renamed over the old one (atomic_file.h). */
int dayfile_writeat(int dfd, const char *name, const struct dayfile *df);
int dayfile_write(const char *path, const struct dayfile *df);
/* The name a statistic has in the file ("packets"), and back: -1 for no such name. */
const char *dayfile_stat_name(int stat);
int dayfile_stat_index(const char *name);
/*
 * 0, -ENOENT, or another -errno with the file and why in errmsg: -EINVAL for a line that does
 * not parse or repeats a fact, with its number; a link or a file that is not regular is refused.
 */
int dayfile_read(const char *path, struct dayfile *df, char *errmsg, size_t errlen);

/* First and last day of a point's (or, NULL, every point's) daily summaries; -ENOENT if none. */
int dayfile_span(const char *data_dir, const char *point, int64_t *first, int64_t *last);

#endif
