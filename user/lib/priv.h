/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What `run` keeps of root once attached (README.md, "Privileges"): no capability it can do
 * without, and with --user not even the identity. Attaching and pinning need root; the files of
 * the data directory are made as the user from the start, so that the user can go on writing them.
 */
#ifndef SW_PRIV_H
#define SW_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct priv {
	bool switch_user; /* --user given */
	uid_t uid;
	gid_t gid;
	char user[64];
	bool groups_set; /* the user's supplementary groups are the process's */
};

/* Resolves --user NAME (a name or a numeric uid) into uid, gid and groups. */
int priv_set_user(struct priv *p, const char *name, char *errmsg, size_t errlen);
/*
 * With --user, file system accesses are the user's (as_user) or root's again (to pin and
 * unpin under a pin root only root may enter). Without --user, nothing changes.
 */
int priv_fs_as(struct priv *p, bool as_user, char *errmsg, size_t errlen);
/*
 * Drops every capability, the bounding set's included, and becomes the user if --user was given.
 * The daemon's remaining work (flip, read and clear the tables through the fds it holds) is
 * tried by probe(ctx): CAP_BPF is kept only if it fails without it, as before Linux 6.5, when
 * kernel.unprivileged_bpf_disabled refused every bpf() command to unprivileged callers.
 * Sets *kept_bpf accordingly.
 */
int priv_drop(const struct priv *p, int (*probe)(void *ctx), void *ctx, bool *kept_bpf,
	      char *errmsg, size_t errlen);

/*
 * What a program the daemon starts (--alert-command) may have, in run and replay alike: no
 * capability in any set, the bounding set's and ambient included, and no_new_privs, so that not
 * even a setuid file or root's exec can raise any. For the child that starts it.
 */
int priv_shed(char *errmsg, size_t errlen);

#endif
