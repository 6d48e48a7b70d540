#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Several CPUs (README.md, "How counting works"): a veth pair with two receive and transmit
# queues, and two senders, each held on its own CPU, sending the very same frames at the same
# time (20 000 SYNs from 2000 sources to four ports each, so every (source, key) pair arrives
# on both sides). The receive path runs the program on whichever CPU polls a queue; each CPU
# counts in its own cache and log, with no atomics, and the drain adds each pair's packets from
# every CPU into one. The stored day must be exactly twice each sender's tally in accesses and
# exactly one tally in sources; the daemon's census (-v) shows that both CPUs counted frames,
# and that their frames add up to what was sent. Native mode first, then generic mode, where
# the program runs in the receiving CPU's backlog instead.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/live_lib.sh"

require_root
require_cmd ip python3 taskset
[ -x "$SWSEND" ] || t_skip_all "swsend is not built (make)"
[ "$(nproc)" -ge 2 ] || t_skip_all "needs two CPUs (this machine has $(nproc))"
live_setup 2 || t_skip_all "cannot build the namespaces and a veth pair with two queues"
N=20000

# frames_per_cpu: the census lines' per-CPU frames, summed over the drains, one line per CPU.
frames_per_cpu() {
	sed -n 's/.*frames per CPU: *//p' "$WORK/daemon.log" | awk '
	{ for (i = 1; i <= NF; i++) n[i] += $i; if (NF > m) m = NF }
	END { for (i = 1; i <= m; i++) print n[i] + 0 }'
}

# tally FILE: a sender's tally without its duration.
tally() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d.pop("seconds"); print(json.dumps(d, sort_keys=True))' "$1"; }

run_mode() {
	local mode=$1 cpu pids=() rx0 got
	: >"$WORK/daemon.log"
	DATA_DIR=$WORK/data-$mode
	if daemon_start -v --mode "$mode" --interval 3600; then
		t_ok "$mode: daemon attached, draining only on SIGTERM"
	else
		t_fail "$mode: daemon did not attach"
		sed 's/^/# /' "$WORK/daemon.log"
		return 1
	fi
	rx0=$(rx_packets)
	for cpu in 0 1; do
		taskset -c "$cpu" ip netns exec "$GNS" "$SWSEND" --iface "$GIF" --json -d 192.0.2.1 \
			-k syn -p 22,23,445,3389 -s 2000 --src-prefix 198.18.0.0/16 -c "$N" \
			--rate 10000 --max-time 20 >"$WORK/sent-$mode.$cpu" &
		pids+=($!)
	done
	for cpu in 0 1; do
		wait "${pids[$cpu]}"
		t_eq "$?" 0 "$mode: the sender on CPU $cpu finished"
	done
	t_eq "$(tally "$WORK/sent-$mode.0")" "$(tally "$WORK/sent-$mode.1")" \
		"$mode: both senders sent the same frames (the same tally)"
	t_true "$mode: the sensor received all $((2 * N)) frames" wait_rx "$rx0" $((2 * N))
	daemon_stop TERM
	t_eq "$?" 0 "$mode: SIGTERM: exit 0"
	got=$(frames_per_cpu | head -2 | tr '\n' ' ')
	# shellcheck disable=SC2086
	set -- $got
	t_true "$mode: both CPUs counted frames (CPU 0: ${1:-0}, CPU 1: ${2:-0})" \
		[ "${1:-0}" -gt 0 ] && [ "${2:-0}" -gt 0 ]
	t_eq "$(frames_per_cpu | awk '{ n += $1 } END { print n + 0 }')" $((2 * N)) \
		"$mode: the CPUs' frames add up to the frames sent"
	stored "$WORK/s-$mode.json" || t_fail "$mode: summary failed"
	while IFS=$'\t' read -r d g e; do
		t_eq "$g" "$e" "$mode: $d"
	done < <(python3 - "$WORK/s-$mode.json" "$WORK/sent-$mode.0" <<'EOF'
import json, sys
got, one = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
print("accesses: twice one sender's\t%d\t%d" % (got["accesses"], 2 * one["accesses"]))
print("sources: one sender's, the pairs both sent\t%d\t%d" % (got["sources"], one["sources"]))
print("dropped: nothing overflowed\t%d\t0" % got["dropped"])
seen = {(k["key"], k["kind"]): (k["accesses"], k["sources"]) for k in got["keys"]}
for k in one["keys"]:
    g = seen.pop((k["key"], k["kind"]), (0, 0))
    print("%s %s accesses/sources: twice/once the sender's\t%d/%d\t%d/%d"
          % (k["key"], k["kind"], g[0], g[1], 2 * k["accesses"], k["sources"]))
print("keys counted that were never sent\t%s\tnone" % (",".join(
    "%s:%s=%d" % (k[0], k[1], v[0]) for k, v in sorted(seen.items())) or "none"))
EOF
	)
	sns "$SW" detach --point "$POINT" --pin-root "$PIN" >/dev/null 2>&1
}

run_mode native
run_mode generic
t_done
