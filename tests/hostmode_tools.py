# SPDX-License-Identifier: GPL-2.0-only
"""Small network actors for tests/t_hostmode.sh, each bounded in packets and time.

  dnsd PORT                    a DNS server on [::]:PORT (IPv4 too): www.swlab.test is
                               192.0.2.2 / 2001:db8::2, any other name is NXDOMAIN
  sink PORT                    a UDP socket on [::]:PORT that reads and never answers
  send SPORT DST DPORT [N]     N datagrams (default 1) from SPORT to DST:DPORT, then close
  sweep SPORT DST DPORT0 N     one datagram from SPORT to each of DST:DPORT0 .. DPORT0+N-1
  ping6 DST IDENT N            N ICMPv6 echo requests (raw socket); prints the replies seen
  gro-off IFACE                turns generic receive offload off (ethtool's SIOCETHTOOL)
"""
import array
import fcntl
import select
import socket
import struct
import sys
import time


def dual(kind, port):
    s = socket.socket(socket.AF_INET6, kind)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::", port))
    return s


def dnsd(port):
    answers = {1: socket.inet_pton(socket.AF_INET, "192.0.2.2"),
               28: socket.inet_pton(socket.AF_INET6, "2001:db8::2")}
    s = dual(socket.SOCK_DGRAM, port)
    while True:
        q, peer = s.recvfrom(512)
        if len(q) < 17:
            continue
        qid, flags = struct.unpack("!HH", q[:4])
        # the question: labels up to the root, then type and class
        i, labels = 12, []
        while i < len(q) and q[i]:
            labels.append(q[i + 1:i + 1 + q[i]].decode("ascii", "replace"))
            i += 1 + q[i]
        qtype, qclass = struct.unpack("!HH", q[i + 1:i + 5])
        question = q[12:i + 5]
        name = ".".join(labels).lower()
        rd = flags & 0x0100
        if name == "www.swlab.test" and qtype in answers:
            rdata = answers[qtype]
            rr = struct.pack("!HHHIH", 0xc00c, qtype, 1, 60, len(rdata)) + rdata
            hdr = struct.pack("!HHHHHH", qid, 0x8400 | rd, 1, 1, 0, 0)
            s.sendto(hdr + question + rr, peer)
        else:
            rcode = 0 if name == "www.swlab.test" else 3
            hdr = struct.pack("!HHHHHH", qid, 0x8400 | rd | rcode, 1, 0, 0, 0)
            s.sendto(hdr + question, peer)


def sink(port):
    s = dual(socket.SOCK_DGRAM, port)
    while True:
        s.recvfrom(2048)


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def sender(sport, dst):
    s = socket.socket(family(dst), socket.SOCK_DGRAM)
    # the peer's sink listens on the port its late answer comes from
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::" if ":" in dst else "0.0.0.0", sport))
    return s


def send(sport, dst, dport, n=1):
    s = sender(sport, dst)
    for i in range(n):
        s.sendto(b"scanwatch host mode %d" % i, (dst, dport))
    s.close()


def sweep(sport, dst, dport0, n):
    s = sender(sport, dst)
    for p in range(dport0, dport0 + n):
        s.sendto(b"scanwatch flow %d" % p, (dst, p))
    s.close()


def ping6(dst, ident, n):
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    got = 0
    for seq in range(n):
        # the kernel fills in the ICMPv6 checksum of a raw ICMPv6 socket
        s.sendto(struct.pack("!BBHHH", 128, 0, 0, ident, seq) + b"scanwatch", (dst, 0))
        end = time.time() + 2
        while time.time() < end:
            r, _, _ = select.select([s], [], [], end - time.time())
            if not r:
                break
            pkt, _ = s.recvfrom(1500)
            if pkt[0] == 129 and struct.unpack("!HH", pkt[4:8]) == (ident, seq):
                got += 1
                break
    if got != n:
        print("ping6: %d replies to %d requests" % (got, n), file=sys.stderr)
    return 0 if got == n else 1


def gro_off(iface):
    ethtool_sgro, ethtool_ggro, siocethtool = 0x2c, 0x2b, 0x8946
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for cmd in (ethtool_sgro, ethtool_ggro):
        val = array.array("I", [cmd, 0])
        ifr = struct.pack("16sP", iface.encode(), val.buffer_info()[0])
        fcntl.ioctl(s.fileno(), siocethtool, ifr)
    return 0 if val[1] == 0 else 1


def main(argv):
    cmd, args = argv[1], argv[2:]
    if cmd == "dnsd":
        dnsd(int(args[0]))
    elif cmd == "sink":
        sink(int(args[0]))
    elif cmd == "send":
        send(int(args[0]), args[1], int(args[2]), int(args[3]) if len(args) > 3 else 1)
    elif cmd == "sweep":
        sweep(int(args[0]), args[1], int(args[2]), int(args[3]))
    elif cmd == "ping6":
        return ping6(args[0], int(args[1]), int(args[2]))
    elif cmd == "gro-off":
        return gro_off(args[0])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
