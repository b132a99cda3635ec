/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * ip: IPv4 and IPv6 input and output, routes, ICMP and ICMPv6 (echo, errors), neighbour
 * discovery (NS/NA on solicited-node multicast, DAD), fragment reassembly.
 *
 * Input order (the lesson of the SMC-R merge: the same order as the kernel's IP input):
 * the interface was resolved by eth from (port, VLAN); then the route decision: is the
 * destination one of *this interface's* addresses (or a broadcast/multicast it listens to)?
 * Only then is the packet delivered to the protocol handler, with the interface, so
 * transports can match interface-bound listeners before unbound ones of the same tenant.
 */
#ifndef URSA_IP_H
#define URSA_IP_H

#include "ursa_core.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What IP input learned about a packet, handed to protocol handlers. */
struct ursa_ip_info {
	struct ursa_ipaddr src;
	struct ursa_ipaddr dst;
	uint8_t proto;
	uint8_t ttl; /**< TTL or hop limit */
	uint8_t tos; /**< TOS or traffic class */
	uint8_t dst_kind; /**< URSA_IP_DST_* */
	uint16_t l4_len;  /**< bytes from the L4 header to the end of the IP payload */
};
#define URSA_IP_DST_UNICAST 0
#define URSA_IP_DST_BCAST 1
#define URSA_IP_DST_MCAST 2

/** Protocol handler: m's data starts at the L4 header (m->l3_len holds the IP header
 *  length), trailing link padding already trimmed. Takes ownership. */
typedef void (*ursa_ip_handler_t)(struct ursa_lcore *lc, struct ursa_iface *ifc,
				  struct rte_mbuf *m, const struct ursa_ip_info *info);

/** What a transport asks IP to send. */
struct ursa_ip_tx {
	struct ursa_ipaddr src; /**< family 0 = pick from the egress interface */
	struct ursa_ipaddr dst;
	uint8_t proto;
	uint8_t ttl; /**< 0 = default (64) */
	uint8_t tos;
	bool df;	  /**< IPv4 don't-fragment */
	uint32_t tenant;  /**< route within this tenant */
	int32_t iface;	  /**< >= 0: send on this interface (replies, bound sockets); -1: route */
	uint32_t flowlabel; /**< IPv6 flow label (20 bits) */
	const uint8_t *opts; /**< IPv4 options to send (NULL = none), already padded */
	uint8_t opts_len;    /**< bytes of opts: a multiple of 4, at most 40 */
};

int ursa_ip_init(struct ursa_lcore *lc);
/** Register a protocol handler for IPv4 and IPv6 alike (e.g. IPPROTO_UDP). */
int ursa_ip_register(struct ursa_lcore *lc, uint8_t proto, ursa_ip_handler_t h);
/** Prepend the IP header to m (data at L4, l4 checksum already done) and send it towards
 *  tx->dst. Takes ownership. -EHOSTUNREACH when no route, -EMSGSIZE when too big and DF. */
int ursa_ip_output(struct ursa_lcore *lc, const struct ursa_ip_tx *tx, struct rte_mbuf *m);
/** Resolve the egress: interface, next hop, and (when tx->src is unset) source address. */
int ursa_ip_route(struct ursa_lcore *lc, const struct ursa_ip_tx *tx, struct ursa_iface **ifc,
		  struct ursa_ipaddr *next_hop, struct ursa_ipaddr *src);
/** Add a route in a tenant: prefix/plen via gateway (family 0 = on-link) on iface. Connected
 *  routes for interface addresses are implicit. */
int ursa_ip_route_add(struct ursa_lcore *lc, uint32_t tenant, const struct ursa_ipaddr *prefix,
		      uint8_t plen, const struct ursa_ipaddr *gateway, uint16_t iface);
/** Internet checksum of an L4 segment (data at L4 for len bytes, may span segments) with the
 *  IPv4/IPv6 pseudo-header. Returns the folded, complemented value in network order. */
uint16_t ursa_ip_l4_cksum(const struct ursa_ipaddr *src, const struct ursa_ipaddr *dst,
			  uint8_t proto, const struct rte_mbuf *m, uint32_t off, uint32_t len);
/** IPv6 bring-up of an interface: join its solicited-node groups, run DAD on tentative
 *  addresses, then send unsolicited neighbour advertisements. */
void ursa_ip6_announce(struct ursa_lcore *lc, struct ursa_iface *ifc);
/** Send an ICMP/ICMPv6 error about the packet orig (data at its IP header, as received).
 *  type/code are the family's own values. Rate-limited. Does not take orig. */
void ursa_icmp_error(struct ursa_lcore *lc, struct ursa_iface *ifc, const struct rte_mbuf *orig,
		     uint8_t family, uint8_t type, uint8_t code, uint32_t extra);

#ifdef __cplusplus
}
#endif

#endif /* URSA_IP_H */
