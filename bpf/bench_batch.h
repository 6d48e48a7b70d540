/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The bench's batch driver's frames map (bpf/bench_batch.bpf.c), shared with the tools that fill
 * it (tools/lib/benchbatch.c). Never part of scanwatch itself.
 */
#ifndef SW_BENCH_BATCH_H
#define SW_BENCH_BATCH_H

#include <linux/types.h>

/* The longest frame of the bench's mix, with room to spare. */
#define BATCH_FRAME_MAX 128

struct batch_frame {
	__u32 len;
	__u8 data[BATCH_FRAME_MAX];
};

#endif /* SW_BENCH_BATCH_H */
