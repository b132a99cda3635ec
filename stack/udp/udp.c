/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * UDP (RFC 768, RFC 1122 4.1, RFC 8200 8.1): input validates the length (trimming what lies
 * beyond the UDP length) and the checksum, then demultiplexes on the destination port to the
 * bound handler; a datagram for an unbound port to a unicast address is answered with ICMP
 * port unreachable. Output prepends the header and computes the checksum (or sends 0 when
 * asked). ICMP errors about our datagrams go to the binder's error handler (udp_ctlinput).
 *
 * IPv4 checksum 0 means "none". Over IPv6 a zero checksum is illegal (RFC 8200 8.1), except
 * on a port whose binder accepts it (URSA_UDP_BIND_ZERO_CKSUM6, RFC 6936): accepted there
 * only, and counted. A reserved port (ursa_udp_reserve) goes only to a binder that asks with
 * URSA_UDP_BIND_RESERVED. Which ports, and why, is the upper layers' business.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_malloc.h>
#include <rte_udp.h>

#include "ursa_udp.h"

#define UDP_HDR_LEN	   8
#define UDP_PORT_SLOTS	   1024 /* power of two; at most half are used */
#define UDP_MAX_BINDS	   (UDP_PORT_SLOTS / 2)
#define UDP_MAX_RESERVED   8
#define ICMP4_DEST_UNREACH 3
#define ICMP4_PORT_UNREACH 3
#define ICMP6_DEST_UNREACH 1
#define ICMP6_PORT_UNREACH 4

static_assert(sizeof(struct rte_udp_hdr) == UDP_HDR_LEN, "UDP header is 8 bytes");

#define UDP_COUNTERS(X)                                                                            \
	X(rx)                                                                                      \
	X(rx_delivered)                                                                            \
	X(rx_no_cksum)                                                                             \
	X(rx_zero_cksum6)                                                                          \
	X(rx_trimmed)                                                                              \
	X(tx)                                                                                      \
	X(tx_zero_cksum)                                                                           \
	X(drop_short)                                                                              \
	X(drop_bad_len)                                                                            \
	X(drop_bad_cksum)                                                                          \
	X(drop_zero_cksum6)                                                                        \
	X(drop_no_port)                                                                            \
	X(drop_tx_no_headroom)                                                                     \
	X(drop_tx_route)                                                                           \
	X(icmp_rx)                                                                                 \
	X(icmp_delivered)                                                                          \
	X(icmp_no_port)

#define UDP_C_ENUM(n) UDP_C_##n,
enum udp_counter { UDP_COUNTERS(UDP_C_ENUM) UDP_C_MAX };
static const char *const udp_counter_names[] = {UDP_COUNTERS(URSA_COUNTER_NAME)};

struct udp_bind {
	uint16_t port; /* 0 = empty slot */
	unsigned flags;
	ursa_udp_handler_t h;
	ursa_udp_ctlinput_t ctl;
	void *arg;
};

struct ursa_udp_ctx {
	unsigned nb_binds, nb_reserved;
	uint16_t reserved[UDP_MAX_RESERVED];
	struct udp_bind slots[UDP_PORT_SLOTS]; /* open addressing, linear probing */
	uint64_t c[UDP_C_MAX];
};

static unsigned port_hash(uint16_t port)
{
	return ((uint32_t)port * 0x9e3779b1u) >> (32 - 10);
}

static struct udp_bind *udp_find(struct ursa_udp_ctx *u, uint16_t port)
{
	if (port == 0) /* 0 marks an empty slot, and nobody can bind it */
		return NULL;
	for (unsigned i = port_hash(port);; i = (i + 1) & (UDP_PORT_SLOTS - 1)) {
		if (u->slots[i].port == port)
			return &u->slots[i];
		if (u->slots[i].port == 0)
			return NULL;
	}
}

static bool udp_is_reserved(const struct ursa_udp_ctx *u, uint16_t port)
{
	for (unsigned i = 0; i < u->nb_reserved; i++)
		if (u->reserved[i] == port)
			return true;
	return false;
}

/* True when the binder of port (if any) accepts a zero checksum over IPv6. */
static bool udp_zero_cksum6_ok(struct ursa_udp_ctx *u, uint16_t port)
{
	const struct udp_bind *b = udp_find(u, port);

	return b != NULL && (b->flags & URSA_UDP_BIND_ZERO_CKSUM6);
}

static void udp_fini(struct ursa_lcore *lc)
{
	rte_free(lc->udp);
	lc->udp = NULL;
}

static void udp_drop(struct ursa_lcore *lc, struct rte_mbuf *m, enum udp_counter why)
{
	lc->udp->c[why]++;
	rte_pktmbuf_free(m);
}

/* Trim a possibly chained mbuf to len bytes (len <= pkt_len). */
static void udp_trim(struct rte_mbuf *m, uint32_t len)
{
	struct rte_mbuf *seg = m, *rest;
	uint32_t left = len;

	while (left > seg->data_len) {
		left -= seg->data_len;
		seg = seg->next;
	}
	seg->data_len = (uint16_t)left;
	rest = seg->next;
	seg->next = NULL;
	for (struct rte_mbuf *s = rest; s != NULL; s = s->next)
		m->nb_segs--;
	rte_pktmbuf_free(rest);
	m->pkt_len = len;
}

static void udp_input(struct ursa_lcore *lc, struct ursa_iface *ifc, struct rte_mbuf *m,
		      const struct ursa_ip_info *ip)
{
	struct ursa_udp_ctx *u = lc->udp;
	struct rte_udp_hdr *uh;
	struct ursa_udp_info info;
	struct udp_bind *b;
	uint16_t ulen;

	/* a datagram handed over by another shard was counted there */
	u->c[UDP_C_rx] += (ursa_pkt_meta(m)->rx_flags & URSA_RX_DISPATCHED) == 0;
	if (ip->l4_len < UDP_HDR_LEN || rte_pktmbuf_data_len(m) < UDP_HDR_LEN) {
		udp_drop(lc, m, UDP_C_drop_short);
		return;
	}
	uh = rte_pktmbuf_mtod(m, struct rte_udp_hdr *);
	ulen = rte_be_to_cpu_16(uh->dgram_len);
	if (ulen < UDP_HDR_LEN || ulen > ip->l4_len)
		return udp_drop(lc, m, UDP_C_drop_bad_len);
	info.sport = rte_be_to_cpu_16(uh->src_port);
	info.dport = rte_be_to_cpu_16(uh->dst_port);
	if (uh->dgram_cksum == 0) {
		if (ip->src.family == AF_INET)
			u->c[UDP_C_rx_no_cksum]++;
		else if (udp_zero_cksum6_ok(u, info.dport))
			u->c[UDP_C_rx_zero_cksum6]++; /* the binder's protocol allows it */
		else
			return udp_drop(lc, m, UDP_C_drop_zero_cksum6); /* RFC 8200 8.1 */
	} else if (ursa_ip_l4_cksum(&ip->src, &ip->dst, IPPROTO_UDP, m, 0, ulen) != 0) {
		return udp_drop(lc, m, UDP_C_drop_bad_cksum);
	}
	if (ulen < rte_pktmbuf_pkt_len(m)) {
		udp_trim(m, ulen);
		u->c[UDP_C_rx_trimmed]++;
	}
	b = udp_find(u, info.dport);
	if (b == NULL) {
		/* RFC 1122 4.1.3.1; never for a broadcast or a group (3.2.2). */
		if (ip->dst_kind == URSA_IP_DST_UNICAST) {
			rte_pktmbuf_prepend(m, m->l3_len); /* back to the IP header */
			if (ip->src.family == AF_INET)
				ursa_icmp_error(lc, ifc, m, AF_INET, ICMP4_DEST_UNREACH,
						ICMP4_PORT_UNREACH, 0);
			else
				ursa_icmp_error(lc, ifc, m, AF_INET6, ICMP6_DEST_UNREACH,
						ICMP6_PORT_UNREACH, 0);
		}
		return udp_drop(lc, m, UDP_C_drop_no_port);
	}
	rte_pktmbuf_adj(m, UDP_HDR_LEN);
	m->l4_len = UDP_HDR_LEN;
	u->c[UDP_C_rx_delivered]++;
	b->h(lc, b->arg, ifc, m, ip, &info);
}

/* IP's error upcall: the binder of the quoted source port (ours), else the binder that sends
 * to the quoted destination port from ports of its own choosing. */
static void udp_ctlinput(struct ursa_lcore *lc, struct ursa_iface *ifc,
			 const struct ursa_ip_err *err)
{
	struct ursa_udp_ctx *u = lc->udp;
	struct ursa_udp_info info = {
		.sport = (uint16_t)(err->l4[0] << 8 | err->l4[1]),
		.dport = (uint16_t)(err->l4[2] << 8 | err->l4[3]),
	};
	struct udp_bind *b = udp_find(u, info.sport);

	u->c[UDP_C_icmp_rx]++;
	if (b == NULL || b->ctl == NULL) {
		b = udp_find(u, info.dport);
		if (b != NULL && !(b->flags & URSA_UDP_BIND_ERR_BY_DPORT))
			b = NULL;
	}
	if (b == NULL || b->ctl == NULL) {
		u->c[UDP_C_icmp_no_port]++;
		return;
	}
	u->c[UDP_C_icmp_delivered]++;
	b->ctl(lc, b->arg, ifc, err, &info);
}

int ursa_udp_init(struct ursa_lcore *lc)
{
	struct ursa_udp_ctx *u;
	int rc;

	if (lc->udp != NULL)
		return -EEXIST;
	if (lc->ip == NULL)
		return -EINVAL;
	u = rte_zmalloc("ursa_udp", sizeof(*u), RTE_CACHE_LINE_SIZE);
	if (u == NULL)
		return -ENOMEM;
	lc->udp = u;
	if ((rc = ursa_stats_register(lc, "udp", udp_counter_names, u->c, UDP_C_MAX)) != 0 ||
	    (rc = ursa_ip_register(lc, IPPROTO_UDP, udp_input)) != 0 ||
	    (rc = ursa_ip_register_ctlinput(lc, IPPROTO_UDP, udp_ctlinput)) != 0 ||
	    (rc = ursa_lcore_add_fini_hook(lc, udp_fini)) != 0)
		goto err_ctx;
	return 0;

err_ctx:
	udp_fini(lc);
	return rc;
}

int ursa_udp_reserve(struct ursa_lcore *lc, uint16_t port)
{
	struct ursa_udp_ctx *u = lc->udp;

	if (u == NULL || port == 0)
		return -EINVAL;
	if (udp_is_reserved(u, port))
		return -EEXIST;
	if (u->nb_reserved == UDP_MAX_RESERVED)
		return -ENOSPC;
	u->reserved[u->nb_reserved++] = port;
	return 0;
}

int ursa_udp_bind(struct ursa_lcore *lc, uint16_t port, unsigned flags, ursa_udp_handler_t h,
		  void *arg)
{
	struct ursa_udp_ctx *u = lc->udp;
	unsigned i;

	if (u == NULL || port == 0 || h == NULL || (flags & ~URSA_UDP_BIND_FLAGS) != 0)
		return -EINVAL;
	/* A reserved port only for a binder that asks for it, and the flag only there. */
	if (udp_is_reserved(u, port) != ((flags & URSA_UDP_BIND_RESERVED) != 0))
		return udp_is_reserved(u, port) ? -EACCES : -EINVAL;
	if (udp_find(u, port) != NULL)
		return -EADDRINUSE;
	if (u->nb_binds == UDP_MAX_BINDS)
		return -ENOSPC;
	for (i = port_hash(port); u->slots[i].port != 0; i = (i + 1) & (UDP_PORT_SLOTS - 1))
		;
	u->slots[i] = (struct udp_bind){.port = port, .flags = flags, .h = h, .arg = arg};
	u->nb_binds++;
	return 0;
}

int ursa_udp_bind_ctlinput(struct ursa_lcore *lc, uint16_t port, ursa_udp_ctlinput_t fn)
{
	struct udp_bind *b;

	if (lc->udp == NULL || fn == NULL)
		return -EINVAL;
	b = udp_find(lc->udp, port);
	if (b == NULL)
		return -ENOENT;
	b->ctl = fn;
	return 0;
}

int ursa_udp_unbind(struct ursa_lcore *lc, uint16_t port)
{
	struct ursa_udp_ctx *u = lc->udp;
	struct udp_bind *b;
	unsigned hole, i;

	if (u == NULL || port == 0)
		return -EINVAL;
	b = udp_find(u, port);
	if (b == NULL)
		return -ENOENT;
	/* Backward-shift deletion keeps every probe chain unbroken without tombstones. */
	hole = (unsigned)(b - u->slots);
	u->slots[hole].port = 0;
	for (i = (hole + 1) & (UDP_PORT_SLOTS - 1); u->slots[i].port != 0;
	     i = (i + 1) & (UDP_PORT_SLOTS - 1)) {
		unsigned home = port_hash(u->slots[i].port);

		/* Move the entry into the hole when its home is not in (hole, i]. */
		if (((i - home) & (UDP_PORT_SLOTS - 1)) >= ((i - hole) & (UDP_PORT_SLOTS - 1))) {
			u->slots[hole] = u->slots[i];
			u->slots[i].port = 0;
			hole = i;
		}
	}
	u->nb_binds--;
	return 0;
}

int ursa_udp_output(struct ursa_lcore *lc, const struct ursa_ip_tx *tx, uint16_t sport,
		    uint16_t dport, struct rte_mbuf *m, bool zero_cksum)
{
	struct ursa_udp_ctx *u = lc->udp;
	struct ursa_ip_tx t = *tx;
	struct rte_udp_hdr *uh;
	uint32_t len = rte_pktmbuf_pkt_len(m) + UDP_HDR_LEN;

	if (len > 65535 || (zero_cksum && tx->dst.family == AF_INET6 &&
			    !udp_zero_cksum6_ok(u, dport) && !udp_zero_cksum6_ok(u, sport))) {
		rte_pktmbuf_free(m);
		return len > 65535 ? -EMSGSIZE : -EINVAL;
	}
	t.proto = IPPROTO_UDP;
	if (t.src.family == 0 && !zero_cksum) {
		/* The checksum covers the source address: pick it now, as IP will. */
		struct ursa_iface *ifc;
		struct ursa_ipaddr nh;
		int rc = ursa_ip_route(lc, tx, &ifc, &nh, &t.src);

		if (rc != 0) {
			udp_drop(lc, m, UDP_C_drop_tx_route);
			return rc;
		}
	}
	uh = (struct rte_udp_hdr *)rte_pktmbuf_prepend(m, UDP_HDR_LEN);
	if (uh == NULL) {
		udp_drop(lc, m, UDP_C_drop_tx_no_headroom);
		return -ENOBUFS;
	}
	uh->src_port = rte_cpu_to_be_16(sport);
	uh->dst_port = rte_cpu_to_be_16(dport);
	uh->dgram_len = rte_cpu_to_be_16((uint16_t)len);
	uh->dgram_cksum = 0;
	m->l4_len = UDP_HDR_LEN;
	if (zero_cksum) {
		u->c[UDP_C_tx_zero_cksum]++;
	} else {
		uint16_t ck = ursa_ip_l4_cksum(&t.src, &t.dst, IPPROTO_UDP, m, 0, len);

		uh->dgram_cksum = ck == 0 ? 0xffff : ck; /* 0 means "none" (RFC 768) */
	}
	u->c[UDP_C_tx]++;
	return ursa_ip_output(lc, &t, m);
}
