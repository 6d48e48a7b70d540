// SPDX-License-Identifier: GPL-2.0-only
/* `scanwatch graph`'s options (fuzz_cli.h): times, charts, --key, sizes. */
#include "graph.c"

#include "fuzz_cli.h"

static char points[MAX_POINTS][SW_POINT_LEN];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct graph_opts o;
	struct fuzz_args a;
	char file[64];
	int err;

	graph_opts_init(&o, points);
	fuzz_args_make(&a, "graph", data, size);
	err = parse_args(&o, a.argc, a.argv);
	fuzz_check_ret(err, "graph");
	if (!err) {
		FUZZ_CHECK(o.data_dir && o.out_dir, "graph: accepted without --data-dir or --out");
		for (size_t i = 0; i < o.npoints; i++)
			fuzz_check_point(o.points[i], "graph");
		if (o.have_key) {
			chart_key_file(&o.key, file, sizeof(file));
			FUZZ_CHECK(file[0] &&
					   strspn(file, "abcdefghijklmnopqrstuvwxyz0123456789_") ==
						   strlen(file),
				   "graph: --key makes the file name '%s'", file);
		}
	}
	fuzz_args_free(&a);
	return 0;
}
