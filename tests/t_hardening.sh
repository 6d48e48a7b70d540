#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Hardening (README.md "Files and permissions", "An upgrade"): what an
# attacker who may write the data directory or --out, or an unlucky operator, can do.
#  A. Links planted at every name replay, graph and report write (and at the temporary names
#     they used to write first) point to a root-only file: it stays as it was, and the command
#     either refuses in one line or writes a file of its own; folders that are links are refused.
#     Files are 0640 and folders 0750 in the data directory, 0644/0755 in --out, under umask 000
#     and 022 alike.
#  B. One writer per point: replay into a running daemon's point, two replays at once, a second
#     run with another --pin-root, and detach while the daemon runs are refused in one line
#     naming the holder's pid; the daemon's exit line says "still attached and counting" only
#     when it is (not once its pins are gone, nor from a bpffs of its own under `ip netns exec`);
#     --pin-root over a folder that is not empty is not mounted over; a run whose drains could
#     not be stored exits 1.
#  C. Captures and queues: a capture whose clock jumps from 2009 to 2030 is written as one
#     unknown update (totals.rrd's last_update is 2030's, the rows before it unknown, not zero);
#     time stamps near 2^64 us or with a fraction of a second that is not one are refused; a
#     capture at the epoch is stored; a row of rrd-queue from 2100 is not written, one naming an
#     untracked key makes no file; --max-pairs overflow and a full disk under the RRD files are
#     said; the alert command of replay runs with no capability and no_new_privs.
#  D. Daily files of another point or day, with repeated lines or sums past 2^64, `tracked`
#     dates that are no date, loose dates on the command line, and FIFOs in place of files.
source "$(dirname "$0")/lib.sh"

require_root
require_cmd ip python3 rrdtool perl mkfifo
MKPCAP=$SRC_ROOT/.output/tools/mkpcap
[ -x "$MKPCAP" ] || t_skip_all "mkpcap is not built (make)"

WORK=$(mktemp -d)
on_exit rm -rf "$WORK"
chmod 755 "$WORK"
# The binaries under test are the ones built when the test starts.
cp "$SW" "$WORK/scanwatch" && cp "$MKPCAP" "$WORK/mkpcap" || t_skip_all "cannot copy the binaries"
SW=$WORK/scanwatch MKPCAP=$WORK/mkpcap
GEO=$WORK/geo.mmdb
perl "$SRC_ROOT/tests/mkgeodb.pl" "$GEO" flat || t_skip_all "mkgeodb.pl"
echo "# no configured keys" >"$WORK/keys"

# A root-only file and folder that links will point to: neither may change.
SECRET=$WORK/secret
printf 'root only\n' >"$SECRET" && chmod 600 "$SECRET"
SECRET_SUM=$(md5sum <"$SECRET")
ROOTDIR=$WORK/rootdir
mkdir -m 700 "$ROOTDIR" && echo keep >"$ROOTDIR/keep"
secret_same() { [ "$(md5sum <"$SECRET")" = "$SECRET_SUM" ] && [ "$(ls -A "$ROOTDIR")" = keep ]; }

T1=1254355200    # 2009-10-01T00:00Z
T2=1893456000    # 2030-01-01T00:00Z
DAY1=2009-10-01
# C1: five SYNs to tcp/445 from two sources and two RSTs... mkpcap sends SYN, UDP and echo only:
# three SYNs from .7 and two from .8, ten minutes apart (two intervals of the same day).
printf '%s 198.18.0.7 192.0.2.1 tcp 445 3\n%s 198.18.0.8 192.0.2.1 tcp 445 2\n' \
	"$T1" $((T1 + 600)) | "$MKPCAP" "$WORK/c1.pcap" >/dev/null
# C2: one more SYN later that day, to a new key.
printf '%s 198.18.0.9 192.0.2.1 tcp 22 1\n' $((T1 + 1200)) | "$MKPCAP" "$WORK/c2.pcap" >/dev/null

replay() { "$SW" replay --geoip "$GEO" --keys "$WORK/keys" "$@"; }
accesses() { # accesses DATA_DIR POINT DAY: from the daily summaries
	"$SW" summary --data-dir "$1" --point "$2" --day "$3" --json 2>/dev/null |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["accesses"])'
}

# expect DESC CODE PATTERN COMMAND...: exit CODE, exactly one error line on stderr, matching
# PATTERN, and no warning; and the root-only file and folder unchanged.
expect() {
	local desc=$1 code=$2 pat=$3 rc why=""
	shift 3
	"$@" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	[ "$rc" = "$code" ] || why+="exit $rc, not $code; "
	# Error lines: scanwatch's own, and a subcommand's usage line ("scanwatch summary: ...").
	[ "$(grep -cE '^scanwatch: error:|^scanwatch [a-z]+: ' "$WORK/err")" = $([ "$code" = 0 ] && echo 0 || echo 1) ] ||
		why+="$(grep -cE '^scanwatch: error:|^scanwatch [a-z]+: ' "$WORK/err") error lines; "
	grep -q 'warning:' "$WORK/err" && why+="a warning; "
	grep -qvE '^scanwatch( [a-z]+)?: ' "$WORK/err" && why+="a line not scanwatch's; "
	[ -z "$pat" ] || grep -qE -- "$pat" "$WORK/err" || why+="stderr lacks /$pat/; "
	secret_same || why+="the root-only file or folder changed; "
	if [ -z "$why" ]; then t_ok "$desc: exit $rc${pat:+, $(grep -E -- "$pat" "$WORK/err" | head -n 1 | cut -c1-150)}"
	else t_fail "$desc: $why"; sed 's/^/#   stderr: /' "$WORK/err" | head -n 5; fi
}
# warned DESC PATTERN COMMAND...: exit 0, no error, one warning matching PATTERN.
warned() {
	local desc=$1 pat=$2 rc why=""
	shift 2
	"$@" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	[ "$rc" = 0 ] || why+="exit $rc; "
	grep -q 'error:' "$WORK/err" && why+="an error line; "
	[ "$(grep -cE -- "warning: .*$pat" "$WORK/err")" = 1 ] || why+="no single warning /$pat/; "
	secret_same || why+="the root-only file or folder changed; "
	if [ -z "$why" ]; then t_ok "$desc: $(grep -E -- "$pat" "$WORK/err" | head -n 1 | cut -c1-150)"
	else t_fail "$desc: $why"; sed 's/^/#   stderr: /' "$WORK/err" | head -n 5; fi
}

### A. Links planted at the names written; modes.
for um in 000 022; do
	D=$WORK/modes-$um
	( umask $um; replay --point p --data-dir "$D" "$WORK/c1.pcap" 2>/dev/null )
	t_eq "$(accesses "$D" p $DAY1)" 5 "A. umask $um: replay stored the 5 SYNs mkpcap wrote"
	t_eq "$(find "$D" -type f -perm /027 | wc -l)" 0 \
		"A. umask $um: no file of the data directory is group-writable or for others ($(find "$D" -type f | wc -l) files)"
	t_eq "$(find "$D" -type d -perm /027 | wc -l)" 0 \
		"A. umask $um: no folder of the data directory is group-writable or for others"
	t_eq "$(stat -c %a "$D/p/sources/$DAY1.pairs" "$D/p/daily/$DAY1.txt" "$D/p/totals.rrd" "$D/p/lock" | sort -u)" 640 \
		"A. umask $um: the sources log, daily summary, RRD file and lock are 0640"
	t_eq "$(stat -c %a "$D/p" "$D/p/daily" "$D/p/keys" | sort -u)" 750 "A. umask $um: folders are 0750"
	( umask $um; "$SW" graph --data-dir "$D" --out "$WORK/graph-$um" --chart kinds --start $DAY1 \
		--end $DAY1 --format svg >/dev/null 2>&1 )
	( umask $um; "$SW" report --data-dir "$D" --month 2009-10 --out "$WORK/report-$um" >/dev/null 2>&1 )
	t_eq "$(stat -c %a "$WORK/graph-$um/kinds-accesses.svg" "$WORK/report-$um/report.md" "$WORK/report-$um/keys-accesses.png" | sort -u)" 644 \
		"A. umask $um: charts and the report are 0644 (made to be published, never writable by others)"
	t_eq "$(stat -c %a "$WORK/graph-$um" "$WORK/report-$um" | sort -u)" 755 "A. umask $um: --out folders are 0755"
done

BASE=$WORK/base
replay --point p --data-dir "$BASE" "$WORK/c1.pcap" 2>/dev/null
t_eq "$(accesses "$BASE" p $DAY1)" 5 "A. the base data directory holds the 5 SYNs of c1"
# planted NAME: a copy of the base with a link at NAME (relative to the point) to the secret.
planted() {
	D=$WORK/plant-$((++NPLANT))
	cp -a "$BASE" "$D" && rm -f "$D/p/$1" && ln -s "$2" "$D/p/$1"
}
NPLANT=0
for name in daily/$DAY1.txt sources/$DAY1.pairs tracked rrd-queue totals.rrd keys/tcp_22.rrd lock; do
	case $name in
	daily/* | sources/*) code=2 ;; # bad input: the day's files are not what scanwatch wrote
	*) code=1 ;;
	esac
	planted "$name" "$SECRET"
	[ "$name" = keys/tcp_22.rrd ] && printf 'tcp/22\n' >"$WORK/keys22"
	expect "A. a link at $name: refused" $code "$name: it is a symbolic link" \
		"$SW" replay --geoip "$GEO" --keys "$([ "$name" = keys/tcp_22.rrd ] && echo "$WORK/keys22" || echo "$WORK/keys")" \
		--point p --data-dir "$D" "$WORK/c2.pcap"
	t_true "A. ... and the link at $name is still the link planted" test -L "$D/p/$name"
done
# The names written first until now: a link there is left alone, the files written are new.
planted "daily/$DAY1.txt.tmp" "$SECRET"
ln -s "$SECRET" "$D/p/tracked.tmp"
ln -s "$SECRET" "$D/p/rrd-queue.tmp"
expect "A. links at the old temporary names (daily, tracked, rrd-queue): replay succeeds" 0 "" \
	replay --point p --data-dir "$D" "$WORK/c2.pcap"
t_eq "$(accesses "$D" p $DAY1)" 6 "A. ... and stores c2's SYN on top of c1's 5"
t_true "A. ... leaving those links as they were" test -L "$D/p/daily/$DAY1.txt.tmp" -a -L "$D/p/tracked.tmp"
t_eq "$(find "$D" -name '.*' | wc -l)" 0 "A. ... and no temporary file behind"
# The victims log is appended to after the day's summary counts the interval: a link there
# loses that interval's victims, said in a warning, never the counts.
planted "victims/$DAY1.txt" "$SECRET"
printf '%s 198.18.0.5 192.0.2.1 echo 0 1\n' $((T1 + 1500)) | "$MKPCAP" "$WORK/echo.pcap" >/dev/null
python3 - "$WORK/rst.pcap" $((T1 + 1500)) <<'EOF'
# One TCP RST from 198.18.0.6 port 80, backscatter: a victims line.
import struct, sys
eth = bytes.fromhex('020000000001020000000002') + b'\x08\x00'
tcp = struct.pack('!HHIIBBHHH', 80, 40000, 1, 0, 0x50, 0x04, 0, 0, 0)
ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 40, 1, 0, 64, 6, 0, bytes([198, 18, 0, 6]), bytes([192, 0, 2, 1]))
s = sum(struct.unpack('!10H', ip)); s = (s & 0xffff) + (s >> 16); s = (s & 0xffff) + (s >> 16)
ip = ip[:10] + struct.pack('!H', ~s & 0xffff) + ip[12:]
f = eth + ip + tcp
with open(sys.argv[1], 'wb') as o:
    o.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    o.write(struct.pack('<IIII', int(sys.argv[2]), 0, len(f), len(f)) + f)
EOF
warned "A. a link at victims/$DAY1.txt: the interval's victims are not written" \
	"victims/$DAY1.txt: it is a symbolic link" replay --point p --data-dir "$D" "$WORK/rst.pcap"
t_eq "$(accesses "$D" p $DAY1)" 6 "A. ... the RST is counted all the same: 5 + 1"
# Folders that are links: refused, nothing made in what they point to.
for name in daily keys; do
	D=$WORK/plant-$((++NPLANT))
	cp -a "$BASE" "$D" && rm -rf "${D:?}/p/$name" && ln -s "$ROOTDIR" "$D/p/$name"
	expect "A. the folder $name is a link: refused" 1 "$name: it is a symbolic link" \
		replay --point p --data-dir "$D" "$WORK/c2.pcap"
done
D=$WORK/plant-$((++NPLANT))
mkdir "$D" && ln -s "$ROOTDIR" "$D/p"
expect "A. the point's folder is a link: refused" 1 "p: it is a symbolic link" \
	replay --point p --data-dir "$D" "$WORK/c2.pcap"

# graph and report: links at every output name and at the old temporary names.
G=$WORK/graph-links
mkdir "$G"
for f in kinds-accesses.svg kinds-sources.svg kinds-accesses.svg.tmp; do ln -s "$SECRET" "$G/$f"; done
expect "A. graph with links at its charts' names and their old temporary names" 0 "" \
	"$SW" graph --data-dir "$BASE" --out "$G" --chart kinds --start $DAY1 --end $DAY1 --format svg
t_true "A. ... wrote its charts as files of its own" \
	test -f "$G/kinds-accesses.svg" -a ! -L "$G/kinds-accesses.svg" -a ! -L "$G/kinds-sources.svg"
t_true "A. ... and left the link at the old temporary name" test -L "$G/kinds-accesses.svg.tmp"
R=$WORK/report-links
mkdir "$R"
for f in report.md report.html keys-accesses.png keys-accesses.png.tmp; do ln -s "$SECRET" "$R/$f"; done
expect "A. report with links at report.md, report.html and a chart" 0 "" \
	"$SW" report --data-dir "$BASE" --month 2009-10 --out "$R"
t_true "A. ... wrote them as files of its own" \
	test -f "$R/report.md" -a ! -L "$R/report.md" -a ! -L "$R/report.html" -a ! -L "$R/keys-accesses.png"
t_true "A. ... the report counts c1's 5 accesses" grep -q 'totalled \*\*5\*\*' "$R/report.md"
ln -s "$ROOTDIR" "$WORK/graph-out-link"
expect "A. graph --out a link: refused" 1 "graph-out-link: it is a symbolic link" \
	"$SW" graph --data-dir "$BASE" --out "$WORK/graph-out-link" --chart kinds --start $DAY1 --end $DAY1
expect "A. report --out a link: refused" 1 "graph-out-link: it is a symbolic link" \
	"$SW" report --data-dir "$BASE" --month 2009-10 --out "$WORK/graph-out-link"

### C. Captures, clocks and queues.
# 2009 to 2030: five SYNs on 2009-10-01, one on 2030-01-01 00:00.
printf '%s 198.18.0.7 192.0.2.1 tcp 445 3\n%s 198.18.0.8 192.0.2.1 tcp 445 2\n%s 198.18.0.9 192.0.2.1 tcp 22 1\n' \
	"$T1" $((T1 + 600)) "$T2" | "$MKPCAP" "$WORK/jump.pcap" >/dev/null
D=$WORK/jump
expect "C. a capture from 2009 to 2030 is replayed" 0 "" replay --point p --data-dir "$D" "$WORK/jump.pcap"
t_eq "$(rrdtool info "$D/p/totals.rrd" | sed -n 's/^last_update = //p')" $((T2 + 60)) \
	"C. totals.rrd was last updated for the 2030 interval (2030-01-01T00:01Z)"
# fetch_rows FILE FROM TO: the step archive's acc_scan values, one a line.
fetch_rows() {
	rrdtool fetch "$1" AVERAGE -r 60 -s "$2" -e "$3" |
		awk -F'[: ]+' -v last="$3" '/^[0-9]+:/ && $1 <= last { print $2 }'
}
t_eq "$(fetch_rows "$D/p/totals.rrd" $((T2 - 240)) $((T2 + 60)) | tr '\n' ' ')" \
	"-nan -nan -nan -nan 1.0000000000e+00 " \
	"C. the rows before 2030's are unknown (one update over the gap, no zero row per minute), 2030's is the 1 SYN"
t_eq "$(accesses "$D" p 2030-01-01)/$(accesses "$D" p $DAY1)" 1/5 "C. the daily summaries have 1 and 5 accesses"
python3 - "$WORK" <<'EOF'
# A pcapng packet 2^64 - 4096 microseconds after 1970, and a pcap (nanosecond) one whose
# fraction of a second is 1e9: neither is a time.
import struct, sys
w = sys.argv[1]
eth = bytes.fromhex('020000000001020000000002') + b'\x08\x00'
tcp = struct.pack('!HHIIBBHHH', 40000, 445, 1, 0, 0x50, 0x02, 65535, 0, 0)
ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 40, 1, 0, 64, 6, 0, bytes([198, 18, 0, 7]), bytes([192, 0, 2, 1]))
s = sum(struct.unpack('!10H', ip)); s = (s & 0xffff) + (s >> 16); s = (s & 0xffff) + (s >> 16)
f = eth + ip[:10] + struct.pack('!H', ~s & 0xffff) + ip[12:] + tcp
t = 2**64 - 4096
shb = struct.pack('<IIIHHq', 0x0A0D0D0A, 28, 0x1A2B3C4D, 1, 0, -1) + struct.pack('<I', 28)
idb = struct.pack('<IIHHI', 1, 20, 1, 0, 65535) + struct.pack('<I', 20)
pad = (4 - len(f) % 4) % 4
epb = struct.pack('<IIIIIII', 6, 32 + len(f) + pad, 0, t >> 32, t & 0xffffffff, len(f), len(f)) + f + b'\0' * pad + struct.pack('<I', 32 + len(f) + pad)
open(w + '/huge.pcapng', 'wb').write(shb + idb + epb)
with open(w + '/frac.pcap', 'wb') as o:
    o.write(struct.pack('<IHHiIII', 0xa1b23c4d, 2, 4, 0, 0, 65535, 1))
    o.write(struct.pack('<IIII', 1254355200, 1000000000, len(f), len(f)) + f)
with open(w + '/epoch.pcap', 'wb') as o:
    o.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    o.write(struct.pack('<IIII', 0, 0, len(f), len(f)) + f)
EOF
expect "C. a pcapng time stamp near 2^64 us is refused" 2 \
	"huge.pcapng: packet 1 has a time stamp no clock can have" \
	replay --point p --data-dir "$WORK/huge" "$WORK/huge.pcapng"
t_eq "$(find "$WORK/huge" -name '*.txt' | wc -l)" 0 "C. ... and no day of some other century was stored"
expect "C. a pcap time stamp whose fraction is 1e9 ns is refused" 2 \
	"frac.pcap: packet 1 has a time stamp no clock can have" \
	replay --point p --data-dir "$WORK/frac" "$WORK/frac.pcap"
expect "C. a capture at the epoch is stored, no error" 0 "" \
	replay --point p --data-dir "$WORK/epoch" "$WORK/epoch.pcap"
t_eq "$(accesses "$WORK/epoch" p 1970-01-01)" 1 "C. ... its SYN counted on 1970-01-01"
t_eq "$(rrdtool info "$WORK/epoch/p/totals.rrd" | sed -n 's/^last_update = //p')" 60 \
	"C. ... and written to totals.rrd's first interval (last_update 60)"

# rrd-queue: a row from 2100 and one for a key file nobody tracks.
D=$WORK/queue
mkdir -p "$D/p"
printf 'step 60\nrow totals.rrd 4102444800 7 0 0 7 0 0\nrow keys/tcp_9999.rrd %s 1 0 0 1 0 0\n' \
	$((T1 + 60)) >"$D/p/rrd-queue"
replay --point p --data-dir "$D" "$WORK/c1.pcap" 2>"$WORK/err"
t_eq "$?" 0 "C. replay over an rrd-queue with a row from 2100 exits 0"
t_eq "$(grep -c 'rows end after the clock (the first, line 2, at 2100-01-01T00:00Z)' "$WORK/err")" 1 \
	"C. ... one warning says the 2100 row is not written"
t_eq "$(rrdtool info "$D/p/totals.rrd" | sed -n 's/^last_update = //p')" $((T1 + 660)) \
	"C. ... totals.rrd's last_update is c1's last interval (2009-10-01T00:11Z), not 2100"
t_true "C. ... the queue line for keys/tcp_9999.rrd made no file" test ! -e "$D/p/keys/tcp_9999.rrd"
for bad in 'keys/zz_1.rrd' 'keys/../../x.rrd' 'keys/tcp_0445.rrd' 'areas/jp.rrd'; do
	mkdir -p "$WORK/q2/p" && printf 'step 60\nrow %s %s 1 0 0 1 0 0\n' "$bad" $((T1 + 60)) >"$WORK/q2/p/rrd-queue"
	expect "C. a queue line naming $bad is refused" 1 "rrd-queue:2: not a row scanwatch wrote" \
		replay --point p --data-dir "$WORK/q2" "$WORK/c1.pcap"
done

# --max-pairs: 2000 sources in one interval, 1024 pairs of room: 976 packets' sources dropped.
for i in $(seq 0 1999); do
	printf '%s 198.18.%d.%d 192.0.2.1 tcp 23 1\n' "$T1" $((i / 250)) $((i % 250 + 1))
done | "$MKPCAP" "$WORK/many.pcap" >/dev/null
replay --point p --data-dir "$WORK/many" --max-pairs 1024 "$WORK/many.pcap" 2>"$WORK/err"
t_eq "$?" 0 "C. replay --max-pairs 1024 of 2000 sources exits 0"
t_eq "$(grep -c 'warning: point p: 976 packets counted without their source: .* 976 came from more (source, key) pairs than --max-pairs' "$WORK/err")" 1 \
	"C. ... warning, as run does, of the 2000 - 1024 = 976 packets whose pair found no room"
t_eq "$("$SW" summary --data-dir "$WORK/many" --day $DAY1 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["dropped"])')" 976 \
	"C. ... which the summary counts as dropped"

# A full disk under the RRD files: 1 MB holds the day's small files, not a 1.9 MB RRD file.
FULL=$WORK/full
mkdir "$FULL" && mount -t tmpfs -o size=1m tmpfs "$FULL" && on_exit umount "$FULL"
replay --point p --data-dir "$FULL/d" "$WORK/echo.pcap" 2>"$WORK/err"
t_eq "$?" 1 "C. replay onto a full disk under the RRD files exits 1"
t_true "C. ... saying 'No space left on device' for totals.rrd ($(grep -m1 totals.rrd "$WORK/err" | cut -c1-120))" \
	grep -q 'totals.rrd: No space left on device' "$WORK/err"
t_true "C. ... never 'Input/output error'" sh -c "! grep -q 'Input/output error' '$WORK/err'"

# The alert command of replay: a trend alert on tcp/445 (1 access on 2009-10-01, 100 from 100
# sources on 10-02: score sqrt(101/2 * 101/2) = 50.5 >= 3, 100 >= 50 accesses, 100 >= 10
# sources; a baseline of that one day: --trend-days 1), raised once 10-03 starts. The command
# records its own capabilities.
{
	printf '%s 198.18.0.7 192.0.2.1 tcp 445 1\n' "$T1"
	for i in $(seq 1 100); do printf '%s 198.18.1.%d 192.0.2.1 tcp 445 1\n' $((T1 + 86400 + i)) "$i"; done
	printf '%s 198.18.0.7 192.0.2.1 tcp 445 1\n' $((T1 + 2 * 86400 + 5))
} | "$MKPCAP" "$WORK/trend.pcap" >/dev/null
cat >"$WORK/caps.sh" <<'EOF'
#!/bin/sh
grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):' /proc/self/status >"$1.part" && mv "$1.part" "$1"
EOF
chmod 755 "$WORK/caps.sh"
replay --point p --data-dir "$WORK/trend" --interval 3600 --trend-days 1 \
	--alert-command "$WORK/caps.sh $WORK/caps" \
	"$WORK/trend.pcap" 2>"$WORK/err"
t_eq "$?" 0 "C. replay with --alert-command exits 0"
t_true "C. ... raised the trend alert on tcp/445" grep -q 'warning: alert: .*tcp/445.*trend' "$WORK/err"
t_true "C. ... and ran the command" wait_for 10 test -s "$WORK/caps"
t_eq "$(awk '{print $2}' "$WORK/caps" | tr '\n' ' ')" \
	"0000000000000000 0000000000000000 0000000000000000 0000000000000000 0000000000000000 1 " \
	"C. ... which had no capability in any set (inheritable, permitted, effective, bounding, ambient) and no_new_privs"
D=$WORK/trend-link
mkdir -p "$D/p" && ln -s "$SECRET" "$D/p/alerts.log"
replay --point p --data-dir "$D" --interval 3600 --trend-days 1 "$WORK/trend.pcap" 2>"$WORK/err"
t_eq "$?" 0 "C. replay raising an alert with a link at alerts.log exits 0"
t_true "C. ... saying the alert cannot be logged there" \
	grep -q 'cannot append to .*alerts.log: it is a symbolic link' "$WORK/err"
t_true "C. ... and the root-only file is unchanged" secret_same

### D. Files trusted too much, dates, FIFOs.
D=$WORK/trust
cp -a "$BASE" "$D"
mkdir -p "$D/q/daily" && cp "$D/p/daily/$DAY1.txt" "$D/q/daily/"
expect "D. a daily file of point p under point q is refused" 2 \
	"q/daily/$DAY1.txt is the summary of point p on $DAY1, not of q on $DAY1" \
	"$SW" summary --data-dir "$D" --point q --day $DAY1
expect "D. ... also when all points are summed" 2 "is the summary of point p" \
	"$SW" summary --data-dir "$D" --day $DAY1
rm -r "$D/q"
cp "$D/p/daily/$DAY1.txt" "$D/p/daily/2009-10-02.txt"
expect "D. a daily file of another day is refused" 2 "not of p on 2009-10-02" \
	"$SW" summary --data-dir "$D" --point p --month 2009-10
expect "D. ... by report too" 2 "not of p on 2009-10-02" \
	"$SW" report --data-dir "$D" --month 2009-10 --out "$WORK/report-trust"
rm "$D/p/daily/2009-10-02.txt"
cp "$D/p/daily/$DAY1.txt" "$WORK/day.txt"
for dup in 'area JP 1 1' 'stat packets 9' 'date 2009-10-01' 'point p'; do
	{ cat "$WORK/day.txt"; echo "$dup"; [ "${dup%% *}" = area ] && echo "$dup"; } >"$D/p/daily/$DAY1.txt"
	expect "D. a daily file repeating '${dup%% *} ...' is refused" 2 "$DAY1.txt:[0-9]+: (area listed twice|stat repeated|line repeated)" \
		"$SW" summary --data-dir "$D" --point p --day $DAY1
done
{ grep -v '^key' "$WORK/day.txt"; echo "key tcp/445 scan 18446744073709551615 1 0 0 0 0"; echo "key tcp/22 scan 1 1 0 0 0 0"; } >"$D/p/daily/$DAY1.txt"
expect "D. daily counts whose sum passes 2^64 - 1 are refused, not wrapped around" 2 \
	"point p on $DAY1: counts too large" "$SW" summary --data-dir "$D" --point p --day $DAY1
cp "$WORK/day.txt" "$D/p/daily/$DAY1.txt"
printf 'key tcp/8443 2009-10-01\nkey tcp/8080 2009-99-99\n' >"$D/p/tracked"
expect "D. a tracked file dated 2009-99-99 is refused" 1 "tracked:2: expected 'key KEY YYYY-MM-DD'" \
	replay --point p --data-dir "$D" "$WORK/c2.pcap"
rm "$D/p/tracked"
for v in 2009-+1 '2009- 9' 2009-1x; do
	expect "D. summary --month '$v' is refused" 2 "--month takes YYYY-MM" "$SW" summary --data-dir "$D" --month "$v"
	expect "D. report --month '$v' is refused" 2 "" "$SW" report --data-dir "$D" --month "$v" --out "$WORK/r-$v"
	expect "D. alerts --since '$v' is refused" 2 "" "$SW" alerts --data-dir "$D" --since "$v"
	expect "D. graph --start '$v-01' is refused" 2 "" "$SW" graph --data-dir "$D" --out "$WORK/g" --start "$v-01"
done
for v in 2009-02-29 2009-1-01 '2009-10-+1' 2009-10-01x; do
	expect "D. summary --day '$v' is refused" 2 "--day takes YYYY-MM-DD" "$SW" summary --data-dir "$D" --day "$v"
done
expect "D. summary --day 2008-02-29 (a leap day) is taken" 0 "" "$SW" summary --data-dir "$D" --day 2008-02-29
mkfifo "$D/p/daily/2009-10-03.txt"
expect "D. a FIFO in place of a daily file: summary refuses it at once" 2 "2009-10-03.txt: not a regular file" \
	timeout 20 "$SW" summary --data-dir "$D" --month 2009-10
expect "D. ... and report" 2 "2009-10-03.txt: not a regular file" \
	timeout 60 "$SW" report --data-dir "$D" --month 2009-10 --out "$WORK/report-fifo"
rm "$D/p/daily/2009-10-03.txt"
mkfifo "$D/p/rrd-queue"
expect "D. a FIFO at rrd-queue: replay refuses it at once" 1 "rrd-queue: not a regular file" \
	timeout 20 "$SW" replay --geoip "$GEO" --keys "$WORK/keys" --point p --data-dir "$D" "$WORK/c2.pcap"

### B. One writer per point; the daemon's exit line; the pin root.
NA=$(uniq_name h) NB=$(uniq_name k) IA=$(uniq_name i) IB=$(uniq_name j)
if ! netns_pair "$NA" "$NB" "$IA" "$IB"; then t_fail "B. cannot build the namespaces"; t_done; fi
PIN1=$(pin_root) && PIN2=$(pin_root) || { t_fail "B. cannot mount a private bpffs"; t_done; }
POINT=$(uniq_name p)
DL=$WORK/live
DPID=
on_exit '[ -n "$DPID" ] && kill -KILL $DPID; wait_for 10 pid_gone $DPID; '"$SW"' detach --point '"$POINT"' --pin-root '"$PIN1"
pid_gone() { ! kill -0 "$1" 2>/dev/null; }
xdp_on() { ip -n "$1" -d link show dev "$2" | grep -q 'prog/xdp'; }
running() { kill -0 "$DPID" 2>/dev/null && "$SW" status --pin-root "$PIN1" 2>/dev/null | grep -q "^$POINT .*daemon running"; }
start_daemon() {
	ip netns exec "$NA" "$SW" run --point "$POINT=$IA" --data-dir "$DL" --interval 3600 \
		--pin-root "$PIN1" --keys "$WORK/keys" --geoip "$GEO" >>"$WORK/daemon.log" 2>&1 &
	DPID=$!
	wait_for 10 running
}
stop_daemon() {
	kill -TERM "$DPID"
	wait_for 30 pid_gone "$DPID"
	wait "$DPID"
	local rc=$?
	DPID=
	return $rc
}
if start_daemon; then t_ok "B. daemon $DPID runs point $POINT on $IA"; else
	t_fail "B. the daemon did not start"; sed 's/^/# /' "$WORK/daemon.log"; t_done; fi
DAEMON=$DPID
expect "B. replay into the running daemon's point is refused" 1 \
	"$DL/$POINT is being written by another scanwatch \(pid $DAEMON, run\)" \
	replay --point "$POINT" --data-dir "$DL" "$WORK/c1.pcap"
t_eq "$(ls "$DL/$POINT/daily" | wc -l)" 0 "B. ... and stored nothing there"
expect "B. a second run of the point with another --pin-root is refused" 1 \
	"$DL/$POINT is being written by another scanwatch \(pid $DAEMON, run\)" \
	ip netns exec "$NB" "$SW" run --point "$POINT=$IB" --data-dir "$DL" --pin-root "$PIN2" \
	--keys "$WORK/keys" --geoip "$GEO" --exit-after 1
t_true "B. ... leaving nothing pinned under the other pin root" test ! -e "$PIN2"
t_true "B. ... nor attached to $IB" sh -c "! ip -n $NB -d link show dev $IB | grep -q prog/xdp"
expect "B. detach while the daemon runs is refused" 1 "point $POINT is run by a scanwatch daemon \(pid $DAEMON\)" \
	"$SW" detach --point "$POINT" --pin-root "$PIN1"
t_true "B. ... the point is still pinned and attached, its daemon running" \
	sh -c "test -e '$PIN1/$POINT/link' && ip -n $NA -d link show dev $IA | grep -q prog/xdp && kill -0 $DAEMON"
stop_daemon
t_eq "$?" 0 "B. SIGTERM: the daemon exits 0"
t_true "B. ... saying it is still attached and counting, which it is" \
	sh -c "grep -q 'point $POINT: still attached and counting' '$WORK/daemon.log' && ip -n $NA -d link show dev $IA | grep -q prog/xdp"

# Two replays at once: the first reads its capture from a FIFO, so that it holds the point's
# lock while it waits for the test to write the capture (it opens it twice: checked, then read).
DR=$WORK/two
mkfifo "$WORK/c1.fifo"
"$SW" replay --geoip "$GEO" --keys "$WORK/keys" --point r --data-dir "$DR" "$WORK/c1.fifo" \
	2>"$WORK/first.err" &
FIRST=$!
timeout 10 sh -c "cat '$WORK/c1.pcap' >'$WORK/c1.fifo'"
t_true "B. the first replay ($FIRST) holds the point's lock" wait_for 10 grep -q "^$FIRST replay" "$DR/r/lock"
expect "B. a second replay of the point meanwhile is refused" 1 \
	"$DR/r is being written by another scanwatch \(pid $FIRST, replay\)" \
	replay --point r --data-dir "$DR" "$WORK/c1.pcap"
timeout 10 sh -c "cat '$WORK/c1.pcap' >'$WORK/c1.fifo'"
wait "$FIRST"
t_eq "$?" 0 "B. the first replay then ends, exit 0"
t_eq "$(accesses "$DR" r $DAY1)" 5 "B. ... and the point holds its 5 accesses, none of the refused one's"

# The exit line after the pins were taken away by hand: not "still attached".
start_daemon || t_fail "B. restart the daemon"
rm -f "$PIN1/$POINT"/*
stop_daemon
t_eq "$?" 0 "B. SIGTERM after the pins were removed: exit 0"
t_true "B. ... the exit line says the pins are gone ($(grep -a 'pins are gone' "$WORK/daemon.log" | tail -n 1 | cut -c1-100))" \
	grep -q "point $POINT: its pins are gone: it stops counting as this daemon exits" "$WORK/daemon.log"
t_eq "$(grep -c "point $POINT: still attached" "$WORK/daemon.log")" 1 "B. ... and not 'still attached' (said once, by the first stop)"
t_true "B. ... and indeed nothing is attached to $IA once it is gone" wait_for 10 sh -c "! ip -n $NA -d link show dev $IA | grep -q prog/xdp"
"$SW" detach --point "$POINT" --pin-root "$PIN1" >/dev/null 2>&1

# Under `ip netns exec`, /sys is the namespace's own: a bpffs mounted there dies with it.
if [ "$(ip netns exec "$NA" stat -f -c %T /sys/fs/bpf)" = bpf_fs ]; then
	t_fail "B. ip netns exec shares the host's bpffs here: cannot make a private one"
else
	P2=$(uniq_name q)
	ip netns exec "$NA" "$SW" run --point "$P2=$IA" --data-dir "$WORK/private" --interval 1 \
		--exit-after 1 --keys "$WORK/keys" --geoip "$GEO" >"$WORK/private.log" 2>&1
	t_eq "$?" 0 "B. run under ip netns exec on a bpffs of its own: exit 0"
	t_true "B. ... its exit line says the program stops with the namespace" \
		grep -q "point $P2: its pins are in a BPF file system this daemon mounted where only its own mount namespace sees it" "$WORK/private.log"
	t_eq "$(grep -c 'still attached and counting' "$WORK/private.log")" 0 "B. ... not 'still attached and counting'"
	t_true "B. ... and indeed nothing stays attached to $IA" wait_for 10 sh -c "! ip -n $NA -d link show dev $IA | grep -q prog/xdp"
fi

mkdir -p "$WORK/notbpf" && echo keep >"$WORK/notbpf/keep"
# In the mount namespace the run had (ip netns exec makes one), what is mounted there is said.
notbpf_run() {
	ip netns exec "$NA" sh -c '"$1" run --point "$2" --data-dir "$3" --pin-root "$4/scanwatch" \
		--keys "$5" --geoip "$6" --exit-after 1; rc=$?
		grep -q " $4 " /proc/mounts && echo "$4 was mounted over" >&2
		test -f "$4/keep" || echo "$4/keep is hidden" >&2
		exit $rc' sh "$SW" "$POINT=$IA" "$WORK/nb" "$WORK/notbpf" "$WORK/keys" "$GEO"
}
expect "B. --pin-root in a folder that is not bpffs and not empty is refused, nothing mounted over it" 1 \
	"notbpf is not a BPF file system and is not empty" notbpf_run
t_true "B. ... its file still there" test -f "$WORK/notbpf/keep"
t_true "B. ... nothing attached to $IA" sh -c "! ip -n $NA -d link show dev $IA | grep -q prog/xdp"

# A run whose drains cannot be stored (its daily folder removed under it) exits 1, not 0.
ip netns exec "$NA" "$SW" run --point "$POINT=$IA" --data-dir "$WORK/gone" --interval 2 \
	--exit-after 2 --pin-root "$PIN1" --keys "$WORK/keys" --geoip "$GEO" >"$WORK/gone.log" 2>&1 &
DPID=$!
wait_for 10 grep -q 'running as root' "$WORK/gone.log" && rm -rf "$WORK/gone/$POINT/daily"
wait_for 30 pid_gone "$DPID"
wait "$DPID"
t_eq "$?" 1 "B. run --exit-after 2 that could not store its drains exits 1 ($(grep -m1 'error:' "$WORK/gone.log" | cut -c1-100))"
DPID=
"$SW" detach --point "$POINT" --pin-root "$PIN1" >/dev/null 2>&1

t_true "the root-only file and folder never changed" secret_same
t_done
