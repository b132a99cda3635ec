/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The engine on the whole stack: two fake lcores with eth, arp, ip, udp and roce, joined by
 * their memory ports on a shared virtual clock. Neighbours are resolved by ARP/ND, packets
 * travel UDP 4791 through the IP layer, and the ports' seeded fault injectors (loss,
 * duplication, reordering, corruption) sit on the wire. SEND/WRITE/READ/atomics are checked
 * byte for byte over IPv4 and IPv6; a packet larger than the interface MTU is refused; ICMP
 * errors about a QP's packets (fragmentation needed, packet too big, port unreachable) are
 * recorded for that QP only when the quoted BTH names it with a PSN in flight.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "roce_priv.h"
#include "roce_qp_up.h"
#include "ursa_arp.h"
#include "ursa_eth.h"
#include "ursa_ip.h"
#include "ursa_test.h"
#include "ursa_udp.h"

#include <rte_ip.h>

#define BUF (256 * 1024)

struct host {
	struct ursa_lcore *lc;
	struct ursa_ipaddr v4, v6;
	struct ursa_roce_pd *pd;
	struct ursa_roce_cq *cq;
	struct ursa_roce_qp *qp;
	struct ursa_roce_mr *mr;
	uint8_t *mem;
};

static struct host H[2];
static const struct rte_ether_addr macs[2] = {URSA_TEST_MAC, URSA_TEST_PEER_MAC};

static void host_up(struct host *h, int i, uint64_t seed)
{
	struct ursa_iface_conf c = {.port = 0, .tenant = 1, .mac = &macs[i], .no_linklocal = true};
	uint16_t idx;
	char a[32];

	memset(h, 0, sizeof(*h));
	h->lc = ursa_test_lcore(seed);
	CU_ASSERT_FATAL(h->lc != NULL);
	CU_ASSERT_FATAL(ursa_eth_init(h->lc) == 0);
	CU_ASSERT_FATAL(ursa_arp_init(h->lc) == 0);
	CU_ASSERT_FATAL(ursa_ip_init(h->lc) == 0);
	CU_ASSERT_FATAL(ursa_udp_init(h->lc) == 0);
	CU_ASSERT_FATAL(ursa_roce_init(h->lc) == 0);
	CU_ASSERT_FATAL(ursa_iface_add(h->lc, &c, &idx) == 0);
	snprintf(a, sizeof(a), "10.8.0.%d", i + 1);
	h->v4 = ursa_test_ip(a);
	snprintf(a, sizeof(a), "fd00:8::%d", i + 1);
	h->v6 = ursa_test_ip(a);
	CU_ASSERT_FATAL(ursa_iface_addr_add(h->lc, idx, &h->v4, 24) == 0);
	CU_ASSERT_FATAL(ursa_iface_addr_add(h->lc, idx, &h->v6, 64) == 0);
	h->mem = calloc(1, BUF);
	CU_ASSERT_FATAL(h->mem != NULL);
}

/* Move frames both ways until quiet; then let time pass to the next timer. */
static bool step(void)
{
	if (ursa_test_pair_carry(H[0].lc, H[1].lc) > 0 || !TAILQ_EMPTY(&H[0].lc->roce->busy) ||
	    !TAILQ_EMPTY(&H[1].lc->roce->busy))
		return true;
	return ursa_test_pair_idle(H[0].lc, H[1].lc);
}

static bool wait_wc(int i, struct ursa_rdma_wc *wc)
{
	for (int k = 0; k < 2000000; k++) {
		if (ursa_roce_cq_poll(H[i].cq, wc, 1) == 1)
			return true;
		if (!step())
			return ursa_roce_cq_poll(H[i].cq, wc, 1) == 1;
	}
	return false;
}

static void qp_connect(bool v6, uint16_t mtu)
{
	const unsigned all = URSA_RDMA_ACCESS_LOCAL_WRITE | URSA_RDMA_ACCESS_REMOTE_WRITE |
			     URSA_RDMA_ACCESS_REMOTE_READ | URSA_RDMA_ACCESS_REMOTE_ATOMIC;
	struct ursa_rdma_qp_cap cap = {64, 64, 1, 1};

	for (int i = 0; i < 2; i++) {
		struct host *h = &H[i];

		CU_ASSERT_FATAL(ursa_roce_pd_alloc(h->lc, &h->pd) == 0);
		CU_ASSERT_FATAL(ursa_roce_cq_create(h->lc, 256, &h->cq) == 0);
		CU_ASSERT_FATAL(ursa_roce_qp_create(h->pd, h->cq, h->cq, &cap, false, &h->qp) == 0);
		CU_ASSERT_FATAL(ursa_roce_mr_reg(h->pd, h->mem, BUF, all, &h->mr) == 0);
	}
	for (int i = 0; i < 2; i++) {
		struct host *h = &H[i], *o = &H[!i];
		struct roce_qp_up u = {
			.local = v6 ? &h->v6 : &h->v4,
			.remote = v6 ? &o->v6 : &o->v4,
			.iface = 0,
			.tenant = 1,
			.access = all & ~URSA_RDMA_ACCESS_LOCAL_WRITE,
			.path_mtu = mtu,
			.dest_qpn = ursa_roce_qp_num(o->qp),
			.rq_psn = 1000u * (unsigned)(2 - i),
			.sq_psn = 1000u * (unsigned)(i + 1),
			.max_dest_rd_atomic = 2,
			.max_rd_atomic = 2,
			.min_rnr_timer = 1,
			.timeout = 12,
			.retry_cnt = 7,
			.rnr_retry = 7,
		};

		CU_ASSERT_FATAL(roce_qp_up(h->qp, &u) == 0);
	}
}

static void hosts_down(void)
{
	for (int i = 0; i < 2; i++) {
		struct host *h = &H[i];

		ursa_roce_qp_destroy(h->qp);
		ursa_roce_mr_dereg(h->mr);
		ursa_roce_cq_destroy(h->cq);
		ursa_roce_pd_free(h->pd);
		ursa_lcore_destroy(h->lc);
		free(h->mem);
	}
}

static void fill(uint8_t *b, uint32_t n, uint32_t seed)
{
	for (uint32_t i = 0; i < n; i++)
		b[i] = (uint8_t)((i * 2654435761u + seed) >> 11);
}

/* A mix of SEND, WRITE, READ and FETCH_ADD from host 0 to host 1, checked byte for byte. */
static void traffic(uint32_t seed)
{
	static const uint32_t sizes[] = {0, 1, 1000, 1024, 1025, 5000, 65536};
	uint8_t *a = H[0].mem, *b = H[1].mem;
	uint32_t half = BUF / 2;

	for (unsigned k = 0; k < RTE_DIM(sizes); k++) {
		uint32_t n = sizes[k];
		struct ursa_rdma_wc wc;
		struct ursa_rdma_sge sge = {(uintptr_t)a, n, ursa_roce_mr_lkey(H[0].mr)};
		struct ursa_rdma_sge rsge = {(uintptr_t)b + half, half, ursa_roce_mr_lkey(H[1].mr)};
		struct ursa_rdma_recv_wr rwr = {.wr_id = 100 + k, .sg_list = &rsge, .num_sge = 1};
		struct ursa_rdma_send_wr wr = {.wr_id = k,
					       .opcode = URSA_RDMA_WR_SEND,
					       .send_flags = URSA_RDMA_SEND_SIGNALED,
					       .sg_list = &sge,
					       .num_sge = 1,
					       .rdma = {(uintptr_t)b, ursa_roce_mr_rkey(H[1].mr)}};

		/* SEND */
		fill(a, n, seed + k);
		CU_ASSERT_FATAL(ursa_roce_post_recv(H[1].qp, &rwr, 1) == 1);
		CU_ASSERT_FATAL(ursa_roce_post_send(H[0].qp, &wr, 1) == 1);
		CU_ASSERT_FATAL(wait_wc(0, &wc));
		CU_ASSERT_EQUAL(wc.status, URSA_RDMA_WC_SUCCESS);
		CU_ASSERT_FATAL(wait_wc(1, &wc));
		CU_ASSERT_EQUAL(wc.status, URSA_RDMA_WC_SUCCESS);
		CU_ASSERT_EQUAL(wc.byte_len, n);
		CU_ASSERT_EQUAL(memcmp(a, b + half, n), 0);
		/* WRITE */
		fill(a, n, seed + k + 7);
		wr.opcode = URSA_RDMA_WR_RDMA_WRITE;
		CU_ASSERT_FATAL(ursa_roce_post_send(H[0].qp, &wr, 1) == 1);
		CU_ASSERT_FATAL(wait_wc(0, &wc));
		CU_ASSERT_EQUAL(wc.status, URSA_RDMA_WC_SUCCESS);
		CU_ASSERT_EQUAL(memcmp(a, b, n), 0);
		/* READ back into the second half of A */
		fill(b, n, seed + k + 13);
		sge.addr = (uintptr_t)a + half;
		wr.opcode = URSA_RDMA_WR_RDMA_READ;
		CU_ASSERT_FATAL(ursa_roce_post_send(H[0].qp, &wr, 1) == 1);
		CU_ASSERT_FATAL(wait_wc(0, &wc));
		CU_ASSERT_EQUAL(wc.status, URSA_RDMA_WC_SUCCESS);
		CU_ASSERT_EQUAL(memcmp(a + half, b, n), 0);
	}
	{
		uint64_t *t = (uint64_t *)(void *)(b + 4096), v = 41;
		struct ursa_rdma_sge sge = {(uintptr_t)a + 8192, 8, ursa_roce_mr_lkey(H[0].mr)};
		struct ursa_rdma_send_wr wr = {.wr_id = 99,
					       .opcode = URSA_RDMA_WR_ATOMIC_FETCH_AND_ADD,
					       .send_flags = URSA_RDMA_SEND_SIGNALED,
					       .sg_list = &sge,
					       .num_sge = 1};
		struct ursa_rdma_wc wc;

		memcpy(t, &v, 8);
		wr.atomic.remote_addr = (uintptr_t)t;
		wr.atomic.rkey = ursa_roce_mr_rkey(H[1].mr);
		wr.atomic.compare_add = 1;
		CU_ASSERT_FATAL(ursa_roce_post_send(H[0].qp, &wr, 1) == 1);
		CU_ASSERT_FATAL(wait_wc(0, &wc));
		CU_ASSERT_EQUAL(wc.status, URSA_RDMA_WC_SUCCESS);
		CU_ASSERT_EQUAL(*t, 42);
		CU_ASSERT_EQUAL(*(uint64_t *)(void *)(a + 8192), 41);
	}
}

static void test_ipv4(void)
{
	host_up(&H[0], 0, 61);
	host_up(&H[1], 1, 62);
	qp_connect(false, 1024);
	traffic(1);
	CU_ASSERT_EQUAL(ursa_test_counter(H[1].lc, "roce", "drop_bad_icrc"), 0);
	CU_ASSERT(ursa_test_counter(H[1].lc, "udp", "rx_delivered") > 0);
	/* (retransmissions may happen while ARP resolves: the neighbour queue holds 8) */
	CU_ASSERT_EQUAL(ursa_test_counter(H[0].lc, "roce", "qp_error"), 0);
	hosts_down();
}

static void test_ipv6(void)
{
	host_up(&H[0], 0, 63);
	host_up(&H[1], 1, 64);
	for (int k = 0; k < 200; k++) /* let DAD finish */
		step();
	qp_connect(true, 1024);
	traffic(2);
	CU_ASSERT_EQUAL(ursa_test_counter(H[1].lc, "roce", "drop_bad_icrc"), 0);
	hosts_down();
}

static void test_faults(void)
{
	struct ursa_fault_conf f = {.seed = 5,
				    .drop = 0.03,
				    .dup = 0.02,
				    .reorder = 0.05,
				    .reorder_window = 4,
				    .corrupt = 0.02,
				    .corrupt_skip = 14};

	host_up(&H[0], 0, 65);
	host_up(&H[1], 1, 66);
	qp_connect(false, 1024);
	CU_ASSERT_FATAL(ursa_port_set_fault(H[0].lc, &H[0].lc->ports[0], URSA_DIR_RX, &f) == 0);
	f.seed = 6;
	CU_ASSERT_FATAL(ursa_port_set_fault(H[1].lc, &H[1].lc->ports[0], URSA_DIR_RX, &f) == 0);
	traffic(3);
	CU_ASSERT(ursa_test_counter(H[0].lc, "roce", "retransmit") > 0);
	hosts_down();
}

static void test_mtu_enforced(void)
{
	struct ursa_rdma_wc wc;
	struct ursa_rdma_sge sge;
	struct ursa_rdma_send_wr wr = {.wr_id = 1,
				       .opcode = URSA_RDMA_WR_RDMA_WRITE,
				       .send_flags = URSA_RDMA_SEND_SIGNALED,
				       .sg_list = &sge,
				       .num_sge = 1};

	host_up(&H[0], 0, 67);
	host_up(&H[1], 1, 68);
	qp_connect(false, 2048); /* the path MTU does not fit the 1500-byte link */
	sge = (struct ursa_rdma_sge){(uintptr_t)H[0].mem, 4000, ursa_roce_mr_lkey(H[0].mr)};
	wr.rdma.remote_addr = (uintptr_t)H[1].mem;
	wr.rdma.rkey = ursa_roce_mr_rkey(H[1].mr);
	{
		struct ursa_rdma_qp_attr a = {.timeout = 4};

		/* short timeout, few retries: the oversized packets never leave */
		H[0].qp->attr.timeout = a.timeout;
		H[0].qp->attr.retry_cnt = H[0].qp->retry_left = 1;
	}
	CU_ASSERT_FATAL(ursa_roce_post_send(H[0].qp, &wr, 1) == 1);
	CU_ASSERT_FATAL(wait_wc(0, &wc));
	CU_ASSERT_EQUAL(wc.status, URSA_RDMA_WC_RETRY_EXC_ERR);
	CU_ASSERT(ursa_test_counter(H[0].lc, "roce", "drop_xmit") > 0);
	CU_ASSERT_EQUAL(ursa_test_counter(H[1].lc, "roce", "rx"), 0);
	hosts_down();
}

/* An ICMP (IPv4) or ICMPv6 error from a router to host 0 about orig (a frame host 0 sent),
 * quoting quote bytes of its IP packet. Returns the frame length. */
static size_t icmp_about(uint8_t *f, const uint8_t *orig, size_t orig_len, bool v6, uint8_t type,
			 uint8_t code, uint32_t word, size_t quote)
{
	size_t ip = v6 ? 40 : 20, n;
	uint8_t *ih = f + 14 + ip;
	struct ursa_ipaddr r;
	uint16_t ck;

	quote = RTE_MIN(quote, orig_len - 14);
	n = 8 + quote;
	memcpy(f, &macs[0], 6);
	memcpy(f + 6, &macs[1], 6);
	f[12] = v6 ? 0x86 : 0x08;
	f[13] = v6 ? 0xdd : 0x00;
	memset(f + 14, 0, ip + 8);
	ih[0] = type;
	ih[1] = code;
	for (int k = 0; k < 4; k++)
		ih[4 + k] = (uint8_t)(word >> (24 - 8 * k));
	memcpy(ih + 8, orig + 14, quote);
	if (v6) {
		struct rte_ipv6_hdr *h = (struct rte_ipv6_hdr *)(f + 14);

		ursa_ipaddr_parse("fd00:8::fe", &r, NULL);
		h->vtc_flow = rte_cpu_to_be_32(6u << 28);
		h->payload_len = rte_cpu_to_be_16((uint16_t)n);
		h->proto = 58;
		h->hop_limits = 64;
		memcpy(h->src_addr, r.v6, 16);
		memcpy(h->dst_addr, H[0].v6.v6, 16);
		ck = rte_ipv6_udptcp_cksum(h, ih);
	} else {
		struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)(f + 14);

		ursa_ipaddr_parse("10.8.0.254", &r, NULL);
		h->version_ihl = 0x45;
		h->total_length = rte_cpu_to_be_16((uint16_t)(20 + n));
		h->time_to_live = 64;
		h->next_proto_id = IPPROTO_ICMP;
		h->src_addr = r.v4;
		h->dst_addr = H[0].v4.v4;
		h->hdr_checksum = rte_ipv4_cksum(h);
		ck = (uint16_t)~rte_raw_cksum(ih, n);
	}
	memcpy(ih + 2, &ck, 2);
	return 14 + ip + n;
}

static void icmp_case(bool v6)
{
	static uint8_t f0[2000], icmp[2000];
	const char *blk = v6 ? "icmp6" : "icmp";
	struct ursa_rdma_qp_attr qa;
	struct ursa_rdma_sge sge;
	struct ursa_rdma_send_wr wr = {.wr_id = 1,
				       .opcode = URSA_RDMA_WR_RDMA_WRITE,
				       .send_flags = URSA_RDMA_SEND_SIGNALED,
				       .sg_list = &sge,
				       .num_sge = 1};
	size_t ip = v6 ? 40 : 20, n0, n, quote = v6 ? 1232 : 548;
	uint8_t *bth;
	uint16_t hint;
	int err;

	host_up(&H[0], 0, 71);
	host_up(&H[1], 1, 72);
	qp_connect(v6, 1024);
	sge = (struct ursa_rdma_sge){(uintptr_t)H[0].mem, 3000, ursa_roce_mr_lkey(H[0].mr)};
	wr.rdma.remote_addr = (uintptr_t)H[1].mem;
	wr.rdma.rkey = ursa_roce_mr_rkey(H[1].mr);
	/* the neighbour known, so the WRITE leaves at once */
	ursa_neigh_update(H[0].lc, &H[0].lc->ifaces[0], v6 ? &H[1].v6 : &H[1].v4, &macs[1], true,
			  true);
	CU_ASSERT_FATAL(ursa_roce_post_send(H[0].qp, &wr, 1) == 1);
	ursa_lcore_poll(H[0].lc);
	n0 = ursa_test_tx_copy(H[0].lc, f0, sizeof(f0));
	/* WRITE_FIRST: IP, UDP, BTH, RETH, 1024 bytes, ICRC */
	CU_ASSERT_EQUAL_FATAL(n0, 14 + ip + 8 + 12 + 16 + 1024 + 4);
	ursa_test_tx_drain(H[0].lc); /* the rest is lost at the small hop */
	bth = f0 + 14 + ip + 8;

	/* a hop with a 1000-byte MTU (IPv4) / 1280 (IPv6): the largest IB MTU that fits */
	n = icmp_about(icmp, f0, n0, v6, v6 ? 2 : 3, v6 ? 0 : 4, v6 ? 1280 : 1000, quote);
	ursa_test_rx_bytes(H[0].lc, icmp, n);
	CU_ASSERT_EQUAL(ursa_test_counter(H[0].lc, blk, "rx_err_delivered"), 1);
	CU_ASSERT_EQUAL(ursa_test_counter(H[0].lc, "udp", "icmp_delivered"), 1);
	CU_ASSERT_EQUAL(ursa_test_counter(H[0].lc, "roce", "icmp_pmtu_recorded"), 1);
	ursa_roce_qp_path_status(H[0].qp, &hint, &err);
	CU_ASSERT_EQUAL(hint, v6 ? 1024 : 512);
	CU_ASSERT_EQUAL(err, 0);
	/* recorded, not applied: the peer's responder expects 1024-byte FIRST/MIDDLE packets */
	CU_ASSERT_EQUAL(ursa_roce_qp_query(H[0].qp, &qa), 0);
	CU_ASSERT_EQUAL(qa.path_mtu, 1024);

	/* forged or foreign: a PSN not in flight, another QP, no BTH quoted */
	bth[9] ^= 0x40;
	n = icmp_about(icmp, f0, n0, v6, v6 ? 1 : 3, v6 ? 4 : 3, 0, quote);
	ursa_test_rx_bytes(H[0].lc, icmp, n);
	CU_ASSERT_EQUAL(ursa_test_counter(H[0].lc, "roce", "icmp_bad_psn"), 1);
	bth[9] ^= 0x40;
	bth[5] ^= 0x01;
	n = icmp_about(icmp, f0, n0, v6, v6 ? 1 : 3, v6 ? 4 : 3, 0, quote);
	ursa_test_rx_bytes(H[0].lc, icmp, n);
	CU_ASSERT_EQUAL(ursa_test_counter(H[0].lc, "roce", "icmp_no_qp"), 1);
	bth[5] ^= 0x01;
	n = icmp_about(icmp, f0, n0, v6, v6 ? 1 : 3, v6 ? 4 : 3, 0, ip + 8 + 4);
	ursa_test_rx_bytes(H[0].lc, icmp, n);
	CU_ASSERT_EQUAL(ursa_test_counter(H[0].lc, "roce", "icmp_no_bth"), 1);
	ursa_roce_qp_path_status(H[0].qp, &hint, &err);
	CU_ASSERT_EQUAL(err, 0);

	/* the peer has no RoCE (port unreachable): recorded for the QP, which goes on */
	n = icmp_about(icmp, f0, n0, v6, v6 ? 1 : 3, v6 ? 4 : 3, 0, quote);
	ursa_test_rx_bytes(H[0].lc, icmp, n);
	CU_ASSERT_EQUAL(ursa_test_counter(H[0].lc, "roce", "icmp_err_recorded"), 1);
	ursa_roce_qp_path_status(H[0].qp, &hint, &err);
	CU_ASSERT_EQUAL(err, -ECONNREFUSED);
	CU_ASSERT_EQUAL(H[0].qp->state, URSA_RDMA_QPS_RTS);
	CU_ASSERT_EQUAL(ursa_test_counter(H[0].lc, "roce", "icmp_rx"), 5);
	hosts_down();
}

static void test_icmp_path(void)
{
	icmp_case(false);
	icmp_case(true);
}

int main(void)
{
	CU_pSuite s = ursa_test_suite("roce_stack", NULL, NULL);

	CU_add_test(s, "IPv4 over eth/arp/ip/udp", test_ipv4);
	CU_add_test(s, "IPv6 over eth/nd/ip6/udp", test_ipv6);
	CU_add_test(s, "port fault injection: loss, dup, reorder, corruption", test_faults);
	CU_add_test(s, "path MTU above the link MTU is refused", test_mtu_enforced);
	CU_add_test(s, "ICMP errors recorded for the QP they name", test_icmp_path);
	return ursa_test_main();
}
