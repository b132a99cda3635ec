/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RC queue pairs: creation, the state machine RESET -> INIT -> RTR -> RTS <-> SQD, -> ERR
 * (IBTA 10.3.1) with its attributes, posting work requests, and the error state's flush.
 * The UDP source port is a hash of the QPN in 0xC000-0xFFFF, fixed for the QP's life so
 * that ECMP keeps its packets in order (rocev2.md §1.3).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "roce_priv.h"

static void qp_flush_wc(struct ursa_roce_cq *cq, struct ursa_roce_qp *qp, uint64_t wr_id,
			enum ursa_rdma_wc_opcode op)
{
	struct ursa_rdma_wc wc = {
		.wr_id = wr_id,
		.status = URSA_RDMA_WC_WR_FLUSH_ERR,
		.opcode = op,
		.qp_num = qp->qpn,
	};

	roce_cq_push(cq, &wc, false);
}

enum ursa_rdma_wc_opcode roce_wc_opcode(enum ursa_rdma_wr_opcode op)
{
	switch (op) {
	case URSA_RDMA_WR_RDMA_WRITE:
	case URSA_RDMA_WR_RDMA_WRITE_WITH_IMM:
		return URSA_RDMA_WC_RDMA_WRITE;
	case URSA_RDMA_WR_RDMA_READ:
		return URSA_RDMA_WC_RDMA_READ;
	case URSA_RDMA_WR_ATOMIC_CMP_AND_SWP:
		return URSA_RDMA_WC_COMP_SWAP;
	case URSA_RDMA_WR_ATOMIC_FETCH_AND_ADD:
		return URSA_RDMA_WC_FETCH_ADD;
	default:
		return URSA_RDMA_WC_SEND;
	}
}

void roce_comp_flush(struct ursa_roce_qp *qp)
{
	for (; qp->sq_comp != qp->sq_head; qp->sq_comp++) {
		struct roce_swqe *w = &qp->sq[qp->sq_comp & (qp->sq_size - 1)];

		if (!w->done) /* already completed in error */
			qp_flush_wc(qp->scq, qp, w->wr.wr_id, roce_wc_opcode(w->wr.opcode));
	}
	qp->sq_cur = qp->sq_comp;
	for (; qp->rq_tail != qp->rq_head; qp->rq_tail++)
		qp_flush_wc(qp->rcq, qp, qp->rq[qp->rq_tail & (qp->rq_size - 1)].wr_id,
			    URSA_RDMA_WC_RECV);
}

void roce_qp_error(struct ursa_roce_qp *qp)
{
	struct ursa_lcore *lc = qp->ctx->lc;

	if (qp->state != URSA_RDMA_QPS_ERR)
		qp->ctx->c[ROCE_C_qp_error]++;
	qp->state = URSA_RDMA_QPS_ERR;
	ursa_timer_cancel(lc, &qp->rexmit_timer);
	ursa_timer_cancel(lc, &qp->rnr_timer);
	for (uint32_t i = 0; i < qp->resp.nres; i++)
		qp->resp.res[i].pending = false;
	roce_comp_flush(qp);
}

static uint16_t qp_sport(uint32_t qpn)
{
	return (uint16_t)(0xC000 | ((qpn * 0x9E3779B1u) >> 18));
}

int ursa_roce_qp_create(struct ursa_roce_pd *pd, struct ursa_roce_cq *send_cq,
			struct ursa_roce_cq *recv_cq, const struct ursa_rdma_qp_cap *cap,
			bool sq_sig_all, struct ursa_roce_qp **out)
{
	struct ursa_roce_ctx *ctx = pd->ctx;
	struct ursa_roce_qp *qp;
	int rc;

	if (send_cq == NULL || recv_cq == NULL || cap == NULL || cap->max_send_wr == 0 ||
	    cap->max_recv_wr == 0 || cap->max_send_wr > ROCE_MAX_WR ||
	    cap->max_recv_wr > ROCE_MAX_WR || cap->max_send_sge > ROCE_MAX_SGE ||
	    cap->max_recv_sge > ROCE_MAX_SGE)
		return -EINVAL;
	qp = calloc(1, sizeof(*qp));
	if (qp == NULL)
		return -ENOMEM;
	qp->sq_size = rte_align32pow2(cap->max_send_wr);
	qp->rq_size = rte_align32pow2(cap->max_recv_wr);
	qp->sq = calloc(qp->sq_size, sizeof(*qp->sq));
	qp->rq = calloc(qp->rq_size, sizeof(*qp->rq));
	if (qp->sq == NULL || qp->rq == NULL) {
		free(qp->sq);
		free(qp->rq);
		free(qp);
		return -ENOMEM;
	}
	qp->ctx = ctx;
	if ((rc = roce_qpn_alloc(ctx, qp)) != 0) {
		free(qp->sq);
		free(qp->rq);
		free(qp);
		return rc;
	}
	qp->state = URSA_RDMA_QPS_RESET;
	qp->pd = pd;
	qp->scq = send_cq;
	qp->rcq = recv_cq;
	qp->cap = *cap;
	if (qp->cap.max_send_sge == 0)
		qp->cap.max_send_sge = 1;
	if (qp->cap.max_recv_sge == 0)
		qp->cap.max_recv_sge = 1;
	qp->sig_all = sq_sig_all;
	qp->sport = qp_sport(qp->qpn);
	qp->path.iface = -1;
	qp->attr.pkey = ROCE_DEFAULT_PKEY;
	qp->attr.path_mtu = 1024;
	ursa_timer_init(&qp->rexmit_timer, roce_req_timer_cb, qp);
	ursa_timer_init(&qp->rnr_timer, roce_req_rnr_cb, qp);
	pd->users++;
	send_cq->users++;
	recv_cq->users++;
	*out = qp;
	return 0;
}

int ursa_roce_qp_destroy(struct ursa_roce_qp *qp)
{
	struct ursa_roce_ctx *ctx = qp->ctx;

	ursa_timer_cancel(ctx->lc, &qp->rexmit_timer);
	ursa_timer_cancel(ctx->lc, &qp->rnr_timer);
	if (qp->busy)
		TAILQ_REMOVE(&ctx->busy, qp, busy_link);
	roce_qpn_free(ctx, qp);
	qp->pd->users--;
	qp->scq->users--;
	qp->rcq->users--;
	free(qp->sq);
	free(qp->rq);
	free(qp);
	return 0;
}

int roce_qp_set_qpn(struct ursa_roce_qp *qp, uint32_t qpn)
{
	int rc = roce_qpn_set(qp->ctx, qp, qpn);

	qp->sport = qp_sport(qp->qpn);
	return rc;
}

uint32_t ursa_roce_qp_num(const struct ursa_roce_qp *qp)
{
	return qp->qpn;
}

uint16_t ursa_roce_qp_sport(const struct ursa_roce_qp *qp)
{
	return qp->sport;
}

static bool mtu_ok(uint16_t mtu)
{
	return mtu == 256 || mtu == 512 || mtu == 1024 || mtu == 2048 || mtu == 4096;
}

static bool transition_ok(enum ursa_rdma_qp_state from, enum ursa_rdma_qp_state to, unsigned mask)
{
	if (to == URSA_RDMA_QPS_RESET || to == URSA_RDMA_QPS_ERR)
		return true;
	switch (from) {
	case URSA_RDMA_QPS_RESET:
		return to == URSA_RDMA_QPS_INIT;
	case URSA_RDMA_QPS_INIT:
		return to == URSA_RDMA_QPS_INIT ||
		       (to == URSA_RDMA_QPS_RTR &&
			(mask & (URSA_RDMA_QP_DEST_QPN | URSA_RDMA_QP_RQ_PSN | URSA_RDMA_QP_AV)) ==
				(URSA_RDMA_QP_DEST_QPN | URSA_RDMA_QP_RQ_PSN | URSA_RDMA_QP_AV));
	case URSA_RDMA_QPS_RTR:
		return to == URSA_RDMA_QPS_RTS && (mask & URSA_RDMA_QP_SQ_PSN);
	case URSA_RDMA_QPS_RTS:
		return to == URSA_RDMA_QPS_RTS || to == URSA_RDMA_QPS_SQD;
	case URSA_RDMA_QPS_SQD:
		return to == URSA_RDMA_QPS_RTS || to == URSA_RDMA_QPS_SQD;
	default:
		return false;
	}
}

static void qp_reset(struct ursa_roce_qp *qp)
{
	struct ursa_lcore *lc = qp->ctx->lc;

	ursa_timer_cancel(lc, &qp->rexmit_timer);
	ursa_timer_cancel(lc, &qp->rnr_timer);
	qp->sq_head = qp->sq_comp = qp->sq_cur = 0;
	qp->rq_head = qp->rq_tail = 0;
	qp->cur_off = 0;
	qp->pkts_since_ackreq = 0;
	qp->rd_atomic_inflight = 0;
	qp->rnr_wait = false;
	qp->probe = false;
	memset(&qp->resp, 0, sizeof(qp->resp));
}

/* Every check of a modify, before anything changes (a failed modify leaves the QP as it
 * was). The address vector must come with the GID entry it names (index and family agree),
 * and no QP reaches RTR or beyond without an interface (an unbound QP would be reachable
 * from every interface). */
static int modify_check(const struct ursa_roce_qp *qp, const struct ursa_rdma_qp_attr *a,
			unsigned mask, const struct ursa_rdma_gid_attr *sgid,
			enum ursa_rdma_qp_state to)
{
	bool bound = qp->path.iface >= 0;

	if (!transition_ok(qp->state, to, mask))
		return -EINVAL;
	if ((mask & URSA_RDMA_QP_PATH_MTU) && !mtu_ok(a->path_mtu))
		return -EINVAL;
	if (((mask & URSA_RDMA_QP_DEST_QPN) && (a->dest_qp_num & ~ROCE_QPN_MASK)) ||
	    ((mask & URSA_RDMA_QP_RQ_PSN) && (a->rq_psn & ~ROCE_PSN_MASK)) ||
	    ((mask & URSA_RDMA_QP_SQ_PSN) && (a->sq_psn & ~ROCE_PSN_MASK)) ||
	    ((mask & URSA_RDMA_QP_TIMEOUT) && a->timeout > 31) ||
	    ((mask & URSA_RDMA_QP_RETRY_CNT) && a->retry_cnt > 7) ||
	    ((mask & URSA_RDMA_QP_RNR_RETRY) && a->rnr_retry > 7) ||
	    ((mask & URSA_RDMA_QP_MIN_RNR_TIMER) && a->min_rnr_timer > 31) ||
	    ((mask & URSA_RDMA_QP_MAX_QP_RD_ATOMIC) && a->max_rd_atomic > ROCE_MAX_RD_ATOMIC) ||
	    ((mask & URSA_RDMA_QP_MAX_DEST_RD_ATOMIC) &&
	     a->max_dest_rd_atomic > ROCE_MAX_RD_ATOMIC))
		return -EINVAL;
	if (mask & URSA_RDMA_QP_AV) {
		struct ursa_ipaddr l, r;

		/* The path is chosen once, on INIT -> RTR: a connected QP never moves to another
		 * interface (another tenant's VLAN) under its peer. */
		if (qp->state != URSA_RDMA_QPS_INIT || to != URSA_RDMA_QPS_RTR)
			return -EINVAL;
		if (sgid == NULL || sgid->index != a->ah.sgid_index ||
		    sgid->type != URSA_RDMA_GID_TYPE_ROCE_V2)
			return -EINVAL;
		ursa_rdma_gid_to_addr(&sgid->gid, &l);
		ursa_rdma_gid_to_addr(&a->ah.dgid, &r);
		if (l.family != r.family)
			return -EINVAL;
		bound = true;
	}
	if (!bound &&
	    (to == URSA_RDMA_QPS_RTR || to == URSA_RDMA_QPS_RTS || to == URSA_RDMA_QPS_SQD))
		return -EINVAL;
	return 0;
}

static void modify_apply(struct ursa_roce_qp *qp, const struct ursa_rdma_qp_attr *a, unsigned mask,
			 const struct ursa_rdma_gid_attr *sgid)
{
	if (mask & URSA_RDMA_QP_ACCESS_FLAGS)
		qp->attr.qp_access_flags = a->qp_access_flags;
	if (mask & URSA_RDMA_QP_PKEY)
		qp->attr.pkey = a->pkey;
	if (mask & URSA_RDMA_QP_PATH_MTU)
		qp->attr.path_mtu = a->path_mtu;
	if (mask & URSA_RDMA_QP_DEST_QPN)
		qp->attr.dest_qp_num = a->dest_qp_num;
	if (mask & URSA_RDMA_QP_RQ_PSN) {
		qp->attr.rq_psn = a->rq_psn;
		qp->resp.psn = a->rq_psn;
	}
	if (mask & URSA_RDMA_QP_SQ_PSN) {
		qp->attr.sq_psn = a->sq_psn;
		qp->req_psn = qp->una = qp->psn_max = a->sq_psn;
	}
	if (mask & URSA_RDMA_QP_TIMEOUT)
		qp->attr.timeout = a->timeout;
	if (mask & URSA_RDMA_QP_RETRY_CNT)
		qp->attr.retry_cnt = qp->retry_left = a->retry_cnt;
	if (mask & URSA_RDMA_QP_RNR_RETRY)
		qp->attr.rnr_retry = qp->rnr_left = a->rnr_retry;
	if (mask & URSA_RDMA_QP_MAX_QP_RD_ATOMIC)
		qp->attr.max_rd_atomic = a->max_rd_atomic;
	if (mask & URSA_RDMA_QP_MAX_DEST_RD_ATOMIC) {
		qp->attr.max_dest_rd_atomic = a->max_dest_rd_atomic;
		qp->resp.nres = a->max_dest_rd_atomic; /* exactly what the peer is granted */
	}
	if (mask & URSA_RDMA_QP_MIN_RNR_TIMER)
		qp->attr.min_rnr_timer = a->min_rnr_timer;
	if (mask & URSA_RDMA_QP_AV) {
		qp->attr.ah = a->ah;
		ursa_rdma_gid_to_addr(&a->ah.dgid, &qp->path.remote);
		ursa_rdma_gid_to_addr(&sgid->gid, &qp->path.local);
		qp->path.iface = sgid->iface;
		qp->path.tenant = sgid->tenant;
	}
}

int ursa_roce_qp_modify(struct ursa_roce_qp *qp, const struct ursa_rdma_qp_attr *a, unsigned mask,
			const struct ursa_rdma_gid_attr *sgid)
{
	enum ursa_rdma_qp_state to = (mask & URSA_RDMA_QP_STATE) ? a->qp_state : qp->state;
	int rc = modify_check(qp, a, mask, sgid, to);

	if (rc != 0)
		return rc;
	modify_apply(qp, a, mask, sgid);
	if (to != qp->state) {
		if (to == URSA_RDMA_QPS_RESET)
			qp_reset(qp);
		if (to == URSA_RDMA_QPS_ERR) {
			roce_qp_error(qp);
			return 0;
		}
		qp->state = to;
		if (to == URSA_RDMA_QPS_RTS)
			roce_mark_busy(qp);
	}
	return 0;
}

int ursa_roce_qp_query(const struct ursa_roce_qp *qp, struct ursa_rdma_qp_attr *a)
{
	*a = qp->attr;
	a->qp_state = qp->state;
	return 0;
}

int ursa_roce_post_send(struct ursa_roce_qp *qp, const struct ursa_rdma_send_wr *wr, unsigned n)
{
	unsigned i;

	if (qp->state != URSA_RDMA_QPS_RTS && qp->state != URSA_RDMA_QPS_SQD &&
	    qp->state != URSA_RDMA_QPS_ERR)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		const struct ursa_rdma_send_wr *w = &wr[i];
		struct roce_swqe *s;
		uint64_t len = 0;
		bool atomic = w->opcode == URSA_RDMA_WR_ATOMIC_CMP_AND_SWP ||
			      w->opcode == URSA_RDMA_WR_ATOMIC_FETCH_AND_ADD;

		if (w->num_sge > qp->cap.max_send_sge || (w->num_sge && w->sg_list == NULL) ||
		    (unsigned)w->opcode > URSA_RDMA_WR_ATOMIC_FETCH_AND_ADD)
			break;
		for (unsigned j = 0; j < w->num_sge; j++)
			len += w->sg_list[j].length;
		if (len > ROCE_MAX_MSG_SIZE)
			break;
		if (atomic && (len != 8 || (w->atomic.remote_addr & 7)))
			break;
		if ((atomic || w->opcode == URSA_RDMA_WR_RDMA_READ) && qp->attr.max_rd_atomic == 0)
			break;
		if (qp->sq_head - qp->sq_comp >= qp->sq_size)
			break;
		s = &qp->sq[qp->sq_head & (qp->sq_size - 1)];
		memset(s, 0, sizeof(*s));
		s->wr = *w;
		if (w->num_sge > 0) /* sg_list may be NULL without SGEs */
			memcpy(s->sge, w->sg_list, w->num_sge * sizeof(s->sge[0]));
		s->wr.sg_list = s->sge;
		s->len = (uint32_t)len;
		qp->sq_head++;
	}
	if (i == 0 && n > 0)
		return qp->sq_head - qp->sq_comp >= qp->sq_size ? -ENOMEM : -EINVAL;
	if (qp->state == URSA_RDMA_QPS_ERR)
		roce_comp_flush(qp);
	else
		roce_req_run(qp);
	return (int)i;
}

int ursa_roce_post_recv(struct ursa_roce_qp *qp, const struct ursa_rdma_recv_wr *wr, unsigned n)
{
	unsigned i;

	if (qp->state == URSA_RDMA_QPS_RESET)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		const struct ursa_rdma_recv_wr *w = &wr[i];
		struct roce_rwqe *r;
		uint64_t len = 0;

		if (w->num_sge > qp->cap.max_recv_sge || (w->num_sge && w->sg_list == NULL))
			break;
		for (unsigned j = 0; j < w->num_sge; j++)
			len += w->sg_list[j].length;
		if (len > ROCE_MAX_MSG_SIZE || qp->rq_head - qp->rq_tail >= qp->rq_size)
			break;
		r = &qp->rq[qp->rq_head & (qp->rq_size - 1)];
		r->wr_id = w->wr_id;
		r->num_sge = w->num_sge;
		r->len = (uint32_t)len;
		if (w->num_sge > 0) /* sg_list may be NULL without SGEs */
			memcpy(r->sge, w->sg_list, w->num_sge * sizeof(r->sge[0]));
		qp->rq_head++;
	}
	if (i == 0 && n > 0)
		return qp->rq_head - qp->rq_tail >= qp->rq_size ? -ENOMEM : -EINVAL;
	if (qp->state == URSA_RDMA_QPS_ERR)
		roce_comp_flush(qp);
	return (int)i;
}
