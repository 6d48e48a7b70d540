// SPDX-License-Identifier: GPL-2.0-only
/*
 * The logs `report` and `alerts` read back from a point: victims/DATE.txt (backscatter sources,
 * user/store/victims.c) and alerts.log (Holt-Winters runs, user/store/alertlog.c). Input: u16 length, a
 * victims file, then an alerts.log.
 *
 * The same victims file on two days must give the same victims with twice the packets; every
 * victim's services are listed most packets first. Alerts read from the log must be written
 * back by alerts_log_append and read again the same, and describe themselves in one line.
 */
#include "alerts.h"
#include "fuzz.h"
#include "victims.h"

#define DAY0 14524 /* 2009-10-07 */

static const struct victim *find(const struct victim_set *s, const char *addr)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].addr, addr))
			return &s->v[i];
	return NULL;
}

static void check_victims(const char *dir)
{
	struct victim_set one, two;
	char errmsg[512];
	int err;

	victims_init(&one);
	victims_init(&two);
	err = victims_load(&one, dir, "p", DAY0, DAY0, errmsg, sizeof(errmsg));
	FUZZ_CHECK(!err, "victims_load: %s", errmsg);
	err = victims_load(&two, dir, "p", DAY0, DAY0 + 1, errmsg, sizeof(errmsg));
	FUZZ_CHECK(!err, "victims_load of two days: %s", errmsg);
	FUZZ_CHECK(one.n == two.n && 2 * one.bad_lines == two.bad_lines,
		   "one day: %zu victims, %llu bad lines; the same file twice: %zu, %llu", one.n,
		   (unsigned long long)one.bad_lines, two.n, (unsigned long long)two.bad_lines);
	for (size_t i = 0; i < one.n; i++) {
		const struct victim *a = &one.v[i], *b = find(&two, a->addr);

		FUZZ_CHECK(b && b->packets == 2 * a->packets && b->nkeys == a->nkeys,
			   "victim %s: %llu packets in one day, %llu in two", a->addr,
			   (unsigned long long)a->packets, b ? (unsigned long long)b->packets : 0);
		FUZZ_CHECK(a->nkeys <= VICTIM_KEYS, "victim %s: %u services", a->addr, a->nkeys);
		for (unsigned int k = 1; k < a->nkeys; k++)
			FUZZ_CHECK(a->keys[k - 1].packets >= a->keys[k].packets,
				   "victim %s: services out of order", a->addr);
	}
	victims_sort(&two);
	victims_free(&one);
	victims_free(&two);
}

static void check_alerts(const char *dir, const char *copy_dir)
{
	struct alert_list l = { 0 }, back = { 0 };
	char errmsg[512], line[1024];
	int err;

	err = alerts_log_read(dir, "p", &l, errmsg, sizeof(errmsg));
	FUZZ_CHECK(!err, "alerts_log_read: %s", errmsg);
	for (size_t i = 0; i < l.n; i++) {
		FUZZ_CHECK(!strcmp(l.v[i].point, "p"), "an alert of point '%s' in p's log",
			   l.v[i].point);
		alert_describe(&l.v[i], line, sizeof(line));
		err = alerts_log_append(copy_dir, &l.v[i]);
		FUZZ_CHECK(!err, "alerts_log_append: %s", strerror(-err));
	}
	err = alerts_log_read(copy_dir, "p", &back, errmsg, sizeof(errmsg));
	FUZZ_CHECK(!err, "alerts_log_read of what was appended: %s", errmsg);
	FUZZ_CHECK(back.n == l.n, "%zu alerts read, %zu after writing them back", l.n, back.n);
	for (size_t i = 0; i < l.n; i++)
		FUZZ_CHECK(back.v[i].at == l.v[i].at && back.v[i].open == l.v[i].open &&
				   back.v[i].key_kind == l.v[i].key_kind &&
				   back.v[i].sources == l.v[i].sources &&
				   !strcmp(back.v[i].key, l.v[i].key) &&
				   !strcmp(back.v[i].from, l.v[i].from) &&
				   !strcmp(back.v[i].to, l.v[i].to),
			   "alert %zu changed on the way", i);
	alert_list_sort(&l);
	alert_list_free(&l);
	alert_list_free(&back);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("TZ", "UTC", 1);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *dir = fuzz_dir();
	const uint8_t *victims, *log;
	size_t vlen, llen;
	char path[4096], copy[4096];

	fuzz_split(data, size, &victims, &vlen, &log, &llen);
	fuzz_clear_dir(dir);
	snprintf(path, sizeof(path), "%s/p", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/p/victims", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/p/victims/2009-10-07.txt", dir);
	fuzz_write(path, victims, vlen);
	snprintf(path, sizeof(path), "%s/p/victims/2009-10-08.txt", dir);
	fuzz_write(path, victims, vlen);
	snprintf(path, sizeof(path), "%s/p/alerts.log", dir);
	fuzz_write(path, log, llen);
	snprintf(copy, sizeof(copy), "%s/copy", dir);
	mkdir(copy, 0755);
	snprintf(path, sizeof(path), "%s/copy/p", dir);
	mkdir(path, 0755);

	check_victims(dir);
	check_alerts(dir, copy);
	return 0;
}
