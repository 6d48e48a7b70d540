// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "cli.h"
#include "daysize.h"
#include "log.h"
#include "pairset.h"
#include "parse_num.h"

static void lower(struct day_memory *m, uint64_t bytes, const char *what)
{
	if (bytes && bytes < m->bytes) {
		m->bytes = bytes;
		snprintf(m->what, sizeof(m->what), "%s", what);
	}
}

static uint64_t meminfo_total(void)
{
	unsigned long long kb = 0;
	char line[256];
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemTotal: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return (uint64_t)kb * 1024;
}

/*
 * cgroup v2: the smallest memory.max on the way from this process's group to the root. The
 * hierarchy may be out of sight (ip netns exec mounts another /sys): then it sets no limit.
 */
static void cgroup_limit(struct day_memory *m)
{
	char line[PATH_MAX], path[PATH_MAX + 64], *rel = NULL, *slash;
	FILE *f = fopen("/proc/self/cgroup", "r");

	if (!f)
		return;
	while (!rel && fgets(line, sizeof(line), f))
		if (!strncmp(line, "0::", 3))
			rel = line + 3;
	fclose(f);
	if (!rel)
		return;
	rel[strcspn(rel, "\n")] = '\0';
	for (;;) {
		unsigned long long v;
		FILE *mf;

		snprintf(path, sizeof(path), "/sys/fs/cgroup%s/memory.max", rel);
		mf = fopen(path, "r");
		if (mf) {
			if (fscanf(mf, "%llu", &v) == 1)
				lower(m, v, "the cgroup's memory.max");
			fclose(mf);
		}
		slash = strrchr(rel, '/');
		if (!slash || slash == rel)
			break;
		*slash = '\0';
	}
}

/* What an address-space limit leaves: the limit less what the process maps already. */
static void rlimit_left(struct day_memory *m, int resource, const char *what)
{
	unsigned long long kb = 0;
	struct rlimit rl;
	char line[256];
	FILE *f;

	if (getrlimit(resource, &rl) || rl.rlim_cur == RLIM_INFINITY)
		return;
	f = fopen("/proc/self/status", "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, resource == RLIMIT_AS ? "VmSize: %llu kB" : "VmData: %llu kB",
			   &kb) == 1)
			break;
	if (f)
		fclose(f);
	lower(m, (uint64_t)rl.rlim_cur > kb * 1024 ? (uint64_t)rl.rlim_cur - kb * 1024 : 1, what);
}

int day_memory_read(struct day_memory *m)
{
	m->bytes = UINT64_MAX;
	m->what[0] = '\0';
	lower(m, meminfo_total(), "MemTotal");
	cgroup_limit(m);
	rlimit_left(m, RLIMIT_AS, "RLIMIT_AS");
	rlimit_left(m, RLIMIT_DATA, "RLIMIT_DATA");
	return m->bytes == UINT64_MAX ? -ENOENT : 0;
}

/* The most pairs a set may hold within bytes, at its worst (pairset_bytes_max is monotonic). */
static uint64_t pairs_within(uint64_t bytes)
{
	uint64_t lo = 0, hi = SW_MAX_DAY_PAIRS_LIMIT;

	while (lo < hi) {
		uint64_t mid = lo + (hi - lo + 1) / 2;

		if (pairset_bytes_max(mid) <= bytes)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

int day_pairs_resolve(uint64_t *max_pairs, unsigned int npoints, const struct day_memory *m,
		      char *errmsg, size_t errlen)
{
	uint64_t need;

	if (!npoints)
		npoints = 1;
	if (!*max_pairs) {
		*max_pairs = pairs_within(m->bytes / SW_DAY_PAIRS_MEMORY_SHARE / npoints);
		if (*max_pairs)
			return 0;
		snprintf(errmsg, errlen,
			 "%s is %" PRIu64
			 " bytes: too little for the day's sources of %u point(s); "
			 "give --max-day-pairs",
			 m->what, m->bytes, npoints);
		return -ENOMEM;
	}
	need = pairset_bytes_max(*max_pairs);
	if (need <= m->bytes / npoints)
		return 0;
	snprintf(
		errmsg, errlen,
		"--max-day-pairs %" PRIu64 " needs up to %.1f MiB for the day's sources of each of "
		"%u point(s), more than %s allows (%.1f MiB in all); at most %" PRIu64 " pairs fit",
		*max_pairs, need / 1048576.0, npoints, m->what, m->bytes / 1048576.0,
		pairs_within(m->bytes / npoints));
	return -ENOMEM;
}

int day_pairs_option(const char *cmd, const char *arg, uint64_t *max_pairs)
{
	if (parse_u64(arg, 1, SW_MAX_DAY_PAIRS_LIMIT, max_pairs))
		return usage_error(cmd, "--max-day-pairs takes 1 to %llu, not '%s'",
				   SW_MAX_DAY_PAIRS_LIMIT, arg);
	return 0;
}

int day_pairs_setup(uint64_t *max_pairs, unsigned int npoints)
{
	char errmsg[512];
	struct day_memory m;

	if (day_memory_read(&m)) {
		if (*max_pairs)
			return 0;
		sw_err("cannot tell how much memory there is (/proc/meminfo) to size the day's "
		       "sources: give --max-day-pairs");
		return -ENOENT;
	}
	if (day_pairs_resolve(max_pairs, npoints, &m, errmsg, sizeof(errmsg))) {
		sw_err("%s", errmsg);
		return -ENOMEM;
	}
	return 0;
}
