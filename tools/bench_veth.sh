#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `make bench`, the live rows of SPEC.md section 7: packets per second a veth receives with
# scanwatch attached (native and generic XDP) against nothing attached; CPU per packet of
# scanwatch against tcpdump (libpcap) on the same traffic; the daemon's memory and CPU at rest.
# Writes {"veth": ..., "cpu": ..., "rest": ...} to the file given as $1 and prints the method
# and the rows. Only a bench that cannot run, or that counts wrongly, fails: ratios never do.
#
# Set-up: a sender namespace and a receiver namespace joined by a veth pair, both made here
# and removed on exit. The sender is tools/blast (the bench's mix, as tools/bench runs it
# through BPF_PROG_TEST_RUN, every frame to a MAC no interface has, so the stack drops it at
# its first look). The receiving veth runs its NAPI poll in a kernel thread of its own
# (threaded NAPI; GRO on, so that veth polls with or without XDP), and the sender, that thread
# and the monitor all run on one CPU: the packets/s are what one core sends and receives, and
# the thread's run time (schedstat, in ns) is exactly the receive path's CPU, XDP included.
#
# Environment: BENCH_COUNT frames a run (default 1000000), BENCH_REPS repeats (default 3),
# BENCH_CPU the CPU (default the last one), BENCH_REST_S seconds at rest (default 20).
set -eu
cd "$(dirname "$0")/.."
OUT_JSON=${1:?usage: tools/bench_veth.sh OUT.json}
COUNT=${BENCH_COUNT:-1000000}
REPS=${BENCH_REPS:-3}
CPU=${BENCH_CPU:-$(($(nproc) - 1))}
REST_S=${BENCH_REST_S:-20}
REST_INTERVAL=5
WARMUP=200000
POINT=bench

for c in ip tcpdump python3 taskset; do
	command -v "$c" >/dev/null || { echo "bench_veth: needs $c (make deps)" >&2; exit 1; }
done
for f in scanwatch .output/tools/blast; do
	[ -x "$f" ] || { echo "bench_veth: $f is not built (make)" >&2; exit 1; }
done

ID=$$$RANDOM
ID=${ID: -6}
SNS=swbench-s$ID RNS=swbench-r$ID SIF=sbs$ID RIF=sbr$ID
WORK=$(mktemp -d)
PINM=/run/swbench-$ID
PIN=$PINM/scanwatch
# The binaries measured are those built when the bench starts, whatever a concurrent make does.
cp scanwatch .output/tools/blast "$WORK/"
SW=$WORK/scanwatch BLAST=$WORK/blast
SUB= MPID=

cleanup() {
	set +e
	[ -n "$MPID" ] && kill -KILL "$MPID" 2>/dev/null
	[ -n "$SUB" ] && wait "$SUB" 2>/dev/null
	ip netns exec "$RNS" "$SW" detach --point "$POINT" --pin-root "$PIN" >/dev/null 2>&1
	mountpoint -q "$PINM" && umount "$PINM"
	rmdir "$PINM" 2>/dev/null
	ip netns del "$SNS" 2>/dev/null
	ip netns del "$RNS" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() {
	echo "bench_veth: $*" >&2
	[ -s "$WORK/daemon.log" ] && tail -5 "$WORK/daemon.log" >&2
	exit 1
}

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

# The old ethtool ioctls, so that the bench needs no ethtool: GRO on (1) or TSO off (2).
ethtool_set() {
	ip netns exec "$1" python3 - "$2" "$3" <<'EOF'
import array, fcntl, socket, struct, sys
ifname, what = sys.argv[1].encode(), sys.argv[2]
cmd, value = {"gro": (0x2c, 1), "tso": (0x1f, 0)}[what]  # ETHTOOL_SGRO, ETHTOOL_STSO
buf = array.array("I", [cmd, value])
fcntl.ioctl(socket.socket(socket.AF_INET, socket.SOCK_DGRAM), 0x8946,  # SIOCETHTOOL
            struct.pack("16sP", ifname, buf.buffer_info()[0]))
EOF
}

setup() {
	local ns
	mkdir -p "$PINM" && mount -t bpf bpf "$PINM" || die "cannot mount a private bpffs at $PINM"
	ip netns add "$SNS" && ip netns add "$RNS" || die "cannot make network namespaces"
	# No IPv6 on either end: the kernels add no router solicitation or MLD report to the count.
	for ns in "$SNS" "$RNS"; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
		ip -n "$ns" link set lo up
	done
	ip link add "$SIF" netns "$SNS" type veth peer name "$RIF" netns "$RNS" ||
		die "cannot make a veth pair"
	ip -n "$SNS" link set "$SIF" up && ip -n "$RNS" link set "$RIF" up
	# veth hands a frame to the receiver's NAPI poll only if GRO is on there (or XDP is
	# attached) and the sender does no TSO (which XDP would turn off anyway): then the same
	# path receives with and without XDP.
	ethtool_set "$RNS" "$RIF" gro && ethtool_set "$SNS" "$SIF" tso ||
		die "cannot set GRO/TSO on the veth pair"
	rns sh -c "echo 1 >/sys/class/net/$RIF/threaded" || die "no threaded NAPI on veth"
	wait_for 5 napi_thread || die "no NAPI thread for $RIF"
	taskset -pc "$CPU" "$NAPI" >/dev/null || die "cannot pin the NAPI thread to CPU $CPU"
}

napi_thread() { NAPI=$(pgrep "^napi/$RIF-" | head -1) && [ -n "$NAPI" ]; }

rx_packets() { rns cat "/sys/class/net/$RIF/statistics/rx_packets"; }
# ns of CPU a process has run, all its threads (schedstat's first field).
cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f\n", s }'; }
# The XDP mode the kernel reports for the receiving veth: native, generic or none.
xdp_mode() {
	ip -j -n "$RNS" link show dev "$RIF" | python3 -c '
import json, sys
x = json.load(sys.stdin)[0].get("xdp")
print({1: "native", 2: "generic", 3: "offload"}.get(x["mode"], "other") if x else "none")'
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

# start_monitor KIND [ARGS]: scanwatch (native, generic, rest) or tcpdump on the receiving veth,
# pinned to the bench's CPU, in a subshell whose `times` gives the monitor's whole CPU time.
start_monitor() {
	local kind=$1
	case $kind in
	native | generic | rest)
		local mode=$kind interval=60 dir=$DATA
		[ "$kind" = rest ] && mode=auto interval=$REST_INTERVAL dir=$WORK/rest
		(
			rns taskset -c "$CPU" "$SW" run --point "$POINT=$RIF" --data-dir "$dir" \
				--interval "$interval" --mode "$mode" --pin-root "$PIN" --tz UTC \
				>>"$WORK/daemon.log" 2>&1
			times >"$WORK/times"
		) &
		SUB=$!
		wait_for 10 child_of_sub || die "scanwatch run did not start"
		wait_for 30 daemon_up || die "scanwatch run did not attach to $RIF"
		;;
	tcpdump)
		: >"$WORK/tcpdump.err"
		(
			rns taskset -c "$CPU" tcpdump -i "$RIF" -n -s 96 -B 262144 -c "$2" \
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

rx_done() { [ $(($(rx_packets) - RX0)) -ge "$N" ]; }

SALT=0
SENT_TO_SW=0
# run KIND REP N: one measured run; appends a line to $WORK/runs.
run() {
	local kind=$1 rep=$2 mode=none mon0=0 mon1=0 napi0 napi1 t_cpu acc
	N=$3
	SALT=$((SALT + 1))
	case $kind in
	native | generic) start_monitor "$kind" ;;
	tcpdump) start_monitor tcpdump "$N" ;;
	esac
	mode=$(xdp_mode)
	case $kind in
	native | generic) [ "$mode" = "$kind" ] || die "asked for $kind XDP, the kernel reports $mode" ;;
	*) [ "$mode" = none ] || die "an XDP program is attached to $RIF where none should be" ;;
	esac
	[ -n "$MPID" ] && mon0=$(cpu_ns "$MPID")
	RX0=$(rx_packets)
	napi0=$(cpu_ns "$NAPI")
	ip netns exec "$SNS" "$BLAST" -i "$SIF" -c "$N" -S "$SALT" -C "$CPU" --json \
		>"$WORK/blast.json" || die "blast failed"
	wait_for 10 rx_done || die "$RIF received $(($(rx_packets) - RX0)) of $N frames"
	napi1=$(cpu_ns "$NAPI")
	[ -n "$MPID" ] && mon1=$(cpu_ns "$MPID")
	[ $(($(rx_packets) - RX0)) -eq "$N" ] ||
		die "$RIF received $(($(rx_packets) - RX0)) frames, $N were sent"
	MON_S=0
	case $kind in
	native | generic)
		stop_monitor "$kind"
		SENT_TO_SW=$((SENT_TO_SW + N))
		acc=$(stored_accesses) || die "scanwatch summary failed"
		[ "$acc" = "$SENT_TO_SW 0" ] ||
			die "scanwatch stored (accesses, dropped) = ($acc), expected ($SENT_TO_SW 0)"
		;;
	tcpdump)
		stop_monitor tcpdump
		grep -q "^$N packets captured" "$WORK/tcpdump.err" &&
			grep -q "^0 packets dropped by kernel" "$WORK/tcpdump.err" ||
			die "tcpdump did not capture every frame: $(tr '\n' ' ' <"$WORK/tcpdump.err")"
		;;
	esac
	# The monitor's CPU from just before the traffic to its exit: the traffic's share of the
	# daemon includes draining and storing the run's interval; start-up is left out.
	t_cpu=$(awk -v s="$MON_S" -v b="$mon0" 'BEGIN { v = s * 1e9 - b; print (v > 0 ? v : 0) }')
	[ "$rep" = 0 ] && return 0
	python3 - "$WORK/blast.json" "$kind" "$rep" "$mode" "$((napi1 - napi0))" "$t_cpu" "$N" \
		"$((mon1 - mon0))" >>"$WORK/runs" <<'EOF'
import json, sys
b = json.load(open(sys.argv[1]))
kind, rep, mode, napi_ns, mon_ns, n, mon_win = sys.argv[2], int(sys.argv[3]), sys.argv[4], \
    int(sys.argv[5]), float(sys.argv[6]), int(sys.argv[7]), int(sys.argv[8])
core_s = b["cpu_s"] + (napi_ns + mon_win) / 1e9
r = {"kind": kind, "rep": rep, "xdp_mode": mode, "frames": n, "seconds": b["seconds"],
     "pps": b["pps"], "core_pps": n / core_s, "sender_cpu_s": b["cpu_s"],
     "sender_waits": b["waits"], "napi_ns_per_pkt": napi_ns / n,
     "monitor_ns_per_pkt": mon_ns / n, "monitor_during_traffic_ns_per_pkt": mon_win / n,
     "mix_pairs": b["mix_pairs"], "salt": b["salt"]}
print(json.dumps(r))
print("  run %d %-8s xdp %-8s %7.0f pps (%7.0f a core-second)  receive path %5.0f ns/pkt  "
      "monitor process %4.0f ns/pkt" % (rep, kind, mode, r["pps"], r["core_pps"],
      r["napi_ns_per_pkt"], r["monitor_ns_per_pkt"]), file=sys.stderr)
EOF
}

# The daemon at rest: attached to the idle veth, CPU over REST_S seconds and resident memory.
rest() {
	local c0 c1 t0 t1
	start_monitor rest
	t0=$(date +%s%N)
	c0=$(cpu_ns "$MPID")
	# A fixed window is the measurement itself here, not a wait for something to happen.
	sleep "$REST_S"
	c1=$(cpu_ns "$MPID")
	t1=$(date +%s%N)
	REST_RSS=$(awk '/^VmRSS:/ { print $2 }' /proc/"$MPID"/status)
	REST_HWM=$(awk '/^VmHWM:/ { print $2 }' /proc/"$MPID"/status)
	REST_MODE=$(xdp_mode)
	# The window must hold the daemon's periodic work, not only its sleep.
	rns "$SW" status --pin-root "$PIN" 2>/dev/null | grep -q "^$POINT .*last drain [0-9]" ||
		die "the resting daemon did not drain in $REST_S s (interval $REST_INTERVAL s)"
	REST_CPU_NS=$((c1 - c0)) REST_WALL_NS=$((t1 - t0))
	stop_monitor rest
}

setup
DATA=$WORK/data
DAY0=$(date -u +%F)
: >"$WORK/runs"
cat <<EOF
veth: sender $SNS/$SIF -> receiver $RNS/$RIF (threaded NAPI, GRO on); sender, NAPI thread
  and monitor pinned to CPU $CPU; $COUNT frames of the bench's mix a run (tools/blast, every run
  fresh sources), $REPS repeats, the order of the set-ups reversed every other repeat.
  Load average before: $(cut -d' ' -f1-3 /proc/loadavg) (other work on this CPU lowers pps,
  not the per-packet CPU figures, which count only the threads that handle our packets).
EOF
# Warm-up, not recorded: creates the daemon's files for the day (RRD files of the built-in
# keys), so that the measured runs store intervals as a running daemon does.
run native 0 "$WARMUP"
order="none native generic tcpdump"
for rep in $(seq 1 "$REPS"); do
	[ $((rep % 2)) -eq 0 ] && list=$(echo "$order" | tr ' ' '\n' | tac | tr '\n' ' ') || list=$order
	for kind in $list; do
		run "$kind" "$rep" "$COUNT"
	done
done
rest

python3 - "$WORK/runs" "$OUT_JSON" "$REST_RSS" "$REST_HWM" "$REST_CPU_NS" "$REST_WALL_NS" \
	"$REST_S" "$REST_INTERVAL" "$REST_MODE" "$CPU" "$COUNT" "$REPS" <<'EOF'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
out = sys.argv[2]
rss, hwm, cpu_ns, wall_ns = (int(x) for x in sys.argv[3:7])
rest_s, rest_iv, rest_mode, cpu, count, reps = sys.argv[7], sys.argv[8], sys.argv[9], \
    int(sys.argv[10]), int(sys.argv[11]), int(sys.argv[12])
by = {}
for r in runs:
    by.setdefault(r["kind"], {})[r["rep"]] = r
med = statistics.median
def series(kind, field):
    return [by[kind][k][field] for k in sorted(by[kind])]
doc = {"method": {
    "setup": "two namespaces joined by a veth pair; receiver with threaded NAPI and GRO on; "
             "sender (tools/blast: AF_PACKET, sendmmsg, qdisc bypass, waits while the veth "
             "ring is full), NAPI thread and monitor pinned to CPU %d" % cpu,
    "traffic": "%d frames a run of the bench's mix (>= 100000 sources, fresh ones every run), "
               "destination MAC no interface has: dropped by the stack at its first look" % count,
    "pps": "wall: frames / time blast took to hand them all to the veth (every frame "
           "received: the veth rx counter is checked); a core-second: frames / CPU time of the "
           "sender, the NAPI thread and the monitor over the same span, i.e. the rate of a core "
           "of our own, which other work on the machine does not change; ratios are medians of "
           "the ratios within each of %d repeats" % reps,
    "cpu": "receive path = run time of the veth's NAPI thread (schedstat ns), which runs the "
           "XDP program (native or generic) or the AF_PACKET tap of tcpdump; monitor = the "
           "process's CPU from just before the traffic to its exit (bash times after it ends, "
           "minus schedstat before), so scanwatch's drain and store of the run's interval count; "
           "a monitor's cost = its receive path minus the receive path with nothing attached in "
           "the same repeat, plus its process",
    "tcpdump": "tcpdump -i VETH -n -s 96 -B 262144 -c N -w /dev/null 'ip or ip6' (libpcap "
               "TPACKET_V3; the cheapest libpcap consumer: it writes nothing and parses nothing)",
    "rest": "scanwatch run (mode auto, --interval %s) attached to the idle veth; CPU = schedstat "
            "delta over %s s of wall time after it attached; VmRSS and VmHWM from /proc" % (rest_iv, rest_s)}}
ratios = {}
veth = {"none_pps": med(series("none", "pps")), "none_core_pps": med(series("none", "core_pps"))}
for kind in ("native", "generic", "tcpdump"):
    rr = [by[kind][k]["pps"] / by["none"][k]["pps"] for k in sorted(by[kind])]
    cr = [by[kind][k]["core_pps"] / by["none"][k]["core_pps"] for k in sorted(by[kind])]
    veth[kind] = {"pps": med(series(kind, "pps")), "ratio": med(rr), "ratio_per_repeat": rr,
                  "core_pps": med(series(kind, "core_pps")), "core_ratio": med(cr),
                  "core_ratio_per_repeat": cr,
                  "xdp_mode": by[kind][1]["xdp_mode"],
                  "receive_path_ns_per_pkt": med(series(kind, "napi_ns_per_pkt"))}
veth["none_receive_path_ns_per_pkt"] = med(series("none", "napi_ns_per_pkt"))
for kind in ("native", "generic"):
    veth[kind]["receive_capacity_ratio"] = veth["none_receive_path_ns_per_pkt"] / \
        veth[kind]["receive_path_ns_per_pkt"]
veth["target_ratio_min"] = 0.9
veth["runs"] = runs
cpu_doc = {}
for kind in ("native", "generic", "tcpdump"):
    per = []
    for k in sorted(by[kind]):
        r, base = by[kind][k], by["none"][k]
        per.append(r["napi_ns_per_pkt"] - base["napi_ns_per_pkt"] + r["monitor_ns_per_pkt"])
    cpu_doc[kind] = {"ns_per_pkt": med(per), "per_repeat": per,
                     "kernel_ns_per_pkt": med([by[kind][k]["napi_ns_per_pkt"] - by["none"][k]["napi_ns_per_pkt"] for k in sorted(by[kind])]),
                     "process_ns_per_pkt": med(series(kind, "monitor_ns_per_pkt"))}
for kind in ("native", "generic"):
    rr = [a / b for a, b in zip(cpu_doc[kind]["per_repeat"], cpu_doc["tcpdump"]["per_repeat"])]
    cpu_doc[kind]["ratio_to_tcpdump"] = med(rr)
    cpu_doc[kind]["ratio_per_repeat"] = rr
cpu_doc["target_ratio_max"] = 0.2
rest_doc = {"rss_kb": rss, "hwm_kb": hwm, "cpu_percent": 100.0 * cpu_ns / wall_ns,
            "seconds": wall_ns / 1e9, "interval_s": int(rest_iv), "xdp_mode": rest_mode,
            "target_rss_mb": 20, "target_cpu_percent": 1}
json.dump({"veth_method": doc["method"], "veth": veth, "cpu": cpu_doc, "rest": rest_doc},
          open(out, "w"), indent=1)
print("method:")
for k, v in doc["method"].items():
    print("  %s: %s" % (k, v))
print("2. rx packets/s, median of %d: none %.0f" % (reps, veth["none_pps"]), end="")
for kind in ("native", "generic", "tcpdump"):
    print(", %s %.0f (%.3f)" % (kind, veth[kind]["pps"], veth[kind]["ratio"]), end="")
print("\n   a core-second: none %.0f" % veth["none_core_pps"], end="")
for kind in ("native", "generic", "tcpdump"):
    print(", %s %.0f (%.3f)" % (kind, veth[kind]["core_pps"], veth[kind]["core_ratio"]), end="")
print("\n   receive path ns/packet: none %.0f, native %.0f, generic %.0f, tcpdump %.0f" %
      (veth["none_receive_path_ns_per_pkt"], veth["native"]["receive_path_ns_per_pkt"],
       veth["generic"]["receive_path_ns_per_pkt"], veth["tcpdump"]["receive_path_ns_per_pkt"]))
for kind in ("native", "generic", "tcpdump"):
    d = cpu_doc[kind]
    print("3. CPU/packet %-8s %6.0f ns = receive path +%.0f, process %.0f%s" %
          (kind, d["ns_per_pkt"], d["kernel_ns_per_pkt"], d["process_ns_per_pkt"],
           ", %.2fx tcpdump" % d["ratio_to_tcpdump"] if "ratio_to_tcpdump" in d else ""))
print("6. at rest (%s XDP, %.0f s): VmRSS %.1f MB, VmHWM %.1f MB, CPU %.2f %% of a core" %
      (rest_mode, wall_ns / 1e9, rss / 1024, hwm / 1024, rest_doc["cpu_percent"]))
EOF
echo "bench_veth: figures in $OUT_JSON"
