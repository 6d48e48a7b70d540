/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Attaching through libxdp's multi-program dispatcher (README.md, "Sharing the interface"), so
 * that scanwatch counts on an interface that already filters with XDP programs loaded by libxdp
 * (xdp-filter, xdp-loader, other applications). The dispatcher calls its programs in order of
 * run priority, lowest first, and goes on to the next while each returns one of its chain-call
 * actions: ours is XDP_PASS, so what scanwatch passes reaches the programs after it.
 *
 * The dispatcher replaces stub functions with the programs (freplace, BPF_PROG_TYPE_EXT): a kernel
 * that refuses those programs cannot share an interface this way, and is told apart here.
 */
#ifndef SW_MULTIPROG_H
#define SW_MULTIPROG_H

#include <stddef.h>
#include <linux/types.h>

struct bpf_object;
struct xdp_program;

/* Run priority when --run-prio is not given: before filters (xdp-filter runs at 10). */
#define SW_RUN_PRIO_DEFAULT 5

/* 1: libxdp's dispatcher runs on ifindex; 0: no program or another one; -errno. */
int mp_has_dispatcher(int ifindex);
/*
 * Loads obj's program prog_name through libxdp as a component of the dispatcher on ifindex (made
 * if there is none), native mode unless generic (or native refused and !native_only). *mode gets
 * SW_MODE_NATIVE or SW_MODE_GENERIC, *prog what mp_close() releases. 0, or -errno with errmsg.
 */
int mp_attach_obj(struct bpf_object *obj, const char *prog_name, int ifindex, const char *ifname,
		  int generic, int native_only, unsigned int run_prio, struct xdp_program **prog,
		  __u32 *mode, char *errmsg, size_t len);
/* The loaded program prog_fd, into the dispatcher on ifindex again (an interface back). */
int mp_attach_fd(int prog_fd, int ifindex, const char *ifname, int generic, unsigned int run_prio,
		 __u32 *mode, char *errmsg, size_t len);
/* 1 if prog_id is one of the dispatcher's programs on ifindex, 0 if not, -errno. */
int mp_attached(int ifindex, __u32 prog_id);
/* Takes prog_id out of the dispatcher on ifindex and leaves the other programs running. */
int mp_detach(int ifindex, __u32 prog_id, char *errmsg, size_t len);
void mp_close(struct xdp_program *prog);

#endif
