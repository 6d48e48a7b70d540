/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The research list (--research FILE, README.md "Research scanners"): the prefixes of projects
 * that scan the whole Internet to publish what they find. Their accesses are counted as a group
 * of their own, kept out of the scan totals. One prefix a line, IPv4 or IPv6 ("192.0.2.0/24",
 * "2001:db8::/32", or an address alone for one host); '#' starts a comment, to the end of the
 * line; blank lines are skipped.
 */
#ifndef SW_RESEARCH_H
#define SW_RESEARCH_H

#include <stddef.h>

#include "cli.h"

/*
 * Reads FILE into out (emptied first). 0, or SW_EXIT_USAGE with errmsg set to one line:
 * "FILE:LINE: why" for a line that is not a prefix, "cannot read FILE: why" for a file that
 * cannot be read.
 */
int research_load(const char *path, struct prefix_list *out, char *errmsg, size_t len);

/*
 * --research FILE of command cmd: research_load(), and its error as the command's one line on
 * stderr ("scanwatch run: FILE:LINE: why"). 0 or SW_EXIT_USAGE.
 */
int research_option(const char *cmd, const char *path, struct prefix_list *out);

#endif
