/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Building outgoing packets: IPv4 (DF, configurable TTL/TOS, own ID) or IPv6 (traffic class,
 * flow label, hop limit), UDP to 4791 with checksum 0 and the QP's fixed source port, BTH and
 * the opcode's extension headers, payload (in a segment chain when it exceeds one mbuf),
 * zero pad, and the ICRC. The whole IP packet goes to the context's transmit function.
 * Zero-copy (SEND/WRITE payloads of at least URSA_ROCE_ZC_MIN bytes): the headers in one
 * mbuf, the payload as external buffers pointing into the registered memory, then the pad
 * and ICRC in a last segment; roce_tx_finish's ICRC pass is the only read of the payload.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_ip.h>
#include <rte_udp.h>

#include "roce_priv.h"

int roce_mbuf_write(struct rte_mbuf *m, uint32_t off, const void *src, uint32_t len)
{
	const uint8_t *s = src;

	for (; m != NULL && len > 0; m = m->next) {
		uint32_t dl = rte_pktmbuf_data_len(m);

		if (off >= dl) {
			off -= dl;
			continue;
		}
		uint32_t n = RTE_MIN(len, dl - off);

		if (s != NULL) {
			memcpy(rte_pktmbuf_mtod_offset(m, uint8_t *, off), s, n);
			s += n;
		} else {
			memset(rte_pktmbuf_mtod_offset(m, uint8_t *, off), 0, n);
		}
		len -= n;
		off = 0;
	}
	return len == 0 ? 0 : -EINVAL;
}

int roce_mbuf_read(const struct rte_mbuf *m, uint32_t off, void *dst, uint32_t len)
{
	uint8_t *d = dst;

	for (; m != NULL && len > 0; m = m->next) {
		uint32_t dl = rte_pktmbuf_data_len(m);

		if (off >= dl) {
			off -= dl;
			continue;
		}
		uint32_t n = RTE_MIN(len, dl - off);

		memcpy(d, rte_pktmbuf_mtod_offset(m, const uint8_t *, off), n);
		d += n;
		len -= n;
		off = 0;
	}
	return len == 0 ? 0 : -EINVAL;
}

static unsigned qp_iplen(const struct ursa_roce_qp *qp)
{
	return qp->path.local.family == AF_INET6 ? sizeof(struct rte_ipv6_hdr)
						 : sizeof(struct rte_ipv4_hdr);
}

uint32_t roce_tx_payload_off(const struct ursa_roce_qp *qp, uint8_t opcode)
{
	return qp_iplen(qp) + sizeof(struct rte_udp_hdr) + roce_opcodes[opcode].length;
}

/* A chain of mbufs holding exactly len bytes; the first keeps its headroom for L2. */
static struct rte_mbuf *tx_chain(struct ursa_lcore *lc, uint32_t len)
{
	struct rte_mbuf *head = ursa_pkt_alloc(lc), *m = head;

	if (head == NULL)
		return NULL;
	for (;;) {
		uint32_t n = RTE_MIN(len, (uint32_t)rte_pktmbuf_tailroom(m));

		rte_pktmbuf_append(m, (uint16_t)n);
		if (m != head) {
			if (rte_pktmbuf_chain(head, m) != 0) {
				rte_pktmbuf_free(m);
				goto err;
			}
		}
		len -= n;
		if (len == 0)
			return head;
		m = rte_pktmbuf_alloc(lc->pool);
		if (m == NULL)
			goto err;
	}
err:
	rte_pktmbuf_free(head);
	return NULL;
}

/* The packet's headers; with hdr_only the mbuf holds only them (the payload, pad and ICRC
 * follow in segments of their own: roce_tx_attach, roce_tx_tail), else every byte. */
static struct rte_mbuf *tx_build(struct ursa_roce_qp *qp, uint8_t opcode, uint32_t psn, bool ackreq,
				 bool se, uint32_t paylen, bool hdr_only, uint8_t **ext)
{
	struct ursa_roce_ctx *ctx = qp->ctx;
	const struct roce_opinfo *op = &roce_opcodes[opcode];
	unsigned iplen = qp_iplen(qp);
	unsigned pad = (-paylen) & 3;
	uint32_t total =
		iplen + sizeof(struct rte_udp_hdr) + op->length + paylen + pad + ROCE_ICRC_LEN;
	uint8_t ttl = qp->attr.ah.hop_limit ? qp->attr.ah.hop_limit : ctx->conf.ttl;
	uint8_t tos = qp->attr.ah.traffic_class ? qp->attr.ah.traffic_class : ctx->conf.tos;
	struct rte_udp_hdr *udp;
	struct roce_bth *bth;
	struct rte_mbuf *m;
	uint8_t *p;

	m = tx_chain(ctx->lc, hdr_only ? total - paylen - pad - ROCE_ICRC_LEN : total);
	if (m == NULL) {
		ctx->c[ROCE_C_drop_no_mbuf]++;
		return NULL;
	}
	p = rte_pktmbuf_mtod(m, uint8_t *);
	if (iplen == sizeof(struct rte_ipv4_hdr)) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)p;

		ip->version_ihl = 0x45;
		ip->type_of_service = tos;
		ip->total_length = rte_cpu_to_be_16((uint16_t)total);
		ip->packet_id = rte_cpu_to_be_16(ctx->ip_id++);
		ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
		ip->time_to_live = ttl;
		ip->next_proto_id = IPPROTO_UDP;
		ip->hdr_checksum = 0;
		ip->src_addr = qp->path.local.v4;
		ip->dst_addr = qp->path.remote.v4;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		m->l3_len = sizeof(*ip);
		m->packet_type = RTE_PTYPE_L3_IPV4 | RTE_PTYPE_L4_UDP;
	} else {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)p;

		ip->vtc_flow = rte_cpu_to_be_32(6u << 28 | (uint32_t)tos << 20 |
						(qp->attr.ah.flow_label & 0xfffff));
		ip->payload_len = rte_cpu_to_be_16((uint16_t)(total - iplen));
		ip->proto = IPPROTO_UDP;
		ip->hop_limits = ttl;
		memcpy(ip->src_addr, qp->path.local.v6, 16);
		memcpy(ip->dst_addr, qp->path.remote.v6, 16);
		m->l3_len = sizeof(*ip);
		m->packet_type = RTE_PTYPE_L3_IPV6 | RTE_PTYPE_L4_UDP;
	}
	udp = (struct rte_udp_hdr *)(p + iplen);
	udp->src_port = rte_cpu_to_be_16(qp->sport);
	udp->dst_port = rte_cpu_to_be_16(ROCE_UDP_PORT);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(total - iplen));
	udp->dgram_cksum = 0;
	m->l4_len = sizeof(*udp);
	bth = (struct roce_bth *)(udp + 1);
	roce_bth_set(bth, opcode, se, pad, qp->attr.pkey, qp->attr.dest_qp_num, ackreq, psn);
	memset(bth + 1, 0, op->length - sizeof(*bth));
	if (pad && !hdr_only)
		roce_mbuf_write(m, iplen + sizeof(*udp) + op->length + paylen, NULL, pad);
	*ext = (uint8_t *)(bth + 1);
	return m;
}

struct rte_mbuf *roce_tx_alloc(struct ursa_roce_qp *qp, uint8_t opcode, uint32_t psn, bool ackreq,
			       bool se, uint32_t paylen, uint8_t **ext)
{
	return tx_build(qp, opcode, psn, ackreq, se, paylen, false, ext);
}

struct rte_mbuf *roce_tx_alloc_zc(struct ursa_roce_qp *qp, uint8_t opcode, uint32_t psn,
				  bool ackreq, bool se, uint32_t paylen, uint8_t **ext)
{
	return tx_build(qp, opcode, psn, ackreq, se, paylen, true, ext);
}

/* ---- zero-copy payload ---- */

static void zc_free(void *addr, void *opaque)
{
	RTE_SET_USED(addr);
	free(opaque); /* the shared info itself: the last frame or the WQE let go */
}

int roce_mr_zc_init(struct ursa_roce_mr *mr)
{
	mr->zc = malloc(sizeof(*mr->zc));
	if (mr->zc == NULL)
		return -ENOMEM;
	mr->zc->free_cb = zc_free;
	mr->zc->fcb_opaque = mr->zc;
	rte_mbuf_ext_refcnt_set(mr->zc, 1); /* the MR's own */
	return 0;
}

/* A frame built from this MR's memory is still queued somewhere (a port, the neighbour
 * cache, a fault delay, a capture). */
bool roce_mr_zc_busy(const struct ursa_roce_mr *mr)
{
	return mr->zc != NULL && rte_mbuf_ext_refcnt_read(mr->zc) > 1;
}

void roce_mr_zc_put(struct ursa_roce_mr *mr)
{
	if (mr->zc != NULL && rte_mbuf_ext_refcnt_update(mr->zc, -1) == 0)
		free(mr->zc);
	mr->zc = NULL;
}

/* Append len bytes at addr (registered memory) to m as an external buffer held through sh. */
int roce_tx_attach(struct ursa_roce_qp *qp, struct rte_mbuf *m, void *addr, uint32_t len,
		   struct rte_mbuf_ext_shared_info *sh)
{
	struct rte_mbuf *seg = rte_pktmbuf_alloc(qp->ctx->lc->pool);

	if (seg == NULL)
		return -ENOBUFS;
	rte_mbuf_ext_refcnt_update(sh, 1);
	/* The IOVA is the virtual address: the ports here (memif, af_packet, tap, memory)
	 * copy from buf_addr. A port that DMAs would need the MR's memory registered with
	 * EAL (rte_extmem_register) and mapped for the device, which is not done. */
	rte_pktmbuf_attach_extbuf(seg, addr, (rte_iova_t)(uintptr_t)addr, (uint16_t)len, sh);
	seg->data_len = (uint16_t)len;
	seg->pkt_len = len;
	if (rte_pktmbuf_chain(m, seg) != 0) {
		rte_pktmbuf_free(seg);
		return -E2BIG;
	}
	return 0;
}

/* The pad and the ICRC's room after a zero-copy payload of paylen bytes. */
int roce_tx_tail(struct ursa_roce_qp *qp, struct rte_mbuf *m, uint32_t paylen)
{
	struct rte_mbuf *seg = rte_pktmbuf_alloc(qp->ctx->lc->pool);
	uint32_t n = ((-paylen) & 3) + ROCE_ICRC_LEN;
	uint8_t *p;

	if (seg == NULL)
		return -ENOBUFS;
	p = (uint8_t *)rte_pktmbuf_append(seg, (uint16_t)n);
	memset(p, 0, n);
	if (rte_pktmbuf_chain(m, seg) != 0) {
		rte_pktmbuf_free(seg);
		return -E2BIG;
	}
	return 0;
}

void roce_tx_finish(struct ursa_roce_qp *qp, struct rte_mbuf *m)
{
	struct ursa_roce_ctx *ctx = qp->ctx;
	uint32_t total = rte_pktmbuf_pkt_len(m);
	uint32_t bth_off = m->l3_len + sizeof(struct rte_udp_hdr);
	uint8_t icrc[ROCE_ICRC_LEN];

	roce_icrc_put(icrc, roce_icrc_calc(rte_pktmbuf_mtod(m, const uint8_t *), m, bth_off,
					   total - bth_off - ROCE_ICRC_LEN));
	roce_mbuf_write(m, total - ROCE_ICRC_LEN, icrc, ROCE_ICRC_LEN);
	ctx->c[ROCE_C_tx]++;
	if (ctx->xmit(ctx->lc, ctx->xmit_arg, &qp->path, m) != 0)
		ctx->c[ROCE_C_drop_xmit]++;
}
