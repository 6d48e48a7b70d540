/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The options `run` and `replay` share, as params.h tables: where the counts go and how they are
 * made (count_params over struct count_opts, which both commands embed), the sizing of the
 * kernel's tables (sensor_params, sensor_options.h), RRD files through rrdcached, the central
 * database and the alerts (alerts.h).
 */
#ifndef SW_COUNT_OPTIONS_H
#define SW_COUNT_OPTIONS_H

#include <stdint.h>

#include "cli.h"
#include "params.h"

struct count_opts {
	const char *data_dir;
	const char *geoip_path; /* NULL: the default database */
	const char *tz; /* of day boundaries */
	struct prefix_list watch;
	const char *research_path; /* read once every option is: the command line's wins */
	struct prefix_list research; /* its prefixes */
	uint64_t max_day_pairs; /* --max-day-pairs; sized from memory when not given */
};

extern const struct param count_params[];
extern const struct param count_rrd_params[]; /* over struct rrd_cli */
extern const struct param count_db_params[]; /* over struct db_sink */

#endif
