/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A point's kernel side: the loaded XDP program, its tables and, when live, the bpf_link and the
 * pins under PIN_ROOT/POINT that let a restarted daemon resume what the kernel kept counting.
 */
#ifndef SW_SENSOR_H
#define SW_SENSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <limits.h>

#include "scanwatch.h"

#define SW_PIN_ROOT "/sys/fs/bpf/scanwatch"
#define SW_DEFAULT_MAX_PAIRS 1048576
#define SW_DEFAULT_MAX_KEYS 65536
#define SW_ERRMSG_LEN 512

enum sw_mode_req { SW_REQ_AUTO, SW_REQ_NATIVE, SW_REQ_GENERIC };

struct sensor_config {
	const char *point;
	const char *ifname; /* live only */
	enum sw_mode_req mode;
	bool drop;
	const struct sw_prefix *watch;
	size_t nwatch;
	unsigned int max_pairs;
	unsigned int max_keys;
	unsigned int interval_s;
	const char *pin_root; /* NULL: SW_PIN_ROOT */
};

struct scanwatch_bpf;

struct sensor {
	char point[33];
	struct scanwatch_bpf *skel; /* NULL when resumed from pins */
	int prog_fd;
	int link_fd; /* -1 for replay */
	int keys_fd[SW_NGENS], pairs_fd[SW_NGENS], stats_fd[SW_NGENS];
	int keys_outer_fd, active_fd, watch_fd, meta_fd;
	__u32 gen; /* the generation the program writes to */
	int ncpus;
	bool resumed;
	/*
	 * Replay runs the program in the caller's thread, so drain_flip need not wait for it;
	 * set this when another thread runs packets while this one drains.
	 */
	bool flip_waits;
	struct sw_meta meta;
	char pin_dir[PATH_MAX];
	char errmsg[SW_ERRMSG_LEN]; /* why the last call failed */
};

/* Loads, attaches and pins, or resumes a pinned point of the same name. 0 or -errno. */
int sensor_open_live(struct sensor *s, const struct sensor_config *cfg);
/* Loads the same program for BPF_PROG_TEST_RUN with capture time as the clock. */
int sensor_open_replay(struct sensor *s, const struct sensor_config *cfg);
/* Replay: runs one frame at capture time ts_ns; returns the XDP verdict or -errno. */
int sensor_run_packet(struct sensor *s, const void *frame, uint32_t len, uint64_t ts_ns);
/* Records the last drain in the pinned meta map, for `status`. */
int sensor_update_meta(struct sensor *s);
/* Releases user space's hold; a live point stays attached and pinned. */
void sensor_close(struct sensor *s);
/* Detaches a pinned point and removes its pins. 0, -ENOENT if not pinned, or -errno. */
int sensor_detach(const char *pin_root, const char *point, char errmsg[SW_ERRMSG_LEN]);
/* Reads a pinned point's meta map. */
int sensor_read_meta(const char *pin_root, const char *point, struct sw_meta *meta, __u32 *prog_id);

#endif
