/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Two RoCE engines on two fake lcores, wired back to back through their transmit hooks on
 * a shared virtual clock, with seeded fault injection (loss, duplication, reordering,
 * corruption) on the wire. Used by the end-to-end suites.
 */
#ifndef ROCE_PAIR_H
#define ROCE_PAIR_H

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "roce_priv.h"
#include "roce_qp_up.h"
#include "ursa_test.h"

#define PAIR_QLEN 8192

struct pair_side {
	struct ursa_lcore *lc;
	struct ursa_roce_pd *pd;
	struct ursa_roce_cq *cq;
	struct ursa_roce_qp *qp;
	struct ursa_ipaddr addr;
	struct rte_mbuf *q[PAIR_QLEN]; /* packets this side sent, not yet delivered */
	unsigned nq;
};

struct pair {
	struct pair_side s[2];
	struct ursa_rng rng;
	double drop, dup, reorder, corrupt;
	uint64_t delivered, dropped, duplicated, reordered, corrupted;
};

static inline int pair_xmit(struct ursa_lcore *lc, void *arg, const struct ursa_roce_path *path,
			    struct rte_mbuf *m)
{
	struct pair_side *s = arg;

	RTE_SET_USED(lc), RTE_SET_USED(path);
	if (s->nq == PAIR_QLEN) {
		rte_pktmbuf_free(m);
		return -ENOBUFS;
	}
	s->q[s->nq++] = m;
	return 0;
}

static inline struct rte_mbuf *pair_copy(struct ursa_lcore *lc, struct rte_mbuf *m)
{
	struct rte_mbuf *c = rte_pktmbuf_copy(m, lc->pool, 0, UINT32_MAX);

	return c;
}

/* Deliver everything queued on side i to the other side, through the faults. */
static inline unsigned pair_deliver(struct pair *p, int i)
{
	struct pair_side *s = &p->s[i], *d = &p->s[!i];
	struct rte_mbuf *v[PAIR_QLEN], *held = NULL;
	unsigned n = s->nq;

	memcpy(v, s->q, n * sizeof(v[0]));
	s->nq = 0;
	for (unsigned k = 0; k < n; k++) {
		struct rte_mbuf *m = v[k];

		if (p->drop > 0 && ursa_rng_unit(&p->rng) < p->drop) {
			p->dropped++;
			rte_pktmbuf_free(m);
			continue;
		}
		if (p->corrupt > 0 && ursa_rng_unit(&p->rng) < p->corrupt) {
			uint32_t off = (uint32_t)ursa_rng_below(&p->rng, rte_pktmbuf_data_len(m));

			rte_pktmbuf_mtod(m, uint8_t *)[off] ^=
				(uint8_t)(1 + ursa_rng_below(&p->rng, 255));
			p->corrupted++;
		}
		if (p->dup > 0 && ursa_rng_unit(&p->rng) < p->dup) {
			struct rte_mbuf *c = pair_copy(s->lc, m);

			if (c != NULL) {
				p->duplicated++;
				p->delivered++;
				ursa_roce_input_l3(d->lc, c, 0);
			}
		}
		if (held == NULL && p->reorder > 0 && ursa_rng_unit(&p->rng) < p->reorder) {
			held = m;
			p->reordered++;
			continue;
		}
		p->delivered++;
		ursa_roce_input_l3(d->lc, m, 0);
		if (held != NULL && ursa_rng_unit(&p->rng) < 0.5) {
			p->delivered++;
			ursa_roce_input_l3(d->lc, held, 0);
			held = NULL;
		}
	}
	if (held != NULL) {
		p->delivered++;
		ursa_roce_input_l3(d->lc, held, 0);
	}
	return n;
}

/* One step: poll both, deliver both ways; when nothing moved, jump the shared clock to the
 * next timer. Returns false when nothing is left to happen at all. */
static inline bool pair_step(struct pair *p)
{
	unsigned moved = 0;
	uint64_t next;

	ursa_lcore_poll(p->s[0].lc);
	ursa_lcore_poll(p->s[1].lc);
	moved += pair_deliver(p, 0);
	moved += pair_deliver(p, 1);
	if (moved > 0 || !TAILQ_EMPTY(&p->s[0].lc->roce->busy) ||
	    !TAILQ_EMPTY(&p->s[1].lc->roce->busy))
		return true;
	next = RTE_MIN(ursa_timer_next(p->s[0].lc), ursa_timer_next(p->s[1].lc));
	if (next == UINT64_MAX)
		return false;
	ursa_clock_set(&p->s[0].lc->clock, next);
	ursa_clock_set(&p->s[1].lc->clock, next);
	return true;
}

struct pair_conf {
	uint16_t mtu;
	uint32_t psn[2];
	uint8_t timeout, retry_cnt, rnr_retry, min_rnr_timer;
	bool v6;
	uint32_t max_wr;
};

static inline int pair_open(struct pair *p, const struct pair_conf *c, uint64_t seed)
{
	memset(p, 0, sizeof(*p));
	ursa_rng_seed(&p->rng, seed);
	for (int i = 0; i < 2; i++) {
		struct pair_side *s = &p->s[i];
		char a[64];

		s->lc = ursa_test_lcore(seed + (uint64_t)i);
		if (s->lc == NULL || ursa_roce_ctx_create(s->lc, NULL) != 0)
			return -1;
		ursa_roce_set_xmit(s->lc, pair_xmit, s);
		snprintf(a, sizeof(a), c->v6 ? "fd00::%d" : "10.0.0.%d", i + 1);
		s->addr = ursa_test_ip(a);
		struct ursa_rdma_qp_cap cap = {
			.max_send_wr = c->max_wr ? c->max_wr : 256,
			.max_recv_wr = c->max_wr ? c->max_wr : 256,
			.max_send_sge = 4,
			.max_recv_sge = 4,
		};
		if (ursa_roce_pd_alloc(s->lc, &s->pd) != 0 ||
		    ursa_roce_cq_create(s->lc, 1024, &s->cq) != 0 ||
		    ursa_roce_qp_create(s->pd, s->cq, s->cq, &cap, false, &s->qp) != 0)
			return -1;
	}
	for (int i = 0; i < 2; i++) {
		struct pair_side *s = &p->s[i], *o = &p->s[!i];
		struct roce_qp_up u = {
			.local = &s->addr,
			.remote = &o->addr,
			.access = URSA_RDMA_ACCESS_REMOTE_WRITE | URSA_RDMA_ACCESS_REMOTE_READ |
				  URSA_RDMA_ACCESS_REMOTE_ATOMIC,
			.path_mtu = c->mtu,
			.dest_qpn = ursa_roce_qp_num(o->qp),
			.rq_psn = c->psn[!i],
			.sq_psn = c->psn[i],
			.max_dest_rd_atomic = 4,
			.max_rd_atomic = 4,
			.min_rnr_timer = c->min_rnr_timer,
			.timeout = c->timeout,
			.retry_cnt = c->retry_cnt,
			.rnr_retry = c->rnr_retry,
		};
		int rc = roce_qp_up(s->qp, &u);

		if (rc != 0)
			return rc - 1; /* -2 INIT, -3 RTR, -4 RTS, as before */
	}
	return 0;
}

static inline void pair_close(struct pair *p)
{
	for (int i = 0; i < 2; i++) {
		struct pair_side *s = &p->s[i];

		for (unsigned k = 0; k < s->nq; k++)
			rte_pktmbuf_free(s->q[k]);
		s->nq = 0;
		if (s->qp)
			ursa_roce_qp_destroy(s->qp);
		if (s->cq)
			ursa_roce_cq_destroy(s->cq);
		if (s->pd)
			ursa_roce_pd_free(s->pd);
		if (s->lc)
			ursa_lcore_destroy(s->lc);
	}
}

/* Run until side i's CQ has a completion (or max_steps): returns polled count (0/1). */
static inline int pair_wait_wc(struct pair *p, int i, struct ursa_rdma_wc *wc, unsigned max_steps)
{
	for (unsigned k = 0; k < max_steps; k++) {
		int n = ursa_roce_cq_poll(p->s[i].cq, wc, 1);

		if (n != 0)
			return n;
		if (!pair_step(p)) {
			n = ursa_roce_cq_poll(p->s[i].cq, wc, 1);
			return n;
		}
	}
	return 0;
}

#endif /* ROCE_PAIR_H */
