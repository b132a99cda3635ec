/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The requester: turns send-queue WQEs into packets (rocev2.md §3.2). A message is cut at
 * the path MTU into FIRST, MIDDLE..., LAST or ONLY; each packet takes the next PSN; a READ
 * request takes ceil(len/PMTU) PSNs (min 1) because its responses use them; AckReq is set on
 * the last packet of a message, every ROCE_MAX_PKT_PER_ACK packets, and on the packet that
 * fills the window. At most ROCE_MAX_UNACKED_PSNS PSNs are outstanding and at most
 * max_rd_atomic READ/ATOMIC requests. Retransmission (timeout, NAK-PSN, RNR) rewinds to a
 * PSN inside a WQE and resumes from there (go-back-N); READs resume at the first missing
 * response. After a timeout the first packet resent is a probe (AckReq, nothing after it)
 * until the responder answers: its ACK moves una to where the responder really is.
 *
 * roce_req_run -> send_one -> roce_tx_alloc / roce_tx_finish; timers -> roce_req_rewind
 */
#include <errno.h>
#include <string.h>

#include "roce_priv.h"

static bool is_rd_atomic(enum ursa_rdma_wr_opcode op)
{
	return op == URSA_RDMA_WR_RDMA_READ || op == URSA_RDMA_WR_ATOMIC_CMP_AND_SWP ||
	       op == URSA_RDMA_WR_ATOMIC_FETCH_AND_ADD;
}

static uint32_t wqe_npkts(const struct ursa_roce_qp *qp, const struct roce_swqe *w)
{
	if (w->wr.opcode == URSA_RDMA_WR_ATOMIC_CMP_AND_SWP ||
	    w->wr.opcode == URSA_RDMA_WR_ATOMIC_FETCH_AND_ADD || w->len == 0)
		return 1;
	return (w->len + qp_pmtu(qp) - 1) / qp_pmtu(qp);
}

static uint8_t next_opcode(enum ursa_rdma_wr_opcode op, bool first, bool last)
{
	switch (op) {
	case URSA_RDMA_WR_SEND:
	case URSA_RDMA_WR_SEND_WITH_IMM:
	case URSA_RDMA_WR_SEND_WITH_INV:
		if (!last)
			return first ? ROCE_OP_SEND_FIRST : ROCE_OP_SEND_MIDDLE;
		if (op == URSA_RDMA_WR_SEND_WITH_IMM)
			return first ? ROCE_OP_SEND_ONLY_IMM : ROCE_OP_SEND_LAST_IMM;
		if (op == URSA_RDMA_WR_SEND_WITH_INV)
			return first ? ROCE_OP_SEND_ONLY_INV : ROCE_OP_SEND_LAST_INV;
		return first ? ROCE_OP_SEND_ONLY : ROCE_OP_SEND_LAST;
	case URSA_RDMA_WR_RDMA_WRITE:
	case URSA_RDMA_WR_RDMA_WRITE_WITH_IMM:
		if (!last)
			return first ? ROCE_OP_WRITE_FIRST : ROCE_OP_WRITE_MIDDLE;
		if (op == URSA_RDMA_WR_RDMA_WRITE_WITH_IMM)
			return first ? ROCE_OP_WRITE_ONLY_IMM : ROCE_OP_WRITE_LAST_IMM;
		return first ? ROCE_OP_WRITE_ONLY : ROCE_OP_WRITE_LAST;
	case URSA_RDMA_WR_RDMA_READ:
		return ROCE_OP_READ_REQUEST;
	case URSA_RDMA_WR_ATOMIC_CMP_AND_SWP:
		return ROCE_OP_CMP_SWAP;
	default:
		return ROCE_OP_FETCH_ADD;
	}
}

void roce_req_arm_timer(struct ursa_roce_qp *qp)
{
	if (qp->attr.timeout == 0) /* infinite */
		return;
	ursa_timer_arm_in(qp->ctx->lc, &qp->rexmit_timer, 4096ull << qp->attr.timeout);
}

/* Send the next packet of w (at qp->cur_off / qp->req_psn). */
static int send_one(struct ursa_roce_qp *qp, struct roce_swqe *w)
{
	uint32_t pmtu = qp_pmtu(qp), psn = qp->req_psn, off = qp->cur_off;
	bool first = true, last = true, ackreq, se = false, zc;
	uint32_t n = 0;
	int rc;
	struct rte_mbuf *m;
	uint8_t opcode, *ext;

	if (w->wr.opcode != URSA_RDMA_WR_RDMA_READ && !is_rd_atomic(w->wr.opcode)) {
		n = RTE_MIN(pmtu, w->len - off);
		first = off == 0;
		last = off + n == w->len;
	}
	opcode = next_opcode(w->wr.opcode, first, last);
	ackreq = last || qp->probe || qp->pkts_since_ackreq + 1 >= ROCE_MAX_PKT_PER_ACK ||
		 roce_psn_dist(qp->una, psn) + 1 >= ROCE_MAX_UNACKED_PSNS;
	if (last && (w->wr.send_flags & URSA_RDMA_SEND_SOLICITED) &&
	    (roce_opcodes[opcode].mask & (ROCE_M_SEND | ROCE_M_IMM)))
		se = true;
	zc = n >= URSA_ROCE_ZC_MIN && !qp->ctx->conf.tx_copy;
	m = zc ? roce_tx_alloc_zc(qp, opcode, psn, ackreq, se, n, &ext)
	       : roce_tx_alloc(qp, opcode, psn, ackreq, se, n, &ext);
	if (m == NULL)
		return -ENOBUFS;
	if (roce_opcodes[opcode].mask & ROCE_M_RETH) {
		struct roce_reth *r = (struct roce_reth *)ext;

		r->va = rte_cpu_to_be_64(w->wr.rdma.remote_addr + off);
		r->rkey = rte_cpu_to_be_32(w->wr.rdma.rkey);
		r->len = rte_cpu_to_be_32(w->len - off);
	}
	if (roce_opcodes[opcode].mask & ROCE_M_ATMETH) {
		struct roce_atmeth *a = (struct roce_atmeth *)ext;
		bool cs = opcode == ROCE_OP_CMP_SWAP;

		a->va = rte_cpu_to_be_64(w->wr.atomic.remote_addr);
		a->rkey = rte_cpu_to_be_32(w->wr.atomic.rkey);
		a->swap_add = rte_cpu_to_be_64(cs ? w->wr.atomic.swap : w->wr.atomic.compare_add);
		a->cmp = rte_cpu_to_be_64(cs ? w->wr.atomic.compare_add : 0);
	}
	if (roce_opcodes[opcode].mask & ROCE_M_IMMDT)
		((struct roce_immdt *)(ext + roce_opcodes[opcode].off[ROCE_H_IMMDT] -
				       sizeof(struct roce_bth)))
			->imm = w->wr.imm_data;
	if (roce_opcodes[opcode].mask & ROCE_M_IETH)
		((struct roce_ieth *)(ext + roce_opcodes[opcode].off[ROCE_H_IETH] -
				      sizeof(struct roce_bth)))
			->rkey = rte_cpu_to_be_32(w->wr.invalidate_rkey);
	if (zc && (rc = roce_sge_attach(qp, w->sge, w->wr.num_sge, off, m, n)) != 0) {
		rte_pktmbuf_free(m);
		return rc == -EACCES ? rc : -ENOBUFS;
	}
	if (!zc && n > 0 &&
	    roce_sge_copy(qp, w->sge, w->wr.num_sge, off, m, roce_tx_payload_off(qp, opcode), n,
			  false, 0) != 0) {
		rte_pktmbuf_free(m);
		return -EACCES;
	}
	if (zc)
		qp->ctx->c[ROCE_C_tx_zc_pkts]++;
	roce_tx_finish(qp, m);
	qp->pkts_since_ackreq = ackreq ? 0 : qp->pkts_since_ackreq + 1;
	if (is_rd_atomic(w->wr.opcode)) { /* one request packet for the whole WQE */
		qp->req_psn = roce_psn_add(w->last_psn, 1);
		qp->cur_off = w->len;
	} else {
		qp->req_psn = roce_psn_add(psn, 1);
		qp->cur_off = off + n;
	}
	if (roce_psn_after(qp->req_psn, qp->psn_max))
		qp->psn_max = qp->req_psn;
	if (qp->cur_off >= w->len) { /* also 0 >= 0: a zero-length message is one packet */
		qp->sq_cur++;
		qp->cur_off = 0;
	}
	return 0;
}

void roce_req_run(struct ursa_roce_qp *qp)
{
	unsigned sent = 0;

	/* SQD: finish what was started (and its retransmissions), start nothing new */
	if ((qp->state != URSA_RDMA_QPS_RTS && qp->state != URSA_RDMA_QPS_SQD) || qp->rnr_wait)
		return;
	while (qp->sq_cur != qp->sq_head) {
		struct roce_swqe *w = &qp->sq[qp->sq_cur & (qp->sq_size - 1)];
		int rc;

		if (sent >= ROCE_TX_BUDGET) {
			roce_mark_busy(qp);
			break;
		}
		if (!w->started) {
			if (qp->state == URSA_RDMA_QPS_SQD)
				break;
			if ((w->wr.send_flags & URSA_RDMA_SEND_FENCE) && qp->sq_comp != qp->sq_cur)
				break;
			if (is_rd_atomic(w->wr.opcode) &&
			    qp->rd_atomic_inflight >= qp->attr.max_rd_atomic)
				break;
		}
		if (roce_psn_dist(qp->una, qp->req_psn) >= ROCE_MAX_UNACKED_PSNS)
			break;
		if (qp->probe && roce_psn_after(qp->req_psn, qp->una))
			break; /* the probe is out: wait for the responder's answer */
		if (!w->started) {
			w->started = true;
			w->npkts = wqe_npkts(qp, w);
			w->first_psn = qp->req_psn;
			w->last_psn = roce_psn_add(w->first_psn, w->npkts - 1);
			if (is_rd_atomic(w->wr.opcode))
				qp->rd_atomic_inflight++;
		}
		rc = send_one(qp, w);
		if (rc == -ENOBUFS) {
			roce_mark_busy(qp);
			break;
		}
		if (rc != 0) { /* a bad local SGE: the WQE fails, the QP goes to error */
			roce_comp_wqe(qp, w, URSA_RDMA_WC_LOC_PROT_ERR, 0);
			return;
		}
		sent++;
	}
	if (roce_psn_cmp(qp->una, qp->psn_max) != 0 && !ursa_timer_pending(&qp->rexmit_timer))
		roce_req_arm_timer(qp);
}

void roce_req_rewind(struct ursa_roce_qp *qp, uint32_t psn)
{
	uint32_t i;

	for (i = qp->sq_comp; i != qp->sq_head; i++) {
		struct roce_swqe *w = &qp->sq[i & (qp->sq_size - 1)];

		if (!w->started)
			break;
		if (roce_psn_cmp(psn, w->first_psn) >= 0 && roce_psn_cmp(psn, w->last_psn) <= 0) {
			qp->sq_cur = i;
			qp->cur_off =
				is_rd_atomic(w->wr.opcode) && w->wr.opcode != URSA_RDMA_WR_RDMA_READ
					? 0
					: roce_psn_dist(w->first_psn, psn) * qp_pmtu(qp);
			qp->req_psn = psn;
			qp->pkts_since_ackreq = 0;
			return;
		}
	}
	/* psn is past every started WQE: continue with the first one not started. */
	qp->sq_cur = i;
	qp->cur_off = 0;
	qp->req_psn = psn;
	qp->pkts_since_ackreq = 0;
}

void roce_req_timer_cb(struct ursa_lcore *lc, struct ursa_timer *t, void *arg)
{
	struct ursa_roce_qp *qp = arg;

	RTE_SET_USED(lc), RTE_SET_USED(t);
	if (qp->state != URSA_RDMA_QPS_RTS && qp->state != URSA_RDMA_QPS_SQD)
		return;
	if (qp->rnr_wait || roce_psn_cmp(qp->una, qp->psn_max) == 0)
		return;
	qp->ctx->c[ROCE_C_timeout]++;
	if (qp->retry_left == 0) {
		roce_comp_wqe(qp, &qp->sq[qp->sq_comp & (qp->sq_size - 1)],
			      URSA_RDMA_WC_RETRY_EXC_ERR, 0);
		return;
	}
	qp->retry_left--;
	qp->ctx->c[ROCE_C_retransmit]++;
	roce_req_rewind(qp, qp->una);
	qp->probe = true;
	roce_req_arm_timer(qp);
	roce_req_run(qp);
}

void roce_req_rnr_cb(struct ursa_lcore *lc, struct ursa_timer *t, void *arg)
{
	struct ursa_roce_qp *qp = arg;

	RTE_SET_USED(lc), RTE_SET_USED(t);
	if (!qp->rnr_wait)
		return;
	qp->rnr_wait = false;
	qp->ctx->c[ROCE_C_rnr_retry]++;
	roce_req_rewind(qp, qp->una);
	roce_req_arm_timer(qp);
	roce_req_run(qp);
}
