# SPDX-License-Identifier: GPL-2.0-only
# tests/tshark_oracle.sh's output and `summary --json` in one line form, to compare them.
# Source after lib.sh; PY names python3.

# oracle_summary ORACLE...: the oracles' day lines summed the way `summary` sums days and points
# (gross sources).
oracle_summary() {
	awk '$1 == "key" { k = $3 " " $4; a[k] += $5; s[k] += $6; kind[$4] += $5
		m += $7; z += $8; ms += $9; ta += $5; ts += $6 }
	END {
		for (k in a) print "key", k, a[k], s[k]
		print "kind scan", kind["scan"] + 0
		print "kind backscatter", kind["backscatter"] + 0
		print "kind other", kind["other"] + 0
		print "fp mirai", m + 0; print "fp zmap", z + 0; print "fp masscan", ms + 0
		print "accesses", ta + 0; print "sources", ts + 0; print "dropped", 0
	}' "$@" | LC_ALL=C sort
}

# json_lines SUMMARY_JSON: `summary --json` in the same line form.
json_lines() {
	"${PY:-python3}" -c '
import json, sys
d = json.load(open(sys.argv[1]))
for k in d["keys"]:
    print("key", k["key"], k["kind"], k["accesses"], k["sources"])
for n in ("scan", "backscatter", "other"):
    print("kind", n, d["kinds"][n])
for n in ("mirai", "zmap", "masscan"):
    print("fp", n, d["fingerprints"][n])
print("accesses", d["accesses"])
print("sources", d["sources"])
print("dropped", d["dropped"])' "$1" | LC_ALL=C sort
}
