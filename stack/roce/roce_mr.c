/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Memory regions and their keys. A key is 32 random bits from lc->secret (never 0, unique on
 * the lcore, key % nb_shards == the lcore's shard), looked up exactly in an rte_hash: no
 * index bits, no "all memory" key.
 * Deregistration, re-registration and invalidation remove the key at once, so a late
 * request with the old key finds nothing and is answered with a remote access error.
 * Lookups go through a small per-context cache that any removal empties (roce_priv.h).
 * Also the checked copy between scatter/gather lists and mbufs used by all data paths.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "roce_priv.h"

#define MR_ACCESS_ALL                                                                              \
	(URSA_RDMA_ACCESS_LOCAL_WRITE | URSA_RDMA_ACCESS_REMOTE_WRITE |                            \
	 URSA_RDMA_ACCESS_REMOTE_READ | URSA_RDMA_ACCESS_REMOTE_ATOMIC |                           \
	 URSA_RDMA_ACCESS_REMOTE_INVALIDATE)

struct ursa_roce_mr *roce_mr_lookup(struct ursa_roce_ctx *ctx, uint32_t key)
{
	struct roce_mr_cache_ent *e = &ctx->mr_cache[key & (ROCE_MR_CACHE - 1)];
	void *data;

	if (e->gen == ctx->mr_gen && e->key == key)
		return e->mr;
	if (rte_hash_lookup_data(ctx->mr_hash, &key, &data) < 0)
		return NULL; /* misses are not remembered: a new key may appear any time */
	e->gen = ctx->mr_gen;
	e->key = key;
	e->mr = data;
	return data;
}

bool roce_mr_range_ok(const struct ursa_roce_mr *mr, uint64_t va, uint64_t len)
{
	return va >= mr->iova && len <= mr->length && va - mr->iova <= mr->length - len;
}

static int mr_new_key(struct ursa_roce_mr *mr)
{
	struct ursa_roce_ctx *ctx = mr->ctx;

	for (int tries = 0; tries < 64; tries++) {
		uint32_t key;

		if (!roce_id_for_shard(ctx->lc, ursa_secret_u32(&ctx->lc->secret), UINT32_MAX,
				       &key) ||
		    key == 0 || rte_hash_lookup(ctx->mr_hash, &key) >= 0)
			continue;
		if (rte_hash_add_key_data(ctx->mr_hash, &key, mr) < 0)
			return -ENOSPC;
		mr->key = key;
		mr->valid = true;
		return 0;
	}
	return -ENOSPC;
}

void roce_mr_invalidate(struct ursa_roce_mr *mr)
{
	if (mr->valid) {
		rte_hash_del_key(mr->ctx->mr_hash, &mr->key);
		mr->ctx->mr_gen++; /* forget every cached answer */
	}
	mr->valid = false;
}

int ursa_roce_mr_reg(struct ursa_roce_pd *pd, void *addr, uint64_t length, unsigned access,
		     struct ursa_roce_mr **out)
{
	return ursa_roce_mr_reg_iova(pd, addr, length, (uintptr_t)addr, access, out);
}

int ursa_roce_mr_reg_iova(struct ursa_roce_pd *pd, void *addr, uint64_t length, uint64_t iova,
			  unsigned access, struct ursa_roce_mr **out)
{
	struct ursa_roce_mr *mr;
	int rc;

	if (addr == NULL || length == 0 || (access & ~MR_ACCESS_ALL) != 0 ||
	    (uintptr_t)addr + length < (uintptr_t)addr || iova + length < iova)
		return -EINVAL;
	/* Remote write or atomic access needs local write too (IBTA 10.6.3.1). */
	if ((access & (URSA_RDMA_ACCESS_REMOTE_WRITE | URSA_RDMA_ACCESS_REMOTE_ATOMIC)) &&
	    !(access & URSA_RDMA_ACCESS_LOCAL_WRITE))
		return -EINVAL;
	mr = calloc(1, sizeof(*mr));
	if (mr == NULL)
		return -ENOMEM;
	mr->ctx = pd->ctx;
	mr->pd = pd;
	mr->iova = iova;
	mr->host = addr;
	mr->length = length;
	mr->access = access;
	if ((rc = roce_mr_zc_init(mr)) != 0) {
		free(mr);
		return rc;
	}
	if ((rc = mr_new_key(mr)) != 0) {
		roce_mr_zc_put(mr);
		free(mr);
		return rc;
	}
	pd->users++;
	*out = mr;
	return 0;
}

int ursa_roce_mr_rereg(struct ursa_roce_mr *mr, unsigned access)
{
	uint32_t old = mr->key;
	int rc;

	if ((access & ~MR_ACCESS_ALL) != 0)
		return -EINVAL;
	if ((access & (URSA_RDMA_ACCESS_REMOTE_WRITE | URSA_RDMA_ACCESS_REMOTE_ATOMIC)) &&
	    !(access & URSA_RDMA_ACCESS_LOCAL_WRITE))
		return -EINVAL;
	roce_mr_invalidate(mr);
	mr->access = access;
	do {
		if ((rc = mr_new_key(mr)) != 0)
			return rc;
		if (mr->key == old) { /* never hand the old key back */
			roce_mr_invalidate(mr);
			rc = -EAGAIN;
		}
	} while (rc != 0);
	return 0;
}

int ursa_roce_mr_dereg(struct ursa_roce_mr *mr)
{
	if (roce_mr_zc_busy(mr))
		return -EBUSY; /* a frame still sends from this memory: poll, then again */
	roce_mr_zc_put(mr);
	roce_mr_invalidate(mr);
	mr->pd->users--;
	free(mr);
	return 0;
}

int roce_mr_set_key(struct ursa_roce_mr *mr, uint32_t key)
{
	if (key == 0 || rte_hash_lookup(mr->ctx->mr_hash, &key) >= 0)
		return -EEXIST;
	roce_mr_invalidate(mr);
	if (rte_hash_add_key_data(mr->ctx->mr_hash, &key, mr) < 0)
		return -ENOSPC;
	mr->key = key;
	mr->valid = true;
	return 0;
}

uint32_t ursa_roce_mr_lkey(const struct ursa_roce_mr *mr)
{
	return mr->key;
}

uint32_t ursa_roce_mr_rkey(const struct ursa_roce_mr *mr)
{
	return mr->key;
}

/* Copy len bytes between a list of SGEs (starting msg_off bytes into the message) and m. */
/* The len bytes at msg_off of the message appended to m as external buffers (one per SGE
 * piece, held through its MR), with the same key, PD and range checks as a copy; then the
 * pad and the ICRC's room. */
int roce_sge_attach(struct ursa_roce_qp *qp, const struct ursa_rdma_sge *sge, unsigned nsge,
		    uint32_t msg_off, struct rte_mbuf *m, uint32_t len)
{
	uint32_t left = len;
	unsigned i = 0;
	int rc;

	while (left > 0) {
		const struct ursa_roce_mr *mr;
		uint32_t n;

		while (i < nsge && msg_off >= sge[i].length)
			msg_off -= sge[i++].length;
		if (i == nsge)
			return -EACCES;
		mr = roce_mr_lookup(qp->ctx, sge[i].lkey);
		if (mr == NULL || mr->pd != qp->pd ||
		    !roce_mr_range_ok(mr, sge[i].addr, sge[i].length))
			return -EACCES;
		n = RTE_MIN(left, sge[i].length - msg_off);
		rc = roce_tx_attach(qp, m, roce_mr_ptr(mr, sge[i].addr + msg_off), n, mr->zc);
		if (rc != 0)
			return rc;
		left -= n;
		msg_off += n;
	}
	return roce_tx_tail(qp, m, len);
}

int roce_sge_copy(struct ursa_roce_qp *qp, const struct ursa_rdma_sge *sge, unsigned nsge,
		  uint32_t msg_off, struct rte_mbuf *m, uint32_t m_off, uint32_t len, bool to_sge,
		  unsigned need_access)
{
	unsigned i = 0;

	while (len > 0) {
		const struct ursa_roce_mr *mr;
		uint32_t n;

		while (i < nsge && msg_off >= sge[i].length)
			msg_off -= sge[i++].length;
		if (i == nsge)
			return -EACCES;
		mr = roce_mr_lookup(qp->ctx, sge[i].lkey);
		if (mr == NULL || mr->pd != qp->pd || (mr->access & need_access) != need_access ||
		    !roce_mr_range_ok(mr, sge[i].addr, sge[i].length))
			return -EACCES;
		n = RTE_MIN(len, sge[i].length - msg_off);
		void *mem = roce_mr_ptr(mr, sge[i].addr + msg_off);

		if (to_sge ? roce_mbuf_read(m, m_off, mem, n) : roce_mbuf_write(m, m_off, mem, n))
			return -EINVAL;
		len -= n;
		m_off += n;
		msg_off += n;
	}
	return 0;
}
