/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What `run` and `replay` share about RRD files: the --rrdcached and --keys options, and the
 * call after each stored interval. Kept here so that the commands carry only a few lines of it.
 */
#ifndef SW_RRDCLI_H
#define SW_RRDCLI_H

#include <getopt.h>
#include <stdint.h>

#include "rrdstore.h"
#include "store.h"
#include "tracked.h"

/* Option values above every command's own (which start at 256). */
enum { RRD_OPT_RRDCACHED = 0x1000, RRD_OPT_KEYS };

struct rrd_cli {
	const char *daemon;
	bool have_keys;
	struct key_list keys;
};

/* Handles RRD_OPT_*; a bad key file is reported here, in one line, as SW_EXIT_USAGE. */
int rrd_cli_option(struct rrd_cli *rc, int opt, const char *arg, const char *cmd);
void rrd_cli_free(struct rrd_cli *rc);
/*
 * Opens a point's RRD store; since_s as in struct rrdstore_config; now_s is the command's clock,
 * beyond which (by an interval) no row of rrd-queue is written. errmsg in rs on error.
 */
int rrd_cli_open(const struct rrd_cli *rc, struct rrdstore *rs, const char *data_dir,
		 const char *point, unsigned int step_s, uint64_t since_s, uint64_t now_s);
/* After store_interval() succeeded: the interval into the RRD files; errors are logged. */
int rrd_cli_interval(struct rrdstore *rs, uint64_t start_s, const struct point_store *ps,
		     uint64_t upto_s);

#endif
