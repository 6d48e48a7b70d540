// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "pairtab.h"

int pairtab_reset(struct pairtab *t, size_t n)
{
	size_t want = 64;

	/* At most two thirds full: linear probes stay short, and a million pairs take 16 MB. */
	while (want < n + n / 2)
		want *= 2;
	if (want > t->cap) {
		size_t bytes = want * sizeof(uint64_t);
		void *ns = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				-1, 0);

		if (ns == MAP_FAILED)
			return -ENOMEM;
		/* Probes land anywhere: huge pages spare a TLB miss and a page fault on each. */
		madvise(ns, bytes, MADV_HUGEPAGE);
		pairtab_free(t);
		t->slots = ns;
		t->cap = want;
		t->epoch = 0; /* the new mapping is zeroed */
		t->used = 0;
	}
	/* Slots past the last clear's reach may hold an epoch of before it. */
	if (++t->epoch > 255 || want > t->used) {
		if (t->used)
			memset(t->slots, 0, (want > t->used ? want : t->used) * sizeof(*t->slots));
		t->epoch = 1;
		t->used = want;
	}
	t->mask = want - 1;
	return 0;
}

void pairtab_free(struct pairtab *t)
{
	if (t->slots)
		munmap(t->slots, t->cap * sizeof(*t->slots));
	memset(t, 0, sizeof(*t));
}
