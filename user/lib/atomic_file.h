/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Files replaced whole: written under a temporary name, synced, then renamed over the old one,
 * so a crash or a full disk leaves either the old file or the new one, never half of either. The
 * temporary name is new and unguessable (safe_file.h): nothing planted at it is written through,
 * and the rename replaces a link at the final name rather than following it.
 */
#ifndef SW_ATOMIC_FILE_H
#define SW_ATOMIC_FILE_H

#include <limits.h>
#include <stdio.h>
#include <sys/types.h>

#include "safe_file.h"

struct atomic_file {
	FILE *f; /* write the new contents here */
	int dfd; /* the folder, held until commit */
	char name[NAME_MAX + 1];
	char tmp[SF_TMP_LEN];
};

/* name under the folder dfd (not closed, nor kept: a copy is). 0 or -errno; af->f is open. */
int atomic_file_openat(struct atomic_file *af, int dfd, const char *name, mode_t mode);
/* The same for a path, whose folder is opened without following a link at its last component. */
int atomic_file_open(struct atomic_file *af, const char *path, mode_t mode);
/* Syncs and renames into place; on any error the temporary file is removed. 0 or -errno. */
int atomic_file_commit(struct atomic_file *af);
/* Removes the temporary file: the old one stays as it was. */
void atomic_file_abort(struct atomic_file *af);

#endif
