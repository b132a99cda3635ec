/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ursactl capture: pcapng (rte_pcapng) of what an ethdev port receives and sends, written by
 * ursad to the file ursactl opened and passed along (so the file is the client's, with its
 * permissions). Frames are taken by ethdev Rx and Tx callbacks on every shard's queue of the
 * port: an Rx callback sees a burst as the PMD returns it, a Tx callback what ursa hands to
 * the PMD. Bounded by a frame count and a time; the request's answer comes when either ends,
 * or the client leaves. Writers on several shards are serialised by a spinlock.
 *
 * Removing an ethdev callback does not wait for a thread that is inside it, so the state a
 * callback reaches (struct ctl_capture) outlives the capture: its pool and file are released
 * once the "closed" flag is set under the lock, the struct itself joins the control
 * channel's retired list, freed when the channel is destroyed (no shard polls then).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mempool.h>
#include <rte_pcapng.h>
#include <rte_spinlock.h>

#include "ctl.h"

#define CAP_SNAPLEN 10240u
#define CAP_POOL    511u

struct ctl_capture {
	rte_spinlock_t lock;
	bool closed;
	rte_pcapng_t *pc;
	struct rte_mempool *mp;
	uint16_t ethdev, nq;
	uint16_t queue[URSA_MAX_SHARDS];
	const struct rte_eth_rxtx_callback *rxcb[URSA_MAX_SHARDS], *txcb[URSA_MAX_SHARDS];
	uint64_t limit, deadline_ns;
	uint64_t frames, rx, tx, failed; /* under the lock */
	struct ctl_capture *next_retired;
};

static void retire(struct ursad_ctl *ctl, struct ctl_capture *cap)
{
	struct ctl_capture **head = ctl_retired(ctl);

	cap->next_retired = *head;
	*head = cap;
}

void ctl_capture_free_retired(struct ctl_capture *list)
{
	while (list != NULL) {
		struct ctl_capture *next = list->next_retired;

		free(list);
		list = next;
	}
}

static void take(struct ctl_capture *cap, uint16_t port, uint16_t queue, struct rte_mbuf **pkts,
		 uint16_t n, enum rte_pcapng_direction dir)
{
	struct rte_mbuf *copies[URSA_BURST];
	uint16_t nc = 0;

	rte_spinlock_lock(&cap->lock);
	for (uint16_t i = 0; !cap->closed && i < n && cap->frames < cap->limit; i++) {
		struct rte_mbuf *c = rte_pcapng_copy(port, queue, pkts[i], cap->mp, CAP_SNAPLEN,
						     rte_get_tsc_cycles(), dir);

		if (c == NULL) {
			cap->failed++;
			continue;
		}
		copies[nc++] = c;
		cap->frames++;
		*(dir == RTE_PCAPNG_DIRECTION_IN ? &cap->rx : &cap->tx) += 1;
		if (nc == URSA_BURST) {
			if (rte_pcapng_write_packets(cap->pc, copies, nc) < 0)
				cap->failed += nc;
			rte_pktmbuf_free_bulk(copies, nc);
			nc = 0;
		}
	}
	if (nc && rte_pcapng_write_packets(cap->pc, copies, nc) < 0)
		cap->failed += nc;
	rte_pktmbuf_free_bulk(copies, nc);
	rte_spinlock_unlock(&cap->lock);
}

static uint16_t rx_cb(uint16_t port, uint16_t queue, struct rte_mbuf *pkts[], uint16_t n,
		      uint16_t max, void *arg)
{
	(void)max;
	take(arg, port, queue, pkts, n, RTE_PCAPNG_DIRECTION_IN);
	return n;
}

static uint16_t tx_cb(uint16_t port, uint16_t queue, struct rte_mbuf *pkts[], uint16_t n, void *arg)
{
	take(arg, port, queue, pkts, n, RTE_PCAPNG_DIRECTION_OUT);
	return n;
}

/* Remove the callbacks, then close under the lock: a callback still running finds it closed. */
static void cap_close(struct ctl_capture *cap)
{
	for (uint16_t q = 0; q < cap->nq; q++) {
		if (cap->rxcb[q])
			rte_eth_remove_rx_callback(cap->ethdev, cap->queue[q], cap->rxcb[q]);
		if (cap->txcb[q])
			rte_eth_remove_tx_callback(cap->ethdev, cap->queue[q], cap->txcb[q]);
	}
	rte_spinlock_lock(&cap->lock);
	cap->closed = true;
	if (cap->pc)
		rte_pcapng_close(cap->pc); /* closes the fd too */
	cap->pc = NULL;
	rte_mempool_free(cap->mp);
	cap->mp = NULL;
	rte_spinlock_unlock(&cap->lock);
}

static int add_callbacks(struct ursad_ctl *ctl, struct ctl_capture *cap, uint16_t port)
{
	for (uint16_t s = 0; s < ctl_nb_shards(ctl); s++) {
		const struct ursa_port *p = &ctl_shard(ctl, s)->ports[port];

		cap->queue[s] = p->queue;
		cap->nq = s + 1;
		cap->rxcb[s] = rte_eth_add_rx_callback(cap->ethdev, p->queue, rx_cb, cap);
		cap->txcb[s] = rte_eth_add_tx_callback(cap->ethdev, p->queue, tx_cb, cap);
		if (cap->rxcb[s] == NULL || cap->txcb[s] == NULL)
			return -ENOTSUP;
	}
	return 0;
}

int ctl_capture_start(struct ctl_req *r, uint16_t port, uint64_t count, uint64_t seconds)
{
	struct ursa_lcore *lc = ctl_shard(r->ctl, 0);
	const struct ursa_port *p = &lc->ports[port];
	struct ctl_capture *cap;
	char name[RTE_MEMPOOL_NAMESIZE];
	int rc;

	if (strcmp(p->ops->name, "ethdev") != 0)
		return ctl_err(r, "port %u is not an ethdev port: nothing to capture on", port);
	cap = calloc(1, sizeof(*cap));
	if (cap == NULL)
		return -ENOMEM;
	rte_spinlock_init(&cap->lock);
	cap->ethdev = p->ethdev;
	cap->limit = count;
	cap->deadline_ns = ursa_now(lc) + seconds * URSA_NS_PER_S;
	snprintf(name, sizeof(name), "ursa_cap%d", r->cl->fd);
	cap->mp = rte_pktmbuf_pool_create(name, CAP_POOL, 0, 0, rte_pcapng_mbuf_size(CAP_SNAPLEN),
					  (int)rte_socket_id());
	if (cap->mp == NULL) {
		free(cap);
		return ctl_err(r, "no memory for a capture pool: %s", rte_strerror(rte_errno));
	}
	cap->pc = rte_pcapng_fdopen(r->cl->passed_fd, NULL, NULL, "ursad", NULL);
	if (cap->pc == NULL) {
		rte_mempool_free(cap->mp);
		free(cap);
		return ctl_err(r, "cannot write pcapng: %s", rte_strerror(rte_errno));
	}
	r->cl->passed_fd = -1; /* the pcapng writer owns it now */
	if ((rc = add_callbacks(r->ctl, cap, port)) != 0) {
		cap_close(cap);
		retire(r->ctl, cap); /* a callback may have been added */
		return ctl_err(r, "cannot add Rx/Tx callbacks to port %u", port);
	}
	r->cl->capture = cap;
	r->cl->pending = true;
	return CTL_DEFER;
}

void ctl_capture_check(struct ursad_ctl *ctl, struct ctl_client *cl)
{
	struct ctl_capture *cap = cl->capture;
	char data[160];
	bool done;

	rte_spinlock_lock(&cap->lock);
	done = cap->frames >= cap->limit;
	rte_spinlock_unlock(&cap->lock);
	/* A client that hung up ends its capture (its socket is no wait source meanwhile). */
	if (recv(cl->fd, data, 1, MSG_PEEK | MSG_DONTWAIT) == 0) {
		ctl_capture_abort(cl);
		ctl_finish(ctl, cl, -ECONNRESET, NULL); /* drops the client: nobody reads */
		return;
	}
	if (!done && ursa_now(ctl_env(ctl)->lc) < cap->deadline_ns)
		return;
	cap_close(cap);
	retire(ctl, cap);
	cl->capture = NULL;
	snprintf(data, sizeof(data),
		 "{\"frames\": %" PRIu64 ", \"rx\": %" PRIu64 ", \"tx\": %" PRIu64
		 ", \"failed\": %" PRIu64 "}",
		 cap->frames, cap->rx, cap->tx, cap->failed);
	ctl_finish(ctl, cl, 0, data);
}

void ctl_capture_abort(struct ctl_client *cl)
{
	if (cl->capture == NULL)
		return;
	cap_close(cl->capture);
	retire(cl->ctl, cl->capture);
	cl->capture = NULL;
}
