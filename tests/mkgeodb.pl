#!/usr/bin/perl
# SPDX-License-Identifier: GPL-2.0-only
# mkgeodb.pl OUT.mmdb STYLE [PREFIX=CC ...]: a tiny MaxMind-format country database for tests,
# written with MaxMind::DB::Writer (libmaxmind-db-writer-perl). STYLE chooses the record layout:
#   flat     {country_code => "JP"}            as ip-location-db (what `make geoip` fetches)
#   maxmind  {country => {iso_code => "JP"}}   as MaxMind's GeoLite2-Country and DB-IP
# Without PREFIX=CC arguments it maps the prefixes the tests send from:
#   198.18.0.0/24 JP, 198.18.1.0/24 CN, 2001:db8:1::/48 US; every other address is absent.
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

my ($out, $style, @maps) = @ARGV;
die "usage: mkgeodb.pl OUT.mmdb flat|maxmind [PREFIX=CC ...]\n"
	unless defined $style && ($style eq 'flat' || $style eq 'maxmind');
@maps = ('198.18.0.0/24=JP', '198.18.1.0/24=CN', '2001:db8:1::/48=US') unless @maps;

my %types = (country_code => 'utf8_string', country => 'map', iso_code => 'utf8_string');
my $tree = MaxMind::DB::Writer::Tree->new(
	ip_version => 6,
	record_size => 24,
	database_type => "scanwatch-test-country-$style",
	languages => ['en'],
	description => { en => 'scanwatch test database' },
	# The test prefixes are reserved ranges (benchmarking, documentation), which the writer
	# would otherwise leave out; IPv4 goes where libmaxminddb looks for it (::a.b.c.d).
	remove_reserved_networks => 0,
	alias_ipv6_to_ipv4 => 1,
	map_key_type_callback => sub { $types{ $_[0] } },
);
for my $m (@maps) {
	my ($net, $cc) = split /=/, $m, 2;
	die "bad mapping '$m' (want PREFIX=CC)\n" unless defined $cc && $cc =~ /^[A-Z]{2}$/;
	$tree->insert_network($net,
		$style eq 'flat' ? { country_code => $cc } : { country => { iso_code => $cc } });
}
open my $fh, '>:raw', "$out.tmp" or die "cannot write $out.tmp: $!\n";
$tree->write_tree($fh);
close $fh or die "cannot write $out.tmp: $!\n";
rename "$out.tmp", $out or die "cannot rename $out.tmp: $!\n";
