/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the libFuzzer targets (tests/fuzz/NAME.c, `make fuzz`) share: a scratch directory on tmpfs
 * (the store syncs every file it writes, which tmpfs makes free), files written from fuzz input,
 * inputs cut in two, and checks that abort, so that libFuzzer keeps the input as a crash.
 */
#ifndef SW_FUZZ_H
#define SW_FUZZ_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tally.h"

/*
 * libFuzzer's -close_fd_mask closes stderr of the code under test (whose usage errors would fill
 * the log): our own reports go to a copy taken before main().
 */
static int fuzz_err_fd = 2;

__attribute__((constructor)) static void fuzz_keep_stderr(void)
{
	fuzz_err_fd = fcntl(2, F_DUPFD_CLOEXEC, 3);
	if (fuzz_err_fd < 0)
		fuzz_err_fd = 2;
}

/* A property the code under test must keep: print why, then abort (libFuzzer saves the input). */
__attribute__((format(printf, 1, 2), noreturn)) static inline void fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	dprintf(fuzz_err_fd, "fuzz: ");
	va_start(ap, fmt);
	vdprintf(fuzz_err_fd, fmt, ap);
	va_end(ap);
	dprintf(fuzz_err_fd, "\n");
	abort();
}

#define FUZZ_CHECK(cond, ...)                   \
	do {                                    \
		if (!(cond))                    \
			fuzz_fail(__VA_ARGS__); \
	} while (0)

static inline void fuzz_write(const char *path, const uint8_t *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		fuzz_fail("cannot create %s: %s", path, strerror(errno));
	while (size) {
		ssize_t n = write(fd, data, size);

		if (n < 0)
			fuzz_fail("cannot write %s: %s", path, strerror(errno));
		data += n;
		size -= (size_t)n;
	}
	close(fd);
}

static int fuzz_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

/* Empties dir (keeping it). */
static inline void fuzz_clear_dir(const char *dir)
{
	nftw(dir, fuzz_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	mkdir(dir, 0755);
}

static char fuzz_dir_path[4096];

static void fuzz_remove_dir(void)
{
	if (fuzz_dir_path[0])
		nftw(fuzz_dir_path, fuzz_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/*
 * The target's scratch directory, made once and removed at exit: under $FUZZ_TMPDIR, else
 * /dev/shm, else /tmp.
 */
static inline const char *fuzz_dir(void)
{
	const char *base = getenv("FUZZ_TMPDIR");

	if (fuzz_dir_path[0])
		return fuzz_dir_path;
	if (!base)
		base = access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm";
	snprintf(fuzz_dir_path, sizeof(fuzz_dir_path), "%s/swfuzz.XXXXXX", base);
	if (!mkdtemp(fuzz_dir_path))
		fuzz_fail("cannot make a directory under %s: %s", base, strerror(errno));
	atexit(fuzz_remove_dir);
	return fuzz_dir_path;
}

/* Cuts an input in two: a little-endian u16 says how long the first part is. */
static inline void fuzz_split(const uint8_t *data, size_t size, const uint8_t **a, size_t *alen,
			      const uint8_t **b, size_t *blen)
{
	size_t n = size >= 2 ? (size_t)(data[0] | data[1] << 8) : 0;

	data += size >= 2 ? 2 : size;
	size -= size >= 2 ? 2 : size;
	if (n > size)
		n = size;
	*a = data;
	*alen = n;
	*b = data + n;
	*blen = size - n;
}

/* Two tallies with the same keys, areas and stats, in any order. */
static inline bool fuzz_tally_equal(const struct tally *x, const struct tally *y, char *why,
				    size_t len)
{
	if (x->nkeys != y->nkeys) {
		snprintf(why, len, "%zu keys, then %zu", x->nkeys, y->nkeys);
		return false;
	}
	for (size_t i = 0; i < x->nkeys; i++) {
		const struct tally_key *a = &x->keys[i], *b = tally_find(y, &a->key);

		if (!b || a->accesses != b->accesses || a->sources != b->sources ||
		    a->lost != b->lost || memcmp(a->fp, b->fp, sizeof(a->fp))) {
			snprintf(why, len, "key %u/%u/%u differs", a->key.cls, a->key.kind,
				 a->key.num);
			return false;
		}
	}
	if (memcmp(x->area_accesses, y->area_accesses, sizeof(x->area_accesses)) ||
	    memcmp(x->area_sources, y->area_sources, sizeof(x->area_sources))) {
		snprintf(why, len, "areas differ");
		return false;
	}
	if (memcmp(x->stats, y->stats, sizeof(x->stats))) {
		snprintf(why, len, "stats differ");
		return false;
	}
	if (tally_has_research(x) != tally_has_research(y)) {
		snprintf(why, len, "a research group, then none (or the other way)");
		return false;
	}
	if (tally_has_research(x) && !fuzz_tally_equal(x->research, y->research, why, len)) {
		snprintf(why + strlen(why), len - strlen(why), " (research group)");
		return false;
	}
	return true;
}

#endif
