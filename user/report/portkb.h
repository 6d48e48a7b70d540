/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The port knowledge base of the monthly report: for each key scanned often, what listens there
 * and why scanners come, in a sentence or two, and where those facts come from. The entries are
 * TALOT2's table of October 2009 and the ports that recur at the top of public darknet and
 * honeypot reports since (README.md, "Monthly report and alerts", says how it was compiled).
 */
#ifndef SW_PORTKB_H
#define SW_PORTKB_H

#include <stddef.h>

#include "scanwatch.h"

struct portkb_entry {
	const char *key; /* "tcp/445", "icmp/echo": as sw_key_str() writes it */
	const char *service; /* what usually listens, in a few words */
	const char *text; /* why it is scanned, in our words */
	const char *source; /* where the facts come from: registry, advisory, CVE */
};

extern const struct portkb_entry portkb[];
extern const size_t portkb_len;

/* The entry of a key (its kind does not matter), or NULL. */
const struct portkb_entry *portkb_find(const struct sw_key *key);
const struct portkb_entry *portkb_find_str(const char *key);

#endif
