#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# bench_db.sh OUT.json: ten points store a day of generated intervals (tools/mkhistory, an
# interval every BENCH_DB_INTERVAL seconds, default 600: 144 of them) at once, into local files only and then also into one PostgreSQL database
# (a server of the bench's own, fsync on, on this machine's disk): intervals stored per second
# in each case, and what a point's day takes in the database and in the files. Each replay with
# --db ends only once its spool is in the database, so its time includes every transaction.
# The central summary --db must equal the files' summary, or the bench fails.
set -u
cd "$(dirname "$0")/.."
OUT=${1:?usage: bench_db.sh OUT.json}
source tests/lib.sh
source tests/pg_lib.sh
SW=$PWD/scanwatch
POINTS=${BENCH_DB_POINTS:-10}
IV=${BENCH_DB_INTERVAL:-600}
fail() { echo "bench_db: $*" >&2; exit 1; }
[ -x "$PG_BIN/initdb" ] || fail "needs PostgreSQL's initdb (make deps: postgresql)"
[ -x .output/tools/mkhistory ] || fail ".output/tools/mkhistory is not built (make)"

W=$(mktemp -d /tmp/sw-bench-db-XXXXXX)
on_exit rm -rf "$W"
# A day of 2009-10-01 with something in every minute: scans (one fingerprinted), UDP, echo,
# backscatter (victims lines), about 9 keys and 800 (source, key) pairs an hour.
cat >"$W/spec" <<'SPEC'
2009-10-01 2009-10-01 syn 445 120 60 hourly 198.18.1.0 none
2009-10-01 2009-10-01 syn 23 120 40 hourly 198.18.2.0 mirai
2009-10-01 2009-10-01 syn 22 60 60 hourly 198.18.3.0 none
2009-10-01 2009-10-01 udp 53 60 30 hourly 198.18.4.0 none
2009-10-01 2009-10-01 echo 0 60 60 hourly 198.18.5.0 none
2009-10-01 2009-10-01 synack 80 90 30 hourly 203.0.113.0 none
2009-10-01 2009-10-01 rst 443 60 20 hourly 198.51.100.0 none
2009-10-01 2009-10-01 syn 3389 60 1 fixed 198.18.7.1 none
2009-10-01 2009-10-01 syn 1433 60 60 hourly 198.18.8.0 none
SPEC
pkts=$(.output/tools/mkhistory "$W/day.pcap" <"$W/spec") || fail "mkhistory"
echo "# no configured keys" >"$W/keys"

PG_FSYNC=on pg_start >/dev/null || fail "cannot start PostgreSQL"
ADMIN="host=$PG_DIR dbname=postgres user=$PG_ADMIN password=$PG_ADMIN_PW"
"$SW" db-init --db "$ADMIN" >/dev/null || fail "db-init"
for i in $(seq 0 $((POINTS - 1))); do
	echo "CREATE ROLE sensor_p$i LOGIN PASSWORD 'pw' IN ROLE scanwatch_sensor;"
	echo "INSERT INTO sw_point_role VALUES ('p$i', 'sensor_p$i');"
done | psql_as "$ADMIN" >/dev/null || fail "roles"

# run_all DATA_DIR [--db]: the ten replays at once; prints the wall time in seconds.
run_all() {
	local dir=$1 db=${2:-} t0 t1 pids=() rc=0 i
	t0=$(date +%s.%N)
	for i in $(seq 0 $((POINTS - 1))); do
		# Small tables: the drain's cost is the same in both runs and not what is measured.
		"$SW" replay --point "p$i" --data-dir "$dir" --keys "$W/keys" --interval "$IV" \
			--max-pairs 4096 --max-keys 1024 \
			${db:+--db "host=$PG_DIR dbname=postgres user=sensor_p$i password=pw" --db-wait 600} \
			"$W/day.pcap" 2>"$dir.p$i.err" &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i" || rc=1; done
	t1=$(date +%s.%N)
	[ "$rc" -eq 0 ] || fail "a replay into $dir failed: $(cat "$dir".p*.err | grep error | head -3)"
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
}
t_files=$(run_all "$W/files")
t_db=$(run_all "$W/db" --db)
ivs=$(sed -n 's/.*in \([0-9]*\) intervals.*/\1/p' "$W/db.p0.err")
n_db=$(psql_as "$ADMIN" -c "SELECT count(*) FROM sw_interval")
[ "$n_db" -eq $((ivs * POINTS)) ] || fail "the database holds $n_db intervals, not $((ivs * POINTS))"
"$SW" summary --db "$ADMIN" --day 2009-10-01 --json >"$W/s.db" || fail "summary --db"
"$SW" summary --data-dir "$W/db" --day 2009-10-01 --json >"$W/s.files"
cmp -s "$W/s.db" "$W/s.files" || fail "summary --db differs from the files' summary"
psql_as "$ADMIN" -c "VACUUM ANALYZE" >/dev/null
db_bytes=$(psql_as "$ADMIN" -c "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c
	JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'
	AND c.relname LIKE 'sw\_%'")
rows=$(psql_as "$ADMIN" -c "SELECT (SELECT count(*) FROM sw_day_key) + (SELECT count(*) FROM sw_day_area)
	+ (SELECT count(*) FROM sw_day_stat) + (SELECT count(*) FROM sw_victim) + (SELECT count(*) FROM sw_interval)")
# The files a day of a point is in: its summary, pair log and victims (RRD files aside).
f_bytes=$(du -cb "$W"/files/p*/daily "$W"/files/p*/sources "$W"/files/p*/victims | tail -1 | cut -f1)
python3 - "$OUT" "$POINTS" "$ivs" "$pkts" "$t_files" "$t_db" "$db_bytes" "$f_bytes" "$rows" "$IV" <<'PY'
import json, sys
out, points, ivs, pkts, tf, td, dbb, fb, rows, iv = sys.argv[1:]
points, ivs, pkts, rows, iv = int(points), int(ivs), int(pkts), int(rows), int(iv)
tf, td, dbb, fb = float(tf), float(td), int(dbb), int(fb)
n = points * ivs
d = {"points": points, "interval_s": iv, "intervals_per_point": ivs, "packets_per_point": pkts,
     "files_s": tf, "db_s": td, "files_intervals_per_s": n / tf, "db_intervals_per_s": n / td,
     "ratio": (n / td) / (n / tf), "db_bytes_per_point_day": dbb / points,
     "db_rows_per_point_day": rows / points, "files_bytes_per_point_day": fb / points}
print("%d points, a day each (%d intervals of %d s, %d packets): files only %.1f s, "
      "%.0f intervals/s; with --db %.1f s, %.0f intervals/s (%.2fx); the database takes "
      "%.0f kB and %.0f rows a point-day, the files %.0f kB"
      % (points, ivs, iv, pkts, tf, n / tf, td, n / td, d["ratio"], dbb / points / 1024, rows / points,
         fb / points / 1024))
json.dump({"db": d}, open(out, "w"), indent=1)
PY
