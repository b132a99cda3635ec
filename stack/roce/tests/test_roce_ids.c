/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The identifiers a peer must not guess: rkeys and QPNs come from lc->secret. Two lcores
 * created without a seed (as ursad runs) give unrelated sequences, so the rkeys and QPNs of
 * one run say nothing about the next; two lcores with the same seed give the same ones, so
 * replays stay exact. QPNs are 24 random bits, never 0 or 1, unique among live QPs, found by
 * the receive path's lookup, and not handed out again right after they were given up.
 */
#include <errno.h>
#include <string.h>

#include "roce_priv.h"
#include "ursa_roce_testing.h"
#include "ursa_test.h"

#define N 32

struct ids {
	uint32_t rkey[N];
	uint32_t qpn[N];
};

static uint8_t mem[N][64];

/* A RoCE context on an lcore, with one PD and one CQ. */
struct env {
	struct ursa_lcore *lc;
	struct ursa_roce_pd *pd;
	struct ursa_roce_cq *cq;
};

static struct env up(struct ursa_lcore *lc)
{
	struct env e = {.lc = lc};

	CU_ASSERT_FATAL(lc != NULL);
	CU_ASSERT_FATAL(ursa_roce_ctx_create(lc, NULL) == 0);
	CU_ASSERT_FATAL(ursa_roce_pd_alloc(lc, &e.pd) == 0);
	CU_ASSERT_FATAL(ursa_roce_cq_create(lc, 64, &e.cq) == 0);
	return e;
}

static void down(struct env *e)
{
	struct ursa_roce_ctx *ctx = e->lc->roce;

	for (uint32_t i = 0; i < ctx->nb_qp_slots; i++)
		if (ctx->qps[i] != NULL)
			ursa_roce_qp_destroy(ctx->qps[i]);
	CU_ASSERT(ursa_roce_cq_destroy(e->cq) == 0);
	CU_ASSERT(ursa_roce_pd_free(e->pd) == 0);
	ursa_lcore_destroy(e->lc);
}

static struct ursa_roce_qp *new_qp(struct env *e)
{
	struct ursa_rdma_qp_cap cap = {4, 4, 1, 1};
	struct ursa_roce_qp *qp = NULL;

	CU_ASSERT_FATAL(ursa_roce_qp_create(e->pd, e->cq, e->cq, &cap, false, &qp) == 0);
	return qp;
}

/* N MRs and N QPs, interleaved, on a fresh lcore; their keys and numbers. */
static void draw(struct ursa_lcore *lc, struct ids *out)
{
	struct env e = up(lc);
	struct ursa_roce_mr *mr[N];

	for (int i = 0; i < N; i++) {
		CU_ASSERT_FATAL(ursa_roce_mr_reg(e.pd, mem[i], sizeof(mem[i]),
						 URSA_RDMA_ACCESS_LOCAL_WRITE |
							 URSA_RDMA_ACCESS_REMOTE_WRITE,
						 &mr[i]) == 0);
		out->rkey[i] = ursa_roce_mr_rkey(mr[i]);
		out->qpn[i] = ursa_roce_qp_num(new_qp(&e));
	}
	for (int i = 0; i < N; i++)
		ursa_roce_mr_dereg(mr[i]);
	down(&e);
}

static unsigned same_places(const uint32_t *a, const uint32_t *b)
{
	unsigned n = 0;

	for (int i = 0; i < N; i++)
		n += a[i] == b[i];
	return n;
}

static void test_unseeded_unpredictable(void)
{
	struct ids a, b;
	unsigned consecutive = 0;

	draw(ursa_test_lcore_unseeded(), &a);
	draw(ursa_test_lcore_unseeded(), &b);
	/* Two runs share nothing: at most a chance coincidence (2^-32 and 2^-24 a place). */
	CU_ASSERT(same_places(a.rkey, b.rkey) <= 1);
	CU_ASSERT(same_places(a.qpn, b.qpn) <= 1);
	CU_ASSERT(memcmp(&a, &b, sizeof(a)) != 0);
	for (int i = 0; i < N; i++) {
		CU_ASSERT(a.rkey[i] != 0);
		CU_ASSERT(a.qpn[i] >= 2 && a.qpn[i] <= 0xffffff);
		if (i > 0)
			consecutive += a.qpn[i] == a.qpn[i - 1] + 1;
	}
	/* QPNs used to be 0x11, 0x12, ...: one QP's number gave away the others'. */
	CU_ASSERT(consecutive <= 1);
}

static void test_seeded_replay(void)
{
	struct ids a, b, c;

	draw(ursa_test_lcore(42), &a);
	draw(ursa_test_lcore(42), &b);
	draw(ursa_test_lcore(43), &c);
	CU_ASSERT(memcmp(&a, &b, sizeof(a)) == 0);
	CU_ASSERT(same_places(a.rkey, c.rkey) <= 1);
	CU_ASSERT(same_places(a.qpn, c.qpn) <= 1);
}

/* Every live QPN is found by the receive path's lookup, others are not; a destroyed QP's
 * number is no longer found. */
static void test_qpn_lookup(void)
{
	struct env e = up(ursa_test_lcore_unseeded());
	struct ursa_rdma_qp_cap cap = {4, 4, 1, 1};
	struct ursa_roce_qp *qp[200], *extra;
	uint32_t gone;

	for (unsigned i = 0; i < RTE_DIM(qp); i++) {
		qp[i] = new_qp(&e);
		for (unsigned j = 0; j < i; j++)
			CU_ASSERT(qp[j]->qpn != qp[i]->qpn);
	}
	for (unsigned i = 0; i < RTE_DIM(qp); i++) {
		CU_ASSERT(roce_qp_lookup(e.lc->roce, qp[i]->qpn) == qp[i]);
		CU_ASSERT(roce_qp_lookup(e.lc->roce, qp[i]->qpn) == qp[i]); /* from the cache */
	}
	CU_ASSERT(roce_qp_lookup(e.lc->roce, 0) == NULL);
	CU_ASSERT(roce_qp_lookup(e.lc->roce, 1) == NULL);
	gone = qp[7]->qpn;
	CU_ASSERT(ursa_roce_qp_destroy(qp[7]) == 0);
	CU_ASSERT(roce_qp_lookup(e.lc->roce, gone) == NULL);
	/* 256 QPs at most by default: 57 more fit, then -ENOSPC */
	for (unsigned i = 0; i < 57; i++)
		new_qp(&e);
	CU_ASSERT(ursa_roce_qp_create(e.pd, e.cq, e.cq, &cap, false, &extra) == -ENOSPC);
	down(&e);
}

/* The replay hook takes any free QPN in [2, 2^24) and refuses the rest. */
static void test_qpn_set(void)
{
	struct env e = up(ursa_test_lcore(5));
	struct ursa_roce_qp *a = new_qp(&e), *b = new_qp(&e);

	CU_ASSERT(ursa_roce_qp_set_qpn(a, 0) == -EINVAL);
	CU_ASSERT(ursa_roce_qp_set_qpn(a, 1) == -EINVAL);
	CU_ASSERT(ursa_roce_qp_set_qpn(a, 0x1000000) == -EINVAL);
	CU_ASSERT(ursa_roce_qp_set_qpn(a, b->qpn) == -EINVAL);
	CU_ASSERT(ursa_roce_qp_set_qpn(a, 0x11) == 0);
	CU_ASSERT(ursa_roce_qp_num(a) == 0x11);
	CU_ASSERT(roce_qp_lookup(e.lc->roce, 0x11) == a);
	CU_ASSERT(ursa_roce_qp_set_qpn(b, 0xffffff) == 0);
	CU_ASSERT(roce_qp_lookup(e.lc->roce, 0xffffff) == b);
	down(&e);
}

/*
 * A drawn QPN that is live, or was given up lately, is skipped. The seeded stream says
 * which QPNs a fresh lcore draws (x0, x1, ...); a second lcore with that seed gets x0 for
 * its first QP, renumbers it to x1 then to 0x11 (x0 and x1 now recent): its next QP skips
 * x1 and gets x2. That one renumbered to x3 (live) makes the next QP skip x3 for x4.
 */
static void test_qpn_not_reused(void)
{
	struct env e = up(ursa_test_lcore(77));
	struct ursa_roce_qp *q, *r;
	uint32_t x[5];

	for (int i = 0; i < 5; i++)
		x[i] = ursa_roce_qp_num(new_qp(&e));
	down(&e);

	e = up(ursa_test_lcore(77));
	q = new_qp(&e);
	CU_ASSERT_FATAL(q->qpn == x[0]);
	CU_ASSERT(ursa_roce_qp_set_qpn(q, x[1]) == 0);
	CU_ASSERT(ursa_roce_qp_set_qpn(q, 0x11) == 0);
	r = new_qp(&e);
	CU_ASSERT(r->qpn == x[2]); /* x[1] was drawn and skipped */
	CU_ASSERT(ursa_roce_qp_destroy(q) == 0);
	CU_ASSERT(ursa_roce_qp_set_qpn(r, x[3]) == 0);
	r = new_qp(&e);
	CU_ASSERT(r->qpn == x[4]); /* x[3] was drawn and skipped */
	down(&e);
}

/* A re-registered MR gets a fresh key, and the old one no longer finds it. */
static void test_rereg_fresh_key(void)
{
	struct env e = up(ursa_test_lcore_unseeded());
	struct ursa_roce_mr *mr;
	uint32_t k0;

	CU_ASSERT_FATAL(ursa_roce_mr_reg(e.pd, mem[0], sizeof(mem[0]), URSA_RDMA_ACCESS_LOCAL_WRITE,
					 &mr) == 0);
	k0 = ursa_roce_mr_rkey(mr);
	CU_ASSERT(ursa_roce_mr_rereg(mr, URSA_RDMA_ACCESS_LOCAL_WRITE) == 0);
	CU_ASSERT(ursa_roce_mr_rkey(mr) != k0);
	CU_ASSERT(roce_mr_lookup(e.lc->roce, k0) == NULL);
	CU_ASSERT(roce_mr_lookup(e.lc->roce, ursa_roce_mr_rkey(mr)) == mr);
	ursa_roce_mr_dereg(mr);
	down(&e);
}

int main(void)
{
	CU_pSuite s = ursa_test_suite("roce_ids", NULL, NULL);

	CU_add_test(s, "no seed: rkeys and QPNs differ run to run", test_unseeded_unpredictable);
	CU_add_test(s, "same seed: same rkeys and QPNs", test_seeded_replay);
	CU_add_test(s, "random QPNs: unique, found, gone after destroy", test_qpn_lookup);
	CU_add_test(s, "set_qpn: range and collisions", test_qpn_set);
	CU_add_test(s, "live and recent QPNs are not drawn again", test_qpn_not_reused);
	CU_add_test(s, "rereg: a fresh key", test_rereg_fresh_key);
	return ursa_test_main();
}
