// SPDX-License-Identifier: GPL-2.0-only
/*
 * The report's figures, built in the order the report shows them: the six months (the month
 * and the one before first, since a summary of theirs that does not parse stops the report),
 * each point's month, the tables, then the month's events.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dates.h"
#include "daysrc.h"
#include "figures.h"
#include "log.h"

void report_month_name(int y, int m, char out[32])
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = 1 };

	strftime(out, 32, "%B %Y", &tm);
}

void report_add_months(int *y, int *m, int n)
{
	int v = *y * 12 + (*m - 1) + n;

	*y = v / 12;
	*m = v % 12 + 1;
}

/*
 * The points' summaries of the month, added up. On an error the points before it stay added,
 * as the month's statistics have always shown them.
 */
static int load_month(const struct report_figures *f, const struct daysrc *src,
		      struct report_month *m, char *errmsg, size_t errlen)
{
	int err = 0;

	for (size_t i = 0; !err && i < f->npoints; i++) {
		unsigned int nd;

		err = summary_load(src, f->points[i], m->first, m->last, &m->t, &nd, errmsg,
				   errlen);
		if (!err)
			m->point_days += nd;
	}
	summary_totals(&m->t, &m->totals);
	summary_research_totals(&m->t, &m->research);
	return err;
}

static void name_months(struct report_figures *f)
{
	int y = f->year, mo = f->month;

	report_add_months(&y, &mo, -(REPORT_SIX - 1));
	for (int i = 0; i < REPORT_SIX; i++) {
		struct report_month *m = &f->months[i];

		sw_month_days(y, mo, &m->first, &m->last);
		report_month_name(y, mo, m->name);
		snprintf(m->short_name, sizeof(m->short_name), "%04d-%02d", y, mo);
		report_add_months(&y, &mo, 1);
	}
}

int report_figures_months(struct report_figures *f, const struct daysrc *src, char *errmsg,
			  size_t errlen)
{
	struct report_month *cur = &f->months[REPORT_SIX - 1], *prev = &f->months[REPORT_SIX - 2];

	f->src_name = daysrc_name(src);
	f->cur = cur;
	f->prev = prev;
	name_months(f);
	if (load_month(f, src, cur, errmsg, errlen) || load_month(f, src, prev, errmsg, errlen))
		return -EINVAL;
	if (!cur->point_days)
		sw_warn("no daily summary of %s in %s", cur->name, f->src_name);
	for (int i = 0; i < REPORT_SIX - 2; i++)
		if (load_month(f, src, &f->months[i], errmsg, errlen))
			sw_warn("%s", errmsg);
	return 0;
}

static void rank(const struct tally *t, struct report_ranked *r)
{
	r->ok = !summary_rank(t, &r->keys, &r->areas, &r->nareas);
}

int report_figures_build(struct report_figures *f, const struct daysrc *src, char *errmsg,
			 size_t errlen)
{
	int err;

	for (int i = 0; i < REPORT_SIX; i++)
		tally_init(&f->months[i].t);
	victims_init(&f->victims);
	err = report_figures_months(f, src, errmsg, errlen);
	if (err)
		return err;
	rank(&f->cur->t, &f->cur_rank);
	rank(&f->prev->t, &f->prev_rank);
	if (tally_has_research(&f->cur->t))
		rank(f->cur->t.research, &f->research_rank);
	if (report_figures_points(f, src)) {
		snprintf(errmsg, errlen, "out of memory");
		return -ENOMEM;
	}
	report_figures_tables(f);
	report_figures_events(f, src, errmsg, errlen);
	return 0;
}

static void free_ranked(struct report_ranked *r)
{
	free(r->keys);
	free(r->areas);
	memset(r, 0, sizeof(*r));
}

void report_figures_free(struct report_figures *f)
{
	free_ranked(&f->cur_rank);
	free_ranked(&f->prev_rank);
	free_ranked(&f->research_rank);
	report_figures_free_tables(f);
	free(f->point);
	f->point = NULL;
	victims_free(&f->victims);
	free(f->trends);
	f->trends = NULL;
	alert_list_free(&f->alerts);
	for (int i = 0; i < REPORT_SIX; i++)
		tally_free(&f->months[i].t);
}
