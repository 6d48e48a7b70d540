/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef SW_PARSE_NUM_H
#define SW_PARSE_NUM_H

#include <stdint.h>

/* Whole decimal number in [min, max], nothing else in the string. 0 or -EINVAL/-ERANGE. */
int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
int parse_uint(const char *s, unsigned int min, unsigned int max, unsigned int *out);

/*
 * A count that may pass 2^64: the addresses of a set of IPv6 prefixes (a /64 alone is 2^64).
 * Kept exact up to 2^128 - 1, where sums stop (SW_U128_MAX).
 */
typedef unsigned __int128 sw_u128;
#define SW_U128_MAX (~(sw_u128)0)
#define SW_U128_STRLEN 40 /* 2^128 - 1 has 39 digits */

/* Whole decimal number up to 2^128 - 1, nothing else in the string. 0 or -EINVAL/-ERANGE. */
int parse_u128(const char *s, sw_u128 *out);
/* a + b, or SW_U128_MAX when the sum would not fit. */
static inline sw_u128 sw_u128_add_sat(sw_u128 a, sw_u128 b)
{
	return a > SW_U128_MAX - b ? SW_U128_MAX : a + b;
}

#endif
