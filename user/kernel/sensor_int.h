/* SPDX-License-Identifier: GPL-2.0-only */
/* What the sensor_*.c files share among themselves: pin names, tc numbers and the steps. */
#ifndef SW_SENSOR_INT_H
#define SW_SENSOR_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/bpf.h>
#include <bpf/libbpf.h>

#include "sensor.h"

extern const char *const sensor_pinned_maps[];
#define NPINNED 10 /* sensor_pinned_maps[] */
/* Host mode's, besides: the flow table, the services, and the egress hook. */
#define PIN_FLOWS "flows"
#define PIN_PROG "prog" /* SW_META_MULTIPROG: libxdp holds the attachment, we the program */
#define PIN_SERVICES "services"
/* Apart from pinned_maps: a point pinned before the research list existed resumes without it. */
#define PIN_RESEARCH "research"
#define PIN_EGRESS_LINK "egress_link" /* SW_EGRESS_TCX */
#define PIN_EGRESS_PROG "egress_prog" /* SW_EGRESS_TC: the filter holds the program, not a link */

/* Linux 6.6's numbers, which libbpf 1.1's headers predate; a kernel without tcx refuses them. */
#define SW_BPF_TCX_EGRESS 47
#define SW_BPF_LINK_TYPE_TCX 11
/* Our tc filter: a fixed handle and priority, so detach and resume find it; last in the chain. */
#define SW_TC_HANDLE 0x5357
#define SW_TC_PRIO 0xfff0u

int sensor_fail(struct sensor *s, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int sensor_attach(struct sensor *s, int prog_fd, int ifindex, const char *ifname,
		  enum sw_mode_req req, __u32 *mode);
int sensor_attach_egress(struct sensor *s, int ifindex, const char *ifname, enum sw_egress_req req);
int sensor_attach_tc(struct sensor *s, int prog_fd, int ifindex, const char *ifname);
int sensor_ensure_bpffs(struct sensor *s, const char *root);
void sensor_fill_meta(struct sensor *s, const struct sensor_config *cfg, int ifindex, __u32 mode);
void sensor_finish_relink(struct sensor *s);
int sensor_hold_programs(struct sensor *s);
int sensor_link_state(struct sensor *s, int link_fd, __u32 *prog_id, bool *attached);
int sensor_lock_point(struct sensor *s);
__u32 sensor_meta_flags(const struct sensor_config *cfg);
int sensor_netns_id(__u64 *dev, __u64 *ino);
int sensor_open_skel(struct sensor *s, const struct sensor_config *cfg, bool replay, bool load);
int sensor_pin_all(struct sensor *s);
int sensor_pin_link(struct sensor *s, int link_fd, const char *name);
int sensor_pin_path(char *buf, size_t len, const char *dir, const char *name);
int sensor_read_active(struct sensor *s);
int sensor_resume(struct sensor *s, const struct sensor_config *cfg, int ifindex);
bool sensor_same_netns(const struct sw_meta *m);
void sensor_init(struct sensor *s, const struct sensor_config *cfg);
int sensor_set_research(struct sensor *s, const struct sensor_config *cfg);
/*
 * Makes a set (a map of key -> 1) hold exactly the n keys of key_size bytes at keys: every key
 * in it goes, then theirs are added. 0, or -errno with *bad the index of the key that could not
 * be added (n: one that could not go).
 */
int sensor_set_replace(int fd, const void *keys, size_t n, size_t key_size, size_t *bad);
int sensor_set_services(struct sensor *s, const struct sensor_config *cfg);
int sensor_skel_ready(struct sensor *s, const struct sensor_config *cfg);
void sensor_tc_hook_init(struct bpf_tc_hook *hook, int ifindex, enum bpf_tc_attach_point where);
void sensor_tc_opts_init(struct bpf_tc_opts *o, int prog_fd);
void sensor_tc_remove(int ifindex, bool own_qdisc);
void sensor_unpin_all(const char *dir);
unsigned int sensor_flow_table_size(const struct sensor_config *cfg);
unsigned int sensor_flow_expiry_s(const struct sensor_config *cfg);
unsigned int sensor_log_records(const struct sensor_config *cfg);

#endif
