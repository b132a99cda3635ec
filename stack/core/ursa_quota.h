/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Quotas: nothing one interface, one tenant or one peer does may starve another.
 *
 * Two kinds of limits, both per lcore (each lcore runs its own shard of everything):
 *
 * - Resource quotas, per interface and per tenant (enum ursa_res). A layer takes units
 *   before it creates state for an interface (a neighbour entry, a queued packet, a held
 *   fragment, a TCP connection) and gives them back when the state goes. A take that would
 *   put the interface, or its tenant, over its quota is refused and counted
 *   (block "quota": drop_<res>_iface, drop_<res>_tenant); the layer then evicts something
 *   of the same interface or drops, and counts that too.
 *
 * - The pool share (enum ursa_hold): all queues that hold received or unsent mbufs beyond
 *   one poll (neighbour pending queues, reassembly) may hold together at most a share of
 *   the lcore's mbuf pool (struct ursa_lcore_conf.hold_pct, default 50 %), so the receive
 *   refill and the packets the stack makes always find buffers (block "hold": held_<h>
 *   are gauges, drop_<h>_pool_share refusals).
 */
#ifndef URSA_QUOTA_H
#define URSA_QUOTA_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** What interfaces and tenants are limited in. X-macro: name, default per interface. */
#define URSA_RES_LIST(X)                                                                           \
	X(neigh, 512)		/* neighbour cache entries (ARP and ND) */                         \
	X(neigh_bytes, 1048576) /* bytes (mbuf buffers) waiting for unresolved neighbours */       \
	X(reasm, 256)		/* mbufs held by IPv4 and IPv6 reassembly together */              \
	X(tcp_conn, 4096)	/* TCP connections in the table (embryonic, established, ...) */

#define URSA_RES_ENUM(name, dflt) URSA_RES_##name,
enum ursa_res { URSA_RES_LIST(URSA_RES_ENUM) URSA_RES_MAX };

/**
 * Limits, indexed by enum ursa_res. In an interface's configuration a 0 means the default
 * of URSA_RES_LIST; in a tenant's a 0 means no limit beyond the interfaces' own (a tenant
 * with several interfaces can be given a total with ursa_tenant_set_quota()).
 */
struct ursa_quota {
	uint32_t max[URSA_RES_MAX];
};

/** Queues that hold mbufs beyond one poll, each accounted against the pool share. */
#define URSA_HOLD_LIST(X)                                                                          \
	X(neigh) /* packets waiting for a neighbour to resolve */                                  \
	X(reasm) /* fragments waiting for the rest of their datagram */

#define URSA_HOLD_ENUM(name) URSA_HOLD_##name,
enum ursa_hold { URSA_HOLD_LIST(URSA_HOLD_ENUM) URSA_HOLD_MAX };

/** Default share of the pool that all holding queues together may use, percent. */
#define URSA_HOLD_DEFAULT_PCT 50u

struct ursa_lcore;

/** The default interface quota (every field of URSA_RES_LIST's defaults). */
void ursa_quota_default(struct ursa_quota *q);
/** Limit a tenant on this lcore in total over its interfaces (0 fields: no such limit).
 *  Returns 0, or -ENOSPC when the lcore already knows URSA_MAX_IFACES tenants. */
int ursa_tenant_set_quota(struct ursa_lcore *lc, uint32_t tenant, const struct ursa_quota *q);
/** Take n units of r for interface iface and its tenant. Returns 0, -EDQUOT when the
 *  interface or its tenant would go over its quota (nothing taken; counted), -EINVAL for
 *  an unknown interface. */
int ursa_quota_take(struct ursa_lcore *lc, uint16_t iface, enum ursa_res r, uint32_t n);
/** Give back n units taken with ursa_quota_take(). */
void ursa_quota_give(struct ursa_lcore *lc, uint16_t iface, enum ursa_res r, uint32_t n);
/** Units of r the interface holds now. */
uint32_t ursa_quota_used(const struct ursa_lcore *lc, uint16_t iface, enum ursa_res r);
/** Whether the interface holds its whole quota of r (the next take of n would fail). */
bool ursa_quota_full(const struct ursa_lcore *lc, uint16_t iface, enum ursa_res r, uint32_t n);

/** Hold n more mbufs in queue h. Returns false (and counts the refusal) when all holding
 *  queues together would exceed the pool share. */
bool ursa_hold_take(struct ursa_lcore *lc, enum ursa_hold h, uint32_t n);
/** n mbufs held in h were sent, delivered or freed. */
void ursa_hold_give(struct ursa_lcore *lc, enum ursa_hold h, uint32_t n);
/** mbufs held now by all queues together, and the cap. */
uint32_t ursa_hold_total(const struct ursa_lcore *lc);
uint32_t ursa_hold_cap(const struct ursa_lcore *lc);

#ifdef __cplusplus
}
#endif

#endif /* URSA_QUOTA_H */
