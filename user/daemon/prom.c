// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keyfmt.h"
#include "prom.h"

/* Point names and keys need no escaping; the format's rule is applied all the same. */
static void label(FILE *f, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fputc('\\', f);
		if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void sample_start(FILE *f, const char *name, const struct runstats *rs)
{
	fprintf(f, "%s{point=\"", name);
	label(f, rs->point);
	fputc('"', f);
}

static void sample_label(FILE *f, const char *lname, const char *lvalue)
{
	fprintf(f, ",%s=\"", lname);
	label(f, lvalue);
	fputc('"', f);
}

/* The point's label, and one more when lname is given. */
static void sample_labels(FILE *f, const char *name, const struct runstats *rs, const char *lname,
			  const char *lvalue)
{
	sample_start(f, name, rs);
	if (lname && lvalue)
		sample_label(f, lname, lvalue);
	fputs("} ", f);
}

static void sample_u64(FILE *f, const char *name, const struct runstats *rs, const char *lname,
		       const char *lvalue, uint64_t v)
{
	sample_labels(f, name, rs, lname, lvalue);
	fprintf(f, "%" PRIu64 "\n", v);
}

/* The shortest form that reads back as v: 0.000238418579101562 is 250 / 1048576 exactly. */
static void double_exact(FILE *f, double v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%.15g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, sizeof(buf), "%.17g", v);
	fputs(buf, f);
}

static void sample_double(FILE *f, const char *name, const struct runstats *rs, const char *lname,
			  const char *lvalue, double v)
{
	sample_labels(f, name, rs, lname, lvalue);
	double_exact(f, v);
	fputc('\n', f);
}

static uint64_t u64_at(const struct runstats *rs, size_t off)
{
	uint64_t v;

	memcpy(&v, (const char *)rs + off, sizeof(v));
	return v;
}

#define ALWAYS SIZE_MAX

/* Per point, the uint64_t at offset off, for the points whose uint64_t at when is not 0. */
static void per_point(FILE *f, const char *name, const char *type, const char *help,
		      const struct runstats *const *points, size_t n, size_t off, size_t when)
{
	family(f, name, type, help);
	for (size_t i = 0; i < n; i++)
		if (when == ALWAYS || u64_at(points[i], when))
			sample_u64(f, name, points[i], NULL, NULL, u64_at(points[i], off));
}

/* A counter of every point by kind: the uint64_t[SW_NKINDS] at offset off. */
static void by_kind(FILE *f, const char *name, const char *help,
		    const struct runstats *const *points, size_t n, size_t off)
{
	family(f, name, "counter", help);
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < SW_NKINDS; k++)
			sample_u64(f, name, points[i], "kind", sw_kind_names[k],
				   u64_at(points[i], off + (size_t)k * sizeof(uint64_t)));
}

static const char *const tables[] = { "pairs", "keys" };

/* Of the two tables, per point that stored an interval: the uint64_ts at pairs_off and keys_off. */
static void by_table(FILE *f, const char *name, const char *help,
		     const struct runstats *const *points, size_t n, size_t pairs_off,
		     size_t keys_off)
{
	family(f, name, "gauge", help);
	for (size_t i = 0; i < n; i++)
		for (int t = 0; t < 2; t++)
			if (points[i]->intervals)
				sample_u64(f, name, points[i], "table", tables[t],
					   u64_at(points[i], t ? keys_off : pairs_off));
}

/* A time of the last interval, per point that stored one: the double at offset off. */
static void seconds(FILE *f, const char *name, const char *help,
		    const struct runstats *const *points, size_t n, size_t off)
{
	family(f, name, "gauge", help);
	for (size_t i = 0; i < n; i++)
		if (points[i]->intervals) {
			double v;

			memcpy(&v, (const char *)points[i] + off, sizeof(v));
			sample_double(f, name, points[i], NULL, NULL, v);
		}
}

void prom_format(FILE *f, const struct runstats *const *points, size_t n, uint64_t start_s)
{
	by_kind(f, "scanwatch_accesses_total",
		"Unsolicited packets counted (accesses), by point and kind, since the daemon started.",
		points, n, offsetof(struct runstats, accesses));
	by_kind(f, "scanwatch_new_sources_total",
		"(source, key) pairs seen for the first time that day, by point and kind, since the "
		"daemon started.",
		points, n, offsetof(struct runstats, sources));
	per_point(f, "scanwatch_research_accesses_total", "counter",
		  "Accesses from the research list's sources (--research), kept out of "
		  "scanwatch_accesses_total, since the daemon started.",
		  points, n, offsetof(struct runstats, research_accesses), ALWAYS);
	per_point(
		f, "scanwatch_research_new_sources_total", "counter",
		"The research group's (source, key) pairs seen for the first time that day, since "
		"the daemon started.",
		points, n, offsetof(struct runstats, research_sources), ALWAYS);
	family(f, "scanwatch_research_prefixes", "gauge",
	       "Prefixes in the research list the kernel looks sources up in.");
	for (size_t i = 0; i < n; i++)
		if (points[i]->research_prefixes >= 0)
			sample_u64(f, "scanwatch_research_prefixes", points[i], NULL, NULL,
				   (uint64_t)points[i]->research_prefixes);
	per_point(f, "scanwatch_dropped_packets_total", "counter",
		  "Packets whose key or (source, key) pair found the kernel tables full, since the "
		  "daemon started.",
		  points, n, offsetof(struct runstats, dropped), ALWAYS);
	per_point(f, "scanwatch_intervals_total", "counter",
		  "Intervals drained and stored since the daemon started.", points, n,
		  offsetof(struct runstats, intervals), ALWAYS);
	family(f, "scanwatch_interval_top_key_accesses", "gauge",
	       "Accesses of the keys counted most in the last interval stored.");
	for (size_t i = 0; i < n; i++)
		for (size_t t = 0; t < points[i]->ntop; t++) {
			const struct runstats_key *k = &points[i]->top[t];
			char key[SW_KEY_STRLEN];

			sw_key_str(&k->key, key);
			sample_start(f, "scanwatch_interval_top_key_accesses", points[i]);
			sample_label(f, "key", key);
			sample_label(f, "kind", sw_kind_names[k->key.kind]);
			fprintf(f, "} %" PRIu64 "\n", k->accesses);
		}
	by_table(f, "scanwatch_table_entries",
		 "Entries the kernel tables held when the last interval was drained.", points, n,
		 offsetof(struct runstats, pairs), offsetof(struct runstats, keys));
	by_table(f, "scanwatch_table_max_entries",
		 "Entries the kernel tables hold at most in an interval (--max-pairs, --max-keys).",
		 points, n, offsetof(struct runstats, max_pairs),
		 offsetof(struct runstats, max_keys));
	family(f, "scanwatch_table_fill_ratio", "gauge",
	       "Entries over the most the tables hold, when the last interval was drained.");
	for (size_t i = 0; i < n; i++)
		for (int t = 0; t < 2; t++) {
			const struct runstats *rs = points[i];
			uint64_t max = t ? rs->max_keys : rs->max_pairs;

			if (rs->intervals && max)
				sample_double(f, "scanwatch_table_fill_ratio", rs, "table",
					      tables[t],
					      (double)(t ? rs->keys : rs->pairs) / (double)max);
		}
	seconds(f, "scanwatch_drain_duration_seconds",
		"Time the last drain took: flip, read and clear of the kernel tables.", points, n,
		offsetof(struct runstats, drain_s));
	seconds(f, "scanwatch_store_duration_seconds",
		"Time the last store took: daily summary, source log and RRD files.", points, n,
		offsetof(struct runstats, store_s));
	per_point(f, "scanwatch_day_peak_accesses_per_second", "gauge",
		  "The most accesses counted in one second of the day of the last interval stored, "
		  "as its daily summary holds it.",
		  points, n, offsetof(struct runstats, day_peak),
		  offsetof(struct runstats, intervals));
	per_point(f, "scanwatch_day_peak_timestamp_seconds", "gauge",
		  "When that second began, in seconds since the epoch.", points, n,
		  offsetof(struct runstats, day_peak_s), offsetof(struct runstats, day_peak));
	per_point(f, "scanwatch_last_drain_timestamp_seconds", "gauge",
		  "When the last interval was drained and stored, in seconds since the epoch.",
		  points, n, offsetof(struct runstats, last_drain_s),
		  offsetof(struct runstats, last_drain_s));
	family(f, "scanwatch_start_time_seconds", "gauge",
	       "When the daemon started, in seconds since the epoch (its counters start at 0).");
	fprintf(f, "scanwatch_start_time_seconds %" PRIu64 "\n", start_s);
}

/* A name of PATH's directory no one else uses: ".BASE.XXXXXX", which node_exporter skips. */
static int open_temp(const char *path, char *tmp, size_t len)
{
	const char *slash = strrchr(path, '/');
	int dirlen = slash ? (int)(slash - path + 1) : 0;

	for (int tries = 0; tries < 16; tries++) {
		uint32_t r;
		int fd;

		if (getrandom(&r, sizeof(r), 0) != sizeof(r))
			r = (uint32_t)getpid() * 2654435761u + (uint32_t)tries;
		if (snprintf(tmp, len, "%.*s.%s.%08" PRIx32, dirlen, path, slash ? slash + 1 : path,
			     r) >= (int)len)
			return -ENAMETOOLONG;
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd >= 0 || errno != EEXIST)
			return fd >= 0 ? fd : -errno;
	}
	return -EEXIST;
}

int prom_write(const char *path, const struct runstats *const *points, size_t n, uint64_t start_s,
	       char *errmsg, size_t errlen)
{
	char tmp[PATH_MAX];
	int fd, err = 0;
	FILE *f;

	fd = open_temp(path, tmp, sizeof(tmp));
	if (fd < 0) {
		snprintf(errmsg, errlen, "--prom-textfile %s: cannot create a file beside it: %s",
			 path, strerror(-fd));
		return fd;
	}
	/* node_exporter runs as another user: readable whatever the daemon's umask. */
	if (fchmod(fd, 0644))
		err = -errno;
	f = fdopen(fd, "w");
	if (!f) {
		err = -errno;
		close(fd);
	} else {
		prom_format(f, points, n, start_s);
		if ((fflush(f) || fsync(fileno(f))) && !err)
			err = -errno;
		if (fclose(f) && !err)
			err = -errno;
	}
	if (!err && rename(tmp, path))
		err = -errno;
	if (err) {
		unlink(tmp);
		snprintf(errmsg, errlen, "--prom-textfile %s: %s", path, strerror(-err));
	}
	return err;
}
