/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Files replaced whole: written under a temporary name, synced, then renamed over the old one,
 * so a crash or a full disk leaves either the old file or the new one, never half of either.
 */
#ifndef SW_ATOMIC_FILE_H
#define SW_ATOMIC_FILE_H

#include <limits.h>
#include <stdio.h>

struct atomic_file {
	FILE *f; /* write the new contents here */
	char path[PATH_MAX];
	char tmp[PATH_MAX + 8];
};

/* 0 or -errno; on success af->f is open for writing. */
int atomic_file_open(struct atomic_file *af, const char *path);
/* Syncs and renames into place; on any error the temporary file is removed. 0 or -errno. */
int atomic_file_commit(struct atomic_file *af);

#endif
