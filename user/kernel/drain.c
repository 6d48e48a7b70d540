// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <bpf/bpf.h>

#include "drain.h"
#include "grow.h"
#include "sensor.h"

#define BATCH_CHUNK 4096
#define ROUND8(x) (((x) + 7) & ~(size_t)7)
/* Records hashed ahead of the one merged: enough to hide a miss to memory, few enough to stay in L1. */
#define PREFETCH_AHEAD 16
/*
 * Records ahead whose slot, prefetched PREFETCH_AHEAD - PEEK_AHEAD records before, is read to
 * prefetch the pair it points to: a pair logged again (the cache evicted it twice) is merged into
 * a record written long before, a miss to memory that was 40 % of the merge.
 */
#define PEEK_AHEAD 8
/* New pairs are appended: the line this many records past the end is prefetched for writing. */
#define APPEND_AHEAD 4
/*
 * Bytes of records read ahead of the hashing: the log was written by the kernel long before and
 * comes from memory, and the hardware's prefetcher stops at the mapping's 4 KB pages.
 */
#define READ_AHEAD_BYTES 2048

void drainer_init(struct drainer *d, int ncpus, int replay)
{
	memset(d, 0, sizeof(*d));
	d->ncpus = ncpus;
	d->kbuf.key_size = sizeof(struct sw_key);
	d->kbuf.val_size = ROUND8(sizeof(struct sw_key_val)) * ncpus;
	d->mono_to_wall_ns = replay ? 0 : cstate_mono_to_wall();
}

void drainer_free(struct drainer *d)
{
	free(d->kbuf.keys);
	free(d->kbuf.vals);
	cstate_gen_free(&d->gen);
	pairtab_free(&d->pairs);
	free(d->pair_key);
	free(d->key_index);
	free(d->key_aux);
	free(d->order);
	free(d->secs);
	memset(d, 0, sizeof(*d));
}

/*
 * Asks for transparent huge pages over a large buffer: a drain of a million pairs touches tens of
 * megabytes at random, and 4 KB pages cost a page fault each on first touch and a TLB miss on
 * nearly every probe. Only the 2 MB-aligned inside can be huge; an advice refused changes nothing.
 */
static void hint_huge(void *p, size_t bytes)
{
	const uintptr_t huge = 2u << 20;
	uintptr_t start = ((uintptr_t)p + huge - 1) & ~(huge - 1);
	uintptr_t end = ((uintptr_t)p + bytes) & ~(huge - 1);

	if (bytes >= 4 * huge && end > start)
		madvise((void *)start, end - start, MADV_HUGEPAGE);
}

/* sw_grow from 1024 elements, with the huge-page hint on every block it moves to. */
static int grow(void *pp, size_t *cap, size_t need, size_t size)
{
	size_t old = *cap;
	int err = sw_grow(pp, cap, need, size, 1024);
	void *p;

	if (!err && *cap != old) {
		memcpy(&p, pp, sizeof(p));
		hint_huge(p, *cap * size);
	}
	return err;
}

static int buf_grow(struct drain_buf *b, size_t need)
{
	size_t kcap = b->cap, vcap = b->cap;
	int err;

	err = grow(&b->keys, &kcap, need, b->key_size);
	if (!err)
		err = grow(&b->vals, &vcap, need, b->val_size);
	if (!err)
		b->cap = kcap < vcap ? kcap : vcap;
	return err;
}

/* Reads every entry of a hash map no program writes to any more. */
static int batch_read(int fd, struct drain_buf *b)
{
	size_t *n = &b->n;
	__u64 in_tok = 0, out_tok = 0;
	void *in = NULL;
	size_t chunk = BATCH_CHUNK;
	int err;

	*n = 0;
	for (;;) {
		__u32 count = chunk;

		err = buf_grow(b, *n + chunk);
		if (err)
			return err;
		err = bpf_map_lookup_batch(fd, in, &out_tok, (char *)b->keys + *n * b->key_size,
					   (char *)b->vals + *n * b->val_size, &count, NULL);
		if (err)
			err = -errno;
		*n += count;
		if (err == -ENOENT)
			return 0;
		if (err == -ENOSPC && count == 0) {
			/* One bucket holds more than a chunk. */
			chunk *= 2;
			continue;
		}
		if (err)
			return err;
		in_tok = out_tok;
		in = &in_tok;
	}
}

static int batch_delete(int fd, const struct drain_buf *b, size_t n)
{
	for (size_t done = 0; done < n;) {
		__u32 count = n - done > BATCH_CHUNK ? BATCH_CHUNK : n - done;

		if (bpf_map_delete_batch(fd, (char *)b->keys + done * b->key_size, &count, NULL))
			return -errno;
		done += count;
	}
	return 0;
}

int drain_flip(struct sensor *s)
{
	__u32 next = s->gen ^ 1;

	cstate_set_gen(&s->cs, next);
	/*
	 * Rewriting a map-in-map slot, even with the table it already holds, returns only after an
	 * RCU grace period (the kernel's maybe_wait_bpf_programs): every program that read the
	 * old generation has finished, and what it wrote is visible here. Replay runs the program
	 * in this thread, so it need not wait unless flip_waits says another thread runs packets.
	 */
	if ((s->link_fd >= 0 || s->flip_waits) &&
	    bpf_map_update_elem(s->keys_outer_fd, &next, &s->keys_fd[next], BPF_ANY)) {
		snprintf(s->errmsg, sizeof(s->errmsg), "cannot wait for running programs: %s",
			 strerror(errno));
		return -errno;
	}
	s->gen = next;
	return 0;
}

static inline uint32_t key_word(const struct sw_key *k)
{
	uint32_t w;

	memcpy(&w, k, sizeof(w));
	return w;
}

static inline size_t key_slot(uint32_t w, size_t mask)
{
	return (size_t)(((uint64_t)w * 0x9e3779b97f4a7c15ull) >> 32) & mask;
}

/* Rebuilds the key index for twice the keys it must hold. */
static int key_index_grow(struct drainer *d, const struct sw_interval *iv, size_t need)
{
	size_t cap = d->key_index_cap ? d->key_index_cap : 256;

	while (cap < 2 * need)
		cap *= 2;
	if (cap != d->key_index_cap) {
		uint32_t *ni = malloc(cap * sizeof(*ni));

		if (!ni)
			return -ENOMEM;
		free(d->key_index);
		d->key_index = ni;
		d->key_index_cap = cap;
	}
	memset(d->key_index, 0, cap * sizeof(*d->key_index));
	for (size_t k = 0; k < iv->nkeys; k++) {
		size_t i = key_slot(key_word(&iv->keys[k].key), cap - 1);

		while (d->key_index[i])
			i = (i + 1) & (cap - 1);
		d->key_index[i] = (uint32_t)k + 1;
	}
	return 0;
}

/* The index of key in iv->keys, added with zero counts if new; -ENOMEM. */
static long key_of(struct drainer *d, struct sw_interval *iv, const struct sw_key *key)
{
	uint32_t w = key_word(key);
	size_t mask, i;
	int err;

	if (2 * (iv->nkeys + 1) > d->key_index_cap) {
		err = key_index_grow(d, iv, iv->nkeys + 1);
		if (err)
			return err;
	}
	mask = d->key_index_cap - 1;
	for (i = key_slot(w, mask); d->key_index[i]; i = (i + 1) & mask) {
		uint32_t k = d->key_index[i] - 1;

		if (key_word(&iv->keys[k].key) == w)
			return k;
	}
	err = grow(&iv->keys, &iv->keys_cap, iv->nkeys + 1, sizeof(*iv->keys));
	if (!err)
		err = grow(&d->key_aux, &d->key_aux_cap, iv->nkeys + 1, sizeof(*d->key_aux));
	if (err)
		return err;
	d->key_index[i] = (uint32_t)iv->nkeys + 1;
	memset(&iv->keys[iv->nkeys], 0, sizeof(iv->keys[0]));
	iv->keys[iv->nkeys].key = *key;
	d->key_aux[iv->nkeys] = (struct drain_key){ .first_ns = UINT64_MAX };
	return (long)iv->nkeys++;
}

/* One record merged into its pair and key; iv->pairs has room for it. */
static int take(struct drainer *d, struct sw_interval *iv, const struct sw_rec *r, uint64_t h)
{
	uint64_t first = r->first_ns + d->mono_to_wall_ns, last = r->last_ns + d->mono_to_wall_ns;
	struct sw_key_val *kv;
	struct sw_pair_rec *p;
	bool added;
	size_t i;
	long k;

	i = pairtab_find_or_add(&d->pairs, h, &r->pair, &iv->pairs[0].pair, sizeof(*iv->pairs),
				&iv->npairs, &added);
	p = &iv->pairs[i];
	if (added) {
		p->pair = r->pair;
		p->val.packets = r->packets;
		p->val.first_ns = first;
		p->val.last_ns = last;
		k = key_of(d, iv, &r->pair.key);
		if (k < 0)
			return (int)k;
		d->pair_key[i] = (uint32_t)k;
	} else {
		p->val.packets += r->packets;
		if (first < p->val.first_ns)
			p->val.first_ns = first;
		if (last > p->val.last_ns)
			p->val.last_ns = last;
		k = d->pair_key[i];
	}
	kv = &iv->keys[k].val;
	kv->packets += r->packets;
	for (int f = 0; f < SW_NFPS; f++)
		if (r->fp & (1 << f))
			kv->fp[f] += r->packets;
	if (first < d->key_aux[k].first_ns)
		d->key_aux[k].first_ns = first;
	return 0;
}

/*
 * Merges n records, hashing each PREFETCH_AHEAD records before it is merged so that its slot
 * of the table is in the cache by then. Empty cache slots (packets 0) are passed over.
 */
static int take_all(struct drainer *d, struct sw_interval *iv, const struct sw_rec *recs, size_t n,
		    uint64_t *records, uint64_t *packets)
{
	/* What iv->pairs and d->pair_key hold: a prefetch is never aimed past their ends. */
	size_t bound = iv->pairs_cap < d->pair_key_cap ? iv->pairs_cap : d->pair_key_cap;
	uint64_t ahead[PREFETCH_AHEAD];
	int err;

	for (size_t i = 0; i < n && i < PREFETCH_AHEAD; i++) {
		ahead[i] = pairtab_hash(&recs[i].pair);
		pairtab_prefetch(&d->pairs, ahead[i]);
	}
	for (size_t i = 0; i < n; i++) {
		const struct sw_rec *r = &recs[i];
		uint64_t h = ahead[i % PREFETCH_AHEAD];

		/* Every 48-byte record begins a new 64-byte line at most once: two lines a 4/3 records. */
		if ((i & 3) == 0 && i + PREFETCH_AHEAD < n) {
			const char *p = (const char *)&recs[i + PREFETCH_AHEAD] + READ_AHEAD_BYTES;

			if (p + 192 <= (const char *)&recs[n]) {
				__builtin_prefetch(p);
				__builtin_prefetch(p + 64);
				__builtin_prefetch(p + 128);
			}
		}
		if (i + PEEK_AHEAD < n) {
			/* The pair merged into, or the end a new one is appended at. */
			size_t end = iv->npairs + APPEND_AHEAD < bound ? iv->npairs + APPEND_AHEAD :
									 iv->npairs;
			size_t at = pairtab_guess(&d->pairs,
						  ahead[(i + PEEK_AHEAD) % PREFETCH_AHEAD], end);
			const char *pp = (const char *)&iv->pairs[at];

			__builtin_prefetch(pp, 1);
			__builtin_prefetch(pp + sizeof(*iv->pairs) - 1, 1);
			__builtin_prefetch(&d->pair_key[at], 1);
		}
		if (i + PREFETCH_AHEAD < n) {
			uint64_t h2 = pairtab_hash(&recs[i + PREFETCH_AHEAD].pair);

			ahead[i % PREFETCH_AHEAD] = h2;
			pairtab_prefetch(&d->pairs, h2);
		}
		if (!r->packets)
			continue;
		err = take(d, iv, r, h);
		if (err)
			return err;
		(*records)++;
		*packets += r->packets;
	}
	return 0;
}

/* The overflow table's keys, summed over CPUs, into the interval's keys. */
static int take_overflow(struct drainer *d, struct sensor *s, struct sw_interval *iv, __u32 gen)
{
	size_t stride = ROUND8(sizeof(struct sw_key_val));
	int err = batch_read(s->keys_fd[gen], &d->kbuf);

	for (size_t i = 0; !err && i < d->kbuf.n; i++) {
		const char *v = (const char *)d->kbuf.vals + i * d->kbuf.val_size;
		struct sw_key key;
		long k;

		memcpy(&key, (char *)d->kbuf.keys + i * sizeof(struct sw_key), sizeof(key));
		k = key_of(d, iv, &key);
		if (k < 0)
			return (int)k;
		for (int cpu = 0; cpu < d->ncpus; cpu++) {
			const struct sw_key_val *c = (const void *)(v + cpu * stride);
			struct sw_key_val *kv = &iv->keys[k].val;

			kv->packets += c->packets;
			kv->lost += c->lost;
			for (int f = 0; f < SW_NFPS; f++)
				kv->fp[f] += c->fp[f];
			d->key_aux[k].overflow += c->packets;
			iv->census.overflow_packets += c->packets;
		}
	}
	return err;
}

/* Keys by first packet (keys only in the overflow table last), ties in the order met. */
static int key_first_cmp(const void *a, const void *b, void *arg)
{
	const struct drain_key *aux = arg;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	if (aux[x].first_ns != aux[y].first_ns)
		return aux[x].first_ns < aux[y].first_ns ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* Pairs by first packet, ties in the order met. */
static int pair_first_cmp(const void *a, const void *b, void *arg)
{
	const struct sw_pair_rec *p = arg;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	if (p[x].val.first_ns != p[y].val.first_ns)
		return p[x].val.first_ns < p[y].val.first_ns ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* d->order: the first `keep` of n items by cmp; keep[i] says whether item i is one. */
static int first_n(struct drainer *d, size_t n, size_t want, uint8_t **keep,
		   int (*cmp)(const void *, const void *, void *), void *arg)
{
	int err = grow(&d->order, &d->order_cap, n, sizeof(*d->order));

	if (err)
		return err;
	*keep = calloc(n, 1);
	if (!*keep)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		d->order[i] = (uint32_t)i;
	qsort_r(d->order, n, sizeof(*d->order), cmp, arg);
	for (size_t i = 0; i < want; i++)
		(*keep)[d->order[i]] = 1;
	return 0;
}

/*
 * More keys than --max-keys: the ones seen first stay, as in a table that filled up; the others'
 * packets go to keys_lost, counted nowhere else (their pairs go too).
 */
static int cut_keys(struct drainer *d, struct sw_interval *iv, size_t max_keys)
{
	size_t n = iv->nkeys, kept = 0, np = 0;
	uint32_t *remap;
	uint8_t *keep;
	int err;

	if (n <= max_keys)
		return 0;
	err = first_n(d, n, max_keys, &keep, key_first_cmp, d->key_aux);
	if (err)
		return err;
	remap = calloc(n, sizeof(*remap));
	if (!remap) {
		free(keep);
		return -ENOMEM;
	}
	for (size_t k = 0; k < n; k++) {
		if (!keep[k]) {
			iv->stats[SW_STAT_KEYS_LOST] += iv->keys[k].val.packets;
			iv->census.keys_over_packets += iv->keys[k].val.packets;
			iv->census.keys_over_overflow += d->key_aux[k].overflow;
			continue;
		}
		remap[k] = (uint32_t)kept;
		iv->keys[kept] = iv->keys[k];
		d->key_aux[kept] = d->key_aux[k];
		kept++;
	}
	for (size_t i = 0; i < iv->npairs; i++) {
		uint32_t k = d->pair_key[i];

		if (!keep[k])
			continue;
		iv->pairs[np] = iv->pairs[i];
		d->pair_key[np++] = remap[k];
	}
	free(remap);
	free(keep);
	iv->nkeys = kept;
	iv->npairs = np;
	return 0;
}

/*
 * More pairs than --max-pairs: the pairs seen first stay, as in a table that filled up; the
 * others' packets stay in their keys and are counted as those keys' lost.
 */
static int cut_pairs(struct drainer *d, struct sw_interval *iv, size_t max_pairs)
{
	size_t n = iv->npairs, np = 0;
	uint8_t *keep;
	int err;

	if (n <= max_pairs)
		return 0;
	err = first_n(d, n, max_pairs, &keep, pair_first_cmp, iv->pairs);
	if (err)
		return err;
	for (size_t i = 0; i < n; i++) {
		if (!keep[i]) {
			struct sw_key_val *kv = &iv->keys[d->pair_key[i]].val;

			kv->lost += iv->pairs[i].val.packets;
			iv->stats[SW_STAT_PAIRS_OVER] += iv->pairs[i].val.packets;
			continue;
		}
		iv->pairs[np] = iv->pairs[i];
		d->pair_key[np++] = d->pair_key[i];
	}
	free(keep);
	iv->npairs = np;
	return 0;
}

static int sec_cmp(const void *a, const void *b)
{
	const struct sw_second *x = a, *y = b;

	return x->sec < y->sec ? -1 : x->sec > y->sec;
}

/*
 * The interval's peak second: each CPU's ring and its second in progress, added up second by
 * second over the CPUs; the largest sum wins, the earliest second on a tie.
 */
static int take_seconds(struct drainer *d, const struct cstate *cs, __u32 gen,
			struct sw_interval *iv)
{
	size_t n = 0, need = (size_t)cs->ncpus * (cs->sec_slots + 1);
	int err = grow(&d->secs, &d->secs_cap, need, sizeof(*d->secs));

	if (err)
		return err;
	for (uint32_t cpu = 0; cpu < cs->ncpus; cpu++) {
		const struct sw_second *ring = cstate_cpu_secs(cs, cpu, gen);
		const struct sw_sec_now *now = &d->gen.secs[cpu];

		for (uint32_t i = 0; i < cs->sec_slots; i++)
			if (ring[i].packets)
				d->secs[n++] = ring[i];
		if (now->cur.packets)
			d->secs[n++] = now->cur;
		iv->peak_overwritten += now->overwritten;
	}
	qsort(d->secs, n, sizeof(*d->secs), sec_cmp);
	for (size_t i = 0; i < n;) {
		uint64_t sec = d->secs[i].sec, sum = 0;

		for (; i < n && d->secs[i].sec == sec; i++)
			sum += d->secs[i].packets;
		if (sum > iv->peak) {
			iv->peak = sum;
			iv->peak_s = sec;
		}
	}
	return 0;
}

int drain_read(struct drainer *d, struct sensor *s, struct sw_interval *iv)
{
	return drain_read_gen(d, s, s->gen ^ 1, iv);
}

int drain_read_gen(struct drainer *d, struct sensor *s, __u32 old, struct sw_interval *iv)
{
	const struct cstate *cs = &s->cs;
	size_t bound;
	int err;

	interval_reset(iv);
	err = cstate_read_gen(cs, old, &d->gen);
	if (err)
		goto fail;
	for (uint32_t cpu = 0; cpu < cs->ncpus; cpu++)
		for (int st = 0; st < SW_NSTATS; st++)
			iv->stats[st] += d->gen.cpus[cpu].stats[st];
	iv->census.kernel_keys_lost = iv->stats[SW_STAT_KEYS_LOST];
	err = take_seconds(d, cs, old, iv);
	if (err)
		goto fail;

	/* Every record may be a pair of its own: room for all, so that nothing grows meanwhile. */
	bound = (size_t)cs->ncpus * cs->cache_slots;
	for (uint32_t c = 0; c < d->gen.chunks; c++)
		bound += d->gen.chunk_fill[c];
	err = grow(&iv->pairs, &iv->pairs_cap, bound, sizeof(*iv->pairs));
	if (!err)
		err = grow(&d->pair_key, &d->pair_key_cap, bound, sizeof(*d->pair_key));
	if (!err)
		err = pairtab_reset(&d->pairs, bound);
	if (!err && !d->key_index_cap)
		err = key_index_grow(d, iv, 64);
	else if (!err)
		memset(d->key_index, 0, d->key_index_cap * sizeof(*d->key_index));
	if (err)
		goto fail;

	/* The log in the order it was written, then what the caches still hold. */
	err = cstate_map_log(&s->cs, old, d->gen.chunks);
	for (uint32_t c = 0; c < d->gen.chunks && !err; c++)
		err = take_all(d, iv, cstate_log_chunk(cs, c), d->gen.chunk_fill[c],
			       &iv->census.log_records, &iv->census.log_packets);
	cstate_unmap_log(&s->cs);
	for (uint32_t cpu = 0; cpu < cs->ncpus && !err; cpu++)
		err = take_all(d, iv, cstate_cpu_cache(cs, cpu, old), cs->cache_slots,
			       &iv->census.cache_slots, &iv->census.cache_packets);
	if (!err)
		err = take_overflow(d, s, iv, old);
	if (!err)
		err = cut_keys(d, iv, s->meta.max_keys);
	if (!err)
		err = cut_pairs(d, iv, s->meta.max_pairs);
	if (!err)
		return 0;
fail:
	snprintf(s->errmsg, sizeof(s->errmsg), "cannot read the %s generation: %s",
		 old == s->gen ? "current" : "retired", strerror(-err));
	return err;
}

int drain_clear(struct drainer *d, struct sensor *s)
{
	__u32 old = s->gen ^ 1;
	int err;

	/* The buffer still holds the keys drain_read found; nothing has written since. */
	err = batch_delete(s->keys_fd[old], &d->kbuf, d->kbuf.n);
	if (!err)
		err = cstate_clear_gen(&s->cs, old);
	if (!err)
		return 0;
	snprintf(s->errmsg, sizeof(s->errmsg), "cannot empty the retired generation: %s",
		 strerror(-err));
	return err;
}

int drain_interval(struct drainer *d, struct sensor *s, struct sw_interval *iv)
{
	int err = drain_flip(s);

	if (!err)
		err = drain_read(d, s, iv);
	if (!err)
		err = drain_clear(d, s);
	return err;
}
