/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp wire format: the fixed header is DPDK's struct rte_tcp_hdr (RFC 9293 §3.1, 20 bytes,
 * big-endian fields); this file adds the option kinds and lengths and the parsed-options view.
 */
#ifndef TCP_HDR_H
#define TCP_HDR_H

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_tcp.h>

#ifdef __cplusplus
extern "C" {
#endif

static_assert(sizeof(struct rte_tcp_hdr) == 20, "TCP header is 20 bytes");

#define TCP_HDR_MIN 20
#define TCP_HDR_MAX 60 /* data offset is 4 bits of 32-bit words */
#define TCP_OPT_MAX 40 /* options area: TCP_HDR_MAX - TCP_HDR_MIN */

/* Flags (the data_off/tcp_flags byte pair of rte_tcp_hdr keeps CWR..FIN in tcp_flags). */
#define TH_FIN RTE_TCP_FIN_FLAG
#define TH_SYN RTE_TCP_SYN_FLAG
#define TH_RST RTE_TCP_RST_FLAG
#define TH_PSH RTE_TCP_PSH_FLAG
#define TH_ACK RTE_TCP_ACK_FLAG
#define TH_URG RTE_TCP_URG_FLAG
#define TH_ECE RTE_TCP_ECE_FLAG
#define TH_CWR RTE_TCP_CWR_FLAG

/* Option kinds and lengths. */
#define TCPOPT_EOL	    0
#define TCPOPT_NOP	    1
#define TCPOPT_MSS	    2	/* RFC 9293 §3.2: len 4, SYN only */
#define TCPOPT_WSCALE	    3	/* RFC 7323 §2.2: len 3, SYN only, shift <= 14 */
#define TCPOPT_SACK_PERM    4	/* RFC 2018: len 2, SYN only */
#define TCPOPT_SACK	    5	/* RFC 2018: len 2 + 8n */
#define TCPOPT_TIMESTAMP    8	/* RFC 7323 §3.2: len 10 */
#define TCPOPT_EXP1	    253 /* RFC 6994 shared experimental options (ExID first) */
#define TCPOPT_EXP	    254
#define TCPOLEN_MSS	    4
#define TCPOLEN_WSCALE	    3
#define TCPOLEN_SACK_PERM   2
#define TCPOLEN_TIMESTAMP   10
#define TCP_MAX_WSCALE	    14
#define TCP_MAX_SACK_BLOCKS 4

struct tcp_sack_block {
	uint32_t start, end; /* host order */
};

/** A registered option found on a SYN: its hook and the bytes after the ExID. */
struct tcp_opt_found {
	const uint8_t *data; /* into the parsed options area */
	uint8_t hook;	     /* index in the hook table */
	uint8_t len;
};
#define TCP_OPT_HOOK_MAX 4 /* = URSA_TCP_OPT_HOOK_MAX */

/** What option parsing found (host order). */
struct tcp_opts {
	uint32_t present; /* TCP_OPT_F_* */
	uint16_t mss;
	uint8_t wscale;
	uint8_t nsack;
	uint32_t tsval, tsecr;
	struct tcp_sack_block sack[TCP_MAX_SACK_BLOCKS];
	uint8_t nfound; /* registered options seen (SYN only) */
	struct tcp_opt_found found[TCP_OPT_HOOK_MAX];
};
#define TCP_OPT_F_MSS	    0x01
#define TCP_OPT_F_WSCALE    0x02
#define TCP_OPT_F_SACK_PERM 0x04
#define TCP_OPT_F_SACK	    0x08
#define TCP_OPT_F_TS	    0x10

#ifdef __cplusplus
}
#endif

#endif /* TCP_HDR_H */
