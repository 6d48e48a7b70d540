// SPDX-License-Identifier: GPL-2.0-only
/*
 * The RRD writer's state files in DATA_DIR/POINT, read when `run` or `replay` opens a point:
 * `tracked` (keys and areas that have files) and `rrd-queue` (rows not written yet). Input: u16
 * length, the tracked file, then the queue. No RRD file exists, so nothing is created or written.
 *
 * A state that opens must be saved by close and open again with the same rows queued.
 */
#include "fuzz.h"
#include "rrdstore.h"

static int open_point(struct rrdstore *rs, const char *dir, const struct key_list *keys)
{
	struct rrdstore_config cfg = {
		.data_dir = dir,
		.point = "p",
		.step_s = 60,
		.keys = keys,
		/* A clock at 2100-01-01: rows of rrd-queue after it are dropped, never queued. */
		.queue_until_s = 4102444800ull,
	};

	return rrdstore_open(rs, &cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *dir = fuzz_dir();
	struct key_list keys = { 0 }; /* no configured key: only what `tracked` names */
	const uint8_t *tracked, *queue;
	size_t tlen, qlen, queued;
	char path[4096];
	struct rrdstore rs;
	int err;

	fuzz_split(data, size, &tracked, &tlen, &queue, &qlen);
	fuzz_clear_dir(dir);
	snprintf(path, sizeof(path), "%s/p", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/p/tracked", dir);
	fuzz_write(path, tracked, tlen);
	snprintf(path, sizeof(path), "%s/p/rrd-queue", dir);
	fuzz_write(path, queue, qlen);

	err = open_point(&rs, dir, &keys);
	if (err) {
		FUZZ_CHECK(err == -EINVAL || err == -ENOMEM, "rrdstore_open: %s (%s)",
			   strerror(-err), rs.errmsg);
		return 0;
	}
	queued = rrdstore_queued(&rs);
	err = rrdstore_close(&rs);
	FUZZ_CHECK(!err, "rrdstore_close: %s", rs.errmsg);
	err = open_point(&rs, dir, &keys);
	FUZZ_CHECK(!err, "the state close saved does not open: %s", rs.errmsg);
	FUZZ_CHECK(rrdstore_queued(&rs) == queued, "%zu rows queued, %zu after close and open",
		   queued, rrdstore_queued(&rs));
	err = rrdstore_close(&rs);
	FUZZ_CHECK(!err, "rrdstore_close: %s", rs.errmsg);
	return 0;
}
