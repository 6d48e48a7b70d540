// SPDX-License-Identifier: GPL-2.0-only
#include <cap-ng.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "parse_num.h"
#include "priv.h"

int priv_set_user(struct priv *p, const char *name, char *errmsg, size_t errlen)
{
	struct passwd *pw;
	uint64_t uid;

	errno = 0;
	pw = parse_u64(name, 0, UINT32_MAX - 1, &uid) ? getpwnam(name) : getpwuid((uid_t)uid);
	if (!pw) {
		snprintf(errmsg, errlen, "no user '%s'%s%s", name, errno ? ": " : "",
			 errno ? strerror(errno) : "");
		return errno ? -errno : -ENOENT;
	}
	if (snprintf(p->user, sizeof(p->user), "%s", pw->pw_name) >= (int)sizeof(p->user)) {
		snprintf(errmsg, errlen, "user name '%s' is too long", pw->pw_name);
		return -ENAMETOOLONG;
	}
	p->uid = pw->pw_uid;
	p->gid = pw->pw_gid;
	p->switch_user = true;
	return 0;
}

int priv_fs_as(struct priv *p, bool as_user, char *errmsg, size_t errlen)
{
	uid_t uid = as_user ? p->uid : geteuid();
	gid_t gid = as_user ? p->gid : getegid();

	if (!p->switch_user)
		return 0;
	/* Group permissions count too: the user's groups, as they will be after the drop. */
	if (as_user && !p->groups_set) {
		if (initgroups(p->user, p->gid)) {
			snprintf(errmsg, errlen, "cannot take the groups of user %s: %s", p->user,
				 strerror(errno));
			return -errno;
		}
		p->groups_set = true;
	}
	/* setfsuid reports no error; what it leaves in place says whether it worked. */
	setfsgid(gid);
	setfsuid(uid);
	if ((gid_t)setfsgid((gid_t)-1) != gid || (uid_t)setfsuid((uid_t)-1) != uid) {
		snprintf(errmsg, errlen, "cannot act on files as %s", as_user ? p->user : "root");
		return -EPERM;
	}
	return 0;
}

static int fail(char *errmsg, size_t errlen, const char *what, int err)
{
	snprintf(errmsg, errlen, "cannot drop privileges: %s: %s", what, strerror(err));
	return -err;
}

int priv_drop(const struct priv *p, int (*probe)(void *ctx), void *ctx, bool *kept_bpf,
	      char *errmsg, size_t errlen)
{
	int err, rc;

	*kept_bpf = false;
	if (capng_get_caps_process())
		return fail(errmsg, errlen, "cannot read the capabilities", errno ? errno : EPERM);
	/*
	 * CAP_BPF stays permitted, not effective, until the probe has shown whether the tables
	 * can be worked without it; the bounding set goes, so nothing can be gained back.
	 */
	capng_clear(CAPNG_SELECT_BOTH);
	capng_update(CAPNG_ADD, CAPNG_PERMITTED, CAP_BPF);
	errno = 0;
	if (p->switch_user)
		rc = capng_change_id((int)p->uid, (int)p->gid,
				     CAPNG_INIT_SUPP_GRP | CAPNG_CLEAR_BOUNDING);
	else
		rc = capng_apply(CAPNG_SELECT_BOTH);
	if (rc)
		return fail(errmsg, errlen,
			    p->switch_user ? "cannot become the user" :
					     "cannot clear the capability sets",
			    errno ? errno : EPERM);
	/* --alert-command's programs start with no more: no setuid file can raise them. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return fail(errmsg, errlen, "PR_SET_NO_NEW_PRIVS", errno);
	err = probe(ctx);
	if (err == -EPERM) {
		capng_update(CAPNG_ADD, CAPNG_EFFECTIVE, CAP_BPF);
		if (capng_apply(CAPNG_SELECT_CAPS))
			return fail(errmsg, errlen, "cannot raise CAP_BPF", errno);
		*kept_bpf = true;
		err = probe(ctx);
	}
	if (err) {
		snprintf(errmsg, errlen, "cannot work the tables with the privileges left: %s",
			 strerror(-err));
		return err;
	}
	if (!*kept_bpf) {
		capng_clear(CAPNG_SELECT_CAPS);
		if (capng_apply(CAPNG_SELECT_CAPS))
			return fail(errmsg, errlen, "cannot drop CAP_BPF", errno);
	}
	return 0;
}

int priv_shed(char *errmsg, size_t errlen)
{
	capng_select_t set = CAPNG_SELECT_CAPS;

	if (capng_get_caps_process())
		return fail(errmsg, errlen, "cannot read the capabilities", errno ? errno : EPERM);
	/* Emptying the bounding set takes CAP_SETPCAP: a daemon that dropped it has none left. */
	if (capng_have_capabilities(CAPNG_SELECT_BOUNDS) != CAPNG_NONE)
		set |= CAPNG_SELECT_BOUNDS;
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_apply(set))
		return fail(errmsg, errlen, "cannot clear the capability sets",
			    errno ? errno : EPERM);
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) && errno != EINVAL)
		return fail(errmsg, errlen, "cannot clear the ambient capabilities", errno);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return fail(errmsg, errlen, "PR_SET_NO_NEW_PRIVS", errno);
	return 0;
}
