/* SPDX-License-Identifier: GPL-2.0-only */
/* Growable arrays: one doubling rule and one overflow check for every list that is appended to. */
#ifndef SW_GROW_H
#define SW_GROW_H

#include <stddef.h>

/*
 * The array *pp points to (pp is the address of an object pointer of any type) reallocated to n
 * elements of elem bytes. 0, -EINVAL for no elements or elements of no size, or -ENOMEM when the
 * bytes would pass SIZE_MAX or realloc fails; the array is then as it was, still the caller's.
 */
int sw_resize(void *pp, size_t n, size_t elem);

/*
 * Room for need elements in an array that holds *cap now: the capacity doubles from *cap, or
 * starts at first, until need fits, so appending one at a time costs amortised O(1). Nothing moves
 * when need already fits; errors as sw_resize's, with *cap unchanged.
 */
int sw_grow(void *pp, size_t *cap, size_t need, size_t elem, size_t first);

/* The same for an array p with a size_t capacity cap, the element size taken from p itself. */
#define SW_RESIZE(p, n) sw_resize(&(p), (n), sizeof(*(p)))
#define SW_GROW(p, cap, need, first) sw_grow(&(p), &(cap), (need), sizeof(*(p)), (first))

#endif
