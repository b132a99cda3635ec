/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp timers on the injected clock: retransmission (RFC 6298, with Karn's rule and
 * exponential back-off) and the SYN/SYN-ACK retries, the persist timer (zero-window probes),
 * delayed ACKs, keepalive, FIN_WAIT_2 of orphaned connections, and TIME_WAIT (2 MSL).
 *
 * RTO choices: initial 1 s (RFC 6298 §2.1), lower bound 200 ms like Linux rather than the
 * RFC's 1 s (§2.4 allows it; configurable as rto_min_ms), upper bound 120 s, clock granularity
 * G = 1 ms. Every expiry doubles the RTO (§5.5) until an RTT sample is taken again (§5.7).
 */
#include "tcp_priv.h"

#define TCP_CLOCK_G_US	   1000u
#define TCP_PERSIST_MIN_US 200000u
/* Added to 2 SRTT (Linux's TCP_TIMEOUT_MIN at HZ=1000): room for the peer's scheduling and
 * our 1 ms RTT granularity, without the 10 ms floor that made every tail loss on a sub-ms
 * path wait 20 RTTs. */
#define TCP_PTO_SLACK_NS (2 * URSA_NS_PER_MS)

static void rtx_expire(struct ursa_lcore *lc, struct ursa_timer *tm, void *arg);
static uint64_t pto_ns(const struct ursa_tcp_pcb *pcb);
static void delack_expire(struct ursa_lcore *lc, struct ursa_timer *tm, void *arg);
static void keep_expire(struct ursa_lcore *lc, struct ursa_timer *tm, void *arg);

void tcp_timers_init(struct ursa_tcp_pcb *pcb)
{
	ursa_timer_init(&pcb->rtx_timer, rtx_expire, pcb);
	ursa_timer_init(&pcb->delack_timer, delack_expire, pcb);
	ursa_timer_init(&pcb->keep_timer, keep_expire, pcb);
}

void tcp_timers_stop(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb)
{
	ursa_timer_cancel(lc, &pcb->rtx_timer);
	ursa_timer_cancel(lc, &pcb->delack_timer);
	ursa_timer_cancel(lc, &pcb->keep_timer);
	pcb->rtx_mode = TCP_RTX_NONE;
}

void tcp_rtt_sample(const struct ursa_tcp_conf *conf, struct ursa_tcp_pcb *pcb, uint32_t r)
{
	uint64_t rto;

	if (r == 0)
		r = 1;
	if (pcb->srtt_us == 0) {
		/* RFC 6298 §2.2 */
		pcb->srtt_us = r;
		pcb->rttvar_us = r / 2;
	} else {
		/* §2.3: RTTVAR first (it uses the old SRTT), beta = 1/4, alpha = 1/8 */
		uint32_t delta = pcb->srtt_us > r ? pcb->srtt_us - r : r - pcb->srtt_us;

		pcb->rttvar_us = (3 * pcb->rttvar_us + delta) / 4;
		pcb->srtt_us = (7 * pcb->srtt_us + r) / 8;
	}
	if (pcb->min_rtt_us == 0 || r < pcb->min_rtt_us)
		pcb->min_rtt_us = r;
	rto = pcb->srtt_us +
	      (4ull * pcb->rttvar_us > TCP_CLOCK_G_US ? 4ull * pcb->rttvar_us : TCP_CLOCK_G_US);
	if (rto < conf->rto_min_ms * 1000ull)
		rto = conf->rto_min_ms * 1000ull;
	if (rto > conf->rto_max_ms * 1000ull)
		rto = conf->rto_max_ms * 1000ull;
	pcb->rto_us = (uint32_t)rto;
	pcb->backoff = 0;
}

uint32_t tcp_rto_backed_off(const struct ursa_tcp_conf *conf, const struct ursa_tcp_pcb *pcb)
{
	uint64_t rto = (uint64_t)pcb->rto_us << (pcb->backoff < 32 ? pcb->backoff : 32);
	uint64_t max = conf->rto_max_ms * 1000ull;

	return (uint32_t)(rto > max ? max : rto);
}

/* A probe timeout (RFC 8985 §7.2) instead of the RTO: with SACK and an RTT sample, more
 * than one segment in flight (so the peer's delayed ACK cannot hold the answer back), no
 * back-off and no probe yet since snd_una last moved. PTO = 2 SRTT + 2 ms (as Linux). */
bool tcp_pto_eligible(const struct ursa_tcp_pcb *pcb)
{
	return pto_ns(pcb) != UINT64_MAX;
}

static uint64_t pto_ns(const struct ursa_tcp_pcb *pcb)
{
	uint64_t pto = 2ull * pcb->srtt_us * URSA_NS_PER_US + TCP_PTO_SLACK_NS;

	if (!pcb->sack_ok || pcb->srtt_us == 0 || pcb->tlp_out || pcb->nrexmt != 0 ||
	    pcb->rto_lost || pcb->snd_max - pcb->snd_una <= pcb->snd_mss ||
	    (pcb->state != URSA_TCP_ESTABLISHED && pcb->state != URSA_TCP_CLOSE_WAIT))
		return UINT64_MAX;
	return pto;
}

void tcp_rtx_arm(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb)
{
	uint64_t rto = (uint64_t)tcp_rto_backed_off(&lc->tcp->conf, pcb) * 1000;
	uint64_t pto = pto_ns(pcb);

	pcb->rtx_mode = pto < rto ? TCP_RTX_PTO : TCP_RTX_RTO;
	(void)ursa_timer_arm_in(lc, &pcb->rtx_timer, pto < rto ? pto : rto);
}

void tcp_rtx_stop(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb)
{
	ursa_timer_cancel(lc, &pcb->rtx_timer);
	pcb->rtx_mode = TCP_RTX_NONE;
}

void tcp_persist_arm(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb)
{
	uint64_t d = tcp_rto_backed_off(&lc->tcp->conf, pcb);

	if (d < TCP_PERSIST_MIN_US)
		d = TCP_PERSIST_MIN_US;
	pcb->rtx_mode = TCP_RTX_PERSIST;
	(void)ursa_timer_arm_in(lc, &pcb->rtx_timer, d * 1000);
}

void tcp_delack_arm(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb)
{
	if (!ursa_timer_pending(&pcb->delack_timer))
		(void)ursa_timer_arm_in(lc, &pcb->delack_timer,
					lc->tcp->conf.delack_ms * URSA_NS_PER_MS);
}

void tcp_keep_arm(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb)
{
	uint64_t s = pcb->keep_probes ? pcb->keep_intvl_s : pcb->keep_idle_s;

	if (!pcb->keepalive)
		return;
	(void)ursa_timer_arm_in(lc, &pcb->keep_timer, s * URSA_NS_PER_S);
}

void tcp_timewait_arm(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb)
{
	ursa_timer_cancel(lc, &pcb->delack_timer);
	tcp_rtx_stop(lc, pcb);
	(void)ursa_timer_arm_in(lc, &pcb->keep_timer, 2ull * lc->tcp->conf.msl_ms * URSA_NS_PER_MS);
}

void tcp_finwait2_arm(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb)
{
	(void)ursa_timer_arm_in(lc, &pcb->keep_timer,
				(uint64_t)lc->tcp->conf.fin_wait2_ms * URSA_NS_PER_MS);
}

static void rto_expire(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb)
{
	const struct ursa_tcp_conf *conf = &lc->tcp->conf;
	unsigned limit;

	pcb->nrexmt++;
	TCP_INC(lc, TCP_C_timeouts);
	pcb->st_timeouts++;
	if (pcb->state == URSA_TCP_SYN_SENT || pcb->state == URSA_TCP_SYN_RCVD) {
		limit = pcb->state == URSA_TCP_SYN_SENT ? conf->syn_retries : conf->synack_retries;
		if (pcb->nrexmt > limit) {
			TCP_INC(lc, TCP_C_conn_timeout);
			tcp_drop(lc, pcb, tcp_timeout_err(pcb));
			return;
		}
		if (pcb->backoff < 31)
			pcb->backoff++;
		pcb->rtt_timing = false;
		(void)tcp_send_seg(lc, pcb, pcb->iss,
				   pcb->state == URSA_TCP_SYN_SENT ? TH_SYN : TH_SYN | TH_ACK, 0);
		pcb->st_retransmits++;
		TCP_INC(lc, TCP_C_retransmits);
		tcp_rtx_arm(lc, pcb);
		return;
	}
	if (pcb->snd_una == pcb->snd_max)
		return; /* nothing outstanding */
	limit = pcb->released ? conf->orphan_retries : conf->retries2;
	if (pcb->nrexmt > limit) {
		TCP_INC(lc, TCP_C_conn_timeout);
		tcp_send_rst(lc, pcb);
		tcp_drop(lc, pcb, tcp_timeout_err(pcb));
		return;
	}
	/* RFC 5681 §3.1 eq. (4) and the loss window; RFC 6298 §5.5-5.6; RFC 6582 §3.2 step 4. */
	pcb->cc_ops->rto(&pcb->cc, pcb->snd_max - pcb->snd_una, ursa_now(lc));
	pcb->cc.cwnd = pcb->snd_mss;
	if (pcb->backoff < 31)
		pcb->backoff++;
	pcb->rtt_timing = false;
	pcb->in_recovery = false;
	pcb->rto_lost = false;
	pcb->undo_valid = false; /* an RTO is not undone */
	pcb->recover = pcb->snd_max;
	pcb->dupacks = 0;
	pcb->high_rxt = pcb->snd_una;
	tcp_sack_rxt_clear(pcb); /* every retransmission in flight is lost too */
	if (pcb->sack_ok && pcb->nrexmt == 1 && !pcb->fin_sent && pcb->scoreboard.n > 0) {
		/* RFC 6675 §5.1: keep the scoreboard and do not resend what was SACKed; every
		 * other byte sent is lost. The SACK recovery sends the holes from snd_una as the
		 * window opens. A second RTO in a row forgets the SACKs (the receiver may have
		 * reneged, RFC 2018 §8) and goes back to snd_una. */
		TCP_INC(lc, TCP_C_rto_sack_recoveries);
		pcb->in_recovery = true;
		pcb->rto_lost = true;
		pcb->lost_below = pcb->snd_max;
		tcp_rtx_stop(lc, pcb);
		tcp_output(lc, pcb);
		if (!ursa_timer_pending(&pcb->rtx_timer))
			tcp_rtx_arm(lc, pcb);
		return;
	}
	tcp_rset_clear(&pcb->scoreboard);
	pcb->snd_nxt = pcb->snd_una;
	tcp_rtx_stop(lc, pcb);
	tcp_output(lc, pcb);
	if (!ursa_timer_pending(&pcb->rtx_timer))
		tcp_rtx_arm(lc, pcb);
}

static void persist_expire(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb)
{
	/* An orphan (closed by the application) that the peer holds at a zero window gives up
	 * after orphan_retries probes, as its retransmissions do: otherwise a peer that never
	 * opens its window keeps it, and its port, for retries2 back-offs (half an hour). */
	const struct ursa_tcp_conf *conf = &lc->tcp->conf;

	pcb->nrexmt++;
	if (pcb->nrexmt > (pcb->released ? conf->orphan_retries : conf->retries2)) {
		TCP_INC(lc, TCP_C_conn_timeout);
		tcp_send_rst(lc, pcb);
		tcp_drop(lc, pcb, tcp_timeout_err(pcb));
		return;
	}
	if (pcb->snd_wnd > 0) {
		/* The window is open but too small for SWS avoidance: send what fits. */
		pcb->force = true;
		tcp_output(lc, pcb);
		pcb->force = false;
		if (pcb->snd_una != pcb->snd_max)
			return; /* now the retransmission timer runs */
	} else {
		/* A window probe that elicits an ACK with the current window: an old sequence
		 * number, no data (the receiver must answer it, RFC 9293 §3.10.7.4). */
		TCP_INC(lc, TCP_C_persist_probes);
		(void)tcp_send_seg(lc, pcb, pcb->snd_una - 1, TH_ACK, 0);
	}
	if (pcb->backoff < 31)
		pcb->backoff++;
	tcp_persist_arm(lc, pcb);
}

/* No ACK for a probe timeout: SACKed data sent after the holes arrived 2 SRTT ago, so the
 * holes are lost (RACK's rule by time, RFC 8985 §6.2) and recovery starts now; in recovery,
 * retransmissions that old are lost again; with nothing SACKed, a probe elicits an ACK that
 * tells (RFC 8985 §7.3). The RTO follows. */
static void pto_expire(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb)
{
	pcb->tlp_out = true;
	if (pcb->snd_una == pcb->snd_max)
		return;
	TCP_INC(lc, TCP_C_pto_fired);
	if (pcb->scoreboard.n > 0)
		pcb->time_lost_below = pcb->scoreboard.r[pcb->scoreboard.n - 1].end;
	if (pcb->in_recovery) {
		uint64_t rexmt = pcb->st_retransmits;
		uint32_t max = pcb->snd_max;

		(void)tcp_sack_rxt_expire(lc, pcb);
		tcp_output(lc, pcb);
		/* nothing SACKed tells which hole is lost: snd_una's segment is, at least */
		if (pcb->st_retransmits == rexmt && pcb->snd_max == max)
			tcp_rexmt_una(lc, pcb);
	} else if (pcb->scoreboard.n > 0 && SEQ_GEQ(pcb->snd_una, pcb->recover)) {
		TCP_INC(lc, TCP_C_pto_recoveries);
		tcp_enter_recovery(lc, pcb);
		tcp_output(lc, pcb);
	} else if (pcb->scoreboard.n > 0) {
		tcp_rexmt_una(lc, pcb); /* inside the last recovery's window: no new reduction */
	} else {
		tcp_send_probe(lc, pcb);
	}
	if (!ursa_timer_pending(&pcb->rtx_timer) || pcb->rtx_mode != TCP_RTX_RTO)
		tcp_rtx_arm(lc, pcb);
}

static void rtx_expire(struct ursa_lcore *lc, struct ursa_timer *tm, void *arg)
{
	struct ursa_tcp_pcb *pcb = arg;
	enum tcp_rtx_mode mode = pcb->rtx_mode;

	(void)tm;
	pcb->rtx_mode = TCP_RTX_NONE;
	if (mode == TCP_RTX_PERSIST)
		persist_expire(lc, pcb);
	else if (mode == TCP_RTX_RTO)
		rto_expire(lc, pcb);
	else if (mode == TCP_RTX_PTO)
		pto_expire(lc, pcb);
	else
		return;
	/* pcb may be gone after a drop; tcp_drop delivered its own events. */
}

static void delack_expire(struct ursa_lcore *lc, struct ursa_timer *tm, void *arg)
{
	struct ursa_tcp_pcb *pcb = arg;

	(void)tm;
	if (pcb->state == URSA_TCP_CLOSED || pcb->state == URSA_TCP_LISTEN)
		return;
	TCP_INC(lc, TCP_C_delayed_acks);
	tcp_send_ack(lc, pcb);
}

static void keep_expire(struct ursa_lcore *lc, struct ursa_timer *tm, void *arg)
{
	struct ursa_tcp_pcb *pcb = arg;
	uint64_t idle;

	(void)tm;
	switch (pcb->state) {
	case URSA_TCP_TIME_WAIT:
		TCP_INC(lc, TCP_C_time_wait_expired);
		tcp_drop(lc, pcb, 0);
		return;
	case URSA_TCP_FIN_WAIT_2:
		if (pcb->released) {
			tcp_drop(lc, pcb, 0);
			return;
		}
		break;
	default:
		break;
	}
	if (!pcb->keepalive ||
	    (pcb->state != URSA_TCP_ESTABLISHED && pcb->state != URSA_TCP_CLOSE_WAIT &&
	     pcb->state != URSA_TCP_FIN_WAIT_2))
		return;
	idle = ursa_now(lc) - pcb->last_rx_ns;
	if (pcb->keep_probes == 0 && idle < pcb->keep_idle_s * URSA_NS_PER_S) {
		(void)ursa_timer_arm_in(lc, &pcb->keep_timer,
					pcb->keep_idle_s * URSA_NS_PER_S - idle);
		return;
	}
	if (pcb->keep_probes >= pcb->keep_cnt) {
		TCP_INC(lc, TCP_C_conn_timeout);
		tcp_send_rst(lc, pcb);
		tcp_drop(lc, pcb, tcp_timeout_err(pcb));
		return;
	}
	/* RFC 9293 §3.8.4 / RFC 1122 §4.2.3.6: SEG.SEQ = SND.NXT - 1, no data. */
	pcb->keep_probes++;
	TCP_INC(lc, TCP_C_keepalive_probes);
	(void)tcp_send_seg(lc, pcb, pcb->snd_una - 1, TH_ACK, 0);
	tcp_keep_arm(lc, pcb);
	tcp_notify(lc, pcb);
}
