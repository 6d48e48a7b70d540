#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Hostile input: a short run of every libFuzzer target of tests/fuzz (make fuzz: ASan,
# UBSan, libFuzzer's leak check), each from seeds this test makes out of small valid inputs:
# daily files and pair logs written by `scanwatch replay`, captures from tools/mkpcap in every
# link type replay reads, key lists, tracked sets and RRD queues, victims files and alerts logs,
# country databases from tests/mkgeodb.pl, command lines from the help texts. Then every input
# that once broke something (tests/fuzz/regress/TARGET/) runs again. A target passes when it ends
# without a crash, a leak, a sanitizer report or a broken property (the targets' comments say
# which); a failure shows the input that did it. Leaks in other projects' code: tests/lsan.supp.
source "$(dirname "$0")/lib.sh"

FUZZ_DIR=$SRC_ROOT/${FUZZ_OUT:-.output-fuzz}/fuzz
MKPCAP=$SRC_ROOT/.output/tools/mkpcap
SECS=${FUZZ_SECS:-3}

require_root
require_cmd python3 editcap perl
[ -x "$MKPCAP" ] || t_skip_all "tools/mkpcap is not built (make)"
ls "$FUZZ_DIR"/fuzz_* >/dev/null 2>&1 || t_skip_all "the fuzz targets are not built (make fuzz)"

# tmpfs when there is one: the store syncs every file it writes.
WORK=$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d)
[ -n "${FUZZ_KEEP:-}" ] || on_exit rm -rf "$WORK"
SEEDS=$WORK/seeds
mkdir -p "$SEEDS"/{cli_run,cli_replay,cli_summary,cli_graph,cli_status,cli_top,cli_report,cli_alerts}
mkdir -p "$SEEDS"/{keys,rrdstate,dayfile,logs,geoip,capture,packets,config,research}

# --- Seeds. Country databases in both record layouts user/store/geoip.c reads...
perl "$SRC_ROOT/tests/mkgeodb.pl" "$SEEDS/geoip/flat.mmdb" flat &&
	perl "$SRC_ROOT/tests/mkgeodb.pl" "$SEEDS/geoip/maxmind.mmdb" maxmind ||
	t_skip_all "tests/mkgeodb.pl cannot write a database (libmaxmind-db-writer-perl)"
# ...a capture of 2009-10-07 (IPv4 and IPv6; SYN, UDP and echo; two intervals)...
cat >"$WORK/spec" <<'EOF'
1254873600 198.51.100.7 192.0.2.1 tcp 445 3
1254873601 203.0.113.9 192.0.2.1 udp 53 2
1254873630 2001:db8:1::5 2001:db8::1 tcp 22 2
1254873661 198.51.100.8 192.0.2.1 echo 0 1
1254873662 2001:db8:2::9 2001:db8::1 udp 161 1
EOF
"$MKPCAP" "$WORK/cap.pcap" <"$WORK/spec" >/dev/null || t_skip_all "mkpcap failed"
editcap -F pcapng "$WORK/cap.pcap" "$SEEDS/capture/cap.pcapng" || t_skip_all "editcap failed"
cp "$WORK/cap.pcap" "$SEEDS/capture/"
# ...the daily file and pair log replay makes of it, for point p (what fuzz_dayfile expects)...
"$SW" replay --point p --data-dir "$WORK/data" --keys /dev/null "$WORK/cap.pcap" \
	>/dev/null 2>"$WORK/replay.err" || { cat "$WORK/replay.err"; t_skip_all "replay failed"; }
# ...the same with two of its sources as research scanners (the file's research lines)...
printf '# research\n198.51.100.0/24\n2001:db8:2::/48 # one host\n' >"$SEEDS/research/small"
cp "$SRC_ROOT/dist/research-scanners.txt" "$SEEDS/research/shipped"
"$SW" replay --point p --data-dir "$WORK/data-r" --keys /dev/null --research "$SEEDS/research/small" \
	"$WORK/cap.pcap" >/dev/null 2>"$WORK/replay.err" || { cat "$WORK/replay.err"; t_skip_all "replay failed"; }
# ...and the other seeds, written out of those.
python3 - "$WORK" "$SEEDS" <<'EOF'
import struct, sys, os
work, seeds = sys.argv[1], sys.argv[2]
def put(target, name, data):
    with open(os.path.join(seeds, target, name), "wb") as f:
        f.write(data)
def two(a, b):
    return struct.pack("<H", len(a)) + a + b

# Daily file + pair log, as written, and with the log cut short or missing.
text = open(f"{work}/data/p/daily/2009-10-07.txt", "rb").read()
pairs = open(f"{work}/data/p/sources/2009-10-07.pairs", "rb").read()
put("dayfile", "replayed", two(text, pairs))
put("dayfile", "research", two(open(f"{work}/data-r/p/daily/2009-10-07.txt", "rb").read(),
                               open(f"{work}/data-r/p/sources/2009-10-07.pairs", "rb").read()))
put("dayfile", "short-log", two(text, pairs[:-5]))
put("dayfile", "text-only", two(text, b""))
# With the count of watched addresses (--watch: a /24 and a /64), past 2^64.
put("dayfile", "watched", two(text.replace(b"\nstat ", b"\nwatched 18446744073709551872\nstat ", 1),
                              pairs))

# Frames of the capture: pcap records after the 24-byte header.
raw = open(f"{work}/cap.pcap", "rb").read()
frames, off = [], 24
while off + 16 <= len(raw):
    sec, usec, incl, orig = struct.unpack("<IIII", raw[off:off + 16])
    frames.append((sec, raw[off + 16:off + 16 + incl]))
    off += 16 + incl
rec, prev = b"", frames[0][0]
for sec, fr in frames:
    rec += struct.pack("<BH", min(sec - prev, 199), len(fr)) + fr
    prev = sec
put("packets", "capture", rec)
put("packets", "runt-and-day", struct.pack("<BH", 0, 5) + b"\0" * 5 +
    struct.pack("<BH", 205, len(frames[0][1])) + frames[0][1])

# The same packets in every other link type replay reads.
def pcap(linktype, recs, magic=0xa1b2c3d4):
    out = struct.pack("<IHHiIII", magic, 2, 4, 0, 0, 65535, linktype)
    for sec, data in recs:
        out += struct.pack("<IIII", sec, 0, len(data), len(data)) + data
    return out
ip = [(s, f[14:]) for s, f in frames]
put("capture", "raw", pcap(101, ip))
put("capture", "ipv4", pcap(228, [(s, d) for s, d in ip if d[0] >> 4 == 4]))
put("capture", "sll", pcap(113, [(s, b"\0" * 14 + (b"\x08\x00" if d[0] >> 4 == 4 else b"\x86\xdd") + d) for s, d in ip]))
put("capture", "null", pcap(0, [(s, struct.pack("<I", 2 if d[0] >> 4 == 4 else 10) + d) for s, d in ip]))
put("capture", "nano", pcap(1, frames, 0xa1b23c4d))

# Key lists and tracked sets: fuzz_keys reads its input as both.
put("keys", "keys", b"tcp/445\nudp/53 # DNS\nicmp/echo\nicmp/8\nicmp6/128\nproto/47\nfrag\n\n# end\n")
put("keys", "tracked", b"# tracked\nkey tcp/445 2009-10-07\nkey udp/53 2009-10-08\narea JP 2009-10-07\narea ?? 2009-10-07\n")
put("rrdstate", "state", two(b"key tcp/445 2009-10-07\narea JP 2009-10-07\n",
    b"step 60\nrow totals.rrd 1254873660 1 2 3 4 5 6\nrow keys/tcp_445.rrd 1254873660 1 0 0 1 0 0\n"
    b"row areas/JP.rrd 1254873660 5 1\nrow fingerprints/mirai.rrd 1254873660 3\n"
    b"row overflow.rrd 1254873720 0\n"))

# A victims file as the store appends it, and an alerts.log as run and alerts write it.
put("logs", "logs", two(
    b"198.51.100.7 tcp/80 3 1254873600000000000 1254873601000000000\n"
    b"2001:db8::5 tcp/443 1 1254873602000000000 1254873602000000000\n"
    b"198.51.100.7 icmp/3 2 1254873500000000000 1254873700000000000\n",
    b"# scanwatch alerts\n"
    b"hw 1254916800 p tcp/445 scan accesses 2009-10-07T10:00Z 2009-10-07T11:00Z - - 120 30.5 - - - - open\n"
    b"hw 1254920400 p tcp/445 scan accesses 2009-10-07T10:00Z 2009-10-07T12:00Z - - 90 30.5 - - - - closed\n"
    b"surge 1254916800 p tcp/22 scan accesses 2009-10-01 2009-10-07 2009-09-01 2009-09-30 10 5 - - 100 - -\n"))

# Command lines from the help texts, arguments separated by NUL.
def argv(target, name, *args):
    put(target, name, b"\0".join(a.encode() for a in args))
argv("cli_run", "example", "--point", "tokyo1=eth0", "--watch", "192.0.2.0/24", "--data-dir",
     "/var/lib/scanwatch", "--interval", "60", "--mode", "native", "--tz", "UTC")
argv("cli_run", "more", "-p", "a=veth0", "-p", "b_2=veth1", "-d", "d", "--drop", "--user", "nobody",
     "--keys", "/dev/null", "--max-pairs", "4096", "--max-day-pairs", "100000", "--exit-after", "3",
     "--alert-command", "/bin/true x",
     "-w", "2001:db8::/32")
argv("cli_run", "host", "-p", "web1=eth0", "-d", "d", "--host-mode", "--count-service", "tcp/22",
     "--flow-expiry", "120", "--egress-hook", "tc")
argv("cli_run", "help", "--help")
argv("cli_replay", "example", "--point", "lab", "--data-dir", "/tmp/sw", "--interval", "10",
     "--watch", "198.51.100.0/24", "--max-keys", "256", "--max-day-pairs", "30000", "capture.pcapng")
argv("cli_summary", "month", "--data-dir", "/var/lib/scanwatch", "--month", "2009-10", "--json")
argv("cli_summary", "range", "-d", "d", "-p", "tokyo", "--from", "2009-10-01", "--to", "2009-12-31")
argv("cli_summary", "day", "-d", "d", "--day", "2009-10-07")
argv("cli_graph", "month", "-d", "d", "-o", "out", "--start", "2009-10", "--end", "2009-10",
     "--chart", "keys", "--chart", "share", "--format", "png")
argv("cli_graph", "key", "-d", "d", "-o", "out", "--point", "tokyo", "--chart", "key", "--key",
     "tcp/445", "--kind", "scan", "--start", "2008-12-05", "--end", "2009-02-04T12:30",
     "--top", "5", "--width", "800", "--height", "300", "--print", "-r", "unix:/run/rrd.sock")
argv("cli_graph", "epoch", "-d", "d", "-o", "out", "-s", "@1254873600", "-e", "2009-10-07T10:00:00")
argv("cli_report", "example", "--data-dir", "/var/lib/scanwatch", "--month", "2009-10", "--out",
     "/var/www/2009-10", "-p", "tokyo", "--top", "5", "--width", "800", "--surge-pct", "50",
     "--trend-score", "3.5", "-r", "unix:/run/rrd.sock")
argv("cli_alerts", "example", "--data-dir", "/var/lib/scanwatch", "--since", "2009-10", "--until",
     "2009-10-31", "--json", "-p", "lab", "--surge-min", "100", "--trend-min", "50")
put("cli_status", "status", b"\0--pin-root\0/run/x")
put("cli_status", "status-json", b"\0-d\0/var/lib/scanwatch\0--json\0--tz\0Asia/Tokyo\0-g\0/x.mmdb\0--config\0/dev/null")
put("cli_status", "detach", b"\1--point\0lab\0--pin-root\0/run/x")
argv("cli_top", "once", "--once", "--json", "--point", "lab", "--count", "20", "--pin-root", "/run/x")
argv("cli_top", "short", "-p", "tokyo1", "-n", "5", "--once", "--config", "/dev/null")
argv("cli_top", "help", "--help")
EOF
[ $? -eq 0 ] || t_skip_all "cannot write the seeds"
# The configuration file as installed, and with its examples uncommented (fuzz_config).
cp "$SRC_ROOT/.output/dist/scanwatch.conf" "$SEEDS/config/default" 2>/dev/null ||
	cp "$SRC_ROOT/dist/scanwatch.conf.in" "$SEEDS/config/default"
sed 's/^#\([a-z-]* = \)/\1/' "$SEEDS/config/default" >"$SEEDS/config/uncommented"
printf 'point = a=eth0\n  # x\npoint=b=eth1\ninterval = 5\r\ndrop\nhost-mode = no\nwatch = 2001:db8::/32\n' \
	>"$SEEDS/config/short"

# run_target NAME: a short run from the seeds, then the regression inputs once each.
run_target() {
	local name=$1 bin=$FUZZ_DIR/fuzz_$1 corpus=$WORK/corpus/$1 art=$WORK/art/$1 regress
	local nseeds runs rc
	regress=$SRC_ROOT/tests/fuzz/regress/$1
	[ -x "$bin" ] || { t_fail "fuzz_$name is not built (make fuzz)"; return; }
	mkdir -p "$corpus" "$art"
	nseeds=$(ls "$SEEDS/$name" | wc -l)
	# New inputs go to the first directory; the seeds stay as made. stdin is /dev/null: a
	# parser given /dev/stdin as a file must not wait. Output of the code under test is closed.
	FUZZ_TMPDIR=$WORK LSAN_OPTIONS=suppressions=$SRC_ROOT/tests/lsan.supp:print_suppressions=0 \
		"$bin" -max_total_time="$SECS" -timeout=20 -rss_limit_mb=2048 \
		-close_fd_mask=3 -artifact_prefix="$art/" "$corpus" "$SEEDS/$name" \
		</dev/null >"$WORK/$name.log" 2>&1
	rc=$?
	runs=$(sed -n 's/^#\([0-9]*\).*DONE.*/\1/p' "$WORK/$name.log" | tail -n 1)
	if [ "$rc" -eq 0 ] && [ -n "$runs" ]; then
		t_ok "fuzz_$name: $runs inputs in ${SECS}s from $nseeds seeds, no crash, leak or broken property"
	else
		t_fail "fuzz_$name: exit $rc after ${runs:-?} inputs"
		grep -E 'ERROR|SUMMARY|fuzz:|^    #[0-9] ' "$WORK/$name.log" | head -n 20 | sed 's/^/#   /'
		for f in "$art"/*; do
			[ -f "$f" ] || continue
			echo "#   input $(basename "$f") ($(stat -c %s "$f") bytes):"
			od -A d -t x1 "$f" | head -n 8 | sed 's/^/#     /'
		done
	fi
	if [ -d "$regress" ]; then
		FUZZ_TMPDIR=$WORK LSAN_OPTIONS=suppressions=$SRC_ROOT/tests/lsan.supp \
			"$bin" -close_fd_mask=3 "$regress"/* </dev/null \
			>"$WORK/$name.regress.log" 2>&1
		rc=$?
		if [ "$rc" -eq 0 ]; then
			t_ok "fuzz_$name: the $(ls "$regress" | wc -l) inputs that once broke it pass"
		else
			t_fail "fuzz_$name: a regression input breaks it again (exit $rc)"
			grep -E 'Running:|ERROR|SUMMARY|fuzz:' "$WORK/$name.regress.log" | head -n 10 |
				sed 's/^/#   /'
		fi
	fi
}

for t in cli_run cli_replay cli_summary cli_graph cli_status cli_top cli_report cli_alerts keys rrdstate \
	dayfile logs geoip capture packets config research; do
	run_target "$t"
done
t_done
