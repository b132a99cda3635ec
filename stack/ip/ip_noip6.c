/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Built instead of ip6.c/icmp6.c while IPv6 is not in the tree: IPv6 is refused, not faked.
 * ip6_init says -EAFNOSUPPORT (so 0x86DD is never registered), output fails with the same,
 * and no ICMPv6 error is ever sent.
 */
#include <errno.h>

#include "ip_priv.h"

int ip6_init(struct ursa_lcore *lc)
{
	(void)lc;
	return -EAFNOSUPPORT;
}

void ip6_input(struct ursa_lcore *lc, struct ursa_iface *ifc, struct rte_mbuf *m)
{
	(void)ifc;
	lc->ip->c[IP_C_drop_no_ip6]++;
	rte_pktmbuf_free(m);
}

int ip6_output(struct ursa_lcore *lc, const struct ursa_ip_tx *tx, struct ursa_iface *ifc,
	       const struct ursa_ipaddr *nh, const struct ursa_ipaddr *src, struct rte_mbuf *m)
{
	(void)tx, (void)ifc, (void)nh, (void)src;
	lc->ip->c[IP_C_drop_no_ip6]++;
	rte_pktmbuf_free(m);
	return -EAFNOSUPPORT;
}

void icmp6_error(struct ursa_lcore *lc, struct ursa_iface *ifc, const struct rte_mbuf *orig,
		 uint8_t type, uint8_t code, uint32_t extra)
{
	(void)lc, (void)ifc, (void)orig, (void)type, (void)code, (void)extra;
}

void ursa_ip6_announce(struct ursa_lcore *lc, struct ursa_iface *ifc)
{
	(void)lc, (void)ifc;
}
