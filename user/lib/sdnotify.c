// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parse_num.h"
#include "sdnotify.h"

/* The address in $NOTIFY_SOCKET: a path, or "@name" in the abstract namespace. */
static int set_addr(struct sdnotify *n, const char *s)
{
	size_t len = strlen(s);

	if ((s[0] != '/' && s[0] != '@') || len < 2 || len >= sizeof(n->addr.sun_path))
		return -EINVAL;
	memset(&n->addr, 0, sizeof(n->addr));
	n->addr.sun_family = AF_UNIX;
	memcpy(n->addr.sun_path, s, len);
	if (s[0] == '@')
		n->addr.sun_path[0] = '\0';
	/* An abstract name is exactly its bytes; a path may carry its terminating NUL. */
	n->addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + (s[0] == '/'));
	return 0;
}

int sdnotify_open(struct sdnotify *n, char *errmsg, size_t errlen)
{
	const char *sock = getenv("NOTIFY_SOCKET"), *usec = getenv("WATCHDOG_USEC"),
		   *pid = getenv("WATCHDOG_PID");
	uint64_t v;
	int err = 0;

	memset(n, 0, sizeof(*n));
	n->fd = -1;
	/* The watchdog is ours unless it names another process (one that started us, say). */
	if (usec && (!pid || (!parse_u64(pid, 1, UINT32_MAX, &v) && v == (uint64_t)getpid()))) {
		if (parse_u64(usec, 1, UINT64_MAX, &n->watchdog_usec)) {
			snprintf(errmsg, errlen,
				 "WATCHDOG_USEC='%s' is not a number of microseconds", usec);
			err = -EINVAL;
		}
	}
	if (!err && sock) {
		if (set_addr(n, sock)) {
			snprintf(errmsg, errlen, "NOTIFY_SOCKET='%s' is not a socket address",
				 sock);
			err = -EINVAL;
		} else {
			n->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
			if (n->fd < 0) {
				err = -errno;
				snprintf(errmsg, errlen, "NOTIFY_SOCKET: %s", strerror(errno));
			}
		}
	}
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	if (err || n->fd < 0)
		n->watchdog_usec = 0; /* pings nobody hears would be a lie */
	return err;
}

void sdnotify_close(struct sdnotify *n)
{
	if (n->fd >= 0)
		close(n->fd);
	n->fd = -1;
	n->watchdog_usec = 0;
}

int sdnotify_send(struct sdnotify *n, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int len;

	if (n->fd < 0)
		return 0;
	va_start(ap, fmt);
	len = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (len < 0)
		return -EINVAL;
	if ((size_t)len >= sizeof(buf))
		len = sizeof(buf) - 1; /* a STATUS= cut short is still a status */
	/* The socket buffer full (a manager that reads nothing) must not stall the drain loop. */
	if (sendto(n->fd, buf, (size_t)len, MSG_NOSIGNAL | MSG_DONTWAIT,
		   (struct sockaddr *)&n->addr, n->addr_len) < 0)
		return -errno;
	return 0;
}

uint64_t sdnotify_ping_usec(const struct sdnotify *n)
{
	return n->watchdog_usec / 2;
}
