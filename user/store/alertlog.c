// SPDX-License-Identifier: GPL-2.0-only
/*
 * The alerts a point has raised, as alerts.log keeps them (one line each, README.md
 * "Monthly report and alerts"), and the list type every reader of them shares.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "alertlog.h"
#include "dates.h"
#include "grow.h"
#include "log.h"
#include "parse_num.h"
#include "safe_file.h"

const char *const alert_kind_names[ALERT_NKINDS] = {
	[ALERT_HW] = "hw",
	[ALERT_SURGE_MONTH] = "surge-month",
	[ALERT_SURGE_WEEK] = "surge-week",
	[ALERT_TREND] = "trend",
};

/* ---- lists ---- */

int alert_list_add(struct alert_list *l, const struct alert *a)
{
	if (SW_GROW(l->v, l->cap, l->n + 1, 16))
		return -ENOMEM;
	l->v[l->n++] = *a;
	return 0;
}

void alert_list_free(struct alert_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int cmp_alerts(const void *x, const void *y)
{
	const struct alert *a = x, *b = y;
	int c;

	if (a->at != b->at)
		return a->at < b->at ? -1 : 1;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if ((c = strcmp(a->point, b->point)))
		return c;
	if ((c = strcmp(a->key, b->key)))
		return c;
	if (a->key_kind != b->key_kind)
		return a->key_kind < b->key_kind ? -1 : 1;
	return (int)a->sources - (int)b->sources;
}

void alert_list_sort(struct alert_list *l)
{
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), cmp_alerts);
}

static const char *who(const struct alert *a)
{
	return a->point[0] ? a->point : "all points";
}

void alert_describe(const struct alert *a, char *buf, size_t len)
{
	const char *measure = a->sources ? "sources" : "accesses";
	const char *kind =
		a->key_kind >= 0 && a->key_kind < SW_NKINDS ? sw_kind_names[a->key_kind] : "?";
	const char *what = a->kind == ALERT_SURGE_MONTH ? "month" : "week";

	switch (a->kind) {
	case ALERT_SURGE_MONTH:
	case ALERT_SURGE_WEEK:
		if (isnan(a->change_pct))
			snprintf(buf, len,
				 "%s: %s (%s) %s new on the %s before: %.1f a day from %s to %s, "
				 "none from %s to %s",
				 who(a), a->key, kind, measure, what, a->value, a->from, a->to,
				 a->base_from, a->base_to);
		else
			snprintf(buf, len,
				 "%s: %s (%s) %s %+.1f %% on the %s before: %.1f a day from %s to "
				 "%s, %.1f from %s to %s",
				 who(a), a->key, kind, measure, a->change_pct, what, a->value,
				 a->from, a->to, a->baseline, a->base_from, a->base_to);
		break;
	case ALERT_TREND:
		snprintf(buf, len,
			 "%s: %s (%s) trend score %.2f on %s: %.0f accesses and %.0f sources, "
			 "against %.1f and %.1f a day from %s to %s",
			 who(a), a->key, kind, a->score, a->from, a->value, a->value_sources,
			 a->baseline, a->baseline_sources, a->base_from, a->base_to);
		break;
	case ALERT_HW: {
		char pred[32];

		if (isnan(a->baseline))
			snprintf(pred, sizeof(pred), "?");
		else
			snprintf(pred, sizeof(pred), "%.1f", a->baseline);
		snprintf(buf, len,
			 "%s: Holt-Winters failure of %s (%s) %s from %s to %s%s: %.0f observed "
			 "where %s was predicted",
			 who(a), strcmp(a->key, "total") ? a->key : "all keys", kind, measure,
			 a->from, a->to, a->open ? " (still failing)" : "", a->value, pred);
		break;
	}
	default:
		snprintf(buf, len, "%s: ?", who(a));
	}
}

/* "2009-10-05T07:00Z" */
void alert_time_str(int64_t t, char out[ALERT_TIME_LEN])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, ALERT_TIME_LEN, "%Y-%m-%dT%H:%MZ", &tm);
}

int64_t alert_time_parse(const char *s)
{
	int64_t t;

	return sw_time_parse(s, &t) ? -1 : t;
}

static void num_str(double v, char *buf, size_t len)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.6g", v);
}

static const char *dash(const char *s)
{
	return s[0] ? s : "-";
}

void alerts_log_format(const struct alert *a, char *buf, size_t len)
{
	char v[6][32];

	num_str(a->value, v[0], sizeof(v[0]));
	num_str(a->baseline, v[1], sizeof(v[1]));
	num_str(a->value_sources, v[2], sizeof(v[2]));
	num_str(a->baseline_sources, v[3], sizeof(v[3]));
	num_str(a->change_pct, v[4], sizeof(v[4]));
	num_str(a->score, v[5], sizeof(v[5]));
	snprintf(buf, len, "%s %" PRId64 " %s %s %s %s %s %s %s %s %s %s %s %s %s %s %s",
		 alert_kind_names[a->kind], a->at, a->point, a->key, sw_kind_names[a->key_kind],
		 a->sources ? "sources" : "accesses", a->from, a->to, dash(a->base_from),
		 dash(a->base_to), v[0], v[1], v[2], v[3], v[4], v[5],
		 a->kind != ALERT_HW ? "-" :
		 a->open	     ? "open" :
				       "closed");
}

int alerts_log_append(const char *data_dir, const struct alert *a)
{
	char path[PATH_MAX], line[1024];
	struct stat st;
	FILE *f;
	int err = 0;

	if (!a->point[0])
		return 0; /* all points together: recomputed from the summaries, no file of its own */
	snprintf(path, sizeof(path), "%s/%s/" ALERT_LOG_FILE, data_dir, a->point);
	f = sf_fopen_path(path, "a", SW_MODE_FILE, &err);
	if (!f)
		return err;
	if (!fstat(fileno(f), &st) && st.st_size == 0)
		fprintf(f, "# scanwatch alerts (README.md \"Monthly report and alerts\"):\n"
			   "# KIND AT POINT KEY KEYKIND MEASURE FROM TO BASE_FROM BASE_TO VALUE "
			   "BASELINE VALUE_SOURCES BASELINE_SOURCES CHANGE_PCT SCORE STATE\n");
	alerts_log_format(a, line, sizeof(line));
	fprintf(f, "%s\n", line);
	if (fflush(f))
		err = -errno;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

bool alert_same_series(const struct alert *a, const struct alert *b)
{
	return a->kind == b->kind && a->key_kind == b->key_kind && a->sources == b->sources &&
	       !strcmp(a->point, b->point) && !strcmp(a->key, b->key);
}

static double num_parse(const char *s)
{
	char *end;
	double v;

	if (!strcmp(s, "-"))
		return NAN;
	v = strtod(s, &end);
	return *end ? NAN : v;
}

int alerts_log_parse(const char *point, char *line, struct alert_list *out, unsigned int *bad)
{
	char *w[17], *save = NULL;
	struct alert a = { 0 };
	int nw = 0, kind;
	uint64_t at;
	bool found = false;

	if (line[0] == '#')
		return 0;
	for (char *t = strtok_r(line, " \n", &save); t && nw < 17; t = strtok_r(NULL, " \n", &save))
		w[nw++] = t;
	if (nw == 0)
		return 0;
	/* A line cut short by a crash, or not ours: counted and passed over. */
	if (nw != 17) {
		(*bad)++;
		return 0;
	}
	/* Other kinds are recomputed from the daily summaries. */
	if (strcmp(w[0], "hw"))
		return 0;
	if (parse_u64(w[1], 0, INT64_MAX, &at) || strcmp(w[2], point) ||
	    strlen(w[3]) >= SW_KEY_STRLEN || (kind = sw_kind_parse(w[4])) < 0 ||
	    strlen(w[6]) >= ALERT_TIME_LEN || strlen(w[7]) >= ALERT_TIME_LEN ||
	    alert_time_parse(w[6]) < 0 || alert_time_parse(w[7]) < 0) {
		(*bad)++;
		return 0;
	}
	a.kind = ALERT_HW;
	a.at = (int64_t)at;
	snprintf(a.point, sizeof(a.point), "%s", w[2]);
	snprintf(a.key, sizeof(a.key), "%s", w[3]);
	a.key_kind = kind;
	a.sources = !strcmp(w[5], "sources");
	snprintf(a.from, sizeof(a.from), "%s", w[6]);
	snprintf(a.to, sizeof(a.to), "%s", w[7]);
	a.value = num_parse(w[10]);
	a.baseline = num_parse(w[11]);
	a.value_sources = a.baseline_sources = a.change_pct = a.score = NAN;
	a.open = !strcmp(w[16], "open");
	/* A run is logged when it starts and again when it ends: the last line tells. */
	for (size_t i = 0; i < out->n; i++)
		if (alert_same_series(&out->v[i], &a) && !strcmp(out->v[i].from, a.from)) {
			out->v[i] = a;
			found = true;
		}
	return found ? 0 : alert_list_add(out, &a);
}

int alerts_log_read(const char *data_dir, const char *point, struct alert_list *out, char *errmsg,
		    size_t errlen)
{
	char path[PATH_MAX], line[1024];
	unsigned int bad = 0;
	FILE *f;
	int err = 0;

	snprintf(path, sizeof(path), "%s/%s/" ALERT_LOG_FILE, data_dir, point);
	f = sf_fopen_path(path, "r", 0, &err);
	if (!f) {
		if (err == -ENOENT)
			return 0;
		snprintf(errmsg, errlen, "%s: %s", path, sf_strerror(err));
		return err;
	}
	while (!err && fgets(line, sizeof(line), f))
		err = alerts_log_parse(point, line, out, &bad);
	fclose(f);
	if (bad)
		sw_warn("%s: %u line(s) that are not alerts passed over", path, bad);
	return err;
}
