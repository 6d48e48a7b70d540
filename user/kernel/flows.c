// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>

#include "flows.h"
#include "sensor.h"

#define SWEEP_CHUNK 4096

uint64_t flows_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static bool expired(const struct sw_flow_val *v, uint64_t now_ns, uint64_t expiry_ns)
{
	/* Signed, as the program compares: a stamp a tick ahead of our clock is young. */
	return (int64_t)(now_ns - v->last_ns) > (int64_t)expiry_ns;
}

/*
 * Walks the table in batches. An expired flow is read once more before it goes: the egress
 * program may have stamped it since the batch was read (the window left is the two calls).
 */
static int sweep(struct sensor *s, uint64_t now_ns, uint64_t *entries, uint64_t *deleted)
{
	uint64_t expiry_ns = (uint64_t)s->meta.flow_expiry_s * 1000000000ull;
	struct sw_flow *keys;
	struct sw_flow_val *vals;
	__u64 in_tok = 0, out_tok = 0;
	void *in = NULL;
	int err = 0;

	*entries = *deleted = 0;
	keys = calloc(SWEEP_CHUNK, sizeof(*keys));
	vals = calloc(SWEEP_CHUNK, sizeof(*vals));
	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	for (;;) {
		__u32 count = SWEEP_CHUNK;
		int rc = bpf_map_lookup_batch(s->flows_fd, in, &out_tok, keys, vals, &count, NULL);

		if (rc && errno != ENOENT) {
			err = -errno;
			break;
		}
		for (__u32 i = 0; i < count; i++) {
			struct sw_flow_val now_val;

			(*entries)++;
			if (!expired(&vals[i], now_ns, expiry_ns))
				continue;
			if (bpf_map_lookup_elem(s->flows_fd, &keys[i], &now_val) ||
			    !expired(&now_val, now_ns, expiry_ns))
				continue;
			/* Gone meanwhile (evicted): then it is counted as an eviction, rightly. */
			if (!bpf_map_delete_elem(s->flows_fd, &keys[i])) {
				(*deleted)++;
				(*entries)--;
			}
		}
		if (rc)
			break; /* ENOENT: the last batch */
		in_tok = out_tok;
		in = &in_tok;
	}
out:
	free(keys);
	free(vals);
	return err;
}

int flows_drain(struct sensor *s, struct sw_interval *iv, uint64_t now_ns, struct flow_drain *fd)
{
	uint64_t gone;
	int err;

	memset(fd, 0, sizeof(*fd));
	iv->stats[SW_STAT_FLOWS_EVICTED] = 0;
	if (s->flows_fd < 0)
		return 0;
	err = sweep(s, now_ns, &fd->entries, &fd->deleted);
	if (err) {
		snprintf(s->errmsg, sizeof(s->errmsg), "cannot sweep the flow table: %s",
			 strerror(-err));
		return err;
	}
	s->meta.flow_deleted += fd->deleted;
	fd->inserts = s->meta.flow_inserts + iv->stats[SW_STAT_FLOWS_NEW];
	/*
	 * Every entry was created by exactly one successful insert and leaves by our delete or
	 * by eviction, so inserts - deletes - entries is every eviction so far. Flows recorded
	 * after the flip are in the table but not yet in the inserts: the difference then runs
	 * short and catches up at the next drain; it is never reported twice, never below zero.
	 */
	gone = fd->inserts - s->meta.flow_deleted;
	gone = gone > fd->entries ? gone - fd->entries : 0;
	fd->evicted = gone > s->meta.flow_evicted ? gone : s->meta.flow_evicted;
	iv->stats[SW_STAT_FLOWS_EVICTED] = fd->evicted - s->meta.flow_evicted;
	return 0;
}

void flows_commit(struct sensor *s, const struct flow_drain *fd, bool evictions_stored)
{
	if (s->flows_fd < 0)
		return;
	s->meta.flow_inserts = fd->inserts;
	if (evictions_stored)
		s->meta.flow_evicted = fd->evicted;
}
