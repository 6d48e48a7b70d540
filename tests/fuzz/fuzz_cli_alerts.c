// SPDX-License-Identifier: GPL-2.0-only
/* `scanwatch alerts`' options (fuzz_cli.h): days or months, points, thresholds. */
#include "alerts_cmd.c"

#include "fuzz_cli.h"

static char fz_points[MAX_POINTS][SW_POINT_LEN];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct alert_engine cfg;
	const char *data_dir = NULL, *db_url = NULL;
	int64_t since = INT64_MIN, until = INT64_MAX;
	size_t npoints = 0;
	bool json = false;
	struct fuzz_args a;
	int err;

	alert_engine_init(&cfg);
	fuzz_args_make(&a, "alerts", data, size);
	err = parse_args(a.argc, a.argv, &data_dir, &db_url, fz_points, &npoints, &since, &until,
			 &json, &cfg);
	fuzz_check_ret(err, "alerts");
	if (!err) {
		FUZZ_CHECK(!data_dir != !db_url,
			   "alerts: accepted without one of --data-dir, --db");
		for (size_t i = 0; i < npoints; i++)
			fuzz_check_point(fz_points[i], "alerts");
	}
	alert_engine_close(&cfg);
	fuzz_args_free(&a);
	return 0;
}
