/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Storage of one point's drained intervals: the day's tally and source set, the exact daily
 * summary (dayfile.h) and the log of the day's new (source, key) pairs that lets a restarted
 * daemon know which sources it has already counted.
 */
#ifndef SW_STORE_H
#define SW_STORE_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#include "dayfile.h"
#include "interval.h"
#include "geoip.h"
#include "pairset.h"
#include "tally.h"

/* The point's folders, held open so that no link is ever followed to its files (safe_file.h). */
enum store_dir {
	STORE_DIR_POINT,
	STORE_DIR_DAILY,
	STORE_DIR_SOURCES,
	STORE_DIR_VICTIMS,
	STORE_NDIRS
};

struct point_store;

/*
 * Another store told of what this one does (the central database, db_sink.h): a day read back
 * from its files, and each interval just before its files are written (prepare: non-zero stops
 * the store, as a failed write would) and after (done: whether the files took it).
 */
struct store_hook {
	void *ctx;
	void (*day_loaded)(void *ctx, const struct point_store *ps);
	int (*prepare)(void *ctx, const struct point_store *ps, const struct sw_interval *iv,
		       uint64_t prev_seq);
	void (*done)(void *ctx, const struct point_store *ps, bool stored);
};

struct point_store {
	char dir[PATH_MAX]; /* DATA_DIR/POINT */
	int dir_fd[STORE_NDIRS];
	int lock_fd; /* point_lock.h; -1 until store_lock() */
	char tz[SW_TZ_LEN];
	struct geoip *geo;
	struct dayfile day; /* the day being filled; day.date[0] == 0 before the first interval */
	struct pairset seen;
	FILE *pairlog;
	struct tally iv; /* the last stored interval, for the RRD writer */
	size_t nfresh; /* pairs first seen in the last interval */
	sw_u128 watched; /* the addresses this process counts for (--watch); 0: every one */
	bool day_new; /* the day has no summary yet: its first interval sets day.watched */
	bool watch_told; /* warned that the day was counted for another set of addresses */
	const struct store_hook *hook; /* NULL: none; set after store_open() */
	char errmsg[512];
};

int store_open(struct point_store *ps, const char *data_dir, const char *point, const char *tz,
	       struct geoip *geo);
/*
 * The ceiling of the day's source set (0: none, the default): past it, new (source, key) pairs
 * are counted in the interval's lost_sources instead of its sources.
 */
void store_set_max_day_pairs(struct point_store *ps, uint64_t max_pairs);
/*
 * The addresses counted (sw_prefix_addresses() of --watch; 0 without it). A day counted for
 * different sets records the largest; a day counted without --watch in part records none.
 */
void store_set_watched(struct point_store *ps, sw_u128 watched);
/* After an interval is stored: one warning line if it had new pairs the day's set could not hold. */
void store_report_lost(const struct point_store *ps);
/*
 * Makes this process the point's one writer (point_lock.h) until store_close(), before anything
 * is written: -EBUSY with errmsg naming the writer that is. what: "run" or "replay".
 */
int store_lock(struct point_store *ps, const char *what);
/* Makes the day containing t (wall-clock seconds) the current one, loading what it has. */
int store_open_day(struct point_store *ps, uint64_t t);
/* Adds an interval (its start_s decides the day) and writes the day's files. */
int store_interval(struct point_store *ps, const struct sw_interval *iv, uint64_t seq);
/* Warns, as run and replay both do, of the packets of the last interval whose source or key
 * found the kernel tables full; returns how many. */
uint64_t store_warn_dropped(const struct point_store *ps);
void store_close(struct point_store *ps);
int sw_day_path(char *buf, size_t len, const char *point_dir, const char *date, const char *sub,
		const char *ext);

#endif
