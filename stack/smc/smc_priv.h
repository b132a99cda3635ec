/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * smc internals: the layer's per-lcore context and its counters. Never included from another
 * folder.
 */
#ifndef URSA_SMC_PRIV_H
#define URSA_SMC_PRIV_H

#include <stdint.h>

#include "ursa_smc.h"

struct smc_lgr;
struct smc_link_ops;

/* Counters of the smc layer: one X-macro list, "smc" in the stats. */
#define SMC_COUNTERS(X)                                                                            \
	X(conn_created)                                                                            \
	X(conn_freed)                                                                              \
	X(lgr_created) /* link groups made (first contact) */                                      \
	X(lgr_reused)  /* connections that joined an existing link group */                        \
	X(lgr_freed)                                                                               \
	X(link_up)	 /* CONFIRM_LINK done */                                                   \
	X(link_failed)	 /* links that failed: their connections aborted */                        \
	X(link_wc_error) /* error completions */                                                   \
	X(link_bad_peer) /* start() refused the peer's QP or RMB claims */                         \
	X(llc_rx)                                                                                  \
	X(llc_tx)                                                                                  \
	X(llc_bad)	    /* drop: an LLC message that does not parse */                         \
	X(llc_unexpected)   /* drop: an LLC message out of place or naming what is not ours */     \
	X(llc_add_link_rej) /* ADD_LINK answered with a reject (one path only) */                  \
	X(llc_testlink_tx)                                                                         \
	X(llc_testlink_rx)                                                                         \
	X(llc_delete_rkey_tx)                                                                      \
	X(llc_delete_rkey_rx)                                                                      \
	X(cdc_rx)                                                                                  \
	X(cdc_tx)                                                                                  \
	X(cdc_bad)	     /* drop: a CDC that does not parse */                                 \
	X(cdc_no_conn)	     /* drop: a CDC whose token names no connection of the link group */   \
	X(cdc_dup)	     /* drop: a CDC with an old sequence number */                         \
	X(cdc_violation)     /* a cursor past the window or backwards: the connection aborts */    \
	X(cdc_cons_update)   /* CDCs sent only to move the consumer cursor */                      \
	X(tx_blocked)	     /* sends that found the peer's RMB full */                            \
	X(tx_no_slot)	     /* sends deferred: no free send buffer on the link */                 \
	X(rmb_reused)	     /* RMBs taken from a link group's free list, re-keyed */              \
	X(rx_bad_len)	     /* drop: a received SEND too short for any message */                 \
	X(link_conn_created) /* connections on link groups */                                      \
	X(link_conn_freed)                                                                         \
	X(close_timeout) /* closed connections freed without the peer's close */                   \
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
	struct smc_lgr *lgrs;	   /* the link groups of this lcore (smc_lgr.c) */
	unsigned opt_slot;	   /* the SMC TCP option's slot in TCP's option hook (smc_rdv.c) */
	struct ursa_smc_conf conf; /* ursa_smc_set_conf */
	const struct smc_link_ops *link_ops; /* the link side the handshake calls (smc_conn.h) */
	uint8_t sysid[2];		     /* random half of our CLC system id */
};

/* smc_rdv.c: the rendezvous option, registered with TCP's option hook. */
int smc_rdv_init(struct ursa_lcore *lc);

#endif /* URSA_SMC_PRIV_H */
