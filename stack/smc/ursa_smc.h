/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * SMC-R (RFC 7609, SMC v2): sockets over RDMA. A TCP connection that negotiates SMC (the TCP
 * option kind 254, then the CLC handshake over the connection) moves its data by RDMA WRITE
 * into the peer's receive buffer (RMB) and CDC messages over an RC link of a link group; a
 * peer that cannot falls back to plain TCP on the same connection.
 *
 * The layer uses TCP (rendezvous and CLC) and the provider-neutral RDMA interface
 * (`ursa_rdma.h`) only; the transports know nothing of it. The socket layer above offers it
 * to applications as IPPROTO_SMC sockets.
 */
#ifndef URSA_SMC_H
#define URSA_SMC_H

#include "ursa_core.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Bring SMC up on lc (after TCP and RDMA). -EEXIST when it is up, -EINVAL when a layer it
 *  needs is not. */
int ursa_smc_init(struct ursa_lcore *lc);

#ifdef __cplusplus
}
#endif

#endif /* URSA_SMC_H */
