// SPDX-License-Identifier: GPL-2.0-only
/*
 * The growable arrays (user/lib/grow.c): the capacity doubles from its first size and only when
 * the need passes it, what the array held is kept across every move, and a size that would pass
 * SIZE_MAX is refused with -ENOMEM before realloc is asked, leaving the array and its capacity.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>

#include "grow.h"

struct item {
	uint32_t id;
	char tag[12];
};

static void test_doubling(void **state)
{
	struct item *v = NULL;
	size_t cap = 0;

	(void)state;
	assert_int_equal(SW_GROW(v, cap, 1, 4), 0);
	assert_int_equal(cap, 4); /* the first size, though one was asked for */
	assert_int_equal(SW_GROW(v, cap, 4, 4), 0);
	assert_int_equal(cap, 4); /* fits: no move */
	assert_int_equal(SW_GROW(v, cap, 5, 4), 0);
	assert_int_equal(cap, 8);
	assert_int_equal(SW_GROW(v, cap, 33, 4), 0);
	assert_int_equal(cap, 64); /* 8 doubled three times */
	free(v);

	/* Without a first size the first allocation is exactly what is needed. */
	v = NULL;
	cap = 0;
	assert_int_equal(SW_GROW(v, cap, 7, 0), 0);
	assert_int_equal(cap, 7);
	assert_int_equal(SW_GROW(v, cap, 8, 0), 0);
	assert_int_equal(cap, 14);
	free(v);
}

static void test_contents_kept(void **state)
{
	struct item *v = NULL;
	size_t n = 0, cap = 0;

	(void)state;
	for (uint32_t i = 0; i < 1000; i++) {
		assert_int_equal(SW_GROW(v, cap, n + 1, 16), 0);
		v[n++] = (struct item){ .id = i * 7, .tag = "x" };
	}
	assert_int_equal(cap, 1024); /* 16 doubled six times */
	for (uint32_t i = 0; i < 1000; i++) {
		assert_int_equal(v[i].id, i * 7);
		assert_string_equal(v[i].tag, "x");
	}
	free(v);
}

static void test_overflow_refused(void **state)
{
	struct item *v = NULL, *before;
	size_t cap = 0;

	(void)state;
	assert_int_equal(SW_GROW(v, cap, 3, 0), 0);
	v[2].id = 42;
	before = v;
	/* need * sizeof(struct item) passes SIZE_MAX: refused, nothing moved or changed. */
	assert_int_equal(SW_GROW(v, cap, SIZE_MAX / sizeof(*v) + 1, 0), -ENOMEM);
	assert_ptr_equal(v, before);
	assert_int_equal(cap, 3);
	assert_int_equal(v[2].id, 42);
	/* Doubling that would wrap around stops at the need, which then does not fit either. */
	assert_int_equal(sw_grow(&v, &cap, SIZE_MAX, 2, 0), -ENOMEM);
	assert_int_equal(cap, 3);
	assert_int_equal(SW_RESIZE(v, SIZE_MAX), -ENOMEM);
	assert_int_equal(sw_resize(&v, 4, 0), -EINVAL);
	assert_int_equal(SW_RESIZE(v, 0), -EINVAL);
	assert_ptr_equal(v, before);
	assert_int_equal(v[2].id, 42);
	free(v);
}

static void test_resize(void **state)
{
	uint64_t *v = NULL;

	(void)state;
	assert_int_equal(SW_RESIZE(v, 2), 0);
	v[0] = 1;
	v[1] = 2;
	assert_int_equal(SW_RESIZE(v, 1000), 0);
	assert_int_equal(v[0], 1);
	assert_int_equal(v[1], 2);
	assert_int_equal(SW_RESIZE(v, 1), 0);
	assert_int_equal(v[0], 1);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_doubling),
		cmocka_unit_test(test_contents_kept),
		cmocka_unit_test(test_overflow_refused),
		cmocka_unit_test(test_resize),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
