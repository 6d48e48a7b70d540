# SPDX-License-Identifier: GPL-2.0-only
# A real systemd for the service tests, sourced after lib.sh: systemd 252 booted as PID 1 of new
# PID, mount and cgroup namespaces inside a network namespace the test made, so that the unit
# `make install` installs is started, watched and restarted by systemd itself. Nothing of it
# reaches the host: /etc, /usr/local and /var/lib are overlays whose changes stay in WORK, /run,
# /var/log and systemd's unit directories are fresh tmpfs (only the units below exist), bpffs and
# cgroup2 are mounted afresh, and everything dies with the PID namespace. systemd logs to the
# namespace's journal (its console would be the host's).

SD_PID=
SD_CG=
SD_BG=

# The units a boot needs beside ours: stub targets, and journald so that the daemon writes to a
# real journal (JOURNAL_STREAM, priorities).
sd_units() {
	local dir=$1 t
	mkdir -p "$dir"
	for t in sysinit basic sockets paths timers slices local-fs local-fs-pre swap network \
		network-pre network-online multi-user shutdown umount; do
		printf '[Unit]\nDescription=%s (test stub)\n' "$t" >"$dir/$t.target"
	done
	printf '[Unit]\nDescription=scanwatch test boot\nWants=systemd-journald.socket systemd-journald.service\n' \
		>"$dir/sw-test.target"
	cp /usr/lib/systemd/system/systemd-journald.service \
		/usr/lib/systemd/system/systemd-journald.socket \
		/usr/lib/systemd/system/systemd-journald-dev-log.socket "$dir/"
}

# The namespace's PID 1, before it becomes systemd: mounts, then `make install` as an operator
# runs it (no DESTDIR), then systemd. Arguments: WORK SRC_ROOT COUNTRY_DB.
sd_init_script() {
	cat <<'EOF'
set -eu
W=$1 SRC=$2 DB=$3
mount --make-rprivate /
for d in etc usr/local var/lib; do
	mkdir -p "$W/ov/$d/up" "$W/ov/$d/work"
	mount -t overlay overlay -o "lowerdir=/$d,upperdir=$W/ov/$d/up,workdir=$W/ov/$d/work" "/$d"
done
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /var/log
mkdir -p /run/lock /run/log/journal
for d in /usr/lib/systemd/system /usr/lib/systemd/system-generators /etc/systemd/system; do
	mount -t tmpfs tmpfs "$d"
done
[ -d /etc/systemd/system-generators ] && mount -t tmpfs tmpfs /etc/systemd/system-generators
cp -a "$W/units/." /usr/lib/systemd/system/
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t bpf bpf /sys/fs/bpf
make -C "$SRC" -s install COUNTRY_DB="$DB" >"$W/install.log" 2>&1
exec env -i container=scanwatch-test PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	/lib/systemd/systemd --system --unit=sw-test.target --log-target=journal --log-level=info
EOF
}

# sd_boot NETNS COUNTRY_DB: systemd up inside NETNS, its units loaded; sets SD_PID.
sd_boot() {
	local ns=$1 db=$2 up
	sd_units "$WORK/units" || return 1
	sd_init_script >"$WORK/init.sh"
	# A cgroup of our own becomes the namespace's root: systemd's slices are made under it.
	SD_CG=/sys/fs/cgroup/unified/sw-test-$$-$RANDOM
	[ -d /sys/fs/cgroup/unified ] || SD_CG=/sys/fs/cgroup/sw-test-$$-$RANDOM
	mkdir "$SD_CG" || return 1
	on_exit sd_teardown
	(
		echo "$BASHPID" >"$SD_CG/cgroup.procs"
		exec ip netns exec "$ns" unshare --pid --fork --mount --cgroup --mount-proc \
			bash "$WORK/init.sh" "$WORK" "$SRC_ROOT" "$db"
	) >"$WORK/systemd.log" 2>&1 &
	SD_BG=$!
	wait_for 120 sd_find_pid || return 1
	wait_for 60 sd_up
}

# systemd's PID as the host sees it: the process of our cgroup named systemd whose parent is
# unshare (the others named so are systemd's own children before they exec).
sd_find_pid() {
	local p pp
	for p in $(find "$SD_CG" -name cgroup.procs -exec cat {} + 2>/dev/null); do
		pp=$(awk '{print $4}' "/proc/$p/stat" 2>/dev/null) || continue
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = systemd ] &&
			[ "$(cat "/proc/$pp/comm" 2>/dev/null)" = unshare ] && { SD_PID=$p; return 0; }
	done
	return 1
}

sd_up() { sd systemctl is-active -q sw-test.target 2>/dev/null; }

# sd COMMAND...: a command in systemd's namespaces (its mount, PID and network namespaces).
sd() { nsenter -t "$SD_PID" -m -p -n -- "$@"; }

# Everything in the PID namespace dies with its PID 1; the mounts and bpffs with them.
sd_teardown() {
	[ -n "$SD_PID" ] && kill -KILL "$SD_PID" 2>/dev/null
	[ -n "$SD_BG" ] && wait "$SD_BG" 2>/dev/null
	[ -n "$SD_CG" ] && wait_for 10 sd_cg_gone
	return 0
}

# The cgroups go once the last process has left them, the deepest first.
sd_cg_gone() { find "$SD_CG" -depth -type d -exec rmdir {} + 2>/dev/null; [ ! -d "$SD_CG" ]; }

# sd_prop UNIT PROPERTY: one property's value.
sd_prop() { sd systemctl show -P "$2" "$1"; }
