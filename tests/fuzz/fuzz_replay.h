/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The packet and capture targets: the real XDP program as `replay` loads it (BPF_PROG_TEST_RUN,
 * so root), the same drain, and the store writing daily files on tmpfs, as `replay` does. Each
 * stored interval is checked: its census (tests/census.h: every frame in exactly one of a log
 * record, a cache slot, the overflow table or keys lost, every access in one key and one pair),
 * every packet the program ran on in exactly one place of the store (not IP, runt, unwatched,
 * key table full, or a key's accesses), and the day's file reads back as the store's day. The
 * limits are small (1024 pairs, and as many log records, 256 keys, caches of 16 slots) so that
 * evictions and overflow are reached too.
 */
#ifndef SW_FUZZ_REPLAY_H
#define SW_FUZZ_REPLAY_H

#include "census.h"
#include "dayfile.h"
#include "fuzz.h"
#include "replay.h"
#include "store.h"

struct fuzz_replay {
	struct replayer r;
	struct point_store ps;
	struct geoip geo;
	uint64_t packets; /* stats[SW_STAT_PACKETS] of every interval stored */
	bool store_open;
};

static struct fuzz_replay fuzz_rp;

static int fuzz_replay_sink(void *ctx, const struct sw_interval *iv, uint64_t seq)
{
	struct fuzz_replay *f = ctx;
	const struct tally *t = &f->ps.iv;
	char path[4096], errmsg[1024], why[128];
	struct dayfile back;
	uint64_t placed;
	int err;

	FUZZ_CHECK(!sw_census_fault(iv, errmsg, sizeof(errmsg)), "interval %llu: %s",
		   (unsigned long long)seq, errmsg);
	err = store_interval(&f->ps, iv, seq);
	FUZZ_CHECK(!err, "store_interval: %s", f->ps.errmsg);
	placed = t->stats[SW_STAT_NOT_IP] + t->stats[SW_STAT_RUNT] + t->stats[SW_STAT_UNWATCHED] +
		 t->stats[SW_STAT_KEYS_LOST] + t->stats[SW_STAT_SOLICITED_FLOW] +
		 t->stats[SW_STAT_SOLICITED_SOCKET];
	for (size_t i = 0; i < t->nkeys; i++) {
		FUZZ_CHECK(t->keys[i].key.cls && t->keys[i].key.cls < SW_NCLASSES &&
				   t->keys[i].key.kind < SW_NKINDS,
			   "stored key %u/%u/%u is no key", t->keys[i].key.cls, t->keys[i].key.kind,
			   t->keys[i].key.num);
		placed += t->keys[i].accesses;
	}
	FUZZ_CHECK(placed == t->stats[SW_STAT_PACKETS],
		   "interval %llu: %llu packets, %llu of them placed", (unsigned long long)seq,
		   (unsigned long long)t->stats[SW_STAT_PACKETS], (unsigned long long)placed);
	f->packets += t->stats[SW_STAT_PACKETS];
	sw_day_path(path, sizeof(path), f->ps.dir, f->ps.day.date, "daily", "txt");
	err = dayfile_read(path, &back, errmsg, sizeof(errmsg));
	FUZZ_CHECK(!err, "the day's file does not read back: %s", errmsg);
	FUZZ_CHECK(back.seq == seq && back.pairs == f->ps.day.pairs,
		   "the file says seq %llu, %llu pairs; the store %llu, %llu",
		   (unsigned long long)back.seq, (unsigned long long)back.pairs,
		   (unsigned long long)seq, (unsigned long long)f->ps.day.pairs);
	FUZZ_CHECK(fuzz_tally_equal(&f->ps.day.t, &back.t, why, sizeof(why)),
		   "the day's file is not the store's day: %s", why);
	dayfile_free(&back);
	return 0;
}

/* Loads the program once, or says why it cannot (needs root) and exits 77: a skip. */
static void fuzz_replay_init(void)
{
	struct sensor_config cfg = {
		.point = "p",
		.max_pairs = 1024,
		.max_keys = 256,
		.cache_slots = 16,
		.interval_s = 60,
	};

	setenv("TZ", "UTC", 1);
	if (geteuid() != 0) {
		fprintf(stderr, "fuzz: needs root (BPF_PROG_TEST_RUN); skipped\n");
		exit(77);
	}
	if (replay_open(&fuzz_rp.r, &cfg)) {
		fprintf(stderr, "fuzz: cannot load the XDP program: %s\n", fuzz_rp.r.sensor.errmsg);
		exit(77);
	}
	fuzz_rp.r.sink = fuzz_replay_sink;
	fuzz_rp.r.sink_ctx = &fuzz_rp;
}

/* A fresh store and clock for one input; the program's tables are empty after every finish. */
static void fuzz_replay_begin(void)
{
	struct replayer *r = &fuzz_rp.r;
	const char *dir = fuzz_dir();
	int err;

	r->have_interval = false;
	r->cur_start = 0;
	r->packets = r->runts = r->seq = 0;
	r->sink_failed = false;
	fuzz_rp.packets = 0;
	fuzz_clear_dir(dir);
	err = store_open(&fuzz_rp.ps, dir, "p", "UTC", &fuzz_rp.geo);
	FUZZ_CHECK(!err, "store_open: %s", fuzz_rp.ps.errmsg);
}

/* Drains the last interval and checks that every frame handed over was stored. */
static void fuzz_replay_end(void)
{
	int err = replay_finish(&fuzz_rp.r);

	FUZZ_CHECK(!err, "replay_finish: %s", fuzz_rp.r.sensor.errmsg);
	FUZZ_CHECK(fuzz_rp.packets == fuzz_rp.r.packets, "%llu frames replayed, %llu stored",
		   (unsigned long long)fuzz_rp.r.packets, (unsigned long long)fuzz_rp.packets);
	store_close(&fuzz_rp.ps);
}

#endif
