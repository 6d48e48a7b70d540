/* SPDX-License-Identifier: GPL-2.0-only */
/* Numbers as a person reads them, the same in a report's tables and in a chart's legend. */
#ifndef SW_NUMFMT_H
#define SW_NUMFMT_H

#include <stdint.h>

#define SW_COUNT_STRLEN 32
#define SW_SHARE_STRLEN 16

/* 161716 -> "161,716", as TALOT2 prints them. */
const char *sw_fmt_count(uint64_t v, char buf[SW_COUNT_STRLEN]);
/* part/total in % to 0.1, rounded half up on the exact ratio: "12.3 %"; "-" when total is 0. */
const char *sw_fmt_share(uint64_t part, uint64_t total, char buf[SW_SHARE_STRLEN]);
/* A count per point-day, rounded half up: TALOT2's "522 accesses per day"; 0 without days. */
uint64_t sw_per_day(uint64_t v, uint64_t point_days);

#endif
