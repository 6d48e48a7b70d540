#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# End to end on a real veth pair between two throwaway namespaces: the daemon attached in the
# sensor's, draining every second, while swsend sends known SYN, UDP, echo, SYN-ACK, RST, ACK,
# echo reply and fingerprinted frames from hundreds of spoofed IPv4 and IPv6 sources (untagged,
# 802.1Q and QinQ) and hping3 sends a SYN flood to tcp/445 from random sources. After SIGTERM
# (one more drain) the stored day must equal what was sent, key by key: the senders' own tallies
# are the oracle, and for hping3 its own count and a tcpdump capture on the sensor side.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/live_lib.sh"

require_root
require_cmd ip hping3 tcpdump tshark python3
[ -x "$SWSEND" ] || t_skip_all "swsend is not built (make)"

live_setup || t_skip_all "cannot build the namespaces and veth pair"
SENT=$WORK/sent.jsonl
HPING_N=500

if daemon_start; then
	t_ok "daemon attached to $SIF in $SNS (status shows it running)"
else
	t_fail "daemon did not attach"; sed 's/^/# /' "$WORK/daemon.log"; t_done
fi
rx0=$(rx_packets)

# Each run has its own source prefix, so no (source, key) pair is sent by two runs. The rate
# keeps the traffic going over several one-second drains.
R=(--rate 4000 --max-time 20)
send "$SENT" "${R[@]}" -d 192.0.2.1 -k syn -p 22,23,3389 -s 300 --src-prefix 198.18.1.0/16 -c 1500
send "$SENT" "${R[@]}" -d 192.0.2.1 -k udp -p 53,123 -s 200 --src-prefix 203.0.113.0/24 --random -c 1000 --vlan 10
send "$SENT" "${R[@]}" -d 192.0.2.0/24 -k echo -s 250 --src-prefix 198.51.100.0/24 --random -c 750 --vlan 100,200
send "$SENT" "${R[@]}" -d 192.0.2.1 -k synack --sport 80,443 -s 150 --src-prefix 198.18.10.0/24 -c 600 --vlan 7
send "$SENT" "${R[@]}" -d 192.0.2.1 -k rst --sport 25 -s 120 --src-prefix 198.18.11.0/24 -c 240
send "$SENT" "${R[@]}" -d 192.0.2.1 -k echo-reply -s 100 --src-prefix 198.18.12.0/24 -c 100 --vlan 8,9
send "$SENT" "${R[@]}" -d 192.0.2.1 -k ack -p 8080 -s 50 --src-prefix 198.18.13.0/24 -c 100
send "$SENT" "${R[@]}" -d 192.0.2.0/24 -k mirai -p 23,2323 -s 200 --src-prefix 198.18.14.0/24 -c 400
send "$SENT" "${R[@]}" -d 192.0.2.1 -k masscan -p 80 -s 100 --src-prefix 198.18.15.0/24 -c 300 --vlan 11
send "$SENT" "${R[@]}" -d 192.0.2.1 -k zmap -p 443 -s 100 --src-prefix 198.18.16.0/24 -c 200 --vlan 12,13
send "$SENT" "${R[@]}" -d 2001:db8::1 -k syn -p 1433 -s 400 --src-prefix 2001:db8:100::/64 --random -c 800 --vlan 300,301
send "$SENT" "${R[@]}" -d 2001:db8::1 -k udp -p 161 -s 300 --src-prefix 2001:db8:101::/64 -c 600 --vlan 20
send "$SENT" "${R[@]}" -d 2001:db8::/64 -k echo -s 300 --src-prefix 2001:db8:102::/64 --random -c 300
send "$SENT" "${R[@]}" -d 2001:db8::1 -k rst --sport 443 -s 128 --src-prefix 2001:db8:103::/64 --random -c 256 --vlan 30
send "$SENT" "${R[@]}" -d 2001:db8::1 -k synack --sport 22 -s 100 --src-prefix 2001:db8:104::/64 -c 100 --vlan 31,32
send "$SENT" "${R[@]}" -d 2001:db8::1 -k echo-reply -s 50 --src-prefix 2001:db8:105::/64 -c 100
t_eq "$(wc -l <"$SENT")" 16 "every swsend run finished and printed its tally"
swsend_n=$(python3 -c 'import json,sys; print(sum(json.loads(l)["sent"] for l in open(sys.argv[1])))' "$SENT")
swsend_req=$(python3 -c 'import json,sys; print(sum(json.loads(l)["requested"] for l in open(sys.argv[1])))' "$SENT")
t_eq "$swsend_n" "$swsend_req" "swsend sent every frame asked for"

# hping3 through the sender's own stack; tcpdump on the sensor side sees what arrived.
ip netns exec "$SNS" tcpdump -n -U -i "$SIF" -c "$HPING_N" -w "$WORK/hping.pcap" "tcp dst port 445" \
	2>"$WORK/tcpdump.err" &
TPID=$!
on_exit kill "$TPID"
wait_for 10 grep -q "listening on" "$WORK/tcpdump.err" || t_fail "tcpdump did not start"
gns hping3 -q -S -p 445 --rand-source -c "$HPING_N" -i u2000 192.0.2.1 >"$WORK/hping.out" 2>&1
hping_tx=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$WORK/hping.out")
t_eq "$hping_tx" "$HPING_N" "hping3 reports every SYN transmitted"
wait_for 10 pid_gone "$TPID" || kill "$TPID"

total=$((swsend_n + ${hping_tx:-0}))
t_true "the sensor's interface received all $total frames" wait_rx "$rx0" "$total"
t_eq "$(($(rx_packets) - rx0))" "$total" \
	"frames received on the sensor side = frames sent (no stray traffic to count)"

# The hping3 part of the oracle comes from the capture: its frames, sources and fingerprints.
tshark -r "$WORK/hping.pcap" -T fields -e ip.src -e ip.dst -e ip.id -e tcp.dstport \
	-e tcp.seq_raw -e tcp.flags 2>/dev/null | python3 -c '
import sys, json, ipaddress
n = 0; srcs = set(); fp = {"mirai": 0, "zmap": 0, "masscan": 0}
for line in sys.stdin:
    src, dst, ipid, dport, seq, flags = line.split("\t")
    n += 1; srcs.add(src)
    d = int(ipaddress.IPv4Address(dst)); ipid = int(ipid, 16); seq = int(seq); dport = int(dport)
    fp["zmap"] += ipid == 54321
    fp["mirai"] += seq == d
    fp["masscan"] += ipid == (d ^ dport ^ seq) & 0xffff
print(json.dumps({"sent": n, "accesses": n, "sources": len(srcs),
    "kinds": {"scan": n, "backscatter": 0, "other": 0}, "fingerprints": fp,
    "keys": [{"key": "tcp/445", "kind": "scan", "accesses": n, "sources": len(srcs)}]}))
' >"$WORK/hping.json"
t_eq "$(json_get "$WORK/hping.json" 'd["accesses"]')" "$HPING_N" \
	"tcpdump on the sensor side captured every hping3 SYN"
cat "$WORK/hping.json" >>"$SENT"

daemon_stop TERM
t_eq "$?" 0 "SIGTERM: the daemon drains once more and exits 0"
t_true "the daemon logged its last drain" grep -q "draining once more" "$WORK/daemon.log"
stored "$WORK/summary.json" || t_fail "summary failed"
compare "$WORK/summary.json" "$SENT"
t_eq "$(json_get "$WORK/summary.json" 'd["keys"][0]["key"]')" "icmp/echo" \
	"the most accessed key comes first: icmp/echo (750 IPv4 + 300 IPv6 echo requests sent)"

t_done
