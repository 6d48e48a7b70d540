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

#include "cstate.h"
#include "points.h"
#include "scanwatch.h"

#define SW_PIN_ROOT "/sys/fs/bpf/scanwatch"
#define SW_DEFAULT_MAX_PAIRS 1048576
#define SW_DEFAULT_MAX_KEYS 65536
#define SW_ERRMSG_LEN 512
#define SW_DEFAULT_FLOW_TABLE 65536
#define SW_DEFAULT_FLOW_EXPIRY_S 120

enum sw_mode_req { SW_REQ_AUTO, SW_REQ_NATIVE, SW_REQ_GENERIC };
/* Host mode's egress hook: a tcx link (Linux 6.6+), else a tc filter on the clsact qdisc. */
enum sw_egress_req { SW_EGRESS_REQ_AUTO, SW_EGRESS_REQ_TCX, SW_EGRESS_REQ_TC };

struct sensor_config {
	const char *point;
	const char *ifname; /* live only */
	enum sw_mode_req mode;
	bool drop;
	const struct sw_prefix *watch;
	size_t nwatch;
	/* Sources whose accesses are counted as the research group (--research); may change on resume. */
	const struct sw_prefix *research;
	size_t nresearch;
	unsigned int max_pairs;
	unsigned int max_keys;
	unsigned int cache_slots; /* per CPU; 0: SW_CACHE_SLOTS_DEFAULT */
	unsigned int log_records; /* per interval; 0: max_pairs */
	unsigned int interval_s;
	const char *pin_root; /* NULL: SW_PIN_ROOT */
	/* Host mode (README.md, "Sensor mode and host mode"). */
	bool host_mode;
	unsigned int flow_table_size; /* 0: SW_DEFAULT_FLOW_TABLE */
	unsigned int flow_expiry_s; /* 0: SW_DEFAULT_FLOW_EXPIRY_S */
	const struct sw_service *services; /* counted even though the host serves them */
	size_t nservices;
	enum sw_egress_req egress;
	/*
	 * Through libxdp's dispatcher (multiprog.h), beside other XDP programs; also when the
	 * interface already runs the dispatcher. run_prio: 0 for SW_RUN_PRIO_DEFAULT.
	 */
	bool multiprog;
	unsigned int run_prio;
};

struct scanwatch_bpf;
struct xdp_program;

struct sensor {
	char point[SW_POINT_LEN];
	struct scanwatch_bpf *skel; /* NULL when resumed from pins */
	int prog_fd;
	int link_fd; /* -1 for replay */
	struct cstate cs; /* caches, logs and per-CPU counters, mapped */
	int keys_fd[SW_NGENS]; /* the overflow tables */
	int keys_outer_fd, watch_fd, meta_fd;
	int research_fd; /* -1 only for a point pinned before the research list existed */
	/* Host mode: -1 otherwise; egress_prog_fd is the program only when loaded here. */
	int flows_fd, services_fd, egress_prog_fd, egress_link_fd;
	/*
	 * The programs, held from the start: re-attaching them to an interface that came back takes
	 * no privilege the daemon drops (reaching a program by its id needs CAP_SYS_ADMIN).
	 */
	int held_prog_fd, held_egress_fd;
	int lock_fd; /* the pin directory, flock()ed while a daemon runs the point */
	__u32 gen; /* the generation the program writes to */
	int ncpus;
	bool resumed;
	/* In libxdp's dispatcher (SW_META_MULTIPROG): no link of ours, the program is pinned. */
	struct xdp_program *xprog; /* when attached here */
	__u32 prog_id;
	unsigned int run_prio;
	/*
	 * Replay runs the program in the caller's thread, so drain_flip need not wait for it;
	 * set this when another thread runs packets while this one drains.
	 */
	bool flip_waits;
	/* The pin root is a bpffs this daemon mounted in a mount namespace of its own (pins.h). */
	bool pins_private;
	struct sw_meta meta;
	char pin_dir[PATH_MAX];
	char errmsg[SW_ERRMSG_LEN]; /* why the last call failed */
};

/*
 * What sizing needs of an object built from bpf/scanwatch.bpf.c (the daemon's, or one of the
 * bench's ablation builds, whose skeletons have the same members): its state's maps and knobs.
 */
struct bpf_map;
struct sw_obj_view {
	struct bpf_map *state, *cache, *log_recs, *seconds, *keys[SW_NGENS];
};
#define SW_OBJ_VIEW(sk)                                         \
	((struct sw_obj_view){ .state = (sk)->maps.state,       \
			       .cache = (sk)->maps.cache,       \
			       .log_recs = (sk)->maps.log_recs, \
			       .seconds = (sk)->maps.seconds,   \
			       .keys = { (sk)->maps.keys_0, (sk)->maps.keys_1 } })
/*
 * Between open and load: plans the counting state for cfg (cstate_plan), sizes the object's
 * maps for it and gives it a state map whose control words are written already (flags:
 * SW_CTL_*). cs is left with that map mapped. 0 or -errno with errmsg.
 */
int sensor_size_state(struct cstate *cs, const struct sw_obj_view *v,
		      const struct sensor_config *cfg, uint32_t flags, char *errmsg, size_t len);

/* Loads, attaches and pins, or resumes a pinned point of the same name. 0 or -errno. */
int sensor_open_live(struct sensor *s, const struct sensor_config *cfg);
/* Loads the same program for BPF_PROG_TEST_RUN with capture time as the clock. */
int sensor_open_replay(struct sensor *s, const struct sensor_config *cfg);
/* Replay: runs one frame at capture time ts_ns; returns the XDP verdict or -errno. */
int sensor_run_packet(struct sensor *s, const void *frame, uint32_t len, uint64_t ts_ns);
/*
 * Host mode, replay: runs one outbound frame through the egress program at ts_ns; 0 with its
 * verdict (a tc action, TC_ACT_UNSPEC = -1 always) or -errno.
 */
int sensor_run_egress(struct sensor *s, const void *frame, uint32_t len, uint64_t ts_ns,
		      int *verdict);
/*
 * A live point whose interface went away (its link is defunct): re-attaches the same program, and
 * so the same tables, to the interface of that name if there is one again. 0 when attached
 * (SW_RELINKED when it had to re-attach), -ENODEV while the interface is missing, or -errno.
 */
#define SW_RELINKED 1
int sensor_relink(struct sensor *s, const char *ifname);
/* Records the last drain in the pinned meta map, for `status`. */
int sensor_update_meta(struct sensor *s);
/* Releases user space's hold; a live point stays attached and pinned. */
void sensor_close(struct sensor *s);
/*
 * Whether the program goes on counting once this daemon exits: attached, held by its pins, and
 * those in a file system that outlives the daemon. When not, why says what happens instead.
 */
bool sensor_still_counting(struct sensor *s, char *why, size_t len);
/*
 * Detaches a pinned point and removes its pins. 0, -ENOENT if not pinned, -EBUSY while a daemon
 * runs it, or -errno.
 */
int sensor_detach(const char *pin_root, const char *point, char errmsg[SW_ERRMSG_LEN]);
/* The keys a map holds (at most 64 bytes each), one lookup each; -1 when it cannot be read. */
long sensor_map_entries(int fd, size_t key_size);
/* Reads a pinned point's meta map. */
int sensor_read_meta(const char *pin_root, const char *point, struct sw_meta *meta, __u32 *prog_id);

#endif
