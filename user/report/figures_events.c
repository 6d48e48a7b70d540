// SPDX-License-Identifier: GPL-2.0-only
/*
 * What happened in the month beyond its sums: the floods' likely victims, the trend scores of
 * its last day with data and its alerts. What cannot be read is warned about; the report then
 * shows what could be.
 */
#include <stdlib.h>

#include "daysrc.h"
#include "figures.h"
#include "log.h"

static void victims(struct report_figures *f, const struct daysrc *src, char *errmsg, size_t errlen)
{
	for (size_t i = 0; i < f->npoints; i++)
		if (daysrc_victims(src, &f->victims, f->points[i], f->cur->first, f->cur->last,
				   errmsg, errlen))
			sw_warn("%s", errmsg);
	victims_sort(&f->victims);
}

/* The last day of the month with a summary of the points. */
static int64_t last_day_with_data(const struct report_figures *f, const struct daysrc *src)
{
	int64_t best = INT64_MIN;

	for (size_t i = 0; i < f->npoints; i++) {
		int64_t first, last;

		if (!daysrc_data_days(src, f->points[i], &first, &last) && last >= f->cur->first) {
			if (last > f->cur->last)
				last = f->cur->last;
			if (last > best)
				best = last;
		}
	}
	return best;
}

static void trends(struct report_figures *f, const struct daysrc *src, char *errmsg, size_t errlen)
{
	f->trend_day = last_day_with_data(f, src);
	if (f->trend_day == INT64_MIN)
		return;
	if (alerts_trend_scores(src, f->npoints == 1 ? f->points[0] : NULL, f->trend_day, &f->cfg,
				&f->trends, &f->ntrends, errmsg, errlen)) {
		sw_warn("%s", errmsg);
		return;
	}
	f->scored = true;
}

void report_figures_events(struct report_figures *f, const struct daysrc *src, char *errmsg,
			   size_t errlen)
{
	victims(f, src, errmsg, errlen);
	trends(f, src, errmsg, errlen);
	if (alerts_collect(src, f->points, f->npoints, !f->chosen && f->npoints > 1, f->cur->first,
			   f->cur->last, &f->cfg, &f->alerts, errmsg, errlen))
		sw_warn("alerts: %s", errmsg);
}
