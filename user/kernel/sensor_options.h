/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The interval and sizing options `run` and `replay` share: how much one interval and one day may hold before
 * what does not fit is counted as lost (README.md, "How counting works").
 */
#ifndef SW_SENSOR_OPTIONS_H
#define SW_SENSOR_OPTIONS_H

#include "params.h"

/* interval and the sizes of the kernel's tables, over a struct sensor_config (params.h). */
extern const struct param sensor_params[];

#endif
