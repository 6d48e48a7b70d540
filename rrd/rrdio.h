/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one place that talks to librrd: local files through the thread-safe _r calls, or a running
 * rrdcached through librrd's client API (rrd_client.h), so that the rest of scanwatch does not
 * care where the files live. README.md, "RRD files", documents how names map in each case.
 */
#ifndef SW_RRDIO_H
#define SW_RRDIO_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <rrd.h>

#include "safe_file.h"

#define RRDIO_MAX_DS 8
#define RRDIO_DS_NAME 20 /* librrd's DS_NAM_SIZE */

struct rrdio {
	const char *daemon; /* rrdcached address; NULL: local files */
	bool remote; /* network address: names are relative to rrdcached's -b directory */
	char errmsg[512];
};

/* What a file says about itself: enough to tell whether it is one of ours. */
struct rrdio_meta {
	unsigned long step_s;
	time_t last_s;
	unsigned int nds;
	char ds[RRDIO_MAX_DS][RRDIO_DS_NAME]; /* by index */
	char type[RRDIO_MAX_DS][RRDIO_DS_NAME];
};

/* Local files (daemon NULL or ""), or connects to rrdcached: -EHOSTUNREACH with errmsg set. */
int rrdio_open(struct rrdio *io, const char *daemon);
void rrdio_close(struct rrdio *io);
/* Reconnects to rrdcached after a lost connection; 0 when local or connected. */
int rrdio_reconnect(struct rrdio *io);
bool rrdio_connected(const struct rrdio *io);

/*
 * The name librrd (or rrdcached) gets for REL ("totals.rrd", "keys/tcp_445.rrd") of POINT:
 * DATA_DIR/POINT/REL for local files and for rrdcached on a unix socket (librrd resolves those
 * names on the client side, so both must see the same file system), POINT/REL for rrdcached at a
 * network address (resolved against its -b base directory on the central host).
 */
int rrdio_name(const struct rrdio *io, const char *data_dir, const char *point, const char *rel,
	       char *buf, size_t len);

/*
 * 0 and meta filled, -ENOENT when the file does not exist, another -errno with errmsg. A local
 * name that is a link or not a regular file is refused (-ELOOP, -SF_ENOTREG), never opened.
 */
int rrdio_info(struct rrdio *io, const char *name, struct rrdio_meta *meta);

/*
 * Where a local file is: its folder, opened without following links (safe_file.h), and its name
 * there. librrd is given the folder or the file itself (/proc/self/fd/N), so that whatever is
 * done to the path meanwhile, no link is ever followed. Ignored through rrdcached.
 */
struct rrdio_at {
	int dfd;
	const char *base;
};

/*
 * Creates a file that must not exist yet (librrd's no_overwrite): locally in a folder of its own
 * that only this process can write, made mode SW_MODE_FILE there, and renamed into place without
 * replacing anything, so that no reader ever sees half a file, two writers never clobber each
 * other and nothing planted at a name is written through. -EEXIST when someone else's file is
 * there; -ENOSPC when the disk is full (librrd itself does not say).
 */
int rrdio_create(struct rrdio *io, const char *name, const struct rrdio_at *at,
		 unsigned long step_s, time_t last_up, int argc, const char **argv);
/* "T:v:v..." strings with epoch times, in order. A local file is opened as sf_open() does. */
int rrdio_update(struct rrdio *io, const char *name, const struct rrdio_at *at, int argc,
		 const char **argv);
/* As rrd_fetch_r; free names (each and the array) and data with rrd_freemem(). */
int rrdio_fetch(struct rrdio *io, const char *name, const char *cf, time_t *start, time_t *end,
		unsigned long *step, unsigned long *nds, char ***names, rrd_value_t **data);
/* Makes rrdcached write what it holds for the file; nothing to do for local files. */
int rrdio_flush(struct rrdio *io, const char *name);

#endif
