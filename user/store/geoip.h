/* SPDX-License-Identifier: GPL-2.0-only */
/* Source address to country, from a MaxMind-format database. */
#ifndef SW_GEOIP_H
#define SW_GEOIP_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <maxminddb.h>

#include "paths.h" /* SW_GEOIP_DEFAULT, from the install directories */

#define SW_GEOIP_CACHE 65536

struct geoip_cache_ent {
	unsigned char addr[16];
	short area; /* -1: empty */
};

/* An IPv4 /24 whose addresses all lie in one network of the database. */
struct geoip_net24 {
	uint32_t net; /* the /24, host order, + 1 (0: empty) */
	short area;
};

/*
 * A lookup costs about a microsecond, and storing a busy interval takes one per source. Most
 * sources lie in a network of the database that covers their whole /16 or /24 (86 % and 99.9 %
 * of random IPv4 addresses in ip-location-db's): the answer for one address of such a prefix is
 * the answer for all, so it is kept for the prefix. The prefixes are the caches' keys, the
 * database's own network sizes say when a prefix may be one: the caches never answer otherwise
 * than the database.
 */
struct geoip {
	bool open;
	char path[PATH_MAX];
	MMDB_s db;
	unsigned int v4_base; /* netmask of ::a.b.c.d/96 in the tree: 96, or 0 in an IPv4 tree */
	uint16_t *v4_16; /* per /16: 0 not known, 1 + area, or SW_GEOIP_MIXED */
	struct geoip_net24 *v4_24;
	struct geoip_cache_ent *cache; /* per address: IPv6, and what the prefixes cannot tell */
};

#define SW_GEOIP_MIXED 0xffff

/* path NULL: the default path, and a missing default is no error (every area is "??"). */
int geoip_open(struct geoip *g, const char *path, char *errmsg, size_t errlen);
void geoip_close(struct geoip *g);
/* Which database areas come from: "PATH (TYPE, built YYYY-MM-DD[, DESCRIPTION])". */
void geoip_describe(const struct geoip *g, char *buf, size_t len);
/* Area index (tally.h) of an address in the 16-byte form of the maps. */
int geoip_area(struct geoip *g, const unsigned char addr[16]);

#endif
