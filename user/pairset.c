// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "keyfmt.h"
#include "pairset.h"

/*
 * Linear probing stays cheap up to about 4/5 full with a hash this good; growing by a quarter
 * keeps every shard between 64 % and 80 % full once it has grown, about 11 bytes per IPv4 pair.
 */
#define MAX_LOAD_NUM 4
#define MAX_LOAD_DEN 5
#define MIN_CAP 64u

/* splitmix64's finaliser: cheap and mixes every input bit into the slot index. */
static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

static uint32_t pack_key(const struct sw_key *k)
{
	return (uint32_t)k->cls << 24 | (uint32_t)k->kind << 16 | k->num;
}

/* The top bits choose the shard, the low 32 the slot: independent bits of one hash. */
static unsigned int shard_of(uint64_t h)
{
	return h >> (64 - PAIRSET_SHARD_BITS);
}

/* Maps the hash onto [0, cap) by multiplication, so capacities need not be powers of two. */
static uint32_t home_of(uint64_t h, uint32_t cap)
{
	return (uint32_t)(((uint64_t)(uint32_t)h * cap) >> 32);
}

static uint64_t v4_val(const struct sw_pair *p)
{
	uint32_t a;

	memcpy(&a, p->addr + 12, 4);
	return (uint64_t)a << 32 | pack_key(&p->key); /* never 0: no key has class 0 */
}

static uint64_t hash6(const struct sw_pair *p)
{
	uint64_t a, b;

	memcpy(&a, p->addr, 8);
	memcpy(&b, p->addr + 8, 8);
	return mix64(a ^ mix64(b ^ pack_key(&p->key)));
}

/* 1 inserted, 0 present; the caller made room. */
static int v4_insert(uint64_t *tab, uint32_t cap, uint64_t v, uint64_t h)
{
	uint32_t i = home_of(h, cap);

	while (tab[i]) {
		if (tab[i] == v)
			return 0;
		if (++i == cap)
			i = 0;
	}
	tab[i] = v;
	return 1;
}

static bool v4_find(const uint64_t *tab, uint32_t cap, uint64_t v, uint64_t h)
{
	uint32_t i = home_of(h, cap);

	while (tab[i]) {
		if (tab[i] == v)
			return true;
		if (++i == cap)
			i = 0;
	}
	return false;
}

static int v6_insert(struct sw_pair *tab, uint32_t cap, const struct sw_pair *p, uint64_t h)
{
	uint32_t i = home_of(h, cap);

	while (tab[i].key.cls) {
		if (!memcmp(&tab[i], p, sizeof(*p)))
			return 0;
		if (++i == cap)
			i = 0;
	}
	tab[i] = *p;
	return 1;
}

static bool v6_find(const struct sw_pair *tab, uint32_t cap, const struct sw_pair *p, uint64_t h)
{
	uint32_t i = home_of(h, cap);

	while (tab[i].key.cls) {
		if (!memcmp(&tab[i], p, sizeof(*p)))
			return true;
		if (++i == cap)
			i = 0;
	}
	return false;
}

/*
 * Big tables come straight from mmap: each shard's table only ever grows, so malloc could not
 * reuse the smaller ones it frees, and the holes would stay resident.
 */
#define MMAP_MIN_BYTES (64u << 10)

static void *tab_alloc(size_t n, size_t size)
{
	void *p;

	if (n * size < MMAP_MIN_BYTES)
		return calloc(n, size);
	p = mmap(NULL, n * size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static void tab_free(void *p, size_t n, size_t size)
{
	if (n * size < MMAP_MIN_BYTES)
		free(p);
	else if (p)
		munmap(p, n * size);
}

static uint32_t next_cap(uint32_t cap)
{
	return cap ? cap + (cap >> 2) : MIN_CAP;
}

static int v4_grow(struct pairset *ps, struct pairset_shard *s)
{
	uint32_t ncap = next_cap(s->cap);
	uint64_t *old = s->tab, *nt = tab_alloc(ncap, sizeof(*nt));

	if (!nt)
		return -ENOMEM;
	for (uint32_t i = 0; i < s->cap; i++)
		if (old[i])
			v4_insert(nt, ncap, old[i], mix64(old[i]));
	tab_free(old, s->cap, sizeof(*old));
	ps->bytes += (size_t)(ncap - s->cap) * sizeof(*nt);
	s->tab = nt;
	s->cap = ncap;
	return 0;
}

static int v6_grow(struct pairset *ps, struct pairset_shard *s)
{
	uint32_t ncap = next_cap(s->cap);
	struct sw_pair *old = s->tab, *nt = tab_alloc(ncap, sizeof(*nt));

	if (!nt)
		return -ENOMEM;
	for (uint32_t i = 0; i < s->cap; i++)
		if (old[i].key.cls)
			v6_insert(nt, ncap, &old[i], hash6(&old[i]));
	tab_free(old, s->cap, sizeof(*old));
	ps->bytes += (size_t)(ncap - s->cap) * sizeof(*nt);
	s->tab = nt;
	s->cap = ncap;
	return 0;
}

static bool full(const struct pairset_shard *s)
{
	return (uint64_t)(s->len + 1) * MAX_LOAD_DEN > (uint64_t)s->cap * MAX_LOAD_NUM;
}

void pairset_init(struct pairset *ps)
{
	memset(ps, 0, sizeof(*ps));
}

void pairset_free(struct pairset *ps)
{
	for (unsigned int i = 0; i < PAIRSET_NSHARDS; i++) {
		tab_free(ps->v4[i].tab, ps->v4[i].cap, sizeof(uint64_t));
		tab_free(ps->v6[i].tab, ps->v6[i].cap, sizeof(struct sw_pair));
	}
	pairset_init(ps);
}

size_t pairset_len(const struct pairset *ps)
{
	return ps->len;
}

size_t pairset_bytes(const struct pairset *ps)
{
	return ps->bytes;
}

int pairset_add(struct pairset *ps, const struct sw_pair *pair)
{
	struct pairset_shard *s;
	uint64_t h;
	int ret;

	if (!pair->key.cls)
		return -EINVAL; /* would read as an empty slot */
	if (sw_addr_is_v4(pair->addr)) {
		uint64_t v = v4_val(pair);

		h = mix64(v);
		s = &ps->v4[shard_of(h)];
		if (full(s) && v4_grow(ps, s))
			return -ENOMEM;
		ret = v4_insert(s->tab, s->cap, v, h);
	} else {
		h = hash6(pair);
		s = &ps->v6[shard_of(h)];
		if (full(s) && v6_grow(ps, s))
			return -ENOMEM;
		ret = v6_insert(s->tab, s->cap, pair, h);
	}
	s->len += ret;
	ps->len += ret;
	return ret;
}

int pairset_has(const struct pairset *ps, const struct sw_pair *pair)
{
	const struct pairset_shard *s;
	uint64_t h;

	if (sw_addr_is_v4(pair->addr)) {
		uint64_t v = v4_val(pair);

		h = mix64(v);
		s = &ps->v4[shard_of(h)];
		return s->cap && v4_find(s->tab, s->cap, v, h);
	}
	h = hash6(pair);
	s = &ps->v6[shard_of(h)];
	return s->cap && v6_find(s->tab, s->cap, pair, h);
}

void pairset_prefetch(const struct pairset *ps, const struct sw_pair *pair)
{
	const struct pairset_shard *s;
	uint64_t h;

	if (sw_addr_is_v4(pair->addr)) {
		h = mix64(v4_val(pair));
		s = &ps->v4[shard_of(h)];
		if (s->cap)
			__builtin_prefetch((const uint64_t *)s->tab + home_of(h, s->cap));
		return;
	}
	h = hash6(pair);
	s = &ps->v6[shard_of(h)];
	if (s->cap)
		__builtin_prefetch((const struct sw_pair *)s->tab + home_of(h, s->cap));
}
