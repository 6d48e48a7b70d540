// SPDX-License-Identifier: GPL-2.0-only
/*
 * Writing the report of its figures: the output folder, the charts' reader and colours, then
 * report.md and report.html section by section.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "report_int.h"
#include "safe_file.h"

static int write_report(struct report *r, const struct report_figures *f)
{
	char title[128], list[1024];
	size_t o = 0;
	int err;

	snprintf(title, sizeof(title), "Report from the Internet monitoring: %s", f->cur->name);
	err = doc_open(&r->doc, r->out_dir, "report", title);
	if (err)
		return err;
	list[0] = '\0';
	for (size_t i = 0; i < f->npoints && o < sizeof(list) - 40; i++)
		o += snprintf(list + o, sizeof(list) - o, "%s`%s`", i ? ", " : "", f->points[i]);
	doc_para(&r->doc,
		 "Monitoring points: %s. Days are those of the daily summaries (the sensors' "
		 "`--tz`); times are UTC. Made by scanwatch " SW_VERSION
		 " from the exact daily summaries, its charts too: a chart's legend gives the "
		 "same figures as the tables.",
		 list);
	report_section_summary(r, f);
	report_section_compare(r, f);
	report_section_month(r, f);
	report_section_six(r, f);
	report_section_explain(r, f);
	report_section_backscatter(r, f);
	report_section_fingerprints(r, f);
	report_section_trends(r, f);
	report_section_alerts(r, f);
	report_section_points(r, f);
	return doc_close(&r->doc);
}

/*
 * The month's keys and areas take their colours first, most accessed first, so that the
 * colours a reader knows (tcp/445's blue) go to the series that matter; the charts add the rest.
 */
static void seed_colours(struct report *r, const struct report_figures *f)
{
	chart_colours_add(&r->colours, "other");
	for (int m = 0; m < 2; m++) {
		struct chart_rank *k = NULL, *a = NULL;
		size_t nk = 0, na = 0;

		if (!chart_rank_keys(&f->cur->t, m ? CHART_SOURCES : CHART_ACCESSES, &k, &nk))
			for (size_t i = 0; i < nk && i < f->top; i++) {
				char name[24];

				chart_key_str(&k[i].key, name, sizeof(name));
				chart_colours_add(&r->colours, name);
			}
		if (!chart_rank_areas(&f->cur->t, m ? CHART_SOURCES : CHART_ACCESSES, &a, &na))
			for (size_t i = 0; i < na && i < f->top; i++) {
				char cc[3];

				sw_area_name(a[i].area, cc);
				chart_colours_add(&r->colours, cc);
			}
		free(k);
		free(a);
	}
}

/* The output folder, the time zone of the charts' axes and the RRD files' reader. */
static int open_output(struct report *r, const char *daemon)
{
	static char env_daemon[512];
	int fd;

	/* Made, then opened without following a link there, as every file in it is (safe_file.h). */
	fd = sf_dir(AT_FDCWD, r->out_dir, SW_MODE_PUB_DIR);
	if (fd < 0) {
		sw_err("%s: %s", r->out_dir, sf_strerror(fd));
		return fd;
	}
	close(fd);
	/* librrd would send the charts' own series to $RRDCACHED_ADDRESS: it is --rrdcached. */
	if (!daemon && getenv("RRDCACHED_ADDRESS") && *getenv("RRDCACHED_ADDRESS")) {
		snprintf(env_daemon, sizeof(env_daemon), "%s", getenv("RRDCACHED_ADDRESS"));
		daemon = env_daemon;
	}
	unsetenv("RRDCACHED_ADDRESS");
	/* rrdgraph labels its axes in local time; the charts' days are UTC days. */
	if (use_time_zone("UTC"))
		return -EINVAL;
	if (rrdio_open(&r->io, daemon)) {
		sw_err("%s", r->io.errmsg);
		return -EIO;
	}
	return 0;
}

int report_render(struct report *r, const struct report_figures *f, const char *daemon, bool quiet)
{
	int err;

	if (open_output(r, daemon))
		return SW_EXIT_FAIL;
	seed_colours(r, f);
	progress_init(&r->progress, "report", quiet);
	err = write_report(r, f);
	progress_done(&r->progress);
	rrdio_close(&r->io);
	chart_colours_free(&r->colours);
	if (err) {
		sw_err("cannot write the report in %s: %s", r->out_dir, strerror(-err));
		return SW_EXIT_FAIL;
	}
	printf("%s/report.md\n%s/report.html\n", r->out_dir, r->out_dir);
	if (r->failed)
		sw_warn("%u of %u charts could not be drawn (the report says why)", r->failed,
			r->failed + r->drawn);
	return 0;
}
