/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The sizing options `run` and `replay` share: how much one interval and one day may hold before
 * what does not fit is counted as lost (README.md, "How counting works").
 */
#ifndef SW_SENSOR_OPTIONS_H
#define SW_SENSOR_OPTIONS_H

#include <getopt.h>
#include <stdint.h>

#include "daysize.h"

struct sensor_config;

enum {
	SENSOR_OPT_MAX_PAIRS =
		0x1300, /* after RRD_OPT_ 0x1000, ALERT_OPT_ 0x1100, DB_OPT_ 0x1200 */
	SENSOR_OPT_MAX_KEYS,
	SENSOR_OPT_MAX_DAY_PAIRS,
	SENSOR_OPT_LOG_RECORDS,
	SENSOR_OPT_CACHE_SLOTS,
};

#define SENSOR_CLI_OPTIONS                                                              \
	{ "max-pairs", required_argument, NULL, SENSOR_OPT_MAX_PAIRS },                 \
		{ "max-keys", required_argument, NULL, SENSOR_OPT_MAX_KEYS },           \
		{ "max-day-pairs", required_argument, NULL, SENSOR_OPT_MAX_DAY_PAIRS }, \
		{ "log-records", required_argument, NULL, SENSOR_OPT_LOG_RECORDS },     \
	{                                                                               \
		"cache-slots", required_argument, NULL, SENSOR_OPT_CACHE_SLOTS          \
	}

#define SENSOR_CLI_HELP                                                                                   \
	"      --max-pairs N        (source, key) pairs per interval before overflow (default 1048576)\n" \
	"      --max-keys N         keys per interval before overflow (default 65536)\n"                  \
	"      --log-records N      records the kernel's log holds per interval before overflow\n"        \
	"                           (default: --max-pairs; README: How counting works)\n"                 \
	"      --cache-slots N      (source, key) slots of each CPU's cache, a power of two\n"            \
	"                           (default 1024)\n" SW_MAX_DAY_PAIRS_HELP

/*
 * Handles SENSOR_OPT_* of command cmd into cfg and *max_day_pairs: a value out of range is a
 * usage error, in one line. 0 or SW_EXIT_USAGE.
 */
int sensor_cli_option(struct sensor_config *cfg, uint64_t *max_day_pairs, int opt, const char *arg,
		      const char *cmd);

#endif
