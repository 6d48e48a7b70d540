#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# tshark_oracle.sh CAPTURE [ZONE]: what the counting rules say scanwatch must count in CAPTURE, worked out
# from tshark's dissection with awk alone (no scanwatch code), so that a shared misreading of a
# header cannot make both agree. Days are calendar days in ZONE (default UTC). Prints:
#   key DAY KEY KIND ACCESSES SOURCES MIRAI ZMAP MASSCAN   one line per day, key and kind
#   stat DAY packets|not_ip|runt N                         frames per day that are no access
# and exits non-zero, naming the frame, when tshark's fields do not allow a verdict (a header
# this oracle does not walk), rather than guessing.
#
# Every frame counts (sensor mode, no --watch): replay has no notion of direction. Replay hands
# the program at most the first 2048 bytes of a frame (raw IP: 2034 behind a made-up Ethernet
# header); only headers matter, and they must lie within those.
# The rules, as README.md ("What counts") and the replay path state them:
#  - frames under 14 bytes are runts; Ethernet II with up to two 802.1Q/802.1ad tags, then IPv4 or
#    IPv6, else not IP; an IP header shorter than its fixed 20/40 bytes is a runt, not an access.
#  - the key comes from the OUTER IP header only. tshark also dissects the header an ICMP error
#    quotes and shows its ports in tcp.*/udp.*: every field is asked for in all occurrences and
#    only the first (outer) one is used, and transport fields only when the outer protocol says so.
#  - an IPv4 header that is inconsistent (version, IHL < 5, total length < IHL, options cut off by
#    the capture) stays proto/N other; a non-first fragment (IPv4 offset, IPv6 fragment header
#    offset) is frag; a transport header that the capture or the IP length cuts short
#    (TCP 20, UDP 8, ICMP 8 bytes) is proto/N other.
#  - IPv6 extension headers (hop-by-hop, routing, destination options, fragment) are walked, at
#    most 8 (a ninth leaves proto/<its type>); one cut short by the capture or by the payload
#    length leaves proto/<its type>, a fragment header included (before its offset is read).
#  - kinds and fingerprints as README.md defines them; fingerprints only on scan-kind packets.
set -eu
cap=$1
zone=${2:-UTC}

fields=(frame.number frame.time_epoch frame.cap_len frame.protocols eth.type vlan.etype
	ip.version ip.hdr_len ip.len ip.id ip.frag_offset ip.proto ip.src ip.dst
	ipv6.version ipv6.plen ipv6.nxt ipv6.src
	ipv6.hopopts.nxt ipv6.hopopts.len_oct ipv6.routing.nxt ipv6.routing.len_oct
	ipv6.dstopts.nxt ipv6.dstopts.len_oct ipv6.fraghdr.nxt ipv6.fraghdr.offset
	tcp.srcport tcp.dstport tcp.flags tcp.seq_raw udp.dstport icmp.type icmpv6.type)
args=()
for f in "${fields[@]}"; do args+=(-e "$f"); done

# Reassembly off: a reassembled datagram would show the first fragment's ports on the last one.
# A damaged capture makes tshark exit non-zero after the frames it could read; those still count.
tshark -r "$cap" -n -o ip.defragment:FALSE -o ipv6.defragment:FALSE \
	-o tcp.analyze_sequence_numbers:FALSE -T fields -E separator=/t -E occurrence=a \
	-E aggregator=, "${args[@]}" 2>/dev/null |
	TZ=$zone awk -F'\t' '
function hex(s,   i, v) {
	s = tolower(s); sub(/^0x/, "", s); v = 0
	for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
	return v
}
# Bitwise XOR of two 16-bit numbers: mawk has no bit operators.
function xor16(a, b,   r, bit) {
	r = 0
	for (bit = 1; bit < 65536; bit *= 2) {
		if ((int(a / bit) % 2) != (int(b / bit) % 2)) r += bit
	}
	return r
}
function ip4num(a,   p) { split(a, p, "."); return ((p[1] * 256 + p[2]) * 256 + p[3]) * 256 + p[4] }
# The nth occurrence of field f; "" when absent.
function occ(f, n,   v, c) {
	v = $(col[f]); if (v == "") return ""
	c = split(v, parts, ","); return n <= c ? parts[n] : ""
}
function first(f) { return occ(f, 1) }
function need(v, what) {
	if (v == "") {
		printf "oracle: frame %s: tshark gives no %s where a verdict needs it\n", $1, what > "/dev/stderr"
		bad = 1
	}
	return v
}
function count(day, key, kind, src, fp_m, fp_z, fp_s,   k) {
	k = day " " key " " kind
	acc[k]++
	if (!((k SUBSEP src) in seen)) { seen[k SUBSEP src] = 1; srcs[k]++ }
	mirai[k] += fp_m; zmap[k] += fp_z; masscan[k] += fp_s
}
# The transport layer of the outer header: proto, bytes the capture holds (avail) and bytes
# the IP header claims (claim) after the IP headers.
function transport(day, v4, proto, avail, claim, src, dst, ipid,   fl, syn, rst, ack, key, kind, sport, dport, t, seq, m, z, s) {
	m = z = s = 0
	if (proto == 6 && avail >= 20 && claim >= 20) {
		fl = hex(need(first("tcp.flags"), "tcp.flags")) % 256
		syn = int(fl / 2) % 2; rst = int(fl / 4) % 2; ack = int(fl / 16) % 2
		sport = need(first("tcp.srcport"), "tcp.srcport")
		dport = need(first("tcp.dstport"), "tcp.dstport")
		if (!ack && !rst) {
			kind = "scan"; key = "tcp/" dport
			if (v4) {
				seq = need(first("tcp.seq_raw"), "tcp.seq_raw") + 0
				m = (seq == ip4num(dst))
				s = (ipid == xor16(xor16(ip4num(dst) % 65536, dport + 0), seq % 65536))
			}
		} else if (rst || (syn && ack)) {
			kind = "backscatter"; key = "tcp/" sport
		} else {
			kind = "other"; key = "tcp/" dport
		}
	} else if (proto == 17 && avail >= 8 && claim >= 8) {
		kind = "scan"; key = "udp/" need(first("udp.dstport"), "udp.dstport")
	} else if (proto == 1 && avail >= 8 && claim >= 8) {
		t = need(first("icmp.type"), "icmp.type") + 0
		if (t == 8) { kind = "scan"; key = "icmp/echo" }
		else if (t == 0 || t == 3 || t == 11) { kind = "backscatter"; key = "icmp/" t }
		else { kind = "other"; key = "icmp/" t }
	} else if (proto == 58 && avail >= 8 && claim >= 8) {
		t = need(first("icmpv6.type"), "icmpv6.type") + 0
		if (t == 128) { kind = "scan"; key = "icmp/echo" }
		else if (t == 129 || t == 1 || t == 3) { kind = "backscatter"; key = "icmp6/" t }
		else { kind = "other"; key = "icmp6/" t }
	} else {
		kind = "other"; key = "proto/" proto
	}
	if (v4 && kind == "scan" && ipid == 54321) z = 1
	count(day, key, kind, src, m, z, s)
}
function ipv4(day, l2, cap,   ver, ihl, tot, proto, src, dst, ipid, off) {
	if (cap - l2 < 20) { stat[day, "runt"]++; return }
	src = need(first("ip.src"), "ip.src"); dst = need(first("ip.dst"), "ip.dst")
	proto = need(first("ip.proto"), "ip.proto") + 0
	ipid = hex(need(first("ip.id"), "ip.id"))
	ver = first("ip.version"); ihl = first("ip.hdr_len"); tot = first("ip.len")
	if (ver != 4 || ihl < 20 || tot < ihl || cap - l2 < ihl) {
		count(day, "proto/" proto, "other", src, 0, 0, 0)
		return
	}
	off = need(first("ip.frag_offset"), "ip.frag_offset") + 0
	if (off > 0) { count(day, "frag", "other", src, 0, 0, 0); return }
	transport(day, 1, proto, cap - l2 - ihl, tot - ihl, src, dst, ipid)
}
function ipv6(day, l2, cap,   src, nxt, remain, pos, i, len, n, f) {
	if (cap - l2 < 40) { stat[day, "runt"]++; return }
	src = need(first("ipv6.src"), "ipv6.src")
	nxt = need(first("ipv6.nxt"), "ipv6.nxt") + 0
	if (first("ipv6.version") != 6) { count(day, "proto/" nxt, "other", src, 0, 0, 0); return }
	remain = need(first("ipv6.plen"), "ipv6.plen") + 0
	pos = l2 + 40
	delete seenext
	for (i = 0; i < 8; i++) {
		if (nxt == 0) f = "hopopts"; else if (nxt == 43) f = "routing"
		else if (nxt == 60) f = "dstopts"; else if (nxt == 44) f = "fraghdr"
		else if (nxt == 135 || nxt == 51) {
			printf "oracle: frame %s: IPv6 extension header %d is not walked here\n", $1, nxt > "/dev/stderr"
			bad = 1; return
		} else break
		n = ++seenext[f]
		if (f == "fraghdr") {
			if (cap - pos < 8 || remain < 8) { count(day, "proto/" nxt, "other", src, 0, 0, 0); return }
			if (need(occ("ipv6.fraghdr.offset", n), "ipv6.fraghdr.offset") + 0 > 0) {
				count(day, "frag", "other", src, 0, 0, 0); return
			}
			len = 8
		} else {
			if (cap - pos < 2) { count(day, "proto/" nxt, "other", src, 0, 0, 0); return }
			len = need(occ("ipv6." f ".len_oct", n), "ipv6." f ".len_oct") + 0
		}
		if (len > remain || pos + len > cap) { count(day, "proto/" nxt, "other", src, 0, 0, 0); return }
		nxt = need(occ("ipv6." f ".nxt", n), "ipv6." f ".nxt") + 0
		remain -= len; pos += len
	}
	# A ninth extension header is not walked: the chain stays proto/<its type>.
	if (i == 8 && (nxt == 0 || nxt == 43 || nxt == 60 || nxt == 44 || nxt == 135 || nxt == 51)) {
		count(day, "proto/" nxt, "other", src, 0, 0, 0); return
	}
	transport(day, 0, nxt, cap - pos, remain, src, "", -1)
}
BEGIN {
	split("'"${fields[*]}"'", names, " ")
	for (i in names) col[names[i]] = i
}
{
	day = strftime("%Y-%m-%d", int($2))
	cap = $3 + 0
	stat[day, "packets"]++
	days[day] = 1
	if (cap < 14) { stat[day, "runt"]++; next }
	link = $4
	if (link ~ /^eth:/) {
		if (cap > 2048) cap = 2048
		et = hex(first("eth.type")); l2 = 14
		for (v = 1; v <= 2 && (et == 33024 || et == 34984); v++) {
			if (cap < l2 + 4) break
			et = hex(need(occ("vlan.etype", v), "vlan.etype")); l2 += 4
		}
		if (et == 2048) ipv4(day, l2, cap)
		else if (et == 34525) ipv6(day, l2, cap)
		else stat[day, "not_ip"]++
	} else if (link ~ /^raw:ipv6/) {
		ipv6(day, 0, cap > 2034 ? 2034 : cap)
	} else if (link ~ /^raw:ip/) {
		ipv4(day, 0, cap > 2034 ? 2034 : cap)
	} else {
		printf "oracle: frame %s: link layer %s is not walked here\n", $1, link > "/dev/stderr"
		bad = 1
	}
}
END {
	for (k in acc) print "key", k, acc[k], srcs[k], mirai[k] + 0, zmap[k] + 0, masscan[k] + 0
	split("packets not_ip runt", sn, " ")
	for (d in days) for (s = 1; s <= 3; s++) print "stat", d, sn[s], stat[d, sn[s]] + 0
	exit bad
}' | LC_ALL=C sort
exit "${PIPESTATUS[1]}"
