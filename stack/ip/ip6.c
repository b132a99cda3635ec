/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ip6: IPv6 input and output (RFC 8200).
 *
 * Input validates the fixed header, trims link padding, then takes the route decision before
 * anything else: the destination must be one of this interface's (non-tentative) addresses,
 * or a multicast group the interface is in (all-nodes, its solicited-node groups). Extension
 * headers are walked in order: hop-by-hop (first only) and destination options have their
 * options checked, a routing header with segments left is refused, fragments are reassembled
 * with rte_ip_frag in a table of the ingress interface (tenants never mix fragments). ICMPv6
 * is handled here; every other upper layer goes to the shared protocol table, and an unknown
 * next header is answered with a parameter problem.
 *
 * Output (after the shared route decision in ip.c) prepends the header with the caller's
 * traffic class, flow label and hop limit (64 by default); a packet larger than the MTU is
 * fragmented with rte_ip_frag under a random identification. The link is reached through
 * ip_l2_output: groups map to 33:33 + their low 32 bits, unicast goes through the neighbour
 * cache, whose AF_INET6 resolver is in nd.c.
 */
/* rte_ip_frag_table_del_expired_entries is still experimental in DPDK 22.11. */
#define ALLOW_EXPERIMENTAL_API

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "ip6_hdr.h"
#include "ip_priv.h"

static const char *const ip6_counter_names[] = {IP6_COUNTERS(URSA_COUNTER_NAME)};
static const char *const icmp6_counter_names[] = {ICMP6_COUNTERS(URSA_COUNTER_NAME)};

#define C6(lc, name) ((lc)->ip->ip6.c[IP6_C_##name]++)

int ip6_init(struct ursa_lcore *lc)
{
	struct ip6_state *s = &lc->ip->ip6;
	int rc;

	memset(s, 0, sizeof(*s));
	rc = ursa_stats_register(lc, "ip6", ip6_counter_names, s->c, IP6_C_MAX);
	if (rc == 0)
		rc = ursa_stats_register(lc, "icmp6", icmp6_counter_names, s->icmp6_c, ICMP6_C_MAX);
	if (rc == 0)
		rc = nd_init(lc);
	return rc;
}

static bool is_mcast6(const uint8_t *a)
{
	return a[0] == 0xff;
}

static bool is_loopback6(const uint8_t *a)
{
	static const uint8_t lo[16] = {[15] = 1};

	return memcmp(a, lo, 16) == 0;
}

void ip6_solicited_node(const uint8_t *addr, struct ursa_ipaddr *grp)
{
	memset(grp, 0, sizeof(*grp));
	grp->family = AF_INET6;
	grp->v6[0] = 0xff;
	grp->v6[1] = 0x02;
	grp->v6[11] = 0x01;
	grp->v6[12] = 0xff;
	memcpy(&grp->v6[13], &addr[13], 3);
}

bool ip6_mcast_joined(struct ursa_lcore *lc, const struct ursa_iface *ifc, const uint8_t *grp)
{
	static const uint8_t all_nodes[16] = {0xff, 0x02, [15] = 0x01};
	static const uint8_t solnode[13] = {0xff, 0x02, [11] = 0x01, [12] = 0xff};
	const struct ip6_state *s = &lc->ip->ip6;

	if (memcmp(grp, all_nodes, 16) == 0)
		return true;
	if (memcmp(grp, solnode, sizeof(solnode)) != 0)
		return false;
	for (unsigned i = 0; i < ifc->n6; i++)
		if (s->dad[ifc->index][i].state != IP6_DAD_DUPLICATE &&
		    memcmp(&ifc->v6[i].addr.v6[13], &grp[13], 3) == 0)
			return true;
	return false;
}

/* ---- input ---- */

/* The verdict on one packet's extension headers; the names double as counter reasons. */
enum ip6_ext_verdict {
	IP6_EXT_OK,
	IP6_EXT_DISCARD, /* drop silently (counted) */
	IP6_EXT_PARAM,	 /* drop and answer with a parameter problem */
};

/* Check the options of a hop-by-hop or destination options header at [off, end): unknown
 * options act on their two high type bits (RFC 8200 4.2). *code / *ptr describe the
 * parameter problem to send. */
static enum ip6_ext_verdict ip6_check_opts(const struct rte_mbuf *m, uint32_t off, uint32_t end,
					   bool hbh, bool dst_mcast, uint8_t *code, uint32_t *ptr)
{
	uint32_t p = off + 2;

	while (p < end) {
		uint8_t tl[2];
		const uint8_t *o = rte_pktmbuf_read(m, p, 1, tl);

		if (o[0] == IP6_OPT_PAD1) {
			p++;
			continue;
		}
		o = p + 2 <= end ? rte_pktmbuf_read(m, p, 2, tl) : NULL;
		if (o == NULL || p + 2 + o[1] > end) {
			/* The option runs past its header: the header is malformed. */
			*code = ICMP6_PARAM_PROB_HEADER;
			*ptr = p;
			return IP6_EXT_PARAM;
		}
		if (o[0] == IP6_OPT_PADN || (hbh && o[0] == IP6_OPT_ROUTER_ALERT)) {
			p += 2u + o[1];
			continue;
		}
		switch (IP6_OPT_ACTION(o[0])) {
		case IP6_OPT_ACT_SKIP:
			break;
		case IP6_OPT_ACT_DISCARD:
			return IP6_EXT_DISCARD;
		case IP6_OPT_ACT_ICMP_NOT_MCAST:
			if (dst_mcast)
				return IP6_EXT_DISCARD;
			/* fall through */
		default:
			*code = ICMP6_PARAM_PROB_OPTION;
			*ptr = p;
			return IP6_EXT_PARAM;
		}
		p += 2u + o[1];
	}
	return IP6_EXT_OK;
}

/* Drop m with a parameter problem about the field at ptr (offset from the IPv6 header). */
static void ip6_param_problem(struct ursa_lcore *lc, struct ursa_iface *ifc, struct rte_mbuf *m,
			      uint8_t code, uint32_t ptr)
{
	icmp6_error(lc, ifc, m, ICMP6_PARAM_PROB, code, ptr);
	rte_pktmbuf_free(m);
}

#define IP6_FRAG_BUCKETS	16
#define IP6_FRAG_BUCKET_ENTRIES 4
#define IP6_FRAG_MAX_ENTRIES	64

static unsigned ip6_frag_poll(struct ursa_lcore *lc, void *arg)
{
	struct ip6_state *s = &lc->ip->ip6;
	unsigned n;

	(void)arg;
	n = s->death_row.cnt;
	for (uint16_t i = 0; i < lc->nb_ifaces; i++) {
		uint32_t before = s->death_row.cnt;

		if (s->frag_tbl[i] == NULL)
			continue;
		rte_ip_frag_table_del_expired_entries(s->frag_tbl[i], &s->death_row, ursa_now(lc));
		ip_frag_settle(lc, i, &s->death_row, before, NULL);
	}
	n = s->death_row.cnt - n;
	s->c[IP6_C_drop_frag_timeout] += n; /* fragments of datagrams that never completed */
	rte_ip_frag_free_death_row(&s->death_row, 0);
	return n;
}

/* Added after ip.c's own fini hook, so it runs before lc->ip is freed. */
static void ip6_frag_fini(struct ursa_lcore *lc)
{
	struct ip6_state *s;

	if (lc->ip == NULL)
		return;
	s = &lc->ip->ip6;
	for (unsigned i = 0; i < URSA_MAX_IFACES; i++) {
		if (s->frag_tbl[i] == NULL)
			continue;
		rte_ip_frag_table_del_expired_entries(s->frag_tbl[i], &s->death_row, UINT64_MAX);
		ip_frag_settle(lc, (uint16_t)i, &s->death_row, 0, NULL);
		rte_ip_frag_free_death_row(&s->death_row, 0);
		rte_ip_frag_table_destroy(s->frag_tbl[i]);
		s->frag_tbl[i] = NULL;
	}
}

static struct rte_ip_frag_tbl *ip6_frag_table(struct ursa_lcore *lc, const struct ursa_iface *ifc)
{
	struct ip6_state *s = &lc->ip->ip6;

	if (s->frag_tbl[ifc->index] != NULL)
		return s->frag_tbl[ifc->index];
	if (!s->frag_hooks) {
		if (ursa_lcore_add_fini_hook(lc, ip6_frag_fini) != 0)
			return NULL;
		if (ursa_lcore_add_poll_hook(lc, ip6_frag_poll, NULL) != 0)
			return NULL; /* the fini hook stays: harmless */
		s->frag_hooks = true;
	}
	/* The timebase is ns of the injected clock, like ip.c's table. */
	s->frag_tbl[ifc->index] = rte_ip_frag_table_create(
		IP6_FRAG_BUCKETS, IP6_FRAG_BUCKET_ENTRIES, IP6_FRAG_MAX_ENTRIES, IP_FRAG_TIMEOUT_NS,
		(int)rte_socket_id());
	return s->frag_tbl[ifc->index];
}

/* A fragment header at off (nh_off: where its type was named). Returns the reassembled packet
 * (data at its IPv6 header, the fragment header and everything before it but the IPv6 header
 * removed) or NULL when m was kept for later or dropped. */
static struct rte_mbuf *ip6_reassemble(struct ursa_lcore *lc, struct ursa_iface *ifc,
				       struct rte_mbuf *m, uint32_t off)
{
	struct ip6_state *s = &lc->ip->ip6;
	struct rte_ipv6_fragment_ext fh;
	struct rte_ip_frag_tbl *tbl;
	struct rte_ipv6_hdr *h;
	uint32_t frag_len, fo, dr_before;
	struct rte_mbuf *r;
	uint16_t fd;

	if (off + sizeof(fh) > m->pkt_len || off + sizeof(fh) > rte_pktmbuf_data_len(m)) {
		C6(lc, drop_bad_ext);
		rte_pktmbuf_free(m);
		return NULL;
	}
	memcpy(&fh, rte_pktmbuf_mtod_offset(m, void *, off), sizeof(fh));
	fd = rte_be_to_cpu_16(fh.frag_data);
	fo = RTE_IPV6_GET_FO(fd) * 8u;
	frag_len = m->pkt_len - off - (uint32_t)sizeof(fh);
	C6(lc, rx_frags);
	/* RFC 8200 4.5: all but the last fragment carry a multiple of 8 bytes, and the whole
	 * packet fits in 65535 bytes; both answered with a parameter problem. */
	if (RTE_IPV6_GET_MF(fd) && (frag_len == 0 || frag_len % 8 != 0)) {
		C6(lc, drop_bad_frag);
		ip6_param_problem(lc, ifc, m, ICMP6_PARAM_PROB_HEADER,
				  offsetof(struct rte_ipv6_hdr, payload_len));
		return NULL;
	}
	if (fo + frag_len > 65535) {
		C6(lc, drop_bad_frag);
		ip6_param_problem(lc, ifc, m, ICMP6_PARAM_PROB_HEADER, off + 2);
		return NULL;
	}
	tbl = ip6_frag_table(lc, ifc);
	if (tbl == NULL) {
		C6(lc, drop_frag_nomem);
		rte_pktmbuf_free(m);
		return NULL;
	}
	/* rte_ip_frag wants the fragment header right after the IPv6 header: move the IPv6
	 * header over the (already processed) unfragmentable extension headers. */
	h = rte_pktmbuf_mtod(m, struct rte_ipv6_hdr *);
	if (off > IP6_HDR_LEN) {
		uint32_t gap = off - IP6_HDR_LEN;

		memmove(rte_pktmbuf_mtod_offset(m, uint8_t *, gap), h, IP6_HDR_LEN);
		rte_pktmbuf_adj(m, (uint16_t)gap);
		h = rte_pktmbuf_mtod(m, struct rte_ipv6_hdr *);
		h->payload_len = rte_cpu_to_be_16((uint16_t)(m->pkt_len - IP6_HDR_LEN));
	}
	h->proto = IP6_NH_FRAGMENT;
	switch (ip_frag_charge(lc, ifc, m)) {
	case 0:
		break;
	case -EDQUOT:
		C6(lc, drop_frag_quota);
		rte_pktmbuf_free(m);
		return NULL;
	default:
		C6(lc, drop_frag_pool_share);
		rte_pktmbuf_free(m);
		return NULL;
	}
	m->l2_len = 0;
	m->l3_len = IP6_HDR_LEN + sizeof(fh);
	dr_before = s->death_row.cnt;
	r = rte_ipv6_frag_reassemble_packet(tbl, &s->death_row, m, ursa_now(lc), h,
					    rte_pktmbuf_mtod_offset(m, void *, IP6_HDR_LEN));
	ip_frag_settle(lc, ifc->index, &s->death_row, dr_before, r);
	if (s->death_row.cnt != dr_before) {
		/* Table full, overlap, too many fragments, or an invalid one. */
		s->c[IP6_C_drop_frag_fail] += s->death_row.cnt - dr_before;
		rte_ip_frag_free_death_row(&s->death_row, 0);
	}
	if (r == NULL)
		return NULL;
	C6(lc, rx_reassembled);
	r->l2_len = 0;
	r->l3_len = 0;
	return r;
}

void ip6_input(struct ursa_lcore *lc, struct ursa_iface *ifc, struct rte_mbuf *m)
{
	struct ursa_ip_info info = {.src.family = AF_INET6, .dst.family = AF_INET6};
	uint32_t off, nh_off, plen;
	bool first = true;
	struct rte_ipv6_hdr *h;
	uint8_t nh;
	/* a frame handed over by another shard was counted there */
	uint64_t seen = (ursa_pkt_meta(m)->rx_flags & URSA_RX_DISPATCHED) == 0;

	lc->ip->ip6.c[IP6_C_rx] += seen;
	if (m->pkt_len < IP6_HDR_LEN || rte_pktmbuf_data_len(m) < IP6_HDR_LEN) {
		C6(lc, drop_short);
		goto drop;
	}
	h = rte_pktmbuf_mtod(m, struct rte_ipv6_hdr *);
	if (rte_be_to_cpu_32(h->vtc_flow) >> 28 != 6) {
		C6(lc, drop_version);
		goto drop;
	}
	plen = rte_be_to_cpu_16(h->payload_len);
	if (IP6_HDR_LEN + plen > m->pkt_len) {
		C6(lc, drop_bad_len);
		goto drop;
	}
	ip_mbuf_trim(m, IP6_HDR_LEN + plen);
	if (is_mcast6(h->src_addr)) {
		C6(lc, drop_src_mcast);
		goto drop;
	}
	if (is_loopback6(h->src_addr)) {
		C6(lc, drop_src_loopback);
		goto drop;
	}
	memcpy(info.src.v6, h->src_addr, 16);
	memcpy(info.dst.v6, h->dst_addr, 16);
	/* One of this interface's own (non-tentative) addresses as the source: a spoof, or our
	 * own packet looped back. A node defending an address we probe (DAD) still gets
	 * through: tentative addresses are not ours yet. */
	if (ursa_iface_has_addr(ifc, &info.src) != NULL) {
		C6(lc, drop_src_own);
		goto drop;
	}
	/* The route decision: this interface's address, or a group it is in. */
	if (is_mcast6(h->dst_addr)) {
		if (!ip6_mcast_joined(lc, ifc, h->dst_addr)) {
			C6(lc, drop_mcast_not_joined);
			goto drop;
		}
		C6(lc, rx_mcast);
		info.dst_kind = URSA_IP_DST_MCAST;
	} else if (ursa_iface_has_addr(ifc, &info.dst) == NULL) {
		C6(lc, drop_not_local);
		goto drop;
	}
	info.ttl = h->hop_limits;
	info.tos = (uint8_t)(rte_be_to_cpu_32(h->vtc_flow) >> RTE_IPV6_HDR_TC_SHIFT);

	nh = h->proto;
	nh_off = offsetof(struct rte_ipv6_hdr, proto);
	off = IP6_HDR_LEN;
	for (;;) {
		struct ip6_rt_hdr eh;
		enum ip6_ext_verdict v;
		uint32_t len, ptr = 0;
		uint8_t code = 0;

		switch (nh) {
		case IP6_NH_HOPOPTS:
		case IP6_NH_DSTOPTS:
			if (nh == IP6_NH_HOPOPTS && !first) {
				/* RFC 8200 4.1: only right after the IPv6 header. */
				C6(lc, drop_hbh_not_first);
				ip6_param_problem(lc, ifc, m, ICMP6_PARAM_PROB_NEXTHEADER, nh_off);
				return;
			}
			if (off + 2 > m->pkt_len) {
				C6(lc, drop_bad_ext);
				goto drop;
			}
			ip6_copy(m, off, 2, &eh);
			len = (eh.len + 1u) * 8u;
			if (off + len > m->pkt_len) {
				C6(lc, drop_bad_ext);
				goto drop;
			}
			v = ip6_check_opts(m, off, off + len, nh == IP6_NH_HOPOPTS,
					   info.dst_kind == URSA_IP_DST_MCAST, &code, &ptr);
			if (v != IP6_EXT_OK) {
				C6(lc, drop_bad_option);
				if (v == IP6_EXT_PARAM)
					ip6_param_problem(lc, ifc, m, code, ptr);
				else
					rte_pktmbuf_free(m);
				return;
			}
			C6(lc, rx_ext_hdrs);
			nh_off = off;
			nh = eh.next;
			off += len;
			break;
		case IP6_NH_ROUTING:
			if (off + sizeof(eh) > m->pkt_len) {
				C6(lc, drop_bad_ext);
				goto drop;
			}
			ip6_copy(m, off, sizeof(eh), &eh);
			len = (eh.len + 1u) * 8u;
			if (off + len > m->pkt_len) {
				C6(lc, drop_bad_ext);
				goto drop;
			}
			if (eh.segleft != 0) {
				/* RFC 8200 4.4: no routing type is implemented here (type 0 is
				 * deprecated by RFC 5095), so segments left means a parameter
				 * problem pointing at the routing type. */
				C6(lc, drop_routing);
				ip6_param_problem(lc, ifc, m, ICMP6_PARAM_PROB_HEADER, off + 2);
				return;
			}
			C6(lc, rx_ext_hdrs);
			nh_off = off;
			nh = eh.next;
			off += len;
			break;
		case IP6_NH_FRAGMENT: {
			struct rte_ipv6_fragment_ext fh;

			if (off + sizeof(fh) > m->pkt_len) {
				C6(lc, drop_bad_ext);
				goto drop;
			}
			ip6_copy(m, off, sizeof(fh), &fh);
			if (RTE_IPV6_GET_FO(rte_be_to_cpu_16(fh.frag_data)) == 0 &&
			    !RTE_IPV6_GET_MF(rte_be_to_cpu_16(fh.frag_data))) {
				/* RFC 6946: an atomic fragment is processed as a whole packet. */
				C6(lc, rx_atomic_frags);
				nh_off = off;
				nh = fh.next_header;
				off += sizeof(fh);
				break;
			}
			m = ip6_reassemble(lc, ifc, m, off);
			if (m == NULL)
				return;
			/* Parse the whole datagram again, after its IPv6 header. */
			h = rte_pktmbuf_mtod(m, struct rte_ipv6_hdr *);
			nh = h->proto;
			nh_off = offsetof(struct rte_ipv6_hdr, proto);
			off = IP6_HDR_LEN;
			break;
		}
		case IP6_NH_NONE:
			C6(lc, rx_no_next_header);
			goto drop;
		default:
			goto upper;
		}
		first = false;
	}

upper:
	if (off > rte_pktmbuf_data_len(m)) {
		/* Extension headers spill out of the first segment (never from a port). */
		C6(lc, drop_bad_ext);
		goto drop;
	}
	info.proto = nh;
	info.l4_len = (uint16_t)(m->pkt_len - off);
	m->l3_len = off;
	if (nh == IP6_NH_ICMPV6) {
		C6(lc, rx_delivered);
		rte_pktmbuf_adj(m, (uint16_t)off);
		icmp6_input(lc, ifc, m, &info);
		return;
	}
	if (lc->ip->handlers[nh] == NULL) {
		/* RFC 8200 4: an unrecognised next header is answered (code 1), pointing at the
		 * field that named it; Linux does the same. */
		C6(lc, drop_unknown_proto);
		ip6_param_problem(lc, ifc, m, ICMP6_PARAM_PROB_NEXTHEADER, nh_off);
		return;
	}
	lc->ip->ip6.c[IP6_C_rx_delivered] += seen;
	rte_pktmbuf_adj(m, (uint16_t)off);
	ip_deliver(lc, ifc, m, &info);
	return;

drop:
	rte_pktmbuf_free(m);
}

/* ---- output ---- */

int ip6_push_hdr(struct ursa_lcore *lc, struct rte_mbuf *m, const struct ursa_ipaddr *src,
		 const struct ursa_ipaddr *dst, uint8_t proto, uint8_t hlim)
{
	uint32_t plen = m->pkt_len;
	struct rte_ipv6_hdr *h;

	(void)lc;
	h = (struct rte_ipv6_hdr *)rte_pktmbuf_prepend(m, IP6_HDR_LEN);
	if (h == NULL)
		return -ENOBUFS;
	h->vtc_flow = rte_cpu_to_be_32(6u << 28);
	h->payload_len = rte_cpu_to_be_16((uint16_t)plen);
	h->proto = proto;
	h->hop_limits = hlim;
	memcpy(h->src_addr, src->v6, 16);
	memcpy(h->dst_addr, dst->v6, 16);
	m->l3_len = IP6_HDR_LEN;
	return 0;
}

/* Send m (IPv6 header first, no extension headers) larger than ifc's MTU in fragments of the
 * largest multiple of 8 that fits (RFC 8200 4.5), under one random identification (RFC 7739). */
static int ip6_fragment_out(struct ursa_lcore *lc, struct ursa_iface *ifc,
			    const struct ursa_ipaddr *nh, struct rte_mbuf *m)
{
	const uint32_t hl = IP6_HDR_LEN + sizeof(struct rte_ipv6_fragment_ext);
	struct rte_mbuf *frags[IP_MAX_FRAGS];
	rte_be32_t id = rte_cpu_to_be_32(ursa_secret_u32(&lc->secret));
	int32_t n;
	int rc = 0;

	if (ifc->mtu < hl + 8) {
		C6(lc, drop_msgsize);
		rte_pktmbuf_free(m);
		return -EMSGSIZE;
	}
	n = rte_ipv6_fragment_packet(m, frags, IP_MAX_FRAGS,
				     (uint16_t)(hl + ((ifc->mtu - hl) & ~7u)), lc->pool,
				     lc->ip->indirect_pool);
	rte_pktmbuf_free(m); /* the fragments hold their own references to its data */
	if (n < 0) {
		C6(lc, drop_frag_out_fail);
		return n;
	}
	for (int32_t i = 0; i < n; i++) {
		struct rte_ipv6_fragment_ext *fh = rte_pktmbuf_mtod_offset(
			frags[i], struct rte_ipv6_fragment_ext *, IP6_HDR_LEN);
		int r;

		memset(ursa_pkt_meta(frags[i]), 0, sizeof(struct ursa_pkt_meta));
		fh->id = id;
		C6(lc, tx_frags);
		r = ip_l2_output(lc, ifc, nh, frags[i]);
		if (r < 0 && rc == 0)
			rc = r;
	}
	return rc;
}

int ip6_output(struct ursa_lcore *lc, const struct ursa_ip_tx *tx, struct ursa_iface *ifc,
	       const struct ursa_ipaddr *nh, const struct ursa_ipaddr *src, struct rte_mbuf *m)
{
	struct rte_ipv6_hdr *h;

	if (m->pkt_len > UINT16_MAX) {
		C6(lc, drop_msgsize);
		rte_pktmbuf_free(m);
		return -EMSGSIZE;
	}
	if (ip6_push_hdr(lc, m, src, &tx->dst, tx->proto, tx->ttl ? tx->ttl : IP6_DEFAULT_HLIM) !=
	    0) {
		C6(lc, drop_no_headroom);
		rte_pktmbuf_free(m);
		return -ENOBUFS;
	}
	h = rte_pktmbuf_mtod(m, struct rte_ipv6_hdr *);
	h->vtc_flow = rte_cpu_to_be_32(6u << 28 | (uint32_t)tx->tos << RTE_IPV6_HDR_TC_SHIFT |
				       (tx->flowlabel & RTE_IPV6_HDR_FL_MASK));
	C6(lc, tx);
	if (is_mcast6(tx->dst.v6))
		C6(lc, tx_mcast);
	if (m->pkt_len > ifc->mtu)
		return ip6_fragment_out(lc, ifc, nh, m);
	return ip_l2_output(lc, ifc, nh, m);
}
