/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the RoCE wire layer: header sizes and 24-bit accessors, the opcode table,
 * PSN arithmetic across the wrap, and the ICRC against rocev2.md §2.5's vectors, every
 * RoCEv2 packet of the kernel-rxe fixture captures, and an IPv6 round trip.
 */
#include <string.h>
#include <sys/socket.h>

#include <rte_ip.h>
#include <rte_udp.h>

#include "roce_priv.h"
#include "roce_test_util.h"

static struct ursa_lcore *lc;

static int setup(void)
{
	lc = ursa_test_lcore(7);
	return lc == NULL;
}

static int teardown(void)
{
	ursa_lcore_destroy(lc);
	return 0;
}

/* ---- headers ---- */

static void test_accessors(void)
{
	uint8_t b[3];
	struct roce_bth bth;

	roce_put24(b, 0xabcdef);
	CU_ASSERT_EQUAL(b[0], 0xab);
	CU_ASSERT_EQUAL(b[1], 0xcd);
	CU_ASSERT_EQUAL(b[2], 0xef);
	CU_ASSERT_EQUAL(roce_get24(b), 0xabcdef);
	roce_bth_set(&bth, ROCE_OP_SEND_ONLY, 1, 3, 0xffff, 0x123456, 1, 0xfedcba);
	CU_ASSERT_EQUAL(bth.opcode, 0x04);
	CU_ASSERT_EQUAL(bth.flags, 0x80 | 0x30);
	CU_ASSERT_EQUAL(roce_bth_pad(&bth), 3);
	CU_ASSERT_EQUAL(roce_bth_tver(&bth), 0);
	CU_ASSERT_EQUAL(roce_bth_qpn(&bth), 0x123456);
	CU_ASSERT_EQUAL(roce_bth_psn(&bth), 0xfedcba);
	CU_ASSERT_EQUAL(roce_bth_pkey(&bth), 0xffff);
	CU_ASSERT(roce_bth_ackreq(&bth));
	CU_ASSERT_EQUAL(((uint8_t *)&bth)[8], 0x80);
	CU_ASSERT_EQUAL(((uint8_t *)&bth)[4], 0);
}

/* ---- opcode table ---- */

static void test_opcode_table(void)
{
	static const struct {
		uint8_t op;
		uint8_t len;
		uint8_t pay_off;
	} known[] = {
		{0x00, 12, 12}, {0x01, 12, 12}, {0x02, 12, 12}, {0x03, 16, 16}, {0x04, 12, 12},
		{0x05, 16, 16}, {0x06, 28, 28}, {0x07, 12, 12}, {0x08, 12, 12}, {0x09, 16, 16},
		{0x0a, 28, 28}, {0x0b, 32, 32}, {0x0c, 28, 28}, {0x0d, 16, 16}, {0x0e, 12, 12},
		{0x0f, 16, 16}, {0x10, 16, 16}, {0x11, 16, 16}, {0x12, 24, 24}, {0x13, 40, 40},
		{0x14, 40, 40}, {0x16, 16, 16}, {0x17, 16, 16},
	};
	unsigned defined = 0;

	for (unsigned i = 0; i < RTE_DIM(known); i++) {
		const struct roce_opinfo *o = roce_opinfo(known[i].op);

		CU_ASSERT_FATAL(o != NULL);
		CU_ASSERT_EQUAL(o->length, known[i].len);
		CU_ASSERT_EQUAL(o->off[ROCE_H_PAYLOAD], known[i].pay_off);
	}
	for (unsigned op = 0; op < 256; op++) {
		const struct roce_opinfo *o = roce_opinfo((uint8_t)op);
		unsigned sum = sizeof(struct roce_bth);

		if (o == NULL)
			continue;
		defined++;
		/* exactly one direction */
		CU_ASSERT(!!(o->mask & ROCE_M_REQ) != !!(o->mask & ROCE_M_RESP));
		/* offsets agree with the presence bits and the order of IBTA 9.2 */
		if (o->mask & ROCE_M_RETH) {
			CU_ASSERT_EQUAL(o->off[ROCE_H_RETH], sum);
			sum += sizeof(struct roce_reth);
		}
		if (o->mask & ROCE_M_ATMETH) {
			CU_ASSERT_EQUAL(o->off[ROCE_H_ATMETH], sum);
			sum += sizeof(struct roce_atmeth);
		}
		if (o->mask & ROCE_M_AETH) {
			CU_ASSERT_EQUAL(o->off[ROCE_H_AETH], sum);
			sum += sizeof(struct roce_aeth);
		}
		if (o->mask & ROCE_M_ATMACK) {
			CU_ASSERT_EQUAL(o->off[ROCE_H_ATMACK], sum);
			sum += sizeof(struct roce_atmack);
		}
		if (o->mask & ROCE_M_IMMDT) {
			CU_ASSERT_EQUAL(o->off[ROCE_H_IMMDT], sum);
			sum += 4;
		}
		if (o->mask & ROCE_M_IETH) {
			CU_ASSERT_EQUAL(o->off[ROCE_H_IETH], sum);
			sum += 4;
		}
		CU_ASSERT_EQUAL(o->length, sum);
		/* at most one first-level extension */
		CU_ASSERT(__builtin_popcount(o->mask &
					     (ROCE_M_RETH | ROCE_M_ATMETH | ROCE_M_AETH)) <= 1);
		/* IMM <=> ImmDt, INV <=> IETH */
		CU_ASSERT_EQUAL(!!(o->mask & ROCE_M_IMM), !!(o->mask & ROCE_M_IMMDT));
		CU_ASSERT_EQUAL(!!(o->mask & ROCE_M_INV), !!(o->mask & ROCE_M_IETH));
		/* a position: first, middle, last or only */
		CU_ASSERT((o->mask & (ROCE_M_FIRST | ROCE_M_MIDDLE | ROCE_M_LAST)) != 0);
		CU_ASSERT(!((o->mask & ROCE_M_MIDDLE) && (o->mask & (ROCE_M_FIRST | ROCE_M_LAST))));
		/* a request has exactly one of SEND/WRITE/READ/ATOMIC */
		if (o->mask & ROCE_M_REQ)
			CU_ASSERT_EQUAL(__builtin_popcount(o->mask & (ROCE_M_SEND | ROCE_M_WRITE |
								      ROCE_M_READ | ROCE_M_ATOMIC)),
					1);
		/* the name says what the table says */
		if (o->mask & ROCE_M_SEND)
			CU_ASSERT(strncmp(o->name, "SEND", 4) == 0);
		if (o->mask & ROCE_M_WRITE)
			CU_ASSERT(strncmp(o->name, "RDMA_WRITE", 10) == 0);
		CU_ASSERT_EQUAL(!!(o->mask & ROCE_M_RQWQE),
				!!(o->mask & ROCE_M_SEND) ||
					((o->mask & ROCE_M_WRITE) && (o->mask & ROCE_M_IMM)));
	}
	CU_ASSERT_EQUAL(defined, 23);
	CU_ASSERT(roce_opinfo(0x15) == NULL);
	CU_ASSERT(roce_opinfo(0x18) == NULL);
	CU_ASSERT(roce_opinfo(0x24) == NULL); /* UC: not an RC opcode */
	CU_ASSERT(roce_opinfo(0x64) == NULL); /* UD */
	CU_ASSERT(roce_opinfo(0x81) == NULL); /* CNP */
	CU_ASSERT(roce_opinfo(0xff) == NULL);
	CU_ASSERT_STRING_EQUAL(roce_opinfo(ROCE_OP_WRITE_ONLY_IMM)->name,
			       "RDMA_WRITE_ONLY_WITH_IMMEDIATE");
	CU_ASSERT_EQUAL(roce_opinfo(ROCE_OP_WRITE_ONLY_IMM)->off[ROCE_H_IMMDT], 28);
	CU_ASSERT_EQUAL(roce_opinfo(ROCE_OP_ATOMIC_ACK)->off[ROCE_H_ATMACK], 16);
}

/* ---- PSN ---- */

static void test_psn_wrap(void)
{
	CU_ASSERT_EQUAL(roce_psn_add(0xffffff, 1), 0);
	CU_ASSERT_EQUAL(roce_psn_add(0xfffffe, 5), 3);
	CU_ASSERT_EQUAL(roce_psn_sub(0, 1), 0xffffff);
	CU_ASSERT_EQUAL(roce_psn_sub(2, 5), 0xfffffd);
	CU_ASSERT(roce_psn_cmp(0, 0xffffff) > 0);
	CU_ASSERT(roce_psn_cmp(0xffffff, 0) < 0);
	CU_ASSERT_EQUAL(roce_psn_cmp(0x123456, 0x123456), 0);
	CU_ASSERT_EQUAL(roce_psn_cmp(5, 3), 2);
	CU_ASSERT_EQUAL(roce_psn_cmp(3, 5), -2);
	CU_ASSERT_EQUAL(roce_psn_cmp(1, 0xffffff), 2);
	CU_ASSERT(roce_psn_before(0xfffff0, 0x10));
	CU_ASSERT(roce_psn_after(0x10, 0xfffff0));
	/* the window is +-2^23 */
	CU_ASSERT(roce_psn_cmp(0x7fffff, 0) > 0);
	CU_ASSERT(roce_psn_cmp(0x800001, 0) < 0);
	CU_ASSERT_EQUAL(roce_psn_dist(0xfffffe, 1), 3);
	CU_ASSERT_EQUAL(roce_psn_dist(7, 7), 0);
	/* upper bits are ignored */
	CU_ASSERT_EQUAL(roce_psn_cmp(0x01000005, 5), 0);
	for (uint32_t base = 0xfffff0; base != 0x10; base = roce_psn_add(base, 1)) {
		CU_ASSERT(roce_psn_after(roce_psn_add(base, 100), base));
		CU_ASSERT_EQUAL(roce_psn_dist(base, roce_psn_add(base, 100)), 100);
	}
}

/* ---- ICRC ---- */

/* hex is an IP packet with its ICRC at the end: check calc, check, and the wire order. */
static void icrc_vector(const char *hex, uint32_t expect_le)
{
	struct rte_mbuf *m = ursa_test_mbuf_hex(lc, hex);
	const uint8_t *p;
	unsigned iplen;
	uint32_t len;

	CU_ASSERT_FATAL(m != NULL);
	p = rte_pktmbuf_mtod(m, const uint8_t *);
	iplen = (p[0] >> 4) == 6 ? 40 : 20;
	len = rte_pktmbuf_pkt_len(m) - iplen - 8;
	CU_ASSERT_EQUAL(roce_icrc_calc(p, m, iplen + 8, len - 4), expect_le);
	CU_ASSERT(roce_icrc_check(p, m, iplen + 8, len));
	/* any covered byte flipped fails; masked ones do not */
	rte_pktmbuf_mtod(m, uint8_t *)[iplen + 8 + 5] ^= 0x01; /* DestQP */
	CU_ASSERT(!roce_icrc_check(p, m, iplen + 8, len));
	rte_pktmbuf_mtod(m, uint8_t *)[iplen + 8 + 5] ^= 0x01;
	rte_pktmbuf_mtod(m, uint8_t *)[iplen + 8 + 4] ^= 0xc0; /* FECN/BECN: masked */
	CU_ASSERT(roce_icrc_check(p, m, iplen + 8, len));
	rte_pktmbuf_mtod(m, uint8_t *)[iplen + 6] ^= 0x55; /* UDP checksum: masked */
	CU_ASSERT(roce_icrc_check(p, m, iplen + 8, len));
	rte_pktmbuf_free(m);
}

static void test_icrc_vectors(void)
{
	/* rocev2.md §2.5 item 4: RC SEND_ONLY "ping" -> 1f 3c e4 22 */
	icrc_vector("4500003000004000401126bb0a0000010a000002"
		    "c00112b7001c0000"
		    "0400ffff000000118000000170696e67"
		    "1f3ce422",
		    0x22e43c1f);
	/* §2.5 item 2: ConnectX-4 Lx CNP -> 82 fd 00 2a */
	icrc_vector("45c2003c718c4000401191610a0011010a001201"
		    "000012b700280000"
		    "8100ffff40000118"
		    "00000000"
		    "00000000000000000000000000000000"
		    "82fd002a",
		    0x2a00fd82);
	/* §2.5 item 3: scapy's UC SEND_ONLY (TOS 1, M=1, PadCnt 2) -> 78 f3 53 f3 */
	icrc_vector("450100400478400040 11b4d5c0a80007c0a80007"
		    "c00012b7002caca2"
		    "2460ffff000000d300cf1710"
		    "4630818be28935d90e9a95505401be885e500000"
		    "78f353f3",
		    0xf353f378);
}

static void test_icrc_masked_fields(void)
{
	/* TOS, TTL and the IPv4 checksum are masked: changing them keeps the ICRC. */
	struct rte_mbuf *m = ursa_test_mbuf_hex(lc, "4500003000004000401126bb0a0000010a000002"
						    "c00112b7001c0000"
						    "0400ffff000000118000000170696e671f3ce422");
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);

	p[1] = 0xb8;
	p[8] = 1;
	p[10] = p[11] = 0x42;
	CU_ASSERT(roce_icrc_check(p, m, 28, 20));
	p[4] ^= 1; /* IPv4 ID is covered */
	CU_ASSERT(!roce_icrc_check(p, m, 28, 20));
	p[4] ^= 1;
	p[21] ^= 1; /* UDP source port is covered */
	CU_ASSERT(!roce_icrc_check(p, m, 28, 20));
	p[21] ^= 1;
	CU_ASSERT(roce_icrc_check(p, m, 28, 20));
	CU_ASSERT(!roce_icrc_check(p, m, 28, 19)); /* wrong length */
	CU_ASSERT(!roce_icrc_check(p, m, 28, 3));
	rte_pktmbuf_free(m);
}

/* The same packet split over many segments gives the same ICRC. */
static void test_icrc_segments(void)
{
	uint8_t buf[20 + 8 + 12 + 1200];
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)buf;
	struct rte_mbuf *one, *chain = NULL;

	memset(buf, 0, sizeof(buf));
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16(sizeof(buf) + 4);
	for (unsigned i = 20; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7);
	one = ursa_test_mbuf(lc, buf, sizeof(buf));
	CU_ASSERT_FATAL(one != NULL);
	for (unsigned off = 0; off < sizeof(buf); off += 97) {
		unsigned n = RTE_MIN(97u, (unsigned)sizeof(buf) - off);
		struct rte_mbuf *s = ursa_test_mbuf(lc, buf + off, n);

		CU_ASSERT_FATAL(s != NULL);
		if (chain == NULL)
			chain = s;
		else
			CU_ASSERT_FATAL(rte_pktmbuf_chain(chain, s) == 0);
	}
	CU_ASSERT(chain->nb_segs > 9);
	CU_ASSERT_EQUAL(roce_icrc_calc(buf, chain, 28, 12 + 1200),
			roce_icrc_calc(buf, one, 28, 12 + 1200));
	CU_ASSERT_EQUAL(roce_icrc_calc(buf, chain, 28, 12 + 1000),
			roce_icrc_calc(buf, one, 28, 12 + 1000));
	CU_ASSERT_NOT_EQUAL(roce_icrc_calc(buf, chain, 28, 12 + 1200),
			    roce_icrc_calc(buf, one, 28, 12 + 1199));
	rte_pktmbuf_free(chain);
	rte_pktmbuf_free(one);
}

/* Every RoCEv2 packet the kernel sent in the fixtures verifies. */
static void test_icrc_fixtures(void)
{
	static const char *const files[] = {
		"rc_pingpong-linux6.1.pcap", "send_bw-linux6.1.pcap",  "write_bw-linux6.1.pcap",
		"write_bw_2k-linux6.1.pcap", "read_bw-linux6.1.pcap",  "atomic_bw-linux6.1.pcap",
		"rping-linux6.1.pcap",	     "smc_pnet-linux6.1.pcap", "smc_ueid-linux6.12.pcap",
	};
	unsigned total = 0, ok = 0;

	for (unsigned f = 0; f < RTE_DIM(files); f++) {
		struct frame_list fl;
		struct frame *pk;

		fixture_load(files[f], &fl);
		CU_ASSERT_FATAL(fl.n > 0);
		pk = fl.v;
		for (unsigned i = 0; i < fl.n; i++) {
			int l3, iplen;
			struct rte_mbuf *m;
			const uint8_t *p;
			uint32_t udplen;

			if (!fixture_is_roce(&pk[i], &l3, &iplen))
				continue;
			total++;
			m = ursa_test_mbuf(lc, pk[i].data + l3, pk[i].len - l3);
			CU_ASSERT_FATAL(m != NULL);
			p = rte_pktmbuf_mtod(m, const uint8_t *);
			udplen = (uint32_t)(p[iplen + 4] << 8 | p[iplen + 5]);
			if (roce_icrc_check(p, m, (uint32_t)iplen + 8, udplen - 8))
				ok++;
			else
				fprintf(stderr, "%s frame %u: ICRC mismatch\n", files[f], i + 1);
			rte_pktmbuf_free(m);
		}
		frames_free(&fl);
	}
	CU_ASSERT_EQUAL(total, 179);
	CU_ASSERT_EQUAL(ok, total);
}

/* IPv6: a packet built by the engine verifies, and the IPv6 masks are the right ones. */
static void test_icrc_ipv6_roundtrip(void)
{
	uint8_t buf[40 + 8 + 12 + 8 + 4];
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)buf;
	struct rte_mbuf *m;
	uint8_t *p;
	uint32_t icrc;

	memset(buf, 0, sizeof(buf));
	ip->vtc_flow = rte_cpu_to_be_32(6u << 28 | 0xb8u << 20 | 0x12345);
	ip->payload_len = rte_cpu_to_be_16(8 + 12 + 8 + 4);
	ip->proto = IPPROTO_UDP;
	ip->hop_limits = 64;
	ip->src_addr[0] = 0xfd;
	ip->src_addr[15] = 1;
	ip->dst_addr[0] = 0xfd;
	ip->dst_addr[15] = 2;
	buf[40] = 0xc0, buf[41] = 0x01, buf[42] = 0x12, buf[43] = 0xb7;
	buf[44] = 0, buf[45] = 8 + 12 + 8 + 4;
	roce_bth_set((struct roce_bth *)(buf + 48), ROCE_OP_SEND_ONLY, 0, 0, 0xffff, 0x42, 1, 7);
	memcpy(buf + 60, "ipv6data", 8);
	m = ursa_test_mbuf(lc, buf, sizeof(buf));
	p = rte_pktmbuf_mtod(m, uint8_t *);
	icrc = roce_icrc_calc(p, m, 48, 20);
	roce_icrc_put(p + 68, icrc);
	CU_ASSERT(roce_icrc_check(p, m, 48, 24));
	p[0] = 0x6f; /* traffic class high nibble: masked */
	p[1] = 0xff; /* traffic class low + flow label: masked */
	p[3] = 0x00;
	p[7] = 1;     /* hop limit: masked */
	p[46] = 0xab; /* UDP checksum: masked */
	CU_ASSERT(roce_icrc_check(p, m, 48, 24));
	p[8] ^= 1; /* source address: covered */
	CU_ASSERT(!roce_icrc_check(p, m, 48, 24));
	p[8] ^= 1;
	p[5] ^= 1; /* payload length: covered */
	CU_ASSERT(!roce_icrc_check(p, m, 48, 24));
	rte_pktmbuf_free(m);
}

int main(void)
{
	CU_pSuite s = ursa_test_suite("roce_wire", setup, teardown);

	CU_add_test(s, "header accessors", test_accessors);
	CU_add_test(s, "opcode table", test_opcode_table);
	CU_add_test(s, "PSN arithmetic across the wrap", test_psn_wrap);
	CU_add_test(s, "ICRC vectors (rocev2.md 2.5)", test_icrc_vectors);
	CU_add_test(s, "ICRC masked and covered fields", test_icrc_masked_fields);
	CU_add_test(s, "ICRC over segment chains", test_icrc_segments);
	CU_add_test(s, "ICRC of every fixture packet", test_icrc_fixtures);
	CU_add_test(s, "ICRC IPv6 round trip", test_icrc_ipv6_roundtrip);
	return ursa_test_main();
}
