/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One stack, many shards (issue 8): every ID space is partitioned by shard, and a frame that
 * lands on a shard that does not own its flow is handed to the owner.
 *
 * ids:   the QPNs, memory keys, TCP ephemeral ports and socket handles a shard hands out are
 *        its own (id % nb_shards == shard); a lone lcore numbers handles as before.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
			CU_ASSERT_FATAL(ursa_neigh_add_static(s.lc[k], ursa_iface_get(s.lc[k], s.ifc),
							      &peer, &pm) == 0);
			ids_of_shard(s.lc[k], s.ifc, &peer);
		}
		side_down(&s);
	}
}

int main(void)
{
	CU_pSuite su;

	ursa_test_eal();
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	su = CU_add_suite("shards", NULL, NULL);
	CU_add_test(su, "ids", test_ids);
	return ursa_test_main();
}
