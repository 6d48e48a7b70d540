/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A sensor's counting state (README.md, "How counting works"): for each of the two generations,
 * a small cache of (source, key, fingerprints) slots per CPU, a log of the slots the caches
 * evicted, each CPU's counters and place in the log, and the chunks claimed. The caches and logs
 * are BPF arrays mapped into this process: a generation no program writes any more is read and
 * cleared in place, without a system call per record.
 */
#ifndef SW_CSTATE_H
#define SW_CSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scanwatch.h"

#define SW_CACHE_SLOTS_MIN 16u
#define SW_CACHE_SLOTS_MAX (1u << 20)
#define SW_LOG_RECORDS_MIN 1u
#define SW_LOG_RECORDS_MAX (1u << 28)
#define SW_SEC_SLOTS_MIN 8u

struct cstate {
	/* The layout, fixed when the maps are made. */
	uint32_t ncpus; /* possible CPUs */
	uint32_t cache_slots; /* per CPU and generation, a power of two */
	uint32_t log_chunks; /* per generation */
	uint32_t flags; /* SW_CTL_* the control words were made with */
	uint32_t sec_slots; /* of each CPU's ring of seconds, per generation, a power of two */
	int state_fd, cache_fd, log_fd, ctl_fd, sec_fd;
	bool own_state; /* state_fd is ours to close (made here, not a skeleton's or a pin's) */
	/*
	 * Mapped; NULL until cstate_map() (state: cstate_make_state() or cstate_map()). The log
	 * only while a drain reads it, the chunks in use of one generation (log_gen): a mapping's
	 * pages all count as resident, and the log is the state's bulk.
	 */
	struct sw_block *blocks;
	struct sw_rec *cache, *log;
	struct sw_second *secs;
	uint32_t log_gen;
	size_t state_len, cache_len, log_len, secs_len; /* bytes mapped */
};

/* One generation's content, as the drain reads it. */
struct cstate_gen {
	struct sw_cpu *cpus; /* ncpus entries, copied */
	struct sw_sec_now *secs; /* ncpus entries, copied: each CPU's second in progress */
	uint32_t chunks; /* chunks claimed and usable */
	/* Records written in chunk c: SW_LOG_CHUNK except in the chunk a CPU was filling. */
	uint32_t *chunk_fill;
};

void cstate_init(struct cstate *c);
/*
 * The layout for cache_slots per CPU (0: the default) and a log of log_records records a
 * generation, on ncpus CPUs, with max_keys overflow keys, and rings of seconds for intervals of
 * interval_s (0: 60). Refuses, with one line in errmsg, sizes out of range or a state the
 * machine's available memory cannot hold.
 */
int cstate_plan(struct cstate *c, unsigned int cache_slots, unsigned int log_records, int ncpus,
		unsigned int max_keys, unsigned int interval_s, char *errmsg, size_t len);
/* Slots a ring of seconds needs for intervals of interval_s (0: 60). */
uint32_t cstate_sec_slots(unsigned int interval_s);
/* Entries of the state, cache, log and seconds arrays for the layout. */
uint32_t cstate_cache_entries(const struct cstate *c);
uint32_t cstate_log_entries(const struct cstate *c);
uint32_t cstate_sec_entries(const struct cstate *c);
/* Records one generation's log holds. */
uint64_t cstate_log_capacity(const struct cstate *c);
/* Bytes of kernel memory the layout takes, the overflow tables included. */
uint64_t cstate_bytes(const struct cstate *c, unsigned int max_keys);
/*
 * Makes the state map (named name), maps it and writes every CPU's control word (flags, the
 * layout, generation 0), so that a program counts right from its first packet even when libxdp
 * attaches it as it loads it. The object then takes it with bpf_map__reuse_fd(). 0 or -errno.
 */
int cstate_make_state(struct cstate *c, const char *name, uint32_t flags, char *errmsg, size_t len);
/* Maps what is not mapped yet of state and caches, once their fds are set. 0 or -errno. */
int cstate_map(struct cstate *c, char *errmsg, size_t len);
/* Maps the first chunks of gen's log, those in use, until cstate_unmap_log(). 0 or -errno. */
int cstate_map_log(struct cstate *c, uint32_t gen, uint32_t chunks);
void cstate_unmap_log(struct cstate *c);
/* Unmaps, and closes the state map if it is ours. */
void cstate_unmap(struct cstate *c);

/* The generation the programs count in. */
uint32_t cstate_active(const struct cstate *c);
/* Points every CPU's control word at gen; the caller then waits for running programs. */
void cstate_set_gen(const struct cstate *c, uint32_t gen);
/* Replay: the time the next frame is counted at. */
void cstate_set_clock(const struct cstate *c, uint64_t ns);
/*
 * Turns one SW_CTL_* knob on or off in every CPU's control word, while the program runs: a knob
 * that only widens or narrows what is looked up (SW_CTL_RESEARCH), never the state's layout.
 */
void cstate_set_flag(struct cstate *c, uint32_t flag, bool on);
/* Live: what the program adds to its clock to count seconds of the wall clock. */
void cstate_set_wall_offset(const struct cstate *c, int64_t ns);
/* CLOCK_REALTIME minus CLOCK_MONOTONIC_COARSE now, the live programs' clock, in ns. */
int64_t cstate_mono_to_wall(void);
/* The slots of gen's cache of one CPU. */
struct sw_rec *cstate_cpu_cache(const struct cstate *c, uint32_t cpu, uint32_t gen);
/* The ring of seconds of gen of one CPU (sec_slots slots). */
struct sw_second *cstate_cpu_secs(const struct cstate *c, uint32_t cpu, uint32_t gen);
/* The records of a chunk of the mapped generation's log. */
struct sw_rec *cstate_log_chunk(const struct cstate *c, uint32_t chunk);
/* Reads where gen's records are; g's arrays are allocated once and reused. 0 or -errno. */
int cstate_read_gen(const struct cstate *c, uint32_t gen, struct cstate_gen *g);
void cstate_gen_free(struct cstate_gen *g);
/* Empties gen: its caches, counters and chunks. No program may be writing it. 0 or -errno. */
int cstate_clear_gen(const struct cstate *c, uint32_t gen);
/*
 * For `status`, from the maps' fds alone (nothing mapped): the generation counted in and the
 * records in its log now, an estimate while programs write it.
 */
int cstate_peek(const struct cstate *c, uint32_t *gen, uint64_t *records);

#endif
