/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A stack of 2 and 4 shards on virtual clocks with memory ports (one per shard, standing for
 * its queue): an interface and a route added while the shards run reach all of them; an ARP
 * reply that lands on queue 1 resolves the neighbour shard 0 is waiting for and its held
 * frame leaves; a TCP transfer through shard 0 loses nothing while settings, interfaces and
 * routes change under it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_arp.h>
#include <rte_ip.h>

#include "ursa_arp.h"
#include "ursa_eth.h"
#include "ursa_ip.h"
#include "ursa_stack.h"
#include "ursa_tcp.h"
#include "ursa_test.h"

static const struct rte_ether_addr our_mac = URSA_TEST_MAC;
static const struct rte_ether_addr peer_mac = URSA_TEST_PEER_MAC;

/* nb shards with every layer up to TCP, memory port 0 on each, no interface yet. */
static struct ursa_stack *shards_create(uint16_t nb)
{
	struct ursa_lcore_conf confs[URSA_MAX_SHARDS];
	struct ursa_stack_conf sc = {.nb_shards = nb, .shard = confs};
	struct ursa_stack *st;
	uint16_t port;

	ursa_test_eal();
	for (uint16_t i = 0; i < nb; i++)
		confs[i] = (struct ursa_lcore_conf){.nb_mbufs = 2047,
						    .seeded = true,
						    .seed = 11 + i,
						    .virtual_clock = true,
						    .virtual_start_ns = URSA_TEST_T0,
						    .max_timers = 4096,
						    .name = "sh"};
	CU_ASSERT_FATAL(ursa_stack_create(&sc, &st) == 0);
	CU_ASSERT_FATAL(ursa_stack_port_open_mem(st, &our_mac, 1500, &port) == 0);
	for (uint16_t i = 0; i < nb; i++) {
		struct ursa_lcore *lc = ursa_stack_shard(st, i);

		CU_ASSERT_FATAL(ursa_eth_init(lc) == 0 && ursa_arp_init(lc) == 0);
		CU_ASSERT_FATAL(ursa_ip_init(lc) == 0);
		CU_ASSERT_FATAL(ursa_tcp_init(lc) == 0);
	}
	return st;
}

static void poll_all(struct ursa_stack *st)
{
	for (uint16_t i = 0; i < ursa_stack_nb_shards(st); i++)
		ursa_lcore_poll(ursa_stack_shard(st, i));
}

/* Add 10.0.0.1/24 untagged (and wait for it the way a test can: by polling). */
static uint16_t add_iface(struct ursa_stack *st)
{
	struct ursa_iface_conf ic = {.port = 0, .no_linklocal = true};
	struct ursa_ipaddr a = ursa_test_ip("10.0.0.1");
	uint16_t ifi;
	uint64_t t;

	CU_ASSERT_FATAL(ursa_stack_iface_add(st, &ic, &ifi, NULL) == 0);
	CU_ASSERT_FATAL(ursa_stack_addr_add(st, ifi, &a, 24, &t) == 0);
	poll_all(st);
	CU_ASSERT_FATAL(ursa_stack_applied(st, t));
	return ifi;
}

static unsigned tx_drain(struct ursa_lcore *lc)
{
	struct rte_mbuf *m;
	unsigned n = 0;

	while (ursa_port_mem_take(&lc->ports[0], &m, 1) == 1) {
		rte_pktmbuf_free(m);
		n++;
	}
	return n;
}

/* ---- an interface and a route added while the shards run ----------------------------- */

static void iface_and_route(uint16_t nb)
{
	struct ursa_stack *st = shards_create(nb);
	struct ursa_ipaddr net = ursa_test_ip("192.168.7.0"), gw = ursa_test_ip("10.0.0.254");
	struct ursa_ip_tx tx = {.dst = ursa_test_ip("192.168.7.9"), .iface = -1};
	uint16_t ifi;
	uint64_t t;

	/* the shards run (nothing to do yet) while the interface arrives */
	for (int i = 0; i < 3; i++)
		poll_all(st);
	ifi = add_iface(st);
	CU_ASSERT_EQUAL(ursa_ip_stack_route_add(st, 0, &net, 24, &gw, ifi, &t), 0);
	CU_ASSERT_EQUAL(ursa_ip_stack_route_add(st, 5, &net, 24, &gw, ifi, NULL), -EINVAL);
	for (uint16_t i = 0; i < nb; i++) {
		struct ursa_iface *ifc;
		struct ursa_ipaddr nh, src;

		/* not before the shard's next poll */
		CU_ASSERT_EQUAL(ursa_ip_route(ursa_stack_shard(st, i), &tx, &ifc, &nh, &src),
				-EHOSTUNREACH);
	}
	poll_all(st);
	CU_ASSERT_TRUE(ursa_stack_applied(st, t));
	CU_ASSERT_EQUAL(ursa_stack_result(st, t), 0);
	for (uint16_t i = 0; i < nb; i++) {
		struct ursa_lcore *lc = ursa_stack_shard(st, i);
		struct ursa_iface *ifc = NULL;
		struct ursa_ipaddr nh, src;

		CU_ASSERT_EQUAL(ursa_ip_route(lc, &tx, &ifc, &nh, &src), 0);
		CU_ASSERT_PTR_EQUAL(ifc, ursa_iface_get(lc, ifi));
		CU_ASSERT_TRUE(ursa_ipaddr_eq(&nh, &gw));
		CU_ASSERT_TRUE(ursa_ipaddr_eq(
			&src, &(struct ursa_ipaddr){.family = AF_INET,
						    .v4 = RTE_BE32(RTE_IPV4(10, 0, 0, 1))}));
		CU_ASSERT_EQUAL(ursa_test_counter(lc, "stack", "cmd_failed"), 0);
	}
	/* the same route again fails on every shard and says so */
	CU_ASSERT_EQUAL(ursa_ip_stack_route_add(st, 0, &net, 24, &gw, ifi, &t), 0);
	poll_all(st);
	CU_ASSERT_EQUAL(ursa_stack_result(st, t), -EEXIST);
	/* and removed, it is gone everywhere */
	CU_ASSERT_EQUAL(ursa_ip_stack_route_del(st, 0, &net, 24, ifi, &t), 0);
	poll_all(st);
	CU_ASSERT_EQUAL(ursa_stack_result(st, t), 0);
	for (uint16_t i = 0; i < nb; i++) {
		struct ursa_iface *ifc;
		struct ursa_ipaddr nh, src;

		CU_ASSERT_EQUAL(ursa_ip_route(ursa_stack_shard(st, i), &tx, &ifc, &nh, &src),
				-EHOSTUNREACH);
	}
	ursa_stack_destroy(st);
}

static void test_iface_route_2(void)
{
	iface_and_route(2);
}

static void test_iface_route_4(void)
{
	iface_and_route(4);
}

/* ---- a neighbour resolved on another queue -------------------------------------------- */

static struct rte_mbuf *arp_reply(struct ursa_lcore *lc, rte_be32_t spa, rte_be32_t tpa)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(lc->pool);
	struct rte_ether_hdr *eh;
	struct rte_arp_hdr *ah;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eh) + sizeof(*ah));
	eh->dst_addr = our_mac;
	eh->src_addr = peer_mac;
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	ah = (struct rte_arp_hdr *)(eh + 1);
	ah->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	ah->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ah->arp_hlen = RTE_ETHER_ADDR_LEN;
	ah->arp_plen = 4;
	ah->arp_opcode = RTE_BE16(RTE_ARP_OP_REPLY);
	ah->arp_data.arp_sha = peer_mac;
	ah->arp_data.arp_sip = spa;
	ah->arp_data.arp_tha = our_mac;
	ah->arp_data.arp_tip = tpa;
	return m;
}

static uint16_t frame_type(const struct rte_mbuf *m)
{
	return rte_be_to_cpu_16(rte_pktmbuf_mtod(m, const struct rte_ether_hdr *)->ether_type);
}

static void arp_other_queue(uint16_t nb)
{
	struct ursa_stack *st = shards_create(nb);
	struct ursa_lcore *lc0 = ursa_stack_shard(st, 0), *lc1 = ursa_stack_shard(st, 1);
	struct ursa_ipaddr peer = ursa_test_ip("10.0.0.2");
	struct ursa_ip_tx tx = {.dst = peer, .proto = 253, .iface = -1};
	struct rte_mbuf *m, *out;
	struct rte_ether_addr mac;
	uint16_t ifi = add_iface(st);

	/* shard 0 sends to the peer: the datagram waits, an ARP request leaves queue 0 */
	m = ursa_test_mbuf(lc0, "held", 4);
	CU_ASSERT_FATAL(ursa_ip_output(lc0, &tx, m) == 0);
	ursa_lcore_poll(lc0);
	CU_ASSERT_EQUAL_FATAL(ursa_port_mem_take(&lc0->ports[0], &out, 1), 1);
	CU_ASSERT_EQUAL(frame_type(out), RTE_ETHER_TYPE_ARP);
	rte_pktmbuf_free(out);
	CU_ASSERT_EQUAL(ursa_neigh_lookup(lc0, ursa_iface_get(lc0, ifi), &peer, NULL),
			URSA_NEIGH_INCOMPLETE);

	/* the reply lands on queue 1 (shard 1), which asked nothing */
	m = arp_reply(lc1, peer.v4, ursa_test_ip("10.0.0.1").v4);
	CU_ASSERT_FATAL(ursa_port_mem_inject(&lc1->ports[0], &m, 1) == 0);
	ursa_lcore_poll(lc1);
	CU_ASSERT_EQUAL(ursa_test_counter(lc1, "arp", "rx_reply"), 1);
	CU_ASSERT_EQUAL(ursa_test_counter(lc1, "neigh", "shared_out"), 1);
	CU_ASSERT_EQUAL(ursa_port_mem_pending(&lc0->ports[0]), 0);

	/* shard 0's next poll resolves its entry and sends the held frame to the peer's MAC */
	ursa_lcore_poll(lc0);
	CU_ASSERT_EQUAL(ursa_neigh_lookup(lc0, ursa_iface_get(lc0, ifi), &peer, &mac),
			URSA_NEIGH_REACHABLE);
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&mac, &peer_mac));
	CU_ASSERT_EQUAL_FATAL(ursa_port_mem_take(&lc0->ports[0], &out, 1), 1);
	CU_ASSERT_EQUAL(frame_type(out), RTE_ETHER_TYPE_IPV4);
	CU_ASSERT_TRUE(rte_is_same_ether_addr(
		&rte_pktmbuf_mtod(out, struct rte_ether_hdr *)->dst_addr, &peer_mac));
	CU_ASSERT_EQUAL(memcmp(rte_pktmbuf_mtod_offset(out, char *, out->pkt_len - 4), "held", 4),
			0);
	rte_pktmbuf_free(out);
	CU_ASSERT_EQUAL(ursa_test_counter(lc0, "neigh", "drop_unresolved"), 0);

	/* the answer it solicited is now known to every shard, the one it landed on too */
	poll_all(st);
	for (uint16_t i = 0; i < nb; i++) {
		struct ursa_lcore *lc = ursa_stack_shard(st, i);

		CU_ASSERT_EQUAL(ursa_neigh_lookup(lc, ursa_iface_get(lc, ifi), &peer, &mac),
				URSA_NEIGH_REACHABLE);
		CU_ASSERT_TRUE(rte_is_same_ether_addr(&mac, &peer_mac));
		CU_ASSERT_EQUAL(ursa_test_counter(lc, "neigh", "drop_share_ring_full"), 0);
		CU_ASSERT_EQUAL(tx_drain(lc), 0); /* nobody else solicited */
	}
	ursa_stack_destroy(st);
}

/* A forged flood on queue 1: gratuitous ARP for one address, a new sender MAC each frame.
 * Each changes shard 1's entry, but only a burst and then the rate limit go to shard 0's
 * ring; a real answer a second later is shared again. */
static void test_arp_flood_share_limited(void)
{
	struct ursa_stack *st = shards_create(2);
	struct ursa_lcore *lc0 = ursa_stack_shard(st, 0), *lc1 = ursa_stack_shard(st, 1);
	rte_be32_t peer = ursa_test_ip("10.0.0.2").v4;
	uint64_t out, limited;
	struct rte_mbuf *m;

	add_iface(st);
	/* the peer asks for us: shard 1 learns it (STALE), and tells shard 0 */
	m = arp_reply(lc1, peer, ursa_test_ip("10.0.0.1").v4);
	rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, sizeof(struct rte_ether_hdr))->arp_opcode =
		RTE_BE16(RTE_ARP_OP_REQUEST);
	CU_ASSERT_FATAL(ursa_port_mem_inject(&lc1->ports[0], &m, 1) == 0);
	poll_all(st);
	for (unsigned i = 0; i < 1000; i++) {
		struct rte_arp_hdr *ah;

		m = arp_reply(lc1, peer, peer);
		ah = rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, sizeof(struct rte_ether_hdr));
		ah->arp_data.arp_sha.addr_bytes[4] = (uint8_t)(i >> 8);
		ah->arp_data.arp_sha.addr_bytes[5] = (uint8_t)i;
		CU_ASSERT_FATAL(ursa_port_mem_inject(&lc1->ports[0], &m, 1) == 0);
		if (i % 16 == 15)
			poll_all(st);
	}
	poll_all(st);
	out = ursa_test_counter(lc1, "neigh", "shared_out");
	limited = ursa_test_counter(lc1, "neigh", "drop_share_rate");
	CU_ASSERT_EQUAL(ursa_test_counter(lc1, "arp", "rx_gratuitous"), 1000);
	CU_ASSERT(out <= 64);		  /* the burst: the clock did not move */
	CU_ASSERT(out + limited >= 1000); /* every change asked; the rest was refused */
	CU_ASSERT_EQUAL(ursa_test_counter(lc0, "neigh", "shared_in"), out);
	CU_ASSERT_EQUAL(ursa_test_counter(lc1, "neigh", "drop_share_ring_full"), 0);
	/* a second later the bucket has refilled: a real answer is shared at once */
	ursa_clock_advance(&lc1->clock, URSA_NS_PER_S);
	m = arp_reply(lc1, peer, ursa_test_ip("10.0.0.1").v4);
	CU_ASSERT_FATAL(ursa_port_mem_inject(&lc1->ports[0], &m, 1) == 0);
	ursa_lcore_poll(lc1);
	CU_ASSERT_EQUAL(ursa_test_counter(lc1, "neigh", "shared_out"), out + 1);
	ursa_stack_destroy(st);
}

static void test_arp_other_queue_2(void)
{
	arp_other_queue(2);
}

static void test_arp_other_queue_4(void)
{
	arp_other_queue(4);
}

/* An unsolicited reply is learned nowhere (as on a single lcore). */
static void test_arp_unsolicited(void)
{
	struct ursa_stack *st = shards_create(2);
	struct ursa_lcore *lc1 = ursa_stack_shard(st, 1);
	struct ursa_ipaddr peer = ursa_test_ip("10.0.0.3");
	uint16_t ifi = add_iface(st);
	struct rte_mbuf *m = arp_reply(lc1, peer.v4, ursa_test_ip("10.0.0.1").v4);

	CU_ASSERT_FATAL(ursa_port_mem_inject(&lc1->ports[0], &m, 1) == 0);
	poll_all(st);
	poll_all(st);
	for (uint16_t i = 0; i < 2; i++) {
		struct ursa_lcore *lc = ursa_stack_shard(st, i);

		CU_ASSERT_EQUAL(ursa_neigh_lookup(lc, ursa_iface_get(lc, ifi), &peer, NULL),
				URSA_NEIGH_NONE);
	}
	ursa_stack_destroy(st);
}

/* ---- a transfer while settings change ------------------------------------------------- */

#define XFER_BYTES (2u << 20)

static uint8_t pattern(uint32_t off)
{
	return (uint8_t)(off * 2654435761u >> 13);
}

static int apply_tcp_conf(struct ursa_lcore *lc, const void *arg)
{
	return ursa_tcp_set_conf(lc, arg);
}

/* Every so often, change something stack-wide: TCP settings, an interface, a route. */
static void change_things(struct ursa_stack *st, unsigned step, uint16_t ifi)
{
	struct ursa_tcp_conf conf;
	struct ursa_ipaddr net, gw = ursa_test_ip("10.0.0.254");
	char prefix[32];
	struct ursa_iface_conf ic = {
		.port = 0, .vlan = (uint16_t)(100 + step), .no_linklocal = true};
	uint16_t idx;

	ursa_tcp_conf_default(&conf);
	conf.delack_ms = step % 2 ? 10 : 40;
	conf.rcvbuf = step % 2 ? 128 * 1024 : 512 * 1024;
	snprintf(conf.cc, sizeof(conf.cc), "%s", step % 2 ? "newreno" : "cubic");
	CU_ASSERT_EQUAL(ursa_stack_set(st, "tcp", apply_tcp_conf, &conf, sizeof(conf), NULL), 0);
	CU_ASSERT_EQUAL(ursa_stack_iface_add(st, &ic, &idx, NULL), 0);
	snprintf(prefix, sizeof(prefix), "172.16.%u.0", step);
	net = ursa_test_ip(prefix);
	CU_ASSERT_EQUAL(ursa_ip_stack_route_add(st, 0, &net, 24, &gw, ifi, NULL), 0);
}

static void test_transfer_while_settings_change(void)
{
	struct ursa_stack *st = shards_create(2);
	struct ursa_lcore *lc0 = ursa_stack_shard(st, 0), *lc1 = ursa_stack_shard(st, 1);
	struct ursa_lcore *peer = ursa_test_lcore(99);
	struct ursa_iface_conf pc = {.port = 0, .mac = &peer_mac, .no_linklocal = true};
	struct ursa_ipaddr a = ursa_test_ip("10.0.0.1"), pa = ursa_test_ip("10.0.0.2");
	struct ursa_tcp_pcb *lis, *srv = NULL, *cli;
	static uint8_t buf[65536];
	uint32_t sent = 0, got = 0, changes = 0;
	uint16_t ifi = add_iface(st), pifi;
	struct rte_ether_addr mac;
	bool ok = true;

	CU_ASSERT_FATAL(ursa_eth_init(peer) == 0 && ursa_arp_init(peer) == 0);
	CU_ASSERT_FATAL(ursa_ip_init(peer) == 0 && ursa_tcp_init(peer) == 0);
	CU_ASSERT_FATAL(ursa_iface_add(peer, &pc, &pifi) == 0);
	CU_ASSERT_FATAL(ursa_iface_addr_add(peer, pifi, &pa, 24) == 0);
	CU_ASSERT_FATAL(ursa_tcp_create(lc0, 0, -1, AF_INET, &lis) == 0);
	CU_ASSERT_FATAL(ursa_tcp_bind(lc0, lis, &a, 5001) == 0);
	CU_ASSERT_FATAL(ursa_tcp_listen(lc0, lis, 4) == 0);
	CU_ASSERT_FATAL(ursa_tcp_create(peer, 0, -1, AF_INET, &cli) == 0);
	CU_ASSERT_FATAL(ursa_tcp_connect(peer, cli, &a, 5001) == 0);

	for (unsigned iter = 0; got < XFER_BYTES && iter < 200000; iter++) {
		ssize_t n;

		/* shard 0 and the peer are wired back to back; shard 1 runs beside them */
		if (ursa_test_pair_carry(lc0, peer) == 0 && !ursa_test_pair_idle(lc0, peer))
			break;
		ursa_lcore_poll(lc1);
		CU_ASSERT_EQUAL(tx_drain(lc1), 0);
		if (srv == NULL && ursa_tcp_accept(lc0, lis, &srv) != 0)
			continue;
		/* at most 16 KiB a pass, so the changes below land in mid-transfer */
		for (uint32_t quota = 16384; sent < XFER_BYTES && quota > 0;) {
			size_t len = RTE_MIN(XFER_BYTES - sent, quota);

			for (size_t i = 0; i < len; i++)
				buf[i] = pattern(sent + (uint32_t)i);
			n = ursa_tcp_send(peer, cli, buf, len, 0);
			if (n <= 0)
				break;
			sent += (uint32_t)n;
			quota -= (uint32_t)n;
		}
		while ((n = ursa_tcp_recv(lc0, srv, buf, sizeof(buf), 0)) > 0) {
			for (ssize_t i = 0; i < n && ok; i++)
				ok = buf[i] == pattern(got + (uint32_t)i);
			got += (uint32_t)n;
		}
		if (iter % 4 == 0 && changes < 20)
			change_things(st, changes++, ifi);
	}
	CU_ASSERT_TRUE(ok);
	CU_ASSERT_EQUAL(got, XFER_BYTES);
	CU_ASSERT_EQUAL(changes, 20);
	poll_all(st);
	for (uint16_t i = 0; i < 2; i++) {
		struct ursa_lcore *lc = ursa_stack_shard(st, i);

		CU_ASSERT_EQUAL(ursa_test_counter(lc, "stack", "cmd_failed"), 0);
		CU_ASSERT_EQUAL(ursa_test_counter(lc, "stack", "cmd_applied"),
				2 + 20 * 3 + ursa_test_counter(lc, "neigh", "shared_in"));
		CU_ASSERT_EQUAL(ursa_tcp_get_conf(lc)->delack_ms, 10); /* the 20th: odd */
		CU_ASSERT_EQUAL(lc->nb_ifaces, 21);
		CU_ASSERT_EQUAL(lc->ports[0].c.tx_full_drop, 0);
	}
	/* what shard 0 learned of the peer, shard 1 knows too */
	memset(&mac, 0, sizeof(mac));
	CU_ASSERT_NOT_EQUAL(ursa_neigh_lookup(lc1, ursa_iface_get(lc1, ifi), &pa, &mac),
			    URSA_NEIGH_NONE);
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&mac, &peer_mac));
	CU_ASSERT_EQUAL(ursa_test_counter(peer, "tcp", "retransmits"), 0);
	ursa_tcp_abort(peer, cli);
	ursa_tcp_abort(lc0, srv);
	ursa_tcp_close(lc0, lis);
	ursa_lcore_destroy(peer);
	ursa_stack_destroy(st);
}

int main(void)
{
	CU_pSuite s = ursa_test_suite("stack changes", NULL, NULL);

	CU_add_test(s, "interface and route reach 2 shards", test_iface_route_2);
	CU_add_test(s, "interface and route reach 4 shards", test_iface_route_4);
	CU_add_test(s, "ARP reply on queue 1 resolves shard 0 (2 shards)", test_arp_other_queue_2);
	CU_add_test(s, "ARP reply on queue 1 resolves shard 0 (4 shards)", test_arp_other_queue_4);
	CU_add_test(s, "unsolicited ARP reply learned nowhere", test_arp_unsolicited);
	CU_add_test(s, "ARP flood: posts to other shards rate-limited",
		    test_arp_flood_share_limited);
	CU_add_test(s, "transfer while settings change", test_transfer_while_settings_change);
	return ursa_test_main();
}
