/* SPDX-License-Identifier: GPL-2.0-only */
/* A captured packet's time stamp as replay's clock: nanoseconds since the epoch, checked. */
#ifndef SW_CAPTURE_TIME_H
#define SW_CAPTURE_TIME_H

#include <stdint.h>
#include <sys/time.h>

/*
 * ts as libpcap gives it at nanosecond precision (tv_usec holds nanoseconds). 0, or -ERANGE for
 * a time before 1970, a fraction that is not one of a second (a pcap record's is taken as
 * written), or a time past what 64 bits of nanoseconds hold (2554): a pcapng time stamp near
 * 2^64 microseconds must not wrap around to another century.
 */
int capture_time_ns(const struct timeval *ts, uint64_t *ns);

#endif
