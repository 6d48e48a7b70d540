// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "grow.h"
#include "keyfmt.h"
#include "log.h"

int prefix_list_add(struct prefix_list *l, const char *str)
{
	if (l->n == SW_MAX_WATCH)
		return -E2BIG;
	if (SW_GROW(l->v, l->cap, l->n + 1, 8))
		return -ENOMEM;
	if (sw_prefix_parse(str, &l->v[l->n]))
		return -EINVAL;
	l->n++;
	return 0;
}

void prefix_list_free(struct prefix_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* A compiled zone file starts with "TZif"; a directory such as "Asia" or any other file does not. */
static bool is_zone_file(const char *path)
{
	char magic[4];
	FILE *f = fopen(path, "re");
	bool ok;

	if (!f)
		return false;
	ok = fread(magic, 1, sizeof(magic), f) == sizeof(magic) && !memcmp(magic, "TZif", 4);
	fclose(f);
	return ok;
}

int use_time_zone(const char *tz)
{
	char path[512];

	/* glibc takes an unknown zone for UTC without a word: check the database ourselves. */
	if (!tz)
		return -EINVAL;
	if (strcmp(tz, "UTC")) {
		if (!*tz || tz[0] == '/' || tz[0] == ':' || strstr(tz, "..") ||
		    snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", tz) >=
			    (int)sizeof(path) ||
		    !is_zone_file(path))
			return -EINVAL;
	}
	if (setenv("TZ", tz, 1))
		return -errno;
	tzset();
	return 0;
}

int usage_error(const char *cmd, const char *fmt, ...)
{
	char buf[PATH_MAX + 16];
	const char *where = config_origin(optarg, buf, sizeof(buf));
	va_list ap;

	fprintf(stderr, "%sscanwatch %s: %s%s", sw_log_priority(SW_LOG_ERR), cmd,
		where ? where : "", where ? ": " : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (where)
		fputc('\n', stderr);
	else
		fprintf(stderr, " (see 'scanwatch %s --help')\n", cmd);
	return SW_EXIT_USAGE;
}

int option_error(const char *cmd, const struct option *opts, char **argv)
{
	const char *arg = argv[optind - 1];

	/* optopt is 0 for an unknown long option and the bad character for a short one. */
	if (optopt == 0)
		return usage_error(cmd, "unknown option '%s'", arg);
	for (; opts->name; opts++) {
		if (opts->val != optopt)
			continue;
		if (strchr(arg, '='))
			return usage_error(cmd, "option '%s' takes no value", arg);
		return usage_error(cmd, "option '%s' needs a value", arg);
	}
	return usage_error(cmd, "unknown option '-%c'", optopt);
}
