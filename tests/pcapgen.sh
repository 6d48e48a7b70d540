#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# pcapgen.sh OUT.pcap < SPEC: writes a classic pcap of Ethernet/IPv4 frames, one per line of SPEC,
# so that tests choose every timestamp (days, midnights, an hour of traffic):
#   EPOCH.FRAC tcp  SRC DST SPORT DPORT FLAGS IPID SEQ   (FLAGS decimal: 2 SYN, 18 SYN+ACK, 4 RST)
#   EPOCH.FRAC udp  SRC DST SPORT DPORT - IPID -
#   EPOCH.FRAC icmp SRC DST TYPE CODE - IPID -
# Lines in time order; blank lines and # comments are skipped. The frames are built here by awk and
# written by text2pcap, not by scanwatch's frame builder, so a shared mistake cannot hide a bug.
set -eu
out=$1
txt=$(mktemp)
trap 'rm -f "$txt"' EXIT
awk '
function hexn(v, n) { return sprintf("%0" n "x", v) }
# An IPv4 address as hex; its two 16-bit words are added to the checksum sum.
function ip4(a,   p) {
	split(a, p, ".")
	sum += (p[1] * 256 + p[2]) + (p[3] * 256 + p[4])
	return sprintf("%02x%02x%02x%02x", p[1], p[2], p[3], p[4])
}
BEGIN { eth = "020000000002" "020000000001" "0800" }
NF == 0 || /^#/ { next }
{
	if ($2 == "tcp") {
		l4 = hexn($5, 4) hexn($6, 4) hexn($9, 8) "00000000" "50" hexn($7, 2) "ffff00000000"
		proto = 6
	} else if ($2 == "udp") {
		l4 = hexn($5, 4) hexn($6, 4) "00080000"
		proto = 17
	} else if ($2 == "icmp") {
		l4 = hexn($5, 2) hexn($6, 2) "000000000000"
		proto = 1
	} else {
		printf "pcapgen: line %d: unknown protocol %s\n", NR, $2 > "/dev/stderr"
		exit 1
	}
	len = 20 + length(l4) / 2
	# The header checksum (ones complement sum of its words) is right; transport checksums stay
	# zero, as neither scanwatch nor the oracle reads them.
	sum = 17664 + len + $8 + 64 * 256 + proto
	addrs = ip4($3) ip4($4)
	while (sum > 65535) sum = int(sum / 65536) + sum % 65536
	frame = eth "4500" hexn(len, 4) hexn($8, 4) "0000" "40" hexn(proto, 2) hexn(65535 - sum, 4) addrs l4
	# text2pcap hexdump form: the time, then the bytes at offset 0.
	gsub(/../, " &", frame)
	print $1
	print "000000" frame
}' >"$txt"
[ -s "$txt" ] || { echo "pcapgen: no packets" >&2; exit 1; }
# text2pcap reads the time with strptime and turns it back with mktime: in UTC both agree.
# It prints a line of dashes even with -q: show its output only when it fails.
if ! msg=$(TZ=UTC text2pcap -q -F pcap -t '%s.%f' "$txt" "$out" 2>&1); then
	echo "$msg" >&2
	exit 1
fi
