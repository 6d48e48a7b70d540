// SPDX-License-Identifier: GPL-2.0-only
/*
 * The alert engine as the daemon drives it, on data built by hand (no root, no BPF):
 *  - days: daily summaries of 41 days, tcp/445 steady at 24 accesses and sources a day, then 96
 *    from Monday 2009-10-05; ticking day by day raises the trend alert of 10-05 when 10-06
 *    begins and the week-on-week surge when the week ends (10-12 begins), nothing before, each
 *    once; the command ran once per alert with the alert in its environment;
 *  - Holt-Winters on a crafted series written through rrdstore at one-hour steps: tcp/445 at 2
 *    accesses an hour for three days, then 6; tcp/22 at 3 throughout. Read after every interval
 *    (as run does), the failure of tcp/445 and of the scan total is raised once each, from the
 *    7th hour after the change (7 of the last 9 rows out of the band, which is about zero wide
 *    around a flat series), exactly where librrd's own reader finds the FAILURES archive's first
 *    flag; its end is logged once; tcp/22 never fails; a restarted engine raises nothing again.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "alerts.h"
#include "dates.h"
#include "dayfile.h"
#include "params.h"
#include "keyfmt.h"
#include "rrdstore.h"
#include "tally.h"

#define HOUR_S 3600
#define T0 1251763200LL /* 2009-09-01 00:00 UTC */

struct fx {
	char dir[128];
};

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/sw-alerttest-XXXXXX");
	if (!mkdtemp(fx->dir)) {
		free(fx);
		return -1;
	}
	setenv("TZ", "UTC", 1);
	tzset();
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	nftw(fx->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(fx);
	return 0;
}

static void write_day(const char *dir, const char *point, int64_t day, uint64_t acc445,
		      uint64_t src445)
{
	struct dayfile df;
	struct sw_key k445, k23;
	struct tally_key *tk;
	char path[512];

	dayfile_init(&df);
	snprintf(df.point, sizeof(df.point), "%s", point);
	sw_day_format(day, df.date);
	snprintf(df.tz, sizeof(df.tz), "UTC");
	assert_int_equal(sw_key_parse("tcp/445", "scan", &k445), 0);
	assert_int_equal(sw_key_parse("tcp/23", "scan", &k23), 0);
	tk = tally_key(&df.t, &k445);
	tk->accesses = acc445;
	tk->sources = src445;
	tk = tally_key(&df.t, &k23);
	tk->accesses = 72;
	tk->sources = 24;
	snprintf(path, sizeof(path), "%s/%s/daily/%s.txt", dir, point, df.date);
	assert_int_equal(dayfile_write(path, &df), 0);
	dayfile_free(&df);
}

static int count_files(const char *dir, const char *want_kind, unsigned int *matching)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	*matching = 0;
	assert_non_null(d);
	while ((de = readdir(d))) {
		char path[512], line[1024];
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		n++;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		f = fopen(path, "r");
		assert_non_null(f);
		while (fgets(line, sizeof(line), f))
			if (!strncmp(line, "SW_ALERT_KIND=", 14) && strstr(line, want_kind))
				(*matching)++;
		fclose(f);
	}
	closedir(d);
	return n;
}

static void test_days_as_daemon(void **state)
{
	struct fx *fx = *state;
	struct alert_engine e;
	struct alert_point *p;
	char path[512], cmd[1024], out[512], date[11];
	char *args[] = { "test", "--alert-command", cmd, NULL };
	const struct param_set sets[] = { { alert_cli_params, &e }, {} };
	const struct param_cmd tc = { .name = "test", .usage = "" };
	unsigned int trend, week;
	int64_t d0, d1, surge;
	FILE *f;

	assert_int_equal(sw_day_parse("2009-09-01", &d0), 0);
	assert_int_equal(sw_day_parse("2009-10-11", &d1), 0);
	assert_int_equal(sw_day_parse("2009-10-05", &surge), 0);
	snprintf(path, sizeof(path), "%s/p", fx->dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/p/daily", fx->dir);
	assert_int_equal(mkdir(path, 0755), 0);
	for (int64_t d = d0; d <= d1; d++)
		write_day(fx->dir, "p", d, d < surge ? 24 : 96, d < surge ? 24 : 96);
	snprintf(out, sizeof(out), "%s/out", fx->dir);
	assert_int_equal(mkdir(out, 0755), 0);
	snprintf(path, sizeof(path), "%s/record.sh", fx->dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\nenv | grep '^SW_ALERT_' >\"$1/alert.$$\"\n");
	fclose(f);
	assert_int_equal(chmod(path, 0755), 0);
	snprintf(cmd, sizeof(cmd), "%s %s", path, out);

	alert_engine_init(&e);
	/* --alert-command as the commands take it: through the shared option table. */
	optind = 0;
	assert_int_equal(params_parse(&tc, sets, 3, args), 0);
	assert_int_equal(alert_engine_open(&e, fx->dir, 0), 0);
	p = alert_engine_point(&e, "p", NULL);
	assert_non_null(p);
	/* The first interval of each day; a day is judged when the next one begins. */
	for (int64_t d = d0; d <= d1 + 1; d++) {
		sw_day_format(d, date);
		alert_tick(p, date, (uint64_t)(d * SW_DAY_S + HOUR_S));
		/* A second interval of the same day judges nothing more. */
		alert_tick(p, date, (uint64_t)(d * SW_DAY_S + 2 * HOUR_S));
		if (d <= surge)
			assert_int_equal(e.raised, 0); /* 10-05 not over yet */
		else if (d <= d1)
			assert_int_equal(e.raised, 1); /* its trend: 97/25 = 3.88 >= 3 */
		else
			assert_int_equal(e.raised, 2); /* the week 10-05..10-11: +300 % */
	}
	alert_engine_close(&e);
	assert_int_equal(count_files(out, "trend", &trend), 2);
	assert_int_equal(trend, 1);
	count_files(out, "surge-week", &week);
	assert_int_equal(week, 1);
}

static void put_hour(struct rrdstore *rs, uint64_t start, uint64_t acc445, uint64_t acc22)
{
	struct sw_key k;
	struct tally iv;

	tally_init(&iv);
	assert_int_equal(sw_key_parse("tcp/445", "scan", &k), 0);
	tally_key(&iv, &k)->accesses = acc445;
	assert_int_equal(sw_key_parse("tcp/22", "scan", &k), 0);
	tally_key(&iv, &k)->accesses = acc22;
	assert_int_equal(rrdstore_interval(rs, start, &iv, NULL, UINT64_MAX), 0);
	tally_free(&iv);
}

/* The first flagged row of data source acc_scan in a file's FAILURES archive, by librrd. */
static int64_t first_failure(const char *dir, const char *rel, int64_t from, int64_t to)
{
	char path[512], **names = NULL;
	time_t start = (time_t)from, end = (time_t)to;
	unsigned long step = HOUR_S, nds = 0;
	rrd_value_t *data = NULL;
	int64_t found = -1;

	snprintf(path, sizeof(path), "%s/h/%s", dir, rel);
	rrd_clear_error();
	assert_int_equal(rrd_fetch_r(path, "FAILURES", &start, &end, &step, &nds, &names, &data),
			 0);
	for (unsigned long i = 0; found < 0 && (time_t)(start + (i + 1) * step) <= end; i++)
		if (data[i * nds] > 0.5) /* acc_scan is the first data source */
			found = (int64_t)(start + (i + 1) * step);
	for (unsigned long i = 0; i < nds; i++)
		rrd_freemem(names[i]);
	rrd_freemem(names);
	rrd_freemem(data);
	return found;
}

static unsigned int log_lines(const char *dir, const char *what)
{
	char path[512], line[1024];
	unsigned int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/h/alerts.log", dir);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "hw ", 3) && strstr(line, what))
			n++;
	fclose(f);
	return n;
}

static void test_hw_crafted(void **state)
{
	struct fx *fx = *state;
	struct rrdstore_config cfg = { .data_dir = fx->dir, .point = "h", .step_s = HOUR_S };
	const int64_t change = T0 + 3 * SW_DAY_S, end = T0 + 7 * SW_DAY_S;
	struct alert_engine e, again;
	struct alert_point *p;
	struct rrdstore rs;
	char date[11];

	assert_int_equal(rrdstore_open(&rs, &cfg), 0);
	alert_engine_init(&e);
	assert_int_equal(alert_engine_open(&e, fx->dir, 0), 0);
	p = alert_engine_point(&e, "h", &rs);
	assert_non_null(p);
	for (int64_t t = T0; t < end; t += HOUR_S) {
		put_hour(&rs, (uint64_t)t, t < change ? 2 : 6, 3);
		sw_day_format(t / SW_DAY_S, date);
		alert_tick(p, date, (uint64_t)(t + HOUR_S));
	}
	/* tcp/445 and the scan total, accesses: once each, though read after every interval. */
	assert_int_equal(e.raised, 2);
	assert_int_equal(p->hw.n, 2);
	for (size_t i = 0; i < p->hw.n; i++) {
		const struct alert *a = &p->hw.v[i];
		char want[ALERT_TIME_LEN];
		time_t t = (time_t)(change + 7 * HOUR_S);

		strftime(want, sizeof(want), "%Y-%m-%dT%H:%MZ", gmtime(&t));
		assert_string_equal(a->from, want);
		assert_false(a->sources);
		assert_int_equal(a->key_kind, SW_KIND_SCAN);
		assert_true(!strcmp(a->key, "tcp/445") || !strcmp(a->key, "total"));
		/* Its cause: the first hour at the new level against the old. */
		assert_true(fabs(a->value - (strcmp(a->key, "total") ? 6 : 9)) < 1e-9);
		assert_true(fabs(a->baseline - (strcmp(a->key, "total") ? 2 : 5)) < 0.05);
		assert_false(a->open);
	}
	/* librrd's own reader of the archive agrees on where each run starts, and tcp/22 has none. */
	assert_int_equal(first_failure(fx->dir, "keys/tcp_445.rrd", change - SW_DAY_S, end),
			 change + 7 * HOUR_S);
	assert_int_equal(first_failure(fx->dir, "totals.rrd", change - SW_DAY_S, end),
			 change + 7 * HOUR_S);
	assert_int_equal(first_failure(fx->dir, "keys/tcp_22.rrd", T0, end), -1);
	/* Logged when it started and again when it ended. */
	assert_int_equal(log_lines(fx->dir, " open"), 2);
	assert_int_equal(log_lines(fx->dir, " closed"), 2);

	/* A daemon started again reads the log: nothing is raised twice. */
	alert_engine_init(&again);
	assert_int_equal(alert_engine_open(&again, fx->dir, 0), 0);
	p = alert_engine_point(&again, "h", &rs);
	sw_day_format((end - HOUR_S) / SW_DAY_S, date);
	alert_tick(p, date, (uint64_t)end);
	assert_int_equal(again.raised, 0);
	alert_engine_close(&again);
	alert_engine_close(&e);
	assert_int_equal(rrdstore_close(&rs), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_days_as_daemon, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hw_crafted, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
