#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `scanwatch replay` against tshark as the oracle. For each capture, tests/tshark_oracle.sh works
# out from tshark's dissection (awk, no scanwatch code) what the counting rules say must be counted; the
# test replays the capture, then compares `summary --json` over the capture's days (accesses and
# gross sources per key and kind, kinds, fingerprints, totals) and every daily file (per day: keys
# with their fingerprints, frames that are no access) with it, printing every mismatch.
# Captures: the real ones in ../shared/data; one recorded here from nmap and hping3 between two
# namespaces; a generated one over several days (UTC and Asia/Tokyo midnights); a generated hour
# (printed wall time, never judged); pcapng vs pcap, raw IP vs Ethernet, and a damaged file.
# Order: three real captures given in reverse time order, each day against tshark; two captures
# that overlap in time, merged packet by packet (the same RRD rows as the one they were cut
# from). Refused before anything is stored, in one line: a second capture of a link type replay
# does not read, a capture that steps back by more than the interval, a damaged one. On a
# terminal, a progress line; none with --quiet or when stderr is a file.
. "$(dirname "$0")/lib.sh"
require_root
require_cmd tshark editcap text2pcap capinfos tcpdump nmap hping3 python3 timeout

# Debian's own python3 starts in a tenth of the time of a version manager's shim.
PY=$(command -v /usr/bin/python3 || command -v python3)
ORACLE=$SRC_ROOT/tests/tshark_oracle.sh
GEN=$SRC_ROOT/tests/pcapgen.sh
W=$(mktemp -d /tmp/sw-replay.XXXXXX)
on_exit rm -rf "$W"

# One skipped check (a missing shared capture); under CI nothing may pass by not running.
t_skip() {
	if [ "${CI:-}" = "true" ]; then t_fail "cannot run under CI: $*"; return; fi
	T_N=$((T_N + 1))
	echo "ok $T_N # SKIP $*"
}

# compare EXPECTED ACTUAL DESCRIPTION: files of sorted lines; every differing line is printed.
compare() {
	local n
	if diff -q "$1" "$2" >/dev/null; then
		t_ok "$3"
		return 0
	fi
	n=$(diff "$1" "$2" | grep -c '^[<>]')
	t_fail "$3: $n lines differ"
	diff "$1" "$2" | sed -n -e 's/^< /#   tshark:    /p' -e 's/^> /#   scanwatch: /p' | head -80
	return 1
}

# The oracle's per-day lines summed the way `summary` sums days (gross sources).
oracle_summary() {
	awk '$1 == "key" { k = $3 " " $4; a[k] += $5; s[k] += $6; kind[$4] += $5
		m += $7; z += $8; ms += $9; ta += $5; ts += $6 }
	END {
		for (k in a) print "key", k, a[k], s[k]
		print "kind scan", kind["scan"] + 0
		print "kind backscatter", kind["backscatter"] + 0
		print "kind other", kind["other"] + 0
		print "fp mirai", m + 0; print "fp zmap", z + 0; print "fp masscan", ms + 0
		print "accesses", ta + 0; print "sources", ts + 0; print "dropped", 0
	}' "$1" | LC_ALL=C sort
}

# `summary --json` in the same line form.
json_lines() {
	"$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
for k in d["keys"]:
    print("key", k["key"], k["kind"], k["accesses"], k["sources"])
for n in ("scan", "backscatter", "other"):
    print("kind", n, d["kinds"][n])
for n in ("mirai", "zmap", "masscan"):
    print("fp", n, d["fingerprints"][n])
print("accesses", d["accesses"])
print("sources", d["sources"])
print("dropped", d["dropped"])' "$1" | LC_ALL=C sort
}

# Daily files in the oracle's form: keys with fingerprints, and the frames that are no access.
# A key that lost sources to a full pair table would show as a "lost" line tshark never has.
daily_lines() {
	local f day
	for f in "$1"/daily/*.txt; do
		[ -f "$f" ] || continue
		day=$(basename "$f" .txt)
		awk -v d="$day" '
		$1 == "key" { print "key", d, $2, $3, $4, $5, $6, $7, $8; if ($9 != 0) print "lost", d, $2, $3, $9 }
		$1 == "stat" && ($2 == "packets" || $2 == "not_ip" || $2 == "runt") { print "stat", d, $2, $3 }' "$f"
	done | LC_ALL=C sort
}

# check_capture NAME CAPTURE ZONE [REPLAY OPTIONS...]: replays into $W/NAME (point NAME) and
# compares summary and daily files with the oracle; leaves $W/NAME.oracle, .json, .got (the
# summary as lines) and .secs (the replay's wall time).
check_capture() {
	local name=$1 cap=$2 zone=$3 d1 d2 what rc t0 t1
	shift 3
	what="$name ($(basename "$cap"))"
	if ! "$ORACLE" "$cap" "$zone" >"$W/$name.oracle" 2>"$W/$name.oracle.err"; then
		t_fail "$what: the oracle gives no verdict"
		sed 's/^/#   /' "$W/$name.oracle.err" | head -10
		return 1
	fi
	t0=$(date +%s%N)
	"$SW" replay --point "$name" --data-dir "$W/$name" --tz "$zone" "$@" "$cap" 2>"$W/$name.err"
	rc=$?
	t1=$(date +%s%N)
	if [ "$rc" -ne 0 ]; then
		t_fail "$what: replay exits $rc: $(grep -v -m1 '^scanwatch: replayed' "$W/$name.err")"
		return 1
	fi
	awk -v n=$((t1 - t0)) 'BEGIN { printf "%.2f\n", n / 1e9 }' >"$W/$name.secs"
	d1=$(awk '{ print $2 }' "$W/$name.oracle" | LC_ALL=C sort | head -1)
	d2=$(awk '{ print $2 }' "$W/$name.oracle" | LC_ALL=C sort | tail -1)
	oracle_summary "$W/$name.oracle" >"$W/$name.want"
	if ! "$SW" summary --data-dir "$W/$name" --point "$name" --from "$d1" --to "$d2" --json \
		>"$W/$name.json" 2>"$W/$name.sum.err"; then
		t_fail "$what: summary fails: $(head -1 "$W/$name.sum.err")"
		return 1
	fi
	json_lines "$W/$name.json" >"$W/$name.got"
	compare "$W/$name.want" "$W/$name.got" \
		"$what: summary $d1..$d2 equals tshark's count ($(awk '$1 == "accesses" { print $2 }' \
		"$W/$name.want") accesses, $(grep -c '^key' "$W/$name.want") keys)"
	grep -v '^stat' "$W/$name.oracle" | LC_ALL=C sort >"$W/$name.want-days"
	grep '^stat' "$W/$name.oracle" | LC_ALL=C sort >>"$W/$name.want-days"
	LC_ALL=C sort -o "$W/$name.want-days" "$W/$name.want-days"
	daily_lines "$W/$name/$name" >"$W/$name.got-days"
	compare "$W/$name.want-days" "$W/$name.got-days" \
		"$what: every daily file equals tshark's day ($(grep -c '^stat .* packets' \
		"$W/$name.oracle") days)"
}

# jget FILE EXPR: lib.sh's json_get with the faster interpreter.
jget() { "$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

# jkey NAME KEY KIND accesses|sources: one figure of a capture's summary (0 when absent).
jkey() {
	awk -v k="$2" -v kind="$3" -v f="$4" '$1 == "key" && $2 == k && $3 == kind {
		n += f == "accesses" ? $4 : $5 } END { print n + 0 }' "$W/$1.got"
}

# --- 1. The real captures --------------------------------------------------------------------
# Among them: ICMP errors quoting TCP/UDP (stopddos reflection: tshark shows the quoted ports in
# tcp.*; the key is the outer icmp/3), a first and a non-first IPv4 fragment, ARP (not IP),
# frames tshark marks malformed at the application layer (zeek VNC), pcapng and pcap.
for f in chrissanders__synscan.pcapng stopddos__amp.TCP.reflection.SYNACK.pcap \
	stopddos__amp.TCP.syn.optionallyACK.optionallysamePort.pcapng \
	stopddos__pkt.TCP.synflood.spoofed.pcap zeek__nmap-vsn.pcap zeek__rfb_vnc-scanner.pcap \
	zeek__ssh_sshguess.pcap; do
	if [ ! -f "$DATA/$f" ]; then
		t_skip "needs $DATA/$f (shared captures)"
		continue
	fi
	check_capture "$(echo "${f%.pcap*}" | tr -c 'A-Za-z0-9\n' '-' | cut -c1-32)" "$DATA/$f" UTC
done

# --- 2a. A capture recorded here: real tools between two namespaces ---------------------------
# tcpdump on the sensor side records only what comes in (-Q in), as the XDP program sees it.
live_capture() {
	local cap=$1 na nb ia ib err=$W/tcpdump.err pid
	na=$(uniq_name a) nb=$(uniq_name b) ia=$(uniq_name x) ib=$(uniq_name y)
	netns_pair "$na" "$nb" "$ia" "$ib" || return 1
	ip -n "$na" addr add 192.0.2.1/24 dev "$ia" && ip -n "$nb" addr add 192.0.2.2/24 dev "$ib" &&
		ip -n "$na" addr add 2001:db8::1/64 dev "$ia" nodad &&
		ip -n "$nb" addr add 2001:db8::2/64 dev "$ib" nodad || return 1
	ip netns exec "$nb" tcpdump -i "$ib" -Q in -U --immediate-mode -n -Z root -s 256 \
		-w "$cap" 2>"$err" &
	pid=$!
	# Killed on exit only while it runs: its pid may belong to another process later.
	touch "$W/tcpdump.running"
	on_exit "[ -e '$W/tcpdump.running' ] && kill $pid"
	wait_for 10 grep -q 'listening on' "$err" || { echo "# tcpdump did not start"; return 1; }
	local A=(ip netns exec "$na" timeout 60) H=(ip netns exec "$na" timeout 20 hping3 -q -I "$ia")
	# SYN scan of 300 ports, UDP scan of 3, ping scan by IP (not ARP): echo, SYN/443, ACK/80,
	# timestamp; a SYN scan of 3 ports in 8-byte fragments (-f: the first holds 8 of TCP's 24
	# header bytes, so proto/6; two more each, frag); rates bounded. Then spoofed floods at 1000
	# packets/s, each on a port or type no other tool touches: 300 SYNs to 2323, 200 SYN-ACKs
	# from 4443, 200 RSTs from 8443, 100 ICMP port unreachables quoting an IP/UDP header.
	# hping3 exits 1 when nothing answers, as spoofed sources never do: only a timeout (124) or
	# a missing program fails here; the counts below tell whether it sent.
	"${A[@]}" nmap -n -Pn -sS -p 1-300 --max-retries 1 --max-rate 3000 192.0.2.2 >/dev/null &&
		"${A[@]}" nmap -n -Pn -sU -p 53,123,161 --max-retries 1 192.0.2.2 >/dev/null &&
		"${A[@]}" nmap -n -sn --send-ip 192.0.2.2 >/dev/null &&
		"${A[@]}" nmap -n -Pn -sS -f -p 400-402 --max-retries 0 192.0.2.2 >/dev/null ||
		{ echo "# nmap failed"; return 1; }
	local rc
	for args in "-S -p 2323 -c 300" "-S -A -s 4443 -k -p 40000 -c 200" \
		"-R -s 8443 -k -p 40001 -c 200" "-1 -C 3 -K 3 -c 100"; do
		# shellcheck disable=SC2086 # the options split on purpose
		"${H[@]}" $args --rand-source -i u1000 192.0.2.2 >/dev/null 2>&1
		rc=$?
		[ "$rc" -le 1 ] || { echo "# hping3 $args exits $rc"; return 1; }
	done
	"${A[@]}" nmap -6 -n -Pn -sS -p 1-100 --max-retries 1 --max-rate 3000 2001:db8::2 \
		>/dev/null || { echo "# nmap -6 failed"; return 1; }
	# Two 3000-byte UDP datagrams each over IPv4 and IPv6 to port 7: the kernel sends each in
	# three fragments (MTU 1500), the first with the UDP header, two frag.
	# shellcheck disable=SC2016 # expanded by the inner shell
	ip netns exec "$na" bash -c 'for d in 192.0.2.2 192.0.2.2 2001:db8::2 2001:db8::2; do
		head -c 3000 /dev/zero >"/dev/udp/$d/7"; done' || { echo "# UDP send failed"; return 1; }
	# A last datagram marks the end: once tcpdump has written it, everything before it is in.
	ip netns exec "$na" bash -c 'echo end >/dev/udp/192.0.2.2/9' || return 1
	wait_for 10 bash -c "tcpdump -r '$cap' -n 'udp dst port 9' 2>/dev/null | grep -q ." ||
		{ echo "# tcpdump never wrote the end marker"; return 1; }
	kill -INT "$pid"
	wait "$pid" || { echo "# tcpdump failed"; return 1; }
	rm -f "$W/tcpdump.running"
	grep 'captured\|dropped by kernel' "$err" | sed 's/^/# tcpdump: /'
}

LIVE=$W/live.pcap
if live_capture "$W/recording.pcap" && mv "$W/recording.pcap" "$LIVE"; then
	t_ok "recorded nmap and hping3 traffic ($(capinfos -c -M "$LIVE" | awk '/Number of packets/ { print $4 }') frames)"
	check_capture live "$LIVE" UTC
	# What the tools were told to send, independently of tshark.
	t_eq "$(jkey live tcp/2323 scan accesses)" 300 "hping3 -S -c 300 to port 2323: tcp/2323 scan accesses"
	t_eq "$(jkey live tcp/4443 backscatter accesses)" 200 "hping3 -SA -c 200 from port 4443: tcp/4443 backscatter"
	t_eq "$(jkey live tcp/8443 backscatter accesses)" 200 "hping3 -R -c 200 from port 8443: tcp/8443 backscatter"
	t_eq "$(awk '$1 == "key" && $3 == "scan" && $2 ~ /^tcp\// { p = substr($2, 5) + 0
		if (p >= 1 && p <= 300) { n++; s += $5 } } END { print n + 0, s + 0 }' "$W/live.got")" \
		"300 400" "nmap -sS 1-300 (IPv4) and -6 1-100: keys tcp/1..300 scan and their sources (1-100 twice)"
	t_eq "$(jkey live udp/53 scan sources) $(jkey live udp/123 scan sources) $(jkey live udp/161 scan sources)" \
		"1 1 1" "nmap -sU 53,123,161 from one address: sources per port"
	t_eq "$(jkey live icmp/echo scan sources) $(jkey live tcp/80 other sources) $(jkey live icmp/13 other sources)" \
		"1 1 1" "nmap -sn --send-ip: echo request, ACK to 80, timestamp request from one source"
	t_eq "$(jkey live icmp/3 backscatter accesses)" 100 \
		"hping3 -1 -C 3 -c 100: icmp/3 backscatter (not the quoted header's port)"
	t_eq "$(jkey live proto/6 other accesses) $(jkey live frag other accesses) $(jkey live frag other sources)" \
		"3 14 2" "nmap -f on 3 ports: 3 cut TCP headers (proto/6); frag: 6 from nmap + 8 from UDP, 2 sources"
	t_eq "$(jkey live udp/7 scan accesses) $(jkey live udp/7 scan sources)" "4 2" \
		"fragmented UDP to 7: the 4 first fragments are udp/7 (IPv4 and IPv6 source)"
else
	t_fail "could not record traffic between namespaces"
fi

# --- 2b. Several days, with timestamps chosen around the UTC and the Tokyo midnights ----------
# Epochs: 1710064800 = 2024-03-10 10:00 UTC; 1710082800 = 15:00 UTC = 2024-03-11 00:00 JST;
# 1710115200 = 2024-03-11 00:00 UTC; 1710255600 = 2024-03-12 15:00 UTC = 03-13 00:00 JST.
# 192.0.2.2 = 3221225986: the mirai SYN's sequence number. The masscan SYN's IP ID is
# (0x0202 ^ 23 ^ 0x5678) = 21613 with sequence number 0x12345678 = 305419896.
cat >"$W/days.spec" <<'EOF'
# A: 10:00 UTC (19:00 JST), 5 SYNs to 23 from .1-.5, the first Mirai-shaped
1710064800.000000 tcp 198.18.0.1 192.0.2.2 40001 23 2 1001 3221225986
1710064800.100000 tcp 198.18.0.2 192.0.2.2 40002 23 2 1002 1000
1710064800.200000 tcp 198.18.0.3 192.0.2.2 40003 23 2 1003 1000
1710064800.300000 tcp 198.18.0.4 192.0.2.2 40004 23 2 1004 1000
1710064800.400000 tcp 198.18.0.5 192.0.2.2 40005 23 2 1005 1000
# B: the last second before 15:00 UTC (23:59:59 JST), 3 SYNs from .1-.3, one with ZMap's IP ID
1710082799.100000 tcp 198.18.0.1 192.0.2.2 40001 23 2 54321 1000
1710082799.500000 tcp 198.18.0.2 192.0.2.2 40002 23 2 1007 1000
1710082799.900000 tcp 198.18.0.3 192.0.2.2 40003 23 2 1008 1000
# C: just after 15:00 UTC (00:00 JST, Tokyo's next day), 4 SYNs from .1-.4, one masscan-shaped
1710082800.100000 tcp 198.18.0.1 192.0.2.2 40001 23 2 21613 305419896
1710082800.200000 tcp 198.18.0.2 192.0.2.2 40002 23 2 1010 1000
1710082800.300000 tcp 198.18.0.3 192.0.2.2 40003 23 2 1011 1000
1710082800.400000 tcp 198.18.0.4 192.0.2.2 40004 23 2 1012 1000
# D: the last second of the UTC day, 2 UDP datagrams to 53 from .9
1710115199.500000 udp 198.18.0.9 192.0.2.2 5353 53 - 1013 -
1710115199.600000 udp 198.18.0.9 192.0.2.2 5353 53 - 1014 -
# E: the first second of the next UTC day, 6 SYNs from .21-.26
1710115200.100000 tcp 198.18.0.21 192.0.2.2 40021 23 2 1015 1000
1710115200.200000 tcp 198.18.0.22 192.0.2.2 40022 23 2 1016 1000
1710115200.300000 tcp 198.18.0.23 192.0.2.2 40023 23 2 1017 1000
1710115200.400000 tcp 198.18.0.24 192.0.2.2 40024 23 2 1018 1000
1710115200.500000 tcp 198.18.0.25 192.0.2.2 40025 23 2 1019 1000
1710115200.600000 tcp 198.18.0.26 192.0.2.2 40026 23 2 1020 1000
# F: a day later, one second after 15:00 UTC: an echo request and a SYN-ACK from port 443
1710255601.000000 icmp 198.18.0.7 192.0.2.2 8 0 - 1021 -
1710255601.500000 tcp 203.0.113.5 192.0.2.2 443 40000 18 1022 1000
EOF
# By hand: UTC days 03-10 = A+B+C+D: 14 accesses; sources tcp/23 {.1-.5} + udp/53 {.9} = 6;
# 03-11 = E: 6/6; 03-12 = F: 2/2; gross 22 accesses, 14 sources.
# Tokyo days 03-10 = A+B: 8/5; 03-11 = C+D+E: 12 accesses, tcp/23 {.1-.4, .21-.26} + {.9} = 11;
# no 03-12; 03-13 = F: 2/2; gross 22 accesses, 18 sources. Fingerprints 1 each in both.
day_figures() {
	local name=$1 d f out=""
	for f in "$W/$name/$name"/daily/*.txt; do
		d=$(basename "$f" .txt)
		"$SW" summary --data-dir "$W/$name" --point "$name" --day "$d" --json >"$W/day.json" || return 1
		out="$out $d=$(jget "$W/day.json" "'%d/%d' % (d['accesses'], d['sources'])")"
	done
	echo "${out# }"
}
oracle_days() {
	awk '$1 == "key" { a[$2] += $5; s[$2] += $6 } END { for (d in a) print d "=" a[d] "/" s[d] }' "$1" |
		LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'
}
if "$GEN" "$W/days.pcap" <"$W/days.spec"; then
	check_capture days-utc "$W/days.pcap" UTC
	check_capture days-jst "$W/days.pcap" Asia/Tokyo
	want="2024-03-10=14/6 2024-03-11=6/6 2024-03-12=2/2"
	t_eq "$(oracle_days "$W/days-utc.oracle")" "$want" "tshark's UTC days agree with the hand count"
	t_eq "$(day_figures days-utc)" "$want" "UTC daily files split at UTC midnight (accesses/sources)"
	want="2024-03-10=8/5 2024-03-11=12/11 2024-03-13=2/2"
	t_eq "$(oracle_days "$W/days-jst.oracle")" "$want" "tshark's Tokyo days agree with the hand count"
	t_eq "$(day_figures days-jst)" "$want" "--tz Asia/Tokyo: days split at 15:00 UTC (accesses/sources)"
	t_eq "$(jget "$W/days-utc.json" "'%d %d' % (d['accesses'], d['sources'])") $(jget \
		"$W/days-jst.json" "'%d %d' % (d['accesses'], d['sources'])")" "22 14 22 18" \
		"gross sources over the days: 14 in UTC, 18 in Tokyo time"
	t_eq "$(jget "$W/days-utc.json" "' '.join(str(d['fingerprints'][n]) for n in ('mirai', 'zmap', 'masscan'))")" \
		"1 1 1" "one Mirai, one ZMap, one masscan SYN"
else
	t_fail "could not write the several-day capture"
fi

# --- 3. An hour of traffic: must complete; the time is printed, never judged ----------------
# 200,000 packets, one every 18 ms: SYNs (some Mirai-, ZMap- and masscan-shaped by chance or
# by design), SYN-ACK and RST backscatter, UDP and echo requests from 131,072 possible sources.
awk 'BEGIN {
	srand(7); t0 = 1710151200; split("23 445 22 80 3389 8080 1433 5555", ports, " ")
	for (i = 0; i < 200000; i++) {
		s = int(rand() * 131072); src = sprintf("198.%d.%d.%d", 18 + int(s / 65536), int(s / 256) % 256, s % 256)
		d = 1 + i % 254; dst = "192.0.2." d; t = sprintf("%.6f", t0 + i * 0.018); r = i % 20
		id = int(rand() * 65536); seq = int(rand() * 4294967295)
		if (r == 0) seq = 3221225984 + d
		if (r == 1) id = 54321
		if (r < 13) printf "%s tcp %s %s %d %d 2 %d %d\n", t, src, dst, 1024 + i % 60000, ports[1 + i % 8], id, seq
		else if (r < 15) printf "%s tcp %s %s 80 %d 18 %d %d\n", t, src, dst, 1024 + i % 60000, id, seq
		else if (r < 16) printf "%s tcp %s %s 443 %d 4 %d %d\n", t, src, dst, 1024 + i % 60000, id, seq
		else if (r < 19) printf "%s udp %s %s 5353 %d - %d -\n", t, src, dst, 53 + (i % 3) * 70, id
		else printf "%s icmp %s %s 8 0 - %d -\n", t, src, dst, id
	}
}' >"$W/hour.spec"
if "$GEN" "$W/hour.pcap" <"$W/hour.spec"; then
	check_capture hour "$W/hour.pcap" UTC
	[ -s "$W/hour.secs" ] && echo "# replayed 200000 packets in $(cat "$W/hour.secs") s"
	t_eq "$(awk '$1 == "accesses" { print $2 }' "$W/hour.got")" 200000 "every generated packet is one access"
else
	t_fail "could not write the hour capture"
fi

# --- 4. Formats and damage ------------------------------------------------------------------
if [ -s "$LIVE" ]; then
	# pcapng of the same frames: the same figures as the pcap.
	editcap -F pcapng "$LIVE" "$W/live.pcapng"
	check_capture live-ng "$W/live.pcapng" UTC &&
		compare "$W/live.got" "$W/live-ng.got" "pcapng and pcap of the same frames: identical summaries"

	# Raw IP (DLT_RAW): the IP frames with their Ethernet header cut off.
	tshark -r "$LIVE" -Y 'ip or ipv6' -F pcap -w "$W/live-ip.pcap" 2>/dev/null
	editcap -F pcap -C 14 -T rawip "$W/live-ip.pcap" "$W/live-raw.pcap"
	t_eq "$(capinfos -E "$W/live-raw.pcap" | sed -n 's/^File encapsulation: *//p')" "Raw IP" \
		"editcap wrote a raw IP capture"
	check_capture live-ip "$W/live-ip.pcap" UTC
	check_capture live-raw "$W/live-raw.pcap" UTC &&
		compare "$W/live-ip.got" "$W/live-raw.got" "raw IP replays exactly as its Ethernet original"

	# Damaged: cut inside the data of record K+1 (24-byte file header, 16 per record header).
	n=$(capinfos -c -M "$LIVE" | awk '/Number of packets/ { print $4 }')
	k=$((n / 2))
	cut=$(tshark -r "$LIVE" -T fields -e frame.cap_len 2>/dev/null |
		awk -v k="$k" '{ if (NR == k + 1) { print off + 16 + int($1 / 2); exit } off += 16 + $1 }
			BEGIN { off = 24 }')
	head -c "$cut" "$LIVE" >"$W/cut.pcap"
	editcap -F pcap -r "$LIVE" "$W/before-cut.pcap" "1-$k"
	"$ORACLE" "$W/before-cut.pcap" UTC >"$W/cut.oracle" 2>/dev/null
	"$SW" replay --point cut --data-dir "$W/cut" "$W/cut.pcap" 2>"$W/cut.err"
	rc=$?
	t_eq "$rc" 2 "damaged capture: exit 2 (bad input)"
	t_eq "$(wc -l <"$W/cut.err")" 1 "damaged capture: one line"
	t_true "damaged capture: the error says where ($(grep -m1 error "$W/cut.err"))" \
		grep -q "cut.pcap: capture is damaged after $k packets" "$W/cut.err"
	t_true "damaged capture: refused before anything is stored (no $W/cut)" test ! -e "$W/cut"
else
	t_fail "no recorded capture for the pcapng, raw IP and damage checks"
fi

# --- 5. Order, and what is refused before anything is stored --------------------------------
FLOOD=$DATA/stopddos__pkt.TCP.synflood.spoofed.pcap
REFL=$DATA/stopddos__amp.TCP.reflection.SYNACK.pcap
MIX=$DATA/stopddos__amp.TCP.syn.optionallyACK.optionallysamePort.pcapng
SSH=$DATA/zeek__ssh_sshguess.pcap
if [ -f "$FLOOD" ] && [ -f "$REFL" ] && [ -f "$MIX" ] && [ -f "$SSH" ]; then
	# June 20, June 5, April 28: as a glob might give them. An hour an interval, so that the
	# zero rows of the quiet days between cost little.
	for c in FLOOD REFL MIX; do "$ORACLE" "${!c}" UTC >"$W/$c.oracle"; done
	cat "$W/FLOOD.oracle" "$W/REFL.oracle" "$W/MIX.oracle" | LC_ALL=C sort >"$W/three.want"
	"$SW" replay --point rev --data-dir "$W/rev" --interval 3600 "$MIX" "$REFL" "$FLOOD" \
		2>"$W/rev.err"
	t_eq "$?" 0 "replay of three captures in reverse time order"
	daily_lines "$W/rev/rev" >"$W/rev.got"
	compare "$W/three.want" "$W/rev.got" \
		"reverse time order: each day's file equals tshark's day (04-28, 06-05, 06-20)"
	"$SW" replay --point fwd --data-dir "$W/fwd" --interval 3600 "$FLOOD" "$REFL" "$MIX" \
		2>/dev/null
	daily_lines "$W/fwd/fwd" >"$W/fwd.got"
	compare "$W/rev.got" "$W/fwd.got" "reverse and time order: the same daily files"
	"$SW" summary --data-dir "$W/rev" --month 2021-04 --json >"$W/rev-04.json"
	t_eq "$(jget "$W/rev-04.json" 'd["accesses"]')" \
		"$(awk '$1 == "key" && $2 ~ /^2021-04/ { n += $5 } END { print n }' "$W/three.want")" \
		"summary --month 2021-04 after the June captures came first: tshark's April"

	# Two captures that overlap in time: the 13-minute mix cut into its odd and even frames.
	tshark -r "$MIX" -Y 'frame.number % 2 == 1' -F pcapng -w "$W/odd.pcapng" 2>/dev/null
	tshark -r "$MIX" -Y 'frame.number % 2 == 0' -F pcapng -w "$W/even.pcapng" 2>/dev/null
	"$SW" replay --point m --data-dir "$W/whole" "$MIX" 2>/dev/null
	"$SW" replay --point m --data-dir "$W/halves" "$W/even.pcapng" "$W/odd.pcapng" 2>"$W/halves.err"
	t_eq "$?" 0 "replay of two captures that overlap in time"
	rows() {
		# 2021-06-20 19:42 to 19:57, the capture's minutes.
		rrdtool fetch "$1/m/totals.rrd" AVERAGE -r 60 -s 1624218120 -e 1624219020 |
			grep -v nan | sed 1,2d
	}
	t_true "merged packet by packet: the minute rows of totals.rrd equal the whole capture's" \
		test -n "$(rows "$W/whole")" -a "$(rows "$W/whole")" = "$(rows "$W/halves")"
	daily_lines "$W/whole/m" >"$W/whole.got"
	daily_lines "$W/halves/m" >"$W/halves.got"
	compare "$W/whole.got" "$W/halves.got" "merged halves: the daily file of the whole capture"

	# A second capture of a link type replay does not read: found before the first is stored.
	python3 - "$SSH" "$W/lt.pcap" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
# The link type is the last field of the 24-byte file header: 65000, which libpcap cannot name.
open(sys.argv[2], "wb").write(d[:20] + struct.pack("<I", 65000) + d[24:])
PY
	"$SW" replay --point lt --data-dir "$W/lt" "$SSH" "$W/lt.pcap" 2>"$W/lt.err"
	t_eq "$?/$(wc -l <"$W/lt.err")" "2/1" "a second capture of link type 65000: exit 2, one line"
	t_eq "$(cat "$W/lt.err")" "scanwatch: error: $W/lt.pcap: link type 65000 is not supported (replay reads Ethernet, raw IP, Linux cooked and BSD loopback captures)" \
		"the line names the file and the real link type"
	t_true "nothing stored, the first capture's packets neither" test ! -e "$W/lt"

	# A capture that steps back 70 s inside itself: refused at the default 60 s, naming file and
	# packet; counted at --interval 120 (the step is inside an interval), as tshark counts it.
	editcap -F pcap -r "$SSH" "$W/ssh-a.pcap" 1-231 2>/dev/null
	editcap -F pcap -r "$SSH" "$W/ssh-b.pcap" 232-431 2>/dev/null
	mergecap -a -F pcap -w "$W/back.pcap" "$W/ssh-b.pcap" "$W/ssh-a.pcap"
	"$SW" replay --point back --data-dir "$W/back" "$W/back.pcap" 2>"$W/back.err"
	t_eq "$?/$(wc -l <"$W/back.err")" "2/1" "a step back of 70 s at --interval 60: exit 2, one line"
	t_true "the line names the file and the packet ($(head -c 160 "$W/back.err"))" \
		grep -q "back.pcap: packet 201 (2015-03-30 14:44:49.213953000 UTC) is 70.093 s earlier than packet 200" \
		"$W/back.err"
	t_true "nothing stored" test ! -e "$W/back"
	check_capture back120 "$W/back.pcap" UTC --interval 120

	# Progress: on a terminal (script gives the replay a pty), a line of packets done, rate and
	# time left; SW_TEST_PROGRESS_MS=0 draws one every 4096 packets instead of every second.
	if command -v script >/dev/null; then
		total=$(capinfos -c -M "$FLOOD" | awk '/Number of packets/ { print $4 }')
		SW_TEST_PROGRESS_MS=0 script -q -e -c "$SW replay --point pg --data-dir $W/pg $FLOOD" \
			/dev/null | tr '\r' '\n' | sed 's/\x1b\[K//g' >"$W/pty.out"
		t_true "on a terminal: 'replay: N of $total packets (P %), R packets/s, T left' lines" \
			grep -qE "^replay: [0-9,]+ of $("$PY" -c "print(f'{$total:,}')") packets \([0-9]+ %\), [0-9,]+ packets/s, [0-9]+:[0-9]{2} left" \
			"$W/pty.out"
		t_eq "$(grep -cE '^replay: [0-9,]+ of ' "$W/pty.out")" "$((total / 4096 - 1))" \
			"one line every 4096 packets but the first (which starts the clock)"
		SW_TEST_PROGRESS_MS=0 script -q -e -c "$SW replay --quiet --point pg --data-dir $W/pg2 $FLOOD" \
			/dev/null | tr '\r' '\n' | sed 's/\x1b\[K//g' >"$W/pty-q.out"
		t_eq "$(grep -c 'packets/s' "$W/pty-q.out")" 0 "--quiet: no progress line on a terminal"
		SW_TEST_PROGRESS_MS=0 "$SW" replay --point pg --data-dir "$W/pg3" "$FLOOD" 2>"$W/file.err"
		t_eq "$(grep -c 'packets/s' "$W/file.err")" 0 "stderr to a file: no progress line"
	else
		t_fail "no script(1) to give replay a terminal (util-linux)"
	fi
else
	t_skip "needs the shared captures for order and refusals"
fi

t_done
