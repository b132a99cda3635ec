/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The test, replay and fuzzing hooks of ursa_roce_testing.h, built into their own static
 * library (never into libursa, never installed): chosen keys and QPNs for replaying
 * captures, an input entry for fuzzers, and a fixed target for them (ursa_roce_fuzz_setup:
 * one QP in RTS with known addresses, PSNs and an MR with a known key, so that mutated
 * inputs reach the responder's checks and the completer; everything it creates is freed by
 * a fini hook with the lcore).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "roce_priv.h"
#include "ursa_roce_testing.h"

int ursa_roce_mr_set_key(struct ursa_roce_mr *mr, uint32_t key)
{
	return roce_mr_set_key(mr, key);
}

int ursa_roce_qp_set_qpn(struct ursa_roce_qp *qp, uint32_t qpn)
{
	return roce_qp_set_qpn(qp, qpn);
}

int ursa_roce_fuzz_input(struct ursa_lcore *lc, const uint8_t *data, size_t len)
{
	struct rte_mbuf *m;

	if (lc->roce == NULL && ursa_roce_ctx_create(lc, NULL) != 0)
		return -ENOMEM;
	m = ursa_pkt_alloc(lc);
	if (m == NULL)
		return -ENOMEM;
	if (len > rte_pktmbuf_tailroom(m))
		len = rte_pktmbuf_tailroom(m);
	if (len > 0)
		memcpy(rte_pktmbuf_append(m, (uint16_t)len), data, len);
	ursa_roce_input_l3(lc, m, 0);
	return 0;
}

#define FUZZ_MR_LEN (64 * 1024)

struct roce_fuzz {
	struct ursa_roce_pd *pd;
	struct ursa_roce_cq *cq;
	struct ursa_roce_qp *qp;
	struct ursa_roce_mr *mr;
	uint8_t *mem;
};

static int fuzz_sink(struct ursa_lcore *lc, void *arg, const struct ursa_roce_path *p,
		     struct rte_mbuf *m)
{
	RTE_SET_USED(lc), RTE_SET_USED(arg), RTE_SET_USED(p);
	rte_pktmbuf_free(m);
	return 0;
}

static void fuzz_free(struct roce_fuzz *f)
{
	if (f->qp != NULL)
		ursa_roce_qp_destroy(f->qp);
	if (f->mr != NULL)
		ursa_roce_mr_dereg(f->mr);
	if (f->cq != NULL)
		ursa_roce_cq_destroy(f->cq);
	if (f->pd != NULL)
		ursa_roce_pd_free(f->pd);
	free(f->mem);
	free(f);
}

static void fuzz_fini(struct ursa_lcore *lc)
{
	if (lc->roce != NULL && lc->roce->fuzz != NULL) {
		fuzz_free(lc->roce->fuzz);
		lc->roce->fuzz = NULL;
	}
}

int ursa_roce_fuzz_setup(struct ursa_lcore *lc)
{
	const unsigned remote = URSA_RDMA_ACCESS_REMOTE_WRITE | URSA_RDMA_ACCESS_REMOTE_READ |
				URSA_RDMA_ACCESS_REMOTE_ATOMIC;
	struct ursa_rdma_qp_cap cap = {8, 8, 1, 1};
	struct ursa_rdma_qp_attr a = {0};
	struct ursa_rdma_gid_attr sgid = {0}; /* entry 0: interface 0, tenant 0 */
	struct ursa_ipaddr l, r;
	struct roce_fuzz *f;
	int rc;

	if (lc->roce == NULL && (rc = ursa_roce_ctx_create(lc, NULL)) != 0)
		return rc;
	if (lc->roce->fuzz != NULL)
		return -EEXIST;
	f = calloc(1, sizeof(*f));
	if (f == NULL)
		return -ENOMEM;
	ursa_roce_set_xmit(lc, fuzz_sink, NULL);
	f->mem = calloc(1, FUZZ_MR_LEN);
	if (f->mem == NULL) {
		rc = -ENOMEM;
		goto err;
	}
	if ((rc = ursa_roce_pd_alloc(lc, &f->pd)) != 0 ||
	    (rc = ursa_roce_cq_create(lc, 1024, &f->cq)) != 0 ||
	    (rc = ursa_roce_qp_create(f->pd, f->cq, f->cq, &cap, false, &f->qp)) != 0 ||
	    (rc = ursa_roce_mr_reg_iova(f->pd, f->mem, FUZZ_MR_LEN, 0x10000,
					remote | URSA_RDMA_ACCESS_LOCAL_WRITE, &f->mr)) != 0 ||
	    (rc = roce_mr_set_key(f->mr, 0x00c0ffee)) != 0 ||
	    (rc = roce_qp_set_qpn(f->qp, 0x11)) != 0)
		goto err;
	ursa_ipaddr_parse("10.0.0.1", &l, NULL);
	ursa_ipaddr_parse("10.0.0.2", &r, NULL);
	a.qp_state = URSA_RDMA_QPS_INIT;
	a.qp_access_flags = remote;
	a.path_mtu = 256;
	a.dest_qp_num = 0x12;
	a.max_dest_rd_atomic = 4;
	a.max_rd_atomic = 4;
	a.timeout = 10;
	a.retry_cnt = 7;
	a.rnr_retry = 7;
	sgid.type = URSA_RDMA_GID_TYPE_ROCE_V2;
	sgid.port = 1;
	ursa_rdma_gid_from_addr(&sgid.gid, &l);
	ursa_rdma_gid_from_addr(&a.ah.dgid, &r);
	if ((rc = ursa_roce_qp_modify(f->qp, &a, URSA_RDMA_QP_STATE | URSA_RDMA_QP_ACCESS_FLAGS,
				      NULL)) ||
	    (a.qp_state = URSA_RDMA_QPS_RTR,
	     rc = ursa_roce_qp_modify(f->qp, &a,
				      URSA_RDMA_QP_STATE | URSA_RDMA_QP_PATH_MTU |
					      URSA_RDMA_QP_DEST_QPN | URSA_RDMA_QP_RQ_PSN |
					      URSA_RDMA_QP_MAX_DEST_RD_ATOMIC | URSA_RDMA_QP_AV,
				      &sgid)) ||
	    (a.qp_state = URSA_RDMA_QPS_RTS,
	     rc = ursa_roce_qp_modify(f->qp, &a,
				      URSA_RDMA_QP_STATE | URSA_RDMA_QP_SQ_PSN |
					      URSA_RDMA_QP_TIMEOUT | URSA_RDMA_QP_RETRY_CNT |
					      URSA_RDMA_QP_RNR_RETRY |
					      URSA_RDMA_QP_MAX_QP_RD_ATOMIC,
				      NULL)))
		goto err;
	for (int k = 0; k < 4; k++) {
		struct ursa_rdma_sge s = {0x10000 + 8192u * (unsigned)k, 8192, 0x00c0ffee};
		struct ursa_rdma_recv_wr rw = {.wr_id = (uint64_t)k, .sg_list = &s, .num_sge = 1};
		struct ursa_rdma_send_wr sw = {.wr_id = (uint64_t)k,
					       .opcode = k == 0 ? URSA_RDMA_WR_RDMA_READ
								: URSA_RDMA_WR_SEND,
					       .sg_list = &s,
					       .num_sge = 1,
					       .rdma = {0x20000, 0x1234}};

		ursa_roce_post_recv(f->qp, &rw, 1);
		ursa_roce_post_send(f->qp, &sw, 1);
	}
	if ((rc = ursa_lcore_add_fini_hook(lc, fuzz_fini)) != 0)
		goto err;
	lc->roce->fuzz = f;
	return 0;
err:
	fuzz_free(f);
	return rc;
}
