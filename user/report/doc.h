/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One document written twice, as Markdown and as HTML, from the same calls: what the report
 * says is the same in both. Text takes two inline marks, **bold** and `code`; everything else is
 * escaped for each format.
 */
#ifndef SW_DOC_H
#define SW_DOC_H

#include <stdio.h>

#include "atomic_file.h"

struct doc {
	struct atomic_file md_file, html_file;
	FILE *md, *html;
	int table_cols;
	const char *align; /* per column: 'l' or 'r' */
	int err; /* the first write error (-errno) */
};

/*
 * Creates DIR/NAME.md and DIR/NAME.html, mode SW_MODE_PUB_FILE, under temporary names that
 * doc_close() renames into place (atomic_file.h): never through a link planted at a name.
 */
int doc_open(struct doc *d, const char *dir, const char *name, const char *title);
/* Closes both, 0 or the first error; on error the old documents stay as they were. */
int doc_close(struct doc *d);

void doc_heading(struct doc *d, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void doc_para(struct doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A smaller paragraph: notes under a table or a chart. */
void doc_note(struct doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * An image beside the documents (file is relative to them), with its caption, and the text a
 * reader who cannot see it gets instead (NULL: the caption).
 */
void doc_image(struct doc *d, const char *file, unsigned int width, unsigned int height,
	       const char *caption, const char *alt);
void doc_table(struct doc *d, int cols, const char *align, const char *const *heads);
void doc_row(struct doc *d, const char *const *cells);
void doc_table_end(struct doc *d);

#endif
