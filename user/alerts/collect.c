// SPDX-License-Identifier: GPL-2.0-only
/*
 * Everything to say of some days: surges, trends and Holt-Winters failures, merged with the
 * alerts already logged so that a run is told once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts.h"
#include "daysrc.h"
#include "internal.h"
#include "rrdio.h"

void alert_config_default(struct alert_config *c)
{
	*c = (struct alert_config){ .surge_pct = ALERT_SURGE_PCT,
				    .surge_min = ALERT_SURGE_MIN,
				    .trend_score = ALERT_TREND_SCORE,
				    .trend_min = ALERT_TREND_MIN,
				    .trend_min_sources = ALERT_TREND_MIN_SOURCES,
				    .trend_days = ALERT_TREND_DAYS };
}

/* Runs seen in the archive and in the log are one when they overlap: the log may know the start. */
static int merge_hw(struct alert_list *out, const struct alert_list *scan)
{
	int err = 0;

	for (size_t i = 0; !err && i < scan->n; i++) {
		const struct alert *s = &scan->v[i];
		bool found = false;

		for (size_t j = 0; j < out->n && !found; j++) {
			struct alert *o = &out->v[j];

			if (!alert_same_series(o, s) || strcmp(o->from, s->to) > 0 ||
			    strcmp(s->from, o->to) > 0)
				continue;
			found = true;
			if (strcmp(s->to, o->to) >= 0) {
				snprintf(o->to, sizeof(o->to), "%s", s->to);
				o->open = s->open;
			}
			if (strcmp(s->from, o->from) < 0) {
				*o = *s;
			}
		}
		if (!found)
			err = alert_list_add(out, s);
	}
	return err;
}

static int collect_one(const struct daysrc *src, const char *point, int64_t from, int64_t to,
		       const struct alert_config *cfg, struct alert_list *out, char *errmsg,
		       size_t errlen)
{
	int y, m, ye, me, err = 0;
	int64_t mf, ml;

	/* Months that overlap the days: a month in progress is judged on its days so far. */
	sw_month_of(from, &y, &m);
	sw_month_of(to, &ye, &me);
	while (!err && (y < ye || (y == ye && m <= me))) {
		int py = y, pm = m;
		int64_t bf, bl;

		sw_month_days(y, m, &mf, &ml);
		sw_prev_month(&py, &pm);
		sw_month_days(py, pm, &bf, &bl);
		err = alerts_surges(src, point, ALERT_SURGE_MONTH, mf, ml, bf, bl, cfg, out, errmsg,
				    errlen);
		if (++m == 13) {
			m = 1;
			y++;
		}
	}
	/* ISO weeks, Monday to Sunday, that overlap the days. */
	for (int64_t mon = from - sw_weekday(from); !err && mon <= to; mon += 7)
		err = alerts_surges(src, point, ALERT_SURGE_WEEK, mon, mon + 6, mon - 7, mon - 1,
				    cfg, out, errmsg, errlen);
	if (!err)
		err = alerts_trends(src, point, from, to, cfg, out, errmsg, errlen);
	if (!err && point) {
		struct alert_list logged = { 0 }, scan = { 0 };
		int64_t t0 = from * SW_DAY_S, t1 = (to + 1) * SW_DAY_S;

		err = daysrc_alerts_log(src, point, &logged, errmsg, errlen);
		/* The archives are the sensors' files: the database has what their logs say. */
		if (!err && src->data_dir)
			err = alerts_hw_scan(NULL, src->data_dir, point, t0, t1, &scan, errmsg,
					     errlen);
		if (!err)
			err = merge_hw(&logged, &scan);
		for (size_t i = 0; !err && i < logged.n; i++) {
			int64_t s = alert_time_parse(logged.v[i].from),
				e = alert_time_parse(logged.v[i].to);

			/* Runs that overlap the days. */
			if (e >= t0 && s <= t1)
				err = alert_list_add(out, &logged.v[i]);
		}
		alert_list_free(&logged);
		alert_list_free(&scan);
	}
	return err;
}

int alerts_collect(const struct daysrc *src, char (*points)[SW_POINT_LEN], size_t npoints,
		   bool with_all, int64_t from, int64_t to, const struct alert_config *cfg,
		   struct alert_list *out, char *errmsg, size_t errlen)
{
	int err = 0;

	for (size_t i = 0; !err && i < npoints; i++)
		err = collect_one(src, points[i], from, to, cfg, out, errmsg, errlen);
	if (!err && with_all)
		err = collect_one(src, NULL, from, to, cfg, out, errmsg, errlen);
	alert_list_sort(out);
	return err;
}
