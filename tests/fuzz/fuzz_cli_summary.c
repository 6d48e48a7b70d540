// SPDX-License-Identifier: GPL-2.0-only
/*
 * `scanwatch summary`'s options (fuzz_cli.h): dates, months and ranges. A date it takes must be
 * the day it names: the year, month and day printed back are the argument's (strptime lets
 * blanks in, "2009- 6-30", which is no harm). The same of the day and month forms `report` and
 * `alerts` take (user/alerts.c), given here whatever option they follow.
 */
#include "summary.c"

#include "alerts.h"
#include "fuzz_cli.h"

static void same_day(const char *s, const char *back, const char *who)
{
	int y, m, d, by, bm, bd;

	FUZZ_CHECK(sscanf(s, "%d-%d-%d", &y, &m, &d) == 3 &&
			   sscanf(back, "%d-%d-%d", &by, &bm, &bd) == 3 && y == by && m == bm &&
			   d == bd,
		   "%s takes the date '%s' for %s", who, s, back);
}

static void check_dates(const struct fuzz_args *a)
{
	for (int i = 1; i < a->argc; i++) {
		const char *s = strchr(a->argv[i], '=') ? strchr(a->argv[i], '=') + 1 : a->argv[i];
		char back[11];
		int64_t day, first, last;
		int y, m;

		/* Days before 1970 are refused whatever they name. */
		if (!parse_date(s, &day) && day >= 0) {
			format_date(day, back);
			same_day(s, back, "summary");
		}
		if (!sw_day_parse(s, &day) && day >= 0) {
			sw_day_format(day, back);
			same_day(s, back, "report and alerts");
		}
		if (!sw_month_parse(s, &y, &m)) {
			FUZZ_CHECK(m >= 1 && m <= 12, "'%s' is month %d", s, m);
			sw_month_days(y, m, &first, &last);
			FUZZ_CHECK(last - first >= 27 && last - first <= 30,
				   "month '%s' runs from day %lld to %lld", s, (long long)first,
				   (long long)last);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct summary_args s = { .from = -1, .to = -1 };
	struct fuzz_args a;
	int err;

	fuzz_args_make(&a, "summary", data, size);
	err = parse_args(&s, a.argc, a.argv);
	fuzz_check_ret(err, "summary");
	check_dates(&a);
	if (!err) {
		FUZZ_CHECK(!s.data_dir != !s.db_url && s.from >= 0 && s.from <= s.to &&
				   s.to - s.from <= 3700,
			   "summary: accepted days %lld to %lld", (long long)s.from,
			   (long long)s.to);
		if (s.point)
			fuzz_check_point(s.point, "summary");
	}
	fuzz_args_free(&a);
	return 0;
}
