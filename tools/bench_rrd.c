// SPDX-License-Identifier: GPL-2.0-only
/*
 * `make bench`, target "RRD writes: 10 points × 100 files per interval ≤ 1 s": the daemon's
 * own RRD store (rrdstore_interval) writing synthetic intervals for P points of F files each
 * (totals, overflow, three fingerprints, tracked keys and areas), to local files on tmpfs, to
 * local files on a real disk, and through an rrdcached this tool starts and stops. Reports the
 * time of the first interval (which creates every file) and of the intervals after it. Figures
 * are information, never a verdict: the exit status only says whether the bench ran and the
 * files hold exactly what was written.
 */
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "benchutil.h"
#include "keyfmt.h"
#include "log.h"
#include "parse_num.h"
#include "rrdstore.h"

extern char **environ;

#define TARGET_MS 1000.0
#define STEP_S 60
#define T0 1254355200ULL /* 2009-10-01 00:00:00 UTC */
#define FIXED_FILES 5 /* totals, overflow, three fingerprints */
#define TMPFS_MAGIC 0x01021994

static const char help[] =
	"Usage: bench_rrd [options]\n"
	"\n"
	"Time of the daemon's RRD writes per interval for P points of F files each, through the\n"
	"same code the daemon uses: local files on tmpfs, local files on disk, and through an\n"
	"rrdcached started for the run (unix socket, files on the disk directory). Prints table\n"
	"rows shaped like tools/bench's, then the figures as one JSON member, \"rrd\": {...}, on\n"
	"one line (or as the object {\"rrd\": {...}} in --json FILE).\n"
	"\n"
	"  -p, --points P           points (default 10)\n"
	"  -f, --files F            RRD files per point, at least 10 (default 100)\n"
	"  -n, --intervals N        timed intervals after the first (default 20)\n"
	"  -t, --tmpfs DIR          tmpfs directory (default /dev/shm)\n"
	"  -d, --disk DIR           directory on a real disk (default /var/tmp)\n"
	"      --no-rrdcached       skip the rrdcached row\n"
	"  -j, --json FILE          write {\"rrd\": {...}} to FILE instead of the line on stdout\n"
	"\n"
	"Example:\n"
	"  .output/tools/bench_rrd --points 10 --files 100\n";

struct opts {
	unsigned int points, files, intervals;
	const char *tmpfs, *disk, *json;
	bool rrdcached;
};

struct result {
	const char *name;
	char dir[256];
	bool ran, exact;
	char note[160];
	double create_s, mean_ms, max_ms;
};

struct bench {
	const struct opts *o;
	struct key_list keys;
	unsigned int nkeys, nareas;
	struct tally iv;
	struct rrdstore *rs;
};

static int parse_args(struct opts *o, int argc, char **argv)
{
	enum { O_NORRDC = 256 };
	static const struct option opts[] = { { "points", required_argument, NULL, 'p' },
					      { "files", required_argument, NULL, 'f' },
					      { "intervals", required_argument, NULL, 'n' },
					      { "tmpfs", required_argument, NULL, 't' },
					      { "disk", required_argument, NULL, 'd' },
					      { "no-rrdcached", no_argument, NULL, O_NORRDC },
					      { "json", required_argument, NULL, 'j' },
					      { "help", no_argument, NULL, 'h' },
					      {} };
	int opt;

	while ((opt = getopt_long(argc, argv, "p:f:n:t:d:j:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			if (parse_uint(optarg, 1, 1000, &o->points))
				goto bad;
			break;
		case 'f':
			if (parse_uint(optarg, 10, 10000, &o->files))
				goto bad;
			break;
		case 'n':
			if (parse_uint(optarg, 1, 100000, &o->intervals))
				goto bad;
			break;
		case 't':
			o->tmpfs = optarg;
			break;
		case 'd':
			o->disk = optarg;
			break;
		case O_NORRDC:
			o->rrdcached = false;
			break;
		case 'j':
			o->json = optarg;
			break;
		case 'h':
			bench_show_help(help);
		default:
			goto bad;
		}
	}
	if (optind == argc)
		return 0;
bad:
	fprintf(stderr, "bench_rrd: bad option or value (see --help)\n");
	return 2;
}

/*
 * The same shape every interval, with counts that change: every tracked key and area has traffic
 * (the costliest case), plus keys nobody tracks, which only the totals see.
 */
static int fill_interval(struct bench *b, unsigned int i)
{
	tally_reset(&b->iv);
	for (unsigned int k = 0; k < b->nkeys + 10; k++) {
		struct sw_key key = { .cls = SW_CLS_TCP,
				      .kind = k % 3 ? SW_KIND_SCAN : SW_KIND_OTHER,
				      .num = (uint16_t)(1000 + k) };
		struct tally_key *tk = tally_key(&b->iv, &key);

		if (!tk)
			return -ENOMEM;
		tk->accesses = (i * 7 + k) % 50 + 1;
		tk->sources = (i + k) % 3;
		tk->fp[SW_FP_ZMAP] = k % 5 == 0;
	}
	for (unsigned int a = 0; a < b->nareas; a++) {
		b->iv.area_accesses[(a * 31) % (26 * 26)] = a + i + 1;
		b->iv.area_sources[(a * 31) % (26 * 26)] = 1;
	}
	return 0;
}

/* What totals.rrd must hold for interval i: its acc_scan, summed independently of rrdstore. */
static uint64_t want_scan(struct bench *b, unsigned int i)
{
	uint64_t n = 0;

	for (unsigned int k = 0; k < b->nkeys + 10; k++)
		if (k % 3)
			n += (i * 7 + k) % 50 + 1;
	return n;
}

static pid_t spawn_rrdcached(const char *dir, char *addr, size_t len)
{
	char sock[300], listen[310], pidfile[300], base[256];
	char *argv[] = { "rrdcached", "-g",   "-B", "-F",    "-b", base,
			 "-l",	      listen, "-p", pidfile, NULL };
	pid_t pid;

	snprintf(base, sizeof(base), "%s", dir);
	snprintf(sock, sizeof(sock), "%s/rrdcached.sock", dir);
	snprintf(listen, sizeof(listen), "unix:%s", sock);
	snprintf(pidfile, sizeof(pidfile), "%s/rrdcached.pid", dir);
	if (posix_spawnp(&pid, "rrdcached", NULL, NULL, argv, environ))
		return -1;
	if (!bench_wait_socket(sock, 10000)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	snprintf(addr, len, "%s", listen);
	return pid;
}

/* The value of totals.rrd's acc_scan in the row ending at t, as librrd (or rrdcached) reads it. */
static double read_scan(struct rrdstore *rs, uint64_t t)
{
	time_t start = (time_t)t - STEP_S, end = (time_t)t;
	unsigned long step = STEP_S, nds;
	char **names, name[PATH_MAX];
	rrd_value_t *data;
	double v;

	if (rrdio_name(&rs->io, rs->data_dir, rs->point, "totals.rrd", name, sizeof(name)) ||
	    rrdio_flush(&rs->io, name) ||
	    rrdio_fetch(&rs->io, name, "AVERAGE", &start, &end, &step, &nds, &names, &data))
		return NAN;
	v = data[((t - (uint64_t)start) / STEP_S - 1) * nds];
	for (unsigned long i = 0; i < nds; i++)
		rrd_freemem(names[i]);
	rrd_freemem(names);
	rrd_freemem(data);
	return v;
}

static void run_case(struct bench *b, struct result *r, const char *base, bool use_rrdcached)
{
	const struct opts *o = b->o;
	char addr[320] = "";
	pid_t rrdcached = 0;
	unsigned int opened = 0;
	double sum = 0;

	snprintf(r->dir, sizeof(r->dir), "%s/bench_rrd.XXXXXX", base);
	if (!mkdtemp(r->dir)) {
		snprintf(r->note, sizeof(r->note), "cannot make a directory in %s: %s", base,
			 strerror(errno));
		return;
	}
	if (use_rrdcached) {
		rrdcached = spawn_rrdcached(r->dir, addr, sizeof(addr));
		if (rrdcached < 0) {
			snprintf(r->note, sizeof(r->note), "cannot start rrdcached (make deps)");
			goto out;
		}
	}
	for (; opened < o->points; opened++) {
		char point[16];
		struct rrdstore_config cfg = { .data_dir = r->dir,
					       .point = point,
					       .step_s = STEP_S,
					       .daemon = use_rrdcached ? addr : NULL,
					       .keys = &b->keys };

		snprintf(point, sizeof(point), "p%u", opened);
		if (rrdstore_open(&b->rs[opened], &cfg)) {
			snprintf(r->note, sizeof(r->note), "%s", b->rs[opened].errmsg);
			goto out;
		}
	}
	for (unsigned int i = 0; i <= o->intervals; i++) {
		double t0, dt;

		if (fill_interval(b, i)) {
			snprintf(r->note, sizeof(r->note), "out of memory");
			goto out;
		}
		t0 = bench_now_s();
		for (unsigned int p = 0; p < o->points; p++) {
			if (rrdstore_interval(&b->rs[p], T0 + i * STEP_S, &b->iv, NULL,
					      UINT64_MAX)) {
				snprintf(r->note, sizeof(r->note), "%s", b->rs[p].errmsg);
				goto out;
			}
		}
		dt = bench_now_s() - t0;
		if (i == 0) {
			r->create_s = dt;
			continue;
		}
		sum += dt;
		if (dt * 1000 > r->max_ms)
			r->max_ms = dt * 1000;
	}
	r->mean_ms = sum * 1000 / o->intervals;
	r->ran = true;
	/* The first and the last interval, read back from the last point's totals. */
	r->exact = read_scan(&b->rs[o->points - 1], T0 + STEP_S) == (double)want_scan(b, 0) &&
		   read_scan(&b->rs[o->points - 1], T0 + (o->intervals + 1) * STEP_S) ==
			   (double)want_scan(b, o->intervals);
	if (!r->exact)
		snprintf(r->note, sizeof(r->note), "the files do not hold what was written");
out:
	for (unsigned int p = 0; p < opened; p++)
		rrdstore_close(&b->rs[p]);
	if (rrdcached > 0) {
		kill(rrdcached, SIGTERM);
		waitpid(rrdcached, NULL, 0);
	}
	bench_rm_tree(r->dir);
}

static const char *verdict(const struct result *r)
{
	if (!r->ran)
		return "(not run)";
	return r->max_ms <= TARGET_MS ? "PASS" : "MISS";
}

static void print_rows(const struct opts *o, const struct result *res, int n)
{
	printf("%-40s %9s %9s %9s  %s\n", "", "mean ms", "max ms", "create s",
	       "target <=1000 ms per interval");
	for (int i = 0; i < n; i++) {
		char label[64];

		snprintf(label, sizeof(label), "rrd: %ux%u files, %s", o->points, o->files,
			 res[i].name);
		if (!res[i].ran) {
			printf("%-40s %9s %9s %9s  %s: %s\n", label, "-", "-", "-",
			       verdict(&res[i]), res[i].note);
			continue;
		}
		printf("%-40s %9.1f %9.1f %9.2f  %s%s%s\n", label, res[i].mean_ms, res[i].max_ms,
		       res[i].create_s, verdict(&res[i]), res[i].note[0] ? ": " : "", res[i].note);
	}
}

static void print_json(FILE *f, const struct opts *o, const struct result *res, int n)
{
	fprintf(f,
		"\"rrd\": {\"points\": %u, \"files_per_point\": %u, \"intervals\": %u, "
		"\"step_s\": %d, \"target_ms\": %.0f",
		o->points, o->files, o->intervals, STEP_S, TARGET_MS);
	for (int i = 0; i < n; i++) {
		const struct result *r = &res[i];

		fprintf(f, ", \"%s\": {\"ran\": %s", r->name, r->ran ? "true" : "false");
		if (r->ran)
			fprintf(f,
				", \"mean_ms\": %.2f, \"max_ms\": %.2f, \"create_s\": %.3f, "
				"\"exact\": %s, \"within_target\": %s",
				r->mean_ms, r->max_ms, r->create_s, r->exact ? "true" : "false",
				r->max_ms <= TARGET_MS ? "true" : "false");
		else
			fprintf(f, ", \"note\": \"%s\"", r->note);
		fputc('}', f);
	}
	fputc('}', f);
}

int main(int argc, char **argv)
{
	struct opts o = { .points = 10,
			  .files = 100,
			  .intervals = 20,
			  .tmpfs = "/dev/shm",
			  .disk = "/var/tmp",
			  .rrdcached = true };
	struct result res[3] = { { .name = "tmpfs" }, { .name = "disk" }, { .name = "rrdcached" } };
	struct bench b = { .o = &o };
	struct statfs sf;
	int n = 0, ret = 0, err;
	FILE *jf;

	err = parse_args(&o, argc, argv);
	if (err)
		return err;
	/* Keys are three quarters of what is not fixed, areas the rest: keys cost more (6 DS, HW). */
	b.nkeys = (o.files - FIXED_FILES) * 3 / 4;
	b.nareas = o.files - FIXED_FILES - b.nkeys;
	tally_init(&b.iv);
	b.rs = calloc(o.points, sizeof(*b.rs));
	if (!b.rs)
		return 1;
	for (unsigned int k = 0; k < b.nkeys; k++) {
		struct sw_key key = { .cls = SW_CLS_TCP, .num = (uint16_t)(1000 + k) };

		if (key_list_add(&b.keys, sw_fkey(&key)))
			return 1;
	}
	setenv("TZ", "UTC", 1);
	tzset();
	sw_log_set_level(SW_LOG_ERR); /* rrdstore's notices are not figures */

	if (statfs(o.tmpfs, &sf) || sf.f_type != TMPFS_MAGIC) {
		snprintf(res[0].note, sizeof(res[0].note), "%s is not a tmpfs", o.tmpfs);
	} else {
		run_case(&b, &res[0], o.tmpfs, false);
	}
	n++;
	if (!statfs(o.disk, &sf) && sf.f_type == TMPFS_MAGIC)
		snprintf(res[1].note, sizeof(res[1].note), "%s is a tmpfs, not a disk", o.disk);
	else
		run_case(&b, &res[1], o.disk, false);
	n++;
	if (o.rrdcached) {
		res[2].name = "rrdcached";
		run_case(&b, &res[2], o.disk, true);
		n++;
	}
	for (int i = 0; i < n; i++)
		if ((res[i].ran && !res[i].exact) || (!res[i].ran && i != 0))
			ret = 1;

	print_rows(&o, res, n);
	if (o.json) {
		jf = fopen(o.json, "w");
		if (!jf) {
			fprintf(stderr, "bench_rrd: cannot write %s: %s\n", o.json,
				strerror(errno));
			return 1;
		}
		fputc('{', jf);
		print_json(jf, &o, res, n);
		fputs("}\n", jf);
		fclose(jf);
	} else {
		print_json(stdout, &o, res, n);
		putchar('\n');
	}
	key_list_free(&b.keys);
	tally_free(&b.iv);
	free(b.rs);
	return ret;
}
