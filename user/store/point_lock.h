/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One writer per point: `run` and `replay` hold an flock() on DATA_DIR/POINT/lock for as long as
 * they may write the point's files (two writers would lose each other's counts: the day's sources
 * and summary are read, added to and rewritten). The kernel drops the lock with the process,
 * however it ends. The file holds the holder's pid and command, for the refusal's one line.
 */
#ifndef SW_POINT_LOCK_H
#define SW_POINT_LOCK_H

#include <stddef.h>

/*
 * Takes the lock of the point whose folder is point_dfd: its fd, or -EBUSY with errmsg naming the
 * writer that holds it (another -errno, with errmsg, when the file cannot be made). what is this
 * process's command ("run", "replay"), written into the file.
 */
int point_lock(int point_dfd, const char *point_dir, const char *what, char *errmsg, size_t errlen);

#endif
