// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "atomic_file.h"

static int open_in(struct atomic_file *af, int dfd, const char *name, mode_t mode)
{
	int fd;

	af->dfd = dfd;
	if (snprintf(af->name, sizeof(af->name), "%s", name) >= (int)sizeof(af->name))
		fd = -ENAMETOOLONG;
	else
		fd = sf_tmp(dfd, name, mode, af->tmp);
	if (fd >= 0) {
		af->f = fdopen(fd, "w");
		if (af->f)
			return 0;
		fd = -errno;
		unlinkat(dfd, af->tmp, 0);
	}
	close(dfd);
	af->dfd = -1;
	return fd;
}

int atomic_file_openat(struct atomic_file *af, int dfd, const char *name, mode_t mode)
{
	int own = fcntl(dfd, F_DUPFD_CLOEXEC, 3);

	af->f = NULL;
	if (own < 0)
		return -errno;
	return open_in(af, own, name, mode);
}

int atomic_file_open(struct atomic_file *af, const char *path, mode_t mode)
{
	char base[NAME_MAX + 1];
	int dfd = sf_parent(path, base, sizeof(base));

	af->f = NULL;
	if (dfd < 0)
		return dfd;
	return open_in(af, dfd, base, mode);
}

int atomic_file_commit(struct atomic_file *af)
{
	int err = 0;

	if (fflush(af->f) || fsync(fileno(af->f)))
		err = -errno;
	if (fclose(af->f) && !err)
		err = -errno;
	af->f = NULL;
	if (!err && renameat(af->dfd, af->tmp, af->dfd, af->name))
		err = -errno;
	if (err)
		unlinkat(af->dfd, af->tmp, 0);
	close(af->dfd);
	af->dfd = -1;
	return err;
}

void atomic_file_abort(struct atomic_file *af)
{
	fclose(af->f);
	af->f = NULL;
	unlinkat(af->dfd, af->tmp, 0);
	close(af->dfd);
	af->dfd = -1;
}
