/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Attack system test: 10^5 forged RoCEv2 requests (built here byte by byte, with a correct
 * ICRC computed independently of stack/roce, so they pass the ICRC and reach the responder's
 * security checks) against one responder QP whose MRs sit in an arena between seeded canary
 * pages. Kinds: random rkeys, rkeys of deregistered MRs, ranges one byte off at either end,
 * an MR of another PD, READ/ATOMIC on an MR without that access, misaligned atomics, WRITE
 * with the old key of a re-registered MR. Every one must be answered by a NAK with the right
 * AETH syndrome (remote access error 0x62; invalid request 0x61 for misalignment), no READ
 * response may carry any byte, and the whole arena must be unchanged at the end. Valid READs
 * are mixed in as controls: they must return exactly the MR's bytes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <isa-l/crc.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "ursa_roce.h"
#include "ursa_test.h"

#define PAGE 4096
#define NREG 8		 /* MR slots in the arena, each between canary pages */
#define PEER_QPN 0x4242
#define FORGED 100000
#define CONTROL_EVERY 97 /* one valid READ among this many requests */

/* IBTA opcodes (RC) and AETH syndromes, from the spec (rocev2.md §1.6, §3.4) */
enum { OP_WRITE_ONLY = 0x0a, OP_READ_REQ = 0x0c, OP_READ_RESP_ONLY = 0x10, OP_ACK = 0x11,
       OP_CMP_SWAP = 0x13, OP_FETCH_ADD = 0x14 };
#define NAK_INV_REQ 0x61
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
	K_MAX,
};

static const char *const kind_names[K_MAX] = {
	"random rkey",	     "stale rkey (deregistered)", "range one past the end",
	"range one before",  "MR of another PD",	  "READ on a write-only MR",
	"ATOMIC on MR without atomic access", "misaligned atomic", "WRITE with pre-rereg key",
};

struct reply {
	uint8_t opcode, syndrome;
	uint32_t psn;
	uint32_t paylen;
};

struct world {
	struct ursa_lcore *lc;
	struct ursa_roce_pd *pd, *pd2;
	struct ursa_roce_cq *cq;
	struct ursa_roce_qp *qp;
	uint8_t *arena, *shadow;
	size_t arena_len;
	struct ursa_roce_mr *all, *wo, *ro, *other_pd, *rereg;
	uint32_t stale_rkeys[4], old_rereg_key;
	uint32_t psn;
	struct reply rep[8];
	unsigned nrep;
	uint8_t readback[PAGE];
	unsigned rb_len;
};

static uint8_t *region(struct world *w, unsigned i)
{
	return w->arena + PAGE + (size_t)i * 2 * PAGE;
}

static int cap_xmit(struct ursa_lcore *lc, void *arg, const struct ursa_roce_path *p,
		    struct rte_mbuf *m)
{
	struct world *w = arg;
	uint8_t hdr[20 + 8 + 12 + 4];
	const uint8_t *h = rte_pktmbuf_read(m, 0, sizeof(hdr), hdr);

	RTE_SET_USED(lc), RTE_SET_USED(p);
	if (h != NULL && w->nrep < RTE_DIM(w->rep)) {
		struct reply *r = &w->rep[w->nrep++];
		uint32_t len = rte_pktmbuf_pkt_len(m);

		r->opcode = h[28];
		r->psn = (uint32_t)h[37] << 16 | (uint32_t)h[38] << 8 | h[39];
		r->syndrome = h[40];
		/* READ response only: IP 20, UDP 8, BTH 12, AETH 4, payload, ICRC 4 */
		r->paylen = len >= 48 ? len - 48 : 0;
		if (r->opcode == OP_READ_RESP_ONLY && r->paylen <= sizeof(w->readback)) {
			/* rte_pktmbuf_read copies only when the data spans segments */
			const uint8_t *d = rte_pktmbuf_read(m, 44, r->paylen, w->readback);

			if (d != NULL && d != w->readback)
				memcpy(w->readback, d, r->paylen);
			w->rb_len = r->paylen;
		}
	}
	rte_pktmbuf_free(m);
	return 0;
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
	h[1] = 0xff;		  /* TOS */
	h[8] = 0xff;		  /* TTL */
	h[10] = h[11] = 0xff;	  /* IP checksum */
	h[26] = h[27] = 0xff;	  /* UDP checksum */
	h[28 + 4] = 0xff;	  /* BTH FECN/BECN/resv */
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

/* One request at the expected PSN: WRITE_ONLY (with len payload bytes), READ request or an
 * atomic. Returns after the responder has answered. */
static void forge(struct world *w, uint8_t op, uint64_t va, uint32_t rkey, uint32_t len)
{
	uint8_t p[2048];
	unsigned ext = op == OP_CMP_SWAP || op == OP_FETCH_ADD ? 28 : 16;
	unsigned pay = op == OP_WRITE_ONLY ? len : 0;
	unsigned pad = (-pay) & 3, total = 20 + 8 + 12 + ext + pay + pad + 4;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)p;
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(p + 20);
	uint8_t *bth = p + 28, *eth = p + 40;
	struct rte_mbuf *m;

	memset(p, 0, total);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)total);
	ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(0x0a630002); /* 10.99.0.2: the QP's remote */
	ip->dst_addr = rte_cpu_to_be_32(0x0a630001);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(0xc0de);
	udp->dst_port = rte_cpu_to_be_16(4791);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(total - 20));
	bth[0] = op;
	bth[1] = (uint8_t)(pad << 4);
	bth[2] = bth[3] = 0xff; /* P_Key */
	put_be(bth + 5, ursa_roce_qp_num(w->qp), 3);
	bth[8] = 0x80; /* AckReq */
	put_be(bth + 9, w->psn, 3);
	put_be(eth, va, 8);
	put_be(eth + 8, rkey, 4);
	if (ext == 16) {
		put_be(eth + 12, len, 4);
		for (unsigned i = 0; i < pay; i++)
			eth[16 + i] = (uint8_t)(0xe0 + i); /* never the canary or MR pattern */
	} else {
		put_be(eth + 12, 7, 8);	 /* swap / add */
		put_be(eth + 20, 0, 8); /* compare */
	}
	put_icrc(p, total);
	m = ursa_test_mbuf(w->lc, p, total);
	CU_ASSERT_FATAL(m != NULL);
	w->nrep = 0;
	ursa_roce_input_l3(w->lc, m, 0);
	ursa_lcore_poll(w->lc);
}

static void qp_to_rts(struct world *w)
{
	struct ursa_rdma_qp_attr a = {0};
	struct ursa_rdma_gid_attr sgid = {.type = URSA_RDMA_GID_TYPE_ROCE_V2, .port = 1};
	struct ursa_ipaddr l, r;

	ursa_ipaddr_parse("10.99.0.1", &l, NULL);
	ursa_ipaddr_parse("10.99.0.2", &r, NULL);
	a.qp_state = URSA_RDMA_QPS_RESET;
	CU_ASSERT_FATAL(ursa_roce_qp_modify(w->qp, &a, URSA_RDMA_QP_STATE, NULL) == 0);
	a.qp_state = URSA_RDMA_QPS_INIT;
	a.qp_access_flags = URSA_RDMA_ACCESS_REMOTE_WRITE | URSA_RDMA_ACCESS_REMOTE_READ |
			    URSA_RDMA_ACCESS_REMOTE_ATOMIC;
	CU_ASSERT_FATAL(ursa_roce_qp_modify(w->qp, &a,
					    URSA_RDMA_QP_STATE | URSA_RDMA_QP_ACCESS_FLAGS,
					    NULL) == 0);
	a.qp_state = URSA_RDMA_QPS_RTR;
	a.path_mtu = 1024;
	a.dest_qp_num = PEER_QPN;
	a.rq_psn = w->psn;
	a.max_dest_rd_atomic = 4;
	ursa_rdma_gid_from_addr(&sgid.gid, &l); /* entry 0: interface 0, where forge() injects */
	ursa_rdma_gid_from_addr(&a.ah.dgid, &r);
	CU_ASSERT_FATAL(ursa_roce_qp_modify(w->qp, &a,
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
	CU_ASSERT_FATAL(ursa_roce_qp_modify(w->qp, &a,
					    URSA_RDMA_QP_STATE | URSA_RDMA_QP_SQ_PSN |
						    URSA_RDMA_QP_TIMEOUT | URSA_RDMA_QP_RETRY_CNT |
						    URSA_RDMA_QP_RNR_RETRY |
						    URSA_RDMA_QP_MAX_QP_RD_ATOMIC,
					    NULL) == 0);
}

static void setup(struct world *w)
{
	const unsigned all = URSA_RDMA_ACCESS_LOCAL_WRITE | URSA_RDMA_ACCESS_REMOTE_WRITE |
			     URSA_RDMA_ACCESS_REMOTE_READ | URSA_RDMA_ACCESS_REMOTE_ATOMIC;
	struct ursa_rdma_qp_cap cap = {16, 16, 1, 1};
	struct ursa_roce_mr *tmp;

	memset(w, 0, sizeof(*w));
	w->lc = ursa_test_lcore(4242);
	CU_ASSERT_FATAL(w->lc != NULL);
	CU_ASSERT_FATAL(ursa_roce_ctx_create(w->lc, NULL) == 0);
	ursa_roce_set_xmit(w->lc, cap_xmit, w);
	CU_ASSERT_FATAL(ursa_roce_pd_alloc(w->lc, &w->pd) == 0);
	CU_ASSERT_FATAL(ursa_roce_pd_alloc(w->lc, &w->pd2) == 0);
	CU_ASSERT_FATAL(ursa_roce_cq_create(w->lc, 64, &w->cq) == 0);
	CU_ASSERT_FATAL(ursa_roce_qp_create(w->pd, w->cq, w->cq, &cap, false, &w->qp) == 0);
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
	CU_ASSERT_FATAL(ursa_roce_mr_reg(w->pd, region(w, 1), PAGE,
					 URSA_RDMA_ACCESS_LOCAL_WRITE |
						 URSA_RDMA_ACCESS_REMOTE_WRITE,
					 &w->wo) == 0);
	CU_ASSERT_FATAL(ursa_roce_mr_reg(w->pd, region(w, 2), PAGE, URSA_RDMA_ACCESS_REMOTE_READ,
					 &w->ro) == 0);
	CU_ASSERT_FATAL(ursa_roce_mr_reg(w->pd2, region(w, 3), PAGE, all, &w->other_pd) == 0);
	CU_ASSERT_FATAL(ursa_roce_mr_reg(w->pd, region(w, 4), PAGE,
					 URSA_RDMA_ACCESS_REMOTE_READ, &w->rereg) == 0);
	w->old_rereg_key = ursa_roce_mr_rkey(w->rereg);
	/* re-registered with write access: the old key must not write */
	CU_ASSERT_FATAL(ursa_roce_mr_rereg(w->rereg, all) == 0);
	CU_ASSERT_FATAL(ursa_roce_mr_rkey(w->rereg) != w->old_rereg_key);
	for (unsigned i = 0; i < RTE_DIM(w->stale_rkeys); i++) {
		CU_ASSERT_FATAL(ursa_roce_mr_reg(w->pd, region(w, 5 + i % 3), PAGE, all, &tmp) == 0);
		w->stale_rkeys[i] = ursa_roce_mr_rkey(tmp);
		CU_ASSERT_FATAL(ursa_roce_mr_dereg(tmp) == 0);
	}
	memcpy(w->shadow, w->arena, w->arena_len);
	w->psn = 1000;
	qp_to_rts(w);
}

static bool is_live_key(struct world *w, uint32_t k)
{
	return k == ursa_roce_mr_rkey(w->all) || k == ursa_roce_mr_rkey(w->wo) ||
	       k == ursa_roce_mr_rkey(w->ro) || k == ursa_roce_mr_rkey(w->other_pd) ||
	       k == ursa_roce_mr_rkey(w->rereg);
}

static void test_forged(void)
{
	static struct world W;
	struct world *w = &W;
	struct ursa_rng *rng;
	uint64_t sent[K_MAX] = {0}, naked[K_MAX] = {0}, wrong[K_MAX] = {0};
	uint64_t controls = 0, controls_ok = 0, read_bytes_leaked = 0;
	uint64_t all_va;

	setup(w);
	rng = &w->lc->rng;
	all_va = (uintptr_t)region(w, 0);
	for (unsigned i = 0; i < FORGED; i++) {
		enum kind k = (enum kind)(i % K_MAX);
		uint32_t len = 1 + (uint32_t)ursa_rng_below(rng, 512), key;
		uint64_t va;
		uint8_t op = ursa_rng_below(rng, 2) ? OP_WRITE_ONLY : OP_READ_REQ, want;

		if (i % CONTROL_EVERY == 0) {
			/* control: a valid READ returns exactly the MR's bytes */
			uint32_t off = (uint32_t)ursa_rng_below(rng, PAGE - 64);

			forge(w, OP_READ_REQ, all_va + off, ursa_roce_mr_rkey(w->all), 64);
			controls++;
			if (w->nrep == 1 && w->rep[0].opcode == OP_READ_RESP_ONLY &&
			    w->rep[0].psn == w->psn && w->rb_len == 64 &&
			    memcmp(w->readback, region(w, 0) + off, 64) == 0)
				controls_ok++;
			w->psn = (w->psn + 1) & 0xffffff;
		}
		want = NAK_REM_ACCESS;
		switch (k) {
		case K_RANDOM_RKEY:
			do
				key = ursa_rng_u32(rng);
			while (is_live_key(w, key));
			va = all_va + ursa_rng_below(rng, PAGE - len);
			break;
		case K_STALE_RKEY:
			key = w->stale_rkeys[ursa_rng_below(rng, RTE_DIM(w->stale_rkeys))];
			va = (uintptr_t)region(w, 5 + (unsigned)ursa_rng_below(rng, 3));
			break;
		case K_OFF_END:
			key = ursa_roce_mr_rkey(w->all);
			va = all_va + PAGE - len + 1;
			break;
		case K_OFF_START:
			key = ursa_roce_mr_rkey(w->all);
			va = all_va - 1;
			break;
		case K_WRONG_PD:
			key = ursa_roce_mr_rkey(w->other_pd);
			va = (uintptr_t)region(w, 3);
			break;
		case K_READ_WRITE_ONLY:
			key = ursa_roce_mr_rkey(w->wo);
			va = (uintptr_t)region(w, 1) + ursa_rng_below(rng, PAGE - len);
			op = OP_READ_REQ;
			break;
		case K_ATOMIC_NO_ACCESS:
			key = ursa_roce_mr_rkey(w->ro);
			va = (uintptr_t)region(w, 2) + 8 * ursa_rng_below(rng, PAGE / 8);
			op = ursa_rng_below(rng, 2) ? OP_CMP_SWAP : OP_FETCH_ADD;
			break;
		case K_MISALIGNED_ATOMIC:
			key = ursa_roce_mr_rkey(w->all);
			va = all_va + 8 * ursa_rng_below(rng, PAGE / 8 - 1) +
			     1 + ursa_rng_below(rng, 7);
			op = ursa_rng_below(rng, 2) ? OP_CMP_SWAP : OP_FETCH_ADD;
			want = NAK_INV_REQ;
			break;
		default: /* K_REREG_OLD_KEY */
			key = w->old_rereg_key;
			va = (uintptr_t)region(w, 4) + ursa_rng_below(rng, PAGE - len);
			op = OP_WRITE_ONLY;
			break;
		}
		forge(w, op, va, key, op == OP_CMP_SWAP || op == OP_FETCH_ADD ? 8 : len);
		sent[k]++;
		for (unsigned r = 0; r < w->nrep; r++)
			if (w->rep[r].opcode != OP_ACK)
				read_bytes_leaked += w->rep[r].paylen;
		if (w->nrep == 1 && w->rep[0].opcode == OP_ACK && w->rep[0].syndrome == want &&
		    w->rep[0].psn == w->psn)
			naked[k]++;
		else
			wrong[k]++;
		/* a NAK puts the QP in the error state: start it again at the next PSN */
		w->psn = (w->psn + 1) & 0xffffff;
		qp_to_rts(w);
	}
	printf("\n    %-38s %8s %8s %8s\n", "forged request", "sent", "NAKed", "wrong");
	for (unsigned k = 0; k < K_MAX; k++) {
		printf("    %-38s %8lu %8lu %8lu\n", kind_names[k], (unsigned long)sent[k],
		       (unsigned long)naked[k], (unsigned long)wrong[k]);
		CU_ASSERT_EQUAL(naked[k], sent[k]);
		CU_ASSERT_EQUAL(wrong[k], 0);
	}
	printf("    valid READ controls: %lu/%lu correct; bytes in responses to forged "
	       "requests: %lu; arena bytes changed: ",
	       (unsigned long)controls_ok, (unsigned long)controls,
	       (unsigned long)read_bytes_leaked);
	{
		size_t changed = 0;

		for (size_t i = 0; i < w->arena_len; i++)
			changed += w->arena[i] != w->shadow[i];
		printf("%zu ", changed);
		CU_ASSERT_EQUAL(changed, 0);
	}
	CU_ASSERT_EQUAL(controls_ok, controls);
	CU_ASSERT(controls > 1000);
	CU_ASSERT_EQUAL(read_bytes_leaked, 0);
	CU_ASSERT(sent[0] * K_MAX >= FORGED);
	ursa_roce_qp_destroy(w->qp);
	ursa_roce_mr_dereg(w->all);
	ursa_roce_mr_dereg(w->wo);
	ursa_roce_mr_dereg(w->ro);
	ursa_roce_mr_dereg(w->other_pd);
	ursa_roce_mr_dereg(w->rereg);
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
	CU_add_test(s, "10^5 forged requests: all NAKed, no byte read or written",
		    test_forged);
	return ursa_test_main();
}
