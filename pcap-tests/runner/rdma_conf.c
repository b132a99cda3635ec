/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The rdma_qp, rdma_mr and rdma_recv lines of case.conf (rdma.c builds them on a stack). Pure
 * parsing: part of the replay harness library that unit tests link too.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "runner.h"

#define RDMA_MAX_KV	    20
#define RDMA_MAX_MR_BYTES   (64u << 20) /* one case's memory region, at most */
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
	bool has_qpn = false, has_dqpn = false, has_rq = false, has_local = false, has_peer = false;
	int n = split(val, buf, sizeof(buf), kv, err, errlen);
	uint64_t u;

	if (n < 0)
		return n;
	memset(qp, 0, sizeof(*qp));
	qp->iface = -1;
	qp->pmtu = 1024;
	qp->pkey = 0xffff;
	qp->max_dest_rd_atomic = 16;
	qp->access = CASE_ACCESS_REMOTE_WRITE | CASE_ACCESS_REMOTE_READ | CASE_ACCESS_REMOTE_ATOMIC;
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
				return perr(err, errlen,
					    "pmtu '%s' is not 256, 512, 1024, 2048 "
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
				return perr(err, errlen,
					    "QP access takes remote rights only (write, "
					    "read, atomic)%s%s",
					    "", "");
		} else {
			return perr(err, errlen, "unknown key '%s'%s", k, "");
		}
	}
	if (!has_qpn || !has_dqpn || !has_rq || !has_local || !has_peer)
		return perr(err, errlen, "needs qpn=, dest_qpn=, rq_psn=, local= and peer=%s%s", "",
			    "");
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
	mr->access = CASE_ACCESS_LOCAL_WRITE | CASE_ACCESS_REMOTE_WRITE | CASE_ACCESS_REMOTE_READ |
		     CASE_ACCESS_REMOTE_ATOMIC;
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
