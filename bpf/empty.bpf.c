// SPDX-License-Identifier: GPL-2.0-only
/* The baseline of `make bench`: an XDP program that does nothing but pass the packet. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("xdp")
int empty_xdp(struct xdp_md *ctx)
{
	return XDP_PASS;
}
