/* SPDX-License-Identifier: GPL-2.0-only */
/* Subcommands and the option helpers they share. */
#ifndef SW_CLI_H
#define SW_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "scanwatch.h"

/* Exit codes: 0 success, 1 runtime failure, 2 bad usage or input. */
#define SW_EXIT_FAIL 1
#define SW_EXIT_USAGE 2
/*
 * An option parser printed --help: the command ends there, successfully. Parsers return it
 * rather than exit, so that tests/fuzz can run them again and again.
 */
#define SW_HELP_SHOWN (-1)

int cmd_run(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_summary(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_detach(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_alerts(int argc, char **argv);
int cmd_db_init(int argc, char **argv);

/* A growable list of --watch prefixes. */
struct prefix_list {
	struct sw_prefix *v;
	size_t n, cap;
};

int prefix_list_add(struct prefix_list *l, const char *str);
void prefix_list_free(struct prefix_list *l);
/* Validates a zone name against the system's database and makes it the process's TZ. */
int use_time_zone(const char *tz);
struct option;
/* run's options: the names a configuration file may hold (config.h). */
const struct option *run_option_table(void);
/* Names the option getopt_long stopped at ('?') in one line; returns SW_EXIT_USAGE. */
int option_error(const char *cmd, const struct option *opts, char **argv);
/*
 * Reports a bad option value in one line; returns SW_EXIT_USAGE. A value from the configuration
 * file (config.h) is reported as FILE:LINE.
 */
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
