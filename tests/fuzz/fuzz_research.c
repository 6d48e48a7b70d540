// SPDX-License-Identifier: GPL-2.0-only
/*
 * The research list (`run --research FILE`, user/lib/research.c). Input: the file's bytes.
 *
 * The reader accepts the file or reports one line of it, as "FILE:LINE: why" with a line the
 * file has. What it accepts are prefixes of at most 128 bits (an IPv4 one IPv4-mapped, 96 and
 * more) with no bit set past their length, at most SW_MAX_RESEARCH of them; written out one a
 * line, they must read back the same.
 */
#include "fuzz.h"
#include "keyfmt.h"
#include "research.h"

static bool clean(const struct sw_prefix *p)
{
	for (unsigned int bit = p->prefixlen; bit < 128; bit++)
		if (p->addr[bit / 8] & (0x80 >> (bit % 8)))
			return false;
	return true;
}

static unsigned int lines_of(const uint8_t *data, size_t size)
{
	unsigned int n = 0;

	for (size_t i = 0; i < size; i++)
		n += data[i] == '\n';
	return n + (size && data[size - 1] != '\n');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[4096], copy[4096], errmsg[8192], addr[SW_ADDR_STRLEN];
	struct prefix_list l = { 0 }, back = { 0 };
	unsigned int line;
	int err;
	FILE *f;

	snprintf(path, sizeof(path), "%s/research", fuzz_dir());
	fuzz_write(path, data, size);
	err = research_load(path, &l, errmsg, sizeof(errmsg));
	FUZZ_CHECK(!err || err == SW_EXIT_USAGE, "research_load returned %d", err);
	if (err) {
		size_t n = strlen(path);

		FUZZ_CHECK(!l.v && !l.n, "a refused list kept %zu prefixes", l.n);
		FUZZ_CHECK(!strncmp(errmsg, path, n) && errmsg[n] == ':' &&
				   sscanf(errmsg + n + 1, "%u", &line) == 1 && line >= 1 &&
				   line <= lines_of(data, size) && !strchr(errmsg, '\n'),
			   "research_load: '%s'", errmsg);
		return 0;
	}
	FUZZ_CHECK(l.n <= SW_MAX_RESEARCH, "%zu prefixes", l.n);
	snprintf(copy, sizeof(copy), "%s/research.out", fuzz_dir());
	f = fopen(copy, "w");
	FUZZ_CHECK(f, "cannot write %s", copy);
	for (size_t i = 0; i < l.n; i++) {
		const struct sw_prefix *p = &l.v[i];
		int v4 = sw_addr_is_v4(p->addr);

		FUZZ_CHECK(p->prefixlen <= 128 && (!v4 || p->prefixlen >= 96) && clean(p),
			   "prefix %zu: length %u, bits past it", i, p->prefixlen);
		sw_addr_str(p->addr, addr);
		fprintf(f, "%s/%u\n", addr, v4 ? p->prefixlen - 96 : p->prefixlen);
	}
	fclose(f);
	err = research_load(copy, &back, errmsg, sizeof(errmsg));
	FUZZ_CHECK(!err, "a written list does not read back: %s", errmsg);
	FUZZ_CHECK(back.n == l.n && (!l.n || !memcmp(back.v, l.v, l.n * sizeof(*l.v))),
		   "%zu prefixes written, %zu read back, or different ones", l.n, back.n);
	prefix_list_free(&l);
	prefix_list_free(&back);
	return 0;
}
