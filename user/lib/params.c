// SPDX-License-Identifier: GPL-2.0-only
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "log.h"
#include "params.h"
#include "parse_num.h"

/* Long-only options get vals above any character; --help the one after them all. */
#define VAL_LONG 0x10000
#define VAL_HELP 0x20000
#define HELP_WIDTH 86 /* columns of a line of --help, at most (past it: wrapped) */
#define HELP_COL_MAX 29 /* where help text starts, at most; a longer left side wraps */

/* The named entries of the sets, in order: the index is what VAL_LONG + i refers to. */
struct flat {
	const struct param *p;
	void *base;
};

static size_t count_named(const struct param_set *sets)
{
	size_t n = 0;

	for (; sets->params; sets++)
		for (const struct param *p = sets->params; p->name || p->help; p++)
			n += !!p->name;
	return n;
}

static int flatten(const struct param_set *sets, struct flat **out, size_t *n)
{
	struct flat *f = calloc(count_named(sets) + 1, sizeof(*f));
	size_t i = 0;

	if (!f)
		return -ENOMEM;
	for (; sets->params; sets++)
		for (const struct param *p = sets->params; p->name || p->help; p++)
			if (p->name)
				f[i++] = (struct flat){ p, sets->base };
	*out = f;
	*n = i;
	return 0;
}

static bool takes_value(const struct param *p)
{
	return p->kind != PARAM_FLAG && (p->kind != PARAM_FUNC || p->metavar);
}

static bool has_letter(const struct flat *f, size_t n, char c)
{
	for (size_t i = 0; i < n; i++)
		if (f[i].p->letter == c)
			return true;
	return false;
}

static int val_of(const struct flat *f, size_t i)
{
	return f[i].p->letter ? (unsigned char)f[i].p->letter : VAL_LONG + (int)i;
}

int params_getopt_make(const struct param_set *sets, struct params_getopt *g)
{
	struct flat *f;
	size_t n, k = 0;
	char *s;

	memset(g, 0, sizeof(*g));
	if (flatten(sets, &f, &n))
		return -ENOMEM;
	g->opts = calloc(n + 2, sizeof(*g->opts));
	g->optstring = s = malloc(2 * n + 3);
	if (!g->opts || !s) {
		free(f);
		params_getopt_free(g);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		const struct param *p = f[i].p;

		g->opts[i] =
			(struct option){ p->name, takes_value(p) ? required_argument : no_argument,
					 NULL, val_of(f, i) };
		if (p->letter) {
			s[k++] = p->letter;
			if (takes_value(p))
				s[k++] = ':';
		}
	}
	g->opts[n] = (struct option){ "help", no_argument, NULL, VAL_HELP };
	if (!has_letter(f, n, 'h')) {
		g->opts[n].val = 'h';
		s[k++] = 'h';
	}
	s[k] = '\0';
	g->n = n + 1;
	free(f);
	return 0;
}

void params_getopt_free(struct params_getopt *g)
{
	free(g->opts);
	free(g->optstring);
	memset(g, 0, sizeof(*g));
}

int params_getopt_val(const struct params_getopt *g, const char *name)
{
	for (size_t i = 0; i < g->n; i++)
		if (!strcmp(g->opts[i].name, name))
			return g->opts[i].val;
	return -1;
}

int param_verbose(void *field, const char *arg, const char *cmd)
{
	(void)field, (void)arg, (void)cmd;
	sw_log_set_level(SW_LOG_DEBUG);
	return 0;
}

int param_config_file(void *field, const char *arg, const char *cmd)
{
	(void)field, (void)arg, (void)cmd;
	return 0;
}

int param_point(void *field, const char *arg, const char *cmd)
{
	if (!point_name_ok(arg))
		return usage_error(cmd, "bad point name '%s'", arg);
	*(const char **)field = arg;
	return 0;
}

int param_point_add(char (*names)[SW_POINT_LEN], size_t *n, size_t max, const char *arg,
		    const char *cmd)
{
	if (!point_name_ok(arg))
		return usage_error(cmd, "bad point name '%s'", arg);
	if (*n == max)
		return usage_error(cmd, "at most %zu points", max);
	snprintf(names[(*n)++], SW_POINT_LEN, "%s", arg);
	return 0;
}

int param_time_zone(void *field, const char *arg, const char *cmd)
{
	if (use_time_zone(arg))
		return usage_error(cmd, "unknown time zone '%s'", arg);
	*(const char **)field = arg;
	return 0;
}

/* "a, b or c" */
static void join_choices(const char *const *c, char *buf, size_t len)
{
	size_t off = 0, n = 0;

	while (c[n])
		n++;
	buf[0] = '\0';
	for (size_t i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					!i	   ? "" :
					i + 1 == n ? " or " :
						     ", ",
					c[i]);
}

/* What a value must be, as the error and nothing else says it: "1 to 60 seconds". */
static void takes_text(const struct param *p, char *buf, size_t len)
{
	if (p->takes)
		snprintf(buf, len, "%s", p->takes);
	else if (p->kind == PARAM_CHOICE)
		join_choices(p->choices, buf, len);
	else if (p->kind == PARAM_UINT || p->kind == PARAM_U64)
		snprintf(buf, len, "%llu to %llu%s%s", (unsigned long long)p->min,
			 (unsigned long long)p->max, p->unit ? " " : "", p->unit ? p->unit : "");
	else if (p->kind == PARAM_DOUBLE)
		snprintf(buf, len, "%g to %g%s%s", p->dmin, p->dmax, p->unit ? " " : "",
			 p->unit ? p->unit : "");
	else
		snprintf(buf, len, "a value");
}

static int bad_value(const char *cmd, const struct param *p, const char *arg)
{
	char takes[256];

	if (p->bad)
		return usage_error(cmd, "--%s %s, not '%s'", p->name, p->bad, arg);
	takes_text(p, takes, sizeof(takes));
	if (p->kind == PARAM_STRING)
		return usage_error(cmd, "--%s needs %s", p->name, takes);
	return usage_error(cmd, "--%s takes %s, not '%s'", p->name, takes, arg);
}

/* A decimal number, nothing before or after it; NaN and the infinities are out of any range. */
static int parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	if (!*s || isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (*end || errno)
		return -EINVAL;
	if (!(v >= min && v <= max))
		return -ERANGE;
	*out = v;
	return 0;
}

static int set_value(const char *cmd, const struct param *p, void *base, const char *arg)
{
	/* A table of functions alone may have no struct: no field to point into. */
	void *field = base ? (char *)base + p->off : NULL;
	int err = 0;

	switch (p->kind) {
	case PARAM_FLAG:
		*(bool *)field = true;
		return 0;
	case PARAM_STRING:
		if (p->nonempty && !*arg)
			return bad_value(cmd, p, arg);
		*(const char **)field = arg;
		return 0;
	case PARAM_UINT:
		err = parse_uint(arg, (unsigned int)p->min, (unsigned int)p->max, field);
		break;
	case PARAM_U64:
		err = parse_u64(arg, p->min, p->max, field);
		break;
	case PARAM_DOUBLE:
		err = parse_double(arg, p->dmin, p->dmax, field);
		break;
	case PARAM_CHOICE:
		err = -EINVAL;
		for (int i = 0; p->choices[i]; i++)
			if (!strcmp(p->choices[i], arg)) {
				*(int *)field = i;
				err = 0;
			}
		break;
	case PARAM_FUNC:
		err = p->fn(field, arg, cmd);
		if (err == SW_EXIT_USAGE)
			return err;
		break;
	}
	return err ? bad_value(cmd, p, arg ? arg : "") : 0;
}

int params_parse(const struct param_cmd *cmd, const struct param_set *sets, int argc, char **argv)
{
	struct params_getopt g;
	struct flat *f;
	size_t n;
	int opt, err = 0;

	if (params_getopt_make(sets, &g) || flatten(sets, &f, &n)) {
		params_getopt_free(&g);
		sw_err("out of memory");
		return SW_EXIT_FAIL;
	}
	opterr = 0; /* one line per mistake: ours */
	while (!err && (opt = getopt_long(argc, argv, g.optstring, g.opts, NULL)) != -1) {
		size_t i = n;

		if (opt == VAL_HELP || (opt == 'h' && !has_letter(f, n, 'h'))) {
			params_help(cmd, sets, stdout);
			err = SW_HELP_SHOWN;
			break;
		}
		if (opt >= VAL_LONG)
			i = (size_t)(opt - VAL_LONG);
		else if (opt != '?')
			for (i = 0; i < n && f[i].p->letter != opt; i++)
				;
		if (i >= n)
			err = option_error(cmd->name, g.opts, argv);
		else
			err = set_value(cmd->name, f[i].p, f[i].base, optarg);
	}
	if (!err && !cmd->args && optind < argc)
		err = usage_error(cmd->name, "unexpected argument '%s'", argv[optind]);
	free(f);
	params_getopt_free(&g);
	return err;
}

/* "  -d, --data-dir DIR" */
static int left_side(const struct param *p, char *buf, size_t len)
{
	return snprintf(buf, len, "  %c%c%s--%s%s%s", p->letter ? '-' : ' ',
			p->letter ? p->letter : ' ', p->letter ? ", " : "  ", p->name,
			p->metavar ? " " : "", p->metavar ? p->metavar : "");
}

static void print_param(FILE *f, const struct param *p, int col)
{
	const char *h = p->help ? p->help : "";
	char left[128], after[300] = "";
	int w = left_side(p, left, sizeof(left)), end = col;

	/* What the value may be (as an error would say it) and its default, after the help. */
	if (p->kind == PARAM_UINT || p->kind == PARAM_U64 || p->kind == PARAM_DOUBLE ||
	    p->kind == PARAM_CHOICE) {
		char takes[256];

		takes_text(p, takes, sizeof(takes));
		snprintf(after, sizeof(after), "(%s%s%s)", takes, p->def ? "; default " : "",
			 p->def ? p->def : "");
	} else if (p->def) {
		snprintf(after, sizeof(after), "(default %s)", p->def);
	}
	fputs(left, f);
	if (w >= col - 1) {
		fputc('\n', f);
		w = 0;
	}
	for (;;) {
		size_t len = strcspn(h, "\n");

		fprintf(f, "%*s%.*s", col - w, "", (int)len, h);
		end = col + (int)len;
		w = 0;
		if (!h[len])
			break;
		fputc('\n', f);
		h += len + 1;
	}
	if (*after && end + 1 + (int)strlen(after) > HELP_WIDTH)
		fprintf(f, "\n%*s%s", col, "", after);
	else if (*after)
		fprintf(f, " %s", after);
	fputc('\n', f);
}

void params_help(const struct param_cmd *cmd, const struct param_set *sets, FILE *f)
{
	struct param help = { .name = "help", .help = "this text" };
	int col = 0;
	struct flat *fl;
	size_t n;

	if (!flatten(sets, &fl, &n)) {
		help.letter = has_letter(fl, n, 'h') ? 0 : 'h';
		free(fl);
	}

	for (const struct param_set *s = sets; s->params; s++)
		for (const struct param *p = s->params; p->name || p->help; p++) {
			char left[128];
			int w = p->name ? left_side(p, left, sizeof(left)) + 2 : 0;

			if (w <= HELP_COL_MAX && w > col)
				col = w;
		}
	fputs(cmd->usage, f);
	if (cmd->desc)
		fprintf(f, "\n%s", cmd->desc);
	fputc('\n', f);
	for (const struct param_set *s = sets; s->params; s++)
		for (const struct param *p = s->params; p->name || p->help; p++) {
			if (p->name)
				print_param(f, p, col);
			else
				fprintf(f, "\n%s\n", p->help);
		}
	print_param(f, &help, col);
	if (cmd->more)
		cmd->more(f);
	if (cmd->examples)
		fprintf(f, "\nExamples:\n%s", cmd->examples);
}
