/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What `scanwatch status` shows besides each point's kernel line (status.c): a header (version,
 * time, directories, the country database areas come from), today's accesses and sources per
 * point from the daily files, and all of it as JSON with --json.
 */
#ifndef SW_STATUS_VIEW_H
#define SW_STATUS_VIEW_H

#include <stdbool.h>
#include <stdio.h>

#include "scanwatch.h"

struct status_opts {
	const char *pin_root;
	const char *data_dir;
	const char *geoip; /* NULL: the default database */
	const char *tz; /* the zone of "today" (run's --tz) */
	const char *config; /* the configuration file read, or NULL */
	bool json;
};

/* Text: the header lines. JSON: the object's opening, up to the points' array. */
void status_begin(FILE *f, const struct status_opts *o);
/*
 * One attached point, as a JSON object; meta NULL when its pins cannot be read. log_records is
 * the current interval's records so far (-1: unreadable), log_capacity the log's size,
 * research_prefixes the research list's (-1: pinned before there was one).
 */
void status_json_point(FILE *f, bool first, const char *name, const struct sw_meta *meta,
		       __u32 prog_id, int64_t log_records, uint64_t log_capacity, long flows,
		       long research_prefixes, bool running);
/* Today's figures per point of the data directory; JSON: then the object's end. */
void status_today(FILE *f, const struct status_opts *o);

#endif
