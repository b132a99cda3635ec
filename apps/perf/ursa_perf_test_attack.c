/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Attack system test: forged RoCEv2 requests (built here byte by byte, with a correct ICRC
 * computed independently of stack/roce, so they pass the ICRC and reach the QP and
 * responder checks) through the whole stack (Ethernet, 802.1Q, IP, UDP) of one host with
 * two tenants on one port: tenant 1 on VLAN 10 and tenant 2 on VLAN 20, both 10.99.0.1,
 * each with a QP bound to its own interface and connected to "the same" peer 10.99.0.2.
 * Tenant 1's QP is the victim; its MRs, and tenant 2's (another PD), sit in an arena
 * between seeded canary pages.
 *
 * Kinds answered with a NAK (AETH syndrome, rocev2.md §3.4; checks 10-12 of §3.7): random
 * rkeys, rkeys of deregistered MRs, ranges one byte off at either end, tenant 2's MR
 * (another PD), READ/ATOMIC on an MR without that access, WRITE with the old key of a
 * re-registered MR (remote access error 0x62), misaligned atomics and SEND with Invalidate
 * naming a live MR that was not registered as remotely invalidatable, of either PD (invalid
 * request 0x61: the SEND is not delivered, its receive is flushed and the MR lives on).
 * Kinds dropped silently, each counted by its reason (checks 1-3 of rocev2.md §3.7, the
 * interface first as DESIGN.md §2 lesson 4 says): tenant 1's QP reached over tenant 2's
 * VLAN, tenant 2's QP reached over tenant 1's VLAN, a VLAN with no interface, a source
 * address that is not the QP's peer, a destination QP that does not exist. Every NAK must
 * leave on tenant 1's VLAN; no READ response may carry any byte; the whole arena must be
 * unchanged at the end. Valid READs on both tenants are mixed in as controls: they must
 * return exactly the MR's bytes, on their tenant's VLAN.
 *
 * The count is URSA_ATTACK_N (default 10^5, under a second: the unit suite). The evidence
 * run, 10^6 requests with the tally per kind:
 *     URSA_ATTACK_N=1000000 build/apps/perf/ursa_perf_test_attack
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <isa-l/crc.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "ursa.h"
#include "ursa_arp.h"
#include "ursa_roce.h"
#include "ursa_test.h"

#define PAGE	       4096
#define NREG	       8 /* MR slots in the arena, each between canary pages */
#define PEER_QPN       0x4242
#define PEER_QPN2      0x4243
#define FORGED_DEFAULT 100000
#define VLAN1	       10 /* tenant 1: the victim */
#define VLAN2	       20 /* tenant 2: same address, another VLAN */
#define VLAN_NONE      30
#define L2	       18 /* Ethernet + 802.1Q */
#define CONTROL_EVERY  97 /* one valid READ among this many requests */

/* IBTA opcodes (RC) and AETH syndromes, from the spec (rocev2.md §1.6, §3.4) */
enum {
	OP_WRITE_ONLY = 0x0a,
	OP_READ_REQ = 0x0c,
	OP_READ_RESP_ONLY = 0x10,
	OP_ACK = 0x11,
	OP_CMP_SWAP = 0x13,
	OP_FETCH_ADD = 0x14,
	OP_SEND_ONLY_INV = 0x17
};
#define NAK_INV_REQ    0x61
#define NAK_REM_ACCESS 0x62

enum kind {
	K_RANDOM_RKEY,
	K_STALE_RKEY,
	K_OFF_END,
	K_OFF_START,
	K_WRONG_PD,
	K_READ_WRITE_ONLY,
	K_ATOMIC_NO_ACCESS,
	K_MISALIGNED_ATOMIC,
	K_REREG_OLD_KEY,
	K_SEND_INV,
	K_WRONG_VLAN,
	K_CROSS_TENANT,
	K_NO_VLAN,
	K_WRONG_SRC,
	K_WRONG_QP,
	K_MAX,
};

static const char *const kind_names[K_MAX] = {
	"random rkey",
	"stale rkey (deregistered)",
	"range one past the end",
	"range one before",
	"tenant 2's MR (another PD)",
	"READ on a write-only MR",
	"ATOMIC on MR without atomic access",
	"misaligned atomic",
	"WRITE with pre-rereg key",
	"SEND_INV of a non-invalidatable MR",
	"tenant 1's QP via tenant 2's VLAN",
	"tenant 2's QP+key via tenant 1's VLAN",
	"VLAN with no interface",
	"source address not the QP's peer",
	"destination QP that does not exist",
};

/* What each kind must get: a NAK with this syndrome, or (0) no answer at all and one more
 * count of the drop counter named. */
static const struct {
	uint8_t syndrome;
	const char *block, *counter;
} expect[K_MAX] = {
	[K_RANDOM_RKEY] = {0x62, "roce", "tx_nak_access"},
	[K_STALE_RKEY] = {0x62, "roce", "tx_nak_access"},
	[K_OFF_END] = {0x62, "roce", "tx_nak_access"},
	[K_OFF_START] = {0x62, "roce", "tx_nak_access"},
	[K_WRONG_PD] = {0x62, "roce", "tx_nak_access"},
	[K_READ_WRITE_ONLY] = {0x62, "roce", "tx_nak_access"},
	[K_ATOMIC_NO_ACCESS] = {0x62, "roce", "tx_nak_access"},
	[K_MISALIGNED_ATOMIC] = {0x61, "roce", "tx_nak_inv_req"},
	[K_REREG_OLD_KEY] = {0x62, "roce", "tx_nak_access"},
	[K_SEND_INV] = {0x61, "roce", "tx_nak_inv_req"},
	[K_WRONG_VLAN] = {0, "roce", "drop_bad_iface"},
	[K_CROSS_TENANT] = {0, "roce", "drop_bad_iface"},
	[K_NO_VLAN] = {0, "eth", "drop_no_iface"},
	[K_WRONG_SRC] = {0, "roce", "drop_bad_addr"},
	[K_WRONG_QP] = {0, "roce", "drop_no_qp"},
};

struct reply {
	uint8_t opcode, syndrome;
	uint16_t vlan;
	uint32_t psn;
	uint32_t paylen;
};

struct world {
	struct ursa_lcore *lc;
	struct ursa_roce_pd *pd, *pd2;
	struct ursa_roce_cq *cq;
	struct ursa_roce_qp *qp, *qp2; /* tenant 1 (victim), tenant 2 */
	uint8_t *arena, *shadow;
	size_t arena_len;
	struct ursa_roce_mr *all, *wo, *ro, *other_pd, *rereg;
	struct ursa_roce_mr *rbuf_mr; /* receive buffer for forged SENDs, outside the arena */
	uint8_t rbuf[1024];
	uint32_t stale_rkeys[4], old_rereg_key;
	uint32_t psn, psn2;
	struct reply rep[8];
	unsigned nrep;
	uint8_t readback[PAGE];
	unsigned rb_len;
};

static uint8_t *region(struct world *w, unsigned i)
{
	return w->arena + PAGE + (size_t)i * 2 * PAGE;
}

/* Everything the host sent, as replies: VLAN, then IP 20, UDP 8, BTH 12, AETH 4. */
static void take_replies(struct world *w)
{
	struct rte_mbuf *m;

	w->nrep = 0;
	while (ursa_port_mem_take(&w->lc->ports[0], &m, 1) == 1) {
		uint8_t hdr[L2 + 20 + 8 + 12 + 4];
		const uint8_t *f = rte_pktmbuf_read(m, 0, sizeof(hdr), hdr);
		const uint8_t *h = f + L2;

		if (f != NULL && w->nrep < RTE_DIM(w->rep)) {
			struct reply *r = &w->rep[w->nrep++];
			uint32_t len = rte_pktmbuf_pkt_len(m) - L2;

			r->vlan = (f[12] << 8 | f[13]) == RTE_ETHER_TYPE_VLAN
					  ? (uint16_t)((f[14] << 8 | f[15]) & 0xfff)
					  : 0;
			r->opcode = h[28];
			r->psn = (uint32_t)h[37] << 16 | (uint32_t)h[38] << 8 | h[39];
			r->syndrome = h[40];
			/* READ response only: IP 20, UDP 8, BTH 12, AETH 4, payload, ICRC 4 */
			r->paylen = len >= 48 ? len - 48 : 0;
			if (r->opcode == OP_READ_RESP_ONLY && r->paylen <= sizeof(w->readback)) {
				/* rte_pktmbuf_read copies only when the data spans segments */
				const uint8_t *d =
					rte_pktmbuf_read(m, L2 + 44, r->paylen, w->readback);

				if (d != NULL && d != w->readback)
					memcpy(w->readback, d, r->paylen);
				w->rb_len = r->paylen;
			}
		}
		rte_pktmbuf_free(m);
	}
}

/* ICRC (rocev2.md §2): CRC-32 over 8 x 0xFF, IP+UDP+BTH with the variant fields forced to
 * 0xFF, then the rest; stored least-significant byte first. */
static void put_icrc(uint8_t *pkt, unsigned len)
{
	uint8_t h[40];
	uint8_t ff[8];
	uint32_t crc;

	memset(ff, 0xff, sizeof(ff));
	memcpy(h, pkt, sizeof(h));
	h[1] = 0xff;	      /* TOS */
	h[8] = 0xff;	      /* TTL */
	h[10] = h[11] = 0xff; /* IP checksum */
	h[26] = h[27] = 0xff; /* UDP checksum */
	h[28 + 4] = 0xff;     /* BTH FECN/BECN/resv */
	crc = crc32_gzip_refl(0, ff, sizeof(ff));
	crc = crc32_gzip_refl(crc, h, sizeof(h));
	crc = crc32_gzip_refl(crc, pkt + 40, len - 40 - 4);
	pkt[len - 4] = (uint8_t)crc;
	pkt[len - 3] = (uint8_t)(crc >> 8);
	pkt[len - 2] = (uint8_t)(crc >> 16);
	pkt[len - 1] = (uint8_t)(crc >> 24);
}

static void put_be(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

/* One forged request as the peer's NIC would put it on the wire. */
struct req {
	uint8_t op; /* WRITE_ONLY or SEND_ONLY_INV (len payload bytes), READ or an atomic */
	uint64_t va;
	uint32_t rkey, len;
	uint16_t vlan;
	uint32_t qpn, psn;
	uint32_t src; /* host order */
};

/* Send the frame into port 0 and collect what the host answers. */
static void forge(struct world *w, const struct req *q)
{
	static const struct rte_ether_addr me = URSA_TEST_MAC, peer = URSA_TEST_PEER_MAC;
	uint8_t f[2048], *p = f + L2;
	bool atomic = q->op == OP_CMP_SWAP || q->op == OP_FETCH_ADD;
	bool inv = q->op == OP_SEND_ONLY_INV;
	unsigned ext = atomic ? 28 : inv ? 4 : 16; /* AtomicETH, IETH, RETH */
	unsigned pay = q->op == OP_WRITE_ONLY || inv ? q->len : 0;
	unsigned pad = (-pay) & 3, total = 20 + 8 + 12 + ext + pay + pad + 4;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)p;
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(p + 20);
	uint8_t *bth = p + 28, *eth = p + 40;
	struct rte_mbuf *m;

	memset(f, 0, L2 + total);
	memcpy(f, me.addr_bytes, 6);
	memcpy(f + 6, peer.addr_bytes, 6);
	put_be(f + 12, RTE_ETHER_TYPE_VLAN, 2);
	put_be(f + 14, q->vlan, 2);
	put_be(f + 16, RTE_ETHER_TYPE_IPV4, 2);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)total);
	ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(q->src);
	ip->dst_addr = rte_cpu_to_be_32(0x0a630001);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(0xc0de);
	udp->dst_port = rte_cpu_to_be_16(4791);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(total - 20));
	bth[0] = q->op;
	bth[1] = (uint8_t)(pad << 4);
	bth[2] = bth[3] = 0xff; /* P_Key */
	put_be(bth + 5, q->qpn, 3);
	bth[8] = 0x80; /* AckReq */
	put_be(bth + 9, q->psn, 3);
	if (inv) {
		put_be(eth, q->rkey, 4);
		for (unsigned i = 0; i < pay; i++)
			eth[4 + i] = (uint8_t)(0xe0 + i);
	} else if (!atomic) {
		put_be(eth, q->va, 8);
		put_be(eth + 8, q->rkey, 4);
		put_be(eth + 12, q->len, 4);
		for (unsigned i = 0; i < pay; i++)
			eth[16 + i] = (uint8_t)(0xe0 + i); /* never the canary or MR pattern */
	} else {
		put_be(eth, q->va, 8);
		put_be(eth + 8, q->rkey, 4);
		put_be(eth + 12, 7, 8); /* swap / add */
		put_be(eth + 20, 0, 8); /* compare */
	}
	put_icrc(p, total);
	m = ursa_test_mbuf(w->lc, f, L2 + total);
	CU_ASSERT_FATAL(m != NULL);
	ursa_port_mem_inject(&w->lc->ports[0], &m, 1);
	ursa_lcore_poll(w->lc);
	take_replies(w);
}

/* RESET -> INIT -> RTR -> RTS, bound to interface iface (the GID entry of 10.99.0.1 there,
 * as the softroce provider resolves it) and connected to 10.99.0.2 QP peer_qpn. */
static void qp_to_rts(struct world *w, struct ursa_roce_qp *qp, uint16_t iface, uint32_t peer_qpn,
		      uint32_t psn)
{
	const struct ursa_iface *ifc = &w->lc->ifaces[iface];
	struct ursa_rdma_gid_attr sgid = {.type = URSA_RDMA_GID_TYPE_ROCE_V2,
					  .port = 1,
					  .iface = iface,
					  .vlan = ifc->vlan,
					  .tenant = ifc->tenant};
	struct ursa_rdma_qp_attr a = {0};
	struct ursa_ipaddr r;

	ursa_rdma_gid_from_addr(&sgid.gid, &ifc->v4[0].addr);
	ursa_ipaddr_parse("10.99.0.2", &r, NULL);
	a.qp_state = URSA_RDMA_QPS_RESET;
	CU_ASSERT_FATAL(ursa_roce_qp_modify(qp, &a, URSA_RDMA_QP_STATE, NULL) == 0);
	a.qp_state = URSA_RDMA_QPS_INIT;
	a.qp_access_flags = URSA_RDMA_ACCESS_REMOTE_WRITE | URSA_RDMA_ACCESS_REMOTE_READ |
			    URSA_RDMA_ACCESS_REMOTE_ATOMIC;
	CU_ASSERT_FATAL(ursa_roce_qp_modify(qp, &a, URSA_RDMA_QP_STATE | URSA_RDMA_QP_ACCESS_FLAGS,
					    NULL) == 0);
	a.qp_state = URSA_RDMA_QPS_RTR;
	a.path_mtu = 1024;
	a.dest_qp_num = peer_qpn;
	a.rq_psn = psn;
	a.max_dest_rd_atomic = 4;
	ursa_rdma_gid_from_addr(&a.ah.dgid, &r);
	CU_ASSERT_FATAL(ursa_roce_qp_modify(qp, &a,
					    URSA_RDMA_QP_STATE | URSA_RDMA_QP_PATH_MTU |
						    URSA_RDMA_QP_DEST_QPN | URSA_RDMA_QP_RQ_PSN |
						    URSA_RDMA_QP_MAX_DEST_RD_ATOMIC |
						    URSA_RDMA_QP_AV,
					    &sgid) == 0);
	a.qp_state = URSA_RDMA_QPS_RTS;
	a.sq_psn = 1;
	a.timeout = 14;
	a.retry_cnt = 7;
	a.rnr_retry = 7;
	a.max_rd_atomic = 1;
	CU_ASSERT_FATAL(ursa_roce_qp_modify(qp, &a,
					    URSA_RDMA_QP_STATE | URSA_RDMA_QP_SQ_PSN |
						    URSA_RDMA_QP_TIMEOUT | URSA_RDMA_QP_RETRY_CNT |
						    URSA_RDMA_QP_RNR_RETRY |
						    URSA_RDMA_QP_MAX_QP_RD_ATOMIC,
					    NULL) == 0);
}

/* The host: one port, tenant 1 on VLAN 10 (interface 0) and tenant 2 on VLAN 20
 * (interface 1), both 10.99.0.1/24 with the peer 10.99.0.2 as a static neighbour. */
static void host_up(struct world *w)
{
	static const struct rte_ether_addr peer = URSA_TEST_PEER_MAC;
	struct ursa_ipaddr me, pa;

	w->lc = ursa_test_lcore(4242);
	CU_ASSERT_FATAL(w->lc != NULL);
	CU_ASSERT_FATAL(ursa_stack_init(w->lc) == 0);
	ursa_ipaddr_parse("10.99.0.1", &me, NULL);
	ursa_ipaddr_parse("10.99.0.2", &pa, NULL);
	for (uint16_t t = 0; t < 2; t++) {
		struct ursa_iface_conf c = {.port = 0,
					    .vlan = t ? VLAN2 : VLAN1,
					    .tenant = t + 1u,
					    .no_linklocal = true};
		uint16_t idx;

		CU_ASSERT_FATAL(ursa_iface_add(w->lc, &c, &idx) == 0 && idx == t);
		CU_ASSERT_FATAL(ursa_iface_addr_add(w->lc, idx, &me, 24) == 0);
		CU_ASSERT_FATAL(ursa_neigh_add_static(w->lc, &w->lc->ifaces[idx], &pa, &peer) == 0);
	}
}

static void setup(struct world *w)
{
	const unsigned all = URSA_RDMA_ACCESS_LOCAL_WRITE | URSA_RDMA_ACCESS_REMOTE_WRITE |
			     URSA_RDMA_ACCESS_REMOTE_READ | URSA_RDMA_ACCESS_REMOTE_ATOMIC;
	struct ursa_rdma_qp_cap cap = {16, 16, 1, 1};
	struct ursa_roce_mr *tmp;

	memset(w, 0, sizeof(*w));
	host_up(w);
	CU_ASSERT_FATAL(ursa_roce_pd_alloc(w->lc, &w->pd) == 0);
	CU_ASSERT_FATAL(ursa_roce_pd_alloc(w->lc, &w->pd2) == 0);
	CU_ASSERT_FATAL(ursa_roce_cq_create(w->lc, 64, &w->cq) == 0);
	CU_ASSERT_FATAL(ursa_roce_qp_create(w->pd, w->cq, w->cq, &cap, false, &w->qp) == 0);
	CU_ASSERT_FATAL(ursa_roce_qp_create(w->pd2, w->cq, w->cq, &cap, false, &w->qp2) == 0);
	/* canary page | region 0 | canary page | region 1 | ... | canary page */
	w->arena_len = (size_t)(2 * NREG + 1) * PAGE;
	w->arena = aligned_alloc(PAGE, w->arena_len);
	w->shadow = malloc(w->arena_len);
	CU_ASSERT_FATAL(w->arena != NULL && w->shadow != NULL);
	{
		struct ursa_rng r;

		ursa_rng_seed(&r, 77);
		ursa_rng_fill(&r, w->arena, w->arena_len);
		/* no byte of the arena equals a forged WRITE payload byte (0xe0..) */
		for (size_t i = 0; i < w->arena_len; i++)
			w->arena[i] &= 0x7f;
	}
	CU_ASSERT_FATAL(ursa_roce_mr_reg(w->pd, region(w, 0), PAGE, all, &w->all) == 0);
	CU_ASSERT_FATAL(
		ursa_roce_mr_reg(w->pd, region(w, 1), PAGE,
				 URSA_RDMA_ACCESS_LOCAL_WRITE | URSA_RDMA_ACCESS_REMOTE_WRITE,
				 &w->wo) == 0);
	CU_ASSERT_FATAL(ursa_roce_mr_reg(w->pd, region(w, 2), PAGE, URSA_RDMA_ACCESS_REMOTE_READ,
					 &w->ro) == 0);
	/* tenant 2's memory: its own PD, fully accessible to tenant 2's QP */
	CU_ASSERT_FATAL(ursa_roce_mr_reg(w->pd2, region(w, 3), PAGE, all, &w->other_pd) == 0);
	CU_ASSERT_FATAL(ursa_roce_mr_reg(w->pd, region(w, 4), PAGE, URSA_RDMA_ACCESS_REMOTE_READ,
					 &w->rereg) == 0);
	w->old_rereg_key = ursa_roce_mr_rkey(w->rereg);
	/* re-registered with write access: the old key must not write */
	CU_ASSERT_FATAL(ursa_roce_mr_rereg(w->rereg, all) == 0);
	CU_ASSERT_FATAL(ursa_roce_mr_rkey(w->rereg) != w->old_rereg_key);
	for (unsigned i = 0; i < RTE_DIM(w->stale_rkeys); i++) {
		CU_ASSERT_FATAL(ursa_roce_mr_reg(w->pd, region(w, 5 + i % 3), PAGE, all, &tmp) ==
				0);
		w->stale_rkeys[i] = ursa_roce_mr_rkey(tmp);
		CU_ASSERT_FATAL(ursa_roce_mr_dereg(tmp) == 0);
	}
	CU_ASSERT_FATAL(ursa_roce_mr_reg(w->pd, w->rbuf, sizeof(w->rbuf),
					 URSA_RDMA_ACCESS_LOCAL_WRITE, &w->rbuf_mr) == 0);
	memcpy(w->shadow, w->arena, w->arena_len);
	w->psn = 1000;
	w->psn2 = 5000;
	qp_to_rts(w, w->qp, 0, PEER_QPN, w->psn);
	qp_to_rts(w, w->qp2, 1, PEER_QPN2, w->psn2);
}

static bool is_live_key(struct world *w, uint32_t k)
{
	return k == ursa_roce_mr_rkey(w->all) || k == ursa_roce_mr_rkey(w->wo) ||
	       k == ursa_roce_mr_rkey(w->ro) || k == ursa_roce_mr_rkey(w->other_pd) ||
	       k == ursa_roce_mr_rkey(w->rereg);
}

/* A valid 64-byte READ on tenant t's QP over its VLAN: exactly the MR's bytes come back, on
 * that VLAN. */
static bool control(struct world *w, int t, struct ursa_rng *rng)
{
	uint32_t off = (uint32_t)ursa_rng_below(rng, PAGE - 64);
	uint8_t *base = region(w, t ? 3 : 0);
	uint32_t *psn = t ? &w->psn2 : &w->psn;
	struct req q = {.op = OP_READ_REQ,
			.va = (uintptr_t)base + off,
			.rkey = ursa_roce_mr_rkey(t ? w->other_pd : w->all),
			.len = 64,
			.vlan = t ? VLAN2 : VLAN1,
			.qpn = ursa_roce_qp_num(t ? w->qp2 : w->qp),
			.psn = *psn,
			.src = 0x0a630002};
	bool ok;

	forge(w, &q);
	ok = w->nrep == 1 && w->rep[0].opcode == OP_READ_RESP_ONLY && w->rep[0].psn == *psn &&
	     w->rep[0].vlan == q.vlan && w->rb_len == 64 &&
	     memcmp(w->readback, base + off, 64) == 0;
	*psn = (*psn + 1) & 0xffffff;
	return ok;
}

/* A forged SEND needs a posted receive to get as far as the IETH check. */
static void post_rbuf(struct world *w)
{
	struct ursa_rdma_sge sge = {(uintptr_t)w->rbuf, sizeof(w->rbuf),
				    ursa_roce_mr_lkey(w->rbuf_mr)};
	struct ursa_rdma_recv_wr wr = {.wr_id = 77, .sg_list = &sge, .num_sge = 1};

	CU_ASSERT_FATAL(ursa_roce_post_recv(w->qp, &wr, 1) == 1);
}

/* After a refused SEND with Invalidate: its receive was flushed, not completed (nothing
 * delivered, no key reported invalidated), and the receive buffer is untouched. */
static bool send_inv_flushed(struct world *w)
{
	struct ursa_rdma_wc wc;
	bool ok = ursa_roce_cq_poll(w->cq, &wc, 1) == 1 && wc.wr_id == 77 &&
		  wc.status == URSA_RDMA_WC_WR_FLUSH_ERR && !(wc.wc_flags & URSA_RDMA_WC_WITH_INV);

	for (size_t i = 0; i < sizeof(w->rbuf); i++)
		ok = ok && w->rbuf[i] == 0;
	return ok && ursa_roce_cq_poll(w->cq, &wc, 1) == 0;
}

/* Every MR a forged SEND with Invalidate named still answers its key: a valid READ of each
 * readable one (tenant 2's over tenant 2's QP), a valid WRITE into the write-only one. Run
 * after the arena has been compared: the WRITE changes it. */
static bool keys_alive(struct world *w)
{
	const struct {
		struct ursa_roce_mr *mr;
		unsigned region;
		int tenant2;
	} rd[] = {{w->all, 0, 0}, {w->ro, 2, 0}, {w->rereg, 4, 0}, {w->other_pd, 3, 1}};
	bool ok = true;

	for (unsigned i = 0; i < RTE_DIM(rd); i++) {
		uint32_t *psn = rd[i].tenant2 ? &w->psn2 : &w->psn;
		uint8_t *base = region(w, rd[i].region);
		struct req q = {.op = OP_READ_REQ,
				.va = (uintptr_t)base,
				.rkey = ursa_roce_mr_rkey(rd[i].mr),
				.len = 64,
				.vlan = rd[i].tenant2 ? VLAN2 : VLAN1,
				.qpn = ursa_roce_qp_num(rd[i].tenant2 ? w->qp2 : w->qp),
				.psn = *psn,
				.src = 0x0a630002};

		forge(w, &q);
		ok = ok && w->nrep == 1 && w->rep[0].opcode == OP_READ_RESP_ONLY &&
		     w->rb_len == 64 && memcmp(w->readback, base, 64) == 0;
		*psn = (*psn + 1) & 0xffffff;
	}
	{
		struct req q = {.op = OP_WRITE_ONLY,
				.va = (uintptr_t)region(w, 1),
				.rkey = ursa_roce_mr_rkey(w->wo),
				.len = 16,
				.vlan = VLAN1,
				.qpn = ursa_roce_qp_num(w->qp),
				.psn = w->psn,
				.src = 0x0a630002};

		forge(w, &q);
		ok = ok && w->nrep == 1 && w->rep[0].opcode == OP_ACK &&
		     (w->rep[0].syndrome & 0x60) == 0 && region(w, 1)[0] == 0xe0;
		w->psn = (w->psn + 1) & 0xffffff;
	}
	return ok;
}

/* The forged request of kind k against tenant 1's QP (tenant 2's for K_CROSS_TENANT). */
static struct req make(struct world *w, enum kind k, struct ursa_rng *rng)
{
	uint32_t len = 1 + (uint32_t)ursa_rng_below(rng, 512);
	uint64_t all_va = (uintptr_t)region(w, 0);
	struct req q = {.op = ursa_rng_below(rng, 2) ? OP_WRITE_ONLY : OP_READ_REQ,
			.va = all_va + ursa_rng_below(rng, PAGE - len),
			.rkey = ursa_roce_mr_rkey(w->all), /* valid unless the kind says */
			.len = len,
			.vlan = VLAN1,
			.qpn = ursa_roce_qp_num(w->qp),
			.psn = w->psn,
			.src = 0x0a630002};

	switch (k) {
	case K_RANDOM_RKEY:
		do
			q.rkey = ursa_rng_u32(rng);
		while (is_live_key(w, q.rkey));
		break;
	case K_STALE_RKEY:
		q.rkey = w->stale_rkeys[ursa_rng_below(rng, RTE_DIM(w->stale_rkeys))];
		q.va = (uintptr_t)region(w, 5 + (unsigned)ursa_rng_below(rng, 3));
		break;
	case K_OFF_END:
		q.va = all_va + PAGE - len + 1;
		break;
	case K_OFF_START:
		q.va = all_va - 1;
		break;
	case K_WRONG_PD:
		q.rkey = ursa_roce_mr_rkey(w->other_pd);
		q.va = (uintptr_t)region(w, 3);
		break;
	case K_READ_WRITE_ONLY:
		q.rkey = ursa_roce_mr_rkey(w->wo);
		q.va = (uintptr_t)region(w, 1) + ursa_rng_below(rng, PAGE - len);
		q.op = OP_READ_REQ;
		break;
	case K_ATOMIC_NO_ACCESS:
		q.rkey = ursa_roce_mr_rkey(w->ro);
		q.va = (uintptr_t)region(w, 2) + 8 * ursa_rng_below(rng, PAGE / 8);
		q.op = ursa_rng_below(rng, 2) ? OP_CMP_SWAP : OP_FETCH_ADD;
		break;
	case K_MISALIGNED_ATOMIC:
		q.va = all_va + 8 * ursa_rng_below(rng, PAGE / 8 - 1) + 1 + ursa_rng_below(rng, 7);
		q.op = ursa_rng_below(rng, 2) ? OP_CMP_SWAP : OP_FETCH_ADD;
		break;
	case K_REREG_OLD_KEY:
		q.rkey = w->old_rereg_key;
		q.va = (uintptr_t)region(w, 4) + ursa_rng_below(rng, PAGE - len);
		q.op = OP_WRITE_ONLY;
		break;
	case K_SEND_INV: { /* a live key of either PD, none registered as invalidatable */
		const struct ursa_roce_mr *v[] = {w->all, w->wo, w->ro, w->rereg, w->other_pd};

		q.op = OP_SEND_ONLY_INV;
		q.rkey = ursa_roce_mr_rkey(v[ursa_rng_below(rng, RTE_DIM(v))]);
		q.len = 1 + (uint32_t)ursa_rng_below(rng, sizeof(w->rbuf));
		break;
	}
	case K_WRONG_VLAN: /* a perfectly valid request, on the other tenant's VLAN */
		q.vlan = VLAN2;
		break;
	case K_CROSS_TENANT: /* valid for tenant 2's QP, but on tenant 1's VLAN */
		q.qpn = ursa_roce_qp_num(w->qp2);
		q.rkey = ursa_roce_mr_rkey(w->other_pd);
		q.va = (uintptr_t)region(w, 3) + ursa_rng_below(rng, PAGE - len);
		q.psn = w->psn2;
		break;
	case K_NO_VLAN:
		q.vlan = VLAN_NONE;
		break;
	case K_WRONG_SRC:
		q.src = 0x0a630003 + (uint32_t)ursa_rng_below(rng, 250);
		break;
	default: /* K_WRONG_QP */
		do
			q.qpn = (uint32_t)ursa_rng_below(rng, 1u << 24);
		while (q.qpn == ursa_roce_qp_num(w->qp) || q.qpn == ursa_roce_qp_num(w->qp2));
		break;
	}
	if (q.op == OP_CMP_SWAP || q.op == OP_FETCH_ADD)
		q.len = 8;
	return q;
}

/* Whether the host answered q (of kind k) as the spec says; counter was the expected drop
 * or NAK counter before it. */
static bool answered_right(struct world *w, enum kind k, const struct req *q, uint64_t before)
{
	uint64_t now = ursa_test_counter(w->lc, expect[k].block, expect[k].counter);

	if (now != before + 1)
		return false;
	if (expect[k].syndrome == 0)
		return w->nrep == 0;
	return w->nrep == 1 && w->rep[0].opcode == OP_ACK && w->rep[0].vlan == VLAN1 &&
	       w->rep[0].syndrome == expect[k].syndrome && w->rep[0].psn == q->psn;
}

static unsigned long forged_count(void)
{
	const char *e = getenv("URSA_ATTACK_N");
	unsigned long n = e != NULL ? strtoul(e, NULL, 10) : FORGED_DEFAULT;

	return n >= K_MAX ? n : K_MAX;
}

static void report(const uint64_t *sent, const uint64_t *right, uint64_t controls,
		   uint64_t controls_ok, uint64_t leaked, size_t changed)
{
	printf("\n    %-40s %-24s %9s %9s %6s\n", "forged request", "answer", "sent", "right",
	       "wrong");
	for (unsigned k = 0; k < K_MAX; k++) {
		char ans[32];

		if (expect[k].syndrome)
			snprintf(ans, sizeof(ans), "NAK 0x%02x", expect[k].syndrome);
		else
			snprintf(ans, sizeof(ans), "drop %s", expect[k].counter);
		printf("    %-40s %-24s %9lu %9lu %6lu\n", kind_names[k], ans,
		       (unsigned long)sent[k], (unsigned long)right[k],
		       (unsigned long)(sent[k] - right[k]));
	}
	printf("    valid READ controls (both tenants): %lu/%lu correct; bytes in responses to "
	       "forged requests: %lu; arena bytes changed: %zu ",
	       (unsigned long)controls_ok, (unsigned long)controls, (unsigned long)leaked, changed);
}

static void test_forged(void)
{
	static struct world W;
	struct world *w = &W;
	struct ursa_rng *rng;
	unsigned long n = forged_count();
	uint64_t sent[K_MAX] = {0}, right[K_MAX] = {0};
	uint64_t controls = 0, controls_ok = 0, read_bytes_leaked = 0;
	size_t changed = 0;

	setup(w);
	rng = &w->lc->rng;
	for (unsigned long i = 0; i < n; i++) {
		enum kind k = (enum kind)(i % K_MAX);
		struct req q;
		uint64_t before;

		if (i % CONTROL_EVERY == 0) {
			controls_ok += control(w, (int)(i / CONTROL_EVERY % 2), rng);
			controls++;
		}
		q = make(w, k, rng);
		before = ursa_test_counter(w->lc, expect[k].block, expect[k].counter);
		if (k == K_SEND_INV)
			post_rbuf(w);
		forge(w, &q);
		sent[k]++;
		for (unsigned r = 0; r < w->nrep; r++)
			if (w->rep[r].opcode != OP_ACK)
				read_bytes_leaked += w->rep[r].paylen;
		right[k] += answered_right(w, k, &q, before) &&
			    (k != K_SEND_INV || send_inv_flushed(w));
		if (expect[k].syndrome) {
			/* a NAK puts the QP in the error state: start it again at the next PSN */
			w->psn = (w->psn + 1) & 0xffffff;
			qp_to_rts(w, w->qp, 0, PEER_QPN, w->psn);
		}
	}
	for (size_t i = 0; i < w->arena_len; i++)
		changed += w->arena[i] != w->shadow[i];
	report(sent, right, controls, controls_ok, read_bytes_leaked, changed);
	CU_ASSERT(keys_alive(w));
	for (unsigned k = 0; k < K_MAX; k++)
		CU_ASSERT_EQUAL(right[k], sent[k]);
	CU_ASSERT_EQUAL(changed, 0);
	CU_ASSERT_EQUAL(controls_ok, controls);
	CU_ASSERT(controls >= n / CONTROL_EVERY);
	CU_ASSERT_EQUAL(read_bytes_leaked, 0);
	CU_ASSERT(sent[0] * K_MAX >= n);
	ursa_roce_qp_destroy(w->qp);
	ursa_roce_qp_destroy(w->qp2);
	ursa_roce_mr_dereg(w->all);
	ursa_roce_mr_dereg(w->wo);
	ursa_roce_mr_dereg(w->ro);
	ursa_roce_mr_dereg(w->other_pd);
	ursa_roce_mr_dereg(w->rereg);
	ursa_roce_mr_dereg(w->rbuf_mr);
	ursa_roce_cq_destroy(w->cq);
	ursa_roce_pd_free(w->pd);
	ursa_roce_pd_free(w->pd2);
	ursa_lcore_destroy(w->lc);
	free(w->arena);
	free(w->shadow);
}

int main(void)
{
	CU_pSuite s;

	ursa_test_eal();
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("roce attack", NULL, NULL);
	CU_add_test(s, "forged requests via two tenants' VLANs: NAKed or dropped as the spec says",
		    test_forged);
	return ursa_test_main();
}
