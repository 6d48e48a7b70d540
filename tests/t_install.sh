#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `make install` and `make uninstall` into a DESTDIR, as a packager runs them:
#   a. exactly the files documented, with their modes; the country database is the one
#      `make geoip` fetches (the CC0 ip-location-db package) with its licence;
#      the binary and the installed man page carry the version written in VERSION;
#   b. the binary's defaults are the install directories (PREFIX), its unit starts it with them;
#   c. `systemd-analyze verify` accepts the installed unit in that root, and its security
#      exposure is printed;
#   d. the sysusers.d entry makes a system user with no login (systemd-sysusers --root);
#   e. the default configuration reads as a valid file, and with every option uncommented each
#      line parses: run gets as far as attaching, in a namespace with no such interface;
#   f. an operator's configuration is kept by a new install and by uninstall; uninstall removes
#      every other file;
#   g. PREFIX=/usr puts everything under /usr, the defaults compiled in following it.
source "$(dirname "$0")/lib.sh"

require_root
require_cmd make systemd-analyze systemd-sysusers mmdblookup ip
WORK=$(mktemp -d)
on_exit rm -rf "$WORK"
D=$WORK/root
# The database is fetched once for the build (make geoip's); a test that cannot get it fails.
make -s -C "$SRC_ROOT" install DESTDIR="$D" >"$WORK/install.log" 2>&1
rc=$?
t_eq "$rc" 0 "make install DESTDIR=... exits 0"
[ "$rc" -eq 0 ] || { sed 's/^/# /' "$WORK/install.log"; t_done; }

### a. The files and their modes.
t_eq "$(cd "$D" && find . -type f -printf '%m %p\n' | sort | tr '\n' ';')" \
	"644 ./etc/scanwatch/research-scanners.txt;644 ./etc/scanwatch/scanwatch.conf;644 ./usr/local/lib/systemd/system/scanwatch.service;644 ./usr/local/lib/sysusers.d/scanwatch.conf;644 ./usr/local/share/man/man8/scanwatch.8;644 ./usr/local/share/scanwatch/NRO_LICENSE;644 ./usr/local/share/scanwatch/country.mmdb;755 ./usr/local/bin/scanwatch;" \
	"a. the files installed: binary, man page, unit, sysusers entry, configuration, research list, database and its licence"
t_true "a. the research list is the shipped one" cmp -s "$D/etc/scanwatch/research-scanners.txt" "$SRC_ROOT/dist/research-scanners.txt"
t_true "a. the database is the one make geoip fetched (.output/geoip/country.mmdb)" \
	cmp -s "$D/usr/local/share/scanwatch/country.mmdb" "$SRC_ROOT/.output/geoip/country.mmdb"
t_true "a. its licence names the NRO (CC BY 4.0)" grep -q "nro.net" "$D/usr/local/share/scanwatch/NRO_LICENSE"
type=$(mmdblookup -f "$D/usr/local/share/scanwatch/country.mmdb" -v -i 192.0.2.1 2>/dev/null | sed -n 's/^ *Type: *//p')
"$D/usr/local/bin/scanwatch" status --pin-root "$WORK/nopins" --data-dir "$WORK/nodata" \
	--geoip "$D/usr/local/share/scanwatch/country.mmdb" --config /dev/null >"$WORK/status" 2>&1
t_true "a. status says which database, of which type (as mmdblookup reads it: $type)" \
	grep -q "^areas: *$D/usr/local/share/scanwatch/country.mmdb ($type, built [0-9-]*" "$WORK/status"

# The version is written once, in VERSION: the binary and the installed man page's footer say it.
ver=$(cat "$SRC_ROOT/VERSION")
t_eq "$("$D/usr/local/bin/scanwatch" --version)" "scanwatch $ver" "a. scanwatch --version says VERSION's $ver"
t_eq "$(sed -n 's/^\.TH SCANWATCH 8 [0-9-]* "\([^"]*\)".*/\1/p' "$D/usr/local/share/man/man8/scanwatch.8")" \
	"scanwatch $ver" "a. the installed man page's footer says scanwatch $ver"

### b. Defaults and the unit's command line.
help=$("$D/usr/local/bin/scanwatch" run --help)
t_true "b. the default database is where make install put it" grep -q "(default /usr/local/share/scanwatch/country.mmdb)" <<<"$help"
t_true "b. the default configuration is /etc/scanwatch/scanwatch.conf" grep -q "/etc/scanwatch/scanwatch.conf if it exists" <<<"$help"
UNIT=$D/usr/local/lib/systemd/system/scanwatch.service
t_eq "$(sed -n 's/^ExecStart=//p' "$UNIT")" \
	"/usr/local/bin/scanwatch run --config /etc/scanwatch/scanwatch.conf --data-dir /var/lib/scanwatch --user scanwatch" \
	"b. the unit runs the installed binary with the installed configuration"
for want in Type=notify WatchdogSec=2min StateDirectory=scanwatch ProtectSystem=strict \
	NoNewPrivileges=yes ReadWritePaths=/sys/fs/bpf RestartPreventExitStatus=2; do
	t_true "b. the unit has $want" grep -qx "$want" "$UNIT"
done

### c. systemd-analyze verify, in the DESTDIR with the systemd units every root has.
mkdir -p "$D/usr/lib/systemd/system"
for t in sysinit basic network-online multi-user shutdown sockets paths timers slices local-fs swap network; do
	cp "/usr/lib/systemd/system/$t.target" "$D/usr/lib/systemd/system/" 2>/dev/null
done
systemd-analyze verify --man=no --root="$D" scanwatch.service >"$WORK/verify" 2>&1
t_eq "$?" 0 "c. systemd-analyze verify --root=DESTDIR scanwatch.service exits 0"
t_eq "$(wc -l <"$WORK/verify")" 0 "c. ... and says nothing ($(head -c 300 "$WORK/verify"))"
systemd-analyze security --offline=yes --root="$D" scanwatch.service >"$WORK/security" 2>&1
t_true "c. systemd-analyze security rates it ($(grep 'Overall exposure' "$WORK/security" | sed 's/.*: //'))" \
	grep -q 'Overall exposure level for scanwatch.service: [0-9.]* \(OK\|MEDIUM\)' "$WORK/security"
rm -r "$D/usr/lib"

### d. The user, as systemd-sysusers makes it from the entry.
systemd-sysusers --root="$D" "$D/usr/local/lib/sysusers.d/scanwatch.conf" >/dev/null 2>&1
t_eq "$?" 0 "d. systemd-sysusers --root accepts the sysusers.d entry"
IFS=: read -r name _ uid gid gecos home shell < <(grep '^scanwatch:' "$D/etc/passwd")
t_eq "$name:$gecos:$home:$shell" "scanwatch:scanwatch sensor:/var/lib/scanwatch:/usr/sbin/nologin" \
	"d. user scanwatch: home is the state directory, no login shell"
t_true "d. ... a system user (uid $uid below 1000), with its own group ($gid)" \
	sh -c "[ $uid -lt 1000 ] && grep -q '^scanwatch:x:$gid:' '$D/etc/group'"
rm -f "$D"/etc/{passwd,group,shadow,gshadow}* "$D/etc/.pwd.lock"

### e. The default configuration, as shipped and with every option uncommented.
CONF=$D/etc/scanwatch/scanwatch.conf
"$D/usr/local/bin/scanwatch" run --config "$CONF" --data-dir "$WORK/data" >"$WORK/e1" 2>&1
t_eq "$?" 2 "e. as shipped (comments only): run stops for want of a point (exit 2)"
t_eq "$(cat "$WORK/e1")" "scanwatch run: at least one --point NAME=IFACE is required (see 'scanwatch run --help')" \
	"e. ... and for nothing else"
# Every example line, with four made to fit this test: the database and the research list are
# in DESTDIR (so the shipped list must parse), no keys file exists, and --count-service needs
# --host-mode (shipped as no).
sed -e 's/^#\([a-z-]* = \)/\1/' -e "s|^geoip = .*|geoip = $D/usr/local/share/scanwatch/country.mmdb|" \
	-e "s|^research = |research = $D|" \
	-e 's|^keys = .*|keys = /dev/null|' -e '/^count-service = /d' "$CONF" >"$WORK/all.conf"
n=$(grep -c '^[a-z-]* = ' "$WORK/all.conf")
NS=$(uniq_name n)
ip netns add "$NS" && on_exit ip netns del "$NS"
pins=$(pin_root) || t_fail "pin root"
ip netns exec "$NS" "$D/usr/local/bin/scanwatch" run --config "$WORK/all.conf" --data-dir "$WORK/data" \
	--pin-root "$pins" >"$WORK/e2" 2>&1
t_eq "$?" 1 "e. all $n example lines parse: run gets as far as opening the first point (exit 1, not 2)"
t_true "e. ... where the example rrdcached is not running ($(grep error: "$WORK/e2" | head -n 1))" \
	grep -q "error: point sensor1: cannot reach rrdcached at unix:/run/rrdcached.sock" "$WORK/e2"

### f. The operator's configuration survives install and uninstall; nothing else does.
echo "point = lab=eth9" >>"$CONF"
RL=$D/etc/scanwatch/research-scanners.txt
echo "192.0.2.0/24 # the operator's own" >>"$RL"
make -s -C "$SRC_ROOT" install DESTDIR="$D" >"$WORK/install2.log" 2>&1
t_true "f. a second install keeps the changed configuration" grep -qx "point = lab=eth9" "$CONF"
t_true "f. ... and puts the new default beside it" cmp -s "$CONF.default" "$SRC_ROOT/.output/dist/scanwatch.conf"
t_true "f. ... keeps the changed research list" grep -qx "192.0.2.0/24 # the operator's own" "$RL"
t_true "f. ... and puts the shipped one beside it" cmp -s "$RL.default" "$SRC_ROOT/dist/research-scanners.txt"
make -s -C "$SRC_ROOT" uninstall DESTDIR="$D" >"$WORK/uninstall.log" 2>&1
t_eq "$?" 0 "f. make uninstall exits 0"
t_eq "$(cd "$D" && find . -type f | sort | tr '\n' ' ')" \
	"./etc/scanwatch/research-scanners.txt ./etc/scanwatch/scanwatch.conf " \
	"f. uninstall removes every file but the changed configuration and research list"
t_true "f. ... and says it kept it" grep -q "kept $CONF (changed from the default)" "$WORK/uninstall.log"
t_true "f. ... and the list" grep -q "kept $RL (changed from the default)" "$WORK/uninstall.log"
cp "$SRC_ROOT/.output/dist/scanwatch.conf" "$CONF"
cp "$SRC_ROOT/dist/research-scanners.txt" "$RL"
make -s -C "$SRC_ROOT" uninstall DESTDIR="$D" >/dev/null 2>&1
t_eq "$(cd "$D" && find . -type f | wc -l)" 0 "f. the default configuration goes with uninstall"

### g. PREFIX=/usr: the paths compiled in and written into the unit and the configuration follow
# it (made apart, so that this tree's build keeps its own paths; the build itself is (a)'s).
G=$WORK/out
make -s -C "$SRC_ROOT" PREFIX=/usr OUT="$G" "$G/paths.h" "$G/dist/scanwatch.service" \
	"$G/dist/scanwatch.conf" >"$WORK/g.log" 2>&1
t_eq "$?" 0 "g. make PREFIX=/usr makes the paths and the dist files"
t_eq "$(grep -o '"[^"]*"' "$G/paths.h" | tr '\n' ' ')" \
	'"/etc/scanwatch/scanwatch.conf" "/usr/share/scanwatch/country.mmdb" "/var/lib/scanwatch" ' \
	"g. the defaults compiled in: configuration, database (under /usr), data"
t_true "g. the unit runs /usr/bin/scanwatch" grep -q "^ExecStart=/usr/bin/scanwatch run" "$G/dist/scanwatch.service"
t_true "g. the configuration names /usr's database" grep -q "^#geoip = /usr/share/scanwatch/country.mmdb" "$G/dist/scanwatch.conf"
t_done
