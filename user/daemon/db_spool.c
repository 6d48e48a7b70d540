// SPDX-License-Identifier: GPL-2.0-only
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dayfile.h"
#include "db_spool.h"
#include "grow.h"
#include "keyfmt.h"
#include "numfmt.h"

#define FILE_MODE 0640
#define DIR_MODE 0750
#define REJECTED "rejected"

static int fail(struct db_spool *sp, int err, const char *what, const char *name)
{
	snprintf(sp->errmsg, sizeof(sp->errmsg), "%s %s/" DB_SPOOL_DIR "/%s: %s", what,
		 sp->point_dir, name, strerror(-err));
	return err;
}

/* The day's first second in the zone the store counts days in (the process's TZ). */
static int64_t day_start(const char *date)
{
	struct tm tm = { .tm_isdst = -1 };

	if (sscanf(date, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon--;
	return (int64_t)mktime(&tm);
}

/* Our strings are names, keys, dates and log lines; quotes and control bytes are escaped. */
static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

/* Written under a temporary name, synced, then given its name: never half a record. */
static int write_record(struct db_spool *sp, const char *name, const char *buf, size_t len)
{
	char tmp[DB_REC_NAME + 8];
	int fd, err = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp", name);
	fd = openat(sp->dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		    FILE_MODE);
	if (fd < 0)
		return fail(sp, -errno, "cannot write", tmp);
	for (size_t o = 0; o < len && !err;) {
		ssize_t n = write(fd, buf + o, len - o);

		if (n < 0 && errno != EINTR)
			err = -errno;
		else if (n > 0)
			o += (size_t)n;
	}
	if (!err && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && renameat(sp->dirfd, tmp, sp->dirfd, name))
		err = -errno;
	if (err) {
		unlinkat(sp->dirfd, tmp, 0);
		return fail(sp, err, "cannot write", name);
	}
	return 0;
}

struct json_buf {
	FILE *f;
	char *buf;
	size_t len;
};

static int jb_open(struct json_buf *jb)
{
	jb->buf = NULL;
	jb->len = 0;
	jb->f = open_memstream(&jb->buf, &jb->len);
	return jb->f ? 0 : -ENOMEM;
}

static int jb_close(struct json_buf *jb)
{
	int bad = ferror(jb->f);

	if (fclose(jb->f) || bad) {
		free(jb->buf);
		jb->buf = NULL;
		return -ENOMEM;
	}
	return 0;
}

static int add_record(struct db_spool *sp, struct json_buf *jb, const char *suffix, char *made,
		      size_t madelen)
{
	char name[DB_REC_NAME];
	int err = jb_close(jb);

	if (err)
		return fail(sp, err, "cannot make a record in", "");
	snprintf(name, sizeof(name), "%016" PRIu64 "%s", sp->next, suffix);
	err = write_record(sp, name, jb->buf, jb->len);
	free(jb->buf);
	if (err)
		return err;
	sp->next++;
	if (made)
		snprintf(made, madelen, "%s", name);
	return 0;
}

static void head(FILE *f, const char *type, const char *point)
{
	fprintf(f, "{\"v\": 1, \"type\": \"%s\", \"point\": ", type);
	json_str(f, point);
}

static void day_head(FILE *f, const struct dayfile *df)
{
	fprintf(f, ", \"seq\": %" PRIu64 ", \"day\": \"%s\", \"tz\": ", df->seq, df->date);
	json_str(f, df->tz);
	fprintf(f, ", \"time\": %" PRId64, day_start(df->date));
}

/* A key's counters as a record lists them: accesses sources mirai zmap masscan lost. */
static void key_counts(FILE *f, const struct tally_key *k)
{
	fprintf(f, ", %" PRIu64 ", %" PRIu64 ", %" PRIu64 ", %" PRIu64 ", %" PRIu64 ", %" PRIu64,
		k->accesses, k->sources, k->fp[SW_FP_MIRAI], k->fp[SW_FP_ZMAP],
		k->fp[SW_FP_MASSCAN], k->lost);
}

/*
 * Each key of an interval's tally (or research group; NULL: none): what the interval added,
 * then what the day's row holds after it.
 */
static void interval_keys(FILE *f, const struct tally *t, const struct tally *day)
{
	bool first = true;

	fputc('[', f);
	for (size_t i = 0; t && day && i < t->nkeys; i++) {
		const struct tally_key *k = &t->keys[i], *d = tally_find(day, &k->key);
		char name[SW_KEY_STRLEN];

		if (!d)
			continue; /* cannot be: the day was merged with the interval */
		sw_key_str(&k->key, name);
		fprintf(f, "%s[\"%s\", \"%s\"", first ? "" : ", ", name,
			sw_kind_names[k->key.kind]);
		key_counts(f, k);
		key_counts(f, d);
		fputc(']', f);
		first = false;
	}
	fputc(']', f);
}

/* Each key of a day's tally (or research group; NULL: none). */
static void day_keys(FILE *f, const struct tally *t)
{
	fputc('[', f);
	for (size_t i = 0; t && i < t->nkeys; i++) {
		const struct tally_key *k = &t->keys[i];
		char name[SW_KEY_STRLEN];

		sw_key_str(&k->key, name);
		fprintf(f, "%s[\"%s\", \"%s\"", i ? ", " : "", name, sw_kind_names[k->key.kind]);
		key_counts(f, k);
		fputc(']', f);
	}
	fputc(']', f);
}

/* The victims lines the store appends for this interval (store.c, store_victims). */
static void interval_victims(FILE *f, const struct sw_interval *iv)
{
	char addr[SW_ADDR_STRLEN], key[SW_KEY_STRLEN];
	bool first = true;

	fprintf(f, ", \"victims\": [");
	for (size_t i = 0; i < iv->npairs; i++) {
		const struct sw_pair_rec *r = &iv->pairs[i];

		if (r->pair.key.kind != SW_KIND_BACKSCATTER || (r->pair.key.cls & SW_CLS_RESEARCH))
			continue;
		sw_addr_str(r->pair.addr, addr);
		sw_key_str(&r->pair.key, key);
		fprintf(f, "%s[\"%s\", \"%s\", %" PRIu64 ", %" PRIu64 ", %" PRIu64 "]",
			first ? "" : ", ", addr, key, (uint64_t)r->val.packets,
			(uint64_t)r->val.first_ns, (uint64_t)r->val.last_ns);
		first = false;
	}
	fputc(']', f);
}

int db_spool_interval(struct db_spool *sp, const struct point_store *ps,
		      const struct sw_interval *iv, uint64_t prev_seq)
{
	const struct tally *t = &ps->iv, *day = &ps->day.t;
	char suffix[48], w_iv[SW_U128_STRLEN], w_day[SW_U128_STRLEN];
	struct json_buf jb;
	bool first = true;
	int err = jb_open(&jb);

	if (err)
		return err;
	head(jb.f, "interval", ps->day.point);
	day_head(jb.f, &ps->day);
	fprintf(jb.f,
		", \"prev\": %" PRIu64 ", \"start\": %" PRIu64 ", \"len\": %" PRIu64
		", \"pairs\": [%zu, %" PRIu64 "], \"stats\": [",
		prev_seq, (uint64_t)iv->start_s, (uint64_t)iv->len_s, ps->nfresh, ps->day.pairs);
	for (int s = 0; s < SW_NSTATS; s++) {
		if (!t->stats[s])
			continue;
		fprintf(jb.f, "%s[\"%s\", %" PRIu64 ", %" PRIu64 "]", first ? "" : ", ",
			dayfile_stat_name(s), t->stats[s], day->stats[s]);
		first = false;
	}
	fprintf(jb.f, "], \"keys\": ");
	interval_keys(jb.f, t, day);
	fprintf(jb.f, ", \"areas\": [");
	first = true;
	for (int a = 0; a < SW_NAREAS; a++) {
		char cc[3];

		if (!t->area_accesses[a] && !t->area_sources[a])
			continue;
		sw_area_name(a, cc);
		fprintf(jb.f, "%s[\"%s\", %" PRIu64 ", %" PRIu64 ", %" PRIu64 ", %" PRIu64 "]",
			first ? "" : ", ", cc, t->area_accesses[a], t->area_sources[a],
			day->area_accesses[a], day->area_sources[a]);
		first = false;
	}
	fputc(']', jb.f);
	fprintf(jb.f, ", \"peak\": [%" PRIu64 ", %" PRIu64 ", %" PRIu64 ", %" PRIu64 "]", t->peak,
		t->peak_s, day->peak, day->peak_s);
	fprintf(jb.f, ", \"watched\": [%s, %s], \"research\": ", sw_fmt_u128(ps->watched, w_iv),
		sw_fmt_u128(ps->day.watched, w_day));
	interval_keys(jb.f, t->research, day->research);
	interval_victims(jb.f, iv);
	fprintf(jb.f, "}\n");
	snprintf(suffix, sizeof(suffix), "-%" PRIu64 "-%s.pending", ps->day.seq, ps->day.date);
	return add_record(sp, &jb, suffix, sp->pending, sizeof(sp->pending));
}

void db_spool_settle(struct db_spool *sp, bool stored)
{
	char name[DB_REC_NAME];

	if (!sp->pending[0])
		return;
	snprintf(name, sizeof(name), "%.16s.rec", sp->pending);
	/*
	 * Not synced: a rename lost in a crash leaves the pending record, which the next start
	 * keeps, since the daily file reached its interval.
	 */
	if (!stored || renameat(sp->dirfd, sp->pending, sp->dirfd, name))
		unlinkat(sp->dirfd, sp->pending, 0);
	sp->pending[0] = '\0';
}

/* The day's victims file, as its lines are: a line cut short by a crash is passed over. */
static void day_victims(FILE *out, const char *point_dir, const char *date)
{
	char path[PATH_MAX], line[256], addr[64], key[32], end;
	uint64_t packets, first_ns, last_ns;
	bool first = true;
	FILE *f;

	fprintf(out, ", \"victims\": [");
	snprintf(path, sizeof(path), "%s/victims/%s.txt", point_dir, date);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f)) {
		if (line[0] == '#' || !strchr(line, '\n') ||
		    sscanf(line, "%63s %31s %" SCNu64 " %" SCNu64 " %" SCNu64 " %c", addr, key,
			   &packets, &first_ns, &last_ns, &end) != 5)
			continue;
		fprintf(out, "%s[", first ? "" : ", ");
		json_str(out, addr);
		fputs(", ", out);
		json_str(out, key);
		fprintf(out, ", %" PRIu64 ", %" PRIu64 ", %" PRIu64 "]", packets, first_ns,
			last_ns);
		first = false;
	}
	if (f)
		fclose(f);
	fputc(']', out);
}

int db_spool_day(struct db_spool *sp, const struct point_store *ps)
{
	const struct dayfile *df = &ps->day;
	const struct tally *t = &df->t;
	char watched[SW_U128_STRLEN];
	struct json_buf jb;
	bool first = true;
	int err = jb_open(&jb);

	if (err)
		return err;
	head(jb.f, "day", df->point);
	day_head(jb.f, df);
	fprintf(jb.f, ", \"pairs\": %" PRIu64 ", \"stats\": [", df->pairs);
	for (int s = 0; s < SW_NSTATS; s++)
		fprintf(jb.f, "%s[\"%s\", %" PRIu64 "]", s ? ", " : "", dayfile_stat_name(s),
			t->stats[s]);
	fprintf(jb.f, "], \"keys\": ");
	day_keys(jb.f, t);
	fprintf(jb.f, ", \"areas\": [");
	for (int a = 0; a < SW_NAREAS; a++) {
		char cc[3];

		if (!t->area_accesses[a] && !t->area_sources[a])
			continue;
		sw_area_name(a, cc);
		fprintf(jb.f, "%s[\"%s\", %" PRIu64 ", %" PRIu64 "]", first ? "" : ", ", cc,
			t->area_accesses[a], t->area_sources[a]);
		first = false;
	}
	fputc(']', jb.f);
	fprintf(jb.f, ", \"peak\": [%" PRIu64 ", %" PRIu64 "]", t->peak, t->peak_s);
	fprintf(jb.f, ", \"watched\": %s, \"research\": ", sw_fmt_u128(df->watched, watched));
	day_keys(jb.f, t->research);
	day_victims(jb.f, sp->point_dir, df->date);
	fprintf(jb.f, "}\n");
	return add_record(sp, &jb, ".rec", NULL, 0);
}

static bool alert_line(const char *line)
{
	return line[0] && line[0] != '#' && line[0] != '\n';
}

int db_spool_alert(struct db_spool *sp, const char *line)
{
	struct json_buf jb;
	int err = jb_open(&jb);

	if (err)
		return err;
	head(jb.f, "alerts", sp->point);
	fprintf(jb.f, ", \"lines\": [[%" PRIu64 ", ", sp->alert_lines + 1);
	json_str(jb.f, line);
	fprintf(jb.f, "]]}\n");
	err = add_record(sp, &jb, ".rec", NULL, 0);
	if (!err)
		sp->alert_lines++;
	return err;
}

/*
 * Every line of alerts.log, numbered as db_spool_alert() numbers them: the database adds those
 * it lacks (a daemon that died between the log and the spool) and checks the others.
 */
static int queue_alerts_log(struct db_spool *sp)
{
	char path[PATH_MAX], line[1024];
	struct json_buf jb;
	uint64_t n = 0;
	FILE *f;
	int err;

	snprintf(path, sizeof(path), "%s/alerts.log", sp->point_dir);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : fail(sp, -errno, "cannot read", "../alerts.log");
	err = jb_open(&jb);
	if (err) {
		fclose(f);
		return err;
	}
	head(jb.f, "alerts", sp->point);
	fprintf(jb.f, ", \"lines\": [");
	while (fgets(line, sizeof(line), f)) {
		if (!alert_line(line))
			continue;
		line[strcspn(line, "\n")] = '\0';
		fprintf(jb.f, "%s[%" PRIu64 ", ", n ? ", " : "", n + 1);
		json_str(jb.f, line);
		fputc(']', jb.f);
		n++;
	}
	fclose(f);
	fprintf(jb.f, "]}\n");
	sp->alert_lines = n;
	if (!n) {
		jb_close(&jb);
		free(jb.buf);
		return 0;
	}
	return add_record(sp, &jb, ".rec", NULL, 0);
}

/* A pending record whose daily file reached its interval is kept; any other is dropped. */
static void settle_pending(struct db_spool *sp, const char *name)
{
	char date[11], path[PATH_MAX], rec[DB_REC_NAME], errmsg[256];
	uint64_t num, seq;
	struct dayfile df;

	if (sscanf(name, "%16" SCNu64 "-%" SCNu64 "-%10[0-9-].pending", &num, &seq, date) != 3) {
		unlinkat(sp->dirfd, name, 0);
		return;
	}
	snprintf(path, sizeof(path), "%s/daily/%s.txt", sp->point_dir, date);
	if (!dayfile_read(path, &df, errmsg, sizeof(errmsg)) && df.seq == seq) {
		snprintf(rec, sizeof(rec), "%016" PRIu64 ".rec", num);
		if (!renameat(sp->dirfd, name, sp->dirfd, rec)) {
			dayfile_free(&df);
			return;
		}
	}
	dayfile_free(&df);
	unlinkat(sp->dirfd, name, 0);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The directory's records (and, settle, what crashes left) into sp->names, oldest first. */
static int scan(struct db_spool *sp, bool settle)
{
	struct dirent *de;
	int fd = openat(sp->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);

	if (!d) {
		if (fd >= 0)
			close(fd);
		return fail(sp, -errno, "cannot list", "");
	}
	sp->nnames = sp->at = 0;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		uint64_t num;

		if (len < 16 || len >= DB_REC_NAME || sscanf(de->d_name, "%16" SCNu64, &num) != 1)
			continue;
		/* Only at open: afterwards the store's thread numbers records, the sender reads. */
		if (settle && num >= sp->next)
			sp->next = num + 1;
		if (settle && len > 4 && !strcmp(de->d_name + len - 4, ".tmp")) {
			unlinkat(sp->dirfd, de->d_name, 0);
			continue;
		}
		if (settle && len > 8 && !strcmp(de->d_name + len - 8, ".pending")) {
			settle_pending(sp, de->d_name);
			continue;
		}
		if (len != 20 || strcmp(de->d_name + 16, ".rec"))
			continue;
		if (SW_GROW(sp->names, sp->cap, sp->nnames + 1, 256)) {
			closedir(d);
			return -ENOMEM;
		}
		snprintf(sp->names[sp->nnames++], DB_REC_NAME, "%s", de->d_name);
	}
	closedir(d);
	if (sp->nnames)
		qsort(sp->names, sp->nnames, DB_REC_NAME, cmp_names);
	return 0;
}

int db_spool_open(struct db_spool *sp, const char *data_dir, const char *point)
{
	char path[PATH_MAX];
	int err;

	memset(sp, 0, sizeof(*sp));
	sp->dirfd = -1;
	snprintf(sp->point, sizeof(sp->point), "%s", point);
	if (snprintf(sp->point_dir, sizeof(sp->point_dir), "%s/%s", data_dir, point) >=
		    (int)sizeof(sp->point_dir) ||
	    snprintf(path, sizeof(path), "%s/" DB_SPOOL_DIR, sp->point_dir) >= (int)sizeof(path))
		return fail(sp, -ENAMETOOLONG, "cannot use", "");
	if (mkdir(path, DIR_MODE) && errno != EEXIST)
		return fail(sp, -errno, "cannot make", "");
	/* The spool is ours: a link put in its place is refused, not followed. */
	sp->dirfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sp->dirfd < 0)
		return fail(sp, -errno, "cannot open", "");
	sp->next = 1;
	err = scan(sp, true);
	if (!err)
		err = scan(sp, false);
	if (!err)
		err = queue_alerts_log(sp);
	sp->nnames = sp->at = 0;
	return err;
}

void db_spool_close(struct db_spool *sp)
{
	if (sp->dirfd >= 0)
		close(sp->dirfd);
	free(sp->names);
	sp->dirfd = -1;
	sp->names = NULL;
}

bool db_spool_oldest(struct db_spool *sp, char name[DB_REC_NAME])
{
	if (sp->at == sp->nnames && scan(sp, false))
		return false;
	if (sp->at == sp->nnames)
		return false;
	snprintf(name, DB_REC_NAME, "%s", sp->names[sp->at]);
	return true;
}

int db_spool_read(struct db_spool *sp, const char *name, char **buf, size_t *len)
{
	int fd = openat(sp->dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	ssize_t n;

	*buf = NULL;
	if (fd < 0 || fstat(fd, &st)) {
		int err = -errno;

		if (fd >= 0)
			close(fd);
		return fail(sp, err, "cannot read", name);
	}
	*buf = malloc((size_t)st.st_size + 1);
	if (!*buf) {
		close(fd);
		return -ENOMEM;
	}
	*len = 0;
	while (*len < (size_t)st.st_size &&
	       (n = read(fd, *buf + *len, (size_t)st.st_size - *len)) > 0)
		*len += (size_t)n;
	close(fd);
	(*buf)[*len] = '\0';
	return 0;
}

int db_spool_remove(struct db_spool *sp, const char *name)
{
	if (sp->at < sp->nnames && !strcmp(sp->names[sp->at], name))
		sp->at++;
	/* Not synced: a record that comes back after a crash is committed already, and skipped. */
	if (unlinkat(sp->dirfd, name, 0) && errno != ENOENT)
		return fail(sp, -errno, "cannot remove", name);
	return 0;
}

int db_spool_reject(struct db_spool *sp, const char *name)
{
	int fd;

	if (mkdirat(sp->dirfd, REJECTED, DIR_MODE) && errno != EEXIST)
		return fail(sp, -errno, "cannot make", REJECTED);
	fd = openat(sp->dirfd, REJECTED, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return fail(sp, -errno, "cannot open", REJECTED);
	if (renameat(sp->dirfd, name, fd, name)) {
		int err = -errno;

		close(fd);
		return fail(sp, err, "cannot move into " REJECTED "/", name);
	}
	close(fd);
	if (sp->at < sp->nnames && !strcmp(sp->names[sp->at], name))
		sp->at++;
	return 0;
}

size_t db_spool_count(struct db_spool *sp)
{
	struct db_spool copy = *sp;
	size_t n;

	/* A listing of its own, so that the sender's list is left as it is. */
	copy.names = NULL;
	copy.cap = 0;
	if (scan(&copy, false))
		n = 0;
	else
		n = copy.nnames;
	free(copy.names);
	return n;
}
