/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * udp: checksum validation and a port demultiplexer. Port 4791 is RoCEv2's: only a binder
 * that says so (URSA_UDP_BIND_ROCEV2) gets it. Datagrams to unbound ports are answered with
 * ICMP port unreachable, as the kernel does.
 */
#ifndef URSA_UDP_H
#define URSA_UDP_H

#include "ursa_ip.h"

#ifdef __cplusplus
extern "C" {
#endif

#define URSA_UDP_PORT_ROCEV2 4791
#define URSA_UDP_BIND_ROCEV2 0x1

struct ursa_udp_info {
	uint16_t sport, dport; /**< host order */
};

/** m's data starts at the UDP payload (m->l4_len = 8). Takes ownership. */
typedef void (*ursa_udp_handler_t)(struct ursa_lcore *lc, void *arg, struct ursa_iface *ifc,
				   struct rte_mbuf *m, const struct ursa_ip_info *ip,
				   const struct ursa_udp_info *udp);

int ursa_udp_init(struct ursa_lcore *lc);
int ursa_udp_bind(struct ursa_lcore *lc, uint16_t port, unsigned flags, ursa_udp_handler_t h,
		  void *arg);
int ursa_udp_unbind(struct ursa_lcore *lc, uint16_t port);
/** Prepend the UDP header to m (data at payload) and send. zero_cksum: send checksum 0
 *  (IPv4 only, and RoCEv2 as rxe does). Takes ownership. */
int ursa_udp_output(struct ursa_lcore *lc, const struct ursa_ip_tx *tx, uint16_t sport,
		    uint16_t dport, struct rte_mbuf *m, bool zero_cksum);

#ifdef __cplusplus
}
#endif

#endif /* URSA_UDP_H */
