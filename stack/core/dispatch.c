/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Software dispatch between the shards of one stack.
 *
 * A flow (TCP connection, QP) belongs to one shard, but the queue a frame arrives on is the
 * NIC's choice (RSS), or the peer's (RoCEv2 peers pick the UDP source port themselves). Each
 * shard therefore has an inbox, an rte_ring that every other shard may enqueue to (multi-
 * producer) and that only its own lcore drains (single consumer), first thing in each poll.
 *
 * Core only carries frames: the layers decide the owner (RoCE by DestQP, TCP by an
 * ephemeral destination port) and call ursa_lcore_dispatch() before they touch any state.
 * The frame is rewound to the start of its Ethernet header (where it was when the port gave
 * it to the stack) and received again on the owner as if from the same port, marked so that
 * no layer hands it on a second time.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ring.h>

#include "core_priv.h"

#define DISPATCH_RING_SIZE 4096 /* frames waiting for one shard; a power of two */

#define DISPATCH_COUNTERS(X)                                                                       \
	X(out)                                                                                     \
	X(in)                                                                                      \
	X(drop_ring_full)                                                                          \
	X(drop_chain)                                                                              \
	X(drop_bad_port)

#define DISPATCH_C_ENUM(n) DISPATCH_C_##n,
enum dispatch_counter { DISPATCH_COUNTERS(DISPATCH_C_ENUM) DISPATCH_C_MAX };
static const char *const dispatch_counter_names[] = {DISPATCH_COUNTERS(URSA_COUNTER_NAME)};

struct ursa_dispatch {
	struct rte_ring *inbox;			    /* this shard's: drained by its lcore only */
	struct rte_ring *peers[URSA_MAX_SHARDS];    /* every shard's inbox, by shard index */
	struct ursa_lcore *owners[URSA_MAX_SHARDS]; /* the shards, to wake one that naps */
	uint16_t nb;
	uint64_t c[DISPATCH_C_MAX];
};

static int dispatch_create(struct ursa_lcore *lc)
{
	char name[RTE_RING_NAMESIZE];
	struct ursa_dispatch *d;

	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return -ENOMEM;
	snprintf(name, sizeof(name), "udsp_%u_%lx", lc->shard, (unsigned long)(uintptr_t)lc);
	d->inbox = rte_ring_create(name, DISPATCH_RING_SIZE, SOCKET_ID_ANY, RING_F_SC_DEQ);
	if (d->inbox == NULL) {
		free(d);
		return -rte_errno;
	}
	lc->dispatch = d;
	return 0;
}

void dispatch_fini(struct ursa_lcore *lc)
{
	struct ursa_dispatch *d = lc->dispatch;
	void *m;

	if (d == NULL)
		return;
	while (rte_ring_sc_dequeue(d->inbox, &m) == 0)
		rte_pktmbuf_free(m);
	rte_ring_free(d->inbox);
	free(d);
	lc->dispatch = NULL;
}

int ursa_lcore_link_shards(struct ursa_lcore **lcs, unsigned n)
{
	int rc;

	if (n < 2 || n > URSA_MAX_SHARDS)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++)
		if (lcs[i]->shard != i || lcs[i]->nb_shards != n || lcs[i]->dispatch != NULL)
			return -EINVAL;
	for (unsigned i = 0; i < n; i++)
		if ((rc = dispatch_create(lcs[i])) != 0)
			goto err_rings;
	for (unsigned i = 0; i < n; i++) {
		struct ursa_dispatch *d = lcs[i]->dispatch;

		d->nb = (uint16_t)n;
		for (unsigned j = 0; j < n; j++)
			d->peers[j] = lcs[j]->dispatch->inbox;
		for (unsigned j = 0; j < n; j++)
			d->owners[j] = lcs[j];
		rc = ursa_stats_register(lcs[i], "dispatch", dispatch_counter_names, d->c,
					 DISPATCH_C_MAX);
		if (rc)
			goto err_rings;
	}
	return 0;

err_rings:
	for (unsigned i = 0; i < n; i++)
		dispatch_fini(lcs[i]);
	return rc;
}

bool ursa_lcore_dispatch(struct ursa_lcore *lc, struct rte_mbuf *m, unsigned owner)
{
	struct ursa_dispatch *d = lc->dispatch;
	struct ursa_pkt_meta *meta = ursa_pkt_meta(m);

	if (d == NULL || owner == lc->shard || owner >= d->nb ||
	    (meta->rx_flags & (URSA_RX_DISPATCHED | URSA_RX_FROM_PORT)) != URSA_RX_FROM_PORT)
		return false;
	if (m->nb_segs != 1 || meta->rx_off > m->data_off) {
		/* A reassembled datagram: its first header was rewritten and the fragments'
		 * frames are gone, so it cannot be received again as it arrived. */
		d->c[DISPATCH_C_drop_chain]++;
		rte_pktmbuf_free(m);
		return true;
	}
	rte_pktmbuf_prepend(m, (uint16_t)(m->data_off - meta->rx_off));
	if (rte_ring_mp_enqueue(d->peers[owner], m) != 0) {
		d->c[DISPATCH_C_drop_ring_full]++;
		rte_pktmbuf_free(m);
		return true;
	}
	d->c[DISPATCH_C_out]++;
	wait_notify(d->owners[owner]);
	return true;
}

unsigned dispatch_drain(struct ursa_lcore *lc)
{
	struct ursa_dispatch *d = lc->dispatch;
	struct rte_mbuf *pkts[URSA_BURST];
	unsigned n;

	if (d == NULL)
		return 0;
	n = rte_ring_sc_dequeue_burst(d->inbox, (void **)pkts, URSA_BURST, NULL);
	for (unsigned i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct ursa_pkt_meta *meta = ursa_pkt_meta(m);

		d->c[DISPATCH_C_in]++;
		if (m->port >= lc->nb_ports) {
			d->c[DISPATCH_C_drop_bad_port]++;
			rte_pktmbuf_free(m);
			continue;
		}
		memset(meta, 0, sizeof(*meta));
		meta->rx_off = m->data_off;
		meta->rx_flags = URSA_RX_FROM_PORT | URSA_RX_DISPATCHED;
		lc->rx_handler(lc, &lc->ports[m->port], &m, 1);
	}
	return n;
}

unsigned dispatch_pending(const struct ursa_lcore *lc)
{
	return lc->dispatch != NULL ? rte_ring_count(lc->dispatch->inbox) : 0;
}
