// SPDX-License-Identifier: GPL-2.0-only
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "keyfmt.h"
#include "log.h"
#include "research.h"

#define RESEARCH_MAX_LINE 1024 /* characters, the newline included; said in the message */

/* Whether the prefix has no bit set past its length: a typo or a host's address, otherwise. */
static bool bits_clean(const struct sw_prefix *p)
{
	for (unsigned int bit = p->prefixlen; bit < 128; bit++)
		if (p->addr[bit / 8] & (0x80 >> (bit % 8)))
			return false;
	return true;
}

/* The prefix as it should have been written: its address with the bits past it cleared. */
static void clean_str(const struct sw_prefix *p, char *buf, size_t len)
{
	struct sw_prefix c = *p;
	char addr[SW_ADDR_STRLEN];

	for (unsigned int bit = c.prefixlen; bit < 128; bit++)
		c.addr[bit / 8] &= (__u8) ~(0x80 >> (bit % 8));
	sw_addr_str(c.addr, addr);
	snprintf(buf, len, "%s/%u", addr, sw_addr_is_v4(c.addr) ? c.prefixlen - 96 : c.prefixlen);
}

static int add(struct prefix_list *l, const struct sw_prefix *p)
{
	if (SW_GROW(l->v, l->cap, l->n + 1, 64))
		return -ENOMEM;
	l->v[l->n++] = *p;
	return 0;
}

/* One line, its comment cut off: "" when nothing is left, else why it is not a prefix. */
static const char *read_line(struct prefix_list *out, char *text, char *why, size_t len)
{
	char *hash = strchr(text, '#'), *end, *word;
	struct sw_prefix p;
	char good[SW_ADDR_STRLEN + 8];

	if (hash)
		*hash = '\0';
	while (isspace((unsigned char)*text))
		text++;
	end = text + strlen(text);
	while (end > text && isspace((unsigned char)end[-1]))
		*--end = '\0';
	if (!*text)
		return "";
	for (word = text; *word; word++)
		if (isspace((unsigned char)*word)) {
			snprintf(why, len, "one prefix a line, not '%s'", text);
			return why;
		}
	if (sw_prefix_parse(text, &p)) {
		snprintf(why, len,
			 "'%.64s' is not an IPv4 or IPv6 prefix (192.0.2.0/24, 2001:db8::/32)",
			 text);
		return why;
	}
	/* An address alone is the one host; a prefix with host bits set is refused, not guessed. */
	if (!bits_clean(&p)) {
		clean_str(&p, good, sizeof(good));
		snprintf(why, len, "'%.64s' has bits set past its length: the prefix is %s", text,
			 good);
		return why;
	}
	if (out->n == SW_MAX_RESEARCH) {
		snprintf(why, len, "more than %d prefixes", SW_MAX_RESEARCH);
		return why;
	}
	if (add(out, &p)) {
		snprintf(why, len, "out of memory");
		return why;
	}
	return "";
}

int research_load(const char *path, struct prefix_list *out, char *errmsg, size_t len)
{
	char why[160], *buf = NULL;
	const char *bad = NULL;
	unsigned int line = 0;
	size_t cap = 0;
	ssize_t n;
	FILE *f;

	prefix_list_free(out);
	f = fopen(path, "re");
	if (!f) {
		snprintf(errmsg, len, "cannot read the research list %s: %s", path,
			 strerror(errno));
		return SW_EXIT_USAGE;
	}
	errno = 0;
	while (!bad && (n = getline(&buf, &cap, f)) >= 0) {
		line++;
		if (n > RESEARCH_MAX_LINE)
			bad = "longer than 1024 characters";
		else if (memchr(buf, '\0', (size_t)n))
			bad = "a NUL byte: not a text file";
		else if (*(bad = read_line(out, buf, why, sizeof(why))) == '\0')
			bad = NULL;
	}
	if (bad)
		snprintf(errmsg, len, "%s:%u: %s", path, line, bad);
	else if (ferror(f))
		snprintf(errmsg, len, "cannot read the research list %s: %s", path,
			 strerror(errno ? errno : EIO));
	free(buf);
	if (bad || ferror(f)) {
		fclose(f);
		prefix_list_free(out);
		return SW_EXIT_USAGE;
	}
	fclose(f);
	return 0;
}

int research_option(const char *cmd, const char *path, struct prefix_list *out)
{
	char errmsg[PATH_MAX + 256];
	int err = research_load(path, out, errmsg, sizeof(errmsg));

	if (err)
		fprintf(stderr, "%sscanwatch %s: %s\n", sw_log_priority(SW_LOG_ERR), cmd, errmsg);
	return err;
}
