/* SPDX-License-Identifier: GPL-2.0-only */
/* The bench's batch driver (bpf/bench_batch.bpf.c) loaded with a mix in its frames map. */
#ifndef SW_BENCHBATCH_H
#define SW_BENCHBATCH_H

#include "benchmix.h"
#include "bench_batch.skel.h"

/* Opens and loads a driver whose frames map holds the mix, frame i at key i. 0 or -errno. */
int batch_open(const struct mix *m, struct bench_batch_bpf **out);

#endif
