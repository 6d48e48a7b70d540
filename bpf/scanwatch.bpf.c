// SPDX-License-Identifier: GPL-2.0-only
/*
 * scanwatch's XDP program: classifies each inbound packet and counts it in the
 * state of the current interval (README.md, "How counting works"). A packet touches no hash
 * map: its (source, key, fingerprints) triple is counted in a slot of a small per-CPU cache; a
 * slot taken by another triple is first written, whole, to the interval's log, which user space
 * reads through a memory mapping; a packet the full log cannot take is counted under its key in
 * the overflow table. Each packet is in exactly one of those three places.
 *
 * Everything is kept twice, once per generation. User space flips the generation in every CPU's
 * control word and then rewrites a slot of the map-in-map `keys`, which returns only once every
 * program that read the old generation has finished: what user space then reads, no program
 * writes any more.
 *
 * Built three more times for the bench's ablation ladder (SW_LADDER, tools/bench.c): 0 reads the
 * frame's Ethernet type and nothing else, 1 parses and counts the packet's stat only, 2 also
 * counts in the cache but forgets what a miss evicts (and counts no second for the peak rate).
 */
#include <linux/pkt_cls.h>

#include "parse.h"

char LICENSE[] SEC("license") = "GPL";

#ifndef SW_LADDER
#define SW_LADDER 3 /* the whole program */
#endif

/* Host mode (README.md, "Sensor mode and host mode"): a flow idle longer than this solicits nothing. */
const volatile __u64 flow_expiry_ns = 0;

/*
 * Each CPU's block: its copy of the knobs and generation, and its counters and place in the log
 * in both generations (struct sw_block). User space maps it: it writes the knobs and flips the
 * generation through the mapping, and reads and clears a retired generation's counters there.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sw_block);
} state SEC(".maps");

/*
 * The caches: CPU, then generation, then slot. One array rather than a per-CPU one: user space
 * maps it, reads the retired generation's slots and clears them with memset, no system call per
 * slot. A CPU only ever writes its own part.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, (SW_NGENS * SW_CACHE_SLOTS_DEFAULT));
	__type(key, __u32);
	__type(value, struct sw_rec);
} cache SEC(".maps");

/* The logs: generation, then chunk, then record; mapped by user space like the caches. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, (SW_NGENS * SW_LOG_CHUNK));
	__type(key, __u32);
	__type(value, struct sw_rec);
} log_recs SEC(".maps");

/*
 * The rings of seconds (peak rate): CPU, then generation, then second modulo the ring; mapped by
 * user space like the caches. A CPU writes to its ring at most once a second, when its first
 * packet of a new second retires the one before (struct sw_sec_now).
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, (SW_NGENS * SW_SEC_SLOTS_DEFAULT));
	__type(key, __u32);
	__type(value, struct sw_second);
} seconds SEC(".maps");

/* Per generation: chunks of the log claimed, the one counter the CPUs share. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SW_NGENS);
	__type(key, __u32);
	__type(value, struct sw_log_ctl);
} log_ctl SEC(".maps");

/*
 * The overflow tables: what the full log could not take, per key. Preallocated: a per-CPU value
 * allocated at insert time costs tens of microseconds. Touched only when the log is full.
 */
struct key_table {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct sw_key);
	__type(value, struct sw_key_val);
};

struct key_table keys_0 SEC(".maps"), keys_1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, SW_NGENS);
	__type(key, __u32);
	__array(values, struct key_table);
} keys SEC(".maps") = {
	.values = { &keys_0, &keys_1 },
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, SW_MAX_WATCH);
	__type(key, struct sw_prefix);
	__type(value, __u8);
} watch SEC(".maps");

/* Sources whose accesses are the research group (SW_CLS_RESEARCH); read only with SW_CTL_RESEARCH. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, SW_MAX_RESEARCH);
	__type(key, struct sw_prefix);
	__type(value, __u8);
} research SEC(".maps");

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

static __always_inline __u64 now_ns(const struct sw_ctl *ctl)
{
	if (ctl->flags & SW_CTL_REPLAY)
		return ctl->replay_now_ns;
	return bpf_ktime_get_coarse_ns();
}

/*
 * The slot of a triple: Fibonacci hashing of its three identity words. The key word (port,
 * class, kind and fingerprints) is mixed in before the multiply, so that sources differing in
 * any byte, and keys of one source, spread.
 */
static __always_inline __u32 slot_of(__u64 w0, __u64 w1, __u64 w2, __u32 bits)
{
	__u64 x = w0 ^ w1 ^ (w2 * 0xff51afd7ed558ccdull);

	return (__u32)((x * 0x9e3779b97f4a7c15ull) >> (64 - bits));
}

/*
 * Appends an evicted slot to this CPU's chunk of the log, claiming a new chunk when it is full.
 * Returns 0, or -1 when the log has no room left for this CPU this interval.
 */
static __always_inline int log_put(const struct sw_ctl *ctl, struct sw_cpu *st, __u32 gen,
				   const struct sw_rec *r)
{
	__u32 chunks = ctl->log_chunks, idx;
	struct sw_rec *out;

	if (!st->chunk || st->fill >= SW_LOG_CHUNK) {
		struct sw_log_ctl *lc;
		__u32 c;

		if (st->full)
			return -1;
		lc = bpf_map_lookup_elem(&log_ctl, &gen);
		if (!lc)
			return -1;
		/* A plain read first: once the log is full, no CPU keeps bouncing the line. */
		if (*(volatile __u32 *)&lc->chunks >= chunks)
			c = chunks;
		else
			c = __sync_fetch_and_add(&lc->chunks, 1);
		if (c >= chunks) {
			st->full = 1;
			return -1;
		}
		st->chunk = c + 1;
		st->fill = 0;
	}
	idx = (gen * chunks + st->chunk - 1) * SW_LOG_CHUNK + st->fill;
	out = bpf_map_lookup_elem(&log_recs, &idx);
	if (!out)
		return -1;
	__builtin_memcpy(out, r, sizeof(*r));
	st->fill++;
	return 0;
}

/* The full log's stand-in: the packet under its key, as lost. 0, or -1 if the key has no room. */
static __always_inline int count_overflow(__u32 gen, const struct sw_pkt *pkt)
{
	struct sw_key_val *kv;
	void *table;

	table = bpf_map_lookup_elem(&keys, &gen);
	if (!table)
		return -1;
	kv = bpf_map_lookup_elem(table, &pkt->pair.key);
	if (!kv) {
		struct sw_key_val zero = {};

		/* Per-CPU: no other CPU can race us for this CPU's value. */
		bpf_map_update_elem(table, &pkt->pair.key, &zero, BPF_NOEXIST);
		kv = bpf_map_lookup_elem(table, &pkt->pair.key);
		if (!kv)
			return -1;
	}
	kv->packets++;
	kv->lost++;
	kv->fp[SW_FP_MIRAI] += (pkt->fp >> SW_FP_MIRAI) & 1;
	kv->fp[SW_FP_ZMAP] += (pkt->fp >> SW_FP_ZMAP) & 1;
	kv->fp[SW_FP_MASSCAN] += (pkt->fp >> SW_FP_MASSCAN) & 1;
	return 0;
}

/* A hit: the slot holds the packet's triple. */
static __always_inline int same_triple(const struct sw_rec *slot, __u64 w0, __u64 w1, __u64 w2)
{
	const __u64 *sid = (const __u64 *)slot;

	return sid[0] == w0 && sid[1] == w1 && sid[2] == w2;
}

/*
 * One access, counted: in a slot of its set when one holds its triple, else in a slot freed by
 * logging what it held, else (log full) in the overflow table. Sets of two slots, the one used
 * least recently evicted: two busy sources whose triples share a set (two floods, say) each keep
 * a slot, where one slot would make them evict each other, a record per packet. No atomics: a
 * CPU runs one program at a time, and only it writes its slots.
 */
static __always_inline void count_access(const struct sw_ctl *ctl, struct sw_cpu *st, __u32 gen,
					 __u32 cpu, const struct sw_pkt *pkt, __u64 now)
{
	__u64 w0 = pkt->id[0], w1 = pkt->id[1], w2 = pkt->id[2];
	__u32 bits = ctl->cache_bits, idx;
	struct sw_rec *slot, *other;
	__u64 *sid;

	idx = ((cpu * SW_NGENS + gen) << bits) | (slot_of(w0, w1, w2, bits) & ~1u);
	slot = bpf_map_lookup_elem(&cache, &idx);
	if (!slot)
		return;
	if (!same_triple(slot, w0, w1, w2)) {
		idx |= 1;
		other = bpf_map_lookup_elem(&cache, &idx);
		if (!other)
			return;
		if (same_triple(other, w0, w1, w2))
			slot = other;
		else if (!other->packets || (slot->packets && other->last_ns < slot->last_ns))
			goto miss_other;
		else
			goto miss;
	}
	slot->packets++;
	slot->last_ns = now;
	return;
miss_other:
	slot = other;
miss:
#if SW_LADDER >= 3
	if (slot->packets && log_put(ctl, st, gen, slot)) {
		if (count_overflow(gen, pkt))
			st->stats[SW_STAT_KEYS_LOST]++;
		else
			st->stats[SW_STAT_LOG_FULL]++;
		return;
	}
#endif
	sid = (__u64 *)slot;
	sid[0] = w0;
	sid[1] = w1;
	sid[2] = w2;
	slot->packets = 1;
	slot->first_ns = now;
	slot->last_ns = now;
}

#define NSEC_PER_SEC 1000000000ull

/*
 * Peak rate: the access counted in its wall-clock second. Within the second in progress a
 * packet costs a compare and an add in the block it has at hand; the first packet of another
 * second (one division) retires the second in progress to its slot of the ring. A slot still
 * holding another second is taken over and the loss counted, so two seconds are never summed.
 */
static __always_inline void count_second(struct sw_block *blk, __u32 gen, __u32 cpu, __u64 now)
{
	struct sw_sec_now *sn = &blk->secs[gen & 1];
	__u64 off = (__u64)blk->ctl.wall_off_ns, sec;
	__u32 bits = blk->ctl.sec_bits, idx;
	struct sw_second *slot;

	if (sn->cur.packets && now - sn->start_ns < NSEC_PER_SEC) {
		sn->cur.packets++;
		return;
	}
	if (sn->cur.packets) {
		idx = ((cpu * SW_NGENS + gen) << bits) | ((__u32)sn->cur.sec & ((1u << bits) - 1));
		slot = bpf_map_lookup_elem(&seconds, &idx);
		if (slot) {
			if (slot->sec != sn->cur.sec) {
				if (slot->packets)
					sn->overwritten++;
				slot->sec = sn->cur.sec;
				slot->packets = 0;
			}
			slot->packets += sn->cur.packets;
		}
	}
	sec = (now + off) / NSEC_PER_SEC;
	sn->cur.sec = sec;
	sn->cur.packets = 1;
	sn->start_ns = sec * NSEC_PER_SEC - off;
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
/* This CPU's block; NULL only if the map is smaller than the CPUs (user space sizes it). */
static __always_inline struct sw_block *my_block(void)
{
	__u32 cpu = bpf_get_smp_processor_id();

	return bpf_map_lookup_elem(&state, &cpu);
}

/* Host mode's clock, read where the packet's block is not at hand. */
static __always_inline __u64 host_now(void)
{
	struct sw_block *blk = my_block();

	return blk ? now_ns(&blk->ctl) : bpf_ktime_get_coarse_ns();
}

static __always_inline int flow_live(const struct sw_flow *k, __u64 now)
{
	struct sw_flow_val *v = bpf_map_lookup_elem(&flows, k);

	return v && (__s64)(now - v->last_ns) <= (__s64)flow_expiry_ns;
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
	return flow_live(&fk, host_now());
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
			if (flow_live(&fk, host_now()))
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
			return flow_live(&fk, host_now()) ? HOST_FLOW : HOST_UNSOLICITED;
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
static __always_inline int count_frame(struct xdp_md *ctx, struct sw_block *blk, __u32 cpu,
				       const int host)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct sw_pkt pkt __attribute__((aligned(8))) = {};
	struct sw_cpu *st;
	struct sw_l4 l4;
	__u64 now;
	__u32 gen;
	int ret;

	/*
	 * One read: user space rewrites the value in place, and two reads could put one packet's
	 * counts in different generations.
	 */
	gen = *(volatile __u32 *)&blk->ctl.gen & 1;
	st = &blk->gen[gen];
	st->stats[SW_STAT_PACKETS]++;
	ret = parse_packet(data, data_end, &pkt, host ? &l4 : NULL);
	if (ret == SW_PARSE_NOT_IP) {
		st->stats[SW_STAT_NOT_IP]++;
		return XDP_PASS;
	}
	if (ret == SW_PARSE_RUNT) {
		st->stats[SW_STAT_RUNT]++;
		return XDP_PASS;
	}
	if (blk->ctl.flags & SW_CTL_WATCH) {
		struct sw_prefix pfx = { .prefixlen = 128 };

		__builtin_memcpy(pfx.addr, pkt.dst, 16);
		if (!bpf_map_lookup_elem(&watch, &pfx)) {
			st->stats[SW_STAT_UNWATCHED]++;
			return XDP_PASS;
		}
	}
	if (host) {
		ret = sw_host_verdict(ctx, &pkt, (__u32)(l4.pos - data), l4.len,
				      l4.proto | (__u32)l4.is_v4 << 8);
		if (ret != HOST_UNSOLICITED) {
			st->stats[ret == HOST_FLOW ? SW_STAT_SOLICITED_FLOW :
						     SW_STAT_SOLICITED_SOCKET]++;
			return XDP_PASS;
		}
	}
	/*
	 * A research source's access is counted like any other, under its key with the research
	 * flag: the same cache, log and overflow table, so the drain's exactness covers it, and a
	 * full table loses it as it loses the rest, counted. --drop drops it too: a darknet
	 * sensor answers no one, and a research scanner that got an answer would list the sensor
	 * as a live host.
	 */
	if (blk->ctl.flags & SW_CTL_RESEARCH) {
		struct sw_prefix src = { .prefixlen = 128 };

		__builtin_memcpy(src.addr, pkt.pair.addr, 16);
		if (bpf_map_lookup_elem(&research, &src))
			pkt.pair.key.cls |= SW_CLS_RESEARCH;
	}
#if SW_LADDER >= 2
	now = now_ns(&blk->ctl);
	count_access(&blk->ctl, st, gen, cpu, &pkt, now);
#if SW_LADDER >= 3
	/* The peak rate is the scan traffic's, as every figure but the research group's own. */
	if (!(pkt.pair.key.cls & SW_CLS_RESEARCH))
		count_second(blk, gen, cpu, now);
#endif
#else
	/* Parse only: the packet's key must still reach memory, or the compiler drops the parse. */
	st->pad[0] += pkt.pair.key.num + pkt.pair.key.cls + pkt.fp + pkt.pair.addr[15];
#endif
	return blk->ctl.flags & SW_CTL_DROP ? XDP_DROP : XDP_PASS;
}

/* Host mode's copy, verified on its own (see sw_host_verdict for why that matters). */
__noinline int sw_host_xdp(struct xdp_md *ctx)
{
	__u32 cpu = bpf_get_smp_processor_id();
	struct sw_block *blk = bpf_map_lookup_elem(&state, &cpu);

	return blk ? count_frame(ctx, blk, cpu, 1) : XDP_PASS;
}

SEC("xdp")
int scanwatch_xdp(struct xdp_md *ctx)
{
	__u32 cpu = bpf_get_smp_processor_id();
	struct sw_block *blk;

#if SW_LADDER == 0
	/* Touch only: the frame's first read, and nothing else. */
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;

	if ((void *)((char *)data + 14) > data_end)
		return XDP_PASS;
	return ((__u8 *)data)[12] == 0xff && ((__u8 *)data)[13] == 0xff ? XDP_DROP : XDP_PASS;
#endif
	blk = bpf_map_lookup_elem(&state, &cpu);
	if (!blk)
		return XDP_PASS;
	if (blk->ctl.flags & SW_CTL_HOST)
		return sw_host_xdp(ctx);
	return count_frame(ctx, blk, cpu, 0);
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
	struct sw_block *blk = my_block();
	struct sw_flow_val *v, fresh;
	__u64 now;
	long err;

	if (!blk)
		return;
	now = now_ns(&blk->ctl);

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
	blk->gen[*(volatile __u32 *)&blk->ctl.gen & 1]
		.stats[err ? SW_STAT_FLOWS_LOST : SW_STAT_FLOWS_NEW]++;
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
