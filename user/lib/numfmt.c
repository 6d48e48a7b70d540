// SPDX-License-Identifier: GPL-2.0-only
#include <inttypes.h>
#include <stdio.h>

#include "numfmt.h"

const char *sw_fmt_count(uint64_t v, char buf[SW_COUNT_STRLEN])
{
	char tmp[SW_COUNT_STRLEN];
	int n = snprintf(tmp, sizeof(tmp), "%" PRIu64, v), o = 0;

	for (int i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = '\0';
	return buf;
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
