// SPDX-License-Identifier: GPL-2.0-only
/*
 * mkpcap OUT.pcap < SPEC: a capture whose every packet the test chose, written with libpcap's
 * pcap_dump, frames from pktcraft. One SPEC line per group of identical accesses:
 *
 *   EPOCH[.FRAC]  SRC  DST  tcp|udp|echo  DPORT  COUNT
 *
 * tcp is a SYN, udp a datagram, echo an ICMP (ICMPv6 for IPv6 addresses) echo request (DPORT
 * is ignored, write 0). The COUNT packets are 1 µs apart from EPOCH; lines may come in any order
 * of time, since a test that restarts in the middle of a day replays two such files. Blank lines
 * and lines starting with # are skipped. Prints the number of packets written.
 */
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pktcraft.h"

#define MAX_COUNT 1000000

static int parse_line(char *line, unsigned int lineno, struct pkt_spec *s, uint64_t *ts_us,
		      unsigned long *count)
{
	char src[64], dst[64], proto[8];
	unsigned long sec, frac_us = 0;
	unsigned int dport;
	char frac[16] = "";
	bool v6_dst;
	int n;

	memset(s, 0, sizeof(*s));
	n = sscanf(line, "%lu%15[.0-9] %63s %63s %7s %u %lu", &sec, frac, src, dst, proto, &dport,
		   count);
	if (n != 7) {
		frac[0] = '\0';
		n = sscanf(line, "%lu %63s %63s %7s %u %lu", &sec, src, dst, proto, &dport, count);
		if (n != 6)
			goto bad;
	}
	if (frac[0]) {
		size_t len = strlen(frac);

		if (frac[0] != '.' || len > 7 || strchr(frac + 1, '.'))
			goto bad;
		for (size_t i = 1; i < 7; i++)
			frac_us = frac_us * 10 + (i < len ? (unsigned long)(frac[i] - '0') : 0);
	}
	if (pkt_addr(src, s->src, &s->v6) || pkt_addr(dst, s->dst, &v6_dst) || v6_dst != s->v6 ||
	    dport > 65535 || *count < 1 || *count > MAX_COUNT)
		goto bad;
	s->dport = dport;
	if (!strcmp(proto, "tcp")) {
		s->proto = IPPROTO_TCP;
		s->tcp_flags = PKT_SYN;
	} else if (!strcmp(proto, "udp")) {
		s->proto = IPPROTO_UDP;
	} else if (!strcmp(proto, "echo")) {
		s->proto = s->v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
		s->icmp_type = s->v6 ? 128 : 8;
		s->dport = 0;
	} else {
		goto bad;
	}
	*ts_us = (uint64_t)sec * 1000000 + frac_us;
	return 0;
bad:
	fprintf(stderr, "mkpcap: line %u: expected EPOCH SRC DST tcp|udp|echo DPORT COUNT\n",
		lineno);
	return -EINVAL;
}

int main(int argc, char **argv)
{
	char line[512];
	unsigned int lineno = 0;
	uint64_t written = 0;
	pcap_dumper_t *d;
	pcap_t *p;
	int ret = 1;

	if (argc != 2) {
		fprintf(stderr,
			"usage: mkpcap OUT.pcap < SPEC (see the comment atop tools/mkpcap.c)\n");
		return 2;
	}
	p = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535, PCAP_TSTAMP_PRECISION_MICRO);
	if (!p)
		return 1;
	d = pcap_dump_open(p, argv[1]);
	if (!d) {
		fprintf(stderr, "mkpcap: %s\n", pcap_geterr(p));
		pcap_close(p);
		return 1;
	}
	while (fgets(line, sizeof(line), stdin)) {
		struct pkt_spec s;
		uint8_t frame[PKT_MAX];
		unsigned long count;
		uint64_t ts;

		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (!line[strspn(line, " \t")] || line[strspn(line, " \t")] == '#')
			continue;
		if (parse_line(line, lineno, &s, &ts, &count))
			goto out;
		for (unsigned long i = 0; i < count; i++) {
			struct pcap_pkthdr h = { 0 };

			/* Distinct ports and IDs: the copies are separate packets, as on a wire. */
			s.sport = 40000 + i % 20000;
			s.ip_id = (uint16_t)(lineno * 131 + i);
			s.seq = 0x10000 + i;
			h.caplen = h.len = pkt_build(&s, frame);
			h.ts.tv_sec = (ts + i) / 1000000;
			h.ts.tv_usec = (ts + i) % 1000000;
			pcap_dump((u_char *)d, &h, frame);
			written++;
		}
	}
	if (pcap_dump_flush(d)) {
		fprintf(stderr, "mkpcap: cannot write %s\n", argv[1]);
		goto out;
	}
	printf("%" PRIu64 "\n", written);
	ret = 0;
out:
	pcap_dump_close(d);
	pcap_close(p);
	return ret;
}
