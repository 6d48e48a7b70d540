/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef SW_LOG_H
#define SW_LOG_H

#include <stdarg.h>
#include <stdbool.h>

enum sw_log_level { SW_LOG_ERR, SW_LOG_WARN, SW_LOG_INFO, SW_LOG_DEBUG };

/*
 * Lines go to stderr. Under systemd (JOURNAL_STREAM names stderr) each starts with its syslog
 * priority, <3> to <7>, for the journal; on a terminal with the UTC time; elsewhere as they are.
 */

/* The level is process-wide like stderr itself: set once from -v/-q, read by every module. */
void sw_log_set_level(enum sw_log_level level);
enum sw_log_level sw_log_get_level(void);
void sw_log(enum sw_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A progress line is on the terminal (progress.h): the next log line erases it first. */
void sw_log_line_open(bool open);
/* A library's own line (it ends it), after the line start a line of ours would have, and tag. */
int sw_log_library(enum sw_log_level level, const char *tag, const char *fmt, va_list ap);
/* The journal's priority prefix of a level ("<3>"), or "" when stderr is not the journal. */
const char *sw_log_priority(enum sw_log_level level);
/* Error lines printed so far: a command that printed one never exits 0 (main.c). */
unsigned int sw_log_errors(void);
/* Routes libbpf's messages through sw_log, its debug lines only at SW_LOG_DEBUG. */
void sw_log_libbpf(void);

#define sw_err(...) sw_log(SW_LOG_ERR, __VA_ARGS__)
#define sw_warn(...) sw_log(SW_LOG_WARN, __VA_ARGS__)
#define sw_info(...) sw_log(SW_LOG_INFO, __VA_ARGS__)
#define sw_debug(...) sw_log(SW_LOG_DEBUG, __VA_ARGS__)

#endif
