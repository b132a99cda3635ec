/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * eth: Ethernet II and 802.1Q. Receive resolves the interface from (port, VLAN) first and
 * drops frames for no interface or not addressed to it; then demultiplexes on EtherType to
 * the handlers upper layers registered. Transmit prepends the Ethernet header (and the tag
 * when the interface has a VLAN) and queues the frame on the interface's port.
 */
#ifndef URSA_ETH_H
#define URSA_ETH_H

#include "ursa_core.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Receive handler: m's data starts at the L3 header (the L2 header is stripped, its length
 *  kept in m->l2_len; ursa_pkt_meta(m) holds iface and L2 flags). Takes ownership. */
typedef void (*ursa_eth_handler_t)(struct ursa_lcore *lc, struct ursa_iface *ifc,
				   struct rte_mbuf *m);

/** Create the eth context and become lc->rx_handler. */
int ursa_eth_init(struct ursa_lcore *lc);
/** Register the handler for an EtherType (host order); -EEXIST when taken. */
int ursa_eth_register(struct ursa_lcore *lc, uint16_t ethertype, ursa_eth_handler_t h);
/** Prepend Ethernet (+ 802.1Q) to m (data at L3) and queue it on ifc's port. Takes
 *  ownership; -ENOBUFS when there is no headroom (m freed). */
int ursa_eth_output(struct ursa_lcore *lc, const struct ursa_iface *ifc, struct rte_mbuf *m,
		    const struct rte_ether_addr *dst, uint16_t ethertype);
/** Frames accepted (passed the MAC filter) on an interface; 0 for an unknown index. */
uint64_t ursa_eth_iface_rx(const struct ursa_lcore *lc, uint16_t iface);

#ifdef __cplusplus
}
#endif

#endif /* URSA_ETH_H */
