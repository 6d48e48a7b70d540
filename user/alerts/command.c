// SPDX-License-Identifier: GPL-2.0-only
/*
 * The operator's alert command, run in a supervising child so that the drain never waits for
 * it: environment, time limit, exit status.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "alerts.h"
#include "internal.h"
#include "log.h"
#include "priv.h"
#include "safe_file.h"

#define KILL_GRACE_MS 1000
void alert_reap(struct alert_engine *e)
{
	for (size_t i = 0; i < e->nchildren;) {
		if (waitpid(e->children[i], NULL, WNOHANG) == e->children[i]) {
			e->children[i] = e->children[--e->nchildren];
			continue;
		}
		i++;
	}
}

static void set_env_num(const char *name, double v, const char *fmt)
{
	char buf[64];

	if (isnan(v))
		buf[0] = '\0';
	else
		snprintf(buf, sizeof(buf), fmt, v);
	setenv(name, buf, 1);
}

static void set_env(const struct alert *a, const char *msg)
{
	char at[32];

	setenv("SW_ALERT_KIND", alert_kind_names[a->kind], 1);
	setenv("SW_ALERT_POINT", a->point, 1);
	setenv("SW_ALERT_KEY", a->key, 1);
	setenv("SW_ALERT_KEY_KIND", sw_kind_names[a->key_kind], 1);
	setenv("SW_ALERT_MEASURE", a->sources ? "sources" : "accesses", 1);
	set_env_num("SW_ALERT_VALUE", a->value, "%.6g");
	set_env_num("SW_ALERT_BASELINE", a->baseline, "%.6g");
	set_env_num("SW_ALERT_CHANGE_PCT", a->change_pct, "%.1f");
	set_env_num("SW_ALERT_SCORE", a->score, "%.3f");
	setenv("SW_ALERT_FROM", a->from, 1);
	setenv("SW_ALERT_TO", a->to, 1);
	setenv("SW_ALERT_BASE_FROM", a->base_from, 1);
	setenv("SW_ALERT_BASE_TO", a->base_to, 1);
	snprintf(at, sizeof(at), "%" PRId64, a->at);
	setenv("SW_ALERT_AT", at, 1);
	setenv("SW_ALERT_MESSAGE", msg, 1);
}

static int wait_exit(int pidfd, pid_t pid, int timeout_ms, int *status)
{
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
	int r;

	do
		r = poll(&pfd, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r <= 0)
		return -ETIMEDOUT;
	return waitpid(pid, status, 0) == pid ? 0 : -errno;
}

/*
 * The supervisor: a child of the daemon that starts the command, waits for it up to the
 * timeout, then kills it. The daemon only reaps the supervisor, which is bounded too.
 */
static void __attribute__((noreturn))
supervise(const struct alert_engine *e, const struct alert *a, const char *msg)
{
	char errmsg[256];
	sigset_t none;
	int status = 0, pidfd, fd;
	pid_t pid;

	/* Nothing of the daemon's (BPF maps, the day's logs, signalfd) goes to the command. */
	close_range(3, ~0U, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	/* Nor its privileges: replay runs as root with all of them (README.md, "Alerts"). */
	if (priv_shed(errmsg, sizeof(errmsg))) {
		fprintf(stderr, "scanwatch: warning: alert command %s not run: %s\n", e->argv[0],
			errmsg);
		_exit(1);
	}
	set_env(a, msg);
	pid = fork();
	if (pid < 0)
		_exit(1);
	if (pid == 0) {
		fd = open("/dev/null", O_RDONLY);
		if (fd >= 0 && fd != 0) {
			dup2(fd, 0);
			close(fd);
		}
		execvp(e->argv[0], e->argv);
		sw_warn("alert command %s: %s", e->argv[0], strerror(errno));
		_exit(127);
	}
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0 || wait_exit(pidfd, pid, (int)e->timeout_s * 1000, &status)) {
		kill(pid, SIGTERM);
		if (pidfd < 0 || wait_exit(pidfd, pid, KILL_GRACE_MS, &status)) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
		}
		sw_warn("alert command %s killed after %u s: it took too long", e->argv[0],
			e->timeout_s);
		_exit(1);
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) && WEXITSTATUS(status) != 127)
		sw_warn("alert command %s exited with %d", e->argv[0], WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		sw_warn("alert command %s killed by signal %d", e->argv[0], WTERMSIG(status));
	_exit(0);
}

static void run_command(struct alert_engine *e, const struct alert *a, const char *msg)
{
	pid_t pid;

	alert_reap(e);
	if (e->nchildren == ALERT_MAX_CHILDREN) {
		sw_warn("alert command not run: %d of them still running", ALERT_MAX_CHILDREN);
		return;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		sw_warn("alert command not run: fork: %s", strerror(errno));
		return;
	}
	if (pid == 0)
		supervise(e, a, msg);
	e->children[e->nchildren++] = pid;
}

void alert_raise(struct alert_engine *e, const struct alert *a)
{
	char msg[768];
	int err;

	alert_describe(a, msg, sizeof(msg));
	sw_warn("alert: %s", msg);
	err = alerts_log_append(e->data_dir, a);
	if (err)
		sw_warn("point %s: cannot append to %s/%s/" ALERT_LOG_FILE ": %s", a->point,
			e->data_dir, a->point, sf_strerror(err));
	else if (e->logged && a->point[0])
		e->logged(e->logged_ctx, a);
	e->raised++;
	if (e->argv)
		run_command(e, a, msg);
}
