/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the TCP building blocks: sequence arithmetic across the wrap, SipHash
 * (the paper's vectors), option parsing (well-formed, malformed) and writing, the option
 * hook (registration rules, ExID and length checks, framing of what a registrant writes),
 * range sets and reassembly (overlaps, duplicates, wrap, memory bound), RTO estimation
 * (RFC 6298 sample sequences, bounds, back-off), the RFC 6675 scoreboard (IsLost, pipe,
 * NextSeg), NewReno and CUBIC (RFC 9438 formulas, fast convergence, Reno-friendly region).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "tcp_priv.h"
#include "ursa_arp.h"
#include "ursa_eth.h"
#include "ursa_test.h"

static struct ursa_lcore *lc;

static struct ursa_lcore *tcp_lcore(struct ursa_lcore *l);

static int setup(void)
{
	lc = ursa_test_lcore(3);
	return lc == NULL;
}

static int teardown(void)
{
	ursa_lcore_destroy(lc);
	lc = NULL;
	return 0;
}

/* ---- sequence numbers ---- */

static void test_seq_wrap(void)
{
	CU_ASSERT_TRUE(SEQ_LT(0xfffffff0u, 0x10u));
	CU_ASSERT_FALSE(SEQ_LT(0x10u, 0xfffffff0u));
	CU_ASSERT_TRUE(SEQ_GT(0x10u, 0xfffffff0u));
	CU_ASSERT_TRUE(SEQ_LEQ(5u, 5u));
	CU_ASSERT_TRUE(SEQ_GEQ(5u, 5u));
	CU_ASSERT_FALSE(SEQ_LT(5u, 5u));
	CU_ASSERT_EQUAL(SEQ_MAX(0xffffffffu, 0u), 0u);
	CU_ASSERT_EQUAL(SEQ_MIN(0xffffffffu, 0u), 0xffffffffu);
	CU_ASSERT_TRUE(SEQ_IN(2u, 0xfffffffeu, 10u));
	CU_ASSERT_TRUE(SEQ_IN(0xfffffffeu, 0xfffffffeu, 10u));
	CU_ASSERT_FALSE(SEQ_IN(10u, 0xfffffffeu, 10u));
	CU_ASSERT_TRUE(SEQ_LT(0u, 0x7fffffffu));
	CU_ASSERT_TRUE(SEQ_GT(0u, 0x80000001u)); /* more than 2^31 apart: wraps the other way */
	CU_ASSERT_TRUE(TSTMP_LT(0xffffff00u, 3u));
	CU_ASSERT_TRUE(TSTMP_GEQ(3u, 0xffffff00u));
}

/* ---- SipHash-2-4: the test vectors of the reference implementation ---- */

static void test_siphash_vectors(void)
{
	const uint64_t key[2] = {0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull};
	uint8_t msg[64];

	for (unsigned i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	CU_ASSERT_EQUAL(tcp_siphash(key, msg, 0), 0x726fdb47dd0e0e31ull);
	CU_ASSERT_EQUAL(tcp_siphash(key, msg, 15), 0xa129ca6149be45e5ull);
	CU_ASSERT_EQUAL(tcp_siphash(key, msg, 1), 0x74f839c593dc67fdull);
	CU_ASSERT_EQUAL(tcp_siphash(key, msg, 8), 0x93f5f5799a932462ull);
}

/* ---- option parsing ---- */

static void test_opt_linux_syn(void)
{
	/* A Linux SYN: MSS 1460, SACK-permitted, timestamps, NOP, window scale 7. */
	const uint8_t o[] = {0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x00, 0x01,
			     0x02, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07};
	struct tcp_opts p;

	CU_ASSERT_EQUAL(tcp_opt_parse(o, sizeof(o), true, &p), 0);
	CU_ASSERT_EQUAL(p.present,
			TCP_OPT_F_MSS | TCP_OPT_F_SACK_PERM | TCP_OPT_F_TS | TCP_OPT_F_WSCALE);
	CU_ASSERT_EQUAL(p.mss, 1460);
	CU_ASSERT_EQUAL(p.wscale, 7);
	CU_ASSERT_EQUAL(p.tsval, 0x00010203u);
	CU_ASSERT_EQUAL(p.tsecr, 0);
	/* The same options on a non-SYN: only the timestamps count. */
	CU_ASSERT_EQUAL(tcp_opt_parse(o, sizeof(o), false, &p), 0);
	CU_ASSERT_EQUAL(p.present, TCP_OPT_F_TS);
}

/* A test registrant of the option hook with SMC's rules (RFC 7609 §3.1), SMC's kind and
 * ExID: slot bit 1 = want (offer on the SYN, echo on the SYN-ACK), bit 2 = the peer sent it. */
#define T_EXID 0xE2D4C3D9u
static int t_slot;
static bool t_bad_write;

static unsigned t_write(struct ursa_lcore *l, void *arg, struct ursa_tcp_pcb *pcb, bool synack,
			uint8_t *p, unsigned room)
{
	uint32_t v = ursa_tcp_opt_get(pcb, (unsigned)t_slot);
	const uint8_t opt[] = {0xfe, 0x06, 0xe2, 0xd4, 0xc3, 0xd9};

	(void)l, (void)arg;
	if (!(v & 1) || (synack && !(v & 2)) || room < sizeof(opt))
		return 0;
	memcpy(p, opt, sizeof(opt));
	if (t_bad_write)
		p[1] = 8; /* a length byte that is not what it wrote */
	return sizeof(opt);
}

static void t_seen(struct ursa_lcore *l, void *arg, struct ursa_tcp_pcb *pcb, bool synack,
		   const uint8_t *data, unsigned len)
{
	(void)l, (void)arg, (void)synack, (void)data, (void)len;
	ursa_tcp_opt_set(pcb, (unsigned)t_slot, ursa_tcp_opt_get(pcb, (unsigned)t_slot) | 2);
}

static const struct ursa_tcp_opt_hook t_hook = {
	.name = "test",
	.kind = 254,
	.exid_len = 4,
	.exid = T_EXID,
	.data_min = 0,
	.data_max = 2,
	.write = t_write,
	.seen = t_seen,
};

static void test_opt_hook_register(void)
{
	struct ursa_lcore *tl = tcp_lcore(ursa_test_lcore(5));
	struct ursa_tcp_opt_hook h = t_hook;

	h.kind = 2; /* MSS is TCP's own */
	CU_ASSERT_EQUAL(ursa_tcp_opt_register(tl, &h), -EINVAL);
	h = t_hook;
	h.exid_len = 0; /* the shared kinds need an ExID */
	CU_ASSERT_EQUAL(ursa_tcp_opt_register(tl, &h), -EINVAL);
	h.exid_len = 3;
	CU_ASSERT_EQUAL(ursa_tcp_opt_register(tl, &h), -EINVAL);
	h = t_hook;
	h.data_max = 40; /* cannot fit */
	CU_ASSERT_EQUAL(ursa_tcp_opt_register(tl, &h), -EINVAL);
	h = t_hook;
	h.seen = NULL;
	CU_ASSERT_EQUAL(ursa_tcp_opt_register(tl, &h), -EINVAL);
	CU_ASSERT_EQUAL(ursa_tcp_opt_register(tl, &t_hook), 0);
	CU_ASSERT_EQUAL(ursa_tcp_opt_register(tl, &t_hook), -EEXIST); /* registered twice */
	h = t_hook;
	h.exid_len = 2; /* a 16-bit ExID equal to its first half would be ambiguous */
	h.exid = 0xE2D4;
	CU_ASSERT_EQUAL(ursa_tcp_opt_register(tl, &h), -EEXIST);
	h.exid = 0x1234;
	CU_ASSERT_EQUAL(ursa_tcp_opt_register(tl, &h), 1);
	h = t_hook;
	h.kind = 253; /* the same ExID on the other shared kind is another option */
	CU_ASSERT_EQUAL(ursa_tcp_opt_register(tl, &h), 2);
	h.kind = 30;
	h.exid_len = 0;
	h.exid = 0;
	CU_ASSERT_EQUAL(ursa_tcp_opt_register(tl, &h), 3);
	h.kind = 31;
	CU_ASSERT_EQUAL(ursa_tcp_opt_register(tl, &h), -ENOSPC);
	h.kind = 30;
	CU_ASSERT_EQUAL(ursa_tcp_opt_register(tl, &h), -EEXIST);
	ursa_lcore_destroy(tl);
}

static void test_opt_hook_parse(void)
{
	struct ursa_lcore *tl = tcp_lcore(ursa_test_lcore(5));
	const uint8_t good[] = {0x01, 0x01, 0xfe, 0x06, 0xe2, 0xd4, 0xc3, 0xd9};
	const uint8_t exid_bad[] = {0x01, 0x01, 0xfe, 0x06, 0xe2, 0xd4, 0xc3, 0xd8};
	const uint8_t longer[] = {0xfe, 0x08, 0xe2, 0xd4, 0xc3, 0xd9, 0xaa, 0xbb};
	const uint8_t too_long[] = {0xfe, 0x09, 0xe2, 0xd4, 0xc3, 0xd9, 0xaa, 0xbb, 0xcc, 0x00};
	const uint8_t short4[] = {0xfe, 0x04, 0xe2, 0xd4, 0x01, 0x01, 0x01, 0x01};
	const uint8_t twice[] = {0xfe, 0x06, 0xe2, 0xd4, 0xc3, 0xd9, 0xfe,
				 0x08, 0xe2, 0xd4, 0xc3, 0xd9, 0xaa, 0xbb};
	struct tcp_opts p;

	/* nothing registered: a kind 254 is just ignored */
	CU_ASSERT_EQUAL(tcp_opt_parse(good, sizeof(good), true, &p), 0);
	tcp_opt_parse_hooks(tl, good, sizeof(good), &p);
	CU_ASSERT_EQUAL(p.nfound, 0);
	t_slot = ursa_tcp_opt_register(tl, &t_hook);
	CU_ASSERT_EQUAL_FATAL(t_slot, 0);
	tcp_opt_parse_hooks(tl, good, sizeof(good), &p);
	CU_ASSERT_EQUAL_FATAL(p.nfound, 1);
	CU_ASSERT_EQUAL(p.found[0].hook, 0);
	CU_ASSERT_EQUAL(p.found[0].len, 0);
	CU_ASSERT_PTR_EQUAL(p.found[0].data, good + 8);
	tcp_opt_parse_hooks(tl, exid_bad, sizeof(exid_bad), &p); /* unknown ExID: ignored */
	CU_ASSERT_EQUAL(p.nfound, 0);
	tcp_opt_parse_hooks(tl, longer, sizeof(longer), &p);
	CU_ASSERT_EQUAL_FATAL(p.nfound, 1);
	CU_ASSERT_EQUAL(p.found[0].len, 2);
	CU_ASSERT_EQUAL(p.found[0].data[0], 0xaa);
	tcp_opt_parse_hooks(tl, short4, sizeof(short4), &p); /* no room for the ExID */
	CU_ASSERT_EQUAL(p.nfound, 0);
	CU_ASSERT_EQUAL(ursa_test_counter(tl, "tcp", "opt_hook_bad_len"), 0);
	CU_ASSERT_EQUAL(tcp_opt_parse(too_long, sizeof(too_long), true, &p), 0);
	tcp_opt_parse_hooks(tl, too_long, sizeof(too_long), &p); /* 3 data bytes > data_max */
	CU_ASSERT_EQUAL(p.nfound, 0);
	CU_ASSERT_EQUAL(ursa_test_counter(tl, "tcp", "opt_hook_bad_len"), 1);
	tcp_opt_parse_hooks(tl, twice, sizeof(twice), &p); /* the first one counts */
	CU_ASSERT_EQUAL_FATAL(p.nfound, 1);
	CU_ASSERT_EQUAL(p.found[0].len, 0);
	ursa_lcore_destroy(tl);
}

static void test_opt_malformed(void)
{
	const uint8_t zero_len[] = {0x02, 0x00, 0x05, 0xb4};
	const uint8_t one_len[] = {0x08, 0x01, 0x01, 0x01};
	const uint8_t past_end[] = {0x01, 0x08, 0x0a, 0x00, 0x00};
	const uint8_t kind_at_end[] = {0x01, 0x01, 0x01, 0x02};
	const uint8_t bad_mss_len[] = {0x02, 0x03, 0x05, 0x04, 0x02, 0x00, 0x00, 0x00};
	const uint8_t big_ws[] = {0x03, 0x03, 0x0f, 0x00};
	const uint8_t eol_stops[] = {0x00, 0x02, 0x00, 0x00};
	const uint8_t bad_ts_len[] = {0x08, 0x08, 0, 0, 0, 1, 0, 0, 0x01, 0x01};
	const uint8_t unknown[] = {0x1e, 0x04, 0xaa, 0xbb, 0x02, 0x04, 0x02, 0x18};
	struct tcp_opts p;

	CU_ASSERT_EQUAL(tcp_opt_parse(zero_len, sizeof(zero_len), true, &p), -EINVAL);
	CU_ASSERT_EQUAL(tcp_opt_parse(one_len, sizeof(one_len), true, &p), -EINVAL);
	CU_ASSERT_EQUAL(tcp_opt_parse(past_end, sizeof(past_end), false, &p), -EINVAL);
	CU_ASSERT_EQUAL(tcp_opt_parse(kind_at_end, sizeof(kind_at_end), true, &p), -EINVAL);
	/* A known option with a wrong length is skipped; parsing continues. */
	CU_ASSERT_EQUAL(tcp_opt_parse(bad_mss_len, sizeof(bad_mss_len), true, &p), 0);
	CU_ASSERT_EQUAL(p.present, TCP_OPT_F_SACK_PERM);
	CU_ASSERT_EQUAL(tcp_opt_parse(big_ws, sizeof(big_ws), true, &p), 0);
	CU_ASSERT_EQUAL(p.wscale, 14);
	CU_ASSERT_EQUAL(tcp_opt_parse(eol_stops, sizeof(eol_stops), true, &p), 0);
	CU_ASSERT_EQUAL(p.present, 0);
	CU_ASSERT_EQUAL(tcp_opt_parse(bad_ts_len, sizeof(bad_ts_len), false, &p), 0);
	CU_ASSERT_EQUAL(p.present, 0);
	CU_ASSERT_EQUAL(tcp_opt_parse(unknown, sizeof(unknown), true, &p), 0);
	CU_ASSERT_EQUAL(p.present, TCP_OPT_F_MSS);
	CU_ASSERT_EQUAL(p.mss, 536);
	CU_ASSERT_EQUAL(tcp_opt_parse(NULL, 0, true, &p), 0);
}

static void test_opt_sack_blocks(void)
{
	uint8_t o[2 + 8 * 5];
	struct tcp_opts p;

	o[0] = TCPOPT_SACK;
	for (unsigned i = 0; i < 5; i++) {
		uint32_t s = 0xfffffff0u + i * 100, e = s + 50;

		for (unsigned b = 0; b < 4; b++) {
			o[2 + 8 * i + b] = (uint8_t)(s >> (24 - 8 * b));
			o[6 + 8 * i + b] = (uint8_t)(e >> (24 - 8 * b));
		}
	}
	o[1] = 2 + 8 * 2;
	CU_ASSERT_EQUAL(tcp_opt_parse(o, 18, false, &p), 0);
	CU_ASSERT_EQUAL(p.present, TCP_OPT_F_SACK);
	CU_ASSERT_EQUAL(p.nsack, 2);
	CU_ASSERT_EQUAL(p.sack[0].start, 0xfffffff0u);
	CU_ASSERT_EQUAL(p.sack[0].end, 0xfffffff0u + 50);
	CU_ASSERT_EQUAL(p.sack[1].start, 0xfffffff0u + 100);
	/* Five blocks (42 bytes, more than fits in a header) keep the first four. */
	o[1] = 42;
	CU_ASSERT_EQUAL(tcp_opt_parse(o, 42, false, &p), 0);
	CU_ASSERT_EQUAL(p.nsack, 4);
	/* A length that is not 2 + 8n is ignored, as is SACK on a SYN. */
	o[1] = 17;
	CU_ASSERT_EQUAL(tcp_opt_parse(o, 17, false, &p), 0);
	CU_ASSERT_EQUAL(p.present, 0);
	o[1] = 10;
	CU_ASSERT_EQUAL(tcp_opt_parse(o, 10, true, &p), 0);
	CU_ASSERT_EQUAL(p.present, 0);
}

static void test_opt_write(void)
{
	struct ursa_lcore *ol = tcp_lcore(ursa_test_lcore(6)); /* with the option hook table */
	struct ursa_tcp_pcb pcb;
	uint8_t b[40];
	struct tcp_opts p;
	unsigned n;
	const uint8_t syn_expect[] = {0x02, 0x04, 0x05, 0xb4, 0x01, 0x03,
				      0x03, 0x03, 0x04, 0x02, 0x08, 0x0a};
	const uint8_t smc_expect[] = {0x01, 0x01, 0xfe, 0x06, 0xe2, 0xd4, 0xc3, 0xd9};

	memset(&pcb, 0, sizeof(pcb));
	pcb.rcv_mss = 1460;
	pcb.rcv_wscale = 3;
	pcb.ws_want = pcb.ts_want = pcb.sack_want = true;
	t_slot = ursa_tcp_opt_register(ol, &t_hook);
	CU_ASSERT_EQUAL_FATAL(t_slot, 0);
	pcb.opt_slot[t_slot] = 1; /* the registrant wants it */
	pcb.ts_offset = 1000;
	n = tcp_opt_write(ol, &pcb, TH_SYN, b);
	CU_ASSERT_EQUAL(n, 4 + 4 + 12 + 8);
	CU_ASSERT_EQUAL(memcmp(b, syn_expect, sizeof(syn_expect)), 0);
	CU_ASSERT_EQUAL(memcmp(b + 20, smc_expect, sizeof(smc_expect)), 0);
	CU_ASSERT_EQUAL(tcp_opt_parse(b, n, true, &p), 0);
	CU_ASSERT_EQUAL(p.present,
			TCP_OPT_F_MSS | TCP_OPT_F_WSCALE | TCP_OPT_F_SACK_PERM | TCP_OPT_F_TS);
	tcp_opt_parse_hooks(ol, b, n, &p);
	CU_ASSERT_EQUAL(p.nfound, 1);
	CU_ASSERT_EQUAL(ursa_test_counter(ol, "tcp", "opt_hook_sent"), 1);
	CU_ASSERT_EQUAL(p.tsval, (uint32_t)(URSA_TEST_T0 / URSA_NS_PER_MS) + 1000);
	CU_ASSERT_EQUAL(p.tsecr, 0);

	/* SYN-ACK: only what was negotiated; SMC only as an echo of the peer's. */
	pcb.ws_ok = false;
	pcb.ts_ok = false;
	pcb.sack_ok = true;
	n = tcp_opt_write(ol, &pcb, TH_SYN | TH_ACK, b);
	CU_ASSERT_EQUAL(n, 8);
	CU_ASSERT_EQUAL(tcp_opt_parse(b, n, true, &p), 0);
	CU_ASSERT_EQUAL(p.present, TCP_OPT_F_MSS | TCP_OPT_F_SACK_PERM);
	pcb.opt_slot[t_slot] |= 2; /* the peer's SYN had it */
	n = tcp_opt_write(ol, &pcb, TH_SYN | TH_ACK, b);
	CU_ASSERT_EQUAL(n, 16);
	CU_ASSERT_EQUAL(memcmp(b + 8, smc_expect, 8), 0);
	/* what the registrant writes must be what it registered: else it is not sent */
	t_bad_write = true;
	n = tcp_opt_write(ol, &pcb, TH_SYN | TH_ACK, b);
	t_bad_write = false;
	CU_ASSERT_EQUAL(n, 8);
	CU_ASSERT_EQUAL(ursa_test_counter(ol, "tcp", "opt_hook_bad_write"), 1);
	/* never on other segments */
	CU_ASSERT_EQUAL(tcp_opt_write(ol, &pcb, TH_ACK, b), 0);

	/* Data segment: timestamps and SACK blocks, most recent block first. */
	pcb.ts_ok = true;
	pcb.ts_recent = 0x11223344;
	tcp_rset_add(&pcb.ooo, 100, 200);
	tcp_rset_add(&pcb.ooo, 300, 400);
	pcb.ooo_last = 300;
	n = tcp_opt_write(ol, &pcb, TH_ACK, b);
	CU_ASSERT_EQUAL(n, 12 + 4 + 16);
	CU_ASSERT_EQUAL(tcp_opt_parse(b, n, false, &p), 0);
	CU_ASSERT_EQUAL(p.present, TCP_OPT_F_TS | TCP_OPT_F_SACK);
	CU_ASSERT_EQUAL(p.tsecr, 0x11223344u);
	CU_ASSERT_EQUAL(p.nsack, 2);
	CU_ASSERT_EQUAL(p.sack[0].start, 300);
	CU_ASSERT_EQUAL(p.sack[1].start, 100);
	ursa_lcore_destroy(ol);
}

/* ---- range sets and reassembly ---- */

static void test_rset(void)
{
	struct tcp_rset s;

	tcp_rset_clear(&s);
	CU_ASSERT_EQUAL(tcp_rset_add(&s, 10, 20), 0);
	CU_ASSERT_EQUAL(tcp_rset_add(&s, 30, 40), 0);
	CU_ASSERT_EQUAL(s.n, 2);
	CU_ASSERT_EQUAL(tcp_rset_add(&s, 20, 30), 0); /* adjacent on both sides: one range */
	CU_ASSERT_EQUAL(s.n, 1);
	CU_ASSERT_EQUAL(s.r[0].start, 10);
	CU_ASSERT_EQUAL(s.r[0].end, 40);
	CU_ASSERT_EQUAL(tcp_rset_add(&s, 5, 50), 0); /* covering */
	CU_ASSERT_EQUAL(s.n, 1);
	CU_ASSERT_EQUAL(tcp_rset_bytes(&s), 45);
	CU_ASSERT_EQUAL(tcp_rset_add(&s, 60, 60), 0); /* empty: nothing */
	CU_ASSERT_EQUAL(s.n, 1);
	tcp_rset_trim(&s, 20);
	CU_ASSERT_EQUAL(s.r[0].start, 20);
	tcp_rset_trim(&s, 50);
	CU_ASSERT_EQUAL(s.n, 0);
	/* across the wrap */
	CU_ASSERT_EQUAL(tcp_rset_add(&s, 0xfffffff0u, 0x10), 0);
	CU_ASSERT_EQUAL(tcp_rset_add(&s, 0x20, 0x30), 0);
	CU_ASSERT_EQUAL(tcp_rset_add(&s, 0xffffff00u, 0xffffff10u), 0);
	CU_ASSERT_EQUAL(s.n, 3);
	CU_ASSERT_EQUAL(s.r[0].start, 0xffffff00u);
	CU_ASSERT_EQUAL(s.r[1].start, 0xfffffff0u);
	CU_ASSERT_EQUAL(s.r[2].start, 0x20u);
	/* bounded: the 33rd disjoint range is refused and nothing changes */
	tcp_rset_clear(&s);
	for (uint32_t i = 0; i < TCP_RSET_MAX; i++)
		CU_ASSERT_EQUAL(tcp_rset_add(&s, i * 10, i * 10 + 5), 0);
	CU_ASSERT_EQUAL(tcp_rset_add(&s, 1000, 1005), -ENOSPC);
	CU_ASSERT_EQUAL(s.n, TCP_RSET_MAX);
	CU_ASSERT_EQUAL(tcp_rset_add(&s, 5, 10), 0); /* merging still works when full */
	CU_ASSERT_EQUAL(s.n, TCP_RSET_MAX - 1);
}

static struct ursa_tcp_pcb *reass_pcb(uint32_t rcv_nxt, uint32_t size)
{
	struct ursa_tcp_pcb *pcb = calloc(1, sizeof(*pcb));

	CU_ASSERT_FATAL(pcb != NULL);
	tcp_ring_init(&pcb->rcvq, malloc(size), size);
	pcb->rcv_nxt = rcv_nxt;
	return pcb;
}

static int reass(struct ursa_tcp_pcb *pcb, uint32_t seq, const char *data)
{
	struct rte_mbuf *m = ursa_test_mbuf(lc, data, strlen(data));
	int n;

	CU_ASSERT_FATAL(m != NULL);
	n = tcp_reass(pcb, seq, m, 0, (uint32_t)strlen(data));
	rte_pktmbuf_free(m);
	if (n > 0)
		pcb->rcv_nxt += (uint32_t)n;
	return n;
}

static void test_reass_wrap_overlap(void)
{
	struct ursa_tcp_pcb *pcb = reass_pcb(0xfffffffcu, 32);
	char out[33] = {0};

	/* "abcdefghijklmnop" from 0xfffffffc: send pieces out of order across the wrap. */
	CU_ASSERT_EQUAL(reass(pcb, 0xfffffffcu + 8, "ijkl"), 0);
	CU_ASSERT_EQUAL(reass(pcb, 0xfffffffcu + 4, "efgh"), 0); /* adjacent: merges */
	CU_ASSERT_EQUAL(pcb->ooo.n, 1);
	CU_ASSERT_EQUAL(reass(pcb, 0xfffffffcu + 14, "op"), 0);
	CU_ASSERT_EQUAL(pcb->ooo.n, 2);
	CU_ASSERT_EQUAL(reass(pcb, 0xfffffffcu + 6, "ghijk"), 0); /* duplicate inside */
	CU_ASSERT_EQUAL(pcb->ooo.n, 2);
	CU_ASSERT_EQUAL(tcp_rset_bytes(&pcb->ooo), 10);
	/* In-order data filling the first hole releases through "l". */
	CU_ASSERT_EQUAL(reass(pcb, 0xfffffffcu, "abcd"), 12);
	CU_ASSERT_EQUAL(pcb->rcv_nxt, 8u);
	CU_ASSERT_EQUAL(pcb->rcvq.len, 12);
	/* Overlapping the tail range from the left fills the rest. */
	CU_ASSERT_EQUAL(reass(pcb, 8, "mnop"), 4);
	CU_ASSERT_EQUAL(pcb->ooo.n, 0);
	tcp_ring_get(&pcb->rcvq, 0, out, pcb->rcvq.len);
	CU_ASSERT_STRING_EQUAL(out, "abcdefghijklmnop");
	/* Outside the ring is refused; data below rcv_nxt is the caller's to trim. */
	CU_ASSERT_EQUAL(reass(pcb, 12 + 17, "x"), -EINVAL);
	CU_ASSERT_EQUAL(reass(pcb, 11, "x"), -EINVAL);
	free(pcb->rcvq.buf);
	free(pcb);
}

static void test_reass_ring_wrap_and_bound(void)
{
	struct ursa_tcp_pcb *pcb = reass_pcb(1000, 16);
	char out[17] = {0};
	int n;

	CU_ASSERT_EQUAL(reass(pcb, 1000, "0123456789"), 10);
	tcp_ring_consume(&pcb->rcvq, 10); /* head moves to 10: next data wraps the ring */
	CU_ASSERT_EQUAL(reass(pcb, 1014, "EF"), 0);
	CU_ASSERT_EQUAL(reass(pcb, 1010, "ABCD"), 6);
	tcp_ring_get(&pcb->rcvq, 0, out, 6);
	CU_ASSERT_STRING_EQUAL(out, "ABCDEF");
	CU_ASSERT_EQUAL(pcb->rcvq.len, 6);
	free(pcb->rcvq.buf);
	free(pcb);

	/* Memory bound: at most TCP_RSET_MAX holes; the next disjoint segment is dropped. */
	pcb = reass_pcb(0, 1024);
	for (uint32_t i = 0; i < TCP_RSET_MAX; i++)
		CU_ASSERT_EQUAL(reass(pcb, 2 + i * 4, "x"), 0);
	n = reass(pcb, 2 + TCP_RSET_MAX * 4, "y");
	CU_ASSERT_EQUAL(n, -ENOSPC);
	CU_ASSERT_EQUAL(pcb->ooo.n, TCP_RSET_MAX);
	/* In-order data is always taken, and releases the first range. */
	CU_ASSERT_EQUAL(reass(pcb, 0, "ab"), 3);
	CU_ASSERT_EQUAL(pcb->ooo.n, TCP_RSET_MAX - 1);
	free(pcb->rcvq.buf);
	free(pcb);
}

static void test_reass_chained_mbuf(void)
{
	struct ursa_tcp_pcb *pcb = reass_pcb(500, 64);
	struct rte_mbuf *m1 = ursa_test_mbuf(lc, "HDRabc", 6), *m2 = ursa_test_mbuf(lc, "def", 3);
	struct rte_mbuf *m3 = ursa_test_mbuf(lc, "ghij", 4);
	char out[16] = {0};

	CU_ASSERT_FATAL(m1 && m2 && m3);
	CU_ASSERT_FATAL(rte_pktmbuf_chain(m1, m2) == 0);
	CU_ASSERT_FATAL(rte_pktmbuf_chain(m1, m3) == 0);
	/* payload at offset 3 of a three-segment chain, spanning all of them */
	CU_ASSERT_EQUAL(tcp_reass(pcb, 500, m1, 3, 10), 10);
	tcp_ring_get(&pcb->rcvq, 0, out, 10);
	CU_ASSERT_STRING_EQUAL(out, "abcdefghij");
	/* starting inside the second segment */
	pcb->rcv_nxt += 10;
	CU_ASSERT_EQUAL(tcp_reass(pcb, 510, m1, 7, 5), 5);
	tcp_ring_get(&pcb->rcvq, 10, out, 5);
	out[5] = 0;
	CU_ASSERT_STRING_EQUAL(out, "efghi");
	rte_pktmbuf_free(m1);
	free(pcb->rcvq.buf);
	free(pcb);
}

/* ---- RTO (RFC 6298) ---- */

static void test_rto_samples(void)
{
	struct ursa_tcp_conf conf;
	struct ursa_tcp_pcb pcb;

	ursa_tcp_conf_default(&conf);
	memset(&pcb, 0, sizeof(pcb));
	/* §2.2: first sample R = 100 ms: SRTT = R, RTTVAR = R/2, RTO = SRTT + 4 RTTVAR */
	tcp_rtt_sample(&conf, &pcb, 100000);
	CU_ASSERT_EQUAL(pcb.srtt_us, 100000);
	CU_ASSERT_EQUAL(pcb.rttvar_us, 50000);
	CU_ASSERT_EQUAL(pcb.rto_us, 300000);
	/* §2.3: R' = 200 ms: RTTVAR = 3/4 50 + 1/4 |100 - 200| = 62.5; SRTT = 112.5 */
	tcp_rtt_sample(&conf, &pcb, 200000);
	CU_ASSERT_EQUAL(pcb.rttvar_us, 62500);
	CU_ASSERT_EQUAL(pcb.srtt_us, 112500);
	CU_ASSERT_EQUAL(pcb.rto_us, 362500);
	/* R' = 112.5 ms steady: RTTVAR decays by 3/4 per sample */
	tcp_rtt_sample(&conf, &pcb, 112500);
	CU_ASSERT_EQUAL(pcb.rttvar_us, 46875);
	CU_ASSERT_EQUAL(pcb.srtt_us, 112500);
	CU_ASSERT_EQUAL(pcb.rto_us, 300000);
	CU_ASSERT_EQUAL(pcb.min_rtt_us, 100000);

	/* Lower bound (200 ms) for a LAN RTT, and G = 1 ms when RTTVAR is tiny. */
	memset(&pcb, 0, sizeof(pcb));
	tcp_rtt_sample(&conf, &pcb, 100);
	CU_ASSERT_EQUAL(pcb.rto_us, 200000);
	conf.rto_min_ms = 1;
	memset(&pcb, 0, sizeof(pcb));
	tcp_rtt_sample(&conf, &pcb, 200);
	CU_ASSERT_EQUAL(pcb.rto_us, 200 + 1000);
	/* Upper bound */
	memset(&pcb, 0, sizeof(pcb));
	tcp_rtt_sample(&conf, &pcb, 100000000);
	CU_ASSERT_EQUAL(pcb.rto_us, 120000000);
}

static void test_rto_backoff(void)
{
	struct ursa_tcp_conf conf;
	struct ursa_tcp_pcb pcb;

	ursa_tcp_conf_default(&conf);
	memset(&pcb, 0, sizeof(pcb));
	pcb.rto_us = 1000000;
	CU_ASSERT_EQUAL(tcp_rto_backed_off(&conf, &pcb), 1000000);
	pcb.backoff = 3;
	CU_ASSERT_EQUAL(tcp_rto_backed_off(&conf, &pcb), 8000000);
	pcb.backoff = 6;
	CU_ASSERT_EQUAL(tcp_rto_backed_off(&conf, &pcb), 64000000);
	pcb.backoff = 7; /* 128 s: clamped */
	CU_ASSERT_EQUAL(tcp_rto_backed_off(&conf, &pcb), 120000000);
	pcb.backoff = 31;
	CU_ASSERT_EQUAL(tcp_rto_backed_off(&conf, &pcb), 120000000);
	/* §5.7: a new sample recomputes the RTO and ends the back-off. */
	tcp_rtt_sample(&conf, &pcb, 50000);
	CU_ASSERT_EQUAL(pcb.backoff, 0);
	CU_ASSERT_EQUAL(tcp_rto_backed_off(&conf, &pcb), 200000);
}

/* ---- SACK scoreboard (RFC 6675) ---- */

static void sb_pcb(struct ursa_tcp_pcb *pcb)
{
	memset(pcb, 0, sizeof(*pcb));
	pcb->snd_mss = 100;
	pcb->snd_una = 1000;
	pcb->snd_nxt = pcb->snd_max = 2000; /* ten segments in flight */
	pcb->high_rxt = 1000;
}

static void sack(struct ursa_tcp_pcb *pcb, uint32_t s, uint32_t e)
{
	struct tcp_opts o;

	memset(&o, 0, sizeof(o));
	o.present = TCP_OPT_F_SACK;
	o.nsack = 1;
	o.sack[0].start = s;
	o.sack[0].end = e;
	tcp_sack_update(pcb, &o);
}

static void test_sack_scoreboard(void)
{
	struct ursa_tcp_pcb pcb;
	uint32_t seq, len;

	sb_pcb(&pcb);
	/* invalid blocks are ignored: beyond snd_max, empty, entirely below snd_una (D-SACK) */
	sack(&pcb, 1900, 2100);
	sack(&pcb, 1500, 1500);
	sack(&pcb, 500, 900);
	CU_ASSERT_EQUAL(pcb.scoreboard.n, 0);
	CU_ASSERT_EQUAL(tcp_sack_pipe(&pcb), 1000);
	CU_ASSERT_FALSE(tcp_sack_next_seg(&pcb, false, &seq, &len));

	sack(&pcb, 1100, 1200);
	CU_ASSERT_TRUE(tcp_sack_is_sacked(&pcb, 1150));
	CU_ASSERT_FALSE(tcp_sack_is_sacked(&pcb, 1200));
	CU_ASSERT_FALSE(tcp_sack_is_lost(&pcb, 1000));
	sack(&pcb, 1300, 1400);
	CU_ASSERT_FALSE(tcp_sack_is_lost(&pcb, 1000)); /* 2 ranges, 200 bytes: not yet */
	sack(&pcb, 1500, 1600);
	CU_ASSERT_TRUE(tcp_sack_is_lost(&pcb, 1000));  /* DupThresh = 3 SACKed ranges above */
	CU_ASSERT_FALSE(tcp_sack_is_lost(&pcb, 1200)); /* two ranges, 200 bytes above */
	CU_ASSERT_FALSE(tcp_sack_is_lost(&pcb, 1400));
	/* pipe: 1000 is lost (out); 1200, 1400 and 1600..1999 are in: 600 */
	CU_ASSERT_EQUAL(tcp_sack_pipe(&pcb), 600);
	/* NextSeg rule 1: the first lost hole */
	CU_ASSERT_TRUE(tcp_sack_next_seg(&pcb, true, &seq, &len));
	CU_ASSERT_EQUAL(seq, 1000);
	CU_ASSERT_EQUAL(len, 100);
	/* after retransmitting it (an outstanding retransmission) it counts in the pipe again */
	CU_ASSERT_TRUE(tcp_sack_rxt_note(&pcb, 1000, 100, 0));
	CU_ASSERT_EQUAL(tcp_sack_pipe(&pcb), 700);
	/* 1200 is not lost: rule 1 has nothing, rule 3 offers it */
	CU_ASSERT_FALSE(tcp_sack_next_seg(&pcb, true, &seq, &len));
	CU_ASSERT_TRUE(tcp_sack_next_seg(&pcb, false, &seq, &len));
	CU_ASSERT_EQUAL(seq, 1200);
	CU_ASSERT_EQUAL(len, 100);
	/* one more SACKed range above makes 1200 lost */
	sack(&pcb, 1700, 1800);
	CU_ASSERT_TRUE(tcp_sack_is_lost(&pcb, 1200));
	CU_ASSERT_TRUE(tcp_sack_next_seg(&pcb, true, &seq, &len));
	CU_ASSERT_EQUAL(seq, 1200);
	/* pipe: 1000 (retransmitted, lost) 100; 1200 lost 0; 1400, 1600, 1800, 1900: 400 */
	CU_ASSERT_EQUAL(tcp_sack_pipe(&pcb), 500);
	CU_ASSERT_TRUE(tcp_sack_rxt_note(&pcb, 1200, 100, 0));
	CU_ASSERT_FALSE(tcp_sack_next_seg(&pcb, true, &seq, &len));
	CU_ASSERT_TRUE(tcp_sack_next_seg(&pcb, false, &seq, &len));
	CU_ASSERT_EQUAL(seq, 1400);
	/* by bytes: one range of more than 2 SMSS above makes the hole lost */
	sb_pcb(&pcb);
	sack(&pcb, 1100, 1301);
	CU_ASSERT_TRUE(tcp_sack_is_lost(&pcb, 1000));
	sb_pcb(&pcb);
	sack(&pcb, 1100, 1300);
	CU_ASSERT_FALSE(tcp_sack_is_lost(&pcb, 1000));
	/* the cumulative ACK trims the scoreboard */
	pcb.snd_una = 1250;
	sack(&pcb, 1700, 1800);
	CU_ASSERT_EQUAL(pcb.scoreboard.n, 2);
	CU_ASSERT_EQUAL(pcb.scoreboard.r[0].start, 1250);
}

/* A retransmission that data sent after it overtakes is lost again: NextSeg offers it once
 * more (RFC 6675 alone would wait for the RTO). */
static void test_sack_lost_retransmission(void)
{
	struct ursa_lcore *tl = ursa_test_lcore(5);
	struct ursa_tcp_pcb pcb;
	uint32_t seq, len;

	CU_ASSERT_FATAL(tl != NULL);
	CU_ASSERT_FATAL(ursa_eth_init(tl) == 0);
	CU_ASSERT_FATAL(ursa_arp_init(tl) == 0);
	CU_ASSERT_FATAL(ursa_ip_init(tl) == 0);
	CU_ASSERT_FATAL(ursa_tcp_init(tl) == 0);
	sb_pcb(&pcb);
	pcb.srtt_us = 10000;
	sack(&pcb, 1100, 1400); /* 1000 lost: 3 SMSS above */
	CU_ASSERT_TRUE(tcp_sack_next_seg(&pcb, true, &seq, &len));
	CU_ASSERT_EQUAL(seq, 1000);
	CU_ASSERT_TRUE(tcp_sack_rxt_note(&pcb, 1000, 100, ursa_now(tl)));
	CU_ASSERT_EQUAL(pcb.rxt[0].mark, 2000);
	/* new data 2000..2400 goes out after it */
	pcb.snd_nxt = pcb.snd_max = 2400;
	/* the rest of the old flight arrives: nothing said about the retransmission yet */
	sack(&pcb, 1400, 2000);
	CU_ASSERT_EQUAL(tcp_sack_rxt_check(tl, &pcb), 0);
	CU_ASSERT_EQUAL(pcb.nrxt, 1);
	CU_ASSERT_FALSE(tcp_sack_next_seg(&pcb, true, &seq, &len));
	/* one segment sent after it arrives, too early for the time rule: still outstanding */
	sack(&pcb, 2000, 2100);
	CU_ASSERT_EQUAL(tcp_sack_rxt_check(tl, &pcb), 0);
	/* 5/4 SRTT later it is lost */
	ursa_clock_advance(&tl->clock, 12500 * URSA_NS_PER_US);
	CU_ASSERT_EQUAL(tcp_sack_rxt_check(tl, &pcb), 1);
	CU_ASSERT_EQUAL(pcb.nrxt, 0);
	CU_ASSERT_EQUAL(ursa_test_counter(tl, "tcp", "rxt_lost"), 1);
	CU_ASSERT_TRUE(tcp_sack_next_seg(&pcb, true, &seq, &len));
	CU_ASSERT_EQUAL(seq, 1000);
	CU_ASSERT_EQUAL(len, 100);
	/* by count: DupThresh segments sent after it SACKed declare it lost at once */
	CU_ASSERT_TRUE(tcp_sack_rxt_note(&pcb, 1000, 100, ursa_now(tl)));
	CU_ASSERT_EQUAL(pcb.rxt[0].mark, 2400);
	pcb.snd_nxt = pcb.snd_max = 2800;
	sack(&pcb, 2400, 2600);
	CU_ASSERT_EQUAL(tcp_sack_rxt_check(tl, &pcb), 0);
	sack(&pcb, 2600, 2700);
	CU_ASSERT_EQUAL(tcp_sack_rxt_check(tl, &pcb), 1);
	/* a retransmission that arrives (SACKed or acknowledged) leaves the table */
	CU_ASSERT_TRUE(tcp_sack_rxt_note(&pcb, 1000, 100, ursa_now(tl)));
	CU_ASSERT_TRUE(tcp_sack_rxt_note(&pcb, 2100, 100, ursa_now(tl)));
	sack(&pcb, 2100, 2200);
	CU_ASSERT_EQUAL(tcp_sack_rxt_check(tl, &pcb), 0);
	CU_ASSERT_EQUAL(pcb.nrxt, 1);
	pcb.snd_una = 1100;
	CU_ASSERT_EQUAL(tcp_sack_rxt_check(tl, &pcb), 0);
	CU_ASSERT_EQUAL(pcb.nrxt, 0);
	/* the table is bounded */
	for (unsigned i = 0; i < TCP_RXT_MAX; i++)
		CU_ASSERT_TRUE(tcp_sack_rxt_note(&pcb, 2200, 100, 0));
	CU_ASSERT_TRUE(tcp_sack_rxt_full(&pcb));
	CU_ASSERT_FALSE(tcp_sack_rxt_note(&pcb, 2300, 100, 0));
	tcp_sack_rxt_clear(&pcb);
	CU_ASSERT_EQUAL(pcb.nrxt, 0);
	ursa_lcore_destroy(tl);
}

/* After an RTO (RFC 6675 §5.1) every unSACKed byte sent before it is lost and the SACKed
 * ones are not sent again; the search for holes goes up to the RTO's snd_max. */
static void test_sack_after_rto(void)
{
	struct ursa_tcp_pcb pcb;
	uint32_t seq, len;

	sb_pcb(&pcb);
	sack(&pcb, 1100, 1200);
	CU_ASSERT_FALSE(tcp_sack_is_lost(&pcb, 1000));
	CU_ASSERT_FALSE(tcp_sack_next_seg(&pcb, true, &seq, &len));
	pcb.rto_lost = true;
	pcb.lost_below = 2000;
	CU_ASSERT_TRUE(tcp_sack_is_lost(&pcb, 1000));
	CU_ASSERT_TRUE(tcp_sack_is_lost(&pcb, 1999));
	CU_ASSERT_EQUAL(tcp_sack_pipe(&pcb), 0);
	CU_ASSERT_TRUE(tcp_sack_next_seg(&pcb, true, &seq, &len));
	CU_ASSERT_EQUAL(seq, 1000);
	CU_ASSERT_EQUAL(len, 100);
	CU_ASSERT_TRUE(tcp_sack_rxt_note(&pcb, 1000, 100, 0));
	CU_ASSERT_EQUAL(tcp_sack_pipe(&pcb), 100);
	CU_ASSERT_TRUE(tcp_sack_next_seg(&pcb, true, &seq, &len));
	CU_ASSERT_EQUAL(seq, 1200); /* 1100 was SACKed */
	/* beyond the highest SACK, up to lost_below */
	CU_ASSERT_TRUE(tcp_sack_rxt_note(&pcb, 1200, 700, 0));
	CU_ASSERT_TRUE(tcp_sack_next_seg(&pcb, true, &seq, &len));
	CU_ASSERT_EQUAL(seq, 1900);
	CU_ASSERT_EQUAL(len, 100);
	/* data sent after the RTO is not lost by that rule */
	pcb.snd_max = 2100;
	CU_ASSERT_FALSE(tcp_sack_is_lost(&pcb, 2000));
	/* never past the data into the FIN */
	tcp_sack_rxt_clear(&pcb);
	pcb.fin_sent = true;
	pcb.sndq.len = 500; /* data ends at 1500, FIN at 1500 */
	CU_ASSERT_TRUE(tcp_sack_rxt_note(&pcb, 1200, 300, 0));
	CU_ASSERT_TRUE(tcp_sack_rxt_note(&pcb, 1000, 100, 0));
	CU_ASSERT_FALSE(tcp_sack_next_seg(&pcb, true, &seq, &len));
}

/* D-SACK (RFC 2883): the sender recognises the block, and when every retransmission of a
 * fast recovery comes back as a duplicate it undoes the reduction and raises DupThresh; the
 * receiver reports a duplicate first in its next ACK. A hole filled without a retransmission
 * below SACKed data raises DupThresh too. */
static void test_sack_dsack_undo(void)
{
	struct ursa_lcore *tl = ursa_test_lcore(6);
	struct ursa_tcp_pcb pcb;
	struct tcp_opts o;
	struct tcp_sack_block d;
	uint8_t opt[40];
	unsigned n;

	CU_ASSERT_FATAL(tl != NULL);
	CU_ASSERT_FATAL(ursa_eth_init(tl) == 0);
	CU_ASSERT_FATAL(ursa_arp_init(tl) == 0);
	CU_ASSERT_FATAL(ursa_ip_init(tl) == 0);
	CU_ASSERT_FATAL(ursa_tcp_init(tl) == 0);
	sb_pcb(&pcb);
	/* recognising D-SACK blocks */
	memset(&o, 0, sizeof(o));
	o.present = TCP_OPT_F_SACK;
	o.nsack = 1;
	o.sack[0].start = 900;
	o.sack[0].end = 1000; /* below snd_una */
	CU_ASSERT_TRUE(tcp_sack_dsack(&pcb, &o, &d));
	CU_ASSERT_EQUAL(d.start, 900);
	o.sack[0].start = 1200;
	o.sack[0].end = 1300;
	CU_ASSERT_FALSE(tcp_sack_dsack(&pcb, &o, &d)); /* an ordinary block */
	o.nsack = 2;
	o.sack[1].start = 1100;
	o.sack[1].end = 1400;
	CU_ASSERT_TRUE(tcp_sack_dsack(&pcb, &o, &d)); /* inside the second block */
	o.sack[1].start = 1250;
	CU_ASSERT_FALSE(tcp_sack_dsack(&pcb, &o, &d));
	o.present = 0;
	CU_ASSERT_FALSE(tcp_sack_dsack(&pcb, &o, &d));

	/* a recovery entered with three segments SACKed above snd_una retransmits two */
	sack(&pcb, 1100, 1400);
	pcb.cc.cwnd = 10000;
	pcb.cc.ssthresh = 20000;
	tcp_sack_undo_arm(&pcb);
	CU_ASSERT_TRUE(pcb.undo_valid);
	CU_ASSERT_EQUAL(pcb.undo_degree, 3);
	pcb.cc.cwnd = pcb.cc.ssthresh = 7000;
	pcb.in_recovery = true;
	pcb.recover = 2000;
	pcb.undo_retrans = 2; /* as after_send counts them */
	CU_ASSERT_EQUAL(tcp_rset_add(&pcb.undo_set, 1000, 1100), 0);
	CU_ASSERT_EQUAL(tcp_rset_add(&pcb.undo_set, 1500, 1600), 0);
	/* a duplicate of something not retransmitted (the network's copy) changes nothing */
	d.start = 1700;
	d.end = 1800;
	CU_ASSERT_FALSE(tcp_sack_undo_dsack(tl, &pcb, &d));
	CU_ASSERT_EQUAL(pcb.undo_retrans, 2);
	d.start = 1000;
	d.end = 1100;
	CU_ASSERT_FALSE(tcp_sack_undo_dsack(tl, &pcb, &d)); /* one of two */
	CU_ASSERT_EQUAL(pcb.cc.cwnd, 7000);
	d.start = 1500;
	d.end = 1600;
	CU_ASSERT_TRUE(tcp_sack_undo_dsack(tl, &pcb, &d));
	CU_ASSERT_EQUAL(pcb.cc.cwnd, 10000);
	CU_ASSERT_EQUAL(pcb.cc.ssthresh, 20000);
	CU_ASSERT_FALSE(pcb.in_recovery);
	CU_ASSERT_EQUAL(pcb.recover, pcb.snd_una);
	CU_ASSERT_EQUAL(tcp_dupthresh(&pcb), 4);
	CU_ASSERT_FALSE(pcb.undo_valid);
	CU_ASSERT_FALSE(tcp_sack_undo_dsack(tl, &pcb, &d)); /* once */
	CU_ASSERT_EQUAL(ursa_test_counter(tl, "tcp", "dsack_rx"), 4);
	CU_ASSERT_EQUAL(ursa_test_counter(tl, "tcp", "spurious_undo"), 1);

	/* reordering seen on a cumulative ACK: the hole 1000..1100 was never resent and
	 * five segments were SACKed above it */
	sb_pcb(&pcb);
	sack(&pcb, 1100, 1600);
	CU_ASSERT_EQUAL(tcp_sack_reorder_check(tl, &pcb, 1600), 5);
	CU_ASSERT_EQUAL(tcp_dupthresh(&pcb), 6);
	/* the same after a retransmission of the hole says nothing */
	sb_pcb(&pcb);
	sack(&pcb, 1100, 1600);
	pcb.high_rxt = 1100;
	CU_ASSERT_EQUAL(tcp_sack_reorder_check(tl, &pcb, 1600), 0);
	/* a hole that stays open says nothing either; DupThresh is bounded */
	pcb.high_rxt = 1000;
	CU_ASSERT_EQUAL(tcp_sack_reorder_check(tl, &pcb, 1000), 0);
	pcb.snd_mss = 10;
	CU_ASSERT_EQUAL(tcp_sack_reorder_check(tl, &pcb, 1600), 50);
	CU_ASSERT_EQUAL(tcp_dupthresh(&pcb), TCP_DUPTHRESH_MAX);
	CU_ASSERT_EQUAL(ursa_test_counter(tl, "tcp", "reorder_seen"), 2);

	/* the receiver: a D-SACK block goes first, once, before the out-of-order ranges */
	memset(&pcb, 0, sizeof(pcb));
	pcb.sack_ok = true;
	CU_ASSERT_EQUAL(tcp_rset_add(&pcb.ooo, 5000, 6000), 0);
	pcb.ooo_last = 5000;
	pcb.dsack_pending = true;
	pcb.dsack.start = 3000;
	pcb.dsack.end = 3100;
	n = tcp_opt_write(tl, &pcb, TH_ACK, opt);
	CU_ASSERT_EQUAL(n, 20);
	CU_ASSERT_EQUAL(opt[2], TCPOPT_SACK);
	CU_ASSERT_EQUAL(opt[3], 18);
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(*(unaligned_uint32_t *)&opt[4]), 3000);
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(*(unaligned_uint32_t *)&opt[8]), 3100);
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(*(unaligned_uint32_t *)&opt[12]), 5000);
	CU_ASSERT_FALSE(pcb.dsack_pending);
	CU_ASSERT_EQUAL(tcp_opt_write(tl, &pcb, TH_ACK, opt), 12);
	/* with nothing out of order, a lone D-SACK block */
	tcp_rset_clear(&pcb.ooo);
	pcb.dsack_pending = true;
	CU_ASSERT_EQUAL(tcp_opt_write(tl, &pcb, TH_ACK, opt), 12);
	CU_ASSERT_EQUAL(opt[3], 10);
	CU_ASSERT_EQUAL(tcp_opt_write(tl, &pcb, TH_ACK, opt), 0);
	CU_ASSERT_EQUAL(ursa_test_counter(tl, "tcp", "dsack_tx"), 2);
	ursa_lcore_destroy(tl);
}

static void test_sack_receiver_blocks(void)
{
	struct ursa_tcp_pcb pcb;
	struct tcp_sack_block b[4];

	memset(&pcb, 0, sizeof(pcb));
	for (uint32_t i = 0; i < 5; i++)
		tcp_rset_add(&pcb.ooo, 100 * i + 10, 100 * i + 20);
	pcb.ooo_last = 215;
	CU_ASSERT_EQUAL(tcp_sack_blocks(&pcb, b, 3), 3);
	CU_ASSERT_EQUAL(b[0].start, 210); /* the most recent first (RFC 2018 §4) */
	CU_ASSERT_EQUAL(b[1].start, 10);
	CU_ASSERT_EQUAL(b[2].start, 110);
}

/* ---- congestion control ---- */

static void test_initial_window(void)
{
	CU_ASSERT_EQUAL(tcp_cc_initial_window(1460), 14600);
	CU_ASSERT_EQUAL(tcp_cc_initial_window(1000), 10000);
	CU_ASSERT_EQUAL(tcp_cc_initial_window(4000), 14600);
	CU_ASSERT_EQUAL(tcp_cc_initial_window(9000), 18000);
}

static void test_newreno(void)
{
	const struct ursa_tcp_cc_ops *o = &ursa_tcp_cc_newreno;
	struct ursa_tcp_cc cc = {.smss = 1000};
	struct ursa_tcp_cc_ack a = {.acked = 1000, .now_ns = 1};

	o->init(&cc, 0);
	CU_ASSERT_EQUAL(cc.cwnd, 10000);
	o->ack(&cc, &a);
	CU_ASSERT_EQUAL(cc.cwnd, 11000);
	a.acked = 3000; /* slow start grows by at most one SMSS per ACK */
	o->ack(&cc, &a);
	CU_ASSERT_EQUAL(cc.cwnd, 12000);
	o->loss(&cc, 20000, 0);
	CU_ASSERT_EQUAL(cc.ssthresh, 10000);
	CU_ASSERT_EQUAL(cc.cwnd, 10000);
	/* congestion avoidance: one SMSS per cwnd of acknowledged bytes */
	a.acked = 1000;
	for (int i = 0; i < 9; i++)
		o->ack(&cc, &a);
	CU_ASSERT_EQUAL(cc.cwnd, 10000);
	o->ack(&cc, &a);
	CU_ASSERT_EQUAL(cc.cwnd, 11000);
	o->rto(&cc, 3000, 0);
	CU_ASSERT_EQUAL(cc.ssthresh, 2000); /* max(FlightSize/2, 2 SMSS) */
	o->loss(&cc, 100000, 0);
	CU_ASSERT_EQUAL(cc.ssthresh, 50000);
}

/* Feed one RTT worth of ACKs (one per segment) at time t; returns the new cwnd. */
static uint32_t cubic_rtt(const struct ursa_tcp_cc_ops *o, struct ursa_tcp_cc *cc, uint64_t t_ns,
			  uint32_t rtt_us)
{
	uint32_t segs = cc->cwnd / cc->smss;
	struct ursa_tcp_cc_ack a = {.acked = cc->smss, .now_ns = t_ns, .srtt_us = rtt_us};

	for (uint32_t i = 0; i < segs; i++)
		o->ack(cc, &a);
	return cc->cwnd;
}

static void test_cubic_formula(void)
{
	const struct ursa_tcp_cc_ops *o = &ursa_tcp_cc_cubic;
	struct ursa_tcp_cc cc = {.smss = 1000};
	double k;
	uint64_t t0 = 10 * URSA_NS_PER_S, t;

	/* The formulas themselves: K = cbrt(W_max (1 - beta) / C) when cwnd_epoch = beta W_max */
	k = tcp_cubic_k(100, 70);
	CU_ASSERT_DOUBLE_EQUAL(k, cbrt(75.0), 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(tcp_cubic_w(k, k, 100), 100.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(tcp_cubic_w(0, k, 100), 70.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(tcp_cubic_w(k + 2, k, 100), 100 + 0.4 * 8, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(tcp_cubic_k(50, 60), 0.0, 1e-12);

	o->init(&cc, 0);
	cc.cwnd = 100000; /* 100 segments */
	cc.ssthresh = 50000;
	o->loss(&cc, 100000, t0);
	CU_ASSERT_EQUAL(cc.cwnd, 70000); /* beta = 0.7 */
	CU_ASSERT_EQUAL(cc.ssthresh, 70000);
	/* Drive ACKs every 100 ms for 8 s; compare with W_cubic(t + RTT) (clamped growth). */
	for (t = t0; t < t0 + 8 * URSA_NS_PER_S; t += 100 * URSA_NS_PER_MS) {
		double ts = (double)(t - t0) / 1e9;
		double expect = tcp_cubic_w(ts + 0.1, k, 100);
		uint32_t w = cubic_rtt(o, &cc, t, 100000);

		if (getenv("CUBIC_TRACE"))
			printf("t=%.1f w=%.2f expect=%.2f\n", ts, w / 1000.0, expect);

		if (expect < 70)
			expect = 70;
		/* After the first RTT of the epoch the window tracks the target within 1.5
		 * segments. From about 5.8 s W_est (alpha = 0.529 per RTT from 70) passes
		 * W_max = 100 and grows by one segment per RTT (§4.3): the Reno-friendly
		 * region, where the window is above the cubic curve. */
		if (ts >= 0.1)
			CU_ASSERT(w / 1000.0 >= expect - 1.5);
		if (ts < 5.7)
			CU_ASSERT(w / 1000.0 <= expect + 1.5);
		if (ts >= 6.0)
			CU_ASSERT(w / 1000.0 >= expect);
	}
	/* Deterministic: the window at 8 s, in the Reno-friendly region. */
	CU_ASSERT(fabs(cc.cwnd / 1000.0 - 122.58) < 0.1);
}

static void test_cubic_fast_convergence(void)
{
	const struct ursa_tcp_cc_ops *o = &ursa_tcp_cc_cubic;
	struct ursa_tcp_cc cc = {.smss = 1000};
	struct ursa_tcp_cc_ack a = {.acked = 1000, .now_ns = URSA_NS_PER_S, .srtt_us = 100000};

	o->init(&cc, 0);
	cc.cwnd = 100000;
	cc.ssthresh = 1;
	o->loss(&cc, 0, 0);
	CU_ASSERT_DOUBLE_EQUAL(cc.priv.d[0], 100.0, 1e-9); /* W_max */
	/* a second loss below W_max: W_max = cwnd (1 + beta) / 2 (RFC 9438 §4.7) */
	o->ack(&cc, &a);
	CU_ASSERT(cc.cwnd < 100000);
	cc.cwnd = 80000;
	o->loss(&cc, 0, 0);
	CU_ASSERT_DOUBLE_EQUAL(cc.priv.d[0], 80.0 * 1.7 / 2.0, 1e-9);
	CU_ASSERT_EQUAL(cc.cwnd, 56000);
	/* an RTO sets ssthresh the same way; the floor is 2 segments */
	cc.cwnd = 2000;
	o->rto(&cc, 0, 0);
	CU_ASSERT_EQUAL(cc.ssthresh, 2000);
}

static void test_cubic_reno_friendly(void)
{
	const struct ursa_tcp_cc_ops *o = &ursa_tcp_cc_cubic;
	struct ursa_tcp_cc cc = {.smss = 1000};
	uint64_t t0 = URSA_NS_PER_S, t;
	double k;

	/* Small W_max and a short RTT: W_est (alpha = 3 (1 - beta) / (1 + beta) segments per
	 * RTT) overtakes the flat part of the cubic curve. */
	o->init(&cc, 0);
	cc.cwnd = 10000;
	o->loss(&cc, 0, t0);
	CU_ASSERT_EQUAL(cc.cwnd, 7000);
	k = tcp_cubic_k(10, 7);
	for (t = t0; t < t0 + 4 * URSA_NS_PER_S; t += 10 * URSA_NS_PER_MS)
		cubic_rtt(o, &cc, t, 10000);
	/* 400 RTTs: W_est = 7 + 0.529 * (acked/cwnd) ... well above the cubic curve at 4 s */
	CU_ASSERT(cc.cwnd / 1000.0 > tcp_cubic_w(4.0, k, 10) + 5);
	/* and slow start below ssthresh adds one SMSS per ACK */
	o->init(&cc, 0);
	{
		struct ursa_tcp_cc_ack a = {.acked = 500, .now_ns = 1};

		o->ack(&cc, &a);
		CU_ASSERT_EQUAL(cc.cwnd, 10500);
	}
}

static void test_cc_registry(void)
{
	struct ursa_lcore *l2 = ursa_test_lcore(9);
	struct ursa_tcp_cc_ops bad = ursa_tcp_cc_newreno;
	struct ursa_tcp_conf c;

	CU_ASSERT_FATAL(l2 != NULL);
	CU_ASSERT_EQUAL(ursa_tcp_cc_register(l2, &ursa_tcp_cc_newreno), -EINVAL); /* no tcp */
	CU_ASSERT_FATAL(ursa_eth_init(l2) == 0);
	CU_ASSERT_FATAL(ursa_arp_init(l2) == 0);
	CU_ASSERT_FATAL(ursa_ip_init(l2) == 0);
	CU_ASSERT_FATAL(ursa_tcp_init(l2) == 0);
	CU_ASSERT_EQUAL(ursa_tcp_init(l2), -EEXIST);
	CU_ASSERT_PTR_EQUAL(ursa_tcp_cc_find(l2, "cubic"), &ursa_tcp_cc_cubic);
	CU_ASSERT_PTR_EQUAL(ursa_tcp_cc_find(l2, "newreno"), &ursa_tcp_cc_newreno);
	CU_ASSERT_PTR_NULL(ursa_tcp_cc_find(l2, "bbr"));
	CU_ASSERT_EQUAL(ursa_tcp_cc_register(l2, &ursa_tcp_cc_cubic), -EEXIST);
	bad.name = "broken";
	bad.rto = NULL;
	CU_ASSERT_EQUAL(ursa_tcp_cc_register(l2, &bad), -EINVAL);
	ursa_tcp_conf_default(&c);
	CU_ASSERT_STRING_EQUAL(c.cc, "cubic");
	CU_ASSERT_EQUAL(ursa_tcp_set_conf(l2, &c), 0);
	snprintf(c.cc, sizeof(c.cc), "bbr");
	CU_ASSERT_EQUAL(ursa_tcp_set_conf(l2, &c), -EINVAL);
	ursa_tcp_conf_default(&c);
	c.rto_min_ms = 200000;
	CU_ASSERT_EQUAL(ursa_tcp_set_conf(l2, &c), -EINVAL);
	ursa_tcp_conf_default(&c);
	c.msl_ms = 0;
	CU_ASSERT_EQUAL(ursa_tcp_set_conf(l2, &c), -EINVAL);
	CU_ASSERT_EQUAL(ursa_tcp_get_conf(l2)->msl_ms, 60000);
	CU_ASSERT_STRING_EQUAL(ursa_tcp_state_name(URSA_TCP_TIME_WAIT), "TIME_WAIT");
	CU_ASSERT_STRING_EQUAL(ursa_tcp_state_name(URSA_TCP_STATE_MAX), "?");
	ursa_lcore_destroy(l2);
}

/* ---- secrets ---- */

static struct ursa_lcore *tcp_lcore(struct ursa_lcore *l)
{
	CU_ASSERT_FATAL(l != NULL);
	CU_ASSERT_FATAL(ursa_eth_init(l) == 0 && ursa_arp_init(l) == 0);
	CU_ASSERT_FATAL(ursa_ip_init(l) == 0 && ursa_tcp_init(l) == 0);
	return l;
}

/* The ISN of one 4-tuple at one instant: two stacks without a seed disagree (their ISN
 * keys come from the kernel), two with one seed agree (replay). */
static void test_isn_secret(void)
{
	struct ursa_lcore *u1 = tcp_lcore(ursa_test_lcore_unseeded());
	struct ursa_lcore *u2 = tcp_lcore(ursa_test_lcore_unseeded());
	struct ursa_lcore *s1 = tcp_lcore(ursa_test_lcore(12));
	struct ursa_lcore *s2 = tcp_lcore(ursa_test_lcore(12));
	struct ursa_tcp_pcb pcb;
	unsigned same = 0;

	memset(&pcb, 0, sizeof(pcb));
	pcb.family = AF_INET;
	pcb.laddr = ursa_test_ip("192.0.2.1");
	pcb.faddr = ursa_test_ip("192.0.2.2");
	pcb.fport = 443;
	for (uint16_t port = 40000; port < 40016; port++) {
		pcb.lport = port;
		same += tcp_isn(u1, &pcb) == tcp_isn(u2, &pcb);
		CU_ASSERT_EQUAL(tcp_isn(s1, &pcb), tcp_isn(s2, &pcb));
	}
	CU_ASSERT(same <= 1);
	CU_ASSERT(memcmp(u1->tcp->secret, u2->tcp->secret, sizeof(u1->tcp->secret)) != 0);
	CU_ASSERT(memcmp(s1->tcp->secret, s2->tcp->secret, sizeof(s1->tcp->secret)) == 0);
	ursa_lcore_destroy(u1);
	ursa_lcore_destroy(u2);
	ursa_lcore_destroy(s1);
	ursa_lcore_destroy(s2);
}

int main(void)
{
	CU_pSuite s = ursa_test_suite("tcp_unit", setup, teardown);

	CU_add_test(s, "seq_wrap", test_seq_wrap);
	CU_add_test(s, "siphash_vectors", test_siphash_vectors);
	CU_add_test(s, "opt_linux_syn", test_opt_linux_syn);
	CU_add_test(s, "opt_hook_register", test_opt_hook_register);
	CU_add_test(s, "opt_hook_parse", test_opt_hook_parse);
	CU_add_test(s, "opt_malformed", test_opt_malformed);
	CU_add_test(s, "opt_sack_blocks", test_opt_sack_blocks);
	CU_add_test(s, "opt_write", test_opt_write);
	CU_add_test(s, "rset", test_rset);
	CU_add_test(s, "reass_wrap_overlap", test_reass_wrap_overlap);
	CU_add_test(s, "reass_ring_wrap_and_bound", test_reass_ring_wrap_and_bound);
	CU_add_test(s, "reass_chained_mbuf", test_reass_chained_mbuf);
	CU_add_test(s, "rto_samples", test_rto_samples);
	CU_add_test(s, "rto_backoff", test_rto_backoff);
	CU_add_test(s, "sack_scoreboard", test_sack_scoreboard);
	CU_add_test(s, "sack_lost_retransmission", test_sack_lost_retransmission);
	CU_add_test(s, "sack_after_rto", test_sack_after_rto);
	CU_add_test(s, "sack_dsack_undo", test_sack_dsack_undo);
	CU_add_test(s, "sack_receiver_blocks", test_sack_receiver_blocks);
	CU_add_test(s, "initial_window", test_initial_window);
	CU_add_test(s, "newreno", test_newreno);
	CU_add_test(s, "cubic_formula", test_cubic_formula);
	CU_add_test(s, "cubic_fast_convergence", test_cubic_fast_convergence);
	CU_add_test(s, "cubic_reno_friendly", test_cubic_reno_friendly);
	CU_add_test(s, "cc_registry", test_cc_registry);
	CU_add_test(s, "isn_secret", test_isn_secret);
	return ursa_test_main();
}
