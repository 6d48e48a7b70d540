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
#include "config.h"
#include "db_sink.h"
#include "drain.h"
#include "flows.h"
#include "geoip.h"
#include "keyfmt.h"
#include "log.h"
#include "parse_num.h"
#include "paths.h"
#include "points.h"
#include "priv.h"
#include "prom.h"
#include "research.h"
#include "rrdcli.h"
#include "runstats.h"
#include "sdnotify.h"
#include "sensor.h"
#include "sensor_options.h"
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
	struct runstats stats;
	bool just_stored; /* the drain under way stored an interval, in store_s seconds */
	double store_s;
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
	struct prefix_list research; /* --research FILE's prefixes */
	const char *research_path;
	struct sw_service services[SW_MAX_SERVICES];
	size_t nservices;
	struct geoip geo;
	struct rrd_cli rrd;
	struct alert_engine alerts;
	struct db_sink db;
	struct wallclock clk;
	enum test_crash crash;
	const char *prom_path; /* --prom-textfile */
	struct fault prom_fault;
	struct sdnotify notify;
	uint64_t start_s;
	struct config_args conf; /* holds what the options point into */
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
	"      --research FILE      count packets from FILE's prefixes (one a line) as research\n"
	"                           scanners, apart from the scan totals (README: Research scanners)\n"
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
	"      --tz ZONE            time zone of day boundaries (default UTC)\n" SENSOR_CLI_HELP
	"      --pin-root DIR       where pins live (default " SW_PIN_ROOT ")\n"
	"  -u, --user NAME          once attached, run as NAME, who must be able to write the\n"
	"                           data directory (README.md, \"Privileges\")\n"
	"      --exit-after N       stop after N drains (for tests and cron)\n"
	"      --prom-textfile PATH after every interval, Prometheus metrics into PATH, replaced\n"
	"                           whole (for node_exporter's textfile collector)\n"
	"      --config FILE        read options from FILE first, 'option = value' a line (default\n"
	"                           " SW_CONFIG_DEFAULT " if it exists); the command\n"
	"                           line wins, and its --point or --watch replace the file's\n" RRD_CLI_HELP
		DB_CLI_HELP ALERT_CLI_HELP
	"  -v, --verbose            debug output, libbpf's included\n"
	"\n"
	"Example:\n"
	"  scanwatch run --point tokyo1=eth0 --watch 192.0.2.0/24 --data-dir /var/lib/scanwatch\n"
	"  scanwatch run --point web1=eth0 --host-mode --count-service tcp/22 --data-dir /var/lib/scanwatch\n";

enum {
	O_DROP = 256,
	O_TZ,
	O_PINROOT,
	O_EXIT,
	O_HOST,
	O_SERVICE,
	O_FLOWS,
	O_EXPIRY,
	O_EGRESS,
	O_MULTIPROG,
	O_RUN_PRIO,
	O_CONFIG,
	O_PROM,
	O_RESEARCH,
};
static const struct option run_opts[] = { { "point", required_argument, NULL, 'p' },
					  { "data-dir", required_argument, NULL, 'd' },
					  { "interval", required_argument, NULL, 'i' },
					  { "watch", required_argument, NULL, 'w' },
					  { "drop", no_argument, NULL, O_DROP },
					  { "research", required_argument, NULL, O_RESEARCH },
					  { "mode", required_argument, NULL, 'm' },
					  { "geoip", required_argument, NULL, 'g' },
					  { "tz", required_argument, NULL, O_TZ },
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
					  { "config", required_argument, NULL, O_CONFIG },
					  { "prom-textfile", required_argument, NULL, O_PROM },
					  SENSOR_CLI_OPTIONS,
					  RRD_CLI_OPTIONS,
					  DB_CLI_OPTIONS,
					  ALERT_CLI_OPTIONS,
					  { "verbose", no_argument, NULL, 'v' },
					  { "help", no_argument, NULL, 'h' },
					  {} };
static const char run_optstring[] = "p:d:i:w:m:g:u:vh";
/* A --point (--watch, --count-service) on the command line replaces the configuration's list. */
static const char *const run_repeatable[] = { "point", "watch", "count-service", NULL };

const struct option *run_option_table(void)
{
	return run_opts;
}

static int parse_args(struct run_ctx *c, int argc, char **argv)
{
	int opt;

	while ((opt = getopt_long(argc, argv, run_optstring, run_opts, NULL)) != -1) {
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
		case O_RESEARCH: /* read once every option is: the command line's wins */
			c->research_path = optarg;
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
			/* Checked here too, so that a zone from the configuration names its line. */
			if (use_time_zone(optarg))
				return usage_error("run", "unknown time zone '%s'", optarg);
			c->tz = optarg;
			break;
		case O_CONFIG: /* read by config_args() */
			break;
		case O_PROM:
			c->prom_path = optarg;
			break;
		case SENSOR_OPT_MAX_PAIRS:
		case SENSOR_OPT_MAX_KEYS:
		case SENSOR_OPT_MAX_DAY_PAIRS:
		case SENSOR_OPT_LOG_RECORDS:
		case SENSOR_OPT_CACHE_SLOTS:
			if (sensor_cli_option(&c->cfg, &c->max_day_pairs, opt, optarg, "run"))
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
		case DB_OPT_URL:
		case DB_OPT_WAIT:
			if (db_sink_option(&c->db, opt, optarg, "run"))
				return SW_EXIT_USAGE;
			break;
		case ALERT_OPT_COMMAND:
		case ALERT_OPT_TIMEOUT:
		case ALERT_OPT_SURGE_PCT:
		case ALERT_OPT_SURGE_MIN:
		case ALERT_OPT_TREND_SCORE:
		case ALERT_OPT_TREND_MIN:
		case ALERT_OPT_TREND_DAYS:
		case ALERT_OPT_TREND_MIN_SOURCES:
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
			return option_error("run", run_opts, argv);
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
	if (c->research_path && research_option("run", c->research_path, &c->research))
		return SW_EXIT_USAGE;
	c->cfg.research = c->research.v;
	c->cfg.nresearch = c->research.n;
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

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* SW_TEST_CRASH: dies as SIGKILL would at the two moments a drain can be cut in. */
static void test_crash(const struct point *p, enum test_crash when)
{
	if (p->crash == when && p->iv.stats[SW_STAT_PACKETS])
		raise(SIGKILL);
}

static int store_drained(struct point *p, uint64_t start_s, unsigned int len, uint64_t seq)
{
	double t0 = mono_s();
	int err;

	p->iv.start_s = start_s;
	p->iv.len_s = len;
	/* The program counts seconds of the host's clock; intervals are the daemon's. */
	if (p->iv.peak)
		p->iv.peak_s += (uint64_t)p->clk->offset_s;
	if (p->iv.peak_overwritten)
		sw_warn("point %s: the interval outlasted its ring of seconds (%u): %" PRIu64
			" seconds' counts were overwritten, so its peak rate (%" PRIu64
			" accesses in one second) is a floor",
			p->name, p->sensor.cs.sec_slots, p->iv.peak_overwritten, p->iv.peak);
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
	p->just_stored = true;
	p->store_s = mono_s() - t0;
	test_crash(p, CRASH_AFTER_STORE);
	return 0;
}

/* Where the drain found the interval's accesses, and which CPUs counted its frames (-v). */
static void debug_census(const struct point *p)
{
	const struct sw_census *c = &p->iv.census;
	char cpus[1024] = "";
	size_t o = 0;

	for (uint32_t i = 0; i < p->sensor.cs.ncpus && o < sizeof(cpus) - 24; i++)
		o += (size_t)snprintf(
			cpus + o, sizeof(cpus) - o, " %llu",
			(unsigned long long)p->drainer.gen.cpus[i].stats[SW_STAT_PACKETS]);
	sw_debug("point %s: drained %" PRIu64 " log records (%" PRIu64 " packets), %" PRIu64
		 " cache slots (%" PRIu64 " packets), %" PRIu64
		 " packets from the overflow table; frames per CPU:%s",
		 p->name, c->log_records, c->log_packets, c->cache_slots, c->cache_packets,
		 c->overflow_packets, cpus);
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
 * Packets counted under their key but without their source, or under no key: logged each
 * interval, in the RRD overflow source (rrdstore.c), and summed for `status`.
 */
static void report_dropped(struct point *p)
{
	const uint64_t *st = p->store.iv.stats;

	p->sensor.meta.dropped += store_warn_dropped(&p->store);
	p->sensor.meta.dropped_log_full += st[SW_STAT_LOG_FULL];
	p->sensor.meta.dropped_pairs_over += st[SW_STAT_PAIRS_OVER];
	p->sensor.meta.dropped_keys += st[SW_STAT_KEYS_LOST];
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
		debug_census(p);
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
	if (stored && tally_dropped(&p->store.iv))
		report_dropped(p);
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

/* An interval just stored, in the figures of runstats.h; drain time is what storing did not take. */
static void note_interval(struct point *p, uint64_t start_s, unsigned int len, double t0)
{
	double total_s = mono_s() - t0;

	if (!p->just_stored)
		return;
	runstats_interval(&p->stats, &p->store.iv, start_s, len, p->iv.npairs, p->iv.nkeys,
			  p->sensor.meta.max_pairs, p->sensor.meta.max_keys, total_s - p->store_s,
			  p->store_s, wall_s(p->clk));
	if (sw_log_get_level() >= SW_LOG_DEBUG)
		runstats_log(&p->stats);
}

/*
 * One drain of one point. An interval that could not be stored is settled first, under its own
 * time; until it is, the program keeps writing the active generation (no flip), so the intervals
 * meanwhile are stored together, under the time of the drain that succeeds.
 */
static void drain_point(struct point *p, uint64_t start_s, unsigned int len)
{
	double t0 = mono_s();
	int err;

	if (p->retry) {
		p->just_stored = false;
		if (settle_retired(p, p->retry_start_s, len, false))
			return;
		note_interval(p, p->retry_start_s, len, t0);
		p->retry = false;
		t0 = mono_s();
	}
	p->just_stored = false;
	err = drain_flip(&p->sensor);
	if (err) {
		fault_fail(&p->drain_fault, SW_LOG_ERR, p->name, "draining", err, p->sensor.errmsg);
		return;
	}
	p->retry = settle_retired(p, start_s, len, false) != 0;
	p->retry_start_s = start_s;
	if (!p->retry)
		note_interval(p, start_s, len, t0);
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
		store_set_watched(&p->store, sw_prefix_addresses(c->watch.v, c->watch.n));
		/* Before anything is written, and before anything is attached. */
		err = store_lock(&p->store, "run");
		if (err) {
			sw_err("point %s: %s", p->name, p->store.errmsg);
			return err;
		}
		err = db_sink_point(&c->db, &p->store, c->data_dir, p->name);
		if (err)
			return err;
		p->clk = &c->clk;
		runstats_init(&p->stats, p->name);
		p->crash = c->crash;
		err = rrd_cli_open(&c->rrd, &p->rrd, c->data_dir, p->name, c->cfg.interval_s,
				   wall_s(&c->clk), wall_s(&c->clk));
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
		/* The program's seconds and the drain's times on one clock (a resumed point too). */
		cstate_set_wall_offset(&p->sensor.cs, p->drainer.mono_to_wall_ns);
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
			double t0 = mono_s();

			p->retry_start_s =
				interval_start(last ? last : wall_s(&c->clk), c->cfg.interval_s);
			p->retry =
				settle_retired(p, p->retry_start_s, c->cfg.interval_s, true) != 0;
			if (!p->retry)
				note_interval(p, p->retry_start_s, c->cfg.interval_s, t0);
		}
		sw_info("point %s: %s %s in %s mode, a log of %" PRIu64
			" records and caches of %u slots on %u CPUs%s%s",
			p->name, p->sensor.resumed ? "resumed on" : "attached to", p->ifname,
			p->sensor.meta.mode == SW_MODE_NATIVE ? "native" : "generic",
			cstate_log_capacity(&p->sensor.cs), p->sensor.cs.cache_slots,
			p->sensor.cs.ncpus, c->cfg.host_mode ? ", host mode, egress by " : "",
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
	/* The RRD rows still queued are saved into the user's directory, as the user. */
	priv_fs_as(&c->priv, true, errmsg, sizeof(errmsg));
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

/* After every drain: the Prometheus textfile, systemd's status line and a watchdog ping. */
static void report_tick(struct run_ctx *c, uint64_t tick_s)
{
	const struct runstats *stats[MAX_POINTS];
	uint64_t acc = 0, src = 0, drop = 0;
	char errmsg[SW_ERRMSG_LEN + 64], when[32];
	time_t t = (time_t)tick_s;
	struct tm tm;
	int err;

	for (size_t i = 0; i < c->npoints; i++) {
		stats[i] = &c->points[i].stats;
		if (stats[i]->last_drain_s < tick_s)
			continue;
		acc += stats[i]->iv_accesses;
		src += stats[i]->iv_sources;
		drop += stats[i]->iv_dropped;
	}
	if (c->prom_path) {
		err = prom_write(c->prom_path, stats, c->npoints, c->start_s, errmsg,
				 sizeof(errmsg));
		if (err && err != c->prom_fault.err)
			sw_err("%s (retried every interval; logged again when it works)", errmsg);
		else if (!err && c->prom_fault.err)
			sw_info("--prom-textfile %s is written again", c->prom_path);
		c->prom_fault.err = err;
	}
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%H:%M:%SZ", &tm);
	sdnotify_send(&c->notify,
		      "WATCHDOG=1\nSTATUS=drain of %s: %" PRIu64 " accesses, %" PRIu64
		      " new sources, %" PRIu64 " dropped",
		      when, acc, src, drop);
}

/* The watchdog's timer: pinged from this loop, so that a drain that hangs stops the pings. */
static int open_watchdog(const struct sdnotify *n)
{
	uint64_t us = sdnotify_ping_usec(n);
	struct itimerspec its = { .it_interval = { .tv_sec = (time_t)(us / 1000000),
						   .tv_nsec = (long)(us % 1000000) * 1000 } };
	int fd;

	if (!us)
		return -1;
	its.it_value = its.it_interval;
	fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	if (fd < 0 || timerfd_settime(fd, 0, &its, NULL)) {
		sw_err("cannot set the watchdog's timer: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	sw_info("systemd's watchdog: %.3f s; pinging every %.3f s from the drain loop",
		(double)n->watchdog_usec / 1e6, (double)us / 1e6);
	return fd;
}

static int loop(struct run_ctx *c)
{
	unsigned int len = c->cfg.interval_s;
	uint64_t drains = 0, last_tick_s = 0;
	struct pollfd pfd[4];
	sigset_t mask;
	int sfd, tfd, nfd, wfd, err = 0;

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
	wfd = open_watchdog(&c->notify);
	pfd[0] = (struct pollfd){ .fd = sfd, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = tfd, .events = POLLIN };
	pfd[2] = (struct pollfd){ .fd = nfd, .events = POLLIN };
	pfd[3] = (struct pollfd){ .fd = wfd, .events = POLLIN };
	for (;;) {
		uint64_t ticks;
		uint64_t now;

		if (poll(pfd, 4, -1) < 0) {
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
				sdnotify_send(&c->notify,
					      "STOPPING=1\nSTATUS=signal %u: draining once more",
					      si.ssi_signo);
				for (size_t i = 0; i < c->npoints; i++)
					drain_point(&c->points[i], interval_start(now, len), len);
				report_tick(c, now);
				break;
			}
		}
		if (pfd[2].revents & POLLIN)
			link_changed(c, nfd);
		if ((pfd[3].revents & POLLIN) && read(wfd, &ticks, sizeof(ticks)) == sizeof(ticks))
			sdnotify_send(&c->notify, "WATCHDOG=1");
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
		report_tick(c, now);
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
	if (wfd >= 0)
		close(wfd);
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

/* Before the first interval: a textfile that cannot be written is refused at start. */
static int first_report(struct run_ctx *c)
{
	const struct runstats *stats[MAX_POINTS];
	char errmsg[SW_ERRMSG_LEN + 64];

	for (size_t i = 0; i < c->npoints; i++)
		stats[i] = &c->points[i].stats;
	if (c->prom_path &&
	    prom_write(c->prom_path, stats, c->npoints, c->start_s, errmsg, sizeof(errmsg))) {
		sw_err("%s", errmsg);
		return -EIO;
	}
	sdnotify_send(&c->notify,
		      "READY=1\nMAINPID=%d\nSTATUS=counting on %zu point(s), drained every %u s",
		      (int)getpid(), c->npoints, c->cfg.interval_s);
	return 0;
}

static const struct config_spec run_config_spec = {
	.cmd = "run",
	.file_opts = run_opts,
	.repeatable = run_repeatable,
	.cmd_opts = run_opts,
	.optstring = run_optstring,
	.config_val = O_CONFIG,
	.help_val = 'h',
};

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
	c->start_s = (uint64_t)time(NULL);
	alert_engine_init(&c->alerts);
	db_sink_init(&c->db);
	err = config_args(&c->conf, &run_config_spec, argc, argv);
	if (!err)
		err = parse_args(c, c->conf.argc, c->conf.argv);
	/* Failure archives are read after every interval: an alert comes within a minute. */
	alert_engine_open(&c->alerts, c->data_dir, 0);
	if (err) {
		alert_engine_close(&c->alerts);
		prefix_list_free(&c->watch);
		prefix_list_free(&c->research);
		rrd_cli_free(&c->rrd);
		config_args_free(&c->conf);
		free(c);
		return err == SW_HELP_SHOWN ? 0 : err;
	}
	sw_log_libbpf();
	test_hooks(c);
	if (c->conf.path[0])
		sw_info("options from %s, then the command line's", c->conf.path);
	err = sdnotify_open(&c->notify, errmsg, sizeof(errmsg));
	if (!err)
		err = geoip_open(&c->geo, c->geoip_path, errmsg, sizeof(errmsg));
	if (!err && c->user && priv_set_user(&c->priv, c->user, errmsg, sizeof(errmsg)))
		err = -EINVAL;
	/* From here on the data directory's files are made by the user who will write them. */
	if (!err && priv_fs_as(&c->priv, true, errmsg, sizeof(errmsg)))
		err = -EPERM;
	/* Bad --db (URL, credentials, schema): one line, and nothing is attached. */
	if (!err && db_sink_open(&c->db, "scanwatch run")) {
		alert_engine_close(&c->alerts);
		geoip_close(&c->geo);
		prefix_list_free(&c->watch);
		prefix_list_free(&c->research);
		rrd_cli_free(&c->rrd);
		free(c);
		return SW_EXIT_FAIL;
	}
	db_sink_alerts(&c->db, &c->alerts);
	if (err) {
		sw_err("%s", errmsg);
		alert_engine_close(&c->alerts);
		geoip_close(&c->geo);
		sdnotify_close(&c->notify);
		prefix_list_free(&c->watch);
		prefix_list_free(&c->research);
		rrd_cli_free(&c->rrd);
		config_args_free(&c->conf);
		free(c);
		return err == -EPERM ? SW_EXIT_FAIL : SW_EXIT_USAGE;
	}
	/* The sending thread starts without privileges: Linux keeps capabilities per thread. */
	if (open_points(c) || drop_privileges(c) || db_sink_start(&c->db) || first_report(c)) {
		undo_failed_start(c);
		err = SW_EXIT_FAIL;
	} else {
		/* Only once attached: a start that fails says so in one line, the error. */
		if (!c->geo.open)
			sw_warn("no country database at %s: every area is unknown, \"?\?\" (see --geoip)",
				SW_GEOIP_DEFAULT);
		err = loop(c) ? SW_EXIT_FAIL : 0;
		for (size_t i = 0; i < c->npoints; i++) {
			struct point *p = &c->points[i];
			char why[SW_ERRMSG_LEN];

			/* Said only when true: after a detach, or pins that die with this process. */
			if (sensor_still_counting(&p->sensor, why, sizeof(why)))
				sw_info("point %s: still attached and counting; 'scanwatch detach "
					"--point %s' stops it",
					p->name, p->name);
			else
				sw_warn("point %s: %s", p->name, why);
		}
	}
	db_sink_finish(&c->db, 5);
	db_sink_close(&c->db);
	close_points(c);
	alert_engine_close(&c->alerts);
	geoip_close(&c->geo);
	sdnotify_close(&c->notify);
	prefix_list_free(&c->watch);
	prefix_list_free(&c->research);
	rrd_cli_free(&c->rrd);
	config_args_free(&c->conf);
	free(c);
	return err;
}
