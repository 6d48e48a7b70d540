// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>

#include "cli.h"
#include "log.h"
#include "rrdcli.h"

int rrd_cli_option(struct rrd_cli *rc, int opt, const char *arg, const char *cmd)
{
	char errmsg[512];

	if (opt == RRD_OPT_RRDCACHED) {
		if (!*arg)
			return usage_error(cmd,
					   "--rrdcached takes an address, unix:PATH or HOST:PORT");
		rc->daemon = arg;
		return 0;
	}
	key_list_free(&rc->keys);
	rc->have_keys = true;
	if (key_list_load(&rc->keys, arg, errmsg, sizeof(errmsg))) {
		fprintf(stderr, "%sscanwatch %s: %s\n", sw_log_priority(SW_LOG_ERR), cmd, errmsg);
		return SW_EXIT_USAGE;
	}
	return 0;
}

void rrd_cli_free(struct rrd_cli *rc)
{
	key_list_free(&rc->keys);
}

int rrd_cli_open(const struct rrd_cli *rc, struct rrdstore *rs, const char *data_dir,
		 const char *point, unsigned int step_s, uint64_t since_s, uint64_t now_s)
{
	struct rrdstore_config cfg = {
		.data_dir = data_dir,
		.point = point,
		.step_s = step_s,
		.daemon = rc->daemon,
		.keys = rc->have_keys ? &rc->keys : NULL,
		.since_s = since_s,
		.queue_until_s = now_s + step_s,
	};

	return rrdstore_open(rs, &cfg);
}

int rrd_cli_interval(struct rrdstore *rs, uint64_t start_s, const struct point_store *ps,
		     uint64_t upto_s)
{
	int err = rrdstore_interval(rs, start_s, &ps->iv, &ps->day.t, upto_s);

	if (err)
		sw_err("point %s: %s", rs->point, rs->errmsg);
	return err;
}
