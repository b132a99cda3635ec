/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The softroce provider: adapts stack/roce objects to the rdma handles. Each handle embeds
 * its rdma base struct and holds the engine's object; container_of gets back from the base.
 * Ports and GIDs come from the lcore's interfaces. CQ events of the engine are forwarded to
 * the rdma CQ's callback; the engine runs them from its poll hook, so the callback may
 * destroy the very CQ (and this adapter's wrapper with it): cq_event touches nothing after.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ursa_roce.h"
#include "ursa_softroce.h"

struct softroce_pd {
	struct ursa_rdma_pd base;
	struct ursa_roce_pd *pd;
};

struct softroce_mr {
	struct ursa_rdma_mr base;
	struct ursa_roce_mr *mr;
};

struct softroce_cq {
	struct ursa_rdma_cq base;
	struct ursa_roce_cq *cq;
};

struct softroce_qp {
	struct ursa_rdma_qp base;
	struct ursa_roce_qp *qp;
};

#define to_spd(p) container_of(p, struct softroce_pd, base)
#define to_smr(p) container_of(p, struct softroce_mr, base)
#define to_scq(p) container_of(p, struct softroce_cq, base)
#define to_sqp(p) container_of(p, struct softroce_qp, base)

static int sr_open(struct ursa_lcore *lc, struct ursa_rdma_device *dev, const void *conf)
{
	RTE_SET_USED(conf);
	if (lc->roce == NULL)
		return -ENODEV;
	dev->priv = lc;
	return 0;
}

static int sr_query_device(struct ursa_rdma_device *dev, struct ursa_rdma_device_attr *a)
{
	RTE_SET_USED(dev);
	memset(a, 0, sizeof(*a));
	a->max_qp = 256;
	a->max_qp_wr = 4096;
	a->max_sge = 8;
	a->max_cq = 1024;
	a->max_cqe = 65536;
	a->max_mr = 4096;
	a->max_mr_size = UINT64_MAX;
	a->max_qp_rd_atom = 16;
	a->max_qp_init_rd_atom = 16;
	return 0;
}

/* The largest IB MTU that fits an Ethernet MTU with the worst-case headers (rxe's rule). */
static uint16_t ib_mtu(uint16_t eth_mtu)
{
	uint16_t m = 4096;

	while (m > 256 && m + 80 > eth_mtu)
		m /= 2;
	return m;
}

static int sr_query_port(struct ursa_rdma_device *dev, uint8_t port, struct ursa_rdma_port_attr *a)
{
	struct ursa_lcore *lc = dev->lc;
	unsigned ngid = 0;
	uint16_t mtu = 0;

	if (port != 1)
		return -EINVAL;
	for (uint16_t i = 0; i < lc->nb_ifaces; i++) {
		ngid += lc->ifaces[i].n4 + lc->ifaces[i].n6;
		if (mtu == 0 || lc->ifaces[i].mtu < mtu)
			mtu = lc->ifaces[i].mtu;
	}
	memset(a, 0, sizeof(*a));
	a->max_mtu = 4096;
	a->active_mtu = mtu ? ib_mtu(mtu) : 1024;
	a->gid_tbl_len = (uint8_t)RTE_MIN(ngid, (unsigned)URSA_RDMA_MAX_GIDS);
	a->active = lc->nb_ifaces > 0;
	return 0;
}

/* The GID table: every address of every interface, in interface order, IPv4 then IPv6
 * (link-local included, as the kernel's default GIDs). Each entry carries its interface,
 * VLAN and tenant: two tenants with the same address on two VLANs have two entries. */
static int gid_at(struct ursa_lcore *lc, unsigned index, struct ursa_rdma_gid_attr *g)
{
	unsigned left = index;

	if (index >= URSA_RDMA_MAX_GIDS)
		return -ENOENT;
	for (uint16_t i = 0; i < lc->nb_ifaces; i++) {
		const struct ursa_iface *ifc = &lc->ifaces[i];
		const struct ursa_iface_addr *a = NULL;

		if (left < ifc->n4)
			a = &ifc->v4[left];
		else if (left - ifc->n4 < ifc->n6)
			a = &ifc->v6[left - ifc->n4];
		if (a == NULL) {
			left -= ifc->n4 + ifc->n6;
			continue;
		}
		memset(g, 0, sizeof(*g));
		ursa_rdma_gid_from_addr(&g->gid, &a->addr);
		g->type = URSA_RDMA_GID_TYPE_ROCE_V2;
		g->port = 1;
		g->index = (uint8_t)index;
		g->iface = ifc->index;
		g->vlan = ifc->vlan;
		g->tenant = ifc->tenant;
		return 0;
	}
	return -ENOENT;
}

static int sr_query_gid(struct ursa_rdma_device *dev, uint8_t port, unsigned index,
			struct ursa_rdma_gid_attr *attr)
{
	if (port != 1)
		return -EINVAL;
	return gid_at(dev->lc, index, attr);
}

static int sr_alloc_pd(struct ursa_rdma_device *dev, struct ursa_rdma_pd **out)
{
	struct softroce_pd *p = calloc(1, sizeof(*p));
	int rc;

	if (p == NULL)
		return -ENOMEM;
	if ((rc = ursa_roce_pd_alloc(dev->lc, &p->pd)) != 0) {
		free(p);
		return rc;
	}
	p->base.dev = dev;
	*out = &p->base;
	return 0;
}

static int sr_dealloc_pd(struct ursa_rdma_pd *pd)
{
	struct softroce_pd *p = to_spd(pd);
	int rc = ursa_roce_pd_free(p->pd);

	if (rc == 0)
		free(p);
	return rc;
}

static void mr_sync(struct softroce_mr *m)
{
	m->base.lkey = ursa_roce_mr_lkey(m->mr);
	m->base.rkey = ursa_roce_mr_rkey(m->mr);
}

static int sr_reg_mr(struct ursa_rdma_pd *pd, void *addr, uint64_t len, unsigned access,
		     struct ursa_rdma_mr **out)
{
	struct softroce_mr *m = calloc(1, sizeof(*m));
	int rc;

	if (m == NULL)
		return -ENOMEM;
	if ((rc = ursa_roce_mr_reg(to_spd(pd)->pd, addr, len, access, &m->mr)) != 0) {
		free(m);
		return rc;
	}
	m->base.dev = pd->dev;
	m->base.pd = pd;
	m->base.addr = addr;
	m->base.length = len;
	m->base.access = access;
	mr_sync(m);
	*out = &m->base;
	return 0;
}

static int sr_rereg_mr(struct ursa_rdma_mr *mr, unsigned access)
{
	struct softroce_mr *m = to_smr(mr);
	int rc = ursa_roce_mr_rereg(m->mr, access);

	if (rc == 0) {
		mr->access = access;
		mr_sync(m);
	}
	return rc;
}

static int sr_dereg_mr(struct ursa_rdma_mr *mr)
{
	struct softroce_mr *m = to_smr(mr);
	int rc = ursa_roce_mr_dereg(m->mr);

	if (rc == 0)
		free(m);
	return rc;
}

static void cq_event(struct ursa_roce_cq *rcq, void *arg)
{
	struct softroce_cq *c = arg;

	RTE_SET_USED(rcq);
	if (c->base.event != NULL)
		c->base.event(&c->base, c->base.event_arg);
}

static int sr_create_cq(struct ursa_rdma_device *dev, uint32_t cqe, struct ursa_rdma_cq **out)
{
	struct softroce_cq *c = calloc(1, sizeof(*c));
	int rc;

	if (c == NULL)
		return -ENOMEM;
	if ((rc = ursa_roce_cq_create(dev->lc, cqe, &c->cq)) != 0) {
		free(c);
		return rc;
	}
	ursa_roce_cq_set_event(c->cq, cq_event, c);
	c->base.dev = dev;
	c->base.fp = dev->fp;
	c->base.cqe = cqe;
	*out = &c->base;
	return 0;
}

static int sr_destroy_cq(struct ursa_rdma_cq *cq)
{
	struct softroce_cq *c = to_scq(cq);
	int rc = ursa_roce_cq_destroy(c->cq);

	if (rc == 0)
		free(c);
	return rc;
}

static int sr_req_notify_cq(struct ursa_rdma_cq *cq, bool solicited_only)
{
	return ursa_roce_cq_arm(to_scq(cq)->cq, solicited_only);
}

static int sr_create_qp(struct ursa_rdma_pd *pd, const struct ursa_rdma_qp_init_attr *init,
			struct ursa_rdma_qp **out)
{
	struct softroce_qp *q;
	int rc;

	if (init->send_cq == NULL || init->recv_cq == NULL)
		return -EINVAL;
	q = calloc(1, sizeof(*q));
	if (q == NULL)
		return -ENOMEM;
	rc = ursa_roce_qp_create(to_spd(pd)->pd, to_scq(init->send_cq)->cq,
				 to_scq(init->recv_cq)->cq, &init->cap, init->sq_sig_all, &q->qp);
	if (rc != 0) {
		free(q);
		return rc;
	}
	q->base.dev = pd->dev;
	q->base.fp = pd->dev->fp;
	q->base.pd = pd;
	q->base.send_cq = init->send_cq;
	q->base.recv_cq = init->recv_cq;
	q->base.qp_num = ursa_roce_qp_num(q->qp);
	*out = &q->base;
	return 0;
}

/* The address vector names its source GID by index; resolve the entry here (the kernel's
 * core does this for its drivers) and hand it to the engine, which binds the QP to the
 * entry's interface and tenant and applies the whole modify or nothing. */
static int sr_modify_qp(struct ursa_rdma_qp *qp, const struct ursa_rdma_qp_attr *a, unsigned mask)
{
	struct ursa_rdma_gid_attr sgid;

	if (mask & URSA_RDMA_QP_AV) {
		if (gid_at(qp->dev->lc, a->ah.sgid_index, &sgid) != 0)
			return -EINVAL;
		return ursa_roce_qp_modify(to_sqp(qp)->qp, a, mask, &sgid);
	}
	return ursa_roce_qp_modify(to_sqp(qp)->qp, a, mask, NULL);
}

static int sr_query_qp(struct ursa_rdma_qp *qp, struct ursa_rdma_qp_attr *a)
{
	return ursa_roce_qp_query(to_sqp(qp)->qp, a);
}

static int sr_destroy_qp(struct ursa_rdma_qp *qp)
{
	struct softroce_qp *q = to_sqp(qp);
	int rc = ursa_roce_qp_destroy(q->qp);

	if (rc == 0)
		free(q);
	return rc;
}

static int sr_post_send(struct ursa_rdma_qp *qp, const struct ursa_rdma_send_wr *wr, unsigned n)
{
	return ursa_roce_post_send(to_sqp(qp)->qp, wr, n);
}

static int sr_post_recv(struct ursa_rdma_qp *qp, const struct ursa_rdma_recv_wr *wr, unsigned n)
{
	return ursa_roce_post_recv(to_sqp(qp)->qp, wr, n);
}

static int sr_poll_cq(struct ursa_rdma_cq *cq, struct ursa_rdma_wc *wc, unsigned n)
{
	return ursa_roce_cq_poll(to_scq(cq)->cq, wc, n);
}

static const struct ursa_rdma_ops softroce_ops = {
	.query_device = sr_query_device,
	.query_port = sr_query_port,
	.query_gid = sr_query_gid,
	.alloc_pd = sr_alloc_pd,
	.dealloc_pd = sr_dealloc_pd,
	.reg_mr = sr_reg_mr,
	.rereg_mr = sr_rereg_mr,
	.dereg_mr = sr_dereg_mr,
	.create_cq = sr_create_cq,
	.destroy_cq = sr_destroy_cq,
	.req_notify_cq = sr_req_notify_cq,
	.create_qp = sr_create_qp,
	.modify_qp = sr_modify_qp,
	.query_qp = sr_query_qp,
	.destroy_qp = sr_destroy_qp,
};

static const struct ursa_rdma_fp_ops softroce_fp = {
	.post_send = sr_post_send,
	.post_recv = sr_post_recv,
	.poll_cq = sr_poll_cq,
};

const struct ursa_rdma_provider ursa_softroce_provider = {
	.name = "softroce",
	.ops = &softroce_ops,
	.fp = &softroce_fp,
	.open = sr_open,
};
