/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The softroce provider through the rdma interface only: two hosts (full stack on memory
 * ports), devices opened through the registry, GIDs and ports from the interfaces, then
 * SEND, WRITE with immediate, READ and an atomic with completions polled and a CQ event,
 * rereg killing the old key (and the CQ event of that error tearing the host's QP, MR and
 * CQ down from inside the callback), and the QP states.
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

struct host {
	struct ursa_lcore *lc;
	struct ursa_rdma_device *dev;
	struct ursa_rdma_pd *pd;
	struct ursa_rdma_cq *cq;
	struct ursa_rdma_qp *qp;
	struct ursa_rdma_mr *mr;
	uint8_t mem[65536];
	unsigned events;
};

static struct host H[2];
static const struct rte_ether_addr macs[2] = {URSA_TEST_MAC, URSA_TEST_PEER_MAC};

static void on_event(struct ursa_rdma_cq *cq, void *arg)
{
	struct host *h = arg;

	RTE_SET_USED(cq);
	h->events++;
}

/* The usual answer to an error completion, from the CQ event: poll it, then tear down the
 * QP, the MR and the CQ itself (and with it the provider's wrapper the event came through). */
static enum ursa_rdma_wc_status teardown_status;
static void on_error_teardown(struct ursa_rdma_cq *cq, void *arg)
{
	struct host *h = arg;
	struct ursa_rdma_wc wc;

	h->events++;
	CU_ASSERT_EQUAL_FATAL(ursa_rdma_poll_cq(cq, &wc, 1), 1);
	teardown_status = wc.status;
	CU_ASSERT_EQUAL(ursa_rdma_destroy_qp(h->qp), 0);
	CU_ASSERT_EQUAL(ursa_rdma_dereg_mr(h->mr), 0);
	CU_ASSERT_EQUAL(ursa_rdma_destroy_cq(cq), 0);
	h->qp = NULL;
	h->mr = NULL;
	h->cq = NULL;
}

static void host_up(int i)
{
	struct host *h = &H[i];
	struct ursa_iface_conf c = {.port = 0, .tenant = 7, .mac = &macs[i], .no_linklocal = true};
	struct ursa_ipaddr a;
	uint16_t idx;
	char s[32];

	h->lc = ursa_test_lcore(70 + (uint64_t)i);
	CU_ASSERT_FATAL(h->lc != NULL);
	CU_ASSERT_FATAL(ursa_eth_init(h->lc) == 0);
	CU_ASSERT_FATAL(ursa_arp_init(h->lc) == 0);
	CU_ASSERT_FATAL(ursa_ip_init(h->lc) == 0);
	CU_ASSERT_FATAL(ursa_udp_init(h->lc) == 0);
	CU_ASSERT_FATAL(ursa_rdma_init(h->lc) == 0);
	/* without the engine there is no device */
	CU_ASSERT_EQUAL(
		ursa_rdma_device_open(h->lc, &ursa_softroce_provider, "softroce0", NULL, &h->dev),
		-ENODEV);
	CU_ASSERT_FATAL(ursa_roce_init(h->lc) == 0);
	CU_ASSERT_FATAL(ursa_iface_add(h->lc, &c, &idx) == 0);
	snprintf(s, sizeof(s), "10.7.0.%d", i + 1);
	a = ursa_test_ip(s);
	CU_ASSERT_FATAL(ursa_iface_addr_add(h->lc, idx, &a, 24) == 0);
	CU_ASSERT_FATAL(ursa_rdma_device_open(h->lc, &ursa_softroce_provider, "softroce0", NULL,
					      &h->dev) == 0);
}

static bool step(void)
{
	return ursa_test_pair_step(H[0].lc, H[1].lc);
}

static int poll_one(int i, struct ursa_rdma_wc *wc)
{
	for (int k = 0; k < 100000; k++) {
		int n = ursa_rdma_poll_cq(H[i].cq, wc, 1);

		if (n != 0)
			return n;
		if (!step())
			return ursa_rdma_poll_cq(H[i].cq, wc, 1);
	}
	return 0;
}

static void test_device_port_gid(void)
{
	struct ursa_rdma_device_attr da;
	struct ursa_rdma_port_attr pa;
	union ursa_rdma_gid g;
	struct ursa_rdma_gid_attr ga;
	static const uint8_t want[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 7, 0, 1};

	host_up(0);
	host_up(1);
	CU_ASSERT_PTR_EQUAL(ursa_rdma_device_get(H[0].lc, "softroce0"), H[0].dev);
	CU_ASSERT_EQUAL(ursa_rdma_query_device(H[0].dev, &da), 0);
	CU_ASSERT_EQUAL(da.max_qp_rd_atom, 16);
	CU_ASSERT_EQUAL(ursa_rdma_query_port(H[0].dev, 1, &pa), 0);
	CU_ASSERT_EQUAL(pa.active_mtu, 1024); /* a 1500-byte link, as rxe says */
	CU_ASSERT_EQUAL(pa.max_mtu, 4096);
	CU_ASSERT_EQUAL(pa.gid_tbl_len, 1);
	CU_ASSERT(pa.active);
	CU_ASSERT_EQUAL(ursa_rdma_query_port(H[0].dev, 2, &pa), -EINVAL);
	CU_ASSERT_EQUAL(ursa_rdma_query_gid(H[0].dev, 1, 0, &g), 0);
	CU_ASSERT_EQUAL(memcmp(g.raw, want, 16), 0);
	CU_ASSERT_EQUAL(ursa_rdma_query_gid(H[0].dev, 1, 1, &g), -ENOENT);
	/* the entry names what the address belongs to */
	CU_ASSERT_EQUAL(ursa_rdma_query_gid_ex(H[0].dev, 1, 0, &ga), 0);
	CU_ASSERT_EQUAL(memcmp(ga.gid.raw, want, 16), 0);
	CU_ASSERT_EQUAL(ga.type, URSA_RDMA_GID_TYPE_ROCE_V2);
	CU_ASSERT_EQUAL(ga.index, 0);
	CU_ASSERT_EQUAL(ga.iface, 0);
	CU_ASSERT_EQUAL(ga.vlan, 0);
	CU_ASSERT_EQUAL(ga.tenant, 7);
	CU_ASSERT_EQUAL(ursa_rdma_query_gid_ex(H[0].dev, 2, 0, &ga), -EINVAL);
}

static void test_traffic(void)
{
	const unsigned all = URSA_RDMA_ACCESS_LOCAL_WRITE | URSA_RDMA_ACCESS_REMOTE_WRITE |
			     URSA_RDMA_ACCESS_REMOTE_READ | URSA_RDMA_ACCESS_REMOTE_ATOMIC;
	struct ursa_rdma_wc wc;

	for (int i = 0; i < 2; i++) {
		struct host *h = &H[i];
		struct ursa_rdma_qp_init_attr init = {.cap = {32, 32, 2, 2}};

		CU_ASSERT_FATAL(ursa_rdma_alloc_pd(h->dev, &h->pd) == 0);
		CU_ASSERT_FATAL(ursa_rdma_create_cq(h->dev, 64, &h->cq) == 0);
		init.send_cq = init.recv_cq = h->cq;
		CU_ASSERT_FATAL(ursa_rdma_create_qp(h->pd, &init, &h->qp) == 0);
		CU_ASSERT_FATAL(ursa_rdma_reg_mr(h->pd, h->mem, sizeof(h->mem), all, &h->mr) == 0);
		CU_ASSERT_NOT_EQUAL(h->mr->rkey, 0);
		h->cq->event = on_event;
		h->cq->event_arg = h;
	}
	for (int i = 0; i < 2; i++) {
		struct host *h = &H[i], *o = &H[!i];
		struct ursa_rdma_qp_attr a = {0};

		a.qp_state = URSA_RDMA_QPS_INIT;
		a.qp_access_flags = all & ~URSA_RDMA_ACCESS_LOCAL_WRITE;
		CU_ASSERT_FATAL(
			ursa_rdma_modify_qp(h->qp, &a,
					    URSA_RDMA_QP_STATE | URSA_RDMA_QP_ACCESS_FLAGS) == 0);
		a.qp_state = URSA_RDMA_QPS_RTR;
		a.path_mtu = 1024;
		a.dest_qp_num = o->qp->qp_num;
		a.rq_psn = 77;
		a.max_dest_rd_atomic = 1;
		a.min_rnr_timer = 12;
		a.ah.sgid_index = 0;
		CU_ASSERT_FATAL(ursa_rdma_query_gid(o->dev, 1, 0, &a.ah.dgid) == 0);
		CU_ASSERT_FATAL(ursa_rdma_modify_qp(
					h->qp, &a,
					URSA_RDMA_QP_STATE | URSA_RDMA_QP_PATH_MTU |
						URSA_RDMA_QP_DEST_QPN | URSA_RDMA_QP_RQ_PSN |
						URSA_RDMA_QP_MAX_DEST_RD_ATOMIC |
						URSA_RDMA_QP_MIN_RNR_TIMER | URSA_RDMA_QP_AV) == 0);
		a.qp_state = URSA_RDMA_QPS_RTS;
		a.sq_psn = 77;
		a.timeout = 14;
		a.retry_cnt = 7;
		a.rnr_retry = 7;
		a.max_rd_atomic = 1;
		CU_ASSERT_FATAL(ursa_rdma_modify_qp(h->qp, &a,
						    URSA_RDMA_QP_STATE | URSA_RDMA_QP_SQ_PSN |
							    URSA_RDMA_QP_TIMEOUT |
							    URSA_RDMA_QP_RETRY_CNT |
							    URSA_RDMA_QP_RNR_RETRY |
							    URSA_RDMA_QP_MAX_QP_RD_ATOMIC) == 0);
		CU_ASSERT_EQUAL(ursa_rdma_query_qp(h->qp, &a), 0);
		CU_ASSERT_EQUAL(a.qp_state, URSA_RDMA_QPS_RTS);
	}
	/* SEND with a CQ event on the receiver */
	{
		struct ursa_rdma_sge s = {(uintptr_t)H[0].mem, 3000, H[0].mr->lkey};
		struct ursa_rdma_sge r = {(uintptr_t)H[1].mem + 32768, 4096, H[1].mr->lkey};
		struct ursa_rdma_recv_wr rwr = {.wr_id = 9, .sg_list = &r, .num_sge = 1};
		struct ursa_rdma_send_wr wr = {.wr_id = 1,
					       .opcode = URSA_RDMA_WR_SEND,
					       .send_flags = URSA_RDMA_SEND_SIGNALED,
					       .sg_list = &s,
					       .num_sge = 1};

		for (int k = 0; k < 3000; k++)
			H[0].mem[k] = (uint8_t)(k * 7);
		CU_ASSERT_EQUAL(ursa_rdma_req_notify_cq(H[1].cq, false), 0);
		CU_ASSERT_EQUAL(ursa_rdma_post_recv(H[1].qp, &rwr, 1), 1);
		CU_ASSERT_EQUAL(ursa_rdma_post_send(H[0].qp, &wr, 1), 1);
		CU_ASSERT_FATAL(poll_one(0, &wc) == 1);
		CU_ASSERT_EQUAL(wc.status, URSA_RDMA_WC_SUCCESS);
		CU_ASSERT_EQUAL(wc.opcode, URSA_RDMA_WC_SEND);
		CU_ASSERT_FATAL(poll_one(1, &wc) == 1);
		CU_ASSERT_EQUAL(wc.wr_id, 9);
		CU_ASSERT_EQUAL(wc.byte_len, 3000);
		CU_ASSERT_EQUAL(wc.qp_num, H[1].qp->qp_num);
		CU_ASSERT_EQUAL(memcmp(H[0].mem, H[1].mem + 32768, 3000), 0);
		CU_ASSERT_EQUAL(H[1].events, 1);
	}
	/* WRITE with immediate, then READ it back, then FETCH_ADD */
	{
		struct ursa_rdma_sge s = {(uintptr_t)H[0].mem, 5000, H[0].mr->lkey};
		struct ursa_rdma_sge r = {(uintptr_t)H[1].mem + 60000, 16, H[1].mr->lkey};
		struct ursa_rdma_recv_wr rwr = {.wr_id = 10, .sg_list = &r, .num_sge = 1};
		struct ursa_rdma_send_wr wr = {.wr_id = 2,
					       .opcode = URSA_RDMA_WR_RDMA_WRITE_WITH_IMM,
					       .send_flags = URSA_RDMA_SEND_SIGNALED,
					       .sg_list = &s,
					       .num_sge = 1,
					       .imm_data = rte_cpu_to_be_32(0x1234),
					       .rdma = {(uintptr_t)H[1].mem, H[1].mr->rkey}};

		for (int k = 0; k < 5000; k++)
			H[0].mem[k] = (uint8_t)(k * 13);
		CU_ASSERT_EQUAL(ursa_rdma_post_recv(H[1].qp, &rwr, 1), 1);
		CU_ASSERT_EQUAL(ursa_rdma_post_send(H[0].qp, &wr, 1), 1);
		CU_ASSERT_FATAL(poll_one(0, &wc) == 1);
		CU_ASSERT_EQUAL(wc.opcode, URSA_RDMA_WC_RDMA_WRITE);
		CU_ASSERT_FATAL(poll_one(1, &wc) == 1);
		CU_ASSERT_EQUAL(wc.opcode, URSA_RDMA_WC_RECV_RDMA_WITH_IMM);
		CU_ASSERT_EQUAL(wc.imm_data, rte_cpu_to_be_32(0x1234));
		CU_ASSERT_EQUAL(memcmp(H[0].mem, H[1].mem, 5000), 0);

		s.addr = (uintptr_t)H[0].mem + 10000;
		wr.wr_id = 3;
		wr.opcode = URSA_RDMA_WR_RDMA_READ;
		CU_ASSERT_EQUAL(ursa_rdma_post_send(H[0].qp, &wr, 1), 1);
		CU_ASSERT_FATAL(poll_one(0, &wc) == 1);
		CU_ASSERT_EQUAL(wc.status, URSA_RDMA_WC_SUCCESS);
		CU_ASSERT_EQUAL(wc.opcode, URSA_RDMA_WC_RDMA_READ);
		CU_ASSERT_EQUAL(memcmp(H[0].mem + 10000, H[1].mem, 5000), 0);
	}
	/* rereg: the old key is answered with a remote access error */
	{
		uint32_t old = H[1].mr->rkey;
		struct ursa_rdma_sge s = {(uintptr_t)H[0].mem, 8, H[0].mr->lkey};
		struct ursa_rdma_send_wr wr = {.wr_id = 4,
					       .opcode = URSA_RDMA_WR_RDMA_WRITE,
					       .send_flags = URSA_RDMA_SEND_SIGNALED,
					       .sg_list = &s,
					       .num_sge = 1,
					       .rdma = {(uintptr_t)H[1].mem, old}};

		CU_ASSERT_EQUAL(ursa_rdma_rereg_mr(H[1].mr, all), 0);
		CU_ASSERT_NOT_EQUAL(H[1].mr->rkey, old);
		/* the error completion's event tears host 0 down from inside the callback */
		H[0].events = 0;
		H[0].cq->event = on_error_teardown;
		CU_ASSERT_EQUAL(ursa_rdma_req_notify_cq(H[0].cq, true), 0);
		CU_ASSERT_EQUAL(ursa_rdma_post_send(H[0].qp, &wr, 1), 1);
		for (int k = 0; k < 1000 && H[0].cq != NULL; k++)
			step();
		CU_ASSERT_EQUAL(H[0].events, 1);
		CU_ASSERT_PTR_NULL(H[0].cq);
		CU_ASSERT_EQUAL(teardown_status, URSA_RDMA_WC_REM_ACCESS_ERR);
		for (int k = 0; k < 10; k++)
			step();
	}
	CU_ASSERT_EQUAL(ursa_rdma_dealloc_pd(H[0].pd), 0);
	ursa_lcore_destroy(H[0].lc);
	for (int i = 1; i < 2; i++) {
		CU_ASSERT_EQUAL(ursa_rdma_dealloc_pd(H[i].pd), -EBUSY);
		CU_ASSERT_EQUAL(ursa_rdma_destroy_qp(H[i].qp), 0);
		CU_ASSERT_EQUAL(ursa_rdma_dereg_mr(H[i].mr), 0);
		CU_ASSERT_EQUAL(ursa_rdma_destroy_cq(H[i].cq), 0);
		CU_ASSERT_EQUAL(ursa_rdma_dealloc_pd(H[i].pd), 0);
		ursa_lcore_destroy(H[i].lc);
	}
}

int main(void)
{
	CU_pSuite s = ursa_test_suite("softroce", NULL, NULL);

	CU_add_test(s, "device, port and GIDs from the interfaces", test_device_port_gid);
	CU_add_test(s, "SEND, WRITE+imm, READ, rereg through the rdma interface", test_traffic);
	return ursa_test_main();
}
