/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp input: validation (length, data offset, checksum, options), demultiplexing (connection
 * table, then listeners in the design's order, else RST), and the RFC 9293 §3.10.7 "segment
 * arrives" processing for every state, with PAWS (RFC 7323 §5), the RFC 5961 protections
 * (exact-sequence RSTs, challenge ACKs, ACK range check), ACK processing with RTT sampling,
 * fast retransmit/recovery (RFC 6675 with SACK, RFC 6582 without), data reassembly,
 * delayed/quick ACKs and FIN handling.
 *
 * Call order: tcp_input() -> listen_input() | do_segment() -> syn_sent_input() |
 * (acceptability, RST, SYN, ACK -> ack_input(), data, FIN) -> tcp_output() -> tcp_notify().
 */
#include <string.h>
#include <sys/socket.h>

#include <rte_mbuf.h>

#include "tcp_priv.h"

#define PAWS_IDLE_NS (24ull * 24 * 3600 * URSA_NS_PER_S) /* RFC 7323 §5.5: 24 days */

/* A received segment, parsed. */
struct tcp_seg {
	const struct rte_tcp_hdr *th;
	struct tcp_opts o;
	uint32_t seq, ack, wnd;
	uint32_t plen; /* payload bytes (after trimming) */
	uint32_t moff; /* payload offset in the mbuf (after trimming) */
	uint8_t flags;
};

static uint8_t wscale_for(uint32_t rcvbuf)
{
	uint8_t s = 0;

	while (s < TCP_MAX_WSCALE && (rcvbuf >> s) > 65535)
		s++;
	return s;
}

/*
 * RFC 5961 §7: challenge ACKs are rate limited, first per connection (one per
 * invalid_ratelimit_ms, as Linux's tcp_invalid_ratelimit), then per lcore by a budget drawn
 * from lc->secret each second in [limit/2, limit*3/2) (as Linux since CVE-2016-5696). A
 * flood on one connection spends one unit of the lcore budget per interval, and the budget's
 * size is unknown, so counting the challenge ACKs one's own connection gets says nothing
 * about whether spoofed segments hit another connection.
 */
static void challenge_ack(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb)
{
	struct ursa_tcp_ctx *t = lc->tcp;
	uint64_t now = ursa_now(lc);
	uint32_t limit = t->conf.challenge_ack_limit;

	if (pcb->chack_last_ns != 0 &&
	    now - pcb->chack_last_ns < (uint64_t)t->conf.invalid_ratelimit_ms * URSA_NS_PER_MS) {
		TCP_INC(lc, TCP_C_challenge_acks_limited_conn);
		return;
	}
	pcb->chack_last_ns = now;
	if (t->chack_epoch_ns == 0 || now - t->chack_epoch_ns >= URSA_NS_PER_S) {
		t->chack_epoch_ns = now;
		t->chack_count = 0;
		t->chack_budget = 0;
		if (limit > 0)
			t->chack_budget =
				(limit + 1) / 2 + (uint32_t)ursa_secret_below(&lc->secret, limit);
	}
	if (t->chack_count >= t->chack_budget) {
		TCP_INC(lc, TCP_C_challenge_acks_limited);
		return;
	}
	t->chack_count++;
	TCP_INC(lc, TCP_C_challenge_acks);
	tcp_send_ack(lc, pcb);
}

/* Options of a SYN or SYN-ACK: MSS, window scale, timestamps, SACK (RFC 9293 §3.7.1,
 * RFC 7323 §2.2/§3.2, RFC 2018 §2), then the registered options go to their owners. */
static void negotiate(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, const struct tcp_seg *s)
{
	uint16_t peer_mss = (s->o.present & TCP_OPT_F_MSS) && s->o.mss >= 64
				    ? s->o.mss
				    : (pcb->family == AF_INET6 ? 1220 : 536);

	pcb->rcv_mss = tcp_mss_for(lc, pcb);
	pcb->snd_mss = peer_mss < pcb->rcv_mss ? peer_mss : pcb->rcv_mss;
	pcb->ws_ok = pcb->ws_want && (s->o.present & TCP_OPT_F_WSCALE);
	if (pcb->ws_ok) {
		pcb->snd_wscale = s->o.wscale;
		pcb->rcv_wscale = wscale_for(pcb->rcvbuf);
	} else {
		pcb->snd_wscale = pcb->rcv_wscale = 0;
	}
	pcb->ts_ok = pcb->ts_want && (s->o.present & TCP_OPT_F_TS);
	if (pcb->ts_ok) {
		pcb->ts_recent = s->o.tsval;
		pcb->ts_recent_ns = ursa_now(lc);
		/* Every sent segment carries 12 bytes of timestamps (RFC 7323 §3.2). */
		if (pcb->snd_mss > 12 + 64)
			pcb->snd_mss -= 12;
	}
	pcb->sack_ok = pcb->sack_want && (s->o.present & TCP_OPT_F_SACK_PERM);
	tcp_opt_seen(lc, pcb, &s->o, (s->flags & TH_ACK) != 0);
}

static void rtt_from_ack(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, const struct tcp_seg *s)
{
	const struct ursa_tcp_conf *conf = &lc->tcp->conf;

	if (pcb->ts_ok && (s->o.present & TCP_OPT_F_TS) && s->o.tsecr != 0) {
		/* RFC 7323 §4.1 (RTTM); our TS clock ticks in ms */
		uint32_t d = tcp_ts_now(lc, pcb) - s->o.tsecr;

		if (d < 3600u * 1000)
			tcp_rtt_sample(conf, pcb, d ? d * 1000 : 500);
		pcb->rtt_timing = false;
	} else if (pcb->rtt_timing && SEQ_GT(s->ack, pcb->rtt_seq)) {
		tcp_rtt_sample(conf, pcb, (uint32_t)((ursa_now(lc) - pcb->rtt_start_ns) / 1000));
		pcb->rtt_timing = false;
	}
}

/* ---- LISTEN ---- */

/* Grow cwnd only while it is what holds the sender back (RFC 7661's point; the rule is
 * Linux's tcp_is_cwnd_limited): in slow start while the flight was at least half of it
 * (slow start may double it), in congestion avoidance while the flight filled it to within
 * a segment. A sender limited by the peer's window or by the application would otherwise
 * grow cwnd without bound (134 MB after a bulk run over memif) and, once the limit goes,
 * burst far beyond what the path has shown it can take. */
static bool cwnd_limited(const struct ursa_tcp_pcb *pcb, uint32_t flight)
{
	if (pcb->cc.cwnd < pcb->cc.ssthresh)
		return flight >= pcb->cc.cwnd / 2;
	return flight + pcb->snd_mss >= pcb->cc.cwnd;
}

static void do_segment(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, struct rte_mbuf *m,
		       struct tcp_seg *s);

/* A child of listener l for the segment's 4-tuple, in the table, not yet queued. */
static struct ursa_tcp_pcb *child_new(struct ursa_lcore *lc, struct ursa_iface *ifc,
				      const struct ursa_ip_info *info, struct ursa_tcp_pcb *l,
				      const struct tcp_seg *s)
{
	struct ursa_tcp_pcb *c;
	int rc;

	if (tcp_pcb_alloc(lc, l->tenant, l->bound_iface, l->family, &c) != 0) {
		TCP_INC(lc, TCP_C_drop_nomem);
		return NULL;
	}
	c->iface = ifc->index;
	c->laddr = info->dst;
	c->faddr = info->src;
	c->lport = rte_be_to_cpu_16(s->th->dst_port);
	c->fport = rte_be_to_cpu_16(s->th->src_port);
	c->bound = true;
	c->sndbuf = l->sndbuf;
	c->rcvbuf = l->rcvbuf;
	c->nodelay = l->nodelay;
	c->keepalive = l->keepalive;
	c->keep_idle_s = l->keep_idle_s;
	c->keep_intvl_s = l->keep_intvl_s;
	c->keep_cnt = l->keep_cnt;
	c->linger0 = l->linger0;
	c->quickack = l->quickack;
	memcpy(c->opt_slot, l->opt_slot, sizeof(c->opt_slot));
	c->ts_want = l->ts_want;
	c->sack_want = l->sack_want;
	c->ws_want = l->ws_want;
	c->user_mss = l->user_mss;
	c->cc_ops = l->cc_ops;
	c->cb = l->cb;
	c->cb_arg = l->cb_arg;
	rc = tcp_table_insert(lc, c);
	if (rc != 0) {
		if (rc != -EDQUOT) /* a quota refusal is counted as drop_conn_quota */
			TCP_INC(lc, TCP_C_drop_nomem);
		tcp_pcb_free(lc, c);
		return NULL;
	}
	c->listener = l;
	c->ts_offset = (uint32_t)tcp_siphash(lc->tcp->secret, &c->faddr, sizeof(c->faddr)) ^
		       ursa_secret_u32(&lc->secret);
	c->last_rx_ns = ursa_now(lc);
	return c;
}

/*
 * SYN cookies (RFC 4987 §3.6): when the SYN queue is full the SYN-ACK's sequence number
 * carries the state: 5 bits of a 64 s counter, 3 bits of an MSS index, and a 24-bit keyed
 * hash of the 4-tuple, the tenant, the peer's ISN, the counter and the index. Other options
 * are lost, so such connections run without window scaling, timestamps, SACK and the peer's
 * registered options.
 */
#define COOKIE_PERIOD_NS (64ull * URSA_NS_PER_S)
static const uint16_t cookie_mss[8] = {216, 536, 1200, 1360, 1440, 1460, 4036, 8960};

static uint32_t cookie_t(struct ursa_lcore *lc)
{
	return (uint32_t)(ursa_now(lc) / COOKIE_PERIOD_NS) & 31;
}

static void cookie_send(struct ursa_lcore *lc, struct ursa_iface *ifc,
			const struct ursa_ip_info *info, struct ursa_tcp_pcb *l,
			const struct tcp_seg *s)
{
	struct ursa_tcp_pcb t;
	uint16_t peer = (s->o.present & TCP_OPT_F_MSS) ? s->o.mss : 536;
	uint32_t idx = 0, ct = cookie_t(lc);

	while (idx < 7 && cookie_mss[idx + 1] <= peer)
		idx++;
	/* A PCB on the stack only to build the SYN-ACK; it never enters a table. */
	memset(&t, 0, sizeof(t));
	tcp_timers_init(&t);
	t.lc = lc;
	t.tenant = l->tenant;
	t.iface = ifc->index;
	t.family = l->family;
	t.laddr = info->dst;
	t.faddr = info->src;
	t.lport = rte_be_to_cpu_16(s->th->dst_port);
	t.fport = rte_be_to_cpu_16(s->th->src_port);
	t.rcvbuf = l->rcvbuf;
	t.user_mss = l->user_mss;
	t.rcv_mss = tcp_mss_for(lc, &t);
	t.iss = ct << 27 | idx << 24 |
		tcp_syn_cookie_hash(lc, t.tenant, &t.laddr, t.lport, &t.faddr, t.fport, s->seq, ct,
				    idx);
	t.snd_una = t.iss;
	t.rcv_nxt = s->seq + 1;
	t.rcv_adv = t.rcv_nxt;
	(void)tcp_send_seg(lc, &t, t.iss, TH_SYN | TH_ACK, 0);
	TCP_INC(lc, TCP_C_syn_cookies_sent);
	l->cookie_until_ns = ursa_now(lc) + 2 * COOKIE_PERIOD_NS;
}

/* An ACK for a listener: a valid cookie makes an established child. Returns false when
 * the ACK is not a valid cookie. */
static bool cookie_ack(struct ursa_lcore *lc, struct ursa_iface *ifc,
		       const struct ursa_ip_info *info, struct ursa_tcp_pcb *l, struct rte_mbuf *m,
		       struct tcp_seg *s)
{
	uint32_t cookie = s->ack - 1, t = cookie >> 27, idx = (cookie >> 24) & 7;
	struct ursa_tcp_pcb *c;

	if (ursa_now(lc) >= l->cookie_until_ns || (s->flags & (TH_SYN | TH_RST)) ||
	    ((cookie_t(lc) - t) & 31) > 1 ||
	    (cookie & 0xffffff) !=
		    tcp_syn_cookie_hash(lc, l->tenant, &info->dst,
					rte_be_to_cpu_16(s->th->dst_port), &info->src,
					rte_be_to_cpu_16(s->th->src_port), s->seq - 1, t, idx))
		return false;
	if (l->naccept >= l->backlog) {
		TCP_INC(lc, TCP_C_drop_accept_queue_full);
		return true;
	}
	c = child_new(lc, ifc, info, l, s);
	if (c == NULL)
		return true;
	if (tcp_pcb_buffers(c) != 0) {
		TCP_INC(lc, TCP_C_drop_nomem);
		tcp_pcb_free(lc, c);
		return true;
	}
	TCP_INC(lc, TCP_C_syn_cookies_ok);
	TCP_INC(lc, TCP_C_conn_passive);
	c->syn_cookie = true;
	c->irs = s->seq - 1;
	c->rcv_nxt = s->seq;
	c->rcv_adv = c->rcv_nxt + (c->rcvbuf < 65535 ? c->rcvbuf : 65535);
	c->iss = cookie;
	c->snd_una = c->snd_nxt = c->snd_max = s->ack;
	c->recover = c->high_rxt = c->time_lost_below = s->ack;
	c->rcv_mss = tcp_mss_for(lc, c);
	c->snd_mss = cookie_mss[idx] < c->rcv_mss ? cookie_mss[idx] : c->rcv_mss;
	c->snd_wnd = c->max_sndwnd = s->wnd;
	c->snd_wl1 = s->seq;
	c->snd_wl2 = s->ack;
	tcp_set_state(lc, c, URSA_TCP_ESTABLISHED);
	tcp_cc_init(lc, c);
	tcp_keep_arm(lc, c);
	TAILQ_INSERT_TAIL(&l->acceptq, c, q_link);
	c->in_acceptq = true;
	l->naccept++;
	l->events |= URSA_TCP_EV_ACCEPT;
	do_segment(lc, c, m, s); /* data or FIN riding on the ACK; notifies the listener */
	tcp_notify(lc, l);
	return true;
}

static void listen_input(struct ursa_lcore *lc, struct ursa_iface *ifc,
			 const struct ursa_ip_info *info, struct ursa_tcp_pcb *l,
			 struct rte_mbuf *m, struct tcp_seg *s, uint32_t seglen)
{
	struct ursa_tcp_pcb *c;

	if (s->flags & TH_RST) {
		TCP_INC(lc, TCP_C_drop_listen_rst);
		return;
	}
	if (s->flags & TH_ACK) {
		if (l->cookie_until_ns != 0 && cookie_ack(lc, ifc, info, l, m, s))
			return;
		TCP_INC(lc, l->cookie_until_ns != 0 && !(s->flags & TH_SYN)
				    ? TCP_C_drop_bad_cookie
				    : TCP_C_drop_listen_ack);
		tcp_respond_rst(lc, ifc, info, s->th, seglen);
		return;
	}
	if (!(s->flags & TH_SYN)) {
		TCP_INC(lc, TCP_C_drop_listen_noflags);
		return;
	}
	if (l->naccept >= l->backlog) {
		TCP_INC(lc, TCP_C_drop_accept_queue_full);
		return;
	}
	if (l->nsyn >= lc->tcp->conf.syn_queue_max) {
		if (lc->tcp->conf.syn_cookies)
			cookie_send(lc, ifc, info, l, s);
		else
			TCP_INC(lc, TCP_C_drop_syn_queue_full);
		return;
	}
	c = child_new(lc, ifc, info, l, s);
	if (c == NULL)
		return;
	c->in_synq = true;
	TAILQ_INSERT_TAIL(&l->synq, c, q_link);
	l->nsyn++;

	c->irs = s->seq;
	c->rcv_nxt = s->seq + 1;
	c->rcv_adv = c->rcv_nxt;
	negotiate(lc, c, s);
	c->iss = tcp_isn(lc, c);
	c->snd_una = c->iss;
	c->snd_nxt = c->snd_max = c->iss + 1;
	c->recover = c->time_lost_below = c->iss;
	c->high_rxt = c->iss;
	c->snd_wnd = s->wnd; /* never scaled in a SYN */
	c->max_sndwnd = c->snd_wnd;
	c->snd_wl1 = s->seq;
	c->snd_wl2 = c->iss;
	tcp_set_state(lc, c, URSA_TCP_SYN_RCVD);
	tcp_cc_init(lc, c);
	TCP_INC(lc, TCP_C_conn_passive);
	(void)tcp_send_seg(lc, c, c->iss, TH_SYN | TH_ACK, 0);
	c->rtt_timing = true;
	c->rtt_seq = c->iss;
	c->rtt_start_ns = ursa_now(lc);
	tcp_rtx_arm(lc, c);
}

/* ---- SYN_SENT (RFC 9293 §3.10.7.3) ---- */

static void syn_sent_input(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, struct tcp_seg *s)
{
	bool ack_ok = false;

	if (s->flags & TH_ACK) {
		if (SEQ_LEQ(s->ack, pcb->iss) || SEQ_GT(s->ack, pcb->snd_max)) {
			TCP_INC(lc, TCP_C_drop_syn_sent_bad);
			if (!(s->flags & TH_RST)) {
				/* <SEQ=SEG.ACK><CTL=RST> */
				uint32_t save = pcb->snd_nxt;

				pcb->snd_nxt = s->ack;
				(void)tcp_send_seg(lc, pcb, s->ack, TH_RST, 0);
				pcb->snd_nxt = save;
			}
			return;
		}
		ack_ok = true;
	}
	if (s->flags & TH_RST) {
		if (ack_ok) {
			TCP_INC(lc, TCP_C_conn_reset_rx);
			tcp_drop(lc, pcb, -ECONNREFUSED);
		} else {
			TCP_INC(lc, TCP_C_drop_syn_sent_bad);
		}
		return;
	}
	if (!(s->flags & TH_SYN)) {
		TCP_INC(lc, TCP_C_drop_syn_sent_bad);
		return;
	}
	pcb->irs = s->seq;
	pcb->rcv_nxt = s->seq + 1;
	pcb->rcv_adv = pcb->rcv_nxt;
	negotiate(lc, pcb, s);
	pcb->snd_wnd = s->wnd;
	pcb->max_sndwnd = s->wnd;
	pcb->snd_wl1 = s->seq;
	pcb->snd_wl2 = s->ack;
	if (ack_ok) {
		rtt_from_ack(lc, pcb, s);
		pcb->snd_una = s->ack;
		pcb->soft_err = 0;
		if (tcp_pcb_buffers(pcb) != 0) {
			TCP_INC(lc, TCP_C_drop_nomem);
			tcp_send_rst(lc, pcb);
			tcp_drop(lc, pcb, -ENOMEM);
			return;
		}
		tcp_set_state(lc, pcb, URSA_TCP_ESTABLISHED);
		tcp_cc_init(lc, pcb);
		pcb->nrexmt = 0;
		pcb->backoff = 0;
		tcp_rtx_stop(lc, pcb);
		tcp_keep_arm(lc, pcb);
		pcb->events |= URSA_TCP_EV_CONNECTED | URSA_TCP_EV_WRITABLE;
		pcb->ack_now = true;
		/* Data or FIN on a SYN-ACK is not queued; the peer sends it again. */
		tcp_output(lc, pcb);
		tcp_notify(lc, pcb);
		return;
	}
	/* Simultaneous open (RFC 9293 §3.5 figure 7). */
	tcp_set_state(lc, pcb, URSA_TCP_SYN_RCVD);
	tcp_cc_init(lc, pcb);
	(void)tcp_send_seg(lc, pcb, pcb->iss, TH_SYN | TH_ACK, 0);
	tcp_rtx_arm(lc, pcb);
}

/* ---- ACK processing for synchronised states ---- */

void tcp_enter_recovery(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb)
{
	pcb->in_recovery = true;
	pcb->recover = pcb->snd_max;
	pcb->st_fast_rexmt++;
	TCP_INC(lc, TCP_C_fast_retransmits);
	if (pcb->sack_ok)
		tcp_sack_undo_arm(pcb);
	pcb->cc_ops->loss(&pcb->cc, pcb->snd_max - pcb->snd_una, ursa_now(lc));
	pcb->rtt_timing = false;
	pcb->high_rxt = pcb->snd_una;
	tcp_rexmt_una(lc, pcb);
	if (!pcb->sack_ok)
		pcb->cc.cwnd = pcb->cc.ssthresh + 3 * pcb->snd_mss; /* RFC 6582 §3.2 step 2 */
}

/* Returns false when the connection ended (pcb is gone). */
static bool ack_input(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, const struct tcp_seg *s)
{
	uint32_t wnd = s->wnd << pcb->snd_wscale;

	if (SEQ_GT(s->ack, pcb->snd_una)) {
		uint32_t acked = s->ack - pcb->snd_una;
		uint32_t flight = pcb->snd_max - pcb->snd_una;
		uint32_t end = tcp_data_end(pcb);
		uint32_t data = acked;

		rtt_from_ack(lc, pcb, s);
		if (pcb->sack_ok)
			(void)tcp_sack_reorder_check(lc, pcb, s->ack);
		if (pcb->snd_una == pcb->iss)
			data--; /* our SYN */
		if (pcb->fin_sent && SEQ_GT(s->ack, end))
			data--; /* our FIN */
		if (data > pcb->sndq.len)
			data = pcb->sndq.len;
		tcp_ring_consume(&pcb->sndq, data);
		pcb->st_bytes_acked += data;
		pcb->snd_una = s->ack;
		pcb->soft_err = 0; /* something got through: old ICMP news is stale (as Linux) */
		if (SEQ_LT(pcb->snd_nxt, pcb->snd_una))
			pcb->snd_nxt = pcb->snd_una;
		if (SEQ_LT(pcb->high_rxt, pcb->snd_una))
			pcb->high_rxt = pcb->snd_una;
		/* Marks left behind follow snd_una, so they never compare across a wrap of
		 * the sequence space (2 GiB later). */
		if (SEQ_LT(pcb->time_lost_below, pcb->snd_una))
			pcb->time_lost_below = pcb->snd_una;
		if (!pcb->in_recovery && SEQ_LT(pcb->recover, pcb->snd_una))
			pcb->recover = pcb->snd_una;
		tcp_sack_update(pcb, &s->o);
		if (pcb->sack_ok) {
			struct tcp_sack_block d;

			(void)tcp_sack_rxt_check(lc, pcb);
			if (tcp_sack_dsack(pcb, &s->o, &d))
				(void)tcp_sack_undo_dsack(lc, pcb, &d);
		}
		pcb->nrexmt = 0;
		pcb->tlp_out = false;
		if (pcb->in_recovery && pcb->rto_lost) {
			/* Recovery after an RTO (RFC 6675 §5.1): slow start from one segment,
			 * sending the holes the scoreboard leaves, until the RTO's snd_max. */
			struct ursa_tcp_cc_ack a = {
				.acked = data,
				.flight = flight,
				.now_ns = ursa_now(lc),
				.srtt_us = pcb->srtt_us,
				.min_rtt_us = pcb->min_rtt_us,
			};

			if (data > 0)
				pcb->cc_ops->ack(&pcb->cc, &a);
			if (SEQ_GEQ(s->ack, pcb->recover)) {
				pcb->in_recovery = false;
				pcb->rto_lost = false;
				pcb->dupacks = 0;
			}
		} else if (pcb->in_recovery) {
			if (SEQ_GEQ(s->ack, pcb->recover)) {
				/* Full ACK: RFC 6582 §3.2 step 3 / RFC 6675 §5 */
				pcb->in_recovery = false;
				pcb->dupacks = 0;
				pcb->cc_ops->recovery_end(&pcb->cc, ursa_now(lc));
				pcb->cc.cwnd = pcb->cc.ssthresh;
			} else if (!pcb->sack_ok) {
				/* Partial ACK: retransmit the next hole, deflate. */
				tcp_rexmt_una(lc, pcb);
				pcb->cc.cwnd = pcb->cc.cwnd > data ? pcb->cc.cwnd - data : 0;
				pcb->cc.cwnd += pcb->snd_mss;
			}
		} else {
			struct ursa_tcp_cc_ack a = {
				.acked = data,
				.flight = flight,
				.now_ns = ursa_now(lc),
				.srtt_us = pcb->srtt_us,
				.min_rtt_us = pcb->min_rtt_us,
			};

			pcb->dupacks = 0;
			if (data > 0 && cwnd_limited(pcb, flight))
				pcb->cc_ops->ack(&pcb->cc, &a);
		}
		if (pcb->snd_una == pcb->snd_max)
			tcp_rtx_stop(lc, pcb);
		else if (!pcb->in_recovery || !pcb->sack_ok || pcb->rtx_mode != TCP_RTX_PERSIST)
			tcp_rtx_arm(lc, pcb);
		if (data > 0 && pcb->want_write && !pcb->shut_wr) {
			pcb->want_write = false;
			pcb->events |= URSA_TCP_EV_WRITABLE;
		}
	} else if (s->ack == pcb->snd_una) {
		bool dsack = false;

		tcp_sack_update(pcb, &s->o);
		if (pcb->sack_ok) {
			struct tcp_sack_block d;

			(void)tcp_sack_rxt_check(lc, pcb);
			dsack = tcp_sack_dsack(pcb, &s->o, &d);
			if (dsack)
				(void)tcp_sack_undo_dsack(lc, pcb, &d);
		}
		/* RFC 5681 §2 duplicate ACK (SACK information also counts, RFC 6675 §2); an ACK
		 * that reports a duplicate (D-SACK) says nothing about a loss. */
		if (!dsack && pcb->snd_una != pcb->snd_max && s->plen == 0 &&
		    !(s->flags & (TH_SYN | TH_FIN)) &&
		    (wnd == pcb->snd_wnd || ((s->o.present & TCP_OPT_F_SACK) && pcb->sack_ok))) {
			pcb->dupacks++;
			if (pcb->in_recovery) {
				if (!pcb->sack_ok)
					pcb->cc.cwnd += pcb->snd_mss; /* RFC 6582 step 4 */
			} else if ((pcb->dupacks >= tcp_dupthresh(pcb) ||
				    (pcb->sack_ok && tcp_sack_is_lost(pcb, pcb->snd_una)) ||
				    /* a probe sent a probe timeout after snd_una's segment
				     * was SACKed: that one is lost (RFC 8985 §6.2 by time) */
				    (pcb->sack_ok && pcb->tlp_out && pcb->scoreboard.n > 0)) &&
				   SEQ_GEQ(s->ack, pcb->recover)) {
				/* recover is one past the last byte sent when the previous
				 * recovery began (RFC 6582's "recover" is that last byte): an
				 * ACK of all of it allows a new recovery. */
				tcp_enter_recovery(lc, pcb);
			}
		}
	}
	/* Window update (RFC 9293 §3.10.7.4, fifth check). */
	if (SEQ_LT(pcb->snd_wl1, s->seq) ||
	    (pcb->snd_wl1 == s->seq && SEQ_LEQ(pcb->snd_wl2, s->ack))) {
		pcb->snd_wnd = wnd;
		pcb->snd_wl1 = s->seq;
		pcb->snd_wl2 = s->ack;
		if (wnd > pcb->max_sndwnd)
			pcb->max_sndwnd = wnd;
		if (wnd > 0 && pcb->rtx_mode == TCP_RTX_PERSIST) {
			tcp_rtx_stop(lc, pcb);
			pcb->nrexmt = 0;
			pcb->backoff = 0;
		}
	}
	/* State changes driven by the ACK of our FIN. */
	if (pcb->fin_sent && pcb->snd_una == pcb->snd_max) {
		switch (pcb->state) {
		case URSA_TCP_FIN_WAIT_1:
			tcp_set_state(lc, pcb, URSA_TCP_FIN_WAIT_2);
			if (pcb->released)
				tcp_finwait2_arm(lc, pcb);
			break;
		case URSA_TCP_CLOSING:
			tcp_set_state(lc, pcb, URSA_TCP_TIME_WAIT);
			tcp_timewait_arm(lc, pcb);
			break;
		case URSA_TCP_LAST_ACK:
			tcp_drop(lc, pcb, 0);
			return false;
		default:
			break;
		}
	}
	return true;
}

/* Returns false when the connection ended (pcb is gone). */
static bool syn_rcvd_ack(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, struct tcp_seg *s,
			 struct ursa_tcp_pcb **notify_listener)
{
	struct ursa_tcp_pcb *l = pcb->listener;

	if (!(SEQ_GT(s->ack, pcb->snd_una) && SEQ_LEQ(s->ack, pcb->snd_max))) {
		uint32_t save = pcb->snd_nxt;

		TCP_INC(lc, TCP_C_drop_bad_ack);
		(void)tcp_send_seg(lc, pcb, s->ack, TH_RST, 0);
		pcb->snd_nxt = save;
		return false;
	}
	if (l != NULL && l->naccept >= l->backlog) {
		/* Like Linux: ignore the ACK, the SYN-ACK is retransmitted later. */
		TCP_INC(lc, TCP_C_drop_accept_queue_full);
		return false;
	}
	if (tcp_pcb_buffers(pcb) != 0) {
		TCP_INC(lc, TCP_C_drop_nomem);
		tcp_send_rst(lc, pcb);
		tcp_drop(lc, pcb, -ENOMEM);
		return false;
	}
	tcp_set_state(lc, pcb, URSA_TCP_ESTABLISHED);
	pcb->snd_wnd = s->wnd << pcb->snd_wscale;
	pcb->max_sndwnd = pcb->snd_wnd;
	pcb->snd_wl1 = s->seq;
	pcb->snd_wl2 = s->ack;
	pcb->nrexmt = 0;
	pcb->backoff = 0;
	tcp_keep_arm(lc, pcb);
	if (l != NULL) {
		TAILQ_REMOVE(&l->synq, pcb, q_link);
		pcb->in_synq = false;
		l->nsyn--;
		TAILQ_INSERT_TAIL(&l->acceptq, pcb, q_link);
		pcb->in_acceptq = true;
		l->naccept++;
		l->events |= URSA_TCP_EV_ACCEPT;
		*notify_listener = l;
	} else {
		pcb->events |= URSA_TCP_EV_CONNECTED | URSA_TCP_EV_WRITABLE;
	}
	return true;
}

static void data_input(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, struct rte_mbuf *m,
		       struct tcp_seg *s)
{
	uint32_t before = pcb->rcv_nxt;
	bool had_ooo = pcb->ooo.n > 0;
	int n;

	if (pcb->shut_rd) {
		/* Reading is shut down: consume in-order data without storing it. */
		if (s->seq == pcb->rcv_nxt)
			pcb->rcv_nxt += s->plen;
		pcb->ack_now = true;
		return;
	}
	n = tcp_reass(pcb, s->seq, m, s->moff, s->plen);
	if (n == -ENOSPC) {
		TCP_INC(lc, TCP_C_drop_ooo_full);
		pcb->ack_now = true;
		return;
	}
	if (n < 0) {
		TCP_INC(lc, TCP_C_drop_rcvbuf_full);
		pcb->ack_now = true;
		return;
	}
	if (n > 0) {
		pcb->rcv_nxt += (uint32_t)n;
		pcb->st_bytes_received += (uint32_t)n;
		pcb->events |= URSA_TCP_EV_READABLE;
	}
	if (s->seq != before) {
		/* Out of order: an immediate duplicate ACK carrying SACK (RFC 5681 §4.2). */
		TCP_INC(lc, TCP_C_ooo_segs);
		pcb->ooo_last = s->seq;
		pcb->ack_now = true;
	} else if (had_ooo) {
		pcb->ack_now = true; /* filled (part of) a hole: ACK at once */
	} else {
		uint32_t full = pcb->rcv_mss < pcb->snd_mss ? pcb->rcv_mss : pcb->snd_mss;

		if (s->plen + (pcb->ts_ok ? 12 : 0) >= full)
			pcb->delack_segs++;
		/* RFC 9293 §3.8.6.3 / RFC 5681 §4.2: ACK at least every second full segment,
		 * otherwise within the delayed-ACK timeout. */
		if (pcb->quickack || pcb->delack_segs >= 2)
			pcb->ack_now = true;
		else
			tcp_delack_arm(lc, pcb);
	}
}

/* Returns false when the connection ended. */
static bool fin_input(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb)
{
	pcb->rcv_nxt++;
	pcb->rcvd_fin = true;
	pcb->ack_now = true;
	pcb->events |= URSA_TCP_EV_READABLE;
	switch (pcb->state) {
	case URSA_TCP_SYN_RCVD:
	case URSA_TCP_ESTABLISHED:
		tcp_set_state(lc, pcb, URSA_TCP_CLOSE_WAIT);
		break;
	case URSA_TCP_FIN_WAIT_1:
		if (pcb->snd_una == pcb->snd_max) {
			tcp_set_state(lc, pcb, URSA_TCP_TIME_WAIT);
			tcp_timewait_arm(lc, pcb);
		} else {
			tcp_set_state(lc, pcb, URSA_TCP_CLOSING);
		}
		break;
	case URSA_TCP_FIN_WAIT_2:
		tcp_set_state(lc, pcb, URSA_TCP_TIME_WAIT);
		tcp_timewait_arm(lc, pcb);
		break;
	default:
		break;
	}
	return true;
}

/* A duplicate ACK overtaken by a later one (reordering on the way back) carries an older
 * TSval but nothing PAWS protects against: no data, nothing new acknowledged, the same
 * window, and a TSval at most one RTO (in the peer's assumed 1 ms ticks) behind. PAWS would
 * drop it and its SACK blocks with it, so the loss recovery it belongs to would see one
 * duplicate ACK fewer; Linux accepts such ACKs (tcp_disordered_ack) and so does ursa. */
static bool disordered_ack(const struct ursa_tcp_pcb *pcb, const struct tcp_seg *s)
{
	uint32_t wnd = (uint32_t)s->wnd << pcb->snd_wscale;

	return (s->flags & (TH_ACK | TH_SYN | TH_FIN)) == TH_ACK && s->plen == 0 &&
	       s->seq == pcb->rcv_nxt && s->ack == pcb->snd_una && pcb->snd_una != pcb->snd_max &&
	       wnd == pcb->snd_wnd && pcb->ts_recent - s->o.tsval <= pcb->rto_us / 1000 + 1;
}

static void do_segment(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, struct rte_mbuf *m,
		       struct tcp_seg *s)
{
	struct ursa_tcp_pcb *notify_listener = NULL;
	uint32_t seglen, wnd;
	bool acceptable;

	pcb->st_segs_in++;
	if (pcb->state == URSA_TCP_SYN_SENT) {
		syn_sent_input(lc, pcb, s);
		return;
	}
	seglen = s->plen + ((s->flags & TH_SYN) ? 1 : 0) + ((s->flags & TH_FIN) ? 1 : 0);

	/* RFC 7323 §5.3 R1: PAWS. */
	if (pcb->ts_ok && (s->o.present & TCP_OPT_F_TS) && !(s->flags & TH_RST) &&
	    TSTMP_LT(s->o.tsval, pcb->ts_recent) &&
	    ursa_now(lc) - pcb->ts_recent_ns < PAWS_IDLE_NS && !disordered_ack(pcb, s)) {
		TCP_INC(lc, TCP_C_paws_rejects);
		TCP_INC(lc, TCP_C_drop_paws);
		tcp_send_ack(lc, pcb);
		return;
	}

	/* First check: sequence number (RFC 9293 §3.10.7.4). */
	wnd = SEQ_GT(pcb->rcv_adv, pcb->rcv_nxt) ? pcb->rcv_adv - pcb->rcv_nxt : 0;
	if (seglen == 0)
		acceptable = wnd == 0 ? s->seq == pcb->rcv_nxt
				      : SEQ_IN(s->seq, pcb->rcv_nxt, pcb->rcv_nxt + wnd);
	else
		acceptable =
			wnd != 0 && (SEQ_IN(s->seq, pcb->rcv_nxt, pcb->rcv_nxt + wnd) ||
				     SEQ_IN(s->seq + seglen - 1, pcb->rcv_nxt, pcb->rcv_nxt + wnd));
	/* A zero window still takes the ACK/RST/FIN at exactly rcv_nxt (no data). */
	if (!acceptable && wnd == 0 && s->seq == pcb->rcv_nxt) {
		acceptable = true;
		s->plen = 0;
		s->flags &= (uint8_t)~TH_FIN;
	}
	if (!acceptable) {
		if (s->flags & TH_RST) {
			TCP_INC(lc, TCP_C_drop_rst_out_of_window);
			return;
		}
		/* RFC 5961 §4.2: a SYN gets a challenge ACK whatever its sequence number, so
		 * a flood of them is rate limited like the in-window ones (Linux too). */
		if ((s->flags & TH_SYN) && pcb->state != URSA_TCP_SYN_RCVD &&
		    pcb->state != URSA_TCP_TIME_WAIT) {
			TCP_INC(lc, TCP_C_drop_unacceptable);
			challenge_ack(lc, pcb);
			return;
		}
		if (SEQ_LEQ(s->seq + seglen, pcb->rcv_nxt)) {
			TCP_INC(lc, TCP_C_dup_segs);
			if (pcb->sack_ok && s->plen > 0 && !(s->flags & TH_SYN)) {
				/* RFC 2883 §4: report it in a D-SACK block */
				pcb->dsack_pending = true;
				pcb->dsack.start = s->seq;
				pcb->dsack.end = s->seq + s->plen;
			}
		}
		TCP_INC(lc, TCP_C_drop_unacceptable);
		if (pcb->state == URSA_TCP_TIME_WAIT && (s->flags & TH_FIN))
			tcp_timewait_arm(lc, pcb); /* a retransmitted FIN restarts 2 MSL */
		tcp_send_ack(lc, pcb);
		return;
	}
	/* Trim to the window: the left edge (old data, an old SYN) ... */
	if (SEQ_LT(s->seq, pcb->rcv_nxt)) {
		uint32_t cut = pcb->rcv_nxt - s->seq;

		if (s->flags & TH_SYN) {
			s->flags &= (uint8_t)~TH_SYN;
			s->seq++;
			cut--;
		}
		if (cut >= s->plen) {
			if (cut > s->plen)
				s->flags &= (uint8_t)~TH_FIN;
			cut = s->plen;
		}
		s->seq += cut;
		s->moff += cut;
		s->plen -= cut;
		TCP_INC(lc, TCP_C_dup_segs);
	}
	/* ... and the right edge. */
	if (SEQ_GT(s->seq + s->plen, pcb->rcv_nxt + wnd)) {
		s->plen = pcb->rcv_nxt + wnd - s->seq;
		s->flags &= (uint8_t)~TH_FIN;
	}

	/* RFC 7323 §4.3: remember the peer's timestamp. */
	if (pcb->ts_ok && (s->o.present & TCP_OPT_F_TS) && TSTMP_GEQ(s->o.tsval, pcb->ts_recent) &&
	    SEQ_LEQ(s->seq, pcb->last_ack_sent)) {
		pcb->ts_recent = s->o.tsval;
		pcb->ts_recent_ns = ursa_now(lc);
	}

	/* Second check: RST (RFC 5961 §3.2). */
	if (s->flags & TH_RST) {
		if (s->seq != pcb->rcv_nxt) {
			challenge_ack(lc, pcb);
			return;
		}
		TCP_INC(lc, TCP_C_conn_reset_rx);
		switch (pcb->state) {
		case URSA_TCP_SYN_RCVD:
			tcp_drop(lc, pcb, pcb->listener != NULL ? 0 : -ECONNREFUSED);
			return;
		case URSA_TCP_ESTABLISHED:
		case URSA_TCP_FIN_WAIT_1:
		case URSA_TCP_FIN_WAIT_2:
		case URSA_TCP_CLOSE_WAIT:
			tcp_drop(lc, pcb, -ECONNRESET);
			return;
		default:
			tcp_drop(lc, pcb, 0);
			return;
		}
	}
	/* Fourth check: SYN in the window (RFC 5961 §4): challenge ACK. */
	if (s->flags & TH_SYN) {
		TCP_INC(lc, TCP_C_drop_syn_in_window);
		challenge_ack(lc, pcb);
		return;
	}
	/* Fifth check: ACK. */
	if (!(s->flags & TH_ACK)) {
		TCP_INC(lc, TCP_C_drop_no_ack);
		return;
	}
	if (pcb->state == URSA_TCP_SYN_RCVD && !syn_rcvd_ack(lc, pcb, s, &notify_listener))
		return;
	if (SEQ_GT(s->ack, pcb->snd_max)) {
		TCP_INC(lc, TCP_C_drop_bad_ack);
		tcp_send_ack(lc, pcb);
		return;
	}
	if (SEQ_LT(s->ack, pcb->snd_una - pcb->max_sndwnd)) {
		/* RFC 5961 §5.2 */
		TCP_INC(lc, TCP_C_drop_ack_too_old);
		challenge_ack(lc, pcb);
		return;
	}
	pcb->last_rx_ns = ursa_now(lc);
	pcb->keep_probes = 0;
	/* An answered window probe: the peer is alive, however long its window stays shut
	 * (RFC 1122 §4.2.2.17); only unanswered probes count towards retries2. Not for an
	 * orphan: a peer could hold it open forever by answering with a zero window, so every
	 * probe counts towards orphan_retries (RFC 6429 allows the abort; Linux does it). */
	if (pcb->rtx_mode == TCP_RTX_PERSIST && !pcb->released)
		pcb->nrexmt = 0;
	if (!ack_input(lc, pcb, s))
		goto out_listener;

	/* Seventh: text. */
	if (s->plen > 0) {
		if (pcb->state == URSA_TCP_ESTABLISHED || pcb->state == URSA_TCP_FIN_WAIT_1 ||
		    pcb->state == URSA_TCP_FIN_WAIT_2) {
			if (pcb->released) {
				/* Data for a closed socket: RST (RFC 9293 §3.10.7.4, RFC 2525
				 * §2.17), formed as for a segment with ACK: <SEQ=SEG.ACK><RST>. */
				TCP_INC(lc, TCP_C_drop_after_close);
				(void)tcp_send_seg(lc, pcb, s->ack, TH_RST, 0);
				tcp_drop(lc, pcb, 0);
				goto out_listener;
			}
			data_input(lc, pcb, m, s);
		} else {
			TCP_INC(lc, TCP_C_drop_after_close);
		}
	}
	/* Eighth: FIN, once everything before it has arrived. */
	if ((s->flags & TH_FIN) && s->seq + s->plen == pcb->rcv_nxt && !pcb->rcvd_fin)
		fin_input(lc, pcb);

	tcp_output(lc, pcb);
	tcp_notify(lc, pcb);
out_listener:
	if (notify_listener != NULL)
		tcp_notify(lc, notify_listener);
}

/* A SYN in TIME-WAIT may open a new connection when its timestamp is newer than the last one
 * seen (RFC 6191) or, without timestamps, its sequence number is above rcv_nxt. */
static bool timewait_reopen(const struct ursa_tcp_pcb *pcb, const struct tcp_seg *s)
{
	if ((s->flags & (TH_SYN | TH_ACK | TH_RST)) != TH_SYN)
		return false;
	if (pcb->ts_ok && (s->o.present & TCP_OPT_F_TS))
		return TSTMP_LT(pcb->ts_recent, s->o.tsval);
	return SEQ_GT(s->seq, pcb->rcv_nxt);
}

/* *taken: m was handed to the shard that owns its connection (ursa_lcore_dispatch). */
static void input_seg(struct ursa_lcore *lc, struct ursa_iface *ifc, struct rte_mbuf *m,
		      const struct ursa_ip_info *info, bool verify_cksum, bool *taken)
{
	uint8_t hdr[TCP_HDR_MAX];
	const struct rte_tcp_hdr *th;
	struct tcp_seg s;
	struct ursa_tcp_pcb *pcb;
	uint32_t len = info->l4_len, doff;
	uint16_t sport, dport;

	/* a segment handed over by another shard was counted there */
	lc->tcp->c[TCP_C_rx_segs] += (ursa_pkt_meta(m)->rx_flags & URSA_RX_DISPATCHED) == 0;
	if (info->dst_kind != URSA_IP_DST_UNICAST) {
		TCP_INC(lc, TCP_C_drop_not_unicast);
		return;
	}
	if (len < TCP_HDR_MIN || rte_pktmbuf_pkt_len(m) < len) {
		TCP_INC(lc, TCP_C_drop_short);
		return;
	}
	th = rte_pktmbuf_read(m, 0, TCP_HDR_MIN, hdr);
	doff = (uint32_t)(th->data_off >> 4) * 4;
	if (doff < TCP_HDR_MIN || doff > len) {
		TCP_INC(lc, TCP_C_drop_bad_doff);
		return;
	}
	th = rte_pktmbuf_read(m, 0, doff, hdr);
	if (th != (const void *)hdr) {
		memcpy(hdr, th, doff);
		th = (const void *)hdr;
	}
	if (verify_cksum && ursa_ip_l4_cksum(&info->src, &info->dst, IPPROTO_TCP, m, 0, len) != 0) {
		TCP_INC(lc, TCP_C_drop_bad_cksum);
		return;
	}
	sport = rte_be_to_cpu_16(th->src_port);
	dport = rte_be_to_cpu_16(th->dst_port);
	if (sport == 0 || dport == 0) {
		TCP_INC(lc, TCP_C_drop_bad_port);
		return;
	}
	memset(&s, 0, sizeof(s));
	s.th = th;
	s.flags = th->tcp_flags;
	if (tcp_opt_parse(hdr + TCP_HDR_MIN, doff - TCP_HDR_MIN, s.flags & TH_SYN, &s.o) != 0) {
		TCP_INC(lc, TCP_C_drop_bad_opt);
		return;
	}
	if (s.flags & TH_SYN)
		tcp_opt_parse_hooks(lc, hdr + TCP_HDR_MIN, doff - TCP_HDR_MIN, &s.o);
	s.seq = rte_be_to_cpu_32(th->sent_seq);
	s.ack = rte_be_to_cpu_32(th->recv_ack);
	s.wnd = rte_be_to_cpu_16(th->rx_win);
	s.plen = len - doff;
	s.moff = doff;

	pcb = tcp_table_lookup(lc, ifc->tenant, &info->dst, dport, &info->src, sport);
	if (pcb != NULL && pcb->bound_iface >= 0 && pcb->bound_iface != (int32_t)ifc->index)
		pcb = NULL;
	if (pcb != NULL && pcb->state == URSA_TCP_TIME_WAIT && timewait_reopen(pcb, &s) &&
	    tcp_listen_lookup(lc, ifc, &info->dst, dport) != NULL) {
		/* RFC 6191 / RFC 1122 §4.2.2.13: a new incarnation ends TIME-WAIT. */
		TCP_INC(lc, TCP_C_time_wait_reopened);
		tcp_drop(lc, pcb, 0);
		pcb = NULL;
	}
	if (pcb == NULL && tcp_port_owner(lc, dport) >= 0 &&
	    ursa_lcore_dispatch(lc, m, (unsigned)tcp_port_owner(lc, dport))) {
		/* Not here, and the ephemeral port names the shard where it is: an
		 * active open's replies, which RSS may land on any queue. */
		*taken = true;
		return;
	}
	if (pcb == NULL) {
		struct ursa_tcp_pcb *l = tcp_listen_lookup(lc, ifc, &info->dst, dport);
		uint32_t seglen =
			s.plen + ((s.flags & TH_SYN) ? 1 : 0) + ((s.flags & TH_FIN) ? 1 : 0);

		if (l != NULL) {
			listen_input(lc, ifc, info, l, m, &s, seglen);
			return;
		}
		TCP_INC(lc, TCP_C_drop_no_pcb);
		tcp_respond_rst(lc, ifc, info, th, seglen);
		return;
	}
	do_segment(lc, pcb, m, &s);
}

void tcp_input(struct ursa_lcore *lc, struct ursa_iface *ifc, struct rte_mbuf *m,
	       const struct ursa_ip_info *info)
{
	bool taken = false;

	input_seg(lc, ifc, m, info, !lc->tcp->fuzzing, &taken);
	if (!taken)
		rte_pktmbuf_free(m);
}

int ursa_tcp_fuzz_input(struct ursa_lcore *lc, const uint8_t *data, size_t len)
{
	struct ursa_ip_info info;
	struct ursa_iface *ifc;
	struct rte_mbuf *m;
	bool v6;
	int found = 0;

	if (lc->tcp == NULL || len < 1 || len - 1 > UINT16_MAX || lc->nb_ifaces == 0)
		return -EINVAL;
	v6 = data[0] & 1;
	ifc = &lc->ifaces[0];
	memset(&info, 0, sizeof(info));
	if (v6) {
		static const uint8_t peer6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
						  0,	0,    0,    0,	  0, 0, 0, 2};

		info.src.family = AF_INET6;
		memcpy(info.src.v6, peer6, 16);
		for (unsigned i = 0; i < ifc->n6 && !found; i++)
			if (!(ifc->v6[i].flags & URSA_ADDR_TENTATIVE)) {
				info.dst = ifc->v6[i].addr;
				found = 1;
			}
	} else {
		info.src.family = AF_INET;
		info.src.v4 = rte_cpu_to_be_32(0xc0000202); /* 192.0.2.2 */
		if (ifc->n4 > 0) {
			info.dst = ifc->v4[0].addr;
			found = 1;
		}
	}
	if (!found)
		return -EINVAL;
	m = rte_pktmbuf_alloc(lc->pool);
	if (m == NULL)
		return -ENOMEM;
	if (len - 1 > rte_pktmbuf_tailroom(m)) {
		rte_pktmbuf_free(m);
		return -EINVAL;
	}
	memcpy(rte_pktmbuf_append(m, (uint16_t)(len - 1)), data + 1, len - 1);
	info.proto = IPPROTO_TCP;
	info.ttl = 64;
	info.dst_kind = URSA_IP_DST_UNICAST;
	info.l4_len = (uint16_t)(len - 1);
	lc->tcp->fuzzing = true;
	tcp_input(lc, ifc, m, &info);
	lc->tcp->fuzzing = false;
	return 0;
}
