#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `make demo` as a new operator runs it (tools/demo.sh: real scanners against a sensor in a
# namespace for a few minutes), and what its charts say on the first day: every figure of
# `graph --print` has data (no "nan", no "no data"), the day in progress is drawn up to its last
# stored interval (keys-accesses' total is the day's summary), and the minutes of tcp/80's
# backscatter in the key chart are the summary's (hping3 sent 400 SYN-ACKs from port 80).
source "$(dirname "$0")/lib.sh"

require_root
require_cmd ip nmap masscan zmap hping3 tcpreplay tcprewrite python3
# The demo names its namespaces, and mounts its own bpffs: one demo at a time on a machine.
if ip netns list | grep -q '^swdemo-'; then
	t_skip_all "another demo is running (namespace swdemo-* exists)"
fi
W=$(mktemp -d /tmp/sw-demo.XXXXXX)
on_exit rm -rf "$W"
DEMO_OUT=$W DEMO_INTERVAL=5 timeout 600 "$SRC_ROOT/tools/demo.sh" >"$W/demo.log" 2>&1
rc=$?
t_eq "$rc" 0 "make demo's script exits 0 ($(tail -n 1 "$W/demo.log"))"
[ "$rc" = 0 ] || sed 's/^/#   /' "$W/demo.log" | tail -20
P=$W/charts.print
t_true "graph --print of the demo's charts exists" test -s "$P"
t_eq "$(grep -cE '=(-?nan|no data)$' "$P")" 0 "no chart figure without data after the demo"
t_eq "$(grep -ci 'nan' "$P")" 0 "no nan anywhere in what the charts print"
day=$(date -u +%F)
"$SW" summary --data-dir "$W/data" --day "$day" --json >"$W/day.json"
t_eq "$(sed -n 's/^keys-accesses total=//p' "$P")" "$(json_get "$W/day.json" 'd["accesses"]')" \
	"the day in progress, drawn: keys-accesses total = summary --day $day"
t_eq "$(sed -n 's/^kinds-sources scan=//p' "$P")" \
	"$(json_get "$W/day.json" 'sum(k["sources"] for k in d["keys"] if k["kind"] == "scan")')" \
	"kinds-sources scan = the summary's scan sources"
t_eq "$(sed -n 's|^key-tcp_80-demo tcp/80=||p' "$P" | tail -n 1)" \
	"$(json_get "$W/day.json" 'sum(k["accesses"] for k in d["keys"] if k["key"] == "tcp/80" and k["kind"] == "backscatter")')" \
	"the minutes of tcp/80's backscatter in the key chart = the summary's"
# hping3 -SA -s 80 -c 400 sends 400 SYN-ACKs from port 80; the reflection capture the demo
# replays at the sensor has its own, which tshark counts.
want=400
REFL=$DATA/stopddos__amp.TCP.reflection.SYNACK.pcap
if [ -f "$REFL" ] && command -v tshark >/dev/null; then
	want=$((want + $("$SRC_ROOT/tests/tshark_oracle.sh" "$REFL" UTC |
		awk '$1 == "key" && $3 == "tcp/80" && $4 == "backscatter" { n += $5 } END { print n + 0 }')))
fi
t_eq "$(json_get "$W/day.json" 'sum(k["accesses"] for k in d["keys"] if k["key"] == "tcp/80" and k["kind"] == "backscatter")')" \
	"$want" "tcp/80 backscatter: hping3's 400 and the reflection capture's, as tshark counts them"
t_done
