/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A sensor's traffic for the bench: per source, what public darknet reports show (TCP SYN scans
 * with Mirai, ZMap and masscan marks, UDP and ICMP probes, backscatter of floods, IPv6 scans),
 * shuffled as parallel sources interleave. Deterministic for a given (sources, salt).
 */
#ifndef SW_BENCHMIX_H
#define SW_BENCHMIX_H
#include <stddef.h>
#include <stdint.h>
#include "pktcraft.h"

enum mix_type { MIX_SYN, MIX_UDP, MIX_ECHO, MIX_BACKSCATTER, MIX_V6, MIX_NTYPES };
extern const char *const mix_names[MIX_NTYPES];

struct frame {
	uint32_t off;
	uint16_t len;
};

struct mix {
	uint8_t *buf;
	size_t used, cap;
	struct frame *frames;
	size_t n, frames_cap;
	size_t sources, pairs; /* pairs: distinct (source, key), as scanwatch counts them */
	size_t by_type[MIX_NTYPES];
	size_t hot_frame; /* a plain TCP SYN to 445 */
};

/*
 * Builds the mix of `sources` sources (at most 2^24). Mixes of different salts (0-255) have
 * the same shape and disjoint sources: consecutive intervals of fresh scanners. 0 or -errno.
 */
int mix_build(struct mix *m, unsigned int sources, unsigned int salt);
void mix_free(struct mix *m);
#endif
