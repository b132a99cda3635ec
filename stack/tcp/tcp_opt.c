/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp options: parsing of received options (MSS, window scale, SACK-permitted, SACK blocks,
 * timestamps) and writing of the options we send, and the option hook: an upper layer
 * registers a kind (with its RFC 6994 ExID for kinds 253/254) and is called to write it on
 * our SYN and SYN-ACK and when the peer's SYN or SYN-ACK carries it. TCP knows nothing of
 * what such an option means; it checks the lengths, frames and aligns it.
 *
 * Parsing never reads past the options area. A known option with a wrong length is ignored
 * (RFC 9293 §3.2 says to be prepared for illegal lengths); an option whose length byte is
 * below 2 or runs past the header breaks the layout, and the segment is dropped (counted).
 * SYN-only options (MSS, window scale, SACK-permitted, registered ones) are ignored on other
 * segments.
 */
#include <errno.h>
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

/* ---- the option hook ---- */

static bool kind_is_tcps(uint8_t kind)
{
	return kind <= TCPOPT_SACK || kind == TCPOPT_TIMESTAMP;
}

static uint32_t exid_at(const uint8_t *p, unsigned exid_len)
{
	return exid_len == 4 ? get32(p) : (uint32_t)(p[0] << 8 | p[1]);
}

/* Could one option be taken for the other? Equal 32-bit ExIDs, or a 16-bit ExID equal to
 * the first 16 bits of the other (RFC 6994 §3: receivers match either length). */
static bool exid_clash(const struct ursa_tcp_opt_hook *a, const struct ursa_tcp_opt_hook *b)
{
	uint32_t a16 = a->exid_len == 4 ? a->exid >> 16 : a->exid;
	uint32_t b16 = b->exid_len == 4 ? b->exid >> 16 : b->exid;

	if (a->exid_len == 4 && b->exid_len == 4)
		return a->exid == b->exid;
	return a16 == b16;
}

int ursa_tcp_opt_register(struct ursa_lcore *lc, const struct ursa_tcp_opt_hook *h)
{
	struct ursa_tcp_ctx *t = lc->tcp;
	bool exp = h != NULL && (h->kind == TCPOPT_EXP1 || h->kind == TCPOPT_EXP);

	if (t == NULL || h == NULL || h->write == NULL || h->seen == NULL || kind_is_tcps(h->kind))
		return -EINVAL;
	/* RFC 6994: 16- or 32-bit ExIDs on the shared kinds, none elsewhere. */
	if (exp ? (h->exid_len != 2 && h->exid_len != 4) || (h->exid_len == 2 && h->exid > 0xffff)
		: h->exid_len != 0)
		return -EINVAL;
	if (h->data_min > h->data_max || 2u + h->exid_len + h->data_max > TCP_OPT_MAX)
		return -EINVAL;
	for (unsigned i = 0; i < t->nhooks; i++) {
		const struct ursa_tcp_opt_hook *o = &t->hooks[i];

		if (o->kind == h->kind && (!exp || exid_clash(o, h)))
			return -EEXIST;
	}
	if (t->nhooks == URSA_TCP_OPT_HOOK_MAX)
		return -ENOSPC;
	t->hooks[t->nhooks] = *h;
	return (int)t->nhooks++;
}

uint32_t ursa_tcp_opt_get(const struct ursa_tcp_pcb *pcb, unsigned slot)
{
	return slot < URSA_TCP_OPT_HOOK_MAX ? pcb->opt_slot[slot] : 0;
}

int ursa_tcp_opt_set(struct ursa_tcp_pcb *pcb, unsigned slot, uint32_t val)
{
	if (slot >= URSA_TCP_OPT_HOOK_MAX)
		return -EINVAL;
	pcb->opt_slot[slot] = val;
	return 0;
}

/* The registered hook an option of kind with len bytes at v (after kind and length) belongs
 * to, or -1. */
static int hook_match(const struct ursa_tcp_ctx *t, uint8_t kind, const uint8_t *v, unsigned len)
{
	for (unsigned i = 0; i < t->nhooks; i++) {
		const struct ursa_tcp_opt_hook *h = &t->hooks[i];

		if (h->kind == kind && len >= h->exid_len &&
		    (h->exid_len == 0 || exid_at(v, h->exid_len) == h->exid))
			return (int)i;
	}
	return -1;
}

void tcp_opt_parse_hooks(struct ursa_lcore *lc, const uint8_t *p, unsigned len, struct tcp_opts *o)
{
	struct ursa_tcp_ctx *t = lc->tcp;
	unsigned i = 0;

	o->nfound = 0;
	if (t->nhooks == 0)
		return;
	/* tcp_opt_parse checked the layout: every length byte is >= 2 and inside the area. */
	while (i + 1 < len && p[i] != TCPOPT_EOL) {
		unsigned olen = p[i + 1];
		int k;

		if (p[i] == TCPOPT_NOP) {
			i++;
			continue;
		}
		k = hook_match(t, p[i], p + i + 2, olen - 2);
		if (k >= 0) {
			const struct ursa_tcp_opt_hook *h = &t->hooks[k];
			unsigned dlen = olen - 2 - h->exid_len;
			bool dup = false;

			for (unsigned f = 0; f < o->nfound; f++)
				dup |= o->found[f].hook == k;
			if (dlen < h->data_min || dlen > h->data_max) {
				TCP_INC(lc, TCP_C_opt_hook_bad_len);
			} else if (!dup && o->nfound < TCP_OPT_HOOK_MAX) {
				/* the first one counts, as for the options TCP parses */
				o->found[o->nfound++] = (struct tcp_opt_found){
					.data = p + i + 2 + h->exid_len,
					.hook = (uint8_t)k,
					.len = (uint8_t)dlen,
				};
			}
		}
		i += olen;
	}
}

void tcp_opt_seen(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, const struct tcp_opts *o,
		  bool synack)
{
	struct ursa_tcp_ctx *t = lc->tcp;

	for (unsigned f = 0; f < o->nfound; f++) {
		const struct ursa_tcp_opt_hook *h = &t->hooks[o->found[f].hook];

		TCP_INC(lc, TCP_C_opt_hook_seen);
		h->seen(lc, h->arg, pcb, synack, o->found[f].data, o->found[f].len);
	}
}

/* Registered options for a SYN or SYN-ACK, appended at n (a multiple of 4) with NOPs in
 * front so that each ends on a 4-byte boundary. Returns the new length. */
static unsigned opt_write_hooks(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, bool synack,
				uint8_t *p, unsigned n)
{
	struct ursa_tcp_ctx *t = lc->tcp;

	for (unsigned i = 0; i < t->nhooks; i++) {
		const struct ursa_tcp_opt_hook *h = &t->hooks[i];
		uint8_t b[TCP_OPT_MAX];
		unsigned len, pad;

		len = h->write(lc, h->arg, pcb, synack, b, TCP_OPT_MAX - n);
		if (len == 0)
			continue;
		pad = (4 - len % 4) % 4;
		/* what TCP frames must be what was registered, and fit */
		if (len < 2u + h->exid_len || n + pad + len > TCP_OPT_MAX || b[0] != h->kind ||
		    b[1] != len || (h->exid_len && exid_at(b + 2, h->exid_len) != h->exid) ||
		    len - 2 - h->exid_len < h->data_min || len - 2 - h->exid_len > h->data_max) {
			TCP_INC(lc, TCP_C_opt_hook_bad_write);
			continue;
		}
		memset(p + n, TCPOPT_NOP, pad);
		memcpy(p + n + pad, b, len);
		n += pad + len;
		TCP_INC(lc, TCP_C_opt_hook_sent);
	}
	return n;
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
		default:
			break;
		}
		i += olen;
	}
	return 0;
}

unsigned tcp_opt_write(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, uint8_t flags, uint8_t *p)
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
	if (syn)
		n = opt_write_hooks(lc, pcb, synack, p, n);
	if (!syn && pcb->sack_ok && (pcb->ooo.n > 0 || pcb->dsack_pending) && !(flags & TH_RST)) {
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
