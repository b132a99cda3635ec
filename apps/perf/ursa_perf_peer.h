/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ursa-perf as a peer of rdma-core's example tools: the out-of-band exchange of
 * ibv_rc_pingpong (rdma-core libibverbs/examples) and its ping-pong of RC SENDs, so that the
 * unmodified tool on a kernel RDMA device (rxe in the lab VM) and ursa-perf can run against each
 * other in either role.
 *
 * The exchange, over TCP (default port 18515): the client writes 52 bytes, the text
 * "LLLL:QQQQQQ:PPPPPP:GGGG...G" (LID, QPN, PSN in hex; the GID as 32 hex digits in wire byte
 * order) and a NUL; the server reads them, connects its QP, answers with its own 52 bytes; the
 * client connects its QP and writes the 5 bytes "done" + NUL.
 */
#ifndef URSA_PERF_PEER_H
#define URSA_PERF_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ursa_perf.h"

/** Read exactly len bytes from the out-of-band socket fd, running pump(arg) while waiting
 *  (the peer may resolve our address, or run a test, before it writes). */
int ursa_perf_oob_read(struct ursa_lcore *lc, int fd, void *buf, size_t len, uint64_t timeout_ns,
		       ursa_perf_pump_t pump, void *arg);
/** Write all of buf (0 or -EIO). */
int ursa_perf_oob_write(int fd, const void *buf, size_t len);

/** Bytes of one ibv_rc_pingpong address message, NUL included. */
#define URSA_PERF_PP_MSG_LEN 52

/** Format in as ibv_rc_pingpong's message (LID 0: RoCE has none). */
int ursa_perf_pp_fmt(const struct ursa_perf_info *in, char out[URSA_PERF_PP_MSG_LEN]);
/** Parse a peer's message (exactly URSA_PERF_PP_MSG_LEN bytes, NUL-terminated) into out
 *  (qpn, psn, gid; nothing else). -EINVAL on anything malformed or out of range. */
int ursa_perf_pp_parse(const char *msg, size_t len, struct ursa_perf_info *out);

/**
 * The exchange on the connected TCP socket fd, in the client's or the server's part, and the
 * QP connected to the peer at path MTU mtu. Runs pump(arg) while it waits (the peer resolves
 * our address before it answers); -EPROTO when the peer says something else, -ETIMEDOUT.
 */
int ursa_perf_pp_exchange(struct ursa_perf_ep *ep, int fd, bool client, uint16_t mtu,
			  ursa_perf_pump_t pump, void *arg);

struct ursa_perf_pp_conf {
	uint32_t size;	     /* message size (both sides must use the same) */
	uint32_t iters;	     /* exchanges (each side sends and receives this many) */
	bool client;	     /* the client sends first */
	uint64_t seed;	     /* the client's message pattern */
	uint64_t timeout_ns; /* give up when nothing completes for this long (0: 10 s) */
};

struct ursa_perf_pp_result {
	uint64_t ns; /* from the first send (client) or receive (server) to the end */
	uint32_t sent, received;
	uint64_t bad; /* received messages that failed the check */
	int status;   /* 0, -EIO (a completion error) or -ETIMEDOUT */
};

/**
 * The ping-pong, as ibv_rc_pingpong runs it: each side sends its next message once its last
 * send has completed and the peer's next message has come. The client sends its seeded pattern
 * every time and checks that each message that comes back is that pattern; the server sends
 * back what it received and checks, from the second message on, that what comes is what it
 * sent last (which is what ibv_rc_pingpong, receiving into the buffer it sends from, does).
 * Each receive buffer is cleared once checked, so a receive that writes nothing is caught.
 */
int ursa_perf_pp_run(struct ursa_perf_ep *ep, const struct ursa_perf_pp_conf *c,
		     ursa_perf_pump_t pump, void *arg, struct ursa_perf_pp_result *r);

/** The ping-pong of ursa_perf_pp_run one step at a time (for callers that run two). */
struct ursa_perf_pp {
	struct ursa_perf_ep *ep;
	struct ursa_perf_pp_conf conf;
	struct ursa_perf_pp_result res;
	unsigned pending; /* what this round still waits for: our send, the peer's message */
	uint64_t t0, last;
};

/** Post the receives and (client) the first send. */
int ursa_perf_pp_start(struct ursa_perf_pp *pp, struct ursa_perf_ep *ep,
		       const struct ursa_perf_pp_conf *c);
/** Poll the CQ once and act on what completed; false once finished or failed (pp->res). */
bool ursa_perf_pp_step(struct ursa_perf_pp *pp);

#endif /* URSA_PERF_PEER_H */
