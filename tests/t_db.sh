#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The central database on a real PostgreSQL server that the test starts for itself (initdb and
# pg_ctl in a temporary directory, a unix socket there, run as an unprivileged user). Three
# points replay three real captures into it, each with its own role; the central host's summary,
# report and alerts read it with --db and must give exactly what they give from the files, which
# must be what tshark counts in the captures (tests/tshark_oracle.sh). The database is killed in
# the middle of one replay and started again: nothing is lost or added twice. The roles: a
# sensor cannot write another point, the report role cannot write at all. Bad --db input: one
# line, exit 1. A database row edited by hand is reported, never overwritten. Databases made at
# schema versions 1 and 2 are upgraded by db-init; a generated day counted with --watch and
# --research, half of it stored at version 2, reads back per watched address and with its
# research group as the files give them.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/pg_lib.sh"
source "$(dirname "$0")/oracle_lib.sh"

require_root
require_pg
require_cmd tshark python3 ip rrdcached
CAP_A=stopddos__pkt.TCP.synflood.spoofed.pcap
CAP_B=stopddos__amp.TCP.reflection.SYNACK.pcap
CAP_C=stopddos__amp.TCP.syn.optionallyACK.optionallysamePort.pcapng
for c in "$CAP_A" "$CAP_B" "$CAP_C"; do require_data "$c"; done
ORACLE=$SRC_ROOT/tests/tshark_oracle.sh
PY=python3

W=$(mktemp -d /tmp/sw-db-XXXXXX)
on_exit rm -rf "$W"
D=$W/data # the sensors' data directories, one folder per point, as on three hosts
echo "# no configured keys: RRD files only for the day's top keys" >"$W/keys"

pg_start || t_skip_all "cannot start a PostgreSQL server"
PGH=$PG_DIR
url_of() { echo "host=$PGH dbname=sw user=$1 password=$2"; }
ADMIN="host=$PGH dbname=sw user=$PG_ADMIN password=$PG_ADMIN_PW"
psql_as "$PG_URL" -c "CREATE DATABASE sw" || t_fail "database sw made"

### 1. Schema and roles

out=$("$SW" db-init --db "$ADMIN" 2>&1)
t_eq "$out" "database sw: scanwatch schema version 3 made" "db-init makes schema version 3"
out=$("$SW" db-init --db "$ADMIN" 2>&1)
t_eq "$out" "database sw: scanwatch schema version 3 already" "db-init again changes nothing"
# A database made by a scanwatch of schema version 1 (before the peak rate): db-init adds versions
# 2 and 3 to it, and what a sensor adds then reads back as the files say, the day's peak included.
psql_as "$PG_URL" -c "CREATE DATABASE old" || t_fail "database old made"
OLD="host=$PGH dbname=old user=$PG_ADMIN password=$PG_ADMIN_PW"
psql_as "$OLD" -f "$SRC_ROOT/user/store/schema/001_init.sql" >/dev/null ||
	t_fail "schema version 1 made as its own file says"
t_eq "$("$SW" db-init --db "$OLD" 2>&1)" "database old: scanwatch schema version 3 made" \
	"db-init takes a version-1 database to version 3"
"$SW" replay --point a --data-dir "$W/old" --db "$OLD" -q "$DATA/$CAP_A" >/dev/null 2>"$W/old.err"
t_eq "$?" 0 "replay into the database made at version 1 exits 0"
"$SW" summary --db "$OLD" --point a --day 2021-04-28 --json >"$W/old-db.json" 2>/dev/null
"$SW" summary --data-dir "$W/old" --point a --day 2021-04-28 --json >"$W/old-files.json"
t_true "its summary --db is byte for byte summary --data-dir's" cmp -s "$W/old-db.json" "$W/old-files.json"
t_eq "$(json_get "$W/old-db.json" 'd["peak"]')" 22322 \
	"...with the day's peak (22322 frames in second 1619605821, as tshark counts $CAP_A)"

# Per watched address and research scanners (version 3), through an upgrade from version 2. One
# generated day, counted with --watch 192.0.2.0/24 (256 addresses) and --research 198.18.5.0/24:
# point w's morning is stored while its database is at version 2, which takes the sensor's
# records as version 2's sw_apply() does (without the watched count and the research group);
# db-init takes it to version 3; the afternoon's replay first sends the day whole, which brings
# both. Point wn counts the same day into the database at version 3 from its first interval.
T=1257120000 # 2009-11-02 00:00 UTC
# EPOCH SRC DST PROTO DPORT COUNT (tools/mkpcap.c): 198.18.5.x research, 192.0.3.1 not watched.
cat >"$W/am.spec" <<EOF
$((T + 3600)) 198.18.5.1 192.0.2.7 tcp 443 30
$((T + 3700)) 198.18.6.1 192.0.2.7 tcp 443 7
$((T + 3800)) 198.18.0.9 192.0.2.9 tcp 23 20
$((T + 3900)) 198.18.0.9 192.0.3.1 tcp 23 4
EOF
cat >"$W/pm.spec" <<EOF
$((T + 43200)) 198.18.5.200 192.0.2.8 tcp 443 10
$((T + 43300)) 198.18.5.1 192.0.2.7 udp 53 5
$((T + 43400)) 198.18.6.1 192.0.2.7 tcp 443 3
EOF
MKPCAP=$SRC_ROOT/.output/tools/mkpcap
t_eq "$("$MKPCAP" "$W/am.pcap" <"$W/am.spec")/$("$MKPCAP" "$W/pm.pcap" <"$W/pm.spec")" "61/18" \
	"mkpcap wrote the morning's 61 packets and the afternoon's 18"
echo 198.18.5.0/24 >"$W/research.txt"
WR=(--data-dir "$W/v3" --watch 192.0.2.0/24 --research "$W/research.txt" -q)
psql_as "$PG_URL" -c "CREATE DATABASE v2" || t_fail "database v2 made"
V2="host=$PGH dbname=v2 user=$PG_ADMIN password=$PG_ADMIN_PW"
for f in 001_init 002_peak; do
	psql_as "$V2" -f "$SRC_ROOT/user/store/schema/$f.sql" >/dev/null ||
		t_fail "schema version 2 made as its files say ($f.sql)"
done
# No server behind this URL: the morning's records wait in w's spool.
mkdir "$W/nopg"
"$SW" replay --point w "${WR[@]}" --db "host=$W/nopg dbname=v2 user=x" --db-wait 0 "$W/am.pcap" \
	>/dev/null 2>"$W/w-am.err"
t_eq "$?" 1 "point w's morning is stored, its records queued for a database not there (exit 1)"
n=0
for f in "$W/v3/w/db-spool/"*.rec; do
	echo "SELECT sw_apply(:'rec');" | psql_as "$V2" -v rec="$(cat "$f")" >/dev/null &&
		rm "$f" && n=$((n + 1))
done
t_eq "$(ls "$W/v3/w/db-spool" | grep -c '\.rec$')" 0 \
	"the database at version 2 took every record of the morning ($n), as w's sender would send them"
t_eq "$("$SW" db-init --db "$V2" 2>&1)" "database v2: scanwatch schema version 3 made" \
	"db-init takes a version-2 database to version 3"
"$SW" summary --db "$V2" --point w --day 2009-11-02 --json >"$W/w-v2.json" 2>/dev/null
t_eq "$(json_get "$W/w-v2.json" 'd["accesses"], d["per_address"], d["research"]["accesses"]')" \
	"27 None 0" \
	"...the morning it took at version 2: 27 accesses (7 + 20), no watched count, no research group"
"$SW" replay --point w "${WR[@]}" --db "$V2" "$W/pm.pcap" >/dev/null 2>"$W/w-pm.err"
t_eq "$?" 0 "point w's afternoon replays into the database upgraded"
for f in am pm; do
	"$SW" replay --point wn "${WR[@]}" --db "$V2" "$W/$f.pcap" >/dev/null 2>"$W/wn-$f.err"
	t_eq "$?" 0 "point wn's $f replays into the database at version 3"
done
for p in w wn; do
	for j in --json ""; do
		"$SW" summary --db "$V2" --point $p --day 2009-11-02 $j >"$W/$p-db$j" 2>&1
		"$SW" summary --data-dir "$W/v3" --point $p --day 2009-11-02 $j >"$W/$p-files$j" 2>&1
		t_true "point $p: summary ${j:-(text)} --db is byte for byte summary --data-dir's" \
			cmp -s "$W/$p-db$j" "$W/$p-files$j"
	done
	# The scan figures: 7 + 20 + 3 SYNs to the /24 from outside the list (the 4 to 192.0.3.1
	# are not watched), from 2 sources, (198.18.6.1, tcp/443) and (198.18.0.9, tcp/23).
	t_eq "$(json_get "$W/$p-db--json" 'd["accesses"], d["sources"], d["per_address"]')" \
		"30 2 {'addresses_min': 256, 'addresses_max': 256, 'address_days': 256, 'accesses': 0.1171875, 'sources': 0.0078125}" \
		"point $p --db: per watched address 30 / 256 accesses and 2 / 256 sources"
	t_true "...and its text says so" grep -qx "  per watched address a day: 0.117188 accesses, 0.0078125 sources (256 addresses, 256 address-days)" "$W/$p-db"
	# The research group: 30 + 10 SYNs to tcp/443 from 198.18.5.1 and .200, 5 datagrams to
	# udp/53 from 198.18.5.1.
	t_eq "$(json_get "$W/$p-db--json" 'd["research"]["accesses"], d["research"]["sources"], [(k["key"], k["accesses"], k["sources"]) for k in d["research"]["keys"]]')" \
		"45 3 [('tcp/443', 40, 2), ('udp/53', 5, 1)]" \
		"point $p --db: the research group's 45 accesses from 3 sources, 40 + 5 by key"
	t_true "...and its text so" grep -q "research scanners, kept out of every figure above: 45 accesses from 3 sources" "$W/$p-db"
done
# The watch set changed in the middle of the day: the database follows the daily file's rule, the
# larger set (a /24 in the morning, a /25 in the afternoon: 256), or none once a part of the day
# was counted without --watch (per watched address n/a).
"$SW" replay --point wm "${WR[@]}" --db "$V2" "$W/am.pcap" >/dev/null 2>&1 &&
	"$SW" replay --point wm "${WR[@]/%192.0.2.0\/24/192.0.2.0/25}" --db "$V2" "$W/pm.pcap" \
		>/dev/null 2>"$W/wm-pm.err"
t_eq "$?" 0 "point wm: the morning with --watch 192.0.2.0/24, the afternoon with 192.0.2.0/25"
t_true "...which says it keeps the larger" grep -q "counted for 256 watched addresses until now, for 128 from now on" "$W/wm-pm.err"
"$SW" replay --point wz "${WR[@]}" --db "$V2" "$W/am.pcap" >/dev/null 2>&1 &&
	"$SW" replay --point wz --data-dir "$W/v3" --research "$W/research.txt" -q --db "$V2" \
		"$W/pm.pcap" >/dev/null 2>&1
t_eq "$?" 0 "point wz: the morning with --watch 192.0.2.0/24, the afternoon without --watch"
for p in wm wz; do
	"$SW" summary --db "$V2" --point $p --day 2009-11-02 --json >"$W/$p-db.json" 2>&1
	"$SW" summary --data-dir "$W/v3" --point $p --day 2009-11-02 --json >"$W/$p-files.json" 2>&1
	t_true "point $p: summary --db is byte for byte summary --data-dir's" \
		cmp -s "$W/$p-db.json" "$W/$p-files.json"
done
t_eq "$(json_get "$W/wm-db.json" 'd["per_address"]["addresses_max"]')/$(json_get "$W/wz-db.json" 'd["per_address"]')" \
	"256/None" "...wm per 256 addresses, the larger set; wz per none"
t_eq "$(psql_as "$V2" -c "SELECT point, watched FROM sw_day WHERE day = '2009-11-02' ORDER BY point" | paste -sd' ')" \
	"w|256 wm|256 wn|256 wz|0" "sw_day.watched: 256 for w, wm and wn, 0 for wz"
# The count edited by hand: refused by the day the next replay sends at its start.
psql_as "$V2" -c "UPDATE sw_day SET watched = 255 WHERE point = 'wm'"
"$SW" replay --point wm "${WR[@]}" --db "$V2" --db-wait 20 "$W/pm.pcap" >/dev/null 2>"$W/wm-edit.err"
t_eq "$?" 1 "a replay into the day whose watched count was edited ends in failure"
t_true "...reporting both counts" grep -q "error: database: point wm, 2009-11-02: the day is counted for 255 watched addresses in the database, for 256 in the daily file" "$W/wm-edit.err"
# A research row edited by hand: the day sent at the next replay's start is refused, the row stays.
psql_as "$V2" -c "UPDATE sw_day_research SET accesses = accesses + 7 WHERE point = 'wn' AND key = 'tcp/443'"
"$SW" replay --point wn "${WR[@]}" --db "$V2" --db-wait 20 "$W/pm.pcap" >/dev/null 2>"$W/wn-edit.err"
t_eq "$?" 1 "a replay into the day whose research row was edited ends in failure"
t_true "...reporting the row: 47 accesses in the database, 40 in the daily file" \
	grep -q "error: database: point wn, 2009-11-02: research key tcp/443 scan is {47,2,.*} in the database and {40,2,.*} in the daily file" "$W/wn-edit.err"
t_eq "$(psql_as "$V2" -c "SELECT accesses FROM sw_day_research WHERE point = 'wn' AND key = 'tcp/443'")" \
	47 "...and the row is as it was edited"
psql_as "$ADMIN" <<EOF || t_fail "roles made as README.md says"
CREATE ROLE sensor_a LOGIN PASSWORD 'pw-a' IN ROLE scanwatch_sensor;
CREATE ROLE sensor_b LOGIN PASSWORD 'pw-b' IN ROLE scanwatch_sensor;
CREATE ROLE sensor_c LOGIN PASSWORD 'pw-c' IN ROLE scanwatch_sensor;
CREATE ROLE sensor_h LOGIN PASSWORD 'pw-h' IN ROLE scanwatch_sensor;
CREATE ROLE report LOGIN PASSWORD 'pw-r' IN ROLE scanwatch_report;
INSERT INTO sw_point_role VALUES ('a', 'sensor_a'), ('b', 'sensor_b'), ('c', 'sensor_c'),
	('h', 'sensor_h');
EOF
SA=$(url_of sensor_a pw-a) SB=$(url_of sensor_b pw-b) SC=$(url_of sensor_c pw-c)
REP=$(url_of report pw-r)

# Central rrdcached on the loopback of a namespace of the test's own: the charts of report --db.
NS=$(uniq_name d)
ip netns add "$NS" && on_exit ip netns del "$NS"
ip -n "$NS" link set lo up
mkdir -p "$W/rrd"
ip netns exec "$NS" rrdcached -g -B -R -F -b "$W/rrd" -p "$W/rrdcached.pid" -l 127.0.0.1:42217 \
	>"$W/rrdcached.log" 2>&1 &
RRDPID=$!
on_exit kill "$RRDPID"
listening() { ip netns exec "$NS" ss -Htln | grep -q '127.0.0.1:42217'; }
wait_for 10 listening || t_fail "rrdcached listens in namespace $NS"
nsx() { ip netns exec "$NS" "$@"; }
RRDC=(--rrdcached 127.0.0.1:42217 --keys "$W/keys")

### 2. Bad --db input: one line, exit 1, nothing stored

bad() { # DESCRIPTION EXPECTED-TEXT URL
	local rc n
	"$SW" replay --point a --data-dir "$W/bad" --db "$3" "$DATA/$CAP_A" >"$W/bad.out" 2>"$W/bad.err"
	rc=$?
	n=$(grep -c . "$W/bad.err")
	t_eq "$rc/$n" "1/1" "$1: exit 1 and one line"
	t_true "...that says: $2" grep -q -- "$2" "$W/bad.err"
	t_true "...and nothing is stored" test ! -e "$W/bad/a/daily"
}
bad "a URL libpq cannot parse" "not a PostgreSQL connection string or URI" "postgresql://x/sw?host=%zz"
bad "a server that refuses the credentials" 'password authentication failed for user "sensor_a"' \
	"$(url_of sensor_a wrong)"
bad "a database without the schema" "has no scanwatch schema" "host=$PGH dbname=postgres user=$PG_ADMIN password=$PG_ADMIN_PW"
psql_as "$PG_URL" -c "CREATE DATABASE future" &&
	psql_as "host=$PGH dbname=future user=$PG_ADMIN password=$PG_ADMIN_PW" \
		-c "CREATE TABLE scanwatch_schema (version integer); INSERT INTO scanwatch_schema VALUES (4)"
bad "a schema of another version" "has scanwatch schema version 4; this scanwatch knows version 3 only" \
	"host=$PGH dbname=future user=$PG_ADMIN password=$PG_ADMIN_PW"
"$SW" replay --point b --data-dir "$W/bad" --db "$SA" "$DATA/$CAP_B" >/dev/null 2>"$W/bad.err"
t_eq "$?/$(grep -c . "$W/bad.err")" "1/1" "sensor a's credentials for point b: refused at start, one line"
t_true "...naming the role and the point" grep -q "role sensor_a may not add rows of point b" "$W/bad.err"
t_eq "$(ls "$W/bad/b/daily" 2>/dev/null | wc -l)" 0 "...nothing stored"

### 3. Least privilege, asked of the server itself

rec_b='{"v": 1, "type": "interval", "point": "b", "seq": 7, "prev": 0, "day": "2021-06-05", "tz": "UTC", "time": 1622851200, "start": 1622851200, "len": 60, "pairs": [1, 1], "stats": [["packets", 1, 1]], "keys": [["tcp/80", "backscatter", 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0]], "areas": [["??", 1, 1, 1, 1]], "victims": []}'
out=$(psql_as "$SA" -c "SELECT sw_apply('$rec_b')" 2>&1)
t_true "sensor a's role cannot add an interval of point b (row-level security)" \
	grep -q "new row violates row-level security policy" <<<"$out"
out=$(psql_as "$SA" -c "INSERT INTO sw_day VALUES ('b', '2021-06-05', now(), 'UTC', 1, 0)" 2>&1)
t_true "...nor insert a day of point b" grep -q "row-level security" <<<"$out"
out=$(psql_as "$SA" -c "DELETE FROM sw_day" 2>&1)
t_true "...and may delete nothing" grep -q "permission denied for table sw_day" <<<"$out"
for sql in "INSERT INTO sw_alert VALUES ('a', 1, now(), 'hw', 'total', 'x')" \
	"UPDATE sw_day_key SET accesses = 0" "DELETE FROM sw_interval" \
	"INSERT INTO sw_point_role VALUES ('z', 'report')" "SELECT sw_apply('$rec_b')"; do
	out=$(psql_as "$REP" -c "$sql" 2>&1)
	t_true "the report role is refused: ${sql:0:40}..." grep -q "permission denied" <<<"$out"
done
t_eq "$(psql_as "$ADMIN" -c 'SELECT count(*) FROM sw_day')" 0 "none of those wrote a row"

### 4. Three points, three captures, one database; the database killed during one replay

for p in a b c; do
	"$ORACLE" "$DATA/$(eval echo \$CAP_${p^^})" >"$W/$p.oracle" 2>"$W/$p.oracle.err" ||
		t_fail "the oracle gives a verdict on point $p's capture"
done
nsx "$SW" replay --point a --data-dir "$D" --db "$SA" "${RRDC[@]}" "$DATA/$CAP_A" 2>"$W/a.err"
t_eq "$?" 0 "point a replays $CAP_A into the database"
nsx "$SW" replay --point b --data-dir "$D" --db "$SB" "${RRDC[@]}" "$DATA/$CAP_B" 2>"$W/b.err"
t_eq "$?" 0 "point b replays $CAP_B into the database"

# Point c at one-second intervals, so that its replay lasts; stopped once the database has some
# of its intervals, the database killed, the replay let go on, the database started again.
sent_c() { psql_as "$ADMIN" -c "SELECT count(*) FROM sw_interval WHERE point = 'c'" 2>/dev/null; }
spooled_c() { ls "$D/c/db-spool/" 2>/dev/null | grep -c '\.rec$'; }
nsx "$SW" replay --point c --data-dir "$D" --interval 1 --db "$SC" --db-wait 120 "${RRDC[@]}" \
	"$DATA/$CAP_C" 2>"$W/c.err" &
CPID=$!
on_exit kill "$CPID"
if wait_for 60 sh -c '[ "$(psql "$0" -XAtqc "SELECT count(*) FROM sw_interval WHERE point = '"'c'"'" 2>/dev/null)" -ge 5 ]' "$ADMIN"; then
	kill -STOP "$CPID"
	before=$(sent_c)
	pg_kill
	kill -CONT "$CPID"
	t_true "replay c stored on while the database was down: its spool grows" \
		wait_for 60 sh -c '[ "$(ls "$0" | grep -c "\.rec$")" -ge 20 ]' "$D/c/db-spool"
	pg_up
else
	t_fail "the database receives point c's intervals while it replays"
	before=0
fi
wait "$CPID"
t_eq "$?" 0 "replay c ends once the database has everything (exit 0)"
t_true "the database had part of c's intervals when it was killed ($before)" test "$before" -gt 0
n_c=$(sed -n 's/.*replayed [0-9]* packets in \([0-9]*\) intervals.*/\1/p' "$W/c.err")
t_eq "$(sent_c)" "$n_c" "every interval of replay c is in the database, once"
t_eq "$(spooled_c)" 0 "...and none is left in the spool"
t_eq "$(grep -c 'warning: database: .*queued' "$W/c.err")" 1 "the outage is logged once"
grep 'database' "$W/c.err" | sed 's/^/# c: /'
t_eq "$(grep -c 'database: works again' "$W/c.err")" 1 "...and once when it is over"
t_eq "$(psql_as "$ADMIN" -c "SELECT count(*) FROM sw_interval")" \
	"$(($(sed -n 's/.*in \([0-9]*\) intervals.*/\1/p' "$W/a.err" "$W/b.err" | paste -sd+) + n_c))" \
	"the database holds every interval of the three replays"

### 5. The central host: summary --db = summary --data-dir = tshark, every point and all of them

SPAN=(--from 2021-04-01 --to 2021-06-30)
for p in a b c ""; do
	what=${p:+point $p}
	what=${what:-all points}
	oracle_summary $([ -n "$p" ] && echo "$W/$p.oracle" || echo "$W/a.oracle $W/b.oracle $W/c.oracle") \
		>"$W/want$p"
	"$SW" summary --db "$REP" ${p:+--point $p} "${SPAN[@]}" --json >"$W/db$p.json" 2>"$W/db$p.err"
	t_eq "$?" 0 "summary --db, $what"
	"$SW" summary --data-dir "$D" ${p:+--point $p} "${SPAN[@]}" --json >"$W/files$p.json"
	t_true "summary --db of $what is byte for byte summary --data-dir's" cmp -s "$W/db$p.json" "$W/files$p.json"
	json_lines "$W/db$p.json" >"$W/got$p"
	if cmp -s "$W/got$p" "$W/want$p"; then
		t_ok "summary --db of $what = tshark's counts ($(grep '^accesses' "$W/want$p"), $(grep '^sources' "$W/want$p"), $(grep -c '^key' "$W/want$p") keys)"
	else
		t_fail "summary --db of $what differs from tshark's counts"
		diff "$W/want$p" "$W/got$p" | head -10 | sed 's/^/#   /'
	fi
done
for day in 2021-04-28 2021-06-05 2021-06-20; do
	"$SW" summary --db "$REP" --day "$day" >"$W/day-db" 2>&1
	"$SW" summary --data-dir "$D" --day "$day" >"$W/day-files" 2>&1
	t_true "summary --day $day: --db and --data-dir say the same" cmp -s "$W/day-db" "$W/day-files"
done

### 6. report --db and alerts --db

total_june=$(oracle_summary "$W/b.oracle" "$W/c.oracle" | awk '$1 == "accesses" { print $2 }')
src_june=$(oracle_summary "$W/b.oracle" "$W/c.oracle" | awk '$1 == "sources" { print $2 }')
commas() { echo "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 'ta'; }
nsx "$SW" report --db "$REP" --month 2021-06 --out "$W/rdb" --rrdcached 127.0.0.1:42217 \
	>/dev/null 2>"$W/rdb.err"
t_eq "$?" 0 "report --db of 2021-06 with charts through rrdcached"
nsx "$SW" report --data-dir "$D" --month 2021-06 --out "$W/rfiles" --rrdcached 127.0.0.1:42217 \
	>/dev/null 2>"$W/rfiles.err"
t_true "report --db's report.md is byte for byte the one made from the files" \
	cmp -s "$W/rdb/report.md" "$W/rfiles/report.md"
t_true "report.html likewise" cmp -s "$W/rdb/report.html" "$W/rfiles/report.html"
t_true "the report states tshark's total of June: $(commas "$total_june") accesses" \
	grep -qF "totalled **$(commas "$total_june")**" "$W/rdb/report.md"
t_true "...from $(commas "$src_june") gross sources" \
	grep -qF "sources (\*) was **$(commas "$src_june")**" "$W/rdb/report.md"
for p in b c; do
	a=$(oracle_summary "$W/$p.oracle" | awk '$1 == "accesses" { print $2 }')
	t_true "...and point $p's $a accesses in its row" \
		grep -qE "^\| $p \| [0-9]+ \| $(commas "$a") \|" "$W/rdb/report.md"
done
n_img=$(grep -c '!\[' "$W/rdb/report.md")
t_true "its charts are drawn through rrdcached ($n_img)" test "$n_img" -ge 5
t_eq "$(ls "$W/rdb"/*.png | wc -l)" "$(ls "$W/rfiles"/*.png | wc -l)" "...as many as from the files"
"$SW" report --db "$REP" --month 2021-06 --out "$W/rnorrd" >/dev/null 2>&1
t_true "without --rrdcached, report --db draws its per-day charts from the database: the same report" \
	cmp -s "$W/rnorrd/report.md" "$W/rfiles/report.md"
"$SW" alerts --db "$REP" --json >"$W/al-db.json" 2>&1
t_eq "$?" 0 "alerts --db"
"$SW" alerts --data-dir "$D" --json >"$W/al-files.json" 2>&1
t_true "alerts --db = alerts --data-dir ($(grep -c '"kind"' "$W/al-db.json") alerts)" \
	cmp -s "$W/al-db.json" "$W/al-files.json"

# Alerts raised while storing: two months of tools/mkhistory history (t_report.sh's), with a
# surge of tcp/445 on 2009-10-05, replayed hour by hour as point h.
cat >"$W/spec" <<'EOF'
2009-09-01 2009-10-04 syn 445 1 1 hourly 198.18.1.0 none CN
2009-10-05 2009-10-31 syn 445 4 4 hourly 198.18.1.0 none CN
2009-09-01 2009-10-31 syn 23 3 1 hourly 198.18.2.0 mirai BR
2009-09-01 2009-10-31 syn 22 2 2 hourly 198.18.3.0 none US
2009-09-01 2009-10-31 echo 0 1 1 hourly 198.18.4.0 none JP
2009-09-01 2009-10-31 syn 1433 1 1 hourly 198.18.5.0 masscan CN
2009-09-01 2009-10-31 udp 53 2 1 hourly 198.18.6.0 zmap US
2009-09-01 2009-10-31 syn 3389 1 1 fixed 198.18.7.1 none RU
2009-09-01 2009-10-31 synack 80 2 1 hourly 203.0.113.0 none
2009-09-01 2009-10-31 rst 25 1 1 fixed 198.51.100.7 none
EOF
"$SRC_ROOT/.output/tools/mkhistory" "$W/h.pcap" <"$W/spec" >/dev/null || t_fail "mkhistory"
nsx "$SW" replay --point h --data-dir "$D" --interval 3600 --db "$(url_of sensor_h pw-h)" \
	--rrdcached 127.0.0.1:42217 "$W/h.pcap" 2>"$W/h.err"
t_eq "$?" 0 "point h replays two months of generated history into the database"
n_alerts=$(grep -c 'warning: alert: ' "$W/h.err")
t_eq "$n_alerts" "$("$PY" "$SRC_ROOT/tests/report_check.py" expect "$W/spec" | wc -l)" \
	"it raised the alerts the definitions give (tests/report_check.py)"
t_eq "$(psql_as "$REP" -c "SELECT count(*) FROM sw_alert WHERE point = 'h'")" \
	"$(grep -v '^#' "$D/h/alerts.log" | grep -c .)" "the database has every line of h's alerts.log"
t_true "...the same lines, in order" cmp -s <(grep -v '^#' "$D/h/alerts.log") \
	<(psql_as "$REP" -c "SELECT line FROM sw_alert WHERE point = 'h' ORDER BY n")
"$SW" alerts --db "$REP" --point h --json >"$W/alh-db.json" 2>&1
"$SW" alerts --data-dir "$D" --point h --json >"$W/alh-files.json" 2>&1
t_true "alerts --db --point h = alerts --data-dir --point h ($(grep -c '"kind"' "$W/alh-db.json") alerts)" \
	cmp -s "$W/alh-db.json" "$W/alh-files.json"
t_true "...Holt-Winters failures among them, from the log in the database" grep -q '"kind": "hw"' "$W/alh-db.json"
nsx "$SW" report --db "$REP" --point h --month 2009-10 --out "$W/hdb" --rrdcached 127.0.0.1:42217 \
	>/dev/null 2>&1
nsx "$SW" report --data-dir "$D" --point h --month 2009-10 --out "$W/hfiles" \
	--rrdcached 127.0.0.1:42217 >/dev/null 2>&1
t_true "report --db of h's October 2009 is the one made from the files, alerts and victims included" \
	cmp -s "$W/hdb/report.md" "$W/hfiles/report.md"
t_eq "$(psql_as "$REP" -c "SELECT count(*) FROM sw_victim WHERE point = 'b'")" \
	"$(cat "$D"/b/victims/*.txt | grep -c .)" "...and every victims line of point b"

### 7. A database row edited by hand: reported, never overwritten

key=$(psql_as "$ADMIN" -c "SELECT key FROM sw_day_key WHERE point = 'b' ORDER BY accesses DESC LIMIT 1")
psql_as "$ADMIN" -c "UPDATE sw_day_key SET accesses = accesses + 7 WHERE point = 'b' AND key = '$key'"
edited=$(psql_as "$ADMIN" -c "SELECT accesses FROM sw_day_key WHERE point = 'b' AND key = '$key'")
nsx "$SW" replay --point b --data-dir "$D" --db "$SB" --db-wait 20 "${RRDC[@]}" "$DATA/$CAP_B" 2>"$W/b2.err"
t_eq "$?" 1 "a replay into the edited day ends in failure"
t_true "...reporting the row: key $key, the database's figure and the file's" \
	grep -q "error: database: point b, 2021-06-05: key $key backscatter is {$edited," "$W/b2.err"
t_eq "$(psql_as "$ADMIN" -c "SELECT accesses FROM sw_day_key WHERE point = 'b' AND key = '$key'")" \
	"$edited" "the database's row is as it was edited, not overwritten"
t_true "the records the database refused are kept in db-spool/rejected" \
	test "$(ls "$D/b/db-spool/rejected" | wc -l)" -ge 1

t_done
