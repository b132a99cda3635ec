/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ursa-perf endpoints and benchmark loops over the rdma interface (softroce provider).
 *
 * Buffer layout on both sides: the first half is the source area (what WRITE and SEND send,
 * where atomics return), the second half the target area (what the peer WRITEs and READs,
 * where receives land). The client measures; the server only echoes (write_lat, send_lat),
 * reposts receives (send tests) and checks data when asked.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ursa_perf.h"
#include "ursa_softroce.h"

#define POLL_BATCH	   32
#define RD_ATOMIC	   16
#define DEFAULT_TIMEOUT_NS (10 * URSA_NS_PER_S)

const char *const ursa_perf_test_names[URSA_PERF_TEST_MAX] = {
	[URSA_PERF_WRITE_BW] = "write_bw",     [URSA_PERF_WRITE_LAT] = "write_lat",
	[URSA_PERF_READ_BW] = "read_bw",       [URSA_PERF_READ_LAT] = "read_lat",
	[URSA_PERF_SEND_BW] = "send_bw",       [URSA_PERF_SEND_LAT] = "send_lat",
	[URSA_PERF_ATOMIC_LAT] = "atomic_lat",
};

int ursa_perf_test_parse(const char *s)
{
	for (int i = 0; i < URSA_PERF_TEST_MAX; i++)
		if (strcmp(s, ursa_perf_test_names[i]) == 0)
			return i;
	return -1;
}

/* ---- connection info ---- */

int ursa_perf_info_fmt(const struct ursa_perf_info *in, char *buf, size_t len)
{
	char gid[33];
	int n;

	for (int i = 0; i < 16; i++)
		snprintf(gid + 2 * i, 3, "%02x", in->gid.raw[i]);
	n = snprintf(buf, len,
		     "qpn=%" PRIu32 " psn=%" PRIu32 " rkey=%" PRIu32 " va=%" PRIx64 " len=%" PRIu64
		     " gid=%s\n",
		     in->qpn, in->psn, in->rkey, in->vaddr, in->len, gid);
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

int ursa_perf_info_parse(const char *s, struct ursa_perf_info *out)
{
	char gid[33];

	memset(out, 0, sizeof(*out));
	if (sscanf(s,
		   "qpn=%" SCNu32 " psn=%" SCNu32 " rkey=%" SCNu32 " va=%" SCNx64 " len=%" SCNu64
		   " gid=%32s",
		   &out->qpn, &out->psn, &out->rkey, &out->vaddr, &out->len, gid) != 6 ||
	    strlen(gid) != 32)
		return -EINVAL;
	for (int i = 0; i < 16; i++) {
		unsigned v;

		if (sscanf(gid + 2 * i, "%2x", &v) != 1)
			return -EINVAL;
		out->gid.raw[i] = (uint8_t)v;
	}
	if (out->qpn > 0xffffff || out->psn > 0xffffff || out->len < 2)
		return -EINVAL;
	return 0;
}

/* ---- endpoints ---- */

int ursa_perf_stack_up(struct ursa_lcore *lc, uint16_t port, const char *addr)
{
	struct ursa_iface_conf c = {.port = port, .no_linklocal = true};
	struct ursa_ipaddr a;
	uint16_t idx;
	uint8_t plen;
	int rc;

	if ((rc = ursa_ipaddr_parse(addr, &a, &plen)) != 0)
		return rc;
	if ((rc = ursa_stack_init(lc)) != 0)
		return rc;
	if ((rc = ursa_iface_add(lc, &c, &idx)) != 0)
		return rc;
	return ursa_iface_addr_add(lc, idx, &a, plen);
}

int ursa_perf_ep_create(struct ursa_lcore *lc, size_t buflen, unsigned depth,
			struct ursa_perf_ep *ep)
{
	const unsigned all = URSA_RDMA_ACCESS_LOCAL_WRITE | URSA_RDMA_ACCESS_REMOTE_WRITE |
			     URSA_RDMA_ACCESS_REMOTE_READ | URSA_RDMA_ACCESS_REMOTE_ATOMIC;
	struct ursa_rdma_qp_init_attr init = {0};
	int rc;

	memset(ep, 0, sizeof(*ep));
	if (depth == 0 || depth > URSA_PERF_MAX_DEPTH)
		return -EINVAL;
	ep->lc = lc;
	ep->depth = depth;
	ep->buflen = RTE_ALIGN_CEIL(RTE_MAX(buflen, (size_t)8192), 4096);
	ep->buf = aligned_alloc(4096, ep->buflen);
	if (ep->buf == NULL)
		return -ENOMEM;
	memset(ep->buf, 0, ep->buflen);
	ep->dev = ursa_rdma_device_get(lc, "softroce0");
	if (ep->dev == NULL && (rc = ursa_rdma_device_open(lc, &ursa_softroce_provider, "softroce0",
							   NULL, &ep->dev)) != 0)
		goto err_buf;
	if ((rc = ursa_rdma_alloc_pd(ep->dev, &ep->pd)) != 0)
		goto err_buf;
	if ((rc = ursa_rdma_create_cq(ep->dev, 4 * depth + 16, &ep->cq)) != 0)
		goto err_pd;
	init.send_cq = init.recv_cq = ep->cq;
	init.cap.max_send_wr = depth + 1;
	init.cap.max_recv_wr = depth + 1;
	init.cap.max_send_sge = 1;
	init.cap.max_recv_sge = 1;
	if ((rc = ursa_rdma_create_qp(ep->pd, &init, &ep->qp)) != 0)
		goto err_cq;
	if ((rc = ursa_rdma_reg_mr(ep->pd, ep->buf, ep->buflen, all, &ep->mr)) != 0)
		goto err_qp;
	/* GID entry 0: the first address of the first interface, which the QP binds to. */
	ep->sgid_index = 0;
	if ((rc = ursa_rdma_query_gid(ep->dev, 1, ep->sgid_index, &ep->local.gid)) != 0)
		goto err_mr;
	ep->local.qpn = ep->qp->qp_num;
	ep->local.psn = ursa_secret_u32(&lc->secret) & 0xffffff;
	ep->local.rkey = ep->mr->rkey;
	ep->local.vaddr = (uintptr_t)ep->buf;
	ep->local.len = ep->buflen;
	return 0;
err_mr:
	ursa_rdma_dereg_mr(ep->mr);
err_qp:
	ursa_rdma_destroy_qp(ep->qp);
err_cq:
	ursa_rdma_destroy_cq(ep->cq);
err_pd:
	ursa_rdma_dealloc_pd(ep->pd);
err_buf:
	free(ep->buf);
	ep->buf = NULL;
	return rc;
}

int ursa_perf_ep_connect(struct ursa_perf_ep *ep, uint16_t mtu)
{
	struct ursa_rdma_qp_attr a = {0};
	int rc;

	a.qp_state = URSA_RDMA_QPS_INIT;
	a.qp_access_flags = URSA_RDMA_ACCESS_REMOTE_WRITE | URSA_RDMA_ACCESS_REMOTE_READ |
			    URSA_RDMA_ACCESS_REMOTE_ATOMIC;
	if ((rc = ursa_rdma_modify_qp(ep->qp, &a,
				      URSA_RDMA_QP_STATE | URSA_RDMA_QP_ACCESS_FLAGS)) != 0)
		return rc;
	a.qp_state = URSA_RDMA_QPS_RTR;
	a.path_mtu = mtu;
	a.dest_qp_num = ep->remote.qpn;
	a.rq_psn = ep->remote.psn;
	a.max_dest_rd_atomic = RD_ATOMIC;
	a.min_rnr_timer = 1;
	a.ah.sgid_index = ep->sgid_index;
	a.ah.dgid = ep->remote.gid;
	if ((rc = ursa_rdma_modify_qp(ep->qp, &a,
				      URSA_RDMA_QP_STATE | URSA_RDMA_QP_PATH_MTU |
					      URSA_RDMA_QP_DEST_QPN | URSA_RDMA_QP_RQ_PSN |
					      URSA_RDMA_QP_MAX_DEST_RD_ATOMIC |
					      URSA_RDMA_QP_MIN_RNR_TIMER | URSA_RDMA_QP_AV)) != 0)
		return rc;
	a.qp_state = URSA_RDMA_QPS_RTS;
	a.sq_psn = ep->local.psn;
	a.timeout = ep->ack_timeout ? ep->ack_timeout : 14; /* 67 ms: for a busy, shared host */
	a.retry_cnt = 7;
	a.rnr_retry = 7;
	a.max_rd_atomic = RD_ATOMIC;
	return ursa_rdma_modify_qp(ep->qp, &a,
				   URSA_RDMA_QP_STATE | URSA_RDMA_QP_SQ_PSN | URSA_RDMA_QP_TIMEOUT |
					   URSA_RDMA_QP_RETRY_CNT | URSA_RDMA_QP_RNR_RETRY |
					   URSA_RDMA_QP_MAX_QP_RD_ATOMIC);
}

void ursa_perf_ep_destroy(struct ursa_perf_ep *ep)
{
	if (ep->buf == NULL)
		return;
	ursa_rdma_destroy_qp(ep->qp);
	ursa_rdma_dereg_mr(ep->mr);
	ursa_rdma_destroy_cq(ep->cq);
	ursa_rdma_dealloc_pd(ep->pd);
	free(ep->buf);
	ep->buf = NULL;
}

/* ---- data pattern ---- */

void ursa_perf_pattern(uint8_t *buf, size_t len, uint64_t seed)
{
	struct ursa_rng r;

	ursa_rng_seed(&r, seed);
	ursa_rng_fill(&r, buf, len);
}

long ursa_perf_pattern_check(const uint8_t *buf, size_t len, uint64_t seed)
{
	uint8_t tmp[4096];
	struct ursa_rng r;

	ursa_rng_seed(&r, seed);
	for (size_t off = 0; off < len; off += sizeof(tmp)) {
		size_t n = RTE_MIN(sizeof(tmp), len - off);

		/* ursa_rng_fill consumes whole 8-byte words: chunks are multiples of 8 */
		ursa_rng_fill(&r, tmp, n);
		if (memcmp(tmp, buf + off, n) != 0)
			for (size_t i = 0; i < n; i++)
				if (tmp[i] != buf[off + i])
					return (long)(off + i);
	}
	return -1;
}

/* ---- helpers ---- */

static inline size_t half(const struct ursa_perf_ep *ep)
{
	return ep->buflen / 2;
}

static inline size_t rhalf(const struct ursa_perf_ep *ep)
{
	return ep->remote.len / 2;
}

static int post_op(struct ursa_perf_ep *ep, enum ursa_rdma_wr_opcode op, uint32_t size, uint64_t id)
{
	struct ursa_rdma_sge sge = {(uintptr_t)ep->buf, size, ep->mr->lkey};
	struct ursa_rdma_send_wr wr = {
		.wr_id = id,
		.opcode = op,
		.send_flags = URSA_RDMA_SEND_SIGNALED,
		.sg_list = &sge,
		.num_sge = size ? 1 : 0,
	};

	switch (op) {
	case URSA_RDMA_WR_RDMA_READ:
		sge.addr = (uintptr_t)ep->buf + half(ep);
		/* fallthrough */
	case URSA_RDMA_WR_RDMA_WRITE:
		wr.rdma.remote_addr = ep->remote.vaddr + rhalf(ep);
		wr.rdma.rkey = ep->remote.rkey;
		break;
	case URSA_RDMA_WR_ATOMIC_FETCH_AND_ADD:
		sge.length = 8;
		wr.num_sge = 1;
		wr.atomic.remote_addr = ep->remote.vaddr + rhalf(ep);
		wr.atomic.rkey = ep->remote.rkey;
		wr.atomic.compare_add = 1;
		break;
	default:
		break;
	}
	return ursa_rdma_post_send(ep->qp, &wr, 1);
}

/* Receives take the whole target area, so that ones left over from a run with smaller
 * messages still fit the next run's. */
static int post_recv(struct ursa_perf_ep *ep)
{
	struct ursa_rdma_sge sge = {(uintptr_t)ep->buf + half(ep), (uint32_t)half(ep),
				    ep->mr->lkey};
	struct ursa_rdma_recv_wr wr = {.wr_id = 1, .sg_list = &sge, .num_sge = 1};
	int rc = ursa_rdma_post_recv(ep->qp, &wr, 1);

	ep->rq_posted += rc == 1;
	return rc;
}

/* ---- server ---- */

int ursa_perf_srv_start(struct ursa_perf_srv *s, struct ursa_perf_ep *ep, enum ursa_perf_test test,
			uint32_t size, uint64_t verify_seed)
{
	memset(s, 0, sizeof(*s));
	s->ep = ep;
	s->test = test;
	s->size = size;
	s->verify_seed = verify_seed;
	s->expect = 1;
	if ((size_t)size > half(ep) || (size_t)size > rhalf(ep))
		return -EMSGSIZE;
	if (test == URSA_PERF_READ_BW && verify_seed)
		ursa_perf_pattern(ep->buf + half(ep), size, verify_seed);
	if (test == URSA_PERF_WRITE_LAT) {
		ep->buf[half(ep) + size - 1] = 0;
		ep->buf[size - 1] = 0;
	}
	if (test == URSA_PERF_SEND_LAT && size > 0)
		ep->buf[size - 1] = 0;
	ursa_perf_srv_step(s);
	return 0;
}

unsigned ursa_perf_srv_step(struct ursa_perf_srv *s)
{
	struct ursa_perf_ep *ep = s->ep;
	struct ursa_rdma_wc wc[POLL_BATCH];
	unsigned work = 0;
	int n;

	n = ursa_rdma_poll_cq(ep->cq, wc, POLL_BATCH);
	for (int i = 0; i < n; i++) {
		if (wc[i].status != URSA_RDMA_WC_SUCCESS) {
			ep->errors++;
			ep->last_err = wc[i].status;
			continue;
		}
		if (wc[i].opcode != URSA_RDMA_WC_RECV)
			continue;
		ep->rq_posted--;
		s->count++;
		if (wc[i].byte_len != s->size ||
		    (s->verify_seed && s->test == URSA_PERF_SEND_BW &&
		     ursa_perf_pattern_check(ep->buf + half(ep), s->size, s->verify_seed) >= 0))
			s->bad++;
		if (s->test == URSA_PERF_SEND_LAT &&
		    post_op(ep, URSA_RDMA_WR_SEND, s->size, s->count) != 1)
			ep->errors++;
	}
	work += n > 0 ? (unsigned)n : 0;
	if (s->test == URSA_PERF_SEND_BW || s->test == URSA_PERF_SEND_LAT) {
		while (ep->rq_posted < ep->depth && post_recv(ep) == 1)
			work++;
	}
	if (s->test == URSA_PERF_WRITE_LAT && s->size > 0) {
		volatile uint8_t *in = ep->buf + half(ep) + s->size - 1;

		if (*in == s->expect) {
			ep->buf[s->size - 1] = s->expect;
			if (post_op(ep, URSA_RDMA_WR_RDMA_WRITE, s->size, s->count) != 1)
				ep->errors++;
			s->expect++;
			s->count++;
			work++;
		}
	}
	return work;
}

uint64_t ursa_perf_srv_finish(struct ursa_perf_srv *s)
{
	if (s->test == URSA_PERF_WRITE_BW && s->verify_seed &&
	    ursa_perf_pattern_check(s->ep->buf + half(s->ep), s->size, s->verify_seed) >= 0)
		s->bad++;
	return s->bad;
}

/* ---- client ---- */

static int drain(struct ursa_perf_ep *ep, unsigned *recvs, unsigned *sends)
{
	struct ursa_rdma_wc wc[POLL_BATCH];
	int n = ursa_rdma_poll_cq(ep->cq, wc, POLL_BATCH);

	for (int i = 0; i < n; i++) {
		if (wc[i].status != URSA_RDMA_WC_SUCCESS) {
			ep->errors++;
			ep->last_err = wc[i].status;
			return -EIO;
		}
		if (wc[i].opcode == URSA_RDMA_WC_RECV) {
			ep->rq_posted--;
			(*recvs)++;
		} else
			(*sends)++;
	}
	return n;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void lat_stats(uint64_t *s, uint64_t n, unsigned div, struct ursa_perf_result *r)
{
	double sum = 0, sq = 0, d = (double)div * 1000.0;

	if (n == 0)
		return;
	qsort(s, n, sizeof(*s), cmp_u64);
	for (uint64_t i = 0; i < n; i++)
		sum += (double)s[i];
	r->t_min = (double)s[0] / d;
	r->t_max = (double)s[n - 1] / d;
	r->t_typical = (double)s[n / 2] / d;
	r->t_avg = sum / (double)n / d;
	for (uint64_t i = 0; i < n; i++)
		sq += ((double)s[i] / d - r->t_avg) * ((double)s[i] / d - r->t_avg);
	r->t_stdev = sqrt(sq / (double)n);
	r->p99 = (double)s[RTE_MIN(n - 1, (uint64_t)ceil((double)n * 0.99) - 1)] / d;
	r->p999 = (double)s[RTE_MIN(n - 1, (uint64_t)ceil((double)n * 0.999) - 1)] / d;
}

static void progress(const struct ursa_perf_run *run, uint64_t now, uint64_t t0, uint64_t *next,
		     uint64_t done, uint64_t bytes)
{
	double s;

	if (run->report_every_s <= 0 || run->progress == NULL || now < *next)
		return;
	s = (double)(now - t0) / 1e9;
	fprintf(run->progress, "# t=%.1fs %s: %" PRIu64 " ops, %.2f MB/s\n", s,
		ursa_perf_test_names[run->test], done, s > 0 ? (double)bytes / s / 1e6 : 0);
	fflush(run->progress);
	*next = now + (uint64_t)(run->report_every_s * 1e9);
}

static enum ursa_rdma_wr_opcode bw_opcode(enum ursa_perf_test t)
{
	return t == URSA_PERF_WRITE_BW	? URSA_RDMA_WR_RDMA_WRITE
	       : t == URSA_PERF_READ_BW ? URSA_RDMA_WR_RDMA_READ
					: URSA_RDMA_WR_SEND;
}

static int run_bw(struct ursa_perf_ep *ep, const struct ursa_perf_run *run,
		  struct ursa_perf_result *res)
{
	const uint64_t tmo = run->timeout_ns ? run->timeout_ns : DEFAULT_TIMEOUT_NS;
	enum ursa_rdma_wr_opcode op = bw_opcode(run->test);
	uint64_t posted = 0, target = run->iters ? run->iters : UINT64_MAX;
	uint64_t t0 = ursa_now(ep->lc), last = t0, next_rep = t0;
	unsigned done = 0, recvs = 0, depth = RTE_MIN(run->depth, ep->depth);

	if (run->test == URSA_PERF_WRITE_BW && run->verify_seed)
		ursa_perf_pattern(ep->buf, run->size, run->verify_seed);
	if (run->test == URSA_PERF_SEND_BW && run->verify_seed)
		ursa_perf_pattern(ep->buf, run->size, run->verify_seed);
	while (done < target) {
		uint64_t now;
		int n;

		while (posted < target && posted - done < depth) {
			if (post_op(ep, op, run->size, posted) != 1)
				break;
			posted++;
		}
		run->pump(run->pump_arg);
		n = drain(ep, &recvs, &done);
		now = ursa_now(ep->lc);
		if (n < 0)
			return -EIO;
		if (n > 0)
			last = now;
		else if (now - last > tmo)
			return -ETIMEDOUT;
		if (!run->iters && now - t0 >= run->duration_ns && target == UINT64_MAX)
			target = posted;
		progress(run, now, t0, &next_rep, done, (uint64_t)done * run->size);
	}
	res->ns = ursa_now(ep->lc) - t0;
	res->iters = done;
	res->bytes = (uint64_t)done * run->size;
	if (run->test == URSA_PERF_READ_BW && run->verify_seed &&
	    ursa_perf_pattern_check(ep->buf + half(ep), run->size, run->verify_seed) >= 0)
		res->bad++;
	return 0;
}

/* Wait until cond(ep, arg) holds, pumping; -ETIMEDOUT or -EIO otherwise. */
static int wait_lat(struct ursa_perf_ep *ep, const struct ursa_perf_run *run, unsigned *recvs,
		    unsigned *sends, unsigned want_recvs, unsigned want_sends, int watch_byte,
		    uint8_t watch_val)
{
	const uint64_t tmo = run->timeout_ns ? run->timeout_ns : DEFAULT_TIMEOUT_NS;
	uint64_t t0 = ursa_now(ep->lc);
	volatile uint8_t *w = watch_byte >= 0 ? ep->buf + half(ep) + watch_byte : NULL;

	for (;;) {
		if (drain(ep, recvs, sends) < 0)
			return -EIO;
		if (*recvs >= want_recvs && *sends >= want_sends && (w == NULL || *w == watch_val))
			return 0;
		run->pump(run->pump_arg);
		if (ursa_now(ep->lc) - t0 > tmo)
			return -ETIMEDOUT;
	}
}

static int run_lat(struct ursa_perf_ep *ep, const struct ursa_perf_run *run,
		   struct ursa_perf_result *res)
{
	uint64_t cap = run->iters ? run->iters : 1u << 22, i, *samples;
	uint64_t t0 = ursa_now(ep->lc), next_rep = t0;
	unsigned recvs = 0, sends = 0, div = 1;
	int rc = 0;

	if (run->test == URSA_PERF_WRITE_LAT && run->size == 0)
		return -EINVAL;
	samples = malloc(cap * sizeof(*samples));
	if (samples == NULL)
		return -ENOMEM;
	if (run->test == URSA_PERF_WRITE_LAT) {
		ep->buf[half(ep) + run->size - 1] = 0;
		div = 2;
	}
	if (run->test == URSA_PERF_SEND_LAT) {
		div = 2;
		if (ep->rq_posted == 0 && post_recv(ep) != 1) {
			free(samples);
			return -ENOSPC;
		}
	}
	for (i = 0; i < cap; i++) {
		uint64_t a = ursa_now(ep->lc);

		if (!run->iters && a - t0 >= run->duration_ns)
			break;
		switch (run->test) {
		case URSA_PERF_WRITE_LAT:
			ep->buf[run->size - 1] = (uint8_t)(i + 1);
			if (post_op(ep, URSA_RDMA_WR_RDMA_WRITE, run->size, i) != 1)
				rc = -EIO;
			else
				rc = wait_lat(ep, run, &recvs, &sends, 0, (unsigned)i + 1,
					      (int)run->size - 1, (uint8_t)(i + 1));
			break;
		case URSA_PERF_SEND_LAT:
			if (post_op(ep, URSA_RDMA_WR_SEND, run->size, i) != 1)
				rc = -EIO;
			else
				rc = wait_lat(ep, run, &recvs, &sends, (unsigned)i + 1,
					      (unsigned)i + 1, -1, 0);
			if (rc == 0 && ep->rq_posted == 0 && post_recv(ep) != 1)
				rc = -ENOSPC;
			break;
		case URSA_PERF_READ_LAT:
			if (post_op(ep, URSA_RDMA_WR_RDMA_READ, run->size, i) != 1)
				rc = -EIO;
			else
				rc = wait_lat(ep, run, &recvs, &sends, 0, (unsigned)i + 1, -1, 0);
			break;
		default: /* atomic_lat */
			if (post_op(ep, URSA_RDMA_WR_ATOMIC_FETCH_AND_ADD, 8, i) != 1)
				rc = -EIO;
			else
				rc = wait_lat(ep, run, &recvs, &sends, 0, (unsigned)i + 1, -1, 0);
			break;
		}
		if (rc != 0)
			break;
		samples[i] = ursa_now(ep->lc) - a;
		progress(run, samples[i] + a, t0, &next_rep, i + 1, 0);
	}
	res->ns = ursa_now(ep->lc) - t0;
	res->iters = i;
	res->bytes = i * (run->test == URSA_PERF_ATOMIC_LAT ? 8 : run->size);
	lat_stats(samples, i, div, res);
	free(samples);
	return rc;
}

int ursa_perf_warmup(struct ursa_perf_ep *ep, ursa_perf_pump_t pump, void *arg)
{
	struct ursa_perf_run run = {.pump = pump, .pump_arg = arg};
	unsigned recvs = 0, sends = 0;

	if (post_op(ep, URSA_RDMA_WR_RDMA_WRITE, 0, UINT64_MAX) != 1)
		return -EIO;
	return wait_lat(ep, &run, &recvs, &sends, 0, 1, -1, 0);
}

int ursa_perf_client_run(struct ursa_perf_ep *ep, const struct ursa_perf_run *run,
			 struct ursa_perf_result *res)
{
	memset(res, 0, sizeof(*res));
	if ((size_t)run->size > half(ep) || (size_t)run->size > rhalf(ep))
		return res->status = -EMSGSIZE;
	if (!run->iters && !run->duration_ns)
		return res->status = -EINVAL;
	res->status =
		ursa_perf_test_is_lat(run->test) ? run_lat(ep, run, res) : run_bw(ep, run, res);
	res->wc_status = ep->last_err;
	return res->status;
}

/* ---- output ---- */

void ursa_perf_print_header(FILE *f, enum ursa_perf_test t)
{
	if (ursa_perf_test_is_lat(t))
		fprintf(f, " #bytes #iterations    t_min[usec]    t_max[usec]  t_typical[usec]    "
			   "t_avg[usec]    t_stdev[usec]   99%% percentile[usec]   99.9%% "
			   "percentile[usec]\n");
	else
		fprintf(f, " #bytes     #iterations    BW average[MB/sec]   MsgRate[Mpps]\n");
}

void ursa_perf_print_result(FILE *f, enum ursa_perf_test t, uint32_t size,
			    const struct ursa_perf_result *r)
{
	double s = (double)r->ns / 1e9;

	if (ursa_perf_test_is_lat(t))
		fprintf(f,
			" %-7" PRIu32 " %-10" PRIu64 " %-14.2f %-14.2f %-16.2f %-14.2f %-16.2f "
			"%-22.2f %-.2f\n",
			size, r->iters, r->t_min, r->t_max, r->t_typical, r->t_avg, r->t_stdev,
			r->p99, r->p999);
	else
		fprintf(f, " %-10" PRIu32 " %-14" PRIu64 " %-20.2f %-.6f\n", size, r->iters,
			s > 0 ? (double)r->bytes / s / 1e6 : 0,
			s > 0 ? (double)r->iters / s / 1e6 : 0);
}

void ursa_perf_json_result(FILE *f, enum ursa_perf_test t, uint32_t size,
			   const struct ursa_perf_result *r)
{
	double s = (double)r->ns / 1e9;

	fprintf(f,
		"{\"test\": \"%s\", \"bytes\": %" PRIu32 ", \"iterations\": %" PRIu64
		", \"seconds\": %.6f, \"status\": %d, \"verify_failures\": %" PRIu64,
		ursa_perf_test_names[t], size, r->iters, s, r->status, r->bad);
	if (ursa_perf_test_is_lat(t))
		fprintf(f,
			", \"t_min_us\": %.3f, \"t_max_us\": %.3f, \"t_typical_us\": %.3f, "
			"\"t_avg_us\": %.3f, \"t_stdev_us\": %.3f, \"p99_us\": %.3f, "
			"\"p99_9_us\": %.3f}",
			r->t_min, r->t_max, r->t_typical, r->t_avg, r->t_stdev, r->p99, r->p999);
	else
		fprintf(f, ", \"bw_avg_MBps\": %.3f, \"msg_rate_Mpps\": %.6f}",
			s > 0 ? (double)r->bytes / s / 1e6 : 0,
			s > 0 ? (double)r->iters / s / 1e6 : 0);
}
