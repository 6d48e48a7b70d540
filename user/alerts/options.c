// SPDX-License-Identifier: GPL-2.0-only
/*
 * The alert options the commands share (--alert-command, thresholds), parsed strictly.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "alerts.h"
#include "cli.h"
#include "internal.h"
#include "parse_num.h"

static int parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (!*s || *end || errno || !(v >= min && v <= max))
		return -EINVAL;
	*out = v;
	return 0;
}

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

int alert_cli_option(struct alert_engine *e, int opt, const char *arg, const char *cmd)
{
	uint64_t v;

	switch (opt) {
	case ALERT_OPT_COMMAND:
		alert_argv_free(e->argv);
		e->argv = NULL;
		if (split_command(arg, &e->argv))
			return usage_error(cmd, "--alert-command needs a command");
		return 0;
	case ALERT_OPT_TIMEOUT:
		if (parse_uint(arg, 1, 3600, &e->timeout_s))
			return usage_error(cmd, "--alert-timeout takes 1 to 3600 seconds");
		return 0;
	case ALERT_OPT_SURGE_PCT:
		if (parse_double(arg, 0.1, 1e6, &e->cfg.surge_pct))
			return usage_error(cmd, "--surge-pct takes a percentage above 0, not '%s'",
					   arg);
		return 0;
	case ALERT_OPT_SURGE_MIN:
		if (parse_u64(arg, 1, UINT32_MAX, &v))
			return usage_error(cmd, "--surge-min takes a positive count");
		e->cfg.surge_min = v;
		return 0;
	case ALERT_OPT_TREND_SCORE:
		if (parse_double(arg, 1.01, 1e6, &e->cfg.trend_score))
			return usage_error(cmd, "--trend-score takes a number above 1, not '%s'",
					   arg);
		return 0;
	case ALERT_OPT_TREND_MIN:
		if (parse_u64(arg, 1, UINT32_MAX, &v))
			return usage_error(cmd, "--trend-min takes a positive count");
		e->cfg.trend_min = v;
		return 0;
	case ALERT_OPT_TREND_DAYS:
		if (parse_u64(arg, 1, ALERT_TREND_WINDOW, &v))
			return usage_error(cmd, "--trend-days takes 1 to %d days",
					   ALERT_TREND_WINDOW);
		e->cfg.trend_days = (unsigned int)v;
		return 0;
	case ALERT_OPT_TREND_MIN_SOURCES:
		if (parse_u64(arg, 1, UINT32_MAX, &v))
			return usage_error(cmd, "--trend-min-sources takes a positive count");
		e->cfg.trend_min_sources = v;
		return 0;
	}
	return usage_error(cmd, "unknown alert option");
}
