/* SPDX-License-Identifier: BSD-3-Clause */
/* Two test lcores wired back to back through their memory ports, on their virtual clocks. */
#include "ursa_test.h"

unsigned ursa_test_pair_carry(struct ursa_lcore *a, struct ursa_lcore *b)
{
	struct ursa_lcore *lc[2] = {a, b};
	struct rte_mbuf *m[64];
	unsigned moved = 0, n;

	ursa_lcore_poll(a);
	ursa_lcore_poll(b);
	for (int i = 0; i < 2; i++)
		while ((n = ursa_port_mem_take(&lc[i]->ports[0], m, 64)) > 0) {
			ursa_port_mem_inject(&lc[!i]->ports[0], m, n);
			moved += n;
		}
	return moved;
}

bool ursa_test_pair_idle(struct ursa_lcore *a, struct ursa_lcore *b)
{
	uint64_t next = RTE_MIN(ursa_lcore_idle_budget(a), ursa_lcore_idle_budget(b));

	if (next == UINT64_MAX)
		return false;
	ursa_clock_advance(&a->clock, next ? next : 1);
	ursa_clock_advance(&b->clock, next ? next : 1);
	return true;
}

bool ursa_test_pair_step(struct ursa_lcore *a, struct ursa_lcore *b)
{
	return ursa_test_pair_carry(a, b) > 0 || ursa_test_pair_idle(a, b);
}

/* Take everything side i transmitted and hand it to the other side through link. */
static unsigned pump_side(struct ursa_lcore *lc[2], int i, ursa_test_link_fn_t link, void *arg)
{
	struct rte_mbuf *m[64];
	unsigned moved = 0, n;

	ursa_port_flush(lc[i], &lc[i]->ports[0]);
	while ((n = ursa_port_mem_take(&lc[i]->ports[0], m, RTE_DIM(m))) > 0) {
		for (unsigned k = 0; k < n; k++) {
			if (link == NULL || link(i, m[k], arg))
				ursa_port_mem_inject(&lc[!i]->ports[0], &m[k], 1);
			else
				rte_pktmbuf_free(m[k]);
		}
		moved += n;
	}
	return moved;
}

unsigned ursa_test_pair_pump(struct ursa_lcore *a, struct ursa_lcore *b, ursa_test_link_fn_t link,
			     void *arg, unsigned max_rounds)
{
	struct ursa_lcore *lc[2] = {a, b};
	unsigned moved = 0;

	for (unsigned round = 0; round < max_rounds; round++) {
		unsigned r;

		ursa_lcore_poll(a);
		ursa_lcore_poll(b);
		r = pump_side(lc, 0, link, arg);
		r += pump_side(lc, 1, link, arg);
		moved += r;
		if (r == 0 && ursa_lcore_poll(a) == 0 && ursa_lcore_poll(b) == 0)
			break;
	}
	return moved;
}
