/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * softroce: ursa's own RoCEv2 engine (stack/roce) behind the provider-neutral RDMA interface
 * (stack/rdma). Open a device with
 *
 *     ursa_rdma_device_open(lc, &ursa_softroce_provider, "softroce0", NULL, &dev);
 *
 * on an lcore where ursa_roce_init() (or ursa_stack_init()) has run. The device has one port
 * (1); its GID table lists the lcore's interface addresses in order, IPv4 ones as
 * IPv4-mapped GIDs. A QP whose source GID is an interface address is bound to that
 * interface and its tenant.
 */
#ifndef URSA_SOFTROCE_H
#define URSA_SOFTROCE_H

#include "ursa_rdma.h"

#ifdef __cplusplus
extern "C" {
#endif

extern const struct ursa_rdma_provider ursa_softroce_provider;

#ifdef __cplusplus
}
#endif

#endif /* URSA_SOFTROCE_H */
