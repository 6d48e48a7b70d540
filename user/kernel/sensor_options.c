// SPDX-License-Identifier: GPL-2.0-only
/* The sizing options of `run` and `replay`, checked against what the program can hold. */
#include <errno.h>
#include <stddef.h>

#include "parse_num.h"
#include "sensor.h"
#include "sensor_options.h"

static int set_cache_slots(void *field, const char *arg, const char *cmd)
{
	unsigned int v;

	(void)cmd;
	/* The cache is indexed by a mask of the hash. */
	if (parse_uint(arg, SW_CACHE_SLOTS_MIN, SW_CACHE_SLOTS_MAX, &v) || (v & (v - 1)))
		return -EINVAL;
	*(unsigned int *)field = v;
	return 0;
}

_Static_assert(SW_CACHE_SLOTS_MIN == 16 && SW_CACHE_SLOTS_MAX == 1048576,
	       "--cache-slots' message names the range");

#define STR_(x) #x
#define STR(x) STR_(x)
#define OFF(f) offsetof(struct sensor_config, f)

const struct param sensor_params[] = {
	{ "interval", 'i', PARAM_UINT, OFF(interval_s), "S",
	  "seconds an interval lasts, aligned to the clock", "60", .min = 1, .max = 3600,
	  .unit = "seconds" },
	{ "max-pairs", 0, PARAM_UINT, OFF(max_pairs), "N",
	  "(source, key) pairs per interval before overflow", STR(SW_DEFAULT_MAX_PAIRS),
	  .min = 1024, .max = 1 << 28 },
	{ "max-keys", 0, PARAM_UINT, OFF(max_keys), "N", "keys per interval before overflow",
	  STR(SW_DEFAULT_MAX_KEYS), .min = 256, .max = 1 << 22 },
	{ "log-records", 0, PARAM_UINT, OFF(log_records), "N",
	  "records the kernel's log holds per interval before overflow\n"
	  "(default: --max-pairs; README: How counting works)",
	  .min = SW_LOG_RECORDS_MIN, .max = SW_LOG_RECORDS_MAX },
	{ "cache-slots", 0, PARAM_FUNC, OFF(cache_slots), "N",
	  "(source, key) slots of each CPU's cache, a power of two\n"
	  "(default 1024)",
	  .fn = set_cache_slots, .takes = "a power of two from 16 to 1048576" },
	PARAM_END,
};
