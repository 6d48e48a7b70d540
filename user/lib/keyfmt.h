/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef SW_KEYFMT_H
#define SW_KEYFMT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "parse_num.h"
#include "scanwatch.h"

#define SW_KEY_STRLEN 16 /* "icmp6/255" and the like, with room */
#define SW_ADDR_STRLEN 46 /* INET6_ADDRSTRLEN */

extern const char *const sw_kind_names[SW_NKINDS];
extern const char *const sw_fp_names[SW_NFPS];

/* "tcp/445", "icmp/echo", "frag": the key without its kind. */
void sw_key_str(const struct sw_key *key, char buf[SW_KEY_STRLEN]);
/* Parses a key string and a kind name; 0 or -EINVAL. */
int sw_key_parse(const char *str, const char *kind, struct sw_key *key);
int sw_kind_parse(const char *name);
/* IPv4-mapped addresses print as dotted quads. */
void sw_addr_str(const __u8 addr[16], char buf[SW_ADDR_STRLEN]);
/* Inline: the store asks it of every pair two or three times. */
static inline int sw_addr_is_v4(const __u8 addr[16])
{
	static const __u8 mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return !memcmp(addr, mapped, sizeof(mapped));
}
/* Parses "198.51.100.0/24" or "2001:db8::/32" into an LPM key (IPv4 mapped, +96). */
int sw_prefix_parse(const char *str, struct sw_prefix *pfx);
/*
 * How many addresses the prefixes cover together, each counted once however many prefixes hold
 * it (192.0.2.0/24 and 192.0.2.128/25: 256): 0 for none, SW_U128_MAX (one short of the truth)
 * for prefixes that cover all 2^128 addresses, ::/0.
 */
sw_u128 sw_prefix_addresses(const struct sw_prefix *v, size_t n);
/* Orders keys by class, number, kind: a stable order for ties. */
int sw_key_cmp(const struct sw_key *a, const struct sw_key *b);

#endif
