// SPDX-License-Identifier: GPL-2.0-only
/* `scanwatch status` and `scanwatch detach`: their option parsers (fuzz_cli.h). */
#include "status.c"

#include "fuzz_cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct status_opts o = { .pin_root = SW_PIN_ROOT, .data_dir = SW_DATA_DIR_DEFAULT };
	struct detach_opts d = { .pin_root = SW_PIN_ROOT };
	struct fuzz_args a;
	int err;

	/* The first byte picks the command: status takes no --point, detach needs one. */
	bool detach = size && data[0] & 1;

	fuzz_args_make(&a, detach ? "detach" : "status", data + !!size, size - !!size);
	if (detach)
		err = parse_detach(a.argc, a.argv, &d);
	else
		err = parse_status(a.argc, a.argv, &o);
	fuzz_check_ret(err, a.argv[0]);
	if (!err) {
		FUZZ_CHECK(d.pin_root && o.pin_root && o.data_dir, "%s: no pin root or data dir",
			   a.argv[0]);
		if (d.point)
			fuzz_check_point(d.point, "detach");
	}
	fuzz_args_free(&a);
	return 0;
}
