// SPDX-License-Identifier: GPL-2.0-only
/* `scanwatch status` and `scanwatch detach`: their option parsers (fuzz_cli.h). */
#include "status.c"

#include "fuzz_cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct status_opts o = { .pin_root = SW_PIN_ROOT, .data_dir = SW_DATA_DIR_DEFAULT };
	const char *root = SW_PIN_ROOT, *point = NULL;
	struct fuzz_args a;
	int err;

	/* The first byte picks the command: status takes no --point, detach needs one. */
	bool detach = size && data[0] & 1;

	fuzz_args_make(&a, detach ? "detach" : "status", data + !!size, size - !!size);
	if (detach)
		err = parse_root(a.argc, a.argv, a.argv[0], detach_help, &root, &point);
	else
		err = parse_status(a.argc, a.argv, &o);
	fuzz_check_ret(err, a.argv[0]);
	if (!err) {
		FUZZ_CHECK(root && o.pin_root && o.data_dir, "%s: no pin root or data dir",
			   a.argv[0]);
		if (point)
			fuzz_check_point(point, "detach");
	}
	fuzz_args_free(&a);
	return 0;
}
