/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The TCP conformance runner: packetdrill-shaped scripts run against one ursa stack on a
 * virtual clock. conf_script.c parses a script into events, conf_pkt.c builds inbound frames
 * and parses outbound ones, conf_run.c executes the events and reports mismatches.
 */
#ifndef URSA_TCP_CONF_H
#define URSA_TCP_CONF_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define CONF_MAX_EVENTS 512
#define CONF_MAX_ARGS	8
#define CONF_MAX_SACK	4
#define CONF_ANY	UINT64_MAX /* a field written "*" or left out: not checked */

enum conf_ev_kind {
	CONF_EV_IN,   /* < : a segment the remote sends us */
	CONF_EV_OUT,  /* > : a segment the stack must send */
	CONF_EV_CALL, /* a socket call with its expected result */
	CONF_EV_SET,  /* //! key=value in the middle of a script (remote_port) */
};

/* TCP flags as letters: S F R P . (ACK) E (ECE) W (CWR) U (URG). */
#define CONF_F_FIN 0x01
#define CONF_F_SYN 0x02
#define CONF_F_RST 0x04
#define CONF_F_PSH 0x08
#define CONF_F_ACK 0x10
#define CONF_F_URG 0x20
#define CONF_F_ECE 0x40
#define CONF_F_CWR 0x80

/* TCP options of a segment line, in the order written. */
enum conf_opt_kind {
	CONF_OPT_NOP,
	CONF_OPT_EOL,
	CONF_OPT_MSS,
	CONF_OPT_WSCALE,
	CONF_OPT_SACKOK,
	CONF_OPT_SACK,
	CONF_OPT_TS,
	CONF_OPT_SMC, /* kind 254, length 6, ExID E2D4C3D9 (RFC 6994; "SMCR" in EBCDIC) */
	CONF_OPT_EXP, /* other kind 253/254 with raw bytes */
};

struct conf_opt {
	enum conf_opt_kind kind;
	uint64_t v1, v2; /* mss / wscale / TS val / TS ecr; CONF_ANY = any value */
	unsigned nsack;
	uint32_t sack[CONF_MAX_SACK][2];
	uint8_t raw_kind, raw_len;
	uint8_t raw[16];
};

struct conf_seg {
	uint8_t flags;
	uint32_t seq, end; /* script (relative) sequence numbers */
	uint32_t len;
	bool has_ack;
	uint32_t ack;
	uint64_t win;  /* CONF_ANY when not given */
	bool has_opts; /* "<opts>" given; absent means "no options" (as packetdrill) */
	bool opts_any; /* "<...>": outbound options not compared */
	unsigned nopt;
	struct conf_opt opt[12];
	/* "< icmp <kind> [mtu N] [seq:end(len)]": an ICMP/ICMPv6 error from the remote about
	 * the segment of ours in brackets (seq, end, len hold it) */
	bool icmp;
	char icmp_kind[24]; /* frag_needed, port_unreachable, ... (family neutral) */
	uint32_t icmp_mtu;
};

struct conf_arg {
	enum { CONF_ARG_ELLIPSIS, CONF_ARG_INT, CONF_ARG_LINGER, CONF_ARG_STR } kind;
	int64_t i; /* INT; [n] arrays hold one int too */
	int64_t onoff, linger;
	char str[64]; /* symbolic name when it was not a known constant */
};

struct conf_call {
	char name[24];
	unsigned nargs;
	struct conf_arg args[CONF_MAX_ARGS];
	int64_t ret;
	int err;      /* expected errno when ret == -1 */
	bool ret_any; /* "= ..." */
};

struct conf_event {
	unsigned line;
	enum conf_ev_kind kind;
	int64_t t_ns;	  /* scripted time from the start */
	int64_t t_end_ns; /* end of an a~b range, else == t_ns */
	bool t_any;	  /* "*": any time */
	struct conf_seg seg;
	struct conf_call call;
	char key[32];
	int64_t val;
};

struct conf_script {
	const char *path;
	unsigned nev;
	struct conf_event ev[CONF_MAX_EVENTS];
	/* Header settings ("//! key=value" before the first event). */
	bool ipv6;
	int64_t tolerance_ns;
	uint16_t remote_port;
	uint16_t mtu;
	int64_t challenge_ack_limit; /* the stack's challenge_ack_limit; -1 = its default */
};

/* conf_script.c */
int conf_script_load(const char *path, struct conf_script *s, char *err, size_t errlen);
/* A constant (AF_INET, SO_LINGER, EAGAIN, ...) by name; false when unknown. */
bool conf_const(const char *name, int64_t *v);
const char *conf_errno_name(int e);
void conf_seg_fmt(const struct conf_seg *seg, char *buf, size_t len);

/* conf_pkt.c: a segment as it is on the wire, in absolute numbers. */
struct conf_wire {
	bool ipv6;
	uint8_t src[16], dst[16]; /* v4 in the first 4 bytes */
	uint16_t sport, dport;
	uint8_t flags;
	uint32_t seq, ack;
	uint16_t win;
	uint32_t paylen;
	bool cksum_ok;
	uint8_t ttl;
	bool df;
	unsigned nopt;
	struct conf_opt opt[12];
};

struct rte_mbuf;
struct ursa_lcore;
/* Build an Ethernet frame carrying w (payload: paylen bytes of a pattern). */
struct rte_mbuf *conf_pkt_build(struct ursa_lcore *lc, const uint8_t *src_mac,
				const uint8_t *dst_mac, const struct conf_wire *w);
/* An ICMP (IPv4) or ICMPv6 error from w->src to w->dst about the segment q (ours: q->src is
 * w->dst), quoting its IP packet up to 576 bytes in all (IPv4) or 1280 (IPv6), as routers
 * do. type/code/word are the family's own. */
struct rte_mbuf *conf_pkt_build_icmp(struct ursa_lcore *lc, const uint8_t *src_mac,
				     const uint8_t *dst_mac, const struct conf_wire *w,
				     const struct conf_wire *q, uint8_t type, uint8_t code,
				     uint32_t word);
/* Parse a transmitted frame. Returns 1 for TCP (w filled), 0 for other traffic (ARP, ND,
 * ICMP: *what says which), -1 for a malformed frame (*what says why). */
int conf_pkt_parse(const struct rte_mbuf *m, struct conf_wire *w, const char **what);

#endif /* URSA_TCP_CONF_H */
