// SPDX-License-Identifier: GPL-2.0-only
/*
 * `scanwatch replay`: every frame of the captures runs through the same XDP program with
 * BPF_PROG_TEST_RUN and the same drain and storage code as `run`, with capture time as the
 * clock: an interval ends when the first packet of a later interval arrives.
 */
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alerts.h"
#include "capture.h"
#include "capture_time.h"
#include "cli.h"
#include "count_options.h"
#include "daysize.h"
#include "db_sink.h"
#include "drain.h"
#include "geoip.h"
#include "keyfmt.h"
#include "log.h"
#include "parse_num.h"
#include "points.h"
#include "replay.h"
#include "research.h"
#include "rrdcli.h"
#include "sensor.h"
#include "sensor_options.h"
#include "store.h"

#define ETH_HLEN 14

int replay_open(struct replayer *r, const struct sensor_config *cfg)
{
	int err;

	memset(r, 0, sizeof(*r));
	err = sensor_open_replay(&r->sensor, cfg);
	if (err)
		return err;
	drainer_init(&r->drainer, r->sensor.ncpus, 1);
	r->interval_s = cfg->interval_s;
	r->have_interval = false;
	return 0;
}

void replay_close(struct replayer *r)
{
	sensor_close(&r->sensor);
	drainer_free(&r->drainer);
	interval_free(&r->iv);
}

/* Drains the tables into r->iv and hands them to the sink. */
static int flush(struct replayer *r)
{
	int err;

	if (!r->have_interval)
		return 0;
	err = drain_interval(&r->drainer, &r->sensor, &r->iv);
	if (err)
		return err;
	r->iv.start_s = r->cur_start;
	r->iv.len_s = r->interval_s;
	r->iv.stats[SW_STAT_PACKETS] += r->runts;
	r->iv.stats[SW_STAT_RUNT] += r->runts;
	r->runts = 0;
	r->have_interval = false;
	err = r->sink(r->sink_ctx, &r->iv, ++r->seq);
	r->sink_failed = err != 0;
	return err;
}

int replay_frame(struct replayer *r, const uint8_t *frame, uint32_t len, uint64_t ts_ns)
{
	uint64_t start = ts_ns / 1000000000ULL;
	int ret;

	start -= start % r->interval_s;
	if (!r->have_interval) {
		r->cur_start = start;
		r->have_interval = true;
	} else if (start > r->cur_start) {
		ret = flush(r);
		if (ret)
			return ret;
		r->cur_start = start;
		r->have_interval = true;
	}
	/* A capture that steps back in time stays in the current interval. */
	r->packets++;
	if (len < ETH_HLEN) {
		r->runts++;
		return 0;
	}
	ret = sensor_run_packet(&r->sensor, frame, len > SW_FRAME_MAX ? SW_FRAME_MAX : len, ts_ns);
	return ret < 0 ? ret : 0;
}

int replay_finish(struct replayer *r)
{
	return flush(r);
}

/* Gives frames of other link types an Ethernet header, as the wire would have had. */
const uint8_t *replay_to_ethernet(int dlt, const uint8_t *data, uint32_t *len, uint8_t *buf)
{
	uint16_t ethertype;
	uint32_t skip = 0;

	switch (dlt) {
	case DLT_EN10MB:
		return data;
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		break;
	case DLT_LINUX_SLL:
		skip = 16;
		break;
	case DLT_NULL:
	case DLT_LOOP:
		skip = 4;
		break;
	default:
		return NULL;
	}
	if (*len < skip + 1) {
		*len = 0;
		return buf;
	}
	data += skip;
	*len -= skip;
	ethertype = (data[0] >> 4) == 6 ? 0x86dd : 0x0800;
	if (*len > SW_FRAME_MAX - ETH_HLEN)
		*len = SW_FRAME_MAX - ETH_HLEN;
	memset(buf, 0, 12);
	buf[12] = ethertype >> 8;
	buf[13] = ethertype & 0xff;
	memcpy(buf + ETH_HLEN, data, *len);
	*len += ETH_HLEN;
	return buf;
}

void replay_dlt_name(int dlt, char *buf, size_t len)
{
	const char *name = pcap_datalink_val_to_name(dlt);

	/* libpcap names only the link types it knows: a number is better than "(null)". */
	if (name)
		snprintf(buf, len, "%s (%d)", name, dlt);
	else
		snprintf(buf, len, "%d", dlt);
}

struct replay_cli {
	struct sensor_config cfg;
	struct count_opts co; /* the options shared with run */
	const char *point;
	struct point_store store;
	struct geoip geo;
	struct rrd_cli rrd;
	struct rrdstore rrds;
	bool rrds_open;
	struct alert_engine alerts;
	struct alert_point *ap;
	struct db_sink db;
	uint64_t seq_base; /* with --db: intervals of every replay are told apart in the database */
	bool quiet;
};

static int store_sink(void *ctx, const struct sw_interval *iv, uint64_t seq)
{
	struct replay_cli *c = ctx;
	int err = store_interval(&c->store, iv, c->seq_base + seq);

	if (err) {
		sw_err("%s", c->store.errmsg);
	} else {
		store_warn_dropped(&c->store);
		store_report_lost(&c->store);
		/* the RRD rows of idle intervals in between are zeros: rrdstore.h */
		rrd_cli_interval(&c->rrds, iv->start_s, &c->store, UINT64_MAX);
	}
	if (!err)
		alert_tick(c->ap, c->store.day.date, iv->start_s + iv->len_s);
	return err;
}

static int set_point(void *field, const char *arg, const char *cmd)
{
	if (!point_name_ok(arg))
		return usage_error(cmd, "point name '%s' must be 1-32 letters, digits, '_' or '-'",
				   arg);
	*(const char **)field = arg;
	return 0;
}

static const struct param replay_params[] = {
	{ "point", 'p', PARAM_FUNC, offsetof(struct replay_cli, point), "NAME",
	  "the monitoring point the capture belongs to", .fn = set_point },
	PARAM_END,
};

static const struct param replay_quiet_params[] = {
	{ "quiet", 'q', PARAM_FLAG, offsetof(struct replay_cli, quiet), NULL,
	  "no progress line on a terminal" },
	PARAM_END,
};

static const struct param_cmd replay_cmd = {
	.name = "replay",
	.usage = "Usage: scanwatch replay --point NAME --data-dir DIR [options] FILE...\n",
	.desc = "Count the packets of pcap or pcapng captures with the very program 'run' attaches\n"
		"(through BPF_PROG_TEST_RUN), the capture's timestamps as the clock, and store the\n"
		"result as 'run' would. Every capture is read to its end first; one that cannot be\n"
		"read, of a link type replay does not read, or that steps back in time by more than\n"
		"an interval stops the replay before anything is counted. The packets are then "
		"counted\n"
		"in time order, whatever order the files are given in (captures that overlap in "
		"time\n"
		"are merged). On a terminal, a line shows packets done, packets/s and the time left.\n",
	.examples = "  scanwatch replay --point lab --data-dir /tmp/sw capture.pcapng\n",
	.args = true,
};

static int parse_args(struct replay_cli *c, int argc, char **argv)
{
	const struct param_set sets[] = { { replay_params, c },
					  { count_params, &c->co },
					  { sensor_params, &c->cfg },
					  { replay_quiet_params, c },
					  { count_rrd_params, &c->rrd },
					  { count_db_params, &c->db },
					  { alert_cli_params, &c->alerts },
					  { alert_cfg_params, &c->alerts },
					  {} };
	int err = params_parse(&replay_cmd, sets, argc, argv);

	if (err)
		return err;
	if (!c->point)
		return usage_error("replay", "--point is required");
	if (!c->co.data_dir)
		return usage_error("replay", "--data-dir is required");
	if (optind == argc)
		return usage_error("replay", "no capture file given");
	if (use_time_zone(c->co.tz))
		return usage_error("replay", "unknown time zone '%s'", c->co.tz);
	if (day_pairs_setup(&c->co.max_day_pairs, 1))
		return SW_EXIT_USAGE;
	if (c->co.research_path && research_option("replay", c->co.research_path, &c->co.research))
		return SW_EXIT_USAGE;
	return 0;
}

/*
 * After the captures: what was counted is stored, also after an error (err, kept unless 0), and
 * what RRD or the database has not taken makes the run fail; the first error found.
 */
static int finish_replay(struct replay_cli *c, struct replayer *r, int err)
{
	int fin = replay_finish(r);

	if (fin && !r->sink_failed)
		sw_err("%s", r->sensor.errmsg);
	if (fin && !err)
		err = fin;
	/* Rows RRD did not take wait in rrd-queue for the next run: not a success. */
	if (rrdstore_flush(&c->rrds, UINT64_MAX))
		sw_err("point %s: %s", c->point, c->rrds.errmsg);
	if (rrdstore_queued(&c->rrds) && !err)
		err = -EIO;
	if (r->seq)
		alert_flush(c->ap, r->cur_start + r->interval_s);
	/* What the database has not taken waits in the spool for the next run: not a success. */
	if (db_sink_finish(&c->db, 60) && !err)
		err = -EIO;
	return err;
}

int cmd_replay(int argc, char **argv)
{
	struct replay_cli c = { .co.tz = "UTC" };
	struct capture_set caps = { 0 };
	struct progress pg;
	struct replayer r;
	struct timespec t0, t1;
	char errmsg[512];
	int err, ret = SW_EXIT_FAIL;

	c.cfg.interval_s = 60;
	c.cfg.max_pairs = SW_DEFAULT_MAX_PAIRS;
	c.cfg.max_keys = SW_DEFAULT_MAX_KEYS;
	alert_engine_init(&c.alerts);
	db_sink_init(&c.db);
	err = parse_args(&c, argc, argv);
	if (err) {
		if (err == SW_HELP_SHOWN)
			ret = 0;
		goto out_args;
	}
	/* Every capture read in full before anything is opened, counted or stored. */
	progress_init(&pg, "replay", c.quiet);
	err = capture_scan(&caps, argv + optind, (size_t)(argc - optind), c.cfg.interval_s, &pg,
			   errmsg, sizeof(errmsg));
	if (err) {
		progress_done(&pg);
		sw_err("%s", errmsg);
		ret = err == -EINVAL ? SW_EXIT_USAGE : SW_EXIT_FAIL;
		goto out_args;
	}
	sw_log_libbpf();
	c.cfg.point = c.point;
	c.cfg.watch = c.co.watch.v;
	c.cfg.nwatch = c.co.watch.n;
	c.cfg.research = c.co.research.v;
	c.cfg.nresearch = c.co.research.n;
	if (geoip_open(&c.geo, c.co.geoip_path, errmsg, sizeof(errmsg))) {
		sw_err("%s", errmsg);
		ret = SW_EXIT_USAGE;
		goto out_args;
	}
	if (db_sink_open(&c.db, "scanwatch replay"))
		goto out_geo;
	if (store_open(&c.store, c.co.data_dir, c.point, c.co.tz, &c.geo)) {
		sw_err("%s", c.store.errmsg);
		goto out_geo;
	}
	store_set_max_day_pairs(&c.store, c.co.max_day_pairs);
	store_set_watched(&c.store, sw_prefix_addresses(c.co.watch.v, c.co.watch.n));
	/* A running daemon, or another replay, of the point would lose this one's counts. */
	if (store_lock(&c.store, "replay")) {
		sw_err("point %s: %s", c.point, c.store.errmsg);
		goto out_store;
	}
	if (db_sink_point(&c.db, &c.store, c.co.data_dir, c.point))
		goto out_store;
	if (db_sink_on(&c.db)) {
		struct timespec now;

		clock_gettime(CLOCK_REALTIME, &now);
		c.seq_base = (uint64_t)now.tv_sec * 1000000 + (uint64_t)now.tv_nsec / 1000;
	}
	/* The capture's clock may be anything; no row can come from later than the wall clock's. */
	if (rrd_cli_open(&c.rrd, &c.rrds, c.co.data_dir, c.point, c.cfg.interval_s, 0,
			 (uint64_t)time(NULL))) {
		sw_err("point %s: %s", c.point, c.rrds.errmsg);
		goto out_store;
	}
	c.rrds_open = true;
	/* Failure archives keep a week: reading them once a day of capture time misses nothing. */
	alert_engine_open(&c.alerts, c.co.data_dir, 86400);
	c.ap = alert_engine_point(&c.alerts, c.point, &c.rrds);
	db_sink_alerts(&c.db, &c.alerts);
	if (replay_open(&r, &c.cfg)) {
		sw_err("%s", r.sensor.errmsg);
		goto out_store;
	}
	if (db_sink_start(&c.db)) {
		replay_close(&r);
		goto out_store;
	}
	/* Only once everything is open: a start that fails says so in one line, the error. */
	if (!c.geo.open)
		sw_warn("no country database at %s: every area is unknown, \"?\?\" (see --geoip)",
			SW_GEOIP_DEFAULT);
	r.sink = store_sink;
	r.sink_ctx = &c;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	err = capture_replay(&caps, &r, &pg, errmsg, sizeof(errmsg));
	progress_done(&pg);
	if (err && errmsg[0])
		sw_err("%s", errmsg);
	err = finish_replay(&c, &r, err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	sw_info("replayed %" PRIu64 " packets in %" PRIu64 " intervals in %.2f s", r.packets, r.seq,
		(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	ret = err ? (err == -EINVAL ? SW_EXIT_USAGE : SW_EXIT_FAIL) : 0;
	replay_close(&r);
out_store:
	if (c.rrds_open && rrdstore_close(&c.rrds))
		sw_err("point %s: %s", c.point, c.rrds.errmsg);
	db_sink_close(&c.db);
	store_close(&c.store);
out_geo:
	geoip_close(&c.geo);
out_args:
	capture_set_free(&caps);
	alert_engine_close(&c.alerts);
	prefix_list_free(&c.co.watch);
	prefix_list_free(&c.co.research);
	rrd_cli_free(&c.rrd);
	return err > 0 ? err : ret;
}
