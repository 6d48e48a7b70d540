#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `make install` and `make uninstall` (the Makefile passes the directories in the environment):
# the binary, the man page, the systemd unit, the sysusers.d entry of the scanwatch user, a
# commented default configuration, the default research list and the country database. With DESTDIR (packaging) nothing
# outside it is touched; without, the user is created and systemd told to reload.
# Usage: tools/install.sh install|uninstall
set -eu
cd "$(dirname "$0")/.."
: "${BINDIR:?}" "${DATADIR:?}" "${MANDIR:?}" "${SYSCONFDIR:?}" "${UNITDIR:?}" "${SYSUSERSDIR:?}"
: "${STATEDIR:?}" "${BIN:?}" "${OUT:?}" "${COUNTRY_DB:?}"
D=${DESTDIR:-}
CONF=$D$SYSCONFDIR/scanwatch/scanwatch.conf
RESEARCH=$D$SYSCONFDIR/scanwatch/research-scanners.txt
SHARE=$D$DATADIR/scanwatch

say() { echo "install: $*"; }

# systemd is PID 1 here: it reads units only when asked to.
systemd_runs() { [ -z "$D" ] && [ -d /run/systemd/system ]; }

install_all() {
	install -d "$D$BINDIR" "$D$MANDIR/man8" "$D$UNITDIR" "$D$SYSUSERSDIR" "$SHARE" \
		"$D$SYSCONFDIR/scanwatch"
	install -m 0755 "$BIN" "$D$BINDIR/scanwatch"
	install -m 0644 "$OUT/man/scanwatch.8" "$D$MANDIR/man8/scanwatch.8"
	install -m 0644 "$OUT/dist/scanwatch.service" "$D$UNITDIR/scanwatch.service"
	install -m 0644 dist/sysusers.conf "$D$SYSUSERSDIR/scanwatch.conf"
	install -m 0644 "$COUNTRY_DB" "$SHARE/country.mmdb"
	# The data's licence travels with it (CC BY 4.0 asks for the attribution).
	if [ -f "$(dirname "$COUNTRY_DB")/NRO_LICENSE" ]; then
		install -m 0644 "$(dirname "$COUNTRY_DB")/NRO_LICENSE" "$SHARE/NRO_LICENSE"
	fi
	# An operator's configuration is theirs: never replaced. So is the research list.
	if [ -e "$CONF" ]; then
		install -m 0644 "$OUT/dist/scanwatch.conf" "$CONF.default"
		say "kept $CONF; the new default is $CONF.default"
	else
		install -m 0644 "$OUT/dist/scanwatch.conf" "$CONF"
	fi
	if [ -e "$RESEARCH" ] && ! cmp -s "$RESEARCH" dist/research-scanners.txt; then
		install -m 0644 dist/research-scanners.txt "$RESEARCH.default"
		say "kept $RESEARCH; the new default is $RESEARCH.default"
	else
		install -m 0644 dist/research-scanners.txt "$RESEARCH"
	fi
	if [ -z "$D" ]; then
		if command -v systemd-sysusers >/dev/null; then
			systemd-sysusers "$SYSUSERSDIR/scanwatch.conf"
		elif ! getent passwd scanwatch >/dev/null; then
			useradd --system --user-group --home-dir "$STATEDIR" --no-create-home \
				--shell /usr/sbin/nologin --comment "scanwatch sensor" scanwatch
		fi
		getent passwd scanwatch >/dev/null && say "user scanwatch: $(id scanwatch)"
	fi
	systemd_runs && systemctl daemon-reload
	say "installed in ${D:-/}: $BINDIR/scanwatch, $UNITDIR/scanwatch.service, $CONF,"
	say "  $SYSCONFDIR/scanwatch/research-scanners.txt (used with 'research = ' in the configuration),"
	say "  $DATADIR/scanwatch/country.mmdb ($(stat -c %s "$SHARE/country.mmdb") bytes)"
	say "next: put the points in $SYSCONFDIR/scanwatch/scanwatch.conf, then"
	say "  systemctl enable --now scanwatch && scanwatch status"
}

uninstall_all() {
	systemd_runs && systemctl is-active -q scanwatch &&
		say "scanwatch is running: 'systemctl disable --now scanwatch' first" && exit 1
	rm -f "$D$BINDIR/scanwatch" "$D$MANDIR/man8/scanwatch.8" "$D$UNITDIR/scanwatch.service" \
		"$D$SYSUSERSDIR/scanwatch.conf" "$SHARE/country.mmdb" "$SHARE/NRO_LICENSE" \
		"$CONF.default" "$RESEARCH.default"
	rmdir "$SHARE" 2>/dev/null || true
	if [ -f "$RESEARCH" ] && cmp -s "$RESEARCH" dist/research-scanners.txt; then
		rm -f "$RESEARCH"
	elif [ -f "$RESEARCH" ]; then
		say "kept $RESEARCH (changed from the default)"
	fi
	# The configuration goes only if it is still the default one.
	if [ -f "$CONF" ] && cmp -s "$CONF" "$OUT/dist/scanwatch.conf"; then
		rm -f "$CONF"
		rmdir "$D$SYSCONFDIR/scanwatch" 2>/dev/null || true
	elif [ -f "$CONF" ]; then
		say "kept $CONF (changed from the default)"
	fi
	systemd_runs && systemctl daemon-reload
	say "removed; kept the data ($STATEDIR), the user scanwatch and any pins (scanwatch detach)"
}

case ${1:-} in
install) install_all ;;
uninstall) uninstall_all ;;
*) echo "usage: $0 install|uninstall" >&2; exit 2 ;;
esac
