#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `make demo`: a sensor in a network namespace, real scanners hitting it from an "Internet"
# namespace, charts, a summary and a monthly report at the end. The sensor is a darknet that never
# answers (--drop), as a telescope is: what it counts is what was sent to it, not the scanners'
# answers to its own replies. Areas come from the country database `make geoip` fetches.
# Everything stays inside the two namespaces this script makes (no route out); everything is
# torn down on exit, Ctrl-C included.
#
# DEMO_INTERVAL (default 10 s) shortens the daemon's drain interval so that the charts have
# points after a few minutes; DEMO_OUT (default ./demo-out) is where data and charts go.
set -eu
cd "$(dirname "$0")/.."
ROOT=$PWD
INTERVAL=${DEMO_INTERVAL:-10}
OUT=$(realpath -m "${DEMO_OUT:-$ROOT/demo-out}")
SHARED=${SW_DATA:-$ROOT/../shared/data}
SENSOR_NS=swdemo-sensor
NET_NS=swdemo-inet
SENSOR_IF=swd-sensor
NET_IF=swd-inet
SENSOR4=192.0.2.10
SENSOR6=2001:db8:5::10
SCANNER4=198.51.100.7
SCANNER6=2001:db8:6::7
PIN_MNT=/run/scanwatch-demo
POINT=demo
DAEMON_PID=

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

teardown() {
	set +e
	if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
		kill -TERM "$DAEMON_PID"
		for _ in $(seq 50); do kill -0 "$DAEMON_PID" 2>/dev/null || break; sleep 0.1; done
	fi
	[ -x ./scanwatch ] && ./scanwatch detach --point "$POINT" --pin-root "$PIN_MNT/scanwatch" >/dev/null 2>&1
	ip netns del "$SENSOR_NS" 2>/dev/null
	ip netns del "$NET_NS" 2>/dev/null
	umount "$PIN_MNT" 2>/dev/null && rmdir "$PIN_MNT" 2>/dev/null
}
trap teardown EXIT
trap 'echo "interrupted: tearing down"; exit 130' INT TERM

[ "$(id -u)" -eq 0 ] || { echo "make demo needs root (XDP, namespaces)" >&2; exit 1; }

say "installing packages and building"
tools/install-deps.sh build run demo
make -s all
# The country database (ip-location-db, CC0; its data the NRO's, CC BY 4.0, nro.net).
GEOIP=$ROOT/.output/geoip/country.mmdb
make -s "$GEOIP" || { echo "(no country database: every area will be ??)"; GEOIP=; }

say "sensor namespace $SENSOR_NS ($SENSOR4, $SENSOR6) <-veth-> Internet namespace $NET_NS"
teardown
mkdir -p "$PIN_MNT" && mount -t bpf bpf "$PIN_MNT"
ip netns add "$SENSOR_NS"
ip netns add "$NET_NS"
ip link add "$SENSOR_IF" netns "$SENSOR_NS" type veth peer name "$NET_IF" netns "$NET_NS"
for ns in "$SENSOR_NS" "$NET_NS"; do
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	ip -n "$ns" link set lo up
done
ip -n "$SENSOR_NS" addr add "$SENSOR4/24" dev "$SENSOR_IF"
ip -n "$SENSOR_NS" addr add "$SENSOR6/64" dev "$SENSOR_IF" nodad
ip -n "$NET_NS" addr add 192.0.2.1/24 dev "$NET_IF"
ip -n "$NET_NS" addr add "$SCANNER4/32" dev "$NET_IF"
ip -n "$NET_NS" addr add 2001:db8:5::1/64 dev "$NET_IF" nodad
ip -n "$NET_NS" addr add "$SCANNER6/128" dev "$NET_IF" nodad
ip -n "$SENSOR_NS" link set "$SENSOR_IF" up
ip -n "$NET_NS" link set "$NET_IF" up
# The sensor answers the scanner's own addresses on the link: no route leaves either namespace.
ip -n "$SENSOR_NS" route add "$SCANNER4/32" dev "$SENSOR_IF"
ip -n "$SENSOR_NS" -6 route add "$SCANNER6/128" dev "$SENSOR_IF"
SENSOR_MAC=$(ip -n "$SENSOR_NS" -br link show "$SENSOR_IF" | awk '{print $3}')

rm -rf "$OUT" && mkdir -p "$OUT"
say "scanwatch run --drop (interval ${INTERVAL}s) on $SENSOR_IF, watching the sensor's /24 like a small telescope"
START=$(date +%s)
# --drop: a sensor that answered closed ports with RSTs would have masscan, which answers every
# RST with one of its own from its single source port, fill the top keys with that backscatter.
ip netns exec "$SENSOR_NS" ./scanwatch run --point "$POINT=$SENSOR_IF" --data-dir "$OUT/data" \
	--interval "$INTERVAL" --watch 192.0.2.0/24 --watch "$SENSOR6/128" --drop -v \
	${GEOIP:+--geoip "$GEOIP"} --prom-textfile "$OUT/scanwatch.prom" \
	--pin-root "$PIN_MNT/scanwatch" >"$OUT/daemon.log" 2>&1 &
DAEMON_PID=$!
for _ in $(seq 100); do
	./scanwatch status --pin-root "$PIN_MNT/scanwatch" 2>/dev/null | grep -q "^$POINT " && break
	sleep 0.1
done
./scanwatch status --pin-root "$PIN_MNT/scanwatch" --data-dir "$OUT/data" ${GEOIP:+--geoip "$GEOIP"}

inet() { ip netns exec "$NET_NS" "$@"; }

say "nmap: SYN scan of 1000 ports, UDP scan of 20 ports, ping scan, IPv6 SYN scan"
inet nmap -n -Pn -sS --top-ports 1000 --max-rate 400 "$SENSOR4" -oN /dev/null | tail -n 3
inet nmap -n -Pn -sU --top-ports 20 --max-rate 100 "$SENSOR4" -oN /dev/null | tail -n 2
inet nmap -n -sn "$SENSOR4" -oN /dev/null | tail -n 1
inet nmap -6 -n -Pn -sS --top-ports 100 --max-rate 400 "$SENSOR6" -oN /dev/null | tail -n 1

say "masscan: 2000 ports at 500 packets/s"
# masscan 1.3 can wait for ever on a quiet link after its --wait: bound it.
inet timeout 45 masscan "$SENSOR4" -p1-2000 --rate 500 --wait 1 --adapter-ip "$SCANNER4" \
	--router-mac "$SENSOR_MAC" -e "$NET_IF" 2>&1 | tr "\r" "\n" | grep -v "^ *$" | tail -n 2 || true

say "zmap: tcp/23 over the sensor's /24 at 300 packets/s"
echo "# nothing is excluded: the target is the demo's own namespace" >"$OUT/zmap-blocklist"
inet zmap -q -p 23 -r 300 -n 256 -i "$NET_IF" -S "$SCANNER4" -G "$SENSOR_MAC" \
	-b "$OUT/zmap-blocklist" -o /dev/null 192.0.2.0/24 2>&1 | tail -n 2 || true

say "hping3: the backscatter of a spoofed flood (SYN-ACK from port 80, RST from 443)"
inet hping3 -q -SA -s 80 -k -p 40000 --rand-source -c 400 -i u2500 "$SENSOR4" 2>&1 | tail -n 1 || true
inet hping3 -q -R -s 443 -k -p 40001 --rand-source -c 200 -i u2500 "$SENSOR4" 2>&1 | tail -n 1 || true

say "Mirai-style sender: TCP 23/2323 with sequence number = destination address"
inet .output/tools/swsend --iface "$NET_IF" --dst "$SENSOR4" --kind mirai --dport 23,2323 \
	--sources 250 --src-prefix 203.0.113.0/24 --count 500 --rate 300 --dst-mac "$SENSOR_MAC" | tail -n 3

for cap in stopddos__amp.TCP.reflection.SYNACK.pcap zeek__ssh_sshguess.pcap; do
	[ -f "$SHARED/$cap" ] || { echo "($SHARED/$cap not here: skipped)"; continue; }
	say "tcpreplay: $cap, destinations rewritten to $SENSOR4"
	tcprewrite --dstipmap=0.0.0.0/0:"$SENSOR4"/32 --enet-dmac="$SENSOR_MAC" --fixcsum \
		-i "$SHARED/$cap" -o "$OUT/rewritten.pcap"
	inet tcpreplay -q -i "$NET_IF" --pps 800 "$OUT/rewritten.pcap" 2>&1 | grep -E 'Actual|Successful' || true
	rm -f "$OUT/rewritten.pcap"
done

say "waiting for the last interval to be drained"
sleep "$((INTERVAL + 1))"
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || true
DAEMON_PID=

say "summary of today (UTC)"
./scanwatch summary --data-dir "$OUT/data" --day "$(date -u +%F)" | head -n 30
cat <<'EOF'
(The sensor dropped everything it counted and answered nothing, so every scan shows as a scan
of the port it probed. The backscatter is hping3's: SYN-ACKs "from" tcp/80 and RSTs "from"
tcp/443 of random spoofed victims, and the SYN-ACK reflection capture. A sensor that answered,
run without --drop, would also count masscan's RST for each of its RSTs, from masscan's one
source port, as backscatter of that port.)
EOF

if ./scanwatch graph --help >/dev/null 2>&1; then
	say "charts"
	# Day charts get one bar from a few minutes; the key charts show the minutes themselves.
	./scanwatch graph --data-dir "$OUT/data" --out "$OUT/charts"
	./scanwatch graph --data-dir "$OUT/data" --out "$OUT/charts/minutes" --chart key \
		--start "@$START" --end "@$(date +%s)" --key tcp/80 --kind backscatter
	ls "$OUT/charts" "$OUT/charts/minutes"
fi
say "monthly report of the demo's data"
MONTH=$(date -u +%Y-%m)
./scanwatch report --data-dir "$OUT/data" --month "$MONTH" --out "$OUT/report-$MONTH" >/dev/null
say "done: data in $OUT/data, charts in $OUT/charts, daemon log in $OUT/daemon.log,"
echo "   Prometheus metrics in $OUT/scanwatch.prom, and the monthly report of this month:"
echo "   $OUT/report-$MONTH/report.html ($OUT/report-$MONTH/report.md)"
