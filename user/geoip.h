/* SPDX-License-Identifier: GPL-2.0-only */
/* Source address to country, from a MaxMind-format database. */
#ifndef SW_GEOIP_H
#define SW_GEOIP_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <maxminddb.h>

#include "paths.h" /* SW_GEOIP_DEFAULT, from the install directories */

#define SW_GEOIP_CACHE 65536

struct geoip_cache_ent {
	unsigned char addr[16];
	short area; /* -1: empty */
};

struct geoip {
	bool open;
	char path[PATH_MAX];
	MMDB_s db;
	struct geoip_cache_ent *cache;
};

/* path NULL: the default path, and a missing default is no error (every area is "??"). */
int geoip_open(struct geoip *g, const char *path, char *errmsg, size_t errlen);
void geoip_close(struct geoip *g);
/* Which database areas come from: "PATH (TYPE, built YYYY-MM-DD[, DESCRIPTION])". */
void geoip_describe(const struct geoip *g, char *buf, size_t len);
/* Area index (tally.h) of an address in the 16-byte form of the maps. */
int geoip_area(struct geoip *g, const unsigned char addr[16]);

#endif
