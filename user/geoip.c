// SPDX-License-Identifier: GPL-2.0-only
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <unistd.h>

#include "geoip.h"
#include "keyfmt.h"
#include "tally.h"

int geoip_open(struct geoip *g, const char *path, char *errmsg, size_t errlen)
{
	const char *p = path ? path : SW_GEOIP_DEFAULT;
	int status;

	memset(g, 0, sizeof(*g));
	/* Only a default that is absent means "no database"; one we may not read is an error. */
	if (!path && access(p, F_OK) && errno == ENOENT)
		return 0;
	errno = 0;
	status = MMDB_open(p, MMDB_MODE_MMAP, &g->db);
	if (status != MMDB_SUCCESS) {
		if (status == MMDB_FILE_OPEN_ERROR || status == MMDB_IO_ERROR)
			snprintf(errmsg, errlen, "cannot read the country database %s: %s", p,
				 strerror(errno ? errno : EIO));
		else
			snprintf(errmsg, errlen,
				 "%s is not a MaxMind-format country database (.mmdb): %s", p,
				 MMDB_strerror(status));
		return -EINVAL;
	}
	g->cache = malloc(SW_GEOIP_CACHE * sizeof(*g->cache));
	if (!g->cache) {
		MMDB_close(&g->db);
		return -ENOMEM;
	}
	for (size_t i = 0; i < SW_GEOIP_CACHE; i++)
		g->cache[i].area = -1;
	snprintf(g->path, sizeof(g->path), "%s", p);
	g->open = true;
	return 0;
}

void geoip_describe(const struct geoip *g, char *buf, size_t len)
{
	const MMDB_metadata_s *m = &g->db.metadata;
	time_t built = (time_t)m->build_epoch;
	const char *desc = NULL;
	char day[16] = "?";
	struct tm tm;

	if (!g->open) {
		snprintf(buf, len, "none");
		return;
	}
	if (gmtime_r(&built, &tm))
		strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	/* English when there is one, else the first language's. */
	for (size_t i = 0; i < m->description.count; i++) {
		const MMDB_description_s *d = m->description.descriptions[i];

		if (d && d->description && (!desc || (d->language && !strcmp(d->language, "en"))))
			desc = d->description;
	}
	snprintf(buf, len, "%s (%s, built %s%s%s)", g->path,
		 m->database_type ? m->database_type : "?", day, desc && *desc ? ", " : "",
		 desc && *desc ? desc : "");
}

void geoip_close(struct geoip *g)
{
	if (g->open)
		MMDB_close(&g->db);
	free(g->cache);
	memset(g, 0, sizeof(*g));
}

/*
 * Country databases differ: MaxMind's and DB-IP's have country.iso_code, ip-location-db's (the
 * one `make geoip` fetches) a top-level country_code.
 */
static int lookup(MMDB_s *db, const unsigned char addr[16])
{
	struct sockaddr_storage ss = { 0 };
	MMDB_lookup_result_s res;
	MMDB_entry_data_s ent;
	char cc[3];
	int err;

	if (sw_addr_is_v4(addr)) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, addr + 12, 4);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, addr, 16);
	}
	res = MMDB_lookup_sockaddr(db, (struct sockaddr *)&ss, &err);
	if (err != MMDB_SUCCESS || !res.found_entry)
		return SW_AREA_UNKNOWN;
	if (MMDB_get_value(&res.entry, &ent, "country", "iso_code", NULL) != MMDB_SUCCESS ||
	    !ent.has_data) {
		if (MMDB_get_value(&res.entry, &ent, "country_code", NULL) != MMDB_SUCCESS ||
		    !ent.has_data)
			return SW_AREA_UNKNOWN;
	}
	if (ent.type != MMDB_DATA_TYPE_UTF8_STRING || ent.data_size != 2)
		return SW_AREA_UNKNOWN;
	cc[0] = toupper((unsigned char)ent.utf8_string[0]);
	cc[1] = toupper((unsigned char)ent.utf8_string[1]);
	cc[2] = '\0';
	return sw_area_index(cc);
}

int geoip_area(struct geoip *g, const unsigned char addr[16])
{
	struct geoip_cache_ent *e;
	uint64_t h = 0;

	if (!g->open)
		return SW_AREA_UNKNOWN;
	for (int i = 0; i < 16; i++)
		h = h * 131 + addr[i];
	e = &g->cache[(h ^ (h >> 17)) & (SW_GEOIP_CACHE - 1)];
	if (e->area < 0 || memcmp(e->addr, addr, 16)) {
		memcpy(e->addr, addr, 16);
		e->area = (short)lookup(&g->db, addr);
	}
	return e->area;
}
