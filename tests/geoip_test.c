// SPDX-License-Identifier: GPL-2.0-only
/*
 * Areas (SPEC.md §2): the country of a source from a MaxMind-format database through
 * libmaxminddb. Tiny databases made by tests/mkgeodb.pl (MaxMind::DB::Writer) in both record
 * layouts map 198.18.0.0/24 to JP, 198.18.1.0/24 to CN and 2001:db8:1::/48 to US; every other
 * address must come out as "??". Then the real database `make geoip` fetches, when present (under
 * CI=true it is fetched, and a failure to fetch fails the test): a few well-known addresses.
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
		cmocka_unit_test(test_real_db),
	};

	return cmocka_run_group_tests(tests, make_dbs, remove_dbs);
}
