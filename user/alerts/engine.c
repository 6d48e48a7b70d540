// SPDX-License-Identifier: GPL-2.0-only
/*
 * The daemon's side of the alerts: judged as intervals are stored, per point, days as they
 * end and Holt-Winters failures as the archives show them.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "alerts.h"
#include "dates.h"
#include "daysrc.h"
#include "internal.h"
#include "log.h"
#include "rrdstore.h"

void alert_engine_init(struct alert_engine *e)
{
	memset(e, 0, sizeof(*e));
	alert_config_default(&e->cfg);
	e->timeout_s = ALERT_TIMEOUT_DEFAULT;
}

int alert_engine_open(struct alert_engine *e, const char *data_dir, uint64_t hw_every_s)
{
	e->data_dir = data_dir;
	e->hw_every_s = hw_every_s;
	return 0;
}

struct alert_point *alert_engine_point(struct alert_engine *e, const char *name,
				       struct rrdstore *rs)
{
	struct alert_point *p;
	char errmsg[512];

	if (e->npoints == sizeof(e->points) / sizeof(e->points[0]))
		return NULL;
	p = &e->points[e->npoints++];
	memset(p, 0, sizeof(*p));
	p->eng = e;
	p->rs = rs;
	snprintf(p->name, sizeof(p->name), "%s", name);
	/* Runs already logged (by a daemon before this one) are not raised again. */
	if (alerts_log_read(e->data_dir, name, &p->hw, errmsg, sizeof(errmsg)))
		sw_warn("point %s: %s", name, errmsg);
	return p;
}

/* Days [d0, d1] have ended: their trends, the weeks and months they close. */
static void judge_days(struct alert_point *p, int64_t d0, int64_t d1)
{
	struct alert_engine *e = p->eng;
	struct daysrc src = daysrc_files(e->data_dir);
	struct alert_list l = { 0 };
	char errmsg[512];
	int err;

	err = alerts_trends(&src, p->name, d0, d1, &e->cfg, &l, errmsg, sizeof(errmsg));
	for (int64_t d = d0; !err && d <= d1; d++) {
		int y, m, py, pm;
		int64_t mf, ml, bf, bl;

		if (sw_weekday(d) == 6)
			err = alerts_surges(&src, p->name, ALERT_SURGE_WEEK, d - 6, d, d - 13,
					    d - 7, &e->cfg, &l, errmsg, sizeof(errmsg));
		sw_month_of(d, &y, &m);
		sw_month_days(y, m, &mf, &ml);
		if (err || d != ml)
			continue;
		py = y;
		pm = m;
		sw_prev_month(&py, &pm);
		sw_month_days(py, pm, &bf, &bl);
		err = alerts_surges(&src, p->name, ALERT_SURGE_MONTH, mf, ml, bf, bl, &e->cfg, &l,
				    errmsg, sizeof(errmsg));
	}
	if (err)
		sw_warn("point %s: alerts of %" PRId64 " day(s) not judged: %s", p->name,
			d1 - d0 + 1, errmsg);
	alert_list_sort(&l);
	for (size_t i = 0; i < l.n; i++)
		alert_raise(e, &l.v[i]);
	alert_list_free(&l);
}

static int hw_step(const struct alert_point *p)
{
	return p->rs && p->rs->step_s ? (int)p->rs->step_s : 60;
}

static void check_hw(struct alert_point *p, uint64_t end_s)
{
	struct alert_engine *e = p->eng;
	struct alert_list scan = { 0 };
	int64_t from = p->hw_seen_s ? p->hw_seen_s : (int64_t)end_s - ALERT_HW_ARCHIVE_S;
	char first_row[ALERT_TIME_LEN], errmsg[512];
	int err = 0;

	if (!p->rs)
		return;
	/* The archive keeps a week: more (a capture's clock that jumps years) is rows nobody has. */
	if (from < (int64_t)end_s - ALERT_HW_ARCHIVE_S)
		from = (int64_t)end_s - ALERT_HW_ARCHIVE_S;
	alert_time_str(from, first_row);
	for (size_t i = 0; !err && i < p->rs->nfiles; i++) {
		const struct rrd_file *f = &p->rs->files[i];

		if (f->schema != RRD_SCH_KINDS || !f->exists)
			continue;
		err = alerts_hw_scan_file(&p->rs->io, e->data_dir, p->name, f->rel, from,
					  (int64_t)end_s, &scan, errmsg, sizeof(errmsg));
	}
	if (err) {
		sw_warn("point %s: Holt-Winters failures not read: %s", p->name, errmsg);
		alert_list_free(&scan);
		return;
	}
	for (size_t i = 0; i < scan.n; i++) {
		struct alert *s = &scan.v[i], *known = NULL;

		for (size_t j = 0; j < p->hw.n && !known; j++) {
			struct alert *k = &p->hw.v[j];

			/* The same run: it started then, or it goes on from the row seen last. */
			if (alert_same_series(k, s) &&
			    (!strcmp(k->from, s->from) || (k->open && !strcmp(s->from, first_row))))
				known = k;
		}
		if (!known) {
			if (!alert_list_add(&p->hw, s))
				alert_raise(e, s);
			continue;
		}
		if (strcmp(known->to, s->to) > 0)
			continue;
		snprintf(known->to, sizeof(known->to), "%s", s->to);
		if (known->open && !s->open) {
			known->open = false;
			if (!alerts_log_append(e->data_dir, known) && e->logged)
				e->logged(e->logged_ctx, known);
			sw_info("point %s: Holt-Winters failure of %s (%s) %s since %s ended at %s",
				p->name, known->key, sw_kind_names[known->key_kind],
				known->sources ? "sources" : "accesses", known->from, known->to);
		}
	}
	alert_list_free(&scan);
	/* Runs over a week old can no longer come back from the archive. */
	for (size_t j = 0; j < p->hw.n;) {
		if (!p->hw.v[j].open &&
		    alert_time_parse(p->hw.v[j].to) <
			    (int64_t)end_s - ALERT_HW_ARCHIVE_S - 2 * hw_step(p)) {
			p->hw.v[j] = p->hw.v[--p->hw.n];
			continue;
		}
		j++;
	}
	/* The last row is read again next time: a run that goes on is seen to go on. */
	p->hw_seen_s = (int64_t)end_s;
}

static void judge_until(struct alert_point *p, const char *date)
{
	int64_t d0, d1;

	if (p->last_date[0] && strcmp(date, p->last_date) > 0 && !sw_day_parse(p->last_date, &d0) &&
	    !sw_day_parse(date, &d1))
		judge_days(p, d0, d1 - 1);
	if (!p->last_date[0] || strcmp(date, p->last_date) > 0)
		snprintf(p->last_date, sizeof(p->last_date), "%s", date);
}

void alert_tick(struct alert_point *p, const char *date, uint64_t end_s)
{
	if (!p)
		return;
	alert_reap(p->eng);
	if (date && date[0])
		judge_until(p, date);
	if (end_s >= p->next_hw_s) {
		check_hw(p, end_s);
		p->next_hw_s = end_s + p->eng->hw_every_s;
	}
}

void alert_flush(struct alert_point *p, uint64_t end_s)
{
	char date[11];

	if (!p)
		return;
	/* Observation ended at end_s: a day that ended by then is judged now. */
	sw_date_of((time_t)end_s, date);
	judge_until(p, date);
	check_hw(p, end_s);
}

void alert_engine_close(struct alert_engine *e)
{
	for (size_t i = 0; i < e->nchildren; i++)
		waitpid(e->children[i], NULL, 0);
	e->nchildren = 0;
	for (size_t i = 0; i < e->npoints; i++)
		alert_list_free(&e->points[i].hw);
	alert_argv_free(e->argv);
	e->argv = NULL;
}
