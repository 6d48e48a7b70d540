// SPDX-License-Identifier: GPL-2.0-only
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "log.h"
#include "numfmt.h"
#include "progress.h"

static double since(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

void progress_init(struct progress *p, const char *what, bool quiet)
{
	const char *test = getenv("SW_TEST_PROGRESS_MS");

	*p = (struct progress){ .what = what,
				.on = !quiet && isatty(STDERR_FILENO),
				.every_s = 1.0 };
	if (test && *test)
		p->every_s = strtod(test, NULL) / 1000.0;
	clock_gettime(CLOCK_MONOTONIC, &p->t0);
	p->last = p->t0;
}

/* The line, erased to its end, the cursor left at its start: a log line written over it next. */
static void show(struct progress *p, const char *line)
{
	fprintf(stderr, "\r%s\033[K\r", line);
	fflush(stderr);
	p->shown = true;
	sw_log_line_open(true);
}

static void hms(double s, char *buf, size_t len)
{
	uint64_t t = s < 0 ? 0 : (uint64_t)(s + 0.5);

	if (t >= 3600)
		snprintf(buf, len, "%" PRIu64 ":%02" PRIu64 ":%02" PRIu64, t / 3600, t / 60 % 60,
			 t % 60);
	else
		snprintf(buf, len, "%" PRIu64 ":%02" PRIu64, t / 60, t % 60);
}

void progress_count(struct progress *p, uint64_t done, uint64_t total)
{
	char line[160], a[SW_COUNT_STRLEN], b[SW_COUNT_STRLEN], r[SW_COUNT_STRLEN], left[32];
	struct timespec now;
	double dt, rate;

	if (!p->on)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	/* The rate is of the counting alone, not of what came before it (checks, loading). */
	if (!p->counting) {
		p->counting = true;
		p->last = now;
		p->last_done = done;
		return;
	}
	dt = since(&p->last, &now);
	if (dt < p->every_s || dt <= 0)
		return;
	rate = (double)(done - p->last_done) / dt;
	/* Smoothed over a few seconds, so that "left" does not jump with each second's rate. */
	p->rate = p->rate > 0 ? 0.7 * p->rate + 0.3 * rate : rate;
	p->last = now;
	p->last_done = done;
	if (total && p->rate > 0 && done <= total) {
		hms((double)(total - done) / p->rate, left, sizeof(left));
		snprintf(line, sizeof(line),
			 "%s: %s of %s packets (%" PRIu64 " %%), %s packets/s, %s left", p->what,
			 sw_fmt_count(done, a), sw_fmt_count(total, b),
			 total ? done * 100 / total : 0, sw_fmt_count((uint64_t)p->rate, r), left);
	} else {
		snprintf(line, sizeof(line), "%s: %s packets, %s packets/s", p->what,
			 sw_fmt_count(done, a), sw_fmt_count((uint64_t)p->rate, r));
	}
	show(p, line);
}

void progress_say(struct progress *p, const char *fmt, ...)
{
	char line[200], msg[180];
	struct timespec now;
	va_list ap;

	if (!p->on)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (since(&p->t0, &now) < p->every_s)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(line, sizeof(line), "%s: %s", p->what, msg);
	show(p, line);
}

void progress_done(struct progress *p)
{
	if (!p->on || !p->shown)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	p->shown = false;
	sw_log_line_open(false);
}
