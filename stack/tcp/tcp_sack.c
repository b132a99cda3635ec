/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp SACK: the sender's scoreboard of SACKed ranges and the RFC 6675 functions on it
 * (IsLost, SetPipe, NextSeg), the table of outstanding retransmissions that finds a lost
 * retransmission without waiting for the RTO, and the SACK blocks a receiver reports
 * (RFC 2018 §4).
 */
#include "tcp_priv.h"

#define TCP_DUPTHRESH 3

bool tcp_sack_dsack(const struct ursa_tcp_pcb *pcb, const struct tcp_opts *o,
		    struct tcp_sack_block *out)
{
	const struct tcp_sack_block *b = &o->sack[0];

	if (!(o->present & TCP_OPT_F_SACK) || o->nsack == 0 || !SEQ_LT(b->start, b->end))
		return false;
	/* RFC 2883 §4: the first block is a D-SACK when it lies below the cumulative ACK or
	 * inside the second block. */
	if (SEQ_LEQ(b->end, pcb->snd_una) ||
	    (o->nsack >= 2 && SEQ_GEQ(b->start, o->sack[1].start) &&
	     SEQ_LEQ(b->end, o->sack[1].end))) {
		*out = *b;
		return true;
	}
	return false;
}

void tcp_sack_update(struct ursa_tcp_pcb *pcb, const struct tcp_opts *o)
{
	/* An ACK without SACK blocks still moves snd_una: the scoreboard keeps only what lies
	 * above it. */
	tcp_rset_trim(&pcb->scoreboard, pcb->snd_una);
	if (!(o->present & TCP_OPT_F_SACK))
		return;
	for (unsigned i = 0; i < o->nsack; i++) {
		uint32_t s = o->sack[i].start, e = o->sack[i].end;

		/* RFC 2018: ignore blocks that are empty or outside what we have sent;
		 * D-SACK blocks (below snd_una) carry nothing for the scoreboard. */
		if (!SEQ_LT(s, e) || !SEQ_GT(e, pcb->snd_una) || SEQ_GT(e, pcb->snd_max))
			continue;
		if (SEQ_LT(s, pcb->snd_una))
			s = pcb->snd_una;
		(void)tcp_rset_add(&pcb->scoreboard, s, e); /* full: keep what we have */
	}
	tcp_rset_trim(&pcb->scoreboard, pcb->snd_una);
}

bool tcp_sack_is_sacked(const struct ursa_tcp_pcb *pcb, uint32_t seq)
{
	for (unsigned i = 0; i < pcb->scoreboard.n; i++)
		if (SEQ_IN(seq, pcb->scoreboard.r[i].start, pcb->scoreboard.r[i].end))
			return true;
	return false;
}

unsigned tcp_dupthresh(const struct ursa_tcp_pcb *pcb)
{
	return pcb->dupthresh ? pcb->dupthresh : TCP_DUPTHRESH;
}

/* The outstanding retransmission covering seq, or NULL. */
static const struct tcp_rxt *rxt_find(const struct ursa_tcp_pcb *pcb, uint32_t seq)
{
	for (uint32_t i = 0; i < pcb->nrxt; i++)
		if (SEQ_IN(seq, pcb->rxt[i].start, pcb->rxt[i].end))
			return &pcb->rxt[i];
	return NULL;
}

/* Clip end to the start of the first outstanding retransmission in (seq, end). */
static uint32_t rxt_clip(const struct ursa_tcp_pcb *pcb, uint32_t seq, uint32_t end)
{
	for (uint32_t i = 0; i < pcb->nrxt; i++)
		if (SEQ_GT(pcb->rxt[i].start, seq) && SEQ_LT(pcb->rxt[i].start, end))
			end = pcb->rxt[i].start;
	return end;
}

bool tcp_sack_rxt_full(const struct ursa_tcp_pcb *pcb)
{
	return pcb->nrxt >= TCP_RXT_MAX;
}

void tcp_sack_rxt_clear(struct ursa_tcp_pcb *pcb)
{
	pcb->nrxt = 0;
}

bool tcp_sack_rxt_note(struct ursa_tcp_pcb *pcb, uint32_t seq, uint32_t len, uint64_t now_ns)
{
	struct tcp_rxt *r;

	if (len == 0 || pcb->nrxt >= TCP_RXT_MAX)
		return false;
	r = &pcb->rxt[pcb->nrxt++];
	r->start = seq;
	r->end = seq + len;
	r->mark = pcb->snd_max;
	r->sent_ns = now_ns;
	return true;
}

/* SACKed bytes at or above seq. */
static uint32_t sacked_above(const struct ursa_tcp_pcb *pcb, uint32_t seq)
{
	uint32_t bytes = 0;

	for (unsigned i = 0; i < pcb->scoreboard.n; i++) {
		const struct tcp_sack_block *b = &pcb->scoreboard.r[i];

		if (SEQ_GT(b->end, seq))
			bytes += b->end - SEQ_MAX(b->start, seq);
	}
	return bytes;
}

unsigned tcp_sack_rxt_check(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb)
{
	uint32_t mss = pcb->snd_mss ? pcb->snd_mss : 536;
	uint64_t now = ursa_now(lc);
	uint64_t wait_ns = (uint64_t)(pcb->srtt_us + pcb->srtt_us / 4) * URSA_NS_PER_US;
	unsigned lost = 0;
	uint32_t i = 0;

	while (i < pcb->nrxt) {
		struct tcp_rxt *r = &pcb->rxt[i];
		uint32_t above;
		bool drop = false;

		if (SEQ_LEQ(r->end, pcb->snd_una)) {
			drop = true; /* acknowledged */
		} else {
			if (SEQ_LT(r->start, pcb->snd_una))
				r->start = pcb->snd_una;
			for (unsigned k = 0; k < pcb->scoreboard.n; k++)
				if (SEQ_LEQ(pcb->scoreboard.r[k].start, r->start) &&
				    SEQ_GEQ(pcb->scoreboard.r[k].end, r->end))
					drop = true; /* SACKed */
			above = drop ? 0 : sacked_above(pcb, r->mark);
			if (above > 0 && (above > (tcp_dupthresh(pcb) - 1) * mss ||
					  now - r->sent_ns >= wait_ns)) {
				drop = true; /* lost again: NextSeg may send it once more */
				lost++;
				TCP_INC(lc, TCP_C_rxt_lost);
			}
		}
		if (drop)
			pcb->rxt[i] = pcb->rxt[--pcb->nrxt];
		else
			i++;
	}
	return lost;
}

unsigned tcp_sack_reorder_check(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, uint32_t ack)
{
	uint32_t mss = pcb->snd_mss ? pcb->snd_mss : 536;
	uint32_t hole = pcb->snd_una;
	unsigned degree = 0;

	for (unsigned i = 0; i < pcb->scoreboard.n; i++) {
		const struct tcp_sack_block *b = &pcb->scoreboard.r[i];

		if (SEQ_GT(b->start, ack))
			break; /* this hole is not (entirely) filled */
		/* the hole [hole, b->start) is filled now; never resent means it came late */
		if (SEQ_LT(hole, b->start) && SEQ_GEQ(hole, pcb->high_rxt) &&
		    rxt_find(pcb, hole) == NULL) {
			unsigned d = (sacked_above(pcb, hole) + mss - 1) / mss;

			if (d > degree)
				degree = d;
		}
		hole = b->end;
	}
	if (degree == 0)
		return 0;
	TCP_INC(lc, TCP_C_reorder_seen);
	if (degree + 1 > tcp_dupthresh(pcb))
		pcb->dupthresh =
			(uint8_t)(degree + 1 < TCP_DUPTHRESH_MAX ? degree + 1 : TCP_DUPTHRESH_MAX);
	return degree;
}

void tcp_sack_undo_arm(struct ursa_tcp_pcb *pcb)
{
	uint32_t mss = pcb->snd_mss ? pcb->snd_mss : 536;
	uint32_t degree = (sacked_above(pcb, pcb->snd_una) + mss - 1) / mss;

	pcb->undo_valid = true;
	pcb->undo_degree = (uint8_t)(degree < TCP_DUPTHRESH_MAX ? degree : TCP_DUPTHRESH_MAX);
	pcb->undo_cwnd = pcb->cc.cwnd;
	pcb->undo_ssthresh = pcb->cc.ssthresh;
	pcb->undo_retrans = 0;
	tcp_rset_clear(&pcb->undo_set);
}

bool tcp_sack_undo_dsack(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb,
			 const struct tcp_sack_block *d)
{
	uint32_t mss = pcb->snd_mss ? pcb->snd_mss : 536;
	uint32_t n = (d->end - d->start + mss - 1) / mss;
	bool inside = false;

	TCP_INC(lc, TCP_C_dsack_rx);
	if (!pcb->undo_valid)
		return false;
	for (unsigned i = 0; i < pcb->undo_set.n; i++)
		if (SEQ_GEQ(d->start, pcb->undo_set.r[i].start) &&
		    SEQ_LEQ(d->end, pcb->undo_set.r[i].end))
			inside = true;
	if (!inside)
		return false; /* a duplicate the network made, not our retransmission */
	pcb->undo_retrans = pcb->undo_retrans > n ? pcb->undo_retrans - n : 0;
	if (pcb->undo_retrans > 0)
		return false;
	/* Every retransmission arrived twice: nothing was lost (RFC 3708 §3, with the
	 * restoration of RFC 4015 §3). */
	TCP_INC(lc, TCP_C_spurious_undo);
	pcb->undo_valid = false;
	if (pcb->cc.cwnd < pcb->undo_cwnd)
		pcb->cc.cwnd = pcb->undo_cwnd;
	if (pcb->cc.ssthresh < pcb->undo_ssthresh)
		pcb->cc.ssthresh = pcb->undo_ssthresh;
	if (pcb->in_recovery && !pcb->rto_lost) {
		pcb->in_recovery = false;
		pcb->dupacks = 0;
		pcb->recover = pcb->snd_una;
	}
	if (pcb->undo_degree + 1u > tcp_dupthresh(pcb))
		pcb->dupthresh =
			(uint8_t)(pcb->undo_degree + 1u < TCP_DUPTHRESH_MAX ? pcb->undo_degree + 1u
									    : TCP_DUPTHRESH_MAX);
	return true;
}

unsigned tcp_sack_rxt_expire(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb)
{
	uint64_t now = ursa_now(lc);
	uint64_t wait_ns = (uint64_t)(pcb->srtt_us + pcb->srtt_us / 4) * URSA_NS_PER_US;
	unsigned lost = 0;
	uint32_t i = 0;

	while (i < pcb->nrxt) {
		if (now - pcb->rxt[i].sent_ns >= wait_ns) {
			pcb->rxt[i] = pcb->rxt[--pcb->nrxt];
			lost++;
			TCP_INC(lc, TCP_C_rxt_lost);
		} else {
			i++;
		}
	}
	return lost;
}

bool tcp_sack_is_lost(const struct ursa_tcp_pcb *pcb, uint32_t seq)
{
	uint32_t bytes = 0, ranges = 0;
	uint32_t dt = tcp_dupthresh(pcb);

	if (pcb->rto_lost && SEQ_LT(seq, pcb->lost_below))
		return true; /* RFC 6675 §5.1: after an RTO, what is not SACKed is lost */
	if (SEQ_LT(seq, pcb->time_lost_below) && SEQ_GEQ(seq, pcb->snd_una))
		return true; /* SACKed data sent later arrived a probe timeout ago (RACK) */

	for (unsigned i = 0; i < pcb->scoreboard.n; i++) {
		const struct tcp_sack_block *b = &pcb->scoreboard.r[i];

		if (SEQ_LEQ(b->end, seq))
			continue;
		ranges++;
		bytes += b->end - SEQ_MAX(b->start, seq + 1);
	}
	return ranges >= dt || bytes > (dt - 1) * (uint32_t)pcb->snd_mss;
}

uint32_t tcp_sack_pipe(const struct ursa_tcp_pcb *pcb)
{
	uint32_t pipe = 0, seq = pcb->snd_una, mss = pcb->snd_mss ? pcb->snd_mss : 536;
	unsigned i = 0;

	while (SEQ_LT(seq, pcb->snd_max)) {
		const struct tcp_rxt *r;
		uint32_t end;

		while (i < pcb->scoreboard.n && SEQ_LEQ(pcb->scoreboard.r[i].end, seq))
			i++;
		if (i < pcb->scoreboard.n && SEQ_GEQ(seq, pcb->scoreboard.r[i].start)) {
			seq = pcb->scoreboard.r[i].end; /* SACKed: not in the pipe */
			continue;
		}
		end = seq + mss;
		if (i < pcb->scoreboard.n && SEQ_LT(pcb->scoreboard.r[i].start, end))
			end = pcb->scoreboard.r[i].start;
		if (SEQ_GT(end, pcb->snd_max))
			end = pcb->snd_max;
		r = rxt_find(pcb, seq);
		if (r != NULL && SEQ_LT(r->end, end))
			end = r->end;
		end = rxt_clip(pcb, seq, end);
		/* RFC 6675 §4 SetPipe: (a) not lost counts once, (b) a retransmission still
		 * outstanding counts (one declared lost again no longer does). */
		if (!tcp_sack_is_lost(pcb, seq))
			pipe += end - seq;
		if (r != NULL)
			pipe += end - seq;
		seq = end;
	}
	return pipe;
}

bool tcp_sack_next_seg(const struct ursa_tcp_pcb *pcb, bool lost_only, uint32_t *out_seq,
		       uint32_t *out_len)
{
	uint32_t mss = pcb->snd_mss ? pcb->snd_mss : 536;
	uint32_t seq = pcb->snd_una;
	uint32_t limit;
	unsigned i = 0;

	/* Holes are searched from snd_una, skipping retransmissions still outstanding (a
	 * retransmission declared lost again leaves the table and is eligible once more); the
	 * search ends at the highest SACKed byte, or after an RTO at what was sent before it. */
	if (pcb->scoreboard.n == 0 && !pcb->rto_lost)
		return false;
	limit = pcb->scoreboard.n ? pcb->scoreboard.r[pcb->scoreboard.n - 1].end : pcb->snd_una;
	if (pcb->rto_lost && SEQ_GT(pcb->lost_below, limit))
		limit = pcb->lost_below;
	if (SEQ_GT(limit, pcb->snd_max))
		limit = pcb->snd_max;
	if (pcb->fin_sent && SEQ_GT(limit, tcp_data_end(pcb)))
		limit = tcp_data_end(pcb); /* never the FIN: the RTO resends it */
	while (SEQ_LT(seq, limit)) {
		const struct tcp_rxt *r;
		uint32_t end;

		while (i < pcb->scoreboard.n && SEQ_LEQ(pcb->scoreboard.r[i].end, seq))
			i++;
		if (i < pcb->scoreboard.n && SEQ_GEQ(seq, pcb->scoreboard.r[i].start)) {
			seq = pcb->scoreboard.r[i].end;
			continue;
		}
		r = rxt_find(pcb, seq);
		if (r != NULL) {
			seq = r->end;
			continue;
		}
		end = seq + mss;
		if (i < pcb->scoreboard.n && SEQ_LT(pcb->scoreboard.r[i].start, end))
			end = pcb->scoreboard.r[i].start;
		if (SEQ_GT(end, limit))
			end = limit;
		end = rxt_clip(pcb, seq, end);
		if (!lost_only || tcp_sack_is_lost(pcb, seq)) {
			*out_seq = seq;
			*out_len = end - seq;
			return true;
		}
		seq = end;
	}
	return false;
}

unsigned tcp_sack_blocks(const struct ursa_tcp_pcb *pcb, struct tcp_sack_block *b, unsigned max)
{
	unsigned n = 0, first = pcb->ooo.n;

	for (unsigned i = 0; i < pcb->ooo.n; i++)
		if (SEQ_IN(pcb->ooo_last, pcb->ooo.r[i].start, pcb->ooo.r[i].end))
			first = i;
	if (first < pcb->ooo.n && n < max)
		b[n++] = pcb->ooo.r[first];
	for (unsigned i = 0; i < pcb->ooo.n && n < max; i++)
		if (i != first)
			b[n++] = pcb->ooo.r[i];
	return n;
}
