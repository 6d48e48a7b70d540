/* SPDX-License-Identifier: GPL-2.0-only */
/* Offline counting of captured frames through the live program: `scanwatch replay`, and tests. */
#ifndef SW_REPLAY_H
#define SW_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pcap/pcap.h>

#include "drain.h"
#include "sensor.h"

/* Only headers matter; BPF_PROG_TEST_RUN refuses frames much above a page. */
#define SW_FRAME_MAX 2048

/* Receives each finished interval; seq counts intervals from 1. */
typedef int (*replay_sink_fn)(void *ctx, const struct sw_interval *iv, uint64_t seq);

struct replayer {
	struct sensor sensor;
	struct drainer drainer;
	struct sw_interval iv;
	unsigned int interval_s;
	uint64_t cur_start;
	bool have_interval;
	uint64_t packets, runts, seq;
	replay_sink_fn sink;
	void *sink_ctx;
	bool sink_failed; /* the sink reported its own error */
};

int replay_open(struct replayer *r, const struct sensor_config *cfg);
void replay_close(struct replayer *r);
/* One Ethernet frame at capture time ts_ns (wall clock). */
int replay_frame(struct replayer *r, const uint8_t *frame, uint32_t len, uint64_t ts_ns);
/*
 * A frame of link type dlt as the Ethernet frame the program takes, in buf when it needs a
 * header made up; NULL for a link type replay does not read.
 */
const uint8_t *replay_to_ethernet(int dlt, const uint8_t *data, uint32_t *len, uint8_t *buf);
/* "LINUX_SLL2 (276)", or the number alone when libpcap has no name for it. */
void replay_dlt_name(int dlt, char *buf, size_t len);
/* Drains and hands over the last interval. */
int replay_finish(struct replayer *r);

#endif
