/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Two whole ursa stacks (eth, arp, ip, udp, roce) in one process, each on its own lcore
 * context with its own interface, MAC and IPv4 address, joined by a pair of DPDK net_ring
 * ethdevs made with rte_eth_from_rings(): A transmits into ring 0, which B receives from, and
 * B transmits into ring 1, which A receives from. One thread drives both deterministically:
 * poll A, poll B, and when both are idle move both virtual clocks to the next timer.
 *
 * Each host has one RC QP connected to the other's and one MR over a buffer of two slots:
 * slot 0 holds data that leaves the host (SEND/WRITE source, READ source), slot 1 receives
 * (SEND/WRITE target, READ destination). Every slot is surrounded by RR_GUARD canary bytes.
 */
#ifndef TEST_ROCE_RING_H
#define TEST_ROCE_RING_H

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ring.h>

#include "roce_priv.h"
#include "roce_qp_up.h"
#include "ursa_arp.h"
#include "ursa_eth.h"
#include "ursa_ip.h"
#include "ursa_test.h"
#include "ursa_udp.h"

#define RR_MAX_MSG   (16u << 20)		 /* largest message */
#define RR_GUARD     64u			 /* canary bytes either side of a slot */
#define RR_SLOT	     (RR_MAX_MSG + 2 * RR_GUARD) /* one slot with its guards */
#define RR_BUF	     (2 * (size_t)RR_SLOT)	 /* slot 0 + slot 1 */
#define RR_CANARY    0xa5
#define RR_RING_SIZE 4096
#define RR_LINK_MTU  9000 /* the ring carries any frame; the RoCE path MTU is per QP */
#define RR_MBUFS     8191
#define RR_MAX_STEPS 20000000u /* bound on steps while waiting for one completion */

struct rr_host {
	struct ursa_lcore *lc;
	uint16_t port;
	uint16_t iface;
	struct ursa_ipaddr ip;
	struct ursa_roce_pd *pd;
	struct ursa_roce_cq *cq;
	struct ursa_roce_qp *qp;
	struct ursa_roce_mr *mr;
	uint8_t *mem;
};

struct rr_pair {
	struct rte_ring *ring[2]; /* ring i carries frames from host i to host !i */
	struct rr_host h[2];
	unsigned serial;
};

struct rr_conf {
	uint16_t path_mtu;
	uint64_t seed;
	const struct ursa_fault_conf *fault; /* NULL: a clean wire; else on both ports' Tx */
};

/* Start of slot s (0 or 1) of host h, past its leading guard. */
static inline uint8_t *rr_slot(struct rr_host *h, int s)
{
	return h->mem + (size_t)s * RR_SLOT + RR_GUARD;
}

/* The ethdev pair: one ring each way, each end an ethdev named after this pair. */
static inline int rr_rings(struct rr_pair *p, char names[2][RTE_ETH_NAME_MAX_LEN])
{
	for (int i = 0; i < 2; i++) {
		char rn[32];

		snprintf(rn, sizeof(rn), "rr%u_%c", p->serial, 'a' + i);
		p->ring[i] = rte_ring_create(rn, RR_RING_SIZE, SOCKET_ID_ANY,
					     RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (p->ring[i] == NULL)
			return -ENOMEM;
	}
	for (int i = 0; i < 2; i++) {
		char dn[32];
		int pid;

		/* the ethdev is named "net_ring_" + dn: ursa opens it by that name */
		snprintf(dn, sizeof(dn), "rr%u_%c", p->serial, 'a' + i);
		pid = rte_eth_from_rings(dn, &p->ring[!i], 1, &p->ring[i], 1, SOCKET_ID_ANY);
		if (pid < 0 || rte_eth_dev_get_name_by_port((uint16_t)pid, names[i]) != 0)
			return -ENODEV;
	}
	return 0;
}

static inline void rr_host_up(struct rr_pair *p, int i, const char *ethdev, const struct rr_conf *c)
{
	static const struct rte_ether_addr macs[2] = {URSA_TEST_MAC, URSA_TEST_PEER_MAC};
	struct rr_host *h = &p->h[i];
	char name[32], a[32];
	struct ursa_lcore_conf lconf = {
		.nb_mbufs = RR_MBUFS,
		.max_timers = 1024,
		.seed = c->seed * 2 + (uint64_t)i,
		.virtual_clock = true,
		.virtual_start_ns = URSA_TEST_T0,
		.name = name,
	};
	struct ursa_iface_conf ic = {.tenant = 1, .mac = &macs[i], .no_linklocal = true};

	snprintf(name, sizeof(name), "rr%u%c", p->serial, 'a' + i);
	CU_ASSERT_FATAL(ursa_lcore_create(&lconf, &h->lc) == 0);
	CU_ASSERT_FATAL(ursa_port_open_ethdev(h->lc, ethdev, RR_LINK_MTU, &h->port) == 0);
	CU_ASSERT_FATAL(h->lc->ports[h->port].mtu == RR_LINK_MTU);
	CU_ASSERT_FATAL(ursa_eth_init(h->lc) == 0);
	CU_ASSERT_FATAL(ursa_arp_init(h->lc) == 0);
	CU_ASSERT_FATAL(ursa_ip_init(h->lc) == 0);
	CU_ASSERT_FATAL(ursa_udp_init(h->lc) == 0);
	CU_ASSERT_FATAL(ursa_roce_init(h->lc) == 0);
	ic.port = h->port;
	CU_ASSERT_FATAL(ursa_iface_add(h->lc, &ic, &h->iface) == 0);
	snprintf(a, sizeof(a), "10.44.0.%d", i + 1);
	CU_ASSERT_FATAL(ursa_ipaddr_parse(a, &h->ip, NULL) == 0);
	CU_ASSERT_FATAL(ursa_iface_addr_add(h->lc, h->iface, &h->ip, 24) == 0);
	h->mem = malloc(RR_BUF);
	CU_ASSERT_FATAL(h->mem != NULL);
	memset(h->mem, RR_CANARY, RR_BUF);
	if (c->fault != NULL) {
		struct ursa_fault_conf f = *c->fault;

		f.seed += (uint64_t)i;
		CU_ASSERT_FATAL(
			ursa_port_set_fault(h->lc, &h->lc->ports[h->port], URSA_DIR_TX, &f) == 0);
	}
}

static inline void rr_qp_connect(struct rr_pair *p, uint16_t path_mtu)
{
	const unsigned all = URSA_RDMA_ACCESS_LOCAL_WRITE | URSA_RDMA_ACCESS_REMOTE_WRITE |
			     URSA_RDMA_ACCESS_REMOTE_READ | URSA_RDMA_ACCESS_REMOTE_ATOMIC;
	struct ursa_rdma_qp_cap cap = {64, 64, 1, 1};

	for (int i = 0; i < 2; i++) {
		struct rr_host *h = &p->h[i];

		CU_ASSERT_FATAL(ursa_roce_pd_alloc(h->lc, &h->pd) == 0);
		CU_ASSERT_FATAL(ursa_roce_cq_create(h->lc, 256, &h->cq) == 0);
		CU_ASSERT_FATAL(ursa_roce_qp_create(h->pd, h->cq, h->cq, &cap, false, &h->qp) == 0);
		CU_ASSERT_FATAL(ursa_roce_mr_reg(h->pd, h->mem, RR_BUF, all, &h->mr) == 0);
	}
	for (int i = 0; i < 2; i++) {
		struct rr_host *h = &p->h[i], *o = &p->h[!i];
		struct roce_qp_up u = {
			.local = &h->ip,
			.remote = &o->ip,
			.iface = h->iface,
			.tenant = 1,
			.access = all & ~URSA_RDMA_ACCESS_LOCAL_WRITE,
			.path_mtu = path_mtu,
			.dest_qpn = ursa_roce_qp_num(o->qp),
			.rq_psn =
				0xfffff0u - 100u * (unsigned)!i, /* both PSN spaces wrap early on */
			.sq_psn = 0xfffff0u - 100u * (unsigned)i,
			.max_dest_rd_atomic = 4,
			.max_rd_atomic = 4,
			.min_rnr_timer = 1,
			.timeout = 12, /* 16.8 ms on the virtual clock */
			.retry_cnt = 7,
			.rnr_retry = 7,
		};

		CU_ASSERT_FATAL(roce_qp_up(h->qp, &u) == 0);
	}
}

/* Tear down whatever rr_open built (also after a fatal assertion left it half done). */
static inline void rr_close(struct rr_pair *p)
{
	void *m;

	for (int i = 0; i < 2; i++) {
		struct rr_host *h = &p->h[i];

		if (h->lc == NULL)
			continue;
		/* held fault frames go back to their own pool first */
		if (h->lc->nb_ports > 0)
			ursa_port_set_fault(h->lc, &h->lc->ports[h->port], URSA_DIR_TX, NULL);
		if (h->qp != NULL)
			ursa_roce_qp_destroy(h->qp);
		if (h->mr != NULL)
			ursa_roce_mr_dereg(h->mr);
		if (h->cq != NULL)
			ursa_roce_cq_destroy(h->cq);
		if (h->pd != NULL)
			ursa_roce_pd_free(h->pd);
	}
	for (int i = 0; i < 2; i++)
		while (p->ring[i] != NULL && rte_ring_dequeue(p->ring[i], &m) == 0)
			rte_pktmbuf_free(m);
	for (int i = 0; i < 2; i++) {
		if (p->h[i].lc != NULL)
			ursa_lcore_destroy(p->h[i].lc);
		free(p->h[i].mem);
	}
	for (int i = 0; i < 2; i++)
		rte_ring_free(p->ring[i]);
	memset(p, 0, sizeof(*p));
}

static inline void rr_open(struct rr_pair *p, const struct rr_conf *c)
{
	static unsigned serial; /* unique ring, ethdev and mempool names in this process */
	char names[2][RTE_ETH_NAME_MAX_LEN];

	rr_close(p); /* what a failed test left behind */
	p->serial = serial++;
	ursa_test_eal();
	CU_ASSERT_FATAL(rr_rings(p, names) == 0);
	for (int i = 0; i < 2; i++)
		rr_host_up(p, i, names[i], c);
	rr_qp_connect(p, c->path_mtu);
}

static inline bool rr_busy(struct rr_pair *p)
{
	for (int i = 0; i < 2; i++)
		if (rte_ring_count(p->ring[i]) > 0 || !TAILQ_EMPTY(&p->h[i].lc->roce->busy))
			return true;
	return false;
}

/* One step: poll A, poll B; when neither did anything and nothing is in flight, move both
 * virtual clocks to the earliest timer (or held fault frame). False when nothing is left
 * to happen at all. */
static inline bool rr_step(struct rr_pair *p)
{
	unsigned work = ursa_lcore_poll(p->h[0].lc) + ursa_lcore_poll(p->h[1].lc);
	uint64_t next;

	if (work > 0 || rr_busy(p))
		return true;
	next = RTE_MIN(ursa_lcore_idle_budget(p->h[0].lc), ursa_lcore_idle_budget(p->h[1].lc));
	if (next == UINT64_MAX)
		return false;
	ursa_clock_advance(&p->h[0].lc->clock, next ? next : 1);
	ursa_clock_advance(&p->h[1].lc->clock, next ? next : 1);
	return true;
}

/* Step until host i has a completion; false when none comes. */
static inline bool rr_wait_wc(struct rr_pair *p, int i, struct ursa_rdma_wc *wc)
{
	for (unsigned k = 0; k < RR_MAX_STEPS; k++) {
		if (ursa_roce_cq_poll(p->h[i].cq, wc, 1) == 1)
			return true;
		if (!rr_step(p))
			return ursa_roce_cq_poll(p->h[i].cq, wc, 1) == 1;
	}
	return false;
}

/* A frame still held back by a fault injector (for reorder or delay). */
static inline bool rr_held(struct rr_pair *p)
{
	for (int i = 0; i < 2; i++) {
		const struct ursa_fault_counters *f =
			ursa_port_fault_counters(&p->h[i].lc->ports[p->h[i].port], URSA_DIR_TX);

		if (f != NULL && f->out != f->in - f->dropped + f->duplicated)
			return true;
	}
	return false;
}

/* Step until nothing moves and no timer is due within `ns` of virtual time, and no frame is
 * still held back (the last step may have moved the clock just past `end`). */
static inline void rr_settle(struct rr_pair *p, uint64_t ns)
{
	uint64_t end = ursa_now(p->h[0].lc) + ns;

	for (unsigned k = 0; k < RR_MAX_STEPS && (ursa_now(p->h[0].lc) < end || rr_held(p)); k++)
		if (!rr_step(p))
			break;
}

/* Port and fault counters of host i's ring port. */
static inline const struct ursa_port_counters *rr_port_c(struct rr_pair *p, int i)
{
	return &p->h[i].lc->ports[p->h[i].port].c;
}

static inline const struct ursa_fault_counters *rr_fault_c(struct rr_pair *p, int i)
{
	return ursa_port_fault_counters(&p->h[i].lc->ports[p->h[i].port], URSA_DIR_TX);
}

static inline uint64_t rr_counter(struct rr_pair *p, int i, const char *block, const char *name)
{
	return ursa_test_counter(p->h[i].lc, block, name);
}

#endif /* TEST_ROCE_RING_H */
