/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the BPF_PROG_TEST_RUN tests share: the real XDP program loaded as a replay sensor, the
 * drain code the daemon uses, and a root check that skips a whole binary the way tests/run.sh
 * understands (TAP "1..0 # SKIP"; under CI=true the runner counts that as a failure).
 * Include after <cmocka.h>.
 */
#ifndef SW_XDP_FIXTURE_H
#define SW_XDP_FIXTURE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "census.h"
#include "drain.h"
#include "keyfmt.h"
#include "sensor.h"

/* 2023-11-14T22:13:20Z: any fixed epoch will do, replay takes time from the caller. */
#define XDP_TS0_NS 1700000000000000000ull
#define XDP_PASS_VERDICT 2 /* XDP_PASS */
#define XDP_DROP_VERDICT 1 /* XDP_DROP */

struct xdp_fx {
	struct sensor s;
	struct drainer d;
	struct sw_interval iv;
	uint64_t ts_ns; /* replay clock of the next frame; advances 1 us per frame */
	bool open;
};

static inline void xdp_require_root(void)
{
	if (geteuid() != 0) {
		printf("1..0 # SKIP needs root: loads an XDP program and runs BPF_PROG_TEST_RUN\n");
		exit(0);
	}
}

/*
 * Tables far smaller than the daemon's defaults: every drain walks all buckets of a hash map,
 * and the tests drain thousands of times. Tests of sizes set their own.
 */
#define XDP_TEST_MAX_PAIRS 16384
#define XDP_TEST_MAX_KEYS 4096

static inline struct sensor_config xdp_cfg(void)
{
	struct sensor_config cfg = {
		.point = "test",
		.max_pairs = XDP_TEST_MAX_PAIRS,
		.max_keys = XDP_TEST_MAX_KEYS,
		.interval_s = 60,
	};
	return cfg;
}

/* Loads the program; a failure fails the calling test with the sensor's reason. */
static inline void xdp_fx_open(struct xdp_fx *f, const struct sensor_config *cfg)
{
	int err;

	memset(f, 0, sizeof(*f));
	err = sensor_open_replay(&f->s, cfg);
	if (err)
		fail_msg("sensor_open_replay: %s", f->s.errmsg);
	drainer_init(&f->d, f->s.ncpus, 1);
	f->ts_ns = XDP_TS0_NS;
	f->open = true;
}

static inline void xdp_fx_close(struct xdp_fx *f)
{
	if (!f->open)
		return;
	interval_free(&f->iv);
	drainer_free(&f->d);
	sensor_close(&f->s);
	f->open = false;
}

/* Returns the XDP verdict. */
static inline int xdp_run(struct xdp_fx *f, const void *frame, size_t len)
{
	int ret = sensor_run_packet(&f->s, frame, (uint32_t)len, f->ts_ns);

	if (ret < 0)
		fail_msg("%s", f->s.errmsg);
	f->ts_ns += 1000;
	return ret;
}

/* The census of every drain (census.h), failing the test that drained. */
static inline void xdp_check_census(const struct sw_interval *iv)
{
	char why[512];

	if (sw_census_fault(iv, why, sizeof(why)))
		fail_msg("%s", why);
}

/* Drains everything counted since the last drain into f->iv, and checks its census. */
static inline void xdp_drain(struct xdp_fx *f)
{
	if (drain_interval(&f->d, &f->s, &f->iv))
		fail_msg("drain: %s", f->s.errmsg);
	xdp_check_census(&f->iv);
}

static inline const struct sw_key_rec *xdp_find_key(const struct sw_interval *iv, uint8_t cls,
						    uint8_t kind, uint16_t num)
{
	for (size_t i = 0; i < iv->nkeys; i++) {
		const struct sw_key *k = &iv->keys[i].key;

		if (k->cls == cls && k->kind == kind && k->num == num)
			return &iv->keys[i];
	}
	return NULL;
}

/* "tcp/445 scan" */
static inline const char *xdp_key_name(const struct sw_key *key, char buf[32])
{
	char k[SW_KEY_STRLEN];

	sw_key_str(key, k);
	snprintf(buf, 32, "%s %s", k, key->kind < SW_NKINDS ? sw_kind_names[key->kind] : "?");
	return buf;
}

static inline void xdp_hex(FILE *out, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		fprintf(out, "%02x%s", p[i], (i % 32 == 31 || i + 1 == len) ? "\n" : " ");
}

#endif
