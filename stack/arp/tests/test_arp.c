/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of stack/arp: replies byte for byte, tenant separation on VLANs, the neighbour
 * state machine on the virtual clock, queueing, malformed input and conflicts. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "ursa_arp.h"
#include "ursa_eth.h"
#include "ursa_test.h"

#define S (1000000000ull)

/* Our MAC 02:..:01 with 10.0.0.1/24 on the untagged interface 0. */
static struct ursa_lcore *mk(void)
{
	struct ursa_lcore *lc = ursa_test_lcore(3);
	struct ursa_iface_conf c0 = {.port = 0};
	struct ursa_ipaddr a;
	uint8_t plen;

	CU_ASSERT_FATAL(lc != NULL);
	CU_ASSERT_FATAL(ursa_eth_init(lc) == 0);
	CU_ASSERT_FATAL(ursa_arp_init(lc) == 0);
	CU_ASSERT_FATAL(ursa_iface_add(lc, &c0, NULL) == 0);
	CU_ASSERT_FATAL(ursa_ipaddr_parse("10.0.0.1/24", &a, &plen) == 0);
	CU_ASSERT_FATAL(ursa_iface_addr_add(lc, 0, &a, plen) == 0);
	return lc;
}

static uint64_t actr(struct ursa_lcore *lc, const char *name)
{
	return ursa_test_counter(lc, "arp", name);
}

static uint64_t nctr(struct ursa_lcore *lc, const char *name)
{
	return ursa_test_counter(lc, "neigh", name);
}

static enum ursa_neigh_state state(struct ursa_lcore *lc, uint16_t ifc, const char *a,
				   struct rte_ether_addr *mac)
{
	struct ursa_ipaddr x = ursa_test_ip(a);

	return ursa_neigh_lookup(lc, &lc->ifaces[ifc], &x, mac);
}

/* An L3 payload whose first byte tells packets apart. */
static int send_to(struct ursa_lcore *lc, const char *nh, uint8_t tag)
{
	uint8_t d[4] = {0x45, 0, 0, tag};
	struct ursa_ipaddr x = ursa_test_ip(nh);

	return ursa_neigh_output(lc, &lc->ifaces[0], &x, ursa_test_mbuf(lc, d, sizeof(d)),
				 RTE_ETHER_TYPE_IPV4);
}

#define PEER_REQ_FOR_US                                                                            \
	"ffffffffffff 020000000002 0806 0001 0800 06 04 0001 020000000002 0a000002 "               \
	"000000000000 0a000001"
#define REPLY_TO_PEER                                                                              \
	"020000000002 020000000001 0806 0001 0800 06 04 0002 020000000001 0a000001 "               \
	"020000000002 0a000002"
#define PEER_REPLY                                                                                 \
	"020000000001 020000000002 0806 0001 0800 06 04 0002 020000000002 0a000002 "               \
	"020000000001 0a000001"
#define OUR_REQ_FOR_PEER                                                                           \
	"ffffffffffff 020000000001 0806 0001 0800 06 04 0001 020000000001 0a000001 "               \
	"000000000000 0a000002"
#define OUR_PROBE_FOR_PEER                                                                         \
	"020000000002 020000000001 0806 0001 0800 06 04 0001 020000000001 0a000001 "               \
	"000000000000 0a000002"

static void test_request_reply(void)
{
	struct ursa_lcore *lc = mk();
	struct rte_ether_addr mac, peer = URSA_TEST_PEER_MAC;

	ursa_test_rx_hex(lc, PEER_REQ_FOR_US);
	ursa_test_expect_tx_hex(lc, REPLY_TO_PEER);
	CU_ASSERT_PTR_NULL(ursa_test_tx(lc));
	CU_ASSERT_EQUAL(state(lc, 0, "10.0.0.2", &mac), URSA_NEIGH_STALE);
	CU_ASSERT(rte_is_same_ether_addr(&mac, &peer));
	/* With Ethernet padding to 60 bytes: the same 42-byte reply. */
	ursa_test_rx_hex(lc, PEER_REQ_FOR_US "000000000000000000000000000000000000");
	ursa_test_expect_tx_hex(lc, REPLY_TO_PEER);
	CU_ASSERT_EQUAL(actr(lc, "rx_request"), 2);
	CU_ASSERT_EQUAL(actr(lc, "tx_reply"), 2);
	CU_ASSERT_EQUAL(nctr(lc, "created"), 1);
	ursa_lcore_destroy(lc);
}

static void test_probe_answered_not_learned(void)
{
	struct ursa_lcore *lc = mk();

	/* RFC 5227 probe: sender IP 0.0.0.0. Answered (tpa 0.0.0.0), never learned. */
	ursa_test_rx_hex(
		lc, "ffffffffffff 020000000002 0806 0001 0800 06 04 0001 020000000002 00000000 "
		    "000000000000 0a000001");
	ursa_test_expect_tx_hex(
		lc, "020000000002 020000000001 0806 0001 0800 06 04 0002 020000000001 0a000001 "
		    "020000000002 00000000");
	CU_ASSERT_EQUAL(actr(lc, "rx_probe"), 1);
	CU_ASSERT_EQUAL(nctr(lc, "created"), 0);
	ursa_lcore_destroy(lc);
}

static void test_unknown_target(void)
{
	struct ursa_lcore *lc = mk();
	struct rte_ether_addr mac;

	ursa_test_rx_hex(
		lc, "ffffffffffff 020000000003 0806 0001 0800 06 04 0001 020000000003 0a000003 "
		    "000000000000 0a000009");
	CU_ASSERT_PTR_NULL(ursa_test_tx(lc));
	CU_ASSERT_EQUAL(actr(lc, "ignored_not_target"), 1);
	CU_ASSERT_EQUAL(state(lc, 0, "10.0.0.3", NULL), URSA_NEIGH_NONE);
	/* An existing entry is refreshed by it: a new MAC is taken (STALE). */
	ursa_test_rx_hex(
		lc, "ffffffffffff 020000000003 0806 0001 0800 06 04 0001 020000000003 0a000003 "
		    "000000000000 0a000001");
	CU_ASSERT_EQUAL(ursa_test_tx_drain(lc), 1);
	ursa_test_rx_hex(
		lc, "ffffffffffff 020000000033 0806 0001 0800 06 04 0001 020000000033 0a000003 "
		    "000000000000 0a000009");
	CU_ASSERT_PTR_NULL(ursa_test_tx(lc));
	CU_ASSERT_EQUAL(state(lc, 0, "10.0.0.3", &mac), URSA_NEIGH_STALE);
	CU_ASSERT_EQUAL(mac.addr_bytes[5], 0x33);
	CU_ASSERT_EQUAL(actr(lc, "ignored_not_target"), 2);
	ursa_lcore_destroy(lc);
}

static void test_vlan_tenants(void)
{
	struct ursa_lcore *lc = ursa_test_lcore(4);
	struct rte_ether_addr m10 = {{0x02, 0, 0, 0, 0, 0x0a}}, m20 = {{0x02, 0, 0, 0, 0, 0x14}};
	struct ursa_iface_conf c10 = {.port = 0, .vlan = 10, .tenant = 1, .mac = &m10};
	struct ursa_iface_conf c20 = {.port = 0, .vlan = 20, .tenant = 2, .mac = &m20};
	struct ursa_ipaddr a = ursa_test_ip("10.0.0.1");

	CU_ASSERT_FATAL(lc != NULL);
	CU_ASSERT_FATAL(ursa_eth_init(lc) == 0);
	CU_ASSERT_FATAL(ursa_arp_init(lc) == 0);
	CU_ASSERT_FATAL(ursa_iface_add(lc, &c10, NULL) == 0);
	CU_ASSERT_FATAL(ursa_iface_add(lc, &c20, NULL) == 0);
	CU_ASSERT_FATAL(ursa_iface_addr_add(lc, 0, &a, 24) == 0);
	CU_ASSERT_FATAL(ursa_iface_addr_add(lc, 1, &a, 24) == 0);

	ursa_test_rx_hex(
		lc, "ffffffffffff 020000000002 8100 000a 0806 0001 0800 06 04 0001 020000000002 "
		    "0a000002 000000000000 0a000001");
	ursa_test_expect_tx_hex(
		lc, "020000000002 02000000000a 8100 000a 0806 0001 0800 06 04 0002 02000000000a "
		    "0a000001 020000000002 0a000002");
	CU_ASSERT_PTR_NULL(ursa_test_tx(lc));
	CU_ASSERT_EQUAL(state(lc, 0, "10.0.0.2", NULL), URSA_NEIGH_STALE);
	CU_ASSERT_EQUAL(state(lc, 1, "10.0.0.2", NULL), URSA_NEIGH_NONE);

	ursa_test_rx_hex(
		lc, "ffffffffffff 020000000009 8100 0014 0806 0001 0800 06 04 0001 020000000009 "
		    "0a000002 000000000000 0a000001");
	ursa_test_expect_tx_hex(
		lc, "020000000009 020000000014 8100 0014 0806 0001 0800 06 04 0002 020000000014 "
		    "0a000001 020000000009 0a000002");
	CU_ASSERT_PTR_NULL(ursa_test_tx(lc));

	ursa_test_rx_hex(
		lc, "ffffffffffff 020000000002 8100 001e 0806 0001 0800 06 04 0001 020000000002 "
		    "0a000002 000000000000 0a000001");
	CU_ASSERT_PTR_NULL(ursa_test_tx(lc));
	CU_ASSERT_EQUAL(ursa_test_counter(lc, "eth", "drop_no_iface"), 1);
	CU_ASSERT_EQUAL(actr(lc, "rx"), 2);
	ursa_lcore_destroy(lc);
}

static void check_payload_tag(struct rte_mbuf *m, uint8_t tag)
{
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), 18);
	CU_ASSERT_EQUAL(rte_pktmbuf_mtod_offset(m, uint8_t *, 17)[0], tag);
	CU_ASSERT_EQUAL(rte_pktmbuf_mtod(m, uint8_t *)[5], 0x02); /* to the peer's MAC */
	rte_pktmbuf_free(m);
}

static void test_queue_flush_in_order(void)
{
	struct ursa_lcore *lc = mk();

	for (uint8_t i = 1; i <= 10; i++)
		CU_ASSERT_EQUAL(send_to(lc, "10.0.0.2", i), 0);
	ursa_lcore_poll(lc);
	ursa_test_expect_tx_hex(lc, OUR_REQ_FOR_PEER); /* one request for all ten */
	CU_ASSERT_PTR_NULL(ursa_test_tx(lc));
	CU_ASSERT_EQUAL(state(lc, 0, "10.0.0.2", NULL), URSA_NEIGH_INCOMPLETE);
	CU_ASSERT_EQUAL(nctr(lc, "queued"), 10);
	CU_ASSERT_EQUAL(ursa_test_counter(lc, "hold", "held_neigh"), 10);
	ursa_test_rx_hex(lc, PEER_REPLY);
	for (uint8_t i = 1; i <= 10; i++)
		check_payload_tag(ursa_test_tx(lc), i);
	CU_ASSERT_PTR_NULL(ursa_test_tx(lc));
	CU_ASSERT_EQUAL(nctr(lc, "drop_queue_full"), 0);
	CU_ASSERT_EQUAL(state(lc, 0, "10.0.0.2", NULL), URSA_NEIGH_REACHABLE);
	/* Resolved: the next packet leaves at once. */
	CU_ASSERT_EQUAL(send_to(lc, "10.0.0.2", 11), 0);
	check_payload_tag(ursa_test_tx(lc), 11);
	CU_ASSERT_EQUAL(nctr(lc, "sent"), 11);
	CU_ASSERT_EQUAL(ursa_test_counter(lc, "hold", "held_neigh"), 0);
	CU_ASSERT_EQUAL(ursa_quota_used(lc, 0, URSA_RES_neigh_bytes), 0);
	ursa_lcore_destroy(lc);
}

/* A packet of len bytes (at L3) whose first two bytes are its sequence number. */
static int send_big(struct ursa_lcore *lc, uint16_t ifc, const char *nh, uint16_t seq, uint16_t len)
{
	struct rte_mbuf *m = ursa_pkt_alloc(lc);
	struct ursa_ipaddr x = ursa_test_ip(nh);
	uint8_t *p;

	CU_ASSERT_FATAL(m != NULL);
	p = (uint8_t *)rte_pktmbuf_append(m, len);
	CU_ASSERT_FATAL(p != NULL);
	memset(p, 0xab, len);
	p[0] = (uint8_t)(seq >> 8);
	p[1] = (uint8_t)seq;
	return ursa_neigh_output(lc, &lc->ifaces[ifc], &x, m, RTE_ETHER_TYPE_IPV4);
}

/* The first message of an RDMA WRITE to a peer not yet in the cache: 64 packets of 1 KiB
 * payload (plus headers) all leave, in order, once the peer answers; nothing is dropped. */
static void test_first_burst_of_64(void)
{
	struct ursa_lcore *lc = mk();

	for (uint16_t i = 0; i < 64; i++)
		CU_ASSERT_EQUAL(send_big(lc, 0, "10.0.0.2", i, 1024 + 58), 0);
	ursa_lcore_poll(lc);
	ursa_test_expect_tx_hex(lc, OUR_REQ_FOR_PEER);
	CU_ASSERT_PTR_NULL(ursa_test_tx(lc));
	CU_ASSERT_EQUAL(ursa_test_counter(lc, "hold", "held_neigh"), 64);
	ursa_test_rx_hex(lc, PEER_REPLY);
	for (uint16_t i = 0; i < 64; i++) {
		struct rte_mbuf *m = ursa_test_tx(lc);

		CU_ASSERT_FATAL(m != NULL);
		CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), 14 + 1024 + 58);
		CU_ASSERT_EQUAL(rte_pktmbuf_mtod_offset(m, uint8_t *, 14)[0], i >> 8);
		CU_ASSERT_EQUAL(rte_pktmbuf_mtod_offset(m, uint8_t *, 15)[0], i & 0xff);
		rte_pktmbuf_free(m);
	}
	CU_ASSERT_PTR_NULL(ursa_test_tx(lc));
	CU_ASSERT_EQUAL(nctr(lc, "drop_queue_full"), 0);
	CU_ASSERT_EQUAL(nctr(lc, "sent"), 64);
	CU_ASSERT_EQUAL(ursa_test_counter(lc, "hold", "held_neigh"), 0);
	ursa_lcore_destroy(lc);
}

/* One entry holds at most NEIGH_UNRES_QLEN_BYTES (212992) of buffers: the oldest give way,
 * and what is left is the newest, in order. */
static void test_entry_queue_bytes(void)
{
	struct ursa_lcore *lc = mk();
	uint64_t kept, gone;

	for (uint16_t i = 0; i < 200; i++)
		CU_ASSERT_EQUAL(send_big(lc, 0, "10.0.0.2", i, 1000), 0);
	gone = nctr(lc, "drop_queue_full");
	kept = ursa_test_counter(lc, "hold", "held_neigh");
	CU_ASSERT_EQUAL(gone + kept, 200);
	CU_ASSERT(kept >= 64 && kept * (RTE_MBUF_DEFAULT_BUF_SIZE + 128) <= 212992);
	ursa_test_tx_drain(lc);
	ursa_test_rx_hex(lc, PEER_REPLY);
	for (uint64_t i = gone; i < 200; i++) {
		struct rte_mbuf *m = ursa_test_tx(lc);

		CU_ASSERT_FATAL(m != NULL);
		CU_ASSERT_EQUAL(rte_pktmbuf_mtod_offset(m, uint8_t *, 15)[0], i & 0xff);
		rte_pktmbuf_free(m);
	}
	CU_ASSERT_PTR_NULL(ursa_test_tx(lc));
	ursa_lcore_destroy(lc);
}

/* Interface 1 (VLAN 10, tenant 2) may hold 16 entries and 8 queued packets' worth of bytes.
 * A flood of new neighbours there evicts its own INCOMPLETE entries, least recently used
 * first, never its REACHABLE one, and never touches interface 0. */
static void test_quota_evicts_incomplete(void)
{
	struct ursa_lcore *lc = mk();
	struct ursa_iface_conf c1 = {.port = 0, .vlan = 10, .tenant = 2};
	struct rte_ether_addr peer = URSA_TEST_PEER_MAC;
	struct ursa_ipaddr a;
	char s[32];

	c1.quota.max[URSA_RES_neigh] = 16;
	c1.quota.max[URSA_RES_neigh_bytes] = 8 * (RTE_MBUF_DEFAULT_BUF_SIZE + 128 + 64);
	CU_ASSERT_FATAL(ursa_iface_add(lc, &c1, NULL) == 0);
	/* Interface 0 learns its peer; interface 1 one neighbour that stays REACHABLE. */
	send_to(lc, "10.0.0.2", 1);
	ursa_test_rx_hex(lc, PEER_REPLY);
	a = ursa_test_ip("10.9.0.1");
	ursa_neigh_update(lc, &lc->ifaces[1], &a, &peer, true, true);
	ursa_test_tx_drain(lc);
	for (int i = 0; i < 100; i++) {
		snprintf(s, sizeof(s), "10.9.1.%d", i);
		send_big(lc, 1, s, (uint16_t)i, 100);
		ursa_clock_advance(&lc->clock, 1000);
	}
	CU_ASSERT_EQUAL(ursa_quota_used(lc, 1, URSA_RES_neigh), 16);
	CU_ASSERT_EQUAL(nctr(lc, "evicted"), 100 - 15);
	/* The 15 newest are INCOMPLETE, the oldest went; 8 packets queued at most. */
	CU_ASSERT_EQUAL(state(lc, 1, "10.9.1.99", NULL), URSA_NEIGH_INCOMPLETE);
	CU_ASSERT_EQUAL(state(lc, 1, "10.9.1.85", NULL), URSA_NEIGH_INCOMPLETE);
	CU_ASSERT_EQUAL(state(lc, 1, "10.9.1.84", NULL), URSA_NEIGH_NONE);
	CU_ASSERT_EQUAL(state(lc, 1, "10.9.0.1", NULL), URSA_NEIGH_REACHABLE);
	CU_ASSERT(ursa_test_counter(lc, "hold", "held_neigh") <= 8);
	CU_ASSERT(nctr(lc, "drop_queue_quota") > 0);
	CU_ASSERT_EQUAL(nctr(lc, "drop_evicted") + nctr(lc, "drop_queue_quota") +
				ursa_test_counter(lc, "hold", "held_neigh"),
			100);
	CU_ASSERT(ursa_test_counter(lc, "quota", "drop_neigh_iface") >= 85);
	/* Interface 0 is untouched and still sends at once. */
	CU_ASSERT_EQUAL(state(lc, 0, "10.0.0.2", NULL), URSA_NEIGH_REACHABLE);
	CU_ASSERT_EQUAL(send_to(lc, "10.0.0.2", 7), 0);
	check_payload_tag(ursa_test_tx(lc), 7);
	CU_ASSERT_EQUAL(ursa_quota_used(lc, 0, URSA_RES_neigh), 1);
	ursa_test_tx_drain(lc);
	ursa_lcore_destroy(lc);
}

/* All holding queues together stay within the pool share: past it, packets are refused
 * and counted instead of taking the last buffers. */
static void test_pool_share(void)
{
	struct ursa_lcore *lc = mk();
	uint32_t cap = ursa_hold_cap(lc);
	char s[32];

	CU_ASSERT_EQUAL(cap, lc->pool->size / 2);
	CU_ASSERT_FATAL(ursa_hold_take(lc, URSA_HOLD_reasm, cap - 3));
	for (int i = 0; i < 5; i++) {
		snprintf(s, sizeof(s), "10.0.0.%d", 10 + i);
		send_to(lc, s, (uint8_t)i);
	}
	CU_ASSERT_EQUAL(ursa_hold_total(lc), cap);
	CU_ASSERT_EQUAL(nctr(lc, "drop_pool_share"), 2);
	CU_ASSERT_EQUAL(ursa_test_counter(lc, "hold", "drop_neigh_pool_share"), 2);
	ursa_hold_give(lc, URSA_HOLD_reasm, cap - 3);
	ursa_test_tx_drain(lc);
	ursa_lcore_destroy(lc);
}

static void test_retries_then_failed(void)
{
	struct ursa_lcore *lc = mk();

	CU_ASSERT_EQUAL(send_to(lc, "10.0.0.2", 1), 0);
	CU_ASSERT_EQUAL(send_to(lc, "10.0.0.2", 2), 0);
	ursa_test_expect_tx_hex(lc, OUR_REQ_FOR_PEER);
	ursa_test_advance(lc, S - 1);
	CU_ASSERT_PTR_NULL(ursa_test_tx(lc));
	ursa_test_advance(lc, 1);
	ursa_test_expect_tx_hex(lc, OUR_REQ_FOR_PEER);
	ursa_test_advance(lc, S);
	ursa_test_expect_tx_hex(lc, OUR_REQ_FOR_PEER);
	CU_ASSERT_EQUAL(state(lc, 0, "10.0.0.2", NULL), URSA_NEIGH_INCOMPLETE);
	ursa_test_advance(lc, S);
	CU_ASSERT_PTR_NULL(ursa_test_tx(lc));
	CU_ASSERT_EQUAL(state(lc, 0, "10.0.0.2", NULL), URSA_NEIGH_FAILED);
	CU_ASSERT_EQUAL(nctr(lc, "drop_unresolved"), 2);
	CU_ASSERT_EQUAL(nctr(lc, "solicit"), 3);
	CU_ASSERT_EQUAL(actr(lc, "tx_request"), 3);
	/* FAILED is quiet, and garbage-collected a minute later. */
	ursa_test_advance(lc, 60 * S - 1);
	CU_ASSERT_PTR_NULL(ursa_test_tx(lc));
	CU_ASSERT_EQUAL(state(lc, 0, "10.0.0.2", NULL), URSA_NEIGH_FAILED);
	ursa_test_advance(lc, 1);
	CU_ASSERT_EQUAL(state(lc, 0, "10.0.0.2", NULL), URSA_NEIGH_NONE);
	CU_ASSERT_EQUAL(nctr(lc, "removed"), 1);
	/* Using it again starts over. */
	CU_ASSERT_EQUAL(send_to(lc, "10.0.0.2", 3), 0);
	ursa_test_expect_tx_hex(lc, OUR_REQ_FOR_PEER);
	CU_ASSERT_EQUAL(state(lc, 0, "10.0.0.2", NULL), URSA_NEIGH_INCOMPLETE);
	ursa_lcore_destroy(lc);
}

static void test_nud_transitions(void)
{
	struct ursa_lcore *lc = mk();

	send_to(lc, "10.0.0.2", 1);
	ursa_test_expect_tx_hex(lc, OUR_REQ_FOR_PEER);
	ursa_test_rx_hex(lc, PEER_REPLY);
	check_payload_tag(ursa_test_tx(lc), 1);
	CU_ASSERT_EQUAL(state(lc, 0, "10.0.0.2", NULL), URSA_NEIGH_REACHABLE);
	/* Reachable time is randomised in [15 s, 45 s). */
	ursa_test_advance(lc, 15 * S - 1);
	CU_ASSERT_EQUAL(state(lc, 0, "10.0.0.2", NULL), URSA_NEIGH_REACHABLE);
	ursa_test_advance(lc, 30 * S);
	CU_ASSERT_EQUAL(state(lc, 0, "10.0.0.2", NULL), URSA_NEIGH_STALE);
	CU_ASSERT_PTR_NULL(ursa_test_tx(lc));
	/* Used while STALE: sent at once, DELAY for 5 s, then unicast probes. */
	send_to(lc, "10.0.0.2", 2);
	check_payload_tag(ursa_test_tx(lc), 2);
	CU_ASSERT_EQUAL(state(lc, 0, "10.0.0.2", NULL), URSA_NEIGH_DELAY);
	ursa_test_advance(lc, 5 * S - 1);
	CU_ASSERT_PTR_NULL(ursa_test_tx(lc));
	ursa_test_advance(lc, 1);
	CU_ASSERT_EQUAL(state(lc, 0, "10.0.0.2", NULL), URSA_NEIGH_PROBE);
	ursa_test_expect_tx_hex(lc, OUR_PROBE_FOR_PEER);
	send_to(lc, "10.0.0.2", 3); /* PROBE still sends */
	check_payload_tag(ursa_test_tx(lc), 3);
	ursa_test_rx_hex(lc, PEER_REPLY);
	CU_ASSERT_EQUAL(state(lc, 0, "10.0.0.2", NULL), URSA_NEIGH_REACHABLE);
	CU_ASSERT_PTR_NULL(ursa_test_tx(lc)); /* no more probes */

	/* An upper-layer confirmation while in DELAY skips the probes. */
	ursa_test_advance(lc, 45 * S);
	send_to(lc, "10.0.0.2", 5);
	check_payload_tag(ursa_test_tx(lc), 5);
	CU_ASSERT_EQUAL(state(lc, 0, "10.0.0.2", NULL), URSA_NEIGH_DELAY);
	{
		struct ursa_ipaddr peer = ursa_test_ip("10.0.0.2"),
				   other = ursa_test_ip("10.0.0.99");

		ursa_neigh_confirm(lc, &lc->ifaces[0], &peer);
		ursa_neigh_confirm(lc, &lc->ifaces[0], &other); /* unknown: nothing */
	}
	CU_ASSERT_EQUAL(state(lc, 0, "10.0.0.2", NULL), URSA_NEIGH_REACHABLE);
	CU_ASSERT_EQUAL(state(lc, 0, "10.0.0.99", NULL), URSA_NEIGH_NONE);
	ursa_test_advance(lc, 10 * S);
	CU_ASSERT_PTR_NULL(ursa_test_tx(lc));
	CU_ASSERT_EQUAL(state(lc, 0, "10.0.0.2", NULL), URSA_NEIGH_REACHABLE);

	/* Again, this time the peer stays silent: 3 unicast probes 1 s apart, then FAILED. */
	ursa_test_advance(lc, 45 * S);
	CU_ASSERT_EQUAL(state(lc, 0, "10.0.0.2", NULL), URSA_NEIGH_STALE);
	send_to(lc, "10.0.0.2", 4);
	check_payload_tag(ursa_test_tx(lc), 4);
	ursa_test_advance(lc, 5 * S);
	ursa_test_expect_tx_hex(lc, OUR_PROBE_FOR_PEER);
	ursa_test_advance(lc, S);
	ursa_test_expect_tx_hex(lc, OUR_PROBE_FOR_PEER);
	ursa_test_advance(lc, S);
	ursa_test_expect_tx_hex(lc, OUR_PROBE_FOR_PEER);
	CU_ASSERT_EQUAL(state(lc, 0, "10.0.0.2", NULL), URSA_NEIGH_PROBE);
	ursa_test_advance(lc, S);
	CU_ASSERT_PTR_NULL(ursa_test_tx(lc));
	CU_ASSERT_EQUAL(state(lc, 0, "10.0.0.2", NULL), URSA_NEIGH_FAILED);
	CU_ASSERT_EQUAL(nctr(lc, "failed"), 1);
	ursa_lcore_destroy(lc);
}

static void test_announce(void)
{
	struct ursa_lcore *lc = mk();
	struct ursa_ipaddr b = ursa_test_ip("192.168.7.9");

	CU_ASSERT_FATAL(ursa_iface_addr_add(lc, 0, &b, 24) == 0);
	ursa_arp_announce(lc, &lc->ifaces[0]);
	ursa_test_expect_tx_hex(
		lc, "ffffffffffff 020000000001 0806 0001 0800 06 04 0001 020000000001 0a000001 "
		    "000000000000 0a000001");
	ursa_test_expect_tx_hex(
		lc, "ffffffffffff 020000000001 0806 0001 0800 06 04 0001 020000000001 c0a80709 "
		    "000000000000 c0a80709");
	CU_ASSERT_PTR_NULL(ursa_test_tx(lc));
	CU_ASSERT_EQUAL(actr(lc, "tx_announce"), 2);
	ursa_lcore_destroy(lc);
}

static void test_malformed(void)
{
	struct ursa_lcore *lc = mk();

	/* 27 bytes of ARP */
	ursa_test_rx_hex(
		lc, "ffffffffffff 020000000002 0806 0001 0800 06 04 0001 020000000002 0a000002 "
		    "000000000000 0a0000");
	ursa_test_rx_hex(
		lc, "ffffffffffff 020000000002 0806 0006 0800 06 04 0001 020000000002 0a000002 "
		    "000000000000 0a000001");
	ursa_test_rx_hex(
		lc, "ffffffffffff 020000000002 0806 0001 86dd 06 04 0001 020000000002 0a000002 "
		    "000000000000 0a000001");
	ursa_test_rx_hex(
		lc, "ffffffffffff 020000000002 0806 0001 0800 08 04 0001 020000000002 0a000002 "
		    "000000000000 0a000001");
	ursa_test_rx_hex(
		lc, "ffffffffffff 020000000002 0806 0001 0800 06 10 0001 020000000002 0a000002 "
		    "000000000000 0a000001");
	ursa_test_rx_hex(
		lc, "ffffffffffff 020000000002 0806 0001 0800 06 04 0003 020000000002 0a000002 "
		    "000000000000 0a000001");
	ursa_test_rx_hex(
		lc, "ffffffffffff 020000000002 0806 0001 0800 06 04 0000 020000000002 0a000002 "
		    "000000000000 0a000001");
	/* sender hardware address broadcast; sender IP multicast / loopback */
	ursa_test_rx_hex(
		lc, "ffffffffffff 020000000002 0806 0001 0800 06 04 0001 ffffffffffff 0a000002 "
		    "000000000000 0a000001");
	ursa_test_rx_hex(
		lc, "ffffffffffff 020000000002 0806 0001 0800 06 04 0001 020000000002 e0000001 "
		    "000000000000 0a000001");
	ursa_test_rx_hex(
		lc, "ffffffffffff 020000000002 0806 0001 0800 06 04 0001 020000000002 7f000001 "
		    "000000000000 0a000001");
	CU_ASSERT_PTR_NULL(ursa_test_tx(lc));
	CU_ASSERT_EQUAL(actr(lc, "rx"), 10);
	CU_ASSERT_EQUAL(actr(lc, "drop_short"), 1);
	CU_ASSERT_EQUAL(actr(lc, "drop_bad_htype"), 1);
	CU_ASSERT_EQUAL(actr(lc, "drop_bad_ptype"), 1);
	CU_ASSERT_EQUAL(actr(lc, "drop_bad_hlen"), 1);
	CU_ASSERT_EQUAL(actr(lc, "drop_bad_plen"), 1);
	CU_ASSERT_EQUAL(actr(lc, "drop_bad_op"), 2);
	CU_ASSERT_EQUAL(actr(lc, "drop_bad_sha"), 1);
	CU_ASSERT_EQUAL(actr(lc, "drop_bad_spa"), 2);
	CU_ASSERT_EQUAL(actr(lc, "rx_request"), 0);
	CU_ASSERT_EQUAL(nctr(lc, "created"), 0);
	ursa_lcore_destroy(lc);
}

static void test_conflict(void)
{
	struct ursa_lcore *lc = mk();
	struct rte_ether_addr mac;

	/* Someone asks for 10.0.0.5 claiming to be 10.0.0.1 (ours). */
	ursa_test_rx_hex(
		lc, "ffffffffffff 020000000007 0806 0001 0800 06 04 0001 020000000007 0a000001 "
		    "000000000000 0a000005");
	/* ...and announces our address gratuitously. */
	ursa_test_rx_hex(
		lc, "ffffffffffff 020000000007 0806 0001 0800 06 04 0001 020000000007 0a000001 "
		    "000000000000 0a000001");
	CU_ASSERT_PTR_NULL(ursa_test_tx(lc));
	CU_ASSERT_EQUAL(actr(lc, "addr_conflict"), 2);
	CU_ASSERT_EQUAL(state(lc, 0, "10.0.0.1", NULL), URSA_NEIGH_NONE);
	CU_ASSERT_EQUAL(nctr(lc, "created"), 0);
	/* Still answering for the address. */
	ursa_test_rx_hex(lc, PEER_REQ_FOR_US);
	ursa_test_expect_tx_hex(lc, REPLY_TO_PEER);
	CU_ASSERT(
		rte_is_same_ether_addr(&lc->ifaces[0].mac, &(struct rte_ether_addr)URSA_TEST_MAC));
	(void)mac;
	ursa_lcore_destroy(lc);
}

static void test_gratuitous(void)
{
	struct ursa_lcore *lc = mk();
	struct rte_ether_addr mac;

	/* No entry: a gratuitous ARP creates none. */
	ursa_test_rx_hex(
		lc, "ffffffffffff 020000000002 0806 0001 0800 06 04 0001 020000000002 0a000002 "
		    "000000000000 0a000002");
	CU_ASSERT_EQUAL(state(lc, 0, "10.0.0.2", NULL), URSA_NEIGH_NONE);
	/* Existing REACHABLE entry: the new MAC is taken, STALE until verified. */
	send_to(lc, "10.0.0.2", 1);
	ursa_test_rx_hex(lc, PEER_REPLY);
	CU_ASSERT_EQUAL(ursa_test_tx_drain(lc), 2);
	CU_ASSERT_EQUAL(state(lc, 0, "10.0.0.2", NULL), URSA_NEIGH_REACHABLE);
	ursa_test_rx_hex(
		lc, "ffffffffffff 020000000022 0806 0001 0800 06 04 0002 020000000022 0a000002 "
		    "ffffffffffff 0a000002");
	CU_ASSERT_EQUAL(state(lc, 0, "10.0.0.2", &mac), URSA_NEIGH_STALE);
	CU_ASSERT_EQUAL(mac.addr_bytes[5], 0x22);
	CU_ASSERT_EQUAL(actr(lc, "rx_gratuitous"), 2);
	CU_ASSERT_PTR_NULL(ursa_test_tx(lc));
	ursa_lcore_destroy(lc);
}

static void walk_count(const struct ursa_iface *ifc, const struct ursa_ipaddr *a,
		       const struct rte_ether_addr *mac, enum ursa_neigh_state st, void *arg)
{
	unsigned *n = arg;

	(void)ifc;
	(void)a;
	(void)mac;
	n[st]++;
}

static void test_resolver_static_walk(void)
{
	struct ursa_lcore *lc = mk();
	struct rte_ether_addr peer = URSA_TEST_PEER_MAC;
	struct ursa_ipaddr v6 = ursa_test_ip("fd00::2"), s = ursa_test_ip("10.0.0.50");
	uint8_t d[2] = {0x60, 0};
	unsigned counts[8] = {0};

	CU_ASSERT_EQUAL(ursa_neigh_output(lc, &lc->ifaces[0], &v6, ursa_test_mbuf(lc, d, 2),
					  RTE_ETHER_TYPE_IPV6),
			-EAFNOSUPPORT);
	CU_ASSERT_EQUAL(nctr(lc, "drop_no_resolver"), 1);
	CU_ASSERT_EQUAL(ursa_neigh_add_static(lc, &lc->ifaces[0], &s, &peer), 0);
	CU_ASSERT_EQUAL(send_to(lc, "10.0.0.50", 9), 0);
	check_payload_tag(ursa_test_tx(lc), 9);
	ursa_test_advance(lc, 600 * S);
	CU_ASSERT_EQUAL(state(lc, 0, "10.0.0.50", NULL), URSA_NEIGH_STATIC);
	send_to(lc, "10.0.0.3", 1);
	ursa_test_tx_drain(lc);
	ursa_neigh_walk(lc, walk_count, counts);
	CU_ASSERT_EQUAL(counts[URSA_NEIGH_STATIC], 1);
	CU_ASSERT_EQUAL(counts[URSA_NEIGH_INCOMPLETE], 1);
	CU_ASSERT_STRING_EQUAL(ursa_neigh_state_name(URSA_NEIGH_DELAY), "DELAY");
	CU_ASSERT_STRING_EQUAL(ursa_neigh_state_name(URSA_NEIGH_INCOMPLETE), "INCOMPLETE");
	ursa_lcore_destroy(lc);
}

static void test_table_full(void)
{
	struct ursa_lcore *lc = mk();
	struct ursa_iface_conf c1 = {.port = 0, .vlan = 10};
	struct rte_ether_addr peer = URSA_TEST_PEER_MAC;
	struct ursa_ipaddr a = ursa_test_ip("10.1.0.0");
	const uint32_t cap = 4096;

	/* Interface 0 may fill the table (quota 4096); interface 1 (default quota) then can
	 * only take entries back from it. */
	lc->ifaces[0].quota.max[URSA_RES_neigh] = cap;
	CU_ASSERT_FATAL(ursa_iface_add(lc, &c1, NULL) == 0);

	/* Fill with STALE entries, oldest first; one more evicts the least recently used. */
	for (uint32_t i = 0; i < cap; i++) {
		a.v4 = rte_cpu_to_be_32(0x0a010000 + i);
		ursa_neigh_update(lc, &lc->ifaces[0], &a, &peer, false, true);
		ursa_clock_advance(&lc->clock, 1000);
	}
	CU_ASSERT_EQUAL(nctr(lc, "created"), cap);
	a.v4 = rte_cpu_to_be_32(0x0a020000);
	ursa_neigh_update(lc, &lc->ifaces[0], &a, &peer, false, true);
	CU_ASSERT_EQUAL(nctr(lc, "evicted"), 1);
	CU_ASSERT_EQUAL(state(lc, 0, "10.1.0.0", NULL), URSA_NEIGH_NONE);
	CU_ASSERT_EQUAL(state(lc, 0, "10.1.0.1", NULL), URSA_NEIGH_STALE);
	CU_ASSERT_EQUAL(state(lc, 0, "10.2.0.0", NULL), URSA_NEIGH_STALE);
	/* All static: nothing may go, so a new neighbour is refused and its packet dropped. */
	for (uint32_t i = 1; i < cap; i++) {
		a.v4 = rte_cpu_to_be_32(0x0a010000 + i);
		CU_ASSERT_EQUAL_FATAL(ursa_neigh_add_static(lc, &lc->ifaces[0], &a, &peer), 0);
	}
	a.v4 = rte_cpu_to_be_32(0x0a020000);
	CU_ASSERT_EQUAL(ursa_neigh_add_static(lc, &lc->ifaces[0], &a, &peer), 0);
	CU_ASSERT_EQUAL(send_to(lc, "10.0.0.2", 1), -ENOSPC);
	CU_ASSERT_EQUAL(nctr(lc, "drop_quota"), 1);
	/* Another interface finds the table full with nothing to evict anywhere. */
	a.v4 = rte_cpu_to_be_32(0x0a030000);
	ursa_neigh_update(lc, &lc->ifaces[1], &a, &peer, false, true);
	CU_ASSERT_EQUAL(nctr(lc, "drop_table_full"), 1);
	CU_ASSERT_EQUAL(ursa_quota_used(lc, 1, URSA_RES_neigh), 0);
	CU_ASSERT_PTR_NULL(ursa_test_tx(lc));
	ursa_lcore_destroy(lc);
}

int main(void)
{
	CU_pSuite s = ursa_test_suite("arp", NULL, NULL);

	CU_add_test(s, "request -> exact reply", test_request_reply);
	CU_add_test(s, "probe answered, not learned", test_probe_answered_not_learned);
	CU_add_test(s, "unknown target ignored", test_unknown_target);
	CU_add_test(s, "VLAN tenant separation", test_vlan_tenants);
	CU_add_test(s, "queue flushed in order", test_queue_flush_in_order);
	CU_add_test(s, "first burst of 64 all leaves", test_first_burst_of_64);
	CU_add_test(s, "entry queue bounded in bytes", test_entry_queue_bytes);
	CU_add_test(s, "quota evicts INCOMPLETE", test_quota_evicts_incomplete);
	CU_add_test(s, "pool share", test_pool_share);
	CU_add_test(s, "3 retries then FAILED", test_retries_then_failed);
	CU_add_test(s, "NUD transitions", test_nud_transitions);
	CU_add_test(s, "gratuitous announce bytes", test_announce);
	CU_add_test(s, "malformed counted", test_malformed);
	CU_add_test(s, "address conflict", test_conflict);
	CU_add_test(s, "gratuitous from others", test_gratuitous);
	CU_add_test(s, "resolver, static, walk", test_resolver_static_walk);
	CU_add_test(s, "table full: evict or refuse", test_table_full);
	return ursa_test_main();
}
