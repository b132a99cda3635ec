/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * libursa: the whole stack as a library, with no threads of its own. An application (the
 * daemon, the perf tools, the tests) creates an lcore context, opens ports, adds interfaces,
 * brings the layers up with ursa_stack_init() and calls ursa_lcore_poll() in its own loop.
 */
#ifndef URSA_H
#define URSA_H

#include "ursa_core.h"
#include "ursa_eal.h"
#include "ursa_eth.h"
#include "ursa_arp.h"
#include "ursa_ip.h"
#include "ursa_udp.h"
#include "ursa_tcp.h"
#include "ursa_rdma.h"
#include "ursa_roce.h"
#include "ursa_smc.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Bring up every layer on lc, in dependency order. */
int ursa_stack_init(struct ursa_lcore *lc);
/** Announce every interface (gratuitous ARP, IPv6 DAD and unsolicited NA). Call after the
 *  interfaces and addresses are configured. */
void ursa_stack_start(struct ursa_lcore *lc);

#ifdef __cplusplus
}
#endif

#endif /* URSA_H */
