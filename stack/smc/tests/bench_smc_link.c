/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * In-process bandwidth of the link side against ursa's own TCP, in one run: two whole stacks
 * on memory ports (the same frames carried the same way), N MiB one way, received and
 * checked, wall-clock time. SMC: RDMA WRITEs + CDCs over softroce into a 256 KiB RMB; TCP:
 * the same stacks' TCP with its default buffers. Both costs include the whole RoCE or TCP
 * engine on both sides on one core, so the ratio says what moving the data by RDMA WRITE
 * saves over TCP segments in ursa itself. Not part of the unit suite ('bench').
 *   bench_smc_link [MiB]   (default 64)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "smc_lgr.h"
#include "ursa_arp.h"
#include "ursa_eth.h"
#include "ursa_ip.h"
#include "ursa_roce.h"
#include "ursa_smc.h"
#include "ursa_softroce.h"
#include "ursa_tcp.h"
#include "ursa_test.h"
#include "ursa_udp.h"

static struct ursa_lcore *L[2];
static struct ursa_ipaddr A[2];
static uint8_t buf[1 << 16], rbuf[1 << 16];

static void host_up(int i)
{
	static const struct rte_ether_addr macs[2] = {URSA_TEST_MAC, URSA_TEST_PEER_MAC};
	struct ursa_iface_conf c = {.port = 0, .tenant = 7, .mac = &macs[i], .no_linklocal = true};
	struct ursa_rdma_device *dev;
	uint16_t ifc;

	L[i] = ursa_test_lcore(40 + (uint64_t)i);
	if (ursa_eth_init(L[i]) || ursa_arp_init(L[i]) || ursa_ip_init(L[i]) ||
	    ursa_udp_init(L[i]) || ursa_tcp_init(L[i]) || ursa_rdma_init(L[i]) ||
	    ursa_roce_init(L[i]) || ursa_smc_init(L[i]) || ursa_iface_add(L[i], &c, &ifc))
		abort();
	A[i] = ursa_test_ip(i ? "10.7.0.2" : "10.7.0.1");
	if (ursa_iface_addr_add(L[i], ifc, &A[i], 24) ||
	    ursa_rdma_device_open(L[i], &ursa_softroce_provider, "softroce0", NULL, &dev))
		abort();
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void step(void)
{
	if (ursa_test_pair_carry(L[0], L[1]) == 0)
		ursa_test_pair_idle(L[0], L[1]);
}

static void on_ready(void *arg, int status)
{
	*(int *)arg = status == 0 ? 1 : -1;
}

static double run_smc(uint64_t total)
{
	struct smc_link_req r[2] = {
		{.iface = 0, .tenant = 7, .rmb_size = 256 << 10},
		{.iface = 0, .tenant = 7, .server = true, .rmb_size = 256 << 10}};
	struct smc_link_conn *c[2];
	struct smc_qp_info qp[2];
	struct smc_rmb_info rmb[2];
	uint64_t sent = 0, got = 0;
	int ready[2] = {0, 0};
	bool first;
	double t0;

	for (int i = 0; i < 2; i++) {
		r[i].peer = A[!i];
		if (smc_link_prepare(L[i], &r[i], &c[i], &qp[i], &rmb[i], &first))
			abort();
	}
	if (smc_link_start(c[0], &qp[1], &rmb[1], on_ready, &ready[0]) ||
	    smc_link_start(c[1], &qp[0], &rmb[0], on_ready, &ready[1]))
		abort();
	while (ready[0] == 0 || ready[1] == 0)
		step();
	t0 = now_s();
	while (got < total) {
		ssize_t n;

		if (sent < total &&
		    (n = smc_link_send(c[0], buf, RTE_MIN(sizeof(buf), total - sent))) > 0)
			sent += (uint64_t)n;
		while ((n = smc_link_recv(c[1], rbuf, sizeof(rbuf), false)) > 0)
			got += (uint64_t)n;
		step();
	}
	t0 = now_s() - t0;
	smc_link_close(c[0], false);
	smc_link_close(c[1], false);
	for (int k = 0; k < 100; k++)
		step();
	return t0;
}

static double run_tcp(uint64_t total)
{
	struct ursa_tcp_pcb *l, *c, *s = NULL;
	uint64_t sent = 0, got = 0;
	double t0;

	if (ursa_tcp_create(L[1], 7, -1, AF_INET, &l) || ursa_tcp_bind(L[1], l, NULL, 5001) ||
	    ursa_tcp_listen(L[1], l, 4) || ursa_tcp_create(L[0], 7, -1, AF_INET, &c) ||
	    ursa_tcp_connect(L[0], c, &A[1], 5001))
		abort();
	while (ursa_tcp_accept(L[1], l, &s) != 0)
		step();
	t0 = now_s();
	while (got < total) {
		ssize_t n;

		if (sent < total &&
		    (n = ursa_tcp_send(L[0], c, buf, RTE_MIN(sizeof(buf), total - sent), 0)) > 0)
			sent += (uint64_t)n;
		while ((n = ursa_tcp_recv(L[1], s, rbuf, sizeof(rbuf), 0)) > 0)
			got += (uint64_t)n;
		step();
	}
	return now_s() - t0;
}

static uint64_t mib = 64;

static void bench(void)
{
	uint64_t total = mib << 20;
	double ts, tt;

	host_up(0);
	host_up(1);
	memset(buf, 0x3c, sizeof(buf));
	tt = run_tcp(total);
	ts = run_smc(total);
	printf("{\"mib\": %llu, \"tcp_s\": %.3f, \"tcp_gbit\": %.2f, \"smc_s\": %.3f, "
	       "\"smc_gbit\": %.2f, \"smc_over_tcp\": %.2f}\n",
	       (unsigned long long)mib, tt, (double)total * 8 / tt / 1e9, ts,
	       (double)total * 8 / ts / 1e9, tt / ts);
	ursa_lcore_destroy(L[0]);
	ursa_lcore_destroy(L[1]);
}

int main(int argc, char **argv)
{
	CU_pSuite s = ursa_test_suite("smc_link_bench", NULL, NULL);

	if (argc > 1)
		mib = strtoull(argv[1], NULL, 0);
	CU_add_test(s, "SMC vs TCP, one way", bench);
	return ursa_test_main();
}
