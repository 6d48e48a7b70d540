// SPDX-License-Identifier: GPL-2.0-only
/* Each monitoring point's month: its row of the summary, its peak second and its own section. */
#include <errno.h>
#include <stdlib.h>

#include "figures.h"

/*
 * A point whose summaries are refused has no row and no section; its watched addresses stay as
 * far as they were read, as the table of them has always shown them.
 */
static void load_point(struct report_figures *f, const struct daysrc *src, size_t i)
{
	struct report_point *p = &f->point[i];
	const struct tally_key **keys;
	char errmsg[512];
	struct tally t;
	int *areas;
	size_t nareas;

	tally_init(&t);
	if (summary_load_watch(src, f->points[i], f->cur->first, f->cur->last, &t, &p->watch,
			       &p->days, errmsg, sizeof(errmsg))) {
		tally_free(&t);
		return;
	}
	p->loaded = true;
	summary_totals(&t, &p->totals);
	summary_watch_add(&f->watch, &p->watch);
	p->nkeys = t.nkeys;
	if (!summary_rank(&t, &keys, &areas, &nareas)) {
		p->ranked = true;
		for (size_t k = 0; k < t.nkeys && k < REPORT_POINT_TOP; k++)
			p->top[k] = *keys[k];
		free(keys);
		free(areas);
	}
	tally_free(&t);
}

int report_figures_points(struct report_figures *f, const struct daysrc *src)
{
	f->point = calloc(f->npoints + 1, sizeof(*f->point));
	if (!f->point)
		return -ENOMEM;
	for (size_t i = 0; i < f->npoints; i++)
		load_point(f, src, i);
	return 0;
}
