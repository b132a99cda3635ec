/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RoCEv2 between two whole ursa stacks in one process over a DPDK net_ring ethdev pair
 * (test_roce_ring.h), driven from one thread on virtual clocks, so every run is the same.
 *
 * Every opcode (SEND, SEND with immediate, SEND with invalidate, RDMA WRITE, WRITE with
 * immediate, RDMA READ, CMP_SWAP, FETCH_ADD) at every path MTU (256 .. 4096) and at the
 * sizes 0, 1, MTU-1, MTU, MTU+1, 64 KiB and 1 MiB, plus 16 MiB WRITE and READ; each message
 * is seeded data checked byte for byte inside canary guards, with exact completions.
 * Then the same under seeded fault injection on both ports (5% loss, 5% reordering, 1%
 * duplication, 0.1% corruption): every message completes successfully, intact and in
 * order, the injectors really faulted and the transport really retransmitted.
 *
 * ROCE_RING_ONLY=<substring of test names> runs only those tests, ROCE_RING_SKIP=<substring>
 * all others; ROCE_RING_TRACE=1 prints what big messages and the faults cost.
 */
#include "test_roce_ring.h"

enum rr_op {
	RR_SEND,
	RR_SEND_IMM,
	RR_SEND_INV,
	RR_WRITE,
	RR_WRITE_IMM,
	RR_READ,
	RR_OP_MAX,
};

static const char *const rr_op_names[RR_OP_MAX] = {
	[RR_SEND] = "SEND",   [RR_SEND_IMM] = "SEND_IMM",   [RR_SEND_INV] = "SEND_INV",
	[RR_WRITE] = "WRITE", [RR_WRITE_IMM] = "WRITE_IMM", [RR_READ] = "READ",
};

static const enum ursa_rdma_wr_opcode rr_wr_op[RR_OP_MAX] = {
	[RR_SEND] = URSA_RDMA_WR_SEND,
	[RR_SEND_IMM] = URSA_RDMA_WR_SEND_WITH_IMM,
	[RR_SEND_INV] = URSA_RDMA_WR_SEND_WITH_INV,
	[RR_WRITE] = URSA_RDMA_WR_RDMA_WRITE,
	[RR_WRITE_IMM] = URSA_RDMA_WR_RDMA_WRITE_WITH_IMM,
	[RR_READ] = URSA_RDMA_WR_RDMA_READ,
};

static const enum ursa_rdma_wc_opcode rr_wc_op[RR_OP_MAX] = {
	[RR_SEND] = URSA_RDMA_WC_SEND,
	[RR_SEND_IMM] = URSA_RDMA_WC_SEND,
	[RR_SEND_INV] = URSA_RDMA_WC_SEND,
	[RR_WRITE] = URSA_RDMA_WC_RDMA_WRITE,
	[RR_WRITE_IMM] = URSA_RDMA_WC_RDMA_WRITE,
	[RR_READ] = URSA_RDMA_WC_RDMA_READ,
};

/* The fault mix of issue 4, on the Tx side of both ports (seed differs per port). */
static const struct ursa_fault_conf rr_faults = {
	.seed = 4,
	.drop = 0.05,
	.dup = 0.01,
	.reorder = 0.05,
	.reorder_window = 4,
	.corrupt = 0.001,
};

static struct rr_pair P;
static bool clean_wire; /* no faults: packet counts are exact */
static bool trace;	/* ROCE_RING_TRACE: print what each big message cost */

/* ---- data ---------------------------------------------------------------------------- */

static void fill(uint8_t *b, uint32_t n, uint64_t seed)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;

	for (uint32_t i = 0; i < n; i++) {
		if ((i & 7) == 0) { /* splitmix64 */
			uint64_t z = (x += 0x9e3779b97f4a7c15ull);

			z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
			z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
			x ^= z ^ (z >> 31);
		}
		b[i] = (uint8_t)(x >> (8 * (i & 7)));
	}
}

/* Canaries before dst, from dst + n to the end of the slot's trailing guard (RR_GUARD past
 * the largest message is enough to see an overrun): set them and the target bytes. */
static void guard_arm(uint8_t *dst, uint32_t n)
{
	memset(dst - RR_GUARD, RR_CANARY, (size_t)n + 2 * RR_GUARD);
}

static bool guard_intact(const uint8_t *dst, uint32_t n)
{
	for (uint32_t i = 1; i <= RR_GUARD; i++)
		if (dst[-(int64_t)i] != RR_CANARY || dst[(size_t)n + i - 1] != RR_CANARY)
			return false;
	return true;
}

static void dump_cb(const char *block, const char *name, uint64_t val, void *arg)
{
	if (val != 0)
		fprintf(stderr, "    host %d %s.%s = %" PRIu64 "\n", *(const int *)arg, block, name,
			val);
}

/* Every non-zero counter of both hosts, to explain a failure. */
static void dump_counters(void)
{
	for (int i = 0; i < 2; i++)
		ursa_stats_foreach(P.h[i].lc, dump_cb, &i);
}

/* ---- one message --------------------------------------------------------------------- */

/* Send one message of n bytes with op from host 0 to host 1 (READ: from host 1's slot 0 into
 * host 0's slot 1) and check both completions exactly and the data byte for byte. Returns
 * true when everything matched. */
static bool xfer(enum rr_op op, uint32_t n, uint64_t seed)
{
	struct rr_host *a = &P.h[0], *b = &P.h[1];
	uint8_t *src = op == RR_READ ? rr_slot(b, 0) : rr_slot(a, 0);
	uint8_t *dst = op == RR_READ ? rr_slot(a, 1) : rr_slot(b, 1);
	bool recv = op == RR_SEND || op == RR_SEND_IMM || op == RR_SEND_INV || op == RR_WRITE_IMM;
	rte_be32_t imm = rte_cpu_to_be_32((uint32_t)(seed * 2654435761u) | 1u);
	struct ursa_roce_mr *inv = NULL;
	struct ursa_rdma_wc wc, extra;
	struct ursa_rdma_sge sge = {(uintptr_t)(op == RR_READ ? dst : src), n,
				    ursa_roce_mr_lkey(a->mr)};
	struct ursa_rdma_sge rsge = {(uintptr_t)dst, n + RR_GUARD, ursa_roce_mr_lkey(b->mr)};
	struct ursa_rdma_recv_wr rwr = {
		.wr_id = 0x5000 + seed, .sg_list = &rsge, .num_sge = op == RR_WRITE_IMM ? 0 : 1};
	struct ursa_rdma_send_wr wr = {.wr_id = 0x1000 + seed,
				       .opcode = rr_wr_op[op],
				       .send_flags = URSA_RDMA_SEND_SIGNALED,
				       .sg_list = &sge,
				       .num_sge = 1,
				       .imm_data = imm};
	unsigned before = CU_get_number_of_failures();
	uint32_t mtu = P.h[0].qp->attr.path_mtu, npkt = n ? (n + mtu - 1) / mtu : 1;
	uint64_t a_tx = rr_counter(&P, 0, "roce", "tx"), b_rx = rr_counter(&P, 1, "roce", "rx_req");
	uint64_t b_rresp = rr_counter(&P, 1, "roce", "tx_read_resp");
	uint64_t fr[2] = {rr_port_c(&P, 0)->tx_pkts, rr_port_c(&P, 1)->tx_pkts};
	uint64_t t0 = ursa_now(P.h[0].lc);

	fill(src, n, seed);
	guard_arm(dst, n);
	if (op == RR_READ) {
		wr.rdma.remote_addr = (uintptr_t)src;
		wr.rdma.rkey = ursa_roce_mr_rkey(b->mr);
	} else {
		wr.rdma.remote_addr = (uintptr_t)dst;
		wr.rdma.rkey = ursa_roce_mr_rkey(b->mr);
	}
	if (op == RR_SEND_INV) {
		/* a second MR over host 1's slot 0, registered as invalidatable, which the
		 * SEND asks host 1 to invalidate */
		CU_ASSERT_FATAL(ursa_roce_mr_reg(b->pd, rr_slot(b, 0), 4096,
						 URSA_RDMA_ACCESS_LOCAL_WRITE |
							 URSA_RDMA_ACCESS_REMOTE_WRITE |
							 URSA_RDMA_ACCESS_REMOTE_INVALIDATE,
						 &inv) == 0);
		wr.invalidate_rkey = ursa_roce_mr_rkey(inv);
		CU_ASSERT_FATAL(roce_mr_lookup(b->lc->roce, wr.invalidate_rkey) == inv);
	}
	if (recv)
		CU_ASSERT_FATAL(ursa_roce_post_recv(b->qp, &rwr, 1) == 1);
	CU_ASSERT_FATAL(ursa_roce_post_send(a->qp, &wr, 1) == 1);

	if (!rr_wait_wc(&P, 0, &wc)) {
		dump_counters();
		CU_FAIL_FATAL("no completion at the requester");
	}
	if (wc.status != URSA_RDMA_WC_SUCCESS) {
		fprintf(stderr, "\n  requester completion %s\n",
			ursa_rdma_wc_status_str(wc.status));
		dump_counters();
	}
	CU_ASSERT_EQUAL(wc.status, URSA_RDMA_WC_SUCCESS);
	CU_ASSERT_EQUAL(wc.opcode, rr_wc_op[op]);
	CU_ASSERT_EQUAL(wc.wr_id, 0x1000 + seed);
	CU_ASSERT_EQUAL(wc.byte_len, n);
	CU_ASSERT_EQUAL(wc.qp_num, ursa_roce_qp_num(a->qp));
	CU_ASSERT_EQUAL(wc.wc_flags, 0);
	if (recv) {
		CU_ASSERT_FATAL(rr_wait_wc(&P, 1, &wc));
		CU_ASSERT_EQUAL(wc.status, URSA_RDMA_WC_SUCCESS);
		CU_ASSERT_EQUAL(wc.opcode, op == RR_WRITE_IMM ? URSA_RDMA_WC_RECV_RDMA_WITH_IMM
							      : URSA_RDMA_WC_RECV);
		CU_ASSERT_EQUAL(wc.wr_id, 0x5000 + seed);
		CU_ASSERT_EQUAL(wc.byte_len, n);
		CU_ASSERT_EQUAL(wc.qp_num, ursa_roce_qp_num(b->qp));
		switch (op) {
		case RR_SEND_IMM:
		case RR_WRITE_IMM:
			CU_ASSERT_EQUAL(wc.wc_flags, URSA_RDMA_WC_WITH_IMM);
			CU_ASSERT_EQUAL(wc.imm_data, imm);
			break;
		case RR_SEND_INV:
			CU_ASSERT_EQUAL(wc.wc_flags, URSA_RDMA_WC_WITH_INV);
			CU_ASSERT_EQUAL(wc.invalidated_rkey, wr.invalidate_rkey);
			CU_ASSERT(roce_mr_lookup(b->lc->roce, wr.invalidate_rkey) == NULL);
			break;
		default:
			CU_ASSERT_EQUAL(wc.wc_flags, 0);
		}
	}
	if (inv != NULL)
		CU_ASSERT_EQUAL(ursa_roce_mr_dereg(inv), 0);
	/* nothing else completed on either side */
	CU_ASSERT_EQUAL(ursa_roce_cq_poll(a->cq, &extra, 1), 0);
	CU_ASSERT_EQUAL(ursa_roce_cq_poll(b->cq, &extra, 1), 0);
	CU_ASSERT(n == 0 || memcmp(dst, src, n) == 0);
	CU_ASSERT(guard_intact(dst, n));
	if (clean_wire) {
		/* one request packet per path MTU of data (READ: one request, and as many
		 * response packets), each received once */
		uint64_t req = op == RR_READ ? 1 : npkt;

		CU_ASSERT_EQUAL(rr_counter(&P, 0, "roce", "tx") - a_tx, req);
		CU_ASSERT_EQUAL(rr_counter(&P, 1, "roce", "rx_req") - b_rx, req);
		CU_ASSERT_EQUAL(rr_counter(&P, 1, "roce", "tx_read_resp") - b_rresp,
				op == RR_READ ? npkt : 0);
	}
	if (trace && n >= (1u << 20))
		fprintf(stderr,
			"\n  %s %u B at path MTU %u: %u packets of data; frames A->B %" PRIu64
			", B->A %" PRIu64 ", %.1f ms virtual\n",
			rr_op_names[op], n, mtu, npkt, rr_port_c(&P, 0)->tx_pkts - fr[0],
			rr_port_c(&P, 1)->tx_pkts - fr[1],
			(double)(ursa_now(P.h[0].lc) - t0) / URSA_NS_PER_MS);
	if (CU_get_number_of_failures() != before) {
		fprintf(stderr, "\n  %s of %u bytes (seed %" PRIu64 ", path MTU %u) failed\n",
			rr_op_names[op], n, seed, mtu);
		return false;
	}
	return true;
}

/* CMP_SWAP (one that matches, one that does not) and FETCH_ADD on an 8-byte word of host
 * 1's slot 1; the old value lands in host 0's slot 1. */
static void atomics(uint64_t seed)
{
	struct rr_host *a = &P.h[0], *b = &P.h[1];
	uint8_t *res = rr_slot(a, 1), *tgt = rr_slot(b, 1) + 8 * (seed % 64);
	uint64_t v0 = 0x0123456789abcdefull ^ seed, v, r;
	struct ursa_rdma_sge sge = {(uintptr_t)res, 8, ursa_roce_mr_lkey(a->mr)};
	struct ursa_rdma_send_wr wr = {
		.send_flags = URSA_RDMA_SEND_SIGNALED, .sg_list = &sge, .num_sge = 1};
	struct ursa_rdma_wc wc;
	const struct {
		enum ursa_rdma_wr_opcode op;
		enum ursa_rdma_wc_opcode wc;
		uint64_t cmp_add, swap, old, after;
	} steps[] = {
		/* matches: swapped */
		{URSA_RDMA_WR_ATOMIC_CMP_AND_SWP, URSA_RDMA_WC_COMP_SWAP, v0, ~v0, v0, ~v0},
		/* does not match: left alone, old value returned */
		{URSA_RDMA_WR_ATOMIC_CMP_AND_SWP, URSA_RDMA_WC_COMP_SWAP, v0, 7, ~v0, ~v0},
		/* adds, wrapping at 2^64 */
		{URSA_RDMA_WR_ATOMIC_FETCH_AND_ADD, URSA_RDMA_WC_FETCH_ADD, v0 + 1, 0, ~v0, 0},
		{URSA_RDMA_WR_ATOMIC_FETCH_AND_ADD, URSA_RDMA_WC_FETCH_ADD, 0x1000, 0, 0, 0x1000},
	};

	guard_arm(tgt, 8);
	memcpy(tgt, &v0, 8);
	for (unsigned k = 0; k < RTE_DIM(steps); k++) {
		guard_arm(res, 8);
		wr.wr_id = 0x9000 + k;
		wr.opcode = steps[k].op;
		wr.atomic.remote_addr = (uintptr_t)tgt;
		wr.atomic.rkey = ursa_roce_mr_rkey(b->mr);
		wr.atomic.compare_add = steps[k].cmp_add;
		wr.atomic.swap = steps[k].swap;
		CU_ASSERT_FATAL(ursa_roce_post_send(a->qp, &wr, 1) == 1);
		CU_ASSERT_FATAL(rr_wait_wc(&P, 0, &wc));
		CU_ASSERT_EQUAL(wc.status, URSA_RDMA_WC_SUCCESS);
		CU_ASSERT_EQUAL(wc.opcode, steps[k].wc);
		CU_ASSERT_EQUAL(wc.wr_id, 0x9000 + k);
		CU_ASSERT_EQUAL(wc.byte_len, 8);
		memcpy(&r, res, 8);
		memcpy(&v, tgt, 8);
		CU_ASSERT_EQUAL(r, steps[k].old);
		CU_ASSERT_EQUAL(v, steps[k].after);
		CU_ASSERT(guard_intact(res, 8));
		CU_ASSERT(guard_intact(tgt, 8));
	}
	CU_ASSERT_EQUAL(ursa_roce_cq_poll(b->cq, &wc, 1), 0);
}

/* Every opcode at 0, 1, MTU-1, MTU, MTU+1, 64 KiB and 1 MiB, then the atomics. */
static unsigned matrix(uint16_t mtu, uint64_t seed)
{
	const uint32_t sizes[] = {0, 1, mtu - 1u, mtu, mtu + 1u, 64u << 10, 1u << 20};
	unsigned bad = 0;

	for (unsigned s = 0; s < RTE_DIM(sizes); s++)
		for (int op = 0; op < RR_OP_MAX; op++)
			bad += !xfer((enum rr_op)op, sizes[s], seed++);
	atomics(seed);
	return bad;
}

/* Many messages in flight at once: 24 SENDs of different sizes into 24 receive buffers
 * posted in order must complete in order, each intact; then 24 WRITEs into adjacent
 * regions closed by a WRITE with immediate whose completion means all of them landed. */
static void in_order(uint16_t mtu, uint64_t seed)
{
	enum { N = 24 };
	struct rr_host *a = &P.h[0], *b = &P.h[1];
	uint32_t len[N], off[N], total = 0;
	struct ursa_rdma_sge sge[N], rsge[N];
	struct ursa_rdma_wc wc;

	for (unsigned k = 0; k < N; k++) {
		len[k] = (uint32_t)(k * (mtu / 2u + 37u)) % (3u * mtu + 1u);
		off[k] = total;
		total += len[k] + RR_GUARD;
	}
	fill(rr_slot(a, 0), total, seed);
	guard_arm(rr_slot(b, 1), total);
	for (unsigned k = 0; k < N; k++) {
		struct ursa_rdma_recv_wr rwr = {
			.wr_id = 0x7000 + k, .sg_list = &rsge[k], .num_sge = 1};

		rsge[k] = (struct ursa_rdma_sge){(uintptr_t)rr_slot(b, 1) + off[k], len[k],
						 ursa_roce_mr_lkey(b->mr)};
		CU_ASSERT_FATAL(ursa_roce_post_recv(b->qp, &rwr, 1) == 1);
	}
	for (unsigned k = 0; k < N; k++) {
		struct ursa_rdma_send_wr wr = {.wr_id = 0x6000 + k,
					       .opcode = URSA_RDMA_WR_SEND,
					       .send_flags = URSA_RDMA_SEND_SIGNALED,
					       .sg_list = &sge[k],
					       .num_sge = 1};

		sge[k] = (struct ursa_rdma_sge){(uintptr_t)rr_slot(a, 0) + off[k], len[k],
						ursa_roce_mr_lkey(a->mr)};
		CU_ASSERT_FATAL(ursa_roce_post_send(a->qp, &wr, 1) == 1);
	}
	for (unsigned k = 0; k < N; k++) {
		CU_ASSERT_FATAL(rr_wait_wc(&P, 1, &wc));
		CU_ASSERT_EQUAL(wc.status, URSA_RDMA_WC_SUCCESS);
		CU_ASSERT_EQUAL(wc.wr_id, 0x7000 + k);
		CU_ASSERT_EQUAL(wc.byte_len, len[k]);
	}
	for (unsigned k = 0; k < N; k++) {
		CU_ASSERT_FATAL(rr_wait_wc(&P, 0, &wc));
		CU_ASSERT_EQUAL(wc.status, URSA_RDMA_WC_SUCCESS);
		CU_ASSERT_EQUAL(wc.wr_id, 0x6000 + k);
		CU_ASSERT_EQUAL(wc.byte_len, len[k]);
	}
	for (unsigned k = 0; k < N; k++) {
		CU_ASSERT(memcmp(rr_slot(b, 1) + off[k], rr_slot(a, 0) + off[k], len[k]) == 0);
		CU_ASSERT(guard_intact(rr_slot(b, 1) + off[k], len[k]));
	}

	/* WRITEs, the last with immediate */
	fill(rr_slot(a, 0), total, seed + 1);
	guard_arm(rr_slot(b, 1), total);
	{
		/* no SGE; sg_list is still non-NULL: with NULL, ursa_roce_post_recv passes NULL
		 * to memcpy (UBSan: roce_qp.c, see the report of this suite's author) */
		struct ursa_rdma_recv_wr rwr = {.wr_id = 0x7777, .sg_list = rsge, .num_sge = 0};

		CU_ASSERT_FATAL(ursa_roce_post_recv(b->qp, &rwr, 1) == 1);
	}
	for (unsigned k = 0; k < N; k++) {
		struct ursa_rdma_send_wr wr = {
			.wr_id = 0x6100 + k,
			.opcode = k + 1 == N ? URSA_RDMA_WR_RDMA_WRITE_WITH_IMM
					     : URSA_RDMA_WR_RDMA_WRITE,
			.send_flags = URSA_RDMA_SEND_SIGNALED,
			.sg_list = &sge[k],
			.num_sge = 1,
			.imm_data = rte_cpu_to_be_32(0xfeed0000u + k),
			.rdma = {(uintptr_t)rr_slot(b, 1) + off[k], ursa_roce_mr_rkey(b->mr)}};

		CU_ASSERT_FATAL(ursa_roce_post_send(a->qp, &wr, 1) == 1);
	}
	CU_ASSERT_FATAL(rr_wait_wc(&P, 1, &wc));
	CU_ASSERT_EQUAL(wc.status, URSA_RDMA_WC_SUCCESS);
	CU_ASSERT_EQUAL(wc.opcode, URSA_RDMA_WC_RECV_RDMA_WITH_IMM);
	CU_ASSERT_EQUAL(wc.wr_id, 0x7777);
	CU_ASSERT_EQUAL(wc.byte_len, len[N - 1]);
	CU_ASSERT_EQUAL(wc.imm_data, rte_cpu_to_be_32(0xfeed0000u + N - 1));
	/* the immediate arrives after every earlier WRITE has been placed */
	for (unsigned k = 0; k < N; k++) {
		CU_ASSERT(memcmp(rr_slot(b, 1) + off[k], rr_slot(a, 0) + off[k], len[k]) == 0);
		CU_ASSERT(guard_intact(rr_slot(b, 1) + off[k], len[k]));
	}
	for (unsigned k = 0; k < N; k++) {
		CU_ASSERT_FATAL(rr_wait_wc(&P, 0, &wc));
		CU_ASSERT_EQUAL(wc.status, URSA_RDMA_WC_SUCCESS);
		CU_ASSERT_EQUAL(wc.wr_id, 0x6100 + k);
	}
	CU_ASSERT_EQUAL(ursa_roce_cq_poll(a->cq, &wc, 1), 0);
	CU_ASSERT_EQUAL(ursa_roce_cq_poll(b->cq, &wc, 1), 0);
}

/* ---- tests ------------------------------------------------------------------------------ */

/* Counters that must stay 0 on a clean wire (after the warm-up below). */
static const char *const clean_zero[] = {
	"retransmit",	  "timeout",	   "rnr_retry",	       "qp_error",	  "tx_nak_psn",
	"tx_nak_inv_req", "tx_nak_access", "tx_nak_op",	       "tx_rnr_nak",	  "rx_dup_req",
	"drop_bad_icrc",  "drop_psn_oos",  "drop_no_qp",       "drop_resp_stale", "drop_xmit",
	"drop_no_mbuf",	  "drop_bad_len",  "drop_cq_overflow",
};

/* Neighbour resolution queues only a few frames: one zero-length WRITE resolves it both
 * ways before anything is counted. */
static void warm_up(void)
{
	CU_ASSERT_FATAL(xfer(RR_WRITE, 0, 1));
	CU_ASSERT_FATAL(xfer(RR_READ, 0, 2));
	rr_settle(&P, 100 * URSA_NS_PER_MS);
}

static void clean_mtu(uint16_t mtu)
{
	struct rr_conf c = {.path_mtu = mtu, .seed = 100 + mtu};
	uint64_t base[2][RTE_DIM(clean_zero)];

	rr_open(&P, &c);
	clean_wire = true;
	warm_up();
	for (int i = 0; i < 2; i++)
		for (unsigned k = 0; k < RTE_DIM(clean_zero); k++)
			base[i][k] = rr_counter(&P, i, "roce", clean_zero[k]);
	CU_ASSERT_EQUAL(matrix(mtu, 1000), 0);
	in_order(mtu, 2000);
	rr_settle(&P, 100 * URSA_NS_PER_MS);
	for (int i = 0; i < 2; i++)
		for (unsigned k = 0; k < RTE_DIM(clean_zero); k++)
			if (rr_counter(&P, i, "roce", clean_zero[k]) != base[i][k]) {
				fprintf(stderr, "\n  host %d roce %s %" PRIu64 " -> %" PRIu64 "\n",
					i, clean_zero[k], base[i][k],
					rr_counter(&P, i, "roce", clean_zero[k]));
				CU_FAIL("a clean wire saw recovery or drops");
			}
	/* what A sent is exactly what B received and the other way round; the ring never
	 * filled */
	for (int i = 0; i < 2; i++) {
		CU_ASSERT_EQUAL(rr_port_c(&P, i)->tx_full_drop, 0);
		CU_ASSERT_EQUAL(rr_port_c(&P, i)->tx_pkts, rr_port_c(&P, !i)->rx_pkts);
		CU_ASSERT_EQUAL(rr_port_c(&P, i)->tx_bytes, rr_port_c(&P, !i)->rx_bytes);
	}
	rr_close(&P);
}

static void test_clean_256(void)
{
	clean_mtu(256);
}
static void test_clean_512(void)
{
	clean_mtu(512);
}
static void test_clean_1024(void)
{
	clean_mtu(1024);
}
static void test_clean_2048(void)
{
	clean_mtu(2048);
}
static void test_clean_4096(void)
{
	clean_mtu(4096);
}

/* 16 MiB WRITE, READ and SEND. */
static void big(uint16_t mtu)
{
	struct rr_conf c = {.path_mtu = mtu, .seed = 300 + mtu};

	rr_open(&P, &c);
	clean_wire = true;
	warm_up();
	CU_ASSERT(xfer(RR_WRITE, RR_MAX_MSG, 3001));
	CU_ASSERT(xfer(RR_READ, RR_MAX_MSG, 3002));
	CU_ASSERT(xfer(RR_SEND, RR_MAX_MSG, 3003));
	CU_ASSERT_EQUAL(rr_counter(&P, 0, "roce", "retransmit"), 0);
	CU_ASSERT_EQUAL(rr_counter(&P, 1, "roce", "retransmit"), 0);
	rr_close(&P);
}

static void test_big_256(void)
{
	big(256);
}
static void test_big_512(void)
{
	big(512);
}
static void test_big_1024(void)
{
	big(1024);
}
static void test_big_2048(void)
{
	big(2048);
}
static void test_big_4096(void)
{
	big(4096);
}

static void faulty_mtu(uint16_t mtu, bool big)
{
	struct rr_conf c = {.path_mtu = mtu, .seed = 500 + mtu, .fault = &rr_faults};
	uint64_t corrupted = 0;

	rr_open(&P, &c);
	clean_wire = false;
	CU_ASSERT_EQUAL(matrix(mtu, 5000), 0);
	in_order(mtu, 6000);
	if (big) {
		CU_ASSERT(xfer(RR_WRITE, RR_MAX_MSG, 7001));
		CU_ASSERT(xfer(RR_READ, RR_MAX_MSG, 7002));
	}
	rr_settle(&P, 1000 * URSA_NS_PER_MS);
	for (int i = 0; i < 2; i++) {
		const struct ursa_fault_counters *f = rr_fault_c(&P, i);

		CU_ASSERT_FATAL(f != NULL);
		/* the injector really did each kind of fault, both ways */
		CU_ASSERT(f->dropped > 0);
		CU_ASSERT(f->duplicated > 0);
		CU_ASSERT(f->reordered > 0);
		corrupted += f->corrupted;
		/* once drained, every frame in came out once, minus drops, plus copies; the port
		 * handed each to the ring or, when a burst found the ring full, dropped it
		 * (counted: one more loss), and the ring delivered everything it took */
		CU_ASSERT_EQUAL(f->out, f->in - f->dropped + f->duplicated);
		CU_ASSERT_EQUAL(rr_port_c(&P, i)->tx_pkts + rr_port_c(&P, i)->tx_full_drop, f->out);
		CU_ASSERT_EQUAL(rr_port_c(&P, i)->tx_pkts, rr_port_c(&P, !i)->rx_pkts);
		/* and the transport recovered: the requester retransmitted, nothing broke */
		CU_ASSERT_EQUAL(rr_counter(&P, i, "roce", "qp_error"), 0);
	}
	CU_ASSERT(corrupted > 0);
	/* corrupted RoCE packets were caught by the ICRC (the rest by IP/UDP/ARP checks) */
	CU_ASSERT(rr_counter(&P, 0, "roce", "drop_bad_icrc") +
			  rr_counter(&P, 1, "roce", "drop_bad_icrc") >
		  0);
	CU_ASSERT(rr_counter(&P, 0, "roce", "retransmit") > 0);
	CU_ASSERT(rr_counter(&P, 1, "roce", "rx_dup_req") > 0);
	if (trace)
		for (int i = 0; i < 2; i++) {
			const struct ursa_fault_counters *f = rr_fault_c(&P, i);

			fprintf(stderr,
				"\n  mtu %u host %d: in %" PRIu64 " drop %" PRIu64 " dup %" PRIu64
				" reorder %" PRIu64 " corrupt %" PRIu64 "; retransmit %" PRIu64
				" timeout %" PRIu64 " icrc %" PRIu64 " resp_unexpected %" PRIu64
				" nak_psn %" PRIu64 " ring full %" PRIu64 "\n",
				mtu, i, f->in, f->dropped, f->duplicated, f->reordered,
				f->corrupted, rr_counter(&P, i, "roce", "retransmit"),
				rr_counter(&P, i, "roce", "timeout"),
				rr_counter(&P, i, "roce", "drop_bad_icrc"),
				rr_counter(&P, i, "roce", "drop_resp_unexpected"),
				rr_counter(&P, i, "roce", "rx_nak_psn"),
				rr_port_c(&P, i)->tx_full_drop);
		}
	rr_close(&P);
}

static void test_faulty_256(void)
{
	faulty_mtu(256, false);
}
static void test_faulty_512(void)
{
	faulty_mtu(512, false);
}
static void test_faulty_1024(void)
{
	faulty_mtu(1024, true);
}
static void test_faulty_2048(void)
{
	faulty_mtu(2048, false);
}
static void test_faulty_4096(void)
{
	faulty_mtu(4096, false);
}

struct snap {
	unsigned n;
	uint64_t v[1024];
};

static void snap_cb(const char *block, const char *name, uint64_t val, void *arg)
{
	struct snap *sn = arg;

	RTE_SET_USED(block), RTE_SET_USED(name);
	if (sn->n < RTE_DIM(sn->v))
		sn->v[sn->n] = val;
	sn->n++;
}

/* One faulty run at path MTU 2048; every counter of both hosts (stack, port, injector). */
static void faulty_run(struct snap sn[2], uint64_t fault_seed)
{
	struct ursa_fault_conf fc = rr_faults;
	struct rr_conf c = {.path_mtu = 2048, .seed = 77, .fault = &fc};

	fc.seed = fault_seed;
	rr_open(&P, &c);
	clean_wire = false;
	CU_ASSERT_EQUAL(matrix(2048, 8000), 0);
	rr_settle(&P, 1000 * URSA_NS_PER_MS);
	for (int i = 0; i < 2; i++) {
		const struct ursa_fault_counters *f = rr_fault_c(&P, i);

		memset(&sn[i], 0, sizeof(sn[i]));
		ursa_stats_foreach(P.h[i].lc, snap_cb, &sn[i]);
		CU_ASSERT_FATAL(sn[i].n + 8 <= RTE_DIM(sn[i].v));
		memcpy(&sn[i].v[sn[i].n], f, sizeof(*f));
		sn[i].n += 8;
	}
	sn[0].v[sn[0].n++] = ursa_now(P.h[0].lc);
	rr_close(&P);
}

/* The same seeds give the same run: every counter and the virtual time agree exactly (and
 * another fault seed gives another run, so the comparison can see a difference). */
static void test_deterministic(void)
{
	static struct snap a[2], b[2], c[2];

	RTE_BUILD_BUG_ON(sizeof(struct ursa_fault_counters) != 8 * sizeof(uint64_t));
	faulty_run(a, 4);
	faulty_run(b, 4);
	faulty_run(c, 5);
	CU_ASSERT(a[0].n > 100);
	for (int i = 0; i < 2; i++) {
		CU_ASSERT_EQUAL(a[i].n, b[i].n);
		CU_ASSERT(memcmp(a[i].v, b[i].v, a[i].n * sizeof(a[i].v[0])) == 0);
		CU_ASSERT_EQUAL(a[i].n, c[i].n);
		CU_ASSERT(memcmp(a[i].v, c[i].v, a[i].n * sizeof(a[i].v[0])) != 0);
	}
}

/* The checks themselves: a byte off either end of a message, or one wrong byte inside it,
 * is seen. */
static void test_checks(void)
{
	static uint8_t buf[4 * RR_GUARD + 100], src[100];
	uint8_t *dst = buf + RR_GUARD;

	fill(src, sizeof(src), 42);
	guard_arm(dst, sizeof(src));
	memcpy(dst, src, sizeof(src));
	CU_ASSERT(guard_intact(dst, sizeof(src)));
	CU_ASSERT(memcmp(dst, src, sizeof(src)) == 0);
	dst[-1] ^= 1;
	CU_ASSERT(!guard_intact(dst, sizeof(src)));
	dst[-1] ^= 1;
	dst[sizeof(src)] ^= 1;
	CU_ASSERT(!guard_intact(dst, sizeof(src)));
	dst[sizeof(src)] ^= 1;
	dst[sizeof(src) + RR_GUARD - 1] ^= 1;
	CU_ASSERT(!guard_intact(dst, sizeof(src)));
	dst[sizeof(src) + RR_GUARD - 1] ^= 1;
	CU_ASSERT(guard_intact(dst, sizeof(src)));
	dst[57] ^= 0x80;
	CU_ASSERT(memcmp(dst, src, sizeof(src)) != 0);
	/* the data differs from seed to seed and is not constant */
	fill(buf, sizeof(src), 43);
	CU_ASSERT(memcmp(buf, src, sizeof(src)) != 0);
	CU_ASSERT(src[0] != src[1] || src[1] != src[2] || src[2] != src[3]);
}

/* The port is a real net_ring ethdev on both sides (not a memory port). */
static void test_ethdev(void)
{
	struct rr_conf c = {.path_mtu = 1024, .seed = 9};
	struct rte_eth_dev_info info;

	rr_open(&P, &c);
	clean_wire = true;
	for (int i = 0; i < 2; i++) {
		struct ursa_port *pt = &P.h[i].lc->ports[P.h[i].port];

		CU_ASSERT_EQUAL(P.h[i].lc->nb_ports, 1);
		CU_ASSERT_NOT_EQUAL(pt->ethdev, UINT16_MAX);
		CU_ASSERT_FATAL(rte_eth_dev_info_get(pt->ethdev, &info) == 0);
		CU_ASSERT_STRING_EQUAL(info.driver_name, "net_ring");
	}
	warm_up();
	CU_ASSERT(rr_port_c(&P, 0)->tx_pkts > 0);
	CU_ASSERT(rr_counter(&P, 1, "roce", "rx_req") > 0);
	rr_close(&P);
}

int main(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{"canary guards and byte checks see a one-byte error", test_checks},
		{"two stacks over a net_ring ethdev pair", test_ethdev},
		{"every opcode and size, path MTU 256", test_clean_256},
		{"every opcode and size, path MTU 512", test_clean_512},
		{"every opcode and size, path MTU 1024", test_clean_1024},
		{"every opcode and size, path MTU 2048", test_clean_2048},
		{"every opcode and size, path MTU 4096", test_clean_4096},
		{"16 MiB WRITE/READ/SEND, path MTU 256", test_big_256},
		{"16 MiB WRITE/READ/SEND, path MTU 512", test_big_512},
		{"16 MiB WRITE/READ/SEND, path MTU 1024", test_big_1024},
		{"16 MiB WRITE/READ/SEND, path MTU 2048", test_big_2048},
		{"16 MiB WRITE/READ/SEND, path MTU 4096", test_big_4096},
		{"faults both ways, path MTU 256", test_faulty_256},
		{"faults both ways, path MTU 512", test_faulty_512},
		{"faults both ways, path MTU 1024, with 16 MiB WRITE and READ", test_faulty_1024},
		{"faults both ways, path MTU 2048", test_faulty_2048},
		{"faults both ways, path MTU 4096", test_faulty_4096},
		{"same seeds, same run to the last counter", test_deterministic},
	};
	const char *only = getenv("ROCE_RING_ONLY"), *skip = getenv("ROCE_RING_SKIP");
	CU_pSuite s;

	trace = getenv("ROCE_RING_TRACE") != NULL;
	ursa_test_eal();
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("roce_ring", NULL, NULL);
	for (unsigned k = 0; k < RTE_DIM(tests); k++)
		if ((only == NULL || strstr(tests[k].name, only) != NULL) &&
		    (skip == NULL || strstr(tests[k].name, skip) == NULL))
			CU_add_test(s, tests[k].name, tests[k].fn);
	return ursa_test_main();
}
