#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Sources survive a restart in the middle of a day (README.md: "the day's sets survive a daemon
# restart"): part 1 of a day replayed by one process, part 2 by another into the same data
# directory; the (source, key) pairs the two parts share must not count twice. Then the ways the
# day's files can be found on restart: pairs logged by a run that died before its summary (they
# are ignored and cut off), a damaged log, a log shorter than its summary, a summary counted in
# another time zone; and --tz errors. Multi-day splitting itself is tests/t_replay.sh's.
#
# Part 1 (65 packets, 45 pairs): 198.51.100.1-20 send tcp/445 twice and tcp/23 once,
#   2001:db8::1-5 udp/53 once.
# Part 2 (45 packets, 45 pairs): 198.51.100.11-30 send tcp/445 and udp/161 once each,
#   2001:db8::1-5 udp/53 once.
# Shared pairs: tcp/445 from .11-.20 (10) and udp/53 from the five IPv6 sources (5), so the day
# has 45 + 45 - 15 = 75 sources and 110 accesses; a restart that forgot part 1 would say 90.
# Per key: tcp/445 60 accesses 30 sources, tcp/23 20 20, udp/161 20 20, udp/53 10 5.
source "$(dirname "$0")/lib.sh"
require_root
require_cmd tshark python3
MKPCAP="$SRC_ROOT/.output/tools/mkpcap"
[ -x "$MKPCAP" ] || t_skip_all "tools/mkpcap is not built (make)"

tmp=$(mktemp -d /tmp/sw-restart.XXXXXX)
on_exit rm -rf "$tmp"

# part1 BASE / part2 BASE: the spec of each part; part 2 starts 30 minutes after part 1.
part1() {
	local i
	for i in $(seq 1 20); do
		echo "$1 198.51.100.$i 192.0.2.1 tcp 445 2"
		echo "$1 198.51.100.$i 192.0.2.1 tcp 23 1"
	done
	for i in $(seq 1 5); do echo "$1 2001:db8::$i 2001:db8:ffff::1 udp 53 1"; done
}
part2() {
	local i t=$(($1 + 1800))
	for i in $(seq 11 30); do
		echo "$t 198.51.100.$i 192.0.2.1 tcp 445 1"
		echo "$t 198.51.100.$i 192.0.2.1 udp 161 1"
	done
	for i in $(seq 1 5); do echo "$t 2001:db8::$i 2001:db8:ffff::1 udp 53 1"; done
}
# 2023-11-14 01:00 UTC (10:00 in Tokyo: the same date in both zones) ...
B=1699923600
# ... and 2023-11-13 23:30 UTC, so that part 2 (00:00 UTC) crosses midnight in UTC but not in
# Tokyo (08:30 and 09:00 on 2023-11-14).
M=1699918200
part1 $B | "$MKPCAP" "$tmp/p1.pcap" >/dev/null && part2 $B | "$MKPCAP" "$tmp/p2.pcap" >/dev/null &&
	part1 $M | "$MKPCAP" "$tmp/m1.pcap" >/dev/null && part2 $M | "$MKPCAP" "$tmp/m2.pcap" >/dev/null ||
	t_fail "mkpcap"

# tshark's count over both parts: packets and distinct (source, protocol, port).
oracle=$(for f in p1 p2; do
	tshark -r "$tmp/$f.pcap" -T fields -e ip.src -e ipv6.src -e tcp.dstport -e udp.dstport 2>/dev/null
done | awk -F'\t' '{ n++; p[$1 $2 "/" $3 "/" $4] = 1 } END { print n, length(p) }')
t_eq "$oracle" "110 75" "tshark: accesses and distinct (source, key) pairs of both parts"

# replay DIR [OPTION...] FILE...: its messages go to stderr only when it fails.
replay() {
	"$SW" replay --point lab --data-dir "$@" 2>"$tmp/replay.err" && return 0
	sed 's/^/# /' "$tmp/replay.err"
	return 1
}
summary() {
	"$SW" summary --data-dir "$1" --day "$2" --json 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(d["accesses"], d["sources"], ";".join("%s %d %d" % (k["key"], k["accesses"], k["sources"])
      for k in sorted(d["keys"], key=lambda k: k["key"])))'
}
pairs_of() { awk '$1 == "pairs" { print $2 }' "$1"; }
want_day="110 75 tcp/23 20 20;tcp/445 60 30;udp/161 20 20;udp/53 10 5"
want_p1="65 45 tcp/23 20 20;tcp/445 40 20;udp/53 5 5"

# 1. The restart: two processes, one day.
d="$tmp/restart"
replay "$d" "$tmp/p1.pcap" && t_eq "$(summary "$d" 2023-11-14)" "$want_p1" "part 1 alone"
replay "$d" "$tmp/p2.pcap" || t_fail "replay part 2"
t_eq "$(summary "$d" 2023-11-14)" "$want_day" "after a restart: sources are the distinct pairs of both parts"
t_eq "$(pairs_of "$d/lab/daily/2023-11-14.txt")" 75 "summary accounts for 75 logged pairs"
t_eq "$(stat -c %s "$d/lab/sources/2023-11-14.pairs")" $((8 + 75 * 20)) "log: magic + 75 records of 20 bytes"

# The same capture in one process: a restart must change nothing.
d="$tmp/oneshot"
replay "$d" "$tmp/p1.pcap" "$tmp/p2.pcap" || t_fail "replay both parts at once"
t_eq "$(summary "$d" 2023-11-14)" "$want_day" "one process: the same figures"

# 2. A run that died after logging part 2's new udp/161 pairs but before writing the summary:
# 20 records beyond 'pairs 45', and half a record. Had they been loaded, part 2's udp/161 pairs
# would look seen and the day would have 55 sources.
d="$tmp/crash"
replay "$d" "$tmp/p1.pcap" || t_fail "replay part 1 (crash)"
python3 - "$d/lab/sources/2023-11-14.pairs" <<'EOF'
import socket, struct, sys
with open(sys.argv[1], "ab") as f:
    for i in range(11, 31):
        addr = b"\0" * 10 + b"\xff\xff" + socket.inet_aton("198.51.100.%d" % i)
        f.write(struct.pack("=16sBBH", addr, 2, 0, 161))  # udp/161 scan, as bpf/scanwatch.h
    f.write(b"\x01" * 7)
EOF
t_eq "$(stat -c %s "$d/lab/sources/2023-11-14.pairs")" $((8 + 65 * 20 + 7)) "crash: log holds 45 counted + 20 uncounted records + 7 bytes"
replay "$d" "$tmp/p2.pcap" || t_fail "replay part 2 (crash)"
t_eq "$(summary "$d" 2023-11-14)" "$want_day" "crash: uncounted records ignored, counts exact"
t_eq "$(stat -c %s "$d/lab/sources/2023-11-14.pairs")" $((8 + 75 * 20)) "crash: log cut back and refilled to 75 records"
t_eq "$(pairs_of "$d/lab/daily/2023-11-14.txt")" 75 "crash: summary accounts for them all"

# 3. Damaged logs: one error line, exit 2, the day's figures untouched.
# errors DIR DESC PATTERN: runs part 2 into DIR, expects exit 2 and one error line matching.
errors() {
	local d=$1 desc=$2 pattern=$3 rc
	"$SW" replay --point lab --data-dir "$d" "${@:4}" "$tmp/p2.pcap" 2>"$tmp/err"
	rc=$?
	t_eq "$rc" 2 "$desc: exit 2"
	t_eq "$(grep -c 'error:' "$tmp/err")" 1 "$desc: one error line"
	t_true "$desc: says why ($(grep 'error:' "$tmp/err" | head -1))" grep -qE "$pattern" "$tmp/err"
	t_eq "$(summary "$d" 2023-11-14)" "$want_p1" "$desc: part 1's figures untouched"
}
d="$tmp/magic"
replay "$d" "$tmp/p1.pcap" || t_fail "replay part 1 (magic)"
printf 'GARBAGE!' | dd of="$d/lab/sources/2023-11-14.pairs" conv=notrunc status=none
errors "$d" "bad magic" "sources/2023-11-14.pairs is damaged: it does not start with SWPAIRS1"

d="$tmp/short"
replay "$d" "$tmp/p1.pcap" || t_fail "replay part 1 (short)"
truncate -s $((8 + 10 * 20)) "$d/lab/sources/2023-11-14.pairs"
errors "$d" "short log" "is damaged: it holds 10 \(source, key\) pairs but the day's summary counts 45"

# 4. Time zones. A day counted in UTC cannot be continued in Tokyo: its boundaries and sources
# would mix two days. Both runs see 2023-11-14 (01:00 UTC = 10:00 JST).
d="$tmp/tz"
replay "$d" "$tmp/p1.pcap" || t_fail "replay part 1 (tz)"
errors "$d" "UTC day continued with --tz Asia/Tokyo" \
	"daily/2023-11-14.txt counts the day 2023-11-14 in time zone UTC, not Asia/Tokyo" --tz Asia/Tokyo

# A restart in the middle of a Tokyo day that crosses midnight UTC: one file, no recount.
d="$tmp/tokyo"
replay "$d" --tz Asia/Tokyo "$tmp/m1.pcap" && replay "$d" --tz Asia/Tokyo "$tmp/m2.pcap" ||
	t_fail "replay in Asia/Tokyo"
t_eq "$(summary "$d" 2023-11-14)" "$want_day" "Asia/Tokyo: both parts in 2023-11-14, no recount"
t_eq "$(ls "$d/lab/daily")" "2023-11-14.txt" "Asia/Tokyo: one daily file (UTC would have two)"
t_true "Asia/Tokyo: recorded in the file" grep -qx "tz Asia/Tokyo" "$d/lab/daily/2023-11-14.txt"

# Zones that do not exist: one line, exit 2, before anything is written.
for z in Mars/Olympus Asia ../../etc/passwd; do
	"$SW" replay --point lab --data-dir "$tmp/badtz" --tz "$z" "$tmp/p1.pcap" 2>"$tmp/err"
	t_eq "$?" 2 "replay --tz $z: exit 2"
	t_eq "$(wc -l <"$tmp/err")" 1 "replay --tz $z: one line"
	t_true "replay --tz $z: names it" grep -qF "unknown time zone '$z'" "$tmp/err"
done
pins=$(pin_root) || t_fail "pin root"
"$SW" run --point lab=swnoif$$ --data-dir "$tmp/badtz" --pin-root "$pins" --tz Mars/Olympus 2>"$tmp/err"
t_eq "$?" 2 "run --tz Mars/Olympus: exit 2"
t_eq "$(wc -l <"$tmp/err")" 1 "run --tz Mars/Olympus: one line"
t_true "bad zones: nothing written" test ! -e "$tmp/badtz"

# run judges today's files at start: a summary of today written under the zone name Etc/UTC
# (same offset, another name) stops 'run' (UTC) with one line before it touches an interface.
now=$(date +%s)
echo "$now 198.51.100.1 192.0.2.1 tcp 445 1" | "$MKPCAP" "$tmp/now.pcap" >/dev/null
d="$tmp/runtz"
replay "$d" --tz Etc/UTC "$tmp/now.pcap" || t_fail "replay now in Etc/UTC"
"$SW" run --point lab=swnoif$$ --data-dir "$d" --pin-root "$pins" 2>"$tmp/err"
rc=$?
if [ "$(date -u +%F)" != "$(date -u -d "@$now" +%F)" ]; then
	T_N=$((T_N + 1)); echo "ok $T_N - run at start # SKIP midnight UTC passed during the test"
else
	t_true "run at start: exit non-zero ($rc)" test "$rc" -ne 0
	t_eq "$(grep -c 'error:' "$tmp/err")" 1 "run at start: one error line"
	t_true "run at start: names the zone ($(head -1 "$tmp/err"))" \
		grep -qF "in time zone Etc/UTC, not UTC" "$tmp/err"
	t_true "run at start: nothing pinned" test ! -e "$pins/lab"
fi
t_done
