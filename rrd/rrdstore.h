/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One point's RRD files: after each stored interval, its exact counts go to totals.rrd, one file
 * per tracked key, per area, per fingerprint, overflow.rrd and peak.rrd (README.md, "RRD files").
 *
 * Every interval becomes one row per file, queued in memory and written in time order. A row is
 * written once its interval has ended (so the partial interval of a daemon stopped by a signal
 * waits, is saved in DATA_DIR/POINT/rrd-queue, and the next process adds to it what the kernel
 * counted meanwhile: RRD refuses a second update at the same time). A row that cannot be written
 * (rrdcached down, disk full) stays queued and is retried at the next flush, up to a day of rows
 * per file.
 */
#ifndef SW_RRDSTORE_H
#define SW_RRDSTORE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "points.h"
#include "rrdio.h"
#include "tally.h"
#include "tracked.h"

enum rrd_schema {
	RRD_SCH_KINDS, /* totals and keys: acc_scan acc_backscatter acc_other src_scan ... */
	RRD_SCH_AREA, /* acc src */
	RRD_SCH_FP, /* acc */
	RRD_SCH_OVERFLOW, /* dropped lost_sources */
	RRD_SCH_PEAK, /* peak: the most accesses in one second of the interval */
	RRD_NSCHEMAS
};

#define RRD_MAX_VALS 6

struct rrd_row {
	uint64_t end_s; /* the interval [end_s - step, end_s) */
	uint64_t v[RRD_MAX_VALS];
};

struct rrd_file {
	char rel[48]; /* "keys/tcp_445.rrd", relative to DATA_DIR/POINT */
	enum rrd_schema schema;
	bool checked; /* exists and last_s are known */
	bool exists;
	bool foreign; /* someone else's data sources: never written */
	bool fed; /* gets a row every interval (not only rows a stopped process left) */
	/* Data sources it takes: its schema's, or the first ones in a file made before the rest. */
	unsigned int nds;
	bool queue_only; /* named by rrd-queue alone: written if it exists, never created */
	uint64_t last_s; /* its last update */
	struct rrd_row *q; /* rows not yet written, in time order */
	size_t nq, qcap;
};

struct rrdstore_config {
	const char *data_dir;
	const char *point;
	unsigned int step_s;
	const char *daemon; /* rrdcached address; NULL for local files */
	const struct key_list *keys; /* configured keys; NULL for the built-in list */
	/*
	 * Wall-clock second from which this process watches: gaps in its rows after it are idle
	 * time (zeros); before it, nobody watched (unknown). 0: from the start of its first row,
	 * which is what replay wants.
	 */
	uint64_t since_s;
	/*
	 * Rows of rrd-queue that end after this are not written (a clock far ahead, or a file made
	 * by hand: once written, such a row would make every later one too late). 0: no limit.
	 */
	uint64_t queue_until_s;
};

/* The folders of a point's files, held open (safe_file.h): the point's own, keys, areas... */
enum rrd_dir { RRD_DIR_POINT, RRD_DIR_KEYS, RRD_DIR_AREAS, RRD_DIR_FPS, RRD_NDIRS };

struct rrdstore {
	char data_dir[PATH_MAX];
	char point[SW_POINT_LEN];
	char dir[PATH_MAX]; /* DATA_DIR/POINT: state files are always local */
	unsigned int step_s;
	uint64_t since_s;
	uint64_t queue_until_s;
	size_t step_rows; /* rows of the archive of every step: a longer idle gap is unknown */
	int dir_fd[RRD_NDIRS]; /* -1: none (the files are rrdcached's) */
	struct rrdio io;
	struct rrd_file *files;
	size_t nfiles, fcap;
	int totals, overflow, peak, fp[SW_NFPS];
	int area_file[SW_NAREAS]; /* -1: none */
	struct {
		uint32_t fkey;
		int file;
	} * keymap; /* sorted by fkey */
	size_t nkeymap, keymap_cap;
	struct tracked tracked;
	bool tracked_dirty; /* not saved yet: retried at every interval */
	uint64_t *scratch; /* a row per file while an interval is spread over them */
	size_t max_rows; /* per file queue */
	uint64_t rows_late, rows_dropped; /* never written: reported, then reset */
	uint64_t late_run, dropped_run; /* of them, since it started happening; 0: it is not */
	char errmsg[1024];
};

/*
 * Connects to rrdcached if asked, loads the tracked set and the queue a stopped process left, and
 * checks every existing file it will write: a file with other data sources or another step is
 * -EINVAL, an unreachable rrdcached -EHOSTUNREACH; errmsg says which and why.
 */
int rrdstore_open(struct rrdstore *rs, const struct rrdstore_config *cfg);
/*
 * Queues the interval starting at start_s (iv: its counts; day: the day so far, for the top N)
 * and writes every queued row that ended by upto_s (UINT64_MAX: all). 0 or -errno with errmsg;
 * on error the rows that were not written stay queued for the next call.
 */
int rrdstore_interval(struct rrdstore *rs, uint64_t start_s, const struct tally *iv,
		      const struct tally *day, uint64_t upto_s);
int rrdstore_add(struct rrdstore *rs, uint64_t start_s, const struct tally *iv,
		 const struct tally *day);
int rrdstore_flush(struct rrdstore *rs, uint64_t upto_s);
size_t rrdstore_queued(const struct rrdstore *rs);
/* Saves what is still queued to DATA_DIR/POINT/rrd-queue (or removes it when nothing is). */
int rrdstore_close(struct rrdstore *rs);

/* The data sources of a schema and the create arguments for a step (for tests and tools). */
unsigned int rrd_schema_nds(enum rrd_schema s);
const char *rrd_schema_ds(enum rrd_schema s, unsigned int i);
/* Rows of the archive that keeps every step, at a step. */
size_t rrd_step_rows(unsigned int step_s);
/* Fills argv with DS and RRA definitions in bufs; returns argc. */
int rrd_schema_args(enum rrd_schema s, unsigned int step_s, char bufs[][64], const char **argv);
#define RRD_MAX_ARGS 24

#endif
