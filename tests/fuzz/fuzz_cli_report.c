// SPDX-License-Identifier: GPL-2.0-only
/* `scanwatch report`'s options (fuzz_cli.h): the month, points, sizes, alert thresholds. */
#include "report.c"

#include "fuzz_cli.h"

static char fz_points[REPORT_MAX_POINTS][SW_POINT_LEN];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct report_opts o = {
		.points = fz_points, .top = CHART_TOP_DEFAULT, .width = 700, .height = 200
	};
	struct fuzz_args a;
	int err;

	alert_engine_init(&o.thresholds);
	fuzz_args_make(&a, "report", data, size);
	err = parse_args(&o, a.argc, a.argv);
	fuzz_check_ret(err, "report");
	if (!err) {
		FUZZ_CHECK(!o.data_dir != !o.db_url && o.out_dir && o.have_month && o.month >= 1 &&
				   o.month <= 12,
			   "report: accepted without a data dir, an out dir or a month (%d)",
			   o.month);
		FUZZ_CHECK(o.top >= 1 && o.top <= CHART_TOP_MAX, "report: --top %u", o.top);
		for (size_t i = 0; i < o.npoints; i++)
			fuzz_check_point(o.points[i], "report");
	}
	alert_engine_close(&o.thresholds);
	fuzz_args_free(&a);
	return 0;
}
