// SPDX-License-Identifier: GPL-2.0-only
/*
 * `scanwatch summary`'s options (fuzz_cli.h): dates, months and ranges. Every command reads dates
 * with user/lib/dates.c: a date or month it takes must be the one it names, written exactly as it
 * prints it back (no sign, no blank, no trailing character), and a month must have 28 to 31 days.
 */
#include "summary_cmd.c"

#include "fuzz_cli.h"

static void check_dates(const struct fuzz_args *a)
{
	for (int i = 1; i < a->argc; i++) {
		const char *s = strchr(a->argv[i], '=') ? strchr(a->argv[i], '=') + 1 : a->argv[i];
		char back[16];
		int64_t day, first, last;
		int y, m;

		if (!sw_day_parse(s, &day)) {
			FUZZ_CHECK(day >= 0, "'%s' is day %lld, before 1970", s, (long long)day);
			sw_day_format(day, back);
			FUZZ_CHECK(!strcmp(s, back), "the date '%s' is taken for %s", s, back);
		}
		if (!sw_month_parse(s, &y, &m)) {
			snprintf(back, sizeof(back), "%04d-%02d", y, m);
			FUZZ_CHECK(!strcmp(s, back), "the month '%s' is taken for %s", s, back);
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
