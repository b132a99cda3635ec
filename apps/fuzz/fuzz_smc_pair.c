/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Two whole stacks back to back on memory ports and virtual clocks, softroce behind
 * stack/rdma, and one SMC connection between them made as the unit tests make it (each side's
 * prepare() output handed to the other's start(), no CLC). The fuzz targets inject received
 * LLC or CDC messages into one side's link as if its QP had received them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>

#include "fuzz_smc_pair.h"
#include "smc_lgr.h"
#include "ursa.h"
#include "ursa_arp.h"
#include "ursa_softroce.h"
#include "ursa_stats.h"

static struct fuzz_smc_side S[2];
static const uint8_t sysid[2][8] = {{1, 1, 1, 1, 1, 1, 1, 1}, {2, 2, 2, 2, 2, 2, 2, 2}};

static void must(int rc, const char *what)
{
	if (rc != 0) {
		fprintf(stderr, "fuzz_smc: %s failed: %d\n", what, rc);
		abort();
	}
}

static void side_up(int i)
{
	struct ursa_lcore_conf conf = {.nb_mbufs = 8191,
				       .seeded = true,
				       .seed = 11 + (uint64_t)i,
				       .virtual_clock = true,
				       .virtual_start_ns = URSA_NS_PER_S,
				       .name = i ? "fuzz1" : "fuzz0"};
	struct rte_ether_addr mac[2] = {{{0x02, 0, 0, 0, 0, 1}}, {{0x02, 0, 0, 0, 0, 2}}};
	struct ursa_iface_conf c = {.port = 0, .tenant = 1, .no_linklocal = true};
	struct ursa_rdma_device *dev;
	struct ursa_ipaddr a, p;
	uint16_t port, ifc;
	uint8_t plen;

	must(ursa_lcore_create(&conf, &S[i].lc), "lcore");
	must(ursa_port_open_mem(S[i].lc, &mac[i], 1500, &port), "port");
	must(ursa_iface_add(S[i].lc, &c, &ifc), "iface");
	must(ursa_ipaddr_parse(i ? "10.7.0.2/24" : "10.7.0.1/24", &a, &plen), "addr");
	must(ursa_iface_addr_add(S[i].lc, ifc, &a, plen), "addr");
	must(ursa_stack_init(S[i].lc), "stack");
	must(ursa_ipaddr_parse(i ? "10.7.0.1/32" : "10.7.0.2/32", &p, &plen), "peer");
	must(ursa_neigh_add_static(S[i].lc, &S[i].lc->ifaces[ifc], &p, &mac[!i]), "neigh");
	must(ursa_rdma_device_open(S[i].lc, &ursa_softroce_provider, "softroce0", NULL, &dev),
	     "softroce");
}

void fuzz_smc_init(const char *name)
{
	char *eal[] = {(char *)name, "--no-huge",      "-m", "512", "--no-shconf",
		       "--no-pci",   "--no-telemetry", "-l", "0",   "--log-level=crit",
		       NULL};

	if (rte_eal_init((int)(sizeof(eal) / sizeof(eal[0])) - 1, eal) < 0) {
		fprintf(stderr, "%s: EAL cannot start: %s\n", name, rte_strerror(rte_errno));
		exit(1);
	}
	side_up(0);
	side_up(1);
}

void fuzz_smc_run(unsigned rounds, unsigned ms)
{
	struct rte_mbuf *m[64];

	for (unsigned r = 0; r < rounds; r++) {
		unsigned moved = 0, n;

		ursa_lcore_poll(S[0].lc);
		ursa_lcore_poll(S[1].lc);
		for (int i = 0; i < 2; i++)
			while ((n = ursa_port_mem_take(&S[i].lc->ports[0], m, 64)) > 0) {
				ursa_port_mem_inject(&S[!i].lc->ports[0], m, n);
				moved += n;
			}
		if (moved == 0)
			break;
	}
	for (unsigned k = 0; k < ms; k++) {
		ursa_clock_advance(&S[0].lc->clock, 1000000);
		ursa_clock_advance(&S[1].lc->clock, 1000000);
		fuzz_smc_run(8, 0);
	}
}

static void on_ready(void *arg, int status)
{
	(void)arg, (void)status;
}

static void connect_pair(void)
{
	struct smc_qp_info qp[2];
	struct smc_rmb_info rmb[2];
	bool first;

	for (int i = 1; i >= 0; i--) {
		struct smc_link_req r = {
			.iface = 0, .tenant = 1, .server = i == 1, .rmb_size = 16384};
		uint8_t plen;

		memcpy(r.peer_id, sysid[!i], 8);
		must(ursa_ipaddr_parse(i ? "10.7.0.1/32" : "10.7.0.2/32", &r.peer, &plen), "peer");
		must(smc_link_prepare(S[i].lc, &r, &S[i].c, &qp[i], &rmb[i], &first), "prepare");
	}
	must(smc_link_start(S[0].c, &qp[1], &rmb[1], on_ready, NULL), "start client");
	must(smc_link_start(S[1].c, &qp[0], &rmb[0], on_ready, NULL), "start server");
	fuzz_smc_run(200, 0);
}

struct fuzz_smc_side *fuzz_smc_side(int i)
{
	if (S[0].c == NULL)
		connect_pair();
	return &S[i];
}

struct smc_link *fuzz_smc_link(int i)
{
	return &fuzz_smc_side(i)->c->lgr->lnk;
}

void fuzz_smc_traffic(unsigned len)
{
	static uint8_t buf[4096];

	if (S[0].c == NULL)
		return;
	memset(buf, 0x5a, sizeof(buf));
	for (int i = 0; i < 2; i++)
		smc_link_send(S[i].c, buf, len % sizeof(buf));
	fuzz_smc_run(50, 0);
	for (int i = 0; i < 2; i++)
		while (smc_link_recv(S[i].c, buf, sizeof(buf), false) > 0)
			;
}

/* FUZZ_SMC_VERBOSE=1: the smc counters of both sides that are not 0 (cumulative), to see
 * how deep the seeds reach. */
static void verbose(void)
{
	static const char *const names[] = {SMC_COUNTERS(URSA_COUNTER_NAME)};

	if (getenv("FUZZ_SMC_VERBOSE") == NULL)
		return;
	for (int i = 0; i < 2; i++) {
		fprintf(stderr, "side %d:", i);
		for (unsigned k = 0; k < SMC_C_MAX; k++)
			if (S[i].lc->smc->c[k] != 0)
				fprintf(stderr, " %s=%llu", names[k],
					(unsigned long long)S[i].lc->smc->c[k]);
		fprintf(stderr, "\n");
	}
}

void fuzz_smc_end(bool abort)
{
	verbose();
	if (S[0].c == NULL)
		return;
	for (int i = 0; i < 2; i++) {
		smc_link_close(S[i].c, abort);
		S[i].c = NULL;
	}
	fuzz_smc_run(100, 0);
}
