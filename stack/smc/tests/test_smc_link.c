/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The link side end to end: two full stacks on memory ports and virtual clocks, softroce
 * behind the rdma interface, the CLC exchange replaced by handing each side's prepare()
 * output to the other's start(). CONFIRM_LINK, bulk data both ways through small RMBs
 * (wraps, full windows, consumer updates), half-close, abort, a second connection reusing
 * the link group with a fresh rkey, a stale-rkey WRITE NAKed with 0 bytes changed and the
 * link's connections told, ADD_LINK refused, TEST_LINK, peer claims refused, CONFIRM_LINK
 * timeout, and loss on the wire.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

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

struct host {
	struct ursa_lcore *lc;
	struct ursa_rdma_device *dev;
	uint16_t iface;
	struct ursa_ipaddr addr;
};

struct ep {
	int h; /* host index */
	struct smc_link_conn *c;
	struct smc_qp_info qp;
	struct smc_rmb_info rmb;
	bool first, got_ready;
	int status;
};

static struct host H[2];
static const struct rte_ether_addr macs[2] = {URSA_TEST_MAC, URSA_TEST_PEER_MAC};
static const uint8_t sysid[2][8] = {{1, 2, 3, 4, 5, 6, 7, 8}, {8, 7, 6, 5, 4, 3, 2, 1}};

static void host_up(int i)
{
	struct host *h = &H[i];
	struct ursa_iface_conf c = {.port = 0, .tenant = 7, .mac = &macs[i], .no_linklocal = true};
	char s[32];

	h->lc = ursa_test_lcore(900 + (uint64_t)i);
	CU_ASSERT_FATAL(h->lc != NULL);
	CU_ASSERT_FATAL(ursa_eth_init(h->lc) == 0);
	CU_ASSERT_FATAL(ursa_arp_init(h->lc) == 0);
	CU_ASSERT_FATAL(ursa_ip_init(h->lc) == 0);
	CU_ASSERT_FATAL(ursa_udp_init(h->lc) == 0);
	CU_ASSERT_FATAL(ursa_tcp_init(h->lc) == 0);
	CU_ASSERT_FATAL(ursa_rdma_init(h->lc) == 0);
	CU_ASSERT_FATAL(ursa_roce_init(h->lc) == 0);
	CU_ASSERT_FATAL(ursa_smc_init(h->lc) == 0);
	CU_ASSERT_FATAL(ursa_iface_add(h->lc, &c, &h->iface) == 0);
	snprintf(s, sizeof(s), "10.7.0.%d", i + 1);
	h->addr = ursa_test_ip(s);
	CU_ASSERT_FATAL(ursa_iface_addr_add(h->lc, h->iface, &h->addr, 24) == 0);
	CU_ASSERT_FATAL(ursa_rdma_device_open(h->lc, &ursa_softroce_provider, "softroce0", NULL,
					      &h->dev) == 0);
}

static void hosts_up(void)
{
	host_up(0);
	host_up(1);
}

static void hosts_down(void)
{
	ursa_lcore_destroy(H[0].lc);
	ursa_lcore_destroy(H[1].lc);
}

static uint64_t ctr(int h, const char *name)
{
	return ursa_test_counter(H[h].lc, "smc", name);
}

static void on_ready(void *arg, int status)
{
	struct ep *e = arg;

	e->got_ready = true;
	e->status = status;
}

static int prepare(struct ep *e, int h, bool server, uint32_t rmb_size)
{
	struct smc_link_req r = {.iface = H[h].iface,
				 .tenant = 7,
				 .server = server,
				 .peer = H[!h].addr,
				 .rmb_size = rmb_size};

	memset(e, 0, sizeof(*e));
	e->h = h;
	memcpy(r.peer_id, sysid[!h], 8);
	return smc_link_prepare(H[h].lc, &r, &e->c, &e->qp, &e->rmb, &e->first);
}

static bool step(void)
{
	return ursa_test_pair_step(H[0].lc, H[1].lc);
}

static void run_until(bool *flag)
{
	for (int k = 0; k < 20000 && !*flag; k++)
		if (!step())
			break;
}

/* Host 0 is the client, host 1 the server: prepare both, start (client first, as after CLC
 * Accept; then the server, as after Confirm), wait for both ready. */
static void connect_pair(struct ep *cl, struct ep *sv, uint32_t cl_rmb, uint32_t sv_rmb)
{
	CU_ASSERT_EQUAL_FATAL(prepare(sv, 1, true, sv_rmb), 0);
	CU_ASSERT_EQUAL_FATAL(prepare(cl, 0, false, cl_rmb), 0);
	CU_ASSERT_EQUAL(cl->first, sv->first);
	CU_ASSERT_EQUAL_FATAL(smc_link_start(cl->c, &sv->qp, &sv->rmb, on_ready, cl), 0);
	CU_ASSERT_EQUAL_FATAL(smc_link_start(sv->c, &cl->qp, &cl->rmb, on_ready, sv), 0);
	run_until(&cl->got_ready);
	run_until(&sv->got_ready);
	CU_ASSERT_FATAL(cl->got_ready && sv->got_ready);
	CU_ASSERT_EQUAL(cl->status, 0);
	CU_ASSERT_EQUAL(sv->status, 0);
}

static uint8_t pat(uint64_t k, int dir)
{
	uint64_t x = (k + 1) * 0x9E3779B97F4A7C15ull ^ (uint64_t)dir * 0xabcdef;

	return (uint8_t)(x >> 29);
}

/* A one-way stream's state in a transfer. */
struct flow {
	struct ep *tx, *rx;
	int dir;
	uint64_t total, sent, got;
	bool bad;
};

static bool flow_step(struct flow *f, struct ursa_rng *r)
{
	static uint8_t buf[65536];
	bool moved = false;
	size_t want = 1 + ursa_rng_below(r, sizeof(buf) - 1);
	ssize_t n;

	want = RTE_MIN(want, f->total - f->sent);
	if (want > 0) {
		for (size_t k = 0; k < want; k++)
			buf[k] = pat(f->sent + k, f->dir);
		n = smc_link_send(f->tx->c, buf, want);
		CU_ASSERT(n > 0 || n == -EAGAIN);
		if (n > 0) {
			f->sent += (uint64_t)n;
			moved = true;
		}
	}
	while ((n = smc_link_recv(f->rx->c, buf, 1 + ursa_rng_below(r, sizeof(buf) - 1), false)) >
	       0) {
		for (ssize_t k = 0; k < n; k++)
			f->bad |= buf[k] != pat(f->got + (uint64_t)k, f->dir);
		f->got += (uint64_t)n;
		moved = true;
	}
	CU_ASSERT(n == -EAGAIN);
	return moved;
}

static bool drop_some(int from, struct rte_mbuf *m, void *arg)
{
	unsigned *k = arg;

	RTE_SET_USED(from), RTE_SET_USED(m);
	return ++*k % 23 != 0;
}

/* Both flows to the end; with loss, every 23rd frame is dropped. */
static void transfer(struct flow *f, unsigned nf, bool loss)
{
	struct ursa_rng r;
	unsigned k = 0;
	bool done = false;

	ursa_rng_seed(&r, 5);
	for (int it = 0; it < 400000 && !done; it++) {
		bool moved = false;

		for (unsigned i = 0; i < nf; i++)
			moved |= flow_step(&f[i], &r);
		if (loss) {
			moved |= ursa_test_pair_pump(H[0].lc, H[1].lc, drop_some, &k, 4) > 0;
			if (!moved)
				ursa_test_pair_idle(H[0].lc, H[1].lc);
		} else if (!moved && !step()) {
			break;
		}
		done = true;
		for (unsigned i = 0; i < nf; i++)
			done &= f[i].got == f[i].total;
	}
	for (unsigned i = 0; i < nf; i++) {
		CU_ASSERT_EQUAL(f[i].got, f[i].total);
		CU_ASSERT_FALSE(f[i].bad);
	}
}

static void test_bulk(void)
{
	struct ep cl, sv;
	struct flow f[2] = {{&cl, &sv, 0, (1u << 20) + 12345, 0, 0, false},
			    {&sv, &cl, 1, (1u << 20) + 777, 0, 0, false}};

	hosts_up();
	connect_pair(&cl, &sv, 65536, 16384);
	CU_ASSERT(cl.first);
	CU_ASSERT_EQUAL(sv.rmb.size, 16384);
	CU_ASSERT_EQUAL(cl.rmb.size, 65536);
	CU_ASSERT_EQUAL(ctr(0, "link_up"), 1);
	CU_ASSERT_EQUAL(ctr(1, "link_up"), 1);
	{
		struct smc_link *lc0 = &smc_lgr_first(H[0].lc)->lnk;
		struct smc_link *lc1 = &smc_lgr_first(H[1].lc)->lnk;

		/* the server numbered the link; each side's uid is its own, and known to the other
		 */
		CU_ASSERT_EQUAL(lc0->link_id, lc1->link_id);
		CU_ASSERT_EQUAL(lc0->peer_link_uid, lc1->link_uid);
		CU_ASSERT_EQUAL(lc1->peer_link_uid, lc0->link_uid);
		CU_ASSERT_EQUAL(lc0->link_uid & 0xff, lc0->link_id);
	}
	CU_ASSERT_EQUAL(smc_link_poll(cl.c), SMC_POLL_OUT);
	transfer(f, 2, false);
	/* 1 MiB through 16 KiB: the window filled, the peer asked for and got updates */
	CU_ASSERT(ctr(0, "tx_blocked") > 0);
	CU_ASSERT(ctr(1, "cdc_cons_update") > 0);
	CU_ASSERT(ctr(0, "cdc_cons_update") > 0);
	CU_ASSERT_EQUAL(ctr(0, "cdc_violation") + ctr(1, "cdc_violation"), 0);
	CU_ASSERT_EQUAL(ctr(0, "cdc_dup") + ctr(1, "cdc_dup"), 0);
	CU_ASSERT(cl.c->tx_prod / sv.rmb.size >= 64); /* the ring wrapped many times */
	hosts_down();
}

static void close_both(struct ep *a, struct ep *b)
{
	CU_ASSERT_EQUAL(smc_link_close(a->c, false), 0);
	for (int k = 0; k < 100; k++)
		step();
	CU_ASSERT(smc_link_poll(b->c) & SMC_POLL_RDHUP);
	CU_ASSERT_EQUAL(smc_link_close(b->c, false), 0);
	for (int k = 0; k < 100; k++)
		step();
}

static void test_half_close(void)
{
	struct ep cl, sv;
	uint8_t buf[256];

	hosts_up();
	connect_pair(&cl, &sv, 16384, 16384);
	CU_ASSERT_EQUAL(smc_link_send(cl.c, "hello", 5), 5);
	CU_ASSERT_EQUAL(smc_link_shutdown(cl.c, SHUT_WR), 0);
	CU_ASSERT_EQUAL(smc_link_send(cl.c, "x", 1), -EPIPE);
	for (int k = 0; k < 50; k++)
		step();
	CU_ASSERT_EQUAL(smc_link_poll(sv.c) & (SMC_POLL_IN | SMC_POLL_RDHUP),
			SMC_POLL_IN | SMC_POLL_RDHUP);
	CU_ASSERT_EQUAL(smc_link_recv(sv.c, buf, sizeof(buf), true), 5);
	CU_ASSERT_EQUAL(smc_link_recv(sv.c, buf, sizeof(buf), false), 5);
	CU_ASSERT_EQUAL(memcmp(buf, "hello", 5), 0);
	CU_ASSERT_EQUAL(smc_link_recv(sv.c, buf, sizeof(buf), false), 0); /* EOF */
	/* the other direction still works */
	CU_ASSERT_EQUAL(smc_link_send(sv.c, "world!", 6), 6);
	for (int k = 0; k < 50; k++)
		step();
	CU_ASSERT_EQUAL(smc_link_recv(cl.c, buf, sizeof(buf), false), 6);
	CU_ASSERT_EQUAL(memcmp(buf, "world!", 6), 0);
	CU_ASSERT_EQUAL(smc_link_recv(cl.c, buf, sizeof(buf), false), -EAGAIN);
	CU_ASSERT_EQUAL(smc_link_shutdown(sv.c, SHUT_WR), 0);
	for (int k = 0; k < 50; k++)
		step();
	CU_ASSERT(smc_link_poll(cl.c) & SMC_POLL_HUP);
	CU_ASSERT(smc_link_poll(sv.c) & SMC_POLL_HUP);
	close_both(&cl, &sv);
	CU_ASSERT_EQUAL(ctr(0, "link_conn_freed"), 1);
	CU_ASSERT_EQUAL(ctr(1, "link_conn_freed"), 1);
	CU_ASSERT_EQUAL(ctr(0, "llc_delete_rkey_tx"), 1);
	CU_ASSERT_EQUAL(ctr(1, "llc_delete_rkey_rx"), 1);
	CU_ASSERT_EQUAL(ctr(1, "llc_delete_rkey_tx"), 1);
	CU_ASSERT_EQUAL(ctr(0, "llc_delete_rkey_rx"), 1);
	hosts_down();
}

static void test_abort(void)
{
	struct ep cl, sv;
	uint8_t buf[64];

	hosts_up();
	connect_pair(&cl, &sv, 16384, 16384);
	CU_ASSERT_EQUAL(smc_link_send(sv.c, "unread", 6), 6);
	for (int k = 0; k < 50; k++)
		step();
	/* closing with unread data resets, as TCP does */
	CU_ASSERT_EQUAL(smc_link_close(cl.c, false), 0);
	for (int k = 0; k < 50; k++)
		step();
	CU_ASSERT(smc_link_poll(sv.c) & SMC_POLL_ERR);
	CU_ASSERT_EQUAL(smc_link_recv(sv.c, buf, sizeof(buf), false), -ECONNRESET);
	CU_ASSERT_EQUAL(smc_link_send(sv.c, "x", 1), -ECONNRESET);
	CU_ASSERT_EQUAL(smc_link_close(sv.c, false), 0);
	for (int k = 0; k < 50; k++)
		step();
	CU_ASSERT_EQUAL(ctr(0, "link_conn_freed"), 1);
	CU_ASSERT_EQUAL(ctr(1, "link_conn_freed"), 1);
	/* an explicit abort of a fresh connection on the same link group */
	connect_pair(&cl, &sv, 16384, 16384);
	CU_ASSERT_FALSE(cl.first);
	CU_ASSERT_EQUAL(smc_link_close(sv.c, true), 0);
	for (int k = 0; k < 50; k++)
		step();
	CU_ASSERT(smc_link_poll(cl.c) & SMC_POLL_ERR);
	CU_ASSERT_EQUAL(smc_link_close(cl.c, false), 0);
	for (int k = 0; k < 50; k++)
		step();
	CU_ASSERT_EQUAL(ctr(0, "link_conn_freed"), 2);
	CU_ASSERT_EQUAL(ctr(1, "link_conn_freed"), 2);
	/* a peer that never closes does not pin the RMB: freed after the close wait (the idle
	 * steps above may have run it out for the aborting side already) */
	connect_pair(&cl, &sv, 16384, 16384);
	{
		uint64_t to = ctr(0, "close_timeout"), freed = ctr(0, "link_conn_freed");
		uint64_t t0 = ursa_now(H[0].lc);

		CU_ASSERT_EQUAL(smc_link_close(cl.c, false), 0);
		CU_ASSERT_EQUAL(ctr(0, "link_conn_freed"), freed);
		for (int k = 0; k < 5000 && ctr(0, "close_timeout") == to; k++)
			step();
		CU_ASSERT_EQUAL(ctr(0, "close_timeout"), to + 1);
		CU_ASSERT_EQUAL(ctr(0, "link_conn_freed"), freed + 1);
		CU_ASSERT(ursa_now(H[0].lc) - t0 >= SMC_CLOSE_WAIT_NS);
	}
	CU_ASSERT_EQUAL(smc_link_send(sv.c, "x", 1), -EPIPE); /* the peer closed */
	CU_ASSERT_EQUAL(smc_link_close(sv.c, false), 0);
	CU_ASSERT_EQUAL(ctr(1, "link_conn_freed"), 3); /* the peer had closed: at once */
	CU_ASSERT_EQUAL(ctr(0, "link_failed") + ctr(1, "link_failed"), 0);
	hosts_down();
}

/* A second connection reuses the link group, and the RMB under a fresh rkey; after close, a
 * WRITE with the dead key is NAKed, changes no byte, and the link's connection is told. */
static void test_reuse_and_stale_rkey(void)
{
	struct ep cl, sv, cl2, sv2, cl3, sv3;
	struct flow f[2] = {{&cl2, &sv2, 0, 100000, 0, 0, false},
			    {&sv2, &cl2, 1, 70000, 0, 0, false}};
	struct smc_link *l;
	uint8_t *rmb, *src;
	uint32_t old_rkey, stale;
	uint64_t stale_va;
	int slot;

	hosts_up();
	connect_pair(&cl, &sv, 16384, 16384);
	old_rkey = sv.rmb.rkey;
	rmb = sv.c->rmb->buf;
	close_both(&cl, &sv);
	connect_pair(&cl2, &sv2, 16384, 16384);
	CU_ASSERT_FALSE(cl2.first);
	CU_ASSERT_EQUAL(ctr(0, "lgr_created"), 1);
	CU_ASSERT_EQUAL(ctr(0, "lgr_reused"), 1);
	CU_ASSERT_EQUAL(ctr(1, "rmb_reused"), 1);
	CU_ASSERT_PTR_EQUAL(sv2.c->rmb->buf, rmb);   /* the same buffer ... */
	CU_ASSERT_NOT_EQUAL(sv2.rmb.rkey, old_rkey); /* ... under a new key */
	CU_ASSERT_NOT_EQUAL(sv2.rmb.token, sv.rmb.token);
	transfer(f, 2, false);
	stale = sv2.rmb.rkey;
	stale_va = sv2.rmb.vaddr;
	close_both(&cl2, &sv2);
	connect_pair(&cl3, &sv3, 65536, 65536); /* a bystander on the link */
	for (size_t k = 0; k < 16384; k++)
		CU_ASSERT_FATAL(rmb[k] == 0); /* zeroed on release */
	l = &smc_lgr_first(H[0].lc)->lnk;
	slot = smc_link_tx_slot(l, &src);
	CU_ASSERT_FATAL(slot >= 0);
	memset(src, 0xab, SMC_TX_BUF);
	{
		struct ursa_rdma_sge sge = {(uintptr_t)src, SMC_TX_BUF, l->wr_mr->lkey};
		struct ursa_rdma_send_wr wr = {.wr_id = SMC_WR_ID_TX | (uint64_t)slot,
					       .opcode = URSA_RDMA_WR_RDMA_WRITE,
					       .send_flags = URSA_RDMA_SEND_SIGNALED,
					       .sg_list = &sge,
					       .num_sge = 1,
					       .rdma = {stale_va, stale}};

		CU_ASSERT_EQUAL(ursa_rdma_post_send(l->qp, &wr, 1), 1);
	}
	for (int k = 0; k < 200; k++)
		step();
	for (size_t k = 0; k < 16384; k++)
		CU_ASSERT_FATAL(rmb[k] == 0);
	CU_ASSERT_EQUAL(ctr(0, "link_wc_error"), 1);
	CU_ASSERT_EQUAL(ctr(0, "link_failed"), 1);
	CU_ASSERT(smc_link_poll(cl3.c) & SMC_POLL_ERR);
	CU_ASSERT_EQUAL(smc_link_send(cl3.c, "x", 1), -ECONNRESET);
	CU_ASSERT_EQUAL(smc_link_close(cl3.c, false), 0);
	for (int k = 0; k < 20; k++)
		step();
	CU_ASSERT_EQUAL(ctr(0, "lgr_freed"), 1); /* failed and empty: gone */
	/* a new connection to the same peer makes a new link group */
	{
		struct ep c4;

		CU_ASSERT_EQUAL(prepare(&c4, 0, false, 16384), 0);
		CU_ASSERT(c4.first);
		CU_ASSERT_EQUAL(smc_link_close(c4.c, false), 0);
	}
	hosts_down();
}

static const char add_link_v2[] = "22580000525400770002000000000000000000000000ffff0a4d00020000"
				  "120203a22f900000000000000000800000000000000000000000ffff0a4d"
				  "000200000000000000000100000003e400000590ff2eb877eead0000";

/* A Linux server's ADD_LINK right after CONFIRM_LINK is refused at once; an idle link sends
 * TEST_LINK and the peer answers; the link stays up through both. */
static void test_add_link_and_testlink(void)
{
	struct ep cl, sv;
	struct smc_llc m;
	uint8_t b[128];
	uint8_t out[8];
	size_t n = ursa_test_unhex(add_link_v2, b, sizeof(b));

	hosts_up();
	connect_pair(&cl, &sv, 16384, 16384);
	CU_ASSERT_EQUAL_FATAL(smc_llc_decode(b, n, &m), 0);
	CU_ASSERT_EQUAL(smc_llc_send(&smc_lgr_first(H[1].lc)->lnk, &m), 0);
	for (int k = 0; k < 20; k++)
		step();
	CU_ASSERT_EQUAL(ctr(0, "llc_add_link_rej"), 1);
	CU_ASSERT_EQUAL(ctr(1, "llc_unexpected"), 1); /* the reject: we never offer links */
	/* 65 s idle on the virtual clock: TEST_LINKs both ways, answered */
	for (int k = 0; k < 5000 && ursa_now(H[0].lc) < 65ull * 1000000000; k++)
		step();
	CU_ASSERT(ctr(0, "llc_testlink_tx") >= 1);
	CU_ASSERT(ctr(1, "llc_testlink_rx") >= 1);
	CU_ASSERT_EQUAL(ctr(0, "link_failed") + ctr(1, "link_failed"), 0);
	CU_ASSERT_EQUAL(smc_link_send(cl.c, "ok", 2), 2);
	for (int k = 0; k < 20; k++)
		step();
	CU_ASSERT_EQUAL(smc_link_recv(sv.c, out, sizeof(out), false), 2);
	close_both(&cl, &sv);
	hosts_down();
}

/* start() checks the peer's claims; a client whose server never confirms gives up. */
static void test_claims_and_timeout(void)
{
	struct ep cl, sv;
	struct smc_qp_info q;
	struct smc_rmb_info r;

	hosts_up();
	CU_ASSERT_EQUAL_FATAL(prepare(&sv, 1, true, 16384), 0);
	CU_ASSERT_EQUAL_FATAL(prepare(&cl, 0, false, 16384), 0);
	q = sv.qp;
	q.gid[15] ^= 1; /* a GID that is not the peer's address */
	CU_ASSERT_EQUAL(smc_link_start(cl.c, &q, &sv.rmb, on_ready, &cl), -EPROTO);
	r = sv.rmb;
	r.size = 20000; /* no RMB size */
	CU_ASSERT_EQUAL(smc_link_start(cl.c, &sv.qp, &r, on_ready, &cl), -EPROTO);
	r.size = 16u << 20; /* more than we mirror */
	CU_ASSERT_EQUAL(smc_link_start(cl.c, &sv.qp, &r, on_ready, &cl), -EPROTO);
	r.size = 16384;
	r.index = 2;
	CU_ASSERT_EQUAL(smc_link_start(cl.c, &sv.qp, &r, on_ready, &cl), -EPROTO);
	CU_ASSERT_EQUAL(ctr(0, "link_bad_peer"), 4);
	/* another tenant on this interface: no link group, no QP */
	{
		struct smc_link_req q8 = {
			.iface = H[0].iface, .tenant = 8, .peer = H[1].addr, .rmb_size = 16384};
		struct ep e;

		CU_ASSERT_EQUAL(smc_link_prepare(H[0].lc, &q8, &e.c, &e.qp, &e.rmb, &e.first),
				-ENETUNREACH);
		q8.tenant = 7;
		q8.vlan = 5;
		CU_ASSERT_EQUAL(smc_link_prepare(H[0].lc, &q8, &e.c, &e.qp, &e.rmb, &e.first),
				-ENETUNREACH);
		CU_ASSERT_EQUAL(ctr(0, "lgr_created"), 1);
	}
	CU_ASSERT_EQUAL(smc_link_start(cl.c, &sv.qp, &sv.rmb, on_ready, &cl), 0);
	/* the server never starts: no CONFIRM_LINK */
	run_until(&cl.got_ready);
	CU_ASSERT(cl.got_ready);
	CU_ASSERT_EQUAL(cl.status, -ETIMEDOUT);
	CU_ASSERT(smc_link_poll(cl.c) & SMC_POLL_ERR);
	CU_ASSERT_EQUAL(smc_link_close(cl.c, false), 0);
	CU_ASSERT_EQUAL(smc_link_close(sv.c, false), 0);
	hosts_down();
}

static void test_loss(void)
{
	struct ep cl, sv;
	struct flow f[2] = {{&cl, &sv, 0, 300000, 0, 0, false}, {&sv, &cl, 1, 200000, 0, 0, false}};

	hosts_up();
	connect_pair(&cl, &sv, 32768, 16384);
	transfer(f, 2, true);
	CU_ASSERT_EQUAL(ctr(0, "link_failed") + ctr(1, "link_failed"), 0);
	close_both(&cl, &sv);
	hosts_down();
}

int main(void)
{
	CU_pSuite s = ursa_test_suite("smc_link", NULL, NULL);

	CU_add_test(s, "1 MiB both ways through small RMBs", test_bulk);
	CU_add_test(s, "half-close both ways", test_half_close);
	CU_add_test(s, "abort, by unread data and by request", test_abort);
	CU_add_test(s, "link group reuse, re-key, stale rkey NAKed", test_reuse_and_stale_rkey);
	CU_add_test(s, "ADD_LINK refused, TEST_LINK answered", test_add_link_and_testlink);
	CU_add_test(s, "peer claims checked, CONFIRM_LINK timeout", test_claims_and_timeout);
	CU_add_test(s, "every byte through loss", test_loss);
	return ursa_test_main();
}
