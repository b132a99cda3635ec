/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * smc internals: the layer's per-lcore context and its counters. Never included from another
 * folder.
 */
#ifndef URSA_SMC_PRIV_H
#define URSA_SMC_PRIV_H

#include <stdint.h>

#include "ursa_smc.h"

/* Counters of the smc layer: one X-macro list, "smc" in the stats. */
#define SMC_COUNTERS(X)                                                                            \
	X(conn_created)                                                                            \
	X(conn_freed)

#define SMC_C_ENUM(n) SMC_C_##n,
enum smc_counter { SMC_COUNTERS(SMC_C_ENUM) SMC_C_MAX };

struct ursa_smc_ctx {
	uint64_t c[SMC_C_MAX];
	unsigned opt_slot; /* the SMC TCP option's slot in TCP's option hook (smc_rdv.c) */
};

/* smc_rdv.c: the rendezvous option, registered with TCP's option hook. */
int smc_rdv_init(struct ursa_lcore *lc);

#endif /* URSA_SMC_PRIV_H */
