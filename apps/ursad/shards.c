/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ursad --lcores N: the stack as N shards (struct ursa_stack), one per EAL lcore. Shard 0 runs
 * on the main lcore in ursad's own loop (signals, stats, Rx interrupts); shards 1..N-1 run on
 * the worker lcores (rte_eal_remote_launch), each polling its own queue of every port in
 * ursa_lcore_wait with ursad's wait policy (on its queues' Rx interrupts where the PMD has
 * them). Stopping sets a flag and wakes each worker (ursa_lcore_wake). Interfaces and routes go
 * through the stack, so every shard has them; neighbours learned on one queue reach the
 * others through the shards' command rings (stack/arp/neigh.c). The softroce provider is
 * registered in the stack's registry, so any shard opens its devices by name.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_launch.h>
#include <rte_lcore.h>

#include "ursa_softroce.h"
#include "ursad.h"

#define CONFIG_WAIT_NS (5ull * 1000 * 1000 * 1000)

struct ursad_shards;

struct worker {
	struct ursad_shards *sh;
	struct ursa_lcore *lc;
};

struct ursad_shards {
	struct ursa_stack *st;
	struct worker workers[URSA_MAX_SHARDS];
	bool stop; /* atomic: the workers leave their loop */
	unsigned lcores[URSA_MAX_SHARDS];
};

struct ursa_stack *ursad_shards_stack(struct ursad_shards *sh)
{
	return sh->st;
}

int ursad_shards_create(const struct ursad_conf *c, const struct ursa_lcore_conf *base,
			struct ursad_shards **out)
{
	struct ursa_lcore_conf confs[URSA_MAX_SHARDS];
	struct ursa_stack_conf sc = {.nb_shards = (uint16_t)c->nb_lcores, .shard = confs};
	struct ursad_shards *sh;
	unsigned n = 0, id;
	int rc;

	if (rte_lcore_count() < c->nb_lcores) {
		fprintf(stderr, "ursad: --lcores %u but EAL has %u lcore(s)\n", c->nb_lcores,
			rte_lcore_count());
		return -EINVAL;
	}
	sh = calloc(1, sizeof(*sh));
	if (sh == NULL)
		return -ENOMEM;
	sh->lcores[n++] = rte_get_main_lcore();
	RTE_LCORE_FOREACH_WORKER(id)
	{
		if (n == c->nb_lcores)
			break;
		sh->lcores[n++] = id;
	}
	for (unsigned i = 0; i < c->nb_lcores; i++) {
		confs[i] = *base;
		confs[i].lcore_id = sh->lcores[i];
		/* Shards share the pool of a lone lcore between them (EAL's -m bounds all). */
		confs[i].nb_mbufs = (base->nb_mbufs ? base->nb_mbufs : 8192) / c->nb_lcores - 1;
		confs[i].seed = base->seed + i; /* each shard its own stream */
	}
	rc = ursa_stack_create(&sc, &sh->st);
	/* RDMA devices are opened by provider name on any shard (ursa_rdma_device_open_by_name) */
	if (rc == 0)
		rc = ursa_rdma_provider_register(sh->st, &ursa_softroce_provider);
	for (uint16_t i = 0; rc == 0 && i < c->nb_lcores; i++)
		rc = ursad_set_policy(c, ursa_stack_shard(sh->st, i));
	if (rc) {
		ursad_shards_destroy(sh);
		return rc;
	}
	*out = sh;
	return 0;
}

/* Poll every shard here, on the main lcore, until the stack has applied ticket: nothing else
 * runs the shards yet. */
static int settle(struct ursad_shards *sh, uint64_t ticket)
{
	for (uint64_t i = 0; !ursa_stack_applied(sh->st, ticket); i++) {
		if (i > 1000000)
			return -ETIMEDOUT;
		for (uint16_t s = 0; s < ursa_stack_nb_shards(sh->st); s++)
			ursa_lcore_poll(ursa_stack_shard(sh->st, s));
	}
	return ursa_stack_result(sh->st, ticket);
}

static int add_iface(struct ursad_shards *sh, const struct ursa_iface_spec *s, uint64_t *t)
{
	struct ursa_iface_conf conf;
	uint16_t idx;
	int rc;

	ursa_iface_spec_conf(s, &conf);
	if ((rc = ursa_stack_iface_add(sh->st, &conf, &idx, t)) != 0)
		return rc;
	for (unsigned k = 0; k < s->naddr; k++)
		if ((rc = ursa_stack_addr_add(sh->st, idx, &s->addr[k], s->plen[k], t)) != 0)
			return rc;
	return 0;
}

int ursad_shards_configure(struct ursad_shards *sh, const struct ursad_conf *c)
{
	uint64_t t = 0;
	int rc;

	for (unsigned i = 0; i < c->nb_ifaces; i++) {
		if ((rc = add_iface(sh, &c->ifaces[i], &t)) != 0 || (rc = settle(sh, t)) != 0) {
			fprintf(stderr, "ursad: --iface %u: %s\n", i, strerror(-rc));
			return rc;
		}
	}
	for (unsigned i = 0; i < c->nb_routes; i++) {
		const struct ursa_route_spec *r = &c->routes[i];

		rc = ursa_ip_stack_route_add(sh->st, r->tenant, &r->dst, r->plen, &r->via, r->iface,
					     &t);
		if (rc == 0)
			rc = settle(sh, t);
		if (rc) {
			fprintf(stderr, "ursad: --route %u: %s\n", i, strerror(-rc));
			return rc;
		}
	}
	/* what the last shard finds in the stack's registry */
	uint16_t last = (uint16_t)(ursa_stack_nb_shards(sh->st) - 1);
	const struct ursa_rdma_provider *p = ursa_rdma_provider_find(ursa_stack_shard(sh->st, last),
								     ursa_softroce_provider.name);

	printf("ursad: shard %u finds rdma provider '%s': %s\n", last, ursa_softroce_provider.name,
	       p == &ursa_softroce_provider ? "yes" : "no");
	return 0;
}

/* A worker shard: ursa_lcore_wait until ursad stops (a wake ends the wait at once). */
static int worker_main(void *arg)
{
	const struct worker *w = arg;
	int rc = 0;

	while (rc == 0 && !__atomic_load_n(&w->sh->stop, __ATOMIC_ACQUIRE))
		rc = ursa_lcore_wait(w->lc, UINT64_MAX, NULL);
	if (rc)
		fprintf(stderr, "ursad: shard %u: wait failed: %s\n", w->lc->shard, strerror(-rc));
	return rc;
}

int ursad_shards_launch(struct ursad_shards *sh)
{
	int rc;

	for (uint16_t s = 1; s < ursa_stack_nb_shards(sh->st); s++) {
		sh->workers[s] = (struct worker){.sh = sh, .lc = ursa_stack_shard(sh->st, s)};
		rc = rte_eal_remote_launch(worker_main, &sh->workers[s], sh->lcores[s]);
		if (rc) {
			fprintf(stderr, "ursad: cannot launch shard %u on lcore %u: %s\n", s,
				sh->lcores[s], strerror(-rc));
			ursad_shards_stop(sh);
			return rc;
		}
	}
	return 0;
}

void ursad_shards_stop(struct ursad_shards *sh)
{
	__atomic_store_n(&sh->stop, true, __ATOMIC_RELEASE);
	for (uint16_t s = 1; s < ursa_stack_nb_shards(sh->st); s++)
		ursa_lcore_wake(ursa_stack_shard(sh->st, s));
	rte_eal_mp_wait_lcore();
}

void ursad_shards_destroy(struct ursad_shards *sh)
{
	if (sh == NULL)
		return;
	ursa_stack_destroy(sh->st);
	free(sh);
}
