/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host mode's flow table at each drain: expired flows are removed, and the flows the full table
 * evicted are worked out, since an LRU map evicts without a word. The arithmetic, and why it is
 * exact at rest, is in README.md ("Sensor mode and host mode").
 */
#ifndef SW_FLOWS_H
#define SW_FLOWS_H

#include <stdbool.h>
#include <stdint.h>

#include "drain.h"

struct sensor;

/* What one drain found; sensor meta takes it (flows_commit) only once the interval is stored. */
struct flow_drain {
	uint64_t entries; /* flows in the table after the sweep */
	uint64_t deleted; /* expired flows the sweep removed */
	uint64_t inserts; /* meta's running total, this interval's included */
	uint64_t evicted; /* meta's running total, this interval's included */
};

/*
 * Sweeps flows idle longer than the point's expiry at now_ns (the programs' clock,
 * CLOCK_MONOTONIC_COARSE, or the replay clock) and sets iv->stats[SW_STAT_FLOWS_EVICTED].
 * The deletions are recorded in s->meta at once: they happened whatever becomes of the interval.
 */
int flows_drain(struct sensor *s, struct sw_interval *iv, uint64_t now_ns, struct flow_drain *fd);
/*
 * After the interval is stored: its inserts join the running total, and its evictions the
 * reported ones if they were stored with it.
 */
void flows_commit(struct sensor *s, const struct flow_drain *fd, bool evictions_stored);
/* CLOCK_MONOTONIC_COARSE in ns: the clock bpf_ktime_get_coarse_ns() reads. */
uint64_t flows_clock_ns(void);

#endif
