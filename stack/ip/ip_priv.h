/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ip internals, shared by the IPv4 files (ip.c, ip4.c, icmp.c) and the IPv6 files (ip6.c,
 * icmp6.c, nd.c). Never included from another folder.
 *
 * Split of work: ip.c holds what both families share (context, protocol table, routes,
 * neighbour hand-off, L4 checksum, ICMP rate limit); ip4.c/icmp.c are IPv4 and ICMP;
 * ip6.c/icmp6.c/nd.c are IPv6, ICMPv6 and neighbour discovery. When ip6.c is not in the
 * tree, ip_noip6.c is built instead and IPv6 is refused (-EAFNOSUPPORT).
 */
#ifndef URSA_IP_PRIV_H
#define URSA_IP_PRIV_H

#include <string.h>

#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_ip_frag.h>

#include "ursa_arp.h"
#include "ursa_eth.h"
#include "ursa_ip.h"

/* ICMP types and codes (RFC 792) that rte_icmp.h does not name. */
#define ICMP_TYPE_DEST_UNREACH	  3
#define ICMP_TYPE_SOURCE_QUENCH	  4
#define ICMP_TYPE_REDIRECT	  5
#define ICMP_TYPE_TIME_EXCEEDED	  11
#define ICMP_TYPE_PARAM_PROBLEM	  12
#define ICMP_TYPE_TIMESTAMP	  13
#define ICMP_NR_TYPES		  18 /* a type above this is unknown and treated like an error */
#define ICMP_CODE_NET_UNREACH	  0
#define ICMP_CODE_PROTO_UNREACH	  2
#define ICMP_CODE_PORT_UNREACH	  3
#define ICMP_CODE_FRAG_NEEDED	  4
#define ICMP_CODE_NET_UNKNOWN	  6
#define ICMP_CODE_NET_PROHIB	  9
#define ICMP_CODE_HOST_PROHIB	  10
#define ICMP_CODE_NET_UNREACH_TOS 11
#define ICMP_CODE_PKT_FILTERED	  13 /* communication administratively prohibited */

#define IP_MAX_ROUTES	       64
#define IP_DEFAULT_TTL	       64
#define IP_FRAG_BUCKETS	       64
#define IP_FRAG_BUCKET_ENTRIES 4
#define IP_FRAG_MAX_ENTRIES    256
/* Reassembly gives up after 10 s (Linux: 30 s). Fragments held count against the
 * interface's reasm quota and the pool share (ursa_quota.h), so a shorter hold mostly
 * frees a flooded interface's quota sooner. */
#define IP_FRAG_TIMEOUT_NS (10ull * 1000000000ull)
#define IP_MAX_FRAGS	   48 /* 64 KiB at an MTU of 1280 and more */
#define IP_INDIRECT_MBUFS  1023

/* ICMP error rate limit (both families): a token bucket per lcore, and a bucket per
 * destination (1/s, burst 6: the kernel's icmp_ratelimit with its burst factor). */
#define ICMP_RL_RATE		1000 /* per second */
#define ICMP_RL_BURST		50
#define ICMP_RL_DST_SLOTS	64
#define ICMP_RL_DST_INTERVAL_NS 1000000000ull
#define ICMP_RL_DST_BURST	6

/* IPv4 input/output counters. */
#define IP_COUNTERS(X)                                                                             \
	X(rx)                                                                                      \
	X(rx_delivered)                                                                            \
	X(rx_bcast)                                                                                \
	X(rx_mcast)                                                                                \
	X(rx_options)                                                                              \
	X(rx_padding_trimmed)                                                                      \
	X(rx_frags)                                                                                \
	X(rx_reassembled)                                                                          \
	X(tx)                                                                                      \
	X(tx_frags)                                                                                \
	X(tx_bcast)                                                                                \
	X(tx_mcast)                                                                                \
	X(drop_short)                                                                              \
	X(drop_version)                                                                            \
	X(drop_bad_ihl)                                                                            \
	X(drop_bad_len)                                                                            \
	X(drop_bad_cksum)                                                                          \
	X(drop_src_zero)                                                                           \
	X(drop_bad_src)                                                                            \
	X(drop_src_own)                                                                            \
	X(drop_not_local)                                                                          \
	X(drop_mcast_not_joined)                                                                   \
	X(drop_bad_frag)                                                                           \
	X(drop_frag_nomem)                                                                         \
	X(drop_frag_quota)                                                                         \
	X(drop_frag_pool_share)                                                                    \
	X(drop_frag_timeout)                                                                       \
	X(drop_unknown_proto)                                                                      \
	X(drop_no_ip6)                                                                             \
	X(drop_no_route)                                                                           \
	X(drop_msgsize)                                                                            \
	X(drop_bad_opts)                                                                           \
	X(drop_frag_fail)                                                                          \
	X(drop_no_headroom)                                                                        \
	X(drop_neigh)

#define IP_C_ENUM(n) IP_C_##n,
enum ip_counter { IP_COUNTERS(IP_C_ENUM) IP_C_MAX };

/* ICMP (v4) counters; ursa_icmp_error's suppression reasons count here for both families. */
#define ICMP_COUNTERS(X)                                                                           \
	X(rx)                                                                                      \
	X(rx_echo_request)                                                                         \
	X(rx_echo_reply)                                                                           \
	X(rx_dest_unreach)                                                                         \
	X(rx_source_quench)                                                                        \
	X(rx_redirect)                                                                             \
	X(rx_time_exceeded)                                                                        \
	X(rx_param_problem)                                                                        \
	X(rx_timestamp)                                                                            \
	X(rx_other_type)                                                                           \
	X(tx_echo_reply)                                                                           \
	X(tx_error)                                                                                \
	X(drop_short)                                                                              \
	X(drop_bad_cksum)                                                                          \
	X(drop_echo_bcast)                                                                         \
	X(drop_echo_fail)                                                                          \
	X(err_suppressed_icmp_error)                                                               \
	X(err_suppressed_bcast)                                                                    \
	X(err_suppressed_fragment)                                                                 \
	X(err_suppressed_bad_src)                                                                  \
	X(err_suppressed_malformed)                                                                \
	X(err_ratelimited)                                                                         \
	X(err_ratelimited_dst)                                                                     \
	X(err_nomem)                                                                               \
	X(err_send_fail)                                                                           \
	X(rx_err_delivered)                                                                        \
	X(rx_err_bad_quote)                                                                        \
	X(rx_err_not_ours)                                                                         \
	X(rx_err_no_l4)                                                                            \
	X(rx_err_no_handler)                                                                       \
	X(rx_err_bad_mtu)

#define ICMP_C_ENUM(n) ICMP_C_##n,
enum icmp_counter { ICMP_COUNTERS(ICMP_C_ENUM) ICMP_C_MAX };

/* A static route (connected routes are implicit, derived from interface addresses). */
struct ip_route {
	struct ursa_ipaddr prefix;
	struct ursa_ipaddr gateway; /* family 0 = on-link */
	uint32_t tenant;
	uint16_t iface;
	uint8_t plen;
};

struct icmp_rl_dst {
	struct ursa_ipaddr dst;
	uint64_t tokens_ns; /* credit in ns of the per-destination interval */
	uint64_t last_ns;
};

/* ---- IPv6 state (ip6.c, icmp6.c, nd.c; owned by the ip6 files) ---- */

/* IPv6 input/output counters (block "ip6"). */
#define IP6_COUNTERS(X)                                                                            \
	X(rx)                                                                                      \
	X(rx_delivered)                                                                            \
	X(rx_mcast)                                                                                \
	X(rx_ext_hdrs)                                                                             \
	X(rx_frags)                                                                                \
	X(rx_atomic_frags)                                                                         \
	X(rx_reassembled)                                                                          \
	X(rx_no_next_header)                                                                       \
	X(tx)                                                                                      \
	X(tx_mcast)                                                                                \
	X(tx_frags)                                                                                \
	X(drop_short)                                                                              \
	X(drop_version)                                                                            \
	X(drop_bad_len)                                                                            \
	X(drop_src_mcast)                                                                          \
	X(drop_src_loopback)                                                                       \
	X(drop_src_own)                                                                            \
	X(drop_not_local)                                                                          \
	X(drop_mcast_not_joined)                                                                   \
	X(drop_bad_ext)                                                                            \
	X(drop_hbh_not_first)                                                                      \
	X(drop_bad_option)                                                                         \
	X(drop_routing)                                                                            \
	X(drop_bad_frag)                                                                           \
	X(drop_frag_fail)                                                                          \
	X(drop_frag_nomem)                                                                         \
	X(drop_frag_quota)                                                                         \
	X(drop_frag_pool_share)                                                                    \
	X(drop_frag_timeout)                                                                       \
	X(drop_unknown_proto)                                                                      \
	X(drop_msgsize)                                                                            \
	X(drop_frag_out_fail)                                                                      \
	X(drop_no_headroom)

#define IP6_C_ENUM(n) IP6_C_##n,
enum ip6_counter { IP6_COUNTERS(IP6_C_ENUM) IP6_C_MAX };

/* ICMPv6 and neighbour discovery counters (block "icmp6"); rate-limit refusals count in the
 * shared "icmp" block. */
#define ICMP6_COUNTERS(X)                                                                          \
	X(rx)                                                                                      \
	X(rx_echo_request)                                                                         \
	X(rx_echo_reply)                                                                           \
	X(rx_dest_unreach)                                                                         \
	X(rx_packet_too_big)                                                                       \
	X(rx_time_exceeded)                                                                        \
	X(rx_param_problem)                                                                        \
	X(rx_other_error)                                                                          \
	X(rx_other_type)                                                                           \
	X(rx_rs)                                                                                   \
	X(rx_ra)                                                                                   \
	X(rx_ns)                                                                                   \
	X(rx_na)                                                                                   \
	X(rx_redirect)                                                                             \
	X(tx_echo_reply)                                                                           \
	X(tx_error)                                                                                \
	X(tx_ns)                                                                                   \
	X(tx_na)                                                                                   \
	X(drop_short)                                                                              \
	X(drop_bad_cksum)                                                                          \
	X(drop_echo_unspec_src)                                                                    \
	X(drop_echo_fail)                                                                          \
	X(drop_nd_hop_limit)                                                                       \
	X(drop_nd_code)                                                                            \
	X(drop_nd_short)                                                                           \
	X(drop_nd_target_mcast)                                                                    \
	X(drop_nd_bad_option)                                                                      \
	X(drop_nd_unspec_src_lladdr)                                                               \
	X(drop_nd_unspec_src_dst)                                                                  \
	X(drop_nd_solicited_mcast)                                                                 \
	X(drop_nd_ra_src)                                                                          \
	X(drop_nd_not_target)                                                                      \
	X(drop_nd_tentative)                                                                       \
	X(drop_nd_own_addr)                                                                        \
	X(drop_nd_no_lladdr)                                                                       \
	X(drop_nd_no_override)                                                                     \
	X(drop_nd_no_src)                                                                          \
	X(drop_nd_nomem)                                                                           \
	X(err_suppressed_icmp_error)                                                               \
	X(err_suppressed_mcast)                                                                    \
	X(err_suppressed_bad_src)                                                                  \
	X(err_suppressed_malformed)                                                                \
	X(err_nomem)                                                                               \
	X(err_send_fail)                                                                           \
	X(rx_err_delivered)                                                                        \
	X(rx_err_bad_quote)                                                                        \
	X(rx_err_not_ours)                                                                         \
	X(rx_err_no_l4)                                                                            \
	X(rx_err_no_handler)                                                                       \
	X(rx_err_small_mtu)                                                                        \
	X(dad_start)                                                                               \
	X(dad_ok)                                                                                  \
	X(dad_duplicate)                                                                           \
	X(dad_looped_ns)

#define ICMP6_C_ENUM(n) ICMP6_C_##n,
enum icmp6_counter { ICMP6_COUNTERS(ICMP6_C_ENUM) ICMP6_C_MAX };

/* Duplicate address detection of one interface address (RFC 4862 5.4). */
enum ip6_dad_state {
	IP6_DAD_NONE,	   /* never announced: the address is used as configured */
	IP6_DAD_WAIT,	   /* tentative, waits for the link-local addresses to finish */
	IP6_DAD_DELAY,	   /* tentative, random delay before the probe */
	IP6_DAD_PROBE,	   /* tentative, probe sent, waiting RetransTimer */
	IP6_DAD_DONE,	   /* preferred */
	IP6_DAD_DUPLICATE, /* someone else has it: never used */
};

struct ip6_dad {
	struct ursa_timer timer;
	uint16_t iface;
	uint8_t slot;  /* index in ifc->v6 */
	uint8_t state; /* enum ip6_dad_state */
	uint8_t nonce[6];
};

struct ip6_state {
	uint64_t c[IP6_C_MAX];
	uint64_t icmp6_c[ICMP6_C_MAX];
	struct ip6_dad dad[URSA_MAX_IFACES][URSA_IFACE_MAX_V6];
	/* Reassembly: one table per interface, made on its first fragment. DPDK's key has no
	 * interface, and tenants with the same addresses must never complete each other's
	 * packets. Their poll and fini hooks are added with the first table. */
	struct rte_ip_frag_tbl *frag_tbl[URSA_MAX_IFACES];
	struct rte_ip_frag_death_row death_row;
	bool frag_hooks;
};
/* ---- end of IPv6 state ---- */

struct ursa_ip_ctx {
	/* ---- shared by both families (ip.c) ---- */
	ursa_ip_handler_t handlers[256];
	ursa_ip_ctlinput_t ctlinput[256]; /* error handlers beside them */
	unsigned nb_routes;
	struct ip_route routes[IP_MAX_ROUTES];
	struct rte_mempool *indirect_pool;	/* fragment output: indirect mbufs (v4 and v6) */
	struct rte_ip_frag_death_row death_row; /* IPv4 reassembly leftovers, freed by ip_poll */
	/* ICMP error rate limit, both families */
	uint64_t rl_tokens; /* credit in ns: one error costs 1e9 / ICMP_RL_RATE */
	uint64_t rl_last_ns;
	struct icmp_rl_dst rl_dst[ICMP_RL_DST_SLOTS];

	/* ---- IPv4 and ICMP (ip4.c, icmp.c) ---- */
	uint16_t ip4_id; /* next IPv4 identification, started from lc->secret */
	/* IPv4 reassembly: one table per interface, made on its first fragment. DPDK's key has
	 * no interface, and tenants with the same addresses must never complete each other's
	 * datagrams. */
	struct rte_ip_frag_tbl *frag4_tbl[URSA_MAX_IFACES];
	uint64_t c[IP_C_MAX];
	uint64_t icmp_c[ICMP_C_MAX];

	/* ---- IPv6, ICMPv6, ND (ip6.c, icmp6.c, nd.c): owned by the ip6 files ----
	 * The ip6 agent may add fields here (counters, ND state, an ip6 sub-context). */
	struct ip6_state ip6;
	/* ---- end of IPv6 section ---- */
};

/* ---- ip.c: shared ---- */

/** Hand a built IP packet (data at L3) to the link: broadcast and multicast destinations get
 *  their MAC directly, unicast next hops go through the neighbour cache. Takes m. */
int ip_l2_output(struct ursa_lcore *lc, struct ursa_iface *ifc, const struct ursa_ipaddr *nh,
		 struct rte_mbuf *m);
/** Deliver a validated packet (data at L4, l3_len set) to its protocol handler. Returns false
 *  (m not taken) when no handler is registered for info->proto. */
bool ip_deliver(struct ursa_lcore *lc, struct ursa_iface *ifc, struct rte_mbuf *m,
		const struct ursa_ip_info *info);
/* The most transport header an error handler is given (UDP + BTH + RETH fit). */
#define IP_ERR_L4_MAX 64
/** Hand a parsed error to the handler of err->proto; false when it has none. */
bool ip_ctl_deliver(struct ursa_lcore *lc, struct ursa_iface *ifc, const struct ursa_ip_err *err);
/** ICMP error rate limit: true when one more error to dst may be sent now (counts the
 *  refusal in the icmp block). */
bool icmp_error_allowed(struct ursa_lcore *lc, const struct ursa_ipaddr *dst);
/** Internet checksum (folded, not complemented) of len bytes at off in a possibly chained
 *  mbuf. DPDK 22.11's rte_raw_cksum_mbuf loses carries on segments at odd offsets: use
 *  this instead. -EINVAL when the range is outside m. */
int ip_raw_cksum_mbuf(const struct rte_mbuf *m, uint32_t off, uint32_t len, uint16_t *cksum);
/** Trim a possibly chained mbuf to len bytes (len <= pkt_len). */
void ip_mbuf_trim(struct rte_mbuf *m, uint32_t len);

/** Charge a fragment (its segments) to ifc's reasm quota and the pool share before it goes
 *  into a reassembly table. 0, or -EDQUOT (the interface or tenant is at its quota) or
 *  -ENOBUFS (the pool share is used up): the caller drops it and counts why. */
int ip_frag_charge(struct ursa_lcore *lc, const struct ursa_iface *ifc, const struct rte_mbuf *m);
/** Give back what left a reassembly table of interface iface: the mbufs put on dr from
 *  index from on, and the reassembled packet done (may be NULL). Returns the mbufs. */
uint32_t ip_frag_settle(struct ursa_lcore *lc, uint16_t iface,
			const struct rte_ip_frag_death_row *dr, uint32_t from,
			const struct rte_mbuf *done);

/* ---- ip4.c, icmp.c ---- */
void ip4_input(struct ursa_lcore *lc, struct ursa_iface *ifc, struct rte_mbuf *m);
/** The IPv4 reassembly table of ifc, created on first use (NULL when out of memory). */
struct rte_ip_frag_tbl *ip4_frag_table(struct ursa_lcore *lc, const struct ursa_iface *ifc);
int ip4_output(struct ursa_lcore *lc, const struct ursa_ip_tx *tx, struct ursa_iface *ifc,
	       const struct ursa_ipaddr *nh, const struct ursa_ipaddr *src, struct rte_mbuf *m);
bool ip4_is_bcast(const struct ursa_iface *ifc, rte_be32_t a);
/** 224.0.0.0/4 (host order). DPDK's RTE_IS_IPV4_MCAST shifts a signed int into the sign. */
static inline bool ip4_is_mcast(uint32_t a)
{
	return (a >> 28) == 0xe;
}
void icmp_input(struct ursa_lcore *lc, struct ursa_iface *ifc, struct rte_mbuf *m,
		const struct ursa_ip_info *info);
void icmp4_error(struct ursa_lcore *lc, struct ursa_iface *ifc, const struct rte_mbuf *orig,
		 uint8_t type, uint8_t code, uint32_t extra);

/* ---- IPv6 hooks: defined by ip6.c/icmp6.c (or ip_noip6.c when IPv6 is not built) ---- */

/** Set up IPv6 state (lc->ip exists). -EAFNOSUPPORT: IPv6 is not built (then 0x86DD is not
 *  registered). */
int ip6_init(struct ursa_lcore *lc);
/** EtherType 0x86DD handler (data at the IPv6 header). Takes m. */
void ip6_input(struct ursa_lcore *lc, struct ursa_iface *ifc, struct rte_mbuf *m);
/** Prepend the IPv6 header to m (data at L4) and send it to next hop nh on ifc, from src.
 *  Called by ursa_ip_output after the shared route decision. Takes m. */
int ip6_output(struct ursa_lcore *lc, const struct ursa_ip_tx *tx, struct ursa_iface *ifc,
	       const struct ursa_ipaddr *nh, const struct ursa_ipaddr *src, struct rte_mbuf *m);
/** The ICMPv6 part of ursa_icmp_error (family AF_INET6). */
void icmp6_error(struct ursa_lcore *lc, struct ursa_iface *ifc, const struct rte_mbuf *orig,
		 uint8_t type, uint8_t code, uint32_t extra);

/* ---- IPv6 internals (owned by the ip6 files) ---- */

/** Copy len bytes at off of m (possibly chained) into buf; false when m is shorter. */
static inline bool ip6_copy(const struct rte_mbuf *m, uint32_t off, uint32_t len, void *buf)
{
	const void *p = rte_pktmbuf_read(m, off, len, buf);

	if (p == NULL)
		return false;
	if (p != buf)
		memcpy(buf, p, len);
	return true;
}

/* ip6.c */
/** True for a multicast group ifc listens to: all-nodes, and the solicited-node group of
 *  each of its addresses (tentative ones too, for DAD; duplicates no longer). */
bool ip6_mcast_joined(struct ursa_lcore *lc, const struct ursa_iface *ifc, const uint8_t *grp);
/** ff02::1:ffXX:XXXX for addr (RFC 4291 2.7.1). */
void ip6_solicited_node(const uint8_t *addr, struct ursa_ipaddr *grp);
/** Prepend the IPv6 header (payload = m, data at L4). -ENOBUFS when no headroom (m kept). */
int ip6_push_hdr(struct ursa_lcore *lc, struct rte_mbuf *m, const struct ursa_ipaddr *src,
		 const struct ursa_ipaddr *dst, uint8_t proto, uint8_t hlim);
/* icmp6.c */
void icmp6_input(struct ursa_lcore *lc, struct ursa_iface *ifc, struct rte_mbuf *m,
		 const struct ursa_ip_info *info);
/** Checksum m (data at the ICMPv6 header) and send it from src to dst on ifc with hop limit
 *  hlim; on_link: dst is the next hop (ND), else the route decides. Takes m. */
int icmp6_send(struct ursa_lcore *lc, struct ursa_iface *ifc, const struct ursa_ipaddr *src,
	       const struct ursa_ipaddr *dst, uint8_t hlim, bool on_link, struct rte_mbuf *m);
/* nd.c */
int nd_init(struct ursa_lcore *lc);
/** RS/RA/NS/NA/redirect (data at the ICMPv6 header, checksum verified). Takes m. */
void nd_input(struct ursa_lcore *lc, struct ursa_iface *ifc, struct rte_mbuf *m,
	      const struct ursa_ip_info *info);

#endif /* URSA_IP_PRIV_H */
