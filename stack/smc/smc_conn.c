/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The CLC handshake of one connection, both roles, driven by its TCP connection's events
 * and a timer on the lcore's clock (nothing blocks):
 *
 *   client: SYN-ACK without the option echoed: fallback (0x03010000), no CLC at all.
 *           no device, no UEID: Decline (0x03030000), fallback.
 *           Proposal (v2, SMC-R only: RoCEv1 is not spoken) -> Accept -> Confirm -> link.
 *   server: Proposal -> checks (version, path, UEID, GID, device) -> Accept or Decline;
 *           Confirm -> link; a Decline at any point: fallback without answering.
 *
 * A message is consumed from the stream only once it has decoded, so a fallback leaves
 * every byte that is not CLC for the application, in order, in both directions (our own
 * Decline is written before the application can write). A malformed or unexpected message
 * and a time-out (CLC_WAIT_TIME, 6 s, as Linux) are declined and fall back too, where Linux
 * fails the connection; a TCP connection that ends or fails during the handshake fails it.
 * Every claim of the peer is checked against the connection: its EID against ours, its
 * RoCEv2 GID against its TCP address, its RMB size against the most we take.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "smc_clc.h"
#include "smc_conn.h"
#include "smc_lgr.h"
#include "ursa_rdma.h"
#include "ursa_tcp.h"
#include "ursa_timer.h"

enum conn_step {
	ST_CONNECT,	  /* client: TCP handshake */
	ST_WAIT_ACCEPT,	  /* client: Proposal sent */
	ST_WAIT_PROPOSAL, /* server */
	ST_WAIT_CONFIRM,  /* server: Accept sent */
	ST_WAIT_LINK,	  /* link started, waiting for it to be ready */
	ST_FLUSH,	  /* our Decline is being written, then fallback */
	ST_DONE,
};

#define RMB_MIN (16u * 1024)

struct ursa_smc_conn {
	struct ursa_lcore *lc;
	struct ursa_tcp_pcb *pcb;
	bool server;
	bool starting;	    /* in *_start: no callback yet, the caller looks at the state */
	bool in_link_start; /* inside ops->start: ready() only records */
	int ready_status;   /* 1 until ready() is called */
	enum conn_step step;
	enum ursa_smc_state state;
	uint32_t reason, peer_diag;
	int err;
	uint8_t version; /* of our Decline: 1 until the peer spoke v2 or we did */
	struct ursa_timer timer;
	ursa_smc_done_cb_t cb;
	void *arg;
	struct smc_link_conn *link;
	struct ursa_ipaddr local, peer;
	uint16_t iface;
	uint8_t gid[16], mac[6], mtu; /* our device */
	uint8_t eid[SMC_CLC_EID_LEN]; /* negotiated */
	bool first_contact;
	struct smc_qp_info lqp, pqp;
	struct smc_rmb_info lrmb, prmb;
	uint16_t out_len, out_off;
	uint8_t out[SMC_CLC_MAX_LEN];
	struct smc_clc_msg msg;
};

static void count(struct ursa_smc_conn *c, enum smc_counter k)
{
	c->lc->smc->c[k]++;
}

static const struct smc_link_ops *ops(const struct ursa_smc_conn *c)
{
	return c->lc->smc->link_ops;
}

/* ---- ending the handshake ---- */

static void done(struct ursa_smc_conn *c, enum ursa_smc_state st)
{
	c->step = ST_DONE;
	c->state = st;
	ursa_timer_cancel(c->lc, &c->timer);
	ursa_tcp_set_callback(c->pcb, NULL, NULL);
	if (st == URSA_SMC_ACTIVE)
		count(c, SMC_C_smc_active);
	if (!c->starting && c->cb != NULL)
		c->cb(c->lc, c, c->arg); /* may free c */
}

static void drop_link(struct ursa_smc_conn *c)
{
	if (c->link != NULL) {
		ops(c)->close(c->link, true);
		c->link = NULL;
	}
}

static void fail(struct ursa_smc_conn *c, int err)
{
	drop_link(c);
	c->err = err;
	count(c, SMC_C_clc_tcp_failed);
	done(c, URSA_SMC_FAILED);
}

static void count_fallback(struct ursa_smc_conn *c)
{
	count(c, SMC_C_fallback);
	switch (c->reason) {
	case SMC_CLC_DECL_PEERNOSMC:
		count(c, SMC_C_fallback_peer_nosmc);
		break;
	case SMC_CLC_DECL_NOSMCDEV:
		count(c, SMC_C_fallback_nodev);
		break;
	case SMC_CLC_DECL_NOUEID:
		count(c, SMC_C_fallback_noueid);
		break;
	case SMC_CLC_DECL_PEERDECL:
		count(c, SMC_C_fallback_peer_decline);
		break;
	default:
		count(c, SMC_C_fallback_other);
	}
}

static int clc_flush(struct ursa_smc_conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = ursa_tcp_send(c->lc, c->pcb, c->out + c->out_off,
					  c->out_len - c->out_off, 0);

		if (n == -EAGAIN)
			return 0;
		if (n < 0)
			return (int)n;
		c->out_off += (uint16_t)n;
	}
	c->out_off = c->out_len = 0;
	return 0;
}

static int clc_send(struct ursa_smc_conn *c, const struct smc_clc_msg *m)
{
	static const enum smc_counter tx[] = {[SMC_CLC_PROPOSAL] = SMC_C_clc_tx_proposal,
					      [SMC_CLC_ACCEPT] = SMC_C_clc_tx_accept,
					      [SMC_CLC_CONFIRM] = SMC_C_clc_tx_confirm,
					      [SMC_CLC_DECLINE] = SMC_C_clc_tx_decline};
	int n = smc_clc_encode(m, c->out + c->out_len, sizeof(c->out) - c->out_len);

	if (n < 0)
		return n;
	c->out_len += (uint16_t)n;
	count(c, tx[m->type]);
	return clc_flush(c);
}

/* Our system id: 2 random bytes of the lcore and the interface's MAC (as Linux: 2 random
 * bytes and a RoCE port's MAC). */
static void system_id(const struct ursa_smc_conn *c, uint8_t id[8])
{
	memcpy(id, c->lc->smc->sysid, 2);
	memcpy(id + 2, c->mac, 6);
}

/* Fall back to TCP on the same connection; decline != 0: tell the peer first. */
static void fallback(struct ursa_smc_conn *c, uint32_t reason, uint32_t decline)
{
	drop_link(c);
	c->reason = reason;
	count_fallback(c);
	if (decline != 0) {
		struct smc_clc_msg m = {.type = SMC_CLC_DECLINE, .version = c->version};

		system_id(c, m.decl.peer_id);
		m.decl.diag = decline;
		m.decl.os_type = c->version == 2 ? 2 : 0; /* as Linux: "Linux" */
		if (clc_send(c, &m) < 0) {
			fail(c, ursa_tcp_error(c->pcb) ? ursa_tcp_error(c->pcb) : -EPIPE);
			return;
		}
		if (c->out_len != 0) {
			c->step = ST_FLUSH; /* the rest goes on WRITABLE, then fallback */
			return;
		}
	}
	done(c, URSA_SMC_FALLBACK);
}

static void decline(struct ursa_smc_conn *c, uint32_t code)
{
	fallback(c, code, code);
}

/* ---- reading CLC ---- */

/* 1: c->msg holds the next message (consumed); 0: not all there yet; -EPROTO: the bytes
 * are not the message expected (nothing consumed); -ENOTCONN: the peer ended the stream. */
static int clc_read(struct ursa_smc_conn *c, uint8_t expect)
{
	uint8_t buf[SMC_CLC_MAX_LEN];
	size_t have = ursa_tcp_readable(c->pcb);
	enum ursa_tcp_state st = ursa_tcp_get_state(c->pcb);
	uint16_t len;

	if (have < sizeof(struct smc_clc_hdr) ||
	    ursa_tcp_recv(c->lc, c->pcb, buf, sizeof(struct smc_clc_hdr), URSA_TCP_RECV_PEEK) !=
		    (ssize_t)sizeof(struct smc_clc_hdr))
		goto short_read;
	len = smc_clc_peek_len(buf);
	if (len == 0) {
		count(c, SMC_C_clc_drop_malformed);
		return -EPROTO;
	}
	if (buf[4] != expect && buf[4] != SMC_CLC_DECLINE) {
		count(c, SMC_C_clc_drop_unexpected);
		return -EPROTO;
	}
	if (have < len)
		goto short_read;
	if (ursa_tcp_recv(c->lc, c->pcb, buf, len, URSA_TCP_RECV_PEEK) != len ||
	    smc_clc_decode(buf, len, &c->msg) != SMC_CLC_E_ok) {
		count(c, SMC_C_clc_drop_malformed);
		return -EPROTO;
	}
	(void)ursa_tcp_recv(c->lc, c->pcb, buf, len, 0);
	return 1;
short_read:
	if (st == URSA_TCP_CLOSE_WAIT || st == URSA_TCP_LAST_ACK || st == URSA_TCP_CLOSING ||
	    st == URSA_TCP_TIME_WAIT || st == URSA_TCP_CLOSED)
		return -ENOTCONN;
	return 0;
}

/* ---- checks ---- */

static void blank_pad(uint8_t out[SMC_CLC_EID_LEN], const char *s)
{
	size_t n = strnlen(s, SMC_CLC_EID_LEN);

	memset(out, ' ', SMC_CLC_EID_LEN);
	memcpy(out, s, n);
}

/* The first of the peer's EIDs that we have too (copied to c->eid), else false. */
static bool eid_match(struct ursa_smc_conn *c, const uint8_t (*eids)[SMC_CLC_EID_LEN], unsigned n)
{
	const struct ursa_smc_conf *conf = &c->lc->smc->conf;

	for (unsigned i = 0; i < n; i++)
		for (unsigned j = 0; j < conf->nb_ueid; j++) {
			uint8_t mine[SMC_CLC_EID_LEN];

			blank_pad(mine, conf->ueid[j]);
			if (memcmp(mine, eids[i], SMC_CLC_EID_LEN) == 0) {
				memcpy(c->eid, mine, SMC_CLC_EID_LEN);
				return true;
			}
		}
	return false;
}

/* The RoCEv2 GID of an IPv4 address: ::ffff:a.b.c.d. */
static void gid_of(const struct ursa_ipaddr *a, uint8_t gid[16])
{
	memset(gid, 0, 16);
	gid[10] = gid[11] = 0xff;
	memcpy(gid + 12, &a->v4, 4);
}

/* The peer's GID must be its TCP address (a direct SMC-Rv2 link: Linux's v2_direct). */
static bool peer_gid_ok(const struct ursa_smc_conn *c, const uint8_t gid[16])
{
	uint8_t want[16];

	gid_of(&c->peer, want);
	return memcmp(want, gid, 16) == 0;
}

static void rmb_from(struct smc_rmb_info *r, const struct smc_clc_accept *a)
{
	r->rkey = a->rkey;
	r->vaddr = a->vaddr;
	r->size = RMB_MIN << a->rmbe_size;
	r->token = a->token;
	r->index = a->rmbe_idx;
}

static void qp_from(struct smc_qp_info *q, const struct smc_clc_accept *a)
{
	memcpy(q->gid, a->gid, 16);
	memcpy(q->mac, a->mac, 6);
	q->qpn = a->qpn;
	q->psn = a->psn;
	q->mtu = a->mtu;
}

/* The peer's Accept or Confirm, checked; 0 or the reason to decline. */
static uint32_t check_acc(struct ursa_smc_conn *c, const struct smc_clc_msg *m)
{
	const struct smc_clc_accept *a = &m->acc;
	uint8_t eid[SMC_CLC_MAX_UEID][SMC_CLC_EID_LEN];

	if (m->version != 2)
		return SMC_CLC_DECL_MODEUNSUPP; /* we proposed SMC-Rv2 only */
	if (c->server && memcmp(a->eid, c->eid, SMC_CLC_EID_LEN) != 0)
		return SMC_CLC_DECL_NOUEID;
	memcpy(eid[0], a->eid, SMC_CLC_EID_LEN);
	if (!c->server && !eid_match(c, (const uint8_t(*)[SMC_CLC_EID_LEN])eid, 1))
		return SMC_CLC_DECL_NOUEID;
	if (!peer_gid_ok(c, a->gid))
		return SMC_CLC_DECL_NOROUTE;
	if ((RMB_MIN << a->rmbe_size) > c->lc->smc->conf.rmb_max)
		return SMC_CLC_DECL_INTERR;
	if (c->server && m->first_contact != c->first_contact)
		return SMC_CLC_DECL_SYNCERR;
	return 0;
}

/* ---- building messages ---- */

static uint8_t rmb_nibble(uint32_t size)
{
	uint8_t n = 0;

	while (n < 15 && (RMB_MIN << n) < size)
		n++;
	return n;
}

static void fill_acc(struct ursa_smc_conn *c, struct smc_clc_msg *m, uint8_t type, uint8_t mtu)
{
	struct smc_clc_accept *a = &m->acc;
	const char *host = c->lc->smc->conf.hostname;

	memset(m, 0, sizeof(*m));
	m->type = type;
	m->version = 2;
	m->typev1 = SMC_CLC_PATH_R;
	m->first_contact = c->first_contact;
	system_id(c, a->peer_id);
	memcpy(a->gid, c->lqp.gid, 16);
	memcpy(a->mac, c->lqp.mac, 6);
	a->qpn = c->lqp.qpn;
	a->psn = c->lqp.psn;
	a->mtu = mtu;
	a->rkey = c->lrmb.rkey;
	a->vaddr = c->lrmb.vaddr;
	a->token = c->lrmb.token;
	a->rmbe_idx = c->lrmb.index;
	a->rmbe_size = rmb_nibble(c->lrmb.size);
	memcpy(a->eid, c->eid, SMC_CLC_EID_LEN);
	if (c->first_contact) {
		a->direct = true;
		a->os_type = 2;
		a->fce_release = 1;
		memset(a->hostname, ' ', sizeof(a->hostname));
		memcpy(a->hostname, host, strnlen(host, sizeof(a->hostname)));
		a->max_conns = 255;
		a->max_links = 2;
		a->feature_mask = 1;
	}
}

static int prepare(struct ursa_smc_conn *c, const uint8_t peer_id[8])
{
	struct smc_link_req req = {
		.iface = c->iface,
		.tenant = (uint16_t)ursa_tcp_tenant(c->pcb),
		.vlan = ursa_iface_get(c->lc, c->iface)->vlan,
		.server = c->server,
		.peer = c->peer,
		.rmb_size = c->lc->smc->conf.rmb_size,
	};

	memcpy(req.peer_id, peer_id, 8);
	return ops(c)->prepare(c->lc, &req, &c->link, &c->lqp, &c->lrmb, &c->first_contact);
}

/* ---- the link ---- */

static void link_done(struct ursa_smc_conn *c, int status)
{
	if (status == 0) {
		done(c, URSA_SMC_ACTIVE);
		return;
	}
	/* no data has moved over SMC yet: both sides can still fall back */
	decline(c, c->server ? SMC_CLC_DECL_TIMEOUT_CL : SMC_CLC_DECL_ERR_RDYLNK);
}

static void link_ready(void *arg, int status)
{
	struct ursa_smc_conn *c = arg;

	if (c->step != ST_WAIT_LINK)
		return;
	if (c->in_link_start) {
		c->ready_status = status;
		return;
	}
	link_done(c, status);
}

static void start_link(struct ursa_smc_conn *c)
{
	int rc;

	c->step = ST_WAIT_LINK;
	c->ready_status = 1;
	ursa_timer_arm_in(c->lc, &c->timer, c->lc->smc->conf.clc_timeout_ns);
	c->in_link_start = true;
	rc = ops(c)->start(c->link, &c->pqp, &c->prmb, link_ready, c);
	c->in_link_start = false;
	if (rc != 0)
		decline(c, SMC_CLC_DECL_ERR_RDYLNK);
	else if (c->ready_status != 1)
		link_done(c, c->ready_status);
}

/* ---- client ---- */

static void client_connected(struct ursa_smc_conn *c)
{
	const struct ursa_smc_conf *conf = &c->lc->smc->conf;
	struct smc_clc_msg m = {.type = SMC_CLC_PROPOSAL,
				.version = 2,
				.typev1 = SMC_CLC_PATH_N,
				.typev2 = SMC_CLC_PATH_R};
	uint16_t port;

	if (!ursa_smc_opt_peer(c->lc, c->pcb)) {
		fallback(c, SMC_CLC_DECL_PEERNOSMC, 0); /* no CLC at all */
		return;
	}
	if (ursa_tcp_local(c->pcb, &c->local, &port) != 0 ||
	    ursa_tcp_peer(c->pcb, &c->peer, &port) != 0 || ursa_tcp_iface(c->pcb) < 0) {
		fail(c, -ENOTCONN);
		return;
	}
	c->iface = (uint16_t)ursa_tcp_iface(c->pcb);
	memcpy(c->mac, &ursa_iface_get(c->lc, c->iface)->mac, 6);
	/* SMC-Rv2 needs IPv4, a UEID and a device (Linux: smc_find_proposal_devices) */
	if (c->local.family != AF_INET || conf->nb_ueid == 0 ||
	    ops(c)->device(c->lc, c->iface, &c->local, c->gid, c->mac, &c->mtu) != 0) {
		decline(c, SMC_CLC_DECL_NOSMCDEV);
		return;
	}
	c->version = 2;
	m.prop.eid_cnt = (uint8_t)conf->nb_ueid;
	for (unsigned i = 0; i < conf->nb_ueid; i++)
		blank_pad(m.prop.eid[i], conf->ueid[i]);
	memcpy(m.prop.v2_gid, c->gid, 16);
	m.prop.release = 1;
	m.prop.max_conns = 255;
	m.prop.max_links = 2;
	m.prop.feature_mask = 1;
	if (clc_send(c, &m) < 0) {
		fail(c, -EPIPE);
		return;
	}
	c->step = ST_WAIT_ACCEPT;
	ursa_timer_arm_in(c->lc, &c->timer, conf->clc_timeout_ns);
}

static void client_accept(struct ursa_smc_conn *c)
{
	const struct smc_clc_msg *a = &c->msg;
	struct smc_clc_msg m;
	uint32_t why;

	count(c, SMC_C_clc_rx_accept);
	if ((why = check_acc(c, a)) != 0) {
		decline(c, why);
		return;
	}
	qp_from(&c->pqp, &a->acc);
	rmb_from(&c->prmb, &a->acc);
	if (prepare(c, a->acc.peer_id) != 0) {
		decline(c, SMC_CLC_DECL_MEM);
		return;
	}
	fill_acc(c, &m, SMC_CLC_CONFIRM, RTE_MIN(c->lqp.mtu, a->acc.mtu));
	c->pqp.mtu = m.acc.mtu;
	if (clc_send(c, &m) < 0) {
		fail(c, -EPIPE);
		return;
	}
	start_link(c);
}

/* ---- server ---- */

/* The Proposal, checked in Linux's order; 0 or the reason to decline. */
static uint32_t check_proposal(struct ursa_smc_conn *c)
{
	const struct smc_clc_msg *p = &c->msg;

	if (p->version == 1)
		return SMC_CLC_DECL_NOSMCDEV; /* SMC-Rv1 needs RoCEv1: not spoken */
	c->version = 2;
	if (p->typev2 != SMC_CLC_PATH_R && p->typev2 != SMC_CLC_PATH_B)
		return SMC_CLC_DECL_NOSMCDEV;
	if (!eid_match(c, p->prop.eid, p->prop.eid_cnt))
		return SMC_CLC_DECL_NOUEID;
	if (c->local.family != AF_INET ||
	    ops(c)->device(c->lc, c->iface, &c->local, c->gid, c->mac, &c->mtu) != 0)
		return SMC_CLC_DECL_NOSMCDEV;
	if (!peer_gid_ok(c, p->prop.v2_gid))
		return SMC_CLC_DECL_NOROUTE;
	return 0;
}

static void server_proposal(struct ursa_smc_conn *c)
{
	struct smc_clc_msg m;
	uint32_t why;

	count(c, SMC_C_clc_rx_proposal);
	if ((why = check_proposal(c)) != 0) {
		decline(c, why);
		return;
	}
	if (prepare(c, c->msg.prop.peer_id) != 0) {
		decline(c, SMC_CLC_DECL_MEM);
		return;
	}
	fill_acc(c, &m, SMC_CLC_ACCEPT, c->lqp.mtu);
	if (clc_send(c, &m) < 0) {
		fail(c, -EPIPE);
		return;
	}
	c->step = ST_WAIT_CONFIRM;
	ursa_timer_arm_in(c->lc, &c->timer, c->lc->smc->conf.clc_timeout_ns);
}

static void server_confirm(struct ursa_smc_conn *c)
{
	uint32_t why;

	count(c, SMC_C_clc_rx_confirm);
	if ((why = check_acc(c, &c->msg)) != 0 || c->msg.acc.mtu > c->lqp.mtu) {
		decline(c, why != 0 ? why : SMC_CLC_DECL_INTERR);
		return;
	}
	qp_from(&c->pqp, &c->msg.acc);
	rmb_from(&c->prmb, &c->msg.acc);
	start_link(c);
}

/* ---- the driver ---- */

static uint8_t expected(const struct ursa_smc_conn *c)
{
	switch (c->step) {
	case ST_WAIT_ACCEPT:
		return SMC_CLC_ACCEPT;
	case ST_WAIT_PROPOSAL:
		return SMC_CLC_PROPOSAL;
	case ST_WAIT_CONFIRM:
		return SMC_CLC_CONFIRM;
	default:
		return SMC_CLC_DECLINE; /* while the link comes up, only a Decline may come */
	}
}

/* Read what the current step waits for; returns after the step changed or nothing more. */
static void clc_input(struct ursa_smc_conn *c)
{
	int rc = clc_read(c, expected(c));

	if (rc == 0)
		return;
	if (rc == -ENOTCONN) {
		fail(c, ursa_tcp_error(c->pcb) ? ursa_tcp_error(c->pcb) : -ECONNRESET);
		return;
	}
	if (rc < 0) {
		decline(c, SMC_CLC_DECL_INTERR);
		return;
	}
	if (c->msg.type == SMC_CLC_DECLINE) {
		count(c, SMC_C_clc_rx_decline);
		c->peer_diag = c->msg.decl.diag;
		fallback(c, SMC_CLC_DECL_PEERDECL, 0);
		return;
	}
	switch (c->step) {
	case ST_WAIT_ACCEPT:
		client_accept(c);
		break;
	case ST_WAIT_PROPOSAL:
		server_proposal(c);
		break;
	case ST_WAIT_CONFIRM:
		server_confirm(c);
		break;
	default:
		break;
	}
}

static void tcp_event(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, unsigned ev, void *arg)
{
	struct ursa_smc_conn *c = arg;

	RTE_SET_USED(lc), RTE_SET_USED(pcb);
	if (c->step == ST_DONE)
		return;
	if (c->out_len != 0 && clc_flush(c) < 0) {
		fail(c, -EPIPE);
		return;
	}
	if (c->step == ST_FLUSH) {
		if (c->out_len == 0)
			done(c, URSA_SMC_FALLBACK);
		else if (ev & (URSA_TCP_EV_ERROR | URSA_TCP_EV_CLOSED))
			fail(c, ursa_tcp_error(c->pcb) ? ursa_tcp_error(c->pcb) : -EPIPE);
		return;
	}
	if (c->step == ST_CONNECT) {
		if (ev & URSA_TCP_EV_CONNECTED)
			client_connected(c);
		else if (ev & (URSA_TCP_EV_ERROR | URSA_TCP_EV_CLOSED))
			fail(c, ursa_tcp_error(c->pcb) ? ursa_tcp_error(c->pcb) : -ECONNRESET);
		return;
	}
	if (ev & (URSA_TCP_EV_READABLE | URSA_TCP_EV_ERROR | URSA_TCP_EV_CLOSED)) {
		clc_input(c);
		return;
	}
}

static void clc_timeout(struct ursa_lcore *lc, struct ursa_timer *t, void *arg)
{
	struct ursa_smc_conn *c = arg;

	RTE_SET_USED(lc), RTE_SET_USED(t);
	if (c->step != ST_WAIT_ACCEPT && c->step != ST_WAIT_PROPOSAL &&
	    c->step != ST_WAIT_CONFIRM && c->step != ST_WAIT_LINK)
		return;
	count(c, SMC_C_clc_timeout);
	/* the link side did not come up in time (Linux: CONFIRM LINK time-out), or no CLC */
	decline(c, c->step == ST_WAIT_LINK ? SMC_CLC_DECL_TIMEOUT_CL : SMC_CLC_DECL_INTERR);
}

static int conn_new(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, bool server,
		    ursa_smc_done_cb_t cb, void *arg, struct ursa_smc_conn **out)
{
	struct ursa_smc_conn *c;

	if (lc->smc == NULL)
		return -ENOPROTOOPT;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return -ENOMEM;
	c->lc = lc;
	c->pcb = pcb;
	c->server = server;
	c->cb = cb;
	c->arg = arg;
	c->version = 1;
	c->state = URSA_SMC_HANDSHAKE;
	c->starting = true;
	ursa_timer_init(&c->timer, clc_timeout, c);
	ursa_tcp_set_callback(pcb, tcp_event, c);
	count(c, SMC_C_conn_created);
	*out = c;
	return 0;
}

int ursa_smc_connect_start(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, ursa_smc_done_cb_t cb,
			   void *arg, struct ursa_smc_conn **out)
{
	struct ursa_smc_conn *c;
	int rc = conn_new(lc, pcb, false, cb, arg, &c);

	if (rc != 0)
		return rc;
	c->step = ST_CONNECT;
	if (ursa_tcp_get_state(pcb) == URSA_TCP_ESTABLISHED)
		client_connected(c);
	c->starting = false;
	*out = c;
	return 0;
}

int ursa_smc_accept_start(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, ursa_smc_done_cb_t cb,
			  void *arg, struct ursa_smc_conn **out)
{
	struct ursa_smc_conn *c;
	uint16_t port;
	int rc = conn_new(lc, pcb, true, cb, arg, &c);

	if (rc != 0)
		return rc;
	*out = c;
	if (!ursa_smc_opt_peer(lc, pcb) || !ursa_smc_opt_wanted(lc, pcb)) {
		fallback(c, SMC_CLC_DECL_PEERNOSMC, 0);
	} else if (ursa_tcp_local(pcb, &c->local, &port) != 0 ||
		   ursa_tcp_peer(pcb, &c->peer, &port) != 0 || ursa_tcp_iface(pcb) < 0) {
		fail(c, -ENOTCONN);
	} else {
		c->iface = (uint16_t)ursa_tcp_iface(pcb);
		memcpy(c->mac, &ursa_iface_get(lc, c->iface)->mac, 6);
		c->step = ST_WAIT_PROPOSAL;
		ursa_timer_arm_in(lc, &c->timer, lc->smc->conf.clc_timeout_ns);
		clc_input(c); /* the Proposal may be there already */
	}
	c->starting = false;
	return 0;
}

enum ursa_smc_state ursa_smc_state(const struct ursa_smc_conn *c)
{
	return c->state;
}

uint32_t ursa_smc_fallback_reason(const struct ursa_smc_conn *c)
{
	return c->state == URSA_SMC_FALLBACK ? c->reason : 0;
}

uint32_t ursa_smc_peer_diag(const struct ursa_smc_conn *c)
{
	return c->peer_diag;
}

int ursa_smc_error(const struct ursa_smc_conn *c)
{
	return c->state == URSA_SMC_FAILED ? c->err : 0;
}

struct ursa_tcp_pcb *ursa_smc_pcb(const struct ursa_smc_conn *c)
{
	return c->pcb;
}

ssize_t ursa_smc_send(struct ursa_smc_conn *c, const void *buf, size_t len)
{
	return c->state == URSA_SMC_ACTIVE ? ops(c)->send(c->link, buf, len) : -ENOTCONN;
}

ssize_t ursa_smc_recv(struct ursa_smc_conn *c, void *buf, size_t len, bool peek)
{
	return c->state == URSA_SMC_ACTIVE ? ops(c)->recv(c->link, buf, len, peek) : -ENOTCONN;
}

short ursa_smc_poll(const struct ursa_smc_conn *c)
{
	return c->state == URSA_SMC_ACTIVE ? ops(c)->poll(c->link) : 0;
}

int ursa_smc_shutdown(struct ursa_smc_conn *c, int how)
{
	return c->state == URSA_SMC_ACTIVE ? ops(c)->shutdown(c->link, how) : -ENOTCONN;
}

void ursa_smc_conn_free(struct ursa_lcore *lc, struct ursa_smc_conn *c, bool abort)
{
	if (c == NULL)
		return;
	ursa_timer_cancel(lc, &c->timer);
	if (c->state == URSA_SMC_HANDSHAKE || c->state == URSA_SMC_ACTIVE) {
		if (c->state == URSA_SMC_ACTIVE && c->link != NULL)
			ops(c)->close(c->link, abort);
		else
			drop_link(c);
		c->link = NULL;
		ursa_tcp_set_callback(c->pcb, NULL, NULL);
		if (abort)
			ursa_tcp_abort(lc, c->pcb);
		else
			ursa_tcp_close(lc, c->pcb);
	}
	count(c, SMC_C_conn_freed);
	free(c);
}

/* ---- the link side until it is built: no SMC-R device ---- */

static int nodev_device(struct ursa_lcore *lc, uint16_t iface, const struct ursa_ipaddr *local,
			uint8_t gid[16], uint8_t mac[6], uint8_t *mtu)
{
	RTE_SET_USED(lc), RTE_SET_USED(iface), RTE_SET_USED(local);
	RTE_SET_USED(gid), RTE_SET_USED(mac), RTE_SET_USED(mtu);
	return -ENODEV;
}

static int nodev_prepare(struct ursa_lcore *lc, const struct smc_link_req *req,
			 struct smc_link_conn **out, struct smc_qp_info *local_qp,
			 struct smc_rmb_info *local_rmb, bool *first_contact)
{
	RTE_SET_USED(lc), RTE_SET_USED(req), RTE_SET_USED(out);
	RTE_SET_USED(local_qp), RTE_SET_USED(local_rmb), RTE_SET_USED(first_contact);
	return -ENODEV;
}

static int nodev_start(struct smc_link_conn *c, const struct smc_qp_info *peer_qp,
		       const struct smc_rmb_info *peer_rmb, void (*ready)(void *arg, int status),
		       void *arg)
{
	RTE_SET_USED(c), RTE_SET_USED(peer_qp), RTE_SET_USED(peer_rmb);
	RTE_SET_USED(ready), RTE_SET_USED(arg);
	return -ENODEV;
}

static ssize_t nodev_send(struct smc_link_conn *c, const void *buf, size_t len)
{
	RTE_SET_USED(c), RTE_SET_USED(buf), RTE_SET_USED(len);
	return -ENOTCONN;
}

static ssize_t nodev_recv(struct smc_link_conn *c, void *buf, size_t len, bool peek)
{
	RTE_SET_USED(c), RTE_SET_USED(buf), RTE_SET_USED(len), RTE_SET_USED(peek);
	return -ENOTCONN;
}

static short nodev_poll(struct smc_link_conn *c)
{
	RTE_SET_USED(c);
	return SMC_POLL_ERR;
}

static int nodev_shutdown(struct smc_link_conn *c, int how)
{
	RTE_SET_USED(c), RTE_SET_USED(how);
	return -ENOTCONN;
}

static int nodev_close(struct smc_link_conn *c, bool abort)
{
	RTE_SET_USED(c), RTE_SET_USED(abort);
	return 0;
}

const struct smc_link_ops smc_link_nodev_ops = {
	.device = nodev_device,
	.prepare = nodev_prepare,
	.start = nodev_start,
	.send = nodev_send,
	.recv = nodev_recv,
	.poll = nodev_poll,
	.shutdown = nodev_shutdown,
	.close = nodev_close,
};

/* ---- the link side (smc_lgr.c and the data path behind smc_link.h) ---- */

/* The device the link side would open (smc_lgr.c: SMC_DEFAULT_DEV, opened on first use);
 * the GID a link from local uses, the interface's MAC. */
static int real_device(struct ursa_lcore *lc, uint16_t iface, const struct ursa_ipaddr *local,
		       uint8_t gid[16], uint8_t mac[6], uint8_t *mtu)
{
	struct ursa_rdma_device *dev;
	union ursa_rdma_gid g;

	if (lc->rdma == NULL)
		return -ENODEV;
	dev = ursa_rdma_device_get(lc, SMC_DEFAULT_DEV);
	if (dev == NULL &&
	    ursa_rdma_device_open_by_name(lc, SMC_DEFAULT_PROV, SMC_DEFAULT_DEV, NULL, &dev) != 0)
		return -ENODEV;
	ursa_rdma_gid_from_addr(&g, local);
	memcpy(gid, g.raw, 16);
	memcpy(mac, &ursa_iface_get(lc, iface)->mac, 6);
	*mtu = 3; /* the link's own path MTU goes into Accept/Confirm (smc_lgr.c) */
	return 0;
}

const struct smc_link_ops smc_link_real_ops = {
	.device = real_device,
	.prepare = smc_link_prepare,
	.start = smc_link_start,
	.send = smc_link_send,
	.recv = smc_link_recv,
	.poll = smc_link_poll,
	.shutdown = smc_link_shutdown,
	.close = smc_link_close,
};

void smc_set_link_ops(struct ursa_lcore *lc, const struct smc_link_ops *o)
{
	lc->smc->link_ops = o != NULL ? o : &smc_link_real_ops;
}
