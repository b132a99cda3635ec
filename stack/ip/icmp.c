/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICMP for IPv4 (RFC 792, RFC 1122 3.2.2): input (checksum, echo, every other type counted),
 * errors received about packets we sent (destination unreachable, time exceeded: parsed and
 * handed to the quoted protocol's error handler, ursa_ip_register_ctlinput), and errors sent
 * about received packets (icmp4_error, the IPv4 half of ursa_icmp_error).
 *
 * Echo replies look like the kernel's (checked on a veth capture): same id/seq/data, source
 * the request's destination, TTL 64, TOS copied from the request, DF clear. Errors carry TOS
 * 0xc0 (internetwork control), DF clear, and quote the offending packet up to 576 bytes in
 * all (RFC 1812 4.3.2.3).
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "ip_priv.h"

#define ICMP_HDR_LEN	 8
#define ICMP_ERR_MAX_LEN 576  /* the whole error datagram (RFC 1812 4.3.2.3) */
#define ICMP_ERR_TOS	 0xc0 /* IPTOS_PREC_INTERNETCONTROL */
#define IP_OPT_END	 0    /* RFC 791 option types */
#define IP_OPT_NOP	 1
#define IP_OPT_RR	 7

static_assert(sizeof(struct rte_icmp_hdr) == ICMP_HDR_LEN, "ICMP header is 8 bytes");

static void icmp_drop(struct ursa_lcore *lc, struct rte_mbuf *m, enum icmp_counter why)
{
	lc->ip->icmp_c[why]++;
	rte_pktmbuf_free(m);
}

static bool icmp_type_is_error(uint8_t type)
{
	switch (type) {
	case ICMP_TYPE_DEST_UNREACH:
	case ICMP_TYPE_SOURCE_QUENCH:
	case ICMP_TYPE_REDIRECT:
	case ICMP_TYPE_TIME_EXCEEDED:
	case ICMP_TYPE_PARAM_PROBLEM:
		return true;
	default:
		return false;
	}
}

/*
 * Options of an echo reply (RFC 1122 3.2.2.6: record route SHOULD be updated and reflected).
 * As Linux does: the host records its address into a Record Route option when the request
 * arrives and again when the reply leaves, and the reply carries only that option, padded
 * with end-of-list. Other options (timestamps, source routes) are not reflected.
 * Returns the reply's option length (multiple of 4), 0 for none.
 */
static uint8_t icmp_echo_opts(const struct rte_mbuf *m, const struct ursa_ip_info *info,
			      uint8_t out[40])
{
	const uint8_t *o;
	unsigned olen, i = 0;

	if (m->l3_len <= sizeof(struct rte_ipv4_hdr) || m->l3_len > 60 ||
	    rte_pktmbuf_headroom(m) < m->l3_len)
		return 0;
	o = rte_pktmbuf_mtod_offset(m, const uint8_t *, -(int)m->l3_len) +
	    sizeof(struct rte_ipv4_hdr);
	olen = m->l3_len - sizeof(struct rte_ipv4_hdr);
	while (i < olen && o[i] != IP_OPT_END) {
		unsigned len;

		if (o[i] == IP_OPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= olen || o[i + 1] < 2 || i + o[i + 1] > olen)
			return 0; /* malformed: reply without options */
		len = o[i + 1];
		if (o[i] == IP_OPT_RR && len >= 3) {
			uint8_t ptr = o[i + 2];

			memset(out, IP_OPT_END, 40);
			memcpy(out, &o[i], len);
			/* once on arrival, once on departure; both are this address */
			for (int k = 0; k < 2 && ptr >= 4 && ptr + 3u <= len; k++, ptr += 4)
				memcpy(&out[ptr - 1], &info->dst.v4, 4);
			out[2] = ptr;
			return (uint8_t)RTE_ALIGN_CEIL(len, 4);
		}
		i += len;
	}
	return 0;
}

static void icmp_echo(struct ursa_lcore *lc, struct ursa_iface *ifc, struct rte_mbuf *m,
		      const struct ursa_ip_info *info)
{
	uint8_t opts[40];
	struct rte_icmp_hdr *ih = rte_pktmbuf_mtod(m, struct rte_icmp_hdr *);
	struct ursa_ip_tx tx = {
		.src = info->dst,
		.dst = info->src,
		.proto = IPPROTO_ICMP,
		.ttl = IP_DEFAULT_TTL,
		.tos = info->tos,
		.df = false,
		.tenant = ifc->tenant,
		.iface = ifc->index,
	};
	uint16_t sum = 0;

	/* Echo to a broadcast or group is ignored (icmp_echo_ignore_broadcasts=1). */
	if (info->dst_kind != URSA_IP_DST_UNICAST)
		return icmp_drop(lc, m, ICMP_C_drop_echo_bcast);
	tx.opts_len = icmp_echo_opts(m, info, opts);
	tx.opts = tx.opts_len ? opts : NULL;
	/* Turn the request around in place: it may be a chain (a reassembled request). */
	ih->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	ih->icmp_code = 0;
	ih->icmp_cksum = 0;
	ip_raw_cksum_mbuf(m, 0, info->l4_len, &sum);
	ih->icmp_cksum = (uint16_t)~sum;
	if (ursa_ip_output(lc, &tx, m) == 0)
		lc->ip->icmp_c[ICMP_C_tx_echo_reply]++;
	else
		lc->ip->icmp_c[ICMP_C_drop_echo_fail]++;
}

/* RFC 1191 §7: the plateau below a packet of len bytes, for a hop that sent no MTU. */
static uint32_t icmp_plateau(uint32_t len)
{
	static const uint16_t plateau[] = {32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296};

	for (unsigned i = 0; i < RTE_DIM(plateau); i++)
		if (plateau[i] < len)
			return plateau[i];
	return 68;
}

/* Kind, errno and hardness of an error (RFC 792; RFC 1122 4.2.3.9: protocol and port
 * unreachable are hard; RFC 1812 5.2.7.1: administratively prohibited is too). */
static void icmp4_classify(uint8_t type, uint8_t code, struct ursa_ip_err *e)
{
	e->kind = URSA_IP_ERR_UNREACH;
	e->err = -EHOSTUNREACH;
	e->hard = false;
	if (type == ICMP_TYPE_TIME_EXCEEDED) {
		e->kind = URSA_IP_ERR_TIME_EXCEEDED;
		return;
	}
	switch (code) {
	case ICMP_CODE_NET_UNREACH:
	case ICMP_CODE_NET_UNKNOWN:
	case ICMP_CODE_NET_UNREACH_TOS:
		e->err = -ENETUNREACH;
		break;
	case ICMP_CODE_PROTO_UNREACH:
		e->kind = URSA_IP_ERR_PROTO_UNREACH;
		e->err = -ENOPROTOOPT;
		e->hard = true;
		break;
	case ICMP_CODE_PORT_UNREACH:
		e->kind = URSA_IP_ERR_PORT_UNREACH;
		e->err = -ECONNREFUSED;
		e->hard = true;
		break;
	case ICMP_CODE_FRAG_NEEDED:
		e->kind = URSA_IP_ERR_PMTU;
		e->err = -EMSGSIZE;
		break;
	case ICMP_CODE_NET_PROHIB:
	case ICMP_CODE_HOST_PROHIB:
	case ICMP_CODE_PKT_FILTERED:
		e->kind = URSA_IP_ERR_PROHIBITED;
		e->hard = true;
		break;
	default:
		break;
	}
}

/* A destination unreachable or time exceeded (data at the ICMP header, checksum checked):
 * the quoted IPv4 header and the first bytes of its transport header go to the protocol's
 * error handler. Does not take m. */
static void icmp4_ctlinput(struct ursa_lcore *lc, struct ursa_iface *ifc, const struct rte_mbuf *m,
			   const struct ursa_ip_info *info)
{
	uint64_t *c = lc->ip->icmp_c;
	struct rte_icmp_hdr ih;
	struct rte_ipv4_hdr qh;
	uint8_t l4[IP_ERR_L4_MAX];
	struct ursa_ip_err e;
	uint32_t hlen, qlen, avail;

	memset(&e, 0, sizeof(e));
	if (info->l4_len < ICMP_HDR_LEN + sizeof(qh) || !ip6_copy(m, 0, sizeof(ih), &ih) ||
	    !ip6_copy(m, ICMP_HDR_LEN, sizeof(qh), &qh) || (qh.version_ihl >> 4) != 4)
		goto bad_quote;
	hlen = (qh.version_ihl & 0xf) * 4u;
	qlen = rte_be_to_cpu_16(qh.total_length);
	if (hlen < sizeof(qh) || qlen < hlen || info->l4_len < ICMP_HDR_LEN + hlen)
		goto bad_quote;
	e.src.family = e.dst.family = AF_INET;
	e.src.v4 = qh.src_addr;
	e.dst.v4 = qh.dst_addr;
	/* RFC 5927 §4.1: an error about a packet we did not send is forged or misrouted */
	if (ursa_iface_has_addr(ifc, &e.src) == NULL) {
		c[ICMP_C_rx_err_not_ours]++;
		return;
	}
	avail = RTE_MIN(info->l4_len - ICMP_HDR_LEN - hlen, qlen - hlen);
	avail = RTE_MIN(avail, (uint32_t)IP_ERR_L4_MAX);
	if ((rte_be_to_cpu_16(qh.fragment_offset) & RTE_IPV4_HDR_OFFSET_MASK) || avail < 8 ||
	    !ip6_copy(m, ICMP_HDR_LEN + hlen, avail, l4)) {
		c[ICMP_C_rx_err_no_l4]++; /* no transport header to find the connection by */
		return;
	}
	icmp4_classify(ih.icmp_type, ih.icmp_code, &e);
	if (e.kind == URSA_IP_ERR_PMTU) {
		/* RFC 1191 §4: the next-hop MTU is the low 16 bits of the second word */
		e.mtu = rte_be_to_cpu_16(ih.icmp_seq_nb);
		if (e.mtu == 0)
			e.mtu = icmp_plateau(qlen);
		if (e.mtu < 68) { /* RFC 791: every hop carries 68 bytes */
			c[ICMP_C_rx_err_bad_mtu]++;
			return;
		}
	}
	e.type = ih.icmp_type;
	e.code = ih.icmp_code;
	e.proto = qh.next_proto_id;
	e.l4 = l4;
	e.l4_len = (uint16_t)avail;
	if (ip_ctl_deliver(lc, ifc, &e))
		c[ICMP_C_rx_err_delivered]++;
	else
		c[ICMP_C_rx_err_no_handler]++;
	return;

bad_quote:
	c[ICMP_C_rx_err_bad_quote]++;
}

void icmp_input(struct ursa_lcore *lc, struct ursa_iface *ifc, struct rte_mbuf *m,
		const struct ursa_ip_info *info)
{
	uint64_t *c = lc->ip->icmp_c;
	struct rte_icmp_hdr *ih;
	uint16_t sum = 0;

	c[ICMP_C_rx]++;
	if (info->l4_len < ICMP_HDR_LEN || rte_pktmbuf_data_len(m) < ICMP_HDR_LEN)
		return icmp_drop(lc, m, ICMP_C_drop_short);
	if (ip_raw_cksum_mbuf(m, 0, info->l4_len, &sum) != 0 || sum != 0xffff)
		return icmp_drop(lc, m, ICMP_C_drop_bad_cksum);
	ih = rte_pktmbuf_mtod(m, struct rte_icmp_hdr *);
	switch (ih->icmp_type) {
	case RTE_IP_ICMP_ECHO_REQUEST:
		c[ICMP_C_rx_echo_request]++;
		return icmp_echo(lc, ifc, m, info);
	case RTE_IP_ICMP_ECHO_REPLY:
		c[ICMP_C_rx_echo_reply]++;
		break;
	case ICMP_TYPE_DEST_UNREACH:
		c[ICMP_C_rx_dest_unreach]++;
		icmp4_ctlinput(lc, ifc, m, info);
		break;
	case ICMP_TYPE_SOURCE_QUENCH:
		c[ICMP_C_rx_source_quench]++;
		break;
	case ICMP_TYPE_REDIRECT:
		c[ICMP_C_rx_redirect]++; /* a host may ignore them; we do (no forwarding table) */
		break;
	case ICMP_TYPE_TIME_EXCEEDED:
		c[ICMP_C_rx_time_exceeded]++;
		icmp4_ctlinput(lc, ifc, m, info);
		break;
	case ICMP_TYPE_PARAM_PROBLEM:
		c[ICMP_C_rx_param_problem]++;
		break;
	case ICMP_TYPE_TIMESTAMP:
		c[ICMP_C_rx_timestamp]++; /* not answered, as the kernel by default */
		break;
	default:
		c[ICMP_C_rx_other_type]++;
		break;
	}
	rte_pktmbuf_free(m);
}

void icmp4_error(struct ursa_lcore *lc, struct ursa_iface *ifc, const struct rte_mbuf *orig,
		 uint8_t type, uint8_t code, uint32_t extra)
{
	uint64_t *c = lc->ip->icmp_c;
	struct rte_ipv4_hdr hb;
	const struct rte_ipv4_hdr *h;
	struct ursa_ip_tx tx = {
		.proto = IPPROTO_ICMP,
		.ttl = IP_DEFAULT_TTL,
		.tos = ICMP_ERR_TOS,
		.tenant = ifc->tenant,
		.iface = ifc->index,
	};
	struct rte_icmp_hdr *ih;
	struct rte_mbuf *m;
	uint32_t src, hlen, qlen;
	uint16_t sum = 0;
	uint8_t *q;

	h = rte_pktmbuf_read(orig, 0, sizeof(hb), &hb);
	if (h == NULL || (h->version_ihl >> 4) != 4) {
		c[ICMP_C_err_suppressed_malformed]++;
		return;
	}
	hlen = (h->version_ihl & 0xf) * 4u;
	if (hlen < sizeof(hb) || hlen > orig->pkt_len) {
		c[ICMP_C_err_suppressed_malformed]++;
		return;
	}
	/* RFC 1122 3.2.2: never about an ICMP error, a broadcast or multicast, a fragment
	 * other than the first, or a source that does not name one host. */
	if (h->next_proto_id == IPPROTO_ICMP) {
		uint8_t t, *tp;

		tp = orig->pkt_len > hlen ? (uint8_t *)rte_pktmbuf_read(orig, hlen, 1, &t) : NULL;
		if (tp == NULL || icmp_type_is_error(*tp) || *tp > ICMP_NR_TYPES) {
			c[ICMP_C_err_suppressed_icmp_error]++;
			return;
		}
	}
	if ((ursa_pkt_meta((struct rte_mbuf *)(uintptr_t)orig)->l2_flags &
	     (URSA_PKT_BCAST | URSA_PKT_MCAST)) ||
	    ip4_is_bcast(ifc, h->dst_addr) || ip4_is_mcast(rte_be_to_cpu_32(h->dst_addr))) {
		c[ICMP_C_err_suppressed_bcast]++;
		return;
	}
	if (rte_be_to_cpu_16(h->fragment_offset) & RTE_IPV4_HDR_OFFSET_MASK) {
		c[ICMP_C_err_suppressed_fragment]++;
		return;
	}
	src = rte_be_to_cpu_32(h->src_addr);
	if (src == 0 || ip4_is_mcast(src) || ip4_is_bcast(ifc, h->src_addr) || (src >> 24) == 127 ||
	    (src >> 24) == 0) {
		c[ICMP_C_err_suppressed_bad_src]++;
		return;
	}
	tx.dst.family = AF_INET;
	tx.dst.v4 = h->src_addr;
	if (!icmp_error_allowed(lc, &tx.dst))
		return;
	/* From the address the packet was sent to when it is ours (else: picked by route). */
	tx.src.family = AF_INET;
	tx.src.v4 = h->dst_addr;
	if (ursa_iface_has_addr(ifc, &tx.src) == NULL)
		tx.src.family = 0;

	m = ursa_pkt_alloc(lc);
	if (m == NULL) {
		c[ICMP_C_err_nomem]++;
		return;
	}
	qlen = RTE_MIN(orig->pkt_len, ICMP_ERR_MAX_LEN - sizeof(hb) - ICMP_HDR_LEN);
	qlen = RTE_MIN(qlen, (uint32_t)rte_be_to_cpu_16(h->total_length));
	ih = (struct rte_icmp_hdr *)rte_pktmbuf_append(m, (uint16_t)(ICMP_HDR_LEN + qlen));
	if (ih == NULL) {
		c[ICMP_C_err_nomem]++;
		rte_pktmbuf_free(m);
		return;
	}
	ih->icmp_type = type;
	ih->icmp_code = code;
	ih->icmp_cksum = 0;
	/* The second word: unused, a next-hop MTU (RFC 1191) or a pointer (RFC 792). */
	{
		rte_be32_t w = rte_cpu_to_be_32(extra);

		memcpy(&ih->icmp_ident, &w, sizeof(w));
	}
	q = (uint8_t *)(ih + 1);
	{
		const void *p = rte_pktmbuf_read(orig, 0, qlen, q);

		if (p != q)
			memcpy(q, p, qlen);
	}
	ip_raw_cksum_mbuf(m, 0, ICMP_HDR_LEN + qlen, &sum);
	ih->icmp_cksum = (uint16_t)~sum;
	if (ursa_ip_output(lc, &tx, m) == 0)
		c[ICMP_C_tx_error]++;
	else
		c[ICMP_C_err_send_fail]++;
}
