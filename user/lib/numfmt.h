/* SPDX-License-Identifier: GPL-2.0-only */
/* Numbers as a person reads them, the same in a report's tables and in a chart's legend. */
#ifndef SW_NUMFMT_H
#define SW_NUMFMT_H

#include <stdint.h>

#include "parse_num.h"

#define SW_COUNT_STRLEN 32
#define SW_SHARE_STRLEN 16

/* 161716 -> "161,716", as TALOT2 prints them. */
const char *sw_fmt_count(uint64_t v, char buf[SW_COUNT_STRLEN]);
/* part/total in % to 0.1, rounded half up on the exact ratio: "12.3 %"; "-" when total is 0. */
const char *sw_fmt_share(uint64_t part, uint64_t total, char buf[SW_SHARE_STRLEN]);
/* A count per point-day, rounded half up: TALOT2's "522 accesses per day"; 0 without days. */
uint64_t sw_per_day(uint64_t v, uint64_t point_days);
/*
 * v in decimal at p, without a terminating NUL; returns the end (at most 20 bytes). By hand, not
 * printf: the store writes a line per backscatter pair, and printf was a sixth of it.
 */
char *sw_put_u64(char *p, uint64_t v);
/* Every digit, no separators, as files and JSON hold it: "18446744073709551616". */
const char *sw_fmt_u128(sw_u128 v, char buf[SW_U128_STRLEN]);
/* With separators, as a report prints it: "18,446,744,073,709,551,616". */
#define SW_COUNT128_STRLEN 56
const char *sw_fmt_count128(sw_u128 v, char buf[SW_COUNT128_STRLEN]);
/*
 * A rate that may be far below one (accesses per watched address of a /64) to three significant
 * digits: "1,234" (whole from 100 up), "48.2", "0.00482", "5.42e-18" (below 0.001), "0".
 */
#define SW_RATE_STRLEN 32
const char *sw_fmt_rate(double v, char buf[SW_RATE_STRLEN]);

#endif
