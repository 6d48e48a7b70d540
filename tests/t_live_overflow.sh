#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The consumer stopped while traffic flows (README.md, "How counting works"). The daemon runs
# with the smallest log (--log-records 1: one chunk of 256 records for each CPU and one more) and
# caches of 16 slots a CPU, draining every second; it is stopped (SIGSTOP) and 3000 SYNs to
# tcp/445 from 3000 sources, one each, reach the sensor. No drain runs, the interval's log fills,
# and each packet it cannot take is counted under its key as lost, never silently: the day's
# accesses are what was sent, and its sources plus the dropped packets are too (one packet a
# pair). Resumed (SIGCONT), the daemon drains and counts in full again: 400 SYNs to tcp/22 from
# 400 other sources, fewer than one interval's log and caches hold however the CPUs share the
# log's chunks, lose nothing. The daily file, the daemon's log, the RRD overflow source and
# status all show the same number of dropped packets.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/live_lib.sh"

require_root
require_cmd ip python3 rrdtool
[ -x "$SWSEND" ] || t_skip_all "swsend is not built (make)"
live_setup || t_skip_all "cannot build the namespaces and veth pair"
SENT=$WORK/sent.jsonl
: >"$SENT"

if daemon_start --log-records 1 --cache-slots 16; then
	t_ok "daemon attached with --log-records 1 --cache-slots 16"
else
	t_fail "daemon did not attach"
	sed 's/^/# /' "$WORK/daemon.log"
	t_done
fi
t0=$(date +%s)
# burst NAME SWSEND-OPTIONS...: sends and waits until every frame has reached the sensor.
burst() {
	local rx0
	rx0=$(rx_packets)
	send "$SENT" --rate 3000 --max-time 20 "$@"
	wait_rx "$rx0" "$(tail -n 1 "$SENT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["sent"])')"
}

kill -STOP "$DPID"
# SIGSTOP takes effect when the daemon next runs, not when kill returns: waited for, so that
# the traffic below reaches a daemon that is already stopped.
t_true "the daemon is stopped" wait_for 5 grep -q '^State:.*T' "/proc/$DPID/status"
t_true "3000 SYNs to tcp/445 from 3000 sources reached the sensor while it was stopped" \
	burst -d 192.0.2.1 -k syn -p 445 -s 3000 --src-prefix 198.18.64.0/18 -c 3000
kill -CONT "$DPID"
t_true "resumed, the daemon stores the 3000 accesses" wait_for 20 stored_reached 3000
t_true "400 SYNs to tcp/22 from 400 other sources reached it, the daemon running" \
	burst -d 192.0.2.1 -k syn -p 22 -s 400 --src-prefix 198.18.128.0/18 -c 400
t_true "the daemon stores them" wait_for 20 stored_reached 3400
# The status line before the daemon goes: its running totals.
status_line=$(sns "$SW" status --pin-root "$PIN" | grep "^$POINT ")
daemon_stop TERM
t_eq "$?" 0 "SIGTERM: exit 0"
t1=$(date +%s)

stored "$WORK/s.json" || t_fail "summary failed"
field() { json_get "$WORK/s.json" "$1"; }
key() { json_get "$WORK/s.json" "[k[\"$2\"] for k in d[\"keys\"] if k[\"key\"] == \"$1\"][0]"; }
dropped=$(field 'd["dropped"]')
t_eq "$(field 'd["accesses"]')" 3400 "accesses: every packet sent is counted (3000 + 400)"
t_eq "$(key tcp/445 accesses)" 3000 "tcp/445: 3000 accesses, the stopped daemon's included"
t_true "tcp/445: the full log lost sources ($dropped dropped packets)" [ "${dropped:-0}" -gt 0 ]
t_eq "$(($(key tcp/445 sources) + dropped))" 3000 \
	"tcp/445: sources stored + packets dropped = 3000 sources sent (one packet each)"
t_true "at least what the log and caches could not hold was dropped (3000 - $(nproc) x (256 + 16) - 256)" \
	[ "${dropped:-0}" -ge $((3000 - $(nproc) * (256 + 16) - 256)) ]
t_eq "$(key tcp/22 accesses)/$(key tcp/22 sources)" 400/400 \
	"tcp/22, sent with the daemon running again: 400 accesses, 400 sources, none lost"

day=$(date -u +%F)
daily=$DATA_DIR/$POINT/daily/$day.txt
t_eq "$(awk '$1 == "key" && $2 == "tcp/445" { n += $9 } END { print n + 0 }' "$daily")" "$dropped" \
	"daily file: tcp/445's lost column holds the dropped packets"
t_eq "$(awk '$1 == "stat" && $2 == "log_full" { print $3 }' "$daily")" "$dropped" \
	"daily file: stat log_full, the packets the full log could not take"
t_eq "$(awk '$1 == "key" && $2 == "tcp/22" { print $9 }' "$daily")" 0 "daily file: tcp/22 lost nothing"
t_true "the daemon's log says how many found the log full" \
	grep -q "$dropped packets counted without their source: $dropped found the interval's log full" \
	"$WORK/daemon.log"
t_true "status shows them, by cause ($(echo "$status_line" | grep -o 'dropped [^)]*)'))" \
	grep -q "dropped $dropped (log full $dropped, pairs over 0, keys 0)" <<<"$status_line"
rrd=$(rrdtool fetch "$DATA_DIR/$POINT/overflow.rrd" AVERAGE -r 1 -s $((t0 - 2)) -e $((t1 + 2)) |
	python3 -c '
import sys, math
total = 0.0
for line in sys.stdin.read().split("\n")[1:]:
    if ":" in line:
        v = float(line.split(":", 1)[1].split()[0])
        total += 0 if math.isnan(v) else v
print(round(total))')
t_eq "$rrd" "$dropped" "overflow.rrd: its rows add up to the dropped packets"

t_done
