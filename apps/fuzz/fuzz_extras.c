/* SPDX-License-Identifier: BSD-3-Clause */
/* Receivers the fuzz targets attach so that delivered data is consumed, not just dropped. */
#include "ursa.h"
#include "fuzz.h"

static void udp_sink(struct ursa_lcore *lc, void *arg, struct ursa_iface *ifc, struct rte_mbuf *m,
		     const struct ursa_ip_info *ip, const struct ursa_udp_info *udp)
{
	(void)lc;
	(void)arg;
	(void)ifc;
	(void)ip;
	(void)udp;
	rte_pktmbuf_free(m);
}

void fuzz_bind_extras(struct ursa_lcore *lc)
{
	ursa_udp_bind(lc, 9, 0, udp_sink, NULL);
	ursa_udp_bind(lc, 5000, 0, udp_sink, NULL);
}
