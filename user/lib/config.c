// SPDX-License-Identifier: GPL-2.0-only
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "grow.h"
#include "log.h"
#include "params.h"
#include "paths.h"

#define CONFIG_MAX_LINE 4096 /* characters, the newline included */
#define CONFIG_MAX_LINES 10000

/* The vector config_origin() looks values up in: getopt's optarg is process-wide too. */
static const struct config_args *current;

static bool in_list(const char *const *list, const char *name)
{
	for (; list && *list; list++)
		if (!strcmp(*list, name))
			return true;
	return false;
}

static const struct option *find_name(const struct option *opts, const char *name)
{
	for (; opts->name; opts++)
		if (!strcmp(opts->name, name))
			return opts;
	return NULL;
}

static const char *name_of_val(const struct option *opts, int val)
{
	for (; opts->name; opts++)
		if (opts->val == val)
			return opts->name;
	return NULL;
}

static int bad_line(const struct config_spec *spec, const char *path, unsigned int line,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int bad_line(const struct config_spec *spec, const char *path, unsigned int line,
		    const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%sscanwatch %s: %s:%u: ", sw_log_priority(SW_LOG_ERR), spec->cmd, path,
		line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return SW_EXIT_USAGE;
}

/* What the command line says, read from a copy so that getopt's permutation leaves it alone. */
struct cmdline {
	const char *config;
	bool help;
	const char **names; /* long names of the options it gives */
	size_t nnames;
	int dashdash; /* index of a "--" ending the options, or argc */
};

static int read_cmdline(struct cmdline *cl, const struct config_spec *spec, int argc, char **argv)
{
	char **copy = calloc((size_t)argc + 1, sizeof(*copy));
	int opt;

	memset(cl, 0, sizeof(*cl));
	cl->names = calloc((size_t)argc + 1, sizeof(*cl->names));
	if (!copy || !cl->names) {
		free(copy);
		free(cl->names);
		return -ENOMEM;
	}
	memcpy(copy, argv, (size_t)argc * sizeof(*copy));
	cl->dashdash = argc;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			cl->dashdash = i;
			break;
		}
	optind = 0;
	while ((opt = getopt_long(argc, copy, spec->optstring, spec->cmd_opts, NULL)) != -1) {
		const char *name = name_of_val(spec->cmd_opts, opt);

		if (opt == spec->config_val)
			cl->config = optarg;
		else if (opt == spec->help_val)
			cl->help = true;
		if (name)
			cl->names[cl->nnames++] = name;
	}
	optind = 0;
	free(copy);
	return 0;
}

static bool cmdline_has(const struct cmdline *cl, const char *name)
{
	for (size_t i = 0; i < cl->nnames; i++)
		if (!strcmp(cl->names[i], name))
			return true;
	return false;
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* 1 yes, 0 no, -1 neither. */
static int parse_bool(const char *v)
{
	static const char *const yes[] = { "yes", "true", "on", "1", NULL };
	static const char *const no[] = { "no", "false", "off", "0", NULL };

	return in_list(yes, v) ? 1 : in_list(no, v) ? 0 : -1;
}

static int add_made(struct config_args *ca, const char *name, const char *value, unsigned int line)
{
	size_t len = strlen(name) + (value ? strlen(value) + 1 : 0) + 3;
	char *s = malloc(len);

	/* A file has a few dozen lines: each array grows by the one it gets. */
	if (!s || SW_RESIZE(ca->made, ca->nmade + 1) || SW_RESIZE(ca->lines, ca->nmade + 1)) {
		free(s);
		return -ENOMEM;
	}
	snprintf(s, len, "--%s%s%s", name, value ? "=" : "", value ? value : "");
	ca->made[ca->nmade] = s;
	ca->lines[ca->nmade++] = line;
	return 0;
}

/* One line, in place; its option, if the command takes it, appended to ca->made. */
static int read_line(struct config_args *ca, const struct config_spec *spec,
		     const struct cmdline *cl, char *text, unsigned int line, unsigned int *first)
{
	char *eq = strchr(text, '='), *name, *value = NULL;
	const struct option *o;
	int yes = 1;

	text = trim(text);
	if (!*text || *text == '#')
		return 0;
	if (eq) {
		*eq = '\0';
		value = trim(eq + 1);
	}
	name = trim(text);
	if (!*name)
		return bad_line(spec, ca->path, line, "no option name before '='");
	o = find_name(spec->file_opts, name);
	if (!o || !strcmp(name, "config") || !strcmp(name, "help"))
		return bad_line(spec, ca->path, line, "%s option '%s'",
				o ? "a configuration file cannot set the" : "unknown", name);
	if (o->has_arg == no_argument) {
		if (value && (yes = parse_bool(value)) < 0)
			return bad_line(spec, ca->path, line, "'%s' is yes or no, not '%s'", name,
					value);
		value = NULL;
	} else if (!value || !*value) {
		return bad_line(spec, ca->path, line, "'%s' needs a value: %s = VALUE", name, name);
	}
	/* A second value of a single-valued option would silently replace the first. */
	if (!in_list(spec->repeatable, name)) {
		size_t i = (size_t)(o - spec->file_opts);

		if (first[i])
			return bad_line(spec, ca->path, line,
					"'%s' is given twice (also on line %u)", name, first[i]);
		first[i] = line;
	}
	if (!yes || (spec->take && !in_list(spec->take, name)) ||
	    (in_list(spec->repeatable, name) && cmdline_has(cl, name)))
		return 0;
	if (add_made(ca, name, value, line)) {
		fprintf(stderr, "scanwatch %s: out of memory\n", spec->cmd);
		return SW_EXIT_FAIL;
	}
	return 0;
}

static int read_file(struct config_args *ca, const struct config_spec *spec,
		     const struct cmdline *cl, FILE *f)
{
	unsigned int line = 0, *first;
	size_t nopts = 0, cap = 0;
	char *buf = NULL;
	ssize_t len;
	int err = 0;

	while (spec->file_opts[nopts].name)
		nopts++;
	first = calloc(nopts + 1, sizeof(*first));
	if (!first)
		return SW_EXIT_FAIL;
	errno = 0;
	while (!err && (len = getline(&buf, &cap, f)) >= 0) {
		line++;
		if (line > CONFIG_MAX_LINES)
			err = bad_line(spec, ca->path, line, "more than %d lines",
				       CONFIG_MAX_LINES);
		else if (len > CONFIG_MAX_LINE)
			err = bad_line(spec, ca->path, line, "longer than %d characters",
				       CONFIG_MAX_LINE);
		else if (memchr(buf, '\0', (size_t)len))
			err = bad_line(spec, ca->path, line, "a NUL byte: not a text file");
		else
			err = read_line(ca, spec, cl, buf, line, first);
	}
	if (!err && ferror(f)) {
		fprintf(stderr, "%sscanwatch %s: cannot read %s: %s\n", sw_log_priority(SW_LOG_ERR),
			spec->cmd, ca->path, strerror(errno));
		err = SW_EXIT_USAGE;
	}
	free(buf);
	free(first);
	return err;
}

/* argv[0], the file's options, the command line's, and --config again (config_origin()). */
static int make_argv(struct config_args *ca, const struct cmdline *cl, int argc, char **argv)
{
	size_t len = strlen(ca->path) + sizeof("--config=");
	int n = 0;

	ca->sentinel = malloc(len);
	ca->argv = calloc((size_t)argc + ca->nmade + 2, sizeof(*ca->argv));
	if (!ca->argv || !ca->sentinel)
		return -ENOMEM;
	snprintf(ca->sentinel, len, "--config=%s", ca->path);
	ca->own_argv = true;
	ca->argv[n++] = argv[0];
	for (size_t i = 0; i < ca->nmade; i++)
		ca->argv[n++] = ca->made[i];
	for (int i = 1; i < argc; i++) {
		/*
		 * The last option parsed comes from the command line, so that optarg no longer
		 * points into the file's values when the parser checks what it was given.
		 */
		if (i == cl->dashdash)
			ca->argv[n++] = ca->sentinel;
		ca->argv[n++] = argv[i];
	}
	if (cl->dashdash == argc)
		ca->argv[n++] = ca->sentinel;
	ca->argv[n] = NULL;
	ca->argc = n;
	return 0;
}

int config_args(struct config_args *ca, const struct config_spec *spec, int argc, char **argv)
{
	const char *path;
	struct cmdline cl;
	FILE *f;
	int err;

	memset(ca, 0, sizeof(*ca));
	ca->argc = argc;
	ca->argv = argv;
	if (read_cmdline(&cl, spec, argc, argv))
		return SW_EXIT_FAIL;
	err = 0;
	if (cl.help)
		goto out;
	path = cl.config ? cl.config : SW_CONFIG_DEFAULT;
	if (snprintf(ca->path, sizeof(ca->path), "%s", path) >= (int)sizeof(ca->path)) {
		err = usage_error(spec->cmd, "--config: the path is too long");
		goto out;
	}
	f = fopen(path, "re");
	if (!f) {
		/* An absent default is no configuration; an absent file that was named is an error. */
		if (!cl.config && errno == ENOENT) {
			ca->path[0] = '\0';
			goto out;
		}
		fprintf(stderr, "%sscanwatch %s: cannot read the configuration file %s: %s\n",
			sw_log_priority(SW_LOG_ERR), spec->cmd, path, strerror(errno));
		err = SW_EXIT_USAGE;
		goto out;
	}
	err = read_file(ca, spec, &cl, f);
	fclose(f);
	if (!err && make_argv(ca, &cl, argc, argv))
		err = SW_EXIT_FAIL;
	if (!err)
		current = ca;
out:
	free(cl.names);
	if (err) {
		config_args_free(ca);
		ca->argc = argc;
		ca->argv = argv;
	}
	return err;
}

int config_args_params(struct config_args *ca, struct config_spec *spec,
		       const struct param_set *sets, int argc, char **argv)
{
	struct params_getopt g;
	int err;

	if (params_getopt_make(sets, &g)) {
		memset(ca, 0, sizeof(*ca));
		ca->argc = argc;
		ca->argv = argv;
		fprintf(stderr, "scanwatch %s: out of memory\n", spec->cmd);
		return SW_EXIT_FAIL;
	}
	spec->cmd_opts = g.opts;
	spec->optstring = g.optstring;
	spec->config_val = params_getopt_val(&g, "config");
	spec->help_val = params_getopt_val(&g, "help");
	err = config_args(ca, spec, argc, argv);
	spec->cmd_opts = NULL;
	spec->optstring = NULL;
	params_getopt_free(&g);
	return err;
}

void config_args_free(struct config_args *ca)
{
	if (current == ca)
		current = NULL;
	for (size_t i = 0; i < ca->nmade; i++)
		free(ca->made[i]);
	free(ca->made);
	free(ca->lines);
	free(ca->sentinel);
	if (ca->own_argv)
		free(ca->argv);
	memset(ca, 0, sizeof(*ca));
}

const char *config_origin(const char *arg, char *buf, size_t len)
{
	if (!current || !arg)
		return NULL;
	for (size_t i = 0; i < current->nmade; i++) {
		const char *s = current->made[i];

		if (arg >= s && arg <= s + strlen(s)) {
			snprintf(buf, len, "%s:%u", current->path, current->lines[i]);
			return buf;
		}
	}
	return NULL;
}
