// SPDX-License-Identifier: GPL-2.0-only
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic_file.h"
#include "dayfile.h"
#include "keyfmt.h"
#include "numfmt.h"
#include "dates.h"
#include "parse_num.h"
#include "points.h"

static const char *const stat_names[SW_NSTATS] = {
	[SW_STAT_PACKETS] = "packets",
	[SW_STAT_NOT_IP] = "not_ip",
	[SW_STAT_RUNT] = "runt",
	[SW_STAT_UNWATCHED] = "unwatched",
	[SW_STAT_KEYS_LOST] = "keys_lost",
	[SW_STAT_SOLICITED_FLOW] = "solicited_flow",
	[SW_STAT_SOLICITED_SOCKET] = "solicited_socket",
	[SW_STAT_FLOWS_NEW] = "flows_new",
	[SW_STAT_FLOWS_LOST] = "flows_lost",
	[SW_STAT_FLOWS_EVICTED] = "flows_evicted",
	[SW_STAT_LOG_FULL] = "log_full",
	[SW_STAT_PAIRS_OVER] = "pairs_over",
};

const char *dayfile_stat_name(int stat)
{
	return stat >= 0 && stat < SW_NSTATS ? stat_names[stat] : NULL;
}

int dayfile_stat_index(const char *name)
{
	for (int s = 0; s < SW_NSTATS; s++)
		if (!strcmp(name, stat_names[s]))
			return s;
	return -1;
}

void dayfile_init(struct dayfile *df)
{
	memset(df, 0, sizeof(*df));
	tally_init(&df->t);
}

void dayfile_free(struct dayfile *df)
{
	tally_free(&df->t);
	dayfile_init(df);
}

static void write_keys(FILE *f, const char *what, const struct tally *t)
{
	for (size_t i = 0; i < t->nkeys; i++) {
		const struct tally_key *k = &t->keys[i];
		char name[SW_KEY_STRLEN];

		sw_key_str(&k->key, name);
		fprintf(f,
			"%s %s %s %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
			" %" PRIu64 "\n",
			what, name, sw_kind_names[k->key.kind], k->accesses, k->sources,
			k->fp[SW_FP_MIRAI], k->fp[SW_FP_ZMAP], k->fp[SW_FP_MASSCAN], k->lost);
	}
}

static void write_body(FILE *f, const struct dayfile *df)
{
	const struct tally *t = &df->t;

	fprintf(f, "# scanwatch daily summary: see README.md, \"Daily summary files\"\n");
	fprintf(f, "format %d\npoint %s\ndate %s\ntz %s\nseq %" PRIu64 "\npairs %" PRIu64 "\n",
		SW_DAYFILE_FORMAT, df->point, df->date, df->tz, df->seq, df->pairs);
	fprintf(f, "lost_sources %" PRIu64 "\n", t->lost_sources);
	if (df->watched) {
		char n[SW_U128_STRLEN];

		fprintf(f, "watched %s\n", sw_fmt_u128(df->watched, n));
	}
	if (t->peak) {
		char when[SW_UTC_LEN];

		sw_utc_second(t->peak_s, when);
		fprintf(f, "# peak ACCESSES SECOND: the most accesses in one second, at %s\n",
			when);
		fprintf(f, "peak %" PRIu64 " %" PRIu64 "\n", t->peak, t->peak_s);
	}
	for (int s = 0; s < SW_NSTATS; s++)
		fprintf(f, "stat %s %" PRIu64 "\n", stat_names[s], t->stats[s]);
	fprintf(f, "# key NAME KIND ACCESSES SOURCES MIRAI ZMAP MASSCAN LOST\n");
	write_keys(f, "key", t);
	if (tally_has_research(t)) {
		fprintf(f, "# research NAME KIND ACCESSES SOURCES MIRAI ZMAP MASSCAN LOST\n");
		write_keys(f, "research", t->research);
	}
	fprintf(f, "# area CC ACCESSES SOURCES\n");
	for (int a = 0; a < SW_NAREAS; a++) {
		char cc[3];

		if (!t->area_accesses[a] && !t->area_sources[a])
			continue;
		sw_area_name(a, cc);
		fprintf(f, "area %s %" PRIu64 " %" PRIu64 "\n", cc, t->area_accesses[a],
			t->area_sources[a]);
	}
}

int dayfile_writeat(int dfd, const char *name, const struct dayfile *df)
{
	struct atomic_file af;
	int err = atomic_file_openat(&af, dfd, name, SW_MODE_FILE);

	if (err)
		return err;
	write_body(af.f, df);
	return atomic_file_commit(&af);
}

int dayfile_write(const char *path, const struct dayfile *df)
{
	struct atomic_file af;
	int err = atomic_file_open(&af, path, SW_MODE_FILE);

	if (err)
		return err;
	write_body(af.f, df);
	return atomic_file_commit(&af);
}

#define MAX_FIELDS 10

static int split(char *line, char **fields)
{
	int n = 0;

	for (char *tok = strtok(line, " \t\n"); tok; tok = strtok(NULL, " \t\n")) {
		if (n == MAX_FIELDS)
			return -1;
		fields[n++] = tok;
	}
	return n;
}

/*
 * What a file has said so far: a second line for the same fact is a file scanwatch did not
 * write (two files joined, or an edit), and summing it would count its figures twice.
 */
struct seen {
	bool head[8]; /* format point date tz seq pairs lost_sources watched */
	bool peak;
	bool stat[SW_NSTATS];
	bool area[SW_NAREAS];
};

/*
 * Files written before the day's set had a ceiling have no lost_sources line: none was lost.
 * Without a watched line (no --watch, or an older version) the addresses are unknown.
 */
#define NHEAD 8
static const char *const head_names[NHEAD] = {
	"format", "point", "date", "tz", "seq", "pairs", "lost_sources", "watched",
};

static int parse_head(struct dayfile *df, struct seen *seen, int h, const char *v, const char **why)
{
	uint64_t *num[NHEAD] = { [4] = &df->seq, [5] = &df->pairs, [6] = &df->t.lost_sources };
	char *dst[NHEAD] = { NULL, df->point, df->date, df->tz };
	size_t len[NHEAD] = { 0, sizeof(df->point), sizeof(df->date), sizeof(df->tz) };
	int64_t day;

	*why = "line repeated";
	if (seen->head[h])
		return -1;
	seen->head[h] = true;
	switch (h) {
	case 0:
		*why = "unsupported format";
		return strcmp(v, "1") ? -1 : 0;
	case 4:
	case 5:
	case 6:
		*why = "bad number";
		return parse_u64(v, 0, UINT64_MAX, num[h]) ? -1 : 0;
	case 7:
		/* 0 is no count of addresses: a file says "unknown" by having no line. */
		*why = "bad number of watched addresses";
		return parse_u128(v, &df->watched) || !df->watched ? -1 : 0;
	}
	*why = "value too long";
	if (strlen(v) >= len[h])
		return -1;
	*why = h == 1 ? "bad point name" : "bad date";
	if ((h == 1 && !point_name_ok(v)) || (h == 2 && sw_day_parse(v, &day)))
		return -1;
	strcpy(dst[h], v);
	return 0;
}

static int parse_line(struct dayfile *df, struct seen *seen, char **f, int n, const char **why)
{
	uint64_t v[6];

	*why = "unknown line";
	for (int h = 0; h < NHEAD; h++)
		if (!strcmp(f[0], head_names[h]) && n == 2)
			return parse_head(df, seen, h, f[1], why);
	/* Files written before the peak rate have no peak line: the day's peak is unknown (0). */
	if (!strcmp(f[0], "peak") && n == 3) {
		*why = "line repeated";
		if (seen->peak)
			return -1;
		seen->peak = true;
		*why = "bad number";
		if (parse_u64(f[1], 0, UINT64_MAX, &v[0]) || parse_u64(f[2], 0, UINT64_MAX, &v[1]))
			return -1;
		df->t.peak = v[0];
		df->t.peak_s = v[0] ? v[1] : 0;
		return 0;
	}
	if (!strcmp(f[0], "stat") && n == 3) {
		for (int s = 0; s < SW_NSTATS; s++)
			if (!strcmp(f[1], stat_names[s])) {
				*why = "stat repeated";
				if (seen->stat[s])
					return -1;
				seen->stat[s] = true;
				*why = "bad number";
				return parse_u64(f[2], 0, UINT64_MAX, &df->t.stats[s]) ? -1 : 0;
			}
		*why = "unknown stat";
		return -1;
	}
	if ((!strcmp(f[0], "key") || !strcmp(f[0], "research")) && n == 9) {
		struct tally *t = f[0][0] == 'k' ? &df->t : tally_research(&df->t);
		struct sw_key key;
		struct tally_key *tk;

		*why = "out of memory";
		if (!t)
			return -1;
		*why = "bad key or kind";
		if (sw_key_parse(f[1], f[2], &key))
			return -1;
		*why = "bad number";
		for (int i = 0; i < 6; i++)
			if (parse_u64(f[3 + i], 0, UINT64_MAX, &v[i]))
				return -1;
		*why = "key listed twice";
		if (tally_find(t, &key))
			return -1;
		*why = "out of memory";
		tk = tally_key(t, &key);
		if (!tk)
			return -1;
		tk->accesses = v[0];
		tk->sources = v[1];
		tk->fp[SW_FP_MIRAI] = v[2];
		tk->fp[SW_FP_ZMAP] = v[3];
		tk->fp[SW_FP_MASSCAN] = v[4];
		tk->lost = v[5];
		return 0;
	}
	if (!strcmp(f[0], "area") && n == 4) {
		int a = sw_area_index(f[1]);

		*why = "bad area";
		if (a == SW_AREA_UNKNOWN && strcmp(f[1], "??"))
			return -1;
		*why = "area listed twice";
		if (seen->area[a])
			return -1;
		seen->area[a] = true;
		*why = "bad number";
		if (parse_u64(f[2], 0, UINT64_MAX, &v[0]) || parse_u64(f[3], 0, UINT64_MAX, &v[1]))
			return -1;
		df->t.area_accesses[a] = v[0];
		df->t.area_sources[a] = v[1];
		return 0;
	}
	return -1;
}

int dayfile_read(const char *path, struct dayfile *df, char *errmsg, size_t errlen)
{
	char line[512], *fields[MAX_FIELDS];
	struct seen seen = { 0 };
	const char *why = NULL;
	unsigned int lineno = 0;
	FILE *f;
	int n, err;

	dayfile_init(df);
	/* Not through a link, and never waiting on a FIFO planted in the file's place. */
	f = sf_fopen_path(path, "r", 0, &err);
	if (!f) {
		snprintf(errmsg, errlen, "%s: %s", path, sf_strerror(err));
		/* Not a file scanwatch wrote: bad input, like one that does not parse. */
		return err == -ELOOP || err == -SF_ENOTREG ? -EINVAL : err;
	}
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			why = "line too long";
			break;
		}
		if (line[0] == '#')
			continue;
		n = split(line, fields);
		if (n == 0)
			continue;
		if (n < 0) {
			why = "too many fields";
			break;
		}
		if (parse_line(df, &seen, fields, n, &why))
			break;
		why = NULL;
	}
	fclose(f);
	/* Every file scanwatch writes has all three; one written without tz would not read back. */
	if (!why && (!df->point[0] || strlen(df->date) != 10 || !df->tz[0])) {
		why = "point, date or tz missing";
		lineno = 0;
	}
	if (why) {
		snprintf(errmsg, errlen, "%s:%u: %s", path, lineno, why);
		dayfile_free(df);
		return -EINVAL;
	}
	return 0;
}

static void days_of_point(const char *data_dir, const char *point, int64_t *first, int64_t *last)
{
	char path[PATH_MAX], date[11];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s/daily", data_dir, point);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		int64_t day;

		if (len != 14 || strcmp(de->d_name + 10, ".txt"))
			continue;
		snprintf(date, sizeof(date), "%.10s", de->d_name);
		if (sw_day_parse(date, &day))
			continue;
		if (day < *first)
			*first = day;
		if (day > *last)
			*last = day;
	}
	closedir(d);
}

int dayfile_span(const char *data_dir, const char *point, int64_t *first, int64_t *last)
{
	char names[256][SW_POINT_LEN];
	size_t n = 0;

	*first = INT64_MAX;
	*last = INT64_MIN;
	if (point) {
		days_of_point(data_dir, point, first, last);
	} else {
		int err = sw_points_find(data_dir, SW_POINTS_DAILY, names, 256, &n);

		if (err)
			return err;
		for (size_t i = 0; i < n; i++)
			days_of_point(data_dir, names[i], first, last);
	}
	return *first <= *last ? 0 : -ENOENT;
}
