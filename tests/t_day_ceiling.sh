#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The ceiling of the day's source set (--max-day-pairs). Past it, new (source, key) pairs are
# counted as lost sources, never silently: in the daily file, `summary` (text and JSON), the
# RRD overflow file, the log and `status`. Oracles: tshark's distinct (source, destination port)
# pairs of a real SYN flood (all TCP SYN, one key each source), records of the day's pair log
# read with python (for a ceiling lowered between two runs), and swsend's own tally on a veth.
#   1. replay with a ceiling below the capture's pairs: lost = pairs - ceiling, exactly
#   2. the capture in two halves, a restart between, the ceiling reached in the second:
#      lost = all pairs - ceiling (the second run loads the first run's pairs)
#   3. a restart with a ceiling lowered below what the day holds: the pairs beyond it are not
#      held, and any of them seen again is a lost source, never a source twice
#   4. bad values and a ceiling this machine's memory cannot hold: one line, exit 2, nothing
#      attached; a daily file and an overflow.rrd of an older scanwatch still work
#   5. `run` on a veth: status and the log show the lost sources, also after a restart
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/live_lib.sh"
require_root
require_cmd tshark editcap rrdtool python3
CAP=stopddos__pkt.TCP.synflood.spoofed.pcap
require_data "$CAP"
W=$(mktemp -d /tmp/sw-ceiling.XXXXXX)
on_exit rm -rf "$W"
DAY=2021-04-28 # the capture's day (UTC)

# The oracle: distinct (source, TCP destination port) pairs of a capture, as tshark reads it.
pairs_of() { tshark -r "$1" -Y 'tcp.flags == 0x002' -T fields -e ip.src -e tcp.dstport | sort -u; }
frames_of() { tshark -r "$1" -T fields -e frame.number | wc -l; }
# Debian's own python3 starts in a tenth of the time of a version manager's shim.
PY=$(command -v /usr/bin/python3 || command -v python3)
# fields DIR NAME...: those members of the day's `summary --json`, separated by '/'.
fields() {
	local dir=$1
	shift
	"$SW" summary --data-dir "$dir" --point p --day "$DAY" --json |
		"$PY" -c 'import json, sys; d = json.load(sys.stdin); print("/".join(str(d[k]) for k in sys.argv[1:]))' "$@"
}

pairs_of "$DATA/$CAP" >"$W/all.pairs"
ALL=$(wc -l <"$W/all.pairs")
FRAMES=$(frames_of "$DATA/$CAP")
t_eq "$(tshark -r "$DATA/$CAP" -Y 'not tcp.flags == 0x002' | wc -l)" 0 \
	"tshark: every frame of $CAP is a TCP SYN (so each pair is a source on its port's key)"

### 1. A ceiling below the capture's pairs, in one interval (the flood lasts 24 s of one minute).
C=30000
D1=$W/one
"$SW" replay --point p --data-dir "$D1" --max-day-pairs "$C" "$DATA/$CAP" >"$W/r1.out" 2>&1
t_eq "$?" 0 "replay with --max-day-pairs $C exits 0"
IFS=/ read -r acc src lost dropped <<<"$(fields "$D1" accesses sources lost_sources dropped)"
t_eq "$acc" "$FRAMES" "every frame is an access (tshark's frame count)"
t_eq "$src" "$C" "sources stop at the ceiling"
t_eq "$lost" "$((ALL - C))" "lost sources = tshark's $ALL distinct pairs - the ceiling $C"
t_eq "$dropped" 0 "nothing dropped: the kernel tables had room"
t_true "the daily file says lost_sources $((ALL - C)) and pairs $C" \
	grep -qx "lost_sources $((ALL - C))" "$D1/p/daily/$DAY.txt"
t_eq "$(grep -x "pairs [0-9]*" "$D1/p/daily/$DAY.txt")" "pairs $C" "the daily file counts $C logged pairs"
t_eq "$(stat -c %s "$D1/p/sources/$DAY.pairs")" "$((8 + 20 * C))" \
	"the pair log holds $C records of 20 bytes after its 8-byte magic"
t_true "summary's text names the lost sources" \
	sh -c "'$SW' summary --data-dir '$D1' --point p --day $DAY | grep -q 'lost sources: $((ALL - C)) '"
t_true "replay's log says how many pairs were lost sources" \
	grep -q "$((ALL - C)) new (source, key) pairs counted as lost sources" "$W/r1.out"
# The minute 10:30 is the row stamped 10:31 (1619605860); the rows around it have nothing.
lost_rrd=$(rrdtool fetch "$D1/p/overflow.rrd" AVERAGE -s 1619605740 -e 1619605920 |
	awk -F'[: ]+' '$1 == 1619605860 { printf "%.0f", $3 }')
t_eq "$lost_rrd" "$((ALL - C))" "overflow.rrd's lost_sources holds them in the flood's minute"

### 2. Two halves, a restart between: the second run loads the first's pairs and fills up.
editcap -r "$DATA/$CAP" "$W/a.pcap" 1-18920 && editcap -r "$DATA/$CAP" "$W/b.pcap" 18921-"$FRAMES"
A=$(pairs_of "$W/a.pcap" | wc -l)
C=25000
D2=$W/two
"$SW" replay --point p --data-dir "$D2" --max-day-pairs "$C" "$W/a.pcap" >"$W/r2a.out" 2>&1
t_eq "$(fields "$D2" sources lost_sources)" "$A/0" \
	"first half: its $A pairs (tshark) under the ceiling $C, none lost"
"$SW" replay --point p --data-dir "$D2" --max-day-pairs "$C" "$W/b.pcap" >"$W/r2b.out" 2>&1
t_eq "$?" 0 "second half, a new process on the same day, exits 0"
IFS=/ read -r acc src lost <<<"$(fields "$D2" accesses sources lost_sources)"
t_eq "$src" "$C" "sources stop at the ceiling across the restart"
t_eq "$lost" "$((ALL - C))" \
	"lost sources = all $ALL pairs - $C: the first half's pairs were loaded, not counted again"
t_eq "$acc" "$FRAMES" "every frame of both halves is an access"

### 3. Restarted with a ceiling lowered below what the day holds.
D3=$W/three
LOW=10000
"$SW" replay --point p --data-dir "$D3" "$W/a.pcap" >/dev/null 2>&1
"$SW" replay --point p --data-dir "$D3" --max-day-pairs "$LOW" "$W/b.pcap" >"$W/r3.out" 2>&1
t_eq "$?" 0 "a lowered ceiling loads what it can and goes on"
t_true "the start says the day holds more pairs than the ceiling" \
	grep -q "holds $A (source, key) pairs, more than --max-day-pairs $LOW: $((A - LOW)) of them are not held" "$W/r3.out"
# Held: the first LOW records of the log (the first run's pairs). Every pair of the second
# half that is not among them is a lost source, the first half's others included.
"$PY" - "$D3/p/sources/$DAY.pairs" "$LOW" >"$W/held.pairs" <<'EOF'
import socket, struct, sys
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"SWPAIRS1"
for i in range(int(sys.argv[2])):
    rec = data[8 + 20 * i: 28 + 20 * i]
    cls, kind, num = struct.unpack("=BBH", rec[16:20])
    print("%s\t%d" % (socket.inet_ntoa(rec[12:16]), num))
EOF
sort -o "$W/held.pairs" "$W/held.pairs"
pairs_of "$W/b.pcap" >"$W/b.pairs"
want=$(comm -23 "$W/b.pairs" "$W/held.pairs" | wc -l)
IFS=/ read -r src lost <<<"$(fields "$D3" sources lost_sources)"
t_eq "$lost" "$want" \
	"lost sources = the second half's pairs not among the $LOW held (tshark and the log's records)"
t_eq "$src" "$A" "sources stay the first run's: none counted twice"

### 4. Bad values; memory that cannot be had; files of an older scanwatch.
out=$("$SW" replay --point p --data-dir "$W/bad" --max-day-pairs 0 "$W/a.pcap" 2>&1)
t_eq "$?/$(echo "$out" | wc -l)" "2/1" "--max-day-pairs 0: exit 2, one line"
out=$("$SW" replay --point p --data-dir "$W/bad" --max-day-pairs 274877906944 "$W/a.pcap" 2>&1)
t_eq "$?/$(echo "$out" | wc -l)" "2/1" "a ceiling the memory cannot hold: exit 2, one line"
t_true "it says what the ceiling needs and what limits it" \
	grep -q 'needs up to .* MiB .* more than .* allows' <<<"$out"
t_true "and nothing was written" test ! -e "$W/bad"
PIN=$(pin_root)
NS=$(uniq_name c)
ip netns add "$NS" && on_exit ip netns del "$NS"
ip -n "$NS" link add "${NS}a" type veth peer name "${NS}b" && ip -n "$NS" link set "${NS}a" up
out=$(ip netns exec "$NS" "$SW" run --point p="${NS}a" --data-dir "$W/bad" --pin-root "$PIN" \
	--max-day-pairs 274877906944 2>&1)
t_eq "$?/$(echo "$out" | wc -l)" "2/1" "run with that ceiling: exit 2, one line"
t_true "run attached nothing" sh -c "! ip -n '$NS' link show '${NS}a' | grep -q xdp && test ! -e '$PIN/p'"
# A daily file without the lost_sources line (written before the ceiling) reads as none lost;
# an overflow.rrd with only `dropped` is written that one and the log says how to add the other.
D4=$W/old
"$SW" replay --point p --data-dir "$D4" "$W/a.pcap" >/dev/null 2>&1
sed -i '/^lost_sources /d' "$D4/p/daily/$DAY.txt"
t_eq "$(fields "$D4" lost_sources sources)" "0/$A" "a daily file of an older scanwatch reads, none lost"
rm "$D4/p/overflow.rrd"
rrdtool create "$D4/p/overflow.rrd" --step 60 --start 1619605000 DS:dropped:GAUGE:120:0:U \
	RRA:AVERAGE:0.5:1:2880
"$SW" replay --point p --data-dir "$D4" --max-day-pairs 20000 "$W/b.pcap" >"$W/r4.out" 2>&1
t_eq "$?" 0 "replay over an overflow.rrd without lost_sources exits 0"
t_true "its log says the file is older and how to add lost_sources" \
	grep -q "overflow.rrd was made by an older scanwatch: .*'rrdtool tune .*overflow.rrd DS:lost_sources:GAUGE:120:0:U'" "$W/r4.out"
t_eq "$(rrdtool info "$D4/p/overflow.rrd" | grep -c '^ds\[.*\]\.type')" 1 "the older file is not changed behind the operator's back"

### 5. `run` on a veth: 500 new sources against a ceiling of 300, then 100 more after a restart.
live_setup || t_skip_all "cannot build the namespaces and veth pair"
SENT=$WORK/sent.jsonl
daemon_start --max-day-pairs 300 || { t_fail "daemon did not attach"; t_done; }
rx0=$(rx_packets)
send "$SENT" --rate 5000 -d 192.0.2.1 -k syn -p 445 -s 500 --src-prefix 198.18.32.0/20 -c 500
wait_rx "$rx0" 500 && wait_for 10 stored_reached 500
status_has() { sns "$SW" status --pin-root "$PIN" | grep "^$POINT " | grep -q "$1"; }
t_true "status shows the day's set full and 200 lost sources (500 sent, ceiling 300)" \
	status_has 'day pairs 300/300  lost sources 200 '
daemon_stop TERM
t_eq "$?" 0 "the daemon stops cleanly"
t_true "its log says pairs were counted as lost sources" \
	grep -q "new (source, key) pairs counted as lost sources, not as sources: the day's set is full (--max-day-pairs 300)" "$WORK/daemon.log"
daemon_start --max-day-pairs 300 || { t_fail "daemon did not attach again"; sed "s/^/# /" "$WORK/daemon.log"; t_done; }
t_true "after a restart status shows the day's figures" \
	status_has 'day pairs 300/300  lost sources 200 '
rx0=$(rx_packets)
send "$SENT" --rate 5000 -d 192.0.2.1 -k syn -p 445 -s 100 --src-prefix 198.18.64.0/20 -c 100
wait_rx "$rx0" 100 && wait_for 10 stored_reached 600
daemon_stop TERM
stored "$WORK/s.json"
IFS=/ read -r src lost acc <<<"$("$PY" -c 'import json, sys; d = json.load(open(sys.argv[1])); print("%d/%d/%d" % (d["sources"], d["lost_sources"], d["accesses"]))' "$WORK/s.json")"
IFS=/ read -r sent_src sent_acc <<<"$("$PY" -c 'import json, sys; t = [json.loads(l) for l in open(sys.argv[1])]; print("%d/%d" % (sum(x["sources"] for x in t), sum(x["accesses"] for x in t)))' "$SENT")"
t_eq "$sent_src" 600 "swsend's tallies: 600 distinct (source, key) pairs sent in all"
t_eq "$src/$lost" "300/300" "300 held, 300 lost across the restart"
t_eq "$acc" "$sent_acc" "every frame sent is an access (swsend's tallies)"
t_done
