/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-lcore context and its run-to-completion poll:
 *   commands from the stack (a shard's safe point, ursa_stack.h)
 *   -> frames handed over by other shards (dispatch.c) -> Rx burst per port
 *   -> Rx fault injection -> lc->rx_handler (eth) -> expired timers -> poll hooks
 *   -> Tx fault release and flush per port.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "core_priv.h"

#define LCORE_DEFAULT_MBUFS  8191
#define LCORE_DEFAULT_TIMERS 65536

static void drop_rx(struct ursa_lcore *lc, struct ursa_port *p, struct rte_mbuf **pkts, uint16_t n)
{
	(void)lc;
	(void)p;
	rte_pktmbuf_free_bulk(pkts, n);
}

/* Seeded: both generators from conf->seed, so a replay is deterministic. Otherwise both from
 * the kernel: no seed given means nothing a peer could reproduce. */
static int lcore_seed(struct ursa_lcore *lc, const struct ursa_lcore_conf *conf)
{
	int rc;

	if (conf->seeded) {
		ursa_rng_seed(&lc->rng, conf->seed);
		return ursa_secret_init_seed(&lc->secret, conf->seed);
	}
	if ((rc = ursa_rng_seed_os(&lc->rng)) != 0)
		return rc;
	return ursa_secret_init_os(&lc->secret);
}

int ursa_lcore_create(const struct ursa_lcore_conf *conf, struct ursa_lcore **out)
{
	struct ursa_lcore *lc;
	char name[RTE_MEMPOOL_NAMESIZE];
	unsigned nb = conf->nb_mbufs ? conf->nb_mbufs : LCORE_DEFAULT_MBUFS;
	unsigned room = conf->mbuf_size ? conf->mbuf_size : RTE_MBUF_DEFAULT_BUF_SIZE;
	int rc;

	if (room > UINT16_MAX || conf->shard >= (conf->nb_shards ? conf->nb_shards : 1))
		return -EINVAL;
	lc = calloc(1, sizeof(*lc));
	if (lc == NULL)
		return -ENOMEM;
	lc->lcore_id = conf->lcore_id;
	lc->nb_shards = conf->nb_shards ? conf->nb_shards : 1;
	lc->shard = conf->shard;
	lc->logtype = rte_log_register_type_and_pick_level("ursa", RTE_LOG_NOTICE);
	if (lc->logtype < 0)
		lc->logtype = RTE_LOGTYPE_USER1;
	if (conf->virtual_clock)
		ursa_clock_init_virtual(&lc->clock, conf->virtual_start_ns);
	else
		ursa_clock_init_real(&lc->clock);
	rc = lcore_seed(lc, conf);
	if (rc)
		goto err_free;
	rc = ursa_timer_heap_init(&lc->timers,
				  conf->max_timers ? conf->max_timers : LCORE_DEFAULT_TIMERS);
	if (rc)
		goto err_free;
	snprintf(name, sizeof(name), "ursa_%s_%u", conf->name ? conf->name : "mb", conf->lcore_id);
	lc->pool = rte_pktmbuf_pool_create(
		name, nb, nb >= 512 ? 256 : 0,
		RTE_ALIGN(sizeof(struct ursa_pkt_meta), RTE_MBUF_PRIV_ALIGN), (uint16_t)room,
		(int)rte_socket_id());
	if (lc->pool == NULL) {
		rc = -ENOMEM;
		goto err_timers;
	}
	rc = quota_init(lc, nb, conf->hold_pct);
	if (rc)
		goto err_pool;
	rc = wait_init(lc);
	if (rc)
		goto err_pool;
	lc->rx_handler = drop_rx;
	*out = lc;
	return 0;

err_pool:
	rte_mempool_free(lc->pool);
err_timers:
	ursa_timer_heap_fini(&lc->timers);
err_free:
	ursa_secret_wipe(&lc->secret);
	free(lc);
	return rc;
}

void ursa_lcore_destroy(struct ursa_lcore *lc)
{
	if (lc == NULL)
		return;
	while (lc->nb_fini_hooks > 0)
		lc->fini_hooks[--lc->nb_fini_hooks](lc);
	wait_fini(lc); /* closes its epoll fd before the ports' interrupt fds go */
	dispatch_fini(lc);
	port_close_all(lc);
	ursa_timer_heap_fini(&lc->timers);
	rte_mempool_free(lc->pool);
	ursa_secret_wipe(&lc->secret);
	free(lc);
}

int ursa_lcore_add_poll_hook(struct ursa_lcore *lc, ursa_poll_hook_t fn, void *arg)
{
	if (lc->nb_poll_hooks == URSA_MAX_HOOKS)
		return -ENOSPC;
	lc->poll_hooks[lc->nb_poll_hooks].fn = fn;
	lc->poll_hooks[lc->nb_poll_hooks].arg = arg;
	lc->nb_poll_hooks++;
	return 0;
}

int ursa_lcore_add_fini_hook(struct ursa_lcore *lc, ursa_fini_hook_t fn)
{
	if (lc->nb_fini_hooks == URSA_MAX_HOOKS)
		return -ENOSPC;
	lc->fini_hooks[lc->nb_fini_hooks++] = fn;
	return 0;
}

struct rte_mbuf *ursa_pkt_alloc(struct ursa_lcore *lc)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(lc->pool);

	if (m != NULL)
		memset(ursa_pkt_meta(m), 0, sizeof(struct ursa_pkt_meta));
	return m;
}

/* Frames leaving the Rx fault injector are staged and handed up in bursts. */
struct rx_stage {
	struct ursa_lcore *lc;
	struct ursa_port *p;
	uint16_t n;
	struct rte_mbuf *v[URSA_BURST];
};

static void stage_flush(struct rx_stage *s)
{
	if (s->n) {
		s->lc->rx_handler(s->lc, s->p, s->v, s->n);
		s->n = 0;
	}
}

static void stage_push(void *arg, struct rte_mbuf *m)
{
	struct rx_stage *s = arg;

	if (s->n == URSA_BURST)
		stage_flush(s);
	s->v[s->n++] = m;
}

void ursa_lcore_input(struct ursa_lcore *lc, struct ursa_port *p, struct rte_mbuf **pkts,
		      uint16_t n)
{
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		m->port = p->index;
		memset(ursa_pkt_meta(m), 0, sizeof(struct ursa_pkt_meta));
		ursa_pkt_meta(m)->rx_off = m->data_off;
		ursa_pkt_meta(m)->rx_flags = URSA_RX_FROM_PORT;
		p->c.rx_pkts++;
		p->c.rx_bytes += rte_pktmbuf_pkt_len(m);
	}
	if (p->fault[URSA_DIR_RX]) {
		struct rx_stage s = {.lc = lc, .p = p};
		uint64_t now = ursa_now(lc);

		for (uint16_t i = 0; i < n; i++)
			fault_apply(p->fault[URSA_DIR_RX], now, pkts[i], stage_push, &s);
		stage_flush(&s);
	} else if (n) {
		lc->rx_handler(lc, p, pkts, n);
	}
}

unsigned ursa_lcore_poll(struct ursa_lcore *lc)
{
	struct rte_mbuf *pkts[URSA_BURST];
	unsigned work = 0;

	/* Changes to the stack land here, before any frame of this pass is looked at. */
	if (lc->stack != NULL)
		work += stack_cmd_drain(lc);
	work += dispatch_drain(lc);
	for (uint16_t i = 0; i < lc->nb_ports; i++) {
		struct ursa_port *p = &lc->ports[i];
		uint16_t n;

		if (p->fault[URSA_DIR_RX]) {
			struct rx_stage s = {.lc = lc, .p = p};

			work += fault_drain(p->fault[URSA_DIR_RX], ursa_now(lc), stage_push, &s);
			stage_flush(&s);
		}
		n = p->ops->rx_burst(p, pkts, URSA_BURST);
		if (n) {
			ursa_lcore_input(lc, p, pkts, n);
			work += n;
		}
	}
	work += ursa_timer_run(lc);
	for (unsigned i = 0; i < lc->nb_poll_hooks; i++)
		work += lc->poll_hooks[i].fn(lc, lc->poll_hooks[i].arg);
	for (uint16_t i = 0; i < lc->nb_ports; i++)
		work += ursa_port_flush(lc, &lc->ports[i]);
	return work;
}

uint64_t ursa_lcore_idle_budget(struct ursa_lcore *lc)
{
	uint64_t next = ursa_timer_next(lc);
	uint64_t now = ursa_now(lc);

	if (dispatch_pending(lc) > 0)
		return 0; /* frames handed over by another shard wait */
	for (uint16_t i = 0; i < lc->nb_ports; i++)
		if (ursa_port_mem_rx_pending(&lc->ports[i]) > 0)
			return 0; /* a burst is still queued: not idle */
	if (lc->stack != NULL && stack_cmd_pending(lc))
		return 0; /* commands wait to be applied */
	for (uint16_t i = 0; i < lc->nb_ports; i++)
		for (int d = 0; d < URSA_DIR_MAX; d++)
			if (lc->ports[i].fault[d]) {
				uint64_t t = fault_next(lc->ports[i].fault[d]);

				if (t < next)
					next = t;
			}
	if (next == UINT64_MAX)
		return UINT64_MAX;
	return next > now ? next - now : 0;
}
