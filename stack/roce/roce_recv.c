/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The RoCEv2 receive path (UDP 4791). Order: framing and lengths, BTH (known RC opcode,
 * TVer 0, PadCnt consistent), QP by DestQP only, QP state, the packet's IP addresses against
 * the QP's (anti-spoofing), P_Key, then the ICRC; only a packet that passed all of these
 * reaches the responder (requests) or the completer (ACKs, read responses). Every drop is
 * counted by reason; nothing is answered before the ICRC has passed (rocev2.md §2.6, §3.7).
 *
 * ursa_roce_input -> [to the owner shard by DestQP] -> roce_input -> roce_resp_input |
 * roce_comp_input
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_ip.h>
#include <rte_udp.h>

#include "roce_priv.h"

static bool pkey_match(uint16_t a, uint16_t b)
{
	return (a & 0x7fff) == (b & 0x7fff) && ((a | b) & 0x8000) != 0 && (a & 0x7fff) != 0;
}

static bool state_accepts(const struct ursa_roce_qp *qp, uint32_t mask)
{
	if (mask & ROCE_M_REQ)
		return qp->state == URSA_RDMA_QPS_RTR || qp->state == URSA_RDMA_QPS_RTS ||
		       qp->state == URSA_RDMA_QPS_SQD;
	return qp->state == URSA_RDMA_QPS_RTS || qp->state == URSA_RDMA_QPS_SQD;
}

#define DROP(reason)                                                                               \
	do {                                                                                       \
		ctx->c[ROCE_C_drop_##reason]++;                                                    \
		goto out;                                                                          \
	} while (0)

void roce_input(struct ursa_roce_ctx *ctx, struct rte_mbuf *m, const uint8_t *l3, int32_t iface)
{
	struct roce_pkt pkt;
	const struct rte_udp_hdr *udp;
	struct ursa_roce_qp *qp;
	unsigned iplen;
	uint32_t len, pay;

	ctx->c[ROCE_C_rx]++;
	memset(&pkt, 0, sizeof(pkt));
	pkt.m = m;
	pkt.l3 = l3;
	if ((l3[0] >> 4) == 4) {
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)l3;

		if ((ip->version_ihl & 0xf) != 5)
			DROP(ip_framing);
		iplen = sizeof(*ip);
		pkt.src.family = pkt.dst.family = AF_INET;
		pkt.src.v4 = ip->src_addr;
		pkt.dst.v4 = ip->dst_addr;
	} else if ((l3[0] >> 4) == 6) {
		const struct rte_ipv6_hdr *ip = (const struct rte_ipv6_hdr *)l3;

		if (ip->proto != IPPROTO_UDP)
			DROP(ip_framing);
		iplen = sizeof(*ip);
		pkt.src.family = pkt.dst.family = AF_INET6;
		memcpy(pkt.src.v6, ip->src_addr, 16);
		memcpy(pkt.dst.v6, ip->dst_addr, 16);
	} else {
		DROP(ip_framing);
	}
	udp = (const struct rte_udp_hdr *)(l3 + iplen);
	len = rte_be_to_cpu_16(udp->dgram_len);
	if (len < sizeof(*udp) + sizeof(struct roce_bth) + ROCE_ICRC_LEN)
		DROP(short);
	len -= sizeof(*udp);
	if (rte_pktmbuf_pkt_len(m) < len)
		DROP(short);
	if (rte_pktmbuf_pkt_len(m) > len) /* link padding */
		rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) - len));

	if (roce_mbuf_read(m, 0, pkt.hdr, sizeof(struct roce_bth)) != 0)
		DROP(short);
	pkt.opcode = pkt.hdr[0];
	pkt.op = roce_opinfo(pkt.opcode);
	if (pkt.op == NULL)
		DROP(bad_opcode);
	pkt.mask = pkt.op->mask;
	if (len < (uint32_t)pkt.op->length + ROCE_ICRC_LEN)
		DROP(short);
	if (roce_mbuf_read(m, 0, pkt.hdr, pkt.op->length) != 0)
		DROP(short);
	if (roce_bth_tver(pkt_bth(&pkt)) != 0)
		DROP(bad_tver);
	pkt.pad = (uint8_t)roce_bth_pad(pkt_bth(&pkt));
	pay = len - pkt.op->length - ROCE_ICRC_LEN;
	if (pay < pkt.pad)
		DROP(bad_pad);
	pkt.paylen = pay - pkt.pad;
	pkt.pay_off = pkt.op->length;
	if (!(pkt.mask & ROCE_M_PAYLOAD) && pay != 0)
		DROP(bad_len);
	pkt.psn = roce_bth_psn(pkt_bth(&pkt));
	pkt.qpn = roce_bth_qpn(pkt_bth(&pkt));
	pkt.ackreq = roce_bth_ackreq(pkt_bth(&pkt));
	pkt.se = (pkt_bth(&pkt)->flags & ROCE_BTH_SE) != 0;

	qp = roce_qp_lookup(ctx, pkt.qpn);
	if (qp == NULL)
		DROP(no_qp);
	if (!state_accepts(qp, pkt.mask))
		DROP(qp_state);
	if (!ursa_ipaddr_eq(&pkt.src, &qp->path.remote) ||
	    !ursa_ipaddr_eq(&pkt.dst, &qp->path.local))
		DROP(bad_addr);
	/* A QP takes packets from the interface its source GID belongs to, and from no other:
	 * another VLAN (another tenant with the same addresses) or an unknown ingress is
	 * dropped. state_accepts() has let through only QPs in RTR or later, and those are
	 * always bound (ursa_roce_qp_modify). */
	if (qp->path.iface < 0 || qp->path.iface != iface)
		DROP(bad_iface);
	if (!pkey_match(roce_bth_pkey(pkt_bth(&pkt)), qp->attr.pkey))
		DROP(bad_pkey);
	if (!roce_icrc_check(l3, m, 0, len))
		DROP(bad_icrc);
	pkt.qp = qp;
	if (pkt.mask & ROCE_M_REQ) {
		ctx->c[ROCE_C_rx_req]++;
		roce_resp_input(qp, &pkt);
	} else {
		ctx->c[ROCE_C_rx_resp]++;
		roce_comp_input(qp, &pkt);
	}
out:
	rte_pktmbuf_free(m);
}

/* One packet handed in alone is a burst of its own: its ACK, if any, leaves now. Packets
 * from UDP (roce_udp_rx) leave their ACKs to the poll hook, after the whole burst. */
void ursa_roce_input(struct ursa_lcore *lc, struct rte_mbuf *m, uint16_t l3_len, int32_t iface)
{
	roce_input_l4(lc, m, l3_len, iface);
	if (lc->roce != NULL)
		roce_resp_ack_flush_all(lc->roce);
}

/* A packet for a QP of another shard goes there before anything here counts or looks at it:
 * the owner follows from the DestQP alone (roce_id_owner). A packet too short to carry a
 * BTH, or for QPN 0 or 1, stays and is judged here. */
static bool roce_dispatch(struct ursa_lcore *lc, struct rte_mbuf *m)
{
	struct roce_bth b;
	const struct roce_bth *bth;
	uint32_t qpn;

	if (lc->nb_shards == 1)
		return false;
	bth = rte_pktmbuf_read(m, 0, sizeof(b), &b);
	if (bth == NULL)
		return false;
	qpn = roce_bth_qpn(bth);
	return qpn >= ROCE_QPN_MIN && ursa_lcore_dispatch(lc, m, roce_id_owner(lc, qpn));
}

void roce_input_l4(struct ursa_lcore *lc, struct rte_mbuf *m, uint16_t l3_len, int32_t iface)
{
	struct ursa_roce_ctx *ctx = lc->roce;

	if (ctx == NULL) {
		rte_pktmbuf_free(m);
		return;
	}
	if (roce_dispatch(lc, m))
		return;
	if (m->data_off < l3_len + sizeof(struct rte_udp_hdr) ||
	    (l3_len != sizeof(struct rte_ipv4_hdr) && l3_len != sizeof(struct rte_ipv6_hdr)) ||
	    (rte_pktmbuf_mtod_offset(m, const uint8_t *,
				     -(int)(l3_len + sizeof(struct rte_udp_hdr)))[0] >>
	     4) != (l3_len == sizeof(struct rte_ipv4_hdr) ? 4 : 6)) {
		ctx->c[ROCE_C_rx]++;
		ctx->c[ROCE_C_drop_ip_framing]++;
		rte_pktmbuf_free(m);
		return;
	}
	roce_input(ctx, m,
		   rte_pktmbuf_mtod_offset(m, const uint8_t *,
					   -(int)(l3_len + sizeof(struct rte_udp_hdr))),
		   iface);
}

void ursa_roce_input_l3(struct ursa_lcore *lc, struct rte_mbuf *m, int32_t iface)
{
	struct ursa_roce_ctx *ctx = lc->roce;
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t dl = rte_pktmbuf_data_len(m);
	const struct rte_udp_hdr *udp;
	unsigned iplen;
	uint32_t iptot;

	if (ctx == NULL)
		goto free;
	if (dl >= sizeof(struct rte_ipv4_hdr) && (p[0] >> 4) == 4) {
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)p;

		iplen = (ip->version_ihl & 0xf) * 4u;
		iptot = rte_be_to_cpu_16(ip->total_length);
		if (iplen != sizeof(*ip) || ip->next_proto_id != IPPROTO_UDP ||
		    (rte_be_to_cpu_16(ip->fragment_offset) &
		     (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)))
			goto bad;
	} else if (dl >= sizeof(struct rte_ipv6_hdr) && (p[0] >> 4) == 6) {
		const struct rte_ipv6_hdr *ip = (const struct rte_ipv6_hdr *)p;

		iplen = sizeof(*ip);
		iptot = iplen + rte_be_to_cpu_16(ip->payload_len);
		if (ip->proto != IPPROTO_UDP)
			goto bad;
	} else {
		goto bad;
	}
	if (dl < iplen + sizeof(*udp) || iptot < iplen + sizeof(*udp) ||
	    iptot > rte_pktmbuf_pkt_len(m))
		goto bad;
	udp = (const struct rte_udp_hdr *)(p + iplen);
	if (rte_be_to_cpu_16(udp->dst_port) != ROCE_UDP_PORT ||
	    rte_be_to_cpu_16(udp->dgram_len) != iptot - iplen)
		goto bad;
	rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) - iptot));
	rte_pktmbuf_adj(m, (uint16_t)(iplen + sizeof(*udp)));
	ursa_roce_input(lc, m, (uint16_t)iplen, iface);
	return;
bad:
	ctx->c[ROCE_C_rx]++;
	ctx->c[ROCE_C_drop_ip_framing]++;
free:
	rte_pktmbuf_free(m);
}
