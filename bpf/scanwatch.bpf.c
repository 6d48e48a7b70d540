// SPDX-License-Identifier: GPL-2.0-only
/*
 * scanwatch's XDP program: classifies each inbound packet (SPEC.md §2) and counts it per key
 * and per (source, key) in the tables of the current interval. User space swaps those tables
 * through the outer map-of-maps; updating a map-in-map slot waits for running programs, so a
 * table user space reads is one no program writes to any more.
 */
#include "parse.h"

char LICENSE[] SEC("license") = "GPL";

/* Set between open and load; the verifier drops the branches they turn off. */
const volatile __u8 watch_on = 0; /* count only destinations in the watch trie */
const volatile __u8 drop_on = 0; /* XDP_DROP counted accesses (darknet sensor) */
const volatile __u8 replay_clock_on = 0; /* take time from replay_now_ns, not the kernel */

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

SEC("xdp")
int scanwatch_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	void *ktab, *ptab, *stab;
	struct sw_pkt pkt = {};
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
	ret = parse_packet(data, data_end, &pkt);
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
	lost = count_pair(ptab, &pkt.pair) ? 1 : 0;
	if (count_key(ktab, &pkt.pair.key, pkt.fp, lost))
		stat_inc(stab, SW_STAT_KEYS_LOST);
	return drop_on ? XDP_DROP : XDP_PASS;
}
