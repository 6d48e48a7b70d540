// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store.h"

#define PAIRLOG_MAGIC "SWPAIRS1"

void sw_date_of(time_t t, char out[11])
{
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

int sw_day_path(char *buf, size_t len, const char *point_dir, const char *date, const char *sub,
		const char *ext)
{
	int n = snprintf(buf, len, "%s/%s/%s.%s", point_dir, sub, date, ext);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int mkdir_one(const char *path)
{
	if (mkdir(path, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

static int fail(struct point_store *ps, int err, const char *what, const char *path)
{
	snprintf(ps->errmsg, sizeof(ps->errmsg), "%s %s: %s", what, path, strerror(-err));
	return err;
}

int store_open(struct point_store *ps, const char *data_dir, const char *point, const char *tz,
	       struct geoip *geo)
{
	const char *subs[] = { "", "/daily", "/sources" };
	char path[PATH_MAX];
	int err;

	memset(ps, 0, sizeof(*ps));
	dayfile_init(&ps->day);
	pairset_init(&ps->seen);
	tally_init(&ps->iv);
	ps->geo = geo;
	snprintf(ps->tz, sizeof(ps->tz), "%s", tz ? tz : "UTC");
	if (snprintf(ps->dir, sizeof(ps->dir), "%s/%s", data_dir, point) >= (int)sizeof(ps->dir))
		return fail(ps, -ENAMETOOLONG, "data directory", data_dir);
	err = mkdir_one(data_dir);
	for (size_t i = 0; !err && i < sizeof(subs) / sizeof(subs[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", ps->dir, subs[i]);
		err = mkdir_one(path);
	}
	if (!err && access(ps->dir, W_OK))
		err = -errno;
	if (err)
		return fail(ps, err, "cannot use data directory", ps->dir);
	snprintf(ps->day.point, sizeof(ps->day.point), "%s", point);
	return 0;
}

/* Reads the first `want` records of a pair log into the set and drops any after them. */
static int load_pairs(struct point_store *ps, const char *path, uint64_t want)
{
	char magic[8];
	struct sw_pair p;
	uint64_t n = 0;
	FILE *f = fopen(path, "r+");
	int err = 0;

	if (!f)
		return errno == ENOENT && want == 0 ? 0 : -errno;
	if (fread(magic, 1, 8, f) != 8 || memcmp(magic, PAIRLOG_MAGIC, 8)) {
		fclose(f);
		return -EINVAL;
	}
	while (n < want && fread(&p, sizeof(p), 1, f) == 1) {
		if (pairset_add(&ps->seen, &p) < 0) {
			err = -ENOMEM;
			break;
		}
		n++;
	}
	if (!err && n < want)
		err = -EINVAL; /* the summary counts pairs the log does not have */
	/* Pairs logged by a run that died before its summary was written were never counted. */
	if (!err && ftruncate(fileno(f), 8 + n * sizeof(p)))
		err = -errno;
	fclose(f);
	return err;
}

static int open_day(struct point_store *ps, const char *date)
{
	char path[PATH_MAX], point[sizeof(ps->day.point)];
	int err;

	snprintf(point, sizeof(point), "%s", ps->day.point);
	if (ps->pairlog)
		fclose(ps->pairlog);
	ps->pairlog = NULL;
	dayfile_free(&ps->day);
	pairset_free(&ps->seen);

	sw_day_path(path, sizeof(path), ps->dir, date, "daily", "txt");
	err = dayfile_read(path, &ps->day, ps->errmsg, sizeof(ps->errmsg));
	if (err == -ENOENT) {
		dayfile_init(&ps->day);
		snprintf(ps->day.point, sizeof(ps->day.point), "%s", point);
		snprintf(ps->day.date, sizeof(ps->day.date), "%s", date);
		snprintf(ps->day.tz, sizeof(ps->day.tz), "%s", ps->tz);
	} else if (err) {
		return err;
	} else if (strcmp(ps->day.tz, ps->tz) || strcmp(ps->day.point, point)) {
		snprintf(ps->errmsg, sizeof(ps->errmsg),
			 "%s was written for point %s in time zone %s, not %s in %s", path,
			 ps->day.point, ps->day.tz, point, ps->tz);
		return -EINVAL;
	}
	sw_day_path(path, sizeof(path), ps->dir, date, "sources", "pairs");
	err = load_pairs(ps, path, ps->day.pairs);
	if (err)
		return fail(ps, err, "cannot load the day's sources from", path);
	ps->pairlog = fopen(path, "a");
	if (!ps->pairlog)
		return fail(ps, -errno, "cannot open", path);
	if (ftell(ps->pairlog) == 0 && fwrite(PAIRLOG_MAGIC, 1, 8, ps->pairlog) != 8)
		return fail(ps, -errno, "cannot write", path);
	return 0;
}

static int add_fresh(struct point_store *ps, const struct sw_pair *p)
{
	if (ps->nfresh == ps->fresh_cap) {
		size_t ncap = ps->fresh_cap ? ps->fresh_cap * 2 : 1024;
		struct sw_pair *n = realloc(ps->fresh, ncap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		ps->fresh = n;
		ps->fresh_cap = ncap;
	}
	ps->fresh[ps->nfresh++] = *p;
	return 0;
}

/* Turns the drained records into the interval's tally; new pairs join the day's set. */
static int tally_interval(struct point_store *ps, const struct sw_interval *iv)
{
	struct tally *t = &ps->iv;

	tally_reset(t);
	ps->nfresh = 0;
	memcpy(t->stats, iv->stats, sizeof(t->stats));
	for (size_t i = 0; i < iv->nkeys; i++) {
		const struct sw_key_rec *r = &iv->keys[i];
		struct tally_key *k = tally_key(t, &r->key);

		if (!k)
			return -ENOMEM;
		k->accesses += r->val.packets;
		k->lost += r->val.lost;
		for (int f = 0; f < SW_NFPS; f++)
			k->fp[f] += r->val.fp[f];
	}
	for (size_t i = 0; i < iv->npairs; i++) {
		const struct sw_pair_rec *r = &iv->pairs[i];
		int area = geoip_area(ps->geo, r->pair.addr);
		int fresh;

		t->area_accesses[area] += r->val.packets;
		fresh = pairset_add(&ps->seen, &r->pair);
		if (fresh < 0)
			return fresh;
		if (fresh) {
			struct tally_key *k = tally_key(t, &r->pair.key);

			if (!k || add_fresh(ps, &r->pair))
				return -ENOMEM;
			k->sources++;
			t->area_sources[area]++;
		}
	}
	return 0;
}

int store_open_day(struct point_store *ps, uint64_t t)
{
	char date[11];

	sw_date_of((time_t)t, date);
	return strcmp(date, ps->day.date) ? open_day(ps, date) : 0;
}

int store_interval(struct point_store *ps, const struct sw_interval *iv, uint64_t seq)
{
	char path[PATH_MAX];
	const char *date;
	int err;

	err = store_open_day(ps, iv->start_s);
	if (err)
		return err;
	date = ps->day.date;
	err = tally_interval(ps, iv);
	if (err)
		return fail(ps, err, "cannot tally the interval for", ps->dir);
	/* The log first: a summary must never count pairs the log could lose. */
	sw_day_path(path, sizeof(path), ps->dir, date, "sources", "pairs");
	if (ps->nfresh &&
	    fwrite(ps->fresh, sizeof(*ps->fresh), ps->nfresh, ps->pairlog) != ps->nfresh)
		return fail(ps, -errno, "cannot write", path);
	if (fflush(ps->pairlog) || fdatasync(fileno(ps->pairlog)))
		return fail(ps, -errno, "cannot write", path);
	err = tally_merge(&ps->day.t, &ps->iv);
	if (err)
		return fail(ps, err, "cannot add the interval to", ps->dir);
	ps->day.seq = seq;
	ps->day.pairs += ps->nfresh;
	sw_day_path(path, sizeof(path), ps->dir, date, "daily", "txt");
	err = dayfile_write(path, &ps->day);
	if (err)
		return fail(ps, err, "cannot write", path);
	return 0;
}

void store_close(struct point_store *ps)
{
	if (ps->pairlog)
		fclose(ps->pairlog);
	dayfile_free(&ps->day);
	pairset_free(&ps->seen);
	tally_free(&ps->iv);
	free(ps->fresh);
	memset(ps, 0, sizeof(*ps));
}
