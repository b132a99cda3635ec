/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of IPv6, ICMPv6 and neighbour discovery: every input drop by its counter, replies
 * byte for byte against frames the Linux kernel sent (captured between two namespaces: host A
 * fd00::a 02:00:00:00:00:0a, host B fd00::b 02:00:00:00:00:0b; here ursa plays B), DAD on the
 * virtual clock, extension headers, reassembly, and VLAN tenant separation. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "ursa_arp.h"
#include "ursa_eth.h"
#include "ursa_ip.h"
#include "ursa_test.h"

#define S (1000000000ull)

/* ---- frames captured from Linux 6.18 (ip6-b is the host ursa plays) ---- */

/* A: NS for fd00::b from fd00::a, with source link-layer option. */
static const char LNX_NS_FD00B[] =
	"3333ff00000b02000000000a86dd6000000000203afffd00000000000000000000000000000aff0200000"
	"000000000000001ff00000b87007d7300000000fd00000000000000000000000000000b010102000000000a";
/* B: the solicited NA (S, O) with target link-layer option. */
static const char LNX_NA_FD00B[] =
	"02000000000a02000000000b86dd6000000000203afffd00000000000000000000000000000bfd0000000"
	"0000000000000000000000a88001c7660000000fd00000000000000000000000000000b020102000000000b";
#define ECHO_DATA                                                                                  \
	"d4c1016b00000000ea560e0000000000101112131415161718191a1b1c1d1e1f202122232425262728292a"   \
	"2b2c2d2e2f3031323334353637"
/* A: echo request fd00::a -> fd00::b, id 10245 seq 1. */
static const char LNX_ECHO_REQ[] =
	"02000000000b02000000000a86dd6003fa0500403a40fd00000000000000000000000000000afd000000"
	"00000000000000000000000b8000d01128050001" ECHO_DATA;
/* B: the reply, flow label zeroed (Linux fills in an automatic one, ursa sends 0). */
static const char LNX_ECHO_REP[] =
	"02000000000a02000000000b86dd6000000000403a40fd00000000000000000000000000000bfd000000"
	"00000000000000000000000a8100cf1128050001" ECHO_DATA;
/* A: echo request to ff02::1 from fd00::a; B answers from fd00::b. */
static const char LNX_MECHO_REQ[] =
	"33330000000102000000000a86dd60019fa800403a01fd00000000000000000000000000000aff020000"
	"0000000000000000000000018000eb0928060001d4c1016b00000000cd650e0000000000101112131415"
	"161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637";
static const char LNX_MECHO_REP[] =
	"02000000000a02000000000b86dd6000000000403a40fd00000000000000000000000000000bfd000000"
	"00000000000000000000000a8100ec0128060001d4c1016b00000000cd650e0000000000101112131415"
	"161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637";
/* A: echo request to ff02::1 from fe80::ff:fe00:a; B must resolve A first. */
static const char LNX_LLECHO_REQ[] =
	"33330000000102000000000a86dd600acc3c00403a01fe80000000000000000000fffe00000aff020000"
	"00000000000000000000000180005ea428070001d5c1016b00000000644a020000000000101112131415"
	"161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637";
/* B: NS for fe80::ff:fe00:a to its solicited-node group. */
static const char LNX_NS_LLA[] =
	"3333ff00000a02000000000b86dd6000000000203afffe80000000000000000000fffe00000bff020000"
	"0000000000000001ff00000a87007c7300000000fe80000000000000000000fffe00000a010102000000000b";
/* A: the solicited NA. */
static const char LNX_NA_LLA[] =
	"02000000000b02000000000a86dd6000000000203afffe80000000000000000000fffe00000afe800000"
	"00000000000000fffe00000b88001af860000000fe80000000000000000000fffe00000a020102000000000a";
/* B: the queued reply, flow label zeroed. */
static const char LNX_LLECHO_REP[] =
	"02000000000a02000000000b86dd6000000000403a40fe80000000000000000000fffe00000bfe800000"
	"00000000000000fffe00000a81005f1c28070001d5c1016b00000000644a020000000000101112131415"
	"161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637";

static const uint8_t MAC_A[6] = {2, 0, 0, 0, 0, 0x0a};
static const uint8_t MAC_B[6] = {2, 0, 0, 0, 0, 0x0b};

/* ---- helpers ---- */

static struct ursa_ipaddr ip(const char *s)
{
	return ursa_test_ip(s);
}

/* Host B: MAC 02:..:0b (fe80::ff:fe00:b) and fd00::b/64 on the untagged interface 0. */
static struct ursa_lcore *mk(void)
{
	struct rte_ether_addr mac;
	struct ursa_lcore *lc = ursa_test_lcore(6);
	struct ursa_iface_conf c0 = {.port = 0, .mac = &mac};
	struct ursa_ipaddr a;
	uint8_t plen;

	memcpy(mac.addr_bytes, MAC_B, 6);
	CU_ASSERT_FATAL(lc != NULL);
	CU_ASSERT_FATAL(ursa_eth_init(lc) == 0);
	CU_ASSERT_FATAL(ursa_arp_init(lc) == 0);
	CU_ASSERT_FATAL(ursa_ip_init(lc) == 0);
	CU_ASSERT_FATAL(ursa_iface_add(lc, &c0, NULL) == 0);
	CU_ASSERT_FATAL(ursa_ipaddr_parse("fd00::b/64", &a, &plen) == 0);
	CU_ASSERT_FATAL(ursa_iface_addr_add(lc, 0, &a, plen) == 0);
	return lc;
}

static uint64_t c6(struct ursa_lcore *lc, const char *name)
{
	return ursa_test_counter(lc, "ip6", name);
}

static uint64_t ci6(struct ursa_lcore *lc, const char *name)
{
	return ursa_test_counter(lc, "icmp6", name);
}

/* Ethernet (+ VLAN tag) + IPv6 + body; when icmp_off >= 0, the ICMPv6 checksum at
 * body[icmp_off + 2] is filled in. Returns the frame length. */
static size_t frame6(uint8_t *f, const uint8_t *dmac, const uint8_t *smac, uint16_t vlan,
		     const char *src, const char *dst, uint8_t nh, uint8_t hlim,
		     const uint8_t *body, size_t blen, int icmp_off)
{
	struct ursa_test_l3 h = {.dmac = dmac,
				 .smac = smac,
				 .vlan = vlan,
				 .src = src,
				 .dst = dst,
				 .proto = nh,
				 .ttl = hlim};
	size_t n = ursa_test_ipv6_frame(f, &h, body, blen);

	if (icmp_off >= 0)
		ursa_test_ipv6_fill_cksum(f + n - blen - 40, 58, (size_t)icmp_off, 2);
	return n;
}

/* The ICMPv6 body of LNX_ECHO_REQ (72 bytes). */
static size_t echo_body(uint8_t *b)
{
	uint8_t f[256];
	size_t n = ursa_test_unhex(LNX_ECHO_REQ, f, sizeof(f));

	memcpy(b, f + 54, n - 54);
	return n - 54;
}

/* What B sends back for an error about orig (the IPv6 packet as received). */
static size_t error_frame(uint8_t *f, uint8_t type, uint8_t code, uint32_t ptr, const uint8_t *orig,
			  size_t olen)
{
	uint8_t body[1400];

	body[0] = type;
	body[1] = code;
	body[2] = body[3] = 0;
	body[4] = (uint8_t)(ptr >> 24);
	body[5] = (uint8_t)(ptr >> 16);
	body[6] = (uint8_t)(ptr >> 8);
	body[7] = (uint8_t)ptr;
	memcpy(body + 8, orig, olen);
	return frame6(f, MAC_A, MAC_B, 0, "fd00::b", "fd00::a", 58, 64, body, 8 + olen, 0);
}

/* Make A known (STALE) through its NS, and drop our NA. */
static void learn_a(struct ursa_lcore *lc)
{
	ursa_test_rx_hex(lc, LNX_NS_FD00B);
	CU_ASSERT_EQUAL(ursa_test_tx_drain(lc), 1);
}

/* ---- tests ---- */

static void test_ns_na_linux(void)
{
	struct ursa_lcore *lc = mk();
	struct rte_ether_addr mac;
	struct ursa_ipaddr a = ip("fd00::a");

	ursa_test_rx_hex(lc, LNX_NS_FD00B);
	ursa_test_expect_tx_hex(lc, LNX_NA_FD00B);
	CU_ASSERT_EQUAL(ursa_test_tx(lc), NULL);
	/* The source link-layer option is learned unconfirmed (STALE), and sending the NA
	 * through it moved it on to DELAY, as in Linux. */
	CU_ASSERT_EQUAL(ursa_neigh_lookup(lc, &lc->ifaces[0], &a, &mac), URSA_NEIGH_DELAY);
	CU_ASSERT_EQUAL(memcmp(mac.addr_bytes, MAC_A, 6), 0);
	CU_ASSERT_EQUAL(ci6(lc, "rx_ns"), 1);
	CU_ASSERT_EQUAL(ci6(lc, "tx_na"), 1);
	CU_ASSERT_EQUAL(c6(lc, "rx_mcast"), 1);
	/* Someone's DAD probe for our address: the NA goes to all nodes, S=0 (RFC 4861 7.2.4). */
	{
		uint8_t f[256], want[256];
		uint8_t ns[24] = {135, 0, 0, 0, 0, 0, 0, 0, 0xfd, 0, 0, 0,
				  0,   0, 0, 0, 0, 0, 0, 0, 0,	  0, 0, 0x0b};
		uint8_t na[32] = {136, 0, 0, 0, 0x20, 0, 0, 0,	  0xfd, 0, 0, 0, 0, 0, 0, 0,
				  0,   0, 0, 0, 0,    0, 0, 0x0b, 2,	1, 2, 0, 0, 0, 0, 0x0b};

		ursa_test_rx_bytes(lc, f,
				   frame6(f, (const uint8_t[]){0x33, 0x33, 0xff, 0, 0, 0x0b}, MAC_A,
					  0, "::", "ff02::1:ff00:b", 58, 255, ns, 24, 0));
		ursa_test_expect_tx(lc, want,
				    frame6(want, (const uint8_t[]){0x33, 0x33, 0, 0, 0, 1}, MAC_B,
					   0, "fd00::b", "ff02::1", 58, 255, na, 32, 0));
	}
	ursa_lcore_destroy(lc);
}

static void test_echo_linux(void)
{
	struct ursa_lcore *lc = mk();

	learn_a(lc);
	ursa_test_rx_hex(lc, LNX_ECHO_REQ);
	ursa_test_expect_tx_hex(lc, LNX_ECHO_REP);
	/* To all-nodes: answered from the unicast address fd00::a selects. */
	ursa_test_rx_hex(lc, LNX_MECHO_REQ);
	ursa_test_expect_tx_hex(lc, LNX_MECHO_REP);
	CU_ASSERT_EQUAL(ci6(lc, "rx_echo_request"), 2);
	CU_ASSERT_EQUAL(ci6(lc, "tx_echo_reply"), 2);
	CU_ASSERT_EQUAL(c6(lc, "rx_delivered"), 3);
	ursa_lcore_destroy(lc);
}

/* A reply to an unknown neighbour: the resolver's NS (as Linux sends it), then the NA makes
 * the neighbour REACHABLE and the queued reply leaves. */
static void test_resolve_linux(void)
{
	struct ursa_lcore *lc = mk();
	struct ursa_ipaddr lla = ip("fe80::ff:fe00:a");
	struct rte_ether_addr mac;

	ursa_test_rx_hex(lc, LNX_LLECHO_REQ);
	ursa_test_expect_tx_hex(lc, LNX_NS_LLA);
	CU_ASSERT_EQUAL(ursa_test_tx(lc), NULL);
	CU_ASSERT_EQUAL(ursa_neigh_lookup(lc, &lc->ifaces[0], &lla, NULL), URSA_NEIGH_INCOMPLETE);
	ursa_test_rx_hex(lc, LNX_NA_LLA);
	CU_ASSERT_EQUAL(ursa_neigh_lookup(lc, &lc->ifaces[0], &lla, &mac), URSA_NEIGH_REACHABLE);
	CU_ASSERT_EQUAL(memcmp(mac.addr_bytes, MAC_A, 6), 0);
	ursa_test_expect_tx_hex(lc, LNX_LLECHO_REP);
	CU_ASSERT_EQUAL(ci6(lc, "tx_ns"), 1);
	CU_ASSERT_EQUAL(ci6(lc, "rx_na"), 1);
	ursa_lcore_destroy(lc);
}

/* Each malformed or foreign packet is dropped under its own counter, and nothing is sent. */
static void test_input_drops(void)
{
	struct ursa_lcore *lc = mk();
	uint8_t f[256], b[128];
	size_t n, bl = echo_body(b);

	learn_a(lc);
	n = frame6(f, MAC_B, MAC_A, 0, "fd00::a", "fd00::b", 58, 64, b, bl, 0);
	ursa_test_rx_bytes(lc, f, 14 + 39);
	CU_ASSERT_EQUAL(c6(lc, "drop_short"), 1);
	f[14] = 0x40;
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(c6(lc, "drop_version"), 1);
	f[14] = 0x60;
	f[19] = (uint8_t)(bl + 1); /* payload length beyond the frame */
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(c6(lc, "drop_bad_len"), 1);
	f[19] = (uint8_t)bl;

	n = frame6(f, MAC_B, MAC_A, 0, "ff02::1", "fd00::b", 58, 64, b, bl, 0);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(c6(lc, "drop_src_mcast"), 1);
	n = frame6(f, MAC_B, MAC_A, 0, "::1", "fd00::b", 58, 64, b, bl, 0);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(c6(lc, "drop_src_loopback"), 1);
	n = frame6(f, MAC_B, MAC_A, 0, "fd00::a", "fd00::c", 58, 64, b, bl, 0);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(c6(lc, "drop_not_local"), 1);
	/* Groups B is not in: all-routers, and another address's solicited-node group. */
	n = frame6(f, (const uint8_t[]){0x33, 0x33, 0, 0, 0, 2}, MAC_A, 0, "fd00::a", "ff02::2", 58,
		   64, b, bl, 0);
	ursa_test_rx_bytes(lc, f, n);
	n = frame6(f, (const uint8_t[]){0x33, 0x33, 0xff, 0, 0, 0x0c}, MAC_A, 0, "fd00::a",
		   "ff02::1:ff00:c", 58, 64, b, bl, 0);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(c6(lc, "drop_mcast_not_joined"), 2);
	/* A bad ICMPv6 checksum. */
	n = frame6(f, MAC_B, MAC_A, 0, "fd00::a", "fd00::b", 58, 64, b, bl, 0);
	f[57] ^= 1;
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(ci6(lc, "drop_bad_cksum"), 1);
	/* No next header: nothing to do. */
	n = frame6(f, MAC_B, MAC_A, 0, "fd00::a", "fd00::b", 59, 64, b, bl, -1);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(c6(lc, "rx_no_next_header"), 1);
	CU_ASSERT_EQUAL(ursa_test_tx(lc), NULL);
	CU_ASSERT_EQUAL(ci6(lc, "tx_echo_reply"), 0);

	/* A hop-by-hop header longer than the packet. */
	{
		uint8_t hb[8] = {58, 1, 1, 4, 0, 0, 0, 0}; /* says 16 bytes, has 8 */

		n = frame6(f, MAC_B, MAC_A, 0, "fd00::a", "fd00::b", 0, 64, hb, 8, -1);
		ursa_test_rx_bytes(lc, f, n);
		CU_ASSERT_EQUAL(c6(lc, "drop_bad_ext"), 1);
	}
	/* ICMPv6 shorter than its header; an echo request from :: (no one to answer). */
	n = frame6(f, MAC_B, MAC_A, 0, "fd00::a", "fd00::b", 58, 64, b, 6, -1);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(ci6(lc, "drop_short"), 1);
	n = frame6(f, MAC_B, MAC_A, 0, "::", "fd00::b", 58, 64, b, bl, 0);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(ci6(lc, "drop_echo_unspec_src"), 1);
	CU_ASSERT_EQUAL(ursa_test_tx(lc), NULL);

	/* Link padding after the payload is trimmed: the reply is still exact. */
	n = frame6(f, MAC_B, MAC_A, 0, "fd00::a", "fd00::b", 58, 64, b, bl, 0);
	memset(f + n, 0xee, 6);
	ursa_test_rx_bytes(lc, f, n + 6);
	CU_ASSERT_EQUAL(ci6(lc, "tx_echo_reply"), 1);
	CU_ASSERT_EQUAL(ursa_test_tx_drain(lc), 1);
	ursa_lcore_destroy(lc);
}

/* Hop-by-hop and destination options (PadN) and a routing header with no segments left are
 * skipped: the reply is the plain one. */
static void test_ext_headers(void)
{
	struct ursa_lcore *lc = mk();
	uint8_t f[256], b[160], e[128];
	size_t n, bl = echo_body(e);

	learn_a(lc);
	memcpy(b, (const uint8_t[]){60, 0, 1, 4, 0, 0, 0, 0,  /* HBH, PadN */
				    43, 0, 1, 4, 0, 0, 0, 0,  /* dst opts, PadN */
				    58, 0, 0, 0, 0, 0, 0, 0}, /* routing, type 0, 0 left */
	       24);
	memcpy(b + 24, e, bl);
	n = frame6(f, MAC_B, MAC_A, 0, "fd00::a", "fd00::b", 0, 64, b, 24 + bl, -1);
	ursa_test_rx_bytes(lc, f, n);
	ursa_test_expect_tx_hex(lc, LNX_ECHO_REP);
	CU_ASSERT_EQUAL(c6(lc, "rx_ext_hdrs"), 3);
	ursa_lcore_destroy(lc);
}

/* Extension headers that must be refused, with the parameter problem Linux would send. */
static void test_ext_param_problem(void)
{
	struct ursa_lcore *lc = mk();
	uint8_t f[256], b[160], e[128], want[512];
	size_t n, wn, bl = echo_body(e);

	learn_a(lc);
	/* A routing header with segments left: code 0, pointer at its type (40 + 2). */
	memcpy(b, (const uint8_t[]){58, 0, 0, 1, 0, 0, 0, 0}, 8);
	memcpy(b + 8, e, bl);
	n = frame6(f, MAC_B, MAC_A, 0, "fd00::a", "fd00::b", 43, 64, b, 8 + bl, -1);
	ursa_test_rx_bytes(lc, f, n);
	wn = error_frame(want, 4, 0, 42, f + 14, n - 14);
	ursa_test_expect_tx(lc, want, wn);
	CU_ASSERT_EQUAL(c6(lc, "drop_routing"), 1);

	/* Hop-by-hop after destination options: code 1, pointer at the field naming it (40). */
	memcpy(b, (const uint8_t[]){0, 0, 1, 4, 0, 0, 0, 0, 58, 0, 1, 4, 0, 0, 0, 0}, 16);
	memcpy(b + 16, e, bl);
	n = frame6(f, MAC_B, MAC_A, 0, "fd00::a", "fd00::b", 60, 64, b, 16 + bl, -1);
	ursa_test_advance(lc, S); /* the per-destination rate limit refills */
	ursa_test_rx_bytes(lc, f, n);
	wn = error_frame(want, 4, 1, 40, f + 14, n - 14);
	ursa_test_expect_tx(lc, want, wn);
	CU_ASSERT_EQUAL(c6(lc, "drop_hbh_not_first"), 1);

	/* Unknown option 0x80 (discard and report): code 2, pointer at the option (42). */
	memcpy(b, (const uint8_t[]){58, 0, 0x80, 4, 0, 0, 0, 0}, 8);
	memcpy(b + 8, e, bl);
	n = frame6(f, MAC_B, MAC_A, 0, "fd00::a", "fd00::b", 60, 64, b, 8 + bl, -1);
	ursa_test_advance(lc, S);
	ursa_test_rx_bytes(lc, f, n);
	wn = error_frame(want, 4, 2, 42, f + 14, n - 14);
	ursa_test_expect_tx(lc, want, wn);
	/* Unknown option 0x40 (discard silently). */
	b[2] = 0x40;
	n = frame6(f, MAC_B, MAC_A, 0, "fd00::a", "fd00::b", 60, 64, b, 8 + bl, -1);
	ursa_test_advance(lc, S);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(ursa_test_tx(lc), NULL);
	CU_ASSERT_EQUAL(c6(lc, "drop_bad_option"), 2);

	/* An unknown next header (253): code 1, pointer at the IPv6 next header field (6). */
	n = frame6(f, MAC_B, MAC_A, 0, "fd00::a", "fd00::b", 253, 64, e, bl, -1);
	ursa_test_advance(lc, S);
	ursa_test_rx_bytes(lc, f, n);
	wn = error_frame(want, 4, 1, 6, f + 14, n - 14);
	ursa_test_expect_tx(lc, want, wn);
	CU_ASSERT_EQUAL(c6(lc, "drop_unknown_proto"), 1);
	CU_ASSERT_EQUAL(ci6(lc, "tx_error"), 4);
	ursa_lcore_destroy(lc);
}

/* The echo request in two fragments (32 + 40 bytes), out of order: one reply. */
static void test_fragments(void)
{
	struct ursa_lcore *lc = mk();
	uint8_t f[256], b[160], e[128], want[512];
	size_t n, wn, bl = echo_body(e);

	learn_a(lc);
	/* Second fragment: offset 32 (4 units), M = 0. */
	memcpy(b, (const uint8_t[]){58, 0, 0x00, 0x20, 0x12, 0x34, 0x56, 0x78}, 8);
	memcpy(b + 8, e + 32, bl - 32);
	n = frame6(f, MAC_B, MAC_A, 0, "fd00::a", "fd00::b", 44, 64, b, 8 + bl - 32, -1);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(ursa_test_tx(lc), NULL);
	/* First fragment: offset 0, M = 1. */
	memcpy(b, (const uint8_t[]){58, 0, 0x00, 0x01, 0x12, 0x34, 0x56, 0x78}, 8);
	memcpy(b + 8, e, 32);
	n = frame6(f, MAC_B, MAC_A, 0, "fd00::a", "fd00::b", 44, 64, b, 8 + 32, -1);
	ursa_test_rx_bytes(lc, f, n);
	ursa_test_expect_tx_hex(lc, LNX_ECHO_REP);
	CU_ASSERT_EQUAL(c6(lc, "rx_frags"), 2);
	CU_ASSERT_EQUAL(c6(lc, "rx_reassembled"), 1);

	/* A middle fragment whose length is not a multiple of 8: parameter problem, code 0,
	 * pointing at the payload length (4). */
	memcpy(b, (const uint8_t[]){58, 0, 0x00, 0x01, 0, 0, 0, 9}, 8);
	memcpy(b + 8, e, 30);
	n = frame6(f, MAC_B, MAC_A, 0, "fd00::a", "fd00::b", 44, 64, b, 8 + 30, -1);
	ursa_test_rx_bytes(lc, f, n);
	wn = error_frame(want, 4, 0, 4, f + 14, n - 14);
	ursa_test_expect_tx(lc, want, wn);
	CU_ASSERT_EQUAL(c6(lc, "drop_bad_frag"), 1);

	/* An atomic fragment (offset 0, M = 0) is a whole packet. */
	memcpy(b, (const uint8_t[]){58, 0, 0, 0, 0, 0, 0, 10}, 8);
	memcpy(b + 8, e, bl);
	n = frame6(f, MAC_B, MAC_A, 0, "fd00::a", "fd00::b", 44, 64, b, 8 + bl, -1);
	ursa_test_rx_bytes(lc, f, n);
	ursa_test_expect_tx_hex(lc, LNX_ECHO_REP);
	CU_ASSERT_EQUAL(c6(lc, "rx_atomic_frags"), 1);
	ursa_lcore_destroy(lc);
}

/* An ND message from A (hop limit hl) to dst with body; checksum filled in. */
static void rx_nd(struct ursa_lcore *lc, const char *src, const char *dst, const uint8_t *dmac,
		  uint8_t hl, const uint8_t *body, size_t n)
{
	uint8_t f[256];

	ursa_test_rx_bytes(lc, f, frame6(f, dmac, MAC_A, 0, src, dst, 58, hl, body, n, 0));
}

static void test_nd_validation(void)
{
	struct ursa_lcore *lc = mk();
	const uint8_t solb[6] = {0x33, 0x33, 0xff, 0, 0, 0x0b};
	const uint8_t alln[6] = {0x33, 0x33, 0, 0, 0, 1};
	uint8_t ns[32] = {135,	0, 0, 0, 0, 0, 0, 0,				  /* NS */
			  0xfd, 0, 0, 0, 0, 0, 0, 0,   0, 0, 0, 0, 0, 0, 0, 0x0b, /* fd00::b */
			  1,	1, 2, 0, 0, 0, 0, 0x0a};			  /* SLL */
	uint8_t b[40];

	rx_nd(lc, "fd00::a", "ff02::1:ff00:b", solb, 64, ns, 32);
	CU_ASSERT_EQUAL(ci6(lc, "drop_nd_hop_limit"), 1);
	memcpy(b, ns, 32);
	b[1] = 1;
	rx_nd(lc, "fd00::a", "ff02::1:ff00:b", solb, 255, b, 32);
	CU_ASSERT_EQUAL(ci6(lc, "drop_nd_code"), 1);
	rx_nd(lc, "fd00::a", "ff02::1:ff00:b", solb, 255, ns, 20);
	CU_ASSERT_EQUAL(ci6(lc, "drop_nd_short"), 1);
	memcpy(b, ns, 32);
	b[8] = 0xff;
	rx_nd(lc, "fd00::a", "ff02::1:ff00:b", solb, 255, b, 32);
	CU_ASSERT_EQUAL(ci6(lc, "drop_nd_target_mcast"), 1);
	memcpy(b, ns, 32);
	b[25] = 0; /* option length 0 */
	rx_nd(lc, "fd00::a", "ff02::1:ff00:b", solb, 255, b, 32);
	CU_ASSERT_EQUAL(ci6(lc, "drop_nd_bad_option"), 1);
	rx_nd(lc, "::", "ff02::1:ff00:b", solb, 255, ns, 32); /* from :: with an SLL option */
	CU_ASSERT_EQUAL(ci6(lc, "drop_nd_unspec_src_lladdr"), 1);
	rx_nd(lc, "::", "ff02::1", alln, 255, ns, 24); /* from :: not to the solicited node */
	CU_ASSERT_EQUAL(ci6(lc, "drop_nd_unspec_src_dst"), 1);
	memcpy(b, ns, 32);
	b[23] = 0x0c; /* someone else's address */
	rx_nd(lc, "fd00::a", "ff02::1:ff00:b", solb, 255, b, 32);
	CU_ASSERT_EQUAL(ci6(lc, "drop_nd_not_target"), 1);
	/* A solicited NA to a group. */
	memcpy(b, ns, 32);
	b[0] = 136;
	b[4] = 0x60;
	b[8 + 15] = 0x0a;
	b[24] = 2;
	rx_nd(lc, "fd00::a", "ff02::1", alln, 255, b, 32);
	CU_ASSERT_EQUAL(ci6(lc, "drop_nd_solicited_mcast"), 1);
	/* Router messages are counted and ignored. */
	rx_nd(lc, "fe80::ff:fe00:a", "ff02::1", alln, 255,
	      (const uint8_t[]){134, 0, 0, 0, 64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 16);
	CU_ASSERT_EQUAL(ci6(lc, "rx_ra"), 1);
	CU_ASSERT_EQUAL(ursa_test_tx(lc), NULL);
	CU_ASSERT_EQUAL(ci6(lc, "tx_na"), 0);
	/* An unsolicited NA for an unknown neighbour creates nothing. */
	rx_nd(lc, "fd00::a", "ff02::1", alln, 255,
	      (const uint8_t[]){136, 0, 0, 0, 0x20, 0, 0, 0,	0xfd, 0, 0, 0, 0, 0, 0, 0,
				0,   0, 0, 0, 0,    0, 0, 0x0a, 2,    1, 2, 0, 0, 0, 0, 0x0a},
	      32);
	{
		struct ursa_ipaddr a = ip("fd00::a");

		CU_ASSERT_EQUAL(ursa_neigh_lookup(lc, &lc->ifaces[0], &a, NULL), URSA_NEIGH_NONE);
	}
	/* An NA for our own (preferred) address: someone else claims it. */
	rx_nd(lc, "fd00::a", "ff02::1", alln, 255,
	      (const uint8_t[]){136, 0, 0, 0, 0x20, 0, 0, 0,	0xfd, 0, 0, 0, 0, 0, 0, 0,
				0,   0, 0, 0, 0,    0, 0, 0x0b, 2,    1, 2, 0, 0, 0, 0, 0x0a},
	      32);
	CU_ASSERT_EQUAL(ci6(lc, "drop_nd_own_addr"), 1);
	/* A unicast NA without the target option for a neighbour we have no MAC for. */
	rx_nd(lc, "fd00::a", "fd00::b", MAC_B, 255,
	      (const uint8_t[]){136, 0, 0, 0, 0x60, 0, 0, 0, 0xfd, 0, 0, 0,
				0,   0, 0, 0, 0,    0, 0, 0, 0,	   0, 0, 0x0a},
	      24);
	CU_ASSERT_EQUAL(ci6(lc, "drop_nd_no_lladdr"), 1);
	/* Learn A, then an NA without O and with another MAC does not replace it. */
	learn_a(lc);
	rx_nd(lc, "fd00::a", "fd00::b", MAC_B, 255,
	      (const uint8_t[]){136, 0, 0, 0, 0x40, 0, 0, 0,	0xfd, 0, 0, 0, 0, 0, 0, 0,
				0,   0, 0, 0, 0,    0, 0, 0x0a, 2,    1, 2, 0, 0, 0, 0, 0x0e},
	      32);
	CU_ASSERT_EQUAL(ci6(lc, "drop_nd_no_override"), 1);
	{
		struct ursa_ipaddr a = ip("fd00::a");
		struct rte_ether_addr mac;

		ursa_neigh_lookup(lc, &lc->ifaces[0], &a, &mac);
		CU_ASSERT_EQUAL(memcmp(mac.addr_bytes, MAC_A, 6), 0);
	}
	CU_ASSERT_EQUAL(ursa_test_tx(lc), NULL);
	ursa_lcore_destroy(lc);
}

/* DAD: link-local first, then fd00::b; each announced with an unsolicited NA. */
static void test_dad_ok(void)
{
	struct ursa_lcore *lc = mk();
	struct ursa_iface *ifc = &lc->ifaces[0];
	uint8_t want[256], body[32] = {136, 0, 0, 0, 0x20, 0, 0, 0};
	struct ursa_ipaddr ll = ip("fe80::ff:fe00:b"), b = ip("fd00::b");
	struct rte_mbuf *m;
	size_t wn;

	learn_a(lc);
	ursa_ip6_announce(lc, ifc);
	CU_ASSERT(ifc->v6[0].flags & URSA_ADDR_TENTATIVE);
	CU_ASSERT(ifc->v6[1].flags & URSA_ADDR_TENTATIVE);
	/* While tentative an address receives nothing. */
	ursa_test_rx_hex(lc, LNX_ECHO_REQ);
	CU_ASSERT_EQUAL(c6(lc, "drop_not_local"), 1);
	CU_ASSERT_EQUAL(ursa_test_tx(lc), NULL);
	/* Within 1 s: one probe from :: to ff02::1:ff00:b with a nonce and no SLL option. */
	ursa_test_advance(lc, S);
	m = ursa_test_tx(lc);
	CU_ASSERT_FATAL(m != NULL);
	{
		const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
		static const uint8_t head[] = {
			0x33, 0x33, 0xff, 0, 0, 0x0b, 2,  0,   0,    0, 0,    0x0b, 0x86, 0xdd,
			0x60, 0,    0,	  0, 0, 32,   58, 255, 0,    0, 0,    0,    0,	  0,
			0,    0,    0,	  0, 0, 0,    0,  0,   0,    0, 0xff, 2,    0,	  0,
			0,    0,    0,	  0, 0, 0,    0,  1,   0xff, 0, 0,    0x0b, 135,  0};

		CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), 86);
		CU_ASSERT_EQUAL(memcmp(p, head, sizeof(head)), 0);
		CU_ASSERT_EQUAL(memcmp(p + 62, ll.v6, 16), 0);
		CU_ASSERT_EQUAL(p[78], 14); /* nonce option, like Linux's enhanced DAD */
		CU_ASSERT_EQUAL(p[79], 1);
	}
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(ursa_test_tx(lc), NULL); /* fd00::b waits for the link-local one */
	/* RetransTimer later: preferred, and announced to all nodes (S=0, O=1). */
	ursa_test_advance(lc, S);
	CU_ASSERT_FALSE(ifc->v6[0].flags & URSA_ADDR_TENTATIVE);
	memcpy(body + 8, ll.v6, 16);
	memcpy(body + 24, (const uint8_t[]){2, 1, 2, 0, 0, 0, 0, 0x0b}, 8);
	wn = frame6(want, (const uint8_t[]){0x33, 0x33, 0, 0, 0, 1}, MAC_B, 0, "fe80::ff:fe00:b",
		    "ff02::1", 58, 255, body, 32, 0);
	ursa_test_expect_tx(lc, want, wn);
	/* Then fd00::b: its probe, then its announcement. */
	ursa_test_advance(lc, S);
	m = ursa_test_tx(lc);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL(memcmp(rte_pktmbuf_mtod_offset(m, uint8_t *, 62), b.v6, 16), 0);
	rte_pktmbuf_free(m);
	ursa_test_advance(lc, S);
	memcpy(body + 8, b.v6, 16);
	wn = frame6(want, (const uint8_t[]){0x33, 0x33, 0, 0, 0, 1}, MAC_B, 0, "fd00::b", "ff02::1",
		    58, 255, body, 32, 0);
	ursa_test_expect_tx(lc, want, wn);
	CU_ASSERT_FALSE(ifc->v6[1].flags & URSA_ADDR_TENTATIVE);
	CU_ASSERT_EQUAL(ci6(lc, "dad_ok"), 2);
	CU_ASSERT_EQUAL(ci6(lc, "dad_duplicate"), 0);
	/* And now it answers. */
	ursa_test_rx_hex(lc, LNX_ECHO_REQ);
	ursa_test_expect_tx_hex(lc, LNX_ECHO_REP);
	ursa_lcore_destroy(lc);
}

/* DAD failures: an NA for the tentative link-local address, an NS from :: for fd00::b. */
static void test_dad_duplicate(void)
{
	struct ursa_lcore *lc = mk();
	struct ursa_iface *ifc = &lc->ifaces[0];
	const uint8_t alln[6] = {0x33, 0x33, 0, 0, 0, 1};
	const uint8_t solb[6] = {0x33, 0x33, 0xff, 0, 0, 0x0b};
	struct ursa_ipaddr src, dst = ip("fd00::a");
	struct rte_mbuf *m;
	uint8_t na[32] = {136, 0, 0, 0,	   0x20, 0, 0, 0,    0xfe, 0x80, 0, 0, 0, 0, 0, 0,
			  0,   0, 0, 0xff, 0xfe, 0, 0, 0x0b, 2,	   1,	 2, 0, 0, 0, 0, 0x0a};
	uint8_t ns[24] = {135, 0, 0, 0, 0, 0, 0, 0, 0xfd, 0, 0, 0,
			  0,   0, 0, 0, 0, 0, 0, 0, 0,	  0, 0, 0x0b};

	ursa_ip6_announce(lc, ifc);
	ursa_test_advance(lc, S); /* the link-local probe is out */
	m = ursa_test_tx(lc);
	CU_ASSERT_FATAL(m != NULL);
	/* Our own probe coming back (a reflecting switch: another source MAC, same nonce) is
	 * not a duplicate (RFC 7527). */
	memcpy(rte_pktmbuf_mtod_offset(m, uint8_t *, 6), MAC_A, 6);
	ursa_test_rx(lc, m);
	CU_ASSERT_EQUAL(ci6(lc, "dad_looped_ns"), 1);
	CU_ASSERT_EQUAL(ci6(lc, "dad_duplicate"), 0);
	/* Someone resolving the tentative address is not answered. */
	ns[8] = 0xfe;
	ns[9] = 0x80;
	memcpy(ns + 16, (const uint8_t[]){0, 0, 0, 0xff, 0xfe, 0, 0, 0x0b}, 8);
	rx_nd(lc, "fe80::ff:fe00:a", "ff02::1:ff00:b", solb, 255, ns, 24);
	CU_ASSERT_EQUAL(ci6(lc, "drop_nd_tentative"), 1);
	CU_ASSERT_EQUAL(ursa_test_tx(lc), NULL);
	memcpy(ns + 8, (const uint8_t[]){0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0b}, 16);
	rx_nd(lc, "fe80::ff:fe00:a", "ff02::1", alln, 255, na, 32);
	CU_ASSERT_EQUAL(ci6(lc, "dad_duplicate"), 1);
	/* fd00::b goes on; another node probes it too. */
	ursa_test_advance(lc, S);
	CU_ASSERT_EQUAL(ursa_test_tx_drain(lc), 1); /* fd00::b's probe, no NA for fe80 */
	rx_nd(lc, "::", "ff02::1:ff00:b", solb, 255, ns, 24);
	CU_ASSERT_EQUAL(ci6(lc, "dad_duplicate"), 2);
	ursa_test_advance(lc, 3 * S);
	CU_ASSERT_EQUAL(ursa_test_tx(lc), NULL); /* never announced */
	CU_ASSERT(ifc->v6[0].flags & URSA_ADDR_TENTATIVE);
	CU_ASSERT(ifc->v6[1].flags & URSA_ADDR_TENTATIVE);
	CU_ASSERT_EQUAL(ci6(lc, "dad_ok"), 0);
	/* Never used: not a source, not a destination, not in the solicited-node group. */
	CU_ASSERT_EQUAL(ursa_iface_pick_src(ifc, &dst, &src), -EADDRNOTAVAIL);
	ursa_test_rx_hex(lc, LNX_ECHO_REQ);
	CU_ASSERT_EQUAL(c6(lc, "drop_not_local"), 1);
	ursa_test_rx_hex(lc, LNX_NS_FD00B);
	CU_ASSERT_EQUAL(c6(lc, "drop_mcast_not_joined"), 1);
	CU_ASSERT_EQUAL(ursa_test_tx(lc), NULL);
	ursa_lcore_destroy(lc);
}

/* The same address on VLAN 10 (tenant 1) and VLAN 20 (tenant 2): an NS on VLAN 10 is answered
 * on VLAN 10 only, and the neighbour is learned there only. */
static void test_vlan_tenants(void)
{
	struct ursa_lcore *lc = ursa_test_lcore(7);
	struct rte_ether_addr mac;
	struct ursa_iface_conf c10 = {.port = 0, .vlan = 10, .tenant = 1, .mac = &mac};
	struct ursa_iface_conf c20 = {.port = 0, .vlan = 20, .tenant = 2, .mac = &mac};
	struct ursa_ipaddr a = ip("fd00::a"), b = ip("fd00::b");
	uint8_t f[256], want[256];
	uint8_t ns[32] = {135, 0, 0, 0, 0, 0, 0, 0,    0xfd, 0, 0, 0, 0, 0, 0, 0,
			  0,   0, 0, 0, 0, 0, 0, 0x0b, 1,    1, 2, 0, 0, 0, 0, 0x0a};
	uint8_t na[32] = {136, 0, 0, 0, 0x60, 0, 0, 0,	  0xfd, 0, 0, 0, 0, 0, 0, 0,
			  0,   0, 0, 0, 0,    0, 0, 0x0b, 2,	1, 2, 0, 0, 0, 0, 0x0b};
	size_t n, wn;

	memcpy(mac.addr_bytes, MAC_B, 6);
	CU_ASSERT_FATAL(lc != NULL);
	CU_ASSERT_FATAL(ursa_eth_init(lc) == 0);
	CU_ASSERT_FATAL(ursa_arp_init(lc) == 0);
	CU_ASSERT_FATAL(ursa_ip_init(lc) == 0);
	CU_ASSERT_FATAL(ursa_iface_add(lc, &c10, NULL) == 0);
	CU_ASSERT_FATAL(ursa_iface_add(lc, &c20, NULL) == 0);
	CU_ASSERT_FATAL(ursa_iface_addr_add(lc, 0, &b, 64) == 0);
	CU_ASSERT_FATAL(ursa_iface_addr_add(lc, 1, &b, 64) == 0);

	n = frame6(f, (const uint8_t[]){0x33, 0x33, 0xff, 0, 0, 0x0b}, MAC_A, 10, "fd00::a",
		   "ff02::1:ff00:b", 58, 255, ns, 32, 0);
	ursa_test_rx_bytes(lc, f, n);
	wn = frame6(want, MAC_A, MAC_B, 10, "fd00::b", "fd00::a", 58, 255, na, 32, 0);
	ursa_test_expect_tx(lc, want, wn);
	CU_ASSERT_EQUAL(ursa_test_tx(lc), NULL);
	CU_ASSERT_EQUAL(ursa_neigh_lookup(lc, &lc->ifaces[0], &a, NULL), URSA_NEIGH_DELAY);
	CU_ASSERT_EQUAL(ursa_neigh_lookup(lc, &lc->ifaces[1], &a, NULL), URSA_NEIGH_NONE);
	/* Tenant 2 only has fd00::b: an NS there for fd00::c is not for it. */
	ns[23] = 0x0c;
	n = frame6(f, (const uint8_t[]){0x33, 0x33, 0xff, 0, 0, 0x0c}, MAC_A, 20, "fd00::a",
		   "ff02::1:ff00:c", 58, 255, ns, 32, 0);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(c6(lc, "drop_mcast_not_joined"), 1);
	CU_ASSERT_EQUAL(ursa_test_tx(lc), NULL);
	ursa_lcore_destroy(lc);
}

/* Fragments with the same addresses and identification on two tenants' VLANs never complete
 * each other's datagram; an incomplete one expires after 10 s. */
static void test_vlan_fragments(void)
{
	struct ursa_lcore *lc = ursa_test_lcore(8);
	struct rte_ether_addr mac;
	struct ursa_iface_conf c10 = {.port = 0, .vlan = 10, .tenant = 1, .mac = &mac};
	struct ursa_iface_conf c20 = {.port = 0, .vlan = 20, .tenant = 2, .mac = &mac};
	struct ursa_ipaddr a = ip("fd00::a"), b = ip("fd00::b");
	struct rte_ether_addr amac;
	uint8_t f[256], p1[64], p2[64], e[128];
	size_t n1, n2, bl = echo_body(e);

	memcpy(mac.addr_bytes, MAC_B, 6);
	memcpy(amac.addr_bytes, MAC_A, 6);
	CU_ASSERT_FATAL(lc != NULL);
	CU_ASSERT_FATAL(ursa_eth_init(lc) == 0);
	CU_ASSERT_FATAL(ursa_arp_init(lc) == 0);
	CU_ASSERT_FATAL(ursa_ip_init(lc) == 0);
	CU_ASSERT_FATAL(ursa_iface_add(lc, &c10, NULL) == 0);
	CU_ASSERT_FATAL(ursa_iface_add(lc, &c20, NULL) == 0);
	CU_ASSERT_FATAL(ursa_iface_addr_add(lc, 0, &b, 64) == 0);
	CU_ASSERT_FATAL(ursa_iface_addr_add(lc, 1, &b, 64) == 0);
	CU_ASSERT_FATAL(ursa_neigh_add_static(lc, &lc->ifaces[0], &a, &amac) == 0);
	CU_ASSERT_FATAL(ursa_neigh_add_static(lc, &lc->ifaces[1], &a, &amac) == 0);
	memcpy(p1, (const uint8_t[]){58, 0, 0x00, 0x01, 0x12, 0x34, 0x56, 0x78}, 8);
	memcpy(p1 + 8, e, 32);
	memcpy(p2, (const uint8_t[]){58, 0, 0x00, 0x20, 0x12, 0x34, 0x56, 0x78}, 8);
	memcpy(p2 + 8, e + 32, bl - 32);
	/* First half on VLAN 10, second half on VLAN 20: nothing completes. */
	n1 = frame6(f, MAC_B, MAC_A, 10, "fd00::a", "fd00::b", 44, 64, p1, 40, -1);
	ursa_test_rx_bytes(lc, f, n1);
	n2 = frame6(f, MAC_B, MAC_A, 20, "fd00::a", "fd00::b", 44, 64, p2, 8 + bl - 32, -1);
	ursa_test_rx_bytes(lc, f, n2);
	CU_ASSERT_EQUAL(ursa_test_tx(lc), NULL);
	CU_ASSERT_EQUAL(c6(lc, "rx_reassembled"), 0);
	/* The second half on VLAN 10 completes VLAN 10's datagram, answered on VLAN 10. */
	n2 = frame6(f, MAC_B, MAC_A, 10, "fd00::a", "fd00::b", 44, 64, p2, 8 + bl - 32, -1);
	ursa_test_rx_bytes(lc, f, n2);
	{
		uint8_t want[256], rep[128];
		size_t wn;

		memcpy(rep, e, bl);
		rep[0] = 129;
		wn = frame6(want, MAC_A, MAC_B, 10, "fd00::b", "fd00::a", 58, 64, rep, bl, 0);
		ursa_test_expect_tx(lc, want, wn);
	}
	CU_ASSERT_EQUAL(c6(lc, "rx_reassembled"), 1);
	/* VLAN 20's half never completes: dropped after the 10 s reassembly time. */
	CU_ASSERT_EQUAL(ursa_quota_used(lc, 1, URSA_RES_reasm), 1);
	ursa_test_advance(lc, 9 * S);
	CU_ASSERT_EQUAL(c6(lc, "drop_frag_timeout"), 0);
	ursa_test_advance(lc, 2 * S);
	CU_ASSERT_EQUAL(c6(lc, "drop_frag_timeout"), 1);
	CU_ASSERT_EQUAL(ursa_quota_used(lc, 0, URSA_RES_reasm), 0);
	CU_ASSERT_EQUAL(ursa_quota_used(lc, 1, URSA_RES_reasm), 0);
	CU_ASSERT_EQUAL(ursa_hold_total(lc), 0);
	CU_ASSERT_EQUAL(ursa_test_tx(lc), NULL);
	ursa_lcore_destroy(lc);
}

/* ursa_icmp_error: port unreachable as UDP sends it, and the RFC 4443 2.4 suppressions. */
static void test_icmp6_error_rules(void)
{
	struct ursa_lcore *lc = mk();
	uint8_t f[256], want[512], udp[16] = {0x30, 0x39, 0x00, 0x07, 0, 16, 0, 0};
	struct rte_mbuf *m;
	size_t n, wn;

	learn_a(lc);
	n = frame6(f, MAC_B, MAC_A, 0, "fd00::a", "fd00::b", 17, 64, udp, 16, -1);
	m = ursa_test_mbuf(lc, f + 14, n - 14);
	ursa_icmp_error(lc, &lc->ifaces[0], m, AF_INET6, 1, 4, 0);
	wn = error_frame(want, 1, 4, 0, f + 14, n - 14);
	ursa_test_expect_tx(lc, want, wn);
	rte_pktmbuf_free(m);
	/* Not about a packet to a group... */
	ursa_test_advance(lc, S);
	n = frame6(f, MAC_B, MAC_A, 0, "fd00::a", "ff02::1", 17, 64, udp, 16, -1);
	m = ursa_test_mbuf(lc, f + 14, n - 14);
	ursa_icmp_error(lc, &lc->ifaces[0], m, AF_INET6, 1, 4, 0);
	CU_ASSERT_EQUAL(ci6(lc, "err_suppressed_mcast"), 1);
	/* ...but packet too big is. */
	ursa_icmp_error(lc, &lc->ifaces[0], m, AF_INET6, 2, 0, 1280);
	CU_ASSERT_EQUAL(ci6(lc, "tx_error"), 2);
	CU_ASSERT_EQUAL(ursa_test_tx_drain(lc), 1);
	rte_pktmbuf_free(m);
	/* Not about an ICMPv6 error. */
	ursa_test_advance(lc, S);
	n = frame6(f, MAC_B, MAC_A, 0, "fd00::a", "fd00::b", 58, 64,
		   (const uint8_t[]){1, 4, 0, 0, 0, 0, 0, 0}, 8, 0);
	m = ursa_test_mbuf(lc, f + 14, n - 14);
	ursa_icmp_error(lc, &lc->ifaces[0], m, AF_INET6, 1, 4, 0);
	CU_ASSERT_EQUAL(ci6(lc, "err_suppressed_icmp_error"), 1);
	rte_pktmbuf_free(m);
	/* Not to an unspecified source. */
	n = frame6(f, MAC_B, MAC_A, 0, "::", "fd00::b", 17, 64, udp, 16, -1);
	m = ursa_test_mbuf(lc, f + 14, n - 14);
	ursa_icmp_error(lc, &lc->ifaces[0], m, AF_INET6, 1, 4, 0);
	CU_ASSERT_EQUAL(ci6(lc, "err_suppressed_bad_src"), 1);
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(ursa_test_tx(lc), NULL);
	ursa_lcore_destroy(lc);
}

/* ursa_ip_output for IPv6: header fields, group MAC, fragmentation, no route. */
static void test_output(void)
{
	struct ursa_lcore *lc = mk();
	struct ursa_ip_tx tx = {
		.dst = ip("fd00::a"), .proto = 17, .tos = 0xb8, .iface = -1, .flowlabel = 0x12345};
	uint8_t want[2048], body[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	struct rte_mbuf *m;
	size_t wn;

	learn_a(lc);
	m = ursa_test_mbuf(lc, body, 8);
	CU_ASSERT_EQUAL(ursa_ip_output(lc, &tx, m), 0);
	wn = frame6(want, MAC_A, MAC_B, 0, "fd00::b", "fd00::a", 17, 64, body, 8, -1);
	want[14] = 0x6b; /* traffic class 0xb8, flow label 0x12345 */
	want[15] = 0x81;
	want[16] = 0x23;
	want[17] = 0x45;
	ursa_test_expect_tx(lc, want, wn);
	/* To a group: 33:33 and the group's low 32 bits, from the link-local address. */
	tx = (struct ursa_ip_tx){.dst = ip("ff02::1:2"), .proto = 17, .ttl = 1, .iface = 0};
	m = ursa_test_mbuf(lc, body, 8);
	CU_ASSERT_EQUAL(ursa_ip_output(lc, &tx, m), 0);
	wn = frame6(want, (const uint8_t[]){0x33, 0x33, 0, 1, 0, 2}, MAC_B, 0, "fe80::ff:fe00:b",
		    "ff02::1:2", 17, 1, body, 8, -1);
	ursa_test_expect_tx(lc, want, wn);
	/* Larger than the MTU: fragments of 1448 bytes (the largest multiple of 8 that fits
	 * with the fragment header), one random identification. */
	tx = (struct ursa_ip_tx){.dst = ip("fd00::a"), .proto = 17, .iface = -1};
	for (unsigned i = 0; i < 1461; i++)
		want[i] = (uint8_t)i;
	m = ursa_test_mbuf(lc, want, 1461);
	CU_ASSERT_EQUAL(ursa_ip_output(lc, &tx, m), 0);
	{
		struct rte_mbuf *f1 = ursa_test_tx(lc), *f2 = ursa_test_tx(lc);
		uint8_t a[1600], b2[128];
		const uint8_t *p1, *p2;

		CU_ASSERT_FATAL(f1 != NULL && f2 != NULL);
		CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(f1), 14 + 48 + 1448);
		CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(f2), 14 + 48 + 13);
		p1 = rte_pktmbuf_read(f1, 0, 14 + 48 + 1448, a);
		p2 = rte_pktmbuf_read(f2, 0, 14 + 48 + 13, b2);
		CU_ASSERT_EQUAL(p1[14 + 6], 44); /* next header: fragment */
		CU_ASSERT_EQUAL(p1[14 + 4] << 8 | p1[14 + 5], 8 + 1448);
		CU_ASSERT_EQUAL(p1[54], 17);
		CU_ASSERT_EQUAL(p1[56] << 8 | p1[57], 0x0001); /* offset 0, M */
		CU_ASSERT_EQUAL(p2[14 + 4] << 8 | p2[14 + 5], 8 + 13);
		CU_ASSERT_EQUAL(p2[56] << 8 | p2[57], 1448);	 /* offset 181 units, last */
		CU_ASSERT_EQUAL(memcmp(p1 + 58, p2 + 58, 4), 0); /* same identification */
		CU_ASSERT_EQUAL(memcmp(p1 + 62, want, 1448), 0);
		CU_ASSERT_EQUAL(memcmp(p2 + 62, want + 1448, 13), 0);
		rte_pktmbuf_free(f1);
		rte_pktmbuf_free(f2);
	}
	CU_ASSERT_EQUAL(c6(lc, "tx_frags"), 2);
	m = ursa_test_mbuf(lc, want, 1460);
	CU_ASSERT_EQUAL(ursa_ip_output(lc, &tx, m), 0);
	CU_ASSERT_EQUAL(ursa_test_tx_drain(lc), 1);
	CU_ASSERT_EQUAL(c6(lc, "tx_frags"), 2);
	/* No route to another tenant's prefix. */
	tx = (struct ursa_ip_tx){.dst = ip("fd01::1"), .proto = 17, .iface = -1};
	m = ursa_test_mbuf(lc, body, 8);
	CU_ASSERT_EQUAL(ursa_ip_output(lc, &tx, m), -EHOSTUNREACH);
	CU_ASSERT_EQUAL(c6(lc, "tx"), 4 + 1 /* learn_a's NA */);
	CU_ASSERT_EQUAL(c6(lc, "tx_mcast"), 1);
	ursa_lcore_destroy(lc);
}

/* One of our own addresses as the source (global or link-local, unicast or to all-nodes):
 * dropped and counted. A tentative address is not ours yet: the node defending it (DAD)
 * sends from it, and that advertisement must reach DAD. */
static void test_own_source_dropped(void)
{
	struct ursa_lcore *lc = mk();
	const uint8_t alln[6] = {0x33, 0x33, 0, 0, 0, 1};
	uint8_t f[256], b[128];
	uint8_t na[32] = {136, 0, 0, 0,	   0x20, 0, 0, 0,    0xfe, 0x80, 0, 0, 0, 0, 0, 0,
			  0,   0, 0, 0xff, 0xfe, 0, 0, 0x0b, 2,	   1,	 2, 0, 0, 0, 0, 0x0a};
	size_t n, bl = echo_body(b);

	learn_a(lc);
	n = frame6(f, MAC_B, MAC_A, 0, "fd00::b", "fd00::b", 58, 64, b, bl, 0);
	ursa_test_rx_bytes(lc, f, n);
	n = frame6(f, alln, MAC_A, 0, "fd00::b", "ff02::1", 58, 64, b, bl, 0);
	ursa_test_rx_bytes(lc, f, n);
	n = frame6(f, MAC_B, MAC_A, 0, "fe80::ff:fe00:b", "fd00::b", 58, 64, b, bl, 0);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(c6(lc, "drop_src_own"), 3);
	CU_ASSERT_EQUAL(ci6(lc, "rx_echo_request"), 0);
	CU_ASSERT_EQUAL(ursa_test_tx(lc), NULL);
	/* the peer's own address still works */
	n = frame6(f, MAC_B, MAC_A, 0, "fd00::a", "fd00::b", 58, 64, b, bl, 0);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(ci6(lc, "rx_echo_request"), 1);
	CU_ASSERT_EQUAL(ursa_test_tx_drain(lc), 1);
	ursa_lcore_destroy(lc);

	/* DAD: fe80::ff:fe00:b is tentative; its owner defends it from that very address */
	lc = mk();
	ursa_ip6_announce(lc, &lc->ifaces[0]);
	ursa_test_advance(lc, S); /* the link-local probe is out */
	ursa_test_tx_drain(lc);
	rx_nd(lc, "fe80::ff:fe00:b", "ff02::1", alln, 255, na, 32);
	CU_ASSERT_EQUAL(c6(lc, "drop_src_own"), 0);
	CU_ASSERT_EQUAL(ci6(lc, "dad_duplicate"), 1);
	ursa_lcore_destroy(lc);
}

int main(void)
{
	CU_pSuite s = ursa_test_suite("ip6", NULL, NULL);

	CU_add_test(s, "NS -> NA as Linux sends it", test_ns_na_linux);
	CU_add_test(s, "echo reply, unicast and to all-nodes", test_echo_linux);
	CU_add_test(s, "resolver NS, NA, queued packet leaves", test_resolve_linux);
	CU_add_test(s, "input drops by reason", test_input_drops);
	CU_add_test(s, "extension headers skipped", test_ext_headers);
	CU_add_test(s, "extension headers refused", test_ext_param_problem);
	CU_add_test(s, "fragment reassembly", test_fragments);
	CU_add_test(s, "ND validation", test_nd_validation);
	CU_add_test(s, "DAD success", test_dad_ok);
	CU_add_test(s, "DAD duplicate", test_dad_duplicate);
	CU_add_test(s, "VLAN tenant separation for ND", test_vlan_tenants);
	CU_add_test(s, "VLAN tenant separation for fragments", test_vlan_fragments);
	CU_add_test(s, "ICMPv6 error rules", test_icmp6_error_rules);
	CU_add_test(s, "IPv6 output", test_output);
	CU_add_test(s, "our own address as source", test_own_source_dropped);
	return ursa_test_main();
}
