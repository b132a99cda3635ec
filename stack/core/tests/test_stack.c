/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of struct ursa_stack: shards, command rings, tickets, interfaces and addresses
 * reaching every shard, settings, ports on every shard, the provider registry. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_cycles.h>

#include "ursa_stack.h"
#include "ursa_wait.h"
#include "ursa_test.h"

static struct ursa_stack *make_stack(uint16_t nb, unsigned ring)
{
	struct ursa_lcore_conf confs[URSA_MAX_SHARDS];
	struct ursa_stack_conf sc = {.nb_shards = nb, .shard = confs, .cmd_ring_size = ring};
	struct ursa_stack *st = NULL;

	ursa_test_eal();
	for (uint16_t i = 0; i < nb; i++)
		confs[i] = (struct ursa_lcore_conf){.nb_mbufs = 1023,
						    .seeded = true,
						    .seed = 7 + i,
						    .virtual_clock = true,
						    .virtual_start_ns = URSA_TEST_T0,
						    .max_timers = 1024,
						    .name = "tst"};
	CU_ASSERT_FATAL(ursa_stack_create(&sc, &st) == 0);
	return st;
}

static void poll_all(struct ursa_stack *st)
{
	for (uint16_t i = 0; i < ursa_stack_nb_shards(st); i++)
		ursa_lcore_poll(ursa_stack_shard(st, i));
}

static uint64_t stack_counter(struct ursa_stack *st, uint16_t shard, const char *name)
{
	return ursa_test_counter(ursa_stack_shard(st, shard), "stack", name);
}

static int count_on_shard(struct ursa_lcore *lc, const void *arg)
{
	unsigned *hits = *(unsigned *const *)arg;

	hits[lc->shard]++;
	return 0;
}

/* URSA_STACK_REPORT=1: the cost of an empty poll on a lone lcore and on a shard (the shard
 * also looks at its command ring), and of posting a command and applying it on 4 shards. */
static void report_costs(struct ursa_stack *st)
{
	struct ursa_lcore *lone = ursa_test_lcore(2), *sh = ursa_stack_shard(st, 0);
	const unsigned n = 1000000, m = 1000;
	unsigned hits[URSA_MAX_SHARDS] = {0};
	unsigned *hp = hits;
	uint64_t t0, t1, t2, t3;

	t0 = rte_rdtsc();
	for (unsigned i = 0; i < n; i++)
		ursa_lcore_poll(lone);
	t1 = rte_rdtsc();
	for (unsigned i = 0; i < n; i++)
		ursa_lcore_poll(sh);
	t2 = rte_rdtsc();
	for (unsigned i = 0; i < m; i++) {
		CU_ASSERT_EQUAL(ursa_stack_exec(st, count_on_shard, &hp, sizeof(hp), NULL), 0);
		poll_all(st);
	}
	t3 = rte_rdtsc();
	CU_ASSERT_EQUAL(hits[3], m);
	printf("\n  empty poll: lone lcore %.1f ns, shard %.1f ns; post + apply on %u shards: "
	       "%.0f ns\n",
	       (double)(t1 - t0) * 1e9 / rte_get_tsc_hz() / n,
	       (double)(t2 - t1) * 1e9 / rte_get_tsc_hz() / n, ursa_stack_nb_shards(st),
	       (double)(t3 - t2) * 1e9 / rte_get_tsc_hz() / m);
	ursa_lcore_destroy(lone);
}

static void test_shards_and_ports(void)
{
	const struct rte_ether_addr mac = URSA_TEST_MAC;
	struct ursa_stack *st = make_stack(4, 0);
	uint16_t port;

	CU_ASSERT_EQUAL(ursa_stack_nb_shards(st), 4);
	CU_ASSERT_PTR_NULL(ursa_stack_shard(st, 4));
	CU_ASSERT_EQUAL(ursa_stack_port_open_mem(st, &mac, 1500, &port), 0);
	CU_ASSERT_EQUAL(port, 0);
	for (uint16_t i = 0; i < 4; i++) {
		struct ursa_lcore *lc = ursa_stack_shard(st, i);

		CU_ASSERT_EQUAL(lc->shard, i);
		CU_ASSERT_EQUAL(lc->nb_shards, 4);
		CU_ASSERT_PTR_EQUAL(lc->stack, st);
		CU_ASSERT_EQUAL(lc->nb_ports, 1);
		CU_ASSERT_TRUE(rte_is_same_ether_addr(&lc->ports[0].mac, &mac));
		/* each shard has a port of its own (its own queue) */
		for (uint16_t j = 0; j < i; j++)
			CU_ASSERT_PTR_NOT_EQUAL(lc->ports[0].priv,
						ursa_stack_shard(st, j)->ports[0].priv);
	}
	if (getenv("URSA_STACK_REPORT") != NULL)
		report_costs(st);
	ursa_stack_destroy(st);
}

/* An interface and its address, added while the shards run, reach every shard at its next
 * poll, with the same index everywhere; the ticket says when all have them. */
static void test_iface_reaches_all(void)
{
	const struct rte_ether_addr mac = URSA_TEST_MAC;
	struct ursa_stack *st = make_stack(2, 0);
	struct ursa_iface_conf ic = {.port = 0, .vlan = 7};
	struct ursa_ipaddr a;
	uint16_t port, ifi;
	uint64_t t1, t2;

	CU_ASSERT_FATAL(ursa_stack_port_open_mem(st, &mac, 1500, &port) == 0);
	poll_all(st);
	CU_ASSERT_EQUAL(ursa_stack_iface_add(st, &ic, &ifi, &t1), 0);
	CU_ASSERT_EQUAL(ursa_stack_iface_add(st, &ic, &ifi, NULL), -EEXIST);
	a = ursa_test_ip("10.0.0.1");
	CU_ASSERT_EQUAL(ursa_stack_addr_add(st, ifi, &a, 24, &t2), 0);
	CU_ASSERT_EQUAL(ursa_stack_addr_add(st, ifi, &a, 24, NULL), -EEXIST);
	CU_ASSERT_TRUE(t2 > t1);
	/* the authoritative copy has it at once; the shards at their next poll */
	CU_ASSERT_EQUAL(ursa_stack_nb_ifaces(st), 1);
	CU_ASSERT_PTR_NOT_NULL(ursa_iface_has_addr(ursa_stack_iface(st, ifi), &a));
	CU_ASSERT_FALSE(ursa_stack_applied(st, t1));
	CU_ASSERT_EQUAL(ursa_stack_shard(st, 0)->nb_ifaces, 0);
	ursa_lcore_poll(ursa_stack_shard(st, 0));
	CU_ASSERT_FALSE(ursa_stack_applied(st, t1)); /* shard 1 has not polled */
	CU_ASSERT_EQUAL(ursa_lcore_idle_budget(ursa_stack_shard(st, 1)), 0);
	ursa_lcore_poll(ursa_stack_shard(st, 1));
	CU_ASSERT_TRUE(ursa_stack_applied(st, t2));
	CU_ASSERT_EQUAL(ursa_stack_result(st, t2), 0);
	for (uint16_t i = 0; i < 2; i++) {
		struct ursa_lcore *lc = ursa_stack_shard(st, i);
		struct ursa_iface *ifc = ursa_iface_by_port_vlan(lc, 0, 7);

		CU_ASSERT_PTR_NOT_NULL_FATAL(ifc);
		CU_ASSERT_EQUAL(ifc->index, ifi);
		CU_ASSERT_PTR_NOT_NULL(ursa_iface_has_addr(ifc, &a));
		CU_ASSERT_EQUAL(stack_counter(st, i, "cmd_applied"), 2);
		CU_ASSERT_EQUAL(stack_counter(st, i, "cmd_failed"), 0);
	}
	/* removal: no ingress, no address; the same (port, VLAN) comes back with a new index */
	CU_ASSERT_EQUAL(ursa_stack_addr_del(st, ifi, &a, NULL), 0);
	CU_ASSERT_EQUAL(ursa_stack_addr_del(st, ifi, &a, NULL), -ENOENT);
	CU_ASSERT_EQUAL(ursa_stack_iface_del(st, ifi, &t1), 0);
	poll_all(st);
	CU_ASSERT_TRUE(ursa_stack_applied(st, t1));
	for (uint16_t i = 0; i < 2; i++) {
		struct ursa_lcore *lc = ursa_stack_shard(st, i);

		CU_ASSERT_PTR_NULL(ursa_iface_by_port_vlan(lc, 0, 7));
		CU_ASSERT_EQUAL(lc->ifaces[ifi].n4, 0);
	}
	CU_ASSERT_EQUAL(ursa_stack_iface_add(st, &ic, &ifi, &t1), 0);
	CU_ASSERT_EQUAL(ifi, 1);
	poll_all(st);
	CU_ASSERT_EQUAL(ursa_iface_by_port_vlan(ursa_stack_shard(st, 1), 0, 7)->index, 1);
	CU_ASSERT_EQUAL(stack_counter(st, 1, "cmd_failed"), 0);
	ursa_stack_destroy(st);
}

static int fail_on_shard1(struct ursa_lcore *lc, const void *arg)
{
	(void)arg;
	return lc->shard == 1 ? -EIO : 0;
}

/* A full ring refuses the whole command (no shard gets it) and counts; a failing apply is
 * counted on its shard and reported for its ticket. */
static void test_ring_full_and_errors(void)
{
	struct ursa_stack *st = make_stack(2, 4);
	unsigned hits[2] = {0};
	unsigned *hp = hits;
	uint64_t t;
	int rc = 0;

	/* an rte_ring of size 4 holds 3 */
	for (int i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(ursa_stack_exec(st, count_on_shard, &hp, sizeof(hp), NULL), 0);
	ursa_lcore_poll(ursa_stack_shard(st, 1));
	CU_ASSERT_EQUAL(hits[1], 3);
	rc = ursa_stack_exec(st, count_on_shard, &hp, sizeof(hp), NULL);
	CU_ASSERT_EQUAL(rc, -ENOBUFS);
	CU_ASSERT_EQUAL(stack_counter(st, 0, "cmd_ring_full"), 1);
	CU_ASSERT_EQUAL(stack_counter(st, 1, "cmd_ring_full"), 0);
	poll_all(st);
	CU_ASSERT_EQUAL(hits[0], 3);
	CU_ASSERT_EQUAL(hits[1], 3); /* the refused command reached no shard */
	CU_ASSERT_EQUAL(ursa_stack_exec(st, fail_on_shard1, NULL, 0, &t), 0);
	poll_all(st);
	CU_ASSERT_TRUE(ursa_stack_applied(st, t));
	CU_ASSERT_EQUAL(ursa_stack_result(st, t), -EIO);
	CU_ASSERT_EQUAL(stack_counter(st, 1, "cmd_failed"), 1);
	CU_ASSERT_EQUAL(stack_counter(st, 0, "cmd_failed"), 0);
	CU_ASSERT_EQUAL(stack_counter(st, 0, "cmd_applied"), 4);
	/* commands still queued at destroy are freed with the stack (ASan checks) */
	CU_ASSERT_EQUAL(ursa_stack_exec(st, count_on_shard, &hp, sizeof(hp), NULL), 0);
	ursa_stack_destroy(st);
}

/* From a shard: every other shard, not itself; a waiter on a later ticket is not held up by
 * the shard that was skipped. */
static void test_exec_others(void)
{
	struct ursa_stack *st = make_stack(4, 0);
	unsigned hits[4] = {0};
	unsigned *hp = hits;
	uint64_t t;

	CU_ASSERT_EQUAL(
		ursa_stack_exec_others(ursa_stack_shard(st, 2), count_on_shard, &hp, sizeof(hp)),
		0);
	CU_ASSERT_EQUAL(ursa_stack_exec(st, count_on_shard, &hp, sizeof(hp), &t), 0);
	poll_all(st);
	CU_ASSERT_TRUE(ursa_stack_applied(st, t));
	CU_ASSERT_EQUAL(hits[0], 2);
	CU_ASSERT_EQUAL(hits[1], 2);
	CU_ASSERT_EQUAL(hits[2], 1);
	CU_ASSERT_EQUAL(hits[3], 2);
	ursa_stack_destroy(st);
}

struct poller {
	struct ursa_stack *st;
	volatile bool stop;
};

static void *poll_thread(void *arg)
{
	struct poller *p = arg;

	while (!p->stop) {
		poll_all(p->st);
		usleep(100);
	}
	return NULL;
}

/* ursa_stack_wait from a control thread while another thread runs the shards. */
static void test_wait(void)
{
	struct ursa_stack *st = make_stack(2, 0);
	unsigned hits[2] = {0};
	unsigned *hp = hits;
	struct poller p = {.st = st};
	pthread_t th;
	uint64_t t;

	CU_ASSERT_EQUAL(ursa_stack_exec(st, count_on_shard, &hp, sizeof(hp), &t), 0);
	CU_ASSERT_EQUAL(ursa_stack_wait(st, t, 1000 * 1000), -ETIMEDOUT); /* nobody polls */
	CU_ASSERT_FATAL(pthread_create(&th, NULL, poll_thread, &p) == 0);
	CU_ASSERT_EQUAL(ursa_stack_wait(st, t, 5ull * 1000 * 1000 * 1000), 0);
	CU_ASSERT_EQUAL(__atomic_load_n(&hits[0], __ATOMIC_ACQUIRE), 1);
	CU_ASSERT_EQUAL(__atomic_load_n(&hits[1], __ATOMIC_ACQUIRE), 1);
	p.stop = true;
	pthread_join(th, NULL);
	ursa_stack_destroy(st);
}

struct waiter {
	struct ursa_lcore *lc;
	bool stop;
	int rc;
};

static void *wait_thread(void *arg)
{
	struct waiter *w = arg;

	while (w->rc == 0 && !__atomic_load_n(&w->stop, __ATOMIC_ACQUIRE))
		w->rc = ursa_lcore_wait(w->lc, UINT64_MAX, NULL);
	return NULL;
}

/* A shard napping in ursa_lcore_wait (on a real clock, naps of up to 10 s) is woken by a
 * post (ursa_lcore_wake) and applies the command. */
static void test_post_wakes_napping_shard(void)
{
	struct ursa_lcore_conf confs[2];
	struct ursa_stack_conf sc = {.nb_shards = 2, .shard = confs};
	struct ursa_wait_policy pol;
	struct waiter w[2];
	pthread_t th[2];
	unsigned hits[2] = {0};
	unsigned *hp = hits;
	struct ursa_stack *st;
	uint64_t t;

	for (int i = 0; i < 2; i++)
		confs[i] =
			(struct ursa_lcore_conf){.nb_mbufs = 511, .max_timers = 64, .name = "wk"};
	CU_ASSERT_FATAL(ursa_stack_create(&sc, &st) == 0);
	ursa_wait_policy_default(&pol);
	pol.busy_polls = 0;
	pol.spin_ns = 0;
	pol.nap_min_ns = pol.nap_max_ns = pol.intr_max_ns = 10 * URSA_NS_PER_S;
	pol.hot_ns = 0;
	for (int i = 0; i < 2; i++) {
		w[i] = (struct waiter){.lc = ursa_stack_shard(st, (uint16_t)i)};
		CU_ASSERT_FATAL(ursa_lcore_set_wait_policy(w[i].lc, &pol) == 0);
		CU_ASSERT_FATAL(pthread_create(&th[i], NULL, wait_thread, &w[i]) == 0);
	}
	usleep(50 * 1000); /* both are napping now */
	CU_ASSERT_EQUAL(ursa_stack_exec(st, count_on_shard, &hp, sizeof(hp), &t), 0);
	CU_ASSERT_EQUAL(ursa_stack_wait(st, t, 5 * URSA_NS_PER_S), 0);
	/* the shards were woken for it: each counts a kick (before anything else wakes them) */
	for (int i = 0; i < 2; i++)
		for (int k = 0; k < 200 && ursa_test_counter(w[i].lc, "wait", "wake_kick") == 0;
		     k++)
			usleep(10 * 1000);
	for (int i = 0; i < 2; i++)
		CU_ASSERT_TRUE(ursa_test_counter(w[i].lc, "wait", "wake_kick") >= 1);
	for (int i = 0; i < 2; i++) {
		__atomic_store_n(&w[i].stop, true, __ATOMIC_RELEASE);
		ursa_lcore_wake(w[i].lc);
		pthread_join(th[i], NULL);
		CU_ASSERT_EQUAL(w[i].rc, 0);
		CU_ASSERT_EQUAL(hits[i], 1);
	}
	ursa_stack_destroy(st);
}

struct mtu_setting {
	uint32_t value;
};

static uint32_t applied_setting[URSA_MAX_SHARDS];

static int apply_setting(struct ursa_lcore *lc, const void *arg)
{
	applied_setting[lc->shard] = ((const struct mtu_setting *)arg)->value;
	return 0;
}

static void test_settings_and_providers(void)
{
	struct ursa_stack *st = make_stack(2, 0);
	struct mtu_setting s = {.value = 9000}, out = {0};
	static const int ops_a = 1, ops_b = 2;
	uint64_t t;

	CU_ASSERT_EQUAL(ursa_stack_get(st, "x.mtu", &out, sizeof(out)), -ENOENT);
	CU_ASSERT_EQUAL(ursa_stack_set(st, "x.mtu", apply_setting, &s, sizeof(s), NULL), 0);
	s.value = 1400;
	CU_ASSERT_EQUAL(ursa_stack_set(st, "x.mtu", apply_setting, &s, sizeof(s), &t), 0);
	CU_ASSERT_EQUAL(ursa_stack_get(st, "x.mtu", &out, sizeof(out)), (int)sizeof(out));
	CU_ASSERT_EQUAL(out.value, 1400);
	CU_ASSERT_EQUAL(ursa_stack_get(st, "x.mtu", &out, 1), -ENOSPC);
	poll_all(st);
	CU_ASSERT_TRUE(ursa_stack_applied(st, t));
	CU_ASSERT_EQUAL(applied_setting[0], 1400);
	CU_ASSERT_EQUAL(applied_setting[1], 1400);

	/* a tenant's quota is stack-wide: the shards' parts add up to it (7 = 4 + 3), an
	 * unset limit stays unset, and a limit below the shard count gives each shard one */
	struct ursa_quota q = {0};
	const uint32_t want_neigh[2] = {4, 3};

	q.max[URSA_RES_neigh] = 7;
	q.max[URSA_RES_tcp_conn] = 1;
	CU_ASSERT_EQUAL(ursa_stack_tenant_set_quota(st, 42, &q, &t), 0);
	poll_all(st);
	CU_ASSERT_TRUE(ursa_stack_applied(st, t));
	for (uint16_t i = 0; i < 2; i++) {
		const struct ursa_quota_state *qs = &ursa_stack_shard(st, i)->quota;

		CU_ASSERT_EQUAL_FATAL(qs->nb_tenants, 1);
		CU_ASSERT_EQUAL(qs->tenants[0].id, 42);
		CU_ASSERT_EQUAL(qs->tenants[0].quota.max[URSA_RES_neigh], want_neigh[i]);
		CU_ASSERT_EQUAL(qs->tenants[0].quota.max[URSA_RES_tcp_conn], 1);
		CU_ASSERT_EQUAL(qs->tenants[0].quota.max[URSA_RES_neigh_bytes], 0);
	}
	CU_ASSERT_EQUAL(ursa_stack_get(st, "tenant:42", NULL, 0), -ENOSPC);

	CU_ASSERT_PTR_NULL(ursa_stack_provider_lookup(st, "a"));
	CU_ASSERT_EQUAL(ursa_stack_provider_register(st, "a", &ops_a), 0);
	CU_ASSERT_EQUAL(ursa_stack_provider_register(st, "b", &ops_b), 0);
	CU_ASSERT_EQUAL(ursa_stack_provider_register(st, "a", &ops_b), -EEXIST);
	CU_ASSERT_PTR_EQUAL(ursa_stack_provider_lookup(st, "a"), &ops_a);
	CU_ASSERT_PTR_EQUAL(ursa_stack_provider_lookup(st, "b"), &ops_b);
	CU_ASSERT_PTR_NULL(ursa_stack_provider_lookup(st, "c"));
	ursa_stack_destroy(st);
}

/* A lone lcore is shard 0 of 1 with no stack, and polls as before. */
static void test_lone_lcore(void)
{
	struct ursa_lcore *lc = ursa_test_lcore(1);

	CU_ASSERT_PTR_NULL(lc->stack);
	CU_ASSERT_EQUAL(lc->shard, 0);
	CU_ASSERT_EQUAL(lc->nb_shards, 1);
	CU_ASSERT_EQUAL(ursa_stack_exec_others(lc, fail_on_shard1, NULL, 0), 0);
	CU_ASSERT_EQUAL(ursa_lcore_poll(lc), 0);
	ursa_lcore_destroy(lc);
}

int main(void)
{
	CU_pSuite s = ursa_test_suite("stack", NULL, NULL);

	CU_add_test(s, "shards and ports", test_shards_and_ports);
	CU_add_test(s, "interface and address reach all shards", test_iface_reaches_all);
	CU_add_test(s, "ring full and errors", test_ring_full_and_errors);
	CU_add_test(s, "exec on the other shards", test_exec_others);
	CU_add_test(s, "wait from a control thread", test_wait);
	CU_add_test(s, "a post wakes a napping shard", test_post_wakes_napping_shard);
	CU_add_test(s, "settings and providers", test_settings_and_providers);
	CU_add_test(s, "lone lcore", test_lone_lcore);
	return ursa_test_main();
}
