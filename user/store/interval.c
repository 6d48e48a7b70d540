// SPDX-License-Identifier: GPL-2.0-only
/* The interval type's life: emptied for the next drain, freed, and what it could not store. */
#include <stdlib.h>
#include <string.h>

#include "interval.h"

void interval_reset(struct sw_interval *iv)
{
	iv->nkeys = iv->npairs = 0;
	memset(iv->stats, 0, sizeof(iv->stats));
	memset(&iv->census, 0, sizeof(iv->census));
	iv->peak = iv->peak_s = iv->peak_overwritten = 0;
}

void interval_free(struct sw_interval *iv)
{
	free(iv->keys);
	free(iv->pairs);
	memset(iv, 0, sizeof(*iv));
}

uint64_t interval_dropped(const struct sw_interval *iv)
{
	uint64_t n = iv->stats[SW_STAT_KEYS_LOST];

	for (size_t i = 0; i < iv->nkeys; i++)
		n += iv->keys[i].val.lost;
	return n;
}
