// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel's run-time statistics of BPF programs, for `make bench` (tools/bench_replay.sh):
 * holds them on while a command runs, and reads one program's count of runs and nanoseconds.
 *
 * BPF_ENABLE_STATS does what kernel.bpf_stats_enabled=1 does, but only while its file
 * descriptor is open: the statistics go off again when the command ends, also when it fails or
 * is killed, and another holder (another bench, a sysadmin's sysctl) keeps them on for itself.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <bpf/bpf.h>

#include "parse_num.h"

static const char help[] =
	"Usage: bpfstats -- COMMAND [ARG...]\n"
	"       bpfstats --prog ID\n"
	"\n"
	"The first form runs COMMAND with the kernel's BPF run-time statistics on (as\n"
	"kernel.bpf_stats_enabled=1) and exits with its status; they go off again when it ends\n"
	"unless someone else holds them on. The second prints program ID's runs and run time\n"
	"since it was loaded while statistics were on: \"RUN_CNT RUN_TIME_NS\".\n"
	"\n"
	"Example:\n"
	"  bpfstats -- sh -c 'tcpreplay -i veth0 capture.pcap; bpfstats --prog 42'\n";

static int show_prog(const char *arg)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	unsigned int id;
	int fd;

	if (parse_uint(arg, 1, UINT32_MAX, &id)) {
		fprintf(stderr, "bpfstats: bad program id '%s'\n", arg);
		return 2;
	}
	fd = bpf_prog_get_fd_by_id(id);
	memset(&info, 0, sizeof(info));
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len)) {
		fprintf(stderr, "bpfstats: program %u: %s\n", id, strerror(errno));
		if (fd >= 0)
			close(fd);
		return 1;
	}
	close(fd);
	printf("%llu %llu\n", (unsigned long long)info.run_cnt,
	       (unsigned long long)info.run_time_ns);
	return 0;
}

static int run_with_stats(char **cmd)
{
	int fd = bpf_enable_stats(BPF_STATS_RUN_TIME), status;
	pid_t pid;

	if (fd < 0) {
		fprintf(stderr, "bpfstats: cannot turn BPF statistics on: %s\n", strerror(errno));
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "bpfstats: fork: %s\n", strerror(errno));
		close(fd);
		return 1;
	}
	if (pid == 0) {
		close(fd);
		execvp(cmd[0], cmd);
		fprintf(stderr, "bpfstats: cannot run %s: %s\n", cmd[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			close(fd);
			return 1;
		}
	close(fd);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--prog"))
		return show_prog(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "--"))
		return run_with_stats(argv + 2);
	if (argc == 2 && !strcmp(argv[1], "--help")) {
		fputs(help, stdout);
		return 0;
	}
	fputs(help, stderr);
	return 2;
}
