/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Requester and completer unit tests on one engine whose packets are captured: segmentation
 * at every PMTU (opcodes, PSNs, RETH, payload sizes, pad, AckReq on the last packet and every
 * 64), READ PSN consumption, the 128-PSN window, max_rd_atomic, the IP/UDP header fields
 * (fixed source port in 0xC000-0xFFFF, checksum 0, DF, TTL/TOS), and the completer's
 * reactions to forged ACKs, NAK-PSN (go-back-N), remote errors and timeouts.
 */
#include <errno.h>
#include <sys/socket.h>

#include <rte_ip.h>
#include <rte_udp.h>

#include "roce_cap.h"
#include "roce_priv.h"
#include "roce_qp_up.h"
#include "ursa_test.h"

#define PEER_QPN 0x55

static struct ursa_lcore *lc;
static struct ursa_roce_pd *pd;
static struct ursa_roce_cq *cq;
static struct ursa_roce_qp *qp;
static struct ursa_roce_mr *mr;
static uint8_t *mem;
static uint32_t cq_size = 1024;
#define MEM_LEN (256 * 1024)
static struct rte_mbuf *out[1024];
static struct roce_cap sent = {.v = out, .max = RTE_DIM(out)};

static void setup(uint16_t mtu, uint32_t sq_psn, uint8_t max_rd_atomic, uint8_t timeout)
{
	struct ursa_rdma_qp_cap cap = {512, 16, 2, 2};
	struct ursa_ipaddr l, r;
	struct ursa_roce_conf conf = {.ttl = 7, .tos = 0x68};

	lc = ursa_test_lcore(5);
	CU_ASSERT_FATAL(lc != NULL);
	CU_ASSERT_FATAL(ursa_roce_ctx_create(lc, &conf) == 0);
	ursa_roce_set_xmit(lc, roce_cap_xmit, &sent);
	CU_ASSERT_FATAL(ursa_roce_pd_alloc(lc, &pd) == 0);
	CU_ASSERT_FATAL(ursa_roce_cq_create(lc, cq_size, &cq) == 0);
	CU_ASSERT_FATAL(ursa_roce_qp_create(pd, cq, cq, &cap, false, &qp) == 0);
	CU_ASSERT_FATAL(ursa_roce_mr_reg(pd, mem, MEM_LEN, URSA_RDMA_ACCESS_LOCAL_WRITE, &mr) == 0);
	l = ursa_test_ip("10.0.0.1");
	r = ursa_test_ip("10.0.0.2");
	CU_ASSERT_FATAL(roce_qp_up(qp, &(struct roce_qp_up){.local = &l,
							    .remote = &r,
							    .path_mtu = mtu,
							    .dest_qpn = PEER_QPN,
							    .rq_psn = 1,
							    .sq_psn = sq_psn,
							    .max_rd_atomic = max_rd_atomic,
							    .timeout = timeout,
							    .retry_cnt = 2,
							    .rnr_retry = 7}) == 0);
	sent.n = 0;
}

static void teardown(void)
{
	roce_cap_drain(&sent);
	ursa_roce_qp_destroy(qp);
	ursa_roce_mr_dereg(mr);
	ursa_roce_cq_destroy(cq);
	ursa_roce_pd_free(pd);
	ursa_lcore_destroy(lc);
}

struct seen {
	uint8_t opcode;
	uint32_t psn;
	bool ackreq;
	unsigned pad;
	uint32_t paylen;
	bool has_reth;
	uint64_t va;
	uint32_t rkey, rlen;
	uint16_t sport;
};

static void parse(struct rte_mbuf *m, struct seen *s)
{
	uint8_t h[128];
	const struct rte_ipv4_hdr *ip;
	const struct rte_udp_hdr *udp;
	const struct roce_opinfo *op;
	uint32_t len = rte_pktmbuf_pkt_len(m);

	CU_ASSERT_FATAL(roce_mbuf_read(m, 0, h, RTE_MIN(len, (uint32_t)sizeof(h))) == 0);
	ip = (const struct rte_ipv4_hdr *)h;
	udp = (const struct rte_udp_hdr *)(h + 20);
	CU_ASSERT_EQUAL(ip->version_ihl, 0x45);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(ip->total_length), len);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(ip->fragment_offset), RTE_IPV4_HDR_DF_FLAG);
	CU_ASSERT_EQUAL(ip->time_to_live, 7);
	CU_ASSERT_EQUAL(ip->type_of_service, 0x68);
	{
		struct rte_ipv4_hdr c = *ip;

		c.hdr_checksum = 0;
		CU_ASSERT_EQUAL(rte_ipv4_cksum(&c), ip->hdr_checksum);
	}
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(udp->dst_port), 4791);
	CU_ASSERT_EQUAL(udp->dgram_cksum, 0);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(udp->dgram_len), len - 20);
	CU_ASSERT(roce_icrc_check(rte_pktmbuf_mtod(m, const uint8_t *), m, 28, len - 28));
	memset(s, 0, sizeof(*s));
	s->sport = rte_be_to_cpu_16(udp->src_port);
	s->opcode = h[28];
	s->psn = roce_get24(h + 28 + 9);
	s->ackreq = (h[28 + 8] & 0x80) != 0;
	s->pad = (h[29] >> 4) & 3;
	CU_ASSERT_EQUAL(roce_get24(h + 28 + 5), PEER_QPN);
	CU_ASSERT_EQUAL(h[29] & 0x0f, 0);				    /* TVer 0 */
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(*(rte_be16_t *)(h + 30)), 0xffff); /* P_Key */
	op = roce_opinfo(s->opcode);
	CU_ASSERT_FATAL(op != NULL);
	s->paylen = len - 28 - op->length - 4 - s->pad;
	if (op->mask & ROCE_M_RETH) {
		const struct roce_reth *r = (const struct roce_reth *)(h + 40);

		s->has_reth = true;
		s->va = rte_be_to_cpu_64(r->va);
		s->rkey = rte_be_to_cpu_32(r->rkey);
		s->rlen = rte_be_to_cpu_32(r->len);
	}
}

static int post_wr(enum ursa_rdma_wr_opcode op, uint32_t len, uint64_t id)
{
	struct ursa_rdma_sge sge = {(uintptr_t)mem, len, ursa_roce_mr_lkey(mr)};
	struct ursa_rdma_send_wr wr = {.wr_id = id,
				       .opcode = op,
				       .send_flags = URSA_RDMA_SEND_SIGNALED,
				       .sg_list = &sge,
				       .num_sge = 1,
				       .rdma = {0x10000, 0xabcdef01}};

	return ursa_roce_post_send(qp, &wr, 1);
}

/* Forge a response (ACK/NAK with AETH) from the peer into the requester. */
static void inject_ack(uint8_t opcode, uint32_t psn, uint8_t syndrome, const void *pay,
		       uint32_t paylen)
{
	uint8_t p[2048];
	const struct roce_opinfo *op = roce_opinfo(opcode);
	unsigned pad = (-paylen) & 3, len = 28 + op->length + paylen + pad + 4;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)p;
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(p + 20);
	struct ursa_ipaddr s, d;
	struct rte_mbuf *m;

	memset(p, 0, sizeof(p));
	s = ursa_test_ip("10.0.0.2");
	d = ursa_test_ip("10.0.0.1");
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)len);
	ip->time_to_live = 1;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = s.v4;
	ip->dst_addr = d.v4;
	udp->dst_port = rte_cpu_to_be_16(4791);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(len - 20));
	roce_bth_set((struct roce_bth *)(p + 28), opcode, 0, pad, 0xffff, ursa_roce_qp_num(qp), 0,
		     psn);
	if (op->mask & ROCE_M_AETH)
		roce_aeth_set((struct roce_aeth *)(p + 40), syndrome, 0);
	if (paylen)
		memcpy(p + 28 + op->length, pay, paylen);
	m = ursa_test_mbuf(lc, p, len);
	roce_icrc_put(rte_pktmbuf_mtod_offset(m, uint8_t *, len - 4),
		      roce_icrc_calc(rte_pktmbuf_mtod(m, uint8_t *), m, 28, len - 32));
	ursa_roce_input_l3(lc, m, 0);
}

static void poll_until_quiet(void)
{
	for (int i = 0; i < 64; i++)
		ursa_lcore_poll(lc);
}

static void test_segmentation_every_pmtu(void)
{
	static const uint16_t mtus[] = {256, 512, 1024, 2048, 4096};
	static const uint32_t sizes[] = {0, 1, 255, 256, 257, 4096, 10001};

	for (unsigned mi = 0; mi < RTE_DIM(mtus); mi++) {
		uint16_t pmtu = mtus[mi];

		for (unsigned op = 0; op < 2; op++) {
			for (unsigned si = 0; si < RTE_DIM(sizes); si++) {
				uint32_t n = sizes[si], npk = n == 0 ? 1 : (n + pmtu - 1) / pmtu;
				uint32_t psn0 = 0xfffffe, sum = 0;
				uint16_t sport = 0;

				setup(pmtu, psn0, 1, 14);
				CU_ASSERT_FATAL(
					post_wr(op ? URSA_RDMA_WR_RDMA_WRITE : URSA_RDMA_WR_SEND, n,
						1) == 1);
				poll_until_quiet();
				CU_ASSERT_EQUAL(sent.n, npk);
				for (unsigned k = 0; k < sent.n && k < npk; k++) {
					struct seen s;
					bool first = k == 0, last = k == npk - 1;

					parse(out[k], &s);
					CU_ASSERT_EQUAL(s.psn, roce_psn_add(psn0, k));
					CU_ASSERT_EQUAL(s.ackreq, last);
					if (k == 0)
						sport = s.sport;
					CU_ASSERT_EQUAL(s.sport, sport);
					CU_ASSERT(s.sport >= 0xc000);
					CU_ASSERT_EQUAL(s.pad, (-s.paylen) & 3);
					if (!last)
						CU_ASSERT_EQUAL(s.paylen, pmtu);
					sum += s.paylen;
					if (op == 0) {
						CU_ASSERT_EQUAL(s.opcode,
								first && last ? ROCE_OP_SEND_ONLY
								: first	      ? ROCE_OP_SEND_FIRST
								: last	      ? ROCE_OP_SEND_LAST
								       : ROCE_OP_SEND_MIDDLE);
					} else {
						CU_ASSERT_EQUAL(s.opcode,
								first && last ? ROCE_OP_WRITE_ONLY
								: first	      ? ROCE_OP_WRITE_FIRST
								: last	      ? ROCE_OP_WRITE_LAST
								       : ROCE_OP_WRITE_MIDDLE);
						CU_ASSERT_EQUAL(s.has_reth, first);
						if (first) {
							CU_ASSERT_EQUAL(s.rlen, n);
							CU_ASSERT_EQUAL(s.va, 0x10000);
							CU_ASSERT_EQUAL(s.rkey, 0xabcdef01);
						}
					}
				}
				CU_ASSERT_EQUAL(sum, n);
				teardown();
			}
		}
	}
}

static void test_read_psns_and_rd_atomic_limit(void)
{
	struct seen s;
	struct ursa_rdma_wc wc;
	static uint8_t pay[1024];

	setup(1024, 100, 1, 14);
	CU_ASSERT_FATAL(post_wr(URSA_RDMA_WR_RDMA_READ, 2500, 1) == 1); /* 3 response PSNs */
	CU_ASSERT_FATAL(post_wr(URSA_RDMA_WR_RDMA_READ, 10, 2) == 1);
	CU_ASSERT_FATAL(post_wr(URSA_RDMA_WR_SEND, 10, 3) == 1);
	poll_until_quiet();
	CU_ASSERT_EQUAL_FATAL(sent.n, 1); /* max_rd_atomic 1: the second READ waits */
	parse(out[0], &s);
	CU_ASSERT_EQUAL(s.opcode, ROCE_OP_READ_REQUEST);
	CU_ASSERT_EQUAL(s.psn, 100);
	CU_ASSERT(s.ackreq);
	CU_ASSERT_EQUAL(s.rlen, 2500);
	CU_ASSERT_EQUAL(s.paylen, 0);
	roce_cap_drain(&sent);
	/* responses: FIRST 100, MIDDLE 101, LAST 102 */
	memset(pay, 0x11, sizeof(pay));
	inject_ack(ROCE_OP_READ_RESP_FIRST, 100, 0x1f, pay, 1024);
	memset(pay, 0x22, sizeof(pay));
	inject_ack(ROCE_OP_READ_RESP_MIDDLE, 101, 0, pay, 1024);
	CU_ASSERT_EQUAL(ursa_roce_cq_poll(cq, &wc, 1), 0);
	memset(pay, 0x33, sizeof(pay));
	inject_ack(ROCE_OP_READ_RESP_LAST, 102, 0x1f, pay, 452);
	CU_ASSERT_EQUAL(ursa_roce_cq_poll(cq, &wc, 1), 1);
	CU_ASSERT_EQUAL(wc.wr_id, 1);
	CU_ASSERT_EQUAL(wc.status, URSA_RDMA_WC_SUCCESS);
	CU_ASSERT_EQUAL(wc.opcode, URSA_RDMA_WC_RDMA_READ);
	CU_ASSERT_EQUAL(mem[0], 0x11);
	CU_ASSERT_EQUAL(mem[1024], 0x22);
	CU_ASSERT_EQUAL(mem[2499], 0x33);
	/* now the second READ (PSN 103, one PSN) and the SEND (PSN 104) go */
	poll_until_quiet();
	CU_ASSERT_EQUAL_FATAL(sent.n, 2);
	parse(out[0], &s);
	CU_ASSERT_EQUAL(s.opcode, ROCE_OP_READ_REQUEST);
	CU_ASSERT_EQUAL(s.psn, 103);
	parse(out[1], &s);
	CU_ASSERT_EQUAL(s.opcode, ROCE_OP_SEND_ONLY);
	CU_ASSERT_EQUAL(s.psn, 104);
	roce_cap_drain(&sent);
	/* a READ response with the wrong length is dropped, the right one completes */
	inject_ack(ROCE_OP_READ_RESP_ONLY, 103, 0x1f, pay, 12);
	CU_ASSERT_EQUAL(ursa_test_counter(lc, "roce", "drop_resp_bad_len"), 1);
	inject_ack(ROCE_OP_READ_RESP_ONLY, 103, 0x1f, pay, 10);
	/* an ACK of 104 completes the SEND */
	inject_ack(ROCE_OP_ACK, 104, 0x1f, NULL, 0);
	CU_ASSERT_EQUAL(ursa_roce_cq_poll(cq, &wc, 1), 1);
	CU_ASSERT_EQUAL(wc.wr_id, 2);
	CU_ASSERT_EQUAL(ursa_roce_cq_poll(cq, &wc, 1), 1);
	CU_ASSERT_EQUAL(wc.wr_id, 3);
	CU_ASSERT_EQUAL(wc.opcode, URSA_RDMA_WC_SEND);
	/* stale and ghost ACKs are dropped */
	inject_ack(ROCE_OP_ACK, 90, 0x1f, NULL, 0);
	inject_ack(ROCE_OP_ACK, 500, 0x1f, NULL, 0);
	CU_ASSERT_EQUAL(ursa_test_counter(lc, "roce", "drop_resp_stale"), 2);
	teardown();
}

static void test_window_and_ackreq_every_64(void)
{
	struct seen s;
	unsigned ackreqs = 0;

	setup(256, 0xffffc0, 1, 14);
	/* 200 packets worth: the window stops at 128 unacknowledged PSNs */
	CU_ASSERT_FATAL(post_wr(URSA_RDMA_WR_RDMA_WRITE, 200 * 256, 1) == 1);
	poll_until_quiet();
	CU_ASSERT_EQUAL_FATAL(sent.n, 128);
	for (unsigned k = 0; k < sent.n; k++) {
		parse(out[k], &s);
		CU_ASSERT_EQUAL(s.psn, roce_psn_add(0xffffc0, k));
		if (s.ackreq) {
			ackreqs++;
			/* every 64th packet, and the one that fills the window */
			CU_ASSERT(k == 63 || k == 127);
		}
	}
	CU_ASSERT_EQUAL(ackreqs, 2);
	roce_cap_drain(&sent);
	/* an ACK for the first 64 opens the window by 64 */
	inject_ack(ROCE_OP_ACK, roce_psn_add(0xffffc0, 63), 0x1f, NULL, 0);
	poll_until_quiet();
	CU_ASSERT_EQUAL(sent.n, 64);
	parse(out[0], &s);
	CU_ASSERT_EQUAL(s.psn, roce_psn_add(0xffffc0, 128));
	roce_cap_drain(&sent);
	teardown();
}

static void test_nak_psn_go_back_n(void)
{
	struct seen s;
	struct ursa_rdma_wc wc;

	setup(1024, 10, 1, 14);
	CU_ASSERT_FATAL(post_wr(URSA_RDMA_WR_SEND, 5000, 1) == 1); /* PSN 10..14 */
	poll_until_quiet();
	CU_ASSERT_EQUAL(sent.n, 5);
	roce_cap_drain(&sent);
	/* the responder missed 12: NAK-PSN 12 acks 10, 11 and rewinds to 12 */
	inject_ack(ROCE_OP_ACK, 12, 0x60, NULL, 0);
	poll_until_quiet();
	CU_ASSERT_EQUAL_FATAL(sent.n, 3);
	parse(out[0], &s);
	CU_ASSERT_EQUAL(s.psn, 12);
	CU_ASSERT_EQUAL(s.opcode, ROCE_OP_SEND_MIDDLE);
	parse(out[2], &s);
	CU_ASSERT_EQUAL(s.psn, 14);
	CU_ASSERT_EQUAL(s.opcode, ROCE_OP_SEND_LAST);
	CU_ASSERT_EQUAL(s.paylen, 5000 - 4096);
	roce_cap_drain(&sent);
	inject_ack(ROCE_OP_ACK, 14, 0x1f, NULL, 0);
	CU_ASSERT_EQUAL(ursa_roce_cq_poll(cq, &wc, 1), 1);
	CU_ASSERT_EQUAL(wc.status, URSA_RDMA_WC_SUCCESS);
	CU_ASSERT_EQUAL(ursa_test_counter(lc, "roce", "rx_nak_psn"), 1);
	teardown();
}

static void test_remote_errors(void)
{
	static const struct {
		uint8_t syn;
		enum ursa_rdma_wc_status st;
	} cases[] = {
		{0x61, URSA_RDMA_WC_REM_INV_REQ_ERR},
		{0x62, URSA_RDMA_WC_REM_ACCESS_ERR},
		{0x63, URSA_RDMA_WC_REM_OP_ERR},
	};

	for (unsigned i = 0; i < RTE_DIM(cases); i++) {
		struct ursa_rdma_wc wc;
		struct ursa_rdma_qp_attr a;

		setup(1024, 10, 1, 14);
		CU_ASSERT_FATAL(post_wr(URSA_RDMA_WR_RDMA_WRITE, 100, 1) == 1);
		CU_ASSERT_FATAL(post_wr(URSA_RDMA_WR_RDMA_WRITE, 100, 2) == 1);
		poll_until_quiet();
		inject_ack(ROCE_OP_ACK, 11, cases[i].syn, NULL, 0); /* the second failed */
		CU_ASSERT_EQUAL(ursa_roce_cq_poll(cq, &wc, 1), 1);
		CU_ASSERT_EQUAL(wc.wr_id, 1); /* the first was implicitly acknowledged */
		CU_ASSERT_EQUAL(wc.status, URSA_RDMA_WC_SUCCESS);
		CU_ASSERT_EQUAL(ursa_roce_cq_poll(cq, &wc, 1), 1);
		CU_ASSERT_EQUAL(wc.wr_id, 2);
		CU_ASSERT_EQUAL(wc.status, cases[i].st);
		CU_ASSERT_EQUAL(wc.vendor_err, cases[i].syn);
		ursa_roce_qp_query(qp, &a);
		CU_ASSERT_EQUAL(a.qp_state, URSA_RDMA_QPS_ERR);
		/* posting in the error state flushes */
		CU_ASSERT_EQUAL(post_wr(URSA_RDMA_WR_SEND, 1, 3), 1);
		CU_ASSERT_EQUAL(ursa_roce_cq_poll(cq, &wc, 1), 1);
		CU_ASSERT_EQUAL(wc.wr_id, 3);
		CU_ASSERT_EQUAL(wc.status, URSA_RDMA_WC_WR_FLUSH_ERR);
		teardown();
	}
}

static void test_timeout_retransmits_from_una(void)
{
	struct seen s;

	setup(1024, 10, 1, 10);					   /* 4.096 us << 10 = 4.19 ms */
	CU_ASSERT_FATAL(post_wr(URSA_RDMA_WR_SEND, 3000, 1) == 1); /* 10, 11, 12 */
	poll_until_quiet();
	CU_ASSERT_EQUAL(sent.n, 3);
	roce_cap_drain(&sent);
	inject_ack(ROCE_OP_ACK, 10, 0x1f, NULL, 0); /* coalesced ACK up to 10 */
	ursa_test_advance(lc, (4096ull << 10) - 1);
	CU_ASSERT_EQUAL(sent.n, 0);
	ursa_test_advance(lc, 1);
	/* a probe: only the oldest unacknowledged packet, asking for an ACK */
	CU_ASSERT_EQUAL_FATAL(sent.n, 1);
	parse(out[0], &s);
	CU_ASSERT_EQUAL(s.psn, 11);
	CU_ASSERT_EQUAL(s.opcode, ROCE_OP_SEND_MIDDLE);
	CU_ASSERT(s.ackreq);
	CU_ASSERT_EQUAL(ursa_test_counter(lc, "roce", "timeout"), 1);
	roce_cap_drain(&sent);
	poll_until_quiet();
	CU_ASSERT_EQUAL(sent.n, 0);
	/* lost too: the next timeout probes again with the same packet */
	ursa_test_advance(lc, 4096ull << 10);
	CU_ASSERT_EQUAL_FATAL(sent.n, 1);
	parse(out[0], &s);
	CU_ASSERT_EQUAL(s.psn, 11);
	CU_ASSERT_EQUAL(ursa_test_counter(lc, "roce", "timeout"), 2);
	roce_cap_drain(&sent);
	/* the responder answers: the rest of the window goes again */
	inject_ack(ROCE_OP_ACK, 11, 0x1f, NULL, 0);
	poll_until_quiet();
	CU_ASSERT_EQUAL_FATAL(sent.n, 1);
	parse(out[0], &s);
	CU_ASSERT_EQUAL(s.psn, 12);
	CU_ASSERT_EQUAL(s.opcode, ROCE_OP_SEND_LAST);
	roce_cap_drain(&sent);
	teardown();
}

/* A stall, not a loss: the responder got the whole window, only its ACK was late. The probe's
 * answer (a duplicate's re-ACK of the responder's last PSN) acknowledges everything: no
 * window of duplicates. */
static void test_timeout_probe_skips_what_arrived(void)
{
	struct seen s;
	struct ursa_rdma_wc wc;

	setup(1024, 10, 1, 10);
	CU_ASSERT_FATAL(post_wr(URSA_RDMA_WR_SEND, 3000, 1) == 1); /* 10, 11, 12 */
	CU_ASSERT_FATAL(post_wr(URSA_RDMA_WR_SEND, 1000, 2) == 1); /* 13 */
	poll_until_quiet();
	CU_ASSERT_EQUAL(sent.n, 4);
	roce_cap_drain(&sent);
	ursa_test_advance(lc, 4096ull << 10);
	CU_ASSERT_EQUAL_FATAL(sent.n, 1);
	parse(out[0], &s);
	CU_ASSERT_EQUAL(s.psn, 10);
	CU_ASSERT_EQUAL(s.opcode, ROCE_OP_SEND_FIRST);
	CU_ASSERT(s.ackreq);
	roce_cap_drain(&sent);
	inject_ack(ROCE_OP_ACK, 13, 0x1f, NULL, 0);
	poll_until_quiet();
	CU_ASSERT_EQUAL(sent.n, 0);
	CU_ASSERT_EQUAL_FATAL(ursa_roce_cq_poll(cq, &wc, 1), 1);
	CU_ASSERT_EQUAL(wc.wr_id, 1);
	CU_ASSERT_EQUAL(wc.status, URSA_RDMA_WC_SUCCESS);
	CU_ASSERT_EQUAL_FATAL(ursa_roce_cq_poll(cq, &wc, 1), 1);
	CU_ASSERT_EQUAL(wc.wr_id, 2);
	CU_ASSERT_EQUAL(ursa_test_counter(lc, "roce", "retransmit"), 1);
	teardown();
}

static void test_post_validation(void)
{
	struct ursa_rdma_sge sge = {(uintptr_t)mem, 8, 0};
	struct ursa_rdma_send_wr wr = {
		.opcode = URSA_RDMA_WR_ATOMIC_FETCH_AND_ADD, .sg_list = &sge, .num_sge = 1};
	struct ursa_rdma_sge many[3];
	struct ursa_rdma_qp_attr a = {0};

	setup(1024, 10, 0, 14);
	/* max_rd_atomic 0: no READ/ATOMIC */
	CU_ASSERT_EQUAL(ursa_roce_post_send(qp, &wr, 1), -EINVAL);
	/* more SGEs than the QP has */
	wr.opcode = URSA_RDMA_WR_SEND;
	wr.sg_list = many;
	wr.num_sge = 3;
	CU_ASSERT_EQUAL(ursa_roce_post_send(qp, &wr, 1), -EINVAL);
	/* bad state transitions and attributes */
	a.qp_state = URSA_RDMA_QPS_RTR;
	CU_ASSERT_EQUAL(ursa_roce_qp_modify(qp, &a, URSA_RDMA_QP_STATE, NULL), -EINVAL);
	a.qp_state = URSA_RDMA_QPS_RTS;
	a.path_mtu = 1500;
	CU_ASSERT_EQUAL(
		ursa_roce_qp_modify(qp, &a, URSA_RDMA_QP_STATE | URSA_RDMA_QP_PATH_MTU, NULL),
		-EINVAL);
	a.path_mtu = 1024;
	a.retry_cnt = 8;
	CU_ASSERT_EQUAL(
		ursa_roce_qp_modify(qp, &a, URSA_RDMA_QP_STATE | URSA_RDMA_QP_RETRY_CNT, NULL),
		-EINVAL);
	/* SQ full */
	sge.lkey = ursa_roce_mr_lkey(mr);
	wr.sg_list = &sge;
	wr.num_sge = 1;
	a.qp_state = URSA_RDMA_QPS_SQD; /* drained: nothing leaves, the queue fills */
	CU_ASSERT_EQUAL(ursa_roce_qp_modify(qp, &a, URSA_RDMA_QP_STATE, NULL), 0);
	for (int i = 0; i < 512; i++)
		CU_ASSERT_EQUAL(ursa_roce_post_send(qp, &wr, 1), 1);
	CU_ASSERT_EQUAL(ursa_roce_post_send(qp, &wr, 1), -ENOMEM);
	poll_until_quiet();
	CU_ASSERT_EQUAL(sent.n, 0);
	/* back to RTS: the queue drains (window-limited) */
	a.qp_state = URSA_RDMA_QPS_RTS;
	CU_ASSERT_EQUAL(ursa_roce_qp_modify(qp, &a, URSA_RDMA_QP_STATE, NULL), 0);
	poll_until_quiet();
	CU_ASSERT_EQUAL(sent.n, 128);
	teardown();

	/* a bad local key fails the WQE with a local protection error */
	setup(1024, 10, 0, 14);
	sge.lkey = ursa_roce_mr_lkey(mr) ^ 1;
	CU_ASSERT_EQUAL(ursa_roce_post_send(qp, &wr, 1), 1);
	{
		struct ursa_rdma_wc wc;

		CU_ASSERT_EQUAL(ursa_roce_cq_poll(cq, &wc, 1), 1);
		CU_ASSERT_EQUAL(wc.status, URSA_RDMA_WC_LOC_PROT_ERR);
		CU_ASSERT_EQUAL(ursa_roce_cq_poll(cq, &wc, 1), 0);
	}
	CU_ASSERT_EQUAL(sent.n, 0);
	teardown();
}

static void test_cq_overflow_and_sqd(void)
{
	struct ursa_rdma_wc wc;
	struct ursa_rdma_qp_attr a = {0};
	struct seen s;

	cq_size = 1;
	setup(1024, 10, 1, 14);
	CU_ASSERT_FATAL(post_wr(URSA_RDMA_WR_SEND, 10, 1) == 1);
	CU_ASSERT_FATAL(post_wr(URSA_RDMA_WR_SEND, 10, 2) == 1);
	poll_until_quiet();
	inject_ack(ROCE_OP_ACK, 11, 0x1f, NULL, 0);
	CU_ASSERT_EQUAL(ursa_test_counter(lc, "roce", "drop_cq_overflow"), 1);
	ursa_roce_qp_query(qp, &a);
	CU_ASSERT_EQUAL(a.qp_state, URSA_RDMA_QPS_ERR);
	CU_ASSERT_EQUAL(ursa_roce_cq_poll(cq, &wc, 1), 1);
	CU_ASSERT_EQUAL(wc.wr_id, 1);
	teardown();
	cq_size = 1024;

	/* SQD: the message in progress is finished, the next one waits for RTS */
	setup(256, 10, 1, 14);
	CU_ASSERT_FATAL(post_wr(URSA_RDMA_WR_SEND, 200 * 256, 1) == 1);
	CU_ASSERT_FATAL(post_wr(URSA_RDMA_WR_SEND, 10, 2) == 1);
	ursa_lcore_poll(lc); /* starts the first message */
	a.qp_state = URSA_RDMA_QPS_SQD;
	CU_ASSERT_EQUAL(ursa_roce_qp_modify(qp, &a, URSA_RDMA_QP_STATE, NULL), 0);
	for (uint32_t p = 10; p < 10 + 200; p += 64) { /* ACK as the window fills */
		poll_until_quiet();
		inject_ack(ROCE_OP_ACK, p + 63 < 10 + 199 ? p + 63 : 10 + 199, 0x1f, NULL, 0);
	}
	poll_until_quiet();
	CU_ASSERT_EQUAL(ursa_roce_cq_poll(cq, &wc, 1), 1);
	CU_ASSERT_EQUAL(wc.wr_id, 1);
	CU_ASSERT_EQUAL(ursa_test_counter(lc, "roce", "tx"), 200);
	roce_cap_drain(&sent);
	a.qp_state = URSA_RDMA_QPS_RTS;
	CU_ASSERT_EQUAL(ursa_roce_qp_modify(qp, &a, URSA_RDMA_QP_STATE, NULL), 0);
	poll_until_quiet();
	CU_ASSERT_EQUAL_FATAL(sent.n, 1);
	parse(out[0], &s);
	CU_ASSERT_EQUAL(s.psn, 210);
	teardown();
}

/* The usual reaction to an error completion: tear everything down from the CQ callback. */
static unsigned cb_events;
static void destroy_all_cb(struct ursa_roce_cq *c, void *arg)
{
	RTE_SET_USED(arg);
	cb_events++;
	CU_ASSERT_EQUAL(ursa_roce_qp_destroy(qp), 0);
	CU_ASSERT_EQUAL(ursa_roce_mr_dereg(mr), 0);
	CU_ASSERT_EQUAL(ursa_roce_cq_destroy(c), 0);
	qp = NULL;
	mr = NULL;
	cq = NULL;
}

/* The callback runs from the poll loop, never inside the packet that caused the completion,
 * so destroying the QP, the MR and the CQ in it leaves nobody using freed memory (this is
 * the test to run under ASan: before, the completer went on with the freed QP). */
static void cq_event_destroys_all(bool responder)
{
	setup(1024, 10, 1, 14);
	ursa_roce_cq_set_event(cq, destroy_all_cb, NULL);
	CU_ASSERT_EQUAL(ursa_roce_cq_arm(cq, true), 0); /* errors wake solicited-only too */
	cb_events = 0;
	if (responder) {
		/* a SEND from the peer into a receive WQE whose lkey is bad: a local protection
		 * error completion, then the responder NAKs with the QP */
		struct ursa_rdma_sge sge = {(uintptr_t)mem, 64, 0x1234};
		struct ursa_rdma_recv_wr rw = {.wr_id = 7, .sg_list = &sge, .num_sge = 1};

		CU_ASSERT_FATAL(ursa_roce_post_recv(qp, &rw, 1) == 1);
		inject_ack(ROCE_OP_SEND_ONLY, 1, 0, "hostile", 8);
		CU_ASSERT_EQUAL(ursa_test_counter(lc, "roce", "tx_nak_op"), 1);
	} else {
		/* the peer NAKs a WRITE: an error completion, then the QP goes to error */
		CU_ASSERT_FATAL(post_wr(URSA_RDMA_WR_RDMA_WRITE, 100, 1) == 1);
		poll_until_quiet();
		inject_ack(ROCE_OP_ACK, 10, 0x62, NULL, 0);
		CU_ASSERT_EQUAL(ursa_test_counter(lc, "roce", "rx_nak_err"), 1);
	}
	CU_ASSERT_EQUAL(ursa_test_counter(lc, "roce", "qp_error"), 1);
	CU_ASSERT_EQUAL(cb_events, 0); /* not inside packet processing */
	CU_ASSERT_PTR_NOT_NULL(qp);
	ursa_lcore_poll(lc);
	CU_ASSERT_EQUAL(cb_events, 1);
	CU_ASSERT_PTR_NULL(qp);
	CU_ASSERT_PTR_NULL(cq);
	poll_until_quiet();
	CU_ASSERT_EQUAL(cb_events, 1);
	roce_cap_drain(&sent);
	CU_ASSERT_EQUAL(ursa_roce_pd_free(pd), 0); /* nothing uses it any more */
	ursa_lcore_destroy(lc);
}

static void test_cq_event_destroy_from_callback(void)
{
	cq_event_destroys_all(false);
	cq_event_destroys_all(true);
}

/* A CQ destroyed while its event is queued, and an event queued when the lcore goes. */
static void test_cq_event_queue_lifetime(void)
{
	struct ursa_roce_cq *c2;

	setup(1024, 10, 1, 14);
	CU_ASSERT_FATAL(ursa_roce_cq_create(lc, 4, &c2) == 0);
	ursa_roce_cq_set_event(c2, destroy_all_cb, NULL);
	CU_ASSERT_EQUAL(ursa_roce_cq_arm(c2, false), 0);
	CU_ASSERT_EQUAL(roce_cq_push(c2, &(struct ursa_rdma_wc){.wr_id = 1}, false), 0);
	CU_ASSERT_EQUAL(ursa_roce_cq_destroy(c2), 0); /* leaves the queue with it */
	cb_events = 0;
	poll_until_quiet();
	CU_ASSERT_EQUAL(cb_events, 0);
	CU_ASSERT(TAILQ_EMPTY(&lc->roce->cq_events));
	/* queued, then the lcore goes before any poll; the CQ is destroyed after it */
	CU_ASSERT_FATAL(ursa_roce_cq_create(lc, 4, &c2) == 0);
	ursa_roce_cq_set_event(c2, destroy_all_cb, NULL);
	CU_ASSERT_EQUAL(ursa_roce_cq_arm(c2, false), 0);
	CU_ASSERT_EQUAL(roce_cq_push(c2, &(struct ursa_rdma_wc){.wr_id = 2}, false), 0);
	teardown();
	CU_ASSERT_EQUAL(cb_events, 0);
	CU_ASSERT_EQUAL(ursa_roce_cq_destroy(c2), 0);
}

/* The ATOMIC result lands in sge[0] only, and only when it holds 8 bytes: 4 + 4 bytes add
 * up to 8 for post_send, but writing 8 into the first would overrun it. */
static void test_atomic_result_sge0(void)
{
	struct ursa_rdma_sge two[2] = {{(uintptr_t)mem, 4, 0}, {(uintptr_t)mem + 64, 4, 0}};
	struct ursa_rdma_send_wr wr = {.wr_id = 1,
				       .opcode = URSA_RDMA_WR_ATOMIC_FETCH_AND_ADD,
				       .send_flags = URSA_RDMA_SEND_SIGNALED,
				       .sg_list = two,
				       .num_sge = 2,
				       .atomic = {0x10000, 1, 0, 0xabcdef01}};
	struct ursa_rdma_wc wc;

	setup(1024, 10, 1, 14);
	two[0].lkey = two[1].lkey = ursa_roce_mr_lkey(mr);
	memset(mem, 0xee, 128);
	CU_ASSERT_FATAL(ursa_roce_post_send(qp, &wr, 1) == 1);
	poll_until_quiet();
	inject_ack(ROCE_OP_ATOMIC_ACK, 10, 0x1f, NULL, 0); /* original value 0 */
	CU_ASSERT_EQUAL(ursa_roce_cq_poll(cq, &wc, 1), 1);
	CU_ASSERT_EQUAL(wc.wr_id, 1);
	CU_ASSERT_EQUAL(wc.status, URSA_RDMA_WC_LOC_LEN_ERR);
	for (int i = 0; i < 128; i++)
		if (mem[i] != 0xee) {
			CU_FAIL("the atomic result was written past sge[0]");
			break;
		}
	teardown();

	/* 8 bytes in sge[0]: written there, nothing beyond */
	setup(1024, 10, 1, 14);
	two[0].lkey = ursa_roce_mr_lkey(mr);
	two[0].length = 8;
	wr.num_sge = 1;
	wr.wr_id = 2;
	memset(mem, 0xee, 128);
	CU_ASSERT_FATAL(ursa_roce_post_send(qp, &wr, 1) == 1);
	poll_until_quiet();
	inject_ack(ROCE_OP_ATOMIC_ACK, 10, 0x1f, NULL, 0);
	CU_ASSERT_EQUAL(ursa_roce_cq_poll(cq, &wc, 1), 1);
	CU_ASSERT_EQUAL(wc.wr_id, 2);
	CU_ASSERT_EQUAL(wc.status, URSA_RDMA_WC_SUCCESS);
	for (int i = 0; i < 8; i++)
		CU_ASSERT_EQUAL(mem[i], 0);
	CU_ASSERT_EQUAL(mem[8], 0xee);
	teardown();
}

/* Zero-copy transmit: the payload of a WRITE is attached, not copied; a retransmission that
 * is due carries the bytes as they were posted; after the completion (the ACK) the
 * application may reuse its buffer: a stale copy still queued then fails its ICRC, and the
 * MR cannot be deregistered while a frame points into it. */
static void test_zero_copy(void)
{
	uint8_t orig[1024], got[1024];
	struct ursa_rdma_wc wc;
	struct rte_mbuf *seg, *stale;
	struct seen s;

	setup(1024, 10, 1, 10);
	for (unsigned i = 0; i < 3000; i++)
		mem[i] = (uint8_t)(i * 7 + 3);
	memcpy(orig, mem, sizeof(orig));
	CU_ASSERT_FATAL(post_wr(URSA_RDMA_WR_RDMA_WRITE, 3000, 1) == 1); /* 10, 11, 12 */
	poll_until_quiet();
	CU_ASSERT_EQUAL_FATAL(sent.n, 3);
	CU_ASSERT_EQUAL(ursa_test_counter(lc, "roce", "tx_zc_pkts"), 3);
	for (unsigned i = 0; i < 3; i++)
		parse(out[i], &s); /* headers and ICRC right */
	seg = out[0]->next;
	CU_ASSERT_FATAL(seg != NULL);
	CU_ASSERT(RTE_MBUF_HAS_EXTBUF(seg) != 0);
	CU_ASSERT(rte_pktmbuf_mtod(seg, uint8_t *) == mem); /* the registered memory itself */
	CU_ASSERT_EQUAL(rte_pktmbuf_data_len(seg), 1024);
	CU_ASSERT_EQUAL(ursa_roce_mr_dereg(mr), -EBUSY);
	/* all lost: the retransmission due carries the posted bytes */
	roce_cap_drain(&sent);
	ursa_test_advance(lc, 4096ull << 10);
	CU_ASSERT_EQUAL_FATAL(sent.n, 1);
	parse(out[0], &s);
	CU_ASSERT_EQUAL(s.psn, 10);
	CU_ASSERT_FATAL(roce_mbuf_read(out[0], 28 + 12 + 16, got, sizeof(got)) == 0);
	CU_ASSERT_EQUAL(memcmp(got, orig, sizeof(got)), 0);
	stale = out[0]; /* still queued somewhere when the ACK comes */
	sent.n = 0;
	inject_ack(ROCE_OP_ACK, 12, 0x1f, NULL, 0);
	poll_until_quiet();
	CU_ASSERT_EQUAL(sent.n, 0); /* nothing is due any more */
	CU_ASSERT_EQUAL_FATAL(ursa_roce_cq_poll(cq, &wc, 1), 1);
	CU_ASSERT_EQUAL(wc.status, URSA_RDMA_WC_SUCCESS);
	CU_ASSERT_EQUAL(wc.wr_id, 1);
	/* the application reuses its buffer after the completion */
	memset(mem, 0xee, 3000);
	CU_ASSERT_FALSE(roce_icrc_check(rte_pktmbuf_mtod(stale, const uint8_t *), stale, 28,
					rte_pktmbuf_pkt_len(stale) - 28));
	CU_ASSERT_EQUAL(ursa_roce_mr_dereg(mr), -EBUSY);
	rte_pktmbuf_free(stale);
	teardown(); /* deregisters the MR: nothing holds it now */
}

int main(void)
{
	CU_pSuite s;

	ursa_test_eal();
	mem = calloc(1, MEM_LEN);
	if (mem == NULL || CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("roce_req", NULL, NULL);
	CU_add_test(s, "segmentation at every PMTU", test_segmentation_every_pmtu);
	CU_add_test(s, "READ PSNs and max_rd_atomic", test_read_psns_and_rd_atomic_limit);
	CU_add_test(s, "window of 128 and AckReq every 64", test_window_and_ackreq_every_64);
	CU_add_test(s, "NAK-PSN: go-back-N", test_nak_psn_go_back_n);
	CU_add_test(s, "remote error NAKs", test_remote_errors);
	CU_add_test(s, "local ACK timeout", test_timeout_retransmits_from_una);
	CU_add_test(s, "timeout probe: a late ACK, no window of duplicates",
		    test_timeout_probe_skips_what_arrived);
	CU_add_test(s, "post and modify validation", test_post_validation);
	CU_add_test(s, "zero-copy: retransmission, completion, stale copy, dereg", test_zero_copy);
	CU_add_test(s, "CQ overflow; SQD drains", test_cq_overflow_and_sqd);
	CU_add_test(s, "ATOMIC result: sge[0] only, 8 bytes or a length error",
		    test_atomic_result_sge0);
	CU_add_test(s, "CQ callback destroys QP, MR and CQ", test_cq_event_destroy_from_callback);
	CU_add_test(s, "CQ events: destroyed while queued, lcore gone",
		    test_cq_event_queue_lifetime);
	return ursa_test_main();
}
