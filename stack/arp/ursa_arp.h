/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * arp: the neighbour cache (shared by ARP for IPv4 and ND for IPv6) and ARP itself.
 *
 * The cache maps (interface, IP address) to a MAC. Output through the cache either sends at
 * once (REACHABLE/STALE/...), or queues the packet (a few per entry) while the address
 * family's resolver solicits; queued packets leave when the answer arrives and are dropped
 * and counted when resolution fails after its retries.
 */
#ifndef URSA_ARP_H
#define URSA_ARP_H

#include "ursa_core.h"

#ifdef __cplusplus
extern "C" {
#endif

enum ursa_neigh_state {
	URSA_NEIGH_NONE,
	URSA_NEIGH_INCOMPLETE, /**< soliciting, packets queued */
	URSA_NEIGH_REACHABLE,  /**< confirmed recently */
	URSA_NEIGH_STALE,      /**< usable; re-confirmed on next use */
	URSA_NEIGH_PROBE,      /**< used while stale: unicast probes */
	URSA_NEIGH_FAILED,
	URSA_NEIGH_STATIC,
	URSA_NEIGH_DELAY, /**< used while stale: waiting for upper-layer confirmation */
};

/** A resolver sends one solicitation for addr on ifc (ARP request, or ND NS). unicast_to is
 *  the cached MAC for a unicast probe, or NULL for a broadcast/multicast one. */
typedef void (*ursa_neigh_solicit_t)(struct ursa_lcore *lc, const struct ursa_iface *ifc,
				     const struct ursa_ipaddr *addr,
				     const struct rte_ether_addr *unicast_to);

int ursa_arp_init(struct ursa_lcore *lc);
/** Register the resolver of a family (AF_INET is ARP's own; ND registers AF_INET6). */
int ursa_neigh_set_resolver(struct ursa_lcore *lc, int family, ursa_neigh_solicit_t fn);
/** Send m (data at L3) to the neighbour next_hop on ifc, resolving it first if needed.
 *  Takes ownership. Returns 0 when sent or queued, negative when dropped. */
int ursa_neigh_output(struct ursa_lcore *lc, const struct ursa_iface *ifc,
		      const struct ursa_ipaddr *next_hop, struct rte_mbuf *m, uint16_t ethertype);
/** Learn or confirm a neighbour. confirmed: an answer to our solicitation (REACHABLE);
 *  otherwise only refresh an existing entry or create a STALE one when create is set. */
void ursa_neigh_update(struct ursa_lcore *lc, const struct ursa_iface *ifc,
		       const struct ursa_ipaddr *addr, const struct rte_ether_addr *mac,
		       bool confirmed, bool create);
/** Forward-progress hint from an upper layer (RFC 4861 7.3.1: e.g. TCP saw new data
 *  acknowledged): an entry with a MAC (STALE/DELAY/PROBE/REACHABLE) becomes REACHABLE without
 *  probing. Does nothing for other states or unknown neighbours. */
void ursa_neigh_confirm(struct ursa_lcore *lc, const struct ursa_iface *ifc,
			const struct ursa_ipaddr *addr);
/** Install a permanent entry (STATIC: never solicited, never expires, never evicted). */
int ursa_neigh_add_static(struct ursa_lcore *lc, const struct ursa_iface *ifc,
			  const struct ursa_ipaddr *addr, const struct rte_ether_addr *mac);
/** Look up: returns the state and fills mac (when not NULL) if the entry has one. */
enum ursa_neigh_state ursa_neigh_lookup(struct ursa_lcore *lc, const struct ursa_iface *ifc,
					const struct ursa_ipaddr *addr, struct rte_ether_addr *mac);
/** Announce the interface's IPv4 addresses with gratuitous ARP. */
void ursa_arp_announce(struct ursa_lcore *lc, const struct ursa_iface *ifc);

typedef void (*ursa_neigh_walk_t)(const struct ursa_iface *ifc, const struct ursa_ipaddr *a,
				  const struct rte_ether_addr *mac, enum ursa_neigh_state st,
				  void *arg);
void ursa_neigh_walk(struct ursa_lcore *lc, ursa_neigh_walk_t fn, void *arg);
const char *ursa_neigh_state_name(enum ursa_neigh_state st);

#ifdef __cplusplus
}
#endif

#endif /* URSA_ARP_H */
