// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "keyfmt.h"
#include "pairset.h"

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

void pairset_init(struct pairset *ps)
{
	memset(ps, 0, sizeof(*ps));
}

void pairset_free(struct pairset *ps)
{
	free(ps->v4);
	free(ps->v6);
	pairset_init(ps);
}

size_t pairset_len(const struct pairset *ps)
{
	return ps->v4_len + ps->v6_len;
}

size_t pairset_bytes(const struct pairset *ps)
{
	return ps->v4_cap * sizeof(*ps->v4) + ps->v6_cap * sizeof(*ps->v6);
}

static int v4_insert(uint64_t *tab, size_t cap, uint64_t v)
{
	size_t i = mix64(v) & (cap - 1);

	while (tab[i]) {
		if (tab[i] == v)
			return 0;
		i = (i + 1) & (cap - 1);
	}
	tab[i] = v;
	return 1;
}

static uint64_t hash6(const struct sw_pair *p)
{
	uint64_t a, b;

	memcpy(&a, p->addr, 8);
	memcpy(&b, p->addr + 8, 8);
	return mix64(a ^ mix64(b ^ pack_key(&p->key)));
}

static int v6_insert(struct pair6 *tab, size_t cap, const struct sw_pair *p)
{
	size_t i = hash6(p) & (cap - 1);

	while (tab[i].pair.key.cls) {
		if (!memcmp(&tab[i].pair, p, sizeof(*p)))
			return 0;
		i = (i + 1) & (cap - 1);
	}
	tab[i].pair = *p;
	return 1;
}

/* Load factor stays at most 3/4: linear probing degrades fast beyond. */
static int v4_grow(struct pairset *ps)
{
	size_t ncap = ps->v4_cap ? ps->v4_cap * 2 : 1024;
	uint64_t *nt = calloc(ncap, sizeof(*nt));

	if (!nt)
		return -ENOMEM;
	for (size_t i = 0; i < ps->v4_cap; i++)
		if (ps->v4[i])
			v4_insert(nt, ncap, ps->v4[i]);
	free(ps->v4);
	ps->v4 = nt;
	ps->v4_cap = ncap;
	return 0;
}

static int v6_grow(struct pairset *ps)
{
	size_t ncap = ps->v6_cap ? ps->v6_cap * 2 : 256;
	struct pair6 *nt = calloc(ncap, sizeof(*nt));

	if (!nt)
		return -ENOMEM;
	for (size_t i = 0; i < ps->v6_cap; i++)
		if (ps->v6[i].pair.key.cls)
			v6_insert(nt, ncap, &ps->v6[i].pair);
	free(ps->v6);
	ps->v6 = nt;
	ps->v6_cap = ncap;
	return 0;
}

int pairset_add(struct pairset *ps, const struct sw_pair *pair)
{
	int ret;

	if (sw_addr_is_v4(pair->addr)) {
		uint32_t a;
		uint64_t v;

		if ((ps->v4_len + 1) * 4 > ps->v4_cap * 3 && v4_grow(ps))
			return -ENOMEM;
		memcpy(&a, pair->addr + 12, 4);
		v = (uint64_t)a << 32 | pack_key(&pair->key);
		ret = v4_insert(ps->v4, ps->v4_cap, v);
		ps->v4_len += ret;
		return ret;
	}
	if ((ps->v6_len + 1) * 4 > ps->v6_cap * 3 && v6_grow(ps))
		return -ENOMEM;
	ret = v6_insert(ps->v6, ps->v6_cap, pair);
	ps->v6_len += ret;
	return ret;
}
