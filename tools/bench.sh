#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `make bench`: nanoseconds per packet of scanwatch's XDP program against an empty XDP program
# (both through BPF_PROG_TEST_RUN in one run) and the drain of the interval they fill, printed
# and written to bench.json at the repository root. When the machine has hardware counters,
# perf stat adds the instructions per packet scanwatch costs over the empty program.
# Ratios are information (SPEC.md section 7): only a bench that cannot run fails.
#
# BENCH_JSON (default bench.json) is where the figures go; arguments go to the bench binary
# (.output/tools/bench --help). BENCH_PERF_EVENT (default instructions) is the counter to use.
set -eu
cd "$(dirname "$0")/.."
BENCH=.output/tools/bench
JSON=${BENCH_JSON:-bench.json}
EVENT=${BENCH_PERF_EVENT:-instructions}

if [ "$(id -u)" -ne 0 ]; then
	echo "bench: needs root (BPF_PROG_TEST_RUN, a private network namespace)" >&2
	exit 1
fi
if [ ! -x "$BENCH" ]; then
	echo "bench: $BENCH is not built (make)" >&2
	exit 1
fi

"$BENCH" --json "$JSON" "$@"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# Prints "<count>" of $EVENT over one pass of the mix through program $1, frames in $TMP/frames.
count_pass() {
	perf stat -x, -e "$EVENT" -o "$TMP/perf.$1" -- "$BENCH" --pass "$1" >"$TMP/out.$1" || return 1
	awk '{ print $1 }' "$TMP/out.$1" >"$TMP/frames"
	awk -F, -v ev="$EVENT" '$3 == ev && $1 ~ /^[0-9.]+$/ { print $1; found = 1 } END { exit !found }' \
		"$TMP/perf.$1"
}

# The passes load both programs and build the same mix; only the program run differs, so the
# difference of the two counts over the frames is scanwatch's extra cost per packet.
perf_note=
if ! command -v perf >/dev/null; then
	perf_note="perf is not installed"
elif ! perf stat -x, -e "$EVENT" -o "$TMP/probe" -- true >/dev/null 2>&1 ||
	grep -q '<not supported>\|<not counted>' "$TMP/probe"; then
	perf_note="perf stat -e $EVENT is not supported here (no hardware counters, e.g. in this VM)"
elif sw=$(count_pass scanwatch) && empty=$(count_pass empty); then
	frames=$(cat "$TMP/frames")
	per=$(awk -v a="$sw" -v b="$empty" -v n="$frames" 'BEGIN { printf "%.1f", (a - b) / n }')
	echo "perf stat: scanwatch costs $per $EVENT per packet more than the empty program" \
		"($sw vs $empty over $frames frames, each pass loading both programs)"
else
	perf_note="perf stat -e $EVENT failed on the bench passes"
fi
[ -z "$perf_note" ] || echo "perf stat: skipped: $perf_note"

python3 - "$JSON" "$EVENT" "${per:-}" "$perf_note" <<'EOF'
import json, sys
path, event, per, note = sys.argv[1:5]
with open(path) as f:
    doc = json.load(f)
doc["perf_stat"] = {"event": event, "per_packet_over_empty": float(per)} if per else \
    {"event": event, "skipped": note}
with open(path + ".tmp", "w") as f:
    json.dump(doc, f, indent=2)
    f.write("\n")
EOF
mv "$JSON.tmp" "$JSON"
echo "bench: figures written to $JSON"
