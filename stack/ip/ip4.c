/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 input and output (RFC 791, RFC 1122 3.2.1).
 *
 * Input, in the kernel's order: validate the header (each failure a counted drop), then the
 * route decision on the ingress interface (its own address, a broadcast, the all-hosts group;
 * a host never forwards), then reassembly of fragments, then delivery to the protocol
 * handler. An unknown protocol is answered with ICMP protocol unreachable.
 *
 * Output: ursa_ip_output (ip.c) routes; ip4_output prepends the header, fragments when the
 * packet exceeds the interface MTU (or refuses with -EMSGSIZE when DF), and hands every
 * packet to ip_l2_output.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "ip_priv.h"

#define IP4_ADDR(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (c) << 8 | (d))

/* Limited broadcast, or the subnet-directed broadcast of one of ifc's prefixes. */
bool ip4_is_bcast(const struct ursa_iface *ifc, rte_be32_t a)
{
	uint32_t h = rte_be_to_cpu_32(a);

	if (h == 0xffffffff)
		return true;
	for (unsigned i = 0; i < ifc->n4; i++) {
		uint8_t plen = ifc->v4[i].plen;
		uint32_t mask = plen ? ~0u << (32 - plen) : 0;

		/* /31 and /32 have no broadcast address (RFC 3021). */
		if (plen < 31 && (h & ~mask) == ~mask &&
		    ((h ^ rte_be_to_cpu_32(ifc->v4[i].addr.v4)) & mask) == 0)
			return true;
	}
	return false;
}

static void ip4_drop(struct ursa_lcore *lc, struct rte_mbuf *m, enum ip_counter why)
{
	lc->ip->c[why]++;
	rte_pktmbuf_free(m);
}

void ip4_input(struct ursa_lcore *lc, struct ursa_iface *ifc, struct rte_mbuf *m)
{
	struct ursa_ip_ctx *ip = lc->ip;
	struct rte_ip_frag_tbl *tbl;
	struct rte_ipv4_hdr *h;
	struct ursa_ip_info info;
	uint32_t len = rte_pktmbuf_pkt_len(m), hlen, tot, src, dst;
	uint16_t frag;
	/* a frame handed over by another shard was counted there */
	uint64_t first = (ursa_pkt_meta(m)->rx_flags & URSA_RX_DISPATCHED) == 0;

	ip->c[IP_C_rx] += first;
	if (len < sizeof(*h) || rte_pktmbuf_data_len(m) < sizeof(*h))
		return ip4_drop(lc, m, IP_C_drop_short);
	h = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	if ((h->version_ihl >> 4) != 4)
		return ip4_drop(lc, m, IP_C_drop_version);
	hlen = (h->version_ihl & 0xf) * 4u;
	if (hlen < sizeof(*h) || hlen > len || hlen > rte_pktmbuf_data_len(m))
		return ip4_drop(lc, m, IP_C_drop_bad_ihl);
	tot = rte_be_to_cpu_16(h->total_length);
	if (tot < hlen || tot > len)
		return ip4_drop(lc, m, IP_C_drop_bad_len);
	if (rte_raw_cksum(h, hlen) != 0xffff)
		return ip4_drop(lc, m, IP_C_drop_bad_cksum);
	if (tot < len) {
		/* Link padding (short frames are padded to 60 bytes). */
		ip_mbuf_trim(m, tot);
		ip->c[IP_C_rx_padding_trimmed]++;
	}
	src = rte_be_to_cpu_32(h->src_addr);
	dst = rte_be_to_cpu_32(h->dst_addr);
	/* Source checks (RFC 1122 3.2.1.3): never a group, a broadcast, or this network. A
	 * DHCP-like 0.0.0.0 to broadcast has nobody to answer here either. */
	if (src == 0)
		return ip4_drop(lc, m, IP_C_drop_src_zero);
	if (ip4_is_mcast(src) || ip4_is_bcast(ifc, h->src_addr) || (src >> 24) == 127 ||
	    (src >> 24) == 0)
		return ip4_drop(lc, m, IP_C_drop_bad_src);
	memset(&info, 0, sizeof(info));
	info.src.family = AF_INET;
	info.src.v4 = h->src_addr;
	info.dst.family = AF_INET;
	info.dst.v4 = h->dst_addr;
	/* One of this interface's own addresses as the source: a spoof, or our own frame
	 * looped back; never a peer (the kernel's "martian source", accept_local=0). */
	if (ursa_iface_has_addr(ifc, &info.src) != NULL)
		return ip4_drop(lc, m, IP_C_drop_src_own);
	if (hlen > sizeof(*h))
		ip->c[IP_C_rx_options]++; /* options are skipped */

	/* The route decision on this interface. */
	if (ursa_iface_has_addr(ifc, &info.dst) != NULL) {
		info.dst_kind = URSA_IP_DST_UNICAST;
	} else if (ip4_is_bcast(ifc, h->dst_addr)) {
		info.dst_kind = URSA_IP_DST_BCAST;
		ip->c[IP_C_rx_bcast]++;
	} else if (ip4_is_mcast(dst)) {
		/* Only the all-hosts group is joined (RFC 1112 7.2). */
		if (dst != IP4_ADDR(224, 0, 0, 1))
			return ip4_drop(lc, m, IP_C_drop_mcast_not_joined);
		info.dst_kind = URSA_IP_DST_MCAST;
		ip->c[IP_C_rx_mcast]++;
	} else {
		return ip4_drop(lc, m, IP_C_drop_not_local); /* a host never forwards */
	}

	frag = rte_be_to_cpu_16(h->fragment_offset);
	if (frag & (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) {
		uint32_t off = (uint32_t)(frag & RTE_IPV4_HDR_OFFSET_MASK) * 8;
		uint32_t plen = tot - hlen;

		ip->c[IP_C_rx_frags]++;
		/* Every fragment but the last carries a multiple of 8 bytes; nothing beyond 64 KiB.
		 */
		if (plen == 0 || off + plen > 65535 ||
		    ((frag & RTE_IPV4_HDR_MF_FLAG) && (plen & 7) != 0))
			return ip4_drop(lc, m, IP_C_drop_bad_frag);
		tbl = ip4_frag_table(lc, ifc);
		if (tbl == NULL)
			return ip4_drop(lc, m, IP_C_drop_frag_nomem);
		switch (ip_frag_charge(lc, ifc, m)) {
		case 0:
			break;
		case -EDQUOT:
			return ip4_drop(lc, m, IP_C_drop_frag_quota);
		default:
			return ip4_drop(lc, m, IP_C_drop_frag_pool_share);
		}
		m->l2_len = 0; /* data starts at L3 */
		m->l3_len = hlen;
		m = rte_ipv4_frag_reassemble_packet(tbl, &ip->death_row, m, ursa_now(lc), h);
		/* Table full, overlap, too many fragments: what went to death row is dropped. */
		ip->c[IP_C_drop_frag_fail] += ip->death_row.cnt;
		ip_frag_settle(lc, ifc->index, &ip->death_row, 0, m);
		rte_ip_frag_free_death_row(&ip->death_row, 0);
		if (m == NULL)
			return; /* held until the rest arrives */
		ip->c[IP_C_rx_reassembled]++;
		h = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
		hlen = (h->version_ihl & 0xf) * 4u; /* the first fragment's header */
		tot = rte_pktmbuf_pkt_len(m);
	}

	info.proto = h->next_proto_id;
	info.ttl = h->time_to_live;
	info.tos = h->type_of_service;
	info.l4_len = (uint16_t)(tot - hlen);
	m->l3_len = hlen;
	rte_pktmbuf_adj(m, (uint16_t)hlen);
	if (ip_deliver(lc, ifc, m, &info)) {
		ip->c[IP_C_rx_delivered] += first;
		return;
	}
	/* No transport for this protocol: RFC 1122 3.2.2.1, as the kernel does. */
	rte_pktmbuf_prepend(m, (uint16_t)hlen);
	if (info.dst_kind == URSA_IP_DST_UNICAST)
		icmp4_error(lc, ifc, m, ICMP_TYPE_DEST_UNREACH, ICMP_CODE_PROTO_UNREACH, 0);
	ip4_drop(lc, m, IP_C_drop_unknown_proto);
}

/* Send one finished IPv4 packet or fragment. */
static int ip4_send(struct ursa_lcore *lc, struct ursa_iface *ifc, const struct ursa_ipaddr *nh,
		    struct rte_mbuf *m)
{
	lc->ip->c[IP_C_tx]++;
	return ip_l2_output(lc, ifc, nh, m);
}

int ip4_output(struct ursa_lcore *lc, const struct ursa_ip_tx *tx, struct ursa_iface *ifc,
	       const struct ursa_ipaddr *nh, const struct ursa_ipaddr *src, struct rte_mbuf *m)
{
	struct ursa_ip_ctx *ip = lc->ip;
	struct rte_mbuf *frags[IP_MAX_FRAGS];
	struct rte_ipv4_hdr *h;
	uint16_t hlen = (uint16_t)(sizeof(*h) + tx->opts_len);
	uint32_t tot = rte_pktmbuf_pkt_len(m) + hlen;
	uint16_t mtu;
	int32_t n;
	int rc = 0;

	if (tx->opts_len > 40 || tx->opts_len % 4 || (tx->opts_len && tx->opts == NULL)) {
		ip->c[IP_C_drop_bad_opts]++;
		rte_pktmbuf_free(m);
		return -EINVAL;
	}
	if (tot > 65535) {
		ip->c[IP_C_drop_msgsize]++;
		rte_pktmbuf_free(m);
		return -EMSGSIZE;
	}
	if (tot > ifc->mtu && tx->df) {
		ip->c[IP_C_drop_msgsize]++;
		rte_pktmbuf_free(m);
		return -EMSGSIZE;
	}
	h = (struct rte_ipv4_hdr *)rte_pktmbuf_prepend(m, hlen);
	if (h == NULL) {
		ip->c[IP_C_drop_no_headroom]++;
		rte_pktmbuf_free(m);
		return -ENOBUFS;
	}
	h->version_ihl = (uint8_t)(0x40 | hlen / 4);
	if (tx->opts_len)
		memcpy(h + 1, tx->opts, tx->opts_len);
	h->type_of_service = tx->tos;
	h->total_length = rte_cpu_to_be_16((uint16_t)tot);
	h->packet_id = rte_cpu_to_be_16(ip->ip4_id++);
	h->fragment_offset = tx->df ? RTE_BE16(RTE_IPV4_HDR_DF_FLAG) : 0;
	h->time_to_live = tx->ttl ? tx->ttl : IP_DEFAULT_TTL;
	h->next_proto_id = tx->proto;
	h->hdr_checksum = 0;
	h->src_addr = src->v4;
	h->dst_addr = tx->dst.v4;
	h->hdr_checksum = rte_ipv4_cksum(h);
	m->l3_len = hlen;
	if (tot <= ifc->mtu)
		return ip4_send(lc, ifc, nh, m);

	/* Fragment: each piece but the last carries a multiple of 8 bytes. */
	mtu = (uint16_t)(hlen + ((ifc->mtu - hlen) & ~7u));
	n = rte_ipv4_fragment_packet(m, frags, IP_MAX_FRAGS, mtu, lc->pool, ip->indirect_pool);
	rte_pktmbuf_free(m); /* the fragments hold their own references to its data */
	if (n < 0) {
		ip->c[IP_C_drop_frag_fail]++;
		return n;
	}
	for (int32_t i = 0; i < n; i++) {
		struct rte_ipv4_hdr *fh = rte_pktmbuf_mtod(frags[i], struct rte_ipv4_hdr *);
		int r;

		memset(ursa_pkt_meta(frags[i]), 0, sizeof(struct ursa_pkt_meta));
		fh->hdr_checksum = 0;
		fh->hdr_checksum = rte_ipv4_cksum(fh);
		ip->c[IP_C_tx_frags]++;
		r = ip4_send(lc, ifc, nh, frags[i]);
		if (r < 0 && rc == 0)
			rc = r;
	}
	return rc;
}
