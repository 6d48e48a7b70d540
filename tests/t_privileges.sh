#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Privileges (README.md "Privileges"). Once attached, the daemon keeps no capability:
# /proc/PID/status must show CapPrm, CapEff, CapBnd, CapInh and CapAmb all zero and NoNewPrivs 1,
# first as root, then after a restart with --user nobody also nobody's uid, gid and groups. Both
# daemons still drain and store exactly what swsend sent (its tallies are the oracle), and every
# file in the data directory is nobody's. summary, graph and report run as nobody with no
# capability and print or write what they do as root. Bad users, an unwritable data directory
# and point names or keys that would leave the data directory are refused in one line, leaving
# nothing attached.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/live_lib.sh"

require_root
require_cmd ip setpriv python3
[ -x "$SWSEND" ] || t_skip_all "swsend is not built (make)"
id nobody >/dev/null 2>&1 || t_skip_all "needs the user nobody"

live_setup || t_skip_all "cannot build the namespaces and veth pair"
chmod 755 "$WORK" # nobody must reach the data directory inside
# Under the sanitizers nobody must read the leak suppressions too, wherever the tree was
# cloned (a mktemp -d clone is root's alone): a copy beside the data directory.
if [ -n "${LSAN_OPTIONS:-}" ]; then
	install -m 644 "$SRC_ROOT/tests/lsan.supp" "$WORK/lsan.supp" || t_fail "cannot copy lsan.supp"
	export LSAN_OPTIONS=${LSAN_OPTIONS//"$SRC_ROOT/tests/lsan.supp"/"$WORK/lsan.supp"}
fi
SENT=$WORK/sent.jsonl
NOBODY=$(id -u nobody) NOGROUP=$(id -g nobody)
# The supplementary groups the daemon takes with the user's identity, as /proc lists them.
NOBODY_GROUPS=$(id -G nobody | tr ' ' '\n' | sort -n | tr '\n' ' ' | sed 's/ $//')

# Linux before 5.19 refused every bpf() command, map lookups and updates on fds already held
# included, to callers without CAP_BPF when kernel.unprivileged_bpf_disabled is set: only there
# does the daemon keep CAP_BPF (bit 39). Everywhere else it keeps nothing.
NO_CAPS=0000000000000000
WANT_CAPS=$NO_CAPS
kver=$(uname -r | sed 's/^\([0-9]*\)\.\([0-9]*\).*/\1 \2/')
read -r kmaj kmin <<<"$kver"
if [ "$kmaj" -lt 5 ] || { [ "$kmaj" -eq 5 ] && [ "$kmin" -lt 19 ]; }; then
	[ "$(sysctl -n kernel.unprivileged_bpf_disabled)" = 0 ] || WANT_CAPS=0000008000000000
fi

# status_of PID FIELD: a line of /proc/PID/status without its name, blanks squeezed.
status_of() { awk -v k="$2:" '$1 == k { $1 = ""; sub(/^ +/, ""); print }' "/proc/$1/status" | tr -s ' \t' ' ' | sed 's/ $//'; }

# check_creds WHO UID GID GROUPS: the running daemon's identity and capability sets.
check_creds() {
	local who=$1 uid=$2 gid=$3 groups=$4 f
	t_eq "$(status_of "$DPID" Uid)" "$uid $uid $uid $uid" "$who: real, effective, saved and fs uid"
	t_eq "$(status_of "$DPID" Gid)" "$gid $gid $gid $gid" "$who: real, effective, saved and fs gid"
	[ -z "$groups" ] || t_eq "$(status_of "$DPID" Groups | tr ' ' '\n' | sort -n | tr '\n' ' ' |
		sed 's/ $//')" "$groups" "$who: the user's supplementary groups (id -G)"
	t_eq "$(status_of "$DPID" CapPrm)" "$WANT_CAPS" "$who: permitted capabilities (README: none on Linux >= 5.19)"
	t_eq "$(status_of "$DPID" CapEff)" "$WANT_CAPS" "$who: effective capabilities"
	for f in CapInh CapAmb CapBnd; do
		t_eq "$(status_of "$DPID" $f)" "$NO_CAPS" "$who: $f empty, nothing can be gained back"
	done
	t_eq "$(status_of "$DPID" NoNewPrivs)" 1 "$who: no_new_privs set"
}

# sent_frames: what the senders so far say they sent.
sent_frames() { python3 -c 'import json,sys; print(sum(json.loads(l)["sent"] for l in open(sys.argv[1])))' "$SENT"; }

# --- 1. As root: attach, then no capability left; counts as sent.
if daemon_start; then
	t_ok "daemon (root) attached to $SIF in $SNS"
else
	t_fail "daemon (root) did not attach"; sed 's/^/# /' "$WORK/daemon.log"; t_done
fi
check_creds "daemon as root" 0 0 ""
rx0=$(rx_packets)
R=(--rate 4000 --max-time 20)
send "$SENT" "${R[@]}" -d 192.0.2.1 -k syn -p 22,445 -s 50 --src-prefix 198.18.1.0/24 -c 200
t_true "the sensor received the 200 SYNs sent" wait_rx "$rx0" 200
daemon_stop TERM
t_eq "$?" 0 "daemon (root) stopped cleanly on SIGTERM"

# --- 2. Restarted with --user nobody: resumes the pins as root, then becomes nobody.
chown -R nobody:nogroup "$DATA_DIR"
if daemon_start --user nobody; then
	t_ok "daemon (--user nobody) resumed on $SIF"
else
	t_fail "daemon (--user nobody) did not start"; sed 's/^/# /' "$WORK/daemon.log"; t_done
fi
check_creds "daemon as nobody" "$NOBODY" "$NOGROUP" "$NOBODY_GROUPS"
rx0=$(rx_packets)
send "$SENT" "${R[@]}" -d 192.0.2.1 -k udp -p 53,123 -s 40 --src-prefix 203.0.113.0/24 -c 160 --vlan 10
send "$SENT" "${R[@]}" -d 192.0.2.1 -k rst --sport 80 -s 20 --src-prefix 198.18.2.0/24 -c 40
send "$SENT" "${R[@]}" -d 2001:db8::1 -k echo -s 30 --src-prefix 2001:db8:100::/64 -c 90
t_true "the sensor received the 290 frames sent to nobody's daemon" wait_rx "$rx0" 290
# A drain on the clock writes the RRD rows that SIGTERM's partial interval would only queue.
t_true "nobody's daemon wrote totals.rrd" wait_for 10 test -s "$DATA_DIR/$POINT/totals.rrd"
daemon_stop TERM
t_eq "$?" 0 "daemon (nobody) stopped cleanly on SIGTERM"
t_eq "$(sent_frames)" 490 "swsend sent 200 + 290 frames in all"
t_eq "$(find "$DATA_DIR" ! -user nobody | head -n 3 | tr '\n' ' ')" "" \
	"every file of the data directory is nobody's, none root's"
[ "$WANT_CAPS" = "$NO_CAPS" ] && kept="no capability" || kept="CAP_BPF only"
t_true "the daemon logged 'running as nobody (uid $NOBODY) with $kept'" \
	grep -q "running as nobody (uid $NOBODY) with $kept" "$WORK/daemon.log"
stored "$WORK/summary-root.json"
compare "$WORK/summary-root.json" "$SENT"

# --- 3. summary, graph and report need no privilege at all.
as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all --bounding-set=-all "$@"
}
DAY1=$(date -u +%F)
as_nobody "$SW" summary --data-dir "$DATA_DIR" --point "$POINT" --from "$DAY0" --to "$DAY1" \
	--json >"$WORK/summary-nobody.json" 2>"$WORK/err"
t_eq "$?" 0 "summary as nobody, no capability: exit 0 ($(head -n 1 "$WORK/err"))"
t_true "summary as nobody prints what it prints as root" \
	cmp -s "$WORK/summary-root.json" "$WORK/summary-nobody.json"
mkdir "$WORK/charts-root" "$WORK/charts-nobody"
chown nobody:nogroup "$WORK/charts-nobody"
GRAPH=(--data-dir "$DATA_DIR" --chart kinds --start "$DAY0" --end "$DAY1" --format svg --print)
"$SW" graph "${GRAPH[@]}" --out "$WORK/charts-root" >"$WORK/graph-root.txt" 2>"$WORK/err"
t_eq "$?" 0 "graph as root: exit 0 ($(head -n 1 "$WORK/err"))"
as_nobody "$SW" graph "${GRAPH[@]}" --out "$WORK/charts-nobody" >"$WORK/graph-nobody.txt" 2>"$WORK/err"
t_eq "$?" 0 "graph as nobody, no capability: exit 0 ($(head -n 1 "$WORK/err"))"
# The same lines but for the image paths each prints.
t_eq "$(sed "s#$WORK/charts-nobody/##" "$WORK/graph-nobody.txt" | md5sum)" \
	"$(sed "s#$WORK/charts-root/##" "$WORK/graph-root.txt" | md5sum)" \
	"graph as nobody prints the chart totals graph prints as root"
t_eq "$(find "$WORK/charts-nobody" -name '*.svg' -user nobody | wc -l)" 2 \
	"graph as nobody drew the two kinds charts (accesses, sources), nobody's files"
mkdir "$WORK/report-root" "$WORK/report-nobody"
chown nobody:nogroup "$WORK/report-nobody"
MONTH=$(date -u +%Y-%m)
"$SW" report --data-dir "$DATA_DIR" --month "$MONTH" --out "$WORK/report-root" >/dev/null \
	2>"$WORK/err"
t_eq "$?" 0 "report as root: exit 0 ($(head -n 1 "$WORK/err"))"
as_nobody "$SW" report --data-dir "$DATA_DIR" --month "$MONTH" --out "$WORK/report-nobody" \
	>/dev/null 2>"$WORK/err"
t_eq "$?" 0 "report as nobody, no capability: exit 0 ($(head -n 1 "$WORK/err"))"
t_true "report as nobody writes the report.md report writes as root" \
	cmp -s "$WORK/report-root/report.md" "$WORK/report-nobody/report.md"

# --- 4. Refusals: one line, the right exit code, nothing attached or pinned.
xdp_prog_id() {
	ip -n "$SNS" -d link show dev "$SIF" | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p' | head -n 1
}
"$SW" detach --point "$POINT" --pin-root "$PIN" >/dev/null 2>&1
# refused DESC CODE PATTERN COMMAND...
refused() {
	local desc=$1 code=$2 pat=$3 rc why=""
	shift 3
	"$@" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	[ "$rc" = "$code" ] || why+="exit $rc, not $code; "
	[ "$(wc -l <"$WORK/err")" = 1 ] || why+="$(wc -l <"$WORK/err") lines on stderr; "
	grep -qE -- "$pat" "$WORK/err" || why+="stderr lacks /$pat/; "
	[ -z "$(ls -A "$PIN" 2>/dev/null)" ] || why+="left pinned: $(ls -A "$PIN"); "
	[ -z "$(xdp_prog_id)" ] || why+="left an XDP program on $SIF; "
	if [ -z "$why" ]; then t_ok "$desc: exit $code, $(cat "$WORK/err")"; else
		t_fail "$desc: $why"; sed 's/^/#   stderr: /' "$WORK/err"; fi
}
RUN=(sns "$SW" run --pin-root "$PIN" --interval 1 --exit-after 1 --keys "$WORK/keys")
refused "unknown --user" 2 "no user 'sw-no-such-user'" \
	"${RUN[@]}" --point "$POINT=$SIF" --data-dir "$DATA_DIR" --user sw-no-such-user
mkdir -m 755 "$WORK/roots" && mkdir -m 755 "$WORK/roots/$POINT"
refused "--user nobody on a data directory root owns" 1 "Permission denied" \
	"${RUN[@]}" --point "$POINT=$SIF" --data-dir "$WORK/roots" --user nobody
for bad in .. ../x a/b . "x/../../y"; do
	refused "run --point '$bad'" 2 "point name" \
		"${RUN[@]}" --point "$bad=$SIF" --data-dir "$DATA_DIR"
	refused "replay --point '$bad'" 2 "point name" \
		"$SW" replay --point "$bad" --data-dir "$DATA_DIR" /dev/null
	refused "summary --point '$bad'" 2 "bad point name" \
		"$SW" summary --data-dir "$DATA_DIR" --point "$bad" --day "$DAY0"
	refused "graph --point '$bad'" 2 "bad point name" \
		"$SW" graph --data-dir "$DATA_DIR" --out "$WORK/charts-root" --point "$bad"
	refused "detach --point '$bad'" 2 "bad or unexpected --point" \
		"$SW" detach --point "$bad" --pin-root "$PIN"
done
# A key becomes a file name (keys/tcp_445.rrd): only the key forms parse, never a path.
printf 'tcp/445\n../../../etc/x\n' >"$WORK/badkeys"
refused "a key file naming a path" 2 "badkeys:2: '../../../etc/x' is not a key" \
	"${RUN[@]}" --point "$POINT=$SIF" --data-dir "$DATA_DIR" --keys "$WORK/badkeys"
t_eq "$(find "$WORK" -name x | wc -l)" 0 "no file named after a refused name anywhere"
t_done
