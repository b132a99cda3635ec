/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ursa's CDC messages as tshark reads them: two stacks run a connection (CONFIRM_LINK, data
 * both ways, close) with every frame recorded in a pcap; tshark (InfiniBand on UDP 4791, its
 * SMC dissector) must decode every CDC ursa sent, with ursa's tokens and sequence numbers,
 * the close flag, and no malformed packet. tshark does not decode v2 LLC, so LLC is not
 * checked here. Exits 77 when tshark is missing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

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
static pcap_dumper_t *dump;
static char path[] = "/tmp/ursa-smc-tshark-XXXXXX";

static void host_up(int i)
{
	static const struct rte_ether_addr macs[2] = {URSA_TEST_MAC, URSA_TEST_PEER_MAC};
	struct ursa_iface_conf c = {.port = 0, .tenant = 7, .mac = &macs[i], .no_linklocal = true};
	struct ursa_rdma_device *dev;
	uint16_t ifc;

	L[i] = ursa_test_lcore(60 + (uint64_t)i);
	CU_ASSERT_FATAL(ursa_eth_init(L[i]) == 0 && ursa_arp_init(L[i]) == 0 &&
			ursa_ip_init(L[i]) == 0 && ursa_udp_init(L[i]) == 0 &&
			ursa_tcp_init(L[i]) == 0 && ursa_rdma_init(L[i]) == 0 &&
			ursa_roce_init(L[i]) == 0 && ursa_smc_init(L[i]) == 0);
	CU_ASSERT_FATAL(ursa_iface_add(L[i], &c, &ifc) == 0);
	A[i] = ursa_test_ip(i ? "10.7.0.2" : "10.7.0.1");
	CU_ASSERT_FATAL(ursa_iface_addr_add(L[i], ifc, &A[i], 24) == 0);
	CU_ASSERT_FATAL(
		ursa_rdma_device_open(L[i], &ursa_softroce_provider, "softroce0", NULL, &dev) == 0);
}

static bool record(int from, struct rte_mbuf *m, void *arg)
{
	struct pcap_pkthdr h = {.caplen = rte_pktmbuf_data_len(m), .len = rte_pktmbuf_pkt_len(m)};
	uint64_t ns = ursa_now(L[from]);

	RTE_SET_USED(arg);
	h.ts.tv_sec = (time_t)(ns / 1000000000);
	h.ts.tv_usec = (suseconds_t)(ns % 1000000000 / 1000);
	pcap_dump((u_char *)dump, &h, rte_pktmbuf_mtod(m, const u_char *));
	return true;
}

static void run(unsigned rounds)
{
	for (unsigned k = 0; k < rounds; k++)
		if (ursa_test_pair_pump(L[0], L[1], record, NULL, 8) == 0 &&
		    !ursa_test_pair_idle(L[0], L[1]))
			break;
}

static void on_ready(void *arg, int status)
{
	*(int *)arg = status == 0 ? 1 : -1;
}

/* tshark's CDCs of the capture, one "token<TAB>seq<TAB>flags<TAB>" line each, into out;
 * malformed packets give lines with no token (or the malformed marker). */
static int tshark_cdcs(char *out, size_t cap, unsigned *malformed)
{
	char cmd[512];
	FILE *p;
	size_t n;

	snprintf(cmd, sizeof(cmd),
		 "tshark -r %s -d udp.port==4791,infiniband --disable-heuristic "
		 "rpcrdma_infiniband -Y 'smc.llc_msg == 0xfe || _ws.malformed' -T fields "
		 "-e smc.rmbe.ctrl.alert.token -e smc.rmbe.ctrl.seqno "
		 "-e smc.rmbe.ctrl.peer.conn.state.flags -e _ws.malformed 2>/dev/null",
		 path);
	if ((p = popen(cmd, "r")) == NULL)
		return -errno;
	n = fread(out, 1, cap - 1, p);
	out[n] = 0;
	pclose(p);
	*malformed = out[0] == '\t';
	for (const char *l = out; (l = strchr(l, '\n')) != NULL; l++)
		*malformed += l[1] == '\t';
	*malformed += strstr(out, "alformed") != NULL;
	return 0;
}

static void test_tshark_cdc(void)
{
	struct smc_link_req r[2] = {{.iface = 0, .tenant = 7, .rmb_size = 16384},
				    {.iface = 0, .tenant = 7, .server = true, .rmb_size = 16384}};
	static char out[1 << 20];
	static uint8_t buf[40000];
	struct smc_link_conn *c[2];
	pcap_t *pd;
	struct smc_qp_info qp[2];
	struct smc_rmb_info rmb[2];
	int ready[2] = {0, 0}, fd;
	unsigned malformed, lines = 0, closed = 0;
	uint64_t cdcs;
	char want[64];
	bool first;

	host_up(0);
	host_up(1);
	fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	pd = pcap_open_dead(DLT_EN10MB, 65535);
	dump = pcap_dump_open(pd, path);
	CU_ASSERT_FATAL(dump != NULL);
	for (int i = 0; i < 2; i++) {
		r[i].peer = A[!i];
		CU_ASSERT_FATAL(smc_link_prepare(L[i], &r[i], &c[i], &qp[i], &rmb[i], &first) == 0);
	}
	CU_ASSERT_FATAL(smc_link_start(c[0], &qp[1], &rmb[1], on_ready, &ready[0]) == 0);
	CU_ASSERT_FATAL(smc_link_start(c[1], &qp[0], &rmb[0], on_ready, &ready[1]) == 0);
	run(100);
	CU_ASSERT_FATAL(ready[0] == 1 && ready[1] == 1);
	memset(buf, 0x42, sizeof(buf));
	for (int k = 0; k < 4; k++) {
		CU_ASSERT(smc_link_send(c[k & 1], buf, 5000 + 3000 * (size_t)k) > 0);
		run(50);
		CU_ASSERT(smc_link_recv(c[!(k & 1)], buf, sizeof(buf), false) > 0);
		run(50);
	}
	CU_ASSERT_EQUAL(smc_link_close(c[0], false), 0);
	run(50);
	CU_ASSERT_EQUAL(smc_link_close(c[1], false), 0);
	run(50);
	pcap_dump_close(dump);
	pcap_close(pd);
	cdcs = ursa_test_counter(L[0], "smc", "cdc_tx") + ursa_test_counter(L[1], "smc", "cdc_tx");
	CU_ASSERT_FATAL(tshark_cdcs(out, sizeof(out), &malformed) == 0);
	CU_ASSERT_EQUAL(malformed, 0);
	for (const char *l = out; (l = strchr(l, '\n')) != NULL; l++)
		lines++;
	for (const char *l = out; (l = strstr(l, "\t0x40\t")) != NULL; l++)
		closed++;
	CU_ASSERT_EQUAL(lines, cdcs);
	CU_ASSERT(cdcs >= 6);
	CU_ASSERT_EQUAL(closed, 2); /* each side's close CDC */
	/* ursa's tokens, as each side announced them, with sequence numbers from 1 */
	snprintf(want, sizeof(want), "0x%08x\t0x0001\t", rmb[1].token);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, want));
	snprintf(want, sizeof(want), "0x%08x\t0x0001\t", rmb[0].token);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, want));
	unlink(path);
	ursa_lcore_destroy(L[0]);
	ursa_lcore_destroy(L[1]);
}

int main(void)
{
	CU_pSuite s;

	if (system("tshark -v >/dev/null 2>&1") != 0) {
		fprintf(stderr, "test_smc_tshark: no tshark on this machine\n");
		return 77;
	}
	s = ursa_test_suite("smc_tshark", NULL, NULL);
	CU_add_test(s, "tshark decodes every CDC, none malformed", test_tshark_cdc);
	return ursa_test_main();
}
