/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The responder: an explicit state machine over one request packet (IBTA 9.7.4-9.7.5,
 * rocev2.md §3.3-3.7).
 *
 *   CHK_PSN -> CHK_OP_SEQ -> CHK_OP_VALID -> CHK_RESOURCE -> CHK_LENGTH -> CHK_RKEY
 *           -> EXECUTE -> ACKNOWLEDGE (coalesced: one ACK per received burst) | DONE
 *   CHK_PSN -> DUPLICATE (re-ACK SEND/WRITE, replay READ from memory, replay ATOMIC result)
 *           -> OUT_OF_SEQ (one NAK-PSN until the gap is filled)
 *   any check -> RNR (no receive WQE: RNR NAK, no state change) | ERR_* (NAK, QP -> error)
 *
 * The security checks (rkey exact, MR's PD is the QP's, MR access covers the operation, the
 * whole range inside the MR, atomics 8-byte aligned, SEND with Invalidate only of an MR
 * registered with URSA_RDMA_ACCESS_REMOTE_INVALIDATE) all run before memory is touched; the
 * packet's addresses, P_Key and ICRC were checked in roce_recv.c. READ responses are paced:
 * a READ becomes a resource streamed by roce_resp_read_run, re-validating the MR per packet.
 */
#include <errno.h>
#include <string.h>

#include "roce_priv.h"

const char *const roce_resp_state_names[ROCE_RS_MAX] = {
	[ROCE_RS_CHK_PSN] = "CHK_PSN",
	[ROCE_RS_CHK_OP_SEQ] = "CHK_OP_SEQ",
	[ROCE_RS_CHK_OP_VALID] = "CHK_OP_VALID",
	[ROCE_RS_CHK_RESOURCE] = "CHK_RESOURCE",
	[ROCE_RS_CHK_LENGTH] = "CHK_LENGTH",
	[ROCE_RS_CHK_RKEY] = "CHK_RKEY",
	[ROCE_RS_EXECUTE] = "EXECUTE",
	[ROCE_RS_ACKNOWLEDGE] = "ACKNOWLEDGE",
	[ROCE_RS_DONE] = "DONE",
	[ROCE_RS_DUPLICATE] = "DUPLICATE",
	[ROCE_RS_OUT_OF_SEQ] = "OUT_OF_SEQ",
	[ROCE_RS_RNR] = "RNR",
	[ROCE_RS_ERR_OP_SEQ] = "ERR_OP_SEQ",
	[ROCE_RS_ERR_OP_NOT_ALLOWED] = "ERR_OP_NOT_ALLOWED",
	[ROCE_RS_ERR_NO_RD_ATOMIC] = "ERR_NO_RD_ATOMIC",
	[ROCE_RS_ERR_LENGTH] = "ERR_LENGTH",
	[ROCE_RS_ERR_RKEY] = "ERR_RKEY",
	[ROCE_RS_ERR_PD] = "ERR_PD",
	[ROCE_RS_ERR_MR_ACCESS] = "ERR_MR_ACCESS",
	[ROCE_RS_ERR_RANGE] = "ERR_RANGE",
	[ROCE_RS_ERR_ALIGN] = "ERR_ALIGN",
	[ROCE_RS_ERR_INVALIDATE] = "ERR_INVALIDATE",
	[ROCE_RS_ERR_RECV_WQE] = "ERR_RECV_WQE",
};

/* ---- sending ACKs, NAKs, atomic ACKs ---- */

static void put_aeth(struct ursa_roce_qp *qp, uint8_t opcode, uint32_t psn, uint8_t syndrome,
		     uint32_t msn, const uint64_t *orig)
{
	struct rte_mbuf *m;
	uint8_t *ext;

	m = roce_tx_alloc(qp, opcode, psn, false, false, 0, &ext);
	if (m == NULL)
		return;
	roce_aeth_set((struct roce_aeth *)ext, syndrome, msn);
	if (orig != NULL)
		((struct roce_atmack *)(ext + sizeof(struct roce_aeth)))->orig =
			rte_cpu_to_be_64(*orig);
	roce_tx_finish(qp, m);
}

/* Any response of this QP: a coalesced ACK still held goes first (PSN order). */
static void send_aeth(struct ursa_roce_qp *qp, uint8_t opcode, uint32_t psn, uint8_t syndrome,
		      const uint64_t *orig)
{
	roce_resp_ack_flush(qp);
	put_aeth(qp, opcode, psn, syndrome, qp->resp.msn, orig);
}

static void send_ack(struct ursa_roce_qp *qp, uint32_t psn)
{
	qp->ctx->c[ROCE_C_tx_ack]++;
	send_aeth(qp, ROCE_OP_ACK, psn, ROCE_AETH_ACK | ROCE_AETH_ACK_NO_CREDIT, NULL);
}

static struct roce_res *res_at(struct ursa_roce_qp *qp, uint64_t n)
{
	return &qp->resp.res[n % qp->resp.nres];
}

/* READ/ATOMIC responses are still queued: an ACK must not overtake them. */
static bool responses_queued(const struct ursa_roce_qp *qp)
{
	for (uint32_t i = 0; i < qp->resp.nres; i++)
		if (qp->resp.res[i].pending)
			return true;
	return false;
}

static void defer_ack(struct ursa_roce_qp *qp, uint32_t psn)
{
	qp->resp.ack_deferred = true; /* a later ACK covers an earlier one */
	qp->resp.ack_psn = psn;
	qp->resp.ack_before = qp->resp.res_head;
}

/* An ACK that must not overtake READ/ATOMIC responses still queued. */
static void send_ack_ordered(struct ursa_roce_qp *qp, uint32_t psn)
{
	roce_resp_ack_flush(qp);
	if (!responses_queued(qp))
		send_ack(qp, psn);
	else
		defer_ack(qp, psn);
}

/*
 * A SEND/WRITE packet that asks for an ACK: hold it, so that the requests of one received
 * burst are acknowledged by one ACK for the last of them (an ACK acknowledges every earlier
 * PSN, IBA 9.7.5.1.1). The poll hook, after the burst, sends it (roce_poll); so does any
 * other response of the QP first. Each ACK replaced by a later one is counted.
 */
static void ack_coalesce(struct ursa_roce_qp *qp, uint32_t psn)
{
	if (qp->resp.ack_coalesce)
		qp->ctx->c[ROCE_C_tx_ack_coalesced]++;
	qp->resp.ack_coalesce = true;
	qp->resp.ack_co_psn = psn;
	qp->resp.ack_co_msn = qp->resp.msn;
	roce_mark_busy(qp);
}

void roce_resp_ack_flush(struct ursa_roce_qp *qp)
{
	if (!qp->resp.ack_coalesce)
		return;
	qp->resp.ack_coalesce = false;
	if (qp->state != URSA_RDMA_QPS_RTR && qp->state != URSA_RDMA_QPS_RTS &&
	    qp->state != URSA_RDMA_QPS_SQD)
		return; /* reset or in error since: nothing more is answered */
	if (responses_queued(qp)) {
		defer_ack(qp, qp->resp.ack_co_psn);
		return;
	}
	qp->ctx->c[ROCE_C_tx_ack]++;
	put_aeth(qp, ROCE_OP_ACK, qp->resp.ack_co_psn, ROCE_AETH_ACK | ROCE_AETH_ACK_NO_CREDIT,
		 qp->resp.ack_co_msn, NULL);
}

void roce_resp_ack_flush_all(struct ursa_roce_ctx *ctx)
{
	struct ursa_roce_qp *qp;

	TAILQ_FOREACH(qp, &ctx->busy, busy_link)
	roce_resp_ack_flush(qp);
}

static void send_nak(struct ursa_roce_qp *qp, uint32_t psn, uint8_t code)
{
	static const uint8_t counter[] = {
		[ROCE_NAK_PSN_SEQ] = ROCE_C_tx_nak_psn,
		[ROCE_NAK_INV_REQ] = ROCE_C_tx_nak_inv_req,
		[ROCE_NAK_REM_ACCESS] = ROCE_C_tx_nak_access,
		[ROCE_NAK_REM_OP] = ROCE_C_tx_nak_op,
	};

	qp->ctx->c[counter[code]]++;
	send_aeth(qp, ROCE_OP_ACK, psn, ROCE_AETH_NAK | code, NULL);
}

/* ---- checks ---- */

static enum roce_resp_state chk_psn(struct ursa_roce_qp *qp, const struct roce_pkt *pkt)
{
	int32_t d = roce_psn_cmp(pkt->psn, qp->resp.psn);

	if (d > 0)
		return ROCE_RS_OUT_OF_SEQ;
	if (d < 0)
		return ROCE_RS_DUPLICATE;
	qp->resp.nak_sent = false;
	return ROCE_RS_CHK_OP_SEQ;
}

static enum roce_resp_state chk_op_seq(struct ursa_roce_qp *qp, const struct roce_pkt *pkt)
{
	uint32_t m = pkt->mask;
	bool ok;

	switch (qp->resp.in) {
	case ROCE_IN_SEND:
		ok = (m & ROCE_M_SEND) && !(m & ROCE_M_FIRST);
		break;
	case ROCE_IN_WRITE:
		ok = (m & ROCE_M_WRITE) && !(m & ROCE_M_FIRST);
		break;
	default:
		ok = (m & ROCE_M_FIRST) != 0;
		break;
	}
	return ok ? ROCE_RS_CHK_OP_VALID : ROCE_RS_ERR_OP_SEQ;
}

static enum roce_resp_state chk_op_valid(struct ursa_roce_qp *qp, const struct roce_pkt *pkt)
{
	unsigned need = 0;

	if (pkt->mask & ROCE_M_WRITE)
		need = URSA_RDMA_ACCESS_REMOTE_WRITE;
	else if (pkt->mask & ROCE_M_READ)
		need = URSA_RDMA_ACCESS_REMOTE_READ;
	else if (pkt->mask & ROCE_M_ATOMIC)
		need = URSA_RDMA_ACCESS_REMOTE_ATOMIC;
	if ((qp->attr.qp_access_flags & need) != need)
		return ROCE_RS_ERR_OP_NOT_ALLOWED;
	return ROCE_RS_CHK_RESOURCE;
}

static enum roce_resp_state chk_resource(struct ursa_roce_qp *qp, const struct roce_pkt *pkt)
{
	if (pkt->mask & (ROCE_M_READ | ROCE_M_ATOMIC)) {
		/* The oldest of exactly max_dest_rd_atomic slots is still answering: the peer
		 * has more outstanding than it was granted. */
		if (qp->resp.nres == 0 || res_at(qp, qp->resp.res_head)->pending)
			return ROCE_RS_ERR_NO_RD_ATOMIC;
	}
	/* A SEND takes its WQE at the first packet; WRITE with immediate at the last. */
	if ((((pkt->mask & ROCE_M_SEND) && qp->resp.in == ROCE_IN_NONE) ||
	     ((pkt->mask & ROCE_M_WRITE) && (pkt->mask & ROCE_M_IMM))) &&
	    qp->rq_tail == qp->rq_head)
		return ROCE_RS_RNR;
	return ROCE_RS_CHK_LENGTH;
}

static enum roce_resp_state chk_length(struct ursa_roce_qp *qp, const struct roce_pkt *pkt)
{
	uint32_t m = pkt->mask, pmtu = qp_pmtu(qp), len = pkt->paylen;

	if (m & ROCE_M_PAYLOAD) {
		if ((m & ROCE_M_MIDDLE) || ((m & ROCE_M_FIRST) && !(m & ROCE_M_LAST))) {
			if (len != pmtu)
				return ROCE_RS_ERR_LENGTH;
		} else if (!(m & ROCE_M_FIRST)) { /* LAST */
			if (len == 0 || len > pmtu)
				return ROCE_RS_ERR_LENGTH;
		} else if (len > pmtu) { /* ONLY */
			return ROCE_RS_ERR_LENGTH;
		}
		if (pkt->pad != ((-len) & 3))
			return ROCE_RS_ERR_LENGTH;
	}
	if (m & ROCE_M_RETH) {
		uint32_t rlen = rte_be_to_cpu_32(pkt_reth(pkt)->len);

		if (rlen > ROCE_MAX_MSG_SIZE)
			return ROCE_RS_ERR_LENGTH;
		if ((m & ROCE_M_WRITE) && (m & ROCE_M_LAST) && rlen != len) /* WRITE_ONLY */
			return ROCE_RS_ERR_LENGTH;
		if ((m & ROCE_M_WRITE) && !(m & ROCE_M_LAST) && rlen <= pmtu) /* WRITE_FIRST */
			return ROCE_RS_ERR_LENGTH;
	} else if ((m & ROCE_M_WRITE) && qp->resp.in == ROCE_IN_WRITE) {
		uint64_t end = (uint64_t)qp->resp.offset + len;

		if ((m & ROCE_M_LAST) ? end != qp->resp.len : end >= qp->resp.len)
			return ROCE_RS_ERR_LENGTH;
	}
	if (m & ROCE_M_SEND) {
		uint32_t off = qp->resp.in == ROCE_IN_SEND ? qp->resp.offset : 0;

		if ((uint64_t)off + len > qp->rq[qp->rq_tail & (qp->rq_size - 1)].len)
			return ROCE_RS_ERR_LENGTH;
	}
	return ROCE_RS_CHK_RKEY;
}

/* The memory checks of one remote access: the order of the verdicts is the order of
 * rocev2.md §3.7 items 10-12. */
static enum roce_resp_state check_mr(struct ursa_roce_qp *qp, uint32_t rkey, uint64_t va,
				     uint64_t len, unsigned need)
{
	const struct ursa_roce_mr *mr = roce_mr_lookup(qp->ctx, rkey);

	if (mr == NULL || !mr->valid || mr->key != rkey)
		return ROCE_RS_ERR_RKEY;
	if (mr->pd != qp->pd)
		return ROCE_RS_ERR_PD;
	if ((mr->access & need) != need)
		return ROCE_RS_ERR_MR_ACCESS;
	if (!roce_mr_range_ok(mr, va, len))
		return ROCE_RS_ERR_RANGE;
	return ROCE_RS_EXECUTE;
}

static enum roce_resp_state chk_rkey(struct ursa_roce_qp *qp, const struct roce_pkt *pkt)
{
	uint32_t m = pkt->mask;

	if (m & ROCE_M_RETH) {
		const struct roce_reth *r = pkt_reth(pkt);
		uint32_t len = rte_be_to_cpu_32(r->len);

		if (len == 0) /* zero-length READ/WRITE: no key, no address (IBTA 9.4.4) */
			return ROCE_RS_EXECUTE;
		return check_mr(qp, rte_be_to_cpu_32(r->rkey), rte_be_to_cpu_64(r->va), len,
				(m & ROCE_M_WRITE) ? URSA_RDMA_ACCESS_REMOTE_WRITE
						   : URSA_RDMA_ACCESS_REMOTE_READ);
	}
	if ((m & ROCE_M_WRITE) && qp->resp.len > 0) { /* later packets: the MR may be gone */
		enum roce_resp_state s = check_mr(qp, qp->resp.rkey, qp->resp.va + qp->resp.offset,
						  pkt->paylen, URSA_RDMA_ACCESS_REMOTE_WRITE);
		return s;
	}
	if (m & ROCE_M_ATOMIC) {
		const struct roce_atmeth *a = pkt_atmeth(pkt);
		uint64_t va = rte_be_to_cpu_64(a->va);

		enum roce_resp_state s;

		if (va & 7)
			return ROCE_RS_ERR_ALIGN;
		s = check_mr(qp, rte_be_to_cpu_32(a->rkey), va, 8, URSA_RDMA_ACCESS_REMOTE_ATOMIC);
		/* an MR registered at an iova of another alignment cannot take atomics */
		if (s == ROCE_RS_EXECUTE &&
		    ((uintptr_t)roce_mr_ptr(roce_mr_lookup(qp->ctx, rte_be_to_cpu_32(a->rkey)),
					    va) &
		     7))
			return ROCE_RS_ERR_ALIGN;
		return s;
	}
	if (m & ROCE_M_INV) {
		/* Only memory registered as remotely invalidatable (rxe: fast-registered MRs);
		 * any other key of the PD is not the peer's to kill. */
		const struct ursa_roce_mr *mr = roce_mr_lookup(qp->ctx, pkt_ieth_rkey(pkt));

		if (mr == NULL || !mr->valid || mr->pd != qp->pd ||
		    !(mr->access & URSA_RDMA_ACCESS_REMOTE_INVALIDATE))
			return ROCE_RS_ERR_INVALIDATE;
	}
	return ROCE_RS_EXECUTE;
}

/* ---- execution ---- */

static void recv_complete(struct ursa_roce_qp *qp, enum ursa_rdma_wc_opcode op, uint32_t len,
			  const struct roce_pkt *pkt, enum ursa_rdma_wc_status st)
{
	struct roce_rwqe *r = &qp->rq[qp->rq_tail & (qp->rq_size - 1)];
	struct ursa_rdma_wc wc = {
		.wr_id = r->wr_id,
		.status = st,
		.opcode = op,
		.byte_len = len,
		.qp_num = qp->qpn,
	};

	if (pkt != NULL && (pkt->mask & ROCE_M_IMM)) {
		wc.wc_flags |= URSA_RDMA_WC_WITH_IMM;
		wc.imm_data = pkt_imm(pkt);
	}
	if (pkt != NULL && (pkt->mask & ROCE_M_INV)) {
		wc.wc_flags |= URSA_RDMA_WC_WITH_INV;
		wc.invalidated_rkey = pkt_ieth_rkey(pkt);
	}
	qp->rq_tail++;
	if (roce_cq_push(qp->rcq, &wc, pkt != NULL && pkt->se) != 0)
		roce_qp_error(qp);
}

static void invalidate(struct ursa_roce_qp *qp, uint32_t rkey)
{
	struct ursa_roce_mr *mr = roce_mr_lookup(qp->ctx, rkey);

	if (mr != NULL)
		roce_mr_invalidate(mr);
}

static enum roce_resp_state exec_send(struct ursa_roce_qp *qp, const struct roce_pkt *pkt)
{
	struct roce_rwqe *r = &qp->rq[qp->rq_tail & (qp->rq_size - 1)];

	if (qp->resp.in == ROCE_IN_NONE)
		qp->resp.offset = 0;
	if (pkt->paylen > 0 &&
	    roce_sge_copy(qp, r->sge, r->num_sge, qp->resp.offset, pkt->m, pkt->pay_off,
			  pkt->paylen, true, URSA_RDMA_ACCESS_LOCAL_WRITE) != 0)
		return ROCE_RS_ERR_RECV_WQE;
	qp->resp.offset += pkt->paylen;
	if (pkt->mask & ROCE_M_LAST) {
		if (pkt->mask & ROCE_M_INV)
			invalidate(qp, pkt_ieth_rkey(pkt));
		qp->resp.in = ROCE_IN_NONE;
		qp->resp.msn = roce_psn_add(qp->resp.msn, 1);
		recv_complete(qp, URSA_RDMA_WC_RECV, qp->resp.offset, pkt, URSA_RDMA_WC_SUCCESS);
	} else {
		qp->resp.in = ROCE_IN_SEND;
	}
	return ROCE_RS_ACKNOWLEDGE;
}

static enum roce_resp_state exec_write(struct ursa_roce_qp *qp, const struct roce_pkt *pkt)
{
	if (pkt->mask & ROCE_M_RETH) {
		const struct roce_reth *r = pkt_reth(pkt);

		qp->resp.va = rte_be_to_cpu_64(r->va);
		qp->resp.rkey = rte_be_to_cpu_32(r->rkey);
		qp->resp.len = rte_be_to_cpu_32(r->len);
		qp->resp.offset = 0;
	}
	if (pkt->paylen > 0) {
		/* chk_rkey validated key, PD, access and range for this very packet */
		const struct ursa_roce_mr *mr = roce_mr_lookup(qp->ctx, qp->resp.rkey);

		if (mr == NULL || roce_mbuf_read(pkt->m, pkt->pay_off,
						 roce_mr_ptr(mr, qp->resp.va + qp->resp.offset),
						 pkt->paylen) != 0)
			return ROCE_RS_ERR_LENGTH;
	}
	qp->resp.offset += pkt->paylen;
	if (pkt->mask & ROCE_M_LAST) {
		qp->resp.in = ROCE_IN_NONE;
		qp->resp.msn = roce_psn_add(qp->resp.msn, 1);
		if (pkt->mask & ROCE_M_IMM)
			recv_complete(qp, URSA_RDMA_WC_RECV_RDMA_WITH_IMM, qp->resp.len, pkt,
				      URSA_RDMA_WC_SUCCESS);
	} else {
		qp->resp.in = ROCE_IN_WRITE;
	}
	return ROCE_RS_ACKNOWLEDGE;
}

static struct roce_res *res_alloc(struct ursa_roce_qp *qp)
{
	/* An ACK held for earlier SEND/WRITEs goes before this resource's answers. */
	roce_resp_ack_flush(qp);
	/* The oldest slot; chk_resource ensured it is not still streaming. */
	struct roce_res *res = res_at(qp, qp->resp.res_head++);

	memset(res, 0, sizeof(*res));
	return res;
}

static enum roce_resp_state exec_read(struct ursa_roce_qp *qp, const struct roce_pkt *pkt)
{
	const struct roce_reth *r = pkt_reth(pkt);
	struct roce_res *res = res_alloc(qp);
	uint32_t len = rte_be_to_cpu_32(r->len);
	uint32_t npkts = len == 0 ? 1 : (len + qp_pmtu(qp) - 1) / qp_pmtu(qp);

	res->type = ROCE_RES_READ;
	res->first_psn = pkt->psn;
	res->last_psn = roce_psn_add(pkt->psn, npkts - 1);
	res->va = rte_be_to_cpu_64(r->va);
	res->rkey = rte_be_to_cpu_32(r->rkey);
	res->len = len;
	res->pending = true;
	res->next_psn = pkt->psn;
	res->next_va = res->va;
	res->left = len;
	qp->resp.psn = roce_psn_add(qp->resp.psn, npkts);
	qp->resp.msn = roce_psn_add(qp->resp.msn, 1);
	roce_resp_read_run(qp, ROCE_TX_BUDGET);
	return ROCE_RS_DONE;
}

static enum roce_resp_state exec_atomic(struct ursa_roce_qp *qp, const struct roce_pkt *pkt)
{
	const struct roce_atmeth *a = pkt_atmeth(pkt);
	const struct ursa_roce_mr *mr = roce_mr_lookup(qp->ctx, rte_be_to_cpu_32(a->rkey));
	uint64_t *p = roce_mr_ptr(mr, rte_be_to_cpu_64(a->va)); /* checked by chk_rkey */
	uint64_t arg = rte_be_to_cpu_64(a->swap_add), orig;
	struct roce_res *res;

	if (pkt->opcode == ROCE_OP_CMP_SWAP) {
		orig = rte_be_to_cpu_64(a->cmp);
		__atomic_compare_exchange_n(p, &orig, arg, false, __ATOMIC_SEQ_CST,
					    __ATOMIC_SEQ_CST);
	} else {
		orig = __atomic_fetch_add(p, arg, __ATOMIC_SEQ_CST);
	}
	res = res_alloc(qp);
	res->type = ROCE_RES_ATOMIC;
	res->first_psn = res->last_psn = pkt->psn;
	res->orig = orig;
	res->rkey = rte_be_to_cpu_32(a->rkey);
	res->va = rte_be_to_cpu_64(a->va);
	res->pending = true; /* the ATOMIC ACK leaves in order with READ responses */
	qp->resp.psn = roce_psn_add(qp->resp.psn, 1);
	qp->resp.msn = roce_psn_add(qp->resp.msn, 1);
	roce_resp_read_run(qp, ROCE_TX_BUDGET);
	return ROCE_RS_DONE;
}

static enum roce_resp_state execute(struct ursa_roce_qp *qp, const struct roce_pkt *pkt)
{
	enum roce_resp_state s;

	if (pkt->mask & ROCE_M_READ)
		return exec_read(qp, pkt);
	if (pkt->mask & ROCE_M_ATOMIC)
		return exec_atomic(qp, pkt);
	s = (pkt->mask & ROCE_M_SEND) ? exec_send(qp, pkt) : exec_write(qp, pkt);
	if (s == ROCE_RS_ACKNOWLEDGE) {
		qp->resp.psn = roce_psn_add(qp->resp.psn, 1);
		if (!pkt->ackreq)
			s = ROCE_RS_DONE;
	}
	return s;
}

/* ---- duplicates (rocev2.md §3.6) ---- */

static struct roce_res *res_find(struct ursa_roce_qp *qp, uint32_t psn, enum roce_res_type t)
{
	for (uint32_t i = 0; i < qp->resp.nres; i++) {
		struct roce_res *r = &qp->resp.res[i];

		if (r->type == t && roce_psn_cmp(psn, r->first_psn) >= 0 &&
		    roce_psn_cmp(psn, r->last_psn) <= 0)
			return r;
	}
	return NULL;
}

static enum roce_resp_state duplicate(struct ursa_roce_qp *qp, const struct roce_pkt *pkt)
{
	struct roce_res *res;

	qp->ctx->c[ROCE_C_rx_dup_req]++;
	if (pkt->mask & (ROCE_M_SEND | ROCE_M_WRITE)) { /* C9-105: ACK again, never re-execute */
		send_ack_ordered(qp, roce_psn_sub(qp->resp.psn, 1));
		return ROCE_RS_DONE;
	}
	if (pkt->mask & ROCE_M_READ) {
		const struct roce_reth *r = pkt_reth(pkt);
		uint64_t va = rte_be_to_cpu_64(r->va);
		uint32_t len = rte_be_to_cpu_32(r->len);
		uint32_t npkts = len == 0 ? 1 : (len + qp_pmtu(qp) - 1) / qp_pmtu(qp);

		res = res_find(qp, pkt->psn, ROCE_RES_READ);
		if (res == NULL) {
			qp->ctx->c[ROCE_C_drop_dup_unknown]++;
			return ROCE_RS_DONE;
		}
		/* IBA 9.8.3: the READ runs again from the duplicate's PSN with the duplicate's
		 * RETH. Only as a part of the saved one: same key, a subrange of its bytes, and
		 * no response PSN past its last (the peer's later requests own those). */
		if (rte_be_to_cpu_32(r->rkey) != res->rkey || va < res->va || len > res->len ||
		    va - res->va > res->len - len ||
		    roce_psn_after(roce_psn_add(pkt->psn, npkts - 1), res->last_psn)) {
			qp->ctx->c[ROCE_C_drop_dup_read_range]++;
			return ROCE_RS_DONE;
		}
		res->pending = true;
		res->next_psn = pkt->psn;
		res->next_va = va;
		res->left = len;
		res->first_sent = false;
		roce_resp_read_run(qp, ROCE_TX_BUDGET);
		return ROCE_RS_DONE;
	}
	res = res_find(qp, pkt->psn, ROCE_RES_ATOMIC);
	if (res == NULL) {
		qp->ctx->c[ROCE_C_drop_dup_unknown]++;
		return ROCE_RS_DONE;
	}
	res->pending = true; /* replay the saved result, never re-execute */
	roce_resp_read_run(qp, ROCE_TX_BUDGET);
	return ROCE_RS_DONE;
}

/* ---- READ response streaming ---- */

bool roce_resp_has_work(const struct ursa_roce_qp *qp)
{
	for (uint32_t i = 0; i < qp->resp.nres; i++)
		if (qp->resp.res[i].pending)
			return true;
	return false;
}

static void send_deferred_ack(struct ursa_roce_qp *qp)
{
	qp->resp.ack_deferred = false;
	send_ack(qp, qp->resp.ack_psn);
}

/* One READ response packet of res; returns false when it could not be sent now. */
static bool read_resp_one(struct ursa_roce_qp *qp, struct roce_res *res)
{
	uint32_t n = RTE_MIN(res->left, qp_pmtu(qp));
	bool first = !res->first_sent, last = res->left <= qp_pmtu(qp);
	uint8_t op = first ? (last ? ROCE_OP_READ_RESP_ONLY : ROCE_OP_READ_RESP_FIRST)
			   : (last ? ROCE_OP_READ_RESP_LAST : ROCE_OP_READ_RESP_MIDDLE);
	struct rte_mbuf *m;
	uint8_t *ext;

	roce_resp_ack_flush(qp); /* an ACK held for earlier PSNs leaves first */
	if (res->len > 0 && check_mr(qp, res->rkey, res->next_va, n,
				     URSA_RDMA_ACCESS_REMOTE_READ) != ROCE_RS_EXECUTE) {
		/* Deregistered while streaming (rocev2.md §3.7 item 11). */
		res->pending = false;
		send_nak(qp, res->next_psn, ROCE_NAK_REM_ACCESS);
		roce_qp_error(qp);
		return false;
	}
	m = roce_tx_alloc(qp, op, res->next_psn, false, false, n, &ext);
	if (m == NULL)
		return false;
	if (roce_opcodes[op].mask & ROCE_M_AETH)
		roce_aeth_set((struct roce_aeth *)ext, ROCE_AETH_ACK | ROCE_AETH_ACK_NO_CREDIT,
			      qp->resp.msn);
	if (n > 0)
		roce_mbuf_write(m, roce_tx_payload_off(qp, op),
				roce_mr_ptr(roce_mr_lookup(qp->ctx, res->rkey), res->next_va), n);
	roce_tx_finish(qp, m);
	qp->ctx->c[ROCE_C_tx_read_resp]++;
	res->first_sent = true;
	res->next_psn = roce_psn_add(res->next_psn, 1);
	res->next_va += n;
	res->left -= n;
	if (last)
		res->pending = false;
	return true;
}

unsigned roce_resp_read_run(struct ursa_roce_qp *qp, unsigned budget)
{
	uint32_t nres = qp->resp.nres;
	uint64_t head = qp->resp.res_head;
	unsigned sent = 0;

	if (qp->state == URSA_RDMA_QPS_ERR || nres == 0)
		return 0;
	/* Oldest first, in the order the requests arrived (resource numbers). */
	for (uint64_t i = head > nres ? head - nres : 0; i != head; i++) {
		struct roce_res *res = res_at(qp, i);

		if (qp->resp.ack_deferred && i >= qp->resp.ack_before)
			send_deferred_ack(qp);
		while (res->pending) {
			if (sent >= budget)
				goto more;
			if (res->type == ROCE_RES_ATOMIC) {
				qp->ctx->c[ROCE_C_tx_atomic_ack]++;
				send_aeth(qp, ROCE_OP_ATOMIC_ACK, res->first_psn,
					  ROCE_AETH_ACK | ROCE_AETH_ACK_NO_CREDIT, &res->orig);
				res->pending = false;
			} else if (!read_resp_one(qp, res)) {
				if (qp->state == URSA_RDMA_QPS_ERR)
					return sent;
				goto more; /* no mbuf now: try again at the next poll */
			}
			sent++;
		}
	}
	if (qp->resp.ack_deferred)
		send_deferred_ack(qp);
	return sent;
more:
	roce_mark_busy(qp);
	return sent;
}

/* ---- the machine ---- */

static uint8_t nak_code(enum roce_resp_state s)
{
	switch (s) {
	case ROCE_RS_ERR_RKEY:
	case ROCE_RS_ERR_PD:
	case ROCE_RS_ERR_MR_ACCESS:
	case ROCE_RS_ERR_RANGE:
		return ROCE_NAK_REM_ACCESS;
	case ROCE_RS_ERR_RECV_WQE:
		return ROCE_NAK_REM_OP;
	default:
		return ROCE_NAK_INV_REQ;
	}
}

enum roce_resp_state roce_resp_input(struct ursa_roce_qp *qp, struct roce_pkt *pkt)
{
	enum roce_resp_state s = ROCE_RS_CHK_PSN;

	for (;;) {
		switch (s) {
		case ROCE_RS_CHK_PSN:
			s = chk_psn(qp, pkt);
			break;
		case ROCE_RS_CHK_OP_SEQ:
			s = chk_op_seq(qp, pkt);
			break;
		case ROCE_RS_CHK_OP_VALID:
			s = chk_op_valid(qp, pkt);
			break;
		case ROCE_RS_CHK_RESOURCE:
			s = chk_resource(qp, pkt);
			break;
		case ROCE_RS_CHK_LENGTH:
			s = chk_length(qp, pkt);
			break;
		case ROCE_RS_CHK_RKEY:
			s = chk_rkey(qp, pkt);
			break;
		case ROCE_RS_EXECUTE:
			s = execute(qp, pkt);
			break;
		case ROCE_RS_ACKNOWLEDGE:
			ack_coalesce(qp, pkt->psn);
			return s;
		case ROCE_RS_DONE:
			return s;
		case ROCE_RS_DUPLICATE:
			duplicate(qp, pkt);
			return s;
		case ROCE_RS_OUT_OF_SEQ:
			if (!qp->resp.nak_sent) {
				qp->resp.nak_sent = true;
				send_nak(qp, qp->resp.psn, ROCE_NAK_PSN_SEQ);
			} else {
				qp->ctx->c[ROCE_C_drop_psn_oos]++;
			}
			return s;
		case ROCE_RS_RNR:
			qp->ctx->c[ROCE_C_tx_rnr_nak]++;
			send_aeth(qp, ROCE_OP_ACK, pkt->psn,
				  ROCE_AETH_RNR_NAK |
					  (qp->attr.min_rnr_timer & ROCE_AETH_CODE_MASK),
				  NULL);
			return s;
		default: /* ERR_*: NAK, then the QP goes to the error state */
			if (s == ROCE_RS_ERR_RECV_WQE)
				recv_complete(qp, URSA_RDMA_WC_RECV, 0, NULL,
					      URSA_RDMA_WC_LOC_PROT_ERR);
			else if (s == ROCE_RS_ERR_LENGTH && (pkt->mask & ROCE_M_SEND) &&
				 qp->rq_tail != qp->rq_head)
				recv_complete(qp, URSA_RDMA_WC_RECV, 0, NULL,
					      URSA_RDMA_WC_LOC_LEN_ERR);
			send_nak(qp, pkt->psn, nak_code(s));
			roce_qp_error(qp);
			return s;
		}
	}
}
