// SPDX-License-Identifier: GPL-2.0-only
/* `scanwatch report`'s options (fuzz_cli.h): the month, points, sizes, alert thresholds. */
#include "report.c"

#include "fuzz_cli.h"

static char fz_points[MAX_POINTS][SW_POINT_LEN];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct report *r = calloc(1, sizeof(*r));
	struct alert_engine thresholds;
	const char *daemon = NULL;
	bool have_month = false;
	struct fuzz_args a;
	int err;

	if (!r)
		return 0;
	alert_engine_init(&thresholds);
	r->points = fz_points;
	r->top = CHART_TOP_DEFAULT;
	r->width = 700;
	r->height = 200;
	fuzz_args_make(&a, "report", data, size);
	err = parse_args(r, &thresholds, &daemon, &have_month, a.argc, a.argv);
	fuzz_check_ret(err, "report");
	if (!err) {
		FUZZ_CHECK(!r->data_dir != !r->db_url && r->out_dir && have_month &&
				   r->month >= 1 && r->month <= 12,
			   "report: accepted without a data dir, an out dir or a month (%d)",
			   r->month);
		FUZZ_CHECK(r->top >= 1 && r->top <= CHART_TOP_MAX, "report: --top %u", r->top);
		for (size_t i = 0; i < r->npoints; i++)
			fuzz_check_point(r->points[i], "report");
	}
	alert_engine_close(&thresholds);
	free(r);
	fuzz_args_free(&a);
	return 0;
}
