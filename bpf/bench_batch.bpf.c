// SPDX-License-Identifier: GPL-2.0-only
/*
 * The bench's batch driver (tools/bench.c, method (d)): run with BPF_PROG_TEST_RUN's repeat = a
 * batch, each run writes the next frame of the mix into the packet and tail-calls the program
 * measured. So the programs see one distinct frame a run, as in a NAPI poll, without the system
 * call between frames that on some machines (page-table isolation without PCID) empties the TLB
 * and makes every page a program touches cost a page walk.
 *
 * Also tools/blast's sender (--xdp): run with BPF_F_TEST_XDP_LIVE_FRAMES, each frame of the mix
 * is redirected out of the sending veth, so that it reaches its peer as an XDP frame, as a NIC's
 * driver hands XDP a page of its own, and not as a socket's buffer, which the veth copies before
 * its XDP program may see it. Never loaded by scanwatch itself.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "bench_batch.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct batch_frame);
} frames SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} target SEC(".maps");

/* The next frame; user space sets it before each batch. */
__u32 next_frame = 0;
/* 1: return after the copy, without the tail call: the driver's own cost. */
__u32 copy_only = 0;
/* Not 0: redirect the frame out of this interface instead of the tail call (blast --xdp). */
__u32 redirect_ifindex = 0;

SEC("xdp")
int bench_batch(struct xdp_md *ctx)
{
	__u32 i = next_frame, len, have;
	struct batch_frame *f;

	next_frame = i + 1;
	f = bpf_map_lookup_elem(&frames, &i);
	if (!f)
		return XDP_ABORTED;
	len = f->len;
	if (len < 14 || len > BATCH_FRAME_MAX)
		return XDP_ABORTED;
	have = (__u32)(ctx->data_end - ctx->data);
	if (len != have && bpf_xdp_adjust_tail(ctx, (int)len - (int)have))
		return XDP_ABORTED;
	if (bpf_xdp_store_bytes(ctx, 0, f->data, len))
		return XDP_ABORTED;
	if (copy_only)
		return XDP_PASS;
	if (redirect_ifindex)
		return bpf_redirect(redirect_ifindex, 0);
	bpf_tail_call(ctx, &target, 0);
	return XDP_ABORTED;
}
