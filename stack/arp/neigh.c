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
 * INCOMPLETE wait in a per-entry queue bounded in bytes (NEIGH_UNRES_QLEN_BYTES, oldest
 * dropped first, as Linux's unres_qlen_bytes) and leave in order when the address
 * resolves; they are dropped and counted when it fails. Every queued packet is also charged
 * to its interface's byte quota and to the lcore's pool share (ursa_quota.h), so unresolved
 * neighbours can never hold the receive refill's buffers.
 *
 * Entries are preallocated and each interface holds at most its quota of them. Each
 * interface keeps its entries on eviction lists by state, least recently used first:
 * INCOMPLETE/FAILED, then STALE, then the ones in use. A new entry over the interface's
 * quota evicts the head of its own first non-empty evictable list; when the whole table is
 * full, the interface holding most entries gives one up. No scan of the table per entry.
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
#include "ursa_stack.h"

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

/* ---- eviction lists ---- */

static enum neigh_lru lru_of(uint8_t st)
{
	switch (st) {
	case URSA_NEIGH_NONE:
	case URSA_NEIGH_INCOMPLETE:
	case URSA_NEIGH_FAILED:
		return NEIGH_LRU_UNRES;
	case URSA_NEIGH_STALE:
		return NEIGH_LRU_STALE;
	case URSA_NEIGH_STATIC:
		return NEIGH_LRU_NONE;
	default:
		return NEIGH_LRU_KEEP;
	}
}

static void lru_unlink(struct ursa_neigh_ctx *n, struct neigh_entry *e)
{
	if (e->lru != NEIGH_LRU_NONE)
		TAILQ_REMOVE(&n->lru[e->key.iface][e->lru], e, lru_link);
	e->lru = NEIGH_LRU_NONE;
}

/* Move e to the tail (most recently used end) of the list its state belongs on. */
static void lru_touch(struct ursa_neigh_ctx *n, struct neigh_entry *e)
{
	enum neigh_lru l = lru_of(e->state);

	lru_unlink(n, e);
	if (l != NEIGH_LRU_NONE)
		TAILQ_INSERT_TAIL(&n->lru[e->key.iface][l], e, lru_link);
	e->lru = (uint8_t)l;
}

static void set_state(struct ursa_neigh_ctx *n, struct neigh_entry *e, uint8_t st)
{
	e->state = st;
	if (lru_of(st) != e->lru)
		lru_touch(n, e);
}

/* ---- pending queue ---- */

/* What a queued packet costs: its buffers, headers and all (Linux counts the skb's
 * truesize), so small packets cannot hold many mbufs for few bytes. */
static uint32_t pkt_charge(const struct rte_mbuf *m)
{
	uint32_t c = 0;

	for (; m != NULL; m = m->next)
		c += (uint32_t)m->buf_len + (uint32_t)sizeof(*m);
	return c;
}

/* Unlink the oldest queued packet and give back what it was charged. */
static struct rte_mbuf *queue_pop(struct ursa_lcore *lc, struct neigh_entry *e, uint16_t *type)
{
	struct ursa_neigh_ctx *n = lc->neigh;
	struct neigh_qnode *q = &n->qnodes[e->qhead];
	struct rte_mbuf *m = q->m;
	uint32_t idx = e->qhead;

	e->qhead = q->next;
	if (e->qhead == NEIGH_QNIL)
		e->qtail = NEIGH_QNIL;
	e->qlen--;
	e->qbytes -= q->charge;
	ursa_quota_give(lc, e->key.iface, URSA_RES_neigh_bytes, q->charge);
	ursa_hold_give(lc, URSA_HOLD_neigh, m->nb_segs);
	if (type != NULL)
		*type = q->type;
	q->m = NULL;
	q->next = n->qfree;
	n->qfree = idx;
	return m;
}

static void queue_drop(struct ursa_lcore *lc, struct neigh_entry *e, enum neigh_counter c)
{
	while (e->qlen) {
		rte_pktmbuf_free(queue_pop(lc, e, NULL));
		lc->neigh->c[c]++;
	}
}

/* Send the queued packets, oldest first, to the entry's MAC. */
static void queue_flush(struct ursa_lcore *lc, struct neigh_entry *e)
{
	const struct ursa_iface *ifc = &lc->ifaces[e->key.iface];

	while (e->qlen) {
		uint16_t type;
		struct rte_mbuf *m = queue_pop(lc, e, &type);

		lc->neigh->c[NEIGH_C_sent]++;
		ursa_eth_output(lc, ifc, m, &e->mac, type);
	}
}

/* Queue m behind the entry's other packets. Over the entry's byte limit the oldest give
 * way (as Linux); over the interface's byte quota or the lcore's pool share m is dropped.
 * Returns 0 when queued. */
static int queue_add(struct ursa_lcore *lc, struct neigh_entry *e, struct rte_mbuf *m,
		     uint16_t type)
{
	struct ursa_neigh_ctx *n = lc->neigh;
	uint32_t charge = pkt_charge(m), idx;
	enum neigh_counter why;

	if (charge > NEIGH_UNRES_QLEN_BYTES) {
		why = NEIGH_C_drop_queue_full;
		goto drop;
	}
	while (e->qlen && e->qbytes + charge > NEIGH_UNRES_QLEN_BYTES) {
		rte_pktmbuf_free(queue_pop(lc, e, NULL));
		n->c[NEIGH_C_drop_queue_full]++;
	}
	if (ursa_quota_take(lc, e->key.iface, URSA_RES_neigh_bytes, charge) != 0) {
		why = NEIGH_C_drop_queue_quota;
		goto drop;
	}
	if (n->qfree == NEIGH_QNIL || !ursa_hold_take(lc, URSA_HOLD_neigh, m->nb_segs)) {
		ursa_quota_give(lc, e->key.iface, URSA_RES_neigh_bytes, charge);
		why = NEIGH_C_drop_pool_share;
		goto drop;
	}
	idx = n->qfree;
	n->qfree = n->qnodes[idx].next;
	n->qnodes[idx] =
		(struct neigh_qnode){.m = m, .next = NEIGH_QNIL, .charge = charge, .type = type};
	if (e->qtail == NEIGH_QNIL)
		e->qhead = idx;
	else
		n->qnodes[e->qtail].next = idx;
	e->qtail = idx;
	e->qlen++;
	e->qbytes += charge;
	n->c[NEIGH_C_queued]++;
	return 0;

drop:
	n->c[why]++;
	rte_pktmbuf_free(m);
	return -ENOBUFS;
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
	set_state(lc->neigh, e, URSA_NEIGH_REACHABLE);
	e->probes = 0;
	ursa_timer_arm_in(lc, &e->timer, reachable_ns(lc));
}

static void set_failed(struct ursa_lcore *lc, struct neigh_entry *e)
{
	set_state(lc->neigh, e, URSA_NEIGH_FAILED);
	e->probes = 0;
	lc->neigh->c[NEIGH_C_failed]++;
	queue_drop(lc, e, NEIGH_C_drop_unresolved);
	ursa_timer_arm_in(lc, &e->timer, NEIGH_FAILED_GC_NS);
}

/* Free the entry; its queued packets (if any) are dropped and counted as why. */
static void neigh_remove(struct ursa_lcore *lc, struct neigh_entry *e, enum neigh_counter why)
{
	struct ursa_neigh_ctx *n = lc->neigh;

	ursa_timer_cancel(lc, &e->timer);
	queue_drop(lc, e, why);
	lru_unlink(n, e);
	rte_hash_del_key(n->hash, &e->key);
	e->in_use = false;
	e->state = URSA_NEIGH_NONE;
	n->nb_entries[e->key.iface]--;
	ursa_quota_give(lc, e->key.iface, URSA_RES_neigh, 1);
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
		set_state(lc->neigh, e, URSA_NEIGH_STALE);
		break;
	case URSA_NEIGH_DELAY:
		set_state(lc->neigh, e, URSA_NEIGH_PROBE);
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
		neigh_remove(lc, e, NEIGH_C_drop_unresolved);
		break;
	default:
		break;
	}
}

/* Evict the least recently used entry of iface that can go: INCOMPLETE or FAILED first,
 * then STALE. Returns false when the interface has none. */
static bool evict_one(struct ursa_lcore *lc, uint16_t iface)
{
	struct ursa_neigh_ctx *n = lc->neigh;

	for (unsigned l = NEIGH_LRU_UNRES; l <= NEIGH_LRU_STALE; l++) {
		struct neigh_entry *e = TAILQ_FIRST(&n->lru[iface][l]);

		if (e != NULL) {
			neigh_remove(lc, e, NEIGH_C_drop_evicted);
			n->c[NEIGH_C_evicted]++;
			return true;
		}
	}
	return false;
}

/* The table is full: the interface holding most entries that can give one up does. */
static bool evict_biggest(struct ursa_lcore *lc)
{
	struct ursa_neigh_ctx *n = lc->neigh;
	int best = -1;

	for (uint16_t i = 0; i < lc->nb_ifaces; i++) {
		if (TAILQ_EMPTY(&n->lru[i][NEIGH_LRU_UNRES]) &&
		    TAILQ_EMPTY(&n->lru[i][NEIGH_LRU_STALE]))
			continue;
		if (best < 0 || n->nb_entries[i] > n->nb_entries[best])
			best = i;
	}
	return best >= 0 && evict_one(lc, (uint16_t)best);
}

/* Room for one more entry of iface: within its (and its tenant's) quota, evicting one of
 * its own entries if needed, then in the table. Returns 0 with the quota taken. */
static int make_room(struct ursa_lcore *lc, uint16_t iface)
{
	struct ursa_neigh_ctx *n = lc->neigh;

	if (ursa_quota_take(lc, iface, URSA_RES_neigh, 1) != 0) {
		if (!evict_one(lc, iface) || ursa_quota_take(lc, iface, URSA_RES_neigh, 1) != 0) {
			n->c[NEIGH_C_drop_quota]++;
			return -EDQUOT;
		}
	}
	if (n->nb_free == 0 && !evict_biggest(lc)) {
		ursa_quota_give(lc, iface, URSA_RES_neigh, 1);
		n->c[NEIGH_C_drop_table_full]++;
		return -ENOSPC;
	}
	return 0;
}

static struct neigh_entry *neigh_create(struct ursa_lcore *lc, const struct neigh_key *k)
{
	struct ursa_neigh_ctx *n = lc->neigh;
	struct neigh_entry *e;
	uint32_t idx;

	if (make_room(lc, k->iface) != 0)
		return NULL;
	idx = n->free_idx[--n->nb_free];
	e = &n->entries[idx];
	memset(e, 0, sizeof(*e));
	e->key = *k;
	e->used = ursa_now(lc);
	e->lru = NEIGH_LRU_NONE;
	e->qhead = e->qtail = NEIGH_QNIL;
	ursa_timer_init(&e->timer, neigh_timer, e);
	if (rte_hash_add_key_data(n->hash, k, e) < 0) {
		n->free_idx[n->nb_free++] = idx;
		ursa_quota_give(lc, k->iface, URSA_RES_neigh, 1);
		n->c[NEIGH_C_drop_hash]++;
		return NULL;
	}
	e->in_use = true;
	n->nb_entries[k->iface]++;
	lru_touch(n, e); /* NONE: on the unresolved list until its state is set */
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
	int rc;

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
	}
	e->used = ursa_now(lc);
	if (e->lru != NEIGH_LRU_NONE)
		lru_touch(n, e);
	switch (e->state) {
	case URSA_NEIGH_STALE:
		set_state(n, e, URSA_NEIGH_DELAY);
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
		return queue_add(lc, e, m, ethertype);
	default: /* new, or FAILED: (re)start resolution */
		set_state(n, e, URSA_NEIGH_INCOMPLETE);
		e->probes = 0;
		rc = queue_add(lc, e, m, ethertype);
		ursa_timer_arm_in(lc, &e->timer, NEIGH_RETRANS_NS);
		solicit(lc, e, false);
		return rc;
	}
}

/* Learn or confirm on this shard only. Returns true when this shard's cache changed in a way
 * the other shards should hear of: an entry created, a MAC changed, or a confirmation. */
static bool neigh_learn(struct ursa_lcore *lc, const struct ursa_iface *ifc,
			const struct ursa_ipaddr *addr, const struct rte_ether_addr *mac,
			bool confirmed, bool create)
{
	struct ursa_neigh_ctx *n = lc->neigh;
	struct neigh_entry *e;
	struct neigh_key k;

	key_make(&k, ifc, addr);
	e = neigh_find(n, &k);
	if (e == NULL) {
		if (!create)
			return false;
		e = neigh_create(lc, &k);
		if (e == NULL)
			return false;
		e->mac = *mac;
		if (confirmed) {
			n->c[NEIGH_C_confirmed]++;
			set_reachable(lc, e);
		} else {
			set_state(n, e, URSA_NEIGH_STALE);
		}
		return true;
	}
	if (e->state == URSA_NEIGH_STATIC)
		return false;
	if (confirmed) {
		e->mac = *mac;
		n->c[NEIGH_C_confirmed]++;
		set_reachable(lc, e);
		queue_flush(lc, e);
		return true;
	}
	/* Unconfirmed news: a new MAC makes the entry STALE (to be verified on use); the same
	 * MAC changes nothing. An entry without a usable MAC takes it and sends its queue. */
	if (e->state == URSA_NEIGH_INCOMPLETE || e->state == URSA_NEIGH_FAILED ||
	    !rte_is_same_ether_addr(&e->mac, mac)) {
		e->mac = *mac;
		set_state(n, e, URSA_NEIGH_STALE);
		e->probes = 0;
		ursa_timer_cancel(lc, &e->timer);
		queue_flush(lc, e);
		return true;
	}
	return false;
}

/* ---- sharing with the other shards of a stack (ursa_stack.h) ----
 * A solicitation goes out from the shard that needs the neighbour, but the answer lands on
 * whichever queue the NIC (or af_packet's fanout) hashes it to. So every shard tells the
 * others what it learns, through their command rings, and they apply it at their next poll
 * as if the frame had reached them: an INCOMPLETE entry there resolves and sends its held
 * packets. A confirmation is shared even when this shard holds no entry (it may answer
 * another shard's solicitation); news that changed nothing here is not. Shared news is
 * applied without being shared again, but for the one relay in neigh_share_apply. */
struct neigh_share {
	uint16_t iface;
	bool confirmed, create;
	struct ursa_ipaddr addr;
	struct rte_ether_addr mac;
};

static void neigh_share(struct ursa_lcore *lc, const struct ursa_iface *ifc,
			const struct ursa_ipaddr *addr, const struct rte_ether_addr *mac,
			bool confirmed, bool create);

static int neigh_share_apply(struct ursa_lcore *lc, const void *arg)
{
	const struct neigh_share *s = arg;
	const struct ursa_iface *ifc = ursa_iface_get(lc, s->iface);

	if (lc->neigh == NULL || ifc == NULL)
		return -ENODEV;
	lc->neigh->c[NEIGH_C_shared_in]++;
	/* An answer that resolved what this shard was soliciting is now known good: pass it on
	 * (create set, so it goes no further) to the shards that had no entry, the one it
	 * landed on included. An unsolicited answer creates nothing anywhere. */
	if (neigh_learn(lc, ifc, &s->addr, &s->mac, s->confirmed, s->create) && s->confirmed &&
	    !s->create)
		neigh_share(lc, ifc, &s->addr, &s->mac, true, true);
	return 0;
}

/* What a shard learns from frames costs one post on each other shard's ring: a forged flood
 * of ARP or ND (a new MAC per frame) must not cost N-1 posts per frame. A shard posts at
 * most NEIGH_SHARE_BURST at once and NEIGH_SHARE_RATE per second after that (GCRA on the
 * shard's clock); the rest is counted (drop_share_rate) and the other shards learn that
 * neighbour by their own solicitation when they need it. */
static bool share_allowed(struct ursa_lcore *lc)
{
	const uint64_t gap = URSA_NS_PER_S / NEIGH_SHARE_RATE;
	struct ursa_neigh_ctx *n = lc->neigh;
	uint64_t now = ursa_now(lc);

	if (n->share_tat > now + (NEIGH_SHARE_BURST - 1) * gap) {
		n->c[NEIGH_C_drop_share_rate]++;
		return false;
	}
	n->share_tat = (n->share_tat > now ? n->share_tat : now) + gap;
	return true;
}

static void neigh_share(struct ursa_lcore *lc, const struct ursa_iface *ifc,
			const struct ursa_ipaddr *addr, const struct rte_ether_addr *mac,
			bool confirmed, bool create)
{
	struct neigh_share s = {.iface = ifc->index,
				.confirmed = confirmed,
				.create = create,
				.addr = *addr,
				.mac = *mac};

	if (ursa_stack_exec_others(lc, neigh_share_apply, &s, sizeof(s)) == 0)
		lc->neigh->c[NEIGH_C_shared_out]++;
	else
		lc->neigh->c[NEIGH_C_drop_share_ring_full]++;
}

void ursa_neigh_update(struct ursa_lcore *lc, const struct ursa_iface *ifc,
		       const struct ursa_ipaddr *addr, const struct rte_ether_addr *mac,
		       bool confirmed, bool create)
{
	bool news;

	if (family_index(addr->family) < 0)
		return;
	news = neigh_learn(lc, ifc, addr, mac, confirmed, create);
	if (lc->nb_shards > 1 && (news || confirmed) && share_allowed(lc))
		neigh_share(lc, ifc, addr, mac, confirmed, create);
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
	set_state(n, e, URSA_NEIGH_STATIC);
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
		queue_drop(lc, &n->entries[i], NEIGH_C_drop_unresolved);
	}
	rte_hash_free(n->hash);
	free(n->qnodes);
	free(n->free_idx);
	free(n->entries);
	free(n);
	lc->neigh = NULL;
}

/* The table's hash seed: secret, so that spoofed sources cannot be chosen to collide in
 * one bucket and refuse other interfaces' neighbours (Linux seeds its neighbour hash the
 * same way). */
static uint32_t neigh_hash_seed(struct ursa_lcore *lc)
{
	return ursa_secret_u32(&lc->secret);
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
		.hash_func_init_val = neigh_hash_seed(lc),
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
	/* A queue node for every mbuf of the pool: the pool share is the real bound. */
	n->nb_qnodes = lc->pool->size;
	n->qnodes = calloc(n->nb_qnodes, sizeof(*n->qnodes));
	if (n->entries == NULL || n->free_idx == NULL || n->hash == NULL || n->qnodes == NULL) {
		rc = -ENOMEM;
		goto err_free;
	}
	for (uint32_t i = 0; i < NEIGH_MAX_ENTRIES; i++)
		n->free_idx[i] = NEIGH_MAX_ENTRIES - 1 - i;
	n->nb_free = NEIGH_MAX_ENTRIES;
	for (uint32_t i = 0; i < n->nb_qnodes; i++)
		n->qnodes[i].next = i + 1 < n->nb_qnodes ? i + 1 : NEIGH_QNIL;
	n->qfree = n->nb_qnodes ? 0 : NEIGH_QNIL;
	for (unsigned i = 0; i < URSA_MAX_IFACES; i++)
		for (unsigned l = 0; l < NEIGH_LRU_MAX; l++)
			TAILQ_INIT(&n->lru[i][l]);
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
	free(n->qnodes);
	free(n->free_idx);
	free(n->entries);
	free(n);
	return rc;
}
