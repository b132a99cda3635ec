/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * udp: checksum validation and a port demultiplexer. Datagrams to unbound ports are answered
 * with ICMP port unreachable, as the kernel does.
 *
 * UDP holds no upper layer's policy; a binder states its own with flags. A port can be
 * reserved (ursa_udp_reserve) so that only a binder passing URSA_UDP_BIND_RESERVED gets it,
 * and a binder may accept a zero checksum over IPv6 (URSA_UDP_BIND_ZERO_CKSUM6, RFC 6936:
 * allowed per port, for protocols with their own integrity check).
 */
#ifndef URSA_UDP_H
#define URSA_UDP_H

#include "ursa_ip.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Bind a port reserved with ursa_udp_reserve (required there, refused elsewhere). */
#define URSA_UDP_BIND_RESERVED 0x1
/** Accept datagrams with checksum 0 over IPv6 on this port (counted), and let
 *  ursa_udp_output send them from or to it. */
#define URSA_UDP_BIND_ZERO_CKSUM6 0x2
/** ICMP errors quoting a datagram sent *to* this port number go to this binder too: it sends
 *  to the same port on its peers from source ports it picks itself (as RoCEv2 does). */
#define URSA_UDP_BIND_ERR_BY_DPORT 0x4
#define URSA_UDP_BIND_FLAGS                                                                        \
	(URSA_UDP_BIND_RESERVED | URSA_UDP_BIND_ZERO_CKSUM6 | URSA_UDP_BIND_ERR_BY_DPORT)

struct ursa_udp_info {
	uint16_t sport, dport; /**< host order */
};

/** m's data starts at the UDP payload (m->l4_len = 8). Takes ownership. */
typedef void (*ursa_udp_handler_t)(struct ursa_lcore *lc, void *arg, struct ursa_iface *ifc,
				   struct rte_mbuf *m, const struct ursa_ip_info *ip,
				   const struct ursa_udp_info *udp);

/** An ICMP/ICMPv6 error about a datagram this binder sent: udp holds the quoted ports,
 *  err->l4 the quoted UDP header and what follows it (err->l4_len bytes, at least 8). */
typedef void (*ursa_udp_ctlinput_t)(struct ursa_lcore *lc, void *arg, struct ursa_iface *ifc,
				    const struct ursa_ip_err *err, const struct ursa_udp_info *udp);

int ursa_udp_init(struct ursa_lcore *lc);
/** Reserve port for a privileged binder (it binds with URSA_UDP_BIND_RESERVED; others get
 *  -EACCES). -ENOSPC when the reservation table is full, -EEXIST when already reserved. */
int ursa_udp_reserve(struct ursa_lcore *lc, uint16_t port);
/** Deliver datagrams to port to h(arg). flags: URSA_UDP_BIND_*. -EADDRINUSE when bound,
 *  -EACCES for a reserved port without URSA_UDP_BIND_RESERVED, -EINVAL for that flag on a
 *  port not reserved. */
int ursa_udp_bind(struct ursa_lcore *lc, uint16_t port, unsigned flags, ursa_udp_handler_t h,
		  void *arg);
int ursa_udp_unbind(struct ursa_lcore *lc, uint16_t port);
/** Give the binder of port an error handler (called with the bind's arg): errors quoting a
 *  datagram from port (or, with URSA_UDP_BIND_ERR_BY_DPORT, to it). -ENOENT when unbound. */
int ursa_udp_bind_ctlinput(struct ursa_lcore *lc, uint16_t port, ursa_udp_ctlinput_t fn);
/** Prepend the UDP header to m (data at payload) and send. zero_cksum: send checksum 0 (over
 *  IPv6 only when sport or dport is bound here with URSA_UDP_BIND_ZERO_CKSUM6, else -EINVAL).
 *  Takes ownership. */
int ursa_udp_output(struct ursa_lcore *lc, const struct ursa_ip_tx *tx, uint16_t sport,
		    uint16_t dport, struct rte_mbuf *m, bool zero_cksum);

#ifdef __cplusplus
}
#endif

#endif /* URSA_UDP_H */
