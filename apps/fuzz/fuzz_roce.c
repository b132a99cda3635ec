/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the RoCEv2 receive path (eth -> ip -> udp 4791 -> roce: ICRC, QP lookup,
 * responder and completer) of one full stack on a virtual clock, with softroce QPs that
 * can actually be hit (stack/roce API directly: libursa alone, no provider). Interface 10.0.0.2/24
 * (MAC 02:00:00:00:00:01); peer 10.0.0.1. QP A is a responder (expects PSN 1000, remote QPN 0x100),
 * QP B a requester with a SEND, a WRITE, a READ and a FETCH_ADD outstanding (first PSN 2000), so
 * ACKs, NAKs and READ/atomic responses reach the completer. Before every input both QPs are reset
 * to that state, so an input's effect does not depend on earlier ones.
 *
 * Random bytes almost never carry a live QPN, PSN, rkey or ICRC, so byte 1 asks for fix-ups:
 *   byte 0: virtual milliseconds that pass before the frame
 *   byte 1: fix-ups (IPv4 frames only)
 *           bit 0  DestQP := QP A, or QP B when bit 1 is set
 *           bit 2  PSN := the first expected PSN (requests: A's receive PSN, responses:
 *                  B's send PSN), plus the frame's low PSN byte when bit 7 is set
 *           bit 3  rkey (RETH/AtomicETH) := a live MR's: the read/write one, or the
 *                  read-only one when bit 4 is set
 *           bit 5  VA := that MR's base + (VA mod its length)
 *           bit 6  MACs, IP addresses and lengths, IP checksum, UDP port/length, ICRC right
 *   rest:   the Ethernet frame
 * Seeds (corpus/roce/) are the RoCE frames of the pcaps in pcap-tests/fixtures/rxe (kernel rxe
 * traffic) each prefixed with 00 6d (requests to A) or 00 47 (responses to B), plus a few
 * short and truncated ones.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "fuzz.h"
#include "ursa.h"

#define RQ_PSN	 1000
#define SQ_PSN	 2000
#define PEER_QPN 0x100
#define MR_LEN	 8192

struct fuzz_state {
	struct ursa_lcore *lc;
	struct ursa_roce_pd *pd;
	struct ursa_roce_cq *cq;
	struct ursa_roce_qp *qp[2];
	struct ursa_roce_mr *mr[2];
	uint8_t *mem[2];
	struct ursa_rdma_gid_attr lgid; /* the local address's GID entry: its interface */
	union ursa_rdma_gid rgid;
	bool verbose; /* FUZZ_ROCE_VERBOSE=1: print the roce counters after each input */
	uint8_t frame[9216];
};

static struct fuzz_state *state(void)
{
	static struct fuzz_state st; /* libFuzzer gives no context pointer */
	return &st;
}

static void must(int rc, const char *what)
{
	if (rc != 0) {
		fprintf(stderr, "fuzz_roce: %s failed: %d\n", what, rc);
		abort();
	}
}

static void qp_reset(struct fuzz_state *s, int i)
{
	struct ursa_rdma_qp_attr a = {0};

	a.qp_state = URSA_RDMA_QPS_RESET;
	must(ursa_roce_qp_modify(s->qp[i], &a, URSA_RDMA_QP_STATE, NULL), "reset");
	a.qp_state = URSA_RDMA_QPS_INIT;
	a.qp_access_flags = URSA_RDMA_ACCESS_REMOTE_WRITE | URSA_RDMA_ACCESS_REMOTE_READ |
			    URSA_RDMA_ACCESS_REMOTE_ATOMIC;
	must(ursa_roce_qp_modify(s->qp[i], &a, URSA_RDMA_QP_STATE | URSA_RDMA_QP_ACCESS_FLAGS,
				 NULL),
	     "init");
	a.qp_state = URSA_RDMA_QPS_RTR;
	a.path_mtu = 1024;
	a.dest_qp_num = PEER_QPN + (uint32_t)i;
	a.rq_psn = RQ_PSN;
	a.max_dest_rd_atomic = 4;
	a.min_rnr_timer = 1;
	a.ah.dgid = s->rgid;
	must(ursa_roce_qp_modify(s->qp[i], &a,
				 URSA_RDMA_QP_STATE | URSA_RDMA_QP_PATH_MTU |
					 URSA_RDMA_QP_DEST_QPN | URSA_RDMA_QP_RQ_PSN |
					 URSA_RDMA_QP_MAX_DEST_RD_ATOMIC |
					 URSA_RDMA_QP_MIN_RNR_TIMER | URSA_RDMA_QP_AV,
				 &s->lgid),
	     "rtr");
	a.qp_state = URSA_RDMA_QPS_RTS;
	a.sq_psn = SQ_PSN;
	a.timeout = 10;
	a.retry_cnt = 2;
	a.rnr_retry = 2;
	a.max_rd_atomic = 4;
	must(ursa_roce_qp_modify(s->qp[i], &a,
				 URSA_RDMA_QP_STATE | URSA_RDMA_QP_SQ_PSN | URSA_RDMA_QP_TIMEOUT |
					 URSA_RDMA_QP_RETRY_CNT | URSA_RDMA_QP_RNR_RETRY |
					 URSA_RDMA_QP_MAX_QP_RD_ATOMIC,
				 NULL),
	     "rts");
}

/* Both QPs back to their starting state: receives on A, four operations in flight on B. */
static void rearm(struct fuzz_state *s)
{
	struct ursa_rdma_wc wc[16];
	struct rte_mbuf *out[URSA_BURST];
	struct ursa_rdma_sge sg = {(uintptr_t)s->mem[0], 2048, ursa_roce_mr_lkey(s->mr[0])};
	struct ursa_rdma_sge sg8 = {(uintptr_t)s->mem[0] + 4096, 8, ursa_roce_mr_lkey(s->mr[0])};
	struct ursa_rdma_recv_wr rw = {.wr_id = 1, .sg_list = &sg, .num_sge = 1};
	struct ursa_rdma_send_wr wr[4] = {
		{.wr_id = 10, .opcode = URSA_RDMA_WR_SEND, .sg_list = &sg, .num_sge = 1},
		{.wr_id = 11,
		 .opcode = URSA_RDMA_WR_RDMA_WRITE,
		 .sg_list = &sg,
		 .num_sge = 1,
		 .rdma = {0x10000, 0x1234}},
		{.wr_id = 12,
		 .opcode = URSA_RDMA_WR_RDMA_READ,
		 .sg_list = &sg,
		 .num_sge = 1,
		 .rdma = {0x20000, 0x5678}},
		{.wr_id = 13,
		 .opcode = URSA_RDMA_WR_ATOMIC_FETCH_AND_ADD,
		 .sg_list = &sg8,
		 .num_sge = 1,
		 .atomic = {0x30000, 1, 0, 0x9abc}},
	};
	unsigned n;

	for (int i = 0; i < 4; i++)
		wr[i].send_flags = URSA_RDMA_SEND_SIGNALED;
	qp_reset(s, 0);
	qp_reset(s, 1);
	while (ursa_roce_cq_poll(s->cq, wc, 16) > 0)
		;
	for (int i = 0; i < 4; i++)
		ursa_roce_post_recv(s->qp[0], &rw, 1);
	ursa_roce_post_send(s->qp[1], wr, 4);
	ursa_lcore_poll(s->lc);
	while ((n = ursa_port_mem_take(&s->lc->ports[0], out, URSA_BURST)) > 0)
		rte_pktmbuf_free_bulk(out, n);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct ursa_eal_args eal;
	struct ursa_lcore_conf conf = {.nb_mbufs = 4095,
				       .seeded = true,
				       .seed = 1,
				       .virtual_clock = true,
				       .virtual_start_ns = URSA_NS_PER_S,
				       .name = "fuzzroce"};
	struct rte_ether_addr mac = {{0x02, 0, 0, 0, 0, 0x01}};
	struct rte_ether_addr peer = {{0x02, 0, 0, 0, 0, 0x02}};
	struct ursa_iface_conf c0 = {.port = 0, .no_linklocal = true};
	const unsigned all = URSA_RDMA_ACCESS_LOCAL_WRITE | URSA_RDMA_ACCESS_REMOTE_WRITE |
			     URSA_RDMA_ACCESS_REMOTE_READ | URSA_RDMA_ACCESS_REMOTE_ATOMIC;
	struct fuzz_state *s = state();
	struct ursa_rdma_qp_cap cap = {16, 16, 1, 1};
	struct ursa_ipaddr a, pa;
	uint16_t port, ifc;

	(void)argc;
	(void)argv;
	if (ursa_eal_args_init(&eal, "fuzz_roce", 256, "0", "crit") != 0 ||
	    rte_eal_init(eal.argc, eal.argv) < 0) {
		fprintf(stderr, "fuzz_roce: EAL cannot start: %s\n", rte_strerror(rte_errno));
		exit(1);
	}
	must(ursa_lcore_create(&conf, &s->lc), "lcore");
	must(ursa_port_open_mem(s->lc, &mac, 9000, &port), "port");
	must(ursa_stack_init(s->lc), "stack");
	must(ursa_iface_add(s->lc, &c0, &ifc), "iface");
	must(ursa_ipaddr_parse("10.0.0.2", &a, NULL), "addr");
	must(ursa_iface_addr_add(s->lc, ifc, &a, 24), "addr");
	must(ursa_ipaddr_parse("10.0.0.1", &pa, NULL), "peer");
	must(ursa_neigh_add_static(s->lc, ursa_iface_get(s->lc, ifc), &pa, &peer), "neigh");
	fuzz_bind_extras(s->lc);
	must(ursa_roce_pd_alloc(s->lc, &s->pd), "pd");
	must(ursa_roce_cq_create(s->lc, 256, &s->cq), "cq");
	for (int i = 0; i < 2; i++) {
		s->mem[i] = aligned_alloc(4096, MR_LEN);
		if (s->mem[i] == NULL)
			abort();
		memset(s->mem[i], 0, MR_LEN);
		must(ursa_roce_qp_create(s->pd, s->cq, s->cq, &cap, false, &s->qp[i]), "qp");
		must(ursa_roce_mr_reg(s->pd, s->mem[i], MR_LEN,
				      i ? URSA_RDMA_ACCESS_REMOTE_READ : all, &s->mr[i]),
		     "mr");
	}
	s->lgid = (struct ursa_rdma_gid_attr){
		.type = URSA_RDMA_GID_TYPE_ROCE_V2, .port = 1, .iface = ifc};
	ursa_rdma_gid_from_addr(&s->lgid.gid, &a);
	ursa_rdma_gid_from_addr(&s->rgid, &pa);
	s->verbose = getenv("FUZZ_ROCE_VERBOSE") != NULL;
	rearm(s);
	return 0;
}

static void print_counter(const char *block, const char *name, uint64_t val, void *arg)
{
	(void)arg;
	if (val && strcmp(block, "roce") == 0)
		fprintf(stderr, " %s=%lu", name, (unsigned long)val);
}

static void put_be(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

static uint64_t get_be(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* CRC-32 (Ethernet, reflected), zlib-style continuation: bitwise, fuzz inputs are small. */
static uint32_t crc32(uint32_t crc, const uint8_t *p, size_t n)
{
	crc = ~crc;
	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = crc >> 1 ^ (0xEDB88320u & -(crc & 1));
	}
	return ~crc;
}

/* ICRC over the IPv4 packet at l3 (len bytes, ICRC included), rocev2.md §2. */
static void put_icrc(uint8_t *l3, unsigned len)
{
	uint8_t h[40], ff[8];
	uint32_t crc;

	memset(ff, 0xff, sizeof(ff));
	memcpy(h, l3, sizeof(h));
	h[1] = h[8] = h[10] = h[11] = 0xff; /* TOS, TTL, checksum */
	h[26] = h[27] = 0xff;		    /* UDP checksum */
	h[32] = 0xff;			    /* BTH resv8a */
	crc = crc32(0, ff, sizeof(ff));
	crc = crc32(crc, h, sizeof(h));
	crc = crc32(crc, l3 + 40, len - 44);
	l3[len - 4] = (uint8_t)crc;
	l3[len - 3] = (uint8_t)(crc >> 8);
	l3[len - 2] = (uint8_t)(crc >> 16);
	l3[len - 1] = (uint8_t)(crc >> 24);
}

/* Apply the fix-ups byte 1 asks for; only IPv4 untagged frames with a full BTH qualify. */
static void fixup(struct fuzz_state *s, uint8_t flags, uint8_t *f, size_t len)
{
	static const uint8_t mac[6] = {0x02, 0, 0, 0, 0, 0x01}, peer[6] = {0x02, 0, 0, 0, 0, 0x02};
	uint8_t *l3 = f + 14, *bth = f + 14 + 28, *eth = bth + 12, op;
	int q = (flags >> 1) & 1;
	unsigned l3len = (unsigned)(len - 14);

	if (len < 14 + 28 + 12 + 4 || f[12] != 0x08 || f[13] != 0x00 || (l3[0] >> 4) != 4)
		return;
	op = bth[0];
	if (flags & 0x01)
		put_be(bth + 5, ursa_roce_qp_num(s->qp[q]), 3);
	if (flags & 0x04) {
		bool resp = op >= 0x0d && op <= 0x12;

		put_be(bth + 9,
		       ((resp ? SQ_PSN : RQ_PSN) + (flags & 0x80 ? bth[11] : 0)) & 0xffffff, 3);
	}
	/* RETH (RDMA WRITE/READ request opcodes) or AtomicETH: VA at +0, rkey at +8 */
	if (((op >= 0x06 && op <= 0x0c && op != 0x07 && op != 0x08 && op != 0x09) || op == 0x13 ||
	     op == 0x14) &&
	    len >= 14 + 28 + 12 + 16 + 4) {
		int k = (flags >> 4) & 1;

		if (flags & 0x08)
			put_be(eth + 8, ursa_roce_mr_rkey(s->mr[k]), 4);
		if (flags & 0x20)
			put_be(eth, (uintptr_t)s->mem[k] + get_be(eth, 8) % MR_LEN, 8);
	}
	if (flags & 0x40) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)l3;

		memcpy(f, mac, 6);
		memcpy(f + 6, peer, 6);
		ip->version_ihl = 0x45;
		ip->total_length = rte_cpu_to_be_16((uint16_t)l3len);
		ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
		ip->next_proto_id = IPPROTO_UDP;
		ip->src_addr = rte_cpu_to_be_32(0x0a000001);
		ip->dst_addr = rte_cpu_to_be_32(0x0a000002);
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		put_be(l3 + 22, 4791, 2);
		put_be(l3 + 24, l3len - 20, 2);
		put_be(l3 + 26, 0, 2);
		put_icrc(l3, l3len);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_state *s = state();
	struct ursa_lcore *lc = s->lc;
	struct rte_mbuf *m, *out[URSA_BURST];
	struct ursa_rdma_wc wc[16];
	unsigned n;

	if (size < 2 || size - 2 > sizeof(s->frame))
		return 0;
	rearm(s);
	memcpy(s->frame, data + 2, size - 2);
	fixup(s, data[1], s->frame, size - 2);
	ursa_clock_advance(&lc->clock, (uint64_t)data[0] * URSA_NS_PER_MS);
	m = ursa_pkt_alloc(lc);
	if (m == NULL)
		abort(); /* a leak upstream would exhaust the pool: that is a bug */
	if (size - 2 > rte_pktmbuf_tailroom(m)) {
		rte_pktmbuf_free(m);
		return 0;
	}
	memcpy(rte_pktmbuf_append(m, (uint16_t)(size - 2)), s->frame, size - 2);
	ursa_port_mem_inject(&lc->ports[0], &m, 1);
	ursa_lcore_poll(lc);
	while (ursa_roce_cq_poll(s->cq, wc, 16) > 0)
		;
	while ((n = ursa_port_mem_take(&lc->ports[0], out, URSA_BURST)) > 0)
		rte_pktmbuf_free_bulk(out, n);
	if (s->verbose) {
		fprintf(stderr, "fuzz_roce: input of %zu bytes, flags %02x:", size, data[1]);
		ursa_stats_foreach(lc, print_counter, NULL);
		fputc('\n', stderr);
	}
	return 0;
}
