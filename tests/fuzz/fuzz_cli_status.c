// SPDX-License-Identifier: GPL-2.0-only
/* `scanwatch status` and `scanwatch detach`: their shared option parser (fuzz_cli.h). */
#include "status.c"

#include "fuzz_cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *root = SW_PIN_ROOT, *point = NULL;
	struct fuzz_args a;
	int err;

	/* The first byte picks the command: status takes no --point, detach needs one. */
	bool detach = size && data[0] & 1;

	fuzz_args_make(&a, detach ? "detach" : "status", data + !!size, size - !!size);
	err = parse_root(a.argc, a.argv, a.argv[0], detach ? detach_help : status_help, &root,
			 detach ? &point : NULL);
	fuzz_check_ret(err, a.argv[0]);
	if (!err) {
		FUZZ_CHECK(root, "%s: no pin root", a.argv[0]);
		if (point)
			fuzz_check_point(point, "detach");
	}
	fuzz_args_free(&a);
	return 0;
}
