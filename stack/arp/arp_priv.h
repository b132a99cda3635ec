/* SPDX-License-Identifier: BSD-3-Clause */
/* Internal to stack/arp: the neighbour cache's context, entries and counters, and ARP's. */
#ifndef URSA_ARP_PRIV_H
#define URSA_ARP_PRIV_H

#include <sys/queue.h>
#include <sys/socket.h>

#include "ursa_arp.h"
#include "ursa_eth.h"

/* Capacity and timing (RFC 4861 10, Linux defaults). Each interface holds at most its
 * quota of entries (URSA_RES_neigh) and of queued bytes (URSA_RES_neigh_bytes); the table
 * is shared by all interfaces of the lcore. */
#define NEIGH_MAX_ENTRIES	4096u
#define NEIGH_UNRES_QLEN_BYTES	212992u		    /* per entry, as Linux's unres_qlen_bytes */
#define NEIGH_QNIL		UINT32_MAX	    /* end of a pending queue */
#define NEIGH_RETRANS_NS	(1 * URSA_NS_PER_S) /* between solicitations */
#define NEIGH_SHARE_RATE	1000 /* posts per second to the other shards, after a burst of */
#define NEIGH_SHARE_BURST	64
#define NEIGH_MAX_MCAST_SOLICIT 3u		     /* INCOMPLETE tries */
#define NEIGH_MAX_UCAST_SOLICIT 3u		     /* PROBE tries */
#define NEIGH_REACHABLE_NS	(30 * URSA_NS_PER_S) /* base, randomised x[0.5, 1.5) */
#define NEIGH_DELAY_NS		(5 * URSA_NS_PER_S)
#define NEIGH_FAILED_GC_NS	(60 * URSA_NS_PER_S) /* a FAILED entry is removed after this */
#define NEIGH_FAMILIES		2		     /* AF_INET, AF_INET6 */

#define NEIGH_COUNTERS(X)                                                                          \
	X(created)                                                                                 \
	X(removed)                                                                                 \
	X(evicted)                                                                                 \
	X(solicit)                                                                                 \
	X(confirmed)                                                                               \
	X(failed)                                                                                  \
	X(sent)                                                                                    \
	X(queued)                                                                                  \
	X(drop_unresolved)                                                                         \
	X(drop_evicted)                                                                            \
	X(drop_queue_full)                                                                         \
	X(drop_queue_quota)                                                                        \
	X(drop_pool_share)                                                                         \
	X(drop_quota)                                                                              \
	X(drop_table_full)                                                                         \
	X(drop_no_resolver)                                                                        \
	X(drop_hash)                                                                               \
	X(shared_out)                                                                              \
	X(shared_in)                                                                               \
	X(drop_share_ring_full)                                                                    \
	X(drop_share_rate)

#define NEIGH_C_ENUM(n) NEIGH_C_##n,
enum neigh_counter { NEIGH_COUNTERS(NEIGH_C_ENUM) NEIGH_C_MAX };

#define ARP_COUNTERS(X)                                                                            \
	X(rx)                                                                                      \
	X(rx_request)                                                                              \
	X(rx_reply)                                                                                \
	X(rx_gratuitous)                                                                           \
	X(rx_probe)                                                                                \
	X(tx_request)                                                                              \
	X(tx_reply)                                                                                \
	X(tx_announce)                                                                             \
	X(ignored_not_target)                                                                      \
	X(addr_conflict)                                                                           \
	X(drop_short)                                                                              \
	X(drop_bad_htype)                                                                          \
	X(drop_bad_ptype)                                                                          \
	X(drop_bad_hlen)                                                                           \
	X(drop_bad_plen)                                                                           \
	X(drop_bad_op)                                                                             \
	X(drop_bad_sha)                                                                            \
	X(drop_bad_spa)                                                                            \
	X(drop_no_src)                                                                             \
	X(drop_nomem)

#define ARP_C_ENUM(n) ARP_C_##n,
enum arp_counter { ARP_COUNTERS(ARP_C_ENUM) ARP_C_MAX };

/** Hash key: zeroed first so padding and the unused bytes of an IPv4 address compare. */
struct neigh_key {
	uint16_t iface;
	uint8_t family;
	uint8_t pad;
	uint8_t addr[16];
};
static_assert(sizeof(struct neigh_key) == 20, "neigh key is hashed as raw bytes");

/* Eviction lists of an interface, in the order they give up entries; least recently used
 * first within each. REACHABLE/DELAY/PROBE entries are on KEEP; STATIC ones on none. */
enum neigh_lru {
	NEIGH_LRU_UNRES, /* INCOMPLETE and FAILED: no MAC, nothing lost by evicting them */
	NEIGH_LRU_STALE, /* STALE: re-learnt on the next use */
	NEIGH_LRU_KEEP,	 /* in use: never evicted */
	NEIGH_LRU_MAX,
	NEIGH_LRU_NONE = NEIGH_LRU_MAX,
};

TAILQ_HEAD(neigh_list, neigh_entry);

/* One packet waiting for its neighbour (nodes come from a per-lcore free list). */
struct neigh_qnode {
	struct rte_mbuf *m;
	uint32_t next;	 /**< index of the next node or NEIGH_QNIL */
	uint32_t charge; /**< bytes counted against the queue limits */
	uint16_t type;	 /**< EtherType */
};

struct neigh_entry {
	struct neigh_key key;
	uint8_t state; /**< enum ursa_neigh_state */
	uint8_t probes;
	uint8_t lru; /**< enum neigh_lru: the list the entry is on */
	bool in_use;
	struct rte_ether_addr mac;
	uint64_t used; /**< last output through the entry (ns) */
	struct ursa_timer timer;
	TAILQ_ENTRY(neigh_entry) lru_link;
	uint32_t qhead, qtail; /**< pending packets, oldest first (NEIGH_QNIL: none) */
	uint32_t qlen, qbytes;
};

struct ursa_neigh_ctx {
	uint64_t c[NEIGH_C_MAX];
	uint64_t arp_c[ARP_C_MAX];
	uint64_t conflict_logged; /**< time of the last conflict log line (rate limit) */
	uint64_t share_tat;	  /**< posts to the other shards: next allowed time (GCRA) */
	struct rte_hash *hash;
	struct neigh_entry *entries;
	uint32_t *free_idx; /**< stack of free entry indices */
	uint32_t nb_free;
	struct neigh_list lru[URSA_MAX_IFACES][NEIGH_LRU_MAX];
	uint32_t nb_entries[URSA_MAX_IFACES]; /**< entries held per interface */
	struct neigh_qnode *qnodes;	      /**< one per mbuf of the pool */
	uint32_t nb_qnodes, qfree;	      /**< free list head */
	ursa_neigh_solicit_t resolver[NEIGH_FAMILIES];
};

/* neigh.c */
int neigh_init(struct ursa_lcore *lc);

/* arp.c */
void arp_solicit(struct ursa_lcore *lc, const struct ursa_iface *ifc,
		 const struct ursa_ipaddr *addr, const struct rte_ether_addr *unicast_to);

#endif /* URSA_ARP_PRIV_H */
