// SPDX-License-Identifier: GPL-2.0-only
/*
 * The alert options the commands share (--alert-command, thresholds), parsed strictly.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "alerts.h"
#include "cli.h"
#include "internal.h"
#include "params.h"

void alert_argv_free(char **argv)
{
	for (size_t i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}

static int split_command(const char *cmd, char ***out)
{
	char *copy = strdup(cmd), *save = NULL;
	size_t n = 0;
	char **argv = calloc(strlen(cmd) / 2 + 2, sizeof(*argv));

	if (!copy || !argv) {
		free(copy);
		free(argv);
		return -ENOMEM;
	}
	for (char *t = strtok_r(copy, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		argv[n] = strdup(t);
		if (!argv[n++]) {
			free(copy);
			alert_argv_free(argv);
			return -ENOMEM;
		}
	}
	free(copy);
	if (!n) {
		free(argv);
		return -EINVAL;
	}
	*out = argv;
	return 0;
}

static int set_command(void *field, const char *arg, const char *cmd)
{
	char ***argv = field;

	alert_argv_free(*argv);
	*argv = NULL;
	if (split_command(arg, argv))
		return usage_error(cmd, "--alert-command needs a command");
	return 0;
}

#define CFG(f) offsetof(struct alert_engine, cfg.f)

const struct param alert_cfg_params[] = {
	{ "surge-pct", 0, PARAM_DOUBLE, CFG(surge_pct), "P",
	  "a surge is a key up P % or more a day on the month or week\nbefore", "40", .dmin = 0.1,
	  .dmax = 1e6, .takes = "a percentage above 0" },
	{ "surge-min", 0, PARAM_U64, CFG(surge_min), "N",
	  "...with N accesses or more in the period", "100", .min = 1, .max = UINT32_MAX,
	  .takes = "a positive count" },
	{ "trend-score", 0, PARAM_DOUBLE, CFG(trend_score), "X",
	  "a trend alert when a key's daily score reaches X", "3", .dmin = 1.01, .dmax = 1e6,
	  .takes = "a number above 1" },
	{ "trend-min", 0, PARAM_U64, CFG(trend_min), "N", "...on a day of N accesses or more", "50",
	  .min = 1, .max = UINT32_MAX, .takes = "a positive count" },
	{ "trend-min-sources", 0, PARAM_U64, CFG(trend_min_sources), "N",
	  "...and N sources or more", "10", .min = 1, .max = UINT32_MAX,
	  .takes = "a positive count" },
	{ "trend-days", 0, PARAM_UINT, CFG(trend_days), "N",
	  "no score without N days of data among the 30 before", "7", .min = 1,
	  .max = ALERT_TREND_WINDOW, .unit = "days" },
	PARAM_END,
};

const struct param alert_cli_params[] = {
	{ "alert-command", 0, PARAM_FUNC, offsetof(struct alert_engine, argv), "CMD",
	  "run CMD (split on blanks, no shell) for each alert, its\n"
	  "fields in SW_ALERT_* variables",
	  .fn = set_command },
	{ "alert-timeout", 0, PARAM_UINT, offsetof(struct alert_engine, timeout_s), "S",
	  "kill the command after S seconds", "30", .min = 1, .max = 3600, .unit = "seconds" },
	PARAM_END,
};
