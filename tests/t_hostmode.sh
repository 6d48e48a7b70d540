#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Host mode on a real veth pair. A "host" namespace (192.0.2.1, 2001:db8::1) runs
# `scanwatch run --host-mode` and lives an ordinary host's life against a "peer" namespace
# (192.0.2.2, 2001:db8::2): it browses (curl by name to an HTTP server there), resolves names
# (UDP to a DNS server there, IPv4 and IPv6), pings (ICMP and ICMPv6 echo), queries a closed UDP
# port (the peer's ICMP error answers it), gets a late UDP answer after closing its socket, and
# serves HTTP itself on port 80 to the peer's curl. Meanwhile nmap, hping3 and a replayed
# capture (tcpreplay, destinations rewritten to the host) hit it.
#
# The oracle is a capture on the host's interface, covering exactly the time the program could
# count: the peer's end of the veth is down until the daemon is attached and tcpdump listens, and
# down again before the last drain. tshark, not scanwatch, decides what was solicited:
#   - flows the host started: tcp.stream of its outbound SYNs without ACK, udp.stream of its
#     outbound UDP, tshark's own echo request/reply matching (icmp.resp_to); an ICMP error whose
#     quoted header belongs to such a stream carries that stream's number too;
#   - its listening sockets: TCP to port 80 of its addresses (python's http.server);
# every other inbound frame goes to tests/tshark_oracle.sh (the counting rules), and the stored day
# must equal that key by key: accesses and sources. The day's statistics must equal the
# capture's counts of inbound frames, frames of host flows and frames to the listener.
# Then: --count-service tcp/80 (the served HTTP counts) with the tc-filter egress hook and a
# SIGKILLed daemon resumed mid-way; a 16-entry flow table and 100 outbound flows (the evictions
# reported = flows recorded - flows left in the table); a 1-second expiry (a late answer counts).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/live_lib.sh"

require_root
require_cmd ip tc ss tcpdump tshark curl nmap hping3 tcpreplay tcprewrite bpftool getent
require_data chrissanders__synscan.pcapng
[ -x "$SWSEND" ] || t_skip_all "swsend is not built (make)"
PY=$(command -v /usr/bin/python3 || command -v python3)
[ -n "$PY" ] || t_skip_all "needs python3"
TOOLS=$SRC_ROOT/tests/hostmode_tools.py
ORACLE=$SRC_ROOT/tests/tshark_oracle.sh
H4=192.0.2.1 H6=2001:db8::1 P4=192.0.2.2 P6=2001:db8::2 GHOST4=192.0.2.77

live_setup || t_skip_all "cannot build the namespaces and veth pair"
GMAC=$(ip -n "$GNS" -br link show "$GIF" | awk '{print $3}')
# The peer's end stays down between phases, so that nothing reaches the host outside a window.
ip -n "$GNS" link set "$GIF" down
# keep_addr_on_down: IPv6 addresses would otherwise go with every link down.
ip netns exec "$GNS" sysctl -qw net.ipv6.conf."$GIF".disable_ipv6=0 \
	net.ipv6.conf."$GIF".router_solicitations=0 net.ipv6.conf."$GIF".accept_dad=0 \
	net.ipv6.conf."$GIF".keep_addr_on_down=1
ip -n "$GNS" addr add "$P6/64" dev "$GIF" nodad
# Fixed neighbours spare both sides most ARP and neighbour discovery (what is left is counted by
# both scanwatch and the oracle: it arrives inside the window). 192.0.2.77 is a destination
# nobody owns: the peer drops what the host sends there, so those flows draw no answer.
for a in "$P4" "$P6" "$GHOST4"; do ip -n "$SNS" neigh replace "$a" lladdr "$GMAC" dev "$SIF" nud permanent; done
# The peer's own go with its link down: window_open puts them back.
peer_neigh() {
	ip -n "$GNS" neigh replace "$H4" lladdr "$SMAC" dev "$GIF" nud permanent &&
		ip -n "$GNS" neigh replace "$H6" lladdr "$SMAC" dev "$GIF" nud permanent
}
# GRO would merge a TCP stream's segments after XDP counted them one by one: tcpdump would see
# fewer frames than the program.
ip netns exec "$SNS" "$PY" "$TOOLS" gro-off "$SIF" || t_skip_all "cannot turn GRO off on $SIF"

# Servers: HTTP in both namespaces (dual stack, port 80), DNS and a silent UDP sink at the peer.
mkdir -p "$WORK/www"
echo "scanwatch host mode" >"$WORK/www/index.html"
bg() { "$@" >/dev/null 2>&1 & on_exit kill $!; }
bg ip netns exec "$SNS" "$PY" -m http.server 80 --bind :: --directory "$WORK/www"
bg ip netns exec "$GNS" "$PY" -m http.server 80 --bind :: --directory "$WORK/www"
bg ip netns exec "$GNS" "$PY" "$TOOLS" dnsd 53
bg ip netns exec "$GNS" "$PY" "$TOOLS" sink 5000
listening() { ip netns exec "$1" ss -Hln "$2" | grep -q ":$3\b"; }
t_true "servers listening (host tcp/80; peer tcp/80, udp/53, udp/5000)" wait_for 10 eval \
	'listening $SNS -t 80 && listening $GNS -t 80 && listening $GNS -u 53 && listening $GNS -u 5000'
# The host's resolver: ip netns exec puts /etc/netns/NAME/resolv.conf in place of /etc's.
mkdir -p "/etc/netns/$SNS" && on_exit rm -rf "/etc/netns/$SNS"
resolver() { printf 'nameserver %s\noptions timeout:2 attempts:1\n' "$1" >"/etc/netns/$SNS/resolv.conf"; }
resolver "$P4"

hns() { ip netns exec "$SNS" "$@"; }
carrier() { [ "$(hns cat "/sys/class/net/$SIF/carrier" 2>/dev/null)" = "$1" ]; }
# No TCP connection in either namespace still sending (TIME-WAIT sends nothing unasked).
tcp_quiet() {
	[ -z "$(hns ss -Htn state established state syn-sent state syn-recv state fin-wait-1 \
		state fin-wait-2 state close-wait state last-ack state closing)" ] &&
		[ -z "$(gns ss -Htn state established state syn-sent state syn-recv state fin-wait-1 \
			state fin-wait-2 state close-wait state last-ack state closing)" ]
}

# window_open NAME DAEMON-OPTIONS...: daemon attached, tcpdump listening, then the link up.
window_open() {
	DATA_DIR=$WORK/data-$1 CAP=$WORK/$1.pcap
	if ! daemon_start --host-mode "${@:2}"; then
		t_fail "$1: the daemon did not attach (${*:2})"; sed 's/^/# /' "$WORK/daemon.log"; t_done
	fi
	# Not through hns: $! must be tcpdump itself, not a subshell running the function.
	# Immediate mode: TPACKET_V3 would otherwise hold frames back in blocks of the ring.
	ip netns exec "$SNS" tcpdump -n -U --immediate-mode -B 16384 -i "$SIF" -w "$CAP" 2>"$WORK/$1.tcpdump" &
	TPID=$!
	on_exit kill "$TPID"
	wait_for 10 grep -qs "listening on" "$WORK/$1.tcpdump" || t_fail "$1: tcpdump did not start"
	RX0=$(if_stat rx_packets) TX0=$(if_stat tx_packets)
	ip -n "$GNS" link set "$GIF" up
	peer_neigh || t_fail "$1: cannot set the peer's neighbours"
	wait_for 10 carrier 1 || t_fail "$1: no carrier on $SIF"
}

if_stat() { hns cat "/sys/class/net/$SIF/statistics/$1"; }
# The capture holds every frame the interface received and at least every frame it sent
# (sent includes what went out while the peer was down, which tx_packets leaves out).
captured_all() {
	local in out
	in=$(tshark -r "$CAP" -n -Y "eth.src != $SMAC" 2>/dev/null | wc -l)
	out=$(tshark -r "$CAP" -n -Y "eth.src == $SMAC" 2>/dev/null | wc -l)
	[ "$in" -eq $(($(if_stat rx_packets) - RX0)) ] && [ "$out" -ge $(($(if_stat tx_packets) - TX0)) ]
}

# A child that has exited, reaped or not (kill -0 still finds a zombie).
exited() { ! kill -0 "$1" 2>/dev/null || [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" = Z ]; }

# window_close NAME: quiet, link down, last drain (SIGTERM), tcpdump stopped.
window_close() {
	wait_for 20 tcp_quiet || t_fail "$1: TCP connections still open after 20 s"
	ip -n "$GNS" link set "$GIF" down
	wait_for 10 carrier 0 || t_fail "$1: carrier still up"
	daemon_stop TERM
	t_eq "$?" 0 "$1: SIGTERM: the daemon drains once more and exits 0"
	t_true "$1: tcpdump has written every frame the interface counted" wait_for 20 captured_all
	# TERM: a background job of a script ignores INT. tcpdump prints its statistics either way.
	kill -TERM "$TPID"
	wait_for 10 exited "$TPID" || kill -KILL "$TPID"
	wait "$TPID"
	t_true "$1: tcpdump dropped no frame" grep -q "^0 packets dropped by kernel" "$WORK/$1.tcpdump"
}

# day_stat NAME: the stat summed over the test's daily files.
day_stat() { cat "$DATA_DIR/$POINT"/daily/*.txt | awk -v s="$1" '$1 == "stat" && $2 == s { n += $3 } END { print n + 0 }'; }

# oracle NAME LISTEN-FILTER: tshark's verdicts on the capture: sets FLOWF (display filter of
# the host's flows), counts IN (inbound frames), BY_FLOW, BY_LISTEN, FLOWS (flows the host
# started), and writes the unsolicited inbound frames to $WORK/NAME.unsol.pcap.
oracle() {
	local cap=$WORK/$1.pcap listen=$2 tcp udp echo
	# A filter tshark refuses must fail the test, not count nothing (ts runs in subshells).
	ts() { tshark -r "$cap" -n "$@" 2>>"$WORK/tshark.err" || echo "$*" >>"$WORK/tshark.failed"; }
	rm -f "$WORK/tshark.failed"
	local out="eth.src == $SMAC" in="eth.src != $SMAC"
	tcp=$(ts -Y "$out && tcp.flags.syn == 1 && tcp.flags.ack == 0 && !icmp && !icmpv6" -T fields -e tcp.stream | sort -un)
	udp=$(ts -Y "$out && udp && !icmp && !icmpv6" -T fields -e udp.stream | sort -un)
	echo=$(ts -Y "$out && (icmp.type == 8 || icmpv6.type == 128)" -T fields -e ip.dst -e ipv6.dst \
		-e icmp.ident -e icmpv6.echo.identifier | sort -u | wc -l)
	FLOWS=$(($(echo "$tcp" | grep -c .) + $(echo "$udp" | grep -c .) + echo))
	FLOWF="(icmp.type == 0 && icmp.resp_to) || (icmpv6.type == 129 && icmpv6.resp_to)"
	[ -n "$tcp" ] && FLOWF="$FLOWF || tcp.stream in {$(echo $tcp | tr ' ' ,)}"
	[ -n "$udp" ] && FLOWF="$FLOWF || udp.stream in {$(echo $udp | tr ' ' ,)}"
	IN=$(ts -Y "$in" | wc -l)
	BY_FLOW=$(ts -Y "($in) && ($FLOWF)" | wc -l)
	BY_LISTEN=$(ts -Y "($in) && !($FLOWF) && ($listen)" | wc -l)
	ts -Y "($in) && !($FLOWF) && !($listen)" -w "$WORK/$1.unsol.pcap"
	[ ! -e "$WORK/tshark.failed" ] || t_fail "$1: tshark refused: $(head -c 300 "$WORK/tshark.failed")"
	"$ORACLE" "$WORK/$1.unsol.pcap" >"$WORK/$1.oracle" || t_fail "$1: the oracle could not judge a frame"
}

# check NAME: the stored days against the oracle, key by key, and the statistics.
check() {
	local d g e
	"$SW" summary --data-dir "$DATA_DIR" --point "$POINT" --from "$DAY0" --to "$(date -u +%F)" \
		--json >"$WORK/$1.json" 2>/dev/null || t_fail "$1: summary failed"
	while IFS=$'\t' read -r d g e; do
		t_eq "$g" "$e" "$1: $d"
	done < <("$PY" - "$WORK/$1.json" "$WORK/$1.oracle" <<'EOF'
import json, sys
got = json.load(open(sys.argv[1]))
exp, stats = {}, {}
for line in open(sys.argv[2]):
    f = line.split()
    if f[0] == "key":
        k = (f[2], f[3])
        a, s = exp.get(k, (0, 0))
        exp[k] = (a + int(f[4]), s + int(f[5]))  # several days: gross sources add up
    else:
        stats[f[2]] = stats.get(f[2], 0) + int(f[3])
print("accesses = unsolicited IP frames the oracle keyed\t%d\t%d" % (got["accesses"], sum(a for a, s in exp.values())))
print("gross sources as the oracle counts them\t%d\t%d" % (got["sources"], sum(s for a, s in exp.values())))
seen = {(k["key"], k["kind"]): (k["accesses"], k["sources"]) for k in got["keys"]}
# Hundreds of keys (nmap, the replayed scan): one line, naming every difference.
diff = ["%s %s stored %d/%d, tshark %d/%d" % (k[0], k[1], *seen.get(k, (0, 0)), *exp.get(k, (0, 0)))
        for k in sorted(set(exp) | set(seen)) if seen.get(k, (0, 0)) != exp.get(k, (0, 0))]
print("each of %d keys: accesses/sources as tshark counts them\t%s\tequal" % (len(exp), "; ".join(diff[:20]) or "equal"))
print("dropped: nothing overflowed\t%d\t0" % got["dropped"])
EOF
	)
	t_eq "$(day_stat packets)" "$IN" "$1: frames the program ran on = inbound frames captured"
	t_eq "$(day_stat solicited_flow)" "$BY_FLOW" "$1: solicited by a host flow = inbound frames of its streams (tshark)"
	t_eq "$(day_stat solicited_socket)" "$BY_LISTEN" "$1: solicited by a listening socket = inbound frames to it (tshark)"
	t_eq "$(day_stat flows_new)" "$FLOWS" "$1: flows recorded = streams the host opened (tshark)"
}

LISTEN80="(ip.dst == $H4 || ipv6.dst == $H6) && tcp.dstport == 80 && !icmp && !icmpv6"

# 0. Options that make no sense are refused in one line, exit 2, before anything is attached.
usage() { "$SW" run --point "$POINT=$SIF" --data-dir "$WORK/never" --pin-root "$PIN" "$@" 2>"$WORK/usage.err"; }
usage --count-service tcp/22
t_eq "$?" 2 "--count-service without --host-mode: exit 2"
usage --host-mode --drop
t_eq "$?" 2 "--host-mode with --drop: exit 2 (a host must answer)"
usage --host-mode --count-service icmp/3
t_eq "$?" 2 "--count-service icmp/3: exit 2 (tcp/N or udp/N only)"
usage --host-mode --flow-table-size 8
t_eq "$?" 2 "--flow-table-size 8: exit 2 (16 at least)"
t_true "nothing was attached or pinned by the refused starts" test ! -e "$PIN/$POINT"

# 1. An ordinary day: the host is client and server, and is scanned.
window_open day
t_true "day: status shows host mode with a tcx egress link" eval \
	'hns "$SW" status --pin-root "$PIN" | grep -q "^$POINT .*host egress tcx flows"'
# Links are global objects: remember ours by id to see them gone after detach.
links=$(for l in link egress_link; do bpftool link show pinned "$PIN/$POINT/$l" | sed -n 's/^\([0-9]*\):.*/\1/p'; done)
for i in 1 2 3; do
	t_true "day: curl -4 http://www.swlab.test/ ($i)" hns curl -4 -sf -o /dev/null --max-time 5 http://www.swlab.test/
done
resolver "$P6"
t_true "day: curl -6 http://www.swlab.test/ through the IPv6 resolver" \
	hns curl -6 -sf -o /dev/null --max-time 5 http://www.swlab.test/
t_true "day: getent resolves www.swlab.test (A and AAAA over IPv6)" eval 'hns getent ahosts www.swlab.test | grep -q 192.0.2.2'
resolver "$P4"
t_true "day: getent resolves (IPv4 resolver)" eval 'hns getent ahosts www.swlab.test | grep -q 2001:db8::2'
hns getent hosts nowhere.swlab.test >/dev/null # NXDOMAIN is an answer too
t_true "day: ping the peer (hping3 --icmp, 3 answers)" eval \
	'hns hping3 -q --icmp -c 3 -i u100000 $P4 2>&1 | grep -q "3 packets received"'
t_true "day: ping6 the peer (3 answers)" hns "$PY" "$TOOLS" ping6 "$P6" 4242 3
# A closed port at the peer: its port unreachable quotes the host's datagram.
hns "$PY" "$TOOLS" send 33000 "$P4" 33434
hns "$PY" "$TOOLS" send 33000 "$P6" 33434
# A late answer: the host's socket is closed when the peer's datagram arrives.
hns "$PY" "$TOOLS" send 40000 "$P4" 5000
gns "$PY" "$TOOLS" send 5000 "$H4" 40000
for i in 1 2 3; do
	t_true "day: the peer browses the host ($i)" gns curl -4 -sf -o /dev/null --max-time 5 "http://$H4/"
done
t_true "day: the peer browses the host over IPv6" gns curl -6 -sf -o /dev/null --max-time 5 "http://[$H6]/"
# Scanners: nmap SYN scans (port 80 is open), hping3 floods and probes, a replayed SYN scan.
gns nmap -n -Pn -sS -p 1-100 --max-retries 1 --max-rate 3000 "$H4" >"$WORK/nmap4.out" 2>&1
t_true "day: nmap finds the host's port 80 open" grep -q "^80/tcp *open" "$WORK/nmap4.out"
gns nmap -6 -n -Pn -sS -p 20-30,80,443 --max-retries 1 --max-rate 3000 "$H6" >"$WORK/nmap6.out" 2>&1
t_true "day: nmap -6 finds port 80 open" grep -q "^80/tcp *open" "$WORK/nmap6.out"
gns hping3 -q -S -p 445 --rand-source -c 200 -i u2000 "$H4" >/dev/null 2>&1
gns hping3 -q -S -p 80 -c 20 -i u5000 "$H4" >/dev/null 2>&1
gns hping3 -q --udp -p 161 -c 30 -i u5000 "$H4" >/dev/null 2>&1
gns hping3 -q --icmp -c 20 -i u5000 "$H4" >/dev/null 2>&1
tcprewrite --infile="$DATA/chrissanders__synscan.pcapng" --outfile="$WORK/synscan.pcap" \
	--dstipmap=0.0.0.0/0:$H4/32 --enet-dmac="$SMAC" --enet-smac="$GMAC" --fixcsum 2>"$WORK/tcprewrite.err"
t_eq "$?" 0 "day: tcprewrite sent the capture's destinations to the host"
gns tcpreplay -q -i "$GIF" --pps 4000 "$WORK/synscan.pcap" >"$WORK/tcpreplay.out" 2>&1
t_eq "$?" 0 "day: tcpreplay replayed the capture"
window_close day
oracle day "$LISTEN80"
check day
# What the flows covered, frame by frame in the capture (inbound, and solicited by tshark's verdict):
inflow() { tshark -r "$CAP" -n -Y "eth.src != $SMAC && ($FLOWF) && ($1)" 2>/dev/null | wc -l; }
inall() { tshark -r "$CAP" -n -Y "eth.src != $SMAC && ($1)" 2>/dev/null | wc -l; }
t_eq "$(inflow "icmp.type == 0 || icmpv6.type == 129")/$(inall "icmp.type == 0 || icmpv6.type == 129")" 6/6 \
	"day: the 6 echo replies (3 ICMP, 3 ICMPv6) all answer the host's pings"
t_eq "$(inflow "icmp.type == 3 || icmpv6.type == 1")/$(inall "icmp.type == 3 || icmpv6.type == 1")" 2/2 \
	"day: the peer's 2 port unreachables quote the host's own datagrams"
t_eq "$(inflow "udp.srcport == 5000 && udp.dstport == 40000 && !icmp")" 1 \
	"day: the late answer to the host's closed socket belongs to its flow"
dns=$(inall "udp.srcport == 53 && !icmp && !icmpv6")
t_true "day: every one of the $dns DNS answers belongs to a host flow" test "$dns" -ge 4 -a "$(inflow "udp.srcport == 53")" = "$dns"
t_eq "$(day_stat flows_evicted)" 0 "day: nothing evicted from a 65536-flow table"
t_eq "$(awk '$3 == "tcp/80" && $4 == "scan"' "$WORK/day.oracle" | wc -l)" 0 \
	"day: tcp/80 is no scan key: every SYN to the listener is solicited"
hns "$SW" detach --point "$POINT" --pin-root "$PIN" 2>>"$WORK/detach.err"
t_eq "$?" 0 "day: detach exits 0"
t_eq "$(echo $links | wc -w)" 2 "day: the XDP and the tcx egress link were pinned"
for l in $links; do t_true "day: link $l is gone after detach" eval '! bpftool link show id $l >/dev/null 2>&1'; done

# 2. --count-service tcp/80 on the tc-filter hook, with a daemon SIGKILLed and resumed midway:
# the served HTTP is counted, the host's own browsing still is not.
window_open service --count-service tcp/80 --egress-hook tc
t_true "service: status shows the tc egress hook" eval \
	'hns "$SW" status --pin-root "$PIN" | grep -q "host egress tc flows"'
t_true "service: tc shows scanwatch's egress filter" eval 'hns tc filter show dev "$SIF" egress | grep -q "handle 0x5357"'
t_true "service: the host browses" hns curl -4 -sf -o /dev/null --max-time 5 http://www.swlab.test/
for i in 1 2; do
	t_true "service: the peer browses the host ($i)" gns curl -4 -sf -o /dev/null --max-time 5 "http://$H4/"
done
daemon_stop KILL
t_eq "$?" 137 "service: daemon killed with SIGKILL"
t_true "service: the egress filter stays without its daemon" eval 'hns tc filter show dev "$SIF" egress | grep -q "handle 0x5357"'
# Someone removes the filter meanwhile: the resumed daemon must put it back. (The host starts
# no flow while it is gone: the peer's browsing draws only answers, which record nothing.)
hns tc filter del dev "$SIF" egress pref 65520 handle 0x5357 bpf
t_true "service: the filter was removed by hand" eval '! hns tc filter show dev "$SIF" egress | grep -q "handle 0x5357"'
t_true "service: the peer browses the host while no daemon runs" gns curl -6 -sf -o /dev/null --max-time 5 "http://[$H6]/"
if daemon_start --host-mode --count-service tcp/80 --egress-hook tc; then
	t_ok "service: the daemon resumed the pinned point"
else
	t_fail "service: the daemon did not resume"; sed 's/^/# /' "$WORK/daemon.log"
fi
t_true "service: the resumed daemon attached the missing filter again" eval \
	'hns tc filter show dev "$SIF" egress | grep -q "handle 0x5357" && grep -q "egress filter on $SIF was gone" "$WORK/daemon.log"'
gns hping3 -q -S -p 80 -c 10 -i u5000 "$H4" >/dev/null 2>&1
t_true "service: the host browses again" hns curl -6 -sf -o /dev/null --max-time 5 http://www.swlab.test/
window_close service
oracle service "frame.number == 0"
check service
# The peer's SYNs to the served port: 3 from curl (2 IPv4, 1 IPv6) and 10 from hping3.
t_eq "$(awk '$3 == "tcp/80" && $4 == "scan" { n += $5 } END { print n + 0 }' "$WORK/service.oracle")" 13 \
	"service: tcp/80 scan is counted: the 13 SYNs sent to the served port"
hns "$SW" detach --point "$POINT" --pin-root "$PIN" 2>>"$WORK/detach.err"
t_eq "$?" 0 "service: detach exits 0"
t_true "service: detach removed the filter and the clsact qdisc it made" eval '! hns tc qdisc show dev "$SIF" | grep -q clsact'

# 3. A 16-entry table and 100 flows to an address nobody answers for: every insert is counted,
# the LRU evicts without a word, and after the last drain, with nothing in flight and nothing
# expired or deleted, evictions = inserts - entries left, which bpftool reads from the pinned map.
window_open evict --flow-table-size 16
hns "$PY" "$TOOLS" sweep 30000 "$GHOST4" 20000 100
window_close evict
oracle evict "frame.number == 0"
t_eq "$FLOWS" 100 "evict: tshark sees 100 outbound flows"
t_eq "$(day_stat flows_new)" 100 "evict: the egress program recorded 100 flows"
left=$(bpftool map dump pinned "$PIN/$POINT/flows" -j | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)))')
t_true "evict: the table holds at most 16 flows ($left)" test "$left" -le 16 -a "$left" -gt 0
t_eq "$(day_stat flows_evicted)" "$((100 - left))" "evict: evictions = 100 recorded - $left left"
t_true "evict: the daemon logged the evictions" grep -q "flows evicted from the full flow table" "$WORK/daemon.log"
t_true "evict: status shows them" eval \
	'hns "$SW" status --pin-root "$PIN" | grep -q "flows $left/16 expiry 120s evicted $((100 - left))"'
hns "$SW" detach --point "$POINT" --pin-root "$PIN" 2>>"$WORK/detach.err"

# 4. A 1-second expiry: the peer answers the host's datagram 2 s later, after the host closed
# its socket: the flow has expired and the answer counts as udp/40001 (scan). The host's own
# datagram starts the flow before t0 is read; the wait is a bound on the clock, not a guess.
window_open expiry --flow-expiry 1
hns "$PY" "$TOOLS" send 40001 "$P4" 5000
t0=$(date +%s%N)
elapsed() { [ $(($(date +%s%N) - t0)) -ge 2000000000 ]; }
wait_for 5 elapsed
gns "$PY" "$TOOLS" send 5000 "$H4" 40001
window_close expiry
udp40001() { tshark -r "$WORK/expiry.pcap" -n -Y "udp.port == 40001 && !icmp && $1" -T fields -e frame.time_epoch 2>/dev/null; }
out=$(udp40001 "eth.src == $SMAC") in=$(udp40001 "eth.src != $SMAC")
t_eq "$(echo "$in" | grep -c .)" 1 "expiry: one answer from the peer's udp/5000 captured"
t_true "expiry: it came more than 1 s after the host's datagram ($out -> $in)" \
	awk -v a="$out" -v b="$in" 'BEGIN { exit !(b - a > 1) }'
t_eq "$(day_stat solicited_flow)" 0 "expiry: nothing was solicited by the expired flow"
"$SW" summary --data-dir "$DATA_DIR" --point "$POINT" --from "$DAY0" --to "$(date -u +%F)" --json >"$WORK/expiry.json"
t_eq "$(json_get "$WORK/expiry.json" '[(k["kind"], k["accesses"]) for k in d["keys"] if k["key"] == "udp/40001"]')" \
	"[('scan', 1)]" "expiry: scanwatch counts the late answer as udp/40001 scan, once"

t_done
