/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The likely victims of spoofed floods: the sources of backscatter, read from the
 * per-day files the store appends to (DATA_DIR/POINT/victims/DATE.txt, README.md "Victims
 * files") and added up per address over the days and points asked for.
 */
#ifndef SW_VICTIMS_H
#define SW_VICTIMS_H

#include <stddef.h>
#include <stdint.h>

#include "keyfmt.h"

#define VICTIM_KEYS 4

struct victim {
	char addr[SW_ADDR_STRLEN];
	uint64_t packets;
	uint64_t first_ns, last_ns; /* wall clock */
	struct victim_key {
		char key[SW_KEY_STRLEN];
		uint64_t packets;
	} keys[VICTIM_KEYS]; /* its answering services, most packets first */
	unsigned int nkeys, more_keys; /* more_keys: services beyond VICTIM_KEYS */
};

struct victim_set {
	struct victim *v;
	size_t n, cap;
	uint32_t *index; /* open addressing over v: slot holds index + 1 */
	size_t index_cap;
	uint64_t bad_lines; /* lines a crash cut short, passed over */
	unsigned int files;
};

void victims_init(struct victim_set *s);
void victims_free(struct victim_set *s);
/* Adds the days [from, to] (days since the epoch) of a point. */
int victims_load(struct victim_set *s, const char *data_dir, const char *point, int64_t from,
		 int64_t to, char *errmsg, size_t errlen);
/* One line's worth: a source of backscatter answering as key. */
int victims_add(struct victim_set *s, const char *addr, const char *key, uint64_t packets,
		uint64_t first_ns, uint64_t last_ns);
/* Most packets first, then by address. */
void victims_sort(struct victim_set *s);

#endif
