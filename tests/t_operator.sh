#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# What an operator watches, checked against what was sent over a veth pair:
#   a. --prom-textfile: parsed by promtool (Prometheus' own linter) and by Python's
#      prometheus_client; every figure (accesses and new sources per kind, the interval's top
#      keys, table entries, dropped, the times) against the senders' tallies;
#   b. the file is replaced whole: a link planted at its name is replaced, never written
#      through; no temporary file stays; readable by node_exporter whatever the umask; a
#      directory that is not there refuses the start with one line and nothing attached;
#   c. `status`: the header (the country database's type and build date), today's accesses and
#      sources from the daily files, and the same as JSON;
#   d. log lines: the interval's line with -v; syslog priorities when stderr is the journal's
#      stream (JOURNAL_STREAM), none when it is another file; the UTC time on a terminal.
# The senders' bursts land in one interval: the daemon runs at --interval 60 and the test sends
# early in a minute, then stops it with SIGTERM, which stores the partial interval.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/live_lib.sh"

require_root
require_cmd ip python3 promtool perl mmdblookup script unshare
/usr/bin/python3 -c 'import prometheus_client.parser' 2>/dev/null ||
	t_skip_all "needs python3-prometheus-client (make test)"
[ -x "$SWSEND" ] || t_skip_all "tools/swsend is not built (make)"
[ -x "$SRC_ROOT/.output/tools/mkpcap" ] || t_skip_all "tools/mkpcap is not built (make)"

live_setup || t_skip_all "cannot make the namespaces"
DB=$WORK/test.mmdb
perl "$SRC_ROOT/tests/mkgeodb.pl" "$DB" flat || t_skip_all "tests/mkgeodb.pl cannot write a database"
PROMDIR=$WORK/prom
PROM=$PROMDIR/scanwatch.prom
mkdir -p "$PROMDIR"

### b (before the run). A link planted where the file goes, to a file that must stay as it is.
echo "keep me" >"$WORK/victim"
ln -s "$WORK/victim" "$PROM"

### b. A directory that is not there: refused at start, in one line, nothing attached.
sns "$SW" run --point "$POINT=$SIF" --data-dir "$DATA_DIR" --pin-root "$PIN" --keys "$WORK/keys" \
	--prom-textfile "$WORK/nowhere/scanwatch.prom" >"$WORK/nodir.out" 2>&1
t_eq "$?" 1 "b. --prom-textfile in a missing directory: the start fails (exit 1)"
t_eq "$(grep -c 'error:' "$WORK/nodir.out")" 1 "b. ... with one error line ($(grep error: "$WORK/nodir.out"))"
t_true "b. ... which names the file and why" grep -q \
	"error: --prom-textfile $WORK/nowhere/scanwatch.prom: cannot create a file beside it: No such file or directory" \
	"$WORK/nodir.out"
t_true "b. ... and leaves nothing attached" sh -c "! ip netns exec $SNS $SW status --pin-root $PIN | grep -q '^$POINT '"

# Early in a minute, so that the bursts and the final drain share one interval.
until [ "$(date -u +%-S)" -le 30 ]; do sleep 0.5; done
MINUTE=$(date -u +%H:%M)
T0=$(date +%s)
daemon_start --interval 60 -v --geoip "$DB" --prom-textfile "$PROM" ||
	{ cat "$WORK/daemon.log"; t_skip_all "the daemon did not start"; }
SENT=$WORK/sent.jsonl
rx0=$(rx_packets)
# 300 SYNs to tcp/445 from 100 sources (198.18.0.0/24: JP in the test database), 200 SYN-ACKs
# from tcp/80 from 50 (198.18.1.0/24: CN), 100 UDP to udp/53 from 100 (203.0.113.0/24: none).
send "$SENT" -d 192.0.2.1 -k syn -p 445 -s 100 --src-prefix 198.18.0.0/24 -c 300 --rate 20000
send "$SENT" -d 192.0.2.1 -k synack --sport 80 -s 50 --src-prefix 198.18.1.0/24 -c 200 --rate 20000
send "$SENT" -d 192.0.2.1 -k udp -p 53 -s 100 --src-prefix 203.0.113.0/24 -c 100 --rate 20000
t_true "the sensor received the 600 frames sent" wait_rx "$rx0" 600
daemon_stop TERM
t_eq "$?" 0 "SIGTERM: the daemon drains once more and exits 0"
T1=$(date +%s)
t_eq "$(date -u -d "@$T1" +%H:%M)" "$MINUTE" "the bursts and the last drain fell in one minute (the test's arrangement)"

### a. The textfile, linted by promtool and read by prometheus_client.
t_true "a. $PROM is a regular file now (the link was replaced, not followed)" test -f "$PROM" -a ! -L "$PROM"
t_eq "$(cat "$WORK/victim")" "keep me" "a. the file the link pointed to is untouched"
t_eq "$(stat -c %a "$PROM")" 644 "a. mode 0644 whatever the umask: node_exporter reads it as another user"
t_eq "$(ls -A "$PROMDIR" | tr '\n' ' ')" "scanwatch.prom " "a. no temporary file left beside it"
promtool check metrics <"$PROM" >"$WORK/promtool.out" 2>&1
t_eq "$?" 0 "a. promtool check metrics accepts it"
t_eq "$(wc -l <"$WORK/promtool.out")" 0 "a. ... with no lint remark ($(head -c 200 "$WORK/promtool.out"))"

while IFS=$'\t' read -r d g e; do
	t_eq "$g" "$e" "a. $d"
done < <(/usr/bin/python3 - "$PROM" "$SENT" "$T0" "$T1" <<'EOF'
import json, sys
from prometheus_client.parser import text_string_to_metric_families
text = open(sys.argv[1]).read()
fams = {f.name: f for f in text_string_to_metric_families(text)}
t0, t1 = int(sys.argv[3]), int(sys.argv[4])
def samples(name):
    # prometheus_client names a counter's family without its _total.
    f = fams.get(name) or fams.get(name[:-6] if name.endswith("_total") else name)
    return [] if f is None else [s for s in f.samples if not s.name.endswith("_created")]
def one(name, **labels):
    got = [s.value for s in samples(name) if all(s.labels.get(k) == v for k, v in labels.items())]
    return got[0] if len(got) == 1 else "%d samples" % len(got)
exp_acc = {"scan": 0, "backscatter": 0, "other": 0}
exp_src = dict(exp_acc)
keys = {}
pairs = 0
for line in open(sys.argv[2]):
    t = json.loads(line)
    for k in t["keys"]:
        exp_acc[k["kind"]] += k["accesses"]
        exp_src[k["kind"]] += k["sources"]
        keys[(k["key"], k["kind"])] = keys.get((k["key"], k["kind"]), 0) + k["accesses"]
        pairs += k["sources"]
print("families: %s\t%s\t%s" % ("the ones documented", " ".join(sorted(fams)), " ".join(sorted([
    "scanwatch_accesses", "scanwatch_new_sources", "scanwatch_dropped_packets", "scanwatch_intervals",
    "scanwatch_interval_top_key_accesses", "scanwatch_table_entries", "scanwatch_table_max_entries",
    "scanwatch_table_fill_ratio", "scanwatch_drain_duration_seconds", "scanwatch_store_duration_seconds",
    "scanwatch_last_drain_timestamp_seconds", "scanwatch_start_time_seconds",
    "scanwatch_research_accesses", "scanwatch_research_new_sources", "scanwatch_research_prefixes",
    "scanwatch_day_peak_accesses_per_second", "scanwatch_day_peak_timestamp_seconds"]))))
for kind in exp_acc:
    print("scanwatch_accesses_total{point=lab,kind=%s}, as sent\t%d\t%d" % (kind, one("scanwatch_accesses_total", point="lab", kind=kind), exp_acc[kind]))
    print("scanwatch_new_sources_total{kind=%s} = distinct (source, key) pairs sent\t%d\t%d" % (kind, one("scanwatch_new_sources_total", point="lab", kind=kind), exp_src[kind]))
print("scanwatch_dropped_packets_total: nothing overflowed\t%d\t0" % one("scanwatch_dropped_packets_total", point="lab"))
print("scanwatch_research_accesses_total: no --research, none\t%d\t0" % one("scanwatch_research_accesses_total", point="lab"))
print("scanwatch_research_prefixes: no --research, an empty list\t%d\t0" % one("scanwatch_research_prefixes", point="lab"))
peak = one("scanwatch_day_peak_accesses_per_second", point="lab")
print("scanwatch_day_peak_accesses_per_second: some of the 600 frames in one second (t_peak has it exactly)\t%s\t%s" % (0 < peak <= 600, True))
print("scanwatch_day_peak_timestamp_seconds lies within the run\t%s\t%s" % (t0 <= one("scanwatch_day_peak_timestamp_seconds", point="lab") <= t1, True))
print("scanwatch_intervals_total: the one interval the SIGTERM drain stored\t%d\t1" % one("scanwatch_intervals_total", point="lab"))
top = sorted(((s.labels["key"], s.labels["kind"]), int(s.value)) for s in samples("scanwatch_interval_top_key_accesses"))
print("top keys of the interval, with their accesses, as sent\t%s\t%s" % (top, sorted(keys.items())))
print("scanwatch_table_entries{table=pairs}: the pairs sent\t%d\t%d" % (one("scanwatch_table_entries", point="lab", table="pairs"), pairs))
print("scanwatch_table_entries{table=keys}: the keys sent\t%d\t%d" % (one("scanwatch_table_entries", point="lab", table="keys"), len(keys)))
print("scanwatch_table_max_entries{table=pairs}: --max-pairs' default\t%d\t1048576" % one("scanwatch_table_max_entries", point="lab", table="pairs"))
print("scanwatch_table_max_entries{table=keys}: --max-keys' default\t%d\t65536" % one("scanwatch_table_max_entries", point="lab", table="keys"))
print("scanwatch_table_fill_ratio{table=pairs} = entries / max, exactly\t%r\t%r" % (one("scanwatch_table_fill_ratio", point="lab", table="pairs"), pairs / 1048576))
for d in ("drain", "store"):
    v = one("scanwatch_%s_duration_seconds" % d, point="lab")
    print("scanwatch_%s_duration_seconds is a time the run took, above 0 and below the run's\t%s\t%s" % (d, 0 < v < t1 - t0 + 1, True))
last = one("scanwatch_last_drain_timestamp_seconds", point="lab")
print("scanwatch_last_drain_timestamp_seconds lies within the run\t%s\t%s" % (t0 <= last <= t1, True))
start = one("scanwatch_start_time_seconds")
print("scanwatch_start_time_seconds is when the daemon started\t%s\t%s" % (t0 <= start <= t1, True))
EOF
)

### c. status: the header, today's figures, JSON.
stored "$WORK/summary.json"
"$SW" status --pin-root "$PIN" --data-dir "$DATA_DIR" --geoip "$DB" >"$WORK/status.txt" 2>&1
t_eq "$?" 0 "c. status exits 0"
sed 's/^/# /' "$WORK/status.txt"
built=$(mmdblookup -f "$DB" -v -i 192.0.2.1 2>/dev/null | sed -n 's/.*Build epoch: *[0-9]* (\([0-9-]*\) .*/\1/p')
t_eq "$(sed -n 's/^areas: *//p' "$WORK/status.txt")" \
	"$DB (scanwatch-test-country-flat, built $built, scanwatch test database)" \
	"c. the header names the database, its type and build date (as mmdblookup reads them)"
t_true "c. the header names the data directory" grep -qx "data: *$DATA_DIR" "$WORK/status.txt"
t_true "c. today's line: 600 accesses, 250 sources, by kind, none dropped (as sent)" grep -q \
	"^  point $POINT  *$(date -u +%F): 600 accesses, 250 sources (scan 400, backscatter 200, other 0), 0 dropped" \
	"$WORK/status.txt"
"$SW" status --pin-root "$PIN" --data-dir "$DATA_DIR" --geoip "$DB" --json >"$WORK/status.json"
t_eq "$?" 0 "c. status --json exits 0"
while IFS=$'\t' read -r d g e; do
	t_eq "$g" "$e" "c. --json: $d"
done < <(python3 - "$WORK/status.json" "$WORK/summary.json" "$SIF" "$DB" "$built" <<'EOF'
import json, sys
st = json.load(open(sys.argv[1]))
sm = json.load(open(sys.argv[2]))
pts = [p for p in st["points"] if p["point"] == "lab"]
today = [t for t in st["today"] if t["point"] == "lab"]
print("one attached point lab\t%d\t1" % len(pts))
print("its interface\t%s\t%s" % (pts[0]["interface"], sys.argv[3]))
print("its daemon, stopped\t%s\tstopped" % pts[0]["daemon"])
print("its last drain is set\t%s\tTrue" % (pts[0]["last_drain"] is not None))
print("geoip type\t%s\tscanwatch-test-country-flat" % st["geoip"]["database_type"])
print("geoip build date, as mmdblookup reads it\t%s\t%s" % (st["geoip"]["built"], sys.argv[5]))
print("geoip path\t%s\t%s" % (st["geoip"]["path"], sys.argv[4]))
for k in ("accesses", "sources", "dropped"):
    print("today's %s = summary --json's for today\t%d\t%d" % (k, today[0][k], sm[k]))
print("today's accesses, as sent\t%d\t600" % today[0]["accesses"])
print("today's kinds = summary's\t%s\t%s" % (today[0]["kinds"], sm["kinds"]))
EOF
)

### d. The interval's line (-v), and the priorities and times of log lines.
t_eq "$(grep -c "point $POINT: [0-9:]*-[0-9:]*Z: 600 accesses, 250 new sources, 0 dropped; drain [0-9.]* ms, store [0-9.]* ms" "$WORK/daemon.log")" 1 \
	"d. -v: one info line for the interval: 600 accesses, 250 new sources, 0 dropped, drain and store times"
printf '1254873600 198.51.100.7 192.0.2.1 tcp 445 3\n' | "$SRC_ROOT/.output/tools/mkpcap" "$WORK/cap.pcap" >/dev/null
# The default database hidden (it may be installed): replay warns that there is none.
replay() {
	unshare --mount sh -c 'd=$(dirname "$1"); [ -d "$d" ] && mount -t tmpfs none "$d"; shift; exec "$@"' \
		sh "$(sed -n 's/.*database (default \(.*\))/\1/p' < <("$SW" run --help))" "$@"
}
: >"$WORK/journal.err"
JOURNAL_STREAM=$(stat -c %d:%i "$WORK/journal.err") replay "$SW" replay --point j --data-dir "$WORK/j" \
	--keys /dev/null -v "$WORK/cap.pcap" 2>>"$WORK/journal.err"
t_true "d. journal: a warning carries <4> (no country database)" grep -q '^<4>scanwatch: warning: no country database' "$WORK/journal.err"
t_true "d. journal: info carries <6> (replayed ...)" grep -q '^<6>scanwatch: replayed 3 packets' "$WORK/journal.err"
t_true "d. journal: debug carries <7>" grep -q '^<7>' "$WORK/journal.err"
t_eq "$(grep -vc '^<[3467]>' "$WORK/journal.err")" 0 "d. journal: every line starts with a priority"
JOURNAL_STREAM=$(stat -c %d:%i "$WORK/journal.err") "$SW" replay --point j --data-dir "$WORK/j" \
	--geoip "$WORK/none.mmdb" "$WORK/cap.pcap" 2>"$WORK/journal.err"
t_eq "$?" 2 "d. journal: a bad --geoip ends replay (exit 2)"
t_true "d. ... and its error line carries <3>" grep -q "^<3>scanwatch: error: cannot read the country database $WORK/none.mmdb" "$WORK/journal.err"
: >"$WORK/other.err"
JOURNAL_STREAM=$(stat -c %d:%i "$WORK/other.err") replay "$SW" replay --point k --data-dir "$WORK/j" \
	--keys /dev/null "$WORK/cap.pcap" 2>"$WORK/plain.err"
t_eq "$(grep -c '^<' "$WORK/plain.err")" 0 "d. JOURNAL_STREAM naming another file: no priorities ($(head -n 1 "$WORK/plain.err"))"
before=$(date -u +%s)
script -qec "$SW replay --point t --data-dir $WORK/j --keys /dev/null $WORK/cap.pcap" /dev/null \
	| tr -d '\r' >"$WORK/tty.out"
after=$(date -u +%s)
line=$(grep 'scanwatch: replayed 3 packets' "$WORK/tty.out")
stamp=${line%% *}
t_true "d. terminal: the line starts with a UTC time ($line)" \
	grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z scanwatch: replayed' <<<"$line"
t_true "d. terminal: ... the time it was written" \
	test "$before" -le "$(date -u -d "$stamp" +%s)" -a "$(date -u -d "$stamp" +%s)" -le "$after"
t_done
