// SPDX-License-Identifier: GPL-2.0-only
/*
 * Opening the program: the skeleton sized for the configuration, the point's meta, the counted
 * services and the research list, and BPF_PROG_TEST_RUN for replay.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "grow.h"
#include "scanwatch.skel.h"
#include "cli.h"
#include "log.h"
#include "multiprog.h"
#include "parse_num.h"
#include "pins.h"
#include "sensor.h"
#include "sensor_int.h"

void sensor_init(struct sensor *s, const struct sensor_config *cfg)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->point, sizeof(s->point), "%s", cfg->point);
	s->prog_fd = s->link_fd = s->keys_outer_fd = -1;
	s->watch_fd = s->research_fd = s->meta_fd = s->lock_fd = -1;
	s->flows_fd = s->services_fd = s->egress_prog_fd = s->egress_link_fd = -1;
	s->held_prog_fd = s->held_egress_fd = -1;
	for (int g = 0; g < SW_NGENS; g++)
		s->keys_fd[g] = -1;
	cstate_init(&s->cs);
	s->ncpus = libbpf_num_possible_cpus();
}

unsigned int sensor_flow_table_size(const struct sensor_config *cfg)
{
	return cfg->flow_table_size ? cfg->flow_table_size : SW_DEFAULT_FLOW_TABLE;
}

unsigned int sensor_flow_expiry_s(const struct sensor_config *cfg)
{
	return cfg->flow_expiry_s ? cfg->flow_expiry_s : SW_DEFAULT_FLOW_EXPIRY_S;
}

__u32 sensor_meta_flags(const struct sensor_config *cfg)
{
	return (cfg->drop ? SW_META_DROP : 0) | (cfg->nwatch ? SW_META_WATCH : 0) |
	       (cfg->host_mode ? SW_META_HOST : 0);
}

/* A tc handle means something only in the namespace it was made in; so does an ifindex. */
int sensor_netns_id(__u64 *dev, __u64 *ino)
{
	struct stat st;

	if (stat("/proc/self/ns/net", &st))
		return -errno;
	*dev = st.st_dev;
	*ino = st.st_ino;
	return 0;
}

void sensor_fill_meta(struct sensor *s, const struct sensor_config *cfg, int ifindex, __u32 mode)
{
	s->meta.version = SW_META_VERSION;
	s->meta.ifindex = ifindex;
	s->meta.mode = mode;
	s->meta.interval_s = cfg->interval_s;
	s->meta.max_pairs = cfg->max_pairs;
	s->meta.max_keys = cfg->max_keys;
	s->meta.cache_slots = s->cs.cache_slots;
	s->meta.log_chunks = s->cs.log_chunks;
	s->meta.ncpus = s->cs.ncpus;
	s->meta.sec_slots = s->cs.sec_slots;
	/* Keeps SW_META_OWN_QDISC and SW_META_MULTIPROG, which attaching set. */
	s->meta.flags =
		sensor_meta_flags(cfg) | (s->meta.flags & (SW_META_OWN_QDISC | SW_META_MULTIPROG));
	s->meta.daemon_pid = getpid();
	snprintf(s->meta.ifname, sizeof(s->meta.ifname), "%s", cfg->ifname ? cfg->ifname : "");
	if (cfg->host_mode) {
		s->meta.flow_table_size = sensor_flow_table_size(cfg);
		s->meta.flow_expiry_s = sensor_flow_expiry_s(cfg);
		s->meta.nservices = cfg->nservices;
	}
	/* tc's handles and libxdp's ifindex mean something only in this namespace. */
	if (cfg->host_mode || (s->meta.flags & SW_META_MULTIPROG))
		sensor_netns_id(&s->meta.netns_dev, &s->meta.netns_ino);
}

long sensor_map_entries(int fd, size_t key_size)
{
	char key[64], next[64];
	void *prev = NULL;
	long n = 0;

	if (fd < 0 || key_size > sizeof(key))
		return -1;
	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, key_size);
		prev = key;
		n++;
	}
	return n;
}

int sensor_set_replace(int fd, const void *keys, size_t n, size_t key_size, size_t *bad)
{
	unsigned char key[64];
	__u8 one = 1;

	*bad = n;
	if (key_size > sizeof(key))
		return -EINVAL;
	while (!bpf_map_get_next_key(fd, NULL, key))
		if (bpf_map_delete_elem(fd, key))
			return -errno;
	for (size_t i = 0; i < n; i++)
		if (bpf_map_update_elem(fd, (const char *)keys + i * key_size, &one, BPF_ANY)) {
			*bad = i;
			return -errno;
		}
	return 0;
}

/* Replaces the counted services with the ones asked for. */
int sensor_set_services(struct sensor *s, const struct sensor_config *cfg)
{
	size_t bad;
	int err = sensor_set_replace(s->services_fd, cfg->services, cfg->nservices,
				     sizeof(*cfg->services), &bad);

	if (err && bad < cfg->nservices)
		return sensor_fail(s, -err, "cannot add counted service %zu: %s", bad,
				   strerror(-err));
	if (err)
		return sensor_fail(s, -err, "cannot update the counted services: %s",
				   strerror(-err));
	/* The program looks the list up only when meta counts entries in it. */
	s->meta.nservices = cfg->nservices;
	return sensor_update_meta(s);
}

static bool in_list(const struct sw_prefix *v, size_t n, const struct sw_prefix *p)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].prefixlen == p->prefixlen && !memcmp(v[i].addr, p->addr, sizeof(p->addr)))
			return true;
	return false;
}

/*
 * Makes the research trie the list asked for, while the program may be counting: the new
 * prefixes first, then the old ones that are not in it go, so that a source in both lists is
 * research throughout. The program looks the trie up only once it holds the list, and no more
 * before it is emptied.
 */
int sensor_set_research(struct sensor *s, const struct sensor_config *cfg)
{
	struct sw_prefix *old = NULL, key, *prev = NULL;
	size_t nold = 0, cap = 0;
	__u8 one = 1;
	int err = 0;

	if (!cfg->nresearch)
		cstate_set_flag(&s->cs, SW_CTL_RESEARCH, false);
	for (size_t i = 0; i < cfg->nresearch; i++)
		if (bpf_map_update_elem(s->research_fd, &cfg->research[i], &one, BPF_ANY))
			return sensor_fail(s, errno, "cannot add research prefix %zu: %s", i + 1,
					   strerror(errno));
	while (!bpf_map_get_next_key(s->research_fd, prev, &key)) {
		if (SW_GROW(old, cap, nold + 1, 64)) {
			free(old);
			return sensor_fail(s, ENOMEM, "cannot read the research prefixes: %s",
					   strerror(ENOMEM));
		}
		old[nold] = key;
		prev = &old[nold++];
	}
	for (size_t i = 0; i < nold && !err; i++)
		if (!in_list(cfg->research, cfg->nresearch, &old[i]) &&
		    bpf_map_delete_elem(s->research_fd, &old[i]))
			err = sensor_fail(s, errno, "cannot update the research prefixes: %s",
					  strerror(errno));
	free(old);
	if (!err && cfg->nresearch)
		cstate_set_flag(&s->cs, SW_CTL_RESEARCH, true);
	return err;
}

int sensor_skel_ready(struct sensor *s, const struct sensor_config *cfg);

unsigned int sensor_log_records(const struct sensor_config *cfg)
{
	return cfg->log_records ? cfg->log_records : cfg->max_pairs;
}

/* A counting state the kernel would not make: one line that says what it was asked for. */
static int state_refused(struct sensor *s, const struct sensor_config *cfg, int err)
{
	return sensor_fail(
		s, err,
		"the kernel refused to make the counting state (%.0f MB: a log of %llu "
		"records and caches of %u slots on each of %u CPUs, each twice, and %u "
		"overflow keys): %s; lower --log-records (or --max-pairs) or --cache-slots",
		(double)cstate_bytes(&s->cs, cfg->max_keys) / (1024.0 * 1024.0),
		(unsigned long long)cstate_log_capacity(&s->cs), s->cs.cache_slots, s->cs.ncpus,
		cfg->max_keys, strerror(-err));
}

int sensor_size_state(struct cstate *cs, const struct sw_obj_view *v,
		      const struct sensor_config *cfg, uint32_t flags, char *errmsg, size_t len)
{
	int err;

	err = cstate_plan(cs, cfg->cache_slots, sensor_log_records(cfg), libbpf_num_possible_cpus(),
			  cfg->max_keys, cfg->interval_s, errmsg, len);
	if (err)
		return err;
	err = bpf_map__set_max_entries(v->cache, cstate_cache_entries(cs));
	if (!err)
		err = bpf_map__set_max_entries(v->log_recs, cstate_log_entries(cs));
	if (!err)
		err = bpf_map__set_max_entries(v->seconds, cstate_sec_entries(cs));
	/*
	 * The overflow tables' inner template keeps its compiled size: the kernel does not compare
	 * max_entries of hash maps in a map-in-map (and libbpf 1.1 cannot resize templates).
	 */
	for (int i = 0; i < SW_NGENS && !err; i++)
		err = bpf_map__set_max_entries(v->keys[i], cfg->max_keys);
	if (err) {
		snprintf(errmsg, len, "cannot size the counting state: %s", strerror(-err));
		return err;
	}
	err = cstate_make_state(cs, bpf_map__name(v->state), flags, errmsg, len);
	if (!err && bpf_map__reuse_fd(v->state, cs->state_fd)) {
		err = -errno;
		snprintf(errmsg, len, "cannot give the program its state map: %s", strerror(-err));
	}
	return err;
}

static uint32_t ctl_flags(const struct sensor_config *cfg, bool replay)
{
	return (cfg->nwatch ? SW_CTL_WATCH : 0) | (cfg->drop ? SW_CTL_DROP : 0) |
	       (cfg->host_mode ? SW_CTL_HOST : 0) | (replay ? SW_CTL_REPLAY : 0);
}

/* Sizes the tables and sets the .rodata knobs; loads unless libxdp is to (load false). */
int sensor_open_skel(struct sensor *s, const struct sensor_config *cfg, bool replay, bool load)
{
	struct scanwatch_bpf *skel;
	int err;

	skel = scanwatch_bpf__open();
	if (!skel)
		return sensor_fail(s, errno, "cannot open the BPF object: %s", strerror(errno));
	skel->rodata->flow_expiry_ns = (__u64)sensor_flow_expiry_s(cfg) * 1000000000ull;
	/* Sensor mode never runs the egress program: do not even load it. */
	bpf_program__set_autoload(skel->progs.scanwatch_egress, cfg->host_mode);
	err = bpf_map__set_max_entries(skel->maps.flows,
				       cfg->host_mode ? sensor_flow_table_size(cfg) : 1);
	if (err) {
		scanwatch_bpf__destroy(skel);
		return sensor_fail(s, err, "cannot size the flow table: %s", strerror(-err));
	}
	err = sensor_size_state(&s->cs, &SW_OBJ_VIEW(skel), cfg, ctl_flags(cfg, replay), s->errmsg,
				sizeof(s->errmsg));
	if (err) {
		scanwatch_bpf__destroy(skel);
		/* The state map is the first thing made: the privilege to load BPF is missing. */
		if (err == -EPERM) {
			char why[SW_ERRMSG_LEN];

			snprintf(why, sizeof(why), "%s", s->errmsg);
			return sensor_fail(
				s, err,
				"%s (needs root, or CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON)", why);
		}
		return err < 0 ? err : -err;
	}
	if (!load) {
		/* libxdp loads it, as a freplace program of its dispatcher: sensor_skel_ready() follows. */
		s->skel = skel;
		return 0;
	}
	err = scanwatch_bpf__load(skel);
	if (err) {
		scanwatch_bpf__destroy(skel);
		if (err == -ENOMEM || err == -E2BIG)
			return state_refused(s, cfg, err);
		/* Not the verifier: the caller lacks the privilege to load BPF at all. */
		if (err == -EPERM)
			return sensor_fail(
				s, err,
				"cannot load the XDP program: %s (needs root, or CAP_BPF, "
				"CAP_NET_ADMIN and CAP_PERFMON)",
				strerror(-err));
		return sensor_fail(
			s, err,
			"cannot load the XDP program (run with -v for the verifier's log): %s",
			strerror(-err));
	}
	s->skel = skel;
	return sensor_skel_ready(s, cfg);
}

/* The loaded skeleton's descriptors, and the tables' first contents. */
int sensor_skel_ready(struct sensor *s, const struct sensor_config *cfg)
{
	struct scanwatch_bpf *skel = s->skel;
	size_t bad;
	int err;

	s->prog_fd = bpf_program__fd(skel->progs.scanwatch_xdp);
	s->keys_fd[0] = bpf_map__fd(skel->maps.keys_0);
	s->keys_fd[1] = bpf_map__fd(skel->maps.keys_1);
	s->cs.cache_fd = bpf_map__fd(skel->maps.cache);
	s->cs.log_fd = bpf_map__fd(skel->maps.log_recs);
	s->cs.ctl_fd = bpf_map__fd(skel->maps.log_ctl);
	s->cs.sec_fd = bpf_map__fd(skel->maps.seconds);
	s->keys_outer_fd = bpf_map__fd(skel->maps.keys);
	s->watch_fd = bpf_map__fd(skel->maps.watch);
	s->research_fd = bpf_map__fd(skel->maps.research);
	s->meta_fd = bpf_map__fd(skel->maps.meta);
	s->gen = 0;
	err = cstate_map(&s->cs, s->errmsg, sizeof(s->errmsg));
	if (!err)
		err = sensor_set_research(s, cfg);
	if (err)
		return err;
	if (cfg->host_mode) {
		s->flows_fd = bpf_map__fd(skel->maps.flows);
		s->services_fd = bpf_map__fd(skel->maps.services);
		s->egress_prog_fd = bpf_program__fd(skel->progs.scanwatch_egress);
		err = sensor_set_services(s, cfg);
		if (err)
			return err;
	}
	/* The map is new: nothing to take out of it, so any error is of the prefix named. */
	err = sensor_set_replace(s->watch_fd, cfg->watch, cfg->nwatch, sizeof(*cfg->watch), &bad);
	if (err)
		return sensor_fail(s, -err, "cannot add watched prefix %zu: %s", bad,
				   strerror(-err));
	return 0;
}

int sensor_open_replay(struct sensor *s, const struct sensor_config *cfg)
{
	int err;

	sensor_init(s, cfg);
	err = sensor_open_skel(s, cfg, true, true);
	if (err) {
		sensor_close(s);
		return err;
	}
	sensor_fill_meta(s, cfg, 0, SW_MODE_NONE);
	return 0;
}

int sensor_run_packet(struct sensor *s, const void *frame, uint32_t len, uint64_t ts_ns)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = len, .repeat = 1);
	int err;

	cstate_set_clock(&s->cs, ts_ns);
	err = bpf_prog_test_run_opts(s->prog_fd, &opts);
	if (err)
		return sensor_fail(s, err, "BPF_PROG_TEST_RUN failed on a %u-byte frame: %s", len,
				   strerror(-err));
	return (int)opts.retval;
}

int sensor_run_egress(struct sensor *s, const void *frame, uint32_t len, uint64_t ts_ns,
		      int *verdict)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = len, .repeat = 1);
	int err;

	if (s->egress_prog_fd < 0)
		return sensor_fail(s, EINVAL, "the egress program is loaded in host mode only");
	cstate_set_clock(&s->cs, ts_ns);
	err = bpf_prog_test_run_opts(s->egress_prog_fd, &opts);
	if (err)
		return sensor_fail(
			s, err,
			"BPF_PROG_TEST_RUN of the egress program failed on a %u-byte frame: %s",
			len, strerror(-err));
	*verdict = (int)opts.retval;
	return 0;
}
