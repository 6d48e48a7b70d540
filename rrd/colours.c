// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "colours.h"
#include "grow.h"

/*
 * Fixed colours for the names that recur: TALOT2's ten keys and the ports most scanned today,
 * the countries that lead most months, kinds and fingerprints. Neighbours in this table are
 * chosen to differ, since they often sit next to each other in a stack.
 */
static const struct {
	const char *name;
	const char *colour;
} palette[] = {
	/* TALOT2's ten (matplotlib's tab10 less its grey, and a navy) */
	{ "tcp/445", "#1f77b4" },
	{ "tcp/135", "#ff7f0e" },
	{ "icmp/echo", "#2ca02c" },
	{ "tcp/1433", "#d62728" },
	{ "tcp/22", "#9467bd" },
	{ "tcp/2967", "#8c564b" },
	{ "tcp/1434", "#e377c2" },
	{ "tcp/139", "#bcbd22" },
	{ "tcp/5900", "#17becf" },
	{ "tcp/4899", "#393b79" },
	/* the ports scanned most today (Kelly's colours of maximum contrast) */
	{ "tcp/23", "#b3446c" },
	{ "tcp/80", "#f3c300" },
	{ "tcp/443", "#f99379" },
	{ "tcp/3389", "#008856" },
	{ "tcp/8080", "#604e97" },
	{ "tcp/2323", "#f6a600" },
	{ "tcp/5555", "#2b3d26" },
	{ "tcp/3306", "#e68fac" },
	{ "tcp/6379", "#654522" },
	{ "tcp/25", "#be0032" },
	{ "udp/53", "#8db600" },
	{ "udp/123", "#a1caf1" },
	{ "udp/137", "#c2b280" },
	{ "udp/161", "#e25822" },
	{ "udp/1434", "#882d17" },
	{ "udp/1900", "#dcd300" },
	{ "frag", "#969696" },
	{ "CN", "#d62728" },
	{ "US", "#1f77b4" },
	{ "JP", "#ff7f0e" },
	{ "KR", "#2ca02c" },
	{ "TW", "#9467bd" },
	{ "RU", "#8c564b" },
	{ "BR", "#e377c2" },
	{ "DE", "#bcbd22" },
	{ "IN", "#17becf" },
	{ "NL", "#393b79" },
	{ "FR", "#e6550d" },
	{ "GB", "#31a354" },
	{ "VN", "#756bb1" },
	{ "HK", "#843c39" },
	{ "??", "#7f7f7f" },
	{ "scan", "#d62728" },
	{ "backscatter", "#1f77b4" },
	{ "other", "#d4d4d4" },
	{ "mirai", "#e6550d" },
	{ "zmap", "#3182bd" },
	{ "masscan", "#31a354" },
	{ "total", "#000000" },
};

/* Colours that read on white and differ from each other: what a map hands out on a clash. */
static const char *const reserve[] = {
	"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#bcbd22",
	"#17becf", "#393b79", "#f3c300", "#875692", "#a1caf1", "#be0032", "#c2b280", "#008856",
	"#e68fac", "#0067a5", "#f99379", "#604e97", "#b3446c", "#dcd300", "#882d17", "#8db600",
	"#654522", "#e25822", "#2b3d26", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5",
	"#c49c94", "#f7b6d2", "#dbdb8d", "#9edae5", "#637939", "#7b4173", "#8c6d31", "#843c39",
};

static uint32_t fnv1a(const char *s, uint32_t salt)
{
	uint32_t h = 2166136261u ^ salt;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

static void hashed(const char *series, uint32_t salt, char out[CHART_COLOUR_LEN])
{
	uint32_t h = fnv1a(series, salt);
	double hue, sat, val, c, x, m, r, g, b;

	/* Saturation and value stay in a band that reads on white and never turns grey. */
	hue = (double)(h % 360);
	sat = 0.50 + (double)((h >> 9) % 36) / 100.0;
	val = 0.55 + (double)((h >> 17) % 31) / 100.0;
	c = val * sat;
	x = c * (1 - fabs(fmod(hue / 60.0, 2) - 1));
	m = val - c;
	r = g = b = 0;
	if (hue < 60)
		r = c, g = x;
	else if (hue < 120)
		r = x, g = c;
	else if (hue < 180)
		g = c, b = x;
	else if (hue < 240)
		g = x, b = c;
	else if (hue < 300)
		r = x, b = c;
	else
		r = c, b = x;
	snprintf(out, CHART_COLOUR_LEN, "#%02x%02x%02x", (unsigned int)lround((r + m) * 255),
		 (unsigned int)lround((g + m) * 255), (unsigned int)lround((b + m) * 255));
}

void chart_colour(const char *series, char out[CHART_COLOUR_LEN])
{
	for (size_t i = 0; i < sizeof(palette) / sizeof(palette[0]); i++)
		if (!strcmp(palette[i].name, series)) {
			snprintf(out, CHART_COLOUR_LEN, "%s", palette[i].colour);
			return;
		}
	hashed(series, 0, out);
}

static void rgb(const char *c, int *r, int *g, int *b)
{
	unsigned int v = (unsigned int)strtoul(c + 1, NULL, 16);

	*r = (int)(v >> 16) & 0xff;
	*g = (int)(v >> 8) & 0xff;
	*b = (int)v & 0xff;
}

bool chart_colours_alike(const char *a, const char *b)
{
	int r1, g1, b1, r2, g2, b2;
	double rm, dr, dg, db;

	rgb(a, &r1, &g1, &b1);
	rgb(b, &r2, &g2, &b2);
	/* The "redmean" distance: weights that follow the eye well enough for a legend. */
	rm = (r1 + r2) / 2.0;
	dr = r1 - r2;
	dg = g1 - g2;
	db = b1 - b2;
	return sqrt((2 + rm / 256) * dr * dr + 4 * dg * dg + (2 + (255 - rm) / 256) * db * db) < 80;
}

static const struct chart_colour_entry *find(const struct chart_colours *m, const char *name)
{
	for (size_t i = 0; m && i < m->n; i++)
		if (!strcmp(m->v[i].name, name))
			return &m->v[i];
	return NULL;
}

/* Keys, areas and the rest (kinds, points...) never share a chart: each is told apart alone. */
static int class_of(const char *name)
{
	if (strchr(name, '/') || !strcmp(name, "frag"))
		return 0;
	if (strlen(name) == 2 && ((name[0] >= 'A' && name[0] <= 'Z') || name[0] == '?'))
		return 1;
	return 2;
}

static bool taken(const struct chart_colours *m, const char *name, const char *colour)
{
	int cls = class_of(name);

	for (size_t i = 0; i < m->n; i++)
		if ((class_of(m->v[i].name) == cls || !strcmp(m->v[i].name, "other")) &&
		    chart_colours_alike(m->v[i].colour, colour))
			return true;
	return false;
}

int chart_colours_add(struct chart_colours *m, const char *name)
{
	struct chart_colour_entry *e;
	char c[CHART_COLOUR_LEN];
	bool ok;

	if (find(m, name))
		return 0;
	if (SW_GROW(m->v, m->cap, m->n + 1, 32))
		return -ENOMEM;
	chart_colour(name, c);
	ok = !taken(m, name, c);
	for (size_t i = 0; !ok && i < sizeof(reserve) / sizeof(reserve[0]); i++) {
		snprintf(c, sizeof(c), "%s", reserve[i]);
		ok = !taken(m, name, c);
	}
	/* Past forty names: other hashes of the name, the first that none looks like. */
	for (uint32_t salt = 1; !ok && salt < 256; salt++) {
		hashed(name, salt, c);
		ok = !taken(m, name, c);
	}
	e = &m->v[m->n++];
	snprintf(e->name, sizeof(e->name), "%s", name);
	snprintf(e->colour, sizeof(e->colour), "%s", c);
	return 0;
}

void chart_colour_in(const struct chart_colours *m, const char *name, char out[CHART_COLOUR_LEN])
{
	const struct chart_colour_entry *e = find(m, name);

	if (e)
		snprintf(out, CHART_COLOUR_LEN, "%s", e->colour);
	else
		chart_colour(name, out);
}

void chart_colours_free(struct chart_colours *m)
{
	free(m->v);
	memset(m, 0, sizeof(*m));
}
