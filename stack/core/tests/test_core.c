/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of stack/core: clock, RNG, timers, stats, addresses, interfaces, ports, faults. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ursa_test.h"

static struct ursa_lcore *lc;

static int setup(void)
{
	lc = ursa_test_lcore(42);
	return lc == NULL;
}

static int teardown(void)
{
	ursa_lcore_destroy(lc);
	lc = NULL;
	return 0;
}

/* ---- clock and RNG ---- */

static void test_virtual_clock(void)
{
	struct ursa_clock c;

	ursa_clock_init_virtual(&c, 100);
	CU_ASSERT_EQUAL(ursa_clock_now(&c), 100);
	ursa_clock_advance(&c, 50);
	CU_ASSERT_EQUAL(ursa_clock_now(&c), 150);
	ursa_clock_set(&c, 120); /* never backwards */
	CU_ASSERT_EQUAL(ursa_clock_now(&c), 150);
	ursa_clock_set(&c, 1000);
	CU_ASSERT_EQUAL(ursa_clock_now(&c), 1000);
}

static void test_real_clock(void)
{
	struct ursa_clock c;
	uint64_t a, b;

	ursa_clock_init_real(&c);
	a = ursa_clock_now(&c);
	b = ursa_clock_now(&c);
	CU_ASSERT(b >= a);
	CU_ASSERT(a > 0);
}

static void test_rng_deterministic(void)
{
	struct ursa_rng a, b, c;
	unsigned same = 0;

	ursa_rng_seed(&a, 7);
	ursa_rng_seed(&b, 7);
	ursa_rng_seed(&c, 8);
	for (int i = 0; i < 1000; i++) {
		uint64_t x = ursa_rng_u64(&a);

		CU_ASSERT_EQUAL(x, ursa_rng_u64(&b));
		same += x == ursa_rng_u64(&c);
	}
	CU_ASSERT_EQUAL(same, 0);
}

static void test_rng_below_uniform(void)
{
	struct ursa_rng r;
	unsigned hist[10] = {0};

	ursa_rng_seed(&r, 1);
	for (int i = 0; i < 100000; i++) {
		uint64_t v = ursa_rng_below(&r, 10);

		CU_ASSERT_FATAL(v < 10);
		hist[v]++;
	}
	for (int i = 0; i < 10; i++)
		CU_ASSERT(hist[i] > 9500 && hist[i] < 10500);
	for (int i = 0; i < 1000; i++) {
		double u = ursa_rng_unit(&r);

		CU_ASSERT(u >= 0.0 && u < 1.0);
	}
}

/* ---- the secret generator ---- */

/* A seeded stream is the same however it is drawn, across refills, and differs per seed
 * and from xoshiro's stream of that seed. */
static void test_secret_seeded(void)
{
	static const size_t chunks[] = {1, 3, 7, 250, 300, 13, 426};
	struct ursa_secret a, b, c;
	struct ursa_rng r;
	uint8_t x[1000], y[1000], z[1000];
	size_t off = 0;

	CU_ASSERT_FATAL(ursa_secret_init_seed(&a, 7) == 0);
	CU_ASSERT_FATAL(ursa_secret_init_seed(&b, 7) == 0);
	CU_ASSERT_FATAL(ursa_secret_init_seed(&c, 8) == 0);
	ursa_secret_bytes(&a, x, sizeof(x));
	for (size_t i = 0; i < RTE_DIM(chunks); i++) {
		ursa_secret_bytes(&b, y + off, chunks[i]);
		off += chunks[i];
	}
	CU_ASSERT_FATAL(off == sizeof(y));
	CU_ASSERT(memcmp(x, y, sizeof(x)) == 0);
	ursa_secret_bytes(&c, z, sizeof(z));
	CU_ASSERT(memcmp(x, z, sizeof(x)) != 0);
	ursa_rng_seed(&r, 7);
	ursa_rng_fill(&r, z, 64);
	CU_ASSERT(memcmp(x, z, 64) != 0);
	/* a refill replaced the key: the state held now is not the one that made x */
	CU_ASSERT_FATAL(ursa_secret_init_seed(&c, 7) == 0);
	CU_ASSERT(memcmp(a.key, c.key, sizeof(a.key)) != 0);
	for (int i = 0; i < 1000; i++)
		CU_ASSERT(ursa_secret_below(&a, 10) < 10);
	ursa_secret_wipe(&a);
	CU_ASSERT(a.pos == 0 && a.key[0] == 0 && a.key[31] == 0);
}

static void test_secret_os(void)
{
	struct ursa_secret a, b;
	uint64_t x[8], y[8];

	CU_ASSERT_FATAL(ursa_secret_init_os(&a) == 0);
	CU_ASSERT_FATAL(ursa_secret_init_os(&b) == 0);
	ursa_secret_bytes(&a, x, sizeof(x));
	ursa_secret_bytes(&b, y, sizeof(y));
	CU_ASSERT(memcmp(x, y, sizeof(x)) != 0);
	for (int i = 0; i < 8; i++)
		CU_ASSERT(ursa_secret_u64(&a) != ursa_secret_u64(&b));
}

/* An lcore created without a seed shares nothing with another; with one seed (0 too, which
 * is no longer special) two lcores draw the same. */
static void test_lcore_seeding(void)
{
	struct ursa_lcore *u1 = ursa_test_lcore_unseeded(), *u2 = ursa_test_lcore_unseeded();
	struct ursa_lcore *s1 = ursa_test_lcore(0), *s2 = ursa_test_lcore(0);

	CU_ASSERT_FATAL(u1 && u2 && s1 && s2);
	CU_ASSERT(u1->secret.seeded == false && s1->secret.seeded == true);
	for (int i = 0; i < 16; i++) {
		uint64_t a = ursa_secret_u64(&u1->secret), b = ursa_secret_u64(&u2->secret);
		uint64_t c = ursa_secret_u64(&s1->secret), d = ursa_secret_u64(&s2->secret);

		CU_ASSERT(a != b);
		CU_ASSERT(c == d);
		CU_ASSERT(a != c);
		CU_ASSERT(ursa_rng_u64(&u1->rng) != ursa_rng_u64(&u2->rng));
		CU_ASSERT(ursa_rng_u64(&s1->rng) == ursa_rng_u64(&s2->rng));
	}
	ursa_lcore_destroy(u1);
	ursa_lcore_destroy(u2);
	ursa_lcore_destroy(s1);
	ursa_lcore_destroy(s2);
}

/* ---- timers ---- */

static unsigned fired_order[16];
static unsigned nfired;

static void record_cb(struct ursa_lcore *l, struct ursa_timer *t, void *arg)
{
	(void)l;
	(void)t;
	fired_order[nfired++] = (unsigned)(uintptr_t)arg;
}

static void test_timer_order(void)
{
	struct ursa_timer t[5];
	uint64_t now = ursa_now(lc);

	nfired = 0;
	for (unsigned i = 0; i < 5; i++)
		ursa_timer_init(&t[i], record_cb, (void *)(uintptr_t)i);
	ursa_timer_arm(lc, &t[0], now + 300);
	ursa_timer_arm(lc, &t[1], now + 100);
	ursa_timer_arm(lc, &t[2], now + 200);
	ursa_timer_arm(lc, &t[3], now + 100); /* same instant as t[1]: armed later, fires later */
	ursa_timer_arm(lc, &t[4], now + 50);
	ursa_timer_cancel(lc, &t[4]);
	CU_ASSERT_FALSE(ursa_timer_pending(&t[4]));
	CU_ASSERT_EQUAL(ursa_timer_next(lc), now + 100);
	CU_ASSERT_EQUAL(ursa_timer_run(lc), 0);
	ursa_clock_set(&lc->clock, now + 200);
	CU_ASSERT_EQUAL(ursa_timer_run(lc), 3);
	CU_ASSERT_EQUAL(nfired, 3);
	CU_ASSERT_EQUAL(fired_order[0], 1);
	CU_ASSERT_EQUAL(fired_order[1], 3);
	CU_ASSERT_EQUAL(fired_order[2], 2);
	/* re-arm moves a pending timer */
	ursa_timer_arm(lc, &t[0], now + 1000);
	ursa_clock_set(&lc->clock, now + 999);
	CU_ASSERT_EQUAL(ursa_timer_run(lc), 0);
	ursa_clock_set(&lc->clock, now + 1000);
	CU_ASSERT_EQUAL(ursa_timer_run(lc), 1);
	CU_ASSERT_EQUAL(ursa_timer_next(lc), UINT64_MAX);
}

static void rearm_cb(struct ursa_lcore *l, struct ursa_timer *t, void *arg)
{
	(void)arg;
	nfired++;
	ursa_timer_arm(l, t, ursa_now(l)); /* due now, but must wait for the next run */
}

static void test_timer_rearm_in_callback(void)
{
	struct ursa_timer t;

	nfired = 0;
	ursa_timer_init(&t, rearm_cb, NULL);
	ursa_timer_arm(lc, &t, ursa_now(lc));
	CU_ASSERT_EQUAL(ursa_timer_run(lc), 1);
	CU_ASSERT_EQUAL(ursa_timer_run(lc), 1);
	CU_ASSERT_EQUAL(nfired, 2);
	ursa_timer_cancel(lc, &t);
}

static void noop_cb(struct ursa_lcore *l, struct ursa_timer *t, void *arg)
{
	(void)l;
	(void)t;
	(void)arg;
}

static void test_timer_heap_random(void)
{
	enum { N = 2000 };
	struct ursa_timer *t = calloc(N, sizeof(*t));
	struct ursa_rng r;
	uint64_t base = ursa_now(lc), last = 0;

	ursa_rng_seed(&r, 3);
	for (int i = 0; i < N; i++) {
		ursa_timer_init(&t[i], noop_cb, NULL);
		CU_ASSERT_EQUAL(ursa_timer_arm(lc, &t[i], base + 1 + ursa_rng_below(&r, 100000)),
				0);
	}
	for (int i = 0; i < N; i += 3)
		ursa_timer_cancel(lc, &t[i]);
	while (ursa_timer_next(lc) != UINT64_MAX) {
		uint64_t next = ursa_timer_next(lc);

		CU_ASSERT(next >= last);
		last = next;
		ursa_clock_set(&lc->clock, next);
		ursa_timer_run(lc);
	}
	for (int i = 0; i < N; i++)
		CU_ASSERT_FALSE(ursa_timer_pending(&t[i]));
	free(t);
}

/* ---- addresses and interfaces ---- */

static void test_ipaddr(void)
{
	struct ursa_ipaddr a, b;
	uint8_t plen = 0;
	char buf[64];

	CU_ASSERT_EQUAL(ursa_ipaddr_parse("10.1.2.3/24", &a, &plen), 0);
	CU_ASSERT_EQUAL(a.family, AF_INET);
	CU_ASSERT_EQUAL(plen, 24);
	CU_ASSERT_STRING_EQUAL(ursa_ipaddr_fmt(&a, buf, sizeof(buf)), "10.1.2.3");
	CU_ASSERT_EQUAL(ursa_ipaddr_parse("10.1.2.200", &b, NULL), 0);
	CU_ASSERT(ursa_ipaddr_prefix_match(&a, &b, 24));
	CU_ASSERT_FALSE(ursa_ipaddr_prefix_match(&a, &b, 25));
	CU_ASSERT_EQUAL(ursa_ipaddr_parse("fd00::1/64", &a, &plen), 0);
	CU_ASSERT_EQUAL(a.family, AF_INET6);
	CU_ASSERT_EQUAL(plen, 64);
	CU_ASSERT_EQUAL(ursa_ipaddr_parse("fd00::1/129", &a, &plen), -EINVAL);
	CU_ASSERT_EQUAL(ursa_ipaddr_parse("10.0.0.1/33", &a, &plen), -EINVAL);
	CU_ASSERT_EQUAL(ursa_ipaddr_parse("10.0.0.1/", &a, &plen), -EINVAL);
	CU_ASSERT_EQUAL(ursa_ipaddr_parse("banana", &a, &plen), -EINVAL);
	CU_ASSERT_EQUAL(ursa_ipaddr_parse("10.0.0.1/8", &a, NULL), -EINVAL);
}

static void test_iface_tuple(void)
{
	struct ursa_iface_conf c10 = {.port = 0, .vlan = 10, .tenant = 1};
	struct ursa_iface_conf c20 = {.port = 0, .vlan = 20, .tenant = 2};
	struct ursa_ipaddr a, src, dst;
	uint8_t plen;
	uint16_t i10, i20;

	CU_ASSERT_EQUAL(ursa_iface_add(lc, &c10, &i10), 0);
	CU_ASSERT_EQUAL(ursa_iface_add(lc, &c20, &i20), 0);
	CU_ASSERT_EQUAL(ursa_iface_add(lc, &c20, NULL), -EEXIST);
	c20.vlan = 4095;
	CU_ASSERT_EQUAL(ursa_iface_add(lc, &c20, NULL), -EINVAL);
	c20.port = 7;
	c20.vlan = 30;
	CU_ASSERT_EQUAL(ursa_iface_add(lc, &c20, NULL), -EINVAL);
	/* the same address in two tenants */
	ursa_ipaddr_parse("192.168.5.1/24", &a, &plen);
	CU_ASSERT_EQUAL(ursa_iface_addr_add(lc, i10, &a, plen), 0);
	CU_ASSERT_EQUAL(ursa_iface_addr_add(lc, i20, &a, plen), 0);
	CU_ASSERT_EQUAL(ursa_iface_addr_add(lc, i20, &a, plen), -EEXIST);
	CU_ASSERT_PTR_EQUAL(ursa_iface_by_port_vlan(lc, 0, 10), ursa_iface_get(lc, i10));
	CU_ASSERT_PTR_EQUAL(ursa_iface_by_port_vlan(lc, 0, 20), ursa_iface_get(lc, i20));
	CU_ASSERT_PTR_NULL(ursa_iface_by_port_vlan(lc, 0, 0));
	CU_ASSERT_EQUAL(ursa_iface_get(lc, i10)->tenant, 1);
	CU_ASSERT_EQUAL(ursa_iface_get(lc, i20)->tenant, 2);
	CU_ASSERT_EQUAL(ursa_iface_get(lc, i10)->mtu, 1496);
	/* link-local derived from the MAC (modified EUI-64) */
	a = ursa_test_ip("fe80::ff:fe00:1");
	CU_ASSERT_PTR_NOT_NULL(ursa_iface_has_addr(ursa_iface_get(lc, i10), &a));
	dst = ursa_test_ip("fe80::1234");
	CU_ASSERT_EQUAL(ursa_iface_pick_src(ursa_iface_get(lc, i10), &dst, &src), 0);
	CU_ASSERT(ursa_ipaddr_eq(&src, &a));
	dst = ursa_test_ip("fd00::9");
	CU_ASSERT_EQUAL(ursa_iface_pick_src(ursa_iface_get(lc, i10), &dst, &src), -EADDRNOTAVAIL);
	dst = ursa_test_ip("192.168.5.77");
	CU_ASSERT_EQUAL(ursa_iface_pick_src(ursa_iface_get(lc, i20), &dst, &src), 0);
	CU_ASSERT_EQUAL(src.v4, rte_cpu_to_be_32(0xc0a80501));
}

/* ---- ports, stats and fault injection ---- */

static struct rte_mbuf *frame(uint8_t tag)
{
	uint8_t b[60] = {0};

	b[59] = tag;
	return ursa_test_mbuf(lc, b, sizeof(b));
}

static unsigned seen_tags[4096];
static unsigned nseen;

static void count_rx(struct ursa_lcore *l, struct ursa_port *p, struct rte_mbuf **pkts, uint16_t n)
{
	(void)l;
	(void)p;
	for (uint16_t i = 0; i < n; i++) {
		if (nseen < 4096)
			seen_tags[nseen++] = rte_pktmbuf_mtod(pkts[i], uint8_t *)[59];
		rte_pktmbuf_free(pkts[i]);
	}
}

static void test_mem_port_tx_and_stats(void)
{
	struct ursa_port *p = &lc->ports[0];

	for (int i = 0; i < 40; i++)
		ursa_port_tx(lc, p, frame((uint8_t)i));
	CU_ASSERT_EQUAL(ursa_port_flush(lc, p), 40 - URSA_BURST);
	CU_ASSERT_EQUAL(ursa_port_mem_pending(p), 40);
	for (int i = 0; i < 40; i++) {
		struct rte_mbuf *m = ursa_test_tx(lc);

		CU_ASSERT_FATAL(m != NULL);
		CU_ASSERT_EQUAL(rte_pktmbuf_mtod(m, uint8_t *)[59], i);
		rte_pktmbuf_free(m);
	}
	CU_ASSERT_EQUAL(ursa_test_counter(lc, "mem0", "tx_pkts"), 40);
	CU_ASSERT_EQUAL(ursa_test_counter(lc, "mem0", "tx_bytes"), 40 * 60);
}

/* A harness that jumps the virtual clock when idle must not jump past frames still queued
 * on a memory port: idle_budget is 0 until the stack has received them all. */
static void test_idle_budget_rx_pending(void)
{
	struct ursa_port *p = &lc->ports[0];
	uint64_t before = ursa_lcore_idle_budget(lc);

	CU_ASSERT_NOT_EQUAL(before, 0);
	for (int i = 0; i < URSA_BURST + 8; i++) {
		struct rte_mbuf *m = frame((uint8_t)i);

		CU_ASSERT_FATAL(ursa_port_mem_inject(p, &m, 1) == 0);
	}
	CU_ASSERT_EQUAL(ursa_port_mem_rx_pending(p), URSA_BURST + 8);
	CU_ASSERT_EQUAL(ursa_lcore_idle_budget(lc), 0);
	ursa_lcore_poll(lc); /* one burst */
	CU_ASSERT_EQUAL(ursa_port_mem_rx_pending(p), 8);
	CU_ASSERT_EQUAL(ursa_lcore_idle_budget(lc), 0);
	ursa_lcore_poll(lc);
	CU_ASSERT_EQUAL(ursa_port_mem_rx_pending(p), 0);
	CU_ASSERT_EQUAL(ursa_lcore_idle_budget(lc), before);
}

static void test_fault_parse(void)
{
	struct ursa_fault_conf c;
	char err[128];

	CU_ASSERT_EQUAL(ursa_fault_parse("drop=0.05,dup=0.01,reorder=0.05,window=8,corrupt=0.001,"
					 "delay=100us,jitter=2ms,seed=9,skip=14",
					 &c, err, sizeof(err)),
			0);
	CU_ASSERT_DOUBLE_EQUAL(c.drop, 0.05, 1e-12);
	CU_ASSERT_EQUAL(c.reorder_window, 8);
	CU_ASSERT_EQUAL(c.delay_ns, 100000);
	CU_ASSERT_EQUAL(c.jitter_ns, 2000000);
	CU_ASSERT_EQUAL(c.seed, 9);
	CU_ASSERT_EQUAL(c.corrupt_skip, 14);
	CU_ASSERT_EQUAL(ursa_fault_parse("drop=1.5", &c, err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "drop"));
	CU_ASSERT_EQUAL(ursa_fault_parse("lose=0.1", &c, err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "lose"));
	CU_ASSERT_EQUAL(ursa_fault_parse("delay=5parsecs", &c, err, sizeof(err)), -EINVAL);
	CU_ASSERT_EQUAL(ursa_fault_parse("drop", &c, err, sizeof(err)), -EINVAL);
}

static void run_faulted(const char *spec, unsigned n)
{
	struct ursa_fault_conf c;
	struct ursa_port *p = &lc->ports[0];

	CU_ASSERT_EQUAL_FATAL(ursa_fault_parse(spec, &c, NULL, 0), 0);
	CU_ASSERT_EQUAL_FATAL(ursa_port_set_fault(lc, p, URSA_DIR_RX, &c), 0);
	lc->rx_handler = count_rx;
	nseen = 0;
	for (unsigned i = 0; i < n; i++) {
		struct rte_mbuf *m = frame((uint8_t)i);

		ursa_port_mem_inject(p, &m, 1);
		ursa_lcore_poll(lc);
		ursa_clock_advance(&lc->clock, 1000);
	}
	ursa_test_advance(lc, 10 * URSA_NS_PER_MS); /* release everything held */
}

static void test_fault_drop_dup(void)
{
	const struct ursa_fault_counters *fc;

	run_faulted("drop=0.1,dup=0.05,seed=5", 2000);
	fc = ursa_port_fault_counters(&lc->ports[0], URSA_DIR_RX);
	CU_ASSERT_FATAL(fc != NULL);
	CU_ASSERT_EQUAL(fc->in, 2000);
	CU_ASSERT(fc->dropped > 140 && fc->dropped < 260);
	CU_ASSERT(fc->duplicated > 50 && fc->duplicated < 150);
	CU_ASSERT_EQUAL(fc->out, 2000 - fc->dropped + fc->duplicated);
	CU_ASSERT_EQUAL(nseen, fc->out);
}

static void test_fault_reorder_and_seed(void)
{
	unsigned first[256], inversions = 0;
	const struct ursa_fault_counters *fc;

	run_faulted("reorder=0.2,window=3,seed=11", 200);
	fc = ursa_port_fault_counters(&lc->ports[0], URSA_DIR_RX);
	CU_ASSERT_EQUAL(nseen, 200);
	CU_ASSERT(fc->reordered > 20);
	for (unsigned i = 1; i < nseen; i++)
		inversions += seen_tags[i] < seen_tags[i - 1];
	CU_ASSERT(inversions > 10);
	memcpy(first, seen_tags, sizeof(first));
	/* the same seed gives the same order */
	run_faulted("reorder=0.2,window=3,seed=11", 200);
	CU_ASSERT_EQUAL(memcmp(first, seen_tags, 200 * sizeof(unsigned)), 0);
}

static void test_fault_delay_and_corrupt(void)
{
	struct ursa_fault_conf c;
	struct ursa_port *p = &lc->ports[0];
	struct rte_mbuf *m;
	uint8_t zero[60] = {0};

	ursa_fault_parse("delay=5ms,corrupt=1,skip=14,seed=3", &c, NULL, 0);
	ursa_port_set_fault(lc, p, URSA_DIR_TX, &c);
	ursa_port_tx(lc, p, frame(0));
	ursa_port_flush(lc, p);
	CU_ASSERT_EQUAL(ursa_port_mem_pending(p), 0);
	CU_ASSERT_EQUAL(ursa_lcore_idle_budget(lc), 5 * URSA_NS_PER_MS);
	ursa_clock_advance(&lc->clock, 5 * URSA_NS_PER_MS);
	ursa_port_flush(lc, p);
	m = ursa_test_tx(lc);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL(memcmp(rte_pktmbuf_mtod(m, uint8_t *), zero, 14), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(rte_pktmbuf_mtod(m, uint8_t *), zero, 60), 0);
	rte_pktmbuf_free(m);
	ursa_port_set_fault(lc, p, URSA_DIR_TX, NULL);
}

int main(void)
{
	CU_pSuite s = ursa_test_suite("core", setup, teardown);

	CU_add_test(s, "virtual clock", test_virtual_clock);
	CU_add_test(s, "real clock", test_real_clock);
	CU_add_test(s, "rng deterministic", test_rng_deterministic);
	CU_add_test(s, "rng below uniform", test_rng_below_uniform);
	CU_add_test(s, "secret: seeded stream", test_secret_seeded);
	CU_add_test(s, "secret: from the OS", test_secret_os);
	CU_add_test(s, "lcore: no seed unpredictable, a seed replays", test_lcore_seeding);
	CU_add_test(s, "timer order", test_timer_order);
	CU_add_test(s, "timer re-arm in callback", test_timer_rearm_in_callback);
	CU_add_test(s, "timer heap random", test_timer_heap_random);
	CU_add_test(s, "ipaddr parse/match", test_ipaddr);
	CU_add_test(s, "iface (port,vlan) tuple", test_iface_tuple);
	CU_add_test(s, "mem port tx + stats", test_mem_port_tx_and_stats);
	CU_add_test(s, "idle budget 0 while rx is queued", test_idle_budget_rx_pending);
	CU_add_test(s, "fault parse", test_fault_parse);
	CU_add_test(s, "fault drop/dup", test_fault_drop_dup);
	CU_add_test(s, "fault reorder determinism", test_fault_reorder_and_seed);
	CU_add_test(s, "fault delay/corrupt", test_fault_delay_and_corrupt);
	return ursa_test_main();
}
