/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Map keys and values shared by the XDP program and user space. Everything a map holds is
 * defined here once, with fixed-size types, so both sides agree on the layout.
 */
#ifndef SCANWATCH_H
#define SCANWATCH_H

#include <linux/types.h>

/* Kinds of an access: scan (unsolicited probes), backscatter (answers to spoofed floods), other. */
enum sw_kind { SW_KIND_SCAN = 0, SW_KIND_BACKSCATTER = 1, SW_KIND_OTHER = 2, SW_NKINDS };

/* How a key's number reads; the order is the order keys sort in when counts tie. */
enum sw_class {
	SW_CLS_TCP = 1, /* tcp/N */
	SW_CLS_UDP = 2, /* udp/N */
	SW_CLS_ECHO = 3, /* icmp/echo: ICMP or ICMPv6 echo request; num is 0 */
	SW_CLS_ICMP = 4, /* icmp/T */
	SW_CLS_ICMP6 = 5, /* icmp6/T */
	SW_CLS_PROTO = 6, /* proto/N: other IP protocols and headers too short to classify */
	SW_CLS_FRAG = 7, /* frag: non-first fragments; num is 0 */
	SW_NCLASSES
};

/*
 * Or'ed into a key's class for an access whose source is in the research list (--research): such
 * keys are a group of their own, kept out of the scan totals. User space takes the flag off where
 * it files the key in that group.
 */
#define SW_CLS_RESEARCH 0x80

/* An access's key. The kind is part of it: tcp/80 as scan and as backscatter are two keys. */
struct sw_key {
	__u8 cls;
	__u8 kind;
	__u16 num; /* host byte order */
};

enum sw_fingerprint { SW_FP_MIRAI = 0, SW_FP_ZMAP = 1, SW_FP_MASSCAN = 2, SW_NFPS };

/*
 * Per-CPU counters of one key for one interval, in the overflow table: packets that found the
 * interval's log full (README.md, "How counting works"). Summed over CPUs, the drain's keys.
 */
struct sw_key_val {
	__u64 packets;
	__u64 lost; /* of those, packets whose (source, key) pair could not be stored */
	__u64 fp[SW_NFPS];
};

/* Addresses are 16 bytes; IPv4 is stored IPv4-mapped (::ffff:a.b.c.d). */
struct sw_pair {
	__u8 addr[16];
	struct sw_key key;
};

/* A pair's counts over an interval, as the drain hands them on. */
struct sw_pair_val {
	__u64 packets;
	__u64 first_ns;
	__u64 last_ns;
};

/*
 * One (source, key, fingerprints) triple's packets: a slot of a CPU's cache, and what an evicted
 * slot becomes in the log. The first 24 bytes are its identity, which the program compares as
 * three 64-bit words; a slot with packets 0 is empty (no key has class 0, so it matches nothing).
 */
struct sw_rec {
	struct sw_pair pair;
	__u8 fp; /* bit per enum sw_fingerprint: every packet of the record carries these */
	__u8 pad[3];
	__u64 packets;
	__u64 first_ns;
	__u64 last_ns;
};

/* Generations of interval state: one written by the program, one drained by user space. */
#define SW_NGENS 2

/* Records of the log are claimed by each CPU a chunk at a time: one shared atomic per chunk. */
#define SW_LOG_CHUNK 256
/* Slots of each CPU's cache when --cache-slots is not given; a power of two. */
#define SW_CACHE_SLOTS_DEFAULT 1024

/* Shared by the CPUs in one generation: chunks claimed so far (may pass the log's size). */
struct sw_log_ctl {
	__u32 chunks;
	__u32 pad[15]; /* a cache line each: the two generations' counters never share one */
};

/*
 * LPM trie key of the watched prefixes and of the research list; IPv4 prefixes are IPv4-mapped
 * with 96 added. The value of both tries is a __u8 1.
 */
struct sw_prefix {
	__u32 prefixlen;
	__u8 addr[16];
};

/* Per-CPU counters of the interval that belong to no key. */
enum sw_stat {
	SW_STAT_PACKETS = 0, /* every frame the program ran on */
	SW_STAT_NOT_IP, /* no IPv4/IPv6 header after Ethernet and up to two VLAN tags */
	SW_STAT_RUNT, /* IP header cut short: no destination to judge it by */
	SW_STAT_UNWATCHED, /* destination outside every --watch prefix */
	SW_STAT_KEYS_LOST, /* no room for the key: the packet is counted nowhere else */
	/* Host mode (all zero in sensor mode): */
	SW_STAT_SOLICITED_FLOW, /* inbound, of a flow the host started: not an access */
	SW_STAT_SOLICITED_SOCKET, /* inbound, to a socket the host listens on: not an access */
	SW_STAT_FLOWS_NEW, /* flows the egress program recorded */
	SW_STAT_FLOWS_LOST, /* flows it could not record: their replies count as accesses */
	/*
	 * Flows the full table evicted. No program writes it: an LRU evicts silently, so the
	 * daemon works it out at each drain (README.md, "Sensor mode and host mode").
	 */
	SW_STAT_FLOWS_EVICTED,
	/*
	 * Where accesses' sources were lost, already in their keys' lost (information: no sum of
	 * packets includes these). LOG_FULL: the interval's log had no room (the program counts
	 * it); PAIRS_OVER: more distinct pairs than --max-pairs (the drain counts it).
	 */
	SW_STAT_LOG_FULL,
	SW_STAT_PAIRS_OVER,
	SW_NSTATS
};

/*
 * A CPU's state in one generation: the interval's counters that belong to no key, and where
 * its next log record goes. Zero is "no chunk yet".
 */
struct sw_cpu {
	__u64 stats[SW_NSTATS]; /* enum sw_stat */
	__u32 chunk; /* 1 + the chunk being filled, 0 for none */
	__u32 fill; /* records written in it */
	__u32 full; /* the log had no chunk left for this CPU: no more claims this interval */
	__u32 pad[128 / 4 - SW_NSTATS * 2 - 3];
};

#define SW_CTL_WATCH 0x1 /* count only destinations in the watch trie */
#define SW_CTL_DROP 0x2 /* XDP_DROP counted accesses (darknet sensor) */
#define SW_CTL_HOST 0x4 /* host mode: inbound packets the host solicited are no access */
#define SW_CTL_REPLAY 0x8 /* time is replay_now_ns, not the kernel's clock */
#define SW_CTL_RESEARCH 0x10 /* look sources up in the research trie */

/*
 * What a program run reads first, written by user space only: the knobs and the generation to
 * count in. Every CPU has its own copy, which user space writes to all alike.
 */
struct sw_ctl {
	__u32 gen; /* 0 or 1 */
	__u32 flags; /* SW_CTL_* */
	__u32 cache_bits; /* each CPU's cache has 1 << cache_bits slots a generation */
	__u32 log_chunks; /* chunks of SW_LOG_CHUNK records a generation */
	__u64 replay_now_ns; /* replay: the capture time of the frame run next */
	/*
	 * Added to the program's clock to get wall-clock time: CLOCK_REALTIME minus
	 * CLOCK_MONOTONIC_COARSE as user space measured it; 0 in replay, whose clock is the
	 * capture's wall clock already.
	 */
	__s64 wall_off_ns;
	__u32 sec_bits; /* each CPU's ring of seconds has 1 << sec_bits slots a generation */
	__u8 pad[128 - 36];
};

/*
 * Peak rate: the accesses one CPU counted in one wall-clock second. A slot of the ring of
 * seconds (CPU, then generation, then second modulo the ring), and a CPU's second in progress.
 * The drain adds the CPUs' counts of each second and keeps the largest sum.
 */
struct sw_second {
	__u64 sec; /* seconds since the epoch (capture time in replay) */
	__u64 packets; /* 0: an empty slot */
};

/*
 * A CPU's second in progress in one generation: packets of the same second only add to it (no
 * division, no other cache line); the first packet of another second writes it to the ring.
 */
struct sw_sec_now {
	struct sw_second cur;
	__u64 start_ns; /* where cur.sec begins on the program's clock */
	/*
	 * Seconds written to a ring slot that held another second, whose count was lost: the
	 * generation lasted longer than its ring (a drain late by more than an interval).
	 */
	__u64 overwritten;
};

/* Slots of each CPU's ring of seconds as compiled; user space sizes it for the interval. */
#define SW_SEC_SLOTS_DEFAULT 128

/*
 * A CPU's block of the state map: its copy of the control word and its state in both
 * generations. Everything a packet reads or writes outside the cache and the log is here, in one
 * page: on machines whose system calls empty the TLB (page-table isolation without PCID), each
 * page more costs a page walk on the next packet.
 */
struct sw_block {
	struct sw_ctl ctl;
	struct sw_cpu gen[SW_NGENS];
	struct sw_sec_now secs[SW_NGENS];
	__u8 pad[512 - 128 - SW_NGENS * 128 - SW_NGENS * 32];
};

/*
 * Host mode: a flow the host started, keyed as its packets arrive (remote is their source).
 * Ports are in host byte order; an ICMP or ICMPv6 echo has rport 0 and its identifier as lport.
 * Addresses as in struct sw_pair. Both sides zero the padding: it is part of the hash key.
 */
struct sw_flow {
	__u8 remote[16];
	__u8 local[16];
	__u16 rport;
	__u16 lport;
	__u8 proto; /* IPPROTO_TCP, _UDP, _ICMP or _ICMPV6 */
	__u8 pad[3];
};

struct sw_flow_val {
	__u64 last_ns; /* CLOCK_MONOTONIC_COARSE of the flow's last outbound packet */
};

/* A service whose clients count as accesses in host mode (--count-service tcp/22). */
struct sw_service {
	__u8 proto; /* IPPROTO_TCP or IPPROTO_UDP */
	__u8 pad;
	__u16 port; /* host byte order */
};

#define SW_MAX_SERVICES 64

#define SW_MAX_WATCH 1024
/* Prefixes of the research list: published lists are tens to a few hundred; room to spare. */
#define SW_MAX_RESEARCH 16384

enum sw_xdp_mode {
	SW_MODE_NONE = 0, /* loaded for replay, not attached */
	SW_MODE_NATIVE = 1,
	SW_MODE_GENERIC = 2,
};

/* A point's settings and state, kept in a pinned map so `status` and a restart can read them. */
struct sw_meta {
	__u32 version; /* SW_META_VERSION */
	__u32 ifindex;
	__u32 mode; /* enum sw_xdp_mode obtained */
	__u32 interval_s;
	__u32 max_pairs;
	__u32 max_keys;
	__u32 flags; /* SW_META_* */
	__u32 daemon_pid;
	__u64 last_drain_s; /* wall clock */
	__u64 drains;
	__u64 dropped; /* total packets counted nowhere but the overflow counters */
	/* The name at attach time: status may run in another namespace, where the index differs. */
	char ifname[16];
	/* Host mode; zero in sensor mode. */
	__u32 flow_table_size;
	__u32 flow_expiry_s;
	__u32 egress_hook; /* enum sw_egress_hook obtained */
	__u32 nservices;
	__u64 netns_dev, netns_ino; /* the daemon's network namespace: where tc's handle is valid */
	__u64 flow_inserts; /* SW_STAT_FLOWS_NEW summed over every drain */
	__u64 flow_deleted; /* expired flows the daemon removed */
	__u64 flow_evicted; /* evictions reported so far */
	/* The counting state's sizes (fixed until detach) and where its losses came from. */
	__u32 cache_slots; /* per CPU and generation */
	__u32 log_chunks; /* of SW_LOG_CHUNK records, per generation */
	__u32 ncpus; /* CPUs the state was laid out for */
	__u32 sec_slots; /* of each CPU's ring of seconds, per generation */
	__u64 dropped_log_full; /* of dropped: the log was full (SW_STAT_LOG_FULL) */
	__u64 dropped_pairs_over; /* over --max-pairs (SW_STAT_PAIRS_OVER) */
	__u64 dropped_keys; /* no room for the key (SW_STAT_KEYS_LOST) */
	/* The day's source set, for status; user space only. */
	__u64 day_pairs; /* (source, key) pairs it holds */
	__u64 max_day_pairs; /* its ceiling, --max-day-pairs */
	__u64 day_lost_sources; /* new pairs it had no room for, that day */
};

enum sw_egress_hook {
	SW_EGRESS_NONE = 0,
	SW_EGRESS_TCX = 1, /* a bpf_link, pinned like the XDP one */
	SW_EGRESS_TC = 2, /* a tc filter on clsact (kernels before 6.6) */
};

#define SW_META_VERSION 5
#define SW_META_DROP 0x1
#define SW_META_WATCH 0x2
#define SW_META_HOST 0x4
#define SW_META_OWN_QDISC 0x8 /* the clsact qdisc was made by scanwatch: detach removes it */
#define SW_META_MULTIPROG 0x10 /* in libxdp's dispatcher: pinned as "prog", no link */

#endif /* SCANWATCH_H */
