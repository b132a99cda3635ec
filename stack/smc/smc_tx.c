/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The send side of a connection: data goes by RDMA WRITE into the peer's RMB (two WRITEs when
 * it wraps), then a CDC SEND announces the new producer cursor; RC ordering makes the bytes
 * land before the peer sees the CDC. The peer's RMB is never overrun: the window is its size
 * minus what it has not yet consumed. Also shutdown and close, which are CDC flags.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "smc_lgr.h"

static uint8_t conn_flags(const struct smc_link_conn *c)
{
	return (uint8_t)((c->local_done ? SMC_CDC_DONE_WRITING : 0) |
			 (c->local_closed ? SMC_CDC_CONN_CLOSED : 0) |
			 (c->local_abort ? SMC_CDC_CONN_ABORT : 0));
}

int smc_cdc_send(struct smc_link_conn *c, uint8_t prod_flags)
{
	struct smc_link *l = &c->lgr->lnk;
	struct smc_cdc m = {0};
	uint8_t *buf;
	int slot;

	if (c->failed || l->state != SMC_LNK_ACTIVE)
		return -ECONNRESET;
	if ((slot = smc_link_tx_slot(l, &buf)) < 0) {
		smc_ctr(c->lgr)[SMC_C_tx_no_slot]++;
		c->cdc_due = true;
		return slot;
	}
	m.seq = ++c->tx_seq;
	m.token = c->peer.token;
	m.prod = smc_curs_from_pos(c->tx_prod, c->peer.size);
	m.cons = smc_curs_from_pos(c->rx_cons, c->rmb->size);
	m.prod_flags = prod_flags;
	m.conn_flags = conn_flags(c);
	smc_cdc_encode(&m, buf);
	if (c->rx_cons != c->rx_cons_sent)
		c->peer_wants_upd = false;
	c->rx_cons_sent = c->rx_cons;
	smc_ctr(c->lgr)[SMC_C_cdc_tx]++;
	return smc_link_post_slot(l, slot, SMC_WR_SIZE);
}

/* One or two WRITEs of n bytes from the mirror ring at the producer's offset. */
static int post_writes(struct smc_link_conn *c, uint32_t n)
{
	uint32_t size = c->peer.size, off = (uint32_t)(c->tx_prod % size);
	uint32_t first = RTE_MIN(n, size - off);
	struct ursa_rdma_sge sge[2] = {
		{(uintptr_t)c->snd->buf + off, first, c->snd->mr->lkey},
		{(uintptr_t)c->snd->buf, n - first, c->snd->mr->lkey},
	};
	struct ursa_rdma_send_wr wr[2] = {
		{.opcode = URSA_RDMA_WR_RDMA_WRITE,
		 .sg_list = &sge[0],
		 .num_sge = 1,
		 .rdma = {c->peer.vaddr + off, c->peer.rkey}},
		{.opcode = URSA_RDMA_WR_RDMA_WRITE,
		 .sg_list = &sge[1],
		 .num_sge = 1,
		 .rdma = {c->peer.vaddr, c->peer.rkey}},
	};
	unsigned nwr = first < n ? 2 : 1;
	int rc = ursa_rdma_post_send(c->lgr->lnk.qp, wr, nwr);

	if (rc != (int)nwr) {
		smc_link_fail(&c->lgr->lnk, -EIO);
		return -ECONNRESET;
	}
	return 0;
}

ssize_t smc_link_send(struct smc_link_conn *c, const void *buf, size_t len)
{
	uint32_t size = c->peer.size, n, off, first;
	uint64_t space;
	int rc;

	if (c->failed || c->peer_abort || c->local_abort)
		return -ECONNRESET;
	if (!c->is_ready)
		return -ENOTCONN;
	if (c->local_done || c->local_closed || c->peer_closed)
		return -EPIPE;
	if (len == 0)
		return 0;
	space = size - (c->tx_prod - c->tx_peer_cons);
	if (space == 0) {
		smc_ctr(c->lgr)[SMC_C_tx_blocked]++;
		if (!c->tx_blocked_sent && smc_cdc_send(c, SMC_CDC_WRITE_BLOCKED) == 0)
			c->tx_blocked_sent = true;
		return -EAGAIN;
	}
	if (c->lgr->lnk.tx_free == 0) {
		smc_ctr(c->lgr)[SMC_C_tx_no_slot]++;
		return -EAGAIN;
	}
	n = (uint32_t)RTE_MIN((uint64_t)len, space);
	off = (uint32_t)(c->tx_prod % size);
	first = RTE_MIN(n, size - off);
	memcpy(c->snd->buf + off, buf, first);
	memcpy(c->snd->buf, (const uint8_t *)buf + first, n - first);
	if ((rc = post_writes(c, n)) != 0)
		return rc;
	c->tx_prod += n;
	if (n < len) /* the peer's RMB is full now: ask for the window as soon as it opens */
		c->tx_blocked_sent = true;
	rc = smc_cdc_send(c, n < len ? SMC_CDC_WRITE_BLOCKED : 0);
	return rc == 0 || rc == -EAGAIN ? (ssize_t)n : rc;
}

int smc_link_shutdown(struct smc_link_conn *c, int how)
{
	if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR)
		return -EINVAL;
	if (!c->is_ready)
		return -ENOTCONN;
	if (how != SHUT_WR)
		c->rd_shut = true;
	if (how != SHUT_RD && !c->local_done) {
		c->local_done = true;
		if (!c->failed)
			smc_cdc_send(c, 0);
	}
	return 0;
}

/* The peer will write no more into our RMB: it said so, or it is gone. */
bool smc_conn_peer_quiet(const struct smc_link_conn *c)
{
	return c->peer_done || c->peer_closed || c->peer_abort || c->failed;
}

int smc_link_close(struct smc_link_conn *c, bool abort)
{
	if (c->user_gone)
		return -EBADF;
	c->user_gone = true;
	if (!c->is_ready) { /* never started, or still waiting for its link: nothing was said */
		smc_conn_release(c);
		return 0;
	}
	if (abort || c->rx_prod != c->rx_cons || c->peer_abort)
		c->local_abort = true; /* unread data is reset, as TCP does */
	else
		c->local_closed = true;
	if (!c->failed)
		smc_cdc_send(c, 0);
	if (smc_conn_peer_quiet(c) && !c->cdc_due)
		smc_conn_release(c);
	else
		ursa_timer_arm_in(c->lgr->lc, &c->close_timer, SMC_CLOSE_WAIT_NS);
	return 0;
}
