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
	g->v4_16 = calloc(65536, sizeof(*g->v4_16));
	g->v4_24 = calloc(SW_GEOIP_CACHE, sizeof(*g->v4_24));
	if (!g->cache || !g->v4_16 || !g->v4_24) {
		MMDB_close(&g->db);
		free(g->cache);
		free(g->v4_16);
		free(g->v4_24);
		memset(g, 0, sizeof(*g));
		return -ENOMEM;
	}
	for (size_t i = 0; i < SW_GEOIP_CACHE; i++)
		g->cache[i].area = -1;
	snprintf(g->path, sizeof(g->path), "%s", p);
	g->v4_base = g->db.metadata.ip_version == 6 ? 96 : 0;
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
	free(g->v4_16);
	free(g->v4_24);
	memset(g, 0, sizeof(*g));
}

/*
 * Country databases differ: MaxMind's and DB-IP's have country.iso_code, ip-location-db's (the
 * one `make geoip` fetches) a top-level country_code.
 */
/* The area of addr, and in *netmask the size of the database's network that holds it. */
static int lookup(MMDB_s *db, const unsigned char addr[16], unsigned int *netmask)
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
	/* An error says nothing of the neighbours: a netmask no prefix can use. */
	*netmask = err == MMDB_SUCCESS ? res.netmask : 128;
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

static int address_area(struct geoip *g, const unsigned char addr[16], unsigned int *netmask)
{
	struct geoip_cache_ent *e;
	uint64_t h = 0;

	for (int i = 0; i < 16; i++)
		h = h * 131 + addr[i];
	e = &g->cache[(h ^ (h >> 17)) & (SW_GEOIP_CACHE - 1)];
	*netmask = 128;
	if (e->area < 0 || memcmp(e->addr, addr, 16)) {
		memcpy(e->addr, addr, 16);
		e->area = (short)lookup(&g->db, addr, netmask);
	}
	return e->area;
}

int geoip_area(struct geoip *g, const unsigned char addr[16])
{
	struct geoip_net24 *n24;
	unsigned int netmask;
	uint32_t a, slot;
	int area;

	if (!g->open)
		return SW_AREA_UNKNOWN;
	if (!sw_addr_is_v4(addr))
		return address_area(g, addr, &netmask);
	a = (uint32_t)addr[12] << 24 | (uint32_t)addr[13] << 16 | (uint32_t)addr[14] << 8 |
	    addr[15];
	if (g->v4_16[a >> 16] && g->v4_16[a >> 16] != SW_GEOIP_MIXED)
		return g->v4_16[a >> 16] - 1;
	slot = ((a >> 8) * 0x9e3779b1u) >> 16;
	n24 = &g->v4_24[slot & (SW_GEOIP_CACHE - 1)];
	if (n24->net == (a >> 8) + 1)
		return n24->area;
	area = address_area(g, addr, &netmask);
	/* netmask 128: the answer came from the address cache, which knows no network. */
	if (netmask == 128)
		return area;
	if (netmask <= g->v4_base + 16) {
		g->v4_16[a >> 16] = (uint16_t)(area + 1);
	} else {
		g->v4_16[a >> 16] = SW_GEOIP_MIXED;
		if (netmask <= g->v4_base + 24)
			*n24 = (struct geoip_net24){ .net = (a >> 8) + 1, .area = (short)area };
	}
	return area;
}
