/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared by the roce test suites: an xmit hook that captures the engine's frames instead of
 * sending them, so a test can inspect exactly what the requester/responder produced. */
#ifndef ROCE_CAP_H
#define ROCE_CAP_H

#include <errno.h>

#include <rte_mbuf.h>

#include "ursa_roce.h"

struct roce_cap {
	struct rte_mbuf **v; /**< capture buffer, owned by the test */
	unsigned max;	     /**< its size: frames beyond it are refused with -ENOBUFS */
	unsigned n;	     /**< frames captured */
};

/* ursa_roce_xmit_t: arg is the struct roce_cap. */
static inline int roce_cap_xmit(struct ursa_lcore *l, void *arg, const struct ursa_roce_path *p,
				struct rte_mbuf *m)
{
	struct roce_cap *c = arg;

	RTE_SET_USED(l), RTE_SET_USED(p);
	if (c->n == c->max) {
		rte_pktmbuf_free(m);
		return -ENOBUFS;
	}
	c->v[c->n++] = m;
	return 0;
}

static inline void roce_cap_drain(struct roce_cap *c)
{
	for (unsigned i = 0; i < c->n; i++)
		rte_pktmbuf_free(c->v[i]);
	c->n = 0;
}

#endif /* ROCE_CAP_H */
