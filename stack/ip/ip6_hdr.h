/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Wire formats of IPv6 extension headers (RFC 8200 §4), ICMPv6 (RFC 4443 §2.1) and neighbour
 * discovery (RFC 4861 §4, §4.6; the nonce option of RFC 3971 §5.3.2 that enhanced DAD, RFC
 * 7527, uses) that DPDK's rte_ip.h / rte_icmp.h do not define. All multi-byte fields are in network
 * byte order.
 */
#ifndef URSA_IP6_HDR_H
#define URSA_IP6_HDR_H

#include <assert.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ether.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Next-header values (IANA "Assigned Internet Protocol Numbers"). */
#define IP6_NH_HOPOPTS	0
#define IP6_NH_ROUTING	43
#define IP6_NH_FRAGMENT 44
#define IP6_NH_ICMPV6	58
#define IP6_NH_NONE	59
#define IP6_NH_DSTOPTS	60

#define IP6_HDR_LEN	 40
#define IP6_MIN_MTU	 1280
#define IP6_DEFAULT_HLIM 64
#define IP6_ND_HLIM	 255

/* The first two bytes of every extension header but the fragment header (RFC 8200 §4.3):
 * length in 8-octet units, not counting the first 8. */
struct ip6_ext_hdr {
	uint8_t next;
	uint8_t len;
} __rte_packed;
static_assert(sizeof(struct ip6_ext_hdr) == 2, "ip6_ext_hdr");

/* Routing header (RFC 8200 §4.4). */
struct ip6_rt_hdr {
	uint8_t next;
	uint8_t len;
	uint8_t type;
	uint8_t segleft;
} __rte_packed;
static_assert(sizeof(struct ip6_rt_hdr) == 4, "ip6_rt_hdr");

/* Hop-by-hop / destination option TLVs (RFC 8200 §4.2). */
#define IP6_OPT_PAD1	     0
#define IP6_OPT_PADN	     1
#define IP6_OPT_ROUTER_ALERT 5 /* RFC 2711, hop-by-hop only */
/* The two high bits of an option type: what to do when the type is not recognised. */
#define IP6_OPT_ACTION(t)	   ((t) >> 6)
#define IP6_OPT_ACT_SKIP	   0
#define IP6_OPT_ACT_DISCARD	   1
#define IP6_OPT_ACT_ICMP	   2 /* discard, parameter problem code 2 even to multicast */
#define IP6_OPT_ACT_ICMP_NOT_MCAST 3 /* discard, parameter problem when dst not multicast */

/* ICMPv6 message header (RFC 4443 §2.1); data is id/seq, MTU, pointer or ND flags. */
struct icmp6_hdr {
	uint8_t type;
	uint8_t code;
	rte_be16_t cksum;
	rte_be32_t data;
} __rte_packed;
static_assert(sizeof(struct icmp6_hdr) == 8, "icmp6_hdr");

#define ICMP6_DST_UNREACH	     1
#define ICMP6_DST_UNREACH_NOROUTE    0
#define ICMP6_DST_UNREACH_ADMIN	     1
#define ICMP6_DST_UNREACH_ADDR	     3
#define ICMP6_DST_UNREACH_PORT	     4
#define ICMP6_DST_UNREACH_POLICY     5 /* source address failed ingress/egress policy */
#define ICMP6_DST_UNREACH_REJECT     6 /* reject route to destination */
#define ICMP6_PACKET_TOO_BIG	     2
#define ICMP6_TIME_EXCEEDED	     3
#define ICMP6_TIME_EXCEED_REASSEMBLY 1
#define ICMP6_PARAM_PROB	     4
#define ICMP6_PARAM_PROB_HEADER	     0 /* erroneous header field */
#define ICMP6_PARAM_PROB_NEXTHEADER  1 /* unrecognized next header */
#define ICMP6_PARAM_PROB_OPTION	     2 /* unrecognized IPv6 option */
#define ICMP6_ECHO_REQUEST	     128
#define ICMP6_ECHO_REPLY	     129
#define ICMP6_IS_ERROR(t)	     ((t) < 128)
#define ND_ROUTER_SOLICIT	     133
#define ND_ROUTER_ADVERT	     134
#define ND_NEIGHBOR_SOLICIT	     135
#define ND_NEIGHBOR_ADVERT	     136
#define ND_REDIRECT		     137

/* RFC 4443 §2.4(c): an error message carries as much of the invoking packet as fits without
 * the error exceeding the minimum IPv6 MTU. */
#define ICMP6_ERROR_MAX_ORIG (IP6_MIN_MTU - IP6_HDR_LEN - sizeof(struct icmp6_hdr))

/* Neighbour solicitation / advertisement (RFC 4861 §4.3, §4.4): the ICMPv6 header (data =
 * reserved, or the NA flags) followed by the target address, then options. */
struct nd_ns_na {
	struct icmp6_hdr h;
	uint8_t target[16];
} __rte_packed;
static_assert(sizeof(struct nd_ns_na) == 24, "nd_ns_na");

/* Minimum ICMP lengths of the other ND messages (RFC 4861 §6.1.1, §6.1.2, §8.1). */
#define ND_RS_MIN_LEN	    8
#define ND_RA_MIN_LEN	    16
#define ND_REDIRECT_MIN_LEN 40

/* NA flags, in the first 32 bits after the checksum (RFC 4861 §4.4). */
#define ND_NA_FLAG_ROUTER    0x80000000u
#define ND_NA_FLAG_SOLICITED 0x40000000u
#define ND_NA_FLAG_OVERRIDE  0x20000000u

/* ND options (RFC 4861 §4.6): type, length in units of 8 octets (0 is invalid). */
struct nd_opt_hdr {
	uint8_t type;
	uint8_t len;
} __rte_packed;
static_assert(sizeof(struct nd_opt_hdr) == 2, "nd_opt_hdr");

#define ND_OPT_SOURCE_LLADDR 1
#define ND_OPT_TARGET_LLADDR 2
#define ND_OPT_NONCE	     14 /* RFC 3971 §5.3.2; used by enhanced DAD, RFC 7527 */

/* Source/target link-layer address option for Ethernet (RFC 2464 §6). */
struct nd_opt_lladdr {
	uint8_t type;
	uint8_t len; /* 1 */
	uint8_t mac[RTE_ETHER_ADDR_LEN];
} __rte_packed;
static_assert(sizeof(struct nd_opt_lladdr) == 8, "nd_opt_lladdr");

/* Nonce option with the 6-byte nonce Linux sends in its DAD probes. */
#define ND_NONCE_LEN 6
struct nd_opt_nonce {
	uint8_t type;
	uint8_t len; /* 1 */
	uint8_t nonce[ND_NONCE_LEN];
} __rte_packed;
static_assert(sizeof(struct nd_opt_nonce) == 8, "nd_opt_nonce");

#ifdef __cplusplus
}
#endif

#endif /* URSA_IP6_HDR_H */
