/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * LLC on a link: CONFIRM_LINK (the server asks, the client answers), ADD_LINK answered at once
 * (rejected: a link group has one path here), TEST_LINK sent after idle time and answered,
 * DELETE_LINK, CONFIRM_RKEY and DELETE_RKEY. Everything the peer says is checked against
 * what the link knows from CLC; what does not fit is counted and dropped, and a peer that
 * breaks the protocol loses the link.
 */
#include <errno.h>
#include <string.h>

#include "smc_lgr.h"

int smc_llc_send(struct smc_link *l, const struct smc_llc *m)
{
	uint8_t *buf;
	int slot, len;

	if (l->state == SMC_LNK_FAILED)
		return -ECONNRESET;
	if ((slot = smc_link_tx_slot(l, &buf)) < 0)
		return slot;
	if ((len = smc_llc_encode(m, buf, SMC_TX_BUF)) < 0) {
		l->tx_free |= 1ull << slot;
		return len;
	}
	smc_ctr(l->lgr)[SMC_C_llc_tx]++;
	return smc_link_post_slot(l, slot, (uint32_t)len);
}

static void confirm_fields(const struct smc_link *l, struct smc_llc *m)
{
	memcpy(m->confirm_link.mac, l->local.mac, 6);
	memcpy(m->confirm_link.gid, l->local.gid, 16);
	m->confirm_link.qpn = l->local.qpn;
	m->confirm_link.link_num = l->link_id;
	m->confirm_link.link_uid = l->link_uid;
	m->confirm_link.max_links = 1; /* one path: no ADD_LINK from us */
	m->confirm_link.max_conns = SMC_CONNS_MAX;
}

int smc_llc_confirm_link_send(struct smc_link *l)
{
	struct smc_llc m = {
		.type = SMC_LLC_CONFIRM_LINK, .version = 2, .flags = SMC_LLC_FLAG_NO_RMBE_EYEC};

	confirm_fields(l, &m);
	return smc_llc_send(l, &m);
}

/* The sender of a CONFIRM_LINK must be the QP CLC announced. */
static bool confirm_matches(const struct smc_link *l, const struct smc_llc *m)
{
	return memcmp(m->confirm_link.mac, l->peer.mac, 6) == 0 &&
	       memcmp(m->confirm_link.gid, l->peer.gid, 16) == 0 &&
	       m->confirm_link.qpn == l->peer.qpn;
}

static void rx_confirm_link(struct smc_link *l, const struct smc_llc *m)
{
	bool resp = m->flags & SMC_LLC_FLAG_RESP;

	if (l->state != SMC_LNK_ACTIVATING || resp != l->lgr->key.server ||
	    !confirm_matches(l, m) || m->confirm_link.link_num == 0) {
		smc_ctr(l->lgr)[SMC_C_llc_unexpected]++;
		smc_link_fail(l, -EPROTO);
		return;
	}
	if (!resp) {
		struct smc_llc r = {.type = SMC_LLC_CONFIRM_LINK,
				    .version = m->version,
				    .flags = SMC_LLC_FLAG_RESP | SMC_LLC_FLAG_NO_RMBE_EYEC};

		/* the server numbers the link; each side's link uid is its own (link group id
		 * and link number), so the answer carries ours */
		l->link_id = m->confirm_link.link_num;
		l->link_uid = l->lgr->id << 8 | l->link_id;
		l->peer_link_uid = m->confirm_link.link_uid;
		confirm_fields(l, &r);
		if (smc_llc_send(l, &r) != 0)
			return;
	} else if (m->confirm_link.link_num != l->link_id) {
		smc_ctr(l->lgr)[SMC_C_llc_unexpected]++;
		smc_link_fail(l, -EPROTO);
		return;
	}
	if (resp)
		l->peer_link_uid = m->confirm_link.link_uid;
	smc_link_activated(l);
}

/* A second link is offered (a Linux server always does, and waits 2 s): refuse at once, the
 * request's fields echoed as Linux does, "no alternate path". */
static void rx_add_link(struct smc_link *l, const struct smc_llc *m)
{
	struct smc_llc r;

	if (m->flags & SMC_LLC_FLAG_RESP) {
		smc_ctr(l->lgr)[SMC_C_llc_unexpected]++; /* we never offer one */
		return;
	}
	r = *m;
	r.flags = SMC_LLC_FLAG_RESP | SMC_LLC_FLAG_ADD_LNK_REJ;
	r.rej_reason = SMC_LLC_REJ_NO_ALT_PATH;
	r.add_link.num_rkeys = 0;
	if (smc_llc_send(l, &r) == 0)
		smc_ctr(l->lgr)[SMC_C_llc_add_link_rej]++;
}

/* Keys the peer no longer uses: a live connection whose peer takes its key back is aborted
 * (its writes would be NAKed from now on); a key of no connection is answered as done. */
static void rx_delete_rkey(struct smc_link *l, const struct smc_llc *m)
{
	struct smc_llc r = *m;

	if (m->flags & SMC_LLC_FLAG_RESP)
		return;
	smc_ctr(l->lgr)[SMC_C_llc_delete_rkey_rx]++;
	for (unsigned i = 0; i < m->delete_rkey.num_rkeys; i++)
		for (struct smc_link_conn *c = l->lgr->conns; c != NULL; c = c->next)
			if (c->started && c->peer.rkey == m->delete_rkey.rkey[i] &&
			    !c->peer_closed && !c->peer_abort) {
				c->peer_abort = true;
				c->local_abort = true;
			}
	r.flags = SMC_LLC_FLAG_RESP;
	r.delete_rkey.err_mask = 0;
	memset(r.delete_rkey.rkey, 0, sizeof(r.delete_rkey.rkey));
	smc_llc_send(l, &r);
}

static void rx_request(struct smc_link *l, const struct smc_llc *m)
{
	struct smc_llc r = *m;

	r.flags |= SMC_LLC_FLAG_RESP;
	switch (m->type) {
	case SMC_LLC_TEST_LINK:
		smc_ctr(l->lgr)[SMC_C_llc_testlink_rx]++;
		smc_llc_send(l, &r);
		break;
	case SMC_LLC_CONFIRM_RKEY:
		/* one link: the rkey came with CLC; the announcement is acknowledged */
		smc_llc_send(l, &r);
		break;
	case SMC_LLC_DELETE_LINK:
		if (m->delete_link.link_num != l->link_id &&
		    !(m->flags & SMC_LLC_FLAG_DEL_LINK_ALL)) {
			r.delete_link.reason = SMC_LLC_DEL_NOLNK;
			smc_llc_send(l, &r);
			break;
		}
		smc_llc_send(l, &r);
		smc_link_fail(l, -ECONNRESET);
		break;
	default:
		smc_ctr(l->lgr)[SMC_C_llc_unexpected]++;
		break;
	}
}

void smc_llc_rx(struct smc_link *l, const uint8_t *buf, uint32_t len)
{
	struct smc_llc m;

	if (smc_llc_decode(buf, len, &m) != 0) {
		smc_ctr(l->lgr)[SMC_C_llc_bad]++;
		return;
	}
	smc_ctr(l->lgr)[SMC_C_llc_rx]++;
	if (m.type == SMC_LLC_CONFIRM_LINK) {
		rx_confirm_link(l, &m);
		return;
	}
	if (l->state != SMC_LNK_ACTIVE) {
		smc_ctr(l->lgr)[SMC_C_llc_unexpected]++;
		return;
	}
	if (m.type == SMC_LLC_ADD_LINK)
		rx_add_link(l, &m);
	else if (m.type == SMC_LLC_DELETE_RKEY)
		rx_delete_rkey(l, &m);
	else if (m.type == SMC_LLC_TEST_LINK && (m.flags & SMC_LLC_FLAG_RESP))
		l->testlink_pending = false;
	else if (!(m.flags & SMC_LLC_FLAG_RESP))
		rx_request(l, &m);
}

/* The link timer while the link is up: after SMC_TESTLINK_NS without a message from the
 * peer, a TEST_LINK; when its answer has not come SMC_LLC_WAIT_NS later, the link failed. */
void smc_llc_testlink_tick(struct smc_link *l)
{
	struct ursa_lcore *lc = l->lgr->lc;
	uint64_t idle = ursa_now(lc) - l->last_rx_ns;
	struct smc_llc m = {.type = SMC_LLC_TEST_LINK, .version = 2};

	if (l->testlink_pending && idle >= SMC_LLC_WAIT_NS) {
		smc_link_fail(l, -ETIMEDOUT);
		return;
	}
	if (!l->testlink_pending && idle >= SMC_TESTLINK_NS) {
		ursa_secret_bytes(&lc->secret, m.test_link.data, sizeof(m.test_link.data));
		if (smc_llc_send(l, &m) == 0) {
			l->testlink_pending = true;
			smc_ctr(l->lgr)[SMC_C_llc_testlink_tx]++;
			ursa_timer_arm_in(lc, &l->timer, SMC_LLC_WAIT_NS);
			return;
		}
	}
	ursa_timer_arm_in(lc, &l->timer,
			  l->testlink_pending || idle >= SMC_TESTLINK_NS ? SMC_LLC_WAIT_NS
									 : SMC_TESTLINK_NS - idle);
}
