// SPDX-License-Identifier: GPL-2.0-only
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyfmt.h"
#include "numfmt.h"
#include "parse_num.h"

const char *const sw_kind_names[SW_NKINDS] = { "scan", "backscatter", "other" };
const char *const sw_fp_names[SW_NFPS] = { "mirai", "zmap", "masscan" };

static const char *const class_names[SW_NCLASSES] = {
	[SW_CLS_TCP] = "tcp",	[SW_CLS_UDP] = "udp",	  [SW_CLS_ECHO] = "icmp",
	[SW_CLS_ICMP] = "icmp", [SW_CLS_ICMP6] = "icmp6", [SW_CLS_PROTO] = "proto",
	[SW_CLS_FRAG] = "frag",
};

void sw_key_str(const struct sw_key *key, char buf[SW_KEY_STRLEN])
{
	char *p;

	switch (key->cls) {
	case SW_CLS_ECHO:
		snprintf(buf, SW_KEY_STRLEN, "icmp/echo");
		break;
	case SW_CLS_FRAG:
		snprintf(buf, SW_KEY_STRLEN, "frag");
		break;
	case SW_CLS_TCP:
	case SW_CLS_UDP:
	case SW_CLS_ICMP:
	case SW_CLS_ICMP6:
	case SW_CLS_PROTO:
		/* At most "proto/65535": SW_KEY_STRLEN has room. */
		p = stpcpy(buf, class_names[key->cls]);
		*p++ = '/';
		*sw_put_u64(p, key->num) = '\0';
		break;
	default:
		snprintf(buf, SW_KEY_STRLEN, "bad/%u", key->cls);
	}
}

int sw_kind_parse(const char *name)
{
	for (int i = 0; i < SW_NKINDS; i++)
		if (!strcmp(name, sw_kind_names[i]))
			return i;
	return -EINVAL;
}

int sw_key_parse(const char *str, const char *kind, struct sw_key *key)
{
	static const struct {
		const char *prefix;
		__u8 cls;
		unsigned int max;
	} forms[] = {
		{ "tcp/", SW_CLS_TCP, 65535 },	 { "udp/", SW_CLS_UDP, 65535 },
		{ "icmp/", SW_CLS_ICMP, 255 },	 { "icmp6/", SW_CLS_ICMP6, 255 },
		{ "proto/", SW_CLS_PROTO, 255 },
	};
	int k = sw_kind_parse(kind);
	unsigned int num;

	if (k < 0)
		return -EINVAL;
	memset(key, 0, sizeof(*key));
	key->kind = (__u8)k;
	if (!strcmp(str, "icmp/echo")) {
		key->cls = SW_CLS_ECHO;
		return 0;
	}
	if (!strcmp(str, "frag")) {
		key->cls = SW_CLS_FRAG;
		return 0;
	}
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		size_t n = strlen(forms[i].prefix);

		if (strncmp(str, forms[i].prefix, n))
			continue;
		if (parse_uint(str + n, 0, forms[i].max, &num))
			return -EINVAL;
		key->cls = forms[i].cls;
		key->num = (__u16)num;
		return 0;
	}
	return -EINVAL;
}

void sw_addr_str(const __u8 addr[16], char buf[SW_ADDR_STRLEN])
{
	char *p = buf;

	if (!sw_addr_is_v4(addr)) {
		inet_ntop(AF_INET6, addr, buf, SW_ADDR_STRLEN);
		return;
	}
	/* inet_ntop formats a dotted quad through sprintf. */
	for (int i = 12; i < 16; i++) {
		p = sw_put_u64(p, addr[i]);
		*p++ = i < 15 ? '.' : '\0';
	}
}

int sw_prefix_parse(const char *str, struct sw_prefix *pfx)
{
	char addr[SW_ADDR_STRLEN];
	const char *slash = strchr(str, '/');
	size_t alen = slash ? (size_t)(slash - str) : strlen(str);
	unsigned int len;
	int v6 = strchr(str, ':') != NULL;

	if (alen == 0 || alen >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, str, alen);
	addr[alen] = '\0';
	memset(pfx, 0, sizeof(*pfx));
	if (v6) {
		if (inet_pton(AF_INET6, addr, pfx->addr) != 1)
			return -EINVAL;
		len = 128;
	} else {
		if (inet_pton(AF_INET, addr, pfx->addr + 12) != 1)
			return -EINVAL;
		pfx->addr[10] = pfx->addr[11] = 0xff;
		len = 32;
	}
	if (slash && parse_uint(slash + 1, 0, len, &len))
		return -EINVAL;
	pfx->prefixlen = v6 ? len : len + 96;
	return 0;
}

/* Whether every address of a lies in b: b is no longer, and they agree on b's bits. */
static bool prefix_within(const struct sw_prefix *a, const struct sw_prefix *b)
{
	unsigned int full = b->prefixlen / 8, rest = b->prefixlen % 8;

	if (a->prefixlen < b->prefixlen)
		return false;
	if (memcmp(a->addr, b->addr, full))
		return false;
	return !rest || !((a->addr[full] ^ b->addr[full]) & (0xff00 >> rest));
}

sw_u128 sw_prefix_addresses(const struct sw_prefix *v, size_t n)
{
	sw_u128 sum = 0;

	/*
	 * Two prefixes are either disjoint or one holds the other: the union is the sum of those
	 * no other prefix holds (of equal ones, the first). At most SW_MAX_WATCH prefixes, once,
	 * at the start: the square of them is nothing.
	 */
	for (size_t i = 0; i < n; i++) {
		bool held = false;

		for (size_t j = 0; j < n && !held; j++)
			held = j != i && prefix_within(&v[i], &v[j]) &&
			       (v[j].prefixlen < v[i].prefixlen || j < i);
		if (held)
			continue;
		if (v[i].prefixlen == 0)
			return SW_U128_MAX;
		sum = sw_u128_add_sat(sum, (sw_u128)1 << (128 - v[i].prefixlen));
	}
	return sum;
}

int sw_key_cmp(const struct sw_key *a, const struct sw_key *b)
{
	if (a->cls != b->cls)
		return a->cls < b->cls ? -1 : 1;
	if (a->num != b->num)
		return a->num < b->num ? -1 : 1;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	return 0;
}
