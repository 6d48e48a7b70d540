// SPDX-License-Identifier: GPL-2.0-only
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "log.h"

static enum sw_log_level current_level = SW_LOG_INFO;
static bool line_open;
static unsigned int errors_logged;

void sw_log_set_level(enum sw_log_level level)
{
	current_level = level;
}

enum sw_log_level sw_log_get_level(void)
{
	return current_level;
}

static const char *const prefixes[] = {
	[SW_LOG_ERR] = "scanwatch: error: ",
	[SW_LOG_WARN] = "scanwatch: warning: ",
	[SW_LOG_INFO] = "scanwatch: ",
	[SW_LOG_DEBUG] = "scanwatch: debug: ",
};

/* syslog(3)'s LOG_ERR, LOG_WARNING, LOG_INFO and LOG_DEBUG, as journald reads them. */
static const char *const priorities[] = {
	[SW_LOG_ERR] = "<3>",
	[SW_LOG_WARN] = "<4>",
	[SW_LOG_INFO] = "<6>",
	[SW_LOG_DEBUG] = "<7>",
};

enum sink { SINK_UNKNOWN, SINK_PLAIN, SINK_JOURNAL, SINK_TERMINAL };

/*
 * systemd sets JOURNAL_STREAM to the device and inode of the stream it connected to the
 * journal; only when stderr is still that stream (not redirected by a script) does it read the
 * priority prefix. The journal stamps each line itself; a terminal gets the time from us.
 */
static enum sink sink_of_stderr(void)
{
	static enum sink sink = SINK_UNKNOWN;
	const char *js;

	if (sink != SINK_UNKNOWN)
		return sink;
	sink = SINK_PLAIN;
	js = getenv("JOURNAL_STREAM");
	if (js) {
		uintmax_t dev, ino;
		struct stat st;
		char end;

		if (sscanf(js, "%ju:%ju%c", &dev, &ino, &end) == 2 && !fstat(STDERR_FILENO, &st) &&
		    (uintmax_t)st.st_dev == dev && (uintmax_t)st.st_ino == ino)
			sink = SINK_JOURNAL;
	}
	if (sink == SINK_PLAIN && isatty(STDERR_FILENO))
		sink = SINK_TERMINAL;
	return sink;
}

const char *sw_log_priority(enum sw_log_level level)
{
	return sink_of_stderr() == SINK_JOURNAL ? priorities[level] : "";
}

/* The priority for the journal, or the UTC time for a terminal; nothing for a file. */
static void line_start(enum sw_log_level level)
{
	enum sink sink = sink_of_stderr();

	if (sink == SINK_JOURNAL) {
		fputs(priorities[level], stderr);
	} else if (sink == SINK_TERMINAL) {
		struct timespec ts;
		char when[32];
		struct tm tm;

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ ", &tm);
		fputs(when, stderr);
	}
}

/* A progress line on the terminal (progress.h) is erased before any line of ours or a library's. */
static void erase_progress(void)
{
	if (line_open) {
		fputs("\r\033[K", stderr);
		line_open = false;
	}
}

unsigned int sw_log_errors(void)
{
	return errors_logged;
}

static void vlog(enum sw_log_level level, const char *fmt, va_list ap)
{
	if (level == SW_LOG_ERR)
		errors_logged++;
	if (level > current_level)
		return;
	erase_progress();
	line_start(level);
	fputs(prefixes[level], stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void sw_log(enum sw_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

void sw_log_line_open(bool open)
{
	line_open = open;
}

int sw_log_library(enum sw_log_level level, const char *tag, const char *fmt, va_list ap)
{
	if (level > current_level)
		return 0;
	erase_progress();
	line_start(level);
	fputs(tag, stderr);
	return vfprintf(stderr, fmt, ap);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* libbpf's warnings explain our own errors, which we report once at the edge. */
	if (current_level < SW_LOG_DEBUG)
		return 0;
	/* Its lines start with "libbpf: " already. */
	return sw_log_library(level == LIBBPF_WARN ? SW_LOG_WARN : SW_LOG_DEBUG, "", fmt, ap);
}

void sw_log_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}
