# SPDX-License-Identifier: GPL-2.0-only
# The veth test bed of the live rows of `make bench` (tools/bench_veth.sh, tools/bench_replay.sh):
# a sender and a receiver namespace joined by a veth pair, both made here and removed by
# bn_cleanup, and the rules every measured thread runs under. Source it, set BN_CPU, then call
# bn_setup; bn_cleanup from the caller's EXIT trap.
#
# Why the threads run as they do. The receiving veth polls in a kernel thread of its own
# (threaded NAPI), pinned with the sender and the monitor to one CPU, so that its run time
# (schedstat, in ns) is exactly the receive path's CPU. Under the ordinary scheduler the woken
# NAPI thread preempts the sender at once, polls two to four frames and sleeps again: 250 to
# 450 context switches a thousand packets, a number that changes from run to run, and most of
# the receive path's cost was that switching (an idle receive path measured 530 to 725 ns a
# packet in one run). With every measured thread at the same SCHED_FIFO priority a woken
# thread waits until the running one blocks: the sender fills the veth's ring, the NAPI thread
# empties all 256 frames of it, and the switches are one per ring, every run (about 200 ns a
# packet, a few per cent apart). Real-time throttling still leaves the CPU 5 % of every second
# to whatever else wants it; the other CPU is untouched.

BN_CPU=${BN_CPU:-$(($(nproc) - 1))}
BN_RT_PRIO=${BN_RT_PRIO:-50}
BN_ID=$$$RANDOM
BN_ID=${BN_ID: -6}
SNS=swbench-s$BN_ID RNS=swbench-r$BN_ID SIF=sbs$BN_ID RIF=sbr$BN_ID
BN_PINM=/run/swbench-$BN_ID
PIN=$BN_PINM/scanwatch
NAPI=
BN_RT=

# wait_for SECONDS COMMAND...: polls the condition every 0.05 s; fails when time runs out.
wait_for() {
	local end=$(($(date +%s%N) + $1 * 1000000000))
	shift
	until "$@"; do
		[ "$(date +%s%N)" -lt "$end" ] || return 1
		sleep 0.05
	done
}

rns() { ip netns exec "$RNS" "$@"; }
sns() { ip netns exec "$SNS" "$@"; }

# bn_run CMD...: CMD on the bench's CPU, at the measured threads' priority when it can be had.
bn_run() {
	if [ -n "$BN_RT" ]; then
		chrt -f "$BN_RT_PRIO" taskset -c "$BN_CPU" "$@"
	else
		taskset -c "$BN_CPU" "$@"
	fi
}

# The old ethtool ioctls, so that the bench needs no ethtool: GRO on (1) or TSO off (2).
bn_ethtool_set() {
	ip netns exec "$1" python3 - "$2" "$3" <<'EOF'
import array, fcntl, socket, struct, sys
ifname, what = sys.argv[1].encode(), sys.argv[2]
cmd, value = {"gro": (0x2c, 1), "tso": (0x1f, 0)}[what]  # ETHTOOL_SGRO, ETHTOOL_STSO
buf = array.array("I", [cmd, value])
fcntl.ioctl(socket.socket(socket.AF_INET, socket.SOCK_DGRAM), 0x8946,  # SIOCETHTOOL
            struct.pack("16sP", ifname, buf.buffer_info()[0]))
EOF
}

bn_napi_thread() { NAPI=$(pgrep "^napi/$RIF-" | head -1) && [ -n "$NAPI" ]; }

bn_fail() { echo "${BN_NAME:-bench}: $*" >&2; }

# bn_setup: the pin root, both namespaces, the veth pair and its NAPI thread; 1 after saying
# what failed. Sets NAPI (the thread's pid) and BN_RT.
bn_setup() {
	local ns
	mkdir -p "$BN_PINM" && mount -t bpf bpf "$BN_PINM" ||
		{ bn_fail "cannot mount a private bpffs at $BN_PINM"; return 1; }
	ip netns add "$SNS" && ip netns add "$RNS" || { bn_fail "cannot make network namespaces"; return 1; }
	# No IPv6 on either end: the kernels add no router solicitation or MLD report to the count.
	for ns in "$SNS" "$RNS"; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
		ip -n "$ns" link set lo up
	done
	ip link add "$SIF" netns "$SNS" type veth peer name "$RIF" netns "$RNS" ||
		{ bn_fail "cannot make a veth pair"; return 1; }
	ip -n "$SNS" link set "$SIF" up && ip -n "$RNS" link set "$RIF" up
	# veth hands a frame to the receiver's NAPI poll only if GRO is on there (or XDP is
	# attached) and the sender does no TSO (which XDP would turn off anyway): then the same
	# path receives with and without XDP.
	bn_ethtool_set "$RNS" "$RIF" gro && bn_ethtool_set "$SNS" "$SIF" tso ||
		{ bn_fail "cannot set GRO/TSO on the veth pair"; return 1; }
	rns sh -c "echo 1 >/sys/class/net/$RIF/threaded" || { bn_fail "no threaded NAPI on veth"; return 1; }
	wait_for 5 bn_napi_thread || { bn_fail "no NAPI thread for $RIF"; return 1; }
	taskset -pc "$BN_CPU" "$NAPI" >/dev/null || { bn_fail "cannot pin the NAPI thread to CPU $BN_CPU"; return 1; }
	# Where real-time priority cannot be had (a cgroup without real-time time), the figures
	# are measured all the same and say so: bn_sched tells which.
	if chrt -f "$BN_RT_PRIO" true 2>/dev/null && chrt -f -p "$BN_RT_PRIO" "$NAPI" >/dev/null 2>&1; then
		BN_RT=1
	fi
	return 0
}

# bn_steady A B: whether a measurement taken between two baseline runs (A and B, ns a packet of
# the same work) stands. It does not when they are more than BN_DRIFT apart, or when either is
# more than BN_SLOW above the fastest baseline of the bench (BN_BEST, kept here): the VM ran
# slower than it can for part of the time or all of it. Other guests of the host do that, by a
# factor of two for seconds at a time, and this VM sees nothing of it but its own speed.
BN_DRIFT=${BN_DRIFT:-0.10}
BN_SLOW=${BN_SLOW:-0.15}
BN_BEST=0
bn_steady() {
	local out
	out=$(awk -v a="$1" -v b="$2" -v best="$BN_BEST" -v d="$BN_DRIFT" -v s="$BN_SLOW" 'BEGIN {
		m = a < b ? a : b
		if (best == 0 || m < best) best = m
		ok = a - b <= d * (a + b) / 2 && b - a <= d * (a + b) / 2 &&
			a <= best * (1 + s) && b <= best * (1 + s)
		printf "%.3f %d\n", best, ok }')
	BN_BEST=${out% *}
	[ "${out#* }" = 1 ]
}

# How the measured threads were scheduled, for the method lines and bench.json.
bn_sched() {
	if [ -n "$BN_RT" ]; then
		echo "SCHED_FIFO $BN_RT_PRIO on CPU $BN_CPU"
	else
		echo "SCHED_OTHER on CPU $BN_CPU (real-time priority refused: expect unstable figures)"
	fi
}

# Everything the bench made, also after a failure: the monitor it started (MPID), the point
# it attached (POINT, with the scanwatch binary SW), the namespaces, the pin root, WORK.
bn_cleanup() {
	set +e # whatever is already gone, the rest is removed
	[ -n "${MPID:-}" ] && kill -KILL "$MPID" 2>/dev/null
	[ -n "${SW:-}" ] && [ -n "${POINT:-}" ] &&
		rns "$SW" detach --point "$POINT" --pin-root "$PIN" >/dev/null 2>&1
	ip netns del "$SNS" 2>/dev/null
	ip netns del "$RNS" 2>/dev/null
	mountpoint -q "$BN_PINM" && umount "$BN_PINM"
	rmdir "$BN_PINM" 2>/dev/null
	[ -n "${WORK:-}" ] && rm -rf "$WORK"
	return 0
}

# "busy total" jiffies of every CPU but the bench's, from /proc/stat: what else the machine did.
bn_others_jiffies() {
	awk -v me="cpu$BN_CPU" '$1 ~ /^cpu[0-9]+$/ && $1 != me {
		b += $2 + $3 + $4 + $7 + $8; t += $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }
		END { print b, t }' /proc/stat
}
bn_rx_packets() { rns cat "/sys/class/net/$RIF/statistics/rx_packets"; }
# ns of CPU a process has run, all its threads (schedstat's first field).
bn_cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f\n", s }'; }
# Voluntary context switches of a thread: how often the NAPI thread went to sleep.
bn_switches() { awk '/^voluntary_ctxt_switches/ { print $2 }' /proc/"$1"/status; }
# The XDP mode the kernel reports for the receiving veth: native, generic or none.
bn_xdp_mode() {
	ip -j -n "$RNS" link show dev "$RIF" | python3 -c '
import json, sys
x = json.load(sys.stdin)[0].get("xdp")
print({1: "native", 2: "generic", 3: "offload"}.get(x["mode"], "other") if x else "none")'
}
# The id of the XDP program attached to the receiving veth (whatever attached it), or nothing.
bn_xdp_prog_id() {
	ip -j -d -n "$RNS" link show dev "$RIF" | python3 -c '
import json, sys
x = json.load(sys.stdin)[0].get("xdp") or {}
p = x.get("prog") or (x.get("attached") or [{}])[0].get("prog") or {}
print(p.get("id", ""))'
}
