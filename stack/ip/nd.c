/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nd: IPv6 neighbour discovery (RFC 4861) and duplicate address detection (RFC 4862 5.4).
 *
 * Neighbour solicitations for our addresses are answered with solicited advertisements and
 * their source link-layer option is learned into the shared neighbour cache; advertisements
 * update it (REACHABLE when solicited). The AF_INET6 resolver of the cache sends solicitations
 * to the solicited-node group, or unicast probes. Routers' messages are validated and counted
 * but not acted on: addresses are static, there is no SLAAC. Messages are laid out as Linux
 * sends them (hop limit 255, traffic class and flow label 0, the link-layer option last, the
 * DAD probe with a nonce option and no link-layer option).
 *
 * DAD (ursa_ip6_announce): every address becomes tentative; link-local ones are probed first
 * (one solicitation from :: after a random delay of up to 1 s, then RetransTimer, 1 s), the
 * others after. A solicitation from :: or an advertisement for a tentative address marks it
 * duplicate: it stays unusable. A successful address becomes preferred and is announced with
 * one unsolicited advertisement to all-nodes. An interface never announced skips DAD: its
 * addresses are usable as configured (tests, pcap replays).
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "ip6_hdr.h"
#include "ip_priv.h"

#define CI6(lc, name) ((lc)->ip->ip6.icmp6_c[ICMP6_C_##name]++)

#define ND_RETRANS_NS		    URSA_NS_PER_S /* RetransTimer (RFC 4861 10) */
#define ND_MAX_RTR_SOLICIT_DELAY_NS URSA_NS_PER_S /* DAD's random initial delay bound */
#define ND_MAX_MSG		    1500	  /* larger ND messages are not valid here */

static const struct ursa_ipaddr all_nodes = {.family = AF_INET6, .v6 = {0xff, 0x02, [15] = 0x01}};
static const struct ursa_ipaddr unspec = {.family = AF_INET6};

static bool is_unspec(const struct ursa_ipaddr *a)
{
	return memcmp(a->v6, unspec.v6, 16) == 0;
}

static bool is_linklocal(const struct ursa_ipaddr *a)
{
	return a->v6[0] == 0xfe && (a->v6[1] & 0xc0) == 0x80;
}

static bool is_solicited_node(const struct ursa_ipaddr *a)
{
	static const uint8_t p[13] = {0xff, 0x02, [11] = 0x01, [12] = 0xff};

	return memcmp(a->v6, p, sizeof(p)) == 0;
}

/* The slot of target in ifc->v6 (any state), or -1. */
static int nd_find_addr(const struct ursa_iface *ifc, const uint8_t *target)
{
	for (unsigned i = 0; i < ifc->n6; i++)
		if (memcmp(ifc->v6[i].addr.v6, target, 16) == 0)
			return (int)i;
	return -1;
}

/* ---- building messages ---- */

/* An NS or NA with its target; the ICMPv6 data word is flags (NA) or zero (NS). */
static struct rte_mbuf *nd_build(struct ursa_lcore *lc, uint8_t type, uint32_t flags,
				 const uint8_t *target, size_t opt_len, void **opt)
{
	struct rte_mbuf *m = ursa_pkt_alloc(lc);
	struct nd_ns_na *msg;

	if (m == NULL)
		return NULL;
	msg = (struct nd_ns_na *)rte_pktmbuf_append(m, (uint16_t)(sizeof(*msg) + opt_len));
	if (msg == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(msg, 0, sizeof(*msg) + opt_len);
	msg->h.type = type;
	msg->h.data = rte_cpu_to_be_32(flags);
	memcpy(msg->target, target, 16);
	*opt = msg + 1;
	return m;
}

static void nd_lladdr_opt(void *p, uint8_t type, const struct rte_ether_addr *mac)
{
	struct nd_opt_lladdr *o = p;

	o->type = type;
	o->len = 1;
	memcpy(o->mac, mac->addr_bytes, RTE_ETHER_ADDR_LEN);
}

/* Prepend IPv6 (hop limit 255) and checksum, for a message sent on the link directly. */
static int nd_finish(struct ursa_lcore *lc, struct rte_mbuf *m, const struct ursa_ipaddr *src,
		     const struct ursa_ipaddr *dst)
{
	struct icmp6_hdr *ih = rte_pktmbuf_mtod(m, struct icmp6_hdr *);

	ih->cksum = 0;
	ih->cksum = ursa_ip_l4_cksum(src, dst, IP6_NH_ICMPV6, m, 0, m->pkt_len);
	return ip6_push_hdr(lc, m, src, dst, IP6_NH_ICMPV6, IP6_ND_HLIM);
}

static void nd_group_mac(const struct ursa_ipaddr *grp, struct rte_ether_addr *mac)
{
	*mac = (struct rte_ether_addr){
		{0x33, 0x33, grp->v6[12], grp->v6[13], grp->v6[14], grp->v6[15]}};
}

/* Send a neighbour advertisement for target (one of ifc's addresses) to dst. */
static void nd_send_na(struct ursa_lcore *lc, struct ursa_iface *ifc,
		       const struct ursa_ipaddr *target, const struct ursa_ipaddr *dst,
		       uint32_t flags)
{
	struct rte_mbuf *m;
	void *opt;

	m = nd_build(lc, ND_NEIGHBOR_ADVERT, flags, target->v6, sizeof(struct nd_opt_lladdr), &opt);
	if (m == NULL) {
		CI6(lc, drop_nd_nomem);
		return;
	}
	nd_lladdr_opt(opt, ND_OPT_TARGET_LLADDR, &ifc->mac);
	if (dst->v6[0] == 0xff) {
		struct rte_ether_addr mac;

		if (nd_finish(lc, m, target, dst) != 0) {
			rte_pktmbuf_free(m);
			CI6(lc, drop_nd_nomem);
			return;
		}
		nd_group_mac(dst, &mac);
		lc->ip->ip6.c[IP6_C_tx]++;
		lc->ip->ip6.c[IP6_C_tx_mcast]++;
		ursa_eth_output(lc, ifc, m, &mac, RTE_ETHER_TYPE_IPV6);
	} else if (icmp6_send(lc, ifc, target, dst, IP6_ND_HLIM, true, m) != 0) {
		return; /* counted by ip6 output / the neighbour cache */
	}
	CI6(lc, tx_na);
}

/* Send a neighbour solicitation for target. src NULL: a DAD probe from :: with nonce (no
 * link-layer option, RFC 4861 4.3). to_mac: unicast probe to this MAC; else to the target's
 * solicited-node group. */
static void nd_send_ns(struct ursa_lcore *lc, const struct ursa_iface *ifc,
		       const struct ursa_ipaddr *src, const struct ursa_ipaddr *target,
		       const struct rte_ether_addr *to_mac, const uint8_t *nonce)
{
	struct ursa_ipaddr dst;
	struct rte_ether_addr mac;
	struct rte_mbuf *m;
	void *opt;

	m = nd_build(lc, ND_NEIGHBOR_SOLICIT, 0, target->v6, 8, &opt);
	if (m == NULL) {
		CI6(lc, drop_nd_nomem);
		return;
	}
	if (src == NULL) {
		struct nd_opt_nonce *o = opt;

		o->type = ND_OPT_NONCE;
		o->len = 1;
		memcpy(o->nonce, nonce, ND_NONCE_LEN);
		src = &unspec;
	} else {
		nd_lladdr_opt(opt, ND_OPT_SOURCE_LLADDR, &ifc->mac);
	}
	if (to_mac != NULL) {
		dst = *target;
		mac = *to_mac;
	} else {
		ip6_solicited_node(target->v6, &dst);
		nd_group_mac(&dst, &mac);
	}
	if (nd_finish(lc, m, src, &dst) != 0) {
		rte_pktmbuf_free(m);
		CI6(lc, drop_nd_nomem);
		return;
	}
	lc->ip->ip6.c[IP6_C_tx]++;
	if (to_mac == NULL)
		lc->ip->ip6.c[IP6_C_tx_mcast]++;
	CI6(lc, tx_ns);
	ursa_eth_output(lc, ifc, m, &mac, RTE_ETHER_TYPE_IPV6);
}

/* The AF_INET6 resolver of the neighbour cache. */
static void nd_solicit(struct ursa_lcore *lc, const struct ursa_iface *ifc,
		       const struct ursa_ipaddr *addr, const struct rte_ether_addr *unicast_to)
{
	struct ursa_ipaddr src, ll = {.family = AF_INET6, .v6 = {0xfe, 0x80}};

	/* As Linux: a solicitation for a resolution in progress comes from the address the
	 * waiting packet would use to reach the target; a unicast reachability probe, which no
	 * packet waits for, from the link-local address (RFC 4861 7.2.2 allows either). */
	if (unicast_to != NULL && ursa_iface_pick_src(ifc, &ll, &src) == 0) {
		nd_send_ns(lc, ifc, &src, addr, unicast_to, NULL);
		return;
	}
	if (ursa_iface_pick_src(ifc, addr, &src) != 0) {
		CI6(lc, drop_nd_no_src);
		return;
	}
	nd_send_ns(lc, ifc, &src, addr, unicast_to, NULL);
}

/* ---- DAD ---- */

static void nd_dad_next(struct ursa_lcore *lc, struct ursa_iface *ifc);

static void nd_dad_timer(struct ursa_lcore *lc, struct ursa_timer *t, void *arg)
{
	struct ip6_dad *d = arg;
	struct ursa_iface *ifc = ursa_iface_get(lc, d->iface);
	struct ursa_iface_addr *a = &ifc->v6[d->slot];

	(void)t;
	if (d->state == IP6_DAD_DELAY) {
		/* One probe (DupAddrDetectTransmits = 1), then wait RetransTimer. */
		ursa_secret_bytes(&lc->secret, d->nonce, sizeof(d->nonce));
		d->state = IP6_DAD_PROBE;
		nd_send_ns(lc, ifc, NULL, &a->addr, NULL, d->nonce);
		ursa_timer_arm_in(lc, &d->timer, ND_RETRANS_NS);
		return;
	}
	if (d->state != IP6_DAD_PROBE)
		return;
	d->state = IP6_DAD_DONE;
	a->flags &= (uint8_t)~URSA_ADDR_TENTATIVE;
	CI6(lc, dad_ok);
	nd_send_na(lc, ifc, &a->addr, &all_nodes, ND_NA_FLAG_OVERRIDE);
	nd_dad_next(lc, ifc);
}

static void nd_dad_start(struct ursa_lcore *lc, struct ip6_dad *d)
{
	d->state = IP6_DAD_DELAY;
	CI6(lc, dad_start);
	ursa_timer_arm_in(lc, &d->timer, ursa_rng_below(&lc->rng, ND_MAX_RTR_SOLICIT_DELAY_NS));
}

/* Start the waiting addresses: link-local ones first, the others once no link-local one is
 * still tentative. */
static void nd_dad_next(struct ursa_lcore *lc, struct ursa_iface *ifc)
{
	struct ip6_dad *dad = lc->ip->ip6.dad[ifc->index];
	bool ll_busy = false;

	for (unsigned i = 0; i < ifc->n6; i++) {
		if (!is_linklocal(&ifc->v6[i].addr))
			continue;
		if (dad[i].state == IP6_DAD_WAIT)
			nd_dad_start(lc, &dad[i]);
		if (dad[i].state == IP6_DAD_DELAY || dad[i].state == IP6_DAD_PROBE)
			ll_busy = true;
	}
	if (ll_busy)
		return;
	for (unsigned i = 0; i < ifc->n6; i++)
		if (dad[i].state == IP6_DAD_WAIT)
			nd_dad_start(lc, &dad[i]);
}

static void nd_dad_failed(struct ursa_lcore *lc, struct ursa_iface *ifc, unsigned slot,
			  const char *why)
{
	struct ip6_dad *d = &lc->ip->ip6.dad[ifc->index][slot];
	char buf[48];

	ursa_timer_cancel(lc, &d->timer);
	d->state = IP6_DAD_DUPLICATE; /* the address keeps URSA_ADDR_TENTATIVE: never used */
	CI6(lc, dad_duplicate);
	URSA_LOG(lc, WARNING, "ip6", "iface %u: duplicate address %s detected (%s)", ifc->index,
		 ursa_ipaddr_fmt(&ifc->v6[slot].addr, buf, sizeof(buf)), why);
	nd_dad_next(lc, ifc);
}

void ursa_ip6_announce(struct ursa_lcore *lc, struct ursa_iface *ifc)
{
	struct ip6_dad *dad;

	if (lc->ip == NULL || ifc == NULL)
		return;
	dad = lc->ip->ip6.dad[ifc->index];
	for (unsigned i = 0; i < ifc->n6; i++) {
		if (dad[i].state != IP6_DAD_NONE)
			continue; /* already probed, probing, or known duplicate */
		ursa_timer_init(&dad[i].timer, nd_dad_timer, &dad[i]);
		dad[i].iface = ifc->index;
		dad[i].slot = (uint8_t)i;
		dad[i].state = IP6_DAD_WAIT;
		ifc->v6[i].flags |= URSA_ADDR_TENTATIVE;
	}
	nd_dad_next(lc, ifc);
}

/* ---- input ---- */

struct nd_opts {
	bool has_sll, has_tll;
	struct rte_ether_addr sll, tll; /* copied: options are not 2-byte aligned */
	const uint8_t *nonce;
};

/* RFC 4861 4.6: every option has a non-zero length and fits the message. */
static bool nd_parse_opts(const uint8_t *p, uint32_t len, struct nd_opts *o)
{
	memset(o, 0, sizeof(*o));
	while (len > 0) {
		uint32_t olen;

		if (len < 2 || p[1] == 0 || (olen = p[1] * 8u) > len)
			return false;
		switch (p[0]) {
		case ND_OPT_SOURCE_LLADDR:
			o->has_sll = true;
			memcpy(o->sll.addr_bytes, p + 2, RTE_ETHER_ADDR_LEN);
			break;
		case ND_OPT_TARGET_LLADDR:
			o->has_tll = true;
			memcpy(o->tll.addr_bytes, p + 2, RTE_ETHER_ADDR_LEN);
			break;
		case ND_OPT_NONCE:
			if (olen == 8)
				o->nonce = p + 2;
			break;
		default:
			break; /* unknown options are ignored */
		}
		p += olen;
		len -= olen;
	}
	return true;
}

static void nd_ns_input(struct ursa_lcore *lc, struct ursa_iface *ifc, const uint8_t *msg,
			uint32_t len, const struct ursa_ip_info *info)
{
	const struct nd_ns_na *ns = (const struct nd_ns_na *)msg;
	struct ip6_dad *d;
	struct nd_opts o;
	bool from_unspec = is_unspec(&info->src);
	int slot;

	if (ns->target[0] == 0xff) {
		CI6(lc, drop_nd_target_mcast);
		return;
	}
	if (!nd_parse_opts(msg + sizeof(*ns), len - (uint32_t)sizeof(*ns), &o)) {
		CI6(lc, drop_nd_bad_option);
		return;
	}
	if (from_unspec && !is_solicited_node(&info->dst)) {
		CI6(lc, drop_nd_unspec_src_dst);
		return;
	}
	if (from_unspec && o.has_sll) {
		CI6(lc, drop_nd_unspec_src_lladdr);
		return;
	}
	slot = nd_find_addr(ifc, ns->target);
	d = slot >= 0 ? &lc->ip->ip6.dad[ifc->index][slot] : NULL;
	if (d == NULL || d->state == IP6_DAD_DUPLICATE) {
		CI6(lc, drop_nd_not_target);
		return;
	}
	if (ifc->v6[slot].flags & URSA_ADDR_TENTATIVE) {
		/* RFC 4862 5.4.3: from a unicast source it is someone's address resolution (we
		 * do not answer for a tentative address); from :: another node probes the same
		 * address, unless it is our own probe looped back (same nonce, RFC 7527). */
		if (!from_unspec) {
			CI6(lc, drop_nd_tentative);
		} else if (o.nonce != NULL && d->state == IP6_DAD_PROBE &&
			   memcmp(o.nonce, d->nonce, ND_NONCE_LEN) == 0) {
			CI6(lc, dad_looped_ns);
		} else {
			nd_dad_failed(lc, ifc, (unsigned)slot, "neighbour solicitation");
		}
		return;
	}
	if (from_unspec) {
		/* Someone's DAD for our address: tell all nodes (RFC 4861 7.2.4, S=0). */
		nd_send_na(lc, ifc, &ifc->v6[slot].addr, &all_nodes, ND_NA_FLAG_OVERRIDE);
		return;
	}
	if (o.has_sll)
		ursa_neigh_update(lc, ifc, &info->src, &o.sll, false, true);
	nd_send_na(lc, ifc, &ifc->v6[slot].addr, &info->src,
		   ND_NA_FLAG_SOLICITED | ND_NA_FLAG_OVERRIDE);
}

static void nd_na_input(struct ursa_lcore *lc, struct ursa_iface *ifc, const uint8_t *msg,
			uint32_t len, const struct ursa_ip_info *info)
{
	const struct nd_ns_na *na = (const struct nd_ns_na *)msg;
	uint32_t flags = rte_be_to_cpu_32(na->h.data);
	struct ursa_ipaddr target = {.family = AF_INET6};
	struct rte_ether_addr cached;
	enum ursa_neigh_state st;
	struct nd_opts o;
	int slot;

	if (na->target[0] == 0xff) {
		CI6(lc, drop_nd_target_mcast);
		return;
	}
	if (!nd_parse_opts(msg + sizeof(*na), len - (uint32_t)sizeof(*na), &o)) {
		CI6(lc, drop_nd_bad_option);
		return;
	}
	if (info->dst_kind == URSA_IP_DST_MCAST && (flags & ND_NA_FLAG_SOLICITED)) {
		CI6(lc, drop_nd_solicited_mcast);
		return;
	}
	slot = nd_find_addr(ifc, na->target);
	if (slot >= 0) {
		struct ip6_dad *d = &lc->ip->ip6.dad[ifc->index][slot];

		if (ifc->v6[slot].flags & URSA_ADDR_TENTATIVE && d->state != IP6_DAD_DUPLICATE &&
		    d->state != IP6_DAD_NONE)
			nd_dad_failed(lc, ifc, (unsigned)slot, "neighbour advertisement");
		else
			CI6(lc, drop_nd_own_addr); /* RFC 4862 5.4.4: someone else uses it */
		return;
	}
	memcpy(target.v6, na->target, 16);
	st = ursa_neigh_lookup(lc, ifc, &target, &cached);
	if (!o.has_tll) {
		/* Without the option the advertisement can only confirm what we have. */
		if (st == URSA_NEIGH_NONE || st == URSA_NEIGH_INCOMPLETE ||
		    st == URSA_NEIGH_FAILED) {
			CI6(lc, drop_nd_no_lladdr);
			return;
		}
		o.tll = cached;
	} else if (!(flags & ND_NA_FLAG_OVERRIDE) && st != URSA_NEIGH_NONE &&
		   st != URSA_NEIGH_INCOMPLETE && st != URSA_NEIGH_FAILED &&
		   !rte_is_same_ether_addr(&o.tll, &cached)) {
		/* RFC 4861 7.2.5: without O a different address does not replace ours. */
		CI6(lc, drop_nd_no_override);
		return;
	}
	ursa_neigh_update(lc, ifc, &target, &o.tll, (flags & ND_NA_FLAG_SOLICITED) != 0, false);
}

void nd_input(struct ursa_lcore *lc, struct ursa_iface *ifc, struct rte_mbuf *m,
	      const struct ursa_ip_info *info)
{
	uint8_t buf[ND_MAX_MSG];
	uint32_t len = info->l4_len;
	const uint8_t *msg;
	uint8_t type;

	ip6_copy(m, 0, 1, &type);
	switch (type) {
	case ND_ROUTER_SOLICIT:
		CI6(lc, rx_rs);
		break;
	case ND_ROUTER_ADVERT:
		CI6(lc, rx_ra);
		break;
	case ND_NEIGHBOR_SOLICIT:
		CI6(lc, rx_ns);
		break;
	case ND_NEIGHBOR_ADVERT:
		CI6(lc, rx_na);
		break;
	default:
		CI6(lc, rx_redirect);
		break;
	}
	/* RFC 4861 6.1, 7.1, 8.1: only from the link itself (hop limit 255), code 0. */
	if (info->ttl != IP6_ND_HLIM) {
		CI6(lc, drop_nd_hop_limit);
		goto out;
	}
	if (len > sizeof(buf) || (msg = rte_pktmbuf_read(m, 0, len, buf)) == NULL) {
		CI6(lc, drop_nd_bad_option);
		goto out;
	}
	if (msg[1] != 0) {
		CI6(lc, drop_nd_code);
		goto out;
	}
	switch (type) {
	case ND_NEIGHBOR_SOLICIT:
	case ND_NEIGHBOR_ADVERT:
		if (len < sizeof(struct nd_ns_na)) {
			CI6(lc, drop_nd_short);
			break;
		}
		if (type == ND_NEIGHBOR_SOLICIT)
			nd_ns_input(lc, ifc, msg, len, info);
		else
			nd_na_input(lc, ifc, msg, len, info);
		break;
	case ND_ROUTER_SOLICIT:
	case ND_ROUTER_ADVERT:
	case ND_REDIRECT:
		/* Validated, counted and ignored: no router behaviour, no SLAAC. */
		if (len < (type == ND_ROUTER_SOLICIT  ? ND_RS_MIN_LEN
			   : type == ND_ROUTER_ADVERT ? ND_RA_MIN_LEN
						      : ND_REDIRECT_MIN_LEN))
			CI6(lc, drop_nd_short);
		else if (type != ND_ROUTER_SOLICIT && !is_linklocal(&info->src))
			CI6(lc, drop_nd_ra_src);
		break;
	}
out:
	rte_pktmbuf_free(m);
}

int nd_init(struct ursa_lcore *lc)
{
	return ursa_neigh_set_resolver(lc, AF_INET6, nd_solicit);
}
