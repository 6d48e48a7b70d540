#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Per watched address (--watch): the daily summary records how many addresses a point watched
# (its prefixes' sizes, an address in two prefixes once), and `summary` (text and JSON) and the
# monthly report divide the day's accesses and gross sources by it, so that a sensor of one
# address, a /24's and a /17's compare on one scale. Oracles: the prefixes' sizes by hand
# (2^(32 - len), 2^(128 - len)), and tshark's count of the packets of a capture made by
# tools/mkpcap to each set of prefixes, with their distinct (source, key) pairs.
#   1. one capture of a day replayed into six points: /32 (1), /24 with a /25 inside it (256),
#      /17 (32768), v6 /64 with a /128 inside it (2^64), /24 + /64 (2^64 + 256), and none: the
#      count in the daily file, every figure of `summary --json` = tshark's totals / that count;
#      without --watch "n/a" and null, never a division by something invented
#   2. all points and a month: the address-days add up (1 + 256 a day; two days of a /24: 512)
#   3. the watch set changes during a day (a restart with other --watch): the day keeps the
#      largest, and says so; a part of the day without --watch makes it n/a
#   4. a daily file without the line (an older scanwatch) still loads, as unknown; a bad count
#      is refused in one line
#   5. the report's Table 1-3 gives the same figures, n/a where a point does not know
#   6. `run` on a veth: a /28 and a v6 /126 are 20 addresses; what swsend sent to them (and not
#      what it sent to an address outside them) / 20
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/live_lib.sh"
require_root
require_cmd tshark python3 ip
MKPCAP=$SRC_ROOT/.output/tools/mkpcap
[ -x "$MKPCAP" ] || t_skip_all "tools/mkpcap is not built (make)"
[ -x "$SWSEND" ] || t_skip_all "swsend is not built (make)"
CHECK=$SRC_ROOT/tests/report_check.py
W=$(mktemp -d /tmp/sw-watch.XXXXXX)
on_exit rm -rf "$W"
PY=$(command -v /usr/bin/python3 || command -v python3)
D=$W/data
DAY=2009-10-01
T=1254355200 # 2009-10-01 00:00 UTC

# EPOCH SRC DST PROTO DPORT COUNT (tools/mkpcap.c): each destination in some sets and not others.
cat >"$W/spec" <<EOF
$((T + 3600)) 198.18.0.1 192.0.2.7 tcp 445 40
$((T + 3700)) 198.18.0.2 192.0.2.7 udp 53 8
$((T + 3800)) 198.18.0.3 192.0.2.200 tcp 23 24
$((T + 3900)) 198.18.0.4 192.0.2.200 tcp 23 8
$((T + 4000)) 198.18.0.1 192.0.2.130 tcp 445 3
$((T + 4100)) 198.18.0.5 192.0.100.1 tcp 22 16
$((T + 4200)) 198.18.0.6 192.0.200.1 tcp 80 5
$((T + 4300)) 2001:db8:ffff::1 2001:db8::1 echo 0 12
$((T + 4400)) 2001:db8:ffff::2 2001:db8:0:1::1 echo 0 3
EOF
t_eq "$("$MKPCAP" "$W/day.pcap" <"$W/spec")" 119 "mkpcap wrote the spec's 119 packets"

# oracle PREFIX...: "ACCESSES SOURCES" of the packets tshark reads to any of the prefixes, a
# source once per key (tcp/N, udp/N, icmp/echo: the capture has SYNs, datagrams and echoes).
oracle() {
	tshark -r "$W/day.pcap" -T fields -E separator=, -e ip.src -e ipv6.src -e ip.dst -e ipv6.dst \
		-e tcp.dstport -e udp.dstport -e icmp.type -e icmpv6.type |
		"$PY" -c '
import ipaddress, sys
nets = [ipaddress.ip_network(p, strict=False) for p in sys.argv[1:]]
acc, pairs = 0, set()
for line in sys.stdin:
    s4, s6, d4, d6, tp, up, it, i6 = line.rstrip("\n").split(",")
    dst = ipaddress.ip_address(d4 or d6)
    if not any(dst in n for n in nets if n.version == dst.version):
        continue
    key = "tcp/" + tp if tp else "udp/" + up if up else "icmp/echo"
    acc += 1
    pairs.add((s4 or s6, key))
print(acc, len(pairs))' "$@"
}
# fields DIR POINT FROM TO EXPR: a Python expression of `summary --json` (d) for those days.
fields() {
	local dir=$1 point=$2 from=$3 to=$4
	shift 4
	# shellcheck disable=SC2046 # no --point: all points
	"$SW" summary --data-dir "$dir" $([ -n "$point" ] && echo --point "$point") --from "$from" \
		--to "$to" --json | "$PY" -c "import json, sys; d = json.load(sys.stdin); print($1)"
}
# want ACC SRC N: "ACC/N SRC/N" as Python divides the exact integers (correctly rounded).
want() { "$PY" -c "import sys; a, s, n = map(int, sys.argv[1:]); print(repr(a / n), repr(s / n))" "$@"; }

### 1. One day, six points.
# POINT WATCHED --watch...
cat >"$W/points" <<'EOF'
p32 1 192.0.2.7/32
p24 256 192.0.2.0/24 192.0.2.128/25
p17 32768 192.0.0.0/17
p64 18446744073709551616 2001:db8::/64 2001:db8::1/128
pmix 18446744073709551872 192.0.2.0/24 2001:db8::/64
EOF
while read -r p n prefixes; do
	args=()
	for x in $prefixes; do args+=(--watch "$x"); done
	"$SW" replay --point "$p" --data-dir "$D" "${args[@]}" "$W/day.pcap" 2>"$W/$p.err"
	t_eq "$?" 0 "replay --point $p ${args[*]} exits 0"
	t_eq "$(grep '^watched ' "$D/$p/daily/$DAY.txt")" "watched $n" \
		"$p: the daily file records $n watched addresses ($prefixes, overlaps once)"
	# shellcheck disable=SC2086
	read -r acc src <<<"$(oracle $prefixes)"
	t_eq "$(fields "$D" "$p" $DAY $DAY '"%d %d" % (d["accesses"], d["sources"])')" "$acc $src" \
		"$p: the totals are tshark's packets and (source, key) pairs to $prefixes"
	t_eq "$(fields "$D" "$p" $DAY $DAY 'repr(float(d["per_address"]["accesses"])), repr(float(d["per_address"]["sources"]))' | tr -d "(),'")" \
		"$(want "$acc" "$src" "$n")" "$p: per_address = $acc / $n accesses, $src / $n sources, exactly"
	t_eq "$(fields "$D" "$p" $DAY $DAY '"%d %d %d" % tuple(d["per_address"][k] for k in ("addresses_min", "addresses_max", "address_days"))')" \
		"$n $n $n" "$p: one day of $n addresses: $n address-days"
done <"$W/points"
"$SW" replay --point pall --data-dir "$D" "$W/day.pcap" 2>/dev/null
t_true "without --watch the daily file has no watched line" \
	sh -c "! grep -q '^watched' '$D/pall/daily/$DAY.txt'"
t_eq "$(fields "$D" pall $DAY $DAY '"%d %s" % (d["accesses"], d["per_address"])')" "119 None" \
	"without --watch: all 119 packets counted (5 of them to 192.0.200.1, in no prefix), per_address null"
t_true "summary's text says n/a, and why" sh -c "'$SW' summary --data-dir '$D' --point pall --day $DAY |
	grep -qx '  per watched address a day: n/a (1 of 1 daily summaries from a run without --watch, which counts every address arriving, or from an older scanwatch)'"
# The numbers, stated: /24 83 accesses and 4 sources (tshark) / 256; /32 48 and 2 / 1.
t_eq "$("$SW" summary --data-dir "$D" --point p24 --day $DAY | sed -n 2p)" \
	"  per watched address a day: 0.324219 accesses, 0.015625 sources (256 addresses, 256 address-days)" \
	"summary's text of the /24: 83 / 256 and 4 / 256 (to six digits)"
t_eq "$("$SW" summary --data-dir "$D" --point p32 --day $DAY | sed -n 2p)" \
	"  per watched address a day: 48 accesses, 2 sources (1 addresses, 1 address-days)" \
	"summary's text of the /32: 48 / 1 and 2 / 1"

### 2. Sums: two points of one day; two days of one point.
D2=$W/two
"$SW" replay --point a --data-dir "$D2" --watch 192.0.2.7/32 "$W/day.pcap" 2>/dev/null
"$SW" replay --point b --data-dir "$D2" --watch 192.0.2.0/24 "$W/day.pcap" 2>/dev/null
t_eq "$(fields "$D2" "" $DAY $DAY 'd["accesses"], d["sources"], d["per_address"]["address_days"], repr(d["per_address"]["accesses"])' | tr -d "(),'")" \
	"131 6 257 $("$PY" -c 'print(repr(131 / 257))')" \
	"all points: (48 + 83) accesses over 1 + 256 address-days"
# The next day: the same packets a day later, into b only.
awk -v d=86400 '{ $1 += d; print }' "$W/spec" | "$MKPCAP" "$W/day2.pcap" >/dev/null
"$SW" replay --point b --data-dir "$D2" --watch 192.0.2.0/24 "$W/day2.pcap" 2>/dev/null
t_eq "$(fields "$D2" b 2009-10-01 2009-10-31 'd["accesses"], d["sources"], d["per_address"]["address_days"], repr(d["per_address"]["accesses"]), repr(d["per_address"]["sources"])' | tr -d "(),'")" \
	"166 8 512 0.32421875 0.015625" "b over the month: 166 accesses, 8 gross sources / (2 days x 256)"

### 3. The set changes during a day.
D3=$W/change
head -n 2 "$W/spec" | "$MKPCAP" "$W/am.pcap" >/dev/null # 48 packets to 192.0.2.7 at 01:00
awk -v d=36000 'NR > 2 { $1 += d; print }' "$W/spec" | "$MKPCAP" "$W/pm.pcap" >/dev/null
"$SW" replay --point c --data-dir "$D3" --watch 192.0.2.7/32 "$W/am.pcap" 2>/dev/null
"$SW" replay --point c --data-dir "$D3" --watch 192.0.2.0/24 "$W/pm.pcap" 2>"$W/c2.err"
t_eq "$(grep '^watched ' "$D3/c/daily/$DAY.txt")" "watched 256" "a /32, then a /24 on the same day: the larger, 256"
t_true "the restart says the day changed sets and which one it uses" \
	grep -q "point c: $DAY was counted for 1 watched addresses until now, for 256 from now on: its figures per watched address use the larger" "$W/c2.err"
t_eq "$(fields "$D3" c $DAY $DAY 'd["accesses"], repr(d["per_address"]["accesses"])' | tr -d "(),'")" \
	"83 $("$PY" -c 'print(repr(83 / 256))')" \
	"48 in the morning + 35 to the /24 in the afternoon (24 + 8 + 3), / 256"
"$SW" replay --point c --data-dir "$D3" --watch 192.0.2.7/32 "$W/pm.pcap" 2>/dev/null
t_eq "$(grep '^watched ' "$D3/c/daily/$DAY.txt")" "watched 256" "back to the /32: still the day's largest, 256"
"$SW" replay --point c --data-dir "$D3" "$W/pm.pcap" 2>"$W/c4.err"
t_true "then without --watch: the day has no count any more" \
	sh -c "! grep -q '^watched' '$D3/c/daily/$DAY.txt'"
t_true "and the restart says its per-address figures are n/a" \
	grep -q "point c: $DAY was counted for 256 watched addresses until now, and is counted without --watch from now on: its figures per watched address are n/a" "$W/c4.err"
t_eq "$(fields "$D3" c $DAY $DAY 'd["per_address"]')" None "per_address null"

### 4. Older files; bad counts.
D4=$W/old
"$SW" replay --point o --data-dir "$D4" --watch 192.0.2.0/24 "$W/am.pcap" 2>/dev/null
sed -i '/^watched /d' "$D4/o/daily/$DAY.txt"
t_eq "$(fields "$D4" o $DAY $DAY 'd["accesses"], d["per_address"]' | tr -d "(),'")" "48 None" \
	"a daily file without the line (as an older scanwatch wrote it) loads: 48 accesses, per address unknown"
"$SW" replay --point o --data-dir "$D4" --watch 192.0.2.0/24 "$W/pm.pcap" 2>"$W/o.err"
t_true "counted on with --watch, the day stays unknown, and the log says why" \
	sh -c "! grep -q '^watched' '$D4/o/daily/$DAY.txt' && grep -q 'point o: $DAY was counted without --watch (or by an older scanwatch) until now: its figures per watched address are n/a' '$W/o.err'"
for bad in 0 -1 x 340282366920938463463374607431768211456 "1 2"; do
	cp -a "$D4" "$W/bad"
	sed -i "s/^lost_sources .*/&\nwatched $bad/" "$W/bad/o/daily/$DAY.txt"
	out=$("$SW" summary --data-dir "$W/bad" --point o --day $DAY 2>&1)
	t_eq "$?/$(echo "$out" | wc -l)" "2/1" "'watched $bad' is refused: exit 2, one line ($out)"
	rm -rf "$W/bad"
done
cp -a "$D4" "$W/max"
sed -i 's/^lost_sources .*/&\nwatched 340282366920938463463374607431768211455/' "$W/max/o/daily/$DAY.txt"
t_eq "$(fields "$W/max" o $DAY $DAY 'd["per_address"]["address_days"]')" \
	340282366920938463463374607431768211455 "2^128 - 1, the largest count, reads"
t_eq "$(grep -c '^watched' "$D/p24/daily/$DAY.txt")" 1 "a count appears once in a file"
sed -i 's/^watched 256$/&\nwatched 256/' "$D/p24/daily/$DAY.txt"
out=$("$SW" summary --data-dir "$D" --point p24 --day $DAY 2>&1)
t_eq "$?/$(echo "$out" | wc -l)" "2/1" "a second watched line: refused, one line"
sed -i '0,/^watched 256$/{/^watched 256$/d}' "$D/p24/daily/$DAY.txt"

### 5. The report.
"$SW" report --data-dir "$D" --month 2009-10 --out "$W/out" >/dev/null 2>"$W/report.err"
t_eq "$?" 0 "report --month 2009-10 of the six points exits 0"
while read -r p n prefixes; do
	# shellcheck disable=SC2086
	echo "$p $n 1 $(oracle $prefixes)"
done <"$W/points" >"$W/expect"
echo "pall n/a" >>"$W/expect"
# The report lists its points in name order.
LC_ALL=C sort -o "$W/expect" "$W/expect"
python3 "$CHECK" peraddress "$W/out/report.md" "$W/expect" >"$W/pa.out"
t_tap <"$W/pa.out"
# Every point known: all points is 1 to 256 addresses, 1 + 256 + 512 address-days (a, b's two).
"$SW" report --data-dir "$D2" --month 2009-10 --out "$W/out2" >/dev/null 2>&1
t_eq "$?" 0 "report of section 2's points exits 0"
printf 'a 1 1 48 2\nb 256 2 166 8\n' >"$W/expect2"
python3 "$CHECK" peraddress "$W/out2/report.md" "$W/expect2" >"$W/pa2.out"
t_tap <"$W/pa2.out"
python3 "$CHECK" legends "$W/out/report.md" | grep -v '^PASS .*legend' >"$W/lg.out"
t_tap <"$W/lg.out"

### 6. The daemon: what it was started with is what its days record.
live_setup || t_fail "cannot build the namespaces and veth pair"
base=$(rx_packets)
daemon_start --interval 3600 --watch 192.0.2.0/28 --watch 192.0.2.1/32 --watch 2001:db8::/126 ||
	t_fail "daemon did not attach"
R=(--rate 5000 --max-time 20)
send "$WORK/sent.jsonl" "${R[@]}" -d 192.0.2.1 -k syn -p 445 -s 5 --src-prefix 198.18.30.0/24 -c 50
send "$WORK/sent.jsonl" "${R[@]}" -d 192.0.2.100 -k syn -p 445 -s 5 --src-prefix 198.18.31.0/24 -c 30
send "$WORK/sent.jsonl" "${R[@]}" -d 2001:db8::1 -k udp -p 53 -s 2 --src-prefix 2001:db8:300::/64 -c 20
t_true "the sensor's interface received the 100 frames sent" wait_rx "$base" 100
daemon_stop TERM
t_eq "$?" 0 "SIGTERM: exit 0, its drain stored"
files=$(ls "$DATA_DIR/$POINT/daily/")
t_eq "$(cat "$DATA_DIR/$POINT/daily/"* | grep '^watched ' | sort -u)" "watched 20" \
	"the daily file records 16 + 4 = 20 watched addresses (the /32 is in the /28)"
stored "$WORK/s.json"
ndays=$(echo "$files" | wc -l) # two if the test crossed midnight
t_eq "$(json_get "$WORK/s.json" 'd["accesses"], d["sources"], d["per_address"]["address_days"], repr(float(d["per_address"]["accesses"])), repr(float(d["per_address"]["sources"]))' | tr -d "(),'")" \
	"70 7 $((20 * ndays)) $("$PY" -c "print(repr(70 / (20 * $ndays)), repr(7 / (20 * $ndays)))")" \
	"50 + 20 accesses from 5 + 2 sources to the watched (the 30 to 192.0.2.100 are not), / 20 a day"
t_done
