/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The drain's census checked against the interval it made (interval.h, struct sw_census), for the
 * cmocka tests (xdp_fixture.h) and the libFuzzer targets (fuzz/fuzz_replay.h) alike.
 */
#ifndef SW_TESTS_CENSUS_H
#define SW_TESTS_CENSUS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "drain.h"

static inline bool census_fault(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static inline bool census_fault(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return true;
}

/*
 * The drain's census against the interval it made (interval.h, struct sw_census): every frame the
 * program ran on is one of not IP, runt, unwatched, solicited, in a log record, in a cache slot,
 * in the overflow table or, no room for its key there, in the kernel's keys_lost; and every
 * access the drain found is in exactly one key, or moved to keys_lost by --max-keys; and every
 * access of the records and slots in exactly one pair, or counted lost by --max-pairs. Checked on
 * every drain of every test.
 */
static inline bool sw_census_fault(const struct sw_interval *iv, char *why, size_t len)
{
	const struct sw_census *c = &iv->census;
	const uint64_t *st = iv->stats;
	uint64_t keyed = 0, lost = 0, paired = 0, found = c->log_packets + c->cache_packets;

	for (size_t i = 0; i < iv->nkeys; i++) {
		keyed += iv->keys[i].val.packets;
		lost += iv->keys[i].val.lost;
	}
	for (size_t i = 0; i < iv->npairs; i++)
		paired += iv->pairs[i].val.packets;
	if (st[SW_STAT_PACKETS] != st[SW_STAT_NOT_IP] + st[SW_STAT_RUNT] + st[SW_STAT_UNWATCHED] +
					   st[SW_STAT_SOLICITED_FLOW] +
					   st[SW_STAT_SOLICITED_SOCKET] + found +
					   c->overflow_packets + c->kernel_keys_lost)
		return census_fault(
			why, len,
			"census: %llu frames, but %llu not IP + %llu runts + %llu unwatched + "
			"%llu + %llu solicited + %llu in %llu records + %llu in %llu slots + %llu "
			"overflow + %llu keys lost",
			(unsigned long long)st[SW_STAT_PACKETS],
			(unsigned long long)st[SW_STAT_NOT_IP],
			(unsigned long long)st[SW_STAT_RUNT],
			(unsigned long long)st[SW_STAT_UNWATCHED],
			(unsigned long long)st[SW_STAT_SOLICITED_FLOW],
			(unsigned long long)st[SW_STAT_SOLICITED_SOCKET],
			(unsigned long long)c->log_packets, (unsigned long long)c->log_records,
			(unsigned long long)c->cache_packets, (unsigned long long)c->cache_slots,
			(unsigned long long)c->overflow_packets,
			(unsigned long long)c->kernel_keys_lost);
	if (keyed + c->keys_over_packets != found + c->overflow_packets)
		return census_fault(
			why, len,
			"census: %llu packets in keys + %llu past --max-keys, but %llu found",
			(unsigned long long)keyed, (unsigned long long)c->keys_over_packets,
			(unsigned long long)(found + c->overflow_packets));
	if (paired + st[SW_STAT_PAIRS_OVER] + c->keys_over_packets - c->keys_over_overflow != found)
		return census_fault(
			why, len,
			"census: %llu packets in pairs + %llu past --max-pairs + %llu of keys past "
			"--max-keys, but %llu in records and slots",
			(unsigned long long)paired, (unsigned long long)st[SW_STAT_PAIRS_OVER],
			(unsigned long long)(c->keys_over_packets - c->keys_over_overflow),
			(unsigned long long)found);
	if (c->overflow_packets != st[SW_STAT_LOG_FULL] ||
	    lost != st[SW_STAT_LOG_FULL] - c->keys_over_overflow + st[SW_STAT_PAIRS_OVER] ||
	    st[SW_STAT_KEYS_LOST] != c->kernel_keys_lost + c->keys_over_packets)
		return census_fault(
			why, len,
			"census: lost %llu, log full %llu (overflow %llu, %llu of it past --max-keys), "
			"pairs over %llu; keys lost %llu = %llu in the kernel + %llu past --max-keys?",
			(unsigned long long)lost, (unsigned long long)st[SW_STAT_LOG_FULL],
			(unsigned long long)c->overflow_packets,
			(unsigned long long)c->keys_over_overflow,
			(unsigned long long)st[SW_STAT_PAIRS_OVER],
			(unsigned long long)st[SW_STAT_KEYS_LOST],
			(unsigned long long)c->kernel_keys_lost,
			(unsigned long long)c->keys_over_packets);
	return false;
}

#endif
