// SPDX-License-Identifier: GPL-2.0-only
#include <stdarg.h>
#include <stdio.h>
#include <bpf/libbpf.h>

#include "log.h"

static enum sw_log_level current_level = SW_LOG_INFO;
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
