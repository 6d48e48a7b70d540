// SPDX-License-Identifier: GPL-2.0-only
/*
 * `scanwatch summary`'s options (fuzz_cli.h): dates, months and ranges. A date it takes must be
 * the day it names: the year, month and day printed back are the argument's (strptime lets
 * blanks in, "2009- 6-30", which is no harm).
 */
#include "summary.c"

#include "fuzz_cli.h"

static void check_dates(const struct fuzz_args *a)
{
	for (int i = 1; i < a->argc; i++) {
		const char *s = strchr(a->argv[i], '=') ? strchr(a->argv[i], '=') + 1 : a->argv[i];
		char back[11];
		int64_t day;
		int y, m, d, by, bm, bd;

		/* Days before 1970 are refused whatever they name. */
		if (parse_date(s, &day) || day < 0)
			continue;
		format_date(day, back);
		FUZZ_CHECK(sscanf(s, "%d-%d-%d", &y, &m, &d) == 3 &&
				   sscanf(back, "%d-%d-%d", &by, &bm, &bd) == 3 && y == by &&
				   m == bm && d == bd,
			   "summary takes the date '%s' for %s", s, back);
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
		FUZZ_CHECK(s.data_dir && s.from >= 0 && s.from <= s.to && s.to - s.from <= 3700,
			   "summary: accepted days %lld to %lld", (long long)s.from,
			   (long long)s.to);
		if (s.point)
			fuzz_check_point(s.point, "summary");
	}
	fuzz_args_free(&a);
	return 0;
}
