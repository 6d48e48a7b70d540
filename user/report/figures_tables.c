// SPDX-License-Identifier: GPL-2.0-only
/*
 * The report's tables, worked out from the months already read: the month against the one
 * before, the shares of keys and areas in the month and over six months, and the keys each
 * scanning tool scanned most. A table that cannot be made (out of memory) is left out.
 */
#include <stdlib.h>
#include <string.h>

#include "figures.h"
#include "keyfmt.h"

static int cmp_compare(const void *a, const void *b)
{
	const struct report_cmp_row *x = a, *y = b;

	if (x->cur != y->cur)
		return x->cur > y->cur ? -1 : 1;
	if (x->prev != y->prev)
		return x->prev > y->prev ? -1 : 1;
	return sw_key_cmp(&x->key, &y->key);
}

static void add_compare_keys(struct report_compare *c, const struct report_month *m,
			     const struct report_ranked *r, unsigned int top)
{
	for (size_t i = 0; i < m->t.nkeys && i < top; i++) {
		size_t j = 0;

		while (j < c->n && sw_key_cmp(&c->rows[j].key, &r->keys[i]->key))
			j++;
		if (j == c->n)
			c->rows[c->n++].key = r->keys[i]->key;
	}
}

/* Up by the surge threshold a day, with enough accesses, or new. */
static bool rose(const struct report_figures *f, const struct report_cmp_row *row)
{
	double pd_cur = f->cur->point_days, pd_prev = f->prev->point_days;

	return row->cur >= f->cfg.surge_min &&
	       (!row->prev || (double)row->cur * pd_prev * 100.0 >=
				      (double)row->prev * pd_cur * (100.0 + f->cfg.surge_pct));
}

/* The month's top keys and the previous month's, so that a key that fell is seen. */
static void compare(struct report_figures *f)
{
	struct report_compare *c = &f->compare;

	if (!f->cur->point_days || !f->prev->point_days || !f->cur_rank.ok || !f->prev_rank.ok)
		return;
	c->rows = calloc(2 * f->top + 1, sizeof(*c->rows));
	if (!c->rows)
		return;
	add_compare_keys(c, f->cur, &f->cur_rank, f->top);
	add_compare_keys(c, f->prev, &f->prev_rank, f->top);
	for (size_t i = 0; i < c->n; i++) {
		const struct tally_key *k = tally_find(&f->cur->t, &c->rows[i].key);
		const struct tally_key *p = tally_find(&f->prev->t, &c->rows[i].key);

		c->rows[i].cur = k ? k->accesses : 0;
		c->rows[i].prev = p ? p->accesses : 0;
	}
	qsort(c->rows, c->n, sizeof(*c->rows), cmp_compare);
	for (size_t i = 0; i < c->n; i++)
		c->rows[i].rose = rose(f, &c->rows[i]);
	c->ok = true;
}

/* By the measure, descending; ties in key or area order (one of the two is always equal). */
static int cmp_ratio(const void *a, const void *b)
{
	const struct report_ratio_row *x = a, *y = b;

	if (x->value != y->value)
		return x->value > y->value ? -1 : 1;
	if (x->area != y->area)
		return x->area < y->area ? -1 : 1;
	return sw_key_cmp(&x->key, &y->key);
}

static uint64_t key_value(const struct tally_key *k, bool sources)
{
	return sources ? k->sources : k->accesses;
}

static uint64_t area_value(const struct tally *t, int a, bool sources)
{
	return sources ? t->area_sources[a] : t->area_accesses[a];
}

/* The keys (or areas) of t with a figure, unsorted; NULL when out of memory. */
static struct report_ratio_row *ratio_rows(const struct tally *t, bool areas, bool sources,
					   size_t *n)
{
	size_t max = areas ? SW_NAREAS : t->nkeys;
	struct report_ratio_row *rows = calloc(max + 1, sizeof(*rows));

	*n = 0;
	for (size_t i = 0; rows && i < max; i++) {
		uint64_t v =
			areas ? area_value(t, (int)i, sources) : key_value(&t->keys[i], sources);

		if (!v)
			continue;
		if (areas)
			rows[(*n)++] = (struct report_ratio_row){ .area = (int)i, .value = v };
		else
			rows[(*n)++] =
				(struct report_ratio_row){ .key = t->keys[i].key, .value = v };
	}
	return rows;
}

static void ratio(struct report_figures *f, bool areas, bool sources)
{
	struct report_ratio *r = &f->ratio[areas][sources];

	r->total = sources ? f->cur->totals.sources : f->cur->totals.accesses;
	r->rows = ratio_rows(&f->cur->t, areas, sources, &r->nitems);
	if (!r->rows)
		return;
	qsort(r->rows, r->nitems, sizeof(*r->rows), cmp_ratio);
	for (r->nrows = 0; r->nrows < r->nitems && r->nrows < f->top; r->nrows++)
		r->shown += r->rows[r->nrows].value;
	r->ok = true;
}

static void share(struct report_figures *f, bool areas, bool sources)
{
	struct report_share *s = &f->share[areas][sources];
	struct report_ratio_row *items;
	struct tally all;
	size_t n;

	tally_init(&all);
	for (int i = 0; i < REPORT_SIX; i++) {
		const struct report_month *m = &f->months[i];

		tally_merge(&all, &m->t);
		s->totals[i] = sources ? m->totals.sources : m->totals.accesses;
	}
	items = ratio_rows(&all, areas, sources, &n);
	s->rows = items ? calloc(n + 1, sizeof(*s->rows)) : NULL;
	if (s->rows) {
		qsort(items, n, sizeof(*items), cmp_ratio);
		for (; s->n < n && s->n < f->top; s->n++) {
			struct report_share_row *row = &s->rows[s->n];

			row->key = items[s->n].key;
			row->area = items[s->n].area;
			for (int i = 0; i < REPORT_SIX; i++) {
				const struct tally *t = &f->months[i].t;
				const struct tally_key *k = areas ? NULL : tally_find(t, &row->key);

				row->v[i] = areas ? area_value(t, row->area, sources) :
					    k	  ? key_value(k, sources) :
						    0;
			}
		}
		s->ok = true;
	}
	free(items);
	tally_free(&all);
}

/* The keys with most packets of tool fp, most first, ties in key order. */
static void fingerprint_top(struct report_figures *f, int fp)
{
	const struct tally_key **best = f->fp_top[fp];

	for (size_t i = 0; i < f->cur->t.nkeys; i++) {
		const struct tally_key *k = &f->cur->t.keys[i];

		if (!k->fp[fp])
			continue;
		for (int j = 0; j < REPORT_FP_TOP; j++) {
			if (!best[j] || k->fp[fp] > best[j]->fp[fp] ||
			    (k->fp[fp] == best[j]->fp[fp] &&
			     sw_key_cmp(&k->key, &best[j]->key) < 0)) {
				memmove(&best[j + 1], &best[j],
					(REPORT_FP_TOP - 1 - j) * sizeof(*best));
				best[j] = k;
				break;
			}
		}
	}
}

void report_figures_tables(struct report_figures *f)
{
	compare(f);
	for (int a = 0; a < 2; a++)
		for (int s = 0; s < 2; s++) {
			ratio(f, a, s);
			share(f, a, s);
		}
	for (int fp = 0; fp < SW_NFPS; fp++)
		fingerprint_top(f, fp);
}

void report_figures_free_tables(struct report_figures *f)
{
	free(f->compare.rows);
	memset(&f->compare, 0, sizeof(f->compare));
	for (int a = 0; a < 2; a++)
		for (int s = 0; s < 2; s++) {
			free(f->ratio[a][s].rows);
			free(f->share[a][s].rows);
			memset(&f->ratio[a][s], 0, sizeof(f->ratio[a][s]));
			memset(&f->share[a][s], 0, sizeof(f->share[a][s]));
		}
}
