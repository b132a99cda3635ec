/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Seeded random-packet robustness test of the receive path (the in-tree companion of the
 * libFuzzer entry ursa_roce_fuzz_input): random opcodes, header fields, keys, addresses,
 * lengths and pad counts, most of them with a correct ICRC so that they reach the responder
 * and the completer. Invariants: nothing crashes (run it under ASan/UBSan), every packet is
 * either dispatched or dropped with a counted reason, and no byte outside the MR is ever
 * written, whatever the requests say.
 */
#include <errno.h>
#include <sys/socket.h>

#include <rte_ip.h>
#include <rte_udp.h>

#include "roce_priv.h"
#include "roce_qp_up.h"
#include "ursa_roce_testing.h"
#include "ursa_test.h"

#define MR_LEN 8192
#define GUARD  4096
#define CANARY 0xc3

static struct ursa_lcore *lc;
static struct ursa_roce_pd *pd;
static struct ursa_roce_cq *cq;
static struct ursa_roce_qp *qp;
static struct ursa_roce_mr *mr, *lmr;
static uint8_t *arena; /* GUARD | MR | GUARD */
static uint8_t lbuf[65536];

static int sink(struct ursa_lcore *l, void *arg, const struct ursa_roce_path *p, struct rte_mbuf *m)
{
	RTE_SET_USED(l), RTE_SET_USED(arg), RTE_SET_USED(p);
	rte_pktmbuf_free(m);
	return 0;
}

static void qp_up(void)
{
	struct ursa_rdma_qp_attr a = {0};
	struct ursa_ipaddr l, r;

	l = ursa_test_ip("10.0.0.1");
	r = ursa_test_ip("10.0.0.2");
	a.qp_state = URSA_RDMA_QPS_RESET;
	CU_ASSERT_FATAL(ursa_roce_qp_modify(qp, &a, URSA_RDMA_QP_STATE, NULL) == 0);
	CU_ASSERT_FATAL(
		roce_qp_up(qp, &(struct roce_qp_up){.local = &l,
						    .remote = &r,
						    .access = URSA_RDMA_ACCESS_REMOTE_WRITE |
							      URSA_RDMA_ACCESS_REMOTE_READ |
							      URSA_RDMA_ACCESS_REMOTE_ATOMIC,
						    .path_mtu = 256,
						    .dest_qpn = 0x42,
						    .rq_psn = 1000,
						    .sq_psn = 2000,
						    .max_dest_rd_atomic = 4,
						    .max_rd_atomic = 4,
						    .timeout = 10,
						    .retry_cnt = 7,
						    .rnr_retry = 7}) == 0);
	/* outstanding work on both sides, so responses have something to complete */
	for (int k = 0; k < 4; k++) {
		struct ursa_rdma_sge s = {(uintptr_t)lbuf + 8192u * (unsigned)k, 8192,
					  ursa_roce_mr_lkey(lmr)};
		struct ursa_rdma_recv_wr rw = {.wr_id = (uint64_t)k, .sg_list = &s, .num_sge = 1};
		struct ursa_rdma_send_wr sw = {.wr_id = (uint64_t)k,
					       .sg_list = &s,
					       .num_sge = 1,
					       .rdma = {0x1000, 0x1234}};

		sw.opcode = (enum ursa_rdma_wr_opcode)(k == 0	? URSA_RDMA_WR_RDMA_READ
						       : k == 1 ? URSA_RDMA_WR_SEND
						       : k == 2 ? URSA_RDMA_WR_ATOMIC_FETCH_AND_ADD
								: URSA_RDMA_WR_RDMA_WRITE);
		if (k == 2) {
			s.length = 8;
			sw.atomic.remote_addr = 0x2000;
		}
		ursa_roce_post_recv(qp, &rw, 1);
		ursa_roce_post_send(qp, &sw, 1);
	}
}

static void dump(const char *block, const char *name, uint64_t val, void *arg)
{
	RTE_SET_USED(arg);
	if (strcmp(block, "roce") == 0 && val != 0)
		fprintf(stderr, "%s %lu\n", name, (unsigned long)val);
}

static void test_random_packets(void)
{
	static const char *const recv_drops[] = {
		"drop_short",	 "drop_ip_framing", "drop_bad_opcode", "drop_bad_tver",
		"drop_bad_len",	 "drop_bad_pad",    "drop_no_qp",      "drop_qp_state",
		"drop_bad_addr", "drop_bad_iface",  "drop_bad_pkey",   "drop_bad_icrc",
	};
	struct ursa_rng r;
	struct ursa_roce_conf conf = {.max_qp = 8};
	uint64_t sum;

	ursa_rng_seed(&r, 2026);
	lc = ursa_test_lcore(77);
	CU_ASSERT_FATAL(lc != NULL);
	CU_ASSERT_FATAL(ursa_roce_ctx_create(lc, &conf) == 0);
	ursa_roce_set_xmit(lc, sink, NULL);
	arena = malloc(GUARD + MR_LEN + GUARD);
	CU_ASSERT_FATAL(arena != NULL);
	memset(arena, CANARY, GUARD + MR_LEN + GUARD);
	CU_ASSERT_FATAL(ursa_roce_pd_alloc(lc, &pd) == 0);
	CU_ASSERT_FATAL(ursa_roce_cq_create(lc, 65536, &cq) == 0);
	{
		struct ursa_rdma_qp_cap cap = {16, 16, 1, 1};

		CU_ASSERT_FATAL(ursa_roce_qp_create(pd, cq, cq, &cap, false, &qp) == 0);
	}
	CU_ASSERT_FATAL(ursa_roce_mr_reg(pd, arena + GUARD, MR_LEN,
					 URSA_RDMA_ACCESS_LOCAL_WRITE |
						 URSA_RDMA_ACCESS_REMOTE_WRITE |
						 URSA_RDMA_ACCESS_REMOTE_READ |
						 URSA_RDMA_ACCESS_REMOTE_ATOMIC,
					 &mr) == 0);
	CU_ASSERT_FATAL(
		ursa_roce_mr_reg(pd, lbuf, sizeof(lbuf), URSA_RDMA_ACCESS_LOCAL_WRITE, &lmr) == 0);
	qp_up();

	for (int it = 0; it < 30000; it++) {
		uint8_t p[1600];
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)p;
		struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(p + 20);
		uint8_t op = (uint8_t)(ursa_rng_below(&r, 10) == 0 ? ursa_rng_u32(&r)
								   : ursa_rng_below(&r, 0x18));
		const struct roce_opinfo *oi = roce_opinfo(op);
		unsigned hl = oi ? oi->length : 12 + (unsigned)ursa_rng_below(&r, 30);
		unsigned pay = (unsigned)ursa_rng_below(&r, 4) == 0
				       ? (unsigned)ursa_rng_below(&r, 1100)
				       : (unsigned)ursa_rng_below(&r, 300);
		unsigned len;

		if (oi && !(oi->mask & ROCE_M_PAYLOAD) && ursa_rng_below(&r, 10))
			pay = 0;
		if (oi && (oi->mask & ROCE_M_PAYLOAD) && ursa_rng_below(&r, 2))
			pay = (unsigned)ursa_rng_below(&r, 257);
		len = 28 + hl + pay + 4;
		struct rte_mbuf *m;

		if (len > sizeof(p))
			len = sizeof(p);
		ursa_rng_fill(&r, p, len);
		ip->version_ihl = ursa_rng_below(&r, 50) ? 0x45 : (uint8_t)ursa_rng_u32(&r);
		ip->total_length = rte_cpu_to_be_16(
			(uint16_t)(ursa_rng_below(&r, 50) ? len : ursa_rng_below(&r, 2000)));
		ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
		ip->next_proto_id =
			ursa_rng_below(&r, 50) ? IPPROTO_UDP : (uint8_t)ursa_rng_u32(&r);
		ip->src_addr = ursa_rng_below(&r, 20) ? rte_cpu_to_be_32(0x0a000002) : ip->src_addr;
		ip->dst_addr = ursa_rng_below(&r, 20) ? rte_cpu_to_be_32(0x0a000001) : ip->dst_addr;
		udp->dst_port = rte_cpu_to_be_16(4791);
		udp->dgram_len = rte_cpu_to_be_16(
			(uint16_t)(ursa_rng_below(&r, 50) ? len - 20 : ursa_rng_below(&r, 2000)));
		p[28] = op;
		if (ursa_rng_below(&r, 8))
			p[29] &= 0x30 | 0x80; /* mostly TVer 0 */
		if (ursa_rng_below(&r, 8))    /* mostly a consistent pad count */
			p[29] = (uint8_t)((p[29] & 0x80) | ((-(pay - ((-pay) & 3)) & 3) << 4));
		if (ursa_rng_below(&r, 8)) {
			p[30] = p[31] = 0xff;
			roce_put24(p + 33, ursa_roce_qp_num(qp));
		}
		if (ursa_rng_below(&r, 4)) { /* PSN near the expected ones */
			uint32_t base = oi && (oi->mask & ROCE_M_RESP) ? qp->una : qp->resp.psn;

			roce_put24(p + 37, roce_psn_add(base, (uint32_t)ursa_rng_below(&r, 6)) -
						   (ursa_rng_below(&r, 4) == 0 ? 2 : 0));
		}
		if (oi && (oi->mask & (ROCE_M_RETH | ROCE_M_ATMETH)) && ursa_rng_below(&r, 2)) {
			/* a real key, and a VA around the MR */
			uint64_t va =
				(uintptr_t)arena + GUARD - 64 + ursa_rng_below(&r, MR_LEN + 128);
			rte_be64_t bva = rte_cpu_to_be_64(ursa_rng_below(&r, 4) ? va & ~7ull : va);
			rte_be32_t key = rte_cpu_to_be_32(ursa_roce_mr_rkey(mr));

			memcpy(p + 40, &bva, 8);
			memcpy(p + 48, &key, 4);
			if ((oi->mask & ROCE_M_RETH) && ursa_rng_below(&r, 4)) {
				uint32_t rl = (oi->mask & ROCE_M_WRITE) && ursa_rng_below(&r, 2)
						      ? pay - ((-pay) & 3)
						      : (uint32_t)ursa_rng_below(&r, 2048);
				rte_be32_t l = rte_cpu_to_be_32(rl);

				memcpy(p + 52, &l, 4);
			}
		}
		m = ursa_test_mbuf(lc, p, len);
		CU_ASSERT_FATAL(m != NULL);
		if (ursa_rng_below(&r, 10) && len >= 44 && (p[0] >> 4) == 4)
			roce_icrc_put(
				rte_pktmbuf_mtod_offset(m, uint8_t *, len - 4),
				roce_icrc_calc(rte_pktmbuf_mtod(m, uint8_t *), m, 28, len - 32));
		ursa_roce_input_l3(lc, m, 0);
		if (it % 64 == 0) {
			struct ursa_rdma_wc wc[64];

			ursa_test_advance(lc, 1000000);
			while (ursa_roce_cq_poll(cq, wc, 64) > 0)
				;
		}
		if (it % 40 == 0)
			qp_up(); /* errors put it in ERR: bring it back to keep going deep */
	}
	if (getenv("ROCE_FUZZ_VERBOSE") != NULL)
		ursa_stats_foreach(lc, dump, NULL);
	/* every packet was dispatched or dropped with a reason */
	sum = ursa_test_counter(lc, "roce", "rx_req") + ursa_test_counter(lc, "roce", "rx_resp");
	for (unsigned i = 0; i < RTE_DIM(recv_drops); i++)
		sum += ursa_test_counter(lc, "roce", recv_drops[i]);
	CU_ASSERT_EQUAL(sum, ursa_test_counter(lc, "roce", "rx"));
	CU_ASSERT_EQUAL(ursa_test_counter(lc, "roce", "rx"), 30000);
	/* the fuzzing reached the responder and the completer */
	CU_ASSERT(ursa_test_counter(lc, "roce", "rx_req") > 1000);
	CU_ASSERT(ursa_test_counter(lc, "roce", "rx_resp") > 100);
	CU_ASSERT(ursa_test_counter(lc, "roce", "tx_nak_access") > 10);
	/* nothing outside the MR was touched */
	for (unsigned i = 0; i < GUARD; i++)
		if (arena[i] != CANARY || arena[GUARD + MR_LEN + i] != CANARY) {
			CU_FAIL("a byte outside the MR was written");
			break;
		}
	CU_ASSERT_EQUAL(ursa_roce_fuzz_input(lc, (const uint8_t *)"\x45", 1), 0);
	CU_ASSERT_EQUAL(ursa_roce_fuzz_input(lc, NULL, 0), 0);
	ursa_roce_qp_destroy(qp);
	ursa_roce_mr_dereg(mr);
	ursa_roce_mr_dereg(lmr);
	ursa_roce_cq_destroy(cq);
	ursa_roce_pd_free(pd);
	ursa_lcore_destroy(lc);
	free(arena);
}

/* The fixed fuzz target: documented parameters reach the responder. */
static void test_fuzz_setup(void)
{
	static const char *hex = "4500004000004000401100000a0000020a000001"
				 "c00012b7002c0000"
				 "0a00ffff0000001180000000"
				 "0000000000010000"
				 "00c0ffee"
				 "00000004"
				 "deadbeef";
	uint8_t b[64];
	unsigned n = 0;
	struct ursa_lcore *l = ursa_test_lcore(88);
	struct rte_mbuf *m;

	CU_ASSERT_FATAL(l != NULL);
	CU_ASSERT_EQUAL(ursa_roce_fuzz_setup(l), 0);
	CU_ASSERT_EQUAL(ursa_roce_fuzz_setup(l), -EEXIST);
	for (const char *p = hex; *p; p += 2) {
		unsigned v;

		sscanf(p, "%2x", &v);
		b[n++] = (uint8_t)v;
	}
	/* fix the ICRC, then feed: a WRITE_ONLY of 4 bytes at iova 0x10000 with the fixed key */
	m = ursa_test_mbuf(l, b, n + 4);
	roce_icrc_put(rte_pktmbuf_mtod_offset(m, uint8_t *, n),
		      roce_icrc_calc(rte_pktmbuf_mtod(m, uint8_t *), m, 28, n - 28));
	CU_ASSERT_EQUAL(ursa_roce_fuzz_input(l, rte_pktmbuf_mtod(m, uint8_t *), n + 4), 0);
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(ursa_test_counter(l, "roce", "rx_req"), 1);
	CU_ASSERT_EQUAL(ursa_test_counter(l, "roce", "tx_ack"), 1);
	ursa_lcore_destroy(l);
}

int main(void)
{
	CU_pSuite s = ursa_test_suite("roce_fuzz", NULL, NULL);

	CU_add_test(s, "30000 random packets: counted, contained", test_random_packets);
	CU_add_test(s, "ursa_roce_fuzz_setup target", test_fuzz_setup);
	return ursa_test_main();
}
