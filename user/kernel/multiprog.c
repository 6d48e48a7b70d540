// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <linux/bpf.h>
#include <xdp/libxdp.h>

#include "log.h"
#include "multiprog.h"
#include "scanwatch.h"

/* libxdp explains its fallbacks and refusals in its own lines: shown with -v only. */
static int print_debug(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	/* Its lines start with "libxdp: " already. */
	return sw_log_library(SW_LOG_DEBUG, "", fmt, ap);
}

static void quiet_libxdp(void)
{
	libxdp_set_print(print_debug);
}

static int fail(char *errmsg, size_t len, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *errmsg, size_t len, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errmsg, len, fmt, ap);
	va_end(ap);
	return err < 0 ? err : -err;
}

/* What runs on ifindex as libxdp sees it; NULL with *err (-ENOENT: no XDP program at all). */
static struct xdp_multiprog *get_mp(int ifindex, int *err)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);

	*err = (int)libxdp_get_error(mp);
	if (!*err && !mp)
		*err = -ENOENT;
	if (!*err && !xdp_multiprog__main_prog(mp)) {
		xdp_multiprog__close(mp);
		*err = -ENOENT;
	}
	return *err ? NULL : mp;
}

int mp_has_dispatcher(int ifindex)
{
	struct xdp_multiprog *mp;
	int err, ret;

	quiet_libxdp();
	mp = get_mp(ifindex, &err);
	if (!mp)
		return err == -ENOENT ? 0 : err;
	ret = !xdp_multiprog__is_legacy(mp);
	xdp_multiprog__close(mp);
	return ret;
}

int mp_attached(int ifindex, __u32 prog_id)
{
	struct xdp_multiprog *mp;
	struct xdp_program *p;
	int err, found = 0;

	quiet_libxdp();
	mp = get_mp(ifindex, &err);
	if (!mp)
		return err == -ENOENT ? 0 : err;
	for (p = xdp_multiprog__next_prog(NULL, mp); p && !found;
	     p = xdp_multiprog__next_prog(p, mp))
		found = xdp_program__id(p) == prog_id;
	xdp_multiprog__close(mp);
	return found;
}

/*
 * Attaches prog in the dispatcher's mode if there is one (all its programs share it), else native
 * and, unless told otherwise, generic when native is refused. libxdp falls back to attaching a
 * lone program when the kernel cannot run its dispatcher: that is undone and refused here, since
 * the point of --multiprog is to leave room for others.
 */
static int attach_prog(struct xdp_program *prog, int ifindex, const char *ifname, int generic,
		       int native_only, __u32 *mode, char *errmsg, size_t len)
{
	enum xdp_attach_mode m = generic ? XDP_MODE_SKB : XDP_MODE_NATIVE;
	struct xdp_multiprog *mp;
	int err, in;

	mp = get_mp(ifindex, &err);
	if (mp) {
		if (xdp_multiprog__is_legacy(mp)) {
			__u32 id = xdp_program__id(xdp_multiprog__main_prog(mp));

			xdp_multiprog__close(mp);
			return fail(
				errmsg, len, EBUSY,
				"%s already has an XDP program (id %u) that was not loaded through "
				"libxdp's dispatcher, so nothing can run beside it",
				ifname, id);
		}
		m = xdp_multiprog__attach_mode(mp);
		xdp_multiprog__close(mp);
		if (generic && m != XDP_MODE_SKB)
			return fail(errmsg, len, EINVAL,
				    "libxdp's dispatcher on %s runs in native mode: generic mode "
				    "cannot join it",
				    ifname);
	}
	err = xdp_program__attach(prog, ifindex, m, 0);
	if (err && !mp && m == XDP_MODE_NATIVE && !native_only && err != -EBUSY && err != -EEXIST) {
		sw_warn("%s: native XDP unavailable (%s); using generic mode, which is slower",
			ifname, strerror(-err));
		m = XDP_MODE_SKB;
		err = xdp_program__attach(prog, ifindex, m, 0);
	}
	if (err)
		return fail(
			errmsg, len, err,
			"libxdp cannot attach the program to %s: %s (run with -v for its reasons)",
			ifname, strerror(-err));
	in = mp_attached(ifindex, xdp_program__id(prog));
	if (in != 1) {
		xdp_program__detach(prog, ifindex, m, 0);
		return fail(
			errmsg, len, EOPNOTSUPP,
			"libxdp could not build its dispatcher on %s: this kernel refuses the "
			"freplace programs it is made of (run with -v for libxdp's reasons), so "
			"no other XDP program could share the interface; run without --multiprog",
			ifname);
	}
	*mode = m == XDP_MODE_SKB ? SW_MODE_GENERIC : SW_MODE_NATIVE;
	return 0;
}

static int set_metadata(struct xdp_program *prog, unsigned int run_prio, char *errmsg, size_t len)
{
	int err = xdp_program__set_run_prio(prog, run_prio);

	/* Only XDP_PASS goes on to the next program: what scanwatch drops (--drop) stops here. */
	if (!err)
		err = xdp_program__set_chain_call_enabled(prog, XDP_PASS, true);
	if (err)
		return fail(errmsg, len, err, "cannot set the program's run priority: %s",
			    strerror(-err));
	return 0;
}

int mp_attach_obj(struct bpf_object *obj, const char *prog_name, int ifindex, const char *ifname,
		  int generic, int native_only, unsigned int run_prio, struct xdp_program **prog,
		  __u32 *mode, char *errmsg, size_t len)
{
	DECLARE_LIBXDP_OPTS(xdp_program_opts, opts, .obj = obj, .prog_name = prog_name);
	struct xdp_program *p;
	int err;

	quiet_libxdp();
	p = xdp_program__create(&opts);
	err = (int)libxdp_get_error(p);
	if (err)
		return fail(errmsg, len, err, "libxdp cannot take the program: %s", strerror(-err));
	err = set_metadata(p, run_prio, errmsg, len);
	if (!err)
		err = attach_prog(p, ifindex, ifname, generic, native_only, mode, errmsg, len);
	if (err) {
		xdp_program__close(p);
		return err;
	}
	*prog = p;
	return 0;
}

int mp_attach_fd(int prog_fd, int ifindex, const char *ifname, int generic, unsigned int run_prio,
		 __u32 *mode, char *errmsg, size_t len)
{
	struct xdp_program *p;
	int err;

	quiet_libxdp();
	p = xdp_program__from_fd(prog_fd);
	err = (int)libxdp_get_error(p);
	if (err)
		return fail(errmsg, len, err, "libxdp cannot take the loaded program: %s",
			    strerror(-err));
	err = set_metadata(p, run_prio, errmsg, len);
	if (!err)
		err = attach_prog(p, ifindex, ifname, generic, 0, mode, errmsg, len);
	xdp_program__close(p);
	return err;
}

int mp_detach(int ifindex, __u32 prog_id, char *errmsg, size_t len)
{
	struct xdp_multiprog *mp;
	struct xdp_program *p;
	int err;

	quiet_libxdp();
	mp = get_mp(ifindex, &err);
	if (!mp)
		return fail(errmsg, len, err, "no XDP program on ifindex %d: %s", ifindex,
			    strerror(-err));
	for (p = xdp_multiprog__next_prog(NULL, mp); p; p = xdp_multiprog__next_prog(p, mp))
		if (xdp_program__id(p) == prog_id)
			break;
	if (!p) {
		xdp_multiprog__close(mp);
		return fail(errmsg, len, ENOENT,
			    "program %u is not in the dispatcher on ifindex %d", prog_id, ifindex);
	}
	/* libxdp builds a dispatcher of the others (or removes it if none is left). */
	err = xdp_program__detach(p, ifindex, xdp_multiprog__attach_mode(mp), 0);
	xdp_multiprog__close(mp);
	if (err)
		return fail(errmsg, len, err, "libxdp cannot detach program %u: %s", prog_id,
			    strerror(-err));
	return 0;
}

void mp_close(struct xdp_program *prog)
{
	if (prog)
		xdp_program__close(prog);
}
