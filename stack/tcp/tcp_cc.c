/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp congestion control registry: algorithms register an ops table by name per lcore;
 * connections pick one (the configured default, or ursa_tcp_set_cc) and the transport calls
 * its hooks. Loss recovery itself (RFC 6675 / RFC 6582) stays in tcp_input.c.
 */
#include <string.h>

#include "tcp_priv.h"

int ursa_tcp_cc_register(struct ursa_lcore *lc, const struct ursa_tcp_cc_ops *ops)
{
	struct ursa_tcp_ctx *t = lc->tcp;

	if (t == NULL || ops == NULL || ops->name == NULL || ops->init == NULL ||
	    ops->ack == NULL || ops->loss == NULL || ops->recovery_end == NULL ||
	    ops->rto == NULL || strlen(ops->name) >= sizeof(t->conf.cc))
		return -EINVAL;
	if (ursa_tcp_cc_find(lc, ops->name) != NULL)
		return -EEXIST;
	if (t->ncc >= URSA_TCP_CC_MAX)
		return -ENOSPC;
	t->cc[t->ncc++] = ops;
	return 0;
}

const struct ursa_tcp_cc_ops *ursa_tcp_cc_find(const struct ursa_lcore *lc, const char *name)
{
	const struct ursa_tcp_ctx *t = lc->tcp;

	if (t == NULL || name == NULL)
		return NULL;
	for (unsigned i = 0; i < t->ncc; i++)
		if (strcmp(t->cc[i]->name, name) == 0)
			return t->cc[i];
	return NULL;
}

void tcp_cc_register_builtin(struct ursa_lcore *lc)
{
	(void)ursa_tcp_cc_register(lc, &ursa_tcp_cc_newreno);
	(void)ursa_tcp_cc_register(lc, &ursa_tcp_cc_cubic);
}

void tcp_cc_init(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb)
{
	memset(&pcb->cc, 0, sizeof(pcb->cc));
	pcb->cc.smss = pcb->snd_mss;
	pcb->cc_ops->init(&pcb->cc, ursa_now(lc));
}

uint32_t tcp_cc_initial_window(uint32_t smss)
{
	/* RFC 6928: IW = min(10 * MSS, max(2 * MSS, 14600)). */
	uint32_t b = 2 * smss > 14600 ? 2 * smss : 14600;

	return 10 * smss < b ? 10 * smss : b;
}
