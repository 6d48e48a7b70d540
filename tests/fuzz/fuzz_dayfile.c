// SPDX-License-Identifier: GPL-2.0-only
/*
 * Daily summary files and the day's pair log, as `summary`, `graph`, `report` and a restarted
 * daemon read them. Input: u16 length, a daily file's text, then the pair log's bytes.
 *
 * A file dayfile_read() accepts must come back the same from what dayfile_write() makes of it;
 * a day the store loads (point p, 2009-10-07, UTC) must hold what the file says, and storing an
 * empty interval on it must write a file that reads back as the store's day.
 */
#include "dayfile.h"
#include "drain.h"
#include "fuzz.h"
#include "store.h"

#define DAY_T 1254916800ull /* 2009-10-07T12:00:00Z */
#define DATE "2009-10-07"

static void check_same(const struct dayfile *a, const struct dayfile *b, const char *what)
{
	char why[128];

	FUZZ_CHECK(!strcmp(a->point, b->point) && !strcmp(a->date, b->date) &&
			   !strcmp(a->tz, b->tz) && a->seq == b->seq && a->pairs == b->pairs,
		   "%s: header differs (%s/%s/%s/%llu/%llu vs %s/%s/%s/%llu/%llu)", what, a->point,
		   a->date, a->tz, (unsigned long long)a->seq, (unsigned long long)a->pairs,
		   b->point, b->date, b->tz, (unsigned long long)b->seq,
		   (unsigned long long)b->pairs);
	FUZZ_CHECK(a->watched == b->watched, "%s: watched addresses differ", what);
	FUZZ_CHECK(fuzz_tally_equal(&a->t, &b->t, why, sizeof(why)), "%s: %s", what, why);
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
	char path[4096], copy[4096], errmsg[1024];
	const uint8_t *text, *log;
	size_t tlen, llen;
	struct dayfile df, again;
	struct point_store ps;
	struct geoip geo = { 0 };
	struct sw_interval iv = { .start_s = DAY_T, .len_s = 60 };
	int read_err, err;

	fuzz_split(data, size, &text, &tlen, &log, &llen);
	fuzz_clear_dir(dir);
	snprintf(path, sizeof(path), "%s/p", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/p/daily", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/p/sources", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/p/sources/" DATE ".pairs", dir);
	fuzz_write(path, log, llen);
	snprintf(path, sizeof(path), "%s/p/daily/" DATE ".txt", dir);
	fuzz_write(path, text, tlen);

	/* The reader alone, as summary and graph use it. */
	read_err = dayfile_read(path, &df, errmsg, sizeof(errmsg));
	FUZZ_CHECK(read_err == 0 || read_err == -EINVAL, "dayfile_read: %d", read_err);
	if (!read_err) {
		snprintf(copy, sizeof(copy), "%s/copy.txt", dir);
		err = dayfile_write(copy, &df);
		FUZZ_CHECK(!err, "dayfile_write: %s", strerror(-err));
		err = dayfile_read(copy, &again, errmsg, sizeof(errmsg));
		FUZZ_CHECK(!err, "what dayfile_write wrote does not read back: %s", errmsg);
		check_same(&df, &again, "written and read back");
		dayfile_free(&again);
	}

	/* The store, as a daemon restarted on that day loads it and goes on. */
	err = store_open(&ps, dir, "p", "UTC", &geo);
	FUZZ_CHECK(!err, "store_open: %s", ps.errmsg);
	err = store_open_day(&ps, DAY_T);
	if (!err) {
		FUZZ_CHECK(!read_err, "the store loaded a day dayfile_read refuses");
		check_same(&df, &ps.day, "loaded by the store");
		err = store_interval(&ps, &iv, ps.day.seq + 1);
		FUZZ_CHECK(!err, "storing an empty interval on a loaded day: %s", ps.errmsg);
		err = dayfile_read(path, &again, errmsg, sizeof(errmsg));
		FUZZ_CHECK(!err, "the store's file does not read back: %s", errmsg);
		check_same(&ps.day, &again, "stored and read back");
		dayfile_free(&again);
	}
	store_close(&ps);
	if (!read_err)
		dayfile_free(&df);
	return 0;
}
