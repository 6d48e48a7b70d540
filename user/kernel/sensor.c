// SPDX-License-Identifier: GPL-2.0-only
/*
 * A sensor: one point's XDP program from attach (or resume) to close. The steps live in
 * sensor_load.c, sensor_pins.c, sensor_attach.c and sensor_resume.c.
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

#include "scanwatch.skel.h"
#include "cli.h"
#include "log.h"
#include "multiprog.h"
#include "parse_num.h"
#include "pins.h"
#include "sensor.h"
#include "sensor_int.h"

int sensor_fail(struct sensor *s, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

int sensor_fail(struct sensor *s, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->errmsg, sizeof(s->errmsg), fmt, ap);
	va_end(ap);
	return err < 0 ? err : -err;
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
		return sensor_fail(s, errno, "interface %s: %s", cfg->ifname,
				   errno == ENODEV ? "no such interface" : strerror(errno));
	if (sensor_pin_path(s->pin_dir, sizeof(s->pin_dir), root, cfg->point))
		return sensor_fail(s, ENAMETOOLONG, "pin path for %s is too long", cfg->point);
	err = sensor_ensure_bpffs(s, root);
	if (err)
		return err;

	sensor_finish_relink(s);
	sensor_pin_path(path, sizeof(path), s->pin_dir, "link");
	sensor_pin_path(prog_path, sizeof(prog_path), s->pin_dir, PIN_PROG);
	if (stat(path, &st) == 0 || stat(prog_path, &st) == 0) {
		err = sensor_resume(s, cfg, ifindex);
		if (err)
			goto out;
		return sensor_update_meta(s);
	}
	if (stat(s->pin_dir, &st) == 0) {
		/* Maps without a link: a start that died half-way. Nothing is attached. */
		sensor_unpin_all(s->pin_dir);
	}

	/* An interface that already shares itself through libxdp is joined the same way. */
	multiprog = cfg->multiprog || mp_has_dispatcher(ifindex) == 1;
	err = sensor_open_skel(s, cfg, false, !multiprog);
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
		err = sensor_skel_ready(s, cfg);
		if (!err && bpf_obj_get_info_by_fd(s->prog_fd, &pinfo, &plen))
			err = sensor_fail(s, errno, "cannot read the program's id: %s",
					  strerror(errno));
		if (err)
			goto out;
		s->prog_id = pinfo.id;
		s->meta.flags |= SW_META_MULTIPROG;
		/* No link of ours to make drain_flip wait for running programs: it must ask. */
		s->flip_waits = true;
	} else {
		err = sensor_attach(s, s->prog_fd, ifindex, cfg->ifname, cfg->mode, &mode);
		if (err)
			goto out;
	}
	if (cfg->host_mode) {
		err = sensor_attach_egress(s, ifindex, cfg->ifname, cfg->egress);
		if (err)
			goto out;
	}
	sensor_fill_meta(s, cfg, ifindex, mode);
	if (bpf_map_update_elem(s->meta_fd, &zero, &s->meta, BPF_ANY)) {
		err = sensor_fail(s, errno, "cannot write meta: %s", strerror(errno));
		goto out;
	}
	err = sensor_pin_all(s);
	if (!err)
		err = sensor_lock_point(s);
	if (!err)
		err = sensor_hold_programs(s);
	if (err)
		goto out;
	return 0;
out:
	/* A tc filter outlives our descriptors, unlike the links: take it off ourselves. */
	if (!s->resumed && s->meta.egress_hook == SW_EGRESS_TC)
		sensor_tc_remove(ifindex, s->meta.flags & SW_META_OWN_QDISC);
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
		return sensor_fail(s, errno, "cannot update meta: %s", strerror(errno));
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
		sensor_pin_path(path, sizeof(path), s->pin_dir, PIN_PROG);
		if (access(path, F_OK) && errno == ENOENT) {
			snprintf(why, len,
				 "its pins are gone: it stops counting as this daemon exits");
			return false;
		}
		return true;
	}
	if (sensor_link_state(s, s->link_fd, &prog_id, &attached) || !attached) {
		snprintf(why, len,
			 "its program is not attached (its interface is gone, or it was "
			 "detached): nothing is counted until a daemon attaches it again");
		return false;
	}
	/*
	 * The pin must hold this very link, or nothing does once this daemon's hold goes. A daemon
	 * that became --user cannot look under root's pin root: the pins it made are trusted.
	 */
	sensor_pin_path(path, sizeof(path), s->pin_dir, "link");
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
