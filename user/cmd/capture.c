// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include "capture.h"
#include "capture_time.h"

/* How often the progress line is asked whether a second has passed. */
#define PROGRESS_EVERY 4096

static pcap_t *open_capture(const char *path, char *errmsg, size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE];
	pcap_t *pc =
		pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, perr);

	if (!pc)
		snprintf(errmsg, errlen, "%s: not a readable pcap or pcapng capture: %s", path,
			 perr);
	return pc;
}

/* "2021-06-20 19:45:00.123456789 UTC" */
static void time_str(uint64_t ns, char *buf, size_t len)
{
	time_t s = (time_t)(ns / 1000000000ULL);
	struct tm tm;
	char day[32];

	gmtime_r(&s, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf, len, "%s.%09" PRIu64 " UTC", day, (uint64_t)(ns % 1000000000ULL));
}

static int scan_one(struct capture_info *ci, unsigned int interval_s, char *errmsg, size_t errlen)
{
	uint64_t max_ns = 0, max_at = 0, back_ns = (uint64_t)interval_s * 1000000000ULL;
	struct pcap_pkthdr *h;
	const u_char *data;
	uint8_t buf[SW_FRAME_MAX];
	pcap_t *pc = open_capture(ci->path, errmsg, errlen);
	int ret;

	if (!pc)
		return -EINVAL;
	ci->dlt = pcap_datalink(pc);
	{
		uint32_t len = 0;

		if (!replay_to_ethernet(ci->dlt, buf, &len, buf)) {
			char name[64];

			replay_dlt_name(ci->dlt, name, sizeof(name));
			snprintf(
				errmsg, errlen,
				"%s: link type %s is not supported (replay reads Ethernet, raw IP, "
				"Linux cooked and BSD loopback captures)",
				ci->path, name);
			pcap_close(pc);
			return -EINVAL;
		}
	}
	while ((ret = pcap_next_ex(pc, &h, &data)) == 1) {
		uint64_t ts;

		ci->packets++;
		if (capture_time_ns(&h->ts, &ts)) {
			snprintf(errmsg, errlen,
				 "%s: packet %" PRIu64 " has a time stamp no clock can have "
				 "(%lld.%09lld s after 1970)",
				 ci->path, ci->packets, (long long)h->ts.tv_sec,
				 (long long)h->ts.tv_usec);
			pcap_close(pc);
			return -EINVAL;
		}
		if (ci->packets == 1)
			ci->first_ns = ts;
		/* Within an interval replay keeps a packet in the interval at hand; further back it
		 * would file it under the wrong interval, or day. */
		if (ts + back_ns < max_ns) {
			char at[64];

			time_str(ts, at, sizeof(at));
			snprintf(
				errmsg, errlen,
				"%s: packet %" PRIu64 " (%s) is %.3f s earlier than packet %" PRIu64
				" before it, more than an interval (%u s): replay needs each capture "
				"in time order (reordercap sorts one)",
				ci->path, ci->packets, at, (double)(max_ns - ts) / 1e9, max_at,
				interval_s);
			pcap_close(pc);
			return -EINVAL;
		}
		if (ts >= max_ns) {
			max_ns = ts;
			max_at = ci->packets;
		}
	}
	ci->last_ns = max_ns;
	if (ret == PCAP_ERROR) {
		snprintf(errmsg, errlen,
			 "%s: capture is damaged after %" PRIu64
			 " packets: %s; nothing was counted",
			 ci->path, ci->packets, pcap_geterr(pc));
		pcap_close(pc);
		return -EINVAL;
	}
	pcap_close(pc);
	return 0;
}

static int by_first(const void *a, const void *b)
{
	const struct capture_info *x = a, *y = b;

	if (x->first_ns != y->first_ns)
		return x->first_ns < y->first_ns ? -1 : 1;
	return 0;
}

int capture_scan(struct capture_set *set, char *const *paths, size_t n, unsigned int interval_s,
		 struct progress *pg, char *errmsg, size_t errlen)
{
	memset(set, 0, sizeof(*set));
	set->v = calloc(n ? n : 1, sizeof(*set->v));
	if (!set->v) {
		snprintf(errmsg, errlen, "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		int err;

		progress_say(pg, "checking %s (%zu of %zu)", paths[i], i + 1, n);
		set->v[i].path = paths[i];
		err = scan_one(&set->v[i], interval_s, errmsg, errlen);
		if (err) {
			capture_set_free(set);
			return err;
		}
		set->packets += set->v[i].packets;
		set->n++;
	}
	/* By first packet; an insertion sort keeps captures of the same time in the order given. */
	for (size_t i = 1; i < set->n; i++)
		for (size_t j = i; j > 0 && by_first(&set->v[j - 1], &set->v[j]) > 0; j--) {
			struct capture_info t = set->v[j - 1];

			set->v[j - 1] = set->v[j];
			set->v[j] = t;
		}
	return 0;
}

void capture_set_free(struct capture_set *set)
{
	free(set->v);
	memset(set, 0, sizeof(*set));
}

struct reader {
	pcap_t *pc;
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t ts;
	bool live; /* a packet is at hand */
};

/* The reader's next packet: 0 (live says whether there was one) or -EINVAL. */
static int advance(struct reader *rd, const char *path, char *errmsg, size_t errlen)
{
	int ret = pcap_next_ex(rd->pc, &rd->h, &rd->data);

	if (ret == 1) {
		/* The scan checked each time stamp: a capture that changed since is caught here. */
		if (capture_time_ns(&rd->h->ts, &rd->ts)) {
			snprintf(errmsg, errlen, "%s: capture changed while it was replayed", path);
			return -EINVAL;
		}
		return 0;
	}
	rd->live = false;
	if (ret == PCAP_ERROR) {
		/* It read to its end a moment ago: someone changed it since. */
		snprintf(errmsg, errlen, "%s: capture changed while it was replayed: %s", path,
			 pcap_geterr(rd->pc));
		return -EINVAL;
	}
	pcap_close(rd->pc);
	rd->pc = NULL;
	return 0;
}

int capture_replay(const struct capture_set *set, struct replayer *r, struct progress *pg,
		   char *errmsg, size_t errlen)
{
	struct reader *rd = calloc(set->n ? set->n : 1, sizeof(*rd));
	uint8_t buf[SW_FRAME_MAX];
	uint64_t done = 0;
	size_t next = 0;
	int err = 0;

	if (!rd) {
		snprintf(errmsg, errlen, "out of memory");
		return -ENOMEM;
	}
	errmsg[0] = '\0';
	while (!err) {
		ssize_t best = -1;
		uint32_t len;
		const uint8_t *frame;

		for (size_t i = 0; i < next; i++)
			if (rd[i].live && (best < 0 || rd[i].ts < rd[best].ts))
				best = (ssize_t)i;
		/* A capture is opened once its first packet is due: only those that overlap in
		 * time are open together. */
		while (!err && next < set->n &&
		       (best < 0 || set->v[next].first_ns <= rd[best].ts)) {
			struct reader *n = &rd[next];

			n->pc = open_capture(set->v[next].path, errmsg, errlen);
			if (!n->pc) {
				err = -EINVAL;
				break;
			}
			n->live = true;
			err = advance(n, set->v[next].path, errmsg, errlen);
			if (!err && n->live && (best < 0 || n->ts < rd[best].ts))
				best = (ssize_t)next;
			next++;
		}
		if (err || best < 0)
			break;
		len = rd[best].h->caplen;
		frame = replay_to_ethernet(set->v[best].dlt, rd[best].data, &len, buf);
		err = replay_frame(r, frame, len, rd[best].ts);
		if (err) {
			/* A sink's error was reported where it happened: one line, not two. */
			if (!r->sink_failed)
				snprintf(errmsg, errlen, "%s: %s", set->v[best].path,
					 r->sensor.errmsg);
			break;
		}
		if (++done % PROGRESS_EVERY == 0)
			progress_count(pg, done, set->packets);
		err = advance(&rd[best], set->v[best].path, errmsg, errlen);
	}
	for (size_t i = 0; i < set->n; i++)
		if (rd[i].pc)
			pcap_close(rd[i].pc);
	free(rd);
	return err;
}
