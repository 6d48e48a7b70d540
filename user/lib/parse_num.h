/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef SW_PARSE_NUM_H
#define SW_PARSE_NUM_H

#include <stdint.h>

/* Whole decimal number in [min, max], nothing else in the string. 0 or -EINVAL/-ERANGE. */
int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
int parse_uint(const char *s, unsigned int min, unsigned int max, unsigned int *out);

#endif
