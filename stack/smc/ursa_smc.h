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
#include <stdint.h>
#include <sys/types.h>

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

/** Settings of SMC on an lcore (ursa_smc_set_conf). */
#define URSA_SMC_MAX_UEID 8
#define URSA_SMC_EID_LEN  32
struct ursa_smc_conf {
	/** User EIDs: 1..32 of A-Z 0-9 . - (blank-padded on the wire). SMC-Rv2 is offered and
	 *  accepted only with a UEID both sides list (Linux refuses v2 without a match); none
	 *  configured: every SMC connection falls back. A label, never an authorisation. */
	char ueid[URSA_SMC_MAX_UEID][URSA_SMC_EID_LEN + 1];
	unsigned nb_ueid;
	uint32_t rmb_size;	 /**< receive buffer wanted per connection (16 KiB..1 MiB) */
	uint32_t rmb_max;	 /**< the largest RMB a peer may announce (bytes) */
	uint64_t clc_timeout_ns; /**< wait for each CLC message (Linux CLC_WAIT_TIME: 6 s) */
	char hostname[33];	 /**< sent in the First Contact Extension */
};
void ursa_smc_conf_default(struct ursa_smc_conf *conf);
/** -EINVAL for a UEID that is empty, too long or has other characters, or sizes out of
 *  range; -ENOPROTOOPT when SMC is not up on lc. */
int ursa_smc_set_conf(struct ursa_lcore *lc, const struct ursa_smc_conf *conf);
const struct ursa_smc_conf *ursa_smc_get_conf(const struct ursa_lcore *lc);

/** One connection's SMC handshake (CLC over its TCP connection), then its SMC data path or
 *  its fallback to TCP on the same connection. */
struct ursa_smc_conn;
enum ursa_smc_state {
	URSA_SMC_HANDSHAKE, /**< CLC (or the link's first contact) running */
	URSA_SMC_ACTIVE,    /**< data moves over the SMC-R link */
	URSA_SMC_FALLBACK,  /**< plain TCP on the same connection, no byte lost */
	URSA_SMC_FAILED,    /**< the TCP connection failed during the handshake */
};
/** Called once, when the state leaves URSA_SMC_HANDSHAKE. The TCP connection's callback
 *  is cleared by then: on fallback the caller takes the connection over. */
typedef void (*ursa_smc_done_cb_t)(struct ursa_lcore *lc, struct ursa_smc_conn *c, void *arg);
/** Client: pcb is connecting with the SMC option offered (ursa_smc_opt_want before
 *  ursa_tcp_connect). No echo in the SYN-ACK: fallback with no CLC at all. */
int ursa_smc_connect_start(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, ursa_smc_done_cb_t cb,
			   void *arg, struct ursa_smc_conn **out);
/** Server: pcb is a child just accepted from a listener that echoes the option. */
int ursa_smc_accept_start(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, ursa_smc_done_cb_t cb,
			  void *arg, struct ursa_smc_conn **out);
enum ursa_smc_state ursa_smc_state(const struct ursa_smc_conn *c);
/** Why the connection fell back: a Linux decline / fallback reason code (0x0301_0000 the
 *  peer did not echo the option, 0x0303_0000 no SMC device, 0x0500_0000 the peer
 *  declined, ...), 0 when it did not. */
uint32_t ursa_smc_fallback_reason(const struct ursa_smc_conn *c);
/** The reason code of the peer's Decline (0 when none came). */
uint32_t ursa_smc_peer_diag(const struct ursa_smc_conn *c);
/** The error that failed the connection (URSA_SMC_FAILED), else 0. */
int ursa_smc_error(const struct ursa_smc_conn *c);
struct ursa_tcp_pcb *ursa_smc_pcb(const struct ursa_smc_conn *c);
/** The data path of an ACTIVE connection (negative errno otherwise: -ENOTCONN). */
ssize_t ursa_smc_send(struct ursa_smc_conn *c, const void *buf, size_t len);
ssize_t ursa_smc_recv(struct ursa_smc_conn *c, void *buf, size_t len, bool peek);
/** URSA_POLL* bits of the SMC data path (0 while the handshake runs). */
short ursa_smc_poll(const struct ursa_smc_conn *c);
int ursa_smc_shutdown(struct ursa_smc_conn *c, int how);
/** Release c. An ACTIVE connection closes its SMC side (abort: peer-conn-abort), then the
 *  TCP connection is closed (or aborted); a handshake still running is abandoned with it. After
 *  a fallback or a failure only c goes: the TCP connection is the caller's. */
void ursa_smc_conn_free(struct ursa_lcore *lc, struct ursa_smc_conn *c, bool abort);

#ifdef __cplusplus
}
#endif

#endif /* URSA_SMC_H */
