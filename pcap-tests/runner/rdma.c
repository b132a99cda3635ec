/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RDMA objects for RoCE cases: builds what the rdma_qp, rdma_mr and rdma_recv lines of
 * case.conf say (parsed by rdma_conf.c) on the replay's stack before the first frame, the way
 * the captured host had them: a PD, one CQ, MRs at the captured VAs with the captured rkeys
 * (memory optionally filled from an image file), RC QPs with the captured QPNs, PSNs, path MTU
 * and addresses, moved through INIT, RTR and RTS, with receive WQEs posted for incoming SENDs.
 * Everything goes through ursa's RoCE engine API (ursa_roce.h, value types from ursa_rdma.h);
 * the rkey and QPN are set with the engine's replay hooks.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "runner.h"
#ifdef URSA_PCAP_HAVE_ROCE
#include "ursa.h"
#include "ursa_roce_testing.h" /* the captured peer's rkeys and QPNs */
#endif

#ifdef URSA_PCAP_HAVE_ROCE

struct rdma_state {
	struct ursa_roce_pd *pd;
	struct ursa_roce_cq *cq;
	unsigned nqp, nmr, nrecv;
	struct ursa_roce_qp *qp[CASE_MAX_QPS];
	struct ursa_roce_mr *mr[CASE_MAX_MRS];
	void *mem[CASE_MAX_MRS];
	struct ursa_roce_mr *rmr; /* the receive buffers */
	uint8_t *rbuf;
};

/* Fill mem (len bytes) from the case's image file: at most len bytes, the rest stays zero. */
static int load_image(const struct case_conf *c, const struct case_rdma_mr *m, void *mem)
{
	char path[sizeof(c->dir) + sizeof(m->data) + 2];
	FILE *f;
	size_t got;
	int extra;

	snprintf(path, sizeof(path), "%s%s%s", m->data[0] == '/' ? "" : c->dir,
		 m->data[0] == '/' || c->dir[0] == '\0' ? "" : "/", m->data);
	f = fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "ursa-pcap-replay: rdma_mr data %s: %s\n", path, strerror(errno));
		return -errno;
	}
	got = fread(mem, 1, m->len, f);
	extra = fgetc(f);
	fclose(f);
	if (extra != EOF) {
		fprintf(stderr,
			"ursa-pcap-replay: rdma_mr data %s is longer than len=%" PRIu64 "\n", path,
			m->len);
		return -EFBIG;
	}
	RTE_SET_USED(got);
	return 0;
}

static unsigned access_of(unsigned a)
{
	return (a & CASE_ACCESS_LOCAL_WRITE ? URSA_RDMA_ACCESS_LOCAL_WRITE : 0) |
	       (a & CASE_ACCESS_REMOTE_WRITE ? URSA_RDMA_ACCESS_REMOTE_WRITE : 0) |
	       (a & CASE_ACCESS_REMOTE_READ ? URSA_RDMA_ACCESS_REMOTE_READ : 0) |
	       (a & CASE_ACCESS_REMOTE_ATOMIC ? URSA_RDMA_ACCESS_REMOTE_ATOMIC : 0);
}

/* The interface whose GID entry for q->local binds the QP: the one named by iface=, which
 * must hold the address, or else the only interface that holds it. Two tenants may hold the
 * same address on two VLANs: then the case must say which (-EINVAL), never the first. */
static int iface_of(struct ursa_lcore *lc, const struct case_rdma_qp *q, unsigned idx)
{
	char buf[64];
	int found = -1;

	if (q->iface >= 0) {
		if (q->iface < lc->nb_ifaces &&
		    ursa_iface_has_addr(&lc->ifaces[q->iface], &q->local) != NULL)
			return q->iface;
		fprintf(stderr, "ursa-pcap-replay: rdma_qp %u: interface %d has no local=%s\n", idx,
			q->iface, ursa_ipaddr_fmt(&q->local, buf, sizeof(buf)));
		return -EADDRNOTAVAIL;
	}
	for (uint16_t i = 0; i < lc->nb_ifaces; i++) {
		if (ursa_iface_has_addr(&lc->ifaces[i], &q->local) == NULL)
			continue;
		if (found >= 0) {
			fprintf(stderr,
				"ursa-pcap-replay: rdma_qp %u: local=%s is on interfaces %d and "
				"%u: "
				"say which with iface=\n",
				idx, ursa_ipaddr_fmt(&q->local, buf, sizeof(buf)), found, i);
			return -EINVAL;
		}
		found = i;
	}
	if (found < 0) {
		fprintf(stderr,
			"ursa-pcap-replay: rdma_qp %u: local=%s is no interface's address\n", idx,
			ursa_ipaddr_fmt(&q->local, buf, sizeof(buf)));
		return -EADDRNOTAVAIL;
	}
	return found;
}

static int qp_setup(struct ursa_lcore *lc, struct rdma_state *st, const struct case_rdma_qp *q,
		    unsigned idx, uint8_t **rnext)
{
	struct ursa_rdma_qp_cap cap = {64, RTE_MAX(q->recv_count, 1u), 1, 1};
	struct ursa_rdma_qp_attr a = {0};
	struct ursa_rdma_gid_attr sgid = {0};
	struct ursa_roce_qp *qp;
	int ifc = iface_of(lc, q, idx), rc;

	if (ifc < 0)
		return ifc;
	if ((rc = ursa_roce_qp_create(st->pd, st->cq, st->cq, &cap, false, &qp)) != 0) {
		fprintf(stderr, "ursa-pcap-replay: rdma_qp %u: create: %s\n", idx, strerror(-rc));
		return rc;
	}
	st->qp[st->nqp++] = qp;
	if ((rc = ursa_roce_qp_set_qpn(qp, q->qpn)) != 0) {
		fprintf(stderr, "ursa-pcap-replay: rdma_qp %u: QPN 0x%x: %s\n", idx, q->qpn,
			strerror(-rc));
		return rc;
	}
	a.qp_state = URSA_RDMA_QPS_INIT;
	a.qp_access_flags = access_of(q->access);
	a.pkey = q->pkey;
	rc = ursa_roce_qp_modify(
		qp, &a, URSA_RDMA_QP_STATE | URSA_RDMA_QP_ACCESS_FLAGS | URSA_RDMA_QP_PKEY, NULL);
	if (rc != 0) {
		fprintf(stderr, "ursa-pcap-replay: rdma_qp %u: to INIT: %s\n", idx, strerror(-rc));
		return rc;
	}
	for (unsigned k = 0; k < q->recv_count; k++) {
		struct ursa_rdma_sge sge = {(uintptr_t)*rnext, q->recv_len,
					    ursa_roce_mr_lkey(st->rmr)};
		struct ursa_rdma_recv_wr wr = {.wr_id = k, .sg_list = &sge, .num_sge = 1};

		if ((rc = ursa_roce_post_recv(qp, &wr, 1)) != 1) {
			fprintf(stderr, "ursa-pcap-replay: rdma_qp %u: receive %u: %s\n", idx, k,
				strerror(rc < 0 ? -rc : EIO));
			return rc < 0 ? rc : -EIO;
		}
		*rnext += q->recv_len;
	}
	a.qp_state = URSA_RDMA_QPS_RTR;
	a.path_mtu = q->pmtu;
	a.dest_qp_num = q->dest_qpn;
	a.rq_psn = q->rq_psn;
	a.max_dest_rd_atomic = q->max_dest_rd_atomic;
	a.min_rnr_timer = q->min_rnr_timer;
	/* The GID entry of the local address on its interface: binds the QP there. */
	sgid.type = URSA_RDMA_GID_TYPE_ROCE_V2;
	sgid.port = 1;
	sgid.iface = (uint16_t)ifc;
	sgid.vlan = lc->ifaces[ifc].vlan;
	sgid.tenant = lc->ifaces[ifc].tenant;
	ursa_rdma_gid_from_addr(&sgid.gid, &q->local);
	ursa_rdma_gid_from_addr(&a.ah.dgid, &q->peer);
	a.ah.hop_limit = q->hop_limit;
	a.ah.traffic_class = q->tclass;
	rc = ursa_roce_qp_modify(qp, &a,
				 URSA_RDMA_QP_STATE | URSA_RDMA_QP_PATH_MTU |
					 URSA_RDMA_QP_DEST_QPN | URSA_RDMA_QP_RQ_PSN |
					 URSA_RDMA_QP_MAX_DEST_RD_ATOMIC |
					 URSA_RDMA_QP_MIN_RNR_TIMER | URSA_RDMA_QP_AV,
				 &sgid);
	if (rc != 0) {
		fprintf(stderr, "ursa-pcap-replay: rdma_qp %u: to RTR: %s\n", idx, strerror(-rc));
		return rc;
	}
	/* RTS as the captured hosts had it (perftest, ibv_rc_pingpong: timeout 14, retry 7). */
	a.qp_state = URSA_RDMA_QPS_RTS;
	a.sq_psn = q->sq_psn;
	a.timeout = 14;
	a.retry_cnt = 7;
	a.rnr_retry = 7;
	a.max_rd_atomic = 16;
	rc = ursa_roce_qp_modify(qp, &a,
				 URSA_RDMA_QP_STATE | URSA_RDMA_QP_SQ_PSN | URSA_RDMA_QP_TIMEOUT |
					 URSA_RDMA_QP_RETRY_CNT | URSA_RDMA_QP_RNR_RETRY |
					 URSA_RDMA_QP_MAX_QP_RD_ATOMIC,
				 NULL);
	if (rc != 0)
		fprintf(stderr, "ursa-pcap-replay: rdma_qp %u: to RTS: %s\n", idx, strerror(-rc));
	return rc;
}

static int mr_setup(const struct case_conf *c, struct rdma_state *st, unsigned idx)
{
	const struct case_rdma_mr *m = &c->mr[idx];
	void *mem = aligned_alloc(64, RTE_ALIGN_CEIL(m->len, 64));
	int rc;

	if (mem == NULL)
		return -ENOMEM;
	memset(mem, 0, RTE_ALIGN_CEIL(m->len, 64));
	st->mem[st->nmr] = mem;
	if (m->data[0] != '\0' && (rc = load_image(c, m, mem)) != 0)
		return rc;
	rc = ursa_roce_mr_reg_iova(st->pd, mem, m->len, m->va, access_of(m->access),
				   &st->mr[st->nmr]);
	if (rc != 0) {
		fprintf(stderr, "ursa-pcap-replay: rdma_mr %u: register: %s\n", idx, strerror(-rc));
		return rc;
	}
	st->nmr++;
	if ((rc = ursa_roce_mr_set_key(st->mr[st->nmr - 1], m->rkey)) != 0)
		fprintf(stderr, "ursa-pcap-replay: rdma_mr %u: rkey 0x%x: %s\n", idx, m->rkey,
			strerror(-rc));
	return rc;
}

int rdma_setup(struct ursa_lcore *lc, const struct case_conf *c, struct rdma_state **out)
{
	struct rdma_state *st;
	uint64_t rbytes = 0;
	uint8_t *rnext;
	int rc;

	*out = NULL;
	if (c->nqp == 0 && c->nmr == 0)
		return 0;
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return -ENOMEM;
	*out = st;
	for (unsigned i = 0; i < c->nqp; i++)
		rbytes += (uint64_t)c->qp[i].recv_count * c->qp[i].recv_len;
	if ((rc = ursa_roce_pd_alloc(lc, &st->pd)) != 0 ||
	    (rc = ursa_roce_cq_create(lc, 4096, &st->cq)) != 0) {
		fprintf(stderr, "ursa-pcap-replay: rdma PD/CQ: %s\n", strerror(-rc));
		return rc;
	}
	for (unsigned i = 0; i < c->nmr; i++)
		if ((rc = mr_setup(c, st, i)) != 0)
			return rc;
	st->rbuf = calloc(1, rbytes ? rbytes : 64);
	if (st->rbuf == NULL)
		return -ENOMEM;
	rc = ursa_roce_mr_reg(st->pd, st->rbuf, rbytes ? rbytes : 64, URSA_RDMA_ACCESS_LOCAL_WRITE,
			      &st->rmr);
	if (rc != 0) {
		fprintf(stderr, "ursa-pcap-replay: rdma receive buffers: %s\n", strerror(-rc));
		return rc;
	}
	rnext = st->rbuf;
	for (unsigned i = 0; i < c->nqp; i++)
		if ((rc = qp_setup(lc, st, &c->qp[i], i, &rnext)) != 0)
			return rc;
	return 0;
}

void rdma_teardown(struct rdma_state *st, bool verbose)
{
	struct ursa_rdma_wc wc;

	if (st == NULL)
		return;
	while (verbose && st->cq != NULL && ursa_roce_cq_poll(st->cq, &wc, 1) == 1)
		printf("  completion: qp 0x%x wr_id %" PRIu64 " %s opcode %d, %u bytes\n",
		       wc.qp_num, wc.wr_id, ursa_rdma_wc_status_str(wc.status), (int)wc.opcode,
		       wc.byte_len);
	for (unsigned i = 0; i < st->nqp; i++)
		ursa_roce_qp_destroy(st->qp[i]);
	for (unsigned i = 0; i < st->nmr; i++)
		ursa_roce_mr_dereg(st->mr[i]);
	if (st->rmr != NULL)
		ursa_roce_mr_dereg(st->rmr);
	if (st->cq != NULL)
		ursa_roce_cq_destroy(st->cq);
	if (st->pd != NULL)
		ursa_roce_pd_free(st->pd);
	for (unsigned i = 0; i < CASE_MAX_MRS; i++)
		free(st->mem[i]);
	free(st->rbuf);
	free(st);
}

#else

int rdma_setup(struct ursa_lcore *lc, const struct case_conf *c, struct rdma_state **out)
{
	RTE_SET_USED(lc);
	*out = NULL;
	if (c->nqp || c->nmr) {
		fprintf(stderr, "SKIP: libursa was built without the RoCE engine\n");
		return -ENOTSUP;
	}
	return 0;
}

void rdma_teardown(struct rdma_state *st, bool verbose)
{
	RTE_SET_USED(st);
	RTE_SET_USED(verbose);
}

#endif
