#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The daemon's life on a real veth pair: the XDP mode it obtains and reports, generic mode
# counting tagged frames exactly with SIGTERM's drain as the only one, --drop silencing the
# sensor, a daemon killed with SIGKILL twice while traffic flows and resumed from its pins
# (nothing lost, nothing counted twice), frames that arrive as XDP frames (as from a NIC's
# driver) counted as exactly as those from a socket, and detach leaving no pin and no XDP
# program behind.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/live_lib.sh"

require_root
require_cmd ip tcpdump hping3 python3
[ -x "$SWSEND" ] || t_skip_all "swsend is not built (make)"
BLAST=$SRC_ROOT/.output/tools/blast
[ -x "$BLAST" ] || t_skip_all "blast is not built (make)"

live_setup || t_skip_all "cannot build the namespaces and veth pair"

status_field() { sns "$SW" status --pin-root "$PIN" | awk -v p="$POINT" -v f="$1" '$1 == p { print $f }'; }
# The flags line says xdp (native) or xdpgeneric; a "prog/xdp" line follows in both modes.
xdp_shown() { ip -n "$SNS" link show dev "$SIF" | head -n 1 | grep -qw "$1"; }
xdp_attached() { ip -n "$SNS" link show dev "$SIF" | grep -q "prog/xdp"; }
no_xdp() { ! ip -n "$SNS" link show dev "$SIF" | grep -q xdp; }
log_count() { grep -c "$1" "$WORK/daemon.log"; }
start_or_bail() {
	if daemon_start "$@"; then
		t_ok "daemon attached ($*)"
	else
		t_fail "daemon did not attach ($*)"
		sed 's/^/# /' "$WORK/daemon.log"
		t_done
	fi
}
detach_clean() {
	local desc=$1
	"$SW" detach --point "$POINT" --pin-root "$PIN" 2>>"$WORK/detach.err"
	t_eq "$?" 0 "$desc: detach exits 0"
	t_true "$desc: detach removed the pins" test ! -e "$PIN/$POINT"
	t_true "$desc: ip link shows no XDP program any more" no_xdp
}

# 1. Default mode: native XDP on veth if the kernel gives it, else generic with a warning.
# Phases 1 to 3 drain only on SIGTERM (an hour-long interval): one drain stores everything.
DATA_DIR=$WORK/data-auto
start_or_bail --interval 3600
t_eq "$(status_field 2)" "$SIF" "status names the point's interface"
mode=$(status_field 3)
if [ "$mode" = native ]; then
	t_ok "status shows the mode obtained: native"
	t_true "ip link shows a native XDP program" xdp_shown xdp
	t_eq "$(log_count 'native XDP unavailable')" 0 "no fallback warning in native mode"
else
	t_eq "$mode" generic "status shows the mode obtained (native unavailable)"
	t_eq "$(log_count 'native XDP unavailable')" 1 "the fallback to generic is logged once"
fi
daemon_stop TERM
t_eq "$?" 0 "SIGTERM: exit 0"
t_true "after the daemon stops the program stays attached (pinned link)" test -e "$PIN/$POINT/link"
detach_clean "auto mode"

# 2. --mode generic, drained only by SIGTERM: tagged and untagged
# IPv4 and IPv6 frames. tcpdump on the sensor side runs after generic XDP, so once it has seen
# every frame the program has counted every frame.
DATA_DIR=$WORK/data-generic
SENT=$WORK/generic.jsonl
hour0=$(date -u +%Y%m%d%H)
start_or_bail --mode generic --interval 3600
t_eq "$(status_field 3)" generic "status shows generic mode when asked for"
t_true "ip link shows a generic XDP program" xdp_shown xdpgeneric
N=1200
ip netns exec "$SNS" tcpdump -n -U -i "$SIF" -c "$N" -w /dev/null 2>"$WORK/tcpdump.err" &
TPID=$!
on_exit kill "$TPID"
wait_for 10 grep -q "listening on" "$WORK/tcpdump.err" || t_fail "tcpdump did not start"
R=(--rate 5000 --max-time 20)
send "$SENT" "${R[@]}" -d 192.0.2.1 -k syn -p 22,80 -s 200 --src-prefix 198.18.20.0/24 -c 400 --vlan 42
send "$SENT" "${R[@]}" -d 192.0.2.1 -k rst --sport 80 -s 100 --src-prefix 198.18.21.0/24 -c 200 --vlan 42,43
send "$SENT" "${R[@]}" -d 2001:db8::1 -k udp -p 500 -s 150 --src-prefix 2001:db8:200::/64 --random -c 300
send "$SENT" "${R[@]}" -d 2001:db8::1 -k echo -s 300 --src-prefix 2001:db8:201::/64 -c 300 --vlan 5,6
t_true "tcpdump on the sensor side saw all $N frames" wait_for 10 pid_gone "$TPID"
# Only an hour boundary would have drained: then there is nothing to check here.
if [ "$(date -u +%Y%m%d%H)" = "$hour0" ]; then
	t_eq "$(stored_accesses)" 0 "nothing stored before SIGTERM (hour-long interval)"
fi
daemon_stop TERM
t_eq "$?" 0 "SIGTERM: exit 0"
stored "$WORK/generic.json"
compare "$WORK/generic.json" "$SENT"
detach_clean "generic mode"

# 3. --drop: a darknet sensor that never answers. Ping (hping3 --icmp: it reports what it sent
# and received) works without the monitor and with it detached again; with it, every echo
# request is counted and none answered.
ping1() { gns hping3 -q --icmp -c 1 192.0.2.1 >/dev/null 2>&1; }
DATA_DIR=$WORK/data-drop
t_true "ping answered without the monitor" ping1
start_or_bail --drop --interval 3600
gns hping3 -q --icmp -c 3 -i u200000 192.0.2.1 >"$WORK/ping.out" 2>&1
t_eq "$?" 1 "ping gets no answer with --drop"
ping_tx=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$WORK/ping.out")
t_eq "$(grep -o '[0-9]* packets received' "$WORK/ping.out")" "0 packets received" \
	"no echo reply came back"
daemon_stop TERM
t_eq "$?" 0 "SIGTERM: exit 0, after one drain that stores the echo requests"
stored "$WORK/drop.json"
t_eq "$(json_get "$WORK/drop.json" '[k["accesses"] for k in d["keys"] if k["key"] == "icmp/echo"]')" \
	"[${ping_tx:-?}]" "the dropped echo requests were counted: as many as ping transmitted"
detach_clean "drop mode"
t_true "ping answered again once detached" ping1

# 4. SIGKILL while traffic flows, twice: the pinned program keeps counting, the restarted
# daemon resumes the pinned link and tables, and the day's totals equal what was sent.
DATA_DIR=$WORK/data-restart
SENT=$WORK/restart.jsonl
start_or_bail
rx0=$(rx_packets)
# 20 s of traffic: both rounds (each a summary, a kill and a resume, seconds apiece on a busy
# machine) fall while it flows.
ip netns exec "$GNS" "$SWSEND" --iface "$GIF" --json -d 192.0.2.1 -k syn -p 1-4 -s 750 \
	--src-prefix 198.18.30.0/16 -c 15000 --rate 750 --max-time 40 >"$SENT" &
SPID=$!
on_exit kill "$SPID"
for round in 1 2; do
	before=$(stored_accesses)
	t_true "round $round: the daemon stored a drain since the last check" \
		wait_for 10 stored_above "${before:-0}"
	daemon_stop KILL
	t_eq "$?" 137 "round $round: daemon killed with SIGKILL"
	t_true "round $round: the XDP program is still attached without its daemon" xdp_attached
	start_or_bail
	t_eq "$(log_count 'resumed on')" "$round" "round $round: the new daemon resumed the pinned point"
done
t_true "the sender finished" wait_for 40 pid_gone "$SPID"
wait "$SPID"
t_eq "$?" 0 "swsend exit status"
t_true "the sensor's interface received every frame sent" wait_rx "$rx0" \
	"$(json_get "$SENT" 'd["sent"]')"
daemon_stop TERM
t_eq "$?" 0 "SIGTERM: exit 0"
stored "$WORK/restart.json"
compare "$WORK/restart.json" "$SENT"
detach_clean "after restarts"

# 5. Frames redirected into the veth by an XDP program (blast --xdp) reach the sensor's program
# as XDP frames in pages of their own, the way a NIC's driver hands them over, where a socket's
# frames come as buffers the veth copies first: another path through the veth, counted as
# exactly. 20 000 frames of the bench's mix of 2 000 sources (3 700 frames or so, cycled):
# every frame an access, every (source, key) pair of the mix once in the day's sources.
DATA_DIR=$WORK/data-xdpframes
cp "$BLAST" "$WORK/blast" || t_fail "cannot copy blast"
start_or_bail --mode native --interval 3600
rx0=$(rx_packets)
gns "$WORK/blast" -i "$GIF" -c 20000 -s 2000 -S 7 --xdp --json >"$WORK/blast.json"
t_eq "$?" 0 "blast --xdp: every frame reached the sensor's veth (its own count)"
t_true "the sensor's interface received the 20000 frames" wait_rx "$rx0" 20000
daemon_stop TERM
t_eq "$?" 0 "SIGTERM: exit 0"
stored "$WORK/xdpframes.json"
t_eq "$(json_get "$WORK/xdpframes.json" 'd["accesses"]')" 20000 \
	"XDP frames: every one of the 20000 an access"
t_eq "$(json_get "$WORK/xdpframes.json" 'd["sources"]')" \
	"$(json_get "$WORK/blast.json" 'd["mix_pairs"]')" \
	"XDP frames: gross sources = the mix's distinct (source, key) pairs, as blast built them"
t_eq "$(json_get "$WORK/xdpframes.json" 'd["dropped"]')" 0 "XDP frames: nothing overflowed"
detach_clean "XDP frames"

t_done
