// SPDX-License-Identifier: GPL-2.0-only
/*
 * Areas: the country of a source from a MaxMind-format database through
 * libmaxminddb. Tiny databases made by tests/mkgeodb.pl (MaxMind::DB::Writer) in both record
 * layouts map 198.18.0.0/24 to JP, 198.18.1.0/24 to CN and 2001:db8:1::/48 to US; every other
 * address must come out as "??". Then the real database `make geoip` fetches, when present (under
 * CI=true it is fetched, and a failure to fetch fails the test): a few well-known addresses,
 * and the caches in front of the database (geoip.h: per /16, per /24 and per address) against
 * lookups made here straight through libmaxminddb, for addresses chosen to land in every cache.
 * No root, no network traffic.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "geoip.h"
#include "tally.h"

/* The real database, as `make geoip GEOIP_DB=` leaves it in the build tree. */
#define FETCHED_DB ".output/geoip/country.mmdb"

struct fixture {
	char dir[64];
	char flat[128], maxmind[128];
};

static struct fixture fx;

static int make_dbs(void **state)
{
	char cmd[512];

	(void)state;
	snprintf(fx.dir, sizeof(fx.dir), "/tmp/sw-geoip-test.XXXXXX");
	if (!mkdtemp(fx.dir))
		return -1;
	snprintf(fx.flat, sizeof(fx.flat), "%s/flat.mmdb", fx.dir);
	snprintf(fx.maxmind, sizeof(fx.maxmind), "%s/maxmind.mmdb", fx.dir);
	snprintf(cmd, sizeof(cmd),
		 "perl tests/mkgeodb.pl %s flat && perl tests/mkgeodb.pl %s maxmind", fx.flat,
		 fx.maxmind);
	if (system(cmd)) {
		fprintf(stderr,
			"# tests/mkgeodb.pl failed (libmaxmind-db-writer-perl: make deps)\n");
		return -1;
	}
	return 0;
}

static int remove_dbs(void **state)
{
	(void)state;
	unlink(fx.flat);
	unlink(fx.maxmind);
	rmdir(fx.dir);
	return 0;
}

/* The 16-byte form of the maps: IPv4 mapped as ::ffff:a.b.c.d. */
static void addr16(const char *str, unsigned char out[16])
{
	memset(out, 0, 16);
	if (strchr(str, ':')) {
		assert_int_equal(inet_pton(AF_INET6, str, out), 1);
	} else {
		out[10] = out[11] = 0xff;
		assert_int_equal(inet_pton(AF_INET, str, out + 12), 1);
	}
}

static void assert_area(struct geoip *g, const char *addr, const char *want)
{
	unsigned char a[16];
	char cc[3];

	addr16(addr, a);
	sw_area_name(geoip_area(g, a), cc);
	if (strcmp(cc, want))
		fail_msg("%s: area %s, expected %s", addr, cc, want);
}

/* Edges of each prefix, the addresses just outside, and each twice (the second from the cache). */
static void check_test_db(const char *path)
{
	static const char *const cases[][2] = {
		{ "198.18.0.0", "JP" },		{ "198.18.0.1", "JP" },
		{ "198.18.0.255", "JP" },	{ "198.18.1.0", "CN" },
		{ "198.18.1.7", "CN" },		{ "198.18.1.255", "CN" },
		{ "198.18.2.0", "??" },		{ "198.17.255.255", "??" },
		{ "203.0.113.9", "??" },	{ "2001:db8:1::", "US" },
		{ "2001:db8:1:ffff::1", "US" }, { "2001:db8:2::1", "??" },
		{ "2001:db8::ffff", "??" },	{ "::", "??" },
	};
	struct geoip g;
	char err[256] = "";

	assert_int_equal(geoip_open(&g, path, err, sizeof(err)), 0);
	assert_true(g.open);
	for (int round = 0; round < 2; round++)
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			assert_area(&g, cases[i][0], cases[i][1]);
	geoip_close(&g);
}

static const char *real_db(void);

/* The reference: the database asked directly, either record layout, as geoip.c reads them. */
static int direct_area(MMDB_s *db, const unsigned char a[16])
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
	const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	struct sockaddr *sa = (struct sockaddr *)&sin6;
	MMDB_lookup_result_s r;
	MMDB_entry_data_s e;
	char cc[3];
	int err;

	if (!memcmp(a, mapped, 12)) {
		memcpy(&sin.sin_addr, a + 12, 4);
		sa = (struct sockaddr *)&sin;
	} else {
		memcpy(&sin6.sin6_addr, a, 16);
	}
	r = MMDB_lookup_sockaddr(db, sa, &err);
	if (err != MMDB_SUCCESS || !r.found_entry)
		return SW_AREA_UNKNOWN;
	if ((MMDB_get_value(&r.entry, &e, "country", "iso_code", NULL) != MMDB_SUCCESS ||
	     !e.has_data) &&
	    (MMDB_get_value(&r.entry, &e, "country_code", NULL) != MMDB_SUCCESS || !e.has_data))
		return SW_AREA_UNKNOWN;
	if (e.type != MMDB_DATA_TYPE_UTF8_STRING || e.data_size != 2)
		return SW_AREA_UNKNOWN;
	cc[0] = (char)(e.utf8_string[0] & ~0x20);
	cc[1] = (char)(e.utf8_string[1] & ~0x20);
	cc[2] = '\0';
	return sw_area_index(cc);
}

/*
 * Every answer of the caches equals the database's: n addresses in clusters (a random /16, then
 * addresses across it, then a few /24s of it, then single addresses), so that each of the three
 * caches answers many of them, and twice over (the second time mostly from the caches).
 */
static void check_caches(const char *path, uint32_t base, uint32_t span, unsigned int n)
{
	struct geoip g;
	MMDB_s db;
	char err[256] = "";
	uint64_t x = 0x9e3779b97f4a7c15ull;
	unsigned char a[16] = { [10] = 0xff, [11] = 0xff };
	unsigned int v6 = 0;

	assert_int_equal(geoip_open(&g, path, err, sizeof(err)), 0);
	assert_int_equal(MMDB_open(path, MMDB_MODE_MMAP, &db), MMDB_SUCCESS);
	for (int round = 0; round < 2; round++) {
		x = 0x9e3779b97f4a7c15ull;
		for (unsigned int i = 0; i < n; i++) {
			uint32_t ip;
			int got, want;

			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			/* Runs of 64 addresses share a /16, runs of 8 a /24 within it. */
			ip = base + (uint32_t)((x >> 40) % span);
			if (i % 64)
				ip = (ip & 0xffff0000u) | ((uint32_t)(x >> 8) & 0xffff);
			if (i % 8)
				ip = (ip & 0xffffff00u) | ((uint32_t)(x >> 16) & 0xff);
			a[12] = ip >> 24, a[13] = ip >> 16, a[14] = ip >> 8,
			a[15] = (unsigned char)ip;
			got = geoip_area(&g, a);
			want = direct_area(&db, a);
			if (got != want) {
				char gc[3], wc[3];

				sw_area_name(got, gc);
				sw_area_name(want, wc);
				fail_msg("%s: %u.%u.%u.%u is %s, the database says %s (round %d)",
					 path, a[12], a[13], a[14], a[15], gc, wc, round);
			}
		}
	}
	/* IPv6 goes through the address cache only. */
	for (unsigned int i = 0; i < n / 16; i++) {
		unsigned char b[16] = { 0x20, 0x01, 0x0d, 0xb8 };

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		memcpy(b + 4, &x, 8);
		b[4] = i % 2; /* half in 2001:db8:1::/48 of the test databases */
		if (geoip_area(&g, b) != direct_area(&db, b))
			v6++;
	}
	assert_int_equal(v6, 0);
	MMDB_close(&db);
	geoip_close(&g);
}

static void test_caches_exact(void **state)
{
	const char *path = real_db();

	(void)state;
	/* 198.16.0.0/14: the test prefixes, the rest of their /16 and the empty /16s around. */
	check_caches(fx.flat, 0xc6100000u, 1u << 18, 20000);
	check_caches(fx.maxmind, 0xc6100000u, 1u << 18, 20000);
	if (path)
		check_caches(path, 0, UINT32_MAX, 400000);
	else
		fprintf(stderr, "# no real country database: its caches are checked under CI\n");
}

static void test_flat_layout(void **state)
{
	(void)state;
	check_test_db(fx.flat);
}

static void test_maxmind_layout(void **state)
{
	(void)state;
	check_test_db(fx.maxmind);
}

/* Not a database at all: one message naming the file and the format, -EINVAL. */
static void test_not_mmdb(void **state)
{
	struct geoip g;
	char err[256] = "";

	(void)state;
	assert_int_equal(geoip_open(&g, "/etc/hostname", err, sizeof(err)), -EINVAL);
	assert_false(g.open);
	if (!strstr(err, "/etc/hostname is not a MaxMind-format country database"))
		fail_msg("unexpected message: %s", err);
	assert_null(strchr(err, '\n'));
}

/* A named file that is missing is an error, unlike the default path. */
static void test_missing_named(void **state)
{
	struct geoip g;
	char err[256] = "";

	(void)state;
	assert_int_equal(geoip_open(&g, "/nonexistent/country.mmdb", err, sizeof(err)), -EINVAL);
	if (!strstr(err,
		    "cannot read the country database /nonexistent/country.mmdb: No such file"))
		fail_msg("unexpected message: %s", err);
}

/* No database: geoip_area answers "??" for everything, and nothing fails. */
static void test_closed_is_unknown(void **state)
{
	struct geoip g;

	(void)state;
	memset(&g, 0, sizeof(g));
	assert_area(&g, "198.18.0.1", "??");
	assert_area(&g, "2001:db8:1::1", "??");
	geoip_close(&g);
}

/* The default path: absent is no error (the caller warns), present must open. */
static void test_default_path(void **state)
{
	struct geoip g;
	char err[256] = "";
	int ret;

	(void)state;
	ret = geoip_open(&g, NULL, err, sizeof(err));
	if (access(SW_GEOIP_DEFAULT, F_OK)) {
		assert_int_equal(ret, 0);
		assert_false(g.open);
	} else {
		if (ret)
			fail_msg("%s exists but does not open: %s", SW_GEOIP_DEFAULT, err);
		assert_true(g.open);
	}
	geoip_close(&g);
}

static const char *real_db(void)
{
	if (!access(SW_GEOIP_DEFAULT, R_OK))
		return SW_GEOIP_DEFAULT;
	if (!access(FETCHED_DB, R_OK))
		return FETCHED_DB;
	return NULL;
}

/*
 * The database of `make geoip` (ip-location-db, from the RIRs' registrations): addresses whose
 * holders are not about to move. 8.8.8.8 and 2001:4860:4860::8888 are Google's resolvers (ARIN,
 * US); 202.12.27.33 is the M root server, operated by WIDE in Japan (APNIC, JP). This reads the
 * file only; nothing is sent anywhere.
 */
static void test_real_db(void **state)
{
	const char *path = real_db();
	struct geoip g;
	char err[256] = "";

	(void)state;
	if (!path && getenv("CI") && !strcmp(getenv("CI"), "true")) {
		/* Under CI the database is part of what is tested: fetch it as documented. */
		if (system("make -s geoip GEOIP_DB= >&2"))
			fail_msg("make geoip failed: cannot test the real country database");
		path = real_db();
	}
	if (!path) {
		fprintf(stderr, "# no country database at %s or %s ('make geoip' fetches it)\n",
			SW_GEOIP_DEFAULT, FETCHED_DB);
		skip();
	}
	assert_int_equal(geoip_open(&g, path, err, sizeof(err)), 0);
	assert_area(&g, "8.8.8.8", "US");
	assert_area(&g, "2001:4860:4860::8888", "US");
	assert_area(&g, "202.12.27.33", "JP");
	geoip_close(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flat_layout),	  cmocka_unit_test(test_maxmind_layout),
		cmocka_unit_test(test_not_mmdb),	  cmocka_unit_test(test_missing_named),
		cmocka_unit_test(test_closed_is_unknown), cmocka_unit_test(test_default_path),
		cmocka_unit_test(test_real_db),		  cmocka_unit_test(test_caches_exact),
	};

	return cmocka_run_group_tests(tests, make_dbs, remove_dbs);
}
