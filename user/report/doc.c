// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"

#define TEXT_MAX 8192

static const char css[] =
	"body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1000px;"
	"margin:2em auto;padding:0 1em;color:#222;line-height:1.45}"
	"h1{font-size:1.6em;border-bottom:2px solid #333;padding-bottom:.2em}"
	"h2{font-size:1.3em;margin-top:2em;border-bottom:1px solid #ccc}"
	"h3{font-size:1.1em;margin-top:1.5em}"
	"table{border-collapse:collapse;margin:.8em 0;font-size:.92em}"
	"th,td{border:1px solid #ccc;padding:.25em .6em}th{background:#f0f0f0}"
	"td.r,th.r{text-align:right;font-variant-numeric:tabular-nums}"
	"figure{margin:1em 0}figure img{max-width:100%;height:auto;border:1px solid #eee}"
	"figcaption{font-weight:bold;font-size:.92em}"
	"p.note{font-size:.88em;color:#555}code{background:#f4f4f4;padding:0 .2em}";

static void check(struct doc *d, int r)
{
	if (r < 0 && !d->err)
		d->err = errno ? -errno : -EIO;
}

/* Markdown: the text as it is, '|' escaped inside tables. */
static void put_md(struct doc *d, const char *s, int in_table)
{
	for (; *s; s++) {
		if (in_table && *s == '|')
			check(d, fputs("\\|", d->md));
		else if (in_table && *s == '\n')
			check(d, fputc(' ', d->md));
		else
			check(d, fputc(*s, d->md));
	}
}

/* HTML: escaped, with **bold** and `code` turned into elements. */
static void put_html(struct doc *d, const char *s)
{
	int bold = 0, code = 0;

	for (; *s; s++) {
		/* A Markdown escape ("\\*") is the character itself in HTML. */
		if (s[0] == '\\' && s[1] && !code)
			s++;
		else if (s[0] == '*' && s[1] == '*' && !code) {
			check(d, fputs(bold ? "</strong>" : "<strong>", d->html));
			bold = !bold;
			s++;
			continue;
		} else if (*s == '`') {
			check(d, fputs(code ? "</code>" : "<code>", d->html));
			code = !code;
			continue;
		}
		switch (*s) {
		case '&':
			check(d, fputs("&amp;", d->html));
			break;
		case '<':
			check(d, fputs("&lt;", d->html));
			break;
		case '>':
			check(d, fputs("&gt;", d->html));
			break;
		case '"':
			check(d, fputs("&quot;", d->html));
			break;
		default:
			check(d, fputc(*s, d->html));
		}
	}
	if (bold)
		check(d, fputs("</strong>", d->html));
	if (code)
		check(d, fputs("</code>", d->html));
}

int doc_open(struct doc *d, const char *dir, const char *name, const char *title)
{
	char path[PATH_MAX];

	int err;

	memset(d, 0, sizeof(*d));
	snprintf(path, sizeof(path), "%s/%s.md", dir, name);
	err = atomic_file_open(&d->md_file, path, SW_MODE_PUB_FILE);
	if (err)
		return err;
	snprintf(path, sizeof(path), "%s/%s.html", dir, name);
	err = atomic_file_open(&d->html_file, path, SW_MODE_PUB_FILE);
	if (err) {
		atomic_file_abort(&d->md_file);
		return err;
	}
	d->md = d->md_file.f;
	d->html = d->html_file.f;
	check(d, fprintf(d->md, "# %s\n\n", title));
	check(d,
	      fprintf(d->html,
		      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		      "<title>"));
	put_html(d, title);
	check(d, fprintf(d->html, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>", css));
	put_html(d, title);
	check(d, fputs("</h1>\n", d->html));
	return 0;
}

int doc_close(struct doc *d)
{
	int err;

	check(d, fputs("</body>\n</html>\n", d->html));
	if (d->err) {
		atomic_file_abort(&d->md_file);
		atomic_file_abort(&d->html_file);
	} else if ((err = atomic_file_commit(&d->md_file))) {
		d->err = err;
		atomic_file_abort(&d->html_file);
	} else if ((err = atomic_file_commit(&d->html_file))) {
		d->err = err;
	}
	err = d->err;
	memset(d, 0, sizeof(*d));
	return err;
}

static void vtext(char *buf, const char *fmt, va_list ap)
{
	vsnprintf(buf, TEXT_MAX, fmt, ap);
}

void doc_heading(struct doc *d, int level, const char *fmt, ...)
{
	char buf[TEXT_MAX];
	va_list ap;

	va_start(ap, fmt);
	vtext(buf, fmt, ap);
	va_end(ap);
	check(d, fprintf(d->md, "%.*s ", level, "######"));
	put_md(d, buf, 0);
	check(d, fputs("\n\n", d->md));
	check(d, fprintf(d->html, "<h%d>", level));
	put_html(d, buf);
	check(d, fprintf(d->html, "</h%d>\n", level));
}

/* A paragraph, or a note (class "note": italic in Markdown), of the text fmt makes. */
static void vpara(struct doc *d, const char *cls, const char *fmt, va_list ap)
{
	char buf[TEXT_MAX];

	vtext(buf, fmt, ap);
	put_md(d, cls ? "*" : "", 0);
	put_md(d, buf, 0);
	put_md(d, cls ? "*" : "", 0);
	check(d, fputs("\n\n", d->md));
	check(d, fprintf(d->html, cls ? "<p class=\"%s\">" : "<p>", cls));
	put_html(d, buf);
	check(d, fputs("</p>\n", d->html));
}

void doc_para(struct doc *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpara(d, NULL, fmt, ap);
	va_end(ap);
}

void doc_note(struct doc *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpara(d, "note", fmt, ap);
	va_end(ap);
}

void doc_image(struct doc *d, const char *file, unsigned int width, unsigned int height,
	       const char *caption, const char *alt)
{
	if (!alt)
		alt = caption;
	check(d, fputs("**", d->md));
	put_md(d, caption, 0);
	check(d, fputs("**\n\n![", d->md));
	put_md(d, alt, 1);
	check(d, fprintf(d->md, "](%s)\n\n", file));
	check(d, fputs("<figure>\n<figcaption>", d->html));
	put_html(d, caption);
	check(d, fputs("</figcaption>\n<img src=\"", d->html));
	put_html(d, file);
	check(d, fputs("\" alt=\"", d->html));
	put_html(d, alt);
	if (width && height)
		check(d, fprintf(d->html, "\" width=\"%u\" height=\"%u", width, height));
	check(d, fputs("\">\n</figure>\n", d->html));
}

void doc_table(struct doc *d, int cols, const char *align, const char *const *heads)
{
	d->table_cols = cols;
	d->align = align;
	check(d, fputs("|", d->md));
	for (int i = 0; i < cols; i++) {
		check(d, fputc(' ', d->md));
		put_md(d, heads[i], 1);
		check(d, fputs(" |", d->md));
	}
	check(d, fputs("\n|", d->md));
	for (int i = 0; i < cols; i++)
		check(d, fputs(align[i] == 'r' ? " ---: |" : " --- |", d->md));
	check(d, fputs("\n", d->md));
	check(d, fputs("<table>\n<tr>", d->html));
	for (int i = 0; i < cols; i++) {
		check(d, fputs(align[i] == 'r' ? "<th class=\"r\">" : "<th>", d->html));
		put_html(d, heads[i]);
		check(d, fputs("</th>", d->html));
	}
	check(d, fputs("</tr>\n", d->html));
}

void doc_row(struct doc *d, const char *const *cells)
{
	check(d, fputs("|", d->md));
	for (int i = 0; i < d->table_cols; i++) {
		check(d, fputc(' ', d->md));
		put_md(d, cells[i], 1);
		check(d, fputs(" |", d->md));
	}
	check(d, fputs("\n", d->md));
	check(d, fputs("<tr>", d->html));
	for (int i = 0; i < d->table_cols; i++) {
		check(d, fputs(d->align[i] == 'r' ? "<td class=\"r\">" : "<td>", d->html));
		put_html(d, cells[i]);
		check(d, fputs("</td>", d->html));
	}
	check(d, fputs("</tr>\n", d->html));
}

void doc_table_end(struct doc *d)
{
	check(d, fputs("\n", d->md));
	check(d, fputs("</table>\n", d->html));
	d->table_cols = 0;
}
