// SPDX-License-Identifier: GPL-2.0-only
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "pktcraft.h"

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

static uint32_t sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The transport checksum over the pseudo-header of RFC 793 / RFC 8200. */
static uint16_t l4_csum(const struct pkt_spec *s, const uint8_t *l4, size_t len)
{
	uint32_t sum = 0;
	int alen = s->v6 ? 16 : 4;

	sum = sum16(s->src, alen, sum);
	sum = sum16(s->dst, alen, sum);
	sum += s->proto + (uint32_t)len;
	return fold(sum16(l4, len, sum));
}

static size_t build_l4(const struct pkt_spec *s, uint8_t *p)
{
	size_t hlen;

	switch (s->proto) {
	case IPPROTO_TCP:
		hlen = 20;
		memset(p, 0, hlen);
		put16(p, s->sport);
		put16(p + 2, s->dport);
		put32(p + 4, s->seq);
		p[12] = 5 << 4;
		p[13] = s->tcp_flags;
		put16(p + 14, 1024);
		break;
	case IPPROTO_UDP:
		hlen = 8;
		put16(p, s->sport);
		put16(p + 2, s->dport);
		put16(p + 4, 8 + s->payload_len);
		put16(p + 6, 0);
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		hlen = 8;
		memset(p, 0, hlen);
		p[0] = s->icmp_type;
		p[1] = s->icmp_code;
		put16(p + 4, s->sport); /* identifier */
		put16(p + 6, s->dport); /* sequence */
		break;
	default:
		hlen = 0;
	}
	memset(p + hlen, 0xa5, s->payload_len);
	return hlen + s->payload_len;
}

static void fill_l4_csum(const struct pkt_spec *s, uint8_t *l4, size_t len)
{
	uint16_t c;

	if (s->frag_off || s->more_frags)
		return; /* a fragment's checksum covers the whole datagram; leave it zero */
	switch (s->proto) {
	case IPPROTO_TCP:
		c = l4_csum(s, l4, len);
		put16(l4 + 16, c);
		break;
	case IPPROTO_UDP:
		c = l4_csum(s, l4, len);
		put16(l4 + 6, c ? c : 0xffff);
		break;
	case IPPROTO_ICMP:
		put16(l4 + 2, fold(sum16(l4, len, 0)));
		break;
	case IPPROTO_ICMPV6:
		put16(l4 + 2, l4_csum(s, l4, len));
		break;
	}
}

size_t pkt_build(const struct pkt_spec *s, uint8_t *buf)
{
	static const uint8_t dmac[6] = { 0x02, 0, 0, 0, 0, 0x02 },
			     smac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	uint8_t *p = buf;
	size_t l4len;

	memcpy(p, dmac, 6);
	memcpy(p + 6, smac, 6);
	p += 12;
	for (int i = 0; i < s->nvlan && i < 2; i++) {
		put16(p, s->nvlan == 2 && i == 0 ? 0x88a8 : 0x8100);
		put16(p + 2, s->vlan[i] & 0x0fff);
		p += 4;
	}
	put16(p, s->v6 ? 0x86dd : 0x0800);
	p += 2;

	if (!s->v6) {
		uint8_t *ip = p;
		size_t ihl = 20 + (s->ip_opt_len & ~3u);
		uint16_t frag = (s->frag_off & 0x1fff) | (s->more_frags ? 0x2000 : 0);

		if (ihl > 60)
			ihl = 60;
		memset(ip, 0, ihl);
		ip[0] = 0x40 | (uint8_t)(ihl / 4);
		put16(ip + 4, s->ip_id);
		put16(ip + 6, frag);
		ip[8] = s->ttl ? s->ttl : 64;
		ip[9] = s->proto;
		memcpy(ip + 12, s->src, 4);
		memcpy(ip + 16, s->dst, 4);
		for (size_t i = 20; i < ihl; i++)
			ip[i] = 1; /* NOP options */
		l4len = build_l4(s, ip + ihl);
		fill_l4_csum(s, ip + ihl, l4len);
		put16(ip + 2, (uint16_t)(ihl + l4len));
		put16(ip + 10, fold(sum16(ip, ihl, 0)));
		p = ip + ihl + l4len;
	} else {
		uint8_t *ip = p, *ext = ip + 40;
		uint8_t *next = ip + 6;

		memset(ip, 0, 40);
		ip[0] = 0x60;
		ip[7] = s->ttl ? s->ttl : 64;
		memcpy(ip + 8, s->src, 16);
		memcpy(ip + 24, s->dst, 16);
		for (int i = 0; i < s->n_ext; i++) {
			*next = 60; /* destination options, 8 bytes of PadN */
			memset(ext, 0, 8);
			ext[2] = 1;
			ext[3] = 4;
			next = ext;
			ext += 8;
		}
		if (s->frag_off || s->more_frags) {
			*next = 44;
			memset(ext, 0, 8);
			put16(ext + 2, (uint16_t)(s->frag_off << 3 | (s->more_frags ? 1 : 0)));
			put32(ext + 4, 0x5357);
			next = ext;
			ext += 8;
		}
		*next = s->proto;
		l4len = build_l4(s, ext);
		fill_l4_csum(s, ext, l4len);
		put16(ip + 4, (uint16_t)(ext - ip - 40 + l4len));
		p = ext + l4len;
	}
	return (size_t)(p - buf);
}

int pkt_addr(const char *str, uint8_t out[16], bool *v6)
{
	memset(out, 0, 16);
	*v6 = strchr(str, ':') != NULL;
	return inet_pton(*v6 ? AF_INET6 : AF_INET, str, out) == 1 ? 0 : -1;
}
