// SPDX-License-Identifier: GPL-2.0-only
/*
 * The bench's traffic: one interval's mix of a darknet sensor (scanners, backscatter, IPv6) built once
 * into memory, shared by tools/bench (BPF_PROG_TEST_RUN) and tools/blast (the same frames on a
 * veth), so that every row of `make bench` measures the same packets.
 */
#include <errno.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "benchmix.h"
#include "benchutil.h"
#include "scanwatch.h"

/* 0 when n is 0: a table of weights that are all 0 picks its first entry. */
static unsigned int rng_below(struct rng *r, unsigned int n)
{
	return n ? (unsigned int)(rng_next(r) % n) : 0;
}

struct weighted {
	uint16_t port;
	uint16_t weight;
};

/* Roughly the order of public darknet reports (ISC, GreyNoise, TALOT2): a few dozen ports. */
static const struct weighted tcp_ports[] = {
	{ 445, 180 }, { 23, 140 },  { 22, 120 },   { 80, 90 },	 { 3389, 70 }, { 443, 60 },
	{ 8080, 50 }, { 1433, 40 }, { 135, 30 },   { 139, 25 },	 { 5555, 25 }, { 2323, 20 },
	{ 8443, 18 }, { 3306, 18 }, { 5900, 15 },  { 6379, 15 }, { 81, 12 },   { 8000, 12 },
	{ 8888, 10 }, { 7547, 10 }, { 37215, 10 }, { 52869, 8 }, { 25, 8 },    { 21, 8 },
	{ 110, 6 },   { 143, 6 },   { 9200, 6 },   { 5432, 6 },	 { 27017, 5 }, { 11211, 5 },
	{ 1723, 5 },  { 502, 4 },   { 9000, 4 },   { 8081, 4 },	 { 2222, 4 },  { 60001, 3 },
	{ 49152, 3 }, { 5060, 3 },  { 111, 3 },	   { 3128, 3 },
};
static const struct weighted udp_ports[] = {
	{ 53, 30 },  { 123, 25 }, { 161, 20 }, { 1900, 15 }, { 5060, 15 }, { 11211, 10 },
	{ 137, 10 }, { 500, 8 },  { 19, 5 },   { 389, 5 },   { 3702, 5 },  { 5353, 5 },
};
/* Services of flood victims whose answers (backscatter) reach a sensor. */
static const struct weighted victim_ports[] = {
	{ 80, 40 }, { 443, 40 }, { 53, 10 }, { 22, 8 }, { 25, 5 }, { 3389, 5 }, { 27015, 5 },
};
static const struct weighted v6_ports[] = { { 22, 40 }, { 80, 30 }, { 443, 30 } };

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static uint16_t pick(struct rng *r, const struct weighted *w, size_t n)
{
	unsigned int total = 0, x;

	for (size_t i = 0; i < n; i++)
		total += w[i].weight;
	x = rng_below(r, total);
	for (size_t i = 0; i < n; i++) {
		if (x < w[i].weight)
			return w[i].port;
		x -= w[i].weight;
	}
	return w[n - 1].port;
}

const char *const mix_names[MIX_NTYPES] = { "IPv4 TCP SYN", "IPv4 UDP", "IPv4 ICMP echo",
					    "backscatter (SYN-ACK, RST, ICMP unreach)",
					    "IPv6 (TCP SYN, ICMPv6 echo)" };

static int mix_add(struct mix *m, const struct pkt_spec *spec, enum mix_type type)
{
	if (m->used + PKT_MAX > m->cap) {
		size_t ncap = m->cap ? m->cap * 2 : 1 << 22;
		uint8_t *nb = realloc(m->buf, ncap);

		if (!nb)
			return -ENOMEM;
		m->buf = nb;
		m->cap = ncap;
	}
	if (m->n == m->frames_cap) {
		size_t ncap = m->frames_cap ? m->frames_cap * 2 : 1 << 16;
		struct frame *nf = realloc(m->frames, ncap * sizeof(*nf));

		if (!nf)
			return -ENOMEM;
		m->frames = nf;
		m->frames_cap = ncap;
	}
	m->frames[m->n].off = (uint32_t)m->used;
	m->frames[m->n].len = (uint16_t)pkt_build(spec, m->buf + m->used);
	m->used += m->frames[m->n].len;
	m->n++;
	m->by_type[type]++;
	return 0;
}

void mix_free(struct mix *m)
{
	free(m->buf);
	free(m->frames);
	memset(m, 0, sizeof(*m));
}

static void set_v4(uint8_t out[16], uint32_t host_order)
{
	memset(out, 0, 16);
	out[0] = host_order >> 24;
	out[1] = host_order >> 16;
	out[2] = host_order >> 8;
	out[3] = host_order;
}

/* A destination in the sensor's 192.0.2.0/24. */
static uint32_t sensor_v4(struct rng *r)
{
	return 0xc0000200u | rng_below(r, 256);
}

/* The keys one source sends to are kept to count distinct (source, key) pairs exactly. */
#define MAX_SOURCE_KEYS 8

struct source_keys {
	uint32_t k[MAX_SOURCE_KEYS];
	int n;
};

static void note_key(struct source_keys *sk, uint8_t cls, uint8_t kind, uint16_t num)
{
	uint32_t k = (uint32_t)cls << 24 | (uint32_t)kind << 16 | num;

	for (int i = 0; i < sk->n; i++)
		if (sk->k[i] == k)
			return;
	if (sk->n < MAX_SOURCE_KEYS)
		sk->k[sk->n++] = k;
}

/* Mirai, ZMap and masscan leave their marks on a share of TCP scans; the rest look like nmap. */
static void scanner_marks(struct rng *r, struct pkt_spec *sp, uint32_t dst)
{
	unsigned int x = rng_below(r, 100);

	sp->seq = (uint32_t)rng_next(r);
	sp->ip_id = (uint16_t)rng_next(r);
	if (x < 25) {
		sp->seq = dst;
	} else if (x < 40) {
		sp->ip_id = 54321;
	} else if (x < 50) {
		sp->ip_id = (uint16_t)((dst ^ sp->dport ^ sp->seq) & 0xffff);
	}
}

/*
 * One source's packets. Shares of sources: 70 % TCP SYN scanners (a fifth of them retransmit,
 * a tenth sweep several sensor addresses, a tenth try several ports), 11 % UDP, 6 % ICMP echo,
 * 9 % backscatter, 4 % IPv6.
 */
static int gen_source(struct mix *m, struct rng *r, uint32_t idx, uint32_t salt)
{
	struct pkt_spec sp = { .ttl = 40 + rng_below(r, 200) };
	struct source_keys sk = { .n = 0 };
	unsigned int kind = rng_below(r, 100), npk = 1, dst = 0;
	uint32_t src = bench_spread32(idx ^ salt << 24);
	int err = 0;

	/* Keep sources out of the sensor's own /24 so that no source is also a destination. */
	if ((src & 0xffffff00u) == 0xc0000200u)
		src ^= 0x01000000u;
	set_v4(sp.src, src);
	sp.sport = 1024 + rng_below(r, 64000);

	if (kind < 70) {
		unsigned int style = rng_below(r, 10), nports = 1;

		sp.proto = IPPROTO_TCP;
		sp.tcp_flags = PKT_SYN;
		sp.dport = pick(r, tcp_ports, NELEM(tcp_ports));
		if (style < 2)
			npk = 2; /* retransmitted SYN: same pair again */
		else if (style == 2)
			npk = 2 + rng_below(r, 7); /* sweep: same pair, other addresses */
		else if (style == 3)
			nports = 2 + rng_below(r, 5); /* several ports: new pairs */
		for (unsigned int p = 0; p < nports && !err; p++) {
			if (p)
				sp.dport = pick(r, tcp_ports, NELEM(tcp_ports));
			for (unsigned int i = 0; i < npk && !err; i++) {
				dst = sensor_v4(r);
				set_v4(sp.dst, dst);
				scanner_marks(r, &sp, dst);
				err = mix_add(m, &sp, MIX_SYN);
			}
			note_key(&sk, SW_CLS_TCP, SW_KIND_SCAN, sp.dport);
		}
		if (m->hot_frame == SIZE_MAX && sp.dport == 445 && sp.seq != dst)
			m->hot_frame = m->n - 1;
	} else if (kind < 81) {
		sp.proto = IPPROTO_UDP;
		sp.dport = pick(r, udp_ports, NELEM(udp_ports));
		sp.payload_len = 20 + rng_below(r, 40);
		npk = 1 + rng_below(r, 2);
		for (unsigned int i = 0; i < npk && !err; i++) {
			set_v4(sp.dst, sensor_v4(r));
			sp.ip_id = (uint16_t)rng_next(r);
			err = mix_add(m, &sp, MIX_UDP);
		}
		note_key(&sk, SW_CLS_UDP, SW_KIND_SCAN, sp.dport);
	} else if (kind < 87) {
		sp.proto = IPPROTO_ICMP;
		sp.icmp_type = 8;
		sp.sport = (uint16_t)rng_next(r); /* identifier */
		sp.payload_len = 32;
		npk = 1 + rng_below(r, 2);
		for (unsigned int i = 0; i < npk && !err; i++) {
			set_v4(sp.dst, sensor_v4(r));
			sp.dport = (uint16_t)i; /* sequence */
			err = mix_add(m, &sp, MIX_ECHO);
		}
		note_key(&sk, SW_CLS_ECHO, SW_KIND_SCAN, 0);
	} else if (kind < 96) {
		/* A flood victim answering spoofed packets: several answers, often the same key. */
		unsigned int what = rng_below(r, 10);

		npk = 1 + rng_below(r, 4);
		for (unsigned int i = 0; i < npk && !err; i++) {
			set_v4(sp.dst, sensor_v4(r));
			sp.dport = 1024 + rng_below(r, 64000);
			if (what < 8) {
				sp.proto = IPPROTO_TCP;
				sp.tcp_flags = what < 6 ? PKT_SYN | PKT_ACK : PKT_RST | PKT_ACK;
				sp.sport = pick(r, victim_ports, NELEM(victim_ports));
				sp.seq = (uint32_t)rng_next(r);
				note_key(&sk, SW_CLS_TCP, SW_KIND_BACKSCATTER, sp.sport);
			} else {
				sp.proto = IPPROTO_ICMP;
				sp.icmp_type = 3;
				sp.icmp_code = 3;
				sp.payload_len = 28; /* the quoted IP header and 8 bytes */
				note_key(&sk, SW_CLS_ICMP, SW_KIND_BACKSCATTER, 3);
			}
			err = mix_add(m, &sp, MIX_BACKSCATTER);
		}
	} else {
		sp.v6 = true;
		memcpy(sp.src, (const uint8_t[]){ 0x20, 0x01, 0x0d, 0xb8, 0x0a }, 5);
		memcpy(sp.src + 12, &src, 4);
		memcpy(sp.dst, (const uint8_t[]){ 0x20, 0x01, 0x0d, 0xb8, 0, 5 }, 6);
		sp.dst[15] = (uint8_t)rng_below(r, 16);
		if (rng_below(r, 3)) {
			sp.proto = IPPROTO_TCP;
			sp.tcp_flags = PKT_SYN;
			sp.dport = pick(r, v6_ports, NELEM(v6_ports));
			sp.seq = (uint32_t)rng_next(r);
			note_key(&sk, SW_CLS_TCP, SW_KIND_SCAN, sp.dport);
		} else {
			sp.proto = IPPROTO_ICMPV6;
			sp.icmp_type = 128;
			sp.payload_len = 16;
			note_key(&sk, SW_CLS_ECHO, SW_KIND_SCAN, 0);
		}
		err = mix_add(m, &sp, MIX_V6);
	}
	m->pairs += sk.n;
	m->sources++;
	return err;
}

/* Sources send in parallel: the mix is shuffled, so a source's second packet arrives later. */
int mix_build(struct mix *m, unsigned int sources, unsigned int salt)
{
	struct rng r = { .s = 0x5ca1ab1e };
	int err = 0;

	memset(m, 0, sizeof(*m));
	if (!sources || sources > 1u << 24 || salt > 255)
		return -EINVAL;
	m->hot_frame = SIZE_MAX;
	for (uint32_t i = 0; i < sources && !err; i++)
		err = gen_source(m, &r, i, salt);
	if (err)
		return err;
	for (size_t i = m->n - 1; i > 0; i--) {
		size_t j = rng_next(&r) % (i + 1);
		struct frame t = m->frames[i];

		m->frames[i] = m->frames[j];
		m->frames[j] = t;
		if (m->hot_frame == i)
			m->hot_frame = j;
		else if (m->hot_frame == j)
			m->hot_frame = i;
	}
	return m->hot_frame == SIZE_MAX ? -EINVAL : 0;
}
