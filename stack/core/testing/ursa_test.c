/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>

#include "ursa_eal.h"
#include "ursa_test.h"

static int eal_started; /* test support only: one EAL per test process */

void ursa_test_eal(void)
{
	struct ursa_eal_args a;
	int rc;

	if (eal_started)
		return;
	rc = ursa_eal_args_init(&a, "ursa-test", 256, "0", "error");
	if (rc != 0) {
		fprintf(stderr, "SKIP: no EAL arguments here (%s%s%s)\n", strerror(-rc),
			a.why[0] ? ": " : "", a.why);
		exit(77);
	}
	ursa_eal_args_report(&a);
	if (rte_eal_init(a.argc, a.argv) < 0) {
		fprintf(stderr, "SKIP: DPDK EAL cannot start here (%s)\n", rte_strerror(rte_errno));
		exit(77);
	}
	eal_started = 1;
}

static struct ursa_lcore *test_lcore(bool seeded, uint64_t seed)
{
	static unsigned serial; /* unique mempool names within the process */
	char name[32];
	struct ursa_lcore_conf conf = {
		.nb_mbufs = 4095,
		.seeded = seeded,
		.seed = seed,
		.virtual_clock = true,
		.virtual_start_ns = URSA_TEST_T0,
		.name = name,
	};
	struct rte_ether_addr mac = URSA_TEST_MAC;
	struct ursa_lcore *lc;
	uint16_t port;

	ursa_test_eal();
	snprintf(name, sizeof(name), "t%u", serial++);
	if (ursa_lcore_create(&conf, &lc) != 0)
		return NULL;
	if (ursa_port_open_mem(lc, &mac, 1500, &port) != 0) {
		ursa_lcore_destroy(lc);
		return NULL;
	}
	return lc;
}

struct ursa_lcore *ursa_test_lcore(uint64_t seed)
{
	return test_lcore(true, seed);
}

struct ursa_lcore *ursa_test_lcore_unseeded(void)
{
	return test_lcore(false, 0);
}

struct rte_mbuf *ursa_test_mbuf(struct ursa_lcore *lc, const void *data, size_t len)
{
	struct rte_mbuf *m = ursa_pkt_alloc(lc);
	char *p;

	if (m == NULL)
		return NULL;
	p = rte_pktmbuf_append(m, (uint16_t)len);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memcpy(p, data, len);
	return m;
}

struct rte_mbuf *ursa_test_mbuf_hex(struct ursa_lcore *lc, const char *hex)
{
	uint8_t buf[9216];
	long n = ursa_test_hex(hex, buf, sizeof(buf));

	return n < 0 ? NULL : ursa_test_mbuf(lc, buf, (size_t)n);
}

void ursa_test_rx(struct ursa_lcore *lc, struct rte_mbuf *m)
{
	ursa_port_mem_inject(&lc->ports[0], &m, 1);
	ursa_lcore_poll(lc);
}

struct rte_mbuf *ursa_test_tx(struct ursa_lcore *lc)
{
	struct rte_mbuf *m;

	ursa_port_flush(lc, &lc->ports[0]);
	return ursa_port_mem_take(&lc->ports[0], &m, 1) ? m : NULL;
}

void ursa_test_rx_bytes(struct ursa_lcore *lc, const void *b, size_t len)
{
	struct rte_mbuf *m = ursa_test_mbuf(lc, b, len);

	CU_ASSERT_FATAL(m != NULL);
	ursa_test_rx(lc, m);
}

size_t ursa_test_tx_copy(struct ursa_lcore *lc, void *buf, size_t cap)
{
	struct rte_mbuf *m = ursa_test_tx(lc);
	size_t len;
	const void *p;

	if (m == NULL)
		return 0;
	len = rte_pktmbuf_pkt_len(m);
	CU_ASSERT_FATAL(len <= cap);
	p = rte_pktmbuf_read(m, 0, (uint32_t)len, buf);
	if (p != buf)
		memcpy(buf, p, len);
	rte_pktmbuf_free(m);
	return len;
}

unsigned ursa_test_tx_drain(struct ursa_lcore *lc)
{
	struct rte_mbuf *m;
	unsigned n = 0;

	while ((m = ursa_test_tx(lc)) != NULL) {
		rte_pktmbuf_free(m);
		n++;
	}
	return n;
}

void ursa_test_advance(struct ursa_lcore *lc, uint64_t ns)
{
	uint64_t end = ursa_now(lc) + ns;

	for (;;) {
		uint64_t next = ursa_timer_next(lc);

		if (next > end)
			break;
		ursa_clock_set(&lc->clock, next);
		ursa_lcore_poll(lc);
	}
	ursa_clock_set(&lc->clock, end);
	ursa_lcore_poll(lc);
}

uint64_t ursa_test_counter(struct ursa_lcore *lc, const char *block, const char *name)
{
	uint64_t v = 0;

	if (ursa_stats_get(lc, block, name, &v) != 0)
		return 0;
	return v;
}

CU_pSuite ursa_test_suite(const char *name, CU_InitializeFunc init, CU_CleanupFunc fini)
{
	CU_pSuite s;

	ursa_test_eal();
	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "CUnit cannot start\n");
		exit(1);
	}
	s = CU_add_suite(name, init, fini);
	if (s == NULL) {
		fprintf(stderr, "CUnit cannot add suite %s\n", name);
		exit(1);
	}
	return s;
}

int ursa_test_main(void)
{
	unsigned failed;

	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
