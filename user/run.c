// SPDX-License-Identifier: GPL-2.0-only
/* `scanwatch run`: attach to each point's interface and drain its tables every interval. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "alerts.h"
#include "cli.h"
#include "daysize.h"
#include "drain.h"
#include "flows.h"
#include "geoip.h"
#include "keyfmt.h"
#include "log.h"
#include "parse_num.h"
#include "priv.h"
#include "rrdcli.h"
#include "sensor.h"
#include "store.h"

#define MAX_POINTS 64

/* The daemon's wall clock: CLOCK_REALTIME, plus an offset only tests set. */
struct wallclock {
	int64_t offset_s;
	const char *offset_file; /* SW_TEST_CLOCK_OFFSET_FILE */
};

/* One kind of failure of one point, while it repeats: see fault_fail(). */
struct fault {
	int err; /* 0: working */
	uint64_t failures; /* in a row */
};

/* SW_TEST_CRASH: where a test has the daemon die as if killed (README, "Restarts and faults"). */
enum test_crash { CRASH_NONE, CRASH_BEFORE_STORE, CRASH_AFTER_STORE };

struct point {
	char name[33];
	const char *ifname;
	struct sensor sensor;
	struct point_store store;
	struct drainer drainer;
	struct sw_interval iv;
	struct rrdstore rrd;
	struct alert_point *alerts;
	bool opened, stored_open, rrd_open;
	const struct wallclock *clk;
	enum test_crash crash;
	/* The retired generation holds the interval from retry_start_s, not stored yet. */
	bool retry;
	uint64_t retry_start_s;
	struct fault store_fault, rrd_fault, drain_fault, link_fault;
};

struct run_ctx {
	struct point points[MAX_POINTS];
	size_t npoints;
	struct sensor_config cfg; /* shared settings; point and ifname set per point */
	const char *data_dir;
	const char *geoip_path;
	const char *tz;
	const char *user;
	struct priv priv;
	uint64_t exit_after; /* drains; 0: until a signal */
	uint64_t max_day_pairs; /* --max-day-pairs; sized from memory when not given */
	bool egress_set;
	struct prefix_list watch;
	struct sw_service services[SW_MAX_SERVICES];
	size_t nservices;
	struct geoip geo;
	struct rrd_cli rrd;
	struct alert_engine alerts;
	struct wallclock clk;
	enum test_crash crash;
};

static const char run_help[] =
	"Usage: scanwatch run --point NAME=IFACE [--point ...] --data-dir DIR [options]\n"
	"\n"
	"Attach the XDP counter to each interface and store what it counts every interval.\n"
	"The program and its tables stay pinned under the pin root when the daemon stops, so\n"
	"a restarted daemon resumes with nothing lost; 'scanwatch detach' removes them.\n"
	"\n"
	"  -p, --point NAME=IFACE   monitoring point NAME on interface IFACE (repeatable)\n"
	"  -d, --data-dir DIR       where daily summaries (and RRD files) are written\n"
	"  -i, --interval S         seconds between drains, aligned to the clock (default 60)\n"
	"  -w, --watch PREFIX       count only packets to PREFIX (repeatable, IPv4 or IPv6)\n"
	"      --drop               drop the counted packets (a darknet sensor that never answers)\n"
	"      --host-mode          an ordinary host: replies to its own flows and packets to its\n"
	"                           listening sockets are no access (README: Sensor mode and host mode)\n"
	"      --count-service S    host mode: count the clients of service S (tcp/22, udp/53) too\n"
	"                           (repeatable)\n"
	"      --flow-table-size N  host mode: flows remembered (default 65536); evictions are counted\n"
	"      --flow-expiry S      host mode: seconds a flow's replies stay solicited after its last\n"
	"                           outbound packet (default 120)\n"
	"      --egress-hook HOOK   host mode: auto (default: tcx, else tc with a warning), tcx or tc\n"
	"  -m, --mode MODE          auto (default: native, else generic with a warning),\n"
	"                           native or generic\n"
	"      --multiprog          attach through libxdp's dispatcher, beside other XDP programs\n"
	"                           (automatic when the interface already runs it)\n"
	"      --run-prio N         its place in the dispatcher, lowest first (default 5: before\n"
	"                           xdp-filter, so scanwatch counts what it will drop)\n"
	"  -g, --geoip FILE         MaxMind-format country database (default " SW_GEOIP_DEFAULT
	")\n"
	"      --tz ZONE            time zone of day boundaries (default UTC)\n"
	"      --max-pairs N        (source, key) pairs per interval before overflow (default 1048576)\n"
	"      --max-keys N         keys per interval before overflow (default 65536)\n" SW_MAX_DAY_PAIRS_HELP
	"      --pin-root DIR       where pins live (default " SW_PIN_ROOT ")\n"
	"  -u, --user NAME          once attached, run as NAME, who must be able to write the\n"
	"                           data directory (README.md, \"Privileges\")\n"
	"      --exit-after N       stop after N drains (for tests and cron)\n" RRD_CLI_HELP
		ALERT_CLI_HELP "  -v, --verbose            debug output, libbpf's included\n"
	"\n"
	"Example:\n"
	"  scanwatch run --point tokyo1=eth0 --watch 192.0.2.0/24 --data-dir /var/lib/scanwatch\n"
	"  scanwatch run --point web1=eth0 --host-mode --count-service tcp/22 --data-dir /var/lib/scanwatch\n";

static int parse_args(struct run_ctx *c, int argc, char **argv)
{
	enum {
		O_DROP = 256,
		O_TZ,
		O_MAXP,
		O_MAXK,
		O_PINROOT,
		O_EXIT,
		O_HOST,
		O_SERVICE,
		O_FLOWS,
		O_EXPIRY,
		O_EGRESS,
		O_MULTIPROG,
		O_RUN_PRIO,
		O_MAXDP,
	};
	static const struct option opts[] = {
		{ "point", required_argument, NULL, 'p' },
		{ "data-dir", required_argument, NULL, 'd' },
		{ "interval", required_argument, NULL, 'i' },
		{ "watch", required_argument, NULL, 'w' },
		{ "drop", no_argument, NULL, O_DROP },
		{ "mode", required_argument, NULL, 'm' },
		{ "geoip", required_argument, NULL, 'g' },
		{ "tz", required_argument, NULL, O_TZ },
		{ "max-pairs", required_argument, NULL, O_MAXP },
		{ "max-keys", required_argument, NULL, O_MAXK },
		{ "max-day-pairs", required_argument, NULL, O_MAXDP },
		{ "pin-root", required_argument, NULL, O_PINROOT },
		{ "exit-after", required_argument, NULL, O_EXIT },
		{ "host-mode", no_argument, NULL, O_HOST },
		{ "count-service", required_argument, NULL, O_SERVICE },
		{ "flow-table-size", required_argument, NULL, O_FLOWS },
		{ "flow-expiry", required_argument, NULL, O_EXPIRY },
		{ "egress-hook", required_argument, NULL, O_EGRESS },
		{ "multiprog", no_argument, NULL, O_MULTIPROG },
		{ "run-prio", required_argument, NULL, O_RUN_PRIO },
		{ "user", required_argument, NULL, 'u' },
		RRD_CLI_OPTIONS,
		ALERT_CLI_OPTIONS,
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "p:d:i:w:m:g:u:vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'p': {
			/* Split a copy: editing argv in place would change what ps and pkill see. */
			char name[64];
			const char *eq = strchr(optarg, '=');
			size_t nlen = eq ? (size_t)(eq - optarg) : 0;
			struct point *p;

			if (!eq || nlen == 0 || !eq[1])
				return usage_error("run", "--point takes NAME=IFACE, not '%s'",
						   optarg);
			snprintf(name, sizeof(name), "%.*s", (int)(nlen < 63 ? nlen : 63), optarg);
			if (nlen >= sizeof(name) || !point_name_ok(name))
				return usage_error(
					"run",
					"point name '%s' must be 1-32 letters, digits, '_' or '-'",
					name);
			if (c->npoints == MAX_POINTS)
				return usage_error("run", "at most %d points", MAX_POINTS);
			for (size_t i = 0; i < c->npoints; i++)
				if (!strcmp(c->points[i].name, name))
					return usage_error("run", "point %s given twice", name);
			p = &c->points[c->npoints++];
			snprintf(p->name, sizeof(p->name), "%s", name);
			p->ifname = eq + 1;
			break;
		}
		case 'd':
			c->data_dir = optarg;
			break;
		case 'i':
			if (parse_uint(optarg, 1, 3600, &c->cfg.interval_s))
				return usage_error("run",
						   "--interval takes 1 to 3600 seconds, not '%s'",
						   optarg);
			break;
		case 'w':
			if (prefix_list_add(&c->watch, optarg))
				return usage_error("run", "bad --watch prefix '%s'", optarg);
			break;
		case O_DROP:
			c->cfg.drop = true;
			break;
		case 'm':
			if (!strcmp(optarg, "auto"))
				c->cfg.mode = SW_REQ_AUTO;
			else if (!strcmp(optarg, "native"))
				c->cfg.mode = SW_REQ_NATIVE;
			else if (!strcmp(optarg, "generic"))
				c->cfg.mode = SW_REQ_GENERIC;
			else
				return usage_error("run",
						   "--mode is auto, native or generic, not '%s'",
						   optarg);
			break;
		case 'g':
			c->geoip_path = optarg;
			break;
		case 'u':
			c->user = optarg;
			break;
		case O_TZ:
			c->tz = optarg;
			break;
		case O_MAXP:
			if (parse_uint(optarg, 1024, 1 << 28, &c->cfg.max_pairs))
				return usage_error("run", "--max-pairs takes 1024 to 268435456");
			break;
		case O_MAXK:
			if (parse_uint(optarg, 256, 1 << 22, &c->cfg.max_keys))
				return usage_error("run", "--max-keys takes 256 to 4194304");
			break;
		case O_MAXDP:
			if (day_pairs_option("run", optarg, &c->max_day_pairs))
				return SW_EXIT_USAGE;
			break;
		case O_PINROOT:
			c->cfg.pin_root = optarg;
			break;
		case O_EXIT:
			if (parse_u64(optarg, 1, UINT32_MAX, &c->exit_after))
				return usage_error("run", "--exit-after takes a positive count");
			break;
		case O_HOST:
			c->cfg.host_mode = true;
			break;
		case O_SERVICE: {
			struct sw_key key;
			struct sw_service svc = { 0 };

			if (sw_key_parse(optarg, "scan", &key) ||
			    (key.cls != SW_CLS_TCP && key.cls != SW_CLS_UDP) || key.num == 0)
				return usage_error(
					"run",
					"--count-service takes tcp/PORT or udp/PORT, not '%s'",
					optarg);
			if (c->nservices == SW_MAX_SERVICES)
				return usage_error("run", "at most %d --count-service",
						   SW_MAX_SERVICES);
			svc.proto = key.cls == SW_CLS_TCP ? IPPROTO_TCP : IPPROTO_UDP;
			svc.port = key.num;
			c->services[c->nservices++] = svc;
			break;
		}
		case O_FLOWS:
			if (parse_uint(optarg, 16, 1 << 24, &c->cfg.flow_table_size))
				return usage_error("run", "--flow-table-size takes 16 to 16777216");
			break;
		case O_EXPIRY:
			if (parse_uint(optarg, 1, 86400, &c->cfg.flow_expiry_s))
				return usage_error("run", "--flow-expiry takes 1 to 86400 seconds");
			break;
		case O_EGRESS:
			if (!strcmp(optarg, "auto"))
				c->cfg.egress = SW_EGRESS_REQ_AUTO;
			else if (!strcmp(optarg, "tcx"))
				c->cfg.egress = SW_EGRESS_REQ_TCX;
			else if (!strcmp(optarg, "tc"))
				c->cfg.egress = SW_EGRESS_REQ_TC;
			else
				return usage_error("run",
						   "--egress-hook is auto, tcx or tc, not '%s'",
						   optarg);
			c->egress_set = true;
			break;
		case O_MULTIPROG:
			c->cfg.multiprog = true;
			break;
		case O_RUN_PRIO:
			if (parse_uint(optarg, 1, 1000, &c->cfg.run_prio))
				return usage_error("run", "--run-prio takes 1 to 1000, not '%s'",
						   optarg);
			break;
		case RRD_OPT_RRDCACHED:
		case RRD_OPT_KEYS:
			if (rrd_cli_option(&c->rrd, opt, optarg, "run"))
				return SW_EXIT_USAGE;
			break;
		case ALERT_OPT_COMMAND:
		case ALERT_OPT_TIMEOUT:
		case ALERT_OPT_SURGE_PCT:
		case ALERT_OPT_SURGE_MIN:
		case ALERT_OPT_TREND_SCORE:
		case ALERT_OPT_TREND_MIN:
			if (alert_cli_option(&c->alerts, opt, optarg, "run"))
				return SW_EXIT_USAGE;
			break;
		case 'v':
			sw_log_set_level(SW_LOG_DEBUG);
			break;
		case 'h':
			fputs(run_help, stdout);
			return SW_HELP_SHOWN;
		default:
			return option_error("run", opts, argv);
		}
	}
	if (optind < argc)
		return usage_error("run", "unexpected argument '%s'", argv[optind]);
	if (!c->npoints)
		return usage_error("run", "at least one --point NAME=IFACE is required");
	if (!c->data_dir)
		return usage_error("run", "--data-dir is required");
	if (c->tz && use_time_zone(c->tz))
		return usage_error("run", "unknown time zone '%s'", c->tz);
	if (!c->cfg.host_mode &&
	    (c->nservices || c->cfg.flow_table_size || c->cfg.flow_expiry_s || c->egress_set))
		return usage_error("run", "--count-service, --flow-table-size, --flow-expiry and "
					  "--egress-hook need --host-mode");
	/* A host must answer ARP's IPv6 twin (neighbour discovery, counted as icmp6/135 other). */
	if (c->cfg.host_mode && c->cfg.drop)
		return usage_error("run", "--drop is for a dedicated sensor; a host in --host-mode "
					  "must answer what it is sent");
	c->cfg.services = c->services;
	c->cfg.nservices = c->nservices;
	/* Now, not at midnight: a ceiling the memory cannot hold stops the start. */
	if (day_pairs_setup(&c->max_day_pairs, (unsigned int)c->npoints))
		return SW_EXIT_USAGE;
	return 0;
}

/* The wall-clock second at which the interval containing t starts. */
static uint64_t interval_start(uint64_t t, unsigned int len)
{
	return t - t % len;
}

/*
 * Tests step the daemon's clock without touching the host's, which every other program shares:
 * SW_TEST_CLOCK_OFFSET_FILE names a file holding seconds to add to CLOCK_REALTIME. It is read at
 * start and whenever the kernel reports that the clock was set, which is when a real step would be
 * seen (the test has the kernel report one of a nanosecond: tools/clockset.c).
 */
static void clock_load(struct wallclock *clk)
{
	long long v;
	FILE *f;

	if (!clk->offset_file)
		return;
	f = fopen(clk->offset_file, "r");
	if (!f)
		return;
	if (fscanf(f, "%lld", &v) == 1)
		clk->offset_s = v;
	fclose(f);
}

/*
 * The wall clock, exact. time() reads the coarse clock, which right after the timer expires on
 * an interval boundary still says the second before it (19 ticks in 20 here): the drain would
 * be filed under the interval before the one it covers.
 */
static uint64_t wall_s(const struct wallclock *clk)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)(ts.tv_sec + clk->offset_s);
}

/*
 * A failure that comes back every interval (a full disk, rrdcached down, a vanished interface) is
 * logged when it starts or its cause changes, then only at debug level while it lasts, and once
 * more when it ends.
 */
static void fault_fail(struct fault *f, enum sw_log_level level, const char *point,
		       const char *what, int err, const char *msg)
{
	f->failures++;
	if (f->err != err) {
		f->err = err;
		sw_log(level, "point %s: %s (retried every interval; logged again when it works)",
		       point, msg);
		return;
	}
	sw_debug("point %s: %s failed again (%" PRIu64 " times in a row): %s", point, what,
		 f->failures, msg);
}

static void fault_ok(struct fault *f, const char *point, const char *what)
{
	if (f->failures)
		sw_info("point %s: %s works again after %" PRIu64 " failed attempt(s)", point, what,
			f->failures);
	f->err = 0;
	f->failures = 0;
}

/* SW_TEST_CRASH: dies as SIGKILL would at the two moments a drain can be cut in. */
static void test_crash(const struct point *p, enum test_crash when)
{
	if (p->crash == when && p->iv.stats[SW_STAT_PACKETS])
		raise(SIGKILL);
}

static int store_drained(struct point *p, uint64_t start_s, unsigned int len, uint64_t seq)
{
	int err;

	p->iv.start_s = start_s;
	p->iv.len_s = len;
	test_crash(p, CRASH_BEFORE_STORE);
	err = store_interval(&p->store, &p->iv, seq);
	if (err) {
		fault_fail(&p->store_fault, SW_LOG_ERR, p->name, "storing", err, p->store.errmsg);
		return err;
	}
	fault_ok(&p->store_fault, p->name, "storing");
	/* A row still open (SIGTERM's partial interval) waits in the queue: rrdstore.h. */
	err = rrdstore_interval(&p->rrd, start_s, &p->store.iv, &p->store.day.t, wall_s(p->clk));
	if (err)
		fault_fail(&p->rrd_fault, SW_LOG_ERR, p->name, "writing RRD files", err,
			   p->rrd.errmsg);
	else
		fault_ok(&p->rrd_fault, p->name, "writing RRD files");
	test_crash(p, CRASH_AFTER_STORE);
	return 0;
}

/* Host mode: evictions the drain found, logged as overflow is. */
static void report_evictions(const struct point *p)
{
	uint64_t n = p->iv.stats[SW_STAT_FLOWS_EVICTED];

	if (n)
		sw_warn("point %s: %" PRIu64
			" flows evicted from the full flow table (%u entries): "
			"replies to them count as accesses (raise --flow-table-size)",
			p->name, n, p->sensor.meta.flow_table_size);
}

/* What `status` shows of the day's source set. */
static void note_day(struct point *p)
{
	p->sensor.meta.day_pairs = p->store.day.pairs;
	p->sensor.meta.max_day_pairs = p->store.seen.max_len;
	p->sensor.meta.day_lost_sources = p->store.day.t.lost_sources;
}

/*
 * Stores what the retired generation holds as the interval from start_s and empties it. The
 * drain's sequence number goes into the daily summary with the interval and into the pinned meta
 * map once the tables are empty: a drain cut in between (a daemon killed, a clear that failed) is
 * found stored and only emptied. On failure the counts stay in the kernel's table for the next
 * try. skip_empty: a resumed point's leftover is no interval of its own when there is none.
 */
static int settle_retired(struct point *p, uint64_t start_s, unsigned int len, bool skip_empty)
{
	uint64_t seq = p->sensor.meta.drains + 1;
	struct flow_drain fdr;
	bool stored = false, found_stored = false;
	int err;

	err = drain_read(&p->drainer, &p->sensor, &p->iv);
	if (!err)
		err = flows_drain(&p->sensor, &p->iv, flows_clock_ns(), &fdr);
	if (err) {
		fault_fail(&p->drain_fault, SW_LOG_ERR, p->name, "draining", err, p->sensor.errmsg);
		return err;
	}
	err = store_open_day(&p->store, start_s);
	if (err) {
		fault_fail(&p->store_fault, SW_LOG_ERR, p->name, "storing", err, p->store.errmsg);
		return err;
	}
	if (p->store.day.seq == seq) {
		found_stored = true;
		sw_info("point %s: drain %" PRIu64 " was stored but its tables were not emptied; "
			"emptying them",
			p->name, seq);
	} else if (!skip_empty || p->iv.nkeys || p->iv.npairs || p->iv.stats[SW_STAT_PACKETS] ||
		   p->iv.stats[SW_STAT_FLOWS_NEW] || p->iv.stats[SW_STAT_FLOWS_EVICTED]) {
		if (skip_empty)
			sw_info("point %s: storing the counts a previous daemon retired but did not "
				"store",
				p->name);
		err = store_drained(p, start_s, len, seq);
		if (err)
			return err;
		stored = true;
	}
	err = drain_clear(&p->drainer, &p->sensor);
	if (err) {
		fault_fail(&p->drain_fault, SW_LOG_ERR, p->name, "draining", err, p->sensor.errmsg);
		return err;
	}
	fault_ok(&p->drain_fault, p->name, "draining");
	p->sensor.meta.drains = seq;
	p->sensor.meta.last_drain_s = wall_s(p->clk);
	/*
	 * An interval stored by a dead daemon was never recorded as reported: its evictions go
	 * out again with the next drain's, rather than the ones since its death going nowhere
	 * (README: a crash between the two writes). Its inserts happened either way.
	 */
	flows_commit(&p->sensor, &fdr, !found_stored);
	if (stored && !skip_empty)
		report_evictions(p);
	if (stored && tally_dropped(&p->store.iv)) {
		p->sensor.meta.dropped += tally_dropped(&p->store.iv);
		sw_warn("point %s: %" PRIu64 " packets could not be stored (tables full)", p->name,
			tally_dropped(&p->store.iv));
	}
	if (stored)
		store_report_lost(&p->store);
	note_day(p);
	/* Alerts: judged once a day ends, failure archives read each interval; never waits. */
	if (stored && !skip_empty)
		alert_tick(p->alerts, p->store.day.date, start_s + len);
	/* Not worth a retry: a stale count here only makes the next daemon empty an empty table. */
	if (sensor_update_meta(&p->sensor))
		sw_warn("point %s: %s", p->name, p->sensor.errmsg);
	return 0;
}

/*
 * One drain of one point. An interval that could not be stored is settled first, under its own
 * time; until it is, the program keeps writing the active generation (no flip), so the intervals
 * meanwhile are stored together, under the time of the drain that succeeds.
 */
static void drain_point(struct point *p, uint64_t start_s, unsigned int len)
{
	int err;

	if (p->retry) {
		if (settle_retired(p, p->retry_start_s, len, false))
			return;
		p->retry = false;
	}
	err = drain_flip(&p->sensor);
	if (err) {
		fault_fail(&p->drain_fault, SW_LOG_ERR, p->name, "draining", err, p->sensor.errmsg);
		return;
	}
	p->retry = settle_retired(p, start_s, len, false) != 0;
	p->retry_start_s = start_s;
}

/*
 * A vanished interface takes its XDP link with it: noticed on every link change (netlink) and
 * every interval, and re-attached when an interface of that name is back.
 */
static void check_link(struct point *p)
{
	int err = sensor_relink(&p->sensor, p->ifname);

	if (!err)
		return;
	if (err == SW_RELINKED) {
		sw_info("point %s: interface %s is back: re-attached in %s mode, counting again",
			p->name, p->ifname,
			p->sensor.meta.mode == SW_MODE_NATIVE ? "native" : "generic");
		p->link_fault = (struct fault){ 0 };
		return;
	}
	if (err == -ENODEV)
		snprintf(p->sensor.errmsg, sizeof(p->sensor.errmsg),
			 "interface %s is gone: nothing is counted until an interface of that name "
			 "is back; what was counted before is drained as usual",
			 p->ifname);
	fault_fail(&p->link_fault, SW_LOG_WARN, p->name, "re-attaching", err, p->sensor.errmsg);
}

static void close_points(struct run_ctx *c)
{
	for (size_t i = 0; i < c->npoints; i++) {
		struct point *p = &c->points[i];

		if (p->opened)
			sensor_close(&p->sensor);
		if (p->stored_open)
			store_close(&p->store);
		if (p->rrd_open && rrdstore_close(&p->rrd))
			sw_err("point %s: %s", p->name, p->rrd.errmsg);
		drainer_free(&p->drainer);
		interval_free(&p->iv);
	}
}

static int open_points(struct run_ctx *c)
{
	char errmsg[SW_ERRMSG_LEN];
	int err;

	c->cfg.watch = c->watch.v;
	c->cfg.nwatch = c->watch.n;
	for (size_t i = 0; i < c->npoints; i++) {
		struct point *p = &c->points[i];

		err = store_open(&p->store, c->data_dir, p->name, c->tz, &c->geo);
		if (err) {
			sw_err("point %s: %s", p->name, p->store.errmsg);
			return err;
		}
		p->stored_open = true;
		store_set_max_day_pairs(&p->store, c->max_day_pairs);
		p->clk = &c->clk;
		p->crash = c->crash;
		err = rrd_cli_open(&c->rrd, &p->rrd, c->data_dir, p->name, c->cfg.interval_s,
				   wall_s(&c->clk));
		if (err) {
			sw_err("point %s: %s", p->name, p->rrd.errmsg);
			return err;
		}
		p->rrd_open = true;
		p->alerts = alert_engine_point(&c->alerts, p->name, &p->rrd);
		/* Today's files (another zone's, a damaged log) are judged now, not a minute later. */
		err = store_open_day(&p->store, wall_s(&c->clk));
		if (err) {
			sw_err("point %s: %s", p->name, p->store.errmsg);
			return err;
		}
	}
	for (size_t i = 0; i < c->npoints; i++) {
		struct point *p = &c->points[i];
		struct sensor_config cfg = c->cfg;

		cfg.point = p->name;
		cfg.ifname = p->ifname;
		/* Pins live where only root may go; the data directory is the user's (priv.h). */
		err = priv_fs_as(&c->priv, false, errmsg, sizeof(errmsg));
		if (err) {
			sw_err("%s", errmsg);
			return err;
		}
		err = sensor_open_live(&p->sensor, &cfg);
		if (err) {
			sw_err("point %s: %s", p->name, p->sensor.errmsg);
			return err;
		}
		p->opened = true;
		err = priv_fs_as(&c->priv, true, errmsg, sizeof(errmsg));
		if (err) {
			sw_err("%s", errmsg);
			return err;
		}
		drainer_init(&p->drainer, p->sensor.ncpus, 0);
		note_day(p);
		if (!p->sensor.resumed) {
			/* Sequence numbers of different attachments never meet: start at now in µs. */
			p->sensor.meta.drains = (uint64_t)time(NULL) * 1000000;
			err = sensor_update_meta(&p->sensor);
			if (err) {
				sw_err("point %s: %s", p->name, p->sensor.errmsg);
				return err;
			}
		} else {
			/*
			 * What a dead daemon's last drain retired: the interval after the last one
			 * it completed. A store that fails now (a full disk) is retried like any.
			 */
			uint64_t last = p->sensor.meta.last_drain_s;

			p->retry_start_s =
				interval_start(last ? last : wall_s(&c->clk), c->cfg.interval_s);
			p->retry =
				settle_retired(p, p->retry_start_s, c->cfg.interval_s, true) != 0;
		}
		sw_info("point %s: %s %s in %s mode%s%s", p->name,
			p->sensor.resumed ? "resumed on" : "attached to", p->ifname,
			p->sensor.meta.mode == SW_MODE_NATIVE ? "native" : "generic",
			c->cfg.host_mode ? ", host mode, egress by " : "",
			!c->cfg.host_mode			    ? "" :
			p->sensor.meta.egress_hook == SW_EGRESS_TCX ? "tcx link" :
								      "tc filter");
		sw_info("point %s: the day's set holds up to %" PRIu64
			" (source, key) pairs (--max-day-pairs), %.0f MiB at most; %" PRIu64
			" today so far",
			p->name, c->max_day_pairs, pairset_bytes_max(c->max_day_pairs) / 1048576.0,
			p->store.day.pairs);
		if (p->sensor.meta.flags & SW_META_MULTIPROG)
			sw_info("point %s: in libxdp's dispatcher on %s, run priority %u; the "
				"packets it passes go on to the programs after it",
				p->name, p->ifname, p->sensor.run_prio);
	}
	return 0;
}

/* Undo a start that failed half-way: what this run attached must not stay attached. */
static void undo_failed_start(struct run_ctx *c)
{
	char errmsg[SW_ERRMSG_LEN];

	priv_fs_as(&c->priv, false, errmsg, sizeof(errmsg));
	for (size_t i = 0; i < c->npoints; i++) {
		struct point *p = &c->points[i];

		if (p->opened && !p->sensor.resumed) {
			sensor_close(&p->sensor);
			p->opened = false;
			sensor_detach(c->cfg.pin_root, p->name, errmsg);
		}
	}
}

static int probe_tables(void *ctx)
{
	struct run_ctx *c = ctx;
	int err = 0;

	/* A write to the meta map: a bpf() command on an fd held, like every drain's. */
	for (size_t i = 0; i < c->npoints && !err; i++)
		err = sensor_update_meta(&c->points[i].sensor);
	return err;
}

/* What is left to do needs no privilege but the fds held (priv.h, README.md "Privileges"). */
static int drop_privileges(struct run_ctx *c)
{
	char errmsg[SW_ERRMSG_LEN];
	bool kept_bpf;

	if (priv_drop(&c->priv, probe_tables, c, &kept_bpf, errmsg, sizeof(errmsg))) {
		sw_err("%s", errmsg);
		return -EPERM;
	}
	sw_info("running as %s (uid %u) with %s", c->priv.switch_user ? c->priv.user : "root",
		(unsigned int)getuid(), kept_bpf ? "CAP_BPF only" : "no capability");
	return 0;
}

static int arm_timer(int tfd, unsigned int len, const struct wallclock *clk)
{
	struct itimerspec its = { .it_interval = { .tv_sec = len } };

	/* The timer runs on the real clock: the next boundary of the daemon's, in real time. */
	its.it_value.tv_sec = (time_t)(interval_start(wall_s(clk), len) + len - clk->offset_s);
	return timerfd_settime(tfd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &its, NULL);
}

/* Link changes in the daemon's network namespace; -1 if unavailable (intervals still check). */
static int open_link_watch(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);

	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		fd = -1;
	}
	if (fd < 0)
		sw_warn("cannot watch link changes (%s): a vanished interface is noticed at the "
			"next interval",
			strerror(errno));
	return fd;
}

/* Whatever the messages say, the links are checked again: one look per point is cheap. */
static void link_changed(struct run_ctx *c, int nfd)
{
	char buf[8192];

	while (recv(nfd, buf, sizeof(buf), 0) > 0 || errno == ENOBUFS)
		;
	for (size_t i = 0; i < c->npoints; i++)
		check_link(&c->points[i]);
}

static void clock_was_set(struct run_ctx *c, int tfd, uint64_t last_tick_s)
{
	unsigned int len = c->cfg.interval_s;
	uint64_t now;

	clock_load(&c->clk);
	now = wall_s(&c->clk);
	if (last_tick_s && now < last_tick_s)
		sw_warn("the clock went back %" PRIu64
			" s: intervals are filed under the new time; "
			"RRD files cannot take rows for times they hold already and skip them, the "
			"daily summaries keep every count",
			last_tick_s - now);
	else
		sw_warn("the clock was set; realigning the interval timer");
	if (arm_timer(tfd, len, &c->clk))
		sw_err("cannot set the interval timer: %s", strerror(errno));
}

static int loop(struct run_ctx *c)
{
	unsigned int len = c->cfg.interval_s;
	uint64_t drains = 0, last_tick_s = 0;
	struct pollfd pfd[3];
	sigset_t mask;
	int sfd, tfd, nfd, err = 0;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	tfd = timerfd_create(CLOCK_REALTIME, TFD_CLOEXEC);
	if (sfd < 0 || tfd < 0 || arm_timer(tfd, len, &c->clk)) {
		sw_err("cannot set up the timer and signals: %s", strerror(errno));
		return -errno;
	}
	nfd = open_link_watch();
	pfd[0] = (struct pollfd){ .fd = sfd, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = tfd, .events = POLLIN };
	pfd[2] = (struct pollfd){ .fd = nfd, .events = POLLIN };
	for (;;) {
		uint64_t ticks;
		uint64_t now;

		if (poll(pfd, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			sw_err("poll: %s", strerror(errno));
			break;
		}
		if (pfd[0].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) == sizeof(si) && si.ssi_signo != SIGHUP) {
				now = wall_s(&c->clk);
				sw_info("signal %u: draining once more", si.ssi_signo);
				for (size_t i = 0; i < c->npoints; i++)
					drain_point(&c->points[i], interval_start(now, len), len);
				break;
			}
		}
		if (pfd[2].revents & POLLIN)
			link_changed(c, nfd);
		if (!(pfd[1].revents & POLLIN))
			continue;
		if (read(tfd, &ticks, sizeof(ticks)) != sizeof(ticks)) {
			if (errno == ECANCELED)
				clock_was_set(c, tfd, last_tick_s);
			continue;
		}
		if (ticks > 1)
			sw_warn("missed %" PRIu64 " interval(s): the drain ran late", ticks - 1);
		now = wall_s(&c->clk);
		last_tick_s = now;
		for (size_t i = 0; i < c->npoints; i++) {
			check_link(&c->points[i]);
			drain_point(&c->points[i], interval_start(now, len) - len, len);
		}
		if (c->exit_after && ++drains >= c->exit_after)
			break;
	}
	for (size_t i = 0; i < c->npoints; i++)
		if (c->points[i].retry)
			sw_warn("point %s: the last counts could not be stored; they stay in the "
				"kernel's tables, and the next daemon stores them",
				c->points[i].name);
	if (nfd >= 0)
		close(nfd);
	close(sfd);
	close(tfd);
	return err;
}

/* Test-only environment (README, "Restarts and faults"); unset in production. */
static void test_hooks(struct run_ctx *c)
{
	const char *crash = getenv("SW_TEST_CRASH");

	c->clk.offset_file = getenv("SW_TEST_CLOCK_OFFSET_FILE");
	clock_load(&c->clk);
	if (crash && !strcmp(crash, "before-store"))
		c->crash = CRASH_BEFORE_STORE;
	else if (crash && !strcmp(crash, "after-store"))
		c->crash = CRASH_AFTER_STORE;
	if (c->clk.offset_s || c->crash)
		sw_warn("test hooks on: clock offset %lld s, crash %s", (long long)c->clk.offset_s,
			crash ? crash : "no");
}

int cmd_run(int argc, char **argv)
{
	struct run_ctx *c = calloc(1, sizeof(*c));
	char errmsg[512];
	int err;

	if (!c)
		return SW_EXIT_FAIL;
	c->cfg.interval_s = 60;
	c->cfg.max_pairs = SW_DEFAULT_MAX_PAIRS;
	c->cfg.max_keys = SW_DEFAULT_MAX_KEYS;
	c->tz = "UTC";
	alert_engine_init(&c->alerts);
	err = parse_args(c, argc, argv);
	/* Failure archives are read after every interval: an alert comes within a minute. */
	alert_engine_open(&c->alerts, c->data_dir, 0);
	if (err) {
		alert_engine_close(&c->alerts);
		prefix_list_free(&c->watch);
		rrd_cli_free(&c->rrd);
		free(c);
		return err == SW_HELP_SHOWN ? 0 : err;
	}
	sw_log_libbpf();
	test_hooks(c);
	err = geoip_open(&c->geo, c->geoip_path, errmsg, sizeof(errmsg));
	if (!err && c->user && priv_set_user(&c->priv, c->user, errmsg, sizeof(errmsg)))
		err = -EINVAL;
	/* From here on the data directory's files are made by the user who will write them. */
	if (!err && priv_fs_as(&c->priv, true, errmsg, sizeof(errmsg)))
		err = -EPERM;
	if (err) {
		sw_err("%s", errmsg);
		alert_engine_close(&c->alerts);
		geoip_close(&c->geo);
		prefix_list_free(&c->watch);
		rrd_cli_free(&c->rrd);
		free(c);
		return err == -EPERM ? SW_EXIT_FAIL : SW_EXIT_USAGE;
	}
	if (open_points(c) || drop_privileges(c)) {
		undo_failed_start(c);
		err = SW_EXIT_FAIL;
	} else {
		/* Only once attached: a start that fails says so in one line, the error. */
		if (!c->geo.open)
			sw_warn("no country database at %s: every area is unknown, \"?\?\" (see --geoip)",
				SW_GEOIP_DEFAULT);
		err = loop(c) ? SW_EXIT_FAIL : 0;
		for (size_t i = 0; i < c->npoints; i++)
			sw_info("point %s: still attached and counting; 'scanwatch detach --point %s' stops it",
				c->points[i].name, c->points[i].name);
	}
	close_points(c);
	alert_engine_close(&c->alerts);
	geoip_close(&c->geo);
	prefix_list_free(&c->watch);
	rrd_cli_free(&c->rrd);
	free(c);
	return err;
}
