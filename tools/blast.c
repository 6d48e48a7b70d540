// SPDX-License-Identifier: GPL-2.0-only
/*
 * `make bench`'s fast sender: the bench's mix of a sensor's traffic (tools/lib/benchmix.h), sent
 * on an interface as fast as the receiver takes it, through an AF_PACKET socket in batches of
 * sendmmsg(2), or (--xdp) as XDP frames redirected out of a veth, which reach its peer the way a
 * NIC's driver hands frames to XDP: in a page with XDP's headroom, nothing to copy. Bounded by a
 * frame count and a time limit; refuses to run outside a named network namespace (ip netns add). Destinations are 192.0.2.0/24 and 2001:db8:5::/64 (sources are
 * spoofed, as scanners' are); the destination MAC is one no interface has, so the receiving
 * stack drops every frame at its first look.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/if_packet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench_batch.h"
#include "benchbatch.h"
#include "benchmix.h"
#include "benchutil.h"
#include "parse_num.h"

#define MAX_COUNT 20000000u
#define MAX_BATCH 1024u
/* Frames a live-frames test run sends (in batches of --batch): each call sets up a page pool. */
#define XDP_CALL_FRAMES 65536u
/* The mix has 1.854 frames a source: with count / 1.84 sources no frame of a run repeats. */
#define FRAMES_PER_100_SOURCES 184u

static const char help[] =
	"Usage: blast --iface IF --count N [options]\n"
	"\n"
	"Sends N frames of the bench's mix (the sources and keys tools/bench runs through\n"
	"BPF_PROG_TEST_RUN) on IF, as fast as the device takes them, and prints how many went\n"
	"and how long it took. A full device queue (the receiver behind) is waited out, never\n"
	"dropped: every frame is sent. Run it inside a network namespace (ip netns exec).\n"
	"\n"
	"  -i, --iface IF        interface to send on\n"
	"  -c, --count N         frames to send (at most 20000000)\n"
	"  -s, --sources S       distinct sources of the mix (default: enough that no frame\n"
	"                        repeats within N; the mix is cycled when it is shorter)\n"
	"  -S, --salt K          0-255: mixes of other salts have other sources (default 0)\n"
	"  -b, --batch B         frames per sendmmsg call, or per XDP batch (default 64)\n"
	"  -x, --xdp             send as XDP frames redirected out of IF (a veth: its peer\n"
	"                        receives them as from a NIC's driver, without the copy a\n"
	"                        socket's frame gets before the peer's XDP program sees it);\n"
	"                        the peer's NAPI thread must preempt the sender (a higher\n"
	"                        real-time priority), or its full queue drops frames, which\n"
	"                        are counted and fail the run\n"
	"  -C, --cpu N           run on CPU N\n"
	"  -t, --max-time S      stop after S seconds whatever was sent, and fail (default 30)\n"
	"  -j, --json            print the figures as one JSON object\n"
	"\n"
	"Example:\n"
	"  ip netns exec snd blast -i veth0 -c 1000000 -C 0 --json\n";

struct opts {
	const char *ifname;
	unsigned int count, sources, salt, batch, max_time_s;
	int cpu;
	bool json, xdp;
};

static int parse_args(struct opts *o, int argc, char **argv)
{
	static const struct option lo[] = { { "iface", required_argument, NULL, 'i' },
					    { "count", required_argument, NULL, 'c' },
					    { "sources", required_argument, NULL, 's' },
					    { "salt", required_argument, NULL, 'S' },
					    { "batch", required_argument, NULL, 'b' },
					    { "cpu", required_argument, NULL, 'C' },
					    { "max-time", required_argument, NULL, 't' },
					    { "json", no_argument, NULL, 'j' },
					    { "xdp", no_argument, NULL, 'x' },
					    { "help", no_argument, NULL, 'h' },
					    {} };
	unsigned int cpu;
	int opt, err = 0;

	*o = (struct opts){ .batch = 64, .max_time_s = 30, .cpu = -1 };
	while ((opt = getopt_long(argc, argv, "i:c:s:S:b:C:t:jxh", lo, NULL)) != -1) {
		switch (opt) {
		case 'i':
			o->ifname = optarg;
			break;
		case 'c':
			err = parse_uint(optarg, 1, MAX_COUNT, &o->count);
			break;
		case 's':
			err = parse_uint(optarg, 1, 1u << 24, &o->sources);
			break;
		case 'S':
			err = parse_uint(optarg, 0, 255, &o->salt);
			break;
		case 'b':
			err = parse_uint(optarg, 1, MAX_BATCH, &o->batch);
			break;
		case 'C':
			err = parse_uint(optarg, 0, CPU_SETSIZE - 1, &cpu);
			o->cpu = (int)cpu;
			break;
		case 't':
			err = parse_uint(optarg, 1, 600, &o->max_time_s);
			break;
		case 'j':
			o->json = true;
			break;
		case 'x':
			o->xdp = true;
			break;
		default:
			return bench_opt_other(opt, help);
		}
		if (err)
			return bench_bad_value("blast", opt, optarg);
	}
	if (optind < argc || !o->ifname || !o->count) {
		fprintf(stderr, "blast: --iface and --count are required, nothing else\n");
		return -EINVAL;
	}
	if (!o->sources)
		o->sources = o->count / FRAMES_PER_100_SOURCES * 100 + 100;
	if (o->sources > 1u << 24)
		o->sources = 1u << 24;
	return 0;
}

/*
 * Spoofed sources are for namespaces made for the purpose, never for the host's own network:
 * the sender must be in a named namespace (ip netns add, so /run/netns/NAME), as every
 * namespace the bench and the tests make is.
 */
static int check_namespace(void)
{
	struct stat self, ns;
	struct dirent *de;
	char path[512];
	DIR *d;
	int found = 0;

	if (stat("/proc/self/ns/net", &self))
		return -errno;
	d = opendir("/run/netns");
	while (d && (de = readdir(d)) && !found) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/run/netns/%s", de->d_name);
		found = !stat(path, &ns) && ns.st_ino == self.st_ino && ns.st_dev == self.st_dev;
	}
	if (d)
		closedir(d);
	if (!found) {
		fprintf(stderr, "blast: refusing to send outside a named network namespace; run it "
				"with ip netns exec in one made for the purpose\n");
		return -EPERM;
	}
	return 0;
}

static int open_socket(const char *ifname)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	int fd, one = 1;

	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (!sll.sll_ifindex) {
		fprintf(stderr, "blast: no interface %s: %s\n", ifname, strerror(errno));
		return -ENODEV;
	}
	/* Protocol 0: the socket sends only, so the sender's kernel copies nothing back to it. */
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sll, sizeof(sll)) ||
	    /* No qdisc: a veth has none, and a full ring must push back here, not drop. */
	    setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one))) {
		int err = -errno;

		fprintf(stderr, "blast: AF_PACKET socket on %s: %s\n", ifname, strerror(errno));
		if (fd >= 0)
			close(fd);
		return err;
	}
	return fd;
}

struct result {
	uint64_t sent, waits, dropped;
	double seconds, cpu_s;
};

/*
 * The device refuses a frame (ENOBUFS) while its queue is stopped, i.e. while the receiver's
 * ring is full; the frame is offered again until it goes, so that the count is exact and the
 * rate is the receiver's.
 */
static int send_all(const struct opts *o, const struct mix *m, int fd, struct result *r)
{
	struct mmsghdr *vec = calloc(o->batch, sizeof(*vec));
	struct iovec *iov = calloc(o->batch, sizeof(*iov));
	double t0, c0, deadline;
	uint64_t next = 0;
	int err = 0;

	if (!vec || !iov) {
		free(vec);
		free(iov);
		return -ENOMEM;
	}
	c0 = bench_cpu_s();
	t0 = bench_now_s();
	deadline = t0 + o->max_time_s;
	while (next < o->count) {
		unsigned int n =
			o->count - next < o->batch ? (unsigned int)(o->count - next) : o->batch;
		int k;

		for (unsigned int j = 0; j < n; j++) {
			const struct frame *f = &m->frames[(next + j) % m->n];

			iov[j] = (struct iovec){ .iov_base = m->buf + f->off, .iov_len = f->len };
			vec[j].msg_hdr = (struct msghdr){ .msg_iov = &iov[j], .msg_iovlen = 1 };
		}
		k = sendmmsg(fd, vec, n, 0);
		if (k > 0) {
			next += (unsigned int)k;
			continue;
		}
		if (k < 0 && errno != ENOBUFS && errno != EAGAIN && errno != EINTR) {
			err = -errno;
			fprintf(stderr, "blast: send failed after %" PRIu64 " frames: %s\n", next,
				strerror(errno));
			break;
		}
		r->waits++;
		if (bench_now_s() > deadline) {
			fprintf(stderr, "blast: --max-time %u s reached after %" PRIu64 " frames\n",
				o->max_time_s, next);
			err = -ETIMEDOUT;
			break;
		}
		sched_yield();
	}
	r->seconds = bench_now_s() - t0;
	r->cpu_s = bench_cpu_s() - c0;
	r->sent = next;
	free(vec);
	free(iov);
	return err;
}

/* A veth's counters of what its peer took and what it could not (a full ring there). */
struct tx_count {
	uint64_t packets, dropped;
};

static int read_counter(const char *ifname, const char *name, uint64_t *out)
{
	char path[128];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/%s", ifname, name);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	ok = fscanf(f, "%" SCNu64, out) == 1;
	fclose(f);
	return ok ? 0 : -EIO;
}

static int read_tx(const char *ifname, struct tx_count *c)
{
	int err = read_counter(ifname, "tx_packets", &c->packets);

	return err ? err : read_counter(ifname, "tx_dropped", &c->dropped);
}

/*
 * Frames the peer took since `before`, once they are all in or after a second: the peer's NAPI
 * may still be polling the last batch. A peer whose NAPI is off (no XDP program, GRO off)
 * takes none, and the redirect drops them where no counter of the veth sees it.
 */
static int delivered(const char *ifname, const struct tx_count *before, uint64_t want,
		     struct tx_count *now)
{
	double deadline = bench_now_s() + 1;
	int err;

	while (!(err = read_tx(ifname, now)) && now->packets - before->packets < want &&
	       bench_now_s() < deadline)
		sched_yield();
	return err;
}

/*
 * BPF_PROG_TEST_RUN in live-frames mode: each run of the batch driver writes the next frame of
 * the mix into a page of the kernel's own and redirects it out of IF; a call sends up to
 * XDP_CALL_FRAMES of them, flushed to the peer every --batch. A veth's peer queues 256 frames
 * and drops the rest, so its NAPI thread must take each batch before the next comes: it does
 * when it preempts the sender, at a higher real-time priority or under the ordinary scheduler
 * (as a NIC's interrupt preempts whatever runs). What the peer did not take is counted and
 * fails the run: the count must be exact.
 */
static int send_xdp(const struct opts *o, const struct mix *m, struct result *r)
{
	__u8 data[BATCH_FRAME_MAX] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = data, .data_size_in = sizeof(data),
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .batch_size = o->batch);
	unsigned int ifindex = if_nametoindex(o->ifname);
	struct bench_batch_bpf *d = NULL;
	struct tx_count before = { 0 }, after = { 0 };
	uint64_t next = 0;
	double t0, c0, deadline;
	int err;

	if (!ifindex) {
		fprintf(stderr, "blast: no interface %s: %s\n", o->ifname, strerror(errno));
		return -ENODEV;
	}
	err = batch_open(m, &d);
	if (err) {
		fprintf(stderr, "blast: cannot load the XDP sender: %s\n", strerror(-err));
		return err;
	}
	d->bss->redirect_ifindex = ifindex;
	err = read_tx(o->ifname, &before);
	c0 = bench_cpu_s();
	t0 = bench_now_s();
	deadline = t0 + o->max_time_s;
	while (!err && next < o->count) {
		size_t pos = next % m->n, n = XDP_CALL_FRAMES;

		if (n > o->count - next)
			n = o->count - next;
		if (n > m->n - pos)
			n = m->n - pos;
		d->bss->next_frame = (__u32)pos;
		opts.repeat = (__u32)n;
		if (bpf_prog_test_run_opts(bpf_program__fd(d->progs.bench_batch), &opts)) {
			err = -errno;
			fprintf(stderr, "blast: XDP send failed after %" PRIu64 " frames: %s\n",
				next, strerror(errno));
			break;
		}
		next += n;
		if (bench_now_s() > deadline) {
			fprintf(stderr, "blast: --max-time %u s reached after %" PRIu64 " frames\n",
				o->max_time_s, next);
			err = -ETIMEDOUT;
		}
	}
	r->seconds = bench_now_s() - t0;
	r->cpu_s = bench_cpu_s() - c0;
	if (!err)
		err = delivered(o->ifname, &before, next, &after);
	/* The stack's own frames on IF (neighbour discovery) count too: never more than sent. */
	r->sent = err || after.packets - before.packets > next ? next :
								 after.packets - before.packets;
	r->dropped = err ? 0 : after.dropped - before.dropped;
	if (!err && (r->dropped || r->sent < next)) {
		fprintf(stderr,
			"blast: %" PRIu64 " of %" PRIu64 " frames reached the peer of %s (%" PRIu64
			" dropped: its queue was full; the rest: its NAPI is off, no XDP program or "
			"GRO there)\n",
			r->sent, next, o->ifname, r->dropped);
		err = -ENOBUFS;
	}
	bench_batch_bpf__destroy(d);
	return err;
}

int main(int argc, char **argv)
{
	struct result r = { 0 };
	struct mix m;
	struct opts o;
	int fd, err;

	if (parse_args(&o, argc, argv))
		return 2;
	if (check_namespace())
		return 1;
	if (o.cpu >= 0) {
		int cpu;

		err = bench_pin_cpu(o.cpu, &cpu);
		if (err) {
			fprintf(stderr, "blast: cannot run on CPU %d: %s\n", o.cpu, strerror(-err));
			return 1;
		}
	}
	err = mix_build(&m, o.sources, o.salt);
	if (err) {
		fprintf(stderr, "blast: cannot build the mix: %s\n", strerror(-err));
		return 1;
	}
	if (o.xdp) {
		err = send_xdp(&o, &m, &r);
	} else {
		fd = open_socket(o.ifname);
		if (fd < 0) {
			mix_free(&m);
			return 1;
		}
		err = send_all(&o, &m, fd, &r);
		close(fd);
	}
	if (o.json)
		printf("{\"sent\": %" PRIu64
		       ", \"requested\": %u, \"seconds\": %.6f, \"cpu_s\": %.6f, "
		       "\"pps\": %.0f, "
		       "\"waits\": %" PRIu64 ", \"dropped\": %" PRIu64 ", \"xdp\": %s, "
		       "\"mix_frames\": %zu, \"mix_sources\": %zu, "
		       "\"mix_pairs\": %zu, \"salt\": %u, \"cycled\": %s}\n",
		       r.sent, o.count, r.seconds, r.cpu_s, r.sent / r.seconds, r.waits, r.dropped,
		       o.xdp ? "true" : "false", m.n, m.sources, m.pairs, o.salt,
		       m.n < o.count ? "true" : "false");
	else
		printf("%" PRIu64 " frames in %.3f s (CPU %.3f s), %.0f per second; %" PRIu64
		       " waits on a full device queue; mix of %zu frames, %zu sources, %zu "
		       "pairs%s\n",
		       r.sent, r.seconds, r.cpu_s, r.sent / r.seconds, r.waits, m.n, m.sources,
		       m.pairs, m.n < o.count ? " (cycled)" : "");
	mix_free(&m);
	return err ? 1 : 0;
}
