/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp options: parsing of received options (MSS, window scale, SACK-permitted, SACK blocks,
 * timestamps, the SMC experimental option) and writing of the options we send.
 *
 * Parsing never reads past the options area. A known option with a wrong length is ignored
 * (RFC 9293 §3.2 says to be prepared for illegal lengths); an option whose length byte is
 * below 2 or runs past the header breaks the layout, and the segment is dropped (counted).
 * SYN-only options (MSS, window scale, SACK-permitted, SMC) are ignored on other segments.
 */
#include <string.h>

#include <rte_byteorder.h>

#include "tcp_priv.h"

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

int tcp_opt_parse(const uint8_t *p, unsigned len, bool syn, struct tcp_opts *o)
{
	unsigned i = 0;

	memset(o, 0, sizeof(*o));
	while (i < len) {
		uint8_t kind = p[i], olen;

		if (kind == TCPOPT_EOL)
			break;
		if (kind == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= len)
			return -EINVAL;
		olen = p[i + 1];
		if (olen < 2 || i + olen > len)
			return -EINVAL;
		const uint8_t *v = p + i + 2;

		switch (kind) {
		case TCPOPT_MSS:
			if (olen == TCPOLEN_MSS && syn) {
				o->mss = (uint16_t)(v[0] << 8 | v[1]);
				o->present |= TCP_OPT_F_MSS;
			}
			break;
		case TCPOPT_WSCALE:
			if (olen == TCPOLEN_WSCALE && syn) {
				/* RFC 7323 §2.3: a shift above 14 is used as 14. */
				o->wscale = v[0] > TCP_MAX_WSCALE ? TCP_MAX_WSCALE : v[0];
				o->present |= TCP_OPT_F_WSCALE;
			}
			break;
		case TCPOPT_SACK_PERM:
			if (olen == TCPOLEN_SACK_PERM && syn)
				o->present |= TCP_OPT_F_SACK_PERM;
			break;
		case TCPOPT_SACK:
			if (olen >= 10 && (olen - 2) % 8 == 0 && !syn) {
				unsigned n = (olen - 2) / 8;

				if (n > TCP_MAX_SACK_BLOCKS)
					n = TCP_MAX_SACK_BLOCKS;
				for (unsigned b = 0; b < n; b++) {
					o->sack[b].start = get32(v + 8 * b);
					o->sack[b].end = get32(v + 8 * b + 4);
				}
				o->nsack = (uint8_t)n;
				o->present |= TCP_OPT_F_SACK;
			}
			break;
		case TCPOPT_TIMESTAMP:
			if (olen == TCPOLEN_TIMESTAMP) {
				o->tsval = get32(v);
				o->tsecr = get32(v + 4);
				o->present |= TCP_OPT_F_TS;
			}
			break;
		case TCPOPT_EXP:
			/* RFC 6994 with the SMC-R ExID (RFC 7609 §3.1): even length >= 6. */
			if (syn && olen >= TCPOLEN_EXP_SMC && olen % 2 == 0 &&
			    get32(v) == TCP_SMC_MAGIC)
				o->present |= TCP_OPT_F_SMC;
			break;
		default:
			break;
		}
		i += olen;
	}
	return 0;
}

unsigned tcp_opt_write(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, uint8_t flags,
		       uint8_t *p)
{
	unsigned n = 0;
	bool syn = flags & TH_SYN;
	bool synack = syn && (flags & TH_ACK);
	bool ws = syn && (synack ? pcb->ws_ok : pcb->ws_want);
	bool ts = syn ? (synack ? pcb->ts_ok : pcb->ts_want) : pcb->ts_ok;
	bool sackp = syn && (synack ? pcb->sack_ok : pcb->sack_want);

	if ((flags & TH_RST) && !(flags & TH_ACK))
		return 0; /* a RST answering a segment carries no options */

	if (syn) {
		p[n++] = TCPOPT_MSS;
		p[n++] = TCPOLEN_MSS;
		p[n++] = pcb->rcv_mss >> 8;
		p[n++] = pcb->rcv_mss & 0xff;
	}
	if (ws) {
		p[n++] = TCPOPT_NOP;
		p[n++] = TCPOPT_WSCALE;
		p[n++] = TCPOLEN_WSCALE;
		p[n++] = pcb->rcv_wscale;
	}
	if (sackp && ts) {
		p[n++] = TCPOPT_SACK_PERM;
		p[n++] = TCPOLEN_SACK_PERM;
	} else if (ts || sackp) {
		p[n++] = TCPOPT_NOP;
		p[n++] = TCPOPT_NOP;
		if (sackp) {
			p[n++] = TCPOPT_SACK_PERM;
			p[n++] = TCPOLEN_SACK_PERM;
		}
	}
	if (ts) {
		p[n++] = TCPOPT_TIMESTAMP;
		p[n++] = TCPOLEN_TIMESTAMP;
		put32(p + n, tcp_ts_now(lc, pcb));
		/* RFC 7323 §3.2: TSecr is 0 unless ACK is set. */
		put32(p + n + 4, (flags & TH_ACK) ? pcb->ts_recent : 0);
		n += 8;
	}
	/* SMC (RFC 7609 §3.1): the SYN when wanted, the SYN-ACK only as an echo. */
	if (syn && pcb->smc_want && (!synack || pcb->smc_peer)) {
		p[n++] = TCPOPT_NOP;
		p[n++] = TCPOPT_NOP;
		p[n++] = TCPOPT_EXP;
		p[n++] = TCPOLEN_EXP_SMC;
		put32(p + n, TCP_SMC_MAGIC);
		n += 4;
	}
	if (!syn && pcb->sack_ok && (pcb->ooo.n > 0 || pcb->dsack_pending) &&
	    !(flags & TH_RST)) {
		struct tcp_sack_block b[TCP_MAX_SACK_BLOCKS];
		unsigned max = ts ? 3 : 4;
		unsigned nb = 0;

		/* RFC 2883 §4: a D-SACK block goes first, once */
		if (pcb->dsack_pending && (flags & TH_ACK)) {
			b[nb++] = pcb->dsack;
			pcb->dsack_pending = false;
			TCP_INC(lc, TCP_C_dsack_tx);
		}
		nb += tcp_sack_blocks(pcb, b + nb, max - nb);
		if (nb == 0)
			goto pad;
		p[n++] = TCPOPT_NOP;
		p[n++] = TCPOPT_NOP;
		p[n++] = TCPOPT_SACK;
		p[n++] = (uint8_t)(2 + 8 * nb);
		for (unsigned i = 0; i < nb; i++) {
			put32(p + n, b[i].start);
			put32(p + n + 4, b[i].end);
			n += 8;
		}
	}
pad:
	while (n % 4 != 0)
		p[n++] = TCPOPT_NOP;
	return n;
}
