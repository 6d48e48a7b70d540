// SPDX-License-Identifier: GPL-2.0-only
/* `scanwatch top`: its option parser (fuzz_cli.h). */
#include "top.c"

#include "fuzz_cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct top_opts o = { .pin_root = SW_PIN_ROOT, .count = TOP_COUNT_DEFAULT };
	struct fuzz_args a;
	int err;

	fuzz_args_make(&a, "top", data, size);
	err = parse_top(a.argc, a.argv, &o);
	fuzz_check_ret(err, "top");
	if (!err) {
		FUZZ_CHECK(o.pin_root, "top: no pin root");
		FUZZ_CHECK(o.count >= 1 && o.count <= TOP_COUNT_MAX, "top: --count %u accepted",
			   o.count);
		FUZZ_CHECK(!o.json || o.once, "top: --json accepted without --once");
		if (o.point)
			fuzz_check_point(o.point, "top");
	}
	fuzz_args_free(&a);
	return 0;
}
