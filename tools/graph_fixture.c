// SPDX-License-Identifier: GPL-2.0-only
/*
 * Writes the synthetic data directory of tools/lib/graph_fixture.h: RRD files and daily
 * summaries of two points over DAYS days from 2009-10-01, with counts known to the unit. For
 * trying `scanwatch graph`, drawing the README's images and the shell tests; never real traffic.
 */
#include <stdio.h>

#include "graph_fixture.h"
#include "parse_num.h"

int main(int argc, char **argv)
{
	unsigned int days = 31;
	char err[512];
	struct fx fx;

	if (argc < 2 || argc > 3 || (argc == 3 && parse_uint(argv[2], 1, 400, &days))) {
		fprintf(stderr, "Usage: graph_fixture DIR [DAYS (1-400, default 31)]\n");
		return 2;
	}
	fx_init(&fx, days);
	if (fx_build(&fx, argv[1], err, sizeof(err))) {
		fprintf(stderr, "graph_fixture: %s\n", err);
		return 1;
	}
	return 0;
}
