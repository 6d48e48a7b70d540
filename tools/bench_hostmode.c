// SPDX-License-Identifier: GPL-2.0-only
/*
 * `make bench`, host mode: nanoseconds per packet of the XDP program loaded in host mode against
 * the same program in sensor mode, through BPF_PROG_TEST_RUN in one run, and of the egress
 * program that records the host's flows. The process moves to a network namespace of its own
 * first: the program's socket lookups search the namespace of the device a test run uses (that
 * namespace's loopback), so they are real lookups in the kernel's socket tables, which hold
 * only the listener this bench opens. Figures are information, never a verdict: the exit status
 * says only whether the bench could run and the programs counted what they were given.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "benchutil.h"
#include "drain.h"
#include "log.h"
#include "parse_num.h"
#include "pktcraft.h"
#include "scanwatch.skel.h"
#include "sensor.h"

#define BASE_TS_NS 1700000000000000000ull
#define LISTEN_PORT 8080

static const char help[] =
	"Usage: bench_hostmode [options]\n"
	"\n"
	"Nanoseconds per packet of scanwatch's XDP program in host mode and in sensor mode, and of\n"
	"its egress program, through BPF_PROG_TEST_RUN (one run per frame, repeat 1, the kernel's\n"
	"duration summed over the frames) in a private network namespace. Mixes:\n"
	"  scan       what a scanned host receives: SYNs to closed ports, UDP, echo requests,\n"
	"             backscatter (all unsolicited: host mode looks up the service list, the flow\n"
	"             table and the socket tables, misses all three, and counts)\n"
	"  replies    answers to flows the host started (the flow table hits first)\n"
	"  listener   SYNs and ACKs to a port the bench listens on (the socket lookup hits)\n"
	"  egress     the host's outbound packets: a new flow each, then the same again (refresh)\n"
	"Prints table rows and the figures as one JSON member, \"hostmode\": {...}, on one line\n"
	"(or as the object {\"hostmode\": {...}} in --json FILE). Needs root.\n"
	"\n"
	"  -n, --frames N           frames per mix (default 100000)\n"
	"  -r, --rounds N           measured rounds, medians reported (default 5)\n"
	"  -c, --cpu N              CPU to run on (default: the one we start on)\n"
	"  -j, --json FILE          write {\"hostmode\": {...}} to FILE\n"
	"\n"
	"Example:\n"
	"  sudo .output/tools/bench_hostmode --json bench-hostmode.json\n";

struct mix {
	uint8_t *buf;
	uint32_t *off;
	uint16_t *len;
	size_t n, cap;
};

static int mix_add(struct mix *m, const struct pkt_spec *sp)
{
	if (m->n == m->cap) {
		size_t ncap = m->cap ? m->cap * 2 : 4096;
		uint8_t *nb = realloc(m->buf, ncap * PKT_MAX);
		uint32_t *no = realloc(m->off, ncap * sizeof(*no));
		uint16_t *nl = realloc(m->len, ncap * sizeof(*nl));

		if (nb)
			m->buf = nb;
		if (no)
			m->off = no;
		if (nl)
			m->len = nl;
		if (!nb || !no || !nl)
			return -ENOMEM;
		m->cap = ncap;
	}
	m->off[m->n] = (uint32_t)(m->n * PKT_MAX);
	m->len[m->n] = (uint16_t)pkt_build(sp, m->buf + m->off[m->n]);
	m->n++;
	return 0;
}

static void mix_free(struct mix *m)
{
	free(m->buf);
	free(m->off);
	free(m->len);
	memset(m, 0, sizeof(*m));
}

static const uint8_t host4[4] = { 192, 0, 2, 1 };
static const uint8_t host6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };

/* A remote address: scattered IPv4 (never the host's /24) or, one time in ten, IPv6. */
static void remote(struct rng *r, struct pkt_spec *sp, uint8_t *addr)
{
	uint64_t x = rng_next(r);

	memset(addr, 0, 16);
	if (x % 10 == 0) {
		sp->v6 = true;
		memcpy(addr, (const uint8_t[]){ 0x20, 0x01, 0x0d, 0xb8, 0x0a }, 5);
		memcpy(addr + 8, &x, 8);
	} else {
		sp->v6 = false;
		addr[0] = 1 + (uint8_t)(x >> 8) % 190; /* below 192: never 192.0.2.0/24 */
		addr[1] = (uint8_t)(x >> 16);
		addr[2] = (uint8_t)(x >> 24);
		addr[3] = (uint8_t)(x >> 32);
	}
}

static void local(struct pkt_spec *sp, uint8_t *addr)
{
	memset(addr, 0, 16);
	memcpy(addr, sp->v6 ? host6 : host4, sp->v6 ? 16 : 4);
}

/* What a scanned host receives: every frame unsolicited. */
static int build_scan(struct mix *m, size_t n)
{
	static const uint16_t ports[] = { 445, 23, 22, 3389, 443, 1433, 135, 8080, 5555, 6379 };
	struct rng r = { .s = 0x5ca1ab1e };
	int err = 0;

	for (size_t i = 0; i < n && !err; i++) {
		struct pkt_spec sp = { .ttl = 50 };
		unsigned int k = rng_next(&r) % 100;

		remote(&r, &sp, sp.src);
		local(&sp, sp.dst);
		sp.sport = 1024 + rng_next(&r) % 60000;
		sp.dport = ports[rng_next(&r) % 10];
		if (sp.dport == LISTEN_PORT)
			sp.dport = 8081;
		if (k < 70) {
			sp.proto = IPPROTO_TCP;
			sp.tcp_flags = PKT_SYN;
		} else if (k < 85) {
			sp.proto = IPPROTO_UDP;
			sp.dport = 53 + k;
			sp.payload_len = 32;
		} else if (k < 93) {
			sp.proto = sp.v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
			sp.icmp_type = sp.v6 ? 128 : 8;
			sp.payload_len = 32;
		} else {
			sp.proto = IPPROTO_TCP;
			sp.tcp_flags = PKT_SYN | PKT_ACK;
			sp.sport = 80;
		}
		err = mix_add(m, &sp);
	}
	return err;
}

/*
 * Flows the host starts (out: one frame each) and what comes back (in): for TCP a SYN-ACK and
 * two ACKs, for UDP one answer, for a ping one echo reply.
 */
static int build_flows(struct mix *out, struct mix *in, size_t n)
{
	struct rng r = { .s = 0xf10e5 };
	int err = 0;

	for (size_t i = 0; in->n < n && !err; i++) {
		struct pkt_spec o = { .ttl = 64 }, a;
		unsigned int k = rng_next(&r) % 10;
		int replies = 1;

		remote(&r, &o, o.dst);
		local(&o, o.src);
		o.sport = 10000 + i % 50000;
		if (k < 6) {
			o.proto = IPPROTO_TCP;
			o.tcp_flags = PKT_SYN;
			o.dport = 443;
			replies = 3;
		} else if (k < 9) {
			o.proto = IPPROTO_UDP;
			o.dport = 53;
			o.payload_len = 40;
		} else {
			o.proto = o.v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
			o.icmp_type = o.v6 ? 128 : 8;
			o.sport = (uint16_t)i; /* identifier */
			o.dport = 1; /* sequence */
			o.payload_len = 32;
		}
		err = mix_add(out, &o);
		a = o;
		memcpy(a.src, o.dst, 16);
		memcpy(a.dst, o.src, 16);
		a.sport = o.dport;
		a.dport = o.sport;
		if (o.proto == IPPROTO_ICMP || o.proto == IPPROTO_ICMPV6) {
			a.icmp_type = o.v6 ? 129 : 0;
			a.sport = o.sport;
			a.dport = o.dport;
		}
		for (int j = 0; j < replies && !err; j++) {
			if (o.proto == IPPROTO_TCP)
				a.tcp_flags = j == 0 ? PKT_SYN | PKT_ACK : PKT_ACK;
			err = mix_add(in, &a);
		}
	}
	return err;
}

/* Clients of the bench's listener: SYNs and ACKs to LISTEN_PORT. */
static int build_listener(struct mix *m, size_t n)
{
	struct rng r = { .s = 0x115 };
	int err = 0;

	for (size_t i = 0; i < n && !err; i++) {
		struct pkt_spec sp = { .ttl = 60, .proto = IPPROTO_TCP };

		remote(&r, &sp, sp.src);
		local(&sp, sp.dst);
		sp.sport = 1024 + rng_next(&r) % 60000;
		sp.dport = LISTEN_PORT;
		sp.tcp_flags = i % 2 ? PKT_ACK : PKT_SYN;
		err = mix_add(m, &sp);
	}
	return err;
}

/* Mean of the kernel's durations over a mix, one test run per frame; verdicts checked. */
static int run_mix(int prog_fd, const struct cstate *clock, const struct mix *m, int want,
		   double *ns)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < m->n; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = m->buf + m->off[i],
			    .data_size_in = m->len[i], .repeat = 1);

		cstate_set_clock(clock, BASE_TS_NS + i * 1000);
		if (bpf_prog_test_run_opts(prog_fd, &o))
			return -errno;
		if ((int)o.retval != want)
			return -EPROTO;
		sum += o.duration;
	}
	*ns = (double)sum / (double)m->n;
	return 0;
}

enum row {
	ROW_SENSOR_SCAN,
	ROW_HOST_SCAN,
	ROW_HOST_REPLIES,
	ROW_HOST_LISTENER,
	ROW_EGRESS_NEW,
	ROW_EGRESS_REFRESH,
	ROW_FLOOR_XDP,
	ROW_FLOOR_TC,
	NROWS
};

static const char *const row_names[NROWS] = {
	"sensor mode, scan mix",
	"host mode, scan mix (all unsolicited)",
	"host mode, replies (flow hit)",
	"host mode, to a listener (socket hit)",
	"egress, new flow (LRU insert)",
	"egress, known flow (refresh)",
	"floor: empty XDP program, scan mix",
	"floor: empty tc program, egress mix",
};
static const char *const row_keys[NROWS] = {
	"sensor_scan", "host_scan",	 "host_replies", "host_listener",
	"egress_new",  "egress_refresh", "floor_xdp",	 "floor_tc",
};

struct bench {
	struct sensor sensor, host;
	struct drainer dsensor, dhost;
	struct sw_interval iv;
	struct mix scan, out, in, listener;
	struct series s[NROWS];
	unsigned int rounds;
	int cpu, listen_fd;
	/* Programs that only return: what a test run costs with no program work in it. */
	int floor_xdp_fd, floor_tc_fd;
	const char *json;
};

/* Keeps the interval tables from growing over the rounds; checks what the program counted. */
static int drain_check(struct drainer *d, struct sensor *s, struct sw_interval *iv,
		       uint64_t want_packets, uint64_t want_solicited)
{
	int err = drain_interval(d, s, iv);

	if (err) {
		fprintf(stderr, "bench_hostmode: %s\n", s->errmsg);
		return err;
	}
	if (iv->stats[SW_STAT_PACKETS] != want_packets ||
	    iv->stats[SW_STAT_SOLICITED_FLOW] + iv->stats[SW_STAT_SOLICITED_SOCKET] !=
		    want_solicited) {
		fprintf(stderr,
			"bench_hostmode: the program saw %" PRIu64 " packets, %" PRIu64
			" solicited; expected %" PRIu64 " and %" PRIu64 "\n",
			iv->stats[SW_STAT_PACKETS],
			iv->stats[SW_STAT_SOLICITED_FLOW] + iv->stats[SW_STAT_SOLICITED_SOCKET],
			want_packets, want_solicited);
		return -EPROTO;
	}
	return 0;
}

static int empty_flows(struct sensor *s)
{
	struct sw_flow k;

	while (!bpf_map_get_next_key(s->flows_fd, NULL, &k))
		if (bpf_map_delete_elem(s->flows_fd, &k))
			return -errno;
	return 0;
}

static int round_once(struct bench *b, bool record)
{
	const struct cstate *cs = &b->sensor.cs, *ch = &b->host.cs;
	double v[NROWS];
	int err;

	err = empty_flows(&b->host);
	if (!err)
		err = run_mix(b->sensor.prog_fd, cs, &b->scan, XDP_PASS, &v[ROW_SENSOR_SCAN]);
	if (!err)
		err = drain_check(&b->dsensor, &b->sensor, &b->iv, b->scan.n, 0);
	if (!err)
		err = run_mix(b->host.prog_fd, ch, &b->scan, XDP_PASS, &v[ROW_HOST_SCAN]);
	if (!err)
		err = drain_check(&b->dhost, &b->host, &b->iv, b->scan.n, 0);
	/* TC_ACT_UNSPEC (-1): the egress program never changes a packet's fate. */
	if (!err)
		err = run_mix(b->host.egress_prog_fd, ch, &b->out, -1, &v[ROW_EGRESS_NEW]);
	if (!err)
		err = run_mix(b->host.egress_prog_fd, ch, &b->out, -1, &v[ROW_EGRESS_REFRESH]);
	if (!err)
		err = run_mix(b->host.prog_fd, ch, &b->in, XDP_PASS, &v[ROW_HOST_REPLIES]);
	if (!err)
		err = drain_check(&b->dhost, &b->host, &b->iv, b->in.n, b->in.n);
	if (!err)
		err = run_mix(b->host.prog_fd, ch, &b->listener, XDP_PASS, &v[ROW_HOST_LISTENER]);
	if (!err)
		err = drain_check(&b->dhost, &b->host, &b->iv, b->listener.n, b->listener.n);
	if (!err)
		err = run_mix(b->floor_xdp_fd, ch, &b->scan, XDP_PASS, &v[ROW_FLOOR_XDP]);
	if (!err)
		err = run_mix(b->floor_tc_fd, ch, &b->out, -1, &v[ROW_FLOOR_TC]);
	if (err)
		return err;
	if (record)
		for (int i = 0; i < NROWS; i++)
			series_add(&b->s[i], v[i]);
	return 0;
}

static int open_both(struct bench *b)
{
	struct sensor_config cfg = {
		.point = "bench",
		.max_pairs = SW_DEFAULT_MAX_PAIRS,
		.max_keys = SW_DEFAULT_MAX_KEYS,
		.interval_s = 60,
		.flow_table_size = 262144,
	};
	int err = sensor_open_replay(&b->sensor, &cfg);

	if (!err) {
		cfg.host_mode = true;
		err = sensor_open_replay(&b->host, &cfg);
		if (err)
			fprintf(stderr, "bench_hostmode: %s\n", b->host.errmsg);
	} else {
		fprintf(stderr, "bench_hostmode: %s\n", b->sensor.errmsg);
	}
	if (err)
		return err;
	drainer_init(&b->dsensor, b->sensor.ncpus, 1);
	drainer_init(&b->dhost, b->host.ncpus, 1);
	return 0;
}

/* r0 = verdict; exit */
static int load_floor(enum bpf_prog_type type, int verdict)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = verdict },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd = bpf_prog_load(type, NULL, "GPL", insns, 2, NULL);

	return fd < 0 ? -errno : fd;
}

static int listen_on(int port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	int fd = socket(AF_INET6, SOCK_STREAM, 0), off = 0;

	if (fd < 0)
		return -errno;
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 16)) {
		close(fd);
		return -errno;
	}
	return fd;
}

static void print_report(const struct bench *b)
{
	double ss = series_median(&b->s[ROW_SENSOR_SCAN]), hs = series_median(&b->s[ROW_HOST_SCAN]);
	double tf = series_median(&b->s[ROW_FLOOR_TC]);

	printf("scanwatch host-mode bench: %zu scan frames, %zu flows (%zu replies), %zu listener "
	       "frames, CPU %d, %u rounds, median [min-max] ns per packet, one test run per frame "
	       "(the kernel's timing of each call included, the same in every row)\n",
	       b->scan.n, b->out.n, b->in.n, b->listener.n, b->cpu, b->s[0].n);
	for (int i = 0; i < NROWS; i++)
		printf("  %-40s %7.1f [%6.1f-%6.1f]\n", row_names[i], series_median(&b->s[i]),
		       series_min(&b->s[i]), series_max(&b->s[i]));
	printf("%-48s %7.1f ns/pkt  sensor %7.1f ns/pkt  +%.1f ns  ratio %.2f\n",
	       "host mode vs sensor mode (scan mix)", hs, ss, hs - ss, hs / ss);
	printf("%-48s %7.1f ns/pkt  (refresh %.1f; each less the empty tc program's floor)\n",
	       "egress program's own cost, new flow", series_median(&b->s[ROW_EGRESS_NEW]) - tf,
	       series_median(&b->s[ROW_EGRESS_REFRESH]) - tf);
}

static int write_json(const struct bench *b, FILE *f, bool object)
{
	double ss = series_median(&b->s[ROW_SENSOR_SCAN]), hs = series_median(&b->s[ROW_HOST_SCAN]);

	fprintf(f,
		"%s\"hostmode\": {\"frames\": {\"scan\": %zu, \"flows\": %zu, \"replies\": %zu, "
		"\"listener\": %zu}, \"rounds\": %u, \"ns_per_packet\": {",
		object ? "{" : "", b->scan.n, b->out.n, b->in.n, b->listener.n, b->s[0].n);
	for (int i = 0; i < NROWS; i++)
		fprintf(f, "%s\"%s\": {\"median\": %.2f, \"min\": %.2f, \"max\": %.2f}",
			i ? ", " : "", row_keys[i], series_median(&b->s[i]), series_min(&b->s[i]),
			series_max(&b->s[i]));
	fprintf(f,
		"}, \"host_over_sensor_scan\": {\"ratio\": %.3f, \"extra_ns\": %.2f}, \"method\": "
		"\"BPF_PROG_TEST_RUN, repeat 1 per frame, in a private network namespace whose only "
		"socket is the bench's listener: socket lookups are real kernel lookups, in tables "
		"far emptier than a busy host's\"}%s\n",
		hs / ss, hs - ss, object ? "}" : "");
	return ferror(f) ? -EIO : 0;
}

static int parse_args(struct bench *b, int argc, char **argv, unsigned int *frames, int *cpu)
{
	static const struct option opts[] = { { "frames", required_argument, NULL, 'n' },
					      { "rounds", required_argument, NULL, 'r' },
					      { "cpu", required_argument, NULL, 'c' },
					      { "json", required_argument, NULL, 'j' },
					      { "help", no_argument, NULL, 'h' },
					      {} };
	unsigned int u;
	int opt;

	while ((opt = getopt_long(argc, argv, "n:r:c:j:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			if (parse_uint(optarg, 1000, 10000000, frames))
				goto bad;
			break;
		case 'r':
			if (parse_uint(optarg, 1, BENCH_MAX_ROUNDS, &b->rounds))
				goto bad;
			break;
		case 'c':
			if (parse_uint(optarg, 0, CPU_SETSIZE - 1, &u))
				goto bad;
			*cpu = (int)u;
			break;
		case 'j':
			b->json = optarg;
			break;
		default:
			return bench_opt_other(opt, help);
		}
	}
	if (optind == argc)
		return 0;
bad:
	fprintf(stderr, "bench_hostmode: bad option or value (see --help)\n");
	return -EINVAL;
}

int main(int argc, char **argv)
{
	static struct bench b;
	unsigned int frames = 100000;
	int cpu = -1, err;

	b.rounds = 5;
	b.listen_fd = b.floor_xdp_fd = b.floor_tc_fd = -1;
	if (parse_args(&b, argc, argv, &frames, &cpu))
		return 2;
	sw_log_set_level(SW_LOG_WARN);
	sw_log_libbpf();
	err = bench_pin_cpu(cpu, &b.cpu);
	if (err) {
		fprintf(stderr, "bench_hostmode: cannot pin to a CPU: %s\n", strerror(-err));
		return 1;
	}
	/* Our own namespace: the socket lookups see the bench's listener and nothing else. */
	if (unshare(CLONE_NEWNET)) {
		fprintf(stderr, "bench_hostmode: needs root for a private network namespace: %s\n",
			strerror(errno));
		return 1;
	}
	b.listen_fd = listen_on(LISTEN_PORT);
	err = b.listen_fd < 0 ? b.listen_fd : 0;
	if (!err)
		err = build_scan(&b.scan, frames);
	if (!err)
		err = build_flows(&b.out, &b.in, frames);
	if (!err)
		err = build_listener(&b.listener, frames);
	if (err) {
		fprintf(stderr, "bench_hostmode: cannot set up: %s\n", strerror(-err));
		goto out;
	}
	err = open_both(&b);
	if (err)
		goto out;
	b.floor_xdp_fd = load_floor(BPF_PROG_TYPE_XDP, XDP_PASS);
	b.floor_tc_fd = load_floor(BPF_PROG_TYPE_SCHED_CLS, -1);
	if (b.floor_xdp_fd < 0 || b.floor_tc_fd < 0) {
		err = b.floor_xdp_fd < 0 ? b.floor_xdp_fd : b.floor_tc_fd;
		fprintf(stderr, "bench_hostmode: cannot load the empty programs: %s\n",
			strerror(-err));
		goto out;
	}
	/* A warm-up round, then the measured ones. */
	for (unsigned int r = 0; r <= b.rounds && !err; r++)
		err = round_once(&b, r > 0);
	if (err) {
		if (err != -EPROTO)
			fprintf(stderr, "bench_hostmode: BPF_PROG_TEST_RUN failed: %s\n",
				strerror(-err));
		goto out;
	}
	print_report(&b);
	if (b.json) {
		FILE *f = fopen(b.json, "w");

		err = f ? write_json(&b, f, true) : -errno;
		if (f && fclose(f) && !err)
			err = -errno;
		if (err)
			fprintf(stderr, "bench_hostmode: cannot write %s: %s\n", b.json,
				strerror(-err));
	} else {
		err = write_json(&b, stdout, false);
	}
out:
	if (b.listen_fd >= 0)
		close(b.listen_fd);
	if (b.floor_xdp_fd >= 0)
		close(b.floor_xdp_fd);
	if (b.floor_tc_fd >= 0)
		close(b.floor_tc_fd);
	sensor_close(&b.sensor);
	sensor_close(&b.host);
	drainer_free(&b.dsensor);
	drainer_free(&b.dhost);
	interval_free(&b.iv);
	mix_free(&b.scan);
	mix_free(&b.out);
	mix_free(&b.in);
	mix_free(&b.listener);
	return err ? 1 : 0;
}
