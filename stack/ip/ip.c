/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ip: what IPv4 and IPv6 share. ursa_ip_init creates the context (counters, protocol handler
 * table, reassembly table, indirect pool for fragment output), registers the EtherTypes and
 * the hooks (death row freed and expired reassemblies dropped in a poll hook; everything
 * freed in a fini hook). Routes are per tenant: connected prefixes of the interfaces plus
 * static routes, longest prefix wins. ursa_ip_output routes, then hands the packet to the
 * family's output (ip4.c or ip6.c), which comes back through ip_l2_output to the link.
 */
/* rte_ip_frag_table_del_expired_entries is still experimental in DPDK 22.11. */
#define ALLOW_EXPERIMENTAL_API

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_malloc.h>

#include "ip_priv.h"

static const char *const ip_counter_names[] = {IP_COUNTERS(URSA_COUNTER_NAME)};
static const char *const icmp_counter_names[] = {ICMP_COUNTERS(URSA_COUNTER_NAME)};

static void ip_fini(struct ursa_lcore *lc)
{
	struct ursa_ip_ctx *ip = lc->ip;

	if (ip == NULL)
		return;
	for (unsigned i = 0; i < URSA_MAX_IFACES; i++) {
		if (ip->frag4_tbl[i] == NULL)
			continue;
		/* Everything still waiting for its other fragments goes to death row. */
		rte_ip_frag_table_del_expired_entries(ip->frag4_tbl[i], &ip->death_row, UINT64_MAX);
		ip_frag_settle(lc, (uint16_t)i, &ip->death_row, 0, NULL);
		rte_ip_frag_free_death_row(&ip->death_row, 0);
		rte_ip_frag_table_destroy(ip->frag4_tbl[i]);
	}
	rte_mempool_free(ip->indirect_pool);
	rte_free(ip);
	lc->ip = NULL;
}

static unsigned ip_poll(struct ursa_lcore *lc, void *arg)
{
	struct ursa_ip_ctx *ip = lc->ip;
	uint64_t now = ursa_now(lc);
	unsigned n = 0;

	(void)arg;
	for (uint16_t i = 0; i < lc->nb_ifaces; i++) {
		if (ip->frag4_tbl[i] == NULL)
			continue;
		rte_ip_frag_table_del_expired_entries(ip->frag4_tbl[i], &ip->death_row, now);
		n += ip->death_row.cnt;
		ip->c[IP_C_drop_frag_timeout] += ip->death_row.cnt;
		ip_frag_settle(lc, i, &ip->death_row, 0, NULL);
		rte_ip_frag_free_death_row(&ip->death_row, 0);
	}
	return n;
}

int ip_frag_charge(struct ursa_lcore *lc, const struct ursa_iface *ifc, const struct rte_mbuf *m)
{
	if (ursa_quota_take(lc, ifc->index, URSA_RES_reasm, m->nb_segs) != 0)
		return -EDQUOT;
	if (!ursa_hold_take(lc, URSA_HOLD_reasm, m->nb_segs)) {
		ursa_quota_give(lc, ifc->index, URSA_RES_reasm, m->nb_segs);
		return -ENOBUFS;
	}
	return 0;
}

uint32_t ip_frag_settle(struct ursa_lcore *lc, uint16_t iface,
			const struct rte_ip_frag_death_row *dr, uint32_t from,
			const struct rte_mbuf *done)
{
	uint32_t n = done != NULL ? done->nb_segs : 0;

	for (uint32_t i = from; i < dr->cnt; i++)
		n += dr->row[i]->nb_segs;
	ursa_quota_give(lc, iface, URSA_RES_reasm, n);
	ursa_hold_give(lc, URSA_HOLD_reasm, n);
	return n;
}

struct rte_ip_frag_tbl *ip4_frag_table(struct ursa_lcore *lc, const struct ursa_iface *ifc)
{
	struct ursa_ip_ctx *ip = lc->ip;

	/* The table's timebase is ns from the injected clock, not TSC cycles. */
	if (ip->frag4_tbl[ifc->index] == NULL)
		ip->frag4_tbl[ifc->index] = rte_ip_frag_table_create(
			IP_FRAG_BUCKETS, IP_FRAG_BUCKET_ENTRIES, IP_FRAG_MAX_ENTRIES,
			IP_FRAG_TIMEOUT_NS, (int)rte_socket_id());
	return ip->frag4_tbl[ifc->index];
}

int ursa_ip_init(struct ursa_lcore *lc)
{
	char name[RTE_MEMPOOL_NAMESIZE];
	struct ursa_ip_ctx *ip;
	int rc;

	if (lc->ip != NULL)
		return -EEXIST;
	ip = rte_zmalloc("ursa_ip", sizeof(*ip), RTE_CACHE_LINE_SIZE);
	if (ip == NULL)
		return -ENOMEM;
	lc->ip = ip;
	ip->ip4_id = (uint16_t)ursa_secret_u32(&lc->secret);
	ip->rl_tokens = (uint64_t)ICMP_RL_BURST * (1000000000ull / ICMP_RL_RATE);
	ip->rl_last_ns = ursa_now(lc);
	/* The lcore's pool name is unique in the process; derive ours from it. */
	snprintf(name, sizeof(name), "%.20s_ind", lc->pool->name);
	ip->indirect_pool =
		rte_pktmbuf_pool_create(name, IP_INDIRECT_MBUFS, 0, 0, 0, (int)rte_socket_id());
	if (ip->indirect_pool == NULL) {
		rc = -ENOMEM;
		goto err_ctx;
	}
	if ((rc = ursa_stats_register(lc, "ip", ip_counter_names, ip->c, IP_C_MAX)) != 0 ||
	    (rc = ursa_stats_register(lc, "icmp", icmp_counter_names, ip->icmp_c, ICMP_C_MAX)) != 0)
		goto err_ctx;
	if ((rc = ursa_eth_register(lc, RTE_ETHER_TYPE_IPV4, ip4_input)) != 0)
		goto err_ctx;
	ip->handlers[IPPROTO_ICMP] = icmp_input;
	rc = ip6_init(lc);
	if (rc == 0)
		rc = ursa_eth_register(lc, RTE_ETHER_TYPE_IPV6, ip6_input);
	else if (rc == -EAFNOSUPPORT)
		rc = 0; /* IPv6 is not built in */
	if (rc != 0)
		goto err_ctx;
	if ((rc = ursa_lcore_add_poll_hook(lc, ip_poll, NULL)) != 0)
		goto err_ctx;
	if ((rc = ursa_lcore_add_fini_hook(lc, ip_fini)) != 0)
		goto err_ctx;
	return 0;

err_ctx:
	/* Registrations with eth and stats point into ip: they die with the lcore, which is not
	 * usable after a failed init anyway. */
	ip_fini(lc);
	return rc;
}

int ursa_ip_register(struct ursa_lcore *lc, uint8_t proto, ursa_ip_handler_t h)
{
	if (lc->ip == NULL || h == NULL)
		return -EINVAL;
	if (lc->ip->handlers[proto] != NULL)
		return -EEXIST;
	lc->ip->handlers[proto] = h;
	return 0;
}

int ursa_ip_register_ctlinput(struct ursa_lcore *lc, uint8_t proto, ursa_ip_ctlinput_t fn)
{
	if (lc->ip == NULL || fn == NULL || lc->ip->handlers[proto] == NULL)
		return -EINVAL;
	if (lc->ip->ctlinput[proto] != NULL)
		return -EEXIST;
	lc->ip->ctlinput[proto] = fn;
	return 0;
}

bool ip_ctl_deliver(struct ursa_lcore *lc, struct ursa_iface *ifc, const struct ursa_ip_err *err)
{
	ursa_ip_ctlinput_t fn = lc->ip->ctlinput[err->proto];

	if (fn == NULL)
		return false;
	fn(lc, ifc, err);
	return true;
}

bool ip_deliver(struct ursa_lcore *lc, struct ursa_iface *ifc, struct rte_mbuf *m,
		const struct ursa_ip_info *info)
{
	ursa_ip_handler_t h = lc->ip->handlers[info->proto];

	if (h == NULL)
		return false;
	h(lc, ifc, m, info);
	return true;
}

void ip_mbuf_trim(struct rte_mbuf *m, uint32_t len)
{
	struct rte_mbuf *seg = m, *rest;
	uint32_t left = len;

	if (len >= m->pkt_len)
		return;
	while (left > seg->data_len) {
		left -= seg->data_len;
		seg = seg->next;
	}
	/* seg holds the last byte kept (or is the first segment when len is 0). */
	seg->data_len = (uint16_t)left;
	rest = seg->next;
	seg->next = NULL;
	if (rest != NULL) {
		uint16_t nb = 0;

		for (struct rte_mbuf *s = rest; s != NULL; s = s->next)
			nb++;
		m->nb_segs = (uint16_t)(m->nb_segs - nb);
		rte_pktmbuf_free(rest);
	}
	m->pkt_len = len;
}

/* ---- routes ---- */

static bool is_v4_limited_or_mcast(const struct ursa_ipaddr *a)
{
	return a->family == AF_INET &&
	       (a->v4 == RTE_BE32(0xffffffff) || ip4_is_mcast(rte_be_to_cpu_32(a->v4)));
}

static bool is_v6_mcast_or_ll(const struct ursa_ipaddr *a)
{
	return a->family == AF_INET6 &&
	       (a->v6[0] == 0xff || (a->v6[0] == 0xfe && (a->v6[1] & 0xc0) == 0x80));
}

/* Longest connected prefix of ifc covering dst (-1 when none). */
static int connected_plen(const struct ursa_iface *ifc, const struct ursa_ipaddr *dst)
{
	const struct ursa_iface_addr *v = dst->family == AF_INET ? ifc->v4 : ifc->v6;
	unsigned n = dst->family == AF_INET ? ifc->n4 : ifc->n6;
	int best = -1;

	for (unsigned i = 0; i < n; i++) {
		if (v[i].flags & URSA_ADDR_TENTATIVE)
			continue;
		if (v[i].plen > best && ursa_ipaddr_prefix_match(&v[i].addr, dst, v[i].plen))
			best = v[i].plen;
	}
	return best;
}

int ursa_ip_route(struct ursa_lcore *lc, const struct ursa_ip_tx *tx, struct ursa_iface **ifc_out,
		  struct ursa_ipaddr *next_hop, struct ursa_ipaddr *src)
{
	const struct ursa_ipaddr *dst = &tx->dst;
	struct ursa_iface *ifc = NULL;
	const struct ip_route *via = NULL;
	int best = -1;

	if (dst->family != AF_INET && dst->family != AF_INET6)
		return -EAFNOSUPPORT;
	if (tx->iface >= 0) {
		ifc = ursa_iface_get(lc, (uint16_t)tx->iface);
		if (ifc == NULL)
			return -ENODEV;
		if (is_v4_limited_or_mcast(dst) || is_v6_mcast_or_ll(dst))
			best = 128;
		else
			best = connected_plen(ifc, dst);
		for (unsigned i = 0; i < lc->ip->nb_routes; i++) {
			const struct ip_route *r = &lc->ip->routes[i];

			if (r->iface != ifc->index || r->prefix.family != dst->family ||
			    (int)r->plen <= best ||
			    !ursa_ipaddr_prefix_match(&r->prefix, dst, r->plen))
				continue;
			best = r->plen;
			via = r;
		}
	} else {
		for (uint16_t i = 0; i < lc->nb_ifaces; i++) {
			struct ursa_iface *c = &lc->ifaces[i];
			int p;

			if (c->tenant != tx->tenant)
				continue;
			p = connected_plen(c, dst);
			if (p > best) {
				best = p;
				ifc = c;
			}
		}
		for (unsigned i = 0; i < lc->ip->nb_routes; i++) {
			const struct ip_route *r = &lc->ip->routes[i];

			/* A route of another tenant, or through a removed interface, is never
			 * considered. */
			if (r->tenant != tx->tenant || r->prefix.family != dst->family ||
			    lc->ifaces[r->iface].removed || (int)r->plen <= best ||
			    !ursa_ipaddr_prefix_match(&r->prefix, dst, r->plen))
				continue;
			best = r->plen;
			via = r;
			ifc = &lc->ifaces[r->iface];
		}
	}
	if (best < 0 || ifc == NULL)
		return -EHOSTUNREACH;
	if (via != NULL && via->gateway.family != 0)
		*next_hop = via->gateway;
	else
		*next_hop = *dst;
	if (tx->src.family != 0) {
		if (tx->src.family != dst->family)
			return -EINVAL;
		*src = tx->src;
	} else if (ursa_iface_pick_src(ifc, dst, src) != 0) {
		return -EADDRNOTAVAIL;
	}
	*ifc_out = ifc;
	return 0;
}

int ursa_ip_route_add(struct ursa_lcore *lc, uint32_t tenant, const struct ursa_ipaddr *prefix,
		      uint8_t plen, const struct ursa_ipaddr *gateway, uint16_t iface)
{
	struct ursa_ip_ctx *ip = lc->ip;
	const struct ursa_iface *ifc = ursa_iface_get(lc, iface);
	struct ip_route *r;

	if (ip == NULL || ifc == NULL || ifc->tenant != tenant)
		return -EINVAL;
	if (prefix->family != AF_INET && prefix->family != AF_INET6)
		return -EAFNOSUPPORT;
	if (plen > (prefix->family == AF_INET ? 32 : 128))
		return -EINVAL;
	if (gateway != NULL && gateway->family != 0 && gateway->family != prefix->family)
		return -EINVAL;
	for (unsigned i = 0; i < ip->nb_routes; i++) {
		r = &ip->routes[i];
		if (r->tenant == tenant && r->plen == plen && r->iface == iface &&
		    r->prefix.family == prefix->family &&
		    ursa_ipaddr_prefix_match(&r->prefix, prefix, plen))
			return -EEXIST;
	}
	if (ip->nb_routes == IP_MAX_ROUTES)
		return -ENOSPC;
	r = &ip->routes[ip->nb_routes++];
	memset(r, 0, sizeof(*r));
	r->prefix = *prefix;
	r->plen = plen;
	r->tenant = tenant;
	r->iface = iface;
	if (gateway != NULL && gateway->family != 0)
		r->gateway = *gateway;
	return 0;
}

int ursa_ip_route_del(struct ursa_lcore *lc, uint32_t tenant, const struct ursa_ipaddr *prefix,
		      uint8_t plen, uint16_t iface)
{
	struct ursa_ip_ctx *ip = lc->ip;

	if (ip == NULL)
		return -EINVAL;
	for (unsigned i = 0; i < ip->nb_routes; i++) {
		struct ip_route *r = &ip->routes[i];

		if (r->tenant != tenant || r->plen != plen || r->iface != iface ||
		    r->prefix.family != prefix->family ||
		    !ursa_ipaddr_prefix_match(&r->prefix, prefix, plen))
			continue;
		ip->routes[i] = ip->routes[--ip->nb_routes];
		return 0;
	}
	return -ENOENT;
}

void ursa_ip_route_walk(struct ursa_lcore *lc, ursa_ip_route_walk_t fn, void *arg)
{
	const struct ursa_ip_ctx *ip = lc->ip;

	for (unsigned i = 0; ip != NULL && i < ip->nb_routes; i++) {
		const struct ip_route *r = &ip->routes[i];

		fn(r->tenant, &r->prefix, r->plen, &r->gateway, r->iface, arg);
	}
}

/* ---- routes on every shard of a stack ---- */

struct route_cmd {
	uint32_t tenant;
	uint16_t iface;
	uint8_t plen;
	struct ursa_ipaddr prefix;
	struct ursa_ipaddr gateway;
};

static int apply_route_add(struct ursa_lcore *lc, const void *arg)
{
	const struct route_cmd *c = arg;

	return ursa_ip_route_add(lc, c->tenant, &c->prefix, c->plen, &c->gateway, c->iface);
}

static int apply_route_del(struct ursa_lcore *lc, const void *arg)
{
	const struct route_cmd *c = arg;

	return ursa_ip_route_del(lc, c->tenant, &c->prefix, c->plen, c->iface);
}

/* What every shard would refuse is refused here, before anything is posted. */
static int route_check(struct ursa_stack *st, const struct route_cmd *c)
{
	const struct ursa_iface *ifc = ursa_stack_iface(st, c->iface);

	if (ifc == NULL || ifc->removed || ifc->tenant != c->tenant)
		return -EINVAL;
	if (c->prefix.family != AF_INET && c->prefix.family != AF_INET6)
		return -EAFNOSUPPORT;
	if (c->plen > (c->prefix.family == AF_INET ? 32 : 128))
		return -EINVAL;
	if (c->gateway.family != 0 && c->gateway.family != c->prefix.family)
		return -EINVAL;
	return 0;
}

int ursa_ip_stack_route_add(struct ursa_stack *st, uint32_t tenant,
			    const struct ursa_ipaddr *prefix, uint8_t plen,
			    const struct ursa_ipaddr *gateway, uint16_t iface, uint64_t *ticket)
{
	struct route_cmd c = {.tenant = tenant, .iface = iface, .plen = plen, .prefix = *prefix};
	int rc;

	if (gateway != NULL)
		c.gateway = *gateway;
	rc = route_check(st, &c);
	return rc ? rc : ursa_stack_exec(st, apply_route_add, &c, sizeof(c), ticket);
}

int ursa_ip_stack_route_del(struct ursa_stack *st, uint32_t tenant,
			    const struct ursa_ipaddr *prefix, uint8_t plen, uint16_t iface,
			    uint64_t *ticket)
{
	struct route_cmd c = {.tenant = tenant, .iface = iface, .plen = plen, .prefix = *prefix};

	return ursa_stack_exec(st, apply_route_del, &c, sizeof(c), ticket);
}

/* ---- output ---- */

int ursa_ip_output(struct ursa_lcore *lc, const struct ursa_ip_tx *tx, struct rte_mbuf *m)
{
	struct ursa_ipaddr nh, src;
	struct ursa_iface *ifc;
	int rc;

	rc = ursa_ip_route(lc, tx, &ifc, &nh, &src);
	if (rc != 0) {
		lc->ip->c[IP_C_drop_no_route]++;
		rte_pktmbuf_free(m);
		return rc == -EADDRNOTAVAIL || rc == -EAFNOSUPPORT || rc == -EINVAL ? rc
										    : -EHOSTUNREACH;
	}
	if (tx->dst.family == AF_INET)
		return ip4_output(lc, tx, ifc, &nh, &src, m);
	return ip6_output(lc, tx, ifc, &nh, &src, m);
}

int ip_l2_output(struct ursa_lcore *lc, struct ursa_iface *ifc, const struct ursa_ipaddr *nh,
		 struct rte_mbuf *m)
{
	struct rte_ether_addr mac;
	int rc;

	ursa_pkt_meta(m)->iface = ifc->index;
	if (nh->family == AF_INET) {
		uint32_t a = rte_be_to_cpu_32(nh->v4);

		if (ip4_is_bcast(ifc, nh->v4)) {
			memset(&mac, 0xff, sizeof(mac));
			lc->ip->c[IP_C_tx_bcast]++;
			return ursa_eth_output(lc, ifc, m, &mac, RTE_ETHER_TYPE_IPV4);
		}
		if (ip4_is_mcast(a)) {
			/* RFC 1112 6.4: 01:00:5e + the low 23 bits of the group. */
			mac = (struct rte_ether_addr){
				{0x01, 0x00, 0x5e, (a >> 16) & 0x7f, (a >> 8) & 0xff, a & 0xff}};
			lc->ip->c[IP_C_tx_mcast]++;
			return ursa_eth_output(lc, ifc, m, &mac, RTE_ETHER_TYPE_IPV4);
		}
		rc = ursa_neigh_output(lc, ifc, nh, m, RTE_ETHER_TYPE_IPV4);
	} else {
		if (nh->v6[0] == 0xff) {
			/* RFC 2464 7: 33:33 + the low 32 bits of the group. */
			mac = (struct rte_ether_addr){
				{0x33, 0x33, nh->v6[12], nh->v6[13], nh->v6[14], nh->v6[15]}};
			return ursa_eth_output(lc, ifc, m, &mac, RTE_ETHER_TYPE_IPV6);
		}
		rc = ursa_neigh_output(lc, ifc, nh, m, RTE_ETHER_TYPE_IPV6);
	}
	if (rc < 0)
		lc->ip->c[IP_C_drop_neigh]++;
	return rc;
}

/* ---- checksum ---- */

int ip_raw_cksum_mbuf(const struct rte_mbuf *m, uint32_t off, uint32_t len, uint16_t *cksum)
{
	const struct rte_mbuf *seg = m;
	uint32_t sum = 0, done = 0;

	if (off + len > rte_pktmbuf_pkt_len(m))
		return -EINVAL;
	while (seg != NULL && off >= rte_pktmbuf_data_len(seg)) {
		off -= rte_pktmbuf_data_len(seg);
		seg = seg->next;
	}
	while (done < len && seg != NULL) {
		uint32_t n = RTE_MIN(rte_pktmbuf_data_len(seg) - off, len - done);
		uint16_t s = rte_raw_cksum(rte_pktmbuf_mtod_offset(seg, const char *, off), n);

		/* A piece that starts at an odd position has its bytes swapped in the sum
		 * (RFC 1071 2(B)); folded first, so no carry is lost. */
		sum += (done & 1) ? rte_bswap16(s) : s;
		done += n;
		off = 0;
		seg = seg->next;
	}
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	*cksum = (uint16_t)sum;
	return 0;
}

uint16_t ursa_ip_l4_cksum(const struct ursa_ipaddr *src, const struct ursa_ipaddr *dst,
			  uint8_t proto, const struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	uint16_t data = 0;
	uint32_t sum;

	if (src->family == AF_INET) {
		struct {
			rte_be32_t src, dst;
			uint8_t zero, proto;
			rte_be16_t len;
		} __rte_packed ph = {src->v4, dst->v4, 0, proto, rte_cpu_to_be_16((uint16_t)len)};

		sum = rte_raw_cksum(&ph, sizeof(ph));
	} else {
		/* RFC 8200 8.1 */
		struct {
			uint8_t src[16], dst[16];
			rte_be32_t len;
			uint8_t zero[3], proto;
		} __rte_packed ph = {.len = rte_cpu_to_be_32(len), .proto = proto};

		memcpy(ph.src, src->v6, 16);
		memcpy(ph.dst, dst->v6, 16);
		sum = rte_raw_cksum(&ph, sizeof(ph));
	}
	if (ip_raw_cksum_mbuf(m, off, len, &data) != 0)
		return 0xffff; /* range outside m: a value that never verifies as 0 */
	sum += data;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* ---- ICMP error rate limit ---- */

static unsigned rl_slot(const struct ursa_ipaddr *a)
{
	uint32_t h = a->family == AF_INET ? a->v4 : 0;

	if (a->family == AF_INET6)
		for (unsigned i = 0; i < 16; i += 4)
			h ^= (uint32_t)a->v6[i] << 24 | (uint32_t)a->v6[i + 1] << 16 |
			     (uint32_t)a->v6[i + 2] << 8 | a->v6[i + 3];
	h *= 0x9e3779b1u;
	return h >> 26; /* 64 slots */
}

bool icmp_error_allowed(struct ursa_lcore *lc, const struct ursa_ipaddr *dst)
{
	struct ursa_ip_ctx *ip = lc->ip;
	const uint64_t per_msg = 1000000000ull / ICMP_RL_RATE;
	const uint64_t cap = (uint64_t)ICMP_RL_BURST * per_msg;
	const uint64_t dcap = ICMP_RL_DST_BURST * ICMP_RL_DST_INTERVAL_NS;
	uint64_t now = ursa_now(lc);
	struct icmp_rl_dst *d = &ip->rl_dst[rl_slot(dst) % ICMP_RL_DST_SLOTS];

	/* Per lcore: ICMP_RL_RATE per second, bursts of ICMP_RL_BURST (credit in ns). */
	ip->rl_tokens += now - ip->rl_last_ns;
	ip->rl_last_ns = now;
	if (ip->rl_tokens > cap)
		ip->rl_tokens = cap;
	/* Per destination (one slot per hash; a new destination takes the slot over). */
	if (!ursa_ipaddr_eq(&d->dst, dst)) {
		d->dst = *dst;
		d->tokens_ns = dcap;
		d->last_ns = now;
	}
	d->tokens_ns += now - d->last_ns;
	d->last_ns = now;
	if (d->tokens_ns > dcap)
		d->tokens_ns = dcap;
	if (d->tokens_ns < ICMP_RL_DST_INTERVAL_NS) {
		ip->icmp_c[ICMP_C_err_ratelimited_dst]++;
		return false;
	}
	if (ip->rl_tokens < per_msg) {
		ip->icmp_c[ICMP_C_err_ratelimited]++;
		return false;
	}
	ip->rl_tokens -= per_msg;
	d->tokens_ns -= ICMP_RL_DST_INTERVAL_NS;
	return true;
}

void ursa_icmp_error(struct ursa_lcore *lc, struct ursa_iface *ifc, const struct rte_mbuf *orig,
		     uint8_t family, uint8_t type, uint8_t code, uint32_t extra)
{
	if (family == AF_INET)
		icmp4_error(lc, ifc, orig, type, code, extra);
	else if (family == AF_INET6)
		icmp6_error(lc, ifc, orig, type, code, extra);
}
