#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `scanwatch top` on a real veth pair between two throwaway namespaces. The daemon drains every
# 600 s and its clock (SW_TEST_CLOCK_OFFSET_FILE) starts 5 s past an interval boundary, so no
# drain happens while the test runs (checked: the point's last drain stays 'never'): every frame sent
# is in the interval top reads, and what it shows must equal what swsend says it sent.
#   1. top --once (text and --json) after a known, bounded mix of frames: the figures per key,
#      per kind and in total, and --count.
#   2. top in a real terminal (tmux, 120x40): more frames sent while it runs, the view updates
#      to the new figures; q quits with exit 0 and the terminal's settings as they were (and
#      the same for Ctrl-C and SIGTERM).
#   3. top only reads: after SIGTERM (the daemon's last drain) the stored day equals all that
#      was sent, as if top had never run.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/live_lib.sh"

require_root
require_cmd ip tmux python3
[ -x "$SWSEND" ] || t_skip_all "swsend is not built (make)"

live_setup || t_skip_all "cannot build the namespaces and veth pair"
SENT=$WORK/sent.jsonl
INTERVAL=600

# The daemon's clock 5 s past a boundary of its intervals: the first drain is 595 s away.
now=$(date +%s)
echo $(((5 - now % INTERVAL + INTERVAL) % INTERVAL)) >"$WORK/offset"
if SW_TEST_CLOCK_OFFSET_FILE=$WORK/offset daemon_start --interval "$INTERVAL"; then
	t_ok "daemon attached to $SIF in $SNS, draining every $INTERVAL s"
else
	t_fail "daemon did not attach"; sed 's/^/# /' "$WORK/daemon.log"; t_done
fi
rx0=$(rx_packets)

top_once() { "$SW" top --pin-root "$PIN" --point "$POINT" --once "$@"; }

# 1. A known mix, each run from its own sources: swsend's tallies are the oracle.
send "$SENT" -d 192.0.2.1 -k syn -p 23 -s 5 --src-prefix 198.18.1.0/24 -c 50
send "$SENT" -d 192.0.2.1 -k udp -p 53 -s 4 --src-prefix 203.0.113.0/24 -c 20
send "$SENT" -d 192.0.2.1 -k rst --sport 443 -s 3 --src-prefix 198.18.2.0/24 -c 12
send "$SENT" -d 192.0.2.1 -k echo -s 2 --src-prefix 198.51.100.0/24 -c 6
t_eq "$(wc -l <"$SENT")" 4 "every swsend run finished and printed its tally"
sent=$(python3 -c 'import json,sys; print(sum(json.loads(l)["sent"] for l in open(sys.argv[1])))' "$SENT")
t_eq "$sent" 88 "swsend sent 50 + 20 + 12 + 6 frames"
t_true "the sensor's interface received all $sent frames" wait_rx "$rx0" "$sent"
t_eq "$(($(rx_packets) - rx0))" "$sent" "frames received = frames sent (no stray traffic)"

if top_once --json >"$WORK/top.json" 2>"$WORK/top.err"; then
	t_ok "top --once --json exits 0"
else
	t_fail "top --once --json failed: $(cat "$WORK/top.err")"
fi
j() { json_get "$WORK/top.json" "$1"; }
t_eq "$(j 'len(d["points"])')" 1 "one point shown (--point $POINT)"
t_eq "$(j 'd["points"][0]["last_drain"]')" None "no drain yet: the frames are all in the current interval"
t_eq "$(j 'd["points"][0]["frames"]')" "$sent" "frames the program ran on = frames received"
t_eq "$(j 'd["points"][0]["accesses"]')" 88 "accesses = the 88 frames sent (all to 192.0.2.1)"
t_eq "$(j 'd["points"][0]["sources"]')" 14 "sources = 5 + 4 + 3 + 2 distinct (source, key) pairs sent"
t_eq "$(j 'd["points"][0]["dropped"]')" 0 "dropped: nothing overflowed"
t_eq "$(j 'd["points"][0]["kinds"]["scan"]')" "{'accesses': 76, 'sources': 11}" \
	"scan: 50 SYN + 20 UDP + 6 echo requests from 5 + 4 + 2 sources"
t_eq "$(j 'd["points"][0]["kinds"]["backscatter"]')" "{'accesses': 12, 'sources': 3}" \
	"backscatter: 12 RSTs from 3 sources"
t_eq "$(j 'd["points"][0]["kinds"]["other"]')" "{'accesses': 0, 'sources': 0}" "other: none sent"
t_eq "$(j '" ".join("%s:%s:%d:%d" % (k["key"], k["kind"], k["accesses"], k["sources"]) for k in d["points"][0]["keys"])')" \
	"tcp/23:scan:50:5 udp/53:scan:20:4 tcp/443:backscatter:12:3 icmp/echo:scan:6:2" \
	"keys by accesses, each as sent (RSTs are keyed by their source port)"

# The same in text, which scripts may read with awk; no terminal control codes in it.
top_once --count 2 >"$WORK/top.txt" 2>"$WORK/top.err"
t_eq "$?" 0 "top --once --count 2 exits 0"
t_true "text: the interval's totals" \
	grep -qE "^  this interval: accesses 88  sources 14  frames $sent  dropped 0 " "$WORK/top.txt"
t_true "text: scan 76 accesses from 11 sources" grep -qE '^  scan +76 +11$' "$WORK/top.txt"
t_true "text: backscatter 12 accesses from 3 sources" grep -qE '^  backscatter +12 +3$' "$WORK/top.txt"
t_true "text: tcp/23 50 accesses from 5 sources" grep -qE '^  tcp/23 +scan +50 +5$' "$WORK/top.txt"
t_true "text: udp/53 20 accesses from 4 sources" grep -qE '^  udp/53 +scan +20 +4$' "$WORK/top.txt"
t_eq "$(grep -cE '^  (tcp|udp|icmp)/' "$WORK/top.txt")" 2 "--count 2: two keys shown"
t_true "text: the two keys not shown are counted" grep -qx '  (2 more keys)' "$WORK/top.txt"
t_eq "$(grep -c $'\033' "$WORK/top.txt")" 0 "--once writes no terminal control codes"
sed 's/^/# /' "$WORK/top.txt"

# 2. A real terminal. Each run is a script in a tmux window of its own that records the
# terminal's settings before and after top and says how top ended.
TMUX_SOCK=swtop$$
tm() { tmux -L "$TMUX_SOCK" -f /dev/null "$@"; }
on_exit tmux -L "$TMUX_SOCK" kill-server
cat >"$WORK/top.sh" <<EOF
#!/bin/sh
# Ctrl-C goes to the terminal's whole foreground group: this shell must outlive it to report.
trap : INT
echo \$\$ >"\$1.sh.pid"
stty -g >"\$1.before"
"$SW" top --pin-root "$PIN" --count 5
rc=\$?
stty -g >"\$1.after"
echo "top exited \$rc; terminal:\$(stty -a | grep -oE '(^| )-?(icanon|echo)( |\$)' | tr -d '\n')"
echo \$rc >"\$1.rc"
exec sleep 600
EOF
chmod +x "$WORK/top.sh"

# pane NAME: what the terminal of run NAME shows, blanks squeezed.
pane() { tm capture-pane -p -t "$1" 2>/dev/null | tr -s ' '; }
pane_has() { pane "$1" | grep -qE -- "$2"; }
start_top() {
	if [ "$1" = q ]; then
		tm new-session -d -s "$1" -x 120 -y 40 "$WORK/top.sh $WORK/$1"
	else
		tm new-window -d -t q -n "$1" "$WORK/top.sh $WORK/$1"
	fi
}
# ended NAME HOW: top has exited through HOW; checks its exit status and the terminal.
ended() {
	local name=$1 how=$2
	t_true "$how: top exits" wait_for 10 test -s "$WORK/$name.rc"
	t_eq "$(cat "$WORK/$name.rc" 2>/dev/null)" 0 "$how: top's exit status"
	t_eq "$(cat "$WORK/$name.after" 2>/dev/null)" "$(cat "$WORK/$name.before")" \
		"$how: the terminal's settings (stty -g) are those it had before top"
	t_true "$how: the shell's screen is back, the terminal canonical and echoing again" \
		wait_for 10 pane_has "$name" '^top exited 0; terminal: icanon echo *$'
	t_true "$how: nothing of the view is left on the shell's screen" \
		eval '! pane_has "$name" "^ KEY "'
}

start_top q
if wait_for 10 pane_has q '^ tcp/23 scan 50 5$'; then
	t_ok "the live view shows tcp/23: 50 accesses from 5 sources"
else
	t_fail "the live view did not show tcp/23 50 5"; pane q | sed 's/^/#   pane: /'
fi
t_true "the live view is in cbreak mode while it runs (stty of its terminal: -icanon -echo)" \
	eval 'stty -a -F "$(tm display-message -p -t q "#{pane_tty}")" | grep -qE "(^| )-icanon .*(^| )-echo( |$)"'

# More frames while it runs: 32 SYNs to tcp/23 from 3 new sources (198.18.1.8 to .10, after the
# first run's .0 to .4), and a new key, udp/123, 15 frames from 3 sources.
send "$SENT" -d 192.0.2.1 -k syn -p 23 -s 3 --src-prefix 198.18.1.8/29 -c 32
send "$SENT" -d 192.0.2.1 -k udp -p 123 -s 3 --src-prefix 203.0.113.64/26 -c 15
t_true "all 135 frames arrived" wait_rx "$rx0" 135
if wait_for 10 pane_has q '^ tcp/23 scan 82 8$'; then
	t_ok "the view updates: tcp/23 82 accesses (50 + 32) from 8 sources (5 + 3 new)"
else
	t_fail "the view did not update to tcp/23 82 8"; pane q | sed 's/^/#   pane: /'
fi
t_true "the view shows the new key udp/123: 15 accesses from 3 sources" \
	wait_for 10 pane_has q '^ udp/123 scan 15 3$'
t_true "the view's totals: 135 accesses (88 + 32 + 15), 20 sources (14 + 3 on tcp/23 + 3 on udp/123)" \
	wait_for 10 pane_has q '^ this interval: accesses 135 sources 20 frames 135 dropped 0 '
pane q | sed 's/^/#   pane: /'
tm send-keys -t q q
ended q "q"

start_top c
t_true "a second view in another window shows the figures" wait_for 10 pane_has c '^ tcp/23 scan 82 8$'
tm send-keys -t c C-c
ended c "Ctrl-C (SIGINT)"

start_top t
t_true "a third view shows the figures" wait_for 10 pane_has t '^ tcp/23 scan 82 8$'
kill -TERM "$(pgrep -P "$(cat "$WORK/t.sh.pid")")"
ended t "SIGTERM"

# 3. top changed nothing: no drain while it ran, and the daemon's last drain stores it all.
top_once --json >"$WORK/top2.json"
t_eq "$(json_get "$WORK/top2.json" 'd["points"][0]["last_drain"]')" None "still no drain after the views"
t_eq "$(json_get "$WORK/top2.json" 'd["points"][0]["accesses"]')" 135 "top --once: 135 accesses"
daemon_stop TERM
t_eq "$?" 0 "SIGTERM: the daemon drains once more and exits 0"
stored "$WORK/summary.json" || t_fail "summary failed"
compare "$WORK/summary.json" "$SENT"

t_done
