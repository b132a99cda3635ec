/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The CLC handshake (smc_conn.c) between two in-process stacks on virtual clocks: "a" the
 * server at 10.0.0.1, "b" the client at 10.0.0.2, memory ports wired back to back. Both
 * roles run over real ursa TCP connections. The link side is either the default (no SMC-R
 * device) or a fake that announces fixed QPs and RMBs, so the whole exchange reaches
 * ACTIVE and each side's fake sees exactly what the other prepared. Fallback is tried at
 * every step (no echo, no device on either side, UEID mismatch, a Decline after the Accept,
 * a malformed message, a silent peer on either side, a link that does not come up), and
 * after each, bytes written by both applications arrive intact and in order on the same
 * TCP connection.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "smc_clc.h"
#include "smc_conn.h"
#include "ursa_arp.h"
#include "ursa_eth.h"
#include "ursa_ip.h"
#include "ursa_smc.h"
#include "ursa_tcp.h"
#include "ursa_test.h"
#include "ursa_timer.h"

static struct ursa_lcore *A, *B;

static int bring_up(struct ursa_lcore **out, uint64_t seed, const struct rte_ether_addr *mac,
		    const char *me, const struct rte_ether_addr *peer_mac, const char *peer)
{
	struct ursa_iface_conf ic = {.port = 0, .mac = mac, .no_linklocal = true};
	struct ursa_smc_conf sc;
	struct ursa_ipaddr a;
	struct ursa_lcore *lc;
	uint16_t ifi;

	lc = *out = ursa_test_lcore(seed);
	if (lc == NULL || ursa_eth_init(lc) || ursa_arp_init(lc) || ursa_ip_init(lc) ||
	    ursa_tcp_init(lc) || ursa_smc_init(lc) || ursa_iface_add(lc, &ic, &ifi))
		return -1;
	ursa_ipaddr_parse(me, &a, NULL);
	if (ursa_iface_addr_add(lc, ifi, &a, 24))
		return -1;
	ursa_ipaddr_parse(peer, &a, NULL);
	if (ursa_neigh_add_static(lc, ursa_iface_get(lc, ifi), &a, peer_mac))
		return -1;
	ursa_smc_conf_default(&sc);
	strcpy(sc.ueid[0], "URSA-TEST");
	strcpy(sc.ueid[1], "SMC-LAB-EID");
	sc.nb_ueid = 2;
	return ursa_smc_set_conf(lc, &sc);
}

static int setup(void)
{
	struct rte_ether_addr ma = URSA_TEST_MAC, mb = URSA_TEST_PEER_MAC;

	if (bring_up(&A, 1, &ma, "10.0.0.1", &mb, "10.0.0.2") ||
	    bring_up(&B, 2, &mb, "10.0.0.2", &ma, "10.0.0.1"))
		return 1;
	return 0;
}

static int teardown(void)
{
	ursa_lcore_destroy(A);
	ursa_lcore_destroy(B);
	return 0;
}

/* Advance both clocks by ns, carrying frames at every timer expiry on the way. */
static void step(uint64_t ns)
{
	uint64_t end = ursa_now(A) + ns;

	for (;;) {
		uint64_t na = ursa_timer_next(A), nb = ursa_timer_next(B);
		uint64_t next = na < nb ? na : nb;

		ursa_test_pair_pump(A, B, NULL, NULL, 10000);
		if (next > end || next <= ursa_now(A))
			break;
		ursa_clock_set(&A->clock, next);
		ursa_clock_set(&B->clock, next);
	}
	ursa_clock_set(&A->clock, end);
	ursa_clock_set(&B->clock, end);
	ursa_test_pair_pump(A, B, NULL, NULL, 10000);
}

/* ---- a fake link side: fixed QPs and RMBs, ready (or not) at once ---- */

struct fake_link {
	struct smc_qp_info peer_qp;
	struct smc_rmb_info peer_rmb, mine;
	uint32_t my_qpn;
	bool started, closed, aborted;
};

static struct fake_link fake[2]; /* [0] server (a), [1] client (b) */
static int fake_ready_status;	 /* what start() reports through ready() */
static int fake_prepare_rc;	 /* 0, or what prepare() fails with on the client */
static const char *fake_local[2] = {"10.0.0.1", "10.0.0.2"}; /* the GID each side announces */

static int fake_device(struct ursa_lcore *lc, uint16_t iface, const struct ursa_ipaddr *local,
		       uint8_t gid[16], uint8_t mac[6], uint8_t *mtu)
{
	memset(gid, 0, 16);
	gid[10] = gid[11] = 0xff;
	memcpy(gid + 12, &local->v4, 4);
	memcpy(mac, &ursa_iface_get(lc, iface)->mac, 6);
	*mtu = 3;
	return 0;
}

static int fake_prepare(struct ursa_lcore *lc, const struct smc_link_req *req,
			struct smc_link_conn **out, struct smc_qp_info *qp,
			struct smc_rmb_info *rmb, bool *first_contact)
{
	struct fake_link *f = &fake[req->server ? 0 : 1];
	struct ursa_ipaddr local;
	uint8_t mtu;

	if (!req->server && fake_prepare_rc != 0)
		return fake_prepare_rc;
	memset(f, 0, sizeof(*f));
	ursa_ipaddr_parse(fake_local[req->server ? 0 : 1], &local, NULL);
	fake_device(lc, req->iface, &local, qp->gid, qp->mac, &mtu);
	qp->qpn = f->my_qpn = req->server ? 0x11 : 0x22;
	qp->psn = req->server ? 0x3cbe46 : 0xbd79eb;
	qp->mtu = mtu;
	rmb->rkey = req->server ? 0x3e4 : 0x32a;
	rmb->vaddr = req->server ? 0xff2eb877eead0000ull : 0xff3df0602de30000ull;
	rmb->size = req->rmb_size;
	rmb->token = req->server ? 7 : 9;
	rmb->index = 1;
	f->mine = *rmb;
	*first_contact = true;
	*out = (struct smc_link_conn *)f;
	return 0;
}

static int fake_start(struct smc_link_conn *c, const struct smc_qp_info *peer_qp,
		      const struct smc_rmb_info *peer_rmb, void (*ready)(void *arg, int status),
		      void *arg)
{
	struct fake_link *f = (struct fake_link *)c;

	f->peer_qp = *peer_qp;
	f->peer_rmb = *peer_rmb;
	f->started = true;
	/* the server runs CONFIRM_LINK: its result is known at once; a client whose link does
	 * not come up waits (for the server's LLC, or its Decline) */
	if (f == &fake[0] || fake_ready_status == 0)
		ready(arg, fake_ready_status);
	return 0;
}

static ssize_t fake_send(struct smc_link_conn *c, const void *buf, size_t len)
{
	(void)c, (void)buf;
	return (ssize_t)len;
}

static ssize_t fake_recv(struct smc_link_conn *c, void *buf, size_t len, bool peek)
{
	(void)c, (void)buf, (void)len, (void)peek;
	return -EAGAIN;
}

static short fake_poll(struct smc_link_conn *c)
{
	(void)c;
	return SMC_POLL_OUT;
}

static int fake_shutdown(struct smc_link_conn *c, int how)
{
	(void)c, (void)how;
	return 0;
}

static int fake_close(struct smc_link_conn *c, bool abort)
{
	struct fake_link *f = (struct fake_link *)c;

	f->closed = true;
	f->aborted = abort;
	return 0;
}

static const struct smc_link_ops fake_ops = {
	.device = fake_device,
	.prepare = fake_prepare,
	.start = fake_start,
	.send = fake_send,
	.recv = fake_recv,
	.poll = fake_poll,
	.shutdown = fake_shutdown,
	.close = fake_close,
};

/* ---- connections ---- */

struct pair {
	struct ursa_tcp_pcb *lpcb, *cpcb, *spcb; /* listener (a), client (b), server child (a) */
	struct ursa_smc_conn *client, *server;
	unsigned done_client, done_server;
};

static void on_done(struct ursa_lcore *lc, struct ursa_smc_conn *c, void *arg)
{
	struct pair *p = arg;

	if (lc == A)
		p->done_server++;
	else
		p->done_client++;
	(void)c;
}

/* A listener on a (echoing the option when smc_server), a client on b (offering it when
 * smc_client, with the handshake engine when engine_client), the child accepted. */
static void open_pair(struct pair *p, uint16_t port, bool smc_server, bool smc_client,
		      bool engine_client)
{
	struct ursa_ipaddr dst;

	memset(p, 0, sizeof(*p));
	ursa_ipaddr_parse("10.0.0.1", &dst, NULL);
	CU_ASSERT_EQUAL_FATAL(ursa_tcp_create(A, 0, -1, AF_INET, &p->lpcb), 0);
	CU_ASSERT_EQUAL(ursa_smc_opt_want(A, p->lpcb, smc_server), 0);
	CU_ASSERT_EQUAL_FATAL(ursa_tcp_bind(A, p->lpcb, NULL, port), 0);
	CU_ASSERT_EQUAL_FATAL(ursa_tcp_listen(A, p->lpcb, 8), 0);
	CU_ASSERT_EQUAL_FATAL(ursa_tcp_create(B, 0, -1, AF_INET, &p->cpcb), 0);
	CU_ASSERT_EQUAL(ursa_smc_opt_want(B, p->cpcb, smc_client), 0);
	CU_ASSERT_EQUAL_FATAL(ursa_tcp_connect(B, p->cpcb, &dst, port), 0);
	if (engine_client)
		CU_ASSERT_EQUAL(ursa_smc_connect_start(B, p->cpcb, on_done, p, &p->client), 0);
	step(URSA_NS_PER_MS);
	CU_ASSERT_EQUAL_FATAL(ursa_tcp_accept(A, p->lpcb, &p->spcb), 0);
}

static void start_server(struct pair *p)
{
	CU_ASSERT_EQUAL(ursa_smc_accept_start(A, p->spcb, on_done, p, &p->server), 0);
}

static void close_pair(struct pair *p)
{
	bool s_done = p->server == NULL || ursa_smc_state(p->server) == URSA_SMC_FALLBACK;
	bool c_done = p->client == NULL || ursa_smc_state(p->client) == URSA_SMC_FALLBACK;

	/* after a fallback the TCP connection is ours; otherwise the conn closes it */
	if (p->server != NULL)
		ursa_smc_conn_free(A, p->server, true);
	if (p->client != NULL)
		ursa_smc_conn_free(B, p->client, true);
	if (s_done)
		ursa_tcp_abort(A, p->spcb);
	if (c_done)
		ursa_tcp_abort(B, p->cpcb);
	ursa_tcp_abort(A, p->lpcb);
	step(URSA_NS_PER_MS);
	smc_set_link_ops(A, NULL);
	smc_set_link_ops(B, NULL);
	fake_ready_status = 0;
	fake_prepare_rc = 0;
}

static void pattern(uint8_t *b, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(seed + i * 7 + (i >> 8));
}

/* Read exactly n bytes from pcb (pumping), compare with want. */
static void expect_bytes(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, const uint8_t *want,
			 size_t n)
{
	static uint8_t got[65536];
	size_t have = 0;

	for (int i = 0; i < 200 && have < n; i++) {
		ssize_t r = ursa_tcp_recv(lc, pcb, got + have, n - have, 0);

		if (r > 0)
			have += (size_t)r;
		else
			step(URSA_NS_PER_MS);
	}
	CU_ASSERT_EQUAL(have, n);
	CU_ASSERT_EQUAL(memcmp(got, want, n), 0);
}

static void send_all(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, const uint8_t *b, size_t n)
{
	size_t off = 0;

	for (int i = 0; i < 200 && off < n; i++) {
		ssize_t r = ursa_tcp_send(lc, pcb, b + off, n - off, 0);

		if (r > 0)
			off += (size_t)r;
		else
			step(URSA_NS_PER_MS);
	}
	CU_ASSERT_EQUAL(off, n);
}

/* Both applications write at once; each reads the other's bytes, intact and in order. */
static void bytes_both_ways(struct pair *p)
{
	static uint8_t x[20000], y[30000];

	pattern(x, sizeof(x), 1);
	pattern(y, sizeof(y), 2);
	send_all(A, p->spcb, x, sizeof(x));
	send_all(B, p->cpcb, y, sizeof(y));
	expect_bytes(B, p->cpcb, x, sizeof(x));
	expect_bytes(A, p->spcb, y, sizeof(y));
}

static uint64_t ctr(struct ursa_lcore *lc, const char *name)
{
	return ursa_test_counter(lc, "smc", name);
}

/* ---- the cases ---- */

static void test_no_echo(void)
{
	struct pair p;
	uint64_t prop = ctr(B, "clc_tx_proposal");

	open_pair(&p, 9001, false, true, true);
	CU_ASSERT_EQUAL(ursa_smc_state(p.client), URSA_SMC_FALLBACK);
	CU_ASSERT_EQUAL(ursa_smc_fallback_reason(p.client), SMC_CLC_DECL_PEERNOSMC);
	CU_ASSERT_EQUAL(p.done_client, 1);
	CU_ASSERT_EQUAL(ctr(B, "clc_tx_proposal"), prop); /* no CLC at all */
	bytes_both_ways(&p);
	close_pair(&p);
}

/* Neither side has a device: the client declines at once (as Linux 6.1 in
 * smc_pnet-linux6.1.pcap), the server falls back on the Decline. */
static void test_no_device_anywhere(void)
{
	struct pair p;

	open_pair(&p, 9002, true, true, true);
	start_server(&p);
	step(URSA_NS_PER_MS);
	CU_ASSERT_EQUAL(ursa_smc_fallback_reason(p.client), SMC_CLC_DECL_NOSMCDEV);
	CU_ASSERT_EQUAL(ursa_smc_state(p.server), URSA_SMC_FALLBACK);
	CU_ASSERT_EQUAL(ursa_smc_fallback_reason(p.server), SMC_CLC_DECL_PEERDECL);
	CU_ASSERT_EQUAL(ursa_smc_peer_diag(p.server), SMC_CLC_DECL_NOSMCDEV);
	/* the Decline was there when the server started: decided inside the call, no callback */
	CU_ASSERT_EQUAL(p.done_server, 0);
	bytes_both_ways(&p);
	close_pair(&p);
}

/* The client has a device, the server none: Decline 0x03030000 from the server. */
static void test_server_no_device(void)
{
	struct pair p;
	uint64_t nodev = ctr(A, "fallback_nodev");

	smc_set_link_ops(B, &fake_ops);
	open_pair(&p, 9003, true, true, true);
	CU_ASSERT_EQUAL(ursa_smc_state(p.client), URSA_SMC_HANDSHAKE);
	start_server(&p);
	step(URSA_NS_PER_MS);
	CU_ASSERT_EQUAL(ursa_smc_fallback_reason(p.server), SMC_CLC_DECL_NOSMCDEV);
	CU_ASSERT_EQUAL(ctr(A, "fallback_nodev"), nodev + 1);
	CU_ASSERT_EQUAL(ursa_smc_state(p.client), URSA_SMC_FALLBACK);
	CU_ASSERT_EQUAL(ursa_smc_fallback_reason(p.client), SMC_CLC_DECL_PEERDECL);
	CU_ASSERT_EQUAL(ursa_smc_peer_diag(p.client), SMC_CLC_DECL_NOSMCDEV);
	bytes_both_ways(&p);
	close_pair(&p);
}

static void test_ueid_mismatch(void)
{
	struct ursa_smc_conf sc = *ursa_smc_get_conf(A), keep = sc;
	struct pair p;

	strcpy(sc.ueid[0], "OTHER");
	sc.nb_ueid = 1;
	CU_ASSERT_EQUAL(ursa_smc_set_conf(A, &sc), 0);
	smc_set_link_ops(A, &fake_ops);
	smc_set_link_ops(B, &fake_ops);
	open_pair(&p, 9004, true, true, true);
	start_server(&p);
	step(URSA_NS_PER_MS);
	CU_ASSERT_EQUAL(ursa_smc_fallback_reason(p.server), SMC_CLC_DECL_NOUEID);
	CU_ASSERT_EQUAL(ursa_smc_peer_diag(p.client), SMC_CLC_DECL_NOUEID);
	bytes_both_ways(&p);
	close_pair(&p);
	CU_ASSERT_EQUAL(ursa_smc_set_conf(A, &keep), 0);
}

/* The whole exchange: each side's link is started with what the other prepared. */
static void test_smc_active(void)
{
	struct pair p;

	smc_set_link_ops(A, &fake_ops);
	smc_set_link_ops(B, &fake_ops);
	open_pair(&p, 9005, true, true, true);
	start_server(&p);
	step(URSA_NS_PER_MS);
	CU_ASSERT_EQUAL(ursa_smc_state(p.server), URSA_SMC_ACTIVE);
	CU_ASSERT_EQUAL(ursa_smc_state(p.client), URSA_SMC_ACTIVE);
	CU_ASSERT_EQUAL(ursa_smc_fallback_reason(p.client), 0);
	CU_ASSERT_EQUAL(p.done_client, 1);
	CU_ASSERT_EQUAL(p.done_server, 1);
	CU_ASSERT(fake[0].started && fake[1].started);
	CU_ASSERT_EQUAL(fake[0].peer_qp.qpn, 0x22);
	CU_ASSERT_EQUAL(fake[1].peer_qp.qpn, 0x11);
	CU_ASSERT_EQUAL(fake[0].peer_qp.psn, 0xbd79eb);
	CU_ASSERT_EQUAL(fake[0].peer_rmb.rkey, 0x32a);
	CU_ASSERT_EQUAL(fake[1].peer_rmb.rkey, 0x3e4);
	CU_ASSERT_EQUAL(fake[1].peer_rmb.vaddr, 0xff2eb877eead0000ull);
	CU_ASSERT_EQUAL(fake[1].peer_rmb.token, 7);
	CU_ASSERT_EQUAL(fake[0].peer_rmb.token, 9);
	CU_ASSERT_EQUAL(fake[0].peer_rmb.size, 64 * 1024);
	CU_ASSERT_EQUAL(fake[0].peer_qp.mtu, 3);
	CU_ASSERT_EQUAL(ursa_smc_send(p.client, "x", 1), 1);
	CU_ASSERT_EQUAL(ctr(A, "clc_rx_confirm") >= 1, 1);
	ursa_smc_conn_free(A, p.server, false);
	ursa_smc_conn_free(B, p.client, false);
	CU_ASSERT(fake[0].closed && !fake[0].aborted);
	p.server = p.client = NULL;
	ursa_tcp_abort(A, p.lpcb);
	step(URSA_NS_PER_MS);
	smc_set_link_ops(A, NULL);
	smc_set_link_ops(B, NULL);
}

/* The client declines after the Accept (no memory for its link): the server, waiting for
 * the Confirm, drops its prepared link and falls back. */
static void test_decline_after_accept(void)
{
	struct pair p;

	smc_set_link_ops(A, &fake_ops);
	smc_set_link_ops(B, &fake_ops);
	fake_prepare_rc = -ENOMEM;
	open_pair(&p, 9006, true, true, true);
	start_server(&p);
	step(URSA_NS_PER_MS);
	CU_ASSERT_EQUAL(ursa_smc_fallback_reason(p.client), SMC_CLC_DECL_MEM);
	CU_ASSERT_EQUAL(ursa_smc_fallback_reason(p.server), SMC_CLC_DECL_PEERDECL);
	CU_ASSERT_EQUAL(ursa_smc_peer_diag(p.server), SMC_CLC_DECL_MEM);
	CU_ASSERT(fake[0].closed && fake[0].aborted);
	CU_ASSERT_FALSE(fake[0].started);
	bytes_both_ways(&p);
	close_pair(&p);
}

/* The server's link does not come up: it declines (CONFIRM LINK time-out) after the
 * Confirm, and the client, whose link was started, falls back too. */
static void test_link_fails(void)
{
	struct pair p;

	smc_set_link_ops(A, &fake_ops);
	smc_set_link_ops(B, &fake_ops);
	open_pair(&p, 9007, true, true, true);
	fake_ready_status = -ETIMEDOUT;
	start_server(&p);
	step(URSA_NS_PER_MS);
	CU_ASSERT_EQUAL(ursa_smc_fallback_reason(p.server), SMC_CLC_DECL_TIMEOUT_CL);
	CU_ASSERT_EQUAL(ursa_smc_fallback_reason(p.client), SMC_CLC_DECL_PEERDECL);
	CU_ASSERT_EQUAL(ursa_smc_peer_diag(p.client), SMC_CLC_DECL_TIMEOUT_CL);
	CU_ASSERT(fake[0].closed && fake[1].closed && fake[1].started);
	bytes_both_ways(&p);
	close_pair(&p);
}

/* A peer that offered SMC but sends something else than a Proposal: the server declines
 * (its bytes stay in the stream, for the application) and falls back. */
static void test_malformed_proposal(void)
{
	static const char req[] = "GET / HTTP/1.0\r\n\r\n";
	uint64_t bad = ctr(A, "clc_drop_malformed");
	uint8_t decl[SMC_CLC_LEN_DECLINE_V1];
	struct smc_clc_msg m;
	struct pair p;
	ssize_t n;

	smc_set_link_ops(A, &fake_ops);
	open_pair(&p, 9008, true, true, false);
	send_all(B, p.cpcb, (const uint8_t *)req, sizeof(req));
	step(URSA_NS_PER_MS);
	start_server(&p);
	step(URSA_NS_PER_MS);
	CU_ASSERT_EQUAL(ursa_smc_state(p.server), URSA_SMC_FALLBACK);
	CU_ASSERT_EQUAL(ursa_smc_fallback_reason(p.server), SMC_CLC_DECL_INTERR);
	CU_ASSERT_EQUAL(ctr(A, "clc_drop_malformed"), bad + 1);
	expect_bytes(A, p.spcb, (const uint8_t *)req, sizeof(req));
	n = ursa_tcp_recv(B, p.cpcb, decl, sizeof(decl), 0);
	CU_ASSERT_EQUAL(n, (ssize_t)sizeof(decl));
	CU_ASSERT_EQUAL(smc_clc_decode(decl, sizeof(decl), &m), SMC_CLC_E_ok);
	CU_ASSERT_EQUAL(m.type, SMC_CLC_DECLINE);
	CU_ASSERT_EQUAL(m.decl.diag, SMC_CLC_DECL_INTERR);
	bytes_both_ways(&p);
	close_pair(&p);
}

/* A client that offered SMC and says nothing: after CLC_WAIT_TIME the server declines and
 * falls back; the bytes the client writes later are the application's. */
static void test_server_timeout(void)
{
	uint8_t decl[SMC_CLC_LEN_DECLINE_V1];
	uint64_t to = ctr(A, "clc_timeout");
	struct pair p;

	smc_set_link_ops(A, &fake_ops);
	open_pair(&p, 9009, true, true, false);
	start_server(&p);
	step(5 * URSA_NS_PER_S);
	CU_ASSERT_EQUAL(ursa_smc_state(p.server), URSA_SMC_HANDSHAKE);
	step(URSA_NS_PER_S + URSA_NS_PER_MS);
	CU_ASSERT_EQUAL(ursa_smc_state(p.server), URSA_SMC_FALLBACK);
	CU_ASSERT_EQUAL(ctr(A, "clc_timeout"), to + 1);
	CU_ASSERT_EQUAL(ursa_tcp_recv(B, p.cpcb, decl, sizeof(decl), 0), (ssize_t)sizeof(decl));
	bytes_both_ways(&p);
	close_pair(&p);
}

/* A server that echoed the option and never answers the Proposal: the client declines
 * after CLC_WAIT_TIME; the server application reads the Proposal and the Decline, then
 * the client's bytes. */
static void test_client_timeout(void)
{
	uint8_t buf[SMC_CLC_MAX_LEN];
	struct smc_clc_msg m;
	struct pair p;
	ssize_t n;
	uint16_t len;

	smc_set_link_ops(B, &fake_ops);
	open_pair(&p, 9010, true, true, true);
	step(6 * URSA_NS_PER_S + URSA_NS_PER_MS);
	CU_ASSERT_EQUAL(ursa_smc_state(p.client), URSA_SMC_FALLBACK);
	CU_ASSERT_EQUAL(ursa_smc_fallback_reason(p.client), SMC_CLC_DECL_INTERR);
	n = ursa_tcp_recv(A, p.spcb, buf, 8, URSA_TCP_RECV_PEEK);
	CU_ASSERT_EQUAL_FATAL(n, 8);
	len = smc_clc_peek_len(buf);
	CU_ASSERT_EQUAL(ursa_tcp_recv(A, p.spcb, buf, len, 0), (ssize_t)len);
	CU_ASSERT_EQUAL(smc_clc_decode(buf, len, &m), SMC_CLC_E_ok);
	CU_ASSERT_EQUAL(m.type, SMC_CLC_PROPOSAL);
	CU_ASSERT_EQUAL(m.prop.eid_cnt, 2);
	CU_ASSERT_EQUAL(ursa_tcp_recv(A, p.spcb, buf, 44, 0), 44); /* a v2 Decline */
	CU_ASSERT_EQUAL(smc_clc_decode(buf, 44, &m), SMC_CLC_E_ok);
	CU_ASSERT_EQUAL(m.type, SMC_CLC_DECLINE);
	bytes_both_ways(&p);
	close_pair(&p);
}

/* A raw client sends a Proposal; the server's Decline (of decl_len bytes) is read back. */
static uint32_t raw_proposal(uint16_t port, const uint8_t *prop, size_t n, size_t decl_len)
{
	uint8_t decl[SMC_CLC_LEN_DECLINE_V2];
	struct smc_clc_msg m;
	struct pair p;
	uint32_t why;

	smc_set_link_ops(A, &fake_ops);
	open_pair(&p, port, true, true, false);
	send_all(B, p.cpcb, prop, n);
	step(URSA_NS_PER_MS);
	start_server(&p);
	step(URSA_NS_PER_MS);
	CU_ASSERT_EQUAL(ursa_smc_state(p.server), URSA_SMC_FALLBACK);
	CU_ASSERT_EQUAL(ursa_tcp_recv(B, p.cpcb, decl, decl_len, 0), (ssize_t)decl_len);
	CU_ASSERT_EQUAL(smc_clc_decode(decl, decl_len, &m), SMC_CLC_E_ok);
	CU_ASSERT_EQUAL(m.decl.diag, ursa_smc_fallback_reason(p.server));
	why = ursa_smc_fallback_reason(p.server);
	bytes_both_ways(&p);
	close_pair(&p);
	return why;
}

/* A v1-only client (RoCEv1, not spoken) gets a v1 Decline and both go on over TCP. */
static void test_v1_peer(void)
{
	struct smc_clc_msg m = {.type = SMC_CLC_PROPOSAL, .version = 1, .typev1 = SMC_CLC_PATH_R};
	uint8_t b[SMC_CLC_MAX_LEN];
	int n;

	m.prop.subnet = 0x0a000000;
	m.prop.prefix_len = 24;
	n = smc_clc_encode(&m, b, sizeof(b));
	CU_ASSERT_EQUAL_FATAL(n, 52);
	CU_ASSERT_EQUAL(raw_proposal(9012, b, (size_t)n, SMC_CLC_LEN_DECLINE_V1),
			SMC_CLC_DECL_NOSMCDEV);
}

/* Linux 6.12's Proposal (smc_ueid-linux6.12.pcap): its UEID matches, but it claims the
 * RoCEv2 GID of 10.77.0.3 on a connection from 10.0.0.2: declined. */
static void test_linux_proposal_gid_checked(void)
{
	static const char prop_hex[] =
		"e2d4c3d901009c2200000000000000000000000000000000000000000000000000000000"
		"0000000000000000000000000000001c0000000000000000000000000000000000000000"
		"0000000000000000010000100000000000000000000000000000ffff0a4d0003ff020001"
		"000000000000000000000000534d432d4c41422d45494420202020202020202020202020"
		"2020202020202020e2d4c3d9";
	uint8_t b[SMC_CLC_MAX_LEN];
	long n = ursa_test_hex(prop_hex, b, sizeof(b));

	CU_ASSERT_EQUAL_FATAL(n, 156);
	CU_ASSERT_EQUAL(raw_proposal(9013, b, (size_t)n, SMC_CLC_LEN_DECLINE_V2),
			SMC_CLC_DECL_NOROUTE);
}

/* The same Proposal with the client's own GID is accepted; no Confirm follows, so the
 * server declines after CLC_WAIT_TIME, drops its link and falls back. */
static void test_linux_proposal_accepted(void)
{
	static const char prop_hex[] =
		"e2d4c3d901009c2200000000000000000000000000000000000000000000000000000000"
		"0000000000000000000000000000001c0000000000000000000000000000000000000000"
		"0000000000000000010000100000000000000000000000000000ffff0a000002ff020001"
		"000000000000000000000000534d432d4c41422d45494420202020202020202020202020"
		"2020202020202020e2d4c3d9";
	uint8_t b[SMC_CLC_MAX_LEN], acc[SMC_CLC_MAX_LEN];
	long n = ursa_test_hex(prop_hex, b, sizeof(b));
	struct smc_clc_msg m;
	struct pair p;

	CU_ASSERT_EQUAL_FATAL(n, 156);
	smc_set_link_ops(A, &fake_ops);
	open_pair(&p, 9014, true, true, false);
	send_all(B, p.cpcb, b, (size_t)n);
	step(URSA_NS_PER_MS);
	start_server(&p);
	step(URSA_NS_PER_MS);
	CU_ASSERT_EQUAL(ursa_smc_state(p.server), URSA_SMC_HANDSHAKE);
	CU_ASSERT_EQUAL(ursa_tcp_recv(B, p.cpcb, acc, 160, 0), 160);
	CU_ASSERT_EQUAL_FATAL(smc_clc_decode(acc, 160, &m), SMC_CLC_E_ok);
	CU_ASSERT_EQUAL(m.type, SMC_CLC_ACCEPT);
	CU_ASSERT(m.first_contact);
	CU_ASSERT_EQUAL(memcmp(m.acc.eid, "SMC-LAB-EID ", 12), 0);
	CU_ASSERT_EQUAL(m.acc.qpn, 0x11);
	CU_ASSERT_EQUAL(m.acc.rkey, 0x3e4);
	CU_ASSERT_EQUAL(m.acc.rmbe_size, 2); /* 64 KiB */
	CU_ASSERT_EQUAL(m.acc.fce_release, 1);
	step(6 * URSA_NS_PER_S + URSA_NS_PER_MS);
	CU_ASSERT_EQUAL(ursa_smc_state(p.server), URSA_SMC_FALLBACK);
	CU_ASSERT(fake[0].closed && !fake[0].started);
	CU_ASSERT_EQUAL(ursa_tcp_recv(B, p.cpcb, acc, 44, 0), 44);
	bytes_both_ways(&p);
	close_pair(&p);
}

/* The Linux 6.12 server's Accept (smc_ueid-linux6.12.pcap, frame 6) to an ursa client at the
 * captured addresses (10.77.0.3 -> 10.77.0.2): taken as Linux's client took it; the link is
 * started with the QP and RMB Linux announced, and the Confirm has the form of Linux's. */
static void test_linux_accept(void)
{
	static const char acc_hex[] =
		"e2d4c3d90200a028553652540077000200000000000000000000ffff0a4d000252540077"
		"0002000011000003e401000000012300ff2eb877eead0000003cbe46534d432d4c41422d"
		"454944202020202020202020202020202020202020202020000000000000000080210000"
		"286e6f6e65292020202020202020202020202020202020202020202020202020ff020001"
		"000000000000000000000000e2d4c3d9";
	struct ursa_ipaddr a2 = ursa_test_ip("10.77.0.2"), a3 = ursa_test_ip("10.77.0.3"), dst;
	struct rte_ether_addr ma = URSA_TEST_MAC, mb = URSA_TEST_PEER_MAC;
	uint8_t acc[SMC_CLC_MAX_LEN], buf[SMC_CLC_MAX_LEN];
	long n = ursa_test_hex(acc_hex, acc, sizeof(acc));
	struct smc_clc_msg m;
	struct pair p = {0};
	uint16_t len;

	CU_ASSERT_EQUAL_FATAL(n, 160);
	CU_ASSERT_EQUAL(ursa_iface_addr_add(A, 0, &a2, 24), 0);
	CU_ASSERT_EQUAL(ursa_iface_addr_add(B, 0, &a3, 24), 0);
	CU_ASSERT_EQUAL(ursa_neigh_add_static(A, ursa_iface_get(A, 0), &a3, &mb), 0);
	CU_ASSERT_EQUAL(ursa_neigh_add_static(B, ursa_iface_get(B, 0), &a2, &ma), 0);
	smc_set_link_ops(B, &fake_ops);
	fake_local[1] = "10.77.0.3";
	dst = a2;
	CU_ASSERT_EQUAL_FATAL(ursa_tcp_create(A, 0, -1, AF_INET, &p.lpcb), 0);
	CU_ASSERT_EQUAL(ursa_smc_opt_want(A, p.lpcb, true), 0);
	CU_ASSERT_EQUAL_FATAL(ursa_tcp_bind(A, p.lpcb, &a2, 12345), 0);
	CU_ASSERT_EQUAL_FATAL(ursa_tcp_listen(A, p.lpcb, 8), 0);
	CU_ASSERT_EQUAL_FATAL(ursa_tcp_create(B, 0, -1, AF_INET, &p.cpcb), 0);
	CU_ASSERT_EQUAL(ursa_smc_opt_want(B, p.cpcb, true), 0);
	CU_ASSERT_EQUAL_FATAL(ursa_tcp_connect(B, p.cpcb, &dst, 12345), 0);
	CU_ASSERT_EQUAL(ursa_smc_connect_start(B, p.cpcb, on_done, &p, &p.client), 0);
	step(URSA_NS_PER_MS);
	CU_ASSERT_EQUAL_FATAL(ursa_tcp_accept(A, p.lpcb, &p.spcb), 0);
	/* the Proposal: SMC-Rv2 only, our two UEIDs, the GID of 10.77.0.3 */
	CU_ASSERT_EQUAL_FATAL(ursa_tcp_recv(A, p.spcb, buf, 8, URSA_TCP_RECV_PEEK), 8);
	len = smc_clc_peek_len(buf);
	CU_ASSERT_EQUAL_FATAL(len, 40 + 40 + 40 + 2 * 32 + 4);
	CU_ASSERT_EQUAL(ursa_tcp_recv(A, p.spcb, buf, len, 0), len);
	CU_ASSERT_EQUAL_FATAL(smc_clc_decode(buf, len, &m), SMC_CLC_E_ok);
	CU_ASSERT_EQUAL(m.typev1, SMC_CLC_PATH_N);
	CU_ASSERT_EQUAL(m.typev2, SMC_CLC_PATH_R);
	CU_ASSERT_EQUAL(memcmp(m.prop.v2_gid + 12, "\x0a\x4d\x00\x03", 4), 0);
	send_all(A, p.spcb, acc, 160);
	step(URSA_NS_PER_MS);
	CU_ASSERT_EQUAL(ursa_smc_state(p.client), URSA_SMC_ACTIVE);
	CU_ASSERT_EQUAL(fake[1].peer_qp.qpn, 0x11);
	CU_ASSERT_EQUAL(fake[1].peer_qp.psn, 0x3cbe46);
	CU_ASSERT_EQUAL(fake[1].peer_qp.mtu, 3);
	CU_ASSERT_EQUAL(fake[1].peer_rmb.rkey, 0x3e4);
	CU_ASSERT_EQUAL(fake[1].peer_rmb.vaddr, 0xff2eb877eead0000ull);
	CU_ASSERT_EQUAL(fake[1].peer_rmb.size, 64 * 1024);
	CU_ASSERT_EQUAL(fake[1].peer_rmb.token, 1);
	/* the Confirm, in the form Linux's client sent (frame 8), our own GID list empty */
	CU_ASSERT_EQUAL_FATAL(ursa_tcp_recv(A, p.spcb, buf, 8, URSA_TCP_RECV_PEEK), 8);
	len = smc_clc_peek_len(buf);
	CU_ASSERT_EQUAL_FATAL(len, 164);
	CU_ASSERT_EQUAL(ursa_tcp_recv(A, p.spcb, buf, len, 0), len);
	CU_ASSERT_EQUAL_FATAL(smc_clc_decode(buf, len, &m), SMC_CLC_E_ok);
	CU_ASSERT_EQUAL(m.type, SMC_CLC_CONFIRM);
	CU_ASSERT(m.first_contact);
	CU_ASSERT_EQUAL(memcmp(m.acc.eid, "SMC-LAB-EID ", 12), 0);
	CU_ASSERT_EQUAL(memcmp(m.acc.gid + 12, "\x0a\x4d\x00\x03", 4), 0);
	CU_ASSERT_EQUAL(m.acc.qpn, 0x22);
	CU_ASSERT_EQUAL(m.acc.mtu, 3);
	CU_ASSERT_EQUAL(m.acc.os_type, 2);
	CU_ASSERT_EQUAL(m.acc.fce_release, 1);
	CU_ASSERT_EQUAL(m.acc.gid_cnt, 0);
	ursa_smc_conn_free(B, p.client, true);
	ursa_tcp_abort(A, p.spcb);
	ursa_tcp_abort(A, p.lpcb);
	step(URSA_NS_PER_MS);
	smc_set_link_ops(B, NULL);
	fake_local[1] = "10.0.0.2";
}

/* A peer that resets during the handshake fails it: no fallback on a dead connection. */
static void test_reset_fails(void)
{
	struct pair p;

	smc_set_link_ops(B, &fake_ops);
	open_pair(&p, 9011, true, true, true);
	ursa_tcp_abort(A, p.spcb);
	step(URSA_NS_PER_MS);
	CU_ASSERT_EQUAL(ursa_smc_state(p.client), URSA_SMC_FAILED);
	CU_ASSERT_EQUAL(ursa_smc_error(p.client), -ECONNRESET);
	ursa_smc_conn_free(B, p.client, true);
	ursa_tcp_abort(B, p.cpcb); /* after a failure the connection is the caller's */
	ursa_tcp_abort(A, p.lpcb);
	step(URSA_NS_PER_MS);
	smc_set_link_ops(B, NULL);
}

static void test_conf(void)
{
	struct ursa_smc_conf sc;

	ursa_smc_conf_default(&sc);
	CU_ASSERT_EQUAL(sc.clc_timeout_ns, 6 * URSA_NS_PER_S);
	strcpy(sc.ueid[0], "lower");
	sc.nb_ueid = 1;
	CU_ASSERT_EQUAL(ursa_smc_set_conf(A, &sc), -EINVAL);
	strcpy(sc.ueid[0], "");
	CU_ASSERT_EQUAL(ursa_smc_set_conf(A, &sc), -EINVAL);
	sc.nb_ueid = 9;
	CU_ASSERT_EQUAL(ursa_smc_set_conf(A, &sc), -EINVAL);
}

int main(void)
{
	CU_pSuite s = ursa_test_suite("smc_conn", setup, teardown);

	CU_add_test(s, "no echo: TCP, no CLC", test_no_echo);
	CU_add_test(s, "no device on either side", test_no_device_anywhere);
	CU_add_test(s, "server without device declines", test_server_no_device);
	CU_add_test(s, "UEID mismatch declined", test_ueid_mismatch);
	CU_add_test(s, "Proposal, Accept, Confirm: active", test_smc_active);
	CU_add_test(s, "client declines after the Accept", test_decline_after_accept);
	CU_add_test(s, "link fails after the Confirm", test_link_fails);
	CU_add_test(s, "malformed Proposal", test_malformed_proposal);
	CU_add_test(s, "silent client: server times out", test_server_timeout);
	CU_add_test(s, "silent server: client times out", test_client_timeout);
	CU_add_test(s, "reset during the handshake", test_reset_fails);
	CU_add_test(s, "v1-only peer declined", test_v1_peer);
	CU_add_test(s, "Linux Proposal: GID checked", test_linux_proposal_gid_checked);
	CU_add_test(s, "Linux Proposal accepted, no Confirm", test_linux_proposal_accepted);
	CU_add_test(s, "Linux Accept taken, Confirm sent", test_linux_accept);
	CU_add_test(s, "settings checked", test_conf);
	return ursa_test_main();
}
