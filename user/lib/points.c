// SPDX-License-Identifier: GPL-2.0-only
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "points.h"

bool point_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > SW_POINT_NAME_MAX || name[0] == '-')
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") ==
	       n;
}

static bool has(const char *data_dir, const char *point, const char *what, bool dir)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s/%s", data_dir, point, what);
	return !stat(path, &st) && (!dir || S_ISDIR(st.st_mode));
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(a, b);
}

int sw_points_find(const char *data_dir, unsigned int by, char (*names)[SW_POINT_LEN], size_t max,
		   size_t *n)
{
	struct dirent *de;
	DIR *d = opendir(data_dir);

	*n = 0;
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (!point_name_ok(de->d_name))
			continue;
		if (!((by & SW_POINTS_RRD) && has(data_dir, de->d_name, "totals.rrd", false)) &&
		    !((by & SW_POINTS_DAILY) && has(data_dir, de->d_name, "daily", true)))
			continue;
		if (*n == max) {
			closedir(d);
			return -E2BIG;
		}
		snprintf(names[(*n)++], SW_POINT_LEN, "%s", de->d_name);
	}
	closedir(d);
	qsort(names, *n, SW_POINT_LEN, cmp_names);
	return 0;
}
