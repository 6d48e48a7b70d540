/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What long work is doing, on one line of a terminal's stderr rewritten in place at most once a
 * second: replay's packets done, packets/s and time left; graph's and report's chart being
 * drawn once the work has taken more than a second. Off when stderr is not a terminal (a log
 * file gets no carriage returns) or with --quiet.
 */
#ifndef SW_PROGRESS_H
#define SW_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct progress {
	bool on;
	bool shown; /* a line is on the terminal */
	bool counting; /* progress_count has started its clock */
	const char *what; /* "replay", "graph" ... */
	struct timespec t0, last;
	uint64_t last_done; /* replay: packets at the last line, for the rate */
	double rate; /* packets/s, smoothed */
	double every_s; /* 1; SW_TEST_PROGRESS_MS=N for tests, which must not wait on the clock */
};

/* on when stderr is a terminal and not quiet. */
void progress_init(struct progress *p, const char *what, bool quiet);
/* Packets done of total (0: unknown): a line once a second. */
void progress_count(struct progress *p, uint64_t done, uint64_t total);
/* What is being done now, shown once the work has taken a second. */
void progress_say(struct progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Takes the line off the terminal. */
void progress_done(struct progress *p);

#endif
