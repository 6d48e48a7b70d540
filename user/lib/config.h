/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The configuration file (README.md, "Configuration file"): `option = value` a line, named as
 * the long options of `scanwatch run`, `#` comment lines. It is turned into arguments placed
 * before the command line's, so that the command's own getopt_long parser reads both and the
 * command line, coming later, wins. A repeatable option (--point, --watch) given on the command
 * line replaces the file's list instead of adding to it.
 */
#ifndef SW_CONFIG_H
#define SW_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

struct option;

struct config_spec {
	const char *cmd; /* "run": for messages */
	/* The names a file may hold, with whether they take a value: run's options. */
	const struct option *file_opts;
	/* NULL: every name is the command's; else the names it takes, the others are ignored. */
	const char *const *take;
	/* Names the command line's occurrences replace rather than extend. */
	const char *const *repeatable;
	/* The command's own options, to read its command line without changing it. */
	const struct option *cmd_opts;
	const char *optstring;
	int config_val; /* the val of its --config FILE option */
	int help_val; /* the val of its --help: with it no file is read */
};

struct config_args {
	int argc;
	char **argv; /* what the command's parser gets: valid until config_args_free() */
	char path[PATH_MAX]; /* the file read; "" when none was */
	char **made; /* the "--name=value" strings made of the file's lines */
	unsigned int *lines;
	size_t nmade;
	char *sentinel; /* "--config=PATH", parsed last */
	bool own_argv;
};

/*
 * Reads --config FILE (or SW_CONFIG_DEFAULT, when it exists) and makes ca->argv. 0, or
 * SW_EXIT_USAGE after one line on stderr: "scanwatch CMD: FILE:LINE: why".
 */
int config_args(struct config_args *ca, const struct config_spec *spec, int argc, char **argv);
/*
 * config_args() for a command whose options are params.h tables: spec's cmd_opts, optstring,
 * config_val and help_val are made from them (its --config is the option named "config").
 */
struct param_set;
int config_args_params(struct config_args *ca, struct config_spec *spec,
		       const struct param_set *sets, int argc, char **argv);
void config_args_free(struct config_args *ca);
/*
 * Where an option's argument (getopt's optarg) came from: "FILE:LINE" in buf when it is a value
 * of the file config_args() read last, else NULL. Lets usage_error() name the line.
 */
const char *config_origin(const char *arg, char *buf, size_t len);

#endif
