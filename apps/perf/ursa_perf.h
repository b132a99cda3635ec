/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ursa-perf internals, shared by the tool and its in-process tests: an RDMA endpoint on the
 * softroce provider (device, PD, CQ, RC QP, one registered buffer), the connection info the
 * two sides exchange out of band, and the benchmark loops (bandwidth and latency, client and
 * server side). Everything goes through the provider-neutral rdma interface (ursa_rdma.h).
 *
 * A "pump" moves the stack(s) forward once: in two-process mode it polls the local lcore, in
 * loopback mode it polls both lcores and carries frames between their memory ports.
 */
#ifndef URSA_PERF_H
#define URSA_PERF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ursa.h"

#define URSA_PERF_MAX_DEPTH 512

enum ursa_perf_test {
	URSA_PERF_WRITE_BW,
	URSA_PERF_WRITE_LAT,
	URSA_PERF_READ_BW,
	URSA_PERF_READ_LAT,
	URSA_PERF_SEND_BW,
	URSA_PERF_SEND_LAT,
	URSA_PERF_ATOMIC_LAT,
	URSA_PERF_TEST_MAX,
};

extern const char *const ursa_perf_test_names[URSA_PERF_TEST_MAX];
/** Test by name ("write_bw"), or -1. */
int ursa_perf_test_parse(const char *s);
static inline bool ursa_perf_test_is_lat(enum ursa_perf_test t)
{
	return t == URSA_PERF_WRITE_LAT || t == URSA_PERF_READ_LAT || t == URSA_PERF_SEND_LAT ||
	       t == URSA_PERF_ATOMIC_LAT;
}

/** What one side tells the other (perftest's exchange over port 18515). */
struct ursa_perf_info {
	uint32_t qpn;
	uint32_t psn;
	uint32_t rkey;
	uint64_t vaddr;
	uint64_t len;
	union ursa_rdma_gid gid;
};

/** A kernel TCP connection to host:port for the out-of-band exchange, retried for 10 s while
 *  the server starts; TCP_NODELAY set. The fd, or a negative errno. */
int ursa_perf_tcp_connect(const char *host, unsigned port);

/** One line of text, '\n'-terminated: "qpn=.. psn=.. rkey=.. va=.. len=.. gid=<32 hex>". */
int ursa_perf_info_fmt(const struct ursa_perf_info *in, char *buf, size_t len);
int ursa_perf_info_parse(const char *s, struct ursa_perf_info *out);

struct ursa_perf_ep {
	struct ursa_lcore *lc;
	struct ursa_rdma_device *dev;
	struct ursa_rdma_pd *pd;
	struct ursa_rdma_cq *cq;
	struct ursa_rdma_qp *qp;
	struct ursa_rdma_mr *mr;
	uint8_t *buf;
	size_t buflen;
	unsigned depth;
	struct ursa_perf_info local, remote;
	uint8_t sgid_index;  /* the local GID entry (binds the QP to its interface) */
	unsigned rq_posted;  /* receives outstanding */
	uint8_t ack_timeout; /* local ACK timeout exponent for connect (0: 14, 67 ms) */
	uint64_t errors;     /* completions with an error status */
	enum ursa_rdma_wc_status last_err;
};

/** Bring the stack up on lc with one interface on port (addr "10.0.0.1/24"). */
int ursa_perf_stack_up(struct ursa_lcore *lc, uint16_t port, const char *addr);
/** Device "softroce0" (opened on first use), PD, CQ, QP with depth send and receive WQEs,
 *  a zeroed buffer of buflen bytes (at least 4 KiB) registered with every access. */
int ursa_perf_ep_create(struct ursa_lcore *lc, size_t buflen, unsigned depth,
			struct ursa_perf_ep *ep);
/** INIT -> RTR -> RTS towards ep->remote with the given path MTU. */
int ursa_perf_ep_connect(struct ursa_perf_ep *ep, uint16_t mtu);
void ursa_perf_ep_destroy(struct ursa_perf_ep *ep);

/** Fill buf with the seeded pattern (byte i of stream seed; same on both sides). */
void ursa_perf_pattern(uint8_t *buf, size_t len, uint64_t seed);
/** Offset of the first byte that differs from the pattern, or -1 when all match. */
long ursa_perf_pattern_check(const uint8_t *buf, size_t len, uint64_t seed);

typedef void (*ursa_perf_pump_t)(void *arg);

/** Server side of a run: what it must do while the client measures. */
struct ursa_perf_srv {
	struct ursa_perf_ep *ep;
	enum ursa_perf_test test;
	uint32_t size;
	uint64_t verify_seed; /* 0 = no check */
	uint64_t count;	      /* messages received / echoed */
	uint64_t bad;	      /* messages that failed the check */
	uint8_t expect;	      /* write_lat: next value of the last byte */
};

/** Prepare the server for one run (posts the receives send tests need). */
int ursa_perf_srv_start(struct ursa_perf_srv *s, struct ursa_perf_ep *ep, enum ursa_perf_test test,
			uint32_t size, uint64_t verify_seed);
/** One step: echo ping-pongs, repost receives, drain the CQ. Returns work done. */
unsigned ursa_perf_srv_step(struct ursa_perf_srv *s);
/** End a run: for write_bw with a seed, checks the buffer; returns the bad count. */
uint64_t ursa_perf_srv_finish(struct ursa_perf_srv *s);

struct ursa_perf_run {
	enum ursa_perf_test test;
	uint32_t size;
	uint64_t iters;	      /* stop after this many (0: use duration) */
	uint64_t duration_ns; /* or after this long */
	unsigned depth;	      /* outstanding operations (bw tests) */
	uint64_t verify_seed; /* read_bw: check what came back (0 = no check) */
	double report_every_s;
	FILE *progress;
	ursa_perf_pump_t pump;
	void *pump_arg;
	uint64_t timeout_ns; /* give up when nothing completes for this long (0 = 10 s) */
};

struct ursa_perf_result {
	uint64_t iters;
	uint64_t bytes;
	uint64_t ns;
	uint64_t bad; /* verify failures seen by the client */
	/* latency (µs) */
	double t_min, t_max, t_typical, t_avg, t_stdev, p99, p999;
	int status; /* 0, or a negative errno (-EIO: a completion error, -ETIMEDOUT) */
	enum ursa_rdma_wc_status wc_status;
};

/** Before measuring: one zero-length WRITE so that neighbour resolution (whose queue keeps
 *  only a few frames) and the first ACK are out of the way. */
int ursa_perf_warmup(struct ursa_perf_ep *ep, ursa_perf_pump_t pump, void *arg);

/** Client side of one run. */
int ursa_perf_client_run(struct ursa_perf_ep *ep, const struct ursa_perf_run *run,
			 struct ursa_perf_result *res);

/** perftest-style lines. */
void ursa_perf_print_header(FILE *f, enum ursa_perf_test t);
void ursa_perf_print_result(FILE *f, enum ursa_perf_test t, uint32_t size,
			    const struct ursa_perf_result *r);
/** One JSON object (no trailing newline or comma). */
void ursa_perf_json_result(FILE *f, enum ursa_perf_test t, uint32_t size,
			   const struct ursa_perf_result *r);

/** ursa-perf scale ... (ursa_perf_scale.c); argv[0] is "scale". Returns the exit status. */
int ursa_perf_scale_main(int argc, char **argv);

#endif /* URSA_PERF_H */
