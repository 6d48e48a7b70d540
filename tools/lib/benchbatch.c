// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench_batch.h"
#include "benchbatch.h"

int batch_open(const struct mix *m, struct bench_batch_bpf **out)
{
	struct batch_frame *frames = calloc(m->n, sizeof(*frames));
	__u32 *keys = calloc(m->n, sizeof(*keys)), count = (__u32)m->n;
	struct bench_batch_bpf *d = NULL;
	int err = frames && keys ? 0 : -ENOMEM;

	for (size_t i = 0; !err && i < m->n; i++) {
		if (m->frames[i].len > BATCH_FRAME_MAX) {
			err = -E2BIG;
			break;
		}
		frames[i].len = m->frames[i].len;
		memcpy(frames[i].data, m->buf + m->frames[i].off, m->frames[i].len);
		keys[i] = (__u32)i;
	}
	if (!err) {
		d = bench_batch_bpf__open();
		err = d ? bpf_map__set_max_entries(d->maps.frames, count) : -errno;
	}
	if (!err)
		err = bench_batch_bpf__load(d);
	if (!err && bpf_map_update_batch(bpf_map__fd(d->maps.frames), keys, frames, &count, NULL))
		err = -errno;
	free(frames);
	free(keys);
	if (err) {
		bench_batch_bpf__destroy(d);
		return err;
	}
	*out = d;
	return 0;
}
