# SPDX-License-Identifier: GPL-2.0-only
# Helpers of the live tests (t_live*.sh), sourced after lib.sh: a sensor namespace and a sender
# namespace joined by a veth pair, the daemon started and stopped inside the sensor's, and the
# expected figures merged from what the senders report they sent (never from scanwatch itself).

SWSEND="$SRC_ROOT/.output/tools/swsend"
POINT=lab
DPID=

# live_setup [QUEUES]: sets SNS/GNS (sensor and sender namespaces), SIF/GIF (their veth ends,
# with QUEUES receive and transmit queues each, default 1), SMAC (the sensor's MAC), PIN (a
# private pin root), WORK (scratch dir) and DATA_DIR.
live_setup() {
	SNS=$(uniq_name s) GNS=$(uniq_name g) SIF=$(uniq_name i) GIF=$(uniq_name j)
	netns_pair "$SNS" "$GNS" "$SIF" "$GIF" "${1:-}" || return 1
	# The sender's kernel must add nothing to what the test sends: without IPv6 on its end it
	# sends no router solicitation, MLD report or DAD probe that the sensor would count.
	ip netns exec "$GNS" sysctl -qw net.ipv6.conf."$GIF".disable_ipv6=1 || return 1
	ip -n "$SNS" addr add 192.0.2.1/24 dev "$SIF" || return 1
	ip -n "$SNS" addr add 2001:db8::1/64 dev "$SIF" nodad || return 1
	ip -n "$GNS" addr add 192.0.2.2/24 dev "$GIF" || return 1
	SMAC=$(ip -n "$SNS" -br link show "$SIF" | awk '{print $3}')
	# hping3 and ping go through the sender's stack: a fixed neighbour entry spares them ARP,
	# so no packet waits in (or falls out of) an unresolved queue.
	ip -n "$GNS" neigh replace 192.0.2.1 lladdr "$SMAC" dev "$GIF" nud permanent || return 1
	PIN=$(pin_root) || return 1
	WORK=$(mktemp -d) || return 1
	[ -n "${SW_KEEP_WORK:-}" ] && echo "# work dir $WORK" || on_exit rm -rf "$WORK"
	# The binaries under test are the ones built when the test starts, whatever a concurrent
	# `make` does to the tree meanwhile.
	cp "$SW" "$WORK/scanwatch" && cp "$SWSEND" "$WORK/swsend" || return 1
	SW=$WORK/scanwatch SWSEND=$WORK/swsend
	# No configured key gets an RRD file (keys in the day's top ten still do): at a one-second
	# step each file keeps 2 days of seconds and more, tens of MB, and the built-in list of keys
	# would have the first drain write over a GB.
	echo "# no configured keys: see live_setup" >"$WORK/keys"
	DATA_DIR=$WORK/data
	DAY0=$(date -u +%F)
	on_exit live_teardown
}

# Leaves nothing behind: the daemon stopped, the point detached, on success and failure alike.
live_teardown() {
	# detach refuses while the daemon holds the point: it must be gone first.
	[ -n "$DPID" ] && kill -KILL "$DPID" 2>/dev/null && wait_for 10 pid_gone "$DPID"
	"$SW" detach --point "$POINT" --pin-root "$PIN" >/dev/null 2>&1
	return 0
}

sns() { ip netns exec "$SNS" "$@"; }
gns() { ip netns exec "$GNS" "$@"; }

pid_gone() { ! kill -0 "$1" 2>/dev/null; }

daemon_attached() {
	kill -0 "$DPID" 2>/dev/null &&
		sns "$SW" status --pin-root "$PIN" 2>/dev/null | grep -q "^$POINT .*daemon running"
}

# daemon_start [RUN OPTIONS...]: the daemon in the background inside the sensor namespace;
# returns once status shows it attached and running (10 s at most)
# (ip netns exec runs it directly, so $! is the daemon itself: no subshell in between.)
daemon_start() {
	ip netns exec "$SNS" "$SW" run --point "$POINT=$SIF" --data-dir "$DATA_DIR" --interval 1 \
		--pin-root "$PIN" --keys "$WORK/keys" "$@" >>"$WORK/daemon.log" 2>&1 &
	DPID=$!
	wait_for 10 daemon_attached
}

# daemon_stop SIGNAL: sends it and waits (10 s at most); returns the daemon's exit status.
daemon_stop() {
	local rc
	kill -"$1" "$DPID" 2>/dev/null
	wait_for 30 pid_gone "$DPID" || return 124
	{ wait "$DPID"; } 2>/dev/null # no "Killed" notice from the shell
	rc=$?
	DPID=
	return $rc
}

rx_packets() { sns cat "/sys/class/net/$SIF/statistics/rx_packets"; }

# wait_rx BASE N: the sensor's interface has received N frames since BASE. In native mode the
# counter moves after the XDP program has run on them, so they are all counted by then.
rx_reached() { [ $(($(rx_packets) - $1)) -ge "$2" ]; }
wait_rx() { wait_for 10 rx_reached "$1" "$2"; }

# stored FILE: the summary of the test's days so far, as JSON.
stored() {
	local day1
	day1=$(date -u +%F)
	"$SW" summary --data-dir "$DATA_DIR" --point "$POINT" --from "$DAY0" --to "$day1" \
		--json >"$1" 2>/dev/null
}
stored_accesses() { stored "$WORK/s.json" && json_get "$WORK/s.json" 'd["accesses"]'; }
stored_reached() { [ "$(stored_accesses)" -ge "$1" ] 2>/dev/null; }
stored_above() { [ "$(stored_accesses)" -gt "$1" ] 2>/dev/null; }

# send FILE SWSEND-OPTIONS...: swsend in the sender namespace, its JSON tally appended to FILE.
send() {
	local out=$1
	shift
	gns "$SWSEND" --iface "$GIF" --json "$@" >>"$out"
}

# compare SUMMARY_JSON ORACLE_JSONL: TAP lines comparing the stored summary with the sum of the
# tallies in ORACLE_JSONL (one JSON object per line, swsend's --json shape). The senders of one
# test use disjoint (source, key) sets, so the sources of their tallies add up.
compare() {
	local d g e
	while IFS=$'\t' read -r d g e; do
		t_eq "$g" "$e" "$d"
	done < <(python3 - "$1" "$2" <<'EOF'
import json, sys
got = json.load(open(sys.argv[1]))
exp = {"accesses": 0, "sources": 0, "kinds": {"scan": 0, "backscatter": 0, "other": 0},
       "fingerprints": {"mirai": 0, "zmap": 0, "masscan": 0}, "keys": {}}
runs = 0
for line in open(sys.argv[2]):
    if not line.strip():
        continue
    t = json.loads(line)
    runs += 1
    exp["accesses"] += t["accesses"]
    exp["sources"] += t["sources"]
    for k in exp["kinds"]:
        exp["kinds"][k] += t["kinds"][k]
    for k in exp["fingerprints"]:
        exp["fingerprints"][k] += t["fingerprints"][k]
    for k in t["keys"]:
        a, s = exp["keys"].get((k["key"], k["kind"]), (0, 0))
        exp["keys"][(k["key"], k["kind"])] = (a + k["accesses"], s + k["sources"])
src = "sum of %d sender tallies" % runs
print("accesses, as sent (%s)\t%d\t%d" % (src, got["accesses"], exp["accesses"]))
print("gross sources = distinct (source, key) pairs sent\t%d\t%d" % (got["sources"], exp["sources"]))
for k in exp["kinds"]:
    print("kind %s accesses, as sent\t%d\t%d" % (k, got["kinds"][k], exp["kinds"][k]))
for k in exp["fingerprints"]:
    print("fingerprint %s, as the sent frames carry it\t%d\t%d" % (k, got["fingerprints"][k], exp["fingerprints"][k]))
print("dropped: nothing overflowed\t%d\t0" % got["dropped"])
seen = {(k["key"], k["kind"]): (k["accesses"], k["sources"]) for k in got["keys"]}
for key in sorted(exp["keys"]):
    g = seen.pop(key, (0, 0))
    print("%s %s accesses/sources as sent\t%d/%d\t%d/%d" % (key[0], key[1], g[0], g[1], *exp["keys"][key]))
print("keys counted that were never sent\t%s\tnone" % (",".join("%s:%s=%d" % (k[0], k[1], v[0]) for k, v in sorted(seen.items())) or "none"))
EOF
	)
}
