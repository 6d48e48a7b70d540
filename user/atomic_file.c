// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "atomic_file.h"

int atomic_file_open(struct atomic_file *af, const char *path)
{
	af->f = NULL;
	if (snprintf(af->path, sizeof(af->path), "%s", path) >= (int)sizeof(af->path) ||
	    snprintf(af->tmp, sizeof(af->tmp), "%s.tmp", path) >= (int)sizeof(af->tmp))
		return -ENAMETOOLONG;
	af->f = fopen(af->tmp, "w");
	return af->f ? 0 : -errno;
}

int atomic_file_commit(struct atomic_file *af)
{
	int err = 0;

	if (fflush(af->f) || fsync(fileno(af->f)))
		err = -errno;
	if (fclose(af->f) && !err)
		err = -errno;
	af->f = NULL;
	if (!err && rename(af->tmp, af->path))
		err = -errno;
	if (err)
		unlink(af->tmp);
	return err;
}
