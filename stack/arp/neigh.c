/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The neighbour cache, shared by ARP (IPv4) and ND (IPv6): (interface, family, address) ->
 * MAC, with the reachability state machine of RFC 4861 7.3.2-7.3.3 as Linux runs it:
 *
 *   (none) --output--> INCOMPLETE --answer--> REACHABLE --reachable time--> STALE
 *   STALE --output--> DELAY --5 s--> PROBE --answer--> REACHABLE
 *   INCOMPLETE/PROBE --3 solicitations unanswered--> FAILED --GC--> (none)
 *
 * Each entry owns one timer whose meaning follows the state. Packets sent while an entry is
 * INCOMPLETE wait in a small per-entry queue (oldest dropped when full) and leave in order
 * when the address resolves; they are dropped and counted when it fails. Entries are
 * preallocated; when all are taken the least recently used STALE or FAILED one is evicted.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_lcore.h>

#include "arp_priv.h"

static const char *const neigh_counter_names[] = {NEIGH_COUNTERS(URSA_COUNTER_NAME)};
static_assert(RTE_DIM(neigh_counter_names) == NEIGH_C_MAX, "one name per counter");
static const char *const arp_counter_names[] = {ARP_COUNTERS(URSA_COUNTER_NAME)};
static_assert(RTE_DIM(arp_counter_names) == ARP_C_MAX, "one name per counter");

static const char *const state_names[] = {
	[URSA_NEIGH_NONE] = "NONE",	      [URSA_NEIGH_INCOMPLETE] = "INCOMPLETE",
	[URSA_NEIGH_REACHABLE] = "REACHABLE", [URSA_NEIGH_STALE] = "STALE",
	[URSA_NEIGH_PROBE] = "PROBE",	      [URSA_NEIGH_FAILED] = "FAILED",
	[URSA_NEIGH_STATIC] = "STATIC",	      [URSA_NEIGH_DELAY] = "DELAY",
};

const char *ursa_neigh_state_name(enum ursa_neigh_state st)
{
	return (unsigned)st < RTE_DIM(state_names) && state_names[st] ? state_names[st] : "?";
}

static int family_index(int family)
{
	return family == AF_INET ? 0 : family == AF_INET6 ? 1 : -1;
}

static void key_make(struct neigh_key *k, const struct ursa_iface *ifc, const struct ursa_ipaddr *a)
{
	memset(k, 0, sizeof(*k));
	k->iface = ifc->index;
	k->family = a->family;
	if (a->family == AF_INET)
		memcpy(k->addr, &a->v4, sizeof(a->v4));
	else
		memcpy(k->addr, a->v6, sizeof(a->v6));
}

static void key_addr(const struct neigh_key *k, struct ursa_ipaddr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = k->family;
	if (k->family == AF_INET)
		memcpy(&a->v4, k->addr, sizeof(a->v4));
	else
		memcpy(a->v6, k->addr, sizeof(a->v6));
}

static struct neigh_entry *neigh_find(struct ursa_neigh_ctx *n, const struct neigh_key *k)
{
	void *data;

	if (rte_hash_lookup_data(n->hash, k, &data) < 0)
		return NULL;
	return data;
}

static void queue_drop(struct ursa_neigh_ctx *n, struct neigh_entry *e, enum neigh_counter c)
{
	while (e->qlen) {
		rte_pktmbuf_free(e->q[e->qhead]);
		e->q[e->qhead] = NULL;
		e->qhead = (uint8_t)((e->qhead + 1) % NEIGH_MAX_QUEUE);
		e->qlen--;
		n->c[c]++;
	}
	e->qhead = 0;
}

/* Send the queued packets, oldest first, to the entry's MAC. */
static void queue_flush(struct ursa_lcore *lc, struct neigh_entry *e)
{
	const struct ursa_iface *ifc = &lc->ifaces[e->key.iface];

	while (e->qlen) {
		struct rte_mbuf *m = e->q[e->qhead];
		uint16_t type = e->qtype[e->qhead];

		e->q[e->qhead] = NULL;
		e->qhead = (uint8_t)((e->qhead + 1) % NEIGH_MAX_QUEUE);
		e->qlen--;
		lc->neigh->c[NEIGH_C_sent]++;
		ursa_eth_output(lc, ifc, m, &e->mac, type);
	}
	e->qhead = 0;
}

static void queue_add(struct ursa_neigh_ctx *n, struct neigh_entry *e, struct rte_mbuf *m,
		      uint16_t type)
{
	unsigned slot;

	if (e->qlen == NEIGH_MAX_QUEUE) { /* the oldest gives way */
		rte_pktmbuf_free(e->q[e->qhead]);
		e->q[e->qhead] = NULL;
		e->qhead = (uint8_t)((e->qhead + 1) % NEIGH_MAX_QUEUE);
		e->qlen--;
		n->c[NEIGH_C_drop_queue_full]++;
	}
	slot = (e->qhead + e->qlen) % NEIGH_MAX_QUEUE;
	e->q[slot] = m;
	e->qtype[slot] = type;
	e->qlen++;
	n->c[NEIGH_C_queued]++;
}

static void solicit(struct ursa_lcore *lc, struct neigh_entry *e, bool unicast)
{
	struct ursa_neigh_ctx *n = lc->neigh;
	ursa_neigh_solicit_t fn = n->resolver[family_index(e->key.family)];
	struct ursa_ipaddr a;

	if (fn == NULL)
		return;
	key_addr(&e->key, &a);
	n->c[NEIGH_C_solicit]++;
	e->probes++;
	fn(lc, &lc->ifaces[e->key.iface], &a, unicast ? &e->mac : NULL);
}

/* RFC 4861 6.3.2: ReachableTime is uniformly random in [0.5, 1.5) x BaseReachableTime. */
static uint64_t reachable_ns(struct ursa_lcore *lc)
{
	return NEIGH_REACHABLE_NS / 2 + ursa_rng_below(&lc->rng, NEIGH_REACHABLE_NS);
}

static void set_reachable(struct ursa_lcore *lc, struct neigh_entry *e)
{
	e->state = URSA_NEIGH_REACHABLE;
	e->probes = 0;
	ursa_timer_arm_in(lc, &e->timer, reachable_ns(lc));
}

static void set_failed(struct ursa_lcore *lc, struct neigh_entry *e)
{
	e->state = URSA_NEIGH_FAILED;
	e->probes = 0;
	lc->neigh->c[NEIGH_C_failed]++;
	queue_drop(lc->neigh, e, NEIGH_C_drop_unresolved);
	ursa_timer_arm_in(lc, &e->timer, NEIGH_FAILED_GC_NS);
}

static void neigh_remove(struct ursa_lcore *lc, struct neigh_entry *e)
{
	struct ursa_neigh_ctx *n = lc->neigh;

	ursa_timer_cancel(lc, &e->timer);
	queue_drop(n, e, NEIGH_C_drop_unresolved);
	rte_hash_del_key(n->hash, &e->key);
	e->in_use = false;
	e->state = URSA_NEIGH_NONE;
	n->free_idx[n->nb_free++] = (uint32_t)(e - n->entries);
	n->c[NEIGH_C_removed]++;
}

static void neigh_timer(struct ursa_lcore *lc, struct ursa_timer *t, void *arg)
{
	struct neigh_entry *e = arg;

	(void)t;
	switch (e->state) {
	case URSA_NEIGH_INCOMPLETE:
		if (e->probes >= NEIGH_MAX_MCAST_SOLICIT) {
			set_failed(lc, e);
			break;
		}
		solicit(lc, e, false);
		ursa_timer_arm_in(lc, &e->timer, NEIGH_RETRANS_NS);
		break;
	case URSA_NEIGH_REACHABLE:
		e->state = URSA_NEIGH_STALE;
		break;
	case URSA_NEIGH_DELAY:
		e->state = URSA_NEIGH_PROBE;
		e->probes = 0;
		solicit(lc, e, true);
		ursa_timer_arm_in(lc, &e->timer, NEIGH_RETRANS_NS);
		break;
	case URSA_NEIGH_PROBE:
		if (e->probes >= NEIGH_MAX_UCAST_SOLICIT) {
			set_failed(lc, e);
			break;
		}
		solicit(lc, e, true);
		ursa_timer_arm_in(lc, &e->timer, NEIGH_RETRANS_NS);
		break;
	case URSA_NEIGH_FAILED:
		neigh_remove(lc, e);
		break;
	default:
		break;
	}
}

/* The least recently used entry that can go without losing anything: STALE or FAILED. */
static struct neigh_entry *evict_candidate(struct ursa_neigh_ctx *n)
{
	struct neigh_entry *best = NULL;

	for (uint32_t i = 0; i < NEIGH_MAX_ENTRIES; i++) {
		struct neigh_entry *e = &n->entries[i];

		if (!e->in_use || (e->state != URSA_NEIGH_STALE && e->state != URSA_NEIGH_FAILED))
			continue;
		if (best == NULL || e->used < best->used)
			best = e;
	}
	return best;
}

static struct neigh_entry *neigh_create(struct ursa_lcore *lc, const struct neigh_key *k)
{
	struct ursa_neigh_ctx *n = lc->neigh;
	struct neigh_entry *e;
	uint32_t idx;

	if (n->nb_free == 0) {
		e = evict_candidate(n);
		if (e == NULL) {
			n->c[NEIGH_C_drop_table_full]++;
			return NULL;
		}
		neigh_remove(lc, e);
		n->c[NEIGH_C_evicted]++;
	}
	idx = n->free_idx[--n->nb_free];
	e = &n->entries[idx];
	memset(e, 0, sizeof(*e));
	e->key = *k;
	e->used = ursa_now(lc);
	ursa_timer_init(&e->timer, neigh_timer, e);
	if (rte_hash_add_key_data(n->hash, k, e) < 0) {
		n->free_idx[n->nb_free++] = idx;
		n->c[NEIGH_C_drop_hash]++;
		return NULL;
	}
	e->in_use = true;
	n->c[NEIGH_C_created]++;
	return e;
}

int ursa_neigh_set_resolver(struct ursa_lcore *lc, int family, ursa_neigh_solicit_t fn)
{
	int fi = family_index(family);

	if (lc->neigh == NULL || fi < 0)
		return -EINVAL;
	lc->neigh->resolver[fi] = fn;
	return 0;
}

int ursa_neigh_output(struct ursa_lcore *lc, const struct ursa_iface *ifc,
		      const struct ursa_ipaddr *next_hop, struct rte_mbuf *m, uint16_t ethertype)
{
	struct ursa_neigh_ctx *n = lc->neigh;
	int fi = family_index(next_hop->family);
	struct neigh_entry *e;
	struct neigh_key k;

	if (fi < 0 || n->resolver[fi] == NULL) {
		n->c[NEIGH_C_drop_no_resolver]++;
		rte_pktmbuf_free(m);
		return -EAFNOSUPPORT;
	}
	key_make(&k, ifc, next_hop);
	e = neigh_find(n, &k);
	if (e == NULL) {
		e = neigh_create(lc, &k);
		if (e == NULL) {
			rte_pktmbuf_free(m);
			return -ENOSPC;
		}
		e->state = URSA_NEIGH_NONE;
	}
	e->used = ursa_now(lc);
	switch (e->state) {
	case URSA_NEIGH_STALE:
		e->state = URSA_NEIGH_DELAY;
		e->probes = 0;
		ursa_timer_arm_in(lc, &e->timer, NEIGH_DELAY_NS);
		/* fall through */
	case URSA_NEIGH_REACHABLE:
	case URSA_NEIGH_DELAY:
	case URSA_NEIGH_PROBE:
	case URSA_NEIGH_STATIC:
		n->c[NEIGH_C_sent]++;
		return ursa_eth_output(lc, ifc, m, &e->mac, ethertype);
	case URSA_NEIGH_INCOMPLETE:
		queue_add(n, e, m, ethertype);
		return 0;
	default: /* new, or FAILED: (re)start resolution */
		e->state = URSA_NEIGH_INCOMPLETE;
		e->probes = 0;
		queue_add(n, e, m, ethertype);
		ursa_timer_arm_in(lc, &e->timer, NEIGH_RETRANS_NS);
		solicit(lc, e, false);
		return 0;
	}
}

void ursa_neigh_update(struct ursa_lcore *lc, const struct ursa_iface *ifc,
		       const struct ursa_ipaddr *addr, const struct rte_ether_addr *mac,
		       bool confirmed, bool create)
{
	struct ursa_neigh_ctx *n = lc->neigh;
	struct neigh_entry *e;
	struct neigh_key k;

	if (family_index(addr->family) < 0)
		return;
	key_make(&k, ifc, addr);
	e = neigh_find(n, &k);
	if (e == NULL) {
		if (!create)
			return;
		e = neigh_create(lc, &k);
		if (e == NULL)
			return;
		e->mac = *mac;
		if (confirmed) {
			n->c[NEIGH_C_confirmed]++;
			set_reachable(lc, e);
		} else {
			e->state = URSA_NEIGH_STALE;
		}
		return;
	}
	if (e->state == URSA_NEIGH_STATIC)
		return;
	if (confirmed) {
		e->mac = *mac;
		n->c[NEIGH_C_confirmed]++;
		set_reachable(lc, e);
		queue_flush(lc, e);
		return;
	}
	/* Unconfirmed news: a new MAC makes the entry STALE (to be verified on use); the same
	 * MAC changes nothing. An entry without a usable MAC takes it and sends its queue. */
	if (e->state == URSA_NEIGH_INCOMPLETE || e->state == URSA_NEIGH_FAILED ||
	    !rte_is_same_ether_addr(&e->mac, mac)) {
		e->mac = *mac;
		e->state = URSA_NEIGH_STALE;
		e->probes = 0;
		ursa_timer_cancel(lc, &e->timer);
		queue_flush(lc, e);
	}
}

void ursa_neigh_confirm(struct ursa_lcore *lc, const struct ursa_iface *ifc,
			const struct ursa_ipaddr *addr)
{
	struct neigh_entry *e;
	struct neigh_key k;

	if (family_index(addr->family) < 0)
		return;
	key_make(&k, ifc, addr);
	e = neigh_find(lc->neigh, &k);
	if (e == NULL)
		return;
	switch (e->state) {
	case URSA_NEIGH_REACHABLE:
	case URSA_NEIGH_STALE:
	case URSA_NEIGH_DELAY:
	case URSA_NEIGH_PROBE:
		lc->neigh->c[NEIGH_C_confirmed]++;
		set_reachable(lc, e);
		break;
	default:
		break;
	}
}

int ursa_neigh_add_static(struct ursa_lcore *lc, const struct ursa_iface *ifc,
			  const struct ursa_ipaddr *addr, const struct rte_ether_addr *mac)
{
	struct ursa_neigh_ctx *n = lc->neigh;
	struct neigh_entry *e;
	struct neigh_key k;

	if (family_index(addr->family) < 0 || rte_is_multicast_ether_addr(mac) ||
	    rte_is_zero_ether_addr(mac))
		return -EINVAL;
	key_make(&k, ifc, addr);
	e = neigh_find(n, &k);
	if (e == NULL && (e = neigh_create(lc, &k)) == NULL)
		return -ENOSPC;
	ursa_timer_cancel(lc, &e->timer);
	e->mac = *mac;
	e->state = URSA_NEIGH_STATIC;
	queue_flush(lc, e);
	return 0;
}

static bool state_has_mac(uint8_t st)
{
	return st != URSA_NEIGH_NONE && st != URSA_NEIGH_INCOMPLETE && st != URSA_NEIGH_FAILED;
}

enum ursa_neigh_state ursa_neigh_lookup(struct ursa_lcore *lc, const struct ursa_iface *ifc,
					const struct ursa_ipaddr *addr, struct rte_ether_addr *mac)
{
	struct neigh_entry *e;
	struct neigh_key k;

	if (lc->neigh == NULL || family_index(addr->family) < 0)
		return URSA_NEIGH_NONE;
	key_make(&k, ifc, addr);
	e = neigh_find(lc->neigh, &k);
	if (e == NULL)
		return URSA_NEIGH_NONE;
	if (mac != NULL && state_has_mac(e->state))
		*mac = e->mac;
	return (enum ursa_neigh_state)e->state;
}

void ursa_neigh_walk(struct ursa_lcore *lc, ursa_neigh_walk_t fn, void *arg)
{
	struct ursa_neigh_ctx *n = lc->neigh;

	if (n == NULL)
		return;
	for (uint32_t i = 0; i < NEIGH_MAX_ENTRIES; i++) {
		const struct neigh_entry *e = &n->entries[i];
		struct ursa_ipaddr a;

		if (!e->in_use)
			continue;
		key_addr(&e->key, &a);
		fn(&lc->ifaces[e->key.iface], &a, state_has_mac(e->state) ? &e->mac : NULL,
		   (enum ursa_neigh_state)e->state, arg);
	}
}

static void neigh_fini(struct ursa_lcore *lc)
{
	struct ursa_neigh_ctx *n = lc->neigh;

	if (n == NULL)
		return;
	for (uint32_t i = 0; n->entries && i < NEIGH_MAX_ENTRIES; i++) {
		if (!n->entries[i].in_use)
			continue;
		ursa_timer_cancel(lc, &n->entries[i].timer);
		queue_drop(n, &n->entries[i], NEIGH_C_drop_unresolved);
	}
	rte_hash_free(n->hash);
	free(n->free_idx);
	free(n->entries);
	free(n);
	lc->neigh = NULL;
}

int neigh_init(struct ursa_lcore *lc)
{
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters hp = {
		.name = name,
		/* twice the entries so bucket collisions do not refuse keys before our cap */
		.entries = NEIGH_MAX_ENTRIES * 2,
		.key_len = sizeof(struct neigh_key),
		.hash_func = rte_jhash,
		.socket_id = (int)rte_socket_id(),
	};
	struct ursa_neigh_ctx *n;
	int rc;

	if (lc->neigh != NULL)
		return -EEXIST;
	/* Hash names are process-wide in DPDK: the context's address makes it unique. */
	n = calloc(1, sizeof(*n));
	if (n == NULL)
		return -ENOMEM;
	snprintf(name, sizeof(name), "nb%" PRIxPTR, (uintptr_t)n);
	n->entries = calloc(NEIGH_MAX_ENTRIES, sizeof(*n->entries));
	n->free_idx = calloc(NEIGH_MAX_ENTRIES, sizeof(*n->free_idx));
	n->hash = rte_hash_create(&hp);
	if (n->entries == NULL || n->free_idx == NULL || n->hash == NULL) {
		rc = -ENOMEM;
		goto err_free;
	}
	for (uint32_t i = 0; i < NEIGH_MAX_ENTRIES; i++)
		n->free_idx[i] = NEIGH_MAX_ENTRIES - 1 - i;
	n->nb_free = NEIGH_MAX_ENTRIES;
	rc = ursa_lcore_add_fini_hook(lc, neigh_fini);
	if (rc)
		goto err_free;
	lc->neigh = n;
	/* From here the fini hook frees n. */
	rc = ursa_stats_register(lc, "neigh", neigh_counter_names, n->c, NEIGH_C_MAX);
	if (rc == 0)
		rc = ursa_stats_register(lc, "arp", arp_counter_names, n->arp_c, ARP_C_MAX);
	return rc;

err_free:
	rte_hash_free(n->hash);
	free(n->free_idx);
	free(n->entries);
	free(n);
	return rc;
}
