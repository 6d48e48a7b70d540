/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Files and folders made and opened without following links (README.md, "Files and
 * permissions"). Whoever may write a folder scanwatch writes (the daemon's --user owns the data
 * directory) could plant a link at any name in it, and root would write through it: so a folder
 * is made, then opened with O_DIRECTORY | O_NOFOLLOW, and everything inside it is reached through
 * that descriptor; a new file gets an unguessable temporary name created with O_EXCL, and is
 * renamed into place; a file appended to or read must be a regular file, never a link, and is
 * opened without blocking, so that a FIFO planted in its place cannot hang the command.
 *
 * Modes are explicit, never left to the umask: they can only come out tighter.
 */
#ifndef SW_SAFE_FILE_H
#define SW_SAFE_FILE_H

#include <stdio.h>
#include <sys/types.h>

/* The data directory: it holds source addresses, the operator's private data. */
#define SW_MODE_FILE 0640
#define SW_MODE_DIR 0750
/* graph --out and report --out: charts and reports made to be published. */
#define SW_MODE_PUB_FILE 0644
#define SW_MODE_PUB_DIR 0755

/* ".NAME.XXXXXXXXXXXX": a name no one can plant anything at in advance. */
#define SF_TMP_LEN 300

/* Returned for a file that exists but is not a regular file (a FIFO, a folder, a device). */
#define SF_ENOTREG EBADFD

/*
 * Opens the folder name under dfd (AT_FDCWD: name is a path, relative or absolute), making it
 * first with mode unless mode is 0. Its last component must not be a link (-ELOOP). fd or -errno.
 */
int sf_dir(int dfd, const char *name, mode_t mode);
/* A new file under dfd, named after base and created with O_EXCL; tmp gets its name. fd or -errno. */
int sf_tmp(int dfd, const char *base, mode_t mode, char tmp[SF_TMP_LEN]);
/* A new folder under dfd, named as sf_tmp() names files, mode 0700: only this process's user
 * can put anything in it. fd or -errno. */
int sf_tmpdir(int dfd, const char *base, char tmp[SF_TMP_LEN]);
/*
 * Opens name under dfd with flags (O_RDONLY, O_RDWR, O_WRONLY | O_APPEND, with O_CREAT: made with
 * mode): a regular file only (-SF_ENOTREG), never through a link (-ELOOP). fd or -errno.
 */
int sf_open(int dfd, const char *name, int flags, mode_t mode);
/* The same as a stdio stream ("r", "r+", "a"); NULL with *err set. */
FILE *sf_fopen(int dfd, const char *name, const char *how, mode_t mode, int *err);
/* sf_fopen() of a path, through its folder as sf_parent() opens it. */
FILE *sf_fopen_path(const char *path, const char *how, mode_t mode, int *err);
/*
 * The folder holding path (opened as sf_dir, never made) and its last component; -errno, or
 * -ENAMETOOLONG when the last component does not fit base.
 */
int sf_parent(const char *path, char *base, size_t len);
/* strerror(), saying what the two refusals above mean. */
const char *sf_strerror(int err);

#endif
