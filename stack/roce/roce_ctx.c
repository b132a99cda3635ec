/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-lcore RoCE context: creation and teardown, counters, the QP table (random 24-bit
 * QPNs of this shard -> QP), the transmit hook, and the poll hook that paces transmission:
 * the requester and the READ responder send at most ROCE_TX_BUDGET packets per QP per call,
 * and a QP with more to send waits on ctx->busy for the next poll. A QP holding a coalesced
 * ACK (roce_resp.c) waits there too: the hook runs after the received burst, so the ACK
 * covers the burst's last request. Then the CQ events due run (roce_cq.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "roce_priv.h"

static const char *const roce_counter_names[] = {ROCE_COUNTERS(URSA_COUNTER_NAME)};
static_assert(RTE_DIM(roce_counter_names) == ROCE_C_MAX, "one name per counter");

struct ursa_roce_qp *roce_qp_lookup(struct ursa_roce_ctx *ctx, uint32_t qpn)
{
	struct ursa_roce_qp **e = &ctx->qp_cache[qpn & (ROCE_QP_CACHE - 1)];
	void *data;

	if (*e != NULL && (*e)->qpn == qpn)
		return *e;
	if (rte_hash_lookup_data(ctx->qp_hash, &qpn, &data) < 0)
		return NULL;
	*e = data;
	return data;
}

static bool qpn_recent(const struct ursa_roce_ctx *ctx, uint32_t qpn)
{
	for (unsigned i = 0; i < ROCE_QPN_RECENT; i++)
		if (ctx->qpn_recent[i] == qpn)
			return true;
	return false;
}

static int qpn_insert(struct ursa_roce_ctx *ctx, struct ursa_roce_qp *qp, uint32_t qpn)
{
	if (rte_hash_add_key_data(ctx->qp_hash, &qpn, qp) < 0)
		return -ENOSPC;
	qp->qpn = qpn;
	return 0;
}

/* qp->qpn leaves the table (and the cache), and is not drawn again for a while. */
static void qpn_remove(struct ursa_roce_ctx *ctx, struct ursa_roce_qp *qp)
{
	struct ursa_roce_qp **e = &ctx->qp_cache[qp->qpn & (ROCE_QP_CACHE - 1)];

	rte_hash_del_key(ctx->qp_hash, &qp->qpn);
	if (*e == qp)
		*e = NULL;
	ctx->qpn_recent[ctx->qpn_recent_next++ % ROCE_QPN_RECENT] = qp->qpn;
}

int roce_qpn_alloc(struct ursa_roce_ctx *ctx, struct ursa_roce_qp *qp)
{
	uint32_t slot;

	for (slot = 0; slot < ctx->nb_qp_slots && ctx->qps[slot] != NULL; slot++)
		;
	if (slot == ctx->nb_qp_slots)
		return -ENOSPC;
	/* With at most 2^16 + ROCE_QPN_RECENT of the 2^24 QPNs live or recent, a draw is
	 * free with probability above 99%: 64 draws all taken do not happen. */
	for (int tries = 0; tries < 64; tries++) {
		uint32_t qpn;

		if (!roce_id_for_shard(ctx->lc, ursa_secret_u32(&ctx->lc->secret) & ROCE_QPN_MASK,
				       ROCE_QPN_MASK, &qpn) ||
		    qpn < ROCE_QPN_MIN || rte_hash_lookup(ctx->qp_hash, &qpn) >= 0 ||
		    qpn_recent(ctx, qpn))
			continue;
		if (qpn_insert(ctx, qp, qpn) != 0)
			return -ENOSPC;
		qp->slot = slot;
		ctx->qps[slot] = qp;
		return 0;
	}
	return -ENOSPC;
}

void roce_qpn_free(struct ursa_roce_ctx *ctx, struct ursa_roce_qp *qp)
{
	qpn_remove(ctx, qp);
	ctx->qps[qp->slot] = NULL;
}

int roce_qpn_set(struct ursa_roce_ctx *ctx, struct ursa_roce_qp *qp, uint32_t qpn)
{
	uint32_t old = qp->qpn;
	int rc;

	if (qpn == old)
		return 0;
	if (qpn < ROCE_QPN_MIN || qpn > ROCE_QPN_MASK || rte_hash_lookup(ctx->qp_hash, &qpn) >= 0)
		return -EINVAL;
	qpn_remove(ctx, qp);
	if ((rc = qpn_insert(ctx, qp, qpn)) != 0 && qpn_insert(ctx, qp, old) != 0)
		qp->qpn = 0; /* neither fits: no packet reaches the QP, none reaches another */
	return rc;
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
		roce_resp_ack_flush(qp);
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
	rte_hash_free(ctx->qp_hash);
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
	ctx->nb_qp_slots = RTE_MIN(ctx->conf.max_qp, 1u << 16);
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
	snprintf(name, sizeof(name), "roce_qp_%p", (void *)ctx);
	hp.entries = RTE_MAX(ctx->nb_qp_slots * 2, 16u); /* room: no bucket ever fills */
	ctx->qp_hash = rte_hash_create(&hp);
	if (ctx->qp_hash == NULL) {
		rc = -ENOMEM;
		goto err_free_mr_hash;
	}
	TAILQ_INIT(&ctx->busy);
	TAILQ_INIT(&ctx->cq_events);
	ctx->mr_gen = 1; /* zeroed cache entries (gen 0) never match */
	ctx->ip_id = (uint16_t)ursa_secret_u32(&lc->secret);
	ctx->xmit = roce_default_xmit;
	lc->roce = ctx;
	if ((rc = ursa_stats_register(lc, "roce", roce_counter_names, ctx->c, ROCE_C_MAX)) != 0 ||
	    (rc = ursa_lcore_add_poll_hook(lc, roce_poll, ctx)) != 0 ||
	    (rc = ursa_lcore_add_fini_hook(lc, roce_fini)) != 0)
		goto err_unset;
	return 0;

err_unset:
	lc->roce = NULL;
	rte_hash_free(ctx->qp_hash);
err_free_mr_hash:
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

void ursa_roce_qp_walk(struct ursa_lcore *lc, ursa_roce_qp_walk_t fn, void *arg)
{
	const void *key;
	void *data;
	uint32_t it = 0;

	if (lc->roce == NULL)
		return;
	while (rte_hash_iterate(lc->roce->qp_hash, &key, &data, &it) >= 0)
		fn(data, arg);
}

struct ursa_roce_qp *ursa_roce_qp_find(struct ursa_lcore *lc, uint32_t qpn)
{
	return lc->roce ? roce_qp_lookup(lc->roce, qpn) : NULL;
}
