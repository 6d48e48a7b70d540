/* SPDX-License-Identifier: GPL-2.0-only */
/* What the commands' --json output shares. */
#ifndef SW_JSON_H
#define SW_JSON_H

#include <stdio.h>

/* s as a JSON string, quotes included; NULL as null. */
void json_str(FILE *f, const char *s);

#endif
