/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Software dispatch between shards (stack/core/dispatch.c) and the memory ports' software
 * RSS: linking, the hand-over of a frame rewound to its Ethernet header, the mark that stops
 * a second hand-over, the inbox drained at the start of a poll, the counters (out, in,
 * drop_ring_full) and the Toeplitz hash against the Microsoft RSS verification vector.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pthread.h>
#include <unistd.h>

#include "ursa_test.h"
#include "ursa_wait.h"

#define NB 3

static struct ursa_lcore *sh[NB];

/* What each shard's receive handler saw, and what it did. */
static struct {
	unsigned frames, marked;
	uint8_t first[64];
	unsigned first_len;
	unsigned to; /* shard to hand every unmarked frame to */
	bool dispatch_again_refused;
} seen[NB];

static void rx(struct ursa_lcore *lc, struct ursa_port *p, struct rte_mbuf **pkts, uint16_t n)
{
	(void)p;
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		bool marked = (ursa_pkt_meta(m)->rx_flags & URSA_RX_DISPATCHED) != 0;

		if (seen[lc->shard].frames++ == 0) {
			seen[lc->shard].first_len = RTE_MIN(rte_pktmbuf_data_len(m), 64u);
			memcpy(seen[lc->shard].first, rte_pktmbuf_mtod(m, void *),
			       seen[lc->shard].first_len);
		}
		/* as a layer would: past the headers it read before it knew the owner */
		rte_pktmbuf_adj(m, 34);
		if (marked) {
			seen[lc->shard].marked++;
			seen[lc->shard].dispatch_again_refused = !ursa_lcore_dispatch(lc, m, 0);
			rte_pktmbuf_free(m);
		} else if (!ursa_lcore_dispatch(lc, m, seen[lc->shard].to)) {
			rte_pktmbuf_free(m);
		}
	}
}

static struct ursa_lcore *shard_clock(unsigned k, uint16_t nb, bool virtual_clock)
{
	char name[16];
	struct ursa_lcore_conf c = {.nb_mbufs = 8191,
				    .seeded = true,
				    .seed = k,
				    .virtual_clock = virtual_clock,
				    .virtual_start_ns = URSA_TEST_T0,
				    .name = name,
				    .shard = (uint16_t)k,
				    .nb_shards = nb};
	struct rte_ether_addr mac = URSA_TEST_MAC;
	struct ursa_lcore *lc;
	uint16_t port;

	snprintf(name, sizeof(name), "dsp%u_%u%s", nb, k, virtual_clock ? "" : "r");
	CU_ASSERT_FATAL(ursa_lcore_create(&c, &lc) == 0);
	CU_ASSERT_FATAL(ursa_port_open_mem(lc, &mac, 1500, &port) == 0);
	lc->rx_handler = rx;
	return lc;
}

static struct ursa_lcore *shard(unsigned k, uint16_t nb)
{
	return shard_clock(k, nb, true);
}

static struct rte_mbuf *frame(struct ursa_lcore *lc, uint8_t tag)
{
	uint8_t f[60];

	for (unsigned i = 0; i < sizeof(f); i++)
		f[i] = (uint8_t)(i * 3 + tag);
	return ursa_test_mbuf(lc, f, sizeof(f));
}

static void test_link(void)
{
	struct ursa_lcore *lone = shard(0, 1);
	struct ursa_lcore *two[2];
	struct rte_mbuf *m = frame(lone, 0);

	/* a lone lcore keeps every frame */
	CU_ASSERT_FALSE(ursa_lcore_dispatch(lone, m, 0));
	CU_ASSERT_FALSE(ursa_lcore_dispatch(lone, m, 1));
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(ursa_lcore_link_shards(&lone, 1), -EINVAL);
	two[1] = shard(0, 2);
	two[0] = shard(1, 2);
	CU_ASSERT_EQUAL(ursa_lcore_link_shards(two, 2), -EINVAL); /* out of order */
	RTE_SWAP(two[0], two[1]);
	CU_ASSERT_EQUAL(ursa_lcore_link_shards(two, 2), 0);
	CU_ASSERT_EQUAL(ursa_lcore_link_shards(two, 2), -EINVAL); /* linked already */
	ursa_lcore_destroy(lone);
	ursa_lcore_destroy(two[0]);
	ursa_lcore_destroy(two[1]);
}

static void test_hand_over(void)
{
	struct rte_mbuf *m;
	uint8_t want[60];

	memset(seen, 0, sizeof(seen));
	for (unsigned k = 0; k < NB; k++)
		sh[k] = shard(k, NB);
	CU_ASSERT_FATAL(ursa_lcore_link_shards(sh, NB) == 0);
	seen[0].to = 2;
	seen[2].to = 2; /* its own: kept */
	m = frame(sh[0], 9);
	memcpy(want, rte_pktmbuf_mtod(m, void *), sizeof(want));
	ursa_lcore_input(sh[0], &sh[0]->ports[0], &m, 1);
	CU_ASSERT_EQUAL(ursa_test_counter(sh[0], "dispatch", "out"), 1);
	CU_ASSERT_EQUAL(ursa_lcore_idle_budget(sh[2]), 0); /* a frame waits in its inbox */
	CU_ASSERT_EQUAL(seen[2].frames, 0);
	ursa_lcore_poll(sh[2]);
	CU_ASSERT_EQUAL(ursa_test_counter(sh[2], "dispatch", "in"), 1);
	CU_ASSERT_EQUAL(seen[2].frames, 1);
	CU_ASSERT_EQUAL(seen[2].marked, 1);
	CU_ASSERT_TRUE(seen[2].dispatch_again_refused);
	/* received again from its Ethernet header, as the port gave it */
	CU_ASSERT_EQUAL(seen[2].first_len, 60);
	CU_ASSERT_EQUAL(memcmp(seen[2].first, want, 60), 0);
	CU_ASSERT_EQUAL(ursa_test_counter(sh[1], "dispatch", "in"), 0);
	CU_ASSERT_EQUAL(ursa_lcore_idle_budget(sh[2]), UINT64_MAX);

	/* a frame handed to the layers directly (as replays do) has no L2 start to go back
	 * to: it stays */
	m = frame(sh[0], 2);
	memset(ursa_pkt_meta(m), 0, sizeof(struct ursa_pkt_meta));
	sh[0]->rx_handler(sh[0], &sh[0]->ports[0], &m, 1);
	CU_ASSERT_EQUAL(ursa_test_counter(sh[0], "dispatch", "out"), 1);
	CU_ASSERT_EQUAL(seen[0].frames, 2);

	/* a frame for its own shard stays */
	m = frame(sh[2], 1);
	ursa_lcore_input(sh[2], &sh[2]->ports[0], &m, 1);
	CU_ASSERT_EQUAL(ursa_test_counter(sh[2], "dispatch", "out"), 0);
	CU_ASSERT_EQUAL(seen[2].frames, 2);
	CU_ASSERT_EQUAL(seen[2].marked, 1);
}

static uint64_t mono_ns(void);

struct napper {
	struct ursa_lcore *lc;
	struct ursa_wake wake;
	int rc;
	uint64_t woke_ns;
};

static void *nap_thread(void *arg)
{
	struct napper *n = arg;

	n->rc = ursa_lcore_wait(n->lc, 20 * URSA_NS_PER_S, &n->wake);
	n->woke_ns = mono_ns();
	return NULL;
}

/* A shard napping in ursa_lcore_wait wakes when another shard hands it a frame: its naps
 * here last 10 s, so only the hand-over's notification can end the wait early. */
static void test_wakes_napping_shard(void)
{
	struct ursa_lcore *two[2] = {shard_clock(0, 2, false), shard_clock(1, 2, false)};
	struct ursa_wait_policy pol;
	struct napper n = {.lc = two[1], .rc = -1};
	struct rte_mbuf *m;
	pthread_t t;
	uint64_t sent_ns;

	memset(seen, 0, sizeof(seen));
	CU_ASSERT_FATAL(ursa_lcore_link_shards(two, 2) == 0);
	ursa_wait_policy_default(&pol);
	pol.busy_polls = 0;
	pol.hot_ns = 0;
	pol.nap_min_ns = pol.nap_max_ns = 10 * URSA_NS_PER_S;
	CU_ASSERT_FATAL(ursa_lcore_set_wait_policy(two[1], &pol) == 0);
	seen[0].to = 1;
	seen[1].to = 1;
	CU_ASSERT_FATAL(pthread_create(&t, NULL, nap_thread, &n) == 0);
	usleep(200 * 1000); /* well into its first nap */
	m = frame(two[0], 5);
	sent_ns = mono_ns();
	ursa_lcore_input(two[0], &two[0]->ports[0], &m, 1);
	CU_ASSERT_EQUAL(ursa_test_counter(two[0], "dispatch", "out"), 1);
	pthread_join(t, NULL);
	CU_ASSERT_EQUAL(n.rc, 0);
	CU_ASSERT_EQUAL(n.wake.reason, URSA_WAKE_WORK);
	CU_ASSERT_EQUAL(seen[1].frames, 1);
	CU_ASSERT_EQUAL(ursa_test_counter(two[1], "dispatch", "in"), 1);
	/* woken, not at the nap's end (10 s): even a loaded machine runs it within seconds */
	CU_ASSERT(n.woke_ns - sent_ns < 5 * URSA_NS_PER_S);
	if (getenv("URSA_DISPATCH_REPORT"))
		printf("\n  napping shard woke %.1f us after the hand-over\n",
		       (double)(n.woke_ns - sent_ns) / 1e3);
	ursa_lcore_destroy(two[0]);
	ursa_lcore_destroy(two[1]);
}

/* The inbox holds 4095 frames; the rest are dropped and counted, and the pool gets them
 * back. */
static void test_ring_full(void)
{
	unsigned avail = rte_mempool_avail_count(sh[0]->pool);
	unsigned polls = 0;

	seen[0].to = 1;
	seen[1].frames = seen[1].marked = 0;
	for (unsigned i = 0; i < 4100; i++) {
		struct rte_mbuf *m = frame(sh[0], (uint8_t)i);

		CU_ASSERT_FATAL(m != NULL);
		ursa_lcore_input(sh[0], &sh[0]->ports[0], &m, 1);
	}
	CU_ASSERT_EQUAL(ursa_test_counter(sh[0], "dispatch", "out"), 1 + 4095);
	CU_ASSERT_EQUAL(ursa_test_counter(sh[0], "dispatch", "drop_ring_full"), 5);
	while (ursa_lcore_poll(sh[1]) > 0)
		polls++;
	CU_ASSERT_EQUAL(polls, (4095 + URSA_BURST - 1) / URSA_BURST);
	CU_ASSERT_EQUAL(ursa_test_counter(sh[1], "dispatch", "in"), 4095);
	CU_ASSERT_EQUAL(seen[1].marked, 4095);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(sh[0]->pool), avail);
	for (unsigned k = 0; k < NB; k++)
		ursa_lcore_destroy(sh[k]);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ns per frame through ursa_lcore_input and the handler of shard 0, then (when handed over)
 * shard 1's poll and handler: the frames stay (to = 0) or go to shard 1 (to = 1). */
static double run_frames(unsigned to, unsigned n)
{
	uint64_t t0;

	seen[0].to = to;
	t0 = mono_ns();
	for (unsigned i = 0; i < n; i += URSA_BURST) {
		struct rte_mbuf *v[URSA_BURST];

		for (unsigned j = 0; j < URSA_BURST; j++)
			v[j] = frame(sh[0], (uint8_t)j);
		ursa_lcore_input(sh[0], &sh[0]->ports[0], v, URSA_BURST);
		ursa_lcore_poll(sh[1]);
	}
	return (double)(mono_ns() - t0) / n;
}

/* URSA_DISPATCH_REPORT=1: what a hand-over adds per frame (one thread plays both shards,
 * so the ring's cache-line transfer between cores is not in this figure). */
static void test_cost(void)
{
	const unsigned n = 1u << 20;
	double keep, hand;

	memset(seen, 0, sizeof(seen));
	for (unsigned k = 0; k < NB; k++)
		sh[k] = shard(k, NB);
	CU_ASSERT_FATAL(ursa_lcore_link_shards(sh, NB) == 0);
	keep = run_frames(0, n);
	hand = run_frames(1, n);
	CU_ASSERT_EQUAL(ursa_test_counter(sh[0], "dispatch", "out"), n);
	CU_ASSERT_EQUAL(ursa_test_counter(sh[1], "dispatch", "in"), n);
	CU_ASSERT_EQUAL(ursa_test_counter(sh[0], "dispatch", "drop_ring_full"), 0);
	if (getenv("URSA_DISPATCH_REPORT"))
		printf("\nper frame: kept %.1f ns, handed over %.1f ns (+%.1f ns)\n", keep, hand,
		       hand - keep);
	for (unsigned k = 0; k < NB; k++)
		ursa_lcore_destroy(sh[k]);
}

/* Microsoft's RSS verification suite, IPv4 with TCP: 66.9.149.187:2794 -> 161.142.100.80:1766
 * hashes to 0x51ccc178; the queue is its low 7 bits through a round-robin table. */
static void test_rss(void)
{
	struct ursa_lcore *lc = ursa_test_lcore(5);
	uint8_t f[54] = {0};
	struct rte_mbuf *m;

	f[12] = 0x08;
	f[14] = 0x45;
	f[14 + 9] = 6;
	memcpy(f + 26, (uint8_t[]){66, 9, 149, 187, 161, 142, 100, 80}, 8);
	f[34] = 2794 >> 8, f[35] = 2794 & 0xff, f[36] = 1766 >> 8, f[37] = 1766 & 0xff;
	m = ursa_test_mbuf(lc, f, sizeof(f));
	CU_ASSERT_EQUAL(ursa_port_mem_rss(m, 128), 0x78);
	CU_ASSERT_EQUAL(ursa_port_mem_rss(m, 3), 0x78 % 3);
	CU_ASSERT_EQUAL(ursa_port_mem_rss(m, 1), 0);
	rte_pktmbuf_free(m);
	f[12] = 0x08, f[13] = 0x06; /* ARP: queue 0 */
	m = ursa_test_mbuf(lc, f, sizeof(f));
	CU_ASSERT_EQUAL(ursa_port_mem_rss(m, 4), 0);
	rte_pktmbuf_free(m);
	ursa_lcore_destroy(lc);
}

int main(void)
{
	CU_pSuite s;

	s = ursa_test_suite("dispatch", NULL, NULL);
	CU_add_test(s, "link", test_link);
	CU_add_test(s, "hand over", test_hand_over);
	CU_add_test(s, "ring full", test_ring_full);
	CU_add_test(s, "wakes a napping shard", test_wakes_napping_shard);
	CU_add_test(s, "software rss", test_rss);
	CU_add_test(s, "cost", test_cost);
	return ursa_test_main();
}
