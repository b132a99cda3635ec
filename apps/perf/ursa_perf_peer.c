/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ursa-perf as a peer of ibv_rc_pingpong: its address exchange over TCP and its ping-pong of
 * RC SENDs (see ursa_perf_peer.h). Formats learnt from rdma-core's libibverbs/examples
 * (rc_pingpong.c, pingpong.c); no code taken from there.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ursa_perf_peer.h"

#define PP_DONE	      "done" /* the client's last word, sent with its NUL */
#define PP_RECVS      16     /* receives kept posted */
#define PP_TIMEOUT_NS (10 * URSA_NS_PER_S)
#define PP_FIRST_FILL 0x7b /* what ibv_rc_pingpong's buffer holds before anything comes */
#define WR_SEND	      1
#define WR_RECV	      2

int ursa_perf_pp_fmt(const struct ursa_perf_info *in, char out[URSA_PERF_PP_MSG_LEN])
{
	int n = snprintf(out, URSA_PERF_PP_MSG_LEN, "%04x:%06x:%06x:", 0u, in->qpn & 0xffffff,
			 in->psn & 0xffffff);

	for (int i = 0; i < 16; i++)
		n += snprintf(out + n, (size_t)(URSA_PERF_PP_MSG_LEN - n), "%02x", in->gid.raw[i]);
	return n == URSA_PERF_PP_MSG_LEN - 1 ? 0 : -ENOSPC;
}

static int hex_field(const char *s, unsigned digits, uint32_t *out)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < digits; i++) {
		char c = s[i];
		unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
			     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
			     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
						    : 16u;

		if (d > 15)
			return -EINVAL;
		v = v << 4 | d;
	}
	*out = v;
	return 0;
}

int ursa_perf_pp_parse(const char *msg, size_t len, struct ursa_perf_info *out)
{
	uint32_t lid, v;

	memset(out, 0, sizeof(*out));
	/* fixed layout: 4 + ':' + 6 + ':' + 6 + ':' + 32 + NUL */
	if (len != URSA_PERF_PP_MSG_LEN || msg[len - 1] != 0 || msg[4] != ':' || msg[11] != ':' ||
	    msg[18] != ':' || hex_field(msg, 4, &lid) != 0 ||
	    hex_field(msg + 5, 6, &out->qpn) != 0 || hex_field(msg + 12, 6, &out->psn) != 0)
		return -EINVAL;
	for (int i = 0; i < 16; i++) {
		if (hex_field(msg + 19 + 2 * i, 2, &v) != 0)
			return -EINVAL;
		out->gid.raw[i] = (uint8_t)v;
	}
	/* QP 0 and 1 are special; a peer without a GID cannot be reached over RoCE (the tool
	 * sends none without -g) */
	if (out->qpn < 2 || memcmp(out->gid.raw, (uint8_t[16]){0}, 16) == 0)
		return -EINVAL;
	return 0;
}

int ursa_perf_oob_read(struct ursa_lcore *lc, int fd, void *buf, size_t len, uint64_t timeout_ns,
		       ursa_perf_pump_t pump, void *arg)
{
	uint64_t end = ursa_now(lc) + timeout_ns;
	size_t got = 0;

	while (got < len) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t r;

		pump(arg);
		if (poll(&p, 1, 1) == 0) {
			if (ursa_now(lc) > end)
				return -ETIMEDOUT;
			continue;
		}
		r = recv(fd, (uint8_t *)buf + got, len - got, MSG_DONTWAIT);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			return r == 0 ? -ECONNRESET : -errno;
		got += (size_t)r;
	}
	return 0;
}

int ursa_perf_oob_write(int fd, const void *buf, size_t len)
{
	return send(fd, buf, len, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -EIO;
}

int ursa_perf_pp_exchange(struct ursa_perf_ep *ep, int fd, bool client, uint16_t mtu,
			  ursa_perf_pump_t pump, void *arg)
{
	char mine[URSA_PERF_PP_MSG_LEN], theirs[URSA_PERF_PP_MSG_LEN], done[sizeof(PP_DONE)];
	int rc;

	if ((rc = ursa_perf_pp_fmt(&ep->local, mine)) != 0)
		return rc;
	if (client && (rc = ursa_perf_oob_write(fd, mine, sizeof(mine))) != 0)
		return rc;
	if ((rc = ursa_perf_oob_read(ep->lc, fd, theirs, sizeof(theirs), 3 * PP_TIMEOUT_NS, pump,
				     arg)) != 0)
		return rc;
	if (ursa_perf_pp_parse(theirs, sizeof(theirs), &ep->remote) != 0)
		return -EPROTO;
	/* the peer's buffer is not ours to touch: rc_pingpong tells neither rkey nor address */
	ep->remote.len = 0;
	if ((rc = ursa_perf_ep_connect(ep, mtu)) != 0)
		return rc;
	if (client)
		return ursa_perf_oob_write(fd, PP_DONE, sizeof(PP_DONE));
	if ((rc = ursa_perf_oob_write(fd, mine, sizeof(mine))) != 0)
		return rc;
	/* the client's "done"; an older client may just close */
	rc = ursa_perf_oob_read(ep->lc, fd, done, sizeof(done), 3 * PP_TIMEOUT_NS, pump, arg);
	if (rc == -ECONNRESET)
		return 0;
	return rc == 0 && memcmp(done, PP_DONE, sizeof(done)) == 0 ? 0 : -EPROTO;
}

static inline uint8_t *pp_rbuf(const struct ursa_perf_ep *ep)
{
	return ep->buf + ep->buflen / 2;
}

static int pp_post_recv(struct ursa_perf_ep *ep, uint32_t size)
{
	struct ursa_rdma_sge sge = {(uintptr_t)pp_rbuf(ep), size, ep->mr->lkey};
	struct ursa_rdma_recv_wr wr = {.wr_id = WR_RECV, .sg_list = &sge, .num_sge = 1};

	return ursa_rdma_post_recv(ep->qp, &wr, 1) == 1 ? 0 : -ENOBUFS;
}

static int pp_post_send(struct ursa_perf_ep *ep, uint32_t size)
{
	struct ursa_rdma_sge sge = {(uintptr_t)ep->buf, size, ep->mr->lkey};
	struct ursa_rdma_send_wr wr = {
		.wr_id = WR_SEND,
		.opcode = URSA_RDMA_WR_SEND,
		.send_flags = URSA_RDMA_SEND_SIGNALED,
		.sg_list = &sge,
		.num_sge = size ? 1 : 0,
	};

	return ursa_rdma_post_send(ep->qp, &wr, 1) == 1 ? 0 : -ENOBUFS;
}

/* A message has come: check it, clear the buffer, and (server) make it the next one sent. */
static void pp_received(struct ursa_perf_ep *ep, const struct ursa_perf_pp_conf *c,
			const struct ursa_rdma_wc *wc, struct ursa_perf_pp_result *r)
{
	uint8_t *in = pp_rbuf(ep);
	bool ok = wc->byte_len == c->size;

	if (ok && c->client)
		ok = ursa_perf_pattern_check(in, c->size, c->seed) < 0;
	else if (ok && r->received == 0)
		ok = true; /* the client's first message is whatever it chose */
	else if (ok)
		ok = memcmp(in, ep->buf, c->size) == 0;
	r->bad += !ok;
	if (!c->client)
		memcpy(ep->buf, in, c->size);
	memset(in, 0, c->size);
	r->received++;
}

/* One completion; *pending holds the kinds (WR_SEND | WR_RECV) still awaited this round. */
static int pp_complete(struct ursa_perf_ep *ep, const struct ursa_perf_pp_conf *c,
		       const struct ursa_rdma_wc *wc, unsigned *pending,
		       struct ursa_perf_pp_result *r)
{
	int rc;

	if (wc->status != URSA_RDMA_WC_SUCCESS) {
		ep->errors++;
		ep->last_err = wc->status;
		return -EIO;
	}
	if (wc->wr_id == WR_SEND) {
		r->sent++;
	} else {
		pp_received(ep, c, wc, r);
		if ((rc = pp_post_recv(ep, c->size)) != 0)
			return rc;
	}
	*pending &= ~(unsigned)wc->wr_id;
	if (*pending == 0 && r->sent < c->iters) {
		if ((rc = pp_post_send(ep, c->size)) != 0)
			return rc;
		*pending = WR_SEND | WR_RECV;
	}
	return 0;
}

int ursa_perf_pp_start(struct ursa_perf_pp *pp, struct ursa_perf_ep *ep,
		       const struct ursa_perf_pp_conf *c)
{
	memset(pp, 0, sizeof(*pp));
	pp->ep = ep;
	pp->conf = *c;
	pp->pending = WR_RECV;
	if (c->size == 0 || (size_t)c->size > ep->buflen / 2 || c->iters == 0)
		return pp->res.status = -EINVAL;
	memset(ep->buf, PP_FIRST_FILL, c->size);
	if (c->client)
		ursa_perf_pattern(ep->buf, c->size, c->seed);
	for (unsigned i = 0; i < PP_RECVS; i++)
		if ((pp->res.status = pp_post_recv(ep, c->size)) != 0)
			return pp->res.status;
	pp->t0 = pp->last = ursa_now(ep->lc);
	if (c->client) {
		if ((pp->res.status = pp_post_send(ep, c->size)) != 0)
			return pp->res.status;
		pp->pending |= WR_SEND;
	}
	return 0;
}

bool ursa_perf_pp_step(struct ursa_perf_pp *pp)
{
	const struct ursa_perf_pp_conf *c = &pp->conf;
	struct ursa_perf_pp_result *r = &pp->res;
	uint64_t limit = c->timeout_ns ? c->timeout_ns : PP_TIMEOUT_NS, now;
	struct ursa_rdma_wc wc[8];
	int n;

	if (r->status != 0 || (r->sent >= c->iters && r->received >= c->iters))
		return false;
	n = ursa_rdma_poll_cq(pp->ep->cq, wc, RTE_DIM(wc));
	now = ursa_now(pp->ep->lc);
	if (n > 0) {
		if (!c->client && r->received == 0)
			pp->t0 = now; /* the server's clock starts with the first message */
		pp->last = now;
	}
	for (int i = 0; i < n && r->status == 0; i++)
		r->status = pp_complete(pp->ep, c, &wc[i], &pp->pending, r);
	if (r->status == 0 && now - pp->last > limit)
		r->status = -ETIMEDOUT;
	r->ns = now - pp->t0;
	return r->status == 0 && (r->sent < c->iters || r->received < c->iters);
}

int ursa_perf_pp_run(struct ursa_perf_ep *ep, const struct ursa_perf_pp_conf *c,
		     ursa_perf_pump_t pump, void *arg, struct ursa_perf_pp_result *r)
{
	struct ursa_perf_pp pp;

	if (ursa_perf_pp_start(&pp, ep, c) == 0)
		do
			pump(arg);
		while (ursa_perf_pp_step(&pp));
	*r = pp.res;
	return r->status;
}
