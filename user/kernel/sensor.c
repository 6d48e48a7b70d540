// SPDX-License-Identifier: GPL-2.0-only
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

#include "scanwatch.skel.h"
#include "cli.h"
#include "log.h"
#include "multiprog.h"
#include "parse_num.h"
#include "sensor.h"
#include "pins.h"

/* Pinned object names under PIN_ROOT/POINT; the maps keep their BPF names. */
static const char *const pinned_maps[] = {
	"keys",	    "keys_0",  "keys_1", "state", "cache",
	"log_recs", "log_ctl", "watch",	 "meta",  "seconds",
};
#define NPINNED (sizeof(pinned_maps) / sizeof(pinned_maps[0]))
/* Host mode's, besides: the flow table, the services, and the egress hook. */
#define PIN_FLOWS "flows"
#define PIN_PROG "prog" /* SW_META_MULTIPROG: libxdp holds the attachment, we the program */
#define PIN_SERVICES "services"
/* Apart from pinned_maps: a point pinned before the research list existed resumes without it. */
#define PIN_RESEARCH "research"
#define PIN_EGRESS_LINK "egress_link" /* SW_EGRESS_TCX */
#define PIN_EGRESS_PROG "egress_prog" /* SW_EGRESS_TC: the filter holds the program, not a link */

/* Linux 6.6's numbers, which libbpf 1.1's headers predate; a kernel without tcx refuses them. */
#define SW_BPF_TCX_EGRESS 47
#define SW_BPF_LINK_TYPE_TCX 11
/* Our tc filter: a fixed handle and priority, so detach and resume find it; last in the chain. */
#define SW_TC_HANDLE 0x5357
#define SW_TC_PRIO 0xfff0u

static int fail(struct sensor *s, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct sensor *s, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->errmsg, sizeof(s->errmsg), fmt, ap);
	va_end(ap);
	return err < 0 ? err : -err;
}

static void sensor_init(struct sensor *s, const struct sensor_config *cfg)
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

static int pin_path(char *buf, size_t len, const char *dir, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static unsigned int flow_table_size(const struct sensor_config *cfg)
{
	return cfg->flow_table_size ? cfg->flow_table_size : SW_DEFAULT_FLOW_TABLE;
}

static unsigned int flow_expiry_s(const struct sensor_config *cfg)
{
	return cfg->flow_expiry_s ? cfg->flow_expiry_s : SW_DEFAULT_FLOW_EXPIRY_S;
}

static __u32 meta_flags(const struct sensor_config *cfg)
{
	return (cfg->drop ? SW_META_DROP : 0) | (cfg->nwatch ? SW_META_WATCH : 0) |
	       (cfg->host_mode ? SW_META_HOST : 0);
}

/* A tc handle means something only in the namespace it was made in; so does an ifindex. */
static int netns_id(__u64 *dev, __u64 *ino)
{
	struct stat st;

	if (stat("/proc/self/ns/net", &st))
		return -errno;
	*dev = st.st_dev;
	*ino = st.st_ino;
	return 0;
}

static void fill_meta(struct sensor *s, const struct sensor_config *cfg, int ifindex, __u32 mode)
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
	s->meta.flags = meta_flags(cfg) | (s->meta.flags & (SW_META_OWN_QDISC | SW_META_MULTIPROG));
	s->meta.daemon_pid = getpid();
	snprintf(s->meta.ifname, sizeof(s->meta.ifname), "%s", cfg->ifname ? cfg->ifname : "");
	if (cfg->host_mode) {
		s->meta.flow_table_size = flow_table_size(cfg);
		s->meta.flow_expiry_s = flow_expiry_s(cfg);
		s->meta.nservices = cfg->nservices;
	}
	/* tc's handles and libxdp's ifindex mean something only in this namespace. */
	if (cfg->host_mode || (s->meta.flags & SW_META_MULTIPROG))
		netns_id(&s->meta.netns_dev, &s->meta.netns_ino);
}

/* Replaces the counted services with the ones asked for. */
static int set_services(struct sensor *s, const struct sensor_config *cfg)
{
	struct sw_service svc;
	__u8 one = 1;

	while (!bpf_map_get_next_key(s->services_fd, NULL, &svc))
		if (bpf_map_delete_elem(s->services_fd, &svc))
			return fail(s, errno, "cannot update the counted services: %s",
				    strerror(errno));
	for (size_t i = 0; i < cfg->nservices; i++)
		if (bpf_map_update_elem(s->services_fd, &cfg->services[i], &one, BPF_ANY))
			return fail(s, errno, "cannot add counted service %zu: %s", i,
				    strerror(errno));
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
static int set_research(struct sensor *s, const struct sensor_config *cfg)
{
	struct sw_prefix *old = NULL, key, *prev = NULL;
	size_t nold = 0, cap = 0;
	__u8 one = 1;
	int err = 0;

	if (!cfg->nresearch)
		cstate_set_flag(&s->cs, SW_CTL_RESEARCH, false);
	for (size_t i = 0; i < cfg->nresearch; i++)
		if (bpf_map_update_elem(s->research_fd, &cfg->research[i], &one, BPF_ANY))
			return fail(s, errno, "cannot add research prefix %zu: %s", i + 1,
				    strerror(errno));
	while (!bpf_map_get_next_key(s->research_fd, prev, &key)) {
		if (nold == cap) {
			struct sw_prefix *n = realloc(old, (cap ? cap * 2 : 64) * sizeof(*n));

			if (!n) {
				free(old);
				return fail(s, ENOMEM, "cannot read the research prefixes: %s",
					    strerror(ENOMEM));
			}
			old = n;
			cap = cap ? cap * 2 : 64;
		}
		old[nold] = key;
		prev = &old[nold++];
	}
	for (size_t i = 0; i < nold && !err; i++)
		if (!in_list(cfg->research, cfg->nresearch, &old[i]) &&
		    bpf_map_delete_elem(s->research_fd, &old[i]))
			err = fail(s, errno, "cannot update the research prefixes: %s",
				   strerror(errno));
	free(old);
	if (!err && cfg->nresearch)
		cstate_set_flag(&s->cs, SW_CTL_RESEARCH, true);
	return err;
}

static int skel_ready(struct sensor *s, const struct sensor_config *cfg);

static unsigned int log_records(const struct sensor_config *cfg)
{
	return cfg->log_records ? cfg->log_records : cfg->max_pairs;
}

/* A counting state the kernel would not make: one line that says what it was asked for. */
static int state_refused(struct sensor *s, const struct sensor_config *cfg, int err)
{
	return fail(s, err,
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

	err = cstate_plan(cs, cfg->cache_slots, log_records(cfg), libbpf_num_possible_cpus(),
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
static int open_skel(struct sensor *s, const struct sensor_config *cfg, bool replay, bool load)
{
	struct scanwatch_bpf *skel;
	int err;

	skel = scanwatch_bpf__open();
	if (!skel)
		return fail(s, errno, "cannot open the BPF object: %s", strerror(errno));
	skel->rodata->flow_expiry_ns = (__u64)flow_expiry_s(cfg) * 1000000000ull;
	/* Sensor mode never runs the egress program: do not even load it. */
	bpf_program__set_autoload(skel->progs.scanwatch_egress, cfg->host_mode);
	err = bpf_map__set_max_entries(skel->maps.flows, cfg->host_mode ? flow_table_size(cfg) : 1);
	if (err) {
		scanwatch_bpf__destroy(skel);
		return fail(s, err, "cannot size the flow table: %s", strerror(-err));
	}
	err = sensor_size_state(&s->cs, &SW_OBJ_VIEW(skel), cfg, ctl_flags(cfg, replay), s->errmsg,
				sizeof(s->errmsg));
	if (err) {
		scanwatch_bpf__destroy(skel);
		/* The state map is the first thing made: the privilege to load BPF is missing. */
		if (err == -EPERM) {
			char why[SW_ERRMSG_LEN];

			snprintf(why, sizeof(why), "%s", s->errmsg);
			return fail(s, err,
				    "%s (needs root, or CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON)",
				    why);
		}
		return err < 0 ? err : -err;
	}
	if (!load) {
		/* libxdp loads it, as a freplace program of its dispatcher: skel_ready() follows. */
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
			return fail(s, err,
				    "cannot load the XDP program: %s (needs root, or CAP_BPF, "
				    "CAP_NET_ADMIN and CAP_PERFMON)",
				    strerror(-err));
		return fail(s, err,
			    "cannot load the XDP program (run with -v for the verifier's log): %s",
			    strerror(-err));
	}
	s->skel = skel;
	return skel_ready(s, cfg);
}

/* The loaded skeleton's descriptors, and the tables' first contents. */
static int skel_ready(struct sensor *s, const struct sensor_config *cfg)
{
	struct scanwatch_bpf *skel = s->skel;
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
		err = set_research(s, cfg);
	if (err)
		return err;
	if (cfg->host_mode) {
		s->flows_fd = bpf_map__fd(skel->maps.flows);
		s->services_fd = bpf_map__fd(skel->maps.services);
		s->egress_prog_fd = bpf_program__fd(skel->progs.scanwatch_egress);
		err = set_services(s, cfg);
		if (err)
			return err;
	}

	for (size_t i = 0; i < cfg->nwatch; i++) {
		__u8 one = 1;

		if (bpf_map_update_elem(s->watch_fd, &cfg->watch[i], &one, BPF_ANY))
			return fail(s, errno, "cannot add watched prefix %zu: %s", i,
				    strerror(errno));
	}
	return 0;
}

int sensor_open_replay(struct sensor *s, const struct sensor_config *cfg)
{
	int err;

	sensor_init(s, cfg);
	err = open_skel(s, cfg, true, true);
	if (err) {
		sensor_close(s);
		return err;
	}
	fill_meta(s, cfg, 0, SW_MODE_NONE);
	return 0;
}

int sensor_run_packet(struct sensor *s, const void *frame, uint32_t len, uint64_t ts_ns)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = len, .repeat = 1);
	int err;

	cstate_set_clock(&s->cs, ts_ns);
	err = bpf_prog_test_run_opts(s->prog_fd, &opts);
	if (err)
		return fail(s, err, "BPF_PROG_TEST_RUN failed on a %u-byte frame: %s", len,
			    strerror(-err));
	return (int)opts.retval;
}

int sensor_run_egress(struct sensor *s, const void *frame, uint32_t len, uint64_t ts_ns,
		      int *verdict)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = len, .repeat = 1);
	int err;

	if (s->egress_prog_fd < 0)
		return fail(s, EINVAL, "the egress program is loaded in host mode only");
	cstate_set_clock(&s->cs, ts_ns);
	err = bpf_prog_test_run_opts(s->egress_prog_fd, &opts);
	if (err)
		return fail(s, err,
			    "BPF_PROG_TEST_RUN of the egress program failed on a %u-byte frame: %s",
			    len, strerror(-err));
	*verdict = (int)opts.retval;
	return 0;
}

/* bpffs is where pins live; mount it if the system has not (as bpftool does). */
static int ensure_bpffs(struct sensor *s, const char *root)
{
	struct statfs st;
	char parent[PATH_MAX];
	char *slash;

	snprintf(parent, sizeof(parent), "%s", root);
	slash = strrchr(parent, '/');
	if (slash && slash != parent)
		*slash = '\0';
	if (statfs(parent, &st) == 0 && st.f_type == BPF_FS_MAGIC)
		goto mkroot;
	/* Mounted over, whatever the folder holds would be hidden: the operator's to decide. */
	if (pins_mount_point_ok(parent))
		return fail(
			s, ENOTEMPTY,
			"%s is not a BPF file system and is not empty: mounting one there would "
			"hide what it holds; mount one yourself ('mount -t bpf bpf %s') or give "
			"another --pin-root",
			parent, parent);
	if (mount("bpf", parent, "bpf", 0, "mode=0700"))
		return fail(s, errno, "%s is not a BPF file system and cannot be mounted: %s",
			    parent, strerror(errno));
	/* Under `ip netns exec` this mount lives in a private mount namespace and dies with it. */
	s->pins_private = !pins_mount_shared(parent);
	sw_warn("mounted a BPF file system on %s; pins there outlive this daemon only if the mount is "
		"shared (not under 'ip netns exec': use --pin-root on a bpffs mounted outside /sys)",
		parent);
mkroot:
	if (mkdir(root, 0700) && errno != EEXIST)
		return fail(s, errno, "cannot create %s: %s", root, strerror(errno));
	return 0;
}

static void unpin_all(const char *dir)
{
	char path[PATH_MAX];

	static const char *const host_pins[] = { PIN_FLOWS, PIN_SERVICES, PIN_EGRESS_LINK,
						 PIN_EGRESS_PROG, PIN_RESEARCH };

	if (!pin_path(path, sizeof(path), dir, "link"))
		unlink(path);
	for (size_t i = 0; i < sizeof(host_pins) / sizeof(host_pins[0]); i++)
		if (!pin_path(path, sizeof(path), dir, host_pins[i]))
			unlink(path);
	if (!pin_path(path, sizeof(path), dir, "link_new"))
		unlink(path);
	if (!pin_path(path, sizeof(path), dir, PIN_PROG))
		unlink(path);
	if (!pin_path(path, sizeof(path), dir, PIN_EGRESS_LINK "_new"))
		unlink(path);
	for (size_t i = 0; i < NPINNED; i++)
		if (!pin_path(path, sizeof(path), dir, pinned_maps[i]))
			unlink(path);
	rmdir(dir);
}

static int pin_all(struct sensor *s)
{
	char path[PATH_MAX];
	int err;

	if (mkdir(s->pin_dir, 0700))
		return fail(s, errno, "cannot create %s: %s", s->pin_dir, strerror(errno));
	for (size_t i = 0; i < NPINNED; i++) {
		struct bpf_map *map = bpf_object__find_map_by_name(s->skel->obj, pinned_maps[i]);

		err = pin_path(path, sizeof(path), s->pin_dir, pinned_maps[i]);
		if (!err)
			err = bpf_obj_pin(bpf_map__fd(map), path);
		if (err)
			goto fail;
	}
	err = pin_path(path, sizeof(path), s->pin_dir, PIN_RESEARCH);
	if (!err)
		err = bpf_obj_pin(s->research_fd, path);
	if (err)
		goto fail;
	if (s->meta.flags & SW_META_HOST) {
		bool tcx = s->meta.egress_hook == SW_EGRESS_TCX;
		const char *names[] = { PIN_FLOWS, PIN_SERVICES,
					tcx ? PIN_EGRESS_LINK : PIN_EGRESS_PROG };
		int fds[] = { s->flows_fd, s->services_fd,
			      tcx ? s->egress_link_fd : s->egress_prog_fd };

		for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
			err = pin_path(path, sizeof(path), s->pin_dir, names[i]);
			if (!err)
				err = bpf_obj_pin(fds[i], path);
			if (err)
				goto fail;
		}
	}
	/* The XDP link (or program) last: its pin says a point is whole (see sensor_open_live). */
	err = pin_path(path, sizeof(path), s->pin_dir,
		       s->meta.flags & SW_META_MULTIPROG ? PIN_PROG : "link");
	if (!err)
		err = bpf_obj_pin(s->meta.flags & SW_META_MULTIPROG ? s->prog_fd : s->link_fd,
				  path);
	if (!err)
		return 0;
fail:
	unpin_all(s->pin_dir);
	return fail(s, err, "cannot pin to %s: %s", s->pin_dir, strerror(-err));
}

static int attach(struct sensor *s, int prog_fd, int ifindex, const char *ifname,
		  enum sw_mode_req req, __u32 *mode)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts);
	__u32 prog_id = 0;
	int fd, err;

	if (req != SW_REQ_GENERIC) {
		opts.flags = XDP_FLAGS_DRV_MODE;
		fd = bpf_link_create(prog_fd, ifindex, BPF_XDP, &opts);
		if (fd >= 0) {
			*mode = SW_MODE_NATIVE;
			goto done;
		}
		err = -errno;
		if (err == -EBUSY || err == -EEXIST || req == SW_REQ_NATIVE)
			goto busy;
		sw_warn("%s: native XDP unavailable (%s); using generic mode, which is slower",
			ifname, strerror(-err));
	}
	opts.flags = XDP_FLAGS_SKB_MODE;
	fd = bpf_link_create(prog_fd, ifindex, BPF_XDP, &opts);
	if (fd >= 0) {
		*mode = SW_MODE_GENERIC;
		goto done;
	}
	err = -errno;
busy:
	if ((err == -EBUSY || err == -EEXIST) && !bpf_xdp_query_id(ifindex, 0, &prog_id) && prog_id)
		return fail(
			s, err,
			"%s already has an XDP program (id %u); scanwatch does not replace it "
			"(programs loaded through libxdp's dispatcher can share it: --multiprog)",
			ifname, prog_id);
	return fail(s, err, "cannot attach to %s in %s mode: %s", ifname,
		    req == SW_REQ_NATIVE ? "native" : "generic", strerror(-err));
done:
	s->link_fd = fd;
	return 0;
}

static void tc_hook_init(struct bpf_tc_hook *hook, int ifindex, enum bpf_tc_attach_point where)
{
	memset(hook, 0, sizeof(*hook));
	hook->sz = sizeof(*hook);
	hook->ifindex = ifindex;
	hook->attach_point = where;
}

static void tc_opts_init(struct bpf_tc_opts *o, int prog_fd)
{
	memset(o, 0, sizeof(*o));
	o->sz = sizeof(*o);
	o->handle = SW_TC_HANDLE;
	o->priority = SW_TC_PRIO;
	o->prog_fd = prog_fd;
}

/* Our filter on egress, and the clsact qdisc if we made it; what is not there is fine. */
static void tc_remove(int ifindex, bool own_qdisc)
{
	struct bpf_tc_hook hook;
	struct bpf_tc_opts o;

	tc_hook_init(&hook, ifindex, BPF_TC_EGRESS);
	tc_opts_init(&o, 0);
	bpf_tc_detach(&hook, &o);
	if (own_qdisc) {
		tc_hook_init(&hook, ifindex, BPF_TC_INGRESS | BPF_TC_EGRESS);
		bpf_tc_hook_destroy(&hook);
	}
}

/* The pinned egress program as a tc filter, on a clsact qdisc that may already be there. */
static int attach_tc(struct sensor *s, int prog_fd, int ifindex, const char *ifname)
{
	struct bpf_tc_hook hook;
	struct bpf_tc_opts o;
	bool own = false;
	int err;

	tc_hook_init(&hook, ifindex, BPF_TC_EGRESS);
	err = bpf_tc_hook_create(&hook);
	if (!err)
		own = true;
	else if (err != -EEXIST)
		return fail(s, err, "cannot add a clsact qdisc to %s: %s", ifname, strerror(-err));
	tc_opts_init(&o, prog_fd);
	err = bpf_tc_attach(&hook, &o);
	if (err) {
		if (own)
			tc_remove(ifindex, true);
		if (err == -EEXIST)
			return fail(s, err,
				    "%s already has a tc egress filter with scanwatch's handle %#x "
				    "and priority %#x",
				    ifname, SW_TC_HANDLE, SW_TC_PRIO);
		return fail(s, err, "cannot attach the egress program to %s: %s", ifname,
			    strerror(-err));
	}
	if (own)
		s->meta.flags |= SW_META_OWN_QDISC;
	return 0;
}

/*
 * Host mode's egress program: a tcx link where the kernel has them (6.6+), pinned and detached
 * like the XDP link, else a tc filter. Runtime probe, not a version check: the kernel refuses
 * an attach type it does not know.
 */
static int attach_egress(struct sensor *s, int ifindex, const char *ifname, enum sw_egress_req req)
{
	int fd;

	if (req != SW_EGRESS_REQ_TC) {
		fd = bpf_link_create(s->egress_prog_fd, ifindex, SW_BPF_TCX_EGRESS, NULL);
		if (fd >= 0) {
			s->egress_link_fd = fd;
			s->meta.egress_hook = SW_EGRESS_TCX;
			return 0;
		}
		if (req == SW_EGRESS_REQ_TCX)
			return fail(s, errno, "cannot attach a tcx egress link to %s: %s", ifname,
				    strerror(errno));
		sw_warn("%s: tcx links unavailable (%s); attaching a tc filter on the clsact qdisc",
			ifname, strerror(errno));
	}
	s->meta.egress_hook = SW_EGRESS_TC;
	return attach_tc(s, s->egress_prog_fd, ifindex, ifname);
}

static bool same_netns(const struct sw_meta *m)
{
	__u64 dev = 0, ino = 0;

	return !netns_id(&dev, &ino) && dev == m->netns_dev && ino == m->netns_ino;
}

/*
 * The egress side of a resumed host-mode point: still attached, or attached again (said once,
 * unless quiet: a re-attach retried every interval has its own account, run.c's).
 */
static int resume_egress(struct sensor *s, int ifindex, bool quiet)
{
	struct bpf_link_info info = {};
	struct bpf_prog_info pinfo = {};
	__u32 len = sizeof(info), plen = sizeof(pinfo);
	struct bpf_tc_hook hook;
	struct bpf_tc_opts o;
	char path[PATH_MAX];
	int fd, err;

	if (s->meta.egress_hook == SW_EGRESS_TCX) {
		pin_path(path, sizeof(path), s->pin_dir, PIN_EGRESS_LINK);
		fd = bpf_obj_get(path);
		if (fd < 0)
			return fail(s, errno, "cannot open pinned egress link %s: %s", path,
				    strerror(errno));
		s->egress_link_fd = fd;
		/* tcx's link info starts with the ifindex, where xdp's does. */
		if (bpf_obj_get_info_by_fd(fd, &info, &len) || info.type != SW_BPF_LINK_TYPE_TCX ||
		    (int)info.xdp.ifindex != ifindex)
			return fail(s, EINVAL,
				    "pinned egress link %s is not a tcx link on this interface",
				    path);
		return 0;
	}
	if (s->meta.egress_hook != SW_EGRESS_TC)
		return fail(s, EINVAL, "pinned point %s has no egress hook", s->point);
	if (!same_netns(&s->meta))
		return fail(s, EXDEV,
			    "point %s was attached from another network namespace: resume it there",
			    s->point);
	pin_path(path, sizeof(path), s->pin_dir, PIN_EGRESS_PROG);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return fail(s, errno, "cannot open pinned egress program %s: %s", path,
			    strerror(errno));
	err = bpf_obj_get_info_by_fd(fd, &pinfo, &plen);
	tc_hook_init(&hook, ifindex, BPF_TC_EGRESS);
	tc_opts_init(&o, 0);
	if (!err && !bpf_tc_query(&hook, &o) && o.prog_id == pinfo.id) {
		close(fd);
		return 0;
	}
	/* Someone removed the filter or the qdisc (tc qdisc del ... clsact): put it back. */
	if (!quiet)
		sw_warn("point %s: the tc egress filter on %s was gone; attaching it again",
			s->point, s->meta.ifname);
	/* A qdisc we made and still there stays ours; one made now becomes ours (attach_tc). */
	err = attach_tc(s, fd, ifindex, s->meta.ifname);
	close(fd);
	return err;
}

static int read_active(struct sensor *s)
{
	s->gen = cstate_active(&s->cs);
	return 0;
}

/*
 * One daemon per point: two would flip and empty the same tables under each other. The lock is
 * an flock() on the pin directory, which the kernel drops with the process however it dies, so
 * a daemon killed with SIGKILL never blocks its successor.
 */
static int lock_point(struct sensor *s)
{
	__u32 other;
	int fd = pins_lock(s->pin_dir, &other);

	if (fd >= 0) {
		s->lock_fd = fd;
		return 0;
	}
	if (fd != -EBUSY)
		return fail(s, -fd, "cannot lock %s: %s", s->pin_dir, strerror(-fd));
	return fail(s, EBUSY,
		    "point %s is run by another scanwatch (pid %u): stop it first (on SIGTERM it "
		    "drains once more and leaves the program counting), then start this one",
		    s->point, other);
}

/*
 * Replaces the pinned link. bpffs can neither rename nor take a dot in a name, so the new link
 * is pinned as link_new first: at every moment one of the two pins holds it, and a start that
 * finds link_new finishes the job (finish_relink): a daemon killed in between loses nothing.
 */
static int pin_link(struct sensor *s, int link_fd, const char *name)
{
	char path[PATH_MAX], tmp[PATH_MAX], tmpname[32];

	snprintf(tmpname, sizeof(tmpname), "%s_new", name);
	if (pin_path(path, sizeof(path), s->pin_dir, name) ||
	    pin_path(tmp, sizeof(tmp), s->pin_dir, tmpname))
		return -ENAMETOOLONG;
	unlink(tmp);
	if (bpf_obj_pin(link_fd, tmp))
		return -errno;
	unlink(path);
	if (bpf_obj_pin(link_fd, path))
		return -errno;
	unlink(tmp);
	return 0;
}

static void finish_relink(struct sensor *s)
{
	static const char *const names[] = { "link", PIN_EGRESS_LINK };
	char tmp[PATH_MAX], tmpname[32];
	int fd;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(tmpname, sizeof(tmpname), "%s_new", names[i]);
		if (pin_path(tmp, sizeof(tmp), s->pin_dir, tmpname))
			continue;
		fd = bpf_obj_get(tmp);
		if (fd < 0)
			continue;
		if (!pin_link(s, fd, names[i]))
			sw_info("point %s: finished the re-attachment a previous daemon started",
				s->point);
		close(fd);
	}
}

/* A link's program, and whether the link is still attached (a device's link dies with it). */
static int link_state(struct sensor *s, int link_fd, __u32 *prog_id, bool *attached)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(link_fd, &info, &len))
		return fail(s, errno, "cannot read the point's link: %s", strerror(errno));
	*prog_id = info.prog_id;
	/* The kernel leaves an unregistered device's xdp and tcx links with index 0. */
	*attached = info.xdp.ifindex != 0;
	return 0;
}

/* The programs the links run, held so that re-attaching them needs no privilege (sensor.h). */
static int hold_programs(struct sensor *s)
{
	char path[PATH_MAX];
	__u32 prog_id;
	bool attached;
	int err;

	if (s->meta.flags & SW_META_MULTIPROG) {
		/* Resumed: the pinned program is held already. */
		if (s->held_prog_fd < 0)
			s->held_prog_fd = fcntl(s->prog_fd, F_DUPFD_CLOEXEC, 3);
		if (s->held_prog_fd < 0)
			return fail(s, errno, "cannot hold the point's program: %s",
				    strerror(errno));
	} else {
		err = link_state(s, s->link_fd, &prog_id, &attached);
		if (err)
			return err;
		s->held_prog_fd = bpf_prog_get_fd_by_id(prog_id);
		if (s->held_prog_fd < 0)
			return fail(s, errno, "cannot hold the point's program (id %u): %s",
				    prog_id, strerror(errno));
	}
	/* A tc filter is put back from its pinned program instead. */
	if (!(s->meta.flags & SW_META_HOST) || s->meta.egress_hook != SW_EGRESS_TCX)
		return 0;
	if (s->egress_link_fd < 0) {
		pin_path(path, sizeof(path), s->pin_dir, PIN_EGRESS_LINK);
		s->egress_link_fd = bpf_obj_get(path);
		if (s->egress_link_fd < 0)
			return fail(s, errno, "cannot open pinned egress link %s: %s", path,
				    strerror(errno));
	}
	err = link_state(s, s->egress_link_fd, &prog_id, &attached);
	if (err)
		return err;
	s->held_egress_fd = bpf_prog_get_fd_by_id(prog_id);
	if (s->held_egress_fd < 0)
		return fail(s, errno, "cannot hold the point's egress program (id %u): %s", prog_id,
			    strerror(errno));
	return 0;
}

/* Host mode's egress program, on the interface that came back. */
static int relink_egress(struct sensor *s, int ifindex, const char *ifname)
{
	__u32 prog_id;
	bool attached;
	int fd, err;

	/*
	 * A tc filter went with the device's qdisc: resume_egress() puts it back if missing, which
	 * needs CAP_NET_ADMIN, gone once the daemon dropped it: then the next start does.
	 */
	if (s->meta.egress_hook == SW_EGRESS_TC)
		return resume_egress(s, ifindex, true);
	err = link_state(s, s->egress_link_fd, &prog_id, &attached);
	if (err || attached)
		return err;
	if (s->held_egress_fd < 0)
		return fail(s, EBADF, "the point's egress program (id %u) is not held", prog_id);
	fd = bpf_link_create(s->held_egress_fd, ifindex, SW_BPF_TCX_EGRESS, NULL);
	err = fd < 0 ? -errno : 0;
	if (err)
		return fail(s, err, "cannot attach the egress program to %s again: %s", ifname,
			    strerror(-err));
	close(s->egress_link_fd);
	s->egress_link_fd = fd;
	err = pin_link(s, fd, PIN_EGRESS_LINK);
	if (err)
		return fail(s, err, "re-attached to %s but cannot pin the new egress link: %s",
			    ifname, strerror(-err));
	return 0;
}

/*
 * Back in the dispatcher of the interface of that name, when it is not there any more; force:
 * the caller knows it is not (a resumed point, whose interface may have the same index again).
 */
static int relink_multiprog(struct sensor *s, const char *ifname, bool force)
{
	int ifindex = if_nametoindex(ifname), err;
	__u32 mode = 0;

	if (!ifindex)
		return fail(s, ENODEV, "interface %s is gone", ifname);
	/*
	 * The same device: our place in its dispatcher is libxdp's to keep. (Reading the
	 * dispatcher's programs takes CAP_SYS_ADMIN, which the daemon has dropped.)
	 */
	if (!force && ifindex == (int)s->meta.ifindex)
		return 0;
	if (s->meta.flags & SW_META_HOST) {
		err = relink_egress(s, ifindex, ifname);
		if (err)
			return err;
	}
	err = mp_attach_fd(s->held_prog_fd, ifindex, ifname, s->meta.mode == SW_MODE_GENERIC,
			   s->run_prio, &mode, s->errmsg, sizeof(s->errmsg));
	if (err)
		return err;
	s->meta.ifindex = ifindex;
	s->meta.mode = mode;
	err = sensor_update_meta(s);
	return err ? err : SW_RELINKED;
}

int sensor_relink(struct sensor *s, const char *ifname)
{
	char path[PATH_MAX];
	__u32 mode = 0, prog_id;
	bool attached;
	int ifindex, old = s->link_fd, err;

	if (s->meta.flags & SW_META_MULTIPROG)
		return relink_multiprog(s, ifname, false);
	err = link_state(s, s->link_fd, &prog_id, &attached);
	if (err || attached)
		return err;
	ifindex = if_nametoindex(ifname);
	if (!ifindex)
		return fail(s, ENODEV, "interface %s is gone", ifname);
	/*
	 * Detached while its interface stayed, or its pins taken away: someone meant it to stop
	 * (bpftool, or pins removed by hand). Attached again, it would count with nothing to say so.
	 */
	pin_path(path, sizeof(path), s->pin_dir, "link");
	if ((int)s->meta.ifindex == ifindex || (access(path, F_OK) && errno == ENOENT))
		return fail(
			s, ENOLINK,
			"its program was detached from %s by someone else (or its pins removed): "
			"not attached again; 'scanwatch detach --point %s' cleans up",
			ifname, s->point);
	if (s->held_prog_fd < 0)
		return fail(s, EBADF, "the point's program (id %u) is not held", prog_id);
	/* Egress first: were it to fail, the next call, seeing XDP still detached, tries both. */
	if (s->meta.flags & SW_META_HOST) {
		err = relink_egress(s, ifindex, ifname);
		if (err)
			return err;
	}
	err = attach(s, s->held_prog_fd, ifindex, ifname,
		     s->meta.mode == SW_MODE_GENERIC ? SW_REQ_GENERIC : SW_REQ_AUTO, &mode);
	if (err)
		return err;
	err = pin_link(s, s->link_fd, "link");
	close(old);
	if (err)
		return fail(s, err, "re-attached to %s but cannot pin the new link: %s", ifname,
			    strerror(-err));
	s->meta.ifindex = ifindex;
	s->meta.mode = mode;
	err = sensor_update_meta(s);
	return err ? err : SW_RELINKED;
}

/*
 * The pinned counting state: its layout as meta recorded it, checked against the maps and the
 * options asked for (a size differs: the caller says which options differ), then mapped.
 */
static int resume_state(struct sensor *s, const struct sensor_config *cfg)
{
	struct bpf_map_info cinfo = {}, linfo = {}, sinfo = {}, tinfo = {};
	__u32 clen = sizeof(cinfo), llen = sizeof(linfo), slen = sizeof(sinfo),
	      tlen = sizeof(tinfo);
	struct cstate want;
	char errmsg[SW_ERRMSG_LEN];

	s->cs.ncpus = s->meta.ncpus;
	s->cs.cache_slots = s->meta.cache_slots;
	s->cs.log_chunks = s->meta.log_chunks;
	s->cs.sec_slots = s->meta.sec_slots;
	if (s->cs.ncpus != (uint32_t)s->ncpus)
		return fail(s, EINVAL,
			    "point %s was attached when this machine had %u possible CPUs, not %d: "
			    "run 'scanwatch detach --point %s'",
			    s->point, s->cs.ncpus, s->ncpus, s->point);
	if (bpf_obj_get_info_by_fd(s->cs.cache_fd, &cinfo, &clen) ||
	    bpf_obj_get_info_by_fd(s->cs.log_fd, &linfo, &llen) ||
	    bpf_obj_get_info_by_fd(s->cs.state_fd, &sinfo, &slen) ||
	    bpf_obj_get_info_by_fd(s->cs.sec_fd, &tinfo, &tlen) ||
	    tinfo.max_entries != cstate_sec_entries(&s->cs) ||
	    tinfo.value_size != sizeof(struct sw_second) || sinfo.max_entries != s->cs.ncpus ||
	    sinfo.value_size != sizeof(struct sw_block) ||
	    cinfo.max_entries != cstate_cache_entries(&s->cs) ||
	    linfo.max_entries != cstate_log_entries(&s->cs) ||
	    cinfo.value_size != sizeof(struct sw_rec) || linfo.value_size != sizeof(struct sw_rec))
		return fail(s, EINVAL,
			    "pinned point %s has a counting state its meta map does not describe: "
			    "run 'scanwatch detach --point %s'",
			    s->point, s->point);
	/* Options asked for now: the same layout, or the point must be detached first. */
	cstate_init(&want);
	if (cstate_plan(&want, cfg->cache_slots, log_records(cfg), s->ncpus, 0, cfg->interval_s,
			errmsg, sizeof(errmsg)) == -EINVAL)
		return fail(s, EINVAL, "%s", errmsg);
	if (want.cache_slots != s->cs.cache_slots || want.log_chunks != s->cs.log_chunks)
		return fail(
			s, EEXIST,
			"point %s is attached with caches of %u slots and a log of %llu records, not "
			"%u and %llu; run 'scanwatch detach --point %s' first",
			s->point, s->cs.cache_slots,
			(unsigned long long)cstate_log_capacity(&s->cs), want.cache_slots,
			(unsigned long long)cstate_log_capacity(&want), s->point);
	if (want.sec_slots > s->cs.sec_slots)
		sw_warn("point %s was attached for shorter intervals: its rings of seconds hold %u, "
			"and an interval of %u s may overwrite its first seconds, making the peak "
			"rate a floor ('scanwatch detach --point %s' and a new start resize them)",
			s->point, s->cs.sec_slots, cfg->interval_s, s->point);
	return cstate_map(&s->cs, s->errmsg, sizeof(s->errmsg));
}

static int resume(struct sensor *s, const struct sensor_config *cfg, int ifindex)
{
	struct bpf_link_info info = {};
	__u32 info_len = sizeof(info), zero = 0;
	int *fds[NPINNED] = { &s->keys_outer_fd, &s->keys_fd[0], &s->keys_fd[1], &s->cs.state_fd,
			      &s->cs.cache_fd,	 &s->cs.log_fd,	 &s->cs.ctl_fd,	 &s->watch_fd,
			      &s->meta_fd,	 &s->cs.sec_fd };
	struct sw_prefix pfx;
	char path[PATH_MAX];
	__u32 want_flags;
	const char *missing = NULL;
	__u8 one = 1;
	bool defunct, multiprog;
	int err;

	err = lock_point(s);
	if (err)
		return err;
	pin_path(path, sizeof(path), s->pin_dir, "link");
	multiprog = access(path, F_OK) != 0;
	if (multiprog) {
		struct bpf_prog_info pinfo = {};
		__u32 plen = sizeof(pinfo);

		pin_path(path, sizeof(path), s->pin_dir, PIN_PROG);
		s->held_prog_fd = bpf_obj_get(path);
		if (s->held_prog_fd < 0 || bpf_obj_get_info_by_fd(s->held_prog_fd, &pinfo, &plen))
			return fail(s, errno, "cannot open pinned program %s: %s", path,
				    strerror(errno));
		s->prog_id = pinfo.id;
		/* Checked below, once meta says it is libxdp's. */
		defunct = false;
	} else {
		s->link_fd = bpf_obj_get(path);
		if (s->link_fd < 0)
			return fail(s, errno, "cannot open pinned link %s: %s", path,
				    strerror(errno));
		if (bpf_obj_get_info_by_fd(s->link_fd, &info, &info_len))
			return fail(s, errno, "cannot read pinned link %s: %s", path,
				    strerror(errno));
		/* Index 0: the interface went away while no daemon ran; re-attached below. */
		defunct = info.type == BPF_LINK_TYPE_XDP && !info.xdp.ifindex;
	}
	if (!multiprog &&
	    (info.type != BPF_LINK_TYPE_XDP || (!defunct && (int)info.xdp.ifindex != ifindex)))
		return fail(
			s, EEXIST,
			"point %s is already attached to another interface (ifindex %u); run 'scanwatch detach --point %s' first",
			s->point, info.xdp.ifindex, s->point);
	for (size_t i = 0; i < NPINNED && !missing; i++) {
		pin_path(path, sizeof(path), s->pin_dir, pinned_maps[i]);
		*fds[i] = bpf_obj_get(path);
		if (*fds[i] < 0 && errno != ENOENT)
			return fail(s, errno, "cannot open pinned map %s: %s", path,
				    strerror(errno));
		if (*fds[i] < 0)
			missing = pinned_maps[i];
	}
	/* An older scanwatch pinned fewer maps: say so, rather than name the first one missing. */
	if (s->meta_fd >= 0 && (bpf_map_lookup_elem(s->meta_fd, &zero, &s->meta) ||
				s->meta.version != SW_META_VERSION))
		return fail(s, EINVAL, "pinned point %s was made by another version of scanwatch",
			    s->point);
	if (missing) {
		pin_path(path, sizeof(path), s->pin_dir, missing);
		return fail(s, ENOENT, "cannot open pinned map %s: %s", path, strerror(ENOENT));
	}
	if (multiprog != !!(s->meta.flags & SW_META_MULTIPROG))
		return fail(s, EINVAL,
			    "pinned point %s has lost its link or program pin; run "
			    "'scanwatch detach --point %s'",
			    s->point, s->point);
	if (multiprog) {
		int in = mp_attached(ifindex, s->prog_id);

		if (in < 0)
			return fail(s, in, "cannot read the XDP programs of %s: %s", cfg->ifname,
				    strerror(-in));
		/* Not in the dispatcher any more (an interface re-created): re-attached below. */
		defunct = !in;
		/* No link of ours to make drain_flip wait for running programs: it must ask. */
		s->flip_waits = true;
		s->run_prio = cfg->run_prio ? cfg->run_prio : SW_RUN_PRIO_DEFAULT;
	} else if (cfg->multiprog) {
		sw_warn("point %s is attached by its own link: --multiprog takes effect after "
			"'scanwatch detach'",
			s->point);
	}
	err = resume_state(s, cfg);
	if (err)
		return err;
	want_flags = meta_flags(cfg);
	if (want_flags != (s->meta.flags & ~(SW_META_OWN_QDISC | SW_META_MULTIPROG)) ||
	    cfg->max_pairs != s->meta.max_pairs || cfg->max_keys != s->meta.max_keys ||
	    (cfg->host_mode && (flow_table_size(cfg) != s->meta.flow_table_size ||
				flow_expiry_s(cfg) != s->meta.flow_expiry_s)))
		return fail(
			s, EEXIST,
			"point %s is attached with other options (drop, watch, host mode, table, cache or log sizes, or flow expiry); run 'scanwatch detach --point %s' first",
			s->point, s->point);
	/* So may the research list; a point pinned before there was one has no trie for it. */
	pin_path(path, sizeof(path), s->pin_dir, PIN_RESEARCH);
	s->research_fd = bpf_obj_get(path);
	if (s->research_fd < 0 && errno == ENOENT && cfg->nresearch)
		return fail(s, ENOENT,
			    "point %s was attached by a scanwatch without research lists: run "
			    "'scanwatch detach --point %s' to use --research",
			    s->point, s->point);
	if (s->research_fd < 0 && errno != ENOENT)
		return fail(s, errno, "cannot open pinned map %s: %s", path, strerror(errno));
	if (s->research_fd >= 0) {
		err = set_research(s, cfg);
		if (err)
			return err;
	}
	/* The watched set may change across restarts: replace it with the one asked for. */
	while (!bpf_map_get_next_key(s->watch_fd, NULL, &pfx))
		if (bpf_map_delete_elem(s->watch_fd, &pfx))
			return fail(s, errno, "cannot update watched prefixes: %s",
				    strerror(errno));
	for (size_t i = 0; i < cfg->nwatch; i++)
		if (bpf_map_update_elem(s->watch_fd, &cfg->watch[i], &one, BPF_ANY))
			return fail(s, errno, "cannot update watched prefixes: %s",
				    strerror(errno));
	if (cfg->host_mode) {
		int *hfds[] = { &s->flows_fd, &s->services_fd };
		const char *names[] = { PIN_FLOWS, PIN_SERVICES };

		for (size_t i = 0; i < 2; i++) {
			pin_path(path, sizeof(path), s->pin_dir, names[i]);
			*hfds[i] = bpf_obj_get(path);
			if (*hfds[i] < 0)
				return fail(s, errno, "cannot open pinned map %s: %s", path,
					    strerror(errno));
		}
		/* A vanished interface took the egress hook too: sensor_relink() below. */
		err = defunct ? 0 : resume_egress(s, ifindex, false);
		if (!err)
			err = set_services(s, cfg);
		if (err)
			return err;
	}
	s->prog_fd = -1;
	s->resumed = true;
	s->meta.interval_s = cfg->interval_s;
	s->meta.daemon_pid = getpid();
	err = hold_programs(s);
	if (err)
		return err;
	if (defunct) {
		err = multiprog ? relink_multiprog(s, cfg->ifname, true) :
				  sensor_relink(s, cfg->ifname);
		if (err < 0)
			return err;
		sw_info("point %s: %s while no daemon ran; re-attached to %s", s->point,
			multiprog ? "it left libxdp's dispatcher" : "its interface went away",
			cfg->ifname);
	}
	return read_active(s);
}

int sensor_open_live(struct sensor *s, const struct sensor_config *cfg)
{
	const char *root = cfg->pin_root ? cfg->pin_root : SW_PIN_ROOT;
	struct stat st;
	char path[PATH_MAX], prog_path[PATH_MAX];
	__u32 mode = 0, zero = 0;
	bool multiprog;
	int ifindex, err;

	sensor_init(s, cfg);
	ifindex = if_nametoindex(cfg->ifname);
	if (!ifindex)
		return fail(s, errno, "interface %s: %s", cfg->ifname,
			    errno == ENODEV ? "no such interface" : strerror(errno));
	if (pin_path(s->pin_dir, sizeof(s->pin_dir), root, cfg->point))
		return fail(s, ENAMETOOLONG, "pin path for %s is too long", cfg->point);
	err = ensure_bpffs(s, root);
	if (err)
		return err;

	finish_relink(s);
	pin_path(path, sizeof(path), s->pin_dir, "link");
	pin_path(prog_path, sizeof(prog_path), s->pin_dir, PIN_PROG);
	if (stat(path, &st) == 0 || stat(prog_path, &st) == 0) {
		err = resume(s, cfg, ifindex);
		if (err)
			goto out;
		return sensor_update_meta(s);
	}
	if (stat(s->pin_dir, &st) == 0) {
		/* Maps without a link: a start that died half-way. Nothing is attached. */
		unpin_all(s->pin_dir);
	}

	/* An interface that already shares itself through libxdp is joined the same way. */
	multiprog = cfg->multiprog || mp_has_dispatcher(ifindex) == 1;
	err = open_skel(s, cfg, false, !multiprog);
	if (err)
		goto out;
	if (multiprog) {
		struct bpf_prog_info pinfo = {};
		__u32 plen = sizeof(pinfo);

		if (!cfg->multiprog)
			sw_info("point %s: %s runs libxdp's dispatcher: joining it", cfg->point,
				cfg->ifname);
		s->run_prio = cfg->run_prio ? cfg->run_prio : SW_RUN_PRIO_DEFAULT;
		err = mp_attach_obj(s->skel->obj, "scanwatch_xdp", ifindex, cfg->ifname,
				    cfg->mode == SW_REQ_GENERIC, cfg->mode == SW_REQ_NATIVE,
				    s->run_prio, &s->xprog, &mode, s->errmsg, sizeof(s->errmsg));
		if (err)
			goto out;
		err = skel_ready(s, cfg);
		if (!err && bpf_obj_get_info_by_fd(s->prog_fd, &pinfo, &plen))
			err = fail(s, errno, "cannot read the program's id: %s", strerror(errno));
		if (err)
			goto out;
		s->prog_id = pinfo.id;
		s->meta.flags |= SW_META_MULTIPROG;
		/* No link of ours to make drain_flip wait for running programs: it must ask. */
		s->flip_waits = true;
	} else {
		err = attach(s, s->prog_fd, ifindex, cfg->ifname, cfg->mode, &mode);
		if (err)
			goto out;
	}
	if (cfg->host_mode) {
		err = attach_egress(s, ifindex, cfg->ifname, cfg->egress);
		if (err)
			goto out;
	}
	fill_meta(s, cfg, ifindex, mode);
	if (bpf_map_update_elem(s->meta_fd, &zero, &s->meta, BPF_ANY)) {
		err = fail(s, errno, "cannot write meta: %s", strerror(errno));
		goto out;
	}
	err = pin_all(s);
	if (!err)
		err = lock_point(s);
	if (!err)
		err = hold_programs(s);
	if (err)
		goto out;
	return 0;
out:
	/* A tc filter outlives our descriptors, unlike the links: take it off ourselves. */
	if (!s->resumed && s->meta.egress_hook == SW_EGRESS_TC)
		tc_remove(ifindex, s->meta.flags & SW_META_OWN_QDISC);
	/* So does libxdp's pin of our place in its dispatcher. */
	if (!s->resumed && s->xprog && s->prog_id)
		mp_detach(ifindex, s->prog_id, path, sizeof(path));
	sensor_close(s);
	return err;
}

int sensor_update_meta(struct sensor *s)
{
	__u32 zero = 0;

	if (s->meta_fd < 0)
		return 0;
	if (bpf_map_update_elem(s->meta_fd, &zero, &s->meta, BPF_ANY))
		return fail(s, errno, "cannot update meta: %s", strerror(errno));
	return 0;
}

void sensor_close(struct sensor *s)
{
	int *fds[] = { &s->link_fd,	   &s->keys_outer_fd, &s->watch_fd,   &s->meta_fd,
		       &s->research_fd,	   &s->keys_fd[0],    &s->keys_fd[1], &s->cs.cache_fd,
		       &s->cs.log_fd,	   &s->cs.ctl_fd,     &s->flows_fd,   &s->services_fd,
		       &s->egress_link_fd, &s->cs.state_fd,   &s->cs.sec_fd };

	/* Closes the state map when it is ours (made for a skeleton), not the skeleton's. */
	cstate_unmap(&s->cs);
	/* libxdp's handle on the program first: it refers to the skeleton's object. */
	mp_close(s->xprog);
	s->xprog = NULL;
	if (s->skel) {
		/* The skeleton owns its map and program fds; the links are ours. */
		if (s->link_fd >= 0)
			close(s->link_fd);
		if (s->egress_link_fd >= 0)
			close(s->egress_link_fd);
		scanwatch_bpf__destroy(s->skel);
		s->skel = NULL;
	} else {
		for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
			if (*fds[i] >= 0)
				close(*fds[i]);
	}
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		*fds[i] = -1;
	s->prog_fd = s->egress_prog_fd = -1;
	if (s->held_prog_fd >= 0)
		close(s->held_prog_fd);
	if (s->held_egress_fd >= 0)
		close(s->held_egress_fd);
	s->held_prog_fd = s->held_egress_fd = -1;
	/* Last: the next daemon may start as soon as the lock goes. */
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	s->lock_fd = -1;
}

/*
 * Host mode's egress hook. A tcx link is detached through its pin from any namespace; a tc
 * filter only from the namespace it was attached in (elsewhere the ifindex names another
 * interface, perhaps another host's). Returns 0 or -EXDEV with errmsg set.
 */
static int detach_egress(const char *dir, const char *point, char errmsg[SW_ERRMSG_LEN])
{
	char path[PATH_MAX];
	struct sw_meta meta;
	__u32 zero = 0;
	int fd;

	pin_path(path, sizeof(path), dir, PIN_EGRESS_LINK);
	fd = bpf_obj_get(path);
	if (fd >= 0) {
		bpf_link_detach(fd);
		close(fd);
		return 0;
	}
	pin_path(path, sizeof(path), dir, PIN_EGRESS_PROG);
	if (access(path, F_OK))
		return 0;
	pin_path(path, sizeof(path), dir, "meta");
	fd = bpf_obj_get(path);
	if (fd < 0 || bpf_map_lookup_elem(fd, &zero, &meta) || meta.version != SW_META_VERSION) {
		if (fd >= 0)
			close(fd);
		snprintf(
			errmsg, SW_ERRMSG_LEN,
			"point %s: cannot read its meta map, so its tc egress filter stays attached",
			point);
		return -EINVAL;
	}
	close(fd);
	if (!same_netns(&meta)) {
		snprintf(
			errmsg, SW_ERRMSG_LEN,
			"point %s: its tc egress filter on %.16s stays attached: it was attached in "
			"another network namespace; remove it there with 'tc filter del dev %.16s "
			"egress handle %#x prio %u bpf', or delete the interface",
			point, meta.ifname, meta.ifname, SW_TC_HANDLE, SW_TC_PRIO);
		return -EXDEV;
	}
	tc_remove((int)meta.ifindex, meta.flags & SW_META_OWN_QDISC);
	return 0;
}

/*
 * A point in libxdp's dispatcher leaves it through libxdp, which builds a dispatcher of the other
 * programs. Only from the namespace it was attached in: elsewhere its ifindex names another
 * interface, perhaps another host's. An interface gone took the dispatcher along: nothing to do.
 */
static int detach_multiprog(const char *dir, const char *point, char errmsg[SW_ERRMSG_LEN])
{
	struct bpf_prog_info pinfo = {};
	__u32 plen = sizeof(pinfo), zero = 0;
	char path[PATH_MAX], name[IF_NAMESIZE];
	struct sw_meta meta;
	int fd, err;

	pin_path(path, sizeof(path), dir, PIN_PROG);
	fd = bpf_obj_get(path);
	err = fd < 0 || bpf_obj_get_info_by_fd(fd, &pinfo, &plen) ? -errno : 0;
	if (fd >= 0)
		close(fd);
	pin_path(path, sizeof(path), dir, "meta");
	fd = err ? -1 : bpf_obj_get(path);
	if (fd < 0 || bpf_map_lookup_elem(fd, &zero, &meta) || meta.version != SW_META_VERSION) {
		if (fd >= 0)
			close(fd);
		snprintf(errmsg, SW_ERRMSG_LEN,
			 "point %s: cannot read its pinned program or meta map, so it stays in "
			 "libxdp's dispatcher",
			 point);
		return -EINVAL;
	}
	close(fd);
	if (!same_netns(&meta)) {
		snprintf(
			errmsg, SW_ERRMSG_LEN,
			"point %s is in libxdp's dispatcher on %.16s in another network namespace: "
			"detach it there",
			point, meta.ifname);
		return -EXDEV;
	}
	if (!if_indextoname(meta.ifindex, name) || strncmp(name, meta.ifname, sizeof(meta.ifname)))
		return 0;
	err = mp_detach((int)meta.ifindex, pinfo.id, errmsg, SW_ERRMSG_LEN);
	return err == -ENOENT ? 0 : err;
}

int sensor_detach(const char *pin_root, const char *point, char errmsg[SW_ERRMSG_LEN])
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct stat st;
	__u32 holder;
	int egress_err, lock;

	if (pin_path(dir, sizeof(dir), pin_root ? pin_root : SW_PIN_ROOT, point))
		return -ENAMETOOLONG;
	if (stat(dir, &st)) {
		snprintf(errmsg, SW_ERRMSG_LEN, "point %s is not attached (%s)", point, dir);
		return -ENOENT;
	}
	/*
	 * A running daemon would attach the program again, without pins, with nothing to say it
	 * still counts: it is stopped first. Held until the pins are gone, so none starts meanwhile.
	 */
	lock = pins_lock(dir, &holder);
	if (lock == -EBUSY) {
		snprintf(
			errmsg, SW_ERRMSG_LEN,
			"point %s is run by a scanwatch daemon (pid %u): stop it first (on SIGTERM it "
			"drains once more), then detach",
			point, holder);
		return -EBUSY;
	}
	pin_path(path, sizeof(path), dir, PIN_PROG);
	if (stat(path, &st) == 0) {
		int err = detach_multiprog(dir, point, errmsg);

		/* The pins stay: detach can be tried again where it can work. */
		if (err) {
			if (lock >= 0)
				close(lock);
			return err;
		}
	}
	pin_path(path, sizeof(path), dir, "link");
	if (stat(path, &st) == 0) {
		int fd = bpf_obj_get(path);

		/* Detach explicitly: another process may still hold the link open. */
		if (fd >= 0) {
			bpf_link_detach(fd);
			close(fd);
		}
	}
	egress_err = detach_egress(dir, point, errmsg);
	unpin_all(dir);
	if (lock >= 0)
		close(lock);
	if (stat(dir, &st) == 0) {
		snprintf(errmsg, SW_ERRMSG_LEN, "cannot remove %s", dir);
		return -EBUSY;
	}
	return egress_err;
}

bool sensor_still_counting(struct sensor *s, char *why, size_t len)
{
	struct bpf_link_info info = {};
	__u32 ilen = sizeof(info);
	char path[PATH_MAX];
	bool attached = false;
	__u32 prog_id;
	int fd;

	if (s->pins_private) {
		snprintf(
			why, len,
			"its pins are in a BPF file system this daemon mounted where only its own "
			"mount namespace sees it ('ip netns exec' makes one): the program stops "
			"counting once the namespace's last process ends; use --pin-root on a bpffs "
			"mounted outside /sys");
		return false;
	}
	if (s->meta.flags & SW_META_MULTIPROG) {
		pin_path(path, sizeof(path), s->pin_dir, PIN_PROG);
		if (access(path, F_OK) && errno == ENOENT) {
			snprintf(why, len,
				 "its pins are gone: it stops counting as this daemon exits");
			return false;
		}
		return true;
	}
	if (link_state(s, s->link_fd, &prog_id, &attached) || !attached) {
		snprintf(why, len,
			 "its program is not attached (its interface is gone, or it was "
			 "detached): nothing is counted until a daemon attaches it again");
		return false;
	}
	/*
	 * The pin must hold this very link, or nothing does once this daemon's hold goes. A daemon
	 * that became --user cannot look under root's pin root: the pins it made are trusted.
	 */
	pin_path(path, sizeof(path), s->pin_dir, "link");
	fd = bpf_obj_get(path);
	if (fd < 0 && (errno == EACCES || errno == EPERM))
		return true;
	if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &ilen)) {
		struct bpf_link_info mine = {};
		__u32 mlen = sizeof(mine);

		close(fd);
		if (!bpf_obj_get_info_by_fd(s->link_fd, &mine, &mlen) && mine.id == info.id)
			return true;
	} else if (fd >= 0) {
		close(fd);
	}
	snprintf(why, len, "its pins are gone: it stops counting as this daemon exits");
	return false;
}

int sensor_read_meta(const char *pin_root, const char *point, struct sw_meta *meta, __u32 *prog_id)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct bpf_link_info info = {};
	__u32 len = sizeof(info), zero = 0;
	int fd, err = 0;

	if (pin_path(dir, sizeof(dir), pin_root ? pin_root : SW_PIN_ROOT, point) ||
	    pin_path(path, sizeof(path), dir, "meta"))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	if (bpf_map_lookup_elem(fd, &zero, meta))
		err = -errno;
	close(fd);
	*prog_id = 0;
	pin_path(path, sizeof(path), dir, "link");
	fd = bpf_obj_get(path);
	if (fd >= 0) {
		if (!bpf_obj_get_info_by_fd(fd, &info, &len))
			*prog_id = info.prog_id;
		close(fd);
	}
	pin_path(path, sizeof(path), dir, PIN_PROG);
	fd = *prog_id ? -1 : bpf_obj_get(path);
	if (fd >= 0) {
		struct bpf_prog_info pinfo = {};
		__u32 plen = sizeof(pinfo);

		if (!bpf_obj_get_info_by_fd(fd, &pinfo, &plen))
			*prog_id = pinfo.id;
		close(fd);
	}
	return err;
}
