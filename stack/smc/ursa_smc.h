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

#include <stdbool.h>

#include "ursa_core.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Bring SMC up on lc (after TCP; RDMA is looked for per connection, so an lcore without
 *  an RDMA device declines SMC as Linux does without one). Registers the rendezvous option
 *  (kind 254, ExID E2D4C3D9) with TCP. -EEXIST when it is up, -EINVAL without TCP. */
int ursa_smc_init(struct ursa_lcore *lc);

struct ursa_tcp_pcb;
/** Offer the SMC option in the SYN (connecting pcb) or echo it in the SYN-ACK (listener:
 *  only to SYNs that carried it, never with a SYN cookie). -EISCONN once the SYN is gone,
 *  -EPROTONOSUPPORT when SMC is not up on lc. */
int ursa_smc_opt_want(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, bool on);
/** The pcb offers (or echoes) the option. */
bool ursa_smc_opt_wanted(struct ursa_lcore *lc, const struct ursa_tcp_pcb *pcb);
/** The peer's SYN (passive side) or SYN-ACK (active side) carried the option. */
bool ursa_smc_opt_peer(struct ursa_lcore *lc, const struct ursa_tcp_pcb *pcb);

#ifdef __cplusplus
}
#endif

#endif /* URSA_SMC_H */
