/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * smc internals: what the CLC handshake (smc_clc*.c, smc_conn*.c) and the link side (link
 * groups, LLC, RMBs, CDC: smc_lgr*.c, smc_llc*.c, smc_cdc*.c, smc_tx/rx*.c) hand each other.
 *
 * The handshake learns who the peer is and what it offers; the link side owns QPs, memory
 * regions and the data path. For one connection, either role:
 *   1. smc_link_prepare(): find a link group to the peer (same peer system id, interface,
 *      tenant, VLAN, role) or create one with a fresh RC QP; allocate the connection's RMB (its
 *      own MR, remote-write only, a fresh unpredictable rkey). Yields what CLC announces.
 *   2. CLC Accept (server) / Confirm (client) carries it; the peer's answer brings its side.
 *   3. smc_link_start(): the peer's QP (first contact) and RMB; the QP goes to RTS, the first
 *      contact runs CONFIRM_LINK (and ADD_LINK as Linux does), then `ready` is called.
 *   4. send/recv/poll/shutdown/close move the data (RDMA WRITE + CDC) and the close flags.
 * Everything a peer claims here was checked by its parser; the link side checks it again
 * against what the connection may use (interface, tenant, sizes).
 */
#ifndef URSA_SMC_LINK_H
#define URSA_SMC_LINK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "ursa_core.h"

/* One side's RC QP as CLC Accept/Confirm announces it (first contact). */
struct smc_qp_info {
	uint8_t gid[16]; /* RoCEv2 GID of the QP's port (IPv4-mapped for IPv4) */
	uint8_t mac[6];
	uint32_t qpn; /* 24 bits */
	uint32_t psn; /* initial PSN, 24 bits */
	uint8_t mtu;  /* IB MTU enum: 1 = 256 ... 5 = 4096 */
};

/* One side's receive buffer element as CLC Accept/Confirm announces it. */
struct smc_rmb_info {
	uint32_t rkey;
	uint64_t vaddr; /* the RDMA target address of the RMB */
	uint32_t size;	/* bytes: 2^(14+n), n the compressed nibble on the wire */
	uint32_t token; /* RMBE alert token: the announcer's connection id, echoed in every CDC */
	uint8_t index;	/* RMBE index, 1-based (one RMBE per RMB: 1) */
};

/* Who the link is to and for whom: what makes link groups shareable. */
struct smc_link_req {
	uint16_t iface;		 /* the interface of the TCP connection */
	uint16_t tenant;	 /* its tenant */
	uint16_t vlan;		 /* its VLAN (0: none) */
	bool server;		 /* our role in the link group */
	uint8_t peer_id[8];	 /* the peer's system id (CLC Peer ID) */
	struct ursa_ipaddr peer; /* the peer's address on the TCP connection */
	uint32_t rmb_size;	 /* wanted receive buffer size, bytes */
};

struct smc_link_conn; /* one connection's share of a link group: RMBs, cursors, CDC state */

int smc_link_prepare(struct ursa_lcore *lc, const struct smc_link_req *req,
		     struct smc_link_conn **out, struct smc_qp_info *local_qp,
		     struct smc_rmb_info *local_rmb, bool *first_contact);
int smc_link_start(struct smc_link_conn *c, const struct smc_qp_info *peer_qp,
		   const struct smc_rmb_info *peer_rmb, void (*ready)(void *arg, int status),
		   void *arg);
ssize_t smc_link_send(struct smc_link_conn *c, const void *buf, size_t len);
ssize_t smc_link_recv(struct smc_link_conn *c, void *buf, size_t len, bool peek);
/* Readiness; the values are those of sock's URSA_POLL* bits, so sock passes them on. */
#define SMC_POLL_IN    0x001  /* data to read, or the peer is done writing */
#define SMC_POLL_OUT   0x004  /* room in the peer's RMB */
#define SMC_POLL_ERR   0x008  /* the link failed or the peer aborted */
#define SMC_POLL_HUP   0x010  /* both directions closed */
#define SMC_POLL_RDHUP 0x2000 /* the peer is done writing */
short smc_link_poll(struct smc_link_conn *c);
int smc_link_shutdown(struct smc_link_conn *c, int how);
/* Graceful (abort false: peer-conn-closed) or abortive; frees c once the peer is told. */
int smc_link_close(struct smc_link_conn *c, bool abort);

#endif /* URSA_SMC_LINK_H */
