/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The engine on the stack: UDP port 4791 in, and out
 * through the route of the QP's tenant and the neighbour cache. The IP and UDP headers are
 * built by roce_tx.c because the ICRC covers the IPv4 ID and total length; here the packet
 * is only routed: the egress interface must own the QP's source address (no spoofing),
 * and the packet must fit its MTU (DF is always set).
 *
 * RoCE's UDP policy lives here, not in UDP: 4791 is reserved for this binder, it accepts a
 * zero UDP checksum over IPv6 (rxe sends 0; the ICRC protects the packet), and ICMP errors
 * about datagrams to 4791 come here whatever their source port.
 *
 * An ICMP error counts for a QP only when the quote holds a BTH that names the QP's peer QP,
 * from the QP's own source port and addresses in its tenant, with a PSN the QP has in
 * flight (a request between the oldest unacknowledged and the highest PSN sent, or a
 * response to a request already received): the RoCE form of RFC 5927's checks. It is then
 * recorded for the QP (ursa_roce_qp_path_status), not acted on: a path MTU is one value
 * both ends use (first and middle packets carry exactly PMTU bytes, IBA 9.7.5.1), so a
 * responder would NAK shorter packets from a requester that lowered its own alone, and
 * a hard error can be forged; the connection manager decides, as with Linux's rxe.
 */
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "roce_priv.h"
#include "ursa_arp.h"
#include "ursa_udp.h"

static void roce_udp_rx(struct ursa_lcore *lc, void *arg, struct ursa_iface *ifc,
			struct rte_mbuf *m, const struct ursa_ip_info *ip,
			const struct ursa_udp_info *udp)
{
	RTE_SET_USED(arg), RTE_SET_USED(ip), RTE_SET_USED(udp);
	roce_input_l4(lc, m, m->l3_len, ifc != NULL ? ifc->index : -1);
}

/* The most a RoCEv2 packet adds to its payload: IP, UDP, BTH, RETH and ImmDt (RDMA WRITE
 * only with immediate), ICRC. */
static uint32_t roce_overhead(uint8_t family)
{
	return (family == AF_INET6 ? 40u : 20u) + 8u + (uint32_t)sizeof(struct roce_bth) + 16u +
	       4u + ROCE_ICRC_LEN;
}

/* The largest IB MTU (256..4096) whose packets fit an IP MTU of mtu; 256 when none does. */
static uint16_t roce_ib_mtu_for(uint32_t mtu, uint8_t family)
{
	uint16_t m = 4096;

	while (m > 256 && m + roce_overhead(family) > mtu)
		m /= 2;
	return m;
}

static bool roce_psn_in_flight(const struct ursa_roce_qp *qp, const struct roce_bth *bth)
{
	uint32_t psn = roce_bth_psn(bth);

	if (roce_opcodes[bth->opcode].mask & ROCE_M_REQ)
		return !roce_psn_before(psn, qp->una) && roce_psn_before(psn, qp->psn_max);
	return roce_psn_before(psn, qp->resp.psn);
}

/* The QP that sent a packet with this BTH from sport, between the quoted addresses. */
static struct ursa_roce_qp *roce_qp_of_quote(struct ursa_roce_ctx *ctx, uint32_t tenant,
					     const struct ursa_ip_err *err, uint16_t sport,
					     const struct roce_bth *bth)
{
	uint32_t dqpn = roce_bth_qpn(bth);

	for (uint32_t i = 0; i < ctx->nb_qp_slots; i++) {
		struct ursa_roce_qp *qp = ctx->qps[i];

		if (qp != NULL && qp->attr.dest_qp_num == dqpn && qp->sport == sport &&
		    qp->path.tenant == tenant && ursa_ipaddr_eq(&qp->path.local, &err->src) &&
		    ursa_ipaddr_eq(&qp->path.remote, &err->dst))
			return qp;
	}
	return NULL;
}

static void roce_udp_err(struct ursa_lcore *lc, void *arg, struct ursa_iface *ifc,
			 const struct ursa_ip_err *err, const struct ursa_udp_info *udp)
{
	struct ursa_roce_ctx *ctx = lc->roce;
	const struct roce_bth *bth;
	struct ursa_roce_qp *qp;

	RTE_SET_USED(arg);
	ctx->c[ROCE_C_icmp_rx]++;
	bth = (const struct roce_bth *)(const void *)(err->l4 + 8);
	if (udp->dport != ROCE_UDP_PORT || err->l4_len < 8 + (uint32_t)sizeof(struct roce_bth) ||
	    roce_opcodes[bth->opcode].name == NULL) {
		ctx->c[ROCE_C_icmp_no_bth]++;
		return;
	}
	qp = roce_qp_of_quote(ctx, ifc->tenant, err, udp->sport, bth);
	if (qp == NULL) {
		ctx->c[ROCE_C_icmp_no_qp]++;
		return;
	}
	if (!roce_psn_in_flight(qp, bth)) {
		ctx->c[ROCE_C_icmp_bad_psn]++;
		return;
	}
	if (err->kind == URSA_IP_ERR_PMTU) {
		qp->pmtu_hint = roce_ib_mtu_for(err->mtu, err->dst.family);
		ctx->c[ROCE_C_icmp_pmtu_recorded]++;
	} else {
		qp->path_err = err->err;
		ctx->c[ROCE_C_icmp_err_recorded]++;
	}
}

void ursa_roce_qp_path_status(const struct ursa_roce_qp *qp, uint16_t *pmtu_hint, int *err)
{
	*pmtu_hint = qp->pmtu_hint;
	*err = qp->path_err;
}

static int roce_ip_xmit(struct ursa_lcore *lc, void *arg, const struct ursa_roce_path *path,
			struct rte_mbuf *m)
{
	struct ursa_ip_tx tx = {
		.src = path->local,
		.dst = path->remote,
		.proto = IPPROTO_UDP,
		.df = true,
		.tenant = path->tenant,
		.iface = path->iface,
	};
	struct ursa_iface *ifc;
	struct ursa_ipaddr nh, src;
	int rc;

	RTE_SET_USED(arg);
	rc = ursa_ip_route(lc, &tx, &ifc, &nh, &src);
	if (rc != 0)
		goto drop;
	if (ursa_iface_has_addr(ifc, &path->local) == NULL) {
		rc = -EADDRNOTAVAIL;
		goto drop;
	}
	if (rte_pktmbuf_pkt_len(m) > ifc->mtu) {
		rc = -EMSGSIZE;
		goto drop;
	}
	return ursa_neigh_output(lc, ifc, &nh, m,
				 path->local.family == AF_INET6 ? RTE_ETHER_TYPE_IPV6
								: RTE_ETHER_TYPE_IPV4);
drop:
	rte_pktmbuf_free(m);
	return rc;
}

int ursa_roce_init(struct ursa_lcore *lc)
{
	int rc;

	if (lc->roce == NULL && (rc = ursa_roce_ctx_create(lc, NULL)) != 0)
		return rc;
	ursa_roce_set_xmit(lc, roce_ip_xmit, NULL);
	rc = ursa_udp_reserve(lc, ROCE_UDP_PORT);
	if (rc != 0 && rc != -EEXIST)
		return rc;
	rc = ursa_udp_bind(lc, ROCE_UDP_PORT,
			   URSA_UDP_BIND_RESERVED | URSA_UDP_BIND_ZERO_CKSUM6 |
				   URSA_UDP_BIND_ERR_BY_DPORT,
			   roce_udp_rx, NULL);
	if (rc != 0)
		return rc;
	return ursa_udp_bind_ctlinput(lc, ROCE_UDP_PORT, roce_udp_err);
}
