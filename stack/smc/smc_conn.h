/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * smc internals: what the CLC handshake (smc_conn.c) calls on the link side, as an ops
 * table in the layer context. The calls are those of smc_link.h plus one device query the
 * Proposal needs before any link group exists. The default is smc_link_real_ops (smc_lgr.c);
 * without an RDMA device it says so, and a server declines with 0x03030000 and a client
 * declines and falls back, as Linux does on a host without one. Tests install their own
 * (smc_set_link_ops). Never included from another folder.
 */
#ifndef URSA_SMC_CONN_H
#define URSA_SMC_CONN_H

#include "smc_link.h"
#include "smc_priv.h"

struct smc_link_ops {
	/* The RoCEv2 GID, MAC and path MTU (IB enum) an SMC-R link from the local address
	 * would use on iface; -ENODEV when no RDMA device serves it. */
	int (*device)(struct ursa_lcore *lc, uint16_t iface, const struct ursa_ipaddr *local,
		      uint8_t gid[16], uint8_t mac[6], uint8_t *mtu);
	int (*prepare)(struct ursa_lcore *lc, const struct smc_link_req *req,
		       struct smc_link_conn **out, struct smc_qp_info *local_qp,
		       struct smc_rmb_info *local_rmb, bool *first_contact);
	int (*start)(struct smc_link_conn *c, const struct smc_qp_info *peer_qp,
		     const struct smc_rmb_info *peer_rmb, void (*ready)(void *arg, int status),
		     void *arg);
	ssize_t (*send)(struct smc_link_conn *c, const void *buf, size_t len);
	ssize_t (*recv)(struct smc_link_conn *c, void *buf, size_t len, bool peek);
	short (*poll)(struct smc_link_conn *c);
	int (*shutdown)(struct smc_link_conn *c, int how);
	int (*close)(struct smc_link_conn *c, bool abort);
};

/* No SMC-R device: what a host without one does. */
extern const struct smc_link_ops smc_link_nodev_ops;
/* The link side of smc_lgr.c (the default). */
extern const struct smc_link_ops smc_link_real_ops;
/* NULL puts back the default. */
void smc_set_link_ops(struct ursa_lcore *lc, const struct smc_link_ops *ops);

#endif /* URSA_SMC_CONN_H */
