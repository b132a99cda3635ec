/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control channel's handlers on real stack state, in one process: two fake lcores A and
 * B (the whole stack on a memory port each, virtual clocks) with a TCP connection between
 * them and a QP on A. A's control socket runs in ursa_lcore_wait as in ursad; a client sends
 * lines and reads the JSON answers. Covers the listings (connections shows the connection and
 * the QP), tcp-abort (B receives the RST, A's owner is told ECONNRESET and still closes its
 * handle), qp-reset (the QP is in the error state), the lock on destructive commands, and
 * settings, faults and routes applied on a lone lcore. The peer-credential checks need
 * another user: netns-ctl-classes runs them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl.h"
#include "ursa_arp.h"
#include "ursa_test.h"

static const struct rte_ether_addr mac_a = URSA_TEST_MAC;
static const struct rte_ether_addr mac_b = URSA_TEST_PEER_MAC;

struct host {
	struct ursa_lcore *lc;
	struct ursa_ipaddr ip;
};

static struct host A, B;
static struct ursad_conf conf;
static struct ursad_ctl *ctl;
static char path[108];
static int cfd = -1;
static unsigned a_events;

static int host_up(struct host *h, uint64_t seed, const struct rte_ether_addr *mac, const char *ip)
{
	struct ursa_iface_conf c = {.port = 0, .mac = mac, .no_linklocal = true};
	uint16_t idx;

	h->lc = ursa_test_lcore(seed);
	h->ip = ursa_test_ip(ip);
	if (h->lc == NULL || ursa_stack_init(h->lc) != 0 || ursa_iface_add(h->lc, &c, &idx) != 0 ||
	    ursa_iface_addr_add(h->lc, idx, &h->ip, 24) != 0)
		return -1;
	return 0;
}

/* The first test sets up (the kit's helpers assert, which CUnit allows only in a test). */
static void test_setup(void)
{
	struct ursad_ctl_env env;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	CU_ASSERT_FATAL(host_up(&A, 21, &mac_a, "10.21.0.1") == 0);
	CU_ASSERT_FATAL(host_up(&B, 22, &mac_b, "10.21.0.2") == 0);
	ursa_neigh_update(A.lc, &A.lc->ifaces[0], &B.ip, &mac_b, true, true);
	ursa_neigh_update(B.lc, &B.lc->ifaces[0], &A.ip, &mac_a, true, true);
	snprintf(path, sizeof(path), "/tmp/ursa-test-ctl-%ld.sock", (long)getpid());
	env = (struct ursad_ctl_env){.lc = A.lc, .st = NULL, .conf = &conf};
	CU_ASSERT_FATAL(ursad_ctl_create(&env, path, &ctl) == 0);
	cfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	strcpy(sa.sun_path, path);
	CU_ASSERT_FATAL(connect(cfd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
}

static int teardown(void)
{
	if (cfd >= 0)
		close(cfd);
	ursad_ctl_destroy(ctl);
	if (A.lc)
		ursa_lcore_destroy(A.lc);
	if (B.lc)
		ursa_lcore_destroy(B.lc);
	return 0;
}

/* Send one request and run A (and carry frames to B) until the answer has come. */
static char *ask(const char *line)
{
	static char ans[1 << 16];
	size_t n = 0;

	CU_ASSERT_FATAL(write(cfd, line, strlen(line)) == (ssize_t)strlen(line));
	CU_ASSERT_FATAL(write(cfd, "\n", 1) == 1);
	for (int i = 0; i < 1000 && (n == 0 || ans[n - 1] != '\n'); i++) {
		ssize_t r;

		ursa_lcore_wait(A.lc, 1000000, NULL);
		ursa_test_pair_carry(A.lc, B.lc);
		r = recv(cfd, ans + n, sizeof(ans) - 1 - n, MSG_DONTWAIT);
		if (r > 0)
			n += (size_t)r;
	}
	ans[n] = '\0';
	CU_ASSERT_FATAL(n > 0 && ans[n - 1] == '\n');
	return ans;
}

static void on_a(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, unsigned ev, void *arg)
{
	(void)lc;
	(void)pcb;
	(void)arg;
	a_events |= ev;
}

/* B listens on 80, A connects: both ESTABLISHED. */
static void connect_pair(struct ursa_tcp_pcb **a, struct ursa_tcp_pcb **bl,
			 struct ursa_tcp_pcb **bc)
{
	CU_ASSERT_FATAL(ursa_tcp_create(B.lc, 0, -1, AF_INET, bl) == 0);
	CU_ASSERT_FATAL(ursa_tcp_bind(B.lc, *bl, NULL, 80) == 0);
	CU_ASSERT_FATAL(ursa_tcp_listen(B.lc, *bl, 4) == 0);
	CU_ASSERT_FATAL(ursa_tcp_create(A.lc, 0, -1, AF_INET, a) == 0);
	ursa_tcp_set_callback(*a, on_a, NULL);
	CU_ASSERT_FATAL(ursa_tcp_connect(A.lc, *a, &B.ip, 80) == 0);
	for (int i = 0; i < 50 && ursa_tcp_accept(B.lc, *bl, bc) != 0; i++)
		ursa_test_pair_step(A.lc, B.lc);
	CU_ASSERT_FATAL(ursa_tcp_get_state(*a) == URSA_TCP_ESTABLISHED);
	CU_ASSERT_FATAL(ursa_tcp_get_state(*bc) == URSA_TCP_ESTABLISHED);
}

static void test_abort(void)
{
	struct ursa_tcp_pcb *a, *bl, *bc;
	char line[128];
	uint16_t lport;
	char *ans;

	connect_pair(&a, &bl, &bc);
	CU_ASSERT_FATAL(ursa_tcp_local(a, NULL, &lport) == 0);
	ans = ask("connections");
	CU_ASSERT(strstr(ans, "\"state\": \"ESTABLISHED\"") != NULL);
	CU_ASSERT(strstr(ans, "\"peer\": \"10.21.0.2\", \"pport\": 80") != NULL);

	snprintf(line, sizeof(line), "tcp-abort 10.21.0.1:%u 10.21.0.2:80", lport);
	conf.ctl_unlock_destructive = false;
	ans = ask(line);
	CU_ASSERT(strstr(ans, "\"ok\": false, \"errno\": 13") != NULL); /* EACCES: locked */
	CU_ASSERT(ursa_tcp_get_state(a) == URSA_TCP_ESTABLISHED);

	conf.ctl_unlock_destructive = true;
	ans = ask("tcp-abort 10.21.0.1:1 10.21.0.2:80");
	CU_ASSERT(strstr(ans, "\"errno\": 2") != NULL); /* ENOENT: no such connection */
	a_events = 0;
	ans = ask(line);
	CU_ASSERT(strstr(ans, "\"ok\": true, \"class\": \"destructive\"") != NULL);
	/* A's owner is told and still holds its (closed) handle; B got the RST. */
	CU_ASSERT(a_events & URSA_TCP_EV_ERROR);
	CU_ASSERT(ursa_tcp_get_state(a) == URSA_TCP_CLOSED);
	CU_ASSERT(ursa_tcp_error(a) == -ECONNRESET);
	for (int i = 0; i < 5; i++)
		ursa_test_pair_carry(A.lc, B.lc);
	CU_ASSERT(ursa_tcp_get_state(bc) == URSA_TCP_CLOSED);
	CU_ASSERT(ursa_tcp_error(bc) == -ECONNRESET);
	CU_ASSERT(ursa_test_counter(A.lc, "ctl", "destructive") == 2);
	CU_ASSERT(ursa_test_counter(A.lc, "ctl", "refused_locked") == 1);
	ursa_tcp_close(A.lc, a);
	ursa_tcp_close(B.lc, bc);
	ursa_tcp_close(B.lc, bl);
}

static void test_qp_reset(void)
{
	struct ursa_rdma_qp_cap cap = {
		.max_send_wr = 4, .max_recv_wr = 4, .max_send_sge = 1, .max_recv_sge = 1};
	struct ursa_rdma_qp_attr attr = {0};
	struct ursa_roce_pd *pd;
	struct ursa_roce_cq *cq;
	struct ursa_roce_qp *qp;
	char line[64], want[64];
	char *ans;

	CU_ASSERT_FATAL(ursa_roce_pd_alloc(A.lc, &pd) == 0);
	CU_ASSERT_FATAL(ursa_roce_cq_create(A.lc, 16, &cq) == 0);
	CU_ASSERT_FATAL(ursa_roce_qp_create(pd, cq, cq, &cap, false, &qp) == 0);
	snprintf(want, sizeof(want), "\"qpn\": %u, \"state\": \"RESET\"", ursa_roce_qp_num(qp));
	ans = ask("connections");
	CU_ASSERT(strstr(ans, want) != NULL);
	conf.ctl_unlock_destructive = true;
	snprintf(line, sizeof(line), "qp-reset %u", ursa_roce_qp_num(qp));
	ans = ask(line);
	CU_ASSERT(strstr(ans, "\"ok\": true") != NULL);
	CU_ASSERT(ursa_roce_qp_query(qp, &attr) == 0);
	CU_ASSERT(attr.qp_state == URSA_RDMA_QPS_ERR);
	snprintf(line, sizeof(line), "qp-reset %u", ursa_roce_qp_num(qp) ^ 1);
	CU_ASSERT(strstr(ask(line), "\"errno\": 2") != NULL);
	CU_ASSERT(ursa_roce_qp_destroy(qp) == 0);
	CU_ASSERT(ursa_roce_cq_destroy(cq) == 0);
	CU_ASSERT(ursa_roce_pd_free(pd) == 0);
}

/* Writes on a lone lcore apply at once: a route, a fault, and what settings says of them. */
static void test_writes(void)
{
	struct ursa_ipaddr far = ursa_test_ip("10.99.0.7");
	struct ursa_ip_tx tx = {.tenant = 0, .dst = far};
	struct ursa_iface *ifc;
	struct ursa_ipaddr nh, src;
	char *ans;

	CU_ASSERT(ursa_ip_route(A.lc, &tx, &ifc, &nh, &src) == -EHOSTUNREACH);
	ans = ask("route-add tenant=0,dst=10.99.0.0/16,via=10.21.0.2,iface=0");
	CU_ASSERT(strstr(ans, "\"ok\": true, \"class\": \"write\"") != NULL);
	CU_ASSERT(ursa_ip_route(A.lc, &tx, &ifc, &nh, &src) == 0);
	CU_ASSERT(ursa_ipaddr_eq(&nh, &B.ip));
	CU_ASSERT(strstr(ask("routes"), "\"dst\": \"10.99.0.0/16\", \"via\": \"10.21.0.2\"") !=
		  NULL);
	ans = ask("route-del tenant=0,dst=10.99.0.0/16,iface=0");
	CU_ASSERT(strstr(ans, "\"ok\": true") != NULL);
	CU_ASSERT(ursa_ip_route(A.lc, &tx, &ifc, &nh, &src) == -EHOSTUNREACH);

	CU_ASSERT(A.lc->ports[0].fault[URSA_DIR_TX] == NULL);
	CU_ASSERT(strstr(ask("fault 0 tx drop=0.5,seed=9"), "\"ok\": true") != NULL);
	CU_ASSERT(A.lc->ports[0].fault[URSA_DIR_TX] != NULL);
	CU_ASSERT(A.lc->ports[0].fault[URSA_DIR_RX] == NULL);
	CU_ASSERT(strstr(ask("settings"), "\"port\": 0, \"dir\": \"tx\", \"drop\": 0.5") != NULL);
	CU_ASSERT(strstr(ask("fault 0 tx off"), "\"ok\": true") != NULL);
	CU_ASSERT(A.lc->ports[0].fault[URSA_DIR_TX] == NULL);
	CU_ASSERT(strstr(ask("settings"), "\"faults\": []") != NULL);
	CU_ASSERT(strstr(ask("fault 0 sideways off"), "rx, tx or both") != NULL);
}

int main(void)
{
	CU_pSuite s;

	if (geteuid() != 0) {
		fprintf(stderr, "test_ctl: skipped: write and destructive commands need a root "
				"peer, and this test is their peer\n");
		return 77;
	}
	s = ursa_test_suite("ctl", NULL, teardown);

	CU_add_test(s, "two hosts and a control socket", test_setup);
	CU_add_test(s, "tcp-abort resets a live connection", test_abort);
	CU_add_test(s, "qp-reset moves a QP to the error state", test_qp_reset);
	CU_add_test(s, "writes apply on a lone lcore", test_writes);
	return ursa_test_main();
}
