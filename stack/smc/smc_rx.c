/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The receive side of a connection: CDC messages move the peer's producer cursor (bytes that
 * landed in our RMB), our view of its consumer cursor (room in its RMB) and the close
 * flags; recv copies out of the RMB and announces the consumer cursor when 10% of the ring
 * was consumed unannounced, or when the peer is blocked or asked (Linux rmbe_update_limit).
 * A cursor that moves backwards or past the window is a protocol violation: the
 * connection is aborted.
 */
#include <errno.h>
#include <string.h>

#include "smc_lgr.h"

static void maybe_update(struct smc_link_conn *c)
{
	uint64_t unannounced = c->rx_cons - c->rx_cons_sent;

	if (unannounced == 0 || c->user_gone || !c->started || c->failed)
		return;
	if (c->peer_wants_upd || unannounced >= c->rmb->size / 10) {
		smc_ctr(c->lgr)[SMC_C_cdc_cons_update]++;
		smc_cdc_send(c, 0);
	}
}

static void violation(struct smc_link_conn *c)
{
	smc_ctr(c->lgr)[SMC_C_cdc_violation]++;
	c->peer_abort = true;
	c->local_abort = true;
	smc_cdc_send(c, 0);
}

static struct smc_link_conn *conn_by_token(struct smc_lgr *g, uint32_t token)
{
	for (struct smc_link_conn *c = g->conns; c != NULL; c = c->next)
		if (c->token == token)
			return c;
	return NULL;
}

static int cursors(struct smc_link_conn *c, const struct smc_cdc *m)
{
	uint64_t p, q;

	if (smc_curs_to_pos(&m->prod, c->rmb->size, c->rx_prod, &p) != 0 ||
	    p - c->rx_cons > c->rmb->size)
		return -EPROTO;
	if (c->started) {
		if (smc_curs_to_pos(&m->cons, c->peer.size, c->tx_peer_cons, &q) != 0 ||
		    q > c->tx_prod)
			return -EPROTO;
		if (q != c->tx_peer_cons)
			c->tx_blocked_sent = false;
		c->tx_peer_cons = q;
	} else if (m->cons.wrap != 0 || m->cons.count != 0) {
		return -EPROTO; /* nothing was sent yet */
	}
	c->rx_prod = p;
	return 0;
}

void smc_cdc_rx(struct smc_link *l, const uint8_t *buf, uint32_t len)
{
	struct smc_link_conn *c;
	struct smc_cdc m;

	if (smc_cdc_decode(buf, len, &m) != 0) {
		smc_ctr(l->lgr)[SMC_C_cdc_bad]++;
		return;
	}
	if ((c = conn_by_token(l->lgr, m.token)) == NULL) {
		smc_ctr(l->lgr)[SMC_C_cdc_no_conn]++;
		return;
	}
	if (c->rx_seq_valid && (int16_t)(uint16_t)(m.seq - c->rx_seq) <= 0) {
		smc_ctr(l->lgr)[SMC_C_cdc_dup]++;
		return;
	}
	smc_ctr(l->lgr)[SMC_C_cdc_rx]++;
	c->rx_seq = m.seq;
	c->rx_seq_valid = true;
	if (c->peer_abort)
		return;
	if (cursors(c, &m) != 0) {
		violation(c);
		return;
	}
	if (m.prod_flags & (SMC_CDC_WRITE_BLOCKED | SMC_CDC_CONS_UPD_REQ))
		c->peer_wants_upd = true;
	if (m.conn_flags & (SMC_CDC_DONE_WRITING | SMC_CDC_CONN_CLOSED))
		c->peer_done = true;
	if (m.conn_flags & SMC_CDC_CONN_CLOSED)
		c->peer_closed = true;
	if (m.conn_flags & SMC_CDC_CONN_ABORT)
		c->peer_abort = true;
	if (c->user_gone && smc_conn_peer_quiet(c) && !c->cdc_due)
		smc_conn_release(c);
	else
		maybe_update(c);
}

ssize_t smc_link_recv(struct smc_link_conn *c, void *buf, size_t len, bool peek)
{
	uint32_t size = c->rmb->size, n, off, first;
	uint64_t avail = c->rx_prod - c->rx_cons;

	if (c->failed || c->peer_abort)
		return -ECONNRESET;
	if (c->rd_shut)
		return 0;
	if (avail == 0)
		return c->peer_done ? 0 : (c->is_ready ? -EAGAIN : -ENOTCONN);
	n = (uint32_t)RTE_MIN((uint64_t)len, avail);
	off = (uint32_t)(c->rx_cons % size);
	first = RTE_MIN(n, size - off);
	memcpy(buf, c->rmb->buf + off, first);
	memcpy((uint8_t *)buf + first, c->rmb->buf, n - first);
	if (!peek) {
		c->rx_cons += n;
		maybe_update(c);
	}
	return n;
}

short smc_link_poll(struct smc_link_conn *c)
{
	short ev = 0;

	if (c->failed || c->peer_abort)
		return SMC_POLL_ERR | SMC_POLL_HUP | SMC_POLL_IN;
	if (c->rx_prod != c->rx_cons || c->peer_done)
		ev |= SMC_POLL_IN;
	if (c->peer_done)
		ev |= SMC_POLL_RDHUP;
	if (c->is_ready && !c->local_done && !c->peer_closed && c->lgr->lnk.tx_free != 0 &&
	    c->tx_prod - c->tx_peer_cons < c->peer.size)
		ev |= SMC_POLL_OUT;
	if (c->peer_done && c->local_done)
		ev |= SMC_POLL_HUP;
	return ev;
}
