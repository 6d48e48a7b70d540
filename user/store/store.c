// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dates.h"
#include "keyfmt.h"
#include "log.h"
#include "numfmt.h"
#include "point_lock.h"
#include "safe_file.h"
#include "store.h"

#define PAIRLOG_MAGIC "SWPAIRS1"

int sw_day_path(char *buf, size_t len, const char *point_dir, const char *date, const char *sub,
		const char *ext)
{
	int n = snprintf(buf, len, "%s/%s/%s.%s", point_dir, sub, date, ext);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int fail(struct point_store *ps, int err, const char *what, const char *path)
{
	snprintf(ps->errmsg, sizeof(ps->errmsg), "%s %s: %s", what, path, sf_strerror(err));
	return err;
}

static void close_dirs(struct point_store *ps)
{
	for (int d = 0; d < STORE_NDIRS; d++) {
		if (ps->dir_fd[d] >= 0)
			close(ps->dir_fd[d]);
		ps->dir_fd[d] = -1;
	}
}

int store_open(struct point_store *ps, const char *data_dir, const char *point, const char *tz,
	       struct geoip *geo)
{
	static const char *const subs[STORE_NDIRS] = { NULL, "daily", "sources", "victims" };
	char path[PATH_MAX];
	int err, top;

	memset(ps, 0, sizeof(*ps));
	for (int d = 0; d < STORE_NDIRS; d++)
		ps->dir_fd[d] = -1;
	ps->lock_fd = -1;
	dayfile_init(&ps->day);
	pairset_init(&ps->seen);
	tally_init(&ps->iv);
	ps->geo = geo;
	snprintf(ps->tz, sizeof(ps->tz), "%s", tz ? tz : "UTC");
	if (snprintf(ps->dir, sizeof(ps->dir), "%s/%s", data_dir, point) >= (int)sizeof(ps->dir))
		return fail(ps, -ENAMETOOLONG, "data directory", data_dir);
	snprintf(path, sizeof(path), "%s", data_dir);
	top = sf_dir(AT_FDCWD, data_dir, SW_MODE_DIR);
	err = top < 0 ? top : 0;
	if (!err) {
		snprintf(path, sizeof(path), "%s", ps->dir);
		ps->dir_fd[STORE_DIR_POINT] = sf_dir(top, point, SW_MODE_DIR);
		err = ps->dir_fd[STORE_DIR_POINT] < 0 ? ps->dir_fd[STORE_DIR_POINT] : 0;
		close(top);
	}
	for (int d = 1; !err && d < STORE_NDIRS; d++) {
		snprintf(path, sizeof(path), "%s/%s", ps->dir, subs[d]);
		ps->dir_fd[d] = sf_dir(ps->dir_fd[STORE_DIR_POINT], subs[d], SW_MODE_DIR);
		err = ps->dir_fd[d] < 0 ? ps->dir_fd[d] : 0;
	}
	/*
	 * As the files will be made: by the file system identity (--user's), not the real uid,
	 * which is root's and, without CAP_DAC_OVERRIDE (the service's), refused a user's directory.
	 */
	if (!err && faccessat(ps->dir_fd[STORE_DIR_POINT], ".", W_OK, AT_EACCESS))
		err = -errno;
	if (err) {
		close_dirs(ps);
		return fail(ps, err, "cannot use data directory", path);
	}
	snprintf(ps->day.point, sizeof(ps->day.point), "%s", point);
	return 0;
}

int store_lock(struct point_store *ps, const char *what)
{
	int fd = point_lock(ps->dir_fd[STORE_DIR_POINT], ps->dir, what, ps->errmsg,
			    sizeof(ps->errmsg));

	if (fd < 0)
		return fd;
	ps->lock_fd = fd;
	return 0;
}

#define PAIRLOG_MAGIC_LEN 8
#define LOAD_BATCH 4096
#define PREFETCH_AHEAD 8
#define PAIRLOG_BUF (64u << 10)
/* An address, a key and three 64-bit numbers, each after its separator, and the newline. */
#define VICTIM_LINE_MAX (SW_ADDR_STRLEN + SW_KEY_STRLEN + 3 * 21 + 2)

/*
 * Forgets the day held in memory after a failure: what the files say stays the truth (the
 * summary, and the first `pairs` records of the log), and the next interval loads it again.
 */
static void forget_day(struct point_store *ps)
{
	char point[sizeof(ps->day.point)];

	snprintf(point, sizeof(point), "%s", ps->day.point);
	if (ps->pairlog)
		fclose(ps->pairlog);
	ps->pairlog = NULL;
	dayfile_free(&ps->day);
	pairset_free(&ps->seen);
	snprintf(ps->day.point, sizeof(ps->day.point), "%s", point);
}

/*
 * Sizes the set for the log's first `want` records before they are read into it (a pass that
 * only counts their address families): growing it record by record would move each pair four
 * more times, a third of a restart's wait at 10^7 pairs. The file is left where it was.
 */
static int reserve_for_log(struct point_store *ps, FILE *f, uint64_t want, struct sw_pair *buf)
{
	uint64_t n = 0, v4 = 0, cap = ps->seen.max_len;
	long at = ftell(f);

	while (n < want) {
		size_t got =
			fread(buf, sizeof(*buf), want - n < LOAD_BATCH ? want - n : LOAD_BATCH, f);

		for (size_t i = 0; i < got; i++)
			v4 += sw_addr_is_v4(buf[i].addr);
		n += got;
		if (!got)
			break;
	}
	if (ferror(f) || fseek(f, at, SEEK_SET))
		return -EIO;
	/* Under a ceiling lowered since, only its share of each family is held. */
	if (cap && n > cap) {
		v4 = v4 * cap / n;
		n = cap;
	}
	return pairset_reserve(&ps->seen, v4, n - v4 > n ? 0 : n - v4);
}

/* Reads the first `want` records of a pair log into the set and drops any after them. */
static int load_pairs(struct point_store *ps, const char *path, const char *name, uint64_t want)
{
	struct sw_pair *buf = NULL;
	char magic[PAIRLOG_MAGIC_LEN];
	uint64_t n = 0, skipped = 0;
	size_t got;
	int err;
	FILE *f = sf_fopen(ps->dir_fd[STORE_DIR_SOURCES], name, "r+", 0, &err);

	if (!f) {
		if (err == -ENOENT && want == 0)
			return 0;
		snprintf(ps->errmsg, sizeof(ps->errmsg),
			 "cannot read the day's sources from %s: %s (its summary counts %" PRIu64
			 " of them)",
			 path, sf_strerror(err), want);
		return err == -ELOOP || err == -SF_ENOTREG ? -EINVAL : err;
	}
	got = fread(magic, 1, sizeof(magic), f);
	/* A log created just before a crash may lack even its magic; it holds no pair yet. */
	if (got < sizeof(magic) && want == 0 && !ferror(f)) {
		err = ftruncate(fileno(f), 0) ? fail(ps, -errno, "cannot truncate", path) : 0;
		fclose(f);
		return err;
	}
	if (got != sizeof(magic) || memcmp(magic, PAIRLOG_MAGIC, sizeof(magic))) {
		fclose(f);
		snprintf(ps->errmsg, sizeof(ps->errmsg),
			 "%s is damaged: it does not start with " PAIRLOG_MAGIC
			 ", so the day's sources cannot be restored",
			 path);
		return -EINVAL;
	}
	buf = malloc(LOAD_BATCH * sizeof(*buf));
	err = buf ? reserve_for_log(ps, f, want, buf) : -ENOMEM;
	while (!err && n < want) {
		size_t batch = want - n < LOAD_BATCH ? want - n : LOAD_BATCH;

		got = fread(buf, sizeof(*buf), batch, f);
		for (size_t i = 0; i < got && !err; i++) {
			if (i + PREFETCH_AHEAD < got)
				pairset_prefetch(&ps->seen, &buf[i + PREFETCH_AHEAD]);
			err = pairset_add(&ps->seen, &buf[i]);
			/* A ceiling lowered since: the pairs beyond it, seen again, count as lost. */
			skipped += err == -ENOSPC;
			err = err < 0 && err != -ENOSPC ? err : 0;
			if (err == -EINVAL)
				snprintf(ps->errmsg, sizeof(ps->errmsg),
					 "%s is damaged: record %" PRIu64
					 " is not a (source, key) pair",
					 path, n + i + 1);
		}
		n += got;
		if (got < batch)
			break;
	}
	free(buf);
	if (!err && ferror(f))
		err = -EIO;
	if (!err && n < want) {
		snprintf(ps->errmsg, sizeof(ps->errmsg),
			 "%s is damaged: it holds %" PRIu64
			 " (source, key) pairs but the day's summary counts %" PRIu64,
			 path, n, want);
		err = -EINVAL;
	}
	/* Pairs logged by a run that died before its summary was written were never counted. */
	if (!err && ftruncate(fileno(f), sizeof(magic) + n * sizeof(struct sw_pair)))
		err = -errno;
	fclose(f);
	if (err && err != -EINVAL)
		fail(ps, err, "cannot load the day's sources from", path);
	if (!err && skipped)
		sw_warn("point %s: %s holds %" PRIu64
			" (source, key) pairs, more than --max-day-pairs "
			"%zu: %" PRIu64
			" of them are not held, and count as lost sources if seen again",
			ps->day.point, path, n, ps->seen.max_len, skipped);
	return err;
}

static int open_day(struct point_store *ps, const char *date)
{
	char path[PATH_MAX], name[32], point[sizeof(ps->day.point)];
	bool loaded;
	int err;

	forget_day(ps);
	snprintf(point, sizeof(point), "%s", ps->day.point);
	sw_day_path(path, sizeof(path), ps->dir, date, "daily", "txt");
	err = dayfile_read(path, &ps->day, ps->errmsg, sizeof(ps->errmsg));
	loaded = !err;
	ps->day_new = err == -ENOENT;
	ps->watch_told = false;
	if (err == -ENOENT) {
		dayfile_init(&ps->day);
		snprintf(ps->day.date, sizeof(ps->day.date), "%s", date);
		snprintf(ps->day.tz, sizeof(ps->day.tz), "%s", ps->tz);
		err = 0;
	} else if (!err && strcmp(ps->day.tz, ps->tz)) {
		/* One file, one zone: the day's boundaries and its sources depend on it. */
		snprintf(ps->errmsg, sizeof(ps->errmsg),
			 "%s counts the day %s in time zone %s, not %s: use --tz %s, or another "
			 "--data-dir",
			 path, ps->day.date, ps->day.tz, ps->tz, ps->day.tz);
		err = -EINVAL;
	} else if (!err && (strcmp(ps->day.point, point) || strcmp(ps->day.date, date))) {
		snprintf(ps->errmsg, sizeof(ps->errmsg),
			 "%s is the summary of point %s on %s, not of %s on %s", path,
			 ps->day.point, ps->day.date, point, date);
		err = -EINVAL;
	}
	snprintf(ps->day.point, sizeof(ps->day.point), "%s", point);
	if (!err) {
		sw_day_path(path, sizeof(path), ps->dir, date, "sources", "pairs");
		snprintf(name, sizeof(name), "%s.pairs", date);
		err = load_pairs(ps, path, name, ps->day.pairs);
	}
	if (!err) {
		ps->pairlog =
			sf_fopen(ps->dir_fd[STORE_DIR_SOURCES], name, "a", SW_MODE_FILE, &err);
		if (!ps->pairlog)
			fail(ps, err, "cannot open", path);
		else
			setvbuf(ps->pairlog, NULL, _IOFBF, PAIRLOG_BUF);
	}
	/* The magic goes to disk at once, so a log is never left without one by a crash. */
	if (!err && ftell(ps->pairlog) == 0 &&
	    (fwrite(PAIRLOG_MAGIC, 1, PAIRLOG_MAGIC_LEN, ps->pairlog) != PAIRLOG_MAGIC_LEN ||
	     fflush(ps->pairlog)))
		err = fail(ps, -errno, "cannot write", path);
	if (err) {
		forget_day(ps);
		snprintf(ps->day.point, sizeof(ps->day.point), "%s", point);
	} else if (loaded && ps->hook) {
		ps->hook->day_loaded(ps->hook->ctx, ps);
	}
	return err;
}

static int write_error(void)
{
	return errno ? -errno : -EIO;
}

/*
 * An interval with more records than the day's set holds pairs (the first minutes of a day, a
 * flood) would grow each shard several times over while it is read in, rehashing and faulting
 * its tables in again each time: half of the first interval's store. Room for all of them at
 * once costs at most the records already in the set, fewer than those in the interval; later
 * intervals, which add a small share, grow the set as usual.
 */
static int reserve_for_interval(struct point_store *ps, const struct sw_interval *iv)
{
	size_t have = pairset_len(&ps->seen), v4 = 0, n = iv->npairs, cap = ps->seen.max_len;
	size_t have4;

	if (n <= have)
		return 0;
	have4 = pairset_len_v4(&ps->seen);
	for (size_t i = 0; i < iv->npairs; i++)
		v4 += sw_addr_is_v4(iv->pairs[i].pair.addr);
	/* Under a ceiling, no more than it can hold, in the interval's share of each family. */
	if (cap && have + n > cap) {
		size_t room = cap > have ? cap - have : 0;

		v4 = (size_t)((uint64_t)v4 * room / n);
		n = room;
	}
	return pairset_reserve(&ps->seen, have4 + v4, have - have4 + (n - v4));
}

/*
 * Where a drained key is counted: a research source's (SW_CLS_RESEARCH) in the research group,
 * under the key without the flag; NULL on ENOMEM.
 */
static struct tally_key *group_key(struct tally *t, const struct sw_key *key)
{
	struct sw_key plain = *key;

	if (!(key->cls & SW_CLS_RESEARCH))
		return tally_key(t, key);
	plain.cls &= (__u8)~SW_CLS_RESEARCH;
	t = tally_research(t);
	return t ? tally_key(t, &plain) : NULL;
}

/*
 * Turns the drained records into the interval's tally; new pairs join the day's set and go to
 * the log's buffer (store_interval() syncs it before the summary counts them). A research
 * source's pair keeps its flag in the set and the log, so that it is a pair of its own, and
 * counts in no area: areas are the scan totals' too.
 */
static int tally_interval(struct point_store *ps, const struct sw_interval *iv)
{
	struct tally *t = &ps->iv;
	int err;

	tally_reset(t);
	ps->nfresh = 0;
	memcpy(t->stats, iv->stats, sizeof(t->stats));
	tally_peak(t, iv->peak, iv->peak_s);
	for (size_t i = 0; i < iv->nkeys; i++) {
		const struct sw_key_rec *r = &iv->keys[i];
		struct tally_key *k = group_key(t, &r->key);

		if (!k)
			return -ENOMEM;
		k->accesses += r->val.packets;
		k->lost += r->val.lost;
		for (int f = 0; f < SW_NFPS; f++)
			k->fp[f] += r->val.fp[f];
	}
	err = reserve_for_interval(ps, iv);
	if (err)
		return err;
	for (size_t i = 0; i < iv->npairs; i++) {
		const struct sw_pair_rec *r = &iv->pairs[i];
		bool research = r->pair.key.cls & SW_CLS_RESEARCH;
		int area = 0, fresh;

		if (i + PREFETCH_AHEAD < iv->npairs)
			pairset_prefetch(&ps->seen, &iv->pairs[i + PREFETCH_AHEAD].pair);
		if (!research) {
			area = geoip_area(ps->geo, r->pair.addr);
			t->area_accesses[area] += r->val.packets;
		}
		fresh = pairset_add(&ps->seen, &r->pair);
		if (fresh == -ENOSPC) {
			t->lost_sources++;
			continue;
		}
		if (fresh < 0)
			return fresh;
		if (fresh) {
			struct tally_key *k = group_key(t, &r->pair.key);

			if (!k)
				return -ENOMEM;
			if (fwrite(&r->pair, sizeof(r->pair), 1, ps->pairlog) != 1)
				return write_error();
			ps->nfresh++;
			k->sources++;
			if (!research)
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

/* One line of the victims file: ADDRESS KEY PACKETS FIRST_NS LAST_NS; returns its length. */
static size_t victim_line(char line[VICTIM_LINE_MAX], const struct sw_pair_rec *r)
{
	char *p = line;

	sw_addr_str(r->pair.addr, p);
	p += strlen(p);
	*p++ = ' ';
	sw_key_str(&r->pair.key, p);
	p += strlen(p);
	*p++ = ' ';
	p = sw_put_u64(p, r->val.packets);
	*p++ = ' ';
	p = sw_put_u64(p, r->val.first_ns);
	*p++ = ' ';
	p = sw_put_u64(p, r->val.last_ns);
	*p++ = '\n';
	return (size_t)(p - line);
}

/*
 * The interval's backscatter pairs (the flood victims' answers, README.md "Victims files"),
 * appended once the summary counts the interval: a retry never logs one twice, and a failure
 * here loses victims, never counts.
 */
static void store_victims(struct point_store *ps, const struct sw_interval *iv, const char *date)
{
	char path[PATH_MAX], line[VICTIM_LINE_MAX];
	FILE *f = NULL;
	size_t n;
	int err = 0;

	errno = 0;
	for (size_t i = 0; i < iv->npairs; i++) {
		const struct sw_pair_rec *r = &iv->pairs[i];

		/* A research source's answers name no flood's victim the report should list. */
		if (r->pair.key.kind != SW_KIND_BACKSCATTER || (r->pair.key.cls & SW_CLS_RESEARCH))
			continue;
		if (!f) {
			char name[32];

			sw_day_path(path, sizeof(path), ps->dir, date, "victims", "txt");
			snprintf(name, sizeof(name), "%s.txt", date);
			f = sf_fopen(ps->dir_fd[STORE_DIR_VICTIMS], name, "a", SW_MODE_FILE, &err);
			if (!f) {
				err = -err;
				break;
			}
		}
		n = victim_line(line, r);
		fwrite(line, 1, n, f);
	}
	if (f) {
		int bad = ferror(f);

		if (fclose(f) || bad)
			err = errno ? errno : EIO;
	}
	if (err)
		sw_warn("point %s: cannot append to %s: %s", ps->day.point, path, sf_strerror(err));
}

void store_set_watched(struct point_store *ps, sw_u128 watched)
{
	ps->watched = watched;
}

/*
 * The day's count of watched addresses once this process's interval is in it. Its per-address
 * figures divide the day's counts by it: if any part of the day counted every address arriving,
 * there is no count to divide by; if the set changed (a restart with other --watch), the largest
 * gives the lower, never an inflated, figure.
 */
static void merge_watched(struct point_store *ps)
{
	char was[SW_U128_STRLEN], now[SW_U128_STRLEN];
	struct dayfile *df = &ps->day;

	if (ps->day_new) {
		df->watched = ps->watched;
		return;
	}
	if (df->watched == ps->watched)
		return;
	if (!ps->watch_told) {
		ps->watch_told = true;
		if (!df->watched)
			sw_warn("point %s: %s was counted without --watch (or by an older scanwatch) "
				"until now: its figures per watched address are n/a",
				df->point, df->date);
		else if (!ps->watched)
			sw_warn("point %s: %s was counted for %s watched addresses until now, and is "
				"counted without --watch from now on: its figures per watched "
				"address are n/a",
				df->point, df->date, sw_fmt_u128(df->watched, was));
		else
			sw_warn("point %s: %s was counted for %s watched addresses until now, for %s "
				"from now on: its figures per watched address use the larger",
				df->point, df->date, sw_fmt_u128(df->watched, was),
				sw_fmt_u128(ps->watched, now));
	}
	df->watched = df->watched && ps->watched ?
			      (df->watched > ps->watched ? df->watched : ps->watched) :
			      0;
}

int store_interval(struct point_store *ps, const struct sw_interval *iv, uint64_t seq)
{
	char path[PATH_MAX];
	const char *date;
	uint64_t prev_seq;
	bool prepared = false;
	int err;

	err = store_open_day(ps, iv->start_s);
	if (err)
		return err;
	date = ps->day.date;
	sw_day_path(path, sizeof(path), ps->dir, date, "sources", "pairs");
	errno = 0;
	err = tally_interval(ps, iv);
	if (err) {
		fail(ps, err, err == -ENOMEM ? "cannot tally the interval for" : "cannot write",
		     err == -ENOMEM ? ps->dir : path);
		goto undo;
	}
	/* The log first: a summary must never count pairs the log could lose. */
	errno = 0;
	if (fflush(ps->pairlog) || fdatasync(fileno(ps->pairlog))) {
		err = fail(ps, write_error(), "cannot write", path);
		goto undo;
	}
	err = tally_merge(&ps->day.t, &ps->iv);
	if (err) {
		fail(ps, err, "cannot add the interval to", ps->dir);
		goto undo;
	}
	prev_seq = ps->day.seq;
	ps->day.seq = seq;
	ps->day.pairs += ps->nfresh;
	merge_watched(ps);
	if (ps->hook) {
		err = ps->hook->prepare(ps->hook->ctx, ps, iv, prev_seq);
		if (err) {
			fail(ps, err, "cannot queue the interval for the database in", ps->dir);
			goto undo;
		}
		prepared = true;
	}
	sw_day_path(path, sizeof(path), ps->dir, date, "daily", "txt");
	{
		char name[32];

		snprintf(name, sizeof(name), "%s.txt", date);
		err = dayfile_writeat(ps->dir_fd[STORE_DIR_DAILY], name, &ps->day);
	}
	if (err) {
		fail(ps, err, "cannot write", path);
		goto undo;
	}
	ps->day_new = false;
	store_victims(ps, iv, date);
	if (prepared)
		ps->hook->done(ps->hook->ctx, ps, true);
	return 0;
undo:
	if (prepared)
		ps->hook->done(ps->hook->ctx, ps, false);
	/*
	 * The set and the day's tally already hold part of an interval the files do not: drop
	 * them, so that the retry (the kernel keeps the counts) finds its pairs new again.
	 */
	forget_day(ps);
	return err;
}

void store_set_max_day_pairs(struct point_store *ps, uint64_t max_pairs)
{
	pairset_set_max(&ps->seen, (size_t)max_pairs);
}

void store_report_lost(const struct point_store *ps)
{
	if (ps->iv.lost_sources)
		sw_warn("point %s: %" PRIu64
			" new (source, key) pairs counted as lost sources, not "
			"as sources: the day's set is full (--max-day-pairs %zu); %" PRIu64
			" lost sources on %s so far",
			ps->day.point, ps->iv.lost_sources, ps->seen.max_len,
			ps->day.t.lost_sources, ps->day.date);
}

uint64_t store_warn_dropped(const struct point_store *ps)
{
	const uint64_t *st = ps->iv.stats;
	uint64_t n = tally_dropped(&ps->iv);

	if (n)
		sw_warn("point %s: %" PRIu64 " packets counted without their source: %" PRIu64
			" found the interval's log full (raise --log-records, or shorten --interval), "
			"%" PRIu64 " came from more (source, key) pairs than --max-pairs, %" PRIu64
			" found no room for their key (--max-keys) and are counted under none",
			ps->day.point, n, st[SW_STAT_LOG_FULL], st[SW_STAT_PAIRS_OVER],
			st[SW_STAT_KEYS_LOST]);
	return n;
}

void store_close(struct point_store *ps)
{
	if (ps->pairlog)
		fclose(ps->pairlog);
	close_dirs(ps);
	dayfile_free(&ps->day);
	pairset_free(&ps->seen);
	tally_free(&ps->iv);
	/* Last: the next writer may start as soon as the lock goes. */
	if (ps->lock_fd >= 0)
		close(ps->lock_fd);
	memset(ps, 0, sizeof(*ps));
	ps->lock_fd = -1;
	for (int d = 0; d < STORE_NDIRS; d++)
		ps->dir_fd[d] = -1;
}
