/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The command-line targets: the input is an argument vector, arguments separated by NUL bytes,
 * handed to a subcommand's option parser (included from user/, where it is static). Parsers have
 * no side effect but on their struct and getopt's state, and return SW_HELP_SHOWN for --help
 * instead of exiting, so they can run again and again. Whatever they accept must be safe to use:
 * point names that stay inside the data directory, keys that make file names.
 */
#ifndef SW_FUZZ_CLI_H
#define SW_FUZZ_CLI_H

#include <getopt.h>

#include "cli.h"
#include "fuzz.h"
#include "parse_num.h"
#include "points.h"

#define FUZZ_MAX_ARGS 48

struct fuzz_args {
	char *buf;
	char *argv[FUZZ_MAX_ARGS + 2];
	int argc;
};

static inline void fuzz_args_make(struct fuzz_args *a, const char *cmd, const uint8_t *data,
				  size_t size)
{
	char *p, *end;

	a->buf = malloc(size + 1);
	if (!a->buf)
		fuzz_fail("out of memory");
	memcpy(a->buf, data, size);
	a->buf[size] = '\0';
	a->argc = 0;
	a->argv[a->argc++] = (char *)cmd;
	end = a->buf + size;
	for (p = a->buf; size && p <= end && a->argc <= FUZZ_MAX_ARGS; p += strlen(p) + 1)
		a->argv[a->argc++] = p;
	a->argv[a->argc] = NULL;
	/* A new vector: getopt starts over (0, not 1, also resets glibc's internal state). */
	optind = 0;
	opterr = 0;
}

static inline void fuzz_args_free(struct fuzz_args *a)
{
	free(a->buf);
	a->buf = NULL;
}

/* What a parser may return: success, a usage error (one line said why), or --help shown. */
static inline void fuzz_check_ret(int err, const char *cmd)
{
	FUZZ_CHECK(err == 0 || err == SW_EXIT_USAGE || err == SW_HELP_SHOWN,
		   "%s: the option parser returned %d", cmd, err);
}

static inline void fuzz_check_point(const char *name, const char *cmd)
{
	FUZZ_CHECK(name && point_name_ok(name) && !strchr(name, '/') && strcmp(name, ".") &&
			   strcmp(name, ".."),
		   "%s accepted the point name '%s'", cmd, name ? name : "(null)");
}

#endif
