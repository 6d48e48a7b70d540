/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The captures `scanwatch replay` is given, read twice: once in full before anything is counted
 * (each must open, be of a link type replay reads, read to its end, and never step back in time
 * by more than an interval), then packet by packet in time order across all of them, whatever
 * order they were given in, so that no packet is filed under another interval or day.
 */
#ifndef SW_CAPTURE_H
#define SW_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include "progress.h"
#include "replay.h"

struct capture_info {
	const char *path;
	int dlt;
	uint64_t packets;
	uint64_t first_ns; /* its first packet's time: captures are replayed in this order */
	uint64_t last_ns;
};

struct capture_set {
	struct capture_info *v; /* by first_ns, then in the order given */
	size_t n;
	uint64_t packets;
};

/*
 * Reads every capture to its end. 0, or -EINVAL with one line in errmsg naming the file (and
 * the packet): unreadable, damaged, a link type replay does not read, or a packet earlier than
 * one before it in the same file by more than interval_s.
 */
int capture_scan(struct capture_set *set, char *const *paths, size_t n, unsigned int interval_s,
		 struct progress *pg, char *errmsg, size_t errlen);
void capture_set_free(struct capture_set *set);

/*
 * Every packet of the set through the replayer, in time order: captures that overlap in time are
 * merged packet by packet. 0, or the first error with one line in errmsg (empty when the sink
 * reported it).
 */
int capture_replay(const struct capture_set *set, struct replayer *r, struct progress *pg,
		   char *errmsg, size_t errlen);

#endif
