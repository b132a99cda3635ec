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
#include "ursa_stack.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What IP input learned about a packet, handed to protocol handlers. */
struct ursa_ip_info {
	struct ursa_ipaddr src;
	struct ursa_ipaddr dst;
	uint8_t proto;
	uint8_t ttl;	  /**< TTL or hop limit */
	uint8_t tos;	  /**< TOS or traffic class */
	uint8_t dst_kind; /**< URSA_IP_DST_* */
	uint16_t l4_len;  /**< bytes from the L4 header to the end of the IP payload */
};
#define URSA_IP_DST_UNICAST 0
#define URSA_IP_DST_BCAST   1
#define URSA_IP_DST_MCAST   2

/** Protocol handler: m's data starts at the L4 header (m->l3_len holds the IP header
 *  length), trailing link padding already trimmed. Takes ownership. */
typedef void (*ursa_ip_handler_t)(struct ursa_lcore *lc, struct ursa_iface *ifc, struct rte_mbuf *m,
				  const struct ursa_ip_info *info);

/** What an ICMP or ICMPv6 error says about a packet this host sent. */
enum ursa_ip_err_kind {
	URSA_IP_ERR_UNREACH,	   /**< no route, net/host/address unreachable: soft */
	URSA_IP_ERR_PROTO_UNREACH, /**< the destination has no such protocol: hard */
	URSA_IP_ERR_PORT_UNREACH,  /**< nobody listens on the port: hard */
	URSA_IP_ERR_PROHIBITED,	   /**< administratively prohibited: hard */
	URSA_IP_ERR_PMTU,	   /**< fragmentation needed and DF set / packet too big */
	URSA_IP_ERR_TIME_EXCEEDED, /**< hop limit or reassembly time exceeded: soft */
};

/** An ICMP/ICMPv6 error parsed for the protocol of the packet it quotes (FreeBSD's
 *  pr_ctlinput). Every length is checked before a handler sees it: the quoted IP header is
 *  whole, the quoted packet's source is an address of the receiving interface, and at least
 *  the first 8 bytes of its transport header are there. */
struct ursa_ip_err {
	uint8_t kind;		     /**< enum ursa_ip_err_kind */
	uint8_t type, code;	     /**< as received (the family's own values) */
	bool hard;		     /**< RFC 1122 4.2.3.9, RFC 4443 3.1: the destination refuses */
	int err;		     /**< the negative errno a socket reports for it */
	uint32_t mtu;		     /**< URSA_IP_ERR_PMTU: the path MTU the hop reported, >= 68 for
				      *   IPv4 (RFC 791; estimated by RFC 1191's plateaus when the hop
				      *   sent none) and >= 1280 for IPv6 (RFC 8201 §4) */
	struct ursa_ipaddr src, dst; /**< of the quoted packet: src is ours */
	uint8_t proto;
	uint16_t l4_len;   /**< quoted bytes from the transport header on (8..64) */
	const uint8_t *l4; /**< those bytes (contiguous, valid during the call) */
};

/** Error handler of a protocol, beside its input handler. */
typedef void (*ursa_ip_ctlinput_t)(struct ursa_lcore *lc, struct ursa_iface *ifc,
				   const struct ursa_ip_err *err);

/** What a transport asks IP to send. */
struct ursa_ip_tx {
	struct ursa_ipaddr src; /**< family 0 = pick from the egress interface */
	struct ursa_ipaddr dst;
	uint8_t proto;
	uint8_t ttl; /**< 0 = default (64) */
	uint8_t tos;
	bool df;	    /**< IPv4 don't-fragment */
	uint32_t tenant;    /**< route within this tenant */
	int32_t iface;	    /**< >= 0: send on this interface (replies, bound sockets); -1: route */
	uint32_t flowlabel; /**< IPv6 flow label (20 bits) */
	const uint8_t *opts; /**< IPv4 options to send (NULL = none), already padded */
	uint8_t opts_len;    /**< bytes of opts: a multiple of 4, at most 40 */
};

int ursa_ip_init(struct ursa_lcore *lc);
/** Register a protocol handler for IPv4 and IPv6 alike (e.g. IPPROTO_UDP). */
int ursa_ip_register(struct ursa_lcore *lc, uint8_t proto, ursa_ip_handler_t h);
/** Register the error handler of proto (its input handler is registered already): ICMP and
 *  ICMPv6 errors about packets of that protocol go to it. -EEXIST when it has one. */
int ursa_ip_register_ctlinput(struct ursa_lcore *lc, uint8_t proto, ursa_ip_ctlinput_t fn);
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
/** Remove a route added with ursa_ip_route_add (the same tenant, prefix, plen and iface). */
int ursa_ip_route_del(struct ursa_lcore *lc, uint32_t tenant, const struct ursa_ipaddr *prefix,
		      uint8_t plen, uint16_t iface);
/** Called for each static route of an lcore (ursa_ip_route_walk); gateway family 0: on-link. */
typedef void (*ursa_ip_route_walk_t)(uint32_t tenant, const struct ursa_ipaddr *prefix,
				     uint8_t plen, const struct ursa_ipaddr *gateway,
				     uint16_t iface, void *arg);
/** Visit the lcore's static routes (connected routes are implicit and not visited). */
void ursa_ip_route_walk(struct ursa_lcore *lc, ursa_ip_route_walk_t fn, void *arg);
/** Add a route on every shard of st, at each shard's next poll (ursa_stack.h: ticket). */
int ursa_ip_stack_route_add(struct ursa_stack *st, uint32_t tenant,
			    const struct ursa_ipaddr *prefix, uint8_t plen,
			    const struct ursa_ipaddr *gateway, uint16_t iface, uint64_t *ticket);
/** Remove a route from every shard of st. */
int ursa_ip_stack_route_del(struct ursa_stack *st, uint32_t tenant,
			    const struct ursa_ipaddr *prefix, uint8_t plen, uint16_t iface,
			    uint64_t *ticket);
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
