#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Research scanners (--research FILE): accesses from the list's source prefixes are counted as
# a group of their own, out of every other figure, and never lost. Oracle: tshark's reading of a
# capture made by tools/mkpcap, split by source with Python's ipaddress (no scanwatch code), and
# on the live path what swsend says it sent.
#   1. replay: the scan totals are exactly the packets from outside the list, the research
#      group exactly those from inside (IPv4 prefix, IPv6 host, a comment and a blank line),
#      per key too, in the daily file and in `summary --json` and its text
#   2. without --research the same capture counts everything together
#   3. a bad list: one line "FILE:LINE: why", exit 2, nothing written
#   4. run on a veth with --drop: research and ordinary sources both counted exactly, in the
#      Prometheus textfile and status too (with the list's prefixes), and the report has its
#      research section
#   5. a real capture (../shared/data, a spoofed SYN flood) split by tshark's filter on the
#      list's prefix, each part worked out by tests/tshark_oracle.sh: the scan keys and
#      fingerprints are exactly the part outside, the research group the part inside
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/live_lib.sh"
require_root
require_cmd tshark python3 ip
MKPCAP=$SRC_ROOT/.output/tools/mkpcap
[ -x "$MKPCAP" ] || t_skip_all "tools/mkpcap is not built (make)"
[ -x "$SWSEND" ] || t_skip_all "swsend is not built (make)"
W=$(mktemp -d /tmp/sw-research.XXXXXX)
on_exit rm -rf "$W"
PY=$(command -v /usr/bin/python3 || command -v python3)
DAY=2009-10-01
T=1254355200 # 2009-10-01 00:00 UTC

cat >"$W/research.txt" <<'EOF'
# a research project's published prefix
198.18.5.0/24

2001:db8:ffff::2
EOF
# EPOCH SRC DST PROTO DPORT COUNT (tools/mkpcap.c): research sources 198.18.5.x and
# 2001:db8:ffff::2, the others not (198.18.6.1 is just outside the /24, ::1 beside the host).
cat >"$W/spec" <<EOF
$((T + 3600)) 198.18.5.1 192.0.2.7 tcp 443 30
$((T + 3610)) 198.18.5.200 192.0.2.8 tcp 443 10
$((T + 3620)) 198.18.5.1 192.0.2.7 udp 53 5
$((T + 3700)) 198.18.6.1 192.0.2.7 tcp 443 7
$((T + 3800)) 198.18.0.9 192.0.2.9 tcp 23 20
$((T + 4300)) 2001:db8:ffff::2 2001:db8::1 echo 0 6
$((T + 4400)) 2001:db8:ffff::1 2001:db8::1 echo 0 4
EOF
t_eq "$("$MKPCAP" "$W/day.pcap" <"$W/spec")" 82 "mkpcap wrote the spec's 82 packets"

# oracle GROUP: "ACCESSES SOURCES KEY:ACC ..." of the capture's packets whose source is (research)
# or is not (scan) in the list, a source once per key, keys sorted.
oracle() {
	tshark -r "$W/day.pcap" -T fields -E separator=, -e ip.src -e ipv6.src -e tcp.dstport \
		-e udp.dstport -e icmp.type -e icmpv6.type |
		"$PY" -c '
import collections, ipaddress, sys
nets = [ipaddress.ip_network(l.strip(), strict=False) for l in open(sys.argv[2])
        if l.strip() and not l.startswith("#")]
acc, pairs, keys = 0, set(), collections.Counter()
for line in sys.stdin:
    s4, s6, tp, up, it, i6 = line.rstrip("\n").split(",")
    src = ipaddress.ip_address(s4 or s6)
    inside = any(src in n for n in nets if n.version == src.version)
    if inside != (sys.argv[1] == "research"):
        continue
    key = "tcp/" + tp if tp else "udp/" + up if up else "icmp/echo"
    acc += 1
    keys[key] += 1
    pairs.add((str(src), key))
print(acc, len(pairs), " ".join("%s:%d" % kv for kv in sorted(keys.items())))' "$1" "$W/research.txt"
}
# got JSON GROUP: the same figures from `summary --json` (the whole object, or its research).
got() {
	"$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
g = d["research"] if sys.argv[2] == "research" else d
keys = sorted("%s:%d" % (k["key"], k["accesses"]) for k in g["keys"])
print(g["accesses"], g["sources"], " ".join(keys))' "$1" "$2"
}

### 1. Replay with the list.
"$SW" replay --point lab --data-dir "$W/d1" --interval 60 --research "$W/research.txt" --quiet \
	"$W/day.pcap" >"$W/replay.log" 2>&1
t_eq "$?" 0 "replay --research exits 0"
want_scan=$(oracle scan)
want_res=$(oracle research)
t_eq "$want_scan" "31 3 icmp/echo:4 tcp/23:20 tcp/443:7" \
	"tshark: 7 + 20 + 4 packets from 3 sources outside the list"
t_eq "$want_res" "51 4 icmp/echo:6 tcp/443:40 udp/53:5" \
	"tshark: 30 + 10 + 5 + 6 packets, (198.18.5.1, tcp/443) (198.18.5.200, tcp/443) (198.18.5.1, udp/53) (::2, echo) inside"
"$SW" summary --data-dir "$W/d1" --point lab --day "$DAY" --json >"$W/s1.json"
t_eq "$(got "$W/s1.json" scan | tr ' ' '\n' | sort | tr '\n' ' ')" \
	"$(echo "$want_scan" | tr ' ' '\n' | sort | tr '\n' ' ')" \
	"summary's totals and keys are the packets from outside the list, exactly"
t_eq "$(got "$W/s1.json" research | tr ' ' '\n' | sort | tr '\n' ' ')" \
	"$(echo "$want_res" | tr ' ' '\n' | sort | tr '\n' ' ')" \
	"summary's research group is the packets from inside the list, exactly"
t_eq "$(json_get "$W/s1.json" 'sum(d["kinds"].values()), d["research"]["dropped"], d["dropped"]')" \
	"31 0 0" "the kinds add up to the scan total; nothing dropped"
t_eq "$(grep -c '^research ' "$W/d1/lab/daily/$DAY.txt")" 3 \
	"the daily file has a research line per key of the group (tcp/443, udp/53, icmp/echo)"
"$SW" summary --data-dir "$W/d1" --point lab --day "$DAY" >"$W/s1.txt"
t_true "summary's text gives the group apart: 51 accesses from 4 sources" \
	grep -q "research scanners, kept out of every figure above: 51 accesses from 4 sources" "$W/s1.txt"
t_true "summary's text total is the 31 from outside" grep -q ": 31 accesses from 3 sources" "$W/s1.txt"

### 2. The same capture without the list: one group, every packet.
"$SW" replay --point lab --data-dir "$W/d2" --interval 60 --quiet "$W/day.pcap" >/dev/null 2>&1
"$SW" summary --data-dir "$W/d2" --point lab --day "$DAY" --json >"$W/s2.json"
t_eq "$(json_get "$W/s2.json" 'd["accesses"], d["sources"], d["research"]["accesses"]')" \
	"82 7 0" "without --research: the 82 packets and 3 + 4 sources together, no group"

### 3. A bad list.
bad_list() {
	local n=$1 why=$2
	shift 2
	printf '%s\n' "$@" >"$W/bad.txt"
	"$SW" replay --point lab --data-dir "$W/d3" --research "$W/bad.txt" "$W/day.pcap" \
		>"$W/bad.out" 2>&1
	t_eq "$?" 2 "a list with $why: exit 2"
	t_eq "$(wc -l <"$W/bad.out")" 1 "a list with $why: one line"
	t_true "a list with $why names its line $n" grep -q "$W/bad.txt:$n: " "$W/bad.out"
}
bad_list 2 "a word" "198.18.5.0/24" "censys"
bad_list 3 "a length past 32" "# c" "" "198.18.5.0/33"
bad_list 1 "bits past its length" "198.18.5.1/24"
bad_list 1 "two prefixes on a line" "198.18.5.0/24 198.18.6.0/24"
t_true "nothing written by a refused list" test ! -e "$W/d3/lab/daily/$DAY.txt"
"$SW" replay --point lab --data-dir "$W/d3" --research "$W/none.txt" "$W/day.pcap" >"$W/bad.out" 2>&1
t_eq "$?" 2 "a list that does not exist: exit 2"

### 4. Live, as a darknet (--drop): the group is counted, never dropped from the counts.
live_setup || t_fail "cannot build the namespaces and veth pair"
base=$(rx_packets)
daemon_start --interval 3600 --drop --research "$W/research.txt" --prom-textfile "$W/sw.prom" ||
	t_fail "daemon did not attach"
R=(--rate 5000 --max-time 20)
send "$WORK/res.jsonl" "${R[@]}" -d 192.0.2.1 -k syn -p 443 -s 4 --src-prefix 198.18.5.0/24 -c 40
send "$WORK/scan.jsonl" "${R[@]}" -d 192.0.2.1 -k syn -p 23 -s 3 --src-prefix 198.18.9.0/24 -c 30
t_true "the sensor's interface received the 70 frames sent" wait_rx "$base" 70
daemon_stop TERM
t_eq "$?" 0 "SIGTERM: exit 0, its drain stored"
stored "$WORK/s.json"
t_eq "$(json_get "$WORK/s.json" 'd["accesses"], d["sources"], d["research"]["accesses"], d["research"]["sources"], d["research"]["dropped"], d["dropped"]')" \
	"30 3 40 4 0 0" \
	"--drop: 30 SYNs from 3 ordinary sources, and the 40 from 4 research sources apart"
# The metrics the SIGTERM drain wrote, and status of the point it left pinned: the same group.
t_eq "$(grep -E '^scanwatch_(research_[a-z_]*|accesses_total)[{]' "$W/sw.prom" | tr '\n' ' ')" \
	"scanwatch_accesses_total{point=\"lab\",kind=\"scan\"} 30 scanwatch_accesses_total{point=\"lab\",kind=\"backscatter\"} 0 scanwatch_accesses_total{point=\"lab\",kind=\"other\"} 0 scanwatch_research_accesses_total{point=\"lab\"} 40 scanwatch_research_new_sources_total{point=\"lab\"} 4 scanwatch_research_prefixes{point=\"lab\"} 2 " \
	"--prom-textfile: the 30 scan SYNs, the research group's 40 from 4 sources apart, and the list's 2 prefixes"
"$SW" status --pin-root "$PIN" --data-dir "$DATA_DIR" >"$W/status.txt" 2>&1
t_true "status: the point's line says its research list has 2 prefixes" \
	grep -qE "^$POINT .*  research 2( |\$)" "$W/status.txt"
t_true "status: today's research group under the point's line, 40 accesses from 4 sources" \
	grep -qE "^    (peak .*; )?research scanners 40 accesses from 4 sources \(kept out of the figures above\)\$" \
	"$W/status.txt"
"$SW" status --pin-root "$PIN" --data-dir "$DATA_DIR" --json >"$W/status.json" 2>/dev/null
t_eq "$(json_get "$W/status.json" '[p["research_prefixes"] for p in d["points"]], [(t["accesses"], t["research"]) for t in d["today"]]')" \
	"[2] [(30, {'accesses': 40, 'sources': 4})]" "status --json: research_prefixes 2; today 30, research 40 from 4"
"$SW" report --data-dir "$DATA_DIR" --month "$(date -u +%Y-%m)" --out "$W/report" --quiet \
	>/dev/null 2>&1
t_true "the report has its research section" grep -q "Research scanners" "$W/report/report.md"

### 5. A real capture, split by tshark.
FLOOD=$DATA/stopddos__pkt.TCP.synflood.spoofed.pcap
if [ ! -f "$FLOOD" ]; then
	if [ "${CI:-}" = "true" ]; then t_fail "needs $FLOOD"; else echo "ok # SKIP needs $FLOOD"; fi
	t_done
fi
printf '# a quarter of IPv4, with part of the flood'"'"'s spoofed sources in it\n64.0.0.0/2\n2001:db8:ffff::/48\n' \
	>"$W/quarter.txt"
tshark -r "$FLOOD" -Y 'ip.src==64.0.0.0/2' -w "$W/inside.pcap" 2>/dev/null
tshark -r "$FLOOD" -Y '!(ip.src==64.0.0.0/2)' -w "$W/outside.pcap" 2>/dev/null
n_in=$(tshark -r "$W/inside.pcap" 2>/dev/null | wc -l)
n_out=$(tshark -r "$W/outside.pcap" 2>/dev/null | wc -l)
t_eq "$n_in $n_out" "12231 25610" \
	"tshark: of the flood's 37841 SYNs, 12231 come from 64.0.0.0/2 and 25610 from elsewhere"
# The oracle's lines of one part, in summary's form: key KEY KIND ACCESSES SOURCES, and the
# fingerprints' totals.
part() {
	"$SRC_ROOT/tests/tshark_oracle.sh" "$1" UTC | awk '$1 == "key" {
		k = $3 " " $4; a[k] += $5; s[k] += $6; m += $7; z += $8; ms += $9 }
		END { for (k in a) print "key", k, a[k], s[k]; print "fp", m + 0, z + 0, ms + 0 }' |
		LC_ALL=C sort
}
part "$W/inside.pcap" | grep -v '^fp' >"$W/want-research"
part "$W/outside.pcap" >"$W/want-scan"
"$SW" replay --point flood --data-dir "$W/d5" --research "$W/quarter.txt" --quiet "$FLOOD" \
	>"$W/replay5.log" 2>&1
t_eq "$?" 0 "replay of the flood with the list exits 0"
"$SW" summary --data-dir "$W/d5" --point flood --day 2021-04-28 --json >"$W/s5.json"
"$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
with open(sys.argv[2], "w") as f:
    for k in d["keys"]:
        print("key", k["key"], k["kind"], k["accesses"], k["sources"], file=f)
    fp = d["fingerprints"]
    print("fp", fp["mirai"], fp["zmap"], fp["masscan"], file=f)
with open(sys.argv[3], "w") as f:
    for k in d["research"]["keys"]:
        print("key", k["key"], k["kind"], k["accesses"], k["sources"], file=f)
' "$W/s5.json" "$W/got-scan" "$W/got-research"
LC_ALL=C sort -o "$W/got-scan" "$W/got-scan"
LC_ALL=C sort -o "$W/got-research" "$W/got-research"
t_eq "$(tr '\n' ';' <"$W/got-scan")" "$(tr '\n' ';' <"$W/want-scan")" \
	"the scan keys and fingerprints are the oracle's of the 25610 from outside"
t_eq "$(tr '\n' ';' <"$W/got-research")" "$(tr '\n' ';' <"$W/want-research")" \
	"the research group's keys are the oracle's of the 12231 from inside"
t_eq "$(json_get "$W/s5.json" 'd["accesses"], d["research"]["accesses"], d["dropped"]')" \
	"25610 12231 0" "totals: 25610 scan accesses, 12231 research, nothing dropped"
t_done
