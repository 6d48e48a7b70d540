// SPDX-License-Identifier: GPL-2.0-only
/* The sizing options of `run` and `replay`, checked against what the program can hold. */
#include <stdbool.h>

#include "cli.h"
#include "parse_num.h"
#include "sensor.h"
#include "sensor_options.h"

static int state_option(struct sensor_config *cfg, bool cache, const char *arg, const char *cmd)
{
	unsigned int v;

	if (cache) {
		if (parse_uint(arg, SW_CACHE_SLOTS_MIN, SW_CACHE_SLOTS_MAX, &v) || (v & (v - 1)))
			return usage_error(
				cmd, "--cache-slots takes a power of two from %u to %u, not '%s'",
				SW_CACHE_SLOTS_MIN, SW_CACHE_SLOTS_MAX, arg);
		cfg->cache_slots = v;
		return 0;
	}
	if (parse_uint(arg, SW_LOG_RECORDS_MIN, SW_LOG_RECORDS_MAX, &v))
		return usage_error(cmd, "--log-records takes %u to %u, not '%s'",
				   SW_LOG_RECORDS_MIN, SW_LOG_RECORDS_MAX, arg);
	cfg->log_records = v;
	return 0;
}

int sensor_cli_option(struct sensor_config *cfg, uint64_t *max_day_pairs, int opt, const char *arg,
		      const char *cmd)
{
	switch (opt) {
	case SENSOR_OPT_MAX_PAIRS:
		if (parse_uint(arg, 1024, 1 << 28, &cfg->max_pairs))
			return usage_error(cmd, "--max-pairs takes 1024 to 268435456");
		return 0;
	case SENSOR_OPT_MAX_KEYS:
		if (parse_uint(arg, 256, 1 << 22, &cfg->max_keys))
			return usage_error(cmd, "--max-keys takes 256 to 4194304");
		return 0;
	case SENSOR_OPT_MAX_DAY_PAIRS:
		return day_pairs_option(cmd, arg, max_day_pairs) ? SW_EXIT_USAGE : 0;
	default:
		return state_option(cfg, opt == SENSOR_OPT_CACHE_SLOTS, arg, cmd) ? SW_EXIT_USAGE :
										    0;
	}
}
