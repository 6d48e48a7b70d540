// SPDX-License-Identifier: GPL-2.0-only
/*
 * Packets through the real XDP program and the whole user-space aggregation: frames run with
 * BPF_PROG_TEST_RUN, drained, tallied, stored in daily files and read back (fuzz_replay.h says
 * what is checked). Input: records of [seconds to add: u8][length: u16 LE][frame]. A step of
 * 200 or more adds (step - 199) × 6 hours, so that inputs cross intervals and days.
 * Needs root; without it the target exits 77 at start.
 */
#include "fuzz_replay.h"

#define T0 1254873600ull /* 2009-10-07T00:00:00Z */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_replay_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t t = T0, n = 0;

	fuzz_replay_begin();
	while (size >= 3) {
		unsigned int step = data[0];
		size_t len = (size_t)(data[1] | data[2] << 8);
		int err;

		data += 3;
		size -= 3;
		if (len > size)
			len = size;
		t += step < 200 ? step : (uint64_t)(step - 199) * 21600;
		/* Frames of one second keep their order: a nanosecond apart. */
		err = replay_frame(&fuzz_rp.r, data, (uint32_t)len, t * 1000000000ull + n++);
		FUZZ_CHECK(!err, "replay_frame: %s", fuzz_rp.r.sensor.errmsg);
		data += len;
		size -= len;
	}
	fuzz_replay_end();
	return 0;
}
