// SPDX-License-Identifier: GPL-2.0-only
/* `scanwatch status` and `scanwatch detach`: what is attached where, and taking it away. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
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
#include "log.h"
#include "parse_num.h"
#include "sensor.h"

static const char status_help[] =
	"Usage: scanwatch status [--pin-root DIR]\n"
	"\n"
	"For each pinned point: interface, XDP mode obtained (native or generic), program id,\n"
	"interval, fill of the current tables, packets dropped for want of room, the day's\n"
	"(source, key) pairs against their ceiling (--max-day-pairs) and the new pairs counted as\n"
	"lost sources for want of room, last drain, and whether its daemon is running. A point in host mode adds 'host', its egress hook (tcx or\n"
	"tc), the fill of its flow table, the flow expiry and the flows evicted so far.\n";

static const char detach_help[] =
	"Usage: scanwatch detach --point NAME [--pin-root DIR]\n"
	"\n"
	"Detach a point's XDP program and remove its pins. What the kernel counted since the\n"
	"last drain is lost: stop the daemon first (it drains once more on SIGTERM).\n";

static long count_entries(const char *dir, const char *map, size_t key_size)
{
	char path[PATH_MAX], key[64], next[64];

	_Static_assert(sizeof(struct sw_flow) <= sizeof(key), "key buffer too small");
	void *prev = NULL;
	long n = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, map);
	fd = bpf_obj_get(path);
	if (fd < 0 || key_size > sizeof(key))
		return -1;
	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, key_size);
		prev = key;
		n++;
	}
	close(fd);
	return n;
}

static void show_point(const char *root, const char *name)
{
	char dir[PATH_MAX], ifname[IF_NAMESIZE] = "?", tables[16], when[32] = "never";
	struct sw_meta meta;
	__u32 prog_id, gen = 0, zero = 0;
	long pairs, keys, flows = 0;
	char host[160] = "";
	int fd;

	if (sensor_read_meta(root, name, &meta, &prog_id)) {
		printf("%-16s (unreadable pins)\n", name);
		return;
	}
	snprintf(dir, sizeof(dir), "%s/%s/active", root, name);
	fd = bpf_obj_get(dir);
	if (fd >= 0) {
		bpf_map_lookup_elem(fd, &zero, &gen);
		close(fd);
	}
	snprintf(dir, sizeof(dir), "%s/%s", root, name);
	snprintf(tables, sizeof(tables), "pairs_%u", gen & 1);
	pairs = count_entries(dir, tables, sizeof(struct sw_pair));
	snprintf(tables, sizeof(tables), "keys_%u", gen & 1);
	keys = count_entries(dir, tables, sizeof(struct sw_key));
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
	printf("%-16s %-12s %-8s prog %-6u every %us  pairs %ld/%u  keys %ld/%u  dropped %" PRIu64
	       "  day pairs %" PRIu64 "/%" PRIu64 "  lost sources %" PRIu64
	       "  last drain %s  daemon %s%s%s%s%s\n",
	       name, ifname,
	       meta.mode == SW_MODE_NATIVE  ? "native" :
	       meta.mode == SW_MODE_GENERIC ? "generic" :
					      "?",
	       prog_id, meta.interval_s, pairs, meta.max_pairs, keys, meta.max_keys,
	       (uint64_t)meta.dropped, (uint64_t)meta.day_pairs, (uint64_t)meta.max_day_pairs,
	       (uint64_t)meta.day_lost_sources, when,
	       meta.daemon_pid && !kill((pid_t)meta.daemon_pid, 0) ? "running" : "stopped",
	       meta.flags & SW_META_DROP ? "  drop" : "",
	       meta.flags & SW_META_WATCH ? "  watch" : "", host,
	       meta.flags & SW_META_MULTIPROG ? "  libxdp" : "");
}

static int parse_root(int argc, char **argv, const char *cmd, const char *help, const char **root,
		      const char **point)
{
	enum { O_PINROOT = 256 };
	static const struct option opts[] = { { "pin-root", required_argument, NULL, O_PINROOT },
					      { "point", required_argument, NULL, 'p' },
					      { "help", no_argument, NULL, 'h' },
					      {} };
	int opt;

	while ((opt = getopt_long(argc, argv, "p:h", opts, NULL)) != -1) {
		switch (opt) {
		case O_PINROOT:
			*root = optarg;
			break;
		case 'p':
			if (!point || !point_name_ok(optarg))
				return usage_error(cmd, "bad or unexpected --point '%s'", optarg);
			*point = optarg;
			break;
		case 'h':
			fputs(help, stdout);
			return SW_HELP_SHOWN;
		default:
			return option_error(cmd, opts, argv);
		}
	}
	if (optind < argc)
		return usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	return 0;
}

int cmd_status(int argc, char **argv)
{
	const char *root = SW_PIN_ROOT;
	struct dirent **names;
	int n, shown = 0, err;

	err = parse_root(argc, argv, "status", status_help, &root, NULL);
	if (err)
		return err == SW_HELP_SHOWN ? 0 : err;
	n = scandir(root, &names, NULL, alphasort);
	if (n < 0) {
		if (errno == ENOENT) {
			printf("no point is attached (%s does not exist)\n", root);
			return 0;
		}
		sw_err("%s: %s", root, strerror(errno));
		return SW_EXIT_FAIL;
	}
	for (int i = 0; i < n; i++) {
		if (point_name_ok(names[i]->d_name)) {
			show_point(root, names[i]->d_name);
			shown++;
		}
		free(names[i]);
	}
	free(names);
	if (!shown)
		printf("no point is attached\n");
	return 0;
}

int cmd_detach(int argc, char **argv)
{
	const char *root = SW_PIN_ROOT, *point = NULL;
	char errmsg[SW_ERRMSG_LEN];
	int err;

	err = parse_root(argc, argv, "detach", detach_help, &root, &point);
	if (err)
		return err == SW_HELP_SHOWN ? 0 : err;
	if (!point)
		return usage_error("detach", "--point is required");
	err = sensor_detach(root, point, errmsg);
	if (err) {
		sw_err("%s", errmsg);
		return SW_EXIT_FAIL;
	}
	sw_info("point %s detached", point);
	return 0;
}
