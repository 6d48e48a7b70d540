// SPDX-License-Identifier: GPL-2.0-only
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "numfmt.h"

/* The digits with a comma before each group of three from the right; buf has room for them. */
static const char *grouped(const char *digits, char *buf)
{
	int n = (int)strlen(digits), o = 0;

	for (int i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

const char *sw_fmt_count(uint64_t v, char buf[SW_COUNT_STRLEN])
{
	char tmp[SW_COUNT_STRLEN];

	snprintf(tmp, sizeof(tmp), "%" PRIu64, v);
	return grouped(tmp, buf);
}

const char *sw_fmt_share(uint64_t part, uint64_t total, char buf[SW_SHARE_STRLEN])
{
	uint64_t pm;

	if (!total) {
		snprintf(buf, SW_SHARE_STRLEN, "-");
		return buf;
	}
	/* 128-bit: a share of counts above 2^53 must round as exactly as a small one. */
	pm = (uint64_t)((2000 * (unsigned __int128)part + total) / (2 * (unsigned __int128)total));
	snprintf(buf, SW_SHARE_STRLEN, "%" PRIu64 ".%" PRIu64 " %%", pm / 10, pm % 10);
	return buf;
}

uint64_t sw_per_day(uint64_t v, uint64_t point_days)
{
	return point_days ? (uint64_t)((2 * (unsigned __int128)v + point_days) /
				       (2 * (unsigned __int128)point_days)) :
			    0;
}

char *sw_put_u64(char *p, uint64_t v)
{
	char tmp[20];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

const char *sw_fmt_u128(sw_u128 v, char buf[SW_U128_STRLEN])
{
	char tmp[SW_U128_STRLEN];
	int n = 0, o = 0;

	do {
		tmp[n++] = (char)('0' + (int)(v % 10));
		v /= 10;
	} while (v);
	while (n)
		buf[o++] = tmp[--n];
	buf[o] = '\0';
	return buf;
}

const char *sw_fmt_count128(sw_u128 v, char buf[SW_COUNT128_STRLEN])
{
	char tmp[SW_U128_STRLEN];

	return grouped(sw_fmt_u128(v, tmp), buf);
}

const char *sw_fmt_rate(double v, char buf[SW_RATE_STRLEN])
{
	/* Decimals for three significant digits once rounded: 99.96 is "100", not "100.0". */
	static const double bounds[] = { 99.95, 9.995, 0.9995, 0.09995, 0.009995, 0.0009995 };
	char tmp[SW_COUNT_STRLEN];
	int d;

	if (v >= bounds[0]) {
		snprintf(buf, SW_RATE_STRLEN, "%s", sw_fmt_count((uint64_t)llround(v), tmp));
		return buf;
	}
	for (d = 1; d < (int)(sizeof(bounds) / sizeof(bounds[0])); d++)
		if (v >= bounds[d])
			break;
	if (v == 0)
		snprintf(buf, SW_RATE_STRLEN, "0");
	else if (d < (int)(sizeof(bounds) / sizeof(bounds[0])))
		snprintf(buf, SW_RATE_STRLEN, "%.*f", d, v);
	else
		snprintf(buf, SW_RATE_STRLEN, "%.2e", v);
	return buf;
}
