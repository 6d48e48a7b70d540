// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dates.h"

/* n digits at s, nothing else: strptime and sscanf would take "+1", " 9" and "1x". */
static bool digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_len(int y, int m)
{
	static const int len[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && leap(y) ? 29 : len[m - 1];
}

/* Days since 1970-01-01 of a valid date (the proleptic Gregorian calendar, as timegm's). */
static int64_t civil_days(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int sw_month_parse(const char *s, int *year, int *month)
{
	int y, m;

	if (strlen(s) != 7 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m) || m < 1 ||
	    m > 12 || y < 1970)
		return -EINVAL;
	*year = y;
	*month = m;
	return 0;
}

/* YYYY-MM-DD at the start of s, whatever follows. */
static int day_prefix(const char *s, int64_t *day)
{
	int y, m, d;

	if (strnlen(s, 10) != 10 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m) ||
	    s[7] != '-' || !digits(s + 8, 2, &d) || y < 1970 || m < 1 || m > 12 || d < 1 ||
	    d > month_len(y, m))
		return -EINVAL;
	*day = civil_days(y, m, d);
	return 0;
}

int sw_day_parse(const char *s, int64_t *day)
{
	return strlen(s) == 10 ? day_prefix(s, day) : -EINVAL;
}

void sw_day_format(int64_t day, char out[11])
{
	time_t t = (time_t)(day * SW_DAY_S);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

void sw_month_days(int year, int month, int64_t *first, int64_t *last)
{
	*first = civil_days(year, month, 1);
	*last = *first + month_len(year, month) - 1;
}

int sw_weekday(int64_t day)
{
	/* 1970-01-01 was a Thursday (3 with Monday 0). */
	return (int)(((day + 3) % 7 + 7) % 7);
}

int sw_time_parse(const char *s, int64_t *t)
{
	size_t n = strlen(s);
	int64_t day;
	int h, mi, sec = 0;

	if (n && s[n - 1] == 'Z')
		n--;
	if ((n != 16 && n != 19) || day_prefix(s, &day) || s[10] != 'T' || !digits(s + 11, 2, &h) ||
	    s[13] != ':' || !digits(s + 14, 2, &mi) || h > 23 || mi > 59)
		return -EINVAL;
	if (n == 19 && (s[16] != ':' || !digits(s + 17, 2, &sec) || sec > 59))
		return -EINVAL;
	*t = day * SW_DAY_S + h * 3600 + mi * 60 + sec;
	return 0;
}

void sw_month_of(int64_t day, int *y, int *m)
{
	time_t t = (time_t)(day * SW_DAY_S);
	struct tm tm;

	gmtime_r(&t, &tm);
	*y = tm.tm_year + 1900;
	*m = tm.tm_mon + 1;
}

void sw_prev_month(int *y, int *m)
{
	if (--*m == 0) {
		*m = 12;
		--*y;
	}
}

void sw_date_of(time_t t, char out[11])
{
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

void sw_utc_second(uint64_t t, char out[SW_UTC_LEN])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(out, SW_UTC_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, SW_UTC_LEN, "%llu", (unsigned long long)t);
}
