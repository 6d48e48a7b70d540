#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `run --db` on a real veth pair and a PostgreSQL server of the test's own (tests/pg_lib.sh):
# bad --db input stops the start with one line and nothing attached; a daemon that adds every
# interval to the database while swsend sends known frames ends with the database holding
# exactly what the daily files hold, which is what was sent (per watched address, and the
# research group apart, too); the thread that sends holds no capability, like the rest of the
# daemon once attached.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/live_lib.sh"
source "$(dirname "$0")/pg_lib.sh"

require_root
require_pg
require_cmd ip python3
[ -x "$SWSEND" ] || t_skip_all "swsend is not built (make)"
live_setup || t_skip_all "cannot build the namespaces and veth pair"
pg_start || t_skip_all "cannot start a PostgreSQL server"
ADMIN="host=$PG_DIR dbname=postgres user=$PG_ADMIN password=$PG_ADMIN_PW"
"$SW" db-init --db "$ADMIN" >/dev/null || t_fail "db-init"
psql_as "$ADMIN" <<EOF || t_fail "roles made"
CREATE ROLE sensor_lab LOGIN PASSWORD 'pw-lab' IN ROLE scanwatch_sensor;
CREATE ROLE report LOGIN PASSWORD 'pw-r' IN ROLE scanwatch_report;
INSERT INTO sw_point_role VALUES ('$POINT', 'sensor_lab');
EOF
URL="host=$PG_DIR dbname=postgres user=sensor_lab password=pw-lab"
REP="host=$PG_DIR dbname=postgres user=report password=pw-r"

attached() { ip -n "$SNS" link show dev "$SIF" | grep -q 'xdp'; }
for bad in "postgresql://x/y?host=%zz|not a PostgreSQL connection string or URI" \
	"host=$PG_DIR dbname=postgres user=sensor_lab password=nope|password authentication failed" \
	"host=$PG_DIR dbname=postgres user=report password=pw-r|role report may not add rows of point $POINT"; do
	sns "$SW" run --point "$POINT=$SIF" --data-dir "$DATA_DIR" --pin-root "$PIN" --interval 1 \
		--exit-after 1 --db "${bad%%|*}" >"$WORK/bad.out" 2>"$WORK/bad.err"
	t_eq "$?/$(grep -c . "$WORK/bad.err")" "1/1" "run --db: ${bad#*|}: exit 1, one line"
	t_true "...that says so" grep -q "${bad#*|}" "$WORK/bad.err"
	t_true "...and nothing is attached or pinned" \
		sh -c "! ip -n $SNS link show dev $SIF | grep -q xdp && [ ! -e $PIN/$POINT ]"
done

# Two watched addresses, the sensor's own, and a research prefix the ordinary senders are not in.
echo 198.18.20.0/24 >"$WORK/research.txt"
if daemon_start --db "$URL" --watch 192.0.2.1/32 --watch 2001:db8::1/128 \
	--research "$WORK/research.txt"; then
	t_ok "daemon attached to $SIF with --db, --watch and --research"
else
	t_fail "daemon did not attach"; sed 's/^/# /' "$WORK/daemon.log"; t_done
fi
# Linux keeps capabilities per thread: each of the daemon's threads must have dropped them.
caps=$(for t in /proc/"$DPID"/task/*; do awk '/^CapEff|^CapPrm/ { print $2 }' "$t/status"; done | sort -u)
nthreads=$(ls /proc/"$DPID"/task | wc -l)
t_eq "$nthreads/$caps" "2/0000000000000000" "its two threads (drain, database) hold no capability"

SENT=$WORK/sent.jsonl
R=(--rate 2000 --max-time 20)
# First, so that it is stored by the time the others are: the research group's 40 SYNs.
send "$WORK/research.jsonl" "${R[@]}" -d 192.0.2.1 -k syn -p 443 -s 4 --src-prefix 198.18.20.0/24 -c 40
send "$SENT" "${R[@]}" -d 192.0.2.1 -k syn -p 22,445 -s 300 --src-prefix 198.18.1.0/16 -c 1200
send "$SENT" "${R[@]}" -d 192.0.2.1 -k synack --sport 80 -s 100 --src-prefix 198.18.10.0/24 -c 300
send "$SENT" "${R[@]}" -d 2001:db8::1 -k udp -p 53 -s 50 --src-prefix 2001:db8:101::/64 -c 200
total=$(python3 -c 'import json,sys; print(sum(json.loads(l)["sent"] for l in open(sys.argv[1])))' "$SENT")
t_eq "$total" 1700 "swsend sent every frame asked for"
t_true "the daemon stored all $total" wait_for 20 stored_reached "$total"
daemon_stop TERM
t_eq "$?" 0 "SIGTERM: the daemon drains once more and exits 0"
t_true "...after the database took everything" grep -q "every stored interval is in the database" "$WORK/daemon.log"

day1=$(date -u +%F)
"$SW" summary --db "$REP" --point "$POINT" --from "$DAY0" --to "$day1" --json >"$WORK/db.json"
stored "$WORK/files.json"
t_true "summary --db = summary --data-dir, byte for byte" cmp -s "$WORK/db.json" "$WORK/files.json"
compare "$WORK/db.json" "$SENT"
src=$(python3 -c 'import json,sys; print(sum(json.loads(l)["sources"] for l in open(sys.argv[1])))' "$SENT")
t_eq "$src" 750 "swsend's sources: 300 x 2 keys + 100 + 50 (source, key) pairs"
t_eq "$(json_get "$WORK/db.json" 'd["per_address"]["address_days"], d["per_address"]["accesses"], d["per_address"]["sources"]')" \
	"2 850 375" \
	"summary --db per watched address: the 1700 accesses and 750 sources sent to 192.0.2.1 and 2001:db8::1, over those 2"
t_eq "$(json_get "$WORK/db.json" 'd["research"]["accesses"], d["research"]["sources"]')" "40 4" \
	"...and the research group apart: the 40 SYNs from 4 sources of 198.18.20.0/24"
t_eq "$(psql_as "$REP" -c "SELECT DISTINCT watched FROM sw_day WHERE point = '$POINT'")" 2 \
	"sw_day.watched: 2 addresses"
n_iv=$(psql_as "$REP" -c "SELECT count(*) FROM sw_interval WHERE point = '$POINT'")
t_eq "$n_iv" "$(grep -c . <(psql_as "$REP" -c "SELECT DISTINCT seq FROM sw_interval WHERE point = '$POINT'"))" \
	"every interval in the database once ($n_iv)"
t_eq "$(psql_as "$REP" -c "SELECT max(seq) FROM sw_day WHERE point = '$POINT' AND day = '$day1'")" \
	"$(awk '$1 == "seq" { print $2 }' "$DATA_DIR/$POINT/daily/$day1.txt")" \
	"the database's day ends at the daily file's last interval"
t_eq "$(ls "$DATA_DIR/$POINT/db-spool" | grep -c rec)" 0 "the spool is empty"
perm=$(stat -c %a "$DATA_DIR/$POINT/db-spool")
t_eq "$perm" 750 "the spool is the daemon's own (0750)"
t_done
