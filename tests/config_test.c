// SPDX-License-Identifier: GPL-2.0-only
/*
 * The configuration file (user/lib/config.c) with run's own option table: the vector it makes (the
 * file's options first, the command line's after them, --config last), lists the command line
 * replaces, options another command does not take, and every kind of bad line, each reported as
 * exactly "scanwatch run: FILE:LINE: why".
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"

static char dir[64], path[128], errfile[128];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/sw-config-test-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/scanwatch.conf", dir);
	snprintf(errfile, sizeof(errfile), "%s/stderr", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	unlink(errfile);
	rmdir(dir);
	return 0;
}

static void write_conf(const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
}

static int val_of(const char *name)
{
	for (const struct option *o = run_option_table(); o->name; o++)
		if (!strcmp(o->name, name))
			return o->val;
	fail_msg("run has no --%s", name);
	return 0;
}

static const char *const repeatable[] = { "point", "watch", "count-service", NULL };

static struct config_spec run_spec(const char *const *take)
{
	return (struct config_spec){ .cmd = "run",
				     .file_opts = run_option_table(),
				     .take = take,
				     .repeatable = repeatable,
				     .cmd_opts = run_option_table(),
				     .optstring = "p:d:i:w:m:g:u:vh",
				     .config_val = val_of("config"),
				     .help_val = 'h' };
}

/* config_args on argv (NULL-terminated), with what it printed on stderr in *err. */
static int run_config(struct config_args *ca, const char *const *take, char **argv, char *err,
		      size_t errlen)
{
	struct config_spec spec = run_spec(take);
	int argc = 0, fd, saved, rc;
	ssize_t n;

	while (argv[argc])
		argc++;
	fflush(stderr);
	saved = dup(2);
	fd = open(errfile, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(saved >= 0 && fd >= 0);
	dup2(fd, 2);
	close(fd);
	rc = config_args(ca, &spec, argc, argv);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	fd = open(errfile, O_RDONLY);
	n = read(fd, err, errlen - 1);
	close(fd);
	err[n > 0 ? n : 0] = '\0';
	return rc;
}

static void assert_argv(const struct config_args *ca, const char *const *want)
{
	int i;

	for (i = 0; want[i]; i++) {
		assert_true(i < ca->argc);
		assert_string_equal(ca->argv[i], want[i]);
	}
	assert_int_equal(ca->argc, i);
	assert_null(ca->argv[i]);
}

static void test_vector(void **state)
{
	static const char text[] = "# a comment\n"
				   "\n"
				   "point = tokyo1=eth0\n"
				   "   point=tokyo2=eth1   \n"
				   "  # indented comment\n"
				   "interval = 30\r\n"
				   "drop = yes\n"
				   "host-mode = no\n"
				   "verbose\n"
				   "alert-command = /usr/local/bin/page --quiet  \n"
				   "watch = 192.0.2.0/24\n";
	char config_opt[160], err[512];
	char *argv[] = { "run", "--config", path, "-i", "10", NULL };
	const char *want[] = { "run",
			       "--point=tokyo1=eth0",
			       "--point=tokyo2=eth1",
			       "--interval=30",
			       "--drop",
			       "--verbose",
			       "--alert-command=/usr/local/bin/page --quiet",
			       "--watch=192.0.2.0/24",
			       "--config",
			       path,
			       "-i",
			       "10",
			       config_opt,
			       NULL };
	struct config_args ca;
	char where[256], want_where[200];

	(void)state;
	snprintf(config_opt, sizeof(config_opt), "--config=%s", path);
	write_conf(text, sizeof(text) - 1);
	assert_int_equal(run_config(&ca, NULL, argv, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_string_equal(ca.path, path);
	assert_argv(&ca, want);
	/* A value names its line: "--interval=30" is line 6. */
	snprintf(want_where, sizeof(want_where), "%s:6", path);
	assert_string_equal(config_origin(strchr(ca.argv[3], '=') + 1, where, sizeof(where)),
			    want_where);
	assert_null(config_origin(argv[4], where, sizeof(where)));
	config_args_free(&ca);
	/* Freed: nothing is the file's any more. */
	assert_null(config_origin(want[3], where, sizeof(where)));
}

/* A list given on the command line replaces the file's; a single value is parsed twice, the
 * command line's last. */
static void test_command_line_wins(void **state)
{
	static const char text[] = "point = a=eth0\npoint = b=eth1\nwatch = 192.0.2.0/24\n"
				   "interval = 30\n";
	char config_opt[160], err[512];
	char *argv[] = { "run", "-p", "c=eth2", "--config=", "--interval", "5", NULL };
	const char *want[] = { "run",		"--watch=192.0.2.0/24",
			       "--interval=30", "-p",
			       "c=eth2",	argv[3],
			       "--interval",	"5",
			       config_opt,	NULL };
	char conf_arg[160];
	struct config_args ca;

	(void)state;
	snprintf(conf_arg, sizeof(conf_arg), "--config=%s", path);
	argv[3] = conf_arg;
	want[5] = conf_arg;
	snprintf(config_opt, sizeof(config_opt), "--config=%s", path);
	write_conf(text, sizeof(text) - 1);
	assert_int_equal(run_config(&ca, NULL, argv, err, sizeof(err)), 0);
	assert_argv(&ca, want);
	config_args_free(&ca);
}

/* status takes four of run's options; the others are checked and left out. */
static void test_take(void **state)
{
	static const char *const take[] = { "pin-root", "data-dir", "geoip", "tz", NULL };
	static const char text[] = "point = a=eth0\ndata-dir = /var/lib/sw\ntz = Asia/Tokyo\n"
				   "interval = 30\n";
	char config_opt[160], err[512];
	char *argv[] = { "run", "--config", path, NULL };
	const char *want[] = {
		"run", "--data-dir=/var/lib/sw", "--tz=Asia/Tokyo", "--config", path, config_opt,
		NULL
	};
	struct config_args ca;

	(void)state;
	snprintf(config_opt, sizeof(config_opt), "--config=%s", path);
	write_conf(text, sizeof(text) - 1);
	assert_int_equal(run_config(&ca, take, argv, err, sizeof(err)), 0);
	assert_argv(&ca, want);
	config_args_free(&ca);
	/* An unknown name is an error for every command, not ignored. */
	write_conf("data-dir = /x\nintervall = 3\n", 28);
	assert_int_equal(run_config(&ca, take, argv, err, sizeof(err)), SW_EXIT_USAGE);
	assert_non_null(strstr(err, ":2: unknown option 'intervall'"));
	assert_int_equal(ca.argc, 3);
	assert_ptr_equal(ca.argv, argv);
}

/* Options after "--" are no options: --config goes before it. */
static void test_dashdash(void **state)
{
	char config_opt[160], err[512];
	char *argv[] = { "run", "--config", path, "--", "x", NULL };
	const char *want[] = { "run", "--drop", "--config", path, config_opt, "--", "x", NULL };
	struct config_args ca;

	(void)state;
	snprintf(config_opt, sizeof(config_opt), "--config=%s", path);
	write_conf("drop = 1\n", 9);
	assert_int_equal(run_config(&ca, NULL, argv, err, sizeof(err)), 0);
	assert_argv(&ca, want);
	config_args_free(&ca);
}

static void bad(const char *text, size_t len, const char *why)
{
	char *argv[] = { "run", "--config", path, NULL };
	char err[1024], want[1024];
	struct config_args ca;

	write_conf(text, len);
	assert_int_equal(run_config(&ca, NULL, argv, err, sizeof(err)), SW_EXIT_USAGE);
	snprintf(want, sizeof(want), "scanwatch run: %s:%s\n", path, why);
	assert_string_equal(err, want);
	assert_ptr_equal(ca.argv, argv);
}

static void test_bad_lines(void **state)
{
	char longline[5000];

	(void)state;
	bad("intervall = 5\n", 14, "1: unknown option 'intervall'");
	bad("# c\n = 5\n", 9, "2: no option name before '='");
	bad("interval\n", 9, "1: 'interval' needs a value: interval = VALUE");
	bad("interval =   \n", 14, "1: 'interval' needs a value: interval = VALUE");
	bad("drop = maybe\n", 13, "1: 'drop' is yes or no, not 'maybe'");
	bad("interval = 5\n\ninterval = 6\n", 27, "3: 'interval' is given twice (also on line 1)");
	bad("config = /etc/other\n", 20, "1: a configuration file cannot set the option 'config'");
	bad("help = yes\n", 11, "1: a configuration file cannot set the option 'help'");
	bad("point = a=eth0\ndr\0p = yes\n", 26, "2: a NUL byte: not a text file");
	memset(longline, 'x', sizeof(longline));
	memcpy(longline, "keys = ", 7);
	longline[sizeof(longline) - 1] = '\n';
	bad(longline, sizeof(longline), "1: longer than 4096 characters");
}

/* --help is answered without the file, which may be broken. */
static void test_help(void **state)
{
	char *argv[] = { "run", "--config", path, "--help", NULL };
	struct config_args ca;
	char err[512];

	(void)state;
	write_conf("intervall = 5\n", 14);
	assert_int_equal(run_config(&ca, NULL, argv, err, sizeof(err)), 0);
	assert_ptr_equal(ca.argv, argv);
	assert_int_equal(ca.argc, 4);
	config_args_free(&ca);
}

static void test_missing(void **state)
{
	char *argv[] = { "run", "--config", "/nonexistent/scanwatch.conf", NULL };
	struct config_args ca;
	char err[512];

	(void)state;
	assert_int_equal(run_config(&ca, NULL, argv, err, sizeof(err)), SW_EXIT_USAGE);
	assert_string_equal(err, "scanwatch run: cannot read the configuration file "
				 "/nonexistent/scanwatch.conf: No such file or directory\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vector),	  cmocka_unit_test(test_command_line_wins),
		cmocka_unit_test(test_take),	  cmocka_unit_test(test_dashdash),
		cmocka_unit_test(test_bad_lines), cmocka_unit_test(test_help),
		cmocka_unit_test(test_missing),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
