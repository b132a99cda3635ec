/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * smc internals: the layer's per-lcore context and its counters. Never included from another
 * folder.
 */
#ifndef URSA_SMC_PRIV_H
#define URSA_SMC_PRIV_H

#include <stdint.h>

#include "ursa_smc.h"

struct smc_link_ops;

/* Counters of the smc layer: one X-macro list, "smc" in the stats. */
#define SMC_COUNTERS(X)                                                                            \
	X(conn_created)                                                                            \
	X(conn_freed)                                                                              \
	X(clc_tx_proposal)                                                                         \
	X(clc_tx_accept)                                                                           \
	X(clc_tx_confirm)                                                                          \
	X(clc_tx_decline)                                                                          \
	X(clc_rx_proposal)                                                                         \
	X(clc_rx_accept)                                                                           \
	X(clc_rx_confirm)                                                                          \
	X(clc_rx_decline)                                                                          \
	X(clc_drop_malformed)                                                                      \
	X(clc_drop_unexpected)                                                                     \
	X(clc_timeout)                                                                             \
	X(clc_tcp_failed)                                                                          \
	X(smc_active)                                                                              \
	X(fallback)                                                                                \
	X(fallback_peer_nosmc)                                                                     \
	X(fallback_nodev)                                                                          \
	X(fallback_noueid)                                                                         \
	X(fallback_peer_decline)                                                                   \
	X(fallback_other)

#define SMC_C_ENUM(n) SMC_C_##n,
enum smc_counter { SMC_COUNTERS(SMC_C_ENUM) SMC_C_MAX };

struct ursa_smc_ctx {
	uint64_t c[SMC_C_MAX];
	unsigned opt_slot;	   /* the SMC TCP option's slot in TCP's option hook (smc_rdv.c) */
	struct ursa_smc_conf conf; /* ursa_smc_set_conf */
	const struct smc_link_ops *link_ops; /* the link side the handshake calls (smc_conn.h) */
	uint8_t sysid[2];		     /* random half of our CLC system id */
};

/* smc_rdv.c: the rendezvous option, registered with TCP's option hook. */
int smc_rdv_init(struct ursa_lcore *lc);

#endif /* URSA_SMC_PRIV_H */
