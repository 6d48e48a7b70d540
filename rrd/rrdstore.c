// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "atomic_file.h"
#include "dates.h"
#include "grow.h"
#include "keyfmt.h"
#include "log.h"
#include "parse_num.h"
#include "rrdstore.h"

#define QUEUE_FILE "rrd-queue"
#define TRACKED_FILE "tracked"
/* librrd's client sends a command in one buffer of this size (RRD_CMD_MAX). */
#define RRDC_CMD_MAX 4096
#define CHUNK_ROWS 64
#define ROW_LEN 192

/*
 * Holt-Winters: Brutlag's parameters for 5-minute data (alpha 0.1, beta 0.0035), rescaled to the
 * step so that the baseline and trend remember as much time whatever the interval; gamma adapts
 * each seasonal coefficient once a season (a day) and needs no rescaling. A failure is 7 points
 * out of the band among the last 9 (rrdtool's defaults, Brutlag's choice).
 */
#define HW_ALPHA_5MIN 0.1
#define HW_BETA_5MIN 0.0035
#define HW_GAMMA 0.1
#define HW_THRESHOLD 7
#define HW_WINDOW 9
#define HW_PREDICT_S (2 * SW_DAY_S)
#define HW_FAILURES_S (7 * SW_DAY_S)

static const struct schema {
	const char *ds[RRD_MAX_VALS];
	unsigned int nds;
	bool hw;
	/*
	 * Files of an older scanwatch with only the first min_nds data sources are written
	 * those; 0: the same as nds.
	 */
	unsigned int min_nds;
	/*
	 * The values are maxima, not counts: two parts of one interval (a daemon stopped in
	 * its middle and the next one) make a row of the larger, not of their sum.
	 */
	bool maxima;
} schemas[RRD_NSCHEMAS] = {
	[RRD_SCH_KINDS] = { { "acc_scan", "acc_backscatter", "acc_other", "src_scan",
			      "src_backscatter", "src_other" },
			    6,
			    true },
	[RRD_SCH_AREA] = { { "acc", "src" }, 2, false },
	[RRD_SCH_FP] = { { "acc" }, 1, false },
	/* lost_sources came with --max-day-pairs. */
	[RRD_SCH_OVERFLOW] = { { "dropped", "lost_sources" }, 2, false, 1 },
	/*
	 * A file of its own, made when first written, so that files made before it need nothing
	 * added; its MAX archives keep the busiest second of every 5 minutes, hour and day.
	 */
	[RRD_SCH_PEAK] = { { "peak" }, 1, false, 0, true },
};

unsigned int rrd_schema_nds(enum rrd_schema s)
{
	return schemas[s].nds;
}

const char *rrd_schema_ds(enum rrd_schema s, unsigned int i)
{
	return i < schemas[s].nds ? schemas[s].ds[i] : NULL;
}

static uint64_t div_up(uint64_t a, uint64_t b)
{
	return (a + b - 1) / b;
}

/* The consolidated archives of a step: steps per row and rows, finest first. */
struct archive_plan {
	uint64_t pdp[4], rows[4];
	int n;
};

static void plan_archives(unsigned int step_s, struct archive_plan *a)
{
	/* Resolution and how long to keep it; resolution 0 is the step itself. */
	static const struct {
		uint64_t res_s, span_s;
	} archives[] = {
		{ 0, 2 * SW_DAY_S },
		{ 300, 14 * SW_DAY_S },
		{ 3600, 90 * SW_DAY_S },
		{ SW_DAY_S, 1827 * SW_DAY_S }, /* 5 years and their leap days */
	};
	/*
	 * Steps under a minute are for tests and labs: two days of them, and a day-long season, would
	 * make every file tens of megabytes (80 MB at 1 s). They get a 60-s file's row count instead
	 * and no Holt-Winters archives.
	 */
	bool short_step = step_s < 60;

	a->n = 0;
	for (size_t i = 0; i < sizeof(archives) / sizeof(archives[0]); i++) {
		/* The nearest whole number of steps; a resolution finer than the step is the step. */
		uint64_t p = archives[i].res_s ? (archives[i].res_s + step_s / 2) / step_s : 1;
		uint64_t r;

		if (p < 1)
			p = 1;
		r = div_up(archives[i].span_s, p * step_s);
		if (i == 0 && short_step)
			r = div_up(archives[0].span_s, 60);
		if (a->n && a->pdp[a->n - 1] == p) {
			if (r > a->rows[a->n - 1])
				a->rows[a->n - 1] = r;
			continue;
		}
		a->pdp[a->n] = p;
		a->rows[a->n++] = r;
	}
}

size_t rrd_step_rows(unsigned int step_s)
{
	struct archive_plan a;

	plan_archives(step_s, &a);
	return (size_t)a.rows[0];
}

int rrd_schema_args(enum rrd_schema s, unsigned int step_s, char bufs[][64], const char **argv)
{
	struct archive_plan a;
	int n = 0;
	bool short_step = step_s < 60;

	plan_archives(step_s, &a);
	for (unsigned int i = 0; i < schemas[s].nds; i++, n++) {
		snprintf(bufs[n], 64, "DS:%s:GAUGE:%u:0:U", schemas[s].ds[i], 2 * step_s);
		argv[n] = bufs[n];
	}
	for (int i = 0; i < a.n; i++) {
		snprintf(bufs[n], 64, "RRA:AVERAGE:0.5:%" PRIu64 ":%" PRIu64, a.pdp[i], a.rows[i]);
		argv[n] = bufs[n];
		n++;
		snprintf(bufs[n], 64, "RRA:MAX:0.5:%" PRIu64 ":%" PRIu64, a.pdp[i], a.rows[i]);
		argv[n] = bufs[n];
		n++;
	}
	if (schemas[s].hw && !short_step) {
		uint64_t period = (SW_DAY_S + step_s / 2) / step_s;
		uint64_t hw_rows = div_up(HW_PREDICT_S, step_s);
		uint64_t fail_rows = div_up(HW_FAILURES_S, step_s);
		double alpha = 1 - pow(1 - HW_ALPHA_5MIN, step_s / 300.0);
		double beta = 1 - pow(1 - HW_BETA_5MIN, step_s / 300.0);
		int hw = 2 * a.n + 1; /* 1-based index of HWPREDICT; the rest follow it */

		snprintf(bufs[n], 64, "RRA:HWPREDICT:%" PRIu64 ":%.6g:%.6g:%" PRIu64 ":%d", hw_rows,
			 alpha, beta, period, hw + 1);
		snprintf(bufs[n + 1], 64, "RRA:SEASONAL:%" PRIu64 ":%g:%d", period, HW_GAMMA, hw);
		snprintf(bufs[n + 2], 64, "RRA:DEVSEASONAL:%" PRIu64 ":%g:%d", period, HW_GAMMA,
			 hw);
		snprintf(bufs[n + 3], 64, "RRA:DEVPREDICT:%" PRIu64 ":%d", hw_rows, hw + 2);
		snprintf(bufs[n + 4], 64, "RRA:FAILURES:%" PRIu64 ":%d:%d:%d", fail_rows,
			 HW_THRESHOLD, HW_WINDOW, hw + 2);
		for (int i = 0; i < 5; i++, n++)
			argv[n] = bufs[n];
	}
	return n;
}

static int add_file(struct rrdstore *rs, const char *rel, enum rrd_schema s)
{
	size_t fcap = rs->fcap, scap = rs->fcap;
	struct rrd_file *f;

	/* A row of scratch per file: both grow together, and fcap is what both hold. */
	if (SW_GROW(rs->files, fcap, rs->nfiles + 1, 64) ||
	    sw_grow(&rs->scratch, &scap, rs->nfiles + 1, RRD_MAX_VALS * sizeof(*rs->scratch), 64))
		return -ENOMEM;
	rs->fcap = fcap;
	f = &rs->files[rs->nfiles];
	memset(f, 0, sizeof(*f));
	snprintf(f->rel, sizeof(f->rel), "%s", rel);
	f->schema = s;
	f->nds = schemas[s].nds;
	return (int)rs->nfiles++;
}

static int find_file(const struct rrdstore *rs, const char *rel)
{
	for (size_t i = 0; i < rs->nfiles; i++)
		if (!strcmp(rs->files[i].rel, rel))
			return (int)i;
	return -1;
}

static int keymap_find(const struct rrdstore *rs, uint32_t fkey)
{
	size_t lo = 0, hi = rs->nkeymap;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (rs->keymap[mid].fkey == fkey)
			return rs->keymap[mid].file;
		if (rs->keymap[mid].fkey < fkey)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* A key file that gets a row every interval from now on. */
static int add_key_file(struct rrdstore *rs, uint32_t fkey)
{
	char name[16], rel[48];
	size_t pos = 0;
	int fi;

	if (keymap_find(rs, fkey) >= 0)
		return 0;
	if (SW_GROW(rs->keymap, rs->keymap_cap, rs->nkeymap + 1, 64))
		return -ENOMEM;
	sw_fkey_file(fkey, name);
	snprintf(rel, sizeof(rel), "keys/%s.rrd", name);
	fi = find_file(rs, rel);
	if (fi < 0)
		fi = add_file(rs, rel, RRD_SCH_KINDS);
	if (fi < 0)
		return fi;
	while (pos < rs->nkeymap && rs->keymap[pos].fkey < fkey)
		pos++;
	memmove(&rs->keymap[pos + 1], &rs->keymap[pos], (rs->nkeymap - pos) * sizeof(*rs->keymap));
	rs->keymap[pos].fkey = fkey;
	rs->keymap[pos].file = fi;
	rs->nkeymap++;
	rs->files[fi].fed = true;
	rs->files[fi].queue_only = false;
	return 0;
}

static void area_rel(int area, char rel[48])
{
	char cc[3];

	sw_area_name(area, cc);
	if (area == SW_AREA_UNKNOWN)
		snprintf(rel, 48, "areas/unknown.rrd");
	else
		snprintf(rel, 48, "areas/%s.rrd", cc);
}

static int add_area_file(struct rrdstore *rs, int area)
{
	char rel[48];
	int fi;

	if (rs->area_file[area] >= 0)
		return 0;
	area_rel(area, rel);
	fi = find_file(rs, rel);
	if (fi < 0)
		fi = add_file(rs, rel, RRD_SCH_AREA);
	if (fi < 0)
		return fi;
	rs->area_file[area] = fi;
	rs->files[fi].fed = true;
	rs->files[fi].queue_only = false;
	return 0;
}

/*
 * A key or area file named as rrdstore names them (keys/tcp_445.rrd, areas/JP.rrd,
 * areas/unknown.rrd), nothing else: a queue line cannot make a name of its own.
 */
static bool queue_rel_ok(const char *rel, enum rrd_schema *s)
{
	char name[48], back[16];
	size_t len = strlen(rel);
	uint32_t fkey;

	if (len >= sizeof(name) || len < 5 || strcmp(rel + len - 4, ".rrd"))
		return false;
	if (!strncmp(rel, "keys/", 5) && len - 9 < sizeof(back)) {
		char *us;

		snprintf(name, sizeof(name), "%.*s", (int)(len - 9), rel + 5);
		us = strchr(name, '_');
		if (us)
			*us = '/';
		if (sw_fkey_parse(name, &fkey))
			return false;
		sw_fkey_file(fkey, back);
		*s = RRD_SCH_KINDS;
		return strlen(back) == len - 9 && !strncmp(back, rel + 5, len - 9);
	}
	if (!strncmp(rel, "areas/", 6)) {
		snprintf(name, sizeof(name), "%.*s", (int)(len - 10), rel + 6);
		*s = RRD_SCH_AREA;
		return !strcmp(name, "unknown") || sw_area_index(name) != SW_AREA_UNKNOWN;
	}
	return false;
}

/*
 * The file a queued row names, for rows a stopped process left. One this configuration does not
 * have (a key of another --keys list, say) is written only if it exists: rrd-queue never makes
 * a file.
 */
static int file_for_rel(struct rrdstore *rs, const char *rel)
{
	enum rrd_schema s;
	int fi = find_file(rs, rel);

	if (fi >= 0)
		return fi;
	if (!queue_rel_ok(rel, &s))
		return -EINVAL;
	fi = add_file(rs, rel, s);
	if (fi >= 0)
		rs->files[fi].queue_only = true;
	return fi;
}

/* Where a local file is: its folder's descriptor and its name there. */
static void file_at(const struct rrdstore *rs, const struct rrd_file *f, struct rrdio_at *at)
{
	static const char *const prefix[RRD_NDIRS] = { "", "keys/", "areas/", "fingerprints/" };

	at->dfd = rs->dir_fd[RRD_DIR_POINT];
	at->base = f->rel;
	for (int d = 1; d < RRD_NDIRS; d++)
		if (!strncmp(f->rel, prefix[d], strlen(prefix[d]))) {
			at->dfd = rs->dir_fd[d];
			at->base = f->rel + strlen(prefix[d]);
		}
}

static void queue_pop(struct rrd_file *f, size_t n)
{
	memmove(f->q, f->q + n, (f->nq - n) * sizeof(*f->q));
	f->nq -= n;
}

/* Rows at or before the file's last update cannot be written any more. */
static void drop_written(struct rrdstore *rs, struct rrd_file *f)
{
	size_t n = 0;

	while (n < f->nq && f->q[n].end_s <= f->last_s)
		n++;
	if (n) {
		rs->rows_late += n;
		queue_pop(f, n);
	}
}

static int queue_push(struct rrdstore *rs, struct rrd_file *f, uint64_t end_s, const uint64_t *v)
{
	struct rrd_row *tail = f->nq ? &f->q[f->nq - 1] : NULL;

	if (f->foreign)
		return 0;
	if (tail && tail->end_s == end_s) {
		/* The rest of an interval whose first part is still queued: add it up. */
		for (int i = 0; i < RRD_MAX_VALS; i++)
			if (!schemas[f->schema].maxima)
				tail->v[i] += v[i];
			else if (v[i] > tail->v[i])
				tail->v[i] = v[i];
		return 0;
	}
	if ((f->checked && end_s <= f->last_s) || (tail && end_s < tail->end_s)) {
		rs->rows_late++;
		return 0;
	}
	if (f->nq == rs->max_rows) {
		queue_pop(f, 1);
		rs->rows_dropped++;
	}
	if (f->nq == f->qcap) {
		/* Doubling, but never past the rows a queue may hold. */
		size_t ncap = f->qcap ? f->qcap * 2 : 4;

		if (ncap > rs->max_rows)
			ncap = rs->max_rows;
		if (SW_RESIZE(f->q, ncap))
			return -ENOMEM;
		f->qcap = ncap;
	}
	f->q[f->nq].end_s = end_s;
	memcpy(f->q[f->nq].v, v, sizeof(f->q[0].v));
	f->nq++;
	return 0;
}

size_t rrdstore_queued(const struct rrdstore *rs)
{
	size_t n = 0;

	for (size_t i = 0; i < rs->nfiles; i++)
		n += rs->files[i].nq;
	return n;
}

static int file_name(const struct rrdstore *rs, const struct rrd_file *f, char *buf, size_t len)
{
	return rrdio_name(&rs->io, rs->data_dir, rs->point, f->rel, buf, len);
}

static void describe_ds(const struct rrdio_meta *m, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < m->nds && o < len; i++)
		o += snprintf(buf + o, len - o, "%s%s %s", i ? ", " : "", m->ds[i], m->type[i]);
}

static int check_file(struct rrdstore *rs, struct rrd_file *f, const char *name)
{
	const struct schema *s = &schemas[f->schema];
	struct rrdio_meta m;
	bool ok;
	int err = rrdio_info(&rs->io, name, &m);

	if (err == -ENOENT) {
		f->checked = true;
		f->exists = false;
		f->last_s = 0;
		return 0;
	}
	if (err) {
		snprintf(rs->errmsg, sizeof(rs->errmsg), "%s", rs->io.errmsg);
		return err;
	}
	ok = m.step_s == rs->step_s &&
	     (m.nds == s->nds || (s->min_nds && m.nds >= s->min_nds && m.nds < s->nds));
	for (unsigned int i = 0; ok && i < m.nds; i++)
		ok = !strcmp(m.ds[i], s->ds[i]) && !strcmp(m.type[i], "GAUGE");
	if (!ok) {
		char have[256], want[256];
		size_t o = 0;

		describe_ds(&m, have, sizeof(have));
		for (unsigned int i = 0; i < s->nds; i++)
			o += snprintf(want + o, sizeof(want) - o, "%s%s GAUGE", i ? ", " : "",
				      s->ds[i]);
		snprintf(rs->errmsg, sizeof(rs->errmsg),
			 "%s was not made by scanwatch for this interval: it has data sources %s "
			 "and a step of %lu s; scanwatch writes %s every %u s there (move the file "
			 "away or use another --data-dir)",
			 name, have[0] ? have : "(none)", m.step_s, want, rs->step_s);
		f->foreign = true;
		rs->rows_dropped += f->nq;
		f->nq = 0;
		return -EINVAL;
	}
	if (m.nds < s->nds && f->nds == s->nds) {
		char add[256];
		size_t o = 0;

		for (unsigned int i = m.nds; i < s->nds; i++)
			o += snprintf(add + o, sizeof(add) - o, " DS:%s:GAUGE:%u:0:U", s->ds[i],
				      2 * rs->step_s);
		sw_warn("point %s: %s was made by an older scanwatch: only its first %u data "
			"sources are written (the daily summaries have the rest); 'rrdtool tune %s%s' "
			"adds the others",
			rs->point, name, m.nds, name, add);
	}
	f->nds = m.nds;
	f->checked = true;
	f->exists = true;
	f->last_s = (uint64_t)m.last_s;
	return 0;
}

static int create_file(struct rrdstore *rs, struct rrd_file *f, const char *name, uint64_t last_up)
{
	char bufs[RRD_MAX_ARGS][64];
	const char *argv[RRD_MAX_ARGS];
	int argc = rrd_schema_args(f->schema, rs->step_s, bufs, argv);
	struct rrdio_at at;
	int err;

	file_at(rs, f, &at);
	err = rrdio_create(&rs->io, name, &at, rs->step_s, (time_t)last_up, argc, argv);

	if (err) {
		snprintf(rs->errmsg, sizeof(rs->errmsg), "%s", rs->io.errmsg);
		/* Someone made it between our look and our create: look again next time. */
		if (err == -EEXIST)
			f->checked = false;
		return err;
	}
	f->exists = true;
	f->nds = schemas[f->schema].nds;
	f->last_s = last_up;
	return 0;
}

/* A row of the values v, or of fill in every data source when v is NULL (fill is then given). */
static int fmt_row(char *buf, uint64_t t, unsigned int nds, const uint64_t *v, const char *fill)
{
	int o = snprintf(buf, ROW_LEN, "%" PRIu64, t);

	for (unsigned int i = 0; i < nds; i++) {
		if (v)
			o += snprintf(buf + o, ROW_LEN - o, ":%" PRIu64, v[i]);
		else
			// cppcheck-suppress nullPointer ; fill is given whenever v is NULL
			o += snprintf(buf + o, ROW_LEN - o, ":%s", fill);
	}
	return o;
}

/* Writes a file's queued rows that ended by upto_s, with whatever gap lies before each. */
static int flush_file(struct rrdstore *rs, struct rrd_file *f, uint64_t upto_s)
{
	char name[PATH_MAX], bufs[CHUNK_ROWS][ROW_LEN];
	const char *argv[CHUNK_ROWS];
	struct rrdio_at at;
	uint64_t step = rs->step_s, prev;
	unsigned int nds;
	size_t budget, bytes = 0, done = 0, sent = 0;
	int n = 0, err;

	if (f->foreign)
		return 0;
	err = file_name(rs, f, name, sizeof(name));
	if (err) {
		snprintf(rs->errmsg, sizeof(rs->errmsg), "RRD file name too long: %s/%s/%s",
			 rs->data_dir, rs->point, f->rel);
		return err;
	}
	if (!f->checked && (err = check_file(rs, f, name)))
		return err;
	drop_written(rs, f);
	nds = f->nds;
	if (!f->nq || f->q[0].end_s > upto_s)
		return 0;
	if (!f->exists && f->queue_only) {
		rs->rows_dropped += f->nq;
		f->nq = 0;
		return 0;
	}
	/* A new file starts with its first row: nothing before it is known. */
	if (!f->exists && (err = create_file(rs, f, name, f->q[0].end_s - step)))
		return err;
	budget = rs->io.daemon ? RRDC_CMD_MAX - 32 - strlen(name) : SIZE_MAX;
	file_at(rs, f, &at);
	prev = f->last_s;
	while (done < f->nq && f->q[done].end_s <= upto_s) {
		const struct rrd_row *r = &f->q[done];
		uint64_t start = r->end_s - step;
		int len;

		if (prev < start && prev >= rs->since_s && (start - prev) / step <= rs->step_rows) {
			/* This process was watching: the intervals it was not given had nothing. */
			static const uint64_t zeros[RRD_MAX_VALS];

			prev = (prev / step + 1) * step;
			len = fmt_row(bufs[n], prev, nds, zeros, NULL);
		} else if (prev < start) {
			/*
			 * Nobody watched: unknown, whatever the heartbeat would have made of it. So
			 * is an idle gap longer than the archive of every step (a capture whose clock
			 * jumps years): one update, not a row per step.
			 */
			prev = start;
			len = fmt_row(bufs[n], prev, nds, NULL, "U");
		} else {
			prev = r->end_s;
			len = fmt_row(bufs[n], prev, nds, r->v, NULL);
			done++;
		}
		argv[n] = bufs[n];
		bytes += len + 1;
		if (++n < CHUNK_ROWS && bytes + ROW_LEN < budget && done < f->nq &&
		    f->q[done].end_s <= upto_s)
			continue;
		sw_debug("point %s: %s: %d rows, %s .. %s", rs->point, f->rel, n, argv[0],
			 argv[n - 1]);
		err = rrdio_update(&rs->io, name, &at, n, argv);
		if (err) {
			struct rrdio_meta m;

			snprintf(rs->errmsg, sizeof(rs->errmsg), "%s", rs->io.errmsg);
			/* Refused rather than unreachable: learn how far the file got. */
			if (err != -ENOTCONN) {
				int e = rrdio_info(&rs->io, name, &m);

				if (!e)
					f->last_s = (uint64_t)m.last_s;
				else
					f->checked = false;
			}
			/* Only rows of the chunks that went through are gone from the queue. */
			queue_pop(f, sent);
			drop_written(rs, f);
			return err;
		}
		f->last_s = prev;
		sent = done;
		n = 0;
		bytes = 0;
	}
	queue_pop(f, done);
	return 0;
}

/*
 * Reported when it starts, not at every interval while it lasts (a clock stepped back an hour
 * makes an hour of intervals late), and summed up when a flush has none any more.
 */
static void report_lost_rows(struct rrdstore *rs)
{
	if (rs->rows_late && !rs->late_run)
		sw_warn("point %s: %" PRIu64 " RRD rows were for times the files already hold and "
			"were not written (the daily summary has their counts; reported again when "
			"rows are on time)",
			rs->point, rs->rows_late);
	else if (!rs->rows_late && rs->late_run)
		sw_info("point %s: RRD rows are on time again; %" PRIu64 " were not written in all",
			rs->point, rs->late_run);
	rs->late_run = rs->rows_late ? rs->late_run + rs->rows_late : 0;
	if (rs->rows_dropped && !rs->dropped_run)
		sw_warn("point %s: %" PRIu64 " RRD rows were dropped: the queue of unwritten rows "
			"is full (%zu per file), or their file is not scanwatch's, or rrd-queue names a "
			"file that does not exist (reported again when none is)",
			rs->point, rs->rows_dropped, rs->max_rows);
	else if (!rs->rows_dropped && rs->dropped_run)
		sw_info("point %s: no more RRD rows dropped; %" PRIu64 " were in all", rs->point,
			rs->dropped_run);
	rs->dropped_run = rs->rows_dropped ? rs->dropped_run + rs->rows_dropped : 0;
	rs->rows_late = rs->rows_dropped = 0;
}

int rrdstore_flush(struct rrdstore *rs, uint64_t upto_s)
{
	char first[sizeof(rs->errmsg)];
	int err = 0, nfail = 0;

	if (rrdstore_queued(rs) && rrdio_reconnect(&rs->io)) {
		snprintf(rs->errmsg, sizeof(rs->errmsg), "%s; %zu RRD rows kept for the next try",
			 rs->io.errmsg, rrdstore_queued(rs));
		report_lost_rows(rs);
		return -ENOTCONN;
	}
	for (size_t i = 0; i < rs->nfiles; i++) {
		int e;

		if (!rs->files[i].nq)
			continue;
		e = flush_file(rs, &rs->files[i], upto_s);
		if (!e)
			continue;
		if (!nfail++) {
			err = e;
			snprintf(first, sizeof(first), "%s", rs->errmsg);
		}
		if (e == -ENOTCONN)
			break;
	}
	if (err) {
		size_t q = rrdstore_queued(rs);

		if (nfail > 1)
			snprintf(rs->errmsg, sizeof(rs->errmsg),
				 "%s (and %d more files); %zu RRD rows kept for the next try",
				 first, nfail - 1, q);
		else
			snprintf(rs->errmsg, sizeof(rs->errmsg),
				 "%s; %zu RRD rows kept for the next try", first, q);
	}
	report_lost_rows(rs);
	return err;
}

int rrdstore_add(struct rrdstore *rs, uint64_t start_s, const struct tally *iv,
		 const struct tally *day)
{
	uint32_t top[SW_TOP_N];
	uint64_t end_s = start_s + rs->step_s;
	int n, err = 0;
	char date[11];
	time_t t = (time_t)start_s;
	struct tm tm;

	if (start_s % rs->step_s) {
		snprintf(rs->errmsg, sizeof(rs->errmsg),
			 "interval start %" PRIu64 " is not a multiple of the step (%u s)", start_s,
			 rs->step_s);
		return -EINVAL;
	}
	if (!rs->since_s)
		rs->since_s = start_s;
	sw_debug("point %s: RRD rows of the interval from %" PRIu64 " (written up to %" PRIu64 ")",
		 rs->point, start_s, rs->files[rs->totals].last_s);
	localtime_r(&t, &tm);
	strftime(date, sizeof(date), "%Y-%m-%d", &tm);

	n = day ? tracked_top(day, SW_TOP_N, SW_PROMOTE_MIN, top) : 0;
	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		char name[16];

		if (keymap_find(rs, top[i]) >= 0)
			continue;
		if ((err = add_key_file(rs, top[i])) ||
		    (err = tracked_add_key(&rs->tracked, top[i], date)))
			return err;
		rs->tracked_dirty = true;
		sw_fkey_str(top[i], name);
		sw_info("point %s: %s entered the day's top %d: it has an RRD file from now on",
			rs->point, name, SW_TOP_N);
	}
	for (int a = 0; a < SW_NAREAS; a++) {
		if ((!iv->area_accesses[a] && !iv->area_sources[a]) || rs->area_file[a] >= 0)
			continue;
		if ((err = add_area_file(rs, a)))
			return err;
		snprintf(rs->tracked.area_since[a], sizeof(rs->tracked.area_since[a]), "%s", date);
		rs->tracked_dirty = true;
	}

	memset(rs->scratch, 0, rs->nfiles * RRD_MAX_VALS * sizeof(*rs->scratch));
	for (size_t i = 0; i < iv->nkeys; i++) {
		const struct tally_key *k = &iv->keys[i];
		uint64_t *tot = &rs->scratch[rs->totals * RRD_MAX_VALS];
		int kind = k->key.kind, fi;

		if (kind >= SW_NKINDS)
			continue;
		tot[kind] += k->accesses;
		tot[SW_NKINDS + kind] += k->sources;
		fi = keymap_find(rs, sw_fkey(&k->key));
		if (fi >= 0) {
			rs->scratch[fi * RRD_MAX_VALS + kind] += k->accesses;
			rs->scratch[fi * RRD_MAX_VALS + SW_NKINDS + kind] += k->sources;
		}
		for (int f = 0; f < SW_NFPS; f++)
			rs->scratch[rs->fp[f] * RRD_MAX_VALS] += k->fp[f];
	}
	rs->scratch[rs->overflow * RRD_MAX_VALS] = tally_dropped(iv);
	rs->scratch[rs->overflow * RRD_MAX_VALS + 1] = iv->lost_sources;
	rs->scratch[rs->peak * RRD_MAX_VALS] = iv->peak;
	for (int a = 0; a < SW_NAREAS; a++) {
		int fi = rs->area_file[a];

		if (fi < 0)
			continue;
		rs->scratch[fi * RRD_MAX_VALS] = iv->area_accesses[a];
		rs->scratch[fi * RRD_MAX_VALS + 1] = iv->area_sources[a];
	}
	/* Every file fed by this process gets a row, zeros included: idle is not unknown. */
	for (size_t i = 0; i < rs->nfiles; i++) {
		if (!rs->files[i].fed)
			continue;
		err = queue_push(rs, &rs->files[i], end_s, &rs->scratch[i * RRD_MAX_VALS]);
		if (err)
			return err;
	}
	if (rs->tracked_dirty) {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/" TRACKED_FILE, rs->dir);
		err = tracked_save(&rs->tracked, path);
		if (err) {
			snprintf(rs->errmsg, sizeof(rs->errmsg), "cannot write %s: %s", path,
				 strerror(-err));
			return err;
		}
		rs->tracked_dirty = false;
	}
	return 0;
}

int rrdstore_interval(struct rrdstore *rs, uint64_t start_s, const struct tally *iv,
		      const struct tally *day, uint64_t upto_s)
{
	char first[sizeof(rs->errmsg)];
	int err = rrdstore_add(rs, start_s, iv, day);
	int ferr;

	if (err == -ENOMEM)
		snprintf(rs->errmsg, sizeof(rs->errmsg), "out of memory for RRD rows");
	if (err)
		snprintf(first, sizeof(first), "%s", rs->errmsg);
	ferr = rrdstore_flush(rs, upto_s);
	if (err) {
		snprintf(rs->errmsg, sizeof(rs->errmsg), "%s", first);
		return err;
	}
	return ferr;
}

static int queue_path(const struct rrdstore *rs, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/" QUEUE_FILE, rs->dir);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* A queued row has a value per data source: fewer when an older scanwatch saved it. */
static bool row_width_ok(const struct schema *s, unsigned int nvals)
{
	return nvals == s->nds || (s->min_nds && nvals >= s->min_nds && nvals < s->nds);
}

static int load_queue(struct rrdstore *rs)
{
	char path[PATH_MAX], line[1024];
	unsigned int lineno = 0, late = 0, late_line = 0;
	uint64_t late_end = 0;
	FILE *f;
	int err = 0;

	if (queue_path(rs, path, sizeof(path)))
		return -ENAMETOOLONG;
	f = sf_fopen_path(path, "r", 0, &err);
	if (!f) {
		if (err == -ENOENT)
			return 0;
		snprintf(rs->errmsg, sizeof(rs->errmsg), "cannot read %s: %s", path,
			 sf_strerror(err));
		return err == -ELOOP || err == -SF_ENOTREG ? -EINVAL : err;
	}
	while (!err && fgets(line, sizeof(line), f)) {
		char *w[2 + RRD_MAX_VALS + 1], *save = NULL;
		uint64_t v[RRD_MAX_VALS] = { 0 }, end;
		unsigned int step, nw = 0;
		int fi;

		lineno++;
		for (char *tok = strtok_r(line, " \t\r\n", &save); tok && nw < 2 + RRD_MAX_VALS + 1;
		     tok = strtok_r(NULL, " \t\r\n", &save))
			w[nw++] = tok;
		if (!nw || w[0][0] == '#')
			continue;
		err = -EINVAL;
		if (!strcmp(w[0], "step") && nw == 2 && !parse_uint(w[1], 1, 86400, &step)) {
			if (step != rs->step_s) {
				snprintf(rs->errmsg, sizeof(rs->errmsg),
					 "%s holds rows of %u-second intervals, not %u: use "
					 "--interval %u once to write them, or remove it",
					 path, step, rs->step_s, step);
				break;
			}
			err = 0;
		} else if (!strcmp(w[0], "row") && nw >= 3 && (fi = file_for_rel(rs, w[1])) >= 0 &&
			   row_width_ok(&schemas[rs->files[fi].schema], nw - 3) &&
			   !parse_u64(w[2], 1, UINT64_MAX, &end) && end % rs->step_s == 0) {
			err = 0;
			/* A number out of range is a line we did not write, like any other. */
			for (unsigned int i = 0; !err && i + 3 < nw; i++)
				err = parse_u64(w[3 + i], 0, UINT64_MAX, &v[i]) ? -EINVAL : 0;
			/* Written, it would make every row of the clock's own time too late. */
			if (!err && rs->queue_until_s && end > rs->queue_until_s) {
				if (!late++) {
					late_line = lineno;
					late_end = end;
				}
				continue;
			}
			if (!err)
				err = queue_push(rs, &rs->files[fi], end, v);
		}
		if (err == -EINVAL)
			snprintf(rs->errmsg, sizeof(rs->errmsg),
				 "%s:%u: not a row scanwatch wrote (remove the file to go on; its "
				 "rows are in the daily summaries)",
				 path, lineno);
	}
	fclose(f);
	if (!err && late) {
		char when[32];
		time_t t = (time_t)late_end;
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%MZ", &tm);
		sw_warn("point %s: %s: %u rows end after the clock (the first, line %u, at %s) and are "
			"not written: their counts are in the daily summaries",
			rs->point, path, late, late_line, when);
	}
	return err;
}

static int save_queue(struct rrdstore *rs)
{
	struct atomic_file af;
	char path[PATH_MAX];
	FILE *f;
	int err = 0;

	if (queue_path(rs, path, sizeof(path)))
		return -ENAMETOOLONG;
	if (!rrdstore_queued(rs)) {
		if (unlink(path) && errno != ENOENT)
			err = -errno;
		goto out;
	}
	err = atomic_file_open(&af, path, SW_MODE_FILE);
	if (err)
		goto out;
	f = af.f;
	fprintf(f,
		"# scanwatch: RRD rows not yet written, added to by the next run (README.md, "
		"\"RRD files\")\nstep %u\n",
		rs->step_s);
	for (size_t i = 0; i < rs->nfiles; i++) {
		const struct rrd_file *rf = &rs->files[i];

		for (size_t r = 0; r < rf->nq; r++) {
			fprintf(f, "row %s %" PRIu64, rf->rel, rf->q[r].end_s);
			for (unsigned int d = 0; d < schemas[rf->schema].nds; d++)
				fprintf(f, " %" PRIu64, rf->q[r].v[d]);
			fputc('\n', f);
		}
	}
	err = atomic_file_commit(&af);
out:
	if (err)
		snprintf(rs->errmsg, sizeof(rs->errmsg),
			 "cannot save %zu unwritten RRD rows to %s: %s", rrdstore_queued(rs), path,
			 strerror(-err));
	return err;
}

static void free_all(struct rrdstore *rs)
{
	for (size_t i = 0; i < rs->nfiles; i++)
		free(rs->files[i].q);
	free(rs->files);
	free(rs->scratch);
	free(rs->keymap);
	tracked_free(&rs->tracked);
	rrdio_close(&rs->io);
	for (int d = 0; d < RRD_NDIRS; d++) {
		if (rs->dir_fd[d] >= 0)
			close(rs->dir_fd[d]);
		rs->dir_fd[d] = -1;
	}
	rs->files = NULL;
	rs->scratch = NULL;
	rs->keymap = NULL;
	rs->nfiles = rs->fcap = rs->nkeymap = rs->keymap_cap = 0;
}

int rrdstore_close(struct rrdstore *rs)
{
	int err = save_queue(rs);

	if (rs->tracked_dirty) {
		char path[PATH_MAX];
		int e;

		snprintf(path, sizeof(path), "%s/" TRACKED_FILE, rs->dir);
		e = tracked_save(&rs->tracked, path);
		if (e && !err) {
			snprintf(rs->errmsg, sizeof(rs->errmsg), "cannot write %s: %s", path,
				 strerror(-e));
			err = e;
		}
	}

	free_all(rs);
	return err;
}

/* Files of the configuration: the fixed ones and the keys and areas tracked so far. */
static int add_files(struct rrdstore *rs, const struct key_list *keys)
{
	struct key_list defaults = { 0 };
	int err = 0;

	rs->totals = add_file(rs, "totals.rrd", RRD_SCH_KINDS);
	rs->overflow = add_file(rs, "overflow.rrd", RRD_SCH_OVERFLOW);
	rs->peak = add_file(rs, "peak.rrd", RRD_SCH_PEAK);
	if (rs->totals < 0 || rs->overflow < 0 || rs->peak < 0)
		return -ENOMEM;
	rs->files[rs->totals].fed = rs->files[rs->overflow].fed = rs->files[rs->peak].fed = true;
	for (int f = 0; f < SW_NFPS; f++) {
		char rel[48];

		snprintf(rel, sizeof(rel), "fingerprints/%s.rrd", sw_fp_names[f]);
		rs->fp[f] = add_file(rs, rel, RRD_SCH_FP);
		if (rs->fp[f] < 0)
			return -ENOMEM;
		rs->files[rs->fp[f]].fed = true;
	}
	if (!keys) {
		err = key_list_defaults(&defaults);
		keys = &defaults;
	}
	for (size_t i = 0; !err && i < keys->n; i++)
		err = add_key_file(rs, keys->v[i]);
	for (size_t i = 0; !err && i < rs->tracked.nkeys; i++)
		err = add_key_file(rs, rs->tracked.keys[i].fkey);
	for (int a = 0; !err && a < SW_NAREAS; a++)
		if (rs->tracked.area_since[a][0])
			err = add_area_file(rs, a);
	key_list_free(&defaults);
	return err;
}

int rrdstore_open(struct rrdstore *rs, const struct rrdstore_config *cfg)
{
	static const char *const subs[RRD_NDIRS] = { NULL, "keys", "areas", "fingerprints" };
	char path[PATH_MAX + 16];
	int err, top;

	memset(rs, 0, sizeof(*rs));
	for (int d = 0; d < RRD_NDIRS; d++)
		rs->dir_fd[d] = -1;
	tracked_init(&rs->tracked);
	for (int a = 0; a < SW_NAREAS; a++)
		rs->area_file[a] = -1;
	rs->step_s = cfg->step_s;
	rs->since_s = cfg->since_s;
	rs->queue_until_s = cfg->queue_until_s;
	/* A day of rows at the default interval; shorter intervals keep fewer hours. */
	rs->max_rows = SW_DAY_S / 60;
	if (snprintf(rs->data_dir, sizeof(rs->data_dir), "%s", cfg->data_dir) >=
		    (int)sizeof(rs->data_dir) ||
	    snprintf(rs->point, sizeof(rs->point), "%s", cfg->point) >= (int)sizeof(rs->point) ||
	    snprintf(rs->dir, sizeof(rs->dir), "%s/%s", cfg->data_dir, cfg->point) >=
		    (int)sizeof(rs->dir)) {
		snprintf(rs->errmsg, sizeof(rs->errmsg), "data directory name too long: %s",
			 cfg->data_dir);
		return -ENAMETOOLONG;
	}
	if (!rs->step_s) {
		snprintf(rs->errmsg, sizeof(rs->errmsg), "the RRD step cannot be 0");
		return -EINVAL;
	}
	err = rrdio_open(&rs->io, cfg->daemon);
	if (err) {
		snprintf(rs->errmsg, sizeof(rs->errmsg), "%s", rs->io.errmsg);
		return err;
	}
	rs->step_rows = rrd_step_rows(rs->step_s);
	/*
	 * Local names are resolved here even through rrdcached's unix socket: make the folders,
	 * each opened without following a link and held (safe_file.h).
	 */
	snprintf(path, sizeof(path), "%s", rs->data_dir);
	top = sf_dir(AT_FDCWD, rs->data_dir, SW_MODE_DIR);
	err = top < 0 ? top : 0;
	if (!err) {
		snprintf(path, sizeof(path), "%s", rs->dir);
		rs->dir_fd[RRD_DIR_POINT] = sf_dir(top, rs->point, SW_MODE_DIR);
		err = rs->dir_fd[RRD_DIR_POINT] < 0 ? rs->dir_fd[RRD_DIR_POINT] : 0;
		close(top);
	}
	for (int d = 1; !err && d < RRD_NDIRS && !rs->io.remote; d++) {
		snprintf(path, sizeof(path), "%s/%s", rs->dir, subs[d]);
		rs->dir_fd[d] = sf_dir(rs->dir_fd[RRD_DIR_POINT], subs[d], SW_MODE_DIR);
		err = rs->dir_fd[d] < 0 ? rs->dir_fd[d] : 0;
	}
	if (err) {
		snprintf(rs->errmsg, sizeof(rs->errmsg), "cannot make %s: %s", path,
			 sf_strerror(err));
		goto fail;
	}
	if (rs->io.daemon && !rs->io.remote) {
		/*
		 * librrd sends names through a unix socket as realpath() makes them: use that name
		 * ourselves, so that a command's length is known before it is sent.
		 */
		char *real = realpath(cfg->data_dir, NULL);

		if (!real || snprintf(rs->data_dir, sizeof(rs->data_dir), "%s", real) >=
				     (int)sizeof(rs->data_dir)) {
			snprintf(rs->errmsg, sizeof(rs->errmsg), "cannot resolve %s",
				 cfg->data_dir);
			free(real);
			err = -ENAMETOOLONG;
			goto fail;
		}
		free(real);
	}
	snprintf(path, sizeof(path), "%s/" TRACKED_FILE, rs->dir);
	err = tracked_load(&rs->tracked, path, rs->errmsg, sizeof(rs->errmsg));
	if (!err)
		err = add_files(rs, cfg->keys);
	if (err == -ENOMEM)
		snprintf(rs->errmsg, sizeof(rs->errmsg), "out of memory");
	if (!err)
		err = load_queue(rs);
	for (size_t i = 0; !err && i < rs->nfiles; i++) {
		char name[PATH_MAX];

		err = file_name(rs, &rs->files[i], name, sizeof(name));
		if (err)
			snprintf(rs->errmsg, sizeof(rs->errmsg), "RRD file name too long in %s",
				 rs->dir);
		else
			err = check_file(rs, &rs->files[i], name);
	}
	if (!err)
		return 0;
fail:
	free_all(rs);
	return err;
}
