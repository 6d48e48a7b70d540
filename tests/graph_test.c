// SPDX-License-Identifier: GPL-2.0-only
/*
 * The chart catalogue against data whose every count is known: tools/lib/graph_fixture.h writes
 * eight days of two points (tokyo every 60 s, osaka every 300 s and down for a whole day) with
 * rrdstore's own schema, and daily summaries that agree with the RRD files. Every chart is drawn
 * with rrd_graph_v, and what it printed (print[N] "LABEL=TOTAL", legend[N]) must equal the sums
 * the fixture's generator gives for the window, to the unit, whatever the width (bars of several
 * days), for a window inside a day and for a key without an RRD file; a day nobody counted is
 * "no data", never "nan"; the stacking must pick exactly the keys and areas the summaries rank
 * first; a key must keep its colour from chart to chart, and keys must not share one. No root
 * needed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "charts.h"
#include "daysrc.h"
#include "graph_fixture.h"
#include "keyfmt.h"
#include "numfmt.h"
#include "summary.h"

#define DAYS 8
/* The window the tests draw: 2009-10-02 to 2009-10-08, days 1 to 7, osaka's gap (day 4) inside. */
#define D0 1
#define D1 8
#define TOP 3

struct env {
	char dir[64], out[128];
	struct fx fx;
	struct rrdio io;
	struct tally ranked; /* the summaries of the window, both points */
	struct daysrc src; /* the fixture's daily summaries */
	char points[FX_NPOINTS][SW_POINT_LEN];
	struct fx_step sum[FX_NPOINTS]; /* the generator's sums over the window */
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
	struct env *e = calloc(1, sizeof(*e));
	char err[512];
	unsigned int ndays;

	if (!e)
		return -1;
	snprintf(e->dir, sizeof(e->dir), "/tmp/sw-graph-XXXXXX");
	if (!mkdtemp(e->dir)) {
		free(e);
		return -1;
	}
	snprintf(e->out, sizeof(e->out), "%s/out", e->dir);
	if (mkdir(e->out, 0755)) {
		free(e);
		return -1;
	}
	fx_init(&e->fx, DAYS);
	if (fx_build(&e->fx, e->dir, err, sizeof(err))) {
		fprintf(stderr, "fixture: %s\n", err);
		return -1;
	}
	if (rrdio_open(&e->io, NULL))
		return -1;
	e->src = daysrc_files(e->dir);
	tally_init(&e->ranked);
	for (int p = 0; p < FX_NPOINTS; p++) {
		struct daysrc src = daysrc_files(e->dir);

		snprintf(e->points[p], SW_POINT_LEN, "%s", fx_points[p].name);
		if (summary_load(&src, e->points[p], FX_T0 / FX_DAY + D0, FX_T0 / FX_DAY + D1 - 1,
				 &e->ranked, &ndays, err, sizeof(err))) {
			fprintf(stderr, "summaries: %s\n", err);
			return -1;
		}
		fx_sum(&e->fx, p, D0, D1, &e->sum[p]);
	}
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	tally_free(&e->ranked);
	rrdio_close(&e->io);
	nftw(e->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(e);
	return 0;
}

static struct chart_req window(struct env *e)
{
	struct chart_req r = {
		.src = &e->src,
		.data_dir = e->dir,
		.io = &e->io,
		.points = e->points,
		.npoints = FX_NPOINTS,
		.all_points = true,
		.start = FX_T0 + D0 * FX_DAY,
		.end = FX_T0 + D1 * FX_DAY,
		.kind = -1,
		.top = TOP,
		.ranked = &e->ranked,
	};
	return r;
}

/* Draws a chart as PNG into the output directory; fails the test if it cannot. */
static rrd_info_t *draw(struct env *e, const char *name, const struct chart_req *req)
{
	const struct chart_def *c = chart_find(name);
	char path[256], errmsg[1024];
	rrd_info_t *info = NULL;
	int err;

	assert_non_null(c);
	snprintf(path, sizeof(path), "%s/%s.png", e->out, name);
	err = chart_draw(c, req, path, "PNG", &info, errmsg, sizeof(errmsg));
	if (err)
		fail_msg("%s: %s", name, errmsg);
	assert_non_null(info);
	return info;
}

/* The value of print[N] "LABEL=VALUE", or NULL. */
static const char *printed(const rrd_info_t *info, const char *label)
{
	char key[32];
	size_t n = strlen(label);

	for (int i = 0;; i++) {
		const char *v;

		snprintf(key, sizeof(key), "print[%d]", i);
		v = chart_info_str(info, key);
		if (!v)
			return NULL;
		if (!strncmp(v, label, n) && v[n] == '=')
			return v + n + 1;
	}
}

/* The labels of print[N] in order, "a,b,c". */
static void printed_labels(const rrd_info_t *info, char *buf, size_t len)
{
	char key[32];
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0;; i++) {
		const char *v, *eq;

		snprintf(key, sizeof(key), "print[%d]", i);
		v = chart_info_str(info, key);
		if (!v)
			return;
		eq = strchr(v, '=');
		off += (size_t)snprintf(buf + off, len - off, "%s%.*s", i ? "," : "",
					(int)(eq ? eq - v : (long)strlen(v)), v);
	}
}

/*
 * Whether some legend[N] shows the number as a person reads it, 161,716 (as a whole number,
 * not inside a longer one).
 */
static bool in_legend(const rrd_info_t *info, uint64_t v)
{
	char want[32], key[32];
	size_t n = strlen(sw_fmt_count(v, want));

	for (int i = 0;; i++) {
		const char *s, *at;

		snprintf(key, sizeof(key), "legend[%d]", i);
		s = chart_info_str(info, key);
		if (!s)
			return false;
		for (at = strstr(s, want); at; at = strstr(at + 1, want))
			if ((at == s || ((at[-1] < '0' || at[-1] > '9') && at[-1] != ',')) &&
			    (at[n] < '0' || at[n] > '9') && at[n] != ',')
				return true;
	}
}

/* Whether some legend[N] holds the text. */
static bool in_legend_text(const rrd_info_t *info, const char *text)
{
	char key[32];

	for (int i = 0;; i++) {
		const char *s;

		snprintf(key, sizeof(key), "legend[%d]", i);
		s = chart_info_str(info, key);
		if (!s)
			return false;
		if (strstr(s, text))
			return true;
	}
}

static void assert_total(const rrd_info_t *info, const char *label, uint64_t want)
{
	const char *got = printed(info, label);
	char w[32];

	snprintf(w, sizeof(w), "%" PRIu64, want);
	if (!got)
		fail_msg("no print of %s", label);
	if (strcmp(got, w))
		fail_msg("%s: chart says %s, the fixture counted %s", label, got, w);
	if (!in_legend(info, want))
		fail_msg("%s: %s is not in the legend", label, w);
}

/* Per-key sums of the window over both points, kinds merged; by accesses or sources. */
static uint64_t key_sum(const struct env *e, int k, bool src)
{
	uint64_t v = 0;

	for (int p = 0; p < FX_NPOINTS; p++)
		for (int d = 0; d < SW_NKINDS; d++)
			v += src ? e->sum[p].src[k][d] : e->sum[p].acc[k][d];
	return v;
}

static uint64_t total_sum(const struct env *e, bool src)
{
	uint64_t v = 0;

	for (int p = 0; p < FX_NPOINTS; p++)
		for (int d = 0; d < SW_NKINDS; d++)
			v += src ? e->sum[p].tot_src[d] : e->sum[p].tot_acc[d];
	return v;
}

/*
 * The fixture's own ranking, independent of summary files and of chart_rank_*: keys by their
 * window sum (ties in table order, which the fixture's sums never hit), tracked or not: per-day
 * charts draw the daily summaries, which hold every key.
 */
static int expected_top_keys(const struct env *e, bool src, int out[TOP])
{
	bool used[FX_NKEYS] = { 0 };
	int n = 0;

	while (n < TOP) {
		int best = -1;

		for (int k = 0; k < FX_NKEYS; k++)
			if (!used[k] && (best < 0 || key_sum(e, k, src) > key_sum(e, best, src)))
				best = k;
		if (best < 0)
			break;
		used[best] = true;
		out[n++] = best;
	}
	return n;
}

static void test_catalogue(void **state)
{
	bool types[CHART_FINGERPRINTS + 1] = { 0 };

	(void)state;
	for (size_t i = 0; i < chart_catalogue_len; i++) {
		const struct chart_def *c = &chart_catalogue[i];

		assert_ptr_equal(chart_find(c->name), c);
		assert_true(chart_matches(c, c->group));
		assert_true(c->days > 0);
		types[c->type] = true;
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(c->name, chart_catalogue[j].name);
	}
	/* README.md lists seven kinds of chart: every one is in the catalogue. */
	for (int t = 0; t <= CHART_FINGERPRINTS; t++)
		assert_true(types[t]);
	assert_null(chart_find("pie"));
	assert_int_equal(chart_find("points-accesses")->days, 183);
}

static void test_colours(void **state)
{
	char a[CHART_COLOUR_LEN], b[CHART_COLOUR_LEN], c[CHART_COLOUR_LEN];

	(void)state;
	chart_colour("tcp/445", a);
	assert_string_equal(a, "#1f77b4");
	/* A key with no fixed colour: from its name alone, the same on every call. */
	chart_colour("tcp/31337", a);
	chart_colour("tcp/31337", b);
	chart_colour("tcp/31338", c);
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	assert_int_equal(strlen(a), 7);
	assert_int_equal(a[0], '#');
	assert_int_equal(strspn(a + 1, "0123456789abcdef"), 6);
}

static void test_rank(void **state)
{
	struct tally t;
	struct sw_key k;
	struct chart_rank *r;
	char name[24];
	size_t n;

	(void)state;
	tally_init(&t);
	/* tcp/80 has 5 + 5 in two kinds: 10 beats tcp/22's 8 only once kinds are merged. */
	assert_int_equal(sw_key_parse("tcp/80", "scan", &k), 0);
	tally_key(&t, &k)->accesses = 5;
	assert_int_equal(sw_key_parse("tcp/80", "backscatter", &k), 0);
	tally_key(&t, &k)->accesses = 5;
	assert_int_equal(sw_key_parse("udp/53", "scan", &k), 0);
	tally_key(&t, &k)->accesses = 8;
	tally_key(&t, &k)->sources = 7;
	assert_int_equal(sw_key_parse("tcp/22", "scan", &k), 0);
	tally_key(&t, &k)->accesses = 8;
	tally_key(&t, &k)->sources = 1;
	t.area_accesses[sw_area_index("CN")] = 3;
	t.area_accesses[sw_area_index("JP")] = 9;
	t.area_accesses[SW_AREA_UNKNOWN] = 3;
	assert_int_equal(chart_rank_keys(&t, CHART_ACCESSES, &r, &n), 0);
	assert_int_equal(n, 3);
	chart_key_str(&r[0].key, name, sizeof(name));
	assert_string_equal(name, "tcp/80");
	assert_int_equal(r[0].value, 10);
	/* A tie goes to the key order: tcp before udp. */
	chart_key_str(&r[1].key, name, sizeof(name));
	assert_string_equal(name, "tcp/22");
	chart_key_str(&r[2].key, name, sizeof(name));
	assert_string_equal(name, "udp/53");
	free(r);
	assert_int_equal(chart_rank_keys(&t, CHART_SOURCES, &r, &n), 0);
	chart_key_str(&r[0].key, name, sizeof(name));
	assert_string_equal(name, "udp/53");
	free(r);
	assert_int_equal(chart_rank_areas(&t, CHART_ACCESSES, &r, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(r[0].area, sw_area_index("JP"));
	assert_int_equal(r[1].area, sw_area_index("CN")); /* ties: CN's index before ?? */
	assert_int_equal(r[2].area, SW_AREA_UNKNOWN);
	free(r);
	tally_free(&t);
}

static void check_keys(struct env *e, const char *chart, bool src)
{
	struct chart_req req = window(e);
	rrd_info_t *info = draw(e, chart, &req);
	int top[TOP], n = expected_top_keys(e, src, top);
	char want[256], got[256];
	uint64_t rest = total_sum(e, src);
	size_t off = 0;

	assert_int_equal(n, TOP);
	for (int i = 0; i < n; i++) {
		off += (size_t)snprintf(want + off, sizeof(want) - off, "%s,",
					fx_keys[top[i]].name);
		assert_total(info, fx_keys[top[i]].name, key_sum(e, top[i], src));
		rest -= key_sum(e, top[i], src);
	}
	snprintf(want + off, sizeof(want) - off, "other,total");
	printed_labels(info, got, sizeof(got));
	assert_string_equal(got, want);
	assert_total(info, "other", rest);
	assert_total(info, "total", total_sum(e, src));
	rrd_info_free(info);
}

static void test_keys_accesses(void **state)
{
	/* tcp/445, then tcp/1433 (no RRD file: the summaries have it), then tcp/80 (2 + 3 per
	 * minute in two kinds). */
	check_keys(*state, "keys-accesses", false);
}

static void test_keys_sources(void **state)
{
	/* Sources rank otherwise: tcp/22 (4 a minute) first. */
	check_keys(*state, "keys-sources", true);
}

static void check_areas(struct env *e, const char *chart, bool src)
{
	struct chart_req req = window(e);
	rrd_info_t *info = draw(e, chart, &req);
	uint64_t v[FX_NAREAS];
	int order[FX_NAREAS];
	char want[128], got[128];
	size_t off = 0;

	for (int a = 0; a < FX_NAREAS; a++) {
		v[a] = 0;
		for (int p = 0; p < FX_NPOINTS; p++)
			v[a] += src ? e->sum[p].area_src[a] : e->sum[p].area_acc[a];
		order[a] = a;
	}
	for (int i = 0; i < FX_NAREAS; i++)
		for (int j = i + 1; j < FX_NAREAS; j++)
			if (v[order[j]] > v[order[i]]) {
				int t = order[i];

				order[i] = order[j];
				order[j] = t;
			}
	for (int i = 0; i < TOP; i++) {
		off += (size_t)snprintf(want + off, sizeof(want) - off, "%s,", fx_areas[order[i]]);
		assert_total(info, fx_areas[order[i]], v[order[i]]);
	}
	snprintf(want + off, sizeof(want) - off, "other,total");
	printed_labels(info, got, sizeof(got));
	assert_string_equal(got, want);
	/* Four areas, three drawn: "other" is exactly the fourth. */
	assert_total(info, "other", v[order[TOP]]);
	assert_total(info, "total", total_sum(e, src));
	rrd_info_free(info);
}

static void test_areas(void **state)
{
	/* JP takes 5 tenths of the accesses, CN 3, US 1 and unknown the rest (more than US). */
	check_areas(*state, "areas-accesses", false);
	/* Sources: CN 4 tenths, JP 3, US 2. */
	check_areas(*state, "areas-sources", true);
}

static void test_shares(void **state)
{
	struct env *e = *state;
	struct chart_req req = window(e);
	rrd_info_t *info = draw(e, "keys-share-accesses", &req);
	int top[TOP];
	uint64_t total = total_sum(e, false), rest = total;
	char want[32];
	double sum = 0;

	expected_top_keys(e, false, top);
	for (int i = 0; i < TOP; i++) {
		uint64_t v = key_sum(e, top[i], false);

		snprintf(want, sizeof(want), "%.4f", 100.0 * (double)v / (double)total);
		assert_non_null(printed(info, fx_keys[top[i]].name));
		assert_string_equal(printed(info, fx_keys[top[i]].name), want);
		sum += atof(want);
		rest -= v;
	}
	snprintf(want, sizeof(want), "%.4f", 100.0 * (double)rest / (double)total);
	assert_string_equal(printed(info, "other"), want);
	sum += atof(want);
	assert_true(sum > 99.999 && sum < 100.001);
	rrd_info_free(info);
}

static void test_points(void **state)
{
	struct env *e = *state;
	struct chart_req req = window(e);
	rrd_info_t *info = draw(e, "points-accesses", &req);
	uint64_t v[FX_NPOINTS];

	for (int p = 0; p < FX_NPOINTS; p++) {
		v[p] = e->sum[p].tot_acc[0] + e->sum[p].tot_acc[1] + e->sum[p].tot_acc[2];
		/* osaka's five-minute steps and its missing day are both in the sum. */
		assert_total(info, fx_points[p].name, v[p]);
	}
	assert_total(info, "all", v[0] + v[1]);
	rrd_info_free(info);
	info = draw(e, "points-sources", &req);
	assert_total(info, "all", total_sum(e, true));
	rrd_info_free(info);
}

static void test_kinds_fingerprints(void **state)
{
	struct env *e = *state;
	struct chart_req req = window(e);
	rrd_info_t *info = draw(e, "kinds-accesses", &req);
	uint64_t fp[SW_NFPS] = { 0 };

	for (int d = 0; d < SW_NKINDS; d++)
		assert_total(info, sw_kind_names[d], e->sum[0].tot_acc[d] + e->sum[1].tot_acc[d]);
	rrd_info_free(info);
	info = draw(e, "kinds-sources", &req);
	for (int d = 0; d < SW_NKINDS; d++)
		assert_total(info, sw_kind_names[d], e->sum[0].tot_src[d] + e->sum[1].tot_src[d]);
	rrd_info_free(info);
	info = draw(e, "fingerprints", &req);
	assert_total(info, "scan", e->sum[0].tot_acc[0] + e->sum[1].tot_acc[0]);
	for (int f = 0; f < SW_NFPS; f++) {
		fp[f] = e->sum[0].fp[f] + e->sum[1].fp[f];
		assert_true(fp[f] > 0);
		assert_total(info, sw_fp_names[f], fp[f]);
	}
	rrd_info_free(info);
}

/* One point, one day: the day boundaries are exact (neither neighbour leaks in). */
static void test_one_day(void **state)
{
	struct env *e = *state;
	struct chart_req req = window(e);
	struct fx_step s;
	rrd_info_t *info;

	req.points = &e->points[0];
	req.npoints = 1;
	req.all_points = false;
	req.start = FX_T0 + 3 * FX_DAY;
	req.end = FX_T0 + 4 * FX_DAY;
	fx_sum(&e->fx, 0, 3, 4, &s);
	info = draw(e, "kinds-accesses", &req);
	assert_total(info, "scan", s.tot_acc[0]);
	assert_total(info, "backscatter", s.tot_acc[1]);
	rrd_info_free(info);
	/* osaka's missing day is unknown, not zero: it says so, in the print and the legend. */
	req.points = &e->points[1];
	req.start = FX_T0 + 4 * FX_DAY;
	req.end = FX_T0 + 5 * FX_DAY;
	info = draw(e, "kinds-accesses", &req);
	assert_non_null(printed(info, "scan"));
	assert_string_equal(printed(info, "scan"), "no data");
	assert_true(in_legend_text(info, "no data"));
	assert_false(in_legend_text(info, "nan"));
	rrd_info_free(info);
	/* A window that starts and ends inside days: per-day charts draw the whole days. */
	req.points = &e->points[0];
	req.start = FX_T0 + 3 * FX_DAY + 5 * 3600;
	req.end = FX_T0 + 4 * FX_DAY + 7 * 3600;
	fx_sum(&e->fx, 0, 3, 5, &s);
	info = draw(e, "kinds-accesses", &req);
	assert_total(info, "scan", s.tot_acc[0]);
	rrd_info_free(info);
}

/* Wider windows than pixels: each value covers several days, and the totals stay exact. */
static void test_binned(void **state)
{
	struct env *e = *state;
	struct chart_req req = window(e);
	rrd_info_t *info;
	uint64_t all = 0;

	/* 500 days drawn 200 pixels wide: three days a bar; the fixture's eight days inside. */
	req.start = FX_T0 - 400 * FX_DAY;
	req.end = FX_T0 + 100 * FX_DAY;
	req.width = 200;
	for (int p = 0; p < FX_NPOINTS; p++) {
		struct fx_step s;

		fx_sum(&e->fx, p, 0, DAYS, &s);
		all += s.tot_acc[0] + s.tot_acc[1] + s.tot_acc[2];
	}
	info = draw(e, "points-accesses", &req);
	assert_total(info, "all", all);
	rrd_info_free(info);
	info = draw(e, "keys-accesses", &req);
	assert_total(info, "total", all);
	rrd_info_free(info);
}

static uint64_t key_window(const struct env *e, int p, int k, unsigned int d0, unsigned int d1)
{
	struct fx_step s;

	fx_sum(&e->fx, p, d0, d1, &s);
	return s.acc[k][SW_KIND_SCAN];
}

static void test_key_holt_winters(void **state)
{
	struct env *e = *state;
	struct chart_req req = window(e);
	rrd_info_t *info;

	req.points = &e->points[0];
	req.npoints = 1;
	req.all_points = false;
	req.have_key = true;
	assert_int_equal(chart_key_parse("tcp/445", &req.key), 0);
	/* The last three days, per minute: the spike of day 6 (200 more a minute for an hour)
	 * leaves the band, and the failures archive says so. */
	req.start = FX_T0 + (DAYS - 3) * FX_DAY;
	req.end = FX_T0 + DAYS * FX_DAY;
	info = draw(e, "key", &req);
	assert_total(info, "tcp/445", key_window(e, 0, 0, DAYS - 3, DAYS));
	assert_string_equal(printed(info, "failures"), "1");
	rrd_info_free(info);
	/* The whole window, per day from the summaries: still exact, the failure still marked. */
	req.start = FX_T0 + D0 * FX_DAY;
	req.end = FX_T0 + D1 * FX_DAY;
	info = draw(e, "key", &req);
	assert_total(info, "tcp/445", key_window(e, 0, 0, D0, D1));
	assert_string_equal(printed(info, "failures"), "1");
	rrd_info_free(info);
	/* Inside the last day, 10:17 to 14:43: the sensor's minutes, each counted once. */
	{
		uint64_t want = 0;
		struct fx_step st;

		req.start = FX_T0 + (DAYS - 1) * FX_DAY + 10 * 3600 + 17 * 60;
		req.end = FX_T0 + (DAYS - 1) * FX_DAY + 14 * 3600 + 43 * 60;
		for (int64_t t = req.start; t < req.end; t += 60) {
			fx_step_counts(&e->fx, 0, (uint32_t)((t - FX_T0) / 60), &st);
			want += st.acc[0][SW_KIND_SCAN];
		}
		info = draw(e, "key", &req);
		assert_total(info, "tcp/445", want);
		rrd_info_free(info);
	}
	/* A key without an RRD file has its chart too: per day, from the summaries. */
	assert_int_equal(chart_key_parse("tcp/1433", &req.key), 0);
	req.start = FX_T0 + D0 * FX_DAY;
	req.end = FX_T0 + D1 * FX_DAY;
	info = draw(e, "key", &req);
	assert_total(info, "tcp/1433", key_window(e, 0, 1, D0, D1));
	assert_null(printed(info, "failures"));
	assert_true(in_legend_text(info, "no RRD file"));
	rrd_info_free(info);
	/* tcp/22 had no spike: no failure in the same three days. */
	assert_int_equal(chart_key_parse("tcp/22", &req.key), 0);
	req.start = FX_T0 + (DAYS - 3) * FX_DAY;
	req.end = FX_T0 + DAYS * FX_DAY;
	info = draw(e, "key", &req);
	assert_string_equal(printed(info, "failures"), "0");
	rrd_info_free(info);
}

/* The label and colour of every AREA or LINE of a chart with a colour: "tcp/445=#1f77b4". */
static size_t series_colours(const struct chart_argv *av, char out[][48], size_t max)
{
	size_t n = 0;

	for (int i = 0; i < av->n && n < max; i++) {
		const char *a = av->v[i], *hash, *colon;
		size_t len;

		if (strncmp(a, "AREA:", 5) && strncmp(a, "LINE", 4))
			continue;
		hash = strchr(a, '#');
		if (!hash)
			continue; /* an invisible base */
		colon = strchr(hash, ':');
		assert_non_null(colon);
		len = strcspn(colon + 1, " :");
		snprintf(out[n++], 48, "%.*s=%.7s", (int)len, colon + 1, hash);
	}
	return n;
}

static void test_colours_across_charts(void **state)
{
	static const char *const charts[] = { "keys-accesses",	     "keys-sources",
					      "keys-share-accesses", "keys-share-sources",
					      "areas-accesses",	     "kinds-accesses",
					      "fingerprints",	     "key" };
	struct env *e = *state;
	struct chart_req req = window(e);
	struct chart_colours map = { 0 };
	char seen[64][48], errmsg[512];
	size_t nseen = 0;

	req.have_key = true;
	req.top = 8; /* every key of the fixture */
	req.colours = &map;
	assert_int_equal(chart_key_parse("tcp/445", &req.key), 0);
	for (size_t i = 0; i < sizeof(charts) / sizeof(charts[0]); i++) {
		struct chart_built bt;
		struct chart_req r = req;
		char got[32][48];
		size_t n;

		if (!strcmp(charts[i], "key")) {
			r.points = &e->points[0];
			r.npoints = 1;
		}
		if (chart_build(chart_find(charts[i]), &r, "/dev/null", "PNG", &bt, errmsg,
				sizeof(errmsg)))
			fail_msg("%s: %s", charts[i], errmsg);
		n = series_colours(&bt.av, got, 32);
		chart_built_free(&bt);
		for (size_t j = 0; j < n; j++) {
			char *eq = strchr(got[j], '=');
			bool known = false;

			/* Not series: the mean of the points, the Holt-Winters prediction. */
			if (!strncmp(got[j], "mean/point", 10) ||
			    !strncmp(got[j], "prediction", 10) || !strncmp(got[j], "expected", 8))
				continue;
			for (size_t k = 0; k < nseen; k++) {
				char *seq = strchr(seen[k], '=');

				if ((size_t)(seq - seen[k]) == (size_t)(eq - got[j]) &&
				    !strncmp(seen[k], got[j], (size_t)(eq - got[j]))) {
					/* One name, one colour, in every chart. */
					if (strcmp(seen[k], got[j]))
						fail_msg("%s: %s, elsewhere %s", charts[i], got[j],
							 seen[k]);
					known = true;
				}
			}
			if (!known && nseen < 64)
				snprintf(seen[nseen++], 48, "%s", got[j]);
		}
	}
	/* Keys all drawn, and no two keys (nor a key and other) alike. */
	{
		size_t nkeys = 0;

		for (size_t i = 0; i < nseen; i++) {
			bool key_i = strchr(seen[i], '/') || !strncmp(seen[i], "other=", 6);

			nkeys += strchr(seen[i], '/') != NULL;
			for (size_t j = 0; key_i && j < i; j++) {
				bool key_j = strchr(seen[j], '/') || !strncmp(seen[j], "other=", 6);

				if (key_j &&
				    chart_colours_alike(strchr(seen[i], '#'), strchr(seen[j], '#')))
					fail_msg("%s and %s look alike", seen[i], seen[j]);
			}
		}
		assert_int_equal(nkeys, FX_NKEYS);
	}
	/* tcp/445 came first, in its fixed colour. */
	for (size_t i = 0; i < nseen; i++)
		if (!strncmp(seen[i], "tcp/445=", 8))
			assert_string_equal(seen[i], "tcp/445=#1f77b4");
	chart_colours_free(&map);
}

/* Forty names that hash or map to neighbouring colours still get forty that differ. */
static void test_colour_map(void **state)
{
	struct chart_colours map = { 0 };
	char name[24], a[CHART_COLOUR_LEN], b[CHART_COLOUR_LEN];

	(void)state;
	/* tcp/445 and US share a fixed colour: keys and areas never share a chart, so both keep it. */
	assert_int_equal(chart_colours_add(&map, "tcp/445"), 0);
	assert_int_equal(chart_colours_add(&map, "US"), 0);
	chart_colour_in(&map, "tcp/445", a);
	chart_colour_in(&map, "US", b);
	assert_string_equal(a, "#1f77b4");
	assert_string_equal(b, "#1f77b4");
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "udp/%d", 30000 + i);
		assert_int_equal(chart_colours_add(&map, name), 0);
	}
	for (size_t i = 0; i < map.n; i++)
		for (size_t j = 0; j < i; j++)
			if (strchr(map.v[i].name, '/') && strchr(map.v[j].name, '/') &&
			    chart_colours_alike(map.v[i].colour, map.v[j].colour))
				fail_msg("%s %s and %s %s look alike", map.v[i].name,
					 map.v[i].colour, map.v[j].name, map.v[j].colour);
	/* Asked again: the same colour, the map keeps it. */
	chart_colour_in(&map, "udp/30007", a);
	assert_int_equal(chart_colours_add(&map, "udp/30007"), 0);
	chart_colour_in(&map, "udp/30007", b);
	assert_string_equal(a, b);
	chart_colours_free(&map);
}

static void test_every_chart_file(void **state)
{
	static const unsigned char png_magic[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	struct env *e = *state;
	struct chart_req req = window(e);

	req.have_key = true;
	assert_int_equal(chart_key_parse("tcp/445", &req.key), 0);
	for (size_t i = 0; i < chart_catalogue_len; i++) {
		const struct chart_def *c = &chart_catalogue[i];
		struct chart_req r = req;

		if (c->type == CHART_KEY_HW) {
			r.points = &e->points[0];
			r.npoints = 1;
		}
		for (int f = 0; f < 2; f++) {
			char path[256], errmsg[1024], head[64] = { 0 };
			rrd_info_t *info;
			struct stat st;
			FILE *fp;

			snprintf(path, sizeof(path), "%s/%s.%s", e->out, c->name,
				 f ? "svg" : "png");
			if (chart_draw(c, &r, path, f ? "SVG" : "PNG", &info, errmsg,
				       sizeof(errmsg)))
				fail_msg("%s: %s", path, errmsg);
			assert_non_null(chart_info_str(info, "legend[0]"));
			rrd_info_free(info);
			assert_int_equal(stat(path, &st), 0);
			/* An empty plot is about 4 kB of PNG; axes, areas and legends are more. */
			if (st.st_size < (f ? 20000 : 10000))
				fail_msg("%s: only %lld bytes", path, (long long)st.st_size);
			fp = fopen(path, "rb");
			assert_non_null(fp);
			assert_true(fread(head, 1, sizeof(head) - 1, fp) > 8);
			fclose(fp);
			if (f)
				assert_non_null(strstr(head, "<svg") ?: strstr(head, "<?xml"));
			else
				assert_memory_equal(head, png_magic, sizeof(png_magic));
		}
	}
}

static void test_errors(void **state)
{
	struct env *e = *state;
	struct chart_req req = window(e);
	char errmsg[512], path[256];
	char nopoint[1][SW_POINT_LEN] = { "nowhere" };

	snprintf(path, sizeof(path), "%s/x.png", e->out);
	/* The key chart needs a key. */
	req.points = &e->points[0];
	req.npoints = 1;
	assert_int_equal(
		chart_draw(chart_find("key"), &req, path, "PNG", NULL, errmsg, sizeof(errmsg)),
		-EINVAL);
	assert_non_null(strstr(errmsg, "--key"));
	/* A point without files: a chart that says "no data" for every figure. */
	req.points = nopoint;
	{
		rrd_info_t *info = draw(e, "keys-accesses", &req);

		assert_string_equal(printed(info, "total"), "no data");
		assert_string_equal(printed(info, "other"), "no data");
		rrd_info_free(info);
	}
	(void)errmsg;
	/* No summaries: nothing ranked, everything is "other", which is then the total. */
	req = window(e);
	req.ranked = NULL;
	{
		rrd_info_t *info = draw(e, "keys-accesses", &req);
		char got[64];

		printed_labels(info, got, sizeof(got));
		assert_string_equal(got, "other,total");
		assert_total(info, "other", total_sum(e, false));
		rrd_info_free(info);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_catalogue),
		cmocka_unit_test(test_colours),
		cmocka_unit_test(test_rank),
		cmocka_unit_test(test_keys_accesses),
		cmocka_unit_test(test_keys_sources),
		cmocka_unit_test(test_areas),
		cmocka_unit_test(test_shares),
		cmocka_unit_test(test_points),
		cmocka_unit_test(test_kinds_fingerprints),
		cmocka_unit_test(test_one_day),
		cmocka_unit_test(test_key_holt_winters),
		cmocka_unit_test(test_binned),
		cmocka_unit_test(test_colours_across_charts),
		cmocka_unit_test(test_colour_map),
		cmocka_unit_test(test_every_chart_file),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
