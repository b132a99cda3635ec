/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Data integrity of the soft RoCE path end to end, in one process on virtual clocks: two
 * full stacks (eth/arp/ip/udp/roce, softroce behind the rdma interface, endpoints from
 * ursa-perf) joined by their memory ports. For every opcode, every path MTU 256..4096 and
 * message sizes from 0 B to 1 MiB (16 MiB at PMTU >= 1024 with URSA_ROCE_BIG=1), a burst
 * seeded contents is posted and checked byte for byte, in posting order, with canary bytes
 * around every target range -- once on a clean link and at every MTU under the ports'
 * seeded fault injection (5% loss, 5% reordering, 2% duplication, 0.1% corruption, both
 * directions): one seed per MTU for the whole matrix, MORE_SEEDS more per MTU for messages up
 * to PMTU + 1. Atomics must execute exactly once however often the request is repeated.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ursa_perf.h"
#include "ursa_test.h"

#define CANARY 0xA5
#define GUARD  64
#define BURST  3

struct pair {
	struct ursa_lcore *lc[2];
	struct ursa_perf_ep ep[2];
	size_t area; /* bytes per message slot region */
};

static bool big_run(void)
{
	const char *e = getenv("URSA_ROCE_BIG");

	return e != NULL && strcmp(e, "1") == 0;
}

/* Poll both and carry frames; jump the clocks to the next timer only when neither stack had
 * anything to do. A poll can do work without a frame crossing the link (the ACK that
 * completes the WQEs collect waits for): jumping then moved the clocks by whole neighbour
 * timers, 5-40 s, at the end of every operation. */
static bool step(struct pair *p)
{
	unsigned work = ursa_lcore_poll(p->lc[0]) + ursa_lcore_poll(p->lc[1]);

	return ursa_test_pair_carry(p->lc[0], p->lc[1]) > 0 || work > 0 ||
	       ursa_test_pair_idle(p->lc[0], p->lc[1]);
}

/* Collect want completions from host h (in order of arrival). */
static unsigned collect(struct pair *p, int h, struct ursa_rdma_wc *wc, unsigned want)
{
	unsigned got = 0;

	for (long k = 0; k < 50000000 && got < want; k++) {
		int n = ursa_rdma_poll_cq(p->ep[h].cq, wc + got, want - got);

		if (n > 0) {
			got += (unsigned)n;
			continue;
		}
		if (!step(p))
			break;
	}
	return got;
}

/* Both neighbour entries resolved before the faults start, as rdma_cm's address resolution
 * does before a connection: one zero-length RDMA WRITE (no receive WQE, no target byte).
 * Under loss a lost ARP request is asked again only after 1 s (NEIGH_RETRANS_NS), while the
 * QP gives up after 8 ACK timeouts of 67 ms: the first WQE failed with RETRY_EXC_ERR. */
static void resolve(struct pair *p)
{
	struct ursa_rdma_send_wr wr = {
		.wr_id = 999,
		.opcode = URSA_RDMA_WR_RDMA_WRITE,
		.send_flags = URSA_RDMA_SEND_SIGNALED,
		.rdma = {(uintptr_t)p->ep[1].buf, p->ep[1].mr->rkey},
	};
	struct ursa_rdma_wc wc;

	CU_ASSERT_FATAL(ursa_rdma_post_send(p->ep[0].qp, &wr, 1) == 1);
	CU_ASSERT_FATAL(collect(p, 0, &wc, 1) == 1);
	CU_ASSERT_FATAL(wc.status == URSA_RDMA_WC_SUCCESS && wc.wr_id == 999);
}

static void pair_up(struct pair *p, uint16_t mtu, bool faults, size_t area, uint64_t seed)
{
	static const struct rte_ether_addr macs[2] = {URSA_TEST_MAC, URSA_TEST_PEER_MAC};
	struct ursa_fault_conf fc = {
		.drop = 0.05, .dup = 0.02, .reorder = 0.05, .reorder_window = 8, .corrupt = 0.001};

	memset(p, 0, sizeof(*p));
	p->area = area;
	for (int i = 0; i < 2; i++) {
		struct ursa_iface_conf c = {.port = 0, .mac = &macs[i], .no_linklocal = true};
		struct ursa_ipaddr a;
		uint16_t idx;
		char s[32];

		p->lc[i] = ursa_test_lcore(seed + (uint64_t)i);
		CU_ASSERT_FATAL(p->lc[i] != NULL);
		p->lc[i]->ports[0].mtu = 9000;
		CU_ASSERT_FATAL(ursa_stack_init(p->lc[i]) == 0);
		CU_ASSERT_FATAL(ursa_iface_add(p->lc[i], &c, &idx) == 0);
		snprintf(s, sizeof(s), "10.9.0.%d", i + 1);
		CU_ASSERT_FATAL(ursa_ipaddr_parse(s, &a, NULL) == 0);
		CU_ASSERT_FATAL(ursa_iface_addr_add(p->lc[i], idx, &a, 24) == 0);
		/* two halves of (BURST slots + guards) */
		CU_ASSERT_FATAL(ursa_perf_ep_create(p->lc[i], 2 * (BURST * (area + GUARD) + GUARD),
						    8, &p->ep[i]) == 0);
	}
	p->ep[0].remote = p->ep[1].local;
	p->ep[1].remote = p->ep[0].local;
	CU_ASSERT_FATAL(ursa_perf_ep_connect(&p->ep[0], mtu) == 0);
	CU_ASSERT_FATAL(ursa_perf_ep_connect(&p->ep[1], mtu) == 0);
	resolve(p);
	for (int i = 0; faults && i < 2; i++) {
		fc.seed = seed * 100 + (uint64_t)i;
		CU_ASSERT_FATAL(
			ursa_port_set_fault(p->lc[i], &p->lc[i]->ports[0], URSA_DIR_TX, &fc) == 0);
	}
}

static void pair_down(struct pair *p)
{
	for (int i = 0; i < 2; i++) {
		ursa_perf_ep_destroy(&p->ep[i]);
		ursa_lcore_destroy(p->lc[i]);
	}
}

/* Slot k of host h's area: the source half or the target half. */
static uint8_t *slot(struct pair *p, int h, bool target, unsigned k)
{
	uint8_t *base = p->ep[h].buf + (target ? p->ep[h].buflen / 2 : 0);

	return base + GUARD + k * (p->area + GUARD);
}

/* Every byte of host h's target half outside the BURST messages is still the canary. */
static bool canaries_ok(struct pair *p, int h, size_t size)
{
	const uint8_t *t = p->ep[h].buf + p->ep[h].buflen / 2, *end = t + p->ep[h].buflen / 2;

	for (unsigned k = 0; k <= BURST; k++) {
		const uint8_t *stop = k < BURST ? slot(p, h, true, k) : end;

		for (; t < stop; t++)
			if (*t != CANARY)
				return false;
		t += k < BURST ? size : 0;
	}
	return true;
}

/* Canary over host h's whole target half, zeros where the messages go. */
static void arm_target(struct pair *p, int h, size_t size)
{
	memset(p->ep[h].buf + p->ep[h].buflen / 2, CANARY, p->ep[h].buflen / 2);
	for (unsigned k = 0; k < BURST; k++)
		memset(slot(p, h, true, k), 0, size);
}

/* One opcode, one size: BURST messages from host 0 to host 1 (READ pulls from 1). */
static void one(struct pair *p, enum ursa_rdma_wr_opcode op, uint32_t size, uint64_t seed)
{
	struct ursa_perf_ep *a = &p->ep[0], *b = &p->ep[1];
	struct ursa_rdma_sge sge[BURST];
	struct ursa_rdma_send_wr wr[BURST];
	struct ursa_rdma_wc wc[BURST];
	bool is_read = op == URSA_RDMA_WR_RDMA_READ;
	bool is_send = op == URSA_RDMA_WR_SEND || op == URSA_RDMA_WR_SEND_WITH_IMM;
	bool recv_side = is_send || op == URSA_RDMA_WR_RDMA_WRITE_WITH_IMM;
	int src = is_read ? 1 : 0, dst = is_read ? 0 : 1;

	arm_target(p, dst, size);
	for (unsigned k = 0; k < BURST; k++) {
		ursa_perf_pattern(slot(p, src, false, k), size, seed + k);
		if (recv_side) {
			struct ursa_rdma_sge r = {(uintptr_t)slot(p, 1, true, k),
						  is_send ? size : 0, b->mr->lkey};
			struct ursa_rdma_recv_wr rw = {
				.wr_id = 100 + k, .sg_list = &r, .num_sge = is_send ? 1 : 0};

			CU_ASSERT_FATAL(ursa_rdma_post_recv(b->qp, &rw, 1) == 1);
		}
		sge[k] = (struct ursa_rdma_sge){
			(uintptr_t)(is_read ? slot(p, 0, true, k) : slot(p, 0, false, k)), size,
			a->mr->lkey};
		wr[k] = (struct ursa_rdma_send_wr){
			.wr_id = k,
			.opcode = op,
			.send_flags = URSA_RDMA_SEND_SIGNALED,
			.sg_list = &sge[k],
			.num_sge = size ? 1 : 0,
			.imm_data = rte_cpu_to_be_32(0x1000 + k),
			.rdma = {is_read ? (uintptr_t)slot(p, 1, false, k)
					 : (uintptr_t)slot(p, 1, true, k),
				 b->mr->rkey},
		};
	}
	CU_ASSERT_FATAL(ursa_rdma_post_send(a->qp, wr, BURST) == BURST);
	CU_ASSERT_FATAL(collect(p, 0, wc, BURST) == BURST);
	for (unsigned k = 0; k < BURST; k++) {
		CU_ASSERT_EQUAL(wc[k].status, URSA_RDMA_WC_SUCCESS);
		CU_ASSERT_EQUAL(wc[k].wr_id, k); /* in order */
	}
	if (recv_side) {
		CU_ASSERT_FATAL(collect(p, 1, wc, BURST) == BURST);
		for (unsigned k = 0; k < BURST; k++) {
			CU_ASSERT_EQUAL(wc[k].status, URSA_RDMA_WC_SUCCESS);
			CU_ASSERT_EQUAL(wc[k].wr_id, 100 + k);
			if (is_send)
				CU_ASSERT_EQUAL(wc[k].byte_len, size);
			if (op != URSA_RDMA_WR_SEND)
				CU_ASSERT_EQUAL(wc[k].imm_data, rte_cpu_to_be_32(0x1000 + k));
		}
	}
	for (unsigned k = 0; k < BURST; k++) {
		long bad = ursa_perf_pattern_check(slot(p, dst, true, k), size, seed + k);

		CU_ASSERT_EQUAL(bad, -1);
		if (bad >= 0) {
			fprintf(stderr, "\n  op %d size %u msg %u: first bad byte at %ld\n", op,
				size, k, bad);
			break;
		}
	}
	CU_ASSERT(canaries_ok(p, dst, size));
}

/* Atomics: a chain of FETCH_ADD and CMP_SWAP with known results; each runs exactly once. */
static void atomics(struct pair *p)
{
	struct ursa_perf_ep *a = &p->ep[0], *b = &p->ep[1];
	uint64_t *target = (uint64_t *)(void *)slot(p, 1, true, 0);
	uint64_t *ret = (uint64_t *)(void *)slot(p, 0, false, 0);
	struct ursa_rdma_wc wc;
	uint64_t v = 1000;

	*target = v;
	for (unsigned i = 0; i < 40; i++) {
		struct ursa_rdma_sge s = {(uintptr_t)ret, 8, a->mr->lkey};
		bool cas = i % 2;
		struct ursa_rdma_send_wr wr = {
			.wr_id = i,
			.opcode = cas ? URSA_RDMA_WR_ATOMIC_CMP_AND_SWP
				      : URSA_RDMA_WR_ATOMIC_FETCH_AND_ADD,
			.send_flags = URSA_RDMA_SEND_SIGNALED,
			.sg_list = &s,
			.num_sge = 1,
			.atomic = {(uintptr_t)target, cas ? v : i + 1, v * 3 + i, b->mr->rkey},
		};

		*ret = 0xdead;
		CU_ASSERT_FATAL(ursa_rdma_post_send(a->qp, &wr, 1) == 1);
		CU_ASSERT_FATAL(collect(p, 0, &wc, 1) == 1);
		CU_ASSERT_EQUAL(wc.status, URSA_RDMA_WC_SUCCESS);
		CU_ASSERT_EQUAL(*ret, v);
		v = cas ? v * 3 + i : v + i + 1;
		CU_ASSERT_EQUAL(*target, v);
	}
}

static const enum ursa_rdma_wr_opcode ops[] = {
	URSA_RDMA_WR_SEND,	 URSA_RDMA_WR_SEND_WITH_IMM,
	URSA_RDMA_WR_RDMA_WRITE, URSA_RDMA_WR_RDMA_WRITE_WITH_IMM,
	URSA_RDMA_WR_RDMA_READ,
};

/* One pair at PMTU mtu: every opcode at every size (without the 64 KiB and 1 MiB ones when
 * small), then the atomics. */
static void matrix(uint16_t mtu, bool faults, uint64_t seed, bool small)
{
	uint32_t sizes[16], nsz = 0;
	size_t area = small ? 8192u : big_run() ? 16u << 20 : 1u << 20;
	struct pair p;
	const struct ursa_fault_counters *fc;

	sizes[nsz++] = 0;
	sizes[nsz++] = 1;
	sizes[nsz++] = 3;
	sizes[nsz++] = mtu - 1u;
	sizes[nsz++] = mtu;
	sizes[nsz++] = mtu + 1u;
	if (!small) {
		sizes[nsz++] = 65537;
		sizes[nsz++] = 1u << 20;
	}
	/* 16 MiB at PMTU 256/512 under 5% loss is 65536+ packets per message with go-back-N
	 * resending whole windows: hours, not minutes; the big run does it at >= 1024 */
	if (big_run() && mtu >= 1024)
		sizes[nsz++] = 16u << 20;
	pair_up(&p, mtu, faults, area, seed);
	for (unsigned o = 0; o < RTE_DIM(ops); o++)
		for (unsigned s = 0; s < nsz; s++)
			one(&p, ops[o], sizes[s], (uint64_t)mtu * 1000 + o * 100 + s * 10);
	atomics(&p);
	fc = ursa_port_fault_counters(&p.lc[0]->ports[0], URSA_DIR_TX);
	if (faults) {
		/* the faults really happened (a small run is too short for all kinds) */
		CU_ASSERT_FATAL(fc != NULL);
		CU_ASSERT(fc->dropped > 0);
		if (small)
			return pair_down(&p);
		CU_ASSERT(fc->duplicated > 0);
		CU_ASSERT(fc->reordered > 0);
		CU_ASSERT(fc->corrupted + ursa_port_fault_counters(&p.lc[1]->ports[0], URSA_DIR_TX)
						  ->corrupted >
			  0);
		printf("\n    PMTU %u, host 0 tx: %lu frames, %lu dropped, %lu duplicated, "
		       "%lu reordered, %lu corrupted ",
		       mtu, (unsigned long)fc->in, (unsigned long)fc->dropped,
		       (unsigned long)fc->duplicated, (unsigned long)fc->reordered,
		       (unsigned long)fc->corrupted);
	} else {
		CU_ASSERT_PTR_NULL(fc);
	}
	pair_down(&p);
}

static void test_clean_1024(void)
{
	matrix(1024, false, 1024, false);
}
static void test_faults_256(void)
{
	matrix(256, true, 256 + 7, false);
}
static void test_faults_512(void)
{
	matrix(512, true, 512 + 7, false);
}
static void test_faults_1024(void)
{
	matrix(1024, true, 1024 + 7, false);
}
static void test_faults_2048(void)
{
	matrix(2048, true, 2048 + 7, false);
}
static void test_faults_4096(void)
{
	matrix(4096, true, 4096 + 7, false);
}

#define MORE_SEEDS 200

/* The same faults drawn from MORE_SEEDS more seeds at every PMTU, messages up to PMTU + 1:
 * one seed's sequence only shows the losses it happens to draw. */
static void test_faults_seeds(void)
{
	for (uint16_t mtu = 256; mtu <= 4096; mtu *= 2)
		for (uint64_t s = 1; s <= MORE_SEEDS; s++)
			matrix(mtu, true, mtu * 1000u + s, true);
}

int main(void)
{
	CU_pSuite s;

	ursa_test_eal();
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("roce integrity", NULL, NULL);
	CU_add_test(s, "every opcode and size, PMTU 1024, clean link", test_clean_1024);
	CU_add_test(s, "every opcode and size, PMTU 256, faults", test_faults_256);
	CU_add_test(s, "every opcode and size, PMTU 512, faults", test_faults_512);
	CU_add_test(s, "every opcode and size, PMTU 1024, faults", test_faults_1024);
	CU_add_test(s, "every opcode and size, PMTU 2048, faults", test_faults_2048);
	CU_add_test(s, "every opcode and size, PMTU 4096, faults", test_faults_4096);
	CU_add_test(s,
		    "every opcode, sizes to PMTU + 1, every PMTU, faults, " RTE_STR(
			    MORE_SEEDS) " more seeds each",
		    test_faults_seeds);
	return ursa_test_main();
}
