// SPDX-License-Identifier: GPL-2.0-only
/*
 * `make bench` (SPEC.md §7, first row): nanoseconds per packet of scanwatch's XDP program against
 * an empty XDP program, both through BPF_PROG_TEST_RUN in the same run, on a synthetic mix shaped
 * like a sensor's traffic, plus the drain of the interval that mix fills. Ratios are information,
 * never a verdict: the exit status says only whether the bench could run and count correctly.
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

#include "json.h"
#include "benchmix.h"
#include "drain.h"
#include "empty.skel.h"
#include "log.h"
#include "parse_num.h"
#include "pktcraft.h"
#include "scanwatch.skel.h"
#include "sensor.h"

#define TARGET_RATIO 2.0
#define AIM_RATIO 1.5
#define MIN_SOURCES 100000
#define MAX_ROUNDS 64
/* One mix is one interval of the daemon's default length. */
#define INTERVAL_NS (60ull * 1000000000ull)
#define BASE_TS_NS 1700000000000000000ull

static const char bench_help[] =
	"Usage: bench [options]\n"
	"\n"
	"Nanoseconds per packet of scanwatch's XDP program and of an empty XDP program, both\n"
	"through BPF_PROG_TEST_RUN in one run, on a mix of at least 100000 distinct sources,\n"
	"and the drain of the tables each pass fills. Both programs are attached, for the run\n"
	"only, to the loopback device of a private network namespace. Needs root.\n"
	"\n"
	"  -s, --sources N        distinct sources in the mix (default 100000, at least 100000)\n"
	"  -r, --rounds N         measured rounds; medians are reported (default 5)\n"
	"  -R, --repeat R         repeat of each frame in method (b) (default 16)\n"
	"  -F, --floor-repeat M   repeat of the single frame in method (c) (default 2000000)\n"
	"  -P, --max-pairs N      size of the pair tables (default 1048576, as 'run')\n"
	"  -c, --cpu N            CPU to run on (default: the one we start on)\n"
	"  -j, --json FILE        also write the figures as JSON to FILE\n"
	"      --pass PROG        only run the mix once through PROG (scanwatch or empty) and\n"
	"                         print the frame count: for counters such as perf stat's\n"
	"  -v, --verbose          libbpf's debug output\n"
	"\n"
	"Example:\n"
	"  sudo .output/tools/bench --json bench.json\n";

static const char method_a[] =
	"(a) mix, each frame once: one BPF_PROG_TEST_RUN per frame with repeat=1, sum of the "
	"kernel's durations / frames. Every call includes the kernel's own timing (two clock reads "
	"and the loop around the program), which both programs pay.";
static const char method_b[] =
	"(b) mix, each frame repeat=R: the kernel's per-repeat average, averaged over frames. The "
	"timing overhead is spread over R runs, but R-1 of them find their (source,key) pair hot "
	"in the cache: like a scanner sweeping R addresses of the sensor back to back.";
static const char method_c[] =
	"(c) one TCP SYN frame, huge repeat: the empty program's floor (the loop of the test run "
	"alone), and scanwatch with one hash entry hot all the time (its best case; unrealistic "
	"for a scan, where most packets bring a new (source,key) pair).";
static const char method_d[] =
	"derived: timing overhead per call = empty(a) - empty(c); scanwatch's own cost in the mix "
	"= scanwatch(a) - timing overhead; cost of a hit on an existing pair = "
	"(R*scanwatch(b) - scanwatch(a)) / (R-1).";
static const char method_drain[] =
	"drain: after each pass over the mix (one interval), drain_flip (waiting for an RCU grace "
	"period, as the live daemon's flip does), drain_read and drain_clear, timed with "
	"CLOCK_MONOTONIC; the tables start empty each pass, so they grow as in a real interval.";
static const char method_clock[] =
	"scanwatch is loaded by sensor_open_replay, so it reads the time from replay_now_ns; the "
	"live program calls bpf_ktime_get_coarse_ns() once per packet instead, which these figures "
	"do not include.";

struct options {
	unsigned int sources;
	unsigned int rounds;
	unsigned int repeat;
	unsigned int floor_repeat;
	unsigned int max_pairs;
	int cpu;
	const char *json;
	const char *pass; /* one program's pass over the mix only, for perf stat */
	bool verbose;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* What one program needs to run the mix: its fd and, for scanwatch, the replay clock. */
struct target {
	const char *name;
	int prog_fd;
	volatile __u64 *clock_ns; /* NULL for the empty program */
};

static int test_run(const struct target *t, const struct mix *m, size_t i, uint32_t repeat,
		    uint32_t *duration_ns)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = m->buf + m->frames[i].off,
		    .data_size_in = m->frames[i].len, .repeat = repeat);

	if (t->clock_ns)
		*t->clock_ns = BASE_TS_NS + i * (INTERVAL_NS / m->n);
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
};

/*
 * One interval's drain, as the daemon does it, and a check that the pass counted what was sent:
 * a bench that measures a program that lost packets would measure the wrong thing.
 */
static int drain_check(struct drainer *d, struct sensor *s, struct sw_interval *iv,
		       uint64_t want_packets, size_t want_pairs, struct drain_time *dt)
{
	uint64_t t0, t1, t2, t3, keyed = 0;
	int err;

	t0 = mono_ns();
	err = drain_flip(s);
	t1 = mono_ns();
	if (!err)
		err = drain_read(d, s, iv);
	t2 = mono_ns();
	if (!err)
		err = drain_clear(d, s);
	t3 = mono_ns();
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
		dt->flip_ms = (double)(t1 - t0) / 1e6;
		dt->read_ms = (double)(t2 - t1) / 1e6;
		dt->clear_ms = (double)(t3 - t2) / 1e6;
		dt->pairs = iv->npairs;
		dt->keys = iv->nkeys;
	}
	return 0;
}

/* Samples of one figure over the rounds. */
struct series {
	double v[MAX_ROUNDS];
	unsigned int n;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(const struct series *s)
{
	double t[MAX_ROUNDS];

	memcpy(t, s->v, s->n * sizeof(t[0]));
	qsort(t, s->n, sizeof(t[0]), cmp_double);
	return s->n % 2 ? t[s->n / 2] : (t[s->n / 2 - 1] + t[s->n / 2]) / 2;
}

static double smin(const struct series *s)
{
	double m = s->v[0];

	for (unsigned int i = 1; i < s->n; i++)
		m = s->v[i] < m ? s->v[i] : m;
	return m;
}

static double smax(const struct series *s)
{
	double m = s->v[0];

	for (unsigned int i = 1; i < s->n; i++)
		m = s->v[i] > m ? s->v[i] : m;
	return m;
}

static void add(struct series *s, double v)
{
	s->v[s->n++] = v;
}

enum row { ROW_A, ROW_B, ROW_C, NROWS };

struct results {
	struct series prog[NROWS], empty[NROWS];
	struct series ratio[NROWS]; /* per round, both programs measured side by side */
	struct series drain_flip_ms, drain_read_ms, drain_clear_ms, drain_total_ms;
	size_t drain_pairs, drain_keys;
};

/* Both programs' places in the kernel's XDP dispatcher: see hold_in_dispatcher(). */
struct hold {
	int ns_fd[2];
	int link_fd[2];
};

static void add_drain(struct results *res, const struct drain_time *dt)
{
	add(&res->drain_flip_ms, dt->flip_ms);
	add(&res->drain_read_ms, dt->read_ms);
	add(&res->drain_clear_ms, dt->clear_ms);
	add(&res->drain_total_ms, dt->flip_ms + dt->read_ms + dt->clear_ms);
	res->drain_pairs = dt->pairs;
	res->drain_keys = dt->keys;
}

struct bench {
	struct options opt;
	struct hold hold;
	struct mix mix;
	struct sensor sensor;
	struct empty_bpf *empty;
	struct drainer drainer;
	struct sw_interval iv;
	struct target sw, base;
	struct results res;
	int cpu;
};

/* Alternating which program goes first cancels slow drifts of the machine between the two. */
static int measure_pair(struct bench *b, bool prog_first, uint32_t repeat, double *p, double *e)
{
	int err;

	if (prog_first) {
		err = run_mix(&b->sw, &b->mix, repeat, p);
		if (!err)
			err = run_mix(&b->base, &b->mix, repeat, e);
	} else {
		err = run_mix(&b->base, &b->mix, repeat, e);
		if (!err)
			err = run_mix(&b->sw, &b->mix, repeat, p);
	}
	return err;
}

static int run_single(const struct target *t, const struct mix *m, size_t i, uint32_t repeat,
		      double *ns)
{
	uint32_t d = 0;
	int err = test_run(t, m, i, repeat, &d);

	*ns = d;
	return err;
}

static int round_once(struct bench *b, unsigned int round, bool record)
{
	struct results *res = &b->res;
	struct drain_time dt;
	bool prog_first = round % 2;
	double p, e;
	int err;

	err = measure_pair(b, prog_first, 1, &p, &e);
	if (!err)
		err = drain_check(&b->drainer, &b->sensor, &b->iv, b->mix.n, b->mix.pairs, &dt);
	if (err)
		return err;
	if (record) {
		add(&res->prog[ROW_A], p);
		add(&res->empty[ROW_A], e);
		add(&res->ratio[ROW_A], p / e);
		add_drain(res, &dt);
	}

	err = measure_pair(b, prog_first, b->opt.repeat, &p, &e);
	if (!err)
		err = drain_check(&b->drainer, &b->sensor, &b->iv,
				  (uint64_t)b->mix.n * b->opt.repeat, b->mix.pairs, &dt);
	if (err)
		return err;
	if (record) {
		add(&res->prog[ROW_B], p);
		add(&res->empty[ROW_B], e);
		add(&res->ratio[ROW_B], p / e);
		add_drain(res, &dt);
	}

	if (prog_first) {
		err = run_single(&b->sw, &b->mix, b->mix.hot_frame, b->opt.floor_repeat, &p);
		if (!err)
			err = run_single(&b->base, &b->mix, b->mix.hot_frame, b->opt.floor_repeat,
					 &e);
	} else {
		err = run_single(&b->base, &b->mix, b->mix.hot_frame, b->opt.floor_repeat, &e);
		if (!err)
			err = run_single(&b->sw, &b->mix, b->mix.hot_frame, b->opt.floor_repeat,
					 &p);
	}
	if (!err)
		err = drain_check(&b->drainer, &b->sensor, &b->iv, b->opt.floor_repeat, 1, NULL);
	if (err)
		return err;
	if (record) {
		add(&res->prog[ROW_C], p);
		add(&res->empty[ROW_C], e);
		add(&res->ratio[ROW_C], p / e);
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
};

static void derive(const struct bench *b, struct derived *dv)
{
	const struct results *r = &b->res;
	double R = b->opt.repeat;

	dv->overhead_ns = median(&r->empty[ROW_A]) - median(&r->empty[ROW_C]);
	dv->own_mix_ns = median(&r->prog[ROW_A]) - dv->overhead_ns;
	dv->hit_ns = (R * median(&r->prog[ROW_B]) - median(&r->prog[ROW_A])) / (R - 1);
	/* The flip waits for a grace period whatever the table holds: not a cost per pair. */
	dv->per_pair_drain_ns = r->drain_pairs ?
					(median(&r->drain_read_ms) + median(&r->drain_clear_ms)) *
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
	default:
		snprintf(buf, len, "(c) one SYN, repeat=%u (hot entry)", b->opt.floor_repeat);
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
	printf("method: BPF_PROG_TEST_RUN of scanwatch (sensor_open_replay, max_pairs %u) and of an "
	       "empty XDP program in the same run, both attached in a private namespace so that "
	       "the kernel's XDP dispatcher calls them as it calls a live program; durations are "
	       "whole ns as the kernel reports them; %u rounds after one warm-up, alternating which "
	       "program goes first; median [min-max]\n",
	       b->opt.max_pairs, r->prog[ROW_A].n);
	printf("  %s\n  %s\n  %s\n  %s\n  %s\n  %s\n", method_a, method_b, method_c, method_d,
	       method_drain, method_clock);
	printf("\n%-40s %22s %18s %6s  %s\n", "", "scanwatch ns/pkt", "empty ns/pkt", "ratio",
	       "target <=2x (aim 1.5x)");
	for (int row = 0; row < NROWS; row++) {
		double ratio = median(&r->prog[row]) / median(&r->empty[row]);

		printf("%-40s %7.1f [%5.1f-%6.1f] %5.1f [%4.1f-%5.1f] %6.2f  %s\n",
		       row_label(b, row, label, sizeof(label)), median(&r->prog[row]),
		       smin(&r->prog[row]), smax(&r->prog[row]), median(&r->empty[row]),
		       smin(&r->empty[row]), smax(&r->empty[row]), ratio, verdict(ratio));
	}
	printf("\nkernel timing overhead per test-run call (empty (a) - empty (c)): %.1f ns\n",
	       dv->overhead_ns);
	printf("scanwatch's own cost per packet of the mix (scanwatch (a) - overhead): %.1f ns "
	       "(%.1fx the empty program's floor)\n",
	       dv->own_mix_ns, dv->own_mix_ns / median(&r->empty[ROW_C]));
	printf("scanwatch's cost when the pair exists and is hot ((b) and (a)): %.1f ns\n",
	       dv->hit_ns);
	printf("drain of one interval: %zu pairs, %zu keys: %.1f ms [%.1f-%.1f] (flip %.1f, read "
	       "%.1f, clear %.1f); read + clear %.0f ns per pair\n",
	       r->drain_pairs, r->drain_keys, median(&r->drain_total_ms), smin(&r->drain_total_ms),
	       smax(&r->drain_total_ms), median(&r->drain_flip_ms), median(&r->drain_read_ms),
	       median(&r->drain_clear_ms), dv->per_pair_drain_ns);
	printf("ratios are information: the bench does not fail on them (SPEC.md section 7)\n");
}

static void json_series(FILE *f, const char *name, const struct series *s, const char *tail)
{
	fprintf(f, "\"%s\": {\"median\": %.2f, \"min\": %.2f, \"max\": %.2f, \"samples\": [", name,
		median(s), smin(s), smax(s));
	for (unsigned int i = 0; i < s->n; i++)
		fprintf(f, "%s%.2f", i ? ", " : "", s->v[i]);
	fprintf(f, "]}%s", tail);
}

static int write_json(const struct bench *b, const struct machine *mc, const struct derived *dv)
{
	const struct results *r = &b->res;
	const struct mix *m = &b->mix;
	static const char *const row_keys[NROWS] = { "a_mix_repeat1", "b_mix_repeatR",
						     "c_one_frame_hot" };
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
		"}},\n  \"max_pairs\": %u,\n  \"rounds\": %u,\n  \"repeat_b\": %u,\n  "
		"\"repeat_c\": %u,\n",
		b->opt.max_pairs, r->prog[ROW_A].n, b->opt.repeat, b->opt.floor_repeat);
	fprintf(f, "  \"method\": {\"a\": ");
	json_str(f, method_a);
	fprintf(f, ", \"b\": ");
	json_str(f, method_b);
	fprintf(f, ", \"c\": ");
	json_str(f, method_c);
	fprintf(f, ", \"derived\": ");
	json_str(f, method_d);
	fprintf(f, ", \"drain\": ");
	json_str(f, method_drain);
	fprintf(f, ", \"clock\": ");
	json_str(f, method_clock);
	fprintf(f, "},\n  \"target\": {\"ratio_max\": %.1f, \"ratio_aim\": %.1f},\n", TARGET_RATIO,
		AIM_RATIO);
	fprintf(f, "  \"ns_per_packet\": {\n");
	for (int row = 0; row < NROWS; row++) {
		double ratio = median(&r->prog[row]) / median(&r->empty[row]);

		fprintf(f, "    \"%s\": {", row_keys[row]);
		json_series(f, "scanwatch", &r->prog[row], ", ");
		json_series(f, "empty", &r->empty[row], ", ");
		json_series(f, "ratio_per_round", &r->ratio[row], ", ");
		fprintf(f, "\"ratio\": %.3f, \"verdict\": \"%s\"}%s\n", ratio, verdict(ratio),
			row + 1 < NROWS ? "," : "");
	}
	fprintf(f,
		"  },\n  \"derived\": {\"timing_overhead_ns\": %.2f, \"own_cost_mix_ns\": %.2f, "
		"\"hit_cost_ns\": %.2f},\n",
		dv->overhead_ns, dv->own_mix_ns, dv->hit_ns);
	fprintf(f, "  \"drain\": {\"pairs\": %zu, \"keys\": %zu, ", r->drain_pairs, r->drain_keys);
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
			       .cpu = -1 };
	while ((opt = getopt_long(argc, argv, "s:r:R:F:P:c:j:vh", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			err = parse_uint(optarg, MIN_SOURCES, 10000000, &o->sources);
			break;
		case 'r':
			err = parse_uint(optarg, 1, MAX_ROUNDS, &o->rounds);
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
		case 'c':
			err = parse_uint(optarg, 0, CPU_SETSIZE - 1, &cpu);
			o->cpu = (int)cpu;
			break;
		case 'j':
			o->json = optarg;
			break;
		case 'p':
			o->pass = optarg;
			err = strcmp(optarg, "scanwatch") && strcmp(optarg, "empty") ? -EINVAL : 0;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			fputs(bench_help, stdout);
			exit(0);
		default:
			fputs(bench_help, stderr);
			return -EINVAL;
		}
		if (err) {
			fprintf(stderr, "bench: bad value for -%c: %s\n", opt, optarg);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "bench: unexpected argument %s\n", argv[optind]);
		return -EINVAL;
	}
	return 0;
}

/* The test run measures the CPU it runs on; staying on one keeps caches and clocks comparable. */
static int pin_cpu(int want, int *cpu)
{
	cpu_set_t set;

	*cpu = want >= 0 ? want : sched_getcpu();
	if (*cpu < 0)
		return -errno;
	CPU_ZERO(&set);
	CPU_SET(*cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		return -errno;
	return 0;
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

static int bench_open(struct bench *b)
{
	struct sensor_config cfg = {
		.point = "bench",
		.mode = SW_REQ_AUTO,
		.max_pairs = b->opt.max_pairs,
		.max_keys = SW_DEFAULT_MAX_KEYS,
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
	b->sw = (struct target){ .name = "scanwatch",
				 .prog_fd = b->sensor.prog_fd,
				 .clock_ns = &b->sensor.skel->bss->replay_now_ns };
	b->base = (struct target){ .name = "empty",
				   .prog_fd = bpf_program__fd(b->empty->progs.empty_xdp) };
	err = hold_in_dispatcher(b->sw.prog_fd, &b->hold.ns_fd[0], &b->hold.link_fd[0]);
	if (!err)
		err = hold_in_dispatcher(b->base.prog_fd, &b->hold.ns_fd[1], &b->hold.link_fd[1]);
	if (err)
		fprintf(stderr,
			"bench: cannot attach the programs in a private network namespace, which "
			"keeps BPF_PROG_TEST_RUN from rebuilding the XDP dispatcher on every call: "
			"%s\n",
			strerror(-err));
	return err;
}

static void bench_close(struct bench *b)
{
	for (int i = 0; i < 2; i++) {
		if (b->hold.link_fd[i] >= 0)
			close(b->hold.link_fd[i]);
		if (b->hold.ns_fd[i] >= 0)
			close(b->hold.ns_fd[i]);
	}
	sensor_close(&b->sensor);
	empty_bpf__destroy(b->empty);
	drainer_free(&b->drainer);
	interval_free(&b->iv);
	mix_free(&b->mix);
}

int main(int argc, char **argv)
{
	static struct bench b; /* large: keep it off the stack */
	struct machine mc;
	struct derived dv;
	int err;

	b.hold = (struct hold){ .ns_fd = { -1, -1 }, .link_fd = { -1, -1 } };
	err = parse_args(argc, argv, &b.opt);
	if (err)
		return 2;
	sw_log_set_level(b.opt.verbose ? SW_LOG_DEBUG : SW_LOG_WARN);
	sw_log_libbpf();
	err = pin_cpu(b.opt.cpu, &b.cpu);
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
		const struct target *t = strcmp(b.opt.pass, "empty") ? &b.sw : &b.base;
		double ns;

		err = run_mix(t, &b.mix, 1, &ns);
		if (err)
			fprintf(stderr, "bench: BPF_PROG_TEST_RUN failed: %s\n", strerror(-err));
		else
			printf("%zu frames through %s, %.1f ns per packet\n", b.mix.n, t->name, ns);
		goto out;
	}
	/* The warm-up round fills the allocator caches and the JIT image into the caches. */
	for (unsigned int round = 0; round <= b.opt.rounds && !err; round++)
		err = round_once(&b, round, round > 0);
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
