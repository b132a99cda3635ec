/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * struct ursa_stack: one stack run by several lcores, each a shard (struct ursa_lcore).
 *
 * The stack owns what every shard shares and reads: the ethdev ports (opened once, one Rx/Tx
 * queue pair per shard), the authoritative copy of the interfaces and their addresses, the
 * stack-wide settings and the provider registry. Each shard keeps its own replica of the
 * tables its layers read on the data path (lc->ifaces, the IP routes, the neighbour cache),
 * so the data path takes no lock.
 *
 * Changes while the shards run travel as commands: each shard has a command ring
 * (multi-producer, single-consumer) that ursa_lcore_poll drains before it receives anything,
 * and applies each command to its replica there, at a safe point. Commands reach the shards in
 * the order they were posted (producers are serialised by a lock on this control path, never
 * taken by a shard's poll). Every posting call returns a ticket; ursa_stack_applied() tells
 * when every shard has applied it, ursa_stack_wait() waits for that from a thread that does
 * not poll the shards itself.
 *
 * A lone lcore (ursa_lcore_create) has no stack: it is shard 0 of 1 and is configured
 * directly, as before.
 */
#ifndef URSA_STACK_H
#define URSA_STACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ursa_core.h"

#ifdef __cplusplus
extern "C" {
#endif

#define URSA_STACK_MAX_PROVIDERS 16
#define URSA_STACK_MAX_SETTINGS	 32
#define URSA_STACK_NAME_LEN	 32

struct ursa_stack;

struct ursa_stack_conf {
	uint16_t nb_shards; /**< 1..URSA_MAX_SHARDS (ursa_core.h) */
	/** One conf per shard (pool size, clock, seed, lcore id...). The stack sets .shard and
	 *  .nb_shards itself, and a pool name unique per shard when .name is shared. */
	const struct ursa_lcore_conf *shard;
	unsigned cmd_ring_size; /**< commands a shard can have pending (power of 2), 0 = 1024 */
};

/** Apply a command on one shard, from that shard's poll. arg is the copy the stack made. */
typedef int (*ursa_stack_cmd_fn_t)(struct ursa_lcore *lc, const void *arg);

int ursa_stack_create(const struct ursa_stack_conf *conf, struct ursa_stack **out);
/** Close the ports, then destroy every shard (none may be polling any more). */
void ursa_stack_destroy(struct ursa_stack *st);
uint16_t ursa_stack_nb_shards(const struct ursa_stack *st);
/** Shard i (NULL when out of range). */
struct ursa_lcore *ursa_stack_shard(struct ursa_stack *st, uint16_t i);

/* ---- ports: opened before the shards start polling ------------------------------------- */

/** Probe a DPDK device (as ursa_port_open_ethdev) and start it with one Rx/Tx queue pair per
 *  shard; shard i's port out_index uses queue i. af_packet gets qpairs=<shards> unless the
 *  devargs set it: the kernel spreads frames over the queues with a fanout group. */
int ursa_stack_port_open_ethdev(struct ursa_stack *st, const char *devargs, uint16_t mtu,
				uint16_t *out_index);
/** A memory port on every shard (one "queue" each), same MAC and index on all. */
int ursa_stack_port_open_mem(struct ursa_stack *st, const struct rte_ether_addr *mac, uint16_t mtu,
			     uint16_t *out_index);

/* ---- changes: posted to every shard, applied at the start of its next poll -------------- */

/** Run fn(shard, copy of arg) on every shard. ticket (may be NULL) names the command for
 *  ursa_stack_applied/_wait. -ENOBUFS when some shard's ring is full (posted to none). */
int ursa_stack_exec(struct ursa_stack *st, ursa_stack_cmd_fn_t fn, const void *arg, size_t len,
		    uint64_t *ticket);
/** From shard lc: run fn on every other shard of its stack (0 and nothing for a lone lcore). */
int ursa_stack_exec_others(struct ursa_lcore *lc, ursa_stack_cmd_fn_t fn, const void *arg,
			   size_t len);
/** True when every shard has applied the command ticket names (and all before it). */
bool ursa_stack_applied(const struct ursa_stack *st, uint64_t ticket);
/** Wait (sleeping) until ursa_stack_applied; then 0, or the first error a shard's apply
 *  returned for this ticket; -ETIMEDOUT after timeout_ns. Not from a thread that polls a
 *  shard of st: that shard would never drain its ring. */
int ursa_stack_wait(const struct ursa_stack *st, uint64_t ticket, uint64_t timeout_ns);
/** After ursa_stack_applied: 0, or the error some shard's apply returned for ticket. */
int ursa_stack_result(const struct ursa_stack *st, uint64_t ticket);

/** Add an interface on every shard (the same index everywhere, into *out_index). */
int ursa_stack_iface_add(struct ursa_stack *st, const struct ursa_iface_conf *conf,
			 uint16_t *out_index, uint64_t *ticket);
/** Take an interface out of service on every shard (ursa_iface_del). */
int ursa_stack_iface_del(struct ursa_stack *st, uint16_t iface, uint64_t *ticket);
int ursa_stack_addr_add(struct ursa_stack *st, uint16_t iface, const struct ursa_ipaddr *a,
			uint8_t plen, uint64_t *ticket);
int ursa_stack_addr_del(struct ursa_stack *st, uint16_t iface, const struct ursa_ipaddr *a,
			uint64_t *ticket);
/** The authoritative copy of an interface (addresses as configured), or NULL. */
const struct ursa_iface *ursa_stack_iface(const struct ursa_stack *st, uint16_t iface);
uint16_t ursa_stack_nb_ifaces(const struct ursa_stack *st);

/** A stack-wide setting: keep value (len bytes) under name as the authoritative copy, and
 *  apply it on every shard with fn(shard, value). */
int ursa_stack_set(struct ursa_stack *st, const char *name, ursa_stack_cmd_fn_t fn,
		   const void *value, size_t len, uint64_t *ticket);
/** Copy the setting's current value into buf; returns its length, -ENOENT, or -ENOSPC. */
int ursa_stack_get(const struct ursa_stack *st, const char *name, void *buf, size_t len);

/** Limit a tenant across the stack (kept as setting "tenant:<id>"). Each shard enforces its
 *  part without locks (ursa_tenant_set_quota): the limit divided by the number of shards,
 *  the remainder to the first shards, at least 1 each (so a limit below the number of shards
 *  allows one per shard). A tenant whose flows all land on one shard gets that part only. */
int ursa_stack_tenant_set_quota(struct ursa_stack *st, uint32_t tenant, const struct ursa_quota *q,
				uint64_t *ticket);

/* ---- provider registry ------------------------------------------------------------------ */

/** Register a provider's ops under name (the ops table is the caller's and outlives st).
 *  -EEXIST for a name already taken. */
int ursa_stack_provider_register(struct ursa_stack *st, const char *name, const void *ops);
/** The ops registered under name, or NULL. */
const void *ursa_stack_provider_lookup(const struct ursa_stack *st, const char *name);

#ifdef __cplusplus
}
#endif

#endif /* URSA_STACK_H */
