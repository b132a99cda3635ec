/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ursa-perf as a peer of perftest's ib_write_bw / ib_read_bw / ib_send_bw (one RC QP, TCP port
 * 18515, no rdma_cm): the out-of-band dialogue that perftest runs before and after a bandwidth
 * test, as perftest 6.06 (Debian bookworm's 4.5-0.17) speaks it. Learnt from linux-rdma/perftest's
 * src/perftest_communication.c and write_bw.c; no code taken from there.
 *
 * Every exchange is "client writes, then reads; server reads, then writes", fixed sizes:
 *   version (16 bytes, text), cycle buffer and cache line (4 + 4, big endian), active MTU
 *   enum as text (2), the keys (108 bytes of text, KEY_PRINT_FMT_GID) three times (keys,
 *   keys again after RTR, a barrier); after the run a barrier, the report (size, iterations,
 *   peak and average MB/s, Mpps: 5 x 8 bytes big endian) and a last barrier, then "done".
 *   ib_send_bw has one barrier more before the run (the server's receives are posted) and
 *   after it only the last barrier and "done".
 */
#ifndef URSA_PERF_PERFTEST_H
#define URSA_PERF_PERFTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ursa_perf.h"

#define URSA_PERF_PT_VERSION  "6.06"
#define URSA_PERF_PT_KEYS_LEN 108

/** perftest's key message for one QP (LID 0; out_reads = what we allow in flight). */
int ursa_perf_pt_keys_fmt(const struct ursa_perf_info *in, unsigned out_reads,
			  char out[URSA_PERF_PT_KEYS_LEN]);
/** Parse a peer's key message into out (qpn, psn, rkey, vaddr, gid) and its out_reads. */
int ursa_perf_pt_keys_parse(const char *msg, size_t len, struct ursa_perf_info *out,
			    unsigned *out_reads);

/** Everything before the run: versions, buffer sizes, MTU (the smaller of ours and theirs),
 *  keys, QP connected, the barriers. remote_len: the bytes at the peer's address the run
 *  touches (one message). */
int ursa_perf_pt_begin(struct ursa_perf_ep *ep, int fd, bool client, uint16_t mtu,
		       uint64_t remote_len, ursa_perf_pump_t pump, void *arg);

struct ursa_perf_pt_report {
	uint64_t size, iters;
	double bw_peak, bw_avg, msg_rate; /* MB/s (2^20 bytes), MB/s, Mpps */
};

/** Everything after: the barrier the server waits in while the client runs (the stack keeps
 *  running), the reports (theirs may be NULL), the last barrier and "done". */
int ursa_perf_pt_end(struct ursa_perf_ep *ep, int fd, bool client,
		     const struct ursa_perf_pt_report *mine, struct ursa_perf_pt_report *theirs,
		     ursa_perf_pump_t pump, void *arg);

/** One more key exchange, which perftest uses as a barrier (ib_send_bw: once the server's
 *  receives are posted, before the run). */
int ursa_perf_pt_barrier(struct ursa_perf_ep *ep, int fd, bool client, uint64_t timeout_ns,
			 ursa_perf_pump_t pump, void *arg);
/** The end of a session: the last barrier and "done" (all of it after ib_send_bw's run). */
int ursa_perf_pt_close(struct ursa_perf_ep *ep, int fd, bool client, ursa_perf_pump_t pump,
		       void *arg);

#endif /* URSA_PERF_PERFTEST_H */
