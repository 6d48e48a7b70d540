// SPDX-License-Identifier: GPL-2.0-only
/* The options `run` and `replay` share (count_options.h). */
#include <stddef.h>

#include "count_options.h"
#include "daysize.h"
#include "db_sink.h"
#include "paths.h"
#include "rrdcli.h"

static int add_watch(void *field, const char *arg, const char *cmd)
{
	if (prefix_list_add(field, arg))
		return usage_error(cmd, "bad --watch prefix '%s'", arg);
	return 0;
}

static int set_day_pairs(void *field, const char *arg, const char *cmd)
{
	return day_pairs_option(cmd, arg, field) ? SW_EXIT_USAGE : 0;
}

#define OFF(f) offsetof(struct count_opts, f)

const struct param count_params[] = {
	{ "data-dir", 'd', PARAM_STRING, OFF(data_dir), "DIR",
	  "where daily summaries (and RRD files) are written" },
	{ "watch", 'w', PARAM_FUNC, OFF(watch), "PREFIX",
	  "count only packets to PREFIX (repeatable, IPv4 or IPv6)", .fn = add_watch },
	{ "research", 0, PARAM_STRING, OFF(research_path), "FILE",
	  "count packets from FILE's prefixes (one a line) as research\n"
	  "scanners, apart from the scan totals (README: Research scanners)" },
	{ "geoip", 'g', PARAM_STRING, OFF(geoip_path), "FILE",
	  "MaxMind-format country database (default " SW_GEOIP_DEFAULT ")" },
	{ "tz", 0, PARAM_FUNC, OFF(tz), "ZONE", "time zone of day boundaries (default UTC)",
	  .fn = param_time_zone },
	{ "max-day-pairs", 0, PARAM_FUNC, OFF(max_day_pairs), "N",
	  "(source, key) pairs each point's day may hold (default: what\n"
	  "fits in a quarter of the memory); past it, new pairs count\n"
	  "as lost sources",
	  .fn = set_day_pairs },
	{ "verbose", 'v', PARAM_FUNC, 0, NULL, "debug output, libbpf's included",
	  .fn = param_verbose },
	PARAM_END,
};

static int set_rrdcached(void *field, const char *arg, const char *cmd)
{
	return rrd_cli_option(field, RRD_OPT_RRDCACHED, arg, cmd);
}

static int set_keys(void *field, const char *arg, const char *cmd)
{
	return rrd_cli_option(field, RRD_OPT_KEYS, arg, cmd);
}

const struct param count_rrd_params[] = {
	{ "rrdcached", 0, PARAM_FUNC, 0, "ADDR",
	  "write RRD files through rrdcached (unix:PATH or HOST:PORT)", .fn = set_rrdcached },
	{ "keys", 0, PARAM_FUNC, 0, "FILE",
	  "keys with RRD files, one per line (default: a built-in list)", .fn = set_keys },
	PARAM_END,
};

static int set_db(void *field, const char *arg, const char *cmd)
{
	return db_sink_option(field, DB_OPT_URL, arg, cmd);
}

static int set_db_wait(void *field, const char *arg, const char *cmd)
{
	return db_sink_option(field, DB_OPT_WAIT, arg, cmd);
}

const struct param count_db_params[] = {
	{ "db", 0, PARAM_FUNC, 0, "URL",
	  "also add every stored interval to PostgreSQL (a libpq\n"
	  "connection string or postgresql:// URI; README: Central\n"
	  "database); queued on disk while it cannot be reached",
	  .fn = set_db },
	{ "db-wait", 0, PARAM_FUNC, 0, "S",
	  "at the end, wait up to S seconds for the queue to be sent\n"
	  "(default: replay 60, run 5)",
	  .fn = set_db_wait },
	PARAM_END,
};
