/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Packet parsing for the XDP program: a cursor over the frame and one bounded helper per
 * header. Every read is preceded by a bounds check against the end of the frame, so hostile
 * input can only end the walk early, and what was learned so far decides the key.
 */
#ifndef SCANWATCH_PARSE_H
#define SCANWATCH_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "scanwatch.h"

#define SW_MAX_VLAN 2 /* 802.1Q and QinQ */
#define SW_MAX_EXTHDR 8 /* IPv6 extension headers walked before giving up */
#define SW_ZMAP_IPID 54321

/* linux/icmp.h drags in libc's socket headers, which the BPF target cannot build. */
#define ICMP_ECHOREPLY 0
#define ICMP_DEST_UNREACH 3
#define ICMP_ECHO 8
#define ICMP_TIME_EXCEEDED 11
#define ICMPV6_DEST_UNREACH 1
#define ICMPV6_TIME_EXCEED 3
#define ICMPV6_ECHO_REQUEST 128
#define ICMPV6_ECHO_REPLY 129

#ifndef IP_MF
#define IP_MF 0x2000
#define IP_OFFSET 0x1fff
#endif
#define IP6_OFFSET 0xfff8

/* The fixed 8 bytes of ICMP and ICMPv6. */
struct icmp_fixed {
	__u8 type;
	__u8 code;
	__be16 csum;
	__be32 rest;
};

struct cursor {
	void *pos;
	void *end;
};

struct vlan_tag {
	__be16 tci;
	__be16 proto;
};

struct ip6_frag {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off;
	__be32 id;
};

/* IPv6 extension header prefix common to hop-by-hop, routing, destination options and AH. */
struct ip6_ext {
	__u8 nexthdr;
	__u8 len;
};

enum sw_parse {
	SW_PARSE_OK, /* pkt->pair, pkt->dst and pkt->fp are set */
	SW_PARSE_NOT_IP,
	SW_PARSE_RUNT,
};

/* Its first 24 bytes are laid out as struct sw_rec's identity, which the cache compares. */
struct sw_pkt {
	union {
		struct {
			struct sw_pair pair; /* source and key */
			__u8 fp; /* bit per enum sw_fingerprint */
			__u8 pad[3];
		};
		__u64 id[3];
	};
	__u8 dst[16];
};

/*
 * Where the transport header starts, for host mode, which reads ports and ICMP identifiers the
 * key does not keep. proto is 0 when no transport header may be read (fragment, bad header).
 */
struct sw_l4 {
	void *pos;
	__u32 len; /* bytes of transport header and payload the IP header claims */
	__u8 proto;
	__u8 is_v4;
};

/* What the IP layer hands the transport layer. */
struct l3_info {
	__u32 l4_len; /* bytes of transport header and payload the IP header claims */
	__be32 daddr4; /* IPv4 only, for fingerprints */
	__u16 ip_id; /* IPv4 only, host order */
	__u8 is_v4;
	__u8 proto;
};

/*
 * One 32-bit store of the whole key (struct sw_key's layout in the target's byte order): field by
 * field, the compiler keeps three values apart and rebuilds the word the cache compares.
 */
/*
 * 1 when a == b, without a branch: BPF has no conditional move, and a fingerprint is a coin a
 * scanner tosses per packet (a Mirai mark on one SYN, none on the next), which a branch
 * predictor cannot learn.
 */
static __always_inline __u8 eq_bit(__u32 a, __u32 b)
{
	__u64 x = a ^ b;

	return (__u8)(((x | (0 - x)) >> 63) ^ 1);
}

static __always_inline void set_key(struct sw_pkt *pkt, __u8 cls, __u8 kind, __u16 num)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	__u32 w = cls | (__u32)kind << 8 | (__u32)num << 16;
#else
	__u32 w = (__u32)cls << 24 | (__u32)kind << 16 | num;
#endif

	__builtin_memcpy(&pkt->pair.key, &w, sizeof(w));
}

static __always_inline void map_v4(__u8 *out, __be32 addr)
{
	__builtin_memset(out, 0, 10);
	out[10] = 0xff;
	out[11] = 0xff;
	__builtin_memcpy(out + 12, &addr, 4);
}

/* Returns the ethertype after Ethernet and up to SW_MAX_VLAN tags, or 0 if cut short. */
static __always_inline __u16 parse_eth(struct cursor *c)
{
	struct ethhdr *eth = c->pos;
	__u16 proto;

	if ((void *)(eth + 1) > c->end)
		return 0;
	proto = bpf_ntohs(eth->h_proto);
	c->pos = eth + 1;
#pragma unroll
	for (int i = 0; i < SW_MAX_VLAN; i++) {
		struct vlan_tag *tag = c->pos;

		if (proto != ETH_P_8021Q && proto != ETH_P_8021AD)
			break;
		if ((void *)(tag + 1) > c->end)
			return 0;
		proto = bpf_ntohs(tag->proto);
		c->pos = tag + 1;
	}
	return proto;
}

/*
 * Returns SW_PARSE_RUNT without the 20-byte header. A header that is there but inconsistent
 * (version, IHL, options past the end) or a non-first fragment gets its key here and
 * l3->proto = 0 so that no transport header is read.
 */
static __always_inline int parse_ipv4(struct cursor *c, struct sw_pkt *pkt, struct l3_info *l3)
{
	struct iphdr *iph = c->pos;
	__u32 hlen, tot_len;

	if ((void *)(iph + 1) > c->end)
		return SW_PARSE_RUNT;
	map_v4(pkt->pair.addr, iph->saddr);
	map_v4(pkt->dst, iph->daddr);
	l3->is_v4 = 1;
	l3->daddr4 = iph->daddr;
	l3->ip_id = bpf_ntohs(iph->id);
	l3->proto = 0;
	set_key(pkt, SW_CLS_PROTO, SW_KIND_OTHER, iph->protocol);

	hlen = iph->ihl * 4;
	tot_len = bpf_ntohs(iph->tot_len);
	if (iph->version != 4 || hlen < sizeof(*iph) || tot_len < hlen)
		return SW_PARSE_OK;
	if (c->pos + hlen > c->end)
		return SW_PARSE_OK;
	if (bpf_ntohs(iph->frag_off) & IP_OFFSET) {
		set_key(pkt, SW_CLS_FRAG, SW_KIND_OTHER, 0);
		return SW_PARSE_OK;
	}
	c->pos += hlen;
	l3->l4_len = tot_len - hlen;
	l3->proto = iph->protocol;
	return SW_PARSE_OK;
}

/* Walks at most SW_MAX_EXTHDR extension headers; a longer chain stays proto/<next header>. */
static __always_inline int parse_ipv6(struct cursor *c, struct sw_pkt *pkt, struct l3_info *l3)
{
	struct ipv6hdr *ip6h = c->pos;
	__u32 remain;
	__u8 nexthdr;

	if ((void *)(ip6h + 1) > c->end)
		return SW_PARSE_RUNT;
	__builtin_memcpy(pkt->pair.addr, &ip6h->saddr, 16);
	__builtin_memcpy(pkt->dst, &ip6h->daddr, 16);
	l3->is_v4 = 0;
	l3->proto = 0;
	nexthdr = ip6h->nexthdr;
	set_key(pkt, SW_CLS_PROTO, SW_KIND_OTHER, nexthdr);
	if (ip6h->version != 6)
		return SW_PARSE_OK;
	remain = bpf_ntohs(ip6h->payload_len);
	c->pos = ip6h + 1;

#pragma unroll
	for (int i = 0; i < SW_MAX_EXTHDR; i++) {
		struct ip6_ext *ext = c->pos;
		struct ip6_frag *fh = c->pos;
		__u32 len;

		switch (nexthdr) {
		case IPPROTO_HOPOPTS:
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
		case IPPROTO_MH:
			if ((void *)(ext + 1) > c->end)
				return SW_PARSE_OK;
			len = (ext->len + 1) * 8;
			break;
		case IPPROTO_AH:
			if ((void *)(ext + 1) > c->end)
				return SW_PARSE_OK;
			len = (ext->len + 2) * 4;
			break;
		case IPPROTO_FRAGMENT:
			/* Like any header, it counts only inside the payload length too. */
			if ((void *)(fh + 1) > c->end || sizeof(*fh) > remain)
				return SW_PARSE_OK;
			if (bpf_ntohs(fh->frag_off) & IP6_OFFSET) {
				set_key(pkt, SW_CLS_FRAG, SW_KIND_OTHER, 0);
				return SW_PARSE_OK;
			}
			len = sizeof(*fh);
			break;
		default:
			goto done;
		}
		if (len > remain || c->pos + len > c->end)
			return SW_PARSE_OK;
		nexthdr = ext->nexthdr;
		set_key(pkt, SW_CLS_PROTO, SW_KIND_OTHER, nexthdr);
		remain -= len;
		c->pos += len;
	}
	/*
	 * SW_MAX_EXTHDR headers walked: what follows them is still parsed if it is not one more
	 * extension header. A longer chain keeps proto/<next header>.
	 */
	switch (nexthdr) {
	case IPPROTO_HOPOPTS:
	case IPPROTO_ROUTING:
	case IPPROTO_DSTOPTS:
	case IPPROTO_MH:
	case IPPROTO_AH:
	case IPPROTO_FRAGMENT:
		return SW_PARSE_OK;
	}
done:
	l3->l4_len = remain;
	l3->proto = nexthdr;
	return SW_PARSE_OK;
}

static __always_inline void parse_tcp(struct cursor *c, struct sw_pkt *pkt,
				      const struct l3_info *l3)
{
	struct tcphdr *th = c->pos;
	__u8 flags;

	if ((void *)(th + 1) > c->end || l3->l4_len < sizeof(*th))
		return;
	/* Byte 13 of the header: CWR ECE URG ACK PSH RST SYN FIN. */
	flags = ((__u8 *)th)[13];
	if (!(flags & (0x10 | 0x04))) {
		set_key(pkt, SW_CLS_TCP, SW_KIND_SCAN, bpf_ntohs(th->dest));
	} else if ((flags & 0x04) || (flags & 0x12) == 0x12) {
		/* A victim's answer: the service is its source port. */
		set_key(pkt, SW_CLS_TCP, SW_KIND_BACKSCATTER, bpf_ntohs(th->source));
		return;
	} else {
		set_key(pkt, SW_CLS_TCP, SW_KIND_OTHER, bpf_ntohs(th->dest));
		return;
	}
	if (!l3->is_v4)
		return;
	pkt->fp |= eq_bit(th->seq, l3->daddr4) << SW_FP_MIRAI;
	/* masscan's template: ip_id = ip_them ^ port_them ^ seqno, all in host order. */
	pkt->fp |=
		eq_bit(l3->ip_id,
		       (bpf_ntohl(l3->daddr4) ^ bpf_ntohs(th->dest) ^ bpf_ntohl(th->seq)) & 0xffff)
		<< SW_FP_MASSCAN;
}

static __always_inline void parse_udp(struct cursor *c, struct sw_pkt *pkt,
				      const struct l3_info *l3)
{
	struct udphdr *uh = c->pos;

	if ((void *)(uh + 1) > c->end || l3->l4_len < sizeof(*uh))
		return;
	set_key(pkt, SW_CLS_UDP, SW_KIND_SCAN, bpf_ntohs(uh->dest));
}

/* ICMP and ICMPv6 share the 8-byte header layout; only the type numbers differ. */
static __always_inline void parse_icmp(struct cursor *c, struct sw_pkt *pkt,
				       const struct l3_info *l3, int v6)
{
	struct icmp_fixed *ih = c->pos;
	__u8 type, cls = v6 ? SW_CLS_ICMP6 : SW_CLS_ICMP;

	if ((void *)(ih + 1) > c->end || l3->l4_len < sizeof(*ih))
		return;
	type = ih->type;
	if (type == (v6 ? ICMPV6_ECHO_REQUEST : ICMP_ECHO))
		set_key(pkt, SW_CLS_ECHO, SW_KIND_SCAN, 0);
	else if (v6 ? (type == ICMPV6_ECHO_REPLY || type == ICMPV6_DEST_UNREACH ||
		       type == ICMPV6_TIME_EXCEED) :
		      (type == ICMP_ECHOREPLY || type == ICMP_DEST_UNREACH ||
		       type == ICMP_TIME_EXCEEDED))
		set_key(pkt, cls, SW_KIND_BACKSCATTER, type);
	else
		set_key(pkt, cls, SW_KIND_OTHER, type);
}

/*
 * Fills *pkt from the frame; the key defaults to proto/N (other) until a header proves more.
 * l4, when not NULL, receives where the transport header is (host mode); sensor mode passes
 * NULL under a .rodata flag, so the verifier removes these stores from its path.
 */
static __always_inline int parse_packet(void *data, void *data_end, struct sw_pkt *pkt,
					struct sw_l4 *l4)
{
	struct cursor c = { .pos = data, .end = data_end };
	struct l3_info l3 = {};
	__u16 proto;
	int ret;

	proto = parse_eth(&c);
	if (proto == ETH_P_IP)
		ret = parse_ipv4(&c, pkt, &l3);
	else if (proto == ETH_P_IPV6)
		ret = parse_ipv6(&c, pkt, &l3);
	else
		return SW_PARSE_NOT_IP;
	if (ret != SW_PARSE_OK)
		return ret;

	switch (l3.proto) {
	case IPPROTO_TCP:
		parse_tcp(&c, pkt, &l3);
		break;
	case IPPROTO_UDP:
		parse_udp(&c, pkt, &l3);
		break;
	case IPPROTO_ICMP:
		parse_icmp(&c, pkt, &l3, 0);
		break;
	case IPPROTO_ICMPV6:
		parse_icmp(&c, pkt, &l3, 1);
		break;
	}
	/* ip_id is 0 for IPv6: no ZMap mark there. */
	if (pkt->pair.key.kind == SW_KIND_SCAN)
		pkt->fp |= eq_bit(l3.ip_id, SW_ZMAP_IPID) << SW_FP_ZMAP;
	if (l4) {
		l4->pos = c.pos;
		l4->len = l3.l4_len;
		l4->proto = l3.proto;
		l4->is_v4 = l3.is_v4;
	}
	return SW_PARSE_OK;
}

#endif /* SCANWATCH_PARSE_H */
