// SPDX-License-Identifier: GPL-2.0-only
/*
 * `make bench` (first row): nanoseconds per packet of scanwatch's XDP program against
 * an empty XDP program, both through BPF_PROG_TEST_RUN in the same run, on a synthetic mix shaped
 * like a sensor's traffic, with the ablation ladder in between (the same source built to parse
 * only, and to parse and count in the cache without logging what it evicts), plus the drain of
 * the interval that mix fills. Ratios are information, never a verdict: the exit status says
 * only whether the bench could run and count correctly.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/utsname.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench_batch.h"
#include "benchbatch.h"
#include "json.h"
#include "benchmix.h"
#include "benchutil.h"
#include "drain.h"
#include "empty.skel.h"
#include "log.h"
#include "parse_num.h"
#include "pktcraft.h"
#include "scanwatch.skel.h"
#include "scanwatch_cache.skel.h"
#include "scanwatch_parse.skel.h"
#include "scanwatch_touch.skel.h"
#include "sensor.h"

#define STR_(x) #x
#define STR(x) STR_(x)
#define PAIRS_DEFAULT STR(SW_DEFAULT_MAX_PAIRS)
#define SLOTS_DEFAULT STR(SW_CACHE_SLOTS_DEFAULT)
#define TARGET_RATIO 1.5
#define AIM_RATIO 1.3
#define MIN_SOURCES 100000
/* Method (d): runs per BPF_PROG_TEST_RUN call, as many as a NAPI poll takes by default. */
#define BATCH 64
/* One mix is one interval of the daemon's default length. */
#define INTERVAL_NS (60ull * 1000000000ull)
#define BASE_TS_NS 1700000000000000000ull

static const char bench_help[] =
	"Usage: bench [options]\n"
	"\n"
	"Nanoseconds per packet of scanwatch's XDP program and of an empty XDP program, both\n"
	"through BPF_PROG_TEST_RUN in one run, on a mix of at least 100000 distinct sources,\n"
	"with the ablation ladder between them (the program built to parse only, and to parse\n"
	"and count in its cache without a log), and the drain of the state each pass fills.\n"
	"Every program is attached, for the run only, to the loopback device of a private\n"
	"network namespace. Needs root.\n"
	"\n"
	"  -s, --sources N        distinct sources in the mix (default 100000, at least 100000)\n"
	"  -r, --rounds N         measured rounds; medians are reported (default 5)\n"
	"  -R, --repeat R         repeat of each frame in method (b) (default 16)\n"
	"  -F, --floor-repeat M   repeat of the single frame in method (c) (default 2000000)\n"
	"  -P, --max-pairs N      pairs per interval, and records of the log (default " PAIRS_DEFAULT
	",\n"
	"                         as 'run')\n"
	"  -C, --cache-slots N    slots of each CPU's cache (default " SLOTS_DEFAULT ", as 'run')\n"
	"  -c, --cpu N            CPU to run on (default: the one we start on)\n"
	"  -j, --json FILE        also write the figures as JSON to FILE\n"
	"      --pass PROG        only run the mix once through PROG (scanwatch, cache, parse or\n"
	"                         empty) and print the frame count: for counters such as\n"
	"                         perf stat's\n"
	"  -v, --verbose          libbpf's debug output\n"
	"\n"
	"Example:\n"
	"  sudo .output/tools/bench --json bench.json\n";

static const char method_a[] =
	"(a) mix, each frame once: one BPF_PROG_TEST_RUN per frame with repeat=1, sum of the "
	"kernel's durations / frames. Every call includes the kernel's own timing (two clock reads "
	"and the loop around the program), which every program pays. Nearly every packet misses "
	"the cache: its slot holds another pair, which goes to the log.";
static const char method_b[] =
	"(b) mix, each frame repeat=R: the kernel's per-repeat average, averaged over frames. The "
	"timing overhead is spread over R runs, and R-1 of them find their (source,key) pair hot "
	"in the cache: like a scanner sweeping R addresses of the sensor back to back.";
static const char method_c[] =
	"(c) one TCP SYN frame, huge repeat: the empty program's floor (the loop of the test run "
	"alone), and each program with its one pair hot all the time (its best case).";
static const char method_batch[] =
	"(d) mix, each frame once, in batches: bpf/bench_batch.bpf.c run with repeat=64 (a NAPI "
	"poll's budget) copies the next frame of the mix into the packet and tail-calls the "
	"program, so each run sees a distinct frame as in (a) but without a system call between "
	"frames; the driver alone (copy, no tail call) is subtracted, so the figure is the "
	"program's own cost plus a tail call. On a machine whose system calls empty the TLB "
	"(page-table isolation without PCID), (a) pays a page walk for every page a program "
	"touches, on every frame; (d) pays it once a batch, as live traffic does.";
static const char method_d[] =
	"derived: timing overhead per call = empty(a) - empty(c); scanwatch's own cost in the mix "
	"= scanwatch(a) - timing overhead; cost of a hit on an existing pair = "
	"(R*scanwatch(b) - scanwatch(a)) / (R-1).";
static const char method_ladder[] =
	"ladder: the same source built three more ways (bpf/scanwatch.bpf.c, SW_LADDER): empty "
	"(bpf/empty.bpf.c), touch (read the frame's Ethernet type: the first load of a frame just "
	"copied in), parse (read the generation, count the frame in its CPU's state, parse it, "
	"keep its key), +cache (and count it in its CPU's cache slot; a miss overwrites the slot, "
	"forgetting what it held), full (a miss logs the slot first; a full log counts in the "
	"overflow table). Each step's cost is the difference with the one before.";
static const char method_min[] =
	"(a) and (d) run the programs frame by frame (batch by batch) in turn, the order rotating; "
	"each frame's (batch's) figure is its minimum over the rounds, so that interrupts, other "
	"tasks and the hypervisor, which only ever add time, fall out; (b) and (c) are medians of "
	"the rounds.";
static const char method_drain[] =
	"drain: after each pass over the mix (one interval), drain_flip (waiting for an RCU grace "
	"period, as the live daemon's flip does), drain_read and drain_clear, timed with "
	"CLOCK_MONOTONIC; the state starts empty each pass, as in a real interval.";
static const char method_clock[] =
	"the programs are loaded for replay, so they read the time from replay_now_ns; the live "
	"program calls bpf_ktime_get_coarse_ns() once per access instead, which these figures do "
	"not include.";

struct options {
	unsigned int sources;
	unsigned int rounds;
	unsigned int repeat;
	unsigned int floor_repeat;
	unsigned int max_pairs;
	unsigned int cache_slots;
	int cpu;
	const char *json;
	const char *pass; /* one program's pass over the mix only, for perf stat */
	bool verbose;
};

/* The programs of the ladder, cheapest first; FULL is scanwatch as the daemon loads it. */
enum prog { P_EMPTY, P_TOUCH, P_PARSE, P_CACHE, P_FULL, NPROGS };
static const char *const prog_names[NPROGS] = { "empty", "touch", "parse", "cache", "scanwatch" };
static const char *const prog_labels[NPROGS] = { "empty", "touch", "parse", "+cache", "full" };

/* What one program needs to run the mix: its fd and its state, for the replay clock. */
struct target {
	const char *name;
	int prog_fd;
	const struct cstate *cs; /* NULL for the empty program */
};

static int test_run(const struct target *t, const struct mix *m, size_t i, uint32_t repeat,
		    uint32_t *duration_ns)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = m->buf + m->frames[i].off,
		    .data_size_in = m->frames[i].len, .repeat = repeat);

	if (t->cs)
		cstate_set_clock(t->cs, BASE_TS_NS + i * (INTERVAL_NS / m->n));
	if (bpf_prog_test_run_opts(t->prog_fd, &opts))
		return -errno;
	if (opts.retval != XDP_PASS)
		return -EPROTO;
	*duration_ns = opts.duration;
	return 0;
}

/* Mean of the kernel's per-repeat durations over the whole mix, in ns per packet. */
static int run_mix(const struct target *t, const struct mix *m, uint32_t repeat, double *ns)
{
	uint64_t sum = 0;
	uint32_t d = 0;
	int err;

	for (size_t i = 0; i < m->n; i++) {
		err = test_run(t, m, i, repeat, &d);
		if (err)
			return err;
		sum += d;
	}
	*ns = (double)sum / (double)m->n;
	return 0;
}

struct drain_time {
	double flip_ms, read_ms, clear_ms;
	size_t pairs, keys;
	uint64_t records;
};

/*
 * One interval's drain, as the daemon does it, and a check that the pass counted what was sent:
 * a bench that measures a program that lost packets would measure the wrong thing.
 */
static int drain_check(struct drainer *d, struct sensor *s, struct sw_interval *iv,
		       uint64_t want_packets, size_t want_pairs, struct drain_time *dt)
{
	uint64_t keyed = 0;
	double ms[3];
	int err;

	err = bench_drain_timed(d, s, iv, ms);
	if (err) {
		fprintf(stderr, "bench: %s\n", s->errmsg);
		return err;
	}
	for (size_t i = 0; i < iv->nkeys; i++)
		keyed += iv->keys[i].val.packets;
	if (iv->stats[SW_STAT_PACKETS] != want_packets || keyed != want_packets ||
	    iv->npairs != want_pairs || interval_dropped(iv)) {
		fprintf(stderr,
			"bench: the program counted %" PRIu64 " packets (%" PRIu64
			" in keys), %zu pairs, %" PRIu64 " dropped; expected %" PRIu64
			" packets, %zu pairs, 0 dropped\n",
			iv->stats[SW_STAT_PACKETS], keyed, iv->npairs, interval_dropped(iv),
			want_packets, want_pairs);
		return -EPROTO;
	}
	if (dt) {
		dt->flip_ms = ms[0];
		dt->read_ms = ms[1];
		dt->clear_ms = ms[2];
		dt->pairs = iv->npairs;
		dt->keys = iv->nkeys;
		dt->records = iv->census.log_records;
	}
	return 0;
}

enum row { ROW_A, ROW_B, ROW_C, ROW_D, NROWS };

struct results {
	/* (a) and (d): each frame's (batch's) least duration so far, per program. */
	uint32_t *min_a[NPROGS], *min_d[NPROGS], *min_d_alone;
	double min_ns[NROWS][NPROGS]; /* their sums per packet, once the rounds are done */
	struct series ns[NROWS][NPROGS];
	struct series ratio[NROWS][NPROGS]; /* per round, against empty in the same round */
	struct series drain_flip_ms, drain_read_ms, drain_clear_ms, drain_total_ms;
	size_t drain_pairs, drain_keys;
	uint64_t drain_records;
};

/* The programs' places in the kernel's XDP dispatcher: see hold_in_dispatcher(). */
struct hold {
	int ns_fd[2 * NPROGS]; /* the programs, then their batch drivers */
	int link_fd[2 * NPROGS];
};

static void add_drain(struct results *res, const struct drain_time *dt)
{
	series_add(&res->drain_flip_ms, dt->flip_ms);
	series_add(&res->drain_read_ms, dt->read_ms);
	series_add(&res->drain_clear_ms, dt->clear_ms);
	series_add(&res->drain_total_ms, dt->flip_ms + dt->read_ms + dt->clear_ms);
	res->drain_pairs = dt->pairs;
	res->drain_keys = dt->keys;
	res->drain_records = dt->records;
}

struct bench {
	struct options opt;
	struct hold hold;
	struct mix mix;
	struct sensor sensor;
	struct empty_bpf *empty;
	struct scanwatch_touch_bpf *touch;
	struct scanwatch_parse_bpf *parse;
	struct scanwatch_cache_bpf *cache;
	struct cstate touch_cs, parse_cs, cache_cs; /* their layouts; they are never drained */
	struct drainer drainer;
	struct sw_interval iv;
	struct target t[NPROGS];
	/* Method (d): a driver per program, each with its own tail-call target. */
	struct bench_batch_bpf *batch[NPROGS];
	uint8_t batch_in[BATCH_FRAME_MAX];
	struct results res;
	int cpu;
};

/* Method (a): frame by frame, each through every program in turn. */
static int measure_frames(struct bench *b, unsigned int round, double ns[NPROGS])
{
	double sum[NPROGS] = { 0 };
	int err = 0;

	for (size_t i = 0; i < b->mix.n && !err; i++) {
		for (int j = 0; j < NPROGS && !err; j++) {
			int p = (int)((j + round + i) % NPROGS);
			uint32_t d = 0;

			err = test_run(&b->t[p], &b->mix, i, 1, &d);
			sum[p] += d;
			if (d < b->res.min_a[p][i])
				b->res.min_a[p][i] = d;
		}
	}
	for (int p = 0; p < NPROGS; p++)
		ns[p] = sum[p] / (double)b->mix.n;
	return err;
}

/* One batch of method (d) through driver p: mean ns per run. */
static int run_batch(struct bench *b, int p, size_t first, uint32_t n, uint32_t *ns)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = b->batch_in,
		    .data_size_in = sizeof(b->batch_in), .repeat = n);
	struct bench_batch_bpf *d = b->batch[p];

	d->bss->next_frame = (__u32)first;
	if (b->t[p].cs)
		cstate_set_clock(b->t[p].cs, BASE_TS_NS + first * (INTERVAL_NS / b->mix.n));
	if (bpf_prog_test_run_opts(bpf_program__fd(d->progs.bench_batch), &opts))
		return -errno;
	if (opts.retval != XDP_PASS)
		return -EPROTO;
	*ns = opts.duration;
	return 0;
}

/*
 * Method (d): the mix in batches, each batch through the driver alone (to bring its frames into
 * the cache), through every driver in turn, then through the driver alone again; each program's
 * figure is its sum minus the driver's second pass.
 */
static int measure_batches(struct bench *b, unsigned int round, double ns[NPROGS])
{
	double sum[NPROGS] = { 0 }, alone = 0;
	uint32_t d = 0;
	int err = 0;

	for (size_t first = 0; first < b->mix.n && !err; first += BATCH) {
		uint32_t n = b->mix.n - first < BATCH ? (uint32_t)(b->mix.n - first) : BATCH;

		/* A first pass of the driver alone brings the batch's frames into the cache. */
		b->batch[P_EMPTY]->bss->copy_only = 1;
		err = run_batch(b, P_EMPTY, first, n, &d);
		b->batch[P_EMPTY]->bss->copy_only = 0;
		for (int j = 0; j < NPROGS && !err; j++) {
			int p = (int)((j + round + first / BATCH) % NPROGS);

			err = run_batch(b, p, first, n, &d);
			sum[p] += (double)d * n;
			if (d < b->res.min_d[p][first / BATCH])
				b->res.min_d[p][first / BATCH] = d;
		}
		if (err)
			break;
		b->batch[P_EMPTY]->bss->copy_only = 1;
		err = run_batch(b, P_EMPTY, first, n, &d);
		b->batch[P_EMPTY]->bss->copy_only = 0;
		alone += (double)d * n;
		if (d < b->res.min_d_alone[first / BATCH])
			b->res.min_d_alone[first / BATCH] = d;
	}
	for (int p = 0; p < NPROGS; p++)
		ns[p] = (sum[p] - alone) / (double)b->mix.n;
	return err;
}

/* The sums of the per-frame (per-batch) minimums, per packet. */
static void sum_minimums(struct bench *b)
{
	size_t nb = (b->mix.n + BATCH - 1) / BATCH;

	for (int p = 0; p < NPROGS; p++) {
		double a = 0, d = 0;

		for (size_t i = 0; i < b->mix.n; i++)
			a += b->res.min_a[p][i];
		/* Batch minimums are driver + program; the driver's own is at index NPROGS. */
		for (size_t k = 0; k < nb; k++) {
			uint32_t n = k + 1 < nb ? BATCH : (uint32_t)(b->mix.n - k * BATCH);

			d += ((double)b->res.min_d[p][k] - (double)b->res.min_d_alone[k]) * n;
		}
		b->res.min_ns[ROW_A][p] = a / (double)b->mix.n;
		b->res.min_ns[ROW_D][p] = d / (double)b->mix.n;
	}
}

/*
 * Every program over the same frames, one after the other, in an order that rotates with the
 * round: slow drifts of the machine fall on each program alike.
 */
static int measure_all(struct bench *b, unsigned int round, enum row row, double ns[NPROGS])
{
	int err = 0;

	if (row == ROW_D)
		return measure_batches(b, round, ns);
	if (row == ROW_A)
		return measure_frames(b, round, ns);
	for (int j = 0; j < NPROGS && !err; j++) {
		int p = (int)((j + round) % NPROGS);
		uint32_t d = 0;

		if (row == ROW_C) {
			err = test_run(&b->t[p], &b->mix, b->mix.hot_frame, b->opt.floor_repeat,
				       &d);
			ns[p] = d;
		} else {
			err = run_mix(&b->t[p], &b->mix, b->opt.repeat, &ns[p]);
		}
	}
	return err;
}

static int round_once(struct bench *b, unsigned int round, bool record)
{
	struct results *res = &b->res;
	struct drain_time dt;
	double ns[NPROGS];
	int err;

	for (int row = 0; row < NROWS; row++) {
		uint64_t packets = row == ROW_B ? (uint64_t)b->mix.n * b->opt.repeat :
				   row == ROW_C ? b->opt.floor_repeat :
						  b->mix.n;

		err = measure_all(b, round, row, ns);
		if (!err)
			err = drain_check(&b->drainer, &b->sensor, &b->iv, packets,
					  row == ROW_C ? 1 : b->mix.pairs, &dt);
		if (err)
			return err;
		if (!record)
			continue;
		for (int p = 0; p < NPROGS; p++) {
			series_add(&res->ns[row][p], ns[p]);
			series_add(&res->ratio[row][p], ns[p] / ns[P_EMPTY]);
		}
		if (row == ROW_A || row == ROW_B)
			add_drain(res, &dt);
	}
	return 0;
}

static const char *verdict(double ratio)
{
	return ratio <= TARGET_RATIO ? "PASS" : "MISS";
}

static void read_line(const char *path, const char *prefix, char *out, size_t len)
{
	char line[256];
	FILE *f = fopen(path, "r");

	snprintf(out, len, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *p = line;

		if (prefix) {
			if (strncmp(line, prefix, strlen(prefix)))
				continue;
			p = strchr(line, ':');
			if (!p)
				continue;
			p += 1 + strspn(p + 1, " \t");
		}
		p[strcspn(p, "\n")] = '\0';
		snprintf(out, len, "%s", p);
		break;
	}
	fclose(f);
}

struct machine {
	char cpu_model[128], clocksource[32], kernel[128], arch[32], date[32];
	long ncpus;
};

static void machine_info(struct machine *mc)
{
	struct utsname u;
	time_t now = time(NULL);

	read_line("/proc/cpuinfo", "model name", mc->cpu_model, sizeof(mc->cpu_model));
	read_line("/sys/devices/system/clocksource/clocksource0/current_clocksource", NULL,
		  mc->clocksource, sizeof(mc->clocksource));
	mc->ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (uname(&u) == 0) {
		snprintf(mc->kernel, sizeof(mc->kernel), "%s %s", u.sysname, u.release);
		snprintf(mc->arch, sizeof(mc->arch), "%s", u.machine);
	} else {
		snprintf(mc->kernel, sizeof(mc->kernel), "unknown");
		snprintf(mc->arch, sizeof(mc->arch), "unknown");
	}
	strftime(mc->date, sizeof(mc->date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
}

struct derived {
	double overhead_ns; /* kernel timing per test-run call */
	double own_mix_ns; /* scanwatch's own cost per packet of the mix */
	double hit_ns; /* scanwatch's cost for a packet whose pair exists and is hot */
	double per_pair_drain_ns;
	double a_batched_ns; /* (a) with (d)'s own cost: the cold mix without per-call page walks */
};

/* A row's figure for a program: (a) and (d) by minimums, (b) and (c) by medians. */
static double med(const struct results *r, enum row row, enum prog p)
{
	return row == ROW_A || row == ROW_D ? r->min_ns[row][p] : series_median(&r->ns[row][p]);
}

static void derive(const struct bench *b, struct derived *dv)
{
	const struct results *r = &b->res;
	double R = b->opt.repeat;

	dv->overhead_ns = med(r, ROW_A, P_EMPTY) - med(r, ROW_C, P_EMPTY);
	dv->own_mix_ns = med(r, ROW_A, P_FULL) - dv->overhead_ns;
	dv->hit_ns = (R * med(r, ROW_B, P_FULL) - med(r, ROW_A, P_FULL)) / (R - 1);
	dv->a_batched_ns = med(r, ROW_A, P_EMPTY) + med(r, ROW_D, P_FULL) - med(r, ROW_D, P_EMPTY);
	/* The flip waits for a grace period whatever the state holds: not a cost per pair. */
	dv->per_pair_drain_ns =
		r->drain_pairs ?
			(series_median(&r->drain_read_ms) + series_median(&r->drain_clear_ms)) *
				1e6 / (double)r->drain_pairs :
			0;
}

static const char *row_label(const struct bench *b, enum row row, char *buf, size_t len)
{
	switch (row) {
	case ROW_A:
		snprintf(buf, len, "(a) mix, each frame once, repeat=1");
		break;
	case ROW_B:
		snprintf(buf, len, "(b) mix, each frame repeat=%u", b->opt.repeat);
		break;
	case ROW_C:
		snprintf(buf, len, "(c) one SYN, repeat=%u (hot pair)", b->opt.floor_repeat);
		break;
	default:
		snprintf(buf, len, "(d) mix, each frame once, batches of %d", BATCH);
	}
	return buf;
}

static void print_report(const struct bench *b, const struct machine *mc, const struct derived *dv)
{
	const struct results *r = &b->res;
	const struct mix *m = &b->mix;
	char label[64];

	printf("scanwatch bench, %s\n", mc->date);
	printf("machine: %s, %ld CPUs (%s), %s, clocksource %s; pinned to CPU %d\n", mc->cpu_model,
	       mc->ncpus, mc->arch, mc->kernel, mc->clocksource, b->cpu);
	printf("mix: %zu frames from %zu distinct sources, %zu distinct (source,key) pairs "
	       "(%.1f packets per pair)\n",
	       m->n, m->sources, m->pairs, (double)m->n / (double)m->pairs);
	for (int t = 0; t < MIX_NTYPES; t++)
		printf("  %5.1f %%  %s\n", 100.0 * (double)m->by_type[t] / (double)m->n,
		       mix_names[t]);
	printf("method: BPF_PROG_TEST_RUN of scanwatch (sensor_open_replay: max_pairs %u, a log of "
	       "%" PRIu64 " records, caches of %u slots a CPU), of its ablation builds and of an "
	       "empty XDP program in the same run, all attached in private namespaces so that the "
	       "kernel's XDP dispatcher calls them as it calls a live program; durations are whole "
	       "ns as the kernel reports them; %u rounds after one warm-up, rotating which program "
	       "goes first; median [min-max]\n",
	       b->opt.max_pairs, cstate_log_capacity(&b->sensor.cs), b->sensor.cs.cache_slots,
	       r->ns[ROW_A][P_FULL].n);
	printf("  %s\n  %s\n  %s\n  %s\n  %s\n  %s\n  %s\n  %s\n  %s\n", method_a, method_b,
	       method_c, method_batch, method_d, method_ladder, method_min, method_drain,
	       method_clock);
	printf("\n%-40s %22s %18s %6s  %s\n", "", "scanwatch ns/pkt", "empty ns/pkt", "ratio",
	       "target <=1.5x (aim 1.3x)");
	for (int row = 0; row < ROW_D; row++) {
		double ratio = med(r, row, P_FULL) / med(r, row, P_EMPTY);

		printf("%-40s %7.1f [%5.1f-%6.1f] %5.1f [%4.1f-%5.1f] %6.2f  %s\n",
		       row_label(b, row, label, sizeof(label)), med(r, row, P_FULL),
		       series_min(&r->ns[row][P_FULL]), series_max(&r->ns[row][P_FULL]),
		       med(r, row, P_EMPTY), series_min(&r->ns[row][P_EMPTY]),
		       series_max(&r->ns[row][P_EMPTY]), ratio, verdict(ratio));
	}
	printf("\nablation ladder, ns/pkt (ratio to empty; the step's own cost in brackets)\n");
	printf("%-40s", "");
	for (int p = 0; p < NPROGS; p++)
		printf(" %20s", prog_labels[p]);
	printf("\n");
	for (int row = 0; row < NROWS; row++) {
		printf("%-40s", row_label(b, row, label, sizeof(label)));
		for (int p = 0; p < NPROGS; p++) {
			double v = med(r, row, p), e = med(r, row, P_EMPTY);

			if (p == P_EMPTY)
				printf(" %20.1f", v);
			else
				printf(" %6.1f %4.1fx [%+5.1f]", v, v / e, v - med(r, row, p - 1));
		}
		printf("\n");
	}
	printf("(d): each program's own cost plus a tail call, the driver's copy subtracted; "
	       "(a) without the page walks of every call would be empty (a) + full (d) - empty (d) "
	       "= %.1f ns, %.2fx the empty program\n",
	       dv->a_batched_ns, dv->a_batched_ns / med(r, ROW_A, P_EMPTY));
	printf("\nkernel timing overhead per test-run call (empty (a) - empty (c)): %.1f ns\n",
	       dv->overhead_ns);
	printf("scanwatch's own cost per packet of the mix (scanwatch (a) - overhead): %.1f ns "
	       "(%.1fx the empty program's floor)\n",
	       dv->own_mix_ns, dv->own_mix_ns / med(r, ROW_C, P_EMPTY));
	printf("scanwatch's cost when the pair is hot in the cache ((b) and (a)): %.1f ns\n",
	       dv->hit_ns);
	printf("drain of one interval: %" PRIu64 " log records, %zu pairs, %zu keys: %.1f ms "
	       "[%.1f-%.1f] (flip %.1f, read %.1f, clear %.1f); read + clear %.0f ns per pair\n",
	       r->drain_records, r->drain_pairs, r->drain_keys, series_median(&r->drain_total_ms),
	       series_min(&r->drain_total_ms), series_max(&r->drain_total_ms),
	       series_median(&r->drain_flip_ms), series_median(&r->drain_read_ms),
	       series_median(&r->drain_clear_ms), dv->per_pair_drain_ns);
	printf("ratios are information: the bench does not fail on them\n");
}

static void json_series(FILE *f, const char *name, const struct series *s, const char *tail)
{
	fprintf(f, "\"%s\": {\"median\": %.2f, \"min\": %.2f, \"max\": %.2f, \"samples\": [", name,
		series_median(s), series_min(s), series_max(s));
	for (unsigned int i = 0; i < s->n; i++)
		fprintf(f, "%s%.2f", i ? ", " : "", s->v[i]);
	fprintf(f, "]}%s", tail);
}

static void json_method(FILE *f)
{
	static const char *const keys[] = { "a",      "b",	 "c",	  "d",	  "derived",
					    "ladder", "minimum", "drain", "clock" };
	const char *const texts[] = { method_a,	    method_b,	  method_c,
				      method_batch, method_d,	  method_ladder,
				      method_min,   method_drain, method_clock };

	fprintf(f, "  \"method\": {");
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		fprintf(f, "%s\"%s\": ", i ? ", " : "", keys[i]);
		json_str(f, texts[i]);
	}
	fprintf(f, "},\n");
}

static int write_json(const struct bench *b, const struct machine *mc, const struct derived *dv)
{
	const struct results *r = &b->res;
	const struct mix *m = &b->mix;
	static const char *const row_keys[NROWS] = { "a_mix_repeat1", "b_mix_repeatR",
						     "c_one_frame_hot", "d_mix_batched" };
	static const char *const type_keys[MIX_NTYPES] = { "ipv4_tcp_syn", "ipv4_udp",
							   "ipv4_icmp_echo", "backscatter",
							   "ipv6" };
	char tmp[4096 + 8];
	FILE *f;
	int n = snprintf(tmp, sizeof(tmp), "%s.tmp", b->opt.json);

	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -ENAMETOOLONG;
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	fprintf(f, "{\n  \"machine\": {\"cpu\": ");
	json_str(f, mc->cpu_model);
	fprintf(f, ", \"cpus\": %ld, \"arch\": ", mc->ncpus);
	json_str(f, mc->arch);
	fprintf(f, ", \"clocksource\": ");
	json_str(f, mc->clocksource);
	fprintf(f, ", \"pinned_cpu\": %d},\n  \"kernel\": ", b->cpu);
	json_str(f, mc->kernel);
	fprintf(f, ",\n  \"date\": \"%s\",\n", mc->date);
	fprintf(f, "  \"mix\": {\"frames\": %zu, \"sources\": %zu, \"pairs\": %zu, \"shares\": {",
		m->n, m->sources, m->pairs);
	for (int t = 0; t < MIX_NTYPES; t++)
		fprintf(f, "%s\"%s\": %.4f", t ? ", " : "", type_keys[t],
			(double)m->by_type[t] / (double)m->n);
	fprintf(f,
		"}},\n  \"max_pairs\": %u,\n  \"cache_slots\": %u,\n  \"log_records\": %" PRIu64
		",\n  \"rounds\": %u,\n  \"repeat_b\": %u,\n  \"repeat_c\": %u,\n",
		b->opt.max_pairs, b->sensor.cs.cache_slots, cstate_log_capacity(&b->sensor.cs),
		r->ns[ROW_A][P_FULL].n, b->opt.repeat, b->opt.floor_repeat);
	json_method(f);
	fprintf(f, "  \"target\": {\"ratio_max\": %.1f, \"ratio_aim\": %.1f},\n", TARGET_RATIO,
		AIM_RATIO);
	fprintf(f, "  \"ns_per_packet\": {\n");
	for (int row = 0; row < NROWS; row++) {
		double ratio = med(r, row, P_FULL) / med(r, row, P_EMPTY);

		fprintf(f, "    \"%s\": {\"ns\": {", row_keys[row]);
		for (int p = 0; p < NPROGS; p++)
			fprintf(f, "%s\"%s\": %.2f", p ? ", " : "", prog_names[p], med(r, row, p));
		fprintf(f, "}, \"figure\": \"%s\", \"rounds\": {",
			row == ROW_A || row == ROW_D ? "sum of per-frame minimums" :
						       "median of rounds");
		for (int p = 0; p < NPROGS; p++) {
			char name[64];

			json_series(f, prog_names[p], &r->ns[row][p], ", ");
			snprintf(name, sizeof(name), "ratio_%s_per_round", prog_names[p]);
			if (p != P_EMPTY)
				json_series(f, name, &r->ratio[row][p], p + 1 < NPROGS ? ", " : "");
		}
		fprintf(f, "}, \"ratio\": %.3f, \"verdict\": \"%s\"}%s\n", ratio, verdict(ratio),
			row + 1 < NROWS ? "," : "");
	}
	fprintf(f,
		"  },\n  \"derived\": {\"timing_overhead_ns\": %.2f, \"own_cost_mix_ns\": %.2f, "
		"\"hit_cost_ns\": %.2f, \"a_without_page_walks_ns\": %.2f, "
		"\"a_without_page_walks_ratio\": %.3f},\n",
		dv->overhead_ns, dv->own_mix_ns, dv->hit_ns, dv->a_batched_ns,
		dv->a_batched_ns / med(r, ROW_A, P_EMPTY));
	fprintf(f, "  \"drain\": {\"pairs\": %zu, \"keys\": %zu, \"log_records\": %" PRIu64 ", ",
		r->drain_pairs, r->drain_keys, r->drain_records);
	json_series(f, "total_ms", &r->drain_total_ms, ", ");
	json_series(f, "flip_ms", &r->drain_flip_ms, ", ");
	json_series(f, "read_ms", &r->drain_read_ms, ", ");
	json_series(f, "clear_ms", &r->drain_clear_ms, ", ");
	fprintf(f, "\"ns_per_pair\": %.1f}\n}\n", dv->per_pair_drain_ns);
	if (fclose(f)) {
		unlink(tmp);
		return -errno;
	}
	if (rename(tmp, b->opt.json)) {
		unlink(tmp);
		return -errno;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option opts[] = {
		{ "sources", required_argument, NULL, 's' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "repeat", required_argument, NULL, 'R' },
		{ "floor-repeat", required_argument, NULL, 'F' },
		{ "max-pairs", required_argument, NULL, 'P' },
		{ "cache-slots", required_argument, NULL, 'C' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "json", required_argument, NULL, 'j' },
		{ "pass", required_argument, NULL, 'p' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int cpu;
	int opt, err = 0;

	*o = (struct options){ .sources = MIN_SOURCES,
			       .rounds = 5,
			       .repeat = 16,
			       .floor_repeat = 2000000,
			       .max_pairs = SW_DEFAULT_MAX_PAIRS,
			       .cache_slots = SW_CACHE_SLOTS_DEFAULT,
			       .cpu = -1 };
	while ((opt = getopt_long(argc, argv, "s:r:R:F:P:C:c:j:vh", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			err = parse_uint(optarg, MIN_SOURCES, 10000000, &o->sources);
			break;
		case 'r':
			err = parse_uint(optarg, 1, BENCH_MAX_ROUNDS, &o->rounds);
			break;
		case 'R':
			err = parse_uint(optarg, 2, 1000000, &o->repeat);
			break;
		case 'F':
			err = parse_uint(optarg, 1000, 1000000000, &o->floor_repeat);
			break;
		case 'P':
			err = parse_uint(optarg, 1024, 1U << 28, &o->max_pairs);
			break;
		case 'C':
			err = parse_uint(optarg, SW_CACHE_SLOTS_MIN, SW_CACHE_SLOTS_MAX,
					 &o->cache_slots);
			break;
		case 'c':
			err = parse_uint(optarg, 0, CPU_SETSIZE - 1, &cpu);
			o->cpu = (int)cpu;
			break;
		case 'j':
			o->json = optarg;
			break;
		case 'p':
			o->pass = optarg;
			err = -EINVAL;
			for (int p = 0; p < NPROGS; p++)
				if (!strcmp(optarg, prog_names[p]))
					err = 0;
			break;
		case 'v':
			o->verbose = true;
			break;
		default:
			return bench_opt_other(opt, bench_help);
		}
		if (err)
			return bench_bad_value("bench", opt, optarg);
	}
	return bench_no_args("bench", argc, argv);
}

/*
 * BPF_PROG_TEST_RUN with repeat > 1 registers the program in the kernel's XDP dispatcher before
 * the loop and unregisters it after, each time rebuilding the dispatcher and waiting for an RCU
 * grace period (tens of ms): method (b) on 100 000 frames would take hours. A program attached
 * to an interface stays registered, and test runs then leave the dispatcher alone. So each program
 * is attached, in generic mode, to the loopback device of a network namespace of our own, made
 * here and gone when the bench exits; no packet passes there. Registered, a program is also
 * called as live traffic calls it: by a direct call from the dispatcher, in every method.
 */
static int hold_in_dispatcher(int prog_fd, int *ns_fd, int *link_fd)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = XDP_FLAGS_SKB_MODE);
	unsigned int lo;

	if (unshare(CLONE_NEWNET))
		return -errno;
	/* Keeps this namespace, and the attachment, alive once we move on to the next one. */
	*ns_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (*ns_fd < 0)
		return -errno;
	lo = if_nametoindex("lo");
	if (!lo)
		return -errno;
	*link_fd = bpf_link_create(prog_fd, (int)lo, BPF_XDP, &opts);
	return *link_fd < 0 ? -errno : 0;
}

/*
 * An ablation build of scanwatch.bpf.c, sized and set up like the replay sensor (replay clock,
 * the same layout) so that the steps of the ladder differ only by the code they leave out.
 */
#define OPEN_LADDER(T, skp, csp, cfgp, tp, label)                                                 \
	({                                                                                        \
		char errmsg_[256];                                                                \
		int err_ = -ENOMEM;                                                               \
		(skp) = T##__open();                                                              \
		if (skp)                                                                          \
			err_ = sensor_size_state((csp), &SW_OBJ_VIEW(skp), (cfgp), SW_CTL_REPLAY, \
						 errmsg_, sizeof(errmsg_));                       \
		else                                                                              \
			snprintf(errmsg_, sizeof(errmsg_), "%s", strerror(errno));                \
		if (!err_) {                                                                      \
			err_ = T##__load(skp);                                                    \
			if (err_)                                                                 \
				snprintf(errmsg_, sizeof(errmsg_), "%s", strerror(-err_));        \
		}                                                                                 \
		if (err_)                                                                         \
			fprintf(stderr, "bench: cannot load the %s build: %s\n", label, errmsg_); \
		else                                                                              \
			*(tp) = (struct target){ .name = label,                                   \
						 .prog_fd = bpf_program__fd(                      \
							 (skp)->progs.scanwatch_xdp),             \
						 .cs = (csp) };                                   \
		err_;                                                                             \
	})

/* Method (d)'s drivers: the mix in their frames map, each tail-calling one program. */
static int open_batches(struct bench *b)
{
	int err = 0;

	for (int p = 0; p < NPROGS && !err; p++) {
		__u32 zero = 0;

		err = batch_open(&b->mix, &b->batch[p]);
		if (!err && bpf_map_update_elem(bpf_map__fd(b->batch[p]->maps.target), &zero,
						&b->t[p].prog_fd, BPF_ANY))
			err = -errno;
	}
	if (err)
		fprintf(stderr, "bench: cannot set up the batch driver: %s\n", strerror(-err));
	return err;
}

static int bench_open(struct bench *b)
{
	struct sensor_config cfg = {
		.point = "bench",
		.mode = SW_REQ_AUTO,
		.max_pairs = b->opt.max_pairs,
		.max_keys = SW_DEFAULT_MAX_KEYS,
		.cache_slots = b->opt.cache_slots,
		.interval_s = 60,
	};
	int err;

	err = sensor_open_replay(&b->sensor, &cfg);
	if (err) {
		fprintf(stderr, "bench: %s\n", b->sensor.errmsg);
		return err;
	}
	/* The live daemon's flip waits for running programs; so does the drain measured here. */
	b->sensor.flip_waits = true;
	drainer_init(&b->drainer, b->sensor.ncpus, 1);
	b->empty = empty_bpf__open_and_load();
	if (!b->empty) {
		err = -errno;
		fprintf(stderr, "bench: cannot load the empty XDP program: %s\n", strerror(-err));
		return err;
	}
	b->t[P_EMPTY] = (struct target){ .name = "empty",
					 .prog_fd = bpf_program__fd(b->empty->progs.empty_xdp) };
	b->t[P_FULL] = (struct target){ .name = "scanwatch",
					.prog_fd = b->sensor.prog_fd,
					.cs = &b->sensor.cs };
	cstate_init(&b->touch_cs);
	cstate_init(&b->parse_cs);
	cstate_init(&b->cache_cs);
	err = OPEN_LADDER(scanwatch_touch_bpf, b->touch, &b->touch_cs, &cfg, &b->t[P_TOUCH],
			  "touch");
	if (!err)
		err = OPEN_LADDER(scanwatch_parse_bpf, b->parse, &b->parse_cs, &cfg, &b->t[P_PARSE],
				  "parse");
	if (!err)
		err = OPEN_LADDER(scanwatch_cache_bpf, b->cache, &b->cache_cs, &cfg, &b->t[P_CACHE],
				  "parse+cache");
	if (!err)
		err = open_batches(b);
	for (int p = 0; p < NPROGS && !err; p++)
		err = hold_in_dispatcher(b->t[p].prog_fd, &b->hold.ns_fd[p], &b->hold.link_fd[p]);
	for (int p = 0; p < NPROGS && !err; p++)
		err = hold_in_dispatcher(bpf_program__fd(b->batch[p]->progs.bench_batch),
					 &b->hold.ns_fd[NPROGS + p], &b->hold.link_fd[NPROGS + p]);
	if (err == -EPERM || err == -EINVAL || err == -ENOENT)
		fprintf(stderr,
			"bench: cannot attach the programs in a private network namespace, which "
			"keeps BPF_PROG_TEST_RUN from rebuilding the XDP dispatcher on every call: "
			"%s\n",
			strerror(-err));
	return err;
}

static void bench_close(struct bench *b)
{
	for (int i = 0; i < 2 * NPROGS; i++) {
		if (b->hold.link_fd[i] >= 0)
			close(b->hold.link_fd[i]);
		if (b->hold.ns_fd[i] >= 0)
			close(b->hold.ns_fd[i]);
	}
	sensor_close(&b->sensor);
	empty_bpf__destroy(b->empty);
	cstate_unmap(&b->touch_cs);
	cstate_unmap(&b->parse_cs);
	cstate_unmap(&b->cache_cs);
	scanwatch_touch_bpf__destroy(b->touch);
	scanwatch_parse_bpf__destroy(b->parse);
	scanwatch_cache_bpf__destroy(b->cache);
	for (int p = 0; p < NPROGS; p++)
		bench_batch_bpf__destroy(b->batch[p]);
	drainer_free(&b->drainer);
	interval_free(&b->iv);
	mix_free(&b->mix);
	for (int p = 0; p < NPROGS; p++) {
		free(b->res.min_a[p]);
		free(b->res.min_d[p]);
	}
	free(b->res.min_d_alone);
}

static int alloc_minimums(struct bench *b)
{
	size_t nb = (b->mix.n + BATCH - 1) / BATCH;
	uint32_t **all[2 * NPROGS + 1];
	size_t len[2 * NPROGS + 1];

	for (int p = 0; p < NPROGS; p++) {
		all[p] = &b->res.min_a[p];
		len[p] = b->mix.n;
		all[NPROGS + p] = &b->res.min_d[p];
		len[NPROGS + p] = nb;
	}
	all[2 * NPROGS] = &b->res.min_d_alone;
	len[2 * NPROGS] = nb;
	for (int i = 0; i < 2 * NPROGS + 1; i++) {
		*all[i] = malloc(len[i] * sizeof(uint32_t));
		if (!*all[i])
			return -ENOMEM;
		memset(*all[i], 0xff, len[i] * sizeof(uint32_t));
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct bench b; /* large: keep it off the stack */
	struct machine mc;
	struct derived dv;
	int err;

	for (int p = 0; p < 2 * NPROGS; p++)
		b.hold.ns_fd[p] = b.hold.link_fd[p] = -1;
	err = parse_args(argc, argv, &b.opt);
	if (err)
		return 2;
	sw_log_set_level(b.opt.verbose ? SW_LOG_DEBUG : SW_LOG_WARN);
	sw_log_libbpf();
	/* The test run measures the CPU it runs on: staying on one keeps caches and clocks alike. */
	err = bench_pin_cpu(b.opt.cpu, &b.cpu);
	if (err) {
		fprintf(stderr, "bench: cannot pin to a CPU: %s\n", strerror(-err));
		return 1;
	}
	err = mix_build(&b.mix, b.opt.sources, 0);
	if (err) {
		fprintf(stderr, "bench: cannot build the mix: %s\n", strerror(-err));
		goto out;
	}
	err = bench_open(&b);
	if (err)
		goto out;
	if (b.opt.pass) {
		const struct target *t = &b.t[P_FULL];
		double ns;

		for (int p = 0; p < NPROGS; p++)
			if (!strcmp(b.opt.pass, prog_names[p]))
				t = &b.t[p];
		err = run_mix(t, &b.mix, 1, &ns);
		if (err)
			fprintf(stderr, "bench: BPF_PROG_TEST_RUN failed: %s\n", strerror(-err));
		else
			printf("%zu frames through %s, %.1f ns per packet\n", b.mix.n, t->name, ns);
		goto out;
	}
	err = alloc_minimums(&b);
	/* The warm-up round fills the allocator caches and the JIT image into the caches. */
	for (unsigned int round = 0; round <= b.opt.rounds && !err; round++)
		err = round_once(&b, round, round > 0);
	if (!err)
		sum_minimums(&b);
	if (err) {
		if (err != -EPROTO)
			fprintf(stderr, "bench: BPF_PROG_TEST_RUN failed: %s\n", strerror(-err));
		goto out;
	}
	machine_info(&mc);
	derive(&b, &dv);
	print_report(&b, &mc, &dv);
	if (b.opt.json) {
		err = write_json(&b, &mc, &dv);
		if (err)
			fprintf(stderr, "bench: cannot write %s: %s\n", b.opt.json, strerror(-err));
	}
out:
	bench_close(&b);
	return err ? 1 : 0;
}
