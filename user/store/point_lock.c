// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "point_lock.h"
#include "safe_file.h"

#define LOCK_FILE "lock"

int point_lock(int point_dfd, const char *point_dir, const char *what, char *errmsg, size_t errlen)
{
	char holder[64] = "", line[64];
	int fd, n;

	fd = sf_open(point_dfd, LOCK_FILE, O_RDWR | O_CREAT, SW_MODE_FILE);
	if (fd < 0) {
		snprintf(errmsg, errlen, "cannot lock %s/" LOCK_FILE ": %s", point_dir,
			 sf_strerror(fd));
		return fd;
	}
	if (!flock(fd, LOCK_EX | LOCK_NB)) {
		/* Who holds it, for the next one to say: best effort, the lock works either way. */
		n = snprintf(line, sizeof(line), "%d %s\n", (int)getpid(), what);
		if (pwrite(fd, line, (size_t)n, 0) == n && ftruncate(fd, n))
			n = 0;
		return fd;
	}
	if (errno != EWOULDBLOCK) {
		snprintf(errmsg, errlen, "cannot lock %s/" LOCK_FILE ": %s", point_dir,
			 strerror(errno));
		close(fd);
		return -errno;
	}
	n = (int)pread(fd, holder, sizeof(holder) - 1, 0);
	holder[n > 0 ? n : 0] = '\0';
	close(fd);
	{
		int pid = 0;
		char cmd[16] = "?";

		if (sscanf(holder, "%d %15[a-z]", &pid, cmd) < 1)
			pid = 0;
		if (pid > 0)
			snprintf(
				errmsg, errlen,
				"%s is being written by another scanwatch (pid %d, %s): one writer "
				"per point; wait for it to end, or use another --data-dir",
				point_dir, pid, cmd);
		else
			snprintf(
				errmsg, errlen,
				"%s is being written by another scanwatch: one writer per point; wait "
				"for it to end, or use another --data-dir",
				point_dir);
	}
	return -EBUSY;
}
