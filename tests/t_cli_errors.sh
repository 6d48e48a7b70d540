#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Bad input: each case must exit with the code user/lib/cli.h gives it (2 for bad usage or
# input, 1 for a failure of the system around it), print exactly one line on stderr that says
# what is wrong, and leave nothing attached or pinned. libbpf's own messages must not leak.
# Every `run` happens inside a throwaway namespace, on its veth end.
source "$(dirname "$0")/lib.sh"

require_root
require_cmd ip setpriv
USAGE=2 FAIL=1
EMPTY_OBJ=$SRC_ROOT/.output/empty.bpf.o
# The baseline program is kept by the Makefile (.SECONDARY); build it if a clean tree lacks it.
[ -f "$EMPTY_OBJ" ] || make -s -C "$SRC_ROOT" .output/empty.bpf.o >/dev/null 2>&1 ||
	t_skip_all "cannot build $EMPTY_OBJ"

NA=$(uniq_name e) NB=$(uniq_name f) IA=$(uniq_name i) IB=$(uniq_name j)
netns_pair "$NA" "$NB" "$IA" "$IB" || t_skip_all "cannot build the namespaces and veth pair"
PIN=$(pin_root) || t_skip_all "cannot mount a private bpffs"
WORK=$(mktemp -d)
on_exit rm -rf "$WORK"
# The binary under test is the one built when the test starts, whatever a concurrent `make`
# does to the tree meanwhile.
cp "$SW" "$WORK/scanwatch" || t_skip_all "cannot copy $SW"
SW=$WORK/scanwatch
on_exit "ip -n $NA link set dev $IA xdp off"
on_exit "$SW detach --point p --pin-root $PIN"
# nobody must reach the directories the privilege cases name.
chmod 755 "$WORK"
mkdir -m 1777 "$WORK/open"
mkdir -m 755 "$WORK/ro"
touch "$WORK/file"

xdp_prog_id() {
	ip -n "$NA" -d link show dev "$IA" | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p' | head -n 1
}
KEEP_ID= # the id of a program a case must leave attached, or empty: none may be

# check DESC CODE PATTERN COMMAND...: COMMAND exits CODE with exactly one line on stderr
# matching PATTERN (extended regex), and no point is pinned nor any other XDP program attached.
check() {
	local desc=$1 code=$2 pat=$3 rc lines why=""
	shift 3
	"$@" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	lines=$(wc -l <"$WORK/err")
	[ "$rc" = "$code" ] || why+="exit $rc, not $code; "
	[ "$lines" = 1 ] || why+="$lines lines on stderr, not 1; "
	grep -qE -- "$pat" "$WORK/err" || why+="stderr lacks /$pat/; "
	[ -z "$(ls -A "$PIN" 2>/dev/null)" ] || why+="left pinned: $(ls -A "$PIN" | tr '\n' ' '); "
	[ "$(xdp_prog_id)" = "$KEEP_ID" ] ||
		why+="XDP program on $IA is '$(xdp_prog_id)', not '$KEEP_ID'; "
	if [ -z "$why" ]; then
		t_ok "$desc: exit $code, $(head -n 1 "$WORK/err")"
	else
		t_fail "$desc: $why"
		sed 's/^/#   stderr: /' "$WORK/err"
	fi
}

run_ns() { ip netns exec "$NA" "$SW" run --pin-root "$PIN" "$@"; }
as_nobody() { ip netns exec "$NA" setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
D=(--data-dir "$WORK/data")

# The system around the command: exit 1.
check "unknown interface" $FAIL "interface nosuch0: no such interface" \
	run_ns --point p=nosuch0 "${D[@]}"
check "missing privilege (nobody)" $FAIL "needs root" \
	as_nobody "$SW" run --point p="$IA" --data-dir "$WORK/open/data" --pin-root "$PIN"
check "data dir is a file" $FAIL "cannot use data directory .*Not a directory" \
	run_ns --point p="$IA" --data-dir "$WORK/file"
check "data dir not writable (nobody)" $FAIL "cannot use data directory .*Permission denied" \
	as_nobody "$SW" run --point p="$IA" --data-dir "$WORK/ro" --pin-root "$PIN"
check "detach of a point not attached" $FAIL "point p is not attached" \
	"$SW" detach --point p --pin-root "$PIN"

# Another program owns the interface: the error names it, and it stays.
if ip -n "$NA" link set dev "$IA" xdp obj "$EMPTY_OBJ" sec xdp; then
	KEEP_ID=$(xdp_prog_id)
	check "interface with another XDP program" $FAIL \
		"$IA already has an XDP program \(id $KEEP_ID\)" run_ns --point p="$IA" "${D[@]}"
	check "same, asking for generic mode" $FAIL \
		"$IA already has an XDP program \(id $KEEP_ID\)" \
		run_ns --point p="$IA" "${D[@]}" --mode generic
	ip -n "$NA" link set dev "$IA" xdp off
	KEEP_ID=
else
	t_fail "cannot attach $EMPTY_OBJ to $IA"
fi

# Bad usage or input: exit 2, nothing touched.
for name in a/b .. ../etc x/../y; do
	check "point name '$name'" $USAGE "point name '$name' must be" run_ns --point "$name=$IA" "${D[@]}"
done
check "replay point name '../x'" $USAGE "point name '\.\./x'" \
	"$SW" replay --point ../x "${D[@]}" /etc/hostname
check "summary point name '../x'" $USAGE "bad point name '\.\./x'" \
	"$SW" summary --point ../x "${D[@]}" --day 2026-01-01
check "detach point name 'a/b'" $USAGE "'a/b'" "$SW" detach --point a/b --pin-root "$PIN"
check "replay of a file that is no capture" $USAGE "/etc/hostname: not a readable pcap" \
	"$SW" replay --point r --data-dir "$WORK/replay" /etc/hostname
t_true "replay of a file that is no capture wrote nothing" test ! -e "$WORK/replay"
check "replay of a missing file" $USAGE "not a readable pcap" \
	"$SW" replay --point r --data-dir "$WORK/replay" "$WORK/nonexistent.pcap"
for v in 0 abc 3601 -1 1.5 "" 1x; do
	check "--interval '$v'" $USAGE "--interval takes 1 to 3600 seconds, not '$v'" \
		run_ns --point p="$IA" "${D[@]}" --interval "$v"
done
check "--max-pairs 10" $USAGE "--max-pairs takes" run_ns --point p="$IA" "${D[@]}" --max-pairs 10
check "--exit-after 0" $USAGE "--exit-after takes" run_ns --point p="$IA" "${D[@]}" --exit-after 0
for v in 0 3 8 24 2097152 abc; do
	check "--cache-slots '$v'" $USAGE "--cache-slots takes a power of two from 16 to 1048576, not '$v'" \
		run_ns --point p="$IA" "${D[@]}" --cache-slots "$v"
done
check "replay --cache-slots 100" $USAGE "--cache-slots takes a power of two" \
	"$SW" replay --point r "${D[@]}" --cache-slots 100 /etc/hostname
for v in 0 268435457 x; do
	check "--log-records '$v'" $USAGE "--log-records takes 1 to 268435456, not '$v'" \
		run_ns --point p="$IA" "${D[@]}" --log-records "$v"
done
# A counting state larger than the memory available (48 bytes a record, the log twice, per
# generation): refused before anything is made, one line that says how much and which options.
avail_mb=$(awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo)
if [ "$avail_mb" -lt 24000 ]; then
	check "--log-records 268435456 ($((268435456 * 96 / 1048576)) MB, $avail_mb MB available)" $FAIL \
		"the counting state would take [0-9]+ MB of kernel memory \(a log of [0-9]+ records.* more than the [0-9]+ MB available: lower --log-records" \
		run_ns --point p="$IA" "${D[@]}" --log-records 268435456
else
	t_ok "--log-records 268435456: this machine has $avail_mb MB available, more than the largest state (not refused here)"
fi
check "--mode turbo" $USAGE "--mode is auto, native or generic" \
	run_ns --point p="$IA" "${D[@]}" --mode turbo
check "--watch 192.0.2.0/33" $USAGE "bad --watch prefix" \
	run_ns --point p="$IA" "${D[@]}" --watch 192.0.2.0/33
# A research list (--research, or research = in the configuration file): its bad line named.
printf '# lab\n198.51.100.0/24\n\n198.51.100.7/24 # a host, not a prefix\n' >"$WORK/research"
check "--research with a host's bits past /24" $USAGE \
	"^scanwatch run: $WORK/research:4: '198.51.100.7/24' has bits set past its length: the prefix is 198.51.100.0/24$" \
	run_ns --point p="$IA" "${D[@]}" --research "$WORK/research"
printf 'research = %s\n' "$WORK/research" >"$WORK/research.conf"
check "research = FILE in the configuration, the same list" $USAGE "$WORK/research:4: " \
	run_ns --point p="$IA" "${D[@]}" --config "$WORK/research.conf"
printf '2001:db8::/129\n' >"$WORK/research6"
check "--research with an IPv6 length past 128" $USAGE "$WORK/research6:1: '2001:db8::/129' is not an IPv4 or IPv6 prefix" \
	run_ns --point p="$IA" "${D[@]}" --research "$WORK/research6"
check "--research of a missing file" $USAGE "cannot read the research list $WORK/nonexistent" \
	run_ns --point p="$IA" "${D[@]}" --research "$WORK/nonexistent"
check "replay --research with a bad line" $USAGE "$WORK/research:4: " \
	"$SW" replay --point r --data-dir "$WORK/replay" --research "$WORK/research" /etc/hostname
check "--tz Mars/Olympus_Mons" $USAGE "unknown time zone" \
	run_ns --point p="$IA" "${D[@]}" --tz Mars/Olympus_Mons
check "unknown long option" $USAGE "unknown option '--bogus'" run_ns --point p="$IA" "${D[@]}" --bogus
check "unknown short option" $USAGE "unknown option '-z'" run_ns --point p="$IA" "${D[@]}" -z
check "option without its value" $USAGE "option '--interval' needs a value" \
	run_ns --point p="$IA" "${D[@]}" --interval
check "value given to a flag" $USAGE "option '--drop=1' takes no value" \
	run_ns --point p="$IA" "${D[@]}" --drop=1
check "missing --data-dir" $USAGE "--data-dir is required" run_ns --point p="$IA"
check "missing --point" $USAGE "--point NAME=IFACE is required" run_ns "${D[@]}"
check "--point without interface" $USAGE "--point takes NAME=IFACE" run_ns --point p "${D[@]}"
check "same point twice" $USAGE "point p given twice" \
	run_ns --point p="$IA" --point p="$IB" "${D[@]}"
check "stray argument" $USAGE "unexpected argument 'extra'" \
	run_ns --point p="$IA" "${D[@]}" extra
check "summary without --data-dir" $USAGE "--data-dir is required" "$SW" summary --day 2026-01-01
check "summary --day 2026-13-01" $USAGE "--day takes YYYY-MM-DD" \
	"$SW" summary "${D[@]}" --day 2026-13-01
check "status with a stray argument" $USAGE "unexpected argument 'x'" \
	"$SW" status --pin-root "$PIN" x
check "top --count 0" $USAGE "--count takes 1 to 65536 keys, not '0'" \
	"$SW" top --pin-root "$PIN" --once --count 0
check "top --count abc" $USAGE "--count takes 1 to 65536 keys, not 'abc'" \
	"$SW" top --pin-root "$PIN" --once --count abc
check "top point name '../x'" $USAGE "bad point name '\.\./x'" \
	"$SW" top --pin-root "$PIN" --once --point ../x
check "top --json without --once" $USAGE "--json needs --once" "$SW" top --pin-root "$PIN" --json
check "top without a terminal" $USAGE "the live view needs a terminal; use --once" \
	"$SW" top --pin-root "$PIN" </dev/null
check "top unknown option" $USAGE "unknown option '--bogus'" "$SW" top --once --bogus
check "top with a stray argument" $USAGE "unexpected argument 'x'" "$SW" top --once x
check "top of a point not attached" $FAIL "point p is not attached" \
	"$SW" top --pin-root "$PIN" --once --point p
check "unknown command" $USAGE "unknown command 'frobnicate'" "$SW" frobnicate

# The test sender refuses destinations outside the documentation and benchmark prefixes (run
# in the namespace all the same, in case it did not).
SWSEND=$SRC_ROOT/.output/tools/swsend
if [ -x "$SWSEND" ]; then
	cp "$SWSEND" "$WORK/swsend" && SWSEND=$WORK/swsend
	for dst in 8.8.8.8 198.51.0.0/16 2001:4860::8888 2001:db8::/16; do
		check "swsend --dst $dst" $USAGE "outside the documentation and benchmark prefixes" \
			ip netns exec "$NA" "$SWSEND" -i "$IA" -d "$dst"
	done
	check "swsend --count 0" $USAGE "--count takes 1 to" \
		ip netns exec "$NA" "$SWSEND" -i "$IA" -d 192.0.2.1 --count 0
	check "swsend --rate abc" $USAGE "--rate takes 1 to" \
		ip netns exec "$NA" "$SWSEND" -i "$IA" -d 192.0.2.1 --rate abc
fi

t_done
