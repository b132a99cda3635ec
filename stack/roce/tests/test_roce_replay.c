/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Conformance against the Linux kernel's rxe: replay the requests of each fixture capture
 * (ibv_rc_pingpong, ib_send_bw, ib_write_bw, ib_read_bw, ib_atomic_bw, 64 B and 2500 B)
 * into ursa's responder, configured from the capture (QPNs, PSN, rkey, VA, addresses, PMTU
 * 1024), and compare ursa's answers with the kernel's, field by field.
 *
 * The captures are read and the answers compared with the replay harness the pcap-tests
 * runner uses (runner.h: frame lists, the field dissector, compare_frames), with the ignore
 * list of the pcap-tests roce cases. Fields that legitimately differ (not compared):
 *   - IPv4 ID: a free per-packet value (rxe uses the kernel's IP ID generator).
 *   - IPv4 header checksum: follows from the ID.
 *   - UDP source port: flow entropy, a hash of the local QPN, whose formula is
 *     implementation-defined (rocev2.md §1.3); checked to be in 0xC000-0xFFFF and fixed.
 *   - ICRC: covers the ID and the source port; checked to be valid instead (icrc.valid).
 * Everything else the dissector decodes is compared: IP version/IHL/TOS/total length/DF/TTL/
 * protocol/addresses and header checksum validity, UDP destination port/length/checksum (0),
 * the whole BTH (opcode, SE, M, PadCnt, TVer, P_Key, DestQP, AckReq, PSN), RETH, AETH
 * (syndrome, MSN), AtomicETH, AtomicAckETH, and payload and pad bytes.
 */
#include <errno.h>
#include <sys/socket.h>

#include <rte_ip.h>
#include <rte_udp.h>

#include "roce_cap.h"
#include "roce_priv.h"
#include "roce_qp_up.h"
#include "roce_test_util.h"

#define SERVER "10.77.0.2"

static uint64_t ld64(const uint8_t *p)
{
	rte_be64_t v;

	memcpy(&v, p, 8);
	return rte_be_to_cpu_64(v);
}

static uint32_t ld32(const uint8_t *p)
{
	rte_be32_t v;

	memcpy(&v, p, 4);
	return rte_be_to_cpu_32(v);
}
#define CLIENT "10.77.0.3"

static struct rte_mbuf *out[256];
static struct roce_cap sent = {.v = out, .max = RTE_DIM(out)};

/* A RoCEv2 frame of a fixture, as the replay reads it. */
struct rframe {
	const struct frame *raw; /* the whole Ethernet frame */
	uint32_t l3;		 /* where the IP header starts in it */
	const uint8_t *ip;	 /* IP header */
	uint32_t iplen_total;
	const uint8_t *bth;
	uint32_t bthlen; /* BTH .. ICRC */
	uint32_t src;	 /* IPv4 source, network order */
};

static bool frame_of(const struct frame *f, struct rframe *fr)
{
	int l3, iplen;

	if (!fixture_is_roce(f, &l3, &iplen) || iplen != 20)
		return false;
	fr->raw = f;
	fr->l3 = (uint32_t)l3;
	fr->ip = f->data + l3;
	fr->iplen_total = (uint32_t)(fr->ip[2] << 8 | fr->ip[3]);
	fr->bth = fr->ip + 28;
	fr->bthlen = fr->iplen_total - 28;
	memcpy(&fr->src, fr->ip + 12, 4);
	return true;
}

/*
 * ursa's packets (IP, as the engine hands them to IP output) against the kernel's frames,
 * with the harness: each of ursa's packets gets the Ethernet header of the kernel's frame,
 * then compare_frames pairs them in order and compares every decoded field but the ignored.
 * ursa's UDP source port must be in 0xC000-0xFFFF and the same in every packet of the QP.
 */
static void compare_all(struct rte_mbuf *const *ours, unsigned nours, const struct rframe *k,
			unsigned nk, const char *name)
{
	static const char *const ignore[] = {"ip.id", "ip.cksum", "udp.sport", "icrc"};
	static struct case_conf conf;
	struct frame_list exp = {0}, act = {0};
	struct compare_opts o = {.conf = &conf};
	struct compare_result r;
	uint16_t sport0 = 0;

	CU_ASSERT_FATAL(nk > 0);
	memset(&conf, 0, sizeof(conf));
	for (unsigned i = 0; i < RTE_DIM(ignore); i++)
		snprintf(conf.ignore[conf.nignore++], CASE_NAME_LEN, "%s", ignore[i]);
	snprintf(conf.ignore_reason, sizeof(conf.ignore_reason),
		 "%s: IP ID generator, UDP source port hash, ICRC over both (icrc.valid compared)",
		 name);
	conf.time_check = TIME_CHECK_ORDER;
	for (unsigned i = 0; i < nk; i++)
		CU_ASSERT_FATAL(frames_add(&exp, 0, k[i].raw->data, k[i].raw->len) == 0);
	for (unsigned i = 0; i < nours; i++) {
		uint8_t f[2048];
		uint32_t len = rte_pktmbuf_pkt_len(ours[i]);
		uint16_t sport;

		CU_ASSERT_FATAL(k[0].l3 + len <= sizeof(f));
		memcpy(f, k[0].raw->data, k[0].l3);
		roce_mbuf_read(ours[i], 0, f + k[0].l3, len);
		sport = (uint16_t)(f[k[0].l3 + 20] << 8 | f[k[0].l3 + 21]);
		CU_ASSERT(sport >= 0xc000);
		if (i == 0)
			sport0 = sport;
		CU_ASSERT_EQUAL(sport, sport0);
		CU_ASSERT_FATAL(frames_add(&act, 0, f, k[0].l3 + len) == 0);
	}
	CU_ASSERT(compare_frames(&exp, &act, &o, &r));
	CU_ASSERT_EQUAL(r.matched, nk);
	frames_free(&exp);
	frames_free(&act);
}

/* The responder's memory: one MR per rkey the requests use, over the VAs they touch. */
#define MAX_KEYS 4
struct keymem {
	uint32_t rkey;
	uint64_t lo, hi;
	struct ursa_roce_mr *mr;
	uint8_t mem[1 << 16];
};
static struct keymem km[MAX_KEYS];
static unsigned nkm;

static struct keymem *key_of(uint32_t rkey)
{
	for (unsigned i = 0; i < nkm; i++)
		if (km[i].rkey == rkey)
			return &km[i];
	return NULL;
}

static uint8_t *mem_at(uint32_t rkey, uint64_t va)
{
	struct keymem *k = key_of(rkey);

	CU_ASSERT_FATAL(k != NULL && va >= k->lo && va - k->lo < sizeof(k->mem));
	return k->mem + (va - k->lo);
}

/* Replay the requests that host req_ip sent into ursa playing host resp_ip. */
static void replay_dir(const char *file, unsigned expect_answers, const char *req_ip,
		       const char *resp_ip)
{
	struct ursa_lcore *lc;
	struct ursa_roce_pd *pd;
	struct ursa_roce_cq *cq;
	struct ursa_roce_qp *qp;
	struct ursa_roce_mr *rmr;
	struct ursa_rdma_qp_cap cap = {64, 64, 1, 1};
	struct ursa_rdma_qp_attr a = {0};
	struct ursa_rdma_gid_attr sgid;
	struct ursa_ipaddr me, peer;
	struct rframe req[64], ans[64];
	unsigned nreq = 0, nans = 0, nsend = 0;
	uint32_t our_qpn = 0, peer_qpn = 0;
	static uint8_t rbuf[64][4096];
	int ansidx[64];
	struct frame_list fl;

	fixture_load(file, &fl);
	CU_ASSERT_FATAL(fl.n > 0);
	me = ursa_test_ip(resp_ip);
	peer = ursa_test_ip(req_ip);
	nkm = 0;
	memset(km, 0, sizeof(km));
	/* Requests: peer -> us; answers: what the kernel we stand in for sent back. */
	for (unsigned i = 0; i < fl.n; i++) {
		struct rframe f;
		const struct roce_opinfo *op;

		if (!frame_of(&fl.v[i], &f))
			continue;
		op = roce_opinfo(f.bth[0]);
		if (op == NULL) /* UD (CM MADs on QP1): not RC */
			continue;
		if (f.src == peer.v4 && (op->mask & ROCE_M_REQ)) {
			req[nreq++] = f;
			our_qpn = roce_get24(f.bth + 5);
			if (op->mask & (ROCE_M_RETH | ROCE_M_ATMETH)) {
				const uint8_t *e = f.bth + 12;
				uint64_t va = ld64(e);
				uint32_t len = (op->mask & ROCE_M_RETH) ? ld32(e + 12) : 8;
				struct keymem *k = key_of(ld32(e + 8));

				if (k == NULL) {
					CU_ASSERT_FATAL(nkm < MAX_KEYS);
					k = &km[nkm++];
					k->rkey = ld32(e + 8);
					k->lo = UINT64_MAX;
				}
				k->lo = RTE_MIN(k->lo, va);
				k->hi = RTE_MAX(k->hi, va + len);
			}
			if ((op->mask & ROCE_M_SEND) && (op->mask & ROCE_M_LAST))
				nsend++;
		} else if (f.src == me.v4 && (op->mask & ROCE_M_RESP)) {
			ans[nans++] = f;
			peer_qpn = roce_get24(f.bth + 5);
		}
	}
	CU_ASSERT_FATAL(nreq > 0 && nans == expect_answers);

	lc = ursa_test_lcore(1);
	CU_ASSERT_FATAL(lc != NULL);
	{
		struct ursa_roce_conf conf = {.ttl = 64, .max_qp = 1024};

		CU_ASSERT_FATAL(ursa_roce_ctx_create(lc, &conf) == 0);
	}
	ursa_roce_set_xmit(lc, roce_cap_xmit, &sent);
	CU_ASSERT_FATAL(ursa_roce_pd_alloc(lc, &pd) == 0);
	CU_ASSERT_FATAL(ursa_roce_cq_create(lc, 64, &cq) == 0);
	CU_ASSERT_FATAL(ursa_roce_qp_create(pd, cq, cq, &cap, false, &qp) == 0);
	CU_ASSERT_FATAL(roce_qp_set_qpn(qp, our_qpn) == 0);
	for (unsigned i = 0; i < nkm; i++) {
		CU_ASSERT_FATAL(km[i].hi - km[i].lo <= sizeof(km[i].mem));
		CU_ASSERT_FATAL(ursa_roce_mr_reg_iova(pd, km[i].mem, sizeof(km[i].mem), km[i].lo,
						      URSA_RDMA_ACCESS_LOCAL_WRITE |
							      URSA_RDMA_ACCESS_REMOTE_WRITE |
							      URSA_RDMA_ACCESS_REMOTE_READ |
							      URSA_RDMA_ACCESS_REMOTE_ATOMIC,
						      &km[i].mr) == 0);
		CU_ASSERT_FATAL(roce_mr_set_key(km[i].mr, km[i].rkey) == 0);
	}
	/* Pair each request with the kernel's answer to it (READ/ATOMIC always, SEND/WRITE
	 * when AckReq ends a message), in order. */
	for (unsigned k = 0, j = 0; k < nreq; k++) {
		const struct roce_opinfo *qo = roce_opinfo(req[k].bth[0]);

		ansidx[k] = -1;
		if ((qo->mask & (ROCE_M_READ | ROCE_M_ATOMIC)) ||
		    roce_bth_ackreq((const struct roce_bth *)req[k].bth))
			if (j < nans)
				ansidx[k] = (int)j++;
	}
	CU_ASSERT_FATAL(
		ursa_roce_mr_reg(pd, rbuf, sizeof(rbuf), URSA_RDMA_ACCESS_LOCAL_WRITE, &rmr) == 0);
	a.qp_state = URSA_RDMA_QPS_INIT;
	a.qp_access_flags = URSA_RDMA_ACCESS_REMOTE_WRITE | URSA_RDMA_ACCESS_REMOTE_READ |
			    URSA_RDMA_ACCESS_REMOTE_ATOMIC;
	CU_ASSERT_FATAL(ursa_roce_qp_modify(qp, &a, URSA_RDMA_QP_STATE | URSA_RDMA_QP_ACCESS_FLAGS,
					    NULL) == 0);
	for (unsigned k = 0; k < nsend; k++) {
		struct ursa_rdma_sge sge = {(uintptr_t)rbuf[k], 4096, ursa_roce_mr_lkey(rmr)};
		struct ursa_rdma_recv_wr wr = {.wr_id = k, .sg_list = &sge, .num_sge = 1};

		CU_ASSERT_FATAL(ursa_roce_post_recv(qp, &wr, 1) == 1);
	}
	a.qp_state = URSA_RDMA_QPS_RTR;
	a.path_mtu = 1024;
	a.dest_qp_num = peer_qpn;
	a.rq_psn = roce_get24(req[0].bth + 9);
	a.max_dest_rd_atomic = 16;
	a.min_rnr_timer = 12;
	sgid = roce_test_sgid(&me, 0, 0);
	ursa_rdma_gid_from_addr(&a.ah.dgid, &peer);
	a.ah.hop_limit = ans[0].ip[8]; /* as the kernel's QP had it (SMC-R uses 1) */
	CU_ASSERT_FATAL(ursa_roce_qp_modify(qp, &a,
					    URSA_RDMA_QP_STATE | URSA_RDMA_QP_PATH_MTU |
						    URSA_RDMA_QP_DEST_QPN | URSA_RDMA_QP_RQ_PSN |
						    URSA_RDMA_QP_MAX_DEST_RD_ATOMIC |
						    URSA_RDMA_QP_MIN_RNR_TIMER | URSA_RDMA_QP_AV,
					    &sgid) == 0);

	/* Replay the requests as the kernel sent them. Before a READ or an ATOMIC, our memory
	 * takes the value the kernel's answer shows (the peer application changes its buffers
	 * between rounds); after a WRITE, the memory must hold its payload. */
	for (unsigned k = 0; k < nreq; k++) {
		const struct roce_opinfo *qo = roce_opinfo(req[k].bth[0]);
		struct rte_mbuf *m = ursa_test_mbuf(lc, req[k].ip, req[k].iplen_total);
		uint32_t pay = req[k].bthlen - qo->length - 4 - ((req[k].bth[1] >> 4) & 3);

		CU_ASSERT_FATAL(m != NULL);
		if ((qo->mask & (ROCE_M_READ | ROCE_M_ATOMIC)) && ansidx[k] >= 0) {
			const struct rframe *an = &ans[ansidx[k]];
			const struct roce_opinfo *ao = roce_opinfo(an->bth[0]);
			uint8_t *dst = mem_at(ld32(req[k].bth + 20), ld64(req[k].bth + 12));

			if (ao->mask & ROCE_M_READ) {
				memcpy(dst, an->bth + ao->length,
				       an->bthlen - ao->length - 4 - ((an->bth[1] >> 4) & 3));
			} else if (qo->mask & ROCE_M_ATOMIC) {
				uint64_t orig = ld64(an->bth + 16);

				memcpy(dst, &orig, 8);
			}
		}
		ursa_roce_input_l3(lc, m, 0);
		ursa_lcore_poll(lc);
		if ((qo->mask & ROCE_M_WRITE) && (qo->mask & ROCE_M_RETH) &&
		    (qo->mask & ROCE_M_LAST))
			CU_ASSERT_EQUAL(memcmp(mem_at(ld32(req[k].bth + 20), ld64(req[k].bth + 12)),
					       req[k].bth + qo->length, pay),
					0);
	}
	CU_ASSERT_EQUAL(sent.n, nans);
	for (unsigned k = 0; k < sent.n; k++) {
		uint32_t len = rte_pktmbuf_pkt_len(out[k]);

		CU_ASSERT(roce_icrc_check(rte_pktmbuf_mtod(out[k], const uint8_t *), out[k], 28,
					  len - 28));
	}
	compare_all(out, sent.n, ans, nans, file);
	roce_cap_drain(&sent);
	/* The requests' effects: WRITE data in memory, SEND data in the receive buffers. */
	for (unsigned k = 0, s = 0, j = 0; k < nreq; k++) {
		const struct roce_opinfo *qo = roce_opinfo(req[k].bth[0]);
		uint32_t pay = req[k].bthlen - qo->length - 4 - ((req[k].bth[1] >> 4) & 3);

		if ((qo->mask & ROCE_M_SEND) && (qo->mask & ROCE_M_ONLY) == ROCE_M_ONLY) {
			struct ursa_rdma_wc wc;

			CU_ASSERT_EQUAL(memcmp(rbuf[s], req[k].bth + qo->length, pay), 0);
			CU_ASSERT_EQUAL(ursa_roce_cq_poll(cq, &wc, 1), 1);
			CU_ASSERT_EQUAL(wc.byte_len, pay);
			CU_ASSERT_EQUAL(wc.wr_id, s);
			s++;
		}
		if (qo->mask & ROCE_M_ATOMIC) {
			uint64_t add = ld64(req[k].bth + 24);
			uint64_t orig = ld64(ans[j].bth + 16), now;

			memcpy(&now, mem_at(ld32(req[k].bth + 20), ld64(req[k].bth + 12)), 8);
			CU_ASSERT_EQUAL(now, orig + add);
			j++;
		}
	}
	CU_ASSERT_EQUAL(ursa_test_counter(lc, "roce", "drop_bad_icrc"), 0);
	ursa_roce_qp_destroy(qp);
	for (unsigned i = 0; i < nkm; i++)
		ursa_roce_mr_dereg(km[i].mr);
	ursa_roce_mr_dereg(rmr);
	ursa_roce_cq_destroy(cq);
	ursa_roce_pd_free(pd);
	ursa_lcore_destroy(lc);
	frames_free(&fl);
}

static void replay(const char *file, unsigned expect_answers)
{
	replay_dir(file, expect_answers, CLIENT, SERVER);
}

static void test_smc(void)
{
	/* kernel SMC-Rv2: LLC messages as SEND, 16 KiB RDMA WRITEs into the RMB, CDC SENDs */
	replay_dir("smc_ueid-linux6.12.pcap", 7, CLIENT, SERVER);
	replay_dir("smc_ueid-linux6.12.pcap", 7, SERVER, CLIENT);
}

static void test_rping(void)
{
	/* the client's SENDs (rping_rdma_info) into ursa as the server */
	replay_dir("rping-linux6.1.pcap", 6, CLIENT, SERVER);
	/* the server's READs and WRITEs of the client's buffers (two rkeys) and its SENDs,
	 * into ursa as the client */
	replay_dir("rping-linux6.1.pcap", 12, SERVER, CLIENT);
}

static void test_write_bw(void)
{
	replay("write_bw-linux6.1.pcap", 5);
}

static void test_write_bw_2k(void)
{
	replay("write_bw_2k-linux6.1.pcap", 5);
}

static void test_read_bw(void)
{
	replay("read_bw-linux6.1.pcap", 5);
}

static void test_atomic_bw(void)
{
	replay("atomic_bw-linux6.1.pcap", 5);
}

static void test_send_bw(void)
{
	replay("send_bw-linux6.1.pcap", 5);
}

static void test_rc_pingpong(void)
{
	replay("rc_pingpong-linux6.1.pcap", 5);
}

/*
 * The other direction: ursa as the client. Post the work requests the client posted (read
 * back from its packets), compare ursa's requests with the kernel's field by field, then feed
 * the kernel server's answers and check the completions and the data they bring.
 */
static void replay_requester(const char *file)
{
	struct ursa_lcore *lc;
	struct ursa_roce_pd *pd;
	struct ursa_roce_cq *cq;
	struct ursa_roce_qp *qp;
	struct ursa_roce_mr *mr;
	struct ursa_rdma_qp_cap cap = {64, 64, 1, 1};
	struct ursa_rdma_qp_attr a = {0};
	struct ursa_rdma_gid_attr sgid;
	struct ursa_ipaddr srv, cli;
	struct rframe req[64], ans[64];
	unsigned nreq = 0, nans = 0, nwr = 0;
	static uint8_t local[64][4096];
	uint64_t ids[64];
	struct frame_list fl;

	fixture_load(file, &fl);
	CU_ASSERT_FATAL(fl.n > 0);
	srv = ursa_test_ip(SERVER);
	cli = ursa_test_ip(CLIENT);
	for (unsigned i = 0; i < fl.n; i++) {
		struct rframe f;
		const struct roce_opinfo *op;

		if (!frame_of(&fl.v[i], &f))
			continue;
		op = roce_opinfo(f.bth[0]);
		if (f.src == cli.v4 && (op->mask & ROCE_M_REQ))
			req[nreq++] = f;
		else if (f.src == srv.v4 && (op->mask & ROCE_M_RESP))
			ans[nans++] = f;
	}
	CU_ASSERT_FATAL(nreq > 0 && nans > 0);
	lc = ursa_test_lcore(2);
	{
		struct ursa_roce_conf conf = {.ttl = 64, .max_qp = 1024};

		CU_ASSERT_FATAL(ursa_roce_ctx_create(lc, &conf) == 0);
	}
	ursa_roce_set_xmit(lc, roce_cap_xmit, &sent);
	CU_ASSERT_FATAL(ursa_roce_pd_alloc(lc, &pd) == 0);
	CU_ASSERT_FATAL(ursa_roce_cq_create(lc, 64, &cq) == 0);
	CU_ASSERT_FATAL(ursa_roce_qp_create(pd, cq, cq, &cap, false, &qp) == 0);
	CU_ASSERT_FATAL(roce_qp_set_qpn(qp, roce_get24(ans[0].bth + 5)) == 0);
	CU_ASSERT_FATAL(
		ursa_roce_mr_reg(pd, local, sizeof(local), URSA_RDMA_ACCESS_LOCAL_WRITE, &mr) == 0);
	a.qp_state = URSA_RDMA_QPS_INIT;
	CU_ASSERT_FATAL(ursa_roce_qp_modify(qp, &a, URSA_RDMA_QP_STATE, NULL) == 0);
	a.qp_state = URSA_RDMA_QPS_RTR;
	a.path_mtu = 1024;
	a.dest_qp_num = roce_get24(req[0].bth + 5);
	a.rq_psn = 1;
	sgid = roce_test_sgid(&cli, 0, 0);
	ursa_rdma_gid_from_addr(&a.ah.dgid, &srv);
	CU_ASSERT_FATAL(ursa_roce_qp_modify(qp, &a,
					    URSA_RDMA_QP_STATE | URSA_RDMA_QP_PATH_MTU |
						    URSA_RDMA_QP_DEST_QPN | URSA_RDMA_QP_RQ_PSN |
						    URSA_RDMA_QP_AV,
					    &sgid) == 0);
	a.qp_state = URSA_RDMA_QPS_RTS;
	a.sq_psn = roce_get24(req[0].bth + 9);
	a.timeout = 14;
	a.retry_cnt = 7;
	a.rnr_retry = 7;
	a.max_rd_atomic = 16;
	CU_ASSERT_FATAL(ursa_roce_qp_modify(qp, &a,
					    URSA_RDMA_QP_STATE | URSA_RDMA_QP_SQ_PSN |
						    URSA_RDMA_QP_TIMEOUT | URSA_RDMA_QP_RETRY_CNT |
						    URSA_RDMA_QP_RNR_RETRY |
						    URSA_RDMA_QP_MAX_QP_RD_ATOMIC,
					    NULL) == 0);
	/* One work request per message, rebuilt from the client's packets. */
	for (unsigned k = 0; k < nreq; k++) {
		const uint8_t *b = req[k].bth;
		const struct roce_opinfo *op = roce_opinfo(b[0]);
		uint32_t pay = req[k].bthlen - op->length - 4 - ((b[1] >> 4) & 3);
		struct ursa_rdma_sge sge = {(uintptr_t)local[nwr], 0, ursa_roce_mr_lkey(mr)};
		struct ursa_rdma_send_wr wr = {.wr_id = nwr,
					       .send_flags = URSA_RDMA_SEND_SIGNALED,
					       .sg_list = &sge,
					       .num_sge = 1};
		uint32_t total = pay;

		if (!(op->mask & ROCE_M_FIRST))
			continue; /* MIDDLE/LAST belong to the message posted at its FIRST */
		memcpy(local[nwr], b + op->length, pay);
		if ((op->mask & ROCE_M_WRITE) || (op->mask & ROCE_M_READ)) {
			wr.rdma.remote_addr = ld64(b + 12);
			wr.rdma.rkey = ld32(b + 20);
			total = ld32(b + 24);
		}
		for (unsigned j = k + 1; !(op->mask & ROCE_M_LAST) && j < nreq; j++) {
			const struct roce_opinfo *o2 = roce_opinfo(req[j].bth[0]);
			uint32_t p2 = req[j].bthlen - o2->length - 4 - ((req[j].bth[1] >> 4) & 3);

			if (o2->mask & ROCE_M_FIRST)
				break;
			memcpy(local[nwr] + pay, req[j].bth + o2->length, p2);
			pay += p2;
			if (o2->mask & ROCE_M_LAST)
				break;
		}
		sge.length = total;
		if (op->mask & ROCE_M_SEND)
			wr.opcode = URSA_RDMA_WR_SEND;
		else if (op->mask & ROCE_M_WRITE)
			wr.opcode = URSA_RDMA_WR_RDMA_WRITE;
		else if (op->mask & ROCE_M_READ)
			wr.opcode = URSA_RDMA_WR_RDMA_READ;
		else {
			wr.opcode = b[0] == ROCE_OP_FETCH_ADD ? URSA_RDMA_WR_ATOMIC_FETCH_AND_ADD
							      : URSA_RDMA_WR_ATOMIC_CMP_AND_SWP;
			wr.atomic.remote_addr = ld64(b + 12);
			wr.atomic.rkey = ld32(b + 20);
			wr.atomic.compare_add =
				b[0] == ROCE_OP_FETCH_ADD ? ld64(b + 24) : ld64(b + 32);
			wr.atomic.swap = ld64(b + 24);
			sge.length = 8;
		}
		ids[nwr] = nwr;
		CU_ASSERT_FATAL(ursa_roce_post_send(qp, &wr, 1) == 1);
		nwr++;
	}
	ursa_lcore_poll(lc);
	CU_ASSERT_EQUAL_FATAL(sent.n, nreq);
	for (unsigned k = 0; k < sent.n; k++) {
		uint32_t len = rte_pktmbuf_pkt_len(out[k]);

		CU_ASSERT(roce_icrc_check(rte_pktmbuf_mtod(out[k], const uint8_t *), out[k], 28,
					  len - 28));
	}
	compare_all(out, sent.n, req, nreq, file);
	roce_cap_drain(&sent);
	/* The kernel server's answers complete every work request, in order. */
	for (unsigned k = 0; k < nans; k++) {
		struct rte_mbuf *m = ursa_test_mbuf(lc, ans[k].ip, ans[k].iplen_total);

		ursa_roce_input_l3(lc, m, 0);
	}
	for (unsigned k = 0; k < nwr; k++) {
		struct ursa_rdma_wc wc;

		CU_ASSERT_FATAL(ursa_roce_cq_poll(cq, &wc, 1) == 1);
		CU_ASSERT_EQUAL(wc.status, URSA_RDMA_WC_SUCCESS);
		CU_ASSERT_EQUAL(wc.wr_id, ids[k]);
	}
	/* READ data and atomic originals landed where the work requests said */
	for (unsigned k = 0, w = 0; k < nreq && w < nwr; k++) {
		const struct roce_opinfo *op = roce_opinfo(req[k].bth[0]);

		if (!(op->mask & ROCE_M_FIRST))
			continue;
		if (op->mask & ROCE_M_READ) {
			const struct roce_opinfo *ao = roce_opinfo(ans[w].bth[0]);

			CU_ASSERT_EQUAL(memcmp(local[w], ans[w].bth + ao->length, 64), 0);
		}
		if (op->mask & ROCE_M_ATOMIC) {
			uint64_t v;

			memcpy(&v, local[w], 8);
			CU_ASSERT_EQUAL(v, ld64(ans[w].bth + 16));
		}
		w++;
	}
	CU_ASSERT_EQUAL(ursa_roce_cq_poll(cq, (struct ursa_rdma_wc[1]){0}, 1), 0);
	ursa_roce_qp_destroy(qp);
	ursa_roce_mr_dereg(mr);
	ursa_roce_cq_destroy(cq);
	ursa_roce_pd_free(pd);
	ursa_lcore_destroy(lc);
	frames_free(&fl);
}

static void test_requester_side(void)
{
	replay_requester("write_bw-linux6.1.pcap");
	replay_requester("write_bw_2k-linux6.1.pcap");
	replay_requester("read_bw-linux6.1.pcap");
	replay_requester("atomic_bw-linux6.1.pcap");
	replay_requester("send_bw-linux6.1.pcap");
}

int main(void)
{
	CU_pSuite s = ursa_test_suite("roce_replay", NULL, NULL);

	CU_add_test(s, "ib_write_bw 64 B vs kernel rxe", test_write_bw);
	CU_add_test(s, "ib_write_bw 2500 B (FIRST/MIDDLE/LAST) vs kernel rxe", test_write_bw_2k);
	CU_add_test(s, "ib_read_bw vs kernel rxe", test_read_bw);
	CU_add_test(s, "ib_atomic_bw vs kernel rxe", test_atomic_bw);
	CU_add_test(s, "ib_send_bw vs kernel rxe", test_send_bw);
	CU_add_test(s, "ibv_rc_pingpong (server side) vs kernel rxe", test_rc_pingpong);
	CU_add_test(s, "rping: both directions, two rkeys, CM MADs ignored", test_rping);
	CU_add_test(s, "kernel SMC-Rv2 (LLC, CDC, RMB writes): both directions", test_smc);
	CU_add_test(s, "client side: ursa's requests vs the kernel's, then its answers",
		    test_requester_side);
	return ursa_test_main();
}
