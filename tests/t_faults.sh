#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Faults a daemon that is always on meets (README.md, "Restarts and faults"), each on a real veth
# pair with the daemon draining every second while swsend sends known traffic. For each: logged
# once (not once per interval: the daemon runs with -v so that its debug lines show it kept
# retrying), no crash, and what was counted meanwhile stored at the next successful write, the
# day's summary equal to what was sent, key by key and source by source.
#   a. the data directory on a 16 MB tmpfs filled up: the daily summary and the sources log cannot
#      be written; with some room back but not enough for a new RRD file, the summary catches up
#      and the RRD rows wait; with all the room back the RRD rows are written too;
#   b. a real rrdcached stopped and restarted: the rows wait and are delivered;
#   c. the monitored interface deleted and re-created: noticed at once, re-attached, counting;
#   d. the clock stepped back an hour and forward two (SW_TEST_CLOCK_OFFSET_FILE and
#      tools/clockset, which has the kernel report a clock step while moving the host's clock by
#      one nanosecond): intervals filed under the daemon's new time, RRD rows for times the files
#      already hold skipped with one warning, no error.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/live_lib.sh"

require_root
require_cmd ip python3 rrdtool rrdcached
[ -x "$SWSEND" ] || t_skip_all "swsend is not built (make)"
CLOCKSET=$SRC_ROOT/.output/tools/clockset
[ -x "$CLOCKSET" ] || t_skip_all "tools/clockset is not built (make)"
live_setup || t_skip_all "cannot build the namespaces and veth pair"
cp "$CLOCKSET" "$WORK/clockset" && CLOCKSET=$WORK/clockset

log_count() { grep -c -- "$1" "$WORK/daemon.log"; }
log_has() { grep -q -- "$1" "$WORK/daemon.log"; }
sent_of() { python3 -c 'import json,sys; print(sum(json.loads(l)["sent"] for l in open(sys.argv[1]) if l.strip()))' "$1"; }
start_or_bail() {
	: >"$WORK/daemon.log"
	if daemon_start -v "$@"; then
		t_ok "daemon started ($*)"
	else
		t_fail "daemon did not start ($*)"
		grep -v libbpf "$WORK/daemon.log" | sed 's/^/# /'
		t_done
	fi
}
# burst FILE SWSEND-OPTIONS...: sends (the tally joins FILE) and waits until every frame has
# reached the sensor's interface, so that the program has counted it.
burst() {
	local out=$1 rx0
	shift
	rx0=$(rx_packets)
	send "$out" --rate 5000 --max-time 20 "$@"
	wait_rx "$rx0" "$(tail -n 1 "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["sent"])')"
}
# rrd_sum FILE FROM TO [DAEMON]: the sum of every data source starting acc_ over the rows of the
# one-step archive between FROM and TO (unknown rows count nothing).
rrd_sum() {
	rrdtool fetch ${4:+--daemon "$4"} "$1" AVERAGE -r 1 -s "$2" -e "$3" | python3 -c '
import sys, math
lines = sys.stdin.read().split("\n")
names = lines[0].split()
acc = [i for i, n in enumerate(names) if n.startswith("acc")]
total = 0.0
for line in lines[1:]:
    if ":" not in line:
        continue
    vals = line.split(":", 1)[1].split()
    for i in acc:
        v = float(vals[i])
        if not math.isnan(v):
            total += v
print(round(total))'
}
errors() { grep -c "error:" "$WORK/daemon.log"; }
# failed_again WHAT N: the daemon's debug line saying the WHAT failure came back N times in a row.
failed_again() { log_has "$1 failed again ($2 times in a row)"; }

### a. A full disk.
FULL=$WORK/full
mkdir "$FULL" && mount -t tmpfs -o size=16m,mode=0755 tmpfs "$FULL" || t_fail "a. mount a tmpfs"
on_exit umount -l "$FULL"
DATA_DIR=$FULL/data
SENT=$WORK/a.jsonl
start_or_bail
burst "$SENT" -d 192.0.2.1 -k syn -p 22 -s 100 --src-prefix 198.18.50.0/24 -c 300
t_true "a. stored before the disk fills" wait_for 10 stored_reached 300
dd if=/dev/zero of="$FULL/fill" bs=64k 2>/dev/null
t_true "a. the daemon cannot store on the full disk" \
	wait_for 10 log_has "error: point $POINT: .*No space left on device"
burst "$SENT" -d 192.0.2.1 -k syn -p 3389 -s 150 --src-prefix 198.18.51.0/24 -c 450
t_true "a. ... and keeps retrying every interval (3 attempts in a row)" \
	wait_for 10 failed_again storing 3
t_eq "$(stored_accesses)" 300 "a. nothing stored while the disk is full (the 300 of before)"
t_eq "$(errors)" 1 "a. the failure is logged once"
# Room for the summary and the log, not for a new RRD file (tcp/3389 joins the day's top ten
# with its 450 accesses; its file is about 1 MB at a one-second step).
# Shrunk in one call: removing the file first would give a drain the whole room for a moment.
truncate -s $(($(stat -c %s "$FULL/fill") - 256 * 1024)) "$FULL/fill" || t_fail "a. make room"
t_true "a. with room again, the next interval stores what was held: 750 accesses" \
	wait_for 10 stored_reached 750
t_true "a. 'works again' is logged" log_has "storing works again after"
t_true "a. the new key's RRD file cannot be made" \
	wait_for 10 log_has "error: point $POINT: .*keys/tcp_3389.rrd"
t_true "a. ... and is retried every interval (3 attempts in a row)" \
	wait_for 10 failed_again "writing RRD files" 3
t_eq "$(errors)" 2 "a. that failure is logged once too"
rm -f "$FULL/fill"
t_true "a. with all the room back, the RRD rows are written" \
	wait_for 10 log_has "writing RRD files works again after"
daemon_stop TERM
t_eq "$?" 1 "a. SIGTERM: exit 1, not 0: errors were logged (README: never 0 after an error line); no crash"
stored "$WORK/a.json"
compare "$WORK/a.json" "$SENT"
now=$(date +%s)
t_eq "$(rrd_sum "$DATA_DIR/$POINT/keys/tcp_3389.rrd" $((now - 600)) "$now")" 450 \
	"a. keys/tcp_3389.rrd holds the 450 SYNs sent to tcp/3389 (its rows waited in the queue)"
t_eq "$(rrd_sum "$DATA_DIR/$POINT/totals.rrd" $((now - 600)) "$now")" 750 \
	"a. totals.rrd holds every access sent: 750"
"$SW" detach --point "$POINT" --pin-root "$PIN" >/dev/null 2>&1

### b. rrdcached killed and restarted.
RD=$WORK/rrdc
mkdir -p "$RD/data"
DATA_DIR=$RD/data
SENT=$WORK/b.jsonl
RPID=
rrdcached_start() {
	rm -f "$RD/sock"
	rrdcached -g -B -b "$RD/data" -F -p "$RD/pid" -l "unix:$RD/sock" \
		>>"$RD/log" 2>&1 &
	RPID=$!
	wait_for 10 test -S "$RD/sock"
}
rrdcached_start || t_fail "b. rrdcached listens on $RD/sock"
on_exit 'kill $RPID'
start_or_bail --rrdcached "unix:$RD/sock"
burst "$SENT" -d 192.0.2.1 -k udp -p 53 -s 100 --src-prefix 198.18.52.0/24 -c 200
t_true "b. stored while rrdcached runs" wait_for 10 stored_reached 200
# rrdcached goes away between two of the daemon's writes: one that arrives while it shuts down
# may be acknowledged and then not written (seen here with SIGTERM, and with SIGKILL even with a
# journal), a loss inside rrdcached that no client can see. The daemon is paused meanwhile.
kill -STOP "$DPID"
kill "$RPID"
wait "$RPID" 2>/dev/null
kill -CONT "$DPID"
burst "$SENT" -d 192.0.2.1 -k udp -p 123 -s 100 --src-prefix 198.18.53.0/24 -c 300
t_true "b. the daily summary does not need rrdcached: 500 stored" wait_for 10 stored_reached 500
t_true "b. RRD writes fail while rrdcached is down, 3 attempts in a row" \
	wait_for 10 failed_again "writing RRD files" 3
t_eq "$(errors)" 1 "b. ... logged once ($(grep error: "$WORK/daemon.log" | head -n 1 | cut -c1-120))"
rrdcached_start || t_fail "b. rrdcached restarted"
t_true "b. the rows are delivered once rrdcached is back" \
	wait_for 10 log_has "writing RRD files works again after"
daemon_stop TERM
t_eq "$?" 1 "b. SIGTERM: exit 1, not 0: errors were logged (README: never 0 after an error line); no crash"
# SIGTERM makes rrdcached (-F) write every cached row to the files.
kill "$RPID" && wait_for 10 pid_gone "$RPID"
stored "$WORK/b.json"
compare "$WORK/b.json" "$SENT"
now=$(date +%s)
t_eq "$(rrd_sum "$DATA_DIR/$POINT/totals.rrd" $((now - 600)) "$now")" 500 \
	"b. totals.rrd holds every access sent, those of the outage included: 500"
"$SW" detach --point "$POINT" --pin-root "$PIN" >/dev/null 2>&1

### c. The interface deleted and re-created.
DATA_DIR=$WORK/c
SENT=$WORK/c.jsonl
veth_create() {
	ip link add "$SIF" netns "$SNS" type veth peer name "$GIF" netns "$GNS" &&
		ip netns exec "$GNS" sysctl -qw net.ipv6.conf."$GIF".disable_ipv6=1 &&
		ip -n "$SNS" link set "$SIF" up && ip -n "$GNS" link set "$GIF" up &&
		ip -n "$SNS" addr add 192.0.2.1/24 dev "$SIF" &&
		ip -n "$GNS" addr add 192.0.2.2/24 dev "$GIF"
}
start_or_bail
burst "$SENT" -d 192.0.2.1 -k echo -s 100 --src-prefix 198.18.54.0/24 -c 200
t_true "c. stored before the interface goes" wait_for 10 stored_reached 200
ip -n "$SNS" link del "$SIF"
t_true "c. the daemon notices the interface is gone" wait_for 10 log_has "interface $SIF is gone"
t_true "c. ... and keeps looking every interval (3 attempts in a row)" \
	wait_for 10 failed_again re-attaching 3
t_eq "$(log_count "warning: .*is gone")" 1 "c. ... logged once"
veth_create || t_fail "c. re-create the veth pair"
t_true "c. the daemon re-attaches to the new $SIF" wait_for 10 log_has "interface $SIF is back"
burst "$SENT" -d 192.0.2.1 -k syn -p 25 -s 100 --src-prefix 198.18.55.0/24 -c 300
t_true "c. counting again: 500 stored" wait_for 10 stored_reached 500
t_eq "$(errors)" 0 "c. no error"
daemon_stop TERM
t_eq "$?" 0 "c. SIGTERM: exit 0, no crash"
stored "$WORK/c.json"
compare "$WORK/c.json" "$SENT"
"$SW" detach --point "$POINT" --pin-root "$PIN" >/dev/null 2>&1

### d. The clock stepped back and forward.
DATA_DIR=$WORK/d
SENT=$WORK/d.jsonl
echo 0 >"$WORK/offset"
# The days around today: the daemon's clock may be in another one.
stored_d() {
	"$SW" summary --data-dir "$DATA_DIR" --point "$POINT" --from "$(date -u -d '-1 day' +%F)" \
		--to "$(date -u -d '+1 day' +%F)" --json >"$1" 2>/dev/null
}
stored_d_reached() { stored_d "$WORK/d.json" && [ "$(json_get "$WORK/d.json" 'd["accesses"]')" -ge "$1" ]; }
step_clock() {
	echo "$1" >"$WORK/offset"
	"$CLOCKSET"
}
SW_TEST_CLOCK_OFFSET_FILE=$WORK/offset start_or_bail
burst "$SENT" -d 192.0.2.1 -k syn -p 80 -s 100 --src-prefix 198.18.56.0/24 -c 200
t_true "d. stored at the real time" wait_for 10 stored_d_reached 200
t_true "d. clockset: the kernel reports a clock step" step_clock -3600
t_true "d. the daemon sees the clock go back an hour" wait_for 10 log_has "the clock went back"
burst "$SENT" -d 192.0.2.1 -k syn -p 81 -s 100 --src-prefix 198.18.57.0/24 -c 300
t_true "d. intervals an hour back are stored: 500" wait_for 10 stored_d_reached 500
t_true "d. their RRD rows are skipped (the files hold those times already)" \
	wait_for 10 log_has "RRD rows were for times the files already hold"
t0=$(date +%s)
# Read before the step forward: the one-second archive keeps 48 minutes before the last row.
t_eq "$(rrd_sum "$DATA_DIR/$POINT/totals.rrd" $((t0 - 600)) "$t0")" 200 \
	"d. totals.rrd up to now holds the 200 sent at the real time, none of the 300 of the hour back"
t_true "d. clockset again" step_clock 3600
t_true "d. the daemon sees the clock set forward" wait_for 10 log_has "the clock was set"
burst "$SENT" -d 192.0.2.1 -k syn -p 82 -s 100 --src-prefix 198.18.58.0/24 -c 400
t_true "d. intervals two hours on are stored: 900" wait_for 10 stored_d_reached 900
t_true "d. RRD rows on time again" wait_for 10 log_has "RRD rows are on time again"
t_eq "$(log_count 'already hold')" 1 "d. the skipped rows are reported once, not every interval"
t_eq "$(errors)" 0 "d. no error (no 'illegal update' from RRD)"
daemon_stop TERM
t_eq "$?" 0 "d. SIGTERM: exit 0, no crash"
stored_d "$WORK/d.json"
compare "$WORK/d.json" "$SENT"
t1=$(date +%s)
t_eq "$(rrd_sum "$DATA_DIR/$POINT/totals.rrd" $((t0 + 3600 - 5)) $((t1 + 3600 + 5)))" 400 \
	"d. the 400 SYNs sent after the step forward are in totals.rrd an hour ahead of the host"

t_done
