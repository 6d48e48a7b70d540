// SPDX-License-Identifier: GPL-2.0-only
/*
 * systemd's notification protocol as user/lib/sdnotify.c speaks it, against sockets this test binds
 * and reads as systemd does (a datagram socket with SO_PASSCRED: NotifyAccess=main trusts the
 * sender's pid): a path and an abstract address, the exact datagrams, the watchdog's period
 * (half of WATCHDOG_USEC) only for the process WATCHDOG_PID names, and the variables unset so
 * that the programs the daemon starts cannot speak for it. tests/t_service.sh runs the daemon
 * under a real systemd.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sdnotify.h"

static int listen_at(const char *name, bool abstract)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), on = 1;
	socklen_t len;

	assert_true(fd >= 0);
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)), 0);
	if (abstract) {
		memcpy(sa.sun_path + 1, name, strlen(name));
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
	} else {
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", name);
		unlink(name);
		len = sizeof(sa);
	}
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, len), 0);
	return fd;
}

/* One datagram, and the pid the kernel says sent it. */
static void receive(int fd, char *buf, size_t len, pid_t *pid)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(struct ucred))];
	} ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = len - 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = &ctl, .msg_controllen = sizeof(ctl)
	};
	ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT);
	struct cmsghdr *c;

	assert_true(n >= 0);
	buf[n] = '\0';
	*pid = 0;
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS)
			*pid = ((struct ucred *)CMSG_DATA(c))->pid;
}

static void assert_unset(void)
{
	assert_null(getenv("NOTIFY_SOCKET"));
	assert_null(getenv("WATCHDOG_USEC"));
	assert_null(getenv("WATCHDOG_PID"));
}

static void test_path_socket(void **state)
{
	char dir[] = "/tmp/sw-notify-XXXXXX", path[64], buf[256], pid[16], errmsg[256];
	struct sdnotify n;
	pid_t from;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/notify", dir);
	fd = listen_at(path, false);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("NOTIFY_SOCKET", path, 1);
	setenv("WATCHDOG_USEC", "3000000", 1);
	setenv("WATCHDOG_PID", pid, 1);
	assert_int_equal(sdnotify_open(&n, errmsg, sizeof(errmsg)), 0);
	assert_unset();
	/* WatchdogSec=3s: a ping every 1.5 s. */
	assert_int_equal(n.watchdog_usec, 3000000);
	assert_int_equal(sdnotify_ping_usec(&n), 1500000);
	assert_int_equal(sdnotify_send(&n, "READY=1\nSTATUS=counting on %d point(s)", 2), 0);
	receive(fd, buf, sizeof(buf), &from);
	assert_string_equal(buf, "READY=1\nSTATUS=counting on 2 point(s)");
	assert_int_equal(from, getpid());
	assert_int_equal(sdnotify_send(&n, "WATCHDOG=1"), 0);
	receive(fd, buf, sizeof(buf), &from);
	assert_string_equal(buf, "WATCHDOG=1");
	sdnotify_close(&n);
	assert_int_equal(sdnotify_send(&n, "WATCHDOG=1"), 0); /* closed: nothing is sent */
	assert_int_equal(recv(fd, buf, sizeof(buf), MSG_DONTWAIT), -1);
	close(fd);
	unlink(path);
	rmdir(dir);
}

static void test_abstract_socket(void **state)
{
	char name[64], addr[80], buf[256], errmsg[256];
	struct sdnotify n;
	pid_t from;
	int fd;

	(void)state;
	snprintf(name, sizeof(name), "sw-notify-test-%d", (int)getpid());
	fd = listen_at(name, true);
	snprintf(addr, sizeof(addr), "@%s", name);
	setenv("NOTIFY_SOCKET", addr, 1);
	/* No WATCHDOG_PID: the watchdog is whoever reads WATCHDOG_USEC. */
	setenv("WATCHDOG_USEC", "120000000", 1);
	unsetenv("WATCHDOG_PID");
	assert_int_equal(sdnotify_open(&n, errmsg, sizeof(errmsg)), 0);
	assert_unset();
	assert_int_equal(sdnotify_ping_usec(&n), 60000000);
	assert_int_equal(sdnotify_send(&n, "STOPPING=1"), 0);
	receive(fd, buf, sizeof(buf), &from);
	assert_string_equal(buf, "STOPPING=1");
	sdnotify_close(&n);
	close(fd);
}

static void test_not_ours(void **state)
{
	char errmsg[256];
	struct sdnotify n;

	(void)state;
	/* The watchdog of another process (say, a shell that started us) is not ours. */
	setenv("NOTIFY_SOCKET", "@sw-notify-nobody", 1);
	setenv("WATCHDOG_USEC", "3000000", 1);
	setenv("WATCHDOG_PID", "1", 1);
	assert_int_equal(sdnotify_open(&n, errmsg, sizeof(errmsg)), 0);
	assert_int_equal(sdnotify_ping_usec(&n), 0);
	assert_unset();
	sdnotify_close(&n);
	/* No socket: no watchdog either, and nothing to send to. */
	setenv("WATCHDOG_USEC", "3000000", 1);
	assert_int_equal(sdnotify_open(&n, errmsg, sizeof(errmsg)), 0);
	assert_int_equal(n.fd, -1);
	assert_int_equal(sdnotify_ping_usec(&n), 0);
	assert_int_equal(sdnotify_send(&n, "READY=1"), 0);
	sdnotify_close(&n);
}

static void test_bad_variables(void **state)
{
	char errmsg[256];
	struct sdnotify n;

	(void)state;
	setenv("NOTIFY_SOCKET", "relative/path", 1);
	assert_int_equal(sdnotify_open(&n, errmsg, sizeof(errmsg)), -EINVAL);
	assert_string_equal(errmsg, "NOTIFY_SOCKET='relative/path' is not a socket address");
	assert_unset();
	setenv("NOTIFY_SOCKET", "@x", 1);
	setenv("WATCHDOG_USEC", "2min", 1);
	assert_int_equal(sdnotify_open(&n, errmsg, sizeof(errmsg)), -EINVAL);
	assert_string_equal(errmsg, "WATCHDOG_USEC='2min' is not a number of microseconds");
	assert_int_equal(sdnotify_ping_usec(&n), 0);
	assert_unset();
	sdnotify_close(&n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_socket),
		cmocka_unit_test(test_abstract_socket),
		cmocka_unit_test(test_not_ours),
		cmocka_unit_test(test_bad_variables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
