// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "benchutil.h"
#include "drain.h"

double bench_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

double bench_cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

long bench_status_kb(const char *field)
{
	char line[256];
	size_t len = strlen(field);
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, len) && line[len] == ':') {
			kb = strtol(line + len + 1, NULL, 10);
			break;
		}
	fclose(f);
	return kb;
}

long bench_peak_rss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

int bench_pin_cpu(int want, int *cpu)
{
	cpu_set_t set;

	*cpu = want >= 0 ? want : sched_getcpu();
	if (*cpu < 0)
		return -errno;
	CPU_ZERO(&set);
	CPU_SET(*cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int bench_rm_tree(const char *dir)
{
	return nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

bool bench_wait_socket(const char *path, unsigned int max_ms)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	for (unsigned int waited_ms = 0; waited_ms < max_ms; waited_ms += 10) {
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);
		bool ok = fd >= 0 && !connect(fd, (struct sockaddr *)&sa, sizeof(sa));

		if (fd >= 0)
			close(fd);
		if (ok)
			return true;
		usleep(10000);
	}
	return false;
}

int bench_drain_timed(struct drainer *d, struct sensor *s, struct sw_interval *iv, double ms[3])
{
	uint64_t t0, t1, t2, t3;
	int err;

	t0 = bench_now_ns();
	err = drain_flip(s);
	t1 = bench_now_ns();
	if (!err)
		err = drain_read(d, s, iv);
	t2 = bench_now_ns();
	if (!err)
		err = drain_clear(d, s);
	t3 = bench_now_ns();
	ms[0] = (double)(t1 - t0) / 1e6;
	ms[1] = (double)(t2 - t1) / 1e6;
	ms[2] = (double)(t3 - t2) / 1e6;
	return err;
}

uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint32_t bench_spread32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352du;
	x ^= x >> 15;
	x *= 0x846ca68bu;
	x ^= x >> 16;
	return x;
}

void series_add(struct series *s, double v)
{
	s->v[s->n++] = v;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double series_median(const struct series *s)
{
	double t[BENCH_MAX_ROUNDS];

	memcpy(t, s->v, s->n * sizeof(t[0]));
	qsort(t, s->n, sizeof(t[0]), cmp_double);
	return s->n % 2 ? t[s->n / 2] : (t[s->n / 2 - 1] + t[s->n / 2]) / 2;
}

double series_min(const struct series *s)
{
	double m = s->v[0];

	for (unsigned int i = 1; i < s->n; i++)
		m = s->v[i] < m ? s->v[i] : m;
	return m;
}

double series_max(const struct series *s)
{
	double m = s->v[0];

	for (unsigned int i = 1; i < s->n; i++)
		m = s->v[i] > m ? s->v[i] : m;
	return m;
}

_Noreturn void bench_show_help(const char *help)
{
	fputs(help, stdout);
	exit(0);
}

int bench_opt_other(int opt, const char *help)
{
	if (opt == 'h')
		bench_show_help(help);
	fputs(help, stderr);
	return -EINVAL;
}

int bench_bad_value(const char *tool, int opt, const char *arg)
{
	fprintf(stderr, "%s: bad value for -%c: %s\n", tool, opt, arg);
	return -EINVAL;
}

int bench_no_args(const char *tool, int argc, char **argv)
{
	if (optind >= argc)
		return 0;
	fprintf(stderr, "%s: unexpected argument %s\n", tool, argv[optind]);
	return -EINVAL;
}
