/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the bench tools measure and report with: clocks, memory, the CPU a run stays on, a
 * deterministic random source and scattered addresses, the statistics of their rounds, and the
 * end of their option loops.
 */
#ifndef SW_BENCHUTIL_H
#define SW_BENCHUTIL_H

#include <stdbool.h>
#include <stdint.h>

/* CLOCK_MONOTONIC, in seconds and in nanoseconds. */
double bench_now_s(void);
uint64_t bench_now_ns(void);
/* The process's user and system time, in seconds. */
double bench_cpu_s(void);
/* A "FIELD: N kB" line of /proc/self/status (VmRSS, VmHWM...): N, or -1. */
long bench_status_kb(const char *field);
/* The peak resident memory so far, in kB (getrusage). */
long bench_peak_rss_kb(void);
/* Keeps the process on CPU want, or on the one it runs on when want < 0: 0 or -errno. */
int bench_pin_cpu(int want, int *cpu);
/* Removes dir and everything below it, not following links: 0 or -1 with errno. */
int bench_rm_tree(const char *dir);
/* Waits, at most max_ms, until a server accepts connections on the unix socket at path. */
bool bench_wait_socket(const char *path, unsigned int max_ms);

struct drainer;
struct sensor;
struct sw_interval;
/*
 * One drain of s as the daemon makes it, each step timed: flip, read and clear, in ms[0..2].
 * 0, or the drain's error, which s->errmsg names.
 */
int bench_drain_timed(struct drainer *d, struct sensor *s, struct sw_interval *iv, double ms[3]);

/* splitmix64: tiny, every seed a good one, and the same numbers on every run. */
struct rng {
	uint64_t s;
};

uint64_t rng_next(struct rng *r);
/* A bijection of 32-bit numbers: distinct indices give distinct, scattered addresses. */
uint32_t bench_spread32(uint32_t x);

/* Samples of one figure over a bench's rounds. */
#define BENCH_MAX_ROUNDS 64
struct series {
	double v[BENCH_MAX_ROUNDS];
	unsigned int n;
};

void series_add(struct series *s, double v);
/* Of at least one sample. */
double series_median(const struct series *s);
double series_min(const struct series *s);
double series_max(const struct series *s);

/*
 * The end of a tool's getopt_long loop. For what its own cases do not take: --help (on stdout,
 * then exit 0) or a mistake (the help on stderr), -EINVAL. A value its case refused:
 * "TOOL: bad value for -X: ARG", -EINVAL. The words the options leave: "TOOL: unexpected
 * argument WORD", -EINVAL, or 0 when there are none.
 */
int bench_opt_other(int opt, const char *help);
/* --help: the help on stdout, then exit 0. */
_Noreturn void bench_show_help(const char *help);
int bench_bad_value(const char *tool, int opt, const char *arg);
int bench_no_args(const char *tool, int argc, char **argv);

#endif
