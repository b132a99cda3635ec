/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A whole SMC-R connection between two in-process stacks (memory ports back to back, virtual
 * clocks, softroce behind stack/rdma): IPPROTO_SMC sockets, the SMC option in SYN and
 * SYN-ACK, CLC Proposal / Accept / Confirm (stack/smc/smc_conn.c), the link's first contact
 * (CONFIRM_LINK) and then data both ways by RDMA WRITE and CDC (the link side), verified byte
 * for byte, while the TCP connection carries no payload after the CLC. A second connection
 * reuses the link group. Then the same with no UEID in common: fallback to TCP on the same
 * connection, the reason readable by getsockopt, the bytes intact.
 */
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "ursa_arp.h"
#include "ursa_eth.h"
#include "ursa_ip.h"
#include "ursa_rdma.h"
#include "ursa_roce.h"
#include "ursa_smc.h"
#include "ursa_sock.h"
#include "ursa_softroce.h"
#include "ursa_tcp.h"
#include "ursa_test.h"
#include "ursa_udp.h"

static struct ursa_lcore *H[2]; /* [0] server 10.7.0.1, [1] client 10.7.0.2 */
static const struct rte_ether_addr macs[2] = {URSA_TEST_MAC, URSA_TEST_PEER_MAC};

static int host_up(int i)
{
	struct ursa_iface_conf c = {.port = 0, .mac = &macs[i], .no_linklocal = true};
	struct ursa_rdma_device *dev;
	struct ursa_smc_conf sc;
	struct ursa_ipaddr a;
	uint16_t ifi;
	char s[32];

	H[i] = ursa_test_lcore(700 + (uint64_t)i);
	if (H[i] == NULL || ursa_eth_init(H[i]) || ursa_arp_init(H[i]) || ursa_ip_init(H[i]) ||
	    ursa_udp_init(H[i]) || ursa_tcp_init(H[i]) || ursa_rdma_init(H[i]) ||
	    ursa_roce_init(H[i]) || ursa_smc_init(H[i]) || ursa_sock_init(H[i]) ||
	    ursa_iface_add(H[i], &c, &ifi))
		return -1;
	snprintf(s, sizeof(s), "10.7.0.%d", i + 1);
	if (ursa_ipaddr_parse(s, &a, NULL) != 0 || ursa_iface_addr_add(H[i], ifi, &a, 24) ||
	    ursa_rdma_device_open(H[i], &ursa_softroce_provider, "softroce0", NULL, &dev))
		return -1;
	ursa_smc_conf_default(&sc);
	strcpy(sc.ueid[0], "URSA-E2E");
	sc.nb_ueid = 1;
	return ursa_smc_set_conf(H[i], &sc);
}

static int setup(void)
{
	return host_up(0) || host_up(1);
}

static int teardown(void)
{
	ursa_lcore_destroy(H[0]);
	ursa_lcore_destroy(H[1]);
	return 0;
}

static void step(void)
{
	ursa_test_pair_step(H[0], H[1]);
}

static int listener(uint16_t port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
	int fd = ursa_socket(H[0], AF_INET, SOCK_STREAM, IPPROTO_SMC);

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(ursa_bind(H[0], fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	CU_ASSERT_EQUAL(ursa_listen(H[0], fd, 8), 0);
	return fd;
}

/* Connect the client to port; returns the accepted handle, the client's in *cfd. */
static int connect_smc(uint16_t port, int lfd, int *cfd)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
	int afd = -EAGAIN, rc = -EINPROGRESS;

	sa.sin_addr.s_addr = htonl(0x0a070001);
	*cfd = ursa_socket(H[1], AF_INET, SOCK_STREAM, IPPROTO_SMC);
	CU_ASSERT_FATAL(*cfd >= 0);
	CU_ASSERT_EQUAL(ursa_connect(H[1], *cfd, (struct sockaddr *)&sa, sizeof(sa)), -EINPROGRESS);
	for (int k = 0; k < 20000 && (afd < 0 || rc != 0); k++) {
		step();
		if (afd < 0)
			afd = ursa_accept(H[0], lfd, NULL, NULL);
		if (rc != 0)
			rc = ursa_connect(H[1], *cfd, (struct sockaddr *)&sa, sizeof(sa));
	}
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_FATAL(afd >= 0);
	return afd;
}

static uint8_t pat(size_t k, uint8_t seed)
{
	return (uint8_t)((k * 2654435761u >> 7) + seed);
}

/* Move n bytes from (sl, sfd) to (rl, rfd) through the sockets, verify each. */
static void transfer(struct ursa_lcore *sl, int sfd, struct ursa_lcore *rl, int rfd, size_t n,
		     uint8_t seed)
{
	static uint8_t out[8192], in[8192];
	size_t sent = 0, got = 0;

	for (int k = 0; k < 200000 && got < n; k++) {
		if (sent < n) {
			size_t m = n - sent < sizeof(out) ? n - sent : sizeof(out);
			ssize_t r;

			for (size_t i = 0; i < m; i++)
				out[i] = pat(sent + i, seed);
			r = ursa_send(sl, sfd, out, m, 0);
			if (r > 0)
				sent += (size_t)r;
			else
				CU_ASSERT_EQUAL_FATAL(r, -EAGAIN);
		}
		for (;;) {
			ssize_t r = ursa_recv(rl, rfd, in, sizeof(in), 0);

			if (r <= 0) {
				CU_ASSERT_EQUAL_FATAL(r, -EAGAIN);
				break;
			}
			for (ssize_t i = 0; i < r; i++)
				if (in[i] != pat(got + (size_t)i, seed)) {
					CU_FAIL_FATAL("a byte differs");
				}
			got += (size_t)r;
		}
		step();
	}
	CU_ASSERT_EQUAL(sent, n);
	CU_ASSERT_EQUAL(got, n);
}

static int reason(struct ursa_lcore *lc, int fd)
{
	int v = -1;
	socklen_t l = sizeof(v);

	CU_ASSERT_EQUAL(ursa_getsockopt(lc, fd, SOL_SMC, URSA_SMC_FALLBACK_REASON, &v, &l), 0);
	return v;
}

static uint64_t ctr(int h, const char *name)
{
	return ursa_test_counter(H[h], "smc", name);
}

static void test_smc_connection(void)
{
	struct ursa_tcp_info ti;
	int lfd = listener(12345), cfd, afd, cfd2, afd2;

	afd = connect_smc(12345, lfd, &cfd);
	CU_ASSERT_EQUAL(reason(H[0], afd), 0);
	CU_ASSERT_EQUAL(reason(H[1], cfd), 0);
	CU_ASSERT_EQUAL(ctr(0, "smc_active"), 1);
	CU_ASSERT_EQUAL(ctr(1, "smc_active"), 1);
	CU_ASSERT_EQUAL(ctr(0, "lgr_created"), 1);
	CU_ASSERT_EQUAL(ctr(1, "link_up"), 1);
	transfer(H[1], cfd, H[0], afd, 300000, 1);
	transfer(H[0], afd, H[1], cfd, 200000, 2);
	CU_ASSERT(ctr(1, "cdc_tx") > 0 && ctr(0, "cdc_tx") > 0);
	/* the TCP connection carried only the client's CLC: Proposal (156 bytes with one UEID)
	 * and Confirm (164: FCE v2.1 and an empty GID list) */
	CU_ASSERT_EQUAL(ursa_sock_tcp_info(H[0], afd, &ti), 0);
	CU_ASSERT_EQUAL(ti.bytes_received, 156 + 164);
	/* a second connection joins the link group */
	afd2 = connect_smc(12345, lfd, &cfd2);
	CU_ASSERT_EQUAL(ctr(0, "lgr_reused"), 1);
	CU_ASSERT_EQUAL(ctr(1, "smc_active"), 2);
	transfer(H[1], cfd2, H[0], afd2, 50000, 3);
	CU_ASSERT_EQUAL(ursa_close(H[1], cfd2), 0);
	CU_ASSERT_EQUAL(ursa_close(H[0], afd2), 0);
	CU_ASSERT_EQUAL(ursa_close(H[1], cfd), 0);
	CU_ASSERT_EQUAL(ursa_close(H[0], afd), 0);
	CU_ASSERT_EQUAL(ursa_close(H[0], lfd), 0);
	for (int k = 0; k < 2000; k++)
		step();
}

/* No UEID in common: the server declines (0x03030008), both fall back, bytes intact. */
static void test_ueid_fallback(void)
{
	struct ursa_smc_conf sc = *ursa_smc_get_conf(H[0]), keep = sc;
	int lfd, cfd, afd;

	strcpy(sc.ueid[0], "OTHER-EID");
	CU_ASSERT_EQUAL(ursa_smc_set_conf(H[0], &sc), 0);
	lfd = listener(12346);
	afd = connect_smc(12346, lfd, &cfd);
	CU_ASSERT_EQUAL(reason(H[0], afd), 0x03030008);
	CU_ASSERT_EQUAL(reason(H[1], cfd), 0x05000000);
	transfer(H[1], cfd, H[0], afd, 100000, 4);
	transfer(H[0], afd, H[1], cfd, 100000, 5);
	ursa_close(H[1], cfd);
	ursa_close(H[0], afd);
	ursa_close(H[0], lfd);
	for (int k = 0; k < 2000; k++)
		step();
	CU_ASSERT_EQUAL(ursa_smc_set_conf(H[0], &keep), 0);
}

static double wall(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* URSA_SMC_E2E_REPORT=1: wall-clock figures of this in-process pair (both stacks on one
 * thread, the frames copied between memory ports), SMC-R against ursa's own TCP on the same
 * two stacks (the UEID set apart, so the connections fall back): one-way bulk bandwidth and
 * connections per second (connect, 64 bytes each way, close). */
static void bench(const char *what, uint16_t port, size_t bulk, int conns)
{
	int lfd = listener(port), cfd, afd;
	double t0, bw, rate;

	afd = connect_smc(port, lfd, &cfd);
	if (getenv("URSA_SMC_E2E_DEBUG"))
		printf("\n%s: reasons %x %x\n", what, reason(H[0], afd), reason(H[1], cfd));
	t0 = wall();
	transfer(H[1], cfd, H[0], afd, bulk, 6);
	bw = (double)bulk * 8 / (wall() - t0) / 1e9;
	ursa_close(H[1], cfd);
	ursa_close(H[0], afd);
	t0 = wall();
	for (int i = 0; i < conns; i++) {
		afd = connect_smc(port, lfd, &cfd);
		transfer(H[1], cfd, H[0], afd, 64, 7);
		transfer(H[0], afd, H[1], cfd, 64, 8);
		ursa_close(H[1], cfd);
		ursa_close(H[0], afd);
	}
	rate = conns / (wall() - t0);
	ursa_close(H[0], lfd);
	for (int k = 0; k < 2000; k++)
		step();
	printf("\nsmc_e2e %s: bulk %zu bytes %.2f Gbit/s, %d connections %.0f/s (fallbacks %" PRIu64
	       ")\n",
	       what, bulk, bw, conns, rate, ctr(0, "fallback"));
}

static void test_report(void)
{
	struct ursa_smc_conf sc = *ursa_smc_get_conf(H[0]), keep = sc;

	if (getenv("URSA_SMC_E2E_REPORT") == NULL)
		return;
	strcpy(sc.ueid[0], "OTHER-EID");
	CU_ASSERT_EQUAL(ursa_smc_set_conf(H[0], &sc), 0);
	bench("ursa TCP (fallback)", 12400, 64u << 20, 200);
	CU_ASSERT_EQUAL(ursa_smc_set_conf(H[0], &keep), 0);
	bench("SMC-R (softroce)", 12401, 64u << 20, 200);
}

int main(void)
{
	CU_pSuite s = ursa_test_suite("smc_e2e", setup, teardown);

	CU_add_test(s, "SMC-R connection over softroce", test_smc_connection);
	CU_add_test(s, "no common UEID: fallback", test_ueid_fallback);
	CU_add_test(s, "figures (URSA_SMC_E2E_REPORT=1)", test_report);
	return ursa_test_main();
}
