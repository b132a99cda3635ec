/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The completer: what comes back from the responder (rocev2.md §3.3-3.5). An ACK with PSN p
 * acknowledges every PSN <= p; READ responses, ATOMIC ACKs and NAKs implicitly acknowledge
 * the PSNs before theirs. SEND/WRITE WQEs complete when acknowledged, READ/ATOMIC when their
 * data arrived. NAK-PSN rewinds the requester (go-back-N); RNR NAK waits the peer's RNR time
 * and retries (rnr_retry 7 = forever); other NAKs fail the WQE with the matching status and
 * move the QP to the error state, which flushes everything else.
 *
 * roce_comp_input -> ack_upto -> complete -> roce_cq_push; -> roce_req_rewind/run
 */
#include <errno.h>
#include <string.h>

#include "roce_priv.h"

/* RNR NAK timer codes in microseconds (IBTA table 45; rocev2.md §3.4). */
static const uint32_t rnr_usec[32] = {
	655360, 10,    20,    30,    40,    60,	    80,	    120,    160,    240,    320,
	480,	640,   960,   1280,  1920,  2560,   3840,   5120,   7680,   10240,  15360,
	20480,	30720, 40960, 61440, 81920, 122880, 163840, 245760, 327680, 491520,
};

static bool is_rd_atomic(enum ursa_rdma_wr_opcode op)
{
	return op == URSA_RDMA_WR_RDMA_READ || op == URSA_RDMA_WR_ATOMIC_CMP_AND_SWP ||
	       op == URSA_RDMA_WR_ATOMIC_FETCH_AND_ADD;
}

static struct roce_swqe *head_wqe(struct ursa_roce_qp *qp)
{
	if (qp->sq_comp == qp->sq_head)
		return NULL;
	return &qp->sq[qp->sq_comp & (qp->sq_size - 1)];
}

void roce_comp_wqe(struct ursa_roce_qp *qp, struct roce_swqe *w, enum ursa_rdma_wc_status st,
		   uint32_t vendor_err)
{
	struct ursa_rdma_wc wc = {
		.wr_id = w->wr.wr_id,
		.status = st,
		.opcode = roce_wc_opcode(w->wr.opcode),
		.byte_len = w->len,
		.qp_num = qp->qpn,
		.vendor_err = vendor_err,
	};
	bool push = st != URSA_RDMA_WC_SUCCESS || qp->sig_all ||
		    (w->wr.send_flags & URSA_RDMA_SEND_SIGNALED);

	w->done = true;
	if (w->started && is_rd_atomic(w->wr.opcode) && qp->rd_atomic_inflight > 0)
		qp->rd_atomic_inflight--;
	if (w == head_wqe(qp)) {
		qp->sq_comp++;
		if ((int32_t)(qp->sq_cur - qp->sq_comp) < 0)
			qp->sq_cur = qp->sq_comp;
	}
	if (push && roce_cq_push(qp->scq, &wc, false) != 0)
		st = URSA_RDMA_WC_GENERAL_ERR;
	if (st != URSA_RDMA_WC_SUCCESS)
		roce_qp_error(qp);
}

/* Complete what PSNs up to and including p acknowledge. Returns true when progress was made;
 * sets *lost when an unfinished READ/ATOMIC lies at or before p (its responses were lost). */
static bool ack_upto(struct ursa_roce_qp *qp, uint32_t p, bool *lost)
{
	bool progress = false;
	struct roce_swqe *w;

	while ((w = head_wqe(qp)) != NULL && w->started && roce_psn_cmp(w->first_psn, p) <= 0) {
		if (is_rd_atomic(w->wr.opcode)) {
			uint32_t resume = roce_psn_add(w->first_psn, w->read_done);

			if (roce_psn_after(resume, qp->una)) {
				qp->una = resume;
				progress = true;
			}
			if (roce_psn_cmp(resume, p) <= 0)
				*lost = true;
			return progress;
		}
		if (roce_psn_after(w->last_psn, p))
			break;
		roce_comp_wqe(qp, w, URSA_RDMA_WC_SUCCESS, 0);
		progress = true;
	}
	if (roce_psn_after(roce_psn_add(p, 1), qp->una)) {
		qp->una = roce_psn_add(p, 1);
		progress = true;
	}
	return progress;
}

/* The original value of an ATOMIC goes to the first SGE, which must hold all 8 bytes: the
 * other SGEs (post_send only checked that the lengths add up to 8) are not written. */
static void set_local_u64(struct ursa_roce_qp *qp, struct roce_swqe *w, uint64_t v)
{
	const struct ursa_roce_mr *mr;

	if (w->wr.num_sge == 0 || w->sge[0].length < sizeof(v)) {
		roce_comp_wqe(qp, w, URSA_RDMA_WC_LOC_LEN_ERR, 0);
		return;
	}
	mr = roce_mr_lookup(qp->ctx, w->sge[0].lkey);
	if (mr == NULL || mr->pd != qp->pd || !(mr->access & URSA_RDMA_ACCESS_LOCAL_WRITE) ||
	    !roce_mr_range_ok(mr, w->sge[0].addr, 8)) {
		roce_comp_wqe(qp, w, URSA_RDMA_WC_LOC_PROT_ERR, 0);
		return;
	}
	memcpy(roce_mr_ptr(mr, w->sge[0].addr), &v, 8);
	qp->una = roce_psn_add(w->first_psn, 1);
	roce_comp_wqe(qp, w, URSA_RDMA_WC_SUCCESS, 0);
}

/* A READ response at the PSN the head READ expects next. Returns true on progress. */
static bool read_response(struct ursa_roce_qp *qp, struct roce_pkt *pkt)
{
	struct roce_swqe *w = head_wqe(qp);
	uint32_t pmtu = qp_pmtu(qp), off, remaining;

	if (w == NULL || !w->started || w->wr.opcode != URSA_RDMA_WR_RDMA_READ ||
	    pkt->psn != roce_psn_add(w->first_psn, w->read_done)) {
		qp->ctx->c[ROCE_C_drop_resp_unexpected]++;
		return false;
	}
	off = w->read_done * pmtu;
	remaining = w->len - off;
	if ((pkt->mask & ROCE_M_LAST) ? pkt->paylen != remaining
				      : (pkt->paylen != pmtu || remaining <= pmtu)) {
		qp->ctx->c[ROCE_C_drop_resp_bad_len]++;
		return false;
	}
	if (pkt->paylen > 0 &&
	    roce_sge_copy(qp, w->sge, w->wr.num_sge, off, pkt->m, pkt->pay_off, pkt->paylen, true,
			  URSA_RDMA_ACCESS_LOCAL_WRITE) != 0) {
		roce_comp_wqe(qp, w, URSA_RDMA_WC_LOC_PROT_ERR, 0);
		return false;
	}
	w->read_done++;
	qp->una = roce_psn_add(pkt->psn, 1);
	if (pkt->mask & ROCE_M_LAST)
		roce_comp_wqe(qp, w, URSA_RDMA_WC_SUCCESS, 0);
	return true;
}

static enum ursa_rdma_wc_status nak_status(uint8_t code)
{
	switch (code) {
	case ROCE_NAK_INV_REQ:
		return URSA_RDMA_WC_REM_INV_REQ_ERR;
	case ROCE_NAK_REM_ACCESS:
		return URSA_RDMA_WC_REM_ACCESS_ERR;
	case ROCE_NAK_REM_OP:
		return URSA_RDMA_WC_REM_OP_ERR;
	default:
		return URSA_RDMA_WC_BAD_RESP_ERR;
	}
}

void roce_comp_input(struct ursa_roce_qp *qp, struct roce_pkt *pkt)
{
	struct ursa_roce_ctx *ctx = qp->ctx;
	uint32_t psn = pkt->psn;
	bool progress = false, lost = false;
	struct roce_swqe *w;

	if (roce_psn_before(psn, qp->una) || !roce_psn_before(psn, qp->psn_max)) {
		ctx->c[ROCE_C_drop_resp_stale]++;
		return;
	}
	qp->probe = false; /* the responder answers: back to the whole window */
	if (pkt->opcode == ROCE_OP_ACK) {
		uint8_t syn = pkt_aeth(pkt)->syndrome;

		switch (syn & ROCE_AETH_TYPE_MASK) {
		case ROCE_AETH_ACK:
			progress = ack_upto(qp, psn, &lost);
			break;
		case ROCE_AETH_RNR_NAK:
			ctx->c[ROCE_C_rx_rnr_nak]++;
			progress = ack_upto(qp, roce_psn_sub(psn, 1), &lost);
			w = head_wqe(qp);
			if (w == NULL || qp->state == URSA_RDMA_QPS_ERR)
				return;
			if (qp->rnr_left == 0) {
				roce_comp_wqe(qp, w, URSA_RDMA_WC_RNR_RETRY_EXC_ERR, syn);
				return;
			}
			if (qp->attr.rnr_retry != 7)
				qp->rnr_left--;
			qp->rnr_wait = true;
			roce_req_rewind(qp, psn);
			ursa_timer_cancel(ctx->lc, &qp->rexmit_timer);
			ursa_timer_arm_in(ctx->lc, &qp->rnr_timer,
					  rnr_usec[syn & ROCE_AETH_CODE_MASK] * URSA_NS_PER_US);
			return;
		case ROCE_AETH_NAK:
			progress = ack_upto(qp, roce_psn_sub(psn, 1), &lost);
			if ((syn & ROCE_AETH_CODE_MASK) == ROCE_NAK_PSN_SEQ) {
				ctx->c[ROCE_C_rx_nak_psn]++;
				ctx->c[ROCE_C_retransmit]++;
				roce_req_rewind(qp, psn);
				lost = false;
				break;
			}
			ctx->c[ROCE_C_rx_nak_err]++;
			w = head_wqe(qp);
			if (w != NULL && qp->state != URSA_RDMA_QPS_ERR)
				roce_comp_wqe(qp, w, nak_status(syn & ROCE_AETH_CODE_MASK), syn);
			return;
		default:
			ctx->c[ROCE_C_drop_resp_unexpected]++;
			return;
		}
	} else if (pkt->opcode == ROCE_OP_ATOMIC_ACK) {
		progress = ack_upto(qp, roce_psn_sub(psn, 1), &lost);
		lost = false;
		w = head_wqe(qp);
		if (w == NULL || !w->started || w->first_psn != psn ||
		    (w->wr.opcode != URSA_RDMA_WR_ATOMIC_CMP_AND_SWP &&
		     w->wr.opcode != URSA_RDMA_WR_ATOMIC_FETCH_AND_ADD)) {
			ctx->c[ROCE_C_drop_resp_unexpected]++;
		} else {
			set_local_u64(qp, w, rte_be_to_cpu_64(pkt_atmack(pkt)->orig));
			progress = true;
		}
	} else { /* READ response */
		progress = ack_upto(qp, roce_psn_sub(psn, 1), &lost);
		progress |= read_response(qp, pkt);
		/* A response beyond the one the head READ expects means the ones between were
		 * lost: an implied NAK (IBA 9.7.5.1.3, as rxe's completer does). Re-request the
		 * rest of the READ now instead of after the ACK timeout, once per PSN. */
		if (lost && !(qp->implied_nak && qp->implied_nak_psn == qp->una)) {
			qp->implied_nak = true;
			qp->implied_nak_psn = qp->una;
			ctx->c[ROCE_C_rx_implied_nak]++;
		} else {
			lost = false;
		}
	}
	if (qp->state == URSA_RDMA_QPS_ERR)
		return;
	if (progress) {
		qp->retry_left = qp->attr.retry_cnt;
		qp->rnr_left = qp->attr.rnr_retry;
		if (roce_psn_cmp(qp->una, qp->psn_max) != 0)
			roce_req_arm_timer(qp);
		else
			ursa_timer_cancel(ctx->lc, &qp->rexmit_timer);
	}
	if (lost || roce_psn_before(qp->req_psn, qp->una)) {
		if (lost)
			ctx->c[ROCE_C_retransmit]++;
		roce_req_rewind(qp, qp->una);
	}
	roce_req_run(qp);
}
