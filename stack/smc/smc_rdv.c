/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SMC TCP option (RFC 7609 §3.1): kind 254, the RFC 6994 ExID E2D4C3D9 ("SMCR" in
 * EBCDIC), no data. TCP only frames it; its rules live here, registered through the TCP
 * option hook:
 *   - our SYN carries it when the socket wants SMC (IPPROTO_SMC);
 *   - our SYN-ACK carries it only as an echo: the listener wants SMC and the peer's SYN had
 *     it (Linux: tcp_openreq_init / smc_set_option_cond);
 *   - never with SYN cookies: TCP builds a cookie SYN-ACK with a zero slot, and a connection
 *     a cookie makes never saw the peer's SYN, so it does not count as an SMC peer.
 * ursa_smc_init registers it; sock asks here whether a connection offers, echoed or saw it.
 */
#include <errno.h>

#include "smc_priv.h"
#include "ursa_tcp.h"

#define SMC_OPT_KIND 254
#define SMC_OPT_EXID 0xE2D4C3D9u
#define SMC_OPT_LEN  6

/* Bits of the connection's slot. */
#define SMC_WANT 0x1u /* offer (SYN) or echo (SYN-ACK) the option */
#define SMC_PEER 0x2u /* the peer's SYN or SYN-ACK carried it */

static unsigned smc_opt_write(struct ursa_lcore *lc, void *arg, struct ursa_tcp_pcb *pcb,
			      bool synack, uint8_t *p, unsigned room)
{
	uint32_t v = ursa_tcp_opt_get(pcb, lc->smc->opt_slot);

	RTE_SET_USED(arg);
	if (!(v & SMC_WANT) || (synack && !(v & SMC_PEER)) || room < SMC_OPT_LEN)
		return 0;
	p[0] = SMC_OPT_KIND;
	p[1] = SMC_OPT_LEN;
	p[2] = SMC_OPT_EXID >> 24;
	p[3] = (SMC_OPT_EXID >> 16) & 0xff;
	p[4] = (SMC_OPT_EXID >> 8) & 0xff;
	p[5] = SMC_OPT_EXID & 0xff;
	return SMC_OPT_LEN;
}

static void smc_opt_seen(struct ursa_lcore *lc, void *arg, struct ursa_tcp_pcb *pcb, bool synack,
			 const uint8_t *data, unsigned len)
{
	unsigned slot = lc->smc->opt_slot;

	RTE_SET_USED(arg), RTE_SET_USED(synack), RTE_SET_USED(data);
	/* RFC 6994 options have even lengths; Linux accepts 6 and more (smc_parse_options) */
	if (len % 2 == 0)
		ursa_tcp_opt_set(pcb, slot, ursa_tcp_opt_get(pcb, slot) | SMC_PEER);
}

int smc_rdv_init(struct ursa_lcore *lc)
{
	static const struct ursa_tcp_opt_hook hook = {
		.name = "smc",
		.kind = SMC_OPT_KIND,
		.exid_len = 4,
		.exid = SMC_OPT_EXID,
		.data_min = 0,
		.data_max = 40 - SMC_OPT_LEN,
		.write = smc_opt_write,
		.seen = smc_opt_seen,
	};
	int rc = ursa_tcp_opt_register(lc, &hook);

	if (rc < 0)
		return rc;
	lc->smc->opt_slot = (unsigned)rc;
	return 0;
}

int ursa_smc_opt_want(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, bool on)
{
	enum ursa_tcp_state st;
	unsigned slot;
	uint32_t v;

	if (lc->smc == NULL)
		return on ? -EPROTONOSUPPORT : 0;
	slot = lc->smc->opt_slot;
	st = ursa_tcp_get_state(pcb);
	v = ursa_tcp_opt_get(pcb, slot);
	if (st != URSA_TCP_CLOSED && st != URSA_TCP_LISTEN)
		return -EISCONN; /* the SYN is gone */
	return ursa_tcp_opt_set(pcb, slot, on ? v | SMC_WANT : v & ~SMC_WANT);
}

bool ursa_smc_opt_wanted(struct ursa_lcore *lc, const struct ursa_tcp_pcb *pcb)
{
	return lc->smc != NULL && (ursa_tcp_opt_get(pcb, lc->smc->opt_slot) & SMC_WANT) != 0;
}

bool ursa_smc_opt_peer(struct ursa_lcore *lc, const struct ursa_tcp_pcb *pcb)
{
	return lc->smc != NULL && (ursa_tcp_opt_get(pcb, lc->smc->opt_slot) & SMC_PEER) != 0;
}
