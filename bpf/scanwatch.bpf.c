// SPDX-License-Identifier: GPL-2.0-only
/*
 * scanwatch's XDP program: classifies each inbound packet (SPEC.md §2) and counts it per key
 * and per (source, key) in the tables of the current interval. User space swaps those tables
 * through the outer map-of-maps; updating a map-in-map slot waits for running programs, so a
 * table user space reads is one no program writes to any more.
 */
#include <linux/pkt_cls.h>

#include "parse.h"

char LICENSE[] SEC("license") = "GPL";

/* Set between open and load; the verifier drops the branches they turn off. */
const volatile __u8 watch_on = 0; /* count only destinations in the watch trie */
const volatile __u8 drop_on = 0; /* XDP_DROP counted accesses (darknet sensor) */
const volatile __u8 replay_clock_on = 0; /* take time from replay_now_ns, not the kernel */

/* Host mode (README.md, "Sensor mode and host mode"); sensor mode leaves them 0. */
const volatile __u8 host_on = 0; /* inbound packets the host solicited are no access */
const volatile __u64 flow_expiry_ns = 0; /* a flow idle longer than this solicits nothing */

/* Replay writes each packet's capture time here before running it. */
__u64 replay_now_ns = 0;

/*
 * Preallocated: a per-CPU value allocated at insert time costs tens of microseconds (the
 * per-CPU allocator), which a port sweep would pay for every port. The price is memory:
 * max_keys x 40 bytes x CPUs per generation.
 */
struct key_table {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct sw_key);
	__type(value, struct sw_key_val);
};

struct pair_table {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1048576);
	__type(key, struct sw_pair);
	__type(value, struct sw_pair_val);
};

struct stat_table {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SW_NSTATS);
	__type(key, __u32);
	__type(value, __u64);
};

/*
 * Two generations of tables. The program reads the generation from `active` once per packet
 * and counts everything of that packet in it; user space flips `active`, waits for running
 * programs, then reads and empties the other generation. User space sizes the tables.
 */
struct key_table keys_0 SEC(".maps"), keys_1 SEC(".maps");
struct pair_table pairs_0 SEC(".maps"), pairs_1 SEC(".maps");
struct stat_table stats_0 SEC(".maps"), stats_1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, SW_NGENS);
	__type(key, __u32);
	__array(values, struct key_table);
} keys SEC(".maps") = {
	.values = { &keys_0, &keys_1 },
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, SW_NGENS);
	__type(key, __u32);
	__array(values, struct pair_table);
} pairs SEC(".maps") = {
	.values = { &pairs_0, &pairs_1 },
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, SW_NGENS);
	__type(key, __u32);
	__array(values, struct stat_table);
} stats SEC(".maps") = {
	.values = { &stats_0, &stats_1 },
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} active SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, SW_MAX_WATCH);
	__type(key, struct sw_prefix);
	__type(value, __u8);
} watch SEC(".maps");

/*
 * Host mode: the flows the host started, written by the egress program, read by the XDP
 * program. An LRU, so that a host with more flows than room forgets its oldest instead of
 * refusing new ones; the daemon counts the evictions. User space sizes it (1 in sensor mode).
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct sw_flow);
	__type(value, struct sw_flow_val);
} flows SEC(".maps");

/* Host mode: services whose clients are counted anyway (--count-service). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SW_MAX_SERVICES);
	__type(key, struct sw_service);
	__type(value, __u8);
} services SEC(".maps");

/* Written by user space only: what `status` and a restarted daemon read back. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sw_meta);
} meta SEC(".maps");

static __always_inline void stat_inc(void *table, __u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(table, &idx);

	if (v)
		*v += 1;
}

static __always_inline __u64 now_ns(void)
{
	if (replay_clock_on)
		return replay_now_ns;
	return bpf_ktime_get_coarse_ns();
}

/* Returns 0 when the pair is stored, non-zero when the table is full. */
static __always_inline int count_pair(void *table, const struct sw_pair *pair)
{
	struct sw_pair_val *pv, fresh;
	__u64 now = now_ns();

	pv = bpf_map_lookup_elem(table, pair);
	if (!pv) {
		fresh.packets = 1;
		fresh.first_ns = now;
		fresh.last_ns = now;
		if (!bpf_map_update_elem(table, pair, &fresh, BPF_NOEXIST))
			return 0;
		/* Another CPU may have inserted it first. */
		pv = bpf_map_lookup_elem(table, pair);
		if (!pv)
			return -1;
	}
	__sync_fetch_and_add(&pv->packets, 1);
	pv->last_ns = now;
	return 0;
}

static __always_inline int count_key(void *table, const struct sw_key *key, __u8 fp, int lost)
{
	struct sw_key_val *kv;

	kv = bpf_map_lookup_elem(table, key);
	if (!kv) {
		struct sw_key_val zero = {};

		/* Per-CPU: no other CPU can race us for this CPU's value. */
		bpf_map_update_elem(table, key, &zero, BPF_NOEXIST);
		kv = bpf_map_lookup_elem(table, key);
		if (!kv)
			return -1;
	}
	kv->packets++;
	kv->lost += lost;
	kv->fp[SW_FP_MIRAI] += (fp >> SW_FP_MIRAI) & 1;
	kv->fp[SW_FP_ZMAP] += (fp >> SW_FP_ZMAP) & 1;
	kv->fp[SW_FP_MASSCAN] += (fp >> SW_FP_MASSCAN) & 1;
	return 0;
}

enum host_verdict { HOST_UNSOLICITED = 0, HOST_FLOW, HOST_SOCKET };

#define TCP_FLAG_RST 0x04
#define TCP_FLAG_SYN 0x02
#define TCP_FLAG_ACK 0x10
#define ICMP_PARAMETERPROB 12
#define ICMPV6_PKT_TOOBIG 2
#define ICMPV6_PARAMPROB 4

static __always_inline void flow_key(struct sw_flow *k, const __u8 *remote, const __u8 *local,
				     __u16 rport, __u16 lport, __u8 proto)
{
	__builtin_memcpy(k->remote, remote, 16);
	__builtin_memcpy(k->local, local, 16);
	k->rport = rport;
	k->lport = lport;
	k->proto = proto;
	k->pad[0] = k->pad[1] = k->pad[2] = 0;
}

/*
 * Signed: another CPU may have stamped the flow with a coarse time a tick later than ours,
 * and that flow is as young as can be.
 */
static __always_inline int flow_live(const struct sw_flow *k)
{
	struct sw_flow_val *v = bpf_map_lookup_elem(&flows, k);

	return v && (__s64)(now_ns() - v->last_ns) <= (__s64)flow_expiry_ns;
}

/*
 * The count in meta (an array: a load, where the hash costs a lookup even when empty) spares
 * hosts without --count-service the lookup; both are user space's to change at any time.
 */
static __always_inline int is_service(__u8 proto, __u16 port)
{
	struct sw_service svc = { .proto = proto, .pad = 0, .port = port };
	struct sw_meta *m;
	__u32 zero = 0;

	m = bpf_map_lookup_elem(&meta, &zero);
	if (!m || !m->nservices)
		return 0;
	return bpf_map_lookup_elem(&services, &svc) != NULL;
}

/*
 * A socket bound or listening where the packet goes, in the namespace of the interface: a
 * TCP listener (or a connection, or one in TIME_WAIT) or a bound UDP socket. What the lookup
 * finds is referenced and must be released. One call per family and protocol: the helpers want
 * a size the verifier knows.
 */
static __always_inline int socket_found(struct xdp_md *ctx, const struct sw_pkt *pkt, __u8 proto,
					__u8 is_v4, __be16 sport, __be16 dport)
{
	struct bpf_sock_tuple t = {};
	struct bpf_sock *sk;

	if (is_v4) {
		__builtin_memcpy(&t.ipv4.saddr, pkt->pair.addr + 12, 4);
		__builtin_memcpy(&t.ipv4.daddr, pkt->dst + 12, 4);
		t.ipv4.sport = sport;
		t.ipv4.dport = dport;
		if (proto == IPPROTO_TCP)
			sk = bpf_skc_lookup_tcp(ctx, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0);
		else
			sk = bpf_sk_lookup_udp(ctx, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0);
	} else {
		__builtin_memcpy(t.ipv6.saddr, pkt->pair.addr, 16);
		__builtin_memcpy(t.ipv6.daddr, pkt->dst, 16);
		t.ipv6.sport = sport;
		t.ipv6.dport = dport;
		if (proto == IPPROTO_TCP)
			sk = bpf_skc_lookup_tcp(ctx, &t, sizeof(t.ipv6), BPF_F_CURRENT_NETNS, 0);
		else
			sk = bpf_sk_lookup_udp(ctx, &t, sizeof(t.ipv6), BPF_F_CURRENT_NETNS, 0);
	}
	if (!sk)
		return 0;
	bpf_sk_release(sk);
	return 1;
}

/*
 * An ICMP error quotes the packet it answers: when that packet was one of the host's flows
 * (a UDP query to a closed port, a TCP SYN a router could not deliver, a ping), the error is
 * the flow's reply. The quoted packet went out, so its source is the local end.
 */
static __always_inline int quoted_flow(const struct icmp_fixed *ih, void *data_end, int v6)
{
	void *q = (void *)(ih + 1);
	__u8 remote[16], local[16], proto;
	struct sw_flow fk;
	__u16 *ports;

	if (!v6) {
		struct iphdr *qip = q;
		__u32 hlen;

		if ((void *)(qip + 1) > data_end)
			return 0;
		hlen = qip->ihl * 4;
		if (hlen < sizeof(*qip) || (bpf_ntohs(qip->frag_off) & IP_OFFSET))
			return 0;
		map_v4(remote, qip->daddr);
		map_v4(local, qip->saddr);
		proto = qip->protocol;
		ports = q + hlen;
	} else {
		struct ipv6hdr *qip6 = q;

		if ((void *)(qip6 + 1) > data_end)
			return 0;
		__builtin_memcpy(remote, &qip6->daddr, 16);
		__builtin_memcpy(local, &qip6->saddr, 16);
		proto = qip6->nexthdr;
		ports = (void *)(qip6 + 1);
	}
	/* Every error carries at least the first 8 bytes of the quoted transport header. */
	if ((void *)(ports + 4) > data_end)
		return 0;
	if (proto == IPPROTO_TCP || proto == IPPROTO_UDP) {
		flow_key(&fk, remote, local, bpf_ntohs(ports[1]), bpf_ntohs(ports[0]), proto);
	} else if (proto == (v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP)) {
		struct icmp_fixed *qih = (void *)ports;

		if (qih->type != (v6 ? ICMPV6_ECHO_REQUEST : ICMP_ECHO))
			return 0;
		flow_key(&fk, remote, local, 0, bpf_ntohs(ports[2]), proto);
	} else {
		return 0;
	}
	return flow_live(&fk);
}

/* Past Ethernet, two tags and the longest IPv4 or walked IPv6 headers: no real offset is larger. */
#define SW_MAX_L4_OFF 2048

/*
 * Whether an inbound packet was solicited by the host: enum host_verdict. A global function,
 * which the verifier checks once on its own instead of once for every path the parser leaves
 * (inlined, it took the program to nine tenths of the verifier's instruction limit). So the
 * frame comes as ctx and the transport header's offset, the parser's findings as plain memory:
 * proto_v4 is the transport protocol | is_v4 << 8.
 */
__noinline int sw_host_verdict(struct xdp_md *ctx, const struct sw_pkt *pkt, __u32 l4_off,
			       __u32 l4_len, __u32 proto_v4)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u8 proto = proto_v4 & 0xff, is_v4 = (proto_v4 >> 8) & 1;
	struct sw_flow fk;
	void *pos;

	if (!pkt || l4_off > SW_MAX_L4_OFF)
		return HOST_UNSOLICITED;
	pos = data + l4_off;
	if (proto == IPPROTO_TCP || proto == IPPROTO_UDP) {
		__be16 *ports = pos; /* source and destination port lead both headers */
		__u16 dport;
		__u8 flags = 0;

		/* A header cut short is proto/N other, as in sensor mode: nothing to look up. */
		if (proto == IPPROTO_TCP) {
			struct tcphdr *th = pos;

			if ((void *)(th + 1) > data_end || l4_len < sizeof(*th))
				return HOST_UNSOLICITED;
			flags = ((__u8 *)th)[13];
		} else if (pos + sizeof(struct udphdr) > data_end ||
			   l4_len < sizeof(struct udphdr)) {
			return HOST_UNSOLICITED;
		}
		dport = bpf_ntohs(ports[1]);
		if (is_service(proto, dport))
			return HOST_UNSOLICITED;
		/*
		 * No answer in a flow the host started is a SYN without ACK (a simultaneous open
		 * would be, and then the host's own socket is found below): the bulk of scans
		 * skips the flow table.
		 */
		if ((flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) != TCP_FLAG_SYN) {
			flow_key(&fk, pkt->pair.addr, pkt->dst, bpf_ntohs(ports[0]), dport, proto);
			if (flow_live(&fk))
				return HOST_FLOW;
		}
		if (socket_found(ctx, pkt, proto, is_v4, ports[0], ports[1]))
			return HOST_SOCKET;
		return HOST_UNSOLICITED;
	}
	if (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6) {
		struct icmp_fixed *ih = pos;
		int v6 = proto == IPPROTO_ICMPV6;
		__u8 type;

		if ((void *)(ih + 1) > data_end || l4_len < sizeof(*ih))
			return HOST_UNSOLICITED;
		type = ih->type;
		if (type == (v6 ? ICMPV6_ECHO_REPLY : ICMP_ECHOREPLY)) {
			/* rest: identifier, then sequence number */
			flow_key(&fk, pkt->pair.addr, pkt->dst, 0,
				 bpf_ntohs(((__be16 *)&ih->rest)[0]), proto);
			return flow_live(&fk) ? HOST_FLOW : HOST_UNSOLICITED;
		}
		if (v6 ? (type == ICMPV6_DEST_UNREACH || type == ICMPV6_PKT_TOOBIG ||
			  type == ICMPV6_TIME_EXCEED || type == ICMPV6_PARAMPROB) :
			 (type == ICMP_DEST_UNREACH || type == ICMP_TIME_EXCEEDED ||
			  type == ICMP_PARAMETERPROB))
			return quoted_flow(ih, data_end, v6) ? HOST_FLOW : HOST_UNSOLICITED;
	}
	return HOST_UNSOLICITED;
}

/*
 * One frame, counted. host is a constant in each of the two copies the compiler makes: the
 * sensor-mode copy has no trace of host mode (the parser's extra findings would otherwise cost
 * registers and spills on every packet), the host-mode copy is a global function of its own.
 */
static __always_inline int count_frame(struct xdp_md *ctx, const int host)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	void *ktab, *ptab, *stab;
	struct sw_pkt pkt = {};
	struct sw_l4 l4;
	__u32 zero = 0, *active_gen, gen;
	int ret, lost;

	active_gen = bpf_map_lookup_elem(&active, &zero);
	if (!active_gen)
		return XDP_PASS;
	/*
	 * One read: user space rewrites the value in place, and three lookups through the pointer
	 * could put one packet's key, pair and stats in different generations.
	 */
	gen = *(volatile __u32 *)active_gen;
	ktab = bpf_map_lookup_elem(&keys, &gen);
	ptab = bpf_map_lookup_elem(&pairs, &gen);
	stab = bpf_map_lookup_elem(&stats, &gen);
	if (!ktab || !ptab || !stab)
		return XDP_PASS;

	stat_inc(stab, SW_STAT_PACKETS);
	ret = parse_packet(data, data_end, &pkt, host ? &l4 : NULL);
	if (ret == SW_PARSE_NOT_IP) {
		stat_inc(stab, SW_STAT_NOT_IP);
		return XDP_PASS;
	}
	if (ret == SW_PARSE_RUNT) {
		stat_inc(stab, SW_STAT_RUNT);
		return XDP_PASS;
	}
	if (watch_on) {
		struct sw_prefix pfx = { .prefixlen = 128 };

		__builtin_memcpy(pfx.addr, pkt.dst, 16);
		if (!bpf_map_lookup_elem(&watch, &pfx)) {
			stat_inc(stab, SW_STAT_UNWATCHED);
			return XDP_PASS;
		}
	}
	if (host) {
		ret = sw_host_verdict(ctx, &pkt, (__u32)(l4.pos - data), l4.len,
				      l4.proto | (__u32)l4.is_v4 << 8);
		if (ret != HOST_UNSOLICITED) {
			stat_inc(stab, ret == HOST_FLOW ? SW_STAT_SOLICITED_FLOW :
							  SW_STAT_SOLICITED_SOCKET);
			return XDP_PASS;
		}
	}
	lost = count_pair(ptab, &pkt.pair) ? 1 : 0;
	if (count_key(ktab, &pkt.pair.key, pkt.fp, lost))
		stat_inc(stab, SW_STAT_KEYS_LOST);
	return drop_on ? XDP_DROP : XDP_PASS;
}

/* Host mode's copy, verified on its own (see sw_host_verdict for why that matters). */
__noinline int sw_host_xdp(struct xdp_md *ctx)
{
	return count_frame(ctx, 1);
}

SEC("xdp")
int scanwatch_xdp(struct xdp_md *ctx)
{
	/* A .rodata constant: the verifier keeps one branch and removes the other. */
	if (host_on)
		return sw_host_xdp(ctx);
	return count_frame(ctx, 0);
}

/*
 * Host mode, on egress: records the flows the host starts, keyed as their replies will arrive,
 * and stamps each with the time of its last outbound packet. A TCP flow starts with a SYN
 * without ACK; SYN-ACKs and RSTs are the host answering someone else and never start one (a
 * port scan of the host must not open holes for the scanner). Any UDP datagram may start a
 * flow: nothing in it says who began. An ICMP or ICMPv6 echo request starts one per identifier.
 */
static __always_inline void flow_record(const struct sw_flow *k, int may_start)
{
	struct sw_flow_val *v, fresh;
	__u64 now = now_ns();
	__u32 zero = 0, *active_gen, gen;
	void *stab;
	long err;

	v = bpf_map_lookup_elem(&flows, k);
	if (v) {
		/* The same coarse tick: spare the shared cache line a write. */
		if (v->last_ns != now)
			v->last_ns = now;
		return;
	}
	if (!may_start)
		return;
	fresh.last_ns = now;
	/*
	 * BPF_NOEXIST: succeeds once per entry it creates, which is what makes inserts minus
	 * entries the exact number of evictions (the daemon's arithmetic, see SW_STAT_FLOWS_EVICTED).
	 */
	err = bpf_map_update_elem(&flows, k, &fresh, BPF_NOEXIST);
	if (err == -17 /* EEXIST: another CPU recorded it first */)
		return;
	active_gen = bpf_map_lookup_elem(&active, &zero);
	if (!active_gen)
		return;
	gen = *(volatile __u32 *)active_gen;
	stab = bpf_map_lookup_elem(&stats, &gen);
	if (stab)
		stat_inc(stab, err ? SW_STAT_FLOWS_LOST : SW_STAT_FLOWS_NEW);
}

/* Enough for Ethernet, two VLAN tags, IPv6 with a few extension headers and TCP. */
#define SW_EGRESS_HEADROOM 128

/*
 * Every verdict is TC_ACT_UNSPEC (tcx's TCX_NEXT): the packet goes on to the next filter or
 * program as if this one were not there.
 */
SEC("tc")
int scanwatch_egress(struct __sk_buff *skb)
{
	__u32 want = skb->len < SW_EGRESS_HEADROOM ? skb->len : SW_EGRESS_HEADROOM;
	void *data = (void *)(long)skb->data, *data_end = (void *)(long)skb->data_end;
	struct sw_pkt pkt = {};
	struct sw_l4 l4;
	struct sw_flow fk;

	/* A packet the stack built may keep headers past the linear part: pull them in. */
	if (data + want > data_end) {
		bpf_skb_pull_data(skb, want);
		data = (void *)(long)skb->data;
		data_end = (void *)(long)skb->data_end;
	}
	if (parse_packet(data, data_end, &pkt, &l4) != SW_PARSE_OK)
		return TC_ACT_UNSPEC;
	if (l4.proto == IPPROTO_TCP) {
		struct tcphdr *th = l4.pos;
		__u8 flags;

		if ((void *)(th + 1) > data_end || l4.len < sizeof(*th))
			return TC_ACT_UNSPEC;
		flags = ((__u8 *)th)[13];
		if (flags & TCP_FLAG_RST)
			return TC_ACT_UNSPEC;
		if ((flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) == (TCP_FLAG_SYN | TCP_FLAG_ACK))
			return TC_ACT_UNSPEC;
		flow_key(&fk, pkt.dst, pkt.pair.addr, bpf_ntohs(th->dest), bpf_ntohs(th->source),
			 IPPROTO_TCP);
		flow_record(&fk, flags & TCP_FLAG_SYN);
	} else if (l4.proto == IPPROTO_UDP) {
		struct udphdr *uh = l4.pos;

		if ((void *)(uh + 1) > data_end || l4.len < sizeof(*uh))
			return TC_ACT_UNSPEC;
		flow_key(&fk, pkt.dst, pkt.pair.addr, bpf_ntohs(uh->dest), bpf_ntohs(uh->source),
			 IPPROTO_UDP);
		flow_record(&fk, 1);
	} else if (l4.proto == IPPROTO_ICMP || l4.proto == IPPROTO_ICMPV6) {
		struct icmp_fixed *ih = l4.pos;
		int v6 = l4.proto == IPPROTO_ICMPV6;

		if ((void *)(ih + 1) > data_end || l4.len < sizeof(*ih))
			return TC_ACT_UNSPEC;
		if (ih->type != (v6 ? ICMPV6_ECHO_REQUEST : ICMP_ECHO))
			return TC_ACT_UNSPEC;
		flow_key(&fk, pkt.dst, pkt.pair.addr, 0, bpf_ntohs(((__be16 *)&ih->rest)[0]),
			 l4.proto);
		flow_record(&fk, 1);
	}
	return TC_ACT_UNSPEC;
}
