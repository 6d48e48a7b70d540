// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic_file.h"
#include "dates.h"
#include "grow.h"
#include "keyfmt.h"
#include "tracked.h"

/*
 * TALOT2's ten of October 2009 (seeds/000: 445, 135, ping, 1433, 22, 2967, 1434 — printed as tcp,
 * so both protocols —, 139, 5900, 4899), the rest of the brief's list (80, 3389), then the ports
 * scanned most in current public reports (SANS ISC, darknet and honeypot reports: Telnet and the
 * Mirai family's IoT ports, web, databases, and the UDP services abused for amplification).
 */
static const char *const default_keys[] = {
	"tcp/445",  "tcp/135",	"icmp/echo", "tcp/1433", "tcp/22",    "tcp/2967",  "tcp/1434",
	"udp/1434", "tcp/139",	"tcp/5900",  "tcp/4899", "tcp/80",    "tcp/3389",  "tcp/23",
	"tcp/2323", "tcp/8080", "tcp/443",   "tcp/5555", "tcp/37215", "tcp/52869", "tcp/7547",
	"tcp/3306", "tcp/6379", "tcp/25",    "tcp/21",	 "tcp/8443",  "tcp/81",	   "udp/53",
	"udp/123",  "udp/1900", "udp/161",   "udp/5060",
};

void key_list_free(struct key_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

bool key_list_has(const struct key_list *l, uint32_t fkey)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i] == fkey)
			return true;
	return false;
}

int key_list_add(struct key_list *l, uint32_t fkey)
{
	if (key_list_has(l, fkey))
		return 0;
	if (SW_GROW(l->v, l->cap, l->n + 1, 64))
		return -ENOMEM;
	l->v[l->n++] = fkey;
	return 0;
}

int sw_fkey_parse(const char *str, uint32_t *fkey)
{
	struct sw_key k;

	if (sw_key_parse(str, "scan", &k))
		return -EINVAL;
	*fkey = sw_fkey(&k);
	return 0;
}

void sw_fkey_str(uint32_t fkey, char buf[16])
{
	struct sw_key k = { .cls = fkey >> 16, .num = fkey & 0xffff };

	sw_key_str(&k, buf);
}

void sw_fkey_file(uint32_t fkey, char buf[16])
{
	sw_fkey_str(fkey, buf);
	for (char *c = buf; *c; c++)
		if (*c == '/')
			*c = '_';
}

int key_list_defaults(struct key_list *l)
{
	for (size_t i = 0; i < sizeof(default_keys) / sizeof(default_keys[0]); i++) {
		uint32_t k;
		int err = sw_fkey_parse(default_keys[i], &k);

		if (!err)
			err = key_list_add(l, k);
		if (err)
			return err;
	}
	return 0;
}

/* Cuts the comment and surrounding blanks; returns the words left, up to max, in w. */
static int split_line(char *line, char **w, int max)
{
	char *hash = strchr(line, '#');
	int n = 0;

	if (hash)
		*hash = '\0';
	for (char *tok = strtok(line, " \t\r\n"); tok; tok = strtok(NULL, " \t\r\n")) {
		if (n == max)
			return max + 1;
		w[n++] = tok;
	}
	return n;
}

static int line_error(char *errmsg, size_t errlen, const char *path, unsigned int lineno,
		      const char *fmt, const char *what)
{
	int n = snprintf(errmsg, errlen, "%s:%u: ", path, lineno);

	if (n > 0 && (size_t)n < errlen)
		snprintf(errmsg + n, errlen - n, fmt, what);
	return -EINVAL;
}

#define KEY_FORMS "tcp/N, udp/N, icmp/echo, icmp/T, icmp6/T, proto/N or frag"

int key_list_load(struct key_list *l, const char *path, char *errmsg, size_t errlen)
{
	char line[512];
	unsigned int lineno = 0;
	FILE *f = fopen(path, "r");
	int err = 0;

	if (!f) {
		snprintf(errmsg, errlen, "cannot read key list %s: %s", path, strerror(errno));
		return -errno;
	}
	while (!err && fgets(line, sizeof(line), f)) {
		char *w[2];
		uint32_t k;
		int n;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			err = line_error(errmsg, errlen, path, lineno, "line too long%s", "");
			break;
		}
		n = split_line(line, w, 1);
		if (n == 0)
			continue;
		if (n > 1)
			err = line_error(
				errmsg, errlen, path, lineno,
				"one key per line, then a '#' comment if you like, not '%s ...'",
				w[0]);
		else if (sw_fkey_parse(w[0], &k))
			err = line_error(errmsg, errlen, path, lineno,
					 "'%s' is not a key (" KEY_FORMS ")", w[0]);
		else
			err = key_list_add(l, k);
	}
	if (!err && ferror(f)) {
		snprintf(errmsg, errlen, "cannot read key list %s: %s", path, strerror(EIO));
		err = -EIO;
	}
	fclose(f);
	return err;
}

void tracked_init(struct tracked *t)
{
	memset(t, 0, sizeof(*t));
}

void tracked_free(struct tracked *t)
{
	free(t->keys);
	tracked_init(t);
}

int tracked_add_key(struct tracked *t, uint32_t fkey, const char *since)
{
	for (size_t i = 0; i < t->nkeys; i++)
		if (t->keys[i].fkey == fkey)
			return 0;
	if (SW_GROW(t->keys, t->cap, t->nkeys + 1, 32))
		return -ENOMEM;
	t->keys[t->nkeys].fkey = fkey;
	snprintf(t->keys[t->nkeys].since, sizeof(t->keys[0].since), "%s", since);
	t->nkeys++;
	return 0;
}

static bool date_ok(const char *s)
{
	int64_t day;

	return !sw_day_parse(s, &day);
}

int tracked_load(struct tracked *t, const char *path, char *errmsg, size_t errlen)
{
	char line[512];
	unsigned int lineno = 0;
	int err;
	FILE *f = sf_fopen_path(path, "r", 0, &err);

	if (!f) {
		if (err == -ENOENT)
			return 0;
		snprintf(errmsg, errlen, "cannot read %s: %s", path, sf_strerror(err));
		return err;
	}
	while (!err && fgets(line, sizeof(line), f)) {
		char *w[3];
		uint32_t k;
		int n;

		lineno++;
		n = split_line(line, w, 3);
		if (n == 0)
			continue;
		if (n != 3 || !date_ok(w[2])) {
			err = line_error(errmsg, errlen, path, lineno,
					 "expected 'key KEY YYYY-MM-DD' or 'area CC YYYY-MM-DD'%s",
					 "");
		} else if (!strcmp(w[0], "key")) {
			if (sw_fkey_parse(w[1], &k))
				err = line_error(errmsg, errlen, path, lineno,
						 "'%s' is not a key (" KEY_FORMS ")", w[1]);
			else
				err = tracked_add_key(t, k, w[2]);
		} else if (!strcmp(w[0], "area")) {
			int a = sw_area_index(w[1]);

			if (a == SW_AREA_UNKNOWN && strcmp(w[1], "??"))
				err = line_error(errmsg, errlen, path, lineno,
						 "'%s' is not an area (two capital letters or ?\?)",
						 w[1]);
			else
				snprintf(t->area_since[a], sizeof(t->area_since[a]), "%s", w[2]);
		} else {
			err = line_error(errmsg, errlen, path, lineno,
					 "'%s' is neither 'key' nor 'area'", w[0]);
		}
	}
	fclose(f);
	return err;
}

int tracked_save(const struct tracked *t, const char *path)
{
	struct atomic_file af;
	FILE *f;
	int err = atomic_file_open(&af, path, SW_MODE_FILE);

	if (err)
		return err;
	f = af.f;
	fprintf(f,
		"# scanwatch: RRD files beyond the configured key list (README.md, \"RRD "
		"files\")\n# key KEY SINCE: joined the day's top %d; area CC SINCE\n",
		SW_TOP_N);
	for (size_t i = 0; i < t->nkeys; i++) {
		char name[16];

		sw_fkey_str(t->keys[i].fkey, name);
		fprintf(f, "key %s %s\n", name, t->keys[i].since);
	}
	for (int a = 0; a < SW_NAREAS; a++) {
		char cc[3];

		if (!t->area_since[a][0])
			continue;
		sw_area_name(a, cc);
		fprintf(f, "area %s %s\n", cc, t->area_since[a]);
	}
	return atomic_file_commit(&af);
}

struct ranked {
	uint32_t fkey;
	uint64_t accesses;
};

static int by_fkey(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	return x->fkey < y->fkey ? -1 : x->fkey > y->fkey;
}

static int by_rank(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->accesses != y->accesses)
		return x->accesses > y->accesses ? -1 : 1;
	return by_fkey(a, b);
}

int tracked_top(const struct tally *day, size_t n, uint64_t min, uint32_t *out)
{
	struct ranked *r;
	size_t m = 0, got = 0;

	if (!day->nkeys)
		return 0;
	r = malloc(day->nkeys * sizeof(*r));
	if (!r)
		return -ENOMEM;
	for (size_t i = 0; i < day->nkeys; i++)
		r[i] = (struct ranked){ sw_fkey(&day->keys[i].key), day->keys[i].accesses };
	/* A key's kinds are one file: add them up before ranking. */
	qsort(r, day->nkeys, sizeof(*r), by_fkey);
	for (size_t i = 0; i < day->nkeys; i++) {
		if (m && r[m - 1].fkey == r[i].fkey)
			r[m - 1].accesses += r[i].accesses;
		else
			r[m++] = r[i];
	}
	qsort(r, m, sizeof(*r), by_rank);
	for (size_t i = 0; i < m && got < n && r[i].accesses >= min; i++)
		out[got++] = r[i].fkey;
	free(r);
	return (int)got;
}
