// SPDX-License-Identifier: GPL-2.0-only
/*
 * `scanwatch top`: the interval the kernel is counting now, for each pinned point, read from the
 * pins while the daemon runs. Every pin is opened read-only and the tables are read with the
 * drain's own merge (drain_read_gen), never flipped, emptied or deleted from: the drain alone owns
 * them, and what it stores is the same whether top runs or not.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cli.h"
#include "config.h"
#include "cstate.h"
#include "drain.h"
#include "grow.h"
#include "json.h"
#include "keyfmt.h"
#include "log.h"
#include "params.h"
#include "parse_num.h"
#include "paths.h"
#include "points.h"
#include "run.h"
#include "sensor.h"

#define TOP_COUNT_DEFAULT 10
#define TOP_COUNT_MAX 65536
/* A daemon's drain may flip the generation while we read it: read again, a few times at most. */
#define TOP_READ_TRIES 3

struct top_opts {
	const char *pin_root;
	const char *point; /* NULL: every point */
	unsigned int count;
	bool once, json;
};

/* One key of the interval as shown. */
struct top_key {
	struct sw_key key;
	uint64_t accesses, sources;
};

/* What one look at a point found. */
struct top_view {
	uint64_t frames, accesses, sources, dropped;
	uint64_t log_full, pairs_over, keys_lost;
	uint64_t kind_accesses[SW_NKINDS], kind_sources[SW_NKINDS];
	/* The research group (run --research), apart from every figure above, as summary has it. */
	uint64_t research_accesses, research_sources;
	struct top_key *keys; /* most accesses first; the research group's are not among them */
	size_t nkeys, keys_cap;
};

/* A pinned point, its maps opened read-only and mapped so. */
struct top_point {
	char name[SW_POINT_LEN];
	__u32 meta_id; /* to notice a point detached and attached again under the same name */
	int meta_fd, outer_fd;
	__u32 keys_id[SW_NGENS];
	/*
	 * What drain_read_gen reads: the counting state, the overflow tables and the limits. The
	 * rest of a sensor is not set; nothing here attaches, pins or drains.
	 */
	struct sensor s;
	struct drainer d;
	struct sw_interval iv;
	struct top_view view;
	char error[SW_ERRMSG_LEN]; /* why the last look failed, "" when it did not */
};

struct top_state {
	const struct top_opts *o;
	struct top_point **pts;
	size_t npts;
};

/*
 * A pin, read-only unless mapped: the kernel maps a BPF array shared only through a descriptor
 * open for writing (a read-only file's shared mappings lose VM_SHARED, which bpf_map_mmap
 * requires). Those are mapped PROT_READ, so nothing here can write through them either.
 */
static int pin_open_as(const char *dir, const char *name, bool mapped)
{
	LIBBPF_OPTS(bpf_obj_get_opts, opts, .file_flags = mapped ? 0 : BPF_F_RDONLY);
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return bpf_obj_get_opts(path, &opts);
}

static int pin_open(const char *dir, const char *name)
{
	return pin_open_as(dir, name, false);
}

static __u32 map_id(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

/* Read-only, shared: we see what the programs write, and cannot write ourselves. */
static void *map_ro(int fd, size_t bytes, size_t *len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	void *p;

	*len = (bytes + page - 1) & ~(page - 1);
	p = mmap(NULL, *len, PROT_READ, MAP_SHARED, fd, 0);
	return p == MAP_FAILED ? NULL : p;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void point_free(struct top_point *p)
{
	struct cstate *cs;

	if (!p)
		return;
	cs = &p->s.cs;
	cstate_unmap(cs);
	close_fd(&cs->state_fd);
	close_fd(&cs->cache_fd);
	close_fd(&cs->log_fd);
	close_fd(&cs->ctl_fd);
	for (int g = 0; g < SW_NGENS; g++)
		close_fd(&p->s.keys_fd[g]);
	close_fd(&p->meta_fd);
	close_fd(&p->outer_fd);
	drainer_free(&p->d);
	interval_free(&p->iv);
	free(p->view.keys);
	free(p);
}

static int point_fail(struct top_point *p, int err, const char *fmt, const char *what)
{
	snprintf(p->error, sizeof(p->error), fmt, what, strerror(-err));
	return err;
}

/* Opens every pin of the point's counting state; p->error says why not. 0 or -errno. */
static int point_open(struct top_point *p, const char *root)
{
	static const char *const names[] = { "state", "cache", "log_recs", "log_ctl" };
	struct cstate *cs = &p->s.cs;
	int *fds[] = { &cs->state_fd, &cs->cache_fd, &cs->log_fd, &cs->ctl_fd };
	char dir[PATH_MAX], gname[16];
	struct sw_meta *m = &p->s.meta;
	__u32 zero = 0;
	int ncpus;

	snprintf(dir, sizeof(dir), "%s/%s", root, p->name);
	p->meta_fd = pin_open(dir, "meta");
	if (p->meta_fd < 0)
		return point_fail(p, -errno, "cannot open its %s pin: %s", "meta");
	if (bpf_map_lookup_elem(p->meta_fd, &zero, m))
		return point_fail(p, -errno, "cannot read its %s map: %s", "meta");
	p->meta_id = map_id(p->meta_fd);
	if (m->version != SW_META_VERSION) {
		snprintf(p->error, sizeof(p->error),
			 "pinned by another version of scanwatch (layout %u, this one reads %u)",
			 m->version, (unsigned int)SW_META_VERSION);
		return -EPROTO;
	}
	ncpus = libbpf_num_possible_cpus();
	if (ncpus < 1 || (uint32_t)ncpus != m->ncpus || !m->cache_slots || !m->log_chunks) {
		snprintf(p->error, sizeof(p->error),
			 "its counting state is laid out for %u CPUs, this machine may have %d",
			 m->ncpus, ncpus);
		return -EPROTO;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		*fds[i] = pin_open_as(dir, names[i], strcmp(names[i], "log_ctl"));
		if (*fds[i] < 0)
			return point_fail(p, -errno, "cannot open its %s pin: %s", names[i]);
	}
	p->outer_fd = pin_open(dir, "keys");
	if (p->outer_fd < 0)
		return point_fail(p, -errno, "cannot open its %s pin: %s", "keys");
	for (int g = 0; g < SW_NGENS; g++) {
		snprintf(gname, sizeof(gname), "keys_%d", g);
		p->s.keys_fd[g] = pin_open(dir, gname);
		if (p->s.keys_fd[g] < 0)
			return point_fail(p, -errno, "cannot open its %s pin: %s", gname);
		p->keys_id[g] = map_id(p->s.keys_fd[g]);
	}
	cs->ncpus = m->ncpus;
	cs->cache_slots = m->cache_slots;
	cs->log_chunks = m->log_chunks;
	cs->blocks = map_ro(cs->state_fd, cs->ncpus * sizeof(struct sw_block), &cs->state_len);
	if (!cs->blocks)
		return point_fail(p, -errno, "cannot map its %s: %s", "state");
	cs->cache = map_ro(cs->cache_fd, (size_t)cstate_cache_entries(cs) * sizeof(struct sw_rec),
			   &cs->cache_len);
	if (!cs->cache)
		return point_fail(p, -errno, "cannot map its %s: %s", "caches");
	p->s.ncpus = ncpus;
	drainer_init(&p->d, ncpus, 0);
	return 0;
}

static struct top_point *point_new(const char *root, const char *name)
{
	struct top_point *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	snprintf(p->name, sizeof(p->name), "%s", name);
	cstate_init(&p->s.cs);
	p->meta_fd = p->outer_fd = p->s.keys_fd[0] = p->s.keys_fd[1] = -1;
	point_open(p, root);
	return p;
}

/*
 * The program finds generation gen's overflow table through slot gen of the outer map-of-maps.
 * The drain rewrites that slot with the table it already holds (to wait for running programs),
 * so it is always keys_<gen>; should it ever hold another, that is the one to read.
 */
static int follow_outer(struct top_point *p, __u32 gen)
{
	LIBBPF_OPTS(bpf_get_fd_by_id_opts, opts, .open_flags = BPF_F_RDONLY);
	__u32 id = 0;
	int fd;

	if (bpf_map_lookup_elem(p->outer_fd, &gen, &id))
		return point_fail(p, -errno, "cannot read its %s map: %s", "keys");
	if (id == p->keys_id[gen])
		return 0;
	fd = bpf_map_get_fd_by_id_opts(id, &opts);
	if (fd < 0)
		return point_fail(p, -errno, "cannot open its current %s table: %s", "overflow");
	close(p->s.keys_fd[gen]);
	p->s.keys_fd[gen] = fd;
	p->keys_id[gen] = id;
	return 0;
}

static int key_view_cmp(const void *a, const void *b)
{
	const struct top_key *x = a, *y = b;

	if (x->accesses != y->accesses)
		return x->accesses > y->accesses ? -1 : 1;
	return sw_key_cmp(&x->key, &y->key);
}

/* The interval as read, summed up for showing: sources per key come from its pairs. */
static int summarise(struct top_point *p)
{
	const struct sw_interval *iv = &p->iv;
	struct top_view *v = &p->view;

	if (SW_GROW(v->keys, v->keys_cap, iv->nkeys, 0))
		return point_fail(p, -ENOMEM, "cannot %s: %s", "sum up its interval");
	*v = (struct top_view){ .keys = v->keys, .keys_cap = v->keys_cap, .nkeys = iv->nkeys };
	for (size_t k = 0; k < iv->nkeys; k++)
		v->keys[k] = (struct top_key){ .key = iv->keys[k].key,
					       .accesses = iv->keys[k].val.packets };
	/* After the drain's cuts, pair_key[i] is the index of pair i's key in iv->keys. */
	for (size_t i = 0; i < iv->npairs; i++)
		v->keys[p->d.pair_key[i]].sources++;
	/* The research group's keys out of the list, into its own figures. */
	for (size_t k = 0, n = 0, all = v->nkeys; k < all; k++) {
		const struct top_key *tk = &v->keys[k];

		if (tk->key.cls & SW_CLS_RESEARCH) {
			v->research_accesses += tk->accesses;
			v->research_sources += tk->sources;
		} else {
			v->keys[n++] = *tk;
		}
		v->nkeys = n;
	}
	for (size_t k = 0; k < v->nkeys; k++) {
		unsigned int kind =
			v->keys[k].key.kind < SW_NKINDS ? v->keys[k].key.kind : SW_KIND_OTHER;

		v->accesses += v->keys[k].accesses;
		v->sources += v->keys[k].sources;
		v->kind_accesses[kind] += v->keys[k].accesses;
		v->kind_sources[kind] += v->keys[k].sources;
	}
	qsort(v->keys, v->nkeys, sizeof(*v->keys), key_view_cmp);
	v->frames = iv->stats[SW_STAT_PACKETS];
	v->dropped = interval_dropped(iv);
	v->log_full = iv->stats[SW_STAT_LOG_FULL];
	v->pairs_over = iv->stats[SW_STAT_PAIRS_OVER];
	v->keys_lost = iv->stats[SW_STAT_KEYS_LOST];
	return 0;
}

/*
 * One look at the generation being counted. The drain may flip it and then empty it while we
 * read: when the generation or the drain's sequence number moved meanwhile, read again. What
 * the programs write during the look is an estimate of that moment, and may be off for one
 * refresh: a slot being rewritten, or a chunk of the log a CPU has claimed but not yet taken
 * as its own (read as full, with an earlier interval's records). The next look is right again.
 */
static int point_look(struct top_point *p)
{
	struct sw_meta before, after;
	__u32 zero = 0, gen;
	int err = -EAGAIN;

	if (p->error[0])
		return -EINVAL;
	for (int t = 0; t < TOP_READ_TRIES && err == -EAGAIN; t++) {
		if (bpf_map_lookup_elem(p->meta_fd, &zero, &before))
			return point_fail(p, -errno, "cannot read its %s map: %s", "meta");
		gen = cstate_active(&p->s.cs);
		err = follow_outer(p, gen);
		if (err)
			return err;
		/* The limits the drain cuts at, as the daemon has them now. drains is a sequence. */
		p->s.meta = before;
		p->s.gen = gen;
		err = drain_read_gen(&p->d, &p->s, gen, &p->iv);
		if (err) {
			snprintf(p->error, sizeof(p->error), "%s", p->s.errmsg);
			return err;
		}
		if (bpf_map_lookup_elem(p->meta_fd, &zero, &after))
			return point_fail(p, -errno, "cannot read its %s map: %s", "meta");
		if (after.drains != before.drains || cstate_active(&p->s.cs) != gen)
			err = -EAGAIN;
		p->s.meta = after;
	}
	/* Drains one after the other, faster than we read: show the last look all the same. */
	return summarise(p);
}

/* The points to show, opened anew when their pins changed since the last look. */
static int refresh_points(struct top_state *st)
{
	const struct top_opts *o = st->o;
	struct top_point **keep = NULL;
	struct dirent **names = NULL;
	size_t nkeep = 0;
	int n;

	if (o->point) {
		char dir[PATH_MAX];

		snprintf(dir, sizeof(dir), "%s/%s", o->pin_root, o->point);
		n = access(dir, F_OK) ? 0 : 1;
	} else {
		n = scandir(o->pin_root, &names, NULL, alphasort);
		if (n < 0 && errno != ENOENT) {
			int err = -errno;

			sw_err("%s: %s", o->pin_root, strerror(-err));
			return err;
		}
		if (n < 0)
			n = 0;
	}
	keep = calloc(n ? (size_t)n : 1, sizeof(*keep));
	if (!keep)
		goto nomem;
	for (int i = 0; i < n; i++) {
		const char *name = o->point ? o->point : names[i]->d_name;
		struct top_point *p = NULL;
		char dir[PATH_MAX];
		int fd;

		if (!point_name_ok(name))
			continue;
		for (size_t j = 0; j < st->npts; j++)
			if (st->pts[j] && !strcmp(st->pts[j]->name, name)) {
				p = st->pts[j];
				st->pts[j] = NULL;
			}
		snprintf(dir, sizeof(dir), "%s/%s", o->pin_root, name);
		fd = pin_open(dir, "meta");
		if (p && (fd < 0 || map_id(fd) != p->meta_id || p->error[0])) {
			point_free(p);
			p = NULL;
		}
		if (fd >= 0)
			close(fd);
		if (!p)
			p = point_new(o->pin_root, name);
		if (!p)
			goto nomem;
		keep[nkeep++] = p;
	}
	for (size_t j = 0; j < st->npts; j++)
		point_free(st->pts[j]);
	free(st->pts);
	st->pts = keep;
	st->npts = nkeep;
	for (int i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
	return 0;
nomem:
	for (int i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
	for (size_t j = 0; j < nkeep; j++)
		point_free(keep[j]);
	free(keep);
	sw_err("out of memory");
	return -ENOMEM;
}

static void utc(time_t t, const char *fmt, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, fmt, &tm);
}

static const char *mode_name(__u32 mode)
{
	return mode == SW_MODE_NATIVE ? "native" : mode == SW_MODE_GENERIC ? "generic" : "?";
}

static bool daemon_running(const struct sw_meta *m)
{
	return m->daemon_pid && !kill((pid_t)m->daemon_pid, 0);
}

/* Text: the same for --once and each frame of the live view. max_keys bounds the keys shown. */
static void show_text(FILE *f, const struct top_point *p, size_t max_keys)
{
	const struct sw_meta *m = &p->s.meta;
	const struct top_view *v = &p->view;
	char ifname[sizeof(m->ifname) + 1], when[32] = "never";

	if (p->error[0]) {
		fprintf(f, "point %s: %s\n", p->name, p->error);
		return;
	}
	snprintf(ifname, sizeof(ifname), "%.*s", (int)sizeof(m->ifname), m->ifname);
	if (m->last_drain_s)
		utc((time_t)m->last_drain_s, "%Y-%m-%dT%H:%M:%SZ", when, sizeof(when));
	fprintf(f, "point %s  %s %s  every %u s  last drain %s  daemon %s\n", p->name, ifname,
		mode_name(m->mode), m->interval_s, when, daemon_running(m) ? "running" : "stopped");
	fprintf(f,
		"  this interval: accesses %" PRIu64 "  sources %" PRIu64 "  frames %" PRIu64
		"  dropped %" PRIu64 " (log full %" PRIu64 ", pairs over %" PRIu64 ", keys %" PRIu64
		")\n",
		v->accesses, v->sources, v->frames, v->dropped, v->log_full, v->pairs_over,
		v->keys_lost);
	if (v->research_accesses)
		fprintf(f,
			"  research scanners, apart: accesses %" PRIu64 "  sources %" PRIu64 "\n",
			v->research_accesses, v->research_sources);
	fprintf(f, "  %-14s %12s %10s\n", "KIND", "ACCESSES", "SOURCES");
	for (int k = 0; k < SW_NKINDS; k++)
		fprintf(f, "  %-14s %12" PRIu64 " %10" PRIu64 "\n", sw_kind_names[k],
			v->kind_accesses[k], v->kind_sources[k]);
	fprintf(f, "  %-14s %-12s %12s %10s\n", "KEY", "KIND", "ACCESSES", "SOURCES");
	for (size_t i = 0; i < v->nkeys && i < max_keys; i++) {
		const struct top_key *k = &v->keys[i];
		char key[SW_KEY_STRLEN];

		sw_key_str(&k->key, key);
		fprintf(f, "  %-14s %-12s %12" PRIu64 " %10" PRIu64 "\n", key,
			k->key.kind < SW_NKINDS ? sw_kind_names[k->key.kind] : "?", k->accesses,
			k->sources);
	}
	if (v->nkeys > max_keys)
		fprintf(f, "  (%zu more keys)\n", v->nkeys - max_keys);
}

static void show_json_point(FILE *f, const struct top_point *p, size_t max_keys, bool first)
{
	const struct sw_meta *m = &p->s.meta;
	const struct top_view *v = &p->view;
	char ifname[sizeof(m->ifname) + 1], when[32];

	fprintf(f, "%s{\"point\": ", first ? "" : ", ");
	json_str(f, p->name);
	if (p->error[0]) {
		fputs(", \"error\": ", f);
		json_str(f, p->error);
		fputc('}', f);
		return;
	}
	snprintf(ifname, sizeof(ifname), "%.*s", (int)sizeof(m->ifname), m->ifname);
	fputs(", \"interface\": ", f);
	json_str(f, ifname);
	fprintf(f, ", \"mode\": \"%s\", \"interval_s\": %u, \"last_drain\": ", mode_name(m->mode),
		m->interval_s);
	if (m->last_drain_s) {
		utc((time_t)m->last_drain_s, "%Y-%m-%dT%H:%M:%SZ", when, sizeof(when));
		fprintf(f, "\"%s\"", when);
	} else {
		fputs("null", f);
	}
	fprintf(f,
		", \"daemon_running\": %s, \"frames\": %" PRIu64 ", \"accesses\": %" PRIu64
		", \"sources\": %" PRIu64 ", \"dropped\": %" PRIu64
		", \"dropped_log_full\": %" PRIu64 ", \"dropped_pairs_over\": %" PRIu64
		", \"dropped_keys\": %" PRIu64 ", \"kinds\": {",
		daemon_running(m) ? "true" : "false", v->frames, v->accesses, v->sources,
		v->dropped, v->log_full, v->pairs_over, v->keys_lost);
	for (int k = 0; k < SW_NKINDS; k++)
		fprintf(f, "%s\"%s\": {\"accesses\": %" PRIu64 ", \"sources\": %" PRIu64 "}",
			k ? ", " : "", sw_kind_names[k], v->kind_accesses[k], v->kind_sources[k]);
	fprintf(f,
		"}, \"research\": {\"accesses\": %" PRIu64 ", \"sources\": %" PRIu64
		"}, \"nkeys\": %zu, \"keys\": [",
		v->research_accesses, v->research_sources, v->nkeys);
	for (size_t i = 0; i < v->nkeys && i < max_keys; i++) {
		const struct top_key *k = &v->keys[i];
		char key[SW_KEY_STRLEN];

		sw_key_str(&k->key, key);
		fprintf(f,
			"%s{\"key\": \"%s\", \"kind\": \"%s\", \"accesses\": %" PRIu64
			", \"sources\": %" PRIu64 "}",
			i ? ", " : "", key,
			k->key.kind < SW_NKINDS ? sw_kind_names[k->key.kind] : "?", k->accesses,
			k->sources);
	}
	fputs("]}", f);
}

static void look_all(struct top_state *st)
{
	for (size_t i = 0; i < st->npts; i++)
		point_look(st->pts[i]);
}

/* The whole listing; keys_shown bounds each point's keys. */
static void show_all(FILE *f, const struct top_state *st, size_t keys_shown, bool live)
{
	char now[32];

	utc(time(NULL), "%Y-%m-%dT%H:%M:%SZ", now, sizeof(now));
	fprintf(f, "scanwatch top  %s  %s%s\n", now, st->o->pin_root,
		live ? "  (every second; q quits)" : "");
	if (!st->npts)
		fprintf(f, "no point is attached\n");
	for (size_t i = 0; i < st->npts; i++)
		show_text(f, st->pts[i], keys_shown);
}

static int show_once(struct top_state *st)
{
	const struct top_opts *o = st->o;
	char now[32];

	look_all(st);
	if (!o->json) {
		show_all(stdout, st, o->count, false);
	} else {
		utc(time(NULL), "%Y-%m-%dT%H:%M:%SZ", now, sizeof(now));
		printf("{\"time\": \"%s\", \"pin_root\": ", now);
		json_str(stdout, o->pin_root);
		fputs(", \"points\": [", stdout);
		for (size_t i = 0; i < st->npts; i++)
			show_json_point(stdout, st->pts[i], o->count, !i);
		fputs("]}\n", stdout);
	}
	for (size_t i = 0; i < st->npts; i++)
		if (st->pts[i]->error[0]) {
			sw_err("point %s: %s", st->pts[i]->name, st->pts[i]->error);
			return SW_EXIT_FAIL;
		}
	if (fflush(stdout) || ferror(stdout)) {
		sw_err("cannot write the listing: %s", strerror(errno));
		return SW_EXIT_FAIL;
	}
	return 0;
}

/* The terminal as it was, put back on every way out of the live view. */
struct term {
	struct termios saved;
	bool changed;
};

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * cbreak: keys arrive one at a time and are not echoed; the terminal's signal keys (Ctrl-C,
 * Ctrl-Z) still work and come through the signalfd. The alternate screen keeps the shell's
 * screen as it was, and the cursor is hidden while we draw.
 */
static int term_enter(struct term *t)
{
	static const char enter[] = "\033[?1049h\033[?25l";
	struct termios raw;

	if (!t->changed && tcgetattr(STDIN_FILENO, &t->saved))
		return -errno;
	raw = t->saved;
	raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &raw))
		return -errno;
	t->changed = true;
	return write_all(STDOUT_FILENO, enter, sizeof(enter) - 1);
}

static void term_leave(struct term *t)
{
	static const char leave[] = "\033[?25h\033[?1049l";

	if (!t->changed)
		return;
	write_all(STDOUT_FILENO, leave, sizeof(leave) - 1);
	tcsetattr(STDIN_FILENO, TCSANOW, &t->saved);
	t->changed = false;
}

/*
 * One frame: the listing cut to the terminal's size, drawn over the last one from the top left
 * (each line cleared to its end, the rest of the screen below), so that nothing flickers.
 */
static int draw(const struct top_state *st)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	char *text = NULL, *frame = NULL, *line, *save = NULL;
	size_t tlen = 0, flen = 0, keys, rows, shown = 0, fixed;
	FILE *f;
	int err;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) || !ws.ws_row || !ws.ws_col)
		ws = (struct winsize){ .ws_row = 24, .ws_col = 80 };
	rows = ws.ws_row;
	/*
	 * Keys share what the header and each point's other lines leave: its name, totals, two
	 * table heads, a line per kind and "(N more keys)".
	 */
	fixed = 1 + (st->npts ? st->npts * (5 + SW_NKINDS) : 1);
	keys = st->o->count;
	if (st->npts && rows > fixed && (rows - fixed) / st->npts < keys)
		keys = (rows - fixed) / st->npts;
	else if (rows <= fixed)
		keys = 0;
	f = open_memstream(&text, &tlen);
	if (!f)
		return -errno;
	show_all(f, st, keys, true);
	if (fclose(f))
		return -errno;
	f = open_memstream(&frame, &flen);
	if (!f) {
		free(text);
		return -errno;
	}
	fputs("\033[H", f);
	for (line = strtok_r(text, "\n", &save); line && shown < rows;
	     line = strtok_r(NULL, "\n", &save), shown++)
		fprintf(f, "%s%.*s\033[K", shown ? "\r\n" : "", (int)ws.ws_col, line);
	fputs("\033[J", f);
	err = fclose(f) ? -errno : 0;
	if (!err)
		err = write_all(STDOUT_FILENO, frame, flen);
	free(text);
	free(frame);
	return err;
}

/* Ctrl-Z: the shell's terminal back while stopped, ours again once continued. */
static int suspend(struct term *t)
{
	term_leave(t);
	raise(SIGSTOP);
	return term_enter(t);
}

static int show_live(struct top_state *st)
{
	struct itimerspec its = { .it_interval = { .tv_sec = 1 }, .it_value = { .tv_sec = 1 } };
	struct term term = {};
	struct pollfd pfd[3];
	sigset_t mask, old;
	int sfd = -1, tfd = -1, err;
	bool quit = false;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGQUIT);
	sigaddset(&mask, SIGTSTP);
	sigaddset(&mask, SIGWINCH);
	sigprocmask(SIG_BLOCK, &mask, &old);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	if (sfd < 0 || tfd < 0 || timerfd_settime(tfd, 0, &its, NULL)) {
		err = -errno;
		sw_err("cannot set up the timer and signals: %s", strerror(-err));
		goto out;
	}
	err = term_enter(&term);
	if (err) {
		sw_err("cannot set up the terminal: %s", strerror(-err));
		goto out;
	}
	pfd[0] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = sfd, .events = POLLIN };
	pfd[2] = (struct pollfd){ .fd = tfd, .events = POLLIN };
	look_all(st);
	err = draw(st);
	while (!err && !quit) {
		bool redraw = false, relook = false;

		if (poll(pfd, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			char keys[64];
			ssize_t n = read(STDIN_FILENO, keys, sizeof(keys));

			/* The terminal gone (end of file or an error) ends the view as q does. */
			if (n <= 0 && !(n < 0 && errno == EINTR))
				quit = true;
			for (ssize_t i = 0; i < n; i++)
				if (keys[i] == 'q' || keys[i] == 'Q')
					quit = true;
			redraw = true;
		}
		if (pfd[1].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGTSTP)
					err = suspend(&term);
				else if (si.ssi_signo != SIGWINCH)
					quit = true;
				redraw = true;
			}
		}
		if (pfd[2].revents & POLLIN) {
			uint64_t ticks;

			if (read(tfd, &ticks, sizeof(ticks)) == sizeof(ticks))
				relook = redraw = true;
		}
		if (relook && !quit && !refresh_points(st))
			look_all(st);
		if (redraw && !quit && !err)
			err = draw(st);
	}
	term_leave(&term);
	if (err)
		sw_err("the live view stopped: %s", strerror(-err));
out:
	if (sfd >= 0)
		close(sfd);
	if (tfd >= 0)
		close(tfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return err ? SW_EXIT_FAIL : 0;
}

#define STR_(x) #x
#define STR(x) STR_(x)

static const struct param top_params[] = {
	{ "point", 'p', PARAM_FUNC, offsetof(struct top_opts, point), "NAME",
	  "only this point (default: every attached point)", .fn = param_point },
	{ "count", 'n', PARAM_UINT, offsetof(struct top_opts, count), "N",
	  "keys shown per point; the live view shows fewer when\n"
	  "the terminal is too short",
	  STR(TOP_COUNT_DEFAULT), .min = 1, .max = TOP_COUNT_MAX, .unit = "keys" },
	{ "once", 0, PARAM_FLAG, offsetof(struct top_opts, once), NULL,
	  "print the figures once as plain text, without terminal\n"
	  "control codes, and exit (for scripts)" },
	{ "json", 0, PARAM_FLAG, offsetof(struct top_opts, json), NULL,
	  "with --once: one JSON object instead" },
	RUN_PIN_ROOT_PARAM(offsetof(struct top_opts, pin_root)),
	RUN_CONFIG_PARAM("pin-root"),
	PARAM_END,
};

static const struct param_cmd top_cmd = {
	.name = "top",
	.usage = "Usage: scanwatch top [--point NAME] [--count N] [--once [--json]] [--pin-root "
		 "DIR]\n",
	.desc = "The interval being counted now, per attached point, refreshed every second: "
		"accesses,\n"
		"sources and dropped packets so far, the same by kind, and the keys with the most\n"
		"accesses. A source counts once per key (as in the daily figures), but only within "
		"the\n"
		"interval: sources seen earlier the same day are counted again here, so the figures "
		"can\n"
		"be larger than the new sources the interval's drain stores. Packets over "
		"--max-pairs\n"
		"or --max-keys are counted as dropped as the drain would count them now.\n"
		"top only reads the kernel's tables: the daemon's drains and what they store do not\n"
		"change while it runs. Press q (or Ctrl-C) to quit.\n",
	.examples = "  scanwatch top\n"
		    "  scanwatch top --point lab --count 20\n"
		    "  scanwatch top --once --json | jq '.points[0].keys[0]'\n",
};

static int parse_top(int argc, char **argv, struct top_opts *o)
{
	const struct param_set sets[] = { { top_params, o }, {} };
	int err = params_parse(&top_cmd, sets, argc, argv);

	if (err)
		return err;
	if (o->json && !o->once)
		return usage_error("top", "--json needs --once");
	if (!o->once && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)))
		return usage_error("top", "the live view needs a terminal; use --once for scripts");
	return 0;
}

static const char *const top_take[] = { "pin-root", NULL };

int cmd_top(int argc, char **argv)
{
	struct top_opts o = { .pin_root = SW_PIN_ROOT, .count = TOP_COUNT_DEFAULT };
	const struct param_set sets[] = { { top_params, &o }, {} };
	struct top_state st = { .o = &o };
	struct config_args ca;
	int err;

	err = run_config_read(&ca, "top", top_take, sets, argc, argv);
	if (!err)
		err = parse_top(ca.argc, ca.argv, &o);
	if (err) {
		config_args_free(&ca);
		return err == SW_HELP_SHOWN ? 0 : err;
	}
	err = refresh_points(&st);
	if (!err && o.point && !st.npts) {
		sw_err("point %s is not attached (nothing pinned under %s)", o.point, o.pin_root);
		err = SW_EXIT_FAIL;
	} else if (err) {
		err = SW_EXIT_FAIL;
	} else {
		err = o.once ? show_once(&st) : show_live(&st);
	}
	for (size_t i = 0; i < st.npts; i++)
		point_free(st.pts[i]);
	free(st.pts);
	config_args_free(&ca);
	return err;
}
