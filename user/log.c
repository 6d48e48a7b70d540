// SPDX-License-Identifier: GPL-2.0-only
#include <stdarg.h>
#include <stdio.h>
#include <bpf/libbpf.h>

#include "log.h"

static enum sw_log_level current_level = SW_LOG_INFO;
static bool line_open;

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

static void vlog(enum sw_log_level level, const char *fmt, va_list ap)
{
	if (level > current_level)
		return;
	if (line_open) {
		fputs("\r\033[K", stderr);
		line_open = false;
	}
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

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && current_level < SW_LOG_DEBUG)
		return 0;
	/* libbpf's warnings explain our own errors, which we report once at the edge. */
	if (current_level < SW_LOG_DEBUG)
		return 0;
	fputs("libbpf: ", stderr);
	return vfprintf(stderr, fmt, ap);
}

void sw_log_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}
