/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * struct ursa_stack: the shards, the ports they share, the authoritative configuration, and
 * the command rings that carry changes to the shards while they run.
 *
 * Posting (any thread, under st->lock): check that every target ring has room, give the
 * command the next sequence number, enqueue one reference to it per target, record that
 * number as the target's last queued, and wake the target if it naps in ursa_lcore_wait.
 * Applying (the shard's own poll, stack_cmd_drain): dequeue, run, record the number as
 * applied (and the error, if any), drop the reference; the last shard to drop it frees it.
 * Because every producer holds the lock while it enqueues, the sequence numbers on each ring
 * rise, and "applied >= n" means everything up to n has been applied there.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_ethdev.h>
#include <rte_ring.h>
#include <rte_spinlock.h>

#include "core_priv.h"
#include "ursa_stack.h"
#include "ursa_wait.h"

#define STACK_RING_DEFAULT 1024
#define STACK_DRAIN_BURST  32

#define STACK_COUNTERS(X)                                                                          \
	X(cmd_applied)                                                                             \
	X(cmd_failed)                                                                              \
	X(cmd_ring_full)

#define STACK_C_ENUM(n) STACK_C_##n,
enum stack_counter { STACK_COUNTERS(STACK_C_ENUM) STACK_C_MAX };
static const char *const stack_counter_names[] = {STACK_COUNTERS(URSA_COUNTER_NAME)};
static_assert(RTE_DIM(stack_counter_names) == STACK_C_MAX, "one name per counter");

struct stack_cmd {
	ursa_stack_cmd_fn_t fn;
	uint32_t refs; /* shards yet to apply it (atomic) */
	uint64_t seq;
	size_t len;
	alignas(max_align_t) unsigned char arg[];
};

struct stack_shard {
	struct ursa_lcore *lc;
	struct rte_ring *ring;
	uint64_t queued;  /* seq of the last command enqueued (producers, under the lock) */
	uint64_t applied; /* seq of the last command applied (the shard; atomic) */
	uint64_t err_seq; /* seq of the last command whose apply failed, and its error */
	int err;
	/* cmd_applied and cmd_failed are the shard's; cmd_ring_full is added atomically by
	 * whoever found the ring full. */
	uint64_t c[STACK_C_MAX];
	char pool_name[RTE_MEMPOOL_NAMESIZE];
};

struct stack_port {
	bool ethdev;
	uint16_t pid;
};

struct stack_iface {
	struct ursa_iface ifc; /* index, port, vlan, tenant, mac, mtu, addresses */
	struct ursa_iface_conf conf;
};

struct stack_setting {
	char name[URSA_STACK_NAME_LEN];
	size_t len;
	void *value;
};

struct stack_provider {
	char name[URSA_STACK_NAME_LEN];
	const void *ops;
};

struct ursa_stack {
	uint16_t nb_shards;
	rte_spinlock_t lock; /* producers and the authoritative copies below */
	uint64_t seq;
	struct stack_shard shards[URSA_MAX_SHARDS];
	uint16_t nb_ports;
	struct stack_port ports[URSA_MAX_PORTS];
	uint16_t nb_ifaces;
	struct stack_iface ifaces[URSA_MAX_IFACES];
	unsigned nb_settings;
	struct stack_setting settings[URSA_STACK_MAX_SETTINGS];
	unsigned nb_providers;
	struct stack_provider providers[URSA_STACK_MAX_PROVIDERS];
};

/* ---- commands ------------------------------------------------------------------------- */

static void cmd_put(struct stack_cmd *c)
{
	if (__atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL) == 0)
		free(c);
}

/* Post fn(arg) to every shard but skip (UINT16_MAX: none). Caller holds st->lock. */
static int post_locked(struct ursa_stack *st, uint16_t skip, ursa_stack_cmd_fn_t fn,
		       const void *arg, size_t len, uint64_t *ticket)
{
	uint16_t targets = (uint16_t)(st->nb_shards - (skip < st->nb_shards ? 1 : 0));
	struct stack_cmd *c;
	bool full = false;

	if (targets == 0)
		return 0;
	/* Only producers fill a ring and they hold the lock: room seen now stays. */
	for (uint16_t i = 0; i < st->nb_shards; i++) {
		if (i != skip && rte_ring_free_count(st->shards[i].ring) == 0) {
			__atomic_fetch_add(&st->shards[i].c[STACK_C_cmd_ring_full], 1,
					   __ATOMIC_RELAXED);
			full = true;
		}
	}
	if (full)
		return -ENOBUFS;
	c = malloc(sizeof(*c) + len);
	if (c == NULL)
		return -ENOMEM;
	c->fn = fn;
	c->refs = targets;
	c->seq = ++st->seq;
	c->len = len;
	if (len)
		memcpy(c->arg, arg, len);
	for (uint16_t i = 0; i < st->nb_shards; i++) {
		if (i == skip)
			continue;
		__atomic_store_n(&st->shards[i].queued, c->seq, __ATOMIC_RELEASE);
		rte_ring_mp_enqueue(st->shards[i].ring, c);
		/* A shard napping in ursa_lcore_wait applies it now, not at its next wake-up. */
		ursa_lcore_wake(st->shards[i].lc);
	}
	if (ticket)
		*ticket = c->seq;
	return 0;
}

int ursa_stack_exec(struct ursa_stack *st, ursa_stack_cmd_fn_t fn, const void *arg, size_t len,
		    uint64_t *ticket)
{
	int rc;

	if (fn == NULL || (len && arg == NULL))
		return -EINVAL;
	rte_spinlock_lock(&st->lock);
	rc = post_locked(st, UINT16_MAX, fn, arg, len, ticket);
	rte_spinlock_unlock(&st->lock);
	return rc;
}

int ursa_stack_exec_others(struct ursa_lcore *lc, ursa_stack_cmd_fn_t fn, const void *arg,
			   size_t len)
{
	struct ursa_stack *st = lc->stack;
	int rc;

	if (st == NULL || st->nb_shards < 2)
		return 0;
	rte_spinlock_lock(&st->lock);
	rc = post_locked(st, lc->shard, fn, arg, len, NULL);
	rte_spinlock_unlock(&st->lock);
	return rc;
}

unsigned stack_cmd_drain(struct ursa_lcore *lc)
{
	struct stack_shard *sh = &lc->stack->shards[lc->shard];
	void *v[STACK_DRAIN_BURST];
	unsigned n = rte_ring_sc_dequeue_burst(sh->ring, v, STACK_DRAIN_BURST, NULL);

	for (unsigned i = 0; i < n; i++) {
		struct stack_cmd *c = v[i];
		int rc = c->fn(lc, c->arg);

		if (rc != 0) {
			sh->c[STACK_C_cmd_failed]++;
			sh->err = rc;
			__atomic_store_n(&sh->err_seq, c->seq, __ATOMIC_RELEASE);
			URSA_LOG(lc, WARNING, "stack", "shard %u: command %" PRIu64 " failed: %d",
				 lc->shard, c->seq, rc);
		} else {
			sh->c[STACK_C_cmd_applied]++;
		}
		__atomic_store_n(&sh->applied, c->seq, __ATOMIC_RELEASE);
		cmd_put(c);
	}
	return n;
}

bool stack_cmd_pending(const struct ursa_lcore *lc)
{
	return !rte_ring_empty(lc->stack->shards[lc->shard].ring);
}

bool ursa_stack_applied(const struct ursa_stack *st, uint64_t ticket)
{
	for (uint16_t i = 0; i < st->nb_shards; i++) {
		const struct stack_shard *sh = &st->shards[i];
		uint64_t q = __atomic_load_n(&sh->queued, __ATOMIC_ACQUIRE);
		uint64_t need = q < ticket ? q : ticket;

		if (__atomic_load_n(&sh->applied, __ATOMIC_ACQUIRE) < need)
			return false;
	}
	return true;
}

int ursa_stack_result(const struct ursa_stack *st, uint64_t ticket)
{
	for (uint16_t i = 0; i < st->nb_shards; i++)
		if (__atomic_load_n(&st->shards[i].err_seq, __ATOMIC_ACQUIRE) == ticket)
			return st->shards[i].err;
	return 0;
}

int ursa_stack_wait(const struct ursa_stack *st, uint64_t ticket, uint64_t timeout_ns)
{
	const uint64_t step_ns = 50 * 1000;

	for (uint64_t waited = 0; !ursa_stack_applied(st, ticket); waited += step_ns) {
		if (waited >= timeout_ns)
			return -ETIMEDOUT;
		usleep((useconds_t)(step_ns / 1000));
	}
	return ursa_stack_result(st, ticket);
}

/* ---- shards --------------------------------------------------------------------------- */

static int shard_create(struct ursa_stack *st, uint16_t i, const struct ursa_stack_conf *conf,
			unsigned ring_size)
{
	struct stack_shard *sh = &st->shards[i];
	struct ursa_lcore_conf lconf = conf->shard[i];
	char rname[RTE_RING_NAMESIZE];
	int rc;

	/* Pool and ring names are process-wide in DPDK: the stack's address and the index. */
	snprintf(sh->pool_name, sizeof(sh->pool_name), "%.8s%" PRIxPTR "s%u",
		 lconf.name ? lconf.name : "st", (uintptr_t)st & 0xffffff, i);
	lconf.name = sh->pool_name;
	lconf.shard = i;
	lconf.nb_shards = conf->nb_shards;
	rc = ursa_lcore_create(&lconf, &sh->lc);
	if (rc)
		return rc;
	sh->lc->stack = st;
	snprintf(rname, sizeof(rname), "cmd%" PRIxPTR "_%u", (uintptr_t)st, i);
	sh->ring = rte_ring_create(rname, ring_size, (int)rte_socket_id(), RING_F_SC_DEQ);
	if (sh->ring == NULL)
		return -ENOMEM;
	return ursa_stats_register(sh->lc, "stack", stack_counter_names, sh->c, STACK_C_MAX);
}

int ursa_stack_create(const struct ursa_stack_conf *conf, struct ursa_stack **out)
{
	unsigned ring_size = conf->cmd_ring_size ? conf->cmd_ring_size : STACK_RING_DEFAULT;
	struct ursa_stack *st;
	int rc = 0;

	if (conf->nb_shards == 0 || conf->nb_shards > URSA_MAX_SHARDS || conf->shard == NULL ||
	    !rte_is_power_of_2(ring_size))
		return -EINVAL;
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return -ENOMEM;
	rte_spinlock_init(&st->lock);
	for (uint16_t i = 0; i < conf->nb_shards && rc == 0; i++) {
		st->nb_shards = (uint16_t)(i + 1);
		rc = shard_create(st, i, conf, ring_size);
	}
	if (rc == 0 && st->nb_shards > 1) {
		/* Software dispatch between the shards (dispatch.c): a frame that lands on the
		 * wrong shard's queue is handed to its owner. */
		struct ursa_lcore *lcs[URSA_MAX_SHARDS];

		for (uint16_t i = 0; i < st->nb_shards; i++)
			lcs[i] = st->shards[i].lc;
		rc = ursa_lcore_link_shards(lcs, st->nb_shards);
	}
	if (rc) {
		ursa_stack_destroy(st);
		return rc;
	}
	*out = st;
	return 0;
}

void ursa_stack_destroy(struct ursa_stack *st)
{
	void *c;

	if (st == NULL)
		return;
	/* Devices first: their queues hold mbufs of the shards' pools. */
	for (uint16_t i = 0; i < st->nb_ports; i++)
		if (st->ports[i].ethdev)
			port_ethdev_close(st->ports[i].pid);
	for (uint16_t i = 0; i < st->nb_shards; i++) {
		struct stack_shard *sh = &st->shards[i];

		ursa_lcore_destroy(sh->lc);
		while (sh->ring != NULL && rte_ring_dequeue(sh->ring, &c) == 0)
			cmd_put(c);
		rte_ring_free(sh->ring);
	}
	for (unsigned i = 0; i < st->nb_settings; i++)
		free(st->settings[i].value);
	free(st);
}

uint16_t ursa_stack_nb_shards(const struct ursa_stack *st)
{
	return st->nb_shards;
}

struct ursa_lcore *ursa_stack_shard(struct ursa_stack *st, uint16_t i)
{
	return i < st->nb_shards ? st->shards[i].lc : NULL;
}

/* ---- ports ---------------------------------------------------------------------------- */

/* af_packet spreads frames over its queues with a PACKET_FANOUT group of qpairs sockets
 * (DPDK 22.11 rte_eth_af_packet.c: hash fanout with defrag and rollover): ask for one queue
 * pair per shard unless the devargs choose. */
static void devargs_for_shards(const char *devargs, uint16_t nb_shards, char *buf, size_t len)
{
	if (nb_shards > 1 && strncmp(devargs, "net_af_packet", 13) == 0 &&
	    strstr(devargs, "qpairs=") == NULL)
		snprintf(buf, len, "%s,qpairs=%u", devargs, nb_shards);
	else
		snprintf(buf, len, "%s", devargs);
}

int ursa_stack_port_open_ethdev(struct ursa_stack *st, const char *devargs, uint16_t mtu,
				uint16_t *out_index)
{
	struct rte_mempool *pools[URSA_MAX_SHARDS];
	char name[RTE_ETH_NAME_MAX_LEN], args[512];
	uint16_t pid, real_mtu, idx = 0;
	int rc;

	if (st->nb_ports == URSA_MAX_PORTS)
		return -ENOSPC;
	devargs_for_shards(devargs, st->nb_shards, args, sizeof(args));
	rc = port_ethdev_probe(args, name, sizeof(name), &pid);
	if (rc)
		return rc;
	for (uint16_t i = 0; i < st->nb_shards; i++)
		pools[i] = st->shards[i].lc->pool;
	rc = port_ethdev_setup(pid, st->nb_shards, pools, mtu, &real_mtu);
	if (rc)
		return rc;
	st->ports[st->nb_ports] = (struct stack_port){.ethdev = true, .pid = pid};
	for (uint16_t i = 0; i < st->nb_shards; i++) {
		rc = port_ethdev_attach(st->shards[i].lc, pid, i, name, real_mtu, true, &idx);
		if (rc == 0 && idx != st->nb_ports)
			rc = -EPROTO; /* some shard has a port the stack did not open */
		if (rc)
			break;
	}
	st->nb_ports++; /* the stack closes the device even when a shard could not attach */
	if (rc == 0)
		*out_index = idx;
	return rc;
}

int ursa_stack_port_open_mem(struct ursa_stack *st, const struct rte_ether_addr *mac, uint16_t mtu,
			     uint16_t *out_index)
{
	uint16_t idx = 0;
	int rc;

	if (st->nb_ports == URSA_MAX_PORTS)
		return -ENOSPC;
	for (uint16_t i = 0; i < st->nb_shards; i++) {
		rc = ursa_port_open_mem(st->shards[i].lc, mac, mtu, &idx);
		if (rc == 0 && idx != st->nb_ports)
			rc = -EPROTO;
		if (rc)
			return rc;
	}
	st->ports[st->nb_ports++] = (struct stack_port){.ethdev = false};
	*out_index = idx;
	return 0;
}

/* ---- interfaces and addresses --------------------------------------------------------- */

struct iface_add_cmd {
	struct ursa_iface_conf conf;
	struct rte_ether_addr mac;
	bool has_mac;
	uint16_t index;
};

static int apply_iface_add(struct ursa_lcore *lc, const void *arg)
{
	const struct iface_add_cmd *a = arg;
	struct ursa_iface_conf conf = a->conf;
	uint16_t idx;
	int rc;

	conf.mac = a->has_mac ? &a->mac : NULL;
	rc = ursa_iface_add(lc, &conf, &idx);
	if (rc == 0 && idx != a->index)
		rc = -EPROTO; /* the replica has drifted from the authoritative copy */
	return rc;
}

int ursa_stack_iface_add(struct ursa_stack *st, const struct ursa_iface_conf *conf,
			 uint16_t *out_index, uint64_t *ticket)
{
	struct iface_add_cmd a = {.conf = *conf, .has_mac = conf->mac != NULL};
	const struct ursa_port *p;
	struct stack_iface *si;
	int rc;

	if (conf->port >= st->nb_ports || conf->vlan > 4094)
		return -EINVAL;
	rte_spinlock_lock(&st->lock);
	for (uint16_t i = 0; i < st->nb_ifaces; i++) {
		if (!st->ifaces[i].ifc.removed && st->ifaces[i].conf.port == conf->port &&
		    st->ifaces[i].conf.vlan == conf->vlan) {
			rc = -EEXIST;
			goto out;
		}
	}
	if (st->nb_ifaces == URSA_MAX_IFACES) {
		rc = -ENOSPC;
		goto out;
	}
	if (conf->mac)
		a.mac = *conf->mac;
	a.conf.mac = NULL;
	a.index = st->nb_ifaces;
	rc = post_locked(st, UINT16_MAX, apply_iface_add, &a, sizeof(a), ticket);
	if (rc)
		goto out;
	p = &st->shards[0].lc->ports[conf->port];
	si = &st->ifaces[st->nb_ifaces];
	memset(si, 0, sizeof(*si));
	si->conf = a.conf;
	si->ifc.index = a.index;
	si->ifc.port = conf->port;
	si->ifc.vlan = conf->vlan;
	si->ifc.tenant = conf->tenant;
	si->ifc.mac = conf->mac ? *conf->mac : p->mac;
	si->ifc.mtu = conf->mtu ? conf->mtu : (uint16_t)(p->mtu - (conf->vlan ? 4 : 0));
	si->ifc.quota = conf->quota;
	*out_index = st->nb_ifaces++;
out:
	rte_spinlock_unlock(&st->lock);
	return rc;
}

static int apply_iface_del(struct ursa_lcore *lc, const void *arg)
{
	return ursa_iface_del(lc, *(const uint16_t *)arg);
}

int ursa_stack_iface_del(struct ursa_stack *st, uint16_t iface, uint64_t *ticket)
{
	int rc;

	rte_spinlock_lock(&st->lock);
	if (iface >= st->nb_ifaces || st->ifaces[iface].ifc.removed) {
		rc = -ENOENT;
	} else {
		rc = post_locked(st, UINT16_MAX, apply_iface_del, &iface, sizeof(iface), ticket);
		if (rc == 0) {
			st->ifaces[iface].ifc.removed = true;
			st->ifaces[iface].ifc.n4 = st->ifaces[iface].ifc.n6 = 0;
		}
	}
	rte_spinlock_unlock(&st->lock);
	return rc;
}

struct addr_cmd {
	uint16_t iface;
	uint8_t plen;
	struct ursa_ipaddr addr;
};

static int apply_addr_add(struct ursa_lcore *lc, const void *arg)
{
	const struct addr_cmd *a = arg;

	return ursa_iface_addr_add(lc, a->iface, &a->addr, a->plen);
}

static int apply_addr_del(struct ursa_lcore *lc, const void *arg)
{
	const struct addr_cmd *a = arg;

	return ursa_iface_addr_del(lc, a->iface, &a->addr);
}

/* Change the authoritative copy the way the shards will change theirs, then post. */
static int addr_change(struct ursa_stack *st, const struct addr_cmd *a, bool add, uint64_t *ticket)
{
	struct ursa_iface *ifc;
	struct ursa_iface saved;
	int rc;

	rte_spinlock_lock(&st->lock);
	if (a->iface >= st->nb_ifaces) {
		rc = -EINVAL;
		goto out;
	}
	ifc = &st->ifaces[a->iface].ifc;
	saved = *ifc;
	if (add) {
		if (ifc->removed || (a->addr.family != AF_INET && a->addr.family != AF_INET6) ||
		    a->plen > (a->addr.family == AF_INET ? 32 : 128)) {
			rc = -EINVAL;
			goto out;
		}
		if (ursa_iface_has_addr(ifc, &a->addr)) {
			rc = -EEXIST;
			goto out;
		}
		uint8_t *n = a->addr.family == AF_INET ? &ifc->n4 : &ifc->n6;
		struct ursa_iface_addr *v = a->addr.family == AF_INET ? ifc->v4 : ifc->v6;

		if (*n == (a->addr.family == AF_INET ? URSA_IFACE_MAX_V4 : URSA_IFACE_MAX_V6)) {
			rc = -ENOSPC;
			goto out;
		}
		v[(*n)++] = (struct ursa_iface_addr){.addr = a->addr, .plen = a->plen};
	} else {
		uint8_t *n = a->addr.family == AF_INET ? &ifc->n4 : &ifc->n6;
		struct ursa_iface_addr *v = a->addr.family == AF_INET ? ifc->v4 : ifc->v6;
		unsigned i = 0;

		while (i < *n && !ursa_ipaddr_eq(&v[i].addr, &a->addr))
			i++;
		if (i == *n) {
			rc = -ENOENT;
			goto out;
		}
		memmove(&v[i], &v[i + 1], (size_t)(*n - i - 1) * sizeof(v[0]));
		(*n)--;
	}
	rc = post_locked(st, UINT16_MAX, add ? apply_addr_add : apply_addr_del, a, sizeof(*a),
			 ticket);
	if (rc)
		*ifc = saved;
out:
	rte_spinlock_unlock(&st->lock);
	return rc;
}

int ursa_stack_addr_add(struct ursa_stack *st, uint16_t iface, const struct ursa_ipaddr *a,
			uint8_t plen, uint64_t *ticket)
{
	struct addr_cmd c = {.iface = iface, .plen = plen, .addr = *a};

	return addr_change(st, &c, true, ticket);
}

int ursa_stack_addr_del(struct ursa_stack *st, uint16_t iface, const struct ursa_ipaddr *a,
			uint64_t *ticket)
{
	struct addr_cmd c = {.iface = iface, .addr = *a};

	return addr_change(st, &c, false, ticket);
}

const struct ursa_iface *ursa_stack_iface(const struct ursa_stack *st, uint16_t iface)
{
	return iface < st->nb_ifaces ? &st->ifaces[iface].ifc : NULL;
}

uint16_t ursa_stack_nb_ifaces(const struct ursa_stack *st)
{
	return st->nb_ifaces;
}

/* ---- settings ------------------------------------------------------------------------- */

static struct stack_setting *setting_find(const struct ursa_stack *st, const char *name)
{
	for (unsigned i = 0; i < st->nb_settings; i++)
		if (strcmp(st->settings[i].name, name) == 0)
			return (struct stack_setting *)&st->settings[i];
	return NULL;
}

int ursa_stack_set(struct ursa_stack *st, const char *name, ursa_stack_cmd_fn_t fn,
		   const void *value, size_t len, uint64_t *ticket)
{
	struct stack_setting *s;
	void *copy;
	int rc;

	if (name == NULL || strlen(name) >= URSA_STACK_NAME_LEN || fn == NULL || len == 0)
		return -EINVAL;
	copy = malloc(len);
	if (copy == NULL)
		return -ENOMEM;
	memcpy(copy, value, len);
	rte_spinlock_lock(&st->lock);
	s = setting_find(st, name);
	if (s == NULL && st->nb_settings == URSA_STACK_MAX_SETTINGS) {
		rc = -ENOSPC;
		goto out;
	}
	rc = post_locked(st, UINT16_MAX, fn, value, len, ticket);
	if (rc)
		goto out;
	if (s == NULL) {
		s = &st->settings[st->nb_settings++];
		snprintf(s->name, sizeof(s->name), "%s", name);
	}
	free(s->value);
	s->value = copy;
	s->len = len;
	copy = NULL;
out:
	rte_spinlock_unlock(&st->lock);
	free(copy);
	return rc;
}

int ursa_stack_get(const struct ursa_stack *st, const char *name, void *buf, size_t len)
{
	struct ursa_stack *w = (struct ursa_stack *)st; /* the lock, not the content */
	const struct stack_setting *s;
	int rc;

	rte_spinlock_lock(&w->lock);
	s = setting_find(st, name);
	if (s == NULL) {
		rc = -ENOENT;
	} else if (s->len > len) {
		rc = -ENOSPC;
	} else {
		memcpy(buf, s->value, s->len);
		rc = (int)s->len;
	}
	rte_spinlock_unlock(&w->lock);
	return rc;
}

struct tenant_quota {
	uint32_t tenant;
	struct ursa_quota q;
};

/* Shard k's part of a stack-wide limit: the limit divided over the shards, the remainder to
 * the first ones, so that the parts add up to the limit. A shard's part is at least 1 (0
 * means no limit), so a limit below the number of shards allows one per shard. */
static uint32_t quota_part(uint32_t max, uint16_t n, uint16_t k)
{
	uint32_t part = max / n + (k < max % n);

	return max == 0 ? 0 : part ? part : 1;
}

static int apply_tenant_quota(struct ursa_lcore *lc, const void *arg)
{
	const struct tenant_quota *t = arg;
	struct ursa_quota q;

	for (unsigned r = 0; r < URSA_RES_MAX; r++)
		q.max[r] = quota_part(t->q.max[r], lc->nb_shards, lc->shard);
	return ursa_tenant_set_quota(lc, t->tenant, &q);
}

int ursa_stack_tenant_set_quota(struct ursa_stack *st, uint32_t tenant, const struct ursa_quota *q,
				uint64_t *ticket)
{
	struct tenant_quota t = {.tenant = tenant, .q = *q};
	char name[URSA_STACK_NAME_LEN];

	snprintf(name, sizeof(name), "tenant:%" PRIu32, tenant);
	return ursa_stack_set(st, name, apply_tenant_quota, &t, sizeof(t), ticket);
}

/* ---- provider registry ---------------------------------------------------------------- */

int ursa_stack_provider_register(struct ursa_stack *st, const char *name, const void *ops)
{
	int rc = 0;

	if (name == NULL || ops == NULL || strlen(name) >= URSA_STACK_NAME_LEN)
		return -EINVAL;
	rte_spinlock_lock(&st->lock);
	if (ursa_stack_provider_lookup(st, name) != NULL) {
		rc = -EEXIST;
	} else if (st->nb_providers == URSA_STACK_MAX_PROVIDERS) {
		rc = -ENOSPC;
	} else {
		struct stack_provider *p = &st->providers[st->nb_providers];

		snprintf(p->name, sizeof(p->name), "%s", name);
		/* Published last: a lookup from a shard sees a whole entry or none. */
		p->ops = ops;
		__atomic_store_n(&st->nb_providers, st->nb_providers + 1, __ATOMIC_RELEASE);
	}
	rte_spinlock_unlock(&st->lock);
	return rc;
}

const void *ursa_stack_provider_lookup(const struct ursa_stack *st, const char *name)
{
	unsigned n = __atomic_load_n(&st->nb_providers, __ATOMIC_ACQUIRE);

	for (unsigned i = 0; i < n; i++)
		if (strcmp(st->providers[i].name, name) == 0)
			return st->providers[i].ops;
	return NULL;
}
