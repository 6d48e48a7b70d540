# SPDX-License-Identifier: GPL-2.0-only
# A throwaway PostgreSQL server for the tests: initdb and pg_ctl of Debian's postgresql package
# in a temporary directory, run by an unprivileged user (initdb refuses root), listening only on
# a unix socket in that directory, stopped and removed on exit. Source after lib.sh.

PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
PG_USER=${PG_USER:-nobody}
PG_ADMIN=swadmin
PG_ADMIN_PW=admin-$$-$RANDOM
# Tests do not need the server's own syncs (the sensor's spool is what must survive); the bench
# sets PG_FSYNC=on to measure what a real server costs.

require_pg() {
	[ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/pg_ctl" ] || t_skip_all "needs PostgreSQL's initdb and pg_ctl (make deps: postgresql)"
	command -v psql >/dev/null || t_skip_all "needs psql (make deps: postgresql)"
	id "$PG_USER" >/dev/null 2>&1 || t_skip_all "needs an unprivileged user $PG_USER to run PostgreSQL"
}

# pg_start: a new cluster in PG_DIR (created), scram passwords for every role, no TCP.
pg_start() {
	PG_DIR=$(mktemp -d /tmp/sw-pg-XXXXXX)
	on_exit pg_destroy
	chmod 0755 "$PG_DIR"
	mkdir "$PG_DIR/data"
	printf '%s\n' "$PG_ADMIN_PW" >"$PG_DIR/pw"
	chown -R "$PG_USER" "$PG_DIR"
	runuser -u "$PG_USER" -- "$PG_BIN/initdb" -D "$PG_DIR/data" -U "$PG_ADMIN" \
		--pwfile="$PG_DIR/pw" --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 || {
		cat "$PG_DIR/initdb.log" >&2; return 1; }
	rm -f "$PG_DIR/pw"
	pg_up
	PG_URL="host=$PG_DIR dbname=postgres user=$PG_ADMIN password=$PG_ADMIN_PW"
}

pg_up() {
	runuser -u "$PG_USER" -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 30 \
		-o "-c listen_addresses='' -c unix_socket_directories='$PG_DIR' -c fsync=${PG_FSYNC:-off}" \
		start >/dev/null
}

# pg_kill: as a crash would (SIGKILL to the postmaster and its children): connections drop.
pg_kill() {
	local pid
	pid=$(head -1 "$PG_DIR/data/postmaster.pid" 2>/dev/null) || return 0
	kill -9 "$pid" 2>/dev/null
	pkill -9 -P "$pid" 2>/dev/null
	wait_for 10 sh -c "! kill -0 $pid 2>/dev/null"
	rm -f "$PG_DIR/data/postmaster.pid"
}

pg_destroy() {
	[ -n "${PG_DIR:-}" ] || return 0
	runuser -u "$PG_USER" -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || pg_kill
	rm -rf "$PG_DIR"
}

# psql_as CONNINFO SQL...: one value per line, nothing else.
psql_as() { local c=$1; shift; psql "$c" -X -q -At -v ON_ERROR_STOP=1 "$@"; }
