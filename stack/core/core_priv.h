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
int quota_iface_init(struct ursa_lcore *lc, struct ursa_iface *ifc, const struct ursa_quota *conf);

/* dispatch.c */
/* Receive what other shards handed over; returns how many frames. */
unsigned dispatch_drain(struct ursa_lcore *lc);
unsigned dispatch_pending(const struct ursa_lcore *lc);
void dispatch_fini(struct ursa_lcore *lc);

/* port.c */
void port_close_all(struct ursa_lcore *lc);
int port_register_stats(struct ursa_lcore *lc, struct ursa_port *p);
/** Find or probe the ethdev named by devargs (its name, up to the first comma, into name). */
int port_ethdev_probe(const char *devargs, char *name, size_t len, uint16_t *out_pid);
/** Configure and start an ethdev with nb_queues Rx/Tx queue pairs, queue q receiving into
 *  pools[q] (RSS where the PMD hashes); the MTU it carries into out_mtu. */
int port_ethdev_setup(uint16_t pid, uint16_t nb_queues, struct rte_mempool *const *pools,
		      uint16_t mtu, uint16_t *out_mtu);
/** Give lc a port on queue of a started ethdev. shared: the device belongs to a stack that
 *  closes it (the port's close leaves it alone). */
int port_ethdev_attach(struct ursa_lcore *lc, uint16_t pid, uint16_t queue, const char *name,
		       uint16_t mtu, bool shared, uint16_t *out_index);
void port_ethdev_close(uint16_t pid);

/* stack.c */
/** Apply the commands waiting on lc's ring (start of every poll); returns how many. */
unsigned stack_cmd_drain(struct ursa_lcore *lc);
/** Whether commands wait on lc's ring. */
bool stack_cmd_pending(const struct ursa_lcore *lc);

/* wait.c */
int wait_init(struct ursa_lcore *lc);
void wait_fini(struct ursa_lcore *lc);
/* Called by another shard's thread after it queued work for lc (its dispatch inbox): wakes
 * lc if it naps, at the cost of one fence and one load when it does not. */
void wait_notify(struct ursa_lcore *lc);

#endif /* URSA_CORE_PRIV_H */
