/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp reassembly: out-of-order data is written straight into the receive ring at its offset
 * (the window we advertise never exceeds the ring's free space, so it always fits) and the
 * ranges held are tracked in a bounded range set. Memory is bounded twice: by the ring (the
 * window) and by TCP_RSET_MAX disjoint ranges; a segment that would need one more range is
 * dropped and counted. No allocation per segment.
 */
#include <string.h>

#include "tcp_priv.h"

void tcp_rset_clear(struct tcp_rset *s)
{
	s->n = 0;
}

int tcp_rset_add(struct tcp_rset *s, uint32_t start, uint32_t end)
{
	uint32_t a = start, b = end;
	unsigned i = 0, j, nn;

	if (!SEQ_LT(start, end))
		return 0;
	while (i < s->n && SEQ_LT(s->r[i].end, a))
		i++;
	j = i;
	while (j < s->n && SEQ_LEQ(s->r[j].start, b)) {
		a = SEQ_MIN(a, s->r[j].start);
		b = SEQ_MAX(b, s->r[j].end);
		j++;
	}
	nn = s->n - (j - i) + 1;
	if (nn > TCP_RSET_MAX)
		return -ENOSPC;
	memmove(&s->r[i + 1], &s->r[j], (s->n - j) * sizeof(s->r[0]));
	s->r[i].start = a;
	s->r[i].end = b;
	s->n = nn;
	return 0;
}

void tcp_rset_trim(struct tcp_rset *s, uint32_t seq)
{
	unsigned i = 0;

	while (i < s->n && SEQ_LEQ(s->r[i].end, seq))
		i++;
	if (i > 0) {
		memmove(&s->r[0], &s->r[i], (s->n - i) * sizeof(s->r[0]));
		s->n -= i;
	}
	if (s->n > 0 && SEQ_LT(s->r[0].start, seq))
		s->r[0].start = seq;
}

uint32_t tcp_rset_bytes(const struct tcp_rset *s)
{
	uint32_t t = 0;

	for (unsigned i = 0; i < s->n; i++)
		t += s->r[i].end - s->r[i].start;
	return t;
}

int tcp_reass(struct ursa_tcp_pcb *pcb, uint32_t seq, const struct rte_mbuf *m, uint32_t moff,
	      uint32_t len)
{
	struct tcp_ring *r = &pcb->rcvq;
	uint32_t off = r->len + (seq - pcb->rcv_nxt);
	uint32_t nxt;

	if (len == 0 || SEQ_LT(seq, pcb->rcv_nxt) || off + len > r->size)
		return -EINVAL; /* the caller trims to the window; never write outside */
	if (seq != pcb->rcv_nxt) {
		if (tcp_rset_add(&pcb->ooo, seq, seq + len) != 0)
			return -ENOSPC;
		tcp_ring_put_mbuf(r, off, m, moff, len);
		return 0;
	}
	tcp_ring_put_mbuf(r, off, m, moff, len);
	nxt = seq + len;
	while (pcb->ooo.n > 0 && SEQ_LEQ(pcb->ooo.r[0].start, nxt)) {
		nxt = SEQ_MAX(nxt, pcb->ooo.r[0].end);
		tcp_rset_trim(&pcb->ooo, pcb->ooo.r[0].end);
	}
	tcp_rset_trim(&pcb->ooo, nxt);
	r->len += nxt - pcb->rcv_nxt;
	return (int)(nxt - pcb->rcv_nxt);
}
