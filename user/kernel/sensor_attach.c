// SPDX-License-Identifier: GPL-2.0-only
/*
 * Attaching and detaching: XDP (native, generic, or through libxdp's dispatcher) and host
 * mode's egress hook (tcx, or a tc filter where the kernel has no tcx).
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

int sensor_attach(struct sensor *s, int prog_fd, int ifindex, const char *ifname,
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
		return sensor_fail(
			s, err,
			"%s already has an XDP program (id %u); scanwatch does not replace it "
			"(programs loaded through libxdp's dispatcher can share it: --multiprog)",
			ifname, prog_id);
	return sensor_fail(s, err, "cannot attach to %s in %s mode: %s", ifname,
			   req == SW_REQ_NATIVE ? "native" : "generic", strerror(-err));
done:
	s->link_fd = fd;
	return 0;
}

void sensor_tc_hook_init(struct bpf_tc_hook *hook, int ifindex, enum bpf_tc_attach_point where)
{
	memset(hook, 0, sizeof(*hook));
	hook->sz = sizeof(*hook);
	hook->ifindex = ifindex;
	hook->attach_point = where;
}

void sensor_tc_opts_init(struct bpf_tc_opts *o, int prog_fd)
{
	memset(o, 0, sizeof(*o));
	o->sz = sizeof(*o);
	o->handle = SW_TC_HANDLE;
	o->priority = SW_TC_PRIO;
	o->prog_fd = prog_fd;
}

/* Our filter on egress, and the clsact qdisc if we made it; what is not there is fine. */
void sensor_tc_remove(int ifindex, bool own_qdisc)
{
	struct bpf_tc_hook hook;
	struct bpf_tc_opts o;

	sensor_tc_hook_init(&hook, ifindex, BPF_TC_EGRESS);
	sensor_tc_opts_init(&o, 0);
	bpf_tc_detach(&hook, &o);
	if (own_qdisc) {
		sensor_tc_hook_init(&hook, ifindex, BPF_TC_INGRESS | BPF_TC_EGRESS);
		bpf_tc_hook_destroy(&hook);
	}
}

/* The pinned egress program as a tc filter, on a clsact qdisc that may already be there. */
int sensor_attach_tc(struct sensor *s, int prog_fd, int ifindex, const char *ifname)
{
	struct bpf_tc_hook hook;
	struct bpf_tc_opts o;
	bool own = false;
	int err;

	sensor_tc_hook_init(&hook, ifindex, BPF_TC_EGRESS);
	err = bpf_tc_hook_create(&hook);
	if (!err)
		own = true;
	else if (err != -EEXIST)
		return sensor_fail(s, err, "cannot add a clsact qdisc to %s: %s", ifname,
				   strerror(-err));
	sensor_tc_opts_init(&o, prog_fd);
	err = bpf_tc_attach(&hook, &o);
	if (err) {
		if (own)
			sensor_tc_remove(ifindex, true);
		if (err == -EEXIST)
			return sensor_fail(
				s, err,
				"%s already has a tc egress filter with scanwatch's handle %#x "
				"and priority %#x",
				ifname, SW_TC_HANDLE, SW_TC_PRIO);
		return sensor_fail(s, err, "cannot attach the egress program to %s: %s", ifname,
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
int sensor_attach_egress(struct sensor *s, int ifindex, const char *ifname, enum sw_egress_req req)
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
			return sensor_fail(s, errno, "cannot attach a tcx egress link to %s: %s",
					   ifname, strerror(errno));
		sw_warn("%s: tcx links unavailable (%s); attaching a tc filter on the clsact qdisc",
			ifname, strerror(errno));
	}
	s->meta.egress_hook = SW_EGRESS_TC;
	return sensor_attach_tc(s, s->egress_prog_fd, ifindex, ifname);
}

/* The point's pinned meta map, of this version: 0, or -1 when it cannot be read. */
static int pinned_meta(const char *dir, struct sw_meta *meta)
{
	char path[PATH_MAX];
	__u32 zero = 0;
	int fd, err;

	sensor_pin_path(path, sizeof(path), dir, "meta");
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -1;
	err = bpf_map_lookup_elem(fd, &zero, meta) || meta->version != SW_META_VERSION ? -1 : 0;
	close(fd);
	return err;
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
	int fd;

	sensor_pin_path(path, sizeof(path), dir, PIN_EGRESS_LINK);
	fd = bpf_obj_get(path);
	if (fd >= 0) {
		bpf_link_detach(fd);
		close(fd);
		return 0;
	}
	sensor_pin_path(path, sizeof(path), dir, PIN_EGRESS_PROG);
	if (access(path, F_OK))
		return 0;
	if (pinned_meta(dir, &meta)) {
		snprintf(
			errmsg, SW_ERRMSG_LEN,
			"point %s: cannot read its meta map, so its tc egress filter stays attached",
			point);
		return -EINVAL;
	}
	if (!sensor_same_netns(&meta)) {
		snprintf(
			errmsg, SW_ERRMSG_LEN,
			"point %s: its tc egress filter on %.16s stays attached: it was attached in "
			"another network namespace; remove it there with 'tc filter del dev %.16s "
			"egress handle %#x prio %u bpf', or delete the interface",
			point, meta.ifname, meta.ifname, SW_TC_HANDLE, SW_TC_PRIO);
		return -EXDEV;
	}
	sensor_tc_remove((int)meta.ifindex, meta.flags & SW_META_OWN_QDISC);
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
	__u32 plen = sizeof(pinfo);
	char path[PATH_MAX], name[IF_NAMESIZE];
	struct sw_meta meta;
	int fd, err;

	sensor_pin_path(path, sizeof(path), dir, PIN_PROG);
	fd = bpf_obj_get(path);
	err = fd < 0 || bpf_obj_get_info_by_fd(fd, &pinfo, &plen) ? -errno : 0;
	if (fd >= 0)
		close(fd);
	if (err || pinned_meta(dir, &meta)) {
		snprintf(errmsg, SW_ERRMSG_LEN,
			 "point %s: cannot read its pinned program or meta map, so it stays in "
			 "libxdp's dispatcher",
			 point);
		return -EINVAL;
	}
	if (!sensor_same_netns(&meta)) {
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

	if (sensor_pin_path(dir, sizeof(dir), pin_root ? pin_root : SW_PIN_ROOT, point))
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
	sensor_pin_path(path, sizeof(path), dir, PIN_PROG);
	if (stat(path, &st) == 0) {
		int err = detach_multiprog(dir, point, errmsg);

		/* The pins stay: detach can be tried again where it can work. */
		if (err) {
			if (lock >= 0)
				close(lock);
			return err;
		}
	}
	sensor_pin_path(path, sizeof(path), dir, "link");
	if (stat(path, &st) == 0) {
		int fd = bpf_obj_get(path);

		/* Detach explicitly: another process may still hold the link open. */
		if (fd >= 0) {
			bpf_link_detach(fd);
			close(fd);
		}
	}
	egress_err = detach_egress(dir, point, errmsg);
	sensor_unpin_all(dir);
	if (lock >= 0)
		close(lock);
	if (stat(dir, &st) == 0) {
		snprintf(errmsg, SW_ERRMSG_LEN, "cannot remove %s", dir);
		return -EBUSY;
	}
	return egress_err;
}
