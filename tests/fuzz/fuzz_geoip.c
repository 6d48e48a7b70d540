// SPDX-License-Identifier: GPL-2.0-only
/*
 * The country database (`run --geoip FILE`, `replay --geoip FILE`): a MaxMind-format file read
 * by libmaxminddb, whose records user/store/geoip.c reads in two layouts. Input: the file's bytes.
 * A database that opens must answer every lookup with an area, a known country or unknown,
 * for the test prefixes (tests/mkgeodb.pl) and for addresses taken from the input itself.
 */
#include "fuzz.h"
#include "geoip.h"

/*
 * libmaxminddb 1.7 loses the metadata it read when MMDB_open refuses a damaged database
 * (upstream pull request 356, fixed in 1.12): not ours to fix. Suppressing it by name needs
 * whole stacks, which the library's frames without frame pointers cut short otherwise.
 */
const char *__asan_default_options(void);
const char *__lsan_default_suppressions(void);

const char *__asan_default_options(void)
{
	return "fast_unwind_on_malloc=0";
}

const char *__lsan_default_suppressions(void)
{
	return "leak:MMDB_open\n";
}

static void check(struct geoip *g, const unsigned char addr[16])
{
	int area = geoip_area(g, addr);

	FUZZ_CHECK(area >= 0 && area < SW_NAREAS, "area %d", area);
	/* Twice: the second answer comes from the cache and must be the same. */
	FUZZ_CHECK(geoip_area(g, addr) == area, "the cache changed an answer");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char fixed[][16] = {
		{ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 198, 18, 0, 1 },
		{ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 198, 18, 1, 1 },
		{ 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 },
		{ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1 },
	};
	char path[4096], errmsg[512];
	unsigned char addr[16];
	struct geoip g;

	snprintf(path, sizeof(path), "%s/db.mmdb", fuzz_dir());
	fuzz_write(path, data, size);
	if (geoip_open(&g, path, errmsg, sizeof(errmsg)))
		return 0;
	FUZZ_CHECK(g.open, "geoip_open succeeded without a database");
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		check(&g, fixed[i]);
	/* Addresses from the input's first and last bytes, as IPv6 and IPv4. */
	for (int end = 0; end < 2 && size >= 16; end++) {
		memcpy(addr, end ? data + size - 16 : data, 16);
		check(&g, addr);
		memset(addr, 0, 10);
		addr[10] = addr[11] = 0xff;
		check(&g, addr);
	}
	geoip_close(&g);
	return 0;
}
