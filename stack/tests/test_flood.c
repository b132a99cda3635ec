/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Nothing one tenant's peers do can starve another tenant (issue 7, section 4).
 *
 * Two whole stacks in one process on virtual clocks, joined by their memory ports: T (the
 * host under attack) and P (tenant B's peer). T's port carries VLAN 10 (tenant A,
 * 10.10.0.0/16, fd00:a::/64) and VLAN 20 (tenant B, 10.20.0.0/24). Each step, 32 frames
 * from spoofed on-link sources hit tenant A: ICMP echo requests (IPv4 and IPv6), SYNs to a
 * listener and first fragments that never complete, from random addresses and MACs, so
 * each asks T to resolve a new neighbour or to hold a fragment
 * (about 3.2 million frames per second of virtual time; 10 us per step). Meanwhile tenant B
 * pings T, sends 4 MiB over TCP and 4 MiB of RDMA WRITEs from P; T learns P's address only
 * during the flood. Asserted: B lost nothing (every ping answered, the TCP stream and the
 * WRITEs byte-exact without a retransmission, no quota refusal and no RoCE drop on B), T's
 * mbuf pool never ran low, and A's flood was refused and counted by reason.
 *
 * URSA_FLOOD_REPORT=1 prints B's figures with and without the flood: wall-clock TCP and
 * RDMA throughput (the CPU that processes the flood is the machine's real cost) and ping
 * round trips (virtual and wall-clock).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "roce_qp_up.h"
#include "ursa_arp.h"
#include "ursa_eth.h"
#include "ursa_ip.h"
#include "ursa_tcp.h"
#include "ursa_test.h"
#include "ursa_udp.h"

#define POOL	       8191u
#define DT_NS	       10000ull /* virtual time per step */
#define FLOOD_PER_STEP 32u
#define WARMUP_STEPS   600u /* ~19k flood frames before B starts: more than the table */
#define PING_EVERY     2u   /* steps */
#define TCP_BYTES      (16u << 20)
#define RDMA_MSG       (128u << 10)
#define RDMA_MSGS      128u
#define VLAN_A	       10
#define VLAN_B	       20

static const struct rte_ether_addr mac_t = {{0x02, 0, 0, 0, 0, 0x01}};
static const struct rte_ether_addr mac_p = {{0x02, 0, 0, 0, 0, 0x02}};

struct host {
	struct ursa_lcore *lc;
	uint16_t ia, ib; /* interfaces of tenants A and B */
	struct ursa_ipaddr a4, a6, b4;
};

struct ping {
	uint16_t next_seq, answered;
	uint64_t sent_virt[4096], sent_wall[4096];
	uint64_t rtt_virt_max, rtt_virt_sum, rtt_wall_max, rtt_wall_sum;
};

static struct host T, P;
static struct ursa_rng frng; /* the flood's addresses */
static bool flooding, pinging;
static uint64_t flood_sent, steps, alloc_fail;
static unsigned min_avail;
static struct ping png;

static uint64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static struct ursa_ipaddr addr(const char *s)
{
	return ursa_test_ip(s);
}

static void host_up(struct host *h, uint64_t seed, const struct rte_ether_addr *mac, int i)
{
	char name[16];
	struct ursa_lcore_conf lconf = {.nb_mbufs = POOL,
					.seed = seed,
					.virtual_clock = true,
					.virtual_start_ns = URSA_TEST_T0,
					.name = name};
	struct ursa_iface_conf ca = {.port = 0, .vlan = VLAN_A, .tenant = 1, .mac = mac};
	struct ursa_iface_conf cb = {
		.port = 0, .vlan = VLAN_B, .tenant = 2, .mac = mac, .no_linklocal = true};
	char s[32];
	uint16_t port;

	snprintf(name, sizeof(name), "fl%d_%" PRIu64, i, seed);
	CU_ASSERT_FATAL(ursa_lcore_create(&lconf, &h->lc) == 0);
	CU_ASSERT_FATAL(ursa_port_open_mem(h->lc, mac, 1500, &port) == 0);
	CU_ASSERT_FATAL(ursa_eth_init(h->lc) == 0 && ursa_arp_init(h->lc) == 0);
	CU_ASSERT_FATAL(ursa_ip_init(h->lc) == 0 && ursa_udp_init(h->lc) == 0);
	CU_ASSERT_FATAL(ursa_tcp_init(h->lc) == 0 && ursa_roce_init(h->lc) == 0);
	CU_ASSERT_FATAL(ursa_iface_add(h->lc, &ca, &h->ia) == 0);
	CU_ASSERT_FATAL(ursa_iface_add(h->lc, &cb, &h->ib) == 0);
	snprintf(s, sizeof(s), "10.10.0.%d", i + 1);
	h->a4 = addr(s);
	snprintf(s, sizeof(s), "fd00:a::%d", i + 1);
	h->a6 = addr(s);
	snprintf(s, sizeof(s), "10.20.0.%d", i + 1);
	h->b4 = addr(s);
	CU_ASSERT_FATAL(ursa_iface_addr_add(h->lc, h->ia, &h->a4, 16) == 0);
	CU_ASSERT_FATAL(ursa_iface_addr_add(h->lc, h->ia, &h->a6, 64) == 0);
	CU_ASSERT_FATAL(ursa_iface_addr_add(h->lc, h->ib, &h->b4, 24) == 0);
}

/* ---- frames ---- */

/* Ethernet + 802.1Q header to T (every frame here is tagged); returns where L3 starts. */
static uint8_t *l2(uint8_t *f, const struct rte_ether_addr *src, uint16_t vlan, uint16_t type)
{
	return f + ursa_test_eth_hdr(f, &mac_t, src, vlan, type);
}

static size_t ip4_frame(uint8_t *f, const struct rte_ether_addr *src, uint16_t vlan, rte_be32_t sa,
			rte_be32_t da, uint8_t proto, const void *l4, size_t n)
{
	struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)l2(f, src, vlan, RTE_ETHER_TYPE_IPV4);

	memset(h, 0, sizeof(*h));
	h->version_ihl = 0x45;
	h->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*h) + n));
	h->time_to_live = 64;
	h->next_proto_id = proto;
	h->src_addr = sa;
	h->dst_addr = da;
	memcpy(h + 1, l4, n);
	if (proto == IPPROTO_TCP) {
		struct rte_tcp_hdr *t = (struct rte_tcp_hdr *)(h + 1);

		t->cksum = 0;
		t->cksum = rte_ipv4_udptcp_cksum(h, t);
	}
	h->hdr_checksum = rte_ipv4_cksum(h);
	return 18 + sizeof(*h) + n;
}

static void echo_body(uint8_t *b, uint8_t type, uint16_t id, uint16_t seq, size_t n)
{
	memset(b, 0x5a, n);
	b[0] = type, b[1] = 0, b[2] = b[3] = 0;
	b[4] = (uint8_t)(id >> 8), b[5] = (uint8_t)id, b[6] = (uint8_t)(seq >> 8);
	b[7] = (uint8_t)seq;
}

static void icmp4_cksum(uint8_t *b, size_t n)
{
	uint16_t c = (uint16_t)~rte_raw_cksum(b, n);

	memcpy(b + 2, &c, 2);
}

static void inject(struct ursa_lcore *lc, const uint8_t *f, size_t n)
{
	struct rte_mbuf *m = ursa_test_mbuf(lc, f, n);

	if (m == NULL) {
		alloc_fail++;
		return;
	}
	ursa_port_mem_inject(&lc->ports[0], &m, 1);
}

/* One flood frame to tenant A from a random on-link source and MAC. */
static void flood_one(void)
{
	struct rte_ether_addr src;
	uint64_t r = ursa_rng_u64(&frng);
	uint8_t f[256], b[64];
	size_t n;

	memcpy(src.addr_bytes, &r, 6);
	src.addr_bytes[0] = 0x02;
	switch (flood_sent % 4) {
	case 0: { /* IPv4 echo request from 10.10.x.y */
		rte_be32_t sa = rte_cpu_to_be_32(0x0a0a0000u | (uint32_t)(2 + (r >> 48) % 65530));

		echo_body(b, RTE_IP_ICMP_ECHO_REQUEST, 0xa, (uint16_t)flood_sent, 64);
		icmp4_cksum(b, 64);
		n = ip4_frame(f, &src, VLAN_A, sa, T.a4.v4, IPPROTO_ICMP, b, 64);
		break;
	}
	case 1: { /* IPv6 echo request from fd00:a::<random> */
		struct rte_ipv6_hdr *h =
			(struct rte_ipv6_hdr *)l2(f, &src, VLAN_A, RTE_ETHER_TYPE_IPV6);
		uint64_t iid = ursa_rng_u64(&frng) | 0x100;

		memset(h, 0, sizeof(*h));
		h->vtc_flow = rte_cpu_to_be_32(6u << 28);
		h->payload_len = rte_cpu_to_be_16(64);
		h->proto = IPPROTO_ICMPV6;
		h->hop_limits = 64;
		memcpy(h->src_addr, T.a6.v6, 8);
		memcpy(h->src_addr + 8, &iid, 8);
		memcpy(h->dst_addr, T.a6.v6, 16);
		echo_body((uint8_t *)(h + 1), 128, 0xa, (uint16_t)flood_sent, 64);
		{
			uint16_t c = rte_ipv6_udptcp_cksum(h, h + 1);

			memcpy((uint8_t *)(h + 1) + 2, &c, 2);
		}
		n = 18 + sizeof(*h) + 64;
		break;
	}
	case 2: { /* the first fragment of an IPv4 echo that never completes */
		rte_be32_t sa = rte_cpu_to_be_32(0x0a0a0000u | (uint32_t)(2 + (r >> 48) % 65530));
		struct rte_ipv4_hdr *h;

		echo_body(b, RTE_IP_ICMP_ECHO_REQUEST, 0xa, (uint16_t)flood_sent, 64);
		n = ip4_frame(f, &src, VLAN_A, sa, T.a4.v4, IPPROTO_ICMP, b, 64);
		h = (struct rte_ipv4_hdr *)(f + 18);
		h->packet_id = (rte_be16_t)r;
		h->fragment_offset = RTE_BE16(RTE_IPV4_HDR_MF_FLAG);
		h->hdr_checksum = 0;
		h->hdr_checksum = rte_ipv4_cksum(h);
		break;
	}
	default: { /* IPv4 SYN to tenant A's listener */
		rte_be32_t sa = rte_cpu_to_be_32(0x0a0a0000u | (uint32_t)(2 + (r >> 48) % 65530));
		struct rte_tcp_hdr t = {
			.src_port = rte_cpu_to_be_16((uint16_t)(1024 + r % 60000)),
			.dst_port = rte_cpu_to_be_16(80),
			.sent_seq = (rte_be32_t)r,
			.data_off = 5 << 4,
			.tcp_flags = RTE_TCP_SYN_FLAG,
			.rx_win = rte_cpu_to_be_16(65535),
		};

		n = ip4_frame(f, &src, VLAN_A, sa, T.a4.v4, IPPROTO_TCP, &t, sizeof(t));
		break;
	}
	}
	inject(T.lc, f, n);
	flood_sent++;
}

/* B's ping: an echo request from P's address and MAC on VLAN 20, straight into T. */
static void ping_send(void)
{
	uint8_t f[256], b[64];
	size_t n;

	if (png.next_seq == RTE_DIM(png.sent_virt))
		return;
	echo_body(b, RTE_IP_ICMP_ECHO_REQUEST, 0xb, png.next_seq, 64);
	icmp4_cksum(b, 64);
	n = ip4_frame(f, &mac_p, VLAN_B, P.b4.v4, T.b4.v4, IPPROTO_ICMP, b, 64);
	png.sent_virt[png.next_seq] = ursa_now(T.lc);
	png.sent_wall[png.next_seq] = wall_ns();
	png.next_seq++;
	inject(T.lc, f, n);
}

/* An echo reply of B's ping leaving T: account for it. Returns true when it was one. */
static bool ping_seen(struct rte_mbuf *m)
{
	uint8_t buf[64];
	const uint8_t *p = rte_pktmbuf_read(m, 0, 18 + 20 + 8, buf);
	uint16_t seq;
	uint64_t rv, rw;

	if (p == NULL || p[12] != 0x81 || (((p[14] << 8) | p[15]) & 0xfff) != VLAN_B ||
	    p[16] != 0x08 || p[17] != 0x00 || p[18 + 9] != IPPROTO_ICMP ||
	    p[38] != RTE_IP_ICMP_ECHO_REPLY || p[42] != 0 || p[43] != 0xb)
		return false;
	seq = (uint16_t)(p[44] << 8 | p[45]);
	CU_ASSERT_FATAL(seq < png.next_seq);
	rv = ursa_now(T.lc) - png.sent_virt[seq];
	rw = wall_ns() - png.sent_wall[seq];
	png.answered++;
	png.rtt_virt_sum += rv;
	png.rtt_wall_sum += rw;
	png.rtt_virt_max = RTE_MAX(png.rtt_virt_max, rv);
	png.rtt_wall_max = RTE_MAX(png.rtt_wall_max, rw);
	return true;
}

/* One step: flood, poll both until their ports are drained, carry T's frames (B's to P, A's answers
 * nowhere: their spoofed senders do not exist) and P's to T, then 10 us pass. */
static void step(void)
{
	struct rte_mbuf *m[64];
	unsigned n, avail;

	if (flooding)
		for (unsigned i = 0; i < FLOOD_PER_STEP; i++)
			flood_one();
	if (pinging && steps % PING_EVERY == 0)
		ping_send();
	/* Each host handles everything that reached it before time moves on: the CPU the
	 * flood costs shows in wall-clock time, not as frames waiting in a port. */
	do
		ursa_lcore_poll(T.lc);
	while (ursa_port_mem_rx_pending(&T.lc->ports[0]) > 0);
	do
		ursa_lcore_poll(P.lc);
	while (ursa_port_mem_rx_pending(&P.lc->ports[0]) > 0);
	while ((n = ursa_port_mem_take(&T.lc->ports[0], m, RTE_DIM(m))) > 0)
		for (unsigned i = 0; i < n; i++) {
			const uint8_t *e = rte_pktmbuf_mtod(m[i], const uint8_t *);
			bool vlan_b = e[12] == 0x81 && (((e[14] << 8) | e[15]) & 0xfff) == VLAN_B;

			if (!vlan_b || ping_seen(m[i]))
				rte_pktmbuf_free(m[i]);
			else
				ursa_port_mem_inject(&P.lc->ports[0], &m[i], 1);
		}
	while ((n = ursa_port_mem_take(&P.lc->ports[0], m, RTE_DIM(m))) > 0)
		ursa_port_mem_inject(&T.lc->ports[0], m, n);
	avail = rte_mempool_avail_count(T.lc->pool);
	min_avail = RTE_MIN(min_avail, avail);
	ursa_clock_advance(&T.lc->clock, DT_NS);
	ursa_clock_advance(&P.lc->clock, DT_NS);
	steps++;
}

/* ---- tenant B's work ---- */

struct figures {
	double tcp_mbps, rdma_mbps;	      /* wall clock, MB/s */
	double tcp_virt_mbps, rdma_virt_mbps; /* virtual time, MB/s */
	double ping_avg_us, ping_max_us;      /* virtual */
	double ping_wall_avg_us, ping_wall_max_us;
	uint64_t pings, flood_frames;
	uint64_t tcp_virt_ns, rdma_virt_ns;
	double flood_kpps; /* flood frames per wall-clock second over the whole run, thousands */
};

static void fill(uint8_t *b, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)((i * 2654435761u + seed) >> 13);
}

/* P sends TCP_BYTES to T's tenant-B listener; returns wall ns spent, virtual in *virt. */
static uint64_t tcp_transfer(uint64_t *virt)
{
	uint8_t *src = malloc(TCP_BYTES), *dst = malloc(TCP_BYTES);
	struct ursa_tcp_pcb *l, *c, *s = NULL;
	struct ursa_tcp_info is, ir;
	size_t sent = 0, got = 0;
	uint64_t w0, v0;

	CU_ASSERT_FATAL(src != NULL && dst != NULL);
	fill(src, TCP_BYTES, 7);
	CU_ASSERT_FATAL(ursa_tcp_create(T.lc, 2, T.ib, AF_INET, &l) == 0);
	CU_ASSERT_FATAL(ursa_tcp_bind(T.lc, l, NULL, 5001) == 0);
	CU_ASSERT_FATAL(ursa_tcp_listen(T.lc, l, 4) == 0);
	CU_ASSERT_FATAL(ursa_tcp_create(P.lc, 2, P.ib, AF_INET, &c) == 0);
	w0 = wall_ns();
	v0 = ursa_now(T.lc);
	CU_ASSERT_FATAL(ursa_tcp_connect(P.lc, c, &T.b4, 5001) == 0);
	for (uint64_t k = 0; got < TCP_BYTES && k < 2000000; k++) {
		ssize_t n;

		if (s == NULL && ursa_tcp_accept(T.lc, l, &s) != 0)
			s = NULL;
		if (sent < TCP_BYTES && ursa_tcp_get_state(c) == URSA_TCP_ESTABLISHED) {
			n = ursa_tcp_send(P.lc, c, src + sent, TCP_BYTES - sent, 0);
			if (n > 0)
				sent += (size_t)n;
		}
		while (s != NULL && (n = ursa_tcp_recv(T.lc, s, dst + got, TCP_BYTES - got, 0)) > 0)
			got += (size_t)n;
		step();
	}
	*virt = ursa_now(T.lc) - v0;
	w0 = wall_ns() - w0;
	CU_ASSERT_EQUAL(got, TCP_BYTES);
	CU_ASSERT_EQUAL(memcmp(src, dst, got), 0);
	CU_ASSERT_FATAL(s != NULL);
	ursa_tcp_get_info(c, &is);
	ursa_tcp_get_info(s, &ir);
	CU_ASSERT_EQUAL(is.retransmits, 0); /* nothing of B's was lost on the way */
	CU_ASSERT_EQUAL(is.timeouts, 0);
	ursa_tcp_close(P.lc, c);
	ursa_tcp_close(T.lc, s);
	ursa_tcp_close(T.lc, l);
	free(src);
	free(dst);
	return w0;
}

struct rdma_side {
	struct ursa_roce_pd *pd;
	struct ursa_roce_cq *cq;
	struct ursa_roce_qp *qp;
	struct ursa_roce_mr *mr;
	uint8_t *mem;
};

static void rdma_side_up(struct host *h, struct rdma_side *r)
{
	const unsigned all = URSA_RDMA_ACCESS_LOCAL_WRITE | URSA_RDMA_ACCESS_REMOTE_WRITE;
	struct ursa_rdma_qp_cap cap = {128, 128, 1, 1};

	r->mem = calloc(1, (size_t)RDMA_MSG * RDMA_MSGS);
	CU_ASSERT_FATAL(r->mem != NULL);
	CU_ASSERT_FATAL(ursa_roce_pd_alloc(h->lc, &r->pd) == 0);
	CU_ASSERT_FATAL(ursa_roce_cq_create(h->lc, 256, &r->cq) == 0);
	CU_ASSERT_FATAL(ursa_roce_qp_create(r->pd, r->cq, r->cq, &cap, false, &r->qp) == 0);
	CU_ASSERT_FATAL(
		ursa_roce_mr_reg(r->pd, r->mem, (uint64_t)RDMA_MSG * RDMA_MSGS, all, &r->mr) == 0);
}

static void rdma_side_down(struct rdma_side *r)
{
	ursa_roce_qp_destroy(r->qp);
	ursa_roce_mr_dereg(r->mr);
	ursa_roce_cq_destroy(r->cq);
	ursa_roce_pd_free(r->pd);
	free(r->mem);
}

/* P WRITEs RDMA_MSGS x RDMA_MSG into T's memory; returns wall ns, virtual in *virt. */
static uint64_t rdma_writes(uint64_t *virt)
{
	struct rdma_side rt, rp;
	struct host *hs[2] = {&T, &P};
	struct rdma_side *rs[2] = {&rt, &rp};
	unsigned done = 0, posted = 0;
	uint64_t w0, v0;

	rdma_side_up(&T, &rt);
	rdma_side_up(&P, &rp);
	for (int i = 0; i < 2; i++) {
		struct roce_qp_up u = {
			.local = &hs[i]->b4,
			.remote = &hs[!i]->b4,
			.iface = hs[i]->ib, /* tenant B's interface */
			.tenant = 2,
			.access = URSA_RDMA_ACCESS_REMOTE_WRITE,
			.path_mtu = 1024,
			.dest_qpn = ursa_roce_qp_num(rs[!i]->qp),
			.rq_psn = 100,
			.sq_psn = 100,
			.max_dest_rd_atomic = 1,
			.max_rd_atomic = 1,
			.min_rnr_timer = 1,
			.timeout = 14,
			.retry_cnt = 7,
			.rnr_retry = 7,
		};

		CU_ASSERT_FATAL(roce_qp_up(rs[i]->qp, &u) == 0);
	}
	fill(rp.mem, (size_t)RDMA_MSG * RDMA_MSGS, 9);
	w0 = wall_ns();
	v0 = ursa_now(T.lc);
	for (uint64_t k = 0; done < RDMA_MSGS && k < 2000000; k++) {
		struct ursa_rdma_wc wc;

		while (posted < RDMA_MSGS && posted - done < 16) {
			struct ursa_rdma_sge sge = {(uintptr_t)rp.mem + (uint64_t)posted * RDMA_MSG,
						    RDMA_MSG, ursa_roce_mr_lkey(rp.mr)};
			struct ursa_rdma_send_wr wr = {
				.wr_id = posted,
				.opcode = URSA_RDMA_WR_RDMA_WRITE,
				.send_flags = URSA_RDMA_SEND_SIGNALED,
				.sg_list = &sge,
				.num_sge = 1,
				.rdma = {(uintptr_t)rt.mem + (uint64_t)posted * RDMA_MSG,
					 ursa_roce_mr_rkey(rt.mr)},
			};

			CU_ASSERT_FATAL(ursa_roce_post_send(rp.qp, &wr, 1) == 1);
			posted++;
		}
		while (ursa_roce_cq_poll(rp.cq, &wc, 1) == 1) {
			CU_ASSERT_EQUAL(wc.status, URSA_RDMA_WC_SUCCESS);
			done++;
		}
		step();
	}
	*virt = ursa_now(T.lc) - v0;
	w0 = wall_ns() - w0;
	CU_ASSERT_EQUAL(done, RDMA_MSGS);
	CU_ASSERT_EQUAL(memcmp(rt.mem, rp.mem, (size_t)RDMA_MSG * RDMA_MSGS), 0);
	rdma_side_down(&rt);
	rdma_side_down(&rp);
	return w0;
}

/* Sum of a block's counters whose names start with prefix. */
struct sum_arg {
	const char *block, *prefix;
	uint64_t sum;
};

static void sum_cb(const char *block, const char *name, uint64_t val, void *arg)
{
	struct sum_arg *a = arg;

	if (strcmp(block, a->block) == 0 && strncmp(name, a->prefix, strlen(a->prefix)) == 0)
		a->sum += val;
}

static uint64_t sum(struct ursa_lcore *lc, const char *block, const char *prefix)
{
	struct sum_arg a = {block, prefix, 0};

	ursa_stats_foreach(lc, sum_cb, &a);
	return a.sum;
}

/* The refusals and drops of the blocks that see the flood, and the held gauges. */
static void print_cb(const char *block, const char *name, uint64_t val, void *arg)
{
	static const char *const blocks[] = {"neigh", "quota", "hold", "tcp", "ip", "ip6"};

	(void)arg;
	if (val == 0 || (strncmp(name, "drop_", 5) != 0 && strncmp(name, "held_", 5) != 0 &&
			 strcmp(name, "evicted") != 0 && strcmp(name, "syn_cookies_sent") != 0))
		return;
	for (unsigned b = 0; b < RTE_DIM(blocks); b++)
		if (strcmp(block, blocks[b]) == 0)
			printf("  %s.%s=%" PRIu64 "\n", block, name, val);
}

static void print_counters(struct ursa_lcore *lc)
{
	ursa_stats_foreach(lc, print_cb, NULL);
}

/* The whole scenario, with or without A's flood. */
static void scenario(bool flood, struct figures *fig)
{
	uint64_t tcp_wall, tcp_virt, rdma_wall, rdma_virt;
	struct ursa_tcp_pcb *la;

	uint64_t w_start = wall_ns();

	memset(&png, 0, sizeof(png));
	steps = flood_sent = alloc_fail = 0;
	ursa_rng_seed(&frng, 99);
	host_up(&T, 31, &mac_t, 0);
	host_up(&P, 32, &mac_p, 1);
	/* Tenant A's listener, the target of the SYNs. */
	CU_ASSERT_FATAL(ursa_tcp_create(T.lc, 1, T.ia, AF_INET, &la) == 0);
	CU_ASSERT_FATAL(ursa_tcp_bind(T.lc, la, NULL, 80) == 0);
	CU_ASSERT_FATAL(ursa_tcp_listen(T.lc, la, 16) == 0);
	min_avail = UINT32_MAX;
	flooding = flood;
	pinging = false;
	for (unsigned i = 0; i < WARMUP_STEPS; i++)
		step();
	/* B starts: T does not know P yet and must resolve it under the flood. */
	CU_ASSERT_EQUAL(ursa_neigh_lookup(T.lc, &T.lc->ifaces[T.ib], &P.b4, NULL), URSA_NEIGH_NONE);
	pinging = true;
	tcp_wall = tcp_transfer(&tcp_virt);
	rdma_wall = rdma_writes(&rdma_virt);
	pinging = false;
	for (unsigned i = 0; i < 200; i++) /* the last pings come back */
		step();

	/* B lost nothing. */
	CU_ASSERT(png.next_seq > 100);
	CU_ASSERT_EQUAL(png.answered, png.next_seq);
	CU_ASSERT(png.rtt_virt_max <= 4 * DT_NS);
	for (unsigned r = 0; r < URSA_RES_MAX; r++)
		CU_ASSERT_EQUAL(T.lc->ifaces[T.ib].refused[r], 0);
	CU_ASSERT_EQUAL(sum(T.lc, "roce", "drop_"), 0);
	CU_ASSERT_EQUAL(sum(P.lc, "roce", "drop_"), 0);
	CU_ASSERT_EQUAL(ursa_test_counter(P.lc, "roce", "retransmit"), 0);
	CU_ASSERT_EQUAL(ursa_test_counter(T.lc, "roce", "tx_nak_psn"), 0);
	CU_ASSERT_EQUAL(sum(P.lc, "neigh", "drop_"), 0);
	CU_ASSERT_EQUAL(ursa_neigh_lookup(T.lc, &T.lc->ifaces[T.ib], &P.b4, NULL),
			URSA_NEIGH_REACHABLE);
	/* The pool never ran low: the holding queues stayed within their share. */
	CU_ASSERT_EQUAL(alloc_fail, 0);
	CU_ASSERT(min_avail >= POOL / 4);
	CU_ASSERT(ursa_hold_total(T.lc) <= ursa_hold_cap(T.lc));
	if (flood) {
		const struct ursa_iface *a = &T.lc->ifaces[T.ia];

		/* A's flood was refused within A's quotas, counted by reason. */
		CU_ASSERT(a->used[URSA_RES_neigh] <= a->quota.max[URSA_RES_neigh]);
		CU_ASSERT(a->used[URSA_RES_neigh_bytes] <= a->quota.max[URSA_RES_neigh_bytes]);
		CU_ASSERT(a->refused[URSA_RES_neigh] > 0);
		CU_ASSERT(ursa_test_counter(T.lc, "neigh", "evicted") > 0);
		CU_ASSERT(ursa_test_counter(T.lc, "neigh", "drop_evicted") > 0);
		CU_ASSERT(ursa_test_counter(T.lc, "quota", "drop_neigh_iface") > 0);
		CU_ASSERT(a->used[URSA_RES_reasm] <= a->quota.max[URSA_RES_reasm]);
		CU_ASSERT(ursa_test_counter(T.lc, "ip", "drop_frag_quota") > 0);
	}
	fig->flood_frames = flood_sent;
	fig->flood_kpps = flood_sent / ((wall_ns() - w_start) / 1e6);
	fig->tcp_virt_ns = tcp_virt;
	fig->rdma_virt_ns = rdma_virt;
	fig->pings = png.answered;
	fig->tcp_mbps = TCP_BYTES / (tcp_wall / 1e3);
	fig->tcp_virt_mbps = TCP_BYTES / (tcp_virt / 1e3);
	fig->rdma_mbps = (double)RDMA_MSG * RDMA_MSGS / (rdma_wall / 1e3);
	fig->rdma_virt_mbps = (double)RDMA_MSG * RDMA_MSGS / (rdma_virt / 1e3);
	fig->ping_avg_us = png.answered ? png.rtt_virt_sum / 1e3 / png.answered : 0;
	fig->ping_max_us = png.rtt_virt_max / 1e3;
	fig->ping_wall_avg_us = png.answered ? png.rtt_wall_sum / 1e3 / png.answered : 0;
	fig->ping_wall_max_us = png.rtt_wall_max / 1e3;
	if (getenv("URSA_FLOOD_REPORT") != NULL && flood) {
		printf("\n T's counters after the flood (%" PRIu64 " frames):\n", flood_sent);
		print_counters(T.lc);
		printf("  min free mbufs %u of %u, held now %u (cap %u)\n", min_avail, POOL,
		       ursa_hold_total(T.lc), ursa_hold_cap(T.lc));
	}
	ursa_tcp_close(T.lc, la);
	ursa_lcore_destroy(T.lc);
	ursa_lcore_destroy(P.lc);
}

static void report(const char *what, const struct figures *f)
{
	printf("  %-13s TCP %7.1f MB/s wall (%7.1f virtual)  RDMA WRITE %7.1f MB/s wall "
	       "(%7.1f virtual)  ping %u: rtt avg %.0f us max %.0f us virtual, avg %.0f us "
	       "max %.0f us wall  [flood %" PRIu64 " frames, %.0f k/s wall]\n",
	       what, f->tcp_mbps, f->tcp_virt_mbps, f->rdma_mbps, f->rdma_virt_mbps,
	       (unsigned)f->pings, f->ping_avg_us, f->ping_max_us, f->ping_wall_avg_us,
	       f->ping_wall_max_us, f->flood_frames, f->flood_kpps);
}

static void test_flood(void)
{
	struct figures quiet, flood;

	scenario(false, &quiet);
	scenario(true, &flood);
	/* In virtual time B's work took exactly as long with the flood as without it. */
	CU_ASSERT_EQUAL(flood.tcp_virt_ns, quiet.tcp_virt_ns);
	CU_ASSERT_EQUAL(flood.rdma_virt_ns, quiet.rdma_virt_ns);
	CU_ASSERT_EQUAL(flood.pings, quiet.pings);
	CU_ASSERT(flood.flood_frames > 30000); /* over seven times the table */
	if (getenv("URSA_FLOOD_REPORT") != NULL) {
		printf("\n tenant B, %u KiB over TCP, %u x %u KiB RDMA WRITEs, ping every %u us:\n",
		       TCP_BYTES >> 10, RDMA_MSGS, RDMA_MSG >> 10,
		       (unsigned)(PING_EVERY * DT_NS / 1000));
		report("without flood", &quiet);
		report("with flood", &flood);
	}
}

int main(void)
{
	CU_pSuite s = ursa_test_suite("flood", NULL, NULL);

	CU_add_test(s, "spoofed flood on tenant A, tenant B unharmed", test_flood);
	return ursa_test_main();
}
