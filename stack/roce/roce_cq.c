/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Completion queues: a ring of work completions, polled by the consumer, with a one-shot
 * event callback when armed. A full CQ is an overflow: the completion is lost, the CQ is
 * marked and the caller moves its QP to the error state (IBTA 11.4.2.1).
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
		cq->event(cq, cq->event_arg);
	}
	return 0;
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
