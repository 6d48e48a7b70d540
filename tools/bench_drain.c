// SPDX-License-Identifier: GPL-2.0-only
/*
 * `make bench`, target "drain of 1 000 000 (source, key) pairs": fills the real counting
 * state with N distinct pairs through the XDP program itself (BPF_PROG_TEST_RUN, one frame a
 * pair: a million log records), then drains them as the daemon does (drain_flip waiting for
 * running programs, drain_read, drain_clear) and reports the time of each step and the
 * process's peak resident memory. Frames are made one at a time, so the process holds no more
 * than a daemon would. The first drain touches its buffers for the first time, which a daemon
 * pays once: it is reported apart, and the verdict reads the later rounds' median.
 * Figures are information, never a verdict: the exit status only says whether the bench ran
 * and the drain returned exactly the pairs and packets sent.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <unistd.h>
#include <netinet/in.h>

#include "benchutil.h"
#include "drain.h"
#include "log.h"
#include "parse_num.h"
#include "pktcraft.h"
#include "sensor.h"

#define TARGET_S 0.1
#define TARGET_RSS_MB 150.0
#define KEYS_PER_SOURCE 4
#define MAX_ROUNDS 9

static const char help[] =
	"Usage: bench_drain [options]\n"
	"\n"
	"Time and memory of draining N distinct (source, key) pairs from the sensor's tables:\n"
	"the tables are filled through the XDP program (BPF_PROG_TEST_RUN, one frame a pair),\n"
	"then flipped, read and cleared as the daemon does it. Prints a table row like\n"
	"tools/bench's, then the figures as one JSON member, \"drain\": {...}, on one line (or as\n"
	"the object {\"drain\": {...}} in --json FILE). Needs root.\n"
	"\n"
	"  -n, --pairs N          distinct pairs (default 1000000)\n"
	"  -P, --max-pairs N      size of the pair tables (default 1048576, as 'run')\n"
	"  -r, --rounds R         fills and drains; the first is reported apart, the median of\n"
	"                         the others is the figure (default 3)\n"
	"  -c, --cpu N            CPU to run on (default: the one we start on)\n"
	"  -j, --json FILE        write {\"drain\": {...}} to FILE instead of the line on stdout\n"
	"\n"
	"Example:\n"
	"  sudo .output/tools/bench_drain --pairs 1000000\n";

struct opts {
	unsigned int pairs, max_pairs, rounds;
	int cpu;
	const char *json;
};

struct round {
	double fill_s, flip_ms, read_ms, clear_ms, total_s, cpu_s;
	long rss_before_kb, hwm_kb;
};

/* The peak so far is forgotten, so that VmHWM then tells the drain's own peak. */
static void reset_peak(void)
{
	FILE *f = fopen("/proc/self/clear_refs", "w");

	if (f) {
		fputs("5", f);
		fclose(f);
	}
}

static const uint16_t tcp_ports[] = { 445, 23,	 22,   80,   3389,  443,   8080, 1433,
				      135, 139,	 5555, 2323, 8443,  3306,  5900, 6379,
				      81,  8000, 8888, 7547, 37215, 52869, 25,	 21,
				      110, 143,	 9200, 5432, 27017, 11211, 1723, 502 };
static const uint16_t udp_ports[] = { 53, 123, 161, 1900, 5060, 137, 500, 389 };

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Pair i: source i / 4, the (i % 4)-th of that source's keys (a source scanning four services,
 * as busy scanners do); one source in twenty is IPv6. Distinct i give distinct pairs.
 */
static size_t make_frame(uint32_t i, uint8_t *buf)
{
	uint32_t src = i / KEYS_PER_SOURCE, k = i % KEYS_PER_SOURCE, a = bench_spread32(src);
	struct pkt_spec sp = { .ttl = 64, .tcp_flags = PKT_SYN, .sport = 40000 + (a & 0x3ff) };

	if (src % 20 == 19) {
		sp.v6 = true;
		memcpy(sp.src, (const uint8_t[]){ 0x20, 0x01, 0x0d, 0xb8, 0x0b }, 5);
		memcpy(sp.src + 12, &src, 4);
		memcpy(sp.dst, (const uint8_t[]){ 0x20, 0x01, 0x0d, 0xb8, 0, 5 }, 6);
		sp.dst[15] = 1;
	} else {
		/* Kept out of 192.0.2.0/24, the sensor's own prefix here. */
		if ((a & 0xffffff00u) == 0xc0000200u)
			a ^= 0x01000000u;
		sp.src[0] = a >> 24;
		sp.src[1] = a >> 16;
		sp.src[2] = a >> 8;
		sp.src[3] = a;
		memcpy(sp.dst, (const uint8_t[]){ 192, 0, 2, (uint8_t)(a >> 24) }, 4);
	}
	/* Four distinct keys per source: the slot k picks from its own quarter of the list. */
	if (k == 3 && (a & 1)) {
		sp.proto = IPPROTO_UDP;
		sp.dport = udp_ports[(a >> 8) % NELEM(udp_ports)];
		sp.payload_len = 20;
	} else {
		sp.proto = IPPROTO_TCP;
		sp.dport = tcp_ports[k * (NELEM(tcp_ports) / KEYS_PER_SOURCE) +
				     (a >> 12) % (NELEM(tcp_ports) / KEYS_PER_SOURCE)];
		sp.seq = a;
		sp.ip_id = (uint16_t)(a >> 7);
	}
	return pkt_build(&sp, buf);
}

static int fill(struct sensor *s, unsigned int pairs)
{
	uint8_t buf[PKT_MAX];

	for (uint32_t i = 0; i < pairs; i++) {
		size_t len = make_frame(i, buf);
		/* Capture times spread over a minute, as one interval's packets are. */
		int ret = sensor_run_packet(s, buf, (uint32_t)len,
					    1700000000000000000ull + (uint64_t)i * 60000);

		if (ret < 0)
			return ret;
		if (ret != 2 /* XDP_PASS */)
			return -EPROTO;
	}
	return 0;
}

static int one_round(struct sensor *s, struct drainer *d, struct sw_interval *iv,
		     unsigned int pairs, struct round *r)
{
	uint64_t keyed = 0;
	double t0, c0, ms[3];
	int err;

	t0 = bench_now_s();
	err = fill(s, pairs);
	if (err) {
		fprintf(stderr, "bench_drain: filling the tables: %s\n",
			err == -EPROTO ? "the program did not pass a frame" : s->errmsg);
		return err;
	}
	r->fill_s = bench_now_s() - t0;
	r->rss_before_kb = bench_status_kb("VmRSS");
	reset_peak();
	c0 = bench_cpu_s();
	err = bench_drain_timed(d, s, iv, ms);
	r->cpu_s = bench_cpu_s() - c0;
	if (err) {
		fprintf(stderr, "bench_drain: %s\n", s->errmsg);
		return err;
	}
	r->hwm_kb = bench_status_kb("VmHWM");
	r->flip_ms = ms[0];
	r->read_ms = ms[1];
	r->clear_ms = ms[2];
	r->total_s = (ms[0] + ms[1] + ms[2]) / 1e3;
	for (size_t i = 0; i < iv->nkeys; i++)
		keyed += iv->keys[i].val.packets;
	if (iv->npairs != pairs || iv->stats[SW_STAT_PACKETS] != pairs || keyed != pairs ||
	    interval_dropped(iv)) {
		fprintf(stderr,
			"bench_drain: the drain returned %zu pairs, %" PRIu64 " packets (%" PRIu64
			" in keys), %" PRIu64 " dropped; %u of each were sent, 0 dropped\n",
			iv->npairs, iv->stats[SW_STAT_PACKETS], keyed, interval_dropped(iv), pairs);
		return -EPROTO;
	}
	return 0;
}

static int cmp_round(const void *a, const void *b)
{
	double x = ((const struct round *)a)->cpu_s, y = ((const struct round *)b)->cpu_s;

	return x < y ? -1 : x > y;
}

static int parse_args(struct opts *o, int argc, char **argv)
{
	static const struct option lo[] = { { "pairs", required_argument, NULL, 'n' },
					    { "max-pairs", required_argument, NULL, 'P' },
					    { "rounds", required_argument, NULL, 'r' },
					    { "cpu", required_argument, NULL, 'c' },
					    { "json", required_argument, NULL, 'j' },
					    { "help", no_argument, NULL, 'h' },
					    {} };
	unsigned int cpu;
	int opt, err = 0;

	*o = (struct opts){
		.pairs = 1000000, .max_pairs = SW_DEFAULT_MAX_PAIRS, .rounds = 3, .cpu = -1
	};
	while ((opt = getopt_long(argc, argv, "n:P:r:c:j:h", lo, NULL)) != -1) {
		switch (opt) {
		case 'n':
			err = parse_uint(optarg, 1, 1u << 26, &o->pairs);
			break;
		case 'P':
			err = parse_uint(optarg, 1024, 1u << 28, &o->max_pairs);
			break;
		case 'r':
			err = parse_uint(optarg, 1, MAX_ROUNDS, &o->rounds);
			break;
		case 'c':
			err = parse_uint(optarg, 0, CPU_SETSIZE - 1, &cpu);
			o->cpu = (int)cpu;
			break;
		case 'j':
			o->json = optarg;
			break;
		default:
			return bench_opt_other(opt, help);
		}
		if (err)
			return bench_bad_value("bench_drain", opt, optarg);
	}
	err = bench_no_args("bench_drain", argc, argv);
	if (err)
		return err;
	if (o->pairs > o->max_pairs) {
		fprintf(stderr, "bench_drain: --pairs %u do not fit tables of %u\n", o->pairs,
			o->max_pairs);
		return -EINVAL;
	}
	return 0;
}

/*
 * The verdict reads CPU time: on a shared machine the wall time also holds waits for a CPU that
 * other tasks cause; both are printed.
 */
static void report(const struct opts *o, const struct round *m, const struct round *first,
		   long rss_open_kb)
{
	double peak_mb = m->hwm_kb / 1024.0;
	bool pass = m->cpu_s <= TARGET_S && peak_mb <= TARGET_RSS_MB;
	char label[64];
	FILE *f = stdout;

	printf("%-40s %9s %9s %11s %9s  %s\n", "", "drain s", "CPU s", "peak RSS MB", "before MB",
	       "target <=0.1 s, <=150 MB");
	snprintf(label, sizeof(label), "drain: %u pairs (flip+read+clear)", o->pairs);
	printf("%-40s %9.3f %9.3f %11.1f %9.1f  %s\n", label, m->total_s, m->cpu_s, peak_mb,
	       m->rss_before_kb / 1024.0, pass ? "PASS" : "MISS");
	printf("  flip %.1f ms (waits for running programs), read %.1f ms, clear %.1f ms; "
	       "resident after loading %.1f MB; filling took %.2f s\n",
	       m->flip_ms, m->read_ms, m->clear_ms, rss_open_kb / 1024.0, m->fill_s);
	printf("  first drain (its buffers touched for the first time): %.3f s, CPU %.3f s\n",
	       first->total_s, first->cpu_s);
	if (o->json) {
		f = fopen(o->json, "w");
		if (!f) {
			fprintf(stderr, "bench_drain: cannot write %s: %s\n", o->json,
				strerror(errno));
			return;
		}
		fputs("{", f);
	}
	fprintf(f,
		"\"drain\": {\"pairs\": %u, \"rounds\": %u, \"total_s\": %.4f, \"flip_ms\": %.2f, "
		"\"read_ms\": %.2f, \"clear_ms\": %.2f, \"cpu_s\": %.4f, \"fill_s\": %.3f, \"rss_open_kb\": %ld, "
		"\"rss_before_drain_kb\": %ld, \"peak_rss_kb\": %ld, \"first_total_s\": %.4f, "
		"\"first_cpu_s\": %.4f, \"target_s\": %.1f, \"target_rss_mb\": %.0f, "
		"\"verdict_reads\": \"cpu_s\", \"within_target\": %s}",
		o->pairs, o->rounds, m->total_s, m->flip_ms, m->read_ms, m->clear_ms, m->cpu_s,
		m->fill_s, rss_open_kb, m->rss_before_kb, m->hwm_kb, first->total_s, first->cpu_s,
		TARGET_S, TARGET_RSS_MB, pass ? "true" : "false");
	if (o->json) {
		fputs("}\n", f);
		fclose(f);
	} else {
		fputs("\n", f);
	}
}

int main(int argc, char **argv)
{
	struct sensor_config cfg = { .point = "bench",
				     .mode = SW_REQ_AUTO,
				     .max_keys = SW_DEFAULT_MAX_KEYS,
				     .interval_s = 60 };
	struct round rounds[MAX_ROUNDS];
	struct sw_interval iv = { 0 };
	struct sensor s = { 0 };
	struct drainer d;
	struct opts o;
	long rss_open_kb;
	int cpu, err;

	if (parse_args(&o, argc, argv))
		return 2;
	sw_log_set_level(SW_LOG_WARN);
	sw_log_libbpf();
	err = bench_pin_cpu(o.cpu, &cpu);
	if (err) {
		fprintf(stderr, "bench_drain: cannot pin to a CPU: %s\n", strerror(-err));
		return 1;
	}
	cfg.max_pairs = o.max_pairs;
	err = sensor_open_replay(&s, &cfg);
	if (err) {
		fprintf(stderr, "bench_drain: %s\n", s.errmsg);
		return 1;
	}
	/* The live daemon's flip waits for programs still running: so does this one. */
	s.flip_waits = true;
	drainer_init(&d, s.ncpus, 1);
	rss_open_kb = bench_status_kb("VmRSS");
	for (unsigned int i = 0; i < o.rounds && !err; i++)
		err = one_round(&s, &d, &iv, o.pairs, &rounds[i]);
	if (!err) {
		struct round first = rounds[0];
		size_t later = o.rounds > 1 ? o.rounds - 1 : 1;
		struct round *r = o.rounds > 1 ? rounds + 1 : rounds;

		qsort(r, later, sizeof(rounds[0]), cmp_round);
		report(&o, &r[later / 2], &first, rss_open_kb);
	}
	interval_free(&iv);
	drainer_free(&d);
	sensor_close(&s);
	return err ? 1 : 0;
}
