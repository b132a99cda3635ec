/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ARP (RFC 826) for IPv4 over Ethernet: validation, answering requests for this interface's
 * addresses, learning into the neighbour cache, the AF_INET resolver, gratuitous
 * announcements and address-conflict detection (RFC 5227 facts).
 *
 * Everything is per interface: a request is answered only when its target is an address of
 * the interface (port, VLAN) it arrived on, so tenants sharing an address on different VLANs
 * never answer for each other.
 */
#include <errno.h>
#include <string.h>

#include <rte_arp.h>

#include "arp_priv.h"

static_assert(sizeof(struct rte_arp_hdr) == 28, "RFC 826 Ethernet/IPv4 ARP packet");

static const struct rte_ether_addr bcast_mac = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
static const struct rte_ether_addr zero_mac = {{0}};

/* Build and send one ARP packet; addresses in network order. */
static void arp_send(struct ursa_lcore *lc, const struct ursa_iface *ifc, uint16_t op,
		     const struct rte_ether_addr *eth_dst, rte_be32_t spa,
		     const struct rte_ether_addr *tha, rte_be32_t tpa)
{
	struct ursa_neigh_ctx *n = lc->neigh;
	struct rte_mbuf *m = ursa_pkt_alloc(lc);
	struct rte_arp_hdr *a;

	if (m == NULL) {
		n->arp_c[ARP_C_drop_nomem]++;
		return;
	}
	a = (struct rte_arp_hdr *)rte_pktmbuf_append(m, sizeof(*a));
	if (a == NULL) {
		n->arp_c[ARP_C_drop_nomem]++;
		rte_pktmbuf_free(m);
		return;
	}
	a->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	a->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	a->arp_hlen = RTE_ETHER_ADDR_LEN;
	a->arp_plen = sizeof(rte_be32_t);
	a->arp_opcode = rte_cpu_to_be_16(op);
	a->arp_data.arp_sha = ifc->mac;
	a->arp_data.arp_sip = spa;
	a->arp_data.arp_tha = *tha;
	a->arp_data.arp_tip = tpa;
	ursa_eth_output(lc, ifc, m, eth_dst, RTE_ETHER_TYPE_ARP);
}

void arp_solicit(struct ursa_lcore *lc, const struct ursa_iface *ifc,
		 const struct ursa_ipaddr *addr, const struct rte_ether_addr *unicast_to)
{
	struct ursa_neigh_ctx *n = lc->neigh;
	struct ursa_ipaddr src;

	if (ursa_iface_pick_src(ifc, addr, &src) != 0) {
		n->arp_c[ARP_C_drop_no_src]++;
		return;
	}
	n->arp_c[ARP_C_tx_request]++;
	arp_send(lc, ifc, RTE_ARP_OP_REQUEST, unicast_to ? unicast_to : &bcast_mac, src.v4,
		 &zero_mac, addr->v4);
}

void ursa_arp_announce(struct ursa_lcore *lc, const struct ursa_iface *ifc)
{
	for (unsigned i = 0; i < ifc->n4; i++) {
		rte_be32_t ip = ifc->v4[i].addr.v4;

		lc->neigh->arp_c[ARP_C_tx_announce]++;
		arp_send(lc, ifc, RTE_ARP_OP_REQUEST, &bcast_mac, ip, &zero_mac, ip);
	}
}

/* A sender address nobody may hold: limited broadcast, multicast/class E, loopback. */
static bool bad_sender_ip(rte_be32_t be)
{
	uint32_t ip = rte_be_to_cpu_32(be);

	return ip >= 0xe0000000u || (ip >> 24) == 127;
}

static struct ursa_ipaddr v4(rte_be32_t a)
{
	struct ursa_ipaddr r;

	memset(&r, 0, sizeof(r));
	r.family = AF_INET;
	r.v4 = a;
	return r;
}

static void log_conflict(struct ursa_lcore *lc, const struct ursa_iface *ifc,
			 const struct ursa_ipaddr *ip, const struct rte_ether_addr *sha)
{
	struct ursa_neigh_ctx *n = lc->neigh;
	uint64_t now = ursa_now(lc);
	char ipbuf[48], macbuf[RTE_ETHER_ADDR_FMT_SIZE];

	if (n->conflict_logged != 0 && now - n->conflict_logged < URSA_NS_PER_S)
		return; /* at most one line per second */
	n->conflict_logged = now;
	rte_ether_format_addr(macbuf, sizeof(macbuf), sha);
	URSA_LOG(lc, WARNING, "arp", "iface %u: %s claims our address %s", ifc->index, macbuf,
		 ursa_ipaddr_fmt(ip, ipbuf, sizeof(ipbuf)));
}

/* The EtherType 0x0806 handler. */
static void arp_input(struct ursa_lcore *lc, struct ursa_iface *ifc, struct rte_mbuf *m)
{
	uint64_t *c = lc->neigh->arp_c;
	struct rte_arp_hdr buf;
	const struct rte_arp_hdr *a;
	struct ursa_ipaddr spa, tpa;
	struct rte_ether_addr sha;
	uint16_t op;

	c[ARP_C_rx]++;
	a = rte_pktmbuf_read(m, 0, sizeof(buf), &buf); /* trailing padding is fine */
	if (a == NULL) {
		c[ARP_C_drop_short]++;
		goto out;
	}
	if (a->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER)) {
		c[ARP_C_drop_bad_htype]++;
		goto out;
	}
	if (a->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4)) {
		c[ARP_C_drop_bad_ptype]++;
		goto out;
	}
	if (a->arp_hlen != RTE_ETHER_ADDR_LEN) {
		c[ARP_C_drop_bad_hlen]++;
		goto out;
	}
	if (a->arp_plen != sizeof(rte_be32_t)) {
		c[ARP_C_drop_bad_plen]++;
		goto out;
	}
	op = rte_be_to_cpu_16(a->arp_opcode);
	if (op != RTE_ARP_OP_REQUEST && op != RTE_ARP_OP_REPLY) {
		c[ARP_C_drop_bad_op]++;
		goto out;
	}
	sha = a->arp_data.arp_sha;
	spa = v4(a->arp_data.arp_sip);
	tpa = v4(a->arp_data.arp_tip);
	if (rte_is_multicast_ether_addr(&sha) || rte_is_zero_ether_addr(&sha)) {
		c[ARP_C_drop_bad_sha]++;
		goto out;
	}
	if (bad_sender_ip(spa.v4)) {
		c[ARP_C_drop_bad_spa]++;
		goto out;
	}
	if (spa.v4 != 0 && ursa_iface_has_addr(ifc, &spa) != NULL) {
		/* Someone else uses one of our addresses (RFC 5227 2.4): report, learn nothing. */
		c[ARP_C_addr_conflict]++;
		log_conflict(lc, ifc, &spa, &sha);
		goto out;
	}
	if (op == RTE_ARP_OP_REQUEST) {
		c[ARP_C_rx_request]++;
		if (ursa_iface_has_addr(ifc, &tpa) != NULL) {
			c[ARP_C_tx_reply]++;
			arp_send(lc, ifc, RTE_ARP_OP_REPLY, &sha, tpa.v4, &sha, spa.v4);
			if (spa.v4 == 0) /* an RFC 5227 probe: answered, never learned */
				c[ARP_C_rx_probe]++;
			else /* the requester will talk to us: learn it STALE */
				ursa_neigh_update(lc, ifc, &spa, &sha, false, true);
		} else if (spa.v4 == 0) {
			c[ARP_C_rx_probe]++;
		} else if (spa.v4 == tpa.v4) {
			c[ARP_C_rx_gratuitous]++;
			ursa_neigh_update(lc, ifc, &spa, &sha, false, false);
		} else {
			c[ARP_C_ignored_not_target]++;
			ursa_neigh_update(lc, ifc, &spa, &sha, false, false);
		}
	} else {
		c[ARP_C_rx_reply]++;
		if (spa.v4 == 0)
			goto out;
		if (spa.v4 == tpa.v4) {
			c[ARP_C_rx_gratuitous]++;
			ursa_neigh_update(lc, ifc, &spa, &sha, false, false);
		} else {
			ursa_neigh_update(lc, ifc, &spa, &sha, true, false);
		}
	}
out:
	rte_pktmbuf_free(m);
}

int ursa_arp_init(struct ursa_lcore *lc)
{
	int rc;

	if (lc->eth == NULL)
		return -EINVAL;
	rc = neigh_init(lc);
	if (rc)
		return rc;
	rc = ursa_eth_register(lc, RTE_ETHER_TYPE_ARP, arp_input);
	if (rc)
		return rc;
	return ursa_neigh_set_resolver(lc, AF_INET, arp_solicit);
}
