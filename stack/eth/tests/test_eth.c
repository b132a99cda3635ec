/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of stack/eth: interface resolution, MAC filter, VLAN tags, demux, output bytes. */
#include <string.h>

#include "ursa_eth.h"
#include "ursa_test.h"

/* What the test handler saw (test support only). */
static struct {
	unsigned calls;
	uint16_t iface;
	uint8_t flags;
	uint16_t l2_len;
	uint16_t len;
	uint8_t data[64];
} seen;

static void on_ipv4(struct ursa_lcore *lc, struct ursa_iface *ifc, struct rte_mbuf *m)
{
	(void)lc;
	seen.calls++;
	seen.iface = ifc->index;
	CU_ASSERT_EQUAL(ursa_pkt_meta(m)->iface, ifc->index);
	seen.flags = ursa_pkt_meta(m)->l2_flags;
	seen.l2_len = m->l2_len;
	seen.len = rte_pktmbuf_pkt_len(m);
	memcpy(seen.data, rte_pktmbuf_mtod(m, void *),
	       RTE_MIN(seen.len, (uint16_t)sizeof(seen.data)));
	rte_pktmbuf_free(m);
}

/* An lcore with eth up, the IPv4 test handler, an untagged interface (0, our MAC) and one on
 * VLAN 10 (1, 02:00:00:00:00:0a). */
static struct ursa_lcore *mk(void)
{
	struct ursa_lcore *lc = ursa_test_lcore(1);
	struct rte_ether_addr vmac = {{0x02, 0, 0, 0, 0, 0x0a}};
	struct ursa_iface_conf c0 = {.port = 0}, c10 = {.port = 0, .vlan = 10, .mac = &vmac};

	CU_ASSERT_FATAL(lc != NULL);
	CU_ASSERT_FATAL(ursa_eth_init(lc) == 0);
	CU_ASSERT_FATAL(ursa_eth_register(lc, RTE_ETHER_TYPE_IPV4, on_ipv4) == 0);
	CU_ASSERT_FATAL(ursa_iface_add(lc, &c0, NULL) == 0);
	CU_ASSERT_FATAL(ursa_iface_add(lc, &c10, NULL) == 0);
	memset(&seen, 0, sizeof(seen));
	return lc;
}

static uint64_t ctr(struct ursa_lcore *lc, const char *name)
{
	return ursa_test_counter(lc, "eth", name);
}

static void test_register_dup(void)
{
	struct ursa_lcore *lc = mk();

	CU_ASSERT_EQUAL(ursa_eth_register(lc, RTE_ETHER_TYPE_IPV4, on_ipv4), -EEXIST);
	CU_ASSERT_EQUAL(ursa_eth_register(lc, RTE_ETHER_TYPE_IPV6, on_ipv4), 0);
	CU_ASSERT_EQUAL(ursa_eth_init(lc), -EEXIST);
	ursa_lcore_destroy(lc);
}

static void test_untagged(void)
{
	struct ursa_lcore *lc = mk();

	ursa_test_rx_hex(lc, "020000000001 020000000002 0800 4500 0014 dead");
	CU_ASSERT_EQUAL(seen.calls, 1);
	CU_ASSERT_EQUAL(seen.iface, 0);
	CU_ASSERT_EQUAL(seen.flags, 0);
	CU_ASSERT_EQUAL(seen.l2_len, 14);
	CU_ASSERT_EQUAL(seen.len, 6);
	CU_ASSERT_EQUAL(seen.data[0], 0x45);
	CU_ASSERT_EQUAL(seen.data[5], 0xad);
	CU_ASSERT_EQUAL(ctr(lc, "rx"), 1);
	CU_ASSERT_EQUAL(ursa_eth_iface_rx(lc, 0), 1);
	CU_ASSERT_EQUAL(ursa_eth_iface_rx(lc, 1), 0);
	ursa_lcore_destroy(lc);
}

static void test_tagged(void)
{
	struct ursa_lcore *lc = mk();

	/* PCP 5 and DEI set must not disturb the VID. */
	ursa_test_rx_hex(lc, "02000000000a 020000000002 8100 b00a 0800 4500");
	CU_ASSERT_EQUAL(seen.calls, 1);
	CU_ASSERT_EQUAL(seen.iface, 1);
	CU_ASSERT_EQUAL(seen.flags, URSA_PKT_VLAN);
	CU_ASSERT_EQUAL(seen.l2_len, 18);
	CU_ASSERT_EQUAL(seen.len, 2);
	CU_ASSERT_EQUAL(seen.data[0], 0x45);
	/* The untagged interface's MAC is not the VLAN-10 interface's: not for us there. */
	ursa_test_rx_hex(lc, "020000000001 020000000002 8100 000a 0800 4500");
	CU_ASSERT_EQUAL(seen.calls, 1);
	CU_ASSERT_EQUAL(ctr(lc, "drop_not_for_us"), 1);
	/* A priority tag (VID 0) belongs to the untagged interface. */
	ursa_test_rx_hex(lc, "020000000001 020000000002 8100 6000 0800 4500");
	CU_ASSERT_EQUAL(seen.calls, 2);
	CU_ASSERT_EQUAL(seen.iface, 0);
	CU_ASSERT_EQUAL(seen.flags, URSA_PKT_VLAN);
	CU_ASSERT_EQUAL(ctr(lc, "rx_vlan"), 2);
	ursa_lcore_destroy(lc);
}

static void test_vlan_stripped(void)
{
	struct ursa_lcore *lc = mk();
	struct rte_mbuf *m = ursa_test_mbuf_hex(lc, "02000000000a 020000000002 0800 4500");

	CU_ASSERT_FATAL(m != NULL);
	m->ol_flags |= RTE_MBUF_F_RX_VLAN_STRIPPED | RTE_MBUF_F_RX_VLAN;
	m->vlan_tci = 0x200a;
	ursa_test_rx(lc, m);
	CU_ASSERT_EQUAL(seen.calls, 1);
	CU_ASSERT_EQUAL(seen.iface, 1);
	CU_ASSERT_EQUAL(seen.flags, URSA_PKT_VLAN);
	CU_ASSERT_EQUAL(seen.l2_len, 14);
	/* Stripped tag plus one more in the frame: QinQ. */
	m = ursa_test_mbuf_hex(lc, "02000000000a 020000000002 8100 0014 0800 4500");
	m->ol_flags |= RTE_MBUF_F_RX_VLAN_STRIPPED | RTE_MBUF_F_RX_VLAN;
	m->vlan_tci = 10;
	ursa_test_rx(lc, m);
	CU_ASSERT_EQUAL(seen.calls, 1);
	CU_ASSERT_EQUAL(ctr(lc, "drop_qinq"), 1);
	ursa_lcore_destroy(lc);
}

static void test_vlan_no_iface(void)
{
	struct ursa_lcore *lc = mk();

	/* Broadcast on VLAN 30: no interface, dropped before any address check. */
	ursa_test_rx_hex(lc, "ffffffffffff 020000000002 8100 001e 0800 4500");
	CU_ASSERT_EQUAL(seen.calls, 0);
	CU_ASSERT_EQUAL(ctr(lc, "drop_no_iface"), 1);
	CU_ASSERT_EQUAL(ctr(lc, "drop_not_for_us"), 0);
	CU_ASSERT_EQUAL(ctr(lc, "rx"), 0);
	ursa_lcore_destroy(lc);
}

static void test_not_for_us(void)
{
	struct ursa_lcore *lc = mk();

	ursa_test_rx_hex(lc, "020000000099 020000000002 0800 4500");
	CU_ASSERT_EQUAL(seen.calls, 0);
	CU_ASSERT_EQUAL(ctr(lc, "drop_not_for_us"), 1);
	ursa_lcore_destroy(lc);
}

static void test_bcast_mcast(void)
{
	struct ursa_lcore *lc = mk();

	ursa_test_rx_hex(lc, "ffffffffffff 020000000002 0800 4500");
	CU_ASSERT_EQUAL(seen.calls, 1);
	CU_ASSERT_EQUAL(seen.flags, URSA_PKT_BCAST);
	ursa_test_rx_hex(lc, "01005e000001 020000000002 0800 4500");
	CU_ASSERT_EQUAL(seen.calls, 2);
	CU_ASSERT_EQUAL(seen.flags, URSA_PKT_MCAST);
	ursa_test_rx_hex(lc, "333300000001 020000000002 8100 000a 0800 4500");
	CU_ASSERT_EQUAL(seen.calls, 3);
	CU_ASSERT_EQUAL(seen.iface, 1);
	CU_ASSERT_EQUAL(seen.flags, URSA_PKT_MCAST | URSA_PKT_VLAN);
	CU_ASSERT_EQUAL(ctr(lc, "rx_bcast"), 1);
	CU_ASSERT_EQUAL(ctr(lc, "rx_mcast"), 2);
	ursa_lcore_destroy(lc);
}

static void test_bad_src(void)
{
	struct ursa_lcore *lc = mk();

	ursa_test_rx_hex(lc, "ffffffffffff 020000000001 0800 4500"); /* our own frame */
	ursa_test_rx_hex(lc, "020000000001 ffffffffffff 0800 4500"); /* broadcast source */
	ursa_test_rx_hex(lc, "020000000001 030000000002 0800 4500"); /* multicast source */
	CU_ASSERT_EQUAL(seen.calls, 0);
	CU_ASSERT_EQUAL(ctr(lc, "drop_own_src"), 1);
	CU_ASSERT_EQUAL(ctr(lc, "drop_mcast_src"), 2);
	ursa_lcore_destroy(lc);
}

static void test_runt(void)
{
	struct ursa_lcore *lc = mk();

	ursa_test_rx_hex(lc, "020000000001 020000000002 08");
	ursa_test_rx_hex(lc, "");
	ursa_test_rx_hex(lc, "020000000001 020000000002 8100 000a 08"); /* tag cut short */
	CU_ASSERT_EQUAL(seen.calls, 0);
	CU_ASSERT_EQUAL(ctr(lc, "drop_runt"), 3);
	/* Exactly 14 bytes: an empty payload is still delivered. */
	ursa_test_rx_hex(lc, "020000000001 020000000002 0800");
	CU_ASSERT_EQUAL(seen.calls, 1);
	CU_ASSERT_EQUAL(seen.len, 0);
	ursa_lcore_destroy(lc);
}

static void test_qinq(void)
{
	struct ursa_lcore *lc = mk();

	ursa_test_rx_hex(lc, "02000000000a 020000000002 8100 000a 8100 0014 0800 4500");
	ursa_test_rx_hex(lc, "02000000000a 020000000002 8100 000a 88a8 0014 0800 4500");
	ursa_test_rx_hex(lc, "02000000000a 020000000002 88a8 000a 8100 0014 0800 4500");
	CU_ASSERT_EQUAL(seen.calls, 0);
	CU_ASSERT_EQUAL(ctr(lc, "drop_qinq"), 3);
	ursa_lcore_destroy(lc);
}

static void test_unknown_ethertype(void)
{
	struct ursa_lcore *lc = mk();

	ursa_test_rx_hex(lc, "020000000001 020000000002 88b5 0000");
	ursa_test_rx_hex(lc, "02000000000a 020000000002 8100 000a 86dd 6000");
	CU_ASSERT_EQUAL(seen.calls, 0);
	CU_ASSERT_EQUAL(ctr(lc, "drop_unknown_ethertype"), 2);
	ursa_lcore_destroy(lc);
}

static void test_output(void)
{
	struct ursa_lcore *lc = mk();
	struct rte_ether_addr peer = URSA_TEST_PEER_MAC;
	static const uint8_t untagged[] = {0x02, 0, 0, 0,    0,	   0x02, 0x02, 0,
					   0,	 0, 0, 0x01, 0x08, 0x00, 0x45, 0x00};
	static const uint8_t tagged[] = {0x02, 0,    0,	   0,	 0,    0x02, 0x02, 0,	 0,   0, 0,
					 0x0a, 0x81, 0x00, 0x00, 0x0a, 0x86, 0xdd, 0x60, 0x00};
	struct rte_mbuf *m;

	m = ursa_test_mbuf_hex(lc, "4500");
	CU_ASSERT_EQUAL(ursa_eth_output(lc, &lc->ifaces[0], m, &peer, RTE_ETHER_TYPE_IPV4), 0);
	ursa_test_expect_tx(lc, untagged, sizeof(untagged)); /* not padded to 60 */
	m = ursa_test_mbuf_hex(lc, "6000");
	CU_ASSERT_EQUAL(ursa_eth_output(lc, &lc->ifaces[1], m, &peer, RTE_ETHER_TYPE_IPV6), 0);
	ursa_test_expect_tx(lc, tagged, sizeof(tagged));
	CU_ASSERT_EQUAL(ctr(lc, "tx"), 2);
	/* No headroom left: -ENOBUFS, counted, nothing sent. */
	m = ursa_test_mbuf_hex(lc, "4500");
	rte_pktmbuf_prepend(m, rte_pktmbuf_headroom(m));
	CU_ASSERT_EQUAL(ursa_eth_output(lc, &lc->ifaces[0], m, &peer, RTE_ETHER_TYPE_IPV4),
			-ENOBUFS);
	CU_ASSERT_EQUAL(ctr(lc, "drop_no_headroom"), 1);
	CU_ASSERT_PTR_NULL(ursa_test_tx(lc));
	ursa_lcore_destroy(lc);
}

int main(void)
{
	CU_pSuite s = ursa_test_suite("eth", NULL, NULL);

	CU_add_test(s, "register duplicate", test_register_dup);
	CU_add_test(s, "untagged", test_untagged);
	CU_add_test(s, "tagged", test_tagged);
	CU_add_test(s, "vlan stripped by the NIC", test_vlan_stripped);
	CU_add_test(s, "vlan with no interface", test_vlan_no_iface);
	CU_add_test(s, "not for us", test_not_for_us);
	CU_add_test(s, "broadcast/multicast flags", test_bcast_mcast);
	CU_add_test(s, "bad source MAC", test_bad_src);
	CU_add_test(s, "runt", test_runt);
	CU_add_test(s, "qinq", test_qinq);
	CU_add_test(s, "unknown ethertype", test_unknown_ethertype);
	CU_add_test(s, "output bytes", test_output);
	return ursa_test_main();
}
