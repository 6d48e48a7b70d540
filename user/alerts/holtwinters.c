// SPDX-License-Identifier: GPL-2.0-only
/*
 * Holt-Winters failures: runs of FAILURES rows in the RRD files, with the observed and
 * predicted counts around them, read through librrd.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts.h"
#include "grow.h"
#include "internal.h"
#include "points.h"
#include "rrdio.h"
#include "rrdstore.h"

#define HW_WINDOW 9 /* rows a failure is judged over (rrd/rrdstore.c) */

/* "keys/tcp_445.rrd" -> "tcp/445"; "totals.rrd" -> "total". */
static void key_of_rel(const char *rel, char out[SW_KEY_STRLEN])
{
	const char *base = strrchr(rel, '/');
	char *us, *dot;

	if (!strcmp(rel, "totals.rrd")) {
		snprintf(out, SW_KEY_STRLEN, "total");
		return;
	}
	snprintf(out, SW_KEY_STRLEN, "%s", base ? base + 1 : rel);
	dot = strrchr(out, '.');
	if (dot)
		*dot = '\0';
	us = strchr(out, '_');
	if (us)
		*us = '/';
}

/* "acc_scan" -> accesses of scan; false for a data source of another schema. */
static bool ds_measure(const char *ds, bool *sources, int *kind)
{
	if (strncmp(ds, "acc_", 4) && strncmp(ds, "src_", 4))
		return false;
	*sources = ds[0] == 's';
	*kind = sw_kind_parse(ds + 4);
	return *kind >= 0;
}

static void free_fetch(char **names, unsigned long nds, rrd_value_t *data)
{
	for (unsigned long i = 0; names && i < nds; i++)
		rrd_freemem(names[i]);
	rrd_freemem(names);
	rrd_freemem(data);
}

/* Rows ending at t0, t0 + step ... of data source ds in an archive of cf: n values, NAN if none. */
static void fetch_series(struct rrdio *io, const char *name, const char *cf, unsigned long step,
			 unsigned long ds, int64_t t0, size_t n, double *out)
{
	time_t start = (time_t)(t0 - (int64_t)step), end = (time_t)(t0 + (int64_t)(n - 1) * step);
	unsigned long st = step, nds = 0;
	char **names = NULL;
	rrd_value_t *data = NULL;

	for (size_t i = 0; i < n; i++)
		out[i] = NAN;
	if (rrdio_fetch(io, name, cf, &start, &end, &st, &nds, &names, &data))
		return;
	for (time_t ti = start + (time_t)st; st == step && ti <= end && ds < nds;
	     ti += (time_t)st) {
		int64_t i = ((int64_t)ti - t0) / (int64_t)step;

		if (ti >= t0 && ((int64_t)ti - t0) % (int64_t)step == 0 && i < (int64_t)n)
			out[i] = data[(size_t)((ti - start) / (time_t)st - 1) * nds + ds];
	}
	free_fetch(names, nds, data);
}

/*
 * What started a failure: the first row of the window that flagged it whose observation lies
 * outside the band (prediction +- 2 deviations, rrdtool's default), with its prediction.
 */
static void hw_cause(struct rrdio *io, const char *name, unsigned long step, unsigned long ds,
		     int64_t t, double *obs, double *pred)
{
	double o[HW_WINDOW], p[HW_WINDOW], d[HW_WINDOW];
	int64_t t0 = t - (int64_t)(HW_WINDOW - 1) * (int64_t)step;

	fetch_series(io, name, "AVERAGE", step, ds, t0, HW_WINDOW, o);
	fetch_series(io, name, "HWPREDICT", step, ds, t0, HW_WINDOW, p);
	fetch_series(io, name, "DEVPREDICT", step, ds, t0, HW_WINDOW, d);
	for (int i = 0; i < HW_WINDOW; i++) {
		if (isnan(o[i]) || isnan(p[i]) || isnan(d[i]))
			continue;
		if (o[i] > p[i] + 2 * d[i] || o[i] < p[i] - 2 * d[i]) {
			*obs = o[i];
			*pred = p[i];
			return;
		}
	}
	*obs = o[HW_WINDOW - 1];
	*pred = p[HW_WINDOW - 1];
}

int alerts_hw_scan_file(struct rrdio *io, const char *data_dir, const char *point, const char *rel,
			int64_t from_s, int64_t to_s, struct alert_list *out, char *errmsg,
			size_t errlen)
{
	char name[PATH_MAX];
	time_t start = (time_t)from_s - 1, end = (time_t)to_s;
	unsigned long step = 0, nds = 0, rows;
	char **names = NULL;
	rrd_value_t *data = NULL;
	int err = 0;

	if (rrdio_name(io, data_dir, point, rel, name, sizeof(name)))
		return 0;
	if (rrdio_fetch(io, name, "FAILURES", &start, &end, &step, &nds, &names, &data)) {
		/* A file without Holt-Winters archives (intervals under a minute) has none. */
		if (strstr(io->errmsg, "does not contain an RRA matching") ||
		    strstr(io->errmsg, "No such file"))
			return 0;
		snprintf(errmsg, errlen, "%s", io->errmsg);
		return -EIO;
	}
	rows = step ? (unsigned long)(end - start) / step : 0;
	for (unsigned long ds = 0; !err && ds < nds; ds++) {
		bool sources;
		int kind;

		if (!ds_measure(names[ds], &sources, &kind))
			continue;
		for (unsigned long i = 0; !err && i < rows; i++) {
			int64_t t = (int64_t)start + (int64_t)(i + 1) * (int64_t)step;
			double v = data[i * nds + ds];
			struct alert a = { .kind = ALERT_HW };
			unsigned long j = i;

			if (!(v > 0.5) || t < from_s || t > to_s)
				continue;
			while (j + 1 < rows && data[(j + 1) * nds + ds] > 0.5 &&
			       (int64_t)start + (int64_t)(j + 2) * (int64_t)step <= to_s)
				j++;
			snprintf(a.point, sizeof(a.point), "%s", point);
			key_of_rel(rel, a.key);
			a.key_kind = kind;
			a.sources = sources;
			a.at = t;
			alert_time_str(t, a.from);
			alert_time_str((int64_t)start + (int64_t)(j + 1) * (int64_t)step, a.to);
			a.open = (int64_t)start + (int64_t)(j + 2) * (int64_t)step > to_s;
			hw_cause(io, name, step, ds, t, &a.value, &a.baseline);
			a.change_pct = a.score = a.value_sources = a.baseline_sources = NAN;
			err = alert_list_add(out, &a);
			i = j;
		}
	}
	free_fetch(names, nds, data);
	return err;
}

/* totals.rrd and keys/NAME.rrd of a point, from its own folder. */
static int list_kind_files(const char *data_dir, const char *point, char (**rels)[64], size_t *n)
{
	char path[PATH_MAX];
	struct dirent *de;
	size_t cap = 0;
	DIR *d;

	*n = 0;
	*rels = NULL;
	if (SW_GROW(*rels, cap, 1, 64))
		return -ENOMEM;
	snprintf((*rels)[(*n)++], 64, "totals.rrd");
	snprintf(path, sizeof(path), "%s/%s/keys", data_dir, point);
	d = opendir(path);
	while (d && (de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (len < 5 || len > 40 || strcmp(de->d_name + len - 4, ".rrd"))
			continue;
		if (SW_GROW(*rels, cap, *n + 1, 64)) {
			closedir(d);
			return -ENOMEM;
		}
		snprintf((*rels)[(*n)++], 64, "keys/%s", de->d_name);
	}
	if (d)
		closedir(d);
	return 0;
}

int alerts_hw_scan(struct rrdio *io, const char *data_dir, const char *point, int64_t from_s,
		   int64_t to_s, struct alert_list *out, char *errmsg, size_t errlen)
{
	struct rrdio local = { 0 };
	struct rrdio_meta meta;
	char(*rels)[64] = NULL, name[PATH_MAX];
	size_t n = 0;
	int err;

	if (!io)
		io = &local;
	/* Only the week before the last update is kept: fetch no more than that. */
	if (rrdio_name(io, data_dir, point, "totals.rrd", name, sizeof(name)) ||
	    rrdio_info(io, name, &meta))
		return 0;
	if (from_s < (int64_t)meta.last_s - ALERT_HW_ARCHIVE_S - (int64_t)meta.step_s)
		from_s = (int64_t)meta.last_s - ALERT_HW_ARCHIVE_S - (int64_t)meta.step_s;
	if (to_s > (int64_t)meta.last_s)
		to_s = (int64_t)meta.last_s;
	if (from_s > to_s)
		return 0;
	err = list_kind_files(data_dir, point, &rels, &n);
	for (size_t i = 0; !err && i < n; i++)
		err = alerts_hw_scan_file(io, data_dir, point, rels[i], from_s, to_s, out, errmsg,
					  errlen);
	free(rels);
	return err;
}
