#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `make bench`, the live rows of the targets: packets per second a veth receives with
# scanwatch attached (native and generic XDP) against nothing attached; CPU per packet of
# scanwatch against tcpdump (libpcap) on the same traffic; the daemon's memory and CPU at rest.
# Writes {"veth": ..., "cpu": ..., "rest": ...} to the file given as $1 and prints the method
# and the rows. Only a bench that cannot run, or that counts wrongly, fails: ratios never do.
#
# Set-up (tools/lib/benchnet.sh): a sender and a receiver namespace joined by a veth pair. The
# sender is tools/blast (the bench's mix, as tools/bench runs it through BPF_PROG_TEST_RUN,
# every frame to a MAC no interface has, so the stack drops it at its first look). By default
# blast sends XDP frames (--xdp: redirected out of the sending veth), which reach the receiver
# as a NIC's driver hands them to XDP, in a page with XDP's headroom; frames from a socket
# (BENCH_SENDER=socket) the veth copies into a page of its own before a native XDP program,
# attached or empty, may see them (about 300 ns a frame here), which a NIC's driver never does.
# Sender, the receiver's NAPI thread and the monitor run on one CPU at real-time priority, which
# makes the receive path's batching the same in every run (benchnet.sh says why that matters):
# the NAPI thread and the monitor at one priority; the XDP sender one below, so that the NAPI
# thread takes each batch of 64 frames as it is flushed, as a NIC's interrupt would (a veth
# queues at most 256); the socket sender at the NAPI thread's, so that it fills the ring first.
#
# Each repeat measures every monitor between two runs with nothing attached (the monitors' order
# turns every repeat), and a monitor's receive-path share is its NAPI thread's time a packet
# minus the mean of those two idle runs. When the two idle runs disagree, the machine changed
# speed under the measurement (it is a VM: other guests of the host), and it is made again. A figure is quoted with the spread of its repeats
# (tools/lib/benchstat.py); a ratio only when its figures' repeats agree within 20 %.
#
# Environment: BENCH_SENDER xdp (default) or socket, BENCH_COUNT frames a run (default 1000000),
# BENCH_REPS repeats (default 5), BENCH_CPU the CPU (default the last one), BENCH_REST_S seconds
# at rest (default 20).
set -eu
cd "$(dirname "$0")/.."
OUT_JSON=${1:?usage: tools/bench_veth.sh OUT.json}
COUNT=${BENCH_COUNT:-1000000}
REPS=${BENCH_REPS:-5}
BN_CPU=${BENCH_CPU:-$(($(nproc) - 1))}
REST_S=${BENCH_REST_S:-20}
REST_INTERVAL=5
WARMUP=200000
# Tries more per measurement, and in all: a VM slow for minutes must not make the bench last an
# hour; what is kept unsteady is counted and said.
RETRIES=${BENCH_RETRIES:-3}
RETRY_BUDGET=${BENCH_RETRY_BUDGET:-$((3 * REPS))}
POINT=bench
MONITORS="native generic tcpdump empty-native empty-generic"
# The measured daemons drain every SW_INTERVAL seconds, so that a run's traffic is stored while
# the daemon runs, as a running daemon stores it, rather than by the drain of its exit.
SW_INTERVAL=${BENCH_SW_INTERVAL:-5}
SENDER=${BENCH_SENDER:-xdp}
case $SENDER in
xdp) SEND_FLAGS=--xdp SEND_HOW="XDP frames redirected out of the sending veth (live-frames test runs, batches of 64), one real-time priority below the NAPI thread" ;;
socket) SEND_FLAGS= SEND_HOW="AF_PACKET, sendmmsg, qdisc bypass, waits while the veth ring is full" ;;
*) echo "bench_veth: BENCH_SENDER is xdp or socket, not $SENDER" >&2; exit 2 ;;
esac

for c in ip tcpdump python3 taskset chrt; do
	command -v "$c" >/dev/null || { echo "bench_veth: needs $c (make deps)" >&2; exit 1; }
done
for f in scanwatch .output/tools/blast; do
	[ -x "$f" ] || { echo "bench_veth: $f is not built (make)" >&2; exit 1; }
done
[ -e .output/empty.bpf.o ] || { echo "bench_veth: .output/empty.bpf.o is not built (make)" >&2; exit 1; }
BN_NAME=bench_veth
. tools/lib/benchnet.sh

WORK=$(mktemp -d)
# The binaries measured are those built when the bench starts, whatever a concurrent make does.
cp scanwatch .output/tools/blast .output/empty.bpf.o "$WORK/"
SW=$WORK/scanwatch BLAST=$WORK/blast
SUB= MPID=

cleanup() {
	set +e
	[ -n "$MPID" ] && kill -KILL "$MPID" 2>/dev/null
	[ -n "$SUB" ] && wait "$SUB" 2>/dev/null
	bn_cleanup
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() {
	echo "bench_veth: $*" >&2
	[ -s "$WORK/daemon.log" ] && tail -5 "$WORK/daemon.log" >&2
	exit 1
}

# Children's CPU from the subshell's `times` (ms precision): "user sys" in seconds.
times_s() {
	sed -n 2p "$1" | awk '{ n = split($0, f, /[ ms]+/); print f[1] * 60 + f[2] + f[3] * 60 + f[4] }'
}

daemon_up() {
	kill -0 "$MPID" 2>/dev/null &&
		rns "$SW" status --pin-root "$PIN" 2>/dev/null | grep -q "^$POINT .*daemon running"
}
child_of_sub() { MPID=$(pgrep -P "$SUB" | head -1) && [ -n "$MPID" ]; }

# empty_how empty-native|empty-generic: ip link's word for that XDP mode.
empty_how() { if [ "$1" = empty-generic ]; then echo xdpgeneric; else echo xdpdrv; fi; }

# start_monitor KIND [ARGS]: scanwatch (native, generic, rest) or tcpdump on the receiving veth,
# in a subshell whose `times` gives the monitor's whole CPU time. The measured ones run as the
# sender and the NAPI thread do (bn_run); the resting daemon as any daemon would.
start_monitor() {
	local kind=$1 wrap=bn_run
	case $kind in
	native | generic | rest)
		local mode=$kind interval=$SW_INTERVAL dir=$DATA
		[ "$kind" = rest ] && mode=auto interval=$REST_INTERVAL dir=$WORK/rest wrap=
		(
			$wrap ip netns exec "$RNS" "$SW" run --point "$POINT=$RIF" --data-dir "$dir" \
				--interval "$interval" --mode "$mode" --pin-root "$PIN" --tz UTC \
				>>"$WORK/daemon.log" 2>&1
			times >"$WORK/times"
		) &
		SUB=$!
		wait_for 10 child_of_sub || die "scanwatch run did not start"
		wait_for 30 daemon_up || die "scanwatch run did not attach to $RIF"
		;;
	empty-native | empty-generic)
		rns ip link set dev "$RIF" "$(empty_how "$kind")" obj "$WORK/empty.bpf.o" sec xdp ||
			die "cannot attach the empty XDP program ($kind)"
		;;
	tcpdump)
		: >"$WORK/tcpdump.err"
		(
			bn_run ip netns exec "$RNS" tcpdump -i "$RIF" -n -s 96 -B 262144 -c "$2" \
				-w /dev/null 'ip or ip6' 2>"$WORK/tcpdump.err"
			times >"$WORK/times"
		) &
		SUB=$!
		wait_for 10 child_of_sub || die "tcpdump did not start"
		wait_for 10 grep -q "listening on" "$WORK/tcpdump.err" ||
			die "tcpdump did not start: $(cat "$WORK/tcpdump.err")"
		;;
	esac
}

sub_gone() { ! kill -0 "$SUB" 2>/dev/null; }

# stop_monitor KIND: stops it (tcpdump stops by itself after its count), detaches scanwatch,
# and sets MON_S to the monitor's CPU seconds over its whole life.
stop_monitor() {
	if [ "${1#empty-}" != "$1" ]; then
		rns ip link set dev "$RIF" "$(empty_how "$1")" off ||
			die "cannot detach the empty XDP program"
		MON_S=0
		return 0
	fi
	[ "$1" = tcpdump ] || kill -TERM "$MPID" 2>/dev/null
	if ! wait_for 30 sub_gone; then
		kill -INT "$MPID" 2>/dev/null
		wait_for 10 sub_gone || die "$1 did not stop"
	fi
	wait "$SUB" 2>/dev/null || true
	SUB= MPID=
	[ "$1" = tcpdump ] || rns "$SW" detach --point "$POINT" --pin-root "$PIN" >/dev/null 2>&1 ||
		die "cannot detach scanwatch"
	MON_S=$(times_s "$WORK/times")
}

stored_accesses() {
	"$SW" summary --data-dir "$DATA" --point "$POINT" --from "$DAY0" --to "$(date -u +%F)" \
		--json >"$WORK/summary.json" 2>/dev/null &&
		python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["accesses"], d["dropped"])' \
			"$WORK/summary.json"
}

rx_done() { [ $(($(bn_rx_packets) - RX0)) -ge "$N" ]; }

SALT=0
SEQ=0
DIRS=0
SENT_TO_SW=0

# wait_stored: until the daemon has stored every frame sent to it, none dropped (a drain comes
# every SW_INTERVAL seconds); dies when it does not within 30 s.
wait_stored() {
	local i acc=
	for i in $(seq 120); do
		acc=$(stored_accesses) && [ "$acc" = "$SENT_TO_SW 0" ] && return 0
		# A poll's pause, not a wait for a moment: the condition is read again.
		sleep 0.25
	done
	die "scanwatch stored (accesses, dropped) = ($acc), expected ($SENT_TO_SW 0)"
}

# The sender at its priority (see the top of this file).
run_sender() {
	if [ "$SENDER" = xdp ]; then
		BN_RT_PRIO=$((BN_RT_PRIO - 1)) bn_run "$@"
	else
		bn_run "$@"
	fi
}

# blast_frames N FILE: N frames of fresh sources to the receiving veth, all of them received.
blast_frames() {
	# blast takes salts 0 to 255: a long bench reuses them, each daemon in a data directory of its own.
	SALT=$(((SALT + 1) % 256))
	RX0=$(bn_rx_packets)
	run_sender ip netns exec "$SNS" "$BLAST" -i "$SIF" -c "$1" -S "$SALT" $SEND_FLAGS \
		--json >"$2" || die "blast failed"
	wait_for 10 rx_done || die "$RIF received $(($(bn_rx_packets) - RX0)) of $1 frames"
}

# run KIND REP N: one measured run; appends a line to $WORK/runs (rep 0: a warm-up, not kept).
# A daemon measured has run a while: it drained and stored as much traffic once before (its
# buffers, files and day's set exist, as in a daemon past its first minute), and its cost is its
# CPU from just before the traffic until the traffic's intervals are stored. Start-up and exit
# are left out, as they are of tcpdump, whose whole work is done when its count is reached.
run() {
	local kind=$1 rep=$2 mode=none mon0=0 mon1=0 mon_done=0 napi0 napi1 sw0 sw1 oth0 oth1 t_cpu
	N=$3
	case $kind in
	native | generic)
		DIRS=$((DIRS + 1))
		DATA=$WORK/data.$DIRS
		SENT_TO_SW=0
		start_monitor "$kind"
		;;
	tcpdump) start_monitor tcpdump "$N" ;;
	empty-*) start_monitor "$kind" ;;
	esac
	mode=$(bn_xdp_mode)
	case $kind in
	native | generic) [ "$mode" = "$kind" ] || die "asked for $kind XDP, the kernel reports $mode" ;;
	empty-*)
		[ "$mode" = "${kind#empty-}" ] ||
			die "the empty program is attached in mode $mode, not ${kind#empty-}"
		;;
	*) [ "$mode" = none ] || die "an XDP program is attached to $RIF where none should be" ;;
	esac
	if [ -n "$MPID" ] && [ "$kind" != tcpdump ]; then
		blast_frames "$N" "$WORK/warm.json"
		SENT_TO_SW=$N
		wait_stored
	fi
	[ -n "$MPID" ] && mon0=$(bn_cpu_ns "$MPID")
	napi0=$(bn_cpu_ns "$NAPI")
	sw0=$(bn_switches "$NAPI")
	oth0=$(bn_others_jiffies)
	blast_frames "$N" "$WORK/blast.json"
	napi1=$(bn_cpu_ns "$NAPI")
	sw1=$(bn_switches "$NAPI")
	oth1=$(bn_others_jiffies)
	[ -n "$MPID" ] && mon1=$(bn_cpu_ns "$MPID")
	[ $(($(bn_rx_packets) - RX0)) -eq "$N" ] ||
		die "$RIF received $(($(bn_rx_packets) - RX0)) frames, $N were sent"
	MON_S=0
	case $kind in
	native | generic)
		SENT_TO_SW=$((SENT_TO_SW + N))
		wait_stored
		mon_done=$(bn_cpu_ns "$MPID")
		stop_monitor "$kind"
		;;
	tcpdump)
		stop_monitor tcpdump
		grep -q "^$N packets captured" "$WORK/tcpdump.err" &&
			grep -q "^0 packets dropped by kernel" "$WORK/tcpdump.err" ||
			die "tcpdump did not capture every frame: $(tr '\n' ' ' <"$WORK/tcpdump.err")"
		mon_done=$(awk -v s="$MON_S" 'BEGIN { printf "%.0f", s * 1e9 }')
		;;
	empty-*) stop_monitor "$kind" ;;
	esac
	t_cpu=$(awk -v s="$MON_S" -v b="$mon0" 'BEGIN { v = s * 1e9 - b; print (v > 0 ? v : 0) }')
	LAST_NAPI_NS=$((napi1 - napi0))
	[ "$rep" = 0 ] && return 0
	SEQ=$((SEQ + 1))
	python3 - "$WORK/blast.json" "$kind" "$rep" "$mode" "$((napi1 - napi0))" "$t_cpu" "$N" \
		"$((mon1 - mon0))" "$((sw1 - sw0))" "$SEQ" "$oth0" "$oth1" "$UNIT" >>"$WORK/runs" <<'EOF'
import json, sys
b = json.load(open(sys.argv[1]))
kind, rep, mode = sys.argv[2], int(sys.argv[3]), sys.argv[4]
napi_ns, mon_ns, n, mon_win, switches, seq = int(sys.argv[5]), float(sys.argv[6]), \
    int(sys.argv[7]), int(sys.argv[8]), int(sys.argv[9]), int(sys.argv[10])
core_s = b["cpu_s"] + (napi_ns + mon_win) / 1e9
r = {"kind": kind, "rep": rep, "seq": seq, "unit": int(sys.argv[13]), "xdp_mode": mode, "frames": n,
     "seconds": b["seconds"], "pps": b["pps"], "core_pps": n / core_s,
     "sender_cpu_s": b["cpu_s"], "sender_ns_per_pkt": b["cpu_s"] * 1e9 / n,
     "sender_waits": b["waits"], "napi_ns_per_pkt": napi_ns / n,
     "napi_sleeps_per_1000": switches * 1000.0 / n,
     "monitor_ns_per_pkt": mon_ns / n, "monitor_during_traffic_ns_per_pkt": mon_win / n,
     "mix_pairs": b["mix_pairs"], "salt": b["salt"]}
o0, o1 = [int(x) for x in sys.argv[11].split()], [int(x) for x in sys.argv[12].split()]
r["other_cpus_busy"] = (o1[0] - o0[0]) / max(1, o1[1] - o0[1])
print(json.dumps(r))
print("  run %d %-8s xdp %-8s %7.0f pps (%7.0f a core-second)  receive path %4.0f ns/pkt "
      "(%.1f sleeps/1000)  monitor %5.0f ns/pkt  sender %4.0f ns/pkt  other CPUs %3.0f %% busy" %
      (rep, kind, mode, r["pps"], r["core_pps"], r["napi_ns_per_pkt"],
       r["napi_sleeps_per_1000"], r["monitor_ns_per_pkt"], r["sender_ns_per_pkt"],
       100 * r["other_cpus_busy"]),
      file=sys.stderr)
EOF
}

# The daemon at rest: attached to the idle veth, CPU over REST_S seconds and resident memory.
rest() {
	local c0 c1 t0 t1
	start_monitor rest
	t0=$(date +%s%N)
	c0=$(bn_cpu_ns "$MPID")
	# A fixed window is the measurement itself here, not a wait for something to happen.
	sleep "$REST_S"
	c1=$(bn_cpu_ns "$MPID")
	t1=$(date +%s%N)
	REST_RSS=$(awk '/^VmRSS:/ { print $2 }' /proc/"$MPID"/status)
	REST_HWM=$(awk '/^VmHWM:/ { print $2 }' /proc/"$MPID"/status)
	REST_MODE=$(bn_xdp_mode)
	# The window must hold the daemon's periodic work, not only its sleep.
	rns "$SW" status --pin-root "$PIN" 2>/dev/null | grep -q "^$POINT .*last drain [0-9]" ||
		die "the resting daemon did not drain in $REST_S s (interval $REST_INTERVAL s)"
	REST_CPU_NS=$((c1 - c0)) REST_WALL_NS=$((t1 - t0))
	stop_monitor rest
}

bn_setup || die "cannot set up the veth pair"
DATA=$WORK/data
DAY0=$(date -u +%F)
: >"$WORK/runs"
cat <<EOF
veth: sender $SNS/$SIF -> receiver $RNS/$RIF (threaded NAPI, GRO on); sender, NAPI thread
  and monitor at $(bn_sched); sender: $SEND_HOW; $COUNT frames of the bench's mix a run (tools/blast, every run
  fresh sources); $REPS repeats of each of $MONITORS between two idle runs (their order
  turning every repeat). Load average before: $(cut -d' ' -f1-3 /proc/loadavg).
EOF
# Warm-up, not recorded: the binaries, the program and the page cache, and the fastest idle run
# so far (bn_steady).
run native 0 "$WARMUP"
run none 0 "$WARMUP"
bn_steady $((LAST_NAPI_NS / WARMUP)) $((LAST_NAPI_NS / WARMUP)) || true
# measure KIND REP: KIND between two idle runs. When those do not show the machine at one
# speed, and its best (bn_steady), the three runs are made again after a pause, at most RETRIES
# times and while RETRY_BUDGET lasts; the last try counts.
measure() {
	local try idle1 idle2
	for try in $(seq 0 "$RETRIES"); do
		UNIT=$((UNIT + 1))
		run none "$2" "$COUNT"
		idle1=$((LAST_NAPI_NS / COUNT))
		run "$1" "$2" "$COUNT"
		run none "$2" "$COUNT"
		idle2=$((LAST_NAPI_NS / COUNT))
		bn_steady "$idle1" "$idle2" && return 0
		if [ "$try" -eq "$RETRIES" ] || [ "$RETRY_BUDGET" -le 0 ]; then
			echo "{\"unsteady_unit\": $UNIT}" >>"$WORK/runs"
			echo "  (idle runs around $1: $idle1 and $idle2 ns/pkt: kept all the same)" >&2
			break
		fi
		RETRY_BUDGET=$((RETRY_BUDGET - 1))
		echo "  (idle runs around $1: $idle1 and $idle2 ns/pkt, the fastest so far $BN_BEST:" \
			"measured again)" >&2
		# A pause, not a wait for anything: the other guests' bursts last seconds.
		sleep 2
	done
	return 0
}

UNIT=0
set -- $MONITORS
for rep in $(seq 1 "$REPS"); do
	for kind in "$@"; do
		measure "$kind" "$rep"
	done
	set -- "${@:2}" "$1"
done
rest

python3 - "$WORK/runs" "$OUT_JSON" "$REST_RSS" "$REST_HWM" "$REST_CPU_NS" "$REST_WALL_NS" \
	"$REST_S" "$REST_INTERVAL" "$REST_MODE" "$BN_CPU" "$COUNT" "$REPS" "$(bn_sched)" "$BN_DRIFT" "$BN_SLOW" "$SW_INTERVAL" "$SEND_HOW" <<'EOF'
import json, sys
sys.path.insert(0, "tools/lib")
from benchstat import figure, pct, median
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
unsteady = {l["unsteady_unit"] for l in lines if "unsteady_unit" in l}
runs = [l for l in lines if "kind" in l]
out = sys.argv[2]
rss, hwm, cpu_ns, wall_ns = (int(x) for x in sys.argv[3:7])
rest_s, rest_iv, rest_mode, cpu, count, reps, sched = sys.argv[7], sys.argv[8], sys.argv[9], \
    int(sys.argv[10]), int(sys.argv[11]), int(sys.argv[12]), sys.argv[13]
sender = sys.argv[17]
runs.sort(key=lambda r: r["seq"])
units = {}
for r in runs:
    units.setdefault(r["unit"], []).append(r)
last = {}
for u in sorted(units):
    before, r, after = units[u]
    last[(r["rep"], r["kind"])] = (before, r, after)
retried = len(units) - len(last)
# Each monitor run against the idle runs just before and after it (the last try of each).
meas = {}
kept = []
for (rep, kind), (before, r, after) in sorted(last.items()):
    kept += [before, after]
    idle = lambda f: (before[f] + after[f]) / 2
    share = r["napi_ns_per_pkt"] - idle("napi_ns_per_pkt")
    meas.setdefault(r["kind"], []).append({
        "rep": r["rep"], "run": r, "idle_napi_ns_per_pkt": idle("napi_ns_per_pkt"),
        "idle_drift": abs(before["napi_ns_per_pkt"] - after["napi_ns_per_pkt"]) /
                      idle("napi_ns_per_pkt"),
        "kernel_ns_per_pkt": share, "ns_per_pkt": share + r["monitor_ns_per_pkt"],
        "core_ratio": r["core_pps"] / idle("core_pps"), "ratio": r["pps"] / idle("pps")})
idle_runs = kept
doc = {"method": {
    "setup": "two namespaces joined by a veth pair; receiver with threaded NAPI and GRO on; "
             "sender (tools/blast: %s), NAPI thread and monitor at %s" % (sender, sched),
    "traffic": "%d frames a run of the bench's mix (>= 100000 sources, fresh ones every run), "
               "destination MAC no interface has: dropped by the stack at its first look" % count,
    "repeats": "%d repeats of each monitor between two idle runs (the monitors' order turning "
               "every repeat), compared with the mean of those two; when they are more than "
               "%.0f %% apart, or either is more than %.0f %% above the fastest idle run of the "
               "bench, the VM ran slower than it can during the measurement and the three runs "
               "are made again after a pause (at most three times, the last try counts)" %
               (reps, 100 * float(sys.argv[14]), 100 * float(sys.argv[15])),
    "pps": "wall: frames / time blast took to hand them all to the veth (every frame "
           "received: the veth rx counter is checked); a core-second: frames / CPU time of the "
           "sender, the NAPI thread and the monitor over the same span, i.e. the rate of a core "
           "of our own; the ratio is the median of the repeats' ratios",
    "cpu": "receive path = run time of the veth's NAPI thread (schedstat ns), which runs the "
           "XDP program (native or generic) or the AF_PACKET tap of tcpdump; monitor = the "
           "process's CPU from just before the traffic until its work on it is done: scanwatch "
           "(draining every %s s) until every frame is stored, after it drained and stored as "
           "many frames once (a daemon past its first minute); tcpdump to its exit at its count "
           "(bash times after it ends, minus schedstat before); a monitor's cost = its receive "
           "path minus the mean of the two idle runs around it, plus its process; 'empty-native' "
           "and 'empty-generic' are an empty XDP program attached in that mode: what the "
           "veth's XDP path of the mode costs by itself, which any program pays" %
           sys.argv[16],
    "stability": "spread = (max - min) / median of a figure's repeats; a ratio is quoted only "
                 "when the repeats of each figure it is made of agree within 20 %",
    "tcpdump": "tcpdump -i VETH -n -s 96 -B 262144 -c N -w /dev/null 'ip or ip6' (libpcap "
               "TPACKET_V3; the cheapest libpcap consumer: it writes nothing and parses nothing)",
    "rest": "scanwatch run (mode auto, --interval %s) attached to the idle veth; CPU = schedstat "
            "delta over %s s of wall time after it attached; VmRSS and VmHWM from /proc" % (rest_iv, rest_s)}}
fig = lambda kind, f: figure(m[f] for m in meas[kind])
veth = {"none_pps": median([r["pps"] for r in idle_runs]),
        "none_core_pps": median([r["core_pps"] for r in idle_runs]),
        "none_receive_path": figure(r["napi_ns_per_pkt"] for r in idle_runs),
        "none_receive_path_ns_per_pkt": median([r["napi_ns_per_pkt"] for r in idle_runs])}
for kind in meas:
    rp = figure(m["run"]["napi_ns_per_pkt"] for m in meas[kind])
    veth[kind] = {"pps": median([m["run"]["pps"] for m in meas[kind]]),
                  "core_pps": median([m["run"]["core_pps"] for m in meas[kind]]),
                  "ratio": median([m["ratio"] for m in meas[kind]]),
                  "core_ratio": median([m["core_ratio"] for m in meas[kind]]),
                  "core_ratio_figure": fig(kind, "core_ratio"), "ratio_figure": fig(kind, "ratio"),
                  "xdp_mode": meas[kind][0]["run"]["xdp_mode"],
                  "receive_path": rp, "receive_path_ns_per_pkt": rp["median"],
                  "idle_drift_max": max(m["idle_drift"] for m in meas[kind])}
for kind in ("native", "generic", "empty-native", "empty-generic"):
    veth[kind]["receive_capacity_ratio"] = median(
        [m["idle_napi_ns_per_pkt"] / m["run"]["napi_ns_per_pkt"] for m in meas[kind]])
veth["target_ratio_min"] = 0.95
veth["runs"] = runs
veth["measurements_retried"] = retried
veth["measurements_kept_unsteady"] = len(unsteady)
cpu_doc = {}
for kind in meas:
    c = cpu_doc[kind] = {"figure": fig(kind, "ns_per_pkt"),
                         "kernel": fig(kind, "kernel_ns_per_pkt"),
                         "process": figure(m["run"]["monitor_ns_per_pkt"] for m in meas[kind])}
    c["ns_per_pkt"], c["kernel_ns_per_pkt"], c["process_ns_per_pkt"] = \
        c["figure"]["median"], c["kernel"]["median"], c["process"]["median"]
    c["per_repeat"] = c["figure"]["repeats"]
for kind in ("native", "generic"):
    by_rep = {m["rep"]: m["ns_per_pkt"] for m in meas["tcpdump"]}
    rr = [m["ns_per_pkt"] / by_rep[m["rep"]] for m in meas[kind]]
    cpu_doc[kind]["ratio_to_tcpdump"] = median(rr)
    cpu_doc[kind]["ratio_figure"] = figure(rr)
cpu_doc["target_ratio_max"] = 0.5
rest_doc = {"rss_kb": rss, "hwm_kb": hwm, "cpu_percent": 100.0 * cpu_ns / wall_ns,
            "seconds": wall_ns / 1e9, "interval_s": int(rest_iv), "xdp_mode": rest_mode,
            "target_rss_mb": 20, "target_cpu_percent": 1}
json.dump({"veth_method": doc["method"], "veth": veth, "cpu": cpu_doc, "rest": rest_doc},
          open(out, "w"), indent=1)
print("method:")
for k, v in doc["method"].items():
    print("  %s: %s" % (k, v))
rep_list = lambda f: " ".join("%.0f" % v for v in f["repeats"])
rep_ratio = lambda f: " ".join("%.3f" % v for v in f["repeats"])
print("%d of %d measurements made again: the VM's speed changed under them; %d kept so after "
      "the last try" % (retried, len(units), len(unsteady)))
print("2. rx packets a core-second, ratio to the idle runs around it (median; repeats; spread):")
for kind in ("native", "generic", "tcpdump", "empty-native", "empty-generic"):
    f = veth[kind]["core_ratio_figure"]
    print("   %-13s %.3f  (%s; spread %s)  wall %.3f" %
          (kind, f["median"], rep_ratio(f), pct(f["spread"]), veth[kind]["ratio"]))
f = veth["none_receive_path"]
print("   receive path ns/packet, idle: %.0f (%d runs %s; spread %s)" %
      (f["median"], len(f["repeats"]), rep_list(f), pct(f["spread"])))
for kind in ("native", "generic", "tcpdump", "empty-native", "empty-generic"):
    f = veth[kind]["receive_path"]
    print("   receive path ns/packet, %s: %.0f (%s; spread %s; idle runs around it %.0f %% "
          "apart at most)" % (kind, f["median"], rep_list(f), pct(f["spread"]),
                              100 * veth[kind]["idle_drift_max"]))
print("3. CPU per packet = receive path share + process (median; repeats; spread):")
for kind in ("native", "generic", "tcpdump", "empty-native", "empty-generic"):
    d = cpu_doc[kind]
    print("   %-13s %6.0f ns (%s; spread %s) = receive path %+.0f (%s) + process %.0f (%s)%s" %
          (kind, d["ns_per_pkt"], rep_list(d["figure"]), pct(d["figure"]["spread"]),
           d["kernel_ns_per_pkt"], rep_list(d["kernel"]), d["process_ns_per_pkt"],
           rep_list(d["process"]),
           "; %.2fx tcpdump (%s; spread %s)" % (d["ratio_to_tcpdump"], rep_ratio(d["ratio_figure"]),
                                              pct(d["ratio_figure"]["spread"]))
           if "ratio_to_tcpdump" in d else ""))
print("6. at rest (%s XDP, %.0f s): VmRSS %.1f MB, VmHWM %.1f MB, CPU %.2f %% of a core" %
      (rest_mode, wall_ns / 1e9, rss / 1024, hwm / 1024, rest_doc["cpu_percent"]))
EOF
echo "bench_veth: figures in $OUT_JSON"
