#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `make geoip`: fetches the country database of ip-location-db (npm package
# @ip-location-db/geo-whois-asn-country-mmdb, CC0 as published, built from the RIRs' data that
# the NRO licenses under CC BY 4.0) from the npm registry, keeps it as DIR/country.mmdb and, when
# DEST is given and may be written, installs it there (scanwatch's default --geoip path).
# Usage: tools/fetch-geoip.sh DIR [DEST]
# A failed fetch with an earlier copy in DIR keeps that copy (exit 0, with a warning): a
# registry that is down must not break a build that already has a database.
set -eu
dir=${1:?usage: fetch-geoip.sh DIR [DEST]}
dest=${2:-}
pkg=${GEOIP_PKG:-@ip-location-db/geo-whois-asn-country-mmdb}
db_in_pkg=geo-whois-asn-country.mmdb # IPv4 and IPv6 in one file

say() { echo "geoip: $*"; }
die() { echo "geoip: error: $*" >&2; exit 1; }

command -v npm >/dev/null || die "npm is missing (apt-get install npm)"
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
work=$(mktemp -d "$dir/fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT

# npm prints the tarball's name last on stdout, its notices and errors on stderr.
why() { grep -m1 -E 'npm (error|ERR)' "$work/npm.err" | sed 's/^npm \(error\|ERR!\) *//' || true; }
if tgz=$(cd "$work" && timeout 180 npm pack --loglevel=error "$pkg" 2>"$work/npm.err" | tail -1) &&
	[ -n "$tgz" ] && [ -f "$work/$tgz" ]; then
	tar -xzf "$work/$tgz" -C "$work" package/"$db_in_pkg" package/package.json \
		package/NRO_LICENSE package/README.md ||
		die "$tgz does not hold package/$db_in_pkg"
	# The reader's own check: a file that libmaxminddb cannot open must not replace a good one.
	if command -v mmdblookup >/dev/null; then
		mmdblookup -f "$work/package/$db_in_pkg" -i 8.8.8.8 country_code >/dev/null ||
			die "package/$db_in_pkg from $tgz is not a readable MaxMind database"
	fi
	cp "$work/package/NRO_LICENSE" "$dir/NRO_LICENSE"
	cp "$work/package/package.json" "$dir/package.json"
	mv -f "$work/package/$db_in_pkg" "$dir/country.mmdb"
	touch "$dir/country.mmdb" # npm packs every file as of 1985: keep when we fetched it
	say "fetched ${tgz%.tgz} ($(stat -c %s "$dir/country.mmdb") bytes) as $dir/country.mmdb"
elif [ -s "$dir/country.mmdb" ]; then
	echo "geoip: warning: npm pack $pkg failed ($(why)); keeping the copy from $(stat -c %y "$dir/country.mmdb" | cut -d. -f1)" >&2
else
	die "npm pack $pkg failed: $(why)"
fi

if [ -z "$dest" ]; then
	say "not installed; use it with --geoip $dir/country.mmdb"
elif mkdir -p "$(dirname "$dest")" 2>/dev/null && [ -w "$(dirname "$dest")" ]; then
	install -m 0644 "$dir/country.mmdb" "$dest.tmp" && mv -f "$dest.tmp" "$dest"
	say "installed as $dest"
else
	say "cannot write $dest (run 'make geoip' as root to install it); meanwhile use --geoip $dir/country.mmdb"
fi
say "data: RIR and NRO statistics, CC BY 4.0, attribution to nro.net (see $dir/NRO_LICENSE)"
