/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-lcore RoCE context: creation and teardown, counters, the QP table (QPN -> QP),
 * the transmit hook, and the poll hook that paces transmission: the requester and the READ
 * responder send at most ROCE_TX_BUDGET packets per QP per call, and a QP with more to send
 * waits on ctx->busy for the next poll. Then the CQ events due run (roce_cq.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "roce_priv.h"

static const char *const roce_counter_names[] = {ROCE_COUNTERS(URSA_COUNTER_NAME)};
static_assert(RTE_DIM(roce_counter_names) == ROCE_C_MAX, "one name per counter");

struct ursa_roce_qp *roce_qp_lookup(struct ursa_roce_ctx *ctx, uint32_t qpn)
{
	uint32_t slot = qpn - ROCE_QPN_BASE;

	if (qpn < ROCE_QPN_BASE || slot >= ctx->nb_qp_slots)
		return NULL;
	return ctx->qps[slot];
}

void roce_mark_busy(struct ursa_roce_qp *qp)
{
	if (!qp->busy) {
		qp->busy = true;
		TAILQ_INSERT_TAIL(&qp->ctx->busy, qp, busy_link);
	}
}

static unsigned roce_poll(struct ursa_lcore *lc, void *arg)
{
	struct ursa_roce_ctx *ctx = arg;
	struct ursa_roce_qp *qp;
	unsigned n = 0, rounds;

	RTE_SET_USED(lc);
	/* Each QP present now gets one turn; QPs re-marked during their turn wait. */
	rounds = 0;
	TAILQ_FOREACH(qp, &ctx->busy, busy_link)
	rounds++;
	while (rounds-- > 0 && (qp = TAILQ_FIRST(&ctx->busy)) != NULL) {
		TAILQ_REMOVE(&ctx->busy, qp, busy_link);
		qp->busy = false;
		n += roce_resp_read_run(qp, ROCE_TX_BUDGET);
		roce_req_run(qp);
		n++;
	}
	/* Last: the callbacks may destroy QPs, and none of the engine's frames is live. */
	return n + roce_cq_run_events(ctx);
}

static void roce_fini(struct ursa_lcore *lc)
{
	struct ursa_roce_ctx *ctx = lc->roce;

	if (ctx == NULL)
		return;
	roce_cq_drop_events(ctx);
	for (uint32_t i = 0; i < ctx->nb_qp_slots; i++)
		if (ctx->qps[i] != NULL)
			ursa_roce_qp_destroy(ctx->qps[i]);
	rte_hash_free(ctx->mr_hash);
	free(ctx->qps);
	free(ctx);
	lc->roce = NULL;
}

static int roce_default_xmit(struct ursa_lcore *lc, void *arg, const struct ursa_roce_path *p,
			     struct rte_mbuf *m)
{
	RTE_SET_USED(lc), RTE_SET_USED(arg), RTE_SET_USED(p);
	rte_pktmbuf_free(m);
	return -ENETUNREACH;
}

int ursa_roce_ctx_create(struct ursa_lcore *lc, const struct ursa_roce_conf *conf)
{
	struct ursa_roce_ctx *ctx;
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters hp = {
		.name = name,
		.key_len = sizeof(uint32_t),
		.socket_id = SOCKET_ID_ANY,
	};
	int rc;

	if (lc->roce != NULL)
		return -EEXIST;
	ctx = calloc(1, sizeof(*ctx));
	if (ctx == NULL)
		return -ENOMEM;
	ctx->lc = lc;
	if (conf != NULL)
		ctx->conf = *conf;
	if (ctx->conf.ttl == 0)
		ctx->conf.ttl = 64;
	if (ctx->conf.max_qp == 0)
		ctx->conf.max_qp = 256;
	if (ctx->conf.max_mr == 0)
		ctx->conf.max_mr = 4096;
	ctx->nb_qp_slots = RTE_MIN(ctx->conf.max_qp, ROCE_QPN_MASK - ROCE_QPN_BASE);
	ctx->qps = calloc(ctx->nb_qp_slots, sizeof(*ctx->qps));
	if (ctx->qps == NULL) {
		rc = -ENOMEM;
		goto err_free_ctx;
	}
	snprintf(name, sizeof(name), "roce_mr_%p", (void *)ctx);
	hp.entries = RTE_MAX(ctx->conf.max_mr * 2, 16u);
	ctx->mr_hash = rte_hash_create(&hp);
	if (ctx->mr_hash == NULL) {
		rc = -ENOMEM;
		goto err_free_qps;
	}
	TAILQ_INIT(&ctx->busy);
	TAILQ_INIT(&ctx->cq_events);
	ctx->mr_gen = 1; /* zeroed cache entries (gen 0) never match */
	ctx->ip_id = (uint16_t)ursa_rng_u32(&lc->rng);
	ctx->xmit = roce_default_xmit;
	lc->roce = ctx;
	if ((rc = ursa_stats_register(lc, "roce", roce_counter_names, ctx->c, ROCE_C_MAX)) != 0 ||
	    (rc = ursa_lcore_add_poll_hook(lc, roce_poll, ctx)) != 0 ||
	    (rc = ursa_lcore_add_fini_hook(lc, roce_fini)) != 0)
		goto err_unset;
	return 0;

err_unset:
	lc->roce = NULL;
	rte_hash_free(ctx->mr_hash);
err_free_qps:
	free(ctx->qps);
err_free_ctx:
	free(ctx);
	return rc;
}

void ursa_roce_set_xmit(struct ursa_lcore *lc, ursa_roce_xmit_t fn, void *arg)
{
	if (lc->roce == NULL)
		return;
	lc->roce->xmit = fn != NULL ? fn : roce_default_xmit;
	lc->roce->xmit_arg = arg;
}
