/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp SACK: the sender's scoreboard of SACKed ranges and the RFC 6675 functions on it
 * (IsLost, SetPipe, NextSeg), and the SACK blocks a receiver reports (RFC 2018 §4).
 */
#include "tcp_priv.h"

#define TCP_DUPTHRESH 3

void tcp_sack_update(struct ursa_tcp_pcb *pcb, const struct tcp_opts *o)
{
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

bool tcp_sack_is_lost(const struct ursa_tcp_pcb *pcb, uint32_t seq)
{
	uint32_t bytes = 0, ranges = 0;

	for (unsigned i = 0; i < pcb->scoreboard.n; i++) {
		const struct tcp_sack_block *b = &pcb->scoreboard.r[i];

		if (SEQ_LEQ(b->end, seq))
			continue;
		ranges++;
		bytes += b->end - SEQ_MAX(b->start, seq + 1);
	}
	return ranges >= TCP_DUPTHRESH || bytes > (TCP_DUPTHRESH - 1) * (uint32_t)pcb->snd_mss;
}

uint32_t tcp_sack_pipe(const struct ursa_tcp_pcb *pcb)
{
	uint32_t pipe = 0, seq = pcb->snd_una, mss = pcb->snd_mss ? pcb->snd_mss : 536;
	unsigned i = 0;

	while (SEQ_LT(seq, pcb->snd_max)) {
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
		/* RFC 6675 §4 SetPipe: (a) not lost counts once, (b) retransmitted counts. */
		if (!tcp_sack_is_lost(pcb, seq))
			pipe += end - seq;
		if (SEQ_LT(seq, pcb->high_rxt))
			pipe += end - seq;
		seq = end;
	}
	return pipe;
}

bool tcp_sack_next_seg(const struct ursa_tcp_pcb *pcb, bool lost_only, uint32_t *out_seq,
		       uint32_t *out_len)
{
	uint32_t mss = pcb->snd_mss ? pcb->snd_mss : 536;
	uint32_t seq = SEQ_MAX(pcb->snd_una, pcb->high_rxt);
	uint32_t high_sacked;
	unsigned i = 0;

	if (pcb->scoreboard.n == 0)
		return false;
	high_sacked = pcb->scoreboard.r[pcb->scoreboard.n - 1].end;
	while (SEQ_LT(seq, high_sacked)) {
		uint32_t end;

		while (i < pcb->scoreboard.n && SEQ_LEQ(pcb->scoreboard.r[i].end, seq))
			i++;
		if (i < pcb->scoreboard.n && SEQ_GEQ(seq, pcb->scoreboard.r[i].start)) {
			seq = pcb->scoreboard.r[i].end;
			continue;
		}
		end = seq + mss;
		if (i < pcb->scoreboard.n && SEQ_LT(pcb->scoreboard.r[i].start, end))
			end = pcb->scoreboard.r[i].start;
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
