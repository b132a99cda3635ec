/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of IPv4 and ICMP: every input validation drop, echo replies (exact bytes, as the
 * kernel sends them), broadcast echo ignored, reassembly and fragmented output, DF, routes
 * (tenant isolation, longest prefix, gateway resolved by ARP), protocol unreachable and the
 * ICMP error rate limit.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_arp.h>
#include <rte_icmp.h>
#include <rte_ip.h>

#include "ursa_arp.h"
#include "ursa_eth.h"
#include "ursa_ip.h"
#include "ursa_test.h"

static const struct rte_ether_addr our_mac = URSA_TEST_MAC;
static const struct rte_ether_addr peer_mac = URSA_TEST_PEER_MAC;
static const struct rte_ether_addr bcast_mac = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};

#define OUR  "10.250.0.1"
#define PEER "10.250.0.2"

static struct ursa_ipaddr A(const char *s) {
	return ursa_test_ip(s);
}

static uint64_t
ctr(struct ursa_lcore *lc, const char *block, const char *name)
{
	return ursa_test_counter(lc, block, name);
}

/* An lcore with eth, arp and ip up; interface 0 (tenant 1) holds 10.250.0.1/24 and knows the
 * peer 10.250.0.2 at URSA_TEST_PEER_MAC. */
static struct ursa_lcore *mk(void)
{
	struct ursa_lcore *lc = ursa_test_lcore(5);
	struct ursa_iface_conf c0 = {.port = 0, .tenant = 1, .no_linklocal = true};
	struct ursa_ipaddr a = A(OUR), p = A(PEER);
	uint16_t idx;

	CU_ASSERT_FATAL(lc != NULL);
	CU_ASSERT_FATAL(ursa_eth_init(lc) == 0);
	CU_ASSERT_FATAL(ursa_arp_init(lc) == 0);
	CU_ASSERT_FATAL(ursa_ip_init(lc) == 0);
	CU_ASSERT_FATAL(ursa_iface_add(lc, &c0, &idx) == 0);
	CU_ASSERT_FATAL(ursa_iface_addr_add(lc, idx, &a, 24) == 0);
	ursa_neigh_update(lc, &lc->ifaces[0], &p, &peer_mac, true, true);
	return lc;
}

/* Ethernet + IPv4 (20-byte header, correct checksum) + l4. Returns the frame length. */
static size_t build(uint8_t *b, const struct rte_ether_addr *dmac,
		    const struct rte_ether_addr *smac, const char *src, const char *dst,
		    uint8_t proto, uint8_t ttl, uint8_t tos, uint16_t id, uint16_t frag,
		    const void *l4, size_t l4len)
{
	struct ursa_test_l3 h = {.dmac = dmac,
				 .smac = smac,
				 .src = src,
				 .dst = dst,
				 .proto = proto,
				 .ttl = ttl,
				 .tos = tos,
				 .id = id,
				 .frag = frag};

	return ursa_test_ipv4_frame(b, &h, l4, l4len);
}

/* An ICMP echo message with datalen bytes of pattern. */
static size_t echo(uint8_t *l4, uint8_t type, uint16_t id, uint16_t seq, size_t datalen)
{
	return ursa_test_icmp_echo(l4, type, id, seq, datalen);
}

static uint16_t ip_id(const uint8_t *frame)
{
	return rte_be_to_cpu_16(((const struct rte_ipv4_hdr *)(frame + 14))->packet_id);
}

/* ---- input validation ---- */

static void test_validation_drops(void)
{
	struct ursa_lcore *lc = mk();
	uint8_t f[256], l4[64];
	size_t n, l = echo(l4, RTE_IP_ICMP_ECHO_REQUEST, 1, 1, 8);
	struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)(f + 14);

	/* shorter than a header */
	n = build(f, &our_mac, &peer_mac, PEER, OUR, IPPROTO_ICMP, 64, 0, 1, 0, l4, l);
	ursa_test_rx_bytes(lc, f, 14 + 19);
	CU_ASSERT_EQUAL(ctr(lc, "ip", "drop_short"), 1);
	/* version 6 in an IPv4 EtherType */
	h->version_ihl = 0x65;
	ursa_test_ipv4_fix_cksum(f + 14);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(ctr(lc, "ip", "drop_version"), 1);
	/* IHL 4 */
	h->version_ihl = 0x44;
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(ctr(lc, "ip", "drop_bad_ihl"), 1);
	/* IHL 15 = 60 bytes > the 36 there are */
	h->version_ihl = 0x4f;
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(ctr(lc, "ip", "drop_bad_ihl"), 2);
	/* total length below the header */
	n = build(f, &our_mac, &peer_mac, PEER, OUR, IPPROTO_ICMP, 64, 0, 1, 0, l4, l);
	h->total_length = RTE_BE16(19);
	ursa_test_ipv4_fix_cksum(f + 14);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(ctr(lc, "ip", "drop_bad_len"), 1);
	/* total length beyond the data */
	h->total_length = rte_cpu_to_be_16((uint16_t)(n - 14 + 1));
	ursa_test_ipv4_fix_cksum(f + 14);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(ctr(lc, "ip", "drop_bad_len"), 2);
	/* header checksum */
	n = build(f, &our_mac, &peer_mac, PEER, OUR, IPPROTO_ICMP, 64, 0, 1, 0, l4, l);
	h->hdr_checksum ^= 0x0100;
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(ctr(lc, "ip", "drop_bad_cksum"), 1);
	/* sources: zero (also DHCP-like to broadcast), multicast, broadcasts, loopback */
	n = build(f, &our_mac, &peer_mac, "0.0.0.0", OUR, IPPROTO_ICMP, 64, 0, 1, 0, l4, l);
	ursa_test_rx_bytes(lc, f, n);
	n = build(f, &bcast_mac, &peer_mac, "0.0.0.0", "255.255.255.255", IPPROTO_UDP, 64, 0, 1, 0,
		  l4, l);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(ctr(lc, "ip", "drop_src_zero"), 2);
	n = build(f, &our_mac, &peer_mac, "224.0.0.1", OUR, IPPROTO_ICMP, 64, 0, 1, 0, l4, l);
	ursa_test_rx_bytes(lc, f, n);
	n = build(f, &our_mac, &peer_mac, "255.255.255.255", OUR, IPPROTO_ICMP, 64, 0, 1, 0, l4, l);
	ursa_test_rx_bytes(lc, f, n);
	n = build(f, &our_mac, &peer_mac, "10.250.0.255", OUR, IPPROTO_ICMP, 64, 0, 1, 0, l4, l);
	ursa_test_rx_bytes(lc, f, n);
	n = build(f, &our_mac, &peer_mac, "127.0.0.1", OUR, IPPROTO_ICMP, 64, 0, 1, 0, l4, l);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(ctr(lc, "ip", "drop_bad_src"), 4);
	/* not ours: a host never forwards */
	n = build(f, &our_mac, &peer_mac, PEER, "10.250.0.3", IPPROTO_ICMP, 64, 0, 1, 0, l4, l);
	ursa_test_rx_bytes(lc, f, n);
	n = build(f, &our_mac, &peer_mac, PEER, "192.168.7.7", IPPROTO_ICMP, 64, 0, 1, 0, l4, l);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(ctr(lc, "ip", "drop_not_local"), 2);
	/* a group we did not join */
	n = build(f, &bcast_mac, &peer_mac, PEER, "224.0.0.5", IPPROTO_ICMP, 64, 0, 1, 0, l4, l);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(ctr(lc, "ip", "drop_mcast_not_joined"), 1);
	/* a bad fragment: MF with a length that is not a multiple of 8 */
	n = build(f, &our_mac, &peer_mac, PEER, OUR, IPPROTO_ICMP, 64, 0, 1, RTE_IPV4_HDR_MF_FLAG,
		  l4, 13);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(ctr(lc, "ip", "drop_bad_frag"), 1);

	CU_ASSERT_EQUAL(ctr(lc, "ip", "rx"), 17);
	CU_ASSERT_EQUAL(ctr(lc, "ip", "rx_delivered"), 0);
	CU_ASSERT_EQUAL(ursa_test_tx_drain(lc), 0);
	ursa_lcore_destroy(lc);
}

/* Options are skipped, link padding is trimmed, and the packet is still answered. */
static void test_options_and_padding(void)
{
	struct ursa_lcore *lc = mk();
	uint8_t f[256], out[256], l4[64];
	size_t l = echo(l4, RTE_IP_ICMP_ECHO_REQUEST, 9, 1, 4), n;
	struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)(f + 14);

	/* one 4-byte option (NOP x 3 + EOL) in front of the ICMP message */
	n = build(f, &our_mac, &peer_mac, PEER, OUR, IPPROTO_ICMP, 64, 0, 1, 0, l4, l);
	memmove(f + 14 + 24, f + 14 + 20, l);
	memcpy(f + 14 + 20, "\x01\x01\x01\x00", 4);
	h->version_ihl = 0x46;
	h->total_length = rte_cpu_to_be_16((uint16_t)(24 + l));
	ursa_test_ipv4_fix_cksum(f + 14);
	n += 4;
	memset(f + n, 0xee, 60 - n); /* link padding to the minimum frame */
	ursa_test_rx_bytes(lc, f, 60);
	CU_ASSERT_EQUAL(ctr(lc, "ip", "rx_options"), 1);
	CU_ASSERT_EQUAL(ctr(lc, "ip", "rx_padding_trimmed"), 1);
	CU_ASSERT_EQUAL(ctr(lc, "icmp", "tx_echo_reply"), 1);
	n = ursa_test_tx_copy(lc, out, sizeof(out));
	CU_ASSERT_EQUAL(n, 14 + 20 + l); /* no options in the reply, no padding echoed */
	ursa_lcore_destroy(lc);
}

/* ---- ICMP echo ---- */

static void test_echo_reply_bytes(void)
{
	struct ursa_lcore *lc = mk();
	uint8_t f[256], out[256], want[256], l4[128], rl4[128];
	size_t l = echo(l4, RTE_IP_ICMP_ECHO_REQUEST, 0x2793, 1, 56), n, wn;

	/* As ping -Q 0x10 sends it: DF, TOS 0x10. */
	n = build(f, &our_mac, &peer_mac, PEER, OUR, IPPROTO_ICMP, 64, 0x10, 0xc8f0,
		  RTE_IPV4_HDR_DF_FLAG, l4, l);
	ursa_test_rx_bytes(lc, f, n);
	n = ursa_test_tx_copy(lc, out, sizeof(out));
	CU_ASSERT_EQUAL_FATAL(n, 98);
	/* The kernel's reply: same id/seq/data, TTL 64, TOS copied, DF clear, from the address
	 * the request was sent to. Only the IP ID is free. */
	echo(rl4, RTE_IP_ICMP_ECHO_REPLY, 0x2793, 1, 56);
	wn = build(want, &peer_mac, &our_mac, OUR, PEER, IPPROTO_ICMP, 64, 0x10, ip_id(out), 0, rl4,
		   l);
	CU_ASSERT_EQUAL(wn, n);
	CU_ASSERT(memcmp(out, want, n) == 0);
	CU_ASSERT_EQUAL(ctr(lc, "icmp", "rx_echo_request"), 1);
	CU_ASSERT_EQUAL(ctr(lc, "icmp", "tx_echo_reply"), 1);
	CU_ASSERT_EQUAL(ctr(lc, "ip", "tx"), 1);
	/* IDs advance per packet */
	ursa_test_rx_bytes(lc, f, n);
	n = ursa_test_tx_copy(lc, f, sizeof(f));
	CU_ASSERT_EQUAL(ip_id(f), (uint16_t)(ip_id(out) + 1));
	ursa_lcore_destroy(lc);
}

static void test_echo_ttl1(void)
{
	struct ursa_lcore *lc = mk();
	uint8_t f[256], l4[64];
	size_t l = echo(l4, RTE_IP_ICMP_ECHO_REQUEST, 5, 5, 16), n;

	n = build(f, &our_mac, &peer_mac, PEER, OUR, IPPROTO_ICMP, 1, 0, 7, 0, l4, l);
	ursa_test_rx_bytes(lc, f, n);
	n = ursa_test_tx_copy(lc, f, sizeof(f));
	CU_ASSERT_EQUAL_FATAL(n, 14 + 20 + l);
	CU_ASSERT_EQUAL(((struct rte_ipv4_hdr *)(f + 14))->time_to_live, 64);
	ursa_lcore_destroy(lc);
}

static void test_echo_broadcast_ignored(void)
{
	struct ursa_lcore *lc = mk();
	uint8_t f[256], l4[64];
	size_t l = echo(l4, RTE_IP_ICMP_ECHO_REQUEST, 5, 5, 16), n;

	n = build(f, &bcast_mac, &peer_mac, PEER, "255.255.255.255", IPPROTO_ICMP, 64, 0, 7, 0, l4,
		  l);
	ursa_test_rx_bytes(lc, f, n);
	n = build(f, &bcast_mac, &peer_mac, PEER, "10.250.0.255", IPPROTO_ICMP, 64, 0, 7, 0, l4, l);
	ursa_test_rx_bytes(lc, f, n);
	n = build(f, &bcast_mac, &peer_mac, PEER, "224.0.0.1", IPPROTO_ICMP, 64, 0, 7, 0, l4, l);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(ctr(lc, "ip", "rx_bcast"), 2);
	CU_ASSERT_EQUAL(ctr(lc, "ip", "rx_mcast"), 1);
	CU_ASSERT_EQUAL(ctr(lc, "icmp", "rx_echo_request"), 3);
	CU_ASSERT_EQUAL(ctr(lc, "icmp", "drop_echo_bcast"), 3);
	CU_ASSERT_EQUAL(ursa_test_tx_drain(lc), 0);
	ursa_lcore_destroy(lc);
}

static void test_icmp_bad_cksum_and_types(void)
{
	struct ursa_lcore *lc = mk();
	uint8_t f[256], l4[64];
	size_t l = echo(l4, RTE_IP_ICMP_ECHO_REQUEST, 5, 5, 16), n;

	l4[10] ^= 1;
	n = build(f, &our_mac, &peer_mac, PEER, OUR, IPPROTO_ICMP, 64, 0, 7, 0, l4, l);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(ctr(lc, "icmp", "drop_bad_cksum"), 1);
	n = build(f, &our_mac, &peer_mac, PEER, OUR, IPPROTO_ICMP, 64, 0, 7, 0, l4, 5);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(ctr(lc, "icmp", "drop_short"), 1);
	l = echo(l4, RTE_IP_ICMP_ECHO_REPLY, 5, 5, 16);
	n = build(f, &our_mac, &peer_mac, PEER, OUR, IPPROTO_ICMP, 64, 0, 7, 0, l4, l);
	ursa_test_rx_bytes(lc, f, n);
	l = echo(l4, 42, 5, 5, 16);
	n = build(f, &our_mac, &peer_mac, PEER, OUR, IPPROTO_ICMP, 64, 0, 7, 0, l4, l);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(ctr(lc, "icmp", "rx_echo_reply"), 1);
	CU_ASSERT_EQUAL(ctr(lc, "icmp", "rx_other_type"), 1);
	CU_ASSERT_EQUAL(ursa_test_tx_drain(lc), 0);
	ursa_lcore_destroy(lc);
}

/* ---- fragments ---- */

static void test_fragmented_echo(void)
{
	struct ursa_lcore *lc = mk();
	static uint8_t l4[3100], rl4[3100], f[1600], got[3100];
	size_t l = echo(l4, RTE_IP_ICMP_ECHO_REQUEST, 77, 1, 3000), n, off = 0;
	const size_t piece[3] = {1480, 1480, 48};
	uint16_t id = 0;

	CU_ASSERT_EQUAL_FATAL(l, 3008);
	for (int i = 0; i < 3; i++) {
		uint16_t fo = (uint16_t)(off / 8) | (i < 2 ? RTE_IPV4_HDR_MF_FLAG : 0);

		n = build(f, &our_mac, &peer_mac, PEER, OUR, IPPROTO_ICMP, 64, 0, 0xc8ff, fo,
			  l4 + off, piece[i]);
		/* the second fragment arrives last */
		if (i == 1) {
			off += piece[i];
			continue;
		}
		ursa_test_rx_bytes(lc, f, n);
		off += piece[i];
	}
	CU_ASSERT_EQUAL(ursa_test_tx_drain(lc), 0);
	n = build(f, &our_mac, &peer_mac, PEER, OUR, IPPROTO_ICMP, 64, 0, 0xc8ff,
		  (uint16_t)(1480 / 8) | RTE_IPV4_HDR_MF_FLAG, l4 + 1480, 1480);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(ctr(lc, "ip", "rx_frags"), 3);
	CU_ASSERT_EQUAL(ctr(lc, "ip", "rx_reassembled"), 1);
	CU_ASSERT_EQUAL(ctr(lc, "icmp", "tx_echo_reply"), 1);
	CU_ASSERT_EQUAL(ctr(lc, "ip", "tx_frags"), 3);

	/* The reply leaves in three fragments at MTU 1500, as the kernel's does. */
	off = 0;
	for (int i = 0; i < 3; i++) {
		const struct rte_ipv4_hdr *h = (const struct rte_ipv4_hdr *)(f + 14);
		uint16_t fo;

		n = ursa_test_tx_copy(lc, f, sizeof(f));
		CU_ASSERT_EQUAL_FATAL(n, 14 + 20 + piece[i]);
		fo = rte_be_to_cpu_16(h->fragment_offset);
		CU_ASSERT_EQUAL(rte_be_to_cpu_16(h->total_length), 20 + piece[i]);
		CU_ASSERT_EQUAL(fo & RTE_IPV4_HDR_OFFSET_MASK, off / 8);
		CU_ASSERT_EQUAL(!!(fo & RTE_IPV4_HDR_MF_FLAG), i < 2);
		CU_ASSERT_EQUAL(fo & RTE_IPV4_HDR_DF_FLAG, 0);
		CU_ASSERT_EQUAL(rte_raw_cksum(h, 20), 0xffff);
		CU_ASSERT_EQUAL(h->src_addr, A(OUR).v4);
		CU_ASSERT_EQUAL(h->dst_addr, A(PEER).v4);
		CU_ASSERT(memcmp(f, &peer_mac, 6) == 0);
		if (i == 0)
			id = ip_id(f);
		CU_ASSERT_EQUAL(ip_id(f), id);
		memcpy(got + off, f + 34, piece[i]);
		off += piece[i];
	}
	CU_ASSERT_PTR_NULL(ursa_test_tx(lc));
	echo(rl4, RTE_IP_ICMP_ECHO_REPLY, 77, 1, 3000);
	CU_ASSERT(memcmp(got, rl4, l) == 0);
	ursa_lcore_destroy(lc);
}

/* Two tenants with the same address on different VLANs never complete each other's
 * datagrams: reassembly is per interface. */
static void test_fragments_per_interface(void)
{
	struct ursa_lcore *lc = mk();
	struct rte_ether_addr vmac = {{0x02, 0, 0, 0, 0, 0x0a}};
	struct ursa_iface_conf c1 = {
		.port = 0, .vlan = 10, .tenant = 2, .mac = &vmac, .no_linklocal = true};
	struct ursa_ipaddr a = A(OUR), p = A(PEER);
	static uint8_t l4[3100], f[1600];
	const size_t piece[3] = {1480, 1480, 48};
	size_t n, off;
	uint16_t i1;

	CU_ASSERT_FATAL(ursa_iface_add(lc, &c1, &i1) == 0);
	CU_ASSERT_FATAL(ursa_iface_addr_add(lc, i1, &a, 24) == 0);
	ursa_neigh_update(lc, &lc->ifaces[i1], &p, &peer_mac, true, true);
	echo(l4, RTE_IP_ICMP_ECHO_REQUEST, 78, 1, 3000);
	/* the first fragment on the untagged interface (tenant 1), the rest on VLAN 10 */
	off = 0;
	for (int i = 0; i < 3; i++) {
		uint16_t fo = (uint16_t)(off / 8) | (i < 2 ? RTE_IPV4_HDR_MF_FLAG : 0);

		n = build(f, i == 0 ? &our_mac : &vmac, &peer_mac, PEER, OUR, IPPROTO_ICMP, 64, 0,
			  0x4242, fo, l4 + off, piece[i]);
		if (i > 0)
			n = ursa_test_vlan_insert(f, n, 10);
		ursa_test_rx_bytes(lc, f, n);
		off += piece[i];
	}
	CU_ASSERT_EQUAL(ctr(lc, "ip", "rx_frags"), 3);
	CU_ASSERT_EQUAL(ctr(lc, "ip", "rx_reassembled"), 0);
	CU_ASSERT_EQUAL(ursa_test_tx_drain(lc), 0);
	/* the rest on the untagged interface completes tenant 1's datagram */
	off = piece[0];
	for (int i = 1; i < 3; i++) {
		uint16_t fo = (uint16_t)(off / 8) | (i < 2 ? RTE_IPV4_HDR_MF_FLAG : 0);

		n = build(f, &our_mac, &peer_mac, PEER, OUR, IPPROTO_ICMP, 64, 0, 0x4242, fo,
			  l4 + off, piece[i]);
		ursa_test_rx_bytes(lc, f, n);
		off += piece[i];
	}
	CU_ASSERT_EQUAL(ctr(lc, "ip", "rx_reassembled"), 1);
	n = ursa_test_tx_copy(lc, f, sizeof(f));
	CU_ASSERT_EQUAL(n, 14 + 1500); /* the reply's first fragment, untagged */
	CU_ASSERT_EQUAL(ursa_test_tx_drain(lc), 2);
	ursa_lcore_destroy(lc);
}

/* An incomplete datagram is dropped after 10 s without a leak. */
static void test_fragment_timeout(void)
{
	struct ursa_lcore *lc = mk();
	static uint8_t l4[3100], f[1600];
	size_t n;

	echo(l4, RTE_IP_ICMP_ECHO_REQUEST, 77, 1, 3000);
	n = build(f, &our_mac, &peer_mac, PEER, OUR, IPPROTO_ICMP, 64, 0, 0x1234,
		  RTE_IPV4_HDR_MF_FLAG, l4, 1480);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(ursa_quota_used(lc, 0, URSA_RES_reasm), 1);
	ursa_test_advance(lc, 9ull * 1000000000ull);
	CU_ASSERT_EQUAL(ctr(lc, "ip", "drop_frag_timeout"), 0);
	ursa_test_advance(lc, 2ull * 1000000000ull);
	CU_ASSERT_EQUAL(ctr(lc, "ip", "drop_frag_timeout"), 1);
	CU_ASSERT_EQUAL(ursa_quota_used(lc, 0, URSA_RES_reasm), 0);
	CU_ASSERT_EQUAL(ursa_hold_total(lc), 0);
	/* the late rest starts a new datagram and never completes */
	n = build(f, &our_mac, &peer_mac, PEER, OUR, IPPROTO_ICMP, 64, 0, 0x1234, 1480 / 8,
		  l4 + 1480, 1480);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(ctr(lc, "ip", "rx_reassembled"), 0);
	CU_ASSERT_EQUAL(ursa_test_tx_drain(lc), 0);
	ursa_lcore_destroy(lc);
}

static void first_frags(struct ursa_lcore *lc, const uint8_t *l4, uint16_t id0, uint16_t n)
{
	static uint8_t f[1600];

	for (uint16_t id = id0; id < id0 + n; id++)
		ursa_test_rx_bytes(lc, f,
				   build(f, &our_mac, &peer_mac, PEER, OUR, IPPROTO_ICMP, 64, 0, id,
					 RTE_IPV4_HDR_MF_FLAG, l4, 1480));
}

/* The interface may hold 6 fragments: a complete datagram gives its fragments back; past
 * the quota, fragments are dropped and counted. */
static void test_fragment_quota(void)
{
	struct ursa_lcore *lc = mk();
	static uint8_t l4[3100], f[1600];
	size_t n;

	lc->ifaces[0].quota.max[URSA_RES_reasm] = 6;
	echo(l4, RTE_IP_ICMP_ECHO_REQUEST, 77, 1, 3000);
	first_frags(lc, l4, 0x100, 4);
	CU_ASSERT_EQUAL(ursa_quota_used(lc, 0, URSA_RES_reasm), 4);
	/* the rest of datagram 0x100 (two more fragments) completes it */
	n = build(f, &our_mac, &peer_mac, PEER, OUR, IPPROTO_ICMP, 64, 0, 0x100,
		  RTE_IPV4_HDR_MF_FLAG | (1480 / 8), l4 + 1480, 1480);
	ursa_test_rx_bytes(lc, f, n);
	n = build(f, &our_mac, &peer_mac, PEER, OUR, IPPROTO_ICMP, 64, 0, 0x100, 2960 / 8,
		  l4 + 2960, 3008 - 2960);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(ctr(lc, "ip", "rx_reassembled"), 1);
	CU_ASSERT_EQUAL(ursa_quota_used(lc, 0, URSA_RES_reasm), 3);
	/* ten more datagrams start: three fit */
	first_frags(lc, l4, 0x200, 10);
	CU_ASSERT_EQUAL(ursa_quota_used(lc, 0, URSA_RES_reasm), 6);
	CU_ASSERT_EQUAL(ctr(lc, "ip", "drop_frag_quota"), 7);
	CU_ASSERT_EQUAL(ctr(lc, "quota", "drop_reasm_iface"), 7);
	CU_ASSERT_EQUAL(ursa_test_counter(lc, "hold", "held_reasm"), 6);
	ursa_test_tx_drain(lc);
	ursa_lcore_destroy(lc);
	(void)f;
}

static void test_df_too_big(void)
{
	struct ursa_lcore *lc = mk();
	struct ursa_ip_tx t = {.dst = A(PEER), .proto = 253, .df = true, .tenant = 1, .iface = -1};
	struct rte_mbuf *m = ursa_pkt_alloc(lc);

	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_FATAL(rte_pktmbuf_append(m, 1481) != NULL);
	CU_ASSERT_EQUAL(ursa_ip_output(lc, &t, m), -EMSGSIZE);
	CU_ASSERT_EQUAL(ctr(lc, "ip", "drop_msgsize"), 1);
	/* exactly the MTU passes */
	m = ursa_pkt_alloc(lc);
	CU_ASSERT_FATAL(rte_pktmbuf_append(m, 1480) != NULL);
	CU_ASSERT_EQUAL(ursa_ip_output(lc, &t, m), 0);
	CU_ASSERT_EQUAL(ursa_test_tx_drain(lc), 1);
	ursa_lcore_destroy(lc);
}

/* ---- routes ---- */

static void test_route_tenants_and_prefixes(void)
{
	struct ursa_lcore *lc = mk();
	struct rte_ether_addr vmac = {{0x02, 0, 0, 0, 0, 0x0a}};
	struct ursa_iface_conf c1 = {
		.port = 0, .vlan = 10, .tenant = 2, .mac = &vmac, .no_linklocal = true};
	struct ursa_ipaddr a1 = A("10.250.1.1"), nh, src, pfx, gw;
	struct ursa_ip_tx t = {.tenant = 1, .iface = -1};
	struct ursa_iface *ifc;
	uint16_t i1;

	CU_ASSERT_FATAL(ursa_iface_add(lc, &c1, &i1) == 0);
	CU_ASSERT_FATAL(ursa_iface_addr_add(lc, i1, &a1, 24) == 0);
	/* tenant 2 has a route to 10.99/16; tenant 1 has none */
	pfx = A("10.99.0.0");
	gw = A("10.250.1.254");
	CU_ASSERT_EQUAL(ursa_ip_route_add(lc, 2, &pfx, 16, &gw, i1), 0);
	CU_ASSERT_EQUAL(ursa_ip_route_add(lc, 2, &pfx, 16, &gw, i1), -EEXIST);
	CU_ASSERT_EQUAL(ursa_ip_route_add(lc, 1, &pfx, 16, &gw, i1), -EINVAL); /* wrong tenant */
	t.dst = A("10.99.1.1");
	CU_ASSERT_EQUAL(ursa_ip_route(lc, &t, &ifc, &nh, &src), -EHOSTUNREACH);
	/* nor the other tenant's connected prefix */
	t.dst = A("10.250.1.7");
	CU_ASSERT_EQUAL(ursa_ip_route(lc, &t, &ifc, &nh, &src), -EHOSTUNREACH);
	t.tenant = 2;
	t.dst = A("10.99.1.1");
	CU_ASSERT_EQUAL_FATAL(ursa_ip_route(lc, &t, &ifc, &nh, &src), 0);
	CU_ASSERT_EQUAL(ifc->index, i1);
	CU_ASSERT(ursa_ipaddr_eq(&nh, &gw));
	CU_ASSERT(ursa_ipaddr_eq(&src, &a1));

	/* longest prefix in tenant 1: /8 via .253, /16 via .254, the connected /24 */
	t.tenant = 1;
	pfx = A("10.0.0.0");
	gw = A("10.250.0.253");
	CU_ASSERT_EQUAL(ursa_ip_route_add(lc, 1, &pfx, 8, &gw, 0), 0);
	pfx = A("10.99.0.0");
	gw = A("10.250.0.254");
	CU_ASSERT_EQUAL(ursa_ip_route_add(lc, 1, &pfx, 16, &gw, 0), 0);
	t.dst = A("10.99.5.5");
	CU_ASSERT_EQUAL_FATAL(ursa_ip_route(lc, &t, &ifc, &nh, &src), 0);
	CU_ASSERT_EQUAL(ifc->index, 0);
	CU_ASSERT(ursa_ipaddr_eq(&nh, &gw));
	a1 = A(OUR);
	CU_ASSERT(ursa_ipaddr_eq(&src, &a1));
	t.dst = A("10.1.2.3");
	CU_ASSERT_EQUAL_FATAL(ursa_ip_route(lc, &t, &ifc, &nh, &src), 0);
	a1 = A("10.250.0.253");
	CU_ASSERT(ursa_ipaddr_eq(&nh, &a1));
	t.dst = A("10.250.0.9");
	CU_ASSERT_EQUAL_FATAL(ursa_ip_route(lc, &t, &ifc, &nh, &src), 0);
	CU_ASSERT(ursa_ipaddr_eq(&nh, &t.dst));
	t.dst = A("192.168.1.1");
	CU_ASSERT_EQUAL(ursa_ip_route(lc, &t, &ifc, &nh, &src), -EHOSTUNREACH);
	/* a default route */
	pfx = A("0.0.0.0");
	CU_ASSERT_EQUAL(ursa_ip_route_add(lc, 1, &pfx, 0, &gw, 0), 0);
	CU_ASSERT_EQUAL_FATAL(ursa_ip_route(lc, &t, &ifc, &nh, &src), 0);
	CU_ASSERT(ursa_ipaddr_eq(&nh, &gw));
	/* a given interface: on-link there, else its routes only */
	t.iface = 0;
	t.dst = A("10.250.0.77");
	CU_ASSERT_EQUAL_FATAL(ursa_ip_route(lc, &t, &ifc, &nh, &src), 0);
	CU_ASSERT(ursa_ipaddr_eq(&nh, &t.dst));
	t.iface = i1;
	t.dst = A("10.1.2.3"); /* interface 1 has no route there (only tenant 1's do) */
	CU_ASSERT_EQUAL(ursa_ip_route(lc, &t, &ifc, &nh, &src), -EHOSTUNREACH);
	/* an explicit source is kept */
	t.iface = -1;
	t.src = A("10.250.0.1");
	t.dst = A("10.250.0.9");
	CU_ASSERT_EQUAL_FATAL(ursa_ip_route(lc, &t, &ifc, &nh, &src), 0);
	CU_ASSERT(ursa_ipaddr_eq(&src, &t.src));
	ursa_lcore_destroy(lc);
}

/* A gateway next hop is resolved by ARP: the request goes out, the packet waits, and leaves
 * for the gateway's MAC after the reply. */
static void test_gateway_arp(void)
{
	struct ursa_lcore *lc = mk();
	struct ursa_ipaddr pfx = A("0.0.0.0"), gw = A("10.250.0.254");
	struct rte_ether_addr gmac = {{0x02, 0, 0, 0, 0, 0xfe}};
	struct ursa_ip_tx t = {.dst = A("10.99.1.1"), .proto = 253, .tenant = 1, .iface = -1};
	struct rte_mbuf *m = ursa_pkt_alloc(lc);
	uint8_t f[256];
	size_t n;

	CU_ASSERT_EQUAL(ursa_ip_route_add(lc, 1, &pfx, 0, &gw, 0), 0);
	CU_ASSERT_FATAL(m != NULL);
	memcpy(rte_pktmbuf_append(m, 4), "ursa", 4);
	CU_ASSERT_EQUAL(ursa_ip_output(lc, &t, m), 0);
	n = ursa_test_tx_copy(lc, f, sizeof(f));
	CU_ASSERT_FATAL(n >= 42);
	{
		const struct rte_ether_hdr *eh = (const struct rte_ether_hdr *)f;
		const struct rte_arp_hdr *ah = (const struct rte_arp_hdr *)(eh + 1);

		CU_ASSERT_EQUAL(eh->ether_type, RTE_BE16(RTE_ETHER_TYPE_ARP));
		CU_ASSERT_EQUAL(ah->arp_opcode, RTE_BE16(RTE_ARP_OP_REQUEST));
		CU_ASSERT_EQUAL(ah->arp_data.arp_tip, gw.v4);
		CU_ASSERT_EQUAL(ah->arp_data.arp_sip, A(OUR).v4);
	}
	CU_ASSERT_PTR_NULL(ursa_test_tx(lc)); /* the packet waits */
	/* the gateway answers */
	{
		struct rte_ether_hdr *eh = (struct rte_ether_hdr *)f;
		struct rte_arp_hdr *ah = (struct rte_arp_hdr *)(eh + 1);

		memset(f, 0, sizeof(f));
		eh->dst_addr = our_mac;
		eh->src_addr = gmac;
		eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
		ah->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
		ah->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
		ah->arp_hlen = 6;
		ah->arp_plen = 4;
		ah->arp_opcode = RTE_BE16(RTE_ARP_OP_REPLY);
		ah->arp_data.arp_sha = gmac;
		ah->arp_data.arp_sip = gw.v4;
		ah->arp_data.arp_tha = our_mac;
		ah->arp_data.arp_tip = A(OUR).v4;
		ursa_test_rx_bytes(lc, f, 60);
	}
	n = ursa_test_tx_copy(lc, f, sizeof(f));
	CU_ASSERT_EQUAL_FATAL(n, 14 + 20 + 4);
	CU_ASSERT(memcmp(f, &gmac, 6) == 0);
	CU_ASSERT_EQUAL(((struct rte_ipv4_hdr *)(f + 14))->dst_addr, t.dst.v4);
	CU_ASSERT(memcmp(f + 34, "ursa", 4) == 0);
	ursa_lcore_destroy(lc);
}

/* Broadcast and multicast destinations get their MAC without ARP. */
static void test_output_bcast_mcast(void)
{
	struct ursa_lcore *lc = mk();
	struct ursa_ip_tx t = {.dst = A("255.255.255.255"), .proto = 253, .tenant = 1, .iface = 0};
	const uint8_t mmac[6] = {0x01, 0x00, 0x5e, 0x7f, 0x00, 0x05};
	struct rte_mbuf *m = ursa_pkt_alloc(lc);
	uint8_t f[256];

	rte_pktmbuf_append(m, 8);
	CU_ASSERT_EQUAL(ursa_ip_output(lc, &t, m), 0);
	CU_ASSERT_EQUAL(ursa_test_tx_copy(lc, f, sizeof(f)), 42);
	CU_ASSERT(memcmp(f, &bcast_mac, 6) == 0);
	t.dst = A("239.255.0.5");
	m = ursa_pkt_alloc(lc);
	rte_pktmbuf_append(m, 8);
	CU_ASSERT_EQUAL(ursa_ip_output(lc, &t, m), 0);
	CU_ASSERT_EQUAL(ursa_test_tx_copy(lc, f, sizeof(f)), 42);
	CU_ASSERT(memcmp(f, mmac, 6) == 0);
	CU_ASSERT_EQUAL(ctr(lc, "ip", "tx_bcast"), 1);
	CU_ASSERT_EQUAL(ctr(lc, "ip", "tx_mcast"), 1);
	ursa_lcore_destroy(lc);
}

/* ---- ICMP errors ---- */

static void test_proto_unreachable(void)
{
	struct ursa_lcore *lc = mk();
	uint8_t f[256], out[256], want[256], l4[128];
	const uint8_t data[16] = "abcdefgh12345678";
	size_t n, wn;

	/* As captured from the kernel: the whole datagram is quoted, TOS 0xc0, DF clear. */
	n = build(f, &our_mac, &peer_mac, PEER, OUR, 253, 64, 0, 125, RTE_IPV4_HDR_DF_FLAG, data,
		  16);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(ctr(lc, "ip", "drop_unknown_proto"), 1);
	n = ursa_test_tx_copy(lc, out, sizeof(out));
	CU_ASSERT_EQUAL_FATAL(n, 14 + 64);
	memset(l4, 0, 8);
	l4[0] = 3;
	l4[1] = 2;
	memcpy(l4 + 8, f + 14, 36);
	*(uint16_t *)(l4 + 2) = (uint16_t)~rte_raw_cksum(l4, 44);
	wn = build(want, &peer_mac, &our_mac, OUR, PEER, IPPROTO_ICMP, 64, 0xc0, ip_id(out), 0, l4,
		   44);
	CU_ASSERT_EQUAL(wn, n);
	CU_ASSERT(memcmp(out, want, n) == 0);
	CU_ASSERT_EQUAL(ctr(lc, "icmp", "tx_error"), 1);

	/* never about a broadcast, an ICMP error, or a non-first fragment */
	n = build(f, &bcast_mac, &peer_mac, PEER, "10.250.0.255", 253, 64, 0, 1, 0, data, 16);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(ctr(lc, "icmp", "err_suppressed_bcast"), 0); /* not even attempted */
	n = build(f, &our_mac, &peer_mac, PEER, OUR, 253, 64, 0, 2, 1480 / 8, data, 16);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(ursa_test_tx_drain(lc), 0);
	CU_ASSERT_EQUAL(ctr(lc, "ip", "drop_unknown_proto"), 2); /* the fragment waits */
	CU_ASSERT_EQUAL(ctr(lc, "ip", "rx_frags"), 1);
	ursa_lcore_destroy(lc);
}

static void test_icmp_error_suppression(void)
{
	struct ursa_lcore *lc = mk();
	uint8_t f[256], l4[64];
	struct rte_mbuf *m;
	size_t n;

	/* about an ICMP error (dest unreachable) */
	memset(l4, 0, sizeof(l4));
	l4[0] = 3;
	n = build(f, &our_mac, &peer_mac, PEER, OUR, IPPROTO_ICMP, 64, 0, 1, 0, l4, 36);
	m = ursa_test_mbuf(lc, f + 14, n - 14);
	ursa_icmp_error(lc, &lc->ifaces[0], m, AF_INET, 3, 3, 0);
	CU_ASSERT_EQUAL(ctr(lc, "icmp", "err_suppressed_icmp_error"), 1);
	rte_pktmbuf_free(m);
	/* about a packet to a group */
	n = build(f, &our_mac, &peer_mac, PEER, "224.0.0.1", 17, 64, 0, 1, 0, l4, 36);
	m = ursa_test_mbuf(lc, f + 14, n - 14);
	ursa_icmp_error(lc, &lc->ifaces[0], m, AF_INET, 3, 3, 0);
	CU_ASSERT_EQUAL(ctr(lc, "icmp", "err_suppressed_bcast"), 1);
	rte_pktmbuf_free(m);
	/* about a non-first fragment */
	n = build(f, &our_mac, &peer_mac, PEER, OUR, 17, 64, 0, 1, 100, l4, 36);
	m = ursa_test_mbuf(lc, f + 14, n - 14);
	ursa_icmp_error(lc, &lc->ifaces[0], m, AF_INET, 3, 3, 0);
	CU_ASSERT_EQUAL(ctr(lc, "icmp", "err_suppressed_fragment"), 1);
	rte_pktmbuf_free(m);
	/* from a source that is not one host */
	n = build(f, &our_mac, &peer_mac, "10.250.0.255", OUR, 17, 64, 0, 1, 0, l4, 36);
	m = ursa_test_mbuf(lc, f + 14, n - 14);
	ursa_icmp_error(lc, &lc->ifaces[0], m, AF_INET, 3, 3, 0);
	CU_ASSERT_EQUAL(ctr(lc, "icmp", "err_suppressed_bad_src"), 1);
	rte_pktmbuf_free(m);
	/* truncated garbage */
	m = ursa_test_mbuf(lc, "\x45\x00", 2);
	ursa_icmp_error(lc, &lc->ifaces[0], m, AF_INET, 3, 3, 0);
	CU_ASSERT_EQUAL(ctr(lc, "icmp", "err_suppressed_malformed"), 1);
	rte_pktmbuf_free(m);
	/* a long packet is quoted up to 576 bytes in all */
	{
		static uint8_t big[1600], out[1600], pl[1000];

		for (size_t i = 0; i < sizeof(pl); i++)
			pl[i] = (uint8_t)i;
		n = build(big, &our_mac, &peer_mac, PEER, OUR, 17, 64, 0, 1, 0, pl, sizeof(pl));
		m = ursa_test_mbuf(lc, big + 14, n - 14);
		ursa_icmp_error(lc, &lc->ifaces[0], m, AF_INET, 3, 3, 0);
		rte_pktmbuf_free(m);
		n = ursa_test_tx_copy(lc, out, sizeof(out));
		CU_ASSERT_EQUAL(n, 14 + 576);
		CU_ASSERT(memcmp(out + 14 + 28, big + 14, 548) == 0);
	}
	CU_ASSERT_EQUAL(ursa_test_tx_drain(lc), 0);
	ursa_lcore_destroy(lc);
}

static void learn(struct ursa_lcore *lc, const char *addr)
{
	struct ursa_ipaddr a = A(addr);

	ursa_neigh_update(lc, &lc->ifaces[0], &a, &peer_mac, true, true);
}

static void test_icmp_error_rate_limit(void)
{
	struct ursa_lcore *lc = mk();
	uint8_t f[256];
	const uint8_t data[8] = {0};
	size_t n;

	/* per destination: a burst of 6, then one per second */
	n = build(f, &our_mac, &peer_mac, PEER, OUR, 253, 64, 0, 1, 0, data, 8);
	for (int i = 0; i < 10; i++)
		ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(ctr(lc, "icmp", "tx_error"), 6);
	CU_ASSERT_EQUAL(ctr(lc, "icmp", "err_ratelimited_dst"), 4);
	CU_ASSERT_EQUAL(ursa_test_tx_drain(lc), 6);
	ursa_test_advance(lc, 1000000000ull);
	ursa_test_rx_bytes(lc, f, n);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(ctr(lc, "icmp", "tx_error"), 7);
	CU_ASSERT_EQUAL(ctr(lc, "icmp", "err_ratelimited_dst"), 5);
	/* per lcore: bursts of 50 across destinations (each fresh to the per-destination
	 * limit) */
	ursa_test_advance(lc, 2000000000ull);
	for (int i = 0; i < 60; i++) {
		char src[32];

		snprintf(src, sizeof(src), "10.250.0.%d", 100 + i);
		learn(lc, src);
		n = build(f, &our_mac, &peer_mac, src, OUR, 253, 64, 0, 1, 0, data, 8);
		ursa_test_rx_bytes(lc, f, n);
	}
	CU_ASSERT_EQUAL(ctr(lc, "icmp", "tx_error"), 7 + 50);
	CU_ASSERT_EQUAL(ctr(lc, "icmp", "err_ratelimited"), 10);
	/* 1000/s: 10 ms later, 10 more */
	ursa_test_advance(lc, 10000000ull);
	for (int i = 0; i < 12; i++) {
		char src[32];

		snprintf(src, sizeof(src), "10.250.0.%d", 20 + i);
		learn(lc, src);
		n = build(f, &our_mac, &peer_mac, src, OUR, 253, 64, 0, 1, 0, data, 8);
		ursa_test_rx_bytes(lc, f, n);
	}
	CU_ASSERT_EQUAL(ctr(lc, "icmp", "tx_error"), 7 + 60);
	CU_ASSERT_EQUAL(ctr(lc, "icmp", "err_ratelimited"), 12);
	ursa_test_tx_drain(lc);
	ursa_lcore_destroy(lc);
}

/* ---- L4 checksum ---- */

static void test_l4_cksum_chain(void)
{
	struct ursa_lcore *lc = mk();
	struct ursa_ipaddr s = A(PEER), d = A(OUR);
	static uint8_t buf[301];
	struct rte_mbuf *a, *b;
	uint16_t whole, chained;

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 13 + 1);
	a = ursa_test_mbuf(lc, buf, sizeof(buf));
	whole = ursa_ip_l4_cksum(&s, &d, 17, a, 0, sizeof(buf));
	rte_pktmbuf_free(a);
	/* an odd split */
	a = ursa_test_mbuf(lc, buf, 101);
	b = ursa_test_mbuf(lc, buf + 101, sizeof(buf) - 101);
	CU_ASSERT_FATAL(rte_pktmbuf_chain(a, b) == 0);
	chained = ursa_ip_l4_cksum(&s, &d, 17, a, 0, sizeof(buf));
	CU_ASSERT_EQUAL(whole, chained);
	/* against DPDK's own IPv4 pseudo-header sum */
	{
		struct rte_ipv4_hdr h = {.version_ihl = 0x45,
					 .next_proto_id = 17,
					 .total_length = rte_cpu_to_be_16(20 + sizeof(buf)),
					 .src_addr = s.v4,
					 .dst_addr = d.v4};
		uint32_t sum = rte_ipv4_phdr_cksum(&h, 0) + rte_raw_cksum(buf, sizeof(buf));

		sum = (sum & 0xffff) + (sum >> 16);
		sum = (sum & 0xffff) + (sum >> 16);
		CU_ASSERT_EQUAL(whole, (uint16_t)~sum);
	}
	rte_pktmbuf_free(a);
	ursa_lcore_destroy(lc);
}

/* Our own address as the source, on the interface that owns it: a spoof (or our own frame
 * looped back), dropped and counted before anything answers it. The address of another
 * interface (another tenant's VLAN) is a peer's like any other. */
static void test_own_source_dropped(void)
{
	struct ursa_lcore *lc = mk();
	struct rte_ether_addr vmac = {{0x02, 0, 0, 0, 0, 0x0a}};
	struct ursa_iface_conf c1 = {
		.port = 0, .vlan = 10, .tenant = 2, .mac = &vmac, .no_linklocal = true};
	struct ursa_ipaddr a1 = A("10.250.1.1");
	uint8_t f[256], l4[128];
	size_t l = echo(l4, RTE_IP_ICMP_ECHO_REQUEST, 7, 1, 16), n;
	uint16_t i1;

	CU_ASSERT_FATAL(ursa_iface_add(lc, &c1, &i1) == 0);
	CU_ASSERT_FATAL(ursa_iface_addr_add(lc, i1, &a1, 24) == 0);
	/* from our own address to itself, and to our broadcast */
	n = build(f, &our_mac, &peer_mac, OUR, OUR, IPPROTO_ICMP, 64, 0, 1, 0, l4, l);
	ursa_test_rx_bytes(lc, f, n);
	n = build(f, &bcast_mac, &peer_mac, OUR, "10.250.0.255", IPPROTO_UDP, 64, 0, 2, 0, l4, l);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(ctr(lc, "ip", "drop_src_own"), 2);
	CU_ASSERT_EQUAL(ctr(lc, "icmp", "rx_echo_request"), 0);
	CU_ASSERT_EQUAL(ursa_test_tx_drain(lc), 0);
	/* on VLAN 10, 10.250.1.1 is ours too */
	n = build(f, &vmac, &peer_mac, "10.250.1.1", "10.250.1.1", IPPROTO_ICMP, 64, 0, 3, 0, l4,
		  l);
	ursa_test_rx_bytes(lc, f, ursa_test_vlan_insert(f, n, 10));
	CU_ASSERT_EQUAL(ctr(lc, "ip", "drop_src_own"), 3);
	CU_ASSERT_EQUAL(ursa_test_tx_drain(lc), 0);
	/* the other interface's address, arriving on interface 0: a peer's, answered */
	n = build(f, &our_mac, &peer_mac, "10.250.1.1", OUR, IPPROTO_ICMP, 64, 0, 4, 0, l4, l);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(ctr(lc, "ip", "drop_src_own"), 3);
	CU_ASSERT_EQUAL(ctr(lc, "icmp", "rx_echo_request"), 1);
	/* and a VLAN 10 peer may use interface 0's address */
	n = build(f, &vmac, &peer_mac, "10.250.0.1", "10.250.1.1", IPPROTO_ICMP, 64, 0, 5, 0, l4,
		  l);
	ursa_test_rx_bytes(lc, f, ursa_test_vlan_insert(f, n, 10));
	CU_ASSERT_EQUAL(ctr(lc, "ip", "drop_src_own"), 3);
	CU_ASSERT_EQUAL(ctr(lc, "icmp", "rx_echo_request"), 2);
	ursa_test_tx_drain(lc);
	ursa_lcore_destroy(lc);
}

int main(void)
{
	CU_pSuite s = ursa_test_suite("ip4", NULL, NULL);

	CU_add_test(s, "validation drops", test_validation_drops);
	CU_add_test(s, "options and padding", test_options_and_padding);
	CU_add_test(s, "echo reply bytes", test_echo_reply_bytes);
	CU_add_test(s, "echo with TTL 1", test_echo_ttl1);
	CU_add_test(s, "echo to broadcast ignored", test_echo_broadcast_ignored);
	CU_add_test(s, "icmp checksum and types", test_icmp_bad_cksum_and_types);
	CU_add_test(s, "fragmented echo", test_fragmented_echo);
	CU_add_test(s, "fragment timeout", test_fragment_timeout);
	CU_add_test(s, "fragment quota", test_fragment_quota);
	CU_add_test(s, "fragments per interface", test_fragments_per_interface);
	CU_add_test(s, "DF too big", test_df_too_big);
	CU_add_test(s, "routes: tenants and prefixes", test_route_tenants_and_prefixes);
	CU_add_test(s, "gateway resolved by ARP", test_gateway_arp);
	CU_add_test(s, "broadcast and multicast output", test_output_bcast_mcast);
	CU_add_test(s, "protocol unreachable", test_proto_unreachable);
	CU_add_test(s, "icmp error suppression", test_icmp_error_suppression);
	CU_add_test(s, "icmp error rate limit", test_icmp_error_rate_limit);
	CU_add_test(s, "l4 checksum over a chain", test_l4_cksum_chain);
	CU_add_test(s, "our own address as source", test_own_source_dropped);
	return ursa_test_main();
}
