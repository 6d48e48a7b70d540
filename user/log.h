/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef SW_LOG_H
#define SW_LOG_H

enum sw_log_level { SW_LOG_ERR, SW_LOG_WARN, SW_LOG_INFO, SW_LOG_DEBUG };

/* The level is process-wide like stderr itself: set once from -v/-q, read by every module. */
void sw_log_set_level(enum sw_log_level level);
enum sw_log_level sw_log_get_level(void);
void sw_log(enum sw_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Error lines printed so far: a command that printed one never exits 0 (main.c). */
unsigned int sw_log_errors(void);
/* Routes libbpf's messages through sw_log, its debug lines only at SW_LOG_DEBUG. */
void sw_log_libbpf(void);

#define sw_err(...) sw_log(SW_LOG_ERR, __VA_ARGS__)
#define sw_warn(...) sw_log(SW_LOG_WARN, __VA_ARGS__)
#define sw_info(...) sw_log(SW_LOG_INFO, __VA_ARGS__)
#define sw_debug(...) sw_log(SW_LOG_DEBUG, __VA_ARGS__)

#endif
