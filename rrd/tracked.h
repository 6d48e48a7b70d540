/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Which keys and areas have RRD files: the configured key list (built in, or --keys FILE), and
 * what joined since, persisted in DATA_DIR/POINT/tracked so that a restart keeps writing them.
 * README.md, "RRD files", documents both formats.
 */
#ifndef SW_TRACKED_H
#define SW_TRACKED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tally.h"

/* A key joins when it ranks in the day's top SW_TOP_N by accesses so far... */
#define SW_TOP_N 10
/*
 * ...with at least this many accesses: right after midnight any key with one packet would rank
 * in the top ten, and a quiet sensor would gain ten files of noise every day.
 */
#define SW_PROMOTE_MIN 100

/* A key as the RRD files see it: class and number, every kind together (cls << 16 | num). */
static inline uint32_t sw_fkey(const struct sw_key *k)
{
	return (uint32_t)k->cls << 16 | k->num;
}

struct key_list {
	uint32_t *v; /* in the order given, no duplicates */
	size_t n, cap;
};

void key_list_free(struct key_list *l);
int key_list_add(struct key_list *l, uint32_t fkey);
bool key_list_has(const struct key_list *l, uint32_t fkey);
/* TALOT2's ten and the ports scanned most in public reports (README.md lists them). */
int key_list_defaults(struct key_list *l);
/* One key per line, '#' starts a comment. -EINVAL with "FILE:LINE: why" in errmsg. */
int key_list_load(struct key_list *l, const char *path, char *errmsg, size_t errlen);

/* "tcp/445" and "tcp_445" (the file name, without .rrd). */
void sw_fkey_str(uint32_t fkey, char buf[16]);
void sw_fkey_file(uint32_t fkey, char buf[16]);
/* Parses a key ("tcp/445") into its fkey: 0 or -EINVAL. */
int sw_fkey_parse(const char *str, uint32_t *fkey);

struct tracked_key {
	uint32_t fkey;
	char since[11]; /* the day it joined, YYYY-MM-DD */
};

/* The persisted part: keys that joined through the top N, areas that have files. */
struct tracked {
	struct tracked_key *keys;
	size_t nkeys, cap;
	char area_since[SW_NAREAS][11]; /* "" for areas without a file */
};

void tracked_init(struct tracked *t);
void tracked_free(struct tracked *t);
/* A missing file is an empty set; a bad one is -EINVAL with "FILE:LINE: why". */
int tracked_load(struct tracked *t, const char *path, char *errmsg, size_t errlen);
/* Written to a temporary name, synced and renamed over the old one. */
int tracked_save(const struct tracked *t, const char *path);
int tracked_add_key(struct tracked *t, uint32_t fkey, const char *since);

/*
 * The day's top n keys by accesses (all kinds together), ties broken in key order, among keys with
 * at least min accesses. Returns how many were written to out (at most n), or -ENOMEM.
 */
int tracked_top(const struct tally *day, size_t n, uint64_t min, uint32_t *out);

#endif
