/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What run lends the commands that read its configuration file (status, detach, top): its
 * options taken from the file ahead of their own command lines, and the two options they share.
 */
#ifndef SW_RUN_H
#define SW_RUN_H

#include "config.h"
#include "params.h"
#include "paths.h"
#include "sensor.h"

/* --pin-root DIR into the const char * at off. */
#define RUN_PIN_ROOT_PARAM(off)                                                           \
	{                                                                                 \
		"pin-root", 0, PARAM_STRING, (off), "DIR", "where pins live", SW_PIN_ROOT \
	}
/* --config FILE of a command that takes what (a list of option names) from run's file. */
#define RUN_CONFIG_PARAM(what)                                                           \
	{                                                                                \
		"config", 0, PARAM_FUNC, 0, "FILE",                                      \
			what " of run's configuration file\n(default " SW_CONFIG_DEFAULT \
			     " if it exists)",                                           \
			.fn = param_config_file                                          \
	}

/*
 * The options take names of run's configuration file (--config FILE, else SW_CONFIG_DEFAULT
 * when it exists), placed before argv in ca->argv for the command's parser (sets are its
 * tables): 0, or an exit code after one line on stderr. ca holds what the options point into:
 * the caller frees it with config_args_free() on every path.
 */
int run_config_read(struct config_args *ca, const char *cmd, const char *const *take,
		    const struct param_set *sets, int argc, char **argv);

#endif
