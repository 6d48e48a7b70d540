// SPDX-License-Identifier: GPL-2.0-only
/*
 * `make bench`, Internet scale: a whole generated day of N distinct (source, key) pairs stored
 * through store_interval() as the daemon stores it, over 1 440 intervals, so that the growth of
 * the day's source set shows: time per interval and per record as the day fills (first hour,
 * last hour, every hour in the JSON), and bytes per pair of the set and of the process's
 * resident memory at the end. Each interval brings N / 1440 new pairs and as many records of
 * pairs seen earlier that day (scanners come back), in the random order a drain hands them over.
 * Figures are information; the exit status says only whether it ran and counted exactly.
 */
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* 2024-03-01 00:00:00 UTC: every interval of the day falls on that date. */
#define DAY0_S 1709251200ull
#define HOUR_INTERVALS 60
#define KEYS 12

static const char help[] =
	"Usage: bench_day --pairs N [options]\n"
	"\n"
	"Stores a generated day of N distinct (source, key) pairs through store_interval(), one\n"
	"interval a minute, and prints the time per interval and per record as the day fills and\n"
	"the bytes each pair of the day's set takes.\n"
	"\n"
	"  -n, --pairs N           distinct pairs in the day (1 to 2^31)\n"
	"  -i, --intervals I       intervals in the day (default 1440)\n"
	"  -a, --again P           records of pairs seen earlier per 100 new ones (default 100)\n"
	"  -6, --v6-permille M     IPv6 sources per thousand (default 20)\n"
	"  -d, --data-dir DIR      where the day is written (default: a new directory in\n"
	"                          /dev/shm, so that the figures are the store's, not a disk's;\n"
	"                          removed at the end)\n"
	"  -j, --json FILE         write {\"day\": {...}} to FILE\n"
	"\n"
	"Example:\n"
	"  .output/tools/bench_day --pairs 10000000 --json day.json\n";

struct opts {
	uint64_t pairs;
	unsigned int intervals, again_pct, v6_permille;
	const char *data_dir, *json;
};

static const struct sw_key keys[KEYS] = {
	{ SW_CLS_TCP, SW_KIND_SCAN, 445 },	  { SW_CLS_TCP, SW_KIND_SCAN, 23 },
	{ SW_CLS_TCP, SW_KIND_SCAN, 22 },	  { SW_CLS_TCP, SW_KIND_SCAN, 3389 },
	{ SW_CLS_TCP, SW_KIND_SCAN, 80 },	  { SW_CLS_TCP, SW_KIND_SCAN, 8080 },
	{ SW_CLS_TCP, SW_KIND_SCAN, 1433 },	  { SW_CLS_UDP, SW_KIND_SCAN, 53 },
	{ SW_CLS_UDP, SW_KIND_SCAN, 123 },	  { SW_CLS_ICMP, SW_KIND_SCAN, 0 },
	{ SW_CLS_TCP, SW_KIND_BACKSCATTER, 443 }, { SW_CLS_TCP, SW_KIND_BACKSCATTER, 80 },
};

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 31;
	x *= 0x7fb5d329728ea185ull;
	x ^= x >> 27;
	x *= 0x81dadef4bc2dd44dull;
	return x ^ (x >> 33);
}

/*
 * Pair i of the day. Sources hold three pairs each (i / 3), on keys their number picks; one
 * in a thousand of them per v6_permille is an IPv6 source. Distinct i, distinct pairs: an
 * IPv4 source is the low 32 bits of a bijection of its number, an IPv6 one its number itself.
 */
static void day_pair(uint64_t i, unsigned int v6_permille, struct sw_pair_rec *r)
{
	uint64_t src = i / 3, h = mix(src);
	uint32_t v4 = (uint32_t)(src * 2654435761u) ^ 0x5bd1e995u;

	memset(r, 0, sizeof(*r));
	if (h % 1000 < v6_permille) {
		static const uint8_t doc[4] = { 0x20, 0x01, 0x0d, 0xb8 };

		memcpy(r->pair.addr, doc, sizeof(doc));
		memcpy(r->pair.addr + 8, &src, sizeof(src));
	} else {
		r->pair.addr[10] = r->pair.addr[11] = 0xff;
		memcpy(r->pair.addr + 12, &v4, sizeof(v4));
	}
	r->pair.key = keys[(h >> 20) % (KEYS - 2) + i % 3];
	r->val.packets = 1 + (h >> 40) % 3;
}

/* The records of interval j and the per-key records the kernel would have counted from them. */
static void make_interval(const struct opts *o, unsigned int j, uint64_t *rng,
			  struct sw_interval *iv)
{
	uint64_t lo = o->pairs * j / o->intervals, hi = o->pairs * (j + 1) / o->intervals;
	uint64_t again = lo ? (hi - lo) * o->again_pct / 100 : 0;

	iv->npairs = 0;
	iv->start_s = DAY0_S + 60ull * j;
	iv->len_s = 60;
	memset(iv->stats, 0, sizeof(iv->stats));
	for (uint64_t i = lo; i < hi; i++)
		day_pair(i, o->v6_permille, &iv->pairs[iv->npairs++]);
	for (uint64_t k = 0; k < again; k++) {
		*rng = mix(*rng + k);
		day_pair(*rng % lo, o->v6_permille, &iv->pairs[iv->npairs++]);
	}
	for (size_t k = iv->npairs; k > 1; k--) {
		struct sw_pair_rec t = iv->pairs[k - 1];
		size_t x;

		*rng = mix(*rng + k);
		x = *rng % k;
		iv->pairs[k - 1] = iv->pairs[x];
		iv->pairs[x] = t;
	}
	iv->nkeys = KEYS;
	for (int k = 0; k < KEYS; k++) {
		memset(&iv->keys[k], 0, sizeof(iv->keys[k]));
		iv->keys[k].key = keys[k];
	}
	for (size_t p = 0; p < iv->npairs; p++) {
		const struct sw_pair_rec *r = &iv->pairs[p];

		for (int k = 0; k < KEYS; k++)
			if (!memcmp(&keys[k], &r->pair.key, sizeof(keys[k])))
				iv->keys[k].val.packets += r->val.packets;
		iv->stats[SW_STAT_PACKETS] += r->val.packets;
	}
}

static int parse_opts(struct opts *o, int argc, char **argv)
{
	static const struct option lo[] = { { "pairs", required_argument, NULL, 'n' },
					    { "intervals", required_argument, NULL, 'i' },
					    { "again", required_argument, NULL, 'a' },
					    { "v6-permille", required_argument, NULL, '6' },
					    { "data-dir", required_argument, NULL, 'd' },
					    { "json", required_argument, NULL, 'j' },
					    { "help", no_argument, NULL, 'h' },
					    {} };
	int opt, err = 0;

	*o = (struct opts){ .intervals = 1440, .again_pct = 100, .v6_permille = 20 };
	while ((opt = getopt_long(argc, argv, "n:i:a:6:d:j:h", lo, NULL)) != -1) {
		switch (opt) {
		case 'n':
			err = parse_u64(optarg, 1, 1ull << 31, &o->pairs);
			break;
		case 'i':
			err = parse_uint(optarg, 1, 86400, &o->intervals);
			break;
		case 'a':
			err = parse_uint(optarg, 0, 1000, &o->again_pct);
			break;
		case '6':
			err = parse_uint(optarg, 0, 1000, &o->v6_permille);
			break;
		case 'd':
			o->data_dir = optarg;
			break;
		case 'j':
			o->json = optarg;
			break;
		case 'h':
			fputs(help, stdout);
			return SW_HELP_SHOWN;
		default:
			return usage_error("bench_day", "unknown option");
		}
		if (err)
			return usage_error("bench_day", "bad value for -%c: %s", opt, optarg);
	}
	if (!o->pairs || optind < argc)
		return usage_error("bench_day", "--pairs N is required, nothing else");
	return 0;
}

struct hour {
	double wall_s, cpu_s;
	uint64_t records;
};

struct result {
	struct hour *hours;
	size_t nhours;
	double wall_s, cpu_s, max_interval_s;
	uint64_t records;
	long rss0_kb, rss_kb, hwm_kb;
	size_t set_bytes, set_len, stored, sources;
	double reload_s;
};

static int store_day(const struct opts *o, const char *dir, struct result *res)
{
	uint64_t per = o->pairs / o->intervals + 1, rng = 42;
	struct sw_interval iv = { 0 };
	struct geoip no_db = { 0 }; /* every area unknown: what a day's set costs, not a lookup */
	struct point_store ps;
	int err;

	iv.pairs = calloc(per * (100 + o->again_pct) / 100 + 1, sizeof(*iv.pairs));
	iv.keys = calloc(KEYS, sizeof(*iv.keys));
	res->nhours = (o->intervals + HOUR_INTERVALS - 1) / HOUR_INTERVALS;
	res->hours = calloc(res->nhours, sizeof(*res->hours));
	if (!iv.pairs || !iv.keys || !res->hours) {
		err = -ENOMEM;
		goto out;
	}
	err = store_open(&ps, dir, "day", "UTC", &no_db);
	if (err) {
		sw_err("%s", ps.errmsg);
		goto out;
	}
	res->rss0_kb = bench_status_kb("VmRSS");
	for (unsigned int j = 0; j < o->intervals && !err; j++) {
		struct hour *h = &res->hours[j / HOUR_INTERVALS];
		double w0, c0, w;

		make_interval(o, j, &rng, &iv);
		w0 = clock_s(CLOCK_MONOTONIC);
		c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
		err = store_interval(&ps, &iv, j + 1);
		w = clock_s(CLOCK_MONOTONIC) - w0;
		h->cpu_s += clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
		h->wall_s += w;
		h->records += iv.npairs;
		res->records += iv.npairs;
		res->wall_s += w;
		if (w > res->max_interval_s)
			res->max_interval_s = w;
		if (err)
			sw_err("%s", ps.errmsg);
	}
	res->rss_kb = bench_status_kb("VmRSS");
	res->hwm_kb = bench_status_kb("VmHWM");
	res->set_bytes = pairset_bytes(&ps.seen);
	res->set_len = pairset_len(&ps.seen);
	res->stored = ps.day.pairs;
	for (size_t k = 0; k < ps.day.t.nkeys; k++)
		res->sources += ps.day.t.keys[k].sources;
	store_close(&ps);
	/* A restarted daemon reads the day's pairs back before its first interval. */
	if (!err && !(err = store_open(&ps, dir, "day", "UTC", &no_db))) {
		double t0 = clock_s(CLOCK_MONOTONIC);

		err = store_open_day(&ps, DAY0_S);
		res->reload_s = clock_s(CLOCK_MONOTONIC) - t0;
		if (err)
			sw_err("%s", ps.errmsg);
		else if (pairset_len(&ps.seen) != o->pairs)
			err = -EINVAL;
		store_close(&ps);
	}
out:
	free(iv.pairs);
	free(iv.keys);
	return err;
}

static void report(const struct opts *o, const struct result *r, FILE *json)
{
	const struct hour *first = &r->hours[0], *last = &r->hours[r->nhours - 1];

	printf("day of %" PRIu64 " pairs, %u intervals, %" PRIu64 " records: %.2f ms an interval "
	       "(first hour %.2f, last hour %.2f, worst %.2f); %.0f ns a record (first hour %.0f, "
	       "last hour %.0f); the set %.1f bytes a pair, resident %.1f bytes a pair; reload "
	       "%.2f s\n",
	       o->pairs, o->intervals, r->records, r->wall_s * 1e3 / o->intervals,
	       first->wall_s * 1e3 / HOUR_INTERVALS, last->wall_s * 1e3 / HOUR_INTERVALS,
	       r->max_interval_s * 1e3, r->wall_s * 1e9 / r->records,
	       first->wall_s * 1e9 / first->records, last->wall_s * 1e9 / last->records,
	       (double)r->set_bytes / r->set_len, (r->rss_kb - r->rss0_kb) * 1024.0 / r->set_len,
	       r->reload_s);
	if (!json)
		return;
	fprintf(json,
		"{\"day\": {\"pairs\": %" PRIu64 ", \"intervals\": %u, \"records\": %" PRIu64
		", \"again_pct\": %u, \"v6_permille\": %u, \"interval_ms\": %.4f, "
		"\"interval_ms_max\": %.4f, \"ns_per_record\": %.2f, \"cpu_ns_per_record\": %.2f, "
		"\"set_bytes\": %zu, \"set_bytes_per_pair\": %.3f, \"rss_start_kb\": %ld, "
		"\"rss_kb\": %ld, \"hwm_kb\": %ld, \"resident_bytes_per_pair\": %.3f, "
		"\"reload_s\": %.4f, \"hours\": [",
		o->pairs, o->intervals, r->records, o->again_pct, o->v6_permille,
		r->wall_s * 1e3 / o->intervals, r->max_interval_s * 1e3,
		r->wall_s * 1e9 / r->records, r->cpu_s * 1e9 / r->records, r->set_bytes,
		(double)r->set_bytes / r->set_len, r->rss0_kb, r->rss_kb, r->hwm_kb,
		(r->rss_kb - r->rss0_kb) * 1024.0 / r->set_len, r->reload_s);
	for (size_t i = 0; i < r->nhours; i++)
		fprintf(json, "%s{\"interval_ms\": %.4f, \"ns_per_record\": %.2f}", i ? ", " : "",
			r->hours[i].wall_s * 1e3 / HOUR_INTERVALS,
			r->hours[i].wall_s * 1e9 / r->hours[i].records);
	fprintf(json, "]}}\n");
}

int main(int argc, char **argv)
{
	char tmpl[] = "/dev/shm/sw-bench-day.XXXXXX";
	struct result res = { 0 };
	const char *dir;
	struct opts o;
	FILE *json = NULL;
	int err;

	err = parse_opts(&o, argc, argv);
	if (err)
		return err == SW_HELP_SHOWN ? 0 : err;
	dir = o.data_dir ? o.data_dir : mkdtemp(tmpl);
	if (!dir) {
		sw_err("cannot make a directory in /dev/shm: %s", strerror(errno));
		return 1;
	}
	err = store_day(&o, dir, &res);
	if (!o.data_dir)
		bench_rm_tree(dir);
	for (size_t i = 0; !err && i < res.nhours; i++)
		res.cpu_s += res.hours[i].cpu_s;
	/* Exact or nothing: every pair stored once, as a source of its key. */
	if (!err && (res.stored != o.pairs || res.set_len != o.pairs || res.sources != o.pairs)) {
		sw_err("the day holds %zu pairs (%zu in its summary, %zu sources) of %" PRIu64,
		       res.set_len, res.stored, res.sources, o.pairs);
		err = -EINVAL;
	}
	if (!err && o.json && !(json = fopen(o.json, "w"))) {
		sw_err("%s: %s", o.json, strerror(errno));
		err = -errno;
	}
	if (!err)
		report(&o, &res, json);
	if (json && fclose(json))
		err = -EIO;
	free(res.hours);
	return err ? 1 : 0;
}
