#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# RRD files written by `scanwatch replay`, checked minute by minute against tshark's reading of the
# same capture: a two-hour capture across midnight (built here with chosen timestamps, idle minutes
# included) replayed into local files; then two points replayed from two network namespaces into
# one real rrdcached over TCP (the central store, no shared paths), and one through a unix socket,
# read back with `rrdtool fetch --daemon`. Also the start-up errors: a foreign RRD file, an
# unreachable rrdcached, a bad --keys file.
. "$(dirname "$0")/lib.sh"
require_root
require_cmd tshark rrdtool rrdcached python3 ip ss

W=$(mktemp -d /tmp/sw-trrd-XXXXXX)
on_exit rm -rf "$W"
T0=1254438000 # 2009-10-01 23:00:00 UTC: the capture runs to 01:00 on the 2nd
MIN=120

# gen OUT SEED: minutes 0-119 from T0; minutes 5-14 and every m % 9 == 4 have no packets; others
# 1-40 packets of eight sorts from 40 sources; minutes 70 and 71 (after midnight) add 60 SYNs each
# to tcp/6666, which is in no key list and joins the day's top ten when it reaches 120 >= 100.
cat >"$W/gen.py" <<'EOF'
import random, struct, sys
out, seed, t0, nmin = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rng = random.Random(seed)
DST = bytes([192, 0, 2, 10])
SRCS = [bytes([198, 51, 100, i]) for i in range(1, 21)] + [bytes([203, 0, 113, i]) for i in range(1, 21)]

def csum(b):
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

def frame(src, proto, l4):
    ipid = rng.randrange(1, 50000)
    h = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(l4), ipid, 0, 64, proto, 0, src, DST)
    h = h[:10] + struct.pack('!H', csum(h)) + h[12:]
    return b'\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00' + h + l4

def tcp(sport, dport, flags):
    return struct.pack('!HHIIBBHHH', sport, dport, rng.randrange(1, 1 << 31), 0, 0x50, flags, 65535, 0, 0)

def packet(kind, src):
    sport = rng.randrange(1024, 65535)
    if kind == 'syn445': return frame(src, 6, tcp(sport, 445, 0x02))
    if kind == 'syn22': return frame(src, 6, tcp(sport, 22, 0x02))
    if kind == 'syn23': return frame(src, 6, tcp(sport, 23, 0x02))
    if kind == 'syn31337': return frame(src, 6, tcp(sport, 31337, 0x02))
    if kind == 'synack80': return frame(src, 6, tcp(80, sport, 0x12))
    if kind == 'ack3389': return frame(src, 6, tcp(sport, 3389, 0x10))
    if kind == 'udp53': return frame(src, 17, struct.pack('!HHHH', sport, 53, 8, 0))
    if kind == 'echo': return frame(src, 1, struct.pack('!BBHHH', 8, 0, 0, rng.randrange(65536), 1))
    if kind == 'syn6666': return frame(src, 6, tcp(sport, 6666, 0x02))

SORTS = ['syn445'] * 6 + ['syn22'] * 3 + ['syn23'] * 2 + ['udp53'] * 2 + ['echo'] * 2 + \
        ['synack80'] * 2 + ['ack3389'] + ['syn31337'] * 2
pkts = []
for m in range(nmin):
    if 5 <= m < 15 or m % 9 == 4:
        continue
    for _ in range(rng.randint(1, 40)):
        pkts.append((t0 + m * 60 + rng.uniform(0, 59.9), packet(rng.choice(SORTS), rng.choice(SRCS))))
    if m in (70, 71):
        for _ in range(60):
            pkts.append((t0 + m * 60 + rng.uniform(0, 59.9), packet('syn6666', bytes([198, 51, 100, 99]))))
pkts.sort(key=lambda p: p[0])
with open(out, 'wb') as f:
    f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for t, fr in pkts:
        sec, usec = int(t), int((t - int(t)) * 1e6)
        f.write(struct.pack('<IIII', sec, usec, len(fr), len(fr)) + fr)
EOF

# The oracle: README.md's kinds and keys applied to tshark's fields, not to scanwatch's parser.
#   check.py minutes TSV FETCH FILE FROM TO: cells (minute, data source) of FETCH (an `rrdtool
#     fetch` of FILE: totals, unknown-area or a key like tcp/445) that differ from the capture,
#     for minutes FROM..TO-1; prints the count, the first few on stderr.
#   check.py day TSV FETCH DAY_START: the day's sum of src_* in FETCH, and tshark's distinct
#     (source, key, kind) of that day: "SUM DISTINCT".
cat >"$W/check.py" <<'EOF'
import math, sys
from collections import defaultdict

def truthy(v):
    return v in ('1', 'True', 'true')

def classify(f):
    # f: epoch, src, proto, sport, dport, syn, ack, rst, udp dport, icmp type
    proto = int(f[2])
    if proto == 6:
        syn, ack, rst = truthy(f[5]), truthy(f[6]), truthy(f[7])
        if not ack and not rst:
            return 'tcp/' + f[4], 'scan'
        if (syn and ack) or rst:
            return 'tcp/' + f[3], 'backscatter'
        return 'tcp/' + f[4], 'other'
    if proto == 17:
        return 'udp/' + f[8], 'scan'
    if proto == 1:
        t = int(f[9])
        if t == 8:
            return 'icmp/echo', 'scan'
        return 'icmp/%d' % t, 'backscatter' if t in (0, 3, 11) else 'other'
    return 'proto/%d' % proto, 'other'

def oracle(tsv):
    acc = defaultdict(int)  # (minute, file, ds)
    src = defaultdict(int)
    seen = set()
    pairs = defaultdict(set)  # day -> {(src, key, kind)}
    for line in open(tsv):
        f = line.rstrip('\n').split('\t')
        t = float(f[0])
        minute = int(t) - int(t) % 60
        day = int(t) - int(t) % 86400
        key, kind = classify(f)
        for name in ('totals', key, 'unknown-area'):
            ds = 'acc' if name == 'unknown-area' else 'acc_' + kind
            acc[(minute, name, ds)] += 1
        pair = (day, f[1], key, kind)
        if pair not in seen:
            seen.add(pair)
            pairs[day].add(pair[1:])
            for name in ('totals', key, 'unknown-area'):
                ds = 'src' if name == 'unknown-area' else 'src_' + kind
                acc[(minute, name, ds)] += 1
    return acc, pairs

def fetched(path):
    rows, names = {}, None
    for line in open(path):
        if not line.strip():
            continue
        if ':' not in line:
            names = line.split()
            continue
        t, vals = line.split(':')
        rows[int(t) - 60] = dict(zip(names, (float(v) for v in vals.split())))
    return rows

cmd, tsv, fetch = sys.argv[1:4]
acc, pairs = oracle(tsv)
rows = fetched(fetch)
if cmd == 'minutes':
    name, lo, hi = sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
    bad = 0
    for minute in range(lo, hi, 60):
        row = rows.get(minute)
        for ds, got in (row or {}).items():
            want = acc.get((minute, name, ds), 0)
            if math.isnan(got) or got != want:
                bad += 1
                if bad <= 5:
                    print('%s %s minute %d: rrd %s, tshark %d' % (name, ds, (minute - lo) // 60, got, want), file=sys.stderr)
        if row is None:
            bad += 1
            print('%s: no row for minute %d' % (name, (minute - lo) // 60), file=sys.stderr)
    print(bad)
elif cmd == 'day':
    day = int(sys.argv[4])
    total = sum(v for t, r in rows.items() if day <= t < day + 86400
                for ds, v in r.items() if ds.startswith('src_') and not math.isnan(v))
    print('%d %d' % (total, len(pairs[day])))
elif cmd == 'idle':
    lo, hi = int(sys.argv[4]), int(sys.argv[5])
    busy = {m for (m, name, ds) in acc if name == 'totals'}
    print(sum(1 for m in range(lo, hi, 60) if m not in busy))
elif cmd == 'joined':
    # Every captured key outside the built-in list is in the day's top ten (there are nine keys).
    days = defaultdict(lambda: defaultdict(int))
    for line in open(tsv):
        f = line.rstrip('\n').split('\t')
        days[int(float(f[0])) // 86400][classify(f)[0]] += 1
    print(' '.join(sorted({k for d in days.values() for k, n in d.items()
                           if k in ('tcp/31337', 'tcp/6666') and n >= 100})))
elif cmd == 'nan':
    minute = int(sys.argv[4])
    print(all(math.isnan(v) for v in rows[minute].values()))
EOF

capture() { # capture OUT SEED: the pcap and tshark's fields of it
	python3 "$W/gen.py" "$1" "$2" "$T0" "$MIN" || return 1
	tshark -r "$1" -T fields -e frame.time_epoch -e ip.src -e ip.proto -e tcp.srcport \
		-e tcp.dstport -e tcp.flags.syn -e tcp.flags.ack -e tcp.flags.reset -e udp.dstport \
		-e icmp.type 2>/dev/null >"$1.tsv"
}
# fetch OUT FILE [rrdtool fetch options...]: minutes -1 .. MIN of the capture
fetch() {
	local out=$1 file=$2
	shift 2
	rrdtool fetch "$@" "$file" AVERAGE -r 60 -s $((T0 - 60)) -e $((T0 + MIN * 60)) >"$out"
}
END=$((T0 + MIN * 60))
DAY2=$((T0 + 3600))

### 1. Local files
capture "$W/a.pcap" 1 || t_skip_all "cannot build the capture"
t_eq "$(wc -l <"$W/a.pcap.tsv")" "$(python3 -c "
import struct,sys
d=open('$W/a.pcap','rb').read(); n=0; o=24
while o < len(d): n += 1; o += 16 + struct.unpack('<I', d[o+8:o+12])[0]
print(n)")" "tshark reads every packet the generator wrote"
D=$W/local
"$SW" replay --point lab --data-dir "$D" "$W/a.pcap" 2>"$W/replay.err"
t_eq $? 0 "replay of the two-hour capture succeeds"
P=$D/lab
for f in totals keys/tcp_445 keys/tcp_22 keys/tcp_80 keys/tcp_3389 keys/icmp_echo keys/udp_53 \
	areas/unknown; do
	fetch "$W/$(basename $f).fetch" "$P/$f.rrd"
done
t_eq "$(python3 "$W/check.py" minutes "$W/a.pcap.tsv" "$W/totals.fetch" totals $T0 $END)" 0 \
	"totals.rrd: accesses and new sources of every kind equal tshark's, all $MIN minutes ($(python3 "$W/check.py" idle "$W/a.pcap.tsv" "$W/totals.fetch" $T0 $END) idle ones 0)"
for k in tcp/445 tcp/22 tcp/80 tcp/3389 icmp/echo udp/53; do
	t_eq "$(python3 "$W/check.py" minutes "$W/a.pcap.tsv" "$W/${k/\//_}.fetch" "$k" $T0 $END)" 0 \
		"keys/${k/\//_}.rrd equals tshark's $k per minute and kind (scan, SYN+ACK backscatter by source port, ACK other)"
done
t_eq "$(python3 "$W/check.py" minutes "$W/a.pcap.tsv" "$W/unknown.fetch" unknown-area $T0 $END)" 0 \
	"areas/unknown.rrd: documentation addresses have no country, so every access and source is there"
t_eq "$(python3 "$W/check.py" nan "$W/a.pcap.tsv" "$W/totals.fetch" $((T0 - 60)))" True \
	"the minute before the capture is unknown, not 0"
t_eq "$(python3 "$W/check.py" nan "$W/a.pcap.tsv" "$W/totals.fetch" $END)" True \
	"the minute after the capture is unknown, not 0"
read -r sum want < <(python3 "$W/check.py" day "$W/a.pcap.tsv" "$W/totals.fetch" $((T0 - 82800)))
t_eq "$sum" "$want" "2009-10-01: new-source values sum to tshark's distinct (source, key, kind) pairs"
read -r sum want < <(python3 "$W/check.py" day "$W/a.pcap.tsv" "$W/totals.fetch" $DAY2)
t_eq "$sum" "$want" "2009-10-02: new-source values sum to the day's distinct pairs (sources seen before midnight count again)"
# tcp/6666: 60 SYNs in minute 70, 60 in minute 71; it joins at 71 (120 accesses, in the top ten).
t_true "tcp/6666 joined the tracked keys" grep -q '^key tcp/6666 2009-10-02$' "$P/tracked"
fetch "$W/6666.fetch" "$P/keys/tcp_6666.rrd"
t_eq "$(python3 "$W/check.py" nan "$W/a.pcap.tsv" "$W/6666.fetch" $((T0 + 70 * 60)))" True \
	"keys/tcp_6666.rrd: minute 70, before it joined, is unknown"
t_eq "$(python3 "$W/check.py" minutes "$W/a.pcap.tsv" "$W/6666.fetch" tcp/6666 $((T0 + 71 * 60)) $END)" 0 \
	"keys/tcp_6666.rrd from minute 71 on: 60, then zeros, as tshark counts"
t_eq "$(awk '$1 == "key" {print $2}' "$P/tracked" | sort | xargs)" \
	"$(python3 "$W/check.py" joined "$W/a.pcap.tsv" "$W/totals.fetch")" \
	"the keys that joined are the captured keys outside the built-in list with >= 100 accesses in a day"

### 2. Start-up errors: one line, non-zero exit
mkdir -p "$W/foreign/lab"
rrdtool create "$W/foreign/lab/totals.rrd" --step 300 DS:bytes:COUNTER:600:0:U RRA:AVERAGE:0.5:1:10
"$SW" replay --point lab --data-dir "$W/foreign" "$W/a.pcap" 2>"$W/foreign.err"
t_eq "$?" 1 "an RRD file made by someone else with other data sources: exit 1"
t_eq "$(grep -c 'error:' "$W/foreign.err")" 1 "...with one error line"
t_true "...naming the file and its data sources" grep -q "totals.rrd was not made by scanwatch.*bytes COUNTER" "$W/foreign.err"
printf 'tcp/445\n# SMB and more\nudp/70000\n' >"$W/keys.txt"
"$SW" replay --point lab --data-dir "$W/k" --keys "$W/keys.txt" "$W/a.pcap" 2>"$W/keys.err"
t_eq "$?" 2 "a bad --keys file: exit 2"
t_true "...one line with file:line" grep -qx "scanwatch replay: $W/keys.txt:3: 'udp/70000' is not a key (.*)" "$W/keys.err"

### 3. Two points, two namespaces, one rrdcached over TCP
HUB=$(uniq_name h) NA=$(uniq_name a) NB=$(uniq_name b)
ip netns add "$HUB" && on_exit ip netns del "$HUB"
ip netns add "$NA" && on_exit ip netns del "$NA"
ip netns add "$NB" && on_exit ip netns del "$NB"
ip link add hubA netns "$HUB" type veth peer name up0 netns "$NA"
ip link add hubB netns "$HUB" type veth peer name up0 netns "$NB"
ip -n "$HUB" addr add 198.18.0.1/30 dev hubA
ip -n "$HUB" addr add 198.18.0.5/30 dev hubB
ip -n "$NA" addr add 198.18.0.2/30 dev up0
ip -n "$NB" addr add 198.18.0.6/30 dev up0
for ns in "$HUB" "$NA" "$NB"; do
	ip -n "$ns" link set lo up
	for i in $(ip -n "$ns" -o link show | awk -F': ' '$2 !~ /^lo/ {sub(/@.*/, "", $2); print $2}'); do
		ip -n "$ns" link set "$i" up
	done
done
BASE=$W/central
mkdir -p "$BASE"
ip netns exec "$HUB" rrdcached -g -B -R -F -b "$BASE" -p "$W/rrdcached.pid" \
	-l 198.18.0.1:42217 -l 198.18.0.5:42217 >"$W/rrdcached.log" 2>&1 &
RPID=$!
on_exit "kill $RPID; wait $RPID"
listening() { ip netns exec "$HUB" ss -ltnH 'sport = :42217' | grep -q .; }
wait_for 10 listening || t_fail "rrdcached listens in its namespace"

capture "$W/b.pcap" 2 || t_fail "cannot build the second capture"
ip netns exec "$NA" "$SW" replay --point east --data-dir "$W/hostA" --rrdcached 198.18.0.1:42217 \
	"$W/a.pcap" 2>"$W/east.err" &
PA=$!
ip netns exec "$NB" "$SW" replay --point west --data-dir "$W/hostB" --rrdcached 198.18.0.5:42217 \
	"$W/b.pcap" 2>"$W/west.err" &
PB=$!
wait $PA
t_eq $? 0 "point east replays from namespace $NA through rrdcached at 198.18.0.1"
wait $PB
t_eq $? 0 "point west replays from namespace $NB through rrdcached at 198.18.0.5"
t_true "the files are in rrdcached's base directory: BASE/POINT/..." \
	test -f "$BASE/east/totals.rrd" -a -f "$BASE/west/keys/tcp_445.rrd" -a -f "$BASE/west/areas/unknown.rrd"
t_true "...and not on the sensor hosts, which keep the daily summaries" \
	test ! -e "$W/hostA/east/totals.rrd" -a -f "$W/hostA/east/tracked" -a -d "$W/hostA/east/daily"
ip netns exec "$NA" bash -c "$(declare -f fetch); T0=$T0 MIN=$MIN fetch '$W/east.fetch' east/totals.rrd --daemon 198.18.0.1:42217"
ip netns exec "$NB" bash -c "$(declare -f fetch); T0=$T0 MIN=$MIN fetch '$W/west.fetch' west/keys/tcp_445.rrd --daemon 198.18.0.5:42217"
t_eq "$(python3 "$W/check.py" minutes "$W/a.pcap.tsv" "$W/east.fetch" totals $T0 $END)" 0 \
	"east/totals.rrd read back through rrdcached equals tshark's minutes of capture 1"
t_eq "$(python3 "$W/check.py" minutes "$W/b.pcap.tsv" "$W/west.fetch" tcp/445 $T0 $END)" 0 \
	"west/keys/tcp_445.rrd read back through rrdcached equals tshark's minutes of capture 2"
t_true "the two captures differ (so the two points cannot pass by sharing one file)" \
	test "$(md5sum <"$W/east.fetch")" != "$(md5sum <"$W/west.fetch")"

ip netns exec "$NA" "$SW" replay --point east2 --data-dir "$W/hostA" --rrdcached 198.18.0.1:1 \
	"$W/a.pcap" 2>"$W/unreach.err"
t_eq "$?" 1 "an unreachable rrdcached at start: exit 1"
t_eq "$(grep -c 'error:' "$W/unreach.err")" 1 "...with one error line"
t_true "...saying so" grep -q "cannot reach rrdcached at 198.18.0.1:1" "$W/unreach.err"

### 4. rrdcached on a unix socket: names are DATA_DIR/POINT/..., resolved on the client side
U=$W/udata
mkdir -p "$U"
rrdcached -g -B -F -b "$U" -p "$W/u.pid" -l "unix:$W/u.sock" >"$W/urrdcached.log" 2>&1 &
UPID=$!
on_exit "kill $UPID; wait $UPID"
wait_for 10 test -S "$W/u.sock" || t_fail "rrdcached listens on $W/u.sock"
"$SW" replay --point u --data-dir "$U" --rrdcached "unix:$W/u.sock" "$W/b.pcap" 2>"$W/u.err"
t_eq $? 0 "replay through rrdcached's unix socket"
fetch "$W/u.fetch" "$U/u/totals.rrd" --daemon "unix:$W/u.sock"
t_eq "$(python3 "$W/check.py" minutes "$W/b.pcap.tsv" "$W/u.fetch" totals $T0 $END)" 0 \
	"u/totals.rrd read back through the unix socket equals tshark's minutes"
### 5. A live daemon stopped by SIGTERM, then restarted: each packet in exactly one RRD row
# SIGTERM's last drain stores the interval in progress; its RRD row must wait (RRD takes one
# update per time) and the restarted daemon adds what came meanwhile, whichever interval it lands in.
. "$SRC_ROOT/tests/live_lib.sh"
live_setup || t_fail "live namespaces"
echo tcp/445 >"$WORK/keys"
daemon_start || t_fail "daemon attached"
b=$(rx_packets)
send "$WORK/sent" --dst 192.0.2.1 --kind syn --dport 445 --count 5 >/dev/null
wait_rx "$b" 5 || t_fail "5 SYNs arrived"
daemon_stop TERM
t_eq $? 0 "SIGTERM: the daemon drains once more and exits 0"
t_true "the interval in progress waits in rrd-queue" grep -q '^row keys/tcp_445.rrd ' "$DATA_DIR/$POINT/rrd-queue"
b=$(rx_packets)
send "$WORK/sent" --dst 192.0.2.1 --kind syn --dport 445 --count 3 >/dev/null
wait_rx "$b" 3 || t_fail "3 more SYNs arrived while no daemon ran"
daemon_start --exit-after 3 || t_fail "daemon resumed"
wait_for 30 pid_gone "$DPID"
now=$(date +%s)
rrdtool fetch "$DATA_DIR/$POINT/keys/tcp_445.rrd" AVERAGE -r 1 -s $((now - 600)) -e "$now" >"$W/live.fetch"
t_eq "$(awk -F'[: ]+' 'NR > 2 && $2 !~ /nan/ {s += $2} END {print s + 0}' "$W/live.fetch")" 8 \
	"keys/tcp_445.rrd: the rows add up to the 5 + 3 SYNs sent, none lost or counted twice"
t_true "rrd-queue is gone once written" test ! -e "$DATA_DIR/$POINT/rrd-queue"
t_eq "$(grep -c 'already hold' "$WORK/daemon.log")" 0 "no row was refused as already written"
t_done
