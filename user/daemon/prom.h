/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * `run --prom-textfile PATH`: the points' figures (runstats.h) in the text format that
 * node_exporter's textfile collector reads, replaced whole after every interval.
 */
#ifndef SW_PROM_H
#define SW_PROM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "runstats.h"

/* The metrics of n points, as the file holds them (tests/ and the writer). */
void prom_format(FILE *f, const struct runstats *const *points, size_t n, uint64_t start_s);
/*
 * Written under a new name in PATH's directory (O_EXCL, O_NOFOLLOW), synced, renamed over PATH:
 * a reader sees the old file or the new one, and a link planted at either name is never written
 * through. 0, or -errno with errmsg.
 */
int prom_write(const char *path, const struct runstats *const *points, size_t n, uint64_t start_s,
	       char *errmsg, size_t errlen);

#endif
