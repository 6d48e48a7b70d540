# SPDX-License-Identifier: GPL-2.0-only
# Shared helpers of the shell tests: TAP output, privilege checks, throwaway namespaces, bounded
# waits. Source it; then call t_plan_done at the end. Every test script prints TAP.

set -u
T_N=0
T_FAILED=0
SRC_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SW="${SW_BIN:-$SRC_ROOT/scanwatch}"
DATA="${SW_DATA:-$SRC_ROOT/../shared/data}"
T_CLEANUP=()

t_ok() { T_N=$((T_N + 1)); echo "ok $T_N - $*"; }
t_fail() { T_N=$((T_N + 1)); T_FAILED=$((T_FAILED + 1)); echo "not ok $T_N - $*"; }
# t_eq ACTUAL EXPECTED DESCRIPTION: the description should say where EXPECTED comes from.
t_eq() {
	if [ "$1" = "$2" ]; then t_ok "$3 ($1)"; else t_fail "$3: got '$1', expected '$2'"; fi
}
t_true() { local d=$1; shift; if "$@"; then t_ok "$d"; else t_fail "$d"; fi; }

# Skips the whole script; under CI=true a skip is a failure (nothing passes by not running).
t_skip_all() {
	if [ "${CI:-}" = "true" ]; then
		T_N=$((T_N + 1)); echo "not ok $T_N - cannot run under CI: $*"
		echo "1..$T_N"; exit 1
	fi
	echo "1..0 # SKIP $*"; exit 0
}

t_done() { echo "1..$T_N"; [ "$T_FAILED" -eq 0 ]; exit $?; }

require_root() {
	[ "$(id -u)" -eq 0 ] || t_skip_all "needs root (BPF, namespaces)"
	[ -x "$SW" ] || t_skip_all "scanwatch is not built (make)"
}
require_cmd() { for c in "$@"; do command -v "$c" >/dev/null || t_skip_all "needs $c (make deps)"; done; }
require_data() { [ -f "$DATA/$1" ] || t_skip_all "needs $DATA/$1 (shared captures)"; }

# Runs the cleanup list in reverse on any exit, failures included.
on_exit() { T_CLEANUP+=("$*"); }
t_cleanup() {
	local i
	for ((i = ${#T_CLEANUP[@]} - 1; i >= 0; i--)); do eval "${T_CLEANUP[$i]}" >/dev/null 2>&1 || true; done
	t_unmount_pin_roots
}
trap t_cleanup EXIT
trap 'exit 130' INT TERM

# A private bpffs pin root, so tests never touch a real installation's pins. It is mounted
# under /run, not /sys/fs/bpf: `ip netns exec` remounts /sys, which would hide (and, when the
# command ends, drop) pins made under it. Unmounted on exit by t_cleanup.
pin_root() {
	local m=/run/sw-test-$$-$RANDOM
	mkdir -p "$m" && mount -t bpf bpf "$m" || return 1
	echo "$m/scanwatch"
}
t_unmount_pin_roots() {
	local m
	for m in /run/sw-test-$$-*; do
		[ -d "$m" ] || continue
		umount "$m" 2>/dev/null; rmdir "$m" 2>/dev/null
	done
}

# netns_pair NS_A NS_B IF_A IF_B [QUEUES]: two fresh namespaces joined by a veth pair (QUEUES receive
# and transmit queues at each end, default 1), both ends inside
# them, loopback up, no route out. Torn down on exit.
netns_pair() {
	local a=$1 b=$2 ia=$3 ib=$4 q=${5:+numtxqueues $5 numrxqueues $5}
	ip netns add "$a" && on_exit ip netns del "$a"
	ip netns add "$b" && on_exit ip netns del "$b"
	# shellcheck disable=SC2086 # $q: none, or the two words of each end's queue counts
	ip link add "$ia" netns "$a" $q type veth peer name "$ib" netns "$b" $q
	ip -n "$a" link set lo up; ip -n "$b" link set lo up
	ip -n "$a" link set "$ia" up; ip -n "$b" link set "$ib" up
}

uniq_name() { echo "sw$1$$${RANDOM}" | cut -c1-14; }

# wait_for SECONDS COMMAND...: polls the condition every 0.1 s, fails when time runs out.
wait_for() {
	local limit=$1; shift
	local end=$(( $(date +%s%N) + limit * 1000000000 ))
	until "$@"; do
		[ "$(date +%s%N)" -lt "$end" ] || return 1
		sleep 0.1
	done
}

# json_get FILE EXPR: a value from scanwatch's JSON (python3 is on every Debian with tshark).
json_get() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }
