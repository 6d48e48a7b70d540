// SPDX-License-Identifier: GPL-2.0-only
/*
 * mkhistory OUT.pcap < SPEC: months of a sensor's history in one capture, every packet chosen by
 * the test, so that a report's figures can be computed from the SPEC alone. One SPEC line per
 * series of accesses to the sensor 192.0.2.10:
 *
 *   FROM TO TYPE PORT PKTS SRCS MODE BASE FP [AREA]
 *
 * FROM, TO   first and last day (YYYY-MM-DD, UTC), both included
 * TYPE       syn (TCP SYN to PORT), udp (to PORT), echo (ICMP echo request, PORT ignored),
 *            synack or rst (backscatter: a victim answering from its port PORT)
 * PKTS SRCS  packets and distinct sources in every hour of those days (PKTS >= SRCS >= 1)
 * MODE       hourly: each hour of a day has its own SRCS sources, BASE + hour * SRCS + j, so a
 *            day has 24 * SRCS of them; fixed: the same SRCS sources (BASE + j) all day long
 * BASE       the first source, an IPv4 address
 * FP         none, mirai, zmap or masscan: the scanning tool the packets look like
 * AREA       ignored here: the test's country of the sources, for its database
 *
 * Packet i (0-based) of an hour comes from source j = i % SRCS and is sent at the hour's start
 * plus (i + 1) * 3600 / (PKTS + 1) seconds, plus the line's number in microseconds (so lines
 * never tie). Blank lines and lines starting with # are skipped. Packets are written in time
 * order; prints how many. A non-fingerprinted packet is built so that it matches no fingerprint.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pktcraft.h"

#define MAX_LINES 64
#define MAX_PKTS_HOUR 1000
#define SENSOR "192.0.2.10"
#define ZMAP_IPID 54321

enum type { T_SYN, T_UDP, T_ECHO, T_SYNACK, T_RST };
enum fp { FP_NONE, FP_MIRAI, FP_ZMAP, FP_MASSCAN };

struct series {
	int64_t from, to; /* days since the epoch */
	enum type type;
	unsigned int port, pkts, srcs;
	int fixed;
	uint32_t base;
	enum fp fp;
	unsigned int line;
};

struct event {
	uint64_t t_us;
	const struct series *s;
	uint32_t src;
	unsigned int n; /* packet number in its hour, for ports and IDs */
};

static int parse_day(const char *s, int64_t *day)
{
	struct tm tm = { 0 };
	char *end = strptime(s, "%Y-%m-%d", &tm);

	if (!end || *end)
		return -EINVAL;
	*day = (int64_t)timegm(&tm) / 86400;
	return 0;
}

static int lookup(const char *s, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

static int parse_line(char *line, unsigned int lineno, struct series *s)
{
	static const char *const types[] = { "syn", "udp", "echo", "synack", "rst" };
	static const char *const fps[] = { "none", "mirai", "zmap", "masscan" };
	static const char *const modes[] = { "hourly", "fixed" };
	char from[16], to[16], type[16], mode[16], base[32], fp[16];
	struct in_addr a;
	int t, f, m;

	memset(s, 0, sizeof(*s));
	if (sscanf(line, "%15s %15s %15s %u %u %u %15s %31s %15s", from, to, type, &s->port,
		   &s->pkts, &s->srcs, mode, base, fp) != 9 ||
	    parse_day(from, &s->from) || parse_day(to, &s->to) || s->to < s->from ||
	    (t = lookup(type, types, 5)) < 0 || (f = lookup(fp, fps, 4)) < 0 ||
	    (m = lookup(mode, modes, 2)) < 0 || s->port > 65535 || s->srcs < 1 ||
	    s->pkts < s->srcs || s->pkts > MAX_PKTS_HOUR || inet_pton(AF_INET, base, &a) != 1) {
		fprintf(stderr,
			"mkhistory: line %u: expected FROM TO syn|udp|echo|synack|rst PORT PKTS SRCS "
			"hourly|fixed BASE none|mirai|zmap|masscan [AREA]\n",
			lineno);
		return -EINVAL;
	}
	s->type = t;
	s->fp = f;
	s->fixed = m == 1;
	s->base = ntohl(a.s_addr);
	s->line = lineno;
	return 0;
}

static int cmp_events(const void *a, const void *b)
{
	const struct event *x = a, *y = b;

	if (x->t_us != y->t_us)
		return x->t_us < y->t_us ? -1 : 1;
	return x->s->line < y->s->line ? -1 : x->s->line > y->s->line;
}

static void build(const struct event *e, uint32_t dst, struct pkt_spec *p)
{
	const struct series *s = e->s;

	memset(p, 0, sizeof(*p));
	p->src[0] = e->src >> 24;
	p->src[1] = e->src >> 16;
	p->src[2] = e->src >> 8;
	p->src[3] = e->src;
	p->dst[0] = dst >> 24;
	p->dst[1] = dst >> 16;
	p->dst[2] = dst >> 8;
	p->dst[3] = dst;
	p->ttl = 64;
	p->sport = 40000 + e->n;
	p->dport = s->port;
	p->seq = 0x1000000 + e->n * 7919 + s->line;
	switch (s->type) {
	case T_SYN:
		p->proto = IPPROTO_TCP;
		p->tcp_flags = PKT_SYN;
		break;
	case T_UDP:
		p->proto = IPPROTO_UDP;
		break;
	case T_ECHO:
		p->proto = IPPROTO_ICMP;
		p->icmp_type = 8;
		p->dport = e->n;
		break;
	case T_SYNACK:
	case T_RST:
		p->proto = IPPROTO_TCP;
		p->tcp_flags = s->type == T_SYNACK ? PKT_SYN | PKT_ACK : PKT_RST | PKT_ACK;
		p->sport = s->port;
		p->dport = 40000 + e->n;
		break;
	}
	if (s->fp == FP_MIRAI)
		p->seq = dst;
	/* An ID that is neither ZMap's nor masscan's template unless asked for. */
	p->ip_id = (uint16_t)((dst ^ p->dport ^ p->seq) & 0xffff) ^ 0x5a5a;
	if (p->ip_id == ZMAP_IPID)
		p->ip_id ^= 1;
	if (s->fp == FP_ZMAP)
		p->ip_id = ZMAP_IPID;
	if (s->fp == FP_MASSCAN)
		p->ip_id = (uint16_t)((dst ^ p->dport ^ p->seq) & 0xffff);
}

int main(int argc, char **argv)
{
	struct series series[MAX_LINES];
	size_t nseries = 0, nev, cap = 0;
	struct event *ev = NULL;
	int64_t first = INT64_MAX, last = INT64_MIN;
	unsigned int lineno = 0;
	uint64_t written = 0;
	struct in_addr da;
	char line[512];
	pcap_dumper_t *d;
	uint32_t dst;
	pcap_t *p;
	int ret = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: mkhistory OUT.pcap < SPEC (see tools/mkhistory.c)\n");
		return 2;
	}
	while (fgets(line, sizeof(line), stdin)) {
		char *l = line + strspn(line, " \t");

		lineno++;
		if (!*l || *l == '\n' || *l == '#')
			continue;
		if (nseries == MAX_LINES) {
			fprintf(stderr, "mkhistory: at most %d series\n", MAX_LINES);
			return 2;
		}
		if (parse_line(l, lineno, &series[nseries]))
			return 2;
		if (series[nseries].from < first)
			first = series[nseries].from;
		if (series[nseries].to > last)
			last = series[nseries].to;
		nseries++;
	}
	if (!nseries) {
		fprintf(stderr, "mkhistory: no series\n");
		return 2;
	}
	inet_pton(AF_INET, SENSOR, &da);
	dst = ntohl(da.s_addr);
	p = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535, PCAP_TSTAMP_PRECISION_MICRO);
	if (!p)
		return 1;
	d = pcap_dump_open(p, argv[1]);
	if (!d) {
		fprintf(stderr, "mkhistory: %s\n", pcap_geterr(p));
		pcap_close(p);
		return 1;
	}
	/* A day at a time, sorted: the capture is in time order as a wire would record it. */
	for (int64_t day = first; day <= last; day++) {
		nev = 0;
		for (size_t i = 0; i < nseries; i++) {
			const struct series *s = &series[i];

			if (day < s->from || day > s->to)
				continue;
			for (unsigned int h = 0; h < 24; h++) {
				for (unsigned int n = 0; n < s->pkts; n++) {
					uint64_t hour_us =
						((uint64_t)day * 86400 + h * 3600) * 1000000;
					unsigned int j = n % s->srcs;

					if (nev == cap) {
						size_t ncap = cap ? cap * 2 : 4096;
						struct event *ne = realloc(ev, ncap * sizeof(*ne));

						if (!ne)
							goto out;
						ev = ne;
						cap = ncap;
					}
					ev[nev].t_us =
						hour_us +
						(uint64_t)(n + 1) * 3600000000ULL / (s->pkts + 1) +
						s->line;
					ev[nev].s = s;
					ev[nev].n = n;
					ev[nev].src = s->base + (s->fixed ? j : h * s->srcs + j);
					nev++;
				}
			}
		}
		qsort(ev, nev, sizeof(*ev), cmp_events);
		for (size_t i = 0; i < nev; i++) {
			struct pkt_spec spec;
			struct pcap_pkthdr h = { 0 };
			uint8_t frame[PKT_MAX];

			build(&ev[i], dst, &spec);
			h.caplen = h.len = pkt_build(&spec, frame);
			h.ts.tv_sec = ev[i].t_us / 1000000;
			h.ts.tv_usec = ev[i].t_us % 1000000;
			pcap_dump((u_char *)d, &h, frame);
			written++;
		}
	}
	if (pcap_dump_flush(d)) {
		fprintf(stderr, "mkhistory: cannot write %s\n", argv[1]);
		goto out;
	}
	printf("%" PRIu64 "\n", written);
	ret = 0;
out:
	free(ev);
	pcap_dump_close(d);
	pcap_close(p);
	return ret;
}
