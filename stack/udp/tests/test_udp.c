/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of UDP: length and checksum validation (good, bad, zero), demultiplexing to a
 * bound handler, port unreachable bytes, a reserved port and a binder accepting zero IPv6
 * checksums (what RoCE asks for port 4791), bind/unbind, and output checksums.
 */
#include <string.h>
#include <sys/socket.h>

#include <rte_ip.h>
#include <rte_udp.h>

#include "ursa_arp.h"
#include "ursa_eth.h"
#include "ursa_udp.h"
#include "ursa_test.h"

static const struct rte_ether_addr our_mac = URSA_TEST_MAC;
static const struct rte_ether_addr peer_mac = URSA_TEST_PEER_MAC;
static const struct rte_ether_addr bcast_mac = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};

/* A port as RoCEv2 uses it: reserved, zero checksums over IPv6 allowed. UDP knows none of it. */
#define RSV_PORT  4791
#define RSV_FLAGS (URSA_UDP_BIND_RESERVED | URSA_UDP_BIND_ZERO_CKSUM6)

#define OUR  "10.250.0.1"
#define PEER "10.250.0.2"

/* What the bound handler saw (test support only). */
static struct {
	unsigned calls;
	void *arg;
	uint16_t sport, dport, iface, l4_len;
	uint8_t dst_kind;
	size_t len;
	uint8_t data[256];
} seen;

static struct ursa_ipaddr A(const char *s) {
	return ursa_test_ip(s);
}

static uint64_t
ctr(struct ursa_lcore *lc, const char *block, const char *name)
{
	return ursa_test_counter(lc, block, name);
}

static void on_dgram(struct ursa_lcore *lc, void *arg, struct ursa_iface *ifc, struct rte_mbuf *m,
		     const struct ursa_ip_info *ip, const struct ursa_udp_info *udp)
{
	(void)lc;
	seen.calls++;
	seen.arg = arg;
	seen.sport = udp->sport;
	seen.dport = udp->dport;
	seen.iface = ifc->index;
	seen.dst_kind = ip->dst_kind;
	seen.l4_len = m->l4_len;
	seen.len = rte_pktmbuf_pkt_len(m);
	CU_ASSERT_FATAL(seen.len <= sizeof(seen.data));
	{
		const void *p = rte_pktmbuf_read(m, 0, (uint32_t)seen.len, seen.data);

		if (p != seen.data)
			memcpy(seen.data, p, seen.len);
	}
	rte_pktmbuf_free(m);
}

static struct ursa_lcore *mk(void)
{
	struct ursa_lcore *lc = ursa_test_lcore(11);
	struct ursa_iface_conf c0 = {.port = 0, .tenant = 1, .no_linklocal = true};
	struct ursa_ipaddr a = A(OUR), p = A(PEER);
	uint16_t idx;

	CU_ASSERT_FATAL(lc != NULL);
	CU_ASSERT_FATAL(ursa_eth_init(lc) == 0);
	CU_ASSERT_FATAL(ursa_arp_init(lc) == 0);
	CU_ASSERT_FATAL(ursa_ip_init(lc) == 0);
	CU_ASSERT_FATAL(ursa_udp_init(lc) == 0);
	CU_ASSERT_FATAL(ursa_iface_add(lc, &c0, &idx) == 0);
	CU_ASSERT_FATAL(ursa_iface_addr_add(lc, idx, &a, 24) == 0);
	ursa_neigh_update(lc, &lc->ifaces[0], &p, &peer_mac, true, true);
	memset(&seen, 0, sizeof(seen));
	return lc;
}

/* Ethernet + IPv4 + UDP with a correct checksum (cksum_mode 0), none (1) or a wrong one (2). */
static size_t build_udp(uint8_t *b, const struct rte_ether_addr *dmac, const char *src,
			const char *dst, uint16_t sport, uint16_t dport, const void *pl,
			size_t plen, int cksum_mode)
{
	struct ursa_test_l3 h = {.dmac = dmac,
				 .smac = &peer_mac,
				 .src = src,
				 .dst = dst,
				 .proto = IPPROTO_UDP,
				 .ttl = 64,
				 .id = 0x80c8,
				 .frag = RTE_IPV4_HDR_DF_FLAG};
	static uint8_t l4[9216];
	size_t n;

	CU_ASSERT_FATAL(plen <= sizeof(l4) - 8);
	n = ursa_test_ipv4_frame(b, &h, l4, ursa_test_udp(l4, sport, dport, pl, plen));
	if (cksum_mode != 1)
		ursa_test_ipv4_fill_l4_cksum(b + 14);
	if (cksum_mode == 2) { /* both bytes off by one */
		b[14 + 20 + 6] ^= 0x01;
		b[14 + 20 + 7] ^= 0x01;
	}
	return n;
}

static void test_demux(void)
{
	struct ursa_lcore *lc = mk();
	uint8_t f[256];
	int tag;
	size_t n;

	CU_ASSERT_EQUAL(ursa_udp_bind(lc, 9999, 0, on_dgram, &tag), 0);
	CU_ASSERT_EQUAL(ursa_udp_bind(lc, 9999, 0, on_dgram, &tag), -EADDRINUSE);
	CU_ASSERT_EQUAL(ursa_udp_bind(lc, 0, 0, on_dgram, &tag), -EINVAL);
	n = build_udp(f, &our_mac, PEER, OUR, 53877, 9999, "hello", 5, 0);
	memset(f + n, 0, 60 - n); /* padded to the minimum frame */
	ursa_test_rx_bytes(lc, f, 60);
	CU_ASSERT_EQUAL_FATAL(seen.calls, 1);
	CU_ASSERT_PTR_EQUAL(seen.arg, &tag);
	CU_ASSERT_EQUAL(seen.sport, 53877);
	CU_ASSERT_EQUAL(seen.dport, 9999);
	CU_ASSERT_EQUAL(seen.iface, 0);
	CU_ASSERT_EQUAL(seen.l4_len, 8);
	CU_ASSERT_EQUAL(seen.dst_kind, URSA_IP_DST_UNICAST);
	CU_ASSERT_EQUAL(seen.len, 5);
	CU_ASSERT(memcmp(seen.data, "hello", 5) == 0);
	CU_ASSERT_EQUAL(ctr(lc, "udp", "rx_delivered"), 1);
	/* a broadcast reaches the same binder */
	n = build_udp(f, &bcast_mac, PEER, "10.250.0.255", 1, 9999, "x", 1, 0);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(seen.calls, 2);
	CU_ASSERT_EQUAL(seen.dst_kind, URSA_IP_DST_BCAST);
	CU_ASSERT_EQUAL(ursa_test_tx_drain(lc), 0);
	ursa_lcore_destroy(lc);
}

static void test_cksum(void)
{
	struct ursa_lcore *lc = mk();
	uint8_t f[256];
	size_t n;

	CU_ASSERT_EQUAL(ursa_udp_bind(lc, 7, 0, on_dgram, NULL), 0);
	n = build_udp(f, &our_mac, PEER, OUR, 1000, 7, "abcdefg", 7, 0);
	ursa_test_rx_bytes(lc, f, n);
	n = build_udp(f, &our_mac, PEER, OUR, 1000, 7, "abcdefg", 7, 2);
	ursa_test_rx_bytes(lc, f, n);
	n = build_udp(f, &our_mac, PEER, OUR, 1000, 7, "abcdefg", 7, 1);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(seen.calls, 2);
	CU_ASSERT_EQUAL(ctr(lc, "udp", "drop_bad_cksum"), 1);
	CU_ASSERT_EQUAL(ctr(lc, "udp", "rx_no_cksum"), 1);
	CU_ASSERT_EQUAL(ctr(lc, "udp", "rx_delivered"), 2);
	ursa_lcore_destroy(lc);
}

static void test_lengths(void)
{
	struct ursa_lcore *lc = mk();
	uint8_t f[256];
	struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)(f + 14);
	struct rte_udp_hdr *u = (struct rte_udp_hdr *)(h + 1);
	size_t n;

	CU_ASSERT_EQUAL(ursa_udp_bind(lc, 7, 0, on_dgram, NULL), 0);
	/* UDP length shorter than the IP payload: the rest is trimmed */
	n = build_udp(f, &our_mac, PEER, OUR, 1000, 7, "abcdefg", 7, 1);
	u->dgram_len = RTE_BE16(8 + 3);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(seen.calls, 1);
	CU_ASSERT_EQUAL(seen.len, 3);
	CU_ASSERT_EQUAL(ctr(lc, "udp", "rx_trimmed"), 1);
	/* longer than the IP payload, or below 8 */
	u->dgram_len = RTE_BE16(8 + 8);
	ursa_test_rx_bytes(lc, f, n);
	u->dgram_len = RTE_BE16(7);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(ctr(lc, "udp", "drop_bad_len"), 2);
	/* an IP payload shorter than a UDP header */
	h->total_length = RTE_BE16(20 + 6);
	h->hdr_checksum = 0;
	h->hdr_checksum = rte_ipv4_cksum(h);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(ctr(lc, "udp", "drop_short"), 1);
	CU_ASSERT_EQUAL(seen.calls, 1);
	ursa_lcore_destroy(lc);
}

/* The reply the kernel sends (captured on a veth pair): ICMP 3/3 quoting the whole datagram,
 * TOS 0xc0, DF clear, TTL 64. */
static void test_port_unreachable(void)
{
	struct ursa_lcore *lc = mk();
	uint8_t f[256], out[256], want[256];
	struct rte_ipv4_hdr *wh = (struct rte_ipv4_hdr *)(want + 14);
	uint8_t *wi = want + 34;
	size_t n;

	n = build_udp(f, &our_mac, PEER, OUR, 53877, 9999, "x\n", 2, 0);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(ctr(lc, "udp", "drop_no_port"), 1);
	n = ursa_test_tx_copy(lc, out, sizeof(out));
	CU_ASSERT_EQUAL_FATAL(n, 14 + 58);
	memcpy(want, &peer_mac, 6);
	memcpy(want + 6, &our_mac, 6);
	want[12] = 0x08;
	want[13] = 0x00;
	memset(wh, 0, sizeof(*wh));
	wh->version_ihl = 0x45;
	wh->type_of_service = 0xc0;
	wh->total_length = RTE_BE16(58);
	wh->packet_id = ((struct rte_ipv4_hdr *)(out + 14))->packet_id;
	wh->time_to_live = 64;
	wh->next_proto_id = IPPROTO_ICMP;
	wh->src_addr = A(OUR).v4;
	wh->dst_addr = A(PEER).v4;
	wh->hdr_checksum = rte_ipv4_cksum(wh);
	memset(wi, 0, 8);
	wi[0] = 3;
	wi[1] = 3;
	memcpy(wi + 8, f + 14, 30);
	*(uint16_t *)(wi + 2) = (uint16_t)~rte_raw_cksum(wi, 38);
	CU_ASSERT(memcmp(out, want, n) == 0);
	/* never for a broadcast */
	n = build_udp(f, &bcast_mac, PEER, "255.255.255.255", 68, 67, "x", 1, 0);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(ctr(lc, "udp", "drop_no_port"), 2);
	CU_ASSERT_EQUAL(ursa_test_tx_drain(lc), 0);
	ursa_lcore_destroy(lc);
}

static void test_reserved_port(void)
{
	struct ursa_lcore *lc = mk();
	uint8_t f[256];
	size_t n;

	/* not reserved yet: an ordinary port, and the flag is refused */
	CU_ASSERT_EQUAL(ursa_udp_bind(lc, RSV_PORT, RSV_FLAGS, on_dgram, NULL), -EINVAL);
	CU_ASSERT_EQUAL(ursa_udp_reserve(lc, RSV_PORT), 0);
	CU_ASSERT_EQUAL(ursa_udp_reserve(lc, RSV_PORT), -EEXIST);
	CU_ASSERT_EQUAL(ursa_udp_bind(lc, RSV_PORT, 0, on_dgram, NULL), -EACCES);
	CU_ASSERT_EQUAL(ursa_udp_bind(lc, RSV_PORT, URSA_UDP_BIND_ZERO_CKSUM6, on_dgram, NULL),
			-EACCES);
	CU_ASSERT_EQUAL(ursa_udp_bind(lc, 5000, URSA_UDP_BIND_RESERVED, on_dgram, NULL), -EINVAL);
	CU_ASSERT_EQUAL(ursa_udp_bind(lc, 5000, 0x80, on_dgram, NULL), -EINVAL);
	CU_ASSERT_EQUAL(ursa_udp_bind(lc, RSV_PORT, RSV_FLAGS, on_dgram, NULL), 0);
	/* rxe sends checksum 0 */
	n = build_udp(f, &our_mac, PEER, OUR, 49152, RSV_PORT, "bth.........", 12, 1);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(seen.calls, 1);
	CU_ASSERT_EQUAL(seen.dport, RSV_PORT);
	CU_ASSERT_EQUAL(ursa_udp_unbind(lc, RSV_PORT), 0);
	CU_ASSERT_EQUAL(ursa_udp_unbind(lc, RSV_PORT), -ENOENT);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(seen.calls, 1);
	CU_ASSERT_EQUAL(ctr(lc, "udp", "drop_no_port"), 1);
	CU_ASSERT_EQUAL(ursa_test_tx_drain(lc), 1); /* port unreachable */
	ursa_lcore_destroy(lc);
}

/* Many bindings colliding in the open-addressing table survive unbinding in any order. */
static void test_bind_table(void)
{
	struct ursa_lcore *lc = mk();
	uint8_t f[256];
	size_t n;

	for (uint16_t p = 1000; p < 1400; p++)
		CU_ASSERT_EQUAL(ursa_udp_bind(lc, p, 0, on_dgram, (void *)(uintptr_t)p), 0);
	for (uint16_t p = 1000; p < 1400; p += 2)
		CU_ASSERT_EQUAL(ursa_udp_unbind(lc, p), 0);
	for (uint16_t p = 1001; p < 1400; p += 2) {
		n = build_udp(f, &our_mac, PEER, OUR, 1, p, "z", 1, 0);
		ursa_test_rx_bytes(lc, f, n);
		CU_ASSERT_PTR_EQUAL(seen.arg, (void *)(uintptr_t)p);
	}
	CU_ASSERT_EQUAL(seen.calls, 200);
	n = build_udp(f, &our_mac, PEER, OUR, 1, 1000, "z", 1, 0);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(seen.calls, 200);
	ursa_test_tx_drain(lc);
	ursa_lcore_destroy(lc);
}

static void test_output(void)
{
	struct ursa_lcore *lc = mk();
	struct ursa_ip_tx t = {.dst = A(PEER), .tenant = 1, .iface = -1};
	struct rte_mbuf *m = ursa_pkt_alloc(lc);
	uint8_t f[256];
	struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)(f + 14);
	struct rte_udp_hdr *u = (struct rte_udp_hdr *)(h + 1);
	size_t n;

	memcpy(rte_pktmbuf_append(m, 5), "hello", 5);
	CU_ASSERT_EQUAL(ursa_udp_output(lc, &t, 4000, 5000, m, false), 0);
	n = ursa_test_tx_copy(lc, f, sizeof(f));
	CU_ASSERT_EQUAL_FATAL(n, 14 + 20 + 8 + 5);
	CU_ASSERT_EQUAL(h->next_proto_id, IPPROTO_UDP);
	CU_ASSERT_EQUAL(h->src_addr, A(OUR).v4);
	CU_ASSERT_EQUAL(u->src_port, RTE_BE16(4000));
	CU_ASSERT_EQUAL(u->dst_port, RTE_BE16(5000));
	CU_ASSERT_EQUAL(u->dgram_len, RTE_BE16(13));
	CU_ASSERT_NOT_EQUAL(u->dgram_cksum, 0);
	{
		uint16_t ck = u->dgram_cksum;

		u->dgram_cksum = 0;
		CU_ASSERT_EQUAL(rte_ipv4_udptcp_cksum(h, u), ck); /* DPDK agrees */
		u->dgram_cksum = ck;
	}
	/* zero checksum, as rxe sends RoCEv2 */
	m = ursa_pkt_alloc(lc);
	memcpy(rte_pktmbuf_append(m, 5), "hello", 5);
	CU_ASSERT_EQUAL(ursa_udp_output(lc, &t, 49152, RSV_PORT, m, true), 0);
	n = ursa_test_tx_copy(lc, f, sizeof(f));
	CU_ASSERT_EQUAL_FATAL(n, 14 + 20 + 8 + 5);
	CU_ASSERT_EQUAL(u->dgram_cksum, 0);
	CU_ASSERT_EQUAL(ctr(lc, "udp", "tx"), 2);
	/* no route */
	t.dst = A("192.168.9.9");
	m = ursa_pkt_alloc(lc);
	CU_ASSERT_EQUAL(ursa_udp_output(lc, &t, 1, 2, m, false), -EHOSTUNREACH);
	ursa_lcore_destroy(lc);
}

/* A datagram that arrived in fragments reaches the binder whole (a chained mbuf). */
static uint8_t frag_pl[2999];
static struct {
	unsigned calls, segs;
	size_t len;
	bool same;
} big;

static void on_big(struct ursa_lcore *lc, void *arg, struct ursa_iface *ifc, struct rte_mbuf *m,
		   const struct ursa_ip_info *ip, const struct ursa_udp_info *udp)
{
	static uint8_t buf[sizeof(frag_pl)];
	const void *p;

	(void)lc, (void)arg, (void)ifc, (void)ip, (void)udp;
	big.calls++;
	big.segs = m->nb_segs;
	big.len = rte_pktmbuf_pkt_len(m);
	p = big.len == sizeof(buf) ? rte_pktmbuf_read(m, 0, (uint32_t)big.len, buf) : NULL;
	big.same = p != NULL && memcmp(p, frag_pl, sizeof(frag_pl)) == 0;
	rte_pktmbuf_free(m);
}

static void test_fragmented_datagram(void)
{
	struct ursa_lcore *lc = mk();
	static uint8_t whole[3100], f[1600];
	size_t off = 0, n, udp_len;

	for (size_t i = 0; i < sizeof(frag_pl); i++)
		frag_pl[i] = (uint8_t)(i * 31 + 7);
	CU_ASSERT_EQUAL(ursa_udp_bind(lc, 7, 0, on_big, NULL), 0);
	n = build_udp(whole, &our_mac, PEER, OUR, 1000, 7, frag_pl, sizeof(frag_pl), 0);
	udp_len = n - 34; /* 3007 bytes: pieces of 1480, 1480 and 47 */
	while (off < udp_len) {
		size_t piece = RTE_MIN((size_t)1480, udp_len - off);
		struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)(f + 14);
		uint16_t fo = (uint16_t)(off / 8);

		if (off + piece < udp_len)
			fo |= RTE_IPV4_HDR_MF_FLAG;
		memcpy(f, whole, 34);
		memcpy(f + 34, whole + 34 + off, piece);
		h->total_length = rte_cpu_to_be_16((uint16_t)(20 + piece));
		h->fragment_offset = rte_cpu_to_be_16(fo);
		h->hdr_checksum = 0;
		h->hdr_checksum = rte_ipv4_cksum(h);
		ursa_test_rx_bytes(lc, f, 34 + piece);
		off += piece;
	}
	CU_ASSERT_EQUAL_FATAL(big.calls, 1);
	CU_ASSERT(big.segs > 1);
	CU_ASSERT_EQUAL(big.len, sizeof(frag_pl));
	CU_ASSERT(big.same);
	CU_ASSERT_EQUAL(ctr(lc, "udp", "drop_bad_cksum"), 0);
	ursa_lcore_destroy(lc);
}

/* ---- over IPv6 ---- */

#define OUR6  "fd00:250::1"
#define PEER6 "fd00:250::2"

static struct ursa_lcore *mk6(void)
{
	struct ursa_lcore *lc = mk();
	struct ursa_ipaddr a = A(OUR6), p = A(PEER6);

	CU_ASSERT_FATAL(ursa_iface_addr_add(lc, 0, &a, 64) == 0);
	ursa_neigh_update(lc, &lc->ifaces[0], &p, &peer_mac, true, true);
	return lc;
}

/* Ethernet + IPv6 + UDP with a correct checksum (cksum_mode 0), zero (1) or a wrong one (2). */
static size_t build_udp6(uint8_t *b, uint16_t sport, uint16_t dport, const void *pl, size_t plen,
			 int cksum_mode)
{
	struct ursa_test_l3 h = {.dmac = &our_mac,
				 .smac = &peer_mac,
				 .src = PEER6,
				 .dst = OUR6,
				 .proto = IPPROTO_UDP,
				 .ttl = 64};
	static uint8_t l4[9216];
	size_t n;

	CU_ASSERT_FATAL(plen <= sizeof(l4) - 8);
	n = ursa_test_ipv6_frame(b, &h, l4, ursa_test_udp(l4, sport, dport, pl, plen));
	if (cksum_mode != 1)
		ursa_test_ipv6_fill_cksum(b + 14, IPPROTO_UDP, 0, 6);
	if (cksum_mode == 2) { /* both bytes off by one */
		b[14 + 40 + 6] ^= 0x01;
		b[14 + 40 + 7] ^= 0x01;
	}
	return n;
}

static void test_v6_input(void)
{
	struct ursa_lcore *lc = mk6();
	uint8_t f[256];
	size_t n;

	CU_ASSERT_EQUAL(ursa_udp_bind(lc, 7, 0, on_dgram, NULL), 0);
	CU_ASSERT_EQUAL(ursa_udp_reserve(lc, RSV_PORT), 0);
	CU_ASSERT_EQUAL(ursa_udp_bind(lc, RSV_PORT, RSV_FLAGS, on_dgram, NULL), 0);
	n = build_udp6(f, 1000, 7, "six", 3, 0);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(seen.calls, 1);
	CU_ASSERT_EQUAL(seen.len, 3);
	CU_ASSERT(memcmp(seen.data, "six", 3) == 0);
	n = build_udp6(f, 1000, 7, "six", 3, 2);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(ctr(lc, "udp", "drop_bad_cksum"), 1);
	/* zero is illegal over IPv6 (RFC 8200 8.1) ... */
	n = build_udp6(f, 1000, 7, "six", 3, 1);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(ctr(lc, "udp", "drop_zero_cksum6"), 1);
	/* ... except where the binder accepts it (RoCE asks for it: rxe sends 0) */
	n = build_udp6(f, 49152, RSV_PORT, "bth.", 4, 1);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(ctr(lc, "udp", "rx_zero_cksum6"), 1);
	CU_ASSERT_EQUAL(seen.calls, 2);
	CU_ASSERT_EQUAL(seen.dport, RSV_PORT);
	CU_ASSERT_EQUAL(ursa_test_tx_drain(lc), 0);
	ursa_lcore_destroy(lc);
}

/* An unbound port over IPv6 is answered with ICMPv6 destination unreachable, code 4. */
static void test_v6_port_unreachable(void)
{
	struct ursa_lcore *lc = mk6();
	uint8_t f[256], out[256];
	size_t n;

	n = build_udp6(f, 1000, 9999, "x", 1, 0);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(ctr(lc, "udp", "drop_no_port"), 1);
	n = ursa_test_tx_copy(lc, out, sizeof(out));
	CU_ASSERT_EQUAL_FATAL(n, 14 + 40 + 8 + (40 + 8 + 1));
	CU_ASSERT_EQUAL(out[12], 0x86);
	CU_ASSERT_EQUAL(out[13], 0xdd);
	CU_ASSERT_EQUAL(out[14 + 6], 58);	      /* next header ICMPv6 */
	CU_ASSERT_EQUAL(out[54], 1);		      /* destination unreachable */
	CU_ASSERT_EQUAL(out[55], 4);		      /* port unreachable */
	CU_ASSERT(memcmp(out + 62, f + 14, 49) == 0); /* the datagram quoted */
	ursa_lcore_destroy(lc);
}

static void test_v6_output(void)
{
	struct ursa_lcore *lc = mk6();
	struct ursa_ip_tx t = {.dst = A(PEER6), .tenant = 1, .iface = -1};
	struct rte_mbuf *m = ursa_pkt_alloc(lc);
	uint8_t f[256];
	struct rte_ipv6_hdr *h = (struct rte_ipv6_hdr *)(f + 14);
	struct rte_udp_hdr *u = (struct rte_udp_hdr *)(h + 1);
	struct ursa_ipaddr our = A(OUR6);
	uint16_t ck;
	size_t n;

	memcpy(rte_pktmbuf_append(m, 5), "hello", 5);
	CU_ASSERT_EQUAL(ursa_udp_output(lc, &t, 4000, 5000, m, false), 0);
	n = ursa_test_tx_copy(lc, f, sizeof(f));
	CU_ASSERT_EQUAL_FATAL(n, 14 + 40 + 8 + 5);
	CU_ASSERT(memcmp(h->src_addr, our.v6, 16) == 0);
	ck = u->dgram_cksum;
	u->dgram_cksum = 0;
	CU_ASSERT_EQUAL(rte_ipv6_udptcp_cksum(h, u), ck);
	/* zero checksums over IPv6 only from or to a port whose binder accepts them */
	m = ursa_pkt_alloc(lc);
	CU_ASSERT_EQUAL(ursa_udp_output(lc, &t, 4000, 5000, m, true), -EINVAL);
	m = ursa_pkt_alloc(lc);
	CU_ASSERT_EQUAL(ursa_udp_output(lc, &t, 49152, RSV_PORT, m, true), -EINVAL);
	CU_ASSERT_EQUAL(ursa_udp_reserve(lc, RSV_PORT), 0);
	CU_ASSERT_EQUAL(ursa_udp_bind(lc, RSV_PORT, RSV_FLAGS, on_dgram, NULL), 0);
	m = ursa_pkt_alloc(lc);
	memcpy(rte_pktmbuf_append(m, 5), "hello", 5);
	CU_ASSERT_EQUAL(ursa_udp_output(lc, &t, 49152, RSV_PORT, m, true), 0);
	n = ursa_test_tx_copy(lc, f, sizeof(f));
	CU_ASSERT_EQUAL_FATAL(n, 14 + 40 + 8 + 5);
	CU_ASSERT_EQUAL(u->dgram_cksum, 0);
	ursa_lcore_destroy(lc);
}

/* What the error handler saw. */
static struct {
	unsigned calls;
	void *arg;
	uint16_t sport, dport, l4_len;
	int err;
	bool hard;
} seen_err;

static void on_err(struct ursa_lcore *lc, void *arg, struct ursa_iface *ifc,
		   const struct ursa_ip_err *err, const struct ursa_udp_info *udp)
{
	(void)lc, (void)ifc;
	seen_err.calls++;
	seen_err.arg = arg;
	seen_err.sport = udp->sport;
	seen_err.dport = udp->dport;
	seen_err.l4_len = err->l4_len;
	seen_err.err = err->err;
	seen_err.hard = err->hard;
}

/* Port unreachable from PEER about a datagram OUR:sport -> PEER:dport that we sent. */
static size_t build_port_unreach(uint8_t *f, uint16_t sport, uint16_t dport)
{
	uint8_t orig[128];
	size_t on = build_udp(orig, &peer_mac, OUR, PEER, sport, dport, "payload!", 8, 0);
	size_t q = on - 14;
	uint8_t *ih;
	uint16_t ck;

	build_udp(f, &our_mac, PEER, OUR, 1, 1, orig, 8 + q, 0); /* Ethernet + IPv4 header */
	f[14 + 9] = IPPROTO_ICMP;
	((struct rte_ipv4_hdr *)(f + 14))->total_length = rte_cpu_to_be_16((uint16_t)(28 + q));
	((struct rte_ipv4_hdr *)(f + 14))->hdr_checksum = 0;
	((struct rte_ipv4_hdr *)(f + 14))->hdr_checksum =
		rte_ipv4_cksum((struct rte_ipv4_hdr *)(f + 14));
	ih = f + 14 + 20;
	memset(ih, 0, 8);
	ih[0] = 3; /* destination unreachable */
	ih[1] = 3; /* port */
	memcpy(ih + 8, orig + 14, q);
	ck = (uint16_t)~rte_raw_cksum(ih, 8 + q);
	memcpy(ih + 2, &ck, 2);
	return 14 + 20 + 8 + q;
}

/* ICMP errors go to the binder of the quoted source port, or to a binder that sends to the
 * quoted destination port from ports of its own (URSA_UDP_BIND_ERR_BY_DPORT); else counted. */
static void test_icmp_errors(void)
{
	struct ursa_lcore *lc = mk();
	uint8_t f[256];
	size_t n;

	memset(&seen_err, 0, sizeof(seen_err));
	CU_ASSERT_EQUAL(ursa_udp_bind_ctlinput(lc, 7, on_err), -ENOENT);
	CU_ASSERT_EQUAL(ursa_udp_bind(lc, 7, 0, on_dgram, &seen_err), 0);
	CU_ASSERT_EQUAL(ursa_udp_bind_ctlinput(lc, 7, on_err), 0);
	n = build_port_unreach(f, 7, 9000);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(seen_err.calls, 1);
	CU_ASSERT_PTR_EQUAL(seen_err.arg, &seen_err);
	CU_ASSERT_EQUAL(seen_err.sport, 7);
	CU_ASSERT_EQUAL(seen_err.dport, 9000);
	CU_ASSERT_EQUAL(seen_err.l4_len, 16); /* UDP header and the 8 bytes of payload */
	CU_ASSERT_EQUAL(seen_err.err, -ECONNREFUSED);
	CU_ASSERT(seen_err.hard);
	/* from a port nobody bound, to a port whose binder did not ask: nobody's */
	n = build_port_unreach(f, 8, 7);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(seen_err.calls, 1);
	CU_ASSERT_EQUAL(ctr(lc, "udp", "icmp_no_port"), 1);
	/* a binder that sends to its own port number on peers, from any source port */
	CU_ASSERT_EQUAL(ursa_udp_bind(lc, 6000, URSA_UDP_BIND_ERR_BY_DPORT, on_dgram, NULL), 0);
	CU_ASSERT_EQUAL(ursa_udp_bind_ctlinput(lc, 6000, on_err), 0);
	n = build_port_unreach(f, 50000, 6000);
	ursa_test_rx_bytes(lc, f, n);
	CU_ASSERT_EQUAL(seen_err.calls, 2);
	CU_ASSERT_EQUAL(seen_err.sport, 50000);
	CU_ASSERT_PTR_NULL(seen_err.arg);
	CU_ASSERT_EQUAL(ctr(lc, "udp", "icmp_rx"), 3);
	CU_ASSERT_EQUAL(ctr(lc, "udp", "icmp_delivered"), 2);
	CU_ASSERT_EQUAL(ctr(lc, "icmp", "rx_err_delivered"), 3);
	CU_ASSERT_EQUAL(ursa_test_tx_drain(lc), 0);
	ursa_lcore_destroy(lc);
}

int main(void)
{
	CU_pSuite s = ursa_test_suite("udp", NULL, NULL);

	CU_add_test(s, "demux", test_demux);
	CU_add_test(s, "checksum good/bad/zero", test_cksum);
	CU_add_test(s, "lengths", test_lengths);
	CU_add_test(s, "port unreachable bytes", test_port_unreachable);
	CU_add_test(s, "reserved port", test_reserved_port);
	CU_add_test(s, "bind table", test_bind_table);
	CU_add_test(s, "output", test_output);
	CU_add_test(s, "fragmented datagram", test_fragmented_datagram);
	CU_add_test(s, "IPv6 input", test_v6_input);
	CU_add_test(s, "IPv6 port unreachable", test_v6_port_unreachable);
	CU_add_test(s, "IPv6 output", test_v6_output);
	CU_add_test(s, "ICMP errors to the binder", test_icmp_errors);
	return ursa_test_main();
}
