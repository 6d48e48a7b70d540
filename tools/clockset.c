// SPDX-License-Identifier: GPL-2.0-only
/*
 * clockset: has the kernel tell every CLOCK_REALTIME timer armed with TFD_TIMER_CANCEL_ON_SET that
 * the clock was set, while moving it as little as the kernel allows: adjtimex(ADJ_SETOFFSET) by
 * one nanosecond forward (an offset of zero is a no-op that notifies nobody on recent kernels). A
 * test that steps a daemon's clock (SW_TEST_CLOCK_OFFSET_FILE) uses it so that the daemon learns
 * of the step the way it learns of a real one, while the host's clock, which every other program
 * shares, stays where it is to the nanosecond. Needs CAP_SYS_TIME. Exit 0, or 1 with the reason.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/timex.h>

int main(int argc, char **argv)
{
	/* With ADJ_NANO, time.tv_usec holds nanoseconds. */
	struct timex tx = { .modes = ADJ_SETOFFSET | ADJ_NANO, .time = { .tv_usec = 1 } };

	if (argc != 1) {
		fprintf(stderr, "usage: %s (no arguments)\n", argv[0]);
		return 2;
	}
	if (adjtimex(&tx) < 0) {
		fprintf(stderr, "clockset: adjtimex(ADJ_SETOFFSET, 1 ns): %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
