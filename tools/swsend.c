// SPDX-License-Identifier: GPL-2.0-only
/*
 * swsend: a bounded raw traffic sender for tests and the demo. It writes crafted Ethernet frames
 * (tools/lib/pktcraft) on one interface through an AF_PACKET socket, from many spoofed sources,
 * and prints what it sent as the counting contract sees it: accesses and distinct
 * (source, key) pairs per key and kind, fingerprints. Tests take their expected numbers from that
 * tally. Run it inside a network namespace (`ip netns exec`): destinations must lie in the
 * documentation and benchmark prefixes, and every run is bounded in frames and in time.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <net/ethernet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "benchutil.h"
#include "parse_num.h"
#include "pktcraft.h"

#define MAX_COUNT 2000000ULL
#define MAX_RATE 1000000U
#define MAX_TIME_S 600U
#define MAX_DSTS 65536U
#define ZMAP_IPID 54321
#define EXIT_USAGE 2
#define MAX_SECONDS 600U
/*
 * --per-second: each second's frames go out from this far into the second, and must all be out
 * before the end of the window, so that a receiver's clock (a tick coarser, or read a little
 * later) still files every frame of a burst under the second it was sent in.
 */
#define BURST_FROM_S 0.25
#define BURST_UNTIL_S 0.75

enum kind {
	K_SYN,
	K_FIN,
	K_NULL,
	K_XMAS,
	K_ACK,
	K_UDP,
	K_ECHO,
	K_SYNACK,
	K_RST,
	K_ECHOREPLY,
	K_UNREACH,
	K_MIRAI,
	K_MASSCAN,
	K_ZMAP,
	NKINDS
};

static const struct {
	const char *name;
	const char *what;
} kinds[NKINDS] = {
	[K_SYN] = { "syn", "TCP SYN (scan, key tcp/DPORT)" },
	[K_FIN] = { "fin", "TCP FIN (scan)" },
	[K_NULL] = { "null", "TCP without flags (scan)" },
	[K_XMAS] = { "xmas", "TCP FIN+PSH+URG (scan)" },
	[K_ACK] = { "ack", "TCP ACK alone (other, key tcp/DPORT)" },
	[K_UDP] = { "udp", "UDP (scan, key udp/DPORT)" },
	[K_ECHO] = { "echo", "ICMP/ICMPv6 echo request (scan, key icmp/echo)" },
	[K_SYNACK] = { "synack", "TCP SYN+ACK (backscatter, key tcp/SPORT)" },
	[K_RST] = { "rst", "TCP RST (backscatter, key tcp/SPORT)" },
	[K_ECHOREPLY] = { "echo-reply", "echo reply (backscatter, icmp/0 or icmp6/129)" },
	[K_UNREACH] = { "unreach", "destination unreachable (backscatter, icmp/3 or icmp6/1)" },
	[K_MIRAI] = { "mirai", "TCP SYN, sequence = IPv4 destination (scan, fingerprint)" },
	[K_MASSCAN] = { "masscan", "TCP SYN, IP ID = dst ^ dport ^ seq (scan, fingerprint)" },
	[K_ZMAP] = { "zmap", "TCP SYN, IP ID 54321 (scan, fingerprint)" },
};

enum { KIND_SCAN, KIND_BACKSCATTER, KIND_OTHER };
static const char *const kind_names[] = { "scan", "backscatter", "other" };
enum { FP_MIRAI, FP_ZMAP, FP_MASSCAN, NFPS };
static const char *const fp_names[] = { "mirai", "zmap", "masscan" };

/* A prefix as base address and length, with the host part walked as a 64-bit offset. */
struct prefix {
	bool v6;
	uint8_t addr[16];
	unsigned int len;
};

struct opts {
	const char *ifname;
	struct prefix dst, src;
	bool src_given, random_src, json;
	enum kind kind;
	uint64_t sources, count, seed;
	unsigned int rate, max_time_s;
	uint16_t *dports, *sports;
	size_t ndports, nsports;
	uint8_t nvlan;
	uint16_t vlan[2];
	uint8_t dmac[6];
	/* --per-second: frames in each of nsec wall-clock seconds from at_s on. */
	uint64_t *per_sec;
	unsigned int nsec;
	uint64_t at_s; /* 0: the second after next */
};

/* What the receiving classifier will make of the frames, tallied as they are sent. */
struct tally {
	uint64_t sent, accesses[3], fp[NFPS], pairs;
	uint64_t *key_acc, *key_src; /* indexed by the key's port slot */
	size_t nslots;
	/* Open-addressing set of (source offset, key slot) pairs. */
	struct pair_ent {
		uint64_t src;
		uint32_t slot; /* slot + 1; 0 marks an empty entry */
	} * set;
	size_t set_mask;
};

static const char help[] =
	"Usage: swsend --iface IF --dst ADDR[/LEN] [options]\n"
	"\n"
	"Send crafted frames on IF through an AF_PACKET socket and print what was sent per key and\n"
	"kind, as scanwatch counts it. Run it inside a network namespace (ip netns exec): the\n"
	"destination must lie in 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 198.18.0.0/15 or\n"
	"2001:db8::/32, and every run stops after --count frames or --max-time seconds.\n"
	"\n"
	"  -i, --iface IF           interface to send on\n"
	"  -d, --dst ADDR[/LEN]     destination, or a prefix whose addresses are cycled (at most\n"
	"                           65536 of them); IPv4 or IPv6\n"
	"  -k, --kind KIND          what to send (default syn), one of:\n"
	"%s"
	"  -s, --sources N          distinct spoofed sources, cycled (default 1)\n"
	"      --src-prefix P       sources are P's address, +1, +2 ... inside P (default\n"
	"                           198.18.0.0/15, or 2001:db8:ffff::/64 for IPv6)\n"
	"      --random             sources are a pseudo-random permutation of P instead\n"
	"      --seed N             seed of --random and of sequence numbers (default 1)\n"
	"  -c, --count N            frames to send (default 1, at most 2000000)\n"
	"  -r, --rate PPS           at most PPS frames a second (default 10000, at most 1000000)\n"
	"  -t, --max-time S         stop after S seconds whatever was sent (default 60)\n"
	"  -p, --dport LIST         destination ports, e.g. 445 or 22,23,8000-8009 (default 80)\n"
	"      --sport LIST         source ports; for synack and rst these are the keys (default\n"
	"                           40000-40999, or 80 for synack and rst)\n"
	"      --vlan ID[,ID]       one 802.1Q tag, or QinQ: 802.1ad outer ID, 802.1Q inner ID\n"
	"      --dst-mac MAC        destination MAC (default 02:00:00:00:00:02, which no\n"
	"                           interface has: the receiving stack ignores the frames)\n"
	"      --per-second LIST    frames in each wall-clock second, one after the other:\n"
	"                           N or NxK (N frames in each of K seconds), comma separated,\n"
	"                           e.g. 5x20,400x10,5x30; replaces --count. Each second's frames\n"
	"                           go out at --rate from 0.25 s into it, and a second whose\n"
	"                           frames are not all out by 0.75 s fails the run\n"
	"      --at EPOCH           the first of those seconds (default: the second after next)\n"
	"      --json               print the tally as one JSON object (with --per-second, the\n"
	"                           frames of each second as \"per_second\": [[EPOCH, N], ...])\n"
	"\n"
	"Every frame of a run has the same key kind. Frame i comes from source i %% N and goes to\n"
	"port slot (i / N) %% P, so with count = N * P every source hits every port once.\n"
	"\n"
	"Examples:\n"
	"  ip netns exec inet swsend -i veth1 -d 192.0.2.1 -k syn -p 22,23 -s 300 -c 600\n"
	"  ip netns exec inet swsend -i veth1 -d 2001:db8::1 -k rst --sport 443 -s 128 \\\n"
	"          --src-prefix 2001:db8:bad::/64 --random -c 256 --vlan 100,200 --json\n";

static int usage_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_err(const char *fmt, ...)
{
	va_list ap;

	fputs("swsend: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see 'swsend --help')\n", stderr);
	return EXIT_USAGE;
}

static int parse_prefix(const char *str, struct prefix *p)
{
	char buf[64];
	const char *slash = strchr(str, '/');
	size_t alen = slash ? (size_t)(slash - str) : strlen(str);
	unsigned int max;

	if (alen >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, str, alen);
	buf[alen] = '\0';
	if (pkt_addr(buf, p->addr, &p->v6))
		return -EINVAL;
	max = p->v6 ? 128 : 32;
	p->len = max;
	if (slash && parse_uint(slash + 1, 0, max, &p->len))
		return -EINVAL;
	return 0;
}

/* Does prefix p lie inside prefix outer? */
static bool prefix_within(const struct prefix *p, const struct prefix *outer)
{
	unsigned int full = outer->len / 8, rest = outer->len % 8;

	if (p->v6 != outer->v6 || p->len < outer->len)
		return false;
	if (memcmp(p->addr, outer->addr, full))
		return false;
	return !rest || ((p->addr[full] ^ outer->addr[full]) & (0xff00 >> rest) & 0xff) == 0;
}

/* RFC 5737 documentation, RFC 2544 benchmarking and RFC 3849 documentation prefixes. */
static bool dst_allowed(const struct prefix *p)
{
	static const char *const allowed[] = { "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24",
					       "198.18.0.0/15", "2001:db8::/32" };

	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		struct prefix a;

		if (!parse_prefix(allowed[i], &a) && prefix_within(p, &a))
			return true;
	}
	return false;
}

static unsigned int host_bits(const struct prefix *p)
{
	unsigned int hb = (p->v6 ? 128 : 32) - p->len;

	return hb > 64 ? 64 : hb;
}

static uint64_t host_mask(const struct prefix *p)
{
	unsigned int hb = host_bits(p);

	return hb == 64 ? ~0ULL : (1ULL << hb) - 1;
}

/* The low 64 bits of an address (the whole of an IPv4 address). */
static uint64_t addr_low(const struct prefix *p)
{
	const uint8_t *a = p->v6 ? p->addr + 8 : p->addr;
	int n = p->v6 ? 8 : 4;
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | a[i];
	return v;
}

/* Writes p's address with its host part replaced by off. */
static void addr_at(const struct prefix *p, uint64_t off, uint8_t out[16])
{
	uint64_t mask = host_mask(p), v = (addr_low(p) & ~mask) | (off & mask);
	int n = p->v6 ? 8 : 4;
	uint8_t *a = p->v6 ? out + 8 : out;

	memcpy(out, p->addr, 16);
	for (int i = n - 1; i >= 0; i--, v >>= 8)
		a[i] = v & 0xff;
}

/* "22,23,8000-8009" into a list without repeats, in the order given. */
static int parse_ports(const char *str, uint16_t **out, size_t *n)
{
	uint8_t *seen = calloc(65536, 1);
	uint16_t *v = malloc(65536 * sizeof(*v));
	char *copy = strdup(str), *tok, *save = NULL;
	int err = 0;

	*n = 0;
	if (!seen || !v || !copy) {
		err = -ENOMEM;
		goto out;
	}
	for (tok = strtok_r(copy, ",", &save); tok && !err; tok = strtok_r(NULL, ",", &save)) {
		char *dash = strchr(tok, '-');
		unsigned int lo, hi;

		if (dash)
			*dash = '\0';
		if (parse_uint(tok, 0, 65535, &lo) ||
		    (dash ? parse_uint(dash + 1, lo, 65535, &hi) : (hi = lo, 0))) {
			err = -EINVAL;
			break;
		}
		for (unsigned int p = lo; p <= hi; p++)
			if (!seen[p]) {
				seen[p] = 1;
				v[(*n)++] = (uint16_t)p;
			}
	}
	if (!err && *n == 0)
		err = -EINVAL;
out:
	free(seen);
	free(copy);
	if (err)
		free(v);
	else
		*out = v;
	return err;
}

/* "5x20,400x10,5" into one count per second. */
static int parse_per_second(const char *str, uint64_t **out, unsigned int *n)
{
	uint64_t *v = calloc(MAX_SECONDS, sizeof(*v)), total = 0;
	char *copy = strdup(str), *tok, *save = NULL;
	int err = 0;

	*n = 0;
	if (!v || !copy) {
		err = -ENOMEM;
		goto out;
	}
	for (tok = strtok_r(copy, ",", &save); tok && !err; tok = strtok_r(NULL, ",", &save)) {
		char *x = strchr(tok, 'x');
		uint64_t frames, k = 1;

		if (x)
			*x = '\0';
		if (parse_u64(tok, 0, MAX_COUNT, &frames) ||
		    (x && parse_u64(x + 1, 1, MAX_SECONDS, &k)) || k > MAX_SECONDS - *n ||
		    frames * k > MAX_COUNT - total) {
			err = -EINVAL;
			break;
		}
		total += frames * k;
		while (k--)
			v[(*n)++] = frames;
	}
	if (!err && !*n)
		err = -EINVAL;
out:
	free(copy);
	if (err)
		free(v);
	else
		*out = v;
	return err;
}

static int parse_mac(const char *str, uint8_t mac[6])
{
	unsigned int b[6];
	char tail;

	if (sscanf(str, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &tail) != 6)
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

static int parse_args(struct opts *o, int argc, char **argv)
{
	enum { O_SRCP = 256, O_RANDOM, O_SEED, O_SPORT, O_VLAN, O_DMAC, O_JSON, O_PERSEC, O_AT };
	static const struct option lopts[] = { { "iface", required_argument, NULL, 'i' },
					       { "dst", required_argument, NULL, 'd' },
					       { "kind", required_argument, NULL, 'k' },
					       { "sources", required_argument, NULL, 's' },
					       { "src-prefix", required_argument, NULL, O_SRCP },
					       { "random", no_argument, NULL, O_RANDOM },
					       { "seed", required_argument, NULL, O_SEED },
					       { "count", required_argument, NULL, 'c' },
					       { "rate", required_argument, NULL, 'r' },
					       { "max-time", required_argument, NULL, 't' },
					       { "dport", required_argument, NULL, 'p' },
					       { "sport", required_argument, NULL, O_SPORT },
					       { "vlan", required_argument, NULL, O_VLAN },
					       { "dst-mac", required_argument, NULL, O_DMAC },
					       { "json", no_argument, NULL, O_JSON },
					       { "per-second", required_argument, NULL, O_PERSEC },
					       { "at", required_argument, NULL, O_AT },
					       { "help", no_argument, NULL, 'h' },
					       {} };
	bool have_dst = false;
	int opt;

	opterr = 0; /* one error line, ours */
	while ((opt = getopt_long(argc, argv, ":i:d:k:s:c:r:t:p:h", lopts, NULL)) != -1) {
		switch (opt) {
		case 'i':
			o->ifname = optarg;
			break;
		case 'd':
			if (parse_prefix(optarg, &o->dst))
				return usage_err("bad --dst '%s'", optarg);
			if (!dst_allowed(&o->dst))
				return usage_err(
					"--dst %s is outside the documentation and benchmark "
					"prefixes; refusing to send there",
					optarg);
			have_dst = true;
			break;
		case 'k': {
			int k;

			for (k = 0; k < NKINDS && strcmp(kinds[k].name, optarg); k++)
				;
			if (k == NKINDS)
				return usage_err("unknown --kind '%s'", optarg);
			o->kind = k;
			break;
		}
		case 's':
			if (parse_u64(optarg, 1, MAX_COUNT, &o->sources))
				return usage_err("--sources takes 1 to %llu, not '%s'", MAX_COUNT,
						 optarg);
			break;
		case O_SRCP:
			if (parse_prefix(optarg, &o->src))
				return usage_err("bad --src-prefix '%s'", optarg);
			o->src_given = true;
			break;
		case O_RANDOM:
			o->random_src = true;
			break;
		case O_SEED:
			if (parse_u64(optarg, 0, UINT64_MAX, &o->seed))
				return usage_err("bad --seed '%s'", optarg);
			break;
		case 'c':
			if (parse_u64(optarg, 1, MAX_COUNT, &o->count))
				return usage_err("--count takes 1 to %llu, not '%s'", MAX_COUNT,
						 optarg);
			break;
		case 'r':
			if (parse_uint(optarg, 1, MAX_RATE, &o->rate))
				return usage_err("--rate takes 1 to %u, not '%s'", MAX_RATE,
						 optarg);
			break;
		case 't':
			if (parse_uint(optarg, 1, MAX_TIME_S, &o->max_time_s))
				return usage_err("--max-time takes 1 to %u, not '%s'", MAX_TIME_S,
						 optarg);
			break;
		case 'p':
			free(o->dports);
			o->dports = NULL;
			if (parse_ports(optarg, &o->dports, &o->ndports))
				return usage_err("bad --dport '%s'", optarg);
			break;
		case O_SPORT:
			free(o->sports);
			o->sports = NULL;
			if (parse_ports(optarg, &o->sports, &o->nsports))
				return usage_err("bad --sport '%s'", optarg);
			break;
		case O_VLAN: {
			/* Split a copy: argv stays as ps shows it. */
			char first[16];
			const char *comma = strchr(optarg, ',');
			size_t flen = comma ? (size_t)(comma - optarg) : strlen(optarg);
			unsigned int a, b;

			snprintf(first, sizeof(first), "%.*s", (int)(flen < 15 ? flen : 15),
				 optarg);
			if (flen > 15 || parse_uint(first, 0, 4095, &a) ||
			    (comma && parse_uint(comma + 1, 0, 4095, &b)))
				return usage_err(
					"--vlan takes ID or OUTER,INNER (0-4095), not '%s'",
					optarg);
			o->nvlan = comma ? 2 : 1;
			o->vlan[0] = (uint16_t)a;
			o->vlan[1] = comma ? (uint16_t)b : 0;
			break;
		}
		case O_DMAC:
			if (parse_mac(optarg, o->dmac))
				return usage_err("bad --dst-mac '%s'", optarg);
			break;
		case O_JSON:
			o->json = true;
			break;
		case O_PERSEC:
			free(o->per_sec);
			o->per_sec = NULL;
			if (parse_per_second(optarg, &o->per_sec, &o->nsec))
				return usage_err(
					"--per-second takes N or NxK, comma separated, in at "
					"most %u seconds and %llu frames, not '%s'",
					MAX_SECONDS, MAX_COUNT, optarg);
			break;
		case O_AT:
			if (parse_u64(optarg, 1, UINT32_MAX, &o->at_s))
				return usage_err("--at takes seconds since the epoch, not '%s'",
						 optarg);
			break;
		case 'h': {
			char list[2048];
			size_t off = 0;

			for (int k = 0; k < NKINDS; k++)
				off += snprintf(list + off, sizeof(list) - off, "%28s%-11s %s\n",
						"", kinds[k].name, kinds[k].what);
			printf(help, list);
			exit(0);
		}
		case ':':
			return usage_err("option '%s' needs a value", argv[optind - 1]);
		default:
			return usage_err("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_err("unexpected argument '%s'", argv[optind]);
	if (!o->ifname)
		return usage_err("--iface is required");
	if (!have_dst)
		return usage_err("--dst is required");
	if (!o->src_given)
		parse_prefix(o->dst.v6 ? "2001:db8:ffff::/64" : "198.18.0.0/15", &o->src);
	if (o->src.v6 != o->dst.v6)
		return usage_err("--src-prefix and --dst must both be IPv4 or both IPv6");
	if (host_bits(&o->src) < 64 && o->sources > (1ULL << host_bits(&o->src)))
		return usage_err("--sources %llu do not fit in --src-prefix /%u",
				 (unsigned long long)o->sources, o->src.len);
	if (o->kind >= K_MIRAI && o->dst.v6)
		return usage_err("--kind %s is an IPv4 fingerprint", kinds[o->kind].name);
	if (o->at_s && !o->per_sec)
		return usage_err("--at needs --per-second");
	if (o->per_sec) {
		uint64_t most = 0;

		o->count = 0;
		for (unsigned int i = 0; i < o->nsec; i++) {
			o->count += o->per_sec[i];
			most = o->per_sec[i] > most ? o->per_sec[i] : most;
		}
		if ((double)most / o->rate > (BURST_UNTIL_S - BURST_FROM_S) / 2)
			return usage_err(
				"--per-second: %llu frames at --rate %u take longer than a "
				"quarter of a second; raise --rate",
				(unsigned long long)most, o->rate);
		if (!o->count)
			return usage_err("--per-second sends no frame");
	}
	if (!o->dports && parse_ports("80", &o->dports, &o->ndports))
		return usage_err("out of memory");
	if (!o->sports &&
	    parse_ports(o->kind == K_SYNACK || o->kind == K_RST ? "80" : "40000-40999", &o->sports,
			&o->nsports))
		return usage_err("out of memory");
	return 0;
}

/* splitmix64: a fixed, seedable stream, so a run is the same every time. */
static uint64_t next_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static bool is_backscatter_tcp(enum kind k)
{
	return k == K_SYNACK || k == K_RST;
}

/* Slots are the ports that make keys: source ports for TCP backscatter, else destination. */
static size_t key_slots(const struct opts *o)
{
	if (is_backscatter_tcp(o->kind))
		return o->nsports;
	if (o->kind == K_ECHO || o->kind == K_ECHOREPLY || o->kind == K_UNREACH)
		return 1;
	return o->ndports;
}

static int key_kind(enum kind k)
{
	switch (k) {
	case K_ACK:
		return KIND_OTHER;
	case K_SYNACK:
	case K_RST:
	case K_ECHOREPLY:
	case K_UNREACH:
		return KIND_BACKSCATTER;
	default:
		return KIND_SCAN;
	}
}

/* The key string of a slot, formatted here from the definitions, not by scanwatch's own code. */
static void key_name(const struct opts *o, size_t slot, char *buf, size_t len)
{
	switch (o->kind) {
	case K_UDP:
		snprintf(buf, len, "udp/%u", o->dports[slot]);
		break;
	case K_ECHO:
		snprintf(buf, len, "icmp/echo");
		break;
	case K_ECHOREPLY:
		snprintf(buf, len, o->dst.v6 ? "icmp6/129" : "icmp/0");
		break;
	case K_UNREACH:
		snprintf(buf, len, o->dst.v6 ? "icmp6/1" : "icmp/3");
		break;
	case K_SYNACK:
	case K_RST:
		snprintf(buf, len, "tcp/%u", o->sports[slot]);
		break;
	default:
		snprintf(buf, len, "tcp/%u", o->dports[slot]);
	}
}

static int tally_init(struct tally *t, const struct opts *o)
{
	uint64_t want = o->count < o->sources * key_slots(o) ? o->count : o->sources * key_slots(o);
	size_t cap = 1024;

	memset(t, 0, sizeof(*t));
	while (cap < 2 * want)
		cap *= 2;
	t->nslots = key_slots(o);
	t->key_acc = calloc(t->nslots, sizeof(*t->key_acc));
	t->key_src = calloc(t->nslots, sizeof(*t->key_src));
	t->set = calloc(cap, sizeof(*t->set));
	t->set_mask = cap - 1;
	return t->key_acc && t->key_src && t->set ? 0 : -ENOMEM;
}

static void tally_free(struct tally *t)
{
	free(t->key_acc);
	free(t->key_src);
	free(t->set);
}

/* Counts a sent frame; the set is sized for every possible pair, so it never fills. */
static void tally_add(struct tally *t, int kind, uint64_t src, size_t slot, uint8_t fp)
{
	uint64_t h = (src ^ ((uint64_t)slot << 40)) * 0x9e3779b97f4a7c15ULL;
	size_t i = (size_t)(h >> 20) & t->set_mask;

	t->sent++;
	t->accesses[kind]++;
	t->key_acc[slot]++;
	for (int f = 0; f < NFPS; f++)
		t->fp[f] += (fp >> f) & 1;
	while (t->set[i].slot) {
		if (t->set[i].src == src && t->set[i].slot == slot + 1)
			return;
		i = (i + 1) & t->set_mask;
	}
	t->set[i].src = src;
	t->set[i].slot = (uint32_t)slot + 1;
	t->key_src[slot]++;
	t->pairs++;
}

static uint32_t get32(const uint8_t *a)
{
	return (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
}

static uint16_t masscan_id(const struct pkt_spec *s)
{
	return (uint16_t)((get32(s->dst) ^ s->dport ^ s->seq) & 0xffff);
}

/* The fingerprints README.md defines, as the frame carries them, whatever was meant. */
static uint8_t fingerprints(const struct pkt_spec *s, int kind)
{
	uint8_t fp = 0;

	if (s->v6 || kind != KIND_SCAN)
		return 0;
	if (s->ip_id == ZMAP_IPID)
		fp |= 1 << FP_ZMAP;
	if (s->proto == IPPROTO_TCP) {
		if (s->seq == get32(s->dst))
			fp |= 1 << FP_MIRAI;
		if (s->ip_id == masscan_id(s))
			fp |= 1 << FP_MASSCAN;
	}
	return fp;
}

/* Frame i of the run, and the source offset and key slot it is counted under. */
static void make_spec(const struct opts *o, uint64_t i, uint64_t *rng, uint64_t src_mul,
		      uint64_t src_add, uint64_t ndst, struct pkt_spec *s, uint64_t *src_off,
		      size_t *slot)
{
	uint64_t si = i % o->sources, round = i / o->sources, r = next_rand(rng);
	uint64_t base = addr_low(&o->src) & host_mask(&o->src);
	size_t dslot = (size_t)(round % o->ndports), sslot = (size_t)(round % o->nsports);
	bool v4 = !o->dst.v6;

	memset(s, 0, sizeof(*s));
	s->v6 = o->dst.v6;
	*src_off = o->random_src ? (si * src_mul + src_add) & host_mask(&o->src) :
				   (base + si) & host_mask(&o->src);
	addr_at(&o->src, *src_off, s->src);
	addr_at(&o->dst, addr_low(&o->dst) + i % ndst, s->dst);
	s->nvlan = o->nvlan;
	s->vlan[0] = o->vlan[0];
	s->vlan[1] = o->vlan[1];
	s->sport = is_backscatter_tcp(o->kind) ? o->sports[sslot] :
						 o->sports[(size_t)(i % o->nsports)];
	s->dport = is_backscatter_tcp(o->kind) ? (uint16_t)(1024 + r % 64000) : o->dports[dslot];
	s->seq = (uint32_t)(r >> 32);
	s->ip_id = (uint16_t)(r >> 8);
	s->proto = IPPROTO_TCP;
	*slot = is_backscatter_tcp(o->kind) ? sslot : dslot;
	switch (o->kind) {
	case K_SYN:
	case K_MIRAI:
	case K_MASSCAN:
	case K_ZMAP:
		s->tcp_flags = PKT_SYN;
		break;
	case K_FIN:
		s->tcp_flags = PKT_FIN;
		break;
	case K_NULL:
		break;
	case K_XMAS:
		s->tcp_flags = PKT_FIN | PKT_PSH | 0x20;
		break;
	case K_ACK:
		s->tcp_flags = PKT_ACK;
		break;
	case K_SYNACK:
		s->tcp_flags = PKT_SYN | PKT_ACK;
		break;
	case K_RST:
		s->tcp_flags = PKT_RST | (r & 1 ? PKT_ACK : 0);
		break;
	case K_UDP:
		s->proto = IPPROTO_UDP;
		s->payload_len = 16;
		break;
	case K_ECHO:
	case K_ECHOREPLY:
	case K_UNREACH:
		s->proto = o->dst.v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
		s->icmp_type = o->kind == K_ECHO      ? (o->dst.v6 ? 128 : 8) :
			       o->kind == K_ECHOREPLY ? (o->dst.v6 ? 129 : 0) :
							(o->dst.v6 ? 1 : 3);
		s->sport = (uint16_t)(r >> 48); /* identifier */
		s->dport = (uint16_t)i; /* sequence */
		s->payload_len = 28;
		*slot = 0;
		break;
	default:
		break;
	}
	/* Plain frames must carry no fingerprint by accident; fingerprint frames exactly one. */
	if (v4 && o->kind == K_MIRAI)
		s->seq = get32(s->dst);
	if (v4 && o->kind == K_ZMAP) {
		s->ip_id = ZMAP_IPID;
		while (masscan_id(s) == ZMAP_IPID || s->seq == get32(s->dst))
			s->seq++;
	}
	if (v4 && o->kind == K_MASSCAN) {
		while (masscan_id(s) == ZMAP_IPID || s->seq == get32(s->dst))
			s->seq++;
		s->ip_id = masscan_id(s);
	}
	if (v4 && o->kind != K_MASSCAN && o->kind != K_ZMAP) {
		while (s->ip_id == ZMAP_IPID ||
		       (s->proto == IPPROTO_TCP && s->ip_id == masscan_id(s)))
			s->ip_id++;
		if (o->kind != K_MIRAI && s->seq == get32(s->dst))
			s->seq++;
	}
}

static void sleep_until(double t)
{
	struct timespec ts = { .tv_sec = (time_t)t, .tv_nsec = (long)((t - (time_t)t) * 1e9) };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static int open_socket(const struct opts *o, uint8_t smac[6], struct sockaddr_ll *sll)
{
	struct ifreq ifr = {};
	int fd, ifindex = if_nametoindex(o->ifname);

	if (!ifindex) {
		fprintf(stderr, "swsend: interface %s: %s\n", o->ifname, strerror(errno));
		return -1;
	}
	/* Protocol 0: this socket only sends, it never receives a copy of the traffic. */
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "swsend: AF_PACKET socket: %s\n", strerror(errno));
		return -1;
	}
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", o->ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr)) {
		fprintf(stderr, "swsend: %s: cannot read the MAC address: %s\n", o->ifname,
			strerror(errno));
		close(fd);
		return -1;
	}
	memcpy(smac, ifr.ifr_hwaddr.sa_data, 6);
	memset(sll, 0, sizeof(*sll));
	sll->sll_family = AF_PACKET;
	sll->sll_ifindex = ifindex;
	sll->sll_halen = 6;
	memcpy(sll->sll_addr, o->dmac, 6);
	return fd;
}

static double wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_until_wall(double t)
{
	struct timespec ts = { .tv_sec = (time_t)t, .tv_nsec = (long)((t - (time_t)t) * 1e9) };

	while (clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/*
 * Sends every frame, pacing to the rate (with --per-second, a burst at the rate inside each
 * second); 0, or 1 when time ran out, the socket failed or a second's burst overran its window.
 */
static int send_all(struct opts *o, int fd, const uint8_t smac[6], const struct sockaddr_ll *sll,
		    struct tally *t, double *elapsed, uint64_t *sec_sent)
{
	uint64_t rng = o->seed, src_mul, src_add, ndst;
	uint8_t frame[PKT_MAX];
	double t0 = bench_now_s(), deadline = t0 + o->max_time_s, burst_t0 = t0;
	unsigned int hb, k = 0, cur_sec = UINT32_MAX;
	uint64_t m = 0; /* --per-second: frames of second k sent so far */
	int ret = 0;

	if (o->per_sec) {
		double w = wall_s();

		if (!o->at_s)
			o->at_s = (uint64_t)w + 2;
		if (o->at_s + BURST_FROM_S < w || o->at_s + o->nsec > w + o->max_time_s) {
			fprintf(stderr,
				"swsend: --at %llu: its %u seconds must start after now (%.0f) and end "
				"within --max-time %u s\n",
				(unsigned long long)o->at_s, o->nsec, w, o->max_time_s);
			return 1;
		}
	}
	/* An odd multiplier makes i -> i * mul + add a permutation modulo any power of two. */
	src_mul = next_rand(&rng) | 1;
	src_add = next_rand(&rng);
	hb = (o->dst.v6 ? 128 : 32) - o->dst.len;
	ndst = hb >= 16 ? MAX_DSTS : 1ULL << hb;
	for (uint64_t i = 0; i < o->count; i++) {
		struct pkt_spec s;
		uint64_t src_off;
		size_t slot, len;
		double due;

		if (o->per_sec) {
			/* Frame i is frame m of second k (seconds without frames passed over). */
			while (k < o->nsec && m >= o->per_sec[k]) {
				k++;
				m = 0;
			}
			if (k != cur_sec) {
				/* A new second's burst, from BURST_FROM_S into it on the wall clock. */
				sleep_until_wall((double)(o->at_s + k) + BURST_FROM_S);
				burst_t0 = bench_now_s();
				cur_sec = k;
			}
		}
		due = burst_t0 + (double)(o->per_sec ? m : i) / o->rate;
		make_spec(o, i, &rng, src_mul, src_add, ndst, &s, &src_off, &slot);
		len = pkt_build(&s, frame);
		memcpy(frame, o->dmac, 6);
		memcpy(frame + 6, smac, 6);
		if (due > deadline) {
			fprintf(stderr,
				"swsend: --max-time %u s reached after %llu of %llu frames\n",
				o->max_time_s, (unsigned long long)i, (unsigned long long)o->count);
			ret = 1;
			break;
		}
		if (due > bench_now_s())
			sleep_until(due);
		for (;;) {
			if (sendto(fd, frame, len, 0, (const struct sockaddr *)sll, sizeof(*sll)) ==
			    (ssize_t)len)
				break;
			/* A full device queue is back-pressure, not failure: wait and retry. */
			if ((errno == ENOBUFS || errno == EAGAIN || errno == EINTR) &&
			    bench_now_s() < deadline) {
				sleep_until(bench_now_s() + 0.0002);
				continue;
			}
			fprintf(stderr, "swsend: send on %s failed after %llu frames: %s\n",
				o->ifname, (unsigned long long)i, strerror(errno));
			ret = 1;
			goto out;
		}
		tally_add(t, key_kind(o->kind), src_off, slot, fingerprints(&s, key_kind(o->kind)));
		if (!o->per_sec)
			continue;
		sec_sent[k]++;
		/* The burst's last frame: it must be out well inside its second. */
		if (++m == o->per_sec[k] && wall_s() >= (double)(o->at_s + k) + BURST_UNTIL_S) {
			fprintf(stderr,
				"swsend: the %llu frames of second %llu were not all out by %.2f s "
				"into it: a receiver may count some in the next second\n",
				(unsigned long long)o->per_sec[k],
				(unsigned long long)(o->at_s + k), BURST_UNTIL_S);
			ret = 1;
			break;
		}
	}
out:
	*elapsed = bench_now_s() - t0;
	return ret;
}

static void print_tally(const struct opts *o, const struct tally *t, double elapsed,
			const uint64_t *sec_sent)
{
	int kind = key_kind(o->kind);
	char key[32];

	if (o->json) {
		bool first = true;

		printf("{\"sent\": %llu, \"requested\": %llu, \"seconds\": %.3f, \"accesses\": %llu, "
		       "\"sources\": %llu, \"kinds\": {\"scan\": %llu, \"backscatter\": %llu, "
		       "\"other\": %llu}, \"keys\": [",
		       (unsigned long long)t->sent, (unsigned long long)o->count, elapsed,
		       (unsigned long long)t->sent, (unsigned long long)t->pairs,
		       (unsigned long long)t->accesses[0], (unsigned long long)t->accesses[1],
		       (unsigned long long)t->accesses[2]);
		for (size_t i = 0; i < t->nslots; i++) {
			if (!t->key_acc[i])
				continue;
			key_name(o, i, key, sizeof(key));
			printf("%s{\"key\": \"%s\", \"kind\": \"%s\", \"accesses\": %llu, "
			       "\"sources\": %llu}",
			       first ? "" : ", ", key, kind_names[kind],
			       (unsigned long long)t->key_acc[i],
			       (unsigned long long)t->key_src[i]);
			first = false;
		}
		printf("], \"fingerprints\": {\"mirai\": %llu, \"zmap\": %llu, \"masscan\": %llu}",
		       (unsigned long long)t->fp[FP_MIRAI], (unsigned long long)t->fp[FP_ZMAP],
		       (unsigned long long)t->fp[FP_MASSCAN]);
		if (o->per_sec) {
			printf(", \"per_second\": [");
			for (unsigned int k = 0; k < o->nsec; k++)
				printf("%s[%llu, %llu]", k ? ", " : "",
				       (unsigned long long)(o->at_s + k),
				       (unsigned long long)sec_sent[k]);
			printf("]");
		}
		printf("}\n");
		return;
	}
	printf("swsend: sent %llu of %llu %s frames on %s in %.2f s\n", (unsigned long long)t->sent,
	       (unsigned long long)o->count, kinds[o->kind].name, o->ifname, elapsed);
	for (size_t i = 0; i < t->nslots; i++) {
		if (!t->key_acc[i])
			continue;
		key_name(o, i, key, sizeof(key));
		printf("key %-10s %-11s accesses %llu sources %llu\n", key, kind_names[kind],
		       (unsigned long long)t->key_acc[i], (unsigned long long)t->key_src[i]);
	}
	printf("kinds scan %llu backscatter %llu other %llu  sources %llu\n",
	       (unsigned long long)t->accesses[0], (unsigned long long)t->accesses[1],
	       (unsigned long long)t->accesses[2], (unsigned long long)t->pairs);
	for (int f = 0; f < NFPS; f++)
		printf("%s%s %llu", f ? "  " : "fingerprints ", fp_names[f],
		       (unsigned long long)t->fp[f]);
	printf("\n");
}

int main(int argc, char **argv)
{
	struct opts o = { .kind = K_SYN,
			  .sources = 1,
			  .count = 1,
			  .seed = 1,
			  .rate = 10000,
			  .max_time_s = 60,
			  .dmac = { 0x02, 0, 0, 0, 0, 0x02 } };
	struct sockaddr_ll sll;
	struct tally t;
	uint8_t smac[6];
	double elapsed = 0;
	uint64_t *sec_sent;
	int fd, err;

	err = parse_args(&o, argc, argv);
	if (err)
		return err;
	if (tally_init(&t, &o)) {
		fprintf(stderr, "swsend: out of memory\n");
		return 1;
	}
	fd = open_socket(&o, smac, &sll);
	if (fd < 0) {
		tally_free(&t);
		return 1;
	}
	sec_sent = calloc(o.nsec + 1, sizeof(*sec_sent));
	err = sec_sent ? send_all(&o, fd, smac, &sll, &t, &elapsed, sec_sent) : 1;
	close(fd);
	if (sec_sent)
		print_tally(&o, &t, elapsed, sec_sent);
	tally_free(&t);
	free(sec_sent);
	free(o.per_sec);
	free(o.dports);
	free(o.sports);
	return err;
}
