/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * systemd's readiness and watchdog protocol, spoken without libsystemd: a datagram of
 * "KEY=value" lines to the AF_UNIX socket named by $NOTIFY_SOCKET (sd_notify(3)). Under any
 * other supervisor, or none, every call does nothing.
 */
#ifndef SW_SDNOTIFY_H
#define SW_SDNOTIFY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/un.h>

struct sdnotify {
	int fd; /* -1: nobody listens */
	struct sockaddr_un addr;
	socklen_t addr_len;
	uint64_t watchdog_usec; /* 0: no watchdog; else systemd's WatchdogSec= */
};

/*
 * Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID and unsets them, so that the programs the
 * daemon starts (--alert-command) cannot speak for it. 0, or -errno with errmsg when the
 * variables are set but unusable.
 */
int sdnotify_open(struct sdnotify *n, char *errmsg, size_t errlen);
void sdnotify_close(struct sdnotify *n);
/* Sends the lines of fmt as one datagram; 0, or -errno. */
int sdnotify_send(struct sdnotify *n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* How often to ping the watchdog: half its timeout, as sd_watchdog_enabled(3) advises; 0: none. */
uint64_t sdnotify_ping_usec(const struct sdnotify *n);

#endif
