/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The pin root's file system and the pin folder's lock: what decides whether pins outlive the
 * daemon, and who may remove them. Used by sensor.c.
 */
#ifndef SW_PINS_H
#define SW_PINS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

/*
 * A folder to mount bpffs on must be empty: the mount would hide what it holds. 0, -ENOTEMPTY,
 * or -errno when it cannot be read.
 */
int pins_mount_point_ok(const char *dir);
/*
 * Whether the mount at dir propagates to other mount namespaces (a "shared" peer group): a bpffs
 * mounted where it does not lives only as long as this namespace, as under `ip netns exec`.
 */
bool pins_mount_shared(const char *dir);
/*
 * flock()s a point's pin folder, as its daemon does for as long as it runs: fd, or -EBUSY with
 * *holder the running daemon's pid (from the pinned meta map; 0 if unreadable), or -errno.
 */
int pins_lock(const char *dir, __u32 *holder);

#endif
