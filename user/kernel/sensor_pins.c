// SPDX-License-Identifier: GPL-2.0-only
/*
 * The pins under PIN_ROOT/POINT: a bpffs to hold them, each map and link pinned and found
 * again, the point's lock and its meta read by status and top.
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

/* Pinned object names under PIN_ROOT/POINT; the maps keep their BPF names. */
const char *const sensor_pinned_maps[] = {
	"keys",	    "keys_0",  "keys_1", "state", "cache",
	"log_recs", "log_ctl", "watch",	 "meta",  "seconds",
};

int sensor_pin_path(char *buf, size_t len, const char *dir, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* bpffs is where pins live; mount it if the system has not (as bpftool does). */
int sensor_ensure_bpffs(struct sensor *s, const char *root)
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
		return sensor_fail(
			s, ENOTEMPTY,
			"%s is not a BPF file system and is not empty: mounting one there would "
			"hide what it holds; mount one yourself ('mount -t bpf bpf %s') or give "
			"another --pin-root",
			parent, parent);
	if (mount("bpf", parent, "bpf", 0, "mode=0700"))
		return sensor_fail(s, errno,
				   "%s is not a BPF file system and cannot be mounted: %s", parent,
				   strerror(errno));
	/* Under `ip netns exec` this mount lives in a private mount namespace and dies with it. */
	s->pins_private = !pins_mount_shared(parent);
	sw_warn("mounted a BPF file system on %s; pins there outlive this daemon only if the mount is "
		"shared (not under 'ip netns exec': use --pin-root on a bpffs mounted outside /sys)",
		parent);
mkroot:
	if (mkdir(root, 0700) && errno != EEXIST)
		return sensor_fail(s, errno, "cannot create %s: %s", root, strerror(errno));
	return 0;
}

void sensor_unpin_all(const char *dir)
{
	char path[PATH_MAX];

	static const char *const host_pins[] = { PIN_FLOWS, PIN_SERVICES, PIN_EGRESS_LINK,
						 PIN_EGRESS_PROG, PIN_RESEARCH };

	if (!sensor_pin_path(path, sizeof(path), dir, "link"))
		unlink(path);
	for (size_t i = 0; i < sizeof(host_pins) / sizeof(host_pins[0]); i++)
		if (!sensor_pin_path(path, sizeof(path), dir, host_pins[i]))
			unlink(path);
	if (!sensor_pin_path(path, sizeof(path), dir, "link_new"))
		unlink(path);
	if (!sensor_pin_path(path, sizeof(path), dir, PIN_PROG))
		unlink(path);
	if (!sensor_pin_path(path, sizeof(path), dir, PIN_EGRESS_LINK "_new"))
		unlink(path);
	for (size_t i = 0; i < NPINNED; i++)
		if (!sensor_pin_path(path, sizeof(path), dir, sensor_pinned_maps[i]))
			unlink(path);
	rmdir(dir);
}

int sensor_pin_all(struct sensor *s)
{
	char path[PATH_MAX];
	int err;

	if (mkdir(s->pin_dir, 0700))
		return sensor_fail(s, errno, "cannot create %s: %s", s->pin_dir, strerror(errno));
	for (size_t i = 0; i < NPINNED; i++) {
		struct bpf_map *map =
			bpf_object__find_map_by_name(s->skel->obj, sensor_pinned_maps[i]);

		err = sensor_pin_path(path, sizeof(path), s->pin_dir, sensor_pinned_maps[i]);
		if (!err)
			err = bpf_obj_pin(bpf_map__fd(map), path);
		if (err)
			goto fail;
	}
	err = sensor_pin_path(path, sizeof(path), s->pin_dir, PIN_RESEARCH);
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
			err = sensor_pin_path(path, sizeof(path), s->pin_dir, names[i]);
			if (!err)
				err = bpf_obj_pin(fds[i], path);
			if (err)
				goto fail;
		}
	}
	/* The XDP link (or program) last: its pin says a point is whole (see sensor_open_live). */
	err = sensor_pin_path(path, sizeof(path), s->pin_dir,
			      s->meta.flags & SW_META_MULTIPROG ? PIN_PROG : "link");
	if (!err)
		err = bpf_obj_pin(s->meta.flags & SW_META_MULTIPROG ? s->prog_fd : s->link_fd,
				  path);
	if (!err)
		return 0;
fail:
	sensor_unpin_all(s->pin_dir);
	return sensor_fail(s, err, "cannot pin to %s: %s", s->pin_dir, strerror(-err));
}

int sensor_read_active(struct sensor *s)
{
	s->gen = cstate_active(&s->cs);
	return 0;
}

/*
 * One daemon per point: two would flip and empty the same tables under each other. The lock is
 * an flock() on the pin directory, which the kernel drops with the process however it dies, so
 * a daemon killed with SIGKILL never blocks its successor.
 */
int sensor_lock_point(struct sensor *s)
{
	__u32 other;
	int fd = pins_lock(s->pin_dir, &other);

	if (fd >= 0) {
		s->lock_fd = fd;
		return 0;
	}
	if (fd != -EBUSY)
		return sensor_fail(s, -fd, "cannot lock %s: %s", s->pin_dir, strerror(-fd));
	return sensor_fail(
		s, EBUSY,
		"point %s is run by another scanwatch (pid %u): stop it first (on SIGTERM it "
		"drains once more and leaves the program counting), then start this one",
		s->point, other);
}

/*
 * Replaces the pinned link. bpffs can neither rename nor take a dot in a name, so the new link
 * is pinned as link_new first: at every moment one of the two pins holds it, and a start that
 * finds link_new finishes the job (finish_relink): a daemon killed in between loses nothing.
 */
int sensor_pin_link(struct sensor *s, int link_fd, const char *name)
{
	char path[PATH_MAX], tmp[PATH_MAX], tmpname[32];

	snprintf(tmpname, sizeof(tmpname), "%s_new", name);
	if (sensor_pin_path(path, sizeof(path), s->pin_dir, name) ||
	    sensor_pin_path(tmp, sizeof(tmp), s->pin_dir, tmpname))
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

int sensor_read_meta(const char *pin_root, const char *point, struct sw_meta *meta, __u32 *prog_id)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct bpf_link_info info = {};
	__u32 len = sizeof(info), zero = 0;
	int fd, err = 0;

	if (sensor_pin_path(dir, sizeof(dir), pin_root ? pin_root : SW_PIN_ROOT, point) ||
	    sensor_pin_path(path, sizeof(path), dir, "meta"))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	if (bpf_map_lookup_elem(fd, &zero, meta))
		err = -errno;
	close(fd);
	*prog_id = 0;
	sensor_pin_path(path, sizeof(path), dir, "link");
	fd = bpf_obj_get(path);
	if (fd >= 0) {
		if (!bpf_obj_get_info_by_fd(fd, &info, &len))
			*prog_id = info.prog_id;
		close(fd);
	}
	sensor_pin_path(path, sizeof(path), dir, PIN_PROG);
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
