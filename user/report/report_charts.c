// SPDX-License-Identifier: GPL-2.0-only
/*
 * The report's charts: drawn by rrd/charts.c into the output directory, each with its
 * legend's exact totals as text beside it.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "report_int.h"

static void image_size(const rrd_info_t *info, unsigned int *w, unsigned int *h)
{
	*w = *h = 0;
	for (; info; info = info->next) {
		if (info->type != RD_I_CNT)
			continue;
		if (!strcmp(info->key, "image_width"))
			*w = (unsigned int)info->value.u_cnt;
		else if (!strcmp(info->key, "image_height"))
			*h = (unsigned int)info->value.u_cnt;
	}
}

/*
 * A chart's legend as rrdgraph wrote it into the image, each of its lines after the other:
 * "tcp/445 2,688 tcp/23 2,232 ...; total 12,360". The text of the image for a reader who cannot
 * see it, and what a check reads the legend from.
 */
static void legend_text(const rrd_info_t *info, char *buf, size_t len)
{
	char key[32];
	size_t off = 0;
	long y = -1;

	buf[0] = '\0';
	for (int i = 0;; i++) {
		const char *leg, *co, *p;
		long x0, y0;

		snprintf(key, sizeof(key), "legend[%d]", i);
		leg = chart_info_str(info, key);
		if (!leg)
			break;
		snprintf(key, sizeof(key), "coords[%d]", i);
		co = chart_info_str(info, key);
		if (!co || sscanf(co, "%ld,%ld", &x0, &y0) != 2)
			y0 = y;
		for (p = leg; *p == ' '; p++)
			;
		if (!*p)
			continue;
		if (off < len)
			off += (size_t)snprintf(buf + off, len - off, "%s",
						!off	? "" :
						y0 != y ? "; " :
							  " ");
		y = y0;
		/* Runs of blanks that line the columns up are one space in the text. */
		for (; *p && off + 1 < len; p++)
			if (*p != ' ' || (p[1] && p[1] != ' '))
				buf[off++] = *p;
		if (off < len)
			buf[off] = '\0';
	}
}

/* An alert's key chart: its point alone, its kind's Holt-Winters archives. */
static void key_request(struct chart_req *req, const struct report_figures *f,
			const struct alert *key, char *file, size_t len)
{
	char kf[32];

	for (size_t i = 0; i < f->npoints; i++)
		if (!strcmp(f->points[i], key->point))
			req->points = &f->points[i];
	req->npoints = 1;
	req->all_points = false;
	req->kind = key->key_kind;
	req->have_key = !chart_key_parse(key->key, &req->key);
	chart_key_file(&req->key, kf, sizeof(kf));
	snprintf(file, len, "key-%s-%s.png", kf, key->point);
}

/* Draws the chart into the output folder as file, and puts it in the document. */
static void draw(struct report *r, const struct chart_def *c, const struct chart_req *req,
		 const char *file, const char *caption)
{
	char path[PATH_MAX], errmsg[1024], legend[2048], alt[2560];
	rrd_info_t *info = NULL;
	unsigned int w, h;
	int err;

	snprintf(path, sizeof(path), "%s/%s", r->out_dir, file);
	progress_say(&r->progress, "drawing %s", caption);
	err = chart_draw(c, req, path, "PNG", &info, errmsg, sizeof(errmsg));
	if (!err && r->svg) {
		/* The same chart as a vector image, for print (and for reading its legend back). */
		snprintf(path + strlen(path) - 3, 4, "svg");
		err = chart_draw(c, req, path, "SVG", NULL, errmsg, sizeof(errmsg));
	}
	if (err) {
		r->failed++;
		rrd_info_free(info);
		doc_note(&r->doc, "%s: not drawn (%s).", caption, errmsg);
		return;
	}
	image_size(info, &w, &h);
	legend_text(info, legend, sizeof(legend));
	snprintf(alt, sizeof(alt), "%s. Legend: %s", caption, legend);
	rrd_info_free(info);
	r->drawn++;
	doc_image(&r->doc, file, w, h, caption, alt);
}

/* One chart of the catalogue over the days [from, to], or a note of why it was not drawn. */
static void chart(struct report *r, const struct report_figures *f, const char *name, int64_t from,
		  int64_t to, const struct tally *ranked, const struct alert *key,
		  const char *caption)
{
	const struct chart_def *c = chart_find(name);
	struct chart_req req = {
		.src = r->src,
		.data_dir = r->data_dir,
		.io = &r->io,
		.points = f->points,
		.npoints = f->npoints,
		.all_points = !f->chosen,
		.start = from * SW_DAY_S,
		.end = (to + 1) * SW_DAY_S,
		.kind = -1,
		.top = f->top,
		.ranked = ranked,
		.colours = &r->colours,
		.width = r->width,
		.height = r->height,
	};
	char file[128];

	if (!c)
		return;
	snprintf(file, sizeof(file), "%s.png", name);
	if (key)
		key_request(&req, f, key, file, sizeof(file));
	draw(r, c, &req, file, caption);
}

void report_chart_month(struct report *r, const struct report_figures *f, const char *name,
			const char *caption)
{
	chart(r, f, name, f->cur->first, f->cur->last, &f->cur->t, NULL, caption);
}

void report_chart_six(struct report *r, const struct report_figures *f, const char *name,
		      const char *caption)
{
	chart(r, f, name, f->months[0].first, f->cur->last, NULL, NULL, caption);
}

void report_chart_key(struct report *r, const struct report_figures *f, const struct alert *key,
		      const char *caption)
{
	chart(r, f, "key", f->prev->first, f->cur->last, NULL, key, caption);
}
