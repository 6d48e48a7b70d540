// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "cstate.h"

#define ROUND8(x) (((x) + 7) & ~(size_t)7)
#define MB(x) ((double)(x) / (1024.0 * 1024.0))

_Static_assert(sizeof(struct sw_block) == 512, "a CPU's block must not straddle pages");
_Static_assert(sizeof(struct sw_cpu) == 128 && sizeof(struct sw_ctl) == 128,
	       "the block's parts are two cache lines each");
_Static_assert(sizeof(struct sw_sec_now) == 32, "both generations' seconds share a cache line");

void cstate_init(struct cstate *c)
{
	memset(c, 0, sizeof(*c));
	c->state_fd = c->cache_fd = c->log_fd = c->ctl_fd = c->sec_fd = -1;
}

uint32_t cstate_cache_entries(const struct cstate *c)
{
	return SW_NGENS * c->ncpus * c->cache_slots;
}

uint32_t cstate_log_entries(const struct cstate *c)
{
	return SW_NGENS * c->log_chunks * SW_LOG_CHUNK;
}

uint32_t cstate_sec_entries(const struct cstate *c)
{
	return SW_NGENS * c->ncpus * c->sec_slots;
}

uint32_t cstate_sec_slots(unsigned int interval_s)
{
	uint32_t n = SW_SEC_SLOTS_MIN;

	if (!interval_s)
		interval_s = 60;
	/*
	 * Two intervals and the seconds at both ends: a replayed capture may step back by up to
	 * an interval, and a drain may come late; a generation outliving even that overwrites
	 * its oldest seconds, and says so (struct sw_sec_now).
	 */
	while (n < 2 * interval_s + 2)
		n *= 2;
	return n;
}

uint64_t cstate_log_capacity(const struct cstate *c)
{
	return (uint64_t)c->log_chunks * SW_LOG_CHUNK;
}

uint64_t cstate_bytes(const struct cstate *c, unsigned int max_keys)
{
	/* A preallocated per-CPU hash: key, a pointer per element and the per-CPU values. */
	uint64_t keys =
		(uint64_t)SW_NGENS * max_keys * (64 + ROUND8(sizeof(struct sw_key_val)) * c->ncpus);

	return ((uint64_t)cstate_cache_entries(c) + cstate_log_entries(c)) * sizeof(struct sw_rec) +
	       (uint64_t)cstate_sec_entries(c) * sizeof(struct sw_second) +
	       (uint64_t)c->ncpus * sizeof(struct sw_block) + keys;
}

/* MemAvailable of /proc/meminfo in bytes, 0 if unknown. */
static uint64_t mem_available(void)
{
	char line[256];
	uint64_t kb = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %" SCNu64 " kB", &kb) == 1)
			break;
	fclose(f);
	return kb * 1024;
}

int cstate_plan(struct cstate *c, unsigned int cache_slots, unsigned int log_records, int ncpus,
		unsigned int max_keys, unsigned int interval_s, char *errmsg, size_t len)
{
	uint64_t need, avail;

	if (!cache_slots)
		cache_slots = SW_CACHE_SLOTS_DEFAULT;
	if (ncpus < 1) {
		snprintf(errmsg, len, "cannot tell how many CPUs this machine may have");
		return -EINVAL;
	}
	if (cache_slots < SW_CACHE_SLOTS_MIN || cache_slots > SW_CACHE_SLOTS_MAX ||
	    (cache_slots & (cache_slots - 1))) {
		snprintf(errmsg, len, "--cache-slots takes a power of two from %u to %u, not %u",
			 SW_CACHE_SLOTS_MIN, SW_CACHE_SLOTS_MAX, cache_slots);
		return -EINVAL;
	}
	if (log_records < SW_LOG_RECORDS_MIN || log_records > SW_LOG_RECORDS_MAX) {
		snprintf(errmsg, len, "--log-records takes %u to %u, not %u", SW_LOG_RECORDS_MIN,
			 SW_LOG_RECORDS_MAX, log_records);
		return -EINVAL;
	}
	c->ncpus = (uint32_t)ncpus;
	c->cache_slots = cache_slots;
	c->sec_slots = cstate_sec_slots(interval_s);
	/*
	 * Each CPU may leave its last chunk part-filled when the others have claimed the rest: one
	 * chunk a CPU more, so that log_records always fit whatever CPUs they come from.
	 */
	c->log_chunks = (log_records + SW_LOG_CHUNK - 1) / SW_LOG_CHUNK + c->ncpus;
	need = cstate_bytes(c, max_keys);
	avail = mem_available();
	if ((uint64_t)c->ncpus * cache_slots * SW_NGENS > UINT32_MAX / 2 ||
	    (avail && need > avail)) {
		snprintf(
			errmsg, len,
			"the counting state would take %.0f MB of kernel memory (a log of %" PRIu64
			" records and caches of %u slots on each of %u CPUs, each twice), more than "
			"the %.0f MB available: lower --log-records (or --max-pairs) or --cache-slots",
			MB(need), cstate_log_capacity(c), cache_slots, c->ncpus, MB(avail));
		return -ENOMEM;
	}
	return 0;
}

static void *map_array(int fd, size_t *len, size_t bytes)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	void *p;

	*len = (bytes + page - 1) & ~(page - 1);
	p = mmap(NULL, *len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	return p == MAP_FAILED ? NULL : p;
}

int cstate_make_state(struct cstate *c, const char *name, uint32_t flags, char *errmsg, size_t len)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_MMAPABLE);
	uint32_t bits = 0, sec_bits = 0;
	int err;

	c->state_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, name, sizeof(__u32),
				     sizeof(struct sw_block), c->ncpus, &opts);
	if (c->state_fd < 0) {
		err = -errno;
		snprintf(errmsg, len, "cannot make the state map: %s", strerror(-err));
		return err;
	}
	c->own_state = true;
	c->blocks = map_array(c->state_fd, &c->state_len, c->ncpus * sizeof(struct sw_block));
	if (!c->blocks) {
		err = -errno;
		snprintf(errmsg, len, "cannot map the state map: %s", strerror(-err));
		return err;
	}
	while ((1u << bits) < c->cache_slots)
		bits++;
	while ((1u << sec_bits) < c->sec_slots)
		sec_bits++;
	c->flags = flags;
	for (uint32_t cpu = 0; cpu < c->ncpus; cpu++) {
		struct sw_ctl *ctl = &c->blocks[cpu].ctl;

		ctl->flags = flags;
		ctl->cache_bits = bits;
		ctl->sec_bits = sec_bits;
		ctl->log_chunks = c->log_chunks;
		ctl->gen = 0;
		/* Seconds of the wall clock from the first packet on; the daemon sets its own. */
		ctl->wall_off_ns = flags & SW_CTL_REPLAY ? 0 : cstate_mono_to_wall();
	}
	return 0;
}

int cstate_map(struct cstate *c, char *errmsg, size_t len)
{
	const char *what = NULL;
	int err;

	if (!c->blocks) {
		c->blocks =
			map_array(c->state_fd, &c->state_len, c->ncpus * sizeof(struct sw_block));
		what = c->blocks ? NULL : "state";
	}
	if (!what && !c->cache) {
		c->cache = map_array(c->cache_fd, &c->cache_len,
				     (size_t)cstate_cache_entries(c) * sizeof(struct sw_rec));
		what = c->cache ? NULL : "caches";
	}
	if (!what && !c->secs) {
		c->secs = map_array(c->sec_fd, &c->secs_len,
				    (size_t)cstate_sec_entries(c) * sizeof(struct sw_second));
		what = c->secs ? NULL : "rings of seconds";
	}
	if (!what)
		return 0;
	err = -errno;
	snprintf(errmsg, len, "cannot map the %s: %s", what, strerror(-err));
	return err;
}

int cstate_map_log(struct cstate *c, uint32_t gen, uint32_t chunks)
{
	/* A chunk is 256 records of 48 bytes, three pages: chunks and generations start on one. */
	const size_t chunk_bytes = SW_LOG_CHUNK * sizeof(struct sw_rec);
	size_t bytes = (size_t)chunks * chunk_bytes;
	void *p;

	_Static_assert(SW_LOG_CHUNK * sizeof(struct sw_rec) % 4096 == 0,
		       "a chunk of the log must start on a page");
	cstate_unmap_log(c);
	if (!chunks)
		return 0;
	p = mmap(NULL, bytes, PROT_READ, MAP_SHARED, c->log_fd,
		 (off_t)((size_t)gen * c->log_chunks * chunk_bytes));
	if (p == MAP_FAILED)
		return -errno;
	c->log = p;
	c->log_len = bytes;
	c->log_gen = gen;
	return 0;
}

void cstate_unmap_log(struct cstate *c)
{
	if (c->log)
		munmap(c->log, c->log_len);
	c->log = NULL;
}

void cstate_unmap(struct cstate *c)
{
	if (c->blocks)
		munmap(c->blocks, c->state_len);
	if (c->cache)
		munmap(c->cache, c->cache_len);
	if (c->secs)
		munmap(c->secs, c->secs_len);
	cstate_unmap_log(c);
	c->blocks = NULL;
	c->cache = NULL;
	c->secs = NULL;
	if (c->own_state && c->state_fd >= 0)
		close(c->state_fd);
	if (c->own_state)
		c->state_fd = -1;
	c->own_state = false;
}

uint32_t cstate_active(const struct cstate *c)
{
	return *(volatile uint32_t *)&c->blocks[0].ctl.gen & 1;
}

void cstate_set_gen(const struct cstate *c, uint32_t gen)
{
	for (uint32_t cpu = 0; cpu < c->ncpus; cpu++)
		*(volatile uint32_t *)&c->blocks[cpu].ctl.gen = gen;
}

void cstate_set_clock(const struct cstate *c, uint64_t ns)
{
	for (uint32_t cpu = 0; cpu < c->ncpus; cpu++)
		*(volatile __u64 *)&c->blocks[cpu].ctl.replay_now_ns = ns;
}

void cstate_set_flag(struct cstate *c, uint32_t flag, bool on)
{
	c->flags = on ? c->flags | flag : c->flags & ~flag;
	for (uint32_t cpu = 0; cpu < c->ncpus; cpu++) {
		volatile uint32_t *f = &c->blocks[cpu].ctl.flags;

		*f = on ? *f | flag : *f & ~flag;
	}
}

void cstate_set_wall_offset(const struct cstate *c, int64_t ns)
{
	for (uint32_t cpu = 0; cpu < c->ncpus; cpu++)
		*(volatile __s64 *)&c->blocks[cpu].ctl.wall_off_ns = ns;
}

int64_t cstate_mono_to_wall(void)
{
	struct timespec wall, mono;

	clock_gettime(CLOCK_REALTIME, &wall);
	clock_gettime(CLOCK_MONOTONIC_COARSE, &mono);
	return (wall.tv_sec - mono.tv_sec) * 1000000000LL + (wall.tv_nsec - mono.tv_nsec);
}

struct sw_rec *cstate_cpu_cache(const struct cstate *c, uint32_t cpu, uint32_t gen)
{
	return c->cache + ((size_t)cpu * SW_NGENS + gen) * c->cache_slots;
}

struct sw_second *cstate_cpu_secs(const struct cstate *c, uint32_t cpu, uint32_t gen)
{
	/* A reader that did not map the seconds (top) has none, and sec_slots 0. */
	if (!c->secs)
		return NULL;
	return c->secs + ((size_t)cpu * SW_NGENS + gen) * c->sec_slots;
}

struct sw_rec *cstate_log_chunk(const struct cstate *c, uint32_t chunk)
{
	return c->log + (size_t)chunk * SW_LOG_CHUNK;
}

static int read_claimed(int ctl_fd, uint32_t gen, uint32_t *chunks)
{
	struct sw_log_ctl ctl;

	if (bpf_map_lookup_elem(ctl_fd, &gen, &ctl))
		return -errno;
	*chunks = ctl.chunks;
	return 0;
}

/* Chunks in use out of those claimed, and which CPU fills which: see cstate_gen. */
static void chunk_fills(const struct cstate *c, struct cstate_gen *g, uint32_t claimed)
{
	/* Claims past the end failed, and wrote nothing. */
	g->chunks = claimed < c->log_chunks ? claimed : c->log_chunks;
	for (uint32_t i = 0; i < g->chunks; i++)
		g->chunk_fill[i] = SW_LOG_CHUNK;
	/* A CPU claims a chunk only once its last one is full: only its current one may not be. */
	for (uint32_t cpu = 0; cpu < c->ncpus; cpu++) {
		const struct sw_cpu *s = &g->cpus[cpu];

		if (s->chunk && s->chunk <= g->chunks)
			g->chunk_fill[s->chunk - 1] =
				s->fill < SW_LOG_CHUNK ? s->fill : SW_LOG_CHUNK;
	}
}

int cstate_read_gen(const struct cstate *c, uint32_t gen, struct cstate_gen *g)
{
	uint32_t claimed = 0;
	int err;

	if (!g->cpus) {
		g->cpus = calloc(c->ncpus, sizeof(*g->cpus));
		g->secs = calloc(c->ncpus, sizeof(*g->secs));
		g->chunk_fill = calloc(c->log_chunks, sizeof(*g->chunk_fill));
		if (!g->cpus || !g->secs || !g->chunk_fill)
			return -ENOMEM;
	}
	err = read_claimed(c->ctl_fd, gen, &claimed);
	if (err)
		return err;
	for (uint32_t cpu = 0; cpu < c->ncpus; cpu++) {
		g->cpus[cpu] = c->blocks[cpu].gen[gen];
		g->secs[cpu] = c->blocks[cpu].secs[gen];
	}
	chunk_fills(c, g, claimed);
	return 0;
}

void cstate_gen_free(struct cstate_gen *g)
{
	free(g->cpus);
	free(g->secs);
	free(g->chunk_fill);
	memset(g, 0, sizeof(*g));
}

int cstate_clear_gen(const struct cstate *c, uint32_t gen)
{
	struct sw_log_ctl ctl = { 0 };

	for (uint32_t cpu = 0; cpu < c->ncpus; cpu++) {
		memset(cstate_cpu_cache(c, cpu, gen), 0, c->cache_slots * sizeof(struct sw_rec));
		memset(cstate_cpu_secs(c, cpu, gen), 0, c->sec_slots * sizeof(struct sw_second));
		memset(&c->blocks[cpu].gen[gen], 0, sizeof(c->blocks[cpu].gen[gen]));
		memset(&c->blocks[cpu].secs[gen], 0, sizeof(c->blocks[cpu].secs[gen]));
	}
	return bpf_map_update_elem(c->ctl_fd, &gen, &ctl, BPF_ANY) ? -errno : 0;
}

int cstate_peek(const struct cstate *c, uint32_t *gen, uint64_t *records)
{
	struct sw_block blk;
	uint32_t claimed = 0, partial = 0;
	uint64_t fills = 0;
	int err = 0;

	for (uint32_t cpu = 0; cpu < c->ncpus && !err; cpu++) {
		if (bpf_map_lookup_elem(c->state_fd, &cpu, &blk)) {
			err = -errno;
			break;
		}
		if (!cpu)
			*gen = blk.ctl.gen & 1;
		if (blk.gen[*gen].chunk) {
			partial++;
			fills += blk.gen[*gen].fill;
		}
	}
	if (!err)
		err = read_claimed(c->ctl_fd, *gen, &claimed);
	if (err)
		return err;
	if (claimed > c->log_chunks)
		claimed = c->log_chunks;
	*records = (claimed > partial ? (uint64_t)(claimed - partial) * SW_LOG_CHUNK : 0) + fills;
	return 0;
}
