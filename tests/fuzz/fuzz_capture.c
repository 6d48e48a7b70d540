// SPDX-License-Identifier: GPL-2.0-only
/*
 * Captures as `scanwatch replay` reads them: the input is a pcap or pcapng file, read by
 * libpcap through capture_scan() and capture_replay() (link types, timestamps, steps back in
 * time, frame lengths), then counted and stored as fuzz_packets does (fuzz_replay.h says what is
 * checked). A capture may be refused, by the scan before anything is counted; what the replay
 * read must be stored, every frame of it.
 * Needs root; without it the target exits 77 at start.
 */
#include "capture.h"
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
	struct capture_set set = { 0 };
	char *paths[] = { capture };
	struct progress pg;
	char errmsg[1024];
	int err;

	fuzz_replay_begin();
	/* Beside the point's directory in the data directory, which begin() empties. */
	snprintf(capture, sizeof(capture), "%s/capture", fuzz_dir());
	fuzz_write(capture, data, size);
	progress_init(&pg, "replay", true);
	err = capture_scan(&set, paths, 1, fuzz_rp.r.interval_s, &pg, errmsg, sizeof(errmsg));
	FUZZ_CHECK(!err || err == -EINVAL, "capture_scan: %s (%s)", strerror(-err), errmsg);
	if (!err) {
		err = capture_replay(&set, &fuzz_rp.r, &pg, errmsg, sizeof(errmsg));
		/* The scan read it all: the replay of what it accepted must not fail. */
		FUZZ_CHECK(!err, "capture_replay: %s (%s)", strerror(-err), errmsg);
	}
	capture_set_free(&set);
	fuzz_replay_end();
	unlink(capture);
	return 0;
}
