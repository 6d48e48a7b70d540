// SPDX-License-Identifier: GPL-2.0-only
/*
 * The RRD store with fixed epoch timestamps, as rrdtool's own tests do: intervals built by hand
 * go in through rrdstore, and librrd's own reader (rrd_fetch_r) must give back exactly the counts
 * put in, step by step: zeros for idle intervals while a process watched, unknown where nobody
 * did. Also: a file with other data sources is refused at start, keys join through the day's top
 * ten, a partial interval saved at exit is completed by the next process, and rows survive an
 * rrdcached that goes away. No root needed; rrdcached runs as whoever runs the test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "benchutil.h"
#include "keyfmt.h"
#include "rrdstore.h"
#include "tally.h"
#include "tracked.h"

extern char **environ;

#define STEP 60
#define T0 1254355200ULL /* 2009-10-01 00:00:00 UTC, a TALOT2 month */

struct fx {
	char dir[128]; /* the DATA_DIR */
	char path[512];
	pid_t rrdcached;
};

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/sw-rrdtest-XXXXXX");
	if (!mkdtemp(fx->dir)) {
		free(fx);
		return -1;
	}
	setenv("TZ", "UTC", 1);
	tzset();
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	if (fx->rrdcached > 0) {
		kill(fx->rrdcached, SIGTERM);
		waitpid(fx->rrdcached, NULL, 0);
	}
	nftw(fx->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(fx);
	return 0;
}

static const char *path_of(struct fx *fx, const char *point, const char *rel)
{
	snprintf(fx->path, sizeof(fx->path), "%s/%s/%s", fx->dir, point, rel);
	return fx->path;
}

static void kadd(struct tally *t, const char *key, const char *kind, uint64_t acc, uint64_t src)
{
	struct sw_key k;
	struct tally_key *tk;

	assert_int_equal(sw_key_parse(key, kind, &k), 0);
	tk = tally_key(t, &k);
	assert_non_null(tk);
	tk->accesses += acc;
	tk->sources += src;
}

static void open_store(struct rrdstore *rs, struct fx *fx, const char *point, uint64_t since,
		       const struct key_list *keys, const char *daemon)
{
	struct rrdstore_config cfg = { .data_dir = fx->dir,
				       .point = point,
				       .step_s = STEP,
				       .daemon = daemon,
				       .keys = keys,
				       .since_s = since };
	int err = rrdstore_open(rs, &cfg);

	if (err)
		fail_msg("rrdstore_open: %s", rs->errmsg);
}

/* Adds the interval starting at start and writes what ended by upto. */
static void put(struct rrdstore *rs, uint64_t start, const struct tally *iv,
		const struct tally *day, uint64_t upto)
{
	int err = rrdstore_interval(rs, start, iv, day, upto);

	if (err)
		fail_msg("rrdstore_interval at %llu: %s", (unsigned long long)start, rs->errmsg);
}

/* The value librrd reads back for data source ds in the row stamped t (the step ending at t). */
static double val(const char *path, const char *ds, uint64_t t)
{
	time_t start = (time_t)t - STEP, end = (time_t)t;
	unsigned long step = STEP, nds, row;
	char **names;
	rrd_value_t *data;
	double v = -1;
	int col = -1;

	rrd_clear_error();
	if (rrd_fetch_r(path, "AVERAGE", &start, &end, &step, &nds, &names, &data))
		fail_msg("rrd_fetch_r %s: %s", path, rrd_get_error());
	assert_int_equal(step, STEP);
	for (unsigned long i = 0; i < nds; i++) {
		if (!strcmp(names[i], ds))
			col = (int)i;
		rrd_freemem(names[i]);
	}
	rrd_freemem(names);
	if (col < 0)
		fail_msg("%s has no data source %s", path, ds);
	/* Rows are stamped with their end: the first one ends at start + step. */
	row = (t - (uint64_t)start) / STEP - 1;
	v = data[row * nds + col];
	rrd_freemem(data);
	return v;
}

#define assert_val(path, ds, t, want)                                                   \
	do {                                                                            \
		double v_ = val(path, ds, t);                                           \
		if (isnan(v_) || v_ != (double)(want))                                  \
			fail_msg("%s %s at T0%+lld: got %g, want %g", path, ds,         \
				 (long long)((t) - (long long)T0), v_, (double)(want)); \
	} while (0)

#define assert_unknown(path, ds, t)                                                  \
	do {                                                                         \
		double v_ = val(path, ds, t);                                        \
		if (!isnan(v_))                                                      \
			fail_msg("%s %s at T0%+lld: got %g, want unknown", path, ds, \
				 (long long)((t) - (long long)T0), v_);              \
	} while (0)

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/*
 * One interval with every kind of figure, an idle interval handed over, one not handed over
 * (replay skips intervals without packets), and a last one: each row must hold what was put in.
 */
static void test_exact_counts(void **state)
{
	struct fx *fx = *state;
	struct key_list keys = { 0 };
	struct rrdstore rs;
	struct tally iv, empty;
	struct sw_key k445;
	uint32_t fk;
	const char *p;

	assert_int_equal(sw_fkey_parse("tcp/445", &fk), 0);
	assert_int_equal(key_list_add(&keys, fk), 0);
	assert_int_equal(sw_fkey_parse("icmp/echo", &fk), 0);
	assert_int_equal(key_list_add(&keys, fk), 0);
	tally_init(&iv);
	tally_init(&empty);
	kadd(&iv, "tcp/445", "scan", 5, 2);
	kadd(&iv, "tcp/445", "backscatter", 3, 1);
	kadd(&iv, "icmp/echo", "scan", 4, 4);
	kadd(&iv, "tcp/9999", "other", 7, 1); /* not tracked: only in the totals */
	assert_int_equal(sw_key_parse("tcp/445", "scan", &k445), 0);
	tally_key(&iv, &k445)->fp[SW_FP_MIRAI] = 2;
	tally_key(&iv, &k445)->lost = 2;
	iv.stats[SW_STAT_KEYS_LOST] = 1;
	iv.lost_sources = 6; /* new pairs the day's set had no room for */
	iv.peak = 11; /* the interval's busiest second */
	iv.peak_s = T0 + 7;
	iv.area_accesses[sw_area_index("JP")] = 9;
	iv.area_sources[sw_area_index("JP")] = 3;
	iv.area_accesses[SW_AREA_UNKNOWN] = 10;
	iv.area_sources[SW_AREA_UNKNOWN] = 5;

	/* since 0: from the first interval on, as replay does. */
	open_store(&rs, fx, "p1", 0, &keys, NULL);
	put(&rs, T0, &iv, &iv, UINT64_MAX);
	put(&rs, T0 + 60, &empty, &iv, UINT64_MAX);
	/* T0 + 120 is never handed over. */
	tally_reset(&iv);
	kadd(&iv, "tcp/445", "scan", 1, 0);
	iv.peak = 1;
	iv.peak_s = T0 + 200;
	put(&rs, T0 + 180, &iv, &iv, UINT64_MAX);
	assert_int_equal(rrdstore_queued(&rs), 0);
	assert_int_equal(rrdstore_close(&rs), 0);

	p = path_of(fx, "p1", "totals.rrd");
	assert_unknown(p, "acc_scan", T0); /* before the first interval */
	assert_val(p, "acc_scan", T0 + 60, 5 + 4);
	assert_val(p, "acc_backscatter", T0 + 60, 3);
	assert_val(p, "acc_other", T0 + 60, 7);
	assert_val(p, "src_scan", T0 + 60, 2 + 4);
	assert_val(p, "src_backscatter", T0 + 60, 1);
	assert_val(p, "src_other", T0 + 60, 1);
	for (int i = 0; i < 6; i++) {
		assert_val(p, rrd_schema_ds(RRD_SCH_KINDS, i), T0 + 120, 0); /* handed over idle */
		assert_val(p, rrd_schema_ds(RRD_SCH_KINDS, i), T0 + 180, 0); /* never handed over */
	}
	assert_val(p, "acc_scan", T0 + 240, 1);
	assert_val(p, "acc_other", T0 + 240, 0);
	assert_unknown(p, "acc_scan", T0 + 300); /* after the last */

	p = path_of(fx, "p1", "keys/tcp_445.rrd");
	assert_val(p, "acc_scan", T0 + 60, 5);
	assert_val(p, "acc_backscatter", T0 + 60, 3);
	assert_val(p, "acc_other", T0 + 60, 0);
	assert_val(p, "src_scan", T0 + 60, 2);
	assert_val(p, "src_backscatter", T0 + 60, 1);
	assert_val(p, "acc_scan", T0 + 180, 0);
	assert_val(p, "acc_scan", T0 + 240, 1);
	p = path_of(fx, "p1", "keys/icmp_echo.rrd");
	assert_val(p, "acc_scan", T0 + 60, 4);
	assert_val(p, "src_scan", T0 + 60, 4);
	assert_val(p, "acc_scan", T0 + 240, 0);
	assert_false(exists(path_of(fx, "p1", "keys/tcp_9999.rrd")));
	/* Only the configured keys: no built-in ones. */
	assert_false(exists(path_of(fx, "p1", "keys/tcp_22.rrd")));

	p = path_of(fx, "p1", "areas/JP.rrd");
	assert_val(p, "acc", T0 + 60, 9);
	assert_val(p, "src", T0 + 60, 3);
	assert_val(p, "acc", T0 + 180, 0);
	p = path_of(fx, "p1", "areas/unknown.rrd");
	assert_val(p, "acc", T0 + 60, 10);
	assert_val(p, "src", T0 + 60, 5);
	p = path_of(fx, "p1", "fingerprints/mirai.rrd");
	assert_val(p, "acc", T0 + 60, 2);
	assert_val(p, "acc", T0 + 120, 0);
	assert_val(path_of(fx, "p1", "fingerprints/zmap.rrd"), "acc", T0 + 60, 0);
	/* Overflow: the key table's lost packets plus the pair table's (tally_dropped). */
	p = path_of(fx, "p1", "overflow.rrd");
	assert_val(p, "dropped", T0 + 60, 1 + 2);
	assert_val(p, "dropped", T0 + 240, 0);
	assert_val(p, "lost_sources", T0 + 60, 6);
	assert_val(p, "lost_sources", T0 + 120, 0);
	assert_val(p, "lost_sources", T0 + 240, 0);
	p = path_of(fx, "p1", "peak.rrd");
	assert_unknown(p, "peak", T0);
	assert_val(p, "peak", T0 + 60, 11);
	assert_val(p, "peak", T0 + 120, 0); /* handed over idle */
	assert_val(p, "peak", T0 + 180, 0); /* never handed over */
	assert_val(p, "peak", T0 + 240, 1);

	tally_free(&iv);
	tally_free(&empty);
	key_list_free(&keys);
}

/*
 * Gaps: a daemon that missed ticks was watching (zeros); minutes between two processes were
 * watched by nobody and stay unknown, even one minute, which the heartbeat (2 steps) would have
 * filled with the next value.
 */
static void test_gaps(void **state)
{
	struct fx *fx = *state;
	struct key_list none = { 0 };
	struct rrdstore rs;
	struct tally iv;
	const char *p;

	tally_init(&iv);
	kadd(&iv, "udp/53", "scan", 2, 1);
	/* A daemon started at T0 + 30: its first interval is T0, then it misses two ticks. */
	open_store(&rs, fx, "p2", T0 + 30, &none, NULL);
	put(&rs, T0, &iv, &iv, T0 + 60);
	put(&rs, T0 + 180, &iv, &iv, T0 + 240);
	assert_int_equal(rrdstore_close(&rs), 0);
	/* Restarted at T0 + 290, first drain of interval T0 + 300 (nothing stored for T0 + 240). */
	open_store(&rs, fx, "p2", T0 + 290, &none, NULL);
	put(&rs, T0 + 300, &iv, &iv, T0 + 360);
	assert_int_equal(rrdstore_close(&rs), 0);
	/* Restarted much later: an hour nobody watched. */
	open_store(&rs, fx, "p2", T0 + 4000, &none, NULL);
	put(&rs, T0 + 3960, &iv, &iv, T0 + 4020);
	assert_int_equal(rrdstore_close(&rs), 0);

	p = path_of(fx, "p2", "totals.rrd");
	assert_val(p, "acc_scan", T0 + 60, 2);
	assert_val(p, "acc_scan", T0 + 120, 0);
	assert_val(p, "src_scan", T0 + 180, 0);
	assert_val(p, "acc_scan", T0 + 240, 2);
	assert_unknown(p, "acc_scan", T0 + 300);
	assert_unknown(p, "src_scan", T0 + 300);
	assert_val(p, "acc_scan", T0 + 360, 2);
	for (uint64_t t = T0 + 420; t <= T0 + 3960; t += STEP)
		assert_unknown(p, "acc_scan", t);
	assert_val(p, "acc_scan", T0 + 4020, 2);
	assert_val(p, "src_scan", T0 + 4020, 1);
	tally_free(&iv);
}

/* Somebody else's file where ours belongs: one clear error at start, naming it. */
static void test_foreign_file(void **state)
{
	struct fx *fx = *state;
	const char *ds[] = { "DS:bytes:COUNTER:600:0:U", "RRA:AVERAGE:0.5:1:100" };
	struct rrdstore_config cfg = { .data_dir = fx->dir, .point = "p3", .step_s = STEP };
	struct rrdstore rs;
	char dir[256];
	int err;

	snprintf(dir, sizeof(dir), "%s/p3", fx->dir);
	assert_int_equal(mkdir(dir, 0755), 0);
	rrd_clear_error();
	assert_int_equal(
		rrd_create_r2(path_of(fx, "p3", "totals.rrd"), 300, T0, 0, NULL, NULL, 2, ds), 0);
	err = rrdstore_open(&rs, &cfg);
	assert_int_equal(err, -EINVAL);
	assert_non_null(strstr(rs.errmsg, "totals.rrd"));
	assert_non_null(strstr(rs.errmsg, "bytes COUNTER"));
	assert_non_null(strstr(rs.errmsg, "acc_scan GAUGE"));

	/* The right data sources with another step are as foreign. */
	unlink(path_of(fx, "p3", "totals.rrd"));
	{
		char bufs[RRD_MAX_ARGS][64];
		const char *argv[RRD_MAX_ARGS];
		int argc = rrd_schema_args(RRD_SCH_FP, 300, bufs, argv);

		rrd_clear_error();
		assert_int_equal(rrd_create_r2(path_of(fx, "p3", "fingerprints/zmap.rrd"), 300, T0,
					       0, NULL, NULL, argc, argv),
				 0);
	}
	err = rrdstore_open(&rs, &cfg);
	assert_int_equal(err, -EINVAL);
	assert_non_null(strstr(rs.errmsg, "zmap.rrd"));
	assert_non_null(strstr(rs.errmsg, "step of 300 s"));
}

/*
 * Top ten of the day so far, at least SW_PROMOTE_MIN accesses: twelve candidates, ten join (the
 * two smallest do not), a 99-access key does not; a joined key's file starts with the interval
 * it joined in, holds that interval's counts (not the day's), and stays after a restart.
 */
static void test_promotion(void **state)
{
	struct fx *fx = *state;
	struct key_list none = { 0 };
	struct rrdstore rs;
	struct tally iv, day;
	char key[32], line[128], want[64];
	FILE *f;
	int nkeys = 0;

	tally_init(&iv);
	tally_init(&day);
	for (int i = 1; i <= 12; i++) {
		snprintf(key, sizeof(key), "tcp/%d", 10000 + i);
		kadd(&day, key, "scan", 1000 + i, 1);
		kadd(&iv, key, "scan", i, 1);
	}
	kadd(&day, "udp/7", "scan", 99, 1);
	open_store(&rs, fx, "p4", 0, &none, NULL);
	put(&rs, T0 + 600, &iv, &iv, UINT64_MAX); /* the day had no leaders yet */
	put(&rs, T0 + 660, &iv, &day, UINT64_MAX);
	put(&rs, T0 + 720, &iv, &day, UINT64_MAX);
	assert_int_equal(rrdstore_close(&rs), 0);

	for (int i = 1; i <= 12; i++) {
		snprintf(key, sizeof(key), "keys/tcp_%d.rrd", 10000 + i);
		if (i <= 2) {
			assert_false(exists(path_of(fx, "p4", key)));
			continue;
		}
		assert_true(exists(path_of(fx, "p4", key)));
		assert_unknown(fx->path, "acc_scan", T0 + 660);
		assert_val(fx->path, "acc_scan", T0 + 720, i);
		assert_val(fx->path, "src_scan", T0 + 720, 1);
		assert_val(fx->path, "acc_scan", T0 + 780, i);
	}
	assert_false(exists(path_of(fx, "p4", "keys/udp_7.rrd")));

	f = fopen(path_of(fx, "p4", "tracked"), "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "key ", 4)) {
			nkeys++;
			assert_non_null(strstr(line, " 2009-10-01"));
		}
	}
	fclose(f);
	assert_int_equal(nkeys, 10);

	/* Restarted: still tracked, zeros while idle. */
	tally_reset(&iv);
	open_store(&rs, fx, "p4", 0, &none, NULL);
	put(&rs, T0 + 780, &iv, &iv, UINT64_MAX);
	assert_int_equal(rrdstore_close(&rs), 0);
	snprintf(want, sizeof(want), "keys/tcp_%d.rrd", 10012);
	assert_val(path_of(fx, "p4", want), "acc_scan", T0 + 840, 0);
	tally_free(&iv);
	tally_free(&day);
}

/*
 * SIGTERM's last drain stores the interval in progress; the restarted daemon's first drain stores
 * the same interval again. The row is written once, with both parts added up, after the interval
 * ended; a row already written is left alone (RRD cannot take it twice) and says so.
 */
static void test_restart_same_interval(void **state)
{
	struct fx *fx = *state;
	struct key_list none = { 0 };
	struct rrdstore rs;
	struct tally iv;
	const char *p;

	tally_init(&iv);
	kadd(&iv, "tcp/23", "scan", 7, 3);
	iv.peak = 5;
	/* Daemon A: a full interval T0, then stopped at T0 + 70 with a partial T0 + 60. */
	open_store(&rs, fx, "p5", T0 + 10, &none, NULL);
	put(&rs, T0, &iv, &iv, T0 + 60);
	tally_reset(&iv);
	kadd(&iv, "tcp/23", "scan", 4, 2);
	iv.peak = 4;
	put(&rs, T0 + 60, &iv, &iv, T0 + 70);
	/* totals, overflow, peak, three fingerprints */
	assert_int_equal(rrdstore_queued(&rs), 6);
	assert_int_equal(rrdstore_close(&rs), 0);
	assert_true(exists(path_of(fx, "p5", "rrd-queue")));
	p = path_of(fx, "p5", "totals.rrd");
	assert_unknown(p, "acc_scan", T0 + 120);

	/* Daemon B, started at T0 + 80: the rest of interval T0 + 60, drained at T0 + 120. */
	tally_reset(&iv);
	kadd(&iv, "tcp/23", "scan", 6, 1);
	iv.peak = 3;
	open_store(&rs, fx, "p5", T0 + 80, &none, NULL);
	put(&rs, T0 + 60, &iv, &iv, T0 + 120);
	assert_int_equal(rrdstore_queued(&rs), 0);
	/* And the same once more, late: the row is written, this cannot be. */
	put(&rs, T0 + 60, &iv, &iv, T0 + 125);
	assert_int_equal(rrdstore_queued(&rs), 0);
	put(&rs, T0 + 120, &iv, &iv, T0 + 180);
	assert_int_equal(rrdstore_close(&rs), 0);
	assert_false(exists(path_of(fx, "p5", "rrd-queue")));

	p = path_of(fx, "p5", "totals.rrd");
	assert_val(p, "acc_scan", T0 + 60, 7);
	assert_val(p, "src_scan", T0 + 60, 3);
	assert_val(p, "acc_scan", T0 + 120, 4 + 6);
	assert_val(p, "src_scan", T0 + 120, 2 + 1);
	assert_val(p, "acc_scan", T0 + 180, 6);
	/* A peak is a maximum: the two parts' larger, not their sum. */
	p = path_of(fx, "p5", "peak.rrd");
	assert_val(p, "peak", T0 + 60, 5);
	assert_val(p, "peak", T0 + 120, 4);
	assert_val(p, "peak", T0 + 180, 3);
	tally_free(&iv);
}

static void test_key_file(void **state)
{
	struct fx *fx = *state;
	struct key_list l = { 0 };
	char path[256], err[512], name[16];
	FILE *f;

	snprintf(path, sizeof(path), "%s/keys.txt", fx->dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("# ports we watch\ntcp/445   # SMB\n\n  icmp/echo\nfrag\ntcp/99999\n", f);
	fclose(f);
	assert_int_equal(key_list_load(&l, path, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "keys.txt:6: 'tcp/99999' is not a key"));
	key_list_free(&l);

	f = fopen(path, "w");
	assert_non_null(f);
	fputs("tcp/445 udp/53\n", f);
	fclose(f);
	assert_int_equal(key_list_load(&l, path, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "keys.txt:1: one key per line"));
	key_list_free(&l);

	f = fopen(path, "w");
	assert_non_null(f);
	fputs("# ports we watch\ntcp/445   # SMB\n\n  icmp/echo\nfrag\ntcp/445\n", f);
	fclose(f);
	assert_int_equal(key_list_load(&l, path, err, sizeof(err)), 0);
	assert_int_equal(l.n, 3);
	sw_fkey_file(l.v[0], name);
	assert_string_equal(name, "tcp_445");
	sw_fkey_file(l.v[1], name);
	assert_string_equal(name, "icmp_echo");
	sw_fkey_file(l.v[2], name);
	assert_string_equal(name, "frag");
	key_list_free(&l);

	/* The built-in list: TALOT2's ten are in it. */
	assert_int_equal(key_list_defaults(&l), 0);
	for (const char *const *k =
		     (const char *const[]){ "tcp/445", "tcp/135", "icmp/echo", "tcp/1433", "tcp/22",
					    "tcp/2967", "tcp/1434", "tcp/139", "tcp/5900",
					    "tcp/4899", NULL };
	     *k; k++) {
		uint32_t fk;

		assert_int_equal(sw_fkey_parse(*k, &fk), 0);
		assert_true(key_list_has(&l, fk));
	}
	key_list_free(&l);
}

/* Steps from 1 s to an hour give the archives README.md lists, in whole steps. */
static void test_archives(void **state)
{
	char bufs[RRD_MAX_ARGS][64];
	const char *argv[RRD_MAX_ARGS];
	int argc;

	(void)state;
	argc = rrd_schema_args(RRD_SCH_KINDS, 60, bufs, argv);
	assert_int_equal(argc, 6 + 8 + 5);
	assert_string_equal(argv[0], "DS:acc_scan:GAUGE:120:0:U");
	assert_string_equal(argv[6], "RRA:AVERAGE:0.5:1:2880"); /* 2 days */
	assert_string_equal(argv[7], "RRA:MAX:0.5:1:2880");
	assert_string_equal(argv[8], "RRA:AVERAGE:0.5:5:4032"); /* 2 weeks of 5 minutes */
	assert_string_equal(argv[10], "RRA:AVERAGE:0.5:60:2160"); /* 90 days of hours */
	assert_string_equal(argv[12], "RRA:AVERAGE:0.5:1440:1827"); /* 5 years of days */
	assert_string_equal(argv[14], "RRA:HWPREDICT:2880:0.0208516:0.000700982:1440:10");
	assert_string_equal(argv[15], "RRA:SEASONAL:1440:0.1:9");
	assert_string_equal(argv[16], "RRA:DEVSEASONAL:1440:0.1:9");
	assert_string_equal(argv[17], "RRA:DEVPREDICT:2880:11");
	assert_string_equal(argv[18], "RRA:FAILURES:10080:7:9:11");
	/* An hour's step: the step, 5-minute and hourly archives are one. */
	argc = rrd_schema_args(RRD_SCH_AREA, 3600, bufs, argv);
	assert_int_equal(argc, 2 + 4);
	assert_string_equal(argv[2], "RRA:AVERAGE:0.5:1:2160");
	assert_string_equal(argv[4], "RRA:AVERAGE:0.5:24:1827");
	/* Test intervals: a 60-s file's rows at the step, no Holt-Winters. */
	argc = rrd_schema_args(RRD_SCH_KINDS, 1, bufs, argv);
	assert_int_equal(argc, 6 + 8);
	assert_string_equal(argv[6], "RRA:AVERAGE:0.5:1:2880");
	assert_string_equal(argv[8], "RRA:AVERAGE:0.5:300:4032");
	assert_string_equal(argv[12], "RRA:AVERAGE:0.5:86400:1827");
}

static pid_t start_rrdcached(struct fx *fx, const char *sock)
{
	char listen[300], pidfile[300];
	char *argv[] = { "rrdcached", "-g",   "-B", "-F",    "-b", fx->dir,
			 "-l",	      listen, "-p", pidfile, NULL };
	pid_t pid;

	snprintf(listen, sizeof(listen), "unix:%s", sock);
	snprintf(pidfile, sizeof(pidfile), "%s/rrdcached.pid", fx->dir);
	unlink(sock);
	if (posix_spawnp(&pid, "rrdcached", NULL, NULL, argv, environ))
		return -1;
	if (!bench_wait_socket(sock, 5000)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	return pid;
}

static void stop_rrdcached(struct fx *fx)
{
	kill(fx->rrdcached, SIGTERM);
	waitpid(fx->rrdcached, NULL, 0);
	fx->rrdcached = 0;
}

/*
 * Through a real rrdcached on a unix socket: rows go through it; it goes away, the next interval
 * is kept (the error says so) and written when it is back; it is unreachable at start: one error.
 */
static void test_rrdcached(void **state)
{
	struct fx *fx = *state;
	struct key_list none = { 0 };
	struct rrdstore rs;
	struct rrdstore_config cfg = {
		.data_dir = fx->dir, .point = "p6", .step_s = STEP, .keys = &none
	};
	struct tally iv;
	char sock[256], addr[300], name[512];
	time_t start = T0, end = T0 + 180;
	unsigned long step = STEP, nds;
	char **names;
	rrd_value_t *data;
	int err;

	if (access("/usr/bin/rrdcached", X_OK) && access("/usr/sbin/rrdcached", X_OK))
		skip(); /* make deps installs it */
	snprintf(sock, sizeof(sock), "%s/rrdcached.sock", fx->dir);
	snprintf(addr, sizeof(addr), "unix:%s", sock);
	cfg.daemon = addr;

	err = rrdstore_open(&rs, &cfg);
	assert_int_equal(err, -EHOSTUNREACH);
	assert_non_null(strstr(rs.errmsg, "cannot reach rrdcached at unix:"));

	fx->rrdcached = start_rrdcached(fx, sock);
	assert_true(fx->rrdcached > 0);
	tally_init(&iv);
	kadd(&iv, "tcp/22", "scan", 3, 1);
	open_store(&rs, fx, "p6", 0, &none, addr);
	put(&rs, T0, &iv, &iv, UINT64_MAX);

	stop_rrdcached(fx); /* -F: it writes what it holds before it goes */
	tally_reset(&iv);
	kadd(&iv, "tcp/22", "scan", 5, 2);
	err = rrdstore_interval(&rs, T0 + 60, &iv, &iv, UINT64_MAX);
	assert_int_not_equal(err, 0);
	assert_non_null(strstr(rs.errmsg, "kept for the next try"));
	assert_int_equal(rrdstore_queued(&rs), 6);

	fx->rrdcached = start_rrdcached(fx, sock);
	assert_true(fx->rrdcached > 0);
	tally_reset(&iv);
	put(&rs, T0 + 120, &iv, &iv, UINT64_MAX);
	assert_int_equal(rrdstore_queued(&rs), 0);

	/* Read back through rrdcached itself (it flushes the file first). */
	assert_int_equal(rrdio_name(&rs.io, fx->dir, "p6", "totals.rrd", name, sizeof(name)), 0);
	err = rrdio_fetch(&rs.io, name, "AVERAGE", &start, &end, &step, &nds, &names, &data);
	if (err)
		fail_msg("%s", rs.io.errmsg);
	assert_int_equal(nds, 6);
	assert_int_equal(start, T0);
	assert_true(data[0 * nds + 0] == 3); /* T0 + 60 */
	assert_true(data[1 * nds + 0] == 5); /* T0 + 120 */
	assert_true(data[1 * nds + 3] == 2);
	assert_true(data[2 * nds + 0] == 0); /* T0 + 180 */
	for (unsigned long i = 0; i < nds; i++)
		rrd_freemem(names[i]);
	rrd_freemem(names);
	rrd_freemem(data);
	assert_int_equal(rrdstore_close(&rs), 0);
	stop_rrdcached(fx);
	/* And in the file, once rrdcached wrote it out. */
	assert_val(path_of(fx, "p6", "totals.rrd"), "acc_scan", T0 + 120, 5);
	tally_free(&iv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_exact_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gaps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_promotion, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_same_interval, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_file, setup, teardown),
		cmocka_unit_test(test_archives),
		cmocka_unit_test_setup_teardown(test_rrdcached, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
