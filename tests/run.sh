#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Runs every test: the C tests in .output/tests (cmocka, TAP output) and tests/t_*.sh (TAP), and
# closes with "N passed, N failed, N skipped". Under CI=true a skipped test counts as failed.
# TESTS="name ..." runs only those (file names without directory or suffix). SW_OUT=DIR runs the
# C tests and scanwatch of another build (make sanitize: SW_OUT=.output-san); SW_BIN=PATH names
# the scanwatch binary alone (lib.sh).
set -u
cd "$(dirname "$0")/.."
OUT_DIR=${SW_OUT:-.output}
[ -n "${SW_OUT:-}" ] && export SW_BIN=${SW_BIN:-$PWD/$SW_OUT/scanwatch}
passed=0 failed=0 skipped=0
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

want() { [ -z "${TESTS:-}" ] && return 0; [[ " $TESTS " == *" $1 "* ]]; }

run_one() {
	local name=$1; shift
	local out="$log/$name.tap" rc start end
	want "$name" || return 0
	start=$(date +%s)
	CMOCKA_MESSAGE_OUTPUT=TAP timeout "${TEST_TIMEOUT:-600}" "$@" >"$out" 2>"$log/$name.err"
	rc=$?
	end=$(date +%s)
	local p f s
	# cmocka reports a skipped test as "not ok N # SKIP": a skip, not a failure.
	p=$(grep -E '^ok [0-9]+' "$out" | grep -vc '# SKIP')
	s=$(grep -cE '^(not )?ok [0-9]+.*# SKIP|^1\.\.0 # SKIP' "$out")
	f=$(grep -E '^not ok [0-9]+' "$out" | grep -vc '# SKIP')
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	if [ "${CI:-}" = "true" ] && [ "$s" -gt 0 ]; then f=$((f + s)); s=0; fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	printf '%-28s %4d passed %3d failed %3d skipped  %4ds\n' "$name" "$p" "$f" "$s" $((end - start))
	if [ "$f" -gt 0 ] || [ -n "${VERBOSE:-}" ]; then
		grep -E '^not ok|^# ' "$out" | sed 's/^/    /' | head -40
		sed 's/^/    stderr: /' "$log/$name.err" | tail -20
	fi
	if grep -q '^1\.\.0 # SKIP' "$out"; then sed 's/^/    /' "$out" | grep SKIP; fi
}

for bin in "$OUT_DIR"/tests/*_test; do
	[ -x "$bin" ] || continue
	run_one "$(basename "$bin")" "$bin"
done
for t in tests/t_*.sh; do
	[ -f "$t" ] || continue
	run_one "$(basename "$t" .sh)" bash "$t"
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
