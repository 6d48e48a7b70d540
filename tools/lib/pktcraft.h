/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Builds Ethernet frames for tests, the fuzzer, the bench and the traffic sender: one call per
 * frame, every field the classifier looks at settable. Checksums are computed so that the frames
 * are valid on a real wire too.
 */
#ifndef SW_PKTCRAFT_H
#define SW_PKTCRAFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PKT_MAX 1600

/* TCP flag bits as on the wire. */
#define PKT_FIN 0x01
#define PKT_SYN 0x02
#define PKT_RST 0x04
#define PKT_PSH 0x08
#define PKT_ACK 0x10

struct pkt_spec {
	bool v6;
	uint8_t src[16], dst[16]; /* IPv4 in the first 4 bytes */
	uint8_t proto; /* IPPROTO_TCP, _UDP, _ICMP, _ICMPV6 or any other number */
	uint16_t sport, dport;
	uint8_t tcp_flags;
	uint32_t seq; /* host order */
	uint8_t icmp_type, icmp_code;
	uint16_t ip_id; /* IPv4, host order */
	uint16_t
		frag_off; /* IPv4: offset in 8-byte units (13 bits); IPv6: adds a fragment header */
	bool more_frags;
	uint8_t ip_opt_len; /* IPv4 options, multiple of 4, up to 40 */
	uint8_t n_ext; /* IPv6: number of destination-options headers before the transport */
	uint8_t nvlan; /* 0, 1 (802.1Q) or 2 (802.1ad outer + 802.1Q inner) */
	uint16_t vlan[2];
	uint16_t payload_len;
	uint8_t ttl;
};

/* Writes the frame into buf (at least PKT_MAX bytes); returns its length. */
size_t pkt_build(const struct pkt_spec *s, uint8_t *buf);
/* Parses "192.0.2.1" or "2001:db8::1" into spec form; sets *v6. 0 or -1. */
int pkt_addr(const char *str, uint8_t out[16], bool *v6);

#endif
