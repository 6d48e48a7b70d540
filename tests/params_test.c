// SPDX-License-Identifier: GPL-2.0-only
/*
 * The option tables (user/lib/params.c): every kind of value in and out of its range, numbers
 * with trailing junk, past 2^64 or negative, choices, missing values, unknown options, a value
 * given to a flag, two tables filling two structs, and a --help that lists every option. Each
 * refusal is exactly one line on stderr, as usage_error() writes it, and exit code 2.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "params.h"

struct shared_opts {
	unsigned int interval_s;
	const char *data_dir;
};

struct test_opts {
	bool drop;
	const char *name, *addr;
	unsigned int count;
	uint64_t bytes;
	double pct;
	int mode;
	unsigned int npoints;
};

static int add_point(void *field, const char *arg, const char *cmd)
{
	struct test_opts *o = field;

	if (!strcmp(arg, "bad"))
		return usage_error(cmd, "bad point name '%s'", arg);
	if (!strcmp(arg, "odd"))
		return -EINVAL;
	o->npoints++;
	return 0;
}

static const char *const modes[] = { "auto", "native", "generic", NULL };

static const struct param shared_params[] = {
	{ "interval", 'i', PARAM_UINT, offsetof(struct shared_opts, interval_s), "S",
	  "seconds an interval lasts", "60", .min = 1, .max = 3600, .unit = "seconds" },
	{ "data-dir", 'd', PARAM_STRING, offsetof(struct shared_opts, data_dir), "DIR",
	  "where the files go" },
	PARAM_END,
};

static const struct param test_params[] = {
	{ .help = "Counting:" },
	{ "drop", 0, PARAM_FLAG, offsetof(struct test_opts, drop), NULL, "drop what is counted" },
	{ "name", 'n', PARAM_STRING, offsetof(struct test_opts, name), "NAME", "a name" },
	{ "addr", 0, PARAM_STRING, offsetof(struct test_opts, addr), "ADDR", "an address",
	  .takes = "an address", .nonempty = true },
	{ "count", 'c', PARAM_UINT, offsetof(struct test_opts, count), "N",
	  "how many\nand a second line", "5", .min = 1, .max = 65536, .unit = "keys" },
	{ "bytes", 0, PARAM_U64, offsetof(struct test_opts, bytes), "B", "how much", .min = 0,
	  .max = UINT64_MAX },
	{ "pct", 0, PARAM_DOUBLE, offsetof(struct test_opts, pct), "P", "a share", .dmin = 0.1,
	  .dmax = 100, .takes = "a percentage above 0" },
	{ "mode", 'm', PARAM_CHOICE, offsetof(struct test_opts, mode), "MODE", "the mode", "auto",
	  .choices = modes, .bad = "is auto, native or generic" },
	{ "point", 'p', PARAM_FUNC, 0, "NAME", "a point (repeatable)", .fn = add_point,
	  .takes = "a good name" },
	PARAM_END,
};

/* The end of parse()'s words: a pointer, as a variadic function must get it. */
#define END ((const char *)NULL)

static const struct param_cmd test_cmd = {
	.name = "test",
	.usage = "Usage: scanwatch test [options]\n",
	.desc = "A command for the tests.\n",
	.examples = "  scanwatch test --count 3\n",
};

static struct shared_opts so;
static struct test_opts to;
static char errbuf[4096];
static int nlines;

/* Parses the NULL-terminated words after "test"; the return value, stderr in errbuf. */
static int parse(const char *first, ...)
{
	const struct param_set sets[] = { { shared_params, &so }, { test_params, &to }, {} };
	char *argv[32] = { "test" };
	char path[] = "/tmp/sw-params-test-XXXXXX";
	int argc = 1, fd = mkstemp(path), saved = dup(2), err;
	const char *w = first;
	va_list ap;
	ssize_t n;

	assert_true(fd >= 0 && saved >= 0);
	va_start(ap, first);
	for (; w; w = va_arg(ap, const char *))
		argv[argc++] = (char *)w;
	va_end(ap);
	argv[argc] = NULL;
	memset(&so, 0, sizeof(so));
	memset(&to, 0, sizeof(to));
	so.interval_s = 60;
	optind = 0;
	fflush(stderr);
	dup2(fd, 2);
	err = params_parse(&test_cmd, sets, argc, argv);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = pread(fd, errbuf, sizeof(errbuf) - 1, 0);
	errbuf[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);
	nlines = 0;
	for (char *p = errbuf; *p; p++)
		nlines += *p == '\n';
	return err;
}

/* A refusal: exit code 2, one line, the message given. */
#define REFUSED(msg, ...)                                                                       \
	do {                                                                                    \
		assert_int_equal(parse(__VA_ARGS__, END), SW_EXIT_USAGE);                       \
		assert_int_equal(nlines, 1);                                                    \
		assert_string_equal(errbuf,                                                     \
				    "scanwatch test: " msg " (see 'scanwatch test --help')\n"); \
	} while (0)

static void test_values(void **state)
{
	(void)state;
	assert_int_equal(parse("--interval", "1", "-d", "/x", "--drop", "-n", "a", "--count=65536",
			       "--bytes", "18446744073709551615", "--pct", "0.5", "-m", "generic",
			       "-p", "a", "-p", "b", END),
			 0);
	assert_int_equal(nlines, 0);
	assert_int_equal(so.interval_s, 1);
	assert_string_equal(so.data_dir, "/x");
	assert_true(to.drop);
	assert_string_equal(to.name, "a");
	assert_int_equal(to.count, 65536);
	assert_true(to.bytes == UINT64_MAX);
	assert_true(to.pct == 0.5);
	assert_int_equal(to.mode, 2);
	assert_int_equal(to.npoints, 2);
	/* What is not given keeps the value the caller set. */
	assert_int_equal(parse(END), 0);
	assert_int_equal(so.interval_s, 60);
	assert_null(so.data_dir);
}

static void test_ranges(void **state)
{
	(void)state;
	REFUSED("--interval takes 1 to 3600 seconds, not '0'", "--interval", "0");
	REFUSED("--interval takes 1 to 3600 seconds, not '3601'", "--interval", "3601");
	assert_int_equal(parse("--interval", "3600", END), 0);
	REFUSED("--count takes 1 to 65536 keys, not '65537'", "-c", "65537");
	REFUSED("--pct takes a percentage above 0, not '0'", "--pct", "0");
	REFUSED("--pct takes a percentage above 0, not '101'", "--pct", "101");
}

static void test_bad_numbers(void **state)
{
	(void)state;
	REFUSED("--interval takes 1 to 3600 seconds, not '5x'", "--interval", "5x");
	REFUSED("--interval takes 1 to 3600 seconds, not '1.5'", "--interval", "1.5");
	REFUSED("--interval takes 1 to 3600 seconds, not '-1'", "--interval", "-1");
	REFUSED("--interval takes 1 to 3600 seconds, not ' 5'", "--interval", " 5");
	REFUSED("--interval takes 1 to 3600 seconds, not '+5'", "--interval", "+5");
	REFUSED("--interval takes 1 to 3600 seconds, not ''", "--interval=");
	REFUSED("--interval takes 1 to 3600 seconds, not 'abc'", "--interval", "abc");
	/* Past unsigned int, and past 2^64. */
	REFUSED("--interval takes 1 to 3600 seconds, not '4294967297'", "--interval", "4294967297");
	REFUSED("--bytes takes 0 to 18446744073709551615, not '18446744073709551616'", "--bytes",
		"18446744073709551616");
	REFUSED("--bytes takes 0 to 18446744073709551615, not '-0'", "--bytes", "-0");
	REFUSED("--pct takes a percentage above 0, not 'nan'", "--pct", "nan");
	REFUSED("--pct takes a percentage above 0, not 'inf'", "--pct", "inf");
	REFUSED("--pct takes a percentage above 0, not '5%'", "--pct", "5%");
	REFUSED("--pct takes a percentage above 0, not ' 5'", "--pct", " 5");
}

static void test_choices_and_functions(void **state)
{
	(void)state;
	assert_int_equal(parse("--mode", "native", END), 0);
	assert_int_equal(to.mode, 1);
	REFUSED("--mode is auto, native or generic, not 'turbo'", "--mode", "turbo");
	REFUSED("--mode is auto, native or generic, not 'Native'", "-m", "Native");
	/* A function that says why itself, and one that leaves it to the table. */
	REFUSED("bad point name 'bad'", "-p", "bad");
	REFUSED("--point takes a good name, not 'odd'", "--point", "odd");
	REFUSED("--addr needs an address", "--addr", "");
}

static void test_usage_mistakes(void **state)
{
	(void)state;
	REFUSED("unknown option '--bogus'", "--bogus");
	REFUSED("unknown option '-z'", "-z");
	REFUSED("option '--interval' needs a value", "--interval");
	REFUSED("option '-c' needs a value", "-c");
	REFUSED("option '--drop=1' takes no value", "--drop=1");
	REFUSED("unexpected argument 'extra'", "-n", "a", "extra");
	/* The first mistake is the one reported. */
	REFUSED("--count takes 1 to 65536 keys, not '0'", "--count", "0", "--bogus");
}

static void test_help(void **state)
{
	const struct param_set sets[] = { { shared_params, &so }, { test_params, &to }, {} };
	const struct param *tables[] = { shared_params, test_params };
	char *buf = NULL, *line;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(f);
	params_help(&test_cmd, sets, f);
	fclose(f);
	assert_true(!strncmp(buf, "Usage: scanwatch test [options]\n\nA command for the tests.\n\n",
			     strlen("Usage: scanwatch test [options]\n\nA command")));
	/* Every option of both tables on a line of its own, and --help. */
	for (size_t t = 0; t < 2; t++)
		for (const struct param *p = tables[t]; p->name || p->help; p++) {
			char want[64];

			if (!p->name)
				continue;
			snprintf(want, sizeof(want), "--%s%s%s", p->name, p->metavar ? " " : "",
				 p->metavar ? p->metavar : "");
			assert_non_null(strstr(buf, want));
		}
	assert_non_null(strstr(buf, "  -h, --help "));
	assert_non_null(strstr(buf, "\nCounting:\n"));
	/*
	 * Ranges, choices and defaults as the errors say them; help two columns after the longest
	 * option (--data-dir DIR), continuation lines with it.
	 */
	assert_non_null(strstr(buf, "  -i, --interval S    seconds an interval lasts (1 to 3600 "
				    "seconds; default 60)\n"));
	assert_non_null(strstr(buf, "the mode (auto, native or generic; default auto)\n"));
	line = strstr(buf, "how many\n");
	assert_non_null(line);
	assert_non_null(strstr(line, "\n                      and a second line (1 to 65536 keys; "
				     "default 5)\n"));
	assert_non_null(strstr(buf, "\nExamples:\n  scanwatch test --count 3\n"));
	/* --help is a result of its own, not an error. */
	assert_int_equal(parse("--count", "3", "--help", END), SW_HELP_SHOWN);
	assert_int_equal(nlines, 0);
	free(buf);
}

static void test_getopt(void **state)
{
	const struct param_set sets[] = { { shared_params, &so }, { test_params, &to }, {} };
	struct params_getopt g;

	(void)state;
	assert_int_equal(params_getopt_make(sets, &g), 0);
	assert_string_equal(g.optstring, "i:d:n:c:m:p:h");
	assert_int_equal(params_getopt_val(&g, "interval"), 'i');
	assert_int_equal(params_getopt_val(&g, "help"), 'h');
	assert_true(params_getopt_val(&g, "drop") > 255);
	assert_int_equal(params_getopt_val(&g, "nosuch"), -1);
	assert_int_equal(g.opts[2].has_arg, no_argument); /* drop */
	assert_int_equal(g.opts[3].has_arg, required_argument); /* name */
	assert_null(g.opts[g.n].name);
	params_getopt_free(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),	       cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_bad_numbers),    cmocka_unit_test(test_choices_and_functions),
		cmocka_unit_test(test_usage_mistakes), cmocka_unit_test(test_help),
		cmocka_unit_test(test_getopt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
