// SPDX-License-Identifier: GPL-2.0-only
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "grow.h"
#include "victims.h"
#include "safe_file.h"

void victims_init(struct victim_set *s)
{
	memset(s, 0, sizeof(*s));
}

void victims_free(struct victim_set *s)
{
	free(s->v);
	free(s->index);
	victims_init(s);
}

static uint32_t hash_str(const char *p)
{
	uint32_t h = 2166136261u;

	for (; *p; p++) {
		h ^= (unsigned char)*p;
		h *= 16777619u;
	}
	return h;
}

static int grow_index(struct victim_set *s)
{
	size_t cap = s->index_cap ? s->index_cap * 2 : 1024;
	uint32_t *idx = calloc(cap, sizeof(*idx));

	if (!idx)
		return -ENOMEM;
	for (size_t i = 0; i < s->n; i++) {
		size_t h = hash_str(s->v[i].addr) & (cap - 1);

		while (idx[h])
			h = (h + 1) & (cap - 1);
		idx[h] = (uint32_t)i + 1;
	}
	free(s->index);
	s->index = idx;
	s->index_cap = cap;
	return 0;
}

static struct victim *find_or_add(struct victim_set *s, const char *addr)
{
	size_t h;

	if ((s->n + 1) * 2 > s->index_cap && grow_index(s))
		return NULL;
	h = hash_str(addr) & (s->index_cap - 1);
	while (s->index[h]) {
		struct victim *v = &s->v[s->index[h] - 1];

		if (!strcmp(v->addr, addr))
			return v;
		h = (h + 1) & (s->index_cap - 1);
	}
	if (SW_GROW(s->v, s->cap, s->n + 1, 256))
		return NULL;
	memset(&s->v[s->n], 0, sizeof(s->v[0]));
	snprintf(s->v[s->n].addr, sizeof(s->v[0].addr), "%s", addr);
	s->v[s->n].first_ns = UINT64_MAX;
	s->index[h] = (uint32_t)++s->n;
	return &s->v[s->n - 1];
}

static void add_key(struct victim *v, const char *key, uint64_t packets)
{
	unsigned int i;

	for (i = 0; i < v->nkeys; i++)
		if (!strcmp(v->keys[i].key, key))
			break;
	if (i == v->nkeys) {
		if (v->nkeys == VICTIM_KEYS) {
			v->more_keys++;
			return;
		}
		snprintf(v->keys[i].key, sizeof(v->keys[i].key), "%s", key);
		v->keys[i].packets = 0;
		v->nkeys++;
	}
	v->keys[i].packets += packets;
	/* Kept in order of packets: a few entries, insertion is enough. */
	while (i > 0 && v->keys[i].packets > v->keys[i - 1].packets) {
		struct victim_key t = v->keys[i];

		v->keys[i] = v->keys[i - 1];
		v->keys[i - 1] = t;
		i--;
	}
}

int victims_add(struct victim_set *s, const char *addr, const char *key, uint64_t packets,
		uint64_t first_ns, uint64_t last_ns)
{
	struct victim *v;

	if (strlen(addr) >= SW_ADDR_STRLEN || strlen(key) >= SW_KEY_STRLEN) {
		s->bad_lines++;
		return 0;
	}
	v = find_or_add(s, addr);
	if (!v)
		return -ENOMEM;
	v->packets += packets;
	if (first_ns < v->first_ns)
		v->first_ns = first_ns;
	if (last_ns > v->last_ns)
		v->last_ns = last_ns;
	add_key(v, key, packets);
	return 0;
}

int victims_load(struct victim_set *s, const char *data_dir, const char *point, int64_t from,
		 int64_t to, char *errmsg, size_t errlen)
{
	for (int64_t day = from; day <= to; day++) {
		char path[PATH_MAX], date[11], line[256];
		FILE *f;
		int err;

		sw_day_format(day, date);
		snprintf(path, sizeof(path), "%s/%s/victims/%s.txt", data_dir, point, date);
		/* Not through a link, and never waiting on a FIFO planted in the file's place. */
		f = sf_fopen_path(path, "r", 0, &err);
		if (!f) {
			if (err == -ENOENT)
				continue;
			snprintf(errmsg, errlen, "%s: %s", path, sf_strerror(err));
			return err;
		}
		s->files++;
		while (fgets(line, sizeof(line), f)) {
			char addr[64], key[32], end;
			uint64_t packets, first, last;

			if (line[0] == '#' || line[0] == '\n')
				continue;
			if (!strchr(line, '\n') ||
			    sscanf(line, "%63s %31s %" SCNu64 " %" SCNu64 " %" SCNu64 " %c", addr,
				   key, &packets, &first, &last, &end) != 5 ||
			    strlen(addr) >= SW_ADDR_STRLEN || strlen(key) >= SW_KEY_STRLEN) {
				s->bad_lines++;
				continue;
			}
			if (victims_add(s, addr, key, packets, first, last)) {
				fclose(f);
				snprintf(errmsg, errlen, "out of memory");
				return -ENOMEM;
			}
		}
		fclose(f);
	}
	return 0;
}

/* Addresses in numeric order, IPv4 before IPv6: 192.0.2.9 before 192.0.2.10. */
static void addr_bytes(const char *s, unsigned char out[17])
{
	memset(out, 0, 17);
	if (inet_pton(AF_INET, s, out + 1) == 1)
		return;
	out[0] = 1;
	inet_pton(AF_INET6, s, out + 1);
}

static int cmp_victims(const void *a, const void *b)
{
	const struct victim *x = a, *y = b;
	unsigned char bx[17], by[17];

	if (x->packets != y->packets)
		return x->packets > y->packets ? -1 : 1;
	addr_bytes(x->addr, bx);
	addr_bytes(y->addr, by);
	return memcmp(bx, by, sizeof(bx));
}

void victims_sort(struct victim_set *s)
{
	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), cmp_victims);
	/* The index no longer matches the order. */
	free(s->index);
	s->index = NULL;
	s->index_cap = 0;
}
