/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Completion queues: a ring of work completions, polled by the consumer, with a one-shot
 * event callback when armed. A full CQ is an overflow: the completion is lost, the CQ is
 * marked and the caller moves its QP to the error state (IBTA 11.4.2.1).
 *
 * Completions are pushed from deep inside packet processing and timers (a peer provokes an
 * error completion with any NAK), and the usual reaction to an error completion is to
 * destroy the QP and deregister its MRs. So the event callback never runs there: an armed
 * CQ is queued on the context, and the poll hook runs the callbacks (roce_cq_run_events)
 * when no engine code is below them on the stack. A callback may destroy any QP, MR or CQ.
 */
#include <errno.h>
#include <stdlib.h>

#include "roce_priv.h"

int ursa_roce_cq_create(struct ursa_lcore *lc, uint32_t cqe, struct ursa_roce_cq **out)
{
	struct ursa_roce_cq *cq;

	if (lc->roce == NULL)
		return -ENODEV;
	if (cqe == 0 || cqe > ROCE_MAX_CQE)
		return -EINVAL;
	cq = calloc(1, sizeof(*cq));
	if (cq == NULL)
		return -ENOMEM;
	cq->size = rte_align32pow2(cqe);
	cq->ring = calloc(cq->size, sizeof(*cq->ring));
	if (cq->ring == NULL) {
		free(cq);
		return -ENOMEM;
	}
	cq->ctx = lc->roce;
	*out = cq;
	return 0;
}

int ursa_roce_cq_destroy(struct ursa_roce_cq *cq)
{
	if (cq->users != 0)
		return -EBUSY;
	if (cq->event_queued)
		TAILQ_REMOVE(&cq->ctx->cq_events, cq, event_link);
	free(cq->ring);
	free(cq);
	return 0;
}

int roce_cq_push(struct ursa_roce_cq *cq, const struct ursa_rdma_wc *wc, bool solicited)
{
	if (cq->head - cq->tail >= cq->size) {
		cq->overflow = true;
		cq->ctx->c[ROCE_C_drop_cq_overflow]++;
		return -ENOSPC;
	}
	cq->ring[cq->head++ & (cq->size - 1)] = *wc;
	if (cq->armed != 0 && cq->event != NULL &&
	    (cq->armed == 1 || solicited || wc->status != URSA_RDMA_WC_SUCCESS)) {
		cq->armed = 0;
		if (!cq->event_queued) {
			cq->event_queued = true;
			TAILQ_INSERT_TAIL(&cq->ctx->cq_events, cq, event_link);
		}
	}
	return 0;
}

unsigned roce_cq_run_events(struct ursa_roce_ctx *ctx)
{
	struct ursa_roce_cq *cq;
	unsigned todo = 0, ran = 0;

	/* Only the events due now: a callback that re-arms and completes again (posting to
	 * a QP in the error state flushes at once) waits for the next poll. */
	TAILQ_FOREACH(cq, &ctx->cq_events, event_link)
	{
		todo++;
	}
	while (todo-- > 0 && (cq = TAILQ_FIRST(&ctx->cq_events)) != NULL) {
		TAILQ_REMOVE(&ctx->cq_events, cq, event_link);
		cq->event_queued = false;
		if (cq->event != NULL) {
			cq->event(cq, cq->event_arg); /* cq may be gone from here on */
			ran++;
		}
	}
	return ran;
}

void roce_cq_drop_events(struct ursa_roce_ctx *ctx)
{
	struct ursa_roce_cq *cq;

	while ((cq = TAILQ_FIRST(&ctx->cq_events)) != NULL) {
		TAILQ_REMOVE(&ctx->cq_events, cq, event_link);
		cq->event_queued = false;
	}
}

int ursa_roce_cq_poll(struct ursa_roce_cq *cq, struct ursa_rdma_wc *wc, unsigned n)
{
	unsigned i = 0;

	while (i < n && cq->tail != cq->head)
		wc[i++] = cq->ring[cq->tail++ & (cq->size - 1)];
	return (int)i;
}

void ursa_roce_cq_set_event(struct ursa_roce_cq *cq, ursa_roce_cq_event_t fn, void *arg)
{
	cq->event = fn;
	cq->event_arg = arg;
}

int ursa_roce_cq_arm(struct ursa_roce_cq *cq, bool solicited_only)
{
	cq->armed = solicited_only ? 2 : 1;
	return 0;
}
