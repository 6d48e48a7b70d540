// SPDX-License-Identifier: GPL-2.0-only
/* `scanwatch replay`'s options (fuzz_cli.h). */
#include "replay.c"

#include "fuzz_cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct replay_cli c = { .co.tz = "UTC" };
	struct fuzz_args a;
	int err;

	c.cfg.interval_s = 60;
	c.cfg.max_pairs = SW_DEFAULT_MAX_PAIRS;
	c.cfg.max_keys = SW_DEFAULT_MAX_KEYS;
	alert_engine_init(&c.alerts);
	fuzz_args_make(&a, "replay", data, size);
	err = parse_args(&c, a.argc, a.argv);
	fuzz_check_ret(err, "replay");
	if (!err) {
		fuzz_check_point(c.point, "replay");
		FUZZ_CHECK(c.co.data_dir && optind < a.argc, "replay: accepted without files");
		FUZZ_CHECK(c.co.max_day_pairs >= 1 && c.co.max_day_pairs <= SW_MAX_DAY_PAIRS_LIMIT,
			   "replay: --max-day-pairs %llu", (unsigned long long)c.co.max_day_pairs);
	}
	alert_engine_close(&c.alerts);
	prefix_list_free(&c.co.watch);
	prefix_list_free(&c.co.research);
	rrd_cli_free(&c.rrd);
	fuzz_args_free(&a);
	return 0;
}
