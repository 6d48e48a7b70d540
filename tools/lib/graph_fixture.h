/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A synthetic data directory for the chart tests, the README's images and demos: RRD files of the
 * layout in README.md ("RRD files") holding known counts per step, and the daily summaries that
 * agree with them to the unit. Every count comes from a hash of (point, series, step), so a test
 * recomputes any sum without reading a file. Header-only: tools and tests link libscanwatch.a
 * before libtools.a, and this needs dayfile.c.
 *
 * Two points with different steps, so that per-day scaling is exercised: "tokyo" (60 s) and
 * "osaka" (300 s), the latter down for one whole day (unknown in the RRD files, no summary) and
 * for the first ten hours of another (a partial day, which a daily average would extrapolate).
 * Keys: ranked by merged kinds, tcp/80 (scan + backscatter) beats tcp/22 though neither of its
 * kinds does; tcp/1433, icmp/3 and proto/47 have no RRD file (untracked) but are in the
 * summaries. tokyo's tcp/445 scans jump by 200 a minute for an hour on the day before the last,
 * which the daemon's Holt-Winters archives (two days of prediction) still cover.
 */
#ifndef SW_GRAPH_FIXTURE_H
#define SW_GRAPH_FIXTURE_H

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <rrd.h>

#include "dayfile.h"
#include "keyfmt.h"
#include "rrdstore.h"

#define FX_DAY 86400
#define FX_NKEYS 8
#define FX_NAREAS 4
#define FX_NPOINTS 2
#define FX_SPIKE_HOUR 10
#define FX_SPIKE_PER_MIN 200
/* 2009-10-01 00:00 UTC: TALOT2's October. */
#define FX_T0 1254355200

struct fx_key {
	const char *name;
	const char *file; /* under keys/, NULL: untracked */
	unsigned int acc_w[SW_NKINDS]; /* mean accesses per minute is about this */
	unsigned int src_w[SW_NKINDS];
};

static const struct fx_key fx_keys[FX_NKEYS] = {
	{ "tcp/445", "tcp_445", { 9, 0, 0 }, { 2, 0, 0 } },
	{ "tcp/1433", NULL, { 6, 0, 0 }, { 1, 0, 0 } },
	{ "tcp/80", "tcp_80", { 2, 3, 0 }, { 1, 1, 0 } },
	{ "tcp/22", "tcp_22", { 4, 0, 0 }, { 4, 0, 0 } },
	{ "icmp/echo", "icmp_echo", { 3, 0, 0 }, { 3, 0, 0 } },
	{ "tcp/135", "tcp_135", { 1, 0, 0 }, { 1, 0, 0 } },
	{ "icmp/3", NULL, { 0, 1, 0 }, { 0, 1, 0 } },
	{ "proto/47", NULL, { 0, 0, 1 }, { 0, 0, 1 } },
};

/* Areas take fixed tenths of each step's total, unknown the rest: JP, CN, US, ??. */
static const char *const fx_areas[FX_NAREAS] = { "JP", "CN", "US", "??" };
static const unsigned int fx_area_acc_tenths[FX_NAREAS - 1] = { 5, 3, 1 };
static const unsigned int fx_area_src_tenths[FX_NAREAS - 1] = { 3, 4, 2 };

struct fx_point {
	const char *name;
	unsigned long step;
	int gap_day; /* a day with no data at all, or -1 */
	int part_day; /* a day whose first part_hours have no data, or -1 */
	unsigned int part_hours;
};

static const struct fx_point fx_points[FX_NPOINTS] = {
	{ "tokyo", 60, -1, -1, 0 },
	{ "osaka", 300, 4, 2, 10 },
};

/* One step's counts of one point. */
struct fx_step {
	uint64_t acc[FX_NKEYS][SW_NKINDS], src[FX_NKEYS][SW_NKINDS];
	uint64_t tot_acc[SW_NKINDS], tot_src[SW_NKINDS];
	uint64_t area_acc[FX_NAREAS], area_src[FX_NAREAS];
	uint64_t fp[SW_NFPS];
	uint64_t dropped;
};

static inline uint32_t fx_hash(uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
	uint64_t x = ((uint64_t)a << 48) ^ ((uint64_t)b << 40) ^ ((uint64_t)c << 32) ^ d;

	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return (uint32_t)(x ^ (x >> 31));
}

/* What a fixture covers: days from FX_T0, and the day of the spike. */
struct fx {
	unsigned int days;
	unsigned int spike_day;
};

static inline void fx_init(struct fx *fx, unsigned int days)
{
	fx->days = days;
	fx->spike_day = days >= 2 ? days - 2 : 0;
}

/* Step i of point p: counts of the step that starts at FX_T0 + i * step. */
static inline void fx_step_counts(const struct fx *fx, int p, uint32_t i, struct fx_step *s)
{
	unsigned long step = fx_points[p].step;
	uint64_t t = FX_T0 + (uint64_t)i * step, sum;

	memset(s, 0, sizeof(*s));
	for (int k = 0; k < FX_NKEYS; k++)
		for (int d = 0; d < SW_NKINDS; d++) {
			/* Uniform in [0, 2w] per minute: the mean is w; osaka gets half. */
			uint64_t wa = fx_keys[k].acc_w[d] * step / 60 / (p ? 2 : 1);
			uint64_t ws = fx_keys[k].src_w[d] * step / 60 / (p ? 2 : 1);

			s->acc[k][d] = wa ? fx_hash(p, k, d, i) % (2 * wa + 1) : 0;
			s->src[k][d] = ws ? fx_hash(p, k, d + 8, i) % (2 * ws + 1) : 0;
			if (s->src[k][d] > s->acc[k][d])
				s->src[k][d] = s->acc[k][d];
		}
	if (p == 0 && (t - FX_T0) / FX_DAY == fx->spike_day && t % FX_DAY / 3600 == FX_SPIKE_HOUR)
		s->acc[0][SW_KIND_SCAN] += FX_SPIKE_PER_MIN * step / 60;
	for (int k = 0; k < FX_NKEYS; k++)
		for (int d = 0; d < SW_NKINDS; d++) {
			s->tot_acc[d] += s->acc[k][d];
			s->tot_src[d] += s->src[k][d];
		}
	sum = s->tot_acc[0] + s->tot_acc[1] + s->tot_acc[2];
	s->area_acc[FX_NAREAS - 1] = sum;
	for (int a = 0; a < FX_NAREAS - 1; a++) {
		s->area_acc[a] = sum * fx_area_acc_tenths[a] / 10;
		s->area_acc[FX_NAREAS - 1] -= s->area_acc[a];
	}
	sum = s->tot_src[0] + s->tot_src[1] + s->tot_src[2];
	s->area_src[FX_NAREAS - 1] = sum;
	for (int a = 0; a < FX_NAREAS - 1; a++) {
		s->area_src[a] = sum * fx_area_src_tenths[a] / 10;
		s->area_src[FX_NAREAS - 1] -= s->area_src[a];
	}
	s->fp[SW_FP_MIRAI] = s->acc[3][SW_KIND_SCAN] / 2; /* tcp/22 */
	s->fp[SW_FP_ZMAP] = s->acc[0][SW_KIND_SCAN] / 4; /* tcp/445 */
	s->fp[SW_FP_MASSCAN] = s->acc[2][SW_KIND_SCAN] / 2; /* tcp/80 */
	s->dropped = fx_hash(p, 99, 0, i) % 97 == 0;
}

static inline bool fx_known(int p, uint32_t i)
{
	uint64_t t = (uint64_t)i * fx_points[p].step, day = t / FX_DAY;

	if (fx_points[p].gap_day >= 0 && day == (uint64_t)fx_points[p].gap_day)
		return false;
	return fx_points[p].part_day < 0 || day != (uint64_t)fx_points[p].part_day ||
	       t % FX_DAY >= fx_points[p].part_hours * 3600ull;
}

/* Sums of point p over the steps of days [d0, d1) since FX_T0 that have data. */
static inline void fx_sum(const struct fx *fx, int p, unsigned int d0, unsigned int d1,
			  struct fx_step *sum)
{
	uint32_t per_day = FX_DAY / fx_points[p].step;
	struct fx_step s;

	memset(sum, 0, sizeof(*sum));
	for (uint32_t i = d0 * per_day; i < d1 * per_day; i++) {
		uint64_t *dst = (uint64_t *)sum, *src = (uint64_t *)&s;

		if (!fx_known(p, i))
			continue;
		fx_step_counts(fx, p, i, &s);
		for (size_t j = 0; j < sizeof(s) / sizeof(uint64_t); j++)
			dst[j] += src[j];
	}
}

static inline int fx_mkdirs(const char *path)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(buf, 0755) && errno != EEXIST)
				return -errno;
			*p = '/';
		}
	if (mkdir(buf, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

/* Created exactly as the daemon creates them (rrdstore.c), so the charts see its archives. */
static inline int fx_create(const char *path, unsigned long step, enum rrd_schema schema, char *err,
			    size_t errlen)
{
	char bufs[RRD_MAX_ARGS][64];
	const char *argv[RRD_MAX_ARGS];
	int argc = rrd_schema_args(schema, (unsigned int)step, bufs, argv);

	rrd_clear_error();
	if (rrd_create_r2(path, step, FX_T0, 0, NULL, NULL, argc, argv)) {
		snprintf(err, errlen, "%s: %s", path, rrd_get_error());
		rrd_clear_error();
		return -EIO;
	}
	return 0;
}

enum fx_file { FX_TOTALS, FX_KEY, FX_AREA, FX_FP, FX_OVERFLOW };

/* The update string of one step of one file; "U" for every value of a step with no data. */
static inline void fx_values(const struct fx *fx, int p, uint32_t i, enum fx_file f, int idx,
			     char *buf, size_t len)
{
	uint64_t t = FX_T0 + (uint64_t)(i + 1) * fx_points[p].step;
	struct fx_step s;
	int nds = f == FX_TOTALS || f == FX_KEY ? 6 : f == FX_AREA || f == FX_OVERFLOW ? 2 : 1;
	size_t off;

	off = (size_t)snprintf(buf, len, "%" PRIu64, t);
	if (!fx_known(p, i)) {
		for (int d = 0; d < nds; d++)
			off += (size_t)snprintf(buf + off, len - off, ":U");
		return;
	}
	fx_step_counts(fx, p, i, &s);
	switch (f) {
	case FX_TOTALS:
		snprintf(buf + off, len - off,
			 ":%" PRIu64 ":%" PRIu64 ":%" PRIu64 ":%" PRIu64 ":%" PRIu64 ":%" PRIu64,
			 s.tot_acc[0], s.tot_acc[1], s.tot_acc[2], s.tot_src[0], s.tot_src[1],
			 s.tot_src[2]);
		break;
	case FX_KEY:
		snprintf(buf + off, len - off,
			 ":%" PRIu64 ":%" PRIu64 ":%" PRIu64 ":%" PRIu64 ":%" PRIu64 ":%" PRIu64,
			 s.acc[idx][0], s.acc[idx][1], s.acc[idx][2], s.src[idx][0], s.src[idx][1],
			 s.src[idx][2]);
		break;
	case FX_AREA:
		snprintf(buf + off, len - off, ":%" PRIu64 ":%" PRIu64, s.area_acc[idx],
			 s.area_src[idx]);
		break;
	case FX_FP:
		snprintf(buf + off, len - off, ":%" PRIu64, s.fp[idx]);
		break;
	case FX_OVERFLOW: /* dropped, lost_sources: the fixture's days never fill their set */
		snprintf(buf + off, len - off, ":%" PRIu64 ":0", s.dropped);
		break;
	}
}

static inline int fx_fill(const struct fx *fx, int p, const char *path, enum fx_file f, int idx,
			  char *err, size_t errlen)
{
	enum { BATCH = 1440 };
	static char vals[BATCH][128];
	const char *argv[BATCH];
	uint32_t n = (uint32_t)(fx->days * (FX_DAY / fx_points[p].step));

	for (uint32_t i = 0; i < n;) {
		int argc = 0;

		for (; argc < BATCH && i < n; argc++, i++) {
			fx_values(fx, p, i, f, idx, vals[argc], sizeof(vals[0]));
			argv[argc] = vals[argc];
		}
		rrd_clear_error();
		if (rrd_update_r(path, NULL, argc, argv)) {
			snprintf(err, errlen, "%s: %s", path, rrd_get_error());
			rrd_clear_error();
			return -EIO;
		}
	}
	return 0;
}

static inline int fx_dayfiles(const struct fx *fx, int p, const char *pdir, char *err,
			      size_t errlen)
{
	char path[PATH_MAX];
	int ret = 0;

	for (unsigned int d = 0; d < fx->days && !ret; d++) {
		time_t t = FX_T0 + (time_t)d * FX_DAY;
		struct dayfile df;
		struct fx_step s;
		struct tm tm;

		if (fx_points[p].gap_day == (int)d)
			continue;
		fx_sum(fx, p, d, d + 1, &s);
		dayfile_init(&df);
		snprintf(df.point, sizeof(df.point), "%s", fx_points[p].name);
		gmtime_r(&t, &tm);
		strftime(df.date, sizeof(df.date), "%Y-%m-%d", &tm);
		snprintf(df.tz, sizeof(df.tz), "UTC");
		for (int k = 0; k < FX_NKEYS && !ret; k++)
			for (int kind = 0; kind < SW_NKINDS; kind++) {
				struct sw_key key;
				struct tally_key *tk;

				if (!s.acc[k][kind] && !s.src[k][kind])
					continue;
				if (sw_key_parse(fx_keys[k].name, sw_kind_names[kind], &key) ||
				    !(tk = tally_key(&df.t, &key))) {
					ret = -ENOMEM;
					break;
				}
				tk->accesses = s.acc[k][kind];
				tk->sources = s.src[k][kind];
				/* The keys whose scans carry each fingerprint (fx_step_counts). */
				if (kind == SW_KIND_SCAN && k == 3)
					tk->fp[SW_FP_MIRAI] = s.fp[SW_FP_MIRAI];
				if (kind == SW_KIND_SCAN && k == 0)
					tk->fp[SW_FP_ZMAP] = s.fp[SW_FP_ZMAP];
				if (kind == SW_KIND_SCAN && k == 2)
					tk->fp[SW_FP_MASSCAN] = s.fp[SW_FP_MASSCAN];
			}
		for (int a = 0; a < FX_NAREAS; a++) {
			df.t.area_accesses[sw_area_index(fx_areas[a])] = s.area_acc[a];
			df.t.area_sources[sw_area_index(fx_areas[a])] = s.area_src[a];
		}
		snprintf(path, sizeof(path), "%s/daily/%s.txt", pdir, df.date);
		if (!ret)
			ret = dayfile_write(path, &df);
		if (ret)
			snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		dayfile_free(&df);
	}
	return ret;
}

/* Writes the whole data directory: fx->days days from FX_T0, every point. */
static inline int fx_build(const struct fx *fx, const char *dir, char *err, size_t errlen)
{
	char pdir[PATH_MAX], path[PATH_MAX + 64];
	int ret;

	for (int p = 0; p < FX_NPOINTS; p++) {
		unsigned long step = fx_points[p].step;

		snprintf(pdir, sizeof(pdir), "%s/%s", dir, fx_points[p].name);
		for (int i = 0; i < 4; i++) {
			static const char *const subs[] = { "keys", "areas", "fingerprints",
							    "daily" };

			snprintf(path, sizeof(path), "%s/%s", pdir, subs[i]);
			ret = fx_mkdirs(path);
			if (ret) {
				snprintf(err, errlen, "%s: %s", path, strerror(-ret));
				return ret;
			}
		}
		snprintf(path, sizeof(path), "%s/totals.rrd", pdir);
		ret = fx_create(path, step, RRD_SCH_KINDS, err, errlen);
		if (!ret)
			ret = fx_fill(fx, p, path, FX_TOTALS, 0, err, errlen);
		for (int k = 0; k < FX_NKEYS && !ret; k++) {
			if (!fx_keys[k].file)
				continue;
			snprintf(path, sizeof(path), "%s/keys/%s.rrd", pdir, fx_keys[k].file);
			ret = fx_create(path, step, RRD_SCH_KINDS, err, errlen);
			if (!ret)
				ret = fx_fill(fx, p, path, FX_KEY, k, err, errlen);
		}
		for (int a = 0; a < FX_NAREAS && !ret; a++) {
			snprintf(path, sizeof(path), "%s/areas/%s.rrd", pdir,
				 strcmp(fx_areas[a], "??") ? fx_areas[a] : "unknown");
			ret = fx_create(path, step, RRD_SCH_AREA, err, errlen);
			if (!ret)
				ret = fx_fill(fx, p, path, FX_AREA, a, err, errlen);
		}
		for (int f = 0; f < SW_NFPS && !ret; f++) {
			snprintf(path, sizeof(path), "%s/fingerprints/%s.rrd", pdir,
				 sw_fp_names[f]);
			ret = fx_create(path, step, RRD_SCH_FP, err, errlen);
			if (!ret)
				ret = fx_fill(fx, p, path, FX_FP, f, err, errlen);
		}
		if (!ret) {
			snprintf(path, sizeof(path), "%s/overflow.rrd", pdir);
			ret = fx_create(path, step, RRD_SCH_OVERFLOW, err, errlen);
			if (!ret)
				ret = fx_fill(fx, p, path, FX_OVERFLOW, 0, err, errlen);
		}
		if (!ret)
			ret = fx_dayfiles(fx, p, pdir, err, errlen);
		if (ret)
			return ret;
	}
	return 0;
}

#endif
