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
	const char *why = rrd_test_error() ? rrd_get_error() : strerror(-err);

	snprintf(io->errmsg, sizeof(io->errmsg), "%s %s: %s", what, name, why);
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

	if (!io->daemon && stat(name, &st))
		return errno == ENOENT ? -ENOENT : fail(io, -errno, "cannot read", name);
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

static int create_local(struct rrdio *io, const char *name, unsigned long step_s, time_t last_up,
			int argc, const char **argv)
{
	char tmp[4096];

	int e;

	if (snprintf(tmp, sizeof(tmp), "%s.%d.tmp", name, (int)getpid()) >= (int)sizeof(tmp))
		return fail(io, -ENAMETOOLONG, "cannot create", name);
	unlink(tmp);
	rrd_clear_error();
	if (rrd_create_r2(tmp, step_s, last_up, 0, NULL, NULL, argc, argv)) {
		fail(io, -EIO, "cannot create", name);
		unlink(tmp);
		return -EIO;
	}
	if (!renameat2(AT_FDCWD, tmp, AT_FDCWD, name, RENAME_NOREPLACE))
		return 0;
	/* File systems without RENAME_NOREPLACE: link() refuses to replace too. */
	if (errno == EINVAL && !link(tmp, name)) {
		unlink(tmp);
		return 0;
	}
	e = errno;
	unlink(tmp);
	rrd_clear_error();
	fail(io, -e, "cannot rename a new file to", name);
	return e == EEXIST ? -EEXIST : -EIO;
}

int rrdio_create(struct rrdio *io, const char *name, unsigned long step_s, time_t last_up, int argc,
		 const char **argv)
{
	if (!io->daemon)
		return create_local(io, name, step_s, last_up, argc, argv);
	rrd_clear_error();
	if (!rrdc_create_r2(name, step_s, last_up, 1, NULL, NULL, argc, argv))
		return 0;
	if (rrd_test_error() && strstr(rrd_get_error(), "exists"))
		return fail(io, -EEXIST, "rrdcached cannot create", name);
	return fail(io, remote_err(io), "rrdcached cannot create", name);
}

int rrdio_update(struct rrdio *io, const char *name, int argc, const char **argv)
{
	rrd_clear_error();
	if (!io->daemon) {
		if (rrd_update_r(name, NULL, argc, argv))
			return fail(io, -EIO, "cannot update", name);
		return 0;
	}
	if (rrdc_update(name, argc, argv))
		return fail(io, remote_err(io), "rrdcached cannot update", name);
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
