// SPDX-License-Identifier: GPL-2.0-only
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "dates.h"
#include "dayfile.h"
#include "geoip.h"
#include "grow.h"
#include "json.h"
#include "keyfmt.h"
#include "parse_num.h"
#include "points.h"
#include "status_view.h"
#include "store.h"
#include "summary.h"

static void utc(time_t t, const char *fmt, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, fmt, &tm);
}

/* The database `run` uses with the same options: --geoip, else the default if it exists. */
static void show_geoip(FILE *f, const struct status_opts *o)
{
	char errmsg[PATH_MAX + 128], desc[PATH_MAX + 256];
	struct geoip g;

	if (geoip_open(&g, o->geoip, errmsg, sizeof(errmsg))) {
		if (o->json) {
			fputs(", \"geoip\": null, \"geoip_error\": ", f);
			json_str(f, errmsg);
		} else {
			fprintf(f, "areas:    none: %s\n", errmsg);
		}
		return;
	}
	if (!g.open) {
		if (o->json)
			fputs(", \"geoip\": null", f);
		else
			fprintf(f, "areas:    none (no database at %s: every area is ?\?)\n",
				SW_GEOIP_DEFAULT);
		geoip_close(&g);
		return;
	}
	if (o->json) {
		const MMDB_metadata_s *m = &g.db.metadata;
		char built[16];

		utc((time_t)m->build_epoch, "%Y-%m-%d", built, sizeof(built));
		fputs(", \"geoip\": {\"path\": ", f);
		json_str(f, g.path);
		fputs(", \"database_type\": ", f);
		json_str(f, m->database_type);
		fprintf(f, ", \"build_epoch\": %" PRIu64 ", \"built\": \"%s\", \"description\": ",
			(uint64_t)m->build_epoch, built);
		json_str(f, m->description.count && m->description.descriptions[0] ?
				    m->description.descriptions[0]->description :
				    NULL);
		fputc('}', f);
	} else {
		geoip_describe(&g, desc, sizeof(desc));
		fprintf(f, "areas:    %s\n", desc);
	}
	geoip_close(&g);
}

void status_begin(FILE *f, const struct status_opts *o)
{
	char now[32];

	utc(time(NULL), "%Y-%m-%dT%H:%M:%SZ", now, sizeof(now));
	if (o->json) {
		fprintf(f, "{\"version\": \"%s\", \"time\": \"%s\", \"pin_root\": ", SW_VERSION,
			now);
		json_str(f, o->pin_root);
		fputs(", \"data_dir\": ", f);
		json_str(f, o->data_dir);
		fputs(", \"config\": ", f);
		json_str(f, o->config);
		show_geoip(f, o);
		fputs(", \"points\": [", f);
		return;
	}
	fprintf(f, "scanwatch %s status at %s\n", SW_VERSION, now);
	fprintf(f, "pins:     %s\n", o->pin_root);
	fprintf(f, "data:     %s\n", o->data_dir);
	fprintf(f, "config:   %s\n", o->config ? o->config : "none");
	show_geoip(f, o);
	fputc('\n', f);
}

static const char *mode_name(uint32_t mode)
{
	return mode == SW_MODE_NATIVE ? "native" : mode == SW_MODE_GENERIC ? "generic" : "?";
}

void status_json_point(FILE *f, bool first, const char *name, const struct sw_meta *m,
		       __u32 prog_id, int64_t log_records, uint64_t log_capacity, long flows,
		       long research_prefixes, bool running)
{
	char when[32];

	fprintf(f, "%s{\"point\": ", first ? "" : ", ");
	json_str(f, name);
	if (!m) {
		fputs(", \"error\": \"unreadable pins\"}", f);
		return;
	}
	fputs(", \"interface\": ", f);
	{
		char ifname[sizeof(m->ifname) + 1];

		snprintf(ifname, sizeof(ifname), "%.*s", (int)sizeof(m->ifname), m->ifname);
		json_str(f, ifname);
	}
	fprintf(f, ", \"mode\": \"%s\", \"prog_id\": %u, \"interval_s\": %u, \"log_records\": ",
		mode_name(m->mode), prog_id, m->interval_s);
	if (log_records >= 0)
		fprintf(f, "%" PRId64, log_records);
	else
		fputs("null", f);
	fprintf(f,
		", \"log_capacity\": %" PRIu64 ", \"cache_slots\": %u, \"max_pairs\": %u, "
		"\"max_keys\": %u, \"dropped\": %" PRIu64 ", \"dropped_log_full\": %" PRIu64
		", \"dropped_pairs_over\": %" PRIu64 ", \"dropped_keys\": %" PRIu64
		", \"day_pairs\": %" PRIu64 ", \"max_day_pairs\": %" PRIu64
		", \"day_lost_sources\": %" PRIu64 ", \"last_drain\": ",
		log_capacity, m->cache_slots, m->max_pairs, m->max_keys, (uint64_t)m->dropped,
		(uint64_t)m->dropped_log_full, (uint64_t)m->dropped_pairs_over,
		(uint64_t)m->dropped_keys, (uint64_t)m->day_pairs, (uint64_t)m->max_day_pairs,
		(uint64_t)m->day_lost_sources);
	if (m->last_drain_s) {
		utc((time_t)m->last_drain_s, "%Y-%m-%dT%H:%M:%SZ", when, sizeof(when));
		fprintf(f, "\"%s\"", when);
	} else {
		fputs("null", f);
	}
	fprintf(f, ", \"daemon\": \"%s\", \"pid\": ", running ? "running" : "stopped");
	if (running)
		fprintf(f, "%u", m->daemon_pid);
	else
		fputs("null", f);
	fprintf(f, ", \"drop\": %s, \"watch\": %s, \"research_prefixes\": ",
		m->flags & SW_META_DROP ? "true" : "false",
		m->flags & SW_META_WATCH ? "true" : "false");
	if (research_prefixes >= 0)
		fprintf(f, "%ld", research_prefixes);
	else
		fputs("null", f);
	fprintf(f, ", \"libxdp\": %s, \"host\": ", m->flags & SW_META_MULTIPROG ? "true" : "false");
	if (m->flags & SW_META_HOST)
		fprintf(f,
			"{\"egress\": \"%s\", \"flows\": %ld, \"flow_table_size\": %u, "
			"\"flow_expiry_s\": %u, \"flows_evicted\": %" PRIu64 "}}",
			m->egress_hook == SW_EGRESS_TCX ? "tcx" :
			m->egress_hook == SW_EGRESS_TC	? "tc" :
							  "?",
			flows, m->flow_table_size, m->flow_expiry_s, (uint64_t)m->flow_evicted);
	else
		fputs("null}", f);
}

/*
 * Today's file of one point: today in the zone of the status (run's --tz), or, when the point's
 * files are of another zone, in theirs (a point counted in Asia/Tokyo has its own midnight).
 */
static int read_today(const char *point_dir, const char *tz, struct dayfile *df, char *date,
		      char *path, size_t len, char *errmsg, size_t errlen)
{
	time_t now = time(NULL);
	int err;

	if (use_time_zone(tz))
		return -EINVAL;
	sw_date_of(now, date);
	sw_day_path(path, len, point_dir, date, "daily", "txt");
	err = dayfile_read(path, df, errmsg, errlen);
	if (err || !strcmp(df->tz, tz) || use_time_zone(df->tz))
		return err;
	{
		char other[11];

		sw_date_of(now, other);
		if (!strcmp(other, date))
			return 0;
		dayfile_free(df);
		memcpy(date, other, sizeof(other));
		sw_day_path(path, len, point_dir, date, "daily", "txt");
		return dayfile_read(path, df, errmsg, errlen);
	}
}

/* The day's busiest second so far and its research group: the object's last members. */
static void json_peak_research(FILE *f, const struct tally *t, const struct summary_totals *s)
{
	struct summary_totals rs;
	char when[SW_UTC_LEN];

	summary_research_totals(t, &rs);
	fprintf(f, ", \"peak\": %" PRIu64 ", \"peak_at\": ", s->peak);
	if (s->peak) {
		sw_utc_second(s->peak_s, when);
		fprintf(f, "\"%s\"", when);
	} else {
		fputs("null", f);
	}
	fprintf(f, ", \"research\": {\"accesses\": %" PRIu64 ", \"sources\": %" PRIu64 "}}",
		rs.accesses, rs.sources);
}

/* The same as a line under the point's, when there is either. */
static void text_peak_research(FILE *f, const struct tally *t, const struct summary_totals *s)
{
	struct summary_totals rs;
	char when[SW_UTC_LEN];

	summary_research_totals(t, &rs);
	if (!s->peak && !rs.accesses)
		return;
	fputs("   ", f);
	if (s->peak) {
		sw_utc_second(s->peak_s, when);
		fprintf(f, " peak %" PRIu64 " accesses in one second at %s%s", s->peak, when,
			rs.accesses ? ";" : "");
	}
	if (rs.accesses)
		fprintf(f,
			" research scanners %" PRIu64 " accesses from %" PRIu64
			" sources (kept out of the figures above)",
			rs.accesses, rs.sources);
	fputc('\n', f);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void status_today(FILE *f, const struct status_opts *o)
{
	char **names = NULL, date[11] = "", errmsg[PATH_MAX + 128];
	size_t n = 0, cap = 0, shown = 0;
	struct dirent *de;
	DIR *d;

	d = opendir(o->data_dir);
	if (!d) {
		if (o->json) {
			fputs("], \"today\": null, \"today_error\": ", f);
			snprintf(errmsg, sizeof(errmsg), "%s: %s", o->data_dir, strerror(errno));
			json_str(f, errmsg);
			fputs("}\n", f);
		} else {
			fprintf(f, "\ntoday: no data directory %s (%s; see --data-dir)\n",
				o->data_dir, strerror(errno));
		}
		return;
	}
	while ((de = readdir(d))) {
		if (!point_name_ok(de->d_name))
			continue;
		if (SW_GROW(names, cap, n + 1, 16))
			break;
		names[n] = strdup(de->d_name);
		if (names[n])
			n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_names);
	if (o->json)
		fprintf(f, "], \"today\": [");
	else
		fprintf(f, "\ntoday (%s), to the last drain stored:\n", o->tz);
	for (size_t i = 0; i < n; i++) {
		char dir[PATH_MAX], path[PATH_MAX], stored[32] = "?";
		struct summary_totals s;
		struct dayfile df;
		struct stat st;
		int err;

		snprintf(dir, sizeof(dir), "%s/%s", o->data_dir, names[i]);
		err = read_today(dir, o->tz, &df, date, path, sizeof(path), errmsg, sizeof(errmsg));
		if (err == -ENOENT || err == -ENOTDIR)
			continue;
		if (err) {
			if (o->json) {
				fprintf(f, "%s{\"point\": ", shown++ ? ", " : "");
				json_str(f, names[i]);
				fputs(", \"error\": ", f);
				json_str(f, errmsg);
				fputc('}', f);
			} else {
				fprintf(f, "  point %s: %s\n", names[i], errmsg);
			}
			continue;
		}
		summary_totals(&df.t, &s);
		if (!stat(path, &st))
			utc(st.st_mtime, "%Y-%m-%dT%H:%M:%SZ", stored, sizeof(stored));
		if (o->json) {
			fprintf(f, "%s{\"point\": ", shown++ ? ", " : "");
			json_str(f, names[i]);
			fprintf(f, ", \"date\": \"%s\", \"tz\": ", df.date);
			json_str(f, df.tz);
			fprintf(f,
				", \"accesses\": %" PRIu64 ", \"sources\": %" PRIu64
				", \"kinds\": {",
				s.accesses, s.sources);
			for (int k = 0; k < SW_NKINDS; k++)
				fprintf(f, "%s\"%s\": %" PRIu64, k ? ", " : "", sw_kind_names[k],
					s.kind_accesses[k]);
			fprintf(f, "}, \"dropped\": %" PRIu64 ", \"stored\": \"%s\"", s.dropped,
				stored);
			json_peak_research(f, &df.t, &s);
		} else {
			fprintf(f,
				"  point %-16s %s: %" PRIu64 " accesses, %" PRIu64
				" sources (scan %" PRIu64 ", backscatter %" PRIu64
				", other %" PRIu64 "), %" PRIu64 " dropped, stored %s\n",
				names[i], df.date, s.accesses, s.sources, s.kind_accesses[0],
				s.kind_accesses[1], s.kind_accesses[2], s.dropped, stored);
			text_peak_research(f, &df.t, &s);
			shown++;
		}
		dayfile_free(&df);
	}
	if (o->json)
		fputs("]}\n", f);
	else if (!shown)
		fprintf(f, "  nothing stored today in %s\n", o->data_dir);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}
