/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Calendar dates and times as the command line, the daily summaries, `tracked` and alerts.log
 * write them, parsed strictly in this one place: fixed width, digits where digits go (no sign, no
 * blank), a month of 1 to 12 and a day that month has. UTC; the calendar needs no time zone.
 */
#ifndef SW_DATES_H
#define SW_DATES_H

#include <stdint.h>
#include <time.h>

#define SW_DAY_S 86400

/* Days since the epoch for YYYY-MM-DD (1970 to 9999), and back. 0 or -EINVAL. */
int sw_day_parse(const char *s, int64_t *day);
void sw_day_format(int64_t day, char out[11]);
/* YYYY-MM (1970 to 9999). 0 or -EINVAL. */
int sw_month_parse(const char *s, int *year, int *month);
/* The first and last day of a month. */
void sw_month_days(int year, int month, int64_t *first, int64_t *last);
/* 0 Monday .. 6 Sunday. */
int sw_weekday(int64_t day);
/* Seconds since the epoch for YYYY-MM-DDTHH:MM, with :SS and a final Z optional. 0 or -EINVAL. */
int sw_time_parse(const char *s, int64_t *t);
/* A second since the epoch as YYYY-MM-DDTHH:MM:SSZ (UTC). */
#define SW_UTC_LEN 21
void sw_utc_second(uint64_t t, char out[SW_UTC_LEN]);

/* The UTC year and month (1-12) of a day number, and the month before one. */
void sw_month_of(int64_t day, int *y, int *m);
void sw_prev_month(int *y, int *m);

/* The calendar date of t in the process's time zone (TZ), as YYYY-MM-DD. */
void sw_date_of(time_t t, char out[11]);

#endif
