/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A QP belongs to exactly one interface and tenant (DESIGN.md §2, lesson 4). Two hosts on one
 * link, each with two interfaces on one port: VLAN 10 for tenant 1 and VLAN 20 for tenant 2,
 * both tenants holding the same IPv4 and IPv6 addresses. Each tenant connects a QP to "the
 * same" peer address over IPv4 and over IPv6. Checked through the rdma interface only:
 * - the GID table has one entry per (address, interface), naming VLAN and tenant;
 * - each QP's frames leave on its own VLAN only, and reach the peer QP of its own tenant;
 * - a frame for a QP arriving on the other tenant's VLAN is dropped and counted (the same
 *   frame on the right VLAN is accepted);
 * - a modify that fails changes nothing: an unknown GID index, a family mismatch, a second
 *   address vector on a connected QP, an unbound RTR.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ursa_arp.h"
#include "ursa_eth.h"
#include "ursa_ip.h"
#include "ursa_roce.h"
#include "ursa_softroce.h"
#include "ursa_test.h"
#include "ursa_udp.h"

#define NQP 4 /* tenant 1 v4, tenant 2 v4, tenant 1 v6, tenant 2 v6 */
static const uint16_t vlans[2] = {10, 20};

struct host {
	struct ursa_lcore *lc;
	struct ursa_rdma_device *dev;
	struct ursa_rdma_pd *pd;
	struct ursa_rdma_cq *cq;
	struct ursa_rdma_qp *qp[NQP];
	struct ursa_rdma_mr *mr;
	uint8_t mem[8192];
};

static struct host H[2];
static const struct rte_ether_addr macs[2] = {URSA_TEST_MAC, URSA_TEST_PEER_MAC};

static struct ursa_ipaddr addr(int host, bool v6)
{
	struct ursa_ipaddr a;

	ursa_ipaddr_parse(v6 ? (host ? "fd08::2" : "fd08::1") : (host ? "10.8.0.2" : "10.8.0.1"),
			  &a, NULL);
	return a;
}

/* GID table of each host: interface t (tenant t + 1, VLAN vlans[t]) has entries 2t (IPv4)
 * and 2t + 1 (IPv6). QP q is tenant q % 2 over IPv6 when q >= 2. */
static uint8_t sgid_index(int q)
{
	return (uint8_t)(2 * (q % 2) + (q >= 2));
}

static void host_up(int i)
{
	struct host *h = &H[i];

	h->lc = ursa_test_lcore(80 + (uint64_t)i);
	CU_ASSERT_FATAL(h->lc != NULL);
	h->lc->ports[0].mac = macs[i];
	CU_ASSERT_FATAL(ursa_eth_init(h->lc) == 0 && ursa_arp_init(h->lc) == 0);
	CU_ASSERT_FATAL(ursa_ip_init(h->lc) == 0 && ursa_udp_init(h->lc) == 0);
	CU_ASSERT_FATAL(ursa_rdma_init(h->lc) == 0 && ursa_roce_init(h->lc) == 0);
	for (int t = 0; t < 2; t++) {
		struct ursa_iface_conf c = {.port = 0,
					    .vlan = vlans[t],
					    .tenant = (uint32_t)t + 1,
					    .mac = &macs[i],
					    .no_linklocal = true};
		struct ursa_ipaddr a4 = addr(i, false), a6 = addr(i, true);
		struct ursa_ipaddr p4 = addr(!i, false), p6 = addr(!i, true);
		uint16_t idx;

		/* the same addresses in both tenants, on two VLANs of one port */
		CU_ASSERT_FATAL(ursa_iface_add(h->lc, &c, &idx) == 0);
		CU_ASSERT_FATAL(ursa_iface_addr_add(h->lc, idx, &a4, 24) == 0);
		CU_ASSERT_FATAL(ursa_iface_addr_add(h->lc, idx, &a6, 64) == 0);
		CU_ASSERT_FATAL(ursa_neigh_add_static(h->lc, &h->lc->ifaces[idx], &p4, &macs[!i]) ==
				0);
		CU_ASSERT_FATAL(ursa_neigh_add_static(h->lc, &h->lc->ifaces[idx], &p6, &macs[!i]) ==
				0);
	}
	CU_ASSERT_FATAL(ursa_rdma_device_open(h->lc, &ursa_softroce_provider, "softroce0", NULL,
					      &h->dev) == 0);
}

static void host_down(int i)
{
	struct host *h = &H[i];

	for (int q = 0; q < NQP; q++)
		CU_ASSERT_EQUAL(ursa_rdma_destroy_qp(h->qp[q]), 0);
	CU_ASSERT_EQUAL(ursa_rdma_dereg_mr(h->mr), 0);
	CU_ASSERT_EQUAL(ursa_rdma_destroy_cq(h->cq), 0);
	CU_ASSERT_EQUAL(ursa_rdma_dealloc_pd(h->pd), 0);
	ursa_lcore_destroy(h->lc);
}

static const unsigned rtr_mask = URSA_RDMA_QP_STATE | URSA_RDMA_QP_PATH_MTU |
				 URSA_RDMA_QP_DEST_QPN | URSA_RDMA_QP_RQ_PSN |
				 URSA_RDMA_QP_MAX_DEST_RD_ATOMIC | URSA_RDMA_QP_AV;
static const unsigned rts_mask = URSA_RDMA_QP_STATE | URSA_RDMA_QP_SQ_PSN | URSA_RDMA_QP_TIMEOUT |
				 URSA_RDMA_QP_RETRY_CNT | URSA_RDMA_QP_RNR_RETRY |
				 URSA_RDMA_QP_MAX_QP_RD_ATOMIC;

/* The RTR attributes of QP q of host i towards the peer's QP q. */
static struct ursa_rdma_qp_attr rtr_attr(int i, int q)
{
	struct ursa_rdma_qp_attr a = {0};
	struct ursa_ipaddr peer = addr(!i, q >= 2);

	a.qp_state = URSA_RDMA_QPS_RTR;
	a.path_mtu = 1024;
	a.dest_qp_num = H[!i].qp[q]->qp_num;
	a.rq_psn = 100;
	a.max_dest_rd_atomic = 1;
	a.ah.sgid_index = sgid_index(q);
	ursa_rdma_gid_from_addr(&a.ah.dgid, &peer);
	return a;
}

static void to_init(struct ursa_rdma_qp *qp)
{
	struct ursa_rdma_qp_attr a = {.qp_state = URSA_RDMA_QPS_INIT,
				      .qp_access_flags = URSA_RDMA_ACCESS_REMOTE_WRITE};

	CU_ASSERT_FATAL(
		ursa_rdma_modify_qp(qp, &a, URSA_RDMA_QP_STATE | URSA_RDMA_QP_ACCESS_FLAGS) == 0);
}

static void qps_up(void)
{
	for (int i = 0; i < 2; i++) {
		struct host *h = &H[i];
		struct ursa_rdma_qp_init_attr init = {.cap = {16, 16, 1, 1}};

		CU_ASSERT_FATAL(ursa_rdma_alloc_pd(h->dev, &h->pd) == 0);
		CU_ASSERT_FATAL(ursa_rdma_create_cq(h->dev, 128, &h->cq) == 0);
		init.send_cq = init.recv_cq = h->cq;
		for (int q = 0; q < NQP; q++)
			CU_ASSERT_FATAL(ursa_rdma_create_qp(h->pd, &init, &h->qp[q]) == 0);
		CU_ASSERT_FATAL(ursa_rdma_reg_mr(h->pd, h->mem, sizeof(h->mem),
						 URSA_RDMA_ACCESS_LOCAL_WRITE, &h->mr) == 0);
	}
	for (int i = 0; i < 2; i++)
		for (int q = 0; q < NQP; q++) {
			struct ursa_rdma_qp_attr a = rtr_attr(i, q);

			to_init(H[i].qp[q]);
			CU_ASSERT_FATAL(ursa_rdma_modify_qp(H[i].qp[q], &a, rtr_mask) == 0);
			a.qp_state = URSA_RDMA_QPS_RTS;
			a.sq_psn = 100;
			a.timeout = 14;
			a.retry_cnt = 7;
			a.rnr_retry = 7;
			a.max_rd_atomic = 1;
			CU_ASSERT_FATAL(ursa_rdma_modify_qp(H[i].qp[q], &a, rts_mask) == 0);
		}
}

static void post_recv(int i, int q)
{
	struct ursa_rdma_sge s = {(uintptr_t)H[i].mem + 1024u * (unsigned)q, 1024, H[i].mr->lkey};
	struct ursa_rdma_recv_wr wr = {.wr_id = (uint64_t)q, .sg_list = &s, .num_sge = 1};

	CU_ASSERT_EQUAL(ursa_rdma_post_recv(H[i].qp[q], &wr, 1), 1);
}

static void post_send(int i, int q, uint8_t fill)
{
	struct ursa_rdma_sge s = {(uintptr_t)H[i].mem + 4096 + 64u * (unsigned)q, 64,
				  H[i].mr->lkey};
	struct ursa_rdma_send_wr wr = {.wr_id = (uint64_t)q,
				       .opcode = URSA_RDMA_WR_SEND,
				       .send_flags = URSA_RDMA_SEND_SIGNALED,
				       .sg_list = &s,
				       .num_sge = 1};

	memset(H[i].mem + 4096 + 64 * q, fill, 64);
	CU_ASSERT_EQUAL(ursa_rdma_post_send(H[i].qp[q], &wr, 1), 1);
}

/* The VLAN of a frame (0 when untagged) and the BTH destination QP of the RoCEv2 packet. */
static void frame_info(const uint8_t *f, uint16_t *vlan, uint32_t *dqpn, int *family)
{
	unsigned off = 14;
	uint16_t type = (uint16_t)(f[12] << 8 | f[13]);

	*vlan = 0;
	if (type == RTE_ETHER_TYPE_VLAN) {
		*vlan = (uint16_t)((f[14] << 8 | f[15]) & 0xfff);
		type = (uint16_t)(f[16] << 8 | f[17]);
		off = 18;
	}
	*family = type == RTE_ETHER_TYPE_IPV6 ? AF_INET6 : AF_INET;
	off += (type == RTE_ETHER_TYPE_IPV6 ? 40 : 20) + 8; /* IP, UDP: now at the BTH */
	*dqpn = (uint32_t)f[off + 5] << 16 | (uint32_t)f[off + 6] << 8 | f[off + 7];
}

/* Take every frame host i sent; check each leaves on the VLAN of the QP that sent it, which
 * the destination QPN (the peer's QP of the same index) tells; returns them in v. */
static unsigned take_checked(int i, struct rte_mbuf **v, unsigned max)
{
	unsigned n;

	ursa_lcore_poll(H[i].lc);
	ursa_port_flush(H[i].lc, &H[i].lc->ports[0]);
	n = ursa_port_mem_take(&H[i].lc->ports[0], v, max);
	for (unsigned k = 0; k < n; k++) {
		uint8_t f[256];
		const uint8_t *p = rte_pktmbuf_read(v[k], 0, 64, f);
		uint16_t vlan;
		uint32_t dqpn;
		int fam, q;

		CU_ASSERT_FATAL(p != NULL);
		frame_info(p, &vlan, &dqpn, &fam);
		for (q = 0; q < NQP && H[!i].qp[q]->qp_num != dqpn; q++)
			;
		CU_ASSERT_FATAL(q < NQP);
		CU_ASSERT_EQUAL(vlan, vlans[q % 2]);
		CU_ASSERT_EQUAL(fam, q >= 2 ? AF_INET6 : AF_INET);
	}
	return n;
}

static void set_vlan(struct rte_mbuf *m, uint16_t vlan)
{
	uint8_t *f = rte_pktmbuf_mtod(m, uint8_t *);

	CU_ASSERT_FATAL((f[12] << 8 | f[13]) == RTE_ETHER_TYPE_VLAN);
	f[14] = (uint8_t)((f[14] & 0xf0) | (vlan >> 8));
	f[15] = (uint8_t)vlan;
}

static void test_gid_table(void)
{
	struct ursa_rdma_gid_attr g;
	struct ursa_rdma_port_attr pa;
	union ursa_rdma_gid want;

	host_up(0);
	host_up(1);
	CU_ASSERT_EQUAL(ursa_rdma_query_port(H[0].dev, 1, &pa), 0);
	CU_ASSERT_EQUAL(pa.gid_tbl_len, 4);
	for (unsigned k = 0; k < 4; k++) {
		struct ursa_ipaddr a = addr(0, k % 2);

		CU_ASSERT_EQUAL_FATAL(ursa_rdma_query_gid_ex(H[0].dev, 1, k, &g), 0);
		ursa_rdma_gid_from_addr(&want, &a);
		CU_ASSERT_EQUAL(memcmp(g.gid.raw, want.raw, 16), 0); /* same GID twice... */
		CU_ASSERT_EQUAL(g.index, k);
		CU_ASSERT_EQUAL(g.iface, k / 2); /* ...on two interfaces */
		CU_ASSERT_EQUAL(g.vlan, vlans[k / 2]);
		CU_ASSERT_EQUAL(g.tenant, k / 2 + 1);
		CU_ASSERT_EQUAL(g.type, URSA_RDMA_GID_TYPE_ROCE_V2);
	}
	CU_ASSERT_EQUAL(ursa_rdma_query_gid_ex(H[0].dev, 1, 4, &g), -ENOENT);
	qps_up();
}

/* Each tenant's SEND leaves on its VLAN and lands in its own tenant's QP on the peer. */
static void test_frames_stay_in_tenant(void)
{
	struct rte_mbuf *v[32];
	struct ursa_rdma_wc wc[8];
	unsigned n;
	int got[NQP] = {0};

	for (int q = 0; q < NQP; q++) {
		post_recv(1, q);
		post_send(0, q, (uint8_t)(0xa0 + q));
	}
	n = take_checked(0, v, RTE_DIM(v));
	CU_ASSERT_EQUAL(n, NQP);
	ursa_port_mem_inject(&H[1].lc->ports[0], v, n);
	ursa_lcore_poll(H[1].lc);
	n = (unsigned)ursa_rdma_poll_cq(H[1].cq, wc, RTE_DIM(wc));
	CU_ASSERT_EQUAL(n, NQP);
	for (unsigned k = 0; k < n; k++) {
		int q = (int)wc[k].wr_id; /* the receive posted on QP q */

		CU_ASSERT_EQUAL(wc[k].status, URSA_RDMA_WC_SUCCESS);
		CU_ASSERT_EQUAL(wc[k].qp_num, H[1].qp[q]->qp_num);
		CU_ASSERT_EQUAL(H[1].mem[1024 * q], 0xa0 + q);
		CU_ASSERT_EQUAL(H[1].mem[1024 * q + 63], 0xa0 + q);
		got[q]++;
	}
	for (int q = 0; q < NQP; q++)
		CU_ASSERT_EQUAL(got[q], 1);
	/* the ACKs go back on the same VLANs */
	n = take_checked(1, v, RTE_DIM(v));
	CU_ASSERT_EQUAL(n, NQP);
	ursa_port_mem_inject(&H[0].lc->ports[0], v, n);
	ursa_lcore_poll(H[0].lc);
	CU_ASSERT_EQUAL(ursa_rdma_poll_cq(H[0].cq, wc, RTE_DIM(wc)), NQP);
	CU_ASSERT_EQUAL(ursa_test_counter(H[1].lc, "roce", "drop_bad_iface"), 0);
}

/* Tenant 1's frames moved onto tenant 2's VLAN (same addresses, same QPN) are dropped and
 * counted; the same frames on tenant 1's VLAN are accepted. */
static void test_other_vlan_dropped(void)
{
	struct rte_mbuf *v[8], *c[8];
	struct ursa_rdma_wc wc[8];
	uint64_t drops = ursa_test_counter(H[1].lc, "roce", "drop_bad_iface");
	unsigned n;

	for (int q = 0; q < NQP; q += 2) { /* tenant 1 sends, IPv4 and IPv6 */
		post_recv(1, q);
		post_recv(1, q + 1); /* tenant 2 waits too: it must not receive them */
		post_send(0, q, 0x55);
	}
	n = take_checked(0, v, RTE_DIM(v));
	CU_ASSERT_EQUAL_FATAL(n, 2);
	for (unsigned k = 0; k < n; k++) {
		c[k] = rte_pktmbuf_copy(v[k], H[1].lc->pool, 0, UINT32_MAX);
		CU_ASSERT_FATAL(c[k] != NULL);
		set_vlan(c[k], vlans[1]);
	}
	ursa_port_mem_inject(&H[1].lc->ports[0], c, n);
	ursa_lcore_poll(H[1].lc);
	CU_ASSERT_EQUAL(ursa_test_counter(H[1].lc, "roce", "drop_bad_iface"), drops + 2);
	CU_ASSERT_EQUAL(ursa_rdma_poll_cq(H[1].cq, wc, RTE_DIM(wc)), 0); /* no tenant got it */
	CU_ASSERT_EQUAL(ursa_test_tx_drain(H[1].lc), 0);		 /* and nothing answered */
	ursa_port_mem_inject(&H[1].lc->ports[0], v, n);
	ursa_lcore_poll(H[1].lc);
	CU_ASSERT_EQUAL(ursa_rdma_poll_cq(H[1].cq, wc, RTE_DIM(wc)), 2);
	CU_ASSERT(wc[0].qp_num == H[1].qp[0]->qp_num || wc[0].qp_num == H[1].qp[2]->qp_num);
	CU_ASSERT(wc[1].qp_num == H[1].qp[0]->qp_num || wc[1].qp_num == H[1].qp[2]->qp_num);
	CU_ASSERT_EQUAL(ursa_test_counter(H[1].lc, "roce", "drop_bad_iface"), drops + 2);
	n = take_checked(1, v, RTE_DIM(v));
	ursa_port_mem_inject(&H[0].lc->ports[0], v, n);
	ursa_lcore_poll(H[0].lc);
	CU_ASSERT_EQUAL(ursa_rdma_poll_cq(H[0].cq, wc, RTE_DIM(wc)), 2);
}

static bool attr_eq(const struct ursa_rdma_qp_attr *a, const struct ursa_rdma_qp_attr *b)
{
	return a->qp_state == b->qp_state && a->qp_access_flags == b->qp_access_flags &&
	       a->path_mtu == b->path_mtu && a->pkey == b->pkey &&
	       a->dest_qp_num == b->dest_qp_num && a->rq_psn == b->rq_psn &&
	       a->sq_psn == b->sq_psn && a->timeout == b->timeout && a->retry_cnt == b->retry_cnt &&
	       a->rnr_retry == b->rnr_retry && a->max_rd_atomic == b->max_rd_atomic &&
	       a->max_dest_rd_atomic == b->max_dest_rd_atomic &&
	       a->min_rnr_timer == b->min_rnr_timer &&
	       memcmp(a->ah.dgid.raw, b->ah.dgid.raw, 16) == 0 &&
	       a->ah.sgid_index == b->ah.sgid_index && a->ah.hop_limit == b->ah.hop_limit &&
	       a->ah.traffic_class == b->ah.traffic_class && a->ah.flow_label == b->ah.flow_label;
}

/* modify_qp on qp must fail with rc and leave every queried attribute as it was. */
static void refused(struct ursa_rdma_qp *qp, const struct ursa_rdma_qp_attr *a, unsigned mask,
		    int rc)
{
	struct ursa_rdma_qp_attr before, after;

	CU_ASSERT_EQUAL(ursa_rdma_query_qp(qp, &before), 0);
	CU_ASSERT_EQUAL(ursa_rdma_modify_qp(qp, a, mask), rc);
	CU_ASSERT_EQUAL(ursa_rdma_query_qp(qp, &after), 0);
	CU_ASSERT(attr_eq(&before, &after));
}

static void test_failed_modify_changes_nothing(void)
{
	struct ursa_rdma_qp_init_attr init = {
		.send_cq = H[0].cq, .recv_cq = H[0].cq, .cap = {4, 4, 1, 1}};
	struct ursa_rdma_qp *qp;
	struct ursa_rdma_qp_attr a = rtr_attr(0, 0), r;
	struct rte_mbuf *v[8];
	struct ursa_rdma_wc wc[8];
	unsigned n;

	CU_ASSERT_FATAL(ursa_rdma_create_qp(H[0].pd, &init, &qp) == 0);
	to_init(qp);
	a.dest_qp_num = 0x777; /* would change if applied */
	a.rq_psn = 999;
	a.path_mtu = 256;
	a.ah.sgid_index = 9; /* no such GID entry */
	refused(qp, &a, rtr_mask, -EINVAL);
	a.ah.sgid_index = 1; /* an IPv6 GID towards an IPv4 peer */
	refused(qp, &a, rtr_mask, -EINVAL);
	a.ah.sgid_index = 0;
	refused(qp, &a, rtr_mask & ~URSA_RDMA_QP_AV, -EINVAL); /* RTR unbound */
	a.max_dest_rd_atomic = 200; /* a valid AV with one bad attribute binds nothing */
	refused(qp, &a, rtr_mask, -EINVAL);
	CU_ASSERT_EQUAL(ursa_rdma_query_qp(qp, &r), 0);
	CU_ASSERT_EQUAL(r.qp_state, URSA_RDMA_QPS_INIT);
	CU_ASSERT_EQUAL(ursa_rdma_destroy_qp(qp), 0);

	/* a connected QP of tenant 1 cannot be moved onto tenant 2's interface */
	a = rtr_attr(0, 0);
	a.qp_state = URSA_RDMA_QPS_RTS;
	a.ah.sgid_index = sgid_index(1);
	refused(H[0].qp[0], &a, URSA_RDMA_QP_STATE | URSA_RDMA_QP_AV, -EINVAL);
	refused(H[0].qp[0], &a, URSA_RDMA_QP_AV, -EINVAL);
	post_recv(1, 0);
	post_send(0, 0, 0x66);
	n = take_checked(0, v, RTE_DIM(v)); /* still leaves on VLAN 10 */
	CU_ASSERT_EQUAL(n, 1);
	ursa_port_mem_inject(&H[1].lc->ports[0], v, n);
	ursa_lcore_poll(H[1].lc);
	CU_ASSERT_EQUAL(ursa_rdma_poll_cq(H[1].cq, wc, RTE_DIM(wc)), 1);
	CU_ASSERT_EQUAL(wc[0].qp_num, H[1].qp[0]->qp_num);
	host_down(0);
	host_down(1);
}

int main(void)
{
	CU_pSuite s = ursa_test_suite("softroce tenants", NULL, NULL);

	CU_add_test(s, "GID table: one entry per address and interface", test_gid_table);
	CU_add_test(s, "each QP's frames leave on its tenant's VLAN", test_frames_stay_in_tenant);
	CU_add_test(s, "frames on the other tenant's VLAN are dropped and counted",
		    test_other_vlan_dropped);
	CU_add_test(s, "a failed modify changes nothing", test_failed_modify_changes_nothing);
	return ursa_test_main();
}
