// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>

#include "drain.h"
#include "sensor.h"

#define BATCH_CHUNK 4096
#define ROUND8(x) (((x) + 7) & ~(size_t)7)

static int64_t mono_to_wall(void)
{
	struct timespec wall, mono;

	clock_gettime(CLOCK_REALTIME, &wall);
	clock_gettime(CLOCK_MONOTONIC_COARSE, &mono);
	return (wall.tv_sec - mono.tv_sec) * 1000000000LL + (wall.tv_nsec - mono.tv_nsec);
}

void drainer_init(struct drainer *d, int ncpus, int replay)
{
	memset(d, 0, sizeof(*d));
	d->ncpus = ncpus;
	d->kbuf.key_size = sizeof(struct sw_key);
	d->kbuf.val_size = ROUND8(sizeof(struct sw_key_val)) * ncpus;
	d->pbuf.key_size = sizeof(struct sw_pair);
	d->pbuf.val_size = sizeof(struct sw_pair_val);
	d->mono_to_wall_ns = replay ? 0 : mono_to_wall();
}

static void buf_free(struct drain_buf *b)
{
	free(b->keys);
	free(b->vals);
	b->keys = b->vals = NULL;
	b->cap = 0;
}

void drainer_free(struct drainer *d)
{
	buf_free(&d->kbuf);
	buf_free(&d->pbuf);
}

void interval_reset(struct sw_interval *iv)
{
	iv->nkeys = iv->npairs = 0;
	memset(iv->stats, 0, sizeof(iv->stats));
}

void interval_free(struct sw_interval *iv)
{
	free(iv->keys);
	free(iv->pairs);
	memset(iv, 0, sizeof(*iv));
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t ncap = *cap ? *cap : 1024;
	void *np;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	np = realloc(*p, ncap * size);
	if (!np)
		return -ENOMEM;
	*p = np;
	*cap = ncap;
	return 0;
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
	__u32 zero = 0, next = s->gen ^ 1;

	if (bpf_map_update_elem(s->active_fd, &zero, &next, BPF_ANY)) {
		snprintf(s->errmsg, sizeof(s->errmsg), "cannot flip tables: %s", strerror(errno));
		return -errno;
	}
	/*
	 * Rewriting a map-in-map slot, even with the table it already holds, returns only after an
	 * RCU grace period (the kernel's maybe_wait_bpf_programs): every program that read the
	 * old generation has finished. Replay runs the program in this thread, so it need not wait
	 * unless flip_waits says another thread runs packets.
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

int drain_read(struct drainer *d, struct sensor *s, struct sw_interval *iv)
{
	__u32 old = s->gen ^ 1;
	size_t n, stride = ROUND8(sizeof(struct sw_key_val));
	__u64 *percpu;
	int err;

	interval_reset(iv);
	err = batch_read(s->keys_fd[old], &d->kbuf);
	if (err)
		goto fail;
	n = d->kbuf.n;
	err = grow((void **)&iv->keys, &iv->keys_cap, n, sizeof(*iv->keys));
	if (err)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		struct sw_key_rec *r = &iv->keys[i];
		const char *v = (const char *)d->kbuf.vals + i * d->kbuf.val_size;

		memcpy(&r->key, (char *)d->kbuf.keys + i * sizeof(struct sw_key), sizeof(r->key));
		memset(&r->val, 0, sizeof(r->val));
		for (int cpu = 0; cpu < d->ncpus; cpu++) {
			const struct sw_key_val *c = (const void *)(v + cpu * stride);

			r->val.packets += c->packets;
			r->val.lost += c->lost;
			for (int f = 0; f < SW_NFPS; f++)
				r->val.fp[f] += c->fp[f];
		}
	}
	iv->nkeys = n;

	err = batch_read(s->pairs_fd[old], &d->pbuf);
	if (err)
		goto fail;
	n = d->pbuf.n;
	err = grow((void **)&iv->pairs, &iv->pairs_cap, n, sizeof(*iv->pairs));
	if (err)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		struct sw_pair_rec *r = &iv->pairs[i];

		memcpy(&r->pair, (char *)d->pbuf.keys + i * sizeof(struct sw_pair),
		       sizeof(r->pair));
		memcpy(&r->val, (char *)d->pbuf.vals + i * sizeof(struct sw_pair_val),
		       sizeof(r->val));
		r->val.first_ns += d->mono_to_wall_ns;
		r->val.last_ns += d->mono_to_wall_ns;
	}
	iv->npairs = n;

	percpu = calloc(d->ncpus, sizeof(*percpu));
	if (!percpu) {
		err = -ENOMEM;
		goto fail;
	}
	for (__u32 i = 0; i < SW_NSTATS; i++) {
		if (bpf_map_lookup_elem(s->stats_fd[old], &i, percpu)) {
			err = -errno;
			free(percpu);
			goto fail;
		}
		for (int cpu = 0; cpu < d->ncpus; cpu++)
			iv->stats[i] += percpu[cpu];
	}
	free(percpu);
	return 0;
fail:
	snprintf(s->errmsg, sizeof(s->errmsg), "cannot read interval tables: %s", strerror(-err));
	return err;
}

int drain_clear(struct drainer *d, struct sensor *s)
{
	__u32 old = s->gen ^ 1;
	__u64 *zero;
	int err;

	/* The buffers still hold the keys drain_read found; nothing has written since. */
	err = batch_delete(s->keys_fd[old], &d->kbuf, d->kbuf.n);
	if (!err)
		err = batch_delete(s->pairs_fd[old], &d->pbuf, d->pbuf.n);
	if (err)
		goto fail;
	zero = calloc(d->ncpus, sizeof(*zero));
	if (!zero) {
		err = -ENOMEM;
		goto fail;
	}
	for (__u32 i = 0; i < SW_NSTATS && !err; i++)
		if (bpf_map_update_elem(s->stats_fd[old], &i, zero, BPF_ANY))
			err = -errno;
	free(zero);
	if (!err)
		return 0;
fail:
	snprintf(s->errmsg, sizeof(s->errmsg), "cannot empty interval tables: %s", strerror(-err));
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

uint64_t interval_dropped(const struct sw_interval *iv)
{
	uint64_t n = iv->stats[SW_STAT_KEYS_LOST];

	for (size_t i = 0; i < iv->nkeys; i++)
		n += iv->keys[i].val.lost;
	return n;
}
