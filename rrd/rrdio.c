// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rrdio.h"

#include <rrd_client.h> /* after rrd.h, which it needs */

/* librrd keeps its last error per thread; an empty one means it did not say. */
static int fail(struct rrdio *io, int err, const char *what, const char *name)
{
	const char *why = rrd_test_error() ? rrd_get_error() : sf_strerror(err);
	const char *proc = strstr(why, "/proc/self/fd/");
	int n;

	/* librrd names the file as it was given it: say the real name instead. */
	if (!proc) {
		snprintf(io->errmsg, sizeof(io->errmsg), "%s %s: %s", what, name, why);
		return err;
	}
	n = (int)(proc - why);
	proc += strlen("/proc/self/fd/");
	while ((*proc >= '0' && *proc <= '9') || *proc == '/' || *proc == '.' ||
	       (*proc >= 'a' && *proc <= 'z') || *proc == '_' || *proc == '-')
		proc++;
	snprintf(io->errmsg, sizeof(io->errmsg), "%s %s: %.*s%s%s", what, name, n, why, name, proc);
	return err;
}

/* After a refused request: a lost connection is worth a retry, anything else is not. */
static int remote_err(struct rrdio *io)
{
	return rrdc_is_connected(io->daemon) ? -EIO : -ENOTCONN;
}

int rrdio_open(struct rrdio *io, const char *daemon)
{
	memset(io, 0, sizeof(*io));
	if (!daemon || !*daemon)
		return 0;
	io->daemon = daemon;
	/*
	 * librrd's client send()s without MSG_NOSIGNAL: an rrdcached that went away would kill the
	 * daemon with SIGPIPE instead of giving an error to retry after.
	 */
	signal(SIGPIPE, SIG_IGN);
	/* The same rule librrd applies to choose between a unix socket and the network. */
	io->remote = strncmp(daemon, "unix:", 5) && daemon[0] != '/';
	rrd_clear_error();
	if (rrdc_connect(daemon) || !rrdc_is_connected(daemon)) {
		snprintf(io->errmsg, sizeof(io->errmsg), "cannot reach rrdcached at %s: %s", daemon,
			 rrd_test_error() ? rrd_get_error() : "connection refused");
		return -EHOSTUNREACH;
	}
	return 0;
}

void rrdio_close(struct rrdio *io)
{
	if (io->daemon)
		rrdc_disconnect();
	io->daemon = NULL;
}

bool rrdio_connected(const struct rrdio *io)
{
	return !io->daemon || rrdc_is_connected(io->daemon);
}

int rrdio_reconnect(struct rrdio *io)
{
	if (rrdio_connected(io))
		return 0;
	rrd_clear_error();
	if (rrdc_connect(io->daemon) || !rrdc_is_connected(io->daemon))
		return fail(io, -ENOTCONN, "cannot reach rrdcached at", io->daemon);
	return 0;
}

int rrdio_name(const struct rrdio *io, const char *data_dir, const char *point, const char *rel,
	       char *buf, size_t len)
{
	int n = io->remote ? snprintf(buf, len, "%s/%s", point, rel) :
			     snprintf(buf, len, "%s/%s/%s", data_dir, point, rel);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* "ds[acc_scan].index" → "acc_scan" and "index"; false for other keys. */
static bool ds_field(const char *key, char name[RRDIO_DS_NAME], const char **field)
{
	const char *end;

	if (strncmp(key, "ds[", 3))
		return false;
	end = strchr(key + 3, ']');
	if (!end || end[1] != '.' || end - (key + 3) >= RRDIO_DS_NAME)
		return false;
	memcpy(name, key + 3, end - (key + 3));
	name[end - (key + 3)] = '\0';
	*field = end + 2;
	return true;
}

static int parse_info(const rrd_info_t *info, struct rrdio_meta *m)
{
	memset(m, 0, sizeof(*m));
	for (const rrd_info_t *i = info; i; i = i->next) {
		char name[RRDIO_DS_NAME];
		const char *field;

		if (!strcmp(i->key, "step") && i->type == RD_I_CNT) {
			m->step_s = i->value.u_cnt;
		} else if (!strcmp(i->key, "last_update") && i->type == RD_I_CNT) {
			m->last_s = (time_t)i->value.u_cnt;
		} else if (ds_field(i->key, name, &field)) {
			if (!strcmp(field, "index") && i->type == RD_I_CNT) {
				if (i->value.u_cnt >= RRDIO_MAX_DS)
					return -E2BIG;
				snprintf(m->ds[i->value.u_cnt], RRDIO_DS_NAME, "%s", name);
				if (i->value.u_cnt + 1 > m->nds)
					m->nds = i->value.u_cnt + 1;
			}
		}
	}
	/* Types come in a second pass: their order in the list is librrd's business. */
	for (const rrd_info_t *i = info; i; i = i->next) {
		char name[RRDIO_DS_NAME];
		const char *field;

		if (!ds_field(i->key, name, &field) || strcmp(field, "type") || i->type != RD_I_STR)
			continue;
		for (unsigned int d = 0; d < m->nds; d++)
			if (!strcmp(m->ds[d], name))
				snprintf(m->type[d], RRDIO_DS_NAME, "%s", i->value.u_str);
	}
	return 0;
}

int rrdio_info(struct rrdio *io, const char *name, struct rrdio_meta *meta)
{
	rrd_info_t *info;
	struct stat st;
	int err;

	/* A FIFO would hang librrd's open, a link could lead anywhere: neither is opened. */
	if (!io->daemon && lstat(name, &st))
		return errno == ENOENT ? -ENOENT : fail(io, -errno, "cannot read", name);
	if (!io->daemon && !S_ISREG(st.st_mode)) {
		rrd_clear_error();
		return fail(io, S_ISLNK(st.st_mode) ? -ELOOP : -SF_ENOTREG, "cannot read", name);
	}
	rrd_clear_error();
	info = io->daemon ? rrdc_info(name) : rrd_info_r(name);
	if (!info) {
		if (!io->daemon)
			return fail(io, -EIO, "cannot read", name);
		if (rrd_test_error() && strstr(rrd_get_error(), "No such file"))
			return -ENOENT;
		return fail(io, remote_err(io), "rrdcached cannot read", name);
	}
	err = parse_info(info, meta);
	rrd_info_free(info);
	if (err)
		return fail(io, err, "too many data sources in", name);
	if (io->daemon) {
		/* rrdcached's info reads the file, which may lag behind what it has cached. */
		time_t last;

		rrd_clear_error();
		last = rrdc_last(name);
		if (last > meta->last_s)
			meta->last_s = last;
	}
	return 0;
}

#define NEW_NAME "new.rrd"

/* What a file of these definitions holds in rows at least: one value per data source and row. */
static off_t data_bytes(int argc, const char **argv)
{
	unsigned long nds = 0, rows = 0;

	for (int i = 0; i < argc; i++) {
		char cf[16];
		unsigned long steps, n;

		if (!strncmp(argv[i], "DS:", 3))
			nds++;
		if (sscanf(argv[i], "RRA:%15[A-Z]:", cf) != 1)
			continue;
		/* RRA:CF:xff:steps:rows for the consolidations, RRA:CF:rows:... for Holt-Winters. */
		if (!strcmp(cf, "AVERAGE") || !strcmp(cf, "MIN") || !strcmp(cf, "MAX") ||
		    !strcmp(cf, "LAST")) {
			if (sscanf(argv[i], "RRA:%*[A-Z]:%*[^:]:%lu:%lu", &steps, &n) == 2)
				rows += n;
		} else if (sscanf(argv[i], "RRA:%*[A-Z]:%lu", &n) == 1) {
			rows += n;
		}
	}
	return (off_t)(nds * rows * sizeof(double));
}

/*
 * Why librrd made no file: it says "Input/output error" or nothing at all when a write fails
 * (1.7.2), and has removed its file by then, so the room is back. Asking for the room again
 * tells a full disk from the rest.
 */
static int lost_create_error(int dfd, int argc, const char **argv)
{
	int fd = openat(dfd, "probe", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	int err = -EIO;

	if (fd < 0)
		return errno == ENOSPC || errno == EDQUOT ? -ENOSPC : -EIO;
	if (fallocate(fd, 0, 0, data_bytes(argc, argv)) && (errno == ENOSPC || errno == EDQUOT))
		err = -ENOSPC;
	close(fd);
	unlinkat(dfd, "probe", 0);
	return err;
}

/*
 * librrd makes a file under a temporary name next to the one it is given, chmod()s it by name
 * and renames it: in a folder others can write, the file could be swapped for a link in between
 * and root would chmod what it points to. So librrd works in a folder of our own, mode 0700,
 * reached through its descriptor, and the finished file goes from there to its place.
 */
static int create_local(struct rrdio *io, const char *name, const struct rrdio_at *at,
			unsigned long step_s, time_t last_up, int argc, const char **argv)
{
	char tmpdir[SF_TMP_LEN], path[64];
	int tfd = -1, fd = -1, err, e;

	tfd = sf_tmpdir(at->dfd, at->base, tmpdir);
	if (tfd < 0) {
		rrd_clear_error();
		return fail(io, tfd, "cannot create", name);
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d/" NEW_NAME, tfd);
	rrd_clear_error();
	/* librrd takes 0 for "now": the epoch's first interval starts a second later. */
	if (rrd_create_r2(path, step_s, last_up ? last_up : 1, 1, NULL, NULL, argc, argv)) {
		/* librrd says "Input/output error" or nothing for a full disk: say what it is. */
		err = lost_create_error(tfd, argc, argv);
		if (err == -ENOSPC || !rrd_test_error())
			rrd_clear_error();
		err = fail(io, err, "cannot create", name);
		goto out;
	}
	fd = openat(tfd, NEW_NAME, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		rrd_clear_error();
		err = fail(io, errno == ENOENT ? lost_create_error(tfd, argc, argv) : -errno,
			   "cannot create", name);
		goto out;
	}
	/* librrd's mode comes from the umask; ours is fixed (README.md, "Files and permissions"). */
	if (fchmod(fd, SW_MODE_FILE)) {
		rrd_clear_error();
		err = fail(io, -errno, "cannot create", name);
		goto out;
	}
	err = 0;
	if (renameat2(tfd, NEW_NAME, at->dfd, at->base, RENAME_NOREPLACE)) {
		/* File systems without RENAME_NOREPLACE: link() refuses to replace too. */
		if (errno != EINVAL || linkat(tfd, NEW_NAME, at->dfd, at->base, 0))
			err = -errno;
	}
	if (err) {
		e = err;
		rrd_clear_error();
		fail(io, e, "cannot rename a new file to", name);
		err = e == -EEXIST ? -EEXIST : e == -ENOSPC ? -ENOSPC : -EIO;
	}
out:
	if (fd >= 0)
		close(fd);
	unlinkat(tfd, NEW_NAME, 0);
	close(tfd);
	unlinkat(at->dfd, tmpdir, AT_REMOVEDIR);
	return err;
}

int rrdio_create(struct rrdio *io, const char *name, const struct rrdio_at *at,
		 unsigned long step_s, time_t last_up, int argc, const char **argv)
{
	if (!io->daemon)
		return create_local(io, name, at, step_s, last_up, argc, argv);
	rrd_clear_error();
	if (!rrdc_create_r2(name, step_s, last_up, 1, NULL, NULL, argc, argv))
		return 0;
	if (rrd_test_error() && strstr(rrd_get_error(), "exists"))
		return fail(io, -EEXIST, "rrdcached cannot create", name);
	return fail(io, remote_err(io), "rrdcached cannot create", name);
}

int rrdio_update(struct rrdio *io, const char *name, const struct rrdio_at *at, int argc,
		 const char **argv)
{
	char path[32];
	int fd, ret;

	rrd_clear_error();
	if (io->daemon) {
		if (rrdc_update(name, argc, argv))
			return fail(io, remote_err(io), "rrdcached cannot update", name);
		return 0;
	}
	fd = sf_open(at->dfd, at->base, O_RDWR, 0);
	if (fd < 0)
		return fail(io, fd == -ENOENT ? -ENOENT : fd, "cannot update", name);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ret = rrd_update_r(path, NULL, argc, argv);
	close(fd);
	if (ret)
		return fail(io, -EIO, "cannot update", name);
	return 0;
}

int rrdio_fetch(struct rrdio *io, const char *name, const char *cf, time_t *start, time_t *end,
		unsigned long *step, unsigned long *nds, char ***names, rrd_value_t **data)
{
	int ret;

	rrd_clear_error();
	if (io->daemon)
		ret = rrdc_fetch(name, cf, start, end, step, nds, names, data);
	else
		ret = rrd_fetch_r(name, cf, start, end, step, nds, names, data);
	if (ret)
		return fail(io, io->daemon ? remote_err(io) : -EIO, "cannot fetch from", name);
	return 0;
}

int rrdio_flush(struct rrdio *io, const char *name)
{
	if (!io->daemon)
		return 0;
	rrd_clear_error();
	if (rrdc_flush(name))
		return fail(io, remote_err(io), "rrdcached cannot flush", name);
	return 0;
}
