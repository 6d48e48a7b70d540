#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The monthly report and the alerts on two months of known history:
#  - tools/mkhistory writes September and October 2009 of a sensor: nine steady series (every
#    hour of every day the same packets from the same sources, four countries, Mirai, ZMap and
#    masscan fingerprints, backscatter from 25 victims) and a surge: tcp/445 goes from 1 to 4
#    packets and sources an hour on Monday 2009-10-05; on the last day, one source alone sends
#    72 SYNs to tcp/9200, a key never seen before (and never tracked: under 100 a day): a trend
#    score of 12, and no trend alert, since a trend needs 10 sources (and a baseline of 7 days
#    with data); the scan totals' Holt-Winters failure of that day is one;
#  - `scanwatch replay` counts it hour by hour through the XDP program, with --alert-command;
#  - tests/report_check.py computes every figure from the SPEC alone (not from scanwatch) and
#    checks report.md: the headline (TALOT2's sentence), per point and kinds, the month against
#    the previous one, every ratio, the six months (four of them without data), the victims,
#    fingerprints, trends and alerts;
#  - the alerts are exactly those the definitions give: tcp/445's month-on-month (+261.3 %) and
#    week-on-week (+300 %) surges, its trend on 2009-10-05, and Holt-Winters failures of tcp/445
#    and of the scan totals (accesses and sources), each from 07:00 that day; none for the steady
#    keys. The alert command ran once per alert with the fields in its environment; a command
#    that hangs is killed at --alert-timeout;
#  - the report reads as a report: every table labelled "Table N-M", no file of the source tree
#    named, no "nan"; every chart's legend (the text of its image, as rrdgraph drew it) equals
#    the report's own tables; each key and area has one colour in every chart (the legend boxes
#    of the SVGs), no two alike;
#  - report.html opens in headless Chromium with every image loaded, and a screenshot is taken.
source "$(dirname "$0")/lib.sh"

require_root
require_cmd python3 perl script
MKH=$SRC_ROOT/.output/tools/mkhistory
[ -x "$MKH" ] || t_skip_all "mkhistory is not built (make)"
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ] || t_skip_all "needs chromium (make deps)"

W=$(mktemp -d)
on_exit rm -rf "$W"
D=$W/data
OUT=$W/out
CHECK=$SRC_ROOT/tests/report_check.py

# FROM TO TYPE PORT PKTS/HOUR SRCS/HOUR MODE BASE FP AREA (tools/mkhistory.c)
cat >"$W/spec" <<'EOF'
2009-09-01 2009-10-04 syn 445 1 1 hourly 198.18.1.0 none CN
2009-10-05 2009-10-31 syn 445 4 4 hourly 198.18.1.0 none CN
2009-09-01 2009-10-31 syn 23 3 1 hourly 198.18.2.0 mirai BR
2009-09-01 2009-10-31 syn 22 2 2 hourly 198.18.3.0 none US
2009-09-01 2009-10-31 echo 0 1 1 hourly 198.18.4.0 none JP
2009-09-01 2009-10-31 syn 1433 1 1 hourly 198.18.5.0 masscan CN
2009-09-01 2009-10-31 udp 53 2 1 hourly 198.18.6.0 zmap US
2009-09-01 2009-10-31 syn 3389 1 1 fixed 198.18.7.1 none RU
2009-09-01 2009-10-31 synack 80 2 1 hourly 203.0.113.0 none
2009-09-01 2009-10-31 rst 25 1 1 fixed 198.51.100.7 none
2009-10-31 2009-10-31 syn 9200 3 1 fixed 198.18.9.1 none
EOF
# The countries of the sources: one /24 per series that has one.
maps=$(awk 'NF == 10 { split($8, a, "."); print a[1] "." a[2] "." a[3] ".0/24=" $10 }' "$W/spec" | sort -u)
# shellcheck disable=SC2086
perl "$SRC_ROOT/tests/mkgeodb.pl" "$W/geo.mmdb" flat $maps || t_fail "mkgeodb.pl"

want=$(awk 'NF >= 9 && $1 !~ /^#/ {
	cmd = "echo $(( ($(date -ud " $2 " +%s) - $(date -ud " $1 " +%s)) / 86400 + 1 ))"
	cmd | getline days; close(cmd); n += days * 24 * $5 } END { print n }' "$W/spec")
t_eq "$("$MKH" "$W/h.pcap" <"$W/spec")" "$want" "mkhistory wrote the SPEC's packets (days x 24 x packets an hour)"

# The alert command records its environment, one file per run.
mkdir "$W/cmd"
cat >"$W/record.sh" <<'EOF'
#!/bin/sh
env | grep '^SW_ALERT_' >"$1/alert.$$"
EOF
chmod +x "$W/record.sh"
"$SW" replay --point p1 --data-dir "$D" --interval 3600 --geoip "$W/geo.mmdb" \
	--alert-command "$W/record.sh $W/cmd" "$W/h.pcap" 2>"$W/replay.err"
t_eq "$?" 0 "replay of two months, an interval an hour"
t_eq "$(grep -c 'warning: alert: ' "$W/replay.err")" \
	"$(python3 "$CHECK" expect "$W/spec" | wc -l)" \
	"replay logged one line per alert the definitions give"


python3 "$CHECK" commands "$W/spec" "$W/cmd" > "$W/c.out"
t_tap <"$W/c.out"

"$SW" report --data-dir "$D" --month 2009-10 --out "$OUT" --svg >"$W/report.out" 2>"$W/report.err"
t_eq "$?" 0 "report --month 2009-10 exits 0 ($(wc -l <"$W/report.err") stderr lines)"
t_eq "$(cat "$W/report.out")" "$OUT/report.md
$OUT/report.html" "report prints the two files it wrote"
python3 "$CHECK" report "$W/spec" 2009-10 "$OUT/report.md" >"$W/r.out"
t_tap <"$W/r.out"
python3 "$CHECK" legends "$OUT/report.md" >"$W/l.out"
t_tap <"$W/l.out"
python3 "$CHECK" colours "$OUT/report.md" >"$W/col.out"
t_tap <"$W/col.out"
# On a terminal, once drawing has taken its second (SW_TEST_PROGRESS_MS=0: at once), a line
# says which chart is drawn; in a file, none.
SW_TEST_PROGRESS_MS=0 script -q -e -c "$SW report --data-dir $D --month 2009-10 --out $W/outp" \
	/dev/null | tr '\r' '\n' | sed 's/\x1b\[K//g' >"$W/pty.out"
t_eq "$(grep -c '^report: drawing Chart ' "$W/pty.out")" "$(grep -c '<img ' "$OUT/report.html")" \
	"on a terminal: 'report: drawing Chart N-M: ...', one line per chart"
t_eq "$(grep -c 'drawing' "$W/report.err")" 0 "stderr to a file: no progress line"

"$SW" alerts --data-dir "$D" --json >"$W/alerts.json"
t_eq "$?" 0 "alerts --json exits 0"
"$SW" alerts --data-dir "$D" --json --trend-min-sources 1 >"$W/trend-9200.json"
t_eq "$(json_get "$W/alerts.json" 'len([a for a in d["alerts"] if a["key"] == "tcp/9200"])')" 0 \
	"tcp/9200, one source new on 2009-10-31 (score 12.08): no alert, a trend needs 10 sources"
t_eq "$(json_get "$W/trend-9200.json" '[(a["kind"], a["from"], round(a["score"], 2)) for a in d["alerts"] if a["key"] == "tcp/9200" and a["kind"] == "trend"]')" \
	"[('trend', '2009-10-31', 12.08)]" "--trend-min-sources 1: the same day is a trend alert of tcp/9200"
python3 "$CHECK" alerts "$W/spec" "$W/alerts.json" >"$W/a.out"
t_tap <"$W/a.out"
"$SW" alerts --data-dir "$D" --since 2009-10-06 --until 2009-10-12 >"$W/alerts.txt"
t_eq "$(awk '{ print $1 }' "$W/alerts.txt" | sort | tr '\n' ' ')" "hw hw hw hw surge-month surge-week " \
	"alerts --since 2009-10-06 --until 2009-10-12: what overlaps those days (the failures last to 10-07)"
"$SW" alerts --data-dir "$D" --surge-pct 300.01 --json >"$W/a300.json"
t_eq "$(json_get "$W/a300.json" 'sorted(a["kind"] for a in d["alerts"] if a["kind"].startswith("surge"))')" \
	"[]" "--surge-pct 300.01: neither surge (+261.3 % and +300 %) reaches it"

# Two points: the same history, and a second point that saw only October's ssh scans; each
# point has its own row and section, all points add up (point-days included).
cp -a "$D" "$W/d2"
awk '$3 == "syn" && $4 == 22 { $1 = "2009-10-01"; print }' "$W/spec" >"$W/spec-p2"
"$MKH" "$W/h2.pcap" <"$W/spec-p2" >/dev/null
"$SW" replay --point p2 --data-dir "$W/d2" --interval 3600 "$W/h2.pcap" 2>/dev/null
t_eq "$?" 0 "replay of a second point"
"$SW" report --data-dir "$W/d2" --month 2009-10 --out "$W/out2" >/dev/null 2>"$W/report2.err"
t_eq "$?" 0 "report of two points exits 0"
python3 "$CHECK" points 2009-10 "$W/out2/report.md" "$W/spec" "$W/spec-p2" >"$W/p.out"
t_tap <"$W/p.out"

# A command that never ends is killed at the timeout, and replay still finishes: three days
# of the same history, the last the surge's first, raise alerts (its trend, 3.88) whose
# commands hang.
cat >"$W/hang.sh" <<'EOF'
#!/bin/sh
echo $$ >>"$1/pids"
exec sleep 1000
EOF
chmod +x "$W/hang.sh"
mkdir "$W/hang"
awk '{ if ($1 < "2009-10-03") $1 = "2009-10-03"; if ($2 > "2009-10-05") $2 = "2009-10-05";
	if ($1 <= $2) print }' "$W/spec" >"$W/spec3"
"$MKH" "$W/h3.pcap" <"$W/spec3" >/dev/null
"$SW" replay --point p1 --data-dir "$W/d3" --interval 3600 --alert-command "$W/hang.sh $W/hang" \
	--alert-timeout 1 --trend-days 2 "$W/h3.pcap" 2>"$W/hang.err"
t_eq "$?" 0 "replay with a command that hangs exits 0"
t_eq "$(grep -c 'killed after 1 s' "$W/hang.err")" "$(wc -l <"$W/hang/pids" 2>/dev/null || echo 0)" \
	"every hanging command was killed after --alert-timeout 1, and said so"
alive=0
while read -r pid; do kill -0 "$pid" 2>/dev/null && alive=$((alive + 1)); done <"$W/hang/pids"
t_eq "$alive" 0 "no hanging command is left running"
t_true "the hanging command ran at least once (the trend of 2009-10-05)" test -s "$W/hang/pids"

# The sample report of README.md (docs/sample-report, June 2021 of three real captures): its
# charts' legends against its own tables, and its tables against tshark's count of the captures.
SAMPLE=$SRC_ROOT/docs/sample-report/report.md
CAPS=(stopddos__pkt.TCP.synflood.spoofed.pcap stopddos__amp.TCP.reflection.SYNACK.pcap
	stopddos__amp.TCP.syn.optionallyACK.optionallysamePort.pcapng)
python3 "$CHECK" legends "$SAMPLE" | sed 's/^\(PASS\|FAIL\) /\1 sample: /' >"$W/sl.out"
t_tap <"$W/sl.out"
if [ -f "$DATA/${CAPS[0]}" ] && [ -f "$DATA/${CAPS[1]}" ] && [ -f "$DATA/${CAPS[2]}" ] &&
	command -v tshark >/dev/null; then
	for c in "${CAPS[@]}"; do "$SRC_ROOT/tests/tshark_oracle.sh" "$DATA/$c" UTC; done >"$W/sample.oracle"
	python3 "$CHECK" sample "$SAMPLE" 2021-06 "$W/sample.oracle" |
		sed 's/^\(PASS\|FAIL\) /\1 sample: /' >"$W/ss.out"
	t_tap <"$W/ss.out"
elif [ "${CI:-}" = true ]; then
	t_fail "sample report: needs $DATA and tshark under CI"
fi

# Bad input: one line, exit 2.
for args in "--month 2009-13" "--month 2009-10 --top 0" "--month 2009-10 --point nowhere"; do
	# shellcheck disable=SC2086
	"$SW" report --data-dir "$D" --out "$W/bad" $args 2>"$W/err"
	rc=$?
	t_eq "$rc/$(wc -l <"$W/err")" "2/1" "report $args: exit 2 and one line ($(head -c 80 "$W/err"))"
done

# report.html in a real browser: every image loads. A copy with a probe script beside the
# original (same folder, same relative image paths) writes what it found into the DOM.
python3 - "$OUT/report.html" "$OUT/probe.html" <<'PY'
import sys
probe = """<script>window.addEventListener("load", () => {
  const i = [...document.images];
  document.body.setAttribute("data-images", i.length);
  document.body.setAttribute("data-broken",
    i.filter(x => !(x.complete && x.naturalWidth > 0)).map(x => x.getAttribute("src")).join(" ") || "none");
});</script></body>"""
open(sys.argv[2], "w").write(open(sys.argv[1]).read().replace("</body>", probe))
PY
CHROME=("$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking
	--disable-component-update --disable-sync --no-first-run --allow-file-access-from-files)
timeout 60 "${CHROME[@]}" --user-data-dir="$(mktemp -d -p "$W")" --virtual-time-budget=5000 \
	--dump-dom "file://$OUT/probe.html" >"$W/dom.html" 2>"$W/chromium.err"
nimg=$(grep -c '<img ' "$OUT/report.html")
t_eq "$(sed -n 's/.*data-images="\([0-9]*\)".*/\1/p' "$W/dom.html")" "$nimg" \
	"Chromium found every <img> of report.html"
t_eq "$(sed -n 's/.*data-broken="\([^"]*\)".*/\1/p' "$W/dom.html")" "none" \
	"Chromium loaded every image (naturalWidth > 0)"
t_true "report.html has charts (at least 8)" test "$nimg" -ge 8
rm -f "$OUT/probe.html"
SHOT=${SW_TEST_ARTIFACTS:-$W}/report-screenshot.png
timeout 60 "${CHROME[@]}" --user-data-dir="$(mktemp -d -p "$W")" --hide-scrollbars \
	--window-size=1200,3000 --screenshot="$SHOT" "file://$OUT/report.html" >/dev/null 2>&1
t_true "a screenshot of report.html ($SHOT, PNG over 100 kB)" \
	test "$(head -c 8 "$SHOT" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a -a \
	"$(stat -c %s "$SHOT" 2>/dev/null || echo 0)" -gt 100000
t_done
