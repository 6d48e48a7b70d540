// SPDX-License-Identifier: GPL-2.0-only
/*
 * The day's set of (source, key) pairs (user/store/pairset.c): exact membership across shard growth,
 * IPv4 and IPv6 apart, the same address under two keys or two kinds as two pairs. The reference
 * is a sorted array of what was added: the set must agree with it on every pair, new or not.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pairset.h"

static void v4_pair(struct sw_pair *p, uint32_t addr, uint8_t cls, uint8_t kind, uint16_t num)
{
	memset(p, 0, sizeof(*p));
	p->addr[10] = p->addr[11] = 0xff;
	memcpy(p->addr + 12, &addr, 4);
	p->key.cls = cls;
	p->key.kind = kind;
	p->key.num = num;
}

static void v6_pair(struct sw_pair *p, uint64_t low, uint8_t cls, uint16_t num)
{
	memset(p, 0, sizeof(*p));
	p->addr[0] = 0x20;
	p->addr[1] = 0x01;
	p->addr[2] = 0x0d;
	p->addr[3] = 0xb8;
	memcpy(p->addr + 8, &low, 8);
	p->key.cls = cls;
	p->key.num = num;
}

static void test_basics(void **state)
{
	struct pairset s;
	struct sw_pair a, b, c, d, e;

	(void)state;
	pairset_init(&s);
	v4_pair(&a, 0x0100120a, SW_CLS_TCP, SW_KIND_SCAN, 445);
	v4_pair(&b, 0x0100120a, SW_CLS_TCP, SW_KIND_BACKSCATTER, 445); /* other kind */
	v4_pair(&c, 0x0100120a, SW_CLS_UDP, SW_KIND_SCAN, 445); /* other class */
	v6_pair(&d, 0x0100120a, SW_CLS_TCP, 445); /* an IPv6 address with the same low bits */
	memset(&e, 0, sizeof(e)); /* class 0 is no key: it would read as an empty slot */
	assert_int_equal(pairset_has(&s, &a), 0);
	assert_int_equal(pairset_add(&s, &a), 1);
	assert_int_equal(pairset_add(&s, &a), 0);
	assert_int_equal(pairset_add(&s, &b), 1);
	assert_int_equal(pairset_add(&s, &c), 1);
	assert_int_equal(pairset_add(&s, &d), 1);
	assert_int_equal(pairset_add(&s, &d), 0);
	assert_int_equal(pairset_add(&s, &e), -EINVAL);
	assert_int_equal(pairset_len(&s), 4);
	assert_true(pairset_has(&s, &b) && pairset_has(&s, &d));
	assert_true(pairset_bytes(&s) > 0);
	pairset_free(&s);
	assert_int_equal(pairset_len(&s), 0);
	assert_int_equal(pairset_bytes(&s), 0);
}

static int cmp_pair(const void *x, const void *y)
{
	return memcmp(x, y, sizeof(struct sw_pair));
}

static uint64_t rng(uint64_t *st)
{
	*st ^= *st << 13;
	*st ^= *st >> 7;
	*st ^= *st << 17;
	return *st;
}

/*
 * 400 000 draws from a space small enough for many repeats (20 000 addresses × 8 keys, a tenth
 * IPv6): every shard grows several times, and the set must say "new" exactly for the pairs the
 * sorted reference has not seen, and hold exactly the distinct ones at the end.
 */
static void test_against_reference(void **state)
{
	enum { DRAWS = 400000 };
	struct sw_pair *seen = calloc(DRAWS, sizeof(*seen));
	size_t nseen = 0, news = 0;
	struct pairset s;
	uint64_t st = 88172645463325252ull;

	(void)state;
	assert_non_null(seen);
	pairset_init(&s);
	for (int i = 0; i < DRAWS; i++) {
		uint64_t r = rng(&st);
		uint32_t src = r % 20000;
		unsigned int k = (r >> 32) % 8;
		struct sw_pair p;
		int ret;

		if (src % 10 == 0)
			v6_pair(&p, src, k < 4 ? SW_CLS_TCP : SW_CLS_UDP, 20 + k);
		else
			v4_pair(&p, 0xc6120000 + src, k < 4 ? SW_CLS_TCP : SW_CLS_UDP,
				k & 1 ? SW_KIND_SCAN : SW_KIND_OTHER, 20 + k);
		ret = pairset_add(&s, &p);
		assert_true(ret == 0 || ret == 1);
		news += ret;
		seen[nseen++] = p;
	}
	qsort(seen, nseen, sizeof(*seen), cmp_pair);
	{
		size_t distinct = 0;

		for (size_t i = 0; i < nseen; i++)
			if (i == 0 || cmp_pair(&seen[i], &seen[i - 1]))
				seen[distinct++] = seen[i];
		assert_int_equal(news, distinct);
		assert_int_equal(pairset_len(&s), distinct);
		for (size_t i = 0; i < distinct; i++)
			assert_int_equal(pairset_has(&s, &seen[i]), 1);
	}
	/* Pairs never added are not found: other addresses, and known ones under an unused key. */
	for (uint32_t a = 20000; a < 30000; a++) {
		struct sw_pair p;

		v4_pair(&p, 0xc6120000 + a, SW_CLS_TCP, SW_KIND_SCAN, 20);
		assert_int_equal(pairset_has(&s, &p), 0);
		v4_pair(&p, 0xc6120000 + a - 20000, SW_CLS_TCP, SW_KIND_SCAN, 9999);
		assert_int_equal(pairset_has(&s, &p), 0);
	}
	pairset_free(&s);
	free(seen);
}

/*
 * A ceiling of 1 000 pairs over the same 400 000 draws: the set must take exactly the first
 * 1 000 distinct pairs in draw order, say 0 for any of them seen again and -ENOSPC for every
 * other draw, whatever its shard. The reference: a set without ceiling (checked above) of all
 * pairs drawn so far, and one of the first 1 000.
 */
static void test_ceiling(void **state)
{
	enum { DRAWS = 400000, CEILING = 1000 };
	struct pairset s, all, firsts;
	uint64_t st = 88172645463325252ull;
	size_t refused = 0, expect_refused = 0;

	(void)state;
	pairset_init(&s);
	pairset_init(&all);
	pairset_init(&firsts);
	pairset_set_max(&s, CEILING);
	for (int i = 0; i < DRAWS; i++) {
		uint64_t r = rng(&st);
		struct sw_pair p;
		int want, got;

		if (r % 10 == 0)
			v6_pair(&p, r % 20000, SW_CLS_UDP, 53);
		else
			v4_pair(&p, 0xc6120000 + r % 20000, SW_CLS_TCP, SW_KIND_SCAN,
				20 + (r >> 32) % 8);
		if (!pairset_has(&all, &p) && pairset_len(&firsts) < CEILING)
			assert_int_equal(pairset_add(&firsts, &p), 1);
		want = pairset_has(&firsts, &p) ? !pairset_has(&all, &p) : -ENOSPC;
		assert_true(pairset_add(&all, &p) >= 0);
		got = pairset_add(&s, &p);
		assert_int_equal(got, want);
		refused += got == -ENOSPC;
		expect_refused += want == -ENOSPC;
	}
	assert_int_equal(pairset_len(&s), CEILING);
	assert_int_equal(refused, expect_refused);
	assert_true(refused > DRAWS / 2);
	/* The ceiling is a setting: emptying the set for the next day keeps it. */
	pairset_free(&s);
	assert_int_equal(s.max_len, CEILING);
	pairset_free(&s);
	pairset_free(&all);
	pairset_free(&firsts);
}

/* The i-th pair of test_reserve_and_bound's sets: all IPv4 or all IPv6, all distinct. */
static void nth_pair(struct sw_pair *p, size_t i, int v6)
{
	if (v6)
		v6_pair(p, i, SW_CLS_TCP, 445);
	else
		v4_pair(p, (uint32_t)i * 2654435761u, SW_CLS_TCP, SW_KIND_SCAN, 445);
}

/*
 * Reserving for a day read back: the pairs then go in without a shard growing (the bytes do not
 * move) when a shard's share is more than its first size (smaller ones grow as usual), and no set
 * holds more than pairset_bytes_max says, all IPv4, all IPv6, reserved or grown.
 */
static void test_reserve_and_bound(void **state)
{
	static const size_t sizes[] = { 0, 1, 300, 5000, 100000, 1000000 };

	(void)state;
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		size_t n = sizes[k];

		for (int v6 = 0; v6 <= 1; v6++) {
			struct pairset grown, reserved;
			size_t before;

			pairset_init(&grown);
			pairset_init(&reserved);
			assert_int_equal(pairset_reserve(&reserved, v6 ? 0 : n, v6 ? n : 0), 0);
			before = pairset_bytes(&reserved);
			for (size_t i = 0; i < n; i++) {
				struct sw_pair p;

				nth_pair(&p, i, v6);
				assert_int_equal(pairset_add(&grown, &p), 1);
				assert_int_equal(pairset_add(&reserved, &p), 1);
			}
			assert_int_equal(pairset_len(&reserved), n);
			if (n >= 100000)
				assert_int_equal(pairset_bytes(&reserved), before);
			assert_true(pairset_bytes(&grown) <= pairset_bytes_max(n));
			assert_true(pairset_bytes(&reserved) <= pairset_bytes_max(n));
			/*
			 * An IPv4 pair takes 8 bytes a slot; a shard just grown has 45.7 % of its
			 * slots used, and the staggered shards are not all just grown.
			 */
			if (!v6 && n >= 100000)
				assert_true(pairset_bytes(&grown) <= n * 8 * 100 / 45);
			/*
			 * Reserving more on a set that holds pairs grows its shards where they are
			 * (the big ones in place): every pair is still found, none added twice.
			 */
			assert_int_equal(pairset_reserve(&grown, v6 ? 0 : 3 * n, v6 ? 3 * n : 0),
					 0);
			assert_int_equal(pairset_len(&grown), n);
			for (size_t i = 0; i < n; i++) {
				struct sw_pair p;

				nth_pair(&p, i, v6);
				assert_int_equal(pairset_has(&grown, &p), 1);
				assert_int_equal(pairset_add(&grown, &p), 0);
			}
			assert_int_equal(pairset_len(&grown), n);
			pairset_free(&grown);
			pairset_free(&reserved);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basics),
		cmocka_unit_test(test_against_reference),
		cmocka_unit_test(test_ceiling),
		cmocka_unit_test(test_reserve_and_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
