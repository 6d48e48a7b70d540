// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host mode on the real programs through BPF_PROG_TEST_RUN: outbound frames through the egress
 * program record flows, inbound frames through the XDP program are solicited or counted, with
 * the replay clock deciding expiry. The process runs in a network namespace of its own, so the
 * XDP program's socket lookups (which search the namespace of the device it runs on, here that
 * namespace's loopback) find exactly the sockets a test opens. Every count follows from the
 * frames a test sends.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <bpf/bpf.h>

#include "flows.h"
#include "pktcraft.h"
#include "xdp_fixture.h"

#define HOST4 "192.0.2.1"
#define HOST6 "2001:db8::1"
#define PEER4 "198.51.100.7"
#define PEER6 "2001:db8:5::7"
#define EXPIRY_S 30
#define SEC_NS 1000000000ull

struct hfx {
	struct xdp_fx fx;
	uint8_t frame[PKT_MAX];
};

static struct sensor_config host_cfg(void)
{
	struct sensor_config cfg = xdp_cfg();

	cfg.host_mode = true;
	cfg.flow_table_size = 1024;
	cfg.flow_expiry_s = EXPIRY_S;
	return cfg;
}

static int setup(void **state)
{
	struct hfx *h = calloc(1, sizeof(*h));
	struct sensor_config cfg = host_cfg();

	if (!h)
		return -1;
	xdp_fx_open(&h->fx, &cfg);
	*state = h;
	return 0;
}

static int teardown(void **state)
{
	struct hfx *h = *state;

	xdp_fx_close(&h->fx);
	free(h);
	return 0;
}

/* A frame between the host and a peer; out = from the host. */
static struct pkt_spec spec(bool v6, bool out, uint8_t proto, uint16_t host_port,
			    uint16_t peer_port)
{
	struct pkt_spec sp = { .v6 = v6, .proto = proto, .ttl = 64 };
	bool is6;

	pkt_addr(v6 ? HOST6 : HOST4, out ? sp.src : sp.dst, &is6);
	pkt_addr(v6 ? PEER6 : PEER4, out ? sp.dst : sp.src, &is6);
	sp.sport = out ? host_port : peer_port;
	sp.dport = out ? peer_port : host_port;
	return sp;
}

static void egress(struct hfx *h, const struct pkt_spec *sp)
{
	size_t len = pkt_build(sp, h->frame);
	int verdict = 0;

	if (sensor_run_egress(&h->fx.s, h->frame, (uint32_t)len, h->fx.ts_ns, &verdict))
		fail_msg("%s", h->fx.s.errmsg);
	/* TC_ACT_UNSPEC: the packet goes on untouched, whatever the program learned. */
	assert_int_equal(verdict, -1);
	h->fx.ts_ns += 1000;
}

static void inbound(struct hfx *h, const struct pkt_spec *sp)
{
	size_t len = pkt_build(sp, h->frame);

	assert_int_equal(xdp_run(&h->fx, h->frame, len), XDP_PASS_VERDICT);
}

static uint64_t key_packets(const struct sw_interval *iv, uint8_t cls, uint8_t kind, uint16_t num)
{
	const struct sw_key_rec *r = xdp_find_key(iv, cls, kind, num);

	return r ? r->val.packets : 0;
}

static uint64_t counted(const struct sw_interval *iv)
{
	uint64_t n = 0;

	for (size_t i = 0; i < iv->nkeys; i++)
		n += iv->keys[i].val.packets;
	return n;
}

/* After a drain: the packets, how many were solicited by a flow and by a socket, flows recorded. */
static void check_host(const struct sw_interval *iv, uint64_t packets, uint64_t by_flow,
		       uint64_t by_socket, uint64_t flows_new)
{
	assert_int_equal(iv->stats[SW_STAT_PACKETS], packets);
	assert_int_equal(iv->stats[SW_STAT_SOLICITED_FLOW], by_flow);
	assert_int_equal(iv->stats[SW_STAT_SOLICITED_SOCKET], by_socket);
	assert_int_equal(iv->stats[SW_STAT_FLOWS_NEW], flows_new);
	assert_int_equal(iv->stats[SW_STAT_FLOWS_LOST], 0);
	/* Every frame is either solicited or counted under a key: nothing vanishes. */
	assert_int_equal(counted(iv), packets - by_flow - by_socket);
}

/* Sensor mode loads no egress program and counts a reply like any backscatter. */
static void test_sensor_mode_counts_replies(void **state)
{
	struct sensor_config cfg = xdp_cfg();
	struct xdp_fx fx;
	uint8_t frame[PKT_MAX];
	struct pkt_spec sp = spec(false, false, IPPROTO_TCP, 40000, 80);
	size_t len;
	int verdict;

	(void)state;
	sp.tcp_flags = PKT_SYN | PKT_ACK;
	len = pkt_build(&sp, frame);
	xdp_fx_open(&fx, &cfg);
	assert_int_equal(fx.s.egress_prog_fd, -1);
	assert_int_equal(fx.s.flows_fd, -1);
	assert_int_equal(sensor_run_egress(&fx.s, frame, (uint32_t)len, fx.ts_ns, &verdict),
			 -EINVAL);
	xdp_run(&fx, frame, len);
	xdp_drain(&fx);
	assert_int_equal(key_packets(&fx.iv, SW_CLS_TCP, SW_KIND_BACKSCATTER, 80), 1);
	assert_int_equal(fx.iv.stats[SW_STAT_SOLICITED_FLOW], 0);
	xdp_fx_close(&fx);
}

/*
 * The host connects (SYN out); the SYN-ACK, ACKs and the final RST of that connection come back
 * solicited, in IPv4 and IPv6; a SYN-ACK from another port of the peer is counted, and so is a
 * SYN without ACK on the flow's own ports: never an answer, it skips the flow table.
 */
static void test_tcp_flow(void **state)
{
	struct hfx *h = *state;

	for (int v6 = 0; v6 < 2; v6++) {
		struct pkt_spec out = spec(v6, true, IPPROTO_TCP, 40000 + v6, 443);
		struct pkt_spec in = spec(v6, false, IPPROTO_TCP, 40000 + v6, 443);
		struct pkt_spec other = spec(v6, false, IPPROTO_TCP, 40000 + v6, 444);

		out.tcp_flags = PKT_SYN;
		egress(h, &out);
		out.tcp_flags = PKT_ACK;
		egress(h, &out); /* refreshes, creates nothing */
		in.tcp_flags = PKT_SYN | PKT_ACK;
		inbound(h, &in);
		in.tcp_flags = PKT_ACK;
		inbound(h, &in);
		in.tcp_flags = PKT_ACK | PKT_PSH;
		inbound(h, &in);
		in.tcp_flags = PKT_RST;
		inbound(h, &in);
		other.tcp_flags = PKT_SYN | PKT_ACK;
		inbound(h, &other);
		in.tcp_flags = PKT_SYN;
		inbound(h, &in);
	}
	xdp_drain(&h->fx);
	/* 2 x (4 replies solicited + a SYN-ACK from port 444 and a SYN counted); 2 flows. */
	check_host(&h->fx.iv, 12, 8, 0, 2);
	assert_int_equal(key_packets(&h->fx.iv, SW_CLS_TCP, SW_KIND_BACKSCATTER, 444), 2);
	assert_int_equal(key_packets(&h->fx.iv, SW_CLS_TCP, SW_KIND_SCAN, 40000), 1);
	assert_int_equal(key_packets(&h->fx.iv, SW_CLS_TCP, SW_KIND_SCAN, 40001), 1);
}

/*
 * Answers never start a flow: the host's SYN-ACK, RST and ACK (a port scan of the host draws
 * them) leave no hole for the scanner's next packets, which are counted.
 */
static void test_answers_start_nothing(void **state)
{
	struct hfx *h = *state;
	const uint8_t answers[] = { PKT_SYN | PKT_ACK, PKT_RST | PKT_ACK, PKT_RST, PKT_ACK };

	for (size_t i = 0; i < sizeof(answers); i++) {
		struct pkt_spec out = spec(false, true, IPPROTO_TCP, 22, 50000 + i);
		struct pkt_spec in = spec(false, false, IPPROTO_TCP, 22, 50000 + i);

		out.tcp_flags = answers[i];
		egress(h, &out);
		in.tcp_flags = PKT_SYN;
		inbound(h, &in);
	}
	xdp_drain(&h->fx);
	check_host(&h->fx.iv, 4, 0, 0, 0);
	assert_int_equal(key_packets(&h->fx.iv, SW_CLS_TCP, SW_KIND_SCAN, 22), 4);
}

/* UDP (a DNS query) in both families: the answer is solicited, one from another peer port not. */
static void test_udp_flow(void **state)
{
	struct hfx *h = *state;

	for (int v6 = 0; v6 < 2; v6++) {
		struct pkt_spec out = spec(v6, true, IPPROTO_UDP, 53000 + v6, 53);
		struct pkt_spec in = spec(v6, false, IPPROTO_UDP, 53000 + v6, 53);
		struct pkt_spec other = spec(v6, false, IPPROTO_UDP, 53000 + v6, 5353);

		out.payload_len = in.payload_len = other.payload_len = 30;
		egress(h, &out);
		egress(h, &out); /* a retransmission is the same flow */
		inbound(h, &in);
		inbound(h, &other);
	}
	xdp_drain(&h->fx);
	check_host(&h->fx.iv, 4, 2, 0, 2);
	assert_int_equal(key_packets(&h->fx.iv, SW_CLS_UDP, SW_KIND_SCAN, 53000), 1);
	assert_int_equal(key_packets(&h->fx.iv, SW_CLS_UDP, SW_KIND_SCAN, 53001), 1);
}

/*
 * Ping (pktcraft puts the echo identifier in sport): the reply with the identifier sent is
 * solicited; a reply with another identifier is backscatter, and an echo request from the peer
 * is a scan even with the identifier of the host's own ping.
 */
static void test_echo_flow(void **state)
{
	struct hfx *h = *state;

	for (int v6 = 0; v6 < 2; v6++) {
		uint8_t proto = v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
		uint8_t req = v6 ? 128 : 8, rep = v6 ? 129 : 0;
		struct pkt_spec out = spec(v6, true, proto, 0x1234, 0);
		struct pkt_spec in = spec(v6, false, proto, 0, 0);

		out.icmp_type = req;
		out.sport = 0x1234;
		out.payload_len = 16;
		egress(h, &out);
		in.payload_len = 16;
		in.icmp_type = rep;
		in.sport = 0x1234;
		inbound(h, &in);
		in.sport = 0x1235;
		inbound(h, &in);
		in.icmp_type = req;
		in.sport = 0x1234;
		inbound(h, &in);
	}
	xdp_drain(&h->fx);
	check_host(&h->fx.iv, 6, 2, 0, 2);
	assert_int_equal(key_packets(&h->fx.iv, SW_CLS_ICMP, SW_KIND_BACKSCATTER, 0), 1);
	assert_int_equal(key_packets(&h->fx.iv, SW_CLS_ICMP6, SW_KIND_BACKSCATTER, 129), 1);
	assert_int_equal(key_packets(&h->fx.iv, SW_CLS_ECHO, SW_KIND_SCAN, 0), 2);
}

/* An ICMP error quoting the IP header and first 8 bytes of an outbound frame (l3 at off). */
static size_t icmp_error(struct hfx *h, bool v6, uint8_t type, const uint8_t *quoted, size_t off,
			 size_t qlen)
{
	struct pkt_spec sp = spec(v6, false, v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP, 0, 0);
	size_t len;

	sp.icmp_type = type;
	sp.icmp_code = 3;
	sp.payload_len = (uint16_t)qlen;
	len = pkt_build(&sp, h->frame);
	memcpy(h->frame + len - qlen, quoted + off, qlen);
	return len;
}

/*
 * The host's UDP to a closed port draws a port unreachable quoting it: the flow's reply. One
 * quoting a datagram the host never sent (another port) is backscatter. IPv4 and IPv6.
 */
static void test_icmp_error_of_flow(void **state)
{
	struct hfx *h = *state;
	uint8_t sent[PKT_MAX], unsent[PKT_MAX];

	for (int v6 = 0; v6 < 2; v6++) {
		struct pkt_spec out = spec(v6, true, IPPROTO_UDP, 33000, 33434);
		struct pkt_spec never = spec(v6, true, IPPROTO_UDP, 33000, 33435);
		size_t l3 = 14, qlen = (v6 ? 40 : 20) + 8, len;

		out.payload_len = never.payload_len = 12;
		pkt_build(&out, sent);
		pkt_build(&never, unsent);
		egress(h, &out);
		len = icmp_error(h, v6, v6 ? 1 : 3, sent, l3, qlen);
		assert_int_equal(xdp_run(&h->fx, h->frame, len), XDP_PASS_VERDICT);
		len = icmp_error(h, v6, v6 ? 1 : 3, unsent, l3, qlen);
		assert_int_equal(xdp_run(&h->fx, h->frame, len), XDP_PASS_VERDICT);
	}
	xdp_drain(&h->fx);
	check_host(&h->fx.iv, 4, 2, 0, 2);
	assert_int_equal(key_packets(&h->fx.iv, SW_CLS_ICMP, SW_KIND_BACKSCATTER, 3), 1);
	assert_int_equal(key_packets(&h->fx.iv, SW_CLS_ICMP6, SW_KIND_BACKSCATTER, 1), 1);
}

/*
 * Expiry on the replay clock: a reply EXPIRY_S after the last outbound packet is solicited, one
 * a nanosecond... later, a millisecond later, is not; an outbound packet in between moves the
 * deadline.
 */
static void test_expiry(void **state)
{
	struct hfx *h = *state;
	struct pkt_spec out = spec(false, true, IPPROTO_UDP, 41000, 123);
	struct pkt_spec in = spec(false, false, IPPROTO_UDP, 41000, 123);
	uint64_t t0;

	egress(h, &out);
	t0 = h->fx.ts_ns - 1000;
	h->fx.ts_ns = t0 + EXPIRY_S * SEC_NS;
	inbound(h, &in); /* at the deadline: solicited */
	h->fx.ts_ns = t0 + EXPIRY_S * SEC_NS + 1000000;
	inbound(h, &in); /* past it: counted */
	egress(h, &out); /* the host speaks again */
	h->fx.ts_ns += (EXPIRY_S - 1) * SEC_NS;
	inbound(h, &in); /* solicited again */
	xdp_drain(&h->fx);
	check_host(&h->fx.iv, 3, 2, 0, 1);
	assert_int_equal(key_packets(&h->fx.iv, SW_CLS_UDP, SW_KIND_SCAN, 41000), 1);
}

static int listen_on(int type, int port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	int fd = socket(AF_INET6, type, 0), off = 0;

	assert_true(fd >= 0);
	/* Dual stack, like most servers: the IPv4 lookup must find it too. */
	assert_int_equal(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)), 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	if (type == SOCK_STREAM)
		assert_int_equal(listen(fd, 8), 0);
	return fd;
}

/*
 * Sockets of this namespace: a TCP listener on 8080 and a UDP socket on 5353 make packets to
 * them solicited, in both families; port 8081 has none and counts.
 */
static void test_listening_sockets(void **state)
{
	struct hfx *h = *state;
	int tfd = listen_on(SOCK_STREAM, 8080), ufd = listen_on(SOCK_DGRAM, 5353);

	for (int v6 = 0; v6 < 2; v6++) {
		struct pkt_spec syn = spec(v6, false, IPPROTO_TCP, 8080, 61000);
		struct pkt_spec udp = spec(v6, false, IPPROTO_UDP, 5353, 61000);

		syn.tcp_flags = PKT_SYN;
		inbound(h, &syn);
		udp.payload_len = 20;
		inbound(h, &udp);
		syn.dport = 8081;
		inbound(h, &syn);
	}
	close(tfd);
	close(ufd);
	xdp_drain(&h->fx);
	check_host(&h->fx.iv, 6, 0, 4, 0);
	assert_int_equal(key_packets(&h->fx.iv, SW_CLS_TCP, SW_KIND_SCAN, 8081), 2);
}

/* --count-service tcp/8080: the listener's clients count after all; udp/5353 stays solicited. */
static void test_count_service(void **state)
{
	struct sensor_config cfg = host_cfg();
	struct sw_service svc = { .proto = IPPROTO_TCP, .port = 8080 };
	struct hfx *h = calloc(1, sizeof(*h));
	int tfd = listen_on(SOCK_STREAM, 8080), ufd = listen_on(SOCK_DGRAM, 5353);
	struct pkt_spec syn = spec(false, false, IPPROTO_TCP, 8080, 61000);
	struct pkt_spec udp = spec(false, false, IPPROTO_UDP, 5353, 61000);
	struct pkt_spec out = spec(false, true, IPPROTO_TCP, 8080, 61001);

	(void)state;
	assert_non_null(h);
	cfg.services = &svc;
	cfg.nservices = 1;
	xdp_fx_open(&h->fx, &cfg);
	syn.tcp_flags = PKT_SYN;
	inbound(h, &syn);
	syn.tcp_flags = PKT_ACK;
	inbound(h, &syn);
	udp.payload_len = 20;
	inbound(h, &udp);
	/* Even a flow the host started from the service's port does not hide its clients. */
	out.tcp_flags = PKT_SYN;
	egress(h, &out);
	syn.sport = 61001;
	syn.tcp_flags = PKT_SYN | PKT_ACK;
	inbound(h, &syn);
	close(tfd);
	close(ufd);
	xdp_drain(&h->fx);
	check_host(&h->fx.iv, 4, 0, 1, 1);
	assert_int_equal(key_packets(&h->fx.iv, SW_CLS_TCP, SW_KIND_SCAN, 8080), 1);
	assert_int_equal(key_packets(&h->fx.iv, SW_CLS_TCP, SW_KIND_OTHER, 8080), 1);
	assert_int_equal(key_packets(&h->fx.iv, SW_CLS_TCP, SW_KIND_BACKSCATTER, 61001), 1);
	xdp_fx_close(&h->fx);
	free(h);
}

static uint64_t table_entries(int fd)
{
	struct sw_flow k, next;
	uint64_t n = 0;
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		k = next;
		prev = &k;
		n++;
	}
	return n;
}

/*
 * A table of 16 and 200 flows: the LRU evicts silently; the drain reports inserts - entries
 * evictions (nothing expired, nothing deleted). A flow's reply is solicited exactly when its
 * entry survived. Then, past the expiry, the sweep removes every entry and reports no eviction.
 */
static void test_evictions(void **state)
{
	struct sensor_config cfg = host_cfg();
	struct hfx *h = calloc(1, sizeof(*h));
	struct flow_drain fdr;
	uint64_t entries, present = 0;
	enum { NFLOWS = 200 };

	(void)state;
	assert_non_null(h);
	cfg.flow_table_size = 16;
	xdp_fx_open(&h->fx, &cfg);
	for (int i = 0; i < NFLOWS; i++) {
		struct pkt_spec out = spec(false, true, IPPROTO_UDP, 20000 + i, 9);

		egress(h, &out);
	}
	entries = table_entries(h->fx.s.flows_fd);
	assert_true(entries > 0 && entries <= 16);
	for (int i = 0; i < NFLOWS; i++) {
		struct pkt_spec in = spec(false, false, IPPROTO_UDP, 20000 + i, 9);
		struct sw_flow k = { .rport = 9, .lport = 20000 + i, .proto = IPPROTO_UDP };
		struct sw_flow_val v;
		bool is6;

		pkt_addr(PEER4, k.remote, &is6);
		pkt_addr(HOST4, k.local, &is6);
		/* pktcraft gives IPv4 in the first 4 bytes; flows keep it IPv4-mapped. */
		memmove(k.remote + 12, k.remote, 4);
		memset(k.remote, 0, 10);
		k.remote[10] = k.remote[11] = 0xff;
		memmove(k.local + 12, k.local, 4);
		memset(k.local, 0, 10);
		k.local[10] = k.local[11] = 0xff;
		present += !bpf_map_lookup_elem(h->fx.s.flows_fd, &k, &v);
		inbound(h, &in);
	}
	assert_int_equal(present, entries);
	xdp_drain(&h->fx);
	check_host(&h->fx.iv, NFLOWS, entries, 0, NFLOWS);
	assert_int_equal(flows_drain(&h->fx.s, &h->fx.iv, h->fx.ts_ns, &fdr), 0);
	assert_int_equal(fdr.entries, entries);
	assert_int_equal(fdr.deleted, 0);
	assert_int_equal(h->fx.iv.stats[SW_STAT_FLOWS_EVICTED], NFLOWS - entries);
	flows_commit(&h->fx.s, &fdr, true);

	/* Nothing new: a second drain reports nothing; past the expiry the sweep empties it. */
	xdp_drain(&h->fx);
	assert_int_equal(flows_drain(&h->fx.s, &h->fx.iv, h->fx.ts_ns, &fdr), 0);
	assert_int_equal(h->fx.iv.stats[SW_STAT_FLOWS_EVICTED], 0);
	flows_commit(&h->fx.s, &fdr, true);
	h->fx.ts_ns += (EXPIRY_S + 1) * SEC_NS;
	xdp_drain(&h->fx);
	assert_int_equal(flows_drain(&h->fx.s, &h->fx.iv, h->fx.ts_ns, &fdr), 0);
	assert_int_equal(fdr.deleted, entries);
	assert_int_equal(fdr.entries, 0);
	assert_int_equal(table_entries(h->fx.s.flows_fd), 0);
	assert_int_equal(h->fx.iv.stats[SW_STAT_FLOWS_EVICTED], 0);
	flows_commit(&h->fx.s, &fdr, true);
	assert_int_equal(h->fx.s.meta.flow_evicted, NFLOWS - entries);
	xdp_fx_close(&h->fx);
	free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sensor_mode_counts_replies),
		cmocka_unit_test_setup_teardown(test_tcp_flow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_answers_start_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_udp_flow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_echo_flow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_icmp_error_of_flow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expiry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listening_sockets, setup, teardown),
		cmocka_unit_test(test_count_service),
		cmocka_unit_test(test_evictions),
	};

	xdp_require_root();
	/* Sockets the tests open, and only those, are what the program's lookups can find. */
	if (unshare(CLONE_NEWNET)) {
		printf("1..0 # SKIP cannot make a private network namespace: %s\n",
		       strerror(errno));
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
