// SPDX-License-Identifier: GPL-2.0-only
/* `scanwatch run`'s options (fuzz_cli.h): --point NAME=IFACE, --watch, --keys, --alert-command... */
#include "run.c"

#include "fuzz_cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run_ctx *c = calloc(1, sizeof(*c));
	struct fuzz_args a;
	int err;

	if (!c)
		return 0;
	c->cfg.interval_s = 60;
	c->cfg.max_pairs = SW_DEFAULT_MAX_PAIRS;
	c->cfg.max_keys = SW_DEFAULT_MAX_KEYS;
	c->co.tz = "UTC";
	alert_engine_init(&c->alerts);
	fuzz_args_make(&a, "run", data, size);
	err = parse_args(c, a.argc, a.argv);
	fuzz_check_ret(err, "run");
	if (!err) {
		FUZZ_CHECK(c->npoints >= 1 && c->co.data_dir,
			   "run: accepted without a point or data dir");
		for (size_t i = 0; i < c->npoints; i++) {
			fuzz_check_point(c->points[i].name, "run");
			FUZZ_CHECK(c->points[i].ifname && *c->points[i].ifname,
				   "run: point %s without an interface", c->points[i].name);
		}
		FUZZ_CHECK(c->cfg.interval_s >= 1 && c->cfg.interval_s <= 3600, "run: interval %u",
			   c->cfg.interval_s);
		/* Given or sized from memory, a ceiling the day's set can be held to. */
		FUZZ_CHECK(c->co.max_day_pairs >= 1 &&
				   c->co.max_day_pairs <= SW_MAX_DAY_PAIRS_LIMIT,
			   "run: --max-day-pairs %llu", (unsigned long long)c->co.max_day_pairs);
	}
	alert_engine_close(&c->alerts);
	prefix_list_free(&c->co.watch);
	prefix_list_free(&c->co.research);
	rrd_cli_free(&c->rrd);
	free(c);
	fuzz_args_free(&a);
	return 0;
}
