// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "safe_file.h"

int sf_dir(int dfd, const char *name, mode_t mode)
{
	int fd;

	if (mode && mkdirat(dfd, name, mode) && errno != EEXIST)
		return -errno;
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	/* A link to a folder is refused as ELOOP or ENOTDIR depending on where it points. */
	if (errno == ENOTDIR) {
		struct stat st;

		if (!fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) && S_ISLNK(st.st_mode))
			return -ELOOP;
	}
	return -errno;
}

static void random_suffix(char out[13])
{
	static const char digits[] = "abcdefghijklmnopqrstuvwxyz012345";
	unsigned char r[12];

	if (getrandom(r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
		/* Unguessable is a bonus here: O_EXCL is what makes it safe. */
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		for (size_t i = 0; i < sizeof(r); i++)
			r[i] = (unsigned char)((ts.tv_nsec >> (i % 4 * 8)) ^ getpid() ^ rand());
	}
	for (size_t i = 0; i < sizeof(r); i++)
		out[i] = digits[r[i] & 31];
	out[12] = '\0';
}

/* A new name under dfd, made by make(): a file or a folder. */
static int make_new(int dfd, const char *base, char tmp[SF_TMP_LEN], bool folder, mode_t mode)
{
	for (int tries = 0; tries < 64; tries++) {
		char sfx[13];
		int fd;

		random_suffix(sfx);
		if (snprintf(tmp, SF_TMP_LEN, ".%s.%s", base, sfx) >= SF_TMP_LEN)
			return -ENAMETOOLONG;
		/* Both create or fail: whatever sits at the name, a link included, is untouched. */
		if (folder) {
			if (!mkdirat(dfd, tmp, 0700))
				return sf_dir(dfd, tmp, 0);
		} else {
			fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
				    mode);
			if (fd >= 0)
				return fd;
		}
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

int sf_tmp(int dfd, const char *base, mode_t mode, char tmp[SF_TMP_LEN])
{
	return make_new(dfd, base, tmp, false, mode);
}

int sf_tmpdir(int dfd, const char *base, char tmp[SF_TMP_LEN])
{
	return make_new(dfd, base, tmp, true, 0700);
}

int sf_open(int dfd, const char *name, int flags, mode_t mode)
{
	struct stat st;
	int fd, err;

	fd = openat(dfd, name, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, mode);
	if (fd < 0)
		/* A FIFO without a reader refuses a non-blocking writer with ENXIO: no file. */
		return errno == ENXIO ? -SF_ENOTREG : -errno;
	if (fstat(fd, &st)) {
		err = -errno;
		close(fd);
		return err;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return -SF_ENOTREG;
	}
	/* Regular files never block; the flag is cleared so that it means nothing later. */
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

FILE *sf_fopen(int dfd, const char *name, const char *how, mode_t mode, int *err)
{
	int flags = !strcmp(how, "r")  ? O_RDONLY :
		    !strcmp(how, "r+") ? O_RDWR :
		    !strcmp(how, "a")  ? O_WRONLY | O_APPEND | O_CREAT :
					 -1;
	FILE *f;
	int fd;

	if (flags < 0) {
		*err = -EINVAL;
		return NULL;
	}
	fd = sf_open(dfd, name, flags, mode);
	if (fd < 0) {
		*err = fd;
		return NULL;
	}
	/* fdopen() keeps the descriptor's offset: ftell() must say where appends go, as fopen's. */
	if ((flags & O_APPEND) && lseek(fd, 0, SEEK_END) < 0) {
		*err = -errno;
		close(fd);
		return NULL;
	}
	f = fdopen(fd, how);
	if (!f) {
		*err = -errno;
		close(fd);
		return NULL;
	}
	*err = 0;
	return f;
}

int sf_parent(const char *path, char *base, size_t len)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];
	size_t dlen;

	if (!slash) {
		if (snprintf(base, len, "%s", path) >= (int)len)
			return -ENAMETOOLONG;
		return sf_dir(AT_FDCWD, ".", 0);
	}
	if (!slash[1] || snprintf(base, len, "%s", slash + 1) >= (int)len)
		return slash[1] ? -ENAMETOOLONG : -EISDIR;
	dlen = slash == path ? 1 : (size_t)(slash - path);
	if (dlen >= sizeof(dir))
		return -ENAMETOOLONG;
	memcpy(dir, path, dlen);
	dir[dlen] = '\0';
	return sf_dir(AT_FDCWD, dir, 0);
}

FILE *sf_fopen_path(const char *path, const char *how, mode_t mode, int *err)
{
	char base[4096];
	int dfd = sf_parent(path, base, sizeof(base));
	FILE *f;

	if (dfd < 0) {
		*err = dfd;
		return NULL;
	}
	f = sf_fopen(dfd, base, how, mode, err);
	close(dfd);
	return f;
}

const char *sf_strerror(int err)
{
	if (err < 0)
		err = -err;
	if (err == ELOOP)
		return "it is a symbolic link, which scanwatch never follows";
	if (err == SF_ENOTREG)
		return "not a regular file";
	return strerror(err);
}
