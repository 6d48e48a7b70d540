// SPDX-License-Identifier: GPL-2.0-only
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "pins.h"
#include "scanwatch.h"

int pins_mount_point_ok(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int err = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			err = -ENOTEMPTY;
			break;
		}
	closedir(d);
	return err;
}

/* /proc/self/mountinfo escapes blanks and backslashes in paths as octal. */
static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++, o++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 3;
		} else {
			*o = *s;
		}
	}
	*o = '\0';
}

bool pins_mount_shared(const char *dir)
{
	char line[4096];
	bool shared = false;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f)
		return true; /* cannot tell: say nothing we do not know */
	/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - TYPE SOURCE SUPER */
	while (fgets(line, sizeof(line), f)) {
		char *save = NULL, *w[6];
		int n = 0;

		for (char *t = strtok_r(line, " \n", &save); t && n < 6;
		     t = strtok_r(NULL, " \n", &save))
			w[n++] = t;
		if (n < 6)
			continue;
		unescape(w[4]);
		if (strcmp(w[4], dir))
			continue;
		/* The last mount at dir is the one on top, the one paths reach. */
		shared = false;
		for (char *t = strtok_r(NULL, " \n", &save); t && strcmp(t, "-");
		     t = strtok_r(NULL, " \n", &save))
			if (!strncmp(t, "shared:", 7))
				shared = true;
	}
	fclose(f);
	return shared;
}

int pins_lock(const char *dir, __u32 *holder)
{
	char path[4096];
	struct sw_meta meta = {};
	__u32 zero = 0;
	int fd, mfd;

	*holder = 0;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (!flock(fd, LOCK_EX | LOCK_NB))
		return fd;
	close(fd);
	if (errno != EWOULDBLOCK)
		return -errno;
	snprintf(path, sizeof(path), "%s/meta", dir);
	mfd = bpf_obj_get(path);
	if (mfd >= 0) {
		if (!bpf_map_lookup_elem(mfd, &zero, &meta))
			*holder = meta.daemon_pid;
		close(mfd);
	}
	return -EBUSY;
}
