#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Peak rate: per point and interval, the most accesses counted in any one second, so that a flood
# of a few seconds stands out of a minute's average. Every expected peak comes from outside
# scanwatch: the per-second counts a test wrote into a capture (and tshark counting them back),
# tshark's per-second counts of a real capture, and in the live part the senders' own per-second
# tallies and a tcpdump capture of what the sensor received.
#  1. A generated capture with known seconds (a second split by an interval boundary among them)
#     replayed: each interval's peak in peak.rrd, the day's peak second in the daily file and in
#     `summary` (text and --json), the report's table; a data directory from before peak.rrd
#     (the file removed) gets it again, and a daily file without its peak line reads as unknown.
#  2. A real SYN flood (../shared/data): its busiest second as tshark counts it.
#  3. Live, on a veth pair between two throwaway namespaces with --interval 60: a quiet minute
#     (3 frames a second from each sender) with a 10-second flood inside it (400 frames a second
#     from each), two senders on two CPUs when the machine has them, so that the drain must add
#     the CPUs' counts of each second. The stored peak must be exactly the flood's frames in one
#     second (the senders' tallies), as tcpdump's capture of the same traffic counts it, and a
#     replay of that capture must find the same; the Prometheus textfile and status give the
#     day's peak so far.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/live_lib.sh"

require_root
require_cmd ip rrdtool tshark tcpdump python3 taskset
MKPCAP=$SRC_ROOT/.output/tools/mkpcap
[ -x "$MKPCAP" ] && [ -x "$SWSEND" ] || t_skip_all "mkpcap and swsend are not built (make)"
PY=$(command -v /usr/bin/python3 || command -v python3)
W=$(mktemp -d /tmp/sw-peak.XXXXXX)
on_exit rm -rf "$W"

# peak_rows RRD FROM TO: "END VALUE" for every known row of peak.rrd's 60-second MAX archive.
peak_rows() {
	rrdtool fetch "$1" MAX -r 60 -s "$2" -e "$3" | "$PY" -c '
import math, sys
for line in sys.stdin:
    if ":" not in line:
        continue
    t, v = line.split(":")
    v = float(v)
    if not math.isnan(v):
        print(t.strip(), int(round(v)))'
}

# tshark_seconds CAPTURE: "SECOND FRAMES" for every second with frames, counted by tshark alone.
tshark_seconds() {
	tshark -r "$1" -T fields -e frame.time_epoch 2>/dev/null |
		awk '{ split($1, p, "."); n[p[1]]++ } END { for (s in n) print s, n[s] }' | sort -n
}

# tshark_peaks SECONDS_FILE: the busiest second of each 60-second interval, "END PEAK", and of
# the whole file as "day PEAK SECOND" (the earliest on a tie).
tshark_peaks() {
	awk '{ iv = $1 - $1 % 60 + 60
		if ($2 > m[iv]) m[iv] = $2
		if ($2 > dp || ($2 == dp && $1 < ds)) { dp = $2; ds = $1 } }
		END { for (i in m) print i, m[i]; print "day", dp, ds }' "$1" | sort -n
}

utc() { date -u -d "@$1" +%FT%TZ; }
json() { json_get "$1" "$2"; }

# ---- 1. a generated capture, every second known ----
# 2024-03-01 12:00:00 UTC. Interval A [T, T+60): 700 in second 10 (A's peak), 300 in second
# 20, 50 in each of seconds 30-39, 200 in second 59 (the first 200 of 500 frames sent 1 µs
# apart from 59.9998). Interval B [T+60, T+120): second 60 has the other 300 of those and 900
# more (1200, B's and the day's peak), second 100 has 1100, second 119 has 1.
T=1709294400
{
	echo "$T.000000 198.18.0.1 192.0.2.1 tcp 80 1" # second 0: one access
	echo "$((T + 10)).100000 198.18.0.2 192.0.2.1 tcp 445 700"
	echo "$((T + 20)).500000 198.18.0.3 192.0.2.1 udp 53 300"
	for s in $(seq 30 39); do echo "$((T + s)).250000 198.18.1.$s 192.0.2.1 tcp 22 50"; done
	echo "$((T + 59)).999800 198.18.0.4 192.0.2.1 tcp 23 500"
	echo "$((T + 60)).500000 2001:db8:1::5 2001:db8::1 tcp 3389 900"
	echo "$((T + 100)).000001 198.18.0.6 192.0.2.1 echo 0 1100"
	echo "$((T + 119)).999999 198.18.0.7 192.0.2.1 tcp 80 1"
} >"$W/gen.spec"
GEN_N=$("$MKPCAP" "$W/gen.pcap" <"$W/gen.spec")
t_eq "$GEN_N" 4002 "mkpcap wrote the frames of the spec (1 + 700 + 300 + 10 x 50 + 500 + 900 + 1100 + 1)"
tshark_seconds "$W/gen.pcap" >"$W/gen.sec"
tshark_peaks "$W/gen.sec" >"$W/gen.peaks"
t_eq "$(grep -c . "$W/gen.sec")" 17 "tshark finds frames in 17 seconds (0, 10, 20, 30-39, 59, 60, 100, 119)"
t_eq "$(awk -v t=$((T + 59)) '$1 == t { print $2 }' "$W/gen.sec")/$(awk -v t=$((T + 60)) '$1 == t { print $2 }' "$W/gen.sec")" \
	"200/1200" "tshark splits the 500 frames from 59.9998 200/300 between seconds 59 and 60"
t_eq "$(grep -v day "$W/gen.peaks" | tr '\n' ' ')" "$((T + 60)) 700 $((T + 120)) 1200 " \
	"tshark's busiest second of each interval: 700 in A, 1200 in B"

D=$W/gen
"$SW" replay --point p --data-dir "$D" -q "$W/gen.pcap" >"$W/gen.out" 2>&1
t_eq "$?" 0 "replay of the generated capture exits 0"
peak_rows "$D/p/peak.rrd" $((T - 60)) $((T + 180)) >"$W/gen.rrd"
t_eq "$(tr '\n' ' ' <"$W/gen.rrd")" "$(grep -v day "$W/gen.peaks" | tr '\n' ' ')" \
	"peak.rrd's rows are tshark's per-interval peaks (700 at $((T + 60)), 1200 at $((T + 120)))"
DAY=$(date -u -d "@$T" +%F)
t_true "the daily file says the day's peak: 1200 in second $((T + 60))" \
	grep -qx "peak 1200 $((T + 60))" "$D/p/daily/$DAY.txt"
"$SW" summary --data-dir "$D" --point p --day "$DAY" --json >"$W/gen.json"
t_eq "$(json "$W/gen.json" 'd["peak"]')/$(json "$W/gen.json" 'd["peak_at"]')/$(json "$W/gen.json" 'd["accesses"]')" \
	"1200/$(utc $((T + 60)))/4002" "summary --json: peak, peak_at (tshark's busiest second) and accesses"
t_true "summary's text gives the peak and its second" \
	grep -qx "  peak: 1200 accesses in one second, at $(utc $((T + 60)))" \
	<("$SW" summary --data-dir "$D" --point p --day "$DAY")
"$SW" report --data-dir "$D" --month "${DAY%-*}" --out "$W/report" -q >/dev/null 2>&1
t_true "the report's table 1-3 gives the month's busiest second" \
	grep -q "^| p | 1,200 | $(utc $((T + 60))) | " "$W/report/report.md"

# A data directory from before the peak rate: no peak.rrd (made again, the other files as they
# were) and daily files without the peak line (the day's peak unknown, everything else read).
rm "$D/p/peak.rrd"
echo "$((T + 3600)).000000 198.18.0.9 192.0.2.1 tcp 80 42" | "$MKPCAP" "$W/later.pcap" >/dev/null
"$SW" replay --point p --data-dir "$D" -q "$W/later.pcap" >"$W/later.out" 2>&1
t_eq "$?" 0 "replay into a data directory without peak.rrd exits 0"
t_eq "$(peak_rows "$D/p/peak.rrd" $T $((T + 7200)) | tr '\n' ' ')" "$((T + 3660)) 42 " \
	"peak.rrd is made again, from its first row: 42 frames in one second"
t_eq "$(grep -c "older\|tune" "$W/later.out")" 0 "no warning about older files: nothing needs adding"
t_true "the day's peak stays 1200 (a later, quieter second does not replace it)" \
	grep -qx "peak 1200 $((T + 60))" "$D/p/daily/$DAY.txt"
sed -i '/^peak /d; /^# peak /d' "$D/p/daily/$DAY.txt"
"$SW" summary --data-dir "$D" --point p --day "$DAY" --json >"$W/old.json"
t_eq "$(json "$W/old.json" 'd["peak"]')/$(json "$W/old.json" 'd["peak_at"]')/$(json "$W/old.json" 'd["accesses"]')" \
	"0/None/4044" "a daily file without a peak line: peak 0, peak_at null, the accesses all read"
t_true "summary's text says the peak was not recorded" \
	grep -q "peak: not recorded" <("$SW" summary --data-dir "$D" --point p --day "$DAY")

# ---- 2. a real SYN flood, its busiest second as tshark counts it ----
F=stopddos__pkt.TCP.synflood.spoofed.pcap
if [ -f "$DATA/$F" ]; then
	tshark_seconds "$DATA/$F" >"$W/real.sec"
	read -r _ rp rs < <(tshark_peaks "$W/real.sec" | grep '^day')
	acc=$("$SRC_ROOT/tests/tshark_oracle.sh" "$DATA/$F" | awk '$1 == "key" { n += $5 } END { print n }')
	t_eq "$acc" "$(awk '{ n += $2 } END { print n }' "$W/real.sec")" \
		"$F: every frame is an access (tshark_oracle.sh), so frames per second are accesses"
	"$SW" replay --point p --data-dir "$W/real" -q "$DATA/$F" >/dev/null 2>&1
	day=$(date -u -d "@$rs" +%F)
	"$SW" summary --data-dir "$W/real" --point p --day "$day" --json >"$W/real.json"
	t_eq "$(json "$W/real.json" 'd["peak"]')/$(json "$W/real.json" 'd["peak_at"]')" \
		"$rp/$(utc "$rs")" "$F: summary's peak is tshark's busiest second"
	t_eq "$(peak_rows "$W/real/p/peak.rrd" $((rs - 600)) $((rs + 600)) | tr '\n' ' ')" \
		"$(tshark_peaks "$W/real.sec" | grep -v day | tr '\n' ' ')" \
		"$F: peak.rrd holds tshark's busiest second of each interval"
elif [ "${CI:-}" = "true" ]; then
	t_fail "cannot run under CI: needs $DATA/$F"
else
	echo "ok $((T_N += 1)) # SKIP needs $DATA/$F"
fi

# ---- 3. live: a 10-second flood inside a quiet minute ----
ncpu=$(nproc)
NS=1
[ "$ncpu" -ge 2 ] && NS=2
live_setup "$NS" || t_skip_all "cannot build the namespaces and veth pair"
BG=3 FLOOD=400
PATTERN="${BG}x20,${FLOOD}x10,${BG}x20"

if daemon_start -v --interval 60 --prom-textfile "$WORK/sw.prom"; then
	t_ok "daemon attached to $SIF, draining every minute"
else
	t_fail "daemon did not attach"; sed 's/^/# /' "$WORK/daemon.log"; t_done
fi
# The minute the traffic goes in: this one if it has just begun, else the next. Its seconds 5 to
# 54 carry the pattern, well inside the interval, so no second is cut by a drain.
now=$(date +%s)
M=$((now - now % 60))
[ $((now - M)) -le 2 ] || M=$((M + 60))
AT=$((M + 5))
TOTAL=$(((20 * BG + 10 * FLOOD + 20 * BG) * NS))
# Inbound only: the sensor's own stack sends the odd IPv6 packet, which no program counts.
sns tcpdump -n -U -Q in -i "$SIF" -c "$TOTAL" -w "$WORK/live.pcap" 2>"$WORK/tcpdump.err" &
TPID=$!
on_exit kill "$TPID"
wait_for 10 grep -q "listening on" "$WORK/tcpdump.err" || t_fail "tcpdump did not start"
rx0=$(rx_packets)
pids=()
for i in $(seq 0 $((NS - 1))); do
	taskset -c "$i" ip netns exec "$GNS" "$SWSEND" --iface "$GIF" --json -d 192.0.2.1 -k syn \
		-p 80,443 -s 100 --src-prefix "198.18.$((i + 1)).0/24" --per-second "$PATTERN" \
		--at "$AT" --rate 20000 --max-time 180 >"$WORK/sent.$i" 2>"$WORK/sent.$i.err" &
	pids+=($!)
done
for i in $(seq 0 $((NS - 1))); do
	wait "${pids[$i]}"
	rc=$?
	t_eq "$rc" 0 "sender $i (CPU $i) sent every second's frames inside its second"
	[ "$rc" -eq 0 ] || sed 's/^/# /' "$WORK/sent.$i.err"
done
# The expected peak: each second's frames summed over the senders, by their own tallies.
read -r EXP EXP_S < <("$PY" - "$WORK"/sent.[0-9] <<'EOF'
import json, sys
sec = {}
for f in sys.argv[1:]:
    for s, n in json.load(open(f))["per_second"]:
        sec[s] = sec.get(s, 0) + n
best = max(sec.items(), key=lambda kv: (kv[1], -kv[0]))
print(best[1], best[0])
EOF
)
t_eq "$EXP" $((FLOOD * NS)) "the senders' tallies: $FLOOD frames a flood second from each of $NS"
t_true "the sensor received all $TOTAL frames" wait_rx "$rx0" "$TOTAL"
t_eq "$(($(rx_packets) - rx0))" "$TOTAL" "frames received = frames sent (no stray traffic)"
# The minute's drain at M + 60 stores it; the daemon keeps running meanwhile.
t_true "the minute's drain stored all $TOTAL accesses" wait_for 90 stored_reached "$TOTAL"
daemon_stop TERM
t_eq "$?" 0 "SIGTERM: the daemon exits 0"
if [ "$NS" -eq 2 ]; then
	cpus=$(sed -n 's/.*frames per CPU: *//p' "$WORK/daemon.log" |
		awk '{ for (i = 1; i <= NF; i++) n[i] += $i } END { print (n[1] > 0) + (n[2] > 0) }')
	t_eq "$cpus" 2 "both CPUs counted frames (the drain added the CPUs' seconds)"
else
	echo "# one CPU: the peak comes from one CPU's seconds"
fi
stored "$WORK/s.json"
t_eq "$(json "$WORK/s.json" 'd["accesses"]')" "$TOTAL" "summary: the accesses sent"
t_eq "$(json "$WORK/s.json" 'd["peak"]')" "$EXP" \
	"summary --json: peak = the flood's frames in one second, not the minute's $((TOTAL / 60)) a second"
t_eq "$(json "$WORK/s.json" 'd["peak_at"]')" "$(utc "$EXP_S")" \
	"summary --json: peak_at = the first flood second (the earliest of equal seconds)"
t_eq "$(peak_rows "$DATA_DIR/$POINT/peak.rrd" "$M" $((M + 60)) | tr '\n' ' ')" "$((M + 60)) $EXP " \
	"peak.rrd: the minute's row holds the flood's second ($EXP)"
t_eq "$(grep -E '^scanwatch_day_peak_[a-z_]*[{]' "$WORK/sw.prom" | tr '\n' ' ')" \
	"scanwatch_day_peak_accesses_per_second{point=\"$POINT\"} $EXP scanwatch_day_peak_timestamp_seconds{point=\"$POINT\"} $EXP_S " \
	"--prom-textfile: the day's peak is the flood's $EXP frames in one second, at $EXP_S"
"$SW" status --pin-root "$PIN" --data-dir "$DATA_DIR" >"$WORK/status.txt" 2>&1
t_true "status: today's peak under the point's line, $EXP accesses at $(utc "$EXP_S")" \
	grep -qx "    peak $EXP accesses in one second at $(utc "$EXP_S")" "$WORK/status.txt"
"$SW" status --pin-root "$PIN" --data-dir "$DATA_DIR" --json >"$WORK/status.json" 2>/dev/null
t_eq "$(json "$WORK/status.json" '[(t["peak"], t["peak_at"]) for t in d["today"]]')" \
	"[($EXP, '$(utc "$EXP_S")')]" "status --json: today's peak and peak_at, the same"
t_eq "$(rrdtool fetch "$DATA_DIR/$POINT/totals.rrd" AVERAGE -r 60 -s "$M" -e $((M + 60)) |
	awk -v t=$((M + 60)) '$1 == t":" { printf "%d", $2 }')" "$TOTAL" \
	"totals.rrd: the same row's accesses are the minute's $TOTAL (the average the peak stands out of)"

# The same traffic as tcpdump captured it on the sensor side: tshark's count, and a replay.
wait_for 10 pid_gone "$TPID" || kill "$TPID"
tshark_seconds "$WORK/live.pcap" >"$WORK/live.sec"
t_eq "$(awk '{ n += $2 } END { print n }' "$WORK/live.sec")" "$TOTAL" "tcpdump captured every frame"
read -r _ tp ts < <(tshark_peaks "$WORK/live.sec" | grep '^day')
t_eq "$tp/$ts" "$EXP/$EXP_S" "tshark's busiest second of the capture is the senders'"
"$SW" replay --point "$POINT" --data-dir "$WORK/replay" -q "$WORK/live.pcap" >/dev/null 2>&1
"$SW" summary --data-dir "$WORK/replay" --point "$POINT" --from "$DAY0" --to "$(date -u +%F)" \
	--json >"$WORK/r.json" 2>/dev/null
t_eq "$(json "$WORK/r.json" 'd["peak"]')/$(json "$WORK/r.json" 'd["peak_at"]')" \
	"$EXP/$(utc "$EXP_S")" "replay of the capture: the same peak and second as live"
t_eq "$(peak_rows "$WORK/replay/$POINT/peak.rrd" "$M" $((M + 60)) | tr '\n' ' ')" "$((M + 60)) $EXP " \
	"replay's peak.rrd: the same row as live's"

t_done
