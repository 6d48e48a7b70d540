/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Declarative options: each option of a command written once, in a table, with its kind, range,
 * default and help text. The parser builds getopt_long's table from one or more tables (each
 * with its own struct to fill, so that run and replay share the options they have in common),
 * checks every value strictly and says what is wrong in one line (usage_error()); --help is
 * generated from the same tables.
 */
#ifndef SW_PARAMS_H
#define SW_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "points.h"

struct option;

enum param_kind {
	PARAM_FLAG, /* bool, set true; takes no value */
	PARAM_STRING, /* const char *, the argument as given */
	PARAM_UINT, /* unsigned int in [min, max] */
	PARAM_U64, /* uint64_t in [min, max] */
	PARAM_DOUBLE, /* double in [dmin, dmax] */
	PARAM_CHOICE, /* int: the index of the argument in choices */
	PARAM_FUNC, /* fn(field, arg, cmd); arg is NULL (no value taken) when metavar is */
};

/*
 * 0; a negative errno, for the parser to say "--NAME takes TAKES, not 'ARG'"; or SW_EXIT_USAGE
 * when the function said what is wrong itself.
 */
typedef int (*param_fn)(void *field, const char *arg, const char *cmd);

struct param {
	const char *name; /* the long name; NULL with help set: a heading in --help */
	char letter; /* the short option, or 0 */
	enum param_kind kind;
	size_t off; /* of the field in the struct the table fills */
	const char *metavar; /* the value's name in --help: "DIR", "N" */
	const char *help; /* '\n' starts a continuation line */
	const char *def; /* shown as "(default DEF)" after the help; NULL: nothing shown */
	uint64_t min, max; /* PARAM_UINT, PARAM_U64 */
	double dmin, dmax; /* PARAM_DOUBLE */
	const char *const *choices; /* PARAM_CHOICE: NULL-terminated */
	param_fn fn; /* PARAM_FUNC */
	const char *unit; /* after a generated range: "seconds" in "takes 1 to 60 seconds" */
	const char *takes; /* what the value must be, when a range or choices do not say it */
	const char *bad; /* the whole message but the value, when "takes ..." does not fit */
	bool nonempty; /* PARAM_STRING: an empty value is refused ("--NAME needs TAKES") */
};

#define PARAM_END                          \
	{                                  \
		.name = NULL, .help = NULL \
	}

/* One table and the struct its offsets point into. */
struct param_set {
	const struct param *params; /* ended by PARAM_END */
	void *base;
};

struct param_cmd {
	const char *name; /* "graph": for messages */
	const char *usage; /* "Usage: ..." lines, each ending in '\n' */
	const char *desc; /* the paragraphs after it, each line ending in '\n' */
	void (*more)(FILE *f); /* printed after the options, before the examples (or NULL) */
	const char *examples; /* lines after "Examples:", or NULL */
	bool args; /* takes arguments after the options; else one is an error */
};

/*
 * Parses argv with the tables of sets (ended by a set with NULL params); -h and --help are
 * added. 0 (optind is then the first argument), SW_EXIT_USAGE after one line on stderr, or
 * SW_HELP_SHOWN after printing the help to stdout.
 */
int params_parse(const struct param_cmd *cmd, const struct param_set *sets, int argc, char **argv);
void params_help(const struct param_cmd *cmd, const struct param_set *sets, FILE *f);

/* getopt_long's view of some tables, for what reads a command line first (config.h). */
struct params_getopt {
	struct option *opts; /* ended by a zeroed entry */
	char *optstring;
	size_t n;
};

int params_getopt_make(const struct param_set *sets, struct params_getopt *g);
void params_getopt_free(struct params_getopt *g);
/* The val params_getopt_make() gives the long option NAME, or -1. */
int params_getopt_val(const struct params_getopt *g, const char *name);

/* Common functions for PARAM_FUNC: */
int param_verbose(void *field, const char *arg, const char *cmd); /* -v: debug messages */
/* --config FILE: read before the parser runs (config_args_params()), nothing to do then. */
int param_config_file(void *field, const char *arg, const char *cmd);
/* --point NAME into a const char * (field), refused unless point_name_ok(). */
int param_point(void *field, const char *arg, const char *cmd);
/* A repeatable --point: checked as param_point() does, added to names[*n] if fewer than max. */
int param_point_add(char (*names)[SW_POINT_LEN], size_t *n, size_t max, const char *arg,
		    const char *cmd);
/*
 * --tz ZONE into the const char * field, made the process's zone (use_time_zone()): checked as
 * it is read, so that a zone from the configuration file names its line.
 */
int param_time_zone(void *field, const char *arg, const char *cmd);

#endif
