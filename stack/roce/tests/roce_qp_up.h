/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared by the roce test suites: take a QP from RESET through INIT and RTR to RTS with the
 * attributes a connected pair needs, as a connection manager would. */
#ifndef ROCE_QP_UP_H
#define ROCE_QP_UP_H

#include "ursa_rdma.h"
#include "ursa_roce.h"

struct roce_qp_up {
	const struct ursa_ipaddr *local, *remote; /* the GIDs are made from these */
	uint16_t iface;				  /* the local GID's interface and tenant */
	uint32_t tenant;
	uint32_t access;   /* qp_access_flags */
	uint16_t path_mtu; /* bytes */
	uint32_t dest_qpn, rq_psn, sq_psn;
	uint8_t max_dest_rd_atomic, max_rd_atomic;
	uint8_t min_rnr_timer, timeout, retry_cnt, rnr_retry;
};

/* A GID table entry (index 0) for address a on interface iface of tenant, as a provider
 * would resolve it: what the engine binds a QP to. */
static inline struct ursa_rdma_gid_attr roce_test_sgid(const struct ursa_ipaddr *a, uint16_t iface,
						       uint32_t tenant)
{
	struct ursa_rdma_gid_attr g = {
		.type = URSA_RDMA_GID_TYPE_ROCE_V2, .port = 1, .iface = iface, .tenant = tenant};

	ursa_rdma_gid_from_addr(&g.gid, a);
	return g;
}

/* 0, or the step that failed: -1 INIT, -2 RTR, -3 RTS. */
static inline int roce_qp_up(struct ursa_roce_qp *qp, const struct roce_qp_up *u)
{
	struct ursa_rdma_qp_attr a = {0};
	struct ursa_rdma_gid_attr sgid = roce_test_sgid(u->local, u->iface, u->tenant);

	a.qp_state = URSA_RDMA_QPS_INIT;
	a.qp_access_flags = u->access;
	if (ursa_roce_qp_modify(qp, &a, URSA_RDMA_QP_STATE | URSA_RDMA_QP_ACCESS_FLAGS, NULL) != 0)
		return -1;
	a.qp_state = URSA_RDMA_QPS_RTR;
	a.path_mtu = u->path_mtu;
	a.dest_qp_num = u->dest_qpn;
	a.rq_psn = u->rq_psn;
	a.max_dest_rd_atomic = u->max_dest_rd_atomic;
	a.min_rnr_timer = u->min_rnr_timer;
	ursa_rdma_gid_from_addr(&a.ah.dgid, u->remote);
	if (ursa_roce_qp_modify(qp, &a,
				URSA_RDMA_QP_STATE | URSA_RDMA_QP_PATH_MTU | URSA_RDMA_QP_DEST_QPN |
					URSA_RDMA_QP_RQ_PSN | URSA_RDMA_QP_MAX_DEST_RD_ATOMIC |
					URSA_RDMA_QP_MIN_RNR_TIMER | URSA_RDMA_QP_AV,
				&sgid) != 0)
		return -2;
	a.qp_state = URSA_RDMA_QPS_RTS;
	a.sq_psn = u->sq_psn;
	a.timeout = u->timeout;
	a.retry_cnt = u->retry_cnt;
	a.rnr_retry = u->rnr_retry;
	a.max_rd_atomic = u->max_rd_atomic;
	if (ursa_roce_qp_modify(qp, &a,
				URSA_RDMA_QP_STATE | URSA_RDMA_QP_SQ_PSN | URSA_RDMA_QP_TIMEOUT |
					URSA_RDMA_QP_RETRY_CNT | URSA_RDMA_QP_RNR_RETRY |
					URSA_RDMA_QP_MAX_QP_RD_ATOMIC,
				NULL) != 0)
		return -3;
	return 0;
}

#endif /* ROCE_QP_UP_H */
