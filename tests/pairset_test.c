// SPDX-License-Identifier: GPL-2.0-only
/*
 * The day's set of (source, key) pairs (user/pairset.c): exact membership across shard growth,
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basics),
		cmocka_unit_test(test_against_reference),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
