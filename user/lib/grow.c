// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"

int sw_resize(void *pp, size_t n, size_t elem)
{
	void *p, *np;

	if (!n || !elem)
		return -EINVAL;
	if (n > SIZE_MAX / elem)
		return -ENOMEM;
	/*
	 * The pointer is copied in and out rather than read through a void **: the caller's is a
	 * struct foo *, and an lvalue of another pointer type would break the aliasing rules.
	 */
	memcpy(&p, pp, sizeof(p));
	np = realloc(p, n * elem);
	if (!np)
		return -ENOMEM;
	memcpy(pp, &np, sizeof(np));
	// cppcheck-suppress memleak ; the block is the caller's now, through the copy into *pp
	return 0;
}

int sw_grow(void *pp, size_t *cap, size_t need, size_t elem, size_t first)
{
	size_t ncap = *cap ? *cap : first;
	int err;

	if (need <= *cap)
		return 0;
	if (!ncap)
		ncap = need;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	err = sw_resize(pp, ncap, elem);
	if (!err)
		*cap = ncap;
	return err;
}
