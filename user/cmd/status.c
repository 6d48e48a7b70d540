// SPDX-License-Identifier: GPL-2.0-only
/* `scanwatch status` and `scanwatch detach`: what is attached where, and taking it away. */
#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <inttypes.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "cli.h"
#include "config.h"
#include "cstate.h"
#include "log.h"
#include "params.h"
#include "parse_num.h"
#include "paths.h"
#include "points.h"
#include "run.h"
#include "sensor.h"
#include "status_view.h"

/* -1 when the pin is missing: a point pinned before that map existed. */
static long count_entries(const char *dir, const char *map, size_t key_size)
{
	char path[PATH_MAX];
	long n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, map);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -1;
	n = sensor_map_entries(fd, key_size);
	close(fd);
	return n;
}
_Static_assert(sizeof(struct sw_flow) <= 64 && sizeof(struct sw_prefix) <= 64,
	       "sensor_map_entries() takes keys of 64 bytes at most");

static int open_pin(const char *dir, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return bpf_obj_get(path);
}

/*
 * The current interval's records so far, from the pinned state, and the log's size: *records
 * is -1 when the state cannot be read.
 */
static uint64_t log_fill(const char *dir, const struct sw_meta *meta, int64_t *records)
{
	struct cstate cs;
	uint64_t n = 0, cap;
	uint32_t gen = 0;

	cstate_init(&cs);
	cs.ncpus = meta->ncpus;
	cs.log_chunks = meta->log_chunks;
	cs.state_fd = open_pin(dir, "state");
	cs.ctl_fd = open_pin(dir, "log_ctl");
	*records =
		cs.state_fd >= 0 && cs.ctl_fd >= 0 && !cstate_peek(&cs, &gen, &n) ? (int64_t)n : -1;
	cap = cstate_log_capacity(&cs);
	if (cs.state_fd >= 0)
		close(cs.state_fd);
	if (cs.ctl_fd >= 0)
		close(cs.ctl_fd);
	return cap;
}

static void show_point(const char *root, const char *name, const struct status_opts *o, bool first)
{
	char dir[PATH_MAX], ifname[IF_NAMESIZE] = "?", when[32] = "never", log[64],
			    research[32] = "";
	struct sw_meta meta;
	uint64_t log_cap;
	int64_t records;
	__u32 prog_id;
	long flows = 0, nresearch;
	char host[160] = "";

	if (sensor_read_meta(root, name, &meta, &prog_id)) {
		if (o->json)
			status_json_point(stdout, first, name, NULL, 0, 0, 0, 0, -1, false);
		else
			printf("%-16s (unreadable pins)\n", name);
		return;
	}
	snprintf(dir, sizeof(dir), "%s/%s", root, name);
	log_cap = log_fill(dir, &meta, &records);
	nresearch = count_entries(dir, "research", sizeof(struct sw_prefix));
	if (nresearch > 0)
		snprintf(research, sizeof(research), "  research %ld", nresearch);
	if (meta.flags & SW_META_HOST) {
		flows = count_entries(dir, "flows", sizeof(struct sw_flow));
		snprintf(host, sizeof(host),
			 "  host egress %s flows %ld/%u expiry %us evicted %" PRIu64,
			 meta.egress_hook == SW_EGRESS_TCX ? "tcx" :
			 meta.egress_hook == SW_EGRESS_TC  ? "tc" :
							     "?",
			 flows, meta.flow_table_size, meta.flow_expiry_s,
			 (uint64_t)meta.flow_evicted);
	}
	/* The index means something only in the daemon's namespace; the name was saved. */
	snprintf(ifname, sizeof(ifname), "%.*s", (int)sizeof(meta.ifname), meta.ifname);
	if (meta.last_drain_s) {
		time_t t = (time_t)meta.last_drain_s;
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	if (o->json) {
		status_json_point(stdout, first, name, &meta, prog_id, records, log_cap, flows,
				  nresearch, meta.daemon_pid && !kill((pid_t)meta.daemon_pid, 0));
		return;
	}
	if (records >= 0)
		snprintf(log, sizeof(log), "log %" PRId64 "/%" PRIu64, records, log_cap);
	else
		snprintf(log, sizeof(log), "log ?/%" PRIu64, log_cap);
	printf("%-16s %-12s %-8s prog %-6u every %us  %s  cache %u/cpu  dropped %" PRIu64
	       " (log full %" PRIu64 ", pairs over %" PRIu64 ", keys %" PRIu64
	       ")  day pairs %" PRIu64 "/%" PRIu64 "  lost sources %" PRIu64
	       "  last drain %s  daemon %s%s%s%s%s%s\n",
	       name, ifname,
	       meta.mode == SW_MODE_NATIVE  ? "native" :
	       meta.mode == SW_MODE_GENERIC ? "generic" :
					      "?",
	       prog_id, meta.interval_s, log, meta.cache_slots, (uint64_t)meta.dropped,
	       (uint64_t)meta.dropped_log_full, (uint64_t)meta.dropped_pairs_over,
	       (uint64_t)meta.dropped_keys, (uint64_t)meta.day_pairs, (uint64_t)meta.max_day_pairs,
	       (uint64_t)meta.day_lost_sources, when,
	       meta.daemon_pid && !kill((pid_t)meta.daemon_pid, 0) ? "running" : "stopped",
	       meta.flags & SW_META_DROP ? "  drop" : "",
	       meta.flags & SW_META_WATCH ? "  watch" : "", research, host,
	       meta.flags & SW_META_MULTIPROG ? "  libxdp" : "");
}

struct detach_opts {
	const char *pin_root, *point;
};

static int set_point(void *field, const char *arg, const char *cmd)
{
	if (!point_name_ok(arg))
		return usage_error(cmd, "bad or unexpected --point '%s'", arg);
	*(const char **)field = arg;
	return 0;
}

static const struct param detach_params[] = {
	RUN_PIN_ROOT_PARAM(offsetof(struct detach_opts, pin_root)),
	{ "point", 'p', PARAM_FUNC, offsetof(struct detach_opts, point), "NAME",
	  "the point to detach", .fn = set_point },
	RUN_CONFIG_PARAM("pin-root"),
	PARAM_END,
};

static const struct param_cmd detach_cmd = {
	.name = "detach",
	.usage = "Usage: scanwatch detach --point NAME [--pin-root DIR] [--config FILE]\n",
	.desc = "Detach a point's XDP program and remove its pins. Refused while a daemon runs the\n"
		"point: stop it first (it drains once more on SIGTERM); what the kernel counts after\n"
		"that is lost.\n",
};

static const struct param status_params[] = {
	RUN_PIN_ROOT_PARAM(offsetof(struct status_opts, pin_root)),
	{ "data-dir", 'd', PARAM_STRING, offsetof(struct status_opts, data_dir), "DIR",
	  "daily files of today", SW_DATA_DIR_DEFAULT },
	{ "geoip", 'g', PARAM_STRING, offsetof(struct status_opts, geoip), "FILE",
	  "the country database", SW_GEOIP_DEFAULT },
	{ "tz", 0, PARAM_FUNC, offsetof(struct status_opts, tz), "ZONE",
	  "the zone of today (default UTC)", .fn = param_time_zone },
	{ "json", 0, PARAM_FLAG, offsetof(struct status_opts, json), NULL, "one JSON object" },
	RUN_CONFIG_PARAM("pin-root, data-dir, geoip and tz"),
	PARAM_END,
};

static const struct param_cmd status_cmd = {
	.name = "status",
	.usage = "Usage: scanwatch status [--pin-root DIR] [--data-dir DIR] [--json]\n",
	.desc = "A header: version, time, the pin root, the data directory, the configuration file "
		"and\n"
		"the country database areas come from (its type and build date).\n"
		"For each pinned point: interface, XDP mode obtained (native or generic), program "
		"id,\n"
		"interval, records in the current interval's log out of its size, the slots of each "
		"CPU's\n"
		"cache, packets counted without their source so far and why (log full, over "
		"--max-pairs,\n"
		"no room for the key), the day's (source, key) pairs against their ceiling\n"
		"(--max-day-pairs) and the new pairs counted as lost sources for want of room, last "
		"drain,\n"
		"and whether its daemon is running. A point in host mode adds 'host', its egress hook "
		"(tcx\n"
		"or tc), the fill of its flow table, the flow expiry and the flows evicted so far;\n"
		"one with a research list (run --research) its prefixes.\n"
		"Then today's accesses and sources per point of the data directory, to the last "
		"drain,\n"
		"and under them the day's peak rate so far and the research group's accesses and "
		"sources.\n",
};

/* The options of run's configuration that status and detach share with it. */
static int parse_detach(int argc, char **argv, struct detach_opts *o)
{
	const struct param_set sets[] = { { detach_params, o }, {} };

	return params_parse(&detach_cmd, sets, argc, argv);
}

static int parse_status(int argc, char **argv, struct status_opts *o)
{
	const struct param_set sets[] = { { status_params, o }, {} };

	return params_parse(&status_cmd, sets, argc, argv);
}

static const char *const status_take[] = { "pin-root", "data-dir", "geoip", "tz", NULL };
static const char *const detach_take[] = { "pin-root", NULL };

int cmd_status(int argc, char **argv)
{
	struct status_opts o = { .pin_root = SW_PIN_ROOT,
				 .data_dir = SW_DATA_DIR_DEFAULT,
				 .tz = "UTC" };
	const struct param_set sets[] = { { status_params, &o }, {} };
	struct config_args ca;
	struct dirent **names;
	int n, shown = 0, err;

	err = run_config_read(&ca, "status", status_take, sets, argc, argv);
	if (!err)
		err = parse_status(ca.argc, ca.argv, &o);
	if (err) {
		config_args_free(&ca);
		return err == SW_HELP_SHOWN ? 0 : err;
	}
	o.config = ca.path[0] ? ca.path : NULL;
	status_begin(stdout, &o);
	n = scandir(o.pin_root, &names, NULL, alphasort);
	if (n < 0 && errno != ENOENT) {
		sw_err("%s: %s", o.pin_root, strerror(errno));
		config_args_free(&ca);
		return SW_EXIT_FAIL;
	}
	if (n < 0 && !o.json)
		printf("no point is attached (%s does not exist)\n", o.pin_root);
	for (int i = 0; i < n; i++) {
		if (point_name_ok(names[i]->d_name)) {
			show_point(o.pin_root, names[i]->d_name, &o, !shown);
			shown++;
		}
		free(names[i]);
	}
	if (n >= 0)
		free(names);
	if (n >= 0 && !shown && !o.json)
		printf("no point is attached\n");
	status_today(stdout, &o);
	config_args_free(&ca);
	return 0;
}

int cmd_detach(int argc, char **argv)
{
	struct detach_opts o = { .pin_root = SW_PIN_ROOT };
	const struct param_set sets[] = { { detach_params, &o }, {} };
	char errmsg[SW_ERRMSG_LEN];
	struct config_args ca;
	int err;

	err = run_config_read(&ca, "detach", detach_take, sets, argc, argv);
	if (!err)
		err = parse_detach(ca.argc, ca.argv, &o);
	if (!err && !o.point)
		err = usage_error("detach", "--point is required");
	if (err) {
		config_args_free(&ca);
		return err == SW_HELP_SHOWN ? 0 : err;
	}
	err = sensor_detach(o.pin_root, o.point, errmsg);
	config_args_free(&ca);
	if (err) {
		sw_err("%s", errmsg);
		return SW_EXIT_FAIL;
	}
	sw_info("point %s detached", o.point);
	return 0;
}
