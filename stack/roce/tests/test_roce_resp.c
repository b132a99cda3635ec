/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Responder unit tests: forged requests into one engine, one per check of rocev2.md §3.7.
 * Each bad request must get the right answer (NAK code, RNR NAK, or a silent counted drop),
 * and the bytes of the MR and the canaries around it must be unchanged unless the request
 * was valid. Also duplicates (re-ACK, READ replay from memory, ATOMIC replay without
 * re-execution) and the ACK fields.
 */
#include <errno.h>
#include <sys/socket.h>

#include <rte_ip.h>
#include <rte_udp.h>

#include "roce_cap.h"
#include "roce_priv.h"
#include "ursa_roce_testing.h"
#include "roce_qp_up.h"
#include "ursa_test.h"

#define MR_LEN	 4096
#define CANARY	 0x5a
#define PEER_QPN 0x77
#define EXP_PSN	 100

static struct ursa_lcore *lc;
static struct ursa_roce_pd *pd, *pd2;
static struct ursa_roce_cq *cq;
static struct ursa_roce_qp *qp;
static struct ursa_roce_mr *mr, *mr_ro, *mr_other_pd;
static uint8_t mem[MR_LEN + 128]; /* canary | MR | canary */
static uint8_t *buf = mem + 64;
static uint8_t ro[256], other[256], rbuf[512];
static struct rte_mbuf *out[64];
static struct roce_cap sent = {.v = out, .max = RTE_DIM(out)};

/* One engine with a responder QP in RTS, expected PSN EXP_PSN. */
static void setup_qp(unsigned qp_access, uint8_t max_dest_rd_atomic)
{
	struct ursa_rdma_qp_cap cap = {16, 16, 2, 2};
	struct ursa_ipaddr l, r;
	const unsigned all = URSA_RDMA_ACCESS_LOCAL_WRITE | URSA_RDMA_ACCESS_REMOTE_WRITE |
			     URSA_RDMA_ACCESS_REMOTE_READ | URSA_RDMA_ACCESS_REMOTE_ATOMIC;

	lc = ursa_test_lcore(99);
	CU_ASSERT_FATAL(lc != NULL);
	CU_ASSERT_FATAL(ursa_roce_ctx_create(lc, NULL) == 0);
	ursa_roce_set_xmit(lc, roce_cap_xmit, &sent);
	CU_ASSERT_FATAL(ursa_roce_pd_alloc(lc, &pd) == 0);
	CU_ASSERT_FATAL(ursa_roce_pd_alloc(lc, &pd2) == 0);
	CU_ASSERT_FATAL(ursa_roce_cq_create(lc, 64, &cq) == 0);
	CU_ASSERT_FATAL(ursa_roce_qp_create(pd, cq, cq, &cap, false, &qp) == 0);
	memset(mem, CANARY, sizeof(mem));
	for (unsigned i = 0; i < MR_LEN; i++)
		buf[i] = (uint8_t)i;
	CU_ASSERT_FATAL(ursa_roce_mr_reg(pd, buf, MR_LEN, all, &mr) == 0);
	CU_ASSERT_FATAL(
		ursa_roce_mr_reg(pd, ro, sizeof(ro), URSA_RDMA_ACCESS_REMOTE_READ, &mr_ro) == 0);
	CU_ASSERT_FATAL(ursa_roce_mr_reg(pd2, other, sizeof(other), all, &mr_other_pd) == 0);
	l = ursa_test_ip("10.0.0.1");
	r = ursa_test_ip("10.0.0.2");
	CU_ASSERT_FATAL(
		roce_qp_up(qp, &(struct roce_qp_up){.local = &l,
						    .remote = &r,
						    .access = qp_access,
						    .path_mtu = 256,
						    .dest_qpn = PEER_QPN,
						    .rq_psn = EXP_PSN,
						    .sq_psn = 5000,
						    .max_dest_rd_atomic = max_dest_rd_atomic,
						    .max_rd_atomic = 1,
						    .min_rnr_timer = 12,
						    .timeout = 14,
						    .retry_cnt = 7,
						    .rnr_retry = 7}) == 0);
	sent.n = 0;
}

static void teardown_qp(void)
{
	roce_cap_drain(&sent);
	ursa_roce_qp_destroy(qp);
	ursa_roce_mr_dereg(mr);
	ursa_roce_mr_dereg(mr_ro);
	ursa_roce_mr_dereg(mr_other_pd);
	ursa_roce_cq_destroy(cq);
	ursa_roce_pd_free(pd);
	ursa_roce_pd_free(pd2);
	ursa_lcore_destroy(lc);
}

#define ALL_REMOTE                                                                                 \
	(URSA_RDMA_ACCESS_REMOTE_WRITE | URSA_RDMA_ACCESS_REMOTE_READ |                            \
	 URSA_RDMA_ACCESS_REMOTE_ATOMIC)

struct forge {
	uint8_t opcode;
	uint32_t psn;
	bool ackreq;
	const void *ext; /* extension headers, as on the wire */
	unsigned extlen;
	const void *pay;
	uint32_t paylen;
	int pad; /* -1: correct */
	/* spoofing knobs */
	const char *src, *dst;
	uint16_t pkey;
	uint32_t qpn;
	uint8_t tver;
	bool bad_icrc;
};

static int32_t inject_iface; /* the ingress interface (-1: unknown); the QP is bound to 0 */
static bool burst; /* inject as UDP does within a received burst: ACKs wait for the poll */

static void inject(const struct forge *f)
{
	uint8_t p[4096 + 128];
	unsigned pad = f->pad < 0 ? (-f->paylen) & 3 : (unsigned)f->pad;
	unsigned bth = 28, len = bth + 12 + f->extlen + f->paylen + pad + 4;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)p;
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(p + 20);
	struct ursa_ipaddr s, d;
	struct rte_mbuf *m;

	memset(p, 0, sizeof(p));
	s = ursa_test_ip(f->src ? f->src : "10.0.0.2");
	d = ursa_test_ip(f->dst ? f->dst : "10.0.0.1");
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)len);
	ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = s.v4;
	ip->dst_addr = d.v4;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(0xc123);
	udp->dst_port = rte_cpu_to_be_16(4791);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(len - 20));
	roce_bth_set((struct roce_bth *)(p + bth), f->opcode, 0, pad, f->pkey ? f->pkey : 0xffff,
		     f->qpn ? f->qpn : ursa_roce_qp_num(qp), f->ackreq, f->psn);
	p[bth + 1] |= f->tver;
	if (f->extlen)
		memcpy(p + bth + 12, f->ext, f->extlen);
	if (f->paylen)
		memcpy(p + bth + 12 + f->extlen, f->pay, f->paylen);
	m = ursa_test_mbuf(lc, p, len);
	CU_ASSERT_FATAL(m != NULL);
	roce_icrc_put(rte_pktmbuf_mtod_offset(m, uint8_t *, len - 4),
		      roce_icrc_calc(rte_pktmbuf_mtod(m, uint8_t *), m, bth, len - bth - 4) ^
			      (f->bad_icrc ? 1u : 0u));
	if (!burst) {
		ursa_roce_input_l3(lc, m, inject_iface);
		return;
	}
	rte_pktmbuf_adj(m, 28); /* as UDP hands it over: data at the BTH */
	roce_input_l4(lc, m, 20, inject_iface);
}

struct reply {
	uint8_t opcode, syndrome;
	uint32_t psn, msn, qpn;
	uint64_t orig;
	uint32_t paylen;
	uint8_t pay[512];
};

/* Pop the oldest reply; false when there is none. */
static bool reply(struct reply *r)
{
	struct rte_mbuf *m;
	const uint8_t *p;
	const struct roce_opinfo *op;
	uint32_t len;

	if (sent.n == 0)
		return false;
	m = out[0];
	memmove(out, out + 1, --sent.n * sizeof(out[0]));
	p = rte_pktmbuf_mtod(m, const uint8_t *);
	CU_ASSERT_FATAL(rte_pktmbuf_is_contiguous(m));
	len = rte_pktmbuf_pkt_len(m);
	CU_ASSERT(roce_icrc_check(p, m, 28, len - 28));
	memset(r, 0, sizeof(*r));
	r->opcode = p[28];
	r->qpn = roce_get24(p + 28 + 5);
	r->psn = roce_get24(p + 28 + 9);
	op = roce_opinfo(r->opcode);
	CU_ASSERT_FATAL(op != NULL);
	if (op->mask & ROCE_M_AETH) {
		r->syndrome = p[28 + 12];
		r->msn = roce_get24(p + 28 + 13);
	}
	if (op->mask & ROCE_M_ATMACK) {
		rte_be64_t v;

		memcpy(&v, p + 28 + 16, 8);
		r->orig = rte_be_to_cpu_64(v);
	}
	r->paylen = len - 28 - op->length - 4 - ((p[29] >> 4) & 3);
	memcpy(r->pay, p + 28 + op->length, RTE_MIN(r->paylen, (uint32_t)sizeof(r->pay)));
	rte_pktmbuf_free(m);
	return true;
}

static void reth(uint8_t *e, uint64_t va, uint32_t rkey, uint32_t len)
{
	struct roce_reth *r = (struct roce_reth *)e;

	r->va = rte_cpu_to_be_64(va);
	r->rkey = rte_cpu_to_be_32(rkey);
	r->len = rte_cpu_to_be_32(len);
}

static void atmeth(uint8_t *e, uint64_t va, uint32_t rkey, uint64_t swap_add, uint64_t cmp)
{
	struct roce_atmeth *a = (struct roce_atmeth *)e;

	a->va = rte_cpu_to_be_64(va);
	a->rkey = rte_cpu_to_be_32(rkey);
	a->swap_add = rte_cpu_to_be_64(swap_add);
	a->cmp = rte_cpu_to_be_64(cmp);
}

/* The MR holds its initial pattern and both canaries are intact. */
/* Inject f; the one answer must carry this AETH syndrome (the reply is left in r). */
static void nak_for(const struct forge *f, uint8_t syndrome, struct reply *r)
{
	inject(f);
	CU_ASSERT_FATAL(reply(r));
	CU_ASSERT_EQUAL(r->syndrome, syndrome);
}

static bool memory_untouched(void)
{
	for (unsigned i = 0; i < 64; i++)
		if (mem[i] != CANARY || mem[64 + MR_LEN + i] != CANARY)
			return false;
	for (unsigned i = 0; i < MR_LEN; i++)
		if (buf[i] != (uint8_t)i)
			return false;
	return true;
}

static const uint8_t payload[256] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

/* A WRITE_ONLY of len bytes at va with rkey; expect the given NAK code (or 0 = ACK). */
static void expect_write_nak(uint64_t va, uint32_t rkey, uint32_t len, uint8_t syndrome,
			     const char *counter)
{
	uint8_t e[16];
	struct reply r;
	struct forge f = {.opcode = ROCE_OP_WRITE_ONLY,
			  .psn = EXP_PSN,
			  .ackreq = true,
			  .ext = e,
			  .extlen = 16,
			  .pay = payload,
			  .paylen = len,
			  .pad = -1};

	reth(e, va, rkey, len);
	inject(&f);
	CU_ASSERT_FATAL(reply(&r));
	CU_ASSERT_EQUAL(r.opcode, ROCE_OP_ACK);
	CU_ASSERT_EQUAL(r.syndrome, syndrome);
	CU_ASSERT_EQUAL(r.psn, EXP_PSN);
	CU_ASSERT_EQUAL(r.qpn, PEER_QPN);
	CU_ASSERT(!reply(&r));
	CU_ASSERT(memory_untouched());
	if (syndrome != 0x1f) {
		struct ursa_rdma_qp_attr a;

		ursa_roce_qp_query(qp, &a);
		CU_ASSERT_EQUAL(a.qp_state, URSA_RDMA_QPS_ERR);
	}
	if (counter != NULL)
		CU_ASSERT_EQUAL(ursa_test_counter(lc, "roce", counter), 1);
}

/* ---- one bad request, one NAK: the table ---- */

/* Whose rkey a case's request carries, and whose start its VA is counted from. */
enum nak_key {
	NAK_KEY_MR,	  /* the MR over buf (all access) */
	NAK_KEY_RO,	  /* the remote-read-only MR over ro */
	NAK_KEY_OTHER_PD, /* the MR over other, in another PD */
	NAK_KEY_FIXED,	  /* key as given, no MR */
};

/* A case: a fresh QP, one request, one answer with this AETH syndrome at the expected PSN,
 * nothing else sent, no byte of any MR or canary changed, the QP in error after a NAK (not
 * after an ACK), and the counter (if named) at 1. */
struct nak_case {
	const char *name;
	unsigned qp_access;
	uint8_t max_dest_rd_atomic;
	uint8_t opcode; /* a RETH or AtomicETH is added when the opcode has one */
	enum nak_key key;
	uint32_t key_val; /* NAK_KEY_FIXED: the rkey; otherwise XORed into the MR's rkey */
	bool va_abs;	  /* the VA is va, not the key's MR start + off */
	uint64_t va;
	int64_t off;
	uint32_t len;	 /* RETH length */
	uint32_t paylen; /* payload bytes */
	bool bad_pad;	 /* pad count 0 whatever the payload needs */
	uint8_t syndrome;
	const char *counter;
};

#define WR ROCE_OP_WRITE_ONLY
#define RD ROCE_OP_READ_REQUEST
#define FA ROCE_OP_FETCH_ADD
static const struct nak_case nak_cases[] = {
	{"rkey unknown: NAK access", ALL_REMOTE, 4, WR, NAK_KEY_MR, 0x100, .len = 8, .paylen = 8,
	 .syndrome = 0x62, .counter = "tx_nak_access"},
	{"rkey of another PD: NAK access", ALL_REMOTE, 4, WR, NAK_KEY_OTHER_PD, .len = 8,
	 .paylen = 8, .syndrome = 0x62},
	{"MR without remote write: NAK access", ALL_REMOTE, 4, WR, NAK_KEY_RO, .len = 8,
	 .paylen = 8, .syndrome = 0x62},
	{"range: one byte before the MR", ALL_REMOTE, 4, WR, NAK_KEY_MR, .off = -1, .len = 8,
	 .paylen = 8, .syndrome = 0x62},
	{"range: ends one byte past the MR", ALL_REMOTE, 4, WR, NAK_KEY_MR, .off = MR_LEN - 7,
	 .len = 8, .paylen = 8, .syndrome = 0x62},
	{"range: a VA that wraps the address space", ALL_REMOTE, 4, WR, NAK_KEY_MR, .va_abs = true,
	 .va = UINT64_MAX - 3, .len = 8, .paylen = 8, .syndrome = 0x62},
	{"zero-length WRITE needs no key (IBTA 9.4.4): ACK", ALL_REMOTE, 4, WR, NAK_KEY_FIXED,
	 0x12345678, .va_abs = true, .va = 0xdead0000, .syndrome = 0x1f},
	{"QP without remote write: WRITE is an invalid request", URSA_RDMA_ACCESS_REMOTE_READ, 4,
	 WR, NAK_KEY_MR, .len = 8, .paylen = 8, .syndrome = 0x61, .counter = "tx_nak_inv_req"},
	{"QP without remote read: READ is an invalid request", URSA_RDMA_ACCESS_REMOTE_WRITE, 4, RD,
	 NAK_KEY_MR, .len = 8, .syndrome = 0x61},
	{"max_dest_rd_atomic 0: no READ resources", ALL_REMOTE, 0, RD, NAK_KEY_MR, .len = 8,
	 .syndrome = 0x61},
	{"QP without remote atomic: FETCH_ADD is an invalid request", URSA_RDMA_ACCESS_REMOTE_WRITE,
	 4, FA, NAK_KEY_MR, .syndrome = 0x61},
	{"atomic misaligned: invalid request", ALL_REMOTE, 4, FA, NAK_KEY_MR, .off = 4,
	 .syndrome = 0x61},
	{"atomic on an MR without atomic access: NAK access", ALL_REMOTE, 4, FA, NAK_KEY_RO,
	 .syndrome = 0x62},
	{"atomic past the MR's last 8 bytes: NAK access", ALL_REMOTE, 4, FA, NAK_KEY_MR,
	 .off = MR_LEN, .syndrome = 0x62},
	{"WRITE MIDDLE with no FIRST", ALL_REMOTE, 4, ROCE_OP_WRITE_MIDDLE, NAK_KEY_MR,
	 .paylen = 256, .syndrome = 0x61},
	{"WRITE ONLY whose payload differs from the RETH length", ALL_REMOTE, 4, WR, NAK_KEY_MR,
	 .len = 16, .paylen = 8, .syndrome = 0x61},
	{"WRITE FIRST shorter than the PMTU", ALL_REMOTE, 4, ROCE_OP_WRITE_FIRST, NAK_KEY_MR,
	 .len = 1000, .paylen = 128, .syndrome = 0x61},
	{"a wrong pad count", ALL_REMOTE, 4, WR, NAK_KEY_MR, .len = 7, .paylen = 7, .bad_pad = true,
	 .syndrome = 0x61},
	{"READ with a RETH length above 2^31", ALL_REMOTE, 4, RD, NAK_KEY_MR, .len = 0x80000001u,
	 .syndrome = 0x61},
};
#undef WR
#undef RD
#undef FA

/* The extension header of c's request (RETH or AtomicETH) into e; returns its length. */
static unsigned nak_ext(const struct nak_case *c, uint8_t *e)
{
	const struct roce_opinfo *op = roce_opinfo(c->opcode);
	struct ursa_roce_mr *m[] = {mr, mr_ro, mr_other_pd, NULL};
	const uint8_t *start[] = {buf, ro, other, NULL};
	uint32_t key = c->key_val;
	uint64_t va = c->va;

	CU_ASSERT_FATAL(op != NULL);
	if (c->key != NAK_KEY_FIXED)
		key ^= ursa_roce_mr_rkey(m[c->key]);
	if (!c->va_abs)
		va = (uintptr_t)start[c->key] + (uint64_t)c->off;
	if (op->mask & ROCE_M_RETH) {
		reth(e, va, key, c->len);
		return 16;
	}
	if (op->mask & ROCE_M_ATMETH) {
		atmeth(e, va, key, 1, 0);
		return 28;
	}
	return 0;
}

static void run_nak_case(const struct nak_case *c)
{
	uint8_t e[28], ro_was[sizeof(ro)], other_was[sizeof(other)];
	struct forge f = {.opcode = c->opcode,
			  .psn = EXP_PSN,
			  .ackreq = true,
			  .ext = e,
			  .pay = payload,
			  .paylen = c->paylen,
			  .pad = c->bad_pad ? 0 : -1};
	struct ursa_rdma_qp_attr a;
	struct reply r;

	setup_qp(c->qp_access, c->max_dest_rd_atomic);
	f.extlen = nak_ext(c, e);
	memcpy(ro_was, ro, sizeof(ro));
	memcpy(other_was, other, sizeof(other));
	inject(&f);
	CU_ASSERT_FATAL(reply(&r));
	CU_ASSERT_EQUAL(r.opcode, ROCE_OP_ACK);
	CU_ASSERT_EQUAL(r.syndrome, c->syndrome);
	CU_ASSERT_EQUAL(r.psn, EXP_PSN);
	CU_ASSERT_EQUAL(r.qpn, PEER_QPN);
	CU_ASSERT(!reply(&r));
	CU_ASSERT(memory_untouched());
	CU_ASSERT_EQUAL(memcmp(ro, ro_was, sizeof(ro)), 0);
	CU_ASSERT_EQUAL(memcmp(other, other_was, sizeof(other)), 0);
	ursa_roce_qp_query(qp, &a);
	CU_ASSERT_EQUAL(a.qp_state, c->syndrome == 0x1f ? URSA_RDMA_QPS_RTS : URSA_RDMA_QPS_ERR);
	if (c->counter != NULL)
		CU_ASSERT_EQUAL(ursa_test_counter(lc, "roce", c->counter), 1);
	teardown_qp();
}

/* Each row is a CUnit test of its own, named by the row: they run in table order. */
static unsigned nak_next;

static void test_nak_case(void)
{
	CU_ASSERT_FATAL(nak_next < RTE_DIM(nak_cases));
	run_nak_case(&nak_cases[nak_next++]);
}

/* ---- the tests ---- */

static void test_valid_write_and_ack_fields(void)
{
	uint8_t e[16];
	struct reply r;
	struct forge f = {.opcode = ROCE_OP_WRITE_ONLY,
			  .psn = EXP_PSN,
			  .ackreq = true,
			  .ext = e,
			  .extlen = 16,
			  .pay = payload,
			  .paylen = 10,
			  .pad = -1};

	setup_qp(ALL_REMOTE, 4);
	reth(e, (uintptr_t)buf + 100, ursa_roce_mr_rkey(mr), 10);
	inject(&f);
	CU_ASSERT_FATAL(reply(&r));
	CU_ASSERT_EQUAL(r.opcode, ROCE_OP_ACK);
	CU_ASSERT_EQUAL(r.syndrome, 0x1f); /* ACK, no credit information, as rxe */
	CU_ASSERT_EQUAL(r.psn, EXP_PSN);
	CU_ASSERT_EQUAL(r.msn, 1);
	CU_ASSERT_EQUAL(r.qpn, PEER_QPN);
	CU_ASSERT_EQUAL(memcmp(buf + 100, payload, 10), 0);
	CU_ASSERT_EQUAL(buf[99], 99);
	CU_ASSERT_EQUAL(buf[110], 110);
	/* no AckReq: executed, no ACK */
	f.psn = EXP_PSN + 1;
	f.ackreq = false;
	reth(e, (uintptr_t)buf + 200, ursa_roce_mr_rkey(mr), 10);
	inject(&f);
	CU_ASSERT(!reply(&r));
	CU_ASSERT_EQUAL(memcmp(buf + 200, payload, 10), 0);
	/* a duplicate is ACKed again with the last PSN, not executed again */
	memset(buf + 100, 0, 10);
	f.psn = EXP_PSN;
	f.ackreq = true;
	reth(e, (uintptr_t)buf + 100, ursa_roce_mr_rkey(mr), 10);
	nak_for(&f, 0x1f, &r);
	CU_ASSERT_EQUAL(r.psn, EXP_PSN + 1);
	CU_ASSERT_EQUAL(r.msn, 2);
	CU_ASSERT_EQUAL(buf[100], 0);
	CU_ASSERT_EQUAL(ursa_test_counter(lc, "roce", "rx_dup_req"), 1);
	teardown_qp();
}

/* Exactly the last 8 bytes of the MR: written, the canary after it intact. */
static void test_range_exact_end(void)
{
	uint8_t e[16];
	struct reply r;
	struct forge f = {.opcode = ROCE_OP_WRITE_ONLY,
			  .psn = EXP_PSN,
			  .ackreq = true,
			  .ext = e,
			  .extlen = 16,
			  .pay = payload,
			  .paylen = 8,
			  .pad = -1};

	setup_qp(ALL_REMOTE, 4);
	reth(e, (uintptr_t)buf + MR_LEN - 8, ursa_roce_mr_rkey(mr), 8);
	inject(&f);
	CU_ASSERT_FATAL(reply(&r));
	CU_ASSERT_EQUAL(r.syndrome, 0x1f);
	CU_ASSERT_EQUAL(memcmp(buf + MR_LEN - 8, payload, 8), 0);
	CU_ASSERT_EQUAL(mem[64 + MR_LEN], CANARY);
	teardown_qp();
}

static void test_dereg_and_rereg(void)
{
	uint32_t old;
	struct ursa_roce_mr *m2;

	setup_qp(ALL_REMOTE, 4);
	old = ursa_roce_mr_rkey(mr);
	CU_ASSERT_EQUAL(ursa_roce_mr_rereg(mr, URSA_RDMA_ACCESS_LOCAL_WRITE |
						       URSA_RDMA_ACCESS_REMOTE_WRITE),
			0);
	CU_ASSERT_NOT_EQUAL(ursa_roce_mr_rkey(mr), old);
	expect_write_nak((uintptr_t)buf, old, 8, 0x62, NULL);
	teardown_qp();

	setup_qp(ALL_REMOTE, 4);
	old = ursa_roce_mr_rkey(mr);
	ursa_roce_mr_dereg(mr);
	/* a new registration of the same memory gets a different key */
	CU_ASSERT_FATAL(
		ursa_roce_mr_reg(pd, buf, MR_LEN,
				 URSA_RDMA_ACCESS_LOCAL_WRITE | URSA_RDMA_ACCESS_REMOTE_WRITE,
				 &m2) == 0);
	CU_ASSERT_NOT_EQUAL(ursa_roce_mr_rkey(m2), old);
	mr = m2;
	expect_write_nak((uintptr_t)buf, old, 8, 0x62, NULL);
	teardown_qp();
}

/* Keys just used are in the context's key cache: rereg, dereg and a remote invalidation
 * must still kill them at once, also between the packets of one WRITE. */
static void test_cached_key_dies(void)
{
	uint8_t e[16];
	struct reply r;
	struct forge f = {.opcode = ROCE_OP_WRITE_FIRST,
			  .psn = EXP_PSN,
			  .ext = e,
			  .extlen = 16,
			  .pay = payload,
			  .paylen = 256,
			  .pad = -1};
	struct ursa_roce_mr *m2;
	uint32_t old;

	/* FIRST lands (and caches the key), the MR is re-registered, the LAST is refused */
	setup_qp(ALL_REMOTE, 4);
	old = ursa_roce_mr_rkey(mr);
	reth(e, (uintptr_t)buf, old, 300);
	inject(&f);
	CU_ASSERT(!reply(&r));
	CU_ASSERT_EQUAL(memcmp(buf, payload, 256), 0);
	CU_ASSERT_PTR_EQUAL(roce_mr_lookup(lc->roce, old), mr);
	CU_ASSERT_EQUAL(ursa_roce_mr_rereg(mr, URSA_RDMA_ACCESS_LOCAL_WRITE |
						       URSA_RDMA_ACCESS_REMOTE_WRITE),
			0);
	CU_ASSERT_PTR_NULL(roce_mr_lookup(lc->roce, old));
	CU_ASSERT_PTR_EQUAL(roce_mr_lookup(lc->roce, ursa_roce_mr_rkey(mr)), mr);
	f.opcode = ROCE_OP_WRITE_LAST;
	f.ext = NULL;
	f.extlen = 0;
	f.psn = EXP_PSN + 1;
	f.ackreq = true;
	f.paylen = 44;
	nak_for(&f, 0x62, &r);
	CU_ASSERT_EQUAL(r.psn, EXP_PSN + 1);
	for (unsigned i = 256; i < MR_LEN; i++)
		if (buf[i] != (uint8_t)i) {
			CU_FAIL("a WRITE went on after its key was re-registered");
			break;
		}
	teardown_qp();

	/* a WRITE with the key, dereg, a new MR on the same memory: the old key is dead */
	setup_qp(ALL_REMOTE, 4);
	old = ursa_roce_mr_rkey(mr);
	expect_write_nak((uintptr_t)buf + MR_LEN, old, 0, 0x1f, NULL); /* zero length: no key */
	f.opcode = ROCE_OP_WRITE_ONLY;
	f.ext = e;
	f.extlen = 16;
	f.psn = EXP_PSN + 1;
	f.paylen = 8;
	reth(e, (uintptr_t)buf, old, 8);
	nak_for(&f, 0x1f, &r);
	CU_ASSERT_PTR_EQUAL(roce_mr_lookup(lc->roce, old), mr);
	ursa_roce_mr_dereg(mr);
	CU_ASSERT_PTR_NULL(roce_mr_lookup(lc->roce, old));
	CU_ASSERT_FATAL(
		ursa_roce_mr_reg(pd, buf, MR_LEN,
				 URSA_RDMA_ACCESS_LOCAL_WRITE | URSA_RDMA_ACCESS_REMOTE_WRITE,
				 &m2) == 0);
	mr = m2;
	CU_ASSERT_PTR_NULL(roce_mr_lookup(lc->roce, old));
	f.psn = EXP_PSN + 2;
	reth(e, (uintptr_t)buf + 16, old, 8);
	nak_for(&f, 0x62, &r);
	CU_ASSERT_EQUAL(buf[16], 16);
	teardown_qp();

	/* a key cached by a WRITE, then invalidated by a SEND with invalidate */
	setup_qp(ALL_REMOTE, 4);
	{
		struct ursa_rdma_sge sge = {(uintptr_t)rbuf, sizeof(rbuf), 0};
		struct ursa_rdma_recv_wr wr = {.wr_id = 1, .sg_list = &sge, .num_sge = 1};
		rte_be32_t ieth;
		struct ursa_roce_mr *rmr;
		struct ursa_rdma_wc wc;

		CU_ASSERT_FATAL(ursa_roce_mr_reg(pd, rbuf, sizeof(rbuf),
						 URSA_RDMA_ACCESS_LOCAL_WRITE, &rmr) == 0);
		sge.lkey = ursa_roce_mr_lkey(rmr);
		CU_ASSERT_EQUAL(ursa_roce_mr_rereg(mr, URSA_RDMA_ACCESS_LOCAL_WRITE |
							       URSA_RDMA_ACCESS_REMOTE_WRITE |
							       URSA_RDMA_ACCESS_REMOTE_INVALIDATE),
				0);
		old = ursa_roce_mr_rkey(mr);
		f.opcode = ROCE_OP_WRITE_ONLY;
		f.psn = EXP_PSN;
		f.ext = e;
		f.extlen = 16;
		f.paylen = 8;
		reth(e, (uintptr_t)buf, old, 8);
		inject(&f);
		CU_ASSERT_FATAL(reply(&r));
		CU_ASSERT_EQUAL(r.syndrome, 0x1f);
		CU_ASSERT_EQUAL(ursa_roce_post_recv(qp, &wr, 1), 1);
		ieth = rte_cpu_to_be_32(old);
		f.opcode = ROCE_OP_SEND_ONLY_INV;
		f.psn = EXP_PSN + 1;
		f.ext = &ieth;
		f.extlen = 4;
		inject(&f);
		CU_ASSERT_FATAL(reply(&r));
		CU_ASSERT_EQUAL(r.syndrome, 0x1f);
		CU_ASSERT_EQUAL(ursa_roce_cq_poll(cq, &wc, 1), 1);
		CU_ASSERT_EQUAL(wc.status, URSA_RDMA_WC_SUCCESS);
		CU_ASSERT_PTR_NULL(roce_mr_lookup(lc->roce, old));
		f.opcode = ROCE_OP_WRITE_ONLY;
		f.psn = EXP_PSN + 2;
		f.ext = e;
		f.extlen = 16;
		reth(e, (uintptr_t)buf + 32, old, 8);
		inject(&f);
		CU_ASSERT_FATAL(reply(&r));
		CU_ASSERT_EQUAL(r.syndrome, 0x62);
		CU_ASSERT_EQUAL(buf[32], 32);
		ursa_roce_mr_dereg(rmr);
	}
	teardown_qp();
}

static void test_keys_random(void)
{
	uint32_t keys[64], ored = 0, anded = ~0u;

	setup_qp(ALL_REMOTE, 4);
	for (int i = 0; i < 64; i++) {
		struct ursa_roce_mr *m;

		CU_ASSERT_FATAL(ursa_roce_mr_reg(pd, buf, 64, 0, &m) == 0);
		keys[i] = ursa_roce_mr_rkey(m);
		CU_ASSERT_EQUAL(ursa_roce_mr_lkey(m), keys[i]);
		ored |= keys[i];
		anded &= keys[i];
		for (int j = 0; j < i; j++)
			CU_ASSERT_NOT_EQUAL(keys[i], keys[j]);
		ursa_roce_mr_dereg(m);
	}
	/* every bit of the key varies: no index bits, no fixed "all memory" key */
	CU_ASSERT_EQUAL(ored, 0xffffffffu);
	CU_ASSERT_EQUAL(anded, 0);
	/* bad registrations */
	{
		struct ursa_roce_mr *m;

		CU_ASSERT_EQUAL(ursa_roce_mr_reg(pd, NULL, 64, 0, &m), -EINVAL);
		CU_ASSERT_EQUAL(ursa_roce_mr_reg(pd, buf, 0, 0, &m), -EINVAL);
		CU_ASSERT_EQUAL(ursa_roce_mr_reg(pd, buf, 64, URSA_RDMA_ACCESS_REMOTE_WRITE, &m),
				-EINVAL);
		CU_ASSERT_EQUAL(ursa_roce_mr_reg(pd, buf, 64, 0x100, &m), -EINVAL);
	}
	CU_ASSERT_EQUAL(ursa_roce_pd_free(pd), -EBUSY);
	teardown_qp();
}

/* A valid FETCH_ADD, then its duplicate. */
static void test_atomic_replay(void)
{
	uint8_t e[28];
	struct reply r;
	struct forge f = {.opcode = ROCE_OP_FETCH_ADD,
			  .psn = EXP_PSN,
			  .ackreq = true,
			  .ext = e,
			  .extlen = 28};

	/* valid, then its duplicate: the saved result is replayed, not executed again */
	setup_qp(ALL_REMOTE, 4);
	{
		uint64_t *t = (uint64_t *)(void *)(buf + 64);
		uint64_t before = *t;

		atmeth(e, (uintptr_t)t, ursa_roce_mr_rkey(mr), 7, 0);
		inject(&f);
		CU_ASSERT_FATAL(reply(&r));
		CU_ASSERT_EQUAL(r.opcode, ROCE_OP_ATOMIC_ACK);
		CU_ASSERT_EQUAL(r.syndrome, 0x1f);
		CU_ASSERT_EQUAL(r.orig, before);
		CU_ASSERT_EQUAL(*t, before + 7);
		inject(&f); /* duplicate */
		CU_ASSERT_FATAL(reply(&r));
		CU_ASSERT_EQUAL(r.opcode, ROCE_OP_ATOMIC_ACK);
		CU_ASSERT_EQUAL(r.orig, before);
		CU_ASSERT_EQUAL(*t, before + 7);
	}
	teardown_qp();
}

static void test_packet_level_drops(void)
{
	uint8_t e[16];
	struct reply r;
	struct forge f = {.opcode = ROCE_OP_WRITE_ONLY,
			  .psn = EXP_PSN,
			  .ackreq = true,
			  .ext = e,
			  .extlen = 16,
			  .pay = payload,
			  .paylen = 8,
			  .pad = -1};
	struct {
		const char *counter;
		void (*tweak)(struct forge *);
	} cases[6];
	struct ursa_rdma_qp_attr a;

	setup_qp(ALL_REMOTE, 4);
	reth(e, (uintptr_t)buf, ursa_roce_mr_rkey(mr), 8);
	/* spoofed source address */
	f.src = "10.0.0.3";
	inject(&f);
	CU_ASSERT_EQUAL(ursa_test_counter(lc, "roce", "drop_bad_addr"), 1);
	f.src = NULL;
	/* not our address */
	f.dst = "10.0.0.9";
	inject(&f);
	CU_ASSERT_EQUAL(ursa_test_counter(lc, "roce", "drop_bad_addr"), 2);
	f.dst = NULL;
	/* P_Key of another partition */
	f.pkey = 0x8001;
	inject(&f);
	CU_ASSERT_EQUAL(ursa_test_counter(lc, "roce", "drop_bad_pkey"), 1);
	f.pkey = 0;
	/* bad ICRC */
	f.bad_icrc = true;
	inject(&f);
	CU_ASSERT_EQUAL(ursa_test_counter(lc, "roce", "drop_bad_icrc"), 1);
	f.bad_icrc = false;
	/* TVer 1 */
	f.tver = 1;
	inject(&f);
	CU_ASSERT_EQUAL(ursa_test_counter(lc, "roce", "drop_bad_tver"), 1);
	f.tver = 0;
	/* unknown QP, and QPN 0 */
	f.qpn = 0x999;
	inject(&f);
	f.qpn = 0;
	CU_ASSERT_EQUAL(ursa_test_counter(lc, "roce", "drop_no_qp"), 1);
	/* an opcode that is not RC (UC SEND_ONLY) */
	f.opcode = 0x24;
	inject(&f);
	CU_ASSERT_EQUAL(ursa_test_counter(lc, "roce", "drop_bad_opcode"), 1);
	f.opcode = ROCE_OP_WRITE_ONLY;
	/* pad count larger than the payload */
	f.paylen = 0;
	f.pad = 3;
	reth(e, (uintptr_t)buf, ursa_roce_mr_rkey(mr), 0);
	f.extlen = 14; /* and a truncated RETH: the packet is shorter than its headers */
	inject(&f);
	CU_ASSERT_EQUAL(ursa_test_counter(lc, "roce", "drop_short") +
				ursa_test_counter(lc, "roce", "drop_bad_pad"),
			1);
	/* nothing above was answered, nothing was written, the QP is fine */
	CU_ASSERT(!reply(&r));
	CU_ASSERT(memory_untouched());
	ursa_roce_qp_query(qp, &a);
	CU_ASSERT_EQUAL(a.qp_state, URSA_RDMA_QPS_RTS);
	CU_ASSERT_EQUAL(ursa_test_counter(lc, "roce", "rx_req"), 0);
	RTE_SET_USED(cases);
	teardown_qp();
}

static void test_psn_sequence(void)
{
	uint8_t e[16];
	struct reply r;
	struct forge f = {.opcode = ROCE_OP_WRITE_ONLY,
			  .psn = EXP_PSN + 5,
			  .ackreq = true,
			  .ext = e,
			  .extlen = 16,
			  .pay = payload,
			  .paylen = 8,
			  .pad = -1};

	setup_qp(ALL_REMOTE, 4);
	reth(e, (uintptr_t)buf, ursa_roce_mr_rkey(mr), 8);
	inject(&f);
	CU_ASSERT_FATAL(reply(&r));
	CU_ASSERT_EQUAL(r.syndrome, 0x60); /* NAK PSN sequence error */
	CU_ASSERT_EQUAL(r.psn, EXP_PSN);   /* carrying the expected PSN */
	inject(&f);			   /* only one NAK until the gap is filled */
	CU_ASSERT(!reply(&r));
	CU_ASSERT_EQUAL(ursa_test_counter(lc, "roce", "drop_psn_oos"), 1);
	CU_ASSERT(memory_untouched());
	f.psn = EXP_PSN;
	nak_for(&f, 0x1f, &r);
	f.psn = EXP_PSN + 7; /* a new gap: a new NAK */
	nak_for(&f, 0x60, &r);
	CU_ASSERT_EQUAL(r.psn, EXP_PSN + 1);
	teardown_qp();
}

/* A multi-packet WRITE whose LAST overruns the RETH length. */
static void test_write_last_overrun(void)
{
	uint8_t e[16], big[256];
	struct reply r;
	struct forge f = {.opcode = ROCE_OP_WRITE_FIRST,
			  .psn = EXP_PSN,
			  .ackreq = true,
			  .ext = e,
			  .extlen = 16,
			  .pay = big,
			  .paylen = 256,
			  .pad = -1};

	memset(big, 0xee, sizeof(big));
	setup_qp(ALL_REMOTE, 4);
	reth(e, (uintptr_t)buf, ursa_roce_mr_rkey(mr), 300);
	f.ackreq = false;
	inject(&f);
	CU_ASSERT(!reply(&r));
	f.opcode = ROCE_OP_WRITE_LAST;
	f.ext = NULL;
	f.extlen = 0;
	f.psn = EXP_PSN + 1;
	f.paylen = 64; /* 256 + 64 > 300 */
	nak_for(&f, 0x61, &r);
	CU_ASSERT_EQUAL(r.psn, EXP_PSN + 1);
	for (unsigned i = 256; i < MR_LEN; i++)
		if (buf[i] != (uint8_t)i) {
			CU_FAIL("write beyond its RETH length");
			break;
		}
	teardown_qp();
}

static void test_rnr_and_send(void)
{
	struct reply r;
	struct forge f = {.opcode = ROCE_OP_SEND_ONLY,
			  .psn = EXP_PSN,
			  .ackreq = true,
			  .pay = payload,
			  .paylen = 10,
			  .pad = -1};
	struct ursa_rdma_sge sge = {(uintptr_t)rbuf, 8, 0};
	struct ursa_rdma_recv_wr wr = {.wr_id = 42, .sg_list = &sge, .num_sge = 1};
	struct ursa_rdma_qp_attr a;
	struct ursa_rdma_wc wc;
	struct ursa_roce_mr *rmr;

	setup_qp(ALL_REMOTE, 4);
	inject(&f);
	CU_ASSERT_FATAL(reply(&r));
	CU_ASSERT_EQUAL(r.syndrome, 0x20 | 12); /* RNR NAK with the QP's min_rnr_timer */
	CU_ASSERT_EQUAL(r.psn, EXP_PSN);
	ursa_roce_qp_query(qp, &a);
	CU_ASSERT_EQUAL(a.qp_state, URSA_RDMA_QPS_RTS);
	/* a receive buffer too small (8 < 10): local length error + NAK invalid request */
	CU_ASSERT_FATAL(
		ursa_roce_mr_reg(pd, rbuf, sizeof(rbuf), URSA_RDMA_ACCESS_LOCAL_WRITE, &rmr) == 0);
	sge.lkey = ursa_roce_mr_lkey(rmr);
	CU_ASSERT_EQUAL(ursa_roce_post_recv(qp, &wr, 1), 1);
	nak_for(&f, 0x61, &r);
	CU_ASSERT_EQUAL(ursa_roce_cq_poll(cq, &wc, 1), 1);
	CU_ASSERT_EQUAL(wc.wr_id, 42);
	CU_ASSERT_EQUAL(wc.status, URSA_RDMA_WC_LOC_LEN_ERR);
	ursa_roce_mr_dereg(rmr);
	teardown_qp();

	/* a receive WQE with a bad lkey: remote operational error */
	setup_qp(ALL_REMOTE, 4);
	sge.lkey = 0x1234;
	sge.length = 64;
	CU_ASSERT_EQUAL(ursa_roce_post_recv(qp, &wr, 1), 1);
	nak_for(&f, 0x63, &r);
	CU_ASSERT_EQUAL(ursa_roce_cq_poll(cq, &wc, 1), 1);
	CU_ASSERT_EQUAL(wc.status, URSA_RDMA_WC_LOC_PROT_ERR);
	teardown_qp();

	/* SEND with invalidate of an invalidatable MR: delivered, the key is dead afterwards */
	setup_qp(ALL_REMOTE, 4);
	CU_ASSERT_EQUAL(ursa_roce_mr_rereg(mr, URSA_RDMA_ACCESS_LOCAL_WRITE |
						       URSA_RDMA_ACCESS_REMOTE_INVALIDATE),
			0);
	CU_ASSERT_FATAL(
		ursa_roce_mr_reg(pd, rbuf, sizeof(rbuf), URSA_RDMA_ACCESS_LOCAL_WRITE, &rmr) == 0);
	sge.lkey = ursa_roce_mr_lkey(rmr);
	CU_ASSERT_EQUAL(ursa_roce_post_recv(qp, &wr, 1), 1);
	{
		rte_be32_t ieth = rte_cpu_to_be_32(ursa_roce_mr_rkey(mr));

		f.opcode = ROCE_OP_SEND_ONLY_INV;
		f.ext = &ieth;
		f.extlen = 4;
		f.paylen = 8;
		inject(&f);
		CU_ASSERT_FATAL(reply(&r));
		CU_ASSERT_EQUAL(r.syndrome, 0x1f);
		CU_ASSERT_EQUAL(ursa_roce_cq_poll(cq, &wc, 1), 1);
		CU_ASSERT_EQUAL(wc.status, URSA_RDMA_WC_SUCCESS);
		CU_ASSERT(wc.wc_flags & URSA_RDMA_WC_WITH_INV);
		CU_ASSERT_EQUAL(wc.invalidated_rkey, ursa_roce_mr_rkey(mr));
		CU_ASSERT_EQUAL(memcmp(rbuf, payload, 8), 0);
		CU_ASSERT_PTR_NULL(roce_mr_lookup(lc->roce, ursa_roce_mr_rkey(mr)));
	}
	ursa_roce_mr_dereg(rmr);
	teardown_qp();
}

static void test_read_and_replay(void)
{
	uint8_t e[16];
	struct reply r;
	struct forge f = {.opcode = ROCE_OP_READ_REQUEST,
			  .psn = EXP_PSN,
			  .ackreq = true,
			  .ext = e,
			  .extlen = 16};

	setup_qp(ALL_REMOTE, 4);
	reth(e, (uintptr_t)buf + 10, ursa_roce_mr_rkey(mr), 600); /* 3 packets at PMTU 256 */
	inject(&f);
	CU_ASSERT_FATAL(reply(&r));
	CU_ASSERT_EQUAL(r.opcode, ROCE_OP_READ_RESP_FIRST);
	CU_ASSERT_EQUAL(r.psn, EXP_PSN);
	CU_ASSERT_EQUAL(r.syndrome, 0x1f);
	CU_ASSERT_EQUAL(r.paylen, 256);
	CU_ASSERT_EQUAL(memcmp(r.pay, buf + 10, 256), 0);
	CU_ASSERT_FATAL(reply(&r));
	CU_ASSERT_EQUAL(r.opcode, ROCE_OP_READ_RESP_MIDDLE);
	CU_ASSERT_EQUAL(r.psn, EXP_PSN + 1);
	CU_ASSERT_FATAL(reply(&r));
	CU_ASSERT_EQUAL(r.opcode, ROCE_OP_READ_RESP_LAST);
	CU_ASSERT_EQUAL(r.psn, EXP_PSN + 2);
	CU_ASSERT_EQUAL(r.paylen, 88);
	CU_ASSERT_EQUAL(memcmp(r.pay, buf + 10 + 512, 88), 0);
	CU_ASSERT(!reply(&r));
	/* the READ took 3 PSNs: the next request is EXP_PSN + 3 */
	CU_ASSERT_EQUAL(qp->resp.psn, EXP_PSN + 3);
	/* a duplicate from the middle is replayed from memory (which changed meanwhile) */
	buf[10 + 256] = 0xab;
	f.psn = EXP_PSN + 1;
	reth(e, (uintptr_t)buf + 10 + 256, ursa_roce_mr_rkey(mr), 344);
	inject(&f);
	CU_ASSERT_FATAL(reply(&r));
	CU_ASSERT_EQUAL(r.opcode, ROCE_OP_READ_RESP_FIRST);
	CU_ASSERT_EQUAL(r.psn, EXP_PSN + 1);
	CU_ASSERT_EQUAL(r.pay[0], 0xab);
	CU_ASSERT_FATAL(reply(&r));
	CU_ASSERT_EQUAL(r.opcode, ROCE_OP_READ_RESP_LAST);
	CU_ASSERT_EQUAL(r.psn, EXP_PSN + 2);
	CU_ASSERT(!reply(&r));
	/* a "duplicate" reaching outside the original range is dropped */
	reth(e, (uintptr_t)buf + 10 + 256, ursa_roce_mr_rkey(mr), 400);
	inject(&f);
	CU_ASSERT(!reply(&r));
	CU_ASSERT_EQUAL(ursa_test_counter(lc, "roce", "drop_dup_read_range"), 1);
	/* the last PSN with the whole original RETH: its responses would run two PSNs past
	 * the saved range, into PSNs that belong to the peer's next requests */
	f.psn = EXP_PSN + 2;
	reth(e, (uintptr_t)buf + 10, ursa_roce_mr_rkey(mr), 600);
	inject(&f);
	CU_ASSERT(!reply(&r));
	CU_ASSERT_EQUAL(ursa_test_counter(lc, "roce", "drop_dup_read_range"), 2);
	/* the same PSN asking for what is left from there: one response, at that PSN */
	reth(e, (uintptr_t)buf + 10 + 512, ursa_roce_mr_rkey(mr), 88);
	inject(&f);
	CU_ASSERT_FATAL(reply(&r));
	CU_ASSERT_EQUAL(r.opcode, ROCE_OP_READ_RESP_ONLY);
	CU_ASSERT_EQUAL(r.psn, EXP_PSN + 2);
	CU_ASSERT_EQUAL(r.paylen, 88);
	CU_ASSERT_EQUAL(memcmp(r.pay, buf + 10 + 512, 88), 0);
	CU_ASSERT(!reply(&r));
	/* a PSN of no saved READ */
	f.psn = EXP_PSN - 1;
	inject(&f);
	CU_ASSERT(!reply(&r));
	CU_ASSERT_EQUAL(ursa_test_counter(lc, "roce", "drop_dup_unknown"), 1);
	f.psn = EXP_PSN + 1;
	/* deregistered before a duplicate: NAK remote access */
	ursa_roce_mr_rereg(mr, URSA_RDMA_ACCESS_LOCAL_WRITE | URSA_RDMA_ACCESS_REMOTE_READ);
	f.psn = EXP_PSN;
	reth(e, (uintptr_t)buf + 10, 0, 600);
	((struct roce_reth *)e)->rkey = rte_cpu_to_be_32(qp->resp.res[0].rkey);
	inject(&f);
	CU_ASSERT_FATAL(reply(&r));
	CU_ASSERT_EQUAL(r.opcode, ROCE_OP_ACK);
	CU_ASSERT_EQUAL(r.syndrome, 0x62);
	teardown_qp();
}

/* Answers leave in PSN order: an ACK does not overtake READ responses still streaming. */
static void test_ack_after_paced_read(void)
{
	uint8_t e[28];
	struct reply r;
	struct forge f = {
		.opcode = ROCE_OP_READ_REQUEST, .psn = 0, .ackreq = true, .ext = e, .extlen = 16};
	uint32_t expect = 0;

	lc = ursa_test_lcore(98);
	CU_ASSERT_FATAL(ursa_roce_fuzz_setup(lc) == 0); /* QPN 0x11, 10.0.0.2 -> 10.0.0.1 */
	ursa_roce_set_xmit(lc, roce_cap_xmit, &sent);
	sent.n = 0;
	qp = roce_qp_lookup(lc->roce, 0x11);
	CU_ASSERT_FATAL(qp != NULL);
	/* 40 response packets at PMTU 256: more than one poll's budget of 32 */
	reth(e, 0x10000, 0x00c0ffee, 40 * 256);
	inject(&f);
	CU_ASSERT_EQUAL(sent.n, 32);
	/* a WRITE with AckReq arrives meanwhile */
	f.opcode = ROCE_OP_WRITE_ONLY;
	f.psn = 40;
	f.pay = payload;
	f.paylen = 8;
	f.pad = -1;
	reth(e, 0x18000, 0x00c0ffee, 8);
	inject(&f);
	CU_ASSERT_EQUAL(sent.n, 32); /* its ACK waits */
	/* and an atomic: its ACK waits too, and leaves after the WRITE's ACK */
	f.opcode = ROCE_OP_FETCH_ADD;
	f.psn = 41;
	f.extlen = 28;
	f.paylen = 0;
	atmeth(e, 0x19000, 0x00c0ffee, 3, 0);
	inject(&f);
	ursa_lcore_poll(lc);
	CU_ASSERT_EQUAL_FATAL(sent.n, 42);
	for (unsigned k = 0; k < 40; k++) {
		CU_ASSERT_FATAL(reply(&r));
		CU_ASSERT_EQUAL(r.psn, expect++);
		CU_ASSERT(r.opcode >= ROCE_OP_READ_RESP_FIRST &&
			  r.opcode <= ROCE_OP_READ_RESP_ONLY);
	}
	CU_ASSERT_FATAL(reply(&r));
	CU_ASSERT_EQUAL(r.opcode, ROCE_OP_ACK);
	CU_ASSERT_EQUAL(r.psn, 40);
	CU_ASSERT_FATAL(reply(&r));
	CU_ASSERT_EQUAL(r.opcode, ROCE_OP_ATOMIC_ACK);
	CU_ASSERT_EQUAL(r.psn, 41);
	CU_ASSERT_EQUAL(r.orig, 0);
	roce_cap_drain(&sent);
	ursa_lcore_destroy(lc);
}

static void test_iface_binding_and_names(void)
{
	uint8_t e[16];
	struct reply r;
	struct forge f = {.opcode = ROCE_OP_WRITE_ONLY,
			  .psn = EXP_PSN,
			  .ackreq = true,
			  .ext = e,
			  .extlen = 16,
			  .pay = payload,
			  .paylen = 8,
			  .pad = -1};

	setup_qp(ALL_REMOTE, 4);
	reth(e, (uintptr_t)buf, ursa_roce_mr_rkey(mr), 8);
	inject_iface = 2; /* same addresses, another interface (another tenant's VLAN) */
	inject(&f);
	CU_ASSERT_EQUAL(ursa_test_counter(lc, "roce", "drop_bad_iface"), 1);
	inject_iface = -1; /* an unknown ingress is no interface's: dropped too (fail closed) */
	inject(&f);
	CU_ASSERT_EQUAL(ursa_test_counter(lc, "roce", "drop_bad_iface"), 2);
	CU_ASSERT(!reply(&r));
	CU_ASSERT(memory_untouched());
	inject_iface = 0;
	nak_for(&f, 0x1f, &r);
	teardown_qp();
	for (int st = 0; st < ROCE_RS_MAX; st++)
		CU_ASSERT_PTR_NOT_NULL(roce_resp_state_names[st]);
	CU_ASSERT_STRING_EQUAL(roce_resp_state_names[ROCE_RS_ERR_RKEY], "ERR_RKEY");
}

/* SEND with Invalidate names an rkey: only an MR registered as remotely invalidatable may
 * die of it. A plain MR of the same PD, one of another PD or an unknown key: NAK invalid
 * request, and the MR lives on (issue 7 §6). */
static void send_inv_refused(uint32_t key, const struct ursa_roce_mr *victim)
{
	struct ursa_rdma_sge sge = {(uintptr_t)rbuf, sizeof(rbuf), 0};
	struct ursa_rdma_recv_wr wr = {.wr_id = 5, .sg_list = &sge, .num_sge = 1};
	rte_be32_t ieth = rte_cpu_to_be_32(key);
	struct forge f = {.opcode = ROCE_OP_SEND_ONLY_INV,
			  .psn = EXP_PSN,
			  .ackreq = true,
			  .ext = &ieth,
			  .extlen = 4,
			  .pay = payload,
			  .paylen = 8,
			  .pad = -1};
	struct ursa_roce_mr *rmr;
	struct ursa_rdma_wc wc;
	struct reply r;

	CU_ASSERT_FATAL(
		ursa_roce_mr_reg(pd, rbuf, sizeof(rbuf), URSA_RDMA_ACCESS_LOCAL_WRITE, &rmr) == 0);
	sge.lkey = ursa_roce_mr_lkey(rmr);
	memset(rbuf, 0, sizeof(rbuf));
	CU_ASSERT_EQUAL(ursa_roce_post_recv(qp, &wr, 1), 1);
	nak_for(&f, 0x61, &r);
	CU_ASSERT_EQUAL(r.psn, EXP_PSN);
	CU_ASSERT_EQUAL(ursa_test_counter(lc, "roce", "tx_nak_inv_req"), 1);
	if (victim != NULL) {
		CU_ASSERT_PTR_EQUAL(roce_mr_lookup(lc->roce, key), victim);
		CU_ASSERT(victim->valid);
	}
	/* the SEND was not delivered: its receive is flushed, not completed WITH_INV */
	CU_ASSERT_EQUAL(ursa_roce_cq_poll(cq, &wc, 1), 1);
	CU_ASSERT_EQUAL(wc.wr_id, 5);
	CU_ASSERT_EQUAL(wc.status, URSA_RDMA_WC_WR_FLUSH_ERR);
	CU_ASSERT_FALSE(wc.wc_flags & URSA_RDMA_WC_WITH_INV);
	CU_ASSERT_EQUAL(rbuf[0], 0);
	ursa_roce_mr_dereg(rmr);
}

static void test_send_inv_only_invalidatable(void)
{
	const unsigned inv = URSA_RDMA_ACCESS_LOCAL_WRITE | URSA_RDMA_ACCESS_REMOTE_WRITE |
			     URSA_RDMA_ACCESS_REMOTE_INVALIDATE;
	struct ursa_roce_mr *imr;
	struct ursa_rdma_wc wc;
	struct reply r;

	/* a plain MR of the QP's PD (registered with every remote right but this one) */
	setup_qp(ALL_REMOTE, 4);
	send_inv_refused(ursa_roce_mr_rkey(mr), mr);
	{
		struct ursa_rdma_qp_attr a;

		struct ursa_ipaddr l, rm;
		struct roce_qp_up u = {.local = &l,
				       .remote = &rm,
				       .access = ALL_REMOTE,
				       .path_mtu = 256,
				       .dest_qpn = PEER_QPN,
				       .rq_psn = EXP_PSN,
				       .max_dest_rd_atomic = 4};

		ursa_roce_qp_query(qp, &a); /* an invalid request: the QP, not the MR, dies */
		CU_ASSERT_EQUAL(a.qp_state, URSA_RDMA_QPS_ERR);
		/* the QP reconnected: the MR still takes a WRITE with its key */
		l = ursa_test_ip("10.0.0.1");
		rm = ursa_test_ip("10.0.0.2");
		a.qp_state = URSA_RDMA_QPS_RESET;
		CU_ASSERT_EQUAL(ursa_roce_qp_modify(qp, &a, URSA_RDMA_QP_STATE, NULL), 0);
		CU_ASSERT_EQUAL_FATAL(roce_qp_up(qp, &u), 0);
		{
			uint8_t e[16];
			struct forge f = {.opcode = ROCE_OP_WRITE_ONLY,
					  .psn = EXP_PSN,
					  .ackreq = true,
					  .ext = e,
					  .extlen = 16,
					  .pay = payload,
					  .paylen = 8,
					  .pad = -1};

			reth(e, (uintptr_t)buf + 8, ursa_roce_mr_rkey(mr), 8);
			nak_for(&f, 0x1f, &r);
			CU_ASSERT_EQUAL(memcmp(buf + 8, payload, 8), 0);
		}
	}
	teardown_qp();
	/* a plain read-only MR */
	setup_qp(ALL_REMOTE, 4);
	send_inv_refused(ursa_roce_mr_rkey(mr_ro), mr_ro);
	teardown_qp();
	/* invalidatable, but of another PD */
	setup_qp(ALL_REMOTE, 4);
	CU_ASSERT_EQUAL(ursa_roce_mr_rereg(mr_other_pd, inv), 0);
	send_inv_refused(ursa_roce_mr_rkey(mr_other_pd), mr_other_pd);
	teardown_qp();
	/* no such key */
	setup_qp(ALL_REMOTE, 4);
	send_inv_refused(0x0badf00d, NULL);
	teardown_qp();

	/* invalidatable: the SEND lands, the completion names the key, and the key is dead */
	setup_qp(ALL_REMOTE, 4);
	CU_ASSERT_FATAL(ursa_roce_mr_reg(pd, buf, MR_LEN, inv, &imr) == 0);
	{
		struct ursa_rdma_sge sge = {(uintptr_t)buf, 64, ursa_roce_mr_lkey(mr)};
		struct ursa_rdma_recv_wr wr = {.wr_id = 6, .sg_list = &sge, .num_sge = 1};
		rte_be32_t ieth = rte_cpu_to_be_32(ursa_roce_mr_rkey(imr));
		uint8_t e[16];
		struct forge f = {.opcode = ROCE_OP_SEND_ONLY_INV,
				  .psn = EXP_PSN,
				  .ackreq = true,
				  .ext = &ieth,
				  .extlen = 4};

		CU_ASSERT_EQUAL(ursa_roce_post_recv(qp, &wr, 1), 1);
		nak_for(&f, 0x1f, &r);
		CU_ASSERT_EQUAL(ursa_roce_cq_poll(cq, &wc, 1), 1);
		CU_ASSERT_EQUAL(wc.wr_id, 6);
		CU_ASSERT_EQUAL(wc.status, URSA_RDMA_WC_SUCCESS);
		CU_ASSERT(wc.wc_flags & URSA_RDMA_WC_WITH_INV);
		CU_ASSERT_EQUAL(wc.invalidated_rkey, ursa_roce_mr_rkey(imr));
		CU_ASSERT_FALSE(imr->valid);
		CU_ASSERT_PTR_NULL(roce_mr_lookup(lc->roce, ursa_roce_mr_rkey(imr)));
		/* a WRITE with the dead key: remote access error, memory untouched */
		f.opcode = ROCE_OP_WRITE_ONLY;
		f.psn = EXP_PSN + 1;
		f.ext = e;
		f.extlen = 16;
		f.pay = payload;
		f.paylen = 8;
		f.pad = -1;
		reth(e, (uintptr_t)buf + 512, ursa_roce_mr_rkey(imr), 8);
		nak_for(&f, 0x62, &r);
		CU_ASSERT(memory_untouched());
	}
	ursa_roce_mr_dereg(imr);
	teardown_qp();
}

/* max_dest_rd_atomic 3 grants the peer exactly 3 READs/ATOMICs in flight: a fourth while
 * the three still stream is an invalid request (before, 3 was rounded up to 4 slots). */
static uint8_t rd_big[32 * 1024];

static void test_rd_atomic_exact_depth(void)
{
	const uint32_t len = sizeof(rd_big); /* 128 responses: 4 polls' budget of 32 */
	struct ursa_roce_mr *bmr;
	uint8_t e[28];
	struct reply r;
	struct forge f = {.opcode = ROCE_OP_READ_REQUEST,
			  .psn = EXP_PSN,
			  .ackreq = true,
			  .ext = e,
			  .extlen = 16};

	for (uint8_t depth = 1; depth <= 3; depth++) {
		setup_qp(ALL_REMOTE, depth);
		CU_ASSERT_EQUAL(qp->resp.nres, depth);
		CU_ASSERT_FATAL(ursa_roce_mr_reg(pd, rd_big, sizeof(rd_big),
						 URSA_RDMA_ACCESS_REMOTE_READ, &bmr) == 0);
		for (uint8_t k = 0; k < depth; k++) {
			f.psn = EXP_PSN + 128u * k;
			reth(e, (uintptr_t)rd_big, ursa_roce_mr_rkey(bmr), len);
			inject(&f);
			CU_ASSERT(sent.n > 0);
			while (reply(&r))
				CU_ASSERT_NOT_EQUAL(r.opcode, ROCE_OP_ACK); /* no NAK */
		}
		CU_ASSERT(qp->resp.res[0].pending); /* the oldest still streams */
		/* one more, and an atomic would be just the same */
		f.psn = EXP_PSN + 128u * depth;
		inject(&f);
		CU_ASSERT_FATAL(reply(&r));
		CU_ASSERT_EQUAL(r.opcode, ROCE_OP_ACK);
		CU_ASSERT_EQUAL(r.syndrome, 0x61);
		CU_ASSERT_EQUAL(r.psn, f.psn);
		CU_ASSERT(!reply(&r));
		CU_ASSERT_EQUAL(ursa_test_counter(lc, "roce", "tx_nak_inv_req"), 1);
		ursa_roce_mr_dereg(bmr);
		teardown_qp();
	}
	/* answered in time, the slots are free again: 3 READs, drained, 3 more */
	setup_qp(ALL_REMOTE, 3);
	CU_ASSERT_FATAL(ursa_roce_mr_reg(pd, rd_big, sizeof(rd_big), URSA_RDMA_ACCESS_REMOTE_READ,
					 &bmr) == 0);
	for (uint32_t k = 0; k < 6; k++) {
		f.psn = EXP_PSN + 128u * k;
		reth(e, (uintptr_t)rd_big, ursa_roce_mr_rkey(bmr), len);
		inject(&f);
		for (int p = 0; p < 8; p++) {
			ursa_lcore_poll(lc);
			roce_cap_drain(&sent);
		}
		CU_ASSERT(!roce_resp_has_work(qp));
	}
	CU_ASSERT_EQUAL(ursa_test_counter(lc, "roce", "tx_nak_inv_req"), 0);
	CU_ASSERT_EQUAL(ursa_test_counter(lc, "roce", "tx_read_resp"), 6 * 128);
	ursa_roce_mr_dereg(bmr);
	teardown_qp();
}

/* The engine refuses an address vector without its GID entry, or with one that does not
 * match, and a second one on a connected QP; each refusal leaves the QP as it was. */
static void test_modify_all_or_nothing(void)
{
	const unsigned rtr = URSA_RDMA_QP_STATE | URSA_RDMA_QP_DEST_QPN | URSA_RDMA_QP_RQ_PSN |
			     URSA_RDMA_QP_PATH_MTU | URSA_RDMA_QP_AV;
	struct ursa_rdma_qp_cap cap = {4, 4, 1, 1};
	struct ursa_rdma_qp_attr a = {0}, before, after;
	struct ursa_rdma_gid_attr g;
	struct ursa_roce_qp *q;
	struct ursa_ipaddr l, r, r6;

	setup_qp(ALL_REMOTE, 4);
	CU_ASSERT_FATAL(ursa_roce_qp_create(pd, cq, cq, &cap, false, &q) == 0);
	l = ursa_test_ip("10.0.0.1");
	r = ursa_test_ip("10.0.0.2");
	r6 = ursa_test_ip("fd00::2");
	a.qp_state = URSA_RDMA_QPS_INIT;
	CU_ASSERT_FATAL(ursa_roce_qp_modify(q, &a, URSA_RDMA_QP_STATE, NULL) == 0);
	ursa_roce_qp_query(q, &before);
	a.qp_state = URSA_RDMA_QPS_RTR;
	a.dest_qp_num = 0x99;
	a.rq_psn = 7;
	a.path_mtu = 512;
	ursa_rdma_gid_from_addr(&a.ah.dgid, &r);
	CU_ASSERT_EQUAL(ursa_roce_qp_modify(q, &a, rtr, NULL), -EINVAL); /* no entry: unbound */
	g = roce_test_sgid(&l, 1, 2);
	a.ah.sgid_index = 3; /* the entry handed in is index 0 */
	CU_ASSERT_EQUAL(ursa_roce_qp_modify(q, &a, rtr, &g), -EINVAL);
	a.ah.sgid_index = 0;
	ursa_rdma_gid_from_addr(&a.ah.dgid, &r6); /* IPv4 source, IPv6 destination */
	CU_ASSERT_EQUAL(ursa_roce_qp_modify(q, &a, rtr, &g), -EINVAL);
	ursa_roce_qp_query(q, &after);
	CU_ASSERT_EQUAL(after.qp_state, URSA_RDMA_QPS_INIT);
	CU_ASSERT_EQUAL(after.dest_qp_num, before.dest_qp_num);
	CU_ASSERT_EQUAL(after.rq_psn, before.rq_psn);
	CU_ASSERT_EQUAL(after.path_mtu, before.path_mtu);
	CU_ASSERT_EQUAL(memcmp(after.ah.dgid.raw, before.ah.dgid.raw, 16), 0);
	/* bound, then the connected QP cannot be re-bound (RTS -> RTS with another entry) */
	ursa_rdma_gid_from_addr(&a.ah.dgid, &r);
	CU_ASSERT_EQUAL(ursa_roce_qp_modify(q, &a, rtr, &g), 0);
	a.qp_state = URSA_RDMA_QPS_RTS;
	CU_ASSERT_EQUAL(ursa_roce_qp_modify(q, &a, URSA_RDMA_QP_STATE | URSA_RDMA_QP_SQ_PSN, NULL),
			0);
	g = roce_test_sgid(&l, 0, 0);
	CU_ASSERT_EQUAL(ursa_roce_qp_modify(q, &a, URSA_RDMA_QP_AV, &g), -EINVAL);
	CU_ASSERT_EQUAL(ursa_roce_qp_destroy(q), 0);
	teardown_qp();
}

/* The ACKs of one received burst: one ACK for its last request, and never after a later
 * response (READ response, NAK) of the same QP. */
static void test_ack_coalesced_burst(void)
{
	uint8_t e[16];
	struct reply r;
	struct forge f = {.opcode = ROCE_OP_WRITE_ONLY,
			  .ackreq = true,
			  .ext = e,
			  .extlen = 16,
			  .pay = payload,
			  .paylen = 8,
			  .pad = -1};

	setup_qp(ALL_REMOTE, 2);
	burst = true;
	for (unsigned i = 0; i < 8; i++) {
		f.psn = EXP_PSN + i;
		reth(e, (uintptr_t)buf + 1024 + 8 * i, ursa_roce_mr_rkey(mr), 8);
		inject(&f);
	}
	CU_ASSERT_EQUAL(sent.n, 0); /* executed, the ACK held for the burst's end */
	for (unsigned i = 0; i < 8; i++)
		CU_ASSERT_EQUAL(memcmp(buf + 1024 + 8 * i, payload, 8), 0);
	ursa_lcore_poll(lc);
	CU_ASSERT_EQUAL_FATAL(sent.n, 1);
	CU_ASSERT_FATAL(reply(&r));
	CU_ASSERT_EQUAL(r.opcode, ROCE_OP_ACK);
	CU_ASSERT_EQUAL(r.syndrome, 0x1f);
	CU_ASSERT_EQUAL(r.psn, EXP_PSN + 7);
	CU_ASSERT_EQUAL(r.msn, 8);
	CU_ASSERT_EQUAL(ursa_test_counter(lc, "roce", "tx_ack"), 1);
	CU_ASSERT_EQUAL(ursa_test_counter(lc, "roce", "tx_ack_coalesced"), 7);

	/* WRITE, READ, WRITE in one burst: ACK(+8), READ response(+9), then ACK(+10). */
	f.psn = EXP_PSN + 8;
	reth(e, (uintptr_t)buf + 2048, ursa_roce_mr_rkey(mr), 8);
	inject(&f);
	f.opcode = ROCE_OP_READ_REQUEST;
	f.psn = EXP_PSN + 9;
	f.paylen = 0;
	reth(e, (uintptr_t)buf + 16, ursa_roce_mr_rkey(mr), 16);
	inject(&f);
	f.opcode = ROCE_OP_WRITE_ONLY;
	f.psn = EXP_PSN + 10;
	f.paylen = 8;
	reth(e, (uintptr_t)buf + 2056, ursa_roce_mr_rkey(mr), 8);
	inject(&f);
	ursa_lcore_poll(lc);
	CU_ASSERT_EQUAL_FATAL(sent.n, 3);
	CU_ASSERT_FATAL(reply(&r));
	CU_ASSERT(r.opcode == ROCE_OP_ACK && r.psn == EXP_PSN + 8 && r.msn == 9);
	CU_ASSERT_FATAL(reply(&r));
	CU_ASSERT(r.opcode == ROCE_OP_READ_RESP_ONLY && r.psn == EXP_PSN + 9);
	CU_ASSERT(r.paylen == 16 && memcmp(r.pay, buf + 16, 16) == 0);
	CU_ASSERT_FATAL(reply(&r));
	CU_ASSERT(r.opcode == ROCE_OP_ACK && r.psn == EXP_PSN + 10 && r.msn == 11);

	/* A WRITE, then one past a gap: the ACK leaves before the NAK-PSN-sequence error. */
	f.psn = EXP_PSN + 11;
	inject(&f);
	f.psn = EXP_PSN + 13;
	inject(&f);
	CU_ASSERT_EQUAL_FATAL(sent.n, 2);
	CU_ASSERT_FATAL(reply(&r));
	CU_ASSERT(r.opcode == ROCE_OP_ACK && r.syndrome == 0x1f && r.psn == EXP_PSN + 11);
	CU_ASSERT_FATAL(reply(&r));
	CU_ASSERT(r.syndrome == (ROCE_AETH_NAK | ROCE_NAK_PSN_SEQ) && r.psn == EXP_PSN + 12);
	ursa_lcore_poll(lc);
	CU_ASSERT_EQUAL(sent.n, 0); /* nothing left held */

	/* Without AckReq nothing is held: the poll sends nothing. */
	f.psn = EXP_PSN + 12;
	f.ackreq = false;
	inject(&f);
	ursa_lcore_poll(lc);
	CU_ASSERT_EQUAL(sent.n, 0);
	CU_ASSERT_EQUAL(ursa_test_counter(lc, "roce", "tx_ack"), 4);
	burst = false;
	teardown_qp();
}

int main(void)
{
	CU_pSuite s = ursa_test_suite("roce_resp", NULL, NULL);

	for (unsigned i = 0; i < RTE_DIM(nak_cases); i++)
		CU_add_test(s, nak_cases[i].name, test_nak_case);
	CU_add_test(s, "valid WRITE, ACK fields, duplicate re-ACK",
		    test_valid_write_and_ack_fields);
	CU_add_test(s, "range: exactly the MR's last 8 bytes", test_range_exact_end);
	CU_add_test(s, "dereg/rereg kill the old key", test_dereg_and_rereg);
	CU_add_test(s, "keys: 32 random bits, no fixed key", test_keys_random);
	CU_add_test(s, "atomics: a duplicate is replayed, not executed", test_atomic_replay);
	CU_add_test(s, "silent drops: address, P_Key, ICRC, TVer, QPN, opcode, length",
		    test_packet_level_drops);
	CU_add_test(s, "PSN: one NAK per gap", test_psn_sequence);
	CU_add_test(s, "a WRITE LAST past its RETH length", test_write_last_overrun);
	CU_add_test(s, "a cached key dies with rereg, dereg, invalidation", test_cached_key_dies);
	CU_add_test(s, "SEND: RNR, short buffer, bad lkey, invalidate", test_rnr_and_send);
	CU_add_test(s, "READ responses, replay from memory, rkey re-check", test_read_and_replay);
	CU_add_test(s, "ACKs wait for READ responses (PSN order)", test_ack_after_paced_read);
	CU_add_test(s, "one ACK per received burst, in PSN order", test_ack_coalesced_burst);
	CU_add_test(s, "interface-bound QP; state names", test_iface_binding_and_names);
	CU_add_test(s, "SEND with Invalidate: only invalidatable MRs",
		    test_send_inv_only_invalidatable);
	CU_add_test(s, "READ/ATOMIC: exactly max_dest_rd_atomic in flight",
		    test_rd_atomic_exact_depth);
	CU_add_test(s, "modify: the AV needs its GID entry; all or nothing",
		    test_modify_all_or_nothing);
	return ursa_test_main();
}
