// SPDX-License-Identifier: GPL-2.0-only
/* scanwatch: counts the unsolicited traffic that reaches a host, per port, source and country. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "log.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *what;
} commands[] = {
	{ "run", cmd_run, "attach to interfaces and store counts every interval" },
	{ "replay", cmd_replay, "count captures through the same program, offline" },
	{ "summary", cmd_summary, "exact figures per key, kind and area for a day or month" },
	{ "status", cmd_status, "what is attached where, in which mode" },
	{ "top", cmd_top, "live view of the interval being counted, from the pinned maps" },
	{ "detach", cmd_detach, "detach a point and remove its pins" },
	{ "graph", cmd_graph, "draw the charts (PNG, SVG) from the RRD files" },
	{ "report", cmd_report, "the monthly report (Markdown and HTML, with its charts)" },
	{ "alerts", cmd_alerts, "surges, trends and Holt-Winters failures of the store" },
	{ "db-init", cmd_db_init, "make the central database's schema (PostgreSQL)" },
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: scanwatch COMMAND [OPTIONS]   ('scanwatch COMMAND --help' for each)\n\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].what);
}

int main(int argc, char **argv)
{
	/* Bad options get one line, ours (option_error), not getopt's and then ours. */
	opterr = 0;
	if (argc < 2) {
		usage(stderr);
		return SW_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("scanwatch " SW_VERSION "\n");
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		int rc;

		if (strcmp(argv[1], commands[i].name))
			continue;
		rc = commands[i].fn(argc - 1, argv + 1);
		/* An error line means the command did not do all it was asked: never a success. */
		return !rc && sw_log_errors() ? SW_EXIT_FAIL : rc;
	}
	fprintf(stderr, "scanwatch: unknown command '%s' (see 'scanwatch --help')\n", argv[1]);
	return SW_EXIT_USAGE;
}
