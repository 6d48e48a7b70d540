// SPDX-License-Identifier: GPL-2.0-only
/* `scanwatch run`: attach to each point's interface and drain its tables every interval. */
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
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
#include "count_options.h"
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
#include "run.h"
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
	struct count_opts co; /* the options shared with replay */
	const char *user;
	struct priv priv;
	uint64_t exit_after; /* drains; 0: until a signal */
	bool egress_set;
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

static int add_point(void *field, const char *arg, const char *cmd)
{
	struct run_ctx *c = field;
	/* Split a copy: editing argv in place would change what ps and pkill see. */
	char name[64];
	const char *eq = strchr(arg, '=');
	size_t nlen = eq ? (size_t)(eq - arg) : 0;
	struct point *p;

	if (!eq || nlen == 0 || !eq[1])
		return usage_error(cmd, "--point takes NAME=IFACE, not '%s'", arg);
	snprintf(name, sizeof(name), "%.*s", (int)(nlen < 63 ? nlen : 63), arg);
	if (nlen >= sizeof(name) || !point_name_ok(name))
		return usage_error(cmd, "point name '%s' must be 1-32 letters, digits, '_' or '-'",
				   name);
	if (c->npoints == MAX_POINTS)
		return usage_error(cmd, "at most %d points", MAX_POINTS);
	for (size_t i = 0; i < c->npoints; i++)
		if (!strcmp(c->points[i].name, name))
			return usage_error(cmd, "point %s given twice", name);
	p = &c->points[c->npoints++];
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->ifname = eq + 1;
	return 0;
}

static int add_service(void *field, const char *arg, const char *cmd)
{
	struct run_ctx *c = field;
	struct sw_key key;
	struct sw_service svc = { 0 };

	if (sw_key_parse(arg, "scan", &key) || (key.cls != SW_CLS_TCP && key.cls != SW_CLS_UDP) ||
	    key.num == 0)
		return -EINVAL;
	if (c->nservices == SW_MAX_SERVICES)
		return usage_error(cmd, "at most %d --count-service", SW_MAX_SERVICES);
	svc.proto = key.cls == SW_CLS_TCP ? IPPROTO_TCP : IPPROTO_UDP;
	svc.port = key.num;
	c->services[c->nservices++] = svc;
	return 0;
}

static int set_egress(void *field, const char *arg, const char *cmd)
{
	static const char *const hooks[] = { "auto", "tcx", "tc" };
	struct run_ctx *c = field;

	(void)cmd;
	_Static_assert(SW_EGRESS_REQ_AUTO == 0 && SW_EGRESS_REQ_TCX == 1 && SW_EGRESS_REQ_TC == 2,
		       "hooks[] is in the order of enum sw_egress_req");
	for (int i = 0; i < 3; i++)
		if (!strcmp(arg, hooks[i])) {
			c->cfg.egress = (enum sw_egress_req)i;
			c->egress_set = true;
			return 0;
		}
	return -EINVAL;
}

static const char *const modes[] = { "auto", "native", "generic", NULL };
_Static_assert(SW_REQ_AUTO == 0 && SW_REQ_NATIVE == 1 && SW_REQ_GENERIC == 2,
	       "modes[] is in the order of enum sw_mode_req");

#define CFG(f) offsetof(struct run_ctx, cfg.f)

/* First in --help; run's other options come after those it shares with replay. */
static const struct param run_point_params[] = {
	{ "point", 'p', PARAM_FUNC, 0, "NAME=IFACE",
	  "monitoring point NAME on interface IFACE (repeatable)", .fn = add_point },
	PARAM_END,
};

static const struct param run_params[] = {
	{ "drop", 0, PARAM_FLAG, CFG(drop), NULL,
	  "drop the counted packets (a darknet sensor that never answers)" },
	{ "host-mode", 0, PARAM_FLAG, CFG(host_mode), NULL,
	  "an ordinary host: replies to its own flows and packets to its\n"
	  "listening sockets are no access (README: Sensor mode and host mode)" },
	{ "count-service", 0, PARAM_FUNC, 0, "S",
	  "host mode: count the clients of service S (tcp/22, udp/53) too\n(repeatable)",
	  .fn = add_service, .takes = "tcp/PORT or udp/PORT" },
	{ "flow-table-size", 0, PARAM_UINT, CFG(flow_table_size), "N",
	  "host mode: flows remembered; evictions are counted", "65536", .min = 16,
	  .max = 1 << 24 },
	{ "flow-expiry", 0, PARAM_UINT, CFG(flow_expiry_s), "S",
	  "host mode: seconds a flow's replies stay solicited after its last\noutbound packet",
	  "120", .min = 1, .max = 86400, .unit = "seconds" },
	{ "egress-hook", 0, PARAM_FUNC, 0, "HOOK",
	  "host mode: auto (default: tcx, else tc with a warning), tcx or tc", .fn = set_egress,
	  .bad = "is auto, tcx or tc" },
	{ "mode", 'm', PARAM_CHOICE, CFG(mode), "MODE", "auto: native, else generic with a warning",
	  "auto", .choices = modes, .bad = "is auto, native or generic" },
	{ "multiprog", 0, PARAM_FLAG, CFG(multiprog), NULL,
	  "attach through libxdp's dispatcher, beside other XDP programs\n"
	  "(automatic when the interface already runs it)" },
	{ "run-prio", 0, PARAM_UINT, CFG(run_prio), "N",
	  "its place in the dispatcher, lowest first (5: before\n"
	  "xdp-filter, so scanwatch counts what it will drop)",
	  "5", .min = 1, .max = 1000 },
	RUN_PIN_ROOT_PARAM(CFG(pin_root)),
	{ "user", 'u', PARAM_STRING, offsetof(struct run_ctx, user), "NAME",
	  "once attached, run as NAME, who must be able to write the\n"
	  "data directory (README.md, \"Privileges\")" },
	{ "exit-after", 0, PARAM_U64, offsetof(struct run_ctx, exit_after), "N",
	  "stop after N drains (for tests and cron)", .min = 1, .max = UINT32_MAX,
	  .takes = "a positive count" },
	{ "prom-textfile", 0, PARAM_STRING, offsetof(struct run_ctx, prom_path), "PATH",
	  "after every interval, Prometheus metrics into PATH, replaced\n"
	  "whole (for node_exporter's textfile collector)" },
	{ "config", 0, PARAM_FUNC, 0, "FILE",
	  "read options from FILE first, 'option = value' a line (default\n" SW_CONFIG_DEFAULT
	  " if it exists); the command\n"
	  "line wins, and its --point or --watch replace the file's",
	  .fn = param_config_file },
	PARAM_END,
};

static const struct param_cmd run_cmd = {
	.name = "run",
	.usage = "Usage: scanwatch run --point NAME=IFACE [--point ...] --data-dir DIR [options]\n",
	.desc = "Attach the XDP counter to each interface and store what it counts every interval.\n"
		"The program and its tables stay pinned under the pin root when the daemon stops, "
		"so\n"
		"a restarted daemon resumes with nothing lost; 'scanwatch detach' removes them.\n",
	.examples =
		"  scanwatch run --point tokyo1=eth0 --watch 192.0.2.0/24 --data-dir "
		"/var/lib/scanwatch\n"
		"  scanwatch run --point web1=eth0 --host-mode --count-service tcp/22 --data-dir "
		"/var/lib/scanwatch\n",
};

/* run's tables over c; NULL: only their names (the configuration file's). */
#define RUN_SETS(c)                                                                     \
	{                                                                               \
		{ run_point_params, (c) }, { count_params, (c) ? &(c)->co : NULL },     \
			{ sensor_params, (c) ? &(c)->cfg : NULL }, { run_params, (c) }, \
			{ count_rrd_params, (c) ? &(c)->rrd : NULL },                   \
			{ count_db_params, (c) ? &(c)->db : NULL },                     \
			{ alert_cli_params, (c) ? &(c)->alerts : NULL },                \
			{ alert_cfg_params, (c) ? &(c)->alerts : NULL },                \
		{                                                                       \
		}                                                                       \
	}

/* A --point (--watch, --count-service) on the command line replaces the configuration's list. */
static const char *const run_repeatable[] = { "point", "watch", "count-service", NULL };

const struct option *run_option_table(void)
{
	static struct params_getopt g;
	const struct param_set sets[] = RUN_SETS((struct run_ctx *)NULL);

	/* Made once, kept for the process: every command's configuration reads it. */
	if (!g.opts && params_getopt_make(sets, &g))
		return NULL;
	return g.opts;
}

/* config_args_params() over run's configuration file, whose options are run's. */
static int read_run_config(struct config_args *ca, struct config_spec *spec,
			   const struct param_set *sets, int argc, char **argv)
{
	spec->file_opts = run_option_table();
	if (!spec->file_opts) {
		memset(ca, 0, sizeof(*ca));
		sw_err("out of memory");
		return SW_EXIT_FAIL;
	}
	return config_args_params(ca, spec, sets, argc, argv);
}

int run_config_read(struct config_args *ca, const char *cmd, const char *const *take,
		    const struct param_set *sets, int argc, char **argv)
{
	struct config_spec spec = { .cmd = cmd, .take = take };

	return read_run_config(ca, &spec, sets, argc, argv);
}

static int run_config_args(struct run_ctx *c, struct config_args *ca, int argc, char **argv)
{
	struct config_spec spec = { .cmd = "run", .repeatable = run_repeatable };
	const struct param_set sets[] = RUN_SETS(c);

	return read_run_config(ca, &spec, sets, argc, argv);
}

static int parse_args(struct run_ctx *c, int argc, char **argv)
{
	const struct param_set sets[] = RUN_SETS(c);
	int err = params_parse(&run_cmd, sets, argc, argv);

	if (err)
		return err;
	if (!c->npoints)
		return usage_error("run", "at least one --point NAME=IFACE is required");
	if (!c->co.data_dir)
		return usage_error("run", "--data-dir is required");
	if (c->co.tz && use_time_zone(c->co.tz))
		return usage_error("run", "unknown time zone '%s'", c->co.tz);
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
	if (c->co.research_path && research_option("run", c->co.research_path, &c->co.research))
		return SW_EXIT_USAGE;
	c->cfg.research = c->co.research.v;
	c->cfg.nresearch = c->co.research.n;
	/* Now, not at midnight: a ceiling the memory cannot hold stops the start. */
	if (day_pairs_setup(&c->co.max_day_pairs, (unsigned int)c->npoints))
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
	runstats_day(&p->stats, &p->store.day.t);
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

/* A point's files: its store (locked), database sink, RRD files and today's files. */
static int open_point_files(struct run_ctx *c, struct point *p)
{
	int err;

	err = store_open(&p->store, c->co.data_dir, p->name, c->co.tz, &c->geo);
	if (err) {
		sw_err("point %s: %s", p->name, p->store.errmsg);
		return err;
	}
	p->stored_open = true;
	store_set_max_day_pairs(&p->store, c->co.max_day_pairs);
	store_set_watched(&p->store, sw_prefix_addresses(c->co.watch.v, c->co.watch.n));
	/* Before anything is written, and before anything is attached. */
	err = store_lock(&p->store, "run");
	if (err) {
		sw_err("point %s: %s", p->name, p->store.errmsg);
		return err;
	}
	err = db_sink_point(&c->db, &p->store, c->co.data_dir, p->name);
	if (err)
		return err;
	p->clk = &c->clk;
	runstats_init(&p->stats, p->name);
	p->crash = c->crash;
	err = rrd_cli_open(&c->rrd, &p->rrd, c->co.data_dir, p->name, c->cfg.interval_s,
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
	return 0;
}

/* Attaches (or resumes) a point's sensor; a resumed one stores what its dead daemon left. */
static int attach_point(struct run_ctx *c, struct point *p)
{
	char errmsg[SW_ERRMSG_LEN];
	struct sensor_config cfg = c->cfg;
	int err;

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
	p->stats.research_prefixes =
		sensor_map_entries(p->sensor.research_fd, sizeof(struct sw_prefix));
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

		p->retry_start_s = interval_start(last ? last : wall_s(&c->clk), c->cfg.interval_s);
		p->retry = settle_retired(p, p->retry_start_s, c->cfg.interval_s, true) != 0;
		if (!p->retry)
			note_interval(p, p->retry_start_s, c->cfg.interval_s, t0);
	}
	return 0;
}

static void log_point_attached(const struct run_ctx *c, const struct point *p)
{
	sw_info("point %s: %s %s in %s mode, a log of %" PRIu64
		" records and caches of %u slots on %u CPUs%s%s",
		p->name, p->sensor.resumed ? "resumed on" : "attached to", p->ifname,
		p->sensor.meta.mode == SW_MODE_NATIVE ? "native" : "generic",
		cstate_log_capacity(&p->sensor.cs), p->sensor.cs.cache_slots, p->sensor.cs.ncpus,
		c->cfg.host_mode ? ", host mode, egress by " : "",
		!c->cfg.host_mode			    ? "" :
		p->sensor.meta.egress_hook == SW_EGRESS_TCX ? "tcx link" :
							      "tc filter");
	sw_info("point %s: the day's set holds up to %" PRIu64
		" (source, key) pairs (--max-day-pairs), %.0f MiB at most; %" PRIu64
		" today so far",
		p->name, c->co.max_day_pairs, pairset_bytes_max(c->co.max_day_pairs) / 1048576.0,
		p->store.day.pairs);
	if (p->sensor.meta.flags & SW_META_MULTIPROG)
		sw_info("point %s: in libxdp's dispatcher on %s, run priority %u; the "
			"packets it passes go on to the programs after it",
			p->name, p->ifname, p->sensor.run_prio);
}

static int open_points(struct run_ctx *c)
{
	int err;

	c->cfg.watch = c->co.watch.v;
	c->cfg.nwatch = c->co.watch.n;
	for (size_t i = 0; i < c->npoints; i++) {
		err = open_point_files(c, &c->points[i]);
		if (err)
			return err;
	}
	for (size_t i = 0; i < c->npoints; i++) {
		err = attach_point(c, &c->points[i]);
		if (err)
			return err;
		log_point_attached(c, &c->points[i]);
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

/* What a run holds besides its points, released once whichever way it ends. */
static void run_free(struct run_ctx *c)
{
	alert_engine_close(&c->alerts);
	geoip_close(&c->geo);
	sdnotify_close(&c->notify);
	prefix_list_free(&c->co.watch);
	prefix_list_free(&c->co.research);
	rrd_cli_free(&c->rrd);
	config_args_free(&c->conf);
	free(c);
}

int cmd_run(int argc, char **argv)
{
	struct run_ctx *c = calloc(1, sizeof(*c));
	char errmsg[512];
	int err;

	if (!c)
		return SW_EXIT_FAIL;
	/* No listener until sdnotify_open() finds one, so that run_free() may come first. */
	c->notify.fd = -1;
	c->cfg.interval_s = 60;
	c->cfg.max_pairs = SW_DEFAULT_MAX_PAIRS;
	c->cfg.max_keys = SW_DEFAULT_MAX_KEYS;
	c->co.tz = "UTC";
	c->start_s = (uint64_t)time(NULL);
	alert_engine_init(&c->alerts);
	db_sink_init(&c->db);
	err = run_config_args(c, &c->conf, argc, argv);
	if (!err)
		err = parse_args(c, c->conf.argc, c->conf.argv);
	/* Failure archives are read after every interval: an alert comes within a minute. */
	alert_engine_open(&c->alerts, c->co.data_dir, 0);
	if (err) {
		run_free(c);
		return err == SW_HELP_SHOWN ? 0 : err;
	}
	sw_log_libbpf();
	test_hooks(c);
	if (c->conf.path[0])
		sw_info("options from %s, then the command line's", c->conf.path);
	err = sdnotify_open(&c->notify, errmsg, sizeof(errmsg));
	if (!err)
		err = geoip_open(&c->geo, c->co.geoip_path, errmsg, sizeof(errmsg));
	if (!err && c->user && priv_set_user(&c->priv, c->user, errmsg, sizeof(errmsg)))
		err = -EINVAL;
	/* From here on the data directory's files are made by the user who will write them. */
	if (!err && priv_fs_as(&c->priv, true, errmsg, sizeof(errmsg)))
		err = -EPERM;
	/* Bad --db (URL, credentials, schema): one line, and nothing is attached. */
	if (!err && db_sink_open(&c->db, "scanwatch run")) {
		run_free(c);
		return SW_EXIT_FAIL;
	}
	db_sink_alerts(&c->db, &c->alerts);
	if (err) {
		sw_err("%s", errmsg);
		run_free(c);
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
	run_free(c);
	return err;
}
