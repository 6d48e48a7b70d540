// SPDX-License-Identifier: GPL-2.0-only
/*
 * A restarted daemon resumes a pinned point: the same program, maps and counts, its links
 * re-pinned, with nothing lost in between.
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

#include "cli.h"
#include "log.h"
#include "multiprog.h"
#include "parse_num.h"
#include "pins.h"
#include "sensor.h"
#include "sensor_int.h"

bool sensor_same_netns(const struct sw_meta *m)
{
	__u64 dev = 0, ino = 0;

	return !sensor_netns_id(&dev, &ino) && dev == m->netns_dev && ino == m->netns_ino;
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
		sensor_pin_path(path, sizeof(path), s->pin_dir, PIN_EGRESS_LINK);
		fd = bpf_obj_get(path);
		if (fd < 0)
			return sensor_fail(s, errno, "cannot open pinned egress link %s: %s", path,
					   strerror(errno));
		s->egress_link_fd = fd;
		/* tcx's link info starts with the ifindex, where xdp's does. */
		if (bpf_obj_get_info_by_fd(fd, &info, &len) || info.type != SW_BPF_LINK_TYPE_TCX ||
		    (int)info.xdp.ifindex != ifindex)
			return sensor_fail(
				s, EINVAL,
				"pinned egress link %s is not a tcx link on this interface", path);
		return 0;
	}
	if (s->meta.egress_hook != SW_EGRESS_TC)
		return sensor_fail(s, EINVAL, "pinned point %s has no egress hook", s->point);
	if (!sensor_same_netns(&s->meta))
		return sensor_fail(
			s, EXDEV,
			"point %s was attached from another network namespace: resume it there",
			s->point);
	sensor_pin_path(path, sizeof(path), s->pin_dir, PIN_EGRESS_PROG);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return sensor_fail(s, errno, "cannot open pinned egress program %s: %s", path,
				   strerror(errno));
	err = bpf_obj_get_info_by_fd(fd, &pinfo, &plen);
	sensor_tc_hook_init(&hook, ifindex, BPF_TC_EGRESS);
	sensor_tc_opts_init(&o, 0);
	if (!err && !bpf_tc_query(&hook, &o) && o.prog_id == pinfo.id) {
		close(fd);
		return 0;
	}
	/* Someone removed the filter or the qdisc (tc qdisc del ... clsact): put it back. */
	if (!quiet)
		sw_warn("point %s: the tc egress filter on %s was gone; attaching it again",
			s->point, s->meta.ifname);
	/* A qdisc we made and still there stays ours; one made now becomes ours (attach_tc). */
	err = sensor_attach_tc(s, fd, ifindex, s->meta.ifname);
	close(fd);
	return err;
}

void sensor_finish_relink(struct sensor *s)
{
	static const char *const names[] = { "link", PIN_EGRESS_LINK };
	char tmp[PATH_MAX], tmpname[32];
	int fd;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(tmpname, sizeof(tmpname), "%s_new", names[i]);
		if (sensor_pin_path(tmp, sizeof(tmp), s->pin_dir, tmpname))
			continue;
		fd = bpf_obj_get(tmp);
		if (fd < 0)
			continue;
		if (!sensor_pin_link(s, fd, names[i]))
			sw_info("point %s: finished the re-attachment a previous daemon started",
				s->point);
		close(fd);
	}
}

/* A link's program, and whether the link is still attached (a device's link dies with it). */
int sensor_link_state(struct sensor *s, int link_fd, __u32 *prog_id, bool *attached)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(link_fd, &info, &len))
		return sensor_fail(s, errno, "cannot read the point's link: %s", strerror(errno));
	*prog_id = info.prog_id;
	/* The kernel leaves an unregistered device's xdp and tcx links with index 0. */
	*attached = info.xdp.ifindex != 0;
	return 0;
}

/* The program link_fd runs, into *held; what names it in the error. */
static int hold_linked(struct sensor *s, int link_fd, int *held, const char *what)
{
	__u32 prog_id;
	bool attached;
	int err = sensor_link_state(s, link_fd, &prog_id, &attached);

	if (err)
		return err;
	*held = bpf_prog_get_fd_by_id(prog_id);
	if (*held < 0)
		return sensor_fail(s, errno, "cannot hold the point's %s (id %u): %s", what,
				   prog_id, strerror(errno));
	return 0;
}

/* The programs the links run, held so that re-attaching them needs no privilege (sensor.h). */
int sensor_hold_programs(struct sensor *s)
{
	char path[PATH_MAX];
	int err;

	if (s->meta.flags & SW_META_MULTIPROG) {
		/* Resumed: the pinned program is held already. */
		if (s->held_prog_fd < 0)
			s->held_prog_fd = fcntl(s->prog_fd, F_DUPFD_CLOEXEC, 3);
		if (s->held_prog_fd < 0)
			return sensor_fail(s, errno, "cannot hold the point's program: %s",
					   strerror(errno));
	} else {
		err = hold_linked(s, s->link_fd, &s->held_prog_fd, "program");
		if (err)
			return err;
	}
	/* A tc filter is put back from its pinned program instead. */
	if (!(s->meta.flags & SW_META_HOST) || s->meta.egress_hook != SW_EGRESS_TCX)
		return 0;
	if (s->egress_link_fd < 0) {
		sensor_pin_path(path, sizeof(path), s->pin_dir, PIN_EGRESS_LINK);
		s->egress_link_fd = bpf_obj_get(path);
		if (s->egress_link_fd < 0)
			return sensor_fail(s, errno, "cannot open pinned egress link %s: %s", path,
					   strerror(errno));
	}
	return hold_linked(s, s->egress_link_fd, &s->held_egress_fd, "egress program");
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
	err = sensor_link_state(s, s->egress_link_fd, &prog_id, &attached);
	if (err || attached)
		return err;
	if (s->held_egress_fd < 0)
		return sensor_fail(s, EBADF, "the point's egress program (id %u) is not held",
				   prog_id);
	fd = bpf_link_create(s->held_egress_fd, ifindex, SW_BPF_TCX_EGRESS, NULL);
	err = fd < 0 ? -errno : 0;
	if (err)
		return sensor_fail(s, err, "cannot attach the egress program to %s again: %s",
				   ifname, strerror(-err));
	close(s->egress_link_fd);
	s->egress_link_fd = fd;
	err = sensor_pin_link(s, fd, PIN_EGRESS_LINK);
	if (err)
		return sensor_fail(s, err,
				   "re-attached to %s but cannot pin the new egress link: %s",
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
		return sensor_fail(s, ENODEV, "interface %s is gone", ifname);
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
	err = sensor_link_state(s, s->link_fd, &prog_id, &attached);
	if (err || attached)
		return err;
	ifindex = if_nametoindex(ifname);
	if (!ifindex)
		return sensor_fail(s, ENODEV, "interface %s is gone", ifname);
	/*
	 * Detached while its interface stayed, or its pins taken away: someone meant it to stop
	 * (bpftool, or pins removed by hand). Attached again, it would count with nothing to say so.
	 */
	sensor_pin_path(path, sizeof(path), s->pin_dir, "link");
	if ((int)s->meta.ifindex == ifindex || (access(path, F_OK) && errno == ENOENT))
		return sensor_fail(
			s, ENOLINK,
			"its program was detached from %s by someone else (or its pins removed): "
			"not attached again; 'scanwatch detach --point %s' cleans up",
			ifname, s->point);
	if (s->held_prog_fd < 0)
		return sensor_fail(s, EBADF, "the point's program (id %u) is not held", prog_id);
	/* Egress first: were it to fail, the next call, seeing XDP still detached, tries both. */
	if (s->meta.flags & SW_META_HOST) {
		err = relink_egress(s, ifindex, ifname);
		if (err)
			return err;
	}
	err = sensor_attach(s, s->held_prog_fd, ifindex, ifname,
			    s->meta.mode == SW_MODE_GENERIC ? SW_REQ_GENERIC : SW_REQ_AUTO, &mode);
	if (err)
		return err;
	err = sensor_pin_link(s, s->link_fd, "link");
	close(old);
	if (err)
		return sensor_fail(s, err, "re-attached to %s but cannot pin the new link: %s",
				   ifname, strerror(-err));
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
		return sensor_fail(
			s, EINVAL,
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
		return sensor_fail(
			s, EINVAL,
			"pinned point %s has a counting state its meta map does not describe: "
			"run 'scanwatch detach --point %s'",
			s->point, s->point);
	/* Options asked for now: the same layout, or the point must be detached first. */
	cstate_init(&want);
	if (cstate_plan(&want, cfg->cache_slots, sensor_log_records(cfg), s->ncpus, 0,
			cfg->interval_s, errmsg, sizeof(errmsg)) == -EINVAL)
		return sensor_fail(s, EINVAL, "%s", errmsg);
	if (want.cache_slots != s->cs.cache_slots || want.log_chunks != s->cs.log_chunks)
		return sensor_fail(
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

int sensor_resume(struct sensor *s, const struct sensor_config *cfg, int ifindex)
{
	struct bpf_link_info info = {};
	__u32 info_len = sizeof(info), zero = 0;
	int *fds[NPINNED] = { &s->keys_outer_fd, &s->keys_fd[0], &s->keys_fd[1], &s->cs.state_fd,
			      &s->cs.cache_fd,	 &s->cs.log_fd,	 &s->cs.ctl_fd,	 &s->watch_fd,
			      &s->meta_fd,	 &s->cs.sec_fd };
	char path[PATH_MAX];
	__u32 want_flags;
	const char *missing = NULL;
	size_t bad;
	bool defunct, multiprog;
	int err;

	err = sensor_lock_point(s);
	if (err)
		return err;
	sensor_pin_path(path, sizeof(path), s->pin_dir, "link");
	multiprog = access(path, F_OK) != 0;
	if (multiprog) {
		struct bpf_prog_info pinfo = {};
		__u32 plen = sizeof(pinfo);

		sensor_pin_path(path, sizeof(path), s->pin_dir, PIN_PROG);
		s->held_prog_fd = bpf_obj_get(path);
		if (s->held_prog_fd < 0 || bpf_obj_get_info_by_fd(s->held_prog_fd, &pinfo, &plen))
			return sensor_fail(s, errno, "cannot open pinned program %s: %s", path,
					   strerror(errno));
		s->prog_id = pinfo.id;
		/* Checked below, once meta says it is libxdp's. */
		defunct = false;
	} else {
		s->link_fd = bpf_obj_get(path);
		if (s->link_fd < 0)
			return sensor_fail(s, errno, "cannot open pinned link %s: %s", path,
					   strerror(errno));
		if (bpf_obj_get_info_by_fd(s->link_fd, &info, &info_len))
			return sensor_fail(s, errno, "cannot read pinned link %s: %s", path,
					   strerror(errno));
		/* Index 0: the interface went away while no daemon ran; re-attached below. */
		defunct = info.type == BPF_LINK_TYPE_XDP && !info.xdp.ifindex;
	}
	if (!multiprog &&
	    (info.type != BPF_LINK_TYPE_XDP || (!defunct && (int)info.xdp.ifindex != ifindex)))
		return sensor_fail(
			s, EEXIST,
			"point %s is already attached to another interface (ifindex %u); run 'scanwatch detach --point %s' first",
			s->point, info.xdp.ifindex, s->point);
	for (size_t i = 0; i < NPINNED && !missing; i++) {
		sensor_pin_path(path, sizeof(path), s->pin_dir, sensor_pinned_maps[i]);
		*fds[i] = bpf_obj_get(path);
		if (*fds[i] < 0 && errno != ENOENT)
			return sensor_fail(s, errno, "cannot open pinned map %s: %s", path,
					   strerror(errno));
		if (*fds[i] < 0)
			missing = sensor_pinned_maps[i];
	}
	/* An older scanwatch pinned fewer maps: say so, rather than name the first one missing. */
	if (s->meta_fd >= 0 && (bpf_map_lookup_elem(s->meta_fd, &zero, &s->meta) ||
				s->meta.version != SW_META_VERSION))
		return sensor_fail(s, EINVAL,
				   "pinned point %s was made by another version of scanwatch",
				   s->point);
	if (missing) {
		sensor_pin_path(path, sizeof(path), s->pin_dir, missing);
		return sensor_fail(s, ENOENT, "cannot open pinned map %s: %s", path,
				   strerror(ENOENT));
	}
	if (multiprog != !!(s->meta.flags & SW_META_MULTIPROG))
		return sensor_fail(s, EINVAL,
				   "pinned point %s has lost its link or program pin; run "
				   "'scanwatch detach --point %s'",
				   s->point, s->point);
	if (multiprog) {
		int in = mp_attached(ifindex, s->prog_id);

		if (in < 0)
			return sensor_fail(s, in, "cannot read the XDP programs of %s: %s",
					   cfg->ifname, strerror(-in));
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
	want_flags = sensor_meta_flags(cfg);
	if (want_flags != (s->meta.flags & ~(SW_META_OWN_QDISC | SW_META_MULTIPROG)) ||
	    cfg->max_pairs != s->meta.max_pairs || cfg->max_keys != s->meta.max_keys ||
	    (cfg->host_mode && (sensor_flow_table_size(cfg) != s->meta.flow_table_size ||
				sensor_flow_expiry_s(cfg) != s->meta.flow_expiry_s)))
		return sensor_fail(
			s, EEXIST,
			"point %s is attached with other options (drop, watch, host mode, table, cache or log sizes, or flow expiry); run 'scanwatch detach --point %s' first",
			s->point, s->point);
	/* So may the research list; a point pinned before there was one has no trie for it. */
	sensor_pin_path(path, sizeof(path), s->pin_dir, PIN_RESEARCH);
	s->research_fd = bpf_obj_get(path);
	if (s->research_fd < 0 && errno == ENOENT && cfg->nresearch)
		return sensor_fail(
			s, ENOENT,
			"point %s was attached by a scanwatch without research lists: run "
			"'scanwatch detach --point %s' to use --research",
			s->point, s->point);
	if (s->research_fd < 0 && errno != ENOENT)
		return sensor_fail(s, errno, "cannot open pinned map %s: %s", path,
				   strerror(errno));
	if (s->research_fd >= 0) {
		err = sensor_set_research(s, cfg);
		if (err)
			return err;
	}
	/* The watched set may change across restarts: replace it with the one asked for. */
	err = sensor_set_replace(s->watch_fd, cfg->watch, cfg->nwatch, sizeof(*cfg->watch), &bad);
	if (err)
		return sensor_fail(s, -err, "cannot update watched prefixes: %s", strerror(-err));
	if (cfg->host_mode) {
		int *hfds[] = { &s->flows_fd, &s->services_fd };
		const char *names[] = { PIN_FLOWS, PIN_SERVICES };

		for (size_t i = 0; i < 2; i++) {
			sensor_pin_path(path, sizeof(path), s->pin_dir, names[i]);
			*hfds[i] = bpf_obj_get(path);
			if (*hfds[i] < 0)
				return sensor_fail(s, errno, "cannot open pinned map %s: %s", path,
						   strerror(errno));
		}
		/* A vanished interface took the egress hook too: sensor_relink() below. */
		err = defunct ? 0 : resume_egress(s, ifindex, false);
		if (!err)
			err = sensor_set_services(s, cfg);
		if (err)
			return err;
	}
	s->prog_fd = -1;
	s->resumed = true;
	s->meta.interval_s = cfg->interval_s;
	s->meta.daemon_pid = getpid();
	err = sensor_hold_programs(s);
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
	return sensor_read_active(s);
}
