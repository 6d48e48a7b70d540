// SPDX-License-Identifier: GPL-2.0-only
/*
 * Captures as `scanwatch replay` reads them: the input is a pcap or pcapng file, read by
 * libpcap and replay_file() (link types, timestamps, frame lengths), then counted and stored as
 * fuzz_packets does (fuzz_replay.h says what is checked). A capture may be refused or end
 * damaged; what was read before must still be stored, every frame of it.
 * Needs root; without it the target exits 77 at start.
 */
#include "fuzz_replay.h"

static char capture[4096];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_replay_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char errmsg[1024];
	int err;

	fuzz_replay_begin();
	/* Beside the point's directory in the data directory, which begin() empties. */
	snprintf(capture, sizeof(capture), "%s/capture", fuzz_dir());
	fuzz_write(capture, data, size);
	err = replay_file(&fuzz_rp.r, capture, errmsg, sizeof(errmsg));
	FUZZ_CHECK(!err || err == -EINVAL, "replay_file: %s (%s)", strerror(-err), errmsg);
	fuzz_replay_end();
	unlink(capture);
	return 0;
}
