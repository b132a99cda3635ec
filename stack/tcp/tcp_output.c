/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp output: decides what a connection may send (send and congestion windows, Nagle,
 * sender-side silly-window avoidance, SACK-based recovery), builds segments from the send
 * ring (segmentation at the MSS), and sends them through ursa_ip_output; also RSTs for
 * segments that have no connection.
 */
#include <string.h>
#include <sys/socket.h>

#include "tcp_priv.h"

static uint32_t syn_adj(const struct ursa_tcp_pcb *pcb)
{
	/* The SYN occupies iss; data starts at iss + 1. */
	return pcb->snd_una == pcb->iss ? 1 : 0;
}

/* Sequence number just past the last queued data byte (where the FIN goes). */
static uint32_t data_end(const struct ursa_tcp_pcb *pcb)
{
	return pcb->snd_una + syn_adj(pcb) + pcb->sndq.len;
}

uint32_t tcp_data_end(const struct ursa_tcp_pcb *pcb)
{
	return data_end(pcb);
}

uint32_t tcp_rcv_window(const struct ursa_tcp_pcb *pcb)
{
	uint32_t space = pcb->rcvq.buf != NULL ? pcb->rcvq.size - pcb->rcvq.len : pcb->rcvbuf;
	uint32_t max = (uint32_t)65535 << pcb->rcv_wscale;
	uint32_t adv_left;

	uint32_t step = pcb->rcvbuf / 2 < pcb->rcv_mss ? pcb->rcvbuf / 2 : pcb->rcv_mss;

	if (pcb->shut_rd)
		space = pcb->rcvbuf; /* data is discarded on arrival: keep the window open */
	if (space > max)
		space = max;
	adv_left = SEQ_GT(pcb->rcv_adv, pcb->rcv_nxt) ? pcb->rcv_adv - pcb->rcv_nxt : 0;
	/* Receiver silly-window avoidance (RFC 9293 §3.8.6.2.2): move the right edge only by
	 * min(RCV.BUFF / 2, MSS) or more; never shrink the window already offered (§3.8.6). */
	if (space < adv_left + step)
		space = adv_left;
	/* Round down to the scale's granularity so the advertised edge is exact. */
	if (pcb->rcv_wscale)
		space = (space >> pcb->rcv_wscale) << pcb->rcv_wscale;
	return space;
}

int tcp_send_seg(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, uint32_t seq, uint8_t flags,
		 uint32_t len)
{
	uint8_t opts[40];
	unsigned olen, hlen;
	struct rte_tcp_hdr *th;
	struct rte_mbuf *m;
	uint32_t wnd;
	struct ursa_ip_tx tx;
	int rc;

	m = ursa_pkt_alloc(lc);
	if (m == NULL) {
		TCP_INC(lc, TCP_C_drop_tx_nomem);
		return -ENOMEM;
	}
	olen = tcp_opt_write(lc, pcb, flags, opts);
	hlen = TCP_HDR_MIN + olen;
	th = (struct rte_tcp_hdr *)rte_pktmbuf_append(m, (uint16_t)(hlen + len));
	if (th == NULL) {
		rte_pktmbuf_free(m);
		TCP_INC(lc, TCP_C_drop_tx_nomem);
		return -ENOMEM;
	}
	wnd = tcp_rcv_window(pcb);
	th->src_port = rte_cpu_to_be_16(pcb->lport);
	th->dst_port = rte_cpu_to_be_16(pcb->fport);
	th->sent_seq = rte_cpu_to_be_32(seq);
	th->recv_ack = rte_cpu_to_be_32((flags & TH_ACK) ? pcb->rcv_nxt : 0);
	th->data_off = (uint8_t)((hlen / 4) << 4);
	th->tcp_flags = flags;
	/* RFC 7323 §2.2: the window of a SYN is never scaled. */
	if (flags & TH_SYN) {
		if (wnd > 65535)
			wnd = 65535;
		th->rx_win = rte_cpu_to_be_16((uint16_t)wnd);
	} else
		th->rx_win = rte_cpu_to_be_16((uint16_t)(wnd >> pcb->rcv_wscale));
	th->cksum = 0;
	th->tcp_urp = 0;
	memcpy(th + 1, opts, olen);
	if (len > 0)
		tcp_ring_get(&pcb->sndq, seq - pcb->snd_una - syn_adj(pcb), (uint8_t *)th + hlen,
			     len);
	th->cksum = ursa_ip_l4_cksum(&pcb->laddr, &pcb->faddr, IPPROTO_TCP, m, 0, hlen + len);

	memset(&tx, 0, sizeof(tx));
	tx.src = pcb->laddr;
	tx.dst = pcb->faddr;
	tx.proto = IPPROTO_TCP;
	tx.df = true;
	tx.tenant = pcb->tenant;
	tx.iface = pcb->iface;
	rc = ursa_ip_output(lc, &tx, m);
	if (rc != 0 && rc != -EAGAIN)
		TCP_INC(lc, TCP_C_drop_tx_route);

	TCP_INC(lc, TCP_C_tx_segs);
	pcb->st_segs_out++;
	if (len > 0)
		TCP_INC(lc, TCP_C_tx_data_segs);
	if (flags & TH_RST)
		TCP_INC(lc, TCP_C_rst_tx);
	if (flags & TH_ACK) {
		pcb->last_ack_sent = pcb->rcv_nxt;
		pcb->ack_now = false;
		pcb->delack_segs = 0;
		ursa_timer_cancel(lc, &pcb->delack_timer);
	}
	if ((flags & TH_ACK) && SEQ_GT(pcb->rcv_nxt + wnd, pcb->rcv_adv))
		pcb->rcv_adv = pcb->rcv_nxt + wnd;
	return rc;
}

void tcp_send_ack(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb)
{
	(void)tcp_send_seg(lc, pcb, pcb->snd_nxt, TH_ACK, 0);
}

void tcp_send_rst(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb)
{
	if (pcb->state == URSA_TCP_CLOSED || pcb->state == URSA_TCP_LISTEN ||
	    pcb->state == URSA_TCP_SYN_SENT || pcb->faddr.family == 0)
		return;
	(void)tcp_send_seg(lc, pcb, pcb->snd_nxt, TH_RST | TH_ACK, 0);
}

void tcp_respond_rst(struct ursa_lcore *lc, const struct ursa_iface *ifc,
		     const struct ursa_ip_info *info, const struct rte_tcp_hdr *th, uint32_t seglen)
{
	struct rte_tcp_hdr *r;
	struct rte_mbuf *m;
	struct ursa_ip_tx tx;
	int rc;

	if (th->tcp_flags & TH_RST)
		return; /* never answer a RST */
	m = ursa_pkt_alloc(lc);
	if (m == NULL) {
		TCP_INC(lc, TCP_C_drop_tx_nomem);
		return;
	}
	r = (struct rte_tcp_hdr *)rte_pktmbuf_append(m, TCP_HDR_MIN);
	if (r == NULL) {
		rte_pktmbuf_free(m);
		TCP_INC(lc, TCP_C_drop_tx_nomem);
		return;
	}
	memset(r, 0, TCP_HDR_MIN);
	r->src_port = th->dst_port;
	r->dst_port = th->src_port;
	r->data_off = 5 << 4;
	/* RFC 9293 §3.10.7.1: <SEQ=SEG.ACK><CTL=RST> when ACK is set, else
	 * <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>. */
	if (th->tcp_flags & TH_ACK) {
		r->sent_seq = th->recv_ack;
		r->tcp_flags = TH_RST;
	} else {
		r->recv_ack = rte_cpu_to_be_32(rte_be_to_cpu_32(th->sent_seq) + seglen);
		r->tcp_flags = TH_RST | TH_ACK;
	}
	r->cksum = ursa_ip_l4_cksum(&info->dst, &info->src, IPPROTO_TCP, m, 0, TCP_HDR_MIN);
	memset(&tx, 0, sizeof(tx));
	tx.src = info->dst;
	tx.dst = info->src;
	tx.proto = IPPROTO_TCP;
	tx.df = true;
	tx.tenant = ifc->tenant;
	tx.iface = ifc->index;
	rc = ursa_ip_output(lc, &tx, m);
	if (rc != 0 && rc != -EAGAIN)
		TCP_INC(lc, TCP_C_drop_tx_route);
	TCP_INC(lc, TCP_C_tx_segs);
	TCP_INC(lc, TCP_C_rst_tx);
}

static bool can_send_data(enum ursa_tcp_state s)
{
	return s == URSA_TCP_ESTABLISHED || s == URSA_TCP_CLOSE_WAIT || s == URSA_TCP_FIN_WAIT_1 ||
	       s == URSA_TCP_CLOSING || s == URSA_TCP_LAST_ACK;
}

static void after_send(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, uint32_t seq, uint32_t len,
		       bool fin)
{
	uint32_t end = seq + len + (fin ? 1 : 0);

	if (SEQ_LT(seq, pcb->snd_max)) {
		pcb->st_retransmits++;
		TCP_INC(lc, TCP_C_retransmits);
		if (pcb->sack_ok)
			(void)tcp_sack_rxt_note(pcb, seq, len, ursa_now(lc));
		if (pcb->undo_valid && len > 0) {
			pcb->undo_retrans++;
			if (tcp_rset_add(&pcb->undo_set, seq, seq + len) != 0)
				pcb->undo_valid = false; /* too many to track: no undo */
		}
		if (SEQ_GT(seq + len, pcb->high_rxt))
			pcb->high_rxt = seq + len;
	} else if (!pcb->rtt_timing && !pcb->ts_ok && len > 0) {
		/* RFC 6298 §3 with Karn: time one fresh segment at a time. */
		pcb->rtt_timing = true;
		pcb->rtt_seq = seq;
		pcb->rtt_start_ns = ursa_now(lc);
	}
	if (SEQ_GT(end, pcb->snd_max))
		pcb->snd_max = end;
	/* the probe timeout counts from the latest transmission (RFC 8985 §7.2) */
	if (!ursa_timer_pending(&pcb->rtx_timer) || pcb->rtx_mode == TCP_RTX_PERSIST ||
	    pcb->rtx_mode == TCP_RTX_PTO || (pcb->rtx_mode == TCP_RTX_RTO && tcp_pto_eligible(pcb)))
		tcp_rtx_arm(lc, pcb);
}

/* The payload that fits in the next segment (RFC 9293 §3.7.1 Eff.snd.MSS): snd_mss already
 * leaves room for timestamps; SACK blocks we still report to the peer take more. Without
 * this a full segment that carries SACK blocks (bidirectional data with losses both ways)
 * exceeds the MTU and is dropped by IP with DF set. */
uint32_t tcp_mss_now(const struct ursa_tcp_pcb *pcb)
{
	unsigned nb, max = pcb->ts_ok ? 3 : 4;
	uint32_t sack;

	if (!pcb->sack_ok || (pcb->ooo.n == 0 && !pcb->dsack_pending))
		return pcb->snd_mss;
	nb = pcb->ooo.n + (pcb->dsack_pending ? 1u : 0u);
	if (nb > max)
		nb = max;
	sack = 4 + 8 * nb; /* NOP, NOP, kind, length, blocks */
	return pcb->snd_mss > sack + 64 ? pcb->snd_mss - sack : 64;
}

/* One segment of new (or go-back-N) data at snd_nxt; returns true if something was sent. */
static bool send_one(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, uint32_t cwnd)
{
	uint32_t end = data_end(pcb);
	uint32_t flight = pcb->snd_nxt - pcb->snd_una;
	uint32_t wnd = pcb->snd_wnd < cwnd ? pcb->snd_wnd : cwnd;
	uint32_t avail = SEQ_LT(pcb->snd_nxt, end) ? end - pcb->snd_nxt : 0;
	uint32_t usable = wnd > flight ? wnd - flight : 0;
	uint32_t len = avail < usable ? avail : usable;
	bool fin_pending = pcb->shut_wr && SEQ_LEQ(pcb->snd_nxt, end);
	uint32_t mss = tcp_mss_now(pcb);
	bool fin;
	uint8_t flags = TH_ACK;

	if (len > mss)
		len = mss;
	/* Nagle and SWS avoidance hold back new data only, never a retransmission. */
	if (len > 0 && len < mss && !SEQ_LT(pcb->snd_nxt, pcb->snd_max)) {
		bool last = len == avail;

		if (pcb->force)
			; /* the persist timer's override (RFC 9293 §3.8.6.2.1 (iii)) */
		else if (last && !fin_pending &&
			 (pcb->more || (!pcb->nodelay && pcb->snd_max != pcb->snd_una)))
			len = 0; /* Nagle (RFC 9293 §3.7.4), or corked by SEND_MORE */
		else if (!last && len < pcb->max_sndwnd / 2)
			len = 0; /* sender SWS avoidance (RFC 9293 §3.8.6.2.1) */
	}
	fin = fin_pending && pcb->snd_nxt + len == end;
	if (len == 0 && !fin)
		return false;
	if (len > 0 && pcb->snd_nxt + len == end)
		flags |= TH_PSH;
	if (fin)
		flags |= TH_FIN;
	if (tcp_send_seg(lc, pcb, pcb->snd_nxt, flags, len) == -ENOMEM)
		return false;
	after_send(lc, pcb, pcb->snd_nxt, len, fin);
	pcb->snd_nxt += len + (fin ? 1 : 0);
	if (fin) {
		pcb->fin_sent = true;
		if (pcb->state == URSA_TCP_ESTABLISHED)
			tcp_set_state(lc, pcb, URSA_TCP_FIN_WAIT_1);
		else if (pcb->state == URSA_TCP_CLOSE_WAIT)
			tcp_set_state(lc, pcb, URSA_TCP_LAST_ACK);
	}
	return true;
}

/* RFC 6675 §5 step (C): while cwnd - pipe >= 1 SMSS, send NextSeg(). */
static bool send_sack_recovery(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb)
{
	bool sent = false;

	for (unsigned guard = 0; guard < 64; guard++) {
		uint32_t pipe = tcp_sack_pipe(pcb), seq, len;

		if (pcb->cc.cwnd < pipe + pcb->snd_mss)
			break;
		if (!tcp_sack_rxt_full(pcb) && (tcp_sack_next_seg(pcb, true, &seq, &len) ||
						(!SEQ_LT(pcb->snd_nxt, data_end(pcb)) &&
						 tcp_sack_next_seg(pcb, false, &seq, &len)))) {
			if (len > tcp_mss_now(pcb))
				len = tcp_mss_now(pcb);
			if (tcp_send_seg(lc, pcb, seq, TH_ACK, len) == -ENOMEM)
				break;
			after_send(lc, pcb, seq, len, false);
			sent = true;
			continue;
		}
		/* rule 2: new data, one segment, within the peer's window */
		if (!send_one(lc, pcb, pipe + pcb->snd_mss + (pcb->snd_nxt - pcb->snd_una)))
			break;
		sent = true;
	}
	return sent;
}

void tcp_send_probe(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb)
{
	uint32_t end = data_end(pcb), len, seq;

	if (send_one(lc, pcb, pcb->snd_nxt - pcb->snd_una + pcb->snd_mss))
		return;
	if (pcb->fin_sent || !SEQ_LT(pcb->snd_una + syn_adj(pcb), end)) {
		tcp_rexmt_una(lc, pcb);
		return;
	}
	len = end - pcb->snd_una - syn_adj(pcb);
	if (len > tcp_mss_now(pcb))
		len = tcp_mss_now(pcb);
	seq = end - len;
	if (tcp_send_seg(lc, pcb, seq, TH_ACK, len) == -ENOMEM)
		return;
	after_send(lc, pcb, seq, len, false);
}

void tcp_rexmt_una(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb)
{
	uint32_t end = data_end(pcb);
	uint32_t len = SEQ_LT(pcb->snd_una, end) ? end - pcb->snd_una - syn_adj(pcb) : 0;
	bool fin = false;
	uint8_t flags = TH_ACK;

	if (len > tcp_mss_now(pcb))
		len = tcp_mss_now(pcb);
	if (pcb->fin_sent && pcb->snd_una + syn_adj(pcb) + len == end) {
		fin = true;
		flags |= TH_FIN;
	}
	if (len == 0 && !fin)
		return;
	if (tcp_send_seg(lc, pcb, pcb->snd_una, flags, len) == -ENOMEM)
		return;
	after_send(lc, pcb, pcb->snd_una, len, fin);
	tcp_rtx_arm(lc, pcb);
}

void tcp_output(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb)
{
	bool sent = false;

	if (pcb->state == URSA_TCP_SYN_SENT && pcb->snd_max == pcb->iss) {
		(void)tcp_send_seg(lc, pcb, pcb->iss, TH_SYN, 0);
		pcb->snd_nxt = pcb->snd_max = pcb->iss + 1;
		tcp_rtx_arm(lc, pcb);
		return;
	}
	if (can_send_data(pcb->state)) {
		uint32_t cwnd = pcb->cc.cwnd;

		if (pcb->in_recovery && pcb->sack_ok)
			sent = send_sack_recovery(lc, pcb);
		/* Limited transmit (RFC 3042 §2): each of the first DupThresh - 1 duplicate
		 * ACKs lets one new segment out beyond cwnd (not a retransmission: send_one
		 * only sends at snd_nxt), so a small window still collects DupThresh. */
		if (!pcb->in_recovery && pcb->dupacks > 0 && pcb->snd_nxt == pcb->snd_max) {
			uint32_t n = pcb->dupacks < tcp_dupthresh(pcb) - 1 ? pcb->dupacks
									   : tcp_dupthresh(pcb) - 1;

			cwnd += n * pcb->snd_mss;
		}
		/* bounded: a window of 1 GiB at the smallest MSS is far below this */
		for (unsigned guard = 0; guard < 65536; guard++) {
			if (!send_one(lc, pcb, cwnd))
				break;
			sent = true;
		}
	}
	if (!sent && pcb->ack_now && pcb->state != URSA_TCP_CLOSED &&
	    pcb->state != URSA_TCP_LISTEN && pcb->state != URSA_TCP_SYN_SENT)
		tcp_send_ack(lc, pcb);
	/* Data waiting, nothing in flight, and the window (zero, or too small for SWS
	 * avoidance) holds it back: the persist timer probes or overrides (RFC 9293 §3.8.6). */
	if (can_send_data(pcb->state) && pcb->snd_una == pcb->snd_max &&
	    SEQ_LT(pcb->snd_nxt, data_end(pcb)) && !ursa_timer_pending(&pcb->rtx_timer))
		tcp_persist_arm(lc, pcb);
}
