// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rrd.h>

#include "grow.h"
#include "memseries.h"

/*
 * librrd exports rrd_fetch_cb_register (its Python binding's register_fetch_cb is built on it)
 * but its public header does not declare it: this is the declaration of librrd's rrd_tool.h,
 * with its enum cf_en (an int; only rrd_format.h, which librrd keeps to itself, names it) as int.
 */
typedef int (*sw_rrd_fetch_cb_t)(const char *filename, int cf_idx, time_t *start, time_t *end,
				 unsigned long *step, unsigned long *ds_cnt, char ***ds_namv,
				 rrd_value_t **data);
int rrd_fetch_cb_register(sw_rrd_fetch_cb_t cb);

int memseries_init(struct memseries *m, int64_t t0, unsigned long step_s, size_t nrows)
{
	memset(m, 0, sizeof(*m));
	if (!step_s || !nrows)
		return -EINVAL;
	m->t0 = t0;
	m->step_s = step_s;
	m->nrows = nrows;
	m->bin = 1;
	return 0;
}

void memseries_free(struct memseries *m)
{
	free(m->v);
	memset(m, 0, sizeof(*m));
}

int memseries_add(struct memseries *m, size_t *idx)
{
	/* An element is a whole series of nrows, which memseries_init keeps small and non-zero. */
	if (sw_grow(&m->v, &m->cap, m->nseries + 1, m->nrows * sizeof(*m->v), 8))
		return -ENOMEM;
	for (size_t r = 0; r < m->nrows; r++)
		m->v[m->nseries * m->nrows + r] = NAN;
	*idx = m->nseries++;
	return 0;
}

void memseries_put(struct memseries *m, size_t s, size_t row, double v)
{
	double *p = &m->v[s * m->nrows + row];

	*p = isnan(*p) ? v : *p + v;
}

bool memseries_total(const struct memseries *m, size_t s, double *sum)
{
	bool any = false;

	*sum = 0;
	for (size_t r = 0; r < m->nrows; r++) {
		double v = m->v[s * m->nrows + r];

		if (isnan(v))
			continue;
		*sum += v;
		any = true;
	}
	return any;
}

void memseries_fit(struct memseries *m, int64_t start, int64_t end, unsigned int width)
{
	int64_t px = width ? (end - start) / (int64_t)width : 0;

	m->bin = 1;
	if (px > (int64_t)m->step_s)
		m->bin = (unsigned int)((px + (int64_t)m->step_s - 1) / (int64_t)m->step_s);
}

/* rrd_graph_v takes no context for its callback: the table being drawn is this one. */
static const struct memseries *published;

static int64_t floor_to(int64_t t, int64_t step)
{
	return t - ((t % step) + step) % step;
}

static int fetch(const char *filename, int cf, time_t *start, time_t *end, unsigned long *step,
		 unsigned long *ds_cnt, char ***ds_namv, rrd_value_t **data)
{
	const struct memseries *m = published;
	int64_t bs, s, e;
	size_t rows;

	(void)cf; /* the table holds counts: every function of one value is that value */
	if (!m || strcmp(filename, MEMSERIES_FILE)) {
		rrd_set_error("%s: no such series", filename);
		return -1;
	}
	bs = (int64_t)m->step_s * m->bin;
	/* As rrd_fetch does: the first value is the row after start, the last the one at end. */
	s = floor_to((int64_t)*start, bs);
	e = floor_to((int64_t)*end, bs) + bs;
	rows = (size_t)((e - s) / bs);
	*ds_namv = calloc(m->nseries ? m->nseries : 1, sizeof(**ds_namv));
	*data = malloc((rows ? rows : 1) * (m->nseries ? m->nseries : 1) * sizeof(**data));
	if (!*ds_namv || !*data) {
		free(*ds_namv);
		free(*data);
		rrd_set_error("out of memory");
		return -1;
	}
	for (size_t i = 0; i < m->nseries; i++) {
		if (asprintf(&(*ds_namv)[i], "s%zu", i) < 0) {
			for (size_t j = 0; j < i; j++)
				free((*ds_namv)[j]);
			free(*ds_namv);
			free(*data);
			rrd_set_error("out of memory");
			return -1;
		}
	}
	for (size_t r = 0; r < rows; r++) {
		int64_t from = s + (int64_t)r * bs, to = from + bs;

		for (size_t i = 0; i < m->nseries; i++) {
			double sum = NAN;

			/* The table's rows that start inside this value's span. */
			for (int64_t t = from; t < to; t += (int64_t)m->step_s) {
				int64_t row = (t - m->t0) / (int64_t)m->step_s;
				double v;

				if (t < m->t0 || row >= (int64_t)m->nrows)
					continue;
				v = m->v[i * m->nrows + (size_t)row];
				if (!isnan(v))
					sum = isnan(sum) ? v : sum + v;
			}
			(*data)[r * m->nseries + i] = sum;
		}
	}
	*start = (time_t)s;
	*end = (time_t)e;
	*step = (unsigned long)bs;
	*ds_cnt = m->nseries;
	return 0;
}

void memseries_publish(const struct memseries *m)
{
	published = m;
	rrd_fetch_cb_register(fetch);
}

void memseries_unpublish(void)
{
	published = NULL;
}
