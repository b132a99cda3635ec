/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * icmp6: ICMPv6 (RFC 4443). Input verifies the checksum over the pseudo-header, answers echo
 * requests (to a multicast group too, from the unicast address the source would pick, as
 * Linux does), hands destination unreachable, packet too big and time exceeded to the quoted
 * protocol's error handler (ursa_ip_register_ctlinput), counts every error, and hands
 * neighbour discovery to nd.c. Errors are sent by the
 * rules of RFC 4443 2.4: never about an ICMPv6 error, a multicast destination (but packet too
 * big and unrecognised options) or an unspecified/multicast source, rate-limited with the
 * shared ICMP limiter, carrying as much of the invoking packet as fits in 1280 bytes.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "ip6_hdr.h"
#include "ip_priv.h"

#define CI6(lc, name) ((lc)->ip->ip6.icmp6_c[ICMP6_C_##name]++)

static bool is_unspec6(const uint8_t *a)
{
	static const uint8_t zero[16];

	return memcmp(a, zero, 16) == 0;
}

int icmp6_send(struct ursa_lcore *lc, struct ursa_iface *ifc, const struct ursa_ipaddr *src,
	       const struct ursa_ipaddr *dst, uint8_t hlim, bool on_link, struct rte_mbuf *m)
{
	struct ursa_ip_tx tx = {
		.src = *src,
		.dst = *dst,
		.proto = IP6_NH_ICMPV6,
		.ttl = hlim,
		.tenant = ifc->tenant,
		.iface = ifc->index,
	};
	struct ursa_ipaddr nh = *dst, s;
	struct icmp6_hdr *ih = rte_pktmbuf_mtod(m, struct icmp6_hdr *);

	ih->cksum = 0;
	ih->cksum = ursa_ip_l4_cksum(src, dst, IP6_NH_ICMPV6, m, 0, m->pkt_len);
	if (!on_link && ursa_ip_route(lc, &tx, &ifc, &nh, &s) != 0) {
		rte_pktmbuf_free(m);
		return -EHOSTUNREACH;
	}
	return ip6_output(lc, &tx, ifc, &nh, src, m);
}

static void icmp6_echo(struct ursa_lcore *lc, struct ursa_iface *ifc, struct rte_mbuf *m,
		       const struct ursa_ip_info *info)
{
	struct ursa_ipaddr src;
	struct icmp6_hdr *ih;

	if (is_unspec6(info->src.v6)) {
		CI6(lc, drop_echo_unspec_src);
		goto drop;
	}
	/* A unicast request is answered from its destination; one to a group from the address
	 * the requester's address selects (Linux: ping ff02::1 from fd00::a gets fd00::b). */
	if (info->dst_kind == URSA_IP_DST_UNICAST)
		src = info->dst;
	else if (ursa_iface_pick_src(ifc, &info->src, &src) != 0)
		goto fail;
	if (rte_pktmbuf_data_len(m) < sizeof(*ih))
		goto fail;
	ih = rte_pktmbuf_mtod(m, struct icmp6_hdr *);
	ih->type = ICMP6_ECHO_REPLY; /* code, identifier, sequence and data are echoed */
	m->ol_flags = 0;
	ursa_pkt_meta(m)->l2_flags = 0; /* the request's L2 flags do not describe the reply */
	if (icmp6_send(lc, ifc, &src, &info->src, IP6_DEFAULT_HLIM, false, m) != 0) {
		CI6(lc, drop_echo_fail);
		return;
	}
	CI6(lc, tx_echo_reply);
	return;

fail:
	CI6(lc, drop_echo_fail);
drop:
	rte_pktmbuf_free(m);
}

/* Kind, errno and hardness of an error (RFC 4443 §3; port unreachable and the policy codes
 * are hard, as RFC 1122 has it for IPv4 and Linux's icmpv6_err_convert does). */
static void icmp6_classify(uint8_t type, uint8_t code, struct ursa_ip_err *e)
{
	e->kind = URSA_IP_ERR_UNREACH;
	e->err = -EHOSTUNREACH;
	e->hard = false;
	if (type == ICMP6_PACKET_TOO_BIG) {
		e->kind = URSA_IP_ERR_PMTU;
		e->err = -EMSGSIZE;
	} else if (type == ICMP6_TIME_EXCEEDED) {
		e->kind = URSA_IP_ERR_TIME_EXCEEDED;
	} else if (code == ICMP6_DST_UNREACH_NOROUTE) {
		e->err = -ENETUNREACH;
	} else if (code == ICMP6_DST_UNREACH_PORT) {
		e->kind = URSA_IP_ERR_PORT_UNREACH;
		e->err = -ECONNREFUSED;
		e->hard = true;
	} else if (code == ICMP6_DST_UNREACH_ADMIN || code == ICMP6_DST_UNREACH_POLICY ||
		   code == ICMP6_DST_UNREACH_REJECT) {
		e->kind = URSA_IP_ERR_PROHIBITED;
		e->err = -EACCES;
		e->hard = true;
	}
}

/* The upper-layer header of the packet quoted at off in m (its IPv6 header there, end the
 * end of the quote): skips extension headers; false when there is none to see (a later
 * fragment, a chain that runs out of the quote). */
static bool icmp6_quote_l4(const struct rte_mbuf *m, uint32_t off, uint32_t end, uint8_t *proto,
			   uint32_t *l4_off)
{
	struct rte_ipv6_hdr qh;
	uint8_t nh, b[4];

	if (!ip6_copy(m, off, sizeof(qh), &qh))
		return false;
	nh = qh.proto;
	off += IP6_HDR_LEN;
	for (unsigned n = 0; n < 8 && off + 4 <= end; n++) {
		if (nh != IP6_NH_HOPOPTS && nh != IP6_NH_ROUTING && nh != IP6_NH_DSTOPTS &&
		    nh != IP6_NH_FRAGMENT) {
			*proto = nh;
			*l4_off = off;
			return true;
		}
		if (!ip6_copy(m, off, 4, b))
			return false;
		if (nh == IP6_NH_FRAGMENT &&
		    (rte_be_to_cpu_16(*(const rte_be16_t *)(b + 2)) & 0xfff8) != 0)
			return false; /* only the first fragment has the upper-layer header */
		off += nh == IP6_NH_FRAGMENT ? 8u : (b[1] + 1u) * 8u;
		nh = b[0];
	}
	return false;
}

/* A destination unreachable, packet too big or time exceeded (data at the ICMPv6 header,
 * checksum checked): the quoted packet's addresses and first transport bytes go to its
 * protocol's error handler. Does not take m. */
static void icmp6_ctlinput(struct ursa_lcore *lc, struct ursa_iface *ifc, const struct rte_mbuf *m,
			   const struct ursa_ip_info *info)
{
	struct icmp6_hdr ih;
	struct rte_ipv6_hdr qh;
	uint8_t l4[IP_ERR_L4_MAX];
	struct ursa_ip_err e;
	uint32_t end = info->l4_len, l4_off, avail;

	memset(&e, 0, sizeof(e));
	if (end < sizeof(ih) + IP6_HDR_LEN || !ip6_copy(m, 0, sizeof(ih), &ih) ||
	    !ip6_copy(m, sizeof(ih), sizeof(qh), &qh) ||
	    (rte_be_to_cpu_32(qh.vtc_flow) >> 28) != 6) {
		CI6(lc, rx_err_bad_quote);
		return;
	}
	e.src.family = e.dst.family = AF_INET6;
	memcpy(e.src.v6, qh.src_addr, 16);
	memcpy(e.dst.v6, qh.dst_addr, 16);
	/* RFC 5927 §4.1: an error about a packet we did not send is forged or misrouted */
	if (ursa_iface_has_addr(ifc, &e.src) == NULL) {
		CI6(lc, rx_err_not_ours);
		return;
	}
	/* the quote ends with the ICMPv6 message or with the quoted packet, whichever is first */
	end = RTE_MIN(end, (uint32_t)sizeof(ih) + IP6_HDR_LEN + rte_be_to_cpu_16(qh.payload_len));
	if (!icmp6_quote_l4(m, sizeof(ih), end, &e.proto, &l4_off) || end < l4_off + 8) {
		CI6(lc, rx_err_no_l4);
		return;
	}
	avail = RTE_MIN(end - l4_off, (uint32_t)IP_ERR_L4_MAX);
	if (!ip6_copy(m, l4_off, avail, l4)) {
		CI6(lc, rx_err_no_l4);
		return;
	}
	icmp6_classify(ih.type, ih.code, &e);
	if (e.kind == URSA_IP_ERR_PMTU) {
		e.mtu = rte_be_to_cpu_32(ih.data);
		if (e.mtu < IP6_MIN_MTU) { /* RFC 8201 §4: never below the IPv6 minimum */
			CI6(lc, rx_err_small_mtu);
			e.mtu = IP6_MIN_MTU;
		}
	}
	e.type = ih.type;
	e.code = ih.code;
	e.l4 = l4;
	e.l4_len = (uint16_t)avail;
	if (ip_ctl_deliver(lc, ifc, &e))
		CI6(lc, rx_err_delivered);
	else
		CI6(lc, rx_err_no_handler);
}

void icmp6_input(struct ursa_lcore *lc, struct ursa_iface *ifc, struct rte_mbuf *m,
		 const struct ursa_ip_info *info)
{
	struct icmp6_hdr ih;

	CI6(lc, rx);
	if (info->l4_len < sizeof(ih)) {
		CI6(lc, drop_short);
		goto drop;
	}
	/* RFC 4443 2.3: the checksum is mandatory and covers the pseudo-header. */
	if (ursa_ip_l4_cksum(&info->src, &info->dst, IP6_NH_ICMPV6, m, 0, info->l4_len) != 0) {
		CI6(lc, drop_bad_cksum);
		goto drop;
	}
	ip6_copy(m, 0, sizeof(ih), &ih);
	switch (ih.type) {
	case ICMP6_ECHO_REQUEST:
		CI6(lc, rx_echo_request);
		icmp6_echo(lc, ifc, m, info);
		return;
	case ICMP6_ECHO_REPLY:
		CI6(lc, rx_echo_reply);
		break;
	case ICMP6_DST_UNREACH:
		CI6(lc, rx_dest_unreach);
		icmp6_ctlinput(lc, ifc, m, info);
		break;
	case ICMP6_PACKET_TOO_BIG:
		CI6(lc, rx_packet_too_big);
		icmp6_ctlinput(lc, ifc, m, info);
		break;
	case ICMP6_TIME_EXCEEDED:
		CI6(lc, rx_time_exceeded);
		icmp6_ctlinput(lc, ifc, m, info);
		break;
	case ICMP6_PARAM_PROB:
		CI6(lc, rx_param_problem);
		break;
	case ND_ROUTER_SOLICIT:
	case ND_ROUTER_ADVERT:
	case ND_NEIGHBOR_SOLICIT:
	case ND_NEIGHBOR_ADVERT:
	case ND_REDIRECT:
		nd_input(lc, ifc, m, info);
		return;
	default:
		/* RFC 4443 2.4 (a)/(b): unknown errors go to the upper layer (none listens
		 * yet), unknown informational messages are discarded. */
		if (ICMP6_IS_ERROR(ih.type))
			CI6(lc, rx_other_error);
		else
			CI6(lc, rx_other_type);
		break;
	}
drop:
	rte_pktmbuf_free(m);
}

/* The upper-layer protocol of orig and, when it is ICMPv6, its type; false when the chain
 * cannot be followed (then no error is sent about it). */
static bool icmp6_orig_is_error(const struct rte_mbuf *orig, bool *is_error)
{
	uint8_t nh, b[2];
	uint32_t off = IP6_HDR_LEN;
	const uint8_t *p;

	p = rte_pktmbuf_read(orig, offsetof(struct rte_ipv6_hdr, proto), 1, b);
	nh = *p;
	*is_error = false;
	for (unsigned n = 0; n < 16; n++) {
		switch (nh) {
		case IP6_NH_HOPOPTS:
		case IP6_NH_ROUTING:
		case IP6_NH_DSTOPTS:
			p = rte_pktmbuf_read(orig, off, 2, b);
			if (p == NULL)
				return true; /* truncated: no upper layer to look at */
			nh = p[0];
			off += (p[1] + 1u) * 8u;
			break;
		case IP6_NH_FRAGMENT:
			p = rte_pktmbuf_read(orig, off, 4, b);
			if (p == NULL)
				return true;
			/* Only the first fragment shows the upper-layer header. */
			if ((rte_be_to_cpu_16(*(const rte_be16_t *)(p + 2)) & 0xfff8) != 0)
				return true;
			nh = p[0];
			off += 8;
			break;
		case IP6_NH_ICMPV6:
			p = rte_pktmbuf_read(orig, off, 1, b);
			/* RFC 4443 2.4 (e.1); a redirect is treated as an error (RFC 4861 8). */
			*is_error = p == NULL || ICMP6_IS_ERROR(p[0]) || p[0] == ND_REDIRECT;
			return true;
		default:
			return true;
		}
	}
	return false;
}

void icmp6_error(struct ursa_lcore *lc, struct ursa_iface *ifc, const struct rte_mbuf *orig,
		 uint8_t type, uint8_t code, uint32_t extra)
{
	struct rte_ipv6_hdr oh;
	struct ursa_ipaddr src = {.family = AF_INET6}, dst = {.family = AF_INET6};
	struct icmp6_hdr *ih;
	struct rte_mbuf *m;
	uint32_t n;
	bool is_error, mcast_ok;
	void *p;

	if (orig == NULL || orig->pkt_len < IP6_HDR_LEN) {
		CI6(lc, err_suppressed_malformed);
		return;
	}
	ip6_copy(orig, 0, sizeof(oh), &oh);
	if (!icmp6_orig_is_error(orig, &is_error)) {
		CI6(lc, err_suppressed_malformed);
		return;
	}
	if (is_error) {
		CI6(lc, err_suppressed_icmp_error);
		return;
	}
	/* (e.2, e.3): not about a packet to a group or link-layer multicast, but packet too
	 * big and unrecognised options, which the sender needs to hear about. */
	mcast_ok = type == ICMP6_PACKET_TOO_BIG ||
		   (type == ICMP6_PARAM_PROB && code == ICMP6_PARAM_PROB_OPTION);
	if (!mcast_ok &&
	    (oh.dst_addr[0] == 0xff || (ursa_pkt_meta((struct rte_mbuf *)orig)->l2_flags &
					(URSA_PKT_MCAST | URSA_PKT_BCAST)))) {
		CI6(lc, err_suppressed_mcast);
		return;
	}
	/* (e.6): not to a source that does not name a single node. */
	if (is_unspec6(oh.src_addr) || oh.src_addr[0] == 0xff) {
		CI6(lc, err_suppressed_bad_src);
		return;
	}
	memcpy(dst.v6, oh.src_addr, 16);
	memcpy(src.v6, oh.dst_addr, 16);
	if (oh.dst_addr[0] == 0xff || ursa_iface_has_addr(ifc, &src) == NULL) {
		if (ursa_iface_pick_src(ifc, &dst, &src) != 0) {
			CI6(lc, err_send_fail);
			return;
		}
	}
	if (!icmp_error_allowed(lc, &dst))
		return;
	m = ursa_pkt_alloc(lc);
	n = RTE_MIN(orig->pkt_len, (uint32_t)ICMP6_ERROR_MAX_ORIG);
	if (m == NULL || (p = rte_pktmbuf_append(m, (uint16_t)(sizeof(*ih) + n))) == NULL) {
		/* The lcore's mbufs hold a 1280-byte error; a smaller data room cannot. */
		rte_pktmbuf_free(m);
		CI6(lc, err_nomem);
		return;
	}
	ih = p;
	ih->type = type;
	ih->code = code;
	ih->cksum = 0;
	ih->data = rte_cpu_to_be_32(extra);
	ip6_copy(orig, 0, n, ih + 1);
	if (icmp6_send(lc, ifc, &src, &dst, IP6_DEFAULT_HLIM, false, m) != 0) {
		CI6(lc, err_send_fail);
		return;
	}
	CI6(lc, tx_error);
}
