// SPDX-License-Identifier: GPL-2.0-only
/*
 * Surges: a key's accesses in a month or week against the one before (alerts.h).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "alerts.h"
#include "daysrc.h"
#include "internal.h"
#include "summary.h"

void alert_fill_key(struct alert *a, const char *point, const struct sw_key *k)
{
	snprintf(a->point, sizeof(a->point), "%s", point ? point : "");
	sw_key_str(k, a->key);
	a->key_kind = k->kind;
	a->change_pct = NAN;
	a->score = NAN;
	a->value_sources = NAN;
	a->baseline_sources = NAN;
}

int alerts_surges(const struct daysrc *src, const char *point, enum alert_kind kind, int64_t from,
		  int64_t to, int64_t base_from, int64_t base_to, const struct alert_config *cfg,
		  struct alert_list *out, char *errmsg, size_t errlen)
{
	struct tally cur, base;
	unsigned int nd, nb;
	int err;

	tally_init(&cur);
	tally_init(&base);
	err = summary_load(src, point, from, to, &cur, &nd, errmsg, errlen);
	if (!err)
		err = summary_load(src, point, base_from, base_to, &base, &nb, errmsg, errlen);
	for (size_t i = 0; !err && nd && nb && i < cur.nkeys; i++) {
		const struct tally_key *k = &cur.keys[i];
		const struct tally_key *b = tally_find(&base, &k->key);
		uint64_t ba = b ? b->accesses : 0;
		struct alert a = { .kind = kind };

		if (k->accesses < cfg->surge_min)
			continue;
		/* a/nd >= (1 + pct/100) * ba/nb, in products of whole numbers: exact at the line. */
		if (ba &&
		    (double)k->accesses * nb * 100.0 < (double)ba * nd * (100.0 + cfg->surge_pct))
			continue;
		alert_fill_key(&a, point, &k->key);
		a.value = (double)k->accesses / nd;
		a.baseline = (double)ba / nb;
		if (ba)
			a.change_pct = (a.value - a.baseline) / a.baseline * 100.0;
		sw_day_format(from, a.from);
		sw_day_format(to, a.to);
		sw_day_format(base_from, a.base_from);
		sw_day_format(base_to, a.base_to);
		a.at = (to + 1) * SW_DAY_S;
		err = alert_list_add(out, &a);
	}
	tally_free(&cur);
	tally_free(&base);
	return err;
}
