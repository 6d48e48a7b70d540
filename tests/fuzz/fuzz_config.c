// SPDX-License-Identifier: GPL-2.0-only
/*
 * The configuration file (`run --config FILE`, user/lib/config.c). Input: the file's bytes, read
 * with a command line of its own options given too.
 *
 * The reader accepts the file or reports one bad line; what it accepts is "--NAME" or
 * "--NAME=VALUE" of one of run's options, never --config or --help, each naming its line; the
 * command line's repeatable options replace the file's. Then run's own parser must take the
 * vector as it takes any command line: success, a usage error or help, never more.
 */
#include "run.c"

#include "fuzz.h"
#include "fuzz_cli.h"

static void check_made(const struct config_args *ca, bool cmdline_point)
{
	for (size_t i = 0; i < ca->nmade; i++) {
		const char *s = ca->made[i], *eq = strchr(s, '=');
		size_t len = eq ? (size_t)(eq - s) - 2 : strlen(s) - 2;
		const struct option *o = NULL;
		char where[PATH_MAX + 16];

		FUZZ_CHECK(!strncmp(s, "--", 2), "config made '%s'", s);
		for (const struct option *r = run_option_table(); r->name; r++)
			if (strlen(r->name) == len && !strncmp(r->name, s + 2, len))
				o = r;
		FUZZ_CHECK(o, "config made '%s', no option of run", s);
		FUZZ_CHECK(strcmp(o->name, "config") && strcmp(o->name, "help"), "config made '%s'",
			   s);
		FUZZ_CHECK(!eq == (o->has_arg == no_argument), "config made '%s' for --%s", s,
			   o->name);
		FUZZ_CHECK(!(cmdline_point && !strcmp(o->name, "point")),
			   "the file's --point stayed beside the command line's: '%s'", s);
		FUZZ_CHECK(ca->lines[i] >= 1 &&
				   (!eq || config_origin(eq + 1, where, sizeof(where))),
			   "'%s' names no line", s);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/*
	 * One context for every input: parse_args reads no point beyond npoints, so clearing what
	 * follows the points is a fresh context, at a small part of zeroing the whole (MBs).
	 */
	static struct run_ctx *c;
	char path[4096], *argv[8];
	struct config_args ca;
	bool point = size && data[0] & 1;
	int argc = 0, err;

	if (!c)
		c = calloc(1, sizeof(*c));
	if (!c)
		return 0;
	memset(&c->npoints, 0, sizeof(*c) - offsetof(struct run_ctx, npoints));
	snprintf(path, sizeof(path), "%s/scanwatch.conf", fuzz_dir());
	fuzz_write(path, data, size);
	argv[argc++] = "run";
	argv[argc++] = "--config";
	argv[argc++] = path;
	/* Half the inputs with a point of the command line's, which replaces the file's. */
	if (point) {
		argv[argc++] = "-p";
		argv[argc++] = "cmd=lo";
	}
	argv[argc] = NULL;
	err = run_config_args(c, &ca, argc, argv);
	FUZZ_CHECK(err == 0 || err == SW_EXIT_USAGE, "config_args returned %d", err);
	if (!err) {
		check_made(&ca, point);
		FUZZ_CHECK(ca.argc == argc + (int)ca.nmade + 1 && !ca.argv[ca.argc],
			   "config made %d arguments of %d and %zu", ca.argc, argc, ca.nmade);
		c->cfg.interval_s = 60;
		c->co.tz = "UTC";
		alert_engine_init(&c->alerts);
		optind = 0;
		err = parse_args(c, ca.argc, ca.argv);
		fuzz_check_ret(err, "run");
		if (!err && point)
			FUZZ_CHECK(c->npoints == 1 && !strcmp(c->points[0].name, "cmd"),
				   "the command line's --point did not replace the file's");
		alert_engine_close(&c->alerts);
		prefix_list_free(&c->co.watch);
		prefix_list_free(&c->co.research);
		rrd_cli_free(&c->rrd);
	}
	config_args_free(&ca);
	return 0;
}
