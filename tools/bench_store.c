// SPDX-License-Identifier: GPL-2.0-only
/*
 * `make bench`, target "drain of 1 000 000 (source, key) pairs": feeds store_interval() with
 * synthetic intervals of distinct (source, key) pairs, all in one day, the way the daemon feeds it
 * after a drain, and reports the time each interval of 1M pairs took to store, the day's set size
 * (pairset_bytes) and the peak resident memory (getrusage). Then it reopens the day as a restarted
 * daemon would and times the reload of the day's pairs. Figures are information, never a verdict:
 * the exit status only says whether the bench ran and counted exactly.
 */
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "benchutil.h"
#include "cli.h"
#include "drain.h"
#include "geoip.h"
#include "log.h"
#include "pairset.h"
#include "parse_num.h"
#include "store.h"

#define TARGET_STORE_S 0.2
#define TARGET_RSS_MB 150.0
/* 2023-11-14 00:00:00 UTC: every interval falls in that day. */
#define DAY_START_S 1699920000ull
#define KEYS_PER_SOURCE 4

static const char help[] =
	"Usage: bench_store [options]\n"
	"\n"
	"Time and memory of storing a busy day's (source, key) pairs through store_interval():\n"
	"intervals of distinct pairs (mostly IPv4, some IPv6), all in one day, written to the\n"
	"day's summary and source log under a scratch data directory; then a restart's reload.\n"
	"Prints table rows shaped like tools/bench's, then the figures as one JSON member,\n"
	"\"store\": {...}, on one line (or as the object {\"store\": {...}} in --json FILE).\n"
	"\n"
	"  -n, --pairs N            distinct pairs in the day (default 10000000)\n"
	"  -m, --interval-pairs M   pairs per interval (default 1000000)\n"
	"  -6, --v6-permille P      IPv6 sources per thousand pairs (default 50)\n"
	"  -d, --data-dir DIR       scratch data directory (default: a new one under $TMPDIR or /tmp,\n"
	"                           removed at the end)\n"
	"  -g, --geoip FILE         country database to look sources up in (default: none)\n"
	"  -j, --json FILE          write {\"store\": {...}} to FILE instead of the line on stdout\n"
	"\n"
	"Example:\n"
	"  .output/tools/bench_store --pairs 10000000 --interval-pairs 1000000\n";

struct opts {
	uint64_t pairs, per_interval;
	unsigned int v6_permille;
	const char *data_dir, *geoip, *json;
};

struct figures {
	double first_s, max_s, sum_s, reload_s;
	size_t intervals;
	uint64_t stored, reloaded;
	size_t set_bytes, set_len;
	long rss_start_kb, rss_fed_kb, rss_first_kb, rss_day_kb, rss_peak_kb;
};

static const uint16_t ports[KEYS_PER_SOURCE][4] = {
	{ 445, 23, 22, 3389 },
	{ 1433, 80, 8080, 5060 },
	{ 135, 443, 6379, 2323 },
	{ 139, 53, 123, 5555 },
};

/*
 * Pair i of the day: source i / KEYS_PER_SOURCE, its (i % KEYS_PER_SOURCE)-th key. Sources keep
 * their address family whatever their pair, so a source's keys all share one address.
 */
static void make_pair(uint64_t i, unsigned int v6_permille, struct sw_pair_rec *r)
{
	uint64_t src = i / KEYS_PER_SOURCE;
	unsigned int k = i % KEYS_PER_SOURCE;
	uint32_t a = bench_spread32((uint32_t)src);

	memset(r, 0, sizeof(*r));
	if (src % 1000 < v6_permille) {
		r->pair.addr[0] = 0x20;
		r->pair.addr[1] = 0x01;
		r->pair.addr[2] = 0x0d;
		r->pair.addr[3] = 0xb8;
		memcpy(r->pair.addr + 8, &src, sizeof(src));
	} else {
		r->pair.addr[10] = 0xff;
		r->pair.addr[11] = 0xff;
		memcpy(r->pair.addr + 12, &a, 4);
	}
	r->pair.key.cls = k == 3 && (a & 1) ? SW_CLS_UDP : SW_CLS_TCP;
	r->pair.key.kind = SW_KIND_SCAN;
	r->pair.key.num = ports[k][a >> 30];
	r->val.packets = 1 + (a & 3);
	r->val.first_ns = r->val.last_ns = (DAY_START_S + 1) * 1000000000ull;
}

/* The interval's per-key records, summed from its pairs as the kernel would have counted. */
static int add_key(struct sw_interval *iv, const struct sw_pair_rec *p)
{
	for (size_t i = 0; i < iv->nkeys; i++) {
		struct sw_key *k = &iv->keys[i].key;

		if (k->cls == p->pair.key.cls && k->kind == p->pair.key.kind &&
		    k->num == p->pair.key.num) {
			iv->keys[i].val.packets += p->val.packets;
			return 0;
		}
	}
	if (iv->nkeys == iv->keys_cap)
		return -ENOSPC;
	iv->keys[iv->nkeys].key = p->pair.key;
	memset(&iv->keys[iv->nkeys].val, 0, sizeof(iv->keys[iv->nkeys].val));
	iv->keys[iv->nkeys++].val.packets = p->val.packets;
	return 0;
}

static int fill_interval(struct sw_interval *iv, uint64_t first, uint64_t n,
			 unsigned int v6_permille, uint64_t start_s)
{
	iv->nkeys = iv->npairs = 0;
	memset(iv->stats, 0, sizeof(iv->stats));
	iv->start_s = start_s;
	iv->len_s = 60;
	/*
	 * A drain hands pairs over in hash-table order, so a source's keys are far apart: walk the
	 * interval's sources once per key (a permutation of its pairs), which also keeps the
	 * country lookups from finding the source they just looked up.
	 */
	uint64_t q = n % KEYS_PER_SOURCE ? 0 : n / KEYS_PER_SOURCE;

	for (uint64_t i = 0; i < n; i++) {
		struct sw_pair_rec *r = &iv->pairs[iv->npairs++];
		uint64_t idx = q ? (i % q) * KEYS_PER_SOURCE + i / q : i;

		make_pair(first + idx, v6_permille, r);
		if (add_key(iv, r))
			return -ENOSPC;
		iv->stats[SW_STAT_PACKETS] += r->val.packets;
	}
	return 0;
}

static int parse_opts(struct opts *o, int argc, char **argv)
{
	static const struct option lo[] = { { "pairs", required_argument, NULL, 'n' },
					    { "interval-pairs", required_argument, NULL, 'm' },
					    { "v6-permille", required_argument, NULL, '6' },
					    { "data-dir", required_argument, NULL, 'd' },
					    { "geoip", required_argument, NULL, 'g' },
					    { "json", required_argument, NULL, 'j' },
					    { "help", no_argument, NULL, 'h' },
					    {} };
	int opt;

	while ((opt = getopt_long(argc, argv, "n:m:6:d:g:j:h", lo, NULL)) != -1) {
		switch (opt) {
		case 'n':
			if (parse_u64(optarg, 1, 1ull << 32, &o->pairs))
				return usage_error("bench_store", "--pairs takes 1 to 2^32");
			break;
		case 'm':
			if (parse_u64(optarg, 1, 1ull << 28, &o->per_interval))
				return usage_error("bench_store",
						   "--interval-pairs takes 1 to 2^28");
			break;
		case '6':
			if (parse_uint(optarg, 0, 1000, &o->v6_permille))
				return usage_error("bench_store", "--v6-permille takes 0 to 1000");
			break;
		case 'd':
			o->data_dir = optarg;
			break;
		case 'g':
			o->geoip = optarg;
			break;
		case 'j':
			o->json = optarg;
			break;
		case 'h':
			bench_show_help(help);
		default:
			return usage_error("bench_store", "unknown option");
		}
	}
	return 0;
}

/* Stores the whole day, interval by interval, timing each store_interval() call. */
static int feed_day(const struct opts *o, struct point_store *ps, struct sw_interval *iv,
		    struct figures *fg)
{
	uint64_t done = 0, seq = 0;

	while (done < o->pairs) {
		uint64_t n = o->pairs - done < o->per_interval ? o->pairs - done : o->per_interval;
		double t0, dt;
		int err;

		err = fill_interval(iv, done, n, o->v6_permille, DAY_START_S + 60 * seq);
		if (err)
			return err;
		if (!seq)
			fg->rss_fed_kb = bench_peak_rss_kb();
		t0 = bench_now_s();
		err = store_interval(ps, iv, ++seq);
		dt = bench_now_s() - t0;
		if (err) {
			sw_err("%s", ps->errmsg);
			return err;
		}
		if (seq == 1) {
			fg->first_s = dt;
			/* The target's case: one drain of 1M pairs into an empty day. */
			fg->rss_first_kb = bench_peak_rss_kb();
		}
		if (n == o->per_interval && dt > fg->max_s)
			fg->max_s = dt;
		fg->sum_s += dt;
		fg->intervals++;
		done += n;
	}
	fg->rss_day_kb = bench_peak_rss_kb();
	fg->set_bytes = pairset_bytes(&ps->seen);
	fg->set_len = pairset_len(&ps->seen);
	fg->stored = ps->day.pairs;
	return 0;
}

static const char *verdict(double s, double mb)
{
	return s <= TARGET_STORE_S && mb <= TARGET_RSS_MB ? "PASS" : "MISS";
}

/* One row per case, shaped like tools/bench's table: a 40-column label, figures, verdict. */
static void print_rows(const struct opts *o, const struct figures *fg)
{
	char label[64];

	printf("%-40s %9s %9s %11s %9s  %s\n", "", "store s", "mean s", "peak RSS MB", "set MB",
	       "target <=0.2 s, <=150 MB");
	snprintf(label, sizeof(label), "store: 1st interval, %" PRIu64 " pairs", o->per_interval);
	printf("%-40s %9.3f %9s %11.1f %9s  %s\n", label, fg->first_s, "",
	       fg->rss_first_kb / 1024.0, "", verdict(fg->first_s, fg->rss_first_kb / 1024.0));
	snprintf(label, sizeof(label), "store: day of %" PRIu64 " pairs, %zu intervals", o->pairs,
		 fg->intervals);
	printf("%-40s %9.3f %9.3f %11.1f %9.1f  %s\n", label, fg->max_s,
	       fg->intervals ? fg->sum_s / fg->intervals : 0.0, fg->rss_day_kb / 1024.0,
	       fg->set_bytes / 1048576.0, verdict(fg->max_s, fg->rss_day_kb / 1024.0));
	snprintf(label, sizeof(label), "store: restart reloads %" PRIu64 " pairs", fg->reloaded);
	printf("%-40s %9.3f %9s %11.1f %9s  %s\n", label, fg->reload_s, "",
	       fg->rss_peak_kb / 1024.0, "", "(information)");
}

/* The figures as one JSON member, "store": {...}, for tools/bench.sh to merge. */
static void print_json(FILE *f, const struct opts *o, const struct figures *fg)
{
	fprintf(f,
		"\"store\": {\"day_pairs\": %" PRIu64 ", \"interval_pairs\": %" PRIu64
		", \"v6_permille\": %u, \"intervals\": %zu, \"first_interval_s\": %.4f"
		", \"max_interval_s\": %.4f, \"mean_interval_s\": %.4f, \"reload_s\": %.4f"
		", \"set_bytes\": %zu, \"bytes_per_pair\": %.2f, \"rss_start_kb\": %ld"
		", \"rss_with_input_kb\": %ld, \"rss_first_interval_kb\": %ld, \"rss_day_kb\": %ld"
		", \"peak_rss_kb\": %ld, \"target_interval_s\": %.1f, \"target_rss_mb\": %.0f"
		", \"first_interval_within_target\": %s, \"day_within_target\": %s}",
		o->pairs, o->per_interval, o->v6_permille, fg->intervals, fg->first_s, fg->max_s,
		fg->intervals ? fg->sum_s / fg->intervals : 0.0, fg->reload_s, fg->set_bytes,
		fg->set_len ? (double)fg->set_bytes / fg->set_len : 0.0, fg->rss_start_kb,
		fg->rss_fed_kb, fg->rss_first_kb, fg->rss_day_kb, fg->rss_peak_kb, TARGET_STORE_S,
		TARGET_RSS_MB,
		!strcmp(verdict(fg->first_s, fg->rss_first_kb / 1024.0), "PASS") ? "true" : "false",
		!strcmp(verdict(fg->max_s, fg->rss_day_kb / 1024.0), "PASS") ? "true" : "false");
}

int main(int argc, char **argv)
{
	struct opts o = { .pairs = 10000000, .per_interval = 1000000, .v6_permille = 50 };
	struct figures fg = { 0 };
	struct sw_interval iv = { 0 };
	struct point_store ps;
	struct geoip geo;
	char tmpl[PATH_MAX], errmsg[512];
	const char *dir;
	FILE *jf;
	double t0;
	int err, ret = 1;

	if (parse_opts(&o, argc, argv))
		return SW_EXIT_USAGE;
	fg.rss_start_kb = bench_peak_rss_kb();
	if (use_time_zone("UTC"))
		return 1;
	dir = o.data_dir;
	if (!dir) {
		const char *t = getenv("TMPDIR");

		snprintf(tmpl, sizeof(tmpl), "%s/bench_store.XXXXXX", t && *t ? t : "/tmp");
		dir = mkdtemp(tmpl);
		if (!dir) {
			sw_err("cannot make a scratch directory %s: %s", tmpl, strerror(errno));
			return 1;
		}
	}
	memset(&geo, 0, sizeof(geo));
	if (o.geoip && geoip_open(&geo, o.geoip, errmsg, sizeof(errmsg))) {
		sw_err("%s", errmsg);
		goto out_dir;
	}
	iv.keys_cap = KEYS_PER_SOURCE * 4 * 2;
	iv.pairs_cap = o.per_interval;
	iv.keys = calloc(iv.keys_cap, sizeof(*iv.keys));
	iv.pairs = calloc(iv.pairs_cap, sizeof(*iv.pairs));
	if (!iv.keys || !iv.pairs) {
		sw_err("out of memory for the interval");
		goto out_geo;
	}
	if (store_open(&ps, dir, "bench", "UTC", &geo)) {
		sw_err("%s", ps.errmsg);
		goto out_iv;
	}
	err = feed_day(&o, &ps, &iv, &fg);
	store_close(&ps);
	if (err)
		goto out_iv;
	/* A restarted daemon: the day's pairs come back from the log, none are counted again. */
	if (store_open(&ps, dir, "bench", "UTC", &geo)) {
		sw_err("%s", ps.errmsg);
		goto out_iv;
	}
	t0 = bench_now_s();
	err = store_open_day(&ps, DAY_START_S);
	fg.reload_s = bench_now_s() - t0;
	fg.reloaded = pairset_len(&ps.seen);
	if (err)
		sw_err("%s", ps.errmsg);
	store_close(&ps);
	fg.rss_peak_kb = bench_peak_rss_kb();
	if (err)
		goto out_iv;
	if (fg.stored != o.pairs || fg.set_len != o.pairs || fg.reloaded != o.pairs) {
		sw_err("counted %" PRIu64 " new pairs, set holds %zu, reload found %" PRIu64
		       ", not %" PRIu64,
		       fg.stored, fg.set_len, fg.reloaded, o.pairs);
		goto out_iv;
	}
	print_rows(&o, &fg);
	if (o.json) {
		jf = fopen(o.json, "w");
		if (!jf) {
			sw_err("cannot write %s: %s", o.json, strerror(errno));
			goto out_iv;
		}
		fputs("{", jf);
		print_json(jf, &o, &fg);
		fputs("}\n", jf);
		if (fclose(jf)) {
			sw_err("cannot write %s: %s", o.json, strerror(errno));
			goto out_iv;
		}
	} else {
		print_json(stdout, &o, &fg);
		fputs("\n", stdout);
	}
	ret = 0;
out_iv:
	free(iv.keys);
	free(iv.pairs);
out_geo:
	geoip_close(&geo);
out_dir:
	if (!o.data_dir && bench_rm_tree(dir))
		sw_warn("could not remove %s: %s", dir, strerror(errno));
	return ret;
}
