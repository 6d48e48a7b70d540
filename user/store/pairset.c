// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "keyfmt.h"
#include "pairset.h"

/*
 * Linear probing stays cheap up to about 4/5 full with a hash this good. A shard grows by three
 * quarters, so it is between 46 % and 80 % full once it has grown, about 13.5 bytes per IPv4
 * pair over the staggered shards. Growing costs more than the inserts it interrupts (every pair
 * rehashed, a fresh table's pages faulted in, the old one unmapped): by a quarter, a day's pair
 * was rehashed four times over and the growth took 40 % of storing a day of 10^7 pairs; by
 * three quarters, 1.3 times, for 2.4 bytes a pair more (make bench row 8).
 */
#define MAX_LOAD_NUM 4
#define MAX_LOAD_DEN 5
#define GROW_NUM 3
#define GROW_DEN 4
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
 * reuse the smaller ones it frees, and the holes would stay resident; mremap grows them.
 */
#define MMAP_MIN_BYTES (64u << 10)
#define HUGE_MIN_BYTES (4u << 20)

static void *tab_alloc(size_t n, size_t size)
{
	void *p;

	if (n * size < MMAP_MIN_BYTES)
		return calloc(n, size);
	p = mmap(NULL, n * size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	/*
	 * Every probe lands on a random page of a table far larger than the TLB covers: with
	 * 2-MiB pages the walk is short and a growing table faults once a huge page, not 512
	 * times. Advice only: a kernel without transparent huge pages ignores it.
	 */
	if (n * size >= HUGE_MIN_BYTES)
		madvise(p, n * size, MADV_HUGEPAGE);
	return p;
}

static void tab_free(void *p, size_t n, size_t size)
{
	if (n * size < MMAP_MIN_BYTES)
		free(p);
	else if (p)
		munmap(p, n * size);
}

/*
 * The hash fills every shard alike, so shards of one size would all grow in the same interval:
 * a pause of hundreds of milliseconds at 10^7 pairs. Their first sizes are spread over the
 * growth's factor of 1.75 instead (shard i starts at 64 * (1 + 3 i / 1024)), and so are their
 * growths ever after.
 */
static uint32_t stagger(uint32_t base, unsigned int shard)
{
	return (uint32_t)(base + (uint64_t)base * GROW_NUM * shard / (GROW_DEN * PAIRSET_NSHARDS));
}

static uint32_t next_cap(uint32_t cap, unsigned int shard)
{
	uint32_t first = stagger(MIN_CAP, shard);
	uint64_t next = cap + (uint64_t)cap * GROW_NUM / GROW_DEN;

	if (cap < first)
		return first;
	return next > UINT32_MAX ? UINT32_MAX : (uint32_t)next;
}

/*
 * How a shard's table is grown: an mmap'd one in place (mremap), its entries set aside and put
 * back. A fresh table and the old one unmapped cost this VM-hosted kernel a page fault for
 * every page of the new table and a TLB shootdown for the old: three quarters of a growth's time,
 * where the rehash itself is a quarter. In place, only the pages of the part added fault in.
 */
struct tab_kind {
	size_t size;
	bool (*used)(const void *slot);
	void (*put)(void *tab, uint32_t cap, const void *entry);
};

static bool v4_used(const void *slot)
{
	uint64_t v;

	memcpy(&v, slot, sizeof(v));
	return v != 0;
}

static void v4_put(void *tab, uint32_t cap, const void *entry)
{
	uint64_t v;

	memcpy(&v, entry, sizeof(v));
	v4_insert(tab, cap, v, mix64(v));
}

static bool v6_used(const void *slot)
{
	return ((const struct sw_pair *)slot)->key.cls != 0;
}

static void v6_put(void *tab, uint32_t cap, const void *entry)
{
	v6_insert(tab, cap, entry, hash6(entry));
}

static const struct tab_kind v4_kind = { sizeof(uint64_t), v4_used, v4_put };
static const struct tab_kind v6_kind = { sizeof(struct sw_pair), v6_used, v6_put };

/* Copies the used slots of tab into the set's scratch buffer: how many, or -ENOMEM. */
static long set_aside(struct pairset *ps, const struct tab_kind *k, const char *tab, uint32_t cap,
		      uint32_t len)
{
	size_t n = 0, need = (size_t)len * k->size;

	if (need > ps->scratch_bytes) {
		void *p = realloc(ps->scratch, need);

		if (!p)
			return -ENOMEM;
		ps->bytes += need - ps->scratch_bytes;
		ps->scratch = p;
		ps->scratch_bytes = need;
	}
	for (uint32_t i = 0; i < cap && n < len; i++)
		if (k->used(tab + (size_t)i * k->size))
			memcpy((char *)ps->scratch + n++ * k->size, tab + (size_t)i * k->size,
			       k->size);
	return (long)n;
}

static int grow(struct pairset *ps, struct pairset_shard *s, const struct tab_kind *k,
		uint32_t ncap)
{
	const char *from = s->tab;
	size_t n = s->cap, bytes = (size_t)s->cap * k->size, nbytes = (size_t)ncap * k->size;
	bool in_place = bytes >= MMAP_MIN_BYTES;
	char *nt;

	if (in_place) {
		long kept = set_aside(ps, k, s->tab, s->cap, s->len);

		if (kept < 0)
			return (int)kept;
		nt = mremap(s->tab, bytes, nbytes, MREMAP_MAYMOVE);
		if (nt == MAP_FAILED)
			return -ENOMEM;
		if (nbytes >= HUGE_MIN_BYTES)
			madvise(nt, nbytes, MADV_HUGEPAGE);
		memset(nt, 0, bytes);
		from = ps->scratch;
		n = (size_t)kept;
	} else {
		nt = tab_alloc(ncap, k->size);
		if (!nt)
			return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		if (k->used(from + i * k->size))
			k->put(nt, ncap, from + i * k->size);
	if (!in_place)
		tab_free(s->tab, s->cap, k->size);
	ps->bytes += nbytes - bytes;
	s->tab = nt;
	s->cap = ncap;
	return 0;
}

/*
 * A shard's size for its share of a known count: 80 % full with five standard deviations more
 * than its share (the hash spreads pairs like a binomial draw), so that no shard grows while
 * they are read in; never emptier than pairset_bytes_max allows for.
 */
static uint32_t reserve_cap(uint64_t share)
{
	uint64_t r = 0;

	while ((r + 1) * (r + 1) <= share)
		r++;
	share = (share + 5 * r) * 5 / 4;
	return share > UINT32_MAX ? UINT32_MAX : (uint32_t)share;
}

int pairset_reserve(struct pairset *ps, size_t n_v4, size_t n_v6)
{
	for (unsigned int i = 0; i < PAIRSET_NSHARDS; i++) {
		uint64_t c4 = stagger(reserve_cap(n_v4 / PAIRSET_NSHARDS), i);
		uint64_t c6 = stagger(reserve_cap(n_v6 / PAIRSET_NSHARDS), i);

		/* Small shares are left to grow as usual, from their first size. */
		if (c4 < stagger(MIN_CAP, i))
			c4 = 0;
		if (c6 < stagger(MIN_CAP, i))
			c6 = 0;
		if (c4 > ps->v4[i].cap && grow(ps, &ps->v4[i], &v4_kind, (uint32_t)c4))
			return -ENOMEM;
		if (c6 > ps->v6[i].cap && grow(ps, &ps->v6[i], &v6_kind, (uint32_t)c6))
			return -ENOMEM;
	}
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

void pairset_set_max(struct pairset *ps, size_t max_len)
{
	ps->max_len = max_len;
}

size_t pairset_bytes_max(size_t n)
{
	/*
	 * A shard that has just grown is 45.7 % full (80 % before the three quarters more): 35/16
	 * slots a pair; one reserved for a day read back is 62 %. While a shard grows, its
	 * entries set aside (or its old table, while it is small) exist beside the grown table,
	 * and the scratch buffer they go to stays, the size of one shard of 256. The smallest
	 * shards hold 64 to 112 slots whoever fills them.
	 */
	size_t slots = n / 16 * 35 + 35 + n / PAIRSET_NSHARDS * 9 / 4;

	return (slots + 2 * PAIRSET_NSHARDS * stagger(MIN_CAP, PAIRSET_NSHARDS)) *
	       sizeof(struct sw_pair);
}

void pairset_free(struct pairset *ps)
{
	size_t max_len = ps->max_len;

	for (unsigned int i = 0; i < PAIRSET_NSHARDS; i++) {
		tab_free(ps->v4[i].tab, ps->v4[i].cap, sizeof(uint64_t));
		tab_free(ps->v6[i].tab, ps->v6[i].cap, sizeof(struct sw_pair));
	}
	free(ps->scratch);
	pairset_init(ps);
	ps->max_len = max_len; /* a setting, not contents: the next day has the same */
}

size_t pairset_len(const struct pairset *ps)
{
	return ps->len;
}

size_t pairset_len_v4(const struct pairset *ps)
{
	size_t n = 0;

	for (unsigned int i = 0; i < PAIRSET_NSHARDS; i++)
		n += ps->v4[i].len;
	return n;
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
	if (ps->max_len && ps->len >= ps->max_len)
		return pairset_has(ps, pair) ? 0 : -ENOSPC;
	if (sw_addr_is_v4(pair->addr)) {
		uint64_t v = v4_val(pair);

		h = mix64(v);
		s = &ps->v4[shard_of(h)];
		if (full(s) && grow(ps, s, &v4_kind, next_cap(s->cap, shard_of(h))))
			return -ENOMEM;
		ret = v4_insert(s->tab, s->cap, v, h);
	} else {
		h = hash6(pair);
		s = &ps->v6[shard_of(h)];
		if (full(s) && grow(ps, s, &v6_kind, next_cap(s->cap, shard_of(h))))
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
