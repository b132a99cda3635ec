/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The engine on the stack: UDP port 4791 in, and out
 * through the route of the QP's tenant and the neighbour cache. The IP and UDP headers are
 * built by roce_tx.c because the ICRC covers the IPv4 ID and total length; here the packet
 * is only routed: the egress interface must own the QP's source address (no spoofing),
 * and the packet must fit its MTU (DF is always set).
 *
 * RoCE's UDP policy lives here, not in UDP: 4791 is reserved for this binder, and it
 * accepts a zero UDP checksum over IPv6 (rxe sends 0; the ICRC protects the packet).
 */
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "roce_priv.h"
#include "ursa_arp.h"
#include "ursa_udp.h"

static void roce_udp_rx(struct ursa_lcore *lc, void *arg, struct ursa_iface *ifc,
			struct rte_mbuf *m, const struct ursa_ip_info *ip,
			const struct ursa_udp_info *udp)
{
	RTE_SET_USED(arg), RTE_SET_USED(ip), RTE_SET_USED(udp);
	roce_input_l4(lc, m, m->l3_len, ifc != NULL ? ifc->index : -1);
}

static int roce_ip_xmit(struct ursa_lcore *lc, void *arg, const struct ursa_roce_path *path,
			struct rte_mbuf *m)
{
	struct ursa_ip_tx tx = {
		.src = path->local,
		.dst = path->remote,
		.proto = IPPROTO_UDP,
		.df = true,
		.tenant = path->tenant,
		.iface = path->iface,
	};
	struct ursa_iface *ifc;
	struct ursa_ipaddr nh, src;
	int rc;

	RTE_SET_USED(arg);
	rc = ursa_ip_route(lc, &tx, &ifc, &nh, &src);
	if (rc != 0)
		goto drop;
	if (ursa_iface_has_addr(ifc, &path->local) == NULL) {
		rc = -EADDRNOTAVAIL;
		goto drop;
	}
	if (rte_pktmbuf_pkt_len(m) > ifc->mtu) {
		rc = -EMSGSIZE;
		goto drop;
	}
	return ursa_neigh_output(lc, ifc, &nh, m,
				 path->local.family == AF_INET6 ? RTE_ETHER_TYPE_IPV6
								: RTE_ETHER_TYPE_IPV4);
drop:
	rte_pktmbuf_free(m);
	return rc;
}

int ursa_roce_init(struct ursa_lcore *lc)
{
	int rc;

	if (lc->roce == NULL && (rc = ursa_roce_ctx_create(lc, NULL)) != 0)
		return rc;
	ursa_roce_set_xmit(lc, roce_ip_xmit, NULL);
	rc = ursa_udp_reserve(lc, ROCE_UDP_PORT);
	if (rc != 0 && rc != -EEXIST)
		return rc;
	return ursa_udp_bind(lc, ROCE_UDP_PORT, URSA_UDP_BIND_RESERVED | URSA_UDP_BIND_ZERO_CKSUM6,
			     roce_udp_rx, NULL);
}
