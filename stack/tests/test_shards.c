/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One stack, many shards (issue 8): every ID space is partitioned by shard, and a frame that
 * lands on a shard that does not own its flow is handed to the owner.
 *
 * ids:   the QPNs, memory keys, TCP ephemeral ports and socket handles a shard hands out are
 *        its own (id % nb_shards == shard); a lone lcore numbers handles as before.
 * flows: two hosts of 1, 2, then 4 shards each, in one process on virtual clocks, joined by
 *        memory ports with a software RSS (ursa_port_mem_rss: Toeplitz, unrelated to how
 *        ursa picks ports and QPNs). Each side opens NCONN TCP connections to the other's
 *        listener (one per shard, port 5001) and sends a patterned stream, and NQP RC QP
 *        pairs spread over the shards WRITE to each other. Asserted: every stream arrives
 *        whole and in order, every WRITE lands and completes, nothing is retransmitted, and
 *        on each side the frames dispatched equal exactly the frames that the RSS put on a
 *        shard that does not own their flow (TCP replies to an ephemeral port, RoCE by
 *        DestQP), every one of them received by its owner, none dropped.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "roce_qp_up.h"
#include "ursa_arp.h"
#include "ursa_eth.h"
#include "ursa_ip.h"
#include "ursa_sock.h"
#include "ursa_tcp.h"
#include "ursa_test.h"
#include "ursa_udp.h"

#define MAX_SHARDS 4
#define POOL	   4095u

struct side {
	unsigned n;
	struct ursa_lcore *lc[MAX_SHARDS];
	uint16_t ifc;
	struct ursa_ipaddr a;
	struct rte_ether_addr mac;
};

static struct ursa_ipaddr addr(const char *s)
{
	struct ursa_ipaddr a;

	CU_ASSERT_FATAL(ursa_ipaddr_parse(s, &a, NULL) == 0);
	return a;
}

/* Shard k of n of host idx: the same port, interface and address on every shard (what the
 * stack-wide state will hold once), generators seeded per shard. */
static struct ursa_lcore *shard_up(struct side *s, unsigned idx, unsigned k)
{
	char name[32];
	struct ursa_lcore_conf conf = {.nb_mbufs = POOL,
				       .seeded = true,
				       .seed = 1000u * idx + 10u * s->n + k,
				       .virtual_clock = true,
				       .virtual_start_ns = URSA_TEST_T0,
				       .name = name,
				       .shard = (uint16_t)k,
				       .nb_shards = (uint16_t)s->n};
	struct ursa_iface_conf ic = {.port = 0, .tenant = 1, .mac = &s->mac, .no_linklocal = true};
	struct ursa_tcp_conf tc;
	struct ursa_lcore *lc;
	uint16_t port, ifc;

	snprintf(name, sizeof(name), "sh%u_%u_%u", idx, s->n, k);
	CU_ASSERT_FATAL(ursa_lcore_create(&conf, &lc) == 0);
	CU_ASSERT_FATAL(ursa_port_open_mem(lc, &s->mac, 1500, &port) == 0);
	CU_ASSERT_FATAL(ursa_eth_init(lc) == 0 && ursa_arp_init(lc) == 0);
	CU_ASSERT_FATAL(ursa_ip_init(lc) == 0 && ursa_udp_init(lc) == 0);
	CU_ASSERT_FATAL(ursa_tcp_init(lc) == 0 && ursa_roce_init(lc) == 0);
	ursa_tcp_conf_default(&tc);
	tc.sndbuf = tc.rcvbuf = 16384; /* thousands of connections per side */
	CU_ASSERT_FATAL(ursa_tcp_set_conf(lc, &tc) == 0);
	CU_ASSERT_FATAL(ursa_iface_add(lc, &ic, &ifc) == 0);
	CU_ASSERT_FATAL(ursa_iface_addr_add(lc, ifc, &s->a, 24) == 0);
	s->ifc = ifc;
	return lc;
}

static void side_up(struct side *s, unsigned idx, unsigned n)
{
	char a[32];

	memset(s, 0, sizeof(*s));
	s->n = n;
	s->mac = (struct rte_ether_addr){{0x02, 0, 0, 0, 0, (uint8_t)(idx + 1)}};
	snprintf(a, sizeof(a), "10.0.0.%u", idx + 1);
	s->a = addr(a);
	for (unsigned k = 0; k < n; k++)
		s->lc[k] = shard_up(s, idx, k);
	if (n > 1)
		CU_ASSERT_FATAL(ursa_lcore_link_shards(s->lc, n) == 0);
}

static void side_down(struct side *s)
{
	for (unsigned k = 0; k < s->n; k++)
		ursa_lcore_destroy(s->lc[k]);
}

/* ---- ids ---- */

static void ids_of_shard(struct ursa_lcore *lc, uint16_t ifc, const struct ursa_ipaddr *peer)
{
	struct ursa_rdma_qp_cap cap = {4, 4, 1, 1};
	struct ursa_roce_pd *pd;
	struct ursa_roce_cq *cq;
	struct ursa_roce_qp *qp[32];
	struct ursa_roce_mr *mr[32];
	struct ursa_tcp_pcb *c[32];
	static uint8_t mem[64];
	int fd[8];

	CU_ASSERT_FATAL(ursa_roce_pd_alloc(lc, &pd) == 0);
	CU_ASSERT_FATAL(ursa_roce_cq_create(lc, 64, &cq) == 0);
	for (unsigned i = 0; i < 32; i++) {
		uint16_t port;

		CU_ASSERT_FATAL(ursa_roce_qp_create(pd, cq, cq, &cap, false, &qp[i]) == 0);
		CU_ASSERT_EQUAL(ursa_roce_qp_num(qp[i]) % lc->nb_shards, lc->shard);
		CU_ASSERT(ursa_roce_qp_num(qp[i]) >= 2);
		CU_ASSERT_FATAL(ursa_roce_mr_reg(pd, mem, sizeof(mem),
						 URSA_RDMA_ACCESS_REMOTE_WRITE |
							 URSA_RDMA_ACCESS_LOCAL_WRITE,
						 &mr[i]) == 0);
		CU_ASSERT_EQUAL(ursa_roce_mr_rkey(mr[i]) % lc->nb_shards, lc->shard);
		/* active open (RFC 6056 algorithm 3) and bind to port 0 (random) */
		CU_ASSERT_FATAL(ursa_tcp_create(lc, 1, ifc, AF_INET, &c[i]) == 0);
		if (i % 2 == 0) {
			CU_ASSERT_FATAL(ursa_tcp_connect(lc, c[i], peer, 5001) == 0);
		} else {
			CU_ASSERT_FATAL(ursa_tcp_bind(lc, c[i], NULL, 0) == 0);
		}
		CU_ASSERT_FATAL(ursa_tcp_local(c[i], NULL, &port) == 0);
		CU_ASSERT(port >= 32768 && port <= 60999);
		CU_ASSERT_EQUAL(port % lc->nb_shards, lc->shard);
	}
	for (unsigned i = 0; i < 8; i++) {
		fd[i] = ursa_socket(lc, AF_INET, SOCK_STREAM, 0);
		CU_ASSERT_FATAL(fd[i] >= 0);
		CU_ASSERT_EQUAL((unsigned)fd[i], i * lc->nb_shards + lc->shard);
	}
	/* another shard's handle is not this shard's socket */
	if (lc->nb_shards > 1)
		CU_ASSERT_EQUAL(ursa_close(lc, fd[0] + 1), -EBADF);
	for (unsigned i = 0; i < 8; i++)
		CU_ASSERT_EQUAL(ursa_close(lc, fd[i]), 0);
	for (unsigned i = 0; i < 32; i++) {
		ursa_tcp_abort(lc, c[i]);
		ursa_roce_qp_destroy(qp[i]);
		ursa_roce_mr_dereg(mr[i]);
	}
	ursa_roce_cq_destroy(cq);
	ursa_roce_pd_free(pd);
	ursa_test_tx_drain(lc);
}

static void test_ids(void)
{
	struct ursa_ipaddr peer = addr("10.0.0.9");
	struct rte_ether_addr pm = URSA_TEST_PEER_MAC;

	for (unsigned n = 1; n <= MAX_SHARDS; n *= 2) {
		struct side s;

		side_up(&s, 0, n);
		for (unsigned k = 0; k < n; k++) {
			CU_ASSERT_FATAL(ursa_neigh_add_static(s.lc[k],
							      ursa_iface_get(s.lc[k], s.ifc), &peer,
							      &pm) == 0);
			ids_of_shard(s.lc[k], s.ifc, &peer);
		}
		side_down(&s);
	}
}

/* ---- flows ---- */

#define NCONN	 1024u /* TCP connections opened by each side */
#define NQP	 128u  /* QP pairs; even ones WRITE from side 0, odd from side 1 */
#define QP_MSG	 8192u
#define DT_NS	 10000ull
#define WAVE	 32u /* connections opened per step per side */
#define LPORT	 5001
#define MAXSTEPS 400000u

static uint8_t pat(uint16_t port, size_t j)
{
	return (uint8_t)(port * 31u + j * 7u + (j >> 8));
}

static size_t stream_len(uint16_t port)
{
	return 2000u + (port % 5u) * 1500u;
}

struct client {
	struct ursa_tcp_pcb *pcb;
	unsigned k;
	uint16_t port;
	size_t sent;
	bool closed;
};

struct server {
	struct ursa_tcp_pcb *pcb;
	unsigned k;
	uint16_t port; /* the client's */
	size_t got;
	bool done;
};

struct host {
	struct side s;
	struct ursa_tcp_pcb *lst[MAX_SHARDS];
	struct client cl[NCONN];
	struct server sv[NCONN];
	unsigned opened, nsv, served, bad_bytes;
	uint64_t frames_in, landed_wrong; /* frames injected into this host; on a non-owner */
	uint64_t wrong_tcp, wrong_roce;	  /* the latter by kind */
	uint64_t ip4_in, tcp_in, udp_in;  /* frames injected, by protocol */
	/* RDMA: per shard one PD, CQ and MR over its own memory */
	struct ursa_roce_pd *pd[MAX_SHARDS];
	struct ursa_roce_cq *cq[MAX_SHARDS];
	struct ursa_roce_mr *mr[MAX_SHARDS];
	uint8_t *mem[MAX_SHARDS];
	struct ursa_roce_qp *qp[NQP];
	unsigned qk[NQP], wc_ok, wc_bad;
};

static struct host H[2];

/* The shard that owns the flow of frame f arriving at host h, or -1 when the flow stays on
 * the shard it lands on (a passive TCP connection, anything else). */
static int owner_of(const struct host *h, struct rte_mbuf *m)
{
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
	const uint8_t *l4 = f + 14 + (f[14] & 0xf) * 4;
	uint16_t dport = (uint16_t)(l4[2] << 8 | l4[3]);

	if (f[12] != 0x08 || f[13] != 0x00)
		return -1;
	if (f[14 + 9] == IPPROTO_TCP)
		return dport >= 32768 && dport <= 60999 ? (int)(dport % h->s.n) : -1;
	if (f[14 + 9] == IPPROTO_UDP && dport == 4791 /* RoCEv2 */) {
		uint32_t qpn = (uint32_t)l4[8 + 5] << 16 | (uint32_t)l4[8 + 6] << 8 | l4[8 + 7];

		return qpn >= 2 ? (int)(qpn % h->s.n) : -1;
	}
	return -1;
}

/* Poll every shard of both hosts once, then carry each transmitted frame to the receive
 * queue the other host's RSS picks for it. Returns frames carried. */
static unsigned carry(void)
{
	struct rte_mbuf *v[URSA_BURST];
	unsigned moved = 0;

	for (unsigned i = 0; i < 2; i++)
		for (unsigned k = 0; k < H[i].s.n; k++)
			ursa_lcore_poll(H[i].s.lc[k]);
	for (unsigned i = 0; i < 2; i++) {
		struct host *to = &H[!i];

		for (unsigned k = 0; k < H[i].s.n; k++) {
			unsigned n;

			while ((n = ursa_port_mem_take(&H[i].s.lc[k]->ports[0], v, URSA_BURST)) > 0)
				for (unsigned j = 0; j < n; j++) {
					unsigned q = ursa_port_mem_rss(v[j], to->s.n);
					int o = owner_of(to, v[j]);

					bool wrong = o >= 0 && (unsigned)o != q;
					const uint8_t *f = rte_pktmbuf_mtod(v[j], const uint8_t *);

					to->frames_in++;
					if (f[12] == 0x08 && f[13] == 0x00) {
						to->ip4_in++;
						to->tcp_in += f[14 + 9] == IPPROTO_TCP;
						to->udp_in += f[14 + 9] == IPPROTO_UDP;
					}
					to->landed_wrong += wrong;
					to->wrong_tcp += wrong && f[14 + 9] == IPPROTO_TCP;
					to->wrong_roce += wrong && f[14 + 9] == IPPROTO_UDP;
					CU_ASSERT(ursa_port_mem_inject(&to->s.lc[q]->ports[0],
								       &v[j], 1) == 0);
					moved++;
				}
		}
	}
	return moved;
}

/* Time moves for every shard alike: DT_NS per busy step, else to the next timer. */
static bool tick(unsigned moved)
{
	uint64_t next = DT_NS;

	if (moved == 0) {
		next = UINT64_MAX;
		for (unsigned i = 0; i < 2; i++)
			for (unsigned k = 0; k < H[i].s.n; k++)
				next = RTE_MIN(next, ursa_lcore_idle_budget(H[i].s.lc[k]));
		if (next == UINT64_MAX)
			return false;
		next = RTE_MAX(next, 1ull);
	}
	for (unsigned i = 0; i < 2; i++)
		for (unsigned k = 0; k < H[i].s.n; k++)
			ursa_clock_advance(&H[i].s.lc[k]->clock, next);
	return true;
}

static void clients_step(struct host *h, const struct host *peer)
{
	for (unsigned w = 0; w < WAVE && h->opened < NCONN; w++) {
		struct client *c = &h->cl[h->opened];

		c->k = h->opened % h->s.n;
		CU_ASSERT_FATAL(ursa_tcp_create(h->s.lc[c->k], 1, h->s.ifc, AF_INET, &c->pcb) == 0);
		CU_ASSERT_FATAL(ursa_tcp_connect(h->s.lc[c->k], c->pcb, &peer->s.a, LPORT) == 0);
		CU_ASSERT_FATAL(ursa_tcp_local(c->pcb, NULL, &c->port) == 0);
		h->opened++;
	}
	for (unsigned i = 0; i < h->opened; i++) {
		struct client *c = &h->cl[i];
		struct ursa_lcore *lc = h->s.lc[c->k];
		size_t len = stream_len(c->port);
		uint8_t buf[2048];

		if (c->closed || ursa_tcp_get_state(c->pcb) != URSA_TCP_ESTABLISHED)
			continue;
		while (c->sent < len) {
			size_t n = RTE_MIN(sizeof(buf), len - c->sent);
			ssize_t r;

			for (size_t j = 0; j < n; j++)
				buf[j] = pat(c->port, c->sent + j);
			r = ursa_tcp_send(lc, c->pcb, buf, n, 0);
			if (r <= 0)
				break;
			c->sent += (size_t)r;
		}
		if (c->sent == len) {
			CU_ASSERT(ursa_tcp_close(lc, c->pcb) == 0);
			c->closed = true;
		}
	}
}

static void servers_step(struct host *h)
{
	uint8_t buf[4096];

	for (unsigned k = 0; k < h->s.n; k++) {
		struct ursa_tcp_pcb *p;

		while (h->nsv < NCONN && ursa_tcp_accept(h->s.lc[k], h->lst[k], &p) == 0) {
			struct server *v = &h->sv[h->nsv++];

			v->pcb = p;
			v->k = k;
			CU_ASSERT(ursa_tcp_peer(p, NULL, &v->port) == 0);
		}
	}
	for (unsigned i = 0; i < h->nsv; i++) {
		struct server *v = &h->sv[i];
		struct ursa_lcore *lc = h->s.lc[v->k];
		ssize_t r;

		while (!v->done && (r = ursa_tcp_recv(lc, v->pcb, buf, sizeof(buf), 0)) >= 0) {
			if (r == 0) { /* the client's FIN: the stream is complete */
				h->bad_bytes += v->got != stream_len(v->port);
				v->done = true;
				h->served++;
				ursa_tcp_close(lc, v->pcb);
				break;
			}
			for (ssize_t j = 0; j < r; j++)
				h->bad_bytes += buf[j] != pat(v->port, v->got + (size_t)j);
			v->got += (size_t)r;
		}
	}
}

static void rdma_up(void)
{
	const unsigned acc = URSA_RDMA_ACCESS_LOCAL_WRITE | URSA_RDMA_ACCESS_REMOTE_WRITE;
	struct ursa_rdma_qp_cap cap = {4, 4, 1, 1};

	for (unsigned i = 0; i < 2; i++)
		for (unsigned k = 0; k < H[i].s.n; k++) {
			struct ursa_lcore *lc = H[i].s.lc[k];

			H[i].mem[k] = calloc(NQP, QP_MSG);
			CU_ASSERT_FATAL(H[i].mem[k] != NULL);
			CU_ASSERT_FATAL(ursa_roce_pd_alloc(lc, &H[i].pd[k]) == 0);
			CU_ASSERT_FATAL(ursa_roce_cq_create(lc, 4 * NQP, &H[i].cq[k]) == 0);
			CU_ASSERT_FATAL(ursa_roce_mr_reg(H[i].pd[k], H[i].mem[k],
							 (uint64_t)NQP * QP_MSG, acc,
							 &H[i].mr[k]) == 0);
		}
	for (unsigned q = 0; q < NQP; q++)
		for (unsigned i = 0; i < 2; i++) {
			unsigned k = (q * (i ? 7u : 1u) + i) % H[i].s.n;

			H[i].qk[q] = k;
			CU_ASSERT_FATAL(ursa_roce_qp_create(H[i].pd[k], H[i].cq[k], H[i].cq[k],
							    &cap, false, &H[i].qp[q]) == 0);
		}
	for (unsigned q = 0; q < NQP; q++)
		for (unsigned i = 0; i < 2; i++) {
			struct roce_qp_up u = {
				.local = &H[i].s.a,
				.remote = &H[!i].s.a,
				.iface = H[i].s.ifc,
				.tenant = 1,
				.access = URSA_RDMA_ACCESS_REMOTE_WRITE,
				.path_mtu = 1024,
				.dest_qpn = ursa_roce_qp_num(H[!i].qp[q]),
				.rq_psn = 100 + q,
				.sq_psn = 100 + q,
				.max_dest_rd_atomic = 1,
				.max_rd_atomic = 1,
				.min_rnr_timer = 1,
				.timeout = 14,
				.retry_cnt = 7,
				.rnr_retry = 7,
			};

			CU_ASSERT_FATAL(roce_qp_up(H[i].qp[q], &u) == 0);
		}
}

/* QP pair q WRITEs QP_MSG bytes from its initiator's memory (slot q) into the target's. */
static void rdma_post(void)
{
	for (unsigned q = 0; q < NQP; q++) {
		struct host *ini = &H[q % 2], *tgt = &H[!(q % 2)];
		unsigned ki = ini->qk[q], kt = tgt->qk[q];
		uint8_t *src = ini->mem[ki] + (size_t)q * QP_MSG;
		struct ursa_rdma_sge sge = {(uintptr_t)src, QP_MSG, ursa_roce_mr_lkey(ini->mr[ki])};
		struct ursa_rdma_send_wr wr = {
			.wr_id = q,
			.opcode = URSA_RDMA_WR_RDMA_WRITE,
			.send_flags = URSA_RDMA_SEND_SIGNALED,
			.sg_list = &sge,
			.num_sge = 1,
			.rdma = {(uintptr_t)tgt->mem[kt] + (size_t)q * QP_MSG,
				 ursa_roce_mr_rkey(tgt->mr[kt])},
		};

		for (unsigned j = 0; j < QP_MSG; j++)
			src[j] = (uint8_t)(q * 13u + j * 5u + (j >> 9));
		CU_ASSERT_FATAL(ursa_roce_post_send(ini->qp[q], &wr, 1) == 1);
	}
}

static void rdma_reap(struct host *h)
{
	for (unsigned k = 0; k < h->s.n; k++) {
		struct ursa_rdma_wc wc;

		while (ursa_roce_cq_poll(h->cq[k], &wc, 1) == 1) {
			if (wc.status == URSA_RDMA_WC_SUCCESS)
				h->wc_ok++;
			else
				h->wc_bad++;
		}
	}
}

static void rdma_check_down(void)
{
	for (unsigned q = 0; q < NQP; q++) {
		struct host *ini = &H[q % 2], *tgt = &H[!(q % 2)];

		CU_ASSERT(memcmp(ini->mem[ini->qk[q]] + (size_t)q * QP_MSG,
				 tgt->mem[tgt->qk[q]] + (size_t)q * QP_MSG, QP_MSG) == 0);
	}
	for (unsigned i = 0; i < 2; i++) {
		for (unsigned q = 0; q < NQP; q++)
			ursa_roce_qp_destroy(H[i].qp[q]);
		for (unsigned k = 0; k < H[i].s.n; k++) {
			ursa_roce_mr_dereg(H[i].mr[k]);
			ursa_roce_cq_destroy(H[i].cq[k]);
			ursa_roce_pd_free(H[i].pd[k]);
			free(H[i].mem[k]);
		}
	}
}

static uint64_t sum(const struct host *h, const char *block, const char *name)
{
	uint64_t t = 0;

	for (unsigned k = 0; k < h->s.n; k++)
		t += ursa_test_counter(h->s.lc[k], block, name);
	return t;
}

static void hosts_up(unsigned n, bool rss_known)
{
	memset(H, 0, sizeof(H));
	for (unsigned i = 0; i < 2; i++)
		side_up(&H[i].s, i + 1, n);
	for (unsigned i = 0; i < 2; i++)
		for (unsigned k = 0; k < n; k++) {
			struct ursa_lcore *lc = H[i].s.lc[k];

			CU_ASSERT_FATAL(ursa_neigh_add_static(lc, ursa_iface_get(lc, H[i].s.ifc),
							      &H[!i].s.a, &H[!i].s.mac) == 0);
			CU_ASSERT_FATAL(ursa_tcp_create(lc, 1, H[i].s.ifc, AF_INET, &H[i].lst[k]) ==
					0);
			CU_ASSERT_FATAL(ursa_tcp_bind(lc, H[i].lst[k], NULL, LPORT) == 0);
			CU_ASSERT_FATAL(ursa_tcp_listen(lc, H[i].lst[k], 256) == 0);
			if (rss_known)
				lc->rss_queue = ursa_port_mem_rss_flow;
		}
}

static void flows(unsigned n, bool rss_known)
{
	unsigned step, quiet = 0;
	struct timespec t0, t1;

	hosts_up(n, rss_known);
	rdma_up();
	rdma_post();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (step = 0; step < MAXSTEPS && quiet < 4; step++) {
		bool busy =
			H[0].served < NCONN || H[1].served < NCONN || H[0].wc_ok + H[1].wc_ok < NQP;

		for (unsigned i = 0; i < 2; i++) {
			clients_step(&H[i], &H[!i]);
			servers_step(&H[i]);
			rdma_reap(&H[i]);
		}
		unsigned moved = carry();

		quiet = busy || moved > 0 ? 0 : quiet + 1;
		if (!tick(moved))
			break;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (getenv("URSA_SHARDS_REPORT")) {
		double ns =
			(double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);

		printf("\n%u shards%s: %.1f ms wall for the whole run (the harness's own loops "
		       "dominate)",
		       n, rss_known ? " (RSS known)" : "", ns / 1e6);
	}
	if (getenv("URSA_SHARDS_REPORT"))
		for (unsigned i = 0; i < 2; i++)
			printf("\n%u shards, host %u: %u steps, %" PRIu64 " frames in, %" PRIu64
			       " on a shard not their owner's (TCP %" PRIu64 ", RoCE %" PRIu64
			       "), dispatched %" PRIu64 "\n",
			       n, i, step, H[i].frames_in, H[i].landed_wrong, H[i].wrong_tcp,
			       H[i].wrong_roce, sum(&H[i], "dispatch", "out"));
	for (unsigned i = 0; i < 2; i++) {
		struct host *h = &H[i];

		CU_ASSERT_EQUAL(h->served, NCONN);
		CU_ASSERT_EQUAL(h->bad_bytes, 0);
		CU_ASSERT_EQUAL(h->wc_bad, 0);
		CU_ASSERT_EQUAL(sum(h, "tcp", "retransmits"), 0);
		CU_ASSERT_EQUAL(sum(h, "tcp", "timeouts"), 0);
		CU_ASSERT_EQUAL(sum(h, "roce", "retransmit"), 0);
		/* every frame on a shard that is not its owner's was handed over, and only those */
		if (n == 1) {
			CU_ASSERT_EQUAL(h->landed_wrong, 0); /* one queue: nothing to hand over */
		} else {
			CU_ASSERT(h->landed_wrong > h->frames_in / (rss_known ? 64 : 8));
			/* with the hash known, every reply comes back to its own shard */
			CU_ASSERT(rss_known ? h->wrong_tcp == 0 : h->wrong_tcp > 0);
			CU_ASSERT(h->wrong_roce > 0);
			CU_ASSERT_EQUAL(h->wrong_tcp + h->wrong_roce, h->landed_wrong);
		}
		/* A frame handed over is counted once, by the shard it came to: eth counts what
		 * the ports received (the last frames carried may still wait in a queue), the
		 * layers above no more than was sent to them. */
		CU_ASSERT_EQUAL(sum(h, "eth", "rx"), sum(h, "mem0", "rx_pkts"));
		CU_ASSERT(sum(h, "ip", "rx") <= h->ip4_in);
		CU_ASSERT(sum(h, "tcp", "rx_segs") <= h->tcp_in);
		CU_ASSERT(sum(h, "udp", "rx") <= h->udp_in);
		CU_ASSERT(sum(h, "ip", "rx") + 64 >= h->ip4_in);
		CU_ASSERT_EQUAL(sum(h, "dispatch", "out"), h->landed_wrong);
		CU_ASSERT_EQUAL(sum(h, "dispatch", "in"), h->landed_wrong);
		CU_ASSERT_EQUAL(sum(h, "dispatch", "drop_ring_full"), 0);
		CU_ASSERT_EQUAL(sum(h, "dispatch", "drop_chain"), 0);
		CU_ASSERT_EQUAL(sum(h, "dispatch", "drop_bad_port"), 0);
		CU_ASSERT_EQUAL(sum(h, "roce", "drop_no_qp"), 0);
		CU_ASSERT_EQUAL(sum(h, "tcp", "drop_no_pcb"), 0);
		CU_ASSERT_EQUAL(sum(h, "mem0", "tx_full_drop"), 0);
	}
	CU_ASSERT_EQUAL(H[0].wc_ok + H[1].wc_ok, NQP);
	rdma_check_down();
	for (unsigned i = 0; i < 2; i++)
		side_down(&H[i].s);
}

static void test_flows1(void)
{
	flows(1, false);
}

static void test_flows2(void)
{
	flows(2, false);
}

static void test_flows4(void)
{
	flows(4, false);
}

static void test_flows4_rss(void)
{
	flows(4, true);
}

int main(void)
{
	CU_pSuite su;

	su = ursa_test_suite("shards", NULL, NULL);
	CU_add_test(su, "ids", test_ids);
	CU_add_test(su, "flows on 1 shard", test_flows1);
	CU_add_test(su, "flows over 2 shards", test_flows2);
	CU_add_test(su, "flows over 4 shards", test_flows4);
	CU_add_test(su, "flows over 4 shards, ports chosen for the RSS", test_flows4_rss);
	return ursa_test_main();
}
