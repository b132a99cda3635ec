/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The RDMA device registry: explicit registration of provider devices on an lcore, and the
 * -EOPNOTSUPP stubs laid under every op a provider leaves out, so that callers dispatch
 * through the ops tables without NULL checks. Also GID <-> address helpers and name tables.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ursa_rdma.h"

struct rdma_dev_slot {
	bool used;
	const struct ursa_rdma_provider *prov;
	struct ursa_rdma_device dev;
	struct ursa_rdma_ops ops;
	struct ursa_rdma_fp_ops fp;
};

struct ursa_rdma_ctx {
	struct rdma_dev_slot devs[URSA_RDMA_MAX_DEVICES];
};

/* ---- stubs ---- */

static int stub_query_device(struct ursa_rdma_device *d, struct ursa_rdma_device_attr *a)
{
	RTE_SET_USED(d), RTE_SET_USED(a);
	return -EOPNOTSUPP;
}
static int stub_query_port(struct ursa_rdma_device *d, uint8_t p, struct ursa_rdma_port_attr *a)
{
	RTE_SET_USED(d), RTE_SET_USED(p), RTE_SET_USED(a);
	return -EOPNOTSUPP;
}
static int stub_query_gid(struct ursa_rdma_device *d, uint8_t p, unsigned i,
			  struct ursa_rdma_gid_attr *g)
{
	RTE_SET_USED(d), RTE_SET_USED(p), RTE_SET_USED(i), RTE_SET_USED(g);
	return -EOPNOTSUPP;
}
static int stub_alloc_pd(struct ursa_rdma_device *d, struct ursa_rdma_pd **out)
{
	RTE_SET_USED(d), RTE_SET_USED(out);
	return -EOPNOTSUPP;
}
static int stub_dealloc_pd(struct ursa_rdma_pd *pd)
{
	RTE_SET_USED(pd);
	return -EOPNOTSUPP;
}
static int stub_reg_mr(struct ursa_rdma_pd *pd, void *addr, uint64_t len, unsigned acc,
		       struct ursa_rdma_mr **out)
{
	RTE_SET_USED(pd), RTE_SET_USED(addr), RTE_SET_USED(len), RTE_SET_USED(acc);
	RTE_SET_USED(out);
	return -EOPNOTSUPP;
}
static int stub_rereg_mr(struct ursa_rdma_mr *mr, unsigned acc)
{
	RTE_SET_USED(mr), RTE_SET_USED(acc);
	return -EOPNOTSUPP;
}
static int stub_dereg_mr(struct ursa_rdma_mr *mr)
{
	RTE_SET_USED(mr);
	return -EOPNOTSUPP;
}
static int stub_create_cq(struct ursa_rdma_device *d, uint32_t cqe, struct ursa_rdma_cq **out)
{
	RTE_SET_USED(d), RTE_SET_USED(cqe), RTE_SET_USED(out);
	return -EOPNOTSUPP;
}
static int stub_destroy_cq(struct ursa_rdma_cq *cq)
{
	RTE_SET_USED(cq);
	return -EOPNOTSUPP;
}
static int stub_req_notify_cq(struct ursa_rdma_cq *cq, bool so)
{
	RTE_SET_USED(cq), RTE_SET_USED(so);
	return -EOPNOTSUPP;
}
static int stub_create_qp(struct ursa_rdma_pd *pd, const struct ursa_rdma_qp_init_attr *i,
			  struct ursa_rdma_qp **out)
{
	RTE_SET_USED(pd), RTE_SET_USED(i), RTE_SET_USED(out);
	return -EOPNOTSUPP;
}
static int stub_modify_qp(struct ursa_rdma_qp *qp, const struct ursa_rdma_qp_attr *a, unsigned m)
{
	RTE_SET_USED(qp), RTE_SET_USED(a), RTE_SET_USED(m);
	return -EOPNOTSUPP;
}
static int stub_query_qp(struct ursa_rdma_qp *qp, struct ursa_rdma_qp_attr *a)
{
	RTE_SET_USED(qp), RTE_SET_USED(a);
	return -EOPNOTSUPP;
}
static int stub_destroy_qp(struct ursa_rdma_qp *qp)
{
	RTE_SET_USED(qp);
	return -EOPNOTSUPP;
}
static void stub_close(struct ursa_rdma_device *d)
{
	RTE_SET_USED(d);
}
static int stub_post_send(struct ursa_rdma_qp *qp, const struct ursa_rdma_send_wr *w, unsigned n)
{
	RTE_SET_USED(qp), RTE_SET_USED(w), RTE_SET_USED(n);
	return -EOPNOTSUPP;
}
static int stub_post_recv(struct ursa_rdma_qp *qp, const struct ursa_rdma_recv_wr *w, unsigned n)
{
	RTE_SET_USED(qp), RTE_SET_USED(w), RTE_SET_USED(n);
	return -EOPNOTSUPP;
}
static int stub_poll_cq(struct ursa_rdma_cq *cq, struct ursa_rdma_wc *wc, unsigned n)
{
	RTE_SET_USED(cq), RTE_SET_USED(wc), RTE_SET_USED(n);
	return -EOPNOTSUPP;
}

#define FILL(t, s, op) ((t)->op = (s) != NULL && (s)->op != NULL ? (s)->op : stub_##op)

static void fill_ops(struct ursa_rdma_ops *o, const struct ursa_rdma_ops *s)
{
	FILL(o, s, query_device);
	FILL(o, s, query_port);
	FILL(o, s, query_gid);
	FILL(o, s, alloc_pd);
	FILL(o, s, dealloc_pd);
	FILL(o, s, reg_mr);
	FILL(o, s, rereg_mr);
	FILL(o, s, dereg_mr);
	FILL(o, s, create_cq);
	FILL(o, s, destroy_cq);
	FILL(o, s, req_notify_cq);
	FILL(o, s, create_qp);
	FILL(o, s, modify_qp);
	FILL(o, s, query_qp);
	FILL(o, s, destroy_qp);
	FILL(o, s, close);
}

static void fill_fp(struct ursa_rdma_fp_ops *o, const struct ursa_rdma_fp_ops *s)
{
	FILL(o, s, post_send);
	FILL(o, s, post_recv);
	FILL(o, s, poll_cq);
}

/* ---- registry ---- */

static void rdma_fini(struct ursa_lcore *lc)
{
	struct ursa_rdma_ctx *r = lc->rdma;

	if (r == NULL)
		return;
	for (unsigned i = 0; i < URSA_RDMA_MAX_DEVICES; i++)
		if (r->devs[i].used)
			ursa_rdma_device_close(&r->devs[i].dev);
	free(r);
	lc->rdma = NULL;
}

int ursa_rdma_init(struct ursa_lcore *lc)
{
	if (lc->rdma != NULL)
		return 0;
	lc->rdma = calloc(1, sizeof(*lc->rdma));
	if (lc->rdma == NULL)
		return -ENOMEM;
	return ursa_lcore_add_fini_hook(lc, rdma_fini);
}

int ursa_rdma_device_open(struct ursa_lcore *lc, const struct ursa_rdma_provider *prov,
			  const char *name, const void *conf, struct ursa_rdma_device **out)
{
	struct ursa_rdma_ctx *r = lc->rdma;
	struct rdma_dev_slot *slot = NULL;
	int rc;

	if (r == NULL)
		return -ENODEV;
	if (prov == NULL || name == NULL || strlen(name) >= sizeof(slot->dev.name))
		return -EINVAL;
	if (ursa_rdma_device_get(lc, name) != NULL)
		return -EEXIST;
	for (unsigned i = 0; i < URSA_RDMA_MAX_DEVICES && slot == NULL; i++)
		if (!r->devs[i].used)
			slot = &r->devs[i];
	if (slot == NULL)
		return -ENOSPC;
	memset(slot, 0, sizeof(*slot));
	fill_ops(&slot->ops, prov->ops);
	fill_fp(&slot->fp, prov->fp);
	slot->prov = prov;
	snprintf(slot->dev.name, sizeof(slot->dev.name), "%s", name);
	slot->dev.lc = lc;
	slot->dev.ops = &slot->ops;
	slot->dev.fp = &slot->fp;
	if (prov->open != NULL && (rc = prov->open(lc, &slot->dev, conf)) != 0)
		return rc;
	slot->used = true;
	*out = &slot->dev;
	return 0;
}

struct ursa_rdma_device *ursa_rdma_device_get(struct ursa_lcore *lc, const char *name)
{
	struct ursa_rdma_ctx *r = lc->rdma;

	if (r == NULL)
		return NULL;
	for (unsigned i = 0; i < URSA_RDMA_MAX_DEVICES; i++)
		if (r->devs[i].used && strcmp(r->devs[i].dev.name, name) == 0)
			return &r->devs[i].dev;
	return NULL;
}

void ursa_rdma_device_close(struct ursa_rdma_device *dev)
{
	struct rdma_dev_slot *slot = container_of(dev, struct rdma_dev_slot, dev);

	if (!slot->used)
		return;
	dev->ops->close(dev);
	slot->used = false;
}

/* ---- helpers ---- */

void ursa_rdma_gid_from_addr(union ursa_rdma_gid *gid, const struct ursa_ipaddr *a)
{
	memset(gid, 0, sizeof(*gid));
	if (a->family == AF_INET6) {
		memcpy(gid->raw, a->v6, 16);
	} else {
		gid->raw[10] = gid->raw[11] = 0xff;
		memcpy(&gid->raw[12], &a->v4, 4);
	}
}

void ursa_rdma_gid_to_addr(const union ursa_rdma_gid *gid, struct ursa_ipaddr *a)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	memset(a, 0, sizeof(*a));
	if (memcmp(gid->raw, mapped, sizeof(mapped)) == 0) {
		a->family = AF_INET;
		memcpy(&a->v4, &gid->raw[12], 4);
	} else {
		a->family = AF_INET6;
		memcpy(a->v6, gid->raw, 16);
	}
}

static const char *const wc_status_names[URSA_RDMA_WC_STATUS_MAX] = {
	[URSA_RDMA_WC_SUCCESS] = "success",
	[URSA_RDMA_WC_LOC_LEN_ERR] = "local length error",
	[URSA_RDMA_WC_LOC_QP_OP_ERR] = "local QP operation error",
	[URSA_RDMA_WC_LOC_PROT_ERR] = "local protection error",
	[URSA_RDMA_WC_WR_FLUSH_ERR] = "work request flushed",
	[URSA_RDMA_WC_BAD_RESP_ERR] = "bad response",
	[URSA_RDMA_WC_LOC_ACCESS_ERR] = "local access error",
	[URSA_RDMA_WC_REM_INV_REQ_ERR] = "remote invalid request",
	[URSA_RDMA_WC_REM_ACCESS_ERR] = "remote access error",
	[URSA_RDMA_WC_REM_OP_ERR] = "remote operation error",
	[URSA_RDMA_WC_RETRY_EXC_ERR] = "transport retry counter exceeded",
	[URSA_RDMA_WC_RNR_RETRY_EXC_ERR] = "RNR retry counter exceeded",
	[URSA_RDMA_WC_GENERAL_ERR] = "general error",
};

const char *ursa_rdma_wc_status_str(enum ursa_rdma_wc_status s)
{
	return (unsigned)s < URSA_RDMA_WC_STATUS_MAX ? wc_status_names[s] : "unknown";
}

const char *ursa_rdma_qp_state_str(enum ursa_rdma_qp_state s)
{
	static const char *const names[] = {"RESET", "INIT", "RTR", "RTS", "SQD", "ERR"};

	return (unsigned)s < RTE_DIM(names) ? names[s] : "unknown";
}

/* ---- providers by name ---- */

#define RDMA_PROVIDER_PREFIX "rdma:"

static int provider_key(const char *name, char *key, size_t len)
{
	int n = snprintf(key, len, RDMA_PROVIDER_PREFIX "%s", name);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int ursa_rdma_provider_register(struct ursa_stack *st, const struct ursa_rdma_provider *prov)
{
	char key[URSA_STACK_NAME_LEN];
	int rc;

	if (prov == NULL || prov->name == NULL)
		return -EINVAL;
	rc = provider_key(prov->name, key, sizeof(key));
	return rc ? rc : ursa_stack_provider_register(st, key, prov);
}

const struct ursa_rdma_provider *ursa_rdma_provider_find(const struct ursa_lcore *lc,
							 const char *name)
{
	char key[URSA_STACK_NAME_LEN];

	if (lc->stack == NULL || provider_key(name, key, sizeof(key)) != 0)
		return NULL;
	return ursa_stack_provider_lookup(lc->stack, key);
}

int ursa_rdma_device_open_by_name(struct ursa_lcore *lc, const char *provider, const char *name,
				  const void *conf, struct ursa_rdma_device **out)
{
	const struct ursa_rdma_provider *prov = ursa_rdma_provider_find(lc, provider);

	return prov ? ursa_rdma_device_open(lc, prov, name, conf, out) : -ENOENT;
}
