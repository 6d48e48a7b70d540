// SPDX-License-Identifier: GPL-2.0-only
/*
 * The names and numbers the store writes a line per pair with (user/lib/keyfmt.c, numfmt.c),
 * formatted by hand for speed, against libc's own formatting of the same values: every IPv4
 * octet in every place, IPv6 addresses, every key of every class, and 64-bit numbers from 0 to
 * UINT64_MAX.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "keyfmt.h"
#include "numfmt.h"

static void v4_addr(__u8 a[16], uint32_t host_order)
{
	uint32_t be = htonl(host_order);

	memset(a, 0, 10);
	a[10] = a[11] = 0xff;
	memcpy(a + 12, &be, 4);
}

static void test_v4_like_inet_ntop(void **state)
{
	char got[SW_ADDR_STRLEN], want[INET_ADDRSTRLEN];
	__u8 a[16];

	(void)state;
	/* Each octet takes every value in each of the four places, the others varying too. */
	for (uint32_t pos = 0; pos < 4; pos++)
		for (uint32_t v = 0; v < 256; v++) {
			uint32_t addr = (v << (8 * pos)) | ((v * 37u + pos) & 0xff)
								   << (8 * ((pos + 1) % 4));

			v4_addr(a, addr);
			sw_addr_str(a, got);
			inet_ntop(AF_INET, a + 12, want, sizeof(want));
			assert_string_equal(got, want);
		}
	v4_addr(a, 0xffffffffu);
	sw_addr_str(a, got);
	assert_string_equal(got, "255.255.255.255");
}

static void test_v6_like_inet_ntop(void **state)
{
	static const char *const addrs[] = { "2001:db8::1",
					     "::",
					     "::1",
					     "fe80::1:2:3:4",
					     "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
					     "::fffe:0:1" };
	char got[SW_ADDR_STRLEN], want[SW_ADDR_STRLEN];
	__u8 a[16];

	(void)state;
	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		assert_int_equal(inet_pton(AF_INET6, addrs[i], a), 1);
		sw_addr_str(a, got);
		inet_ntop(AF_INET6, a, want, sizeof(want));
		assert_string_equal(got, want);
	}
}

static void test_keys_like_snprintf(void **state)
{
	static const struct {
		__u8 cls;
		const char *name;
	} classes[] = { { SW_CLS_TCP, "tcp" },
			{ SW_CLS_UDP, "udp" },
			{ SW_CLS_ICMP, "icmp" },
			{ SW_CLS_ICMP6, "icmp6" },
			{ SW_CLS_PROTO, "proto" } };
	char got[SW_KEY_STRLEN], want[SW_KEY_STRLEN];

	(void)state;
	for (size_t c = 0; c < sizeof(classes) / sizeof(classes[0]); c++)
		for (uint32_t num = 0; num <= 65535; num++) {
			struct sw_key k = { .cls = classes[c].cls, .num = (__u16)num };

			sw_key_str(&k, got);
			snprintf(want, sizeof(want), "%s/%u", classes[c].name, num);
			assert_string_equal(got, want);
		}
}

static void test_u64_like_printf(void **state)
{
	char got[24], want[24];

	(void)state;
	for (uint64_t v = 1, i = 0; i < 64; i++, v <<= 1) {
		uint64_t vals[] = { v - 1, v, v + 1, v * 10 - 1, UINT64_MAX - v };

		for (size_t j = 0; j < sizeof(vals) / sizeof(vals[0]); j++) {
			*sw_put_u64(got, vals[j]) = '\0';
			snprintf(want, sizeof(want), "%" PRIu64, vals[j]);
			assert_string_equal(got, want);
		}
	}
	*sw_put_u64(got, UINT64_MAX) = '\0';
	assert_string_equal(got, "18446744073709551615");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v4_like_inet_ntop),
		cmocka_unit_test(test_v6_like_inet_ntop),
		cmocka_unit_test(test_keys_like_snprintf),
		cmocka_unit_test(test_u64_like_printf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
