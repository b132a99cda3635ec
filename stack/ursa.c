/* SPDX-License-Identifier: BSD-3-Clause */
/* The top of libursa: brings the layers up in dependency order. */
#include "ursa.h"

int ursa_stack_init(struct ursa_lcore *lc)
{
	int rc;

	if ((rc = ursa_eth_init(lc)) != 0)
		return rc;
	if ((rc = ursa_arp_init(lc)) != 0)
		return rc;
	if ((rc = ursa_ip_init(lc)) != 0)
		return rc;
	if ((rc = ursa_udp_init(lc)) != 0)
		return rc;
	if ((rc = ursa_tcp_init(lc)) != 0)
		return rc;
	if ((rc = ursa_roce_init(lc)) != 0)
		return rc;
	if ((rc = ursa_rdma_init(lc)) != 0)
		return rc;
	return ursa_smc_init(lc);
}

void ursa_stack_start(struct ursa_lcore *lc)
{
	for (uint16_t i = 0; i < lc->nb_ifaces; i++) {
		ursa_arp_announce(lc, &lc->ifaces[i]);
		ursa_ip6_announce(lc, &lc->ifaces[i]);
	}
}
