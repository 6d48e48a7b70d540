/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The colour of every series a chart draws. A name has a colour of its own (fixed for the names
 * that recur, a stable hash of the name for the rest), so that a key keeps its colour from chart
 * to chart and month to month; a set of charts drawn together (a report) can also share a map
 * in which every name has a colour no other name of the map has, or one close to it.
 */
#ifndef SW_COLOURS_H
#define SW_COLOURS_H

#include <stdbool.h>
#include <stddef.h>

#define CHART_COLOUR_LEN 8 /* "#rrggbb" */
#define CHART_COLOUR_NAME 24

/* The colour a series has by its name alone: keys, areas ("??" unknown), kinds, points... */
void chart_colour(const char *series, char out[CHART_COLOUR_LEN]);

struct chart_colours {
	struct chart_colour_entry {
		char name[CHART_COLOUR_NAME];
		char colour[CHART_COLOUR_LEN];
	} * v;
	size_t n, cap;
};

void chart_colours_free(struct chart_colours *m);
/*
 * Gives name a colour in the map unless it has one: its own when no name of the map has one
 * that looks alike, else the first of a list of distinct colours that none does. Keys, areas
 * and other names (kinds, points) are told apart among themselves, and all from "other".
 * 0 or -ENOMEM.
 */
int chart_colours_add(struct chart_colours *m, const char *name);
/* The map's colour of name if it has one, else chart_colour's; m may be NULL. */
void chart_colour_in(const struct chart_colours *m, const char *name, char out[CHART_COLOUR_LEN]);
/* Whether two colours look alike on a chart (too close to tell apart in a legend). */
bool chart_colours_alike(const char *a, const char *b);

#endif
