#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The sensor as a service, under a real systemd (tests/sd_lib.sh: systemd 252 as PID 1 of
# namespaces of its own, inside a network namespace with one end of a veth pair):
#   a. its capabilities, found by trying: with the unit's CapabilityBoundingSet the daemon
#      attaches; with any one of them taken away its start fails, with one line, nothing attached
#      (setpriv, outside systemd, so that each run is the unit's set and nothing else);
#   b. `make install` as an operator runs it: the user made, the unit verified where it runs;
#   c. `systemctl start`: Type=notify returns once the daemon said READY=1; it runs as scanwatch
#      with no capability, pinned in bpffs, writing its state directory, through the sandbox;
#      STATUS= after every drain; the journal has its lines at their priorities;
#   d. counts: what was sent, in the summary, in `status` and in the Prometheus textfile;
#   e. the watchdog: a drain stuck on a hung rrdcached stops the pings, systemd kills and restarts
#      the daemon, and the packets sent meanwhile are stored all the same (the pinned program
#      counted them);
#   f. a bad configuration line: exit 2, its FILE:LINE at priority 3, no restart loop; a warning
#      at priority 4;
#   g. `systemctl stop`: one last drain, exit 0, the program still attached.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sd_lib.sh"

require_root
require_cmd ip unshare nsenter setpriv systemd-analyze perl python3 rrdcached make
[ -x /lib/systemd/systemd ] || t_skip_all "needs systemd (make test)"
SWSEND=$SRC_ROOT/.output/tools/swsend
[ -x "$SWSEND" ] || t_skip_all "tools/swsend is not built (make)"
WORK=$(mktemp -d)
[ -n "${KEEP:-}" ] || on_exit rm -rf "$WORK"
SNS=$(uniq_name s) GNS=$(uniq_name g) SIF=$(uniq_name i) GIF=$(uniq_name j)
netns_pair "$SNS" "$GNS" "$SIF" "$GIF" || t_skip_all "cannot make the namespaces"
ip netns exec "$GNS" sysctl -qw net.ipv6.conf."$GIF".disable_ipv6=1
ip -n "$SNS" addr add 192.0.2.1/24 dev "$SIF"
SMAC=$(ip -n "$SNS" -br link show "$SIF" | awk '{print $3}')
DB=$WORK/test.mmdb
perl "$SRC_ROOT/tests/mkgeodb.pl" "$DB" flat || t_skip_all "tests/mkgeodb.pl cannot write a database"
chmod 755 "$WORK"

gns() { ip netns exec "$GNS" "$@"; }
# send N SWSEND-OPTIONS...: N frames to the sensor, its MAC so that its stack takes them.
send() { gns "$SWSEND" --iface "$GIF" --dst 192.0.2.1 --dst-mac "$SMAC" --rate 5000 --max-time 20 \
	--count "$@" >/dev/null; }
rx() { ip netns exec "$SNS" cat "/sys/class/net/$SIF/statistics/rx_packets"; }
rx_reached() { [ $(($(rx) - $1)) -ge "$2" ]; }

### a. Capabilities, by trying. The set is the unit's, as installed.
make -s -C "$SRC_ROOT" install DESTDIR="$WORK/dest" COUNTRY_DB="$DB" >"$WORK/dest.log" 2>&1 ||
	{ cat "$WORK/dest.log"; t_skip_all "make install DESTDIR failed"; }
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$WORK/dest/usr/local/lib/systemd/system/scanwatch.service")
t_true "a. the unit names its capabilities ($caps)" test -n "$caps"
useradd_tmp=nobody
attempt() {
	local set=$1 pins data rc
	shift
	pins=$(pin_root) || return 99
	data=$WORK/a-data-$RANDOM
	mkdir -p "$data" && chown "$useradd_tmp" "$data"
	ip netns exec "$SNS" setpriv --bounding-set="-all${set:+,}$set" --inh-caps=-all --no-new-privs -- \
		"$SW" run --config /dev/null --point "lab=$SIF" --data-dir "$data" \
		--pin-root "$pins" --user "$useradd_tmp" --keys /dev/null --interval 1 --exit-after 1 \
		"$@" >"$WORK/a.log" 2>&1
	rc=$?
	ATTACHED=$(ls "$pins" 2>/dev/null | wc -l)
	"$SW" detach --point lab --pin-root "$pins" >/dev/null 2>&1
	return $rc
}
full=$(echo "$caps" | tr 'A-Z' 'a-z' | sed 's/cap_/+/g; s/ /,/g')
attempt "$full"
t_eq "$?" 0 "a. with the unit's set the daemon attaches, drains and exits 0 ($(grep -o 'running as .*' "$WORK/a.log"))"
attempt "$full" --host-mode --egress-hook tc
t_eq "$?" 0 "a. ... and so does host mode with its tc filter"
# CAP_SYS_ADMIN lets the kernel attach XDP and tcx links without CAP_NET_ADMIN; the tc filter of
# host mode on kernels before 6.6 (Debian 12's) still needs it for its clsact qdisc.
for c in $caps; do
	less=$(echo "$caps" | tr ' ' '\n' | grep -vx "$c" | tr 'A-Z' 'a-z' | sed 's/cap_/+/' | paste -sd,)
	if [ "$c" = CAP_NET_ADMIN ]; then
		attempt "$less" --host-mode --egress-hook tc
	else
		attempt "$less"
	fi
	rc=$?
	t_eq "$rc:$ATTACHED" "1:0" "a. without $c the start fails, nothing left attached ($(grep -m1 error: "$WORK/a.log" | cut -c1-110))"
done

### b. systemd boots; make install as an operator runs it.
sd_boot "$SNS" "$DB" || { sed 's/^/# /' "$WORK/systemd.log" | tail -20; t_skip_all "systemd did not boot in the namespaces"; }
t_ok "b. systemd $(sd systemctl --version | head -n 1 | cut -d' ' -f2) runs as PID 1 of the test's namespaces"
t_true "b. make install created the user ($(grep -m1 "Creating user" "$WORK/install.log"))" \
	grep -q "Creating user 'scanwatch'" "$WORK/install.log"
t_eq "$(sd getent passwd scanwatch | cut -d: -f6,7)" "/var/lib/scanwatch:/usr/sbin/nologin" \
	"b. scanwatch: home in the state directory, no login"
sd systemd-analyze verify --man=no scanwatch.service >"$WORK/verify" 2>&1
t_eq "$?:$(wc -l <"$WORK/verify")" "0:0" "b. systemd-analyze verify scanwatch.service, where systemd runs it"
SCUID=$(sd id -u scanwatch)
cat >"$WORK/conf" <<EOF
# the test's sensor
point = lab=$SIF
interval = 1
keys = /dev/null
verbose = yes
prom-textfile = /var/lib/prometheus/node-exporter/scanwatch.prom
rrdcached = unix:/run/sw-test/rrdcached.sock
EOF
sd cp "$WORK/conf" /etc/scanwatch/scanwatch.conf
sd mkdir -p /var/lib/prometheus/node-exporter /run/sw-test /etc/systemd/system/scanwatch.service.d
sd chown scanwatch /var/lib/prometheus/node-exporter
# The test's only changes to the unit: a watchdog it can wait for, and a quick restart.
printf '[Service]\nWatchdogSec=3s\nRestartSec=1s\n' >"$WORK/dropin"
sd cp "$WORK/dropin" /etc/systemd/system/scanwatch.service.d/test.conf
sd systemctl daemon-reload
# rrdcached for the data directory, a unit of the test's systemd (so that stopping it stops
# nothing of ours); its socket open to the daemon once it is scanwatch.
sd systemd-run --quiet --unit=sw-rrdcached rrdcached -g -B -b /var/lib/scanwatch -F -m 0666 \
	-l unix:/run/sw-test/rrdcached.sock
wait_for 10 sd test -S /run/sw-test/rrdcached.sock || t_fail "b. rrdcached listens"

### c. Started by systemd, ready when it says so.
sd systemctl start scanwatch
t_eq "$?" 0 "c. systemctl start returns 0: the daemon sent READY=1 (Type=notify)"
t_eq "$(sd_prop scanwatch ActiveState)/$(sd_prop scanwatch SubState)" active/running "c. the unit is active and running"
MAIN=$(sd_prop scanwatch MainPID)
st() { sd awk -v k="$2:" '$1 == k { $1 = ""; sub(/^ +/, ""); print }' "/proc/$1/status" | tr -s ' \t' ' '; }
t_eq "$(st "$MAIN" Uid)" "$SCUID $SCUID $SCUID $SCUID" "c. the daemon is scanwatch (uid $SCUID): real, effective, saved, fs"
for f in CapPrm CapEff CapBnd CapAmb; do
	t_eq "$(st "$MAIN" $f)" 0000000000000000 "c. ... with $f empty"
done
t_eq "$(st "$MAIN" NoNewPrivs)" 1 "c. ... and no_new_privs"
t_true "c. its pins are in bpffs under /sys/fs/bpf/scanwatch/lab" sd test -e /sys/fs/bpf/scanwatch/lab/meta
t_eq "$(sd stat -c '%U:%G %a' /var/lib/scanwatch)" "root:scanwatch 770" "c. the state directory is root:scanwatch 0770 (StateDirectory=, Group=)"
t_true "c. STATUS= after every drain ($(sd_prop scanwatch StatusText))" \
	wait_for 10 eval 'sd_prop scanwatch StatusText | grep -q "^drain of [0-9:]*Z: [0-9]* accesses"'
sd journalctl -u scanwatch -o json --no-pager >"$WORK/journal.json"
while IFS=$'\t' read -r d g e; do
	t_eq "$g" "$e" "c. journal: $d"
done < <(python3 - "$WORK/journal.json" "$SCUID" <<'EOF'
import json, sys, re
lines = []
for l in open(sys.argv[1]):
    try:
        e = json.loads(l)
    except ValueError:
        continue
    m = e.get("MESSAGE")
    if isinstance(m, str) and e.get("_COMM") == "scanwatch":
        lines.append((int(e.get("PRIORITY", -1)), m))
def prio(pattern):
    got = sorted({p for p, m in lines if re.search(pattern, m)})
    return ",".join(map(str, got)) or "none"
print("'running as scanwatch' at info (6)\t%s\t6" % prio(r"^scanwatch: running as scanwatch \(uid %s\) with no capability$" % sys.argv[2]))
print("the watchdog's period, half of WatchdogSec=3s, at info (6)\t%s\t6" % prio(r"^scanwatch: systemd's watchdog: 3\.000 s; pinging every 1\.500 s from the drain loop$"))
print("the interval's line (-v) at info (6)\t%s\t6" % prio(r"^scanwatch: point lab: [0-9:]+-[0-9:]+Z: \d+ accesses"))
print("debug lines at debug (7)\t%s\t7" % prio(r"^scanwatch: debug: "))
print("no '<N>' left in a message (journald took them)\t%s\tnone" % prio(r"^<\d>"))
EOF
)

### d. Counts: 400 SYNs to tcp/22 from 100 sources.
stored() { sd "$SW" summary --data-dir /var/lib/scanwatch --point lab --day "$(date -u +%F)" --json 2>/dev/null; }
stored_is() { [ "$(stored | python3 -c 'import json,sys; print(json.load(sys.stdin)["accesses"])' 2>/dev/null)" = "$1" ]; }
rx0=$(rx)
send 400 --kind syn --dport 22 --sources 100 --src-prefix 198.18.0.0/24
t_true "d. the sensor received the 400 frames" wait_for 10 rx_reached "$rx0" 400
t_true "d. the summary holds the 400 accesses sent" wait_for 10 stored_is 400
t_eq "$(stored | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["sources"], d["areas"])')" \
	"100 [{'area': 'JP', 'accesses': 400, 'sources': 100}]" \
	"d. ... from 100 sources, all in JP (the installed database's 198.18.0.0/24)"
prom=/var/lib/prometheus/node-exporter/scanwatch.prom
t_eq "$(sd stat -c '%U %a' "$prom")" "scanwatch 644" "d. the textfile is the daemon's, readable by node_exporter"
t_eq "$(sd grep '^scanwatch_accesses_total{point="lab",kind="scan"}' "$prom" | cut -d' ' -f2)" 400 \
	"d. scanwatch_accesses_total{kind=scan}: the 400 sent"
sd "$SW" status >"$WORK/status" 2>&1
t_true "d. status reads the service's configuration" grep -qx "config: */etc/scanwatch/scanwatch.conf" "$WORK/status"
t_true "d. status: the areas come from the installed database" \
	grep -q "^areas: */usr/local/share/scanwatch/country.mmdb (scanwatch-test-country-flat, built " "$WORK/status"
t_true "d. status: today 400 accesses from 100 sources" grep -q "point lab .*: 400 accesses, 100 sources (scan 400" "$WORK/status"
t_true "d. status: the daemon is running" grep -q "^lab .*daemon running" "$WORK/status"

### e. The watchdog: rrdcached hangs, the drain waits on it, the pings stop.
unit_log() { sd journalctl -u scanwatch -o cat --no-pager; }
watchdog_fired() { unit_log | grep -q "^scanwatch.service: Watchdog timeout (limit 3s)!"; }
restarted() { [ "$(sd_prop scanwatch NRestarts)" = 1 ] && [ "$(sd_prop scanwatch ActiveState)" = active ] &&
	[ "$(sd_prop scanwatch MainPID)" != "$MAIN" ]; }
rx0=$(rx)
sd systemctl kill --signal=SIGSTOP sw-rrdcached
t_true "e. a drain stuck on the stopped rrdcached: systemd's watchdog fires" wait_for 30 watchdog_fired
send 200 --kind syn --dport 23 --sources 50 --src-prefix 198.18.1.0/24
t_true "e. 200 more frames reach the sensor meanwhile" wait_for 10 rx_reached "$rx0" 200
sd systemctl kill --signal=SIGCONT sw-rrdcached
t_true "e. systemd restarted the daemon once (NRestarts=1, a new main PID)" wait_for 60 restarted
t_eq "$(sd_prop scanwatch ExecMainStatus)" 0 "e. ... which runs (no exit status yet)"
t_true "e. every access is stored, the ones sent while it was stuck or dead too: 600" wait_for 20 stored_is 600
t_true "e. systemd killed it with SIGABRT (WatchdogSignal's default)" \
	eval 'unit_log | grep -q "^scanwatch.service: Killing process [0-9]* (scanwatch) with signal SIGABRT"'
unit_log | grep -E "^scanwatch.service: (Watchdog|Killing|Main process|Scheduled)" | sed 's/^/# /'

### f. A bad line: exit 2, no restart loop; then a warning.
echo "intervall = 5" >>"$WORK/conf"
sd cp "$WORK/conf" /etc/scanwatch/scanwatch.conf
sd systemctl restart scanwatch >/dev/null 2>&1
t_true "f. a bad configuration line fails the unit" wait_for 10 eval '[ "$(sd_prop scanwatch ActiveState)" = failed ]'
t_eq "$(sd_prop scanwatch ExecMainStatus)" 2 "f. ... with exit 2"
# No restart can be seen only by waiting: three times RestartSec=1s.
sleep 3
t_eq "$(sd_prop scanwatch ActiveState):$(sd_prop scanwatch NRestarts)" failed:0 \
	"f. ... and stays failed, never restarted (RestartPreventExitStatus=2)"
t_eq "$(sd journalctl -u scanwatch -p err..err -o cat --no-pager | grep -c "^scanwatch run: /etc/scanwatch/scanwatch.conf:8: unknown option 'intervall'$")" 1 \
	"f. the journal has 'FILE:LINE: why' once, at priority 3 (err)"
sed -i '$d' "$WORK/conf"
sd cp "$WORK/conf" /etc/scanwatch/scanwatch.conf
sd rm /usr/local/share/scanwatch/country.mmdb
sd systemctl reset-failed scanwatch
sd systemctl start scanwatch
t_eq "$?" 0 "f. fixed, it starts again"
t_true "f. without the database: one warning at priority 4 (warning)" \
	wait_for 10 eval 'sd journalctl -u scanwatch -p warning..warning -o cat --no-pager | grep -q "^scanwatch: warning: no country database at /usr/local/share/scanwatch/country.mmdb"'

### g. Stop: the last drain, exit 0, still attached.
sd systemctl stop scanwatch
t_eq "$?:$(sd_prop scanwatch ExecMainStatus)" "0:0" "g. systemctl stop: the daemon exits 0"
t_true "g. the program stays attached and pinned" sd test -e /sys/fs/bpf/scanwatch/lab/link
t_true "g. status: daemon stopped" eval 'sd "$SW" status | grep -q "^lab .*daemon stopped"'
t_done
