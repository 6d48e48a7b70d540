/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Series that rrdgraph draws from memory rather than from an RRD file: a table of exact counts
 * per row (a day from the daily summaries, or a step read from an RRD file), handed to
 * rrd_graph_v through librrd's fetch callback as the file "cb//scanwatch" with one data source
 * per series ("s0", "s1" ...). What rrdgraph is given is already consolidated here, by sums, to
 * rows at least as wide as a pixel, so that it never averages rows itself (its averaging skips
 * unknown rows and would count the others twice over).
 */
#ifndef SW_MEMSERIES_H
#define SW_MEMSERIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MEMSERIES_FILE "cb//scanwatch"

struct memseries {
	int64_t t0; /* start of row 0, epoch seconds */
	unsigned long step_s; /* what a row covers */
	size_t nrows;
	unsigned int bin; /* rows summed into each value rrdgraph gets, >= 1 */
	size_t nseries, cap;
	double *v; /* [series * nrows + row]: the row's count, NAN when nobody counted it */
};

/* nrows rows of step_s from t0 (a multiple of step_s); no series yet. */
int memseries_init(struct memseries *m, int64_t t0, unsigned long step_s, size_t nrows);
void memseries_free(struct memseries *m);
/* A new series, every row unknown; its index in *idx. 0 or -ENOMEM. */
int memseries_add(struct memseries *m, size_t *idx);
static inline double *memseries_rows(struct memseries *m, size_t s)
{
	return m->v + s * m->nrows;
}
/* Adds v to a row, an unknown row becoming v. */
void memseries_put(struct memseries *m, size_t s, size_t row, double v);
/* The sum of the series' known rows, and whether there is one. */
bool memseries_total(const struct memseries *m, size_t s, double *sum);
/*
 * Sets bin so that a value rrdgraph gets is at least one pixel wide when the rows from start to
 * end are drawn width pixels wide (rrdgraph's own sum: (end - start) / width seconds a pixel).
 */
void memseries_fit(struct memseries *m, int64_t start, int64_t end, unsigned int width);
/* rrdgraph reads m as MEMSERIES_FILE until memseries_unpublish (one drawing at a time). */
void memseries_publish(const struct memseries *m);
void memseries_unpublish(void);

#endif
