// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "tally.h"

void tally_init(struct tally *t)
{
	memset(t, 0, sizeof(*t));
}

void tally_free(struct tally *t)
{
	if (t->research) {
		tally_free(t->research);
		free(t->research);
	}
	free(t->keys);
	free(t->index);
	tally_init(t);
}

struct tally *tally_research(struct tally *t)
{
	if (!t->research) {
		t->research = malloc(sizeof(*t->research));
		if (t->research)
			tally_init(t->research);
	}
	return t->research;
}

bool tally_has_research(const struct tally *t)
{
	return t->research && t->research->nkeys;
}

void tally_reset(struct tally *t)
{
	t->nkeys = 0;
	if (t->index)
		memset(t->index, 0, t->index_cap * sizeof(*t->index));
	memset(t->area_accesses, 0, sizeof(t->area_accesses));
	memset(t->area_sources, 0, sizeof(t->area_sources));
	memset(t->stats, 0, sizeof(t->stats));
	t->lost_sources = 0;
	if (t->research)
		tally_reset(t->research);
	t->peak = t->peak_s = 0;
}

void tally_peak(struct tally *t, uint64_t peak, uint64_t at)
{
	if (peak > t->peak || (peak && peak == t->peak && at < t->peak_s)) {
		t->peak = peak;
		t->peak_s = at;
	}
}

static size_t key_slot(const struct sw_key *k, size_t cap)
{
	uint32_t v = (uint32_t)k->cls << 24 | (uint32_t)k->kind << 16 | k->num;

	return (v * 2654435761u) & (cap - 1);
}

static size_t probe(const struct tally *t, const struct sw_key *key)
{
	size_t i = key_slot(key, t->index_cap);

	while (t->index[i]) {
		const struct sw_key *k = &t->keys[t->index[i] - 1].key;

		if (k->cls == key->cls && k->kind == key->kind && k->num == key->num)
			break;
		i = (i + 1) & (t->index_cap - 1);
	}
	return i;
}

static int rehash(struct tally *t, size_t cap)
{
	uint32_t *ni = calloc(cap, sizeof(*ni));

	if (!ni)
		return -ENOMEM;
	free(t->index);
	t->index = ni;
	t->index_cap = cap;
	for (size_t k = 0; k < t->nkeys; k++)
		t->index[probe(t, &t->keys[k].key)] = k + 1;
	return 0;
}

const struct tally_key *tally_find(const struct tally *t, const struct sw_key *key)
{
	size_t i;

	if (!t->index_cap)
		return NULL;
	i = probe(t, key);
	return t->index[i] ? &t->keys[t->index[i] - 1] : NULL;
}

struct tally_key *tally_key(struct tally *t, const struct sw_key *key)
{
	struct tally_key *k;
	size_t i;

	if ((t->nkeys + 1) * 2 > t->index_cap && rehash(t, t->index_cap ? t->index_cap * 2 : 256))
		return NULL;
	i = probe(t, key);
	if (t->index[i])
		return &t->keys[t->index[i] - 1];
	if (SW_GROW(t->keys, t->keys_cap, t->nkeys + 1, 128))
		return NULL;
	k = &t->keys[t->nkeys++];
	memset(k, 0, sizeof(*k));
	k->key = *key;
	t->index[i] = t->nkeys;
	return k;
}

/* a += b, stopping at the largest count rather than wrapping around; false when it had to. */
static bool add_sat(uint64_t *a, uint64_t b)
{
	if (__builtin_add_overflow(*a, b, a)) {
		*a = UINT64_MAX;
		return false;
	}
	return true;
}

int tally_merge(struct tally *dst, const struct tally *src)
{
	bool ok = true;

	if (tally_has_research(src)) {
		struct tally *r = tally_research(dst);
		int err = r ? tally_merge(r, src->research) : -ENOMEM;

		if (err == -ENOMEM)
			return err;
		ok &= !err;
	}

	for (size_t i = 0; i < src->nkeys; i++) {
		const struct tally_key *s = &src->keys[i];
		struct tally_key *d = tally_key(dst, &s->key);

		if (!d)
			return -ENOMEM;
		ok &= add_sat(&d->accesses, s->accesses);
		ok &= add_sat(&d->sources, s->sources);
		ok &= add_sat(&d->lost, s->lost);
		for (int f = 0; f < SW_NFPS; f++)
			ok &= add_sat(&d->fp[f], s->fp[f]);
	}
	for (int a = 0; a < SW_NAREAS; a++) {
		ok &= add_sat(&dst->area_accesses[a], src->area_accesses[a]);
		ok &= add_sat(&dst->area_sources[a], src->area_sources[a]);
	}
	for (int s = 0; s < SW_NSTATS; s++)
		ok &= add_sat(&dst->stats[s], src->stats[s]);
	ok &= add_sat(&dst->lost_sources, src->lost_sources);
	/* A peak is a maximum: the span's is the largest of its parts'. */
	tally_peak(dst, src->peak, src->peak_s);
	return ok ? 0 : -EOVERFLOW;
}

int tally_check_totals(const struct tally *t)
{
	uint64_t acc = 0, src = 0, lost = 0, fp[SW_NFPS] = { 0 }, area_acc = 0, area_src = 0;
	bool ok = true;

	for (size_t i = 0; i < t->nkeys; i++) {
		const struct tally_key *k = &t->keys[i];

		ok &= add_sat(&acc, k->accesses);
		ok &= add_sat(&src, k->sources);
		ok &= add_sat(&lost, k->lost);
		for (int f = 0; f < SW_NFPS; f++)
			ok &= add_sat(&fp[f], k->fp[f]);
	}
	ok &= add_sat(&lost, t->stats[SW_STAT_KEYS_LOST]);
	for (int a = 0; a < SW_NAREAS; a++) {
		ok &= add_sat(&area_acc, t->area_accesses[a]);
		ok &= add_sat(&area_src, t->area_sources[a]);
	}
	/* The research group's own totals, and its lost in the overflow figure with the rest. */
	if (tally_has_research(t)) {
		ok &= !tally_check_totals(t->research);
		ok &= add_sat(&lost, tally_dropped(t->research));
	}
	return ok ? 0 : -EOVERFLOW;
}

uint64_t tally_dropped(const struct tally *t)
{
	uint64_t n = t->stats[SW_STAT_KEYS_LOST];

	for (size_t i = 0; i < t->nkeys; i++)
		n += t->keys[i].lost;
	if (t->research)
		n += tally_dropped(t->research);
	return n;
}

int sw_area_index(const char *cc)
{
	if (cc && cc[0] >= 'A' && cc[0] <= 'Z' && cc[1] >= 'A' && cc[1] <= 'Z' && !cc[2])
		return (cc[0] - 'A') * 26 + (cc[1] - 'A');
	return SW_AREA_UNKNOWN;
}

void sw_area_name(int idx, char out[3])
{
	if (idx < 0 || idx >= SW_AREA_UNKNOWN) {
		out[0] = out[1] = '?';
	} else {
		out[0] = 'A' + idx / 26;
		out[1] = 'A' + idx % 26;
	}
	out[2] = '\0';
}
