/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Link groups and their link: found or made by smc_link_prepare (PD, CQ, RC QP bound to the
 * connection's interface, receive WQEs posted), brought up by smc_link_start (RTR/RTS from
 * the peer's QP info, then CONFIRM_LINK), driven by the lcore's poll hook (completions,
 * deferred ready calls, freeing what is done), failed as a whole when the QP fails.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_malloc.h>

#include "smc_lgr.h"
#include "ursa_stats.h"

struct smc_lgr *smc_lgr_first(struct ursa_lcore *lc)
{
	return lc->smc->lgrs;
}

static uint8_t mtu_enum(uint16_t bytes)
{
	uint8_t e = 1;

	while (e < 5 && (256u << e) <= bytes)
		e++;
	return e;
}

/* ---- send slots ---- */

int smc_link_tx_slot(struct smc_link *l, uint8_t **buf)
{
	int i;

	if (l->tx_free == 0)
		return -EAGAIN;
	i = __builtin_ctzll(l->tx_free);
	l->tx_free &= ~(1ull << i);
	*buf = l->wr_buf + (size_t)i * SMC_TX_BUF;
	memset(*buf, 0, SMC_TX_BUF);
	return i;
}

int smc_link_post_slot(struct smc_link *l, int slot, uint32_t len)
{
	struct ursa_rdma_sge sge = {(uintptr_t)(l->wr_buf + (size_t)slot * SMC_TX_BUF), len,
				    l->wr_mr->lkey};
	struct ursa_rdma_send_wr wr = {.wr_id = SMC_WR_ID_TX | (uint64_t)slot,
				       .opcode = URSA_RDMA_WR_SEND,
				       .send_flags = URSA_RDMA_SEND_SIGNALED,
				       .sg_list = &sge,
				       .num_sge = 1};
	int rc = ursa_rdma_post_send(l->qp, &wr, 1);

	if (rc != 1) {
		l->tx_free |= 1ull << slot;
		smc_link_fail(l, -EIO);
		return rc < 0 ? rc : -EIO;
	}
	return 0;
}

static int post_rx(struct smc_link *l, unsigned i)
{
	struct ursa_rdma_sge sge = {
		(uintptr_t)(l->wr_buf + SMC_TX_SLOTS * SMC_TX_BUF + (size_t)i * SMC_RX_BUF),
		SMC_RX_BUF, l->wr_mr->lkey};
	struct ursa_rdma_recv_wr wr = {.wr_id = i, .sg_list = &sge, .num_sge = 1};

	return ursa_rdma_post_recv(l->qp, &wr, 1) == 1 ? 0 : -EIO;
}

/* ---- failure ---- */

/* The link is gone: every connection on it learns it (ERR, ready(-ECONNRESET)), the link
 * group takes no new connections and is freed when its last connection is. */
void smc_link_fail(struct smc_link *l, int reason_errno)
{
	struct smc_lgr *g = l->lgr;
	struct ursa_rdma_qp_attr a = {.qp_state = URSA_RDMA_QPS_ERR};

	if (l->state == SMC_LNK_FAILED)
		return;
	l->state = SMC_LNK_FAILED;
	smc_ctr(g)[SMC_C_link_failed]++;
	ursa_timer_cancel(g->lc, &l->timer);
	ursa_rdma_modify_qp(l->qp, &a, URSA_RDMA_QP_STATE);
	for (struct smc_link_conn *c = g->conns; c != NULL; c = c->next) {
		c->failed = true;
		c->cdc_due = false;
		if (c->ready != NULL && !c->is_ready) {
			c->ready_due = true;
			c->ready_status = reason_errno < 0 ? reason_errno : -ECONNRESET;
		}
	}
}

/* ---- link group creation ---- */

static int find_gid(struct smc_lgr *g, const struct smc_link_req *req)
{
	struct ursa_rdma_gid_attr ga;
	struct ursa_ipaddr a;

	for (unsigned i = 0; ursa_rdma_query_gid_ex(g->dev, 1, i, &ga) == 0; i++) {
		ursa_rdma_gid_to_addr(&ga.gid, &a);
		if (ga.iface != req->iface || ga.tenant != req->tenant || ga.vlan != req->vlan ||
		    a.family != req->peer.family)
			continue;
		memcpy(g->lnk.local.gid, ga.gid.raw, 16);
		g->lnk.sgid_index = (uint8_t)i;
		return 0;
	}
	return -ENETUNREACH;
}

static int link_qp_create(struct smc_lgr *g)
{
	struct smc_link *l = &g->lnk;
	struct ursa_rdma_qp_init_attr init = {.cap = {.max_send_wr = 3 * SMC_TX_SLOTS + 8,
						      .max_recv_wr = SMC_RX_WQES,
						      .max_send_sge = 2,
						      .max_recv_sge = 1}};
	struct ursa_rdma_qp_attr a = {.qp_state = URSA_RDMA_QPS_INIT,
				      .qp_access_flags = URSA_RDMA_ACCESS_REMOTE_WRITE};
	size_t sz = SMC_TX_SLOTS * SMC_TX_BUF + SMC_RX_WQES * SMC_RX_BUF;
	int rc;

	if ((rc = ursa_rdma_create_cq(g->dev, 4 * SMC_TX_SLOTS + SMC_RX_WQES + 16, &l->cq)) != 0)
		return rc;
	init.send_cq = init.recv_cq = l->cq;
	if ((rc = ursa_rdma_create_qp(g->pd, &init, &l->qp)) != 0)
		return rc;
	if ((rc = ursa_rdma_modify_qp(l->qp, &a, URSA_RDMA_QP_STATE | URSA_RDMA_QP_ACCESS_FLAGS)))
		return rc;
	l->wr_buf = rte_zmalloc("smc_wr", sz, 64);
	if (l->wr_buf == NULL)
		return -ENOMEM;
	rc = ursa_rdma_reg_mr(g->pd, l->wr_buf, sz, URSA_RDMA_ACCESS_LOCAL_WRITE, &l->wr_mr);
	if (rc != 0)
		return rc;
	l->tx_free = ~0ull;
	for (unsigned i = 0; i < SMC_RX_WQES; i++)
		if ((rc = post_rx(l, i)) != 0)
			return rc;
	return 0;
}

static void lgr_destroy(struct smc_lgr *g)
{
	struct smc_link *l = &g->lnk;

	ursa_timer_cancel(g->lc, &l->timer);
	while (g->free_rmbs != NULL) {
		struct smc_rmb *r = g->free_rmbs;

		g->free_rmbs = r->next;
		ursa_rdma_dereg_mr(r->mr);
		rte_free(r->buf);
		rte_free(r);
	}
	if (l->qp != NULL)
		ursa_rdma_destroy_qp(l->qp);
	if (l->wr_mr != NULL)
		ursa_rdma_dereg_mr(l->wr_mr);
	rte_free(l->wr_buf);
	if (l->cq != NULL)
		ursa_rdma_destroy_cq(l->cq);
	if (g->pd != NULL)
		ursa_rdma_dealloc_pd(g->pd);
	smc_ctr(g)[SMC_C_lgr_freed]++;
	rte_free(g);
}

static void link_timer(struct ursa_lcore *lc, struct ursa_timer *t, void *arg)
{
	struct smc_link *l = arg;

	RTE_SET_USED(lc), RTE_SET_USED(t);
	if (l->state == SMC_LNK_ACTIVATING)
		smc_link_fail(l, -ETIMEDOUT); /* no CONFIRM_LINK in time */
	else if (l->state == SMC_LNK_ACTIVE)
		smc_llc_testlink_tick(l);
}

static int lgr_create(struct ursa_lcore *lc, struct ursa_rdma_device *dev,
		      const struct smc_link_req *req, struct smc_lgr **out)
{
	struct smc_lgr *g = rte_zmalloc("smc_lgr", sizeof(*g), RTE_CACHE_LINE_SIZE);
	struct ursa_iface *ifc = ursa_iface_get(lc, req->iface);
	struct ursa_rdma_port_attr pa;
	int rc;

	if (g == NULL)
		return -ENOMEM;
	g->lc = lc;
	g->key = *req;
	g->dev = dev;
	g->id = ursa_secret_u32(&lc->secret) & 0xffffff;
	g->lnk.lgr = g;
	g->lnk.link_id = 1;
	g->lnk.link_uid = g->id << 8 | 1;
	ursa_timer_init(&g->lnk.timer, link_timer, &g->lnk);
	if (ifc == NULL || ifc->removed || ifc->tenant != req->tenant || ifc->vlan != req->vlan)
		rc = -ENETUNREACH;
	else if ((rc = ursa_rdma_query_port(dev, 1, &pa)) == 0 && (rc = find_gid(g, req)) == 0 &&
		 (rc = ursa_rdma_alloc_pd(dev, &g->pd)) == 0)
		rc = link_qp_create(g);
	if (rc != 0) {
		lgr_destroy(g);
		return rc;
	}
	memcpy(g->lnk.local.mac, ifc->mac.addr_bytes, 6);
	g->lnk.local.qpn = g->lnk.qp->qp_num;
	g->lnk.local.psn = ursa_secret_u32(&lc->secret) & 0xffffff;
	g->lnk.local.mtu = mtu_enum(pa.active_mtu);
	g->lnk.state = SMC_LNK_ACTIVATING;
	*out = g;
	return 0;
}

/* ---- RMBs ---- */

/* An RMB of size bytes for a connection of g: from the free list (with the fresh key its
 * release gave it) or new, its own MR, remote-write only. */
static int rmb_get(struct smc_lgr *g, uint32_t size, unsigned access, struct smc_rmb **out)
{
	struct smc_rmb **pp, *r;
	int rc;

	for (pp = &g->free_rmbs; *pp != NULL; pp = &(*pp)->next)
		if ((*pp)->size == size && access != 0) {
			r = *pp;
			*pp = r->next;
			r->next = NULL;
			smc_ctr(g)[SMC_C_rmb_reused]++;
			*out = r;
			return 0;
		}
	r = rte_zmalloc("smc_rmb", sizeof(*r), 0);
	if (r == NULL)
		return -ENOMEM;
	r->size = size;
	r->buf = rte_zmalloc("smc_rmb_buf", size, 4096);
	if (r->buf == NULL) {
		rte_free(r);
		return -ENOMEM;
	}
	rc = ursa_rdma_reg_mr(g->pd, r->buf, size, access | URSA_RDMA_ACCESS_LOCAL_WRITE, &r->mr);
	if (rc != 0) {
		rte_free(r->buf);
		rte_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

static void rmb_free(struct smc_rmb *r)
{
	if (r == NULL)
		return;
	ursa_rdma_dereg_mr(r->mr);
	rte_free(r->buf);
	rte_free(r);
}

/* The connection's RMB goes back to the free list zeroed and under a new rkey: the old one
 * is dead from here on (a WRITE naming it is NAKed), and the peer is told (DELETE_RKEY). */
static void rmb_put(struct smc_lgr *g, struct smc_rmb *r)
{
	const unsigned acc = URSA_RDMA_ACCESS_REMOTE_WRITE | URSA_RDMA_ACCESS_LOCAL_WRITE;
	uint32_t old = r->mr->rkey;

	if (ursa_rdma_rereg_mr(r->mr, acc) != 0) {
		rmb_free(r);
		return;
	}
	memset(r->buf, 0, r->size);
	r->next = g->free_rmbs;
	g->free_rmbs = r;
	if (g->lnk.state == SMC_LNK_ACTIVE) {
		struct smc_llc m = {.type = SMC_LLC_DELETE_RKEY, .version = 2};

		m.delete_rkey.num_rkeys = 1;
		m.delete_rkey.rkey[0] = old;
		if (smc_llc_send(&g->lnk, &m) == 0)
			smc_ctr(g)[SMC_C_llc_delete_rkey_tx]++;
	}
}

static uint32_t token_new(struct smc_lgr *g)
{
	for (;;) {
		uint32_t t = ursa_secret_u32(&g->lc->secret);
		bool used = t == 0;

		for (struct smc_link_conn *c = g->conns; c != NULL && !used; c = c->next)
			used = c->token == t;
		if (!used)
			return t;
	}
}

void smc_conn_release(struct smc_link_conn *c)
{
	struct smc_lgr *g = c->lgr;
	struct smc_link_conn **pp;

	for (pp = &g->conns; *pp != c; pp = &(*pp)->next)
		;
	*pp = c->next;
	g->nconns--;
	ursa_timer_cancel(g->lc, &c->close_timer);
	if (c->rmb != NULL)
		rmb_put(g, c->rmb);
	rmb_free(c->snd);
	smc_ctr(g)[SMC_C_link_conn_freed]++;
	rte_free(c);
}

/* ---- completions and the poll hook ---- */

static void on_wc(struct smc_link *l, const struct ursa_rdma_wc *wc)
{
	struct smc_lgr *g = l->lgr;

	if (wc->wr_id & SMC_WR_ID_TX)
		l->tx_free |= 1ull << (wc->wr_id & 63);
	if (wc->status != URSA_RDMA_WC_SUCCESS) {
		if (wc->status != URSA_RDMA_WC_WR_FLUSH_ERR)
			smc_ctr(g)[SMC_C_link_wc_error]++;
		smc_link_fail(l, -ECONNRESET);
		return;
	}
	if (wc->opcode != URSA_RDMA_WC_RECV)
		return;
	{
		const uint8_t *b =
			l->wr_buf + SMC_TX_SLOTS * SMC_TX_BUF + (size_t)wc->wr_id * SMC_RX_BUF;

		l->last_rx_ns = ursa_now(g->lc);
		if (wc->byte_len < SMC_WR_SIZE)
			smc_ctr(g)[SMC_C_rx_bad_len]++;
		else if (b[0] == SMC_CDC_TYPE)
			smc_cdc_rx(l, b, wc->byte_len);
		else
			smc_llc_rx(l, b, wc->byte_len);
		if (l->state != SMC_LNK_FAILED && post_rx(l, (unsigned)wc->wr_id) != 0)
			smc_link_fail(l, -EIO);
	}
}

/* Ready calls, and CDCs that waited for a send slot; one call per pass since a ready callback
 * may close connections. */
static unsigned lgr_deferred(struct smc_lgr *g)
{
	for (struct smc_link_conn *c = g->conns; c != NULL; c = c->next) {
		if (c->user_gone && c->failed) {
			smc_conn_release(c);
			return 1;
		}
		if (c->ready_due) {
			c->ready_due = false;
			c->is_ready = c->ready_status == 0;
			c->ready(c->ready_arg, c->ready_status);
			return 1;
		}
		if (c->cdc_due && g->lnk.tx_free != 0) {
			c->cdc_due = false;
			smc_cdc_send(c, 0);
			if (c->user_gone && !c->cdc_due && smc_conn_peer_quiet(c))
				smc_conn_release(c);
			return 1;
		}
	}
	return 0;
}

static unsigned lgr_poll(struct ursa_lcore *lc, void *arg)
{
	struct smc_lgr **pp = &lc->smc->lgrs;
	struct ursa_rdma_wc wc[32];
	unsigned work = 0;

	RTE_SET_USED(arg);
	while (*pp != NULL) {
		struct smc_lgr *g = *pp;
		int n;

		while ((n = ursa_rdma_poll_cq(g->lnk.cq, wc, RTE_DIM(wc))) > 0) {
			for (int i = 0; i < n; i++)
				on_wc(&g->lnk, &wc[i]);
			work += (unsigned)n;
		}
		for (unsigned k; (k = lgr_deferred(g)) != 0;)
			work += k;
		if (g->lnk.state == SMC_LNK_FAILED && g->conns == NULL) {
			*pp = g->next;
			lgr_destroy(g);
			continue;
		}
		pp = &g->next;
	}
	return work;
}

static void lgr_fini(struct ursa_lcore *lc)
{
	while (lc->smc != NULL && lc->smc->lgrs != NULL) {
		struct smc_lgr *g = lc->smc->lgrs;

		lc->smc->lgrs = g->next;
		while (g->conns != NULL) {
			struct smc_link_conn *c = g->conns;

			g->conns = c->next;
			ursa_timer_cancel(lc, &c->close_timer);
			rmb_free(c->rmb);
			rmb_free(c->snd);
			rte_free(c);
		}
		lgr_destroy(g);
	}
}

/* ---- the hand-off: prepare and start ---- */

static struct ursa_rdma_device *smc_device(struct ursa_lcore *lc)
{
	struct ursa_rdma_device *dev = ursa_rdma_device_get(lc, SMC_DEFAULT_DEV);

	if (dev == NULL &&
	    ursa_rdma_device_open_by_name(lc, SMC_DEFAULT_PROV, SMC_DEFAULT_DEV, NULL, &dev) != 0)
		return NULL;
	return dev;
}

static bool lgr_matches(const struct smc_lgr *g, const struct smc_link_req *r)
{
	const struct smc_link_req *k = &g->key;

	return g->lnk.state != SMC_LNK_FAILED && g->nconns < SMC_CONNS_MAX &&
	       k->iface == r->iface && k->tenant == r->tenant && k->vlan == r->vlan &&
	       k->server == r->server && memcmp(k->peer_id, r->peer_id, 8) == 0 &&
	       ursa_ipaddr_eq(&k->peer, &r->peer);
}

static uint32_t rmb_size_of(uint32_t want)
{
	uint32_t s = SMC_RMB_MIN;

	while (s < want && s < SMC_RMB_MAX)
		s <<= 1;
	return s;
}

static bool hooked(const struct ursa_lcore *lc)
{
	for (unsigned i = 0; i < lc->nb_poll_hooks; i++)
		if (lc->poll_hooks[i].fn == lgr_poll)
			return true;
	return false;
}

static int lgr_get(struct ursa_lcore *lc, const struct smc_link_req *req, struct smc_lgr **out,
		   bool *first)
{
	struct ursa_rdma_device *dev;
	int rc;

	for (struct smc_lgr *g = lc->smc->lgrs; g != NULL; g = g->next)
		if (lgr_matches(g, req)) {
			lc->smc->c[SMC_C_lgr_reused]++;
			*out = g;
			*first = false;
			return 0;
		}
	if ((dev = smc_device(lc)) == NULL)
		return -ENODEV;
	if (!hooked(lc) && ((rc = ursa_lcore_add_poll_hook(lc, lgr_poll, NULL)) != 0 ||
			    (rc = ursa_lcore_add_fini_hook(lc, lgr_fini)) != 0))
		return rc;
	if ((rc = lgr_create(lc, dev, req, out)) != 0)
		return rc;
	(*out)->next = lc->smc->lgrs;
	lc->smc->lgrs = *out;
	lc->smc->c[SMC_C_lgr_created]++;
	*first = true;
	return 0;
}

/* A closed connection's peer never said it is done: it loses the RMB (the key dies, a late
 * WRITE breaks the peer's own link group only) rather than pin it for ever. */
static void close_timeout(struct ursa_lcore *lc, struct ursa_timer *t, void *arg)
{
	struct smc_link_conn *c = arg;

	RTE_SET_USED(t);
	lc->smc->c[SMC_C_close_timeout]++;
	smc_conn_release(c);
}

int smc_link_prepare(struct ursa_lcore *lc, const struct smc_link_req *req,
		     struct smc_link_conn **out, struct smc_qp_info *local_qp,
		     struct smc_rmb_info *local_rmb, bool *first_contact)
{
	const unsigned acc = URSA_RDMA_ACCESS_REMOTE_WRITE;
	struct smc_link_conn *c;
	struct smc_lgr *g;
	int rc;

	if (lc->smc == NULL)
		return -EINVAL;
	if ((rc = lgr_get(lc, req, &g, first_contact)) != 0)
		return rc;
	c = rte_zmalloc("smc_conn", sizeof(*c), RTE_CACHE_LINE_SIZE);
	if (c == NULL)
		return -ENOMEM;
	if ((rc = rmb_get(g, rmb_size_of(req->rmb_size), acc, &c->rmb)) != 0) {
		rte_free(c);
		return rc;
	}
	c->lgr = g;
	c->token = token_new(g);
	ursa_timer_init(&c->close_timer, close_timeout, c);
	c->next = g->conns;
	g->conns = c;
	g->nconns++;
	lc->smc->c[SMC_C_link_conn_created]++;
	*local_qp = g->lnk.local;
	local_rmb->rkey = c->rmb->mr->rkey;
	local_rmb->vaddr = (uintptr_t)c->rmb->buf;
	local_rmb->size = c->rmb->size;
	local_rmb->token = c->token;
	local_rmb->index = 1;
	*out = c;
	return 0;
}

/* What the peer claims about its QP and RMB, checked against what this connection may use:
 * its GID is the address the TCP connection talks to, the numbers are in range, the RMB
 * is one of the sizes SMC knows, and no larger than the send ring we mirror it with may be. */
static int peer_check(const struct smc_lgr *g, const struct smc_qp_info *qp,
		      const struct smc_rmb_info *rmb)
{
	union ursa_rdma_gid want;

	if (rmb->size < SMC_RMB_MIN || rmb->size > SMC_PEER_RMB_MAX ||
	    (rmb->size & (rmb->size - 1)) != 0 || rmb->index != 1 ||
	    rmb->vaddr + rmb->size < rmb->vaddr)
		return -EPROTO;
	if (qp == NULL)
		return 0;
	ursa_rdma_gid_from_addr(&want, &g->key.peer);
	if (memcmp(want.raw, qp->gid, 16) != 0 || qp->qpn == 0 || qp->qpn > 0xffffff ||
	    qp->psn > 0xffffff || qp->mtu < 1 || qp->mtu > 5)
		return -EPROTO;
	return 0;
}

static int link_rts(struct smc_link *l, const struct smc_qp_info *peer)
{
	struct ursa_rdma_qp_attr a = {0};
	int rc;

	l->peer = *peer;
	a.qp_state = URSA_RDMA_QPS_RTR;
	a.path_mtu = (uint16_t)(128u << RTE_MIN(l->local.mtu, peer->mtu));
	a.dest_qp_num = peer->qpn;
	a.rq_psn = peer->psn;
	a.min_rnr_timer = 12;
	a.ah.sgid_index = l->sgid_index;
	memcpy(a.ah.dgid.raw, peer->gid, 16);
	rc = ursa_rdma_modify_qp(l->qp, &a,
				 URSA_RDMA_QP_STATE | URSA_RDMA_QP_PATH_MTU |
					 URSA_RDMA_QP_DEST_QPN | URSA_RDMA_QP_RQ_PSN |
					 URSA_RDMA_QP_MIN_RNR_TIMER | URSA_RDMA_QP_AV);
	if (rc != 0)
		return rc;
	a.qp_state = URSA_RDMA_QPS_RTS;
	a.sq_psn = l->local.psn;
	a.timeout = 14; /* 67 ms */
	a.retry_cnt = 7;
	a.rnr_retry = 7;
	return ursa_rdma_modify_qp(l->qp, &a,
				   URSA_RDMA_QP_STATE | URSA_RDMA_QP_SQ_PSN | URSA_RDMA_QP_TIMEOUT |
					   URSA_RDMA_QP_RETRY_CNT | URSA_RDMA_QP_RNR_RETRY);
}

int smc_link_start(struct smc_link_conn *c, const struct smc_qp_info *peer_qp,
		   const struct smc_rmb_info *peer_rmb, void (*ready)(void *arg, int status),
		   void *arg)
{
	struct smc_lgr *g = c->lgr;
	struct smc_link *l = &g->lnk;
	int rc;

	if (c->started || ready == NULL)
		return -EALREADY;
	if (peer_check(g, l->started ? NULL : peer_qp, peer_rmb) != 0 ||
	    (!l->started && peer_qp == NULL)) {
		smc_ctr(g)[SMC_C_link_bad_peer]++;
		return -EPROTO;
	}
	if (l->state == SMC_LNK_FAILED)
		return -ECONNRESET;
	if ((rc = rmb_get(g, peer_rmb->size, 0, &c->snd)) != 0)
		return rc;
	c->peer = *peer_rmb;
	c->ready = ready;
	c->ready_arg = arg;
	c->started = true;
	if (!l->started) {
		if ((rc = link_rts(l, peer_qp)) != 0) {
			smc_link_fail(l, rc);
			return rc;
		}
		l->started = true;
		l->last_rx_ns = ursa_now(g->lc);
		ursa_timer_arm_in(g->lc, &l->timer, SMC_LLC_WAIT_NS);
		/* the server asks, the client answers (smc_llc_proc.c) */
		if (g->key.server && (rc = smc_llc_confirm_link_send(l)) != 0)
			return rc;
	}
	if (l->state == SMC_LNK_ACTIVE) {
		c->ready_due = true; /* from the poll hook, never from inside this call */
		c->ready_status = 0;
	}
	return 0;
}

/* CONFIRM_LINK done: the connections that waited are ready. */
void smc_link_activated(struct smc_link *l)
{
	struct smc_lgr *g = l->lgr;

	l->state = SMC_LNK_ACTIVE;
	smc_ctr(g)[SMC_C_link_up]++;
	ursa_timer_arm_in(g->lc, &l->timer, SMC_TESTLINK_NS);
	for (struct smc_link_conn *c = g->conns; c != NULL; c = c->next)
		if (c->started && !c->is_ready) {
			c->ready_due = true;
			c->ready_status = 0;
		}
}
