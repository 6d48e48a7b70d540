// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hostile input: a million random and mutated frames through the real XDP program
 * (BPF_PROG_TEST_RUN). None may crash, hang, or be counted under a key it does not carry:
 * every batch of frames between two drains is compared, key by key, pair by pair and stat by
 * stat, with an independent reference classifier below, written from the definitions and not from
 * bpf/parse.h. On a difference the batch is replayed frame by frame and the first frame the two
 * disagree on is printed in hex. Every drain also checks its census (tests/xdp_fixture.h): each
 * frame in exactly one of a log record, a cache slot, the overflow table or the kernel's keys
 * lost, each access in exactly one key and one pair; the caches have 16 slots, so that nearly
 * every frame goes through the log.
 *
 * FUZZ_SEED=N repeats a run (the seed is printed); FUZZ_FRAMES=N changes its length.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <time.h>

#include "benchutil.h"
#include "pktcraft.h"
#include "xdp_fixture.h"

#define BATCH 32768
#define BUF_LEN 2048
#define MAX_FRAME 1600 /* what the generator may grow a frame to */
#define DEFAULT_FRAMES 1000000

/* ---- the reference classifier (README.md "What counts"; hostile input) ---- */

enum ref_what { REF_ACCESS, REF_NOT_IP, REF_RUNT, REF_UNWATCHED };

struct ref {
	int what;
	struct sw_pair pair; /* source (IPv4-mapped for IPv4) and key */
	uint8_t dst[16];
	uint8_t fp; /* bit per enum sw_fingerprint */
};

/* The watched prefixes: --watch semantics, any prefix covering the destination. */
struct watchset {
	struct sw_prefix pfx[8];
	size_t n;
};

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void key_set(struct ref *r, uint8_t cls, uint8_t kind, uint16_t num)
{
	r->pair.key.cls = cls;
	r->pair.key.kind = kind;
	r->pair.key.num = num;
}

/*
 * The transport header, `avail` bytes of which are both in the frame and inside the length the
 * IP header claims. Too short: the key stays proto/N, kind other.
 */
static void ref_l4(struct ref *r, uint8_t proto, const uint8_t *l4, size_t avail, bool v4,
		   uint32_t daddr, uint16_t ip_id)
{
	switch (proto) {
	case IPPROTO_TCP: {
		uint8_t flags;
		uint16_t sport, dport;
		uint32_t seq;
		bool ack, rst, syn;

		if (avail < 20)
			return;
		sport = rd16(l4);
		dport = rd16(l4 + 2);
		seq = rd32(l4 + 4);
		flags = l4[13];
		ack = flags & 0x10;
		rst = flags & 0x04;
		syn = flags & 0x02;
		if (!ack && !rst) {
			key_set(r, SW_CLS_TCP, SW_KIND_SCAN, dport);
			/* Mirai and masscan: TCP over IPv4, scan kind. */
			if (v4 && seq == daddr)
				r->fp |= 1 << SW_FP_MIRAI;
			if (v4 && ip_id == ((daddr ^ dport ^ seq) & 0xffff))
				r->fp |= 1 << SW_FP_MASSCAN;
		} else if (rst || (syn && ack)) {
			key_set(r, SW_CLS_TCP, SW_KIND_BACKSCATTER, sport);
		} else {
			key_set(r, SW_CLS_TCP, SW_KIND_OTHER, dport);
		}
		break;
	}
	case IPPROTO_UDP:
		if (avail >= 8)
			key_set(r, SW_CLS_UDP, SW_KIND_SCAN, rd16(l4 + 2));
		break;
	case IPPROTO_ICMP:
		if (avail < 8)
			return;
		if (l4[0] == 8)
			key_set(r, SW_CLS_ECHO, SW_KIND_SCAN, 0);
		else if (l4[0] == 0 || l4[0] == 3 || l4[0] == 11)
			key_set(r, SW_CLS_ICMP, SW_KIND_BACKSCATTER, l4[0]);
		else
			key_set(r, SW_CLS_ICMP, SW_KIND_OTHER, l4[0]);
		break;
	case IPPROTO_ICMPV6:
		if (avail < 8)
			return;
		if (l4[0] == 128)
			key_set(r, SW_CLS_ECHO, SW_KIND_SCAN, 0);
		else if (l4[0] == 129 || l4[0] == 1 || l4[0] == 3)
			key_set(r, SW_CLS_ICMP6, SW_KIND_BACKSCATTER, l4[0]);
		else
			key_set(r, SW_CLS_ICMP6, SW_KIND_OTHER, l4[0]);
		break;
	}
	/* ZMap: IPv4 ID 54321 on any protocol, scan kind only. */
	if (v4 && ip_id == 54321 && r->pair.key.kind == SW_KIND_SCAN)
		r->fp |= 1 << SW_FP_ZMAP;
}

static size_t min_sz(size_t a, size_t b)
{
	return a < b ? a : b;
}

static void ref_ipv4(struct ref *r, const uint8_t *ip, size_t n)
{
	size_t hlen, tot;

	if (n < 20) {
		r->what = REF_RUNT;
		return;
	}
	memset(r->pair.addr, 0, 10);
	r->pair.addr[10] = r->pair.addr[11] = 0xff;
	memcpy(r->pair.addr + 12, ip + 12, 4);
	memcpy(r->dst, r->pair.addr, 12);
	memcpy(r->dst + 12, ip + 16, 4);
	key_set(r, SW_CLS_PROTO, SW_KIND_OTHER, ip[9]);
	hlen = (ip[0] & 0xf) * 4u;
	tot = rd16(ip + 2);
	/* A header that contradicts itself or does not fit is an access of unknown content. */
	if (ip[0] >> 4 != 4 || hlen < 20 || tot < hlen || hlen > n)
		return;
	if (rd16(ip + 6) & 0x1fff) {
		key_set(r, SW_CLS_FRAG, SW_KIND_OTHER, 0);
		return;
	}
	ref_l4(r, ip[9], ip + hlen, min_sz(n - hlen, tot - hlen), true, rd32(ip + 16),
	       rd16(ip + 4));
}

static bool v6_ext(uint8_t nh)
{
	return nh == 0 || nh == 43 || nh == 44 || nh == 51 || nh == 60 || nh == 135;
}

static void ref_ipv6(struct ref *r, const uint8_t *ip, size_t n)
{
	size_t off = 40, remain, walked = 0;
	uint8_t nh;

	if (n < 40) {
		r->what = REF_RUNT;
		return;
	}
	memcpy(r->pair.addr, ip + 8, 16);
	memcpy(r->dst, ip + 24, 16);
	nh = ip[6];
	key_set(r, SW_CLS_PROTO, SW_KIND_OTHER, nh);
	if (ip[0] >> 4 != 6)
		return;
	remain = rd16(ip + 4);
	/* At most 8 extension headers; each must lie inside the frame and the payload length. */
	while (v6_ext(nh)) {
		size_t hl;

		if (walked == 8)
			return;
		if (n - off < 2)
			return;
		if (nh == 44)
			hl = 8;
		else if (nh == 51)
			hl = (ip[off + 1] + 2u) * 4;
		else
			hl = (ip[off + 1] + 1u) * 8;
		if (hl > remain || hl > n - off)
			return;
		if (nh == 44 && (rd16(ip + off + 2) & 0xfff8)) {
			key_set(r, SW_CLS_FRAG, SW_KIND_OTHER, 0);
			return;
		}
		nh = ip[off];
		key_set(r, SW_CLS_PROTO, SW_KIND_OTHER, nh);
		off += hl;
		remain -= hl;
		walked++;
	}
	ref_l4(r, nh, ip + off, min_sz(n - off, remain), false, 0, 0);
}

static bool ref_watched(const struct watchset *w, const uint8_t dst[16])
{
	if (!w->n)
		return true;
	for (size_t i = 0; i < w->n; i++) {
		unsigned int bits = w->pfx[i].prefixlen, full = bits / 8, rest = bits % 8;

		if (memcmp(dst, w->pfx[i].addr, full))
			continue;
		if (rest && ((dst[full] ^ w->pfx[i].addr[full]) & (0xff00 >> rest) & 0xff))
			continue;
		return true;
	}
	return false;
}

static void ref_classify(const struct watchset *w, const uint8_t *f, size_t len, struct ref *r)
{
	size_t off = 14;
	uint16_t type;

	memset(r, 0, sizeof(*r));
	r->what = REF_NOT_IP;
	if (len < 14)
		return;
	type = rd16(f + 12);
	/* 802.1Q or 802.1ad, up to two tags (QinQ), in any order. */
	for (int tags = 0; tags < 2 && (type == 0x8100 || type == 0x88a8); tags++) {
		if (len - off < 4)
			return;
		type = rd16(f + off + 2);
		off += 4;
	}
	r->what = REF_ACCESS;
	if (type == 0x0800)
		ref_ipv4(r, f + off, len - off);
	else if (type == 0x86dd)
		ref_ipv6(r, f + off, len - off);
	else
		r->what = REF_NOT_IP;
	if (r->what == REF_ACCESS && !ref_watched(w, r->dst)) {
		r->what = REF_UNWATCHED;
		r->fp = 0;
	}
}

/* ---- frames: pktcraft-built, then mutated; or random bytes ---- */

static uint32_t below(struct rng *r, uint32_t n)
{
	return (uint32_t)(rng_next(r) % n);
}

static bool chance(struct rng *r, unsigned int pct)
{
	return below(r, 100) < pct;
}

static uint8_t pick8(struct rng *r, const uint8_t *v, size_t n)
{
	return v[below(r, (uint32_t)n)];
}

/* Mostly inside the watched prefixes, sometimes outside, 5 % anywhere at all. */
static void gen_addr(struct rng *r, bool v6, uint8_t out[16])
{
	static const uint8_t nets[][2] = {
		{ 192, 0 }, { 198, 51 }, { 198, 18 }, { 198, 19 }, { 203, 0 }
	};
	uint64_t x = rng_next(r);

	memset(out, 0, 16);
	if (chance(r, 5)) {
		memcpy(out, &x, 8);
		x = rng_next(r);
		memcpy(out + 8, &x, 8);
		return;
	}
	if (!v6) {
		uint32_t p = below(r, 100);
		/* 192.0.2/24, 198.51.100/24 and 198.18/16 are watched; 198.19/16, 203.0.113/24 not. */
		uint32_t i = p < 30 ? 0 : p < 55 ? 1 : p < 85 ? 2 : p < 93 ? 3 : 4;

		out[0] = nets[i][0];
		out[1] = nets[i][1];
		out[2] = i == 0 ? 2 : i == 1 ? 100 : i == 4 ? 113 : (uint8_t)(x >> 8);
		out[3] = (uint8_t)x;
		return;
	}
	out[0] = 0x20;
	out[1] = 0x01;
	out[2] = 0x0d;
	out[3] = 0xb8;
	switch (below(r, 100) / 25) {
	case 0:
	case 1:
		out[4] = (x >> 16) & 0x7f; /* 2001:db8::/33: watched */
		break;
	case 2:
		out[4] = out[5] = 0xff; /* 2001:db8:ffff::/48, inside the unwatched half: watched */
		break;
	default:
		out[4] = 0x80 | ((x >> 16) & 0x7f); /* the other half of 2001:db8::/32: not */
	}
	memcpy(out + 8, &x, 8);
}

/*
 * Ports mostly from a few, as on a sensor: every distinct key and pair costs an insert and a
 * delete per interval, the bulk of the kernel's time here.
 */
static uint16_t gen_port(struct rng *r)
{
	static const uint16_t common[] = { 22,	23,  80,   443,	 445, 3389, 8080,  53,
					   123, 161, 1433, 5060, 0,   1,    65535, 54321 };
	uint32_t p = below(r, 100);

	return p < 60 ? common[below(r, 16)] :
	       p < 90 ? (uint16_t)below(r, 1024) :
			(uint16_t)rng_next(r);
}

static void gen_spec(struct rng *r, struct pkt_spec *sp)
{
	static const uint8_t protos[] = { 47, 50, 132, 59, 0, 43, 44, 60, 51, 135, 4, 41 };
	static const uint8_t flags[] = {
		PKT_SYN,	   PKT_SYN | PKT_ACK, PKT_RST, PKT_RST | PKT_ACK,
		PKT_ACK,	   PKT_FIN,	      0,       0x29,
		PKT_PSH | PKT_ACK, PKT_FIN | PKT_ACK
	};
	static const uint8_t types[] = { 0, 3, 8, 11, 13, 1, 2, 128, 129, 135, 136 };
	uint32_t p = below(r, 100);

	memset(sp, 0, sizeof(*sp));
	sp->v6 = chance(r, 40);
	/* Sources from a small pool, so pairs repeat within a batch and their counts add up. */
	if (chance(r, 90)) {
		memset(sp->src, 0, 16);
		if (sp->v6) {
			memcpy(sp->src, "\x20\x01\x0d\xb8\x00\xff", 6);
			sp->src[15] = (uint8_t)below(r, 64);
		} else {
			memcpy(sp->src, "\xcb\x00\x71", 3); /* 203.0.113.0/26 */
			sp->src[3] = (uint8_t)below(r, 64);
		}
	} else {
		gen_addr(r, sp->v6, sp->src);
	}
	gen_addr(r, sp->v6, sp->dst);
	sp->proto = p < 35 ? IPPROTO_TCP :
		    p < 55 ? IPPROTO_UDP :
		    p < 65 ? IPPROTO_ICMP :
		    p < 75 ? IPPROTO_ICMPV6 :
		    p < 90 ? pick8(r, protos, sizeof(protos)) :
			     (uint8_t)rng_next(r);
	sp->sport = gen_port(r);
	sp->dport = gen_port(r);
	sp->tcp_flags = chance(r, 50) ? (uint8_t)rng_next(r) : pick8(r, flags, sizeof(flags));
	sp->icmp_type = chance(r, 70) ? pick8(r, types, sizeof(types)) : (uint8_t)rng_next(r);
	sp->icmp_code = (uint8_t)below(r, 4);
	p = below(r, 100);
	sp->seq = p < 80 ? (uint32_t)rng_next(r) : p < 92 ? rd32(sp->dst) : (uint32_t)below(r, 4);
	p = below(r, 100);
	sp->ip_id = p < 70 ? (uint16_t)rng_next(r) :
		    p < 85 ? 54321 :
			     (uint16_t)((rd32(sp->dst) ^ sp->dport ^ sp->seq) & 0xffff);
	if (chance(r, 15))
		sp->frag_off = (uint16_t)below(r, 0x2000);
	sp->more_frags = chance(r, 15);
	if (chance(r, 30))
		sp->ip_opt_len = (uint8_t)(4 * below(r, 11));
	if (sp->v6 && chance(r, 40))
		sp->n_ext = (uint8_t)below(r, 11);
	p = below(r, 100);
	sp->nvlan = p < 70 ? 0 : p < 90 ? 1 : 2;
	sp->vlan[0] = (uint16_t)rng_next(r);
	sp->vlan[1] = (uint16_t)rng_next(r);
	p = below(r, 100);
	sp->payload_len = p < 50 ? 0 : p < 90 ? (uint16_t)below(r, 64) : (uint16_t)below(r, 1300);
	sp->ttl = (uint8_t)rng_next(r);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* One mutation of a frame whose IP header (if any) starts at *l3. */
static void mutate(struct rng *r, uint8_t *f, size_t *len, size_t *l3, bool v6)
{
	static const uint8_t vals[] = { 0,  1,	4,  5,	6,  0x45, 0x46, 0x4f, 0x60, 0x40, 17,
					43, 44, 51, 58, 59, 60,	  135,	0x80, 0xff, 8,	  128 };
	static const uint16_t etypes[] = { 0x0800, 0x86dd, 0x8100, 0x88a8, 0x0806, 0x0000 };
	size_t hdr = *len < 160 ? *len : 160, pos;

	switch (below(r, 12)) {
	case 0: /* a bit in the headers */
		pos = below(r, (uint32_t)hdr);
		f[pos] ^= 1 << below(r, 8);
		break;
	case 1: /* a byte in the headers */
		pos = below(r, (uint32_t)hdr);
		f[pos] = chance(r, 50) ? pick8(r, vals, sizeof(vals)) : (uint8_t)rng_next(r);
		break;
	case 2: /* cut, mostly inside the headers */
		if (*len > 14)
			*len = 14 + below(r, (uint32_t)(chance(r, 80) ? hdr : *len) - 14 + 1);
		break;
	case 3: /* an ethertype: the outer one or the one before the IP header */
		pos = chance(r, 50) ? 12 : *l3 - 2;
		if (pos + 2 <= *len)
			put16(f + pos, chance(r, 80) ? etypes[below(r, 6)] : (uint16_t)rng_next(r));
		break;
	case 4: /* one more tag in front */
		if (*len + 4 <= MAX_FRAME) {
			memmove(f + 16, f + 12, *len - 12);
			put16(f + 12, chance(r, 50) ? 0x8100 : 0x88a8);
			put16(f + 14, (uint16_t)rng_next(r));
			*len += 4;
			*l3 += 4;
		}
		break;
	case 5: /* version and IHL */
		if (*l3 < *len)
			f[*l3] = chance(r, 50) ? (uint8_t)((v6 ? 0x60 : 0x40) | below(r, 16)) :
						 (uint8_t)rng_next(r);
		break;
	case 6: /* an IPv6 next header, or an extension header's length */
		pos = *l3 + (chance(r, 30) ? 6 : 40 + 8 * below(r, 11) + below(r, 2));
		if (pos < *len)
			f[pos] =
				chance(r, 70) ? pick8(r, vals, sizeof(vals)) : (uint8_t)below(r, 4);
		break;
	case 7: /* the IP length field */
		pos = *l3 + (v6 ? 4 : 2);
		if (pos + 2 <= *len)
			put16(f + pos,
			      chance(r, 50) ? (uint16_t)below(r, 128) : (uint16_t)rng_next(r));
		break;
	case 8: /* the fragment field, or an IPv6 fragment header's */
		pos = *l3 + (v6 ? 40 + 8 * below(r, 11) + 2 : 6);
		if (pos + 2 <= *len)
			put16(f + pos, (uint16_t)rng_next(r));
		break;
	case 9: /* trailing bytes */
		for (uint32_t n = below(r, 64); n && *len < MAX_FRAME; n--)
			f[(*len)++] = (uint8_t)rng_next(r);
		break;
	case 10: /* the transport header */
		pos = *l3 + (v6 ? 40 : 20) + below(r, 64);
		for (int i = 0; i < 4 && pos + i < *len; i++)
			f[pos + i] = (uint8_t)rng_next(r);
		break;
	default: /* a random stretch anywhere in the first 160 bytes */
		pos = below(r, (uint32_t)hdr);
		for (uint32_t n = below(r, 8); n && pos < *len; n--)
			f[pos++] = (uint8_t)rng_next(r);
	}
}

/* Random bytes of random length, often with an IP-ish ethertype and version. */
static size_t gen_random(struct rng *r, uint8_t *f)
{
	static const uint16_t etypes[] = { 0x0800, 0x86dd, 0x8100, 0x88a8 };
	size_t len = 14 + below(r, 1500 - 14 + 1);

	for (size_t i = 0; i < len; i += 8) {
		uint64_t x = rng_next(r);

		memcpy(f + i, &x, 8);
	}
	if (chance(r, 70)) {
		uint16_t t = etypes[below(r, 4)];

		put16(f + 12, t);
		if (t == 0x0800)
			f[14] = (uint8_t)(0x40 | (f[14] & 0xf));
		else if (t == 0x86dd)
			f[14] = (uint8_t)(0x60 | (f[14] & 0xf));
	}
	return len;
}

static size_t gen_frame(struct rng *r, uint8_t *f)
{
	struct pkt_spec sp;
	size_t len, l3;
	uint32_t n;

	if (chance(r, 10))
		return gen_random(r, f);
	gen_spec(r, &sp);
	len = pkt_build(&sp, f);
	l3 = 14 + 4 * sp.nvlan;
	/* A quarter stay well-formed; the rest get up to four mutations. */
	n = chance(r, 25) ? 0 : 1 + below(r, 4);
	while (n--)
		mutate(r, f, &len, &l3, sp.v6);
	return len;
}

/* ---- comparing a batch ---- */

struct kagg {
	struct sw_key key;
	__u64 packets, fp[SW_NFPS];
};

struct pagg {
	struct sw_pair pair;
	__u64 packets;
};

struct fuzz {
	struct xdp_fx fx;
	struct watchset watch;
	struct ref refs[BATCH];
	struct kagg kref[BATCH], kgot[BATCH];
	struct pagg pref[BATCH], pgot[BATCH];
	size_t nkref, nkgot, npref, npgot;
	uint64_t stats_ref[SW_NSTATS];
	/* Totals over the run, for the summary line. */
	uint64_t what[4], keys_seen, pairs_seen, batches, fps[SW_NFPS];
};

static int cmp_kagg(const void *a, const void *b)
{
	return memcmp(&((const struct kagg *)a)->key, &((const struct kagg *)b)->key,
		      sizeof(struct sw_key));
}

static int cmp_pagg(const void *a, const void *b)
{
	return memcmp(&((const struct pagg *)a)->pair, &((const struct pagg *)b)->pair,
		      sizeof(struct sw_pair));
}

/* Sorts and merges equal keys. */
static size_t merge_k(struct kagg *k, size_t n)
{
	size_t out = 0;

	qsort(k, n, sizeof(*k), cmp_kagg);
	for (size_t i = 0; i < n; i++) {
		if (out && !cmp_kagg(&k[out - 1], &k[i])) {
			k[out - 1].packets += k[i].packets;
			for (int f = 0; f < SW_NFPS; f++)
				k[out - 1].fp[f] += k[i].fp[f];
		} else {
			k[out++] = k[i];
		}
	}
	return out;
}

static size_t merge_p(struct pagg *p, size_t n)
{
	size_t out = 0;

	qsort(p, n, sizeof(*p), cmp_pagg);
	for (size_t i = 0; i < n; i++) {
		if (out && !cmp_pagg(&p[out - 1], &p[i]))
			p[out - 1].packets += p[i].packets;
		else
			p[out++] = p[i];
	}
	return out;
}

static void ref_tally(struct fuzz *z, size_t n)
{
	z->nkref = z->npref = 0;
	memset(z->stats_ref, 0, sizeof(z->stats_ref));
	z->stats_ref[SW_STAT_PACKETS] = n;
	for (size_t i = 0; i < n; i++) {
		const struct ref *r = &z->refs[i];
		struct kagg *k;

		z->what[r->what]++;
		if (r->what == REF_NOT_IP)
			z->stats_ref[SW_STAT_NOT_IP]++;
		else if (r->what == REF_RUNT)
			z->stats_ref[SW_STAT_RUNT]++;
		else if (r->what == REF_UNWATCHED)
			z->stats_ref[SW_STAT_UNWATCHED]++;
		if (r->what != REF_ACCESS)
			continue;
		k = &z->kref[z->nkref++];
		memset(k, 0, sizeof(*k));
		k->key = r->pair.key;
		k->packets = 1;
		for (int f = 0; f < SW_NFPS; f++) {
			k->fp[f] = (r->fp >> f) & 1;
			z->fps[f] += k->fp[f];
		}
		z->pref[z->npref].pair = r->pair;
		z->pref[z->npref++].packets = 1;
	}
	z->nkref = merge_k(z->kref, z->nkref);
	z->npref = merge_p(z->pref, z->npref);
}

/* Whether what the program counted in z->fx.iv equals the reference's tally. */
static bool same(struct fuzz *z)
{
	const struct sw_interval *iv = &z->fx.iv;

	if (memcmp(iv->stats, z->stats_ref, sizeof(z->stats_ref)))
		return false;
	if (iv->nkeys > BATCH || iv->npairs > BATCH)
		return false;
	z->nkgot = iv->nkeys;
	for (size_t i = 0; i < iv->nkeys; i++) {
		if (iv->keys[i].val.lost)
			return false;
		z->kgot[i].key = iv->keys[i].key;
		z->kgot[i].packets = iv->keys[i].val.packets;
		memcpy(z->kgot[i].fp, iv->keys[i].val.fp, sizeof(z->kgot[i].fp));
	}
	z->npgot = iv->npairs;
	for (size_t i = 0; i < iv->npairs; i++) {
		z->pgot[i].pair = iv->pairs[i].pair;
		z->pgot[i].packets = iv->pairs[i].val.packets;
	}
	z->nkgot = merge_k(z->kgot, z->nkgot);
	z->npgot = merge_p(z->pgot, z->npgot);
	return z->nkgot == z->nkref && z->npgot == z->npref &&
	       !memcmp(z->kgot, z->kref, z->nkref * sizeof(struct kagg)) &&
	       !memcmp(z->pgot, z->pref, z->npref * sizeof(struct pagg));
}

static const char *const what_names[] = { "access", "not_ip", "runt", "unwatched" };

static void print_ref(const char *who, const struct ref *r)
{
	char k[32], a[SW_ADDR_STRLEN];

	if (r->what != REF_ACCESS) {
		print_error("  %s: %s\n", who, what_names[r->what]);
		return;
	}
	sw_addr_str(r->pair.addr, a);
	print_error("  %s: %s from %s, mirai %d zmap %d masscan %d\n", who,
		    xdp_key_name(&r->pair.key, k), a, r->fp & 1, (r->fp >> 1) & 1,
		    (r->fp >> 2) & 1);
}

/* What the program made of one frame, read back from a one-frame interval. */
static void got_of(const struct sw_interval *iv, struct ref *g)
{
	memset(g, 0, sizeof(*g));
	g->what = iv->stats[SW_STAT_NOT_IP]    ? REF_NOT_IP :
		  iv->stats[SW_STAT_RUNT]      ? REF_RUNT :
		  iv->stats[SW_STAT_UNWATCHED] ? REF_UNWATCHED :
						 REF_ACCESS;
	if (iv->nkeys == 1) {
		g->pair.key = iv->keys[0].key;
		for (int f = 0; f < SW_NFPS; f++)
			g->fp |= (iv->keys[0].val.fp[f] ? 1 : 0) << f;
	}
	if (iv->npairs == 1)
		memcpy(g->pair.addr, iv->pairs[0].pair.addr, 16);
}

static void report_frame(uint64_t index, const uint8_t *f, size_t len, const struct ref *want,
			 const struct ref *got, int verdict)
{
	print_error("frame %llu (%zu bytes) differs; verdict %d\n", (unsigned long long)index, len,
		    verdict);
	print_ref("reference", want);
	if (got)
		print_ref("program  ", got);
	xdp_hex(stderr, f, len < 256 ? len : 256);
}

/*
 * The batch's totals differ: run its frames again one per interval (same generator state) and
 * report the first frame on which the program and the reference disagree.
 */
static void bisect(struct fuzz *z, struct rng start, uint64_t first, size_t n)
{
	uint8_t f[BUF_LEN];

	for (size_t i = 0; i < n; i++) {
		size_t len = gen_frame(&start, f);
		struct ref want, got;
		int verdict = xdp_run(&z->fx, f, len);

		xdp_drain(&z->fx);
		ref_classify(&z->watch, f, len, &want);
		got_of(&z->fx.iv, &got);
		if (z->fx.iv.stats[SW_STAT_PACKETS] != 1 ||
		    z->fx.iv.nkeys != (want.what == REF_ACCESS) ||
		    z->fx.iv.npairs != (want.what == REF_ACCESS) || want.what != got.what ||
		    (want.what == REF_ACCESS &&
		     (memcmp(&want.pair, &got.pair, sizeof(want.pair)) || want.fp != got.fp))) {
			report_frame(first + i, f, len, &want, &got, verdict);
			fail_msg("the program and the reference disagree on frame %llu",
				 (unsigned long long)(first + i));
		}
	}
	fail_msg("batch from frame %llu differs in total but no single frame does",
		 (unsigned long long)first);
}

static uint64_t env_u64(const char *name, uint64_t dflt)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 0) : dflt;
}

static void test_fuzz(void **state)
{
	static const char *const watched[] = { "192.0.2.0/24", "198.51.100.0/24", "198.18.0.0/16",
					       "2001:db8::/33", "2001:db8:ffff::/48" };
	struct fuzz *z = *state;
	struct sensor_config cfg = xdp_cfg();
	struct timespec ts;
	uint64_t seed, frames, done = 0;
	struct rng rng;
	struct timespec t0, t1;
	double secs;

	clock_gettime(CLOCK_REALTIME, &ts);
	seed = env_u64("FUZZ_SEED", (uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec << 20 ^ getpid());
	frames = env_u64("FUZZ_FRAMES", DEFAULT_FRAMES);
	print_message("# fuzz seed %llu, %llu frames (FUZZ_SEED=%llu repeats this run)\n",
		      (unsigned long long)seed, (unsigned long long)frames,
		      (unsigned long long)seed);
	rng.s = seed;

	for (size_t i = 0; i < sizeof(watched) / sizeof(watched[0]); i++)
		assert_int_equal(sw_prefix_parse(watched[i], &z->watch.pfx[z->watch.n++]), 0);
	/* --watch and --drop together: the verdict says, per frame, whether it was an access. */
	cfg.watch = z->watch.pfx;
	cfg.nwatch = z->watch.n;
	cfg.drop = true;
	cfg.max_keys = 2 * BATCH;
	cfg.max_pairs = 2 * BATCH;
	/*
	 * The smallest cache: nearly every frame evicts a slot into the log, so the merge of
	 * records into pairs is what the reference is compared with; the log holds a batch.
	 */
	cfg.cache_slots = 16;
	xdp_fx_open(&z->fx, &cfg);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (done < frames) {
		size_t n = frames - done < BATCH ? frames - done : BATCH;
		struct rng start = rng;
		uint8_t f[BUF_LEN];

		for (size_t i = 0; i < n; i++) {
			size_t len = gen_frame(&rng, f);
			int verdict = xdp_run(&z->fx, f, len);
			int want;

			ref_classify(&z->watch, f, len, &z->refs[i]);
			want = z->refs[i].what == REF_ACCESS ? XDP_DROP_VERDICT : XDP_PASS_VERDICT;
			if (verdict != want) {
				report_frame(done + i, f, len, &z->refs[i], NULL, verdict);
				fail_msg("frame %llu: verdict %d, want %d",
					 (unsigned long long)(done + i), verdict, want);
			}
		}
		xdp_drain(&z->fx);
		ref_tally(z, n);
		if (!same(z))
			bisect(z, start, done, n);
		z->keys_seen += z->nkref;
		z->pairs_seen += z->npref;
		z->batches++;
		done += n;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	print_message("# %llu frames in %.2f s (%.2f us each, generation and reference included)\n",
		      (unsigned long long)frames, secs, secs * 1e6 / (double)frames);
	print_message(
		"# %llu accesses, %llu not IP, %llu runts, %llu unwatched; fingerprints "
		"mirai %llu zmap %llu masscan %llu; per batch of %d: %llu keys, %llu pairs\n",
		(unsigned long long)z->what[REF_ACCESS], (unsigned long long)z->what[REF_NOT_IP],
		(unsigned long long)z->what[REF_RUNT], (unsigned long long)z->what[REF_UNWATCHED],
		(unsigned long long)z->fps[SW_FP_MIRAI], (unsigned long long)z->fps[SW_FP_ZMAP],
		(unsigned long long)z->fps[SW_FP_MASSCAN], BATCH,
		(unsigned long long)(z->keys_seen / z->batches),
		(unsigned long long)(z->pairs_seen / z->batches));
	/* A generator that stopped making accesses, or only accesses, would test nothing. */
	assert_true(z->what[REF_ACCESS] > frames / 4);
	assert_true(z->what[REF_NOT_IP] > 0 && z->what[REF_RUNT] > 0 && z->what[REF_UNWATCHED] > 0);
}

static int setup(void **state)
{
	*state = calloc(1, sizeof(struct fuzz));
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	struct fuzz *z = *state;

	xdp_fx_close(&z->fx);
	free(z);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fuzz, setup, teardown),
	};

	xdp_require_root();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
