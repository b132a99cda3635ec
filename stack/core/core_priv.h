/* SPDX-License-Identifier: BSD-3-Clause */
/* Internal to stack/core: the index of cross-file functions, by file. */
#ifndef URSA_CORE_PRIV_H
#define URSA_CORE_PRIV_H

#include "ursa_core.h"

/* fault.c */
int fault_create(const struct ursa_fault_conf *conf, struct ursa_fault **out);
void fault_destroy(struct ursa_fault *f);
typedef void (*fault_emit_t)(void *ctx, struct rte_mbuf *m);
/** Feed one frame in; every frame whose time has come (this one, its duplicate, held ones)
 *  is passed to emit, in the order it leaves. */
void fault_apply(struct ursa_fault *f, uint64_t now, struct rte_mbuf *m, fault_emit_t emit,
		 void *ctx);
/** Release held frames whose time has come; returns how many. */
unsigned fault_drain(struct ursa_fault *f, uint64_t now, fault_emit_t emit, void *ctx);
/** Earliest release time of a held frame, or UINT64_MAX. */
uint64_t fault_next(const struct ursa_fault *f);
const struct ursa_fault_counters *fault_counters(const struct ursa_fault *f);

/* quota.c */
int quota_init(struct ursa_lcore *lc, unsigned nb_mbufs, unsigned pct);
int quota_iface_init(struct ursa_lcore *lc, struct ursa_iface *ifc,
		     const struct ursa_quota *conf);

/* dispatch.c */
/* Receive what other shards handed over; returns how many frames. */
unsigned dispatch_drain(struct ursa_lcore *lc);
unsigned dispatch_pending(const struct ursa_lcore *lc);
void dispatch_fini(struct ursa_lcore *lc);

/* port.c */
void port_close_all(struct ursa_lcore *lc);
int port_register_stats(struct ursa_lcore *lc, struct ursa_port *p);

/* wait.c */
int wait_init(struct ursa_lcore *lc);
void wait_fini(struct ursa_lcore *lc);
/* Called by another shard's thread after it queued work for lc (its dispatch inbox): wakes
 * lc if it naps, at the cost of one fence and one load when it does not. */
void wait_notify(struct ursa_lcore *lc);

#endif /* URSA_CORE_PRIV_H */
