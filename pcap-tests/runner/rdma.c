/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RDMA objects for RoCE cases: parses the rdma_qp, rdma_mr and rdma_recv lines of case.conf
 * and builds them on the replay's stack before the first frame, the way the captured host had
 * them: a PD, one CQ, MRs at the captured VAs with the captured rkeys (memory optionally
 * filled from an image file), RC QPs with the captured QPNs, PSNs, path MTU and addresses,
 * moved through INIT, RTR and RTS, with receive WQEs posted for incoming SENDs. Everything
 * goes through ursa's RoCE engine API (ursa_roce.h, value types from ursa_rdma.h); the rkey
 * and QPN are set with the engine's replay hooks.
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

#define RDMA_MAX_KV	   20
#define RDMA_MAX_MR_BYTES  (64u << 20) /* one case's memory region, at most */
#define RDMA_MAX_RECV_BYTES (64u << 20)

static int perr(char *err, size_t errlen, const char *fmt, const char *a, const char *b)
{
	snprintf(err, errlen, fmt, a, b);
	return -EINVAL;
}

/* "local|write|read|atomic" */
static int parse_access(const char *s, unsigned *out, char *err, size_t errlen)
{
	char buf[128], *save = NULL;

	if (strlen(s) >= sizeof(buf))
		return perr(err, errlen, "access '%s' too long%s", s, "");
	strcpy(buf, s);
	*out = 0;
	for (char *t = strtok_r(buf, "|", &save); t; t = strtok_r(NULL, "|", &save)) {
		t = ursa_spec_trim(t);
		if (!strcmp(t, "local"))
			*out |= CASE_ACCESS_LOCAL_WRITE;
		else if (!strcmp(t, "write"))
			*out |= CASE_ACCESS_REMOTE_WRITE;
		else if (!strcmp(t, "read"))
			*out |= CASE_ACCESS_REMOTE_READ;
		else if (!strcmp(t, "atomic"))
			*out |= CASE_ACCESS_REMOTE_ATOMIC;
		else if (strcmp(t, "none") != 0)
			return perr(err, errlen,
				    "access: unknown right '%s' (local, write, read, atomic, "
				    "none)%s",
				    t, "");
	}
	return 0;
}

static int num(const char *key, const char *v, uint64_t max, uint64_t *out, char *err,
	       size_t errlen)
{
	if (ursa_spec_u64(v, max, out) != 0) {
		snprintf(err, errlen, "bad %s '%s' (0..%" PRIu64 ")", key, v, max);
		return -EINVAL;
	}
	return 0;
}

static int split(const char *val, char *buf, size_t buflen, struct ursa_spec_kv *kv, char *err,
		 size_t errlen)
{
	const char *bad = val;
	int n;

	if (strlen(val) >= buflen)
		return perr(err, errlen, "too long%s%s", "", "");
	strcpy(buf, val);
	n = ursa_spec_split(buf, kv, RDMA_MAX_KV, &bad);
	if (n < 0)
		return perr(err, errlen, "bad item '%s' (want key=value)%s", bad, "");
	return n;
}

/* "qpn=0x19,dest_qpn=0x19,rq_psn=0x49f1bf,sq_psn=0,pmtu=1024,local=10.77.0.2,peer=10.77.0.3,
 *  hop_limit=64,tclass=0,pkey=0xffff,access=write|read|atomic,max_dest_rd_atomic=16,
 *  min_rnr_timer=12,iface=0" */
int case_rdma_parse_qp(const char *val, struct case_rdma_qp *qp, char *err, size_t errlen)
{
	struct ursa_spec_kv kv[RDMA_MAX_KV];
	char buf[URSA_SPEC_MAX_LEN + 1];
	bool has_qpn = false, has_dqpn = false, has_rq = false, has_local = false,
	     has_peer = false;
	int n = split(val, buf, sizeof(buf), kv, err, errlen);
	uint64_t u;

	if (n < 0)
		return n;
	memset(qp, 0, sizeof(*qp));
	qp->iface = -1;
	qp->pmtu = 1024;
	qp->pkey = 0xffff;
	qp->max_dest_rd_atomic = 16;
	qp->access = CASE_ACCESS_REMOTE_WRITE | CASE_ACCESS_REMOTE_READ |
		     CASE_ACCESS_REMOTE_ATOMIC;
	for (int i = 0; i < n; i++) {
		const char *k = kv[i].key, *v = kv[i].val;

		if (!strcmp(k, "qpn") || !strcmp(k, "dest_qpn")) {
			if (num(k, v, 0xffffff, &u, err, errlen))
				return -EINVAL;
			if (k[0] == 'q') {
				qp->qpn = (uint32_t)u;
				has_qpn = true;
			} else {
				qp->dest_qpn = (uint32_t)u;
				has_dqpn = true;
			}
		} else if (!strcmp(k, "rq_psn") || !strcmp(k, "sq_psn")) {
			if (num(k, v, 0xffffff, &u, err, errlen))
				return -EINVAL;
			if (k[0] == 'r') {
				qp->rq_psn = (uint32_t)u;
				has_rq = true;
			} else {
				qp->sq_psn = (uint32_t)u;
			}
		} else if (!strcmp(k, "pmtu")) {
			if (num(k, v, 4096, &u, err, errlen))
				return -EINVAL;
			if (u != 256 && u != 512 && u != 1024 && u != 2048 && u != 4096)
				return perr(err, errlen, "pmtu '%s' is not 256, 512, 1024, 2048 "
							 "or 4096%s",
					    v, "");
			qp->pmtu = (uint16_t)u;
		} else if (!strcmp(k, "pkey")) {
			if (num(k, v, 0xffff, &u, err, errlen))
				return -EINVAL;
			qp->pkey = (uint16_t)u;
		} else if (!strcmp(k, "local") || !strcmp(k, "peer")) {
			struct ursa_ipaddr *a = k[0] == 'l' ? &qp->local : &qp->peer;

			if (ursa_ipaddr_parse(v, a, NULL) != 0)
				return perr(err, errlen, "bad %s address '%s'", k, v);
			*(k[0] == 'l' ? &has_local : &has_peer) = true;
		} else if (!strcmp(k, "hop_limit") || !strcmp(k, "tclass") ||
			   !strcmp(k, "max_dest_rd_atomic")) {
			if (num(k, v, 255, &u, err, errlen))
				return -EINVAL;
			if (k[0] == 'h')
				qp->hop_limit = (uint8_t)u;
			else if (k[0] == 't')
				qp->tclass = (uint8_t)u;
			else
				qp->max_dest_rd_atomic = (uint8_t)u;
		} else if (!strcmp(k, "iface")) {
			if (num(k, v, URSA_MAX_IFACES - 1, &u, err, errlen))
				return -EINVAL;
			qp->iface = (int)u;
		} else if (!strcmp(k, "min_rnr_timer")) {
			if (num(k, v, 31, &u, err, errlen))
				return -EINVAL;
			qp->min_rnr_timer = (uint8_t)u;
		} else if (!strcmp(k, "access")) {
			if (parse_access(v, &qp->access, err, errlen))
				return -EINVAL;
			if (qp->access & CASE_ACCESS_LOCAL_WRITE)
				return perr(err, errlen, "QP access takes remote rights only (write, "
							 "read, atomic)%s%s",
					    "", "");
		} else {
			return perr(err, errlen, "unknown key '%s'%s", k, "");
		}
	}
	if (!has_qpn || !has_dqpn || !has_rq || !has_local || !has_peer)
		return perr(err, errlen, "needs qpn=, dest_qpn=, rq_psn=, local= and peer=%s%s",
			    "", "");
	if (qp->local.family != qp->peer.family)
		return perr(err, errlen, "local and peer are of different families%s%s", "", "");
	return 0;
}

/* "rkey=0x9cd,va=0x55c4f8597000,len=320,access=local|write|read|atomic,data=mem.bin" */
int case_rdma_parse_mr(const char *val, struct case_rdma_mr *mr, char *err, size_t errlen)
{
	struct ursa_spec_kv kv[RDMA_MAX_KV];
	char buf[URSA_SPEC_MAX_LEN + 1];
	bool has_rkey = false, has_va = false, has_len = false;
	int n = split(val, buf, sizeof(buf), kv, err, errlen);
	uint64_t u;

	if (n < 0)
		return n;
	memset(mr, 0, sizeof(*mr));
	mr->access = CASE_ACCESS_LOCAL_WRITE | CASE_ACCESS_REMOTE_WRITE |
		     CASE_ACCESS_REMOTE_READ | CASE_ACCESS_REMOTE_ATOMIC;
	for (int i = 0; i < n; i++) {
		const char *k = kv[i].key, *v = kv[i].val;

		if (!strcmp(k, "rkey")) {
			if (num(k, v, UINT32_MAX, &u, err, errlen))
				return -EINVAL;
			if (u == 0)
				return perr(err, errlen, "rkey 0 is never valid%s%s", "", "");
			mr->rkey = (uint32_t)u;
			has_rkey = true;
		} else if (!strcmp(k, "va")) {
			if (num(k, v, UINT64_MAX, &mr->va, err, errlen))
				return -EINVAL;
			has_va = true;
		} else if (!strcmp(k, "len")) {
			if (num(k, v, RDMA_MAX_MR_BYTES, &mr->len, err, errlen))
				return -EINVAL;
			if (mr->len == 0)
				return perr(err, errlen, "len must not be 0%s%s", "", "");
			has_len = true;
		} else if (!strcmp(k, "access")) {
			if (parse_access(v, &mr->access, err, errlen))
				return -EINVAL;
		} else if (!strcmp(k, "data")) {
			if (strlen(v) >= sizeof(mr->data) || *v == '\0')
				return perr(err, errlen, "bad data file name '%s'%s", v, "");
			strcpy(mr->data, v);
		} else {
			return perr(err, errlen, "unknown key '%s'%s", k, "");
		}
	}
	if (!has_rkey || !has_va || !has_len)
		return perr(err, errlen, "needs rkey=, va= and len=%s%s", "", "");
	if (mr->va + mr->len < mr->va)
		return perr(err, errlen, "va + len wraps around%s%s", "", "");
	return 0;
}

/* "qp=0,count=5,len=4096": receive WQEs for the QP of that rdma_qp line (from 0). */
int case_rdma_parse_recv(const char *val, struct case_conf *c, char *err, size_t errlen)
{
	struct ursa_spec_kv kv[RDMA_MAX_KV];
	char buf[URSA_SPEC_MAX_LEN + 1];
	uint64_t q = 0, cnt = 0, len = 0;
	int n = split(val, buf, sizeof(buf), kv, err, errlen);

	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		const char *k = kv[i].key, *v = kv[i].val;

		if (!strcmp(k, "qp")) {
			if (num(k, v, CASE_MAX_QPS - 1, &q, err, errlen))
				return -EINVAL;
		} else if (!strcmp(k, "count")) {
			if (num(k, v, 4096, &cnt, err, errlen))
				return -EINVAL;
		} else if (!strcmp(k, "len")) {
			if (num(k, v, 1u << 20, &len, err, errlen))
				return -EINVAL;
		} else {
			return perr(err, errlen, "unknown key '%s'%s", k, "");
		}
	}
	if (q >= c->nqp)
		return perr(err, errlen, "qp= is not the index of an rdma_qp line above%s%s", "",
			    "");
	if (cnt * len > RDMA_MAX_RECV_BYTES)
		return perr(err, errlen, "count * len is too much memory%s%s", "", "");
	c->qp[q].recv_count += (unsigned)cnt;
	c->qp[q].recv_len = RTE_MAX(c->qp[q].recv_len, (uint32_t)len);
	return 0;
}

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
		fprintf(stderr, "ursa-pcap-replay: rdma_mr data %s is longer than len=%" PRIu64 "\n",
			path, m->len);
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
