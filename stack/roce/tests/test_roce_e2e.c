/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * End-to-end tests of the RC engine: two QPs on two fake lcores wired back to back on a
 * virtual clock. SEND, WRITE (with and without immediate), READ and atomics for message
 * sizes 0 B .. 1 MiB at every path MTU, byte for byte, with PSNs starting just before the
 * 24-bit wrap; RNR and retry exhaustion; and seeded loss, duplication, reordering and
 * corruption under which all data still arrives intact and in order.
 */
#include <errno.h>

#include "roce_pair.h"

#define BUF_SIZE ((1u << 20) + 4096)
#define CANARY	 0xa5

static uint8_t *src, *dst;
static struct pair P;
static struct ursa_roce_mr *mr_src, *mr_dst, *mr_a_dst, *mr_b_src;
static uint8_t *a_dst, *b_src;

static const uint32_t sizes[] = {0,    1,    3,	   255,	 256,  257,   1000,
				 1024, 1025, 4095, 4096, 4097, 65536, 1u << 20};
static const uint16_t mtus[] = {256, 512, 1024, 2048, 4096};

static int suite_init(void)
{
	src = malloc(BUF_SIZE);
	dst = malloc(BUF_SIZE);
	a_dst = malloc(BUF_SIZE);
	b_src = malloc(BUF_SIZE);
	return src == NULL || dst == NULL || a_dst == NULL || b_src == NULL;
}

static int suite_fini(void)
{
	free(src);
	free(dst);
	free(a_dst);
	free(b_src);
	return 0;
}

static void fill(uint8_t *b, uint32_t n, uint32_t seed)
{
	for (uint32_t i = 0; i < n; i++)
		b[i] = (uint8_t)((i * 2654435761u + seed) >> 13);
}

/* A pair with MRs: A owns src (send/write source) and a_dst (read target); B owns dst
 * (send/write target, read-only source b_src). */
static int open_pair(const struct pair_conf *c, uint64_t seed)
{
	const unsigned all = URSA_RDMA_ACCESS_LOCAL_WRITE | URSA_RDMA_ACCESS_REMOTE_WRITE |
			     URSA_RDMA_ACCESS_REMOTE_READ | URSA_RDMA_ACCESS_REMOTE_ATOMIC;

	if (pair_open(&P, c, seed) != 0)
		return -1;
	if (ursa_roce_mr_reg(P.s[0].pd, src, BUF_SIZE, 0, &mr_src) ||
	    ursa_roce_mr_reg(P.s[0].pd, a_dst, BUF_SIZE, URSA_RDMA_ACCESS_LOCAL_WRITE, &mr_a_dst) ||
	    ursa_roce_mr_reg(P.s[1].pd, dst, BUF_SIZE, all, &mr_dst) ||
	    ursa_roce_mr_reg(P.s[1].pd, b_src, BUF_SIZE, URSA_RDMA_ACCESS_REMOTE_READ, &mr_b_src))
		return -1;
	return 0;
}

static void close_pair(void)
{
	/* Frames in flight (queued between the sides, or kept for retransmission) point into the
	 * MRs (zero-copy transmit), so they go first: a busy MR refuses dereg. */
	for (int i = 0; i < 2; i++) {
		struct pair_side *s = &P.s[i];

		for (unsigned k = 0; k < s->nq; k++)
			rte_pktmbuf_free(s->q[k]);
		s->nq = 0;
		if (s->qp)
			ursa_roce_qp_destroy(s->qp);
		s->qp = NULL;
	}
	CU_ASSERT_EQUAL(ursa_roce_mr_dereg(mr_src), 0);
	CU_ASSERT_EQUAL(ursa_roce_mr_dereg(mr_a_dst), 0);
	CU_ASSERT_EQUAL(ursa_roce_mr_dereg(mr_dst), 0);
	CU_ASSERT_EQUAL(ursa_roce_mr_dereg(mr_b_src), 0);
	pair_close(&P);
}

static int post_recv(int side, uint8_t *buf, uint32_t len, uint64_t id)
{
	struct ursa_rdma_sge sge = {(uintptr_t)buf, len,
				    ursa_roce_mr_lkey(side ? mr_dst : mr_a_dst)};
	struct ursa_rdma_recv_wr wr = {.wr_id = id, .sg_list = &sge, .num_sge = 1};

	return ursa_roce_post_recv(P.s[side].qp, &wr, 1);
}

static int post(enum ursa_rdma_wr_opcode op, uint32_t len, uint32_t off, uint64_t id)
{
	struct ursa_rdma_sge sge = {(uintptr_t)src + off, len, ursa_roce_mr_lkey(mr_src)};
	struct ursa_rdma_send_wr wr = {
		.wr_id = id,
		.opcode = op,
		.send_flags = URSA_RDMA_SEND_SIGNALED,
		.sg_list = &sge,
		.num_sge = 1,
		.imm_data = rte_cpu_to_be_32(0xdeadbeef),
		.rdma = {(uintptr_t)dst + off, ursa_roce_mr_rkey(mr_dst)},
	};

	if (op == URSA_RDMA_WR_RDMA_READ) {
		sge.addr = (uintptr_t)a_dst + off;
		sge.lkey = ursa_roce_mr_lkey(mr_a_dst);
		wr.rdma.remote_addr = (uintptr_t)b_src + off;
		wr.rdma.rkey = ursa_roce_mr_rkey(mr_b_src);
	}
	return ursa_roce_post_send(P.s[0].qp, &wr, 1);
}

static bool wait_ok(int side, uint64_t id, enum ursa_rdma_wc_opcode op, uint32_t len)
{
	struct ursa_rdma_wc wc;

	if (pair_wait_wc(&P, side, &wc, 1000000) != 1) {
		fprintf(stderr, "no completion on side %d (wr %lu)\n", side, (unsigned long)id);
		return false;
	}
	if (wc.status != URSA_RDMA_WC_SUCCESS || wc.wr_id != id || wc.opcode != op ||
	    wc.byte_len != len) {
		fprintf(stderr,
			"side %d: wc id %lu status %s op %d len %u (want id %lu op %d len %u)\n",
			side, (unsigned long)wc.wr_id, ursa_rdma_wc_status_str(wc.status),
			wc.opcode, wc.byte_len, (unsigned long)id, op, len);
		return false;
	}
	return true;
}

static void run_sizes(enum ursa_rdma_wr_opcode op)
{
	for (unsigned mi = 0; mi < RTE_DIM(mtus); mi++) {
		struct pair_conf c = {.mtu = mtus[mi],
				      .psn = {0xfffff0, 0xffff80},
				      .timeout = 10,
				      .retry_cnt = 7,
				      .rnr_retry = 7,
				      .min_rnr_timer = 1};

		CU_ASSERT_FATAL(open_pair(&c, 100 + mi) == 0);
		for (unsigned si = 0; si < RTE_DIM(sizes); si++) {
			uint32_t n = sizes[si];
			uint64_t id = mi * 100 + si;
			uint8_t *from = op == URSA_RDMA_WR_RDMA_READ ? b_src : src;
			uint8_t *to = op == URSA_RDMA_WR_RDMA_READ ? a_dst : dst;
			bool ok;

			fill(from, n, (uint32_t)id);
			memset(to, CANARY, n + 64);
			if (op == URSA_RDMA_WR_SEND)
				CU_ASSERT_FATAL(post_recv(1, dst, BUF_SIZE - 64, id) == 1);
			CU_ASSERT_FATAL(post(op, n, 0, id) == 1);
			ok = wait_ok(0, id,
				     op == URSA_RDMA_WR_SEND	    ? URSA_RDMA_WC_SEND
				     : op == URSA_RDMA_WR_RDMA_READ ? URSA_RDMA_WC_RDMA_READ
								    : URSA_RDMA_WC_RDMA_WRITE,
				     n);
			CU_ASSERT(ok);
			if (op == URSA_RDMA_WR_SEND)
				CU_ASSERT(wait_ok(1, id, URSA_RDMA_WC_RECV, n));
			CU_ASSERT_EQUAL(memcmp(from, to, n), 0);
			for (unsigned k = 0; k < 64; k++)
				if (to[n + k] != CANARY) {
					CU_FAIL("bytes after the message were written");
					break;
				}
			if (!ok) {
				fprintf(stderr, "mtu %u size %u failed\n", mtus[mi], n);
				break;
			}
		}
		/* every packet carried a good ICRC and nothing was dropped */
		CU_ASSERT_EQUAL(ursa_test_counter(P.s[0].lc, "roce", "drop_bad_icrc"), 0);
		CU_ASSERT_EQUAL(ursa_test_counter(P.s[1].lc, "roce", "drop_bad_icrc"), 0);
		CU_ASSERT_EQUAL(ursa_test_counter(P.s[0].lc, "roce", "retransmit"), 0);
		CU_ASSERT_EQUAL(ursa_test_counter(P.s[1].lc, "roce", "tx_nak_psn"), 0);
		close_pair();
	}
}

static void test_send_sizes(void)
{
	run_sizes(URSA_RDMA_WR_SEND);
}

static void test_write_sizes(void)
{
	run_sizes(URSA_RDMA_WR_RDMA_WRITE);
}

static void test_read_sizes(void)
{
	run_sizes(URSA_RDMA_WR_RDMA_READ);
}

static void test_write_imm_and_atomics(void)
{
	struct pair_conf c = {.mtu = 1024,
			      .psn = {0x123, 0xfffffe},
			      .timeout = 10,
			      .retry_cnt = 7,
			      .rnr_retry = 7,
			      .min_rnr_timer = 1};
	struct ursa_rdma_wc wc;
	uint64_t *target = (uint64_t *)(dst + 64);
	uint64_t *result = (uint64_t *)a_dst;
	struct ursa_rdma_sge sge = {(uintptr_t)result, 8, 0};
	struct ursa_rdma_send_wr wr = {.opcode = URSA_RDMA_WR_ATOMIC_FETCH_AND_ADD,
				       .send_flags = URSA_RDMA_SEND_SIGNALED,
				       .sg_list = &sge,
				       .num_sge = 1};

	CU_ASSERT_FATAL(open_pair(&c, 9) == 0);
	/* WRITE with immediate: data placed, a receive WQE consumed, imm passed through */
	fill(src, 3000, 5);
	CU_ASSERT_FATAL(post_recv(1, dst + 8192, 16, 77) == 1);
	CU_ASSERT_FATAL(post(URSA_RDMA_WR_RDMA_WRITE_WITH_IMM, 3000, 0, 1) == 1);
	CU_ASSERT(wait_ok(0, 1, URSA_RDMA_WC_RDMA_WRITE, 3000));
	CU_ASSERT_FATAL(pair_wait_wc(&P, 1, &wc, 100000) == 1);
	CU_ASSERT_EQUAL(wc.status, URSA_RDMA_WC_SUCCESS);
	CU_ASSERT_EQUAL(wc.opcode, URSA_RDMA_WC_RECV_RDMA_WITH_IMM);
	CU_ASSERT_EQUAL(wc.wr_id, 77);
	CU_ASSERT_EQUAL(wc.byte_len, 3000);
	CU_ASSERT(wc.wc_flags & URSA_RDMA_WC_WITH_IMM);
	CU_ASSERT_EQUAL(wc.imm_data, rte_cpu_to_be_32(0xdeadbeef));
	CU_ASSERT_EQUAL(memcmp(src, dst, 3000), 0);

	/* FETCH_ADD */
	sge.lkey = ursa_roce_mr_lkey(mr_a_dst);
	*target = 1000;
	wr.wr_id = 2;
	wr.atomic.remote_addr = (uintptr_t)target;
	wr.atomic.rkey = ursa_roce_mr_rkey(mr_dst);
	wr.atomic.compare_add = 5;
	CU_ASSERT_FATAL(ursa_roce_post_send(P.s[0].qp, &wr, 1) == 1);
	CU_ASSERT(wait_ok(0, 2, URSA_RDMA_WC_FETCH_ADD, 8));
	CU_ASSERT_EQUAL(*result, 1000);
	CU_ASSERT_EQUAL(*target, 1005);
	CU_ASSERT_EQUAL(ursa_test_counter(P.s[1].lc, "roce", "tx_atomic_ack"), 1);
	/* CMP_SWAP that matches */
	wr.wr_id = 3;
	wr.opcode = URSA_RDMA_WR_ATOMIC_CMP_AND_SWP;
	wr.atomic.compare_add = 1005;
	wr.atomic.swap = 0x1122334455667788ull;
	CU_ASSERT_FATAL(ursa_roce_post_send(P.s[0].qp, &wr, 1) == 1);
	CU_ASSERT(wait_ok(0, 3, URSA_RDMA_WC_COMP_SWAP, 8));
	CU_ASSERT_EQUAL(*result, 1005);
	CU_ASSERT_EQUAL(*target, 0x1122334455667788ull);
	/* CMP_SWAP that does not match: no change, the current value comes back */
	wr.wr_id = 4;
	wr.atomic.compare_add = 1;
	wr.atomic.swap = 2;
	CU_ASSERT_FATAL(ursa_roce_post_send(P.s[0].qp, &wr, 1) == 1);
	CU_ASSERT(wait_ok(0, 4, URSA_RDMA_WC_COMP_SWAP, 8));
	CU_ASSERT_EQUAL(*result, 0x1122334455667788ull);
	CU_ASSERT_EQUAL(*target, 0x1122334455667788ull);
	/* misaligned atomics are refused at post time */
	wr.atomic.remote_addr = (uintptr_t)target + 4;
	CU_ASSERT_EQUAL(ursa_roce_post_send(P.s[0].qp, &wr, 1), -EINVAL);
	close_pair();
}

static void test_rnr(void)
{
	struct pair_conf c = {.mtu = 1024,
			      .psn = {1, 2},
			      .timeout = 10,
			      .retry_cnt = 7,
			      .rnr_retry = 7,
			      .min_rnr_timer = 14};
	struct ursa_rdma_wc wc;
	uint64_t t0;

	CU_ASSERT_FATAL(open_pair(&c, 11) == 0);
	fill(src, 5000, 1);
	CU_ASSERT_FATAL(post(URSA_RDMA_WR_SEND, 5000, 0, 1) == 1);
	t0 = ursa_now(P.s[0].lc);
	for (int k = 0; k < 20; k++)
		pair_step(&P);
	CU_ASSERT(ursa_test_counter(P.s[1].lc, "roce", "tx_rnr_nak") >= 1);
	CU_ASSERT_EQUAL(ursa_roce_cq_poll(P.s[0].cq, &wc, 1), 0);
	/* the receiver posts late: the retry after the RNR time (code 14 = 1.28 ms) succeeds */
	CU_ASSERT_FATAL(post_recv(1, dst, 8192, 9) == 1);
	CU_ASSERT(wait_ok(0, 1, URSA_RDMA_WC_SEND, 5000));
	CU_ASSERT(wait_ok(1, 9, URSA_RDMA_WC_RECV, 5000));
	CU_ASSERT(ursa_now(P.s[0].lc) - t0 >= 1280 * URSA_NS_PER_US);
	CU_ASSERT(ursa_test_counter(P.s[0].lc, "roce", "rnr_retry") >= 1);
	CU_ASSERT_EQUAL(memcmp(src, dst, 5000), 0);
	close_pair();

	/* rnr_retry 0: the first RNR NAK fails the WQE, the QP goes to error, the rest flushes */
	c.rnr_retry = 0;
	CU_ASSERT_FATAL(open_pair(&c, 12) == 0);
	CU_ASSERT_FATAL(post(URSA_RDMA_WR_SEND, 100, 0, 1) == 1);
	CU_ASSERT_FATAL(post(URSA_RDMA_WR_SEND, 100, 0, 2) == 1);
	CU_ASSERT_FATAL(pair_wait_wc(&P, 0, &wc, 10000) == 1);
	CU_ASSERT_EQUAL(wc.wr_id, 1);
	CU_ASSERT_EQUAL(wc.status, URSA_RDMA_WC_RNR_RETRY_EXC_ERR);
	CU_ASSERT_FATAL(pair_wait_wc(&P, 0, &wc, 10000) == 1);
	CU_ASSERT_EQUAL(wc.wr_id, 2);
	CU_ASSERT_EQUAL(wc.status, URSA_RDMA_WC_WR_FLUSH_ERR);
	close_pair();
}

static void test_retry_exceeded(void)
{
	struct pair_conf c = {.mtu = 1024,
			      .psn = {1, 2},
			      .timeout = 8,
			      .retry_cnt = 3,
			      .rnr_retry = 7,
			      .min_rnr_timer = 1};
	struct ursa_rdma_wc wc;
	uint64_t t0;

	CU_ASSERT_FATAL(open_pair(&c, 13) == 0);
	P.drop = 1.0; /* a dead link */
	t0 = ursa_now(P.s[0].lc);
	CU_ASSERT_FATAL(post(URSA_RDMA_WR_RDMA_WRITE, 100, 0, 1) == 1);
	CU_ASSERT_FATAL(pair_wait_wc(&P, 0, &wc, 100000) == 1);
	CU_ASSERT_EQUAL(wc.status, URSA_RDMA_WC_RETRY_EXC_ERR);
	/* 1 + retry_cnt transmissions, each waiting 4.096 us * 2^8 */
	CU_ASSERT_EQUAL(ursa_test_counter(P.s[0].lc, "roce", "timeout"), 4);
	CU_ASSERT_EQUAL(ursa_test_counter(P.s[0].lc, "roce", "retransmit"), 3);
	CU_ASSERT_EQUAL(ursa_test_counter(P.s[0].lc, "roce", "tx"), 4);
	CU_ASSERT_EQUAL(ursa_now(P.s[0].lc) - t0, 4 * (4096ull << 8));
	CU_ASSERT_EQUAL(ursa_roce_post_send(P.s[0].qp, NULL, 0), 0);
	close_pair();
}

/* Seeded loss, duplication, reordering and corruption: everything arrives, in order. */
static void run_faults(uint64_t seed, uint16_t mtu, double drop, double dup, double reorder,
		       double corrupt)
{
	struct pair_conf c = {.mtu = mtu,
			      .psn = {0xffff00, 0xfffff0},
			      .timeout = 8,
			      .retry_cnt = 7,
			      .rnr_retry = 7,
			      .min_rnr_timer = 1};
	struct ursa_rng r;
	enum { NMSG = 24 };
	uint32_t len[NMSG], off[NMSG];
	enum ursa_rdma_wr_opcode ops[NMSG];
	uint32_t pos = 0;

	ursa_rng_seed(&r, seed);
	CU_ASSERT_FATAL(open_pair(&c, seed) == 0);
	P.drop = drop;
	P.dup = dup;
	P.reorder = reorder;
	P.corrupt = corrupt;
	fill(src, BUF_SIZE, (uint32_t)seed);
	fill(b_src, BUF_SIZE, (uint32_t)seed + 1);
	memset(dst, 0, BUF_SIZE);
	memset(a_dst, 0, BUF_SIZE);
	for (int i = 0; i < NMSG; i++) {
		len[i] = (uint32_t)ursa_rng_below(&r, 40000);
		off[i] = pos;
		pos += len[i];
		ops[i] = (enum ursa_rdma_wr_opcode)(i % 3 == 0	 ? URSA_RDMA_WR_SEND
						    : i % 3 == 1 ? URSA_RDMA_WR_RDMA_WRITE
								 : URSA_RDMA_WR_RDMA_READ);
		if (ops[i] == URSA_RDMA_WR_SEND)
			CU_ASSERT_FATAL(post_recv(1, dst + off[i], len[i], 1000 + i) == 1);
		CU_ASSERT_FATAL(post(ops[i], len[i], off[i], i) == 1);
	}
	for (int i = 0; i < NMSG; i++) {
		enum ursa_rdma_wc_opcode o = ops[i] == URSA_RDMA_WR_SEND ? URSA_RDMA_WC_SEND
					     : ops[i] == URSA_RDMA_WR_RDMA_READ
						     ? URSA_RDMA_WC_RDMA_READ
						     : URSA_RDMA_WC_RDMA_WRITE;

		CU_ASSERT(wait_ok(0, (uint64_t)i, o, len[i])); /* in posting order */
	}
	for (int i = 0; i < NMSG; i++) {
		if (ops[i] == URSA_RDMA_WR_SEND)
			CU_ASSERT(wait_ok(1, 1000 + (uint64_t)i, URSA_RDMA_WC_RECV, len[i]));
		if (ops[i] == URSA_RDMA_WR_RDMA_READ) {
			CU_ASSERT_EQUAL(memcmp(a_dst + off[i], b_src + off[i], len[i]), 0);
		} else {
			CU_ASSERT_EQUAL(memcmp(dst + off[i], src + off[i], len[i]), 0);
		}
	}
	if (drop > 0)
		CU_ASSERT(ursa_test_counter(P.s[0].lc, "roce", "retransmit") > 0);
	if (corrupt > 0)
		CU_ASSERT(ursa_test_counter(P.s[0].lc, "roce", "drop_bad_icrc") +
				  ursa_test_counter(P.s[1].lc, "roce", "drop_bad_icrc") +
				  ursa_test_counter(P.s[0].lc, "roce", "drop_ip_framing") +
				  ursa_test_counter(P.s[1].lc, "roce", "drop_ip_framing") >
			  0);
	if (dup > 0)
		CU_ASSERT(ursa_test_counter(P.s[1].lc, "roce", "rx_dup_req") > 0);
	close_pair();
}

static void test_faults_loss(void)
{
	run_faults(21, 1024, 0.05, 0, 0, 0);
}

static void test_faults_dup_reorder(void)
{
	run_faults(22, 512, 0, 0.05, 0.1, 0);
}

static void test_faults_corrupt(void)
{
	run_faults(23, 4096, 0, 0, 0, 0.03);
}

static void test_faults_all(void)
{
	for (uint64_t seed = 30; seed < 34; seed++)
		run_faults(seed, mtus[seed % RTE_DIM(mtus)], 0.03, 0.02, 0.05, 0.02);
}

/* Gather from three SGEs, scatter into two. */
static void test_sge_lists(void)
{
	struct pair_conf c = {
		.mtu = 256, .psn = {5, 6}, .timeout = 10, .retry_cnt = 7, .rnr_retry = 7};
	struct ursa_rdma_sge s[3] = {{(uintptr_t)src + 100, 300, 0},
				     {(uintptr_t)src + 5000, 1, 0},
				     {(uintptr_t)src + 9000, 700, 0}};
	struct ursa_rdma_sge r[2] = {{(uintptr_t)dst, 500, 0}, {(uintptr_t)dst + 4000, 600, 0}};
	struct ursa_rdma_recv_wr rwr = {.wr_id = 8, .sg_list = r, .num_sge = 2};
	struct ursa_rdma_send_wr wr = {.wr_id = 7,
				       .opcode = URSA_RDMA_WR_SEND,
				       .send_flags = URSA_RDMA_SEND_SIGNALED,
				       .sg_list = s,
				       .num_sge = 3};
	uint8_t want[1001];

	CU_ASSERT_FATAL(open_pair(&c, 50) == 0);
	fill(src, BUF_SIZE, 9);
	memset(dst, 0, 8192);
	for (int i = 0; i < 3; i++)
		s[i].lkey = ursa_roce_mr_lkey(mr_src);
	for (int i = 0; i < 2; i++)
		r[i].lkey = ursa_roce_mr_lkey(mr_dst);
	memcpy(want, src + 100, 300);
	want[300] = src[5000];
	memcpy(want + 301, src + 9000, 700);
	CU_ASSERT_FATAL(ursa_roce_post_recv(P.s[1].qp, &rwr, 1) == 1);
	CU_ASSERT_FATAL(ursa_roce_post_send(P.s[0].qp, &wr, 1) == 1);
	CU_ASSERT(wait_ok(0, 7, URSA_RDMA_WC_SEND, 1001));
	CU_ASSERT(wait_ok(1, 8, URSA_RDMA_WC_RECV, 1001));
	CU_ASSERT_EQUAL(memcmp(dst, want, 500), 0);
	CU_ASSERT_EQUAL(memcmp(dst + 4000, want + 500, 501), 0);
	CU_ASSERT_EQUAL(dst[4000 + 501], 0);
	close_pair();
}

/* Work requests without SGEs (num_sge 0, sg_list NULL, as the verbs API allows): a 0-byte
 * SEND into a receive without SGEs, and a 0-byte WRITE. Under UBSan this also shows that no
 * NULL reaches memcpy. */
static void test_no_sges(void)
{
	struct pair_conf c = {
		.mtu = 1024, .psn = {11, 12}, .timeout = 10, .retry_cnt = 7, .rnr_retry = 7};
	struct ursa_rdma_recv_wr rwr = {.wr_id = 21, .sg_list = NULL, .num_sge = 0};
	struct ursa_rdma_send_wr wr = {.wr_id = 22,
				       .opcode = URSA_RDMA_WR_SEND,
				       .send_flags = URSA_RDMA_SEND_SIGNALED,
				       .sg_list = NULL,
				       .num_sge = 0};

	CU_ASSERT_FATAL(open_pair(&c, 60) == 0);
	CU_ASSERT_FATAL(ursa_roce_post_recv(P.s[1].qp, &rwr, 1) == 1);
	CU_ASSERT_FATAL(ursa_roce_post_send(P.s[0].qp, &wr, 1) == 1);
	CU_ASSERT(wait_ok(0, 22, URSA_RDMA_WC_SEND, 0));
	CU_ASSERT(wait_ok(1, 21, URSA_RDMA_WC_RECV, 0));
	wr.wr_id = 23;
	wr.opcode = URSA_RDMA_WR_RDMA_WRITE;
	wr.rdma.remote_addr = (uintptr_t)dst;
	wr.rdma.rkey = ursa_roce_mr_rkey(mr_dst);
	CU_ASSERT_FATAL(ursa_roce_post_send(P.s[0].qp, &wr, 1) == 1);
	CU_ASSERT(wait_ok(0, 23, URSA_RDMA_WC_RDMA_WRITE, 0));
	close_pair();
}

static void test_ipv6(void)
{
	struct pair_conf c = {.mtu = 2048,
			      .psn = {7, 9},
			      .timeout = 10,
			      .retry_cnt = 7,
			      .rnr_retry = 7,
			      .v6 = true};

	CU_ASSERT_FATAL(open_pair(&c, 40) == 0);
	fill(src, 10000, 3);
	CU_ASSERT_FATAL(post_recv(1, dst, 20000, 5) == 1);
	CU_ASSERT_FATAL(post(URSA_RDMA_WR_SEND, 10000, 0, 1) == 1);
	CU_ASSERT(wait_ok(0, 1, URSA_RDMA_WC_SEND, 10000));
	CU_ASSERT(wait_ok(1, 5, URSA_RDMA_WC_RECV, 10000));
	CU_ASSERT_EQUAL(memcmp(src, dst, 10000), 0);
	fill(b_src, 7000, 4);
	CU_ASSERT_FATAL(post(URSA_RDMA_WR_RDMA_READ, 7000, 0, 2) == 1);
	CU_ASSERT(wait_ok(0, 2, URSA_RDMA_WC_RDMA_READ, 7000));
	CU_ASSERT_EQUAL(memcmp(b_src, a_dst, 7000), 0);
	close_pair();
}

int main(void)
{
	CU_pSuite s = ursa_test_suite("roce_e2e", suite_init, suite_fini);

	CU_add_test(s, "SEND 0 B..1 MiB at every PMTU", test_send_sizes);
	CU_add_test(s, "WRITE 0 B..1 MiB at every PMTU", test_write_sizes);
	CU_add_test(s, "READ 0 B..1 MiB at every PMTU", test_read_sizes);
	CU_add_test(s, "WRITE with immediate, atomics", test_write_imm_and_atomics);
	CU_add_test(s, "RNR NAK: wait and retry; rnr_retry 0", test_rnr);
	CU_add_test(s, "retry_cnt exhausted on a dead link", test_retry_exceeded);
	CU_add_test(s, "faults: loss", test_faults_loss);
	CU_add_test(s, "faults: duplication + reordering", test_faults_dup_reorder);
	CU_add_test(s, "faults: corruption", test_faults_corrupt);
	CU_add_test(s, "faults: all at once, 4 seeds", test_faults_all);
	CU_add_test(s, "SGE lists: gather 3, scatter 2", test_sge_lists);
	CU_add_test(s, "no SGEs: 0-byte SEND and WRITE", test_no_sges);
	CU_add_test(s, "IPv6 SEND and READ", test_ipv6);
	return ursa_test_main();
}
