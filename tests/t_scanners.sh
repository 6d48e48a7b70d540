#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Real scanners against a live sensor, checked against a capture taken at the sender's side.
# The demo's set-up: a sensor namespace (192.0.2.1/24, 2001:db8:5::1/64) and an "Internet"
# namespace (198.51.100.7/24, 2001:db8:6::7/64) joined by a veth pair, on-link routes only, no
# route out. `scanwatch run --interval 2` watches the sensor's prefixes while real tools send:
# nmap (SYN, UDP, ping and IPv6 SYN scans), masscan, zmap, hping3 (the backscatter of a spoofed
# flood, and a spoofed SYN flood) and swsend's Mirai-style sender. tcpdump records every frame
# the Internet's end sends toward the sensor's prefixes; tests/tshark_oracle.sh counts that
# capture by the counting rules (tshark and awk, no scanwatch code), and after SIGTERM the stored day
# must equal it exactly: per key and kind (accesses, sources, fingerprints), per kind, totals.
# A second capture on the sensor's side must count the same (nothing lost or added on the
# wire; the sensor's own replies go out and are in neither). Then per tool, from the capture:
# masscan, zmap and the Mirai-style sender carry their fingerprint on every probe; nmap and
# hping3 carry one no more often than chance allows; nmap -6 is counted key by key.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/live_lib.sh"

require_root
require_cmd ip nmap masscan zmap hping3 tcpdump tshark python3 timeout
[ -x "$SWSEND" ] || t_skip_all "swsend is not built (make)"

PY=$(command -v /usr/bin/python3 || command -v python3)
ORACLE=$SRC_ROOT/tests/tshark_oracle.sh
S4=192.0.2.1 S6=2001:db8:5::1
NMAP4=198.51.100.7 NMAP6=2001:db8:6::7 MASSCAN4=198.51.100.8 ZMAP4=198.51.100.9
MARK4=198.51.100.250
# Only frames toward the sensor's prefixes are accesses (--watch) and only they are captured:
# what either kernel sends to multicast on its own (router solicitations, MLD, DAD) is neither.
WATCH4=192.0.2.0/24 WATCH6=2001:db8:5::/64
CAPF="(ip and dst net $WATCH4) or (ip6 and dst net $WATCH6)"

# The demo's namespaces, with live_lib's names (SNS, GNS, SIF, GIF, SMAC, PIN, WORK, DATA_DIR,
# DAY0), so that its daemon helpers work on them.
scanners_setup() {
	local a
	SNS=$(uniq_name s) GNS=$(uniq_name g) SIF=$(uniq_name i) GIF=$(uniq_name j)
	netns_pair "$SNS" "$GNS" "$SIF" "$GIF" || return 1
	# Neither namespace forwards: a frame for an address the Internet's end does not own (the
	# sensor's RSTs to masscan's and zmap's own addresses) is dropped there, not sent back to
	# the sensor with an ICMP redirect.
	for a in "$SNS" "$GNS"; do
		ip netns exec "$a" sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0 ||
			return 1
	done
	ip -n "$SNS" addr add "$S4/24" dev "$SIF" && ip -n "$SNS" addr add "$S6/64" dev "$SIF" nodad &&
		ip -n "$GNS" addr add "$NMAP4/24" dev "$GIF" &&
		ip -n "$GNS" addr add "$NMAP6/64" dev "$GIF" nodad || return 1
	ip -n "$SNS" route add 198.51.100.0/24 dev "$SIF" &&
		ip -n "$SNS" -6 route add 2001:db8:6::/64 dev "$SIF" &&
		ip -n "$GNS" route add "$WATCH4" dev "$GIF" &&
		ip -n "$GNS" -6 route add "$WATCH6" dev "$GIF" || return 1
	SMAC=$(ip -n "$SNS" -br link show "$SIF" | awk '{print $3}')
	GMAC=$(ip -n "$GNS" -br link show "$GIF" | awk '{print $3}')
	# Fixed neighbours both ways: no ARP or neighbour discovery, so no unicast NA toward the
	# sensor at a moment the test does not choose (a NUD probe after the daemon stopped).
	ip -n "$GNS" neigh replace "$S4" lladdr "$SMAC" dev "$GIF" nud permanent &&
		ip -n "$GNS" -6 neigh replace "$S6" lladdr "$SMAC" dev "$GIF" nud permanent &&
		ip -n "$SNS" -6 neigh replace "$NMAP6" lladdr "$GMAC" dev "$SIF" nud permanent || return 1
	for a in "$NMAP4" "$MASSCAN4" "$ZMAP4"; do
		ip -n "$SNS" neigh replace "$a" lladdr "$GMAC" dev "$SIF" nud permanent || return 1
	done
	PIN=$(pin_root) || return 1
	WORK=$(mktemp -d) || return 1
	on_exit rm -rf "$WORK"
	cp "$SW" "$WORK/scanwatch" && cp "$SWSEND" "$WORK/swsend" || return 1
	SW=$WORK/scanwatch SWSEND=$WORK/swsend
	echo "# no configured keys: a 2-second step makes every RRD file large" >"$WORK/keys"
	DATA_DIR=$WORK/data
	on_exit live_teardown
}

# cap_start NAME NS IFACE DIRECTION: tcpdump writing $WORK/NAME.pcap in the background.
# --immediate-mode: every frame reaches the file at once, so the end marker below proves that
# everything before it is there. Killed on exit only while it runs (its pid may be reused).
declare -A CAP_PID
cap_start() {
	ip netns exec "$2" tcpdump -i "$3" -Q "$4" --immediate-mode -U -n -Z root -s 256 \
		-w "$WORK/$1.pcap" "$CAPF" 2>"$WORK/$1.err" &
	CAP_PID[$1]=$!
	touch "$WORK/$1.running"
	on_exit "[ -e '$WORK/$1.running' ] && kill ${CAP_PID[$1]}"
	wait_for 10 grep -q 'listening on' "$WORK/$1.err"
}
# cap_stop NAME: SIGINT, a bounded wait, and tcpdump's own report of frames it dropped.
cap_stop() {
	local pid=${CAP_PID[$1]}
	kill -INT "$pid" 2>/dev/null
	wait_for 10 pid_gone "$pid" || { kill -KILL "$pid"; return 1; }
	wait "$pid" 2>/dev/null
	rm -f "$WORK/$1.running"
	grep -q '^0 packets dropped by kernel' "$WORK/$1.err"
}
has_marker() {
	tcpdump -r "$WORK/$1.pcap" -n "src host $MARK4 and udp dst port 9" 2>/dev/null | grep -q .
}

# Never across a UTC midnight: a frame in its last microseconds could be filed under either day.
far_from_midnight() { [ $((86400 - $(date -u +%s) % 86400)) -gt 120 ]; }
wait_for 130 far_from_midnight || t_fail "still near midnight"

scanners_setup || t_skip_all "cannot build the namespaces and veth pair"
DAY0=$(date -u +%F)
if cap_start tx "$GNS" "$GIF" out && cap_start rx "$SNS" "$SIF" in; then
	t_ok "tcpdump records what $GIF sends and what $SIF receives toward $WATCH4 and $WATCH6"
else
	t_fail "tcpdump did not start"; t_done
fi
if daemon_start --interval 2 --watch "$WATCH4" --watch "$WATCH6"; then
	t_ok "daemon attached to $SIF in $SNS, draining every 2 s"
else
	t_fail "daemon did not attach"; sed 's/^/# /' "$WORK/daemon.log"; t_done
fi

G=(ip netns exec "$GNS" timeout 30)
# --- The tools, each bounded in count, rate and time ------------------------------------------
# nmap: SYN scan of tcp/100-399 (not 23, the Mirai-style sender's: each tool has keys of its own,
# so that the stored fingerprints of a key are one tool's), UDP scan of 3 ports, ping scan by IP
# (echo, SYN to 443, ACK to 80, timestamp request), SYN scan of 100 ports over IPv6.
"${G[@]}" nmap -n -Pn -sS -p 100-399 --max-retries 1 --max-rate 3000 "$S4" >"$WORK/nmap1.out" &&
	"${G[@]}" nmap -n -Pn -sU -p 53,123,161 --max-retries 1 "$S4" >"$WORK/nmap2.out" &&
	"${G[@]}" nmap -n -sn --send-ip "$S4" >"$WORK/nmap3.out" &&
	"${G[@]}" nmap -6 -n -Pn -sS -p 2000-2099 --max-retries 1 --max-rate 3000 "$S6" >"$WORK/nmap4.out"
t_eq "$?" 0 "nmap: -sS 100-399, -sU 53,123,161, -sn --send-ip, -6 -sS 2000-2099 ran"

# masscan: 300 ports at 1000 packets/s from its own address, one SYN each (no --retries). Its
# receive thread notices the end of the scan only when a frame arrives (masscan 1.3.2, issue
# #144: "waiting -N-secs" for ever on a quiet link), so while it runs the sensor's side sends a
# frame toward a MAC nobody has every 0.2 s: masscan's pcap sees it, no stack answers it, and
# it goes the other way, so neither capture nor the counter sees it.
(cd "$WORK" && exec "${G[@]}" masscan "$S4" -p3000-3299 --rate 1000 --wait 1 \
	--adapter-ip "$MASSCAN4" --source-port 61234 --router-mac "$SMAC" -e "$GIF") \
	>"$WORK/masscan.out" 2>"$WORK/masscan.err" &
mpid=$!
for ((i = 0; i < 150; i++)); do
	pid_gone "$mpid" && break
	sns "$SWSEND" --iface "$SIF" --dst 198.51.100.251 --kind udp -p 9 -c 1 >/dev/null 2>&1
	sleep 0.2
done
wait "$mpid"
t_eq "$?" 0 "masscan -p3000-3299 --rate 1000 exits by itself"

# zmap: tcp/7547 on all 256 addresses of the sensor's /24 at 1000 packets/s. Its default
# blocklist excludes the documentation prefixes; the target here is this test's namespace.
: >"$WORK/zmap-blocklist"
"${G[@]}" zmap -q -p 7547 -r 1000 -n 256 -c 1 -i "$GIF" -S "$ZMAP4" -G "$SMAC" \
	-b "$WORK/zmap-blocklist" -o /dev/null -m "$WORK/zmap.json" "$WATCH4" >"$WORK/zmap.out" 2>&1
t_eq "$?" 0 "zmap -p 7547 -n 256 -r 1000 ran"
zmap_sent=$(json_get "$WORK/zmap.json" 'd["total_sent"]' 2>/dev/null)

# hping3 from random (spoofed) sources: the backscatter a flood's victim sends (SYN-ACKs from
# 80, RSTs from 443), then a SYN flood to 8081. Nothing answers spoofed sources, so hping3
# exits 1; only a timeout or a missing program fails here, the counts say whether it sent.
declare -A HPING
for run in "synack 400 -S -A -s 80 -k -p 40000" "rst 200 -R -s 443 -k -p 40001" \
	"syn 300 -S -p 8081"; do
	set -- $run
	name=$1 n=$2
	shift 2
	"${G[@]}" hping3 -q -I "$GIF" "$@" --rand-source -c "$n" -i u2000 "$S4" \
		>"$WORK/hping-$name.out" 2>&1
	rc=$?
	[ "$rc" -le 1 ] || t_fail "hping3 $* exits $rc"
	HPING[$name]=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$WORK/hping-$name.out")
done
t_eq "${HPING[synack]} ${HPING[rst]} ${HPING[syn]}" "400 200 300" \
	"hping3 reports every frame transmitted (SYN-ACK, RST, SYN)"

# The Mirai-style sender: 200 sources, each a SYN to 23 and 2323, over the sensor's /24.
gns "$SWSEND" --iface "$GIF" --dst "$WATCH4" --kind mirai -p 23,2323 -s 200 \
	--src-prefix 203.0.113.0/24 -c 400 --rate 2000 --max-time 10 --dst-mac "$SMAC" --json \
	>"$WORK/mirai.json"
mirai_sent=$(json_get "$WORK/mirai.json" 'd["sent"]' 2>/dev/null)
t_eq "$mirai_sent" 400 "swsend --kind mirai sent every frame asked for"

# The end marker, from an address no tool uses: once both captures hold it, they hold every
# frame sent before it, and the XDP program ran on all of them (it runs before the sensor's
# capture sees a frame). It is an access like any other, in the capture and in the counts.
gns "$SWSEND" --iface "$GIF" --dst "$S4" --kind udp -p 9 --src-prefix "$MARK4/32" -c 1 \
	--dst-mac "$SMAC" >/dev/null
t_true "both captures hold the end marker" wait_for 10 eval 'has_marker tx && has_marker rx'

daemon_stop TERM
t_eq "$?" 0 "SIGTERM: the daemon drains once more and exits 0"
cap_stop tx
t_eq "$?" 0 "sender's capture stopped, tcpdump dropped nothing ($(grep captured "$WORK/tx.err"))"
cap_stop rx
t_eq "$?" 0 "sensor's capture stopped, tcpdump dropped nothing ($(grep captured "$WORK/rx.err"))"

# --- The oracle: the sender's capture, counted by tshark ---------------------------------------
for c in tx rx; do
	if ! "$ORACLE" "$WORK/$c.pcap" UTC >"$WORK/$c.oracle" 2>"$WORK/$c.oracle.err"; then
		t_fail "the oracle gives no verdict on the $c capture"
		sed 's/^/#   /' "$WORK/$c.oracle.err" | head -10
		t_done
	fi
done

# diff_eq EXPECTED ACTUAL DESCRIPTION: files of sorted lines; every differing line is printed.
diff_eq() {
	if diff -q "$1" "$2" >/dev/null; then
		t_ok "$3"
		return
	fi
	t_fail "$3: $(diff "$1" "$2" | grep -c '^[<>]') lines differ"
	diff "$1" "$2" | sed -n -e 's/^< /#   expected: /p' -e 's/^> /#   got:      /p' | head -60
}

# The oracle's day lines summed the way `summary` sums days (gross sources).
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
# The daily files' key lines in the oracle's form (with a "lost" line where the pair table
# overflowed, which tshark never has).
daily_lines() {
	local f
	for f in "$DATA_DIR/$POINT"/daily/*.txt; do
		[ -f "$f" ] || continue
		awk -v d="$(basename "$f" .txt)" '$1 == "key" { print "key", d, $2, $3, $4, $5, $6, $7, $8
			if ($9 != 0) print "lost", d, $2, $3, $9 }' "$f"
	done | LC_ALL=C sort
}

diff_eq "$WORK/tx.oracle" "$WORK/rx.oracle" \
	"the sensor received exactly the frames the sender sent toward it (tshark's count of both)"
stored "$WORK/summary.json" || t_fail "summary failed"
oracle_summary "$WORK/tx.oracle" >"$WORK/want"
json_lines "$WORK/summary.json" >"$WORK/got"
diff_eq "$WORK/want" "$WORK/got" "summary --json equals tshark's count of the sender's capture \
($(awk '$1 == "accesses" { print $2 }' "$WORK/want") accesses, $(grep -c '^key' "$WORK/want") keys)"
grep '^key' "$WORK/tx.oracle" | LC_ALL=C sort >"$WORK/want-days"
daily_lines >"$WORK/got-days"
diff_eq "$WORK/want-days" "$WORK/got-days" \
	"every daily file's keys (accesses, sources, fingerprints per key) equal tshark's"

# --- Per tool: what the capture says each tool sent -------------------------------------------
# nframes FILTER: frames of the sender's capture matching a tshark display filter.
nframes() { tshark -r "$WORK/tx.pcap" -n -Y "$1" 2>/dev/null | wc -l; }
# stored_keys AWK-CONDITION: "keys accesses sources mirai zmap masscan" summed over the stored
# day's key lines (name $2 split into proto p and number n, kind $3) that match.
stored_keys() {
	awk "\$1 == \"key\" { split(\$2, q, \"/\"); p = q[1]; n = q[2] + 0
		if ($1) { k++; a += \$4; s += \$5; m += \$6; z += \$7; ms += \$8 } }
		END { print k + 0, a + 0, s + 0, m + 0, z + 0, ms + 0 }" "$DATA_DIR/$POINT"/daily/*.txt
}
# bound N BITS: the most chance matches allowed among N packets of a rule that a random packet
# meets once in 2^BITS: the smallest k with P(X > k) < 1e-6 for X ~ Poisson(N / 2^BITS). Real
# tools' IP IDs and sequence numbers are (pseudo-)random, so a rule can match one of theirs by
# chance: asserting zero would pass by luck; this bound fails by chance once in a million runs.
# (Where one value serves many packets, as nmap's one sequence number per scan, the union
# bound N / 2^BITS still caps the chance of any match, and the bound is 0 when that is < 1e-6.)
bound() {
	"$PY" -c '
import math, sys
lam = int(sys.argv[1]) / 2 ** int(sys.argv[2])
k, term = 0, math.exp(-lam)
cdf = term
while 1 - cdf >= 1e-6:
    k += 1; term *= lam / k; cdf += term
print(k)' "$1" "$2"
}
# chance N MIRAI ZMAP MASSCAN: every count within the bound for N packets (mirai's rule compares
# 32 bits, zmap's and masscan's 16).
chance() {
	B32=$(bound "$1" 32) B16=$(bound "$1" 16)
	[ "$2" -le "$B32" ] && [ "$3" -le "$B16" ] && [ "$4" -le "$B16" ]
}

SYN='tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.flags.reset == 0'

# masscan: one SYN per port from its own address, every one fingerprinted.
ms_syn=$(nframes "ip.src == $MASSCAN4 && $SYN")
t_eq "$ms_syn" 300 "masscan -p3000-3299: 300 SYNs from $MASSCAN4 in the capture"
read -r k a s fm fz fms <<<"$(stored_keys 'p == "tcp" && n >= 3000 && n <= 3299 && $3 == "scan"')"
t_eq "$k $a $s $fms" "300 $ms_syn 300 $ms_syn" \
	"masscan: keys tcp/3000-3299 scan, 1 source each, fingerprint masscan on every SYN"
chance "$ms_syn" 0 0 0
t_true "masscan: mirai/zmap fingerprints $fm/$fz within chance for $ms_syn SYNs \
(at most $B32/$B16)" \
	chance "$ms_syn" "$fm" "$fz" 0
# masscan answers each RST-ACK of the sensor with a RST of its own (from --source-port): how
# many depends on timing, the capture says; backscatter carries no fingerprint by definition.
ms_rst=$(nframes "ip.src == $MASSCAN4 && tcp.flags.reset == 1")
t_eq "$(stored_keys 'p == "tcp" && n == 61234 && $3 == "backscatter"')" \
	"$((ms_rst > 0 ? 1 : 0)) $ms_rst $((ms_rst > 0 ? 1 : 0)) 0 0 0" \
	"masscan's $ms_rst RSTs to the sensor's RST-ACKs: tcp/61234 backscatter, no fingerprint"

# zmap: one SYN to each of 256 addresses, IP ID 54321 on every one.
z_syn=$(nframes "ip.src == $ZMAP4 && $SYN")
t_eq "$z_syn ${zmap_sent:-?}" "256 256" "zmap: 256 SYNs in the capture, 256 in its own metadata"
read -r k a s fm fz fms <<<"$(stored_keys 'p == "tcp" && n == 7547')"
t_eq "$k $a $s $fz" "1 $z_syn 1 $z_syn" \
	"zmap: tcp/7547 from one source, fingerprint zmap on every SYN"
chance "$z_syn" 0 0 0
t_true "zmap: mirai/masscan fingerprints $fm/$fms within chance for $z_syn SYNs \
(at most $B32/$B16)" \
	chance "$z_syn" "$fm" 0 "$fms"

# The Mirai-style sender: sequence number = destination on every SYN.
m_syn=$(nframes "ip.src == 203.0.113.0/24 && $SYN")
t_eq "$m_syn" "${mirai_sent:-?}" "Mirai-style: the capture holds every SYN swsend reports"
read -r k a s fm fz fms <<<"$(stored_keys 'p == "tcp" && (n == 23 || n == 2323)')"
t_eq "$k $a $s $fm" "2 $m_syn 400 $m_syn" \
	"Mirai-style: tcp/23 and tcp/2323, 200 sources each, fingerprint mirai on every SYN"
t_eq "$fz $fms" "$(awk '$1 == "key" && ($3 == "tcp/23" || $3 == "tcp/2323") { z += $8; s += $9 }
	END { print z + 0, s + 0 }' "$WORK/tx.oracle")" \
	"Mirai-style: zmap/masscan fingerprints as tshark finds them in swsend's frames"

# nmap over IPv4: its scan-kind probes (SYNs, UDP, echo) carry a fingerprint only by chance:
# a random IP ID is 54321, or equals masscan's hash, once in 65536; its sequence number (one
# per scan) equals the destination once in 2^32.
n_scan=$(nframes "ip.src == $NMAP4 && (($SYN) || udp || icmp.type == 8)")
read -r k a s fm fz fms <<<"$(stored_keys '$3 == "scan" &&
	(p == "tcp" && (n >= 100 && n <= 399 || n == 443) ||
	p == "udp" && (n == 53 || n == 123 || n == 161) || $2 == "icmp/echo")')"
t_eq "$k $a $s" "305 $n_scan 305" "nmap IPv4: 305 scan keys (tcp/100-399, udp/53,123,161, \
icmp/echo, tcp/443), 1 source each, every probe of the capture counted"
chance "$n_scan" 0 0 0
t_true "nmap: fingerprints mirai/zmap/masscan $fm/$fz/$fms within chance for $n_scan probes \
(at most $B32/$B16/$B16)" chance "$n_scan" "$fm" "$fz" "$fms"

# nmap -6: each of the 100 ports is its own key with the scanner's one source; IPv4-only
# fingerprints never match.
n6=$(nframes "ipv6.src == $NMAP6 && $SYN")
t_eq "$(stored_keys 'p == "tcp" && n >= 2000 && n <= 2099')" "100 $n6 100 0 0 0" \
	"nmap -6 -p 2000-2099: 100 keys, every SYN of the capture, 1 source each, no fingerprint"
t_true "nmap -6 sent at least one SYN per port ($n6)" [ "$n6" -ge 100 ]

# hping3: the backscatter (no fingerprint: fingerprints are over scan-kind packets), then its SYN
# flood, whose IP IDs and sequence numbers carry a fingerprint only by chance.
sa=$(nframes "tcp.srcport == 80 && tcp.dstport == 40000 && tcp.flags.syn == 1 &&
	tcp.flags.ack == 1")
rst=$(nframes "tcp.srcport == 443 && tcp.dstport == 40001 && tcp.flags.reset == 1")
t_eq "$sa $rst" "400 200" \
	"hping3 backscatter: the capture holds its 400 SYN-ACKs and 200 RSTs"
read -r k a s fm fz fms <<<"$(stored_keys '$3 == "backscatter" && p == "tcp" &&
	(n == 80 || n == 443)')"
t_eq "$k $a $fm $fz $fms" "2 600 0 0 0" \
	"hping3 backscatter: tcp/80 and tcp/443 backscatter, 400 + 200 frames, no fingerprint"
h_syn=$(nframes "tcp.dstport == 8081 && $SYN")
h_src=$(tshark -r "$WORK/tx.pcap" -n -Y "tcp.dstport == 8081" -T fields -e ip.src 2>/dev/null |
	sort -u | wc -l)
read -r k a s fm fz fms <<<"$(stored_keys 'p == "tcp" && n == 8081')"
t_eq "$k $a $h_syn $s" "1 300 300 $h_src" \
	"hping3 -S -c 300 --rand-source: tcp/8081, 300 SYNs stored and captured, sources = \
distinct addresses in the capture"
chance "$h_syn" 0 0 0
t_true "hping3: fingerprints mirai/zmap/masscan $fm/$fz/$fms within chance for $h_syn SYNs \
(at most $B32/$B16/$B16)" chance "$h_syn" "$fm" "$fz" "$fms"

t_done
