/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_err: ICMP and ICMPv6 errors about our segments (IP's error upcall, FreeBSD's
 * tcp_ctlinput, registered with ursa_ip_register_ctlinput).
 *
 * The connection is found by the quoted 4-tuple, and the quoted sequence number must lie in
 * SND.UNA..SND.MAX (RFC 5927 §4.1; SND.MAX, not SND.NXT, because a retransmission moves
 * SND.NXT back below segments still in flight): anything else is counted and ignored, so a
 * blind attacker must guess a window to do harm.
 *
 * - Fragmentation needed / packet too big (RFC 1191 §6.5, RFC 8201 §5.4): the MSS drops to
 *   fit the reported MTU, never below what IPv4's 576 bytes (RFC 1122 3.3.3; a forged error
 *   cannot make segments tiny, RFC 5927 §7.2) or IPv6's 1280 carry, and everything in
 *   flight (sent at the old size, so dropped at that hop) goes again from SND.UNA at the new
 *   size, as after an RTO but with no congestion response and no back-off: it is not
 *   congestion (Linux's tcp_simple_retransmit). Data the peer SACKed is not resent.
 * - A hard error (protocol or port unreachable, administratively prohibited) in SYN-SENT
 *   ends the connection attempt with its errno (RFC 1122 4.2.3.9, as Linux does).
 * - Everything else, and hard errors once synchronised (RFC 5461 §4), is soft: remembered,
 *   and reported instead of ETIMEDOUT if the connection times out (RFC 1122 4.2.3.9); an
 *   ACK of new data forgets it (tcp_input.c), as Linux does.
 */
#include <errno.h>
#include <sys/socket.h>

#include "tcp_priv.h"
#include "tcp_seq.h"

#define TCP_PMTU_MIN4 576  /* RFC 1122 3.3.3: every IPv4 host takes 576-byte datagrams */
#define TCP_PMTU_MIN6 1280 /* RFC 8200 §5 */

int tcp_timeout_err(const struct ursa_tcp_pcb *pcb)
{
	return pcb->soft_err != 0 ? pcb->soft_err : -ETIMEDOUT;
}

/* Resend what is in flight at the new size: the RTO's go-back (tcp_timer.c) without its
 * cwnd reduction and back-off. */
static void tcp_pmtu_resend(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb)
{
	pcb->rtt_timing = false; /* Karn: no sample from what is sent twice */
	pcb->undo_valid = false;
	pcb->high_rxt = pcb->snd_una;
	tcp_sack_rxt_clear(pcb);
	if (pcb->sack_ok && pcb->scoreboard.n > 0) {
		/* the holes below snd_max are all lost; the SACK recovery resends them */
		pcb->in_recovery = true;
		pcb->recover = pcb->snd_max;
		pcb->rto_lost = true;
		pcb->lost_below = pcb->snd_max;
	} else {
		pcb->snd_nxt = pcb->snd_una;
	}
	tcp_rtx_stop(lc, pcb);
	tcp_output(lc, pcb);
	if (!ursa_timer_pending(&pcb->rtx_timer))
		tcp_rtx_arm(lc, pcb);
}

/* RFC 1191 §6.5 / RFC 8201 §5.4: segments to fit mtu from now on, and resend. */
static void tcp_pmtu_lower(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, uint32_t mtu)
{
	bool v6 = pcb->family == AF_INET6;
	uint32_t min = v6 ? TCP_PMTU_MIN6 : TCP_PMTU_MIN4;
	uint32_t hdrs = (v6 ? 40u : 20u) + TCP_HDR_MIN + (pcb->ts_ok ? 12u : 0u);
	uint32_t mss;

	if (mtu < min) {
		TCP_INC(lc, TCP_C_icmp_pmtu_clamped);
		mtu = min;
	}
	mss = mtu - hdrs;
	if (pcb->state < URSA_TCP_ESTABLISHED || mss >= pcb->snd_mss) {
		TCP_INC(lc, TCP_C_icmp_pmtu_ignored); /* not smaller than what we send */
		return;
	}
	pcb->snd_mss = (uint16_t)mss;
	pcb->cc.smss = mss;
	TCP_INC(lc, TCP_C_icmp_pmtu_lowered);
	if (pcb->snd_una != pcb->snd_max)
		tcp_pmtu_resend(lc, pcb);
}

static void tcp_ctlinput(struct ursa_lcore *lc, struct ursa_iface *ifc, const struct ursa_ip_err *e)
{
	const uint8_t *th = e->l4;
	uint16_t sport = (uint16_t)(th[0] << 8 | th[1]), dport = (uint16_t)(th[2] << 8 | th[3]);
	uint32_t seq = (uint32_t)th[4] << 24 | (uint32_t)th[5] << 16 | (uint32_t)th[6] << 8 | th[7];
	struct ursa_tcp_pcb *pcb;

	TCP_INC(lc, TCP_C_icmp_rx);
	pcb = tcp_table_lookup(lc, ifc->tenant, &e->src, sport, &e->dst, dport);
	if (pcb == NULL || pcb->state == URSA_TCP_TIME_WAIT) {
		TCP_INC(lc, TCP_C_icmp_no_conn);
		return;
	}
	if (SEQ_LT(seq, pcb->snd_una) || SEQ_GT(seq, pcb->snd_max)) {
		TCP_INC(lc, TCP_C_icmp_bad_seq); /* RFC 5927 §4.1 */
		return;
	}
	if (e->kind == URSA_IP_ERR_PMTU) {
		tcp_pmtu_lower(lc, pcb, e->mtu);
		return;
	}
	if (e->hard && pcb->state == URSA_TCP_SYN_SENT) {
		TCP_INC(lc, TCP_C_icmp_conn_refused);
		tcp_drop(lc, pcb, e->err);
		return;
	}
	TCP_INC(lc, TCP_C_icmp_soft);
	pcb->soft_err = e->err;
}

int tcp_err_init(struct ursa_lcore *lc)
{
	return ursa_ip_register_ctlinput(lc, IPPROTO_TCP, tcp_ctlinput);
}
